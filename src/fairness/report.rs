//! The `audit-fairness` report model (documented in docs/report-schema.md) and its renderings.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::fairness::decisions::{Decisions, Rank};
use crate::fairness::metrics::RATES;
use crate::fairness::regression::REGRESSION_METRICS;
use crate::fairness::scores::{Bin, SCORE_METRICS};
use crate::gate::GateResult;
use crate::render::ReportFormat;
use crate::render::{csv_num, fmt_num, grid, use_colour, Dropped, Rendered, Warning};

#[derive(Debug, Clone, Serialize)]
pub struct FairnessReport {
    pub schema_version: u32,
    pub command: String,
    pub fairaudit_version: String,
    pub settings: ReportedSettings,
    pub inputs: Vec<InputReport>,
    pub attributes: Vec<AttributeReport>,
    /// With --preset: the rule's tables (LL144) or adverse-impact analysis (EEOC).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub legal: Option<super::legal::LegalView>,
    /// With --baseline: each input against its baseline (flips, changes, McNemar).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<super::paired_view::Comparison>,
    /// With --reference-decisions: each input's dominance check.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dominance: Vec<super::paired_view::Dominance>,
    pub warnings: Vec<Warning>,
    /// With several --threshold values or --threshold-sweep: the attributes at each threshold.
    pub thresholds: Vec<ThresholdReport>,
    /// `--suggest-thresholds`: the group thresholds, before and after, the trade-off curve.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_thresholds: Option<crate::fairness::suggest::SuggestView>,
    pub gates: Vec<GateResult>,
    pub passed: bool,
    /// With --plot DIR: the chart files written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plots: Vec<crate::render::html::PlotFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ThresholdReport {
    /// The threshold on the score; `null` in a sweep over `--top-k` / `--top-fraction` values.
    pub threshold: Option<f64>,
    /// A sweep over `--top-k` / `--top-fraction`: the value, and each input's decisions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_fraction: Option<f64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<Decisions>,
    pub attributes: Vec<AttributeReport>,
}

impl ThresholdReport {
    /// The sweep's x value: the threshold, k, or the fraction.
    pub fn x(&self) -> f64 {
        match (self.threshold, self.top_k, self.top_fraction) {
            (Some(t), _, _) => t,
            (None, Some(k), _) => k as f64,
            (None, None, Some(f)) => f,
            (None, None, None) => f64::NAN,
        }
    }

    /// The row label: `0.3`, or `top 300` (with the cut-off score when there is one ranking).
    pub fn label(&self) -> String {
        let rank = match (self.threshold, self.top_k, self.top_fraction) {
            (Some(t), _, _) => return format!("{t}"),
            (None, Some(k), _) => Rank::Count(k),
            (None, None, Some(f)) => Rank::Fraction(f),
            (None, None, None) => return String::new(),
        };
        match &self.decisions[..] {
            [d] if d.rankings.len() == 1 => {
                format!("{}, cut-off {}", rank.label(), d.rankings[0].cutoff_score)
            }
            _ => rank.label(),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct ReportedSettings {
    /// binary, regression or multiclass.
    pub task: String,
    /// With --task auto, when the label was not binary: why this task was chosen.
    pub task_detected: Option<String>,
    /// Multiclass: the classes reported (one-vs-rest each), in order.
    pub classes: Vec<String>,
    pub positive: Option<String>,
    pub pred_positive: Option<String>,
    pub missing: String,
    pub min_group_size: u64,
    pub max_groups: usize,
    pub equalized_odds_agg: String,
    pub four_fifths_threshold: f64,
    /// Calibration bins (--bins) and how they are made (--binning): equal_width or equal_mass.
    pub calibration_bins: usize,
    pub calibration_binning: String,
    /// α of `generalized_entropy_index` (--alpha).
    pub generalized_entropy_alpha: f64,
    /// Level of every interval (--ci).
    pub confidence: f64,
    /// How the per-group rate intervals are computed.
    pub interval_method: String,
    /// --bootstrap replicates (0: none) and --seed.
    pub bootstrap: usize,
    pub seed: u64,
    /// When scores were rounded to this grid and equal rows merged (--score-resolution, or more
    /// than 20M scored rows): ROC AUCs carry `roc_auc_max_error`.
    pub score_resolution: Option<f64>,
    /// No label column (none given or found, or --no-label): every metric that needs the
    /// outcome is absent from the report.
    pub label_free: bool,
    /// --preset: ll144 or eeoc.
    pub preset: Option<String>,
    /// --exclude-below: groups under this share of an attribute's rows are left out of the
    /// comparisons.
    pub exclude_below: Option<f64>,
    /// Unknown categories (a missing sensitive value) are left out of the comparisons
    /// (--exclude-unknown, --preset).
    pub exclude_unknown: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct InputReport {
    pub path: String,
    pub format: String,
    pub rows_read: u64,
    pub rows_used: u64,
    pub rows_dropped: Vec<Dropped>,
    pub columns: UsedColumns,
    pub overall: Overall,
    /// Multiclass: the one-vs-rest overall of each class.
    pub classes: Vec<ClassOverall>,
    /// `--top-k` / `--top-fraction`: how the decisions were made by rank.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decisions: Option<Decisions>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ClassOverall {
    pub class: String,
    pub overall: Overall,
}

#[derive(Debug, Clone, Serialize)]
pub struct UsedColumns {
    /// `null`: a label-free audit (no label column given or found, or --no-label).
    pub label: Option<String>,
    /// `--preset ll144` with a score: the median score of every row with a score; a row is
    /// selected (scored above the median) when its score is greater.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scoring_median: Option<f64>,
    pub prediction: Option<String>,
    pub score: Option<String>,
    pub threshold: Option<f64>,
    pub weight: Option<String>,
    pub groups: Vec<String>,
    /// --row-metric columns: averaged per group as `mean_<column>`.
    pub row_metrics: Vec<String>,
    /// --condition, and with --condition-bins the bin edges (bin k is [edges[k], edges[k+1]]).
    pub condition: Option<String>,
    pub condition_edges: Option<Vec<f64>>,
    /// The flags whose column was detected by its name.
    pub detected: Vec<String>,
    /// `--within`: the column whose values are ranked apart (`--top-k`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub within: Option<String>,
    /// `--group-thresholds`: the attribute and each group's threshold (`threshold` is then null).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group_thresholds: Option<crate::fairness::thresholds::GroupThresholds>,
    /// `--baseline` / `--reference-decisions`: the other decisions read on the same rows.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub others: Vec<OtherColumn>,
}

/// Another decision-maker's column, read on the audited rows (`--baseline`,
/// `--reference-decisions`).
#[derive(Debug, Clone, Serialize)]
pub struct OtherColumn {
    /// `baseline` or `reference_decisions`.
    pub role: String,
    pub column: String,
    /// `--baseline-file`: the file the column is in (joined on `id`); `null`: the audited file.
    pub file: Option<String>,
    /// The id column of the join.
    pub id: Option<String>,
    /// A score column thresholded like the audited score (at this threshold); `null`: a
    /// decision column.
    pub threshold: Option<f64>,
    /// `--baseline-file`: how the rows matched.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join: Option<JoinCounts>,
}

/// How the audited rows matched a baseline file's rows by id.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct JoinCounts {
    /// Audited rows whose id occurs once in each file: the rows compared.
    pub matched: u64,
    /// Audited rows whose id is not in the baseline file (or is missing).
    pub unmatched: u64,
    /// Baseline rows whose id is not in the audited file.
    pub baseline_unmatched: u64,
    /// Ids that occur more than once in the audited / the baseline file: their rows are left
    /// out of the comparison (which of them would pair is unknown).
    pub duplicate_ids: u64,
    pub baseline_duplicate_ids: u64,
    /// Audited rows the join leaves without a baseline row: unmatched or with a duplicated id
    /// (the comparison also leaves out rows whose baseline value is missing:
    /// `comparisons[].rows_left_out`).
    pub rows_left_out: u64,
    /// A few unmatched ids of each file, for messages.
    #[serde(skip)]
    pub examples: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Overall {
    /// With a score column: the reliability table of all rows.
    pub reliability: Vec<Bin>,
    pub n: u64,
    pub weight: f64,
    /// Binary (and one-vs-rest) audits: the weighted confusion counts.
    pub counts: Option<Counts>,
    pub metrics: Map<String, Json>,
    pub undefined: Map<String, Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    pub tp: f64,
    pub fp: f64,
    pub tn: f64,
    #[serde(rename = "fn")]
    pub fn_: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct XaucPair {
    pub positive_group: String,
    pub negative_group: String,
    /// P(score of a positive of positive_group > score of a negative of negative_group), ties ½.
    pub xauc: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Conditional {
    pub condition: String,
    pub strata: Vec<Stratum>,
    /// Σ_s (W_s / W) · difference_s over the strata with a difference.
    pub conditional_demographic_parity_difference: Option<f64>,
    /// Σ_s (W_s / W) · ratio_s over the strata with a ratio.
    pub conditional_demographic_parity_ratio: Option<f64>,
    pub undefined: Map<String, Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Stratum {
    pub stratum: String,
    pub n: u64,
    pub weight: f64,
    /// Group → selection rate within the stratum.
    pub selection_rate: Map<String, Json>,
    pub selection_rate_difference: Option<f64>,
    pub selection_rate_ratio: Option<f64>,
    pub undefined: Option<String>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct RowCounts {
    pub tp: u64,
    pub fp: u64,
    pub tn: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
}

impl RowCounts {
    /// Rows of the quadrants in `mask` (bit 2·y + p: 1 tn, 2 fp, 4 fn, 8 tp).
    pub fn sum(&self, mask: u8) -> u64 {
        [self.tn, self.fp, self.fn_, self.tp]
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, v)| v)
            .sum()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AttributeReport {
    pub file: String,
    /// Multiclass: the class of this one-vs-rest report.
    pub class: Option<String>,
    /// The attribute's column, or the columns of an intersection joined with `&`.
    pub name: String,
    pub columns: Vec<String>,
    pub groups: Vec<GroupReport>,
    /// Every disparity: number, `null` (undefined; reason in `undefined`) or boolean.
    pub disparities: Map<String, Json>,
    pub undefined: Map<String, Json>,
    /// With --score: cross-group AUC of every ordered pair of included groups (up to 50 groups).
    pub xauc: Vec<XaucPair>,
    /// With --bootstrap: disparity → [lower, upper] percentile interval at settings.confidence.
    pub disparities_bootstrap: Map<String, Json>,
    /// With --condition: selection-rate disparities per stratum and their weighted aggregate.
    pub conditional: Option<Conditional>,
    /// With --reference: how the reference group was chosen and which it is, per metric.
    pub reference: Option<ReferenceView>,
    /// Binary decisions: the included group with the highest selection rate (first in report
    /// order on a tie), the reference of the impact ratios, significance tests and shortfalls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub most_selected_group: Option<String>,
    /// With --distribution: the score-distribution settings and every pair's KS and W1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<crate::fairness::distribution::DistributionView>,
    /// With --edf: empirical differential fairness, its pair and outcome, smoothed rates.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub differential_fairness: Option<crate::fairness::edf::EdfView>,
}

impl AttributeReport {
    /// The attribute's name, with the class of a one-vs-rest report (`race [class High]`).
    pub fn display_name(&self) -> String {
        match &self.class {
            Some(c) => format!("{} [class {c}]", self.name),
            None => self.name.clone(),
        }
    }
}

/// The reference view of one attribute.
#[derive(Debug, Clone, Serialize)]
pub struct ReferenceView {
    /// given, largest or min_metric.
    pub method: String,
    /// Metric → the reference group's name.
    pub groups: Map<String, Json>,
    /// The parity band (--parity-band): fair when band ≤ ratio ≤ 1 / band.
    pub band: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    /// The group's value, or an intersection's values joined with `&`.
    pub group: String,
    /// Column → value.
    pub values: BTreeMap<String, String>,
    /// Rows in the group.
    pub n: u64,
    /// Sum of the rows' weights (= n without --weight).
    pub weight: f64,
    /// weight / total weight of the rows used.
    pub share: Option<f64>,
    /// Fewer rows than --min-group-size: shown, but left out of the disparities.
    pub small: bool,
    /// Binary decisions: the weight of the group's selections (predicted positive; = rows
    /// without --weight).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selected: Option<f64>,
    /// Why the group is left out of the disparities and impact ratios (--min-group-size,
    /// --exclude-below, an unknown category with --exclude-unknown); absent when it takes part.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excluded: Option<String>,
    /// A value of the group is missing (an unknown category: the `(missing)` group).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unknown: bool,
    /// Weighted confusion counts (= row counts without --weight); not for regression.
    pub counts: Option<Counts>,
    /// Rows per confusion cell (unweighted); not for regression.
    pub rows: Option<RowCounts>,
    pub metrics: Map<String, Json>,
    pub undefined: Map<String, Json>,
    /// Rate → [lower, upper] (Wilson, at `settings.confidence`), null where the rate is undefined.
    pub intervals: Map<String, Json>,
    /// With a score column: the reliability table (non-empty bins) behind the ECE.
    pub reliability: Vec<Bin>,
    /// With --reference: metric → {ratio, difference, parity} against the reference group.
    pub vs_reference: Map<String, Json>,
    /// With --bootstrap: metric → [lower, upper] percentile interval at settings.confidence.
    pub bootstrap: Map<String, Json>,
    /// With --format html or --plot and a score: the ROC curve (false positive rate, true
    /// positive rate), a point every 0.005 of FPR + TPR; charts only, not in the JSON.
    #[serde(skip)]
    pub roc: Vec<(f64, f64)>,
    /// With --format html or --plot, regression: the residual histogram (bin edges, weighted
    /// counts); charts only, not in the JSON.
    #[serde(skip)]
    pub residuals: (Vec<f64>, Vec<f64>),
}

fn f(m: &Map<String, Json>, k: &str) -> Option<f64> {
    m.get(k).and_then(Json::as_f64)
}

/// What the text renderings show that the report does not hold: the group table's columns
/// (`--metrics`, empty: the default set) and `--min-group-size` for the legend.
#[derive(Debug, Clone, Default)]
pub struct View {
    pub metrics: Vec<String>,
    pub min_group_size: u64,
}

pub fn render(
    r: &FairnessReport,
    format: ReportFormat,
    view: &View,
    page: Option<&crate::render::html::Page>,
) -> Result<Rendered> {
    crate::render::render_with(
        r,
        format,
        r.passed,
        &r.gates,
        r.info(),
        || csv(r),
        |md| text(r, md, view),
        page,
    )
}

impl FairnessReport {
    /// The command, inputs and warnings, for the CI formats.
    pub fn info(&self) -> crate::render::ReportInfo {
        crate::render::ReportInfo {
            command: self.command.clone(),
            inputs: self.inputs.iter().map(|i| i.path.clone()).collect(),
            warnings: self.warnings.clone(),
        }
    }
}

/// Long format: one row per (file, attribute, group, metric), disparities with an empty group.
fn csv(r: &FairnessReport) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["file", "attribute", "group", "metric", "value", "note"])?;
    for inp in &r.inputs {
        for (k, v) in &inp.overall.metrics {
            let note = inp
                .overall
                .undefined
                .get(k)
                .and_then(Json::as_str)
                .unwrap_or("");
            w.write_record([&inp.path, "", "(overall)", k, &csv_num(v.as_f64()), note])?;
        }
    }
    for inp in &r.inputs {
        for c in &inp.classes {
            let scope = format!("[class {}]", c.class);
            for (k, v) in &c.overall.metrics {
                let note = c
                    .overall
                    .undefined
                    .get(k)
                    .and_then(Json::as_str)
                    .unwrap_or("");
                w.write_record([
                    &inp.path,
                    &scope,
                    "(overall)",
                    k,
                    &csv_num(v.as_f64()),
                    note,
                ])?;
            }
        }
    }
    for a in &r.attributes {
        csv_attribute(&mut w, a, &a.display_name())?;
    }
    if let Some(v) = &r.suggested_thresholds {
        let file = r.inputs.first().map_or("", |i| i.path.as_str());
        for row in crate::fairness::suggest::csv_rows(v, file) {
            w.write_record(&row)?;
        }
    }
    for t in &r.thresholds {
        for a in &t.attributes {
            let name = match t.threshold {
                Some(th) => format!("{} [threshold {th}]", a.display_name()),
                None => format!("{} [{}]", a.display_name(), t.label()),
            };
            csv_attribute(&mut w, a, &name)?;
        }
    }
    for row in super::paired_view::csv_rows(&r.comparisons, &r.dominance) {
        w.write_record(&row)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// One attribute's groups, disparities and optional views; `name` labels the `attribute` column.
fn csv_attribute(w: &mut csv::Writer<Vec<u8>>, a: &AttributeReport, name: &str) -> Result<()> {
    {
        for g in &a.groups {
            let small = if g.small {
                "small group: left out of disparities"
            } else {
                g.excluded.as_deref().unwrap_or("")
            };
            w.write_record([&a.file, name, &g.group, "n", &g.n.to_string(), small])?;
            w.write_record([
                &a.file,
                name,
                &g.group,
                "weight",
                &csv_num(Some(g.weight)),
                "",
            ])?;
            w.write_record([&a.file, name, &g.group, "share", &csv_num(g.share), ""])?;
            if let Some(c) = &g.counts {
                for (k, v) in [("tp", c.tp), ("fp", c.fp), ("tn", c.tn), ("fn", c.fn_)] {
                    w.write_record([&a.file, name, &g.group, k, &csv_num(Some(v)), ""])?;
                }
            }
            if g.selected.is_some() {
                w.write_record([
                    &a.file,
                    name,
                    &g.group,
                    "selected",
                    &csv_num(g.selected),
                    "",
                ])?;
            }
            for (k, v) in &g.metrics {
                let note = g.undefined.get(k).and_then(Json::as_str).unwrap_or("");
                w.write_record([&a.file, name, &g.group, k, &csv_num(v.as_f64()), note])?;
                if let Some(Json::Array(iv)) = g.intervals.get(k) {
                    // The impact ratio's is Katz's log interval; the rates' Wilson's.
                    let method = if k == "disparate_impact_ratio" {
                        "katz"
                    } else {
                        "wilson"
                    }
                    .to_string();
                    for (end, v) in ["lower", "upper"].iter().zip(iv) {
                        w.write_record([
                            &a.file,
                            name,
                            &g.group,
                            &format!("{k}.{end}"),
                            &csv_num(v.as_f64()),
                            &method,
                        ])?;
                    }
                }
            }
        }
        for (k, v) in &a.disparities {
            let value = match v {
                Json::Bool(b) => b.to_string(),
                other => csv_num(other.as_f64()),
            };
            let note = a.undefined.get(k).and_then(Json::as_str).unwrap_or("");
            w.write_record([&a.file, name, "", k, &value, note])?;
        }
        csv_views(w, a, name)?;
    }
    Ok(())
}

/// The optional views in long format: bootstrap intervals, the reference view, xAUC pairs and the
/// conditional strata (docs/report-schema.md, "CSV").
fn csv_views(w: &mut csv::Writer<Vec<u8>>, a: &AttributeReport, name: &str) -> Result<()> {
    let ends = |w: &mut csv::Writer<Vec<u8>>, group: &str, key: &str, iv: &Json| -> Result<()> {
        if let Json::Array(v) = iv {
            for (end, x) in ["lower", "upper"].iter().zip(v) {
                w.write_record([
                    &a.file,
                    name,
                    group,
                    &format!("{key}.bootstrap_{end}"),
                    &csv_num(x.as_f64()),
                    "bootstrap",
                ])?;
            }
        }
        Ok(())
    };
    for g in &a.groups {
        for (k, iv) in &g.bootstrap {
            ends(w, &g.group, k, iv)?;
        }
        for (m, c) in &g.vs_reference {
            let note = c["undefined"]
                .as_str()
                .unwrap_or(match c["parity"].as_bool() {
                    Some(true) => "parity",
                    Some(false) => "no parity",
                    None => "",
                });
            w.write_record([
                &a.file,
                name,
                &g.group,
                &format!("{m}.ratio_to_reference"),
                &csv_num(c["ratio"].as_f64()),
                note,
            ])?;
            w.write_record([
                &a.file,
                name,
                &g.group,
                &format!("{m}.difference_to_reference"),
                &csv_num(c["difference"].as_f64()),
                "",
            ])?;
            if let Some(p) = c["p_value"].as_f64() {
                w.write_record([
                    &a.file,
                    name,
                    &g.group,
                    &format!("{m}.p_value"),
                    &csv_num(Some(p)),
                    "two-proportion z-test",
                ])?;
            }
        }
    }
    for (k, iv) in &a.disparities_bootstrap {
        ends(w, "", k, iv)?;
    }
    for x in &a.xauc {
        let pair = format!("{}|{}", x.positive_group, x.negative_group);
        w.write_record([
            &a.file,
            name,
            &pair,
            "xauc",
            &csv_num(x.xauc),
            "positive group|negative group",
        ])?;
    }
    if let Some(c) = &a.conditional {
        for s in &c.strata {
            let group = format!("{}={}", c.condition, s.stratum);
            let note = s.undefined.as_deref().unwrap_or("");
            w.write_record([
                &a.file,
                name,
                &group,
                "selection_rate_difference",
                &csv_num(s.selection_rate_difference),
                note,
            ])?;
            w.write_record([
                &a.file,
                name,
                &group,
                "selection_rate_ratio",
                &csv_num(s.selection_rate_ratio),
                note,
            ])?;
        }
        for (k, v) in [
            (
                "conditional_demographic_parity_difference",
                c.conditional_demographic_parity_difference,
            ),
            (
                "conditional_demographic_parity_ratio",
                c.conditional_demographic_parity_ratio,
            ),
        ] {
            let note = c.undefined.get(k).and_then(Json::as_str).unwrap_or("");
            w.write_record([&a.file, name, "", k, &csv_num(v), note])?;
        }
    }
    Ok(())
}

/// Human-readable report: a terminal table (`markdown == false`) or GitHub Markdown.
fn text(r: &FairnessReport, markdown: bool, view: &View) -> String {
    let colour = !markdown && use_colour();
    let mut out = String::new();
    let many = r.inputs.len() > 1;
    if markdown {
        out.push_str("# fairaudit audit-fairness\n\n");
    }
    for inp in &r.inputs {
        let line = input_line(r, inp);
        if markdown {
            let _ = writeln!(out, "**{}**\n", crate::render::markdown_text(&line));
        } else {
            let _ = writeln!(out, "{line}");
        }
    }
    out.push('\n');
    for inp in &r.inputs {
        if let Some(d) = &inp.decisions {
            let file = many.then_some(inp.path.as_str());
            out.push_str(&crate::fairness::decisions::text(file, d, markdown));
        }
    }

    let regression = r.settings.task == "regression";
    if let Some(legal) = &r.legal {
        // --preset: the rule's tables stand for the per-attribute tables (the JSON has both).
        out.push_str(&super::legal::text(legal, many, markdown));
    }
    for a in r.attributes.iter().filter(|_| r.legal.is_none()) {
        let mut title = a.name.clone();
        if let Some(c) = &a.class {
            title = format!("{title} — class {c} vs rest");
        }
        if many {
            title = format!("{title} — {}", a.file);
        }
        if markdown {
            let _ = writeln!(out, "## {}\n", crate::render::markdown_text(&title));
        } else {
            let _ = writeln!(out, "{title}");
        }
        let scored = a
            .groups
            .first()
            .is_some_and(|g| g.metrics.contains_key("roc_auc"));
        out.push_str(&group_table(
            a,
            (regression, scored, r.settings.label_free),
            markdown,
            view,
        ));
        out.push_str(&disparity_table(r, a, regression, scored, markdown, colour));
        out.push_str(&crate::render::undefined_notes(&a.undefined, markdown));
        out.push('\n');
        out.push_str(&extra_views(a, markdown, view));
        let labels: Vec<(String, &Map<String, Json>)> = a
            .groups
            .iter()
            .map(|g| (group_label(g), &g.metrics))
            .collect();
        out.push_str(&crate::fairness::distribution::text(
            &a.name,
            a.distribution.as_ref(),
            a.differential_fairness.as_ref(),
            &labels,
            &a.disparities,
            markdown,
        ));
    }
    out.push_str(&threshold_view(r, markdown));
    out.push_str(&super::paired_view::text(
        &r.comparisons,
        &r.dominance,
        many,
        markdown,
    ));
    if let Some(v) = &r.suggested_thresholds {
        out.push_str(&crate::fairness::suggest::text(v, markdown));
    }

    out.push_str(&crate::render::gates_and_warnings(
        &r.gates,
        &r.warnings,
        markdown,
        colour,
    ));
    out
}

/// One input's line: rows used and dropped, the columns of each role, the task.
fn input_line(r: &FairnessReport, inp: &InputReport) -> String {
    let c = &inp.columns;
    let pred = match (&c.prediction, &c.score, c.threshold) {
        _ if inp.decisions.is_some() => inp
            .decisions
            .as_ref()
            .map(|d| d.summary())
            .unwrap_or_default(),
        (Some(p), _, _) => format!("prediction `{p}`"),
        (None, Some(s), None) if c.group_thresholds.is_some() => {
            let g = c.group_thresholds.as_ref().expect("checked");
            let ts: Vec<String> = g
                .thresholds
                .iter()
                .map(|t| format!("{} {}", t.group, t.threshold))
                .collect();
            format!(
                "prediction `{s}` >= the threshold of the row's {} ({})",
                g.attribute,
                ts.join(", ")
            )
        }
        (None, Some(s), None) if c.scoring_median.is_some() => format!(
            "selected when `{s}` > the median score {}",
            c.scoring_median.unwrap_or_default()
        ),
        (None, Some(s), Some(t)) => format!("prediction `{s}` >= {t}"),
        _ => String::new(),
    };
    let detected = if c.detected.is_empty() {
        String::new()
    } else {
        format!(" (detected by name: {})", c.detected.join(", "))
    };
    let dropped = if inp.rows_dropped.is_empty() {
        String::new()
    } else {
        format!(", {} dropped", inp.rows_read - inp.rows_used)
    };
    let weight = c
        .weight
        .as_ref()
        .map(|w| format!(", weight `{w}`"))
        .unwrap_or_default();
    let task = match r.settings.task.as_str() {
        "binary" => String::new(),
        t => format!(
            " ({t}{})",
            r.settings
                .task_detected
                .as_ref()
                .map(|w| format!(": {w}"))
                .unwrap_or_default()
        ),
    };
    format!(
        "{}: {} rows used of {}{dropped}; {}, {pred}{weight}{detected}{task}",
        inp.path,
        inp.rows_used,
        inp.rows_read,
        match &c.label {
            Some(l) => format!("label `{l}`"),
            None => "no label (label-free audit)".to_string(),
        }
    )
}

/// Every column the per-group table can show: the metric's name as the JSON names it (and
/// `--metrics` takes), its header and what the header means (the legend under the table).
pub const TABLE_METRICS: [(&str, &str, &str); 42] = [
    ("share", "share", "share of the rows (weight)"),
    ("selected", "selected", "selections (weight of ŷ=1)"),
    ("base_rate", "base", "base rate P(y=1)"),
    ("selection_rate", "sel", "selection rate P(ŷ=1)"),
    ("true_positive_rate", "tpr", "true positive rate"),
    ("false_positive_rate", "fpr", "false positive rate"),
    ("true_negative_rate", "tnr", "true negative rate"),
    ("false_negative_rate", "fnr", "false negative rate"),
    ("positive_predictive_value", "ppv", "precision P(y=1 | ŷ=1)"),
    ("negative_predictive_value", "npv", "P(y=0 | ŷ=0)"),
    ("false_discovery_rate", "fdr", "false discovery rate"),
    ("false_omission_rate", "for", "false omission rate"),
    ("accuracy", "acc", "accuracy"),
    (
        "balanced_accuracy",
        "bal_acc",
        "balanced accuracy (tpr + tnr) / 2",
    ),
    ("f1", "f1", "F1 score"),
    (
        "disparate_impact_ratio",
        "di",
        "disparate impact: sel / the highest group's sel",
    ),
    (
        "predicted_positive_share",
        "ppr",
        "share of all predicted positives",
    ),
    (
        "z_statistic",
        "z",
        "two-proportion z against the most-selected group",
    ),
    (
        "z_test_p_value",
        "z p",
        "two-sided z-test p-value against the most-selected group",
    ),
    (
        "fisher_exact_p_value",
        "fisher p",
        "Fisher's exact two-sided p-value against the most-selected group",
    ),
    (
        "shortfall_to_parity",
        "short=",
        "more selections needed to reach the most-selected group's rate",
    ),
    (
        "shortfall_to_four_fifths",
        "short⅘",
        "more selections needed to reach 4/5 of the most-selected group's rate",
    ),
    (
        "false_positives_per_group_size",
        "fp/n",
        "false positives per group size",
    ),
    (
        "false_negatives_per_group_size",
        "fn/n",
        "false negatives per group size",
    ),
    ("roc_auc", "auc", "ROC AUC"),
    ("bpsn_auc", "bpsn", "BPSN AUC"),
    ("bnsp_auc", "bnsp", "BNSP AUC"),
    ("brier_score", "brier", "Brier score"),
    ("log_loss", "logloss", "log loss"),
    (
        "expected_calibration_error",
        "ece",
        "expected calibration error",
    ),
    ("mean_absolute_error", "mae", "mean absolute error"),
    ("root_mean_squared_error", "rmse", "root mean squared error"),
    ("mean_squared_error", "mse", "mean squared error"),
    ("r2", "r2", "R²"),
    ("mean_label", "mean_y", "mean label"),
    ("mean_prediction", "mean_pred", "mean prediction"),
    (
        "mean_residual",
        "mean_res",
        "mean residual (prediction − label)",
    ),
    ("mean_score", "mean_score", "weighted mean score"),
    (
        "generalized_true_positive_rate",
        "gtpr",
        "mean score of the positives",
    ),
    (
        "generalized_false_positive_rate",
        "gfpr",
        "mean score of the negatives",
    ),
    ("ks_statistic", "ks", "KS statistic against the rest"),
    (
        "wasserstein_distance",
        "w1",
        "Wasserstein-1 distance to the rest",
    ),
];

/// The per-group table's columns without `--metrics` (binary and multiclass): what
/// practitioners read first. With a score column `roc_auc` and `expected_calibration_error`
/// follow; a regression shows `share` and every regression metric.
pub const DEFAULT_TABLE_METRICS: [&str; 8] = [
    "share",
    "base_rate",
    "selection_rate",
    "true_positive_rate",
    "false_positive_rate",
    "positive_predictive_value",
    "accuracy",
    "disparate_impact_ratio",
];

/// The per-group table's columns of a label-free audit without `--metrics`: the decisions
/// against the most-selected group (the adverse-impact analysis).
pub const LABEL_FREE_TABLE_METRICS: [&str; 7] = [
    "share",
    "selected",
    "selection_rate",
    "disparate_impact_ratio",
    "z_test_p_value",
    "fisher_exact_p_value",
    "shortfall_to_four_fifths",
];

/// Groups with fewer rows than this are marked `*` in the tables: their rates are too noisy to
/// read as a finding (display only; `--min-group-size` leaves groups out of the disparities).
pub const SMALL_GROUP_ROWS: u64 = crate::render::SMALL_SAMPLE;

/// A group's name as the tables show it: `†` when `--min-group-size` left it out of the
/// disparities, else `*` when it has fewer than [`SMALL_GROUP_ROWS`] rows.
fn group_label(g: &GroupReport) -> String {
    if g.small {
        format!("{}†", g.group)
    } else if g.n < SMALL_GROUP_ROWS {
        format!("{}*", g.group)
    } else {
        g.group.clone()
    }
}

/// The legend of the group marks used in `groups`.
fn group_marks(groups: &[GroupReport], min_group_size: u64) -> Vec<String> {
    let mut notes = Vec::new();
    if groups.iter().any(|g| !g.small && g.n < SMALL_GROUP_ROWS) {
        notes.push(format!(
            "* fewer than {SMALL_GROUP_ROWS} rows: rates are unreliable"
        ));
    }
    if groups.iter().any(|g| g.small) {
        notes.push(format!(
            "† fewer than {min_group_size} rows (--min-group-size): left out of every disparity"
        ));
    }
    notes
}

/// The table of every group's rates (or regression metrics), and the undefined ones by reason.
fn group_table(
    a: &AttributeReport,
    (regression, scored, label_free): (bool, bool, bool),
    markdown: bool,
    view: &View,
) -> String {
    let mut out = String::new();
    let chosen: Vec<&str> = if !view.metrics.is_empty() {
        view.metrics.iter().map(String::as_str).collect()
    } else if regression {
        std::iter::once("share").chain(REGRESSION_METRICS).collect()
    } else if label_free {
        LABEL_FREE_TABLE_METRICS.to_vec()
    } else if scored {
        DEFAULT_TABLE_METRICS
            .iter()
            .copied()
            .chain(["roc_auc", "expected_calibration_error"])
            .collect()
    } else {
        DEFAULT_TABLE_METRICS.to_vec()
    };
    // The chosen metrics this audit has (a score metric needs --score, ...).
    let cols: Vec<(&str, &str, &str)> = chosen
        .iter()
        .filter(|k| {
            matches!(**k, "share" | "selected")
                || a.groups.iter().any(|g| g.metrics.contains_key(**k))
        })
        .filter_map(|k| TABLE_METRICS.iter().find(|(n, _, _)| n == k).copied())
        .collect();
    // With several files the attribute's title names the file: no file column.
    let mut header = vec!["group".to_string(), "n".into()];
    header.extend(cols.iter().map(|(_, s, _)| s.to_string()));
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut notes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for g in &a.groups {
        let mut row = vec![group_label(g), crate::render::fmt_count(g.n)];
        for (k, _, _) in &cols {
            row.push(match *k {
                "share" => fmt_num(g.share),
                "selected" => crate::render::fmt_amount(g.selected),
                k if k.starts_with("shortfall_") => crate::render::fmt_amount(f(&g.metrics, k)),
                k if k.ends_with("_p_value") => crate::render::fmt_p(f(&g.metrics, k)),
                _ => fmt_num(f(&g.metrics, k)),
            });
        }
        rows.push(row);
        for (k, reason) in &g.undefined {
            if let (Some(reason), Some((_, short, _))) =
                (reason.as_str(), cols.iter().find(|(n, _, _)| n == k))
            {
                notes
                    .entry(reason.to_string())
                    .or_default()
                    .push(format!("{short} of {}", g.group));
            }
        }
    }
    out.push_str(&grid(&header, &rows, markdown, &[], 0));
    for (reason, cells) in &notes {
        let cells = cells.join(", ");
        let _ = writeln!(
            out,
            "{}— {}: {reason}",
            if markdown { "\n" } else { "" },
            if markdown {
                crate::render::markdown_text(&cells)
            } else {
                cells
            }
        );
    }
    let mut legend: Vec<String> = cols
        .iter()
        .filter(|(n, short, _)| n != short)
        .map(|(_, short, meaning)| format!("{short} = {meaning}"))
        .collect();
    legend.extend(group_marks(&a.groups, view.min_group_size));
    // --metrics names this audit does not have (a score metric without --score, ...): said, not
    // dropped silently.
    let absent: Vec<&str> = view
        .metrics
        .iter()
        .map(String::as_str)
        .filter(|k| !cols.iter().any(|(n, _, _)| n == k))
        .collect();
    if !absent.is_empty() {
        legend.push(format!(
            "not in this audit: {} (a label metric needs a label; a score metric --score; a regression metric a regression)",
            absent.join(", ")
        ));
    }
    if view.metrics.is_empty() {
        legend.push("more columns: --metrics NAME,... (see --help)".into());
    }
    out.push_str(&crate::render::note_lines(&legend, markdown));
    out.push('\n');

    out
}

/// The disparities of every criterion and rate (failing ones in red) and the four-fifths rule.
fn disparity_table(
    r: &FairnessReport,
    a: &AttributeReport,
    regression: bool,
    scored: bool,
    markdown: bool,
    colour: bool,
) -> String {
    let mut out = String::new();
    let header: Vec<String> = crate::render::header(&[
        "metric",
        "difference",
        "ratio",
        "difference to overall",
        "ratio to overall",
    ]);
    let mut rows = Vec::new();
    let failing = failing_names(r, a);
    let mut red = Vec::new();
    let names: Vec<&str> = if regression {
        REGRESSION_METRICS.to_vec()
    } else {
        crate::fairness::metrics::CRITERIA
            .iter()
            .map(|(n, _)| *n)
            .chain(["equalized_odds"])
            .chain(RATES.iter().map(|r| r.name()))
            .chain(SCORE_METRICS.iter().copied().filter(|_| scored))
            .collect()
    };
    for base in names {
        let keys = [
            format!("{base}_difference"),
            format!("{base}_ratio"),
            format!("{base}_difference_to_overall"),
            format!("{base}_ratio_to_overall"),
        ];
        // A label-free audit has no label metrics: their rows are left out, not shown empty.
        if !keys.iter().any(|k| a.disparities.contains_key(k)) {
            continue;
        }
        let mut row = vec![base.to_string()];
        for k in &keys {
            row.push(fmt_num(f(&a.disparities, k)));
            if failing.contains(k) {
                red.push((rows.len(), row.len() - 1));
            }
        }
        rows.push(row);
    }
    out.push_str(&grid(
        &header,
        &rows,
        markdown,
        if colour { &red } else { &[] },
        0,
    ));
    if !regression {
        let ff = match a.disparities.get("four_fifths_rule_passed") {
            Some(Json::Bool(true)) => "passed".to_string(),
            Some(Json::Bool(false)) => "FAILED".to_string(),
            _ => "— (undefined)".to_string(),
        };
        let _ = writeln!(
            out,
            "{}four-fifths rule (disparate impact ratio {} >= {}): {ff}",
            if markdown { "\n" } else { "" },
            fmt_num(f(&a.disparities, "disparate_impact_ratio")),
            r.settings.four_fifths_threshold
        );
    }
    out
}

/// The reference-group and conditional views of an attribute, when present.
fn extra_views(a: &AttributeReport, markdown: bool, view: &View) -> String {
    let mut out = String::new();
    let head = |out: &mut String, t: String| {
        let _ = writeln!(out, "{}", if markdown { format!("### {t}\n") } else { t });
    };
    if let Some(rv) = &a.reference {
        let metrics = [
            ("selection_rate", "sel"),
            ("predicted_positive_share", "ppr"),
            ("true_positive_rate", "tpr"),
            ("false_positive_rate", "fpr"),
            ("false_negative_rate", "fnr"),
            ("positive_predictive_value", "ppv"),
            ("false_discovery_rate", "fdr"),
            ("false_omission_rate", "for"),
        ];
        // The metrics the audit compared (a label-free audit: the selection rate and share).
        let metrics: Vec<(&str, &str)> = metrics
            .into_iter()
            .filter(|(m, _)| a.groups.iter().any(|g| g.vs_reference.contains_key(*m)))
            .collect();
        let refs: Vec<String> = metrics
            .iter()
            .filter_map(|(m, short)| {
                rv.groups
                    .get(*m)
                    .and_then(Json::as_str)
                    .map(|g| format!("{short}: {g}"))
            })
            .collect();
        let title = match rv.method.as_str() {
            "min_metric" => format!(
                "{}: ratio to the reference group (min-metric; {})",
                a.name,
                refs.join(", ")
            ),
            _ => format!(
                "{}: ratio to the reference group {} ({}); ✗ outside [{}, {:.4}]",
                a.name,
                rv.groups
                    .get("selection_rate")
                    .and_then(Json::as_str)
                    .unwrap_or("?"),
                rv.method,
                rv.band,
                1.0 / rv.band
            ),
        };
        head(&mut out, title);
        let mut header = vec!["group".to_string()];
        header.extend(metrics.iter().map(|(_, s)| s.to_string()));
        let rows: Vec<Vec<String>> = a
            .groups
            .iter()
            .map(|g| {
                let mut row = vec![group_label(g)];
                for (m, _) in &metrics {
                    let Some(c) = g.vs_reference.get(*m) else {
                        row.push("—".into());
                        continue;
                    };
                    let ratio = c["ratio"].as_f64();
                    let mark = match c["parity"].as_bool() {
                        Some(false) => " ✗",
                        _ => "",
                    };
                    row.push(format!("{}{mark}", fmt_num(ratio)));
                }
                row
            })
            .collect();
        out.push_str(&grid(&header, &rows, markdown, &[], 0));
        let mut legend: Vec<String> = metrics
            .iter()
            .filter_map(|(m, short)| {
                TABLE_METRICS
                    .iter()
                    .find(|(n, _, _)| n == m)
                    .map(|(_, _, meaning)| format!("{short} = {meaning}"))
            })
            .collect();
        legend.push("each the group's value / the reference group's".into());
        legend.extend(group_marks(&a.groups, view.min_group_size));
        out.push_str(&crate::render::note_lines(&legend, markdown));
        out.push('\n');
    }
    if let Some(c) = &a.conditional {
        head(
            &mut out,
            format!(
                "{}: selection rate within strata of {} (weighted difference {}, ratio {})",
                a.name,
                c.condition,
                fmt_num(c.conditional_demographic_parity_difference),
                fmt_num(c.conditional_demographic_parity_ratio)
            ),
        );
        let header: Vec<String> = crate::render::header(&["stratum", "n", "difference", "ratio"]);
        let rows: Vec<Vec<String>> = c
            .strata
            .iter()
            .map(|s| {
                vec![
                    s.stratum.clone(),
                    s.n.to_string(),
                    fmt_num(s.selection_rate_difference),
                    fmt_num(s.selection_rate_ratio),
                ]
            })
            .collect();
        out.push_str(&grid(&header, &rows, markdown, &[], 0));
        out.push('\n');
    }
    out
}

/// Headline disparities at every threshold of a sweep.
fn threshold_view(r: &FairnessReport, markdown: bool) -> String {
    if r.thresholds.is_empty() {
        return String::new();
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{}",
        match (markdown, r.thresholds[0].threshold.is_none()) {
            (true, false) => "## Threshold sweep\n",
            (false, false) => "threshold sweep",
            (true, true) => "## Sweep over k (decisions by rank)\n",
            (false, true) => "sweep over k (decisions by rank)",
        }
    );
    // The criteria the audit has (a label-free audit: demographic parity only).
    let keys: Vec<(&str, &str)> = [
        ("demographic_parity_difference", "dp diff"),
        ("demographic_parity_ratio", "dp ratio"),
        ("equalized_odds_difference", "eo diff"),
        ("equal_opportunity_difference", "eop diff"),
        ("accuracy_parity_difference", "acc diff"),
    ]
    .into_iter()
    .filter(|(k, _)| {
        r.thresholds
            .iter()
            .flat_map(|t| &t.attributes)
            .any(|a| a.disparities.contains_key(*k))
    })
    .collect();
    let by_rank = r.thresholds[0].threshold.is_none();
    let mut header = vec![
        if by_rank { "decisions" } else { "threshold" }.to_string(),
        "attribute".into(),
    ];
    header.extend(keys.iter().map(|(_, s)| s.to_string()));
    let mut rows = Vec::new();
    for t in &r.thresholds {
        for a in &t.attributes {
            let mut row = vec![t.label(), a.name.clone()];
            row.extend(keys.iter().map(|(k, _)| fmt_num(f(&a.disparities, k))));
            rows.push(row);
        }
    }
    out.push_str(&grid(&header, &rows, markdown, &[], 1));
    let has = |short: &str| keys.iter().any(|(_, s)| s.split(' ').next() == Some(short));
    let legend: Vec<String> = [
        ("dp", "dp = demographic parity (selection rate)"),
        ("eo", "eo = equalized odds"),
        ("eop", "eop = equal opportunity (tpr)"),
        ("acc", "acc = accuracy parity"),
    ]
    .iter()
    .filter(|(short, _)| has(short))
    .map(|(_, text)| text.to_string())
    .chain([
        "diff = highest − lowest group".to_string(),
        "ratio = lowest / highest".to_string(),
    ])
    .collect();
    out.push_str(&crate::render::note_lines(&legend, markdown));
    out.push('\n');
    out
}

/// The disparity keys of attribute `a` that some failed gate names.
fn failing_names(r: &FairnessReport, a: &AttributeReport) -> Vec<String> {
    r.gates
        .iter()
        .flat_map(|g| g.failures.iter())
        .filter(|fl| {
            fl.file == a.file
                && fl.attribute.as_deref() == Some(a.name.as_str())
                && fl.group.is_none()
        })
        .map(|fl| fl.metric.clone())
        .collect()
}
