//! Smoothed empirical differential fairness (Foulds, Islam, Keya & Pan 2020, "An Intersectional
//! Definition of Fairness", eq. 6; AIF360 `BinaryLabelDatasetMetric.
//! smoothed_empirical_differential_fairness`) of the decisions over the groups of an attribute:
//!
//! ε = max over outcomes y ∈ {selected, not selected} and pairs of groups (i, j) of
//! |log P(y | i) − log P(y | j)|, with P(y | s) = (N_{y,s} + α) / (N_s + concentration) and
//! α = concentration / 2.
//!
//! A pure function of each group's (weighted) counts of decisions: no label, no score, no row.
//! Docs: docs/metrics.md, "Empirical differential fairness".

use serde::Serialize;

use crate::stats::Value;

/// The attribute's `differential_fairness` block in the JSON.
#[derive(Debug, Clone, Serialize)]
pub struct EdfView {
    pub concentration: f64,
    /// The Dirichlet α added to each outcome's count: concentration / 2.
    pub alpha: f64,
    pub empirical_differential_fairness: Option<f64>,
    /// The pair of groups (report order) and the outcome (`selected` / `not_selected`) that
    /// attain ε; the first in report order on ties.
    pub group_a: Option<String>,
    pub group_b: Option<String>,
    pub outcome: Option<String>,
    /// Each included group's smoothed P(selected | group) and P(not selected | group).
    pub groups: Vec<SmoothedRates>,
    pub undefined: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SmoothedRates {
    pub group: String,
    pub selected: f64,
    pub not_selected: f64,
}

impl Edf {
    /// The JSON view, with the groups' names.
    pub fn view(&self, names: &[String], concentration: f64) -> EdfView {
        let at = self.attained;
        EdfView {
            concentration,
            alpha: concentration / 2.0,
            empirical_differential_fairness: self.epsilon.ok(),
            group_a: at.map(|(a, _, _)| names[a].clone()),
            group_b: at.map(|(_, b, _)| names[b].clone()),
            outcome: at.map(|(_, _, y)| OUTCOMES[y].to_string()),
            groups: names
                .iter()
                .zip(&self.smoothed)
                .map(|(n, s)| SmoothedRates {
                    group: n.clone(),
                    selected: s[0],
                    not_selected: s[1],
                })
                .collect(),
            undefined: self.epsilon.err().map(String::from),
        }
    }
}

pub const DEFAULT_CONCENTRATION: f64 = 1.0;

/// The outcomes, in the order ties are broken.
pub const OUTCOMES: [&str; 2] = ["selected", "not_selected"];

/// ε with the pair of groups and the outcome that attain it, and every group's smoothed
/// probabilities.
#[derive(Debug, Clone, PartialEq)]
pub struct Edf {
    pub epsilon: Value,
    /// Indices into the groups given (a before b in their order) and into [`OUTCOMES`].
    pub attained: Option<(usize, usize, usize)>,
    /// Per group: smoothed P(selected | group), P(not selected | group).
    pub smoothed: Vec<[f64; 2]>,
}

/// `groups`: each group's (weight selected, total weight). Ties: the first pair in the groups'
/// order (a < b, then b increasing), and for one pair the outcome `selected` first.
pub fn edf(groups: &[(f64, f64)], concentration: f64) -> Edf {
    let alpha = concentration / 2.0;
    let smoothed: Vec<[f64; 2]> = groups
        .iter()
        .map(|&(sel, n)| {
            let den = n + concentration;
            [(sel + alpha) / den, (n - sel + alpha) / den]
        })
        .collect();
    // For each outcome the largest |log P_a − log P_b| is the largest log P minus the smallest:
    // O(groups), not a loop over pairs (60,000 intersection groups took minutes). The pair is
    // the first in the groups' order among those attaining it: the first group with the largest
    // value and the first with the smallest, in order; between outcomes, the first pair, then
    // `selected`.
    let n = groups.len();
    let mut best: Option<(f64, (usize, usize, usize))> = None;
    if n >= 2 {
        let logs: Vec<[f64; 2]> = smoothed.iter().map(|p| [p[0].ln(), p[1].ln()]).collect();
        for y in 0..2 {
            let (mut hi, mut lo) = (0, 0);
            for (i, l) in logs.iter().enumerate().skip(1) {
                if l[y] > logs[hi][y] {
                    hi = i;
                }
                if l[y] < logs[lo][y] {
                    lo = i;
                }
            }
            let d = (logs[hi][y] - logs[lo][y]).abs();
            let pair = if hi == lo {
                (0, 1)
            } else {
                (hi.min(lo), hi.max(lo))
            };
            let better = match best {
                None => true,
                Some((e, (a, b, _))) => d > e || (d == e && (pair.0, pair.1) < (a, b)),
            };
            if better {
                best = Some((d, (pair.0, pair.1, y)));
            }
        }
    }
    Edf {
        epsilon: best
            .map(|(e, _)| e)
            .ok_or("differential fairness compares two or more groups"),
        attained: best.map(|(_, p)| p),
        smoothed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epsilon_pair_and_outcome_by_hand() {
        // Group A: 2 of 3 selected; B: 0 of 2. Concentration 1, α = 0.5.
        // P(sel|A) = 2.5/4 = 0.625, P(not|A) = 1.5/4 = 0.375;
        // P(sel|B) = 0.5/3, P(not|B) = 2.5/3.
        // selected: |ln 0.625 − ln(1/6)| = ln 3.75 = 1.3218; not: |ln 0.375 − ln(5/6)| = ln(20/9).
        let e = edf(&[(2.0, 3.0), (0.0, 2.0)], 1.0);
        assert!((e.epsilon.unwrap() - 3.75f64.ln()).abs() < 1e-12);
        assert_eq!(e.attained, Some((0, 1, 0)));
        assert!((e.smoothed[1][1] - 2.5 / 3.0).abs() < 1e-12);
        assert!(edf(&[(1.0, 2.0)], 1.0).epsilon.is_err());
    }
}
