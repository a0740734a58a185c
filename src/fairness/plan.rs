//! Which columns of an input the audit uses, how they are cast, and the streaming pass over it.

use std::sync::{Arc, Mutex};

use anyhow::{anyhow, bail, Result};
use polars::prelude::*;

use super::settings::{
    MissingPolicy, Preset, Settings, Task, DEFAULT_THRESHOLD, LABEL_NAMES, PRED_NAMES, SCORE_NAMES,
};
use super::stats::{Accumulator, BinarySpec, Missing, PassSpec, PredSpec, Stats};
use crate::fairness::report::{JoinCounts, OtherColumn, UsedColumns as Columns};
use crate::input::row_groups::RowGroups;
use crate::input::{detect_column, resolve_column, roles, Opened, Source};
use crate::render::Progress;

/// Rows decoded and counted at a time when a Parquet file is read a row group at a time
/// (row groups are split into slices of at most this many rows): memory holds two slices'
/// columns, whatever the file's row group size, and a slice's columns stay in the processor's
/// cache between decoding and counting (64k rows measured faster than 256k on 10^8 rows).
const SLICE_ROWS: usize = 1 << 16;

/// One input, ready to run.
pub struct Plan {
    pub source: Source,
    pub task: Task,
    pub columns: Columns,
    frame: LazyFrame,
    /// The pass's columns as expressions over the input's columns (`frame` selects them).
    exprs: Vec<Expr>,
    /// `frame` is the plain scan of the input with `exprs` selected (no row index added), so a
    /// Parquet input can be read a row group at a time ([`crate::input::row_groups`]).
    direct: bool,
    spec: PassSpec,
    strict: bool,
    /// What opening the input noticed (skipped malformed rows).
    read_warnings: Vec<String>,
    /// The score column was found by its name (not given with --score) and thresholded.
    score_detected: bool,
    score_type: Option<DataType>,
}

/// The result of the pass over one input.
pub struct Pass {
    pub source: Source,
    /// Binary, Regression or Multiclass (never Auto).
    pub task: Task,
    pub columns: Columns,
    pub stats: Stats,
    pub warnings: Vec<String>,
    /// The score column's type in the file (thresholds compare in its precision).
    pub score_type: Option<DataType>,
}

impl Plan {
    /// Opens the input and resolves every column flag against its schema. `task` is Binary,
    /// Regression or Multiclass (Auto runs as Binary).
    pub fn new(source: &Source, args: &Settings, task: Task) -> Result<Plan> {
        let task = task.resolved();
        let Opened {
            frame,
            schema,
            duplicate_headers,
            warnings: mut read_warnings,
        } = source.open()?;
        let cx = Context {
            file: source.display.as_str(),
            schema: &schema,
            duplicate_headers: &duplicate_headers,
        };
        let t = source.typing(&schema);
        let Roles {
            label,
            prediction,
            score,
            threshold,
            mut detected,
        } = cx.roles(args)?;
        // A float32 score is compared with the threshold in float32, as numpy, pandas and
        // DuckDB compare it: 0.7f32 >= 0.7 holds there (the threshold rounds to the score's
        // precision), while 0.7f32 widened to f64 is below 0.7.
        let score_precision = prediction
            .is_none()
            .then_some(score.as_deref())
            .flatten()
            .map(|s| schema.get(s).cloned().unwrap_or(DataType::Null));
        let mut threshold = threshold.map(|t| in_precision(t, score_precision.as_ref()));
        // LL144's scoring rate: selected when scoring above the whole sample's median.
        let scoring_median = match (&prediction, &score, args.preset) {
            (None, Some(s), Some(Preset::Ll144)) => {
                let x = t.number(s, "--score", "__median")?;
                let m = median_of(&frame, x).map_err(|e| source.read_error(e))?;
                let Some(m) = m else {
                    bail!("{}: the --score column '{s}' has no values: no median score for the LL144 scoring rate", cx.file);
                };
                // score > m ⇔ score ≥ the next number after m (scores are compared as f64).
                threshold = Some(m.next_up());
                Some(m)
            }
            _ => None,
        };
        let score_detected = detected.iter().any(|d| d == "--score");
        // --score without --pred makes the decisions `score >= threshold`: say so when the file
        // has a column that looks like the decisions themselves.
        if let (None, Some(s), None, None) = (&prediction, &args.score, &args.pred, &args.top) {
            if let Some(p) = detect_column(&schema, PRED_NAMES).filter(|p| p != s) {
                if scoring_rule_is_threshold(args) {
                    read_warnings.push(format!(
                        "the decisions are `{s}` >= the threshold, not the column '{p}' (it looks like decisions: pass --pred {p} to audit them, keeping --score {s} for the score metrics)"
                    ));
                }
            }
        }
        let score_type = score.as_deref().and_then(|s| schema.get(s).cloned());
        let weight = args
            .weight
            .as_deref()
            .map(|w| cx.resolve(w, "--weight"))
            .transpose()?;
        let groups = cx.groups(args)?;
        let pred_col = prediction
            .as_ref()
            .or(score.as_ref())
            .expect("a prediction source");
        if label.as_ref() == Some(pred_col) {
            bail!(
                "{}: the label and the prediction are the same column '{pred_col}'",
                cx.file
            );
        }
        if label.is_none() && task != Task::Binary {
            bail!(
                "{}: --task {} needs a label column (--label COL); a label-free audit is of binary decisions or scores",
                cx.file,
                task.name()
            );
        }
        if task != Task::Binary {
            let what = format!("--task {}", task.name());
            let Some(p) = &prediction else {
                bail!("{}: {what} needs a prediction column (--pred COL); a --score is thresholded only for binary labels", cx.file);
            };
            if score.is_some() {
                bail!(
                    "{}: --score works with binary labels only, not with {what} (prediction '{p}')",
                    cx.file
                );
            }
        }

        // Internal names keep roles apart even when one column has two roles.
        let mut exprs = Vec::new();
        let (pred, score_col) = prediction_exprs(
            &t,
            task,
            (&label, &prediction, &score, threshold),
            args,
            &mut exprs,
        )?;
        if let Some(w) = &weight {
            exprs.push(t.number(w, "--weight", "__w")?);
        }
        let mut row_metrics = Vec::new();
        for (i, m) in args.row_metric.iter().enumerate() {
            let m = cx.resolve(m, "--row-metric")?;
            exprs.push(t.number(&m, "--row-metric", &format!("__m{i}"))?);
            row_metrics.push(m);
        }
        for (i, g) in groups.iter().enumerate() {
            exprs.push(t.category(g, "--group", &format!("__g{i}"))?);
        }
        // The condition is one more cell dimension, after the attributes.
        let (condition, condition_edges) = match &args.condition {
            None => (None, None),
            Some(c) => {
                let (c, expr, edges) = condition_expr(source, &cx, &t, &frame, c, &groups, args)?;
                exprs.push(expr);
                (Some(c), edges)
            }
        };
        if condition.is_none() && args.condition_bins.is_some() {
            bail!("--condition-bins needs --condition COL");
        }
        // --within (--top-k): one more cell dimension after the condition, summed out once the
        // decisions are made (fairness/topk.rs).
        let within = match args.top.as_ref().and_then(|t| t.within.as_deref()) {
            Some(w) => {
                let w = cx.resolve(w, "--within")?;
                exprs.push(t.category(&w, "--within", "__k")?);
                Some(w)
            }
            None => None,
        };
        // --baseline / --reference-decisions: one more cell dimension each, after every other
        // (fairness/paired.rs).
        let raw_threshold = args.threshold.first().copied().unwrap_or(DEFAULT_THRESHOLD);
        let (frame, others) = other_decisions(
            source,
            &cx,
            &t,
            frame,
            args,
            prediction.is_none().then_some(raw_threshold),
            &mut exprs,
        )?;
        let columns = Columns {
            others: others.columns,
            label,
            scoring_median,
            prediction,
            score,
            // LL144's scoring rule is told by `scoring_median`, not as a threshold.
            threshold: threshold.filter(|_| scoring_median.is_none()),
            weight,
            groups,
            condition,
            condition_edges,
            row_metrics,
            detected: std::mem::take(&mut detected),
            within,
            group_thresholds: None,
        };
        let mut spec = pass_spec(source, task, &columns, pred, score_col, args);
        spec.others = others.specs;
        spec.external = others.external;
        Ok(Plan {
            source: source.clone(),
            task,
            columns,
            frame: frame.select(exprs.clone()),
            exprs,
            direct: args.paired.export_flips.is_none(),
            spec,
            strict: args.strict,
            read_warnings,
            score_detected,
            score_type,
        })
    }

    /// Streams the input's batches through one [`Accumulator`], in row order: a Parquet file a
    /// row group at a time ([`RowGroups`]: the next one is decoded while one is counted), any
    /// other input through polars' streaming engine.
    pub fn run(mut self, progress: &Progress) -> Result<Pass> {
        if self.direct {
            let mut roots: Vec<PlSmallStr> = Vec::new();
            for e in &self.exprs {
                for node in e {
                    if let Expr::Column(name) = node {
                        if !roots.contains(name) {
                            roots.push(name.clone());
                        }
                    }
                }
            }
            if let Some(groups) = RowGroups::open(&self.source, &roots)? {
                let (acc, err, ran) = self.read_row_groups(&groups, progress)?;
                return self.finish_pass(acc, err, ran);
            }
        }
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
        let frame = std::mem::take(&mut self.frame);
        let sink = frame
            .sink_batches(callback, true, None)
            .map_err(|e| self.source.read_error(e))?;
        let ran = self
            .source
            .guard(|| Ok(sink.collect_with_engine(Engine::Streaming)))?;
        let (acc, err) = Arc::try_unwrap(state)
            .map_err(|_| anyhow!("internal error: the streaming engine kept the accumulator"))?
            .into_inner()
            .expect("accumulator lock");
        self.finish_pass(acc, err, ran.map(|_| ()))
    }

    /// The pass over a Parquet file a row group at a time, each decoded in slices of about
    /// [`SLICE_ROWS`] rows: one thread decodes the next slice and evaluates the pass's
    /// expressions on it while this one counts the current one, so memory holds a row group's
    /// compressed columns and two decoded slices. Returns the accumulator, its first error and the reader's
    /// outcome.
    fn read_row_groups(
        &self,
        groups: &RowGroups,
        progress: &Progress,
    ) -> Result<(Accumulator, Option<anyhow::Error>, PolarsResult<()>)> {
        let mut acc = Accumulator::new(self.spec.clone());
        acc.expect_rows(groups.rows());
        let exprs = &self.exprs;
        self.source.guard(|| {
            Ok(std::thread::scope(|scope| {
                // A rendezvous: the reader decodes one slice ahead, no more.
                let (tx, rx) = std::sync::mpsc::sync_channel::<PolarsResult<DataFrame>>(0);
                scope.spawn(move || {
                    for i in 0..groups.len() {
                        let rg = match groups.row_group(i) {
                            Ok(rg) => rg,
                            Err(e) => {
                                let _ = tx.send(Err(e));
                                return;
                            }
                        };
                        let rows = rg.rows();
                        let slices = rows.div_ceil(SLICE_ROWS).max(1);
                        for k in 0..slices {
                            let range = rows * k / slices..rows * (k + 1) / slices;
                            let batch = rg
                                .decode(range)
                                .and_then(|raw| raw.lazy().select(exprs.clone()).collect());
                            let failed = batch.is_err();
                            // A closed channel: the pass stopped on an error.
                            if tx.send(batch).is_err() || failed {
                                return;
                            }
                        }
                    }
                });
                for batch in rx {
                    let df = match batch {
                        Ok(df) => df,
                        Err(e) => return (acc, None, Err(e)),
                    };
                    progress.add_rows(df.height() as u64);
                    if let Err(e) = acc.add(&df) {
                        return (acc, Some(e), Ok(()));
                    }
                }
                (acc, None, Ok(()))
            }))
        })
    }

    /// The pass's result from its accumulator, the first error the accumulator raised and the
    /// reader's outcome.
    fn finish_pass(
        self,
        acc: Accumulator,
        err: Option<anyhow::Error>,
        ran: PolarsResult<()>,
    ) -> Result<Pass> {
        let file = self.source.display.clone();
        let score_zero_one = acc.score_zero_one();
        let others_seen = acc.others_positive_seen();
        if let Some(e) = err {
            if e.downcast_ref::<super::stats::NotBinary>().is_some() {
                return Err(super::stats::NotBinary(format!("{file}: {e}")).into());
            }
            bail!("{file}: {e}");
        }
        ran.map_err(|e| self.source.read_error(e))?;
        let stats = acc.finish();
        if let Some(w) = &self.columns.weight {
            stats.check_weights(w).map_err(|e| anyhow!("{file}: {e}"))?;
        }

        let mut warnings = self.read_warnings;
        let mut columns = self.columns;
        // A column found by a score's name that holds only 0 and 1 is a decision (aequitas'
        // files keep the 0/1 decision in `score`): the same predictions, and no score metrics,
        // which would describe nothing (AUC = balanced accuracy, Brier = 1 - accuracy).
        if self.score_detected && score_zero_one {
            if let Some(s) = columns.score.take() {
                warnings.push(format!(
                    "'{s}' holds only 0 and 1: read as the prediction (a decision), not as a score; pass --score {s} to treat it as a probability"
                ));
                columns.prediction = Some(s);
                columns.threshold = None;
                columns.detected.retain(|d| d != "--score");
                columns.detected.push("--pred".into());
            }
        }
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
        if let Some(label) = &self.spec.label {
            if let Some(p) = &label.positive {
                if !stats.label_positive_seen {
                    warnings.push(format!(
                        "--positive '{p}' never occurs in the label column '{}': every row counts as a negative label",
                        label.display
                    ));
                }
            }
        }
        for (o, seen) in self.spec.others.iter().zip(others_seen) {
            if let PredSpec::Column(b) = o {
                if !seen {
                    let p = b.positive.as_deref().unwrap_or("1");
                    warnings.push(format!(
                        "{} '{p}' never occurs in the {} column '{}': every row counts as a negative decision there (name its positive value with --baseline-positive)",
                        b.positive_flag, b.flag, b.display
                    ));
                }
            }
        }
        if let PredSpec::Column(b) = &self.spec.pred {
            if let Some(p) = &b.positive {
                if !stats.pred_positive_seen {
                    warnings.push(format!(
                        "{} '{p}' never occurs in the prediction column '{}': every row counts as a negative prediction",
                        b.positive_flag,
                        columns.prediction.as_deref().unwrap_or("")
                    ));
                }
            }
        }
        Ok(Pass {
            source: self.source,
            task: self.task,
            columns,
            stats,
            warnings,
            score_type: self.score_type,
        })
    }
}

impl Plan {
    /// `--export-flips`: the rows whose audited decision differs from the baseline's, as CSV —
    /// `row` (the data row, 1-based), `id` (with --id), each --group column, `label`, `audited`,
    /// `baseline` (0 / 1) and `flip` (`positive_to_negative` or `negative_to_positive`, from
    /// the baseline's decision to the audited one). Reads the input once more.
    pub fn flips_csv(self) -> Result<String> {
        let Some(o) = self
            .columns
            .others
            .iter()
            .position(|o| o.role == "baseline")
        else {
            bail!("--export-flips needs --baseline");
        };
        let mut df = self.source.collect(self.frame)?;
        let file = &self.source.display;
        // A joined baseline is not in the frame: its aligned values are.
        for (o, e) in self.spec.external.iter().enumerate() {
            if let Some(e) = e {
                df.with_column(Column::from(e.clone().with_name(format!("__o{o}").into())))?;
            }
        }
        let na = &self.spec.na_values;
        let fail = |e: anyhow::Error| anyhow!("{file}: {e}");
        let p = super::stats::decisions(&df, &self.spec.pred, na).map_err(fail)?;
        let b = super::stats::decisions(&df, &self.spec.others[o], na).map_err(fail)?;
        let y = match &self.spec.label {
            Some(l) => {
                Some(super::stats::decisions(&df, &PredSpec::Column(l.clone()), na).map_err(fail)?)
            }
            None => None,
        };
        let text = |name: &str| -> Result<Vec<Option<String>>> {
            let s = df
                .column(name)?
                .as_materialized_series()
                .cast(&DataType::String)?;
            Ok(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
        };
        let rows = df
            .column("__row")?
            .as_materialized_series()
            .cast(&DataType::UInt64)?;
        let rows: Vec<Option<u64>> = rows.u64()?.iter().collect();
        let id = if df.column("__id").is_ok() {
            Some(text("__id")?)
        } else {
            None
        };
        let groups = (0..self.columns.groups.len())
            .map(|i| text(&format!("__g{i}")))
            .collect::<Result<Vec<_>>>()?;
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["row".to_string()];
        if id.is_some() {
            header.push("id".into());
        }
        header.extend(self.columns.groups.iter().cloned());
        if y.is_some() {
            header.push("label".into());
        }
        header.extend(["audited", "baseline", "flip"].map(String::from));
        w.write_record(&header)?;
        let missing = super::stats::MISSING;
        // Rows the audit dropped: a missing sensitive value with --missing drop, a missing weight.
        let mut dropped = vec![false; df.height()];
        if self.spec.missing == super::stats::Missing::Drop {
            for g in &groups {
                for (d, v) in dropped.iter_mut().zip(g) {
                    *d |= v.is_none();
                }
            }
        }
        if let Ok(w) = df.column("__w") {
            for (d, v) in dropped
                .iter_mut()
                .zip(w.as_materialized_series().f64()?.iter())
            {
                *d |= v.is_none();
            }
        }
        for i in 0..df.height() {
            if p[i] == missing || b[i] == missing || p[i] == b[i] || dropped[i] {
                continue;
            }
            if y.as_ref().is_some_and(|y| y[i] == missing) {
                continue;
            }
            let mut rec = vec![rows[i].map_or(String::new(), |r| r.to_string())];
            if let Some(id) = &id {
                rec.push(id[i].clone().unwrap_or_default());
            }
            for g in &groups {
                rec.push(g[i].clone().unwrap_or_default());
            }
            if let Some(y) = &y {
                rec.push(y[i].to_string());
            }
            rec.push(p[i].to_string());
            rec.push(b[i].to_string());
            rec.push(
                if b[i] == 1 {
                    "positive_to_negative"
                } else {
                    "negative_to_positive"
                }
                .to_string(),
            );
            w.write_record(&rec)?;
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }
}

/// One input's schema, for resolving column flags against it.
struct Context<'a> {
    file: &'a str,
    schema: &'a Schema,
    duplicate_headers: &'a [String],
}

/// The label, prediction and score columns, the threshold, and the flags whose column was found
/// by its name.
struct Roles {
    /// `None`: a label-free audit.
    label: Option<String>,
    prediction: Option<String>,
    score: Option<String>,
    threshold: Option<f64>,
    detected: Vec<String>,
}

impl Context<'_> {
    fn resolve(&self, c: &str, flag: &str) -> Result<String> {
        resolve_column(self.schema, c, flag, self.file, self.duplicate_headers)
    }

    fn available(&self) -> String {
        self.schema
            .iter_names()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// `--label`, `--pred`, `--score` and `--threshold`, or the columns found by their names
    /// ([`LABEL_NAMES`], [`PRED_NAMES`], [`SCORE_NAMES`]).
    fn roles(&self, args: &Settings) -> Result<Roles> {
        let file = self.file;
        let schema = self.schema;
        let resolve = |c: &str, flag: &str| self.resolve(c, flag);
        let available = || self.available();
        let mut detected = Vec::new();

        let label = match &args.label {
            Some(c) => Some(resolve(c, "--label")?),
            None if args.no_label => None,
            None => {
                let c = detect_column(schema, LABEL_NAMES);
                if c.is_some() {
                    detected.push("--label".to_string());
                }
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
                if let Some(p) = detect_column(schema, PRED_NAMES) {
                    detected.push("--pred".to_string());
                    if !args.threshold.is_empty() {
                        bail!("{file}: --threshold needs --score COL (the prediction column '{p}' was detected)");
                    }
                    (Some(p), None, None)
                } else if let Some(s) = detect_column(schema, SCORE_NAMES) {
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
        Ok(Roles {
            label,
            prediction,
            score,
            threshold,
            detected,
        })
    }

    /// The `--group` columns, each once.
    fn groups(&self, args: &Settings) -> Result<Vec<String>> {
        if args.groups.is_empty() {
            bail!(
                "{}: pass --group COL for each sensitive attribute. Available columns: {}",
                self.file,
                self.available()
            );
        }
        let mut groups = Vec::new();
        for g in &args.groups {
            let g = self.resolve(g, "--group")?;
            if groups.contains(&g) {
                bail!("--group '{g}' is given twice");
            }
            groups.push(g);
        }
        Ok(groups)
    }
}

/// The label and prediction expressions of the pass (typed by the task) and how the prediction
/// is made: a column, or a score at a threshold. Pushes the expressions; returns the prediction
/// spec and the internal name of the score column, if any.
fn prediction_exprs(
    t: &roles::Typing,
    task: Task,
    (label, prediction, score, threshold): (
        &Option<String>,
        &Option<String>,
        &Option<String>,
        Option<f64>,
    ),
    args: &Settings,
    exprs: &mut Vec<Expr>,
) -> Result<(PredSpec, Option<String>)> {
    // A label-free audit reads no label: every row counts as label 0 and the label metrics are
    // left out of the report.
    let label_expr = |exprs: &mut Vec<Expr>| -> Result<()> {
        if let Some(l) = label {
            exprs.push(t.binary(l, "--label", "__y")?);
        }
        Ok(())
    };
    let label = label.clone().unwrap_or_default();
    let mut score_col = None;
    let pred = match (prediction, score) {
        (Some(p), _) if task != Task::Binary => {
            let (y, yp) = if task == Task::Regression {
                (
                    t.number(&label, "--label", "__y")?,
                    t.number(p, "--pred", "__p")?,
                )
            } else {
                (
                    t.class(&label, "--label", "__y")?,
                    t.class(p, "--pred", "__p")?,
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
            label_expr(exprs)?;
            exprs.push(t.binary(p, "--pred", "__p")?);
            if let Some(s) = s {
                exprs.push(t.number(s, "--score", "__s")?);
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
            label_expr(exprs)?;
            exprs.push(t.number(s, "--score", "__p")?);
            score_col = Some("__p".to_string());
            PredSpec::Threshold {
                column: "__p".into(),
                threshold: threshold.expect("threshold with score"),
            }
        }
        (None, None) => unreachable!("checked above"),
    };
    Ok((pred, score_col))
}

/// `--condition`: its column, the expression of its strata (binned with --condition-bins) and
/// the bin edges.
fn condition_expr(
    source: &Source,
    cx: &Context,
    t: &roles::Typing,
    frame: &LazyFrame,
    c: &str,
    groups: &[String],
    args: &Settings,
) -> Result<(String, Expr, Option<Vec<f64>>)> {
    let schema = cx.schema;
    let mut condition_edges = None;
    let c = cx.resolve(c, "--condition")?;
    if groups.contains(&c) {
        bail!("--condition '{c}' is also a --group");
    }
    let dt = dtype_of(schema, &c).clone();
    let expr = match args.condition_bins {
        Some(bins) => {
            if !roles::numeric_type(&dt) || dt.is_bool() {
                bail!(
                    "--condition-bins needs a numeric --condition; '{c}' has type {}",
                    roles::type_name(&dt)
                );
            }
            let (lo, hi) = range_of(frame, &c).map_err(|e| source.read_error(e))?;
            let bins = bins as usize;
            let width = if hi > lo {
                (hi - lo) / bins as f64
            } else {
                1.0
            };
            condition_edges = Some((0..=bins).map(|k| lo + width * k as f64).collect());
            let k = ((col(c.as_str()).strict_cast(DataType::Float64) - lit(lo)) / lit(width))
                .cast(DataType::Int64);
            when(k.clone().gt_eq(lit(bins as i64 - 1)))
                .then(lit(bins as i64 - 1))
                .otherwise(k)
                .alias("__c")
        }
        None if dt.is_float()
            || (dt == DataType::String
                && has_fractions(frame, &c).map_err(|e| source.read_error(e))?) =>
        {
            bail!("--condition '{c}' is a float column; pass --condition-bins N to bin it")
        }
        None => t.category(&c, "--condition", "__c")?,
    };
    Ok((c, expr, condition_edges))
}

/// What the accumulator needs of one input: internal column names, how each is read, the
/// missing-value policy and the names to show in messages.
fn pass_spec(
    source: &Source,
    task: Task,
    columns: &Columns,
    pred: PredSpec,
    score_col: Option<String>,
    args: &Settings,
) -> PassSpec {
    let Columns {
        label,
        prediction,
        weight,
        groups,
        condition,
        row_metrics,
        within,
        ..
    } = columns;
    PassSpec {
        label: label.as_ref().map(|label| BinarySpec {
            column: "__y".into(),
            display: label.clone(),
            flag: "--label",
            positive: args.positive.clone(),
            positive_flag: "--positive",
        }),
        pred,
        weight: weight.as_ref().map(|_| "__w".to_string()),
        groups: (0..groups.len())
            .map(|i| format!("__g{i}"))
            .chain(condition.as_ref().map(|_| "__c".to_string()))
            .chain(within.as_ref().map(|_| "__k".to_string()))
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
            .chain(within.as_ref().map(|w| format!("{w} (--within)")))
            .chain(
                (task == Task::Multiclass)
                    .then(|| {
                        [
                            format!("{} (classes)", label.as_deref().unwrap_or("")),
                            format!("{} (classes)", prediction.as_deref().unwrap_or("")),
                        ]
                    })
                    .into_iter()
                    .flatten(),
            )
            .collect(),
        regression: (task == Task::Regression).then(|| ("__y".into(), "__p".into())),
        residuals: task == Task::Regression && args.output.wants_charts(),
        predictions: task == Task::Regression && args.distribution.is_some(),
        classes: task == Task::Multiclass,
        na_values: source.options.na_values.clone(),
        others: Vec::new(),
        external: Vec::new(),
    }
}

/// The other decision-makers of a pass: the report's account of their columns, how the pass
/// reads them, and (a joined `--baseline-file`) their values aligned with the rows.
struct Others {
    columns: Vec<OtherColumn>,
    specs: Vec<PredSpec>,
    external: Vec<Option<Series>>,
}

/// The other decision-makers' expressions (pushed onto `exprs`, named `__o0`, `__o1`, ...),
/// read like the audited prediction: a decision column with the same positive value, or —
/// when the audited decisions are `score >= threshold` (`threshold` is `Some`) — the baseline
/// as a score at the same threshold (in its own column's precision). A `--baseline-file` is
/// joined on `--id`: the frame returned carries its column.
fn other_decisions(
    source: &Source,
    cx: &Context,
    t: &roles::Typing,
    frame: LazyFrame,
    args: &Settings,
    threshold: Option<f64>,
    exprs: &mut Vec<Expr>,
) -> Result<(LazyFrame, Others)> {
    let paired = &args.paired;
    let mut frame = frame;
    // --export-flips lists rows: their data row number and id.
    let export = paired.export_flips.is_some();
    if export {
        frame = frame.with_row_index("__row", Some(1));
        exprs.push(col("__row"));
    }
    let mut columns = Vec::new();
    let mut specs = Vec::new();
    let mut external = Vec::new();
    // An other decision column's positive value: --baseline-positive, else the prediction's.
    let decision = |column: &str, display: &str, flag: &'static str| {
        let (positive, positive_flag) = match (&paired.positive, &args.pred_positive) {
            (Some(p), _) => (Some(p.clone()), "--baseline-positive"),
            (None, Some(p)) => (Some(p.clone()), "--pred-positive"),
            (None, None) => (args.positive.clone(), "--positive"),
        };
        PredSpec::Column(BinarySpec {
            column: column.to_string(),
            display: display.to_string(),
            flag,
            positive,
            positive_flag,
        })
    };
    // Comparing a column with itself, or with the label, says nothing.
    let audited: Vec<(&str, &str)> = args
        .pred
        .iter()
        .map(|p| ("the audited prediction (--pred)", p.as_str()))
        .chain(
            args.score
                .iter()
                .map(|s| ("the audited score (--score)", s.as_str())),
        )
        .chain(args.label.iter().map(|l| ("the label", l.as_str())))
        .collect();
    let same = |flag: &str, c: &str| -> Result<()> {
        if let Some((what, _)) = audited
            .iter()
            .find(|(_, a)| cx.resolve(a, "").ok().as_deref() == Some(c))
        {
            bail!("{flag} '{c}' is {what}: compare with another column");
        }
        Ok(())
    };
    if let Some(b) = &paired.baseline {
        let alias = format!("__o{}", specs.len());
        // The column's expression and type, in whichever file holds it.
        let read = |t: &roles::Typing,
                    schema: &Schema,
                    c: &str|
         -> Result<(Expr, PredSpec, Option<f64>)> {
            Ok(match threshold {
                Some(th) => {
                    let th = in_precision(th, Some(dtype_of(schema, c)));
                    (
                        t.number(c, "--baseline", &alias)?,
                        PredSpec::Threshold {
                            column: alias.clone(),
                            threshold: th,
                        },
                        Some(th),
                    )
                }
                None => (
                    t.binary(c, "--baseline", &alias)?,
                    decision(&alias, c, "--baseline"),
                    None,
                ),
            })
        };
        match &b.file {
            None => {
                let c = cx.resolve(b.column.as_deref().unwrap_or_default(), "--baseline")?;
                same("--baseline", &c)?;
                let (e, spec, th) = read(t, cx.schema, &c)?;
                exprs.push(e);
                if let (true, Some(id)) = (export, &b.id) {
                    exprs.push(t.text(&cx.resolve(id, "--id")?, "__id"));
                }
                specs.push(spec);
                columns.push(OtherColumn {
                    role: "baseline".into(),
                    column: c,
                    file: None,
                    id: None,
                    threshold: th,
                    join: None,
                });
            }
            Some(path) => {
                let id = b.id.as_deref().expect("--baseline-file comes with --id");
                let id = cx.resolve(id, "--id")?;
                let bsrc = crate::input::source_with(path, &args.read)?;
                let opened = bsrc.open()?;
                let bschema = opened.schema.clone();
                let bt = bsrc.typing(&bschema);
                // Default: the baseline file's column named like the audited decisions.
                let wanted = b.column.clone().unwrap_or_else(|| {
                    args.pred
                        .clone()
                        .or_else(|| args.score.clone())
                        .unwrap_or_else(|| "pred".into())
                });
                let bcol = resolve_column(
                    &bschema,
                    &wanted,
                    "--baseline",
                    &bsrc.display,
                    &opened.duplicate_headers,
                )?;
                let bid = resolve_column(
                    &bschema,
                    &id,
                    "--id",
                    &bsrc.display,
                    &opened.duplicate_headers,
                )?;
                let (e, spec, th) = read(&bt, &bschema, &bcol)?;
                let base = bsrc.collect(opened.frame.select([bt.text(&bid, "__id"), e]))?;
                let ids = source.collect(frame.clone().select([t.text(&id, "__id")]))?;
                // Each audited row's baseline row (none: unmatched or repeated), then the
                // baseline's values in the audited rows' order: the pass reads them by position.
                let (rows, join) = match_ids(&ids, &base)?;
                let aligned = base
                    .column(&alias)?
                    .as_materialized_series()
                    .take(&rows)
                    .map_err(|e| anyhow!("{}: {e}", bsrc.display))?;
                if export {
                    exprs.push(t.text(&id, "__id"));
                }
                specs.push(spec);
                external.resize(specs.len() - 1, None);
                external.push(Some(aligned));
                columns.push(OtherColumn {
                    role: "baseline".into(),
                    column: bcol,
                    file: Some(bsrc.display.clone()),
                    id: Some(id),
                    threshold: th,
                    join: Some(join),
                });
            }
        }
    }
    if let Some(r) = &paired.reference_decisions {
        let alias = format!("__o{}", specs.len());
        let c = cx.resolve(r, "--reference-decisions")?;
        same("--reference-decisions", &c)?;
        exprs.push(t.binary(&c, "--reference-decisions", &alias)?);
        specs.push(decision(&alias, &c, "--reference-decisions"));
        columns.push(OtherColumn {
            role: "reference_decisions".into(),
            column: c,
            file: None,
            id: None,
            threshold: None,
            join: None,
        });
    }
    Ok((
        frame,
        Others {
            columns,
            specs,
            external,
        },
    ))
}

/// For each audited row, the baseline row it pairs with (`None`: its id is not in the baseline
/// file, or repeated in either file), and how the ids matched. `ids` holds the audited file's
/// ids, `base` the baseline file's (`__id`).
fn match_ids(ids: &DataFrame, base: &DataFrame) -> Result<(IdxCa, JoinCounts)> {
    // One map over both files' ids (borrowed from the columns, no copies): how often each id
    // occurs in each file, and its baseline row. Three passes of hash lookups in all.
    #[derive(Clone, Copy)]
    struct Seen {
        audited: u32,
        baseline: u32,
        row: IdxSize,
    }
    let (sa, sb) = (
        ids.column("__id")?.as_materialized_series().clone(),
        base.column("__id")?.as_materialized_series().clone(),
    );
    let (a, b) = (sa.str()?, sb.str()?);
    let mut seen: PlHashMap<&str, Seen> = PlHashMap::default();
    seen.reserve(b.len());
    let empty = Seen {
        audited: 0,
        baseline: 0,
        row: 0,
    };
    for (j, s) in b.iter().enumerate() {
        if let Some(s) = s {
            let e = seen.entry(s).or_insert(empty);
            e.baseline += 1;
            e.row = j as IdxSize;
        }
    }
    for s in a.iter().flatten() {
        seen.entry(s).or_insert(empty).audited += 1;
    }
    let mut join = JoinCounts {
        matched: 0,
        unmatched: 0,
        baseline_unmatched: b.null_count() as u64,
        examples: Vec::new(),
        duplicate_ids: 0,
        baseline_duplicate_ids: 0,
        rows_left_out: 0,
    };
    let mut only_audited = Vec::new();
    let rows: IdxCa = a
        .iter()
        .map(|s| {
            let e = s.and_then(|s| seen.get(s));
            match e {
                Some(e) if e.audited == 1 && e.baseline == 1 => {
                    join.matched += 1;
                    Some(e.row)
                }
                Some(e) if e.baseline > 0 => {
                    join.rows_left_out += 1;
                    None
                }
                _ => {
                    join.unmatched += 1;
                    join.rows_left_out += 1;
                    if only_audited.len() < 3 {
                        if let Some(s) = s {
                            only_audited.push(format!("'{s}'"));
                        }
                    }
                    None
                }
            }
        })
        .collect();
    // Counts over the distinct ids; examples in the baseline file's order.
    for e in seen.values() {
        join.duplicate_ids += u64::from(e.audited > 1);
        join.baseline_duplicate_ids += u64::from(e.baseline > 1);
        if e.audited == 0 {
            join.baseline_unmatched += u64::from(e.baseline);
        }
    }
    // A few ids of each side that found no partner: a mismatch of spellings shows at a glance
    // (`1.0` against `1`, `007` against `7`).
    let only_baseline: Vec<String> = b
        .iter()
        .flatten()
        .filter(|s| seen.get(s).is_some_and(|e| e.audited == 0))
        .take(3)
        .map(|s| format!("'{s}'"))
        .collect();
    if !only_audited.is_empty() {
        join.examples.push(format!(
            "audited ids not in the baseline file: {}",
            only_audited.join(", ")
        ));
    }
    if !only_baseline.is_empty() {
        join.examples.push(format!(
            "baseline ids not audited: {}",
            only_baseline.join(", ")
        ));
    }
    Ok((rows, join))
}

/// Whether `--score` without `--pred` is turned into decisions by `--threshold` (not by LL144's
/// median rule).
fn scoring_rule_is_threshold(args: &Settings) -> bool {
    args.preset != Some(Preset::Ll144)
}

/// The median of a score column as read for the audit (numpy's: the mean of the two middle
/// values of an even count; missing values and NaN left out), one extra scan of that column;
/// `None` when it has no value.
fn median_of(frame: &LazyFrame, x: Expr) -> PolarsResult<Option<f64>> {
    let df = frame
        .clone()
        .select([x.clone().filter(x.clone().is_not_nan()).median()])
        .collect()?;
    Ok(df
        .column("__median")?
        .cast(&DataType::Float64)?
        .f64()?
        .get(0))
}

/// The smallest and largest value of a numeric column (one extra scan of that column only).
fn range_of(frame: &LazyFrame, c: &str) -> PolarsResult<(f64, f64)> {
    let df = frame
        .clone()
        .select([
            col(c).strict_cast(DataType::Float64).min().alias("lo"),
            col(c).strict_cast(DataType::Float64).max().alias("hi"),
        ])
        .collect()?;
    let get = |n: &str| -> PolarsResult<f64> { Ok(df.column(n)?.f64()?.get(0).unwrap_or(0.0)) };
    Ok((get("lo")?, get("hi")?))
}

/// Whether a text column holds only numbers (or missing values), some with a fraction: then it
/// is a continuous variable, not strata (one extra scan of that column, with --condition only).
fn has_fractions(frame: &LazyFrame, c: &str) -> PolarsResult<bool> {
    let x = col(c).cast(DataType::Float64);
    let df = frame
        .clone()
        .select([
            x.clone()
                .null_count()
                .eq(col(c).null_count())
                .alias("numeric"),
            (x.clone() - x.cast(DataType::Int64).cast(DataType::Float64))
                .neq(lit(0.0))
                .any(true)
                .alias("frac"),
        ])
        .collect()?;
    let get = |n: &str| -> PolarsResult<bool> { Ok(df.column(n)?.bool()?.get(0).unwrap_or(false)) };
    Ok(get("numeric")? && get("frac")?)
}

fn dtype_of<'a>(schema: &'a Schema, name: &str) -> &'a DataType {
    schema.get(name).expect("resolved column")
}

pub use crate::input::roles::in_precision;

/// More distinct integer labels than this make `--task auto` choose regression.
pub const MAX_AUTO_CLASSES: usize = 20;

/// What `--task auto` decided after a label or prediction turned out not to be binary.
pub struct Detected {
    pub task: Task,
    pub why: String,
    /// A prediction column found by its name that holds probabilities (numbers in [0, 1], not
    /// all 0 / 1) next to a binary label: it is a score, thresholded at 0.5 (binary task).
    pub score: Option<String>,
}

/// `--task auto` after a label or prediction turned out not to be binary, by the values (CSV
/// columns are text: a column is numeric when every present value parses as a number):
/// a binary label with a name-detected prediction of probabilities → binary with that score
/// at 0.5; regression when the label (or a numeric prediction) has a non-integer number or
/// the label has more than [`MAX_AUTO_CLASSES`] distinct integers; multiclass otherwise.
pub fn detect_task(source: &Source, args: &Settings) -> Result<Detected> {
    let Opened {
        frame,
        schema,
        duplicate_headers,
        ..
    } = source.open()?;
    let file = source.display.as_str();
    let resolve = |c: &str, flag: &str| resolve_column(&schema, c, flag, file, &duplicate_headers);
    let label = match &args.label {
        Some(c) => resolve(c, "--label")?,
        None => detect_column(&schema, LABEL_NAMES)
            .filter(|_| !args.no_label)
            .ok_or_else(|| {
                let why = if args.no_label {
                    "--no-label".to_string()
                } else {
                    format!(
                        "no label column was found (looked for {}; columns: {})",
                        LABEL_NAMES.join(", "),
                        schema.iter_names().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
                    )
                };
                anyhow!("{file}: the prediction is not binary, and an audit without a label ({why}) is of binary decisions: pass --label COL, or name the positive prediction with --pred-positive VALUE, or a score as --score COL --threshold T")
            })?,
    };
    let pred_by_name = args.pred.is_none() && args.score.is_none();
    let pred = match &args.pred {
        Some(p) => Some(resolve(p, "--pred")?),
        None if args.score.is_none() => detect_column(&schema, PRED_NAMES),
        None => None,
    };
    let readable = |c: &str| {
        let dt = dtype_of(&schema, c);
        dt.is_integer() || dt.is_float() || dt.is_decimal() || matches!(dt, DataType::String)
    };
    let num = |c: &str| col(c).cast(DataType::Float64);
    let mut exprs = Vec::new();
    let facts = |c: &str, exprs: &mut Vec<Expr>| {
        let x = num(c);
        exprs.push(
            x.clone()
                .null_count()
                .eq(col(c).null_count())
                .alias(format!("num_{c}")),
        );
        exprs.push(
            (x.clone() - x.clone().cast(DataType::Int64).cast(DataType::Float64))
                .neq(lit(0.0))
                .any(true)
                .alias(format!("frac_{c}")),
        );
        exprs.push(x.clone().min().alias(format!("min_{c}")));
        exprs.push(x.max().alias(format!("max_{c}")));
    };
    if readable(&label) {
        facts(&label, &mut exprs);
    }
    exprs.push(
        col(label.as_str())
            .drop_nulls()
            .n_unique()
            .alias("distinct"),
    );
    let numeric_pred = pred.as_deref().filter(|p| readable(p) && *p != label);
    if let Some(p) = numeric_pred {
        facts(p, &mut exprs);
    }
    let df = source.collect(frame.clone().select(exprs))?;
    let get_bool = |n: String| -> bool {
        df.column(&n)
            .ok()
            .and_then(|s| s.bool().ok().and_then(|b| b.get(0)))
            .unwrap_or(false)
    };
    let get_f64 = |n: String| -> Option<f64> {
        df.column(&n)
            .ok()
            .and_then(|s| s.cast(&DataType::Float64).ok())
            .and_then(|s| s.f64().ok().and_then(|b| b.get(0)))
    };
    let numeric = |c: &str| readable(c) && get_bool(format!("num_{c}"));
    let fractional = |c: &str| get_bool(format!("frac_{c}"));
    let distinct = df
        .column("distinct")
        .ok()
        .and_then(|s| s.cast(&DataType::UInt64).ok())
        .and_then(|s| s.u64().ok().and_then(|u| u.get(0)))
        .unwrap_or(0) as usize;
    // The label's values by the binary rule (0/1, true/false, yes/no in any spelling).
    let label_binary = distinct <= 2 && {
        let values = frame
            .select([col(label.as_str())
                .cast(DataType::String)
                .drop_nulls()
                .unique()
                .alias("v")])
            .limit(3)
            .collect()
            .map_err(|e| source.read_error(e))?;
        let v = values.column("v").ok().and_then(|c| c.str().ok().cloned());
        v.is_some_and(|v| {
            v.iter()
                .flatten()
                .all(|x| super::stats::binary_text(x).is_some())
        })
    };
    if let Some(p) =
        numeric_pred.filter(|p| pred_by_name && label_binary && numeric(p) && fractional(p))
    {
        let (lo, hi) = (get_f64(format!("min_{p}")), get_f64(format!("max_{p}")));
        if lo.is_some_and(|lo| lo >= 0.0) && hi.is_some_and(|hi| hi <= 1.0) {
            return Ok(Detected {
                task: Task::Binary,
                why: format!(
                    "the prediction '{p}' holds probabilities in [0, 1] and the label '{label}' is binary: '{p}' is read as a score at threshold 0.5 (pass --score {p} --threshold T for another threshold, or --task regression)"
                ),
                score: Some(p.to_string()),
            });
        }
    }
    let (task, why) = if !numeric(&label) {
        (
            Task::Multiclass,
            format!("the label '{label}' holds class names"),
        )
    } else if fractional(&label) {
        (
            Task::Regression,
            format!("the label '{label}' has non-integer numbers"),
        )
    } else if let Some(p) = numeric_pred.filter(|p| numeric(p) && fractional(p)) {
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
    };
    Ok(Detected {
        task,
        why,
        score: None,
    })
}
