//! Statistics → the report model: per-group metrics by marginalising the cells, disparities over
//! the included groups, warnings.

use rayon::prelude::*;
use serde_json::{Map, Value as Json};

use super::adverse_impact::{self, AdverseImpact, Selections};
use super::distribution::{self, DistributionView, GroupDistribution, QuantileMethod};
use super::edf::{self, EdfView};
use super::inequality;
use super::metrics::{per_group_size, Confusion, Rate, CRITERIA, PER_GROUP_SIZE, RATES};
use super::plan::Pass;
use super::regression::{RegSums, REGRESSION_METRICS};
use super::scores::{self, with_scored, Bin, Binning, ScoreMetrics};
use super::settings::{Agg, Settings};
use super::stats::{Cell, GroupKey, Stats};
use crate::fairness::report::{
    AttributeReport, Counts, FairnessReport, GroupReport, InputReport, Overall, ReportedSettings,
    RowCounts,
};
use crate::fairness::report::{Conditional, Stratum, XaucPair};
use crate::render::{Dropped, Warning};
use crate::stats::disparity::{combine, disparity, equity_scaled, Disparity};
use crate::stats::intervals;
use crate::stats::Value;

/// xAUC is computed for every ordered pair of groups up to this many groups.
pub const MAX_XAUC_GROUPS: usize = 50;

/// Bins of the residual histograms.
const RESIDUAL_BINS: usize = 30;

/// Residual bins for the charts: 30 equal-width bins from the 0.5th to the 99.5th percentile of
/// every used row's residual (the end bins also count the rows beyond them), and each cell's
/// weighted counts. `None` without residuals.
fn residual_bins(residuals: &[(u32, f64, f64)]) -> Option<(Vec<f64>, Vec<Vec<f64>>)> {
    if residuals.is_empty() {
        return None;
    }
    let mut v: Vec<f64> = residuals.iter().map(|r| r.1).collect();
    let n = v.len();
    let at = |v: &mut Vec<f64>, q: f64| {
        let k = ((n - 1) as f64 * q).round() as usize;
        *v.select_nth_unstable_by(k, f64::total_cmp).1
    };
    let (mut lo, mut hi) = (at(&mut v, 0.005), at(&mut v, 0.995));
    if hi - lo < 1e-12 {
        let w = lo.abs().max(1.0) * 0.5;
        lo -= w;
        hi += w;
    }
    let width = (hi - lo) / RESIDUAL_BINS as f64;
    let edges: Vec<f64> = (0..=RESIDUAL_BINS).map(|k| lo + width * k as f64).collect();
    let cells = residuals
        .iter()
        .map(|r| r.0 as usize + 1)
        .max()
        .unwrap_or(0);
    let mut per_cell = vec![vec![0.0; RESIDUAL_BINS]; cells];
    for &(c, e, w) in residuals {
        let b = (((e - lo) / width).floor().max(0.0) as usize).min(RESIDUAL_BINS - 1);
        per_cell[c as usize][b] += w;
    }
    Some((edges, per_cell))
}

/// Each group's residual histogram (edges, weighted counts), summed over its cells.
fn residual_histograms(
    st: &Stats,
    attrs: &[usize],
    groups: &[Group],
    edges: &[f64],
    per_cell: &[Vec<f64>],
) -> Vec<(Vec<f64>, Vec<f64>)> {
    let index: std::collections::HashMap<String, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (g.name.clone(), i))
        .collect();
    let mut out = vec![(edges.to_vec(), vec![0.0; RESIDUAL_BINS]); groups.len()];
    for (c, cell) in st.cells.iter().enumerate() {
        let name = attrs
            .iter()
            .map(|&a| st.keys[a][cell.codes[a] as usize].name())
            .collect::<Vec<_>>()
            .join("&");
        if let (Some(&g), Some(h)) = (index.get(&name), per_cell.get(c)) {
            for (x, y) in out[g].1.iter_mut().zip(h) {
                *x += y;
            }
        }
    }
    out
}

/// How far (in FPR + TPR) a group's ROC curve moves between the points kept for the charts.
const ROC_STEP: f64 = 0.005;

/// The four-fifths rule's threshold on the disparate-impact ratio.
pub const FOUR_FIFTHS: f64 = 0.8;

/// One group of one attribute, before it becomes a [`GroupReport`].
struct Group {
    /// The group's name: its value, or an intersection's values joined with `&`.
    name: String,
    /// The group's code per attribute of the unit (its cells' codes).
    key: Vec<u32>,
    values: Vec<(String, String)>,
    rows: u64,
    /// Rows per quadrant (index 2·y + p), for the intervals.
    quadrants: [u64; 4],
    c: Confusion,
    /// With a score column: ROC AUC, Brier score, log loss, ECE, and the reliability table.
    scores: Option<ScoreMetrics>,
    reliability: Vec<Bin>,
    /// xAUC of this group's positives against each group's negatives (report order).
    xauc: Vec<Option<f64>>,
    /// With charts asked for (--format html, --plot): the group's ROC curve.
    roc: Vec<(f64, f64)>,
    /// Weighted mean of each --row-metric column over the group's rows with a value.
    row_means: Vec<Value>,
    /// Regression: the group's sums.
    reg: RegSums,
    /// A value of the group is missing (the `(missing)` group of `--missing group`): an unknown
    /// category, left out of the comparisons with `--exclude-unknown` / `--preset ll144`.
    missing: bool,
}

impl Group {
    /// The group's decisions: rows and weight, all and selected.
    fn selections(&self) -> Selections {
        Selections {
            n: self.rows,
            selected: self.quadrants[1] + self.quadrants[3],
            weight: self.c.total(),
            selected_weight: self.c.tp + self.c.fp,
        }
    }
}

pub fn build(args: &Settings, passes: &[Pass]) -> FairnessReport {
    let mut inputs = Vec::new();
    let mut attributes = Vec::new();
    let mut warnings = Vec::new();
    for pass in passes {
        let file = pass.source.display.clone();
        for w in &pass.warnings {
            warnings.push(Warning::new(&file, None, w.clone()));
        }
        let input = if pass.task == super::settings::Task::Regression {
            regression_input(args, pass, &mut attributes, &mut warnings)
        } else {
            binary_input(args, pass, &mut attributes, &mut warnings)
        };
        inputs.push(input);
    }
    FairnessReport {
        schema_version: crate::render::SCHEMA_VERSION,
        command: "audit-fairness".into(),
        fairaudit_version: env!("CARGO_PKG_VERSION").into(),
        settings: reported_settings(args, passes),
        inputs,
        attributes,
        legal: None,
        comparisons: Vec::new(),
        dominance: Vec::new(),
        warnings,
        thresholds: Vec::new(),
        suggested_thresholds: None,
        gates: Vec::new(),
        passed: true,
        plots: Vec::new(),
    }
}

/// The settings block of the report: what ran, as the JSON names it.
fn reported_settings(args: &Settings, passes: &[Pass]) -> ReportedSettings {
    ReportedSettings {
        task: passes.first().map_or("binary", |p| p.task.name()).into(),
        task_detected: None,
        classes: Vec::new(),
        positive: args.positive.clone(),
        pred_positive: args.pred_positive.clone(),
        missing: format!("{:?}", args.missing).to_lowercase(),
        min_group_size: args.min_group_size,
        max_groups: args.max_groups,
        equalized_odds_agg: match args.agg {
            Agg::Worst => "worst_case".into(),
            Agg::Mean => "mean".into(),
        },
        four_fifths_threshold: FOUR_FIFTHS,
        confidence: args.ci,
        generalized_entropy_alpha: args.alpha,
        calibration_bins: args.bins as usize,
        calibration_binning: format!("{:?}", args.binning)
            .to_lowercase()
            .replace("equal", "equal_"),
        interval_method: "wilson".into(),
        bootstrap: args.bootstrap,
        seed: args.seed,
        score_resolution: passes.iter().find_map(|p| p.stats.score_resolution),
        label_free: false,
        preset: args.preset.map(|p| p.name().to_string()),
        exclude_below: args.exclude_below,
        exclude_unknown: args.exclude_unknown,
    }
}

/// One binary (or one-vs-rest) input: its overall values, and every attribute and intersection
/// appended to `attributes`.
fn binary_input(
    args: &Settings,
    pass: &Pass,
    attributes: &mut Vec<AttributeReport>,
    warnings: &mut Vec<Warning>,
) -> InputReport {
    let file = pass.source.display.clone();
    let st = &pass.stats;
    let mut overall = Confusion::default();
    let mut rows_used = 0;
    for cell in &st.cells {
        overall.add(&confusion(cell));
        rows_used += cell.rows.iter().sum::<u64>();
    }
    let binning = args.binning;
    let scored = pass
        .columns
        .score
        .is_some()
        .then_some((args.bins as usize, binning));
    let units = units(pass);
    let mut unit_groups: Vec<(Vec<Group>, Vec<usize>)> = units
        .iter()
        .map(|(_, attrs)| groups_of(st, attrs, &pass.columns.groups))
        .collect();
    let (overall_scores, overall_reliability) = match scored {
        Some((bins, binning)) => {
            let curves = args.output.wants_charts();
            let (m, t) = with_scored!(&st.scored, |rows| {
                score_groups(st, rows, &mut unit_groups, (bins, binning), curves)
            });
            (Some(m), t)
        }
        None => (None, Vec::new()),
    };
    if scored.is_some() && st.score_missing > 0 {
        warnings.push(Warning::new(
            &file,
            None,
            format!(
                "{} used rows have no score and are left out of the score metrics",
                st.score_missing
            ),
        ));
    }
    let overall_means: Vec<Value> = st
        .row_metric_values
        .iter()
        .map(|vals| row_means(vals, 1, |_| 0)[0])
        .collect();
    for ((name, attrs), (groups, _)) in units.into_iter().zip(unit_groups) {
        if attrs.len() > 1 {
            let possible: usize = attrs.iter().map(|&a| st.keys[a].len()).product();
            if possible > groups.len() {
                warnings.push(Warning::new(
                    &file,
                    Some(&name),
                    format!(
                        "{} of {possible} combinations have no rows and are not reported",
                        possible - groups.len()
                    ),
                ));
            }
        }
        attributes.push(attribute(
            &file,
            &name,
            &attrs,
            pass,
            groups,
            (&overall, overall_scores.as_ref(), &overall_means),
            args,
            warnings,
        ));
    }
    let mut overall_maps = metric_map(&overall, overall_scores.as_ref());
    for (col, v) in pass.columns.row_metrics.iter().zip(&overall_means) {
        put(
            &mut overall_maps.0,
            &mut overall_maps.1,
            format!("mean_{col}"),
            *v,
        );
    }
    put(
        &mut overall_maps.0,
        &mut overall_maps.1,
        "generalized_entropy_index".into(),
        inequality::generalized_entropy(&overall, args.alpha),
    );
    put(
        &mut overall_maps.0,
        &mut overall_maps.1,
        "theil_index".into(),
        inequality::generalized_entropy(&overall, 1.0),
    );
    for (name, errors) in PER_GROUP_SIZE {
        put(
            &mut overall_maps.0,
            &mut overall_maps.1,
            name.into(),
            per_group_size(&overall, errors),
        );
    }
    if let (Some(q), Some(_)) = (&args.distribution, &pass.columns.score) {
        let (method, labelled) = (quantile_method(pass), labelled(pass));
        let o = with_scored!(&st.scored, |rows| {
            distribution::by_group(rows, 1, |_| 0, q, method, labelled, &[])
        });
        for (name, v) in distribution_values(&o.0[0], q) {
            if !matches!(name.as_str(), "ks_statistic" | "wasserstein_distance") {
                put(&mut overall_maps.0, &mut overall_maps.1, name, v);
            }
        }
    }
    input_report(
        pass,
        Overall {
            reliability: overall_reliability,
            n: rows_used,
            weight: overall.total(),
            counts: Some(counts(&overall)),
            metrics: overall_maps.0,
            undefined: overall_maps.1,
        },
    )
}

fn confusion(cell: &Cell) -> Confusion {
    // quadrant index 2*y + p: 0 tn, 1 fp, 2 fn, 3 tp
    Confusion {
        tn: cell.weight[0],
        fp: cell.weight[1],
        fn_: cell.weight[2],
        tp: cell.weight[3],
    }
}

/// Sums the cells into the groups of the attributes `attrs` (one attribute, or an
/// intersection), in report order; and each cell's group (index into the groups).
fn groups_of(st: &Stats, attrs: &[usize], names: &[String]) -> (Vec<Group>, Vec<usize>) {
    let mut map: std::collections::HashMap<Vec<u32>, Group> = std::collections::HashMap::new();
    for cell in &st.cells {
        let key: Vec<u32> = attrs.iter().map(|&a| cell.codes[a]).collect();
        let g = map.entry(key.clone()).or_insert_with(|| {
            let values: Vec<(String, String)> = attrs
                .iter()
                .zip(&key)
                .map(|(&a, &c)| (names[a].clone(), st.keys[a][c as usize].name()))
                .collect();
            Group {
                key: key.clone(),
                name: values
                    .iter()
                    .map(|(_, v)| v.as_str())
                    .collect::<Vec<_>>()
                    .join("&"),
                values,
                missing: attrs
                    .iter()
                    .zip(&key)
                    .any(|(&a, &c)| st.keys[a][c as usize] == GroupKey::Missing),
                rows: 0,
                quadrants: [0; 4],
                c: Confusion::default(),
                scores: None,
                reliability: Vec::new(),
                xauc: Vec::new(),
                roc: Vec::new(),
                row_means: Vec::new(),
                reg: RegSums::default(),
            }
        });
        g.rows += cell.rows.iter().sum::<u64>();
        for (q, r) in g.quadrants.iter_mut().zip(cell.rows) {
            *q += r;
        }
        g.c.add(&confusion(cell));
    }
    for (cell, r) in st.cells.iter().zip(&st.regression) {
        let key: Vec<u32> = attrs.iter().map(|&a| cell.codes[a]).collect();
        map.get_mut(&key).expect("group of the cell").reg.merge(r);
    }
    let mut out: Vec<(Vec<u32>, Group)> = map.into_iter().collect();
    out.sort_by(|(a, _), (b, _)| {
        for ((&ca, &cb), &attr) in a.iter().zip(b).zip(attrs) {
            let o = st.keys[attr][ca as usize].cmp_key(&st.keys[attr][cb as usize]);
            if o != std::cmp::Ordering::Equal {
                return o;
            }
        }
        std::cmp::Ordering::Equal
    });
    let index: std::collections::HashMap<&Vec<u32>, usize> =
        out.iter().enumerate().map(|(i, (k, _))| (k, i)).collect();
    let cell_group: Vec<usize> = st
        .cells
        .iter()
        .map(|cell| index[&attrs.iter().map(|&a| cell.codes[a]).collect::<Vec<u32>>()])
        .collect();
    let means: Vec<Vec<Value>> = st
        .row_metric_values
        .iter()
        .map(|vals| row_means(vals, out.len(), |c| cell_group[c as usize]))
        .collect();
    for (gi, (_, g)) in out.iter_mut().enumerate() {
        g.row_means = means.iter().map(|m| m[gi]).collect();
    }
    (out.into_iter().map(|(_, g)| g).collect(), cell_group)
}

/// The score metrics of all rows (returned: the metrics and the reliability table) and of the
/// groups of every unit (`(groups, each cell's group)`, put in the groups: metrics,
/// reliability, xAUC, ROC curves with `curves`). Every sweep of the sorted rows is independent
/// of the others: they run at once on every thread, each grouping's ranking sweep a task of its
/// own (one sweep of all groupings took each row's logarithm once, but left one thread alone
/// with it at the end: 10M rows, ~10% slower).
fn score_groups<W: scores::Weight>(
    st: &Stats,
    rows: &[scores::Scored<W>],
    units: &mut [(Vec<Group>, Vec<usize>)],
    (bins, binning): (usize, Binning),
    curves: bool,
) -> (ScoreMetrics, Vec<Bin>) {
    // Grouping 0: all rows as one group; then each unit's groups.
    let all = vec![0usize; st.cells.len()];
    let groupings: Vec<(usize, _)> = std::iter::once((1, all.as_slice()))
        .chain(
            units
                .iter()
                .map(|(groups, cg)| (groups.len(), cg.as_slice())),
        )
        .map(|(n, cell_group)| (n, move |c: u32| cell_group[c as usize]))
        .collect();
    let bounds = st.score_resolution.is_some();
    // Per grouping: its ranking, calibration, xAUC, ROC and rounding-bound sweeps.
    let sweeps = |(k, &(n, group_of)): (usize, &(usize, _))| {
        let unit = k > 0;
        let ((ranked, calibrated), ((xauc, roc), bound)) = rayon::join(
            || {
                rayon::join(
                    || scores::ranking(rows, n, group_of),
                    || scores::calibration(rows, n, group_of, bins, binning),
                )
            },
            || {
                rayon::join(
                    || {
                        rayon::join(
                            || {
                                (unit && n <= MAX_XAUC_GROUPS)
                                    .then(|| scores::xauc(rows, n, group_of))
                            },
                            || {
                                (unit && curves)
                                    .then(|| scores::roc_curves(rows, n, group_of, ROC_STEP))
                            },
                        )
                    },
                    || bounds.then(|| scores::auc_rounding_bound(rows, n, group_of)),
                )
            },
        );
        let scored: Vec<(ScoreMetrics, Vec<Bin>)> = ranked
            .into_iter()
            .zip(calibrated)
            .enumerate()
            .map(|(g, (mut m, (ece, table)))| {
                m.expected_calibration_error = ece;
                m.roc_auc_max_error = bound.as_ref().and_then(|b| b[g]);
                (m, table)
            })
            .collect();
        (scored, xauc, roc)
    };
    let swept: Vec<_> = groupings.par_iter().enumerate().map(sweeps).collect();
    let mut per_grouping = swept.into_iter();
    let (mut overall, _, _) = per_grouping.next().expect("the grouping of all rows");
    for ((groups, _), (scored, xauc, roc)) in units.iter_mut().zip(per_grouping) {
        let (mut xauc, mut roc) = (xauc.map(Vec::into_iter), roc.map(Vec::into_iter));
        for (g, (m, table)) in groups.iter_mut().zip(scored) {
            g.scores = Some(m);
            g.reliability = table;
            if let Some(row) = xauc.as_mut().and_then(Iterator::next) {
                g.xauc = row;
            }
            if let Some(curve) = roc.as_mut().and_then(Iterator::next) {
                g.roc = curve;
            }
        }
    }
    overall.remove(0)
}

/// Weighted means per group of (cell, value, weight) records.
fn row_means(
    vals: &[(u32, f64, f64)],
    n_groups: usize,
    group_of: impl Fn(u32) -> usize,
) -> Vec<Value> {
    let mut sum = vec![0.0f64; n_groups];
    let mut w = vec![0.0f64; n_groups];
    for &(c, v, wt) in vals {
        let g = group_of(c);
        sum[g] += wt * v;
        w[g] += wt;
    }
    (0..n_groups)
        .map(|g| {
            if w[g] > 0.0 {
                Ok(sum[g] / w[g])
            } else {
                Err("no row of the group has a value (or weight)")
            }
        })
        .collect()
}

fn num(v: f64) -> Json {
    serde_json::Number::from_f64(v)
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

fn put(values: &mut Map<String, Json>, undefined: &mut Map<String, Json>, name: String, v: Value) {
    match v {
        Ok(x) => {
            values.insert(name, num(x));
        }
        Err(reason) => {
            values.insert(name.clone(), Json::Null);
            undefined.insert(name, Json::String(reason.to_string()));
        }
    }
}

/// The rates of `c`, then the score metrics when there are any.
fn metric_map(c: &Confusion, sm: Option<&ScoreMetrics>) -> (Map<String, Json>, Map<String, Json>) {
    let mut m = Map::new();
    let mut u = Map::new();
    for r in RATES {
        put(&mut m, &mut u, r.name().to_string(), r.compute(c));
    }
    for (name, v) in sm.map(|x| x.values()).into_iter().flatten() {
        put(&mut m, &mut u, name.to_string(), v);
    }
    if let Some(e) = sm.and_then(|x| x.roc_auc_max_error) {
        m.insert("roc_auc_max_error".into(), Json::from(e));
    }
    (m, u)
}

fn counts(c: &Confusion) -> Counts {
    Counts {
        tp: c.tp,
        fp: c.fp,
        tn: c.tn,
        fn_: c.fn_,
    }
}

/// Disparities and intervals of one attribute (or intersection) of one input: every metric's
/// disparities over the included groups, xAUC pairs, between-group inequality, the four-fifths
/// rule, and each group's report. Called once per attribute, in report order.
#[allow(clippy::too_many_arguments)]
fn attribute(
    file: &str,
    name: &str,
    attrs: &[usize],
    pass: &Pass,
    groups: Vec<Group>,
    overall_parts: (&Confusion, Option<&ScoreMetrics>, &[Value]),
    args: &Settings,
    warnings: &mut Vec<Warning>,
) -> AttributeReport {
    let (overall, overall_scores, _) = overall_parts;
    let at = (file, name);
    let total_w = overall.total();
    let z = intervals::z_for(args.ci);
    let (small, excluded, included) =
        included_groups(&groups, args, total_rows(&groups), at, warnings);
    // Disparities, in report order (the JSON keeps insertion order).
    let mut d = (Map::new(), Map::new());
    let selection = metric_disparities(
        &groups,
        &included,
        pass,
        overall_parts,
        args,
        at,
        warnings,
        &mut d,
    );
    let xauc_pairs = xauc_view(&groups, &included, overall_scores.is_some(), &mut d);
    inequality_parts(&groups, args.alpha, &mut d);
    let max_sel = included
        .iter()
        .filter_map(|&i| Rate::SelectionRate.compute(&groups[i].c).ok())
        .fold(f64::NEG_INFINITY, f64::max);
    // LL144 with a score: the rate is the scoring rate (above the median).
    let rate = if pass.columns.scoring_median.is_some() {
        "scoring rate"
    } else {
        "selection rate"
    };
    four_fifths(
        &groups,
        &included,
        (&selection, max_sel, rate),
        at,
        warnings,
        &mut d,
    );
    let dist = distribution_parts(
        &groups, &included, attrs, pass, args, None, at, warnings, &mut d,
    );
    let differential_fairness = args.edf.map(|c| edf_part(&groups, &included, c, &mut d));
    let (disparities, undefined) = d;

    let predicted_positive: f64 = groups.iter().map(|g| g.c.tp + g.c.fp).sum();
    let most = most_selected(&groups, &included);
    if let Some(m) = most.filter(|&m| groups[m].rows < crate::render::SMALL_SAMPLE) {
        warnings.push(Warning::new(
            file,
            Some(name),
            format!(
                "the most-selected group, {}, has only {} row{}: impact ratios, tests and shortfalls against it are unreliable (leave small groups out with --min-group-size N or --exclude-below SHARE)",
                groups[m].name,
                groups[m].rows,
                if groups[m].rows == 1 { "" } else { "s" }
            ),
        ));
    }
    let weighted = pass.columns.weight.is_some();
    let mut group_reports: Vec<GroupReport> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| {
            // Left out of the comparisons by --exclude-below or as an unknown category: no
            // impact ratio (LL144 discloses such a category's count and rate only).
            let left_out = excluded[i].as_ref().filter(|_| !small[i]);
            let di = match left_out {
                Some(why) => Err(crate::stats::reason(format!(
                    "left out of the comparisons: {why}"
                ))),
                None => impact_ratio(g, max_sel),
            };
            let ai = match (&excluded[i], most) {
                (Some(why), _) => AdverseImpact::undefined(crate::stats::reason(format!(
                    "left out of the comparisons: {why}"
                ))),
                (None, None) => AdverseImpact::undefined(
                    "no included group has a defined selection rate to compare with",
                ),
                (None, Some(m)) if m == i => AdverseImpact {
                    shortfall_to_parity: Ok(0.0),
                    shortfall_to_four_fifths: Ok(0.0),
                    ..AdverseImpact::undefined(adverse_impact::IS_MOST_SELECTED)
                },
                (None, Some(m)) => {
                    adverse_impact::versus(&g.selections(), &groups[m].selections(), weighted)
                }
            };
            let mut r = group_report(g, small[i], pass, di, predicted_positive, total_w, z);
            // The impact ratio's interval (Katz log method), on row counts, for a group compared
            // with another: the reference's own ratio is 1 by construction.
            if let (None, Some(m), false) = (&excluded[i], most, weighted) {
                {
                    // The reference's own ratio is 1 whatever the sample: [1, 1].
                    let iv = if m == i {
                        Some((1.0, 1.0))
                    } else {
                        adverse_impact::impact_ratio_interval(
                            &g.selections(),
                            &groups[m].selections(),
                            z,
                        )
                    };
                    r.intervals.insert(
                        "disparate_impact_ratio".into(),
                        iv.map_or(Json::Null, |(lo, hi)| Json::Array(vec![num(lo), num(hi)])),
                    );
                }
            }
            for (name, v) in ai.values() {
                put(&mut r.metrics, &mut r.undefined, name.into(), v);
            }
            r.excluded = excluded[i].clone();
            r
        })
        .collect();
    let distribution = attach_distribution(&mut group_reports, dist);
    AttributeReport {
        file: file.to_string(),
        class: None,
        name: name.to_string(),
        columns: attrs
            .iter()
            .map(|&a| pass.columns.groups[a].clone())
            .collect(),
        groups: group_reports,
        disparities,
        undefined,
        conditional: pass.columns.condition.as_ref().map(|c| {
            // Groups left out of the comparisons take no part in the strata either.
            let left_out: Vec<&str> = groups
                .iter()
                .zip(&excluded)
                .filter(|(_, e)| e.is_some())
                .map(|(g, _)| g.name.as_str())
                .collect();
            conditional(&pass.stats, attrs, &pass.columns.groups, c, &left_out)
        }),
        reference: None,
        disparities_bootstrap: Map::new(),
        xauc: xauc_pairs,
        most_selected_group: most.map(|m| groups[m].name.clone()),
        distribution,
        differential_fairness,
    }
}

/// Rows of all the groups of an attribute (the denominator of `--exclude-below`).
fn total_rows(groups: &[Group]) -> u64 {
    groups.iter().map(|g| g.rows).sum()
}

/// The included group with the highest selection rate (the first in report order on a tie):
/// the reference of the adverse-impact comparisons.
fn most_selected(groups: &[Group], included: &[usize]) -> Option<usize> {
    let mut best: Option<(usize, f64)> = None;
    for &i in included {
        if let Ok(r) = groups[i].selections().rate() {
            if best.is_none_or(|(_, b)| r > b) {
                best = Some((i, r));
            }
        }
    }
    best.map(|(i, _)| i)
}

/// A disparity map and the reasons of its undefined entries, filled in report order.
type DisparityMaps = (Map<String, Json>, Map<String, Json>);

/// The disparities of every rate, score metric and --row-metric mean, their equity-scaled forms,
/// the named criteria and equalized odds; returns the selection rate's (for the four-fifths rule).
#[allow(clippy::too_many_arguments)]
fn metric_disparities(
    groups: &[Group],
    included: &[usize],
    pass: &Pass,
    (overall, overall_scores, row_overall): (&Confusion, Option<&ScoreMetrics>, &[Value]),
    args: &Settings,
    at: (&str, &str),
    warnings: &mut Vec<Warning>,
    (disparities, undefined): &mut DisparityMaps,
) -> Disparity {
    let mut per_rate: Vec<(Rate, Disparity)> = Vec::new();
    let mut disparity_of = |metric: &str, value: &dyn Fn(&Group) -> Value, overall_value: Value| {
        disparity_over(groups, included, metric, value, overall_value, at, warnings)
    };
    for r in RATES {
        per_rate.push((
            r,
            disparity_of(r.name(), &|g| r.compute(&g.c), r.compute(overall)),
        ));
    }
    // Every --row-metric mean: its disparities, and the values for its equity-scaled form.
    let mut per_row_metric: Vec<(String, Disparity)> = Vec::new();
    let mut row_scaled: Vec<(String, Vec<f64>, Value)> = Vec::new();
    for (m, (col, ov)) in pass.columns.row_metrics.iter().zip(row_overall).enumerate() {
        let metric = format!("mean_{col}");
        let d = disparity_of(&metric, &|g: &Group| g.row_means[m], *ov);
        let vals = included
            .iter()
            .filter_map(|&i| groups[i].row_means[m].ok())
            .collect();
        per_row_metric.push((metric.clone(), d));
        row_scaled.push((metric, vals, *ov));
    }
    let mut per_score: Vec<(&str, Disparity)> = Vec::new();
    if let Some(os) = overall_scores {
        for (k, (metric, ov)) in os.values().into_iter().enumerate() {
            let value = move |g: &Group| g.scores.map_or(Err("no score"), |m| m.values()[k].1);
            per_score.push((metric, disparity_of(metric, &value, ov)));
        }
    }
    let get = |r: Rate| {
        per_rate
            .iter()
            .find(|(x, _)| *x == r)
            .expect("every rate")
            .1
    };
    for (r, d) in &per_rate {
        insert_disparity(disparities, undefined, r.name(), d);
    }
    for (metric, d) in &per_score {
        insert_disparity(disparities, undefined, metric, d);
    }
    for (metric, d) in &per_row_metric {
        insert_disparity(disparities, undefined, metric, d);
    }
    for (metric, errors) in PER_GROUP_SIZE {
        let d = disparity_over(
            groups,
            included,
            metric,
            &|g: &Group| per_group_size(&g.c, errors),
            per_group_size(overall, errors),
            at,
            warnings,
        );
        insert_disparity(disparities, undefined, metric, &d);
    }
    equity_scaled_parts(
        groups,
        included,
        overall,
        overall_scores,
        row_scaled,
        (disparities, undefined),
    );
    // Named criteria.
    for (criterion, r) in CRITERIA {
        insert_disparity(disparities, undefined, criterion, &get(*r));
    }
    let worst = args.agg == Agg::Worst;
    let (tpr, fpr) = (get(Rate::TruePositiveRate), get(Rate::FalsePositiveRate));
    let eo = Disparity {
        difference: combine(tpr.difference, fpr.difference, worst, true),
        ratio: combine(tpr.ratio, fpr.ratio, worst, false),
        difference_to_overall: combine(
            tpr.difference_to_overall,
            fpr.difference_to_overall,
            worst,
            true,
        ),
        ratio_to_overall: combine(tpr.ratio_to_overall, fpr.ratio_to_overall, worst, false),
    };
    insert_disparity(disparities, undefined, "equalized_odds", &eo);
    get(Rate::SelectionRate)
}

/// Equity-scaled performance of accuracy (and ROC AUC with a score, and each --row-metric mean)
/// over the included groups, with its two parts.
fn equity_scaled_parts(
    groups: &[Group],
    included: &[usize],
    overall: &Confusion,
    overall_scores: Option<&ScoreMetrics>,
    row_scaled: Vec<(String, Vec<f64>, Value)>,
    (disparities, undefined): (&mut Map<String, Json>, &mut Map<String, Json>),
) {
    let mut scaled: Vec<(&str, Vec<f64>, Value)> = vec![(
        "accuracy",
        included
            .iter()
            .filter_map(|&i| Rate::Accuracy.compute(&groups[i].c).ok())
            .collect(),
        Rate::Accuracy.compute(overall),
    )];
    if let Some(os) = overall_scores {
        scaled.push((
            "roc_auc",
            included
                .iter()
                .filter_map(|&i| groups[i].scores.and_then(|m| m.roc_auc.ok()))
                .collect(),
            os.roc_auc,
        ));
    }
    let scaled = scaled
        .into_iter()
        .map(|(m, v, o)| (m.to_string(), v, o))
        .chain(row_scaled);
    for (metric, vals, ov) in scaled {
        let e = equity_scaled(&vals, ov);
        put(
            disparities,
            undefined,
            format!("equity_scaled_{metric}"),
            e.equity_scaled,
        );
        put(
            disparities,
            undefined,
            format!("{metric}_psd_std"),
            e.psd_std,
        );
        put(
            disparities,
            undefined,
            format!("{metric}_psd_range"),
            e.psd_range,
        );
    }
}

/// Cross-group AUC for every ordered pair of included groups, and the largest gap
/// |xAUC(a, b) − xAUC(b, a)| (Kallus & Zhou 2019).
fn xauc_view(
    groups: &[Group],
    included: &[usize],
    scored: bool,
    (disparities, undefined): &mut DisparityMaps,
) -> Vec<XaucPair> {
    let mut xauc_pairs = Vec::new();
    if scored && groups.iter().any(|g| !g.xauc.is_empty()) {
        let mut gap: Option<f64> = None;
        for &a in included {
            for &b in included {
                if a == b {
                    continue;
                }
                let x = groups[a].xauc[b];
                xauc_pairs.push(XaucPair {
                    positive_group: groups[a].name.clone(),
                    negative_group: groups[b].name.clone(),
                    xauc: x,
                });
                if let (Some(x), Some(y)) = (x, groups[b].xauc[a]) {
                    gap = Some(gap.map_or((x - y).abs(), |g| g.max((x - y).abs())));
                }
            }
        }
        put(
            disparities,
            undefined,
            "xauc_max_gap".into(),
            gap.ok_or("no pair of groups has both cross-group AUCs"),
        );
    }
    xauc_pairs
}

/// Between-group parts of the benefit inequality (all groups: a decomposition of the total).
fn inequality_parts(groups: &[Group], alpha: f64, (disparities, undefined): &mut DisparityMaps) {
    let confusions: Vec<Confusion> = groups.iter().map(|g| g.c).collect();
    put(
        disparities,
        undefined,
        "between_group_generalized_entropy_index".into(),
        inequality::between_groups(&confusions, alpha),
    );
    put(
        disparities,
        undefined,
        "between_group_theil_index".into(),
        inequality::between_groups(&confusions, 1.0),
    );
}

/// The quantile method of a pass: numpy's linear without weights, the weighted inverse CDF with.
fn quantile_method(pass: &Pass) -> QuantileMethod {
    if pass.columns.weight.is_some() {
        QuantileMethod::InvertedCdf
    } else {
        QuantileMethod::Linear
    }
}

/// Whether the audit has a label (the generalized rates need one; label-free audits have none).
fn labelled(pass: &Pass) -> bool {
    pass.columns.label.is_some()
}

/// A group's (or the overall) distribution metrics by name, in report order.
fn distribution_values(gd: &GroupDistribution, quantiles: &[f64]) -> Vec<(String, Value)> {
    let mut out = vec![("mean_score".to_string(), gd.mean)];
    if let Some(v) = gd.generalized_tpr {
        out.push(("generalized_true_positive_rate".into(), v));
    }
    if let Some(v) = gd.generalized_fpr {
        out.push(("generalized_false_positive_rate".into(), v));
    }
    out.push(("ks_statistic".into(), gd.ks_vs_rest));
    out.push(("wasserstein_distance".into(), gd.w1_vs_rest));
    for (q, v) in quantiles.iter().zip(&gd.quantiles) {
        out.push((distribution::quantile_name(*q), *v));
    }
    out
}

/// --distribution: every group's score-distribution metrics (fairness/distribution.rs), the
/// disparities of the mean score and generalized rates, the largest KS and W1 over pairs of
/// groups and the largest difference at each quantile.
#[allow(clippy::too_many_arguments)]
fn distribution_parts(
    groups: &[Group],
    included: &[usize],
    attrs: &[usize],
    pass: &Pass,
    args: &Settings,
    regression_prediction: Option<&str>,
    at: (&str, &str),
    warnings: &mut Vec<Warning>,
    (disparities, undefined): &mut DisparityMaps,
) -> Option<(Vec<GroupDistribution>, DistributionView)> {
    let quantiles = args.distribution.as_ref()?;
    let column = regression_prediction.or(pass.columns.score.as_deref())?;
    let st = &pass.stats;
    let index: std::collections::HashMap<&Vec<u32>, usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| (&g.key, i))
        .collect();
    let cell_group: Vec<usize> = st
        .cells
        .iter()
        .map(|c| index[&attrs.iter().map(|&a| c.codes[a]).collect::<Vec<u32>>()])
        .collect();
    let names: Vec<String> = groups.iter().map(|g| g.name.clone()).collect();
    let regression = regression_prediction.is_some();
    let (method, labelled) = (quantile_method(pass), labelled(pass) && !regression);
    let (ad, overall) = with_scored!(&st.scored, |rows| {
        let ad = distribution::attribute(
            rows,
            &cell_group,
            &names,
            included,
            quantiles,
            method,
            labelled,
            column,
            st.score_resolution,
        );
        let mut overall = distribution::by_group(rows, 1, |_| 0, quantiles, method, labelled, &[]);
        (ad, overall.0.remove(0))
    });
    let overall_values = distribution_values(&overall, quantiles);
    let position = |g: &Group| groups.iter().position(|x| std::ptr::eq(x, g)).unwrap_or(0);
    let negative = st.scored.iter().next().is_some_and(|r| r.score < 0.0);
    // A regression's mean prediction is `mean_prediction`, with its disparities already.
    let means: &[&str] = if regression {
        &[]
    } else {
        &[
            "mean_score",
            "generalized_true_positive_rate",
            "generalized_false_positive_rate",
        ]
    };
    for &name in means {
        let Some(ov) = overall_values.iter().find(|(n, _)| n == name).map(|x| x.1) else {
            continue;
        };
        let value = |g: &Group| {
            distribution_values(&ad.groups[position(g)], &[])
                .into_iter()
                .find(|(n, _)| n == name)
                .map_or(Err("no label"), |x| x.1)
        };
        let mut d = disparity_over(groups, included, name, &value, ov, at, warnings);
        if negative {
            let why = "scores below 0: a ratio of means that can be negative is not reported";
            d.ratio = Err(why);
            d.ratio_to_overall = Err(why);
        }
        insert_disparity(disparities, undefined, name, &d);
    }
    put(disparities, undefined, "ks_statistic_max".into(), ad.ks_max);
    put(
        disparities,
        undefined,
        "wasserstein_distance_max".into(),
        ad.w1_max,
    );
    for (k, q) in quantiles.iter().enumerate() {
        let vals: Vec<f64> = included
            .iter()
            .filter_map(|&i| ad.groups[i].quantiles[k].ok())
            .collect();
        let diff = if vals.len() >= 2 {
            let max = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let min = vals.iter().copied().fold(f64::INFINITY, f64::min);
            Ok(max - min)
        } else {
            Err("fewer than two groups with scored rows: no difference")
        };
        let name = format!("{}_difference", distribution::quantile_name(*q));
        put(disparities, undefined, name, diff);
    }
    Some((ad.groups, ad.view))
}

/// Puts each group's distribution metrics into its report; the attribute's view.
fn attach_distribution(
    reports: &mut [GroupReport],
    dist: Option<(Vec<GroupDistribution>, DistributionView)>,
) -> Option<DistributionView> {
    let (per_group, view) = dist?;
    // A regression's mean prediction is `mean_prediction` already.
    let regression = reports.first().is_some_and(|r| r.counts.is_none());
    for (r, gd) in reports.iter_mut().zip(&per_group) {
        for (name, v) in distribution_values(gd, &view.quantiles) {
            if !(regression && name == "mean_score") {
                put(&mut r.metrics, &mut r.undefined, name, v);
            }
        }
    }
    Some(view)
}

/// --edf: empirical differential fairness of the decisions over the included groups.
fn edf_part(
    groups: &[Group],
    included: &[usize],
    concentration: f64,
    (disparities, undefined): &mut DisparityMaps,
) -> EdfView {
    let counts: Vec<(f64, f64)> = included
        .iter()
        .map(|&i| (groups[i].c.tp + groups[i].c.fp, groups[i].c.total()))
        .collect();
    let names: Vec<String> = included.iter().map(|&i| groups[i].name.clone()).collect();
    let e = edf::edf(&counts, concentration);
    put(
        disparities,
        undefined,
        "empirical_differential_fairness".into(),
        e.epsilon,
    );
    e.view(&names, concentration)
}

/// A group's selection rate over the highest included one (`max_sel`).
fn impact_ratio(g: &Group, max_sel: f64) -> Value {
    let s = Rate::SelectionRate.compute(&g.c)?;
    if max_sel > 0.0 {
        Ok(s / max_sel)
    } else {
        Err("no included group has a positive prediction (0/0)")
    }
}

/// The four-fifths rule on the selection-rate ratio, with a warning naming the groups below it.
fn four_fifths(
    groups: &[Group],
    included: &[usize],
    (selection, max_sel, rate): (&Disparity, f64, &str),
    (file, name): (&str, &str),
    warnings: &mut Vec<Warning>,
    (disparities, undefined): &mut DisparityMaps,
) {
    put(
        disparities,
        undefined,
        "disparate_impact_ratio".into(),
        selection.ratio,
    );
    match selection.ratio {
        Ok(r) => {
            disparities.insert(
                "four_fifths_rule_passed".into(),
                Json::Bool(r >= FOUR_FIFTHS),
            );
            let failing: Vec<&str> = included
                .iter()
                .filter(|&&i| impact_ratio(&groups[i], max_sel).is_ok_and(|v| v < FOUR_FIFTHS))
                .map(|&i| groups[i].name.as_str())
                .collect();
            if !failing.is_empty() {
                warnings.push(Warning::new(
                    file,
                    Some(name),
                    format!(
                        "four-fifths rule: {rate} below 80% of the highest group's for {}",
                        failing.join(", ")
                    ),
                ));
            }
        }
        Err(reason) => {
            disparities.insert("four_fifths_rule_passed".into(), Json::Null);
            undefined.insert(
                "four_fifths_rule_passed".into(),
                Json::String(reason.into()),
            );
        }
    }
}

/// One group's report: its counts, metrics (rates, scores, --row-metric means, impact ratio,
/// share of positive predictions) and Wilson intervals at `z`.
fn group_report(
    g: &Group,
    is_small: bool,
    pass: &Pass,
    di: Value,
    predicted_positive: f64,
    total_w: f64,
    z: f64,
) -> GroupReport {
    let (mut metrics, mut und) = metric_map(&g.c, g.scores.as_ref());
    for (col, v) in pass.columns.row_metrics.iter().zip(&g.row_means) {
        put(&mut metrics, &mut und, format!("mean_{col}"), *v);
    }
    put(&mut metrics, &mut und, "disparate_impact_ratio".into(), di);
    // aequitas' ppr: the group's share of all positive predictions.
    let share = if predicted_positive > 0.0 {
        Ok((g.c.tp + g.c.fp) / predicted_positive)
    } else {
        Err("no positive predictions at all (0/0)")
    };
    put(
        &mut metrics,
        &mut und,
        "predicted_positive_share".into(),
        share,
    );
    for (name, errors) in PER_GROUP_SIZE {
        put(
            &mut metrics,
            &mut und,
            name.into(),
            per_group_size(&g.c, errors),
        );
    }
    GroupReport {
        group: g.name.clone(),
        values: g.values.iter().cloned().collect(),
        n: g.rows,
        weight: g.c.total(),
        share: if total_w > 0.0 {
            Some(g.c.total() / total_w)
        } else {
            None
        },
        small: is_small,
        selected: Some(g.c.tp + g.c.fp),
        counts: Some(counts(&g.c)),
        rows: Some(RowCounts {
            tn: g.quadrants[0],
            fp: g.quadrants[1],
            fn_: g.quadrants[2],
            tp: g.quadrants[3],
        }),
        metrics,
        undefined: und,
        intervals: wilson_intervals(g, z),
        reliability: g.reliability.clone(),
        roc: g.roc.clone(),
        residuals: Default::default(),
        vs_reference: Map::new(),
        bootstrap: Map::new(),
        excluded: None,
        unknown: g.missing,
    }
}

/// Selection-rate disparities of the groups of `attrs` within each stratum of the condition (the
/// cell dimension after the attributes) and their weighted aggregate.
fn conditional(
    st: &Stats,
    attrs: &[usize],
    names: &[String],
    condition: &str,
    left_out: &[&str],
) -> Conditional {
    let cidx = names.len();
    let mut dims = vec![cidx];
    dims.extend_from_slice(attrs);
    let all_names: Vec<String> = names
        .iter()
        .cloned()
        .chain([condition.to_string()])
        .collect();
    let (cells, _) = groups_of(st, &dims, &all_names);
    let mut strata: Vec<Stratum> = Vec::new();
    let mut used = (0.0f64, 0.0f64, 0.0f64, 0.0f64); // (Σ W·diff, Σ W over diffs, Σ W·ratio, Σ W over ratios)
    let mut undefined = Map::new();
    let mut i = 0;
    while i < cells.len() {
        let stratum = cells[i].values[0].1.clone();
        let mut j = i;
        let mut sel = Map::new();
        let mut vals = Vec::new();
        let (mut n, mut w) = (0u64, 0.0f64);
        while j < cells.len() && cells[j].values[0].1 == stratum {
            let g = &cells[j];
            let name = g.values[1..]
                .iter()
                .map(|(_, v)| v.as_str())
                .collect::<Vec<_>>()
                .join("&");
            if left_out.contains(&name.as_str()) {
                j += 1;
                continue;
            }
            let v = Rate::SelectionRate.compute(&g.c);
            if let Ok(x) = v {
                vals.push(x);
            }
            sel.insert(name, v.map(num).unwrap_or(Json::Null));
            n += g.rows;
            w += g.c.total();
            j += 1;
        }
        let (diff, ratio, why) = if vals.len() < 2 {
            (
                None,
                None,
                Some(
                    "fewer than two groups with a defined selection rate in the stratum"
                        .to_string(),
                ),
            )
        } else {
            let d = disparity(&vals, Err("unused"));
            (
                d.difference.ok(),
                d.ratio.ok(),
                d.ratio.err().map(String::from),
            )
        };
        if let Some(d) = diff {
            used.0 += w * d;
            used.1 += w;
        }
        if let Some(r) = ratio {
            used.2 += w * r;
            used.3 += w;
        }
        strata.push(Stratum {
            stratum,
            n,
            weight: w,
            selection_rate: sel,
            selection_rate_difference: diff,
            selection_rate_ratio: ratio,
            undefined: why,
        });
        i = j;
    }
    let agg = |sum: f64, weight: f64, key: &str, undefined: &mut Map<String, Json>| {
        if weight > 0.0 {
            Some(sum / weight)
        } else {
            undefined.insert(
                key.into(),
                Json::String("no stratum has two groups to compare".into()),
            );
            None
        }
    };
    Conditional {
        condition: condition.to_string(),
        conditional_demographic_parity_difference: agg(
            used.0,
            used.1,
            "conditional_demographic_parity_difference",
            &mut undefined,
        ),
        conditional_demographic_parity_ratio: agg(
            used.2,
            used.3,
            "conditional_demographic_parity_ratio",
            &mut undefined,
        ),
        strata,
        undefined,
    }
}

/// Wilson intervals of every rate that is a proportion: the (weighted) rate observed on the rows
/// of its denominator.
fn wilson_intervals(g: &Group, z: f64) -> Map<String, Json> {
    let mut m = Map::new();
    for r in RATES {
        let Some((_, den)) = r.proportion() else {
            continue;
        };
        let n: u64 = (0..4)
            .filter(|i| den & (1 << i) != 0)
            .map(|i| g.quadrants[i])
            .sum();
        let iv = r
            .compute(&g.c)
            .ok()
            .and_then(|p| intervals::wilson(p, n as f64, z));
        m.insert(
            r.name().to_string(),
            match iv {
                Some((lo, hi)) => Json::Array(vec![num(lo), num(hi)]),
                None => Json::Null,
            },
        );
    }
    m
}

fn insert_disparity(
    m: &mut Map<String, Json>,
    u: &mut Map<String, Json>,
    base: &str,
    d: &Disparity,
) {
    put(m, u, format!("{base}_difference"), d.difference);
    put(m, u, format!("{base}_ratio"), d.ratio);
    put(
        m,
        u,
        format!("{base}_difference_to_overall"),
        d.difference_to_overall,
    );
    put(m, u, format!("{base}_ratio_to_overall"), d.ratio_to_overall);
}

/// The attribute / intersection units of a pass: each attribute alone, then all together.
fn units(pass: &Pass) -> Vec<(String, Vec<usize>)> {
    let k = pass.columns.groups.len();
    let mut units: Vec<(String, Vec<usize>)> = (0..k)
        .map(|a| (pass.columns.groups[a].clone(), vec![a]))
        .collect();
    if k > 1 {
        units.push((pass.columns.groups.join("&"), (0..k).collect()));
    }
    units
}

/// A regression pass: MAE, RMSE, MSE, R², mean label / prediction / residual per group and
/// overall, and their disparities (differences for every metric; ratios only for the metrics
/// that are never negative).
fn regression_input(
    args: &Settings,
    pass: &Pass,
    attributes: &mut Vec<AttributeReport>,
    warnings: &mut Vec<Warning>,
) -> InputReport {
    let file = pass.source.display.clone();
    let st = &pass.stats;
    let mut overall = RegSums::default();
    for r in &st.regression {
        overall.merge(r);
    }
    let rows_used = st.rows_used();
    let overall_means: Vec<Value> = st
        .row_metric_values
        .iter()
        .map(|vals| row_means(vals, 1, |_| 0)[0])
        .collect();
    let metrics_of = |r: &RegSums, means: &[Value]| {
        let mut m = Map::new();
        let mut u = Map::new();
        for (name, v) in r.values() {
            put(&mut m, &mut u, name.to_string(), v);
        }
        for (col, v) in pass.columns.row_metrics.iter().zip(means) {
            put(&mut m, &mut u, format!("mean_{col}"), *v);
        }
        (m, u)
    };
    let overall_values = overall.values();
    if args.edf.is_some() {
        warnings.push(Warning::new(
            &file,
            None,
            "--edf needs decisions (selected or not); a regression has none: not computed".into(),
        ));
    }
    let residual_bins = residual_bins(&st.residuals);
    for (name, attrs) in units(pass) {
        let (groups, _) = groups_of(st, &attrs, &pass.columns.groups);
        let histograms = residual_bins
            .as_ref()
            .map(|(edges, per_cell)| residual_histograms(st, &attrs, &groups, edges, per_cell));
        let (small, excluded, included) =
            included_groups(&groups, args, total_rows(&groups), (&file, &name), warnings);
        let mut disparities = Map::new();
        let mut undefined = Map::new();
        let mut disparity_of = |metric: &str, value: &dyn Fn(&Group) -> Value, ov: Value| {
            disparity_over(
                &groups,
                &included,
                metric,
                value,
                ov,
                (&file, &name),
                warnings,
            )
        };
        for (k, &(metric, ov)) in overall_values.iter().enumerate() {
            let mut d = disparity_of(metric, &|g: &Group| g.reg.values()[k].1, ov);
            if matches!(metric, "r2" | "mean_residual") {
                // Signed quantities: a ratio of them says nothing.
                let why = "a ratio of a quantity that can be negative is not reported";
                d.ratio = Err(why);
                d.ratio_to_overall = Err(why);
            }
            insert_disparity(&mut disparities, &mut undefined, metric, &d);
        }
        for (m, (col, ov)) in pass
            .columns
            .row_metrics
            .iter()
            .zip(&overall_means)
            .enumerate()
        {
            let metric = format!("mean_{col}");
            let d = disparity_of(&metric, &|g: &Group| g.row_means[m], *ov);
            insert_disparity(&mut disparities, &mut undefined, &metric, &d);
        }
        let mut d = (disparities, undefined);
        let prediction = pass.columns.prediction.clone().unwrap_or_default();
        let dist = distribution_parts(
            &groups,
            &included,
            &attrs,
            pass,
            args,
            Some(&prediction),
            (&file, &name),
            warnings,
            &mut d,
        );
        let (disparities, undefined) = d;
        let total_w = overall.w;
        let mut group_reports: Vec<GroupReport> = groups
            .iter()
            .zip(&small)
            .enumerate()
            .map(|(gi, (g, &is_small))| {
                let (metrics, und) = metrics_of(&g.reg, &g.row_means);
                GroupReport {
                    group: g.name.clone(),
                    values: g.values.iter().cloned().collect(),
                    n: g.rows,
                    weight: g.reg.w,
                    share: (total_w > 0.0).then(|| g.reg.w / total_w),
                    small: is_small,
                    selected: None,
                    counts: None,
                    rows: None,
                    metrics,
                    undefined: und,
                    intervals: Map::new(),
                    reliability: Vec::new(),
                    vs_reference: Map::new(),
                    bootstrap: Map::new(),
                    roc: Vec::new(),
                    residuals: histograms
                        .as_ref()
                        .map(|h| h[gi].clone())
                        .unwrap_or_default(),
                    excluded: excluded[gi].clone(),
                    unknown: g.missing,
                }
            })
            .collect();
        let distribution = attach_distribution(&mut group_reports, dist);
        attributes.push(AttributeReport {
            file: file.clone(),
            class: None,
            name: name.clone(),
            columns: attrs
                .iter()
                .map(|&a| pass.columns.groups[a].clone())
                .collect(),
            groups: group_reports,
            disparities,
            undefined,
            xauc: Vec::new(),
            disparities_bootstrap: Map::new(),
            conditional: None,
            reference: None,
            most_selected_group: None,
            distribution,
            differential_fairness: None,
        });
    }
    let (metrics, undefined) = metrics_of(&overall, &overall_means);
    debug_assert_eq!(overall_values.len(), REGRESSION_METRICS.len());
    input_report(
        pass,
        Overall {
            reliability: Vec::new(),
            n: rows_used,
            weight: overall.w,
            counts: None,
            metrics,
            undefined,
        },
    )
}

/// One input's part of the report: what was read, dropped and used, and its overall values.
fn input_report(pass: &Pass, overall: Overall) -> InputReport {
    let st = &pass.stats;
    InputReport {
        path: pass.source.display.clone(),
        format: pass.source.format.name().to_string(),
        rows_read: st.rows_read,
        rows_used: overall.n,
        rows_dropped: Dropped::list(&st.dropped),
        columns: pass.columns.clone(),
        classes: Vec::new(),
        overall,
        decisions: None,
    }
}

/// Which groups take part in the comparisons. Small groups (fewer than `--min-group-size`
/// rows: flagged, left out of every disparity), groups under `--exclude-below` of the
/// attribute's rows and, with `--exclude-unknown`, unknown categories (a missing value) are
/// left out, each with its reason; returns (small, why left out, indices of the others) and
/// warns about each situation.
fn included_groups(
    groups: &[Group],
    args: &Settings,
    total_rows: u64,
    (file, name): (&str, &str),
    warnings: &mut Vec<Warning>,
) -> (Vec<bool>, Vec<Option<String>>, Vec<usize>) {
    let min = args.min_group_size;
    let small: Vec<bool> = groups.iter().map(|g| g.rows < min).collect();
    let small_names: Vec<&str> = (0..groups.len())
        .filter(|&i| small[i])
        .map(|i| groups[i].name.as_str())
        .collect();
    if !small_names.is_empty() {
        warnings.push(Warning::new(
            file,
            Some(name),
            format!(
                "groups with fewer than {min} rows are flagged and left out of every disparity: {}",
                small_names.join(", ")
            ),
        ));
    }
    let excluded: Vec<Option<String>> = groups
        .iter()
        .zip(&small)
        .map(|(g, &is_small)| {
            if is_small {
                Some(format!("fewer than {min} rows (--min-group-size)"))
            } else if g.missing && args.exclude_unknown {
                Some("unknown category (a missing value)".to_string())
            } else {
                args.exclude_below
                    .filter(|&share| (g.rows as f64) < share * total_rows as f64)
                    .map(|share| {
                        format!(
                            "under {}% of the rows (--exclude-below {share})",
                            (share * 1e6).round() / 1e4
                        )
                    })
            }
        })
        .collect();
    let left_out: Vec<String> = (0..groups.len())
        .filter(|&i| !small[i] && excluded[i].is_some())
        .map(|i| format!("{} ({} rows)", groups[i].name, groups[i].rows))
        .collect();
    if !left_out.is_empty() {
        warnings.push(Warning::new(
            file,
            Some(name),
            format!(
                "left out of every disparity and impact ratio, shown with their counts and rates: {}",
                left_out.join(", ")
            ),
        ));
    }
    let included: Vec<usize> = (0..groups.len())
        .filter(|&i| excluded[i].is_none())
        .collect();
    if included.is_empty() && !groups.is_empty() {
        warnings.push(Warning::new(
            file,
            Some(name),
            "every group is left out of the comparisons: no disparity, impact ratio or test (check --min-group-size / --exclude-below)".into(),
        ));
    }
    if included.len() == 1 {
        warnings.push(Warning::new(
            file,
            Some(name),
            "only one group takes part in the disparities: they are undefined (a disparity compares two or more groups)".into(),
        ));
    }
    (small, excluded, included)
}

/// The disparities of one metric over the included groups whose value is defined; the groups
/// left out for an undefined value are named in a warning.
fn disparity_over(
    groups: &[Group],
    included: &[usize],
    metric: &str,
    value: &dyn Fn(&Group) -> Value,
    overall: Value,
    (file, name): (&str, &str),
    warnings: &mut Vec<Warning>,
) -> Disparity {
    let mut vals = Vec::new();
    let mut left_out = Vec::new();
    for &i in included {
        match value(&groups[i]) {
            Ok(v) => vals.push(v),
            Err(_) => left_out.push(groups[i].name.as_str()),
        }
    }
    if !left_out.is_empty() {
        warnings.push(Warning::new(
            file,
            Some(name),
            format!(
                "{metric} is undefined for {} and left out of its disparities",
                left_out.join(", ")
            ),
        ));
    }
    if vals.len() < 2 {
        return crate::stats::disparity::undefined(crate::stats::reason(format!(
            "{metric} is defined for {} of {} groups; a disparity compares two or more",
            vals.len(),
            included.len()
        )));
    }
    disparity(&vals, overall)
}
