//! Metrics of the score distribution per group (`--distribution`): weighted mean score,
//! generalized true / false positive rates, each group's Kolmogorov–Smirnov statistic and
//! Wasserstein-1 distance against the rest of the attribute's rows, the same between every pair
//! of groups, and quantiles. Formulas, edge cases and references: docs/metrics.md, "Score
//! distributions".
//!
//! Everything is exact and comes from one ascending sweep over the scored records the pass
//! already keeps sorted by score ([`super::stats::Stats::scored`]), with a cumulative weight per
//! group: no row is copied per group.

use serde::Serialize;

use super::scores::{Scored, Weight};
use crate::stats::Value;

/// Whether a metric name (group, attribute or overall) is one of this module's.
pub fn is_distribution_metric(name: &str) -> bool {
    [
        "mean_score",
        "generalized_true_positive_rate",
        "generalized_false_positive_rate",
        "ks_statistic",
        "wasserstein_distance",
        "quantile_p",
    ]
    .iter()
    .any(|p| name.starts_with(p))
}

/// The attribute's `distribution` block in the JSON: the settings behind its numbers and every
/// pair's distances.
#[derive(Debug, Clone, Serialize)]
pub struct DistributionView {
    /// The column whose distribution is compared (the score).
    pub column: String,
    pub quantiles: Vec<f64>,
    pub quantile_method: String,
    /// With rounded scores (--score-resolution, --from-stats): the grid, and the largest error
    /// of `wasserstein_distance` (the grid step; means, generalized rates and quantiles: half
    /// of it). `ks_statistic` of rounded scores is never larger than the exact one.
    pub score_resolution: Option<f64>,
    /// Every pair of included groups, in report order (none past 50 groups).
    pub pairs: Vec<PairView>,
    /// The pairs attaining `ks_statistic_max` and `wasserstein_distance_max` (the first in
    /// report order on ties).
    pub ks_statistic_max_pair: Option<[String; 2]>,
    pub wasserstein_distance_max_pair: Option<[String; 2]>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairView {
    pub group_a: String,
    pub group_b: String,
    pub ks_statistic: Option<f64>,
    pub wasserstein_distance: Option<f64>,
}

/// One attribute's distribution metrics: each group's, the attribute's maxima and the view.
pub struct AttributeDistribution {
    pub groups: Vec<GroupDistribution>,
    pub ks_max: Value,
    pub w1_max: Value,
    pub view: DistributionView,
}

/// Everything of one attribute: `cell_group` maps a record's cell to its group (report order),
/// `names` are the groups' names, `included` the groups taking part in the pairwise maxima.
#[allow(clippy::too_many_arguments)]
pub fn attribute<W: Weight>(
    rows: &[Scored<W>],
    cell_group: &[usize],
    names: &[String],
    included: &[usize],
    quantiles: &[f64],
    method: QuantileMethod,
    labelled: bool,
    column: &str,
    resolution: Option<f64>,
) -> AttributeDistribution {
    let pairs_of: &[usize] = if included.len() <= MAX_PAIR_GROUPS {
        included
    } else {
        &[]
    };
    let (groups, pairs) = by_group(
        rows,
        names.len(),
        |c| cell_group[c as usize],
        quantiles,
        method,
        labelled,
        pairs_of,
    );
    let too_many = crate::stats::reason(format!(
        "more than {MAX_PAIR_GROUPS} groups: pairwise distances are not computed"
    ));
    let max_of = |get: &dyn Fn(&PairDistance) -> Value| -> (Value, Option<[String; 2]>) {
        if included.len() > MAX_PAIR_GROUPS {
            return (Err(too_many), None);
        }
        let mut best: Option<(f64, &PairDistance)> = None;
        for p in &pairs {
            if let Ok(v) = get(p) {
                if best.is_none_or(|(b, _)| v > b) {
                    best = Some((v, p));
                }
            }
        }
        match best {
            Some((v, p)) => (Ok(v), Some([names[p.a].clone(), names[p.b].clone()])),
            None => (
                Err("fewer than two groups with scored rows: no pair to compare"),
                None,
            ),
        }
    };
    let (ks_max, ks_pair) = max_of(&|p| p.ks);
    let (w1_max, w1_pair) = max_of(&|p| p.w1);
    let view = DistributionView {
        column: column.to_string(),
        quantiles: quantiles.to_vec(),
        quantile_method: method.name().to_string(),
        score_resolution: resolution,
        pairs: pairs
            .iter()
            .map(|p| PairView {
                group_a: names[p.a].clone(),
                group_b: names[p.b].clone(),
                ks_statistic: p.ks.ok(),
                wasserstein_distance: p.w1.ok(),
            })
            .collect(),
        ks_statistic_max_pair: ks_pair,
        wasserstein_distance_max_pair: w1_pair,
    };
    AttributeDistribution {
        groups,
        ks_max,
        w1_max,
        view,
    }
}

/// The default `--quantiles`.
pub const DEFAULT_QUANTILES: [f64; 5] = [0.1, 0.25, 0.5, 0.75, 0.9];

/// Pairwise KS / W1 are computed for at most this many groups (an intersection with more gets
/// every group's value against the rest, and the pairwise maxima are undefined).
pub const MAX_PAIR_GROUPS: usize = 50;

pub const NO_SCORED: &str = "no scored rows with positive weight in the group";
const NO_POS: &str = "no positive labels among the group's scored rows";
const NO_NEG: &str = "no negative labels among the group's scored rows";
const NO_REST: &str = "no scored rows with positive weight outside the group";

/// The distribution metrics of one group (or of all rows, for `overall`).
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDistribution {
    pub mean: Value,
    /// Σ w·score over label 1 / Σ w over label 1 (None: the audit has no label).
    pub generalized_tpr: Option<Value>,
    /// Σ w·score over label 0 / Σ w over label 0.
    pub generalized_fpr: Option<Value>,
    /// Against the rest of the attribute's rows (undefined for `overall`).
    pub ks_vs_rest: Value,
    pub w1_vs_rest: Value,
    /// One per asked quantile, in the order asked.
    pub quantiles: Vec<Value>,
}

/// KS statistic and W1 distance of every pair (a, b), a < b, of the groups given.
#[derive(Debug, Clone, PartialEq)]
pub struct PairDistance {
    pub a: usize,
    pub b: usize,
    pub ks: Value,
    pub w1: Value,
}

/// How quantiles are taken: numpy's default (`linear`, order statistics of the rows) without
/// weights; with weights, the inverse of the weighted ECDF (numpy's `inverted_cdf` with
/// `weights`): the smallest score whose cumulative weight share reaches q.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QuantileMethod {
    Linear,
    InvertedCdf,
}

impl QuantileMethod {
    pub fn name(self) -> &'static str {
        match self {
            QuantileMethod::Linear => "linear",
            QuantileMethod::InvertedCdf => "inverted_cdf (weighted)",
        }
    }
}

/// The JSON / gate name of quantile `q`: `quantile_p10` for 0.1, `quantile_p12_5` for 0.125.
pub fn quantile_name(q: f64) -> String {
    let p = format!("{}", (q * 100.0 * 1e9).round() / 1e9);
    format!("quantile_p{}", p.replace('.', "_"))
}

/// Distribution metrics of `n_groups` groups; `rows` sorted by score ([`super::scores::sort`]);
/// `pairs` lists the groups whose pairwise distances are wanted (report order). Returns each
/// group's metrics and the pairs' distances.
pub fn by_group<W: Weight>(
    rows: &[Scored<W>],
    n_groups: usize,
    group_of: impl Fn(u32) -> usize,
    quantiles: &[f64],
    method: QuantileMethod,
    labelled: bool,
    pairs: &[usize],
) -> (Vec<GroupDistribution>, Vec<PairDistance>) {
    // Totals per group: weight, weighted score sum, and the same per label.
    let mut w = vec![0.0f64; n_groups];
    let mut sw = vec![0.0f64; n_groups];
    let mut wy = [vec![0.0f64; n_groups], vec![0.0f64; n_groups]];
    let mut swy = [vec![0.0f64; n_groups], vec![0.0f64; n_groups]];
    for r in rows.iter().filter(|r| r.weight() > 0.0) {
        let g = group_of(r.cell);
        w[g] += r.weight();
        sw[g] += r.weight() * r.score;
        let y = usize::from(r.y == 1);
        wy[y][g] += r.weight();
        swy[y][g] += r.weight() * r.score;
    }
    let total: f64 = w.iter().sum();
    // Sweep the distinct scores upwards: after each tie block at x_k the ECDFs F(x_k), and the
    // areas between ECDFs over [x_k, x_{k+1}).
    //
    // A group against the rest of the rows: with W the total weight and F the ECDF of all rows,
    // F_g − F_rest = W / (W − W_g) · (F_g − F), so KS and W1 against the rest are that factor
    // times KS and W1 against all rows. Between two blocks where group g has rows, F_g is a
    // constant c while F rises: |c − F| is largest at an end of the run, and ∫|c − F| splits
    // where F crosses c (a binary search) into two prefix sums. Each group costs its own
    // blocks (plus a logarithm), not every block: O(rows + groups · log) instead of
    // O(rows · groups) (1,000 groups over 1M distinct scores took a minute).
    let mut cum = vec![0.0f64; n_groups];
    let mut cum_total = 0.0f64;
    let mut ks = vec![0.0f64; n_groups];
    let mut w1 = vec![0.0f64; n_groups];
    let np = pairs.len();
    let mut pks = vec![0.0f64; np * np];
    let mut pw1 = vec![0.0f64; np * np];
    let mut qs = Quantiles::new(&w, quantiles, method);
    let blocks: Vec<&[Scored<W>]> = rows.chunk_by(|a, b| a.score == b.score).collect();
    let nb = blocks.len();
    // F after each block, each block's width to the next score, and the prefix sums of
    // width and of F · width (∫F) before each block.
    let mut f_all = Vec::with_capacity(nb);
    let mut prefix_x = Vec::with_capacity(nb + 1);
    let mut prefix_fx = Vec::with_capacity(nb + 1);
    prefix_x.push(0.0f64);
    prefix_fx.push(0.0f64);
    // Per group: the block after which its ECDF last changed (its run starts there) and the
    // ECDF's value since; `seen` marks the groups already closed in the current block.
    let mut run_start = vec![0usize; n_groups];
    let mut run_value = vec![0.0f64; n_groups];
    let mut seen = vec![usize::MAX; n_groups];
    let mut touched: Vec<usize> = Vec::new();
    let close_run = |g: usize,
                     end: usize,
                     start: usize,
                     c: f64,
                     f_all: &[f64],
                     px: &[f64],
                     pfx: &[f64],
                     ks: &mut [f64],
                     w1: &mut [f64]| {
        if end <= start {
            return;
        }
        ks[g] = ks[g]
            .max((c - f_all[start]).abs())
            .max((c - f_all[end - 1]).abs());
        // The first block of the run with F ≥ c (F is non-decreasing).
        let m = start + f_all[start..end].partition_point(|&x| x < c);
        let below = c * (px[m] - px[start]) - (pfx[m] - pfx[start]);
        let above = (pfx[end] - pfx[m]) - c * (px[end] - px[m]);
        w1[g] += below + above;
    };
    let (mut vs_ks, mut vs_w1) = (vec![0.0f64; n_groups], vec![0.0f64; n_groups]);
    for (k, block) in blocks.iter().enumerate() {
        touched.clear();
        for r in block.iter().filter(|r| r.weight() > 0.0) {
            let g = group_of(r.cell);
            cum[g] += r.weight();
            cum_total += r.weight();
            qs.add(g, cum[g], r.score);
            if seen[g] != k {
                seen[g] = k;
                touched.push(g);
            }
        }
        let width = blocks
            .get(k + 1)
            .map_or(0.0, |next| next[0].score - block[0].score);
        f_all.push(if total > 0.0 { cum_total / total } else { 0.0 });
        prefix_x.push(prefix_x[k] + width);
        prefix_fx.push(prefix_fx[k] + f_all[k] * width);
        // The groups with rows here: close their run before this block, start one here.
        for &g in &touched {
            close_run(
                g,
                k,
                run_start[g],
                run_value[g],
                &f_all,
                &prefix_x,
                &prefix_fx,
                &mut vs_ks,
                &mut vs_w1,
            );
            run_start[g] = k;
            run_value[g] = cum[g] / w[g];
        }
        let f = |g: usize| cum[g] / w[g];
        for (i, &a) in pairs.iter().enumerate() {
            for (j, &b) in pairs.iter().enumerate().skip(i + 1) {
                if w[a] > 0.0 && w[b] > 0.0 {
                    let d = (f(a) - f(b)).abs();
                    pks[i * np + j] = pks[i * np + j].max(d);
                    pw1[i * np + j] += d * width;
                }
            }
        }
    }
    for g in 0..n_groups {
        close_run(
            g,
            nb,
            run_start[g],
            run_value[g],
            &f_all,
            &prefix_x,
            &prefix_fx,
            &mut vs_ks,
            &mut vs_w1,
        );
        let rest_w = total - w[g];
        if w[g] > 0.0 && rest_w > 0.0 {
            ks[g] = total / rest_w * vs_ks[g];
            w1[g] = total / rest_w * vs_w1[g];
        }
    }
    let quantile_values = qs.finish();
    let groups = (0..n_groups)
        .map(|g| {
            let defined = |v: f64| if w[g] > 0.0 { Ok(v) } else { Err(NO_SCORED) };
            let vs_rest = |v: f64| {
                if w[g] <= 0.0 {
                    Err(NO_SCORED)
                } else if total - w[g] <= 0.0 {
                    Err(NO_REST)
                } else {
                    Ok(v)
                }
            };
            let rate = |y: usize, why: &'static str| {
                labelled.then(|| {
                    if w[g] <= 0.0 {
                        Err(NO_SCORED)
                    } else if wy[y][g] > 0.0 {
                        Ok(swy[y][g] / wy[y][g])
                    } else {
                        Err(why)
                    }
                })
            };
            GroupDistribution {
                mean: defined(sw[g] / w[g]),
                generalized_tpr: rate(1, NO_POS),
                generalized_fpr: rate(0, NO_NEG),
                ks_vs_rest: vs_rest(ks[g]),
                w1_vs_rest: vs_rest(w1[g]),
                quantiles: quantile_values[g].clone(),
            }
        })
        .collect();
    let mut out_pairs = Vec::new();
    for (i, &a) in pairs.iter().enumerate() {
        for (j, &b) in pairs.iter().enumerate().skip(i + 1) {
            let both = |v: f64| {
                if w[a] > 0.0 && w[b] > 0.0 {
                    Ok(v)
                } else {
                    Err(NO_SCORED)
                }
            };
            out_pairs.push(PairDistance {
                a,
                b,
                ks: both(pks[i * np + j]),
                w1: both(pw1[i * np + j]),
            });
        }
    }
    (groups, out_pairs)
}

/// Each group's quantiles, found during the ascending sweep.
struct Quantiles {
    method: QuantileMethod,
    qs: Vec<f64>,
    /// Per group, per quantile: the cumulative weights at which the value is read (linear: the
    /// 0-based order statistics ⌊h⌋ and ⌊h⌋ + 1, read once the count exceeds them; inverted CDF:
    /// the share q of the group's weight) and the values read.
    targets: Vec<Vec<(f64, f64, f64)>>,
    lo: Vec<Vec<Option<f64>>>,
    hi: Vec<Vec<Option<f64>>>,
    /// Per group, its total weight.
    total: Vec<f64>,
}

impl Quantiles {
    fn new(w: &[f64], qs: &[f64], method: QuantileMethod) -> Quantiles {
        let targets = w
            .iter()
            .map(|&n| {
                qs.iter()
                    .map(|&q| match method {
                        QuantileMethod::Linear => {
                            let h = (n - 1.0) * q;
                            let k = h.floor();
                            (k, (k + 1.0).min(n - 1.0), h - k)
                        }
                        QuantileMethod::InvertedCdf => (q, q, 0.0),
                    })
                    .collect()
            })
            .collect();
        Quantiles {
            method,
            qs: qs.to_vec(),
            targets,
            lo: vec![vec![None; qs.len()]; w.len()],
            hi: vec![vec![None; qs.len()]; w.len()],
            total: w.to_vec(),
        }
    }

    /// A record of group `g` at `score` has brought the group's cumulative weight to `cum`.
    fn add(&mut self, g: usize, cum: f64, score: f64) {
        let reached = |t: f64| match self.method {
            // The 0-based order statistic t is the first record whose count exceeds t.
            QuantileMethod::Linear => cum > t,
            QuantileMethod::InvertedCdf => cum / self.total[g] >= t,
        };
        for (k, &(a, b, _)) in self.targets[g].iter().enumerate() {
            if self.lo[g][k].is_none() && reached(a) {
                self.lo[g][k] = Some(score);
            }
            if self.hi[g][k].is_none() && reached(b) {
                self.hi[g][k] = Some(score);
            }
        }
    }

    fn finish(self) -> Vec<Vec<Value>> {
        (0..self.total.len())
            .map(|g| {
                (0..self.qs.len())
                    .map(|k| {
                        if self.total[g] <= 0.0 {
                            return Err(NO_SCORED);
                        }
                        // Rounding of the cumulative weight could leave a target of q = 1
                        // unmet (weights summing to slightly less than their total).
                        match (self.lo[g][k], self.hi[g][k]) {
                            (Some(lo), Some(hi)) => {
                                let frac = self.targets[g][k].2;
                                Ok(if frac == 0.0 {
                                    lo
                                } else {
                                    lo + frac * (hi - lo)
                                })
                            }
                            _ => Err("the quantile's rank was not reached (weights too small)"),
                        }
                    })
                    .collect()
            })
            .collect()
    }
}

/// The text / Markdown section of one attribute: a table of every group's distribution metrics
/// (`groups`: the group's label as the tables show it and its metrics), the pairwise maxima, and
/// the differential fairness line. Empty when neither --distribution nor --edf ran.
pub fn text(
    title: &str,
    view: Option<&DistributionView>,
    edf: Option<&super::edf::EdfView>,
    groups: &[(String, &serde_json::Map<String, serde_json::Value>)],
    disparities: &serde_json::Map<String, serde_json::Value>,
    markdown: bool,
) -> String {
    use crate::render::{fmt_num, grid, note_lines};
    use std::fmt::Write as _;
    let mut out = String::new();
    let head = |out: &mut String, t: String| {
        let _ = writeln!(out, "{}", if markdown { format!("### {t}\n") } else { t });
    };
    let num = |m: &serde_json::Map<String, serde_json::Value>, k: &str| {
        fmt_num(m.get(k).and_then(serde_json::Value::as_f64))
    };
    if let Some(v) = view {
        head(
            &mut out,
            format!("{title}: distribution of `{}` by group", v.column),
        );
        let mut cols: Vec<(String, String)> = vec![
            ("mean_score".into(), "mean".into()),
            ("generalized_true_positive_rate".into(), "gtpr".into()),
            ("generalized_false_positive_rate".into(), "gfpr".into()),
            ("ks_statistic".into(), "ks".into()),
            ("wasserstein_distance".into(), "w1".into()),
        ];
        cols.retain(|(k, _)| groups.iter().any(|(_, m)| m.contains_key(k)));
        for q in &v.quantiles {
            let name = quantile_name(*q);
            let short = name.trim_start_matches("quantile_").to_string();
            cols.push((name, short));
        }
        let mut header = vec!["group".to_string()];
        header.extend(cols.iter().map(|(_, s)| s.clone()));
        let rows: Vec<Vec<String>> = groups
            .iter()
            .map(|(label, m)| {
                let mut row = vec![label.clone()];
                row.extend(cols.iter().map(|(k, _)| num(m, k)));
                row
            })
            .collect();
        out.push_str(&grid(&header, &rows, markdown, &[], 0));
        let pair = |p: &Option<[String; 2]>| {
            p.as_ref()
                .map(|[a, b]| format!(" ({a} vs {b})"))
                .unwrap_or_default()
        };
        let mut notes = vec![
            "gtpr / gfpr = mean score of the positives / negatives".to_string(),
            "ks, w1 = Kolmogorov–Smirnov statistic, Wasserstein-1 distance to the rest of the rows"
                .into(),
            format!("pNN = quantile ({})", v.quantile_method),
            format!(
                "largest between two groups: ks {}{}, w1 {}{}",
                num(disparities, "ks_statistic_max"),
                pair(&v.ks_statistic_max_pair),
                num(disparities, "wasserstein_distance_max"),
                pair(&v.wasserstein_distance_max_pair)
            ),
        ];
        if let Some(r) = v.score_resolution {
            notes.push(format!(
                "scores rounded to {r}: w1 within {r}, means and quantiles within {}, ks at most the exact",
                r / 2.0
            ));
        }
        out.push_str(&note_lines(&notes, markdown));
        out.push('\n');
    }
    if let Some(e) = edf {
        let line = match (&e.group_a, &e.group_b, &e.outcome) {
            (Some(a), Some(b), Some(y)) => format!(
                "{title}: empirical differential fairness ε = {} ({a} vs {b}, outcome {y}; concentration {})",
                fmt_num(e.empirical_differential_fairness),
                e.concentration
            ),
            _ => format!(
                "{title}: empirical differential fairness — ({})",
                e.undefined.as_deref().unwrap_or("undefined")
            ),
        };
        let _ = writeln!(
            out,
            "{}\n",
            if markdown {
                crate::render::markdown_text(&line)
            } else {
                line
            }
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(score: f64, cell: u32, y: u8) -> Scored {
        super::super::scores::sc(score, cell, y, 1.0)
    }

    #[test]
    fn ks_and_w1_of_two_small_groups() {
        // Group 0: 0.1, 0.4; group 1: 0.2, 0.3, 0.9.
        // ECDF steps: at 0.1 F0=.5 F1=0; 0.2 .5/.333; 0.3 .5/.667; 0.4 1/.667; 0.9 1/1.
        // KS = max(.5, .1667, .1667, .3333) = 0.5.
        // W1 = .5·.1 + .1667·.1 + .1667·.1 + .3333·.5 = 0.25.
        let mut rows = vec![
            rec(0.1, 0, 0),
            rec(0.4, 0, 1),
            rec(0.2, 1, 0),
            rec(0.3, 1, 1),
            rec(0.9, 1, 1),
        ];
        super::super::scores::sort(&mut rows);
        let (g, p) = by_group(
            &rows,
            2,
            |c| c as usize,
            &[0.5],
            QuantileMethod::Linear,
            true,
            &[0, 1],
        );
        assert!((g[0].ks_vs_rest.unwrap() - 0.5).abs() < 1e-12);
        assert!((g[0].w1_vs_rest.unwrap() - 0.25).abs() < 1e-12);
        assert!((p[0].ks.unwrap() - 0.5).abs() < 1e-12);
        assert!((p[0].w1.unwrap() - 0.25).abs() < 1e-12);
        // Medians: (0.1 + 0.4) / 2 and 0.3; gTPR of group 1: (0.3 + 0.9) / 2.
        assert!((g[0].quantiles[0].unwrap() - 0.25).abs() < 1e-12);
        assert!((g[1].quantiles[0].unwrap() - 0.3).abs() < 1e-12);
        assert!((g[1].generalized_tpr.unwrap().unwrap() - 0.6).abs() < 1e-12);
        assert_eq!(g[1].generalized_fpr, Some(Ok(0.2)));
    }

    #[test]
    fn quantile_names() {
        assert_eq!(quantile_name(0.1), "quantile_p10");
        assert_eq!(quantile_name(0.125), "quantile_p12_5");
        assert_eq!(quantile_name(0.5), "quantile_p50");
    }
}
