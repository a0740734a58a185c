//! Counterfactual pairs → figures per variant value, per attribute and over all pairs: flips of
//! the decisions (TFMA's directions with both denominators), answer changes, score differences
//! and counterfactual parity (LangFair), accuracy and McNemar's test. Pure functions of the
//! pairs: the bootstrap calls [`compute`] again on resampled ids.

use serde_json::json;

use super::figures::Figures;
use super::load::{Pair, PairData, Side};
use super::settings::{Measure, PairSettings};
use crate::stats::counterfactual::{delta_summary, over_epsilon, wasserstein1, weak_parity};
use crate::stats::hypothesis::{holm, mcnemar_exact};

/// One pair of scopes compared by counterfactual parity: two variant values of an attribute,
/// or a value and the originals of its ids.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ParityRow {
    pub a: String,
    pub b: String,
    /// Ids with both (whose first row of each is compared).
    pub ids: u64,
    /// W1 between the two score distributions.
    pub strict_parity: Option<f64>,
    /// Share of a above the threshold − share of b above it (signed: a − b; the value's and
    /// attribute's `weak_parity` figures are its absolute value).
    pub weak_parity: Option<f64>,
}

/// The figures of one attribute.
#[derive(Debug, Clone)]
pub struct AttributeFigures {
    pub attribute: String,
    pub figures: Figures,
    pub values: Vec<(String, Figures)>,
    pub parity: Vec<ParityRow>,
}

/// Every figure of the pairs.
#[derive(Debug, Clone)]
pub struct Computed {
    pub overall: Figures,
    pub attributes: Vec<AttributeFigures>,
}

/// The decision of a row at threshold index k (pred: the 0/1 value; score: score ≥ t, with t
/// in the score column's precision: `PairData::thresholds`).
fn decision(data: &PairData, m: &Measure, side: &Side, k: usize) -> Option<bool> {
    let v = side.number;
    if v.is_nan() {
        return None;
    }
    Some(match m {
        Measure::Pred(_) => v == 1.0,
        Measure::Score { .. } => v >= data.thresholds[k],
        Measure::Answer(_) => return None,
    })
}

/// Whether the row is right (needs --label).
fn correct(data: &PairData, m: &Measure, side: &Side) -> Option<bool> {
    if side.label == u32::MAX {
        return None;
    }
    match m {
        Measure::Answer(_) => (side.answer != u32::MAX).then_some(side.answer == side.label),
        _ => Some(decision(data, m, side, 0)? == (side.label == 1)),
    }
}

/// Suffix of the names of threshold k: none for the first, `@T` for the others.
pub fn suffix(m: &Measure, k: usize) -> String {
    match m {
        Measure::Score { thresholds, .. } if k > 0 => format!("@{}", thresholds[k]),
        _ => String::new(),
    }
}

/// The figures of a set of pairs (all of one value, of one attribute, or all): counts, flips,
/// answer changes, score differences, accuracy. Parity is added by the caller.
fn figures(data: &PairData, s: &PairSettings, pairs: &[&Pair]) -> Figures {
    let m = &s.measure;
    let mut f = Figures::default();
    f.count("pairs", pairs.len() as u64);
    let thresholds = match m {
        Measure::Score { thresholds, .. } => thresholds.len(),
        Measure::Pred(_) => 1,
        Measure::Answer(_) => 0,
    };
    for k in 0..thresholds {
        let sx = suffix(m, k);
        let (mut n, mut flips, mut p2n, mut n2p, mut pos, mut neg) =
            (0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
        for p in pairs {
            let (Some(o), Some(v)) = (decision(data, m, &p.o, k), decision(data, m, &p.v, k))
            else {
                continue;
            };
            n += 1;
            if o {
                pos += 1;
            } else {
                neg += 1;
            }
            match (o, v) {
                (true, false) => p2n += 1,
                (false, true) => n2p += 1,
                _ => {}
            }
        }
        flips += p2n + n2p;
        let no_pairs = "no pair with both decisions";
        f.count(&format!("decision_pairs{sx}"), n);
        f.count(&format!("flips{sx}"), flips);
        f.ratio(&format!("flip_rate{sx}"), flips as f64, n as f64, no_pairs);
        f.count(&format!("positive_to_negative{sx}"), p2n);
        f.count(&format!("negative_to_positive{sx}"), n2p);
        f.ratio(
            &format!("positive_to_negative_rate{sx}"),
            p2n as f64,
            pos as f64,
            "no original decision is positive",
        );
        f.ratio(
            &format!("negative_to_positive_rate{sx}"),
            n2p as f64,
            neg as f64,
            "no original decision is negative",
        );
        f.ratio(
            &format!("positive_to_negative_share{sx}"),
            p2n as f64,
            n as f64,
            no_pairs,
        );
        f.ratio(
            &format!("negative_to_positive_share{sx}"),
            n2p as f64,
            n as f64,
            no_pairs,
        );
    }
    if let Measure::Answer(_) = m {
        let (mut n, mut changes) = (0u64, 0u64);
        for p in pairs {
            let (o, v) = (p.o.answer, p.v.answer);
            if o == u32::MAX || v == u32::MAX {
                continue;
            }
            n += 1;
            if o != v {
                changes += 1;
            }
        }
        f.count("answer_pairs", n);
        f.count("changes", changes);
        f.ratio(
            "answer_change_rate",
            changes as f64,
            n as f64,
            "no pair with both answers",
        );
    }
    if let Measure::Score { .. } = m {
        let mut deltas = Vec::with_capacity(pairs.len());
        let mut at = Vec::with_capacity(pairs.len());
        for p in pairs {
            let (o, v) = (p.o.number, p.v.number);
            if !o.is_nan() && !v.is_nan() {
                deltas.push(v - o);
                at.push(p.id);
            }
        }
        f.count("score_pairs", deltas.len() as u64);
        match delta_summary(&deltas, s.epsilon) {
            Some(d) => {
                f.set("mean_delta", Ok(d.mean_delta));
                f.set("mean_abs_delta", Ok(d.mean_abs_delta));
                f.set("max_abs_delta", Ok(d.max_abs_delta));
                f.set("share_over_epsilon", Ok(d.share_over_epsilon));
                f.detail(
                    "max_abs_delta_id",
                    json!(data.ids.get(at[d.max_at] as usize)),
                );
            }
            None => {
                let why = "no pair with both scores";
                for n in [
                    "mean_delta",
                    "mean_abs_delta",
                    "max_abs_delta",
                    "share_over_epsilon",
                ] {
                    f.set(n, Err(why));
                }
            }
        }
    }
    if s.label.is_some() {
        let (mut n, mut ov, mut oo, mut b, mut c) = (0u64, 0u64, 0u64, 0u64, 0u64);
        for p in pairs {
            let (Some(o), Some(v)) = (correct(data, m, &p.o), correct(data, m, &p.v)) else {
                continue;
            };
            n += 1;
            ov += v as u64;
            oo += o as u64;
            if v && !o {
                b += 1;
            }
            if o && !v {
                c += 1;
            }
        }
        let why = match m {
            Measure::Answer(_) => "no pair with both answers and labels",
            _ => "no pair with both decisions and labels",
        };
        f.count("accuracy_pairs", n);
        f.ratio("accuracy", ov as f64, n as f64, why);
        f.ratio("accuracy_original", oo as f64, n as f64, why);
        f.set(
            "accuracy_change",
            if n > 0 {
                Ok((ov as f64 - oo as f64) / n as f64)
            } else {
                Err(why)
            },
        );
        f.count("mcnemar_b", b);
        f.count("mcnemar_c", c);
        // No paired correctness: no test (and left out of Holm's family), not p = 1.
        f.set(
            "mcnemar_p_value",
            if n > 0 {
                Ok(mcnemar_exact(b, c))
            } else {
                Err(why)
            },
        );
    }
    f
}

/// Parity between the scores of `a` and `b` over the ids with both.
fn parity(a: &[Option<f64>], b: &[Option<f64>], threshold: f64) -> (u64, Option<f64>, Option<f64>) {
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (p, q) in a.iter().zip(b) {
        if let (Some(p), Some(q)) = (p, q) {
            x.push(*p);
            y.push(*q);
        }
    }
    (
        x.len() as u64,
        wasserstein1(&x, &y).ok(),
        weak_parity(&x, &y, threshold).ok(),
    )
}

/// Every figure of `pairs` (ids numbered 0..n_ids).
pub fn compute(data: &PairData, s: &PairSettings, pairs: &[Pair], n_ids: usize) -> Computed {
    let all: Vec<&Pair> = pairs.iter().collect();
    let mut overall = figures(data, s, &all);
    let score = matches!(s.measure, Measure::Score { .. });
    let mut attributes = Vec::new();
    let mut best_overall: Option<(f64, f64, String)> = None;
    for (ai, name) in data.attributes.iter().enumerate() {
        let mine: Vec<&Pair> = all
            .iter()
            .copied()
            .filter(|p| p.attribute as usize == ai)
            .collect();
        let mut figures_a = figures(data, s, &mine);
        let mut values = Vec::new();
        let nv = data.values[ai].len();
        // Per value: each id's first variant score, and the original score of those ids.
        let mut by_value: Vec<Vec<Option<f64>>> =
            vec![vec![None; if score { n_ids } else { 0 }]; nv];
        let mut originals: Vec<Vec<Option<f64>>> = by_value.clone();
        let mut seen: Vec<Vec<bool>> = vec![vec![false; if score { n_ids } else { 0 }]; nv];
        if score {
            let some = |x: f64| (!x.is_nan()).then_some(x);
            for p in &mine {
                let (v, id) = (p.value as usize, p.id as usize);
                if !seen[v][id] {
                    seen[v][id] = true;
                    by_value[v][id] = some(p.v.number);
                    originals[v][id] = some(p.o.number);
                }
            }
        }
        let mut parity_rows = Vec::new();
        let mut p_values = Vec::new();
        for vi in 0..nv {
            let these: Vec<&Pair> = mine
                .iter()
                .copied()
                .filter(|p| p.value as usize == vi)
                .collect();
            let mut fv = figures(data, s, &these);
            if score {
                let (ids, strict, weak) =
                    parity(&by_value[vi], &originals[vi], data.parity_threshold);
                let why = "no pair with both scores";
                fv.set("strict_parity", strict.ok_or(why));
                fv.set("weak_parity", weak.map(f64::abs).ok_or(why));
                parity_rows.push(ParityRow {
                    a: data.values[ai][vi].clone(),
                    b: s.original.clone(),
                    ids,
                    strict_parity: strict,
                    weak_parity: weak,
                });
            }
            if let Some(Ok(p)) = fv.get("mcnemar_p_value") {
                p_values.push((vi, *p));
            }
            values.push((data.values[ai][vi].clone(), fv));
        }
        if score {
            for i in 0..nv {
                for j in i + 1..nv {
                    let (ids, strict, weak) =
                        parity(&by_value[i], &by_value[j], data.parity_threshold);
                    parity_rows.push(ParityRow {
                        a: data.values[ai][i].clone(),
                        b: data.values[ai][j].clone(),
                        ids,
                        strict_parity: strict,
                        weak_parity: weak,
                    });
                }
            }
            let why = "no two groups with a common id and scores";
            let max_by = |get: &dyn Fn(&ParityRow) -> Option<f64>| {
                parity_rows
                    .iter()
                    .filter_map(|r| get(r).map(|v| (v, r)))
                    .fold(None::<(f64, &ParityRow)>, |best, (v, r)| match best {
                        Some((b, _)) if b >= v => best,
                        _ => Some((v, r)),
                    })
            };
            let strict = max_by(&|r: &ParityRow| r.strict_parity);
            let weak = max_by(&|r: &ParityRow| r.weak_parity.map(f64::abs));
            figures_a.set("strict_parity", strict.map(|x| x.0).ok_or(why));
            figures_a.set("weak_parity", weak.map(|x| x.0).ok_or(why));
            if let Some((v, r)) = strict {
                figures_a.detail("strict_parity_between", json!([r.a, r.b]));
                if best_overall.as_ref().is_none_or(|b| v > b.0) {
                    best_overall = Some((v, v, name.clone()));
                }
            }
            if let Some((_, r)) = weak {
                figures_a.detail("weak_parity_between", json!([r.a, r.b]));
            }
        }
        // Holm over the attribute's values that have a test; the others' adjusted p is null.
        if s.label.is_some() {
            let adj = holm(&p_values.iter().map(|x| x.1).collect::<Vec<_>>());
            let mut holm_p: Vec<Option<f64>> = vec![None; nv];
            for ((vi, _), q) in p_values.iter().zip(adj) {
                holm_p[*vi] = Some(q);
            }
            for (vi, q) in holm_p.into_iter().enumerate() {
                values[vi].1.set(
                    "mcnemar_p_value_holm",
                    q.ok_or("no McNemar test for this value (no pair with a label on both rows), so it is not in Holm's family"),
                );
            }
        }
        attributes.push(AttributeFigures {
            attribute: name.clone(),
            figures: figures_a,
            values,
            parity: parity_rows,
        });
    }
    if score {
        let why = "no two groups with a common id and scores";
        let strict = attributes
            .iter()
            .filter_map(|a| {
                a.figures
                    .get("strict_parity")
                    .and_then(|v| v.clone().ok())
                    .map(|v| (v, a))
            })
            .fold(None::<(f64, &AttributeFigures)>, |b, (v, a)| match b {
                Some((x, _)) if x >= v => b,
                _ => Some((v, a)),
            });
        let weak = attributes
            .iter()
            .filter_map(|a| {
                a.figures
                    .get("weak_parity")
                    .and_then(|v| v.clone().ok())
                    .map(|v| (v, a))
            })
            .fold(None::<(f64, &AttributeFigures)>, |b, (v, a)| match b {
                Some((x, _)) if x >= v => b,
                _ => Some((v, a)),
            });
        overall.set("strict_parity", strict.map(|x| x.0).ok_or(why));
        overall.set("weak_parity", weak.map(|x| x.0).ok_or(why));
        if let Some((_, a)) = strict {
            overall.detail("strict_parity_attribute", json!(a.attribute));
        }
        if let Some((_, a)) = weak {
            overall.detail("weak_parity_attribute", json!(a.attribute));
        }
    }
    let _ = best_overall;
    Computed {
        overall,
        attributes,
    }
}

/// `--export-changed`: one CSV row per pair whose decision flipped (at any threshold), whose
/// answer changed, or whose score moved by more than ε.
pub fn export_changed(data: &PairData, s: &PairSettings) -> anyhow::Result<String> {
    let m = &s.measure;
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "id",
        "attribute",
        "variant",
        "original_value",
        "variant_value",
        "delta",
    ])?;
    let nums = &data.obs.numbers;
    for p in &data.pairs {
        let (o, v) = (p.original as usize, p.variant as usize);
        let (changed, ov, vv, delta) = match m {
            Measure::Answer(_) => {
                let (a, b) = (data.obs.answer_codes[o], data.obs.answer_codes[v]);
                (
                    a.is_some() && b.is_some() && a != b,
                    data.obs.answers[o].clone().unwrap_or_default(),
                    data.obs.answers[v].clone().unwrap_or_default(),
                    String::new(),
                )
            }
            _ => {
                let (Some(a), Some(b)) = (nums[o], nums[v]) else {
                    continue;
                };
                let ks = match m {
                    Measure::Score { thresholds, .. } => thresholds.len(),
                    _ => 1,
                };
                let flipped =
                    (0..ks).any(|k| decision(data, m, &p.o, k) != decision(data, m, &p.v, k));
                let moved = matches!(m, Measure::Score { .. }) && over_epsilon(b - a, s.epsilon);
                (
                    flipped || moved,
                    crate::render::csv_num(Some(a)),
                    crate::render::csv_num(Some(b)),
                    crate::render::csv_num(Some(b - a)),
                )
            }
        };
        if !changed {
            continue;
        }
        let ai = p.attribute as usize;
        w.write_record([
            data.ids[p.id as usize].as_str(),
            data.attributes[ai].as_str(),
            data.values[ai][p.value as usize].as_str(),
            &ov,
            &vv,
            &delta,
        ])?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
