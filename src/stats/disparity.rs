//! Disparities of a per-group metric, exactly as fairlearn's `MetricFrame.difference` and
//! `MetricFrame.ratio` define them (fairlearn/metrics/_disaggregated_result.py), except that
//! groups whose value is undefined are left out instead of counted as 0.

use crate::stats::Value;

/// The four aggregates of one metric over the included groups.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Disparity {
    /// max_g v_g − min_g v_g (fairlearn `method="between_groups"`).
    pub difference: Value,
    /// min_g v_g / max_g v_g.
    pub ratio: Value,
    /// max_g |v_g − v_overall| (fairlearn `method="to_overall"`).
    pub difference_to_overall: Value,
    /// min_g min(v_g / v_overall, v_overall / v_g).
    pub ratio_to_overall: Value,
}

const NO_GROUP: &str = "no group has a defined value";
const ONE_GROUP: &str = "defined for only one group; a disparity compares two or more";
const MAX_ZERO: &str = "every group's value is 0 (0/0)";
const OVERALL_ZERO: &str = "the overall value is 0 (x/0)";

/// Disparities of `values` (the defined values of the included groups) around `overall`.
/// Fewer than two defined values: every aggregate is undefined (one group's "difference" of 0
/// would let a gate pass on a comparison that was never made).
pub fn disparity(values: &[f64], overall: Value) -> Disparity {
    if values.len() < 2 {
        let why = if values.is_empty() {
            NO_GROUP
        } else {
            ONE_GROUP
        };
        return undefined(why);
    }
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let difference = Ok(max - min);
    let ratio = if max != 0.0 {
        Ok(min / max)
    } else {
        Err(MAX_ZERO)
    };
    let (difference_to_overall, ratio_to_overall) = match overall {
        Err(e) => (Err(e), Err(e)),
        Ok(o) => {
            let d = values.iter().map(|v| (v - o).abs()).fold(0.0, f64::max);
            let r = if o == 0.0 {
                Err(OVERALL_ZERO)
            } else {
                Ok(values
                    .iter()
                    .map(|v| {
                        let x = v / o;
                        if x > 1.0 {
                            1.0 / x
                        } else {
                            x
                        }
                    })
                    .fold(f64::INFINITY, f64::min))
            };
            (Ok(d), r)
        }
    };
    Disparity {
        difference,
        ratio,
        difference_to_overall,
        ratio_to_overall,
    }
}

/// Every aggregate undefined, for `why`.
pub fn undefined(why: &'static str) -> Disparity {
    Disparity {
        difference: Err(why),
        ratio: Err(why),
        difference_to_overall: Err(why),
        ratio_to_overall: Err(why),
    }
}

/// Combines two disparities (TPR and FPR for equalized odds) as fairlearn's `agg` does:
/// worst case (larger difference, smaller ratio) or the mean. Undefined when either is.
pub fn combine(a: Value, b: Value, worst: bool, larger_is_worse: bool) -> Value {
    let (a, b) = (a?, b?);
    Ok(if !worst {
        (a + b) / 2.0
    } else if larger_is_worse {
        a.max(b)
    } else {
        a.min(b)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed() {
        let d = disparity(&[0.2, 0.5, 0.4], Ok(0.4));
        assert!((d.difference.unwrap() - 0.3).abs() < 1e-15);
        assert_eq!(d.ratio, Ok(0.4));
        assert!((d.difference_to_overall.unwrap() - 0.2).abs() < 1e-15);
        // 0.2/0.4 = 0.5; 0.5/0.4 -> 0.8; 0.4/0.4 = 1
        assert_eq!(d.ratio_to_overall, Ok(0.5));
    }

    #[test]
    fn single_group_is_undefined_not_zero() {
        let d = disparity(&[0.3], Ok(0.3));
        assert_eq!(d.difference, Err(ONE_GROUP));
        assert_eq!(d.ratio, Err(ONE_GROUP));
        assert_eq!(d.difference_to_overall, Err(ONE_GROUP));
        assert_eq!(d.ratio_to_overall, Err(ONE_GROUP));
    }

    #[test]
    fn zeros_are_undefined_ratios_not_zero() {
        let d = disparity(&[0.0, 0.0], Ok(0.0));
        assert_eq!(d.difference, Ok(0.0));
        assert_eq!(d.ratio, Err(MAX_ZERO));
        assert_eq!(d.ratio_to_overall, Err(OVERALL_ZERO));
        let d = disparity(&[0.0, 0.5], Ok(0.25));
        assert_eq!(d.ratio, Ok(0.0));
        assert_eq!(d.ratio_to_overall, Ok(0.0));
        let d = disparity(&[], Ok(0.25));
        assert_eq!(d.difference, Err(NO_GROUP));
    }

    #[test]
    fn combine_worst_and_mean() {
        assert_eq!(combine(Ok(0.1), Ok(0.3), true, true), Ok(0.3));
        assert_eq!(combine(Ok(0.1), Ok(0.3), true, false), Ok(0.1));
        assert!((combine(Ok(0.1), Ok(0.3), false, true).unwrap() - 0.2).abs() < 1e-15);
        assert!(combine(Err("x"), Ok(0.3), true, true).is_err());
    }
}

/// Equity-scaled performance and performance-scaled disparities of a metric M (Luo et al.,
/// Harvard FairSeg, ICLR 2024; FairVision, CVPR 2024) over the groups' defined values:
/// ES-M = M_overall / (1 + Σ_g |M_g − M_overall|); PSD-std = std_g(M_g) / M_overall (population
/// std); PSD-range = (max_g M_g − min_g M_g) / M_overall.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EquityScaled {
    pub equity_scaled: Value,
    pub psd_std: Value,
    pub psd_range: Value,
}

pub fn equity_scaled(values: &[f64], overall: Value) -> EquityScaled {
    let all = |e: &'static str| EquityScaled {
        equity_scaled: Err(e),
        psd_std: Err(e),
        psd_range: Err(e),
    };
    let o = match overall {
        Err(e) => return all(e),
        Ok(o) => o,
    };
    if values.is_empty() {
        return all(NO_GROUP);
    }
    let dev: f64 = values.iter().map(|v| (v - o).abs()).sum();
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let std = (values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n).sqrt();
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let scaled = |x: f64| {
        if o != 0.0 {
            Ok(x / o)
        } else {
            Err(OVERALL_ZERO)
        }
    };
    EquityScaled {
        equity_scaled: Ok(o / (1.0 + dev)),
        psd_std: scaled(std),
        psd_range: scaled(max - min),
    }
}

#[cfg(test)]
mod equity_tests {
    use super::*;

    #[test]
    fn by_hand() {
        // groups 0.8, 0.6, overall 0.7: ES = 0.7 / (1 + 0.2) ; std = 0.1 ; range 0.2
        let e = equity_scaled(&[0.8, 0.6], Ok(0.7));
        assert!((e.equity_scaled.unwrap() - 0.7 / 1.2).abs() < 1e-15);
        assert!((e.psd_std.unwrap() - 0.1 / 0.7).abs() < 1e-12);
        assert!((e.psd_range.unwrap() - 0.2 / 0.7).abs() < 1e-12);
        // Equal groups: ES-M is M itself.
        assert_eq!(equity_scaled(&[0.9, 0.9], Ok(0.9)).equity_scaled, Ok(0.9));
        assert_eq!(
            equity_scaled(&[0.0, 0.0], Ok(0.0)).psd_std,
            Err(OVERALL_ZERO)
        );
    }
}
