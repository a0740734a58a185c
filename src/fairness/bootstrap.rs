//! Percentile bootstrap intervals for every count-based metric and disparity, stratified by cell.
//!
//! Resampling the n rows of a cell with replacement only changes how many of them fall in each
//! confusion quadrant: the replicate's counts are one multinomial draw (n; rows_q / n). So a
//! replicate costs a draw per cell and a recomputation of the report's numbers, never a pass over
//! rows. Replicate r uses its own ChaCha8 stream (seed, r), so results do not depend on the number
//! of threads. Score metrics (AUC, Brier, log loss, ECE, xAUC) and --row-metric means need the
//! rows themselves: their rows are resampled within each cell (a multiplicity per kept row, the
//! score order kept, so no re-sort), which costs O(rows) per replicate. Formulas and limits:
//! docs/metrics.md, "Bootstrap".

use std::collections::BTreeMap;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution};
use serde_json::{Map, Value as Json};

use super::audit;
use super::plan::Pass;
use super::report::FairnessReport;
use super::scores::{Scored, ScoredRows};
use super::settings::Settings;
use super::stats::Stats;
use crate::stats::bootstrap;

/// Per cell, the positions of its kept rows: of the scored rows, and of each row metric's values.
pub struct RowPlan {
    scored: Vec<Vec<u32>>,
    row_metrics: Vec<Vec<Vec<u32>>>,
}

impl RowPlan {
    pub fn new(st: &Stats) -> RowPlan {
        let by_cell = |cells: &mut dyn Iterator<Item = u32>| {
            let mut out: Vec<Vec<u32>> = vec![Vec::new(); st.cells.len()];
            for (i, c) in cells.enumerate() {
                out[c as usize].push(i as u32);
            }
            out
        };
        RowPlan {
            scored: by_cell(&mut st.scored.iter().map(|r| r.cell)),
            row_metrics: st
                .row_metric_values
                .iter()
                .map(|v| by_cell(&mut v.iter().map(|r| r.0)))
                .collect(),
        }
    }
}

/// How many times each row is drawn when each cell's rows are resampled with replacement.
pub fn multiplicities(per_cell: &[Vec<u32>], total: usize, rng: &mut ChaCha8Rng) -> Vec<u32> {
    let mut k = vec![0u32; total];
    for rows in per_cell {
        for _ in 0..rows.len() {
            k[rows[rng.random_range(0..rows.len())] as usize] += 1;
        }
    }
    k
}

/// Draws one replicate of the statistics: per cell, a multinomial split of its rows over the
/// four quadrants; each quadrant's weight scales with its row count (its mean weight is kept).
/// With `rows`, the scored rows and the row-metric values are resampled within each cell too
/// (a row drawn k times keeps k times its weight).
pub fn resample(st: &Stats, rng: &mut ChaCha8Rng, rows: Option<&RowPlan>) -> Stats {
    // The per-row vectors are not copied: they are redrawn below, or not used by a replicate.
    let mut out = Stats {
        keys: st.keys.clone(),
        cells: st.cells.clone(),
        rows_read: st.rows_read,
        dropped: st.dropped.clone(),
        label_positive_seen: st.label_positive_seen,
        pred_positive_seen: st.pred_positive_seen,
        scored: ScoredRows::default(),
        score_missing: st.score_missing,
        score_resolution: st.score_resolution,
        row_metric_values: Vec::new(),
        regression: st.regression.clone(),
        residuals: Vec::new(),
        others_scored: Vec::new(),
        others_paired: Vec::new(),
    };
    if let Some(plan) = rows {
        // Weighted records whatever the input's shape: a row drawn k times weighs k.
        let k = multiplicities(&plan.scored, st.scored.len(), rng);
        let drawn: Vec<Scored> = st
            .scored
            .iter()
            .zip(&k)
            .filter(|(_, &k)| k > 0)
            .map(|(mut r, &k)| {
                r.w *= k as f64;
                r
            })
            .collect();
        out.scored = drawn.into();
        for (vals, per_cell) in st.row_metric_values.iter().zip(&plan.row_metrics) {
            let k = multiplicities(per_cell, vals.len(), rng);
            out.row_metric_values.push(
                vals.iter()
                    .zip(&k)
                    .filter(|(_, &k)| k > 0)
                    .map(|(&(c, v, w), &k)| (c, v, w * k as f64))
                    .collect(),
            );
        }
    }
    for cell in &mut out.cells {
        let drawn = multinomial(&cell.rows, rng);
        for ((w, &rows), &d) in cell.weight.iter_mut().zip(&cell.rows).zip(&drawn) {
            let mean_w = if rows > 0 { *w / rows as f64 } else { 0.0 };
            *w = mean_w * d as f64;
        }
        cell.rows = drawn.try_into().expect("4 quadrants");
    }
    out
}

/// n = Σ counts rows drawn with replacement: how many fall on each count (a multinomial draw
/// with probabilities counts / n, made as successive binomials; the last count takes the rest).
pub fn multinomial(counts: &[u64], rng: &mut ChaCha8Rng) -> Vec<u64> {
    let n: u64 = counts.iter().sum();
    let last = counts.len() - 1;
    let mut left = n;
    let mut mass: f64 = 1.0;
    let mut drawn = vec![0u64; counts.len()];
    for (q, d) in drawn.iter_mut().enumerate() {
        let p = counts[q] as f64 / n as f64;
        *d = if q == last || left == 0 {
            left
        } else if p <= 0.0 {
            0
        } else {
            let share = (p / mass).clamp(0.0, 1.0);
            Binomial::new(left, share)
                .expect("valid binomial")
                .sample(rng)
        };
        left -= *d;
        mass -= p;
    }
    drawn
}

/// Every number of a report that the bootstrap covers, keyed by its place:
/// `attribute\u{1f}group\u{1f}metric` for groups, `attribute\u{1f}\u{1f}key` for disparities.
pub fn numbers(r: &FairnessReport) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    for a in &r.attributes {
        for g in &a.groups {
            for (k, v) in &g.metrics {
                if let Some(x) = v.as_f64() {
                    out.push((
                        format!("{}\u{1f}{}\u{1f}{}\u{1f}{k}", a.file, a.name, g.group),
                        x,
                    ));
                }
            }
        }
        for (k, v) in &a.disparities {
            if let Some(x) = v.as_f64() {
                out.push((format!("{}\u{1f}{}\u{1f}\u{1f}{k}", a.file, a.name), x));
            }
        }
    }
    out
}

/// Percentile intervals at `level` from `reps` replicates; attaches them to `report` as each
/// group's `bootstrap` and each attribute's `disparities_bootstrap` (`[lower, upper]`).
pub fn attach(
    report: &mut FairnessReport,
    args: &Settings,
    passes: &[Pass],
    reps: usize,
    seed: u64,
) {
    let plans: Vec<RowPlan> = passes.iter().map(|p| RowPlan::new(&p.stats)).collect();
    // Replicates draw no charts (no ROC curves to trace).
    let args = &Settings {
        output: crate::render::Output {
            format: crate::render::ReportFormat::Json,
            plot: None,
            ..args.output.clone()
        },
        ..args.clone()
    };
    let replicate_numbers = bootstrap::replicates(reps, seed, |_, rng| {
        let fake: Vec<Pass> = passes
            .iter()
            .zip(&plans)
            .map(|(p, plan)| Pass {
                source: p.source.clone(),
                task: p.task,
                columns: p.columns.clone(),
                stats: resample(&p.stats, rng, Some(plan)),
                warnings: Vec::new(),
                score_type: p.score_type.clone(),
            })
            .collect();
        numbers(&audit::build(args, &fake))
    });
    let mut samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for rep in replicate_numbers {
        for (k, v) in rep {
            samples.entry(k).or_default().push(v);
        }
    }
    let interval = |v: &mut Vec<f64>| -> Json {
        let (lo, hi) = bootstrap::percentile_interval(v, args.ci);
        Json::Array(vec![num(lo), num(hi)])
    };
    for a in &mut report.attributes {
        for g in &mut a.groups {
            let mut m = Map::new();
            // A value undefined in the audit (the most-selected group's tests against itself)
            // gets no interval, even where a replicate defines it.
            for (k, v) in &g.metrics {
                if v.is_null() {
                    continue;
                }
                let key = format!("{}\u{1f}{}\u{1f}{}\u{1f}{k}", a.file, a.name, g.group);
                if let Some(v) = samples.get_mut(&key) {
                    m.insert(k.clone(), interval(v));
                }
            }
            g.bootstrap = m;
        }
        let mut m = Map::new();
        for k in a.disparities.keys() {
            let key = format!("{}\u{1f}{}\u{1f}\u{1f}{k}", a.file, a.name);
            if let Some(v) = samples.get_mut(&key) {
                m.insert(k.clone(), interval(v));
            }
        }
        a.disparities_bootstrap = m;
    }
}

fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fairness::stats::Cell;
    use rand::SeedableRng;

    #[test]
    fn resampling_keeps_cell_sizes_and_is_seeded() {
        let st = Stats::from_cells(
            vec![vec![]],
            vec![Cell {
                codes: vec![0],
                rows: [10, 0, 30, 60],
                weight: [20.0, 0.0, 30.0, 60.0],
            }],
        );
        let mut a = ChaCha8Rng::seed_from_u64(7);
        let mut b = ChaCha8Rng::seed_from_u64(7);
        let (x, y) = (resample(&st, &mut a, None), resample(&st, &mut b, None));
        assert_eq!(x.cells[0].rows, y.cells[0].rows);
        assert_eq!(x.cells[0].rows.iter().sum::<u64>(), 100);
        assert_eq!(x.cells[0].rows[1], 0, "an empty quadrant stays empty");
        // Mean weights are kept: quadrant 0 has weight 2 per row.
        assert_eq!(x.cells[0].weight[0], 2.0 * x.cells[0].rows[0] as f64);
    }
}
