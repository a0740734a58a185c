//! The typed results of the paired comparisons (`--baseline`: [`Comparison`];
//! `--reference-decisions`: [`Dominance`]) and their text tables. Built by `compare.rs` and
//! `dominance.rs`; this file imports no report type, so `report.rs` can render it.

use serde::Serialize;
use serde_json::{Map, Value as Json};

/// What the flip rates divide by, as the report states it.
pub const FLIP_DENOMINATORS: &str = "flip_rate: flips / rows compared; positive_to_negative_rate: positive → negative flips / the baseline's positives; negative_to_positive_rate: negative → positive flips / the baseline's negatives; *_share: the same flips / rows compared (TensorFlow Model Analysis' PosToNegFlipRate / NegToPosFlipRate); weighted with --weight";

/// The group figures of the comparison a gate can read (besides `delta.<metric>`).
pub const GROUP_NAMES: [&str; 7] = [
    "flip_rate",
    "positive_to_negative_rate",
    "negative_to_positive_rate",
    "positive_to_negative_share",
    "negative_to_positive_share",
    "mcnemar_p_value",
    "mcnemar_p_value_holm",
];

/// The comparison of one input with its baseline.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub file: String,
    /// The baseline's column (and file, with `--baseline-file`).
    pub baseline: String,
    /// Rows with both decisions: every figure here is over them.
    pub rows_compared: u64,
    /// Audited rows without a baseline decision (missing, unmatched, a duplicated id).
    pub rows_left_out: u64,
    pub flip_denominators: String,
    /// McNemar's family for Holm's correction.
    pub holm_family: String,
    pub overall: ComparedGroup,
    pub attributes: Vec<ComparedAttribute>,
}

/// One attribute (or intersection): its groups, and the change of each disparity.
#[derive(Debug, Clone, Serialize)]
pub struct ComparedAttribute {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub groups: Vec<ComparedGroup>,
    /// Disparity → audited − baseline (over the compared rows).
    pub delta: Map<String, Json>,
    /// With --bootstrap: disparity → paired percentile interval of the change.
    pub delta_bootstrap: Map<String, Json>,
    /// The baseline's disparities (over the compared rows).
    pub baseline: Map<String, Json>,
    pub undefined: Map<String, Json>,
}

/// One group's flips, McNemar test and changes.
#[derive(Debug, Clone, Serialize)]
pub struct ComparedGroup {
    pub group: String,
    pub n: u64,
    /// Rows (weights with --weight) whose decision differs, by direction.
    pub flips: f64,
    pub positive_to_negative: f64,
    pub negative_to_positive: f64,
    /// The baseline's positive and negative decisions (the rates' denominators).
    pub baseline_positives: f64,
    pub baseline_negatives: f64,
    /// McNemar's discordant pairs (rows): only the audited decision right / only the baseline's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_audited_correct: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_baseline_correct: Option<u64>,
    /// flip rates and shares, mcnemar_p_value, mcnemar_p_value_holm (null with a reason).
    pub metrics: Map<String, Json>,
    /// Metric → audited − baseline (over the compared rows).
    pub delta: Map<String, Json>,
    /// With --bootstrap: metric → paired percentile interval of the change.
    pub delta_bootstrap: Map<String, Json>,
    /// The baseline's metrics (over the compared rows).
    pub baseline: Map<String, Json>,
    pub undefined: Map<String, Json>,
}

/// `--reference-decisions`: the audited decisions against a reference decision-maker's on the
/// same rows, measure by measure.
#[derive(Debug, Clone, Serialize)]
pub struct Dominance {
    pub file: String,
    /// The reference decisions' column.
    pub reference: String,
    pub rows_compared: u64,
    pub rows_left_out: u64,
    pub measures: Vec<Measure>,
    /// The audited decisions are at least as good on every measure and better on one; `null`
    /// when a measure is undefined (the reason in `undefined`).
    pub dominates: Option<bool>,
    /// The reference is at least as good on every measure and better on one.
    pub reference_dominates: Option<bool>,
    /// Share of paired bootstrap replicates in which the audited decisions dominate (a
    /// replicate with an undefined measure counts as not dominating).
    pub dominance_probability: Option<f64>,
    pub replicates: usize,
    pub seed: u64,
    pub undefined: Map<String, Json>,
}

/// One measure of a dominance check.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    /// The metric (an overall metric) or disparity (of `attribute`).
    pub measure: String,
    pub attribute: Option<String>,
    pub higher_is_better: bool,
    pub audited: Option<f64>,
    pub reference: Option<f64>,
    /// `audited`, `reference` or `tie`; `null` when either value is undefined.
    pub better: Option<String>,
    /// Share of replicates in which the audited decisions are at least as good on it.
    pub probability_audited_at_least_as_good: Option<f64>,
}
