//! Score metrics per group: ROC AUC (exact, ties count ½, weighted), Brier score and log loss.
//! Formulas, edge cases and references: docs/metrics.md, "Score metrics".
//!
//! The pass keeps one (score, cell, label, weight) record per scored row; this module sorts them
//! once by score and sweeps them for every grouping at the same time.

use super::metrics::Value;

/// One scored row: its score, packed cell index, label (0/1) and weight.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scored {
    pub score: f64,
    pub cell: u32,
    pub y: u8,
    pub w: f64,
}

/// The score metrics of one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ScoreMetrics {
    pub roc_auc: Value,
    pub brier_score: Value,
    pub log_loss: Value,
}

/// The names, in report order.
pub const SCORE_METRICS: [&str; 3] = ["roc_auc", "brier_score", "log_loss"];

impl ScoreMetrics {
    pub fn values(&self) -> [(&'static str, Value); 3] {
        [
            ("roc_auc", self.roc_auc),
            ("brier_score", self.brier_score),
            ("log_loss", self.log_loss),
        ]
    }
}

const NO_POS: &str = "no positive labels among the scored rows";
const NO_NEG: &str = "no negative labels among the scored rows";
const NO_ROWS: &str = "no scored rows with positive weight";
const NOT_PROB: &str = "scores outside [0, 1] are not probabilities";

/// Sorts the records by score. The order is total (score, cell, label, weight), so equal keys
/// are identical records and every later sum is the same, run after run.
pub fn sort(rows: &mut [Scored]) {
    rows.sort_unstable_by(|a, b| {
        a.score
            .total_cmp(&b.score)
            .then(a.cell.cmp(&b.cell))
            .then(a.y.cmp(&b.y))
            .then(a.w.total_cmp(&b.w))
    });
}

/// Score metrics of `n_groups` groups, where `group_of(cell)` gives a cell's group; `rows` must be
/// sorted by [`sort`].
///
/// AUC_g = Σ_{positive i in g} w_i · (Σ_{negative j in g, s_j < s_i} w_j + ½ Σ_{negative j in g,
/// s_j = s_i} w_j) / (P_g · N_g), the weighted Mann–Whitney statistic, which equals the area under
/// the weighted ROC curve with ties as diagonal segments (scikit-learn's `roc_auc_score`).
pub fn by_group(
    rows: &[Scored],
    n_groups: usize,
    group_of: impl Fn(u32) -> usize,
) -> Vec<ScoreMetrics> {
    let mut pos = vec![0.0f64; n_groups];
    let mut neg = vec![0.0f64; n_groups];
    let mut num = vec![0.0f64; n_groups];
    let mut brier = vec![0.0f64; n_groups];
    let mut logl = vec![0.0f64; n_groups];
    let mut outside = vec![false; n_groups];
    // Per tie block: weights of positives and negatives per group, and the groups touched.
    let mut bpos = vec![0.0f64; n_groups];
    let mut bneg = vec![0.0f64; n_groups];
    let mut touched: Vec<usize> = Vec::new();
    let eps = f64::EPSILON;
    let mut i = 0;
    while i < rows.len() {
        let s = rows[i].score;
        let mut j = i;
        while j < rows.len() && rows[j].score == s {
            let r = rows[j];
            let g = group_of(r.cell);
            if bpos[g] == 0.0 && bneg[g] == 0.0 {
                touched.push(g);
            }
            let y = f64::from(r.y);
            if r.y == 1 {
                bpos[g] += r.w;
            } else {
                bneg[g] += r.w;
            }
            brier[g] += r.w * (s - y) * (s - y);
            let p = s.clamp(eps, 1.0 - eps);
            logl[g] -= r.w * if r.y == 1 { p.ln() } else { (1.0 - p).ln() };
            outside[g] |= !(0.0..=1.0).contains(&s);
            j += 1;
        }
        for &g in &touched {
            num[g] += bpos[g] * (neg[g] + 0.5 * bneg[g]);
            pos[g] += bpos[g];
            neg[g] += bneg[g];
            bpos[g] = 0.0;
            bneg[g] = 0.0;
        }
        touched.clear();
        i = j;
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
            ScoreMetrics {
                roc_auc,
                brier_score: mean(brier[g]),
                log_loss: mean(logl[g]),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let m = by_group(&rows(&v), 1, |_| 0)[0];
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
        let got = by_group(&rows(&v), 1, |_| 0)[0].roc_auc.unwrap();
        assert!(
            (got - auc_pairs(&v)).abs() < 1e-12,
            "{got} vs {}",
            auc_pairs(&v)
        );
    }

    #[test]
    fn undefined_cases() {
        let m = by_group(&rows(&[(0.3, 0, 1.0), (0.6, 0, 1.0)]), 1, |_| 0)[0];
        assert_eq!(m.roc_auc, Err(NO_POS));
        assert!(m.brier_score.is_ok());
        let m = by_group(&rows(&[(1.5, 1, 1.0), (0.2, 0, 1.0)]), 1, |_| 0)[0];
        assert_eq!(m.roc_auc, Ok(1.0));
        assert_eq!(m.brier_score, Err(NOT_PROB));
        assert_eq!(m.log_loss, Err(NOT_PROB));
        let m = by_group(&rows(&[(0.5, 1, 0.0), (0.2, 0, 0.0)]), 1, |_| 0)[0];
        assert_eq!(m.brier_score, Err(NO_ROWS));
    }

    #[test]
    fn groups_are_independent() {
        let mut r = vec![
            Scored {
                score: 0.9,
                cell: 0,
                y: 1,
                w: 1.0,
            },
            Scored {
                score: 0.1,
                cell: 0,
                y: 0,
                w: 1.0,
            },
            Scored {
                score: 0.2,
                cell: 1,
                y: 1,
                w: 1.0,
            },
            Scored {
                score: 0.8,
                cell: 1,
                y: 0,
                w: 1.0,
            },
        ];
        sort(&mut r);
        let m = by_group(&r, 2, |c| c as usize);
        assert_eq!(m[0].roc_auc, Ok(1.0));
        assert_eq!(m[1].roc_auc, Ok(0.0));
        // Pooled: positives 0.9, 0.2 against negatives 0.1, 0.8 → 3 of 4 pairs ordered.
        let all = by_group(&r, 1, |_| 0);
        assert_eq!(all[0].roc_auc, Ok(0.75));
    }
}
