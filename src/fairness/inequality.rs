//! Inequality of the benefit b = ŷ − y + 1 (Speicher et al., KDD 2018): the generalized entropy
//! index GE(α), the Theil index GE(1), and their between-group parts. Each is a pure function of
//! confusion counts, since b is 0 for a false negative, 1 for a true positive or negative and 2
//! for a false positive. Formulas and AIF360's α = 0 bug: docs/metrics.md, "Inequality indices".

use super::metrics::Confusion;
use crate::stats::Value;

const NO_BENEFIT: &str = "the mean benefit is 0 (every row is a false negative)";
const NO_WEIGHT: &str = "zero total weight";
const INFINITE: &str = "a benefit of 0 (a false negative) makes GE(α) infinite for α <= 0";

/// The (weight, benefit) points of a set of rows described by its counts.
fn points(c: &Confusion) -> [(f64, f64); 3] {
    [(c.fn_, 0.0), (c.tp + c.tn, 1.0), (c.fp, 2.0)]
}

/// GE(α) of weighted values `(w, x)` around their weighted mean:
/// α ∉ {0, 1}: Σ w [(x/μ)^α − 1] / (n α (α − 1));
/// α = 1 (Theil): Σ w (x/μ) ln(x/μ) / n, with 0 ln 0 = 0;
/// α = 0 (mean log deviation): −Σ w ln(x/μ) / n.
fn ge(values: &[(f64, f64)], alpha: f64) -> Value {
    let n: f64 = values.iter().map(|(w, _)| w).sum();
    if n <= 0.0 {
        return Err(NO_WEIGHT);
    }
    let mu = values.iter().map(|(w, x)| w * x).sum::<f64>() / n;
    if mu <= 0.0 {
        return Err(NO_BENEFIT);
    }
    let present = values.iter().filter(|(w, _)| *w > 0.0);
    if alpha <= 0.0 && present.clone().any(|(_, x)| *x == 0.0) {
        return Err(INFINITE);
    }
    let sum: f64 = if alpha == 1.0 {
        present
            .map(|(w, x)| {
                let r = x / mu;
                if r == 0.0 {
                    0.0
                } else {
                    w * r * r.ln()
                }
            })
            .sum()
    } else if alpha == 0.0 {
        present.map(|(w, x)| -w * (x / mu).ln()).sum()
    } else {
        present
            .map(|(w, x)| w * ((x / mu).powf(alpha) - 1.0))
            .sum::<f64>()
            / (alpha * (alpha - 1.0))
    };
    Ok(sum / n)
}

/// GE(α) of the benefits of all rows with counts `c`.
pub fn generalized_entropy(c: &Confusion, alpha: f64) -> Value {
    ge(&points(c), alpha)
}

/// The between-group part: GE(α) after replacing each row's benefit by its group's mean benefit.
pub fn between_groups(groups: &[Confusion], alpha: f64) -> Value {
    let mut values = Vec::with_capacity(groups.len());
    for g in groups {
        let n = g.total();
        if n > 0.0 {
            let mean = points(g).iter().map(|(w, x)| w * x).sum::<f64>() / n;
            values.push((n, mean));
        }
    }
    ge(&values, alpha)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn brute(bs: &[f64], alpha: f64) -> f64 {
        let n = bs.len() as f64;
        let mu = bs.iter().sum::<f64>() / n;
        if alpha == 1.0 {
            bs.iter()
                .map(|b| {
                    if *b == 0.0 {
                        0.0
                    } else {
                        b / mu * (b / mu).ln()
                    }
                })
                .sum::<f64>()
                / n
        } else if alpha == 0.0 {
            -bs.iter().map(|b| (b / mu).ln()).sum::<f64>() / n
        } else {
            bs.iter().map(|b| (b / mu).powf(alpha) - 1.0).sum::<f64>() / (n * alpha * (alpha - 1.0))
        }
    }

    #[test]
    fn counts_equal_per_row_formula() {
        // tp 3, tn 4 (b = 1), fp 2 (b = 2), fn 1 (b = 0)
        let c = Confusion {
            tp: 3.0,
            fp: 2.0,
            tn: 4.0,
            fn_: 1.0,
        };
        let bs = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0, 0.0];
        for alpha in [0.5, 1.0, 2.0, 3.0] {
            let got = generalized_entropy(&c, alpha).unwrap();
            assert!(
                (got - brute(&bs, alpha)).abs() < 1e-15,
                "alpha {alpha}: {got}"
            );
        }
        assert_eq!(generalized_entropy(&c, 0.0), Err(INFINITE));
        // Without false negatives GE(0) is finite: the mean log deviation.
        let c0 = Confusion {
            tp: 3.0,
            fp: 2.0,
            tn: 4.0,
            fn_: 0.0,
        };
        let bs0 = [1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 2.0, 2.0];
        assert!((generalized_entropy(&c0, 0.0).unwrap() - brute(&bs0, 0.0)).abs() < 1e-15);
    }

    #[test]
    fn hand_value_alpha_two() {
        // b = (1, 2): μ = 1.5; GE(2) = ((2/3)² − 1 + (4/3)² − 1) / (2 · 2 · 1) = (4/9 + 16/9 − 2)/4 = 1/18
        let c = Confusion {
            tp: 1.0,
            fp: 1.0,
            tn: 0.0,
            fn_: 0.0,
        };
        assert!((generalized_entropy(&c, 2.0).unwrap() - 1.0 / 18.0).abs() < 1e-15);
    }

    #[test]
    fn between_group_part() {
        // Equal group means: no between-group inequality.
        let a = Confusion {
            tp: 1.0,
            fp: 1.0,
            tn: 1.0,
            fn_: 1.0,
        };
        assert_eq!(between_groups(&[a, a], 2.0), Ok(0.0));
        // Group means 1 and 2 with equal sizes equal GE of (1, 2).
        let g1 = Confusion {
            tp: 2.0,
            ..Default::default()
        };
        let g2 = Confusion {
            fp: 2.0,
            ..Default::default()
        };
        assert!((between_groups(&[g1, g2], 2.0).unwrap() - 1.0 / 18.0).abs() < 1e-15);
        let all_fn = Confusion {
            fn_: 3.0,
            ..Default::default()
        };
        assert_eq!(generalized_entropy(&all_fn, 2.0), Err(NO_BENEFIT));
    }
}
