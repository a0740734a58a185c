//! The fairness report as an HTML page (`--format html`) and charts (`--plot DIR`): per
//! attribute, each key rate per group with its interval, the overall value and the parity band
//! around the reference group; the disparities; with `--score` the reliability diagrams and score
//! distributions per group; with a threshold sweep, rate against threshold per group.
//! Every chart is drawn from the report's own numbers, and its table shows them.

use anyhow::Result;
use serde_json::{Map, Value as Json};

use super::report::{AttributeReport, FairnessReport, GroupReport, InputReport, Overall};
use crate::render::chart::{self, Bar, Bars, Histogram, Lines, Mark, Rule, Series};
use crate::render::html::{Cell, Item, Page, Section, Table};

/// The rates charted per group: binary, and regression.
const BINARY_RATES: [(&str, &str); 6] = [
    ("selection_rate", "Selection rate"),
    ("true_positive_rate", "True positive rate"),
    ("false_positive_rate", "False positive rate"),
    ("positive_predictive_value", "Positive predictive value"),
    ("accuracy", "Accuracy"),
    ("roc_auc", "ROC AUC"),
];
const REGRESSION: [(&str, &str); 4] = [
    ("mean_residual", "Mean residual (prediction − label)"),
    ("mean_absolute_error", "Mean absolute error"),
    ("root_mean_squared_error", "Root mean squared error"),
    ("mean_prediction", "Mean prediction"),
];

fn num(m: &Map<String, Json>, k: &str) -> Option<f64> {
    m.get(k).and_then(Json::as_f64)
}

fn why(undefined: &Map<String, Json>, k: &str) -> String {
    undefined
        .get(k)
        .and_then(Json::as_str)
        .unwrap_or("undefined")
        .to_string()
}

fn pair(m: &Map<String, Json>, k: &str) -> Option<(f64, f64)> {
    let a = m.get(k)?.as_array()?;
    Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
}

/// A group's value of `metric`, or why it is undefined ("not computed" when the report has no
/// such metric for the group).
fn group_value(g: &GroupReport, metric: &str) -> Result<f64, String> {
    match g.metrics.get(metric) {
        Some(Json::Number(n)) => n.as_f64().ok_or_else(|| "not a number".to_string()),
        Some(_) => Err(why(&g.undefined, metric)),
        None => Err("not computed".into()),
    }
}

/// A group's value of `metric` as a table cell.
fn value_cell(g: &GroupReport, metric: &str) -> Cell {
    Cell::value(group_value(g, metric))
}

fn small(g: &GroupReport) -> bool {
    g.small || g.n < crate::render::SMALL_SAMPLE
}

/// The page of a fairness report.
pub fn page(r: &FairnessReport) -> Result<Page> {
    let mut sections: Vec<Section> = r.legal.iter().map(legal_section).collect();
    sections.extend(r.inputs.iter().map(overall_section));
    let several = r.inputs.len() > 1;
    for a in &r.attributes {
        let mut s = attribute_section(r, a)?;
        if several {
            // Each file's charts apart: `FILESTEM-race-selection-rate`, headings name the file.
            let stem = std::path::Path::new(&a.file)
                .file_stem()
                .map_or(a.file.clone(), |x| x.to_string_lossy().into_owned());
            s.heading = format!("{} — {}", a.file, s.heading);
            for item in &mut s.items {
                if let Item::Figure(c, _) = item {
                    c.name = chart::slug(&[&stem, &c.name]);
                }
            }
        }
        sections.push(s);
    }
    if !r.thresholds.is_empty() {
        sections.extend(sweep_sections(r)?);
    }
    sections.extend(super::paired_view::sections(&r.comparisons, &r.dominance));
    if let Some(v) = &r.suggested_thresholds {
        sections.push(super::suggest::html_section(v)?);
    }
    Ok(Page {
        command: r.command.clone(),
        subject: r
            .inputs
            .iter()
            .map(|i| i.path.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        passed: r.passed,
        gates: r.gates.clone(),
        inputs: inputs_table(&r.inputs),
        settings: crate::render::html::settings_list(&r.settings),
        warnings: r.warnings.clone(),
        sections,
    })
}

/// `--preset`: the rule's tables (LL144) or the adverse-impact analysis (EEOC), first.
fn legal_section(v: &super::legal::LegalView) -> Section {
    let eeoc = v.preset == "eeoc";
    let scoring = v.rate == "scoring_rate";
    let mut s = Section::new(if eeoc {
        "EEOC adverse impact analysis (Uniform Guidelines)".to_string()
    } else {
        "NYC Local Law 144 bias audit".to_string()
    });
    let rate = if scoring {
        "scoring rate"
    } else {
        "selection rate"
    };
    for t in &v.tables {
        let mut header: Vec<String> = [
            "category",
            "applicants",
            if scoring { "above median" } else { "selected" },
            rate,
            "impact ratio",
        ]
        .map(String::from)
        .to_vec();
        if eeoc {
            header.extend(
                [
                    "z",
                    "z-test p",
                    "Fisher p",
                    "shortfall to parity",
                    "shortfall to 4/5",
                    "4/5 violated",
                    "significant",
                ]
                .map(String::from),
            );
        }
        let rows = t
            .rows
            .iter()
            .map(|row| {
                let opt = |x: Option<f64>, why: &str| match x {
                    Some(v) => Cell::Number(v),
                    None => Cell::Undefined(why.to_string()),
                };
                let mut cells = vec![
                    Cell::text(&row.category),
                    Cell::Amount(row.applicants as f64),
                    Cell::Amount(row.selected as f64),
                    opt(row.rate, "no applicants"),
                    match &row.excluded {
                        Some(why) => Cell::Undefined(format!("excluded: {why}")),
                        None => opt(row.impact_ratio, "undefined (see the attribute's section)"),
                    },
                ];
                if let Some(e) = row.eeoc.as_ref().filter(|_| eeoc) {
                    let why = if t.most_selected_group.as_deref() == Some(&row.category) {
                        "the most-selected group itself (the comparison's reference)"
                    } else {
                        "undefined (see the attribute's section)"
                    };
                    let p = |x: Option<f64>| x.map_or(Cell::Undefined(why.into()), p_cell);
                    cells.extend([
                        opt(e.z_statistic, why),
                        p(e.z_test_p_value),
                        p(e.fisher_exact_p_value),
                        e.shortfall_to_parity.map_or(Cell::Empty, Cell::Amount),
                        e.shortfall_to_four_fifths.map_or(Cell::Empty, Cell::Amount),
                        e.below_four_fifths.map_or(Cell::Empty, Cell::Flag),
                        e.statistically_significant.map_or(Cell::Empty, Cell::Flag),
                    ]);
                }
                cells
            })
            .collect();
        let mut notes = Vec::new();
        if let Some(m) = &t.most_selected_group {
            notes.push(format!(
                "impact ratio = {rate} / the rate of {m}, the highest"
            ));
        }
        if t.unknown > 0 {
            notes.push(format!(
                "{} individuals in an unknown category are not included",
                t.unknown
            ));
        }
        s.items.push(Item::Table(Table {
            caption: format!(
                "{} categories — {}",
                t.attribute.replace('&', " × "),
                t.file
            ),
            header,
            rows,
            notes,
        }));
    }
    for u in &v.inputs {
        if let Some(m) = u.median_score {
            s.items.push(Item::Note(format!(
                "{}: scoring rate = the share of a category scoring above the median score of the full sample ({m}).",
                u.file
            )));
        }
        s.items.push(Item::Note(format!(
            "{}: {} individuals assessed are not included in the calculations because they fall within an unknown category.",
            u.file, u.unknown_individuals
        )));
    }
    s.items.push(Item::Note(format!("Source: {}.", v.source)));
    s
}

/// A p-value cell, written as [`crate::render::fmt_p`] writes it.
fn p_cell(x: f64) -> Cell {
    if crate::render::is_tiny(x) {
        Cell::text(crate::render::fmt_p(Some(x)))
    } else {
        Cell::Number(x)
    }
}

/// Each group against the most-selected group (binary audits): selections, impact ratio with
/// its interval, the significance tests and the shortfalls.
fn adverse_impact_table(a: &AttributeReport) -> Option<Item> {
    let most = a.most_selected_group.as_ref()?;
    // The impact ratio, the tests and the shortfalls, in their report order.
    const KEYS: [&str; 6] = super::adverse_impact::COMPARISONS;
    let rows = a
        .groups
        .iter()
        .map(|g| {
            let mut row = vec![
                Cell::text(&g.group),
                Cell::Amount(g.n as f64),
                g.selected.map_or(Cell::Empty, Cell::Amount),
                json_cell(
                    g.metrics.get("selection_rate"),
                    &g.undefined,
                    "selection_rate",
                ),
            ];
            for k in KEYS {
                let cell = json_cell(g.metrics.get(k), &g.undefined, k);
                row.push(match cell {
                    Cell::Number(x) if k.starts_with("shortfall") => Cell::Amount(x),
                    Cell::Number(x) if k.ends_with("_p_value") => p_cell(x),
                    c => c,
                });
                if k == "disparate_impact_ratio" {
                    row.push(match g.intervals.get(k) {
                        Some(Json::Array(v)) => match (v[0].as_f64(), v[1].as_f64()) {
                            (Some(lo), Some(hi)) => Cell::Interval(lo, hi),
                            _ => Cell::Empty,
                        },
                        _ => Cell::Empty,
                    });
                }
            }
            row
        })
        .collect();
    Some(Item::Table(Table {
        caption: format!("Each group against the most-selected group, {most}"),
        header: [
            "group",
            "n",
            "selected",
            "selection rate",
            "impact ratio",
            "impact ratio interval",
            "z",
            "z-test p",
            "Fisher p",
            "shortfall to parity",
            "shortfall to 4/5",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec![
            "impact ratio interval: Katz's log method at the report's confidence level; shortfall: the selections a group needs to reach the most-selected group's rate (parity) or 4/5 of it".into(),
        ],
    }))
}

/// The `--summary` table (one row per file × attribute) as the page's first section.
pub fn summary_section(s: &crate::render::summary::Summary) -> Section {
    crate::render::summary::section(
        s,
        "Summary: one row per file and attribute",
        "undefined: the reason is in the attribute's section",
    )
}

/// A JSON value as a cell: numbers, booleans, text; `null` undefined with the reason in `undefined`.
fn json_cell(v: Option<&Json>, undefined: &Map<String, Json>, key: &str) -> Cell {
    match v {
        Some(Json::Number(n)) => Cell::opt(n.as_f64()),
        Some(Json::Bool(b)) => Cell::Flag(*b),
        Some(Json::String(s)) => Cell::text(s),
        _ => Cell::Undefined(why(undefined, key)),
    }
}

/// Every overall metric of an input (the whole file, all groups together).
fn overall_section(i: &InputReport) -> Section {
    let mut s = Section::new(format!("Overall — {}", i.path));
    let rows = i
        .overall
        .metrics
        .iter()
        .map(|(k, v)| vec![Cell::text(k), json_cell(Some(v), &i.overall.undefined, k)])
        .collect();
    s.items.push(Item::Table(Table {
        caption: format!("Every metric over all {} rows used", fmt_rows(i.overall.n)),
        header: vec!["metric".into(), "value".into()],
        rows,
        notes: vec![],
    }));
    if let Some(d) = &i.decisions {
        s.items.push(decisions_table(d));
    }
    s
}

/// `--top-k` / `--top-fraction`: each ranking's k, cut-off score, selections and the rows at
/// the cut-off per group.
fn decisions_table(d: &crate::fairness::decisions::Decisions) -> Item {
    let mut header: Vec<String> = Vec::new();
    if let Some(w) = &d.within {
        header.push(w.clone());
    }
    header.extend(
        [
            "rows",
            "k",
            "cut-off score",
            "tie at cut-off",
            "selected",
            "at cut-off",
            "at cut-off, selected",
        ]
        .map(String::from),
    );
    let rows = d
        .rankings
        .iter()
        .map(|r| {
            let mut row = Vec::new();
            if d.within.is_some() {
                row.push(Cell::text(r.within.clone().unwrap_or_default()));
            }
            row.extend([
                Cell::Amount(r.rows as f64),
                Cell::Amount(r.k as f64),
                // Exact: the tie rule turns on this value.
                Cell::text(format!("{}", r.cutoff_score)),
                Cell::Flag(r.tie_at_cutoff),
                Cell::Amount(r.rows_selected as f64),
                Cell::Amount(r.rows_at_cutoff as f64),
                Cell::Amount(r.rows_at_cutoff_selected as f64),
            ]);
            row
        })
        .collect();
    let notes = d
        .rankings
        .iter()
        .filter(|r| !r.at_cutoff_by_group.is_empty())
        .map(|r| {
            let groups = r
                .at_cutoff_by_group
                .iter()
                .map(|g| format!("{} {}: {} of {}", g.attribute, g.group, g.selected, g.rows))
                .collect::<Vec<_>>()
                .join("; ");
            match &r.within {
                Some(w) => format!("At the cut-off in {w}: {groups} selected."),
                None => format!("At the cut-off: {groups} selected."),
            }
        })
        .collect();
    Item::Table(Table {
        caption: format!("Decisions by rank: {}", d.rule_text()),
        header,
        rows,
        notes,
    })
}

fn fmt_rows(n: u64) -> String {
    crate::render::fmt_count(n)
}

/// With --distribution: each group's score-distribution metrics and every pair's KS and W1;
/// with --edf: each group's smoothed probabilities and ε with its pair and outcome.
fn distribution_tables(a: &AttributeReport) -> Vec<Item> {
    let mut out = Vec::new();
    if let Some(v) = &a.distribution {
        let mut keys: Vec<String> = [
            "mean_score",
            "generalized_true_positive_rate",
            "generalized_false_positive_rate",
            "ks_statistic",
            "wasserstein_distance",
        ]
        .iter()
        .filter(|k| a.groups.iter().any(|g| g.metrics.contains_key(**k)))
        .map(|k| k.to_string())
        .collect();
        keys.extend(
            v.quantiles
                .iter()
                .map(|q| crate::fairness::distribution::quantile_name(*q)),
        );
        let mut header = vec!["group".to_string()];
        header.extend(keys.iter().cloned());
        out.push(Item::Table(Table {
            caption: format!("Distribution of {} by group", v.column),
            header,
            rows: a
                .groups
                .iter()
                .map(|g| {
                    let mut row = vec![Cell::text(&g.group)];
                    row.extend(keys.iter().map(|k| value_cell(g, k)));
                    row
                })
                .collect(),
            notes: vec![format!(
                "ks_statistic and wasserstein_distance: the group against the rest of the rows; quantiles: {}",
                v.quantile_method
            )],
        }));
        let opt = |x: Option<f64>| x.map_or(Cell::Undefined("undefined".into()), Cell::Number);
        out.push(Item::Table(Table {
            caption: "Between pairs of groups".into(),
            header: ["group a", "group b", "ks_statistic", "wasserstein_distance"]
                .map(String::from)
                .to_vec(),
            rows: v
                .pairs
                .iter()
                .map(|p| {
                    vec![
                        Cell::text(&p.group_a),
                        Cell::text(&p.group_b),
                        opt(p.ks_statistic),
                        opt(p.wasserstein_distance),
                    ]
                })
                .collect(),
            notes: vec![],
        }));
    }
    if let Some(e) = &a.differential_fairness {
        let attained = match (&e.group_a, &e.group_b, &e.outcome) {
            (Some(x), Some(y), Some(o)) => format!(": ε attained by {x} vs {y}, outcome {o}"),
            _ => String::new(),
        };
        out.push(Item::Table(Table {
            caption: format!(
                "Empirical differential fairness (concentration {}){attained}",
                e.concentration
            ),
            header: ["group", "P(selected)", "P(not selected)"]
                .map(String::from)
                .to_vec(),
            rows: e
                .groups
                .iter()
                .map(|g| {
                    vec![
                        Cell::text(&g.group),
                        Cell::Number(g.selected),
                        Cell::Number(g.not_selected),
                    ]
                })
                .collect(),
            notes: vec![
                "smoothed: (count + concentration / 2) / (group count + concentration)".into(),
            ],
        }));
    }
    out
}

/// The attribute's other numbers, each as a table: every disparity, the reference view, the
/// conditional (stratified) parity, and the cross-group AUCs.
fn extra_tables(a: &AttributeReport) -> Vec<Item> {
    let mut out = adverse_impact_table(a).into_iter().collect::<Vec<_>>();
    out.extend(distribution_tables(a));
    out.push(Item::Table(Table {
        caption: "Every disparity (the --fail-if names)".into(),
        header: vec!["name".into(), "value".into()],
        rows: a
            .disparities
            .iter()
            .map(|(k, v)| vec![Cell::text(k), json_cell(Some(v), &a.undefined, k)])
            .collect(),
        notes: vec![],
    }));
    if let Some(v) = &a.reference {
        let mut rows = Vec::new();
        for g in &a.groups {
            for (m, c) in &g.vs_reference {
                let get = |k: &str| c.get(k);
                let reference = v.groups.get(m).and_then(Json::as_str).unwrap_or("—");
                rows.push(vec![
                    Cell::text(&g.group),
                    Cell::text(m),
                    Cell::text(reference),
                    json_cell(get("ratio"), &Map::new(), "ratio"),
                    json_cell(get("difference"), &Map::new(), "difference"),
                    json_cell(get("parity"), &Map::new(), "parity"),
                    get("p_value")
                        .map_or(Cell::Empty, |p| json_cell(Some(p), &Map::new(), "p_value")),
                ]);
            }
        }
        out.push(Item::Table(Table {
            caption: format!(
                "Against the reference group ({}; parity band {} to {:.4})",
                v.method,
                v.band,
                1.0 / v.band
            ),
            header: [
                "group",
                "metric",
                "reference",
                "ratio",
                "difference",
                "within the band",
                "p-value",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            notes: vec![],
        }));
    }
    if let Some(c) = &a.conditional {
        let groups: Vec<&String> = a.groups.iter().map(|g| &g.group).collect();
        let mut header = vec!["stratum".to_string(), "n".into()];
        header.extend(groups.iter().map(|g| format!("selection rate {g}")));
        header.extend(["difference".into(), "ratio".into()]);
        let rows = c
            .strata
            .iter()
            .map(|st| {
                let mut row = vec![Cell::text(&st.stratum), Cell::Amount(st.n as f64)];
                for g in &groups {
                    row.push(match st.selection_rate.get(g.as_str()) {
                        Some(Json::Number(n)) => Cell::opt(n.as_f64()),
                        _ => Cell::Undefined("no rows of the group in the stratum".into()),
                    });
                }
                let und = st.undefined.clone().unwrap_or_else(|| "undefined".into());
                row.push(
                    st.selection_rate_difference
                        .map_or(Cell::Undefined(und.clone()), Cell::Number),
                );
                row.push(
                    st.selection_rate_ratio
                        .map_or(Cell::Undefined(und), Cell::Number),
                );
                row
            })
            .collect();
        out.push(Item::Table(Table {
            caption: format!(
                "Selection rate within each stratum of {} (conditional demographic parity)",
                c.condition
            ),
            header,
            rows,
            notes: vec![format!(
                "Weighted over the strata: difference {}, ratio {}.",
                c.conditional_demographic_parity_difference
                    .map_or("—".into(), |x| crate::render::fmt_num(Some(x))),
                c.conditional_demographic_parity_ratio
                    .map_or("—".into(), |x| crate::render::fmt_num(Some(x)))
            )],
        }));
    }
    if !a.xauc.is_empty() {
        out.push(Item::Table(Table {
            caption: "Cross-group AUC (xAUC): a positive of one group scored above a negative of the other".into(),
            header: ["positives of", "negatives of", "xAUC"].map(String::from).to_vec(),
            rows: a
                .xauc
                .iter()
                .map(|x| {
                    vec![
                        Cell::text(&x.positive_group),
                        Cell::text(&x.negative_group),
                        x.xauc.map_or(Cell::Undefined("a group without positives or negatives".into()), Cell::Number),
                    ]
                })
                .collect(),
            notes: vec![],
        }));
    }
    out
}

fn inputs_table(inputs: &[InputReport]) -> Table {
    Table {
        caption: "Files read and the columns used".into(),
        header: [
            "file",
            "format",
            "rows read",
            "rows used",
            "label",
            "prediction / score",
            "groups",
        ]
        .map(String::from)
        .to_vec(),
        rows: inputs
            .iter()
            .map(|i| {
                let c = &i.columns;
                let pred = match (&c.prediction, &c.score) {
                    _ if i.decisions.is_some() => i
                        .decisions
                        .as_ref()
                        .map(|d| d.summary())
                        .unwrap_or_default(),
                    (Some(p), _) => p.clone(),
                    (None, Some(s)) => match c.threshold {
                        Some(t) => format!("{s} (score, threshold {t})"),
                        None => format!("{s} (score)"),
                    },
                    (None, None) => "—".into(),
                };
                vec![
                    Cell::text(&i.path),
                    Cell::text(&i.format),
                    Cell::Amount(i.rows_read as f64),
                    Cell::Amount(i.rows_used as f64),
                    Cell::text(c.label.as_deref().unwrap_or("— (label-free)")),
                    Cell::text(pred),
                    Cell::text(c.groups.join(", ")),
                ]
            })
            .collect(),
        notes: inputs
            .iter()
            .flat_map(|i| {
                i.rows_dropped
                    .iter()
                    .map(move |d| format!("{}: {} rows left out: {}", i.path, d.rows, d.reason))
            })
            .collect(),
    }
}

fn overall_of<'a>(r: &'a FairnessReport, a: &AttributeReport) -> Option<&'a Overall> {
    let input = r.inputs.iter().find(|i| i.path == a.file)?;
    match &a.class {
        Some(c) => input
            .classes
            .iter()
            .find(|k| &k.class == c)
            .map(|k| &k.overall),
        None => Some(&input.overall),
    }
}

/// The reference group of `metric` and how it was chosen: `--reference`'s view, else the largest
/// group that is not small.
fn reference<'a>(a: &'a AttributeReport, metric: &str) -> Option<(&'a GroupReport, String)> {
    if let Some(v) = &a.reference {
        let name = v.groups.get(metric).and_then(Json::as_str)?;
        let g = a.groups.iter().find(|g| g.group == name)?;
        return Some((g, format!("reference {name} ({})", v.method)));
    }
    // The selection rate's band is the four-fifths rule's: around the most-selected group.
    if let (Some(m), "selection_rate") = (&a.most_selected_group, metric) {
        let g = a.groups.iter().find(|g| &g.group == m)?;
        return Some((g, format!("reference {m} (most selected)")));
    }
    let g = a
        .groups
        .iter()
        .filter(|g| !small(g))
        .max_by(|x, y| x.weight.total_cmp(&y.weight).then(y.group.cmp(&x.group)))?;
    Some((g, format!("reference {} (largest group)", g.group)))
}

fn attribute_section(r: &FairnessReport, a: &AttributeReport) -> Result<Section> {
    let name = a.display_name();
    let mut s = Section::new(format!("{name} ({} groups)", a.groups.len()));
    let regression = r.settings.task == "regression";
    let band_ratio = a
        .reference
        .as_ref()
        .map_or(r.settings.four_fifths_threshold, |v| v.band);
    let overall = overall_of(r, a);
    let rates: &[(&str, &str)] = if regression {
        &REGRESSION
    } else {
        &BINARY_RATES
    };
    for (metric, title) in rates {
        if a.groups.iter().all(|g| !g.metrics.contains_key(*metric)) {
            continue;
        }
        s.items.push(rate_figure(
            r, a, metric, title, band_ratio, overall, regression,
        )?);
    }
    s.items.push(disparity_figure(a, regression)?);
    if let Some(v) = a.disparities.get("four_fifths_rule_passed") {
        let text = match v {
            Json::Bool(true) => "passed",
            Json::Bool(false) => "FAILED",
            _ => "undefined",
        };
        s.items.push(Item::Note(format!(
            "Four-fifths rule (every group's selection rate at least {} of the highest): {text}.",
            r.settings.four_fifths_threshold
        )));
    }
    if a.groups.iter().any(|g| !g.residuals.1.is_empty()) {
        s.items.push(residual_figure(a)?);
    }
    if a.groups.iter().any(|g| !g.roc.is_empty()) {
        s.items.push(roc_figure(a)?);
    }
    if a.groups.iter().any(|g| !g.reliability.is_empty()) {
        s.items.push(reliability_figure(r, a, overall)?);
        s.items.push(distribution_figure(r, a)?);
    }
    s.items.extend(extra_tables(a));
    if a.groups.iter().any(small) {
        s.items.push(Item::Note(format!(
            "* fewer than {} rows{}: drawn lighter; their rates are unreliable.",
            crate::render::SMALL_SAMPLE.max(r.settings.min_group_size),
            if r.settings.min_group_size > 0 {
                " (or under --min-group-size, left out of the disparities)"
            } else {
                ""
            }
        )));
    }
    Ok(s)
}

#[allow(clippy::too_many_arguments)]
fn rate_figure(
    r: &FairnessReport,
    a: &AttributeReport,
    metric: &str,
    title: &str,
    band_ratio: f64,
    overall: Option<&Overall>,
    regression: bool,
) -> Result<Item> {
    let bootstrap = r.settings.bootstrap > 0;
    let interval_of = |g: &GroupReport| {
        if bootstrap {
            pair(&g.bootstrap, metric)
        } else {
            pair(&g.intervals, metric)
        }
    };
    let mut rules = Vec::new();
    let overall_value = overall.and_then(|o| num(&o.metrics, metric));
    if let Some(v) = overall_value {
        rules.push(Rule {
            at: v,
            label: format!("overall {v:.4}"),
        });
    }
    let reference = reference(a, metric);
    let band = match &reference {
        Some((g, how)) if !regression && band_ratio > 0.0 => {
            num(&g.metrics, metric).filter(|v| *v > 0.0).map(|v| {
                (
                    v * band_ratio,
                    v / band_ratio,
                    format!("parity band {band_ratio}–{:.2} × {how}", 1.0 / band_ratio)
                        .replace("reference ", ""),
                )
            })
        }
        _ => None,
    };
    let bars: Vec<Bar> = a
        .groups
        .iter()
        .map(|g| Bar {
            label: g.group.clone(),
            value: group_value(g, metric),
            interval: interval_of(g),
            flagged: small(g),
        })
        .collect();
    let method = if bootstrap {
        format!("bootstrap percentile, {} replicates", r.settings.bootstrap)
    } else {
        r.settings.interval_method.clone()
    };
    let has_intervals = bars.iter().any(|b| b.interval.is_some());
    let unit = if regression {
        "label units"
    } else {
        "share, 0–1"
    };
    let chart = chart::bars(&Bars {
        name: chart::slug(&[&a.display_name(), metric]),
        title: format!("{title} by {}", a.display_name()),
        desc: format!(
            "One bar per group{}; dashed line: overall value{}.",
            if has_intervals {
                format!(
                    ", whiskers: {} {:.0}% interval",
                    method,
                    r.settings.confidence * 100.0
                )
            } else {
                String::new()
            },
            if band.is_some() {
                "; shaded: parity band around the reference group"
            } else {
                ""
            }
        ),
        x_label: format!("{title} ({unit})"),
        bars,
        rules,
        band: band.clone(),
        x_range: (!regression).then_some((0.0, 1.0)),
        interval_label: if has_intervals {
            format!("{:.0}% interval ({method})", r.settings.confidence * 100.0)
        } else {
            String::new()
        },
    })?;
    let mut header = vec!["group".to_string(), "n".into(), "value".into()];
    if has_intervals {
        header.push(format!("{:.0}% interval", r.settings.confidence * 100.0));
    }
    // With --reference: the report's own ratio to the reference group.
    let vs_ref = |g: &GroupReport| {
        g.vs_reference
            .get(metric)
            .and_then(|c| c.get("ratio"))
            .cloned()
    };
    let with_ratio = a.reference.is_some() && a.groups.iter().any(|g| vs_ref(g).is_some());
    if with_ratio {
        header.push("ratio to ref.".into());
    }
    let mut rows: Vec<Vec<Cell>> = a
        .groups
        .iter()
        .map(|g| {
            let mut row = vec![
                Cell::text(format!("{}{}", g.group, if small(g) { " *" } else { "" })),
                Cell::Amount(g.n as f64),
                value_cell(g, metric),
            ];
            if has_intervals {
                row.push(interval_of(g).map_or(Cell::Empty, |(l, u)| Cell::Interval(l, u)));
            }
            if with_ratio {
                row.push(match vs_ref(g) {
                    Some(Json::Number(x)) => Cell::opt(x.as_f64()),
                    _ => Cell::Undefined("no ratio to the reference group".into()),
                });
            }
            row
        })
        .collect();
    if let Some(o) = overall {
        let mut row = vec![
            Cell::text("overall"),
            Cell::Amount(o.n as f64),
            match num(&o.metrics, metric) {
                Some(v) => Cell::Number(v),
                None => Cell::Undefined(why(&o.undefined, metric)),
            },
        ];
        row.resize(header.len(), Cell::Empty);
        rows.push(row);
    }
    let mut notes = Vec::new();
    if let Some((_, how)) = &reference {
        if band.is_some() {
            notes.push(format!(
                "Parity band: {band_ratio} to {} times the {how}'s value (--parity-band).",
                ((1.0 / band_ratio) * 1e4).round() / 1e4
            ));
        }
    }
    Ok(Item::Figure(
        chart,
        Table {
            caption: format!("{title} by group"),
            header,
            rows,
            notes,
        },
    ))
}

/// The difference and ratio of every criterion, with bootstrap intervals when there are some.
fn disparity_figure(a: &AttributeReport, regression: bool) -> Result<Item> {
    let names: Vec<&str> = if regression {
        super::regression::REGRESSION_METRICS.to_vec()
    } else {
        super::metrics::CRITERIA
            .iter()
            .map(|(n, _)| *n)
            .chain(["equalized_odds"])
            .chain(super::scores::SCORE_METRICS.iter().copied())
            // What the audit has (a label-free audit has no label criteria, a score metric
            // needs --score).
            .filter(|m| a.disparities.contains_key(&format!("{m}_difference")))
            .collect()
    };
    let value = |k: &str| match a.disparities.get(k) {
        Some(Json::Number(n)) => n.as_f64().ok_or("not a number".to_string()),
        _ => Err(why(&a.undefined, k)),
    };
    let bars: Vec<Bar> = names
        .iter()
        .map(|n| {
            let k = format!("{n}_difference");
            Bar {
                label: n.to_string(),
                value: value(&k),
                interval: pair(&a.disparities_bootstrap, &k),
                flagged: false,
            }
        })
        .collect();
    let chart = chart::bars(&Bars {
        name: chart::slug(&[&a.display_name(), "disparities"]),
        title: format!(
            "Disparities across {} (largest minus smallest group)",
            a.display_name()
        ),
        desc:
            "Difference between the highest and lowest group value of each criterion; 0 is parity."
                .into(),
        x_label: if regression {
            "difference (label units)".into()
        } else {
            "difference, highest − lowest group (the metric's units)".into()
        },
        bars,
        ..Default::default()
    })?;
    let rows = names
        .iter()
        .map(|n| {
            let d = format!("{n}_difference");
            let q = format!("{n}_ratio");
            let mut row = vec![
                Cell::text(*n),
                Cell::value(value(&d)),
                Cell::value(value(&q)),
            ];
            row.push(
                pair(&a.disparities_bootstrap, &d)
                    .map_or(Cell::Empty, |(l, u)| Cell::Interval(l, u)),
            );
            row
        })
        .collect();
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Disparities".into(),
            header: ["criterion", "difference", "ratio", "bootstrap interval of the difference"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec!["difference: highest minus lowest group value; ratio: lowest over highest (1 is parity).".into()],
        },
    ))
}

/// Residual (prediction − label) distributions per group, as shares of each group's weight.
fn residual_figure(a: &AttributeReport) -> Result<Item> {
    let with: Vec<&GroupReport> = a
        .groups
        .iter()
        .filter(|g| !g.residuals.1.is_empty())
        .collect();
    let edges = with
        .first()
        .map(|g| g.residuals.0.clone())
        .unwrap_or_default();
    let series = with
        .iter()
        .map(|g| {
            let total: f64 = g.residuals.1.iter().sum();
            let shares = g
                .residuals
                .1
                .iter()
                .map(|c| if total > 0.0 { c / total } else { 0.0 })
                .collect();
            (
                format!("{}{}", g.group, if small(g) { " *" } else { "" }),
                shares,
            )
        })
        .collect();
    let chart = chart::histogram(&Histogram {
        name: chart::slug(&[&a.display_name(), "residuals"]),
        title: format!("Residual distribution by {}", a.display_name()),
        desc: "Share of each group's rows (weighted) per residual bin; residual = prediction − label; the end bins also hold the rows beyond the 0.5th and 99.5th percentiles.".into(),
        x_label: "residual, prediction − label (label units)".into(),
        y_label: "share of the group's rows".into(),
        edges,
        series,
    })?;
    let rows = a
        .groups
        .iter()
        .map(|g| {
            vec![
                Cell::text(&g.group),
                Cell::Amount(g.n as f64),
                value_cell(g, "mean_residual"),
                value_cell(g, "mean_absolute_error"),
                value_cell(g, "root_mean_squared_error"),
            ]
        })
        .collect();
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Residuals by group".into(),
            header: ["group", "n", "mean residual", "MAE", "RMSE"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![
                "30 equal-width bins between the 0.5th and 99.5th percentiles of all residuals."
                    .into(),
            ],
        },
    ))
}

/// ROC curves per group, with each group's operating point (its FPR and TPR at the threshold).
fn roc_figure(a: &AttributeReport) -> Result<Item> {
    let with: Vec<&GroupReport> = a.groups.iter().filter(|g| !g.roc.is_empty()).collect();
    let series = with
        .iter()
        .map(|g| Series {
            name: format!("{}{}", g.group, if small(g) { " *" } else { "" }),
            points: g.roc.clone(),
            mark: Mark::Line,
            ..Default::default()
        })
        .collect();
    let chart = chart::lines(&Lines {
        name: chart::slug(&[&a.display_name(), "roc"]),
        title: format!("ROC curves by {}", a.display_name()),
        desc: "True positive rate against false positive rate as the threshold falls, per group; the diagonal is a random score.".into(),
        x_label: "false positive rate (share of negatives, 0–1)".into(),
        y_label: "true positive rate (share of positives, 0–1)".into(),
        series,
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some("chance".into()),
        ..Default::default()
    })?;
    let rows = a
        .groups
        .iter()
        .map(|g| {
            vec![
                Cell::text(&g.group),
                Cell::Amount(g.n as f64),
                value_cell(g, "roc_auc"),
                value_cell(g, "false_positive_rate"),
                value_cell(g, "true_positive_rate"),
            ]
        })
        .collect();
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Area under each curve, and the operating point at the threshold".into(),
            header: ["group", "n", "ROC AUC", "FPR at threshold", "TPR at threshold"].map(String::from).to_vec(),
            rows,
            notes: vec!["Ties in the score are one diagonal step, as in scikit-learn's roc_curve; a point is drawn each time the curve has moved 0.005 (FPR + TPR).".into()],
        },
    ))
}

fn reliability_figure(
    r: &FairnessReport,
    a: &AttributeReport,
    overall: Option<&Overall>,
) -> Result<Item> {
    let mut series: Vec<Series> = a
        .groups
        .iter()
        .filter(|g| !g.reliability.is_empty())
        .map(|g| Series {
            name: format!("{}{}", g.group, if small(g) { " *" } else { "" }),
            points: g
                .reliability
                .iter()
                .map(|b| (b.mean_score, b.fraction_positive))
                .collect(),
            mark: Mark::LineAndPoints,
            ..Default::default()
        })
        .collect();
    if let Some(o) = overall.filter(|o| !o.reliability.is_empty()) {
        series.push(Series {
            name: "overall".into(),
            points: o
                .reliability
                .iter()
                .map(|b| (b.mean_score, b.fraction_positive))
                .collect(),
            mark: Mark::Line,
            dashed: true,
            colour: Some(7),
        });
    }
    let chart = chart::lines(&Lines {
        name: chart::slug(&[&a.display_name(), "reliability"]),
        title: format!("Reliability diagram by {}", a.display_name()),
        desc: format!(
            "Mean score against the share of positive labels in each of {} {} score bins, per group; the diagonal is perfect calibration.",
            r.settings.calibration_bins, r.settings.calibration_binning
        ),
        x_label: "mean predicted probability in the bin".into(),
        y_label: "fraction of positive labels".into(),
        series,
        x_range: Some((0.0, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some("perfect calibration".into()),
        ..Default::default()
    })?;
    let rows = a
        .groups
        .iter()
        .flat_map(|g| {
            g.reliability.iter().map(move |b| {
                vec![
                    Cell::text(&g.group),
                    Cell::Amount(b.bin as f64),
                    Cell::Amount(b.rows as f64),
                    Cell::Number(b.mean_score),
                    Cell::Number(b.fraction_positive),
                ]
            })
        })
        .collect();
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Reliability bins (non-empty)".into(),
            header: ["group", "bin", "rows", "mean score", "fraction positive"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![],
        },
    ))
}

/// Score distributions per group: the share of each group's rows in each reliability bin.
fn distribution_figure(r: &FairnessReport, a: &AttributeReport) -> Result<Item> {
    let bins = r.settings.calibration_bins.max(1);
    let equal_width = r.settings.calibration_binning == "equal_width";
    let shares = |g: &GroupReport| -> Vec<f64> {
        let total: u64 = g.reliability.iter().map(|b| b.rows).sum();
        let mut v = vec![0.0; bins];
        for b in &g.reliability {
            if let Some(x) = v.get_mut(b.bin) {
                *x = if total > 0 {
                    b.rows as f64 / total as f64
                } else {
                    0.0
                };
            }
        }
        v
    };
    let groups: Vec<&GroupReport> = a
        .groups
        .iter()
        .filter(|g| !g.reliability.is_empty())
        .collect();
    let chart = if equal_width {
        chart::histogram(&Histogram {
            name: chart::slug(&[&a.display_name(), "score-distribution"]),
            title: format!("Score distribution by {}", a.display_name()),
            desc: format!(
                "Share of each group's scored rows in each of {bins} equal-width score bins."
            ),
            x_label: "score".into(),
            y_label: "share of the group's rows".into(),
            edges: (0..=bins).map(|k| k as f64 / bins as f64).collect(),
            series: groups
                .iter()
                .map(|g| (g.group.clone(), shares(g)))
                .collect(),
        })?
    } else {
        chart::lines(&Lines {
            name: chart::slug(&[&a.display_name(), "score-distribution"]),
            title: format!("Score distribution by {}", a.display_name()),
            desc: format!("Share of each group's scored rows in each of {bins} equal-mass bins, at the bin's mean score."),
            x_label: "mean score of the bin".into(),
            y_label: "share of the group's rows".into(),
            series: groups
                .iter()
                .map(|g| Series {
                    name: g.group.clone(),
                    points: g
                        .reliability
                        .iter()
                        .zip(shares(g).iter().filter(|s| **s > 0.0))
                        .map(|(b, s)| (b.mean_score, *s))
                        .collect(),
                    mark: Mark::LineAndPoints,
                    ..Default::default()
                })
                .collect(),
            ..Default::default()
        })?
    };
    let rows = groups
        .iter()
        .map(|g| {
            let mut row = vec![Cell::text(&g.group)];
            let mut per_bin = vec![0u64; bins];
            for b in &g.reliability {
                if let Some(x) = per_bin.get_mut(b.bin) {
                    *x = b.rows;
                }
            }
            row.extend(per_bin.into_iter().map(|n| Cell::Amount(n as f64)));
            row
        })
        .collect();
    let mut header = vec!["group".to_string()];
    header.extend((0..bins).map(|k| format!("bin {k}")));
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Scored rows of each group per score bin (the chart shows them as shares of the group)".into(),
            header,
            rows,
            notes: vec![],
        },
    ))
}

/// One section per attribute of a threshold sweep: each key rate against the threshold, a line
/// per group.
fn sweep_sections(r: &FairnessReport) -> Result<Vec<Section>> {
    let first = &r.thresholds[0].attributes;
    // A sweep over --top-k / --top-fraction values: x is k or the fraction, not a threshold.
    let (what, x_label, x_name) = match (r.thresholds[0].top_k, r.thresholds[0].top_fraction) {
        (Some(_), _) => ("Sweep over k", "k (the k highest scores selected)", "k"),
        (None, Some(_)) => (
            "Sweep over the top fraction",
            "fraction of the rows selected (highest scores)",
            "top fraction",
        ),
        (None, None) => ("Threshold sweep", "threshold on the score", "threshold"),
    };
    let mut out = Vec::new();
    for (ai, a) in first.iter().enumerate() {
        let mut s = Section::new(format!("{what}: {}", a.display_name()));
        for (metric, title) in BINARY_RATES.iter().take(3) {
            // A label-free audit has no TPR / FPR to draw.
            if a.groups.iter().all(|g| !g.metrics.contains_key(*metric)) {
                continue;
            }
            let series: Vec<Series> = a
                .groups
                .iter()
                .map(|g| Series {
                    name: g.group.clone(),
                    points: r
                        .thresholds
                        .iter()
                        .filter_map(|t| {
                            let v = t
                                .attributes
                                .get(ai)?
                                .groups
                                .iter()
                                .find(|x| x.group == g.group)?;
                            Some((t.x(), num(&v.metrics, metric)?))
                        })
                        .collect(),
                    mark: Mark::LineAndPoints,
                    ..Default::default()
                })
                .collect();
            let chart = chart::lines(&Lines {
                name: chart::slug(&["sweep", &a.display_name(), metric]),
                title: format!("{title} against the {x_name}, by {}", a.display_name()),
                desc: "One line per group; undefined values are left out of the line.".into(),
                x_label: x_label.into(),
                y_label: format!("{title} (share, 0–1)"),
                series,
                y_range: Some((0.0, 1.0)),
                ..Default::default()
            })?;
            let mut header = vec![x_name.to_string()];
            header.extend(a.groups.iter().map(|g| g.group.clone()));
            let rows = r
                .thresholds
                .iter()
                .map(|t| {
                    let mut row = vec![Cell::Number(t.x())];
                    for g in &a.groups {
                        let v = t
                            .attributes
                            .get(ai)
                            .and_then(|x| x.groups.iter().find(|y| y.group == g.group));
                        row.push(match v {
                            Some(v) => value_cell(v, metric),
                            None => Cell::Empty,
                        });
                    }
                    row
                })
                .collect();
            s.items.push(Item::Figure(
                chart,
                Table {
                    caption: format!("{title} per {x_name}"),
                    header,
                    rows,
                    notes: vec![],
                },
            ));
        }
        out.push(s);
    }
    Ok(out)
}
