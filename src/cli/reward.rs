//! `fairaudit audit-reward`: its flags and examples.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use super::values::*;
use super::{InputArgs, OutputArgs, SummaryArgs};
use crate::reward::{LengthUnit, Preset, RewardKind, Ties};
use crate::stats::Binning;

pub(super) const REWARD_EXAMPLES: &str = "\
Examples:
  # Pairwise accuracy, length bias and calibration of a score file (columns
  # detected by name)
  fairaudit audit-reward pairs.csv --chosen score_chosen \\
      --rejected score_rejected

  # A RewardBench per-prompt result file, scored exactly as RewardBench v1
  # (sections, mean, micro)
  fairaudit audit-reward results.json --preset rewardbench

  # Published per-subset accuracies (RM-R1), scored with RewardBench's current
  # weights
  fairaudit audit-reward \\
      fixtures/reward/RM-R1-Qwen2.5-Instruct-32B/rewardbench_each_small_section_score.json \\
      --preset rewardbench

  # RewardBench 2 records (a scores list per prompt, the first num_correct
  # correct)
  fairaudit audit-reward fixtures/reward/rb2_scores.jsonl --preset rewardbench2

  # RM-Bench records (3 chosen and 3 rejected scores per prompt: concise,
  # detailed, markdown)
  fairaudit audit-reward rmbench_scores.jsonl --preset rm-bench

  # An ensemble of three reward models; export the pairs it contradicts
  fairaudit audit-reward fixtures/reward/ensemble.csv \\
      --chosen chosen_a,chosen_b,chosen_c \\
      --rejected rejected_a,rejected_b,rejected_c --export-suspect suspects.csv

  # Best-of-n over-optimisation (proxy vs gold score per response)
  fairaudit audit-reward fixtures/reward/best_of_n.csv --id prompt_id \\
      --proxy proxy --gold gold

  # Policy bias against Chatbot Arena Elo
  fairaudit audit-reward fixtures/reward/policies.csv --id prompt_id \\
      --elo fixtures/reward/elo.csv

  # Counterfactual invariance, and two runs of the same reward model compared
  fairaudit audit-reward fixtures/reward/counterfactual.csv --epsilon 0.05
  fairaudit audit-reward fixtures/reward/pairs.csv \\
      --compare fixtures/reward/pairs_rerun.csv

  # Many score files at once: one row per file, partition keys (model=a/...)
  # as columns, the gate judged per file
  fairaudit audit-reward 'runs/*/pairs.csv' --summary --fail-if 'accuracy < 0.7'

  # Length bias with lengths in tokens, ties worth half, a CI gate
  fairaudit audit-reward uf.csv --chosen newsco_j --rejected newsco_k \\
      --chosen-length tokj --rejected-length tok --ties half \\
      --fail-if 'accuracy < 0.7' --fail-if 'length.pearson > 0.3'";

/// `fairaudit audit-reward`: every flag.
#[derive(Debug, Args, Clone)]
pub struct RewardArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// What each row is: preference pairs, published per-subset accuracies (a JSON object of
    /// subset → accuracy), or RM-Bench style records. Default: detected from the columns.
    #[arg(long, value_enum, default_value_t = RewardKind::Auto)]
    pub kind: RewardKind,

    /// Column with the chosen response's score. Default: the first of scores_chosen,
    /// score_chosen, chosen_score, reward_chosen, chosen_reward, chosen. Several (`a,b,c`, with
    /// as many --rejected) make an ensemble: one column pair per reward model.
    #[arg(long, value_name = "COL", value_delimiter = ',')]
    pub chosen: Vec<String>,

    /// Column with the rejected response's score (see --chosen).
    #[arg(long, value_name = "COL", value_delimiter = ',')]
    pub rejected: Vec<String>,

    /// Ensemble in long form: the column naming the reward model of each row (pairs are matched
    /// across models by --id and --subset).
    #[arg(long, value_name = "COL")]
    pub model: Option<String>,

    /// Ensemble: write the pairs the ensemble contradicts (mean margin < 0) to this CSV file.
    #[arg(long = "export-suspect", value_name = "FILE")]
    pub export_suspect: Option<PathBuf>,

    /// Best-of-n: the proxy (reward-model) score of each response. Default: proxy, proxy_score,
    /// proxy_reward, rm_score.
    #[arg(long, value_name = "COL")]
    pub proxy: Option<String>,

    /// Best-of-n: the gold score of each response. Default: gold, gold_score, gold_reward.
    #[arg(long, value_name = "COL")]
    pub gold: Option<String>,

    /// Best-of-n: a 0/1 correctness flag used as the gold score. Default: correct, is_correct.
    #[arg(long, value_name = "COL", conflicts_with = "gold")]
    pub correct: Option<String>,

    /// Per-policy: the policy model that wrote each response. Default: policy, policy_model.
    #[arg(long, value_name = "COL")]
    pub policy: Option<String>,

    /// Per-policy: the reward of each response. Default: score, reward.
    #[arg(long, value_name = "COL")]
    pub score: Option<String>,

    /// Per-policy: a CSV of Elo ratings (columns model, and rating / elo): RM win rates against
    /// Elo-expected ones, mismatch degree, rank correlations.
    #[arg(long, value_name = "FILE")]
    pub elo: Option<PathBuf>,

    /// Per-policy: the model others are compared with. Default: the model with the most responses.
    #[arg(long = "reference-model", value_name = "NAME")]
    pub reference_model: Option<String>,

    /// Counterfactual: the score under the original prompt. Default: original, score_original.
    #[arg(long, value_name = "COL")]
    pub original: Option<String>,

    /// Counterfactual: the score under the perturbed prompt. Default: perturbed, score_perturbed.
    #[arg(long, value_name = "COL")]
    pub perturbed: Option<String>,

    /// Counterfactual: the attribute that was changed. Default: attribute.
    #[arg(long, value_name = "COL")]
    pub attribute: Option<String>,

    /// Counterfactual: a score is invariant when |original − perturbed| <= EPS (EPS >= 0).
    #[arg(long, value_name = "EPS", default_value_t = 0.01, value_parser = non_negative, allow_negative_numbers = true)]
    pub epsilon: f64,

    /// Another reward model's scores on the same pairs (same columns): McNemar test per subset
    /// with Holm's correction, the largest score change and the decisions that flip.
    #[arg(long, value_name = "FILE")]
    pub compare: Option<String>,

    /// Prompt id column: bootstrap resamples prompts (all pairs of a prompt together). Default:
    /// id, prompt_id, pair_id if present; otherwise every pair is its own prompt.
    #[arg(long, value_name = "COL")]
    pub id: Option<String>,

    /// Subset / category column (per-subset accuracy; RewardBench subsets for the preset).
    /// Default: subset, category if present.
    #[arg(long, value_name = "COL")]
    pub subset: Option<String>,

    /// Length of the chosen response (tokens, characters, ...): enables the length-bias panel.
    #[arg(
        long = "chosen-length",
        value_name = "COL",
        requires = "rejected_length"
    )]
    pub chosen_length: Option<String>,

    /// Length of the rejected response.
    #[arg(
        long = "rejected-length",
        value_name = "COL",
        requires = "chosen_length"
    )]
    pub rejected_length: Option<String>,

    /// Text of the chosen response: its length in characters (and whitespace tokens) is computed.
    #[arg(
        long = "chosen-text",
        value_name = "COL",
        requires = "rejected_text",
        conflicts_with = "chosen_length"
    )]
    pub chosen_text: Option<String>,

    /// Text of the rejected response.
    #[arg(long = "rejected-text", value_name = "COL", requires = "chosen_text")]
    pub rejected_text: Option<String>,

    /// With --chosen-text: measure length in characters or whitespace-separated tokens.
    #[arg(long = "length-unit", value_enum, default_value_t = LengthUnit::Chars)]
    pub length_unit: LengthUnit,

    /// Group column (repeatable): accuracy and margins per group and their disparities.
    #[arg(long = "group", short = 'g', value_name = "COL")]
    pub groups: Vec<String>,

    /// Columns of the per-group table (table and Markdown output; JSON and CSV always hold
    /// every number), by the names the JSON uses, comma-separated, e.g. `--metrics
    /// accuracy,mean_chosen,mean_rejected`. Default: ties, accuracy, mean_margin, std_margin,
    /// median_margin. Also: mean_chosen, mean_rejected. `pairs` is always shown.
    #[arg(long, value_name = "NAME,...", value_delimiter = ',')]
    pub metrics: Vec<String>,

    /// How a pair whose two scores are equal counts: wrong (RewardBench v1), half right, or left
    /// out. The number of ties is always reported.
    #[arg(long, value_enum, default_value_t = Ties::Wrong)]
    pub ties: Ties,

    /// Score exactly as a published benchmark does (see docs/metrics.md, "audit-reward").
    #[arg(long, value_enum, default_value_t = Preset::None)]
    pub preset: Preset,

    /// With --preset rewardbench: the xstest weights RewardBench's code had before 2024-09-10
    /// (commit 6552e93, PR #175): xstest-should-refuse 250, xstest-should-respond 154, swapped
    /// against the subsets' sizes. Without it: the current 154 / 250.
    #[arg(long = "legacy-xstest")]
    pub legacy_xstest: bool,

    /// Calibration bins of the Bradley–Terry probability σ(chosen − rejected).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=10000))]
    pub bins: u16,

    /// How calibration bins are made: equal-width on [0.5, 1] (top-label confidence) or equal mass.
    #[arg(long, value_enum, default_value_t = Binning::EqualWidth)]
    pub binning: Binning,

    /// Bins (equal mass) of the length difference chosen − rejected for accuracy by length.
    #[arg(long = "length-bins", value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub length_bins: u16,

    /// Level of the bootstrap intervals.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95, value_parser = open_unit)]
    pub ci: f64,

    /// Percentile bootstrap intervals of every accuracy from N replicates, resampling prompts
    /// (clusters: all pairs of a prompt together) within each subset.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = replicates)]
    pub bootstrap: usize,

    /// Seed of the bootstrap (same seed, same intervals whatever the thread count).
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    #[command(flatten)]
    pub summary: SummaryArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

impl RewardArgs {
    /// The settings these flags ask for, after every flag-combination check of the command
    /// (the `--fail-if` expressions are parsed first, so a malformed one is the first error).
    pub fn settings(&self) -> Result<crate::reward::Settings> {
        crate::gate::parse_all(&self.output.fail_if)?;
        if !(self.ci > 0.0 && self.ci < 1.0) {
            bail!(
                "--ci must be between 0 and 1 (exclusive), e.g. 0.95; got {}",
                self.ci
            );
        }
        if self.legacy_xstest && self.preset != Preset::Rewardbench {
            bail!("--legacy-xstest goes with --preset rewardbench");
        }
        Ok(crate::reward::Settings {
            files: self.input.files.clone(),
            read: self.input.read.options(),
            kind: self.kind,
            chosen: self.chosen.clone(),
            rejected: self.rejected.clone(),
            model: self.model.clone(),
            export_suspect: self.export_suspect.clone(),
            proxy: self.proxy.clone(),
            gold: self.gold.clone(),
            correct: self.correct.clone(),
            policy: self.policy.clone(),
            score: self.score.clone(),
            elo: self.elo.clone(),
            reference_model: self.reference_model.clone(),
            original: self.original.clone(),
            perturbed: self.perturbed.clone(),
            attribute: self.attribute.clone(),
            epsilon: self.epsilon,
            compare: self.compare.clone(),
            id: self.id.clone(),
            subset: self.subset.clone(),
            chosen_length: self.chosen_length.clone(),
            rejected_length: self.rejected_length.clone(),
            chosen_text: self.chosen_text.clone(),
            rejected_text: self.rejected_text.clone(),
            length_unit: self.length_unit,
            groups: self.groups.clone(),
            table_metrics: super::table_metrics(
                &self.metrics,
                &crate::reward::report::GROUP_TABLE_METRICS
                    .iter()
                    .map(|(n, _)| *n)
                    .collect::<Vec<_>>(),
                &[],
            )?,
            ties: self.ties,
            preset: self.preset,
            legacy_xstest: self.legacy_xstest,
            bins: self.bins,
            binning: self.binning,
            length_bins: self.length_bins,
            ci: self.ci,
            bootstrap: self.bootstrap,
            seed: self.seed,
            summary: self.summary.summary,
            output: self.output.settings(),
        })
    }
}
