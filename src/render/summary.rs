//! `--summary`, for every engine: one row per input (audit-fairness: per input × attribute) with
//! its headline figures and whether the gates passed there — the view for many files (a sweep's
//! runs, a partitioned dataset, a folder of elections). This is the model and its renderings;
//! each engine decides its columns and fills the rows (`fairness/summary.rs`,
//! `reward/summary.rs`, `allocate/summary.rs`).
//!
//! Hive partition keys in a path (`model=a/seed=1/part.parquet`) become columns.

use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::html::{Cell, Item, Page, PlotFile, Section, Table};
use super::output::{ReportFormat, Warning};
use super::{fmt_amount, grid, markdown_text, note_lines, render_with, Rendered};
use crate::gate::{Failure, Gate, GateResult, Scope};

/// The summary: its columns, one row per input (values by column name; null when undefined)
/// and the gates' verdicts.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub schema_version: u32,
    /// `audit-fairness --summary`, `audit-reward --summary`, `allocate pb --summary`.
    pub command: String,
    pub fairaudit_version: String,
    /// The columns of every row, in order.
    pub columns: Vec<String>,
    pub rows: Vec<Map<String, Json>>,
    /// One object per row (same order): column → why its value is null. Left out when no value
    /// of any row has a reason to give.
    #[serde(skip_serializing_if = "no_reasons")]
    pub undefined: Vec<Map<String, Json>>,
    /// What reading and auditing the inputs noticed, input by input.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    pub gates: Vec<GateResult>,
    /// Every gate passed on every row.
    pub passed: bool,
    /// With --plot DIR: the chart files written (the whole report's charts).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plots: Vec<PlotFile>,
    /// How the table, Markdown and HTML views show the rows (not in the JSON).
    #[serde(skip)]
    pub view: View,
}

fn no_reasons(u: &[Map<String, Json>]) -> bool {
    u.iter().all(Map::is_empty)
}

/// How the table, Markdown and HTML views show a summary; JSON and CSV always hold every column.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// The columns shown, in order (none: every column).
    pub shown: Option<Vec<String>>,
    /// The columns after the first that name a row (never wrapped when a table is fitted).
    pub lead: usize,
    /// Columns whose null shows as an empty cell rather than `—` (not applicable, not undefined).
    pub blank_null: Vec<String>,
    /// Columns of amounts (costs, budgets): `61,000` rather than `61000.0000`.
    pub amounts: Vec<String>,
    /// Headers with spaces for underscores (`budget share spent`), so that they wrap between
    /// words; the file column relative to the directory every file is in (said under the table).
    pub compact: bool,
}

impl Summary {
    /// An empty summary of `command` (`audit-reward --summary`) with these columns.
    pub fn new(command: &str, columns: Vec<String>) -> Summary {
        Summary {
            schema_version: super::SCHEMA_VERSION,
            command: command.to_string(),
            fairaudit_version: env!("CARGO_PKG_VERSION").into(),
            columns,
            rows: Vec::new(),
            undefined: Vec::new(),
            warnings: Vec::new(),
            gates: Vec::new(),
            passed: true,
            plots: Vec::new(),
            view: View::default(),
        }
    }

    /// Adds a row and why its null values are null (column → reason; may be empty).
    pub fn push(&mut self, row: Map<String, Json>, undefined: Map<String, Json>) {
        self.rows.push(row);
        self.undefined.push(undefined);
    }

    /// The columns the table, Markdown and HTML views show.
    pub fn shown(&self) -> &[String] {
        self.view.shown.as_deref().unwrap_or(&self.columns)
    }
}

/// `key=value` directory names of a path, in path order.
pub fn partitions(path: &str) -> Vec<(String, String)> {
    let p = std::path::Path::new(path);
    let parent = p.parent().map(|x| x.to_path_buf()).unwrap_or_default();
    parent
        .components()
        .filter_map(|c| {
            let s = c.as_os_str().to_string_lossy();
            let (k, v) = s.split_once('=')?;
            (!k.is_empty()).then(|| (k.to_string(), v.to_string()))
        })
        .collect()
}

/// The partition columns of a set of paths: every key of [`partitions`], in first-seen order,
/// as (key, column name). The column is the key itself, or `partition.KEY` when the key is
/// `file` or one of the engine's `taken` columns (a `kind=pairs` directory next to the
/// `kind` column).
pub fn partition_columns<'a>(
    paths: impl IntoIterator<Item = &'a str>,
    taken: &[String],
) -> Vec<(String, String)> {
    let mut keys: Vec<String> = Vec::new();
    for path in paths {
        for (k, _) in partitions(path) {
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
    }
    // A name already used (by the engine, `file`, or an earlier partition column: a
    // `partition.kind=` directory next to `kind=`) takes `partition.` until it is unique.
    let mut used: Vec<String> = taken.to_vec();
    used.push("file".into());
    keys.into_iter()
        .map(|k| {
            let mut column = k.clone();
            if used.contains(&column) {
                column = format!("partition.{k}");
            }
            while used.contains(&column) {
                column = format!("partition.{column}");
            }
            used.push(column.clone());
            (k, column)
        })
        .collect()
}

/// A row's first cells: its file, and the value of each partition column in its path (null when
/// the path has no such directory).
pub fn file_cells(file: &str, partition_columns: &[(String, String)]) -> Map<String, Json> {
    let mut row = Map::new();
    row.insert("file".into(), Json::from(file));
    let parts = partitions(file);
    for (k, column) in partition_columns {
        let v = parts.iter().find(|(pk, _)| pk == k).map(|(_, v)| v.clone());
        row.insert(column.clone(), v.map_or(Json::Null, Json::from));
    }
    row
}

/// Why a row's partition cells are null: its path has no such directory.
pub fn partition_reasons(
    row: &Map<String, Json>,
    partition_columns: &[(String, String)],
) -> Map<String, Json> {
    partition_columns
        .iter()
        .filter(|(_, c)| row.get(c).is_none_or(Json::is_null))
        .map(|(k, c)| {
            (
                c.clone(),
                Json::from(format!("no {k}=… directory in the path")),
            )
        })
        .collect()
}

/// Whether no gate failed on what `here` picks out (a row's file, its attribute).
pub fn passed_where(gates: &[GateResult], here: impl Fn(&Failure) -> bool) -> bool {
    !gates.iter().any(|g| g.failures.iter().any(&here))
}

/// The columns a gate reads, by the names summaries give them: `NAME` for a gate without a
/// scope (or `overall:`), `SCOPE:NAME` for a scoped one (a group column's disparity); an interval
/// end (`accuracy.lower`) reads its number's column. An engine shows those of its columns.
pub fn gate_columns(gates: &[Gate]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for g in gates {
        let (name, _) = crate::gate::interval_end(&g.name);
        let column = match &g.scope {
            Scope::All | Scope::Overall => name.to_string(),
            Scope::Attribute(a) => format!("{a}:{name}"),
            Scope::Group(..) => continue,
        };
        if !out.contains(&column) {
            out.push(column);
        }
    }
    out
}

/// The columns a table shows: `first` (the row's names), then those of `headline` the summary
/// has, then those the gates read, then `last`; each once, in that order.
pub fn shown_columns(
    columns: &[String],
    first: &[String],
    headline: &[&str],
    gates: &[Gate],
    last: &[&str],
) -> Vec<String> {
    let mut out: Vec<String> = first.to_vec();
    let candidates = headline
        .iter()
        .map(|h| h.to_string())
        .chain(gate_columns(gates))
        .chain(last.iter().map(|h| h.to_string()));
    for c in candidates {
        if columns.contains(&c) && !out.contains(&c) {
            out.push(c);
        }
    }
    out
}

/// A value as CSV and JSON-minded tools read it: null empty, numbers in full.
fn cell(v: &Json) -> String {
    match v {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        Json::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// A value as the table shows it: null `—` (empty in Markdown and in `blank_null` columns),
/// counts whole, amounts as amounts, other numbers to 4 decimals.
fn table_cell(s: &Summary, column: &str, v: &Json, markdown: bool) -> String {
    match v {
        Json::Null if !markdown && !s.view.blank_null.iter().any(|c| c == column) => "—".into(),
        Json::Number(n) if s.view.amounts.iter().any(|c| c == column) && !n.is_u64() => {
            fmt_amount(n.as_f64())
        }
        Json::Number(n) => n
            .as_f64()
            .filter(|_| !n.is_u64())
            .map_or_else(|| n.to_string(), |x| format!("{x:.4}")),
        other => cell(other),
    }
}

/// Why values are null, under the table: one line per reason and set of rows, naming the
/// columns (and the rows' files, `dir` left out, when not every row's value is null there).
/// Empty when no reason is known.
fn undefined_notes(s: &Summary, dir: &str, markdown: bool) -> String {
    // (reason, files) → columns, in first-seen order.
    let mut groups: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    for column in s.shown() {
        let mut by_reason: Vec<(String, Vec<String>)> = Vec::new();
        for (row, why) in s.rows.iter().zip(&s.undefined) {
            let Some(reason) = why.get(column).and_then(Json::as_str) else {
                continue;
            };
            let file = row.get("file").and_then(Json::as_str).unwrap_or("");
            let file = file.strip_prefix(dir).unwrap_or(file).to_string();
            match by_reason.iter_mut().find(|(r, _)| r == reason) {
                Some((_, files)) => files.push(file),
                None => by_reason.push((reason.to_string(), vec![file])),
            }
        }
        for (reason, files) in by_reason {
            match groups
                .iter_mut()
                .find(|(r, f, _)| *r == reason && *f == files)
            {
                Some((_, _, cols)) => cols.push(column.clone()),
                None => groups.push((reason, files, vec![column.clone()])),
            }
        }
    }
    let mut out = String::new();
    for (reason, files, cols) in groups {
        let rows = if files.len() == s.rows.len() {
            String::new()
        } else if files.len() <= 3 {
            format!(" in {}", files.join(", "))
        } else {
            format!(" in {} rows", files.len())
        };
        let line = format!("— {}{rows}: {reason}", cols.join(", "));
        if markdown {
            let _ = write!(out, "\n{}\n", markdown_text(&line));
        } else {
            out.push_str(&note_lines(&[line], false));
        }
    }
    out
}

/// The shown columns' headers (with spaces for underscores in a compact view).
fn headers(s: &Summary) -> Vec<String> {
    s.shown()
        .iter()
        .map(|c| {
            if s.view.compact {
                c.replace('_', " ")
            } else {
                c.clone()
            }
        })
        .collect()
}

/// The directory (ending in `/`) every row's file is in, when there is one.
fn common_dir(rows: &[Map<String, Json>]) -> String {
    let files: Vec<&str> = rows
        .iter()
        .filter_map(|r| r.get("file").and_then(Json::as_str))
        .collect();
    let Some(first) = files.first() else {
        return String::new();
    };
    let mut dir: &str = match first.rfind('/') {
        Some(i) => &first[..=i],
        None => return String::new(),
    };
    for f in &files[1..] {
        while !f.starts_with(dir) {
            match dir[..dir.len() - 1].rfind('/') {
                Some(i) => dir = &dir[..=i],
                None => return String::new(),
            }
        }
    }
    dir.to_string()
}

/// The warnings under the table, one line each.
fn warning_lines(warnings: &[Warning], markdown: bool) -> String {
    if warnings.is_empty() {
        return String::new();
    }
    let mut out = String::from(if markdown {
        "\n## Warnings\n\n"
    } else {
        "\nwarnings\n"
    });
    for w in warnings {
        let scope = match &w.attribute {
            Some(a) => format!("{} [{a}]", w.file),
            None => w.file.clone(),
        };
        if markdown {
            let _ = writeln!(
                out,
                "- {}: {}",
                markdown_text(&super::printable(&scope)),
                markdown_text(&super::printable(&w.message))
            );
        } else {
            let _ = writeln!(
                out,
                "  {}: {}",
                super::printable(&scope),
                super::printable(&w.message)
            );
        }
    }
    out
}

/// The summary in `format`: JSON (the model), CSV (every column), a table or Markdown (the
/// shown columns, then why values are null, then the warnings); as HTML, `page` (built by the
/// engine, with [`section`] first).
pub fn render(s: &Summary, format: ReportFormat, page: Option<&Page>) -> Result<Rendered> {
    let shown = s.shown();
    let dir = if s.view.compact {
        common_dir(&s.rows)
    } else {
        String::new()
    };
    let table = |markdown: bool| -> Vec<Vec<String>> {
        s.rows
            .iter()
            .map(|row| {
                shown
                    .iter()
                    .map(|c| match row.get(c) {
                        Some(Json::String(f)) if c == "file" && !dir.is_empty() => {
                            f.strip_prefix(&dir).unwrap_or(f).to_string()
                        }
                        v => table_cell(s, c, v.unwrap_or(&Json::Null), markdown),
                    })
                    .collect()
            })
            .collect()
    };
    let header = headers(s);
    // The files of the rows, for JUnit suites and GitHub annotations.
    let mut inputs: Vec<String> = Vec::new();
    for row in &s.rows {
        if let Some(Json::String(f)) = row.get("file") {
            if !inputs.contains(f) {
                inputs.push(f.clone());
            }
        }
    }
    let info = super::ReportInfo {
        command: s.command.clone(),
        inputs,
        warnings: s.warnings.clone(),
    };
    render_with(
        s,
        format,
        s.passed,
        &s.gates,
        info,
        || {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record(&s.columns)?;
            for row in &s.rows {
                w.write_record(
                    s.columns
                        .iter()
                        .map(|c| cell(row.get(c).unwrap_or(&Json::Null))),
                )?;
            }
            Ok(String::from_utf8(w.into_inner()?)?)
        },
        |md| {
            let mut out = grid(&header, &table(md), md, &[], s.view.lead);
            if !dir.is_empty() {
                out.push_str(&note_lines(&[format!("file: in {dir}")], md));
            }
            out.push_str(&undefined_notes(s, &dir, md));
            // Each gate's verdict and the values that failed it (a gate on a subset, a group
            // or an interval end tests a number that is no column).
            if !s.gates.is_empty() {
                out.push('\n');
                out.push_str(super::gates_and_warnings(&s.gates, &[], md, false).trim_end());
                out.push('\n');
            }
            out.push_str(&warning_lines(&s.warnings, md));
            out
        },
        page,
    )
}

/// The summary table as a page section (the first of a `--summary --format html` page): the
/// shown columns; a null value undefined with its reason, else with `fallback`.
pub fn section(s: &Summary, heading: &str, fallback: &str) -> Section {
    let mut sec = Section::new(heading);
    let shown = s.shown();
    let rows = s
        .rows
        .iter()
        .zip(s.undefined.iter().chain(std::iter::repeat(&Map::new())))
        .map(|(row, why)| {
            shown
                .iter()
                .map(|c| match row.get(c) {
                    Some(Json::Number(n)) if n.is_u64() => Cell::Amount(n.as_f64().unwrap_or(0.0)),
                    Some(Json::Number(n)) if s.view.amounts.contains(c) => {
                        n.as_f64().map_or(Cell::Empty, Cell::Amount)
                    }
                    Some(Json::Number(n)) => Cell::opt(n.as_f64()),
                    Some(Json::Bool(b)) => Cell::Flag(*b),
                    Some(Json::String(t)) => Cell::text(t),
                    _ => Cell::Undefined(
                        why.get(c)
                            .and_then(Json::as_str)
                            .unwrap_or(fallback)
                            .to_string(),
                    ),
                })
                .collect()
        })
        .collect();
    sec.items.push(Item::Table(Table {
        caption: "Summary (--summary)".into(),
        header: headers(s),
        rows,
        notes: vec![],
    }));
    sec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_keys_and_collisions() {
        assert_eq!(
            partitions("runs/model=a/seed=1/part.parquet"),
            [("model".into(), "a".into()), ("seed".into(), "1".into())]
        );
        assert!(
            partitions("model=a").is_empty(),
            "a file name is no partition"
        );
        let cols = partition_columns(
            [
                "x/kind=pairs/a.csv",
                "x/file=3/b.csv",
                "x/kind=pairs/m=1/c.csv",
            ],
            &["kind".to_string()],
        );
        assert_eq!(
            cols,
            [
                ("kind".into(), "partition.kind".into()),
                ("file".into(), "partition.file".into()),
                ("m".into(), "m".into())
            ]
        );
        let row = file_cells("x/kind=pairs/a.csv", &cols);
        assert_eq!(row["partition.kind"], "pairs");
        assert_eq!(row["m"], Json::Null);
        assert_eq!(row["file"], "x/kind=pairs/a.csv");
    }
}
