//! The `allocate` report model (docs/report-schema.md, "allocate") and its renderings.

use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;
use serde_json::Value as Json;

use super::metrics::Metrics;
use super::tables::{AgentRow, ChartData, CoreWitness, Input, Outcome, PlayerRow, Shown};
use crate::gate::{GateResult, Gateable, Number, Observation, Scope};
use crate::render::{csv_num, grid, use_colour, Rendered, Warning};
use crate::render::{Output, ReportFormat};

/// One property: holds / fails (`None`: not decided, with why), and a witness of a failure.
#[derive(Debug, Clone, Serialize)]
pub struct Property {
    pub name: String,
    pub holds: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub witness: Option<Json>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub fn prop(
    name: &str,
    holds: Option<bool>,
    witness: Option<Json>,
    note: Option<String>,
) -> Property {
    Property {
        name: name.into(),
        holds,
        witness,
        note,
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct AllocateReport {
    pub schema_version: u32,
    pub command: String,
    pub fairaudit_version: String,
    pub settings: Shown,
    pub input: Input,
    // Every key is always present (an empty list or object where the mode has none), so that
    // `jq '.allocation | length'` works on any outcome, an empty one included.
    /// Per agent: the items received and their value to the agent.
    pub allocation: Outcome,
    /// Every property: holds (true / false / null when not decided), a witness of a failure.
    pub properties: Vec<Property>,
    /// Per agent: value, maximin share (exact or bounds), α-MMS ratio, minimum subsidy.
    pub agents: Vec<AgentRow>,
    /// i → j edges where i envies j, with the envy amount.
    pub envy_graph: Vec<Json>,
    /// Shapley: per player the contribution measures and the reward paid.
    pub players: Vec<PlayerRow>,
    /// Shapley: the most violated core constraint of each payoff vector.
    pub core_witness: CoreWitness,
    /// `--allocation-out`: written with the report once the run succeeds (not in the JSON).
    #[serde(skip)]
    pub side_files: Vec<crate::render::SideFile>,
    /// Every headline value by its gate name (booleans for properties); null when undefined.
    /// Serialised as two objects, `metrics` (name → value) and `undefined` (name → why).
    #[serde(flatten)]
    pub metrics: Metrics,
    pub warnings: Vec<Warning>,
    pub gates: Vec<GateResult>,
    pub passed: bool,
    /// With --plot DIR or --format html: the numbers the charts draw that the report does not
    /// otherwise hold (the utility matrix; the projects' costs and support, the satisfaction
    /// histogram).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub chart_data: Option<ChartData>,
    /// With --plot DIR: the chart files written.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plots: Vec<crate::render::html::PlotFile>,
}

impl AllocateReport {
    pub fn new(mode: &str) -> AllocateReport {
        AllocateReport {
            schema_version: crate::render::SCHEMA_VERSION,
            command: format!("allocate {mode}"),
            fairaudit_version: env!("CARGO_PKG_VERSION").into(),
            settings: Shown::default(),
            input: Input::None,
            allocation: Outcome::Bundles(Vec::new()),
            properties: Vec::new(),
            agents: Vec::new(),
            envy_graph: Vec::new(),
            players: Vec::new(),
            core_witness: CoreWitness::default(),
            side_files: Vec::new(),
            metrics: Metrics::default(),
            warnings: Vec::new(),
            gates: Vec::new(),
            passed: true,
            chart_data: None,
            plots: Vec::new(),
        }
    }
}

/// The report of a run: what reading the files noticed (skipped rows, a semicolon separator,
/// CR line ends) first among the warnings, and the `--fail-if` verdicts.
pub fn judge(mut model: AllocateReport, output: &Output) -> Result<AllocateReport> {
    for (file, note) in crate::input::take_notes() {
        model.warnings.insert(0, Warning::new(&file, None, note));
    }
    let gates = crate::gate::parse_all(&output.fail_if)?;
    let verdicts = crate::gate::evaluate(&gates, &model)?;
    model.passed = verdicts.iter().all(|g| g.passed);
    model.gates = verdicts;
    Ok(model)
}

pub fn render(
    r: &AllocateReport,
    format: ReportFormat,
    page: Option<&crate::render::html::Page>,
) -> Result<Rendered> {
    let path = r.input.path();
    crate::render::render_with(
        r,
        format,
        r.passed,
        &r.gates,
        crate::render::ReportInfo {
            command: r.command.clone(),
            inputs: if path.is_empty() {
                Vec::new()
            } else {
                vec![path.to_string()]
            },
            warnings: r.warnings.clone(),
        },
        || csv(r),
        |md| text(r, md),
        page,
    )
}

/// Typed rows as the JSON objects they serialise to (keys in field order).
fn json_rows<T: Serialize>(rows: &[T]) -> Vec<Json> {
    rows.iter()
        .map(|r| serde_json::to_value(r).unwrap_or_default())
        .collect()
}

/// Long format: `scope,metric,value,note`; scope empty for headline values, the agent or player
/// for per-agent values, `property` rows carry the witness as JSON in the note.
fn csv(r: &AllocateReport) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["scope", "metric", "value", "note"])?;
    let reasons = r.metrics.reasons();
    for (k, v) in &r.metrics.values() {
        let note = reasons.get(k).and_then(Json::as_str).unwrap_or("");
        let value = match v {
            Json::Bool(b) => b.to_string(),
            other => csv_num(other.as_f64()),
        };
        w.write_record(["", k, &value, note])?;
    }
    for p in &r.properties {
        if let Some(wit) = &p.witness {
            w.write_record(["witness", &p.name, "", &wit.to_string()])?;
        }
    }
    let rows = [
        json_rows(&r.agents),
        json_rows(&r.players),
        r.allocation_rows(),
    ]
    .concat();
    for row in &rows {
        let who = row
            .get("agent")
            .or_else(|| row.get("player"))
            .and_then(Json::as_str)
            .unwrap_or("");
        for (k, v) in row.as_object().into_iter().flatten() {
            if k == "agent" || k == "player" {
                continue;
            }
            let value = match v {
                Json::Array(items) => items
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| x.to_string())
                    })
                    .collect::<Vec<_>>()
                    .join("|"),
                Json::Bool(b) => b.to_string(),
                other => csv_num(other.as_f64()),
            };
            w.write_record([who, k, &value, ""])?;
        }
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}

/// Columns of the allocation, agents and players tables that are amounts (utilities, costs):
/// shown as `61,000` and `20`, not `61000.0000`.
const AMOUNTS: &[&str] = &["value", "mms", "mms_bounds", "subsidy", "cost"];

/// Summary metrics that are amounts.
pub const SUMMARY_AMOUNTS: &[&str] = &[
    "cost",
    "budget",
    "welfare.utilitarian",
    "welfare.egalitarian",
    "welfare.nash",
    "satisfaction.mean",
    "satisfaction.min",
    "satisfaction.max",
    "subsidy.total",
    "grand_coalition_value",
];

/// A witness as a sentence rather than JSON: `agent bob · envies alice · own 3 · other 20`;
/// a participatory-budgeting witness names its cohesive group first ("cohesive group of 12
/// voters · projects 2451, 17 · ..."); the `why` ends it after a dash.
pub fn witness_text(w: &Json) -> String {
    let Json::Object(m) = w else {
        return inline(w);
    };
    let mut parts = Vec::new();
    if let Some(n) = m.get("group_size") {
        parts.push(format!("cohesive group of {} voters", inline(n)));
    }
    for (k, v) in m {
        if k == "why" || k == "group_size" {
            continue;
        }
        parts.push(format!("{} {}", k.replace('_', " "), inline(v)));
    }
    let mut text = parts.join(" · ");
    if let Some(why) = m.get("why").and_then(Json::as_str) {
        text = if text.is_empty() {
            why.to_string()
        } else {
            format!("{text} — {why}")
        };
    }
    text
}

/// A JSON value inside a witness: numbers as amounts (`3`, `0.8889`), lists joined with commas,
/// objects as `(key value, ...)`.
fn inline(v: &Json) -> String {
    match v {
        Json::Null => "—".into(),
        Json::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Json::Number(_) => crate::render::fmt_amount(v.as_f64()),
        Json::String(s) => s.clone(),
        Json::Array(a) if a.iter().any(Json::is_object) => {
            a.iter().map(inline).collect::<Vec<_>>().join(" ")
        }
        Json::Array(a) => a.iter().map(inline).collect::<Vec<_>>().join(", "),
        Json::Object(m) => format!(
            "({})",
            m.iter()
                .map(|(k, v)| {
                    let inner = match v {
                        Json::Array(a) => a.iter().map(inline).collect::<Vec<_>>().join(" "),
                        other => inline(other),
                    };
                    format!("{} {inner}", k.replace('_', " "))
                })
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn text(r: &AllocateReport, markdown: bool) -> String {
    let colour = !markdown && use_colour();
    let mut out = String::new();
    let heading = |out: &mut String, t: &str| {
        if markdown {
            let _ = writeln!(out, "## {t}\n");
        } else {
            let _ = writeln!(out, "{t}");
        }
    };
    if markdown {
        let _ = writeln!(out, "# fairaudit {}\n", r.command);
    }
    let _ = writeln!(
        out,
        "{}: {}",
        r.input.path(),
        serde_json::to_value(&r.input)
            .unwrap_or_default()
            .as_object()
            .into_iter()
            .flatten()
            .filter(|(k, _)| *k != "path")
            .map(|(k, v)| format!("{} {k}", crate::render::value_text(v)))
            .collect::<Vec<_>>()
            .join(", ")
    );
    out.push('\n');
    let allocation = r.allocation_rows();
    if !allocation.is_empty() {
        heading(&mut out, "allocation");
        // The exact cost is the cost itself when it is a whole number.
        let redundant = allocation.iter().all(|row| {
            row.get("cost_exact")
                .and_then(Json::as_str)
                .is_none_or(|c| !c.contains('/'))
        });
        out.push_str(&crate::render::object_table_with(
            &allocation,
            markdown,
            AMOUNTS,
            if redundant { &["cost_exact"] } else { &[] },
        ));
        out.push('\n');
    }
    if !r.properties.is_empty() {
        heading(&mut out, "properties");
        let header: Vec<String> = crate::render::header(&["property", "holds", "witness / note"]);
        let rows: Vec<Vec<String>> = r
            .properties
            .iter()
            .map(|p| {
                vec![
                    p.name.clone(),
                    match p.holds {
                        Some(true) => "yes".into(),
                        Some(false) => "NO".into(),
                        None => "—".into(),
                    },
                    p.witness
                        .as_ref()
                        .map(witness_text)
                        .or_else(|| p.note.clone())
                        .unwrap_or_default(),
                ]
            })
            .collect();
        out.push_str(&grid(&header, &rows, markdown, &[], 0));
        out.push('\n');
    }
    if !r.agents.is_empty() {
        heading(&mut out, "agents");
        out.push_str(&crate::render::object_table_with(
            &json_rows(&r.agents),
            markdown,
            AMOUNTS,
            &[],
        ));
        out.push('\n');
    }
    if !r.players.is_empty() {
        heading(&mut out, "players");
        out.push_str(&crate::render::object_table_with(
            &json_rows(&r.players),
            markdown,
            AMOUNTS,
            &[],
        ));
        out.push('\n');
    }
    heading(&mut out, "summary");
    let header: Vec<String> = crate::render::header(&["metric", "value"]);
    let rows: Vec<Vec<String>> = r
        .metrics
        .values()
        .iter()
        .map(|(k, v)| {
            let text = match v.as_f64() {
                Some(x) if v.is_f64() && SUMMARY_AMOUNTS.contains(&k.as_str()) => {
                    crate::render::fmt_amount(Some(x))
                }
                _ => crate::render::value_text(v),
            };
            vec![k.clone(), text]
        })
        .collect();
    out.push_str(&grid(&header, &rows, markdown, &[], 0));
    out.push_str(&crate::render::undefined_notes(
        &r.metrics.reasons(),
        markdown,
    ));
    let core = serde_json::to_value(&r.core_witness).unwrap_or_default();
    for (k, v) in core.as_object().into_iter().flatten() {
        let _ = writeln!(out, "core ({k}): {}", witness_text(v));
    }
    out.push('\n');
    out.push_str(&crate::render::gates_and_warnings(
        &r.gates,
        &r.warnings,
        markdown,
        colour,
    ));
    out
}

impl AllocateReport {
    /// The input's path (the utilities, coalition values or election file).
    fn path(&self) -> &str {
        self.input.path()
    }

    /// The allocation's rows as JSON objects (for the tables and the CSV).
    fn allocation_rows(&self) -> Vec<Json> {
        match &self.allocation {
            Outcome::Bundles(rows) => json_rows(rows),
            Outcome::Projects(rows) => json_rows(rows),
        }
    }

    /// The flat view of the headline values (all at the input level).
    pub fn numbers(&self) -> Vec<Number> {
        self.metrics.numbers(self.path())
    }
}

impl Gateable for AllocateReport {
    /// Names are the metric names: properties (`ef1 == false`), `mms_ratio.min`,
    /// `welfare.nash`, `collaboration_fairness`, ...; there are no attribute or group scopes
    /// (`overall:` is the whole input, as no scope).
    fn observe(&self, scope: &Scope, name: &str) -> anyhow::Result<Vec<Observation>> {
        if !matches!(scope, Scope::All | Scope::Overall) {
            anyhow::bail!(
                "allocate reports have no attribute or group scopes; use the metric name alone"
            );
        }
        if self.metrics.get(name).is_none() {
            let known: Vec<&str> = self.metrics.0.iter().map(|m| m.name.as_str()).collect();
            anyhow::bail!(
                "'{name}' is not in this report; known: {}",
                known.join(", ")
            );
        }
        Ok(crate::gate::select(
            &self.numbers(),
            &Scope::All,
            name,
            None,
            name,
        ))
    }
}
