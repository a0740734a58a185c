//! Per-group metrics of a binary classifier, each a pure function of the weighted confusion
//! counts of the group. Formulas, edge cases and references: docs/metrics.md.
//!
//! A metric whose denominator is zero is *undefined*: it is returned as `Err(reason)` and
//! reported as `null` with that reason, never as 0 (fairlearn and scikit-learn return 0 there).

use crate::stats::Value;

/// Weighted confusion counts of one group (or of all rows).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Confusion {
    pub tp: f64,
    pub fp: f64,
    pub tn: f64,
    pub fn_: f64,
}

impl Confusion {
    /// Total weight: tp + fp + tn + fn.
    pub fn total(&self) -> f64 {
        self.tp + self.fp + self.tn + self.fn_
    }

    pub fn add(&mut self, o: &Confusion) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.tn += o.tn;
        self.fn_ += o.fn_;
    }
}

/// The per-group rate metrics, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rate {
    BaseRate,
    SelectionRate,
    TruePositiveRate,
    FalsePositiveRate,
    TrueNegativeRate,
    FalseNegativeRate,
    PositivePredictiveValue,
    NegativePredictiveValue,
    FalseDiscoveryRate,
    FalseOmissionRate,
    Accuracy,
    BalancedAccuracy,
    F1,
}

pub const RATES: [Rate; 13] = [
    Rate::BaseRate,
    Rate::SelectionRate,
    Rate::TruePositiveRate,
    Rate::FalsePositiveRate,
    Rate::TrueNegativeRate,
    Rate::FalseNegativeRate,
    Rate::PositivePredictiveValue,
    Rate::NegativePredictiveValue,
    Rate::FalseDiscoveryRate,
    Rate::FalseOmissionRate,
    Rate::Accuracy,
    Rate::BalancedAccuracy,
    Rate::F1,
];

const NO_WEIGHT: &str = "the group has zero total weight";
const NO_POS: &str = "no positive labels in the group (tp + fn = 0)";
const NO_NEG: &str = "no negative labels in the group (fp + tn = 0)";
const NO_PRED_POS: &str = "no positive predictions in the group (tp + fp = 0)";
const NO_PRED_NEG: &str = "no negative predictions in the group (tn + fn = 0)";
const NO_F1: &str = "no positive labels and no positive predictions (2tp + fp + fn = 0)";

fn ratio(num: f64, den: f64, reason: &'static str) -> Value {
    if den > 0.0 {
        Ok(num / den)
    } else {
        Err(reason)
    }
}

impl Rate {
    /// The name used in reports and gates.
    pub fn name(self) -> &'static str {
        match self {
            Rate::BaseRate => "base_rate",
            Rate::SelectionRate => "selection_rate",
            Rate::TruePositiveRate => "true_positive_rate",
            Rate::FalsePositiveRate => "false_positive_rate",
            Rate::TrueNegativeRate => "true_negative_rate",
            Rate::FalseNegativeRate => "false_negative_rate",
            Rate::PositivePredictiveValue => "positive_predictive_value",
            Rate::NegativePredictiveValue => "negative_predictive_value",
            Rate::FalseDiscoveryRate => "false_discovery_rate",
            Rate::FalseOmissionRate => "false_omission_rate",
            Rate::Accuracy => "accuracy",
            Rate::BalancedAccuracy => "balanced_accuracy",
            Rate::F1 => "f1",
        }
    }

    /// The short alias accepted in gates (`tpr` for `true_positive_rate`), and the table header.
    pub fn short(self) -> &'static str {
        match self {
            Rate::BaseRate => "base",
            Rate::SelectionRate => "sel",
            Rate::TruePositiveRate => "tpr",
            Rate::FalsePositiveRate => "fpr",
            Rate::TrueNegativeRate => "tnr",
            Rate::FalseNegativeRate => "fnr",
            Rate::PositivePredictiveValue => "ppv",
            Rate::NegativePredictiveValue => "npv",
            Rate::FalseDiscoveryRate => "fdr",
            Rate::FalseOmissionRate => "for",
            Rate::Accuracy => "acc",
            Rate::BalancedAccuracy => "bal_acc",
            Rate::F1 => "f1",
        }
    }

    /// Computes the rate from a group's weighted confusion counts.
    ///
    /// ```
    /// use fairaudit::fairness::metrics::{Confusion, Rate};
    /// let group = Confusion { tp: 3.0, fp: 1.0, tn: 4.0, fn_: 2.0 };
    /// assert_eq!(Rate::TruePositiveRate.compute(&group), Ok(0.6));
    /// // No positive labels: the true positive rate is undefined, not 0.
    /// let no_positives = Confusion { tp: 0.0, fp: 2.0, tn: 3.0, fn_: 0.0 };
    /// assert!(Rate::TruePositiveRate.compute(&no_positives).is_err());
    /// ```
    pub fn compute(self, c: &Confusion) -> Value {
        let n = c.total();
        if n <= 0.0 {
            return Err(NO_WEIGHT);
        }
        let pos = c.tp + c.fn_;
        let neg = c.fp + c.tn;
        let pred_pos = c.tp + c.fp;
        let pred_neg = c.tn + c.fn_;
        match self {
            // (tp + fn) / n
            Rate::BaseRate => Ok(pos / n),
            // (tp + fp) / n
            Rate::SelectionRate => Ok(pred_pos / n),
            // tp / (tp + fn)
            Rate::TruePositiveRate => ratio(c.tp, pos, NO_POS),
            // fp / (fp + tn)
            Rate::FalsePositiveRate => ratio(c.fp, neg, NO_NEG),
            // tn / (fp + tn)
            Rate::TrueNegativeRate => ratio(c.tn, neg, NO_NEG),
            // fn / (tp + fn)
            Rate::FalseNegativeRate => ratio(c.fn_, pos, NO_POS),
            // tp / (tp + fp)
            Rate::PositivePredictiveValue => ratio(c.tp, pred_pos, NO_PRED_POS),
            // tn / (tn + fn)
            Rate::NegativePredictiveValue => ratio(c.tn, pred_neg, NO_PRED_NEG),
            // fp / (tp + fp)
            Rate::FalseDiscoveryRate => ratio(c.fp, pred_pos, NO_PRED_POS),
            // fn / (tn + fn)
            Rate::FalseOmissionRate => ratio(c.fn_, pred_neg, NO_PRED_NEG),
            // (tp + tn) / n
            Rate::Accuracy => Ok((c.tp + c.tn) / n),
            // (TPR + TNR) / 2, undefined when either is
            Rate::BalancedAccuracy => {
                let tpr = ratio(c.tp, pos, NO_POS)?;
                let tnr = ratio(c.tn, neg, NO_NEG)?;
                Ok((tpr + tnr) / 2.0)
            }
            // 2tp / (2tp + fp + fn)
            Rate::F1 => ratio(2.0 * c.tp, 2.0 * c.tp + c.fp + c.fn_, NO_F1),
        }
    }

    /// For rates that are proportions, the quadrants (index 2·y + p: 0 tn, 1 fp, 2 fn, 3 tp) of
    /// the numerator and of the denominator, as bit masks; `None` for balanced accuracy and F1.
    pub fn proportion(self) -> Option<(u8, u8)> {
        const TN: u8 = 1;
        const FP: u8 = 2;
        const FN: u8 = 4;
        const TP: u8 = 8;
        const ALL: u8 = 15;
        Some(match self {
            Rate::BaseRate => (FN | TP, ALL),
            Rate::SelectionRate => (FP | TP, ALL),
            Rate::TruePositiveRate => (TP, TP | FN),
            Rate::FalsePositiveRate => (FP, FP | TN),
            Rate::TrueNegativeRate => (TN, FP | TN),
            Rate::FalseNegativeRate => (FN, TP | FN),
            Rate::PositivePredictiveValue => (TP, TP | FP),
            Rate::NegativePredictiveValue => (TN, TN | FN),
            Rate::FalseDiscoveryRate => (FP, TP | FP),
            Rate::FalseOmissionRate => (FN, TN | FN),
            Rate::Accuracy => (TP | TN, ALL),
            Rate::BalancedAccuracy | Rate::F1 => return None,
        })
    }

    /// Finds a rate by its name or short alias.
    pub fn parse(s: &str) -> Option<Rate> {
        RATES
            .iter()
            .copied()
            .find(|r| r.name() == s || r.short() == s)
    }
}

/// Errors per group size (aequitas issue #95, "group-size adjusted false positives and
/// negatives"): the group's false positives, and its false negatives, over all its rows
/// (weights) — how many of the group's members bear each error, where the FPR and FNR divide by
/// the group's negatives and positives. Undefined for a group of zero weight.
pub const PER_GROUP_SIZE: [(&str, Errors); 2] = [
    ("false_positives_per_group_size", |c| c.fp),
    ("false_negatives_per_group_size", |c| c.fn_),
];

/// The errors a per-group-size metric counts (fp or fn) from a group's confusion counts.
pub type Errors = fn(&Confusion) -> f64;

/// `errors(c) / (tp + fp + tn + fn)`; see [`PER_GROUP_SIZE`].
pub fn per_group_size(c: &Confusion, errors: Errors) -> Value {
    ratio(errors(c), c.total(), NO_WEIGHT)
}

/// Named fairness criteria: (name, the rate it compares).
pub const CRITERIA: &[(&str, Rate)] = &[
    ("demographic_parity", Rate::SelectionRate),
    ("equal_opportunity", Rate::TruePositiveRate),
    ("predictive_parity", Rate::PositivePredictiveValue),
    ("accuracy_parity", Rate::Accuracy),
    ("fpr_balance", Rate::FalsePositiveRate),
    ("fnr_balance", Rate::FalseNegativeRate),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_per_group_size() {
        // 2 false positives and 3 false negatives among 4 + 2 + 5 + 3 = 14 rows.
        let c = Confusion {
            tp: 4.0,
            fp: 2.0,
            tn: 5.0,
            fn_: 3.0,
        };
        let [(fp_name, fp), (fn_name, fn_)] = PER_GROUP_SIZE;
        assert_eq!(fp_name, "false_positives_per_group_size");
        assert_eq!(fn_name, "false_negatives_per_group_size");
        assert_eq!(per_group_size(&c, fp), Ok(2.0 / 14.0));
        assert_eq!(per_group_size(&c, fn_), Ok(3.0 / 14.0));
        assert!(per_group_size(&Confusion::default(), fp).is_err());
    }

    fn c(tp: f64, fp: f64, tn: f64, fn_: f64) -> Confusion {
        Confusion { tp, fp, tn, fn_ }
    }

    #[test]
    fn hand_computed_rates() {
        // tp=3 fp=1 tn=4 fn=2: n=10
        let x = c(3.0, 1.0, 4.0, 2.0);
        let v = |r: Rate| r.compute(&x).unwrap();
        assert_eq!(v(Rate::BaseRate), 0.5);
        assert_eq!(v(Rate::SelectionRate), 0.4);
        assert_eq!(v(Rate::TruePositiveRate), 0.6);
        assert_eq!(v(Rate::FalsePositiveRate), 0.2);
        assert_eq!(v(Rate::TrueNegativeRate), 0.8);
        assert_eq!(v(Rate::FalseNegativeRate), 0.4);
        assert_eq!(v(Rate::PositivePredictiveValue), 0.75);
        assert_eq!(v(Rate::NegativePredictiveValue), 4.0 / 6.0);
        assert_eq!(v(Rate::FalseDiscoveryRate), 0.25);
        assert_eq!(v(Rate::FalseOmissionRate), 2.0 / 6.0);
        assert_eq!(v(Rate::Accuracy), 0.7);
        assert_eq!(v(Rate::BalancedAccuracy), 0.7);
        assert_eq!(v(Rate::F1), 6.0 / 9.0);
    }

    #[test]
    fn group_without_positives_has_undefined_tpr() {
        let x = c(0.0, 2.0, 3.0, 0.0);
        assert_eq!(Rate::TruePositiveRate.compute(&x), Err(NO_POS));
        assert_eq!(Rate::FalseNegativeRate.compute(&x), Err(NO_POS));
        assert_eq!(Rate::BalancedAccuracy.compute(&x), Err(NO_POS));
        assert_eq!(Rate::FalsePositiveRate.compute(&x), Ok(0.4));
        assert_eq!(Rate::F1.compute(&x), Ok(0.0));
    }

    #[test]
    fn all_predicted_positive() {
        let x = c(3.0, 2.0, 0.0, 0.0);
        assert_eq!(Rate::SelectionRate.compute(&x), Ok(1.0));
        assert_eq!(Rate::NegativePredictiveValue.compute(&x), Err(NO_PRED_NEG));
        assert_eq!(Rate::FalseOmissionRate.compute(&x), Err(NO_PRED_NEG));
        assert_eq!(Rate::FalsePositiveRate.compute(&x), Ok(1.0));
    }

    #[test]
    fn zero_weight_group_is_undefined_everywhere() {
        let x = c(0.0, 0.0, 0.0, 0.0);
        for r in RATES {
            assert_eq!(r.compute(&x), Err(NO_WEIGHT), "{}", r.name());
        }
    }

    #[test]
    fn proportions_match_compute() {
        // Quadrant weights chosen so each rate's numerator/denominator is recognisable.
        let q = [4.0, 1.0, 2.0, 3.0]; // tn fp fn tp
        let x = c(q[3], q[1], q[0], q[2]);
        for r in RATES {
            if let Some((num, den)) = r.proportion() {
                let sum = |m: u8| {
                    (0..4)
                        .filter(|i| m & (1 << i) != 0)
                        .map(|i| q[i])
                        .sum::<f64>()
                };
                assert_eq!(r.compute(&x), Ok(sum(num) / sum(den)), "{}", r.name());
            }
        }
    }

    #[test]
    fn aliases_parse() {
        assert_eq!(Rate::parse("tpr"), Some(Rate::TruePositiveRate));
        assert_eq!(
            Rate::parse("false_omission_rate"),
            Some(Rate::FalseOmissionRate)
        );
        assert_eq!(Rate::parse("nope"), None);
    }
}
