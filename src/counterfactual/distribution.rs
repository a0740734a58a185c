//! Generated-attribute distributions: per prompt and over all prompts, the observed shares of
//! the column's values against the target (KL divergence, total variation, mean absolute
//! deviation, Shen et al.'s bias). Pure functions of the draws: the bootstrap calls
//! [`compute`] again on images resampled within prompts.

use serde::Serialize;

use super::figures::Figures;
use crate::stats::counterfactual::{
    kl_divergence, mean_abs_deviation, pairwise_bias, total_variation,
};

pub const MEASURES: [&str; 4] = [
    "kl_divergence",
    "total_variation",
    "mean_abs_deviation",
    "bias",
];

/// One prompt's distribution (or the pooled one).
#[derive(Debug, Clone, Serialize)]
pub struct Scope {
    /// The prompt (`all` without --prompt; absent for the pooled scope).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// Rows with a value.
    pub images: u64,
    /// Rows without one (excluded).
    pub missing: u64,
    /// The share of each value, in value order (`values`); null when no row has a value.
    pub observed: Vec<Option<f64>>,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone)]
pub struct Computed {
    pub prompts: Vec<Scope>,
    pub pooled: Scope,
    /// The mean over prompts of each measure.
    pub mean_over_prompts: Figures,
}

/// The measures of observed shares `p` against target `t`.
fn measures(p: &[f64], t: &[f64], images: u64, undefined: Option<&str>) -> Figures {
    let mut f = Figures::default();
    f.count("images", images);
    if images == 0 || undefined.is_some() {
        for m in MEASURES {
            f.set(m, Err(undefined.unwrap_or("no row with a value")));
        }
        return f;
    }
    f.set("kl_divergence", kl_divergence(p, t));
    f.set("total_variation", Ok(total_variation(p, t)));
    f.set("mean_abs_deviation", mean_abs_deviation(p, t));
    f.set("bias", pairwise_bias(p));
    f
}

fn scope(
    prompt: Option<String>,
    draws: &[u32],
    missing: u64,
    t: &[f64],
    undefined: Option<&str>,
) -> Scope {
    let k = t.len();
    let mut counts = vec![0u64; k];
    for d in draws {
        counts[*d as usize] += 1;
    }
    let n = draws.len() as u64;
    let observed: Vec<Option<f64>> = counts
        .iter()
        .map(|c| (n > 0).then(|| *c as f64 / n as f64))
        .collect();
    let shares: Vec<f64> = observed.iter().map(|x| x.unwrap_or(0.0)).collect();
    let figures = measures(&shares, t, n, undefined);
    Scope {
        prompt,
        images: n,
        missing,
        observed,
        figures,
    }
}

/// The figures of `draws` (per prompt, value indices) against target `t` (one share per value);
/// every distance undefined with reason `undefined` when given (one value against a uniform
/// target).
pub fn compute(
    prompts: &[String],
    draws: &[Vec<u32>],
    missing: &[u64],
    t: &[f64],
    undefined: Option<&str>,
) -> Computed {
    let scopes: Vec<Scope> = prompts
        .iter()
        .zip(draws)
        .zip(missing)
        .map(|((p, d), m)| scope(Some(p.clone()), d, *m, t, undefined))
        .collect();
    let all: Vec<u32> = draws.iter().flatten().copied().collect();
    let pooled = scope(None, &all, missing.iter().sum(), t, undefined);
    let mut mean = Figures::default();
    for m in MEASURES {
        let vals: Vec<&Result<f64, String>> =
            scopes.iter().filter_map(|s| s.figures.get(m)).collect();
        let name = format!("mean_{m}");
        match vals.iter().find_map(|v| v.as_ref().err()) {
            Some(why) => {
                let why = crate::stats::reason(format!("undefined for a prompt: {why}"));
                mean.set(&name, Err(why));
            }
            None => {
                let s: f64 = vals.iter().filter_map(|v| v.as_ref().ok()).sum();
                mean.set(&name, Ok(s / vals.len().max(1) as f64));
            }
        }
    }
    Computed {
        prompts: scopes,
        pooled,
        mean_over_prompts: mean,
    }
}
