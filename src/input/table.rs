//! A small helper shared by the loaders that read a few columns whole (reward kinds, rankings,
//! counterfactual pairs): open an input, resolve each role's column (the flag's value, else the
//! first of a list of usual names), read the chosen columns once.

use anyhow::{bail, Result};
use polars::prelude::*;

use super::{detect_column, resolve_column, Opened, Source};

pub struct Table<'a> {
    pub source: &'a Source,
    opened: Opened,
    exprs: Vec<Expr>,
    /// Flags whose column was found by its name.
    pub detected: Vec<String>,
}

/// The columns of a read table, by the aliases given to [`Table::number`] / [`Table::text`].
pub struct Frame {
    df: DataFrame,
    pub rows: usize,
}

impl<'a> Table<'a> {
    pub fn open(source: &'a Source) -> Result<Table<'a>> {
        Ok(Table {
            source,
            opened: source.open()?,
            exprs: Vec::new(),
            detected: Vec::new(),
        })
    }

    /// What opening the file noted (e.g. the rows `--skip-bad-rows` skipped), one line each.
    pub fn notes(&self) -> Vec<String> {
        self.opened.warnings.clone()
    }

    /// The type of column `name` in the file (a resolved name).
    pub fn dtype(&self, name: &str) -> Option<DataType> {
        self.opened.schema.get(name).cloned()
    }

    pub fn has(&self, names: &[&str]) -> bool {
        detect_column(&self.opened.schema, names).is_some()
    }

    fn available(&self) -> String {
        self.opened
            .schema
            .iter_names()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// The column for `flag`: the given name (checked, with "did you mean"), else the first of
    /// `names` present; `None` when neither and not `required`.
    pub fn column(
        &mut self,
        given: Option<&str>,
        flag: &str,
        names: &[&str],
        required: bool,
    ) -> Result<Option<String>> {
        let d = &self.source.display;
        if let Some(c) = given {
            return Ok(Some(resolve_column(
                &self.opened.schema,
                c,
                flag,
                d,
                &self.opened.duplicate_headers,
            )?));
        }
        match detect_column(&self.opened.schema, names) {
            Some(c) => {
                self.detected.push(flag.to_string());
                Ok(Some(c))
            }
            None if required => bail!(
                "{d}: no column for {flag}; pass {flag} COL (looked for {}). Available columns: {}",
                names.join(", "),
                self.available()
            ),
            None => Ok(None),
        }
    }

    /// Reads `name` as numbers under `alias`.
    pub fn number(&mut self, name: &str, flag: &str, alias: &str) -> Result<()> {
        let e = self
            .source
            .typing(&self.opened.schema)
            .number(name, flag, alias)?;
        self.exprs.push(e);
        Ok(())
    }

    /// Reads `name` as a 0/1 flag (numbers, booleans, true/false text) under `alias`.
    pub fn flag(&mut self, name: &str, flag: &str, alias: &str) -> Result<()> {
        let e = self
            .source
            .typing(&self.opened.schema)
            .flag(name, flag, alias)?;
        self.exprs.push(e);
        Ok(())
    }

    /// Reads `name` as text under `alias`.
    pub fn text(&mut self, name: &str, alias: &str) {
        let e = self.source.typing(&self.opened.schema).text(name, alias);
        self.exprs.push(e);
    }

    pub fn read(self) -> Result<Frame> {
        let df = self.source.collect(self.opened.frame.select(self.exprs))?;
        if df.height() == 0 {
            bail!(
                "{}: the file has a header but no data rows",
                self.source.display
            );
        }
        Ok(Frame {
            rows: df.height(),
            df,
        })
    }
}

impl Frame {
    pub fn numbers(&self, alias: &str) -> Result<Vec<Option<f64>>> {
        Ok(self
            .df
            .column(alias)?
            .as_materialized_series()
            .f64()?
            .iter()
            .map(|v| v.filter(|x| !x.is_nan()))
            .collect())
    }

    pub fn texts(&self, alias: &str) -> Result<Vec<Option<String>>> {
        Ok(self
            .df
            .column(alias)?
            .as_materialized_series()
            .str()?
            .iter()
            .map(|s| s.map(str::to_string))
            .collect())
    }
}
