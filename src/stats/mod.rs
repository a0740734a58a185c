//! Statistics shared by the engines, neutral to all of them: the defined-or-undefined
//! [`Value`], intervals (Wilson, normal quantiles), hypothesis tests (two proportions, McNemar,
//! Holm), correlations, the bootstrap driver and disparities over groups. Imports no engine.

pub mod bootstrap;
pub mod correlation;
pub mod counterfactual;
pub mod disparity;
pub mod hypothesis;
pub mod intervals;
pub mod value;

pub use value::{reason, Value};

/// How calibration bins are made (`--binning`, audit-fairness and audit-reward).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Binning {
    // Bins of equal width: on [0, 1] for a classifier's scores (bin k holds k/B ≤ s < (k+1)/B,
    // the last one includes 1), on [0.5, 1] for a reward model's top-label confidence.
    // (Plain comments: a doc comment here would become the value's help text.)
    EqualWidth,
    // Runs of equal row count in score order (audit-fairness: row r of n goes to bin ⌊r·B/n⌋,
    // tied scores may fall on both sides of a cut; audit-reward never splits ties).
    EqualMass,
}
