//! The reference-group view (aequitas' `Bias` and `Fairness`): every group's ratio and
//! difference to a reference group for every rate, and a parity verdict within a band.
//! Formulas and the differences from aequitas: docs/metrics.md, "Reference group".

use anyhow::{bail, Result};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::metrics::Rate;
use crate::fairness::report::{AttributeReport, FairnessReport, ReferenceView};
use crate::stats::hypothesis::two_proportion_p;

/// How the reference group of each attribute is chosen.
#[derive(Debug, Clone, PartialEq)]
pub enum RefSpec {
    /// The group with the most rows (aequitas `majority`).
    Largest,
    /// Per metric, the group with the lowest defined value (aequitas `min_metric`).
    MinMetric,
    /// Named groups: `(attribute, group)`; a bare group applies to every attribute that has it.
    Given(Vec<(Option<String>, String)>),
}

/// Parses the `--reference` values: `largest`, `min-metric`, `GROUP` or `ATTRIBUTE=GROUP`.
pub fn parse(values: &[String]) -> Result<Option<RefSpec>> {
    if values.is_empty() {
        return Ok(None);
    }
    if values.len() == 1 {
        match values[0].as_str() {
            "largest" => return Ok(Some(RefSpec::Largest)),
            "min-metric" => return Ok(Some(RefSpec::MinMetric)),
            _ => {}
        }
    }
    let mut given = Vec::new();
    for v in values {
        if v == "largest" || v == "min-metric" {
            bail!("--reference {v} cannot be combined with other --reference values");
        }
        given.push(match v.split_once('=') {
            Some((a, g)) => (Some(a.to_string()), g.to_string()),
            None => (None, v.clone()),
        });
    }
    Ok(Some(RefSpec::Given(given)))
}

/// The rates compared to the reference (aequitas' set and the other rates).
pub const REFERENCE_METRICS: [&str; 12] = [
    "predicted_positive_share",
    "selection_rate",
    "positive_predictive_value",
    "false_discovery_rate",
    "false_omission_rate",
    "false_positive_rate",
    "false_negative_rate",
    "true_positive_rate",
    "true_negative_rate",
    "negative_predictive_value",
    "accuracy",
    "base_rate",
];

/// One group's comparison with the reference for one metric.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    /// value / reference value.
    pub ratio: Option<f64>,
    /// value − reference value.
    pub difference: Option<f64>,
    /// band ≤ ratio ≤ 1 / band.
    pub parity: Option<bool>,
    /// Two-sided p-value of the pooled two-proportion z-test of the group's rate against the
    /// reference group's (row counts; rates that are proportions).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub p_value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undefined: Option<String>,
}

/// Adds the reference view to every attribute of `report`.
pub fn apply(report: &mut FairnessReport, spec: &RefSpec, band: f64) -> Result<()> {
    if let RefSpec::Given(given) = spec {
        for (attr, group) in given {
            let found = report.attributes.iter().any(|a| {
                attr.as_ref().is_none_or(|x| *x == a.name)
                    && a.groups.iter().any(|g| g.group == *group)
            });
            if !found {
                let scope = attr
                    .as_deref()
                    .map(|a| format!("attribute '{a}'"))
                    .unwrap_or("any attribute".into());
                bail!("--reference '{group}' is not a group of {scope}");
            }
        }
    }
    for a in &mut report.attributes {
        if let Some(refs) = choose(a, spec) {
            compare(a, refs, spec, band);
        }
    }
    Ok(())
}

fn value(a: &AttributeReport, gi: usize, metric: &str) -> Option<f64> {
    a.groups[gi].metrics.get(metric).and_then(Json::as_f64)
}

/// The reference group (index) per metric, or `None` when the spec names no group of `a`.
fn choose(a: &AttributeReport, spec: &RefSpec) -> Option<Vec<Option<usize>>> {
    let n = REFERENCE_METRICS.len();
    match spec {
        RefSpec::Largest => {
            // Most rows; ties go to the first group in report order.
            let best =
                (0..a.groups.len())
                    .fold(0, |b, i| if a.groups[i].n > a.groups[b].n { i } else { b });
            Some(vec![Some(best); n])
        }
        RefSpec::MinMetric => Some(
            REFERENCE_METRICS
                .iter()
                .map(|m| {
                    (0..a.groups.len())
                        .filter_map(|i| value(a, i, m).map(|v| (i, v)))
                        .fold(None, |best: Option<(usize, f64)>, (i, v)| match best {
                            Some((_, bv)) if bv <= v => best,
                            _ => Some((i, v)),
                        })
                        .map(|(i, _)| i)
                })
                .collect(),
        ),
        RefSpec::Given(given) => {
            let specific = given
                .iter()
                .find(|(x, _)| x.as_deref() == Some(a.name.as_str()));
            let any = given
                .iter()
                .find(|(x, g)| x.is_none() && a.groups.iter().any(|gr| gr.group == *g));
            let (_, g) = specific.or(any)?;
            let i = a.groups.iter().position(|gr| gr.group == *g)?;
            Some(vec![Some(i); n])
        }
    }
}

fn compare(a: &mut AttributeReport, refs: Vec<Option<usize>>, spec: &RefSpec, band: f64) {
    let mut names = Map::new();
    let mut per_group: Vec<Map<String, Json>> = vec![Map::new(); a.groups.len()];
    for (m, r) in REFERENCE_METRICS.iter().zip(&refs) {
        names.insert(
            m.to_string(),
            r.map(|i| Json::String(a.groups[i].group.clone()))
                .unwrap_or(Json::Null),
        );
        let rate = Rate::parse(m).and_then(|x| x.proportion());
        for (gi, out) in per_group.iter_mut().enumerate() {
            let mut c = comparison(
                value(a, gi, m),
                r.and_then(|ri| value(a, ri, m)),
                r.is_some(),
                band,
            );
            if let (Some((num, den)), Some(ri)) = (rate, *r) {
                if let (Some(g), Some(rf)) = (&a.groups[gi].rows, &a.groups[ri].rows) {
                    c.p_value = two_proportion_p(
                        g.sum(num) as f64,
                        g.sum(den) as f64,
                        rf.sum(num) as f64,
                        rf.sum(den) as f64,
                    );
                }
            }
            out.insert(
                m.to_string(),
                serde_json::to_value(c).expect("serialisable"),
            );
        }
    }
    for (g, m) in a.groups.iter_mut().zip(per_group) {
        g.vs_reference = m;
    }
    a.reference = Some(ReferenceView {
        method: match spec {
            RefSpec::Largest => "largest",
            RefSpec::MinMetric => "min_metric",
            RefSpec::Given(_) => "given",
        }
        .to_string(),
        groups: names,
        band,
    });
}

/// ratio = v / ref and difference = v − ref; x/0 is undefined (aequitas caps it at 10).
pub fn comparison(v: Option<f64>, reference: Option<f64>, has_ref: bool, band: f64) -> Comparison {
    let undefined = |why: &str| Comparison {
        ratio: None,
        difference: None,
        parity: None,
        p_value: None,
        undefined: Some(why.to_string()),
    };
    let Some(v) = v else {
        return undefined("the group's value is undefined");
    };
    let Some(r) = reference else {
        return undefined(if has_ref {
            "the reference group's value is undefined"
        } else {
            "no group has a defined value"
        });
    };
    if r == 0.0 {
        let mut c = undefined(if v == 0.0 {
            "0/0: both values are 0"
        } else {
            "x/0: the reference group's value is 0"
        });
        c.difference = Some(v - r);
        return c;
    }
    let ratio = v / r;
    Comparison {
        ratio: Some(ratio),
        difference: Some(v - r),
        parity: Some(band <= ratio && ratio <= 1.0 / band),
        p_value: None,
        undefined: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_specs() {
        assert_eq!(parse(&[]).unwrap(), None);
        assert_eq!(parse(&["largest".into()]).unwrap(), Some(RefSpec::Largest));
        assert_eq!(
            parse(&["race=Caucasian".into(), "Male".into()]).unwrap(),
            Some(RefSpec::Given(vec![
                (Some("race".into()), "Caucasian".into()),
                (None, "Male".into())
            ]))
        );
        assert!(parse(&["largest".into(), "x".into()]).is_err());
    }

    #[test]
    fn comparisons() {
        let c = comparison(Some(0.4), Some(0.5), true, 0.8);
        assert_eq!(c.ratio, Some(0.8));
        assert_eq!(c.parity, Some(true));
        assert!((c.difference.unwrap() + 0.1).abs() < 1e-15);
        assert_eq!(
            comparison(Some(0.7), Some(0.5), true, 0.8).parity,
            Some(false)
        ); // 1.4 > 1.25
        let z = comparison(Some(0.3), Some(0.0), true, 0.8);
        assert_eq!(z.ratio, None);
        assert!(z.undefined.unwrap().contains("x/0"));
        assert_eq!(z.difference, Some(0.3));
        assert!(comparison(None, Some(0.5), true, 0.8).undefined.is_some());
    }
}
