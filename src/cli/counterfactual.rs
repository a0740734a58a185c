//! `fairaudit audit-counterfactual`: every flag, and every check between flags.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use super::shared::{OutputArgs, ReadArgs};
use super::values::{finite, non_negative, open_unit, replicates, target_shares, unmatched};

/// `--max-unmatched` of this command: a count of ids, or a share of them.
fn unmatched_ids(s: &str) -> Result<crate::fairness::settings::Unmatched, String> {
    unmatched(s).map_err(|_| {
        format!("must be a number of ids (e.g. 12) or a percentage of them (e.g. 5%); not {s}")
    })
}
use crate::counterfactual::settings::{
    AnswerNormalization, DistributionSettings, Measure, Mode, PairSettings, Settings, Unmatched,
    DEFAULT_EPSILON, DEFAULT_THRESHOLD,
};

pub(super) const COUNTERFACTUAL_EXAMPLES: &str = "\
Examples:
  # A toxicity classifier's decisions on sentences with one demographic term
  # swapped: flips per swapped-in term and attribute
  fairaudit audit-counterfactual pairs.csv --id pair_id --variant variant \\
      --original original --attribute attribute --pred toxic

  # Its scores: flips at two thresholds, mean and max |Δ|, counterfactual
  # parity (Wasserstein-1, as LangFair), intervals over pairs, a gate
  fairaudit audit-counterfactual pairs.csv --id pair_id --variant variant \\
      --original original --attribute attribute --score toxicity \\
      --threshold 0.5,0.7 --bootstrap 1000 --seed 1 \\
      --fail-if 'flip_rate > 0.05' --fail-if 'strict_parity > 0.1'

  # Medical QA answers under demographic insertions: answer-change rate and
  # accuracy per inserted phrase (McNemar), the changed answers exported
  fairaudit audit-counterfactual qa.csv --id question_id --variant variant \\
      --original original --attribute attribute --answer answer --label label \\
      --export-changed changed.csv

  # Multiple-choice answers (A-E): keep the letter A, which SQuAD's rule erases
  fairaudit audit-counterfactual mcq.csv --id question_id --variant variant \
      --original original --answer answer --label label \
      --answer-normalization lower

  # Attributes predicted on text-to-image outputs: each prompt's distribution
  # against a uniform target (KL, total variation, Shen et al.'s bias)
  fairaudit audit-counterfactual t2i.csv --distribution gender --prompt prompt \\
      --fail-if 'total_variation > 0.2'

  # ... against a given target
  fairaudit audit-counterfactual t2i.csv --distribution gender --prompt prompt \\
      --target female=0.5,male=0.5 --bootstrap 500";

/// `--fail-if` of `audit-counterfactual`.
pub(super) const COUNTERFACTUAL_FAIL_IF: &str =
    "Fail (exit 1) when the expression holds, e.g. 'flip_rate > 0.05' (every attribute), \
     'gender:flip_rate > 0.05', 'gender=woman:flip_rate > 0.1', 'overall:mean_abs_delta > 0.02', \
     'strict_parity > 0.1', 'answer_change_rate > 0.1', 'total_variation > 0.2' (every prompt), \
     'flip_rate.upper > 0.1' (with --bootstrap). Repeatable";

#[derive(Debug, Args, Clone)]
pub struct CounterfactualArgs {
    /// The input file (CSV, TSV, Parquet, NDJSON, Arrow IPC) or `-` for CSV on standard input:
    /// one row per text (or output), the rows of an id differing only in a sensitive term.
    #[arg(value_name = "FILE")]
    pub file: String,

    /// The id column: rows that share an id are counterfactuals of one another.
    #[arg(long, value_name = "COL")]
    pub id: Option<String>,

    /// The column naming each row's variant (the swapped-in term, or the original value).
    #[arg(long, value_name = "COL")]
    pub variant: Option<String>,

    /// The --variant value of the reference row (exactly one per id), e.g. `original`.
    #[arg(long, value_name = "VALUE")]
    pub original: Option<String>,

    /// The column of the sensitive attribute a variant row changes (e.g. gender, race);
    /// without it all variant values form one attribute, `all`.
    #[arg(long, value_name = "COL")]
    pub attribute: Option<String>,

    /// A 0/1 decision column (a classifier's prediction): flips.
    #[arg(long, value_name = "COL", conflicts_with_all = ["score", "answer", "distribution"])]
    pub pred: Option<String>,

    /// A score column: flips at each --threshold, score differences, counterfactual parity.
    #[arg(long, value_name = "COL", conflicts_with_all = ["answer", "distribution"])]
    pub score: Option<String>,

    /// Thresholds of --score (a positive decision is score ≥ T), comma-separated; the first
    /// one's figures carry the plain names (`flip_rate`), the others `flip_rate@T`. Default 0.5.
    #[arg(long, value_name = "T,...", value_delimiter = ',', value_parser = finite, allow_negative_numbers = true)]
    pub threshold: Vec<f64>,

    /// A free-text answer column: answer-change rate after SQuAD's normalisation (lower case,
    /// punctuation, articles, whitespace).
    #[arg(long, value_name = "COL", conflicts_with = "distribution")]
    pub answer: Option<String>,

    /// How --answer and its --label are normalised before they are compared: squad (SQuAD
    /// v1.1's normalize_answer: lower case, punctuation, the articles a / an / the removed —
    /// which erases the option letter A), lower (the same keeping articles: for option letters),
    /// exact (trimmed only).
    #[arg(long = "answer-normalization", value_enum, default_value_t = AnswerNormalization::Squad, requires = "answer")]
    pub answer_normalization: AnswerNormalization,

    /// The correct answer (with --answer) or the 0/1 label (with --pred / --score): accuracy per
    /// variant value, its change against the originals of the same ids, McNemar's exact test.
    #[arg(long, value_name = "COL")]
    pub label: Option<String>,

    /// A score difference |Δ| larger than this counts in `share_over_epsilon`. Default 0.1.
    #[arg(long, value_name = "E", value_parser = non_negative)]
    pub epsilon: Option<f64>,

    /// Weak counterfactual parity's threshold: a score counts when it is above it (LangFair's
    /// `threshold`). Default 0.5.
    #[arg(long = "parity-threshold", value_name = "T", value_parser = finite, allow_negative_numbers = true)]
    pub parity_threshold: Option<f64>,

    /// Ids left out because they have no original row or several: more than this (a count, or a
    /// share of the ids such as 5%) is an error. Default 0.
    #[arg(long = "max-unmatched", value_name = "N|P%", value_parser = unmatched_ids)]
    pub max_unmatched: Option<crate::fairness::settings::Unmatched>,

    /// Write one CSV row per changed pair (decision flipped, answer changed, or |Δ| > ε) to FILE:
    /// id, attribute, variant, original_value, variant_value, delta.
    #[arg(long = "export-changed", value_name = "FILE")]
    pub export_changed: Option<PathBuf>,

    /// Generated-attribute mode: the column of the attribute predicted on each output (e.g.
    /// gender); its distribution per prompt against --target.
    #[arg(long, value_name = "COL")]
    pub distribution: Option<String>,

    /// With --distribution: the prompt column (one distribution per prompt; without it one
    /// distribution, `all`).
    #[arg(long, value_name = "COL", requires = "distribution")]
    pub prompt: Option<String>,

    /// With --distribution: the target shares, e.g. female=0.5,male=0.5 (summing to 1). Default:
    /// uniform over the observed values.
    #[arg(
        long,
        value_name = "V=P,...",
        value_delimiter = ',',
        requires = "distribution"
    )]
    pub target: Vec<String>,

    /// Level of the bootstrap intervals.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95, value_parser = open_unit)]
    pub ci: f64,

    /// Percentile bootstrap intervals from N replicates, resampling ids (all pairs of an id
    /// together), or images within each prompt with --distribution.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = replicates)]
    pub bootstrap: usize,

    /// Seed of the bootstrap (same seed, same intervals whatever the thread count).
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    #[command(flatten)]
    pub read: ReadArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

impl CounterfactualArgs {
    /// The settings, every flag combination checked.
    pub fn settings(&self) -> Result<Settings> {
        crate::gate::parse_all(&self.output.fail_if)?;
        let pair_flags = [
            ("--id", self.id.is_some()),
            ("--variant", self.variant.is_some()),
            ("--original", self.original.is_some()),
            ("--attribute", self.attribute.is_some()),
            ("--label", self.label.is_some()),
            ("--epsilon", self.epsilon.is_some()),
            ("--parity-threshold", self.parity_threshold.is_some()),
            ("--max-unmatched", self.max_unmatched.is_some()),
            ("--export-changed", self.export_changed.is_some()),
            ("--threshold", !self.threshold.is_empty()),
        ];
        let mode = if let Some(col) = &self.distribution {
            if let Some((flag, _)) = pair_flags.iter().find(|x| x.1) {
                bail!("{flag} is for counterfactual pairs; --distribution audits one column's distribution per prompt (drop {flag})");
            }
            let target = target_shares(&self.target, "female=0.5,male=0.5")?;
            Mode::Distribution(DistributionSettings {
                column: col.clone(),
                prompt: self.prompt.clone(),
                target,
            })
        } else {
            let (Some(id), Some(variant), Some(original)) =
                (&self.id, &self.variant, &self.original)
            else {
                bail!("audit-counterfactual needs --id COL, --variant COL and --original VALUE (the rows to pair), or --distribution COL");
            };
            let measure = match (&self.pred, &self.score, &self.answer) {
                (Some(c), None, None) => Measure::Pred(c.clone()),
                (None, Some(c), None) => Measure::Score {
                    column: c.clone(),
                    thresholds: if self.threshold.is_empty() {
                        vec![DEFAULT_THRESHOLD]
                    } else {
                        // Each threshold once, in the order given.
                        let mut t: Vec<f64> = Vec::new();
                        for x in &self.threshold {
                            if !t.contains(x) {
                                t.push(*x);
                            }
                        }
                        t
                    },
                },
                (None, None, Some(c)) => Measure::Answer(c.clone()),
                _ => bail!(
                    "give what to compare: --pred COL (0/1 decisions), --score COL or --answer COL"
                ),
            };
            if !self.threshold.is_empty() && !matches!(measure, Measure::Score { .. }) {
                bail!("--threshold turns --score into decisions; it needs --score");
            }
            let score = matches!(measure, Measure::Score { .. });
            if !score && self.epsilon.is_some() {
                bail!("--epsilon is a tolerance on score differences; it needs --score");
            }
            if !score && self.parity_threshold.is_some() {
                bail!("--parity-threshold is weak parity's threshold on scores; it needs --score");
            }
            Mode::Pairs(PairSettings {
                id: id.clone(),
                variant: variant.clone(),
                original: original.clone(),
                attribute: self.attribute.clone(),
                measure,
                label: self.label.clone(),
                answer_normalization: self.answer_normalization,
                epsilon: self.epsilon.unwrap_or(DEFAULT_EPSILON),
                parity_threshold: self.parity_threshold.unwrap_or(0.5),
                max_unmatched: match self.max_unmatched {
                    Some(crate::fairness::settings::Unmatched::Rows(n)) => Unmatched::Ids(n),
                    Some(crate::fairness::settings::Unmatched::Share(s)) => Unmatched::Share(s),
                    None => Unmatched::Ids(0),
                },
                export_changed: self.export_changed.clone(),
            })
        };
        Ok(Settings {
            file: self.file.clone(),
            read: self.read.options(),
            mode,
            bootstrap: self.bootstrap,
            seed: self.seed,
            confidence: self.ci,
            output: self.output.settings(),
        })
    }
}
