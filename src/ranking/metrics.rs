//! Pure functions of one ranked list (group codes in rank order, relevances): exposure under a
//! position-bias model, FairRankTune's EXP / AWRF / NDKL, Yang & Stoyanovich's rND / rKL / rRD,
//! skew@k, top-k counts and the diversity / inclusion of the top k. docs/metrics.md gives each
//! formula with its source.

use crate::ranking::settings::{Combination, PositionBias};
use crate::stats::Value;

/// The exposure (attention) of rank `r` (1-based) under `bias` with persistence `p`.
pub fn position_weight(bias: PositionBias, p: f64, r: usize) -> f64 {
    match bias {
        PositionBias::Log => 1.0 / ((1.0 + r as f64).log2()),
        PositionBias::Geometric => p.powi(r as i32 - 1),
        PositionBias::Rbp => (1.0 - p) * p.powi(r as i32 - 1),
    }
}

/// FairRankTune's combination of per-group values (`ComboUtil.py`).
pub fn combine(vals: &[f64], how: Combination) -> Value {
    if vals.len() < 2 {
        return Err("fewer than two groups in the list");
    }
    let n = vals.len() as f64;
    let max = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let mean = vals.iter().sum::<f64>() / n;
    match how {
        Combination::MinMaxRatio => {
            if max == 0.0 {
                Err("every group's value is 0")
            } else {
                Ok(min / max)
            }
        }
        Combination::MaxMinRatio => {
            if min == 0.0 {
                Err("a group's value is 0 (max / 0)")
            } else {
                Ok(max / min)
            }
        }
        Combination::MaxMinDiff => Ok(max - min),
        Combination::MaxAbsDiff => Ok(vals.iter().map(|v| (v - mean).abs()).fold(0.0, f64::max)),
        Combination::MeanAbsDev => Ok(vals.iter().map(|v| (v - mean).abs()).sum::<f64>() / n),
        Combination::LTwo => Ok(vals.iter().map(|v| v * v).sum::<f64>().sqrt()),
        Combination::Variance => Ok(vals.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n),
    }
}

/// FairRankTune's `__kl_divergence`: Σ (p+ε) ln((p+ε)/(q+ε)), ε = 1e-7 (natural log).
pub fn kl_smoothed(p: &[f64], q: &[f64]) -> f64 {
    const EPSILON: f64 = 0.0000001;
    p.iter()
        .zip(q)
        .map(|(a, b)| {
            let (a, b) = (a + EPSILON, b + EPSILON);
            a * (a / b).ln()
        })
        .sum()
}

/// NDKL (Geyik et al. 2019, Eq. 4) as FairRankTune's `NDKL`: (1/Z) Σ_i Z_i KL(D_{1..i} ‖ D),
/// Z_i = 1 / log2(i + 1) over positions i = 1..n, Z = Σ Z_i. `slots[j]` is item j's index in
/// `target` (the groups compared).
pub fn ndkl(slots: &[usize], target: &[f64]) -> f64 {
    let g = target.len();
    let mut counts = vec![0.0f64; g];
    let mut dist = vec![0.0f64; g];
    let (mut num, mut z) = (0.0, 0.0);
    for (i, &s) in slots.iter().enumerate() {
        counts[s] += 1.0;
        let len = (i + 1) as f64;
        for (d, c) in dist.iter_mut().zip(&counts) {
            *d = c / len;
        }
        let zi = 1.0 / ((i as f64) + 2.0).log2();
        num += zi * kl_smoothed(&dist, target);
        z += zi;
    }
    num / z
}

/// Which of Yang & Stoyanovich's measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetMeasure {
    Rnd,
    Rkl,
    Rrd,
}

/// The measure at one cutoff (FairRank `measures.py`: `calculaterND`, `calculaterKL`,
/// `calculaterRD`): `pro_k` protected among the top `k`, `pro_n` among all `n`.
pub fn set_measure(m: SetMeasure, k: usize, pro_k: usize, n: usize, pro_n: usize) -> f64 {
    let (k, pro_k, n, pro_n) = (k as f64, pro_k as f64, n as f64, pro_n as f64);
    match m {
        SetMeasure::Rnd => (pro_k / k - pro_n / n).abs(),
        SetMeasure::Rkl => {
            let mut px = pro_k / k;
            let mut qx = pro_n / n;
            if px == 0.0 || px == 1.0 {
                px = 0.001;
            }
            if qx == 0.0 || qx == 1.0 {
                qx = 0.001;
            }
            px * (px / qx).log2() + (1.0 - px) * ((1.0 - px) / (1.0 - qx)).log2()
        }
        SetMeasure::Rrd => {
            let input = pro_n / (n - pro_n);
            let unpro_k = k - pro_k;
            let current = if unpro_k == 0.0 { 0.0 } else { pro_k / unpro_k };
            (input.min(current) - input).abs()
        }
    }
}

/// The unnormalised sum Σ_{i = step, 2·step, … ≤ n} measure(i) / log2(i + 1) (FairRank's
/// `calculateNDFairness` with normalizer 1).
fn discounted(m: SetMeasure, protected: &[bool], step: usize, pro_n: usize) -> f64 {
    let n = protected.len();
    let mut pro_k = 0;
    let mut sum = 0.0;
    for (i, &p) in protected.iter().enumerate() {
        pro_k += p as usize;
        let k = i + 1;
        if k % step == 0 {
            sum += set_measure(m, k, pro_k, n, pro_n) / ((k as f64) + 1.0).log2();
        }
    }
    sum
}

/// Z: the largest discounted sum over every placement of `pro_n` protected items among `n`
/// positions (the paper's "highest possible value of f for the given N and |S+|"), by dynamic
/// programming over the protected count of each prefix (the sum depends only on those counts).
pub fn normaliser(m: SetMeasure, n: usize, pro_n: usize, step: usize) -> f64 {
    let mut best = vec![f64::NEG_INFINITY; pro_n + 1];
    best[0] = 0.0;
    for k in 1..=n {
        let mut next = vec![f64::NEG_INFINITY; pro_n + 1];
        for c in 0..=pro_n.min(k) {
            // Feasible: c protected among k, at most n − pro_n unprotected.
            if k - c > n - pro_n {
                continue;
            }
            let from = best[c].max(if c > 0 {
                best[c - 1]
            } else {
                f64::NEG_INFINITY
            });
            if from == f64::NEG_INFINITY {
                continue;
            }
            let term = if k % step == 0 {
                set_measure(m, k, c, n, pro_n) / ((k as f64) + 1.0).log2()
            } else {
                0.0
            };
            next[c] = from + term;
        }
        best = next;
    }
    best[pro_n]
}

/// rND / rKL / rRD of a list: the discounted sum over cutoffs divided by Z ([`normaliser`]).
pub fn normalized_set_measure(m: SetMeasure, protected: &[bool], step: usize) -> Value {
    let n = protected.len();
    let pro_n = protected.iter().filter(|p| **p).count();
    if pro_n == 0 {
        return Err("no protected item in the list");
    }
    if pro_n == n {
        return Err("every item of the list is protected");
    }
    if n < step {
        return Err("the list is shorter than --cutoff-step (no cutoff)");
    }
    let z = normaliser(m, n, pro_n, step);
    if z <= 0.0 {
        return Err("normaliser Z is 0: the only cutoff is the whole list, where the measure is 0 by construction (lower --cutoff-step)");
    }
    Ok(discounted(m, protected, step, pro_n) / z)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn combinations_as_fairranktune() {
        let v = [1.0, 2.0, 4.0];
        assert_eq!(combine(&v, Combination::MinMaxRatio), Ok(0.25));
        assert_eq!(combine(&v, Combination::MaxMinRatio), Ok(4.0));
        assert_eq!(combine(&v, Combination::MaxMinDiff), Ok(3.0));
        // mean 7/3: |1 − 7/3| = 4/3, |2 − 7/3| = 1/3, |4 − 7/3| = 5/3
        assert!((combine(&v, Combination::MaxAbsDiff).unwrap() - 5.0 / 3.0).abs() < 1e-12);
        assert!((combine(&v, Combination::MeanAbsDev).unwrap() - 10.0 / 9.0).abs() < 1e-12);
        assert!((combine(&v, Combination::LTwo).unwrap() - 21f64.sqrt()).abs() < 1e-12);
        // (16/9 + 1/9 + 25/9) / 3 = 42/27
        assert!((combine(&v, Combination::Variance).unwrap() - 42.0 / 27.0).abs() < 1e-12);
        assert!(combine(&[1.0], Combination::MinMaxRatio).is_err());
    }

    #[test]
    fn normaliser_is_the_largest_sum_over_placements() {
        // Every placement of 2 protected among 6, rND and rKL at step 1 and 2: the DP's Z is
        // the exhaustive maximum.
        for m in [SetMeasure::Rnd, SetMeasure::Rkl, SetMeasure::Rrd] {
            for step in [1, 2] {
                let mut best = f64::NEG_INFINITY;
                for a in 0..6 {
                    for b in a + 1..6 {
                        let p: Vec<bool> = (0..6).map(|i| i == a || i == b).collect();
                        best = best.max(discounted(m, &p, step, 2));
                    }
                }
                assert!((normaliser(m, 6, 2, step) - best).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn rnd_of_the_extremes_is_one() {
        let last = [false, false, true, true];
        assert_eq!(normalized_set_measure(SetMeasure::Rnd, &last, 1), Ok(1.0));
        assert!(normalized_set_measure(SetMeasure::Rnd, &last, 4).is_err());
    }
}
