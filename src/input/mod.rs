//! Files → polars `LazyFrame`s: format detection, stdin, messy CSV headers, and column
//! resolution with "did you mean" errors. Shared by every engine.

mod columns;
pub mod csv_check;
mod format;
mod ipc_check;
pub mod roles;
pub mod row_groups;
pub mod table;

pub use columns::{closest_name, detect_column, resolve_column};
pub use format::{Format, InputFormat};

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use polars::prelude::*;
use polars_buffer::Buffer;

/// The spellings read as a missing value in every role, as pandas' `read_csv` reads them by
/// default (its `na_values` list), plus R's `NA`. The empty field is always missing.
pub const DEFAULT_NA_VALUES: &[&str] = &[
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
];

/// [`DEFAULT_NA_VALUES`] as owned strings (side files read with the defaults).
pub static DEFAULT_NA: std::sync::LazyLock<Vec<String>> =
    std::sync::LazyLock::new(|| DEFAULT_NA_VALUES.iter().map(|s| s.to_string()).collect());

/// How files are read: the format (else told by the extension or, on standard input, by the
/// bytes), the missing-value spellings and what to do with malformed CSV rows.
#[derive(Debug, Clone)]
pub struct ReadOptions {
    /// `--input-format`: every input read as this format.
    pub format: Option<Format>,
    /// Values read as missing (exact, case-sensitive), in every role and format.
    pub na_values: Arc<Vec<String>>,
    /// Skip (and count) CSV rows whose number of fields differs from the header's, instead of
    /// failing.
    pub skip_bad_rows: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            format: None,
            na_values: Arc::new(DEFAULT_NA.clone()),
            skip_bad_rows: false,
        }
    }
}

impl ReadOptions {
    /// Whether `v` is one of the missing spellings.
    pub fn is_na(&self, v: &str) -> bool {
        self.na_values.iter().any(|n| n == v)
    }
}

/// One input: a file on disk or standard input, with the format it is read as.
#[derive(Debug, Clone)]
pub struct Source {
    /// What the user typed (`-` for standard input); used in every message and report.
    pub display: String,
    pub format: Format,
    pub options: ReadOptions,
    stdin: Option<Buffer<u8>>,
}

/// An opened input: its lazy scan and the names of its columns, in file order.
pub struct Opened {
    pub frame: LazyFrame,
    pub schema: SchemaRef,
    /// Header names that occur more than once in a CSV header; they are renamed `name#1`,
    /// `name#2`, ... and selecting the plain name is an error.
    pub duplicate_headers: Vec<String>,
    /// What reading noticed and the report should say (skipped malformed rows).
    pub warnings: Vec<String>,
}

/// One named file (a side input such as an allocation or a rewards table), format from its
/// extension; errors as for the main inputs.
pub fn source(path: &str) -> Result<Source> {
    source_with(path, &ReadOptions::default())
}

/// One named file read with `read`'s options (format, missing spellings, malformed rows).
pub fn source_with(path: &str, read: &ReadOptions) -> Result<Source> {
    let mut s = sources(&[path.to_string()], read)?;
    Ok(s.remove(0))
}

/// Expands the FILE arguments (a literal path, a shell-style glob when the shell did not expand
/// it, or `-`) into sources, checking every file exists and has a known format.
pub fn sources(files: &[String], options: &ReadOptions) -> Result<Vec<Source>> {
    let mut out = Vec::new();
    for path in paths(files)? {
        if path == "-" {
            let mut buf = Vec::new();
            std::io::stdin()
                .read_to_end(&mut buf)
                .context("could not read standard input")?;
            // Without --input-format, the bytes say: Parquet and Arrow IPC by their magic
            // numbers, JSON lines by a leading `{`, a JSON array by `[`, else CSV.
            let format = options.format.unwrap_or_else(|| Format::sniff(&buf));
            out.push(Source {
                display: "-".into(),
                format,
                options: options.clone(),
                stdin: Some(Buffer::from(buf)),
            });
            continue;
        }
        let format = match options.format {
            Some(f) => f,
            None => Format::from_path(Path::new(&path))?,
        };
        out.push(Source {
            display: path,
            format,
            options: options.clone(),
            stdin: None,
        });
    }
    Ok(out)
}

/// The files the arguments name, for inputs that are not tables (pabulib elections): each path
/// as given, each quoted glob expanded by fairaudit (sorted; a pattern matching nothing is an
/// error naming it), `-` (standard input) kept, at most once.
pub fn paths(files: &[String]) -> Result<Vec<String>> {
    let mut out = Vec::new();
    let mut stdin_used = false;
    for arg in files {
        if arg == "-" {
            if stdin_used {
                bail!("`-` (standard input) can be given only once");
            }
            stdin_used = true;
            out.push(arg.clone());
            continue;
        }
        out.extend(expand(arg)?);
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
            // `**` descends into real folders only: a link to a folder above would loop.
            let real_dir = entry.file_type().is_ok_and(|t| t.is_dir());
            if real_dir {
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
    /// Opens the source lazily: nothing but the schema (and for CSV a check of every row's
    /// shape) is read here. A panic inside the readers (an Arrow type polars cannot take)
    /// becomes an error naming the file.
    pub fn open(&self) -> Result<Opened> {
        guard(&self.display, || self.open_inner())
    }

    fn open_inner(&self) -> Result<Opened> {
        let d = &self.display;
        self.sniff()?;
        let mut duplicate_headers = Vec::new();
        let mut warnings = Vec::new();
        let na: Vec<PlSmallStr> = self
            .options
            .na_values
            .iter()
            .map(|s| PlSmallStr::from(s.as_str()))
            .collect();
        let mut frame = match self.format {
            Format::Csv | Format::Tsv => {
                let sep = self.separator()?;
                if sep != b',' && self.format == Format::Csv {
                    warnings.push(format!(
                        "read as {}-separated: the header line has no comma",
                        if sep == b';' { "semicolon" } else { "tab" }
                    ));
                }
                let header = self.csv_header(sep)?;
                let cleaned = self.check_csv(sep, &mut warnings)?;
                let buffer = cleaned.or_else(|| self.stdin.clone());
                // Every column as text: a column's type is decided by the role a command gives
                // it (input::roles), never by its first rows.
                let mut reader = match buffer {
                    Some(buf) => {
                        LazyCsvReader::new_with_sources(ScanSources::Buffers(Arc::new([buf])))
                    }
                    None => LazyCsvReader::new(PlRefPath::from(d.as_str())),
                }
                .with_separator(sep)
                // The path is a file (fairaudit expands patterns itself): `[` in a name is text.
                .with_glob(false)
                .with_has_header(true)
                .with_infer_schema_length(Some(0))
                .with_null_values(Some(NullValues::AllColumns(na.clone())))
                .with_missing_is_null(true)
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
                args.glob = false;
                match &self.stdin {
                    Some(buf) => LazyFrame::scan_parquet_sources(
                        ScanSources::Buffers(Arc::new([buf.clone()])),
                        args,
                    ),
                    None => LazyFrame::scan_parquet(PlRefPath::from(d.as_str()), args),
                }
            }
            // Types from every record, not the first 10,000: a key first seen late, or a value
            // whose type changes, is read.
            // A UTF-8 byte-order mark (Windows tools write one) is dropped first.
            Format::NdJson => match (&self.stdin, self.starts_with_bom()?) {
                (Some(buf), false) => {
                    LazyJsonLineReader::new_with_sources(ScanSources::Buffers(Arc::new([
                        buf.clone()
                    ])))
                }
                (None, false) => LazyJsonLineReader::new(PlRefPath::from(d.as_str())),
                (_, true) => {
                    let bytes = self.bytes()?;
                    LazyJsonLineReader::new_with_sources(ScanSources::Buffers(Arc::new([
                        Buffer::from(bytes[3..].to_vec()),
                    ])))
                }
            }
            .with_infer_schema_length(None)
            .finish(),
            Format::Json => {
                let lines = self.json_lines()?;
                LazyJsonLineReader::new_with_sources(ScanSources::Buffers(Arc::new([
                    Buffer::from(lines),
                ])))
                .with_infer_schema_length(None)
                .finish()
            }
            Format::Ipc if self.ipc_unreadable_columns()? => {
                let (df, left_out) = match guard(d, || self.read_ipc_without_unreadable()) {
                    Ok(r) => r,
                    Err(_) => {
                        // The IPC reader cannot even skip some types (sparse unions).
                        let fields = self.ipc_fields()?;
                        let bad: Vec<String> = fields
                            .iter()
                            .filter(|f| !readable_field(f))
                            .map(|f| format!("'{}' ({})", f.name, arrow_type_name(&f.dtype)))
                            .collect();
                        bail!(
                            "{d}: column {} has an Arrow type that polars (and so fairaudit) cannot read, not even to skip it; drop or cast it before auditing (pyarrow: table.drop_columns([...]))",
                            bad.join(", ")
                        );
                    }
                };
                warnings.push(format!(
                    "left out {} (Arrow types polars cannot read); a command that needs them cannot use this file as it is",
                    left_out
                        .iter()
                        .map(|(n, t)| format!("column '{n}' ({t})"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
                Ok(df.lazy())
            }
            Format::Ipc => {
                let mut unified = UnifiedScanArgs::default();
                unified.hive_options.enabled = Some(false);
                unified.glob = false;
                match &self.stdin {
                    Some(buf) => LazyFrame::scan_ipc_sources(
                        ScanSources::Buffers(Arc::new([buf.clone()])),
                        Default::default(),
                        unified,
                    ),
                    None => LazyFrame::scan_ipc(
                        PlRefPath::from(d.as_str()),
                        Default::default(),
                        unified,
                    ),
                }
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
            warnings,
        })
    }

    /// Refuses, in the user's terms, bytes that are not what the format says: an empty
    /// Parquet / IPC file, a compressed file under a text name, the IPC stream format, and a
    /// damaged IPC file whose lengths would make polars allocate without bound.
    fn sniff(&self) -> Result<()> {
        let d = &self.display;
        let mut head = [0u8; 8];
        let n = {
            let mut r = self.reader()?;
            let mut n = 0;
            while n < head.len() {
                match r.read(&mut head[n..]) {
                    Ok(0) => break,
                    Ok(k) => n += k,
                    Err(e) => bail!("{d}: cannot read: {e}"),
                }
            }
            n
        };
        let head = &head[..n];
        if let Some(kind) = compressed_kind(head) {
            bail!(
                "{d}: the file is {kind}-compressed; decompress it first (e.g. `{}`) and read the result",
                match kind {
                    "gzip" => "gunzip -k FILE",
                    "zstd" => "zstd -d FILE",
                    "bzip2" => "bunzip2 -k FILE",
                    "xz" => "unxz -k FILE",
                    _ => "unzip FILE",
                }
            );
        }
        let other = if head.starts_with(b"PAR1") {
            Some("parquet")
        } else if head.starts_with(b"ARROW1") {
            Some("ipc")
        } else {
            None
        };
        match self.format {
            Format::Parquet | Format::Ipc if n == 0 => {
                bail!("{d}: the file is empty (0 bytes); write it again")
            }
            Format::Ipc if head.starts_with(&[0xFF, 0xFF, 0xFF, 0xFF]) => bail!(
                "{d}: this is the Arrow IPC stream format; fairaudit reads the IPC file format (Feather v2): write it with pyarrow.feather.write_feather or pyarrow.ipc.new_file, or polars' write_ipc"
            ),
            Format::Ipc => {
                let damage = match &self.stdin {
                    Some(buf) => ipc_check::damage(&mut std::io::Cursor::new(buf.as_slice())),
                    None => std::fs::File::open(d)
                        .ok()
                        .and_then(|mut f| ipc_check::damage(&mut f)),
                };
                if let Some(what) = damage {
                    bail!("{d}: not a valid Arrow IPC file: {what} (the file is damaged or cut short); write it again");
                }
            }
            Format::NdJson | Format::Json if other.is_none() => {
                // polars' JSON reader recurses per nesting level: a value nested thousands of
                // levels deep overflows its stack and stops the process.
                let bytes = self.bytes()?;
                if let Some((line, depth)) = too_deep(&bytes, MAX_JSON_DEPTH) {
                    bail!(
                        "{d}: line {line} nests values more than {MAX_JSON_DEPTH} levels deep ({depth} or more); fairaudit cannot read such a file: flatten or drop that value"
                    );
                }
            }
            Format::Csv | Format::Tsv | Format::NdJson | Format::Json => {
                if let Some(f) = other {
                    bail!(
                        "{d}: this is a {} file, not {}; pass --input-format {f}{}",
                        if f == "parquet" { "Parquet" } else { "Arrow IPC" },
                        self.format.name(),
                        if self.stdin.is_some() { "" } else { " or give it its extension" }
                    );
                }
            }
            _ => {}
        }
        Ok(())
    }

    /// Where data row `row` (0-based among the rows read) is, for messages: `line N` of a CSV
    /// / TSV file (the header is line 1), else `row N`; with `--skip-bad-rows` the rows read
    /// are no longer the file's lines, so `row N` there too.
    pub fn place(&self, row: usize) -> String {
        match self.format {
            Format::Csv | Format::Tsv if !self.options.skip_bad_rows => format!("line {}", row + 2),
            _ => format!("row {}", row + 1),
        }
    }

    /// Runs `f` (a read of this source's data), turning a panic of the readers into one line:
    /// for Parquet and IPC, damaged data.
    pub fn guard<T>(&self, f: impl FnOnce() -> Result<T>) -> Result<T> {
        let d = &self.display;
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
            Ok(r) => r,
            Err(payload) => {
                let msg = first_line(&panic_message(payload.as_ref()));
                // 256-bit decimals open but cannot be decoded.
                if self.format == Format::Ipc {
                    let wide: Vec<String> = self
                        .ipc_fields()
                        .unwrap_or_default()
                        .iter()
                        .filter(|f| matches!(f.dtype, ArrowDataType::Decimal256(..)))
                        .map(|f| format!("'{}'", f.name))
                        .collect();
                    if !wide.is_empty() {
                        return Err(anyhow::anyhow!(
                            "{d}: column {} is a 256-bit decimal, which polars cannot decode; cast it to decimal128 (precision up to 38) or float64 when writing the file",
                            wide.join(", ")
                        ));
                    }
                }
                Err(match self.format {
                    Format::Parquet | Format::Ipc => anyhow::anyhow!(
                        "{d}: not a valid {} file: its data is damaged (the reader stopped on inconsistent data); write it again",
                        self.format.name()
                    ),
                    _ => anyhow::anyhow!("{d}: the reader failed on this file ({msg})"),
                })
            }
        }
    }

    /// How this source's columns are typed by role (see [`roles`]), with its missing spellings.
    pub fn typing<'a>(&'a self, schema: &'a Schema) -> roles::Typing<'a> {
        let text_done = matches!(self.format, Format::Csv | Format::Tsv);
        roles::Typing {
            schema,
            file: &self.display,
            na_text: if text_done {
                Vec::new()
            } else {
                self.options.na_values.iter().cloned().collect()
            },
            na_numbers: self
                .options
                .na_values
                .iter()
                .filter_map(|v| v.trim().parse::<f64>().ok())
                .filter(|x| x.is_finite())
                .collect(),
        }
    }

    /// Collects `frame` (built on this source), with polars errors and panics as one line.
    pub fn collect(&self, frame: LazyFrame) -> Result<DataFrame> {
        self.guard(|| frame.collect().map_err(|e| self.read_error(e)))
    }

    /// The IPC file's fields with the Arrow type of each (read from the footer).
    fn ipc_fields(&self) -> Result<Vec<polars_arrow::datatypes::Field>> {
        use polars_arrow::io::ipc::read::read_file_metadata;
        let meta = match &self.stdin {
            Some(buf) => read_file_metadata(&mut std::io::Cursor::new(buf.as_slice())),
            None => read_file_metadata(
                &mut std::fs::File::open(&self.display)
                    .with_context(|| format!("{}: cannot open", self.display))?,
            ),
        }
        .map_err(|e| self.read_error(e))?;
        Ok(meta.schema.iter_values().cloned().collect())
    }

    /// Whether a column's Arrow type is one polars cannot take (a union, say): such a file is
    /// read without those columns.
    fn ipc_unreadable_columns(&self) -> Result<bool> {
        Ok(self.ipc_fields()?.iter().any(|f| !readable_field(f)))
    }

    /// Reads an IPC file without the columns polars cannot take (in memory: polars' scan
    /// converts every column's type first). Returns the frame and the (name, type) left out.
    fn read_ipc_without_unreadable(&self) -> Result<(DataFrame, Vec<(String, String)>)> {
        use polars_arrow::io::ipc::read::{read_file_metadata, FileReader};
        let d = &self.display;
        let fields = self.ipc_fields()?;
        let keep: Vec<usize> = (0..fields.len())
            .filter(|&i| readable_field(&fields[i]))
            .collect();
        let left_out = fields
            .iter()
            .filter(|f| !readable_field(f))
            .map(|f| (f.name.to_string(), arrow_type_name(&f.dtype)))
            .collect();
        let bytes = self.bytes()?;
        let mut cursor = std::io::Cursor::new(&bytes[..]);
        let meta = read_file_metadata(&mut cursor).map_err(|e| self.read_error(e))?;
        let reader = FileReader::new(cursor, meta, Some(keep.clone()), None);
        let mut chunks: Vec<Vec<ArrayRef>> = vec![Vec::new(); keep.len()];
        for batch in reader {
            let batch = batch.map_err(|e| self.read_error(e))?;
            for (k, a) in batch.into_arrays().into_iter().enumerate() {
                chunks[k].push(a);
            }
        }
        let mut columns = Vec::new();
        for (k, &i) in keep.iter().enumerate() {
            let s = Series::try_from((&fields[i], std::mem::take(&mut chunks[k])))
                .map_err(|e| self.read_error(e))?;
            columns.push(s.into_column());
        }
        let height = columns.first().map_or(0, |c| c.len());
        let df = DataFrame::new(height, columns)
            .map_err(|e| anyhow::anyhow!("{d}: cannot read: {e}"))?;
        Ok((df, left_out))
    }

    fn starts_with_bom(&self) -> Result<bool> {
        let mut head = [0u8; 3];
        let n = self.reader()?.read(&mut head).unwrap_or(0);
        Ok(n == 3 && head == [0xEF, 0xBB, 0xBF])
    }

    /// The field separator: a tab for TSV; for CSV a comma, unless the header line has no
    /// comma (outside quotes) but semicolons or tabs (Excel in locales with a decimal comma
    /// writes `;`; a tab-separated file saved as `.csv` or `.txt`).
    fn separator(&self) -> Result<u8> {
        if self.format == Format::Tsv {
            return Ok(b'\t');
        }
        let mut head = Vec::new();
        self.reader()?
            .take(1 << 16)
            .read_to_end(&mut head)
            .with_context(|| format!("{}: cannot read", self.display))?;
        let (mut in_quotes, mut counts) = (false, [0usize; 3]);
        let text = head.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&head);
        let start = text
            .iter()
            .position(|b| !matches!(b, b'\n' | b'\r'))
            .unwrap_or(0);
        for &b in &text[start..] {
            match b {
                b'"' => in_quotes = !in_quotes,
                b'\n' | b'\r' if !in_quotes => break,
                b',' if !in_quotes => counts[0] += 1,
                b';' if !in_quotes => counts[1] += 1,
                b'\t' if !in_quotes => counts[2] += 1,
                _ => {}
            }
        }
        Ok(match counts {
            [0, s, t] if s > 0 && s >= t => b';',
            [0, _, t] if t > 0 => b'\t',
            _ => b',',
        })
    }

    fn reader(&self) -> Result<Box<dyn Read + '_>> {
        Ok(match &self.stdin {
            Some(buf) => Box::new(buf.as_slice()),
            None => Box::new(
                std::fs::File::open(&self.display)
                    .with_context(|| format!("{}: cannot open", self.display))?,
            ),
        })
    }

    /// Checks every CSV record's field count and the encoding (one pass over the bytes).
    /// A malformed row is an error naming its line, or with `--skip-bad-rows` is left out: then
    /// the cleaned text is returned for polars to read, and a warning says what was skipped.
    fn check_csv(&self, sep: u8, warnings: &mut Vec<String>) -> Result<Option<Buffer<u8>>> {
        let d = &self.display;
        let keep = if self.options.skip_bad_rows {
            usize::MAX
        } else {
            1
        };
        let mut shape = csv_check::scan(std::io::BufReader::new(self.reader()?), sep, keep)
            .with_context(|| format!("{d}: cannot read"))?;
        // Lines that end in CR alone (classic Mac OS, Excel's "CSV (Macintosh)"): read with CR
        // as the line break.
        let mut text: Option<Vec<u8>> = None;
        if shape.lf == 0 && shape.lone_cr > 0 {
            let mut b = self.bytes()?;
            for x in b.iter_mut() {
                if *x == b'\r' {
                    *x = b'\n';
                }
            }
            shape =
                csv_check::scan(&b[..], sep, keep).with_context(|| format!("{d}: cannot read"))?;
            warnings.push(
                "lines end in CR alone (a classic Mac / Excel \"CSV (Macintosh)\" file): read with CR as the line break".into(),
            );
            text = Some(b);
        }
        if let Some((line, _, byte)) = shape.bad_utf8 {
            bail!(
                "{d}: line {line} is not UTF-8 text (byte 0x{byte:02X}); the file is in another encoding (Latin-1 or Windows-1252?): re-save it as UTF-8, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.utf8.csv`"
            );
        }
        if let Some(line) = shape.open_quote {
            bail!(
                "{d}: the quoted field opened on line {line} is never closed (a stray \" ?); fix that line"
            );
        }
        if let Some(line) = shape.stray_quote {
            bail!(
                "{d}: line {line}: a value holds a quote but is not quoted (like 5'11\" or 12\" pizza); in CSV such a value is quoted and its quote doubled (\"5'11\"\"\"): fix that line, or write the file with quoting"
            );
        }
        if let Some(line) = shape.text_after_quote {
            bail!(
                "{d}: line {line}: a quoted value is followed by more text (like \"x\"y, or a quote escaped with a backslash as in \"a\\\"b\"); in CSV a quote inside a quoted value is doubled (\"a\"\"b\"): fix that line"
            );
        }
        let what = |r: &csv_check::Ragged| {
            format!(
                "line {} has {} field{} but the header has {}",
                r.line,
                r.fields,
                if r.fields == 1 { "" } else { "s" },
                shape.header_fields
            )
        };
        if shape.ragged_count > 0 && !self.options.skip_bad_rows {
            let first = &shape.ragged[0];
            let more = match shape.ragged_count {
                1 => String::new(),
                n => format!(" ({} malformed rows in all)", n),
            };
            bail!(
                "{d}: {}{more}: an unquoted separator inside a value, or a cut-off line; quote or fix it, or pass --skip-bad-rows to leave such rows out",
                what(first)
            );
        }
        // What polars must not see: skipped malformed rows and blank lines (it would read a
        // blank line as a row of missing values).
        let mut drop: Vec<(u64, u64)> = shape.blank.clone();
        drop.extend(shape.ragged.iter().map(|r| (r.start, r.end)));
        if drop.is_empty() {
            return Ok(text.map(Buffer::from));
        }
        drop.sort_unstable();
        let bytes = match text {
            Some(b) => b,
            None => self.bytes()?,
        };
        let mut out = Vec::with_capacity(bytes.len());
        let mut at = 0usize;
        for (start, end) in drop {
            out.extend_from_slice(&bytes[at..start as usize]);
            at = end as usize;
        }
        out.extend_from_slice(&bytes[at..]);
        if shape.ragged_count > 0 {
            let lines: Vec<String> = shape
                .ragged
                .iter()
                .take(10)
                .map(|r| r.line.to_string())
                .collect();
            warnings.push(format!(
                "skipped {} malformed row{} (--skip-bad-rows; wrong number of fields) at line{} {}{}",
                shape.ragged_count,
                if shape.ragged_count == 1 { "" } else { "s" },
                if shape.ragged_count == 1 { "" } else { "s" },
                lines.join(", "),
                if shape.ragged_count > 10 { ", ..." } else { "" }
            ));
        }
        Ok(Some(Buffer::from(out)))
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
        let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes);
        let d = &self.display;
        let mut out = Vec::new();
        let stream = serde_json::Deserializer::from_slice(bytes).into_iter::<serde_json::Value>();
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
        if let Some(lines) = self.json_columns()? {
            return Ok(lines);
        }
        // Validate (and give serde's line / column on an error) first; then copy each record's
        // own text, so that numbers keep their digits (an id wider than 64 bits is not
        // rounded through a float).
        let bytes = self.bytes()?;
        let records = json_records(&bytes);
        if records.is_empty() || records.iter().any(|r| !r.starts_with(b"{")) {
            // Not records: serde's reading says where and what (a value that is not an
            // object, or invalid JSON).
            for (i, v) in self.json_values()?.iter().enumerate() {
                if !v.is_object() {
                    bail!(
                        "{}: value {} is not a JSON object (a record); expected records like {{\"id\": 1, ...}}",
                        self.display,
                        i + 1
                    );
                }
            }
        }
        let mut out = Vec::with_capacity(bytes.len() + records.len());
        for record in records {
            out.extend(
                record
                    .iter()
                    .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b }),
            );
            out.push(b'\n');
        }
        Ok(out)
    }

    /// A column-oriented JSON file — one object whose values are lists of one length, as
    /// RewardBench's `run_rm.py` saves per-prompt scores and pandas' `to_json(orient="list")`
    /// writes — as records (one per list position; other values repeated). `None` when the file
    /// is not one such object.
    fn json_columns(&self) -> Result<Option<Vec<u8>>> {
        // Not parseable here (nested past serde's depth limit, say): not this shape.
        let Ok(values) = self.json_values() else {
            return Ok(None);
        };
        let [serde_json::Value::Object(o)] = &values[..] else {
            return Ok(None);
        };
        let lens: Vec<usize> = o
            .values()
            .filter_map(|v| v.as_array().map(Vec::len))
            .collect();
        let n = match lens.first() {
            Some(&n) if lens.len() >= 2 && n >= 1 && lens.iter().all(|&l| l == n) => n,
            _ => return Ok(None),
        };
        let mut out = Vec::new();
        for i in 0..n {
            let record: serde_json::Map<String, serde_json::Value> = o
                .iter()
                .map(|(k, v)| {
                    let x = match v {
                        serde_json::Value::Array(a) => a[i].clone(),
                        other => other.clone(),
                    };
                    (k.clone(), x)
                })
                .collect();
            serde_json::to_writer(&mut out, &record)?;
            out.push(b'\n');
        }
        Ok(Some(out))
    }

    /// The CSV header as raw names, read with the `csv` crate (polars renames duplicates silently).
    fn csv_header(&self, sep: u8) -> Result<Vec<String>> {
        let d = &self.display;
        let mut rdr = csv::ReaderBuilder::new()
            .delimiter(sep)
            .has_headers(false)
            .flexible(true)
            .from_reader(self.reader()?);
        match rdr.records().next() {
            None => bail!("{d}: the file is empty (no header line)"),
            Some(Err(e)) => match e.kind() {
                csv::ErrorKind::Utf8 { .. } => bail!(
                    "{d}: the header line is not UTF-8 text; re-save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.utf8.csv`"
                ),
                _ => bail!("{d}: cannot read the header line: {e}"),
            },
            Some(Ok(rec)) => Ok(rec.iter().map(|s| s.to_string()).collect()),
        }
    }

    /// Turns a polars error into one clear line naming the file (and the column and value where
    /// the error says which), in the user's terms and with what to do.
    pub fn read_error(&self, e: PolarsError) -> anyhow::Error {
        let d = &self.display;
        let full = e.to_string();
        let msg = first_line(&full);
        let lower = full.to_lowercase();
        if matches!(self.format, Format::Csv | Format::Tsv)
            && (msg.contains("empty CSV") || msg.contains("empty file"))
        {
            return anyhow::anyhow!("{d}: the file is empty (no header line)");
        }
        if let Some(m) = self.conversion_error(&full) {
            return m;
        }
        if lower.contains("precision must be between") {
            return anyhow::anyhow!(
                "{d}: a decimal column has more than 38 digits of precision (BigQuery BIGNUMERIC, decimal256), which polars cannot read; cast it to FLOAT64 or NUMERIC(38) when exporting"
            );
        }
        if lower.contains("delta dictionar") {
            return anyhow::anyhow!(
                "{d}: the file uses delta dictionaries (pyarrow's emit_dictionary_deltas=True), which polars cannot read; write it without them, or as Parquet"
            );
        }
        if lower.contains("dictionary key must fit") {
            return anyhow::anyhow!(
                "{d}: a categorical (dictionary) column has missing values stored in a way polars' reader refuses (pandas' to_feather writes categories with NaN so); write the file as Parquet instead (df.to_parquet), which reads"
            );
        }
        if matches!(self.format, Format::Csv | Format::Tsv)
            && (lower.contains("malformed") || lower.contains("more fields"))
        {
            return anyhow::anyhow!(
                "{d}: the rows do not split into the header's columns (a stray quote or separator?); check the quoting, or pass --skip-bad-rows to leave out rows with the wrong number of fields"
            );
        }
        if (lower.contains("utf-8") || lower.contains("utf8"))
            && !matches!(self.format, Format::Parquet | Format::Ipc)
        {
            return anyhow::anyhow!(
                "{d}: not UTF-8 text; re-save the file as UTF-8, e.g. `iconv -f latin1 -t utf-8 FILE > FILE.utf8`"
            );
        }
        let access = lower.contains("permission denied")
            || lower.contains("no such file")
            || lower.contains("is a directory");
        if matches!(self.format, Format::Parquet | Format::Ipc) && !access {
            let what = if lower.contains("utf-8") || lower.contains("utf8") {
                "a text column holds bytes that are not UTF-8 (was it written as text from binary data?)"
            } else {
                "its structure or data is damaged (cut short while writing, or not this format)"
            };
            return anyhow::anyhow!(
                "{d}: not a valid {} file: {what}; write it again, or pass --input-format if it is another format",
                self.format.name()
            );
        }
        match self.format {
            Format::Parquet
                if lower.contains("out of spec")
                    || lower.contains("out-of-spec")
                    || lower.contains("footer")
                    || lower.contains("magic")
                    || lower.contains("thrift")
                    || lower.contains("file size") =>
            {
                return anyhow::anyhow!(
                    "{d}: not a valid Parquet file (its footer or metadata is missing or damaged: cut short while writing, or not Parquet at all); write it again, or pass --input-format if it is another format"
                )
            }
            Format::Ipc
                if lower.contains("out of spec")
                    || lower.contains("out-of-spec")
                    || lower.contains("footer")
                    || lower.contains("magic")
                    || lower.contains("flatbuffer")
                    || lower.contains("ipc") =>
            {
                return anyhow::anyhow!(
                    "{d}: not a valid Arrow IPC (Feather v2) file (its footer or schema is missing or damaged); write it again with pyarrow.feather.write_feather or polars' write_ipc, or pass --input-format if it is another format"
                )
            }
            Format::NdJson | Format::Json if lower.contains("supertype") => {
                let keys = self.mixed_json_keys();
                let which = if keys.is_empty() {
                    "a key holds".to_string()
                } else {
                    format!("key {} holds", keys.join(", "))
                };
                return anyhow::anyhow!(
                    "{d}: {which} values of kinds that do not mix (nested objects or lists in some records, plain values in others); polars cannot read such a key even when it is not used: make it hold one kind of value, or drop it"
                );
            }
            Format::NdJson | Format::Json if !matches!(e, PolarsError::IO { .. }) => {
                return self.json_line_error().unwrap_or_else(|| {
                    anyhow::anyhow!("{d}: not valid JSON lines (one JSON object per line): {msg}")
                })
            }
            _ => {}
        }
        if let PolarsError::IO { .. } = e {
            return anyhow::anyhow!("{d}: cannot read: {msg}");
        }
        anyhow::anyhow!("{d}: cannot read as {}: {msg}", self.format.name())
    }

    /// A failed strict cast of text to numbers: names the column, the value and its row.
    fn conversion_error(&self, full: &str) -> Option<anyhow::Error> {
        let d = &self.display;
        let rest = full.split("conversion from `str` to `").nth(1)?;
        let column = rest
            .split("in column '")
            .nth(1)?
            .split('\'')
            .next()?
            .to_string();
        let value = rest
            .split(": [\"")
            .nth(1)
            .and_then(|v| v.split('"').next())
            .map(|v| v.to_string());
        let row = value.as_deref().and_then(|v| self.row_of(&column, v));
        let at = match row {
            Some(r) if matches!(self.format, Format::Csv | Format::Tsv) => {
                if self.options.skip_bad_rows {
                    format!(" in data row {r} of the rows kept by --skip-bad-rows")
                } else {
                    format!(" in data row {r}")
                }
            }
            Some(r) => format!(" in row {r}"),
            None => String::new(),
        };
        Some(match value {
            Some(v) if v.contains(',') && v.replacen(',', ".", 1).parse::<f64>().is_ok() => anyhow::anyhow!(
                "{d}: column '{column}' has '{v}'{at}, a number with a decimal comma; write numbers with a decimal point (in a spreadsheet, export with '.' as the decimal separator)"
            ),
            Some(v) if v.trim().parse::<f64>().is_ok() => anyhow::anyhow!(
                "{d}: column '{column}' has '{v}'{at}, a number with spaces around it; remove the spaces (or write the file without padding)"
            ),
            Some(v) => anyhow::anyhow!(
                "{d}: column '{column}' has '{v}'{at}, expected numbers; fix the value, or mark it missing (one of the --na-values spellings, e.g. NA)"
            ),
            None => anyhow::anyhow!(
                "{d}: column '{column}' must hold numbers but has text that is not a number; fix it, or mark missing values as NA"
            ),
        })
    }

    /// The 1-based data row where `column` first holds `value` (error path only).
    fn row_of(&self, column: &str, value: &str) -> Option<u64> {
        let opened = self.open_inner().ok()?;
        let df = opened
            .frame
            .select([col(column).cast(DataType::String).alias("v")])
            .with_row_index("__row", Some(1))
            .filter(col("v").eq(lit(value)))
            .limit(1)
            .collect()
            .ok()?;
        let r = df.column("__row").ok()?.get(0).ok()?;
        r.extract::<u64>()
    }

    /// The top-level keys whose values are objects in some records, lists in others or plain
    /// values in others (error path only; at most 5 named).
    fn mixed_json_keys(&self) -> Vec<String> {
        use serde_json::Value as J;
        let values = match self.format {
            Format::Json => self.json_values().unwrap_or_default(),
            _ => self
                .bytes()
                .unwrap_or_default()
                .split(|&b| b == b'\n')
                .filter_map(|l| serde_json::from_slice::<J>(l.trim_ascii()).ok())
                .collect(),
        };
        let mut kinds: std::collections::BTreeMap<String, u8> = Default::default();
        for v in &values {
            if let J::Object(m) = v {
                for (k, x) in m {
                    let bit = match x {
                        J::Null => 0,
                        J::Object(_) => 1,
                        J::Array(_) => 2,
                        _ => 4,
                    };
                    *kinds.entry(k.clone()).or_default() |= bit;
                }
            }
        }
        kinds
            .into_iter()
            .filter(|(_, b)| b.count_ones() > 1)
            .map(|(k, _)| format!("'{k}'"))
            .take(5)
            .collect()
    }

    /// The first line of a JSON-lines source that is not a JSON object, as an error.
    fn json_line_error(&self) -> Option<anyhow::Error> {
        let d = &self.display;
        let bytes = self.bytes().ok()?;
        for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let t = line.trim_ascii();
            if t.is_empty() {
                continue;
            }
            match serde_json::from_slice::<serde_json::Value>(t) {
                Ok(v) if v.is_object() => {}
                Ok(_) => {
                    return Some(anyhow::anyhow!(
                        "{d}: line {} is not a JSON object (a record); each line must be one object like {{\"y_true\": 1, ...}}",
                        i + 1
                    ))
                }
                Err(e) => {
                    let text = String::from_utf8_lossy(t);
                    let hint = if ["NaN", "Infinity", "-Infinity"]
                        .iter()
                        .any(|w| text.contains(&format!(":{w}")) || text.contains(&format!(": {w}")))
                    {
                        " (NaN and Infinity are not JSON, though Python's json.dumps writes them: write null, or pass allow_nan=False to find them)"
                    } else {
                        ""
                    };
                    return Some(anyhow::anyhow!(
                        "{d}: line {} is not valid JSON (column {}: {}){hint}; fix that line",
                        i + 1,
                        e.column(),
                        e
                    ));
                }
            }
        }
        None
    }
}

/// The deepest nesting of JSON objects and lists fairaudit reads.
const MAX_JSON_DEPTH: usize = 512;

/// The first line whose JSON nests deeper than `max` levels, with the depth reached.
fn too_deep(bytes: &[u8], max: usize) -> Option<(usize, usize)> {
    let (mut depth, mut line) = (0usize, 1usize);
    for (_, b) in structure(bytes) {
        match b {
            b'\n' => line += 1,
            b'{' | b'[' => {
                depth += 1;
                if depth > max {
                    return Some((line, depth));
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// The bytes of JSON text outside its strings, with their positions (the contents of strings,
/// escapes included, are skipped; a line break never occurs inside a JSON string).
fn structure(bytes: &[u8]) -> impl Iterator<Item = (usize, u8)> + '_ {
    let (mut in_string, mut escaped) = (false, false);
    bytes.iter().enumerate().filter_map(move |(i, &b)| {
        if in_string {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
            return None;
        }
        if b == b'"' {
            in_string = true;
            return None;
        }
        Some((i, b))
    })
}

/// The text of each record of valid JSON: the elements of a top-level array, or the top-level
/// values one after another (a UTF-8 BOM and whitespace between them skipped).
fn json_records(bytes: &[u8]) -> Vec<&[u8]> {
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start = None;
    // In a top-level array the records are at depth 1, otherwise at depth 0.
    let first = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let base = usize::from(first.is_some_and(|i| bytes[i] == b'['));
    for (i, b) in structure(bytes) {
        match b {
            b'{' | b'[' => {
                if depth == base && start.is_none() {
                    start = Some(i);
                }
                depth += 1;
            }
            b'}' | b']' => {
                depth = depth.saturating_sub(1);
                if depth == base {
                    if let Some(s) = start.take() {
                        out.push(&bytes[s..=i]);
                    }
                }
            }
            _ => {}
        }
    }
    out
}

// Reading notes of side files (`allocate`'s utilities, allocations, rewards), for the report
// that reads them to show: see [`take_notes`]. Kept per thread: `fairaudit run` runs several
// audits at once, each on its own thread from start to end.
thread_local! {
    static NOTES: std::cell::RefCell<Vec<(String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Keeps `warnings` of `file` for [`take_notes`].
pub fn note_all(file: &str, warnings: &[String]) {
    NOTES.with(|n| {
        n.borrow_mut()
            .extend(warnings.iter().map(|w| (file.to_string(), w.clone())))
    });
}

/// The reading notes kept so far on this thread, in order (and forgets them).
pub fn take_notes() -> Vec<(String, String)> {
    NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()))
}

/// The compression a file starts with, by its magic bytes.
fn compressed_kind(head: &[u8]) -> Option<&'static str> {
    if head.starts_with(&[0x1F, 0x8B]) {
        Some("gzip")
    } else if head.starts_with(&[0x28, 0xB5, 0x2F, 0xFD]) {
        Some("zstd")
    } else if head.starts_with(b"BZh") {
        Some("bzip2")
    } else if head.starts_with(&[0xFD, b'7', b'z', b'X', b'Z', 0]) {
        Some("xz")
    } else if head.starts_with(b"PK\x03\x04") {
        Some("zip")
    } else {
        None
    }
}

/// Whether polars can take a column of this Arrow type (its conversion panics otherwise).
fn readable_field(f: &polars_arrow::datatypes::Field) -> bool {
    std::panic::catch_unwind(|| DataType::from_arrow_field(f)).is_ok()
}

/// An Arrow type's name without its children (`Union`, `Interval(YearMonth)`).
fn arrow_type_name(dt: &ArrowDataType) -> String {
    let full = format!("{dt:?}");
    match full.find(['(', '{']) {
        Some(i) if full.starts_with("Union") || full.starts_with("Map") => {
            full[..i].trim().to_string()
        }
        _ => full,
    }
}

/// Runs `f`, turning a panic inside it (the readers panic on some Arrow types) into an error
/// that names the file. The panic hook installed by [`install_panic_hook`] keeps it quiet.
pub fn guard<T>(file: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let msg = panic_message(payload.as_ref());
            let what = if let Some(t) = msg
                .split("Arrow datatype ")
                .nth(1)
                .and_then(|t| t.split(" not supported").next())
            {
                let t = t.split(['(', '{']).next().unwrap_or(t).trim();
                format!("a column of Arrow type {t}, which fairaudit cannot read")
            } else if msg.contains("not yet implemented") || msg.contains("not implemented") {
                "a column of an Arrow type fairaudit cannot read (list view or run-end encoded)"
                    .to_string()
            } else {
                // Not a type: the bytes themselves are damaged.
                return Err(anyhow::anyhow!(
                    "{file}: the reader stopped on inconsistent data: the file is damaged or not in the format its name says; write it again, or pass --input-format"
                ));
            };
            Err(anyhow::anyhow!(
                "{file}: the file holds {what}; drop or cast that column before auditing (e.g. pyarrow: table.drop_columns([...]) or table.cast(...))"
            ))
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic".to_string()
    }
}

static LAST_PANIC: std::sync::Mutex<Option<String>> = std::sync::Mutex::new(None);

/// Replaces the default panic hook (which prints a backtrace) with one that keeps the message
/// for [`last_panic`]: readers' panics become errors through [`guard`], and `main` reports any
/// other as an internal error in one line.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let msg = panic_message(info.payload());
        let at = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(format!("{}{at}", first_line(&msg)));
        }
    }));
}

/// The message of the last panic (any thread), for the internal-error line.
pub fn last_panic() -> Option<String> {
    LAST_PANIC.lock().ok().and_then(|l| l.clone())
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
