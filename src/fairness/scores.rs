//! Score metrics per group: ROC AUC (exact, ties count ½, weighted), Brier score and log loss.
//! Formulas, edge cases and references: docs/metrics.md, "Score metrics".
//!
//! The pass keeps one (score, cell, label, weight) record per scored row; this module sorts them
//! once by score and sweeps them for every grouping at the same time.

use crate::stats::Value;

/// One scored row: its score, packed cell index, label (0/1) and weight.
///
/// The weight's type `W` is `f64` (a `--weight` column, a bootstrap multiplicity, or the row
/// count of merged records): 24 bytes a record. Or [`Unit`] when every row weighs 1 (no
/// `--weight`): 16 bytes, so the 10M records of an unweighted audit take 160 MB instead of
/// 240 MB (and fresh pages cost time as well as memory on first touch). The sweeps below are
/// generic over `W` and read the weight through [`Scored::weight`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored<W = f64> {
    pub score: f64,
    pub cell: u32,
    pub y: u8,
    pub w: W,
}

/// The weight of a [`Scored`] record: `f64`, or [`Unit`] (always 1, stored in no bytes).
pub trait Weight: Copy + PartialEq + Send + Sync + std::fmt::Debug {
    /// The weight of a row read with weight `w` (`w` is 1 for [`Unit`]).
    fn of(w: f64) -> Self;
    /// The weight as a number.
    fn get(self) -> f64;
    /// The weight's key in [`sort`]'s order (the last one).
    type Key: Ord + Copy;
    fn key(self) -> Self::Key;
}

/// The weight of a row of an unweighted audit: 1, in no bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Unit;

impl Weight for Unit {
    fn of(w: f64) -> Self {
        debug_assert_eq!(w, 1.0, "a weighted row in unweighted records");
        Unit
    }
    fn get(self) -> f64 {
        1.0
    }
    type Key = ();
    fn key(self) {}
}

impl Weight for f64 {
    fn of(w: f64) -> Self {
        w
    }
    fn get(self) -> f64 {
        self
    }
    type Key = i64;
    fn key(self) -> i64 {
        total_order_key(self)
    }
}

impl<W: Weight> Scored<W> {
    /// The record of a row read with weight `w`.
    pub fn new(score: f64, cell: u32, y: u8, w: f64) -> Self {
        Scored {
            score,
            cell,
            y,
            w: W::of(w),
        }
    }

    /// The record's weight.
    pub fn weight(&self) -> f64 {
        self.w.get()
    }

    /// The same record with its weight as a number.
    pub fn weighted(self) -> Scored {
        Scored {
            score: self.score,
            cell: self.cell,
            y: self.y,
            w: self.weight(),
        }
    }
}

/// The scored records of an input (or of a replicate, or of one side of a comparison), in
/// one of the two shapes of [`Scored`]: 16-byte [`Unit`] records while every row weighs 1,
/// 24-byte weighted ones otherwise. The sweeps are generic over the shape; [`with_scored!`]
/// picks the one in use once per sweep. Code that is not a sweep over every row can read
/// [`ScoredRows::iter`] instead (weighted copies).
#[derive(Debug, Clone)]
pub enum ScoredRows {
    /// No `--weight` and nothing merged or resampled: every weight is 1.
    Unit(Vec<Scored<Unit>>),
    /// Weighted rows, merged records (weight = rows), or a bootstrap replicate's draws.
    Weighted(Vec<Scored>),
}

impl Default for ScoredRows {
    fn default() -> Self {
        ScoredRows::Unit(Vec::new())
    }
}

impl From<Vec<Scored>> for ScoredRows {
    fn from(rows: Vec<Scored>) -> Self {
        ScoredRows::Weighted(rows)
    }
}

impl From<Vec<Scored<Unit>>> for ScoredRows {
    fn from(rows: Vec<Scored<Unit>>) -> Self {
        ScoredRows::Unit(rows)
    }
}

/// Evaluates `$body` with `$rows` bound to the records of a [`ScoredRows`] (`&ScoredRows` or
/// `&mut ScoredRows`) as a `Vec` of either shape: generic code, compiled once per shape, with
/// one match per call instead of one per row.
macro_rules! with_scored {
    ($scored:expr, |$rows:ident| $body:expr) => {
        match $scored {
            $crate::fairness::scores::ScoredRows::Unit($rows) => $body,
            $crate::fairness::scores::ScoredRows::Weighted($rows) => $body,
        }
    };
}
pub(crate) use with_scored;

impl ScoredRows {
    /// Empty records of the shape a pass with (`weighted`) or without a weight column keeps.
    pub fn new(weighted: bool) -> Self {
        if weighted {
            ScoredRows::Weighted(Vec::new())
        } else {
            ScoredRows::Unit(Vec::new())
        }
    }

    pub fn len(&self) -> usize {
        with_scored!(self, |rows| rows.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn capacity(&self) -> usize {
        with_scored!(self, |rows| rows.capacity())
    }

    /// Reserves room for exactly `n` more records.
    pub fn reserve_exact(&mut self, n: usize) {
        with_scored!(self, |rows| rows.reserve_exact(n))
    }

    /// Appends the record of a row read as (score, cell, label, weight); the weight is 1
    /// without `--weight`.
    pub fn push(&mut self, score: f64, cell: u32, y: u8, w: f64) {
        with_scored!(self, |rows| rows.push(Scored::new(score, cell, y, w)))
    }

    /// [`ScoredRows::push`] of every row (one match, not one per row).
    pub fn extend(&mut self, new: impl IntoIterator<Item = (f64, u32, u8, f64)>) {
        with_scored!(self, |rows| rows
            .extend(new.into_iter().map(|(s, c, y, w)| Scored::new(s, c, y, w))))
    }

    /// Removes every record; the shape stays.
    pub fn clear(&mut self) {
        with_scored!(self, |rows| rows.clear())
    }

    /// Every record, with its weight as a number, in order.
    pub fn iter(&self) -> Iter<'_> {
        match self {
            ScoredRows::Unit(rows) => Iter::Unit(rows.iter()),
            ScoredRows::Weighted(rows) => Iter::Weighted(rows.iter()),
        }
    }

    /// Replaces each record's cell `c` by `f(c)`.
    pub fn map_cells(&mut self, mut f: impl FnMut(u32) -> u32) {
        with_scored!(self, |rows| rows
            .iter_mut()
            .for_each(|r| r.cell = f(r.cell)))
    }

    /// The records whose cell `c` has `f(c)`, with that cell, sorted by [`sort`]; same shape.
    pub fn filter_map_cells(&self, f: impl Fn(u32) -> Option<u32>) -> ScoredRows {
        fn kept<W: Weight>(rows: &[Scored<W>], f: impl Fn(u32) -> Option<u32>) -> Vec<Scored<W>> {
            let mut out: Vec<Scored<W>> = rows
                .iter()
                .filter_map(|r| {
                    Some(Scored {
                        cell: f(r.cell)?,
                        ..*r
                    })
                })
                .collect();
            sort(&mut out);
            out
        }
        match self {
            ScoredRows::Unit(rows) => ScoredRows::Unit(kept(rows, f)),
            ScoredRows::Weighted(rows) => ScoredRows::Weighted(kept(rows, f)),
        }
    }

    /// Sorts the records by [`sort`].
    pub fn sort(&mut self) {
        with_scored!(self, |rows| sort(rows))
    }
}

/// [`ScoredRows::iter`]: the records of either shape as weighted copies.
pub enum Iter<'a> {
    Unit(std::slice::Iter<'a, Scored<Unit>>),
    Weighted(std::slice::Iter<'a, Scored>),
}

impl Iterator for Iter<'_> {
    type Item = Scored;

    fn next(&mut self) -> Option<Scored> {
        match self {
            Iter::Unit(it) => it.next().map(|r| r.weighted()),
            Iter::Weighted(it) => it.next().copied(),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        match self {
            Iter::Unit(it) => it.size_hint(),
            Iter::Weighted(it) => it.size_hint(),
        }
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Scored> {
        match self {
            Iter::Unit(it) => it.next_back().map(|r| r.weighted()),
            Iter::Weighted(it) => it.next_back().copied(),
        }
    }
}

impl ExactSizeIterator for Iter<'_> {}

/// The score metrics of one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreMetrics {
    pub roc_auc: Value,
    pub brier_score: Value,
    pub log_loss: Value,
    pub expected_calibration_error: Value,
    /// Borkan et al.'s background-positive, subgroup-negative AUC.
    pub bpsn_auc: Value,
    /// Background-negative, subgroup-positive AUC.
    pub bnsp_auc: Value,
    /// With rounded scores: the most `roc_auc` can differ from the AUC of the exact scores.
    pub roc_auc_max_error: Option<f64>,
}

/// The names, in report order.
pub const SCORE_METRICS: [&str; 6] = [
    "roc_auc",
    "bpsn_auc",
    "bnsp_auc",
    "brier_score",
    "log_loss",
    "expected_calibration_error",
];

impl ScoreMetrics {
    pub fn values(&self) -> [(&'static str, Value); 6] {
        [
            ("roc_auc", self.roc_auc),
            ("bpsn_auc", self.bpsn_auc),
            ("bnsp_auc", self.bnsp_auc),
            ("brier_score", self.brier_score),
            ("log_loss", self.log_loss),
            (
                "expected_calibration_error",
                self.expected_calibration_error,
            ),
        ]
    }
}

const NO_POS: &str = "no positive labels among the scored rows";
const NO_NEG: &str = "no negative labels among the scored rows";
const NO_ROWS: &str = "no scored rows with positive weight";
const NO_BG_POS: &str = "no positive labels outside the group (background)";
const NO_BG_NEG: &str = "no negative labels outside the group (background)";
const NOT_PROB: &str = "scores outside [0, 1] are not probabilities";

/// With scores rounded to a grid: per group, half the weight share of positive–negative pairs
/// whose rounded scores are equal, Σ_b P_b·N_b / (2·P·N) over tie blocks b. Rounding keeps the
/// order of every pair of scores or makes it a tie (counted ½), so this bounds |AUC(rounded) −
/// AUC(exact)|. `None` for a group without both labels.
pub fn auc_rounding_bound<W: Weight>(
    rows: &[Scored<W>],
    n_groups: usize,
    group_of: impl Fn(u32) -> usize,
) -> Vec<Option<f64>> {
    let (mut same, mut pos, mut neg) = (
        vec![0.0f64; n_groups],
        vec![0.0f64; n_groups],
        vec![0.0f64; n_groups],
    );
    let mut sums = BlockSums::new(n_groups);
    for block in tie_blocks(rows) {
        for r in block {
            sums.add(group_of(r.cell), r.weight(), f64::from(r.y));
        }
        for &g in &sums.groups {
            same[g] += sums.pos[g] * sums.neg[g];
            pos[g] += sums.pos[g];
            neg[g] += sums.neg[g];
        }
        sums.clear();
    }
    (0..n_groups)
        .map(|g| (pos[g] > 0.0 && neg[g] > 0.0).then(|| same[g] / (2.0 * pos[g] * neg[g])))
        .collect()
}

/// The runs of records with equal scores (tie blocks) of rows sorted by [`sort`].
fn tie_blocks<W: Weight>(rows: &[Scored<W>]) -> impl DoubleEndedIterator<Item = &[Scored<W>]> {
    rows.chunk_by(|a, b| a.score == b.score)
}

/// One tie block's weight of positives (`pos`) and of negatives (`neg`) per group, and the
/// groups with rows in it (`groups`, in the order of their first row), for the sweeps that close
/// a block group by group (AUC, BPSN / BNSP, xAUC, the rounding bound). A flag marks a listed
/// group: a row of weight 0 leaves both sums 0, and testing the sums listed its group twice.
struct BlockSums {
    pos: Vec<f64>,
    neg: Vec<f64>,
    groups: Vec<usize>,
    listed: Vec<bool>,
}

impl BlockSums {
    fn new(n_groups: usize) -> BlockSums {
        BlockSums {
            pos: vec![0.0; n_groups],
            neg: vec![0.0; n_groups],
            groups: Vec::new(),
            listed: vec![false; n_groups],
        }
    }

    /// A row of group `g` with weight `w` and label `y` (0 or 1). No branch on the label (it is
    /// unpredictable): the other sum gets + 0, which leaves it as it is.
    fn add(&mut self, g: usize, w: f64, y: f64) {
        if !self.listed[g] {
            self.listed[g] = true;
            self.groups.push(g);
        }
        self.pos[g] += w * y;
        self.neg[g] += w * (1.0 - y);
    }

    /// Empties the block for the next one.
    fn clear(&mut self) {
        for g in self.groups.drain(..) {
            self.listed[g] = false;
            self.pos[g] = 0.0;
            self.neg[g] = 0.0;
        }
    }
}

/// The ROC curve of each of `n_groups` groups: (false positive rate, true positive rate) after
/// tie blocks of scores, from the highest score down, starting at (0, 0) and ending at (1, 1);
/// weighted; a tie block is one step (a diagonal segment, as in scikit-learn's `roc_curve`). A
/// point is kept once the curve has moved `step` (in FPR + TPR) since the last kept one, so a
/// curve has at most 2 / `step` + 2 points whatever the rows. Empty for a group without both
/// labels. `rows` must be sorted by [`sort`]. One pass, no copy of the rows.
pub fn roc_curves<W: Weight>(
    rows: &[Scored<W>],
    n_groups: usize,
    group_of: impl Fn(u32) -> usize,
    step: f64,
) -> Vec<Vec<(f64, f64)>> {
    let (mut p, mut n) = (vec![0.0f64; n_groups], vec![0.0f64; n_groups]);
    for r in rows {
        let g = group_of(r.cell);
        if r.y == 1 {
            p[g] += r.weight();
        } else {
            n[g] += r.weight();
        }
    }
    let (mut tp, mut fp) = (vec![0.0f64; n_groups], vec![0.0f64; n_groups]);
    let mut curves: Vec<Vec<(f64, f64)>> = vec![vec![(0.0, 0.0)]; n_groups];
    let mut last = vec![(0.0f64, 0.0f64); n_groups];
    let mut touched: Vec<usize> = Vec::new();
    let mut is_touched = vec![false; n_groups];
    for block in tie_blocks(rows).rev() {
        for r in block {
            let g = group_of(r.cell);
            if !is_touched[g] {
                is_touched[g] = true;
                touched.push(g);
            }
            if r.y == 1 {
                tp[g] += r.weight();
            } else {
                fp[g] += r.weight();
            }
        }
        for g in touched.drain(..) {
            is_touched[g] = false;
            if p[g] > 0.0 && n[g] > 0.0 {
                let pt = (fp[g] / n[g], tp[g] / p[g]);
                if (pt.0 - last[g].0).abs() + (pt.1 - last[g].1).abs() >= step {
                    curves[g].push(pt);
                    last[g] = pt;
                }
            }
        }
    }
    curves
        .into_iter()
        .enumerate()
        .map(|(g, mut c)| {
            if !(p[g] > 0.0 && n[g] > 0.0) {
                return Vec::new();
            }
            let end = (fp[g] / n[g], tp[g] / p[g]);
            if c.last() != Some(&end) {
                c.push(end);
            }
            c
        })
        .collect()
}

/// Sorts the records by score. The order is total (score, cell, label, weight; numbers in
/// `f64::total_cmp`'s order), so equal keys are identical records and every later sum is the
/// same, run after run and whatever the number of threads sorting (in parallel). The key is a
/// tuple of integers: compared with `<` rather than through `Ordering`s, 15% faster on 10M
/// records.
pub fn sort<W: Weight>(rows: &mut [Scored<W>]) {
    use rayon::prelude::*;
    rows.par_sort_unstable_by_key(|r| (total_order_key(r.score), r.cell, r.y, r.w.key()));
}

/// An integer in the order of `f64::total_cmp` (its own mapping): negative numbers' magnitude
/// bits flipped, so that the bits compare as a signed integer.
pub fn total_order_key(x: f64) -> i64 {
    let bits = x.to_bits() as i64;
    bits ^ ((((bits >> 63) as u64) >> 1) as i64)
}

/// AUC, Brier score and log loss of `n_groups` groups, where `group_of(cell)` gives a cell's group;
/// `rows` must be sorted by [`sort`].
///
/// AUC_g = Σ_{positive i in g} w_i · (Σ_{negative j in g, s_j < s_i} w_j + ½ Σ_{negative j in g,
/// s_j = s_i} w_j) / (P_g · N_g), the weighted Mann–Whitney statistic, which equals the area under
/// the weighted ROC curve with ties as diagonal segments (scikit-learn's `roc_auc_score`).
pub fn ranking<W: Weight>(
    rows: &[Scored<W>],
    n_groups: usize,
    group_of: impl Fn(u32) -> usize,
) -> Vec<ScoreMetrics> {
    let mut pos = vec![0.0f64; n_groups];
    let mut neg = vec![0.0f64; n_groups];
    let mut num = vec![0.0f64; n_groups];
    let mut brier = vec![0.0f64; n_groups];
    let mut logl = vec![0.0f64; n_groups];
    let mut outside = vec![false; n_groups];
    let mut sums = BlockSums::new(n_groups);
    // Totals for Borkan's BPSN / BNSP: positives and negatives per group and overall.
    let (mut ptot, mut ntot) = (vec![0.0f64; n_groups], vec![0.0f64; n_groups]);
    // The labels are unpredictable: no branch on them below, the other sum gets + 0 (which
    // leaves it as it is).
    for r in rows {
        let g = group_of(r.cell);
        let (w, y) = (r.weight(), f64::from(r.y));
        ptot[g] += w * y;
        ntot[g] += w * (1.0 - y);
    }
    let (p_all, n_all): (f64, f64) = (ptot.iter().sum(), ntot.iter().sum());
    // Running: all positives / negatives below the current block; BPSN / BNSP numerators.
    let (mut pos_below, mut neg_below) = (0.0f64, 0.0f64);
    let (mut bpsn, mut bnsp) = (vec![0.0f64; n_groups], vec![0.0f64; n_groups]);
    let eps = f64::EPSILON;
    for block in tie_blocks(rows) {
        let s = block[0].score;
        for &r in block {
            let g = group_of(r.cell);
            let (w, y) = (r.weight(), f64::from(r.y));
            sums.add(g, w, y);
            brier[g] += w * (s - y) * (s - y);
            let p = s.clamp(eps, 1.0 - eps);
            // ln p for a positive, ln(1 − p) for a negative: one logarithm, of a selected value.
            let likelihood = if r.y == 1 { p } else { 1.0 - p };
            logl[g] -= w * likelihood.ln();
            outside[g] |= !(0.0..=1.0).contains(&s);
        }
        let (bpos, bneg) = (&sums.pos, &sums.neg);
        let bp_all: f64 = sums.groups.iter().map(|&g| bpos[g]).sum();
        let bn_all: f64 = sums.groups.iter().map(|&g| bneg[g]).sum();
        for &g in &sums.groups {
            // BPSN: this block's subgroup negatives against background positives above + ½ tied.
            let bg_pos_above = (p_all - pos_below - bp_all) - (ptot[g] - pos[g] - bpos[g]);
            bpsn[g] += bneg[g] * (bg_pos_above + 0.5 * (bp_all - bpos[g]));
            // BNSP: this block's subgroup positives against background negatives below + ½ tied.
            bnsp[g] += bpos[g] * ((neg_below - neg[g]) + 0.5 * (bn_all - bneg[g]));
            num[g] += bpos[g] * (neg[g] + 0.5 * bneg[g]);
            pos[g] += bpos[g];
            neg[g] += bneg[g];
        }
        sums.clear();
        pos_below += bp_all;
        neg_below += bn_all;
    }
    (0..n_groups)
        .map(|g| {
            let total = pos[g] + neg[g];
            let roc_auc = if pos[g] <= 0.0 {
                Err(NO_POS)
            } else if neg[g] <= 0.0 {
                Err(NO_NEG)
            } else {
                Ok(num[g] / (pos[g] * neg[g]))
            };
            let mean = |sum: f64| -> Value {
                if total <= 0.0 {
                    Err(NO_ROWS)
                } else if outside[g] {
                    Err(NOT_PROB)
                } else {
                    Ok(sum / total)
                }
            };
            let (bg_pos, bg_neg) = (p_all - ptot[g], n_all - ntot[g]);
            let bpsn_auc = if bg_pos <= 0.0 {
                Err(NO_BG_POS)
            } else if ntot[g] <= 0.0 {
                Err(NO_NEG)
            } else {
                Ok(bpsn[g] / (bg_pos * ntot[g]))
            };
            let bnsp_auc = if bg_neg <= 0.0 {
                Err(NO_BG_NEG)
            } else if ptot[g] <= 0.0 {
                Err(NO_POS)
            } else {
                Ok(bnsp[g] / (ptot[g] * bg_neg))
            };
            ScoreMetrics {
                roc_auc,
                brier_score: mean(brier[g]),
                log_loss: mean(logl[g]),
                expected_calibration_error: Err("not computed"),
                bpsn_auc,
                bnsp_auc,
                roc_auc_max_error: None,
            }
        })
        .collect()
}

/// A record, for tests: `sc(score, cell, y, w)`.
#[cfg(test)]
pub(crate) fn sc(score: f64, cell: u32, y: u8, w: f64) -> Scored {
    Scored { score, cell, y, w }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(score: f64, cell: u32, y: u8) -> Scored {
        Scored {
            score,
            cell,
            y,
            w: 1.0,
        }
    }

    #[test]
    fn a_row_of_weight_zero_changes_nothing() {
        // Group a (cell 0): 0.5 n of weight 0 tied with 0.5 p, 0.2 n, 0.9 p; group b (cell 1):
        // 0.8 p, 0.7 n, 0.3 n. By hand, b's negatives below a's positives: 0.7 < 0.9,
        // 0.3 < 0.5, 0.3 < 0.9, not 0.7 < 0.5 → BPSN_b = 3/4; a's positives above b's
        // negatives, the same pairs → BNSP_a = 3/4; b's positive 0.8 above a's negative 0.2 →
        // BNSP_b = BPSN_a = 1.
        // The weight-0 row sorts first in its tie block: its group was listed twice there.
        let b_rows = [sc(0.8, 1, 1, 1.0), sc(0.7, 1, 0, 1.0), sc(0.3, 1, 0, 1.0)];
        let a_rows = [sc(0.5, 0, 1, 1.0), sc(0.2, 0, 0, 1.0), sc(0.9, 0, 1, 1.0)];
        let mut without: Vec<Scored> = a_rows.iter().chain(&b_rows).copied().collect();
        let mut with = without.clone();
        with.push(sc(0.5, 0, 0, 0.0));
        sort(&mut without);
        sort(&mut with);
        let m = ranking(&with, 2, |c| c as usize);
        assert_eq!(m, ranking(&without, 2, |c| c as usize));
        assert_eq!(m[1].bpsn_auc, Ok(0.75));
        assert_eq!(m[0].bnsp_auc, Ok(0.75));
        assert_eq!(m[1].bnsp_auc, Ok(1.0));
        assert_eq!(m[0].bpsn_auc, Ok(1.0));
        assert_eq!(
            auc_rounding_bound(&with, 2, |c| c as usize),
            auc_rounding_bound(&without, 2, |c| c as usize)
        );
    }

    #[test]
    fn roc_curve_by_hand_with_a_tie_as_one_diagonal_step() {
        // Group 0: 0.8 p, 0.4 n, 0.35 p, 0.1 n → (0,0) (0,½) (½,½) (½,1) (1,1), as sklearn's
        // roc_curve(drop_intermediate=False). Group 1: a tie of one positive and one negative
        // at 0.5 → one diagonal step (0,0) → (1,1). Group 2: no negative → no curve.
        let mut rows = vec![
            rec(0.8, 0, 1),
            rec(0.4, 0, 0),
            rec(0.35, 0, 1),
            rec(0.1, 0, 0),
            rec(0.5, 1, 1),
            rec(0.5, 1, 0),
            rec(0.7, 2, 1),
        ];
        sort(&mut rows);
        let c = roc_curves(&rows, 3, |c| c as usize, 1e-9);
        assert_eq!(
            c[0],
            vec![(0.0, 0.0), (0.0, 0.5), (0.5, 0.5), (0.5, 1.0), (1.0, 1.0)]
        );
        assert_eq!(c[1], vec![(0.0, 0.0), (1.0, 1.0)]);
        assert!(c[2].is_empty());
        // A coarse step keeps fewer points, always the first and the last.
        let coarse = roc_curves(&rows, 3, |c| c as usize, 0.9);
        assert_eq!(coarse[0], vec![(0.0, 0.0), (0.5, 0.5), (1.0, 1.0)]);
    }

    fn rows(v: &[(f64, u8, f64)]) -> Vec<Scored> {
        let mut r: Vec<Scored> = v
            .iter()
            .map(|&(score, y, w)| Scored {
                score,
                cell: 0,
                y,
                w,
            })
            .collect();
        sort(&mut r);
        r
    }

    /// Brute force over all positive–negative pairs.
    fn auc_pairs(v: &[(f64, u8, f64)]) -> f64 {
        let (mut num, mut den) = (0.0, 0.0);
        for a in v.iter().filter(|x| x.1 == 1) {
            for b in v.iter().filter(|x| x.1 == 0) {
                let credit = if a.0 > b.0 {
                    1.0
                } else if a.0 == b.0 {
                    0.5
                } else {
                    0.0
                };
                num += a.2 * b.2 * credit;
                den += a.2 * b.2;
            }
        }
        num / den
    }

    #[test]
    fn auc_by_hand_with_ties() {
        // positives 0.8, 0.4; negatives 0.4, 0.1: pairs (0.8>0.4) (0.8>0.1) (0.4=0.4 → ½) (0.4>0.1)
        let v = [(0.8, 1, 1.0), (0.4, 1, 1.0), (0.4, 0, 1.0), (0.1, 0, 1.0)];
        let m = ranking(&rows(&v), 1, |_| 0)[0];
        assert_eq!(m.roc_auc, Ok(3.5 / 4.0));
        // Brier: (0.04 + 0.36 + 0.16 + 0.01) / 4
        assert!((m.brier_score.unwrap() - 0.57 / 4.0).abs() < 1e-15);
        let ll = -(0.8f64.ln() + 0.4f64.ln() + 0.6f64.ln() + 0.9f64.ln()) / 4.0;
        assert!((m.log_loss.unwrap() - ll).abs() < 1e-15);
    }

    #[test]
    fn weighted_auc_equals_pairwise_brute_force() {
        let v: Vec<(f64, u8, f64)> = (0..200)
            .map(|i| {
                let s = ((i * 37) % 11) as f64 / 10.0;
                let y = ((i * 13) % 3 == 0) as u8;
                let w = 0.5 + ((i * 7) % 5) as f64;
                (s, y, w)
            })
            .collect();
        let got = ranking(&rows(&v), 1, |_| 0)[0].roc_auc.unwrap();
        assert!(
            (got - auc_pairs(&v)).abs() < 1e-12,
            "{got} vs {}",
            auc_pairs(&v)
        );
    }

    #[test]
    fn undefined_cases() {
        let m = ranking(&rows(&[(0.3, 0, 1.0), (0.6, 0, 1.0)]), 1, |_| 0)[0];
        assert_eq!(m.roc_auc, Err(NO_POS));
        assert!(m.brier_score.is_ok());
        let m = ranking(&rows(&[(1.5, 1, 1.0), (0.2, 0, 1.0)]), 1, |_| 0)[0];
        assert_eq!(m.roc_auc, Ok(1.0));
        assert_eq!(m.brier_score, Err(NOT_PROB));
        assert_eq!(m.log_loss, Err(NOT_PROB));
        let m = ranking(&rows(&[(0.5, 1, 0.0), (0.2, 0, 0.0)]), 1, |_| 0)[0];
        assert_eq!(m.brier_score, Err(NO_ROWS));
    }

    #[test]
    fn total_order_key_orders_as_total_cmp() {
        let xs = [
            f64::NEG_INFINITY,
            -1e300,
            -1.0,
            -f64::MIN_POSITIVE,
            -5e-324,
            -0.0,
            0.0,
            5e-324,
            0.3,
            1.0,
            f64::INFINITY,
            f64::NAN,
            -f64::NAN,
        ];
        for a in xs {
            for b in xs {
                assert_eq!(
                    total_order_key(a).cmp(&total_order_key(b)),
                    a.total_cmp(&b),
                    "{a} {b}"
                );
            }
        }
    }

    #[test]
    fn unit_records_sweep_as_weight_one() {
        assert_eq!(std::mem::size_of::<Scored<Unit>>(), 16);
        assert_eq!(std::mem::size_of::<Scored>(), 24);
        // Ties within and across groups and labels, scores outside [0, 1] in group 2.
        let weighted: Vec<Scored> = (0..300u32)
            .map(|i| {
                let s = ((i * 37) % 13) as f64 / 12.0 + if i % 7 == 2 { 0.5 } else { 0.0 };
                sc(s, i % 3, ((i * 11) % 5 < 2) as u8, 1.0)
            })
            .collect();
        let mut unit: Vec<Scored<Unit>> = weighted
            .iter()
            .map(|r| Scored::new(r.score, r.cell, r.y, 1.0))
            .collect();
        let mut weighted = weighted;
        sort(&mut weighted);
        sort(&mut unit);
        assert!(unit
            .iter()
            .map(|r| r.weighted())
            .eq(weighted.iter().copied()));
        let g = |c: u32| c as usize;
        assert_eq!(ranking(&unit, 3, g), ranking(&weighted, 3, g));
        for binning in [Binning::EqualWidth, Binning::EqualMass] {
            assert_eq!(
                calibration(&unit, 3, g, 4, binning),
                calibration(&weighted, 3, g, 4, binning)
            );
        }
        assert_eq!(xauc(&unit, 3, g), xauc(&weighted, 3, g));
        assert_eq!(
            roc_curves(&unit, 3, g, 0.01),
            roc_curves(&weighted, 3, g, 0.01)
        );
        assert_eq!(
            auc_rounding_bound(&unit, 3, g),
            auc_rounding_bound(&weighted, 3, g)
        );
        let rows = ScoredRows::from(unit);
        assert!(rows.iter().eq(weighted.iter().copied()));
        assert!(rows.iter().rev().eq(weighted.iter().rev().copied()));
    }

    #[test]
    fn groups_are_independent() {
        let mut r = vec![
            sc(0.9, 0, 1, 1.0),
            sc(0.1, 0, 0, 1.0),
            sc(0.2, 1, 1, 1.0),
            sc(0.8, 1, 0, 1.0),
        ];
        sort(&mut r);
        let m = ranking(&r, 2, |c| c as usize);
        assert_eq!(m[0].roc_auc, Ok(1.0));
        assert_eq!(m[1].roc_auc, Ok(0.0));
        // Pooled: positives 0.9, 0.2 against negatives 0.1, 0.8 → 3 of 4 pairs ordered.
        let all = ranking(&r, 1, |_| 0);
        assert_eq!(all[0].roc_auc, Ok(0.75));
    }
}

pub use crate::stats::Binning;

/// One bin of a reliability table.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Bin {
    /// Bin number, from 0.
    pub bin: usize,
    /// The lowest and highest score in the bin.
    pub min_score: f64,
    pub max_score: f64,
    pub rows: u64,
    pub weight: f64,
    /// Weighted mean score (confidence).
    pub mean_score: f64,
    /// Weighted share of positive labels (accuracy of the probability).
    pub fraction_positive: f64,
}

/// Reliability tables per group (empty bins are left out) and the expected calibration error
/// ECE = Σ_b (W_b / W) |fraction_positive_b − mean_score_b|. `rows` must be sorted by [`sort`].
pub fn calibration<W: Weight>(
    rows: &[Scored<W>],
    n_groups: usize,
    group_of: impl Fn(u32) -> usize,
    bins: usize,
    binning: Binning,
) -> Vec<(Value, Vec<Bin>)> {
    let mut count = vec![0u64; n_groups];
    let mut outside = vec![false; n_groups];
    // The rows are sorted (total order): when the first and the last score are in [0, 1], every
    // score is, and equal-width bins need neither the counts nor this first pass.
    let in_unit = |r: Option<&Scored<W>>| r.is_none_or(|r| (0.0..=1.0).contains(&r.score));
    if matches!(binning, Binning::EqualMass) || !(in_unit(rows.first()) && in_unit(rows.last())) {
        for r in rows {
            let g = group_of(r.cell);
            count[g] += 1;
            outside[g] |= !(0.0..=1.0).contains(&r.score);
        }
    }
    let mut seen = vec![0u64; n_groups];
    // Per group, per bin; mean_score and fraction_positive hold Σ w·s and Σ w·y until the end.
    let empty = |k: usize| Bin {
        bin: k,
        min_score: f64::INFINITY,
        max_score: f64::NEG_INFINITY,
        rows: 0,
        weight: 0.0,
        mean_score: 0.0,
        fraction_positive: 0.0,
    };
    let mut acc: Vec<Vec<Bin>> = (0..n_groups)
        .map(|_| (0..bins).map(empty).collect())
        .collect();
    // Equal mass: the group's rank of the first row of the current run of equal scores (a tie
    // block), and that score; a whole run goes to the bin of its first row.
    let (mut run_start, mut run_score) = (vec![0u64; n_groups], vec![f64::NAN; n_groups]);
    for r in rows {
        let g = group_of(r.cell);
        if outside[g] {
            continue;
        }
        let b = match binning {
            Binning::EqualWidth => ((r.score * bins as f64) as usize).min(bins - 1),
            Binning::EqualMass => {
                // Equal as `tie_blocks` (==): NaN never ties, -0.0 ties 0.0.
                if r.score != run_score[g] {
                    (run_start[g], run_score[g]) = (seen[g], r.score);
                }
                (run_start[g] as u128 * bins as u128 / count[g] as u128) as usize
            }
        };
        seen[g] += 1;
        let e = &mut acc[g][b];
        e.rows += 1;
        e.weight += r.weight();
        e.mean_score += r.weight() * r.score;
        e.fraction_positive += r.weight() * f64::from(r.y);
        e.min_score = e.min_score.min(r.score);
        e.max_score = e.max_score.max(r.score);
    }
    acc.into_iter()
        .enumerate()
        .map(|(g, group_bins)| {
            if outside[g] {
                return (Err(NOT_PROB), Vec::new());
            }
            let table: Vec<Bin> = group_bins
                .into_iter()
                .filter(|e| e.rows > 0)
                .map(|mut e| {
                    // A bin whose rows all have weight 0 has no means; it reports 0 and counts for nothing.
                    if e.weight > 0.0 {
                        e.mean_score /= e.weight;
                        e.fraction_positive /= e.weight;
                    }
                    e
                })
                .collect();
            let total: f64 = table.iter().map(|b| b.weight).sum();
            let ece = if total <= 0.0 {
                Err(NO_ROWS)
            } else {
                Ok(table
                    .iter()
                    .map(|b| b.weight / total * (b.fraction_positive - b.mean_score).abs())
                    .sum())
            };
            (ece, table)
        })
        .collect()
}

#[cfg(test)]
mod calibration_tests {
    use super::*;

    fn rows(v: &[(f64, u8)]) -> Vec<Scored> {
        let mut r: Vec<Scored> = v
            .iter()
            .map(|&(score, y)| Scored {
                score,
                cell: 0,
                y,
                w: 1.0,
            })
            .collect();
        sort(&mut r);
        r
    }

    #[test]
    fn ece_by_hand_equal_width() {
        // 2 bins: [0, 0.5): scores 0.1, 0.3 with labels 0, 1 → conf 0.2, acc 0.5;
        //         [0.5, 1]: scores 0.6, 0.8, 1.0 with labels 1, 1, 0 → conf 0.8, acc 2/3.
        // ECE = 2/5 · 0.3 + 3/5 · |2/3 − 0.8| = 0.12 + 0.08 = 0.2
        let r = rows(&[(0.1, 0), (0.3, 1), (0.6, 1), (0.8, 1), (1.0, 0)]);
        let (ece, table) = calibration(&r, 1, |_| 0, 2, Binning::EqualWidth).remove(0);
        assert!((ece.unwrap() - 0.2).abs() < 1e-15);
        assert_eq!(table.len(), 2);
        assert_eq!(table[1].rows, 3);
        assert_eq!(table[1].max_score, 1.0);
        assert!((table[0].mean_score - 0.2).abs() < 1e-15);
    }

    #[test]
    fn ece_by_hand_equal_mass() {
        // 4 rows, 2 bins of 2 rows: (0.1, 0.2 | labels 0, 0) conf 0.15 acc 0;
        // (0.7, 0.9 | labels 1, 0) conf 0.8 acc 0.5 → ECE = ½ · 0.15 + ½ · 0.3 = 0.225
        let r = rows(&[(0.9, 0), (0.1, 0), (0.7, 1), (0.2, 0)]);
        let (ece, table) = calibration(&r, 1, |_| 0, 2, Binning::EqualMass).remove(0);
        assert!((ece.unwrap() - 0.225).abs() < 1e-15);
        assert_eq!((table[0].rows, table[1].rows), (2, 2));
    }

    #[test]
    fn equal_mass_keeps_tied_scores_in_one_bin() {
        // 4 rows at 0.3, half positive, and 0.8 (label 1), 2 bins of 2.5 rows: the tie starts
        // at rank 0 and fills bin 0 whatever the labels' order (it was split by label: the two
        // negatives sorted first in bin 0, the positives in bin 1). Bin 0: conf 0.3, acc ½;
        // bin 1: 0.8, 1 → ECE = 4/5 · 0.2 + 1/5 · 0.2 = 0.2.
        let r = rows(&[(0.3, 1), (0.3, 0), (0.3, 1), (0.3, 0), (0.8, 1)]);
        let (ece, table) = calibration(&r, 1, |_| 0, 2, Binning::EqualMass).remove(0);
        assert_eq!((table[0].rows, table[1].rows), (4, 1));
        assert!((ece.unwrap() - 0.2).abs() < 1e-15);
        // A tie that starts past a cut stays whole in the bin it starts in.
        let r = rows(&[(0.1, 0), (0.2, 0), (0.5, 1), (0.5, 0), (0.5, 1), (0.9, 1)]);
        let (_, table) = calibration(&r, 1, |_| 0, 3, Binning::EqualMass).remove(0);
        let sizes: Vec<u64> = table.iter().map(|b| b.rows).collect();
        assert_eq!(sizes, [2, 3, 1]);
    }

    #[test]
    fn scores_outside_unit_interval() {
        let r = rows(&[(1.5, 1), (0.2, 0)]);
        let (ece, table) = calibration(&r, 1, |_| 0, 10, Binning::EqualWidth).remove(0);
        assert_eq!(ece, Err(NOT_PROB));
        assert!(table.is_empty());
    }
}

/// Cross-group AUC (Kallus & Zhou, NeurIPS 2019): xauc\[a\]\[b\] is the probability that a
/// positive of group a scores above a negative of group b, plus ½ of the tie probability,
/// weighted; `None` when a has no positives or b no negatives. `rows` must be sorted by [`sort`]. Cost O(rows + tie blocks × groups²).
pub fn xauc<W: Weight>(
    rows: &[Scored<W>],
    n_groups: usize,
    group_of: impl Fn(u32) -> usize,
) -> Vec<Vec<Option<f64>>> {
    let mut num = vec![vec![0.0f64; n_groups]; n_groups];
    let mut pos = vec![0.0f64; n_groups];
    let mut neg = vec![0.0f64; n_groups];
    // The current block (most blocks are one row of one group).
    let mut sums = BlockSums::new(n_groups);
    for block in tie_blocks(rows) {
        for &r in block {
            sums.add(group_of(r.cell), r.weight(), f64::from(r.y));
        }
        // A group without positives here adds nothing; one without rows here adds nothing
        // to `pos` / `neg`: only the block's groups are visited.
        for &a in &sums.groups {
            if sums.pos[a] > 0.0 {
                for (n, (&below, &tied)) in num[a].iter_mut().zip(neg.iter().zip(&sums.neg)) {
                    *n += sums.pos[a] * (below + 0.5 * tied);
                }
            }
        }
        for &g in &sums.groups {
            pos[g] += sums.pos[g];
            neg[g] += sums.neg[g];
        }
        sums.clear();
    }
    (0..n_groups)
        .map(|a| {
            (0..n_groups)
                .map(|b| (pos[a] > 0.0 && neg[b] > 0.0).then(|| num[a][b] / (pos[a] * neg[b])))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod xauc_tests {
    use super::*;

    #[test]
    fn cross_group_by_hand() {
        // a: positive 0.9, negative 0.5; b: positive 0.4, negative 0.1.
        let mut r = vec![
            sc(0.9, 0, 1, 1.0),
            sc(0.5, 0, 0, 1.0),
            sc(0.4, 1, 1, 1.0),
            sc(0.1, 1, 0, 1.0),
        ];
        sort(&mut r);
        let x = xauc(&r, 2, |c| c as usize);
        assert_eq!(x[0][1], Some(1.0)); // a's positive 0.9 > b's negative 0.1
        assert_eq!(x[1][0], Some(0.0)); // b's positive 0.4 < a's negative 0.5
        assert_eq!(x[0][0], Some(1.0)); // within a: the group's own AUC
        assert_eq!(x[1][1], Some(1.0));
    }
}
