//! The FA*IR ranked group fairness test (Zehlike et al. 2017), as `fairsearchcore` computes
//! it (github.com/fair-search/fairsearchcore-python, commit a92a3d6a, `mtable_generator.py`
//! and `fail_prob.py`): the mtable m(i) = binom.ppf(α_c, i, p) (0 when negative) with the
//! significance α_c adjusted by bisection so that the probability that a fair ranking fails
//! some prefix is about α; a ranking passes when every prefix i holds at least m(i) protected
//! items.

/// One k's mtable and its adjusted significance.
#[derive(Debug, Clone)]
pub struct MTable {
    pub m: Vec<u32>,
    pub adjusted_alpha: f64,
    pub fail_prob: f64,
}

/// ln C(n, k) via lgamma-free sums (n ≤ a few thousand).
fn ln_choose(n: u32, k: u32, lnf: &[f64]) -> f64 {
    lnf[n as usize] - lnf[k as usize] - lnf[(n - k) as usize]
}

fn ln_factorials(n: usize) -> Vec<f64> {
    let mut v = vec![0.0; n + 1];
    for i in 1..=n {
        v[i] = v[i - 1] + (i as f64).ln();
    }
    v
}

/// Binomial probability mass P(X = k), X ~ Bin(n, p).
fn pmf(k: u32, n: u32, p: f64, lnf: &[f64]) -> f64 {
    if k > n {
        return 0.0;
    }
    if p == 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    if p == 1.0 {
        return if k == n { 1.0 } else { 0.0 };
    }
    (ln_choose(n, k, lnf) + k as f64 * p.ln() + (n - k) as f64 * (1.0 - p).ln()).exp()
}

/// scipy's `binom.ppf(q, n, p)`: the smallest m with P(X ≤ m) ≥ q; −1 for q = 0 (fairsearchcore
/// then uses 0).
fn ppf(q: f64, n: u32, p: f64, lnf: &[f64]) -> i64 {
    if q <= 0.0 {
        return -1;
    }
    let mut cdf = 0.0;
    for m in 0..=n {
        cdf += pmf(m, n, p, lnf);
        if cdf >= q {
            return m as i64;
        }
    }
    n as i64
}

fn mtable(k: usize, p: f64, alpha: f64, lnf: &[f64]) -> Vec<u32> {
    (1..=k)
        .map(|i| ppf(alpha, i as u32, p, lnf).max(0) as u32)
        .collect()
}

/// fairsearchcore's `calculate_fail_probability`: blocks from the mtable's positions 1..k−1
/// (its `compute_aux_mtable` stops before the last position), then the recursive count of
/// legal assignments.
fn fail_probability(m: &[u32], p: f64, lnf: &[f64]) -> f64 {
    let mut blocks: Vec<u32> = Vec::new();
    let (mut last_m, mut last_pos) = (0u32, 0usize);
    for position in 1..m.len() {
        let mv = m[position - 1];
        if mv == last_m + 1 {
            last_m += 1;
            blocks.push((position - last_pos) as u32);
            last_pos = position;
        }
    }
    let max_protected: u32 = blocks.iter().sum();
    // The pmf values the recursion needs, Bin(n, p) for n up to the largest block, computed once
    // (the same formula and values as computing them on demand), and the memo as a table.
    let nmax = blocks.iter().copied().max().unwrap_or(0) as usize;
    let pmfs: Vec<Vec<f64>> = (0..=nmax)
        .map(|n| (0..=n).map(|k| pmf(k as u32, n as u32, p, lnf)).collect())
        .collect();
    let mut memo = vec![f64::NAN; (blocks.len() + 1) * (max_protected as usize + 1)];
    let success = legal(max_protected, &blocks, 0, 0, &pmfs, &mut memo);
    if success == 0.0 {
        0.0
    } else {
        1.0 - success
    }
}

/// `_find_legal_assignments_aux`: block `b` (0-based; its number is b + 1), `assigned` so far;
/// the candidates left are `total − assigned`. As the original, the pmf's trials are the
/// block's usable size (min(block, candidates left)). `pmfs[n][k]` = P(Bin(n, p) = k); `memo`
/// holds (b, assigned) → value (NaN: not yet computed).
fn legal(
    total: u32,
    blocks: &[u32],
    b: usize,
    assigned: u32,
    pmfs: &[Vec<f64>],
    memo: &mut [f64],
) -> f64 {
    if b == blocks.len() {
        return 1.0;
    }
    let at = b * (total as usize + 1) + assigned as usize;
    if !memo[at].is_nan() {
        return memo[at];
    }
    let remaining = total - assigned;
    let min_needed = (b as i64 + 1 - assigned as i64).max(0) as u32;
    let max_possible = blocks[b].min(remaining);
    let mut sum = 0.0;
    if min_needed <= max_possible {
        for items in min_needed..=max_possible {
            let suffix = legal(total, blocks, b + 1, assigned + items, pmfs, memo);
            sum += pmfs[max_possible as usize][items as usize] * suffix;
        }
    }
    memo[at] = sum;
    sum
}

struct Boundary {
    alpha: f64,
    fail_prob: f64,
    m: Vec<u32>,
}

impl Boundary {
    fn mass(&self) -> u64 {
        self.m.iter().map(|&x| x as u64).sum()
    }
}

const EPS: f64 = 0.0000000000000001;

/// fairsearchcore's `adjust_alpha` (the same bisection, the same stopping rules).
pub fn adjusted(k: usize, p: f64, alpha: f64) -> MTable {
    let lnf = ln_factorials(k + 1);
    let boundary = |a: f64| {
        let m = mtable(k, p, a, &lnf);
        let fail_prob = fail_probability(&m, p, &lnf);
        Boundary {
            alpha: a,
            fail_prob,
            m,
        }
    };
    let done = |b: Boundary| MTable {
        m: b.m,
        adjusted_alpha: b.alpha,
        fail_prob: b.fail_prob,
    };
    let (mut a_min, mut a_max) = (0.0, alpha);
    let mut a_mid = (a_min + a_max) / 2.0;
    let mut minb = boundary(a_min);
    let mut maxb = boundary(a_max);
    let mut midb = boundary(a_mid);
    while minb.mass() < maxb.mass() && midb.fail_prob != alpha {
        if midb.fail_prob < alpha {
            a_min = a_mid;
            minb = boundary(a_min);
        } else if midb.fail_prob > alpha {
            a_max = a_mid;
            maxb = boundary(a_max);
        }
        a_mid = (a_min + a_max) / 2.0;
        midb = boundary(a_mid);
        let (max_mass, min_mass, mid_mass) = (maxb.mass(), minb.mass(), midb.mass());
        if max_mass - min_mass == 1 || maxb.alpha - minb.alpha <= EPS {
            let min_diff = (minb.fail_prob - alpha).abs();
            let max_diff = (maxb.fail_prob - alpha).abs();
            return done(if min_diff <= max_diff { minb } else { maxb });
        }
        if max_mass.wrapping_sub(mid_mass) == 1 && mid_mass.wrapping_sub(min_mass) == 1 {
            let min_diff = (minb.fail_prob - alpha).abs();
            let max_diff = (maxb.fail_prob - alpha).abs();
            let mid_diff = (midb.fail_prob - alpha).abs();
            if mid_diff <= max_diff && mid_diff <= min_diff {
                return done(midb);
            }
            if min_diff <= mid_diff && min_diff <= max_diff {
                return done(minb);
            }
            return done(maxb);
        }
    }
    done(midb)
}

/// The first prefix length (1-based) whose protected count is below the mtable, if any.
pub fn first_failure(protected: impl Iterator<Item = bool>, m: &[u32]) -> Option<usize> {
    let mut count = 0u32;
    for (i, (is_p, need)) in protected.zip(m).enumerate() {
        count += is_p as u32;
        if count < *need {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unadjusted_mtable_is_the_binomial_quantile() {
        // scipy.stats.binom.ppf(0.1, i, 0.5) for i = 1..10: 0 0 0 1 1 1 2 2 3 3
        let lnf = ln_factorials(11);
        assert_eq!(mtable(10, 0.5, 0.1, &lnf), [0, 0, 0, 1, 1, 1, 2, 2, 3, 3]);
    }

    #[test]
    fn first_failure_finds_the_prefix() {
        let m = [0, 0, 1, 1, 2];
        assert_eq!(
            first_failure([false, false, false].into_iter(), &m),
            Some(3)
        );
        assert_eq!(
            first_failure([false, false, true, false, true].into_iter(), &m),
            None
        );
    }
}
