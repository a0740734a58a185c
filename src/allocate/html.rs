//! The allocate report as an HTML page (`--format html`) and charts (`--plot DIR`).
//!
//! - `items`, `check`: the utility matrix as a heat map with each agent's bundle outlined, the
//!   envy graph, the property checklist with each failure's witness in words, each agent's value
//!   against its maximin share.
//! - `pb`: the projects by cost and support (funded and not), the voters' satisfaction as a
//!   histogram, the EJR / PJR / priceability checklist.
//! - `shapley`: the Shapley values (with Monte Carlo intervals when sampled), the rewards paid,
//!   the core.
//!
//! Every page ends with the headline values. Everything is drawn from the report's own numbers
//! (the utilities, project costs and support and the satisfaction bins from its `chart_data`),
//! and the table beside each chart shows them.

use anyhow::Result;
use serde_json::{Map, Value as Json};

use super::metrics::Figure;
use super::report::{AllocateReport, Property};
use super::tables::{
    AgentRow, Bundle, ChartData, Funded, Input, Outcome, PbChartData, PlayerRow, UtilityMatrix,
};
use crate::render::chart::{self, Bar, Bars, Graph, Heatmap, Histogram, Lines, Mark, Rule, Series};
use crate::render::fmt_amount;
use crate::render::html::{Cell, Item, Page, Section, Table};

/// The page of an allocate report.
pub fn page(r: &AllocateReport) -> Result<Page> {
    let mut sections = match &r.input {
        Input::Items { .. } => items_sections(r)?,
        Input::Pb { .. } => pb_sections(r)?,
        Input::Shapley { .. } => shapley_sections(r)?,
        Input::None => Vec::new(),
    };
    sections.push(summary_section(r));
    Ok(Page {
        command: r.command.clone(),
        subject: r.input.path().to_string(),
        passed: r.passed,
        gates: r.gates.clone(),
        inputs: inputs_table(r),
        settings: crate::render::html::settings_list(&r.settings),
        warnings: r.warnings.clone(),
        sections,
    })
}

/// The page of `allocate pb --summary`: the summary table first, then each election's charts
/// and checklist (headed by its file; chart names prefixed with the file's name, so the
/// `--plot` files of two elections never collide). `settings`: what every row shares.
pub fn summary_page(
    reports: &[AllocateReport],
    summary: &crate::render::summary::Summary,
    settings: Vec<(String, String)>,
) -> Result<Page> {
    let mut sections = vec![crate::render::summary::section(
        summary,
        "Summary: one row per election",
        "undefined",
    )];
    for r in reports {
        let path = r.input.path();
        let stem = std::path::Path::new(path)
            .file_stem()
            .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned());
        let own = match &r.input {
            Input::Items { .. } => items_sections(r)?,
            Input::Pb { .. } => pb_sections(r)?,
            Input::Shapley { .. } => shapley_sections(r)?,
            Input::None => Vec::new(),
        };
        for mut sec in own {
            sec.heading = format!("{path} — {}", sec.heading);
            for item in &mut sec.items {
                if let Item::Figure(c, _) = item {
                    c.name = chart::slug(&[&stem, &c.name]);
                    c.title = format!("{path}: {}", c.title);
                }
            }
            sections.push(sec);
        }
    }
    let mut inputs = Table {
        caption: "Files read".into(),
        ..Default::default()
    };
    for r in reports {
        let t = inputs_table(r);
        inputs.header = t.header;
        inputs.rows.extend(t.rows);
    }
    Ok(Page {
        command: summary.command.clone(),
        subject: format!(
            "{} input{}",
            reports.len(),
            if reports.len() == 1 { "" } else { "s" }
        ),
        passed: summary.passed,
        gates: summary.gates.clone(),
        inputs,
        settings,
        warnings: summary.warnings.clone(),
        sections,
    })
}

/// A number in words: an integer with thousands separators, else 4 decimals (as the tables).
fn words(x: f64) -> String {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        fmt_amount(Some(x))
    } else if x.is_finite() {
        crate::render::fmt_num(Some(x))
    } else {
        "undefined".into()
    }
}

/// A utility, value or cost: an integer as an amount, else 4 decimals.
fn quantity(x: f64) -> Cell {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        Cell::Amount(x)
    } else {
        Cell::Number(x)
    }
}

fn json_words(v: &Json) -> String {
    match v {
        Json::Number(n) => n.as_f64().map_or_else(|| n.to_string(), words),
        Json::String(s) => s.clone(),
        Json::Null => "undefined".into(),
        Json::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Json::Array(a) => a.iter().map(json_words).collect::<Vec<_>>().join(", "),
        Json::Object(o) => o
            .iter()
            .map(|(k, v)| format!("{} {}", k.replace('_', " "), json_words(v)))
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn inputs_table(r: &AllocateReport) -> Table {
    let mut rows = Vec::new();
    match &r.input {
        Input::None => {}
        Input::Items {
            path,
            agents,
            items,
        } => {
            rows.push(vec![
                Cell::text(path),
                Cell::text("utilities"),
                Cell::text(format!("{agents} agents × {items} items")),
            ]);
            if let Some(a) = &r.settings.allocation {
                rows.push(vec![
                    Cell::text(a),
                    Cell::text("allocation (--allocation)"),
                    Cell::text("one row per item given to an agent"),
                ]);
            }
        }
        Input::Shapley {
            path,
            players,
            coalitions,
        } => rows.push(vec![
            Cell::text(path),
            Cell::text("coalition values"),
            Cell::text(format!("{players} players, {coalitions} coalitions")),
        ]),
        Input::Pb {
            path,
            projects,
            voters,
            vote_type,
        } => rows.push(vec![
            Cell::text(path),
            Cell::text("election (pabulib)"),
            Cell::text(format!(
                "{projects} projects, {voters} voters, {vote_type} ballots"
            )),
        ]),
    }
    Table {
        caption: "Files read".into(),
        header: ["file", "role", "contents"].map(String::from).to_vec(),
        rows,
        notes: Vec::new(),
    }
}

/// Why a headline value is undefined, as the report says.
fn why(r: &AllocateReport, name: &str) -> String {
    r.metrics
        .get(name)
        .and_then(|m| m.why.clone())
        .unwrap_or_else(|| "undefined".into())
}

/// Every headline value: a yes / no, a count, a number, or undefined with its reason.
fn summary_section(r: &AllocateReport) -> Section {
    let mut s = Section::new("Headline values");
    let rows = r
        .metrics
        .0
        .iter()
        .map(|m| {
            let value = match m.value {
                Figure::Holds(b) => Cell::Flag(b),
                Figure::Count(n) => Cell::Amount(n as f64),
                Figure::Number(x) if x.is_finite() => quantity(x),
                Figure::Number(_) | Figure::Undefined => {
                    Cell::Undefined(m.why.clone().unwrap_or_else(|| "undefined".into()))
                }
            };
            vec![Cell::text(&m.name), value]
        })
        .collect();
    s.items.push(Item::Table(Table {
        caption: "Every headline value (the names --fail-if reads)".into(),
        header: ["metric", "value"].map(String::from).to_vec(),
        rows,
        notes: Vec::new(),
    }));
    s
}

// ---------------------------------------------------------------------------------------------
// items, check

fn items_sections(r: &AllocateReport) -> Result<Vec<Section>> {
    let bundles: &[Bundle] = match &r.allocation {
        Outcome::Bundles(b) => b,
        Outcome::Projects(_) => &[],
    };
    let mut out = Vec::new();
    let mut s = Section::new("Allocation");
    if let Some(ChartData::Utilities(m)) = &r.chart_data {
        s.items.push(utility_figure(m, bundles)?);
    }
    s.items.push(Item::Table(bundle_table(bundles)));
    out.push(s);
    let mut s = Section::new("Envy");
    s.items.push(envy_figure(r, bundles)?);
    if r.envy_graph.is_empty() {
        s.items.push(Item::Note(if r.settings.externalities == Some(true) {
            "No agent envies another by its own utilities (the envy graph leaves the externalities out: see ext.ef under Properties).".into()
        } else {
            "No agent envies another: the allocation is envy-free.".into()
        }));
    }
    out.push(s);
    let mut s = Section::new("Properties");
    s.items.push(Item::Table(checklist(
        &r.properties,
        "Fairness and efficiency properties of the allocation",
    )));
    out.push(s);
    if !r.agents.is_empty() {
        let mut s = Section::new("Maximin shares");
        s.items.push(mms_figure(r, &r.agents)?);
        out.push(s);
    }
    Ok(out)
}

fn bundle_table(bundles: &[Bundle]) -> Table {
    Table {
        caption: "The allocation: each agent's bundle (outlined in the heat map)".into(),
        header: ["agent", "items", "value to the agent"]
            .map(String::from)
            .to_vec(),
        rows: bundles
            .iter()
            .map(|b| {
                vec![
                    Cell::text(&b.agent),
                    Cell::text(if b.items.is_empty() {
                        "(nothing)".to_string()
                    } else {
                        b.items.join(", ")
                    }),
                    quantity(b.value),
                ]
            })
            .collect(),
        notes: Vec::new(),
    }
}

/// The utility matrix, each agent's bundle outlined.
fn utility_figure(m: &UtilityMatrix, bundles: &[Bundle]) -> Result<Item> {
    let bundle_of = |agent: &str| bundles.iter().find(|b| b.agent == agent);
    let mut marked = Vec::new();
    for (i, row) in m.utilities.iter().enumerate() {
        if let Some(b) = bundle_of(&row.agent) {
            for item in &b.items {
                if let Some(j) = m.items.iter().position(|x| x == item) {
                    marked.push((i, j));
                }
            }
        }
    }
    let integral = m
        .utilities
        .iter()
        .flat_map(|r| r.values.iter())
        .all(|v| v.fract() == 0.0);
    let chart = chart::heatmap(&Heatmap {
        name: chart::slug(&["utilities"]),
        title: "Utility of each item to each agent; outlined: the agent's bundle".into(),
        desc: "One row per agent, one column per item; darker cells are worth more to the agent (utility units of the input file). A heavy outline marks the items the allocation gives to the agent of that row.".into(),
        x_label: "item".into(),
        y_label: "agent".into(),
        columns: m.items.clone(),
        rows: m.utilities.iter().map(|r| r.agent.clone()).collect(),
        cells: m
            .utilities
            .iter()
            .map(|r| {
                r.values
                    .iter()
                    .map(|v| Some(*v).filter(|v| v.is_finite()))
                    .collect()
            })
            .collect(),
        marked,
        range: None,
        decimals: if integral { 0 } else { 2 },
    })?;
    let mut header = vec!["agent".to_string()];
    header.extend(m.items.iter().cloned());
    let rows = m
        .utilities
        .iter()
        .map(|row| {
            let mut cells = vec![Cell::text(&row.agent)];
            cells.extend(row.values.iter().map(|v| quantity(*v)));
            cells
        })
        .collect();
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Utilities (rows: agents; columns: items)".into(),
            header,
            rows,
            notes: vec![
                "The value of a bundle (below) is the sum of the agent's utilities of its items."
                    .into(),
            ],
        },
    ))
}

/// The envy graph: an arrow i → j when i values j's bundle above its own, labelled by how much.
fn envy_figure(r: &AllocateReport, bundles: &[Bundle]) -> Result<Item> {
    let nodes: Vec<String> = if bundles.is_empty() {
        r.agents.iter().map(|a| a.agent.clone()).collect()
    } else {
        bundles.iter().map(|b| b.agent.clone()).collect()
    };
    let field = |e: &Json, k: &str| e.get(k).and_then(Json::as_str).map(str::to_string);
    let mut edges = Vec::new();
    let mut rows = Vec::new();
    for e in &r.envy_graph {
        let (Some(from), Some(to)) = (field(e, "from"), field(e, "to")) else {
            continue;
        };
        let envy = e.get("envy").and_then(Json::as_f64);
        if let (Some(i), Some(j)) = (
            nodes.iter().position(|n| *n == from),
            nodes.iter().position(|n| *n == to),
        ) {
            edges.push((i, j, envy.map_or("undefined".into(), words)));
        }
        rows.push(vec![
            Cell::text(from),
            Cell::text(to),
            envy.map_or(Cell::Undefined("not a finite number".into()), quantity),
        ]);
    }
    let chart = chart::graph(&Graph {
        name: chart::slug(&["envy-graph"]),
        title: "Envy graph: an arrow from i to j when i prefers j's bundle".into(),
        desc: format!(
            "{} agents; {} envious pairs. Each arrow is labelled with the envy: the agent's value of the other bundle minus its value of its own (utility units).",
            nodes.len(),
            edges.len()
        ),
        nodes,
        edges,
    })?;
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Envious pairs".into(),
            header: ["agent", "envies", "envy (utility units)"]
                .map(String::from)
                .to_vec(),
            rows,
            notes: vec![
                "envy: the agent's value of the other agent's bundle minus its value of its own."
                    .into(),
            ],
        },
    ))
}

/// What each property means, by its name in the report.
fn meaning(name: &str) -> &'static str {
    match name {
        "ef" => "envy-free: no agent prefers another's bundle",
        "ef1" => "envy-free up to one item (removing one item ends each envy)",
        "efx" => "envy-free up to any good (removing any good of the envied bundle, or any chore of one's own, ends the envy)",
        "efx0" => "EFX counting goods worth 0 too",
        "prop" => "proportional: each agent gets at least its share of its value of all items",
        "prop1" => "proportional up to one item",
        "ef1_cubed" => "EF1 on all items, on the goods alone and on the chores alone",
        "efx_cubed" => "EFX on all items, on the goods alone and on the chores alone",
        "mms" => "each agent gets at least its maximin share",
        "po" => "Pareto optimal: no allocation is better for one agent and worse for none",
        "fpo" => "fractionally Pareto optimal: not even a fractional reallocation is",
        "ext.ef" => "envy-free with externalities (no agent would rather swap bundles)",
        "ext.ef1" => "EF1 with externalities",
        "ext.efx" => "EFX with externalities",
        "ext.gfs" => "general fair share with externalities",
        "ejr" => "extended justified representation",
        "ejr_up_to_one" => "EJR up to one project",
        "ejr_up_to_any" => "EJR up to any project",
        "pjr" => "proportional justified representation",
        "pjr_up_to_one" => "PJR up to one project",
        "pjr_up_to_any" => "PJR up to any project",
        "priceable" => "priceable: the outcome's MES payments form a price system",
        _ => "",
    }
}

/// A property checklist: holds (yes / no / undefined with why) and the witness in words.
fn checklist(props: &[Property], caption: &str) -> Table {
    Table {
        caption: caption.into(),
        header: [
            "property",
            "meaning",
            "holds",
            "witness of a failure / note",
        ]
        .map(String::from)
        .to_vec(),
        rows: props
            .iter()
            .map(|p| {
                let holds = match p.holds {
                    Some(b) => Cell::Flag(b),
                    None => {
                        Cell::Undefined(p.note.clone().unwrap_or_else(|| "not decided".to_string()))
                    }
                };
                let witness = match (&p.witness, &p.note) {
                    (Some(w), _) => Cell::text(witness_words(w)),
                    (None, Some(n)) if p.holds.is_some() => Cell::text(n),
                    _ => Cell::Empty,
                };
                vec![
                    Cell::text(&p.name),
                    Cell::text(meaning(&p.name)),
                    holds,
                    witness,
                ]
            })
            .collect(),
        notes: vec!["A witness is the first failure found; the JSON report has it as data.".into()],
    }
}

/// A property's witness as a sentence (the report's fields, numbers as in the tables).
fn witness_words(w: &Json) -> String {
    let Some(o) = w.as_object() else {
        return json_words(w);
    };
    let s = |k: &str| o.get(k).and_then(Json::as_str);
    let n = |k: &str| o.get(k).map(json_words);
    let list = |k: &str| o.get(k).and_then(Json::as_array);
    let mut parts: Vec<String> = Vec::new();
    let mut used: Vec<&str> = Vec::new();
    if let (Some(a), Some(b)) = (s("agent"), s("envies")) {
        let mut t = format!("{a} envies {b}");
        if let (Some(own), Some(other)) = (n("own"), n("other")) {
            t.push_str(&format!(
                ": {a} values its own bundle at {own} and {b}'s at {other}"
            ));
            used.extend(["own", "other"]);
        } else if let (Some(own), Some(after)) = (n("own"), n("after_swap")) {
            t.push_str(&format!(
                ": {a} has {own}, and would have {after} were the two bundles swapped"
            ));
            used.extend(["own", "after_swap"]);
        }
        if let Some(item) = s("item") {
            t.push_str(&format!(" (item {item})"));
            used.push("item");
        }
        parts.push(t);
        used.extend(["agent", "envies"]);
    } else if let (Some(a), Some(v), Some(m)) = (s("agent"), n("value"), n("mms")) {
        let mut t = format!("{a} gets {v}, below its maximin share {m}");
        if let Some(r) = n("mms_ratio") {
            t.push_str(&format!(" (ratio {r})"));
        }
        parts.push(t);
        used.extend([
            "agent",
            "value",
            "mms",
            "mms_ratio",
            "mms_bounds",
            "mms_exact",
            "subsidy",
            "value_with_externalities",
        ]);
    } else if let (Some(a), Some(v), Some(share)) = (s("agent"), n("value"), n("share")) {
        parts.push(format!("{a} gets {v}, below its share {share}"));
        used.extend(["agent", "value", "share"]);
    }
    if let Some(d) = list("dominating_allocation") {
        let bundles: Vec<String> = d
            .iter()
            .map(|b| {
                format!(
                    "{} gets {} (value {})",
                    b.get("agent").and_then(Json::as_str).unwrap_or("?"),
                    b.get("items")
                        .map(json_words)
                        .filter(|t| !t.is_empty())
                        .unwrap_or_else(|| "nothing".into()),
                    b.get("value").map_or("undefined".into(), json_words)
                )
            })
            .collect();
        parts.push(format!(
            "this allocation is at least as good for every agent and better for one: {}",
            bundles.join("; ")
        ));
        used.push("dominating_allocation");
    }
    for key in ["cycle", "move"] {
        if let Some(c) = list(key) {
            let moves: Vec<String> = c
                .iter()
                .map(|m| {
                    let f = |k: &str| m.get(k).and_then(Json::as_str).unwrap_or("?");
                    format!("{} from {} to {}", f("item"), f("from"), f("to"))
                })
                .collect();
            parts.push(format!("move shares of {}", moves.join(", ")));
            used.push(key);
        }
    }
    if let Some(g) = n("gain_factor") {
        parts.push(format!("gain factor {g}"));
        used.push("gain_factor");
    }
    if let Some(p) = o.get("projects") {
        let mut t = format!(
            "a cohesive group of {} voters all approve the projects {}",
            n("group_size").unwrap_or_else(|| "?".into()),
            json_words(p)
        );
        if let (Some(c), Some(sat)) = (n("cost"), n("satisfaction_of_projects")) {
            t.push_str(&format!(" (cost {c}, satisfaction {sat})"));
        }
        parts.push(t);
        used.extend(["projects", "group_size", "cost", "satisfaction_of_projects"]);
    }
    if let Some(u) = list("outcome_projects_approved_by_group") {
        parts.push(if u.is_empty() {
            "they approve no funded project".to_string()
        } else {
            format!(
                "the funded projects they approve: {}",
                json_words(&Json::Array(u.clone()))
            )
        });
        used.push("outcome_projects_approved_by_group");
    }
    if let Some(c) = s("condition") {
        parts.push(format!("condition {c} fails"));
        used.push("condition");
    }
    if let Some(p) = s("part") {
        parts.push(format!("on {p}"));
        used.push("part");
    }
    if let Some(why) = s("why") {
        parts.push(why.to_string());
        used.push("why");
    }
    let rest: Map<String, Json> = o
        .iter()
        .filter(|(k, _)| !used.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if !rest.is_empty() {
        parts.push(json_words(&Json::Object(rest)));
    }
    parts.join("; ")
}

/// Each agent's value against its maximin share (the α-MMS ratio), with its row of numbers.
fn mms_figure(r: &AllocateReport, agents: &[AgentRow]) -> Result<Item> {
    let ratio = |a: &AgentRow| -> Result<f64, String> {
        match a.mms_ratio {
            Some(x) if x.is_finite() => Ok(x),
            _ if !a.mms_exact => Err(format!(
                "the maximin share is only bounded ({} to {}): the instance is beyond --exact-limit",
                words(a.mms_bounds[0]),
                words(a.mms_bounds[1])
            )),
            _ => Err(format!(
                "the maximin share is {}: no ratio when it is not positive",
                a.mms.map_or("undefined".into(), words)
            )),
        }
    };
    let chart = chart::bars(&Bars {
        name: chart::slug(&["mms-ratio"]),
        title: "Each agent's value as a multiple of its maximin share".into(),
        desc: "One bar per agent: its value divided by its maximin share (MMS); the dashed line at 1 is the MMS itself: bars left of it mark agents below their maximin share.".into(),
        x_label: "value / maximin share (ratio)".into(),
        bars: agents
            .iter()
            .map(|a| Bar {
                label: a.agent.clone(),
                value: ratio(a),
                interval: None,
                flagged: false,
            })
            .collect(),
        rules: vec![Rule {
            at: 1.0,
            label: "1: exactly the maximin share".into(),
        }],
        ..Default::default()
    })?;
    let ext = agents.iter().any(|a| a.value_with_externalities.is_some());
    let bounded = agents.iter().any(|a| !a.mms_exact);
    let mut header: Vec<String> = ["agent", "value", "maximin share"]
        .map(String::from)
        .to_vec();
    if bounded {
        header.push("MMS bounds".into());
    }
    header.extend(["value / MMS".to_string(), "minimum subsidy".into()]);
    if ext {
        header.push("value with externalities".into());
    }
    let rows = agents
        .iter()
        .map(|a| {
            let mut row = vec![
                Cell::text(&a.agent),
                quantity(a.value),
                match a.mms {
                    Some(m) => quantity(m),
                    None => Cell::Undefined("not exact: beyond --exact-limit".into()),
                },
            ];
            if bounded {
                row.push(Cell::Interval(a.mms_bounds[0], a.mms_bounds[1]));
            }
            row.push(Cell::value(ratio(a)));
            row.push(match a.subsidy {
                Some(x) => quantity(x),
                None => Cell::Undefined("not envy-freeable (see below)".into()),
            });
            if ext {
                row.push(a.value_with_externalities.map_or(Cell::Empty, quantity));
            }
            row
        })
        .collect();
    let mut notes = vec![
        "maximin share (MMS): the most the agent can secure by splitting the items into one bundle per agent and taking the worst; minimum subsidy: the least payment to the agent that, with the others', makes the allocation envy-free.".to_string(),
    ];
    if agents.iter().any(|a| a.subsidy.is_none()) {
        notes.push(format!(
            "minimum subsidy undefined: {}.",
            why(r, "subsidy.total")
        ));
    }
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Per agent: value, maximin share, ratio and subsidy".into(),
            header,
            rows,
            notes,
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// pb

fn pb_sections(r: &AllocateReport) -> Result<Vec<Section>> {
    let mut out = Vec::new();
    let funded: &[Funded] = match &r.allocation {
        Outcome::Projects(p) => p,
        Outcome::Bundles(_) => &[],
    };
    let data = match &r.chart_data {
        Some(ChartData::Pb(d)) => Some(d),
        _ => None,
    };
    let mut s = Section::new("Projects");
    match data {
        Some(d) => s.items.push(projects_figure(r, d, funded)?),
        None => s.items.push(Item::Table(funded_table(funded))),
    }
    out.push(s);
    if let Some(d) = data {
        let mut s = Section::new("Voter satisfaction");
        s.items.push(satisfaction_figure(r, d)?);
        out.push(s);
    }
    let mut s = Section::new("Proportionality");
    s.items.push(Item::Table(checklist(
        &r.properties,
        "Proportionality of the outcome (EJR, PJR, priceability)",
    )));
    out.push(s);
    Ok(out)
}

fn funded_table(funded: &[Funded]) -> Table {
    Table {
        caption: "Funded projects, in the order the rule selected them".into(),
        header: ["order", "project", "name", "cost"]
            .map(String::from)
            .to_vec(),
        rows: funded
            .iter()
            .map(|f| {
                vec![
                    Cell::Amount(f.order as f64),
                    Cell::text(&f.project),
                    Cell::text(f.name.clone().unwrap_or_default()),
                    quantity(f.cost),
                ]
            })
            .collect(),
        notes: Vec::new(),
    }
}

fn metric_number(r: &AllocateReport, name: &str) -> Option<f64> {
    match r.metrics.get(name)?.value {
        Figure::Number(x) if x.is_finite() => Some(x),
        Figure::Count(n) => Some(n as f64),
        _ => None,
    }
}

/// Every project by cost and support, funded and not funded as two series.
fn projects_figure(r: &AllocateReport, d: &PbChartData, funded: &[Funded]) -> Result<Item> {
    let points = |selected: bool| -> Vec<(f64, f64)> {
        d.projects
            .iter()
            .filter(|p| p.selected == selected)
            .map(|p| (p.cost, p.support as f64))
            .collect()
    };
    let chart = chart::lines(&Lines {
        name: chart::slug(&["pb-projects"]),
        title: "Projects by cost and support: funded and not funded".into(),
        desc: "One point per project: its cost and the number of voters whose ballot names it; funded projects are circles, the others triangles.".into(),
        x_label: "cost (the election's currency)".into(),
        y_label: "support (voters)".into(),
        series: vec![
            Series {
                name: "funded".into(),
                points: points(true),
                mark: Mark::Points,
                colour: Some(0),
                ..Default::default()
            },
            Series {
                name: "not funded".into(),
                points: points(false),
                mark: Mark::Points,
                colour: Some(5),
                ..Default::default()
            },
        ],
        ..Default::default()
    })?;
    let order = |id: &str| funded.iter().find(|f| f.project == id).map(|f| f.order);
    let mut projects: Vec<_> = d.projects.iter().collect();
    // Funded first in the rule's order, then the others by support (most first).
    projects.sort_by(|a, b| {
        let (oa, ob) = (order(&a.project), order(&b.project));
        match (oa, ob) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => b.support.cmp(&a.support),
        }
    });
    let rows = projects
        .iter()
        .map(|p| {
            vec![
                Cell::text(&p.project),
                Cell::text(p.name.clone().unwrap_or_default()),
                quantity(p.cost),
                Cell::Amount(p.support as f64),
                match order(&p.project) {
                    Some(o) => Cell::Amount(o as f64),
                    None if p.selected => Cell::text("yes"),
                    None => Cell::text("no"),
                },
            ]
        })
        .collect();
    let mut notes = Vec::new();
    if let (Some(cost), Some(budget)) = (metric_number(r, "cost"), metric_number(r, "budget")) {
        notes.push(format!(
            "The funded projects cost {} of the budget {} (budget_share_spent {}).",
            words(cost),
            words(budget),
            metric_number(r, "budget_share_spent").map_or("undefined".into(), words)
        ));
    }
    notes.push(
        "support: the voters whose ballot names the project; funded (order): 1 for the project the rule funded first, and so on; no: not funded."
            .into(),
    );
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Projects (funded first, in the order funded; then by support)".into(),
            header: ["project", "name", "cost", "support", "funded (order)"]
                .map(String::from)
                .to_vec(),
            rows,
            notes,
        },
    ))
}

/// The voters' satisfaction with the outcome, in the report's bins.
fn satisfaction_figure(r: &AllocateReport, d: &PbChartData) -> Result<Item> {
    let h = &d.satisfaction_histogram;
    let measure = r.settings.satisfaction.unwrap_or("cost");
    let unit = match measure {
        "cardinality" => "funded projects the voter voted for",
        "points" => "points the voter gave to funded projects",
        _ => "cost of the funded projects the voter voted for",
    };
    let chart = chart::histogram(&Histogram {
        name: chart::slug(&["pb-satisfaction"]),
        title: format!("Voters by their satisfaction with the outcome ({measure})"),
        desc: format!("How many voters have each level of satisfaction: the {unit}."),
        x_label: format!("satisfaction ({unit})"),
        y_label: "voters".into(),
        edges: h.edges.clone(),
        series: vec![(
            "voters".into(),
            h.voters.iter().map(|v| *v as f64).collect(),
        )],
    })?;
    // Unit bins of integers: one row per satisfaction value.
    let unit_bins = h.edges.len() >= 2
        && h.edges.iter().all(|e| e.fract() == 0.0)
        && h.edges.windows(2).all(|w| w[1] - w[0] == 1.0);
    let rows = h
        .voters
        .iter()
        .enumerate()
        .map(|(k, v)| {
            if unit_bins {
                vec![quantity(h.edges[k]), Cell::Amount(*v as f64)]
            } else {
                vec![
                    quantity(h.edges[k]),
                    quantity(h.edges[k + 1]),
                    Cell::Amount(*v as f64),
                ]
            }
        })
        .collect();
    let (header, bins): (&[&str], &str) = if unit_bins {
        (
            &["satisfaction", "voters"],
            "One bin per satisfaction value (drawn from the value to the next).",
        )
    } else {
        (
            &["from", "to", "voters"],
            "Each bin holds the voters with from ≤ satisfaction < to.",
        )
    };
    let mut notes = vec![bins.to_string()];
    let m = |k: &str| metric_number(r, k).map_or_else(|| "undefined".into(), words);
    if r.metrics.get("satisfaction.mean").is_some() {
        notes.push(format!(
            "satisfaction.mean {}, satisfaction.min {}, satisfaction.max {}; voters_with_nothing (share of voters) {}.",
            m("satisfaction.mean"),
            m("satisfaction.min"),
            m("satisfaction.max"),
            m("voters_with_nothing")
        ));
    }
    Ok(Item::Figure(
        chart,
        Table {
            caption: format!("Voters per satisfaction bin ({measure} satisfaction)"),
            header: header.iter().map(|h| h.to_string()).collect(),
            rows,
            notes,
        },
    ))
}

// ---------------------------------------------------------------------------------------------
// shapley

fn shapley_sections(r: &AllocateReport) -> Result<Vec<Section>> {
    let mut out = Vec::new();
    let mut s = Section::new("Shapley values");
    s.items.push(shapley_figure(r, &r.players)?);
    out.push(s);
    if r.players.iter().any(|p| p.reward.is_some()) {
        let mut s = Section::new("Rewards");
        s.items.push(rewards_figure(r, &r.players)?);
        out.push(s);
    }
    let mut s = Section::new("Core");
    s.items.push(Item::Table(core_table(r)));
    out.push(s);
    Ok(out)
}

/// z of a two-sided 95 % normal interval, for the Monte Carlo whiskers.
const Z95: f64 = 1.959963984540054;

fn shapley_figure(r: &AllocateReport, players: &[PlayerRow]) -> Result<Item> {
    let sampled = players.iter().any(|p| p.standard_error.is_some());
    let bar = |p: &PlayerRow| Bar {
        label: p.player.clone(),
        value: if p.shapley.is_finite() {
            Ok(p.shapley)
        } else {
            Err("not a finite number".into())
        },
        interval: p
            .standard_error
            .filter(|se| se.is_finite())
            .map(|se| (p.shapley - Z95 * se, p.shapley + Z95 * se)),
        flagged: false,
    };
    let method = match (r.settings.samples, r.settings.seed) {
        (Some(n), Some(seed)) => {
            format!("permutation Monte Carlo, {n} permutations, seed {seed}")
        }
        _ => "exact".into(),
    };
    let chart = chart::bars(&Bars {
        name: chart::slug(&["shapley"]),
        title: "Shapley value of each player".into(),
        desc: format!(
            "One bar per player: its Shapley value ({method}), its fair share of the grand coalition's value{}.",
            if sampled {
                "; whiskers: ± 1.96 standard errors (a 95 % normal interval)"
            } else {
                ""
            }
        ),
        x_label: "Shapley value (units of the coalition values)".into(),
        bars: players.iter().map(bar).collect(),
        ..Default::default()
    })?;
    let mut header = vec!["player".to_string(), "Shapley value".into()];
    if sampled {
        header.push("standard error".into());
    }
    header.extend(["leave-one-out".to_string(), "proportional reward".into()]);
    let rows = players
        .iter()
        .map(|p| {
            let mut row = vec![Cell::text(&p.player), quantity(p.shapley)];
            if sampled {
                row.push(p.standard_error.map_or(Cell::Empty, Cell::Number));
            }
            row.push(quantity(p.leave_one_out));
            row.push(match p.proportional_reward {
                Some(x) => quantity(x),
                None => Cell::Undefined("no player has a positive Shapley value".into()),
            });
            row
        })
        .collect();
    let mut notes = vec![format!("Method: {method}. leave-one-out: v(N) minus the value of the coalition without the player; proportional reward: the positive Shapley values scaled to add up to v(N).")];
    if sampled {
        notes.push(
            "Whiskers in the chart: Shapley value ± 1.96 × standard error (a 95 % normal interval)."
                .into(),
        );
    }
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Per player: Shapley value and other contribution measures".into(),
            header,
            rows,
            notes,
        },
    ))
}

fn rewards_figure(r: &AllocateReport, players: &[PlayerRow]) -> Result<Item> {
    let chart = chart::bars(&Bars {
        name: chart::slug(&["rewards"]),
        title: "Reward paid to each player".into(),
        desc: "One bar per player: the reward paid (--rewards); compare with its Shapley value in the table.".into(),
        x_label: "reward (units of the coalition values)".into(),
        bars: players
            .iter()
            .map(|p| Bar {
                label: p.player.clone(),
                value: p
                    .reward
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| "no reward given".to_string()),
                interval: None,
                flagged: false,
            })
            .collect(),
        ..Default::default()
    })?;
    let rows = players
        .iter()
        .map(|p| {
            vec![
                Cell::text(&p.player),
                p.reward.map_or(Cell::Empty, quantity),
                quantity(p.shapley),
                p.proportional_reward.map_or(Cell::Empty, quantity),
            ]
        })
        .collect();
    let mut notes = Vec::new();
    if let Some(m) = r.metrics.get("collaboration_fairness") {
        notes.push(match m.value {
            Figure::Number(x) if x.is_finite() => format!(
                "collaboration_fairness (Pearson correlation of rewards and Shapley values): {}.",
                words(x)
            ),
            _ => format!(
                "collaboration_fairness: undefined ({}).",
                why(r, "collaboration_fairness")
            ),
        });
    }
    Ok(Item::Figure(
        chart,
        Table {
            caption: "Per player: reward paid against the Shapley value".into(),
            header: ["player", "reward", "Shapley value", "proportional reward"]
                .map(String::from)
                .to_vec(),
            rows,
            notes,
        },
    ))
}

fn core_table(r: &AllocateReport) -> Table {
    let cw = &r.core_witness;
    let mut rows = Vec::new();
    for (label, metric, witness) in [
        ("Shapley values", "shapley_in_core", &cw.shapley),
        ("rewards", "rewards_in_core", &cw.rewards),
    ] {
        let Some(m) = r.metrics.get(metric) else {
            continue;
        };
        let holds = match m.value {
            Figure::Holds(b) => Cell::Flag(b),
            _ => Cell::Undefined(why(r, metric)),
        };
        let (coalition, shortfall) = match witness {
            Some(w) => (
                Cell::text(format!("{{{}}}", w.coalition.join(", "))),
                quantity(w.shortfall),
            ),
            None => (Cell::Empty, Cell::Empty),
        };
        rows.push(vec![Cell::text(label), holds, coalition, shortfall]);
    }
    let mut notes = vec!["In the core: no coalition gets less than its value (and the payoffs add up to v(N)); otherwise the coalition short by the most is shown.".to_string()];
    if let Some(e) = &cw.rewards_efficiency {
        notes.push(format!(
            "The rewards add up to {}, not to the grand coalition's value {}.",
            words(e.paid),
            words(e.grand_coalition_value)
        ));
    }
    Table {
        caption: "The core".into(),
        header: ["payoffs", "in the core", "coalition short", "shortfall"]
            .map(String::from)
            .to_vec(),
        rows,
        notes,
    }
}
