//! `--fail-if` on an `audit-fairness` report: the report's flat view of numbers
//! ([`FairnessReport::numbers`]) and the vocabulary checks around [`gate::select`] (aliases such as
//! `tpr`, unknown names with a suggestion, scopes that match nothing, intervals that need
//! `--bootstrap`).

use anyhow::{bail, Result};
use serde_json::Value as Json;

use super::metrics::RATES;
use super::report::{AttributeReport, FairnessReport};
use super::scores::SCORE_METRICS;
use crate::gate::{self, Level, Number, Observation, Scope};

/// Group-level names a gate may use besides the rates.
const GROUP_EXTRA: [&str; 5] = [
    "n",
    "weight",
    "share",
    "disparate_impact_ratio",
    "predicted_positive_share",
];

/// Expands a short alias at the start of a name: `tpr_difference` → `true_positive_rate_difference`.
pub(super) fn canonical(name: &str) -> String {
    // LL144's and the EEOC's name for a group's selection rate over the most-selected group's.
    if name == "impact_ratio" {
        return "disparate_impact_ratio".to_string();
    }
    for r in RATES {
        if name == r.short() {
            return r.name().to_string();
        }
        if let Some(rest) = name
            .strip_prefix(r.short())
            .filter(|rest| rest.starts_with('_'))
        {
            return format!("{}{rest}", r.name());
        }
    }
    name.to_string()
}

/// A report value as a gate reads it: a number, a boolean as 1 / 0, else the reason it is
/// undefined.
fn json_value(v: Option<&Json>, reason: Option<&Json>) -> Result<f64, String> {
    match v {
        Some(Json::Bool(b)) => Ok(if *b { 1.0 } else { 0.0 }),
        Some(Json::Number(n)) => n.as_f64().ok_or_else(|| "not a number".to_string()),
        _ => Err(reason
            .and_then(Json::as_str)
            .unwrap_or("undefined")
            .to_string()),
    }
}

/// An interval `[lower, upper]` as a gate reads it, else why there is none.
fn json_interval(iv: Option<&Json>, reason: Option<&Json>) -> Result<[f64; 2], String> {
    match iv {
        Some(Json::Array(v)) => match (v[0].as_f64(), v[1].as_f64()) {
            (Some(lo), Some(hi)) => Ok([lo, hi]),
            _ => Err("undefined".to_string()),
        },
        _ => Err(reason
            .and_then(Json::as_str)
            .unwrap_or("undefined")
            .to_string()),
    }
}

impl FairnessReport {
    /// Every number a gate can check, in report order: per input its overall values; per
    /// attribute its disparities (with their bootstrap intervals), then per group every metric,
    /// `n`, `weight`, `share` and every rate name (undefined where the audit has none), each with
    /// its interval (the bootstrap's when there is one, else Wilson's).
    pub fn numbers(&self) -> Vec<Number> {
        let mut out = Vec::new();
        let mut overall_names: Vec<&String> = Vec::new();
        for inp in &self.inputs {
            for k in inp.overall.metrics.keys() {
                if !overall_names.contains(&k) {
                    overall_names.push(k);
                }
            }
        }
        for inp in &self.inputs {
            for k in &overall_names {
                let value = json_value(inp.overall.metrics.get(*k), inp.overall.undefined.get(*k));
                out.push(Number::new(
                    &inp.path,
                    Level::Overall,
                    None,
                    Some("(overall)"),
                    k,
                    value,
                ));
            }
        }
        // Every attribute answers to every disparity and group metric any attribute has (an
        // attribute without one — an intersection too large for xAUC, a file without scores —
        // gives an undefined value, which fails a gate, rather than no value).
        let mut disparity_names: Vec<&String> = Vec::new();
        let mut group_metric_names: Vec<&String> = Vec::new();
        for a in &self.attributes {
            for k in a.disparities.keys() {
                if !disparity_names.contains(&k) {
                    disparity_names.push(k);
                }
            }
            for k in a.groups.iter().flat_map(|g| g.metrics.keys()) {
                if !group_metric_names.contains(&k) {
                    group_metric_names.push(k);
                }
            }
        }
        for a in &self.attributes {
            attribute_numbers(a, &disparity_names, &group_metric_names, &mut out);
        }
        out
    }
}

fn attribute_numbers(
    a: &AttributeReport,
    disparity_names: &[&String],
    group_metric_names: &[&String],
    out: &mut Vec<Number>,
) {
    let shown = a.display_name();
    let shown = (shown != a.name).then_some(shown);
    let mut push = |level, group: Option<&str>, metric: &str, value, interval| {
        let mut n = Number::new(&a.file, level, Some(&a.name), group, metric, value);
        n.shown = shown.clone();
        n.interval = Some(interval);
        out.push(n);
    };
    for k in disparity_names {
        let value = json_value(a.disparities.get(*k), a.undefined.get(*k));
        let interval = json_interval(a.disparities_bootstrap.get(*k), a.undefined.get(*k));
        push(Level::Attribute, None, k, value, interval);
    }
    for g in &a.groups {
        // A group left out of the comparisons (--exclude-below, an unknown category) has no
        // comparison with the most-selected group for a gate to read.
        // Nor does the most-selected group have tests against itself.
        let left_out = g.excluded.is_some() && !g.small;
        let reference = a.most_selected_group.as_ref() == Some(&g.group);
        for k in group_names(group_metric_names) {
            if left_out && left_out_skips(&k)
                || reference && super::adverse_impact::TESTS.contains(&k.as_str())
            {
                continue;
            }
            let value = match k.as_str() {
                "n" => Ok(g.n as f64),
                "weight" => Ok(g.weight),
                "share" => g.share.ok_or_else(|| "total weight is 0".to_string()),
                _ => json_value(g.metrics.get(&k), g.undefined.get(&k)),
            };
            let iv = g.bootstrap.get(&k).or_else(|| g.intervals.get(&k));
            let interval = json_interval(iv, g.undefined.get(&k));
            push(Level::Group, Some(&g.group), &k, value, interval);
        }
    }
}

/// The group figures a group left out of the comparisons does not answer to: those against
/// the most-selected group, and its distribution against the rest.
fn left_out_skips(name: &str) -> bool {
    super::adverse_impact::COMPARISONS.contains(&name)
        || matches!(name, "ks_statistic" | "wasserstein_distance")
}

/// The names a group answers to: every group metric of the report, the extras and every rate
/// and score metric.
fn group_names(group_metric_names: &[&String]) -> Vec<String> {
    let mut names: Vec<String> = group_metric_names.iter().map(|k| k.to_string()).collect();
    let more = GROUP_EXTRA
        .iter()
        .copied()
        .chain(RATES.iter().map(|r| r.name()))
        .chain(SCORE_METRICS.iter().copied());
    for k in more {
        if !names.iter().any(|n| n == k) {
            names.push(k.to_string());
        }
    }
    names
}

/// The dominance check's names (overall).
const DOMINANCE_NAMES: [&str; 2] = ["dominates", "dominance_probability"];

impl FairnessReport {
    /// The flat view of `--baseline` and `--reference-decisions`: per comparison its overall
    /// figures (flip rates, McNemar, `delta.<metric>`), each attribute's `delta.<disparity>` and
    /// each group's figures, with the paired intervals of the changes; `dominates` and
    /// `dominance_probability` overall.
    fn paired_numbers(&self) -> Vec<Number> {
        let mut out = Vec::new();
        let value = |m: &serde_json::Map<String, Json>,
                     u: &serde_json::Map<String, Json>,
                     k: &str| { json_value(m.get(k), u.get(k)) };
        let no_interval = || {
            Err(
                "a change has an interval with --bootstrap N (paired percentile interval)"
                    .to_string(),
            )
        };
        for c in &self.comparisons {
            let groups = std::iter::once((None, Level::Overall, &c.overall)).chain(
                c.attributes.iter().flat_map(|a| {
                    a.groups
                        .iter()
                        .map(move |g| (Some(a.name.as_str()), Level::Group, g))
                }),
            );
            for (attr, level, g) in groups {
                for (k, _) in &g.metrics {
                    out.push(Number::new(
                        &c.file,
                        level,
                        attr,
                        Some(&g.group),
                        k,
                        value(&g.metrics, &g.undefined, k),
                    ));
                }
                for (k, _) in &g.changes.delta {
                    let key = format!("delta.{k}");
                    let mut n = Number::new(
                        &c.file,
                        level,
                        attr,
                        Some(&g.group),
                        &key,
                        json_value(g.changes.delta.get(k), g.undefined.get(&key)),
                    );
                    n.interval = Some(
                        json_interval(g.changes.delta_bootstrap.get(k), None)
                            .or_else(|_| no_interval()),
                    );
                    out.push(n);
                }
            }
            for a in &c.attributes {
                for k in a.changes.delta.keys() {
                    let key = format!("delta.{k}");
                    let mut n = Number::new(
                        &c.file,
                        Level::Attribute,
                        Some(&a.name),
                        None,
                        &key,
                        json_value(a.changes.delta.get(k), a.undefined.get(&key)),
                    );
                    n.interval = Some(
                        json_interval(a.changes.delta_bootstrap.get(k), None)
                            .or_else(|_| no_interval()),
                    );
                    out.push(n);
                }
            }
        }
        for d in &self.dominance {
            let why = || {
                d.undefined
                    .get("dominates")
                    .and_then(Json::as_str)
                    .unwrap_or("undefined")
                    .to_string()
            };
            let dom = d
                .dominates
                .map(|b| if b { 1.0 } else { 0.0 })
                .ok_or_else(why);
            out.push(Number::new(
                &d.file,
                Level::Overall,
                None,
                Some("(overall)"),
                "dominates",
                dom,
            ));
            out.push(Number::new(
                &d.file,
                Level::Overall,
                None,
                Some("(overall)"),
                "dominance_probability",
                d.dominance_probability.ok_or_else(why),
            ));
        }
        out
    }

    /// A gate on a comparison's figure (`delta.NAME`, a flip rate, McNemar's p-value) or on the
    /// dominance check; `None` when `name` is none of these.
    fn observe_paired(&self, scope: &Scope, name: &str) -> Option<Result<Vec<Observation>>> {
        let (base, end) = gate::interval_end(name);
        let changed = base.strip_prefix("delta.");
        let paired = super::paired_view::GROUP_NAMES.contains(&base);
        let dominance = DOMINANCE_NAMES.contains(&base);
        if changed.is_none() && !paired && !dominance {
            return None;
        }
        Some((|| {
            if dominance && self.dominance.is_empty() {
                bail!("'{base}' is the dominance check of --reference-decisions COL; this audit has none");
            }
            if !dominance && self.comparisons.is_empty() {
                bail!("'{base}' compares with a baseline; pass --baseline COL (or --baseline-file FILE --id COL)");
            }
            if base.starts_with("mcnemar") && self.settings.label_free {
                bail!("'{base}' tests who is right more often, which needs the label; this audit is label-free (pass --label COL), or gate on the flips (flip_rate, positive_to_negative_rate, ...)");
            }
            if dominance && !matches!(scope, Scope::All | Scope::Overall) {
                bail!("'{base}' is a figure of the whole input, not of an attribute or group; drop the scope (or write overall:{base})");
            }
            if end.is_some() && changed.is_none() {
                bail!("'{base}' has no interval; intervals are of the changes (delta.NAME.lower / .upper, with --bootstrap N)");
            }
            let base = match changed {
                Some(rest) => {
                    let rest = canonical(rest);
                    if self.settings.label_free && super::label_free::needs_label(&rest) {
                        bail!("'delta.{rest}' is the change of a metric that needs the label, and this audit is label-free; pass --label COL, or gate on the change of a decision metric (delta.selection_rate, delta.demographic_parity_difference, ...)");
                    }
                    let key = format!("delta.{rest}");
                    let known: Vec<&String> =
                        self.comparisons
                            .iter()
                            .flat_map(|c| {
                                c.overall
                                    .changes
                                    .delta
                                    .keys()
                                    .chain(c.attributes.iter().flat_map(|a| {
                                        a.changes.delta.keys().chain(
                                            a.groups.iter().flat_map(|g| g.changes.delta.keys()),
                                        )
                                    }))
                            })
                            .collect();
                    if !known.iter().any(|k| **k == rest) {
                        let names: Vec<&str> = known.iter().map(|k| k.as_str()).collect();
                        let hint = crate::input::closest_name(&rest, &names)
                            .map(|b| format!("; did you mean 'delta.{b}'?"))
                            .unwrap_or_default();
                        bail!("no change '{key}' in the comparison{hint} (a change is of a metric or disparity the audit reports)");
                    }
                    key
                }
                None => base.to_string(),
            };
            if end.is_some()
                && self.comparisons.iter().all(|c| {
                    c.attributes
                        .iter()
                        .all(|a| a.changes.delta_bootstrap.is_empty())
                })
            {
                bail!("an interval of '{base}' needs --bootstrap N (paired percentile intervals: rows redrawn with both decisions)");
            }
            self.check_scope_names(scope)?;
            // The dominance check is of the whole input: unscoped reads it there.
            let scope = if dominance && *scope == Scope::All {
                &Scope::Overall
            } else {
                scope
            };
            let numbers = self.paired_numbers();
            let label = match end {
                Some(e) => format!("{base}.{}", ["lower", "upper"][e]),
                None => base.clone(),
            };
            let out = gate::select(&numbers, scope, &base, end, &label);
            if out.is_empty() {
                bail!("no attribute or group matches the scope of '{label}'");
            }
            Ok(out)
        })())
    }

    /// The attribute and group a scope names exist.
    fn check_scope_names(&self, scope: &Scope) -> Result<()> {
        match scope {
            Scope::Attribute(_) | Scope::Group(..) => self.check_scope(scope, "", true, true),
            _ => Ok(()),
        }
    }
}

impl gate::Gateable for FairnessReport {
    fn observe(&self, scope: &Scope, name: &str) -> Result<Vec<Observation>> {
        if let Some(out) = self.observe_paired(scope, name) {
            return out;
        }
        // --suggest-thresholds: its headline numbers (fairness/suggest.rs).
        if super::suggest::GATE_NAMES.contains(&name) {
            let Some(v) = &self.suggested_thresholds else {
                bail!("'{name}' is a number of --suggest-thresholds; pass it");
            };
            let file = self.inputs.first().map_or("", |i| i.path.as_str());
            let numbers = super::suggest::numbers(v, file);
            let found = gate::select(&numbers, scope, name, None, name);
            if found.is_empty() {
                bail!(
                    "'{name}' is a number of the suggestion for '{}': use no scope or '{}:'",
                    v.attribute,
                    v.attribute
                );
            }
            return Ok(found);
        }
        // `rate.lower` / `rate.upper`: an end of an interval.
        let (base, end) = gate::interval_end(name);
        if end.is_none() {
            if let Some((_, other)) = name.rsplit_once('.') {
                bail!("unknown suffix '.{other}'; use .lower or .upper");
            }
        }
        let name = canonical(base);
        if self.settings.label_free && super::label_free::needs_label(&name) {
            bail!(
                "'{name}' needs the label (the true outcome), and this audit is label-free; pass --label COL to audit outcomes, or gate on a decision metric (selection_rate, impact_ratio, z_test_p_value, shortfall_to_four_fifths, ...)"
            );
        }
        let is_disparity = self
            .attributes
            .iter()
            .any(|a| a.disparities.contains_key(&name));
        let numbers = self.numbers();
        if let Some(end) = end {
            return self.interval_ends(&numbers, scope, &name, end, is_disparity);
        }
        let is_rate =
            RATES.iter().any(|r| r.name() == name) || SCORE_METRICS.contains(&name.as_str());
        let is_group_metric = is_rate
            || GROUP_EXTRA.contains(&name.as_str())
            || self
                .attributes
                .iter()
                .any(|a| a.groups.iter().any(|g| g.metrics.contains_key(&name)));
        if *scope == Scope::Overall {
            if !self
                .inputs
                .iter()
                .any(|i| i.overall.metrics.contains_key(&name))
            {
                let known: Vec<&str> = self
                    .inputs
                    .first()
                    .map(|i| i.overall.metrics.keys().map(String::as_str).collect())
                    .unwrap_or_default();
                bail!(
                    "'{name}' has no overall value; overall: takes one of {}",
                    known.join(", ")
                );
            }
            return Ok(gate::select(&numbers, scope, &name, None, &name));
        }
        if !is_disparity && !is_group_metric {
            bail!(self.unknown(&name));
        }
        self.check_scope(scope, &name, is_disparity, is_group_metric)?;
        if let Scope::Group(attr, wanted) = scope {
            let left_out = self
                .attributes
                .iter()
                .filter(|a| &a.name == attr)
                .flat_map(|a| &a.groups)
                .find(|g| &g.group == wanted && !g.small)
                .and_then(|g| g.excluded.as_deref());
            if let Some(why) = left_out.filter(|_| left_out_skips(&name)) {
                bail!("{attr}={wanted} is left out of the comparisons ({why}): it has no {name} for a gate to check");
            }
        }
        Ok(gate::select(&numbers, scope, &name, None, &name))
    }
}

impl FairnessReport {
    /// `NAME.lower` / `NAME.upper`: the bootstrap interval of a disparity, or the interval of a
    /// group's metric (bootstrap, else Wilson). `overall:` reads as every attribute.
    fn interval_ends(
        &self,
        numbers: &[Number],
        scope: &Scope,
        name: &str,
        end: usize,
        is_disparity: bool,
    ) -> Result<Vec<Observation>> {
        let label = format!("{name}.{}", ["lower", "upper"][end]);
        let scope = if *scope == Scope::Overall {
            &Scope::All
        } else {
            scope
        };
        let group_has = self.attributes.iter().any(|a| {
            a.groups
                .iter()
                .any(|g| g.intervals.contains_key(name) || g.bootstrap.contains_key(name))
        });
        let no_bootstrap = self
            .attributes
            .iter()
            .all(|a| a.disparities_bootstrap.is_empty());
        // A name that is both a disparity and a group metric with its own interval (the impact
        // ratio: Katz's interval per group) reads the groups' intervals without --bootstrap.
        let groups_only = is_disparity && group_has;
        if is_disparity && !matches!(scope, Scope::Group(..)) && !groups_only {
            if no_bootstrap {
                bail!("an interval of the disparity '{name}' needs --bootstrap N");
            }
        } else if !group_has {
            bail!(
                "'{name}' has no interval (Wilson intervals: the per-group rates that are proportions; Katz's: the impact ratio; --bootstrap N: every count-based metric)"
            );
        }
        let group_numbers: Vec<Number>;
        let numbers = if groups_only {
            group_numbers = numbers
                .iter()
                .filter(|n| n.level == Level::Group)
                .cloned()
                .collect();
            &group_numbers[..]
        } else {
            numbers
        };
        let out = gate::select(numbers, scope, name, Some(end), &label);
        if out.is_empty() {
            bail!("no attribute or group matches the scope of '{label}'");
        }
        Ok(out)
    }

    /// A name that is neither a disparity nor a group metric: a suggestion, or why a binary
    /// metric is not in a regression or multiclass audit.
    fn unknown(&self, name: &str) -> String {
        let mut known: Vec<String> = self
            .attributes
            .first()
            .map(|a| a.disparities.keys().cloned().collect())
            .unwrap_or_default();
        known.extend(RATES.iter().map(|r| r.name().to_string()));
        if !self.comparisons.is_empty() {
            known.extend(
                super::paired_view::GROUP_NAMES
                    .iter()
                    .map(|n| n.to_string()),
            );
        }
        if !self.dominance.is_empty() {
            known.extend(DOMINANCE_NAMES.iter().map(|n| n.to_string()));
        }
        if self.suggested_thresholds.is_some() {
            known.extend(super::suggest::GATE_NAMES.iter().map(|n| n.to_string()));
        }
        let hint =
            crate::input::closest_name(name, &known.iter().map(String::as_str).collect::<Vec<_>>())
                .map(|b| format!("; did you mean '{b}'?"))
                .unwrap_or_default();
        // A binary metric asked of a regression or multiclass audit (often one that
        // --task auto chose): say which task ran, why, and how to choose another.
        let binary_name = RATES.iter().any(|r| name.starts_with(r.name()))
            || [
                "demographic_parity",
                "equalized_odds",
                "equal_opportunity",
                "predictive_parity",
                "four_fifths",
                "disparate_impact",
            ]
            .iter()
            .any(|b| name.starts_with(b));
        if binary_name && self.settings.task != "binary" {
            let why = self
                .settings
                .task_detected
                .as_deref()
                .map(|w| format!(" because {w}"))
                .unwrap_or_default();
            return format!(
                "'{name}' is a metric of binary audits, but this audit ran as {}{why}; pass --task binary (a score column: --score COL --threshold T) to audit decisions",
                self.settings.task
            );
        }
        if name.starts_with("quantile_p") {
            return format!(
                "'{name}' is not in this audit: a score quantile needs --score COL and that quantile in --quantiles (e.g. --quantiles 0.05,0.5,0.95 for quantile_p5, quantile_p50, quantile_p95)"
            );
        }
        format!("unknown metric '{name}'{hint} (every name is listed in docs/metrics.md)")
    }

    /// The attribute and group of a scope exist, and a disparity is not asked of one group.
    fn check_scope(
        &self,
        scope: &Scope,
        name: &str,
        is_disparity: bool,
        is_group_metric: bool,
    ) -> Result<()> {
        let wanted_attr = match scope {
            Scope::Attribute(a) | Scope::Group(a, _) => Some(a.as_str()),
            _ => None,
        };
        if let Some(a) = wanted_attr {
            if !self.attributes.iter().any(|x| x.name == a) {
                let names: Vec<&str> = self.attributes.iter().map(|x| x.name.as_str()).collect();
                bail!(
                    "no attribute '{a}' in the report (attributes: {})",
                    names.join(", ")
                );
            }
        }
        let group_scope = matches!(scope, Scope::Group(..));
        for a in self
            .attributes
            .iter()
            .filter(|a| wanted_attr.is_none_or(|w| w == a.name))
        {
            if is_disparity && !group_scope {
                continue;
            }
            if !is_group_metric {
                bail!("'{name}' is a disparity of a whole attribute; drop the '=group' part of the scope");
            }
            if let Scope::Group(_, wanted) = scope {
                if !a.groups.iter().any(|g| &g.group == wanted) {
                    let groups: Vec<&str> = a.groups.iter().map(|g| g.group.as_str()).collect();
                    bail!(
                        "{}: attribute '{}' has no group '{wanted}' (groups: {})",
                        a.file,
                        a.name,
                        groups.join(", ")
                    );
                }
            }
        }
        Ok(())
    }
}
