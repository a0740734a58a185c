//! Threshold sweep: the binary metrics and disparities at several thresholds of the score,
//! from one pass. The scored rows are sorted by score, so the rows predicted positive at
//! threshold t (score >= t) are a suffix; one backward sweep gives every cell's confusion counts
//! at every threshold. Each threshold's counts then go through the same report code.

use anyhow::{bail, Result};

use super::audit;
use super::plan::Pass;
use super::settings::Settings;
use super::stats::Stats;
use crate::fairness::report::{FairnessReport, ThresholdReport};

/// The thresholds to sweep: every `--threshold` value when there are several, then the
/// `--threshold-sweep START:STOP:STEP` grid; empty when there is nothing to sweep.
pub fn thresholds(threshold: &[f64], threshold_sweep: Option<&str>) -> Result<Vec<f64>> {
    let mut out = if threshold.len() > 1 {
        threshold.to_vec()
    } else {
        Vec::new()
    };
    if let Some(spec) = threshold_sweep {
        let parts: Vec<f64> = spec
            .split(':')
            .map(|p| p.trim().parse::<f64>())
            .collect::<Result<_, _>>()
            .map_err(|_| {
                anyhow::anyhow!(
                    "--threshold-sweep '{spec}': expected START:STOP:STEP, e.g. 0:1:0.05"
                )
            })?;
        let [start, stop, step] = parts[..] else {
            bail!("--threshold-sweep '{spec}': expected START:STOP:STEP, e.g. 0:1:0.05");
        };
        if step.is_nan() || step <= 0.0 || !start.is_finite() || !stop.is_finite() || stop < start {
            bail!("--threshold-sweep '{spec}': needs START <= STOP and STEP > 0");
        }
        let count = ((stop - start) / step + 1e-9).floor();
        if count.is_nan() || count > 10_000.0 {
            bail!("--threshold-sweep '{spec}': more than 10000 thresholds; use a larger STEP");
        }
        let n = count as usize;
        // start + k·step, rounded to 12 decimals so 0.1 + 0.2 prints as 0.3.
        out.extend((0..=n).map(|k| ((start + k as f64 * step) * 1e12).round() / 1e12));
    }
    if out.iter().any(|t| !t.is_finite()) {
        bail!("--threshold values must be finite numbers");
    }
    Ok(out)
}

/// The statistics of `st` if the prediction were `score >= t`, for each t (from the scored rows).
pub fn at_thresholds(st: &Stats, ts: &[f64]) -> Vec<Stats> {
    let n_cells = st.cells.len();
    // Totals per cell: rows and weight of positives and negatives.
    let mut total = vec![[0u64, 0u64]; n_cells];
    let mut total_w = vec![[0.0f64, 0.0f64]; n_cells];
    for r in st.scored.iter() {
        total[r.cell as usize][r.y as usize] += 1;
        total_w[r.cell as usize][r.y as usize] += r.w;
    }
    // Thresholds in descending order; the suffix of rows with score >= t grows as t falls.
    let mut order: Vec<usize> = (0..ts.len()).collect();
    order.sort_by(|&a, &b| ts[b].total_cmp(&ts[a]));
    let mut above = vec![[0u64, 0u64]; n_cells];
    let mut above_w = vec![[0.0f64, 0.0f64]; n_cells];
    let mut from_top = st.scored.iter().rev().peekable();
    let mut out: Vec<Option<Stats>> = vec![None; ts.len()];
    for k in order {
        while let Some(r) = from_top.next_if(|r| r.score >= ts[k]) {
            above[r.cell as usize][r.y as usize] += 1;
            above_w[r.cell as usize][r.y as usize] += r.w;
        }
        let mut s = st.clone();
        s.scored = Default::default();
        s.row_metric_values = Vec::new();
        for (c, cell) in s.cells.iter_mut().enumerate() {
            // quadrant index 2·y + p: tn, fp, fn, tp
            cell.rows = [
                total[c][0] - above[c][0],
                above[c][0],
                total[c][1] - above[c][1],
                above[c][1],
            ];
            cell.weight = [
                total_w[c][0] - above_w[c][0],
                above_w[c][0],
                total_w[c][1] - above_w[c][1],
                above_w[c][1],
            ];
        }
        s.cells.retain(|c| c.rows.iter().sum::<u64>() > 0);
        out[k] = Some(s);
    }
    out.into_iter()
        .map(|s| s.expect("every threshold"))
        .collect()
}

/// Adds a report per threshold to `report.thresholds`.
pub fn attach(report: &mut FairnessReport, args: &Settings, passes: &[Pass], ts: &[f64]) {
    // Each file's thresholds in its score column's precision (float32 scores compare in f32).
    let per_pass: Vec<Vec<Stats>> = passes
        .iter()
        .map(|p| {
            let own: Vec<f64> = ts
                .iter()
                .map(|&t| super::plan::in_precision(t, p.score_type.as_ref()))
                .collect();
            at_thresholds(&p.stats, &own)
        })
        .collect();
    for (k, &t) in ts.iter().enumerate() {
        let fake: Vec<Pass> = passes
            .iter()
            .zip(&per_pass)
            .map(|(p, stats)| {
                let mut columns = p.columns.clone();
                columns.score = None;
                columns.row_metrics = Vec::new();
                columns.threshold = Some(t);
                Pass {
                    source: p.source.clone(),
                    task: p.task,
                    columns,
                    stats: stats[k].clone(),
                    warnings: Vec::new(),
                    score_type: p.score_type.clone(),
                }
            })
            .collect();
        let r = audit::build(args, &fake);
        report.thresholds.push(ThresholdReport {
            threshold: Some(t),
            top_k: None,
            top_fraction: None,
            decisions: Vec::new(),
            attributes: r.attributes,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fairness::scores::{sc, sort};
    use crate::fairness::stats::Cell;

    #[test]
    fn counts_at_thresholds() {
        let mut scored = vec![
            sc(0.9, 0, 1, 1.0),
            sc(0.4, 0, 0, 2.0),
            sc(0.6, 0, 0, 1.0),
            sc(0.2, 0, 1, 1.0),
        ];
        sort(&mut scored);
        let mut st = Stats::from_cells(
            vec![vec![]],
            vec![Cell {
                codes: vec![0],
                rows: [0; 4],
                weight: [0.0; 4],
            }],
        );
        st.rows_read = 4;
        st.scored = scored.into();
        let out = at_thresholds(&st, &[0.5, 0.0, 1.0]);
        // t = 0.5: tp 0.9; fp 0.6; tn 0.4 (w 2); fn 0.2
        assert_eq!(out[0].cells[0].rows, [1, 1, 1, 1]);
        assert_eq!(out[0].cells[0].weight, [2.0, 1.0, 1.0, 1.0]);
        // t = 0: everything positive; t = 1: nothing.
        assert_eq!(out[1].cells[0].rows, [0, 2, 0, 2]);
        assert_eq!(out[2].cells[0].rows, [2, 0, 2, 0]);
    }
}
