//! The resolved settings of `audit-fairness`: what the command line asked for, checked (every
//! flag-combination check is in `cli/fairness.rs`, which builds this), with no clap in sight
//! except the value enums' derive (their names and help are defined once, here).

use std::path::PathBuf;

use clap::ValueEnum;

use super::reference::RefSpec;
use crate::gate::Gate;
use crate::input::ReadOptions;
use crate::render::Output;
use crate::stats::Binning;

/// Names looked for when `--label` is not given, in order of preference (case-insensitive).
pub const LABEL_NAMES: &[&str] = &[
    "y_true",
    "label",
    "label_value",
    "target",
    "actual",
    "y",
    "class",
    "ground_truth",
    "truth",
];
/// Names looked for when neither `--pred` nor `--score` is given.
pub const PRED_NAMES: &[&str] = &[
    "y_pred",
    "pred",
    "prediction",
    "predicted",
    "predicted_label",
    "y_hat",
    "yhat",
    "p",
    "selected",
    "decision",
];
/// A score column used (thresholded) when no prediction column is found.
pub const SCORE_NAMES: &[&str] = &["score", "y_score", "proba", "probability"];
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// Every flag of `audit-fairness`, resolved. Field names are the flags' (docs: `--help`).
#[derive(Debug, Clone)]
pub struct Settings {
    /// The FILE arguments (paths, globs, `-`), expanded when read.
    pub files: Vec<String>,
    pub read: ReadOptions,
    pub label: Option<String>,
    /// `--no-label`: audit the decisions (and scores) only, even when a label column exists.
    pub no_label: bool,
    /// `--preset`: a legal format (LL144's tables, the EEOC analysis) on top of the audit.
    pub preset: Option<Preset>,
    /// `--exclude-below`: groups with fewer than this share of an attribute's rows are left out
    /// of every disparity and impact ratio (and shown with their counts and rates).
    pub exclude_below: Option<f64>,
    /// Unknown categories (a missing sensitive value) are left out of every disparity and
    /// impact ratio, and counted (`--preset ll144` / `eeoc`).
    pub exclude_unknown: bool,
    pub pred: Option<String>,
    pub score: Option<String>,
    pub score_resolution: Option<f64>,
    /// `--task`; `--classes` makes it `Multiclass`.
    pub task: Task,
    pub classes: Vec<String>,
    /// `--threshold` values (the first gives the main report; empty: 0.5).
    pub threshold: Vec<f64>,
    /// The thresholds of the sweep: several `--threshold` values, then the `--threshold-sweep`
    /// grid; empty when there is no sweep.
    pub sweep: Vec<f64>,
    pub weight: Option<String>,
    pub groups: Vec<String>,
    pub emit_stats: Option<PathBuf>,
    pub summary: bool,
    pub from_stats: bool,
    pub positive: Option<String>,
    pub pred_positive: Option<String>,
    pub missing: MissingPolicy,
    pub strict: bool,
    pub min_group_size: u64,
    /// `--metrics`: the per-group table's columns (empty: the default set).
    pub table_metrics: Vec<String>,
    pub max_groups: usize,
    pub row_metric: Vec<String>,
    pub condition: Option<String>,
    pub condition_bins: Option<u16>,
    /// `--reference`, parsed.
    pub reference: Option<RefSpec>,
    /// In (0, 1].
    pub parity_band: f64,
    /// Confidence level of every interval, in (0, 1).
    pub ci: f64,
    pub bins: u16,
    pub binning: Binning,
    /// Bootstrap replicates (0: none) and their seed.
    pub bootstrap: usize,
    pub seed: u64,
    /// α of the generalized entropy index.
    pub alpha: f64,
    pub agg: Agg,
    /// `--fail-if`, parsed.
    pub gates: Vec<Gate>,
    pub output: Output,
    /// `--distribution` (or `--quantiles`, or a gate / `--metrics` naming one of its metrics):
    /// the score-distribution metrics of `fairness/distribution.rs`, at these quantiles.
    pub distribution: Option<Vec<f64>>,
    /// `--edf` / `--edf-concentration`: empirical differential fairness with this concentration.
    pub edf: Option<f64>,
    /// `--top-k` / `--top-fraction`: decisions by rank (`fairness/topk.rs`); `None`: by
    /// threshold or a prediction column.
    pub top: Option<super::decisions::TopSpec>,
    /// `--baseline` / `--reference-decisions`: other decisions on the same rows, compared with
    /// the audited ones (`fairness/paired.rs`, `compare.rs`, `dominance.rs`).
    pub paired: PairedSpec,
    /// `--group-thresholds`: a threshold per group of one attribute (`fairness/group_thresholds.rs`).
    pub group_thresholds: Option<super::thresholds::GroupThresholds>,
    /// `--suggest-thresholds` and its options (`fairness/suggest.rs`).
    pub suggest: Option<super::thresholds::SuggestSpec>,
}

/// What the label and prediction are (`--task`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Task {
    /// Decide from the label and prediction values (see --help).
    Auto,
    /// 0/1, true/false, or a --positive value: confusion rates.
    Binary,
    /// Numeric label and prediction: MAE, RMSE, R², mean residual per group.
    Regression,
    /// Class labels: one-vs-rest binary report per class.
    Multiclass,
}

/// A legal audit format (`--preset`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Preset {
    /// NYC Local Law 144 bias audit (6 RCNY §5-301): selection or scoring rates and impact ratios for each category and intersection, unknown categories counted.
    Ll144,
    /// EEOC Uniform Guidelines (29 CFR §1607.4(D)): four-fifths rule with the significance tests and the shortfall of each group.
    Eeoc,
}

impl Preset {
    /// The preset's name as `--preset` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Preset::Ll144 => "ll144",
            Preset::Eeoc => "eeoc",
        }
    }
}

/// What to do with rows whose sensitive attribute is missing (`--missing`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MissingPolicy {
    Group,
    Drop,
    Error,
}

/// How equalized odds combines its parts (`--agg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Agg {
    /// The larger difference (smaller ratio) of TPR and FPR.
    Worst,
    /// The mean of the TPR and FPR parts.
    Mean,
}

impl Task {
    /// The task's name as `--task` spells it and reports show it.
    pub fn name(self) -> &'static str {
        match self {
            Task::Auto => "auto",
            Task::Binary => "binary",
            Task::Regression => "regression",
            Task::Multiclass => "multiclass",
        }
    }

    /// The task a pass runs as: `Auto` runs as `Binary` until the values say otherwise.
    pub fn resolved(self) -> Task {
        if self == Task::Auto {
            Task::Binary
        } else {
            self
        }
    }
}

/// `"Default: the first of a, b, c (case-insensitive)."`: the help text of a column flag
/// detected by name, made from the list the code tries.
pub fn detected_names(names: &[&str]) -> String {
    format!(
        "Default: the first of {} (case-insensitive)",
        names.join(", ")
    )
}

/// `--baseline`, `--reference-decisions` and what goes with them (`fairness/paired.rs`).
#[derive(Debug, Clone, Default)]
pub struct PairedSpec {
    pub baseline: Option<BaselineSpec>,
    /// `--reference-decisions COL`: decisions on the same rows (e.g. human ones) the audited
    /// decisions are compared with on every measure (`fairness/dominance.rs`).
    pub reference_decisions: Option<String>,
    /// `--dominance-measures`: the measures of the dominance check (empty: the default set).
    pub dominance_measures: Vec<String>,
    /// `--export-flips FILE`: the rows whose decision differs from the baseline's.
    pub export_flips: Option<PathBuf>,
    /// `--baseline-positive`: the positive value of the baseline and reference decision columns
    /// (default: the prediction's).
    pub positive: Option<String>,
}

impl PairedSpec {
    /// Neither `--baseline` nor `--reference-decisions`.
    pub fn is_empty(&self) -> bool {
        self.baseline.is_none() && self.reference_decisions.is_none()
    }
}

/// Where the baseline decisions are: a column of the audited file, or of a second file joined
/// on `--id`.
#[derive(Debug, Clone)]
pub struct BaselineSpec {
    /// The baseline's prediction (or score) column; `None` with `file`: the column of the same
    /// name as the audited prediction (or score).
    pub column: Option<String>,
    /// `--baseline-file`: the baseline's own file, joined on `id`.
    pub file: Option<String>,
    /// `--id`: the row id column (the join key; the flipped rows' id).
    pub id: Option<String>,
    /// `--max-unmatched`: more audited rows without a baseline row than this is an error.
    pub max_unmatched: Unmatched,
}

/// A count of rows, or a share of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Unmatched {
    Rows(u64),
    Share(f64),
}

impl Unmatched {
    /// Whether `k` unmatched rows of `n` are more than allowed.
    pub fn exceeded(self, k: u64, n: u64) -> bool {
        match self {
            Unmatched::Rows(m) => k > m,
            Unmatched::Share(s) => n > 0 && k as f64 > s * n as f64,
        }
    }
}
