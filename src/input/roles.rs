//! How a column is typed for the role a command gives it. One place for every engine, so the
//! same value reads the same way whatever the file format (docs/input.md, "Column roles"):
//!
//! | role | CSV / TSV text | typed formats (Parquet, IPC, NDJSON) |
//! |---|---|---|
//! | [`category`] (sensitive attribute, subset, id) | exactly as written: `02139` ≠ `2139`, `1` ≠ `1.0` | strings, booleans, categories as they are; integers that fit 64 bits as integers; wider integers and decimals as their exact text |
//! | [`binary`] (label, prediction) | text, read by the 0/1 rule of the engine (numbers, booleans, yes/no) | booleans, numbers (as 64-bit floats), strings |
//! | [`class`] (multiclass label, prediction) | text; numbers written with a zero fraction (`3.0`) are the class `3` | integers and integral floats as integer text |
//! | [`number`] (score, weight, length, utility) | parsed as 64-bit floats; a value that is not a number is an error naming the column, value and row | any integer, float, decimal or float16 as a 64-bit float |
//!
//! CSV columns arrive as text (the reader infers no types: a column whose first rows look like
//! integers may hold decimals or words later), missing spellings already null.

use anyhow::{bail, Result};
use polars::prelude::*;

fn dtype<'a>(schema: &'a Schema, name: &str) -> &'a DataType {
    schema.get(name).expect("a resolved column")
}

/// How the columns of one opened file are typed: its schema, its name for messages, and the
/// missing spellings still to apply (text that the reader did not already turn into nulls, and
/// numbers given with --na-values).
pub struct Typing<'a> {
    pub schema: &'a Schema,
    pub file: &'a str,
    /// Text read as missing in text columns (empty for CSV: the reader did it).
    pub na_text: Vec<String>,
    /// Numbers read as missing in numeric columns (the numeric --na-values entries).
    pub na_numbers: Vec<f64>,
}

impl Typing<'_> {
    /// The column with the missing spellings turned into nulls. Text spellings only where
    /// `text` (the category, binary and class roles leave them to the pass, which checks each
    /// distinct value once instead of every row).
    fn raw_with(&self, name: &str, text: bool) -> (Expr, &DataType) {
        let dt = dtype(self.schema, name);
        let e = col(name);
        let any = |tests: Vec<Expr>| tests.into_iter().reduce(|a, b| a.or(b));
        let cond = if matches!(dt, DataType::String) {
            if !text {
                return (e, dt);
            }
            // Text spellings exactly; numeric --na-values also as numbers (`-999.0` is -999,
            // as in a typed column).
            any(self
                .na_text
                .iter()
                .map(|v| e.clone().eq(lit(v.as_str())))
                .chain(
                    self.na_numbers
                        .iter()
                        .map(|v| e.clone().cast(DataType::Float64).eq(lit(*v))),
                )
                .collect())
        } else if dt.is_integer() || dt.is_float() || dt.is_decimal() {
            any(self
                .na_numbers
                .iter()
                .map(|v| e.clone().cast(DataType::Float64).eq(lit(*v)))
                .collect())
        } else {
            None
        };
        let e = match cond {
            Some(c) => when(c).then(lit(NULL).cast(dt.clone())).otherwise(e),
            None => e,
        };
        (e, dt)
    }

    fn raw(&self, name: &str) -> (Expr, &DataType) {
        self.raw_with(name, true)
    }

    /// See [`number`]: 64-bit floats, text parsed strictly.
    pub fn number(&self, name: &str, flag: &str, alias: &str) -> Result<Expr> {
        let (e, dt) = self.raw(name);
        number(e, dt, name, flag, alias, self.file)
    }

    /// See [`flag`]: numbers, booleans and true / false text as 1 / 0.
    pub fn flag(&self, name: &str, flag_name: &str, alias: &str) -> Result<Expr> {
        let (e, dt) = self.raw(name);
        flag(e, dt, name, flag_name, alias, self.file)
    }

    /// See [`text`].
    pub fn text(&self, name: &str, alias: &str) -> Expr {
        let (e, dt) = self.raw(name);
        text(e, dt, alias)
    }

    /// See [`category`].
    pub fn category(&self, name: &str, flag: &str, alias: &str) -> Result<Expr> {
        let (e, dt) = self.raw_with(name, false);
        category(e, dt, name, flag, alias, self.file)
    }

    /// See [`binary`].
    pub fn binary(&self, name: &str, flag: &str, alias: &str) -> Result<Expr> {
        let (e, dt) = self.raw_with(name, false);
        binary(e, dt, name, flag, alias, self.file)
    }

    /// See [`class`].
    pub fn class(&self, name: &str, flag: &str, alias: &str) -> Result<Expr> {
        let (e, dt) = self.raw_with(name, false);
        class(e, dt, name, flag, alias, self.file)
    }
}

fn is_number(dt: &DataType) -> bool {
    dt.is_integer() || dt.is_float() || dt.is_decimal()
}

/// Whether a column of this type reads as numbers ([`number`] accepts it).
pub fn numeric_type(dt: &DataType) -> bool {
    is_number(dt) || dt.is_bool() || matches!(dt, DataType::Null | DataType::String)
}

/// `name` as 64-bit floats under `alias`. Text (CSV) is parsed strictly: a value that is
/// neither a number nor a missing spelling fails the read, and [`super::Source::read_error`]
/// names the column, the value and its row. Any other type (lists, structs, dates) is an error
/// here, naming the file, column and type.
fn number(e: Expr, dt: &DataType, name: &str, flag: &str, alias: &str, file: &str) -> Result<Expr> {
    Ok(match dt {
        DataType::String => e.strict_cast(DataType::Float64),
        d if is_number(d) || d.is_bool() || matches!(d, DataType::Null) => {
            e.cast(DataType::Float64)
        }
        other => bail!(
            "{file}: {flag} column '{name}' has type {}{}; expected numbers",
            type_name(other),
            if matches!(other, DataType::List(_) | DataType::Array(..)) {
                " (a list per row)"
            } else {
                ""
            }
        ),
    }
    .alias(alias))
}

/// A 0/1 flag (a correctness mark) as numbers under `alias`: [`number`], where text also
/// reads `true` / `false` and `yes` / `no` in the spellings pandas, R and spreadsheets write
/// (`True`, `TRUE`, ...) as 1 / 0, as a boolean column does.
fn flag(e: Expr, dt: &DataType, name: &str, flag: &str, alias: &str, file: &str) -> Result<Expr> {
    if dt != &DataType::String {
        return number(e, dt, name, flag, alias, file);
    }
    let any_of = |words: &[&str]| {
        words
            .iter()
            .map(|w| e.clone().eq(lit(*w)))
            .reduce(|a, b| a.or(b))
            .expect("words")
    };
    let yes = any_of(&["true", "True", "TRUE", "yes", "Yes", "YES"]);
    let no = any_of(&["false", "False", "FALSE", "no", "No", "NO"]);
    let rest = when(yes.clone().or(no.clone()))
        .then(lit(NULL).cast(DataType::String))
        .otherwise(e.clone())
        .strict_cast(DataType::Float64);
    Ok(when(yes)
        .then(lit(1.0))
        .when(no)
        .then(lit(0.0))
        .otherwise(rest)
        .alias(alias))
}

/// `name` as text under `alias`, each value exactly as written: integers (any width) and
/// decimals print exactly, floats by Rust's shortest round-trip form, booleans as
/// `true` / `false`.
fn text(e: Expr, dt: &DataType, alias: &str) -> Expr {
    match dt {
        DataType::String | DataType::Null => e,
        _ => e.cast(DataType::String),
    }
    .alias(alias)
}

/// A sensitive attribute (or any grouping column) under `alias`: a category whose values are
/// kept exactly. Strings, booleans and categories stay as they are (the pass maps category
/// ids), integers that fit in 64 bits become `Int64`, floats `Float64`; 64-bit unsigned
/// integers, 128-bit integers and decimals become their exact text (a cast to `Int64` would
/// turn ids ≥ 2^63 into missing values).
fn category(
    e: Expr,
    dt: &DataType,
    name: &str,
    flag: &str,
    alias: &str,
    file: &str,
) -> Result<Expr> {
    Ok(match dt {
        DataType::Boolean | DataType::String | DataType::Null | DataType::Int64 => e,
        DataType::UInt64 | DataType::Int128 | DataType::UInt128 => e.cast(DataType::String),
        d if d.is_decimal() => e.cast(DataType::String),
        d if d.is_integer() => e.cast(DataType::Int64),
        // Floats as polars writes them in CSV (`1.0`, `0.1` for a float32 0.1), so a group
        // reads the same from Parquet as from the CSV pandas or polars writes of it.
        d if d.is_float() => e.cast(DataType::String),
        d if d.is_categorical() || d.is_enum() => e,
        other => bail!(
            "{file}: {flag} column '{name}' has type {}; expected text, integers, booleans or categories",
            type_name(other)
        ),
    }
    .alias(alias))
}

/// A binary label or prediction under `alias`: booleans and text stay (the engine reads text
/// by its 0/1 rule), numbers become `Float64`, categories text.
fn binary(e: Expr, dt: &DataType, name: &str, flag: &str, alias: &str, file: &str) -> Result<Expr> {
    Ok(match dt {
        DataType::Boolean | DataType::String | DataType::Null => e,
        d if is_number(d) => e.cast(DataType::Float64),
        d if d.is_categorical() || d.is_enum() => e.cast(DataType::String),
        other => bail!(
            "{file}: {flag} column '{name}' has type {}; expected 0/1, true/false or class names",
            type_name(other)
        ),
    }
    .alias(alias))
}

/// A multiclass label or prediction under `alias`: class names as text, where a number with
/// a zero fraction is written as an integer (`3.0` and `3` are the class `3`, in text and in
/// numeric columns alike).
fn class(e: Expr, dt: &DataType, name: &str, flag: &str, alias: &str, file: &str) -> Result<Expr> {
    let integral_text = |x: Expr, otherwise: Expr| {
        let i = x.clone().cast(DataType::Int64);
        when(i.clone().cast(DataType::Float64).eq(x))
            .then(i.cast(DataType::String))
            .otherwise(otherwise)
    };
    Ok(match dt {
        DataType::Null => e,
        DataType::String => {
            let x = e.clone().cast(DataType::Float64);
            integral_text(x, e)
        }
        DataType::Boolean => e.cast(DataType::String),
        d if d.is_integer() => e.cast(DataType::String),
        d if d.is_float() || d.is_decimal() => {
            let x = e.cast(DataType::Float64);
            integral_text(x.clone(), x.cast(DataType::String))
        }
        d if d.is_categorical() || d.is_enum() => e.cast(DataType::String),
        other => bail!(
            "{file}: {flag} column '{name}' has type {}; expected class names or numbers",
            type_name(other)
        ),
    }
    .alias(alias))
}

/// A column type in the words a user of pandas, R or a warehouse knows.
pub fn type_name(dt: &DataType) -> String {
    match dt {
        DataType::String => "text".into(),
        DataType::Boolean => "boolean".into(),
        DataType::List(inner) => format!("list of {}", type_name(inner)),
        DataType::Array(inner, n) => format!("fixed-size list of {n} × {}", type_name(inner)),
        DataType::Struct(_) => "struct (nested record)".into(),
        DataType::Binary | DataType::BinaryOffset => "binary (bytes)".into(),
        DataType::Date => "date".into(),
        DataType::Datetime(..) => "timestamp".into(),
        DataType::Duration(_) => "duration".into(),
        DataType::Time => "time of day".into(),
        other => other.to_string(),
    }
}

/// An eagerly read column as numbers (side files: utilities, coalition values, rewards). Text
/// is parsed (surrounding spaces ignored; a missing spelling of `na` is missing); a value that
/// is not a number is an error naming the file, column, value and data row.
pub fn number_values(s: &Series, na: &[String], file: &str) -> Result<Vec<Option<f64>>> {
    let name = s.name().to_string();
    match s.dtype() {
        DataType::String => s
            .str()?
            .iter()
            .enumerate()
            .map(|(i, v)| match v {
                None => Ok(None),
                Some(t) if na.iter().any(|n| n == t) => Ok(None),
                Some(t) => match t.trim().parse::<f64>() {
                    Ok(x) => Ok(Some(x)),
                    Err(_) => bail!(
                        "{file}: column '{name}' has '{t}' in data row {}, expected numbers; fix the value, or mark it missing (NA)",
                        i + 1
                    ),
                },
            })
            .collect(),
        d if is_number(d) || d.is_bool() || matches!(d, DataType::Null) => {
            Ok(s.cast(&DataType::Float64)?.f64()?.iter().collect())
        }
        other => bail!(
            "{file}: column '{name}' has type {}; expected numbers",
            type_name(other)
        ),
    }
}

/// The threshold as the score column's own precision holds it: a float32 (or float16) score
/// is compared with the threshold rounded to that type, as numpy (NEP 50), pandas and DuckDB
/// compare a float32 column with a Python / SQL literal. Wider types: the threshold itself.
pub fn in_precision(t: f64, score_type: Option<&DataType>) -> f64 {
    match score_type {
        Some(DataType::Float32) => t as f32 as f64,
        Some(DataType::Float16) => f64::from(half_round(t)),
        _ => t,
    }
}

/// `t` rounded to the nearest float16, as an f32 (exact).
fn half_round(t: f64) -> f32 {
    let x = t as f32;
    if !x.is_finite() || x == 0.0 {
        return x;
    }
    // float16 keeps 11 significant bits (10 stored); subnormals below 2^-14 keep fewer.
    let e = x.abs().log2().floor().max(-14.0);
    let ulp = (e - 10.0).exp2();
    (x / ulp).round_ties_even() * ulp
}
