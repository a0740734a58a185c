//! `--suggest-thresholds`: the report's view of the group thresholds that meet a constraint
//! at the best objective (the search is in `thresholds.rs`), with the rates before and after,
//! and the trade-off curve over the tolerance. JSON key `suggested_thresholds`
//! (docs/report-schema.md).

use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::render::{csv_num, fmt_num, grid, markdown_text};

/// Points of the trade-off curve: EPS = D·i/20, i = 0..=20, D the constraint value of each
/// group's best threshold alone.
pub const CURVE_STEPS: usize = 20;

#[derive(Debug, Clone, Serialize)]
pub struct SuggestView {
    pub attribute: String,
    pub constraint: String,
    /// `accuracy`, `balanced_accuracy` or `expected_cost` (with --cost-fp / --cost-fn: lower is
    /// better).
    pub objective: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_fp: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_fn: Option<f64>,
    pub tolerance: f64,
    /// The audit's threshold, the same for every group ("before").
    pub threshold_before: f64,
    /// `deterministic` for demographic parity / equal opportunity, `randomized` for equalized
    /// odds: which solution `objective_after` / `constraint_after` and `groups[].after` are.
    pub suggested: String,
    pub objective_before: Option<f64>,
    pub constraint_before: Option<f64>,
    pub objective_after: Option<f64>,
    pub constraint_after: Option<f64>,
    pub unconstrained: Outcome,
    /// The best single threshold per group within the tolerance; `null` for equalized odds.
    pub deterministic: Option<Outcome>,
    /// The best mix of thresholds per group within the tolerance (≥ the deterministic one).
    pub randomized: Outcome,
    pub groups: Vec<GroupView>,
    pub curve: Vec<CurvePoint>,
    pub undefined: Map<String, Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Outcome {
    pub objective: Option<f64>,
    pub constraint: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupView {
    pub group: String,
    pub rows: u64,
    pub weight: f64,
    pub positives: f64,
    /// Whether the constraint covers the group (its constrained rate is defined).
    pub constrained: bool,
    pub before: Choice,
    pub after: Choice,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deterministic: Option<Choice>,
    pub randomized: Choice,
}

/// A group's rule: thresholds with their probabilities (one with probability 1 when
/// deterministic), and the expected rates.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub thresholds: Vec<Mixed>,
    pub selection_rate: Option<f64>,
    pub true_positive_rate: Option<f64>,
    pub false_positive_rate: Option<f64>,
}

/// `threshold: null` selects nobody (+∞).
#[derive(Debug, Clone, Serialize)]
pub struct Mixed {
    pub threshold: Option<f64>,
    pub probability: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct CurvePoint {
    pub tolerance: f64,
    pub deterministic_objective: Option<f64>,
    pub deterministic_constraint: Option<f64>,
    pub randomized_objective: Option<f64>,
    pub randomized_constraint: Option<f64>,
}

fn num(v: Option<f64>) -> String {
    fmt_num(v)
}

fn strs(h: &[&str]) -> Vec<String> {
    h.iter().map(|s| s.to_string()).collect()
}

/// `0.42`, `∞ (none)`, or `0.42 (p 0.3) + 0.5 (p 0.7)`.
fn rule(c: &Choice) -> String {
    let one = |m: &Mixed| m.threshold.map_or("∞ (none)".into(), |t| fmt_num(Some(t)));
    if c.thresholds.len() == 1 {
        return one(&c.thresholds[0]);
    }
    c.thresholds
        .iter()
        .map(|m| format!("{} (p {})", one(m), fmt_num(Some(m.probability))))
        .collect::<Vec<_>>()
        .join(" + ")
}

/// The text / Markdown section.
pub fn text(v: &SuggestView, markdown: bool) -> String {
    let mut out = String::new();
    let title = format!(
        "suggested thresholds for {} — {} within {}, {} {}",
        v.attribute,
        v.constraint.replace('_', " "),
        v.tolerance,
        if v.objective == "expected_cost" {
            "minimising"
        } else {
            "maximising"
        },
        v.objective.replace('_', " ")
    );
    if markdown {
        let _ = writeln!(out, "## {}\n", markdown_text(&title));
    } else {
        let _ = writeln!(out, "{title}");
    }
    let mut rows = vec![vec![
        format!("before (threshold {})", fmt_num(Some(v.threshold_before))),
        num(v.objective_before),
        num(v.constraint_before),
    ]];
    rows.push(vec![
        "each group's best alone".into(),
        num(v.unconstrained.objective),
        num(v.unconstrained.constraint),
    ]);
    if let Some(d) = &v.deterministic {
        rows.push(vec![
            "one threshold per group".into(),
            num(d.objective),
            num(d.constraint),
        ]);
    }
    rows.push(vec![
        "randomized (mix of thresholds)".into(),
        num(v.randomized.objective),
        num(v.randomized.constraint),
    ]);
    out.push_str(&grid(
        &strs(&["", &v.objective, &v.constraint]),
        &rows,
        markdown,
        &[],
        0,
    ));
    if markdown {
        out.push('\n');
    }
    let rate = match v.constraint.as_str() {
        "demographic_parity" => "selection rate",
        "equal_opportunity" => "TPR",
        _ => "TPR / FPR",
    };
    let show = |c: &Choice| match v.constraint.as_str() {
        "demographic_parity" => num(c.selection_rate),
        "equal_opportunity" => num(c.true_positive_rate),
        _ => format!(
            "{} / {}",
            num(c.true_positive_rate),
            num(c.false_positive_rate)
        ),
    };
    let mut header = vec!["group".to_string(), "rows".into(), format!("{rate} before")];
    if v.deterministic.is_some() {
        header.extend(["threshold".into(), format!("{rate} after")]);
    }
    header.extend(["randomized thresholds".into(), format!("{rate} randomized")]);
    let rows: Vec<Vec<String>> = v
        .groups
        .iter()
        .map(|g| {
            let mut r = vec![
                format!(
                    "{}{}",
                    g.group,
                    if g.constrained {
                        ""
                    } else {
                        " (not constrained)"
                    }
                ),
                g.rows.to_string(),
                show(&g.before),
            ];
            if let Some(d) = &g.deterministic {
                r.extend([rule(d), show(d)]);
            }
            r.extend([rule(&g.randomized), show(&g.randomized)]);
            r
        })
        .collect();
    out.push_str(&grid(&header, &rows, markdown, &[], 0));
    let with_det = v.deterministic.is_some();
    let rows: Vec<Vec<String>> = v
        .curve
        .iter()
        .map(|p| {
            let mut r = vec![fmt_num(Some(p.tolerance))];
            if with_det {
                r.push(num(p.deterministic_objective));
            }
            r.push(num(p.randomized_objective));
            r
        })
        .collect();
    if markdown {
        out.push_str("\n### Trade-off curve\n\n");
    } else {
        out.push_str("\ntrade-off curve (best objective at each tolerance)\n");
    }
    let header: &[&str] = if with_det {
        &["tolerance", "one threshold per group", "randomized"]
    } else {
        &["tolerance", "randomized"]
    };
    out.push_str(&grid(&strs(header), &rows, markdown, &[], 0));
    out.push_str(&crate::render::undefined_notes(&v.undefined, markdown));
    out.push('\n');
    out
}

/// The CSV rows (file, attribute, group, metric, value, note) of the long format.
pub fn csv_rows(v: &SuggestView, file: &str) -> Vec<[String; 6]> {
    let attr = format!("{} [suggested thresholds]", v.attribute);
    let mut out = Vec::new();
    let mut push = |group: &str, metric: &str, value: Option<f64>, note: String| {
        out.push([
            file.to_string(),
            attr.clone(),
            group.to_string(),
            metric.to_string(),
            csv_num(value),
            note,
        ]);
    };
    let note = format!("{} within {}, {}", v.constraint, v.tolerance, v.objective);
    push(
        "(overall)",
        "objective_before",
        v.objective_before,
        note.clone(),
    );
    push(
        "(overall)",
        "constraint_before",
        v.constraint_before,
        note.clone(),
    );
    push(
        "(overall)",
        "objective_after",
        v.objective_after,
        format!("{note}, {}", v.suggested),
    );
    push(
        "(overall)",
        "constraint_after",
        v.constraint_after,
        format!("{note}, {}", v.suggested),
    );
    push(
        "(overall)",
        "randomized_objective",
        v.randomized.objective,
        note.clone(),
    );
    push(
        "(overall)",
        "randomized_constraint",
        v.randomized.constraint,
        note.clone(),
    );
    for g in &v.groups {
        for (name, c) in [("after", &g.after), ("randomized", &g.randomized)] {
            for (i, m) in c.thresholds.iter().enumerate() {
                let p = format!("probability {}", m.probability);
                push(
                    &g.group,
                    &format!("{name}_threshold_{}", i + 1),
                    m.threshold,
                    if m.threshold.is_none() {
                        format!("{p}; null: nobody selected")
                    } else {
                        p
                    },
                );
            }
            push(
                &g.group,
                &format!("{name}_selection_rate"),
                c.selection_rate,
                String::new(),
            );
            push(
                &g.group,
                &format!("{name}_true_positive_rate"),
                c.true_positive_rate,
                String::new(),
            );
            push(
                &g.group,
                &format!("{name}_false_positive_rate"),
                c.false_positive_rate,
                String::new(),
            );
        }
    }
    for p in &v.curve {
        let at = format!("tolerance {}", p.tolerance);
        push(
            &at,
            "curve_deterministic_objective",
            p.deterministic_objective,
            String::new(),
        );
        push(
            &at,
            "curve_randomized_objective",
            p.randomized_objective,
            String::new(),
        );
    }
    out
}

/// The names `--fail-if` takes for the suggestion, at the level of its attribute:
/// `suggested_objective_after < 0.7`, `race:suggested_constraint_after > 0.05`.
pub const GATE_NAMES: [&str; 5] = [
    "suggested_objective_before",
    "suggested_objective_after",
    "suggested_constraint_before",
    "suggested_constraint_after",
    "suggested_randomized_objective",
];

/// The suggestion's numbers for the gates (attribute level).
pub fn numbers(v: &SuggestView, file: &str) -> Vec<crate::gate::Number> {
    let undefined = |x: Option<f64>, why: &str| x.ok_or_else(|| why.to_string());
    let values = [
        v.objective_before,
        v.objective_after,
        v.constraint_before,
        v.constraint_after,
        v.randomized.objective,
    ];
    GATE_NAMES
        .iter()
        .zip(values)
        .map(|(name, x)| {
            crate::gate::Number::new(
                file,
                crate::gate::Level::Attribute,
                Some(&v.attribute),
                None,
                name,
                undefined(x, "no constrained group"),
            )
        })
        .collect()
}

/// The HTML section: the before / after table, the groups' thresholds, and the trade-off curve
/// as a line chart (best objective against the tolerance) with the table of its points.
pub fn html_section(v: &SuggestView) -> Result<crate::render::html::Section> {
    use crate::render::chart::{self, Lines, Mark, Series};
    use crate::render::html::{Cell, Item, Section, Table};
    let cell = |x: Option<f64>| x.map_or(Cell::Undefined("undefined".into()), Cell::Number);
    let mut s = Section::new(format!(
        "Suggested thresholds: {} within {} ({})",
        v.constraint.replace('_', " "),
        v.tolerance,
        v.attribute
    ));
    let mut rows = vec![
        vec![
            Cell::Text(format!("before (threshold {})", v.threshold_before)),
            cell(v.objective_before),
            cell(v.constraint_before),
        ],
        vec![
            Cell::Text("each group's best alone".into()),
            cell(v.unconstrained.objective),
            cell(v.unconstrained.constraint),
        ],
    ];
    if let Some(d) = &v.deterministic {
        rows.push(vec![
            Cell::Text("one threshold per group".into()),
            cell(d.objective),
            cell(d.constraint),
        ]);
    }
    rows.push(vec![
        Cell::Text("randomized (mix of thresholds)".into()),
        cell(v.randomized.objective),
        cell(v.randomized.constraint),
    ]);
    s.items.push(Item::Table(Table {
        caption: format!("{} and {} before and after", v.objective, v.constraint),
        header: vec![String::new(), v.objective.clone(), v.constraint.clone()],
        rows,
        notes: vec![],
    }));
    let rows = v
        .groups
        .iter()
        .map(|g| {
            vec![
                Cell::Text(g.group.clone()),
                Cell::Amount(g.rows as f64),
                Cell::Text(rule(&g.after)),
                cell(g.before.selection_rate),
                cell(g.after.selection_rate),
                cell(g.before.true_positive_rate),
                cell(g.after.true_positive_rate),
                cell(g.before.false_positive_rate),
                cell(g.after.false_positive_rate),
                Cell::Text(rule(&g.randomized)),
            ]
        })
        .collect();
    s.items.push(Item::Table(Table {
        caption: format!("Thresholds per group ({})", v.suggested),
        header: [
            "group",
            "rows",
            "threshold(s)",
            "selection rate before",
            "after",
            "TPR before",
            "after",
            "FPR before",
            "after",
            "randomized",
        ]
        .iter()
        .map(|h| h.to_string())
        .collect(),
        rows,
        notes: vec!["∞ (none): nobody selected; (p …): the probability of each threshold.".into()],
    }));
    let mut series = Vec::new();
    let det: Vec<(f64, f64)> = v
        .curve
        .iter()
        .filter_map(|p| Some((p.tolerance, p.deterministic_objective?)))
        .collect();
    if !det.is_empty() {
        series.push(Series {
            name: "one threshold per group".into(),
            points: det,
            mark: Mark::LineAndPoints,
            ..Default::default()
        });
    }
    series.push(Series {
        name: "randomized".into(),
        points: v
            .curve
            .iter()
            .filter_map(|p| Some((p.tolerance, p.randomized_objective?)))
            .collect(),
        mark: Mark::LineAndPoints,
        dashed: true,
        ..Default::default()
    });
    let chart = chart::lines(&Lines {
        name: chart::slug(&["suggested thresholds", &v.attribute]),
        title: format!("Best {} against the tolerance on {}", v.objective.replace('_', " "), v.constraint.replace('_', " ")),
        desc: "The best objective the thresholds reach when the groups' rates may differ by at most the tolerance.".into(),
        x_label: format!("tolerance (max − min over groups of the {})", v.constraint.replace('_', " ")),
        y_label: v.objective.replace('_', " "),
        series,
        ..Default::default()
    })?;
    let rows = v
        .curve
        .iter()
        .map(|p| {
            vec![
                Cell::Number(p.tolerance),
                cell(p.deterministic_objective),
                cell(p.randomized_objective),
            ]
        })
        .collect();
    s.items.push(Item::Figure(
        chart,
        Table {
            caption: "Trade-off curve".into(),
            header: vec![
                "tolerance".into(),
                "one threshold per group".into(),
                "randomized".into(),
            ],
            rows,
            notes: vec![],
        },
    ));
    Ok(s)
}
