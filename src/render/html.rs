//! The HTML report (`--format html`) and the chart files (`--plot DIR`), for every engine.
//!
//! An engine describes its report as a [`Page`]: the verdict (its gates), its inputs and settings,
//! its warnings, then [`Section`]s of charts, each next to the table of its numbers. This module
//! turns a page into one self-contained HTML5 document: inline CSS, inline SVG, no script, no
//! font or image fetched from anywhere, readable offline and printable. The markup is built with
//! maud, which escapes every interpolated string: a group called `<script>` is text. Nothing in
//! the document depends on the time or the machine, so the same report gives the same bytes.

use std::path::Path;

use anyhow::Result;
use maud::{html, Markup, PreEscaped, DOCTYPE};
use serde::Serialize;

use super::chart::Chart;
use super::numbers::{fmt_amount, fmt_num};
use super::output::{Output, ReportFormat, SideFile, Warning};
use crate::gate::GateResult;

/// One cell of a [`Table`].
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(String),
    /// A rate or other real number: 4 decimals.
    Number(f64),
    /// A count, a cost, a budget: a whole number with thousands separators (`61,000`), else as
    /// a number.
    Amount(f64),
    /// Undefined, with the reason (shown as `—` and the reason).
    Undefined(String),
    /// A yes / no verdict.
    Flag(bool),
    /// An interval `[lower, upper]`, 4 decimals.
    Interval(f64, f64),
    /// Nothing to show (not computed, not applicable).
    Empty,
}

impl Cell {
    /// A number, or undefined with its reason.
    pub fn value(v: Result<f64, impl Into<String>>) -> Cell {
        match v {
            Ok(x) => Cell::Number(x),
            Err(why) => Cell::Undefined(why.into()),
        }
    }

    /// A number or `Empty`.
    pub fn opt(v: Option<f64>) -> Cell {
        v.map_or(Cell::Empty, Cell::Number)
    }

    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }
}

/// A table of numbers: shown next to its chart, or alone.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Lines under the table: what abbreviations and marks mean.
    pub notes: Vec<String>,
}

/// What a section holds, in order.
#[derive(Debug, Clone)]
pub enum Item {
    /// A chart and the table of the numbers it draws.
    Figure(Chart, Table),
    Table(Table),
    /// A paragraph of text.
    Note(String),
}

/// A titled part of the report.
#[derive(Debug, Clone, Default)]
pub struct Section {
    pub heading: String,
    pub items: Vec<Item>,
}

impl Section {
    pub fn new(heading: impl Into<String>) -> Self {
        Section {
            heading: heading.into(),
            items: Vec::new(),
        }
    }
}

/// A whole report, as an engine describes it.
#[derive(Debug, Clone, Default)]
pub struct Page {
    /// The command (`audit-fairness`).
    pub command: String,
    /// What was audited, for the document title (`fixtures/compas.csv`).
    pub subject: String,
    pub passed: bool,
    pub gates: Vec<GateResult>,
    /// One row per input: what was read and which columns were used.
    pub inputs: Table,
    /// Setting name → value as the JSON report gives it.
    pub settings: Vec<(String, String)>,
    pub warnings: Vec<Warning>,
    pub sections: Vec<Section>,
}

impl Page {
    /// Every chart of the page, in order.
    pub fn charts(&self) -> impl Iterator<Item = &Chart> {
        self.sections.iter().flat_map(|s| {
            s.items.iter().filter_map(|i| match i {
                Item::Figure(c, _) => Some(c),
                _ => None,
            })
        })
    }

    /// Makes chart names unique (`-2`, `-3` … after the first of a name), in page order.
    fn unique_names(&mut self) {
        let mut seen: std::collections::BTreeMap<String, usize> = Default::default();
        for s in &mut self.sections {
            for i in &mut s.items {
                if let Item::Figure(c, _) = i {
                    let k = seen.entry(c.name.clone()).or_insert(0);
                    *k += 1;
                    if *k > 1 {
                        c.name = format!("{}-{}", c.name, k);
                    }
                }
            }
        }
    }
}

/// A report's settings block as the page lists it: each key of its JSON object with its value
/// (strings bare, others as JSON); nulls and empty lists left out.
pub fn settings_list<T: Serialize>(settings: &T) -> Vec<(String, String)> {
    match serde_json::to_value(settings) {
        Ok(serde_json::Value::Object(m)) => m
            .into_iter()
            .filter(|(_, v)| !v.is_null() && v.as_array().is_none_or(|a| !a.is_empty()))
            .map(|(k, v)| {
                let shown = match v {
                    serde_json::Value::String(s) => s,
                    other => other.to_string(),
                };
                (k, shown)
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A chart written by `--plot DIR`, as the JSON report lists it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct PlotFile {
    /// The file's name (`race-selection-rate.svg`): stable for the same command and data.
    pub file: String,
    /// Where it was written (`DIR/file`).
    pub path: String,
    pub title: String,
}

/// What an engine gets back from [`figures`].
#[derive(Default)]
pub struct Figures {
    /// The page, when the report is HTML.
    pub page: Option<Page>,
    /// The `--plot` files, for the JSON report's `plots` list.
    pub plots: Vec<PlotFile>,
    /// The SVG files to write once the run has succeeded.
    pub side_files: Vec<SideFile>,
}

/// Builds the page only when the output needs it (`--format html` or `--plot DIR`), so other
/// runs pay nothing; with `--plot`, every chart as `DIR/NAME.svg`.
pub fn figures(output: &Output, build: impl FnOnce() -> Result<Page>) -> Result<Figures> {
    if !output.wants_charts() {
        return Ok(Figures::default());
    }
    let mut page = build()?;
    page.unique_names();
    let mut plots = Vec::new();
    let mut side_files = Vec::new();
    if let Some(dir) = &output.plot {
        if dir.exists() && !dir.is_dir() {
            anyhow::bail!(
                "--plot {}: it is a file, not a directory (give a directory for the SVG files)",
                dir.display()
            );
        }
        for c in page.charts() {
            let file = format!("{}.svg", c.name);
            let path = dir.join(&file);
            plots.push(PlotFile {
                file,
                path: path.display().to_string(),
                title: c.title.clone(),
            });
            side_files.push(SideFile {
                path,
                text: c.svg.clone(),
                make_dir: true,
            });
        }
    }
    Ok(Figures {
        page: (output.format == ReportFormat::Html).then_some(page),
        plots,
        side_files,
    })
}

/// Creates `dir` (and its parents) for the `--plot` files.
pub fn create_plot_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .map_err(|e| anyhow::anyhow!("--plot {}: cannot create the directory: {e}", dir.display()))
}

const CSS: &str = r#"
:root{--ink:#1a1a1a;--muted:#555;--line:#d0d0d0;--pass:#00704a;--fail:#b3261e;--bg:#fafafa}
*{box-sizing:border-box}
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:var(--ink);margin:0 auto;max-width:1400px;padding:1.5rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.3rem;border-bottom:2px solid var(--line);padding-bottom:.2rem;margin-top:2rem}
h3{font-size:1.05rem;margin:1.2rem 0 .4rem}
.meta{color:var(--muted);margin:0}
.verdict{border:2px solid;border-radius:6px;padding:.6rem 1rem;margin:1rem 0}
.verdict.pass{border-color:var(--pass)}.verdict.fail{border-color:var(--fail)}.verdict.none{border-color:var(--line)}
.verdict strong{font-size:1.2rem}.pass strong,.gate-pass{color:var(--pass)}.fail strong,.gate-fail{color:var(--fail)}
table{border-collapse:collapse;margin:.3rem 0 .6rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border-bottom:1px solid var(--line);padding:.15rem .6rem;text-align:right;vertical-align:top}
th:first-child,td:first-child{text-align:left}
td{white-space:nowrap}td.text{text-align:left;white-space:normal;overflow-wrap:anywhere;min-width:8em}
td.undefined{white-space:normal;min-width:7em}th{overflow-wrap:anywhere}
thead th{border-bottom:2px solid var(--ink)}
td.undefined{color:var(--muted)}
td.undefined small{display:block;font-size:.75rem}
.notes{color:var(--muted);font-size:.85rem;margin:0 0 1rem}
figure{margin:1rem 0 2rem;display:grid;grid-template-columns:minmax(0,1.15fr) minmax(0,1fr);gap:1.2rem;align-items:start;break-inside:avoid}
figure svg{width:100%;height:auto;border:1px solid var(--line)}
figcaption{overflow-x:auto}
nav ol{columns:2;font-size:.9rem}
dl.settings{display:grid;grid-template-columns:max-content 1fr;gap:.1rem 1rem;font-size:.9rem}
dl.settings dt{color:var(--muted)}dl.settings dd{margin:0;overflow-wrap:anywhere}
ul.warnings li{margin:.2rem 0;overflow-wrap:anywhere}
details summary{cursor:pointer;font-weight:600;padding:.2rem 0}
footer{color:var(--muted);font-size:.8rem;margin-top:3rem;border-top:1px solid var(--line);padding-top:.5rem}
@media (max-width:1000px){figure{grid-template-columns:1fr}}
@media print{body{max-width:none;padding:0;font-size:11pt}figure{grid-template-columns:1fr}nav{display:none}h2{break-after:avoid}table{break-inside:auto}}
"#;

/// The whole HTML document of a page.
pub fn document(page: &Page) -> String {
    let title = format!("fairaudit {} — {}", page.command, page.subject);
    let doc = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="generator" content=(format!("fairaudit {}", env!("CARGO_PKG_VERSION")));
                title { (title) }
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    h1 { "fairaudit " (page.command) }
                    p.meta { (page.subject) " · fairaudit " (env!("CARGO_PKG_VERSION")) }
                }
                (verdict(page))
                @if page.sections.len() > 1 {
                    nav aria-label="Contents" {
                        ol {
                            @for (i, s) in page.sections.iter().enumerate() {
                                li { a href=(format!("#s{}", i + 1)) { (s.heading) } }
                            }
                        }
                    }
                }
                section id="inputs" {
                    h2 { "Inputs" }
                    (table(&page.inputs))
                }
                @if !page.warnings.is_empty() {
                    section id="warnings" {
                        h2 { "Warnings" }
                        @if page.warnings.len() > FOLDED_WARNINGS {
                            details {
                                summary { (page.warnings.len()) " warnings" }
                                (warnings(&page.warnings))
                            }
                        } @else {
                            (warnings(&page.warnings))
                        }
                    }
                }
                section id="settings" {
                    h2 { "Settings" }
                    dl.settings {
                        @for (k, v) in &page.settings { dt { (k) } dd { (v) } }
                    }
                }
                @for (i, s) in page.sections.iter().enumerate() {
                    section id=(format!("s{}", i + 1)) {
                        h2 { (s.heading) }
                        @for item in &s.items { (item_markup(item)) }
                    }
                }
                footer {
                    "Made by fairaudit " (env!("CARGO_PKG_VERSION"))
                    ". Every chart's numbers are in the table beside it; “—” marks a value that is undefined, with its reason. The JSON report (--format json) holds every number at full precision."
                }
            }
        }
    };
    // No control or bidi character from the data reaches the page (nor its inline SVG).
    let mut s = super::text::markup_safe(&doc.into_string()).into_owned();
    s.push('\n');
    s
}

/// More warnings than this are folded (`<details>`), so the charts are not pushed far down.
const FOLDED_WARNINGS: usize = 12;

fn warnings(list: &[Warning]) -> Markup {
    html! {
        ul.warnings {
            @for w in list {
                li {
                    strong { (w.file) }
                    @if let Some(a) = &w.attribute { " [" (a) "]" }
                    ": " (w.message)
                }
            }
        }
    }
}

fn verdict(page: &Page) -> Markup {
    let (class, word) = if page.gates.is_empty() {
        ("verdict none", "No gates")
    } else if page.passed {
        ("verdict pass", "PASSED")
    } else {
        ("verdict fail", "FAILED")
    };
    html! {
        section class=(class) id="verdict" aria-label="Verdict" {
            strong { (word) }
            @if page.gates.is_empty() {
                " — no --fail-if gate was given; the report below is informational."
            } @else {
                " — " (page.gates.iter().filter(|g| g.passed).count()) " of " (page.gates.len()) " gates passed."
                ul {
                    @for g in &page.gates {
                        li {
                            @if g.passed { span.gate-pass { "pass" } } @else { span.gate-fail { "FAIL" } }
                            " " code { (g.expression) } " (" (g.checked) " checked)"
                            @if !g.failures.is_empty() {
                                ul {
                                    @for f in g.failures.iter().take(20) { li { (f.describe()) } }
                                    @if g.failures.len() > 20 { li { "and " (g.failures.len() - 20) " more (in the JSON report)" } }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn item_markup(item: &Item) -> Markup {
    match item {
        Item::Figure(chart, t) => html! {
            figure id=(format!("fig-{}", chart.name)) data-chart=(chart.name) {
                div.chart { (PreEscaped(&chart.svg)) }
                figcaption { (table(t)) }
            }
        },
        Item::Table(t) => table(t),
        Item::Note(text) => html! { p { (text) } },
    }
}

/// A table's markup; an empty table (no rows) is a sentence.
pub fn table(t: &Table) -> Markup {
    html! {
        @if t.rows.is_empty() {
            p.notes { (t.caption) ": nothing to show." }
        } @else {
            @if t.rows.len() > LONG_TABLE {
                details {
                    summary { (t.caption) " (" (t.rows.len()) " rows)" }
                    (rows_table(t))
                }
            } @else {
                (rows_table(t))
            }
            @for n in &t.notes { p.notes { (n) } }
        }
    }
}

/// Tables longer than this are folded (`<details>`, open it to read; printed folded).
const LONG_TABLE: usize = 40;

fn rows_table(t: &Table) -> Markup {
    html! {
            table {
                @if !t.caption.is_empty() { caption { (t.caption) } }
                thead { tr { @for h in &t.header { th scope="col" { (h) } } } }
                tbody {
                    @for row in &t.rows {
                        tr { @for c in row { (cell(c)) } }
                    }
                }
            }
    }
}

fn cell(c: &Cell) -> Markup {
    match c {
        Cell::Text(s) => html! { td.text { (s) } },
        Cell::Number(x) => html! { td { (fmt_num(Some(*x))) } },
        Cell::Amount(x) => html! { td { (fmt_amount(Some(*x))) } },
        Cell::Undefined(why) => html! { td.undefined title=(why) { "—" small { (why) } } },
        Cell::Flag(b) => html! { td { @if *b { "yes" } @else { "no" } } },
        Cell::Interval(a, b) => {
            html! { td { "[" (fmt_num(Some(*a))) ", " (fmt_num(Some(*b))) "]" } }
        }
        Cell::Empty => html! { td {} },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_is_escaped() {
        let page = Page {
            command: "audit-fairness".into(),
            subject: "<script>alert(1)</script>".into(),
            inputs: Table {
                caption: "in".into(),
                header: vec!["file".into()],
                rows: vec![vec![Cell::text("\"><img src=x onerror=alert(1)>")]],
                notes: vec![],
            },
            ..Default::default()
        };
        let d = document(&page);
        assert!(!d.contains("<script>"));
        assert!(!d.contains("<img"));
        assert!(d.contains("&lt;script&gt;"));
    }
}
