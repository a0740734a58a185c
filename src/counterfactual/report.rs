//! The `audit-counterfactual` report model (docs/report-schema.md, "audit-counterfactual"), its
//! flat view of numbers, gate lookup and renderings (table, Markdown, CSV; JSON from serde).

use std::collections::BTreeSet;
use std::fmt::Write as _;

use anyhow::{bail, Result};
use serde::Serialize;
use serde_json::{Map, Value as Json};

use super::distribution::Scope as DistScope;
use super::figures::Figures;
use super::load::Matching;
use super::pairs::ParityRow;
use crate::gate::{GateResult, Gateable, Level, Number, Observation, Scope};
use crate::render::{fmt_num, grid, Dropped, Rendered, ReportFormat, Warning};

#[derive(Debug, Clone, Serialize)]
pub struct InputInfo {
    pub path: String,
    pub rows: u64,
    /// The column of each flag used.
    pub columns: Map<String, Json>,
    pub dropped: Vec<Dropped>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub matching: Option<Matching>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ValueReport {
    pub value: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttributeReport {
    pub attribute: String,
    #[serde(flatten)]
    pub figures: Figures,
    /// One entry per variant value (against the originals of its ids).
    pub values: Vec<ValueReport>,
    /// Counterfactual parity (--score) between each value and the originals, and between every
    /// two values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub parity: Vec<ParityRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PairsReport {
    /// `pred`, `score` or `answer`.
    pub measure: String,
    /// --score: the thresholds (the first one's figures carry plain names, the others `@T`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub thresholds: Vec<f64>,
    /// What each rate divides by.
    pub denominators: Map<String, Json>,
    pub overall: Figures,
    pub attributes: Vec<AttributeReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DistributionReport {
    pub column: String,
    /// The values (observed, and any the target names), in order.
    pub values: Vec<String>,
    /// The target share of each value.
    pub target: Vec<f64>,
    /// `uniform over the observed values` or `--target`.
    pub target_source: String,
    pub prompts: Vec<DistScope>,
    pub pooled: DistScope,
    pub mean_over_prompts: Figures,
}

#[derive(Debug, Clone, Serialize)]
pub struct CounterfactualReport {
    pub schema_version: u32,
    pub command: String,
    pub fairaudit_version: String,
    pub settings: Map<String, Json>,
    pub input: InputInfo,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pairs: Option<PairsReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub distribution: Option<DistributionReport>,
    pub warnings: Vec<Warning>,
    pub gates: Vec<GateResult>,
    pub passed: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plots: Vec<crate::render::html::PlotFile>,
    #[serde(skip)]
    pub side_files: Vec<crate::render::SideFile>,
}

/// Where a scope's figures sit in the flat view.
pub struct Place {
    pub level: Level,
    pub attribute: Option<String>,
    pub group: Option<String>,
}

impl CounterfactualReport {
    /// Every scope's figures with its place, in report order.
    pub fn scopes(&self) -> Vec<(Place, &Figures)> {
        let mut out = Vec::new();
        let place = |level, a: Option<&str>, g: Option<&str>| Place {
            level,
            attribute: a.map(str::to_string),
            group: g.map(str::to_string),
        };
        if let Some(p) = &self.pairs {
            for a in &p.attributes {
                out.push((
                    place(Level::Attribute, Some(&a.attribute), None),
                    &a.figures,
                ));
                for v in &a.values {
                    out.push((
                        place(Level::Group, Some(&a.attribute), Some(&v.value)),
                        &v.figures,
                    ));
                }
            }
            out.push((place(Level::Overall, None, None), &p.overall));
        }
        if let Some(d) = &self.distribution {
            out.push((place(Level::Input, None, None), &d.mean_over_prompts));
            for s in &d.prompts {
                out.push((
                    place(Level::Group, Some("prompt"), s.prompt.as_deref()),
                    &s.figures,
                ));
            }
            out.push((place(Level::Overall, None, None), &d.pooled.figures));
        }
        out
    }

    /// The same, mutable (the bootstrap attaches intervals), in the same order.
    pub fn scopes_mut(&mut self) -> Vec<&mut Figures> {
        let mut out = Vec::new();
        if let Some(p) = &mut self.pairs {
            for a in &mut p.attributes {
                out.push(&mut a.figures);
                for v in &mut a.values {
                    out.push(&mut v.figures);
                }
            }
            out.push(&mut p.overall);
        }
        if let Some(d) = &mut self.distribution {
            out.push(&mut d.mean_over_prompts);
            for s in &mut d.prompts {
                out.push(&mut s.figures);
            }
            out.push(&mut d.pooled.figures);
        }
        out
    }

    /// The flat view of every number.
    pub fn numbers(&self) -> Vec<Number> {
        let mut out = Vec::new();
        for (p, f) in self.scopes() {
            for fig in &f.list {
                let mut n = Number::new(
                    &self.input.path,
                    p.level,
                    p.attribute.as_deref(),
                    p.group.as_deref(),
                    &fig.name,
                    fig.value.clone(),
                );
                n.interval = fig.interval.clone();
                out.push(n);
            }
        }
        out
    }
}

/// Whether `name` (or `name@T`) is a count.
pub fn is_count(name: &str) -> bool {
    COUNTS.contains(&name.split('@').next().unwrap_or(name))
}

/// Numbers that never get an interval: counts and p-values (`mod.rs` attaches none).
pub fn has_no_interval(name: &str) -> bool {
    let base = name.split('@').next().unwrap_or(name);
    COUNTS.contains(&base) || base.starts_with("mcnemar_p")
}

impl Gateable for CounterfactualReport {
    /// Names are the figures' names (`flip_rate`, `mean_abs_delta`, `strict_parity`,
    /// `answer_change_rate`, `total_variation`, ...), `.lower` / `.upper` for an interval end
    /// (--bootstrap). Scopes: an attribute (`gender:`), a value (`gender=woman:`), `overall:`;
    /// for distributions `prompt=P:` and `overall:` (pooled).
    fn observe(&self, scope: &Scope, name: &str) -> Result<Vec<Observation>> {
        let (base, end) = crate::gate::interval_end(name);
        let numbers = self.numbers();
        let known: BTreeSet<&str> = numbers.iter().map(|n| n.metric.as_str()).collect();
        if !known.contains(base) {
            let list: Vec<&str> = known.iter().copied().collect();
            let hint = crate::input::closest_name(base, &list)
                .map(|c| format!("did you mean '{c}'? "))
                .unwrap_or_default();
            bail!(
                "'{base}' is not in this report; {hint}known: {}",
                list.join(", ")
            );
        }
        if end.is_some() && numbers.iter().all(|n| n.interval.is_none()) {
            bail!("'{name}' is an interval end; run with --bootstrap N for intervals");
        }
        match scope {
            Scope::Attribute(a) | Scope::Group(a, _)
                if !numbers
                    .iter()
                    .any(|n| n.attribute.as_deref() == Some(a.as_str())) =>
            {
                let attrs: BTreeSet<&str> = numbers
                    .iter()
                    .filter_map(|n| n.attribute.as_deref())
                    .collect();
                bail!(
                    "'{a}' is not an attribute of this report; attributes: {}",
                    attrs.into_iter().collect::<Vec<_>>().join(", ")
                );
            }
            Scope::Group(a, g)
                if !numbers.iter().any(|n| {
                    n.attribute.as_deref() == Some(a.as_str()) && n.group.as_deref() == Some(g)
                }) =>
            {
                bail!("'{a}' has no value '{g}' in this report");
            }
            _ => {}
        }
        let found = crate::gate::select(&numbers, scope, base, end, name);
        if !found.is_empty() {
            return Ok(found);
        }
        // Nothing to check: say why rather than pass a gate that checked nothing.
        let values = crate::gate::select(&numbers, scope, base, None, name);
        if !values.is_empty() {
            bail!(
                "'{name}' has no interval in that scope: '{base}' is {}; gate on '{base}' itself",
                if has_no_interval(base) {
                    "a count (or a p-value), which describes the sample and gets no bootstrap interval"
                } else {
                    "undefined there, so it has no interval"
                }
            );
        }
        let mut at: Vec<String> = Vec::new();
        for n in numbers.iter().filter(|n| n.metric == base) {
            let s = match (n.level, &n.attribute, &n.group) {
                (Level::Overall, _, _) => "overall:".to_string(),
                (Level::Input, _, _) => "no scope".to_string(),
                (_, Some(a), Some(g)) => format!("{a}={g}:"),
                (_, Some(a), None) => format!("{a}:"),
                _ => continue,
            };
            if !at.contains(&s) {
                at.push(s);
            }
        }
        let shown = at.len().min(6);
        bail!(
            "'{base}' has no value in that scope ({}); it is reported at: {}{}",
            match scope {
                Scope::All => "no scope: every attribute or prompt".to_string(),
                Scope::Overall => "overall:".to_string(),
                Scope::Attribute(a) => format!("{a}:"),
                Scope::Group(a, g) => format!("{a}={g}:"),
            },
            at[..shown].join(", "),
            if at.len() > shown { ", ..." } else { "" }
        );
    }
}

pub fn render(
    r: &CounterfactualReport,
    format: ReportFormat,
    page: Option<&crate::render::html::Page>,
) -> Result<Rendered> {
    crate::render::render_with(
        r,
        format,
        r.passed,
        &r.gates,
        crate::render::ReportInfo {
            command: r.command.clone(),
            inputs: vec![r.input.path.clone()],
            warnings: r.warnings.clone(),
        },
        || csv(r),
        |md| text(r, md),
        page,
    )
}

/// Long format: `level,attribute,group,metric,value,lower,upper,note` — one row per number of
/// the flat view (note: why it is undefined).
fn csv(r: &CounterfactualReport) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "level",
        "attribute",
        "group",
        "metric",
        "value",
        "lower",
        "upper",
        "note",
    ])?;
    for n in r.numbers() {
        let level = match n.level {
            Level::Input => "input",
            Level::Attribute => "attribute",
            Level::Group => "group",
            Level::Overall => "overall",
        };
        let [value, lo, hi, _] = crate::render::csv_cells(&n);
        let note = match (&n.value, &n.interval) {
            (Err(why), _) => why.clone(),
            (_, Some(Err(why))) => format!("interval: {why}"),
            _ => String::new(),
        };
        w.write_record([
            level,
            n.attribute.as_deref().unwrap_or(""),
            n.group.as_deref().unwrap_or(""),
            &n.metric,
            &value,
            &lo,
            &hi,
            &note,
        ])?;
    }
    // What the JSON holds besides the scopes' numbers: the parity comparisons, and each
    // prompt's observed shares and the target.
    if let Some(p) = &r.pairs {
        for a in &p.attributes {
            for x in &a.parity {
                let group = format!("{} vs {}", x.a, x.b);
                let why = "no pair with both scores";
                for (metric, v) in [
                    ("ids", Some(x.ids as f64)),
                    ("strict_parity", x.strict_parity),
                    ("weak_parity_signed", x.weak_parity),
                ] {
                    let value = v.map_or(String::new(), |v| crate::render::csv_num(Some(v)));
                    let note = if v.is_none() { why } else { "" };
                    w.write_record(["parity", &a.attribute, &group, metric, &value, "", "", note])?;
                }
            }
        }
    }
    if let Some(d) = &r.distribution {
        for (v, t) in d.values.iter().zip(&d.target) {
            w.write_record([
                "input",
                "",
                "",
                &format!("target_share:{v}"),
                &crate::render::csv_num(Some(*t)),
                "",
                "",
                "",
            ])?;
        }
        for s in d.prompts.iter().chain(std::iter::once(&d.pooled)) {
            let (level, attribute) = match &s.prompt {
                Some(_) => ("group", "prompt"),
                None => ("overall", ""),
            };
            for (v, x) in d.values.iter().zip(&s.observed) {
                w.write_record([
                    level,
                    attribute,
                    s.prompt.as_deref().unwrap_or(""),
                    &format!("share:{v}"),
                    &x.map_or(String::new(), |x| crate::render::csv_num(Some(x))),
                    "",
                    "",
                    if x.is_none() {
                        "no row with a value"
                    } else {
                        ""
                    },
                ])?;
            }
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// A figure as a cell: the value (counts as integers), `—` when undefined, its interval after.
fn cell(f: &Figures, name: &str) -> String {
    let Some(fig) = f.list.iter().find(|x| x.name == name) else {
        return String::new();
    };
    let v = match &fig.value {
        Ok(v) if is_count(name) => crate::render::fmt_count(*v as u64),
        Ok(v) if name.starts_with("mcnemar_p") => crate::render::fmt_p(Some(*v)),
        Ok(v) => fmt_num(Some(*v)),
        Err(_) => "—".into(),
    };
    match &fig.interval {
        Some(Ok([lo, hi])) => format!("{v} [{}, {}]", fmt_num(Some(*lo)), fmt_num(Some(*hi))),
        _ => v,
    }
}

const COUNTS: &[&str] = &[
    "pairs",
    "flips",
    "changes",
    "images",
    "score_pairs",
    "accuracy_pairs",
    "decision_pairs",
    "answer_pairs",
    "mcnemar_b",
    "mcnemar_c",
    "positive_to_negative",
    "negative_to_positive",
];

/// The columns the tables show (those present), in this order.
const SHOWN: &[&str] = &[
    "pairs",
    "flip_rate",
    "positive_to_negative_rate",
    "negative_to_positive_rate",
    "positive_to_negative_share",
    "negative_to_positive_share",
    "answer_change_rate",
    "mean_delta",
    "mean_abs_delta",
    "max_abs_delta",
    "share_over_epsilon",
    "strict_parity",
    "weak_parity",
    "accuracy",
    "accuracy_change",
    "mcnemar_p_value_holm",
];

fn text(r: &CounterfactualReport, markdown: bool) -> String {
    let mut out = String::new();
    let heading = |out: &mut String, t: &str| {
        if markdown {
            let _ = writeln!(out, "## {}\n", crate::render::markdown_text(t));
        } else {
            let _ = writeln!(out, "{t}");
        }
    };
    if markdown {
        let _ = writeln!(out, "# fairaudit {}\n", r.command);
    }
    let shown_path = if markdown {
        crate::render::markdown_text(&r.input.path)
    } else {
        r.input.path.clone()
    };
    let _ = writeln!(
        out,
        "{shown_path}: {} rows",
        crate::render::fmt_count(r.input.rows)
    );
    if let Some(m) = &r.input.matching {
        let _ = writeln!(
            out,
            "{} ids paired; left out: {} without an original row, {} with several, {} without a variant",
            m.ids_paired, m.ids_without_original, m.ids_with_several_originals, m.ids_without_variant
        );
    }
    for d in &r.input.dropped {
        let _ = writeln!(out, "dropped: {} rows ({})", d.rows, d.reason);
    }
    out.push('\n');
    if let Some(p) = &r.pairs {
        let mut names: Vec<String> = SHOWN
            .iter()
            .filter(|n| {
                p.overall.get(n).is_some()
                    || p.attributes
                        .iter()
                        .any(|a| a.values.iter().any(|v| v.figures.get(n).is_some()))
            })
            .map(|n| n.to_string())
            .collect();
        if p.thresholds.len() > 1 {
            for t in &p.thresholds[1..] {
                names.push(format!("flip_rate@{t}"));
            }
        }
        for a in &p.attributes {
            heading(&mut out, &format!("attribute {}", a.attribute));
            let mut header = vec!["value".to_string()];
            header.extend(names.iter().map(|n| n.to_string()));
            let mut rows: Vec<Vec<String>> = a
                .values
                .iter()
                .map(|v| {
                    let mut row = vec![v.value.clone()];
                    row.extend(names.iter().map(|n| cell(&v.figures, n)));
                    row
                })
                .collect();
            let mut row = vec![format!("({})", a.attribute)];
            row.extend(names.iter().map(|n| cell(&a.figures, n)));
            rows.push(row);
            out.push_str(&grid(&header, &rows, markdown, &[], 0));
            if !a.parity.is_empty() {
                if markdown {
                    // Two GFM tables need a blank line between them, or they merge.
                    out.push('\n');
                }
                let header = crate::render::header(&[
                    "a",
                    "b",
                    "ids",
                    "strict_parity (W1)",
                    "weak_parity (a − b)",
                ]);
                let rows: Vec<Vec<String>> = a
                    .parity
                    .iter()
                    .map(|x| {
                        vec![
                            x.a.clone(),
                            x.b.clone(),
                            crate::render::fmt_count(x.ids),
                            fmt_num(x.strict_parity),
                            fmt_num(x.weak_parity),
                        ]
                    })
                    .collect();
                out.push_str(&grid(&header, &rows, markdown, &[], 0));
            }
            out.push('\n');
        }
        heading(&mut out, "overall");
        let header = crate::render::header(&["metric", "value"]);
        let rows: Vec<Vec<String>> = p
            .overall
            .list
            .iter()
            .map(|f| vec![f.name.clone(), cell(&p.overall, &f.name)])
            .collect();
        out.push_str(&grid(&header, &rows, markdown, &[], 0));
        for (k, v) in &p.denominators {
            let _ = writeln!(
                out,
                "{}{k}: {}",
                if markdown { "\n" } else { "" },
                v.as_str().unwrap_or("")
            );
        }
        out.push('\n');
    }
    if let Some(d) = &r.distribution {
        heading(
            &mut out,
            &format!("distribution of {}: observed shares", d.column),
        );
        let mut header = vec!["prompt".to_string(), "images".into(), "missing".into()];
        header.extend(d.values.iter().cloned());
        let mut rows = Vec::new();
        let mut target = vec!["(target)".to_string(), String::new(), String::new()];
        target.extend(d.target.iter().map(|t| fmt_num(Some(*t))));
        rows.push(target);
        let scopes: Vec<&DistScope> = d.prompts.iter().chain(std::iter::once(&d.pooled)).collect();
        let label = |s: &DistScope| s.prompt.clone().unwrap_or_else(|| "(pooled)".into());
        for s in &scopes {
            let mut row = vec![
                label(s),
                crate::render::fmt_count(s.images),
                crate::render::fmt_count(s.missing),
            ];
            row.extend(s.observed.iter().map(|x| fmt_num(*x)));
            rows.push(row);
        }
        out.push_str(&grid(&header, &rows, markdown, &[], 0));
        out.push('\n');
        heading(
            &mut out,
            &format!("distribution of {}: distance from the target", d.column),
        );
        let mut header = vec!["prompt".to_string()];
        header.extend(super::distribution::MEASURES.iter().map(|m| m.to_string()));
        let mut rows = Vec::new();
        for s in &scopes {
            let mut row = vec![label(s)];
            row.extend(
                super::distribution::MEASURES
                    .iter()
                    .map(|m| cell(&s.figures, m)),
            );
            rows.push(row);
        }
        let mut row = vec!["(mean over prompts)".to_string()];
        row.extend(
            super::distribution::MEASURES
                .iter()
                .map(|m| cell(&d.mean_over_prompts, &format!("mean_{m}"))),
        );
        rows.push(row);
        out.push_str(&grid(&header, &rows, markdown, &[], 0));
        let _ = writeln!(
            out,
            "{}target: {}",
            if markdown { "\n" } else { "" },
            d.target_source
        );
        out.push('\n');
    }
    // Why nulls are null.
    let mut undefined = Map::new();
    for (p, f) in r.scopes() {
        for fig in &f.list {
            if let Err(why) = &fig.value {
                let at = [p.attribute.as_deref(), p.group.as_deref()]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join("=");
                let key = if at.is_empty() {
                    fig.name.clone()
                } else {
                    format!("{at}:{}", fig.name)
                };
                undefined.insert(key, Json::String(why.clone()));
            }
        }
    }
    out.push_str(&crate::render::undefined_notes(&undefined, markdown));
    out.push_str(&crate::render::gates_and_warnings(
        &r.gates,
        &r.warnings,
        markdown,
        !markdown && crate::render::use_colour(),
    ));
    out
}
