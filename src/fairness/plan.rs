//! Which columns of an input the audit uses, how they are cast, and the streaming pass over it.

use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Result};
use polars::prelude::*;

use super::stats::{Accumulator, BinarySpec, Missing, PassSpec, PredSpec, Stats};
use crate::cli::{FairnessArgs, MissingPolicy, Task};
use crate::input::{detect_column, resolve_column, Opened, Source};
use crate::report::fairness::UsedColumns as Columns;
use crate::report::Progress;

/// Names looked for when `--label` is not given, in order of preference (case-insensitive).
pub const LABEL_NAMES: &[&str] = &[
    "y_true",
    "label",
    "label_value",
    "target",
    "actual",
    "y",
    "class",
    "ground_truth",
    "truth",
];
/// Names looked for when neither `--pred` nor `--score` is given.
pub const PRED_NAMES: &[&str] = &[
    "y_pred",
    "pred",
    "prediction",
    "predicted",
    "predicted_label",
    "y_hat",
    "yhat",
    "p",
];
/// A score column used (thresholded) when no prediction column is found.
pub const SCORE_NAMES: &[&str] = &["score", "y_score", "proba", "probability"];
pub const DEFAULT_THRESHOLD: f64 = 0.5;

/// One input, ready to run.
pub struct Plan {
    pub source: Source,
    pub task: Task,
    pub columns: Columns,
    frame: LazyFrame,
    spec: PassSpec,
    strict: bool,
}

/// The result of the pass over one input.
pub struct Pass {
    pub source: Source,
    /// Binary, Regression or Multiclass (never Auto).
    pub task: Task,
    pub columns: Columns,
    pub stats: Stats,
    pub warnings: Vec<String>,
}

impl Plan {
    /// Opens the input and resolves every column flag against its schema. `task` is Binary,
    /// Regression or Multiclass (Auto runs as Binary).
    pub fn new(source: &Source, args: &FairnessArgs, task: Task) -> Result<Plan> {
        let task = if task == Task::Auto {
            Task::Binary
        } else {
            task
        };
        let Opened {
            frame,
            schema,
            duplicate_headers,
        } = source.open()?;
        let file = source.display.as_str();
        let resolve =
            |c: &str, flag: &str| resolve_column(&schema, c, flag, file, &duplicate_headers);
        let available = || {
            schema
                .iter_names()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut detected = Vec::new();

        let label = match &args.label {
            Some(c) => resolve(c, "--label")?,
            None => {
                let c = detect_column(&schema, LABEL_NAMES).ok_or_else(|| {
                    anyhow!(
                        "{file}: no label column; pass --label COL (looked for {}). Available columns: {}",
                        LABEL_NAMES.join(", "),
                        available()
                    )
                })?;
                detected.push("--label".to_string());
                c
            }
        };
        let (prediction, score, threshold) = match (&args.pred, &args.score) {
            (Some(p), s) => (
                Some(resolve(p, "--pred")?),
                s.as_deref().map(|s| resolve(s, "--score")).transpose()?,
                None,
            ),
            (None, Some(s)) => (
                None,
                Some(resolve(s, "--score")?),
                Some(args.threshold.first().copied().unwrap_or(DEFAULT_THRESHOLD)),
            ),
            (None, None) => {
                if let Some(p) = detect_column(&schema, PRED_NAMES) {
                    detected.push("--pred".to_string());
                    if !args.threshold.is_empty() {
                        bail!("{file}: --threshold needs --score COL (the prediction column '{p}' was detected)");
                    }
                    (Some(p), None, None)
                } else if let Some(s) = detect_column(&schema, SCORE_NAMES) {
                    detected.push("--score".to_string());
                    (
                        None,
                        Some(s),
                        Some(args.threshold.first().copied().unwrap_or(DEFAULT_THRESHOLD)),
                    )
                } else {
                    bail!(
                        "{file}: no prediction column; pass --pred COL, or --score COL --threshold T (looked for {}, {}). Available columns: {}",
                        PRED_NAMES.join(", "),
                        SCORE_NAMES.join(", "),
                        available()
                    );
                }
            }
        };
        if let Some(t) = threshold {
            if !t.is_finite() {
                bail!("--threshold must be a finite number, not {t}");
            }
        }
        let weight = args
            .weight
            .as_deref()
            .map(|w| resolve(w, "--weight"))
            .transpose()?;
        if args.groups.is_empty() {
            bail!(
                "{file}: pass --group COL for each sensitive attribute. Available columns: {}",
                available()
            );
        }
        let mut groups = Vec::new();
        for g in &args.groups {
            let g = resolve(g, "--group")?;
            if groups.contains(&g) {
                bail!("--group '{g}' is given twice");
            }
            groups.push(g);
        }
        let pred_col = prediction
            .as_ref()
            .or(score.as_ref())
            .expect("a prediction source");
        if *pred_col == label {
            bail!("{file}: the label and the prediction are the same column '{label}'");
        }

        if task != Task::Binary {
            let what = format!("--task {}", task_name(task));
            let Some(p) = &prediction else {
                bail!("{file}: {what} needs a prediction column (--pred COL); a --score is thresholded only for binary labels");
            };
            if score.is_some() {
                bail!("{file}: --score works with binary labels only, not with {what} (prediction '{p}')");
            }
        }

        // Internal names keep roles apart even when one column has two roles.
        let mut exprs = Vec::new();
        let mut score_col = None;
        let pred = match (&prediction, &score) {
            (Some(p), _) if task != Task::Binary => {
                let (y, yp) = if task == Task::Regression {
                    (
                        numeric_expr(&schema, &label, "--label", "__y")?,
                        numeric_expr(&schema, p, "--pred", "__p")?,
                    )
                } else {
                    (
                        class_expr(&schema, &label, "--label", "__y")?,
                        class_expr(&schema, p, "--pred", "__p")?,
                    )
                };
                exprs.push(y);
                exprs.push(yp);
                PredSpec::Column(BinarySpec {
                    column: "__p".into(),
                    display: p.clone(),
                    flag: "--pred",
                    positive: None,
                    positive_flag: "--pred-positive",
                })
            }
            (Some(p), s) => {
                exprs.push(binary_expr(&schema, &label, "--label", "__y")?);
                exprs.push(binary_expr(&schema, p, "--pred", "__p")?);
                if let Some(s) = s {
                    exprs.push(numeric_expr(&schema, s, "--score", "__s")?);
                    score_col = Some("__s".to_string());
                }
                PredSpec::Column(BinarySpec {
                    column: "__p".into(),
                    display: p.clone(),
                    flag: "--pred",
                    positive: args.pred_positive.clone().or_else(|| args.positive.clone()),
                    positive_flag: if args.pred_positive.is_some() {
                        "--pred-positive"
                    } else {
                        "--positive"
                    },
                })
            }
            (None, Some(s)) => {
                exprs.push(binary_expr(&schema, &label, "--label", "__y")?);
                exprs.push(numeric_expr(&schema, s, "--score", "__p")?);
                score_col = Some("__p".to_string());
                PredSpec::Threshold {
                    column: "__p".into(),
                    threshold: threshold.expect("threshold with score"),
                }
            }
            (None, None) => unreachable!("checked above"),
        };
        if let Some(w) = &weight {
            exprs.push(numeric_expr(&schema, w, "--weight", "__w")?);
        }
        let mut row_metrics = Vec::new();
        for (i, m) in args.row_metric.iter().enumerate() {
            let m = resolve(m, "--row-metric")?;
            exprs.push(numeric_expr(
                &schema,
                &m,
                "--row-metric",
                &format!("__m{i}"),
            )?);
            row_metrics.push(m);
        }
        for (i, g) in groups.iter().enumerate() {
            exprs.push(group_expr(&schema, g, &format!("__g{i}"))?);
        }
        // The condition is one more cell dimension, after the attributes.
        let mut condition_edges = None;
        let condition = match &args.condition {
            None => None,
            Some(c) => {
                let c = resolve(c, "--condition")?;
                if groups.contains(&c) {
                    bail!("--condition '{c}' is also a --group");
                }
                let dt = dtype_of(&schema, &c).clone();
                let expr = match args.condition_bins {
                    Some(bins) => {
                        if !(dt.is_integer() || dt.is_float()) {
                            bail!(
                                "--condition-bins needs a numeric --condition; '{c}' has type {dt}"
                            );
                        }
                        let (lo, hi) = range_of(&frame, &c).map_err(|e| source.read_error(e))?;
                        let bins = bins as usize;
                        let width = if hi > lo {
                            (hi - lo) / bins as f64
                        } else {
                            1.0
                        };
                        condition_edges = Some((0..=bins).map(|k| lo + width * k as f64).collect());
                        let k = ((col(c.as_str()).cast(DataType::Float64) - lit(lo)) / lit(width))
                            .cast(DataType::Int64);
                        when(k.clone().gt_eq(lit(bins as i64 - 1)))
                            .then(lit(bins as i64 - 1))
                            .otherwise(k)
                            .alias("__c")
                    }
                    None if dt.is_float() => {
                        bail!("--condition '{c}' is a float column; pass --condition-bins N to bin it")
                    }
                    None => group_expr(&schema, &c, "__c")?,
                };
                exprs.push(expr);
                Some(c)
            }
        };
        if condition.is_none() && args.condition_bins.is_some() {
            bail!("--condition-bins needs --condition COL");
        }
        let spec = PassSpec {
            label: BinarySpec {
                column: "__y".into(),
                display: label.clone(),
                flag: "--label",
                positive: args.positive.clone(),
                positive_flag: "--positive",
            },
            pred,
            weight: weight.as_ref().map(|_| "__w".to_string()),
            groups: (0..groups.len())
                .map(|i| format!("__g{i}"))
                .chain(condition.as_ref().map(|_| "__c".to_string()))
                .chain(
                    (task == Task::Multiclass)
                        .then(|| ["__y".to_string(), "__p".to_string()])
                        .into_iter()
                        .flatten(),
                )
                .collect(),
            missing: match args.missing {
                MissingPolicy::Group => Missing::Group,
                MissingPolicy::Drop => Missing::Drop,
                MissingPolicy::Error => Missing::Error,
            },
            max_groups: args.max_groups,
            score: score_col,
            score_resolution: args.score_resolution,
            row_metrics: (0..row_metrics.len()).map(|i| format!("__m{i}")).collect(),
            weight_display: weight.clone(),
            groups_display: groups
                .iter()
                .cloned()
                .chain(condition.clone())
                .chain(
                    (task == Task::Multiclass)
                        .then(|| {
                            [
                                format!("{label} (classes)"),
                                format!("{} (classes)", prediction.as_deref().unwrap_or("")),
                            ]
                        })
                        .into_iter()
                        .flatten(),
                )
                .collect(),
            regression: (task == Task::Regression).then(|| ("__y".into(), "__p".into())),
            classes: task == Task::Multiclass,
        };
        Ok(Plan {
            source: source.clone(),
            task,
            columns: Columns {
                label,
                prediction,
                score,
                threshold,
                weight,
                groups,
                condition,
                condition_edges,
                row_metrics,
                detected,
            },
            frame: frame.select(exprs),
            spec,
            strict: args.strict,
        })
    }

    /// Streams the input's batches through one [`Accumulator`], in row order.
    pub fn run(self, progress: &Progress) -> Result<Pass> {
        let file = self.source.display.clone();
        let state = Arc::new(Mutex::new((
            Accumulator::new(self.spec.clone()),
            None::<anyhow::Error>,
        )));
        let cb_state = state.clone();
        let bar = progress.clone();
        let callback = PlanCallback::new(move |df: DataFrame| {
            let mut guard = cb_state.lock().expect("accumulator lock");
            let (acc, err) = &mut *guard;
            if err.is_some() {
                return Ok(true);
            }
            bar.add_rows(df.height() as u64);
            match acc.add(&df) {
                Ok(()) => Ok(false),
                Err(e) => {
                    *err = Some(e);
                    Ok(true)
                }
            }
        });
        let sink = self
            .frame
            .sink_batches(callback, true, None)
            .map_err(|e| self.source.read_error(e))?;
        let ran = sink.collect_with_engine(Engine::Streaming);
        let (acc, err) = Arc::try_unwrap(state)
            .map_err(|_| anyhow!("internal error: the streaming engine kept the accumulator"))?
            .into_inner()
            .expect("accumulator lock");
        if let Some(e) = err {
            if e.downcast_ref::<super::stats::NotBinary>().is_some() {
                return Err(super::stats::NotBinary(format!("{file}: {e}")).into());
            }
            bail!("{file}: {e}");
        }
        ran.map_err(|e| self.source.read_error(e))?;
        let stats = acc.finish();

        let mut warnings = Vec::new();
        if stats.rows_read == 0 {
            bail!("{file}: the file has a header but no data rows");
        }
        let dropped = stats.dropped_list();
        if stats.rows_used() == 0 {
            bail!(
                "{file}: all {} rows were dropped ({}); nothing to audit",
                stats.rows_read,
                dropped.join(", ")
            );
        }
        if !dropped.is_empty() {
            let strict_relevant: Vec<&String> = stats
                .dropped
                .keys()
                .filter(|r| r.as_str() != "missing sensitive value (--missing drop)")
                .collect();
            if !strict_relevant.is_empty() && self.strict {
                bail!(
                    "{file}: rows with a missing value ({}); --strict forbids dropping them",
                    dropped.join(", ")
                );
            }
            warnings.extend(stats.dropped_warning());
        }
        if let Some(p) = &self.spec.label.positive {
            if !stats.label_positive_seen {
                warnings.push(format!(
                    "--positive '{p}' never occurs in the label column '{}': every row counts as a negative label",
                    self.columns.label
                ));
            }
        }
        if let PredSpec::Column(b) = &self.spec.pred {
            if let Some(p) = &b.positive {
                if !stats.pred_positive_seen {
                    warnings.push(format!(
                        "{} '{p}' never occurs in the prediction column '{}': every row counts as a negative prediction",
                        b.positive_flag,
                        self.columns.prediction.as_deref().unwrap_or("")
                    ));
                }
            }
        }
        Ok(Pass {
            source: self.source,
            task: self.task,
            columns: self.columns,
            stats,
            warnings,
        })
    }
}

/// The smallest and largest value of a numeric column (one extra scan of that column only).
fn range_of(frame: &LazyFrame, c: &str) -> PolarsResult<(f64, f64)> {
    let df = frame
        .clone()
        .select([
            col(c).cast(DataType::Float64).min().alias("lo"),
            col(c).cast(DataType::Float64).max().alias("hi"),
        ])
        .collect()?;
    let get = |n: &str| -> PolarsResult<f64> { Ok(df.column(n)?.f64()?.get(0).unwrap_or(0.0)) };
    Ok((get("lo")?, get("hi")?))
}

fn dtype_of<'a>(schema: &'a Schema, name: &str) -> &'a DataType {
    schema.get(name).expect("resolved column")
}

/// Label / prediction: integers become Int64 and floats Float64 (0/1 or the positive value),
/// categories become strings; booleans and strings stay.
fn binary_expr(schema: &Schema, name: &str, flag: &str, alias: &str) -> Result<Expr> {
    let dt = dtype_of(schema, name);
    let e = col(name);
    Ok(match dt {
        DataType::Boolean | DataType::String | DataType::Null => e,
        d if d.is_integer() || d.is_float() => e.cast(DataType::Float64),
        d if d.is_categorical() || d.is_enum() => e.cast(DataType::String),
        other => bail!(
            "{flag} column '{name}' has type {other}; expected 0/1, true/false or class names"
        ),
    }
    .alias(alias))
}

/// Multiclass label / prediction: class names as strings; integral numbers print without a
/// fraction (so a label 3 and a prediction 3.0 are the same class).
fn class_expr(schema: &Schema, name: &str, flag: &str, alias: &str) -> Result<Expr> {
    let dt = dtype_of(schema, name);
    let e = col(name);
    Ok(match dt {
        DataType::String | DataType::Null => e,
        DataType::Boolean => e.cast(DataType::String),
        d if d.is_integer() => e.cast(DataType::Int64).cast(DataType::String),
        d if d.is_float() => {
            let x = e.cast(DataType::Float64);
            let i = x.clone().cast(DataType::Int64);
            when(i.clone().cast(DataType::Float64).eq(x.clone()))
                .then(i.cast(DataType::String))
                .otherwise(x.cast(DataType::String))
        }
        d if d.is_categorical() || d.is_enum() => e.cast(DataType::String),
        other => bail!("{flag} column '{name}' has type {other}; expected class names or numbers"),
    }
    .alias(alias))
}

/// The name of a task as the --task flag spells it.
pub fn task_name(t: Task) -> &'static str {
    match t {
        Task::Auto => "auto",
        Task::Binary => "binary",
        Task::Regression => "regression",
        Task::Multiclass => "multiclass",
    }
}

fn numeric_expr(schema: &Schema, name: &str, flag: &str, alias: &str) -> Result<Expr> {
    let dt = dtype_of(schema, name);
    if !(dt.is_integer() || dt.is_float() || dt.is_bool() || matches!(dt, DataType::Null)) {
        bail!("{flag} column '{name}' has type {dt}; expected numbers");
    }
    Ok(col(name).cast(DataType::Float64).alias(alias))
}

fn group_expr(schema: &Schema, name: &str, alias: &str) -> Result<Expr> {
    let dt = dtype_of(schema, name);
    let e = col(name);
    Ok(match dt {
        DataType::Boolean | DataType::String | DataType::Null | DataType::Int64 | DataType::Float64 => e,
        d if d.is_integer() => e.cast(DataType::Int64),
        d if d.is_float() => e.cast(DataType::Float64),
        // Categories stay categorical: the pass maps their codes (no string per row).
        d if d.is_categorical() || d.is_enum() => e,
        other => bail!("--group column '{name}' has type {other}; expected strings, integers, booleans or categories"),
    }
    .alias(alias))
}

/// More distinct integer labels than this make `--task auto` choose regression.
pub const MAX_AUTO_CLASSES: usize = 20;

/// `--task auto` after a label or prediction turned out not to be binary: regression when the
/// label (or a numeric prediction) has a non-integer number or the label has more than
/// [`MAX_AUTO_CLASSES`] distinct integers, multiclass otherwise. Returns the task and why.
pub fn detect_task(source: &Source, args: &FairnessArgs) -> Result<(Task, String)> {
    let Opened {
        frame,
        schema,
        duplicate_headers,
    } = source.open()?;
    let file = source.display.as_str();
    let resolve = |c: &str, flag: &str| resolve_column(&schema, c, flag, file, &duplicate_headers);
    let label = match &args.label {
        Some(c) => resolve(c, "--label")?,
        None => detect_column(&schema, LABEL_NAMES)
            .ok_or_else(|| anyhow!("{file}: no label column; pass --label COL"))?,
    };
    let pred = match &args.pred {
        Some(p) => Some(resolve(p, "--pred")?),
        None if args.score.is_none() => detect_column(&schema, PRED_NAMES),
        None => None,
    };
    let numeric = |c: &str| {
        let dt = dtype_of(&schema, c);
        dt.is_integer() || dt.is_float()
    };
    if !numeric(&label) {
        return Ok((
            Task::Multiclass,
            format!("the label '{label}' holds class names"),
        ));
    }
    let fractional = |c: &str| {
        let x = col(c).cast(DataType::Float64);
        (x.clone() - x.cast(DataType::Int64).cast(DataType::Float64))
            .neq(lit(0.0))
            .any(true)
            .alias(format!("frac_{c}"))
    };
    let mut exprs = vec![
        fractional(&label),
        col(label.as_str())
            .drop_nulls()
            .n_unique()
            .alias("distinct"),
    ];
    let numeric_pred = pred.as_deref().filter(|p| numeric(p) && *p != label);
    if let Some(p) = numeric_pred {
        exprs.push(fractional(p));
    }
    let df = frame
        .select(exprs)
        .collect()
        .map_err(|e| source.read_error(e))?;
    let flag = |c: &str| -> bool {
        df.column(&format!("frac_{c}"))
            .ok()
            .and_then(|s| s.bool().ok().and_then(|b| b.get(0)))
            .unwrap_or(false)
    };
    let distinct = df
        .column("distinct")
        .ok()
        .and_then(|s| s.cast(&DataType::UInt64).ok())
        .and_then(|s| s.u64().ok().and_then(|u| u.get(0)))
        .unwrap_or(0) as usize;
    Ok(if flag(&label) {
        (
            Task::Regression,
            format!("the label '{label}' has non-integer numbers"),
        )
    } else if let Some(p) = numeric_pred.filter(|p| flag(p)) {
        (
            Task::Regression,
            format!("the prediction '{p}' has non-integer numbers"),
        )
    } else if distinct > MAX_AUTO_CLASSES {
        (
            Task::Regression,
            format!(
                "the label '{label}' has {distinct} distinct integers (more than {MAX_AUTO_CLASSES}; --task multiclass treats them as classes)"
            ),
        )
    } else {
        (
            Task::Multiclass,
            format!("the label '{label}' has {distinct} distinct integers"),
        )
    })
}
