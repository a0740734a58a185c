//! What every engine's renderers share, and no engine: the report formats (table, JSON, CSV,
//! Markdown, HTML with SVG charts in [`html`] and [`chart`]), warnings and dropped-row counts, number formatting, tables, Markdown escaping,
//! colour, progress, the verdict block, atomic output, and the `--summary` model and its
//! renderings ([`summary`]: one row per input, shared by every engine). Each engine's report model and its
//! renderings live in the engine (`fairness/report.rs`, `reward/report.rs`,
//! `allocate/report.rs`).

pub mod chart;
pub mod github;
pub mod html;
pub mod junit;
mod numbers;
mod output;
pub mod summary;
mod text;

use numbers::group_digits;
pub use numbers::{csv_num, fmt_amount, fmt_count, fmt_num, fmt_p, is_tiny};
pub use output::{Dropped, Output, ReportFormat, ReportInfo, SideFile, Warning};
pub use text::{markup_safe, printable, terminal_safe};

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};

use comfy_table::{presets, Attribute, Cell, Color, ContentArrangement, Table};
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use serde::Serialize;

/// Bumped whenever a key is renamed or removed, or a value changes meaning.
pub const SCHEMA_VERSION: u32 = 1;

/// A rendered report, and whether every gate passed.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub text: String,
    pub passed: bool,
    /// One line per failed gate, printed on standard error whatever the format.
    pub failures: Vec<String>,
    /// Files the run writes besides the report, once it has succeeded.
    pub side_files: Vec<SideFile>,
    /// The gates' verdicts, for callers that report them their own way (`fairaudit run`'s JUnit
    /// document and annotations).
    pub gates: Vec<crate::gate::GateResult>,
    /// The report's command, inputs and warnings.
    pub info: ReportInfo,
    /// Files the run read besides `info.inputs` (a report that pools several files names them
    /// as one input): no output may be written over them either.
    pub read_files: Vec<String>,
    /// GitHub Actions output (`--format github`, or detected): the caller hands it to
    /// [`github::deliver`] once the report is written.
    pub github: Option<github::Delivery>,
}

impl Rendered {
    /// The report as JUnit suites, one per input ([`junit::suites`]).
    pub fn suites(&self) -> Vec<junit::Suite> {
        junit::suites(
            &self.info.command,
            &self.info.inputs,
            &self.gates,
            &self.info.warnings,
        )
    }
}

/// Writes a run's side files, then its report (to `path`, or standard output). A report file
/// that cannot be written fails before any side file is; side files come only once the run has
/// succeeded (a failed run writes none), and before the report, so a report never lists a file
/// that could not be written.
pub fn write_report(rendered: &Rendered, path: Option<&Path>) -> Result<()> {
    // Never over an input: the report (or a side file) would replace what it was made from.
    let same = |a: &Path, b: &Path| {
        a == b
            || matches!(
                (std::fs::canonicalize(a), std::fs::canonicalize(b)),
                (Ok(x), Ok(y)) if x == y
            )
    };
    // Two outputs of one run on one path: the second would silently replace the first.
    // Paths that do not exist yet are compared by their folder's canonical path and name.
    let target = |p: &Path| -> std::path::PathBuf {
        std::fs::canonicalize(p).unwrap_or_else(|_| {
            let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
            match (
                dir.map_or(std::fs::canonicalize("."), std::fs::canonicalize),
                p.file_name(),
            ) {
                (Ok(d), Some(n)) => d.join(n),
                _ => p.to_path_buf(),
            }
        })
    };
    let written: Vec<(&Path, &str)> = path
        .map(|p| (p, "-o"))
        .into_iter()
        .chain(
            rendered
                .side_files
                .iter()
                .map(|f| (f.path.as_path(), "the file")),
        )
        .collect();
    for (i, (a, _)) in written.iter().enumerate() {
        for (b, _) in &written[..i] {
            if target(a) == target(b) {
                bail!(
                    "{} is named twice among this run's outputs (the report and a side file, or \
                     two side files): give each its own path",
                    a.display()
                );
            }
        }
    }
    for (out, what) in written {
        let inputs = rendered.info.inputs.iter().chain(&rendered.read_files);
        for input in inputs.filter(|i| i.as_str() != "-") {
            if same(out, Path::new(input)) {
                bail!(
                    "{what} {}: that is an input file; write to another file",
                    out.display()
                );
            }
        }
    }
    if let Some(path) = path {
        check_writable(path)?;
    }
    write_side_files(&rendered.side_files)?;
    emit(&rendered.text, path)
}

/// Writes `text` to `path` atomically (a temporary file in the same folder, then a rename), or
/// to standard output.
pub fn emit(text: &str, path: Option<&Path>) -> Result<()> {
    match path {
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Ok(()) => Ok(()),
                // A closed pipe (`| head`) is not an error.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
                Err(e) => Err(e).context("cannot write to standard output"),
            }
        }
        Some(p) => write_file(p, text.as_bytes()),
    }
}

/// Writes `bytes` to what `p` names: a regular file (new or old) atomically, through a
/// temporary file in the same directory renamed over it (removed again if anything fails: a
/// full disk leaves nothing behind); a symbolic link's target, the same way (the link stays);
/// a device or pipe (`/dev/stdout`, a FIFO) by writing to it directly.
pub fn write_file(p: &Path, bytes: &[u8]) -> Result<()> {
    let shown = p.display();
    let target = match std::fs::symlink_metadata(p) {
        Ok(m) if m.file_type().is_symlink() => match std::fs::canonicalize(p) {
            Ok(t) => t,
            // A link to a file not yet there: create what it names.
            Err(_) => {
                let t = std::fs::read_link(p).with_context(|| format!("cannot write {shown}"))?;
                if t.is_absolute() {
                    t
                } else {
                    p.parent().unwrap_or(Path::new(".")).join(t)
                }
            }
        },
        _ => p.to_path_buf(),
    };
    match std::fs::metadata(&target) {
        Ok(m) if m.is_dir() => anyhow::bail!("cannot write {shown}: it is a directory"),
        Ok(m) if !m.is_file() => {
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .open(&target)
                .with_context(|| format!("cannot write {shown}"))?;
            return f
                .write_all(bytes)
                .with_context(|| format!("cannot write {shown}"));
        }
        _ => {}
    }
    let dir = target
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.fairaudit-{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(bytes).and_then(|_| f.sync_all()))
        .and_then(|_| std::fs::rename(&tmp, &target));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        anyhow::anyhow!("cannot write {shown}: {e}")
    })
}

/// Whether `p` can take a report: not a directory, and its directory exists (checked before the
/// side files are written, so that a report path that cannot work writes nothing).
pub fn check_writable(p: &Path) -> Result<()> {
    if p.is_dir() {
        anyhow::bail!("cannot write {}: it is a directory", p.display());
    }
    let dir = p.parent().filter(|d| !d.as_os_str().is_empty());
    if let Some(d) = dir {
        if !d.is_dir() {
            anyhow::bail!(
                "cannot write {}: the directory {} does not exist",
                p.display(),
                d.display()
            );
        }
    }
    Ok(())
}

/// Writes every side file (each atomically); the first failure is the error.
pub fn write_side_files(files: &[SideFile]) -> Result<()> {
    for f in files {
        if f.make_dir {
            if let Some(dir) = f.path.parent().filter(|d| !d.as_os_str().is_empty()) {
                html::create_plot_dir(dir)?;
            }
        }
        write_file(&f.path, f.text.as_bytes())?;
    }
    Ok(())
}

/// Whether to colour: standard output is a terminal and `NO_COLOR` is unset or empty.
pub fn use_colour() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Rows-processed spinner on standard error: only on a terminal, without --quiet, and only once
/// the work has taken more than a second (quick audits print nothing).
#[derive(Clone)]
pub struct Progress {
    bar: Option<
        Arc<(
            indicatif::ProgressBar,
            std::time::Instant,
            std::sync::atomic::AtomicBool,
        )>,
    >,
}

impl Progress {
    pub fn new(quiet: bool) -> Self {
        if quiet || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = indicatif::ProgressBar::hidden();
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {human_pos} rows read ({per_sec})")
                .expect("valid template"),
        );
        Progress {
            bar: Some(Arc::new((bar, std::time::Instant::now(), false.into()))),
        }
    }

    pub fn add_rows(&self, n: u64) {
        use std::sync::atomic::Ordering;
        if let Some(b) = &self.bar {
            let (bar, start, shown) = &**b;
            bar.inc(n);
            if !shown.load(Ordering::Relaxed) && start.elapsed() > std::time::Duration::from_secs(1)
            {
                shown.store(true, Ordering::Relaxed);
                bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                bar.enable_steady_tick(std::time::Duration::from_millis(200));
            }
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.0.finish_and_clear();
        }
    }
}

/// Groups, subsets and the like with fewer rows (pairs) than this are marked `*` in the tables:
/// rates over so few are too noisy to read as a finding (display only).
pub const SMALL_SAMPLE: u64 = 30;

/// Tables are never wider than this, whatever the terminal (a wider line wraps on most screens
/// and in most pull-request comments).
pub const MAX_TABLE_WIDTH: usize = 100;

/// The narrowest width tables are fitted to, however small `COLUMNS` is.
const MIN_TABLE_WIDTH: usize = 40;

/// The one place that decides how wide a table may be: `COLUMNS` when it is a positive integer,
/// else the width of the terminal standard output is, else [`MAX_TABLE_WIDTH`]; never more than
/// [`MAX_TABLE_WIDTH`] (nor less than 40).
pub fn table_width() -> usize {
    let columns = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|w| *w > 0);
    let width = columns
        .or_else(|| Table::new().width().map(usize::from).filter(|w| *w > 0))
        .unwrap_or(MAX_TABLE_WIDTH);
    width.clamp(MIN_TABLE_WIDTH, MAX_TABLE_WIDTH)
}

/// A table: comfy-table boxes, or a Markdown table. `red` cells (row, column) are drawn in red
/// (terminal only). The first `1 + lead` columns name the row; of the others, columns of numbers
/// (and `—`, booleans) are right-aligned and never wrapped, columns of text are left-aligned.
///
/// A box table fits [`table_width`]: as it is when it fits; else text cells (names, witnesses)
/// and headers wrap; else, when even the numbers do not fit, it is turned: one row per column
/// of numbers and one column per row ("metric per row", when the row names are few and short
/// enough), or in the end one row per (row, column) pair.
pub fn grid(
    header: &[String],
    rows: &[Vec<String>],
    markdown: bool,
    red: &[(usize, usize)],
    lead: usize,
) -> String {
    // Text from the data: no control or bidi character reaches the terminal or the Markdown.
    let header: Vec<String> = header.iter().map(|h| printable(h).into_owned()).collect();
    let rows: Vec<Vec<String>> = rows
        .iter()
        .map(|r| r.iter().map(|c| printable(c).into_owned()).collect())
        .collect();
    let (header, rows) = (&header[..], &rows[..]);
    if markdown {
        let mut s = String::new();
        let esc = |c: &str| markdown_text(c);
        let _ = writeln!(
            s,
            "| {} |",
            header
                .iter()
                .map(|h| esc(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(
            s,
            "|{}",
            header
                .iter()
                .enumerate()
                .map(|(i, _)| if i == 0 { " --- |" } else { " ---: |" })
                .collect::<String>()
        );
        for row in rows {
            let _ = writeln!(
                s,
                "| {} |",
                row.iter().map(|c| esc(c)).collect::<Vec<_>>().join(" | ")
            );
        }
        return s;
    }
    let width = table_width();
    let keys = (1 + lead).min(header.len());
    if let Some(t) = boxed(header, rows, red, keys, width) {
        return t;
    }
    // Metric per row: the row names become the columns.
    if keys == 1 && !rows.is_empty() {
        let mut theader = vec![String::new()];
        // A row name becomes a column header over short numbers: a hyphenated name may break
        // after its hyphens (`African-` / `American`) rather than anywhere.
        theader.extend(rows.iter().map(|r| {
            let widest = r[1..].iter().map(|c| chars(c)).max().unwrap_or(0);
            if chars(&r[0]) > widest + 2 && r[0].contains('-') {
                r[0].replace('-', "-\n")
            } else {
                r[0].clone()
            }
        }));
        let trows: Vec<Vec<String>> = (1..header.len())
            .map(|c| {
                let mut row = vec![header[c].clone()];
                row.extend(rows.iter().map(|r| r.get(c).cloned().unwrap_or_default()));
                row
            })
            .collect();
        let tred: Vec<(usize, usize)> = red
            .iter()
            .filter(|&&(_, c)| c >= 1)
            .map(|&(r, c)| (c - 1, r + 1))
            .collect();
        if trows
            .iter()
            .all(|r| r[1..].iter().all(|c| is_number_cell(c)))
        {
            if let Some(t) = boxed(&theader, &trows, &tred, 1, width) {
                return t;
            }
        }
    }
    // Long: one row per (row, column).
    let mut lheader: Vec<String> = header[..keys].to_vec();
    lheader.extend(["metric".to_string(), "value".to_string()]);
    let mut lrows = Vec::new();
    let mut lred = Vec::new();
    for (ri, row) in rows.iter().enumerate() {
        for (c, name) in header.iter().enumerate().skip(keys) {
            if red.contains(&(ri, c)) {
                lred.push((lrows.len(), keys + 1));
            }
            let mut l: Vec<String> = row[..keys].to_vec();
            l.push(name.clone());
            l.push(row.get(c).cloned().unwrap_or_default());
            lrows.push(l);
        }
    }
    boxed(&lheader, &lrows, &lred, keys, width)
        .unwrap_or_else(|| draw(&lheader, &lrows, &lred, keys, width, Some(0)))
}

/// Whether a cell reads as a number: a number (thousands separators allowed, a trailing mark
/// such as `✗`), `—`, a boolean or empty.
fn is_number_cell(c: &str) -> bool {
    let t = c.trim().trim_end_matches(['✗', '*', '†']).trim();
    t.is_empty()
        || matches!(t, "—" | "true" | "false" | "yes" | "NO" | "no")
        || t.replace(',', "").parse::<f64>().is_ok()
}

/// A header word longer than this may be split when a table is fitted.
const HEADER_WORD: usize = 10;
/// Row names (the first columns) up to this many characters are never wrapped.
const KEY_WIDTH: usize = 40;

fn chars(s: &str) -> usize {
    s.lines().map(|l| l.chars().count()).max().unwrap_or(0)
}

/// The box table when it fits `width` (text and headers wrapped if needed), else `None`.
fn boxed(
    header: &[String],
    rows: &[Vec<String>],
    red: &[(usize, usize)],
    keys: usize,
    width: usize,
) -> Option<String> {
    let n = header.len();
    let body = |c: usize| rows.iter().map(|r| r.get(c).map_or(0, |x| chars(x))).max();
    let numeric: Vec<bool> = (0..n)
        .map(|c| {
            c >= keys
                && rows
                    .iter()
                    .all(|r| r.get(c).is_none_or(|x| is_number_cell(x)))
        })
        .collect();
    let natural: usize = (0..n)
        .map(|c| body(c).unwrap_or(0).max(chars(&header[c])) + 3)
        .sum::<usize>()
        + 1;
    if natural <= width {
        return Some(draw(header, rows, red, keys, width, None));
    }
    // The narrowest each column may be: numbers whole, text wrapped, headers split at spaces
    // (and, when that is not enough, long header words split to the numbers' width).
    for split in [HEADER_WORD, 0] {
        let least: usize = (0..n)
            .map(|c| {
                let word = header[c].split_whitespace().map(chars).max().unwrap_or(0);
                let b = body(c).unwrap_or(0);
                let w = if numeric[c] {
                    b.max(word.min(split.max(b)))
                } else {
                    b.max(chars(&header[c]))
                        .min(if c < keys { KEY_WIDTH } else { 16 })
                };
                w + 3
            })
            .sum::<usize>()
            + 1;
        if least > width {
            continue;
        }
        let t = draw(header, rows, red, keys, width, Some(split));
        if t.lines().map(|l| l.chars().count()).max().unwrap_or(0) <= width {
            return Some(t);
        }
    }
    None
}

/// Draws the box table; `fit`: wrap text cells and headers to `width` (numbers never wrap),
/// header words longer than the given length may be split.
fn draw(
    header: &[String],
    rows: &[Vec<String>],
    red: &[(usize, usize)],
    keys: usize,
    width: usize,
    fit: Option<usize>,
) -> String {
    let split = fit.unwrap_or(usize::MAX);
    let fit = fit.is_some();
    use comfy_table::{ColumnConstraint, Width};
    let mut t = Table::new();
    t.load_preset(presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(if fit {
            ContentArrangement::Dynamic
        } else {
            ContentArrangement::Disabled
        })
        .set_header(header.iter().map(Cell::new));
    if fit {
        t.set_width(u16::try_from(width).unwrap_or(u16::MAX));
    }
    for (ri, row) in rows.iter().enumerate() {
        t.add_row(row.iter().enumerate().map(|(ci, c)| {
            let cell = Cell::new(c);
            if red.contains(&(ri, ci)) {
                cell.fg(Color::Red).add_attribute(Attribute::Bold)
            } else {
                cell
            }
        }));
    }
    for (i, name) in header.iter().enumerate() {
        let numeric = i >= keys
            && rows
                .iter()
                .all(|r| r.get(i).is_none_or(|x| is_number_cell(x)));
        if let Some(col) = t.column_mut(i) {
            if numeric {
                col.set_cell_alignment(comfy_table::CellAlignment::Right);
                if fit {
                    let b = rows.iter().map(|r| r.get(i).map_or(0, |x| chars(x))).max();
                    let word = name.split_whitespace().map(chars).max().unwrap_or(0);
                    let b = b.unwrap_or(0);
                    let least = b.max(word.min(split.max(b))) + 2;
                    col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                        u16::try_from(least).unwrap_or(u16::MAX),
                    )));
                }
            } else if fit && i < keys {
                // Row names stay whole while the other columns can give way.
                let b = rows.iter().map(|r| r.get(i).map_or(0, |x| chars(x))).max();
                let least = b.unwrap_or(0).max(chars(name)).min(KEY_WIDTH) + 2;
                col.set_constraint(ColumnConstraint::LowerBoundary(Width::Fixed(
                    u16::try_from(least).unwrap_or(u16::MAX),
                )));
            }
        }
    }
    format!("{t}\n")
}

/// One legend line under a table: `abbreviation = meaning` pairs that appear in `header`,
/// joined with ` · ` and wrapped at the table width. Empty when no pair is used.
pub fn legend(header: &[String], pairs: &[(&str, &str)], markdown: bool) -> String {
    let used: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| header.iter().any(|h| h == k))
        .map(|(k, v)| format!("{k} = {v}"))
        .collect();
    note_lines(&used, markdown)
}

/// Notes under a table (a legend, a mark's meaning), joined with ` · ` and wrapped at the table
/// width; Markdown: one paragraph.
pub fn note_lines(items: &[String], markdown: bool) -> String {
    if items.is_empty() {
        return String::new();
    }
    if markdown {
        return format!("\n{}\n", markdown_text(&items.join(" · ")));
    }
    let width = table_width();
    let mut out = String::new();
    let mut line = String::new();
    for it in items {
        let add = if line.is_empty() {
            it.chars().count()
        } else {
            it.chars().count() + 3
        };
        if !line.is_empty() && line.chars().count() + add > width {
            out.push_str(&line);
            out.push('\n');
            line.clear();
        }
        if !line.is_empty() {
            line.push_str(" · ");
        }
        line.push_str(it);
    }
    out.push_str(&line);
    out.push('\n');
    out
}

/// The gates' verdicts and the warnings, as the end of a table or Markdown report.
pub fn gates_and_warnings(
    gates: &[crate::gate::GateResult],
    warnings: &[Warning],
    markdown: bool,
    colour: bool,
) -> String {
    let mut out = String::new();
    if !gates.is_empty() {
        if markdown {
            out.push_str("## Gates\n\n");
        } else {
            out.push_str("gates\n");
        }
        for g in gates {
            let verdict = if g.passed { "pass" } else { "FAIL" };
            let verdict = if colour {
                if g.passed {
                    format!("\x1b[32m{verdict}\x1b[0m")
                } else {
                    format!("\x1b[31;1m{verdict}\x1b[0m")
                }
            } else {
                verdict.to_string()
            };
            let _ = writeln!(
                out,
                "{}{verdict}  {}  ({} checked)",
                if markdown { "- " } else { "  " },
                g.expression,
                g.checked
            );
            for fl in &g.failures {
                let _ = writeln!(
                    out,
                    "{}{}",
                    if markdown { "  - " } else { "        " },
                    printable(&fl.describe())
                );
            }
        }
        out.push('\n');
    }
    if !warnings.is_empty() {
        out.push_str(if markdown {
            "## Warnings\n\n"
        } else {
            "warnings\n"
        });
        for w in warnings {
            let scope = match &w.attribute {
                Some(a) => format!("{} [{}]", w.file, a),
                None => w.file.clone(),
            };
            if markdown {
                let _ = writeln!(
                    out,
                    "- {}: {}",
                    markdown_text(&printable(&scope)),
                    markdown_text(&printable(&w.message))
                );
            } else {
                let _ = writeln!(out, "  {}: {}", printable(&scope), printable(&w.message));
            }
        }
    }
    out
}

/// Text from the data (group, column, file names) made inert in Markdown: HTML special
/// characters as entities (a group named `<script>` stays text), Markdown punctuation
/// backslash-escaped, `|` escaped (table cells), line breaks as `<br>`.
pub fn markdown_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '#' | '~' | '!' => {
                out.push('\\');
                out.push(ch);
            }
            c => out.push(c),
        }
    }
    out
}

/// Renders a report model in `format`: JSON (pretty, newline-terminated) from its serde model,
/// the other formats from the engine's `csv` and `text(markdown)` functions, HTML from the
/// engine's page (built by [`html::figures`] when the format is HTML), JUnit and GitHub from the
/// gates and `info`. With `--format github`, or under GitHub Actions ([`github::detected`]), the
/// Markdown report and the annotations travel in [`Rendered::github`].
#[allow(clippy::too_many_arguments)]
pub fn render_with<T: Serialize>(
    model: &T,
    format: ReportFormat,
    passed: bool,
    gates: &[crate::gate::GateResult],
    info: ReportInfo,
    csv: impl Fn() -> Result<String>,
    text: impl Fn(bool) -> String,
    page: Option<&html::Page>,
) -> Result<Rendered> {
    let github = github::mode(format).map(|mode| github::Delivery {
        mode,
        annotations: github::annotations(gates, &info.warnings),
        markdown: terminal_safe(&text(true)).into_owned(),
    });
    let text = match format {
        ReportFormat::Json => {
            let mut s = serde_json::to_string_pretty(model)?;
            s.push('\n');
            s
        }
        ReportFormat::Csv => csv()?,
        ReportFormat::Table => terminal_safe(&text(false)).into_owned(),
        ReportFormat::Markdown => terminal_safe(&text(true)).into_owned(),
        ReportFormat::Html => match page {
            Some(p) => html::document(p),
            None => anyhow::bail!("--format html is not available for this report"),
        },
        ReportFormat::Junit => junit::document(&junit::suites(
            &info.command,
            &info.inputs,
            gates,
            &info.warnings,
        ))?,
        ReportFormat::Github => {
            let annotations = github.as_ref().map(|g| g.annotations.as_str());
            format!(
                "{}{}",
                annotations.unwrap_or_default(),
                github::verdict(&info.command, gates, info.warnings.len())
            )
        }
    };
    Ok(Rendered {
        text,
        passed,
        failures: crate::gate::failure_lines(gates),
        side_files: Vec::new(),
        gates: gates.to_vec(),
        info,
        read_files: Vec::new(),
        github,
    })
}

/// A number's cells in a long-format CSV: its value, its interval's ends (empty when the value
/// or the interval is undefined, or there is none) and why the value is undefined (empty when
/// it is defined), numbers as [`csv_num`] writes them.
pub fn csv_cells(n: &crate::gate::Number) -> [String; 4] {
    let num = |x: f64| csv_num(Some(x));
    let (lo, hi) = match &n.interval {
        Some(Ok([a, b])) => (num(*a), num(*b)),
        _ => (String::new(), String::new()),
    };
    match &n.value {
        Ok(v) => [num(*v), lo, hi, String::new()],
        Err(why) => [String::new(), lo, hi, why.clone()],
    }
}

/// The undefined values of a map grouped by reason, one line each: `— a, b: reason`.
pub fn undefined_notes(
    undefined: &serde_json::Map<String, serde_json::Value>,
    markdown: bool,
) -> String {
    let mut by_reason: std::collections::BTreeMap<&str, Vec<&str>> = Default::default();
    for (k, why) in undefined {
        if let Some(w) = why.as_str() {
            by_reason.entry(w).or_default().push(k);
        }
    }
    let mut out = String::new();
    for (why, keys) in by_reason {
        let _ = writeln!(
            out,
            "{}— {}: {why}",
            if markdown { "\n" } else { "" },
            keys.join(", ")
        );
    }
    out
}

/// A JSON value as a table cell: booleans as words, counts as integers, numbers to 4 decimals.
pub fn value_text(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Number(n) if n.is_u64() || n.is_i64() => group_digits(&n.to_string()),
        serde_json::Value::String(s) => s.clone(),
        other => fmt_num(other.as_f64()),
    }
}

/// Column headers from names.
pub fn header(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

/// A table of JSON objects: every key seen is a column (first-seen order, `_` shown as a
/// space); lists are joined with commas, nested objects left out.
pub fn object_table(rows: &[serde_json::Value], markdown: bool) -> String {
    object_table_with(rows, markdown, &[], &[])
}

/// [`object_table`] with the numbers of the `amounts` keys as amounts ([`fmt_amount`]: `61,000`,
/// `20`) and the `hidden` keys left out.
pub fn object_table_with(
    rows: &[serde_json::Value],
    markdown: bool,
    amounts: &[&str],
    hidden: &[&str],
) -> String {
    let mut keys: Vec<&String> = Vec::new();
    for it in rows {
        for (k, v) in it.as_object().into_iter().flatten() {
            let nested = v.is_object()
                || v.as_array()
                    .is_some_and(|a| a.iter().any(|x| x.is_array() || x.is_object()));
            if !nested && !keys.contains(&k) && !hidden.contains(&k.as_str()) {
                keys.push(k);
            }
        }
    }
    if keys.is_empty() {
        return String::new();
    }
    let head: Vec<String> = keys.iter().map(|k| k.replace('_', " ")).collect();
    let body: Vec<Vec<String>> = rows
        .iter()
        .map(|it| {
            keys.iter()
                .map(|k| {
                    let cell = |v: &serde_json::Value| {
                        if amounts.contains(&k.as_str()) && v.is_f64() {
                            fmt_amount(v.as_f64())
                        } else {
                            value_text(v)
                        }
                    };
                    match &it[k.as_str()] {
                        serde_json::Value::Array(a) => {
                            a.iter().map(cell).collect::<Vec<_>>().join(", ")
                        }
                        v => cell(v),
                    }
                })
                .collect()
        })
        .collect();
    grid(&head, &body, markdown, &[], 0)
}
