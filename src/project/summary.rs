//! The summary of `fairaudit run`: one row per audit × input with its verdict, in every
//! report format, and the exit code.

use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;

use super::plan::RunResult;
use crate::render::html::{Cell, Page, Section, Table};
use crate::render::{self, github, junit, Output, ReportFormat};

/// The JSON model of the summary (docs/report-schema.md, `run`).
#[derive(Debug, Serialize)]
struct RunReport<'a> {
    schema_version: u32,
    command: &'static str,
    fairaudit_version: &'static str,
    /// The configuration file, relative to the working folder.
    config: &'a str,
    runs: &'a [RunResult],
    /// Every run finished and every gate passed.
    passed: bool,
    /// 0 passed, 1 a gate failed, 2 a run could not finish.
    exit_code: u8,
}

/// 2 when a run could not finish, else 1 when a gate failed, else 0.
pub fn exit_code(results: &[RunResult]) -> u8 {
    if results.iter().any(|r| r.error.is_some()) {
        2
    } else if results.iter().any(|r| r.verdict == "failed") {
        1
    } else {
        0
    }
}

const HEADER: [&str; 5] = ["audit", "input", "verdict", "gates passed", "report"];

fn gates_cell(r: &RunResult) -> String {
    if r.error.is_some() {
        return "—".into();
    }
    let passed = r.gates.iter().filter(|g| g.passed).count();
    format!("{passed}/{}", r.gates.len())
}

fn rows(results: &[RunResult]) -> Vec<Vec<String>> {
    results
        .iter()
        .map(|r| {
            vec![
                r.audit.clone(),
                r.input.clone(),
                r.verdict.to_string(),
                gates_cell(r),
                r.report.clone().unwrap_or_else(|| "—".into()),
            ]
        })
        .collect()
}

/// The failed gates and the errors, one line each, under the table.
fn details(results: &[RunResult], markdown: bool) -> String {
    let mut out = String::new();
    let bullet = if markdown { "- " } else { "  " };
    for r in results {
        let who = format!("{} · {}", r.audit, r.input);
        let who = if markdown {
            render::markdown_text(&who)
        } else {
            who
        };
        if let Some(e) = &r.error {
            let e = if markdown {
                render::markdown_text(e)
            } else {
                e.clone()
            };
            let _ = writeln!(out, "{bullet}{who}: error: {e}");
        }
        for line in crate::gate::failure_lines(&r.gates) {
            let line = if markdown {
                render::markdown_text(&line)
            } else {
                line
            };
            let _ = writeln!(out, "{bullet}{who}: {line}");
        }
    }
    out
}

fn text(config: &str, results: &[RunResult], markdown: bool) -> String {
    let header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    let mut out = String::new();
    if markdown {
        let _ = writeln!(out, "# fairaudit run — {}\n", render::markdown_text(config));
    } else {
        let _ = writeln!(out, "fairaudit run — {config}\n");
    }
    let red: Vec<(usize, usize)> = results
        .iter()
        .enumerate()
        .filter(|(_, r)| r.verdict == "failed" || r.verdict == "error")
        .map(|(i, _)| (i, 2))
        .collect();
    out.push_str(&render::grid(&header, &rows(results), markdown, &red, 1));
    let d = details(results, markdown);
    if !d.is_empty() {
        out.push('\n');
        if markdown {
            out.push_str("## Failed gates and errors\n\n");
        }
        out.push_str(&d);
    }
    let _ = writeln!(out, "\n{}", tally(results));
    out
}

fn csv(results: &[RunResult]) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "audit",
        "command",
        "input",
        "verdict",
        "gates_passed",
        "gates_total",
        "failed_gates",
        "report",
        "error",
    ])?;
    for r in results {
        let failed: Vec<&str> = r
            .gates
            .iter()
            .filter(|g| !g.passed)
            .map(|g| g.expression.as_str())
            .collect();
        let passed = r.gates.iter().filter(|g| g.passed).count().to_string();
        let total = r.gates.len().to_string();
        w.write_record([
            r.audit.as_str(),
            r.command.as_str(),
            r.input.as_str(),
            r.verdict,
            passed.as_str(),
            total.as_str(),
            &failed.join("; "),
            r.report.as_deref().unwrap_or(""),
            r.error.as_deref().unwrap_or(""),
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

fn page(config: &str, results: &[RunResult], passed: bool) -> Page {
    // Each gate named by the run it belongs to, so the verdict block says which failed.
    let gates = results
        .iter()
        .flat_map(|r| {
            r.gates.iter().map(move |g| {
                let mut g = g.clone();
                g.expression = format!("{} · {}: {}", r.audit, r.input, g.expression);
                g
            })
        })
        .collect();
    let table = Table {
        caption: "One row per audit and input".into(),
        header: HEADER.iter().map(|h| h.to_string()).collect(),
        rows: results
            .iter()
            .map(|r| {
                vec![
                    Cell::Text(r.audit.clone()),
                    Cell::Text(r.input.clone()),
                    Cell::Text(r.verdict.to_string()),
                    Cell::Text(gates_cell(r)),
                    Cell::Text(r.report.clone().unwrap_or_else(|| "—".into())),
                ]
            })
            .collect(),
        notes: details(results, false)
            .lines()
            .map(|l| l.trim().to_string())
            .collect(),
    };
    Page {
        command: "run".into(),
        subject: config.to_string(),
        passed,
        gates,
        inputs: table,
        settings: vec![("config".into(), config.to_string())],
        warnings: Vec::new(),
        sections: Vec::<Section>::new(),
    }
}

/// One JUnit suite per run (named `AUDIT INPUT`), its gates as test cases; a run that could
/// not finish is a suite with an error.
fn suites(results: &[RunResult]) -> Vec<junit::Suite> {
    results
        .iter()
        .map(|r| junit::Suite {
            name: format!("{} {}", r.audit, r.input),
            inputs: vec![r.input.clone()],
            gates: r.gates.clone(),
            warnings: r.warnings.iter().map(junit::warning_line).collect(),
            error: r.error.clone(),
        })
        .collect()
}

/// GitHub annotations of every run: its failed gates (titled `AUDIT: EXPRESSION`) and, for a
/// run that could not finish, an error naming the audit and input.
fn annotations(results: &[RunResult]) -> String {
    let mut out = String::new();
    for r in results {
        let gates: Vec<crate::gate::GateResult> = r
            .gates
            .iter()
            .map(|g| {
                let mut g = g.clone();
                g.expression = format!("{}: {}", r.audit, g.expression);
                g
            })
            .collect();
        out.push_str(&github::annotations(&gates, &r.warnings));
        if let Some(e) = &r.error {
            let file = github::annotation_file(&r.input).unwrap_or_default();
            let title = format!("{}: could not run", r.audit);
            out.push_str(&github::workflow_command(
                "error",
                &[("file", file.as_str()), ("title", title.as_str())],
                &render::printable(e),
            ));
            out.push('\n');
        }
    }
    out
}

/// The closing line: how many runs and their verdicts.
fn tally(results: &[RunResult]) -> String {
    let n = results.len();
    let count = |v: &str| results.iter().filter(|r| r.verdict == v).count();
    format!(
        "{n} run{}: {} passed, {} failed, {} errors, {} without gates",
        if n == 1 { "" } else { "s" },
        count("passed"),
        count("failed"),
        count("error"),
        count("no gates")
    )
}

/// Renders the summary in `output`'s format, writes it, and gives the exit code. Under GitHub
/// Actions (or `--format github`) the annotations and the Markdown summary go where
/// `render::github` says, once the summary is written.
pub fn write(config: &str, results: &[RunResult], output: &Output) -> Result<u8> {
    let code = exit_code(results);
    let passed = code == 0;
    let model = RunReport {
        schema_version: 1,
        command: "run",
        fairaudit_version: env!("CARGO_PKG_VERSION"),
        config,
        runs: results,
        passed,
        exit_code: code,
    };
    let delivery = github::mode(output.format).map(|mode| github::Delivery {
        mode,
        annotations: annotations(results),
        markdown: text(config, results, true),
    });
    let text = match output.format {
        ReportFormat::Junit => junit::document(&suites(results))?,
        ReportFormat::Github => format!(
            "{}fairaudit run: {}\n",
            delivery
                .as_ref()
                .map(|d| d.annotations.as_str())
                .unwrap_or_default(),
            tally(results)
        ),
        format => {
            let page = (format == ReportFormat::Html).then(|| page(config, results, passed));
            let info = render::ReportInfo {
                command: "run".into(),
                inputs: Vec::new(),
                warnings: Vec::new(),
            };
            render::render_with(
                &model,
                format,
                passed,
                &[],
                info,
                || csv(results),
                |markdown| text(config, results, markdown),
                page.as_ref(),
            )?
            .text
        }
    };
    render::emit(&text, output.path.as_deref())?;
    if let Some(d) = &delivery {
        github::deliver(d);
    }
    if output.path.is_some() && !output.quiet {
        eprintln!(
            "fairaudit: {}; summary in {}",
            tally(results),
            output
                .path
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default()
        );
    }
    Ok(code)
}
