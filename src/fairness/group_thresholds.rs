//! `--group-thresholds ATTR=G1:T1,G2:T2` (or `@FILE`): a threshold per group of one attribute
//! instead of the one `--threshold`. The pass keeps the scored rows (`Stats::scored`); each
//! cell's confusion counts are recounted with the decision `score >= t_g`, g the row's group of
//! ATTR (as `sweep::at_thresholds` does with one threshold for all), so every metric,
//! disparity, gate and format works unchanged. Rows without a score are dropped by the pass as
//! with `--threshold`.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{bail, Context, Result};

use super::plan::Pass;
use super::settings::{Settings, Task};
use super::stats::Cell;
use super::suggest::{Choice, CurvePoint, GroupView, Mixed, Outcome, SuggestView, CURVE_STEPS};
use super::thresholds::{
    self as th, Constraint, Curve, Objective, ObjectiveKind, Picks, SuggestSpec,
};
use super::thresholds::{GroupThreshold, GroupThresholds};
use crate::render::Warning;
use serde_json::Map;

/// A threshold as written: a number, or `inf` / `none` / `∞` (nobody selected: what
/// `--suggest-thresholds` reports as `null`).
fn threshold_value(t: &str) -> Option<f64> {
    match t.to_ascii_lowercase().as_str() {
        "none" | "null" | "∞" | "+∞" => Some(f64::INFINITY),
        other => other.parse().ok(),
    }
}

/// Parses `ATTR=G1:T1,G2:T2,...` or `@FILE`: a CSV file with the header
/// `attribute,group,threshold` and one row per group (one attribute). A group name is
/// everything before the last `:` of its item (inline names cannot hold a comma; the file's can).
pub fn parse(spec: &str) -> Result<GroupThresholds> {
    const FLAG: &str = "--group-thresholds";
    let check = |group: &str, t: f64, at: &str| -> Result<GroupThreshold> {
        // `inf` (nobody selected, as --suggest-thresholds may suggest) is a threshold; NaN and
        // -inf are not.
        if t.is_nan() || t == f64::NEG_INFINITY {
            bail!("{FLAG} {at}: the threshold of group '{group}' must be a number (or inf / none: nobody selected)");
        }
        Ok(GroupThreshold {
            group: group.to_string(),
            threshold: t,
        })
    };
    let out = if let Some(path) = spec.strip_prefix('@') {
        let mut r = csv::Reader::from_path(Path::new(path))
            .with_context(|| format!("{FLAG} @{path}: cannot open the file"))?;
        let header: Vec<String> = r
            .headers()
            .with_context(|| format!("{FLAG} @{path}: cannot read the header"))?
            .iter()
            .map(|h| h.trim().to_lowercase())
            .collect();
        if header != ["attribute", "group", "threshold"] {
            bail!(
                "{FLAG} @{path}: the header must be `attribute,group,threshold` (got `{}`)",
                header.join(",")
            );
        }
        let mut attribute: Option<String> = None;
        let mut thresholds = Vec::new();
        for (i, rec) in r.records().enumerate() {
            let line = i + 2;
            let rec = rec.with_context(|| {
                format!("{FLAG} @{path} line {line}: not a CSV row of 3 fields")
            })?;
            let at = format!("@{path} line {line}");
            let (a, g, t) = (&rec[0], &rec[1], rec[2].trim());
            match &attribute {
                None => attribute = Some(a.to_string()),
                Some(x) if x != a => bail!("{FLAG} {at}: attribute '{a}', but the file's first row has '{x}'; one attribute per file"),
                _ => {}
            }
            let t: f64 = threshold_value(t).ok_or_else(|| {
                anyhow::anyhow!(
                    "{FLAG} {at}: threshold '{t}' is not a number (or inf / none: nobody selected)"
                )
            })?;
            thresholds.push(check(g, t, &at)?);
        }
        let Some(attribute) = attribute else {
            bail!("{FLAG} @{path}: no rows after the header");
        };
        GroupThresholds {
            attribute,
            thresholds,
        }
    } else {
        let Some((attribute, items)) = spec.split_once('=') else {
            bail!("{FLAG} '{spec}': expected ATTR=GROUP:T,GROUP:T (e.g. race=Black:0.42,White:0.51) or @FILE");
        };
        let mut thresholds = Vec::new();
        for item in items.split(',') {
            let Some((g, t)) = item.rsplit_once(':') else {
                bail!("{FLAG} '{spec}': '{item}' is not GROUP:THRESHOLD");
            };
            let t: f64 = threshold_value(t.trim()).ok_or_else(|| {
                anyhow::anyhow!("{FLAG} '{spec}': threshold '{t}' of group '{g}' is not a number (or inf / none: nobody selected)")
            })?;
            thresholds.push(check(g, t, &format!("'{spec}'"))?);
        }
        GroupThresholds {
            attribute: attribute.trim().to_string(),
            thresholds,
        }
    };
    let mut seen = std::collections::BTreeSet::new();
    for t in &out.thresholds {
        if !seen.insert(t.group.as_str()) {
            bail!("{FLAG}: group '{}' is given twice", t.group);
        }
    }
    Ok(out)
}

/// Recounts every pass with its group's threshold. Errors (exit 2) name the groups of the data
/// without a threshold, with the closest given name.
pub fn apply(
    args: &Settings,
    passes: Vec<Pass>,
) -> Result<(Vec<Pass>, Vec<crate::render::Warning>)> {
    let Some(spec) = &args.group_thresholds else {
        return Ok((passes, Vec::new()));
    };
    let mut warnings = Vec::new();
    let mut out = Vec::new();
    for mut p in passes {
        let file = p.source.display.clone();
        if p.task != Task::Binary {
            bail!("{file}: --group-thresholds makes binary decisions from --score; this is a {} audit", p.task.name());
        }
        if p.columns.score.is_none() || p.columns.threshold.is_none() {
            bail!("{file}: --group-thresholds thresholds the --score column; pass --score COL (and no --pred)");
        }
        let a = args
            .groups
            .iter()
            .position(|g| *g == spec.attribute)
            .or_else(|| {
                p.columns
                    .groups
                    .iter()
                    .position(|g| g.eq_ignore_ascii_case(&spec.attribute))
            })
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--group-thresholds: '{}' is not a --group attribute (attributes: {})",
                    spec.attribute,
                    args.groups.join(", ")
                )
            })?;
        let st = &p.stats;
        let names: Vec<String> = st.keys[a].iter().map(|k| k.name()).collect();
        let given: BTreeMap<&str, f64> = spec
            .thresholds
            .iter()
            .map(|t| (t.group.as_str(), t.threshold))
            .collect();
        let given_names: Vec<&str> = given.keys().copied().collect();
        // Groups with rows (a key may be left from rows dropped later).
        let mut present = vec![false; names.len()];
        for c in &st.cells {
            if c.rows.iter().sum::<u64>() > 0 {
                present[c.codes[a] as usize] = true;
            }
        }
        let unknown: Vec<&str> = given_names
            .iter()
            .filter(|g| !names.iter().any(|n| n == *g))
            .copied()
            .collect();
        // A misspelt name is one given that matches no group of the data: each is paired with
        // the data group it is closest to.
        let lacking: Vec<&str> = names
            .iter()
            .enumerate()
            .filter(|(i, n)| present[*i] && !given.contains_key(n.as_str()))
            .map(|(_, n)| n.as_str())
            .collect();
        let guesses: Vec<(&str, &str)> = unknown
            .iter()
            .filter_map(|u| Some((crate::input::closest_name(u, &lacking)?, *u)))
            .collect();
        let missing: Vec<String> = lacking
            .iter()
            .map(|n| match guesses.iter().find(|(m, _)| m == n) {
                Some((_, c)) => {
                    format!("'{n}' ('{c}' is no group of the data: did you mean '{n}'?)")
                }
                None => format!("'{n}'"),
            })
            .collect();
        if !missing.is_empty() {
            bail!(
                "{file}: --group-thresholds gives no threshold for {} of '{}': {}; give every group of the attribute a threshold (given: {})",
                if missing.len() == 1 { "the group" } else { "the groups" },
                spec.attribute,
                missing.join(", "),
                given_names.join(", ")
            );
        }
        if !unknown.is_empty() {
            warnings.push(crate::render::Warning::new(
                &file,
                None,
                format!(
                    "--group-thresholds names groups of '{}' that have no rows here: {}",
                    spec.attribute,
                    unknown.join(", ")
                ),
            ));
        }
        if let Some(r) = st.score_resolution {
            if p.columns.weight.is_some() {
                bail!("{file}: the scores were rounded to {r} and equal rows merged (--score-resolution, or more than 20M scored rows), which loses the row counts of weighted rows that --group-thresholds recounts; drop --weight or --score-resolution, or audit fewer rows");
            }
            warnings.push(crate::render::Warning::new(
                &file,
                None,
                format!("the scores were rounded to {r} (--score-resolution, or more than 20M scored rows): the group thresholds apply to the rounded scores"),
            ));
        }
        let thr: Vec<f64> = names
            .iter()
            .map(|n| {
                let t = given.get(n.as_str()).copied().unwrap_or(f64::INFINITY);
                super::plan::in_precision(t, p.score_type.as_ref())
            })
            .collect();
        let n_cells = st.cells.len();
        let mut rows = vec![[0u64; 4]; n_cells];
        let mut weight = vec![[0.0f64; 4]; n_cells];
        for r in st.scored.iter() {
            let c = r.cell as usize;
            let t = thr[st.cells[c].codes[a] as usize];
            let q = 2 * r.y as usize + usize::from(r.score >= t);
            // Merged records (rounded scores, no weights): the weight is the row count.
            rows[c][q] += if st.score_resolution.is_some() {
                r.w.round() as u64
            } else {
                1
            };
            weight[c][q] += r.w;
        }
        let mut cells: Vec<Cell> = st
            .cells
            .iter()
            .enumerate()
            .map(|(c, cell)| Cell {
                codes: cell.codes.clone(),
                rows: rows[c],
                weight: weight[c],
            })
            .collect();
        cells.retain(|c| c.rows.iter().sum::<u64>() > 0);
        p.stats.cells = cells;
        p.columns.threshold = None;
        let mut used = spec.clone();
        used.attribute = p.columns.groups[a].clone();
        used.thresholds.retain(|t| names.contains(&t.group));
        p.columns.group_thresholds = Some(used);
        out.push(p);
    }
    Ok((out, warnings))
}

/// `--suggest-thresholds`: the view (fairness/suggest.rs) of the search (fairness/thresholds.rs)
/// from the (one) pass's scored rows at the audit's threshold `t0`.
pub fn suggest(
    spec: &SuggestSpec,
    pass: &Pass,
    t0: f64,
    warnings: &mut Vec<Warning>,
) -> Result<SuggestView> {
    let file = &pass.source.display;
    let st = &pass.stats;
    if pass.columns.score.is_none() || pass.columns.prediction.is_some() {
        bail!("{file}: --suggest-thresholds searches thresholds of --score COL; pass it (and no --pred)");
    }
    if pass.columns.label.is_none() {
        bail!("{file}: --suggest-thresholds needs the outcome: pass --label COL (not --no-label)");
    }
    let a = pass
        .columns
        .groups
        .iter()
        .position(|g| *g == spec.attribute)
        .or_else(|| {
            pass.columns
                .groups
                .iter()
                .position(|g| g.eq_ignore_ascii_case(&spec.attribute))
        })
        .ok_or_else(|| {
            anyhow::anyhow!(
                "--suggest-for '{}' is not a --group attribute",
                spec.attribute
            )
        })?;
    let names: Vec<String> = st.keys[a].iter().map(|k| k.name()).collect();
    let mut rows: Vec<Vec<(f64, bool, f64)>> = vec![Vec::new(); names.len()];
    for r in st.scored.iter() {
        rows[st.cells[r.cell as usize].codes[a] as usize].push((r.score, r.y == 1, r.w));
    }
    let merged = st.score_resolution;
    if let Some(r) = merged {
        if pass.columns.weight.is_some() {
            bail!("{file}: the scores were rounded to {r} and equal rows merged, which loses the row counts of weighted rows; drop --weight or --score-resolution, or audit fewer rows");
        }
        warnings.push(Warning::new(file, None, format!("the scores were rounded to {r} (--score-resolution, or more than 20M scored rows): the suggested thresholds are among the rounded scores")));
    }
    let mut order: Vec<usize> = (0..names.len()).filter(|&i| !rows[i].is_empty()).collect();
    order.sort_by(|&x, &y| names[x].cmp(&names[y]));
    let curves: Vec<Curve> = order
        .iter()
        .map(|&i| {
            let mut c = Curve::new(std::mem::take(&mut rows[i]));
            if merged.is_some() {
                c.rows = 0; // filled below from the weights (each merged row weighs 1)
            }
            c
        })
        .collect();
    let group_rows: Vec<u64> = curves
        .iter()
        .map(|c| {
            if merged.is_some() {
                (c.pos + c.neg).round() as u64
            } else {
                c.rows
            }
        })
        .collect();
    let obj = Objective::new(spec.objective, spec.costs, &curves).map_err(|why| {
        anyhow::anyhow!("{file}: --suggest-thresholds: the objective is undefined ({why})")
    })?;
    let c = spec.constraint;
    let reported = |v: f64| if spec.costs.is_some() { -v } else { v };
    let value = |p: &Picks| Some(reported(obj.total(&curves, p)));
    let t0 = super::plan::in_precision(t0, pass.score_type.as_ref());
    let before: Picks = curves.iter().map(|g| vec![(g.index_at(t0), 1.0)]).collect();
    let free = th::unconstrained(&curves, &obj);
    let eps = spec.tolerance;
    let det = th::deterministic(&curves, c, &obj, eps);
    let rand = th::randomized(&curves, c, &obj, eps).ok_or_else(|| {
        anyhow::anyhow!("{file}: --suggest-thresholds: the linear programme of equalized odds did not solve (numerical trouble); try another --tolerance")
    })?;
    let mut undefined = Map::new();
    let left_out: Vec<&str> = curves
        .iter()
        .zip(&order)
        .filter(|(g, _)| !g.constrained(c))
        .map(|(_, &i)| names[i].as_str())
        .collect();
    if !left_out.is_empty() {
        let why = match c {
            Constraint::DemographicParity => "no weight",
            Constraint::EqualOpportunity => "no positives (TPR undefined)",
            Constraint::EqualizedOdds => "no positives or no negatives (TPR or FPR undefined)",
        };
        warnings.push(Warning::new(file, None, format!("--suggest-thresholds: {} of '{}' {} {why}: not constrained, each takes its best threshold alone", left_out.join(", "), spec.attribute, if left_out.len() == 1 { "has" } else { "have" })));
    }
    if curves.iter().filter(|g| g.constrained(c)).count() == 0 {
        undefined.insert(
            "constraint_after".into(),
            "no group has the constrained rate defined".into(),
        );
    }
    let choice = |g: &Curve, mix: &[(usize, f64)]| {
        let [s, t, f] = g.rates(mix);
        Choice {
            thresholds: mix
                .iter()
                .map(|&(k, p)| Mixed {
                    threshold: g.thresholds[k].is_finite().then_some(g.thresholds[k]),
                    probability: p,
                })
                .collect(),
            selection_rate: s,
            true_positive_rate: t,
            false_positive_rate: f,
        }
    };
    let suggested = det.clone().unwrap_or_else(|| rand.clone());
    let groups = curves
        .iter()
        .enumerate()
        .map(|(j, g)| GroupView {
            group: names[order[j]].clone(),
            rows: group_rows[j],
            weight: g.pos + g.neg,
            positives: g.pos,
            constrained: g.constrained(c),
            before: choice(g, &before[j]),
            after: choice(g, &suggested[j]),
            deterministic: det.as_ref().map(|d| choice(g, &d[j])),
            randomized: choice(g, &rand[j]),
        })
        .collect();
    let d_max = th::spread(&curves, &free, c).unwrap_or(0.0);
    let curve = (0..=CURVE_STEPS)
        .map(|i| {
            let e = if d_max > 0.0 {
                d_max * i as f64 / CURVE_STEPS as f64
            } else {
                0.0
            };
            let d = th::deterministic(&curves, c, &obj, e);
            let r = th::randomized(&curves, c, &obj, e);
            CurvePoint {
                tolerance: e,
                deterministic_objective: d.as_ref().and_then(value),
                deterministic_constraint: d.as_ref().and_then(|d| th::spread(&curves, d, c)),
                randomized_objective: r.as_ref().and_then(value),
                randomized_constraint: r.as_ref().and_then(|r| th::spread(&curves, r, c)),
            }
        })
        .take(if d_max > 0.0 { CURVE_STEPS + 1 } else { 1 })
        .collect();
    if det.is_none() {
        undefined.insert(
            "deterministic".into(),
            "equalized odds is searched over randomized thresholds only".into(),
        );
    }
    Ok(SuggestView {
        attribute: pass.columns.groups[a].clone(),
        constraint: c.name().into(),
        objective: match (spec.costs, spec.objective) {
            (Some(_), _) => "expected_cost",
            (None, Some(ObjectiveKind::BalancedAccuracy)) => "balanced_accuracy",
            _ => "accuracy",
        }
        .into(),
        cost_fp: spec.costs.map(|c| c.0),
        cost_fn: spec.costs.map(|c| c.1),
        tolerance: eps,
        threshold_before: t0,
        suggested: if det.is_some() {
            "deterministic"
        } else {
            "randomized"
        }
        .into(),
        objective_before: value(&before),
        constraint_before: th::spread(&curves, &before, c),
        objective_after: value(&suggested),
        constraint_after: th::spread(&curves, &suggested, c),
        unconstrained: Outcome {
            objective: value(&free),
            constraint: th::spread(&curves, &free, c),
        },
        deterministic: det.as_ref().map(|d| Outcome {
            objective: value(d),
            constraint: th::spread(&curves, d, c),
        }),
        randomized: Outcome {
            objective: value(&rand),
            constraint: th::spread(&curves, &rand, c),
        },
        groups,
        curve,
        undefined,
    })
}
