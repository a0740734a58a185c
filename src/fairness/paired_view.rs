//! The typed results of the paired comparisons (`--baseline`: [`Comparison`];
//! `--reference-decisions`: [`Dominance`]) and their text tables. Built by `compare.rs` and
//! `dominance.rs`; this file imports no report type, so `report.rs` can render it.

use std::fmt::Write as _;

use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::render::html::{Cell, Item, Section, Table};
use crate::render::{csv_num, fmt_count, fmt_num, fmt_p, grid, markdown_text, note_lines};

/// What the flip rates divide by, as the report states it.
pub const FLIP_DENOMINATORS: &str = "flip_rate: flips / rows compared; positive_to_negative_rate: positive → negative flips / the baseline's positives; negative_to_positive_rate: negative → positive flips / the baseline's negatives; *_share: the same flips / rows compared (TensorFlow Model Analysis' PosToNegFlipRate / NegToPosFlipRate); weighted with --weight";

/// The group figures of the comparison a gate can read (besides `delta.<metric>`).
pub const GROUP_NAMES: [&str; 7] = [
    "flip_rate",
    "positive_to_negative_rate",
    "negative_to_positive_rate",
    "positive_to_negative_share",
    "negative_to_positive_share",
    "mcnemar_p_value",
    "mcnemar_p_value_holm",
];

/// The comparison of one input with its baseline.
#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub file: String,
    /// The baseline's column (and file, with `--baseline-file`).
    pub baseline: String,
    /// Rows with both decisions: every figure here is over them.
    pub rows_compared: u64,
    /// Audited rows without a baseline decision (missing, unmatched, a duplicated id).
    pub rows_left_out: u64,
    pub flip_denominators: String,
    /// McNemar's family for Holm's correction.
    pub holm_family: String,
    pub overall: ComparedGroup,
    pub attributes: Vec<ComparedAttribute>,
}

/// One attribute (or intersection): its groups, and the change of each disparity.
#[derive(Debug, Clone, Serialize)]
pub struct ComparedAttribute {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    pub groups: Vec<ComparedGroup>,
    /// Each disparity's change.
    #[serde(flatten)]
    pub changes: Changes,
    pub undefined: Map<String, Json>,
}

/// The changes of a group's metrics or an attribute's disparities, over the compared rows.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Changes {
    /// Name → audited − baseline.
    pub delta: Map<String, Json>,
    /// With --bootstrap: name → paired percentile interval of the change.
    pub delta_bootstrap: Map<String, Json>,
    /// The baseline's own values.
    pub baseline: Map<String, Json>,
}

impl Changes {
    /// Keeps the names (and `delta.` names) `keep` accepts, here and in `undefined`.
    pub fn retain(&mut self, undefined: &mut Map<String, Json>, keep: impl Fn(&str) -> bool) {
        let keep = |k: &String| keep(k.trim_start_matches("delta."));
        self.delta.retain(|k, _| keep(k));
        self.delta_bootstrap.retain(|k, _| keep(k));
        self.baseline.retain(|k, _| keep(k));
        undefined.retain(|k, _| keep(k));
    }
}

/// One group's flips, McNemar test and changes.
#[derive(Debug, Clone, Serialize)]
pub struct ComparedGroup {
    pub group: String,
    pub n: u64,
    /// Rows (weights with --weight) whose decision differs, by direction.
    pub flips: f64,
    pub positive_to_negative: f64,
    pub negative_to_positive: f64,
    /// The baseline's positive and negative decisions (the rates' denominators).
    pub baseline_positives: f64,
    pub baseline_negatives: f64,
    /// McNemar's discordant pairs (rows): only the audited decision right / only the baseline's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_audited_correct: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub only_baseline_correct: Option<u64>,
    /// flip rates and shares, mcnemar_p_value, mcnemar_p_value_holm (null with a reason).
    pub metrics: Map<String, Json>,
    /// Each metric's change.
    #[serde(flatten)]
    pub changes: Changes,
    pub undefined: Map<String, Json>,
}

/// `--reference-decisions`: the audited decisions against a reference decision-maker's on the
/// same rows, measure by measure.
#[derive(Debug, Clone, Serialize)]
pub struct Dominance {
    pub file: String,
    /// The reference decisions' column.
    pub reference: String,
    pub rows_compared: u64,
    pub rows_left_out: u64,
    pub measures: Vec<Measure>,
    /// The audited decisions are at least as good on every measure and better on one; `null`
    /// when a measure is undefined (the reason in `undefined`).
    pub dominates: Option<bool>,
    /// The reference is at least as good on every measure and better on one.
    pub reference_dominates: Option<bool>,
    /// Share of paired bootstrap replicates in which the audited decisions dominate (a
    /// replicate with an undefined measure counts as not dominating).
    pub dominance_probability: Option<f64>,
    pub replicates: usize,
    pub seed: u64,
    pub undefined: Map<String, Json>,
}

/// One measure of a dominance check.
#[derive(Debug, Clone, Serialize)]
pub struct Measure {
    /// The metric (an overall metric) or disparity (of `attribute`).
    pub measure: String,
    pub attribute: Option<String>,
    pub higher_is_better: bool,
    pub audited: Option<f64>,
    pub reference: Option<f64>,
    /// `audited`, `reference` or `tie`; `null` when either value is undefined.
    pub better: Option<String>,
    /// Share of replicates in which the audited decisions are at least as good on it.
    pub probability_audited_at_least_as_good: Option<f64>,
}

/// The changes the comparison table shows (all are in JSON and CSV): per group, then per
/// attribute. Label-free audits have only the first of each.
const GROUP_DELTAS: [(&str, &str); 4] = [
    ("selection_rate", "Δ sel"),
    ("true_positive_rate", "Δ TPR"),
    ("false_positive_rate", "Δ FPR"),
    ("accuracy", "Δ acc"),
];
const DISPARITY_DELTAS: [&str; 3] = [
    "demographic_parity_difference",
    "equalized_odds_difference",
    "demographic_parity_ratio",
];

fn get(m: &Map<String, Json>, k: &str) -> Option<f64> {
    m.get(k).and_then(Json::as_f64)
}

fn signed(v: Option<f64>) -> String {
    match v {
        Some(x) if x > 0.0 => format!("+{}", fmt_num(Some(x))),
        other => fmt_num(other),
    }
}

/// A change with its paired interval when there is one: `-0.1158 [-0.15, -0.08]`.
fn change(delta: &Map<String, Json>, intervals: &Map<String, Json>, k: &str) -> String {
    let mut s = signed(get(delta, k));
    if let Some(Json::Array(iv)) = intervals.get(k) {
        let _ = write!(
            s,
            " [{}, {}]",
            signed(iv[0].as_f64()),
            signed(iv[1].as_f64())
        );
    }
    s
}

impl ComparedGroup {
    /// The flips table's row: group, n, flip rates (and McNemar's p-values with a label).
    fn flips_row(&self, labelled: bool) -> Vec<String> {
        let m = &self.metrics;
        let mut row = vec![
            self.group.clone(),
            fmt_count(self.n),
            fmt_num(get(m, "flip_rate")),
            fmt_num(get(m, "positive_to_negative_rate")),
            fmt_num(get(m, "negative_to_positive_rate")),
        ];
        if labelled {
            row.push(fmt_p(get(m, "mcnemar_p_value")));
            row.push(fmt_p(get(m, "mcnemar_p_value_holm")));
        }
        row
    }

    /// The changes table's row: group, then each change (with its paired interval).
    fn changes_row(&self, deltas: &[(&str, &str)]) -> Vec<String> {
        let mut row = vec![self.group.clone()];
        for (k, _) in deltas {
            row.push(change(
                &self.changes.delta,
                &self.changes.delta_bootstrap,
                k,
            ));
        }
        row
    }
}

/// The terminal / Markdown tables of the comparisons and dominance checks.
pub fn text(
    comparisons: &[Comparison],
    dominance: &[Dominance],
    many: bool,
    markdown: bool,
) -> String {
    let mut out = String::new();
    let heading = |out: &mut String, title: String| {
        if markdown {
            let _ = writeln!(out, "## {}\n", markdown_text(&title));
        } else {
            let _ = writeln!(out, "{title}");
        }
    };
    for c in comparisons {
        let labelled = c.overall.only_audited_correct.is_some();
        let deltas: Vec<(&str, &str)> = GROUP_DELTAS
            .iter()
            .copied()
            .filter(|(k, _)| labelled || *k == "selection_rate")
            .collect();
        let file = if many {
            format!(" — {}", c.file)
        } else {
            String::new()
        };
        heading(
            &mut out,
            format!(
                "Against the baseline `{}`{file}: {} rows compared",
                c.baseline,
                fmt_count(c.rows_compared)
            ),
        );
        let mut header: Vec<String> = ["group", "n", "flips", "+→−", "−→+"]
            .map(String::from)
            .to_vec();
        if labelled {
            header.extend(["McNemar p", "Holm p"].map(String::from));
        }
        let mut changes_header = vec!["group".to_string()];
        changes_header.extend(deltas.iter().map(|(_, h)| h.to_string()));
        for a in &c.attributes {
            if markdown {
                let _ = writeln!(out, "\n### {}\n", markdown_text(&a.name));
            } else {
                let _ = writeln!(out, "\n{}", a.name);
            }
            let groups = a.groups.iter().chain([&c.overall]);
            let rows: Vec<Vec<String>> = groups.clone().map(|g| g.flips_row(labelled)).collect();
            out.push_str(&grid(&header, &rows, markdown, &[], 0));
            if markdown {
                // Two tables: a blank line apart, or Markdown reads them as one.
                out.push('\n');
            }
            let rows: Vec<Vec<String>> = groups.map(|g| g.changes_row(&deltas)).collect();
            out.push_str(&grid(&changes_header, &rows, markdown, &[], 0));
            let lines: Vec<String> = DISPARITY_DELTAS
                .iter()
                .filter(|k| a.changes.delta.contains_key(**k))
                .filter(|k| labelled || !k.starts_with("equalized_odds"))
                .map(|k| {
                    format!(
                        "Δ {k} = {} (baseline {})",
                        change(&a.changes.delta, &a.changes.delta_bootstrap, k),
                        fmt_num(get(&a.changes.baseline, k))
                    )
                })
                .collect();
            out.push_str(&note_lines(&lines, markdown));
        }
        let mut notes = vec![
            "flips = share of rows whose decision differs; +→− = positive → negative flips / the baseline's positives; −→+ = negative → positive flips / the baseline's negatives".to_string(),
            "Δ = audited − baseline on the rows compared (with --bootstrap: [paired percentile interval])".to_string(),
        ];
        if labelled {
            notes.push("McNemar p: exact two-sided test of the rows only one decision gets right; Holm p: corrected within the attribute".into());
        }
        if c.rows_left_out > 0 {
            notes.push(format!(
                "{} audited rows have no baseline decision and are left out of this comparison",
                fmt_count(c.rows_left_out)
            ));
        }
        out.push_str(&note_lines(&notes, markdown));
        out.push('\n');
    }
    for d in dominance {
        let file = if many {
            format!(" — {}", d.file)
        } else {
            String::new()
        };
        heading(
            &mut out,
            format!(
                "Against the reference decisions `{}`{file}: {} rows compared",
                d.reference,
                fmt_count(d.rows_compared)
            ),
        );
        let header: Vec<String> = [
            "measure",
            "better is",
            "audited",
            "reference",
            "better",
            "P(≥)",
        ]
        .map(String::from)
        .to_vec();
        let rows: Vec<Vec<String>> = d
            .measures
            .iter()
            .map(|m| {
                vec![
                    m.attribute
                        .as_ref()
                        .map_or(m.measure.clone(), |a| format!("{a}: {}", m.measure)),
                    if m.higher_is_better {
                        "higher"
                    } else {
                        "lower"
                    }
                    .into(),
                    fmt_num(m.audited),
                    fmt_num(m.reference),
                    m.better.clone().unwrap_or_else(|| "—".into()),
                    fmt_num(m.probability_audited_at_least_as_good),
                ]
            })
            .collect();
        out.push('\n');
        out.push_str(&grid(&header, &rows, markdown, &[], 0));
        let verdict = match (d.dominates, d.reference_dominates) {
            (Some(true), _) => "the audited decisions dominate the reference".to_string(),
            (Some(false), Some(true)) => {
                "the reference dominates the audited decisions".to_string()
            }
            (Some(false), _) => {
                "neither dominates: each is better on some measure (or they tie)".to_string()
            }
            (None, _) => "undefined: a measure is undefined for a decision-maker".to_string(),
        };
        let notes = vec![
            format!(
                "{verdict}; probability that the audited decisions dominate: {} ({} paired bootstrap replicates, seed {}); P(≥) = share of replicates in which the audited decisions are at least as good on the measure",
                fmt_num(d.dominance_probability),
                d.replicates,
                d.seed
            ),
        ];
        out.push_str(&note_lines(&notes, markdown));
        out.push('\n');
    }
    out
}

/// CSV rows (file, attribute, group, metric, value, note) of the comparisons and dominance
/// checks (docs/report-schema.md lists them).
pub fn csv_rows(comparisons: &[Comparison], dominance: &[Dominance]) -> Vec<[String; 6]> {
    let mut out: Vec<[String; 6]> = Vec::new();
    let why =
        |u: &Map<String, Json>, k: &str| u.get(k).and_then(Json::as_str).unwrap_or("").to_string();
    // One row; `place` is (file, attribute, group).
    let row = |out: &mut Vec<[String; 6]>,
               place: [&str; 3],
               metric: String,
               value: Option<f64>,
               note: String| {
        out.push([
            place[0].into(),
            place[1].into(),
            place[2].into(),
            metric,
            csv_num(value),
            note,
        ]);
    };
    let ends = |out: &mut Vec<[String; 6]>, place: [&str; 3], intervals: &Map<String, Json>| {
        for (k, v) in intervals {
            for (end, x) in ["lower", "upper"]
                .iter()
                .zip(v.as_array().into_iter().flatten())
            {
                row(
                    out,
                    place,
                    format!("delta.{k}.{end}"),
                    x.as_f64(),
                    String::new(),
                );
            }
        }
    };
    for c in comparisons {
        let group = |out: &mut Vec<[String; 6]>, attr: &str, g: &ComparedGroup| {
            let place = [c.file.as_str(), attr, g.group.as_str()];
            let counts = [
                ("flips", Some(g.flips)),
                ("positive_to_negative", Some(g.positive_to_negative)),
                ("negative_to_positive", Some(g.negative_to_positive)),
                ("baseline_positives", Some(g.baseline_positives)),
                ("baseline_negatives", Some(g.baseline_negatives)),
                (
                    "only_audited_correct",
                    g.only_audited_correct.map(|k| k as f64),
                ),
                (
                    "only_baseline_correct",
                    g.only_baseline_correct.map(|k| k as f64),
                ),
            ];
            for (k, v) in counts.iter().filter(|c| c.1.is_some()) {
                row(out, place, k.to_string(), *v, String::new());
            }
            for (k, v) in &g.metrics {
                row(out, place, k.clone(), v.as_f64(), why(&g.undefined, k));
            }
            for (k, v) in &g.changes.delta {
                let key = format!("delta.{k}");
                let note = why(&g.undefined, &key);
                row(out, place, key, v.as_f64(), note);
            }
            ends(out, place, &g.changes.delta_bootstrap);
            for (k, v) in &g.changes.baseline {
                row(
                    out,
                    place,
                    format!("baseline.{k}"),
                    v.as_f64(),
                    String::new(),
                );
            }
        };
        group(&mut out, "", &c.overall);
        for a in &c.attributes {
            for g in &a.groups {
                group(&mut out, &a.name, g);
            }
            let place = [c.file.as_str(), a.name.as_str(), ""];
            for (k, v) in &a.changes.delta {
                let key = format!("delta.{k}");
                let note = why(&a.undefined, &key);
                row(&mut out, place, key, v.as_f64(), note);
            }
            ends(&mut out, place, &a.changes.delta_bootstrap);
        }
    }
    let flag = |b: Option<bool>| b.map(|b| if b { 1.0 } else { 0.0 });
    for d in dominance {
        let whole = [d.file.as_str(), "", "(dominance)"];
        for m in &d.measures {
            let place = [
                d.file.as_str(),
                m.attribute.as_deref().unwrap_or(""),
                "(dominance)",
            ];
            let note = m
                .better
                .as_ref()
                .map(|b| format!("better: {b}"))
                .unwrap_or_default();
            row(
                &mut out,
                place,
                format!("dominance.audited.{}", m.measure),
                m.audited,
                note.clone(),
            );
            row(
                &mut out,
                place,
                format!("dominance.reference.{}", m.measure),
                m.reference,
                note,
            );
            row(
                &mut out,
                place,
                format!(
                    "dominance.probability_audited_at_least_as_good.{}",
                    m.measure
                ),
                m.probability_audited_at_least_as_good,
                String::new(),
            );
        }
        row(
            &mut out,
            whole,
            "dominates".into(),
            flag(d.dominates),
            why(&d.undefined, "dominates"),
        );
        row(
            &mut out,
            whole,
            "reference_dominates".into(),
            flag(d.reference_dominates),
            String::new(),
        );
        row(
            &mut out,
            whole,
            "dominance_probability".into(),
            d.dominance_probability,
            format!("{} replicates, seed {}", d.replicates, d.seed),
        );
    }
    out
}

fn cell(v: Option<f64>, why: &str) -> Cell {
    v.map_or(Cell::Undefined(why.into()), Cell::Number)
}

/// The HTML sections: one table per attribute of each comparison, one per dominance check.
pub fn sections(comparisons: &[Comparison], dominance: &[Dominance]) -> Vec<Section> {
    let mut out = Vec::new();
    for c in comparisons {
        let labelled = c.overall.only_audited_correct.is_some();
        let mut s = Section::new(format!("Against the baseline {} — {}", c.baseline, c.file));
        s.items.push(Item::Note(format!(
            "{} rows compared; {} audited rows without a baseline decision left out. Δ = audited − baseline.",
            fmt_count(c.rows_compared),
            fmt_count(c.rows_left_out)
        )));
        for a in &c.attributes {
            let mut header: Vec<String> = [
                "group",
                "n",
                "flip rate",
                "positive → negative",
                "negative → positive",
            ]
            .map(String::from)
            .to_vec();
            if labelled {
                header.extend(["McNemar p", "Holm p"].map(String::from));
            }
            let deltas: Vec<&str> = GROUP_DELTAS
                .iter()
                .map(|d| d.0)
                .filter(|k| labelled || *k == "selection_rate")
                .collect();
            header.extend(deltas.iter().map(|k| format!("Δ {k}")));
            let row = |g: &ComparedGroup| {
                let m = &g.metrics;
                let u = |k: &str| {
                    g.undefined
                        .get(k)
                        .and_then(Json::as_str)
                        .unwrap_or("undefined")
                        .to_string()
                };
                let mut cells = vec![
                    Cell::text(&g.group),
                    Cell::Amount(g.n as f64),
                    cell(get(m, "flip_rate"), &u("flip_rate")),
                    cell(
                        get(m, "positive_to_negative_rate"),
                        &u("positive_to_negative_rate"),
                    ),
                    cell(
                        get(m, "negative_to_positive_rate"),
                        &u("negative_to_positive_rate"),
                    ),
                ];
                if labelled {
                    for k in ["mcnemar_p_value", "mcnemar_p_value_holm"] {
                        cells.push(match get(m, k) {
                            Some(p) if crate::render::is_tiny(p) => Cell::text(fmt_p(Some(p))),
                            v => cell(v, &u(k)),
                        });
                    }
                }
                for k in &deltas {
                    cells.push(match g.changes.delta_bootstrap.get(*k) {
                        // With --bootstrap: the change and its paired interval.
                        Some(_) => {
                            Cell::text(change(&g.changes.delta, &g.changes.delta_bootstrap, k))
                        }
                        None => cell(get(&g.changes.delta, k), &u(&format!("delta.{k}"))),
                    });
                }
                cells
            };
            let mut rows: Vec<Vec<Cell>> = a.groups.iter().map(row).collect();
            rows.push(row(&c.overall));
            let notes = DISPARITY_DELTAS
                .iter()
                .filter(|k| a.changes.delta.contains_key(**k))
                .map(|k| {
                    format!(
                        "Δ {k} = {} (baseline {})",
                        change(&a.changes.delta, &a.changes.delta_bootstrap, k),
                        fmt_num(get(&a.changes.baseline, k))
                    )
                })
                .collect();
            s.items.push(Item::Table(Table {
                caption: a.name.clone(),
                header,
                rows,
                notes,
            }));
        }
        out.push(s);
    }
    for d in dominance {
        let mut s = Section::new(format!(
            "Against the reference decisions {} — {}",
            d.reference, d.file
        ));
        let rows = d
            .measures
            .iter()
            .map(|m| {
                vec![
                    Cell::text(
                        m.attribute
                            .as_ref()
                            .map_or(m.measure.clone(), |a| format!("{a}: {}", m.measure)),
                    ),
                    Cell::text(if m.higher_is_better {
                        "higher"
                    } else {
                        "lower"
                    }),
                    cell(m.audited, "undefined"),
                    cell(m.reference, "undefined"),
                    m.better.as_ref().map_or(Cell::Empty, Cell::text),
                    cell(m.probability_audited_at_least_as_good, "undefined"),
                ]
            })
            .collect();
        s.items.push(Item::Table(Table {
            caption: "measures".into(),
            header: ["measure", "better is", "audited", "reference", "better", "P(audited at least as good)"].map(String::from).to_vec(),
            rows,
            notes: vec![format!(
                "dominates: {}; probability of dominance {} ({} paired bootstrap replicates, seed {})",
                d.dominates.map_or("undefined".to_string(), |b| if b { "yes".into() } else { "no".into() }),
                fmt_num(d.dominance_probability),
                d.replicates,
                d.seed
            )],
        }));
        out.push(s);
    }
    out
}
