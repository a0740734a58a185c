//! The HTML page of `audit-counterfactual` (and its `--plot` charts), from the report model
//! only: per attribute, the headline rate of each variant value with its bootstrap interval
//! (flip rate, answer-change rate, or mean |Δ| for scores) next to the table of its numbers;
//! for distributions, the total variation of each prompt.

use anyhow::Result;

use super::figures::Figures;
use super::report::CounterfactualReport;
use crate::render::chart::{self, Bar, Bars, Rule};
use crate::render::html::{Cell, Item, Page, Section, Table};

fn bar(label: &str, f: &Figures, name: &str) -> Option<Bar> {
    let fig = f.list.iter().find(|x| x.name == name)?;
    Some(Bar {
        label: label.to_string(),
        value: fig.value.clone(),
        interval: match &fig.interval {
            Some(Ok([lo, hi])) => Some((*lo, *hi)),
            _ => None,
        },
        flagged: f
            .get("pairs")
            .and_then(|v| v.as_ref().ok())
            .is_some_and(|n| *n < crate::render::SMALL_SAMPLE as f64),
    })
}

fn interval_cell(f: &Figures, name: &str) -> Cell {
    match f
        .list
        .iter()
        .find(|x| x.name == name)
        .and_then(|x| x.interval.clone())
    {
        Some(Ok([lo, hi])) => Cell::Interval(lo, hi),
        Some(Err(why)) => Cell::Undefined(why),
        None => Cell::Empty,
    }
}

pub fn page(r: &CounterfactualReport) -> Result<Page> {
    let mut sections = Vec::new();
    let intervals = r
        .scopes()
        .iter()
        .any(|(_, f)| f.list.iter().any(|x| x.interval.is_some()));
    if let Some(p) = &r.pairs {
        let (name, title) = match p.measure.as_str() {
            "answer" => ("answer_change_rate", "answer-change rate"),
            _ => ("flip_rate", "flip rate"),
        };
        let mut metrics = vec![(name, title)];
        if p.measure == "score" {
            metrics.push(("mean_abs_delta", "mean |Δ score|"));
        }
        if p.overall.get("accuracy_change").is_some() {
            metrics.push(("accuracy_change", "accuracy change"));
        }
        for a in &p.attributes {
            let mut sec = Section::new(format!("Attribute {}", a.attribute));
            for (metric, title) in &metrics {
                let bars: Vec<Bar> = a
                    .values
                    .iter()
                    .filter_map(|v| bar(&v.value, &v.figures, metric))
                    .collect();
                if bars.is_empty() {
                    continue;
                }
                let overall = a.figures.get(metric).and_then(|v| v.as_ref().ok()).copied();
                let spec = Bars {
                    name: chart::slug(&[&a.attribute, metric]),
                    title: format!("{}: {title} per variant value", a.attribute),
                    desc: format!(
                        "{title} of each variant value against the original rows of the same ids; the dashed line is the attribute's value{}",
                        if intervals { "; whiskers: bootstrap intervals over ids" } else { "" }
                    ),
                    x_label: title.to_string(),
                    bars,
                    rules: overall
                        .map(|v| vec![Rule { at: v, label: format!("{} (all values)", a.attribute) }])
                        .unwrap_or_default(),
                    band: None,
                    x_range: None,
                    interval_label: "bootstrap interval (ids resampled)".into(),
                };
                let mut header = vec!["value".to_string(), "pairs".into(), metric.to_string()];
                if intervals {
                    header.push("interval".into());
                }
                let rows = a
                    .values
                    .iter()
                    .map(|v| (v.value.as_str(), &v.figures))
                    .chain(std::iter::once((a.attribute.as_str(), &a.figures)))
                    .map(|(label, f)| {
                        let mut row = vec![
                            Cell::text(label),
                            f.get("pairs").map_or(Cell::Empty, |v| match v {
                                Ok(x) => Cell::Amount(*x),
                                Err(w) => Cell::Undefined(w.clone()),
                            }),
                            f.get(metric)
                                .map_or(Cell::Empty, |v| figure_cell(metric, v)),
                        ];
                        if intervals {
                            row.push(interval_cell(f, metric));
                        }
                        row
                    })
                    .collect();
                sec.items.push(Item::Figure(
                    chart::bars(&spec)?,
                    Table {
                        caption: format!("{title} per variant value (last row: the attribute)"),
                        header,
                        rows,
                        notes: Vec::new(),
                    },
                ));
            }
            if !a.parity.is_empty() {
                sec.items.push(Item::Table(Table {
                    caption: "Counterfactual parity between score distributions".into(),
                    header: ["a", "b", "ids", "strict parity (W1)", "weak parity (a − b)"]
                        .map(String::from)
                        .to_vec(),
                    rows: a
                        .parity
                        .iter()
                        .map(|x| {
                            vec![
                                Cell::text(&x.a),
                                Cell::text(&x.b),
                                Cell::Amount(x.ids as f64),
                                Cell::opt(x.strict_parity),
                                Cell::opt(x.weak_parity),
                            ]
                        })
                        .collect(),
                    notes: Vec::new(),
                }));
            }
            sections.push(sec);
        }
        let mut sec = Section::new("All pairs");
        sec.items
            .push(Item::Table(figures_table("Overall", &p.overall)));
        sections.push(sec);
    }
    if let Some(d) = &r.distribution {
        let mut sec = Section::new(format!("Distribution of {}", d.column));
        let bars: Vec<Bar> = d
            .prompts
            .iter()
            .filter_map(|s| {
                bar(
                    s.prompt.as_deref().unwrap_or(""),
                    &s.figures,
                    "total_variation",
                )
            })
            .collect();
        let spec = Bars {
            name: chart::slug(&[&d.column, "total_variation"]),
            title: format!("{}: total variation from the target per prompt", d.column),
            desc: "Total variation distance between each prompt's observed distribution and the target; the dashed line is the pooled value".into(),
            x_label: "total variation".into(),
            bars,
            rules: d
                .pooled
                .figures
                .get("total_variation")
                .and_then(|v| v.as_ref().ok())
                .map(|v| vec![Rule { at: *v, label: "pooled".into() }])
                .unwrap_or_default(),
            band: None,
            x_range: Some((0.0, 1.0)),
            interval_label: "bootstrap interval (images resampled within prompts)".into(),
        };
        let mut header = vec!["prompt".to_string(), "images".into()];
        header.extend(d.values.iter().cloned());
        header.push("total_variation".into());
        if intervals {
            header.push("interval".into());
        }
        let mut rows: Vec<Vec<Cell>> = Vec::new();
        for s in d.prompts.iter().chain(std::iter::once(&d.pooled)) {
            let mut row = vec![
                Cell::text(s.prompt.clone().unwrap_or_else(|| "(pooled)".into())),
                Cell::Amount(s.images as f64),
            ];
            row.extend(s.observed.iter().map(|x| match x {
                Some(x) => Cell::Number(*x),
                None => Cell::Undefined("no row with a value".into()),
            }));
            row.push(
                s.figures
                    .get("total_variation")
                    .map_or(Cell::Empty, |v| Cell::value(v.clone())),
            );
            if intervals {
                row.push(interval_cell(&s.figures, "total_variation"));
            }
            rows.push(row);
        }
        sec.items.push(Item::Figure(
            chart::bars(&spec)?,
            Table {
                caption: "Observed shares and total variation per prompt".into(),
                header,
                rows,
                notes: vec![format!(
                    "Target: {} ({})",
                    d.values
                        .iter()
                        .zip(&d.target)
                        .map(|(v, t)| format!("{v} {}", crate::render::fmt_num(Some(*t))))
                        .collect::<Vec<_>>()
                        .join(", "),
                    d.target_source
                )],
            },
        ));
        sec.items.push(Item::Table(figures_table(
            "Pooled over prompts",
            &d.pooled.figures,
        )));
        sec.items.push(Item::Table(figures_table(
            "Mean over prompts",
            &d.mean_over_prompts,
        )));
        sections.push(sec);
    }
    let mut inputs = Table {
        caption: "File read".into(),
        header: vec!["file".into(), "rows".into(), "columns".into()],
        ..Default::default()
    };
    inputs.rows.push(vec![
        Cell::text(&r.input.path),
        Cell::Amount(r.input.rows as f64),
        Cell::text(
            r.input
                .columns
                .iter()
                .map(|(k, v)| format!("{k} {}", v.as_str().unwrap_or("")))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    ]);
    Ok(Page {
        command: r.command.clone(),
        subject: r.input.path.clone(),
        passed: r.passed,
        gates: r.gates.clone(),
        inputs,
        settings: crate::render::html::settings_list(&r.settings),
        warnings: r.warnings.clone(),
        sections,
    })
}

/// A figure's cell: counts (pairs, flips, images, ...) as whole numbers, the rest to 4 decimals.
fn figure_cell(name: &str, v: &Result<f64, String>) -> Cell {
    match v {
        Ok(x) if super::report::is_count(name) => Cell::Amount(*x),
        _ => Cell::value(v.clone()),
    }
}

fn figures_table(caption: &str, f: &Figures) -> Table {
    let intervals = f.list.iter().any(|x| x.interval.is_some());
    let mut header = vec!["metric".to_string(), "value".into()];
    if intervals {
        header.push("interval".into());
    }
    Table {
        caption: caption.into(),
        header,
        rows: f
            .list
            .iter()
            .map(|x| {
                let mut row = vec![Cell::text(&x.name), figure_cell(&x.name, &x.value)];
                if intervals {
                    row.push(match &x.interval {
                        Some(Ok([lo, hi])) => Cell::Interval(*lo, *hi),
                        Some(Err(w)) => Cell::Undefined(w.clone()),
                        None => Cell::Empty,
                    });
                }
                row
            })
            .collect(),
        notes: Vec::new(),
    }
}
