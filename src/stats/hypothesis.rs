//! Hypothesis tests shared by the engines: the pooled two-proportion z-test, Fisher's exact test,
//! McNemar's exact test and Holm's step-down correction.

use libm::lgamma;

use crate::stats::intervals::normal_sf;

/// Two-sided p-value of the pooled two-proportion z-test of k1/n1 against k2/n2:
/// z = (p1 − p2) / √(p(1 − p)(1/n1 + 1/n2)), p = (k1 + k2)/(n1 + n2); `None` when a sample is
/// empty or the pooled proportion is 0 or 1 (no variance).
pub fn two_proportion_p(k1: f64, n1: f64, k2: f64, n2: f64) -> Option<f64> {
    two_proportion_z(k1, n1, k2, n2).map(|z| (2.0 * normal_sf(z.abs())).min(1.0))
}

/// The statistic of the pooled two-proportion z-test, signed (negative when k1/n1 < k2/n2):
/// z = (p1 − p2) / √(p(1 − p)(1/n1 + 1/n2)), p = (k1 + k2)/(n1 + n2). `None` when a sample is
/// empty or the pooled proportion is 0 or 1. |z| > 2 is the "two standard deviations" of US
/// adverse-impact practice (Hazelwood School District v. United States, 1977).
pub fn two_proportion_z(k1: f64, n1: f64, k2: f64, n2: f64) -> Option<f64> {
    if n1 <= 0.0 || n2 <= 0.0 {
        return None;
    }
    let p = (k1 + k2) / (n1 + n2);
    if p <= 0.0 || p >= 1.0 {
        return None;
    }
    Some((k1 / n1 - k2 / n2) / (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt())
}

/// Two-sided p-value of Fisher's exact test of the 2×2 table [[a, b], [c, d]], as
/// `scipy.stats.fisher_exact(table).pvalue` computes it (scipy/stats/_stats_py.py): the sum of
/// the hypergeometric probabilities (rows fixed at a + b and c + d, first column at a + c) of
/// every table no more likely than the observed one, within a relative tolerance of 1e-14;
/// 1 when a row or a column sums to 0.
///
/// Probabilities are taken relative to the mode's (each from its neighbour by the ratio
/// P(x+1)/P(x) = (K − x)(n − x) / ((x + 1)(N − K − n + x + 1))), so no factorial is formed and
/// millions of rows neither overflow nor underflow the observed table's term.
pub fn fisher_exact(a: u64, b: u64, c: u64, d: u64) -> f64 {
    let (n1, n2, n) = (a + b, c + d, a + c);
    if n1 == 0 || n2 == 0 || n == 0 || b + d == 0 {
        return 1.0;
    }
    let total = n1 + n2;
    // The support of x (the table's top-left cell) and the ratio of consecutive probabilities.
    let lo = n.saturating_sub(n2);
    let hi = n.min(n1);
    let up = |x: u64| -> f64 {
        ((n1 - x) as f64 * (n - x) as f64)
            / ((x + 1) as f64 * (n2 as f64 - n as f64 + x as f64 + 1.0))
    };
    let mode = (((n + 1) as f64 * (n1 + 1) as f64) / (total + 2) as f64) as u64;
    let mode = mode.clamp(lo, hi);
    if a.abs_diff(mode) > FISHER_WALK {
        return fisher_far(a, (n1, n2, n), (lo, mode, hi), &up);
    }
    // Relative probability of the observed table: walk from the mode.
    // Away from the mode every factor shrinks the term, so once it underflows to 0 it stays 0.
    let mut r_obs = 1.0f64;
    if a > mode {
        for x in mode..a {
            r_obs *= up(x);
            if r_obs == 0.0 {
                break;
            }
        }
    } else {
        for x in (a..mode).rev() {
            r_obs /= up(x);
            if r_obs == 0.0 {
                break;
            }
        }
    }
    // The observed table's term underflowed: only terms that underflowed too (zeros) are no
    // larger, so the p-value is 0 — returned without summing the whole support (millions of
    // terms for large groups, once per bootstrap replicate).
    if r_obs == 0.0 {
        return 0.0;
    }
    let gamma = 1.0 + 1e-14;
    if (1.0 - r_obs).abs() <= 1e-14 {
        return 1.0;
    }
    // Sum every relative probability, and those no larger than the observed one; terms far
    // below the observed one cannot change the p-value (it is at least r_obs / Σ r).
    let negligible = r_obs * 1e-18;
    let (mut all, mut tail) = (1.0f64, 0.0f64);
    let mut r = 1.0f64;
    for x in mode..hi {
        r *= up(x);
        all += r;
        if r <= r_obs * gamma {
            tail += r;
        }
        // Past the mode terms only shrink: once one underflows to 0 the rest add nothing.
        if r < negligible || r == 0.0 {
            break;
        }
    }
    r = 1.0;
    for x in (lo..mode).rev() {
        r /= up(x);
        all += r;
        if r <= r_obs * gamma {
            tail += r;
        }
        // Past the mode terms only shrink: once one underflows to 0 the rest add nothing.
        if r < negligible || r == 0.0 {
            break;
        }
    }
    (tail / all).min(1.0)
}

/// The longest walk from the mode to the observed table that [`fisher_exact`] takes; past it
/// (large groups whose rates clearly differ: every bootstrap replicate of a 10M-row audit)
/// [`fisher_far`] finds the terms it needs without walking there.
const FISHER_WALK: u64 = 8192;

/// [`fisher_exact`] for an observed table far from the mode, in O(√N) steps instead of
/// O(|a − mode|): the same sum, organised otherwise. The whole sum Σ r is made from the mode out
/// (by the ratio of neighbours, until the terms fall below 1e-17 of the mode's); the observed
/// table's relative term r_obs = P(a)/P(mode) comes from differences of log-gammas
/// ([`ln_gamma_diff`]) of ln C(K, x) + ln C(N − K, n − x); the terms no larger than r_obs
/// (within 1e-14) are those from `a` outward and, on the other side of the mode, from the first
/// table as unlikely (found by bisection on those terms, which are monotone there) outward, each
/// summed until negligible against r_obs. Agrees with scipy's `fisher_exact` to 1e-7 relative up
/// to 4·10^8 rows (the tests).
fn fisher_far(
    a: u64,
    (n1, n2, n): (u64, u64, u64),
    (lo, mode, hi): (u64, u64, u64),
    up: &impl Fn(u64) -> f64,
) -> f64 {
    // ln P(x) − ln P(mode), term by term: ln C(K, x) − ln C(K, mode) and the like, each a
    // difference of log-gammas at nearby arguments.
    let (k, m, f) = (n1 as f64, n as f64, n2 as f64 - n as f64);
    let lr = |x: u64| -> f64 {
        let (x, o) = (x as f64, mode as f64);
        -ln_gamma_diff(x + 1.0, o + 1.0)
            - ln_gamma_diff(k - x + 1.0, k - o + 1.0)
            - ln_gamma_diff(m - x + 1.0, m - o + 1.0)
            - ln_gamma_diff(f + x + 1.0, f + o + 1.0)
    };
    let r_obs = lr(a).exp();
    if r_obs == 0.0 {
        return 0.0;
    }
    let limit = lr(a) + (1e-14f64).ln_1p();
    let mut all = 1.0f64;
    let mut r = 1.0f64;
    for x in mode..hi {
        r *= up(x);
        all += r;
        if r < 1e-17 {
            break;
        }
    }
    r = 1.0;
    for x in (lo..mode).rev() {
        r /= up(x);
        all += r;
        if r < 1e-17 {
            break;
        }
    }
    let negligible = r_obs * 1e-18;
    // Σ of the terms from `start` away from the mode (upward when `rising`), r(start) given.
    let outward = |start: u64, first: f64, rising: bool| -> f64 {
        let (mut sum, mut r) = (first, first);
        if rising {
            for x in start..hi {
                r *= up(x);
                sum += r;
                if r < negligible || r == 0.0 {
                    break;
                }
            }
        } else {
            for x in (lo..start).rev() {
                r /= up(x);
                sum += r;
                if r < negligible || r == 0.0 {
                    break;
                }
            }
        }
        sum
    };
    let mut tail = outward(a, r_obs, a > mode);
    if a > mode {
        // Below the mode the terms rise with x: the last x with a term no larger than r_obs.
        if lr(lo) <= limit {
            let (mut yes, mut no) = (lo, mode);
            while no - yes > 1 {
                let mid = yes + (no - yes) / 2;
                if lr(mid) <= limit {
                    yes = mid;
                } else {
                    no = mid;
                }
            }
            tail += outward(yes, lr(yes).exp(), false);
        }
    } else if lr(hi) <= limit {
        // Above the mode the terms fall with x: the first x with a term no larger than r_obs.
        let (mut no, mut yes) = (mode, hi);
        while yes - no > 1 {
            let mid = no + (yes - no) / 2;
            if lr(mid) <= limit {
                yes = mid;
            } else {
                no = mid;
            }
        }
        tail += outward(yes, lr(yes).exp(), true);
    }
    (tail / all).min(1.0)
}

/// ln Γ(u) − ln Γ(v) for u, v ≥ 1. Where both are large (≥ 10^4) by Stirling's series written
/// as a difference, (u − ½)·ln(1 + d/v) + d·ln v − d − d/(12uv) + (1/v³ − 1/u³)/360 with
/// d = u − v, so the large log-gammas themselves (10^9 for 10^8 rows) never cancel: about 1e-9
/// absolute error where two log-gammas would leave 1e-7.
fn ln_gamma_diff(u: f64, v: f64) -> f64 {
    if u.min(v) < 1e4 {
        return lgamma(u) - lgamma(v);
    }
    let d = u - v;
    (u - 0.5) * (d / v).ln_1p() + d * v.ln() - d - d / (12.0 * u * v)
        + (1.0 / (v * v * v) - 1.0 / (u * u * u)) / 360.0
}

/// Exact two-sided McNemar p-value from the discordant counts b (A right, B wrong) and c:
/// min(1, 2 · P(X ≤ min(b, c))) with X ~ Binomial(b + c, ½).
pub fn mcnemar_exact(b: u64, c: u64) -> f64 {
    let n = b + c;
    if n == 0 {
        return 1.0;
    }
    let k = b.min(c);
    // log C(n, i) − n log 2, summed in a stable way.
    let mut log_c = 0.0f64; // log C(n, 0)
    let mut total = 0.0f64;
    let ln2n = n as f64 * std::f64::consts::LN_2;
    for i in 0..=k {
        if i > 0 {
            log_c += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        total += (log_c - ln2n).exp();
    }
    (2.0 * total).min(1.0)
}

/// Holm's step-down adjustment: p_(i) · (m − i + 1), made monotone, capped at 1.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut idx: Vec<usize> = (0..m).collect();
    idx.sort_by(|&a, &b| p[a].total_cmp(&p[b]));
    let mut out = vec![0.0; m];
    let mut running = 0.0f64;
    for (rank, &i) in idx.iter().enumerate() {
        let adj = (p[i] * (m - rank) as f64).min(1.0);
        running = running.max(adj);
        out[i] = running;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_proportions() {
        // 30/100 vs 45/100: pooled 0.375, z = −0.15 / √(0.375·0.625·0.02) = −2.19089…;
        // p = 2·sf(2.19089) = 0.028459 (scipy: 2 * norm.sf(2.1908902300206643)).
        let p = two_proportion_p(30.0, 100.0, 45.0, 100.0).unwrap();
        assert!((p - 0.028_459_736_916_310_146).abs() < 1e-8, "{p}");
        assert_eq!(two_proportion_p(0.0, 10.0, 0.0, 10.0), None);
        assert_eq!(two_proportion_p(1.0, 0.0, 0.0, 10.0), None);
        let z = two_proportion_z(30.0, 100.0, 45.0, 100.0).unwrap();
        assert!((z + 2.190_890_230_020_664_3).abs() < 1e-12, "{z}");
    }

    #[test]
    fn fisher() {
        // By hand: rows 10 and 6, first column 9, N = 16; x (top-left) runs 3..=9 with
        // C(10,x)·C(6,9−x) = 120, 1260, 3780, 4200, 1800, 270, 10 ways of C(16,9) = 11440.
        // Observed x = 8 (270 ways); no more likely: x = 3, 8, 9 → 400 / 11440 = 0.0349650…
        // (scipy 1.15.3 fisher_exact([[8, 2], [1, 5]]).pvalue = 0.034965034965034975).
        let p = fisher_exact(8, 2, 1, 5);
        assert!((p - 0.034_965_034_965_034_975).abs() < 1e-12, "{p}");
        // scipy 1.15.3: fisher_exact([[3, 97], [12, 88]]) and ([[300, 700], [12000, 18000]]).
        let p = fisher_exact(3, 97, 12, 88);
        assert!((p - 0.028_671_314_973_177_094).abs() < 1e-12, "{p}");
        let p = fisher_exact(300, 700, 12_000, 18_000);
        assert!((p / 1.064_102_995_151_367_3e-10 - 1.0).abs() < 1e-9, "{p}");
        // A symmetric table is the mode: p = 1.
        assert_eq!(fisher_exact(5, 5, 5, 5), 1.0);
        // A zero row or column.
        assert_eq!(fisher_exact(0, 0, 3, 4), 1.0);
        assert_eq!(fisher_exact(0, 3, 0, 4), 1.0);
        // Groups of a million rows with selection rates 0.5 and 0.3: the observed table's
        // term underflows (scipy's p-value is 0.0 too), on either side of the mode.
        assert_eq!(fisher_exact(500_000, 500_000, 300_000, 700_000), 0.0);
        assert_eq!(fisher_exact(300_000, 700_000, 500_000, 500_000), 0.0);
        // Far in the tail without underflow the sum is still made (scipy 1.15.3:
        // fisher_exact([[5000, 5000], [4300, 5700]]).pvalue = 3.627276185241637e-23).
        let p = fisher_exact(5_000, 5_000, 4_300, 5_700);
        assert!((p / 3.627_276_185_241_637e-23 - 1.0).abs() < 1e-9, "{p}");
    }

    #[test]
    fn fisher_far_from_the_mode() {
        // Tables more than FISHER_WALK steps from the mode, against scipy 1.15.3's
        // fisher_exact(...).pvalue: above and below the mode, equal and unequal margins.
        for (t, want) in [
            (
                [2_490_000, 2_510_000, 2_510_000, 2_490_000],
                1.140_384_844_612_187_2e-36,
            ),
            (
                [1_209_000, 791_000, 4_791_000, 3_209_000],
                7.795_944_418_543_939e-48,
            ),
            (
                [1_191_000, 809_000, 4_809_000, 3_191_000],
                9.523_216_142_016_111e-48,
            ),
            (
                [25_060_000, 24_940_000, 24_940_000, 25_060_000],
                2.793_414_816_166_230_5e-127,
            ),
            (
                [100_030_000, 99_970_000, 99_970_000, 100_030_000],
                1.974_390_437_862_714e-9,
            ),
        ] {
            // scipy's own log-space pmf is good to about 1e-8 at 10^8 rows: 1e-7 between the two
            // (the walk this replaces was 7e-8 off at 2·10^8 rows).
            let p = fisher_exact(t[0], t[1], t[2], t[3]);
            assert!((p / want - 1.0).abs() < 1e-7, "{t:?}: {p} vs {want}");
        }
        // Just inside the walk (8,000 steps from the mode) the two ways agree (scipy:
        // 4.56602657821015e-24).
        let (a, b, c, d) = (2_508_000u64, 2_492_000u64, 2_492_000u64, 2_508_000u64);
        let walked = fisher_exact(a, b, c, d);
        assert!(
            (walked / 4.566_026_578_210_15e-24 - 1.0).abs() < 1e-9,
            "{walked}"
        );
        let (n1, n2, n) = (a + b, c + d, a + c);
        let up = |x: u64| -> f64 {
            ((n1 - x) as f64 * (n - x) as f64)
                / ((x + 1) as f64 * (n2 as f64 - n as f64 + x as f64 + 1.0))
        };
        let far = fisher_far(a, (n1, n2, n), (0, 2_500_000, n), &up);
        assert!((far / walked - 1.0).abs() < 1e-8, "{far} vs {walked}");
        // Underflow: 0, as scipy.
        assert_eq!(fisher_exact(1_210_000, 790_000, 4_700_000, 3_300_000), 0.0);
    }
}
