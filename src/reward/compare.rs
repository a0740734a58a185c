//! Two reward models on the same pairs: McNemar's exact test per subset (Holm-corrected), and for
//! two runs of one model the largest score change and the decisions that flip.

use super::settings::Ties;

use super::load::Pairs;
use super::metrics::credit;
pub use crate::stats::hypothesis::{holm, mcnemar_exact};

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
