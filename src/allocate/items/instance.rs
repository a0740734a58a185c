//! Fair-division inputs: utilities (wide or long tables), entitlements, and allocations, read
//! through the shared input layer with clear errors.

use std::collections::{BTreeMap, HashMap};

use anyhow::{anyhow, bail, Result};
use polars::prelude::*;

use crate::allocate::settings::{UtilitySettings, AGENT_COLUMNS};
use crate::input::ReadOptions;
use crate::input::{closest_name, detect_column, resolve_column, source_with, Opened, Source};

/// Additive utilities: `u[agent][item]` (positive: a good for that agent, negative: a chore).
#[derive(Debug, Clone)]
pub struct Instance {
    pub agents: Vec<String>,
    pub items: Vec<String>,
    pub u: Vec<Vec<f64>>,
    /// Entitlements (sum 1); equal when not given.
    pub weights: Vec<f64>,
}

impl Instance {
    pub fn n(&self) -> usize {
        self.agents.len()
    }
    pub fn m(&self) -> usize {
        self.items.len()
    }
    /// u_i(S) for a bundle given as item indices.
    pub fn value(&self, i: usize, bundle: &[usize]) -> f64 {
        bundle.iter().map(|&o| self.u[i][o]).sum()
    }
}

/// Who holds each item (`None`: not allocated).
pub type Allocation = Vec<Option<usize>>;

/// The bundles of an allocation, per agent, items in index order.
pub fn bundles(n: usize, a: &Allocation) -> Vec<Vec<usize>> {
    let mut b = vec![Vec::new(); n];
    for (o, owner) in a.iter().enumerate() {
        if let Some(i) = owner {
            b[*i].push(o);
        }
    }
    b
}

fn collect(src: &Source) -> Result<(DataFrame, Opened)> {
    let opened = src.open()?;
    crate::input::note_all(&src.display, &opened.warnings);
    let df = src.collect(opened.frame.clone())?;
    if df.height() == 0 {
        bail!("{}: the file has a header but no data rows", src.display);
    }
    Ok((df, opened))
}

fn text_column(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    let s = df
        .column(name)?
        .as_materialized_series()
        .cast(&DataType::String)?;
    Ok(s.str()?
        .iter()
        .map(|v| v.map(|x| x.trim().to_string()))
        .collect())
}

fn number_column(df: &DataFrame, name: &str, d: &str) -> Result<Vec<Option<f64>>> {
    let col = df.column(name)?.as_materialized_series();
    crate::input::roles::number_values(col, &crate::input::DEFAULT_NA, d)
}

/// Reads the utilities: long when --item/--value are given or the file has item and value
/// columns (and nothing else but the agent), wide otherwise.
pub fn load(args: &UtilitySettings) -> Result<Instance> {
    let src = source_with(&args.utilities, &args.read)?;
    let d = src.display.clone();
    let (df, opened) = collect(&src)?;
    let schema = &opened.schema;
    let resolve =
        |c: &str, flag: &str| resolve_column(schema, c, flag, &d, &opened.duplicate_headers);
    let agent = match &args.agent {
        Some(a) => resolve(a, "--agent")?,
        None => detect_column(schema, &AGENT_COLUMNS)
            .unwrap_or_else(|| schema.iter_names().next().expect("a column").to_string()),
    };
    let item = match &args.item {
        Some(c) => Some(resolve(c, "--item")?),
        None => detect_column(schema, &["item", "good", "object", "project"]),
    };
    let value = match &args.value {
        Some(c) => Some(resolve(c, "--value")?),
        None => detect_column(schema, &["value", "utility", "valuation"]),
    };
    let agents_col = text_column(&df, &agent)?;
    let long = args.item.is_some()
        || args.value.is_some()
        || (item.is_some() && value.is_some() && schema.len() == 3);
    let mut agents: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut agent_of = |name: &Option<String>, row: usize| -> Result<usize> {
        let Some(name) = name.as_deref().filter(|s| !s.is_empty()) else {
            bail!(
                "{d}: data row {}: the agent ('{agent}') is missing",
                row + 1
            );
        };
        let k = agents.len();
        Ok(*index.entry(name.to_string()).or_insert_with(|| {
            agents.push(name.to_string());
            k
        }))
    };
    let inst = if long {
        let (Some(item), Some(value)) = (item, value) else {
            bail!("{d}: long utilities need an item and a value column (--item COL --value COL)");
        };
        let items_col = text_column(&df, &item)?;
        let values = number_column(&df, &value, &d)?;
        let mut items: Vec<String> = Vec::new();
        let mut item_index: HashMap<String, usize> = HashMap::new();
        let mut cells: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for r in 0..df.height() {
            let a = agent_of(&agents_col[r], r)?;
            let Some(it) = items_col[r].clone().filter(|s| !s.is_empty()) else {
                bail!("{d}: data row {}: the item is missing", r + 1);
            };
            let k = items.len();
            let o = *item_index.entry(it.clone()).or_insert_with(|| {
                items.push(it.clone());
                k
            });
            let Some(v) = values[r].filter(|v| v.is_finite()) else {
                bail!("{d}: data row {}: the value of item '{it}' for agent '{}' is missing or not finite", r + 1, agents[a]);
            };
            if cells.insert((a, o), v).is_some() {
                bail!(
                    "{d}: data row {}: agent '{}' values item '{it}' twice",
                    r + 1,
                    agents[a]
                );
            }
        }
        let mut u = vec![vec![0.0; items.len()]; agents.len()];
        for a in 0..agents.len() {
            for o in 0..items.len() {
                match cells.get(&(a, o)) {
                    Some(v) => u[a][o] = *v,
                    None => bail!(
                        "{d}: agent '{}' has no value for item '{}'; every agent needs a value for every item",
                        agents[a],
                        items[o]
                    ),
                }
            }
        }
        Instance {
            weights: vec![1.0 / agents.len() as f64; agents.len()],
            agents,
            items,
            u,
        }
    } else {
        let items: Vec<String> = schema
            .iter_names()
            .map(|s| s.to_string())
            .filter(|c| *c != agent)
            .collect();
        if items.is_empty() {
            bail!("{d}: no item columns besides the agent column '{agent}'");
        }
        let cols: Vec<Vec<Option<f64>>> = items
            .iter()
            .map(|c| number_column(&df, c, &d))
            .collect::<Result<_>>()?;
        let mut u = Vec::new();
        for r in 0..df.height() {
            let a = agent_of(&agents_col[r], r)?;
            if a < u.len() {
                bail!(
                    "{d}: data row {}: agent '{}' appears twice",
                    r + 1,
                    agents[a]
                );
            }
            let mut row = Vec::with_capacity(items.len());
            for (o, c) in cols.iter().enumerate() {
                match c[r].filter(|v| v.is_finite()) {
                    Some(v) => row.push(v),
                    None => bail!(
                        "{d}: data row {}: agent '{}' has no value for item '{}'",
                        r + 1,
                        agents[a],
                        items[o]
                    ),
                }
            }
            u.push(row);
        }
        Instance {
            weights: vec![1.0 / agents.len() as f64; agents.len()],
            agents,
            items,
            u,
        }
    };
    let mut inst = inst;
    if inst.n() < 2 {
        bail!(
            "{d}: fair division needs at least 2 agents; found {}",
            inst.n()
        );
    }
    if let Some(path) = &args.entitlements {
        inst.weights = load_weights(path, &inst.agents, &args.read)?;
    }
    Ok(inst)
}

/// agent,weight rows → weights normalised to sum 1, in agent order.
fn load_weights(path: &str, agents: &[String], read: &ReadOptions) -> Result<Vec<f64>> {
    let src = source_with(path, read)?;
    let d = src.display.clone();
    let (df, opened) = collect(&src)?;
    let a = detect_column(&opened.schema, &AGENT_COLUMNS)
        .ok_or_else(|| anyhow!("{d}: no 'agent' column"))?;
    let w = detect_column(&opened.schema, &["weight", "entitlement", "share"])
        .ok_or_else(|| anyhow!("{d}: no 'weight' column"))?;
    let names = text_column(&df, &a)?;
    let vals = number_column(&df, &w, &d)?;
    let mut out = vec![f64::NAN; agents.len()];
    for (n, v) in names.iter().zip(vals) {
        let n = n.as_deref().unwrap_or("");
        let Some(i) = agents.iter().position(|x| x == n) else {
            bail!("{d}: unknown agent '{n}'{}", hint(n, agents));
        };
        if !out[i].is_nan() {
            bail!("{d}: agent '{n}' is listed twice; give each agent one weight");
        }
        match v {
            Some(v) if v > 0.0 && v.is_finite() => out[i] = v,
            _ => bail!("{d}: the weight of '{n}' must be a positive number"),
        }
    }
    if let Some(i) = out.iter().position(|v| v.is_nan()) {
        bail!("{d}: agent '{}' has no weight", agents[i]);
    }
    let total: f64 = out.iter().sum();
    Ok(out.into_iter().map(|v| v / total).collect())
}

fn hint(name: &str, known: &[String]) -> String {
    let all: Vec<&str> = known.iter().map(String::as_str).collect();
    closest_name(name, &all)
        .map(|c| format!(" (did you mean '{c}'?)"))
        .unwrap_or_default()
}

/// agent,item rows → the owner of each item. An item given twice, an unknown agent or item is an
/// error naming the row.
pub fn load_allocation(path: &str, inst: &Instance, read: &ReadOptions) -> Result<Allocation> {
    let src = source_with(path, read)?;
    let d = src.display.clone();
    let (df, opened) = collect(&src)?;
    let a = detect_column(&opened.schema, &AGENT_COLUMNS)
        .ok_or_else(|| anyhow!("{d}: no 'agent' column; the allocation is agent,item rows"))?;
    let it = detect_column(&opened.schema, &["item", "good", "object"])
        .ok_or_else(|| anyhow!("{d}: no 'item' column; the allocation is agent,item rows"))?;
    let agents = text_column(&df, &a)?;
    let items = text_column(&df, &it)?;
    let mut alloc: Allocation = vec![None; inst.m()];
    for r in 0..df.height() {
        let an = agents[r].as_deref().unwrap_or("");
        let inn = items[r].as_deref().unwrap_or("");
        let Some(i) = inst.agents.iter().position(|x| x == an) else {
            bail!(
                "{d}: data row {}: unknown agent '{an}'{}",
                r + 1,
                hint(an, &inst.agents)
            );
        };
        let Some(o) = inst.items.iter().position(|x| x == inn) else {
            bail!(
                "{d}: data row {}: unknown item '{inn}'{}",
                r + 1,
                hint(inn, &inst.items)
            );
        };
        if let Some(prev) = alloc[o] {
            bail!(
                "{d}: data row {}: item '{inn}' is given twice (to '{}' and '{an}'); an item goes to one agent",
                r + 1,
                inst.agents[prev]
            );
        }
        alloc[o] = Some(i);
    }
    Ok(alloc)
}

/// Externalities: `ext[i][o][j]` = agent i's value when item o goes to agent j (Aziz, Suksompong,
/// Sun & Walsh 2023). Read from agent,item,recipient,value rows; `ext[i][o][i]` is the utilities
/// file's u_i(o) (a row with recipient = agent must agree with it); pairs not listed are 0.
pub type Externalities = Vec<Vec<Vec<f64>>>;

pub fn load_externalities(
    path: &str,
    inst: &Instance,
    read: &ReadOptions,
) -> Result<Externalities> {
    let src = source_with(path, read)?;
    let d = src.display.clone();
    let (df, opened) = collect(&src)?;
    let need = |names: &[&str], what: &str| {
        detect_column(&opened.schema, names).ok_or_else(|| {
            anyhow!("{d}: no {what} column; externalities are agent,item,recipient,value rows")
        })
    };
    let a = need(&AGENT_COLUMNS, "'agent'")?;
    let it = need(&["item", "good", "object"], "'item'")?;
    let rc = need(&["recipient", "receiver", "to", "holder"], "'recipient'")?;
    let vc = need(&["value", "utility"], "'value'")?;
    let (agents, items, recips) = (
        text_column(&df, &a)?,
        text_column(&df, &it)?,
        text_column(&df, &rc)?,
    );
    let vals = number_column(&df, &vc, &d)?;
    let (n, m) = (inst.n(), inst.m());
    let mut ext = vec![vec![vec![0.0; n]; m]; n];
    for (i, (rows, own)) in ext.iter_mut().zip(&inst.u).enumerate() {
        for (row, &v) in rows.iter_mut().zip(own) {
            row[i] = v;
        }
    }
    let mut seen = std::collections::HashSet::new();
    for r in 0..df.height() {
        let find = |name: &Option<String>, known: &[String], what: &str| -> Result<usize> {
            let s = name.as_deref().unwrap_or("");
            known.iter().position(|x| x == s).ok_or_else(|| {
                anyhow!(
                    "{d}: data row {}: unknown {what} '{s}'{}",
                    r + 1,
                    hint(s, known)
                )
            })
        };
        let i = find(&agents[r], &inst.agents, "agent")?;
        let o = find(&items[r], &inst.items, "item")?;
        let j = find(&recips[r], &inst.agents, "recipient")?;
        let Some(v) = vals[r].filter(|v| v.is_finite()) else {
            bail!(
                "{d}: data row {}: the value is missing or not a number",
                r + 1
            );
        };
        if !seen.insert((i, o, j)) {
            bail!(
                "{d}: data row {}: ('{}', '{}', '{}') is listed twice",
                r + 1,
                inst.agents[i],
                inst.items[o],
                inst.agents[j]
            );
        }
        if i == j && (v - inst.u[i][o]).abs() > 1e-12 * (1.0 + v.abs()) {
            bail!(
                "{d}: data row {}: '{}' values '{}' at {v} when holding it, but the utilities say {}",
                r + 1,
                inst.agents[i],
                inst.items[o],
                inst.u[i][o]
            );
        }
        ext[i][o][j] = v;
    }
    Ok(ext)
}
