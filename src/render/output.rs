//! The types every engine's report shares with the formats: the format and output settings
//! (`--format`, `-o`, `--fail-if`, `-q`, `--plot`), warnings, dropped-row counts, side files.

use std::collections::BTreeMap;

use clap::ValueEnum;
use serde::Serialize;

/// Something the user should know about the result.
#[derive(Debug, Clone, Serialize)]
pub struct Warning {
    pub file: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub attribute: Option<String>,
    pub message: String,
}

impl Warning {
    pub fn new(file: &str, attribute: Option<&str>, message: String) -> Self {
        Warning {
            file: file.to_string(),
            attribute: attribute.map(String::from),
            message,
        }
    }
}

/// The report formats (`--format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Table,
    Json,
    Csv,
    #[value(alias = "md")]
    Markdown,
    /// One self-contained HTML file: the verdict, inputs, settings, warnings, then every chart
    /// next to the table of its numbers (inline CSS and SVG; nothing fetched).
    Html,
    /// JUnit XML for CI test reports (picked by `-o results.xml`): one <testsuite> per input,
    /// one <testcase> per --fail-if gate, a failing gate a <failure> with the expression and the
    /// values; without gates one passing testcase `report`.
    Junit,
    /// GitHub Actions: `::error` annotations for failed gates and `::warning` for warnings, a
    /// verdict line, and the Markdown report appended to $GITHUB_STEP_SUMMARY. Under Actions
    /// (GITHUB_ACTIONS=true) every format adds the annotations on standard error and the step
    /// summary; FAIRAUDIT_GITHUB=0 turns that off.
    Github,
}

/// What the CI formats (`junit`, `github`) need from a report besides its gates: the command,
/// its inputs (one JUnit suite each) and its warnings.
#[derive(Debug, Clone, Default)]
pub struct ReportInfo {
    /// `audit-fairness`, `allocate pb`, …
    pub command: String,
    /// The input paths as the report names them (`Failure::file` holds one of them).
    pub inputs: Vec<String>,
    pub warnings: Vec<Warning>,
}

/// How a report is written and gated (`--format`, `-o`, `--fail-if`, `-q`): the part of every
/// command's settings that the command line resolves once.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: ReportFormat,
    /// The report's file (written atomically), else standard output.
    pub path: Option<std::path::PathBuf>,
    /// `--fail-if` expressions, unparsed.
    pub fail_if: Vec<String>,
    /// No progress on standard error.
    pub quiet: bool,
    /// `--plot DIR`: every chart also written there as a standalone SVG file.
    pub plot: Option<std::path::PathBuf>,
}

impl Output {
    /// Whether the report's charts are needed (`--format html` or `--plot DIR`).
    pub fn wants_charts(&self) -> bool {
        self.format == ReportFormat::Html || self.plot.is_some()
    }
}

/// Rows left out of an input, by reason.
#[derive(Debug, Clone, Serialize)]
pub struct Dropped {
    pub reason: String,
    pub rows: u64,
}

impl Dropped {
    /// The dropped rows by reason, in reason order.
    pub fn list(by_reason: &BTreeMap<String, u64>) -> Vec<Dropped> {
        by_reason
            .iter()
            .map(|(reason, &rows)| Dropped {
                reason: reason.clone(),
                rows,
            })
            .collect()
    }
}

/// A side file (`--emit-stats`, `--allocation-out`, `--export-suspect`): it travels with the
/// report in [`Rendered`] and is written by [`write_side_files`] once the run has succeeded, so a
/// run that fails writes none.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SideFile {
    pub path: std::path::PathBuf,
    pub text: String,
    /// Create the file's directory when it is missing (`--plot DIR`).
    pub make_dir: bool,
}
