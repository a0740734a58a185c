//! Input formats and their detection from file extensions.

use std::path::Path;

use anyhow::{bail, Result};

use clap::ValueEnum;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Csv,
    Tsv,
    Parquet,
    NdJson,
    /// A JSON array of records, one record, or records one after another.
    Json,
    Ipc,
}

impl Format {
    /// Detects the format from the extension (case-insensitive; a trailing `.gz` is not supported).
    pub fn from_path(path: &Path) -> Result<Format> {
        let ext = path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        Ok(match ext.as_str() {
            "csv" | "txt" => Format::Csv,
            "tsv" | "tab" => Format::Tsv,
            "parquet" | "pq" => Format::Parquet,
            "jsonl" | "ndjson" => Format::NdJson,
            "json" => Format::Json,
            "arrow" | "ipc" | "feather" => Format::Ipc,
            "" => bail!(
                "{}: cannot tell the format (no extension); pass --input-format csv|tsv|parquet|ndjson|json|ipc",
                path.display()
            ),
            other => bail!(
                "{}: unknown extension '.{other}'; use .csv, .tsv, .parquet, .jsonl/.ndjson, .json or .arrow/.ipc, or pass --input-format",
                path.display()
            ),
        })
    }

    /// The format of bytes with no name (standard input): Parquet (`PAR1`), Arrow IPC
    /// (`ARROW1`), JSON (records as lines, one after another, or in an array) when the bytes
    /// start with a JSON value that parses, else CSV.
    pub fn sniff(bytes: &[u8]) -> Format {
        let text = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
        if bytes.starts_with(b"PAR1") {
            Format::Parquet
        } else if bytes.starts_with(b"ARROW1") {
            Format::Ipc
        } else {
            // JSON only when its first value parses (a CSV header may start with `[` or `{`);
            // objects are read by the JSON reader, which takes JSON lines and RewardBench's
            // back-to-back objects alike.
            let starts_json = matches!(
                text.iter().find(|b| !b.is_ascii_whitespace()),
                Some(b'{') | Some(b'[')
            );
            let first_value_parses = || {
                serde_json::Deserializer::from_slice(text)
                    .into_iter::<serde::de::IgnoredAny>()
                    .next()
                    .is_some_and(|v| v.is_ok())
            };
            if starts_json && first_value_parses() {
                Format::Json
            } else {
                Format::Csv
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Csv => "CSV",
            Format::Tsv => "TSV",
            Format::Parquet => "Parquet",
            Format::NdJson => "NDJSON",
            Format::Json => "JSON",
            Format::Ipc => "Arrow IPC",
        }
    }
}

/// The formats `--input-format` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    Csv,
    Tsv,
    Parquet,
    Ndjson,
    /// A JSON array of records, or JSON objects one after another (RewardBench's result files).
    Json,
    Ipc,
}

impl From<InputFormat> for Format {
    fn from(f: InputFormat) -> Self {
        match f {
            InputFormat::Csv => Format::Csv,
            InputFormat::Tsv => Format::Tsv,
            InputFormat::Parquet => Format::Parquet,
            InputFormat::Ndjson => Format::NdJson,
            InputFormat::Json => Format::Json,
            InputFormat::Ipc => Format::Ipc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_by_extension() {
        assert_eq!(Format::from_path(Path::new("a.CSV")).unwrap(), Format::Csv);
        assert_eq!(
            Format::from_path(Path::new("a.b.parquet")).unwrap(),
            Format::Parquet
        );
        assert_eq!(
            Format::from_path(Path::new("x.jsonl")).unwrap(),
            Format::NdJson
        );
        assert_eq!(Format::sniff(b"PAR1\x15\x04"), Format::Parquet);
        assert_eq!(Format::sniff(b"ARROW1\0\0"), Format::Ipc);
        assert_eq!(Format::sniff(b"  {\"a\": 1}\n{\"a\": 2}\n"), Format::Json);
        assert_eq!(Format::sniff(b"[group],y\na,1\n"), Format::Csv);
        assert_eq!(Format::sniff(b"[{\"a\": 1}]"), Format::Json);
        assert_eq!(Format::sniff(b"a,b\n1,2\n"), Format::Csv);
        let e = Format::from_path(Path::new("x.xlsx"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown extension '.xlsx'"), "{e}");
    }
}
