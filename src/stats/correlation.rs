//! Correlations: Pearson, Spearman (Pearson on average ranks, scipy's `spearmanr`) and Kendall's
//! τ-b (scipy's `kendalltau`, variant b), with the ranks they share. Fewer than two values or a
//! constant input: undefined.

use crate::stats::Value;

/// Pearson correlation of x and y.
pub fn pearson(x: &[f64], y: &[f64]) -> Value {
    let n = x.len();
    if n < 2 {
        return Err("fewer than two values");
    }
    let mx = x.iter().sum::<f64>() / n as f64;
    let my = y.iter().sum::<f64>() / n as f64;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in x.iter().zip(y) {
        let (dx, dy) = (a - mx, b - my);
        sxy += dx * dy;
        sxx += dx * dx;
        syy += dy * dy;
    }
    if sxx == 0.0 || syy == 0.0 {
        return Err("one of the two is constant (0/0)");
    }
    Ok(sxy / (sxx * syy).sqrt())
}

/// Ranks 1..n with ties given their average rank (scipy's `rankdata(method="average")`).
pub fn ranks(x: &[f64]) -> Vec<f64> {
    let sorted = sorted_with_index(x);
    let mut out = vec![0.0; x.len()];
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1].0 == sorted[i].0 {
            j += 1;
        }
        let r = (i + j) as f64 / 2.0 + 1.0;
        for &(_, k) in &sorted[i..=j] {
            out[k as usize] = r;
        }
        i = j + 1;
    }
    out
}

/// (value, index) sorted by value, ties by index: the order of a stable sort, computed with a
/// cache-friendly unstable sort of the pairs themselves.
pub fn sorted_with_index(x: &[f64]) -> Vec<(f64, u32)> {
    let mut v: Vec<(f64, u32)> = x.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
    v.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
    v
}

/// Spearman correlation: Pearson correlation of the average ranks (scipy's `spearmanr`).
pub fn spearman(x: &[f64], y: &[f64]) -> Value {
    pearson(&ranks(x), &ranks(y))
}

/// Kendall's τ-b (ties in either ranking corrected).
pub fn kendall_tau_b(x: &[f64], y: &[f64]) -> Value {
    let n = x.len();
    let (mut c, mut dsc, mut tx, mut ty) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    for i in 0..n {
        for j in i + 1..n {
            let (a, b) = (x[i] - x[j], y[i] - y[j]);
            if a == 0.0 && b == 0.0 {
                continue;
            } else if a == 0.0 {
                tx += 1.0;
            } else if b == 0.0 {
                ty += 1.0;
            } else if a * b > 0.0 {
                c += 1.0;
            } else {
                dsc += 1.0;
            }
        }
    }
    let den = ((c + dsc + tx) * (c + dsc + ty)).sqrt();
    if n < 2 || den == 0.0 {
        Err("fewer than two models with distinct values")
    } else {
        Ok((c - dsc) / den)
    }
}
