//! Label-free audits: with only decisions (or scores) and sensitive attributes, every metric
//! that needs the outcome is left out of the report — absent, not null — and the report says
//! the audit was label-free (`settings.label_free`, `inputs[].columns.label: null`).
//!
//! The pass counts every row as label 0 (no column is read), so the count-based code runs
//! unchanged; [`prune`] then removes every number whose definition involves the label, by name.

use serde_json::{Map, Value as Json};

use super::metrics::{Rate, CRITERIA, PER_GROUP_SIZE, RATES};
use super::report::{AttributeReport, FairnessReport, GroupReport};
use super::scores::SCORE_METRICS;

/// Names (and bases of disparity names) that need the label besides the confusion rates, the
/// criteria built on them and the score metrics: cross-group AUC, the benefit-based inequality
/// indices (benefit ŷ − y + 1) and the generalized rates (mean score of the positives /
/// negatives).
const ALSO_NEEDS_LABEL: &[&str] = &[
    "xauc",
    "generalized_entropy_index",
    "theil_index",
    "between_group_generalized_entropy_index",
    "between_group_theil_index",
    "generalized_true_positive_rate",
    "generalized_false_positive_rate",
];

/// Every metric name (and base of disparity names such as `equalized_odds_difference`) whose
/// definition involves the label: the confusion rates other than the selection rate, the named
/// criteria built on them and equalized odds, the errors per group size, the score metrics
/// judged against outcomes, and [`ALSO_NEEDS_LABEL`].
fn label_bases() -> impl Iterator<Item = &'static str> {
    RATES
        .iter()
        .filter(|r| **r != Rate::SelectionRate)
        .map(|r| r.name())
        .chain(
            CRITERIA
                .iter()
                .filter(|(_, r)| *r != Rate::SelectionRate)
                .map(|(n, _)| *n),
        )
        .chain(["equalized_odds"])
        .chain(PER_GROUP_SIZE.iter().map(|(n, _)| *n))
        .chain(SCORE_METRICS)
        .chain(ALSO_NEEDS_LABEL.iter().copied())
}

/// Whether the report value `name` (a metric, or a disparity such as
/// `equity_scaled_accuracy`, `roc_auc_psd_std`, `f1_ratio_to_overall`) needs the label.
pub fn needs_label(name: &str) -> bool {
    let name = name.strip_prefix("equity_scaled_").unwrap_or(name);
    label_bases().any(|b| {
        name == b
            || name
                .strip_prefix(b)
                .is_some_and(|rest| rest.starts_with('_'))
    })
}

/// Removes every value that needs the label from a map of values.
fn retain(m: &mut Map<String, Json>) {
    m.retain(|k, _| !needs_label(k));
}

fn group(g: &mut GroupReport) {
    retain(&mut g.metrics);
    retain(&mut g.undefined);
    retain(&mut g.intervals);
    retain(&mut g.bootstrap);
    retain(&mut g.vs_reference);
    g.counts = None;
    g.rows = None;
    g.reliability.clear();
    g.roc.clear();
}

fn attribute(a: &mut AttributeReport) {
    retain(&mut a.disparities);
    retain(&mut a.undefined);
    retain(&mut a.disparities_bootstrap);
    a.xauc.clear();
    if let Some(r) = &mut a.reference {
        retain(&mut r.groups);
    }
    a.groups.iter_mut().for_each(group);
}

/// Leaves out of the report every value that needs the label (see [`needs_label`]): overall,
/// per attribute and group, in the threshold sweep; the confusion counts (their label half is
/// made up) give way to the selections (`selected`).
pub fn prune(model: &mut FairnessReport) {
    model.settings.label_free = true;
    // Warnings about label metrics ("true_positive_rate is undefined for ...") go with them.
    model.warnings.retain(|w| {
        !w.message
            .split_once(" is undefined for ")
            .is_some_and(|(metric, _)| needs_label(metric))
    });
    for inp in &mut model.inputs {
        // --no-label over labelled statistics: the label is not used.
        inp.columns.label = None;
        retain(&mut inp.overall.metrics);
        retain(&mut inp.overall.undefined);
        inp.overall.counts = None;
        inp.overall.reliability.clear();
    }
    model.attributes.iter_mut().for_each(attribute);
    for t in &mut model.thresholds {
        t.attributes.iter_mut().for_each(attribute);
    }
}

#[cfg(test)]
mod tests {
    use super::needs_label;

    #[test]
    fn names() {
        for n in [
            "true_positive_rate",
            "equalized_odds_difference",
            "equity_scaled_accuracy",
            "accuracy_psd_std",
            "roc_auc_ratio_to_overall",
            "xauc_max_gap",
            "f1",
            "base_rate_difference",
            "between_group_theil_index",
        ] {
            assert!(needs_label(n), "{n}");
        }
        for n in [
            "selection_rate",
            "selection_rate_difference",
            "demographic_parity_ratio",
            "disparate_impact_ratio",
            "four_fifths_rule_passed",
            "predicted_positive_share",
            "z_test_p_value",
            "fisher_exact_p_value",
            "shortfall_to_four_fifths",
            "mean_score",
            "mean_income",
        ] {
            assert!(!needs_label(n), "{n}");
        }
    }
}
