//! `audit-reward --summary`: one row per input file with its kind, its pairs, its headline
//! numbers (every key of `inputs[].metrics`, as its kind has them) and each group column's
//! disparities (`COLUMN:accuracy_difference`, the names gates give them), and whether the gates
//! passed on that file. The model and its renderings are shared
//! ([`crate::render::summary`]); this file picks the columns.

use serde_json::{Map, Value as Json};

use super::report::RewardReport;
use crate::gate::Gate;
use crate::render::summary::{self, Summary};

/// The numbers the table (and Markdown, HTML) shows when a file has them, in this order; JSON
/// and CSV hold every number. One per kind or panel, so that a row fits a terminal: the
/// accuracy and its ties, the benchmark score, length bias, calibration, the ensemble's accuracy,
/// best-of-n over-optimisation, policy bias, counterfactual invariance, the `--compare` change.
const TABLE_HEADLINE: [&str; 13] = [
    "accuracy",
    "tie_share",
    "rewardbench.score",
    "rewardbench2.score",
    "rm_bench.score",
    "length.pearson",
    "calibration.ece",
    "ensemble.accuracy_of_mean",
    "bon.gain_gap",
    "policy.spearman",
    "counterfactual.invariance_rate",
    "compare.accuracy_difference",
    "nan_pairs",
];

/// The disparities of a group column in the summary (`mean_margin_ratio` is always null).
const GROUP_DISPARITIES: [&str; 5] = [
    "accuracy_difference",
    "accuracy_ratio",
    "accuracy_difference_to_overall",
    "mean_margin_difference",
    "mean_margin_difference_to_overall",
];

/// The summary of a judged report; `gates` (parsed `--fail-if`) add the columns they read to
/// the table.
pub fn build(r: &RewardReport, gates: &[Gate]) -> Summary {
    let mut own: Vec<String> = ["kind", "rows", "pairs_used"].map(String::from).to_vec();
    let mut group_columns: Vec<String> = Vec::new();
    for inp in &r.inputs {
        for k in inp.metrics.keys() {
            if !own.contains(k) {
                own.push(k.clone());
            }
        }
        for g in &inp.groups {
            for d in GROUP_DISPARITIES {
                let c = format!("{}:{d}", g.column);
                if !group_columns.contains(&c) {
                    group_columns.push(c);
                }
            }
        }
    }
    own.extend(group_columns.iter().cloned());
    own.push("gates_passed".into());
    let keys = summary::partition_columns(r.inputs.iter().map(|i| i.path.as_str()), &own);
    let mut columns = vec!["file".to_string()];
    columns.extend(keys.iter().map(|(_, c)| c.clone()));
    columns.extend(own);
    let mut s = Summary::new("audit-reward --summary", columns);
    for inp in &r.inputs {
        let mut row = summary::file_cells(&inp.path, &keys);
        let mut why = summary::partition_reasons(&row, &keys);
        row.insert("kind".into(), Json::from(inp.kind.clone()));
        row.insert("rows".into(), Json::from(inp.rows_read));
        row.insert("pairs_used".into(), Json::from(inp.pairs_used));
        for c in &s.columns {
            if let Some(v) = inp.metrics.get(c) {
                row.insert(c.clone(), v.clone());
                if let Some(reason) = inp.undefined.get(c).filter(|_| v.is_null()) {
                    why.insert(c.clone(), reason.clone());
                }
            }
        }
        // A column given twice (`-g lang -g lang`) is reported twice; the first is the one gates read.
        for g in inp.groups.iter().rev() {
            for (d, v) in g.disparities.values() {
                let c = format!("{}:{d}", g.column);
                if !GROUP_DISPARITIES.contains(&d) {
                    continue;
                }
                row.insert(c.clone(), v.map_or(Json::Null, crate::reward::panel::num));
                match g.undefined.get(d).filter(|_| v.is_none()) {
                    Some(reason) => why.insert(c, reason.clone()),
                    None => why.remove(&c),
                };
            }
        }
        // Columns this file does not have (another kind's numbers): null, not applicable.
        for c in &s.columns {
            if !row.contains_key(c) && c != "gates_passed" {
                row.insert(c.clone(), Json::Null);
                why.insert(
                    c.clone(),
                    Json::from(format!("not reported for a {} file", inp.kind)),
                );
            }
        }
        let passed = summary::passed_where(&r.gates, |f| f.file == inp.path);
        row.insert("gates_passed".into(), Json::Bool(passed));
        // The row's keys in column order.
        let row: Map<String, Json> = s
            .columns
            .iter()
            .map(|c| (c.clone(), row.get(c).cloned().unwrap_or(Json::Null)))
            .collect();
        s.push(row, why);
    }
    s.warnings = r.warnings.clone();
    s.gates = r.gates.clone();
    s.passed = r.passed;
    s.plots = r.plots.clone();
    let first: Vec<String> = s.columns[..1 + keys.len()].to_vec();
    // The kind only when the files are of several kinds.
    let mut headline: Vec<&str> = Vec::new();
    if r.inputs.iter().any(|i| i.kind != r.inputs[0].kind) {
        headline.push("kind");
    }
    headline.push("pairs_used");
    headline.extend(TABLE_HEADLINE);
    let group_heads: Vec<String> = group_columns
        .iter()
        .filter(|c| c.ends_with(":accuracy_difference"))
        .cloned()
        .collect();
    headline.extend(group_heads.iter().map(String::as_str));
    s.view.shown = Some(summary::shown_columns(
        &s.columns,
        &first,
        &headline,
        gates,
        &["gates_passed"],
    ));
    s.view.lead = keys.len();
    s.view.compact = true;
    s
}
