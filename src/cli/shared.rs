//! Flags every command shares: how inputs are read (`--input-format`, `--na-values`,
//! `--skip-bad-rows`) and how the report is written and gated (`--format`, `-o`, `--fail-if`,
//! `-q`). GitHub Actions detection is no flag: `GITHUB_ACTIONS=true` turns it on and
//! `FAIRAUDIT_GITHUB=0` off (`render::github`).

use std::path::PathBuf;

use clap::Args;

use crate::input::InputFormat;
use crate::render::ReportFormat;

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

impl ReadArgs {
    /// The reading options these flags ask for.
    pub fn options(&self) -> crate::input::ReadOptions {
        crate::input::ReadOptions {
            format: self.input_format.map(crate::input::Format::from),
            na_values: std::sync::Arc::new(self.na.list()),
            skip_bad_rows: self.skip_bad_rows,
        }
    }
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
    /// standard input. Several files, or quoted globs such as 'runs/*.parquet' (expanded by
    /// fairaudit, `**` for any depth), give one report over them all; --summary gives one row
    /// per file.
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

/// `--summary`: one row per input. Shared by audit-fairness, audit-reward and allocate pb (each
/// command words its own help with `mut_arg`).
#[derive(Debug, Args, Clone, Default)]
pub struct SummaryArgs {
    /// One row per input file with its headline figures and whether the gates passed there;
    /// `key=value` directories in the paths (hive partitions) become columns. The view for many
    /// files.
    #[arg(long)]
    pub summary: bool,
}

/// How the report is rendered and gated. Shared by every engine.
#[derive(Debug, Args, Clone)]
pub struct OutputArgs {
    /// Report format [default: table, or from the -o file's extension: .json, .csv, .md, .html,
    /// .xml (junit)], e.g. `-o report.html` (one self-contained file, charts as inline SVG,
    /// nothing fetched) or `-o results.xml` (a JUnit test report for CI). CI formats and GitHub
    /// Actions: docs/ci.md.
    #[arg(long, short = 'f', value_enum)]
    pub format: Option<ReportFormat>,

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

    /// Also write every chart of the report as a standalone SVG file in DIR (created if
    /// missing), with stable names listed under `plots` in the JSON report, e.g.
    /// `--plot figures/` (works with any --format).
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
}

impl OutputArgs {
    /// The output settings these flags ask for.
    pub fn settings(&self) -> crate::render::Output {
        crate::render::Output {
            format: self.report_format(),
            path: self.output.clone(),
            fail_if: self.fail_if.clone(),
            quiet: self.quiet,
            plot: self.plot.clone(),
        }
    }

    /// --json, else --format, else the format the -o file's extension names (`.xml`: JUnit),
    /// else a table.
    pub fn report_format(&self) -> ReportFormat {
        if self.json {
            return ReportFormat::Json;
        }
        if let Some(f) = self.format {
            return f;
        }
        let ext = self
            .output
            .as_ref()
            .and_then(|p| p.extension())
            .map(|e| e.to_string_lossy().to_ascii_lowercase());
        match ext.as_deref() {
            Some("json") => ReportFormat::Json,
            Some("csv") => ReportFormat::Csv,
            Some("md" | "markdown") => ReportFormat::Markdown,
            Some("html" | "htm") => ReportFormat::Html,
            Some("xml") => ReportFormat::Junit,
            _ => ReportFormat::Table,
        }
    }
}
