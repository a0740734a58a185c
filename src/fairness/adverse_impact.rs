//! Adverse-impact analysis of decisions, as US employment law runs it (EEOC Uniform Guidelines
//! on Employee Selection Procedures, 29 CFR §1607.4(D)) and NYC Local Law 144 reports it: each
//! group's selections against those of the most-selected group — a significance test (pooled
//! two-proportion z-test and Fisher's exact test) and the shortfall, the number of additional
//! selections the group would need to reach the most-selected group's rate (parity) or four
//! fifths of it. Pure functions of the groups' selection counts; formulas and references in
//! docs/metrics.md ("Label-free audits").
//!
//! None of these needs the outcome (label): they are the label-free audit's core.

use crate::stats::hypothesis::{fisher_exact, two_proportion_p, two_proportion_z};
use crate::stats::Value;

/// The four-fifths rule's fraction as a ratio of integers (so shortfalls are exact).
const FOUR_FIFTHS: (u64, u64) = (4, 5);

/// One group's decisions: rows and weight, all and selected (predicted positive).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Selections {
    pub n: u64,
    pub selected: u64,
    pub weight: f64,
    pub selected_weight: f64,
}

impl Selections {
    /// The (weighted) selection rate, undefined for a group of zero weight.
    pub fn rate(&self) -> Value {
        if self.weight > 0.0 {
            Ok(self.selected_weight / self.weight)
        } else {
            Err("the group has zero total weight")
        }
    }
}

/// A group's adverse-impact figures against the most-selected group, in report order.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AdverseImpact {
    pub z_statistic: Value,
    pub z_test_p_value: Value,
    pub fisher_exact_p_value: Value,
    pub shortfall_to_parity: Value,
    pub shortfall_to_four_fifths: Value,
}

impl AdverseImpact {
    /// The figures by their report names.
    pub fn values(&self) -> [(&'static str, Value); 5] {
        [
            ("z_statistic", self.z_statistic),
            ("z_test_p_value", self.z_test_p_value),
            ("fisher_exact_p_value", self.fisher_exact_p_value),
            ("shortfall_to_parity", self.shortfall_to_parity),
            ("shortfall_to_four_fifths", self.shortfall_to_four_fifths),
        ]
    }

    /// Every figure undefined for one reason.
    pub fn undefined(why: &'static str) -> AdverseImpact {
        AdverseImpact {
            z_statistic: Err(why),
            z_test_p_value: Err(why),
            fisher_exact_p_value: Err(why),
            shortfall_to_parity: Err(why),
            shortfall_to_four_fifths: Err(why),
        }
    }
}

/// The per-group figures that compare a group with the most-selected one: a group left out of
/// the comparisons (`--exclude-below`, an unknown category) has none of them, and gates do not
/// read them there.
pub const COMPARISONS: [&str; 6] = [
    "disparate_impact_ratio",
    "z_statistic",
    "z_test_p_value",
    "fisher_exact_p_value",
    "shortfall_to_parity",
    "shortfall_to_four_fifths",
];

/// The significance tests of a group against the most-selected one: the most-selected group
/// has none of its own, and gates do not read them there.
pub const TESTS: [&str; 3] = ["z_statistic", "z_test_p_value", "fisher_exact_p_value"];

/// The reason the tests are left out of a weighted audit.
pub const WEIGHTED_TESTS: &str =
    "significance tests count people; with --weight they are left out (run without --weight)";
/// The reason every figure of the most-selected group itself is undefined.
pub const IS_MOST_SELECTED: &str = "the most-selected group itself (the comparison's reference)";

/// Group `g` against the most-selected group `r` (a different group).
///
/// - z: (p_g − p_r) / √(p(1 − p)(1/n_g + 1/n_r)), p = (s_g + s_r)/(n_g + n_r); two-sided
///   p-value 2·(1 − Φ(|z|)); on row counts (undefined with `weighted`, or when nobody or
///   everybody of the two groups is selected: no variance).
/// - Fisher's exact two-sided p-value of [[s_g, n_g − s_g], [s_r, n_r − s_r]] (scipy's rule;
///   1 when nobody, or everybody, of the two groups is selected).
/// - Shortfall to a fraction f of the reference rate: the fewest additional selections k
///   with (s_g + k)/n_g ≥ f·s_r/n_r, i.e. max(0, ⌈f·s_r·n_g/n_r⌉ − s_g), computed in integers
///   (f = 1 for parity, 4/5 for the four-fifths rule). With `weighted`, the same in weight
///   units without rounding: max(0, f·W_g·S_r/W_r − S_g).
pub fn versus(g: &Selections, r: &Selections, weighted: bool) -> AdverseImpact {
    let (tests_z, tests_p, fisher) = if weighted {
        (
            Err(WEIGHTED_TESTS),
            Err(WEIGHTED_TESTS),
            Err(WEIGHTED_TESTS),
        )
    } else {
        let (sg, ng, sr, nr) = (g.selected as f64, g.n as f64, r.selected as f64, r.n as f64);
        const NO_VARIANCE: &str =
            "nobody, or everybody, in the two groups is selected (no variance)";
        let z = two_proportion_z(sg, ng, sr, nr).ok_or(NO_VARIANCE);
        let p = two_proportion_p(sg, ng, sr, nr).ok_or(NO_VARIANCE);
        let fisher = if g.n == 0 || r.n == 0 {
            Err("a group with no rows")
        } else {
            Ok(fisher_exact(
                g.selected,
                g.n - g.selected,
                r.selected,
                r.n - r.selected,
            ))
        };
        (z, p, fisher)
    };
    AdverseImpact {
        z_statistic: tests_z,
        z_test_p_value: tests_p,
        fisher_exact_p_value: fisher,
        shortfall_to_parity: shortfall(g, r, (1, 1), weighted),
        shortfall_to_four_fifths: shortfall(g, r, FOUR_FIFTHS, weighted),
    }
}

/// Confidence interval of the impact ratio p_g / p_r (two independent proportions) by the log
/// method of Katz et al. (1978): exp(ln(p_g/p_r) ± z·√(1/s_g − 1/n_g + 1/s_r − 1/n_r)), as
/// statsmodels' `confint_proportions_2indep(s_g, n_g, s_r, n_r, method="log",
/// compare="ratio")` computes it. On row counts; `None` with no selection in either group (the
/// log is undefined) or an empty group. An upper end under 0.8 says the four-fifths rule fails
/// beyond sampling noise.
pub fn impact_ratio_interval(g: &Selections, r: &Selections, z: f64) -> Option<(f64, f64)> {
    if g.selected == 0 || r.selected == 0 || g.n == 0 || r.n == 0 {
        return None;
    }
    let (sg, ng, sr, nr) = (g.selected as f64, g.n as f64, r.selected as f64, r.n as f64);
    let log_ratio = (sg / ng).ln() - (sr / nr).ln();
    let se = (1.0 / sg - 1.0 / ng + 1.0 / sr - 1.0 / nr).max(0.0).sqrt();
    Some(((log_ratio - z * se).exp(), (log_ratio + z * se).exp()))
}

/// The fewest additional selections that bring `g`'s rate to `num/den` of `r`'s (0 when it is
/// there already); see [`versus`].
fn shortfall(g: &Selections, r: &Selections, (num, den): (u64, u64), weighted: bool) -> Value {
    if weighted {
        if r.weight <= 0.0 {
            return Err("the most-selected group has zero total weight");
        }
        let target = num as f64 / den as f64 * g.weight * r.selected_weight / r.weight;
        return Ok((target - g.selected_weight).max(0.0));
    }
    if r.n == 0 {
        return Err("the most-selected group has no rows");
    }
    // ⌈num·s_r·n_g / (den·n_r)⌉ − s_g in exact integers.
    let top = num as u128 * r.selected as u128 * g.n as u128;
    let bottom = den as u128 * r.n as u128;
    let need = top.div_ceil(bottom);
    Ok(need.saturating_sub(g.selected as u128) as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(selected: u64, n: u64) -> Selections {
        Selections {
            n,
            selected,
            weight: n as f64,
            selected_weight: selected as f64,
        }
    }

    #[test]
    fn shortfalls_by_hand() {
        // Reference 50 of 100 (0.5); group 20 of 90. Parity: ⌈0.5·90⌉ − 20 = 45 − 20 = 25.
        // Four fifths: ⌈0.4·90⌉ − 20 = 36 − 20 = 16 (36/90 = 0.4 = 0.8 · 0.5 exactly: no
        // rounding up past an exact product, which floats would risk).
        let a = versus(&sel(20, 90), &sel(50, 100), false);
        assert_eq!(a.shortfall_to_parity, Ok(25.0));
        assert_eq!(a.shortfall_to_four_fifths, Ok(16.0));
        // 7 of 30 against 2 of 3: ⌈(2/3)·30⌉ − 7 = 13; ⌈(8/15)·30⌉ − 7 = 16 − 7 = 9.
        let a = versus(&sel(7, 30), &sel(2, 3), false);
        assert_eq!(a.shortfall_to_parity, Ok(13.0));
        assert_eq!(a.shortfall_to_four_fifths, Ok(9.0));
        // Above four fifths already: 0.
        let a = versus(&sel(45, 100), &sel(50, 100), false);
        assert_eq!(a.shortfall_to_four_fifths, Ok(0.0));
        assert_eq!(a.shortfall_to_parity, Ok(5.0));
        // Weighted: 0.8 · 10 · (3/4) − 2 = 4 (weight units, not rounded).
        let g = Selections {
            n: 5,
            selected: 1,
            weight: 10.0,
            selected_weight: 2.0,
        };
        let r = Selections {
            n: 2,
            selected: 1,
            weight: 4.0,
            selected_weight: 3.0,
        };
        let a = versus(&g, &r, true);
        assert!((a.shortfall_to_four_fifths.unwrap() - 4.0).abs() < 1e-12);
        assert_eq!(a.z_test_p_value, Err(WEIGHTED_TESTS));
    }

    #[test]
    fn impact_ratio_interval_matches_statsmodels() {
        // statsmodels 0.15.0: confint_proportions_2indep(20, 90, 50, 100, method="log",
        // compare="ratio") = (0.28814410516285677, 0.6855280419007287), and (7, 30, 2, 3):
        // (0.12494792709583452, 0.9804084217102943). z = 1.959963984540054 (95%).
        let z = 1.959_963_984_540_054;
        let (lo, hi) = impact_ratio_interval(&sel(20, 90), &sel(50, 100), z).unwrap();
        assert!((lo - 0.288_144_105_162_856_77).abs() < 1e-12, "{lo}");
        assert!((hi - 0.685_528_041_900_728_7).abs() < 1e-12, "{hi}");
        let (lo, hi) = impact_ratio_interval(&sel(7, 30), &sel(2, 3), z).unwrap();
        assert!((lo - 0.124_947_927_095_834_52).abs() < 1e-12, "{lo}");
        assert!((hi - 0.980_408_421_710_294_3).abs() < 1e-12, "{hi}");
        assert_eq!(impact_ratio_interval(&sel(0, 30), &sel(2, 3), z), None);
    }

    #[test]
    fn tests_match_scipy() {
        // 30 of 100 against 45 of 100: z = −2.1908902300206643, p = 0.028459736916310146
        // (scipy 1.15.3: 2 * norm.sf(2.1908902300206643)); Fisher: fisher_exact([[30, 70],
        // [45, 55]]).pvalue = 0.040534006514982644.
        let a = versus(&sel(30, 100), &sel(45, 100), false);
        assert!((a.z_statistic.unwrap() + 2.190_890_230_020_664_3).abs() < 1e-12);
        assert!((a.z_test_p_value.unwrap() - 0.028_459_736_916_310_146).abs() < 1e-9);
        assert!((a.fisher_exact_p_value.unwrap() - 0.040_534_006_514_982_644).abs() < 1e-12);
        // Nobody selected in either group: z undefined, Fisher 1 (scipy's answer).
        let a = versus(&sel(0, 10), &sel(0, 12), false);
        assert!(a.z_statistic.is_err());
        assert_eq!(a.fisher_exact_p_value, Ok(1.0));
    }
}
