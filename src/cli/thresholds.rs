//! `audit-fairness` group thresholds: `--group-thresholds` (apply a threshold per group) and
//! `--suggest-thresholds` with its options (docs/metrics.md, "Group thresholds"). Flattened
//! into `FairnessArgs`; the checks against the other flags are in `cli/fairness.rs`.

use anyhow::{bail, Result};
use clap::Args;

use super::values::non_negative;
use crate::fairness::group_thresholds;
use crate::fairness::thresholds::{Constraint, GroupThresholds, ObjectiveKind, SuggestSpec};

/// Default of `--tolerance`.
pub const DEFAULT_TOLERANCE: f64 = 0.0;

#[derive(Debug, Clone, Args)]
pub struct ThresholdArgs {
    /// Decide with a threshold per group of one --group attribute instead of --threshold: a
    /// row is predicted positive when its --score >= its group's threshold. `ATTR=G1:T1,G2:T2`
    /// (a group name is what comes before the last `:`), or `@FILE`: a CSV file with the
    /// header `attribute,group,threshold`. Every group of ATTR in the data needs a threshold.
    #[arg(long = "group-thresholds", value_name = "ATTR=G:T,...|@FILE")]
    pub group_thresholds: Option<String>,

    /// Search the per-group thresholds on --score of the first --group (or --suggest-for) that
    /// meet the constraint within --tolerance at the best --objective (or lowest cost), exactly
    /// from the sorted scores; also the best randomized mix of thresholds (Hardt et al. 2016),
    /// and the trade-off curve over the tolerance (`suggested_thresholds` in JSON).
    #[arg(long = "suggest-thresholds", value_enum, value_name = "CONSTRAINT")]
    pub suggest_thresholds: Option<Constraint>,

    /// With --suggest-thresholds: how far apart the groups' constrained rates may be (max −
    /// min). Default 0.
    #[arg(long, value_name = "EPS", value_parser = non_negative, allow_negative_numbers = true)]
    pub tolerance: Option<f64>,

    /// With --suggest-thresholds: what the thresholds maximise. Default accuracy.
    #[arg(long, value_enum, value_name = "OBJECTIVE", conflicts_with_all = ["cost_fp", "cost_fn"])]
    pub objective: Option<ObjectiveKind>,

    /// With --suggest-thresholds: the cost of a false positive; with --cost-fn the thresholds
    /// minimise the expected cost per row (weighted) instead of an --objective.
    #[arg(long = "cost-fp", value_name = "C", value_parser = non_negative, requires = "cost_fn")]
    pub cost_fp: Option<f64>,

    /// With --suggest-thresholds: the cost of a false negative (see --cost-fp).
    #[arg(long = "cost-fn", value_name = "C", value_parser = non_negative, requires = "cost_fp")]
    pub cost_fn: Option<f64>,

    /// With --suggest-thresholds: the --group attribute whose groups get thresholds. Default:
    /// the first --group.
    #[arg(long = "suggest-for", value_name = "ATTR")]
    pub suggest_for: Option<String>,
}

impl ThresholdArgs {
    /// The parsed `--group-thresholds` and `--suggest-thresholds`, checked among themselves and
    /// against the `--group` attributes.
    pub fn settings(
        &self,
        groups: &[String],
    ) -> Result<(Option<GroupThresholds>, Option<SuggestSpec>)> {
        let Some(constraint) = self.suggest_thresholds else {
            for (given, flag) in [
                (self.tolerance.is_some(), "--tolerance"),
                (self.objective.is_some(), "--objective"),
                (self.cost_fp.is_some(), "--cost-fp / --cost-fn"),
                (self.suggest_for.is_some(), "--suggest-for"),
            ] {
                if given {
                    bail!("{flag} goes with --suggest-thresholds CONSTRAINT");
                }
            }
            let gt = match &self.group_thresholds {
                Some(s) => {
                    let g = group_thresholds::parse(s)?;
                    if g.attribute.contains('&') && !groups.contains(&g.attribute) {
                        bail!("--group-thresholds: '{}' is an intersection; thresholds are per group of one column — make a column of the combined values (e.g. race_sex) and pass it with --group", g.attribute);
                    }
                    if !groups.contains(&g.attribute) {
                        bail!(
                            "--group-thresholds: '{}' is not a --group attribute; add --group {} (attributes: {})",
                            g.attribute,
                            g.attribute,
                            if groups.is_empty() { "none".to_string() } else { groups.join(", ") }
                        );
                    }
                    Some(g)
                }
                None => None,
            };
            return Ok((gt, None));
        };
        if self.group_thresholds.is_some() {
            bail!("--suggest-thresholds searches the thresholds that --group-thresholds would fix; give one of them");
        }
        let attribute = match &self.suggest_for {
            Some(a) if groups.contains(a) => a.clone(),
            Some(a) => bail!(
                "--suggest-for '{a}' is not a --group attribute (attributes: {})",
                groups.join(", ")
            ),
            None => match groups.first() {
                Some(g) => g.clone(),
                None => bail!("--suggest-thresholds needs a --group attribute whose groups get the thresholds"),
            },
        };
        let costs = self.cost_fp.zip(self.cost_fn);
        if let Some((a, b)) = costs {
            if a + b <= 0.0 {
                bail!("--cost-fp and --cost-fn are both 0: every threshold costs nothing; give a positive cost");
            }
        }
        Ok((
            None,
            Some(SuggestSpec {
                constraint,
                objective: if costs.is_some() {
                    None
                } else {
                    Some(self.objective.unwrap_or(ObjectiveKind::Accuracy))
                },
                costs,
                tolerance: self.tolerance.unwrap_or(DEFAULT_TOLERANCE),
                attribute,
            }),
        ))
    }
}
