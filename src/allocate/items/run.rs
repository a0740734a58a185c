//! `allocate items` (compute an allocation with a rule, then audit it) and `allocate check`
//! (audit a given allocation): the report of each.

use anyhow::{bail, Result};

use super::audit::audit_with;
use super::instance::{self, Allocation, Instance};
use super::{rules, search};
use crate::allocate::report::AllocateReport;
use crate::allocate::settings::{CheckSettings, ItemsMethod, ItemsSettings};
use crate::allocate::tables::{ChartData, UtilityMatrix, UtilityRow};
use crate::render::Warning;

/// What an exact search reports besides its allocation.
struct SearchOutcome {
    optimal: bool,
    /// The gap to the bound when the search stopped at its node limit (MNW: log of the Nash
    /// product; leximin: minimum value); `None` when it finished.
    gap: Option<f64>,
    nodes: u64,
    /// Leximin only: whether the minimum value is proven optimal.
    min_optimal: Option<bool>,
}

/// `allocate items`: the allocation the method computes, its audit, the search's figures, and
/// the allocation written to `--allocation-out` once the run succeeds.
pub fn items(s: &ItemsSettings) -> Result<AllocateReport> {
    let inst = instance::load(&s.utilities)?;
    let (alloc, search) = allocate(&inst, s)?;
    let mut r = audit_with(&inst, &alloc, &s.utilities, &s.checks, "items")?;
    r.settings.method = Some(s.method.name());
    if let Some(found) = search {
        add_search(
            &mut r,
            &found,
            s.method == ItemsMethod::Leximin,
            &s.utilities.utilities,
        );
    }
    if let Some(path) = &s.allocation_out {
        r.side_files.push(crate::render::SideFile {
            path: path.clone(),
            text: allocation_csv(&inst, &alloc),
            make_dir: false,
        });
    }
    if s.output.wants_charts() {
        r.chart_data = Some(utility_matrix(&inst));
    }
    Ok(r)
}

/// `allocate check`: the audit of the allocation in `--allocation`.
pub fn check(s: &CheckSettings) -> Result<AllocateReport> {
    let inst = instance::load(&s.utilities)?;
    let alloc = instance::load_allocation(&s.allocation, &inst, &s.utilities.read)?;
    let mut r = audit_with(&inst, &alloc, &s.utilities, &s.checks, "check")?;
    r.settings.allocation = Some(s.allocation.clone());
    if s.output.wants_charts() {
        r.chart_data = Some(utility_matrix(&inst));
    }
    Ok(r)
}

/// The utilities as read, for the heat map of `--format html` / `--plot`.
fn utility_matrix(inst: &Instance) -> ChartData {
    ChartData::Utilities(UtilityMatrix {
        items: inst.items.clone(),
        utilities: inst
            .agents
            .iter()
            .zip(&inst.u)
            .map(|(a, u)| UtilityRow {
                agent: a.clone(),
                values: u.clone(),
            })
            .collect(),
    })
}

/// The allocation of the method, and the exact search's outcome for mnw and leximin.
fn allocate(inst: &Instance, s: &ItemsSettings) -> Result<(Allocation, Option<SearchOutcome>)> {
    Ok(match s.method {
        ItemsMethod::RoundRobin => {
            if inst.u.iter().flatten().any(|&v| v < 0.0) {
                bail!("round robin is for goods (values ≥ 0); for chores or mixed items use --method double-round-robin");
            }
            (rules::round_robin(inst), None)
        }
        ItemsMethod::EnvyCycle => (rules::envy_cycle(inst)?, None),
        ItemsMethod::DoubleRoundRobin => (rules::double_round_robin(inst), None),
        ItemsMethod::Mnw => {
            let found = search::mnw(inst, s.node_limit.unwrap_or(search::MNW_NODES))?;
            let outcome = SearchOutcome {
                optimal: found.optimal,
                gap: found.gap,
                nodes: found.nodes,
                min_optimal: None,
            };
            (found.allocation, Some(outcome))
        }
        ItemsMethod::Leximin => {
            let found = search::leximin(inst, s.node_limit.unwrap_or(search::LEXIMIN_NODES));
            let outcome = SearchOutcome {
                optimal: found.optimal,
                gap: found.gap,
                nodes: found.nodes,
                min_optimal: Some(found.min_optimal),
            };
            (found.allocation, Some(outcome))
        }
        ItemsMethod::AdjustedWinner => (rules::adjusted_winner(inst)?, None),
    })
}

/// The search's metrics (`search.optimal`, `search.nodes`, the gap, `search.min_optimal`) and,
/// when it stopped at its node limit, a warning saying how far from optimal the result can be.
fn add_search(r: &mut AllocateReport, found: &SearchOutcome, leximin: bool, path: &str) {
    let key = if leximin {
        "search.min_gap"
    } else {
        "search.log_gap"
    };
    r.metrics.holds("search.optimal", found.optimal);
    r.metrics.count("search.nodes", found.nodes);
    r.metrics.number(key, found.gap.unwrap_or(0.0));
    if let Some(b) = found.min_optimal {
        r.metrics.holds("search.min_optimal", b);
    }
    let Some(g) = found.gap else {
        return;
    };
    if !g.is_finite() {
        r.metrics.explain(
            key,
            "the bound still allows more agents with positive utility",
        );
    }
    let how = if found.min_optimal == Some(true) {
        "its minimum value is optimal; the values above it are the best found".to_string()
    } else if leximin {
        format!("its minimum value is at most {g:.6} below the optimal minimum")
    } else {
        format!("it is within a factor exp({g:.4}) of the optimal Nash product")
    };
    r.warnings.push(Warning::new(
        path,
        None,
        format!(
            "the search stopped at --node-limit {} before proving optimality: {how}",
            found.nodes
        ),
    ));
}

/// The allocation as agent,item rows (CSV quoting where needed).
fn allocation_csv(inst: &Instance, alloc: &Allocation) -> String {
    let mut text = String::from("agent,item\n");
    for (o, owner) in alloc.iter().enumerate() {
        if let Some(i) = owner {
            text.push_str(&format!(
                "{},{}\n",
                csv_field(&inst.agents[*i]),
                csv_field(&inst.items[o])
            ));
        }
    }
    text
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
