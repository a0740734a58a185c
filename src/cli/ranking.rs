//! `fairaudit audit-ranking`: its flags and examples.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use super::values::*;
use super::{InputArgs, OutputArgs};
use crate::ranking::variants::{ItemMatch, VariantSettings};
use crate::ranking::{Combination, PositionBias};

pub(super) const RANKING_EXAMPLES: &str = "\
Examples:
  # Exposure by group (log position bias), FairRankTune's EXP / AWRF / NDKL,
  # top-3 and top-5 selection rates; columns detected by name
  fairaudit audit-ranking fixtures/ranking_search.csv --group gender --k 3,5

  # Ranks from scores, graded relevance, FA*IR and rND / rKL / rRD for women
  fairaudit audit-ranking search.csv --query qid --score score \\
      --group gender --relevance relevance --protected woman --cutoff-step 1

  # Geometric attention (persistence 0.8) and a target distribution for
  # NDKL / skew@k
  fairaudit audit-ranking search.csv --group gender --position-bias geometric \\
      --persistence 0.8 --target woman=0.5,man=0.45,nonbinary=0.05

  # CI gates with bootstrap intervals over queries; the per-query table
  fairaudit audit-ranking search.csv --group gender --protected woman \\
      --bootstrap 1000 --seed 1 --export-queries queries.csv \\
      --fail-if 'disparate_exposure_ratio.lower < 0.8' \\
      --fail-if 'woman:share_of_exposure < 0.3' \\
      --fail-if 'fair_pass_rate < 0.95' --fail-if 'selection_rate_ratio@10 < 0.8'

  # LLM recommendation lists under prompt variants (FaiRLLM): each value's
  # lists against the neutral ones; gate on the spread over gender's values
  fairaudit audit-ranking fixtures/recommendations.csv --variant variant \
      --neutral neutral --k 10,20 --fail-if 'gender:snsr_jaccard@20 > 0.1'

  # Generated titles matched after FaiRLLM's cleaning; lists ordered by score
  fairaudit audit-ranking recs.csv --variant mentioned --item title \
      --score confidence --item-match fairllm --bootstrap 1000 \
      --fail-if 'old:jaccard@10.lower < 0.5'";

/// `fairaudit audit-ranking`: every flag.
#[derive(Debug, Args, Clone)]
pub struct RankingArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Query column: the rows of one query are one ranked list (queries are told apart by file
    /// and value). Default: the first of query_id, query, qid (with --variant: prompt_id,
    /// prompt, query_id, query, qid, user_id, user, instruction_id).
    #[arg(long, value_name = "COL")]
    pub query: Option<String>,

    /// Rank column: 1..n without gaps or repeats within each query. Default: rank, position
    /// (else --score's default, score).
    #[arg(long, value_name = "COL", conflicts_with = "score")]
    pub rank: Option<String>,

    /// Score column: items are ranked by descending score within each query, ties broken by
    /// file order (the earlier row ranks higher).
    #[arg(long, value_name = "COL")]
    pub score: Option<String>,

    /// Group column (the sensitive attribute of each ranked item).
    #[arg(
        long = "group",
        short = 'g',
        value_name = "COL",
        required_unless_present = "variant",
        conflicts_with = "variant"
    )]
    pub group: Option<String>,

    /// Lists under prompt variants (FaiRLLM): the column naming each list's variant — the
    /// neutral prompt (--neutral) or the sensitive value it mentions (female, old, ...). Each
    /// prompt's lists are compared with its neutral list: Jaccard@K, SERP*@K, PRAG*@K per value,
    /// SNSR / SNSV per attribute. Needs --item; replaces --group.
    #[arg(long, value_name = "COL")]
    pub variant: Option<String>,

    /// The --variant value of the neutral prompts (no sensitive attribute mentioned).
    #[arg(
        long,
        value_name = "VALUE",
        default_value = "neutral",
        requires = "variant"
    )]
    pub neutral: String,

    /// With --variant: the column naming each value's attribute (gender, age), so SNSR / SNSV
    /// compare the values of one attribute; neutral rows may leave it empty. Default: attribute,
    /// sensitive_attribute if present, else every value is one attribute `all`.
    #[arg(long, value_name = "COL", requires = "variant")]
    pub attribute: Option<String>,

    /// With --variant: the recommended item column. Default: item, item_id, title,
    /// recommendation, doc_id.
    #[arg(long, value_name = "COL", requires = "variant")]
    pub item: Option<String>,

    /// With --variant: how items are matched between lists.
    #[arg(long = "item-match", value_enum, default_value_t = ItemMatch::Exact, requires = "variant")]
    pub item_match: ItemMatch,

    /// Relevance column (graded, 0 or more): share of relevance, the disparate treatment ratio,
    /// relevance-weighted inclusion. Default: relevance, rel if present.
    #[arg(long, value_name = "COL", conflicts_with = "variant")]
    pub relevance: Option<String>,

    /// How much attention rank r gets: log = 1/log2(1+r) (DCG), geometric = p^(r−1), rbp =
    /// (1−p)·p^(r−1), p from --persistence.
    #[arg(long = "position-bias", value_enum, default_value_t = PositionBias::Log, conflicts_with = "variant")]
    pub position_bias: PositionBias,

    /// p of the geometric and RBP position-bias models (probability of going on to the next
    /// result), in (0, 1). Default 0.5.
    #[arg(long, value_name = "P", value_parser = open_unit, conflicts_with = "variant")]
    pub persistence: Option<f64>,

    /// FairRankTune AWRF's p: the share of attention the first position gets, in (0, 1).
    #[arg(long, value_name = "P", default_value_t = 0.5, value_parser = open_unit, conflicts_with = "variant")]
    pub attention: f64,

    /// How FairRankTune's EXP and AWRF combine the groups' values into one number.
    #[arg(long, value_enum, default_value_t = Combination::MinMaxRatio, conflicts_with = "variant")]
    pub combination: Combination,

    /// The group exposure_ratio and treatment_ratio compare with. Default: the group with the
    /// most items.
    #[arg(long, value_name = "GROUP", conflicts_with = "variant")]
    pub reference: Option<String>,

    /// The protected group of rND / rKL / rRD and the FA*IR test.
    #[arg(long, value_name = "GROUP", conflicts_with = "variant")]
    pub protected: Option<String>,

    /// Step between the cutoffs of rND / rKL / rRD (10, 20, ... in Yang & Stoyanovich).
    #[arg(long = "cutoff-step", value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u32).range(1..), conflicts_with = "variant")]
    pub cutoff_step: u32,

    /// Target distribution of NDKL, skew@k and distributional diversity, e.g.
    /// `woman=0.5,man=0.45,nonbinary=0.05` (every group, summing to 1). Default: each query's
    /// own group shares.
    #[arg(
        long,
        value_name = "G=P,...",
        value_delimiter = ',',
        conflicts_with = "variant"
    )]
    pub target: Vec<String>,

    /// FA*IR significance level before its adjustment for multiple prefixes (0.001 to 0.5).
    #[arg(long, value_name = "ALPHA", default_value_t = 0.1, value_parser = open_unit, conflicts_with = "variant")]
    pub alpha: f64,

    /// FA*IR: test the top K of each list (lists shorter than K are undefined). Default: each
    /// list's length.
    #[arg(long = "fair-k", value_name = "K", value_parser = clap::value_parser!(u32).range(2..=1000), conflicts_with = "variant")]
    pub fair_k: Option<u32>,

    /// FA*IR: the minimum proportion of protected items p. Default: the protected share of all
    /// ranked items.
    #[arg(long = "fair-p", value_name = "P", value_parser = open_unit, conflicts_with = "variant")]
    pub fair_p: Option<f64>,

    /// Cutoffs of the top-k selection rates, skew@k and diversity / inclusion, comma-separated
    /// (default 5,10); with --variant, the K of Jaccard@K, SERP*@K and PRAG*@K (default
    /// 5,10,20).
    #[arg(long, value_name = "K,...", value_delimiter = ',', value_parser = clap::value_parser!(u32).range(1..))]
    pub k: Vec<u32>,

    /// Write one row per query with its numbers to this CSV file.
    #[arg(
        long = "export-queries",
        value_name = "FILE",
        conflicts_with = "variant"
    )]
    pub export_queries: Option<PathBuf>,

    /// Level of the bootstrap intervals.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95, value_parser = open_unit)]
    pub ci: f64,

    /// Percentile bootstrap intervals of every number from N replicates, resampling queries.
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = replicates)]
    pub bootstrap: usize,

    /// Seed of the bootstrap (same seed, same intervals whatever the thread count).
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    #[command(flatten)]
    pub output: OutputArgs,
}

impl RankingArgs {
    /// The engine's settings, with every check between flags.
    pub fn settings(&self) -> Result<crate::ranking::Settings> {
        if !(0.001..=0.5).contains(&self.alpha) {
            bail!("--alpha {}: FA*IR's significance must be between 0.001 and 0.5 (fairsearchcore's range)", self.alpha);
        }
        let target = target_shares(&self.target, "woman=0.5,man=0.5")?;
        let mut k: Vec<usize> = self.k.iter().map(|&x| x as usize).collect();
        if k.is_empty() {
            k = if self.variant.is_some() {
                vec![5, 10, 20]
            } else {
                vec![5, 10]
            };
        }
        if k.contains(&0) {
            bail!("--k: cutoffs must be 1 or more");
        }
        k.sort_unstable();
        k.dedup();
        if self.persistence.is_some() && self.position_bias == PositionBias::Log {
            bail!("--persistence is the p of --position-bias geometric or rbp; the default log model has none (give --position-bias geometric or rbp, or drop --persistence)");
        }
        if (self.fair_k.is_some() || self.fair_p.is_some()) && self.protected.is_none() {
            bail!("--fair-k / --fair-p need --protected GROUP (the FA*IR test is about one protected group)");
        }
        Ok(crate::ranking::Settings {
            files: self.input.files.clone(),
            read: self.input.read.options(),
            query: self.query.clone(),
            rank: self.rank.clone(),
            score: self.score.clone(),
            group: self.group.clone().unwrap_or_default(),
            variants: self.variant.as_ref().map(|v| VariantSettings {
                prompt: self.query.clone(),
                variant: v.clone(),
                neutral: self.neutral.clone(),
                attribute: self.attribute.clone(),
                item: self.item.clone(),
                rank: self.rank.clone(),
                score: self.score.clone(),
                cutoffs: k.clone(),
                item_match: self.item_match,
                bootstrap: self.bootstrap,
                seed: self.seed,
                confidence: self.ci,
            }),
            relevance: self.relevance.clone(),
            position_bias: self.position_bias,
            persistence: self.persistence.unwrap_or(0.5),
            attention: self.attention,
            combination: self.combination,
            reference: self.reference.clone(),
            protected: self.protected.clone(),
            cutoff_step: self.cutoff_step as usize,
            target,
            alpha: self.alpha,
            fair_k: self.fair_k.map(|k| k as usize),
            fair_p: self.fair_p,
            k,
            export_queries: self.export_queries.clone(),
            bootstrap: self.bootstrap,
            seed: self.seed,
            ci: self.ci,
            output: self.output.settings(),
        })
    }
}
