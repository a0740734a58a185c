//! Files → polars `LazyFrame`s: format detection, stdin, messy CSV headers, and column
//! resolution with "did you mean" errors. Shared by every engine.

mod columns;
mod format;

pub use columns::{closest_name, detect_column, resolve_column};
pub use format::Format;

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use polars::prelude::*;
use polars_buffer::Buffer;

use crate::cli::InputArgs;

/// One input: a file on disk or standard input, with the format it is read as.
#[derive(Debug, Clone)]
pub struct Source {
    /// What the user typed (`-` for standard input); used in every message and report.
    pub display: String,
    pub format: Format,
    stdin: Option<Buffer<u8>>,
}

/// An opened input: its lazy scan and the names of its columns, in file order.
pub struct Opened {
    pub frame: LazyFrame,
    pub schema: SchemaRef,
    /// Header names that occur more than once in a CSV header; they are renamed `name#1`,
    /// `name#2`, ... and selecting the plain name is an error.
    pub duplicate_headers: Vec<String>,
}

/// One named file (a side input such as an allocation or a rewards table), format from its
/// extension; errors as for the main inputs.
pub fn source(path: &str) -> Result<Source> {
    let mut s = sources(&InputArgs {
        files: vec![path.to_string()],
        input_format: None,
    })?;
    Ok(s.remove(0))
}

/// Expands the FILE arguments (a literal path, a shell-style glob when the shell did not expand
/// it, or `-`) into sources, checking every file exists and has a known format.
pub fn sources(args: &InputArgs) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    let mut stdin_used = false;
    for arg in &args.files {
        if arg == "-" {
            if stdin_used {
                bail!("`-` (standard input) can be given only once");
            }
            stdin_used = true;
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("could not read standard input")?;
            let format = args.input_format.map(Format::from).unwrap_or(Format::Csv);
            out.push(Source {
                display: "-".into(),
                format,
                stdin: Some(Buffer::from(buf)),
            });
            continue;
        }
        let paths = expand(arg)?;
        for path in paths {
            let format = match args.input_format {
                Some(f) => Format::from(f),
                None => Format::from_path(Path::new(&path))?,
            };
            out.push(Source {
                display: path,
                format,
                stdin: None,
            });
        }
    }
    Ok(out)
}

fn expand(arg: &str) -> Result<Vec<String>> {
    let is_glob = arg.contains(['*', '?', '[']);
    if !is_glob || Path::new(arg).exists() {
        let meta = std::fs::metadata(arg).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => anyhow::anyhow!("{arg}: no such file"),
            _ => anyhow::anyhow!("{arg}: cannot read: {e}"),
        })?;
        if meta.is_dir() {
            bail!("{arg}: is a directory; give the files in it, e.g. '{arg}/*.parquet'");
        }
        return Ok(vec![arg.to_string()]);
    }
    let mut found: Vec<String> = glob_paths(arg)?;
    if found.is_empty() {
        bail!("{arg}: no file matches this pattern");
    }
    found.sort();
    Ok(found)
}

/// A small glob (`*`, `?` within one path component; `**` for any depth) for shells that pass
/// patterns through unexpanded (Windows, quoted arguments).
fn glob_paths(pattern: &str) -> Result<Vec<String>> {
    let (base, rest) = match pattern.find(['*', '?', '[']) {
        Some(i) => match pattern[..i].rfind('/') {
            Some(slash) => (&pattern[..slash], &pattern[slash + 1..]),
            None => (".", pattern),
        },
        None => (".", pattern),
    };
    let parts: Vec<&str> = rest.split('/').collect();
    let mut out = Vec::new();
    walk(
        Path::new(base),
        &parts,
        base == "." && !pattern.starts_with("./"),
        &mut out,
    );
    Ok(out)
}

fn walk(dir: &Path, parts: &[&str], strip_dot: bool, out: &mut Vec<String>) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = entry.path();
        let is_dir = path.is_dir();
        if *first == "**" {
            if is_dir {
                walk(&path, parts, strip_dot, out);
            }
            walk_one(&path, &name, rest, is_dir, strip_dot, out);
        } else {
            walk_one(&path, &name, parts, is_dir, strip_dot, out);
        }
    }
}

fn walk_one(
    path: &Path,
    name: &str,
    parts: &[&str],
    is_dir: bool,
    strip: bool,
    out: &mut Vec<String>,
) {
    let Some((first, rest)) = parts.split_first() else {
        return;
    };
    if !wildcard(first.as_bytes(), name.as_bytes()) {
        return;
    }
    if rest.is_empty() {
        if !is_dir {
            let s = path.to_string_lossy();
            let s = if strip {
                s.trim_start_matches("./").to_string()
            } else {
                s.into_owned()
            };
            out.push(s);
        }
    } else if is_dir {
        walk(path, rest, strip, out);
    }
}

/// `*` and `?` matching of one path component.
fn wildcard(pat: &[u8], s: &[u8]) -> bool {
    match (pat.first(), s.first()) {
        (None, None) => true,
        (Some(b'*'), _) => wildcard(&pat[1..], s) || (!s.is_empty() && wildcard(pat, &s[1..])),
        (Some(b'?'), Some(_)) => wildcard(&pat[1..], &s[1..]),
        (Some(a), Some(b)) if a == b => wildcard(&pat[1..], &s[1..]),
        _ => false,
    }
}

impl Source {
    /// Opens the source lazily: nothing but the schema (and for CSV the header) is read here.
    pub fn open(&self) -> Result<Opened> {
        let d = &self.display;
        let mut duplicate_headers = Vec::new();
        let mut frame = match self.format {
            Format::Csv | Format::Tsv => {
                let sep = if self.format == Format::Tsv {
                    b'\t'
                } else {
                    b','
                };
                let header = self.csv_header(sep)?;
                let mut reader = match &self.stdin {
                    Some(buf) => LazyCsvReader::new_with_sources(ScanSources::Buffers(Arc::new([
                        buf.clone(),
                    ]))),
                    None => LazyCsvReader::new(PlRefPath::from(d.as_str())),
                }
                .with_separator(sep)
                .with_has_header(true)
                .with_infer_schema_length(Some(10_000))
                .with_raise_if_empty(true);
                if let Some((names, dups)) = dedup_header(&header) {
                    duplicate_headers = dups;
                    reader = reader.with_column_names_overwrite(
                        names
                            .into_iter()
                            .map(PlSmallStr::from)
                            .collect::<Vec<_>>()
                            .into(),
                    );
                }
                reader.finish()
            }
            Format::Parquet => {
                // One file at a time, read as written: polars' hive partitioning would add the
                // `key=value` directories of the path as columns (and, for values that look
                // like dates, needs date types this build leaves out). `--summary` reports them.
                let mut args = ScanArgsParquet::default();
                args.hive_options.enabled = Some(false);
                LazyFrame::scan_parquet(PlRefPath::from(d.as_str()), args)
            }
            Format::NdJson => match &self.stdin {
                Some(buf) => {
                    LazyJsonLineReader::new_with_sources(ScanSources::Buffers(Arc::new([
                        buf.clone()
                    ])))
                }
                None => LazyJsonLineReader::new(PlRefPath::from(d.as_str())),
            }
            .with_infer_schema_length(std::num::NonZeroUsize::new(10_000))
            .finish(),
            Format::Json => {
                let lines = self.json_lines()?;
                LazyJsonLineReader::new_with_sources(ScanSources::Buffers(Arc::new([
                    Buffer::from(lines),
                ])))
                .with_infer_schema_length(std::num::NonZeroUsize::new(10_000))
                .finish()
            }
            Format::Ipc => {
                let mut unified = UnifiedScanArgs::default();
                unified.hive_options.enabled = Some(false);
                LazyFrame::scan_ipc(PlRefPath::from(d.as_str()), Default::default(), unified)
            }
        }
        .map_err(|e| self.read_error(e))?;
        let schema = frame.collect_schema().map_err(|e| self.read_error(e))?;
        if schema.is_empty() {
            bail!("{d}: the file has no columns (is it empty?)");
        }
        Ok(Opened {
            frame,
            schema,
            duplicate_headers,
        })
    }

    /// The raw bytes of the source (the file, or what standard input held).
    pub fn bytes(&self) -> Result<Vec<u8>> {
        match &self.stdin {
            Some(buf) => Ok(buf.as_slice().to_vec()),
            None => std::fs::read(&self.display)
                .with_context(|| format!("{}: cannot read", self.display)),
        }
    }

    /// A JSON source's top-level values: a JSON array gives its elements, anything else the
    /// values one after another (RewardBench writes pretty-printed objects back to back).
    pub fn json_values(&self) -> Result<Vec<serde_json::Value>> {
        let bytes = self.bytes()?;
        let d = &self.display;
        let mut out = Vec::new();
        let stream = serde_json::Deserializer::from_slice(&bytes).into_iter::<serde_json::Value>();
        for (i, v) in stream.enumerate() {
            match v {
                Ok(serde_json::Value::Array(items)) => out.extend(items),
                Ok(v) => out.push(v),
                Err(e) => bail!(
                    "{d}: not valid JSON at line {} column {} (value {}): {e}",
                    e.line(),
                    e.column(),
                    i + 1
                ),
            }
        }
        if out.is_empty() {
            bail!("{d}: the file holds no JSON value");
        }
        Ok(out)
    }

    /// The records of a JSON source as NDJSON (one object per line) for polars.
    fn json_lines(&self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        for (i, v) in self.json_values()?.into_iter().enumerate() {
            if !v.is_object() {
                bail!(
                    "{}: value {} is not a JSON object (a record); expected records like {{\"id\": 1, ...}}",
                    self.display,
                    i + 1
                );
            }
            serde_json::to_writer(&mut out, &v)?;
            out.push(b'\n');
        }
        Ok(out)
    }

    /// The CSV header as raw names, read with the `csv` crate (polars renames duplicates silently).
    fn csv_header(&self, sep: u8) -> Result<Vec<String>> {
        let d = &self.display;
        let rdr: Box<dyn Read> = match &self.stdin {
            Some(buf) => Box::new(std::io::Cursor::new(buf.as_slice().to_vec())),
            None => Box::new(std::fs::File::open(d).with_context(|| format!("{d}: cannot open"))?),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(sep)
            .has_headers(false)
            .flexible(true)
            .from_reader(rdr);
        match rdr.records().next() {
            None => bail!("{d}: the file is empty (no header line)"),
            Some(Err(e)) => bail!("{d}: cannot read the header line: {e}"),
            Some(Ok(rec)) => Ok(rec.iter().map(|s| s.to_string()).collect()),
        }
    }

    /// Turns a polars error into one clear line naming the file; for CSV parse errors, finds the
    /// first malformed line with the `csv` crate (only on this error path).
    pub fn read_error(&self, e: PolarsError) -> anyhow::Error {
        let d = &self.display;
        let msg = first_line(&e.to_string());
        if matches!(self.format, Format::Csv | Format::Tsv) {
            if msg.contains("empty CSV") || msg.contains("empty file") {
                return anyhow::anyhow!("{d}: the file is empty (no header line)");
            }
            if let Some(line) = self.first_ragged_line() {
                return anyhow::anyhow!("{d}: {line}; fix or remove that line");
            }
        }
        if let PolarsError::IO { .. } = e {
            return anyhow::anyhow!("{d}: cannot read: {msg}");
        }
        anyhow::anyhow!("{d}: cannot read as {}: {msg}", self.format.name())
    }

    fn first_ragged_line(&self) -> Option<String> {
        let sep = if self.format == Format::Tsv {
            b'\t'
        } else {
            b','
        };
        let rdr: Box<dyn Read> = match &self.stdin {
            Some(buf) => Box::new(std::io::Cursor::new(buf.as_slice().to_vec())),
            None => Box::new(std::fs::File::open(&self.display).ok()?),
        };
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(sep)
            .has_headers(true)
            .flexible(false)
            .from_reader(rdr);
        let width = rdr.headers().ok()?.len();
        for rec in rdr.records() {
            match rec {
                Ok(_) => {}
                Err(e) => {
                    let line = e.position().map(|p| p.line()).unwrap_or(0);
                    return Some(match e.kind() {
                        csv::ErrorKind::UnequalLengths { len, .. } => {
                            format!("line {line} has {len} fields but the header has {width}")
                        }
                        _ => format!("line {line} is malformed: {e}"),
                    });
                }
            }
        }
        None
    }
}

/// When a header repeats names, returns the new names (`x#1`, `x#2` for every repeated `x`) and
/// the repeated names; `None` when all names are distinct.
fn dedup_header(header: &[String]) -> Option<(Vec<String>, Vec<String>)> {
    let mut count = std::collections::HashMap::<&str, usize>::new();
    for h in header {
        *count.entry(h.as_str()).or_default() += 1;
    }
    let mut dups: Vec<String> = count
        .iter()
        .filter(|(_, &c)| c > 1)
        .map(|(k, _)| k.to_string())
        .collect();
    if dups.is_empty() {
        return None;
    }
    dups.sort();
    let mut seen = std::collections::HashMap::<&str, usize>::new();
    let names = header
        .iter()
        .map(|h| {
            if count[h.as_str()] > 1 {
                let k = seen.entry(h.as_str()).or_default();
                *k += 1;
                format!("{h}#{k}")
            } else {
                h.clone()
            }
        })
        .collect();
    Some((names, dups))
}

pub fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or("").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dedup_renames_every_occurrence() {
        let h: Vec<String> = ["a", "b", "a", "c", "b", "a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let (names, dups) = dedup_header(&h).unwrap();
        assert_eq!(names, ["a#1", "b#1", "a#2", "c", "b#2", "a#3"]);
        assert_eq!(dups, ["a", "b"]);
        assert!(dedup_header(&h[..2]).is_none());
    }

    #[test]
    fn wildcard_matches_components() {
        assert!(wildcard(b"*.csv", b"x.csv"));
        assert!(wildcard(b"run?.csv", b"run1.csv"));
        assert!(!wildcard(b"*.csv", b"x.parquet"));
        assert!(wildcard(b"*", b""));
    }
}
