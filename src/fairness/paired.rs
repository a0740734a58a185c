//! Other decision-makers on the same rows: `--baseline` (the model in production) and
//! `--reference-decisions` (e.g. the human decisions a model replaces).
//!
//! The pass reads each other decision as one more cell dimension after every other (codes 0,
//! 1 and missing; `fairness/stats.rs`, `PassSpec::others`), so the counts it keeps are the
//! joint table of the label, the audited decision and the other decisions in every cell of the
//! attributes. This file takes that table apart:
//! - [`split`]: the audited pass as if read alone (the other dimensions summed out), and for
//!   each other decision-maker a [`Joint`]: per cell, the eight counts of (other decision,
//!   label, audited decision), over the rows where the other decision is present;
//! - [`Joint::stats`]: the statistics of one side, or of the flips, or of who is right, as
//!   ordinary [`Stats`] that the report code turns into groups and intersections;
//! - [`Joint::resample`]: one paired bootstrap replicate — each cell's rows drawn with
//!   replacement, the two decisions of a row staying together (a multinomial draw over the
//!   eight joint counts), so the change between the two sides varies as it would over samples.

use rand_chacha::ChaCha8Rng;

use super::plan::Pass;
use super::scores::{Scored, ScoredRows};
use super::stats::{Cell, GroupKey, PairedScore, Stats};

/// One side of a [`Joint`], or a table made of both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum View {
    /// The audited decisions: quadrant (label, audited).
    Candidate,
    /// The other decisions: quadrant (label, other).
    Other,
    /// Flips: quadrant (other, audited) — "label" 1 is the other's positive, "prediction" 1
    /// the audited positive. Its false positives are the negative → positive flips (of the
    /// other's negatives), its false negatives the positive → negative flips.
    Flips,
    /// Who is right: quadrant (audited correct, other correct). Its false negatives are the
    /// rows only the audited decision gets right, its false positives those only the other
    /// gets right (McNemar's discordant pairs).
    Correct,
}

/// The joint counts of the audited decision and one other decision-maker, per cell of the
/// attributes (and condition), over the rows where the other decision is present.
#[derive(Debug, Clone)]
pub struct Joint {
    /// The attributes' keys (the other dimensions removed).
    pub keys: Vec<Vec<GroupKey>>,
    pub cells: Vec<JointCell>,
    /// Rows of the audited pass without this other decision (missing, or no matching row).
    pub missing: u64,
    /// The audited scores and the other's (a score baseline) of the compared rows, `cell`
    /// indexing `cells`; empty without scores (and in bootstrap replicates).
    pub scored: ScoredRows,
    pub other_scored: ScoredRows,
    /// A score baseline: the compared rows with both scores, for the paired bootstrap of the
    /// score metrics (see [`Paired`]).
    pub paired: Option<std::sync::Arc<Paired>>,
}

/// The rows with both scores of a [`Joint`], and what a replicate needs to redraw them without
/// sorting: each cell's rows, and the rows in the order of each score.
#[derive(Debug)]
pub struct Paired {
    rows: Vec<PairedScore>,
    by_cell: Vec<Vec<u32>>,
    by_audited: Vec<u32>,
    by_other: Vec<u32>,
}

impl Paired {
    fn new(rows: Vec<PairedScore>, cells: usize) -> Paired {
        let mut by_cell = vec![Vec::new(); cells];
        for (i, r) in rows.iter().enumerate() {
            by_cell[r.cell as usize].push(i as u32);
        }
        // The order scores::sort gives the records a replicate builds.
        let order = |score: fn(&PairedScore) -> f64| {
            let mut idx: Vec<u32> = (0..rows.len() as u32).collect();
            idx.sort_by(|&a, &b| {
                let (x, y) = (&rows[a as usize], &rows[b as usize]);
                score(x)
                    .total_cmp(&score(y))
                    .then(x.cell.cmp(&y.cell))
                    .then(x.y.cmp(&y.y))
                    .then(x.w.total_cmp(&y.w))
                    .then(a.cmp(&b))
            });
            idx
        };
        let by_audited = order(|r| r.audited);
        let by_other = order(|r| r.other);
        Paired {
            rows,
            by_cell,
            by_audited,
            by_other,
        }
    }

    /// One replicate: each cell's rows drawn with replacement (a row drawn k times weighs k
    /// times), as the audited and the other's scored records, each in score order.
    fn redraw(&self, rng: &mut ChaCha8Rng) -> (Vec<Scored>, Vec<Scored>) {
        let k = super::bootstrap::multiplicities(&self.by_cell, self.rows.len(), rng);
        let records = |order: &[u32], score: fn(&PairedScore) -> f64| {
            order
                .iter()
                .filter(|&&i| k[i as usize] > 0)
                .map(|&i| {
                    let r = &self.rows[i as usize];
                    Scored {
                        score: score(r),
                        cell: r.cell,
                        y: r.y,
                        w: r.w * k[i as usize] as f64,
                    }
                })
                .collect()
        };
        (
            records(&self.by_audited, |r| r.audited),
            records(&self.by_other, |r| r.other),
        )
    }
}

/// Rows and weights of one cell, indexed `4·other + 2·label + audited`.
#[derive(Debug, Clone, PartialEq)]
pub struct JointCell {
    pub codes: Vec<u32>,
    pub rows: [u64; 8],
    pub weight: [f64; 8],
}

/// The audited pass with the other decisions summed out (exactly the pass without
/// `--baseline`), and one [`Joint`] per other decision-maker, in `columns.others` order.
pub fn split(pass: Pass) -> (Pass, Vec<Joint>) {
    let k = pass.columns.others.len();
    if k == 0 {
        return (pass, Vec::new());
    }
    let dims = pass.stats.keys.len() - k;
    let joints = (0..k).map(|o| joint(&pass.stats, dims, o)).collect();
    let mut stats = pass.stats;
    stats.others_scored.clear();
    stats.others_paired.clear();
    for d in (dims..dims + k).rev() {
        stats = stats.sum_out(d);
    }
    (Pass { stats, ..pass }, joints)
}

/// The joint table of other decision-maker `o` (dimension `dims + o` of `st`).
fn joint(st: &Stats, dims: usize, o: usize) -> Joint {
    let decision: Vec<Option<usize>> = st.keys[dims + o]
        .iter()
        .map(|k| match k {
            GroupKey::Int(v @ 0..=1) => Some(*v as usize),
            _ => None,
        })
        .collect();
    let mut index: std::collections::BTreeMap<Vec<u32>, JointCell> = Default::default();
    let mut missing = 0;
    for c in &st.cells {
        let Some(b) = decision[c.codes[dims + o] as usize] else {
            missing += c.rows.iter().sum::<u64>();
            continue;
        };
        let codes = c.codes[..dims].to_vec();
        let cell = index.entry(codes.clone()).or_insert(JointCell {
            codes,
            rows: [0; 8],
            weight: [0.0; 8],
        });
        for q in 0..4 {
            cell.rows[4 * b + q] += c.rows[q];
            cell.weight[4 * b + q] += c.weight[q];
        }
    }
    // Each cell of `st` → its joint cell (none without this other decision).
    let position: std::collections::BTreeMap<&[u32], u32> = index
        .keys()
        .enumerate()
        .map(|(i, codes)| (codes.as_slice(), i as u32))
        .collect();
    let target: Vec<Option<u32>> = st
        .cells
        .iter()
        .map(|c| {
            decision[c.codes[dims + o] as usize]?;
            position.get(&c.codes[..dims]).copied()
        })
        .collect();
    let kept = |rows: &ScoredRows| rows.filter_map_cells(|c| target[c as usize]);
    let scored = kept(&st.scored);
    let other_scored = st.others_scored.get(o).map_or_else(Default::default, kept);
    let paired_rows: Vec<PairedScore> = st
        .others_paired
        .get(o)
        .into_iter()
        .flatten()
        .filter_map(|r| {
            Some(PairedScore {
                cell: target[r.cell as usize]?,
                ..*r
            })
        })
        .collect();
    let cells: Vec<JointCell> = index.into_values().collect();
    let paired = (!paired_rows.is_empty())
        .then(|| std::sync::Arc::new(Paired::new(paired_rows, cells.len())));
    Joint {
        keys: st.keys[..dims].to_vec(),
        cells,
        missing,
        scored,
        other_scored,
        paired,
    }
}

impl Joint {
    /// Rows compared (the other decision present).
    pub fn rows(&self) -> u64 {
        self.cells.iter().flat_map(|c| c.rows).sum()
    }

    /// The statistics of one view of the table: per cell, its four quadrants.
    pub fn stats(&self, view: View) -> Stats {
        let cells = self
            .cells
            .iter()
            .map(|c| {
                let mut rows = [0u64; 4];
                let mut weight = [0.0f64; 4];
                for j in 0..8 {
                    let (b, y, p) = (j >> 2, (j >> 1) & 1, j & 1);
                    let q = match view {
                        View::Candidate => 2 * y + p,
                        View::Other => 2 * y + b,
                        View::Flips => 2 * b + p,
                        View::Correct => 2 * usize::from(p == y) + usize::from(b == y),
                    };
                    rows[q] += c.rows[j];
                    weight[q] += c.weight[j];
                }
                Cell {
                    codes: c.codes.clone(),
                    rows,
                    weight,
                }
            })
            .filter(|c| c.rows.iter().sum::<u64>() > 0)
            .collect();
        Stats::from_cells(self.keys.clone(), cells)
    }

    /// One paired bootstrap replicate: each cell's rows drawn with replacement as whole rows
    /// (both decisions together), i.e. a multinomial draw over its eight joint counts; each
    /// count's weight scales with its rows (its mean weight is kept).
    pub fn resample(&self, rng: &mut ChaCha8Rng) -> Joint {
        let cells = self
            .cells
            .iter()
            .map(|c| {
                let drawn = super::bootstrap::multinomial(&c.rows, rng);
                let mut out = c.clone();
                for (j, &d) in drawn.iter().enumerate() {
                    let mean = if c.rows[j] > 0 {
                        c.weight[j] / c.rows[j] as f64
                    } else {
                        0.0
                    };
                    out.rows[j] = d;
                    out.weight[j] = mean * d as f64;
                }
                out
            })
            .collect();
        // The rows with both scores are redrawn apart from the counts (as the bootstrap of the
        // audit redraws scored rows apart from its counts): the score metrics' changes then
        // get paired intervals too.
        let (scored, other_scored) = match &self.paired {
            Some(p) => {
                let (a, o) = p.redraw(rng);
                (a.into(), o.into())
            }
            None => Default::default(),
        };
        Joint {
            keys: self.keys.clone(),
            cells,
            missing: self.missing,
            scored,
            other_scored,
            paired: self.paired.clone(),
        }
    }

    /// A pass over the compared rows only, with the statistics of `view`, for the report code.
    pub fn pass(&self, like: &Pass, view: View) -> Pass {
        let mut columns = like.columns.clone();
        columns.others.clear();
        let mut stats = self.stats(view);
        stats.scored = match view {
            View::Candidate => self.scored.clone(),
            View::Other => self.other_scored.clone(),
            View::Flips | View::Correct => Default::default(),
        };
        // The other side's scores are in the score column's place.
        if view == View::Other && self.other_scored.is_empty() {
            columns.score = None;
        }
        Pass {
            source: like.source.clone(),
            task: like.task,
            columns,
            stats,
            warnings: Vec::new(),
            score_type: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One cell: rows indexed 4·other + 2·label + audited.
    fn joint(rows: [u64; 8]) -> Joint {
        Joint {
            keys: vec![vec![GroupKey::Str("a".into())]],
            cells: vec![JointCell {
                codes: vec![0],
                rows,
                weight: rows.map(|r| r as f64),
            }],
            missing: 0,
            scored: Default::default(),
            other_scored: Default::default(),
            paired: None,
        }
    }

    #[test]
    fn views_recount_the_joint_table() {
        // Powers of two: every recount below is a distinct sum. Index 4·other + 2·label + audited.
        let j = joint([1, 2, 4, 8, 16, 32, 64, 128]);
        // Audited (label, audited): tn = 1+16, fp = 2+32, fn = 4+64, tp = 8+128.
        assert_eq!(j.stats(View::Candidate).cells[0].rows, [17, 34, 68, 136]);
        // Other (label, other): tn = 1+2, fp = 16+32, fn = 4+8, tp = 64+128.
        assert_eq!(j.stats(View::Other).cells[0].rows, [3, 48, 12, 192]);
        // Flips (other, audited): 0→0 = 1+4, 0→1 = 2+8, 1→0 = 16+64, 1→1 = 32+128.
        assert_eq!(j.stats(View::Flips).cells[0].rows, [5, 10, 80, 160]);
        // (audited right, other right): neither = 010, 101 (4+32); only the other = 001, 110
        // (2+64); only the audited = 011, 100 (8+16); both = 000, 111 (1+128).
        assert_eq!(j.stats(View::Correct).cells[0].rows, [36, 66, 24, 129]);
    }

    #[test]
    fn paired_resampling_keeps_the_cell_size_and_empty_counts() {
        use rand::SeedableRng;
        let j = joint([10, 0, 5, 0, 0, 7, 0, 3]);
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let r = j.resample(&mut rng);
        assert_eq!(r.rows(), 25);
        for q in [1, 3, 4, 6] {
            assert_eq!(r.cells[0].rows[q], 0);
        }
    }
}
