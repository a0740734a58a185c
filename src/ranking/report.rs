//! The typed report of `audit-ranking`, its renderers (table, Markdown, CSV), its flat view of
//! numbers and the gate lookup.

use std::fmt::Write as _;

use anyhow::Result;
use serde::Serialize;
use serde_json::{Map, Value as Json};

use crate::gate::{Level, Number, Observation, Scope};
use crate::ranking::load::FileInfo;
use crate::render::{self, Warning};

/// The report's settings block.
#[derive(Debug, Clone, Serialize)]
pub struct ReportSettings {
    pub position_bias: crate::ranking::settings::PositionBias,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub persistence: Option<f64>,
    pub attention: f64,
    pub combination: String,
    pub reference: String,
    pub protected: Option<String>,
    pub cutoff_step: usize,
    pub target: Option<Map<String, Json>>,
    pub alpha: f64,
    pub fair_k: Option<usize>,
    pub fair_p: Option<f64>,
    pub k: Vec<usize>,
    pub bootstrap: usize,
    pub seed: u64,
    pub ci: f64,
}

/// The numbers of the attribute or of one group: defined values, why the others are null,
/// and the intervals (with --bootstrap).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Block {
    pub metrics: Map<String, Json>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub undefined: Map<String, Json>,
    #[serde(skip_serializing_if = "Map::is_empty")]
    pub intervals: Map<String, Json>,
}

#[derive(Debug, Clone, Serialize)]
pub struct GroupBlock {
    pub group: String,
    #[serde(flatten)]
    pub block: Block,
}

/// FA*IR's tables, one per prefix length used.
#[derive(Debug, Clone, Serialize)]
pub struct FairTable {
    pub k: usize,
    pub adjusted_alpha: f64,
    pub fail_probability: f64,
    pub mtable: Vec<u32>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FairInfo {
    pub p: Option<f64>,
    pub alpha: f64,
    pub queries_checked: usize,
    pub queries_passing: usize,
    pub tables: Vec<FairTable>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RankingReport {
    pub schema_version: u32,
    pub command: String,
    pub inputs: Vec<FileInfo>,
    pub settings: ReportSettings,
    pub group_column: String,
    pub groups: Vec<String>,
    pub overall: Block,
    pub by_group: Vec<GroupBlock>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fair: Option<FairInfo>,
    pub passed: bool,
    pub gates: Vec<crate::gate::GateResult>,
    pub warnings: Vec<Warning>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plots: Vec<crate::render::html::PlotFile>,
    /// Every number in report order (the flat view), not serialised.
    #[serde(skip)]
    pub numbers: Vec<Number>,
}

/// Puts a value (or its reason) and its interval into a block.
pub fn put(
    b: &mut Block,
    name: &str,
    v: &Result<f64, String>,
    iv: Option<&Result<[f64; 2], String>>,
) {
    match v {
        Ok(x) if x.fract() == 0.0 && (name == "queries" || name == "items") => {
            b.metrics.insert(name.into(), Json::from(*x as u64));
        }
        Ok(x) => {
            b.metrics.insert(name.into(), Json::from(*x));
        }
        Err(why) => {
            b.metrics.insert(name.into(), Json::Null);
            b.undefined.insert(name.into(), Json::from(why.as_str()));
        }
    }
    match iv {
        Some(Ok([lo, hi])) => {
            b.intervals.insert(name.into(), Json::from(vec![*lo, *hi]));
        }
        Some(Err(why)) => {
            b.intervals.insert(name.into(), Json::Null);
            b.undefined
                .insert(format!("{name}.interval"), Json::from(why.as_str()));
        }
        None => {}
    }
}

/// Headline metrics shown in the table (all are in JSON / CSV).
const HEADLINE: &[&str] = &[
    "queries",
    "items",
    "disparate_exposure_ratio",
    "disparate_treatment_ratio",
    "mean_disparate_exposure_ratio",
    "exp",
    "awrf",
    "ndkl",
    "rnd",
    "rkl",
    "rrd",
    "fair_pass_rate",
];

fn cell(v: &Json) -> String {
    if v.is_null() {
        "—".into()
    } else {
        render::value_text(v)
    }
}

fn interval_cell(b: &Block, name: &str) -> String {
    match b.intervals.get(name) {
        Some(Json::Array(a)) if a.len() == 2 => format!(
            "[{}, {}]",
            render::fmt_num(a[0].as_f64()),
            render::fmt_num(a[1].as_f64())
        ),
        Some(_) => "—".into(),
        None => String::new(),
    }
}

impl RankingReport {
    /// Table (or Markdown) text.
    pub fn text(&self, markdown: bool) -> String {
        let mut out = String::new();
        let files: Vec<&str> = self.inputs.iter().map(|i| i.file.as_str()).collect();
        let queries: usize = self.inputs.iter().map(|i| i.queries).sum();
        let rows: usize = self.inputs.iter().map(|i| i.rows).sum();
        if markdown {
            let _ = writeln!(
                out,
                "# audit-ranking: {}\n",
                render::markdown_text(&files.join(", "))
            );
        } else {
            let _ = writeln!(out, "audit-ranking: {}", files.join(", "));
        }
        // Names from the data are text in Markdown (a group named like markup stays inert).
        let shown = |t: &str| {
            if markdown {
                render::markdown_text(t)
            } else {
                t.to_string()
            }
        };
        let _ = writeln!(
            out,
            "{} queries, {} items; groups by '{}'; exposure: {:?} position bias; reference group '{}'{}{}",
            queries,
            rows,
            shown(&self.group_column),
            self.settings.position_bias,
            shown(&self.settings.reference),
            self.settings
                .protected
                .as_ref()
                .map(|p| format!("; protected group '{}'", shown(p)))
                .unwrap_or_default(),
            if markdown { "\n" } else { "" }
        );
        let boot = self.settings.bootstrap > 0;
        let mut header = render::header(&["metric", "value"]);
        if boot {
            header.push(format!("{}% interval", (self.settings.ci * 100.0).round()));
        }
        let mut rows_t = Vec::new();
        for (name, v) in &self.overall.metrics {
            let shown = HEADLINE.contains(&name.as_str())
                || [
                    "selection_rate_ratio@",
                    "min_skew@",
                    "presence_diversity@",
                    "inclusion_nash@",
                ]
                .iter()
                .any(|p| name.starts_with(p));
            if !shown {
                continue;
            }
            let mut r = vec![name.clone(), cell(v)];
            if boot {
                r.push(interval_cell(&self.overall, name));
            }
            rows_t.push(r);
        }
        out.push_str(&render::grid(&header, &rows_t, markdown, &[], 0));
        let undefined: Map<String, Json> = self
            .overall
            .undefined
            .iter()
            .filter(|(k, _)| rows_t.iter().any(|r| &r[0] == *k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        out.push_str(&render::undefined_notes(&undefined, markdown));
        out.push('\n');
        // Per group.
        let mut cols = vec![
            "items",
            "share_of_items",
            "share_of_exposure",
            "share_of_relevance",
            "exposure_per_item",
            "exposure_ratio",
            "treatment_ratio",
        ];
        let ks: Vec<String> = self
            .settings
            .k
            .iter()
            .flat_map(|k| [format!("selection_rate@{k}"), format!("skew@{k}")])
            .collect();
        let has_rel = self.inputs.iter().any(|i| i.relevance_column.is_some());
        if !has_rel {
            cols.retain(|c| !["share_of_relevance", "treatment_ratio"].contains(c));
        }
        let mut header = vec![self.group_column.clone()];
        let short = |c: &str| {
            c.replace("share_of_", "share ")
                .replace("exposure_per_item", "exposure/item")
                .replace("selection_rate", "selected")
                .replace('_', " ")
        };
        header.extend(cols.iter().map(|c| short(c)));
        header.extend(ks.iter().map(|c| short(c)));
        let mut body = Vec::new();
        for g in &self.by_group {
            let mut r = vec![g.group.clone()];
            for c in cols.iter().map(|c| c.to_string()).chain(ks.iter().cloned()) {
                r.push(g.block.metrics.get(&c).map(cell).unwrap_or_default());
            }
            body.push(r);
        }
        if markdown {
            out.push_str("## By group\n\n");
        }
        out.push_str(&render::grid(&header, &body, markdown, &[], 0));
        out.push_str(&render::note_lines(
            &[format!(
                "exposure ratio / treatment ratio: against '{}'; selected@k: share of the group's items in the top k (pooled over queries); skew@k: ln(top-k share / target share)",
                self.settings.reference
            )],
            markdown,
        ));
        if let Some(f) = &self.fair {
            let _ = writeln!(
                out,
                "\nFA*IR (p = {}, α = {}): {} of {} queries pass",
                f.p.map_or("—".into(), |p| render::fmt_num(Some(p))),
                f.alpha,
                f.queries_passing,
                f.queries_checked
            );
        }
        out.push('\n');
        out.push_str(&render::gates_and_warnings(
            &self.gates,
            &self.warnings,
            markdown,
            !markdown && render::use_colour(),
        ));
        out
    }

    /// CSV: one row per number (long format).
    pub fn csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record([
            "level",
            "group",
            "metric",
            "value",
            "lower",
            "upper",
            "undefined",
        ])?;
        for n in &self.numbers {
            let level = match n.level {
                Level::Group => "group",
                _ => "overall",
            };
            let [value, lo, hi, why] = crate::render::csv_cells(n);
            w.write_record([
                level,
                n.group.as_deref().unwrap_or(""),
                &n.metric,
                &value,
                &lo,
                &hi,
                &why,
            ])?;
        }
        Ok(String::from_utf8(w.into_inner()?)?)
    }
}

impl crate::gate::Gateable for RankingReport {
    fn observe(&self, scope: &Scope, name: &str) -> Result<Vec<Observation>> {
        let (base, end) = crate::gate::interval_end(name);
        let known: Vec<&str> = {
            let mut k: Vec<&str> = Vec::new();
            for n in &self.numbers {
                if !k.contains(&n.metric.as_str()) {
                    k.push(&n.metric);
                }
            }
            k
        };
        if !known.contains(&base) {
            let hint = crate::input::closest_name(base, &known)
                .map(|c| format!("did you mean '{c}'? "))
                .unwrap_or_default();
            anyhow::bail!("unknown metric '{base}'; {hint}known: {}", known.join(", "));
        }
        if end.is_some() && self.settings.bootstrap == 0 {
            anyhow::bail!("'{name}' is an interval end: run with --bootstrap N");
        }
        let col = &self.group_column;
        let scope = match scope {
            Scope::All => Scope::All,
            Scope::Overall => Scope::Attribute(col.clone()),
            Scope::Attribute(a) if a == col => Scope::Attribute(col.clone()),
            Scope::Attribute(a) if self.groups.contains(a) => Scope::Group(col.clone(), a.clone()),
            Scope::Group(a, g) if a == col && self.groups.contains(g) => scope.clone(),
            Scope::Attribute(a) | Scope::Group(a, _) => {
                let names: Vec<&str> = self
                    .groups
                    .iter()
                    .map(String::as_str)
                    .chain([col.as_str()])
                    .collect();
                let hint = crate::input::closest_name(a, &names)
                    .map(|c| format!("; did you mean '{c}'?"))
                    .unwrap_or_default();
                anyhow::bail!(
                    "scope '{}' matches no group of '{col}' (groups: {}){hint}",
                    match scope {
                        Scope::Group(a, g) => format!("{a}={g}"),
                        _ => a.clone(),
                    },
                    self.groups.join(", ")
                );
            }
        };
        let found = crate::gate::select(&self.numbers, &scope, base, end, name);
        if found.is_empty() {
            anyhow::bail!(
                "'{base}' has no value in that scope ({})",
                if matches!(scope, Scope::Group(..)) {
                    "it is an overall metric: drop the group scope"
                } else {
                    "it is a per-group metric: scope it to a group, e.g. 'GROUP:NAME'"
                }
            );
        }
        Ok(found)
    }
}
