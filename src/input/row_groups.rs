//! A Parquet file read one row group at a time, for the one-pass engines.
//!
//! polars' streaming scan reads a column that the file's Arrow schema calls a dictionary (what
//! pandas writes for a `category` column, pyarrow for `dictionary<int8, string>`) as a
//! `Categorical`: it decodes every row's text and then hashes it into the category map, which
//! costs about as much again as the rest of the read. Here the same decoder (polars-parquet's)
//! reads such a column as plain text, as it reads a string column: the dictionary page is
//! decoded once and every row is a 16-byte view into it; the passes then map each distinct
//! text to a code once (fairness/stats.rs). The values are the same either way.
//!
//! Reading a row range at a time also bounds memory: only the projected columns' chunks of the
//! row group being read are in memory (read from the file, not mapped whole), still compressed,
//! and each is decoded a slice of rows at a time (pages outside the slice are skipped), so what
//! is decoded at once is a slice, whatever the size of the file's row groups.

use std::io::{Read, Seek, SeekFrom};
use std::sync::{Arc, Mutex};

use anyhow::{anyhow, Result};
use polars::io::parquet::read::{_internal::to_deserializer, FileMetadata, ParquetReader};
use polars::prelude::*;
use polars_arrow::datatypes::{ArrowDataType, Field as ArrowField};
use polars_buffer::Buffer;
use polars_parquet::read::Filter;

use super::{Format, Source};

/// Where the file's bytes are: a file on disk (read by range) or standard input (in memory).
enum Bytes {
    File(Mutex<std::fs::File>),
    Memory(Buffer<u8>),
}

/// The row groups of one Parquet input and the fields a pass reads from each.
pub struct RowGroups {
    bytes: Bytes,
    metadata: Arc<FileMetadata>,
    /// The projected columns, dictionaries of text as plain text (see the module's doc).
    fields: Vec<ArrowField>,
}

impl RowGroups {
    /// The row groups of `source` with `columns` projected; `None` when the input is not
    /// Parquet or a column is nested or absent (the caller then uses polars' scan).
    pub fn open(source: &Source, columns: &[PlSmallStr]) -> Result<Option<RowGroups>> {
        if source.format != Format::Parquet {
            return Ok(None);
        }
        let (bytes, metadata, schema) = match &source.stdin {
            Some(buf) => {
                let mut r = ParquetReader::new(std::io::Cursor::new(buf.as_slice()));
                let md = r.get_metadata().map_err(|e| source.read_error(e))?.clone();
                let schema = r.schema().map_err(|e| source.read_error(e))?;
                (Bytes::Memory(buf.clone()), md, schema)
            }
            None => {
                let open = || {
                    std::fs::File::open(&source.display)
                        .map_err(|e| anyhow!("{}: cannot open: {e}", source.display))
                };
                let mut r = ParquetReader::new(open()?);
                let md = r.get_metadata().map_err(|e| source.read_error(e))?.clone();
                let schema = r.schema().map_err(|e| source.read_error(e))?;
                (Bytes::File(Mutex::new(open()?)), md, schema)
            }
        };
        let mut fields = Vec::with_capacity(columns.len());
        for c in columns {
            let Some(field) = schema.get(c.as_str()) else {
                return Ok(None);
            };
            let leaves = metadata
                .row_groups
                .first()
                .and_then(|rg| rg.columns_under_root_iter(c.as_str()))
                .map_or(0, |it| it.len());
            if !metadata.row_groups.is_empty() && leaves != 1 {
                return Ok(None);
            }
            let mut field = field.clone();
            if let ArrowDataType::Dictionary(_, values, _) = &field.dtype {
                if matches!(
                    values.as_ref(),
                    ArrowDataType::Utf8View | ArrowDataType::Utf8 | ArrowDataType::LargeUtf8
                ) {
                    field = ArrowField::new(field.name.clone(), ArrowDataType::Utf8View, true);
                }
            }
            fields.push(field);
        }
        Ok(Some(RowGroups {
            bytes,
            metadata,
            fields,
        }))
    }

    /// The number of row groups.
    pub fn len(&self) -> usize {
        self.metadata.row_groups.len()
    }

    /// The number of rows of the file (its footer's count).
    pub fn rows(&self) -> usize {
        self.metadata.num_rows
    }

    /// Whether the file has no row groups.
    pub fn is_empty(&self) -> bool {
        self.metadata.row_groups.is_empty()
    }

    /// Row group `i`: the compressed bytes of its projected columns, read from the file.
    pub fn row_group(&self, i: usize) -> PolarsResult<RowGroup<'_>> {
        let rg = &self.metadata.row_groups[i];
        let mut chunks = Vec::with_capacity(self.fields.len());
        for f in &self.fields {
            let idxs = rg
                .columns_idxs_under_root_iter(f.name.as_str())
                .ok_or_else(|| polars_err!(ColumnNotFound: "{}", f.name))?;
            let mut parts = Vec::with_capacity(idxs.len());
            for &k in idxs {
                parts.push((k, self.chunk(rg.parquet_columns()[k].byte_range())?));
            }
            chunks.push(parts);
        }
        Ok(RowGroup {
            file: self,
            index: i,
            chunks,
        })
    }
    /// The bytes of one column chunk.
    fn chunk(&self, range: std::ops::Range<u64>) -> PolarsResult<Buffer<u8>> {
        match &self.bytes {
            Bytes::Memory(b) => Ok(b.clone().sliced(range.start as usize..range.end as usize)),
            Bytes::File(f) => {
                let mut f = f.lock().expect("file lock");
                let mut v = vec![0u8; (range.end - range.start) as usize];
                f.seek(SeekFrom::Start(range.start))?;
                f.read_exact(&mut v)?;
                Ok(Buffer::from(v))
            }
        }
    }
}

/// One row group's projected columns, still compressed; decoded a row range at a time.
pub struct RowGroup<'a> {
    file: &'a RowGroups,
    index: usize,
    /// Per projected field: (index of the column chunk in the row group, its bytes).
    chunks: Vec<Vec<(usize, Buffer<u8>)>>,
}

impl RowGroup<'_> {
    /// The row group's number of rows.
    pub fn rows(&self) -> usize {
        self.file.metadata.row_groups[self.index].num_rows()
    }

    /// Rows `range` of the projected columns.
    /// Pages wholly outside the range are skipped without being decompressed.
    pub fn decode(&self, range: std::ops::Range<usize>) -> PolarsResult<DataFrame> {
        let rg = &self.file.metadata.row_groups[self.index];
        let height = range.len();
        // One column after the other: the caller decodes on a thread of its own while another
        // counts, and may itself run on a rayon worker (several inputs at once), so no rayon
        // here (a worker blocked on this thread's slices would wait for itself).
        let columns = self
            .chunks
            .iter()
            .zip(self.file.fields.iter())
            .map(|(parts, field)| {
                let parts = parts
                    .iter()
                    .map(|(k, bytes)| (&rg.parquet_columns()[*k], bytes.clone()))
                    .collect();
                // Always a range, the whole row group's too: a column whose pages hold more
                // values than the footer's row count is read up to the count (as polars and
                // pyarrow read it), not refused.
                let filter = Some(Filter::Range(range.clone()));
                let (arrays, _) = to_deserializer(parts, field.clone(), filter)?;
                let s = Series::try_from((field, arrays))?;
                Ok(Column::from(s))
            })
            .collect::<PolarsResult<Vec<Column>>>()?;
        DataFrame::new(height, columns)
    }
}
