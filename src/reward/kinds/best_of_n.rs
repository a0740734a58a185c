//! Best-of-n over-optimisation (Gao, Schulman & Hilton 2023): from each prompt's pool of scored
//! responses, the unbiased estimate of the gold and proxy score of the best-of-n response for
//! n = 1..k, KL_bon = log n − (n − 1)/n, and the fit gold gain = d(α − βd) with d = √KL.

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use crate::input::table::Table;
use crate::input::Source;
use crate::reward::settings::Settings;
use crate::stats::Value;
use serde_json::Map;

use crate::reward::panel::headline_value;
use crate::reward::report::{BestOfNPanel, BestOfNPoint, RewardInput};

pub const PROXY_NAMES: &[&str] = &["proxy", "proxy_score", "proxy_reward", "rm_score"];
pub const GOLD_NAMES: &[&str] = &["gold", "gold_score", "gold_reward"];
pub const CORRECT_NAMES: &[&str] = &["correct", "is_correct"];

/// The pools of one input (a prompt's (proxy, gold) pairs, in prompt order of first sight), and
/// the columns used.
#[derive(Debug, Clone)]
pub struct Pools {
    pub pools: Vec<Vec<(f64, f64)>>,
    pub rows_read: u64,
    pub dropped: u64,
    pub columns: BTreeMap<String, String>,
    pub detected: Vec<String>,
}

pub fn load(source: &Source, settings: &Settings) -> Result<Pools> {
    let d = &source.display;
    let mut t = Table::open(source)?;
    let id = t
        .column(
            settings.id.as_deref(),
            "--id",
            crate::reward::data::ID_NAMES,
            true,
        )?
        .expect("required");
    let proxy = t
        .column(settings.proxy.as_deref(), "--proxy", PROXY_NAMES, true)?
        .expect("required");
    // (column, whether it is a correctness flag rather than a gold score)
    let gold = match (&settings.gold, &settings.correct) {
        (Some(g), _) => t
            .column(Some(g), "--gold", GOLD_NAMES, true)?
            .map(|c| (c, false)),
        (None, Some(c)) => t
            .column(Some(c), "--correct", CORRECT_NAMES, true)?
            .map(|c| (c, true)),
        (None, None) => match t.column(None, "--gold", GOLD_NAMES, false)? {
            Some(g) => Some((g, false)),
            None => t
                .column(None, "--correct", CORRECT_NAMES, false)?
                .map(|c| (c, true)),
        },
    };
    let Some((gold, is_flag)) = gold else {
        bail!(
            "{d}: best-of-n needs a gold score (--gold COL) or a correctness flag (--correct COL)"
        );
    };
    t.text(&id, "__id");
    t.number(&proxy, "--proxy", "__proxy")?;
    if is_flag {
        t.flag(&gold, "--correct", "__gold")?;
    } else {
        t.number(&gold, "--gold", "__gold")?;
    }
    let detected = t.detected.clone();
    let f = t.read()?;
    let ids = f.texts("__id")?;
    let px = f.numbers("__proxy")?;
    let gd = f.numbers("__gold")?;
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut pools: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut dropped = 0;
    for i in 0..f.rows {
        let (Some(id), Some(p), Some(g)) = (&ids[i], px[i], gd[i]) else {
            dropped += 1;
            continue;
        };
        if !p.is_finite() || !g.is_finite() {
            bail!("{d}: data row {}: a score is infinite", i + 1);
        }
        let next = pools.len();
        let k = *index.entry(id.clone()).or_insert(next);
        if k == next {
            pools.push(Vec::new());
        }
        pools[k].push((p, g));
    }
    if pools.is_empty() {
        bail!("{d}: no row has a prompt id, a proxy and a gold score");
    }
    if let Some((id, _)) = index.iter().find(|(_, &k)| pools[k].len() < 2) {
        bail!(
            "{d}: prompt '{id}' has one response; best-of-n needs at least 2 scored responses per prompt (drop the prompt or add responses)"
        );
    }
    let mut columns = BTreeMap::new();
    columns.insert("id".into(), id);
    columns.insert("proxy".into(), proxy);
    columns.insert("gold".into(), gold);
    Ok(Pools {
        pools,
        rows_read: f.rows as u64,
        dropped,
        columns,
        detected,
    })
}

/// The expected (proxy, gold) of the response with the highest proxy among n drawn without
/// replacement from the pool: Σ_{i=n}^{k} C(i−1, n−1)/C(k, n) · v_(i) over the pool sorted by
/// proxy (Nakano et al. 2021's unbiased estimator). Tied proxies take their block's mean gold
/// (a uniform choice among ties).
pub fn best_of_n(pool: &[(f64, f64)], n: usize) -> (f64, f64) {
    let mut v = pool.to_vec();
    v.sort_by(|a, b| a.0.total_cmp(&b.0));
    let k = v.len();
    let mut i = 0;
    while i < k {
        let mut j = i;
        while j + 1 < k && v[j + 1].0 == v[i].0 {
            j += 1;
        }
        if j > i {
            let mean = v[i..=j].iter().map(|x| x.1).sum::<f64>() / (j - i + 1) as f64;
            for x in &mut v[i..=j] {
                x.1 = mean;
            }
        }
        i = j + 1;
    }
    // w_k = n / k; w_{i−1} = w_i (i − n) / (i − 1) (ranks 1-based).
    let (mut proxy, mut gold) = (0.0, 0.0);
    let mut w = n as f64 / k as f64;
    for rank in (n..=k).rev() {
        proxy += w * v[rank - 1].0;
        gold += w * v[rank - 1].1;
        if rank > n {
            w *= (rank - n) as f64 / (rank - 1) as f64;
        }
    }
    (proxy, gold)
}

/// KL divergence of best-of-n from the base policy: log n − (n − 1)/n.
pub fn kl_bon(n: f64) -> f64 {
    n.ln() - (n - 1.0) / n
}

/// Least squares of y = α d − β d² (no intercept); returns (α, β, R²).
pub fn gao_fit(d: &[f64], y: &[f64]) -> Result<(f64, f64, f64), &'static str> {
    let (mut s11, mut s12, mut s22, mut b1, mut b2) = (0.0, 0.0, 0.0, 0.0, 0.0);
    for (&d, &y) in d.iter().zip(y) {
        let (x1, x2) = (d, -d * d);
        s11 += x1 * x1;
        s12 += x1 * x2;
        s22 += x2 * x2;
        b1 += x1 * y;
        b2 += x2 * y;
    }
    let det = s11 * s22 - s12 * s12;
    if d.len() < 3 || det.abs() <= 1e-300 {
        return Err("fewer than three values of n (the fit has two parameters)");
    }
    let alpha = (b1 * s22 - b2 * s12) / det;
    let beta = (s11 * b2 - s12 * b1) / det;
    let mean = y.iter().sum::<f64>() / y.len() as f64;
    let (mut sse, mut sst) = (0.0, 0.0);
    for (&d, &y) in d.iter().zip(y) {
        sse += (y - d * (alpha - beta * d)).powi(2);
        sst += (y - mean).powi(2);
    }
    let r2 = if sst > 0.0 { 1.0 - sse / sst } else { f64::NAN };
    Ok((alpha, beta, r2))
}

/// The n where KL_bon(n) = kl (bisection; KL_bon increases from 0 at n = 1).
pub fn n_for_kl(kl: f64) -> f64 {
    let (mut lo, mut hi) = (1.0f64, 2.0f64);
    while kl_bon(hi) < kl && hi < 1e300 {
        hi *= 2.0;
    }
    for _ in 0..200 {
        let mid = (lo + hi) / 2.0;
        if kl_bon(mid) < kl {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo + hi) / 2.0
}

/// One point of the curve.
pub struct Point {
    pub n: usize,
    pub kl: f64,
    pub proxy: f64,
    pub gold: f64,
}

/// Mean over prompts of the best-of-n estimates, n = 1..(the smallest pool).
pub fn curve(pools: &[Vec<(f64, f64)>]) -> Vec<Point> {
    let k = pools.iter().map(Vec::len).min().unwrap_or(0);
    (1..=k)
        .map(|n| {
            let (mut p, mut g) = (0.0, 0.0);
            for pool in pools {
                let (a, b) = best_of_n(pool, n);
                p += a;
                g += b;
            }
            let m = pools.len() as f64;
            Point {
                n,
                kl: kl_bon(n as f64),
                proxy: p / m,
                gold: g / m,
            }
        })
        .collect()
}

/// The fit of the gold gain over n = 1 and the peak it implies.
pub struct Fit {
    pub alpha: Value,
    pub beta: Value,
    pub r2: Value,
    /// d* = α / 2β, KL* = d*², n* with KL_bon(n*) = KL* (only when β > 0).
    pub peak_n: Value,
    pub peak_kl: Value,
}

pub fn fit(points: &[Point]) -> Fit {
    let d: Vec<f64> = points.iter().map(|p| p.kl.sqrt()).collect();
    let base = points.first().map_or(0.0, |p| p.gold);
    let y: Vec<f64> = points.iter().map(|p| p.gold - base).collect();
    match gao_fit(&d, &y) {
        Err(e) => Fit {
            alpha: Err(e),
            beta: Err(e),
            r2: Err(e),
            peak_n: Err(e),
            peak_kl: Err(e),
        },
        Ok((a, b, r2)) => {
            let (peak_n, peak_kl) = if b > 0.0 && a > 0.0 {
                let kl = (a / (2.0 * b)).powi(2);
                (Ok(n_for_kl(kl)), Ok(kl))
            } else {
                let why = "the fitted curve has no interior maximum (β ≤ 0 or α ≤ 0)";
                (Err(why), Err(why))
            };
            Fit {
                alpha: Ok(a),
                beta: Ok(b),
                r2: if r2.is_finite() {
                    Ok(r2)
                } else {
                    Err("the gold gain is constant (0/0)")
                },
                peak_n,
                peak_kl,
            }
        }
    }
}

/// The best-of-n panel: the curve, the fit and the gains.
pub fn panel(p: &Pools, r: &mut RewardInput) {
    let pts = curve(&p.pools);
    r.pairs_used = p.pools.iter().map(|x| x.len() as u64).sum();
    let fit = fit(&pts);
    let points = pts
        .iter()
        .map(|x| BestOfNPoint {
            n: x.n,
            kl: x.kl,
            proxy: x.proxy,
            gold: x.gold,
            gap: x.proxy - x.gold,
        })
        .collect();
    let first = &pts[0];
    let last = pts.last().expect("n = 1 at least");
    let observed = pts
        .iter()
        .max_by(|a, b| a.gold.total_cmp(&b.gold).then(b.n.cmp(&a.n)))
        .expect("points");
    let mut u = Map::new();
    let mut h = |name: &str, v| headline_value(r, &mut u, "bon", name, v);
    let (alpha, beta, r2) = (h("alpha", fit.alpha), h("beta", fit.beta), h("r2", fit.r2));
    let (peak_n, peak_kl) = (h("peak_n", fit.peak_n), h("peak_kl", fit.peak_kl));
    let observed_peak_n = h("observed_peak_n", Ok(observed.n as f64));
    let gold_gain = h("gold_gain", Ok(last.gold - first.gold));
    let proxy_gain = h("proxy_gain", Ok(last.proxy - first.proxy));
    let gain_gap = h(
        "gain_gap",
        Ok((last.proxy - first.proxy) - (last.gold - first.gold)),
    );
    r.best_of_n = Some(BestOfNPanel {
        prompts: p.pools.len(),
        max_n: pts.len(),
        columns: p.columns.clone(),
        curve: points,
        alpha,
        beta,
        r2,
        peak_n,
        peak_kl,
        observed_peak_n,
        gold_gain,
        proxy_gain,
        gain_gap,
        undefined: u,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Brute force: every size-n subset, the best proxy's gold (ties: mean gold of the tied best).
    fn brute(pool: &[(f64, f64)], n: usize) -> (f64, f64) {
        let k = pool.len();
        let (mut p, mut g, mut count) = (0.0, 0.0, 0.0);
        for mask in 0u32..(1 << k) {
            if mask.count_ones() as usize != n {
                continue;
            }
            let chosen: Vec<&(f64, f64)> = (0..k)
                .filter(|i| mask & (1 << i) != 0)
                .map(|i| &pool[i])
                .collect();
            let best = chosen.iter().map(|x| x.0).fold(f64::MIN, f64::max);
            let tied: Vec<f64> = chosen.iter().filter(|x| x.0 == best).map(|x| x.1).collect();
            p += best;
            g += tied.iter().sum::<f64>() / tied.len() as f64;
            count += 1.0;
        }
        (p / count, g / count)
    }

    #[test]
    fn estimator_equals_brute_force() {
        let pools = [
            vec![(0.3, 1.0), (0.9, 0.0), (0.5, 2.0), (0.1, 5.0), (0.7, 3.0)],
            vec![
                (1.0, 1.0),
                (1.0, 3.0),
                (2.0, 0.0),
                (0.5, 4.0),
                (1.0, 2.0),
                (3.0, 7.0),
            ],
            vec![(0.2, 0.0), (0.2, 1.0)],
        ];
        for pool in &pools {
            for n in 1..=pool.len() {
                let (a, b) = best_of_n(pool, n);
                let (x, y) = brute(pool, n);
                assert!(
                    (a - x).abs() < 1e-12 && (b - y).abs() < 1e-12,
                    "n {n}: {a} {b} vs {x} {y}"
                );
            }
        }
    }

    #[test]
    fn fit_recovers_alpha_and_beta() {
        let (alpha, beta) = (1.3, 0.4);
        let d: Vec<f64> = (1..=64).map(|n| kl_bon(n as f64).sqrt()).collect();
        let y: Vec<f64> = d.iter().map(|d| d * (alpha - beta * d)).collect();
        let (a, b, r2) = gao_fit(&d, &y).unwrap();
        assert!((a - alpha).abs() < 1e-10 && (b - beta).abs() < 1e-10 && (r2 - 1.0).abs() < 1e-12);
        let kl = (alpha / (2.0 * beta)).powi(2);
        assert!((kl_bon(n_for_kl(kl)) - kl).abs() < 1e-9);
        assert_eq!(kl_bon(1.0), 0.0);
    }
}
