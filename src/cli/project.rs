//! `fairaudit run` and `fairaudit init`: the project configuration (`fairaudit.toml`, or
//! `[tool.fairaudit]` in `pyproject.toml`) whose keys are the long names of the flags defined in
//! this folder.

use std::path::PathBuf;

use anyhow::{bail, Result};
use clap::Args;

use super::OutputArgs;

/// Which configuration file (`run`, `init`).
#[derive(Debug, Args, Clone)]
pub struct ConfigArgs {
    /// The configuration file [default: `fairaudit.toml`, else a `pyproject.toml` with a
    /// `[tool.fairaudit]` table, in the working folder or the nearest folder above it]. For
    /// `init`: the file to write (`-` prints it).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// `fairaudit run`.
#[derive(Debug, Args, Clone)]
pub struct RunArgs {
    /// The audits to run, by their names in the configuration (with the audits whose reports
    /// they read); all of them when none is given.
    #[arg(value_name = "AUDIT")]
    pub audits: Vec<String>,

    #[command(flatten)]
    pub config: ConfigArgs,

    /// List the audits, their commands and the files their inputs match, and run nothing.
    #[arg(long)]
    pub list: bool,

    #[command(flatten)]
    pub output: OutputArgs,
}

/// What `fairaudit run` was asked to do.
#[derive(Debug, Clone)]
pub struct RunSettings {
    pub audits: Vec<String>,
    pub config: Option<PathBuf>,
    pub list: bool,
    pub output: crate::render::Output,
}

impl RunArgs {
    pub fn settings(&self) -> Result<RunSettings> {
        if !self.output.fail_if.is_empty() {
            bail!("run: gates belong to each audit in the configuration (`fail-if = [\"...\"]`), not on the command line");
        }
        if self.output.plot.is_some() {
            bail!("run: charts belong to each audit in the configuration (`plot = \"figures/{{audit}}\"`), not on the command line");
        }
        Ok(RunSettings {
            audits: self.audits.clone(),
            config: self.config.config.clone(),
            list: self.list,
            output: self.output.settings(),
        })
    }
}

/// `fairaudit init`.
#[derive(Debug, Args, Clone)]
pub struct InitArgs {
    /// A prediction file (CSV, TSV, Parquet, NDJSON, Arrow IPC), a reward-model score file or
    /// a pabulib `.pb` election: its columns are read to fill the starter configuration.
    #[arg(value_name = "FILE")]
    pub file: String,

    #[command(flatten)]
    pub config: ConfigArgs,

    /// Replace the configuration file when it exists.
    #[arg(long)]
    pub force: bool,
}

/// What `fairaudit init` was asked to do.
#[derive(Debug, Clone)]
pub struct InitSettings {
    pub file: String,
    /// `None`: `fairaudit.toml` in the working folder; `-`: standard output.
    pub config: Option<PathBuf>,
    pub force: bool,
}

impl InitArgs {
    pub fn settings(&self) -> Result<InitSettings> {
        Ok(InitSettings {
            file: self.file.clone(),
            config: self.config.config.clone(),
            force: self.force,
        })
    }
}

pub(super) const RUN_EXAMPLES: &str = "\
Examples:
  # Every audit of the project (fairaudit.toml or [tool.fairaudit] in
  # pyproject.toml, found from here upwards), one row per audit and input
  fairaudit run

  # Two of them, the summary as JUnit XML for the CI server
  fairaudit run compas rewards -o results.xml

  # What would run: each audit's command and the files its inputs match
  fairaudit run --list

Configuration (docs/config.md):
  [defaults]                       # every audit whose command has the flag
  quiet = true

  [audits.compas]
  command = \"audit-fairness\"
  inputs = [\"data/*.csv\"]          # globs, relative to this file
  group = [\"race\", \"sex\"]          # every other key is a flag's long name
  fail-if = [\"demographic_parity_difference > 0.2\"]
  output = \"reports/{audit}-{stem}.html\"";

pub(super) const INIT_EXAMPLES: &str = "\
Examples:
  # A starter fairaudit.toml from the columns of a prediction file
  fairaudit init data/preds.parquet

  # Print it instead of writing it
  fairaudit init fixtures/compas.csv --config -";
