//! Hypothesis tests shared by the engines: the pooled two-proportion z-test, McNemar's exact test
//! and Holm's step-down correction.

use crate::stats::intervals::normal_sf;

/// Two-sided p-value of the pooled two-proportion z-test of k1/n1 against k2/n2:
/// z = (p1 − p2) / √(p(1 − p)(1/n1 + 1/n2)), p = (k1 + k2)/(n1 + n2); `None` when a sample is
/// empty or the pooled proportion is 0 or 1 (no variance).
pub fn two_proportion_p(k1: f64, n1: f64, k2: f64, n2: f64) -> Option<f64> {
    if n1 <= 0.0 || n2 <= 0.0 {
        return None;
    }
    let p = (k1 + k2) / (n1 + n2);
    if p <= 0.0 || p >= 1.0 {
        return None;
    }
    let z = (k1 / n1 - k2 / n2) / (p * (1.0 - p) * (1.0 / n1 + 1.0 / n2)).sqrt();
    Some((2.0 * normal_sf(z.abs())).min(1.0))
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
    }
}
