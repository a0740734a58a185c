//! `fairaudit sql`: its flags and examples.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

pub use crate::fairness::sql::{Query, ScoreType, SqlDialect};

use super::values::*;
use super::NaArgs;

pub(super) const SQL_EXAMPLES: &str = "\
Examples:
  # DuckDB: the statistics of a Parquet file, then the audit from its result
  fairaudit sql --dialect duckdb --table \"read_parquet('preds.parquet')\" \\
      --label y --pred y_hat --group race > stats.sql
  duckdb -csv < stats.sql > stats.csv && fairaudit audit-fairness \\
      --from-stats stats.csv

  # Spark SQL over a warehouse table: thresholded scores, weights, two
  # attributes
  fairaudit sql --dialect spark --table lake.preds --label y --score p \\
      --threshold 0.3 \\
      --weight w --group race --group sex

  # No outcomes (a screening tool's decisions): a label-free audit
  fairaudit sql --dialect duckdb --table applicants --no-label \\
      --pred advanced --group sex --group race > stats.sql
  duckdb -csv mydb.duckdb < stats.sql > stats.csv && fairaudit audit-fairness \\
      --from-stats stats.csv --no-label --preset eeoc

  # A FLOAT (32-bit) score column compared in its own precision, as
  # audit-fairness does;
  # labels coded -9 for missing
  fairaudit sql --dialect postgres --table preds --label y --score p \\
      --threshold 0.7 \\
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

    /// The label column (0/1, true/false, or with --positive). Required unless --no-label.
    #[arg(long, value_name = "COL", required_unless_present = "no_label")]
    pub label: Option<String>,

    /// No label column: statistics of the decisions only, for a label-free audit (`audit-fairness
    /// --from-stats RESULT --no-label`: selection rates, impact ratios, tests, shortfalls).
    #[arg(long = "no-label", conflicts_with = "label")]
    pub no_label: bool,

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

impl SqlArgs {
    /// The query to write, its flag combinations checked ([`Query::check`]).
    pub fn settings(&self) -> Result<Query> {
        let query = Query {
            dialect: self.dialect,
            table: self.table.clone(),
            label: self.label.clone(),
            pred: self.pred.clone(),
            score: self.score.clone(),
            threshold: self.threshold,
            score_type: self.score_type,
            na_values: self.na.list(),
            positive: self.positive.clone(),
            pred_positive: self.pred_positive.clone(),
            weight: self.weight.clone(),
            groups: self.groups.clone(),
        };
        query.check()?;
        Ok(query)
    }
}
