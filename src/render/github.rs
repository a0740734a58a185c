//! GitHub Actions: workflow-command annotations (`::error` for a failed gate, `::warning` for a
//! warning) and the job's step summary (`$GITHUB_STEP_SUMMARY`, Markdown).
//!
//! `--format github` prints the annotations and a verdict line on standard output and appends
//! the Markdown report to the step summary. Under Actions (`GITHUB_ACTIONS=true`) every other
//! format does the same on the side — annotations on standard error (the runner reads workflow
//! commands from both streams, so standard output stays the report: `--json | jq` keeps
//! working), the step summary when the variable is set — unless `FAIRAUDIT_GITHUB=0`.
//!
//! Values are escaped as the runner's toolkit does (`escapeData` / `escapeProperty` in
//! actions/toolkit `packages/core/src/command.ts`): `%`, CR and LF in messages; those and `:`,
//! `,` in properties.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::output::Warning;
use super::text::printable;
use crate::gate::GateResult;

/// Set to `0` (or `false`, `no`, `off`) to keep fairaudit from adding annotations and a step
/// summary by itself under GitHub Actions.
pub const SWITCH: &str = "FAIRAUDIT_GITHUB";

/// The runner refuses a step summary file larger than this (1 MiB) and shows none of it.
pub const STEP_SUMMARY_LIMIT: u64 = 1024 * 1024;

/// At most this many failing values are listed in one annotation (the report has them all).
const VALUES_PER_ANNOTATION: usize = 20;

/// How GitHub output was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--format github`: annotations on standard output, a missing step summary is said.
    Explicit,
    /// Detected (`GITHUB_ACTIONS=true`): annotations on standard error, a missing step summary
    /// skipped silently.
    Auto,
}

/// What a run gives GitHub besides its report: written by [`deliver`] once the report is.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub mode: Mode,
    /// Workflow commands, one per line (printed on standard error in [`Mode::Auto`]; in
    /// [`Mode::Explicit`] they are the report itself).
    pub annotations: String,
    /// The Markdown report for the step summary.
    pub markdown: String,
}

/// Whether GitHub Actions is detected: `GITHUB_ACTIONS=true` and [`SWITCH`] not turned off.
pub fn detected() -> bool {
    let off = std::env::var(SWITCH).is_ok_and(|v| {
        matches!(
            v.trim().to_ascii_lowercase().as_str(),
            "0" | "false" | "no" | "off"
        )
    });
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") && !off
}

/// The GitHub output a report in `format` gives: [`Mode::Explicit`] for `--format github`,
/// [`Mode::Auto`] when Actions is [`detected`], else none.
pub fn mode(format: super::ReportFormat) -> Option<Mode> {
    if format == super::ReportFormat::Github {
        Some(Mode::Explicit)
    } else if detected() {
        Some(Mode::Auto)
    } else {
        None
    }
}

/// `escapeData` of the Actions toolkit: a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// `escapeProperty` of the Actions toolkit: a property value (`title=`, `file=`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// One workflow command: `::name key=value,key=value::message` (properties with an empty value
/// left out, as the toolkit does).
pub fn workflow_command(name: &str, properties: &[(&str, &str)], message: &str) -> String {
    let props: Vec<String> = properties
        .iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| format!("{k}={}", escape_property(v)))
        .collect();
    let sep = if props.is_empty() { "" } else { " " };
    format!("::{name}{sep}{}::{}", props.join(","), escape_data(message))
}

/// The `file=` of an annotation about `path`: only a file that exists (not `-`, standard input);
/// relative to `$GITHUB_WORKSPACE` when it lies inside it (the runner links such paths to the
/// repository), else as given.
pub fn annotation_file(path: &str) -> Option<String> {
    let p = Path::new(path);
    if path == "-" || !p.is_file() {
        return None;
    }
    let workspace = std::env::var_os("GITHUB_WORKSPACE").map(PathBuf::from);
    let relative = workspace.and_then(|ws| {
        let ws = std::fs::canonicalize(ws).ok()?;
        let full = std::fs::canonicalize(p).ok()?;
        let rel = full.strip_prefix(&ws).ok()?;
        Some(
            rel.components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/"),
        )
    });
    Some(relative.unwrap_or_else(|| path.to_string()))
}

/// The annotations of a report: one `::error` per failed gate and input file (title the
/// expression, message its failing values there, `file=` the input when it is a file), then one
/// `::warning` per warning. Text from the data made printable first. Empty when nothing failed
/// and nothing was warned about.
pub fn annotations(gates: &[GateResult], warnings: &[Warning]) -> String {
    let mut out = String::new();
    for g in gates.iter().filter(|g| !g.passed) {
        // Failures by file, in report order.
        let mut files: Vec<&str> = Vec::new();
        for f in &g.failures {
            if !files.contains(&f.file.as_str()) {
                files.push(&f.file);
            }
        }
        let title = printable(&g.expression);
        for file in files {
            let values: Vec<String> = g
                .failures
                .iter()
                .filter(|f| f.file == file)
                .map(|f| printable(&f.describe()).into_owned())
                .collect();
            let mut message = values
                .iter()
                .take(VALUES_PER_ANNOTATION)
                .cloned()
                .collect::<Vec<_>>()
                .join("\n");
            if values.len() > VALUES_PER_ANNOTATION {
                message.push_str(&format!(
                    "\nand {} more (see the report)",
                    values.len() - VALUES_PER_ANNOTATION
                ));
            }
            let file = annotation_file(file).unwrap_or_default();
            out.push_str(&workflow_command(
                "error",
                &[("file", file.as_str()), ("title", title.as_ref())],
                &message,
            ));
            out.push('\n');
        }
    }
    for w in warnings {
        let file = annotation_file(&w.file).unwrap_or_default();
        let message = match &w.attribute {
            Some(a) => format!(
                "{} [{}]: {}",
                printable(&w.file),
                printable(a),
                printable(&w.message)
            ),
            None => format!("{}: {}", printable(&w.file), printable(&w.message)),
        };
        out.push_str(&workflow_command(
            "warning",
            &[("file", file.as_str()), ("title", "fairaudit warning")],
            &message,
        ));
        out.push('\n');
    }
    out
}

/// The verdict line of `--format github`: `fairaudit COMMAND: 1 of 2 gates failed`, `… all 2
/// gates passed`, `… no --fail-if gates`, with the number of warnings.
pub fn verdict(command: &str, gates: &[GateResult], warnings: usize) -> String {
    let failed = gates.iter().filter(|g| !g.passed).count();
    let gates_part = match (gates.len(), failed) {
        (0, _) => "no --fail-if gates".to_string(),
        (1, 0) => "the gate passed".to_string(),
        (1, _) => "the gate failed".to_string(),
        (n, 0) => format!("all {n} gates passed"),
        (n, k) => format!("{k} of {n} gates failed"),
    };
    let warn_part = match warnings {
        0 => String::new(),
        1 => ", 1 warning".to_string(),
        n => format!(", {n} warnings"),
    };
    format!("fairaudit {command}: {gates_part}{warn_part}\n")
}

/// `$GITHUB_STEP_SUMMARY`, when set and not empty.
pub fn step_summary_path() -> Option<PathBuf> {
    std::env::var_os("GITHUB_STEP_SUMMARY")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Appends `markdown` to the file `$GITHUB_STEP_SUMMARY` names (never truncating what other
/// steps wrote), after a blank line. A report that would take the file past the runner's 1 MiB
/// limit is replaced by a line saying so (the runner would otherwise show no summary at all).
/// Errors when the variable is not set or the file cannot be written.
pub fn append_step_summary(markdown: &str) -> Result<()> {
    let Some(path) = step_summary_path() else {
        bail!("GITHUB_STEP_SUMMARY is not set (the GitHub Actions runner sets it): no step summary written");
    };
    let shown = path.display();
    let had = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    let mut text = String::new();
    if had > 0 {
        text.push('\n');
    }
    text.push_str(markdown);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    if had + text.len() as u64 > STEP_SUMMARY_LIMIT {
        text = format!(
            "\n> fairaudit: the report ({} bytes) would take the step summary past GitHub's 1 MiB limit; \
             it is not shown here (write it with -o and upload it as an artifact).\n",
            markdown.len()
        );
    }
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&path)
        .with_context(|| format!("cannot write the step summary {shown}"))?;
    f.write_all(text.as_bytes())
        .with_context(|| format!("cannot write the step summary {shown}"))
}

/// Writes what `d` holds once the report is written: in [`Mode::Auto`] the annotations on
/// standard error and the step summary when `$GITHUB_STEP_SUMMARY` is set; in
/// [`Mode::Explicit`] the step summary, or a note on standard error saying why there is none.
/// A step summary that cannot be written is said on standard error; the exit code stays the
/// gates' (the report itself was written).
pub fn deliver(d: &Delivery) {
    if d.mode == Mode::Auto {
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(d.annotations.as_bytes());
        let _ = err.flush();
        if step_summary_path().is_none() {
            return;
        }
    }
    if let Err(e) = append_step_summary(&d.markdown) {
        eprintln!("fairaudit: warning: {e:#}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_toolkit() {
        assert_eq!(escape_data("50% a\r\nb: c, d"), "50%25 a%0D%0Ab: c, d");
        assert_eq!(escape_property("50% a\nb: c, d"), "50%25 a%0Ab%3A c%2C d");
        // `%` first: an escape sequence in the text stays text.
        assert_eq!(escape_data("%0A"), "%250A");
        assert_eq!(
            workflow_command("error", &[("file", ""), ("title", "x:y")], "m"),
            "::error title=x%3Ay::m"
        );
        assert_eq!(workflow_command("warning", &[], "m"), "::warning::m");
    }

    #[test]
    fn verdict_lines() {
        assert_eq!(
            verdict("allocate pb", &[], 0),
            "fairaudit allocate pb: no --fail-if gates\n"
        );
        let g = GateResult {
            expression: "x > 1".into(),
            passed: false,
            checked: 1,
            failures: vec![],
        };
        assert_eq!(
            verdict("audit-reward", &[g], 2),
            "fairaudit audit-reward: the gate failed, 2 warnings\n"
        );
    }
}
