//! What `audit-counterfactual` was asked for, resolved from the command line (`cli/`): plain
//! values, no clap types.

use std::path::PathBuf;

use serde::Serialize;

/// The default `--epsilon`: a score difference larger than this counts toward
/// `share_over_epsilon`. 0.1 on a [0, 1] score (or a tenth of LangFair's [-1, 1] sentiment
/// range's half) is a change a reader notices; pass a value that suits the score's scale.
pub const DEFAULT_EPSILON: f64 = 0.1;

/// The default `--threshold` of `--score` (a positive decision is score ≥ threshold).
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// The attribute's name without `--attribute`.
pub const ALL: &str = "all";

/// A count of ids, or a share of them (`--max-unmatched`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unmatched {
    Ids(u64),
    Share(f64),
}

impl Unmatched {
    /// Whether `k` unmatched ids of `n` are more than allowed.
    pub fn exceeded(self, k: u64, n: u64) -> bool {
        match self {
            Unmatched::Ids(m) => k > m,
            Unmatched::Share(s) => n > 0 && k as f64 > s * n as f64,
        }
    }
}

/// What is compared between a variant row and its original.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// `--pred COL`: a 0/1 decision.
    Pred(String),
    /// `--score COL`: a score, decisions at each threshold.
    Score {
        column: String,
        thresholds: Vec<f64>,
    },
    /// `--answer COL`: free text, compared after SQuAD normalisation.
    Answer(String),
}

impl Measure {
    pub fn column(&self) -> &str {
        match self {
            Measure::Pred(c) | Measure::Answer(c) => c,
            Measure::Score { column, .. } => column,
        }
    }

    pub fn flag(&self) -> &'static str {
        match self {
            Measure::Pred(_) => "--pred",
            Measure::Score { .. } => "--score",
            Measure::Answer(_) => "--answer",
        }
    }
}

/// How `--answer` and its `--label` are normalised before they are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum AnswerNormalization {
    /// SQuAD v1.1's `normalize_answer`: lower case, punctuation and the articles a / an / the
    /// removed, whitespace collapsed (`" The Metformin. "` = `metformin`). Erases the option
    /// letter `A` (the article "a").
    Squad,
    /// The same without removing articles: for option letters (`"(A)"` = `a`).
    Lower,
    /// Surrounding whitespace trimmed, nothing else.
    Exact,
}

impl AnswerNormalization {
    pub fn apply(self, text: &str) -> String {
        use crate::stats::counterfactual as cf;
        match self {
            AnswerNormalization::Squad => cf::normalize_answer(text),
            AnswerNormalization::Lower => cf::normalize_answer_keep_articles(text),
            AnswerNormalization::Exact => text.trim().to_string(),
        }
    }
}

/// Counterfactual pairs (`--id`, `--variant`, `--original`).
#[derive(Debug, Clone)]
pub struct PairSettings {
    pub id: String,
    pub variant: String,
    pub original: String,
    pub attribute: Option<String>,
    pub measure: Measure,
    pub label: Option<String>,
    /// How answers and labels are normalised (with `--answer`).
    pub answer_normalization: AnswerNormalization,
    pub epsilon: f64,
    /// Weak parity's threshold: a score counts when it is strictly above it (LangFair's
    /// `threshold`, default 0.5).
    pub parity_threshold: f64,
    pub max_unmatched: Unmatched,
    pub export_changed: Option<PathBuf>,
}

/// Generated-attribute distributions (`--distribution`).
#[derive(Debug, Clone)]
pub struct DistributionSettings {
    pub column: String,
    pub prompt: Option<String>,
    /// `--target V=P,...`: the target distribution; uniform over the observed values when
    /// absent.
    pub target: Option<Vec<(String, f64)>>,
}

#[derive(Debug, Clone)]
pub enum Mode {
    Pairs(PairSettings),
    Distribution(DistributionSettings),
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub file: String,
    pub read: crate::input::ReadOptions,
    pub mode: Mode,
    pub bootstrap: usize,
    pub seed: u64,
    pub confidence: f64,
    pub output: crate::render::Output,
}
