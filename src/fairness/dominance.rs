//! `--reference-decisions`: does the audited decision-maker dominate a reference one (e.g. the
//! human decisions it replaces) — at least as good on every chosen performance and disparity
//! measure and better on one ("Superhuman fairness", Memarrast et al., ICML 2023)? Both sides are
//! measured on the same rows (those with a reference decision); the probability of dominance is
//! the share of paired bootstrap replicates (rows redrawn with both decisions,
//! [`Joint::resample`]) in which it holds. docs/metrics.md, "Dominance".

use anyhow::{bail, Result};
use serde_json::{Map, Value as Json};

use super::audit;
use super::paired::{Joint, View};
use super::paired_view::{Dominance, Measure};
use super::plan::Pass;
use super::report::FairnessReport;
use super::settings::Settings;

/// The measures checked when `--dominance-measures` is not given: overall performance, and two
/// disparities of every attribute.
pub const DEFAULT_MEASURES: &[&str] = &[
    "accuracy",
    "balanced_accuracy",
    "true_positive_rate",
    "demographic_parity_difference",
    "equalized_odds_difference",
];

/// Replicates of the probability of dominance without `--bootstrap`.
pub const DEFAULT_REPLICATES: usize = 1000;

/// Overall measures (higher is better unless listed in [`LOWER_IS_BETTER`]).
const OVERALL: &[&str] = &[
    "accuracy",
    "balanced_accuracy",
    "true_positive_rate",
    "true_negative_rate",
    "positive_predictive_value",
    "negative_predictive_value",
    "f1",
    "false_positive_rate",
    "false_negative_rate",
    "false_discovery_rate",
    "false_omission_rate",
];
const LOWER_IS_BETTER: &[&str] = &[
    "false_positive_rate",
    "false_negative_rate",
    "false_discovery_rate",
    "false_omission_rate",
];

/// Whether a higher value of `name` is better: overall rates by their meaning; disparities —
/// differences (0 is parity) lower, ratios (1 is parity, never above 1) higher. `None`: not a
/// measure this check takes.
pub fn higher_is_better(name: &str) -> Option<bool> {
    if OVERALL.contains(&name) {
        Some(!LOWER_IS_BETTER.contains(&name))
    } else if name.ends_with("_difference") {
        Some(false)
    } else if name.ends_with("_ratio") {
        Some(true)
    } else {
        None
    }
}

/// Checks `--dominance-measures` names (before any file is read).
pub fn check_measures(names: &[String]) -> Result<()> {
    for n in names {
        if let Some((scope, name)) = n.split_once(':') {
            bail!("--dominance-measures: '{n}': a measure takes no scope — a disparity is checked on every attribute; give '{name}' (without '{scope}:')");
        }
        let n = &super::gates::canonical(n.trim());
        if higher_is_better(n).is_none() {
            bail!(
                "--dominance-measures: '{n}' is not a measure with a better direction; use overall rates ({}) or disparities (names ending in _difference or _ratio, e.g. demographic_parity_difference, equalized_odds_ratio)",
                OVERALL.join(", ")
            );
        }
    }
    Ok(())
}

/// (measure, attribute, value or why undefined) of every measure, in order: overall measures,
/// then each disparity for each attribute.
fn values(r: &FairnessReport, names: &[String]) -> Vec<(String, Option<String>, Option<f64>)> {
    let mut out = Vec::new();
    for n in names.iter().filter(|n| OVERALL.contains(&n.as_str())) {
        let v = r.inputs[0].overall.metrics.get(n).and_then(Json::as_f64);
        out.push((n.clone(), None, v));
    }
    for a in &r.attributes {
        for n in names.iter().filter(|n| !OVERALL.contains(&n.as_str())) {
            let v = a.disparities.get(n).and_then(Json::as_f64);
            out.push((n.clone(), Some(a.name.clone()), v));
        }
    }
    out
}

/// Whether audited value `a` is at least as good as `r` (`Some(true)`), and strictly better.
fn compare(a: f64, r: f64, higher: bool) -> (bool, bool) {
    if higher {
        (a >= r, a > r)
    } else {
        (a <= r, a < r)
    }
}

/// Whether the audited side dominates, over paired measure values; `None` if one is undefined.
fn dominates(pairs: &[(Option<f64>, Option<f64>, bool)]) -> Option<bool> {
    let mut strictly = false;
    for &(a, r, higher) in pairs {
        let (a, r) = (a?, r?);
        let (ge, gt) = compare(a, r, higher);
        if !ge {
            return Some(false);
        }
        strictly |= gt;
    }
    Some(strictly)
}

/// The measures of the check: `--dominance-measures` (aliases such as `tpr` expanded), or the
/// default set.
pub fn measures(args: &Settings) -> Vec<String> {
    if args.paired.dominance_measures.is_empty() {
        DEFAULT_MEASURES.iter().map(|s| s.to_string()).collect()
    } else {
        args.paired
            .dominance_measures
            .iter()
            .map(|m| super::gates::canonical(m.trim()))
            .collect()
    }
}

/// The dominance check of `pass` against the reference decisions' `joint` table. A measure the
/// audit does not report is an error with a suggestion.
pub fn check(args: &Settings, pass: &Pass, joint: &Joint) -> Result<Dominance> {
    let names = measures(args);
    let inner = super::compare::inner(args);
    let audited = audit::build(&inner, &[joint.pass(pass, View::Candidate)]);
    let mut known: Vec<&str> = OVERALL.to_vec();
    if let Some(a) = audited.attributes.first() {
        known.extend(
            a.disparities
                .iter()
                .filter(|(k, v)| !v.is_boolean() && higher_is_better(k).is_some())
                .map(|(k, _)| k.as_str()),
        );
    }
    for n in &names {
        if !known.contains(&n.as_str()) {
            let hint = crate::input::closest_name(n, &known)
                .map(|b| format!("; did you mean '{b}'?"))
                .unwrap_or_default();
            bail!("--dominance-measures: the audit reports no '{n}'{hint} (overall rates such as accuracy, balanced_accuracy, true_positive_rate; disparities such as demographic_parity_difference, equalized_odds_ratio)");
        }
    }
    let sides = |j: &Joint| {
        let a = values(
            &audit::build(&inner, &[j.pass(pass, View::Candidate)]),
            &names,
        );
        let r = values(&audit::build(&inner, &[j.pass(pass, View::Other)]), &names);
        (a, r)
    };
    let (a, r) = sides(joint);
    let pairs: Vec<(Option<f64>, Option<f64>, bool)> = a
        .iter()
        .zip(&r)
        .map(|(x, y)| (x.2, y.2, higher_is_better(&x.0).unwrap_or(true)))
        .collect();
    let reps = if args.bootstrap > 0 {
        args.bootstrap
    } else {
        DEFAULT_REPLICATES
    };
    // Per replicate: dominance, and per measure whether the audited side is at least as good.
    let draws = crate::stats::bootstrap::replicates(reps, args.seed, |_, rng| {
        let (a, r) = sides(&joint.resample(rng));
        let p: Vec<(Option<f64>, Option<f64>, bool)> = a
            .iter()
            .zip(&r)
            .map(|(x, y)| (x.2, y.2, higher_is_better(&x.0).unwrap_or(true)))
            .collect();
        let each: Vec<bool> = p
            .iter()
            .map(|&(a, r, h)| matches!((a, r), (Some(a), Some(r)) if compare(a, r, h).0))
            .collect();
        (dominates(&p) == Some(true), each)
    });
    let share = |k: usize| k as f64 / reps as f64;
    let mut undefined = Map::new();
    let measures: Vec<Measure> = a
        .iter()
        .zip(&r)
        .enumerate()
        .map(|(i, (x, y))| {
            let higher = higher_is_better(&x.0).unwrap_or(true);
            let better = match (x.2, y.2) {
                (Some(p), Some(q)) => Some(
                    match compare(p, q, higher) {
                        (true, true) => "audited",
                        (true, false) => "tie",
                        _ => "reference",
                    }
                    .to_string(),
                ),
                _ => {
                    let place = x.1.as_deref().map_or(String::new(), |a| format!("{a}: "));
                    undefined.insert(
                        format!("{place}{}", x.0),
                        "undefined for a decision-maker on the compared rows".into(),
                    );
                    None
                }
            };
            Measure {
                measure: x.0.clone(),
                attribute: x.1.clone(),
                higher_is_better: higher,
                audited: x.2,
                reference: y.2,
                better,
                probability_audited_at_least_as_good: Some(share(
                    draws.iter().filter(|d| d.1[i]).count(),
                )),
            }
        })
        .collect();
    let reversed: Vec<(Option<f64>, Option<f64>, bool)> =
        pairs.iter().map(|&(a, r, h)| (r, a, h)).collect();
    let dom = dominates(&pairs);
    if dom.is_none() {
        undefined.insert(
            "dominates".into(),
            "a measure is undefined for a decision-maker".into(),
        );
    }
    let reference = pass
        .columns
        .others
        .iter()
        .find(|o| o.role == "reference_decisions")
        .map(|o| o.column.clone())
        .unwrap_or_default();
    Ok(Dominance {
        file: pass.source.display.clone(),
        reference,
        rows_compared: joint.rows(),
        rows_left_out: joint.missing,
        measures,
        dominates: dom,
        reference_dominates: dominates(&reversed),
        dominance_probability: Some(share(draws.iter().filter(|d| d.0).count())),
        replicates: reps,
        seed: args.seed,
        undefined,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dominance_needs_every_measure_and_one_strictly() {
        // Accuracy higher is better; a difference lower is better.
        assert_eq!(
            dominates(&[(Some(0.9), Some(0.8), true), (Some(0.1), Some(0.2), false)]),
            Some(true)
        );
        // Equal on both: not dominating (nothing strictly better).
        assert_eq!(
            dominates(&[(Some(0.9), Some(0.9), true), (Some(0.1), Some(0.1), false)]),
            Some(false)
        );
        // Better accuracy, larger gap: no.
        assert_eq!(
            dominates(&[(Some(0.9), Some(0.8), true), (Some(0.3), Some(0.2), false)]),
            Some(false)
        );
        // An undefined measure: unknown.
        assert_eq!(
            dominates(&[(Some(0.9), Some(0.8), true), (None, Some(0.2), false)]),
            None
        );
    }

    #[test]
    fn directions() {
        assert_eq!(higher_is_better("accuracy"), Some(true));
        assert_eq!(higher_is_better("false_positive_rate"), Some(false));
        assert_eq!(higher_is_better("equalized_odds_difference"), Some(false));
        assert_eq!(higher_is_better("demographic_parity_ratio"), Some(true));
        assert_eq!(higher_is_better("roc_auc_typo"), None);
    }
}
