//! Counterfactual invariance: the same response scored under an original prompt and a variant
//! that changes one demographic attribute; a fair reward model scores them alike.

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use crate::input::table::Table;
use crate::input::Source;
use crate::reward::settings::Settings;
use serde_json::Map;

use crate::reward::panel::headline_value;
use crate::reward::report::{CounterfactualPanel, CounterfactualRow, RewardInput};
use crate::stats::counterfactual::{delta_summary, over_epsilon, wasserstein1};

pub const ORIGINAL_NAMES: &[&str] = &["original", "score_original", "original_score"];
pub const PERTURBED_NAMES: &[&str] = &[
    "perturbed",
    "score_perturbed",
    "perturbed_score",
    "counterfactual",
];
pub const ATTRIBUTE_NAMES: &[&str] = &["attribute", "perturbation"];

/// Per attribute: the differences perturbed − original, and the two scores of each pair (in
/// the same order) for the parity of their distributions.
#[derive(Debug, Clone)]
pub struct Counterfactual {
    pub by_attribute: BTreeMap<String, Vec<f64>>,
    pub scores: BTreeMap<String, (Vec<f64>, Vec<f64>)>,
    pub rows_read: u64,
    pub dropped: u64,
}

pub fn load(source: &Source, settings: &Settings) -> Result<Counterfactual> {
    let mut t = Table::open(source)?;
    let o = t
        .column(
            settings.original.as_deref(),
            "--original",
            ORIGINAL_NAMES,
            true,
        )?
        .expect("required");
    let p = t
        .column(
            settings.perturbed.as_deref(),
            "--perturbed",
            PERTURBED_NAMES,
            true,
        )?
        .expect("required");
    let a = t.column(
        settings.attribute.as_deref(),
        "--attribute",
        ATTRIBUTE_NAMES,
        false,
    )?;
    t.number(&o, "--original", "__o")?;
    t.number(&p, "--perturbed", "__p")?;
    if let Some(a) = &a {
        t.text(a, "__a");
    }
    let f = t.read()?;
    let (os, ps) = (f.numbers("__o")?, f.numbers("__p")?);
    let attrs = if a.is_some() {
        f.texts("__a")?
    } else {
        vec![None; f.rows]
    };
    let mut out = Counterfactual {
        by_attribute: BTreeMap::new(),
        scores: BTreeMap::new(),
        rows_read: f.rows as u64,
        dropped: 0,
    };
    for i in 0..f.rows {
        let (Some(o), Some(p)) = (os[i], ps[i]) else {
            out.dropped += 1;
            continue;
        };
        let key = attrs[i].clone().unwrap_or_else(|| "(all)".into());
        out.by_attribute.entry(key.clone()).or_default().push(p - o);
        let s = out.scores.entry(key).or_default();
        s.0.push(o);
        s.1.push(p);
    }
    if out.by_attribute.is_empty() {
        bail!("{}: no row has both scores", source.display);
    }
    Ok(out)
}

/// The shared summary of differences Δ (`stats::counterfactual`, as audit-counterfactual):
/// the invariance rate #(|Δ| ≤ ε) / n, mean |Δ|, mean Δ, max |Δ| and the share over ε,
/// #(|Δ| > ε) / n. `deltas` is never empty (an attribute has at least one pair).
pub fn summary(deltas: &[f64], eps: f64) -> (f64, f64, f64, f64, f64) {
    let n = deltas.len() as f64;
    let inv = deltas.iter().filter(|d| !over_epsilon(**d, eps)).count() as f64 / n;
    match delta_summary(deltas, eps) {
        Some(s) => (
            inv,
            s.mean_abs_delta,
            s.mean_delta,
            s.max_abs_delta,
            s.share_over_epsilon,
        ),
        None => (f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN),
    }
}

/// The counterfactual panel: invariance rate and deltas per attribute and overall.
pub fn panel(c: &Counterfactual, settings: &Settings, r: &mut RewardInput) {
    let all: Vec<f64> = c.by_attribute.values().flatten().copied().collect();
    r.pairs_used = all.len() as u64;
    let eps = settings.epsilon;
    let attributes = c
        .by_attribute
        .iter()
        .map(|(a, d)| {
            let (inv, mean_abs, mean, max, over) = summary(d, eps);
            let (o, p) = &c.scores[a];
            CounterfactualRow {
                attribute: a.clone(),
                pairs: d.len(),
                invariance_rate: inv,
                mean_abs_delta: mean_abs,
                mean_delta: mean,
                max_abs_delta: max,
                share_over_epsilon: over,
                strict_parity: wasserstein1(p, o).ok(),
            }
        })
        .collect();
    let (inv, mean_abs, mean, max, over) = summary(&all, eps);
    let originals: Vec<f64> = c
        .scores
        .values()
        .flat_map(|s| s.0.iter().copied())
        .collect();
    let perturbed: Vec<f64> = c
        .scores
        .values()
        .flat_map(|s| s.1.iter().copied())
        .collect();
    let parity = wasserstein1(&perturbed, &originals);
    let mut u = Map::new();
    let mut h = |name: &str, v: f64| headline_value(r, &mut u, "counterfactual", name, Ok(v));
    let (invariance_rate, mean_abs_delta, mean_delta, max_abs_delta, share_over_epsilon) = (
        h("invariance_rate", inv),
        h("mean_abs_delta", mean_abs),
        h("mean_delta", mean),
        h("max_abs_delta", max),
        h("share_over_epsilon", over),
    );
    let strict_parity = headline_value(r, &mut u, "counterfactual", "strict_parity", parity);
    r.counterfactual = Some(CounterfactualPanel {
        epsilon: eps,
        attributes,
        invariance_rate,
        mean_abs_delta,
        mean_delta,
        max_abs_delta,
        share_over_epsilon,
        strict_parity,
        undefined: u,
    });
}
