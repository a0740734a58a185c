//! What `audit-ranking` was asked to do: the flags' values, resolved at the command line
//! (`cli::ranking`, where every flag-combination check is made). Plain data; the value enums
//! derive `clap::ValueEnum` so the command line spells them as documented here.

use serde::Serialize;

use crate::input::ReadOptions;
use crate::render::Output;

/// Usual names of the query column, in order of preference (case-insensitive).
pub const QUERY_NAMES: &[&str] = &["query_id", "query", "qid"];
/// Usual names of the rank column.
pub const RANK_NAMES: &[&str] = &["rank", "position"];
/// Usual names of the score column (used when no rank column is found).
pub const SCORE_NAMES: &[&str] = &["score"];
/// Usual names of the relevance column.
pub const RELEVANCE_NAMES: &[&str] = &["relevance", "rel"];

/// How much attention a position gets (the exposure of rank r).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PositionBias {
    /// 1 / log2(1 + r), the discount of DCG (Singh & Joachims 2018).
    Log,
    /// p^(r − 1): the user goes on to the next result with probability p (--persistence).
    Geometric,
    /// (1 − p) p^(r − 1): rank-biased precision's weights, summing to 1 over an infinite list.
    Rbp,
}

/// How FairRankTune combines its per-group values into one number (`EXP`, `AWRF`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Combination {
    /// min / max (1 is parity).
    MinMaxRatio,
    /// max / min (1 is parity).
    MaxMinRatio,
    /// max − min (0 is parity).
    MaxMinDiff,
    /// The largest |value − mean| (0 is parity).
    MaxAbsDiff,
    /// Mean |value − mean| (0 is parity).
    MeanAbsDev,
    /// Euclidean norm of the values.
    LTwo,
    /// Population variance of the values (0 is parity).
    Variance,
}

impl Combination {
    /// FairRankTune's name (`MinMaxRatio`, ...).
    pub fn frt_name(self) -> &'static str {
        match self {
            Combination::MinMaxRatio => "MinMaxRatio",
            Combination::MaxMinRatio => "MaxMinRatio",
            Combination::MaxMinDiff => "MaxMinDiff",
            Combination::MaxAbsDiff => "MaxAbsDiff",
            Combination::MeanAbsDev => "MeanAbsDev",
            Combination::LTwo => "LTwo",
            Combination::Variance => "Variance",
        }
    }
}

/// The resolved flags of one `audit-ranking` run. Column options are `None` when the column
/// is to be detected by its usual names.
#[derive(Debug, Clone)]
pub struct Settings {
    pub files: Vec<String>,
    pub read: ReadOptions,
    pub query: Option<String>,
    pub rank: Option<String>,
    pub score: Option<String>,
    /// The group column (empty in the variant mode).
    pub group: String,
    /// `--variant`: the lists-under-prompt-variants mode ([`crate::ranking::variants`]) instead
    /// of the group-exposure audit.
    pub variants: Option<crate::ranking::variants::VariantSettings>,
    pub relevance: Option<String>,
    pub position_bias: PositionBias,
    /// p of the geometric and RBP models.
    pub persistence: f64,
    /// FairRankTune AWRF's p: the share of attention the first position gets.
    pub attention: f64,
    pub combination: Combination,
    /// The group the exposure and treatment ratios compare with; default the largest.
    pub reference: Option<String>,
    /// The protected group of rND / rKL / rRD and FA*IR.
    pub protected: Option<String>,
    /// Step between rND / rKL / rRD cutoffs (10 in Yang & Stoyanovich's code).
    pub cutoff_step: usize,
    /// Target distribution of NDKL and skew@k (group → share); default each query's own shares.
    pub target: Option<Vec<(String, f64)>>,
    /// FA*IR significance (before adjustment).
    pub alpha: f64,
    /// FA*IR prefix length; default each list's length.
    pub fair_k: Option<usize>,
    /// FA*IR target proportion of protected items; default the protected share over all items.
    pub fair_p: Option<f64>,
    /// Cutoffs of selection rates, skew and diversity / inclusion.
    pub k: Vec<usize>,
    pub export_queries: Option<std::path::PathBuf>,
    pub bootstrap: usize,
    pub seed: u64,
    pub ci: f64,
    pub output: Output,
}
