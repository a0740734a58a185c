//! What `audit-reward` was asked to do: the flags' values, resolved at the command line
//! (`cli::reward`, where every flag-combination check is made). Plain data; the value enums
//! derive `clap::ValueEnum` so the command line spells them as documented here.

use std::path::PathBuf;

use crate::input::ReadOptions;
use crate::render::Output;
use crate::stats::Binning;

/// The resolved flags of one `audit-reward` run. Column options are `None` when the column
/// is to be detected by its usual names.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The input files (`-` is standard input).
    pub files: Vec<String>,
    /// How they are read (format, missing spellings, malformed rows).
    pub read: ReadOptions,
    /// What each row is (detected when `Auto`).
    pub kind: RewardKind,
    /// Chosen score columns: one per reward model (several make an ensemble).
    pub chosen: Vec<String>,
    /// Rejected score columns, as many as `chosen` for an ensemble.
    pub rejected: Vec<String>,
    /// Ensemble in long form: the column naming each row's reward model.
    pub model: Option<String>,
    /// Ensemble: where to write the pairs the ensemble contradicts (CSV).
    pub export_suspect: Option<PathBuf>,
    /// Best-of-n: proxy score column.
    pub proxy: Option<String>,
    /// Best-of-n: gold score column.
    pub gold: Option<String>,
    /// Best-of-n: 0/1 correctness column used as the gold score.
    pub correct: Option<String>,
    /// Per-policy: the policy model column.
    pub policy: Option<String>,
    /// Per-policy: the reward column.
    pub score: Option<String>,
    /// Per-policy: a CSV of Elo ratings.
    pub elo: Option<PathBuf>,
    /// Per-policy: the model others are compared with.
    pub reference_model: Option<String>,
    /// Counterfactual: score under the original prompt.
    pub original: Option<String>,
    /// Counterfactual: score under the perturbed prompt.
    pub perturbed: Option<String>,
    /// Counterfactual: the attribute that was changed.
    pub attribute: Option<String>,
    /// Counterfactual: invariant when |original − perturbed| <= epsilon (>= 0).
    pub epsilon: f64,
    /// Another reward model's scores on the same pairs.
    pub compare: Option<String>,
    /// Prompt id column (bootstrap cluster; `--compare` join key).
    pub id: Option<String>,
    /// Subset / category column.
    pub subset: Option<String>,
    /// Length columns of the chosen and rejected responses.
    pub chosen_length: Option<String>,
    pub rejected_length: Option<String>,
    /// Text columns whose length is measured in `length_unit`.
    pub chosen_text: Option<String>,
    pub rejected_text: Option<String>,
    pub length_unit: LengthUnit,
    /// Group columns (repeatable `--group`).
    pub groups: Vec<String>,
    /// `--metrics`: the per-group table's columns (empty: the default set).
    pub table_metrics: Vec<String>,
    pub ties: Ties,
    pub preset: Preset,
    /// With `Preset::Rewardbench`: the xstest weights before 2024-09-10.
    pub legacy_xstest: bool,
    /// Calibration bins (1..=10000) and how they are made.
    pub bins: u16,
    pub binning: Binning,
    /// Equal-mass bins of the length difference (1..=1000).
    pub length_bins: u16,
    /// Level of the bootstrap intervals, in (0, 1).
    pub ci: f64,
    /// Bootstrap replicates (0: none).
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    pub seed: u64,
    /// `--summary`: one row per input file instead of the whole report.
    pub summary: bool,
    /// Format, report file, `--fail-if` gates, quiet.
    pub output: Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RewardKind {
    /// Detect from the file.
    Auto,
    /// One row per preference pair: a chosen and a rejected score.
    Pairs,
    /// A JSON object of subset → accuracy (e.g. a published RewardBench result).
    Accuracies,
    /// RM-Bench: per record 3 chosen and 3 rejected scores (concise, detailed, markdown) and a domain.
    #[value(name = "styled")]
    RmBench,
    /// Pairs scored by several reward models (one column pair per model, or a --model column).
    Ensemble,
    /// Responses per prompt with a proxy score and a gold score (or correctness flag).
    BestOfN,
    /// Responses per prompt written by several policy models, with their reward.
    PerPolicy,
    /// The same response scored under an original and a perturbed prompt.
    Counterfactual,
    /// Per prompt several scored candidates, the first `num_correct` correct (RewardBench 2).
    #[value(name = "candidates")]
    Rewardbench2,
}

impl RewardKind {
    /// The name of a kind as `--kind` spells it (and the report's `kind`).
    pub fn name(self) -> &'static str {
        match self {
            RewardKind::Auto => "auto",
            RewardKind::Pairs => "pairs",
            RewardKind::Accuracies => "accuracies",
            RewardKind::RmBench => "styled",
            RewardKind::Ensemble => "ensemble",
            RewardKind::BestOfN => "best-of-n",
            RewardKind::PerPolicy => "per-policy",
            RewardKind::Counterfactual => "counterfactual",
            RewardKind::Rewardbench2 => "candidates",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Ties {
    Wrong,
    Half,
    Exclude,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Preset {
    None,
    /// RewardBench v1: sections weighted by EXAMPLE_COUNTS, 4-section mean, with prior sets, micro.
    Rewardbench,
    /// RM-Bench: 3×3 style matrix → easy / normal / hard per domain, domain and overall means.
    RmBench,
    /// RewardBench 2: best-of-k accuracy with 1/k credit for a tied top, the Ties composite, the
    /// mean of the six subsets.
    Rewardbench2,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LengthUnit {
    Chars,
    Tokens,
}
