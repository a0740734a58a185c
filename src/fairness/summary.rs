//! `audit-fairness --summary`: one row per input file × attribute (× class) with the headline
//! disparities and the gate verdict there. The model, the partition columns and the renderings
//! are shared by every engine ([`crate::render::summary`]); this file picks the columns.

use anyhow::Result;
use serde_json::{Map, Value as Json};

use super::report::FairnessReport;
use crate::render::summary::{self, Summary};
use crate::render::{Rendered, ReportFormat};

/// The disparities shown, when the audit has them (binary / one-vs-rest, then regression).
const HEADLINE: [&str; 12] = [
    "demographic_parity_difference",
    "demographic_parity_ratio",
    "equalized_odds_difference",
    "equalized_odds_ratio",
    "equal_opportunity_difference",
    "predictive_parity_difference",
    "accuracy_difference",
    "four_fifths_rule_passed",
    "mean_absolute_error_difference",
    "root_mean_squared_error_difference",
    "r2_difference",
    "mean_residual_difference",
];

pub fn build(r: &FairnessReport) -> Summary {
    let headline: Vec<&str> = HEADLINE
        .iter()
        .copied()
        .filter(|h| r.attributes.iter().any(|a| a.disparities.contains_key(*h)))
        .collect();
    let classes = r.attributes.iter().any(|a| a.class.is_some());
    let mut own = vec!["attribute".to_string()];
    if classes {
        own.push("class".into());
    }
    own.extend(["groups", "rows"].map(String::from));
    own.extend(headline.iter().map(|h| h.to_string()));
    own.push("gates_passed".into());
    let keys = summary::partition_columns(r.inputs.iter().map(|i| i.path.as_str()), &own);
    let mut columns = vec!["file".to_string()];
    columns.extend(keys.iter().map(|(_, c)| c.clone()));
    columns.extend(own);
    let mut s = Summary::new("audit-fairness --summary", columns);
    for a in &r.attributes {
        let mut row = summary::file_cells(&a.file, &keys);
        row.insert("attribute".into(), Json::from(a.name.clone()));
        if classes {
            row.insert(
                "class".into(),
                a.class.clone().map_or(Json::Null, Json::from),
            );
        }
        row.insert("groups".into(), Json::from(a.groups.len()));
        row.insert(
            "rows".into(),
            Json::from(a.groups.iter().map(|g| g.n).sum::<u64>()),
        );
        for h in &headline {
            row.insert(
                h.to_string(),
                a.disparities.get(*h).cloned().unwrap_or(Json::Null),
            );
        }
        let scope = match &a.class {
            Some(c) => format!("{} [class {c}]", a.name),
            None => a.name.clone(),
        };
        let passed = summary::passed_where(&r.gates, |f| {
            f.file == a.file && f.attribute.as_deref().is_none_or(|x| x == scope)
        });
        row.insert("gates_passed".into(), Json::Bool(passed));
        s.push(row, Map::new());
    }
    s.gates = r.gates.clone();
    s.passed = r.passed;
    s.plots = r.plots.clone();
    s.view.lead = 1;
    s.view.blank_null = vec!["class".into()];
    s
}

/// The summary; as HTML (`page`), the whole report's page.
pub fn render(
    r: &FairnessReport,
    format: ReportFormat,
    page: Option<&crate::render::html::Page>,
) -> Result<Rendered> {
    summary::render(&build(r), format, page)
}
