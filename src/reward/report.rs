//! The `audit-reward` report model (docs/report-schema.md, "audit-reward") and its renderings.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::gate::{self, GateResult, Gateable, Level, Number, Observation, Scope};
use crate::render::ReportFormat;
use crate::render::{csv_num, fmt_num, grid, use_colour, Dropped, Rendered, Warning};
use crate::reward::data::RewardColumns;
use crate::reward::settings::{Preset, Settings, Ties};
use crate::stats::Binning;

#[derive(Debug, Clone, Serialize)]
pub struct RewardReport {
    pub schema_version: u32,
    pub command: String,
    pub fairaudit_version: String,
    pub settings: RewardSettings,
    pub inputs: Vec<RewardInput>,
    pub warnings: Vec<Warning>,
    pub gates: Vec<GateResult>,
    pub passed: bool,
    /// With --plot DIR: the chart files written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plots: Vec<crate::render::html::PlotFile>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RewardSettings {
    /// --kind as given (auto, pairs, accuracies, styled); each input says what it was read as.
    pub kind: String,
    /// wrong | half | exclude.
    pub ties: String,
    /// none | rewardbench | rm-bench.
    pub preset: String,
    pub legacy_xstest: bool,
    pub calibration_bins: u16,
    pub calibration_binning: String,
    pub length_bins: u16,
    pub confidence: f64,
    pub bootstrap: usize,
    pub seed: u64,
}

impl RewardSettings {
    pub fn from_settings(a: &Settings) -> RewardSettings {
        RewardSettings {
            kind: a.kind.name().into(),
            ties: match a.ties {
                Ties::Wrong => "wrong",
                Ties::Half => "half",
                Ties::Exclude => "exclude",
            }
            .into(),
            preset: match a.preset {
                Preset::None => "none",
                Preset::Rewardbench => "rewardbench",
                Preset::RmBench => "rm-bench",
                Preset::Rewardbench2 => "rewardbench2",
            }
            .into(),
            legacy_xstest: a.legacy_xstest,
            calibration_bins: a.bins,
            calibration_binning: match a.binning {
                Binning::EqualWidth => "equal_width",
                Binning::EqualMass => "equal_mass",
            }
            .into(),
            length_bins: a.length_bins,
            confidence: a.ci,
            bootstrap: a.bootstrap,
            seed: a.seed,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct RewardInput {
    /// `--export-suspect`: written with the report once the run succeeds (not in the JSON).
    #[serde(skip)]
    pub side_files: Vec<crate::render::SideFile>,
    pub path: String,
    pub format: String,
    /// pairs | accuracies | styled.
    pub kind: String,
    pub rows_read: u64,
    /// Pairs (or RM-Bench records) with every score present.
    pub pairs_used: u64,
    pub rows_dropped: Vec<Dropped>,
    pub columns: Option<RewardColumns>,
    /// Every headline number by its gate name (`accuracy`, `rewardbench.chat_hard`,
    /// `length.pearson`, `calibration.ece`, `rm_bench.hard`, ...); null when undefined.
    pub metrics: Map<String, Json>,
    /// Name → why it is undefined.
    pub undefined: Map<String, Json>,
    /// With --bootstrap: name → [lower, upper] percentile interval (prompts resampled).
    pub intervals: Map<String, Json>,
    pub subsets: Vec<SubsetReport>,
    pub rewardbench: Option<RewardbenchPanel>,
    pub rm_bench: Option<RmBenchPanel>,
    pub rewardbench2: Option<Rewardbench2Panel>,
    pub length: Option<LengthPanel>,
    pub calibration: Option<CalibrationPanel>,
    pub groups: Vec<GroupPanel>,
    pub best_of_n: Option<BestOfNPanel>,
    pub ensemble: Option<EnsemblePanel>,
    pub policy: Option<PolicyPanel>,
    pub counterfactual: Option<CounterfactualPanel>,
    /// With --compare: the other file, McNemar per subset, score drift.
    pub comparison: Option<ComparisonPanel>,
}

/// `inputs[].counterfactual`: invariance per attribute and overall (`epsilon` the tolerance).
#[derive(Debug, Clone, Serialize)]
pub struct CounterfactualPanel {
    pub epsilon: f64,
    pub attributes: Vec<CounterfactualRow>,
    /// Share of score pairs with |perturbed − original| <= epsilon.
    pub invariance_rate: Option<f64>,
    pub mean_abs_delta: Option<f64>,
    pub mean_delta: Option<f64>,
    pub max_abs_delta: Option<f64>,
    /// Share of score pairs with |perturbed − original| > epsilon (1 − invariance rate).
    pub share_over_epsilon: Option<f64>,
    /// Wasserstein-1 distance between the perturbed and the original score distributions
    /// (LangFair's strict counterfactual parity; `stats::counterfactual::wasserstein1`).
    pub strict_parity: Option<f64>,
    /// Name → why it is undefined.
    pub undefined: Map<String, Json>,
}

/// One attribute of the counterfactual panel (deltas are perturbed − original, in score units).
#[derive(Debug, Clone, Serialize)]
pub struct CounterfactualRow {
    pub attribute: String,
    pub pairs: usize,
    pub invariance_rate: f64,
    pub mean_abs_delta: f64,
    pub mean_delta: f64,
    pub max_abs_delta: f64,
    pub share_over_epsilon: f64,
    pub strict_parity: Option<f64>,
}

/// `inputs[].best_of_n`: the best-of-n curve and Gao et al.'s fit (see `kinds::best_of_n`).
#[derive(Debug, Clone, Serialize)]
pub struct BestOfNPanel {
    pub prompts: usize,
    pub max_n: usize,
    pub columns: std::collections::BTreeMap<String, String>,
    pub curve: Vec<BestOfNPoint>,
    pub alpha: Option<f64>,
    pub beta: Option<f64>,
    pub r2: Option<f64>,
    pub peak_n: Option<f64>,
    pub peak_kl: Option<f64>,
    pub observed_peak_n: Option<f64>,
    pub gold_gain: Option<f64>,
    pub proxy_gain: Option<f64>,
    pub gain_gap: Option<f64>,
    pub undefined: Map<String, Json>,
}

/// One n of the best-of-n curve: KL_bon in nats, expected proxy and gold score, their gap.
#[derive(Debug, Clone, Serialize)]
pub struct BestOfNPoint {
    pub n: usize,
    pub kl: f64,
    pub proxy: f64,
    pub gold: f64,
    pub gap: f64,
}

/// `inputs[].rm_bench`: the 3×3 style matrix (rows chosen style, columns rejected style) over
/// all records and per domain; easy / normal / hard and their mean, averaged over domains.
#[derive(Debug, Clone, Serialize)]
pub struct RmBenchPanel {
    pub styles: [&'static str; 3],
    pub matrix: [[f64; 3]; 3],
    pub domains: Vec<RmBenchDomain>,
    pub easy: f64,
    pub normal: f64,
    pub hard: f64,
    pub score: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct RmBenchDomain {
    pub domain: String,
    pub records: usize,
    pub matrix: [[f64; 3]; 3],
    pub easy: f64,
    pub normal: f64,
    pub hard: f64,
    pub score: f64,
}

/// `inputs[].comparison` (`--compare`): McNemar's exact test per subset with Holm's
/// correction and overall, the accuracy difference (this − other), score drift.
#[derive(Debug, Clone, Serialize)]
pub struct ComparisonPanel {
    pub other: String,
    pub subsets: Vec<ComparisonRow>,
    pub only_this_right: u64,
    pub only_other_right: u64,
    pub p_value: Option<f64>,
    pub min_p_holm: Option<f64>,
    pub accuracy_difference: Option<f64>,
    pub max_abs_score_change: Option<f64>,
    pub decision_flips: Option<f64>,
    pub undefined: Map<String, Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ComparisonRow {
    pub subset: String,
    pub only_this_right: u64,
    pub only_other_right: u64,
    pub p_value: f64,
    pub p_holm: f64,
}

/// `inputs[].policy`: per policy model its mean reward and win rate against the reference
/// model; with Elo ratings the Elo-expected win rate, the mismatch and rank correlations.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyPanel {
    pub reference_model: String,
    pub models: Vec<PolicyRow>,
    #[serde(flatten)]
    pub elo: Option<PolicyElo>,
    pub undefined: Map<String, Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PolicyRow {
    pub model: String,
    pub responses: u64,
    pub prompts: usize,
    pub mean_score: f64,
    /// Null for the reference model itself.
    pub win_rate_vs_reference: Option<f64>,
    pub shared_prompts: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elo: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elo_expected_win_rate: Option<f64>,
    /// Win rate − Elo-expected win rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mismatch_degree: Option<f64>,
}

/// With --elo: rank correlations of mean reward with Elo, and the mismatch degrees.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyElo {
    pub spearman: Option<f64>,
    pub kendall: Option<f64>,
    pub max_abs_mismatch: Option<f64>,
    pub mean_mismatch: Option<f64>,
}

/// `inputs[].ensemble`: agreement of several reward models on the same pairs (margins
/// chosen − rejected per model), the mean-margin ensemble, deciles of preference strength.
#[derive(Debug, Clone, Serialize)]
pub struct EnsemblePanel {
    pub models: Vec<String>,
    pub per_model: Vec<EnsembleModel>,
    pub accuracy_of_mean: Option<f64>,
    /// Share of pairs whose mean margin is negative.
    pub share_contradicted: Option<f64>,
    pub mean_std: Option<f64>,
    pub fleiss_kappa: Option<f64>,
    pub cohen_kappa: Vec<KappaPair>,
    pub deciles: Vec<StrengthDecile>,
    pub undefined: Map<String, Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EnsembleModel {
    pub model: String,
    pub accuracy: Option<f64>,
    pub ties: u64,
    /// With --bootstrap: [lower, upper] (pairs resampled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy_interval: Option<Json>,
}

/// Cohen's κ of two models' decisions (margin > 0).
#[derive(Debug, Clone, Serialize)]
pub struct KappaPair {
    pub a: String,
    pub b: String,
    pub cohen_kappa: Option<f64>,
}

/// One tenth of the pairs by mean margin (bounds in score units).
#[derive(Debug, Clone, Serialize)]
pub struct StrengthDecile {
    pub lower: f64,
    pub upper: f64,
    pub pairs: usize,
    pub mean_margin: f64,
    pub mean_std: f64,
}

/// `inputs[].groups[]`: one group column (`-g`): accuracy, mean scores and margin per group,
/// and the disparities between the groups (disparity name → why it is undefined in `undefined`).
#[derive(Debug, Clone, Serialize)]
pub struct GroupPanel {
    pub column: String,
    pub groups: Vec<GroupRow>,
    pub disparities: GroupDisparities,
    pub undefined: Map<String, Json>,
    /// With --bootstrap: disparity name → [lower, upper] percentile interval (prompts resampled).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub disparities_bootstrap: BTreeMap<String, [f64; 2]>,
}

/// One group of a group column; scores and margins in score units, null when not finite.
#[derive(Debug, Clone, Serialize)]
pub struct GroupRow {
    pub group: String,
    pub pairs: u64,
    pub ties: u64,
    pub accuracy: Option<f64>,
    pub mean_chosen: Option<f64>,
    pub mean_rejected: Option<f64>,
    /// Mean, population standard deviation and median of chosen − rejected.
    pub mean_margin: Option<f64>,
    pub std_margin: Option<f64>,
    pub median_margin: Option<f64>,
    /// With --bootstrap: [lower, upper] percentile interval of the accuracy (prompts resampled).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accuracy_interval: Option<[f64; 2]>,
}

impl GroupRow {
    /// The row's numbers by name, in report order (`pairs` ... `median_margin`).
    pub fn values(&self) -> [(&'static str, Option<f64>); 8] {
        [
            ("pairs", Some(self.pairs as f64)),
            ("ties", Some(self.ties as f64)),
            ("accuracy", self.accuracy),
            ("mean_chosen", self.mean_chosen),
            ("mean_rejected", self.mean_rejected),
            ("mean_margin", self.mean_margin),
            ("std_margin", self.std_margin),
            ("median_margin", self.median_margin),
        ]
    }

    /// Every field by name as the flat view reads it: `group` and `accuracy_interval` (when
    /// present) are no numbers, so undefined there.
    pub fn fields(&self) -> Vec<(&'static str, Option<f64>)> {
        let mut out = vec![("group", None)];
        out.extend(self.values());
        if self.accuracy_interval.is_some() {
            out.push(("accuracy_interval", None));
        }
        out
    }
}

/// The disparities of a group column's accuracy and mean margin: max − min over the groups,
/// min / max, and max |group − overall|.
#[derive(Debug, Clone, Serialize)]
pub struct GroupDisparities {
    pub accuracy_difference: Option<f64>,
    pub accuracy_ratio: Option<f64>,
    pub accuracy_difference_to_overall: Option<f64>,
    pub mean_margin_difference: Option<f64>,
    /// Always null: a ratio of a quantity that can be negative is not reported.
    pub mean_margin_ratio: Option<f64>,
    pub mean_margin_difference_to_overall: Option<f64>,
}

impl GroupDisparities {
    /// The disparities by name, in report order.
    pub fn values(&self) -> [(&'static str, Option<f64>); 6] {
        [
            ("accuracy_difference", self.accuracy_difference),
            ("accuracy_ratio", self.accuracy_ratio),
            (
                "accuracy_difference_to_overall",
                self.accuracy_difference_to_overall,
            ),
            ("mean_margin_difference", self.mean_margin_difference),
            ("mean_margin_ratio", self.mean_margin_ratio),
            (
                "mean_margin_difference_to_overall",
                self.mean_margin_difference_to_overall,
            ),
        ]
    }
}

/// `inputs[].rewardbench` (--preset rewardbench): RewardBench v1's section scores (subsets
/// weighted by EXAMPLE_COUNTS), their mean, the prior sets, the micro accuracy over the core
/// subsets; null values have a reason in `undefined`.
#[derive(Debug, Clone, Serialize)]
pub struct RewardbenchPanel {
    pub chat: Option<f64>,
    pub chat_hard: Option<f64>,
    pub safety: Option<f64>,
    pub reasoning: Option<f64>,
    /// Mean of the four sections.
    pub score: Option<f64>,
    /// Mean accuracy of the prior sets present.
    pub prior_sets: Option<f64>,
    /// (4 score + 0.5 prior_sets) / 4.5.
    pub score_with_prior_sets: Option<f64>,
    pub micro_accuracy: Option<f64>,
    /// Which xstest weights were used (legacy or current), in words.
    pub weights: String,
    /// Core subsets not in the file (their sections use the others).
    pub missing_subsets: Vec<String>,
    /// Name → why it is undefined.
    pub undefined: Map<String, Json>,
}

/// `inputs[].rewardbench2` (--preset rewardbench2): best-of-k accuracy of each RewardBench 2
/// subset (the Ties composite for `ties`) and their mean; null values have a reason in `undefined`.
#[derive(Debug, Clone, Serialize)]
pub struct Rewardbench2Panel {
    /// The Ties composite's parts, when the file has a Ties subset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ties_details: Option<TiesDetails>,
    pub factuality: Option<f64>,
    pub precise_if: Option<f64>,
    pub math: Option<f64>,
    pub safety: Option<f64>,
    pub focus: Option<f64>,
    pub ties: Option<f64>,
    /// Mean of the subsets present.
    pub score: Option<f64>,
    /// Name → why it is undefined.
    pub undefined: Map<String, Json>,
}

/// The parts of RewardBench 2's Ties composite (see `kinds::rewardbench2::ties_score`).
#[derive(Debug, Clone, Serialize)]
pub struct TiesDetails {
    pub correctness_margin_score: Option<f64>,
    pub correctness_preferred: Option<f64>,
    pub correctness_preferred_hard: Option<f64>,
    pub ref_accuracy: Option<f64>,
    pub tied_accuracy: Option<f64>,
    /// Name → why it is undefined.
    pub undefined: Map<String, Json>,
}

/// `inputs[].calibration`: top-label calibration of the Bradley–Terry probability
/// σ(chosen − rejected) (see `metrics::calibration`); null values have a reason in `undefined`.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationPanel {
    /// Expected calibration error over the bins of max(p, 1 − p).
    pub ece: Option<f64>,
    /// Maximum calibration error over non-empty bins.
    pub mce: Option<f64>,
    /// Mean −log p, in nats.
    pub log_loss: Option<f64>,
    /// Mean (1 − p)².
    pub brier: Option<f64>,
    /// The T > 0 minimising the log loss of σ(m / T), and that log loss.
    pub temperature: Option<f64>,
    pub log_loss_at_temperature: Option<f64>,
    /// --calibration-bins as given.
    pub bins: u16,
    /// equal_width | equal_mass.
    pub binning: String,
    /// The non-empty bins of the reliability diagram.
    pub reliability: Vec<crate::reward::metrics::ConfidenceBin>,
    /// Name → why it is undefined.
    pub undefined: Map<String, Json>,
}

/// `inputs[].length`: length bias over the pairs with both lengths (units as given, or
/// `columns.length_unit`).
#[derive(Debug, Clone, Serialize)]
pub struct LengthPanel {
    pub pairs: usize,
    /// Correlations of score with length over both responses of every pair.
    pub pearson: Option<f64>,
    pub spearman: Option<f64>,
    /// Share of pairs (ties per --ties) where the longer response scores higher.
    pub longer_wins: Option<f64>,
    /// Accuracy of "pick the longer response".
    pub longer_baseline_accuracy: Option<f64>,
    pub accuracy_chosen_longer: Option<f64>,
    pub accuracy_chosen_shorter: Option<f64>,
    pub accuracy_equal_length: Option<f64>,
    pub pairs_chosen_longer: u64,
    pub pairs_chosen_shorter: u64,
    pub pairs_equal_length: u64,
    pub by_length_difference: Vec<LengthBin>,
    pub undefined: Map<String, Json>,
}

impl LengthPanel {
    /// The pairs an `accuracy_PART` rests on (`chosen_longer`, `chosen_shorter`, `equal_length`).
    pub fn pairs_of(&self, part: &str) -> Option<u64> {
        match part {
            "chosen_longer" => Some(self.pairs_chosen_longer),
            "chosen_shorter" => Some(self.pairs_chosen_shorter),
            "equal_length" => Some(self.pairs_equal_length),
            _ => None,
        }
    }
}

/// One equal-mass bin of the length difference chosen − rejected.
#[derive(Debug, Clone, Serialize)]
pub struct LengthBin {
    pub lower: f64,
    pub upper: f64,
    pub pairs: u64,
    pub accuracy: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubsetReport {
    pub subset: String,
    /// Pairs in the subset (null for published accuracies).
    pub pairs: Option<u64>,
    pub ties: Option<u64>,
    pub accuracy: Option<f64>,
    pub interval: Option<[f64; 2]>,
    pub undefined: Option<String>,
}

impl RewardReport {
    pub fn new(settings: RewardSettings) -> RewardReport {
        RewardReport {
            schema_version: crate::render::SCHEMA_VERSION,
            command: "audit-reward".into(),
            fairaudit_version: env!("CARGO_PKG_VERSION").into(),
            settings,
            inputs: Vec::new(),
            warnings: Vec::new(),
            gates: Vec::new(),
            passed: true,
            plots: Vec::new(),
        }
    }
}

/// The per-group table's optional columns (`--metrics`, by their JSON names) and headers;
/// `pairs` is always shown.
pub const GROUP_TABLE_METRICS: [(&str, &str); 7] = [
    ("ties", "ties"),
    ("accuracy", "accuracy"),
    ("mean_chosen", "mean chosen"),
    ("mean_rejected", "mean rejected"),
    ("mean_margin", "mean margin"),
    ("std_margin", "std margin"),
    ("median_margin", "median margin"),
];

/// The per-group table's columns without `--metrics`.
pub const DEFAULT_GROUP_METRICS: [&str; 5] = [
    "ties",
    "accuracy",
    "mean_margin",
    "std_margin",
    "median_margin",
];

/// `metrics`: the per-group table's columns (`--metrics`; empty: the default set).
pub fn render(
    r: &RewardReport,
    format: ReportFormat,
    metrics: &[String],
    page: Option<&crate::render::html::Page>,
) -> Result<Rendered> {
    crate::render::render_with(
        r,
        format,
        r.passed,
        &r.gates,
        crate::render::ReportInfo {
            command: r.command.clone(),
            inputs: r.inputs.iter().map(|i| i.path.clone()).collect(),
            warnings: r.warnings.clone(),
        },
        || csv(r),
        |md| text(r, md, metrics),
        page,
    )
}

fn interval_of(inp: &RewardInput, k: &str) -> Option<(f64, f64)> {
    match inp.intervals.get(k) {
        Some(Json::Array(v)) => Some((v[0].as_f64()?, v[1].as_f64()?)),
        _ => None,
    }
}

/// Long format: `file,scope,metric,value,note`; scope is empty for headline numbers, the subset
/// for per-subset accuracy, `COLUMN=GROUP` for groups, `COLUMN` for their disparities.
fn csv(r: &RewardReport) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["file", "scope", "metric", "value", "note"])?;
    for inp in &r.inputs {
        for (k, v) in &inp.metrics {
            let note = inp.undefined.get(k).and_then(Json::as_str).unwrap_or("");
            w.write_record([&inp.path, "", k, &csv_num(v.as_f64()), note])?;
            if let Some((lo, hi)) = interval_of(inp, k) {
                w.write_record([
                    &inp.path,
                    "",
                    &format!("{k}.lower"),
                    &csv_num(Some(lo)),
                    "bootstrap",
                ])?;
                w.write_record([
                    &inp.path,
                    "",
                    &format!("{k}.upper"),
                    &csv_num(Some(hi)),
                    "bootstrap",
                ])?;
            }
        }
        for s in &inp.subsets {
            let note = s.undefined.as_deref().unwrap_or("");
            w.write_record([&inp.path, &s.subset, "accuracy", &csv_num(s.accuracy), note])?;
            if let Some(n) = s.pairs {
                w.write_record([&inp.path, &s.subset, "pairs", &n.to_string(), ""])?;
            }
            if let Some(n) = s.ties {
                w.write_record([&inp.path, &s.subset, "ties", &n.to_string(), ""])?;
            }
            if let Some([lo, hi]) = s.interval {
                w.write_record([
                    &inp.path,
                    &s.subset,
                    "accuracy.lower",
                    &csv_num(Some(lo)),
                    "bootstrap",
                ])?;
                w.write_record([
                    &inp.path,
                    &s.subset,
                    "accuracy.upper",
                    &csv_num(Some(hi)),
                    "bootstrap",
                ])?;
            }
        }
        for g in &inp.groups {
            let column = g.column.as_str();
            for row in &g.groups {
                let scope = format!("{column}={}", row.group);
                for (k, v) in row.values() {
                    w.write_record([&inp.path, &scope, k, &csv_num(v), ""])?;
                }
            }
            for (k, v) in g.disparities.values() {
                let note = g.undefined.get(k).and_then(Json::as_str).unwrap_or("");
                w.write_record([&inp.path, column, k, &csv_num(v), note])?;
            }
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

fn text(r: &RewardReport, markdown: bool, metrics: &[String]) -> String {
    let colour = !markdown && use_colour();
    let mut out = String::new();
    if markdown {
        out.push_str("# fairaudit audit-reward\n\n");
    }
    let heading = |out: &mut String, t: &str, level: usize| {
        if markdown {
            let _ = writeln!(out, "{} {t}\n", "#".repeat(level));
        } else {
            let _ = writeln!(out, "{t}");
        }
    };
    for inp in &r.inputs {
        let unit = match inp.kind.as_str() {
            "styled" | "candidates" => "records",
            "best-of-n" | "per-policy" => "responses",
            "counterfactual" => "score pairs",
            "accuracies" => "subset accuracies",
            _ => "pairs",
        };
        let used = if inp.kind == "accuracies" {
            inp.subsets.len() as u64
        } else {
            inp.pairs_used
        };
        let mut line = format!(
            "{}: {used} {unit} used of {} rows ({})",
            inp.path, inp.rows_read, inp.kind
        );
        if let Some(c) = &inp.columns {
            let _ = write!(line, "; chosen `{}`, rejected `{}`", c.chosen, c.rejected);
            if !c.detected.is_empty() {
                let _ = write!(line, " (detected by name: {})", c.detected.join(", "));
            }
        }
        heading(&mut out, &line, 2);
        // Headline numbers.
        let header: Vec<String> = crate::render::header(&["metric", "value", "interval"]);
        let rows: Vec<Vec<String>> = inp
            .metrics
            .iter()
            .map(|(k, v)| {
                let iv = interval_of(inp, k)
                    .map(|(lo, hi)| format!("[{}, {}]", fmt_num(Some(lo)), fmt_num(Some(hi))))
                    .unwrap_or_default();
                let mut value = match v {
                    Json::Number(n) if n.is_u64() => {
                        crate::render::fmt_count(n.as_u64().unwrap_or_default())
                    }
                    other => fmt_num(other.as_f64()),
                };
                // A rate over a part of the pairs shows how many it rests on.
                if let Some(part) = k.strip_prefix("length.accuracy_") {
                    if let Some(n) = inp.length.as_ref().and_then(|l| l.pairs_of(part)) {
                        value = format!("{value} (of {n} pairs)");
                    }
                }
                vec![k.clone(), value, iv]
            })
            .collect();
        out.push_str(&grid(&header, &rows, markdown, &[], 0));
        out.push_str(&crate::render::undefined_notes(&inp.undefined, markdown));
        out.push('\n');
        let only_all = inp.subsets.len() == 1 && inp.subsets[0].subset == "(all)";
        if !inp.subsets.is_empty() && !only_all {
            heading(&mut out, "subsets", 3);
            let header: Vec<String> =
                crate::render::header(&["subset", "pairs", "ties", "accuracy", "interval"]);
            let rows: Vec<Vec<String>> = inp
                .subsets
                .iter()
                .map(|s| {
                    vec![
                        small_mark(&s.subset, s.pairs),
                        s.pairs
                            .map(crate::render::fmt_count)
                            .unwrap_or_else(|| "—".into()),
                        s.ties
                            .map(crate::render::fmt_count)
                            .unwrap_or_else(|| "—".into()),
                        fmt_num(s.accuracy),
                        s.interval
                            .map(|[lo, hi]| {
                                format!("[{}, {}]", fmt_num(Some(lo)), fmt_num(Some(hi)))
                            })
                            .unwrap_or_default(),
                    ]
                })
                .collect();
            out.push_str(&grid(&header, &rows, markdown, &[], 0));
            out.push_str(&small_legend(inp.subsets.iter().map(|s| s.pairs), markdown));
            out.push('\n');
        }
        for (title, rows) in [
            (
                "best-of-n curve",
                panel_rows(inp.best_of_n.as_ref(), |p| &p.curve),
            ),
            (
                "ensemble: per model",
                panel_rows(inp.ensemble.as_ref(), |p| &p.per_model),
            ),
            (
                "ensemble: deciles of preference strength",
                panel_rows(inp.ensemble.as_ref(), |p| &p.deciles),
            ),
            (
                "policy models",
                panel_rows(inp.policy.as_ref(), |p| &p.models),
            ),
            (
                "counterfactual: per attribute",
                panel_rows(inp.counterfactual.as_ref(), |p| &p.attributes),
            ),
            (
                "comparison: McNemar per subset",
                panel_rows(inp.comparison.as_ref(), |p| &p.subsets),
            ),
            (
                "RM-Bench domains",
                panel_rows(inp.rm_bench.as_ref(), |p| &p.domains),
            ),
            (
                "length: accuracy by length difference",
                panel_rows(inp.length.as_ref(), |p| &p.by_length_difference),
            ),
        ] {
            if let Json::Array(items) = &rows {
                heading(&mut out, title, 3);
                out.push_str(&crate::render::object_table(items, markdown));
                out.push('\n');
            }
        }
        for g in &inp.groups {
            heading(&mut out, &format!("groups by {}", g.column), 3);
            let chosen: Vec<&str> = if metrics.is_empty() {
                DEFAULT_GROUP_METRICS.to_vec()
            } else {
                metrics.iter().map(String::as_str).collect()
            };
            let cols: Vec<(&str, &str)> = chosen
                .iter()
                .filter_map(|k| GROUP_TABLE_METRICS.iter().find(|(n, _)| n == k).copied())
                .collect();
            let mut header: Vec<String> = crate::render::header(&["group", "pairs"]);
            header.extend(cols.iter().map(|(_, h)| h.to_string()));
            let rows: Vec<Vec<String>> = g
                .groups
                .iter()
                .map(|row| {
                    let mut v = vec![
                        small_mark(&row.group, Some(row.pairs)),
                        crate::render::fmt_count(row.pairs),
                    ];
                    let values = row.values();
                    for (k, _) in &cols {
                        let x = values.iter().find(|(n, _)| n == k).and_then(|(_, x)| *x);
                        v.push(if *k == "ties" {
                            crate::render::fmt_count(row.ties)
                        } else {
                            fmt_num(x)
                        });
                    }
                    v
                })
                .collect();
            out.push_str(&grid(&header, &rows, markdown, &[], 0));
            if cols.iter().any(|(n, _)| n.ends_with("margin")) {
                out.push_str(&crate::render::note_lines(
                    &["margin = chosen − rejected score".to_string()],
                    markdown,
                ));
            }
            out.push_str(&small_legend(
                g.groups.iter().map(|row| Some(row.pairs)),
                markdown,
            ));
            let d: Vec<String> = g
                .disparities
                .values()
                .iter()
                .map(|(k, v)| format!("{k} {}", fmt_num(*v)))
                .collect();
            out.push_str(&crate::render::note_lines(&d, markdown));
            out.push('\n');
        }
    }
    out.push_str(&crate::render::gates_and_warnings(
        &r.gates,
        &r.warnings,
        markdown,
        colour,
    ));
    out
}

impl RewardInput {
    /// The flat view of this input's numbers ([`gate::Number`]), in report order: the headline
    /// numbers (`metrics`) at the input level, with their bootstrap interval (`bootstrap`: the
    /// run's replicates; an interval missing with replicates is undefined in every replicate);
    /// each subset's `accuracy` at the attribute level (the subset); each group column's
    /// disparities at the attribute level (the column); each group's row at the group level.
    pub fn numbers(&self, bootstrap: usize) -> Vec<Number> {
        let file = self.path.as_str();
        let pick = |v: Option<f64>, why: Option<&Json>| -> Result<f64, String> {
            match v {
                Some(x) => Ok(x),
                None => Err(why
                    .and_then(Json::as_str)
                    .unwrap_or("undefined")
                    .to_string()),
            }
        };
        let mut out = Vec::new();
        for (k, v) in &self.metrics {
            let mut n = Number::new(
                file,
                Level::Input,
                None,
                None,
                k,
                pick(v.as_f64(), self.undefined.get(k)),
            );
            n.interval = match interval_of(self, k) {
                Some((lo, hi)) => Some(Ok([lo, hi])),
                None if bootstrap == 0 => None,
                None => Some(Err("no interval (undefined in every replicate)".into())),
            };
            out.push(n);
        }
        for s in &self.subsets {
            let value = s
                .accuracy
                .ok_or_else(|| s.undefined.clone().unwrap_or_else(|| "undefined".into()));
            let mut n = Number::new(
                file,
                Level::Attribute,
                Some(&s.subset),
                None,
                "accuracy",
                value,
            );
            n.interval = Some(
                s.interval
                    .ok_or_else(|| "no interval (needs --bootstrap N)".to_string()),
            );
            out.push(n);
        }
        // A column given twice (`-g lang -g lang`) is reported twice; a gate reads the first.
        let mut seen: Vec<&str> = Vec::new();
        for g in &self.groups {
            let column = g.column.as_str();
            if seen.contains(&column) {
                continue;
            }
            seen.push(column);
            for (k, v) in g.disparities.values() {
                let value = pick(v, g.undefined.get(k));
                out.push(Number::new(
                    file,
                    Level::Attribute,
                    Some(column),
                    None,
                    k,
                    value,
                ));
            }
            for row in &g.groups {
                let group = row.group.as_str();
                for (k, v) in row.fields() {
                    let value = pick(v, None);
                    out.push(Number::new(
                        file,
                        Level::Group,
                        Some(column),
                        Some(group),
                        k,
                        value,
                    ));
                }
            }
        }
        out
    }
}

impl RewardReport {
    /// Every input's numbers ([`RewardInput::numbers`]).
    pub fn numbers(&self) -> Vec<Number> {
        self.inputs
            .iter()
            .flat_map(|i| i.numbers(self.settings.bootstrap))
            .collect()
    }
}

impl Gateable for RewardReport {
    /// Names are the keys of `inputs[].metrics` (`accuracy`, `rewardbench.chat_hard`, ...), with
    /// `.lower` / `.upper` for a bootstrap interval end. Scope `SUBSET:accuracy` is a subset's
    /// accuracy; `COLUMN:accuracy_difference` a group disparity; `COLUMN=GROUP:accuracy` a group.
    /// `overall:` is the headline numbers, as no scope. Values are selected from
    /// [`RewardInput::numbers`] with [`gate::select`], input by input; the checks here say why a
    /// name does not fit its scope.
    fn observe(&self, scope: &Scope, name: &str) -> anyhow::Result<Vec<Observation>> {
        let (base, end) = gate::interval_end(name);
        let mut out = Vec::new();
        for inp in &self.inputs {
            let numbers = inp.numbers(self.settings.bootstrap);
            let at = |level: Level, attribute: Option<&str>| -> Vec<Number> {
                numbers
                    .iter()
                    .filter(|n| {
                        n.level == level
                            && (attribute.is_none() || n.attribute.as_deref() == attribute)
                    })
                    .cloned()
                    .collect()
            };
            let (chosen, scope) = match scope {
                Scope::All | Scope::Overall => {
                    if !inp.metrics.contains_key(base) {
                        continue;
                    }
                    if end.is_some()
                        && interval_of(inp, base).is_none()
                        && self.settings.bootstrap == 0
                    {
                        anyhow::bail!("an interval of '{base}' needs --bootstrap N");
                    }
                    (at(Level::Input, None), Scope::All)
                }
                Scope::Attribute(x) => {
                    if inp.subsets.iter().any(|s| &s.subset == x) {
                        if base != "accuracy" {
                            anyhow::bail!("a subset scope takes 'accuracy' (and .lower / .upper), not '{base}'");
                        }
                        (at(Level::Attribute, Some(x)), scope.clone())
                    } else if let Some(g) = inp.groups.iter().find(|g| g.column == *x) {
                        if end.is_some() || !g.disparities.values().iter().any(|(k, _)| *k == base)
                        {
                            anyhow::bail!("'{base}' is not a group disparity of '{x}' (accuracy_difference, accuracy_ratio, mean_margin_difference, ...)");
                        }
                        (at(Level::Attribute, Some(x)), scope.clone())
                    } else {
                        continue;
                    }
                }
                Scope::Group(c, v) => {
                    let Some(g) = inp.groups.iter().find(|g| g.column == *c) else {
                        continue;
                    };
                    let Some(row) = g.groups.iter().find(|row| row.group == *v) else {
                        anyhow::bail!("group column '{c}' has no group '{v}'");
                    };
                    if !row.fields().iter().any(|(k, _)| *k == base) || end.is_some() {
                        anyhow::bail!("a group takes accuracy, pairs, ties, mean_chosen, mean_rejected or mean_margin, not '{name}'");
                    }
                    (at(Level::Group, Some(c)), scope.clone())
                }
            };
            out.extend(gate::select(&chosen, &scope, base, end, name));
        }
        if out.is_empty() {
            // The names every input has, each once, in first-seen order.
            let mut known: Vec<&str> = Vec::new();
            for k in self.inputs.iter().flat_map(|i| i.metrics.keys()) {
                if !known.contains(&k.as_str()) {
                    known.push(k);
                }
            }
            anyhow::bail!(
                "'{name}' is not in this report{}; known: {}",
                match scope {
                    Scope::Attribute(x) => format!(" for the subset or group column '{x}'"),
                    _ => String::new(),
                },
                known.join(", ")
            );
        }
        Ok(out)
    }
}

/// A typed panel's rows as the generic table renderer reads them (null without the panel).
fn panel_rows<P, T: Serialize>(panel: Option<&P>, pick: impl Fn(&P) -> &T) -> Json {
    panel
        .and_then(|p| serde_json::to_value(pick(p)).ok())
        .unwrap_or(Json::Null)
}

/// A subset or group name as the tables show it: `*` when it rests on fewer than
/// [`crate::render::SMALL_SAMPLE`] pairs.
fn small_mark(name: &str, pairs: Option<u64>) -> String {
    match pairs {
        Some(n) if n < crate::render::SMALL_SAMPLE => format!("{name}*"),
        _ => name.to_string(),
    }
}

/// The legend of [`small_mark`], when some row has the mark.
fn small_legend(pairs: impl Iterator<Item = Option<u64>>, markdown: bool) -> String {
    let mut pairs = pairs;
    if pairs.any(|p| p.is_some_and(|n| n < crate::render::SMALL_SAMPLE)) {
        crate::render::note_lines(
            &[format!(
                "* fewer than {} pairs: the accuracy is unreliable",
                crate::render::SMALL_SAMPLE
            )],
            markdown,
        )
    } else {
        String::new()
    }
}
