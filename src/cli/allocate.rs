//! `fairaudit allocate`: the flags and examples of its subcommands.

use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Subcommand};

use super::values::*;
use super::{OutputArgs, ReadArgs, SummaryArgs};
use crate::allocate::settings::{
    CheckSettings, Checks, EfxVariant, ItemsMethod, ItemsSettings, PbCompletion, PbOutcome, PbRule,
    PbSat, PbSettings, Settings, ShapleySettings, UtilitySettings, AGENT_COLUMNS,
};

// `--fail-if` of each subcommand, with its own names (the shared flag's help shows
// audit-fairness names).
const ITEMS_FAIL_IF: &str = "Fail (exit 1) when the expression holds, e.g. 'ef1 == false', \
     'mms_ratio.min < 0.75', 'envy_pairs > 0', 'welfare.nash < 10'. Repeatable";
const SHAPLEY_FAIL_IF: &str = "Fail (exit 1) when the expression holds, e.g. \
     'rewards_in_core == false', 'rewards.max_abs_gap_to_shapley > 0.1'. Repeatable";
const PB_FAIL_IF: &str = "Fail (exit 1) when the expression holds, e.g. 'ejr_up_to_one == false', \
     'voters_with_nothing > 0.5' (a share of the voters), 'budget_share_spent < 0.9'. Repeatable";

const PB_SUMMARY: &str = "One row per election: its ballots, the outcome's headline figures \
     (projects selected, cost and budget share, EJR / PJR / priceability verdicts, fair share, \
     satisfaction: every name --fail-if takes) and whether the gates passed on it, each gate \
     judged per election; `key=value` directories in the paths (hive partitions) become columns. \
     The table shows the headline ones and every number a gate names, and under it each gate with \
     the values that failed it; JSON and CSV hold them all. Needed for several files";

#[derive(Debug, Subcommand)]
pub enum AllocateCommand {
    /// Compute an allocation of items with a fair-division rule, and audit it.
    #[command(after_help = ITEMS_EXAMPLES, mut_arg("fail_if", |a| a.help(ITEMS_FAIL_IF)))]
    Items(Box<ItemsArgs>),
    /// Check an existing allocation of items against every fairness and efficiency property.
    #[command(after_help = CHECK_EXAMPLES, mut_arg("fail_if", |a| a.help(ITEMS_FAIL_IF)))]
    Check(Box<CheckArgs>),
    /// Contribution-based rewards from coalition values: Shapley (exact or Monte Carlo),
    /// leave-one-out, the core, proportional shares, collaboration fairness.
    #[command(after_help = SHAPLEY_EXAMPLES, mut_arg("fail_if", |a| a.help(SHAPLEY_FAIL_IF)))]
    Shapley(Box<ShapleyArgs>),
    /// Participatory budgeting: a pabulib `.pb` election's outcome under a rule (exact rationals,
    /// pabutools' tie rule), or the audit of a given or recorded outcome; many elections at once
    /// with --summary.
    #[command(
        after_help = PB_EXAMPLES,
        mut_arg("fail_if", |a| a.help(PB_FAIL_IF)),
        mut_arg("summary", |a| a.help(PB_SUMMARY))
    )]
    Pb(Box<PbArgs>),
}

pub(super) const PB_EXAMPLES: &str = "\
Examples:
  # The method of equal shares with Add1 completion (cost satisfaction), as
  # pabutools computes it
  fairaudit allocate pb fixtures/pb/poland_warszawa_2017_anin.pb --rule mes \\
      --completion add1

  # Greedy by votes per cost, cardinality satisfaction, JSON
  fairaudit allocate pb election.pb --rule greedy --satisfaction cardinality \\
      --json

  # Audit what the city funded: the projects listed with --outcome, or those
  # the file marks selected (its PROJECTS section's `selected` column)
  fairaudit allocate pb election.pb --outcome 196,443,463
  fairaudit allocate pb fixtures/pb/poland_warszawa_2017_anin.pb \\
      --outcome selected

  # Every election of a folder (a quoted glob): one row per election, each
  # gate judged per election
  fairaudit allocate pb 'fixtures/pb/*.pb' --summary \\
      --fail-if 'ejr_up_to_one == false'

  # What each city funded, audited election by election
  fairaudit allocate pb 'fixtures/pb/poland_warszawa_*.pb' --outcome selected \\
      --summary --format csv";

#[derive(Debug, Args, Clone)]
pub struct PbArgs {
    /// The pabulib files: paths, quoted globs expanded by fairaudit ('elections/*.pb', `**` for
    /// any depth), or `-` for standard input. Several need --summary.
    #[arg(value_name = "FILE.pb", required = true)]
    pub files: Vec<String>,

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

    /// Audit this outcome instead of computing one: project ids separated by commas (one
    /// election), or `selected` for the projects each file's PROJECTS section marks selected
    /// (its `selected` column: 1 funded, 0 not).
    #[arg(long, value_name = "IDS|selected", value_delimiter = ',')]
    pub outcome: Vec<String>,

    /// EJR / PJR are exact within this many search nodes; beyond, a property without a
    /// violation found is reported as not decided.
    #[arg(long = "jr-limit", value_name = "N", default_value_t = 2_000_000)]
    pub jr_limit: u64,

    #[command(flatten)]
    pub summary: SummaryArgs,

    #[command(flatten)]
    pub output: OutputArgs,
}

pub(super) const ITEMS_EXAMPLES: &str = "\
Examples:
  # Round robin over goods (utilities: one row per agent, one column per item)
  fairaudit allocate items fixtures/allocate/goods.csv --method round-robin

  # Maximum Nash welfare (exact by branch and bound on small instances; EF1 and
  # PO)
  fairaudit allocate items fixtures/allocate/goods.csv --method mnw

  # Mixed goods and chores: double round robin (EF1)
  fairaudit allocate items fixtures/allocate/mixed.csv \\
      --method double-round-robin --json

  # Leximin: the largest minimum value, then the next (exact within
  # --node-limit)
  fairaudit allocate items fixtures/allocate/mixed.csv --method leximin

  # Long utilities (agent, item, value), a gate, the allocation written as CSV
  fairaudit allocate items utilities_long.csv --method envy-cycle \\
      --fail-if 'ef1 == false' --allocation-out allocation.csv";

pub(super) const CHECK_EXAMPLES: &str = "\
Examples:
  # Audit an allocation (agent,item rows) against EF, EF1, EFX, PROP, PROP1,
  # MMS, PO, welfare
  fairaudit allocate check fixtures/allocate/goods.csv \\
      --allocation fixtures/allocate/goods_allocation.csv

  # EFX in the EFX0 variant; fail CI below 3/4 of the maximin share
  fairaudit allocate check U.csv --allocation A.csv --efx-variant zero \\
      --fail-if 'mms_ratio.min < 0.75'

  # With externalities (agent,item,recipient,value): swap EF / EF1 / EFX,
  # general fair share
  fairaudit allocate check fixtures/allocate/goods.csv \\
      --allocation fixtures/allocate/goods_allocation.csv \\
      --externalities fixtures/allocate/externalities.csv";

pub(super) const SHAPLEY_EXAMPLES: &str = "\
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

    #[arg(long, value_name = "COL", help = agent_help())]
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

/// The `--agent` help, generated from the list the engine tries.
fn agent_help() -> String {
    format!(
        "The agent column. Default: {} (else the first column)",
        AGENT_COLUMNS.join(", ")
    )
}

impl AllocateCommand {
    /// The settings of the subcommand, every flag-combination check done.
    pub fn settings(&self) -> Result<Settings> {
        Ok(match self {
            AllocateCommand::Items(a) => Settings::Items(a.settings()?),
            AllocateCommand::Check(a) => Settings::Check(a.settings()?),
            AllocateCommand::Shapley(a) => Settings::Shapley(a.settings()?),
            AllocateCommand::Pb(a) => Settings::Pb(a.settings()?),
        })
    }
}

/// The output settings, the `--fail-if` expressions checked before any file is read.
fn output(args: &OutputArgs) -> Result<crate::render::Output> {
    crate::gate::parse_all(&args.fail_if)?;
    Ok(args.settings())
}

impl UtilityArgs {
    pub fn settings(&self) -> UtilitySettings {
        UtilitySettings {
            utilities: self.utilities.clone(),
            agent: self.agent.clone(),
            item: self.item.clone(),
            value: self.value.clone(),
            entitlements: self.entitlements.clone(),
            externalities: self.externalities.clone(),
            read: self.read.options(),
        }
    }
}

impl CheckOptions {
    pub fn settings(&self) -> Checks {
        Checks {
            efx_variant: self.efx_variant,
            exact_limit: self.exact_limit,
        }
    }
}

impl ItemsArgs {
    pub fn settings(&self) -> Result<ItemsSettings> {
        Ok(ItemsSettings {
            output: output(&self.output)?,
            utilities: self.utilities.settings(),
            method: self.method,
            allocation_out: self.allocation_out.clone(),
            node_limit: self.node_limit,
            checks: self.checks.settings(),
        })
    }
}

impl CheckArgs {
    pub fn settings(&self) -> Result<CheckSettings> {
        Ok(CheckSettings {
            output: output(&self.output)?,
            utilities: self.utilities.settings(),
            allocation: self.allocation.clone(),
            checks: self.checks.settings(),
        })
    }
}

impl ShapleyArgs {
    pub fn settings(&self) -> Result<ShapleySettings> {
        let output = output(&self.output)?;
        if self.samples == Some(0) {
            anyhow::bail!("--samples must be at least 1");
        }
        Ok(ShapleySettings {
            values: self.values.clone(),
            coalition: self.coalition.clone(),
            value_col: self.value_col.clone(),
            rewards: self.rewards.clone(),
            samples: self.samples,
            truncation: self.truncation,
            seed: self.seed,
            read: self.read.options(),
            output,
        })
    }
}

impl PbArgs {
    pub fn settings(&self) -> Result<PbSettings> {
        let output = output(&self.output)?;
        let ids: Vec<String> = self.outcome.iter().map(|x| x.trim().to_string()).collect();
        let outcome = if ids.is_empty() {
            PbOutcome::Rule
        } else if ids == [PbOutcome::SELECTED] {
            PbOutcome::Selected
        } else if ids.iter().any(|x| x == PbOutcome::SELECTED) {
            anyhow::bail!(
                "--outcome selected audits the outcome each file records (its `selected` column) and takes no project ids; got '{}'",
                self.outcome.join(",")
            );
        } else if ids.iter().any(String::is_empty) {
            anyhow::bail!(
                "--outcome '{}': an empty project id; give ids separated by commas, e.g. --outcome 196,443",
                self.outcome.join(",")
            );
        } else {
            PbOutcome::Given(ids)
        };
        Ok(PbSettings {
            output,
            files: self.files.clone(),
            rule: self.rule,
            satisfaction: self.satisfaction,
            completion: self.completion,
            outcome,
            jr_limit: self.jr_limit,
            summary: self.summary.summary,
        })
    }
}
