//! Every command-line flag of fairaudit is defined here (one file per command), once. `--help`, the shell completions in
//! `completions/` and the man page in `man/` are all generated from these definitions.

use clap::{Parser, Subcommand};

mod allocate;
mod counterfactual;
mod fairness;
mod project;
mod ranking;
mod reward;
mod shared;
mod sql;
mod thresholds;
mod values;

pub use allocate::*;
pub use counterfactual::*;
pub use fairness::*;
pub use project::*;
pub use ranking::*;
pub use reward::*;
pub use shared::*;
pub use sql::*;
pub use values::{MAX_PERMUTATIONS, MAX_REPLICATES};

pub use crate::input::InputFormat;
pub use crate::render::ReportFormat;

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

/// The command line, with every `Examples:` block printed exactly as written. clap wraps
/// `after_help` text at the terminal width, which would break an example command in the middle
/// (not copyable); the text of a help template is not wrapped, so a command whose after-help
/// holds examples gets clap's default template followed by the examples themselves. The
/// examples are written to fit 80 columns, long commands with ` \` continuation lines. The man
/// page and completions read `after_help` as before.
pub fn command() -> clap::Command {
    verbatim_examples(<Cli as clap::CommandFactory>::command())
}

fn verbatim_examples(mut cmd: clap::Command) -> clap::Command {
    if let Some(after) = cmd.get_after_help().map(|s| s.to_string()) {
        if after.starts_with("Example") {
            cmd = cmd.help_template(format!(
                "{{before-help}}{{about-with-newline}}\n{{usage-heading}} {{usage}}\n\n{{all-args}}\n\n{after}"
            ));
        }
    }
    let names: Vec<String> = cmd
        .get_subcommands()
        .map(|c| c.get_name().to_string())
        .collect();
    for name in names {
        cmd = cmd.mut_subcommand(name, verbatim_examples);
    }
    cmd
}

/// `--fail-if` of `audit-reward` (the shared flag's help shows audit-fairness names).
const REWARD_FAIL_IF: &str = "Fail (exit 1) when the expression holds, e.g. 'accuracy < 0.7', \
     'length.pearson > 0.3', 'chat_hard:accuracy < 0.6' (a subset), 'accuracy.lower < 0.65' \
     (with --bootstrap). Repeatable";

/// The FILE arguments of `audit-ranking` (no `--summary` there).
const RANKING_FILES: &str =
    "Input files (CSV, TSV, Parquet, NDJSON/JSONL, Arrow IPC; by extension) or \
     `-` for CSV on standard input. Several files, or quoted globs such as 'logs/*.parquet', are \
     pooled into one report (queries told apart by file); with --variant each file is audited on \
     its own";

/// `--summary` of `audit-fairness`.
const FAIRNESS_SUMMARY: &str =
    "One row per input file × attribute (× class): headline disparities \
     and whether the gates passed there; `key=value` directories in the paths (hive partitions) \
     become columns. The view for many files";

/// `--summary` of `audit-reward`.
const REWARD_SUMMARY: &str =
    "One row per input file: its kind, pairs, headline numbers (accuracy, \
     ties, length correlation, calibration, ... as the kind has them; `COLUMN:accuracy_difference` \
     per --group) and whether the gates passed there; `key=value` directories in the paths (hive \
     partitions) become columns. The table shows the headline ones and every headline number a \
     gate names (under it, each gate with the values that failed it: a gate on a subset, a group or \
     an interval end tests a number that is no column); JSON and CSV hold them all. The view for \
     many files";

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Group fairness of a binary classifier: confusion rates per group and per intersection of
    /// groups, parity differences and ratios, four-fifths rule, CI gates.
    #[command(after_help = FAIRNESS_EXAMPLES, mut_arg("summary", |a| a.help(FAIRNESS_SUMMARY)))]
    AuditFairness(Box<FairnessArgs>),
    /// Audit reward-model score files: preference accuracy (RewardBench / RM-Bench scoring), ties,
    /// length bias, calibration, per-group accuracy, bootstrap intervals clustered by prompt.
    #[command(
        after_help = REWARD_EXAMPLES,
        mut_arg("fail_if", |a| a.help(REWARD_FAIL_IF)),
        mut_arg("summary", |a| a.help(REWARD_SUMMARY))
    )]
    AuditReward(Box<RewardArgs>),
    /// Group fairness of ranked lists (search results, shortlists): exposure by group,
    /// FairRankTune's EXP / AWRF / NDKL, rND / rKL / rRD, skew@k, the FA*IR test, top-k
    /// selection rates, diversity and inclusion of the top k; bootstrap over queries.
    #[command(
        after_help = ranking::RANKING_EXAMPLES,
        mut_arg("files", |a| a.help(RANKING_FILES))
    )]
    AuditRanking(Box<RankingArgs>),
    /// Counterfactual audits: rows that differ only in a sensitive term (decision flips, score
    /// differences and parity, answer changes and accuracy per variant value), or the
    /// distribution of an attribute of generated outputs per prompt against a target.
    #[command(
        after_help = counterfactual::COUNTERFACTUAL_EXAMPLES,
        mut_arg("fail_if", |a| a.help(counterfactual::COUNTERFACTUAL_FAIL_IF))
    )]
    AuditCounterfactual(Box<CounterfactualArgs>),
    /// Fair division: compute allocations of goods / chores / mixed items and check any
    /// allocation against EF, EF1, EFX, PROP, MMS, PO; contribution-based rewards (Shapley).
    #[command(subcommand)]
    Allocate(AllocateCommand),
    /// Print the SQL query whose result is the statistics table of an audit, for the engine that
    /// holds the predictions; finish with `audit-fairness --from-stats RESULT`.
    #[command(after_help = SQL_EXAMPLES)]
    Sql(Box<SqlArgs>),
    /// Run the audits of the project configuration (`fairaudit.toml`, or `[tool.fairaudit]` in
    /// `pyproject.toml`): every audit over every input its globs match, one summary row each.
    #[command(
        after_help = project::RUN_EXAMPLES,
        mut_arg("fail_if", |a| a.hide(true)),
        mut_arg("plot", |a| a.hide(true))
    )]
    Run(Box<RunArgs>),
    /// Write a commented starter `fairaudit.toml` from the columns of a file.
    #[command(after_help = project::INIT_EXAMPLES)]
    Init(InitArgs),
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

/// `--metrics` (audit-fairness, audit-reward), checked against the per-group table's `known`
/// columns, each also by the short header the table shows (`aliases`: (name, short), so
/// `tpr` is `true_positive_rate`): an unknown name is an error with the closest known one.
/// Repeats are dropped; an empty list is an error.
fn table_metrics(
    names: &[String],
    known: &[&str],
    aliases: &[(&str, &str)],
) -> anyhow::Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    if !names.is_empty() && names.iter().all(|n| n.trim().is_empty()) {
        anyhow::bail!(
            "--metrics: no metric named; give names such as {}",
            known.iter().take(3).copied().collect::<Vec<_>>().join(",")
        );
    }
    for name in names.iter().map(|n| n.trim()).filter(|n| !n.is_empty()) {
        let name = aliases
            .iter()
            .find(|(_, short)| *short == name)
            .map_or(name, |(full, _)| *full);
        if !known.contains(&name) {
            let hint = crate::input::closest_name(name, known)
                .map(|c| format!("did you mean '{c}'? "))
                .unwrap_or_default();
            anyhow::bail!(
                "--metrics: unknown metric '{name}'; {hint}Known: {}",
                known.join(", ")
            );
        }
        if !out.iter().any(|o| o == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// A report command with its settings checked: what `main` and `fairaudit run` execute.
#[derive(Debug)]
pub enum Prepared {
    Fairness(Box<crate::fairness::settings::Settings>),
    Reward(Box<crate::reward::Settings>),
    Ranking(Box<crate::ranking::Settings>),
    Allocate(Box<crate::allocate::Settings>),
    Counterfactual(Box<crate::counterfactual::Settings>),
}

impl Prepared {
    /// Where the report goes, its format and gates.
    pub fn output(&self) -> &crate::render::Output {
        match self {
            Prepared::Fairness(s) => &s.output,
            Prepared::Reward(s) => &s.output,
            Prepared::Ranking(s) => &s.output,
            Prepared::Allocate(s) => s.output(),
            Prepared::Counterfactual(s) => &s.output,
        }
    }

    /// Runs the engine: the rendered report, its verdict and side files (nothing written yet).
    pub fn run(&self) -> anyhow::Result<crate::render::Rendered> {
        match self {
            Prepared::Fairness(s) => crate::fairness::run(s),
            Prepared::Reward(s) => crate::reward::run(s),
            Prepared::Ranking(s) => crate::ranking::run(s),
            Prepared::Allocate(s) => crate::allocate::run(s),
            Prepared::Counterfactual(s) => crate::counterfactual::run(s),
        }
    }
}

impl Command {
    /// The checked settings of a report command (every flag-combination check of the
    /// command); `None` for the commands that write no report (`sql`, `run`, `init`, ...).
    pub fn prepare(&self) -> anyhow::Result<Option<Prepared>> {
        Ok(Some(match self {
            Command::AuditFairness(a) => Prepared::Fairness(Box::new(a.settings()?)),
            Command::AuditReward(a) => Prepared::Reward(Box::new(a.settings()?)),
            Command::AuditRanking(a) => Prepared::Ranking(Box::new(a.settings()?)),
            Command::Allocate(c) => Prepared::Allocate(Box::new(c.settings()?)),
            Command::AuditCounterfactual(a) => Prepared::Counterfactual(Box::new(a.settings()?)),
            _ => return Ok(None),
        }))
    }
}
