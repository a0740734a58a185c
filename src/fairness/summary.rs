//! `audit-fairness --summary`: one row per input file × attribute (× class) with the headline
//! disparities and the gate verdict — the view for many files (a sweep's runs, a partitioned
//! dataset). Hive partition keys in the path (`model=a/seed=1/part.parquet`) become columns.

use anyhow::Result;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::report::FairnessReport;
use crate::render::ReportFormat;
use crate::render::{render_with, Rendered};

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

#[derive(Debug, Serialize)]
pub struct Summary {
    pub schema_version: u32,
    pub command: String,
    pub fairaudit_version: String,
    /// The columns of every row, in order.
    pub columns: Vec<String>,
    pub rows: Vec<Map<String, Json>>,
    pub gates: Vec<crate::gate::GateResult>,
    pub passed: bool,
    /// With --plot DIR: the chart files written (the whole report's charts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plots: Vec<crate::render::html::PlotFile>,
}

/// `key=value` directory names of a path, in path order.
pub fn partitions(path: &str) -> Vec<(String, String)> {
    let p = std::path::Path::new(path);
    let parent = p.parent().map(|x| x.to_path_buf()).unwrap_or_default();
    parent
        .components()
        .filter_map(|c| {
            let s = c.as_os_str().to_string_lossy();
            let (k, v) = s.split_once('=')?;
            (!k.is_empty()).then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}

pub fn build(r: &FairnessReport) -> Summary {
    let mut keys: Vec<String> = Vec::new();
    for inp in &r.inputs {
        for (k, _) in partitions(&inp.path) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    let headline: Vec<&str> = HEADLINE
        .iter()
        .copied()
        .filter(|h| r.attributes.iter().any(|a| a.disparities.contains_key(*h)))
        .collect();
    let classes = r.attributes.iter().any(|a| a.class.is_some());
    let mut columns = vec!["file".to_string()];
    columns.extend(keys.iter().cloned());
    columns.push("attribute".into());
    if classes {
        columns.push("class".into());
    }
    columns.extend(["groups", "rows"].map(String::from));
    columns.extend(headline.iter().map(|h| h.to_string()));
    columns.push("gates_passed".into());
    let rows = r
        .attributes
        .iter()
        .map(|a| {
            let mut row = Map::new();
            row.insert("file".into(), Json::from(a.file.clone()));
            let parts = partitions(&a.file);
            for k in &keys {
                let v = parts.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone());
                row.insert(k.clone(), v.map_or(Json::Null, Json::from));
            }
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
            let failed = r.gates.iter().any(|g| {
                g.failures
                    .iter()
                    .any(|f| f.file == a.file && f.attribute.as_deref().is_none_or(|x| x == scope))
            });
            row.insert("gates_passed".into(), Json::Bool(!failed));
            row
        })
        .collect();
    Summary {
        schema_version: 1,
        command: "audit-fairness --summary".into(),
        fairaudit_version: env!("CARGO_PKG_VERSION").into(),
        columns,
        rows,
        gates: r.gates.clone(),
        passed: r.passed,
        plots: r.plots.clone(),
    }
}

fn cell(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// The summary; as HTML (`page`), the whole report's page.
pub fn render(
    r: &FairnessReport,
    format: ReportFormat,
    page: Option<&crate::render::html::Page>,
) -> Result<Rendered> {
    let s = build(r);
    let table = |markdown: bool| -> Vec<Vec<String>> {
        s.rows
            .iter()
            .map(|row| {
                s.columns
                    .iter()
                    .map(|c| {
                        let v = &row[c];
                        match v {
                            Json::Null if !markdown && c != "class" => "—".to_string(),
                            Json::Number(n) => n
                                .as_f64()
                                .filter(|_| !n.is_u64())
                                .map_or_else(|| n.to_string(), |x| format!("{x:.4}")),
                            other => cell(other),
                        }
                    })
                    .collect()
            })
            .collect()
    };
    render_with(
        &s,
        format,
        s.passed,
        &s.gates,
        r.info(),
        || {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&s.columns)?;
            for row in &s.rows {
                w.write_record(s.columns.iter().map(|c| cell(&row[c])))?;
            }
            Ok(String::from_utf8(w.into_inner()?)?)
        },
        |md| crate::render::grid(&s.columns, &table(md), md, &[], 1),
        page,
    )
}
