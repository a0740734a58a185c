//! Regression metrics per group from small mergeable sums (no row is kept).
//!
//! Each cell keeps the weighted sums below; a group's sums are the merge of its cells'. The label's
//! spread is kept as a weighted mean and sum of squared deviations (West 1979; Chan, Golub &
//! LeVeque 1979 for the merge), so R² does not lose digits to `Σy² − (Σy)²/W`.

use crate::stats::Value;

/// Sufficient statistics of one cell or group. Residual e = ŷ − y.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RegSums {
    /// Σ w.
    pub w: f64,
    /// Weighted mean of the label.
    pub mean_y: f64,
    /// Σ w (y − mean_y)².
    pub m2_y: f64,
    /// Σ w ŷ.
    pub sum_pred: f64,
    /// Σ w e.
    pub sum_res: f64,
    /// Σ w |e|.
    pub sum_abs: f64,
    /// Σ w e².
    pub sum_sq: f64,
}

/// The metrics, in report order.
pub const REGRESSION_METRICS: [&str; 7] = [
    "mean_absolute_error",
    "root_mean_squared_error",
    "mean_squared_error",
    "r2",
    "mean_label",
    "mean_prediction",
    "mean_residual",
];

impl RegSums {
    /// Adds one row (weighted incremental update of the mean and squared deviations).
    #[inline]
    pub fn add(&mut self, y: f64, pred: f64, w: f64) {
        if w == 0.0 {
            return;
        }
        let e = pred - y;
        self.w += w;
        let delta = y - self.mean_y;
        self.mean_y += delta * w / self.w;
        self.m2_y += w * delta * (y - self.mean_y);
        self.sum_pred += w * pred;
        self.sum_res += w * e;
        self.sum_abs += w * e.abs();
        self.sum_sq += w * e * e;
    }

    /// Merges another cell's sums into these.
    pub fn merge(&mut self, o: &RegSums) {
        if o.w == 0.0 {
            return;
        }
        if self.w == 0.0 {
            *self = *o;
            return;
        }
        let w = self.w + o.w;
        let delta = o.mean_y - self.mean_y;
        self.mean_y += delta * o.w / w;
        self.m2_y += o.m2_y + delta * delta * self.w * o.w / w;
        self.w = w;
        self.sum_pred += o.sum_pred;
        self.sum_res += o.sum_res;
        self.sum_abs += o.sum_abs;
        self.sum_sq += o.sum_sq;
    }

    /// MAE = Σw|e|/W; MSE = Σw e²/W; RMSE = √MSE; R² = 1 − Σw e² / Σw (y − ȳ)²; mean label
    /// ȳ = Σw y/W; mean prediction Σw ŷ/W; mean residual Σw (ŷ − y)/W. R² is undefined when the
    /// label is constant in the group (scikit-learn's `r2_score` returns 1.0 or 0.0 there).
    pub fn values(&self) -> [(&'static str, Value); 7] {
        let per = |s: f64| -> Value {
            if self.w > 0.0 {
                Ok(s / self.w)
            } else {
                Err("the group has no weight (0/0)")
            }
        };
        let mse = per(self.sum_sq);
        let r2 = if self.w == 0.0 {
            Err("the group has no weight (0/0)")
        } else if self.m2_y > 0.0 {
            Ok(1.0 - self.sum_sq / self.m2_y)
        } else {
            Err("the label is constant in the group (total sum of squares 0)")
        };
        [
            ("mean_absolute_error", per(self.sum_abs)),
            ("root_mean_squared_error", mse.map(f64::sqrt)),
            ("mean_squared_error", mse),
            ("r2", r2),
            ("mean_label", per(self.mean_y * self.w)),
            ("mean_prediction", per(self.sum_pred)),
            ("mean_residual", per(self.sum_res)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(s: &RegSums, name: &str) -> f64 {
        s.values()
            .iter()
            .find(|(n, _)| *n == name)
            .unwrap()
            .1
            .unwrap()
    }

    #[test]
    fn hand_case() {
        // y = 1, 2, 3, 6; ŷ = 2, 2, 1, 6; e = 1, 0, −2, 0.
        let mut s = RegSums::default();
        for (y, p) in [(1.0, 2.0), (2.0, 2.0), (3.0, 1.0), (6.0, 6.0)] {
            s.add(y, p, 1.0);
        }
        assert_eq!(value(&s, "mean_absolute_error"), 0.75);
        assert_eq!(value(&s, "mean_squared_error"), 1.25);
        assert_eq!(value(&s, "mean_residual"), -0.25);
        assert_eq!(value(&s, "mean_label"), 3.0);
        assert_eq!(value(&s, "mean_prediction"), 2.75);
        // SST = 4 + 1 + 0 + 9 = 14; R² = 1 − 5/14.
        assert!((value(&s, "r2") - (1.0 - 5.0 / 14.0)).abs() < 1e-15);
    }

    #[test]
    fn merge_equals_one_pass_and_weights_repeat_rows() {
        let rows = [
            (1.0, 1.5, 2.0),
            (4.0, 3.0, 1.0),
            (2.5, 2.0, 0.5),
            (7.0, 9.0, 3.0),
        ];
        let mut whole = RegSums::default();
        for &(y, p, w) in &rows {
            whole.add(y, p, w);
        }
        let (mut a, mut b) = (RegSums::default(), RegSums::default());
        for &(y, p, w) in &rows[..1] {
            a.add(y, p, w);
        }
        for &(y, p, w) in &rows[1..] {
            b.add(y, p, w);
        }
        a.merge(&b);
        for ((_, x), (_, y)) in whole.values().iter().zip(a.values()) {
            assert!((x.unwrap() - y.unwrap()).abs() < 1e-12);
        }
        // Weight 2 equals the row twice.
        let mut twice = RegSums::default();
        twice.add(1.0, 1.5, 1.0);
        twice.add(1.0, 1.5, 1.0);
        let mut w2 = RegSums::default();
        w2.add(1.0, 1.5, 2.0);
        assert_eq!(twice.values(), w2.values());
    }

    #[test]
    fn constant_label_has_no_r2() {
        let mut s = RegSums::default();
        s.add(2.0, 1.0, 1.0);
        s.add(2.0, 3.0, 1.0);
        assert!(s.values()[3].1.is_err());
        assert_eq!(value(&s, "mean_absolute_error"), 1.0);
        assert!(RegSums::default().values()[0].1.is_err());
    }
}
