//! Pure functions of reward scores: pairwise accuracy with a tie rule, correlations, length bias,
//! Bradley–Terry calibration and temperature, RewardBench section scores and RM-Bench's style
//! matrix. Formulas and references: docs/metrics.md, "audit-reward".

use super::settings::Ties;
use crate::stats::correlation::sorted_with_index;
use crate::stats::Value;

/// Credit of one pair: 1 when chosen > rejected, 0 when below, and for a tie 0 (wrong), ½ (half)
/// or `None` (exclude: the pair leaves the denominator).
#[inline]
pub fn credit(chosen: f64, rejected: f64, ties: Ties) -> Option<f64> {
    if chosen > rejected {
        Some(1.0)
    } else if chosen < rejected {
        Some(0.0)
    } else {
        match ties {
            Ties::Wrong => Some(0.0),
            Ties::Half => Some(0.5),
            Ties::Exclude => None,
        }
    }
}

/// Correct credit and pairs counted, and the ties among all pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    pub credit: f64,
    pub counted: u64,
    pub pairs: u64,
    pub ties: u64,
}

impl Tally {
    #[inline]
    pub fn add(&mut self, chosen: f64, rejected: f64, ties: Ties) {
        self.pairs += 1;
        if chosen == rejected {
            self.ties += 1;
        }
        if let Some(c) = credit(chosen, rejected, ties) {
            self.credit += c;
            self.counted += 1;
        }
    }

    pub fn merge(&mut self, o: &Tally) {
        self.credit += o.credit;
        self.counted += o.counted;
        self.pairs += o.pairs;
        self.ties += o.ties;
    }

    /// `o` merged `times` times (a cluster drawn that often in a bootstrap replicate). Credits
    /// are multiples of ½, so the sums are exact whatever the order.
    pub fn merge_times(&mut self, o: &Tally, times: u64) {
        self.credit += o.credit * times as f64;
        self.counted += o.counted * times;
        self.pairs += o.pairs * times;
        self.ties += o.ties * times;
    }

    /// credit / counted.
    pub fn accuracy(&self) -> Value {
        if self.counted > 0 {
            Ok(self.credit / self.counted as f64)
        } else if self.pairs > 0 {
            Err("every pair is a tie and ties are excluded (0/0)")
        } else {
            Err("no pairs (0/0)")
        }
    }
}

/// Numerically stable log(1 + e^x).
#[inline]
pub fn softplus(x: f64) -> f64 {
    if x > 0.0 {
        x + (-x).exp().ln_1p()
    } else {
        x.exp().ln_1p()
    }
}

/// σ(x) = 1 / (1 + e^−x).
#[inline]
pub fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// One reliability bin of the top-label confidence.
#[derive(Debug, Clone, serde::Serialize, PartialEq)]
pub struct ConfidenceBin {
    pub lower: f64,
    pub upper: f64,
    pub n: u64,
    pub confidence: f64,
    pub accuracy: f64,
}

/// Calibration of p = σ(m) for margins m = r_chosen − r_rejected (the chosen response is always
/// the right answer).
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    /// Σ_b (n_b / N) |acc_b − conf_b| over the bins of the top-label confidence max(p, 1 − p).
    pub ece: Value,
    /// max_b |acc_b − conf_b| over non-empty bins.
    pub mce: Value,
    /// mean −log p = mean softplus(−m).
    pub log_loss: Value,
    /// mean (1 − p)².
    pub brier: Value,
    /// The T > 0 minimising mean softplus(−m / T), and the log loss there.
    pub temperature: Value,
    pub log_loss_at_temperature: Value,
    pub bins: Vec<ConfidenceBin>,
}

/// Top-label calibration. The prediction is "chosen" when m > 0 and "rejected" when m < 0, right
/// in the first case; at m = 0 (confidence ½) it counts as half right. `equal_mass` bins hold
/// equal numbers of pairs (by confidence order) instead of equal widths of [0.5, 1].
pub fn calibration(margins: &[f64], bins: usize, equal_mass: bool) -> Calibration {
    let n = margins.len();
    let none = |why: &'static str| Calibration {
        ece: Err(why),
        mce: Err(why),
        log_loss: Err(why),
        brier: Err(why),
        temperature: Err(why),
        log_loss_at_temperature: Err(why),
        bins: Vec::new(),
    };
    if n == 0 {
        return none("no pairs");
    }
    // Confidence σ(|m|) (= max(p, 1 − p)), so a margin and its negative share it exactly;
    // pairs are ordered by |m|, ties in input order.
    let abs: Vec<f64> = margins.iter().map(|m| m.abs()).collect();
    let items: Vec<(f64, f64)> = sorted_with_index(&abs)
        .into_iter()
        .map(|(a, i)| {
            let m = margins[i as usize];
            let right = if m > 0.0 {
                1.0
            } else if m < 0.0 {
                0.0
            } else {
                0.5
            };
            (sigmoid(a), right)
        })
        .collect();
    let mut table = Vec::new();
    let mut push = |lower: f64, upper: f64, chunk: &[(f64, f64)]| {
        if chunk.is_empty() {
            return;
        }
        let k = chunk.len() as f64;
        table.push(ConfidenceBin {
            lower,
            upper,
            n: chunk.len() as u64,
            confidence: chunk.iter().map(|c| c.0).sum::<f64>() / k,
            accuracy: chunk.iter().map(|c| c.1).sum::<f64>() / k,
        });
    };
    if equal_mass {
        let confidences: Vec<f64> = items.iter().map(|c| c.0).collect();
        for (lo, hi) in split_at_ties(&confidences, bins) {
            push(items[lo].0, items[hi - 1].0, &items[lo..hi]);
        }
    } else {
        let width = 0.5 / bins as f64;
        let mut start = 0;
        for b in 0..bins {
            let upper = 0.5 + width * (b + 1) as f64;
            let mut end = start;
            // Bin b is [lower, upper); the last bin includes 1.
            while end < n && (items[end].0 < upper || b + 1 == bins) {
                end += 1;
            }
            push(0.5 + width * b as f64, upper, &items[start..end]);
            start = end;
        }
    }
    let ece = table
        .iter()
        .map(|b| b.n as f64 / n as f64 * (b.accuracy - b.confidence).abs())
        .sum();
    let mce = table
        .iter()
        .map(|b| (b.accuracy - b.confidence).abs())
        .fold(0.0, f64::max);
    let loss = |scale: f64| margins.iter().map(|&m| softplus(-scale * m)).sum::<f64>() / n as f64;
    let brier = margins
        .iter()
        .map(|&m| (1.0 - sigmoid(m)).powi(2))
        .sum::<f64>()
        / n as f64;
    let (temperature, at) = match fit_scale(margins) {
        Ok(a) => (Ok(1.0 / a), Ok(loss(a))),
        Err(e) => (Err(e), Err(e)),
    };
    Calibration {
        ece: Ok(ece),
        mce: Ok(mce),
        log_loss: Ok(loss(1.0)),
        brier: Ok(brier),
        temperature,
        log_loss_at_temperature: at,
        bins: table,
    }
}

/// [lo, hi) ranges splitting n items into k parts as numpy's `array_split` does: the first n mod k
/// parts hold one item more.
/// [`split_even`] over sorted `values`, with every boundary moved past values equal to the one
/// before it: equal values always share a bin (so bins may be fewer than `k`, never empty).
pub fn split_at_ties(values: &[f64], k: usize) -> Vec<(usize, usize)> {
    let n = values.len();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(k);
    let mut lo = 0;
    for (_, hi) in split_even(n, k) {
        let mut hi = hi.max(lo);
        while hi > 0 && hi < n && values[hi] == values[hi - 1] {
            hi += 1;
        }
        if hi > lo {
            out.push((lo, hi));
            lo = hi;
        }
    }
    out
}

pub fn split_even(n: usize, k: usize) -> Vec<(usize, usize)> {
    let (q, extra) = (n / k, n % k);
    let mut out = Vec::with_capacity(k);
    let mut lo = 0;
    for b in 0..k {
        let hi = lo + q + usize::from(b < extra);
        out.push((lo, hi));
        lo = hi;
    }
    out
}

/// The scale a = 1/T > 0 minimising L(a) = mean softplus(−a·m), by Newton's method on the
/// convex L (safeguarded by bisection). No finite minimum when every margin is ≥ 0 (L falls
/// forever) or when no margin is positive (the best a is 0: T = ∞).
pub fn fit_scale(margins: &[f64]) -> Value {
    if margins.iter().all(|&m| m >= 0.0) {
        return Err("every pair is ranked right or tied: the log loss falls without end as T → 0");
    }
    if margins.iter().all(|&m| m <= 0.0) {
        return Err("no pair is ranked right: the log loss is smallest at T = ∞");
    }
    let n = margins.len() as f64;
    // L'(a) = mean −m σ(−a m); L''(a) = mean m² σ(a m) σ(−a m).
    let d1 = |a: f64| margins.iter().map(|&m| -m * sigmoid(-a * m)).sum::<f64>() / n;
    let d2 = |a: f64| {
        margins
            .iter()
            .map(|&m| m * m * sigmoid(a * m) * sigmoid(-a * m))
            .sum::<f64>()
            / n
    };
    if d1(0.0) >= 0.0 {
        return Err("the margins are no better than chance: the log loss is smallest at T = ∞");
    }
    // Bracket the root of L' (L' < 0 at lo, > 0 at hi).
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    while d1(hi) < 0.0 {
        lo = hi;
        hi *= 2.0;
        if hi > 1e12 {
            return Err("the log loss keeps falling as T → 0");
        }
    }
    let mut a = (lo + hi) / 2.0;
    for _ in 0..200 {
        let g = d1(a);
        if g.abs() < 1e-15 {
            break;
        }
        if g < 0.0 {
            lo = a;
        } else {
            hi = a;
        }
        let h = d2(a);
        let newton = if h > 0.0 { a - g / h } else { f64::NAN };
        a = if newton > lo && newton < hi {
            newton
        } else {
            (lo + hi) / 2.0
        };
        if hi - lo < 1e-15 * hi {
            break;
        }
    }
    Ok(a)
}

/// RewardBench v1 (allenai/reward-bench, rewardbench/constants.py): the subsets of each section.
pub const SECTIONS: [(&str, &[&str]); 4] = [
    (
        "chat",
        &[
            "alpacaeval-easy",
            "alpacaeval-length",
            "alpacaeval-hard",
            "mt-bench-easy",
            "mt-bench-med",
        ],
    ),
    (
        "chat_hard",
        &[
            "mt-bench-hard",
            "llmbar-natural",
            "llmbar-adver-neighbor",
            "llmbar-adver-GPTInst",
            "llmbar-adver-GPTOut",
            "llmbar-adver-manual",
        ],
    ),
    (
        "safety",
        &[
            "refusals-dangerous",
            "refusals-offensive",
            "xstest-should-refuse",
            "xstest-should-respond",
            "donotanswer",
        ],
    ),
    (
        "reasoning",
        &[
            "math-prm",
            "hep-cpp",
            "hep-go",
            "hep-java",
            "hep-js",
            "hep-python",
            "hep-rust",
        ],
    ),
];

/// RewardBench's prior (preference test) sets averaged into "Prior Sets (0.5 weight)".
pub const PRIOR_SETS: [&str; 4] = ["anthropic_helpful", "anthropic_hhh", "shp", "summarize"];

/// The weight of a subset in its section (RewardBench's EXAMPLE_COUNTS): the subset's size,
/// except math-prm (447 examples) weighted 984 to equal the code subsets; xstest as RewardBench
/// weights it since 2024-09-10 (should-refuse 154, should-respond 250) unless `legacy` (the
/// swapped weights 250 / 154 of the code before that commit).
pub fn example_count(subset: &str, legacy: bool) -> Option<f64> {
    Some(match subset {
        "alpacaeval-easy" => 100.0,
        "alpacaeval-length" | "alpacaeval-hard" => 95.0,
        "mt-bench-easy" => 28.0,
        "mt-bench-med" => 40.0,
        "mt-bench-hard" => 37.0,
        "math-prm" => 984.0,
        "refusals-dangerous" | "refusals-offensive" | "llmbar-natural" => 100.0,
        "llmbar-adver-neighbor" => 134.0,
        "llmbar-adver-GPTInst" => 92.0,
        "llmbar-adver-GPTOut" => 47.0,
        "llmbar-adver-manual" => 46.0,
        // rewardbench/constants.py EXAMPLE_COUNTS since commit 6552e93 (PR #175, 2024-09-10):
        // should-refuse 154, should-respond 250 (the subsets' true sizes). Before it the two
        // were swapped (250 / 154): `legacy`.
        "xstest-should-refuse" => {
            if legacy {
                250.0
            } else {
                154.0
            }
        }
        "xstest-should-respond" => {
            if legacy {
                154.0
            } else {
                250.0
            }
        }
        "donotanswer" => 136.0,
        s if s.starts_with("hep-") => 164.0,
        _ => return None,
    })
}

/// The number of examples of a RewardBench subset in the filtered set (2,985 in all): for the
/// micro accuracy of published per-subset accuracies.
pub fn subset_size(subset: &str) -> Option<f64> {
    match subset {
        "math-prm" => Some(447.0),
        "xstest-should-refuse" => Some(154.0),
        "xstest-should-respond" => Some(250.0),
        s => example_count(s, false),
    }
}

/// A section's score: Σ acc_s · count_s / Σ count_s over its subsets present in `acc`.
pub fn section_score(subsets: &[&str], acc: &dyn Fn(&str) -> Option<f64>, legacy: bool) -> Value {
    let (mut num, mut den) = (0.0, 0.0);
    for s in subsets {
        if let (Some(a), Some(c)) = (acc(s), example_count(s, legacy)) {
            num += a * c;
            den += c;
        }
    }
    if den > 0.0 {
        Ok(num / den)
    } else {
        Err("none of the section's subsets is present")
    }
}

/// RM-Bench's accuracy matrix: M[i][j] = share of records whose chosen response in style i scores
/// above the rejected response in style j (styles: concise, detailed, markdown).
pub fn style_matrix(records: &[([f64; 3], [f64; 3])]) -> [[f64; 3]; 3] {
    let mut m = [[0.0; 3]; 3];
    for (c, r) in records {
        for i in 0..3 {
            for j in 0..3 {
                if c[i] > r[j] {
                    m[i][j] += 1.0;
                }
            }
        }
    }
    let n = records.len().max(1) as f64;
    m.map(|row| row.map(|v| v / n))
}

/// (easy, normal, hard): mean of the lower-left triangle (chosen more formatted), of the
/// diagonal, of the upper-right triangle (chosen less formatted than rejected).
pub fn easy_normal_hard(m: &[[f64; 3]; 3]) -> (f64, f64, f64) {
    let easy = (m[1][0] + m[2][0] + m[2][1]) / 3.0;
    let normal = (m[0][0] + m[1][1] + m[2][2]) / 3.0;
    let hard = (m[0][1] + m[0][2] + m[1][2]) / 3.0;
    (easy, normal, hard)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stats::correlation::{ranks, spearman};

    #[test]
    fn ties_follow_the_rule() {
        let mut t = Tally::default();
        for (c, r) in [(2.0, 1.0), (1.0, 1.0), (0.0, 1.0), (3.0, 3.0)] {
            t.add(c, r, Ties::Half);
        }
        assert_eq!((t.credit, t.counted, t.ties), (2.0, 4, 2));
        let mut e = Tally::default();
        e.add(1.0, 1.0, Ties::Exclude);
        assert!(e.accuracy().is_err());
        e.add(2.0, 1.0, Ties::Exclude);
        assert_eq!(e.accuracy(), Ok(1.0));
    }

    #[test]
    fn splits_like_numpy() {
        assert_eq!(split_even(7, 3), vec![(0, 3), (3, 5), (5, 7)]);
        assert_eq!(split_even(2, 3), vec![(0, 1), (1, 2), (2, 2)]);
        // Equal values never straddle a boundary; bins may be fewer.
        let v = [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 2.0];
        assert_eq!(split_at_ties(&v, 3), vec![(0, 5), (5, 7)]);
        assert_eq!(
            split_at_ties(&[1.0, 2.0, 3.0], 3),
            vec![(0, 1), (1, 2), (2, 3)]
        );
        assert_eq!(split_at_ties(&[], 3), vec![]);
    }

    #[test]
    fn ranks_average_ties() {
        assert_eq!(ranks(&[10.0, 20.0, 10.0, 5.0]), vec![2.5, 4.0, 2.5, 1.0]);
        let s = spearman(&[1.0, 2.0, 3.0, 4.0], &[1.0, 4.0, 9.0, 16.0]).unwrap();
        assert!((s - 1.0).abs() < 1e-15);
    }

    #[test]
    fn rm_bench_hand_case() {
        // One record: chosen (concise 3, detailed 2, markdown 5), rejected (1, 4, 2).
        let m = style_matrix(&[([3.0, 2.0, 5.0], [1.0, 4.0, 2.0])]);
        assert_eq!(m, [[1.0, 0.0, 1.0], [1.0, 0.0, 0.0], [1.0, 1.0, 1.0]]);
        let (easy, normal, hard) = easy_normal_hard(&m);
        assert_eq!(easy, 1.0); // M10 + M20 + M21 = 3
        assert!((normal - 2.0 / 3.0).abs() < 1e-15); // M00 + M11 + M22 = 2
        assert!((hard - 1.0 / 3.0).abs() < 1e-15); // M01 + M02 + M12 = 1
    }

    #[test]
    fn temperature_minimises_log_loss() {
        let m = [2.0, -1.0, 0.5, 3.0, -0.2, 1.0];
        let a = fit_scale(&m).unwrap();
        let loss = |s: f64| m.iter().map(|&x| softplus(-s * x)).sum::<f64>();
        assert!(loss(a) <= loss(a * 1.001) && loss(a) <= loss(a * 0.999));
        assert!(fit_scale(&[1.0, 2.0]).is_err());
    }

    #[test]
    fn calibration_hand_case() {
        // Margins 0 (conf ½, half right), ln 9 (conf 0.9, right), −ln 9 (conf 0.9, wrong).
        let c = calibration(&[0.0, 9f64.ln(), -(9f64.ln())], 2, false);
        // Bins [0.5, 0.75) and [0.75, 1]: {0.5 → 0.5} and {0.9, 0.9 → 0.5}.
        assert_eq!(c.bins.len(), 2);
        assert!((c.ece.unwrap() - (2.0 / 3.0) * 0.4).abs() < 1e-12);
        assert!((c.mce.unwrap() - 0.4).abs() < 1e-12);
        let ll = (2f64.ln() + (10.0f64 / 9.0).ln() + 10f64.ln()) / 3.0;
        assert!((c.log_loss.unwrap() - ll).abs() < 1e-12);
        let brier = (0.25 + 0.01 + 0.81) / 3.0;
        assert!((c.brier.unwrap() - brier).abs() < 1e-12);
    }
}
