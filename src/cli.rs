//! Every command-line flag of fairaudit is defined here, once. `--help`, the shell completions in
//! `completions/` and the man page in `man/` are all generated from these definitions.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Audit the outputs of machine-learning systems: group fairness of classifiers, reward-model score
/// files and fair-division outcomes.
#[derive(Debug, Parser)]
#[command(
    name = "fairaudit",
    version,
    about,
    long_about = None,
    after_help = "Exit codes: 0 every --fail-if gate passed, 1 a gate failed, 2 bad usage or bad input.\n\
                  Documentation: docs/metrics.md (every metric), docs/report-schema.md (JSON output)."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Group fairness of a binary classifier: confusion rates per group and per intersection of
    /// groups, parity differences and ratios, four-fifths rule, CI gates.
    #[command(after_help = FAIRNESS_EXAMPLES)]
    AuditFairness(Box<FairnessArgs>),
    /// Audit reward-model score files: preference accuracy (RewardBench / RM-Bench scoring), ties,
    /// length bias, calibration, per-group accuracy, bootstrap intervals clustered by prompt.
    #[command(after_help = REWARD_EXAMPLES)]
    AuditReward(Box<RewardArgs>),
    /// Fair division: compute allocations of goods / chores / mixed items and check any
    /// allocation against EF, EF1, EFX, PROP, MMS, PO; contribution-based rewards (Shapley).
    #[command(subcommand)]
    Allocate(AllocateCommand),
    /// Print the SQL query whose result is the statistics table of an audit, for the engine that
    /// holds the predictions; finish with `audit-fairness --from-stats RESULT`.
    #[command(after_help = SQL_EXAMPLES)]
    Sql(Box<SqlArgs>),
    /// Print a shell completion script to stdout.
    #[command(
        after_help = "Example:\n  fairaudit completions bash > ~/.local/share/bash-completion/completions/fairaudit"
    )]
    Completions {
        /// The shell to generate completions for.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    #[command(hide = true)]
    Man,
}

const FAIRNESS_EXAMPLES: &str = "\
Examples:
  # Audit a predictions file by race (label and prediction columns are detected by name)
  fairaudit audit-fairness fixtures/compas.csv --group race

  # Race, sex and their intersection, as JSON, failing CI when parity is violated
  fairaudit audit-fairness preds.parquet --label y_true --pred y_pred --group race --group sex \\
      --json --fail-if 'demographic_parity_difference > 0.1' --fail-if 'race:equalized_odds_ratio < 0.8'

  # Predictions from a score column, string labels, sample weights
  fairaudit audit-fairness adult.csv --label income --positive '>50K' --score proba --threshold 0.3 \\
      --weight fnlwgt --group sex

  # Scores: ROC AUC, BPSN/BNSP, Brier, log loss, calibration (ECE) per group
  fairaudit audit-fairness preds.csv --label y --score proba --bins 15 --group race

  # aequitas-style comparison with a reference group, bootstrap intervals, a gate on an interval end
  fairaudit audit-fairness fixtures/compas.csv --group race --reference Caucasian \
      --bootstrap 1000 --seed 7 --fail-if 'demographic_parity_difference.upper > 0.3'

  # Parity within strata of a legitimate variable (Simpson's paradox)
  fairaudit audit-fairness admissions.csv --group sex --condition department

  # Regression (numeric label and prediction): MAE, RMSE, R², mean residual per group
  fairaudit audit-fairness fixtures/compas_regression.csv --label y --pred y_pred --group race

  # Multiclass: one-vs-rest report per class
  fairaudit audit-fairness fixtures/compas_multiclass.csv --label risk --pred risk_pred \\
      --group race --classes Low,High

  # An R export (TRUE/FALSE, NA) and a CSV with a malformed row: skip and count such rows
  fairaudit audit-fairness fixtures/reading/r_write_csv_na.csv --group g
  fairaudit audit-fairness fixtures/reading/ragged_unquoted_comma.csv --group race --skip-bad-rows

  # Other missing-value spellings (replaces pandas' list; an empty field is always missing)
  fairaudit audit-fairness survey.csv --group region --na-values 'NA,-99,.'

  # Many files at once (in parallel): one row per file x attribute, partition keys as columns
  fairaudit audit-fairness 'runs/**/*.parquet' --group race --summary --format csv

  # Scores of a file too big to keep: rounded to 1e-6 and merged, AUC with its error bound
  fairaudit audit-fairness huge.parquet --group race --score p --score-resolution 1e-6

  # Statistics of each shard, merged into one audit (docs/scale.md)
  fairaudit audit-fairness part-1.parquet --group race --emit-stats part-1.json
  fairaudit audit-fairness --from-stats part-*.json --bootstrap 1000

  # Pipe into jq
  fairaudit audit-fairness preds.csv --group race --json | \\
      jq '.attributes[] | {name, dpd: .disparities.demographic_parity_difference}'";

const SQL_EXAMPLES: &str = "\
Examples:
  # DuckDB: the statistics of a Parquet file, then the audit from its result
  fairaudit sql --dialect duckdb --table \"read_parquet('preds.parquet')\" \\
      --label y --pred y_hat --group race > stats.sql
  duckdb -csv < stats.sql > stats.csv && fairaudit audit-fairness --from-stats stats.csv

  # Spark SQL over a warehouse table: thresholded scores, weights, two attributes
  fairaudit sql --dialect spark --table lake.preds --label y --score p --threshold 0.3 \\
      --weight w --group race --group sex

  # A FLOAT (32-bit) score column compared in its own precision, as audit-fairness does;
  # labels coded -9 for missing
  fairaudit sql --dialect postgres --table preds --label y --score p --threshold 0.7 \\
      --score-type float32 --na-values=-9 --group race";

/// The statistics query of `fairaudit sql`.
#[derive(Debug, Args, Clone)]
pub struct SqlArgs {
    /// The SQL dialect.
    #[arg(long, value_enum)]
    pub dialect: SqlDialect,

    /// The table (or any FROM expression, e.g. read_parquet('x.parquet')), used as written.
    #[arg(long, value_name = "TABLE", value_parser = non_empty)]
    pub table: String,

    /// The label column (0/1, true/false, or with --positive).
    #[arg(long, value_name = "COL")]
    pub label: String,

    /// The prediction column (0/1, true/false, or with --pred-positive / --positive).
    #[arg(long, value_name = "COL", conflicts_with = "score")]
    pub pred: Option<String>,

    /// A score column: the prediction is score >= --threshold.
    #[arg(long, value_name = "COL")]
    pub score: Option<String>,

    /// The threshold on --score (a finite number).
    #[arg(long, value_name = "T", default_value_t = 0.5, value_parser = finite, allow_negative_numbers = true)]
    pub threshold: f64,

    /// The type of the --score column in the table: float32 (REAL / FLOAT) compares it with
    /// the threshold in 32-bit precision, as `audit-fairness` does on a float32 column
    /// (a float32 0.7 is >= 0.7); float64 (DOUBLE) compares in 64 bits.
    #[arg(
        long = "score-type",
        value_enum,
        default_value = "float64",
        value_name = "TYPE"
    )]
    pub score_type: ScoreType,

    #[command(flatten)]
    pub na: NaArgs,

    /// The positive value of the label (and of the prediction, unless --pred-positive).
    #[arg(long, value_name = "VALUE")]
    pub positive: Option<String>,

    /// The positive value of the prediction.
    #[arg(long = "pred-positive", value_name = "VALUE")]
    pub pred_positive: Option<String>,

    /// A column of sample weights.
    #[arg(long, value_name = "COL")]
    pub weight: Option<String>,

    /// Sensitive attribute column (repeatable); the statistics are per combination of them.
    #[arg(long = "group", short = 'g', value_name = "COL")]
    pub groups: Vec<String>,

    /// Write the query to this file instead of standard output.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,
}

/// The precision a score column is stored in (`fairaudit sql --score-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoreType {
    Float32,
    Float64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    Duckdb,
    Postgres,
    Trino,
    Spark,
    Bigquery,
}

const REWARD_EXAMPLES: &str = "\
Examples:
  # Pairwise accuracy, length bias and calibration of a score file (columns detected by name)
  fairaudit audit-reward pairs.csv --chosen score_chosen --rejected score_rejected

  # A RewardBench per-prompt result file, scored exactly as RewardBench v1 (sections, mean, micro)
  fairaudit audit-reward results.json --preset rewardbench

  # Published per-subset accuracies (RM-R1), scored with RewardBench's current weights
  fairaudit audit-reward \\
      fixtures/reward/RM-R1-Qwen2.5-Instruct-32B/rewardbench_each_small_section_score.json \\
      --preset rewardbench

  # RewardBench 2 records (a scores list per prompt, the first num_correct correct)
  fairaudit audit-reward fixtures/reward/rb2_scores.jsonl --preset rewardbench2

  # RM-Bench records (3 chosen and 3 rejected scores per prompt: concise, detailed, markdown)
  fairaudit audit-reward rmbench_scores.jsonl --preset rm-bench

  # An ensemble of three reward models; export the pairs it contradicts
  fairaudit audit-reward fixtures/reward/ensemble.csv --chosen chosen_a,chosen_b,chosen_c \\
      --rejected rejected_a,rejected_b,rejected_c --export-suspect suspects.csv

  # Best-of-n over-optimisation (proxy vs gold score per response)
  fairaudit audit-reward fixtures/reward/best_of_n.csv --id prompt_id --proxy proxy --gold gold

  # Policy bias against Chatbot Arena Elo
  fairaudit audit-reward fixtures/reward/policies.csv --id prompt_id --elo fixtures/reward/elo.csv

  # Counterfactual invariance, and two runs of the same reward model compared
  fairaudit audit-reward fixtures/reward/counterfactual.csv --epsilon 0.05
  fairaudit audit-reward fixtures/reward/pairs.csv --compare fixtures/reward/pairs_rerun.csv

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
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RewardKind {
    /// Detect from the file.
    Auto,
    /// One row per preference pair: a chosen and a rejected score.
    Pairs,
    /// A JSON object of subset → accuracy (e.g. a published RewardBench result).
    Accuracies,
    /// RM-Bench: per record 3 chosen and 3 rejected scores (concise, detailed, markdown) and a domain.
    Styled,
    /// Pairs scored by several reward models (one column pair per model, or a --model column).
    Ensemble,
    /// Responses per prompt with a proxy score and a gold score (or correctness flag).
    BestOfN,
    /// Responses per prompt written by several policy models, with their reward.
    PerPolicy,
    /// The same response scored under an original and a perturbed prompt.
    Counterfactual,
    /// Per prompt several scored candidates, the first `num_correct` correct (RewardBench 2).
    Candidates,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Ties {
    Wrong,
    Half,
    Exclude,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LengthUnit {
    Chars,
    Tokens,
}

#[derive(Debug, Subcommand)]
pub enum AllocateCommand {
    /// Compute an allocation of items with a fair-division rule, and audit it.
    #[command(after_help = ITEMS_EXAMPLES)]
    Items(Box<ItemsArgs>),
    /// Check an existing allocation of items against every fairness and efficiency property.
    #[command(after_help = CHECK_EXAMPLES)]
    Check(Box<CheckArgs>),
    /// Contribution-based rewards from coalition values: Shapley (exact or Monte Carlo),
    /// leave-one-out, the core, proportional shares, collaboration fairness.
    #[command(after_help = SHAPLEY_EXAMPLES)]
    Shapley(Box<ShapleyArgs>),
    /// Participatory budgeting: a pabulib `.pb` election's outcome under a rule (exact rationals,
    /// pabutools' tie rule), or the audit of a given outcome.
    #[command(after_help = PB_EXAMPLES)]
    Pb(Box<PbArgs>),
}

const PB_EXAMPLES: &str = "\
Examples:
  # The method of equal shares with Add1 completion (cost satisfaction), as pabutools computes it
  fairaudit allocate pb fixtures/pb/poland_warszawa_2017_anin.pb --rule mes --completion add1

  # Greedy by votes per cost, cardinality satisfaction, JSON
  fairaudit allocate pb election.pb --rule greedy --satisfaction cardinality --json

  # Audit what the city funded (the projects listed with --outcome)
  fairaudit allocate pb election.pb --outcome 196,443,463";

#[derive(Debug, Args, Clone)]
pub struct PbArgs {
    /// The pabulib file.
    #[arg(value_name = "FILE.pb")]
    pub file: String,

    /// The rule that computes the outcome (ignored with --outcome).
    #[arg(long, value_enum, default_value_t = PbRule::Mes)]
    pub rule: PbRule,

    /// Voter satisfaction: cost of the approved projects, their number, or the points given.
    /// Default: points for cumulative and scoring ballots, cost otherwise.
    #[arg(long, value_enum)]
    pub satisfaction: Option<PbSat>,

    /// MES completion: none, Add1 (raise every voter's budget by 1 until exhaustive), greedy, or
    /// Add1 then greedy.
    #[arg(long, value_enum, default_value_t = PbCompletion::None)]
    pub completion: PbCompletion,

    /// Audit this outcome instead of computing one: project ids separated by commas.
    #[arg(long, value_name = "IDS", value_delimiter = ',')]
    pub outcome: Vec<String>,

    /// EJR / PJR are exact within this many search nodes; beyond, a property without a
    /// violation found is reported as not decided.
    #[arg(long = "jr-limit", value_name = "N", default_value_t = 2_000_000)]
    pub jr_limit: u64,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PbRule {
    /// Method of equal shares.
    Mes,
    /// Greedy by satisfaction per unit of cost.
    Greedy,
    /// Sequential Phragmén (approval ballots).
    Phragmen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PbSat {
    Cost,
    Cardinality,
    Points,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PbCompletion {
    None,
    Add1,
    Greedy,
    Add1Greedy,
}

const ITEMS_EXAMPLES: &str = "\
Examples:
  # Round robin over goods (utilities: one row per agent, one column per item)
  fairaudit allocate items fixtures/allocate/goods.csv --method round-robin

  # Maximum Nash welfare (exact by branch and bound on small instances; EF1 and PO)
  fairaudit allocate items fixtures/allocate/goods.csv --method mnw

  # Mixed goods and chores: double round robin (EF1)
  fairaudit allocate items fixtures/allocate/mixed.csv --method double-round-robin --json

  # Leximin: the largest minimum value, then the next (exact within --node-limit)
  fairaudit allocate items fixtures/allocate/mixed.csv --method leximin

  # Long utilities (agent, item, value), a gate, the allocation written as CSV
  fairaudit allocate items utilities_long.csv --method envy-cycle \\
      --fail-if 'ef1 == false' --allocation-out allocation.csv";

const CHECK_EXAMPLES: &str = "\
Examples:
  # Audit an allocation (agent,item rows) against EF, EF1, EFX, PROP, PROP1, MMS, PO, welfare
  fairaudit allocate check fixtures/allocate/goods.csv \\
      --allocation fixtures/allocate/goods_allocation.csv

  # EFX in the EFX0 variant; fail CI below 3/4 of the maximin share
  fairaudit allocate check U.csv --allocation A.csv --efx-variant zero \\
      --fail-if 'mms_ratio.min < 0.75'

  # With externalities (agent,item,recipient,value): swap EF / EF1 / EFX, general fair share
  fairaudit allocate check fixtures/allocate/goods.csv \\
      --allocation fixtures/allocate/goods_allocation.csv \\
      --externalities fixtures/allocate/externalities.csv";

const SHAPLEY_EXAMPLES: &str = "\
Examples:
  # Exact Shapley values and an audit of the rewards paid (coalition,value rows)
  fairaudit allocate shapley fixtures/allocate/glove.csv \\
      --rewards fixtures/allocate/glove_rewards.csv

  # Permutation Monte Carlo with standard errors (seeded, parallel)
  fairaudit allocate shapley values.csv --samples 20000 --seed 1";

/// Utilities of agents for items: a wide table (agent column, one column per item) or a long
/// one (agent, item, value).
#[derive(Debug, Args, Clone)]
pub struct UtilityArgs {
    /// The utilities file (CSV, TSV, Parquet, JSONL). Positive values are goods, negative chores.
    #[arg(value_name = "UTILITIES")]
    pub utilities: String,

    /// The agent column. Default: agent, name, player (else the first column).
    #[arg(long, value_name = "COL")]
    pub agent: Option<String>,

    /// Long format: the item column (with --value). Default: detected (item).
    #[arg(long, value_name = "COL")]
    pub item: Option<String>,

    /// Long format: the value column. Default: detected (value, utility).
    #[arg(long, value_name = "COL")]
    pub value: Option<String>,

    /// A table of entitlements (agent, weight): weighted proportionality.
    #[arg(long, value_name = "FILE")]
    pub entitlements: Option<String>,

    /// Externalities (agent,item,recipient,value rows: agent's value when the item goes to the
    /// recipient; unlisted pairs 0): adds the swap-based EF, EF1, EFX and the general fair share.
    #[arg(long, value_name = "FILE")]
    pub externalities: Option<String>,

    #[command(flatten)]
    pub read: ReadArgs,
}

#[derive(Debug, Args, Clone)]
pub struct ItemsArgs {
    #[command(flatten)]
    pub utilities: UtilityArgs,

    /// The rule.
    #[arg(long, value_enum)]
    pub method: ItemsMethod,

    /// Write the computed allocation (agent,item rows) to this CSV file.
    #[arg(long = "allocation-out", value_name = "FILE")]
    pub allocation_out: Option<PathBuf>,

    /// Exact searches stop after this many nodes and report the best allocation found with its
    /// gap to the bound. Default: 300000 for mnw, 2000000 for leximin (each about 5 s on 4
    /// agents × 40 goods; a node count, so the result is the same on any machine).
    #[arg(long = "node-limit", value_name = "N")]
    pub node_limit: Option<u64>,

    #[command(flatten)]
    pub checks: CheckOptions,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ItemsMethod {
    /// Goods: agents pick in turn (agent order), each its best remaining item. EF1.
    RoundRobin,
    /// Goods: envy-cycle elimination (Lipton et al.); chores: top-trading envy cycles. EF1.
    EnvyCycle,
    /// Mixed manna (Aziz, Caragiannis, Igarashi, Walsh 2022): chores round robin, goods in
    /// reverse order. EF1.
    DoubleRoundRobin,
    /// Goods: maximum Nash welfare (most agents with positive utility, then the largest
    /// product), exact by branch and bound within --node-limit. EF1 and PO.
    Mnw,
    /// Any items: leximin (largest minimum value, then the second smallest, ...), exact by
    /// branch and bound within --node-limit.
    Leximin,
    /// Two agents, any items: generalized adjusted winner (Aziz et al. 2022). EF1 and PO.
    AdjustedWinner,
}

/// Options of the property checks, shared by `items` and `check`.
#[derive(Debug, Args, Clone)]
pub struct CheckOptions {
    /// EFX variant: `positive` (compare after removing goods of positive value) or `zero` (EFX0:
    /// also goods of zero value).
    #[arg(long = "efx-variant", value_enum, default_value_t = EfxVariant::Positive)]
    pub efx_variant: EfxVariant,

    /// Exact MMS and PO by enumeration only when agents^items is at most this; beyond, MMS is
    /// bounded and PO is not decided (the report says so).
    #[arg(long = "exact-limit", value_name = "N", default_value_t = 5_000_000)]
    pub exact_limit: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EfxVariant {
    Positive,
    Zero,
}

#[derive(Debug, Args, Clone)]
pub struct CheckArgs {
    #[command(flatten)]
    pub utilities: UtilityArgs,

    /// The allocation to check: agent,item rows (each item at most once).
    #[arg(long, value_name = "FILE")]
    pub allocation: String,

    #[command(flatten)]
    pub checks: CheckOptions,

    #[command(flatten)]
    pub output: OutputArgs,
}

#[derive(Debug, Args, Clone)]
pub struct ShapleyArgs {
    /// Coalition values: a coalition column (members separated by `|`, `;` or spaces; empty for
    /// the empty coalition) and a value column.
    #[arg(value_name = "VALUES")]
    pub values: String,

    /// The coalition column. Default: coalition, members, players.
    #[arg(long, value_name = "COL")]
    pub coalition: Option<String>,

    /// The value column. Default: value, v, worth.
    #[arg(long = "value", value_name = "COL")]
    pub value_col: Option<String>,

    /// Rewards actually paid (agent,reward): audited against the contributions.
    #[arg(long, value_name = "FILE")]
    pub rewards: Option<String>,

    /// Monte Carlo permutations instead of the exact Shapley value (automatic beyond 20 players).
    #[arg(long, value_name = "N", value_parser = permutations)]
    pub samples: Option<usize>,

    /// Monte Carlo truncation: stop a permutation once the remaining marginal gain is below
    /// this share of v(N) (truncated Monte Carlo, Ghorbani & Zou 2019). 0 = no truncation.
    #[arg(long, value_name = "EPS", default_value_t = 0.0, value_parser = unit_share, allow_negative_numbers = true)]
    pub truncation: f64,

    /// Seed of the Monte Carlo permutations.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    #[command(flatten)]
    pub read: ReadArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

// Ranges of numeric flags, checked where clap reads them (one message naming the flag).

/// The most bootstrap replicates: beyond this the replicate statistics would not fit in memory.
pub const MAX_REPLICATES: usize = 1_000_000;
/// The most Monte Carlo permutations of `allocate shapley --samples`.
pub const MAX_PERMUTATIONS: usize = 100_000_000;

fn number(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .map_err(|_| format!("'{s}' is not a number"))
}

/// A finite number (not NaN or infinite).
fn finite(s: &str) -> Result<f64, String> {
    let x = number(s)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("must be a finite number, not {s}"))
    }
}

/// A finite number >= 0.
fn non_negative(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if x >= 0.0 {
        Ok(x)
    } else {
        Err(format!("must be 0 or more, not {s}"))
    }
}

/// A share in [0, 1) (a truncation threshold as a share of v(N)).
fn unit_share(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if (0.0..1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!(
            "must be at least 0 and below 1, e.g. 0.01; not {s}"
        ))
    }
}

/// A number strictly between 0 and 1 (a confidence level).
fn open_unit(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if x > 0.0 && x < 1.0 {
        Ok(x)
    } else {
        Err(format!(
            "must be between 0 and 1 (exclusive), e.g. 0.95; not {s}"
        ))
    }
}

/// A number in (0, 1] (a parity band).
fn open_unit_closed(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if x > 0.0 && x <= 1.0 {
        Ok(x)
    } else {
        Err(format!("must be in (0, 1], e.g. 0.8; not {s}"))
    }
}

fn count_at_most(s: &str, max: usize) -> Result<usize, String> {
    let n: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number"))?;
    if n <= max {
        Ok(n)
    } else {
        Err(format!("at most {max}, not {s}"))
    }
}

/// Bootstrap replicates: 0 (none) to [`MAX_REPLICATES`].
fn replicates(s: &str) -> Result<usize, String> {
    count_at_most(s, MAX_REPLICATES)
}

/// Monte Carlo permutations: 1 to [`MAX_PERMUTATIONS`].
fn permutations(s: &str) -> Result<usize, String> {
    match count_at_most(s, MAX_PERMUTATIONS)? {
        0 => Err("at least 1".into()),
        n => Ok(n),
    }
}

/// A non-empty text.
fn non_empty(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(s.to_string())
    }
}

/// The missing-value spellings (`--na-values`), shared by every reader and `fairaudit sql`.
#[derive(Debug, Args, Clone, Default)]
pub struct NaArgs {
    /// Values read as missing, comma-separated; replaces the default list (pandas' read_csv
    /// spellings: NA, N/A, #N/A, NaN, nan, null, NULL, None, <NA>, ...). An empty field is
    /// always missing. Applies to every column a command uses, in every format (and to the
    /// label and prediction in `fairaudit sql`). Example: --na-values 'NA,.,-999'.
    #[arg(
        long = "na-values",
        value_name = "LIST",
        value_delimiter = ',',
        allow_hyphen_values = true
    )]
    pub na_values: Option<Vec<String>>,
}

impl NaArgs {
    /// The spellings in force: the empty field and the given list, or the default list.
    pub fn list(&self) -> Vec<String> {
        match &self.na_values {
            Some(list) => std::iter::once(String::new())
                .chain(list.iter().filter(|v| !v.is_empty()).cloned())
                .collect(),
            None => crate::input::DEFAULT_NA.clone(),
        }
    }
}

/// How input files are read and which columns are used. Shared by every engine.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// Input files (CSV, TSV, Parquet, NDJSON/JSONL, Arrow IPC; by extension) or `-` for CSV on
    /// standard input. Several files give one report per file.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<String>,

    #[command(flatten)]
    pub read: ReadArgs,
}

/// How a file is read (format, missing spellings, malformed rows): the main inputs of every
/// engine and the side files of `allocate`.
#[derive(Debug, Args, Clone, Default)]
pub struct ReadArgs {
    /// Read every input as this format instead of guessing from the extension.
    #[arg(long = "input-format", value_enum, value_name = "FORMAT")]
    pub input_format: Option<InputFormat>,

    #[command(flatten)]
    pub na: NaArgs,

    /// Skip CSV / TSV rows whose number of fields differs from the header's (an unquoted comma
    /// inside a value, a cut-off line), and say how many and which lines; without it such a row
    /// is an error naming its line.
    #[arg(long = "skip-bad-rows")]
    pub skip_bad_rows: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Csv,
    Tsv,
    Parquet,
    Ndjson,
    /// A JSON array of records, or JSON objects one after another (RewardBench's result files).
    Json,
    Ipc,
}

#[derive(Debug, Args, Clone)]
pub struct FairnessArgs {
    #[command(flatten)]
    pub input: InputArgs,

    /// Column with the true labels. Default: the first of y_true, label, label_value, target,
    /// actual, y, class (case-insensitive).
    #[arg(long, value_name = "COL")]
    pub label: Option<String>,

    /// Column with the binary predictions. Default: the first of y_pred, pred, prediction,
    /// predicted, predicted_label, y_hat, yhat, p; otherwise a column named `score` is thresholded.
    #[arg(long, value_name = "COL", conflicts_with = "threshold")]
    pub pred: Option<String>,

    /// Column with scores (probabilities for Brier score and log loss): gives ROC AUC, Brier
    /// score and log loss per group; predictions are `score >= --threshold` unless --pred is given.
    #[arg(long, value_name = "COL")]
    pub score: Option<String>,

    /// Round scores to multiples of R and merge equal (score, group, label) rows, so memory
    /// grows with the distinct rounded scores instead of the rows. Applied automatically (R =
    /// 1e-6) once more than 20M scored rows are kept; the report then gives R and each ROC AUC's
    /// largest possible error (`roc_auc_max_error`).
    #[arg(long = "score-resolution", value_name = "R")]
    pub score_resolution: Option<f64>,

    /// What the label and prediction are. `auto`: binary when both are 0/1, true/false or have a
    /// --positive value; otherwise regression when either has non-integer numbers (or more than
    /// 20 distinct integers), else multiclass (one-vs-rest binary reports per class).
    #[arg(long, value_enum, default_value_t = Task::Auto)]
    pub task: Task,

    /// With a multiclass label: the classes to report, in this order (one-vs-rest each), e.g.
    /// `--classes low,medium,high`. Default: every class in the label or prediction. Implies
    /// --task multiclass.
    #[arg(long, value_name = "CLASS,...", value_delimiter = ',')]
    pub classes: Vec<String>,

    /// Threshold for --score: a row is predicted positive when score >= T. Default 0.5. Several
    /// (`0.3,0.5,0.7`) also report the binary metrics and disparities at each one (`thresholds`
    /// in JSON); the first gives the main report.
    #[arg(
        long,
        value_name = "T",
        value_delimiter = ',',
        allow_negative_numbers = true
    )]
    pub threshold: Vec<f64>,

    /// Report the binary metrics and disparities at every threshold START, START+STEP, ... <= STOP
    /// (e.g. 0:1:0.05), from the --score column.
    #[arg(long = "threshold-sweep", value_name = "START:STOP:STEP")]
    pub threshold_sweep: Option<String>,

    /// Column with non-negative sample weights; every count is weighted.
    #[arg(long, value_name = "COL")]
    pub weight: Option<String>,

    /// Sensitive attribute column (repeatable). Several give each attribute on its own and their
    /// intersection, named `a&b`.
    #[arg(long = "group", short = 'g', value_name = "COL")]
    pub groups: Vec<String>,

    /// Also write the input's sufficient statistics (per cell of the attributes: rows and
    /// weights of tn / fp / fn / tp, rows read and dropped; with --score a score histogram on a
    /// 1e-4 grid, or --score-resolution's) to FILE as JSON, to merge later with --from-stats.
    /// One input.
    #[arg(long = "emit-stats", value_name = "FILE")]
    pub emit_stats: Option<PathBuf>,

    /// One row per input file × attribute (× class): headline disparities and whether the gates
    /// passed there; `key=value` directories in the paths (hive partitions) become columns. The
    /// view for many files.
    #[arg(long)]
    pub summary: bool,

    /// The inputs are statistics — files from --emit-stats, or tables of counts such as the
    /// result of `fairaudit sql`'s query — added up cell by cell and audited as if every row had
    /// been read (count metrics exactly; score metrics from the histograms, with their bound).
    #[arg(long = "from-stats")]
    pub from_stats: bool,

    /// The positive class of the label and prediction columns when they are not 0/1 or
    /// true/false, e.g. `>50K` or `yes`. Every other value is negative.
    #[arg(long, value_name = "VALUE")]
    pub positive: Option<String>,

    /// The positive class of the prediction column, when it differs from --positive.
    #[arg(long = "pred-positive", value_name = "VALUE")]
    pub pred_positive: Option<String>,

    /// What to do with rows whose sensitive attribute is missing: form a group `(missing)`,
    /// drop the row, or stop with an error.
    #[arg(long, value_enum, default_value_t = MissingPolicy::Group)]
    pub missing: MissingPolicy,

    /// Stop with an error instead of dropping rows whose label or prediction is missing.
    #[arg(long)]
    pub strict: bool,

    /// Groups with fewer rows than N are flagged and left out of every disparity.
    #[arg(long = "min-group-size", value_name = "N", default_value_t = 0)]
    pub min_group_size: u64,

    /// Stop with an error when a sensitive attribute has more than N distinct values.
    #[arg(long = "max-groups", value_name = "N", default_value_t = 1000)]
    pub max_groups: usize,

    /// A per-row quality column (e.g. per-image Dice or IoU), repeatable: its weighted mean per
    /// group (`mean_<COL>`), disparities, and equity-scaled value.
    #[arg(long = "row-metric", value_name = "COL")]
    pub row_metric: Vec<String>,

    /// A legitimate or effort variable: selection-rate disparities within each of its values
    /// (strata) and their size-weighted aggregate (conditional demographic parity).
    #[arg(long, value_name = "COL")]
    pub condition: Option<String>,

    /// Bin a numeric --condition into N equal-width bins over its range.
    #[arg(long = "condition-bins", value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub condition_bins: Option<u16>,

    /// Compare every group with a reference group (aequitas style): a group name (`Caucasian`),
    /// ATTRIBUTE=GROUP (repeatable, one per attribute), `largest` (most rows) or `min-metric`
    /// (per metric, the group with the lowest value).
    #[arg(long, value_name = "GROUP")]
    pub reference: Vec<String>,

    /// Parity band of the reference view: a ratio r is fair when BAND <= r <= 1/BAND.
    #[arg(long = "parity-band", value_name = "BAND", default_value_t = 0.8, value_parser = open_unit_closed)]
    pub parity_band: f64,

    /// Confidence level of the intervals (Wilson score intervals of every per-group rate that is a
    /// proportion), e.g. 0.9 or 0.99.
    #[arg(long, value_name = "LEVEL", default_value_t = 0.95, value_parser = open_unit)]
    pub ci: f64,

    /// Number of calibration bins for the expected calibration error (with --score).
    #[arg(long, value_name = "N", default_value_t = 10, value_parser = clap::value_parser!(u16).range(1..=10000))]
    pub bins: u16,

    /// How calibration bins are made: equal-width intervals of [0, 1], or equal numbers of rows.
    #[arg(long, value_enum, default_value_t = Binning::EqualWidth)]
    pub binning: Binning,

    /// Percentile bootstrap intervals (at --ci) for every metric and disparity from N replicates,
    /// resampling rows within each group: counts by a multinomial draw (no pass over rows), score
    /// metrics and --row-metric means by redrawing their rows (binary and multiclass audits).
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = replicates)]
    pub bootstrap: usize,

    /// Seed of the bootstrap: the same seed gives the same intervals whatever the thread count.
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,

    /// α of the generalized entropy index of the benefit ŷ − y + 1 (1 is the Theil index).
    #[arg(
        long,
        value_name = "ALPHA",
        default_value_t = 2.0,
        allow_negative_numbers = true,
        value_parser = finite
    )]
    pub alpha: f64,

    /// How equalized odds combines its TPR and FPR parts (fairlearn's `agg`).
    #[arg(long, value_enum, default_value_t = Agg::Worst)]
    pub agg: Agg,

    #[command(flatten)]
    pub output: OutputArgs,
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum MissingPolicy {
    Group,
    Drop,
    Error,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Binning {
    EqualWidth,
    EqualMass,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Agg {
    /// The larger difference (smaller ratio) of TPR and FPR.
    Worst,
    /// The mean of the TPR and FPR parts.
    Mean,
}

/// How the report is rendered and gated. Shared by every engine.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Report format.
    #[arg(long, short = 'f', value_enum, default_value_t = ReportFormat::Table)]
    pub format: ReportFormat,

    /// Short for --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Write the report to this file (atomically) instead of standard output.
    #[arg(long, short = 'o', value_name = "PATH")]
    pub output: Option<PathBuf>,

    /// Fail (exit 1) when the expression holds, e.g. 'demographic_parity_difference > 0.1',
    /// 'race:equalized_odds_ratio < 0.8', 'race=Black:false_positive_rate > 0.3'. Repeatable.
    #[arg(long = "fail-if", value_name = "EXPR")]
    pub fail_if: Vec<String>,

    /// No progress output on standard error.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl OutputArgs {
    pub fn report_format(&self) -> ReportFormat {
        if self.json {
            ReportFormat::Json
        } else {
            self.format
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    Markdown,
}
