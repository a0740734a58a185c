//! The one pass: decoded Arrow batches → per-cell weighted confusion counts.
//!
//! A *cell* is one combination of the sensitive attributes' values (for one attribute, one
//! group). Each row adds its weight to one of the cell's four quadrants (tp, fp, tn, fn). Every
//! group and intersection metric is later computed from these sufficient statistics; no row is
//! copied per group. Counts of several batches, files or machines merge by addition.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use anyhow::{bail, Result};
use polars::prelude::*;

use super::regression::RegSums;
use super::scores::{with_scored, Scored, ScoredRows, Weight};
use polars_arrow::array::{Array, PrimitiveArray, Utf8ViewArray, View};
use polars_arrow::types::NativeType;

/// Marks a row whose label or prediction is missing.
pub const MISSING: u8 = 2;
/// Marks, for a moment, a label or prediction that is not 0/1.
const BAD: u8 = 3;
/// Marks a row dropped because a sensitive value is missing (with `--missing drop`).
const DROP: u32 = u32::MAX;
/// Scored records kept exactly (16 bytes each without `--weight`, 24 with: 320 or 480 MB)
/// before scores are rounded to [`DEFAULT_RESOLUTION`] and equal records merged.
pub const SCORED_LIMIT: usize = 20_000_000;
/// The grid scores are rounded to when there are too many to keep.
pub const DEFAULT_RESOLUTION: f64 = 1e-6;

/// Cell index space limit: 2^24 cells (product of the attributes' group counts, rounded up to
/// powers of two).
const MAX_CELL_BITS: u32 = 24;

/// A value of a sensitive attribute.
#[derive(Debug, Clone, PartialEq)]
pub enum GroupKey {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Missing,
}

impl GroupKey {
    /// The value as it is shown and matched: the group's name.
    pub fn name(&self) -> String {
        match self {
            GroupKey::Bool(b) => b.to_string(),
            GroupKey::Int(i) => i.to_string(),
            GroupKey::Float(f) => f.to_string(),
            GroupKey::Str(s) => s.clone(),
            GroupKey::Missing => "(missing)".to_string(),
        }
    }

    /// Report order: values by their natural order, `(missing)` last.
    pub fn cmp_key(&self, other: &GroupKey) -> std::cmp::Ordering {
        use GroupKey::*;
        match (self, other) {
            (Missing, Missing) => std::cmp::Ordering::Equal,
            (Missing, _) => std::cmp::Ordering::Greater,
            (_, Missing) => std::cmp::Ordering::Less,
            (Bool(a), Bool(b)) => a.cmp(b),
            (Int(a), Int(b)) => a.cmp(b),
            (Float(a), Float(b)) => a.total_cmp(b),
            // Numbers first, in numeric order, whether typed or written as text (a CSV's `5`,
            // `30`, `40` sort as a Parquet file's integers do), then text in byte order.
            (a, b) => match (a.number(), b.number()) {
                (Some(x), Some(y)) => x.total_cmp(&y).then_with(|| a.name().cmp(&b.name())),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => a.name().cmp(&b.name()),
            },
        }
    }

    /// The key as a number, when it is one or its text is a finite decimal number.
    fn number(&self) -> Option<f64> {
        match self {
            GroupKey::Int(i) => Some(*i as f64),
            GroupKey::Float(f) => Some(*f),
            GroupKey::Str(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && s.bytes().any(|b| b.is_ascii_digit())),
            _ => None,
        }
    }
}

/// How a binary column (label or prediction) is turned into 0/1.
#[derive(Debug, Clone)]
pub struct BinarySpec {
    /// The column name in the batches.
    pub column: String,
    /// The column name in the user's file, for messages.
    pub display: String,
    /// The flag that chose it, for messages (`--label`).
    pub flag: &'static str,
    /// The value that counts as positive; every other value is negative.
    pub positive: Option<String>,
    /// The flag that sets `positive` for this column, for messages.
    pub positive_flag: &'static str,
}

/// How the prediction is obtained.
#[derive(Debug, Clone)]
pub enum PredSpec {
    Column(BinarySpec),
    /// `score >= threshold`.
    Threshold {
        column: String,
        threshold: f64,
    },
}

/// What to do with a missing sensitive value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    Group,
    Drop,
    Error,
}

/// Everything the pass needs to know.
#[derive(Debug, Clone)]
pub struct PassSpec {
    /// `None`: a label-free audit (every row counts as label 0; the report leaves out every
    /// metric that needs the label).
    pub label: Option<BinarySpec>,
    pub pred: PredSpec,
    pub weight: Option<String>,
    pub groups: Vec<String>,
    pub missing: Missing,
    pub max_groups: usize,
    /// A score column kept per row for the score metrics (AUC, Brier, log loss).
    pub score: Option<String>,
    /// Round scores to multiples of this and merge equal (score, cell, label) records from the
    /// start (--score-resolution); `None`: exact until [`SCORED_LIMIT`] records, then rounded to
    /// [`DEFAULT_RESOLUTION`].
    pub score_resolution: Option<f64>,
    /// Per-row metric columns (`--row-metric`), averaged per group.
    pub row_metrics: Vec<String>,
    /// The user's column names of `weight` and `groups` (the batches use internal names).
    pub weight_display: Option<String>,
    pub groups_display: Vec<String>,
    /// Regression: the numeric label and prediction columns, summed per cell ([`RegSums`]).
    pub regression: Option<(String, String)>,
    /// Regression with charts asked for: keep every used row's (cell, residual, weight) for the
    /// residual distributions (24 bytes a row).
    pub residuals: bool,
    /// Regression with --distribution: keep every used row's prediction as a scored record
    /// (`Stats::scored`, label 0) for the distribution metrics.
    pub predictions: bool,
    /// Multiclass: the label and prediction are the last two `groups` (class dimensions of the
    /// cells); every row then counts in quadrant 0 of its cell.
    pub classes: bool,
    /// Text values read as missing in every column (`--na-values`; CSV readers already turn
    /// them into nulls, Parquet / JSON text may still hold them).
    pub na_values: std::sync::Arc<Vec<String>>,
    /// Other decision-makers on the same rows (`--baseline`, `--reference-decisions`), read
    /// like the prediction. Each is one more cell dimension after every other, with the codes
    /// 0, 1 and [`MISSING`] (keys `0`, `1` and missing): the counts then hold the joint table
    /// of every decision on the same rows (`fairness/paired.rs` takes it apart).
    pub others: Vec<PredSpec>,
    /// Per other decision-maker, its values already aligned with the input's rows (a
    /// `--baseline-file` joined on the id: row i of the series belongs to row i of the input),
    /// read from here instead of the batches; `None` (or a shorter vector): a column of the
    /// batches.
    pub external: Vec<Option<Series>>,
}

/// A label or prediction that is not binary (and has no positive value): with `--task auto`
/// the audit then looks at the values and runs as regression or multiclass.
#[derive(Debug)]
pub struct NotBinary(pub String);

impl std::fmt::Display for NotBinary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for NotBinary {}

/// (cell, label, value — `None` if missing or NaN —, weight) of a used row.
type UsedValue = (u32, u8, Option<f64>, f64);

/// Counts of one cell: rows and weights per quadrant, indexed `2*y + p`
/// (0 = tn, 1 = fp, 2 = fn, 3 = tp).
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// The cell's code per attribute (index into [`Stats::keys`]).
    pub codes: Vec<u32>,
    pub rows: [u64; 4],
    pub weight: [f64; 4],
}

/// The sufficient statistics of one input.
#[derive(Debug, Clone)]
pub struct Stats {
    /// Per attribute, its distinct values (indexed by code, in first-seen order).
    pub keys: Vec<Vec<GroupKey>>,
    /// Every cell with at least one row.
    pub cells: Vec<Cell>,
    pub rows_read: u64,
    /// Rows dropped, by reason.
    pub dropped: BTreeMap<String, u64>,
    /// Whether the positive value given for the label / prediction ever occurred.
    pub label_positive_seen: bool,
    pub pred_positive_seen: bool,
    /// With a score column: every used row with a score, sorted by score; `cell` indexes `cells`.
    /// Unit records (16 bytes) while every row weighs 1, weighted ones (24 bytes) with
    /// `--weight` or once equal records were merged.
    pub scored: ScoredRows,
    /// Used rows whose score is missing (left out of the score metrics only).
    pub score_missing: u64,
    /// When scores were rounded to this grid and equal records merged (bounded memory; each
    /// ROC AUC then carries its largest possible error).
    pub score_resolution: Option<f64>,
    /// Per row metric: (cell index into `cells`, value, weight) of every used row with a value.
    pub row_metric_values: Vec<Vec<(u32, f64, f64)>>,
    /// Regression: the sums of each cell (same order as `cells`); empty otherwise.
    pub regression: Vec<RegSums>,
    /// With [`PassSpec::residuals`]: (cell, prediction − label, weight) of every used row.
    pub residuals: Vec<(u32, f64, f64)>,
    /// Per other decision-maker ([`PassSpec::others`]) that thresholds a score: its score of
    /// every used row with one, sorted by score (as `scored`); empty for a decision column, and
    /// once the audited scores were rounded (bounded memory).
    pub others_scored: Vec<ScoredRows>,
    /// Per other decision-maker with scores: every used row with both its score and the
    /// audited score (in row order), for the paired bootstrap of the score metrics' changes.
    pub others_paired: Vec<Vec<PairedScore>>,
}

/// A used row with the audited score and another decision-maker's score.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairedScore {
    pub cell: u32,
    pub y: u8,
    pub w: f64,
    pub audited: f64,
    pub other: f64,
}

impl Stats {
    /// Rows counted in some cell.
    /// Refuses weights whose sums overflow: a cell weight (or their total) of infinity would
    /// make rates 0 or undefined and let gates pass. Rates use only ratios of weights, so
    /// dividing the column by its largest value leaves every rate as it is.
    pub fn check_weights(&self, column: &str) -> anyhow::Result<()> {
        let total: f64 = self.cells.iter().flat_map(|c| c.weight).sum();
        if !total.is_finite()
            || self
                .cells
                .iter()
                .any(|c| c.weight.iter().any(|w| !w.is_finite()))
        {
            anyhow::bail!(
                "the --weight column '{column}' sums past the largest number (about 1.8e308); divide it by its largest value (rates depend only on ratios of weights)"
            );
        }
        Ok(())
    }

    pub fn rows_used(&self) -> u64 {
        self.cells.iter().map(|c| c.rows.iter().sum::<u64>()).sum()
    }

    /// The drops as `reason: rows`, by reason.
    pub fn dropped_list(&self) -> Vec<String> {
        self.dropped
            .iter()
            .map(|(r, k)| format!("{r}: {k}"))
            .collect()
    }

    /// "N of M rows dropped (reason: k, ...)" when rows were dropped.
    pub fn dropped_warning(&self) -> Option<String> {
        (!self.dropped.is_empty()).then(|| {
            format!(
                "{} of {} rows dropped ({})",
                self.rows_read - self.rows_used(),
                self.rows_read,
                self.dropped_list().join(", ")
            )
        })
    }

    /// Puts the statistics in their canonical order — each attribute's values sorted (report
    /// order), cells sorted by their codes — so that the same counts give the same statistics
    /// whatever order the rows came in (one file, shards merged with --from-stats): the bootstrap
    /// then draws the same replicates.
    pub fn canonicalize(&mut self) {
        let mut remap: Vec<Vec<u32>> = Vec::new();
        for ks in &mut self.keys {
            let mut order: Vec<usize> = (0..ks.len()).collect();
            order.sort_by(|&a, &b| ks[a].cmp_key(&ks[b]).then(a.cmp(&b)));
            let mut map = vec![0u32; ks.len()];
            for (new, &old) in order.iter().enumerate() {
                map[old] = new as u32;
            }
            *ks = order.iter().map(|&o| ks[o].clone()).collect();
            remap.push(map);
        }
        for c in &mut self.cells {
            for (code, map) in c.codes.iter_mut().zip(&remap) {
                *code = map[*code as usize];
            }
        }
        let mut order: Vec<usize> = (0..self.cells.len()).collect();
        order.sort_by(|&a, &b| self.cells[a].codes.cmp(&self.cells[b].codes));
        let mut position = vec![0u32; order.len()];
        for (new, &old) in order.iter().enumerate() {
            position[old] = new as u32;
        }
        self.cells = order.iter().map(|&o| self.cells[o].clone()).collect();
        if !self.regression.is_empty() {
            self.regression = order.iter().map(|&o| self.regression[o]).collect();
        }
        for rows in std::iter::once(&mut self.scored).chain(&mut self.others_scored) {
            rows.map_cells(|c| position[c as usize]);
        }
        for r in self.others_paired.iter_mut().flatten() {
            r.cell = position[r.cell as usize];
        }
        for v in self.row_metric_values.iter_mut().flatten() {
            v.0 = position[v.0 as usize];
        }
        for v in &mut self.residuals {
            v.0 = position[v.0 as usize];
        }
    }

    /// The statistics with dimension `dim` summed out: cells that differ only there are added up;
    /// scored rows and row-metric values follow their cells.
    pub fn sum_out(&self, dim: usize) -> Stats {
        let st = self;
        let mut index: BTreeMap<Vec<u32>, usize> = BTreeMap::new();
        for c in &st.cells {
            let mut codes = c.codes.clone();
            codes.remove(dim);
            let n = index.len();
            index.entry(codes).or_insert(n);
        }
        // Cells in the order of their codes (canonical), whatever order they were found in.
        let order: Vec<(Vec<u32>, usize)> = index.into_iter().collect();
        let mut position_of_first = vec![0usize; order.len()];
        for (new, (_, first)) in order.iter().enumerate() {
            position_of_first[*first] = new;
        }
        let mut cells: Vec<Cell> = order
            .iter()
            .map(|(codes, _)| Cell {
                codes: codes.clone(),
                rows: [0; 4],
                weight: [0.0; 4],
            })
            .collect();
        let lookup: BTreeMap<&Vec<u32>, usize> = order
            .iter()
            .enumerate()
            .map(|(new, (codes, _))| (codes, new))
            .collect();
        let mut position = vec![0u32; st.cells.len()];
        for (old, c) in st.cells.iter().enumerate() {
            let mut codes = c.codes.clone();
            codes.remove(dim);
            let new = lookup[&codes];
            position[old] = new as u32;
            for q in 0..4 {
                cells[new].rows[q] += c.rows[q];
                cells[new].weight[q] += c.weight[q];
            }
        }
        let mut out = st.clone();
        out.keys.remove(dim);
        out.cells = cells;
        for rows in std::iter::once(&mut out.scored).chain(&mut out.others_scored) {
            rows.map_cells(|c| position[c as usize]);
        }
        for r in out.others_paired.iter_mut().flatten() {
            r.cell = position[r.cell as usize];
        }
        out.scored.sort();
        for o in &mut out.others_scored {
            o.sort();
        }
        for v in out.row_metric_values.iter_mut().flatten() {
            v.0 = position[v.0 as usize];
        }
        for v in &mut out.residuals {
            v.0 = position[v.0 as usize];
        }
        out
    }

    /// Statistics made of the given cells only (no drops, no scores, no row metrics), every row
    /// read used; for tests and hand-built cases.
    pub fn from_cells(keys: Vec<Vec<GroupKey>>, cells: Vec<Cell>) -> Stats {
        let rows_read = cells.iter().map(|c| c.rows.iter().sum::<u64>()).sum();
        Stats {
            keys,
            cells,
            rows_read,
            dropped: BTreeMap::new(),
            label_positive_seen: true,
            pred_positive_seen: true,
            scored: ScoredRows::default(),
            score_missing: 0,
            score_resolution: None,
            row_metric_values: Vec::new(),
            regression: Vec::new(),
            residuals: Vec::new(),
            others_scored: Vec::new(),
            others_paired: Vec::new(),
        }
    }
}

/// Accumulates batches. Feed every batch in row order to [`Accumulator::add`]; weighted sums are
/// then added in row order whatever the batch boundaries, so results do not depend on threads.
pub struct Accumulator {
    spec: PassSpec,
    dicts: Vec<Dict>,
    /// Bits of the cell index used by each attribute.
    bits: Vec<u32>,
    rows: Vec<u64>,
    weights: Option<Vec<f64>>,
    rows_read: u64,
    dropped: BTreeMap<String, u64>,
    label_pos_seen: bool,
    pred_pos_seen: bool,
    /// Every thresholded score so far was 0 or 1 (a decision in a column named like a score).
    score_zero_one: bool,
    scored: ScoredRows,
    /// Per other decision-maker: its scores (see [`Stats::others_scored`]).
    others_scored: Vec<ScoredRows>,
    /// Per other decision-maker: whether its positive value occurred.
    others_pos_seen: Vec<bool>,
    /// Per other decision-maker: rows with both scores (see [`Stats::others_paired`]).
    others_paired: Vec<Vec<PairedScore>>,
    score_missing: u64,
    /// The rounding grid of the scores once in effect, and the record count that triggers the
    /// next merge.
    score_grid: Option<f64>,
    compact_at: usize,
    /// The number of rows the input holds, when known before the pass (Parquet's footer):
    /// the score records are then allocated once, not grown by doubling (which would hold the
    /// old and the new copy at once).
    rows_hint: usize,
    /// How many leading records of `scored` are already rounded, sorted and merged.
    merged_prefix: usize,
    row_metric_values: Vec<Vec<(u32, f64, f64)>>,
    /// Regression sums per packed cell index (empty unless regression).
    reg: Vec<RegSums>,
    residuals: Vec<(u32, f64, f64)>,
    // Reused per-batch buffers.
    y: Vec<u8>,
    p: Vec<u8>,
    cell: Vec<u32>,
    codes: Vec<Vec<u32>>,
}

impl Accumulator {
    pub fn new(spec: PassSpec) -> Self {
        let grid = spec.score_resolution;
        let k = spec.groups.len() + spec.others.len();
        let weighted = spec.weight.is_some();
        let n_metrics = spec.row_metrics.len();
        let n_others = spec.others.len();
        let mut acc = Accumulator {
            dicts: (0..k)
                .map(|_| Dict {
                    na: NaSet::new(&spec.na_values),
                    ..Dict::default()
                })
                .collect(),
            bits: vec![0; k],
            rows: vec![0; 4],
            weights: weighted.then(|| vec![0.0; 4]),
            spec,
            rows_read: 0,
            dropped: BTreeMap::new(),
            label_pos_seen: false,
            score_zero_one: true,
            pred_pos_seen: false,
            scored: ScoredRows::new(weighted),
            others_scored: vec![ScoredRows::new(weighted); n_others],
            others_pos_seen: vec![false; n_others],
            others_paired: vec![Vec::new(); n_others],
            score_missing: 0,
            score_grid: grid,
            merged_prefix: 0,
            rows_hint: 0,
            compact_at: if grid.is_some() {
                1 << 20
            } else {
                SCORED_LIMIT
            },
            row_metric_values: vec![Vec::new(); n_metrics],
            reg: Vec::new(),
            residuals: Vec::new(),
            y: Vec::new(),
            p: Vec::new(),
            cell: Vec::new(),
            codes: vec![Vec::new(); k],
        };
        // The decision dimensions have their three keys from the start.
        for d in &mut acc.dicts[acc.spec.groups.len()..] {
            d.keys = vec![GroupKey::Int(0), GroupKey::Int(1), GroupKey::Missing];
        }
        acc.relayout(vec![0; k]);
        acc
    }

    /// Says how many rows the input holds (see `rows_hint`).
    pub fn expect_rows(&mut self, rows: usize) {
        self.rows_hint = rows;
    }

    /// Reserves room for the score records of the whole input once, when its size is known.
    fn reserve_scores(&mut self) {
        if self.scored.capacity() == 0 && self.rows_hint > 0 {
            self.scored
                .reserve_exact(self.rows_hint.min(self.compact_at.saturating_add(1)));
        }
    }

    /// Whether every thresholded score read so far was 0 or 1.
    pub fn score_zero_one(&self) -> bool {
        self.score_zero_one
    }

    /// Per other decision-maker, whether its positive value occurred.
    pub fn others_positive_seen(&self) -> Vec<bool> {
        self.others_pos_seen.clone()
    }

    pub fn add(&mut self, df: &DataFrame) -> Result<()> {
        let n = df.height();
        if n == 0 {
            return Ok(());
        }
        self.rows_read += n as u64;
        self.y.clear();
        self.y.resize(n, 0);
        self.p.clear();
        self.p.resize(n, 0);
        self.cell.clear();
        self.cell.resize(n, 0);

        match (
            &self.spec.pred,
            self.spec.regression.is_some() || self.spec.classes,
        ) {
            // Regression and multiclass: only whether the label / prediction is present.
            (PredSpec::Column(b), true) => {
                let na = NaSet::new(&self.spec.na_values);
                let label = self.spec.label.as_ref().expect("a label column");
                present(series(df, &label.column)?, &na, &mut self.y)?;
                present(series(df, &b.column)?, &na, &mut self.p)?;
            }
            (pred, _) => {
                let na = NaSet::new(&self.spec.na_values);
                if let Some(label) = &self.spec.label {
                    self.label_pos_seen |=
                        encode_binary(series(df, &label.column)?, label, &na, &mut self.y)?;
                }
                match pred {
                    PredSpec::Column(b) => {
                        self.pred_pos_seen |=
                            encode_binary(series(df, &b.column)?, b, &na, &mut self.p)?;
                    }
                    PredSpec::Threshold { column, threshold } => {
                        self.score_zero_one &=
                            threshold_scores(series(df, column)?, *threshold, &mut self.p)?;
                    }
                }
            }
        }

        // Each attribute's codes, then the cell index of every row: the codes packed into the
        // index bits. The layout widens (moving the counts) when an attribute gains groups.
        let missing_code = match self.spec.missing {
            Missing::Group => None,
            Missing::Drop | Missing::Error => Some(DROP),
        };
        for a in 0..self.spec.groups.len() {
            let s = series(df, &self.spec.groups[a])?;
            let codes = &mut self.codes[a];
            codes.clear();
            codes.resize(n, 0);
            self.dicts[a].encode(s, missing_code, codes, &self.spec.groups_display[a])?;
            let class_dim = self.spec.classes && a + 2 >= self.spec.groups.len();
            if self.spec.missing == Missing::Error && !class_dim {
                if let Some(pos) = codes.iter().position(|&c| c == DROP) {
                    bail!(
                        "--group column '{}' has a missing value (data row {}); use --missing group or --missing drop",
                        self.spec.groups_display[a],
                        self.rows_read as usize - n + pos + 1
                    );
                }
            }
            if self.dicts[a].keys.len() > self.spec.max_groups {
                bail!(
                    "--group column '{}' has more than {} distinct values (--max-groups); is it really a sensitive attribute? Bin it, or raise --max-groups",
                    self.spec.groups_display[a],
                    self.spec.max_groups
                );
            }
        }
        let k = self.spec.groups.len();
        for o in 0..self.spec.others.len() {
            let values = self.other_values(df, o)?;
            let codes = &mut self.codes[k + o];
            codes.clear();
            codes.resize(n, 0);
            let mut bits = vec![0u8; n];
            let na = NaSet::new(&self.spec.na_values);
            let spec = &self.spec.others[o];
            // Not binary is not a cue to audit another task (the audited decisions decide
            // that): say what the column should hold.
            let seen = decide(&values, spec, &na, &mut bits).map_err(|e| {
                match (e.downcast_ref::<NotBinary>(), spec) {
                    (Some(nb), PredSpec::Column(b)) => {
                                let seen = nb.0.split("; pass").next().unwrap_or(&nb.0);
                                let score = if b.flag == "--baseline" {
                                    "; to compare two scores, audit --score COL without --pred (the baseline's score is then thresholded alike)"
                                } else {
                                    ""
                                };
                                anyhow::anyhow!(
                                    "{seen}: it must hold decisions (0/1, true/false, or values with a positive one named by --baseline-positive VALUE){score}"
                                )
                    }
                    _ => e,
                }
            })?;
            self.others_pos_seen[o] |= seen;
            for (c, b) in codes.iter_mut().zip(bits) {
                *c = u32::from(b);
            }
        }
        let need: Vec<u32> = self.dicts.iter().map(|d| bits_for(d.keys.len())).collect();
        if need != self.bits {
            if need.iter().sum::<u32>() > MAX_CELL_BITS {
                let sizes: Vec<String> = self
                    .dicts
                    .iter()
                    .map(|d| d.keys.len().to_string())
                    .collect();
                bail!(
                    "the intersection of {} has too many cells ({}); audit fewer attributes together",
                    self.spec.groups_display.join(" & "),
                    sizes.join(" x ")
                );
            }
            self.relayout(need);
        }
        for a in 0..self.dicts.len() {
            let shift = self.shift(a);
            for (c, &code) in self.cell.iter_mut().zip(&self.codes[a]) {
                if code == DROP || *c == DROP {
                    *c = DROP;
                } else {
                    *c |= code << shift;
                }
            }
        }
        self.count(df)
    }

    fn count(&mut self, df: &DataFrame) -> Result<()> {
        let (mut no_label, mut no_pred, mut no_group, mut no_weight) = (0u64, 0u64, 0u64, 0u64);
        match &self.spec.weight {
            None => {
                let rows = &mut self.rows;
                for ((&y, &p), &c) in self.y.iter().zip(&self.p).zip(&self.cell) {
                    if y == MISSING {
                        no_label += 1;
                    } else if p == MISSING {
                        no_pred += 1;
                    } else if c == DROP {
                        no_group += 1;
                    } else {
                        rows[((c as usize) << 2) | ((y as usize) << 1) | p as usize] += 1;
                    }
                }
            }
            Some(wcol) => {
                let ws = series(df, wcol)?.f64()?.rechunk();
                let wname = self.spec.weight_display.as_deref().unwrap_or(wcol);
                let weights = self.weights.as_mut().expect("weighted accumulator");
                let rows = &mut self.rows;
                let mut i = 0usize;
                for arr in ws.downcast_iter() {
                    for w in arr.iter() {
                        let (y, p, c) = (self.y[i], self.p[i], self.cell[i]);
                        i += 1;
                        if y == MISSING {
                            no_label += 1;
                        } else if p == MISSING {
                            no_pred += 1;
                        } else if c == DROP {
                            no_group += 1;
                        } else {
                            match w {
                                None => no_weight += 1,
                                Some(&w) if w.is_nan() || !(0.0..=MAX_WEIGHT).contains(&w) => bail!(
                                    "--weight column '{wname}' has the invalid weight {} (data row {}); weights must be between 0 and 1e140 (divide larger ones by a constant: rates depend only on ratios of weights)",
                                    if w.abs() >= 1e15 { format!("{w:e}") } else { w.to_string() },
                                    self.rows_read as usize - df.height() + i
                                ),
                                Some(&w) => {
                                    let idx = ((c as usize) << 2) | ((y as usize) << 1) | p as usize;
                                    rows[idx] += 1;
                                    weights[idx] += w;
                                }
                            }
                        }
                    }
                }
            }
        }
        for (m, mcol) in self.spec.row_metrics.clone().iter().enumerate() {
            self.collect_row_metric(df, m, mcol)?;
        }
        // The audited scores of the used rows, read once: kept, and paired with a score
        // baseline's below.
        let audited = match self.spec.score.clone() {
            Some(scol) => Some(self.used_values(df, &scol)?),
            None => None,
        };
        if let Some(used) = &audited {
            self.collect_scores(used);
        }
        // A score baseline: its scores too, until the audited scores get rounded.
        for o in 0..self.spec.others.len() {
            if let PredSpec::Threshold { column, .. } = self.spec.others[o].clone() {
                if self.score_grid.is_none() {
                    let values = self.other_values(df, o)?;
                    let other = self.used_of(df, &values, &column)?;
                    for &(cell, y, s, w) in &other {
                        if let Some(score) = s {
                            self.others_scored[o].push(score, cell, y, w);
                        }
                    }
                    // The same used rows, in the same order: pair the two scores of a row.
                    if let Some(audited) = &audited {
                        for (&(cell, y, a, w), &(_, _, b, _)) in audited.iter().zip(&other) {
                            if let (Some(audited), Some(other)) = (a, b) {
                                self.others_paired[o].push(PairedScore {
                                    cell,
                                    y,
                                    w,
                                    audited,
                                    other,
                                });
                            }
                        }
                    }
                }
            }
        }
        if let Some((ycol, pcol)) = self.spec.regression.clone() {
            self.collect_regression(df, &ycol, &pcol)?;
        }
        let mut note = |reason: &str, k: u64| {
            if k > 0 {
                *self.dropped.entry(reason.to_string()).or_default() += k;
            }
        };
        note("missing label", no_label);
        note("missing prediction", no_pred);
        note("missing sensitive value (--missing drop)", no_group);
        note("missing weight", no_weight);
        Ok(())
    }

    /// Keeps (cell, value, weight) of every used row with a value of row metric `m`.
    fn collect_row_metric(&mut self, df: &DataFrame, m: usize, mcol: &str) -> Result<()> {
        for (c, _, v, w) in self.used_values(df, mcol)? {
            if let Some(v) = v {
                self.row_metric_values[m].push((c, v, w));
            }
        }
        Ok(())
    }

    /// Keeps (score, cell, label, weight) of every used row with a score; past `compact_at`
    /// records, rounds the scores to the grid and merges equal records (see [`round_score`]).
    fn collect_scores(&mut self, used: &[UsedValue]) {
        self.reserve_scores();
        let grid = self.score_grid;
        let mut missing = 0;
        self.scored
            .extend(used.iter().filter_map(|&(cell, y, s, w)| match s {
                Some(score) => Some((grid.map_or(score, |r| round_score(score, r)), cell, y, w)),
                None => {
                    missing += 1;
                    None
                }
            }));
        self.score_missing += missing;
        if self.scored.len() >= self.compact_at {
            self.compact_scores();
        }
    }

    /// Rounds every kept score to the grid and merges records with the same (cell, label,
    /// score), adding their weights: memory then grows with the distinct rounded scores, not the
    /// rows. The merged records are weighted (a weight is then a sum of rows' weights).
    fn compact_scores(&mut self) {
        let r = *self.score_grid.get_or_insert(DEFAULT_RESOLUTION);
        // Records before `merged_prefix` are rounded, sorted and merged already (and weighted:
        // unit records are never merged): only the new tail is rounded and sorted, then the two
        // sorted runs are merged in one sweep.
        let start = self.merged_prefix.min(self.scored.len());
        self.scored =
            ScoredRows::Weighted(with_scored!(std::mem::take(&mut self.scored), |rows| {
                merge_rounded(rows, start, r)
            }));
        self.merged_prefix = self.scored.len();
        self.compact_at = (self.scored.len() * 2).max(if self.spec.score_resolution.is_some() {
            1 << 20
        } else {
            SCORED_LIMIT
        });
    }

    /// Adds every used row's label and prediction to its cell's regression sums.
    fn collect_regression(&mut self, df: &DataFrame, ycol: &str, pcol: &str) -> Result<()> {
        let ys = series(df, ycol)?.f64()?.rechunk();
        let ps = series(df, pcol)?.f64()?.rechunk();
        let ws = match &self.spec.weight {
            Some(w) => Some(series(df, w)?.f64()?.rechunk()),
            None => None,
        };
        let mut wit = ws
            .as_ref()
            .map(|w| w.downcast_iter().flat_map(|a| a.iter()));
        let values = ys
            .downcast_iter()
            .flat_map(|a| a.iter())
            .zip(ps.downcast_iter().flat_map(|a| a.iter()));
        for (i, (y, p)) in values.enumerate() {
            let w = match wit.as_mut() {
                Some(it) => it.next().flatten().copied(),
                None => Some(1.0),
            };
            let c = self.cell[i];
            if self.y[i] == MISSING || self.p[i] == MISSING || c == DROP {
                continue;
            }
            if let (Some(&y), Some(&p), Some(w)) = (y, p, w) {
                if !y.is_finite() || !p.is_finite() {
                    let (what, v) = if y.is_finite() {
                        ("prediction", p)
                    } else {
                        ("label", y)
                    };
                    bail!(
                        "the {what} {v} (data row {}) is not a finite number; regression needs finite labels and predictions",
                        self.rows_read as usize - df.height() + i + 1
                    );
                }
                self.reg[c as usize].add(y, p, w);
                if self.spec.residuals {
                    self.residuals.push((c, p - y, w));
                }
                if self.spec.predictions {
                    if self.scored.capacity() == 0 {
                        self.reserve_scores();
                    }
                    self.scored.push(p, c, 0, w);
                }
            }
        }
        if self.spec.predictions && self.scored.len() >= self.compact_at {
            self.compact_scores();
        }
        Ok(())
    }

    /// (cell, label, value of `col` — `None` if missing or NaN —, weight) of every row of the
    /// batch that the counts used (label, prediction, group and weight present).
    fn used_values(&self, df: &DataFrame, col: &str) -> Result<Vec<UsedValue>> {
        self.used_of(df, series(df, col)?, col)
    }

    /// Other decision-maker `o`'s values for this batch: its column, or the slice of its
    /// aligned series ([`PassSpec::external`]) at this batch's rows.
    fn other_values(&self, df: &DataFrame, o: usize) -> Result<Series> {
        match self.spec.external.get(o).and_then(Option::as_ref) {
            Some(e) => {
                let start = self.rows_read as usize - df.height();
                Ok(e.slice(start as i64, df.height()))
            }
            None => {
                let column = match &self.spec.others[o] {
                    PredSpec::Column(b) => &b.column,
                    PredSpec::Threshold { column, .. } => column,
                };
                Ok(series(df, column)?.clone())
            }
        }
    }

    /// [`Accumulator::used_values`] of the values `values` (a column of the batch, or rows of
    /// an aligned series); `col` names them in messages.
    fn used_of(&self, df: &DataFrame, values: &Series, col: &str) -> Result<Vec<UsedValue>> {
        let values = values.f64()?.rechunk();
        let weights = match &self.spec.weight {
            Some(w) => Some(series(df, w)?.f64()?.rechunk()),
            None => None,
        };
        let mut wit = weights
            .as_ref()
            .map(|w| w.downcast_iter().flat_map(|a| a.iter()));
        let mut out = Vec::with_capacity(df.height());
        for (i, v) in values.downcast_iter().flat_map(|a| a.iter()).enumerate() {
            let w = match wit.as_mut() {
                Some(it) => it.next().flatten().copied(),
                None => Some(1.0),
            };
            let (y, p, c) = (self.y[i], self.p[i], self.cell[i]);
            if y == MISSING || p == MISSING || c == DROP {
                continue;
            }
            if let Some(&x) = v.filter(|x| x.is_infinite()) {
                let what = if self.spec.score.as_deref() == Some(col) {
                    "--score"
                } else if col.starts_with("__o") {
                    "--baseline"
                } else {
                    "--row-metric"
                };
                bail!(
                    "the {what} column has {x} (data row {}): scores and row metrics must be finite numbers (clip infinite log-odds, or mark the value missing)",
                    self.rows_read as usize - df.height() + i + 1
                );
            }
            if let Some(w) = w {
                out.push((c, y, v.copied().filter(|x| !x.is_nan()), w));
            }
        }
        Ok(out)
    }

    fn shift(&self, a: usize) -> u32 {
        self.bits[..a].iter().sum()
    }

    /// Moves the counts to a layout with `new_bits` per attribute.
    fn relayout(&mut self, new_bits: Vec<u32>) {
        let total: u32 = new_bits.iter().sum();
        let size = 4usize << total;
        let mut rows = vec![0u64; size];
        let mut weights = self.weights.as_ref().map(|_| vec![0.0f64; size]);
        let mut reg = if self.spec.regression.is_some() {
            vec![RegSums::default(); size / 4]
        } else {
            Vec::new()
        };
        let old_cells = self.rows.len() / 4;
        for old in 0..old_cells {
            let new = repack(old, &self.bits, &new_bits);
            if let Some(r) = self.reg.get(old) {
                reg[new].merge(r);
            }
            for q in 0..4 {
                rows[(new << 2) | q] += self.rows[(old << 2) | q];
                if let (Some(w), Some(ow)) = (weights.as_mut(), self.weights.as_ref()) {
                    w[(new << 2) | q] += ow[(old << 2) | q];
                }
            }
        }
        for rows in std::iter::once(&mut self.scored).chain(&mut self.others_scored) {
            rows.map_cells(|c| repack(c as usize, &self.bits, &new_bits) as u32);
        }
        for r in self.others_paired.iter_mut().flatten() {
            r.cell = repack(r.cell as usize, &self.bits, &new_bits) as u32;
        }
        // Repacked cells need not keep their order: the next merge sorts everything.
        self.merged_prefix = 0;
        for v in self.row_metric_values.iter_mut().flatten() {
            v.0 = repack(v.0 as usize, &self.bits, &new_bits) as u32;
        }
        for v in &mut self.residuals {
            v.0 = repack(v.0 as usize, &self.bits, &new_bits) as u32;
        }
        self.rows = rows;
        self.weights = weights;
        self.reg = reg;
        self.bits = new_bits;
    }

    /// Finishes the pass.
    pub fn finish(mut self) -> Stats {
        let mut cells = Vec::new();
        let mut regression = Vec::new();
        let mut position = vec![u32::MAX; self.rows.len() / 4];
        for c in 0..self.rows.len() / 4 {
            let rows: [u64; 4] = self.rows[c * 4..c * 4 + 4].try_into().expect("4 quadrants");
            if rows.iter().sum::<u64>() == 0 {
                continue;
            }
            let weight = match &self.weights {
                Some(w) => w[c * 4..c * 4 + 4].try_into().expect("4 quadrants"),
                None => rows.map(|r| r as f64),
            };
            let mut shift = 0;
            let codes = self
                .bits
                .iter()
                .map(|b| {
                    let code = (c >> shift) & ((1usize << b) - 1);
                    shift += b;
                    code as u32
                })
                .collect();
            position[c] = cells.len() as u32;
            if let Some(r) = self.reg.get(c) {
                regression.push(*r);
            }
            cells.push(Cell {
                codes,
                rows,
                weight,
            });
        }
        self.scored.map_cells(|c| position[c as usize]);
        for v in self.row_metric_values.iter_mut().flatten() {
            v.0 = position[v.0 as usize];
        }
        for v in &mut self.residuals {
            v.0 = position[v.0 as usize];
        }
        if self.score_grid.is_some() {
            self.compact_scores();
        }
        let mut others_scored = std::mem::take(&mut self.others_scored);
        let mut others_paired = std::mem::take(&mut self.others_paired);
        if self.score_grid.is_some() {
            others_scored.iter_mut().for_each(ScoredRows::clear);
            others_paired.iter_mut().for_each(Vec::clear);
        }
        for rows in &mut others_scored {
            rows.map_cells(|c| position[c as usize]);
        }
        for r in others_paired.iter_mut().flatten() {
            r.cell = position[r.cell as usize];
        }
        let mut st = Stats {
            keys: self.dicts.into_iter().map(|d| d.keys).collect(),
            cells,
            rows_read: self.rows_read,
            dropped: self.dropped,
            label_positive_seen: self.label_pos_seen,
            pred_positive_seen: self.pred_pos_seen,
            scored: self.scored,
            row_metric_values: self.row_metric_values,
            score_missing: self.score_missing,
            score_resolution: self.score_grid,
            regression,
            residuals: self.residuals,
            others_scored,
            others_paired,
        };
        st.canonicalize();
        st.scored.sort();
        for o in &mut st.others_scored {
            o.sort();
        }
        st
    }
}

/// [`Accumulator::compact_scores`] on records of either shape: `rows[start..]` rounded to the
/// grid `r` and sorted by (cell, label, score), then merged with the merged run `rows[..start]`,
/// records with the same (cell, label, score) added up into one weighted record.
fn merge_rounded<W: Weight>(mut rows: Vec<Scored<W>>, start: usize, r: f64) -> Vec<Scored> {
    fn key<V: Weight>(a: &Scored<V>, b: &Scored<V>) -> std::cmp::Ordering {
        a.cell
            .cmp(&b.cell)
            .then(a.y.cmp(&b.y))
            .then(a.score.total_cmp(&b.score))
    }
    for x in &mut rows[start..] {
        x.score = round_score(x.score, r);
    }
    rows[start..].sort_unstable_by(key);
    let tail = rows.split_off(start);
    let mut out: Vec<Scored> = Vec::with_capacity(rows.len() + tail.len() / 4);
    let mut h = rows.into_iter().map(Scored::weighted).peekable();
    let mut t = tail.into_iter().map(Scored::weighted).peekable();
    loop {
        let next = match (h.peek(), t.peek()) {
            (Some(a), Some(b)) => {
                if key(a, b).is_le() {
                    h.next()
                } else {
                    t.next()
                }
            }
            (Some(_), None) => h.next(),
            (None, Some(_)) => t.next(),
            (None, None) => break,
        }
        .expect("a record");
        match out.last_mut() {
            Some(l) if l.cell == next.cell && l.y == next.y && l.score == next.score => {
                l.w += next.w
            }
            _ => out.push(next),
        }
    }
    out
}

/// A packed cell index under one layout (`from` bits per attribute) moved to another (`to`).
fn repack(old: usize, from: &[u32], to: &[u32]) -> usize {
    let mut new = 0usize;
    let (mut old_shift, mut new_shift) = (0u32, 0u32);
    for (ob, nb) in from.iter().zip(to) {
        let code = (old >> old_shift) & ((1usize << ob) - 1);
        new |= code << new_shift;
        old_shift += ob;
        new_shift += nb;
    }
    new
}

fn bits_for(n: usize) -> u32 {
    if n <= 1 {
        0
    } else {
        usize::BITS - (n - 1).leading_zeros()
    }
}

fn series<'a>(df: &'a DataFrame, name: &str) -> Result<&'a Series> {
    Ok(df.column(name)?.as_materialized_series())
}

/// The 0 / 1 / [`MISSING`] decisions of `spec`'s column in `df`, read as the pass reads them
/// (for `--export-flips`, which lists rows).
pub fn decisions(df: &DataFrame, spec: &PredSpec, na_values: &[String]) -> Result<Vec<u8>> {
    let column = match spec {
        PredSpec::Column(b) => &b.column,
        PredSpec::Threshold { column, .. } => column,
    };
    let mut out = vec![0u8; df.height()];
    decide(series(df, column)?, spec, &NaSet::new(na_values), &mut out)?;
    Ok(out)
}

/// `values` read as `spec` reads its column — a decision column, or a score at a threshold —
/// into 0 / 1 / [`MISSING`]; whether the positive value occurred (always, for scores).
fn decide(values: &Series, spec: &PredSpec, na: &NaSet, out: &mut [u8]) -> Result<bool> {
    match spec {
        PredSpec::Column(b) => encode_binary(values, b, na, out),
        PredSpec::Threshold { threshold, .. } => {
            threshold_scores(values, *threshold, out)?;
            Ok(true)
        }
    }
}

/// Encodes a label or prediction column into 0 / 1 / [`MISSING`]; returns whether the
/// configured positive value occurred. A non-binary column without a positive value is an
/// error listing up to 10 of the values seen.
fn encode_binary(s: &Series, spec: &BinarySpec, na: &NaSet, out: &mut [u8]) -> Result<bool> {
    let positive = spec.positive.as_deref();
    let mut b = Binarize {
        positive,
        positive_number: positive.and_then(|v| v.trim().parse::<f64>().ok()),
        positive_bool: positive.and_then(boolean_text),
        seen: false,
        bad: BTreeSet::new(),
        na,
    };
    match s.dtype() {
        DataType::Boolean => {
            let invert = b.positive_bool == Some(false);
            fill(s.bool()?.downcast_iter().flat_map(|a| a.iter()), out, |v| {
                u8::from(v != invert)
            });
            b.seen = true;
        }
        DataType::Float64 => {
            // 1.0 → 1, 0.0 → 0, anything else (NaN too) → BAD, sorted out by the full rule
            // after. Without branches: labels are unpredictable, and a mispredicted branch per
            // row cost more than the rest of the pass (10^8 rows).
            let fast = |x: f64| u8::from(x == 1.0) | (u8::from(x != 1.0 && x != 0.0) * BAD);
            encode_numbers(s.f64()?.downcast_iter(), out, &mut b, fast, |x| x);
        }
        DataType::Int64 => {
            let fast = |x: i64| u8::from(x == 1) | (u8::from(x != 1 && x != 0) * BAD);
            encode_numbers(s.i64()?.downcast_iter(), out, &mut b, fast, |x| x as f64);
        }
        DataType::String => {
            fill(s.str()?.downcast_iter().flat_map(|a| a.iter()), out, |x| {
                b.text(x)
            });
            b.seen |= positive.is_none();
        }
        DataType::Null => {
            out.fill(MISSING);
            b.seen = positive.is_none();
        }
        other => bail!(
            "{} column '{}' has type {other}; expected 0/1, true/false or class names",
            spec.flag,
            spec.display
        ),
    }
    if !b.bad.is_empty() {
        let vals: Vec<String> = b.bad.iter().map(|v| format!("'{v}'")).collect();
        return Err(NotBinary(format!(
            "{} column '{}' is not binary (values seen include {}); pass {} VALUE to name the positive class, or --task regression / multiclass",
            spec.flag,
            spec.display,
            vals.join(", "),
            spec.positive_flag
        ))
        .into());
    }
    Ok(b.seen)
}

/// Numeric labels: without a positive value and without nulls, a branch-light pass (`fast`)
/// that marks anything not 0/1 as BAD, then the full rule on those rows only.
fn encode_numbers<'a, T: NativeType>(
    arrays: impl Iterator<Item = &'a PrimitiveArray<T>>,
    out: &mut [u8],
    b: &mut Binarize,
    fast: impl Fn(T) -> u8,
    as_f64: impl Fn(T) -> f64,
) {
    let mut i = 0;
    for arr in arrays {
        let o = &mut out[i..i + arr.len()];
        i += arr.len();
        if arr.null_count() == 0 && b.positive_number.is_none() {
            for (o, &x) in o.iter_mut().zip(arr.values().iter()) {
                *o = fast(x);
            }
            if o.contains(&BAD) {
                for (o, &x) in o.iter_mut().zip(arr.values().iter()) {
                    if *o == BAD {
                        *o = b.number(as_f64(x));
                    }
                }
            }
        } else {
            fill(arr.iter().map(|v| v.map(|x| as_f64(*x))), o, |x| {
                b.number(x)
            });
        }
    }
    b.seen |= b.positive_number.is_none();
}

/// 0 where the value is present, MISSING where it is null, NaN or a missing spelling.
fn present(s: &Series, na: &NaSet, out: &mut [u8]) -> Result<()> {
    if let Ok(f) = s.f64() {
        fill(f.iter(), out, |x| if x.is_nan() { MISSING } else { 0 });
    } else if let Ok(t) = s.str() {
        fill(t.iter(), out, |x| if na.contains(x) { MISSING } else { 0 });
    } else {
        let valid = s.is_not_null();
        fill(valid.iter(), out, |v| if v { 0 } else { MISSING });
    }
    Ok(())
}

fn fill<T>(values: impl Iterator<Item = Option<T>>, out: &mut [u8], mut f: impl FnMut(T) -> u8) {
    for (o, v) in out.iter_mut().zip(values) {
        *o = v.map_or(MISSING, &mut f);
    }
}

/// The 0/1 rule for one column: the positive value if given, else 0/1/true/false/yes/no; remembers
/// whether the positive value occurred and up to 10 values that are neither.
struct Binarize<'a> {
    positive: Option<&'a str>,
    positive_number: Option<f64>,
    positive_bool: Option<bool>,
    seen: bool,
    bad: BTreeSet<String>,
    na: &'a NaSet,
}

impl Binarize<'_> {
    fn hit(&mut self, h: bool) -> u8 {
        self.seen |= h;
        u8::from(h)
    }

    fn reject(&mut self, shown: String) -> u8 {
        if self.bad.len() < 10 {
            self.bad.insert(shown);
        }
        0
    }

    fn number(&mut self, x: f64) -> u8 {
        match self.positive_number {
            _ if x.is_nan() => MISSING,
            Some(p) => self.hit(x == p),
            None if x == 1.0 => 1,
            None if x == 0.0 => 0,
            None => self.reject(x.to_string()),
        }
    }

    /// Text: the positive value matches exactly, as the same number (`1` and `1.0`) or as the
    /// same boolean (`TRUE` and `true`); a missing spelling is missing.
    fn text(&mut self, x: &str) -> u8 {
        match self.positive {
            Some(p) => {
                if x == p {
                    return self.hit(true);
                }
                if self.na.contains(x) {
                    return MISSING;
                }
                if let Ok(v) = x.trim().parse::<f64>() {
                    // A number: equal to a numeric positive value, or by the 0/1 rule when the
                    // positive value is a class name (as in a numeric column).
                    if self.positive_number.is_none() {
                        self.seen = true;
                    }
                    return self.number(v);
                }
                if let (Some(pb), Some(v)) = (self.positive_bool, boolean_text(x)) {
                    return self.hit(v == pb);
                }
                0
            }
            None => match natural_binary(x) {
                Some(v) => v,
                None if self.na.contains(x) => MISSING,
                None => self.reject(x.to_string()),
            },
        }
    }
}

/// `true` / `false` in the spellings R, pandas and spreadsheets write (any case), and yes / no.
fn boolean_text(x: &str) -> Option<bool> {
    let t = x.trim();
    if t.eq_ignore_ascii_case("true") || t.eq_ignore_ascii_case("yes") {
        Some(true)
    } else if t.eq_ignore_ascii_case("false") || t.eq_ignore_ascii_case("no") {
        Some(false)
    } else {
        None
    }
}

/// Whether a text value reads as 0 / 1 by the binary rule ([`natural_binary`]).
pub fn binary_text(x: &str) -> Option<u8> {
    natural_binary(x)
}

/// 0/1 spelled as text: the numbers 1 and 0 in any notation (`1`, `1.0`, `0.00`), true / false
/// and yes / no in any case.
fn natural_binary(x: &str) -> Option<u8> {
    match x {
        "1" => return Some(1),
        "0" => return Some(0),
        _ => {}
    }
    if let Some(b) = boolean_text(x) {
        return Some(u8::from(b));
    }
    match x.trim().parse::<f64>() {
        Ok(1.0) => Some(1),
        Ok(0.0) => Some(0),
        _ => None,
    }
}

/// The missing spellings, with a length filter so that most values are ruled out without a
/// string comparison.
pub struct NaSet {
    values: Vec<String>,
    lengths: u64,
}

impl NaSet {
    pub fn new(values: &[String]) -> Self {
        let mut lengths = 0u64;
        for v in values {
            lengths |= 1u64 << v.len().min(63);
        }
        NaSet {
            values: values.to_vec(),
            lengths,
        }
    }

    #[inline]
    pub fn contains(&self, x: &str) -> bool {
        self.lengths & (1u64 << x.len().min(63)) != 0 && self.values.iter().any(|v| v == x)
    }
}

impl Default for NaSet {
    fn default() -> Self {
        NaSet::new(&[])
    }
}

/// A score rounded to the nearest multiple of `r` (monotone: the order of two scores is kept or
/// becomes a tie).
pub fn round_score(s: f64, r: f64) -> f64 {
    (s / r).round() * r
}

/// Predictions `score >= t` (the threshold already in the score column's precision); returns
/// whether every present score was 0 or 1 (a decision rather than a score).
fn threshold_scores(s: &Series, t: f64, out: &mut [u8]) -> Result<bool> {
    let mut i = 0;
    let mut zero_one = true;
    for arr in s.f64()?.downcast_iter() {
        for v in arr.iter() {
            out[i] = match v {
                None => MISSING,
                Some(x) if x.is_nan() => MISSING,
                Some(&x) => {
                    zero_one &= x == 0.0 || x == 1.0;
                    u8::from(x >= t)
                }
            };
            i += 1;
        }
    }
    Ok(zero_one)
}

/// The distinct values of one sensitive attribute, with fast lookups for each column type.
#[derive(Default)]
struct Dict {
    keys: Vec<GroupKey>,
    missing: Option<u32>,
    /// Strings of at most 12 bytes, keyed by their 16-byte Arrow view (length + inline bytes).
    inline: SmallMap<u128>,
    long: HashMap<String, u32, std::hash::BuildHasherDefault<MulHasher>>,
    ints: SmallMap<i64>,
    floats: SmallMap<u64>,
    bools: [Option<u32>; 2],
    /// Texts read as missing; such a text maps to [`NA_CODE`] until the batch is encoded.
    na: NaSet,
    na_seen: bool,
}

/// The largest weight accepted: products of two weights summed over up to 2^64 rows (AUC, row
/// metrics) stay finite below it; rates depend only on ratios of weights, so rescaling a larger
/// column changes nothing.
pub const MAX_WEIGHT: f64 = 1e140;

/// The code of a missing spelling while a batch is encoded (replaced by the missing code).
const NA_CODE: u32 = u32::MAX - 2;

/// A map to codes for the few distinct values sensitive attributes have: a linear scan while
/// there are at most 16, then a hash map with a cheap multiplicative hash.
struct SmallMap<K> {
    few: Vec<(K, u32)>,
    many: HashMap<K, u32, std::hash::BuildHasherDefault<MulHasher>>,
}

impl<K> Default for SmallMap<K> {
    fn default() -> Self {
        SmallMap {
            few: Vec::new(),
            many: HashMap::default(),
        }
    }
}

impl<K: Copy + Eq + std::hash::Hash> SmallMap<K> {
    #[inline]
    fn get(&self, k: K) -> Option<u32> {
        if self.many.is_empty() {
            self.few.iter().find(|(x, _)| *x == k).map(|(_, c)| *c)
        } else {
            self.many.get(&k).copied()
        }
    }

    fn len(&self) -> usize {
        self.few.len() + self.many.len()
    }

    fn insert(&mut self, k: K, code: u32) {
        if self.many.is_empty() && self.few.len() < 16 {
            self.few.push((k, code));
        } else {
            self.many.extend(self.few.drain(..));
            self.many.insert(k, code);
        }
    }
}

/// Fibonacci hashing of the written words; enough for integer keys of a few groups.
#[derive(Default)]
struct MulHasher(u64);

impl std::hash::Hasher for MulHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(w));
        }
    }
    fn write_u64(&mut self, x: u64) {
        self.0 = (self.0.rotate_left(29) ^ x).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn write_u128(&mut self, x: u128) {
        self.write_u64(x as u64);
        self.write_u64((x >> 64) as u64);
    }
    fn write_i64(&mut self, x: i64) {
        self.write_u64(x as u64);
    }
}

impl Dict {
    fn push(&mut self, key: GroupKey) -> u32 {
        self.keys.push(key);
        (self.keys.len() - 1) as u32
    }

    fn missing_code(&mut self) -> u32 {
        match self.missing {
            Some(c) => c,
            None => {
                let c = self.push(GroupKey::Missing);
                self.missing = Some(c);
                c
            }
        }
    }

    /// The code of row `j` of `arr`. Strings of at most 12 bytes are found by their view alone.
    /// Longer ones go through `local`, a per-array cache keyed by the view (equal views of one
    /// array point at equal bytes; dictionary-decoded Parquet repeats views), then by the text.
    #[inline]
    fn code_of_view(
        &mut self,
        arr: &Utf8ViewArray,
        j: usize,
        k: u128,
        len: u32,
        local: &mut SmallMap<u128>,
    ) -> u32 {
        if len <= 12 {
            if let Some(c) = self.inline.get(k) {
                return c;
            }
            let c = self.new_text(arr.value(j));
            self.inline.insert(k, c);
            return c;
        }
        if let Some(c) = local.get(k) {
            return c;
        }
        let v = arr.value(j);
        let c = match self.long.get(v) {
            Some(&c) => c,
            None => {
                let c = self.new_text(v);
                self.long.insert(v.to_string(), c);
                c
            }
        };
        if local.len() < 64 {
            local.insert(k, c);
        }
        c
    }

    /// The code of a string from outside a view array (category texts): by the same key as
    /// [`Dict::code_of_view`] would use, so the same text gets the same code either way.
    fn code_of_str(&mut self, v: &str) -> u32 {
        if v.len() <= 12 {
            let k = View::new_from_bytes(v.as_bytes(), 0, 0).as_u128();
            if let Some(c) = self.inline.get(k) {
                return c;
            }
            let c = self.new_text(v);
            self.inline.insert(k, c);
            return c;
        }
        match self.long.get(v) {
            Some(&c) => c,
            None => {
                let c = self.new_text(v);
                self.long.insert(v.to_string(), c);
                c
            }
        }
    }

    /// A text seen for the first time: a new group, or [`NA_CODE`] for a missing spelling.
    fn new_text(&mut self, v: &str) -> u32 {
        if self.na.contains(v) {
            self.na_seen = true;
            NA_CODE
        } else {
            self.push(GroupKey::Str(v.to_string()))
        }
    }

    fn code_of_int(&mut self, x: i64) -> u32 {
        match self.ints.get(x) {
            Some(c) => c,
            None => {
                let c = self.push(GroupKey::Int(x));
                self.ints.insert(x, c);
                c
            }
        }
    }

    fn code_of_float(&mut self, x: f64) -> u32 {
        let x = if x == 0.0 { 0.0 } else { x };
        match self.floats.get(x.to_bits()) {
            Some(c) => c,
            None => {
                let c = self.push(GroupKey::Float(x));
                self.floats.insert(x.to_bits(), c);
                c
            }
        }
    }

    fn code_of_bool(&mut self, b: bool) -> u32 {
        match self.bools[b as usize] {
            Some(c) => c,
            None => {
                let c = self.push(GroupKey::Bool(b));
                self.bools[b as usize] = Some(c);
                c
            }
        }
    }

    /// Writes each row's code; missing values get `missing` (or the `(missing)` group's code).
    fn encode(
        &mut self,
        s: &Series,
        missing: Option<u32>,
        out: &mut [u32],
        display: &str,
    ) -> Result<()> {
        let mut i = 0usize;
        let miss = |d: &mut Dict| missing.unwrap_or_else(|| d.missing_code());
        match s.dtype() {
            DataType::String => {
                for arr in s.str()?.downcast_iter() {
                    let views = arr.views();
                    let out = &mut out[i..i + views.len()];
                    i += views.len();
                    let validity = arr.validity().filter(|v| v.unset_bits() > 0);
                    let mut local = SmallMap::default();
                    // Direct-mapped cache of this array's views: one multiply and one compare
                    // per row for the few distinct values a sensitive attribute has.
                    let mut cache = [(0u128, u32::MAX); 64];
                    for (j, (o, view)) in out.iter_mut().zip(views.iter()).enumerate() {
                        *o = if validity.is_some_and(|v| !v.get_bit(j)) {
                            miss(self)
                        } else {
                            let k = view.as_u128();
                            let h = (((k as u64) ^ ((k >> 64) as u64)).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize;
                            let (ck, cc) = cache[h];
                            if ck == k && cc != u32::MAX {
                                cc
                            } else {
                                let c = self.code_of_view(arr, j, k, view.length, &mut local);
                                cache[h] = (k, c);
                                c
                            }
                        };
                    }
                }
            }
            DataType::Int64 => {
                for arr in s.i64()?.downcast_iter() {
                    for v in arr.iter() {
                        out[i] = match v {
                            None => miss(self),
                            Some(&x) => self.code_of_int(x),
                        };
                        i += 1;
                    }
                }
            }
            DataType::Float64 => {
                for arr in s.f64()?.downcast_iter() {
                    for v in arr.iter() {
                        out[i] = match v {
                            Some(&x) if !x.is_nan() => self.code_of_float(x),
                            _ => miss(self),
                        };
                        i += 1;
                    }
                }
            }
            DataType::Boolean => {
                for arr in s.bool()?.downcast_iter() {
                    for v in arr.iter() {
                        out[i] = match v {
                            None => miss(self),
                            Some(b) => self.code_of_bool(b),
                        };
                        i += 1;
                    }
                }
            }
            DataType::Null => {
                let m = miss(self);
                out.fill(m);
            }
            d if d.is_categorical() || d.is_enum() => {
                // Category ids → codes through a small table filled on first sight: one lookup
                // per row, each category's text read once per batch.
                let cast;
                let ca = match s.cat32() {
                    Ok(ca) => ca,
                    Err(_) => {
                        cast = s.cast(&DataType::String)?;
                        return self.encode(&cast, missing, out, display);
                    }
                };
                let mapping = ca.get_mapping().clone();
                let mut table: Vec<u32> = Vec::new();
                for arr in ca.physical().downcast_iter() {
                    for v in arr.iter() {
                        out[i] = match v {
                            None => miss(self),
                            Some(&cat) => {
                                let k = cat as usize;
                                match table.get(k) {
                                    Some(&c) if c != u32::MAX => c,
                                    _ => {
                                        let text = mapping.cat_to_str(cat).unwrap_or_default();
                                        let c = self.code_of_str(text);
                                        if table.len() <= k {
                                            table.resize(k + 1, u32::MAX);
                                        }
                                        table[k] = c;
                                        c
                                    }
                                }
                            }
                        };
                        i += 1;
                    }
                }
            }
            other => bail!(
                "--group column '{display}' has type {other}; expected strings, integers, booleans or categories"
            ),
        }
        if self.na_seen {
            let m = miss(self);
            for o in out.iter_mut() {
                if *o == NA_CODE {
                    *o = m;
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(groups: &[&str], weight: Option<&str>) -> PassSpec {
        PassSpec {
            label: Some(BinarySpec {
                column: "y".into(),
                display: "y".into(),
                flag: "--label",
                positive: None,
                positive_flag: "--positive",
            }),
            pred: PredSpec::Column(BinarySpec {
                column: "p".into(),
                display: "p".into(),
                flag: "--pred",
                positive: None,
                positive_flag: "--pred-positive",
            }),
            weight: weight.map(String::from),
            groups: groups.iter().map(|s| s.to_string()).collect(),
            missing: Missing::Group,
            max_groups: 1000,
            score: None,
            score_resolution: None,
            row_metrics: Vec::new(),
            weight_display: weight.map(String::from),
            groups_display: groups.iter().map(|s| s.to_string()).collect(),
            regression: None,
            residuals: false,
            predictions: false,
            classes: false,
            na_values: Default::default(),
            others: Vec::new(),
            external: Vec::new(),
        }
    }

    #[test]
    fn regression_sums_survive_relayout() {
        // Batch 1 has one group, batch 2 three more: the cell layout widens twice.
        let mut sp = spec(&["g"], None);
        sp.regression = Some(("y".into(), "p".into()));
        let mut acc = Accumulator::new(sp);
        let b1 = df!("y" => [1.0, 2.0], "p" => [1.5, 2.0], "g" => ["a", "a"]).unwrap();
        let b2 = df!(
            "y" => [Some(3.0), Some(4.0), None, Some(6.0)],
            "p" => [3.0, 5.0, 1.0, f64::NAN],
            "g" => ["b", "c", "d", "a"]
        )
        .unwrap();
        acc.add(&b1).unwrap();
        acc.add(&b2).unwrap();
        let st = acc.finish();
        assert_eq!(st.regression.len(), st.cells.len());
        let by_group: Vec<(String, RegSums)> = st
            .cells
            .iter()
            .zip(&st.regression)
            .map(|(c, r)| (st.keys[0][c.codes[0] as usize].name(), *r))
            .collect();
        let a = by_group.iter().find(|(g, _)| g == "a").unwrap().1;
        assert_eq!((a.w, a.sum_abs, a.mean_y), (2.0, 0.5, 1.5));
        let c = by_group.iter().find(|(g, _)| g == "c").unwrap().1;
        assert_eq!((c.w, c.sum_res), (1.0, 1.0));
        // The row with a missing label and the row with a NaN prediction are dropped.
        assert_eq!(st.dropped.get("missing label"), Some(&1));
        assert_eq!(st.dropped.get("missing prediction"), Some(&1));
        assert!(by_group.iter().all(|(g, _)| g != "d"));
    }

    #[test]
    fn bits() {
        assert_eq!(bits_for(0), 0);
        assert_eq!(bits_for(1), 0);
        assert_eq!(bits_for(2), 1);
        assert_eq!(bits_for(3), 2);
        assert_eq!(bits_for(4), 2);
        assert_eq!(bits_for(5), 3);
    }

    #[test]
    fn counts_survive_relayout_across_batches() {
        let mut acc = Accumulator::new(spec(&["g", "h"], None));
        let b1 =
            df!("y" => [1.0, 0.0], "p" => [1.0, 1.0], "g" => ["a", "a"], "h" => [1i64, 1]).unwrap();
        let b2 = df!("y" => [1.0, 0.0, 1.0], "p" => [0.0, 0.0, 1.0], "g" => ["b", "c", "a"], "h" => [2i64, 1, 3]).unwrap();
        acc.add(&b1).unwrap();
        acc.add(&b2).unwrap();
        let st = acc.finish();
        assert_eq!(st.rows_read, 5);
        let find = |g: &str, h: i64| {
            let gc = st.keys[0]
                .iter()
                .position(|k| *k == GroupKey::Str(g.into()))
                .unwrap() as u32;
            let hc = st.keys[1]
                .iter()
                .position(|k| *k == GroupKey::Int(h))
                .unwrap() as u32;
            st.cells
                .iter()
                .find(|c| c.codes == [gc, hc])
                .map(|c| c.rows)
        };
        // quadrant index 2*y + p: a&1 has one tp (3) and one fp (1)
        assert_eq!(find("a", 1), Some([0, 1, 0, 1]));
        assert_eq!(find("b", 2), Some([0, 0, 1, 0]));
        assert_eq!(find("c", 1), Some([1, 0, 0, 0]));
        assert_eq!(find("a", 3), Some([0, 0, 0, 1]));
        assert_eq!(find("b", 1), None);
        assert_eq!(st.cells.len(), 4);
    }

    #[test]
    fn missing_values_are_dropped_and_counted() {
        let mut acc = Accumulator::new(spec(&["g"], Some("w")));
        let b = df!(
            "y" => [Some(1.0), None, Some(0.0), Some(1.0)],
            "p" => [Some(1.0), Some(1.0), None, Some(0.0)],
            "g" => [Some("a"), Some("a"), Some("a"), None],
            "w" => [Some(2.5), Some(1.0), Some(1.0), Some(0.5)]
        )
        .unwrap();
        acc.add(&b).unwrap();
        let st = acc.finish();
        assert_eq!(st.dropped["missing label"], 1);
        assert_eq!(st.dropped["missing prediction"], 1);
        assert_eq!(st.keys[0], [GroupKey::Str("a".into()), GroupKey::Missing]);
        assert_eq!(st.cells[0].weight, [0.0, 0.0, 0.0, 2.5]);
        assert_eq!(st.cells[1].weight, [0.0, 0.0, 0.5, 0.0]);
    }

    #[test]
    fn non_binary_label_lists_values() {
        let mut acc = Accumulator::new(spec(&["g"], None));
        let b = df!("y" => ["high", "low", "high"], "p" => [1.0, 0.0, 1.0], "g" => ["a", "a", "b"])
            .unwrap();
        let e = acc.add(&b).unwrap_err().to_string();
        assert!(
            e.contains("'high', 'low'") && e.contains("--positive"),
            "{e}"
        );
        // yes / no, true / false (any case), numbers 1 / 0 in any notation, and missing
        // spellings are binary.
        let mut acc = Accumulator::new(PassSpec {
            na_values: std::sync::Arc::new(vec!["NA".into()]),
            others: Vec::new(),
            external: Vec::new(),
            ..spec(&["g"], None)
        });
        let b = df!(
            "y" => ["yes", "No", "TRUE", "false", "1.00", "0e0", "NA"],
            "p" => [1.0, 0.0, 1.0, 0.0, 1.0, 0.0, 1.0],
            "g" => ["a"; 7]
        )
        .unwrap();
        acc.add(&b).unwrap();
        let st = acc.finish();
        assert_eq!(st.cells[0].rows, [3, 0, 0, 3]);
        assert_eq!(st.rows_read, 7);
    }

    #[test]
    fn unweighted_scores_are_unit_records_until_merged() {
        let batch = df!(
            "y" => [1.0, 0.0, 1.0, 0.0],
            "p" => [1.0, 0.0, 1.0, 1.0],
            "g" => ["a", "b", "a", "b"],
            "s" => [0.31, 0.2, 0.3, 0.2],
            "w" => [1.0; 4]
        )
        .unwrap();
        let pass = |weight: Option<&str>, resolution: Option<f64>| {
            let mut acc = Accumulator::new(PassSpec {
                score: Some("s".into()),
                score_resolution: resolution,
                ..spec(&["g"], weight)
            });
            acc.add(&batch).unwrap();
            acc.finish().scored
        };
        let unit = pass(None, None);
        assert!(matches!(unit, ScoredRows::Unit(_)));
        let weighted = pass(Some("w"), None);
        assert!(matches!(weighted, ScoredRows::Weighted(_)));
        assert_eq!(unit.len(), 4);
        assert!(unit.iter().eq(weighted.iter()));
        // Merged records count rows, so they are weighted whatever the input: a's 0.3 and 0.31
        // (label 1) are one record of weight 2, and so are b's two 0.2 (label 0).
        let merged = pass(None, Some(0.1));
        let ScoredRows::Weighted(m) = &merged else {
            panic!("merged records are weighted")
        };
        assert_eq!(
            m.iter().map(|r| (r.cell, r.y, r.w)).collect::<Vec<_>>(),
            [(1, 0, 2.0), (0, 1, 2.0)]
        );
        assert!(merged.iter().eq(pass(Some("w"), Some(0.1)).iter()));
    }

    #[test]
    fn long_and_short_strings_share_one_dictionary() {
        let mut acc = Accumulator::new(spec(&["g"], None));
        let long = "a group name longer than twelve bytes";
        let b = df!("y" => [1.0, 1.0, 0.0], "p" => [1.0, 1.0, 0.0], "g" => [long, "short", long])
            .unwrap();
        acc.add(&b).unwrap();
        let st = acc.finish();
        assert_eq!(st.keys[0].len(), 2);
        assert_eq!(st.cells[0].rows, [1, 0, 0, 1]);
    }
}
