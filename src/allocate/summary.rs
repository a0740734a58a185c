//! `allocate pb --summary`: one row per election with what was read (ballot type, projects,
//! voters), how the outcome was found and satisfaction measured, every headline value of the
//! outcome (the names `--fail-if` takes: projects selected, cost and budget share, EJR / PJR /
//! priceability, fair share, satisfaction) and whether the gates passed on that election — each
//! report judged on its own. The model and its renderings are shared
//! ([`crate::render::summary`]); this file picks the columns.

use serde_json::{Map, Value as Json};

use super::report::{AllocateReport, SUMMARY_AMOUNTS};
use crate::gate::Gate;
use crate::render::summary::{self, Summary};

/// The values the table (and Markdown, HTML) shows; JSON and CSV hold every one.
const TABLE_HEADLINE: [&str; 5] = [
    "projects_selected",
    "budget_share_spent",
    "ejr",
    "pjr",
    "voters_with_nothing",
];

/// The summary of judged reports (one per input, in input order); `outcome` says how every
/// outcome was found (`mes`, `greedy`, `selected`, ...); `gates` (parsed `--fail-if`) add the
/// columns they read to the table.
pub fn build(reports: &[AllocateReport], outcome: &str, gates: &[Gate]) -> Summary {
    let command = reports
        .first()
        .map_or("allocate pb".to_string(), |r| r.command.clone());
    let inputs: Vec<Map<String, Json>> = reports
        .iter()
        .map(|r| match serde_json::to_value(&r.input) {
            Ok(Json::Object(mut m)) => {
                m.remove("path");
                m
            }
            _ => Map::new(),
        })
        .collect();
    let mut own: Vec<String> = Vec::new();
    let mut add = |k: &str| {
        if !own.iter().any(|o| o == k) {
            own.push(k.to_string());
        }
    };
    for m in &inputs {
        m.keys().for_each(|k| add(k));
    }
    if reports.iter().any(|r| r.settings.satisfaction.is_some()) {
        add("satisfaction");
    }
    add("outcome");
    for r in reports {
        r.metrics.0.iter().for_each(|m| add(&m.name));
    }
    add("gates_passed");
    let keys = summary::partition_columns(reports.iter().map(|r| r.input.path()), &own);
    let mut columns = vec!["file".to_string()];
    columns.extend(keys.iter().map(|(_, c)| c.clone()));
    columns.extend(own);
    let mut s = Summary::new(&format!("{command} --summary"), columns);
    for (r, input) in reports.iter().zip(inputs) {
        let mut row = summary::file_cells(r.input.path(), &keys);
        row.extend(input);
        if let Some(sat) = r.settings.satisfaction {
            row.insert("satisfaction".into(), Json::from(sat));
        }
        row.insert("outcome".into(), Json::from(outcome));
        row.extend(r.metrics.values());
        let mut why = summary::partition_reasons(&row, &keys);
        why.extend(r.metrics.reasons());
        for c in &s.columns {
            if !row.contains_key(c) && c != "gates_passed" {
                row.insert(c.clone(), Json::Null);
                why.insert(c.clone(), Json::from("not reported for this input"));
            }
        }
        // A metric that is undefined without a reason (none today) stays null with none.
        why.retain(|k, _| row.get(k).is_some_and(Json::is_null));
        row.insert("gates_passed".into(), Json::Bool(r.passed));
        let row: Map<String, Json> = s
            .columns
            .iter()
            .map(|c| (c.clone(), row.get(c).cloned().unwrap_or(Json::Null)))
            .collect();
        s.push(row, why);
    }
    s.warnings = reports.iter().flat_map(|r| r.warnings.clone()).collect();
    s.gates = crate::gate::merge(reports.iter().map(|r| r.gates.clone()).collect());
    s.passed = reports.iter().all(|r| r.passed);
    let first: Vec<String> = s.columns[..1 + keys.len()].to_vec();
    s.view.shown = Some(summary::shown_columns(
        &s.columns,
        &first,
        &TABLE_HEADLINE,
        gates,
        &["gates_passed"],
    ));
    s.view.lead = keys.len();
    s.view.compact = true;
    s.view.amounts = SUMMARY_AMOUNTS.iter().map(|a| a.to_string()).collect();
    s
}
