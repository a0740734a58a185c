//! The reward report as an HTML page (`--format html`) and charts (`--plot DIR`): per input its
//! headline numbers, then one section per panel the report has — accuracy per subset with its
//! intervals, the RewardBench / RewardBench 2 / RM-Bench section scores, RM-Bench's 3×3 style
//! matrix, accuracy by length-difference bin against the "pick the longer" baseline, the
//! reliability diagram of σ(chosen − rejected), accuracy per group, the best-of-n curves with
//! Gao et al.'s fit and its peak, the ensemble's preference strength, policy win rates against
//! the Elo-expected ones, counterfactual invariance and the `--compare` panel.
//!
//! Every chart is drawn from the report model's own numbers and its table shows them (as the
//! JSON report has them); the only numbers drawn and not in a table are the fitted Gao curve
//! (from α, β and the n = 1 gold score) and the ensemble whiskers (mean margin ± mean std).

use anyhow::Result;
use serde_json::{Map, Value as Json};

use super::report::{
    BestOfNPanel, CalibrationPanel, ComparisonPanel, CounterfactualPanel, EnsemblePanel,
    GroupPanel, LengthPanel, PolicyPanel, RewardInput, RewardReport, RmBenchPanel,
};
use crate::render::chart::{self, Bar, Bars, Heatmap, Lines, Mark, Rule, Series};
use crate::render::fmt_amount;
use crate::render::html::{Cell, Item, Page, Section, Table};

const SHARE: &str = "share of pairs, 0–1";

/// The page of a reward report.
pub fn page(r: &RewardReport) -> Result<Page> {
    let mut sections = Vec::new();
    for inp in &r.inputs {
        sections.extend(input_sections(r, inp)?);
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

fn inputs_table(inputs: &[RewardInput]) -> Table {
    Table {
        caption: "Files read and the columns used".into(),
        header: ["file", "format", "read as", "rows read", "used", "columns"]
            .map(String::from)
            .to_vec(),
        rows: inputs
            .iter()
            .map(|i| {
                vec![
                    Cell::text(&i.path),
                    Cell::text(&i.format),
                    Cell::text(&i.kind),
                    Cell::Amount(i.rows_read as f64),
                    Cell::Amount(i.pairs_used as f64),
                    Cell::text(columns_text(i)),
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
            .chain(std::iter::once(
                "used: pairs (RM-Bench and RewardBench 2 records, best-of-n and policy responses, counterfactual score pairs) with every score present.".to_string(),
            ))
            .collect(),
    }
}

fn columns_text(i: &RewardInput) -> String {
    if let Some(c) = &i.columns {
        let mut parts = vec![
            format!("chosen {}", c.chosen),
            format!("rejected {}", c.rejected),
        ];
        for (flag, v) in [("id", &c.id), ("subset", &c.subset)] {
            if let Some(v) = v {
                parts.push(format!("{flag} {v}"));
            }
        }
        if let (Some(a), Some(b)) = (&c.chosen_length, &c.rejected_length) {
            parts.push(format!("lengths {a} / {b}"));
        }
        if !c.groups.is_empty() {
            parts.push(format!("groups {}", c.groups.join(", ")));
        }
        return parts.join("; ");
    }
    if let Some(b) = &i.best_of_n {
        return b
            .columns
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect::<Vec<_>>()
            .join("; ");
    }
    "—".into()
}

/// Why `k` is undefined, from an `undefined` map.
fn why(undefined: &Map<String, Json>, k: &str) -> String {
    undefined
        .get(k)
        .and_then(Json::as_str)
        .unwrap_or("undefined")
        .to_string()
}

/// A typed panel value, or undefined with the panel's reason.
fn value(v: Option<f64>, undefined: &Map<String, Json>, k: &str) -> Result<f64, String> {
    v.ok_or_else(|| why(undefined, k))
}

/// One row of a two-column table of a panel's headline numbers (`number`, `value`): its JSON
/// name and its value, or undefined with the panel's reason.
fn number_row(k: &str, v: Option<f64>, undefined: &Map<String, Json>) -> Vec<Cell> {
    vec![Cell::text(k), Cell::value(value(v, undefined, k))]
}

/// A JSON number as a cell: counts with separators, reals to 4 decimals, null undefined.
fn json_cell(v: &Json, reason: impl FnOnce() -> String) -> Cell {
    match v {
        Json::Number(n) if n.is_u64() || n.is_i64() => Cell::Amount(n.as_f64().unwrap_or(0.0)),
        Json::Number(n) => n
            .as_f64()
            .map_or_else(|| Cell::Undefined(reason()), Cell::Number),
        _ => Cell::Undefined(reason()),
    }
}

fn interval_cell(i: Option<(f64, f64)>) -> Cell {
    i.map_or(Cell::Empty, |(a, b)| Cell::Interval(a, b))
}

fn json_pair(v: Option<&Json>) -> Option<(f64, f64)> {
    let a = v?.as_array()?;
    Some((a.first()?.as_f64()?, a.get(1)?.as_f64()?))
}

/// A headline number's bootstrap interval.
fn interval(inp: &RewardInput, k: &str) -> Option<(f64, f64)> {
    json_pair(inp.intervals.get(k))
}

/// A headline number, or why it is undefined; `None` when the report has no such number.
fn headline(inp: &RewardInput, k: &str) -> Option<Result<f64, String>> {
    inp.metrics
        .get(k)
        .map(|v| v.as_f64().ok_or_else(|| why(&inp.undefined, k)))
}

/// The reason a rate over some pairs is missing (the model has no reason field there).
fn rate_reason(pairs: u64, ties: Option<u64>) -> String {
    if pairs == 0 {
        "no pairs (0/0)".into()
    } else if ties == Some(pairs) {
        "every pair is a tie and ties are excluded (0/0)".into()
    } else {
        "undefined".into()
    }
}

/// An input's file name without directory and extensions, as a chart-name prefix (`pairs`).
fn stem(inp: &RewardInput) -> String {
    let name = inp.path.rsplit(['/', '\\']).next().unwrap_or(&inp.path);
    let name = name.split_once('.').map_or(name, |(a, _)| a);
    chart::slug(&[name])
}

fn rules_at(inp: &RewardInput, key: &str, label: &str) -> Vec<Rule> {
    match headline(inp, key) {
        Some(Ok(v)) => vec![Rule {
            at: v,
            label: format!("{label} {v:.4}"),
        }],
        _ => Vec::new(),
    }
}

fn input_sections(r: &RewardReport, inp: &RewardInput) -> Result<Vec<Section>> {
    // With several inputs, chart names start with the input's file stem.
    let stem = if r.inputs.len() > 1 {
        stem(inp)
    } else {
        String::new()
    };
    let name = |parts: &[&str]| {
        let mut all = vec![stem.as_str()];
        all.extend_from_slice(parts);
        chart::slug(&all)
    };
    let heading = |what: &str| format!("{what} — {}", inp.path);
    let mut out = Vec::new();
    let mut s = Section::new(heading(&format!("Headline numbers ({})", inp.kind)));
    s.items.push(Item::Table(headline_table(inp)));
    out.push(s);

    let only_all = inp.subsets.len() == 1 && inp.subsets[0].subset == "(all)";
    if !inp.subsets.is_empty() && !only_all {
        let mut s = Section::new(heading("Accuracy per subset"));
        s.items
            .push(subsets_figure(r, inp, name(&["subset-accuracy"]))?);
        out.push(s);
    }
    for (prefix, title, slug) in [
        (
            "rewardbench",
            "RewardBench sections",
            "rewardbench-sections",
        ),
        (
            "rewardbench2",
            "RewardBench 2 subsets",
            "rewardbench2-sections",
        ),
        (
            "rm_bench",
            "RM-Bench domains and difficulty",
            "rm-bench-sections",
        ),
    ] {
        if let Some(item) = sections_figure(r, inp, prefix, title, name(&[slug]))? {
            let mut s = Section::new(heading(title));
            s.items.push(item);
            if prefix == "rewardbench" {
                if let Some(p) = &inp.rewardbench {
                    s.items
                        .push(Item::Note(format!("Subset weights: {}.", p.weights)));
                    if !p.missing_subsets.is_empty() {
                        s.items.push(Item::Note(format!(
                            "Core subsets not in the file (their sections use the others): {}.",
                            p.missing_subsets.join(", ")
                        )));
                    }
                }
            }
            if prefix == "rewardbench2" {
                if let Some(t) = inp
                    .rewardbench2
                    .as_ref()
                    .and_then(|p| p.ties_details.as_ref())
                {
                    let rows = [
                        ("correctness_margin_score", t.correctness_margin_score),
                        ("correctness_preferred", t.correctness_preferred),
                        ("correctness_preferred_hard", t.correctness_preferred_hard),
                        ("ref_accuracy", t.ref_accuracy),
                        ("tied_accuracy", t.tied_accuracy),
                    ]
                    .into_iter()
                    .map(|(k, v)| vec![Cell::text(k), Cell::value(value(v, &t.undefined, k))])
                    .collect();
                    s.items.push(Item::Table(Table {
                        caption: "The Ties composite's parts".into(),
                        header: vec!["part".into(), "value".into()],
                        rows,
                        notes: vec![],
                    }));
                }
            }
            if prefix == "rm_bench" {
                if let Some(p) = &inp.rm_bench {
                    s.items
                        .insert(0, style_matrix_figure(p, name(&["rm-bench-style-matrix"]))?);
                    s.items.push(Item::Table(domain_matrices(p)));
                }
            }
            out.push(s);
        }
    }
    if let Some(p) = &inp.length {
        let mut s = Section::new(heading("Length bias"));
        s.items.extend(length_items(
            inp,
            p,
            name(&["length-accuracy-by-difference"]),
        )?);
        out.push(s);
    }
    if let Some(p) = &inp.calibration {
        let mut s = Section::new(heading("Calibration of σ(chosen − rejected)"));
        s.items
            .extend(calibration_items(p, name(&["calibration-reliability"]))?);
        out.push(s);
    }
    for g in &inp.groups {
        let mut s = Section::new(heading(&format!("Groups by {}", g.column)));
        s.items.extend(group_items(
            r,
            inp,
            g,
            name(&["group", &g.column, "accuracy"]),
        )?);
        out.push(s);
    }
    if let Some(p) = &inp.best_of_n {
        let mut s = Section::new(heading("Best-of-n over-optimisation"));
        s.items.extend(best_of_n_items(p, name(&["best-of-n"]))?);
        out.push(s);
    }
    if let Some(p) = &inp.ensemble {
        let mut s = Section::new(heading("Ensemble of reward models"));
        s.items.extend(ensemble_items(r, p, &name)?);
        out.push(s);
    }
    if let Some(p) = &inp.policy {
        let mut s = Section::new(heading("Policy models"));
        s.items.extend(policy_items(p, &name)?);
        out.push(s);
    }
    if let Some(p) = &inp.counterfactual {
        let mut s = Section::new(heading("Counterfactual invariance"));
        s.items.extend(counterfactual_items(p, &name)?);
        out.push(s);
    }
    if let Some(p) = &inp.comparison {
        let mut s = Section::new(heading(&format!("Compared with {}", p.other)));
        s.items
            .extend(comparison_items(p, name(&["compare-discordant"]))?);
        out.push(s);
    }
    Ok(out)
}

/// The 0–1 axis of a share, unless a value (a published figure in per cent, a composite score)
/// lies outside it: then the axis follows the data.
fn share_axis(bars: &[Bar]) -> Option<(f64, f64)> {
    let inside = |x: f64| (-1e-9..=1.0 + 1e-9).contains(&x);
    bars.iter()
        .all(|b| {
            b.value.as_ref().map_or(true, |v| inside(*v))
                && b.interval.is_none_or(|(lo, hi)| inside(lo) && inside(hi))
        })
        .then_some((0.0, 1.0))
}

fn headline_table(inp: &RewardInput) -> Table {
    let has_intervals = !inp.intervals.is_empty();
    let mut header = vec!["number".to_string(), "value".into()];
    if has_intervals {
        header.push("bootstrap interval".into());
    }
    let rows = inp
        .metrics
        .iter()
        .map(|(k, v)| {
            let mut row = vec![Cell::text(k), json_cell(v, || why(&inp.undefined, k))];
            if has_intervals {
                row.push(interval_cell(interval(inp, k)));
            }
            row
        })
        .collect();
    Table {
        caption: "Every headline number (the --fail-if names)".into(),
        header,
        rows,
        notes: vec![],
    }
}

fn subsets_figure(r: &RewardReport, inp: &RewardInput, name: String) -> Result<Item> {
    let bars: Vec<Bar> = inp
        .subsets
        .iter()
        .map(|s| Bar {
            label: s.subset.clone(),
            value: s.accuracy.ok_or_else(|| {
                s.undefined
                    .clone()
                    .unwrap_or_else(|| rate_reason(s.pairs.unwrap_or(0), s.ties))
            }),
            interval: s.interval.map(|[a, b]| (a, b)),
            flagged: false,
        })
        .collect();
    let has_intervals = bars.iter().any(|b| b.interval.is_some());
    let x_range = share_axis(&bars);
    let chart = chart::bars(&Bars {
        name,
        title: format!("Accuracy per subset ({})", inp.path),
        desc: format!(
            "One bar per subset: the share of pairs ranked right (ties per --ties {}){}; dashed line: overall accuracy.",
            r.settings.ties,
            if has_intervals {
                format!(
                    ", whiskers: bootstrap {:.0}% interval ({} replicates, prompts resampled)",
                    r.settings.confidence * 100.0,
                    r.settings.bootstrap
                )
            } else {
                String::new()
            }
        ),
        x_label: format!("accuracy ({SHARE})"),
        bars,
        rules: rules_at(inp, "accuracy", "overall accuracy"),
        x_range,
        ..Default::default()
    })?;
    let mut header = vec![
        "subset".to_string(),
        "pairs".into(),
        "ties".into(),
        "accuracy".into(),
    ];
    if has_intervals {
        header.push(format!(
            "{:.0}% bootstrap interval",
            r.settings.confidence * 100.0
        ));
    }
    let count = |v: Option<u64>| v.map_or(Cell::Empty, |n| Cell::Amount(n as f64));
    let rows = inp
        .subsets
        .iter()
        .map(|s| {
            let mut row = vec![
                Cell::text(&s.subset),
                count(s.pairs),
                count(s.ties),
                match s.accuracy {
                    Some(a) => Cell::Number(a),
                    None => Cell::Undefined(
                        s.undefined
                            .clone()
                            .unwrap_or_else(|| rate_reason(s.pairs.unwrap_or(0), s.ties)),
                    ),
                },
            ];
            if has_intervals {
                row.push(interval_cell(s.interval.map(|[a, b]| (a, b))));
            }
            row
        })
        .collect();
    let mut notes = Vec::new();
    if inp.kind == "accuracies" {
        notes.push("Published accuracies: the file gives no pair counts.".into());
    }
    if inp.kind == "candidates" {
        notes.push("pairs: records (a prompt with its candidates); accuracy: best-of-k, the correct answers scored above every incorrect one.".into());
    }
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Accuracy per subset".into(),
            header,
            rows,
            notes,
        },
    ))
}

/// The order a benchmark's numbers are drawn in (numbers not listed, such as RM-Bench's
/// domains, first, as the report has them).
fn section_order(prefix: &str) -> &'static [&'static str] {
    match prefix {
        "rewardbench" => &[
            "chat",
            "chat_hard",
            "safety",
            "reasoning",
            "prior_sets",
            "score_with_prior_sets",
            "micro_accuracy",
            "score",
        ],
        "rewardbench2" => &[
            "factuality",
            "precise_if",
            "math",
            "safety",
            "focus",
            "ties",
            "score",
        ],
        _ => &["easy", "normal", "hard", "score"],
    }
}

/// Bars of a benchmark's headline numbers `PREFIX.NAME` (one level; `score` drawn as a rule).
fn sections_figure(
    r: &RewardReport,
    inp: &RewardInput,
    prefix: &str,
    title: &str,
    name: String,
) -> Result<Option<Item>> {
    let mut keys: Vec<(&str, &str)> = inp
        .metrics
        .keys()
        .filter_map(|k| {
            let rest = k.strip_prefix(prefix)?.strip_prefix('.')?;
            (!rest.contains('.')).then_some((k.as_str(), rest))
        })
        .collect();
    if keys.is_empty() {
        return Ok(None);
    }
    let order = section_order(prefix);
    let rank = |s: &str| order.iter().position(|x| *x == s).map_or(0, |i| i + 1);
    keys.sort_by_key(|(_, s)| rank(s));
    let bars: Vec<Bar> = keys
        .iter()
        .filter(|(_, s)| *s != "score")
        .map(|(k, s)| Bar {
            label: s.to_string(),
            value: headline(inp, k).unwrap_or_else(|| Err("not computed".into())),
            interval: interval(inp, k),
            flagged: false,
        })
        .collect();
    let score_label = match prefix {
        "rewardbench" => "RewardBench score (mean of the four sections)",
        "rewardbench2" => "RewardBench 2 score (mean of the subsets)",
        _ => "RM-Bench score (mean of easy, normal, hard)",
    };
    let has_intervals = bars.iter().any(|b| b.interval.is_some());
    let x_range = share_axis(&bars);
    let chart = chart::bars(&Bars {
        name,
        title: format!("{title} ({})", inp.path),
        desc: format!(
            "One bar per section as the benchmark scores it{}; dashed line: the overall score.",
            if has_intervals {
                format!(
                    ", whiskers: bootstrap {:.0}% interval",
                    r.settings.confidence * 100.0
                )
            } else {
                String::new()
            }
        ),
        x_label: "accuracy (share, 0–1)".into(),
        bars,
        rules: rules_at(inp, &format!("{prefix}.score"), "score"),
        x_range,
        ..Default::default()
    })?;
    let mut header = vec!["number".to_string(), "value".into()];
    if has_intervals {
        header.push(format!(
            "{:.0}% bootstrap interval",
            r.settings.confidence * 100.0
        ));
    }
    let rows = keys
        .iter()
        .map(|(k, _)| {
            let mut row = vec![
                Cell::text(*k),
                Cell::value(headline(inp, k).unwrap_or_else(|| Err("not computed".into()))),
            ];
            if has_intervals {
                row.push(interval_cell(interval(inp, k)));
            }
            row
        })
        .collect();
    let notes = if prefix == "rm_bench" {
        vec!["easy: chosen response more formatted than the rejected one; normal: same style; hard: chosen less formatted (averaged over domains).".into()]
    } else {
        vec![score_label.to_string()]
    };
    Ok(Some(Item::Figure(
        chart,
        Table {
            caption: title.into(),
            header,
            rows,
            notes,
        },
    )))
}

fn style_matrix_figure(p: &RmBenchPanel, name: String) -> Result<Item> {
    let styles: Vec<String> = p.styles.iter().map(|s| s.to_string()).collect();
    let chart = chart::heatmap(&Heatmap {
        name,
        title: "RM-Bench style matrix: accuracy by chosen × rejected style".into(),
        desc: "Share of records whose chosen response in the row's style outscores the rejected response in the column's style, over all records; outlined: the hard cells (chosen less formatted than rejected).".into(),
        x_label: "rejected response's style".into(),
        y_label: "chosen response's style".into(),
        columns: styles.clone(),
        rows: styles.clone(),
        cells: p
            .matrix
            .iter()
            .map(|r| r.iter().map(|v| Some(*v)).collect())
            .collect(),
        marked: vec![(0, 1), (0, 2), (1, 2)],
        range: Some((0.0, 1.0)),
        decimals: 4,
    })?;
    let mut header = vec!["chosen \\ rejected".to_string()];
    header.extend(styles.iter().cloned());
    let rows = styles
        .iter()
        .zip(&p.matrix)
        .map(|(s, r)| {
            let mut row = vec![Cell::text(s)];
            row.extend(r.iter().map(|v| Cell::Number(*v)));
            row
        })
        .collect();
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Style matrix (all records)".into(),
            header,
            rows,
            notes: vec![format!(
                "easy (below the diagonal) {:.4}, normal (diagonal) {:.4}, hard (above) {:.4}: means over domains.",
                p.easy, p.normal, p.hard
            )],
        },
    ))
}

fn domain_matrices(p: &RmBenchPanel) -> Table {
    let mut header = vec![
        "domain".to_string(),
        "records".into(),
        "chosen style".into(),
    ];
    header.extend(p.styles.iter().map(|s| format!("vs {s}")));
    header.extend(["easy", "normal", "hard", "score"].map(String::from));
    let mut rows = Vec::new();
    for d in &p.domains {
        for (i, s) in p.styles.iter().enumerate() {
            let mut row = if i == 0 {
                vec![Cell::text(&d.domain), Cell::Amount(d.records as f64)]
            } else {
                vec![Cell::Empty, Cell::Empty]
            };
            row.push(Cell::text(*s));
            row.extend(d.matrix[i].iter().map(|v| Cell::Number(*v)));
            if i == 0 {
                row.extend([d.easy, d.normal, d.hard, d.score].map(Cell::Number));
            } else {
                row.extend([Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty]);
            }
            rows.push(row);
        }
    }
    Table {
        caption: "Style matrix per domain (rows: chosen style; columns: rejected style)".into(),
        header,
        rows,
        notes: vec![],
    }
}

fn length_items(inp: &RewardInput, p: &LengthPanel, name: String) -> Result<Vec<Item>> {
    let unit = inp
        .columns
        .as_ref()
        .and_then(|c| c.length_unit.clone())
        .unwrap_or_else(|| "length units as given".into());
    let label = |b: &super::report::LengthBin| {
        format!(
            "{} to {}",
            fmt_amount(Some(b.lower)),
            fmt_amount(Some(b.upper))
        )
    };
    let bars: Vec<Bar> = p
        .by_length_difference
        .iter()
        .map(|b| Bar {
            label: label(b),
            value: b.accuracy.ok_or_else(|| rate_reason(b.pairs, None)),
            interval: None,
            flagged: false,
        })
        .collect();
    let mut rules = rules_at(inp, "accuracy", "overall accuracy");
    if let Some(v) = p.longer_baseline_accuracy {
        rules.push(Rule {
            at: v,
            label: format!("pick the longer response {v:.4}"),
        });
    }
    let chart = chart::bars(&Bars {
        name,
        title: format!("Accuracy by length difference ({})", inp.path),
        desc: "One bar per equal-mass bin of the length difference chosen − rejected (negative: the chosen response is shorter); dashed lines: the overall accuracy and the accuracy of always picking the longer response.".into(),
        x_label: format!("accuracy ({SHARE})"),
        bars,
        rules,
        x_range: Some((0.0, 1.0)),
        ..Default::default()
    })?;
    let rows = p
        .by_length_difference
        .iter()
        .map(|b| {
            vec![
                Cell::Amount(b.lower),
                Cell::Amount(b.upper),
                Cell::Amount(b.pairs as f64),
                b.accuracy
                    .map_or_else(|| Cell::Undefined(rate_reason(b.pairs, None)), Cell::Number),
            ]
        })
        .collect();
    let figure = Item::Figure(
        chart,
        Table {
            caption: format!("Accuracy per bin of chosen − rejected length ({unit})"),
            header: ["from", "to", "pairs", "accuracy"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![],
        },
    );
    let u = &p.undefined;
    let v = |x: Option<f64>, k: &str| Cell::value(value(x, u, k));
    let summary = Table {
        caption: format!("Length bias over {} pairs with both lengths", p.pairs),
        header: ["number", "value", "pairs"].map(String::from).to_vec(),
        rows: vec![
            vec![Cell::text("pearson (score vs length)"), v(p.pearson, "pearson"), Cell::Empty],
            vec![Cell::text("spearman (score vs length)"), v(p.spearman, "spearman"), Cell::Empty],
            vec![Cell::text("longer_wins"), v(p.longer_wins, "longer_wins"), Cell::Empty],
            vec![
                Cell::text("longer_baseline_accuracy"),
                v(p.longer_baseline_accuracy, "longer_baseline_accuracy"),
                Cell::Empty,
            ],
            vec![
                Cell::text("accuracy_chosen_longer"),
                v(p.accuracy_chosen_longer, "accuracy_chosen_longer"),
                Cell::Amount(p.pairs_chosen_longer as f64),
            ],
            vec![
                Cell::text("accuracy_chosen_shorter"),
                v(p.accuracy_chosen_shorter, "accuracy_chosen_shorter"),
                Cell::Amount(p.pairs_chosen_shorter as f64),
            ],
            vec![
                Cell::text("accuracy_equal_length"),
                v(p.accuracy_equal_length, "accuracy_equal_length"),
                Cell::Amount(p.pairs_equal_length as f64),
            ],
        ],
        notes: vec!["longer_wins: share of pairs where the longer response scores higher; longer_baseline_accuracy: accuracy of always picking the longer response.".into()],
    };
    Ok(vec![figure, Item::Table(summary)])
}

fn calibration_items(p: &CalibrationPanel, name: String) -> Result<Vec<Item>> {
    let chart = chart::lines(&Lines {
        name,
        title: "Reliability diagram of σ(chosen − rejected)".into(),
        desc: format!(
            "Mean top-label confidence max(p, 1 − p) against the share of pairs where the more probable response is the chosen one, in each non-empty bin of {} {} bins; the diagonal is perfect calibration.",
            p.bins, p.binning
        ),
        x_label: "mean confidence in the bin (probability, 0.5–1)".into(),
        y_label: "accuracy in the bin (share, 0–1)".into(),
        series: vec![Series {
            name: "reward model".into(),
            points: p.reliability.iter().map(|b| (b.confidence, b.accuracy)).collect(),
            mark: Mark::LineAndPoints,
            ..Default::default()
        }],
        x_range: Some((0.5, 1.0)),
        y_range: Some((0.0, 1.0)),
        diagonal: Some("perfect calibration".into()),
        ..Default::default()
    })?;
    let rows = p
        .reliability
        .iter()
        .map(|b| {
            vec![
                Cell::Number(b.lower),
                Cell::Number(b.upper),
                Cell::Amount(b.n as f64),
                Cell::Number(b.confidence),
                Cell::Number(b.accuracy),
            ]
        })
        .collect();
    let figure = Item::Figure(
        chart,
        Table {
            caption: "Reliability bins (non-empty)".into(),
            header: ["from", "to", "pairs", "mean confidence", "accuracy"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![],
        },
    );
    let u = &p.undefined;
    let rows = [
        ("ece", p.ece),
        ("mce", p.mce),
        ("log_loss", p.log_loss),
        ("brier", p.brier),
        ("temperature", p.temperature),
        ("log_loss_at_temperature", p.log_loss_at_temperature),
    ]
    .into_iter()
    .map(|(k, v)| number_row(k, v, u))
    .collect();
    let summary = Table {
        caption: "Calibration".into(),
        header: vec!["number".into(), "value".into()],
        rows,
        notes: vec!["ece / mce: expected / maximum calibration error over the bins; log_loss in nats; temperature: the T minimising the log loss of σ(margin / T).".into()],
    };
    Ok(vec![figure, Item::Table(summary)])
}

fn group_items(
    r: &RewardReport,
    inp: &RewardInput,
    g: &GroupPanel,
    name: String,
) -> Result<Vec<Item>> {
    let reason = |row: &super::report::GroupRow| {
        if r.settings.ties == "exclude" {
            rate_reason(row.pairs, Some(row.ties))
        } else {
            rate_reason(row.pairs, None)
        }
    };
    let bars: Vec<Bar> = g
        .groups
        .iter()
        .map(|row| Bar {
            label: row.group.clone(),
            value: row.accuracy.ok_or_else(|| reason(row)),
            interval: row.accuracy_interval.map(|[a, b]| (a, b)),
            flagged: false,
        })
        .collect();
    let has_intervals = bars.iter().any(|b| b.interval.is_some());
    let chart = chart::bars(&Bars {
        name,
        title: format!("Accuracy by {} ({})", g.column, inp.path),
        desc: format!(
            "One bar per group of {}{}; dashed line: overall accuracy.",
            g.column,
            if has_intervals {
                format!(
                    ", whiskers: bootstrap {:.0}% interval (prompts resampled)",
                    r.settings.confidence * 100.0
                )
            } else {
                String::new()
            }
        ),
        x_label: format!("accuracy ({SHARE})"),
        bars,
        rules: rules_at(inp, "accuracy", "overall accuracy"),
        x_range: Some((0.0, 1.0)),
        ..Default::default()
    })?;
    let mut header: Vec<String> = ["group", "pairs", "ties", "accuracy"]
        .map(String::from)
        .to_vec();
    if has_intervals {
        header.push(format!("{:.0}% interval", r.settings.confidence * 100.0));
    }
    let rows = g
        .groups
        .iter()
        .map(|row| {
            let mut cells = vec![
                Cell::text(&row.group),
                Cell::Amount(row.pairs as f64),
                Cell::Amount(row.ties as f64),
                row.accuracy
                    .map_or_else(|| Cell::Undefined(reason(row)), Cell::Number),
            ];
            if has_intervals {
                cells.push(interval_cell(row.accuracy_interval.map(|[a, b]| (a, b))));
            }
            cells
        })
        .collect();
    let figure = Item::Figure(
        chart,
        Table {
            caption: format!("Accuracy by {}", g.column),
            header,
            rows,
            notes: vec![],
        },
    );
    let not_finite = || "not finite".to_string();
    let rows = g
        .groups
        .iter()
        .map(|row| {
            let mut cells = vec![Cell::text(&row.group)];
            for v in [
                row.mean_chosen,
                row.mean_rejected,
                row.mean_margin,
                row.std_margin,
                row.median_margin,
            ] {
                cells.push(v.map_or_else(|| Cell::Undefined(not_finite()), Cell::Number));
            }
            cells
        })
        .collect();
    let scores = Table {
        caption: format!("Scores and margins by {}", g.column),
        header: [
            "group",
            "mean chosen",
            "mean rejected",
            "mean margin",
            "std margin",
            "median margin",
        ]
        .map(String::from)
        .to_vec(),
        rows,
        notes: vec!["In the file's score units; margin: chosen − rejected (std: population standard deviation).".into()],
    };
    let has_boot = !g.disparities_bootstrap.is_empty();
    let mut header = vec!["disparity".to_string(), "value".into()];
    if has_boot {
        header.push("bootstrap interval".into());
    }
    let rows = g
        .disparities
        .values()
        .iter()
        .map(|(k, v)| {
            let mut row = vec![Cell::text(*k), Cell::value(value(*v, &g.undefined, k))];
            if has_boot {
                row.push(interval_cell(
                    g.disparities_bootstrap.get(*k).map(|[a, b]| (*a, *b)),
                ));
            }
            row
        })
        .collect();
    let disparities = Table {
        caption: format!("Disparities across {}", g.column),
        header,
        rows,
        notes: vec!["difference: highest minus lowest group; ratio: lowest over highest; difference_to_overall: the largest |group − overall|.".into()],
    };
    Ok(vec![figure, Item::Table(scores), Item::Table(disparities)])
}

fn best_of_n_items(p: &BestOfNPanel, name: String) -> Result<Vec<Item>> {
    let max_kl = p.curve.iter().map(|c| c.kl).fold(0.0, f64::max);
    // The fitted peak is drawn when it is near the measured curve (else the curve would be a
    // sliver of the chart); the table has it either way.
    let peak = p
        .peak_kl
        .filter(|k| k.is_finite() && *k <= (4.0 * max_kl).max(1.0));
    let x_max = peak.map_or(max_kl, |k| k.max(max_kl)) * 1.08;
    let x_max = if x_max > 0.0 { x_max } else { 1.0 };
    let mut series = vec![
        Series {
            name: "proxy (the reward model)".into(),
            points: p.curve.iter().map(|c| (c.kl, c.proxy)).collect(),
            mark: Mark::LineAndPoints,
            colour: Some(1),
            ..Default::default()
        },
        Series {
            name: "gold".into(),
            points: p.curve.iter().map(|c| (c.kl, c.gold)).collect(),
            mark: Mark::LineAndPoints,
            colour: Some(0),
            ..Default::default()
        },
    ];
    let base = p.curve.first().map(|c| c.gold);
    if let (Some(a), Some(b), Some(g1)) = (p.alpha, p.beta, base) {
        let steps = 60;
        series.push(Series {
            name: "gold, Gao et al. fit".into(),
            points: (0..=steps)
                .map(|i| {
                    let kl = x_max * i as f64 / steps as f64;
                    let d = kl.sqrt();
                    (kl, g1 + d * (a - b * d))
                })
                .collect(),
            mark: Mark::Line,
            dashed: true,
            colour: Some(2),
        });
    }
    let rules = match (peak, p.peak_n) {
        (Some(k), Some(n)) => vec![Rule {
            at: k,
            label: format!("fitted peak: KL {k:.4} nats, n {n:.4}"),
        }],
        _ => Vec::new(),
    };
    let chart = chart::lines(&Lines {
        name,
        title: "Best-of-n: proxy and gold score against KL".into(),
        desc: format!(
            "Expected proxy and gold score of the best of n responses (by proxy), n = 1 to {}, over {} prompts, against KL_bon = log n − (n − 1)/n; dashed: the gold score at n = 1 plus Gao et al.'s fit d(α − βd), d = √KL; vertical line: the fit's peak.",
            p.max_n, p.prompts
        ),
        x_label: "KL from the base policy (nats)".into(),
        y_label: "expected score (score units)".into(),
        series,
        x_range: Some((0.0, x_max)),
        rules,
        ..Default::default()
    })?;
    let rows = p
        .curve
        .iter()
        .map(|c| {
            vec![
                Cell::Amount(c.n as f64),
                Cell::Number(c.kl),
                Cell::Number(c.proxy),
                Cell::Number(c.gold),
                Cell::Number(c.gap),
            ]
        })
        .collect();
    let figure = Item::Figure(
        chart,
        Table {
            caption: "Best-of-n curve".into(),
            header: ["n", "KL (nats)", "proxy", "gold", "gap (proxy − gold)"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![],
        },
    );
    let u = &p.undefined;
    let mut notes = vec![
        "alpha, beta: the fit of the gold gain over n = 1, d(α − βd) with d = √KL; peak_kl = (α / 2β)², peak_n its n; observed_peak_n: the n with the highest gold score.".to_string(),
    ];
    if p.peak_kl.is_some() && peak.is_none() {
        notes.push("The fitted peak is far beyond the measured KL and is not drawn.".into());
    }
    let rows = [
        ("alpha", p.alpha),
        ("beta", p.beta),
        ("r2", p.r2),
        ("peak_n", p.peak_n),
        ("peak_kl", p.peak_kl),
        ("observed_peak_n", p.observed_peak_n),
        ("gold_gain", p.gold_gain),
        ("proxy_gain", p.proxy_gain),
        ("gain_gap", p.gain_gap),
    ]
    .into_iter()
    .map(|(k, v)| number_row(k, v, u))
    .collect();
    let fit = Table {
        caption: "Gao et al. fit and gains".into(),
        header: vec!["number".into(), "value".into()],
        rows,
        notes,
    };
    Ok(vec![figure, Item::Table(fit)])
}

fn ensemble_items(
    r: &RewardReport,
    p: &EnsemblePanel,
    name: &dyn Fn(&[&str]) -> String,
) -> Result<Vec<Item>> {
    let u = &p.undefined;
    let reason = |ties: u64| {
        if r.settings.ties == "exclude" && ties > 0 {
            "every pair is a tie and ties are excluded (0/0)".to_string()
        } else {
            "undefined".to_string()
        }
    };
    let bars: Vec<Bar> = p
        .per_model
        .iter()
        .map(|m| Bar {
            label: m.model.clone(),
            value: m.accuracy.ok_or_else(|| reason(m.ties)),
            interval: json_pair(m.accuracy_interval.as_ref()),
            flagged: false,
        })
        .collect();
    let has_intervals = bars.iter().any(|b| b.interval.is_some());
    let mut rules = Vec::new();
    if let Some(v) = p.accuracy_of_mean {
        rules.push(Rule {
            at: v,
            label: format!("mean-margin ensemble {v:.4}"),
        });
    }
    let chart = chart::bars(&Bars {
        name: name(&["ensemble-accuracy"]),
        title: "Ensemble: accuracy of each reward model".into(),
        desc: format!(
            "One bar per model{}; dashed line: the accuracy of the ensemble's mean margin.",
            if has_intervals {
                ", whiskers: bootstrap interval (pairs resampled)"
            } else {
                ""
            }
        ),
        x_label: format!("accuracy ({SHARE})"),
        bars,
        rules,
        x_range: Some((0.0, 1.0)),
        ..Default::default()
    })?;
    let mut header: Vec<String> = ["model", "accuracy", "ties"].map(String::from).to_vec();
    if has_intervals {
        header.push("bootstrap interval".into());
    }
    let rows = p
        .per_model
        .iter()
        .map(|m| {
            let mut row = vec![
                Cell::text(&m.model),
                m.accuracy
                    .map_or_else(|| Cell::Undefined(reason(m.ties)), Cell::Number),
                Cell::Amount(m.ties as f64),
            ];
            if has_intervals {
                row.push(interval_cell(json_pair(m.accuracy_interval.as_ref())));
            }
            row
        })
        .collect();
    let accuracy = Item::Figure(
        chart,
        Table {
            caption: "Accuracy per model".into(),
            header,
            rows,
            notes: vec![],
        },
    );
    let label = |d: &super::report::StrengthDecile| format!("{:.2} to {:.2}", d.lower, d.upper);
    let chart = chart::bars(&Bars {
        name: name(&["ensemble-preference-strength"]),
        title: "Ensemble: preference strength by decile".into(),
        desc: "The pairs in ten equal-mass bins of the ensemble's mean margin (chosen − rejected): one bar per bin at its mean margin, whiskers ± the mean standard deviation of the models' margins; left of 0 the ensemble prefers the rejected response.".into(),
        x_label: "mean margin chosen − rejected (score units)".into(),
        bars: p
            .deciles
            .iter()
            .map(|d| Bar {
                label: label(d),
                value: Ok(d.mean_margin),
                interval: Some((d.mean_margin - d.mean_std, d.mean_margin + d.mean_std)),
                flagged: false,
            })
            .collect(),
        interval_label: "± the models' mean standard deviation".into(),
        rules: vec![Rule {
            at: 0.0,
            label: "no preference".into(),
        }],
        ..Default::default()
    })?;
    let rows = p
        .deciles
        .iter()
        .enumerate()
        .map(|(i, d)| {
            vec![
                Cell::text((i + 1).to_string()),
                Cell::Number(d.lower),
                Cell::Number(d.upper),
                Cell::Amount(d.pairs as f64),
                Cell::Number(d.mean_margin),
                Cell::Number(d.mean_std),
            ]
        })
        .collect();
    let strength = Item::Figure(
        chart,
        Table {
            caption: "Deciles of preference strength".into(),
            header: ["decile", "from", "to", "pairs", "mean margin", "mean std"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec!["from / to: the smallest and largest mean margin in the decile (score units); whiskers: mean margin ± mean std; mean std: the mean over its pairs of the models' margins' standard deviation.".into()],
        },
    );
    let mut rows: Vec<Vec<Cell>> = [
        ("accuracy_of_mean", p.accuracy_of_mean),
        ("share_contradicted", p.share_contradicted),
        ("mean_std", p.mean_std),
        ("fleiss_kappa", p.fleiss_kappa),
    ]
    .into_iter()
    .map(|(k, v)| number_row(k, v, u))
    .collect();
    for k in &p.cohen_kappa {
        rows.push(vec![
            Cell::text(format!("cohen_kappa {} / {}", k.a, k.b)),
            k.cohen_kappa
                .map_or_else(|| Cell::Undefined("undefined".into()), Cell::Number),
        ]);
    }
    let agreement = Table {
        caption: "Agreement".into(),
        header: vec!["number".into(), "value".into()],
        rows,
        notes: vec!["share_contradicted: pairs whose mean margin is negative; κ of the models' decisions (margin > 0).".into()],
    };
    Ok(vec![accuracy, strength, Item::Table(agreement)])
}

fn policy_items(p: &PolicyPanel, name: &dyn Fn(&[&str]) -> String) -> Result<Vec<Item>> {
    let reference = "the reference model".to_string();
    let with_elo = p.elo.is_some();
    let chart = if with_elo {
        let series = p
            .models
            .iter()
            .filter_map(|m| {
                Some(Series {
                    name: m.model.clone(),
                    points: vec![(m.elo_expected_win_rate?, m.win_rate_vs_reference?)],
                    mark: Mark::Points,
                    ..Default::default()
                })
            })
            .collect();
        chart::lines(&Lines {
            name: name(&["policy-win-rate-vs-elo"]),
            title: format!("Win rate against {} and the Elo-expected one", p.reference_model),
            desc: "One point per policy model: the Elo-expected win rate against the reference model (x) and the win rate its reward scores give (y); on the diagonal the reward model agrees with Elo, below it the reward model underrates the policy.".into(),
            x_label: "Elo-expected win rate (share, 0–1)".into(),
            y_label: "win rate by reward score (share, 0–1)".into(),
            series,
            x_range: Some((0.0, 1.0)),
            y_range: Some((0.0, 1.0)),
            diagonal: Some("win rate = Elo-expected".into()),
            ..Default::default()
        })?
    } else {
        chart::bars(&Bars {
            name: name(&["policy-win-rate"]),
            title: format!("Win rate against {}", p.reference_model),
            desc: "One bar per policy model: the share of shared prompts where its response scores above the reference model's.".into(),
            x_label: "win rate (share of shared prompts, 0–1)".into(),
            bars: p
                .models
                .iter()
                .map(|m| Bar {
                    label: m.model.clone(),
                    value: m.win_rate_vs_reference.ok_or_else(|| reference.clone()),
                    interval: None,
                    flagged: false,
                })
                .collect(),
            x_range: Some((0.0, 1.0)),
            ..Default::default()
        })?
    };
    let undefined =
        |v: Option<f64>| v.map_or_else(|| Cell::Undefined(reference.clone()), Cell::Number);
    let mut header: Vec<String> = vec!["model".into()];
    if with_elo {
        header.extend(["Elo", "Elo-expected win rate"].map(String::from));
    }
    header.push("win rate".into());
    if with_elo {
        header.push("mismatch".into());
    }
    let rows = p
        .models
        .iter()
        .map(|m| {
            let mut row = vec![Cell::text(&m.model)];
            if with_elo {
                row.push(m.elo.map_or(Cell::Empty, Cell::Amount));
                row.push(undefined(m.elo_expected_win_rate));
            }
            row.push(undefined(m.win_rate_vs_reference));
            if with_elo {
                row.push(undefined(m.mismatch_degree));
            }
            row
        })
        .collect();
    let figure = Item::Figure(
        chart,
        Table {
            caption: format!("Win rate against {}", p.reference_model),
            header,
            rows,
            notes: vec![format!(
                "win rate: the share of shared prompts where the model's response outscores {}'s{}.",
                p.reference_model,
                if with_elo { "; mismatch: win rate − Elo-expected win rate" } else { "" }
            )],
        },
    );
    let rows = p
        .models
        .iter()
        .map(|m| {
            vec![
                Cell::text(&m.model),
                Cell::Amount(m.responses as f64),
                Cell::Amount(m.prompts as f64),
                Cell::Amount(m.shared_prompts as f64),
                Cell::Number(m.mean_score),
            ]
        })
        .collect();
    let scores = Table {
        caption: "Responses and mean reward per policy model".into(),
        header: ["model", "responses", "prompts", "shared prompts", "mean score"]
            .map(String::from)
            .to_vec(),
        rows,
        notes: vec!["mean score in the reward model's score units; shared prompts: prompts the reference model also answered.".into()],
    };
    let mut items = vec![figure, Item::Table(scores)];
    if let Some(e) = &p.elo {
        let rows = [
            ("spearman", e.spearman),
            ("kendall", e.kendall),
            ("max_abs_mismatch", e.max_abs_mismatch),
            ("mean_mismatch", e.mean_mismatch),
        ]
        .into_iter()
        .map(|(k, v)| number_row(k, v, &p.undefined))
        .collect();
        items.push(Item::Table(Table {
            caption: "Agreement with Elo".into(),
            header: vec!["number".into(), "value".into()],
            rows,
            notes: vec![
                "spearman / kendall: rank correlation of the mean reward with the Elo rating."
                    .into(),
            ],
        }));
    }
    Ok(items)
}

fn counterfactual_items(
    p: &CounterfactualPanel,
    name: &dyn Fn(&[&str]) -> String,
) -> Result<Vec<Item>> {
    let u = &p.undefined;
    let mut items = Vec::new();
    for (metric, title, unit, overall, x_range) in [
        (
            "invariance_rate",
            "Invariance rate",
            format!("share of score pairs with |Δ| ≤ {}, 0–1", p.epsilon),
            p.invariance_rate,
            Some((0.0, 1.0)),
        ),
        (
            "mean_delta",
            "Mean score change (perturbed − original)",
            "score units".to_string(),
            p.mean_delta,
            None,
        ),
    ] {
        let bars = p
            .attributes
            .iter()
            .map(|a| Bar {
                label: a.attribute.clone(),
                value: Ok(if metric == "invariance_rate" {
                    a.invariance_rate
                } else {
                    a.mean_delta
                }),
                interval: None,
                flagged: false,
            })
            .collect();
        let rules = overall.map_or_else(Vec::new, |v| {
            vec![Rule {
                at: v,
                label: format!("all attributes {v:.4}"),
            }]
        });
        let chart = chart::bars(&Bars {
            name: name(&["counterfactual", metric]),
            title: format!("{title} by perturbed attribute"),
            desc: "One bar per perturbed attribute; dashed line: over all score pairs.".into(),
            x_label: format!("{title} ({unit})"),
            bars,
            rules,
            x_range,
            ..Default::default()
        })?;
        let rows = p
            .attributes
            .iter()
            .map(|a| {
                vec![
                    Cell::text(&a.attribute),
                    Cell::Amount(a.pairs as f64),
                    Cell::Number(a.invariance_rate),
                    Cell::Number(a.mean_abs_delta),
                    Cell::Number(a.mean_delta),
                    Cell::Number(a.max_abs_delta),
                ]
            })
            .chain(std::iter::once(vec![
                Cell::text("all attributes"),
                Cell::Empty,
                Cell::value(value(p.invariance_rate, u, "invariance_rate")),
                Cell::value(value(p.mean_abs_delta, u, "mean_abs_delta")),
                Cell::value(value(p.mean_delta, u, "mean_delta")),
                Cell::value(value(p.max_abs_delta, u, "max_abs_delta")),
            ]))
            .collect();
        items.push(Item::Figure(
            chart,
            Table {
                caption: format!("{title} per attribute"),
                header: [
                    "attribute",
                    "score pairs",
                    "invariance rate",
                    "mean |Δ|",
                    "mean Δ",
                    "max |Δ|",
                ]
                .map(String::from)
                .to_vec(),
                rows,
                notes: vec![format!(
                    "Δ = perturbed − original score (score units); invariant: |Δ| ≤ epsilon {}.",
                    p.epsilon
                )],
            },
        ));
    }
    Ok(items)
}

fn comparison_items(p: &ComparisonPanel, name: String) -> Result<Vec<Item>> {
    let chart = chart::heatmap(&Heatmap {
        name,
        title: "Discordant pairs per subset".into(),
        desc: format!("Per subset, the pairs this file ranks right and {} does not, and the reverse (McNemar's discordant pairs).", p.other),
        x_label: "which file alone ranks the pair right (pairs)".into(),
        y_label: "subset".into(),
        columns: vec!["this file".into(), "other file".into()],
        rows: p.subsets.iter().map(|s| s.subset.clone()).collect(),
        cells: p
            .subsets
            .iter()
            .map(|s| {
                vec![
                    Some(s.only_this_right as f64),
                    Some(s.only_other_right as f64),
                ]
            })
            .collect(),
        decimals: 0,
        ..Default::default()
    })?;
    let rows = p
        .subsets
        .iter()
        .map(|s| {
            vec![
                Cell::text(&s.subset),
                Cell::Amount(s.only_this_right as f64),
                Cell::Amount(s.only_other_right as f64),
                Cell::Number(s.p_value),
                Cell::Number(s.p_holm),
            ]
        })
        .chain(std::iter::once(vec![
            Cell::text("all pairs"),
            Cell::Amount(p.only_this_right as f64),
            Cell::Amount(p.only_other_right as f64),
            Cell::value(value(p.p_value, &p.undefined, "p_value")),
            Cell::Empty,
        ]))
        .collect();
    let figure = Item::Figure(
        chart,
        Table {
            caption: "McNemar's exact test per subset".into(),
            header: [
                "subset",
                "only this right",
                "only other right",
                "p",
                "p (Holm)",
            ]
            .map(String::from)
            .to_vec(),
            rows,
            notes: vec![],
        },
    );
    let u = &p.undefined;
    let rows = [
        ("accuracy_difference", p.accuracy_difference),
        ("min_p_holm", p.min_p_holm),
        ("max_abs_score_change", p.max_abs_score_change),
        ("decision_flips", p.decision_flips),
    ]
    .into_iter()
    .map(|(k, v)| number_row(k, v, u))
    .collect();
    let summary = Table {
        caption: "Comparison".into(),
        header: vec!["number".into(), "value".into()],
        rows,
        notes: vec!["accuracy_difference: this file − the other; max_abs_score_change in score units; decision_flips: pairs whose decision differs.".into()],
    };
    Ok(vec![figure, Item::Table(summary)])
}
