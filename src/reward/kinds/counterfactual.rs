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

pub const ORIGINAL_NAMES: &[&str] = &["original", "score_original", "original_score"];
pub const PERTURBED_NAMES: &[&str] = &[
    "perturbed",
    "score_perturbed",
    "perturbed_score",
    "counterfactual",
];
pub const ATTRIBUTE_NAMES: &[&str] = &["attribute", "perturbation"];

/// Per attribute: the differences perturbed − original.
#[derive(Debug, Clone)]
pub struct Counterfactual {
    pub by_attribute: BTreeMap<String, Vec<f64>>,
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
        rows_read: f.rows as u64,
        dropped: 0,
    };
    for i in 0..f.rows {
        let (Some(o), Some(p)) = (os[i], ps[i]) else {
            out.dropped += 1;
            continue;
        };
        let key = attrs[i].clone().unwrap_or_else(|| "(all)".into());
        out.by_attribute.entry(key).or_default().push(p - o);
    }
    if out.by_attribute.is_empty() {
        bail!("{}: no row has both scores", source.display);
    }
    Ok(out)
}

/// (invariance rate |Δ| ≤ ε, mean |Δ|, mean Δ, max |Δ|) of differences Δ.
pub fn summary(deltas: &[f64], eps: f64) -> (f64, f64, f64, f64) {
    let n = deltas.len() as f64;
    let inv = deltas.iter().filter(|d| d.abs() <= eps).count() as f64 / n;
    let mean_abs = deltas.iter().map(|d| d.abs()).sum::<f64>() / n;
    let mean = deltas.iter().sum::<f64>() / n;
    let max = deltas.iter().map(|d| d.abs()).fold(0.0, f64::max);
    (inv, mean_abs, mean, max)
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
            let (inv, mean_abs, mean, max) = summary(d, eps);
            CounterfactualRow {
                attribute: a.clone(),
                pairs: d.len(),
                invariance_rate: inv,
                mean_abs_delta: mean_abs,
                mean_delta: mean,
                max_abs_delta: max,
            }
        })
        .collect();
    let (inv, mean_abs, mean, max) = summary(&all, eps);
    let mut u = Map::new();
    let mut h = |name: &str, v: f64| headline_value(r, &mut u, "counterfactual", name, Ok(v));
    let (invariance_rate, mean_abs_delta, mean_delta, max_abs_delta) = (
        h("invariance_rate", inv),
        h("mean_abs_delta", mean_abs),
        h("mean_delta", mean),
        h("max_abs_delta", max),
    );
    r.counterfactual = Some(CounterfactualPanel {
        epsilon: eps,
        attributes,
        invariance_rate,
        mean_abs_delta,
        mean_delta,
        max_abs_delta,
        undefined: u,
    });
}
