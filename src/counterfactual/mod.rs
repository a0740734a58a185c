//! `fairaudit audit-counterfactual`: rows that differ only in a sensitive term, each variant row
//! paired with its id's original ([`load`]) → flips, answer changes, score differences,
//! counterfactual parity and accuracy per variant value, attribute and overall ([`pairs`]); or
//! the distribution of a generated attribute per prompt against a target ([`distribution`]).
//! The shared measures are `stats::counterfactual`. [`report`] holds the model, its flat view,
//! gates and renderers; [`html`] the page; [`settings`] what the command line asked for.

pub mod distribution;
pub mod figures;
pub mod html;
pub mod load;
pub mod pairs;
pub mod report;
pub mod settings;

pub use settings::Settings;

use std::collections::BTreeMap as HashMap;

use anyhow::Result;
use serde_json::{json, Map, Value as Json};

use crate::gate::Level;
use crate::render::{Dropped, Rendered, SideFile, Warning};
use report::{
    AttributeReport, CounterfactualReport, DistributionReport, InputInfo, PairsReport, ValueReport,
};
use settings::{Measure, Mode};

/// Runs the audit: read, compute, bootstrap, gate, render.
pub fn run(s: &Settings) -> Result<Rendered> {
    let gates = crate::gate::parse_all(&s.output.fail_if)?;
    let source = crate::input::source_with(&s.file, &s.read)?;
    let mut model = CounterfactualReport {
        schema_version: crate::render::SCHEMA_VERSION,
        command: "audit-counterfactual".into(),
        fairaudit_version: env!("CARGO_PKG_VERSION").into(),
        settings: shown_settings(s),
        input: InputInfo {
            path: source.display.clone(),
            rows: 0,
            columns: Map::new(),
            dropped: Vec::new(),
            matching: None,
        },
        pairs: None,
        distribution: None,
        warnings: Vec::new(),
        gates: Vec::new(),
        passed: true,
        plots: Vec::new(),
        side_files: Vec::new(),
    };
    match &s.mode {
        Mode::Pairs(ps) => {
            let data = load::pairs(&source, ps)?;
            model.input.rows = data.rows;
            model.input.columns = columns(&data.columns);
            model.input.dropped = Dropped::list(&data.dropped);
            model.input.matching = Some(data.matching.clone());
            let unmatched =
                data.matching.ids_without_original + data.matching.ids_with_several_originals;
            for note in &data.notes {
                model
                    .warnings
                    .push(Warning::new(&source.display, None, note.clone()));
            }
            if unmatched > 0 {
                model.warnings.push(Warning::new(
                    &source.display,
                    None,
                    format!(
                        "{unmatched} {} left out: {} no original row or several (input.matching)",
                        if unmatched == 1 { "id" } else { "ids" },
                        if unmatched == 1 {
                            "it has"
                        } else {
                            "they have"
                        }
                    ),
                ));
            }
            if data.duplicate_variants > 0 {
                let n = data.duplicate_variants;
                model.warnings.push(Warning::new(
                    &source.display,
                    None,
                    format!(
                        "{n} variant {} an id's value already seen (e.g. {}): each such row is \
                         one more pair in the flip, Δ and answer figures, and counterfactual \
                         parity uses the id's first row of the value; give each id one row per \
                         value",
                        if n == 1 { "row repeats" } else { "rows repeat" },
                        data.sample_duplicates.join(", ")
                    ),
                ));
            }
            if data.answers_emptied > 0 {
                model.warnings.push(Warning::new(
                    &source.display,
                    None,
                    format!(
                        "{} answers or labels normalise to nothing under --answer-normalization {} \
                         (SQuAD's rule drops the articles a / an / the, so the option letter 'A' \
                         is erased and equals any other erased text); for option letters use \
                         --answer-normalization lower",
                        data.answers_emptied,
                        json!(ps.answer_normalization).as_str().unwrap_or_default()
                    ),
                ));
            }
            let computed = pairs::compute(&data, ps, &data.pairs, data.ids.len());
            model.pairs = Some(pairs_report(ps, computed));
            if s.bootstrap > 0 {
                let by_id = group_by_id(&data.pairs, data.ids.len());
                let reps = crate::stats::bootstrap::replicates(s.bootstrap, s.seed, |_, rng| {
                    use rand::Rng;
                    let mut drawn = Vec::with_capacity(data.pairs.len());
                    let n = by_id.len();
                    for k in 0..n {
                        let id = rng.random_range(0..n);
                        for &pi in &by_id[id] {
                            let mut p = data.pairs[pi];
                            p.id = k as u32;
                            drawn.push(p);
                        }
                    }
                    let c = pairs::compute(&data, ps, &drawn, n);
                    flat(&CounterfactualReport {
                        pairs: Some(pairs_report(ps, c)),
                        ..empty()
                    })
                });
                attach(&mut model, reps, s.confidence);
            }
            if let Some(path) = &ps.export_changed {
                model.side_files.push(SideFile {
                    path: path.clone(),
                    text: pairs::export_changed(&data, ps)?,
                    make_dir: false,
                });
            }
        }
        Mode::Distribution(ds) => {
            let data = load::distribution(&source, ds)?;
            model.input.rows = data.rows;
            model.input.columns = columns(&data.columns);
            model.input.dropped = Dropped::list(&data.dropped);
            for note in &data.notes {
                model
                    .warnings
                    .push(Warning::new(&source.display, None, note.clone()));
            }
            let observed: Vec<bool> = {
                let mut seen = vec![false; data.values.len()];
                for d in data.draws.iter().flatten() {
                    seen[*d as usize] = true;
                }
                seen
            };
            let (target, target_source) = match &ds.target {
                Some(t) => (
                    data.values
                        .iter()
                        .map(|v| t.iter().find(|(k, _)| k == v).map_or(0.0, |x| x.1))
                        .collect::<Vec<f64>>(),
                    "--target".to_string(),
                ),
                None => {
                    let k = data.values.len() as f64;
                    (
                        vec![1.0 / k; data.values.len()],
                        "uniform over the observed values".to_string(),
                    )
                }
            };
            // Against a uniform target over one observed value every distance is 0 by
            // construction: undefined, not "no bias".
            let undefined = (ds.target.is_none() && data.values.len() == 1).then(|| {
                format!(
                    "one value observed ('{}'): the distance from a uniform target over one value is 0 by construction; give --target",
                    data.values[0]
                )
            });
            if let Some(why) = &undefined {
                model
                    .warnings
                    .push(Warning::new(&source.display, None, why.clone()));
            }
            if let Some(t) = &ds.target {
                let missing: Vec<&str> = data
                    .values
                    .iter()
                    .filter(|v| !t.iter().any(|(k, _)| k == *v))
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    model.warnings.push(Warning::new(
                        &source.display,
                        None,
                        format!(
                            "--target gives no share to {} (observed): the target is 0 there and the KL divergence undefined",
                            missing.join(", ")
                        ),
                    ));
                }
                // Target values no row has.
                for (i, v) in data.values.iter().enumerate() {
                    if observed[i] || !t.iter().any(|(k, _)| k == v) {
                        continue;
                    }
                    let like: Vec<&str> = data
                        .values
                        .iter()
                        .zip(&observed)
                        .filter(|(o, seen)| **seen && o.to_lowercase() == v.to_lowercase())
                        .map(|(o, _)| o.as_str())
                        .collect();
                    model.warnings.push(Warning::new(
                        &source.display,
                        None,
                        if like.is_empty() {
                            format!(
                                "--target value '{v}' occurs on no row: its observed share is 0 everywhere; check the spelling"
                            )
                        } else {
                            format!(
                                "--target value '{v}' occurs on no row, but '{}' does: values are compared exactly (case included); write --target with the file's spelling",
                                like.join("', '")
                            )
                        },
                    ));
                }
            }
            let c = distribution::compute(
                &data.prompts,
                &data.draws,
                &data.missing,
                &target,
                undefined.as_deref(),
            );
            let report = |c: distribution::Computed| DistributionReport {
                column: data.columns[0].1.clone(),
                values: data.values.clone(),
                target: target.clone(),
                target_source: target_source.clone(),
                prompts: c.prompts,
                pooled: c.pooled,
                mean_over_prompts: c.mean_over_prompts,
            };
            model.distribution = Some(report(c));
            if s.bootstrap > 0 {
                let reps = crate::stats::bootstrap::replicates(s.bootstrap, s.seed, |_, rng| {
                    use rand::Rng;
                    let draws: Vec<Vec<u32>> = data
                        .draws
                        .iter()
                        .map(|d| {
                            (0..d.len())
                                .map(|_| d[rng.random_range(0..d.len())])
                                .collect()
                        })
                        .collect();
                    let c = distribution::compute(
                        &data.prompts,
                        &draws,
                        &data.missing,
                        &target,
                        undefined.as_deref(),
                    );
                    flat(&CounterfactualReport {
                        distribution: Some(report(c)),
                        ..empty()
                    })
                });
                attach(&mut model, reps, s.confidence);
            }
        }
    }
    for (file, note) in crate::input::take_notes() {
        model.warnings.insert(0, Warning::new(&file, None, note));
    }
    let verdicts = crate::gate::evaluate(&gates, &model)?;
    model.passed = verdicts.iter().all(|g| g.passed);
    model.gates = verdicts;
    let figures = crate::render::html::figures(&s.output, || html::page(&model))?;
    model.plots = figures.plots;
    let mut rendered = report::render(&model, s.output.format, figures.page.as_ref())?;
    rendered.side_files = std::mem::take(&mut model.side_files);
    rendered.side_files.extend(figures.side_files);
    Ok(rendered)
}

fn empty() -> CounterfactualReport {
    CounterfactualReport {
        schema_version: 0,
        command: String::new(),
        fairaudit_version: String::new(),
        settings: Map::new(),
        input: InputInfo {
            path: String::new(),
            rows: 0,
            columns: Map::new(),
            dropped: Vec::new(),
            matching: None,
        },
        pairs: None,
        distribution: None,
        warnings: Vec::new(),
        gates: Vec::new(),
        passed: true,
        plots: Vec::new(),
        side_files: Vec::new(),
    }
}

fn columns(cols: &[(String, String)]) -> Map<String, Json> {
    cols.iter()
        .map(|(k, v)| (k.clone(), Json::String(v.clone())))
        .collect()
}

fn group_by_id(pairs: &[load::Pair], n: usize) -> Vec<Vec<usize>> {
    let mut out = vec![Vec::new(); n];
    for (i, p) in pairs.iter().enumerate() {
        out[p.id as usize].push(i);
    }
    out
}

/// The report's pairs section from computed figures.
fn pairs_report(ps: &settings::PairSettings, c: pairs::Computed) -> PairsReport {
    let (measure, thresholds) = match &ps.measure {
        Measure::Pred(_) => ("pred", Vec::new()),
        Measure::Score { thresholds, .. } => ("score", thresholds.clone()),
        Measure::Answer(_) => ("answer", Vec::new()),
    };
    let mut denominators = Map::new();
    if !matches!(ps.measure, Measure::Answer(_)) {
        for (k, v) in [
            ("flip_rate", "flips / pairs with both decisions"),
            ("positive_to_negative_rate", "original positive, variant negative / pairs whose original decision is positive (fairaudit --baseline)"),
            ("negative_to_positive_rate", "original negative, variant positive / pairs whose original decision is negative (fairaudit --baseline)"),
            ("positive_to_negative_share", "original positive, variant negative / all pairs with both decisions (TFMA flip_metrics.py)"),
            ("negative_to_positive_share", "original negative, variant positive / all pairs with both decisions (TFMA flip_metrics.py)"),
        ] {
            denominators.insert(k.into(), json!(v));
        }
    } else {
        denominators.insert(
            "answer_change_rate".into(),
            json!("pairs whose normalised answers differ / pairs with both answers"),
        );
    }
    PairsReport {
        measure: measure.into(),
        thresholds,
        denominators,
        overall: c.overall,
        attributes: c
            .attributes
            .into_iter()
            .map(|a| AttributeReport {
                attribute: a.attribute,
                figures: a.figures,
                values: a
                    .values
                    .into_iter()
                    .map(|(value, figures)| ValueReport { value, figures })
                    .collect(),
                parity: a.parity,
            })
            .collect(),
    }
}

/// Key of a number in the flat view.
type Key = (Level, Option<String>, Option<String>, String);

fn flat(r: &CounterfactualReport) -> HashMap<Key, f64> {
    r.numbers()
        .into_iter()
        .filter_map(|n| {
            n.value
                .ok()
                .map(|v| ((n.level, n.attribute, n.group, n.metric), v))
        })
        .collect()
}

/// Counts and p-values are not given intervals (they describe the sample, not an estimate).
fn has_interval(name: &str) -> bool {
    !report::has_no_interval(name)
}

/// Percentile intervals of every number from the replicates' flat views; a number undefined in
/// some replicate, or in the sample itself, has no interval (with the reason).
fn attach(model: &mut CounterfactualReport, reps: Vec<HashMap<Key, f64>>, level: f64) {
    let places: Vec<report::Place> = model.scopes().into_iter().map(|(p, _)| p).collect();
    let n = reps.len();
    for (place, figs) in places.into_iter().zip(model.scopes_mut()) {
        for f in &mut figs.list {
            if !has_interval(&f.name) {
                continue;
            }
            if f.value.is_err() {
                // Shown as `undefined["NAME.interval"]`, and a gate on an end fails as undefined.
                f.interval = Some(Err("the estimate itself is undefined".into()));
                continue;
            }
            let key: Key = (
                place.level,
                place.attribute.clone(),
                place.group.clone(),
                f.name.clone(),
            );
            let mut vals: Vec<f64> = reps.iter().filter_map(|r| r.get(&key).copied()).collect();
            f.interval = Some(if vals.len() == n {
                let (lo, hi) = crate::stats::bootstrap::percentile_interval(&mut vals, level);
                Ok([lo, hi])
            } else {
                Err(format!("undefined in {} of {n} replicates", n - vals.len()))
            });
        }
    }
}

/// The settings block of the report.
fn shown_settings(s: &Settings) -> Map<String, Json> {
    let mut m = Map::new();
    match &s.mode {
        Mode::Pairs(p) => {
            m.insert("mode".into(), json!("pairs"));
            m.insert("id".into(), json!(p.id));
            m.insert("variant".into(), json!(p.variant));
            m.insert("original".into(), json!(p.original));
            m.insert("attribute".into(), json!(p.attribute));
            m.insert(
                p.measure.flag().trim_start_matches("--").into(),
                json!(p.measure.column()),
            );
            if let Measure::Score { thresholds, .. } = &p.measure {
                m.insert("thresholds".into(), json!(thresholds));
                m.insert("epsilon".into(), json!(p.epsilon));
                m.insert("parity_threshold".into(), json!(p.parity_threshold));
            }
            if let Measure::Answer(_) = &p.measure {
                m.insert("answer_normalization".into(), json!(p.answer_normalization));
            }
            m.insert("label".into(), json!(p.label));
            m.insert(
                "max_unmatched".into(),
                match p.max_unmatched {
                    settings::Unmatched::Ids(n) => json!(n),
                    settings::Unmatched::Share(x) => json!(format!("{}%", x * 100.0)),
                },
            );
        }
        Mode::Distribution(d) => {
            m.insert("mode".into(), json!("distribution"));
            m.insert("distribution".into(), json!(d.column));
            m.insert("prompt".into(), json!(d.prompt));
            m.insert(
                "target".into(),
                match &d.target {
                    Some(t) => Json::Object(t.iter().map(|(k, v)| (k.clone(), json!(v))).collect()),
                    None => json!("uniform"),
                },
            );
        }
    }
    m.insert("bootstrap".into(), json!(s.bootstrap));
    if s.bootstrap > 0 {
        m.insert("seed".into(), json!(s.seed));
        m.insert("confidence".into(), json!(s.confidence));
    }
    m
}
