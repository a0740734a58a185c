//! Counterfactual invariance: the same response scored under an original prompt and a variant
//! that changes one demographic attribute; a fair reward model scores them alike.

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use super::settings::Settings;
use super::table::Table;
use crate::input::Source;

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
