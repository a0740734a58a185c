//! The HTML page of `audit-ranking`: each group's share of exposure against its share of items
//! (bars), the headline numbers and the per-group table, from the report model only.

use anyhow::Result;
use serde_json::Value as Json;

use crate::ranking::report::{Block, RankingReport};
use crate::render::chart::{self, Bar, Bars};
use crate::render::html::{Cell, Item, Page, Section, Table};

fn value(b: &Block, name: &str) -> Result<f64, String> {
    match b.metrics.get(name) {
        Some(Json::Number(n)) => n.as_f64().ok_or_else(|| "not a number".into()),
        _ => Err(b
            .undefined
            .get(name)
            .and_then(|v| v.as_str())
            .unwrap_or("not computed")
            .to_string()),
    }
}

fn cell(b: &Block, name: &str) -> Cell {
    match b.metrics.get(name) {
        Some(Json::Number(n)) if n.is_u64() => Cell::Amount(n.as_f64().unwrap_or(0.0)),
        _ => Cell::value(value(b, name)),
    }
}

pub fn page(r: &RankingReport) -> Result<Page> {
    let mut sections = Vec::new();
    // Share of exposure vs share of items, per group.
    let mut bars = Vec::new();
    let mut rows = Vec::new();
    for g in &r.by_group {
        for (what, name) in [
            ("exposure", "share_of_exposure"),
            ("items", "share_of_items"),
        ] {
            bars.push(Bar {
                label: format!("{} · {what}", g.group),
                value: value(&g.block, name),
                interval: None,
                flagged: false,
            });
        }
        rows.push(vec![
            Cell::text(&g.group),
            cell(&g.block, "share_of_exposure"),
            cell(&g.block, "share_of_items"),
        ]);
    }
    let c = chart::bars(&Bars {
        name: chart::slug(&[&r.group_column, "share-of-exposure"]),
        title: format!("Share of exposure vs share of items by {}", r.group_column),
        desc: "For each group, its share of all exposure (position-weighted attention) next to its share of the ranked items; equal bars mean exposure in proportion to presence.".into(),
        x_label: "share".into(),
        bars,
        rules: Vec::new(),
        band: None,
        x_range: Some((0.0, 1.0)),
        interval_label: String::new(),
    })?;
    let mut s = Section::new("Exposure by group");
    s.items.push(Item::Figure(
        c,
        Table {
            caption: "Share of exposure and of items".into(),
            header: vec![
                r.group_column.clone(),
                "share_of_exposure".into(),
                "share_of_items".into(),
            ],
            rows,
            notes: vec![],
        },
    ));
    sections.push(s);
    // Headline numbers.
    let mut s = Section::new("Over all queries");
    let rows = r
        .overall
        .metrics
        .keys()
        .map(|k| vec![Cell::text(k), cell(&r.overall, k)])
        .collect();
    s.items.push(Item::Table(Table {
        caption: "Every overall number (the --fail-if names)".into(),
        header: vec!["metric".into(), "value".into()],
        rows,
        notes: vec![],
    }));
    sections.push(s);
    // Per group.
    let mut s = Section::new("By group");
    let names: Vec<String> = r
        .by_group
        .first()
        .map(|g| g.block.metrics.keys().cloned().collect())
        .unwrap_or_default();
    let mut header = vec![r.group_column.clone()];
    header.extend(names.iter().cloned());
    let rows = r
        .by_group
        .iter()
        .map(|g| {
            let mut row = vec![Cell::text(&g.group)];
            row.extend(names.iter().map(|n| cell(&g.block, n)));
            row
        })
        .collect();
    s.items.push(Item::Table(Table {
        caption: "Every number per group".into(),
        header,
        rows,
        notes: vec![],
    }));
    sections.push(s);
    let inputs = inputs_table(
        "queries",
        r.inputs.iter().map(|i| {
            (
                i.file.as_str(),
                i.rows,
                i.queries,
                format!(
                    "query {}, {} {}, group {}{}",
                    i.query_column,
                    i.order,
                    i.order_column,
                    i.group_column,
                    i.relevance_column
                        .as_ref()
                        .map(|c| format!(", relevance {c}"))
                        .unwrap_or_default()
                ),
            )
        }),
    );
    Ok(Page {
        command: r.command.clone(),
        subject: r
            .inputs
            .iter()
            .map(|i| i.file.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        passed: r.passed,
        gates: r.gates.clone(),
        inputs,
        settings: crate::render::html::settings_list(&r.settings),
        warnings: r.warnings.clone(),
        sections,
    })
}

/// The "Inputs" table of an audit-ranking page: per file its rows, its lists (`unit`: queries
/// or prompts) and the columns read.
pub(super) fn inputs_table<'a>(
    unit: &str,
    files: impl Iterator<Item = (&'a str, usize, usize, String)>,
) -> Table {
    Table {
        caption: "Inputs".into(),
        header: vec!["file".into(), "rows".into(), unit.into(), "columns".into()],
        rows: files
            .map(|(file, rows, lists, columns)| {
                vec![
                    Cell::text(file),
                    Cell::Amount(rows as f64),
                    Cell::Amount(lists as f64),
                    Cell::text(columns),
                ]
            })
            .collect(),
        notes: vec![],
    }
}
