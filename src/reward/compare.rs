//! Two reward models on the same pairs: McNemar's exact test per subset (Holm-corrected), and for
//! two runs of one model the largest score change and the decisions that flip.

use crate::cli::Ties;

use super::load::Pairs;
use super::metrics::credit;

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

/// Per subset code: (b, c) discordant counts between A and B (a pair counts as right when its
/// credit is 1; ties follow `ties`, and a half credit is not right).
pub fn discordant(a: &Pairs, b: &Pairs, ties: Ties) -> Vec<(u64, u64)> {
    let mut out = vec![(0u64, 0u64); a.subset.names.len()];
    for i in 0..a.chosen.len() {
        let ra = credit(a.chosen[i], a.rejected[i], ties) == Some(1.0);
        let rb = credit(b.chosen[i], b.rejected[i], ties) == Some(1.0);
        let s = a.subset.codes[i] as usize;
        match (ra, rb) {
            (true, false) => out[s].0 += 1,
            (false, true) => out[s].1 += 1,
            _ => {}
        }
    }
    out
}

/// Largest |Δ score| over both responses, and the pairs whose decision (chosen > rejected)
/// differs between the runs.
pub fn drift(a: &Pairs, b: &Pairs) -> (f64, u64) {
    let mut max = 0.0f64;
    let mut flips = 0;
    for i in 0..a.chosen.len() {
        max = max
            .max((a.chosen[i] - b.chosen[i]).abs())
            .max((a.rejected[i] - b.rejected[i]).abs());
        if (a.chosen[i] > a.rejected[i]) != (b.chosen[i] > b.rejected[i]) {
            flips += 1;
        }
    }
    (max, flips)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcnemar_and_holm_by_hand() {
        // b = 1, c = 5: P(X ≤ 1) = (1 + 6) / 64; p = 14 / 64.
        assert!((mcnemar_exact(1, 5) - 14.0 / 64.0).abs() < 1e-12);
        assert_eq!(mcnemar_exact(3, 3), 1.0);
        let h = holm(&[0.01, 0.04, 0.03]);
        assert!((h[0] - 0.03).abs() < 1e-12);
        assert!((h[2] - 0.06).abs() < 1e-12);
        assert!((h[1] - 0.06).abs() < 1e-12);
    }
}
