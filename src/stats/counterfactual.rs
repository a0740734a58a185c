//! Counterfactual measures shared by `audit-counterfactual` and `audit-reward`'s counterfactual
//! kind: differences between paired scores, the Wasserstein-1 distance and weak parity between
//! score distributions (LangFair's counterfactual sentiment parity), SQuAD's answer
//! normalisation, and the distances of an observed distribution from a target (KL, total
//! variation, mean absolute deviation, Shen et al.'s bias). Pure functions; imports no engine.

use super::Value;

/// Differences Δ = variant − original of paired scores, summarised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DeltaSummary {
    pub n: usize,
    /// Σ Δ / n.
    pub mean_delta: f64,
    /// Σ |Δ| / n.
    pub mean_abs_delta: f64,
    /// max |Δ|, and the index of the first pair where it occurs.
    pub max_abs_delta: f64,
    pub max_at: usize,
    /// #(|Δ| > ε) / n.
    pub share_over_epsilon: f64,
}

/// |Δ| > ε, where a |Δ| within 1e-12 (relative to max(ε, 1)) of ε counts as equal to it: a
/// difference of two decimal scores is not exact in binary (0.4 − 0.3 = 0.10000000000000003),
/// and a difference the file's decimals make exactly ε is not over it.
pub fn over_epsilon(delta: f64, epsilon: f64) -> bool {
    delta.abs() - epsilon > 1e-12 * epsilon.abs().max(1.0)
}

/// The summary of differences `deltas` (at least one) at tolerance `epsilon`: mean Δ, mean |Δ|,
/// max |Δ| (first index where it occurs), share with |Δ| greater than ε ([`over_epsilon`]). `None` for no
/// differences.
pub fn delta_summary(deltas: &[f64], epsilon: f64) -> Option<DeltaSummary> {
    if deltas.is_empty() {
        return None;
    }
    let n = deltas.len() as f64;
    let (mut sum, mut sum_abs, mut max, mut at, mut over) = (0.0, 0.0, -1.0f64, 0usize, 0usize);
    for (i, d) in deltas.iter().enumerate() {
        sum += d;
        sum_abs += d.abs();
        if d.abs() > max {
            max = d.abs();
            at = i;
        }
        if over_epsilon(*d, epsilon) {
            over += 1;
        }
    }
    Some(DeltaSummary {
        n: deltas.len(),
        mean_delta: sum / n,
        mean_abs_delta: sum_abs / n,
        max_abs_delta: max,
        max_at: at,
        share_over_epsilon: over as f64 / n,
    })
}

/// Wasserstein-1 distance between the empirical distributions of `a` and `b`: ∫ |F_a − F_b|.
/// For samples of equal size it is mean |sort(a)_i − sort(b)_i|, which is how LangFair computes
/// strict counterfactual parity (`SentimentBias._wasserstein_1_dist`); for unequal sizes it is
/// `scipy.stats.wasserstein_distance`. Undefined when either sample is empty.
pub fn wasserstein1(a: &[f64], b: &[f64]) -> Value {
    if a.is_empty() || b.is_empty() {
        return Err("a distribution without values");
    }
    let mut x = a.to_vec();
    let mut y = b.to_vec();
    x.sort_by(f64::total_cmp);
    y.sort_by(f64::total_cmp);
    if x.len() == y.len() {
        let s: f64 = x.iter().zip(&y).map(|(p, q)| (p - q).abs()).sum();
        return Ok(s / x.len() as f64);
    }
    // Merge the sorted samples; between consecutive points the CDFs are constant.
    let (na, nb) = (x.len() as f64, y.len() as f64);
    let (mut i, mut j) = (0usize, 0usize);
    let mut total = 0.0;
    let mut prev = x[0].min(y[0]);
    while i < x.len() || j < y.len() {
        let next = match (x.get(i), y.get(j)) {
            (Some(&p), Some(&q)) => p.min(q),
            (Some(&p), None) => p,
            (None, Some(&q)) => q,
            (None, None) => break,
        };
        total += (i as f64 / na - j as f64 / nb).abs() * (next - prev);
        while i < x.len() && x[i] == next {
            i += 1;
        }
        while j < y.len() && y[j] == next {
            j += 1;
        }
        prev = next;
    }
    Ok(total)
}

/// Weak counterfactual parity (LangFair, `parity="weak"`): the share of `a` strictly above
/// `threshold` minus the share of `b` strictly above it (signed). Undefined when either is empty.
pub fn weak_parity(a: &[f64], b: &[f64], threshold: f64) -> Value {
    if a.is_empty() || b.is_empty() {
        return Err("a distribution without values");
    }
    let share = |v: &[f64]| v.iter().filter(|x| **x > threshold).count() as f64 / v.len() as f64;
    Ok(share(a) - share(b))
}

/// SQuAD v1.1's `normalize_answer`: lower case, punctuation removed (ASCII punctuation, Python's
/// `string.punctuation`), the articles a / an / the removed as whole words, whitespace collapsed
/// to single spaces and trimmed. `" (B) "` → `b`, `"The Metformin."` → `metformin`.
pub fn normalize_answer(s: &str) -> String {
    let lower = s.to_lowercase();
    let no_punct: String = lower
        .chars()
        .filter(|c| !c.is_ascii_punctuation())
        .collect();
    no_punct
        .split_whitespace()
        .filter(|w| !matches!(*w, "a" | "an" | "the"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// [`normalize_answer`] without its removal of articles: lower case, ASCII punctuation removed,
/// whitespace collapsed and trimmed. For answers that are option letters, where SQuAD's rule
/// would erase the letter `A` (the article "a"): `"(A)"` → `a`, `" b. "` → `b`.
pub fn normalize_answer_keep_articles(s: &str) -> String {
    let lower = s.to_lowercase();
    let no_punct: String = lower
        .chars()
        .filter(|c| !c.is_ascii_punctuation())
        .collect();
    no_punct.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// KL(p ‖ t) = Σ_k p_k ln(p_k / t_k) in nats (terms with p_k = 0 are 0). Undefined when some
/// t_k = 0 where p_k > 0.
pub fn kl_divergence(p: &[f64], t: &[f64]) -> Value {
    let mut s = 0.0;
    for (pk, tk) in p.iter().zip(t) {
        if *pk > 0.0 {
            if *tk <= 0.0 {
                return Err("the target gives 0 to a value that occurs");
            }
            s += pk * (pk / tk).ln();
        }
    }
    Ok(s)
}

/// Total variation distance ½ Σ_k |p_k − t_k|.
pub fn total_variation(p: &[f64], t: &[f64]) -> f64 {
    0.5 * p.iter().zip(t).map(|(a, b)| (a - b).abs()).sum::<f64>()
}

/// Mean absolute deviation from the target (1/K) Σ_k |p_k − t_k| over the K values.
pub fn mean_abs_deviation(p: &[f64], t: &[f64]) -> Value {
    if p.is_empty() {
        return Err("no values");
    }
    Ok(p.iter().zip(t).map(|(a, b)| (a - b).abs()).sum::<f64>() / p.len() as f64)
}

/// Shen et al. (2024)'s bias of a distribution over K classes: the mean over the K(K−1)/2 pairs
/// i < j of |p_i − p_j| (0 for a uniform distribution; `get_evaluate_metrics` in
/// sail-sg/finetune-fair-diffusion). Undefined for fewer than two classes.
pub fn pairwise_bias(p: &[f64]) -> Value {
    let k = p.len();
    if k < 2 {
        return Err("fewer than two values");
    }
    let mut s = 0.0;
    for i in 0..k {
        for j in i + 1..k {
            s += (p[i] - p[j]).abs();
        }
    }
    Ok(s / (k * (k - 1) / 2) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deltas_by_hand() {
        // Δ = 0.1, −0.3, 0.05: mean −0.05, mean |Δ| 0.15, max 0.3 at 1, over 0.1: only 0.3 → 1/3.
        let s = delta_summary(&[0.1, -0.3, 0.05], 0.1).unwrap();
        assert!((s.mean_delta + 0.05).abs() < 1e-12);
        assert!((s.mean_abs_delta - 0.15).abs() < 1e-12);
        assert_eq!((s.max_abs_delta, s.max_at), (0.3, 1));
        assert!((s.share_over_epsilon - 1.0 / 3.0).abs() < 1e-12);
        assert!(delta_summary(&[], 0.1).is_none());
    }

    #[test]
    fn wasserstein_like_scipy() {
        // Equal sizes: sorted [0,1,3] vs [1,2,5]: (1 + 1 + 2) / 3.
        assert!(
            (wasserstein1(&[3.0, 0.0, 1.0], &[5.0, 1.0, 2.0]).unwrap() - 4.0 / 3.0).abs() < 1e-12
        );
        // scipy.stats.wasserstein_distance([0, 1, 3], [5, 6, 8]) = 5; ([0, 1], [0, 1, 2]):
        // ∫ |F_a − F_b| = on [0,1): |1/2 − 1/3| = 1/6, on [1,2): |1 − 2/3| = 1/3 → 0.5.
        assert!((wasserstein1(&[0.0, 1.0], &[0.0, 1.0, 2.0]).unwrap() - 0.5).abs() < 1e-12);
        assert!(wasserstein1(&[], &[1.0]).is_err());
    }

    #[test]
    fn squad_normalisation() {
        assert_eq!(normalize_answer(" (B) "), "b");
        assert_eq!(normalize_answer("b."), "b");
        assert_eq!(normalize_answer("The  Metformin."), "metformin");
        assert_eq!(normalize_answer("an apple a day"), "apple day");
    }

    #[test]
    fn distances_by_hand() {
        // p = (0.8, 0.2), t = (0.5, 0.5): KL = 0.8 ln 1.6 + 0.2 ln 0.4; TV = 0.3; MAD = 0.3;
        // bias = |0.8 − 0.2| = 0.6.
        let (p, t) = ([0.8, 0.2], [0.5, 0.5]);
        let kl = 0.8 * 1.6f64.ln() + 0.2 * 0.4f64.ln();
        assert!((kl_divergence(&p, &t).unwrap() - kl).abs() < 1e-12);
        assert!((total_variation(&p, &t) - 0.3).abs() < 1e-12);
        assert!((mean_abs_deviation(&p, &t).unwrap() - 0.3).abs() < 1e-12);
        assert!((pairwise_bias(&p).unwrap() - 0.6).abs() < 1e-12);
        assert!(kl_divergence(&[0.5, 0.5], &[1.0, 0.0]).is_err());
        assert!(pairwise_bias(&[1.0]).is_err());
    }
}
