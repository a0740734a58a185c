//! Multiclass labels: one pass counts every (cell, label class, predicted class); each class's
//! one-vs-rest binary statistics are then a relabelling of those counts (no second pass).
//!
//! The pass runs with the label and the prediction as the last two cell dimensions; for class c
//! a row is a positive label when its label is c and a positive prediction when its prediction
//! is c (scikit-learn's `multilabel_confusion_matrix`).

use std::collections::HashMap;

use anyhow::{bail, Result};

use super::plan::Pass;
use super::stats::{Cell, GroupKey, Stats};
use crate::input::closest_name;
use crate::stats::Value;

/// The class names of a dimension's keys (missing values are never counted: their rows were
/// dropped as a missing label or prediction).
fn names(keys: &[GroupKey]) -> impl Iterator<Item = String> + '_ {
    keys.iter()
        .filter(|k| !matches!(k, GroupKey::Missing))
        .map(GroupKey::name)
}

/// The classes to report: `wanted` in its order (each must occur in some label or prediction),
/// else every class seen in the label or prediction of any pass, numbers in numeric order and
/// names in string order.
pub fn classes(passes: &[Pass], wanted: &[String]) -> Result<Vec<String>> {
    let mut seen: Vec<String> = Vec::new();
    for p in passes {
        let k = p.stats.keys.len();
        let label: Vec<String> = names(&p.stats.keys[k - 2]).collect();
        let pred: Vec<String> = names(&p.stats.keys[k - 1]).collect();
        if !label.is_empty() && !pred.is_empty() && !label.iter().any(|c| pred.contains(c)) {
            let show = |v: &[String]| v.iter().take(10).cloned().collect::<Vec<_>>().join(", ");
            bail!(
                "{}: the label '{}' ({}) and the prediction '{}' ({}) share no class; for a binary audit name the positive values with --positive / --pred-positive",
                p.source.display,
                p.columns.label.as_deref().unwrap_or(""),
                show(&label),
                p.columns.prediction.as_deref().unwrap_or(""),
                show(&pred)
            );
        }
        for name in label.into_iter().chain(pred) {
            if !seen.contains(&name) {
                seen.push(name);
            }
        }
    }
    if !wanted.is_empty() {
        let mut out: Vec<String> = Vec::new();
        for w in wanted {
            if !seen.contains(w) {
                let all: Vec<&str> = seen.iter().map(String::as_str).collect();
                let hint = closest_name(w, &all)
                    .map(|c| format!(" (did you mean '{c}'?)"))
                    .unwrap_or_default();
                bail!(
                    "--classes: '{w}' occurs in no label or prediction{hint}; classes seen: {}",
                    seen.join(", ")
                );
            }
            if out.contains(w) {
                bail!("--classes: '{w}' is given twice");
            }
            out.push(w.clone());
        }
        return Ok(out);
    }
    let numeric: Option<Vec<f64>> = seen.iter().map(|s| s.parse::<f64>().ok()).collect();
    match numeric {
        Some(v) => {
            let mut pairs: Vec<(f64, String)> = v.into_iter().zip(seen).collect();
            pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
            Ok(pairs.into_iter().map(|(_, s)| s).collect())
        }
        None => {
            seen.sort();
            Ok(seen)
        }
    }
}

/// The binary statistics of `class` against the rest: the class dimensions are folded into the
/// quadrant (2·[label = class] + [prediction = class]) of a cell over the other dimensions.
pub fn one_vs_rest(st: &Stats, class: &str) -> Stats {
    let k = st.keys.len();
    let is = |dim: usize, code: u32| -> bool {
        let key = &st.keys[dim][code as usize];
        !matches!(key, GroupKey::Missing) && key.name() == class
    };
    let mut index: HashMap<Vec<u32>, usize> = HashMap::new();
    let mut cells: Vec<Cell> = Vec::new();
    let mut moved = Vec::with_capacity(st.cells.len());
    for cell in &st.cells {
        let base = cell.codes[..k - 2].to_vec();
        let q = 2 * usize::from(is(k - 2, cell.codes[k - 2]))
            + usize::from(is(k - 1, cell.codes[k - 1]));
        let i = *index.entry(base.clone()).or_insert_with(|| {
            cells.push(Cell {
                codes: base,
                rows: [0; 4],
                weight: [0.0; 4],
            });
            cells.len() - 1
        });
        cells[i].rows[q] += cell.rows.iter().sum::<u64>();
        cells[i].weight[q] += cell.weight.iter().sum::<f64>();
        moved.push(i as u32);
    }
    Stats {
        keys: st.keys[..k - 2].to_vec(),
        cells,
        rows_read: st.rows_read,
        dropped: st.dropped.clone(),
        label_positive_seen: names(&st.keys[k - 2]).any(|n| n == class),
        pred_positive_seen: names(&st.keys[k - 1]).any(|n| n == class),
        scored: Default::default(),
        others_scored: Vec::new(),
        others_paired: Vec::new(),
        residuals: Vec::new(),
        score_missing: 0,
        score_resolution: None,
        row_metric_values: st
            .row_metric_values
            .iter()
            .map(|v| {
                v.iter()
                    .map(|&(c, x, w)| (moved[c as usize], x, w))
                    .collect()
            })
            .collect(),
        regression: Vec::new(),
    }
}

/// Multiclass accuracy Σ w [label = prediction] / Σ w over the rows used.
pub fn accuracy(st: &Stats) -> Value {
    let k = st.keys.len();
    let (mut right, mut total) = (0.0, 0.0);
    for cell in &st.cells {
        let w: f64 = cell.weight.iter().sum();
        total += w;
        if st.keys[k - 2][cell.codes[k - 2] as usize].name()
            == st.keys[k - 1][cell.codes[k - 1] as usize].name()
        {
            right += w;
        }
    }
    if total > 0.0 {
        Ok(right / total)
    } else {
        Err("no weight (0/0)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(codes: Vec<u32>, n: u64) -> Cell {
        Cell {
            codes,
            rows: [n, 0, 0, 0],
            weight: [n as f64, 0.0, 0.0, 0.0],
        }
    }

    #[test]
    fn folds_classes_into_quadrants() {
        let s = |x: &str| GroupKey::Str(x.into());
        // one attribute (a, b); label and prediction classes (x, y, z).
        let st = Stats::from_cells(
            vec![
                vec![s("a"), s("b")],
                vec![s("x"), s("y")],
                vec![s("y"), s("z")],
            ],
            vec![
                cell(vec![0, 0, 1], 3), // a: label x, pred z
                cell(vec![0, 1, 0], 2), // a: label y, pred y
                cell(vec![1, 0, 0], 5), // b: label x, pred y
            ],
        );
        let y = one_vs_rest(&st, "y");
        assert_eq!(y.cells.len(), 2);
        // a: 3 rows neither (tn), 2 rows label y & pred y (tp)
        assert_eq!(y.cells[0].rows, [3, 0, 0, 2]);
        // b: label x, pred y → fp
        assert_eq!(y.cells[1].rows, [0, 5, 0, 0]);
        let x = one_vs_rest(&st, "x");
        assert_eq!(x.cells[0].rows, [2, 0, 3, 0]);
        assert_eq!(x.cells[1].rows, [0, 0, 5, 0]);
        assert!(!x.pred_positive_seen);
        // accuracy: only the 2 (y, y) rows are right.
        assert_eq!(accuracy(&st), Ok(0.2));
    }
}
