//! `--baseline`: the audited decisions against a baseline's on the same rows — flips, the
//! change of every metric and disparity (with paired bootstrap intervals), and McNemar's exact
//! test of who is right more often, per group, Holm-corrected within each attribute.
//!
//! Everything here is a function of the joint counts of [`super::paired::Joint`]: the flips are
//! the confusion counts of the (baseline, audited) table, McNemar's discordant pairs those of
//! the (audited right, baseline right) table, so each goes through the ordinary report code and
//! gets the same groups, intersections, exclusions and weights as the audit. Formulas and
//! references: docs/metrics.md, "Baseline comparison".

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::audit;
use super::bootstrap;
use super::paired::{Joint, View};
use super::paired_view::{
    Changes, ComparedAttribute, ComparedGroup, Comparison, FLIP_DENOMINATORS,
};
use super::plan::Pass;
use super::report::{AttributeReport, FairnessReport, GroupReport};
use super::settings::Settings;
use crate::stats::hypothesis::{holm, mcnemar_exact};

/// Settings for the reports built inside the comparison: the same groups and exclusions, no
/// extras (charts, sweeps, presets, gates).
pub(super) fn inner(args: &Settings) -> Settings {
    Settings {
        output: crate::render::Output {
            format: crate::render::ReportFormat::Json,
            plot: None,
            ..args.output.clone()
        },
        sweep: Vec::new(),
        reference: None,
        preset: None,
        distribution: None,
        edf: None,
        top: None,
        gates: Vec::new(),
        bootstrap: 0,
        ..args.clone()
    }
}

/// The comparison of `pass` (the audited input) with its baseline's `joint` table.
pub fn compare(args: &Settings, pass: &Pass, joint: &Joint, label_free: bool) -> Comparison {
    let inner = inner(args);
    let build = |view: View| audit::build(&inner, &[joint.pass(pass, view)]);
    let (cand, base, flips) = (
        build(View::Candidate),
        build(View::Other),
        build(View::Flips),
    );
    let correct = (!label_free).then(|| build(View::Correct));
    let baseline = pass
        .columns
        .others
        .iter()
        .find(|o| o.role == "baseline")
        .map(|o| match &o.file {
            Some(f) => format!("{} ({f})", o.column),
            None => o.column.clone(),
        })
        .unwrap_or_default();
    let mut out = Comparison {
        file: pass.source.display.clone(),
        baseline,
        rows_compared: joint.rows(),
        rows_left_out: joint.missing,
        flip_denominators: FLIP_DENOMINATORS.into(),
        holm_family: "the groups of one attribute (or intersection); overall: none".into(),
        overall: overall_group(&cand, &base, &flips, correct.as_ref(), label_free),
        attributes: Vec::new(),
    };
    for (i, a) in cand.attributes.iter().enumerate() {
        let (b, f) = (&base.attributes[i], &flips.attributes[i]);
        let c = correct.as_ref().map(|c| &c.attributes[i]);
        out.attributes.push(attribute(a, b, f, c, label_free));
    }
    if args.bootstrap > 0 {
        attach_bootstrap(&mut out, args, pass, joint, &inner);
    }
    if label_free {
        // Only what the decisions alone define (as the audit does).
        let keep = |k: &str| !super::label_free::needs_label(k);
        let groups = out
            .attributes
            .iter_mut()
            .flat_map(|a| a.groups.iter_mut())
            .chain(std::iter::once(&mut out.overall));
        for g in groups {
            g.changes.retain(&mut g.undefined, keep);
        }
        for a in &mut out.attributes {
            a.changes.retain(&mut a.undefined, keep);
        }
    }
    out
}

fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

/// `a − b` of every metric either map has; undefined (with the reason) where a side is.
fn deltas(
    a: &Map<String, Json>,
    a_why: &Map<String, Json>,
    b: &Map<String, Json>,
    b_why: &Map<String, Json>,
    delta: &mut Map<String, Json>,
    undefined: &mut Map<String, Json>,
) {
    for (k, va) in a {
        let Some(vb) = b.get(k) else { continue };
        // Booleans (e.g. a four-fifths verdict) and texts have no difference.
        if va.is_boolean() || vb.is_boolean() || va.is_string() || vb.is_string() {
            continue;
        }
        match (va.as_f64(), vb.as_f64()) {
            (Some(x), Some(y)) => {
                delta.insert(k.clone(), num(x - y));
            }
            (x, _) => {
                let (side, why) = if x.is_none() {
                    ("audited", a_why.get(k))
                } else {
                    ("baseline", b_why.get(k))
                };
                let why = why.and_then(Json::as_str).unwrap_or("undefined");
                delta.insert(k.clone(), Json::Null);
                undefined.insert(format!("delta.{k}"), format!("{side}: {why}").into());
            }
        }
    }
}

/// Flip figures of a group of the (baseline, audited) table: its false positives are the
/// negative → positive flips, its false negatives the positive → negative ones.
fn flip_figures(g: &mut ComparedGroup, tn: f64, fp: f64, fn_: f64, tp: f64) {
    let total = tn + fp + fn_ + tp;
    g.flips = fp + fn_;
    g.positive_to_negative = fn_;
    g.negative_to_positive = fp;
    g.baseline_positives = fn_ + tp;
    g.baseline_negatives = tn + fp;
    let mut put = |name: &str, num_: f64, den: f64, why: &str| {
        if den > 0.0 {
            g.metrics.insert(name.into(), num(num_ / den));
        } else {
            g.metrics.insert(name.into(), Json::Null);
            g.undefined.insert(name.into(), why.into());
        }
    };
    put("flip_rate", fp + fn_, total, "no rows (0/0)");
    put(
        "positive_to_negative_rate",
        fn_,
        fn_ + tp,
        "the baseline has no positive decisions in the group (0/0)",
    );
    put(
        "negative_to_positive_rate",
        fp,
        tn + fp,
        "the baseline has no negative decisions in the group (0/0)",
    );
    put("positive_to_negative_share", fn_, total, "no rows (0/0)");
    put("negative_to_positive_share", fp, total, "no rows (0/0)");
}

fn empty_group(name: &str, n: u64) -> ComparedGroup {
    ComparedGroup {
        group: name.into(),
        n,
        flips: 0.0,
        positive_to_negative: 0.0,
        negative_to_positive: 0.0,
        baseline_positives: 0.0,
        baseline_negatives: 0.0,
        only_audited_correct: None,
        only_baseline_correct: None,
        metrics: Map::new(),
        changes: Changes::default(),
        undefined: Map::new(),
    }
}

/// McNemar's exact p-value from the (audited right, baseline right) table's row counts: the
/// discordant pairs are its false negatives (only the audited right) and false positives.
fn mcnemar(g: &mut ComparedGroup, rows: Option<[u64; 2]>, label_free: bool) {
    match rows {
        Some([only_audited, only_baseline]) => {
            g.only_audited_correct = Some(only_audited);
            g.only_baseline_correct = Some(only_baseline);
            g.metrics.insert(
                "mcnemar_p_value".into(),
                num(mcnemar_exact(only_audited, only_baseline)),
            );
        }
        None => {
            g.metrics.insert("mcnemar_p_value".into(), Json::Null);
            g.undefined.insert(
                "mcnemar_p_value".into(),
                if label_free {
                    "needs the label: who is right is unknown in a label-free audit"
                } else {
                    "no rows"
                }
                .into(),
            );
        }
    }
}

fn group(
    c: &GroupReport,
    b: &GroupReport,
    f: &GroupReport,
    r: Option<&GroupReport>,
    label_free: bool,
) -> ComparedGroup {
    let mut g = empty_group(&c.group, c.n);
    if let Some(k) = &f.counts {
        flip_figures(&mut g, k.tn, k.fp, k.fn_, k.tp);
    }
    mcnemar(
        &mut g,
        r.and_then(|r| r.rows.as_ref()).map(|k| [k.fn_, k.fp]),
        label_free,
    );
    deltas(
        &c.metrics,
        &c.undefined,
        &b.metrics,
        &b.undefined,
        &mut g.changes.delta,
        &mut g.undefined,
    );
    g.changes.baseline = b.metrics.clone();
    g
}

fn overall_group(
    cand: &FairnessReport,
    base: &FairnessReport,
    flips: &FairnessReport,
    correct: Option<&FairnessReport>,
    label_free: bool,
) -> ComparedGroup {
    let (c, b, f) = (&cand.inputs[0], &base.inputs[0], &flips.inputs[0]);
    let mut g = empty_group("(overall)", c.overall.n);
    if let Some(k) = &f.overall.counts {
        flip_figures(&mut g, k.tn, k.fp, k.fn_, k.tp);
    }
    // The overall row counts of the (audited right, baseline right) table: the sum over the
    // first attribute's groups (every row is in exactly one of them).
    let rows = correct.and_then(|r| {
        let a = r.attributes.first()?;
        let mut k = [0u64; 2];
        for g in &a.groups {
            let rc = g.rows.as_ref()?;
            k[0] += rc.fn_;
            k[1] += rc.fp;
        }
        Some(k)
    });
    mcnemar(&mut g, rows, label_free);
    g.metrics.insert("mcnemar_p_value_holm".into(), Json::Null);
    g.undefined.insert(
        "mcnemar_p_value_holm".into(),
        "the overall test is in no Holm family (the families are the groups of each attribute)"
            .into(),
    );
    deltas(
        &c.overall.metrics,
        &c.overall.undefined,
        &b.overall.metrics,
        &b.overall.undefined,
        &mut g.changes.delta,
        &mut g.undefined,
    );
    g.changes.baseline = b.overall.metrics.clone();
    g
}

fn attribute(
    a: &AttributeReport,
    b: &AttributeReport,
    f: &AttributeReport,
    c: Option<&AttributeReport>,
    label_free: bool,
) -> ComparedAttribute {
    // The views have the same cells, so the same groups; matched by name all the same.
    let find = |a: &'_ AttributeReport, name: &str| a.groups.iter().position(|g| g.group == name);
    let mut groups: Vec<ComparedGroup> = a
        .groups
        .iter()
        .filter_map(|g| {
            let (bi, fi) = (find(b, &g.group)?, find(f, &g.group)?);
            let ci = c.and_then(|c| Some(&c.groups[find(c, &g.group)?]));
            Some(group(g, &b.groups[bi], &f.groups[fi], ci, label_free))
        })
        .collect();
    // Holm within the attribute, over the groups with a p-value.
    let defined: Vec<(usize, f64)> = groups
        .iter()
        .enumerate()
        .filter_map(|(i, g)| Some((i, g.metrics.get("mcnemar_p_value")?.as_f64()?)))
        .collect();
    let adjusted = holm(&defined.iter().map(|d| d.1).collect::<Vec<_>>());
    for g in &mut groups {
        g.metrics.insert("mcnemar_p_value_holm".into(), Json::Null);
        let why = g
            .undefined
            .get("mcnemar_p_value")
            .cloned()
            .unwrap_or_else(|| "no p-value".into());
        g.undefined.insert("mcnemar_p_value_holm".into(), why);
    }
    for ((i, _), p) in defined.iter().zip(adjusted) {
        groups[*i]
            .metrics
            .insert("mcnemar_p_value_holm".into(), num(p));
        groups[*i].undefined.remove("mcnemar_p_value_holm");
    }
    let mut out = ComparedAttribute {
        name: a.name.clone(),
        class: a.class.clone(),
        groups,
        changes: Changes {
            baseline: b.disparities.clone(),
            ..Changes::default()
        },
        undefined: Map::new(),
    };
    deltas(
        &a.disparities,
        &a.undefined,
        &b.disparities,
        &b.undefined,
        &mut out.changes.delta,
        &mut out.undefined,
    );
    out
}

/// Paired percentile intervals of every change: each replicate redraws the joint table
/// ([`Joint::resample`]), so a row's two decisions stay together, and takes the difference
/// of the two sides' numbers.
fn attach_bootstrap(
    out: &mut Comparison,
    args: &Settings,
    pass: &Pass,
    joint: &Joint,
    inner: &Settings,
) {
    // Every number of a report the changes cover: the bootstrap's, and the overall metrics.
    let numbers = |r: &FairnessReport| {
        let mut out = bootstrap::numbers(r);
        for (k, v) in &r.inputs[0].overall.metrics {
            if let Some(x) = v.as_f64() {
                out.push((format!("\u{1f}(overall)\u{1f}{k}"), x));
            }
        }
        out
    };
    let reps = crate::stats::bootstrap::replicates(args.bootstrap, args.seed, |_, rng| {
        let j = joint.resample(rng);
        let c = numbers(&audit::build(inner, &[j.pass(pass, View::Candidate)]));
        let b: BTreeMap<String, f64> = numbers(&audit::build(inner, &[j.pass(pass, View::Other)]))
            .into_iter()
            .collect();
        c.into_iter()
            .filter_map(|(k, x)| Some((k.clone(), x - b.get(&k)?)))
            .collect::<Vec<_>>()
    });
    let mut samples: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for rep in reps {
        for (k, v) in rep {
            samples.entry(k).or_default().push(v);
        }
    }
    let file = &pass.source.display;
    let mut interval = |key: String| -> Option<Json> {
        let v = samples.get_mut(&key)?;
        let (lo, hi) = crate::stats::bootstrap::percentile_interval(v, args.ci);
        Some(Json::Array(vec![num(lo), num(hi)]))
    };
    let overall = &mut out.overall;
    for (k, v) in &overall.changes.delta {
        if v.is_null() {
            continue;
        }
        if let Some(iv) = interval(format!("\u{1f}(overall)\u{1f}{k}")) {
            overall.changes.delta_bootstrap.insert(k.clone(), iv);
        }
    }
    for a in &mut out.attributes {
        for g in &mut a.groups {
            for (k, v) in &g.changes.delta {
                if v.is_null() {
                    continue;
                }
                let key = format!("{file}\u{1f}{}\u{1f}{}\u{1f}{k}", a.name, g.group);
                if let Some(iv) = interval(key) {
                    g.changes.delta_bootstrap.insert(k.clone(), iv);
                }
            }
        }
        for (k, v) in &a.changes.delta {
            if v.is_null() {
                continue;
            }
            if let Some(iv) = interval(format!("{file}\u{1f}{}\u{1f}\u{1f}{k}", a.name)) {
                a.changes.delta_bootstrap.insert(k.clone(), iv);
            }
        }
    }
}
