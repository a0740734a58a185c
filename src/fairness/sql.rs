//! `fairaudit sql`: the aggregation query whose result is the statistics table of an audit —
//! per group of the sensitive attributes the confusion counts (and weights), rows read and
//! dropped — written for the engine that holds the predictions (DuckDB, PostgreSQL, Trino, Spark,
//! BigQuery). The heavy pass then runs where the data are; `fairaudit audit-fairness --from-stats
//! RESULT` finishes the audit from the few rows it returns.

use anyhow::{bail, Result};

use clap::ValueEnum;

/// The precision a score column is stored in (`fairaudit sql --score-type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScoreType {
    Float32,
    Float64,
}

/// The SQL dialects `fairaudit sql` writes (`--dialect`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SqlDialect {
    Duckdb,
    Postgres,
    Trino,
    Spark,
    Bigquery,
}

/// What the query computes, resolved by the command line ([`Query::check`]: at least one group,
/// a prediction or a score, no float32 on BigQuery).
#[derive(Debug, Clone)]
pub struct Query {
    pub dialect: SqlDialect,
    /// The table or FROM expression, used as written.
    pub table: String,
    /// `None`: a label-free query (every row counts as label 0; audit the result with
    /// `--from-stats --no-label`).
    pub label: Option<String>,
    pub pred: Option<String>,
    pub score: Option<String>,
    /// `score >= threshold` is a positive prediction; finite.
    pub threshold: f64,
    pub score_type: ScoreType,
    /// The missing-value spellings (the empty text included).
    pub na_values: Vec<String>,
    pub positive: Option<String>,
    pub pred_positive: Option<String>,
    pub weight: Option<String>,
    /// `--group` values (each may hold several columns separated by commas).
    pub groups: Vec<String>,
}

struct Dialect {
    quote: char,
    text: &'static str,
    double: &'static str,
    /// The 32-bit float type (BigQuery has none).
    real: Option<&'static str>,
    backslash_escapes: bool,
}

fn dialect(d: SqlDialect) -> Dialect {
    match d {
        SqlDialect::Duckdb | SqlDialect::Trino => Dialect {
            quote: '"',
            text: "VARCHAR",
            double: "DOUBLE",
            real: Some("REAL"),
            backslash_escapes: false,
        },
        SqlDialect::Postgres => Dialect {
            quote: '"',
            text: "VARCHAR",
            double: "DOUBLE PRECISION",
            real: Some("REAL"),
            backslash_escapes: false,
        },
        SqlDialect::Spark => Dialect {
            quote: '`',
            text: "STRING",
            double: "DOUBLE",
            real: Some("FLOAT"),
            backslash_escapes: true,
        },
        SqlDialect::Bigquery => Dialect {
            quote: '`',
            text: "STRING",
            double: "FLOAT64",
            real: None,
            backslash_escapes: true,
        },
    }
}

impl Dialect {
    fn ident(&self, name: &str) -> String {
        let q = self.quote;
        format!("{q}{}{q}", name.replace(q, &format!("{q}{q}")))
    }

    fn string(&self, s: &str) -> String {
        if self.backslash_escapes {
            format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
        } else {
            format!("'{}'", s.replace('\'', "''"))
        }
    }

    /// 1 / 0 / -1 (not binary) / NULL for a label or prediction column, as fairaudit reads it
    /// (docs/input.md): a missing spelling is NULL; with a positive value, the value itself
    /// (exact text), its number spellings (`2` also matches `2.0`) and, for a boolean spelling,
    /// every spelling of that boolean (`yes` matches `YES` and `true`); without one, 1 / 0 in
    /// those spellings and true / false / yes / no in any case.
    fn binary(&self, col: &str, positive: Option<&str>, na: &[String]) -> String {
        let c = self.ident(col);
        let raw = format!("CAST({c} AS {})", self.text);
        let text = format!("LOWER(TRIM({raw}))");
        let list = |vals: &[String]| {
            vals.iter()
                .map(|v| self.string(v))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let strings = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let trues = strings(&["1", "1.0", "true", "yes"]);
        let falses = strings(&["0", "0.0", "false", "no"]);
        let missing = format!("WHEN {c} IS NULL OR {raw} IN ({}) THEN NULL", list(na));
        match positive {
            Some(p) => {
                let mut vals = Vec::new();
                let t = p.trim();
                let numeric = t.parse::<f64>().ok().filter(|x| x.is_finite());
                match numeric {
                    // The same number in its integer and one-decimal spellings (`1`, `1.0`).
                    Some(x) if x.fract() == 0.0 && x.abs() < 1e15 => {
                        vals.push(format!("{}", x as i64));
                        vals.push(format!("{}.0", x as i64));
                    }
                    Some(_) => vals.push(t.to_string()),
                    None => {}
                }
                match crate::fairness::stats::binary_text(p) {
                    Some(1) if t.parse::<f64>().is_err() => {
                        vals.extend(["true".to_string(), "yes".to_string()])
                    }
                    Some(0) if t.parse::<f64>().is_err() => {
                        vals.extend(["false".to_string(), "no".to_string()])
                    }
                    _ => {}
                }
                let also = if vals.is_empty() {
                    String::new()
                } else {
                    format!(" OR {text} IN ({})", list(&vals))
                };
                // A class-name positive leaves numbers to the 0/1 rule, as the direct read does.
                let numbers = if numeric.is_none() {
                    format!(" WHEN {text} IN ('1', '1.0') THEN 1")
                } else {
                    String::new()
                };
                format!(
                    "CASE {missing} WHEN {raw} = {}{also} THEN 1{numbers} ELSE 0 END",
                    self.string(p)
                )
            }
            None => format!(
                "CASE {missing} WHEN {text} IN ({}) THEN 1 WHEN {text} IN ({}) THEN 0 ELSE -1 END",
                list(&trues),
                list(&falses)
            ),
        }
    }
}

const NO_GROUP: &str = "name the sensitive attributes with --group COL (repeatable)";
const NO_PREDICTION: &str =
    "give the prediction as --pred COL, or a score with --score COL [--threshold T]";
const FLOAT32_BIGQUERY: &str =
    "BigQuery has no 32-bit float type; --score-type float32 does not apply";

impl Query {
    /// The flag combinations that have no query: no group, neither or both of a prediction and a
    /// score, a float32 score on BigQuery. `cli/sql.rs` calls it when it builds the query.
    pub fn check(&self) -> Result<()> {
        if self.groups.is_empty() {
            bail!(NO_GROUP);
        }
        match (&self.pred, &self.score) {
            (None, Some(_)) => {
                if self.score_type == ScoreType::Float32 && self.dialect == SqlDialect::Bigquery {
                    bail!(FLOAT32_BIGQUERY)
                }
            }
            (Some(_), None) => {}
            _ => bail!(NO_PREDICTION),
        }
        Ok(())
    }
}

/// The statistics query (errors as [`Query::check`]).
pub fn query(a: &Query) -> Result<String> {
    a.check()?;
    let groups: Vec<String> = a
        .groups
        .iter()
        .flat_map(|g| g.split(','))
        .map(|g| g.trim().to_string())
        .filter(|g| !g.is_empty())
        .collect();
    let d = dialect(a.dialect);
    let na = &a.na_values;
    let y = match &a.label {
        Some(label) => d.binary(label, a.positive.as_deref(), na),
        None => "0".to_string(),
    };
    let p = match (&a.pred, &a.score) {
        (Some(col), None) => d.binary(
            col,
            a.pred_positive.as_deref().or(a.positive.as_deref()),
            na,
        ),
        (None, Some(s)) => {
            let c = d.ident(s);
            // A float32 column is compared with the threshold in float32, as the direct audit
            // compares it (and DuckDB / polars do with a plain literal; PostgreSQL, Trino and
            // Spark would widen the column to double).
            let t = match (a.score_type, d.real) {
                (ScoreType::Float32, Some(real)) => format!("CAST({} AS {real})", a.threshold),
                (ScoreType::Float32, None) => bail!(FLOAT32_BIGQUERY),
                (ScoreType::Float64, _) => a.threshold.to_string(),
            };
            format!("CASE WHEN {c} IS NULL THEN NULL WHEN {c} >= {t} THEN 1 ELSE 0 END")
        }
        _ => bail!(NO_PREDICTION),
    };
    let gs: Vec<String> = groups.iter().map(|g| d.ident(g)).collect();
    let mut inner = gs.clone();
    inner.push(format!("{y} AS fa_y"));
    inner.push(format!("{p} AS fa_p"));
    let weighted = a.weight.is_some();
    if let Some(w) = &a.weight {
        inner.push(format!("CAST({} AS {}) AS fa_w", d.ident(w), d.double));
    }
    let ok_w = if weighted {
        " AND fa_w IS NOT NULL"
    } else {
        ""
    };
    let alias = |s: &str| d.ident(s);
    let mut outer = gs.clone();
    outer.push(format!("COUNT(*) AS {}", alias("rows_read")));
    outer.push(format!(
        "SUM(CASE WHEN fa_y IS NULL THEN 1 ELSE 0 END) AS {}",
        alias("missing_label")
    ));
    outer.push(format!(
        "SUM(CASE WHEN fa_y IS NOT NULL AND fa_p IS NULL THEN 1 ELSE 0 END) AS {}",
        alias("missing_prediction")
    ));
    if weighted {
        outer.push(format!(
            "SUM(CASE WHEN fa_y IS NOT NULL AND fa_p IS NOT NULL AND fa_w IS NULL THEN 1 ELSE 0 END) AS {}",
            alias("missing_weight")
        ));
    }
    let bad_w = if weighted { " OR fa_w < 0" } else { "" };
    outer.push(format!(
        "SUM(CASE WHEN fa_y = -1 OR fa_p = -1{bad_w} THEN 1 ELSE 0 END) AS {}",
        alias("invalid")
    ));
    let quadrants = [("tn", 0, 0), ("fp", 0, 1), ("fn", 1, 0), ("tp", 1, 1)];
    for (name, yv, pv) in quadrants {
        outer.push(format!(
            "SUM(CASE WHEN fa_y = {yv} AND fa_p = {pv}{ok_w} THEN 1 ELSE 0 END) AS {}",
            alias(name)
        ));
    }
    if weighted {
        for (name, yv, pv) in quadrants {
            outer.push(format!(
                "SUM(CASE WHEN fa_y = {yv} AND fa_p = {pv} AND fa_w >= 0 THEN fa_w ELSE 0 END) AS {}",
                alias(&format!("w_{name}"))
            ));
        }
    }
    let name = match a.dialect {
        SqlDialect::Duckdb => "DuckDB",
        SqlDialect::Postgres => "PostgreSQL",
        SqlDialect::Trino => "Trino",
        SqlDialect::Spark => "Spark SQL",
        SqlDialect::Bigquery => "BigQuery",
    };
    Ok(format!(
        "-- fairaudit statistics query ({name}). Save its result as CSV or Parquet, then:\n\
         --   fairaudit audit-fairness --from-stats RESULT.csv\n\
         SELECT\n  {}\nFROM (\n  SELECT\n    {}\n  FROM {}\n) AS fa_rows\nGROUP BY {}\n",
        outer.join(",\n  "),
        inner.join(",\n    "),
        a.table,
        gs.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(dialect: SqlDialect) -> Query {
        Query {
            dialect,
            table: "t".into(),
            label: Some("y".into()),
            pred: None,
            score: Some("p".into()),
            threshold: 0.25,
            score_type: ScoreType::Float64,
            na_values: crate::input::DEFAULT_NA.clone(),
            positive: None,
            pred_positive: None,
            weight: Some("w".into()),
            groups: vec!["race,sex".into()],
        }
    }

    #[test]
    fn dialects_quote_cast_and_escape_their_way() {
        let duck = query(&args(SqlDialect::Duckdb)).unwrap();
        assert!(duck.contains("GROUP BY \"race\", \"sex\""), "{duck}");
        assert!(duck.contains("CAST(\"y\" AS VARCHAR)") && duck.contains("AS DOUBLE) AS fa_w"));
        assert!(duck.contains("\"p\" >= 0.25 THEN 1"));
        let spark = query(&args(SqlDialect::Spark)).unwrap();
        assert!(spark.contains("GROUP BY `race`, `sex`") && spark.contains("AS STRING)"));
        let bq = query(&args(SqlDialect::Bigquery)).unwrap();
        assert!(bq.contains("AS FLOAT64) AS fa_w"));
        let pg = query(&args(SqlDialect::Postgres)).unwrap();
        assert!(pg.contains("AS DOUBLE PRECISION) AS fa_w"));
        // A quote in a name or a value is escaped, never closes the literal.
        let mut a = args(SqlDialect::Duckdb);
        a.groups = vec!["o\"dd".into()];
        a.score = None;
        a.pred = Some("yhat".into());
        a.positive = Some("it's".into());
        let q = query(&a).unwrap();
        assert!(q.contains("\"o\"\"dd\"") && q.contains("'it''s'"), "{q}");
        a.dialect = SqlDialect::Spark;
        let q = query(&a).unwrap();
        assert!(q.contains("'it\\'s'"), "{q}");
        // An integer positive value also matches its float spelling.
        a.positive = Some("2".into());
        assert!(query(&a).unwrap().contains("IN ('2', '2.0')"));
        // A float32 score compares with the threshold cast to the 32-bit type.
        let mut f = args(SqlDialect::Postgres);
        f.score_type = ScoreType::Float32;
        assert!(query(&f).unwrap().contains("\"p\" >= CAST(0.25 AS REAL)"));
        // Missing spellings are NULL, before the 0/1 rule.
        assert!(query(&a).unwrap().contains("'NA'"));
        // Flag combinations that have no query are errors, never a panic.
        f.dialect = SqlDialect::Bigquery;
        assert!(query(&f).is_err());
        a.groups.clear();
        assert!(query(&a).is_err());
        let mut b = args(SqlDialect::Trino);
        b.score = None;
        assert!(query(&b).unwrap_err().to_string().contains("--pred COL"));
    }
}
