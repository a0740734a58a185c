//! The audit of an allocation of items: every property (EF, EF1, EFX, PROP, PROP1, the cubed
//! variants, MMS, PO, fPO, and the externality variants when given), per-agent values with the
//! maximin share and minimum subsidy, welfare, and the envy graph. Definitions: docs/metrics.md,
//! "allocate".

use anyhow::Result;
use serde_json::{json, Value as Json};

use super::check::{self, Context};
use super::externalities;
use super::instance::{self, Allocation, Externalities, Instance};
use crate::allocate::report::{num, AllocateReport, Property};
use crate::allocate::settings::{Checks, UtilitySettings};
use crate::render::Warning;

/// [`audit`] with the externalities named by the utility settings, if any.
pub fn audit_with(
    inst: &Instance,
    alloc: &Allocation,
    args: &UtilitySettings,
    checks: &Checks,
    mode: &str,
) -> Result<AllocateReport> {
    let ext = args
        .externalities
        .as_deref()
        .map(|p| instance::load_externalities(p, inst, &args.read))
        .transpose()?;
    Ok(audit(
        inst,
        ext.as_ref(),
        alloc,
        checks,
        &args.utilities,
        mode,
    ))
}

/// Every property, per-agent values, welfare and the envy graph of an allocation (`path`: the
/// utilities file, for the report's input and warnings; `mode`: `items` or `check`).
pub fn audit(
    inst: &Instance,
    ext: Option<&Externalities>,
    alloc: &Allocation,
    opts: &Checks,
    path: &str,
    mode: &str,
) -> AllocateReport {
    let mut r = AllocateReport::new(mode);
    r.input = json!({"path": path, "agents": inst.n(), "items": inst.m()});
    r.settings
        .insert("efx_variant".into(), json!(opts.efx_variant.name()));
    r.settings
        .insert("exact_limit".into(), json!(opts.exact_limit));
    let ctx = Context::new(inst, alloc);
    warn_unallocated(&mut r, inst, alloc, path);
    r.allocation = (0..inst.n())
        .map(|i| {
            json!({
                "agent": inst.agents[i],
                "items": ctx.bundles[i].iter().map(|&o| inst.items[o].clone()).collect::<Vec<_>>(),
                "value": num(ctx.v[i][i]),
            })
        })
        .collect();
    let mut props = vec![
        ctx.ef(),
        ctx.ef1(),
        ctx.efx(opts.efx_variant),
        ctx.prop(),
        ctx.prop1(alloc),
    ];
    props.extend(check::cubed(inst, alloc, opts.efx_variant));
    let subsidies = ctx.subsidies();
    let mms = agent_rows(
        inst,
        ext,
        alloc,
        &ctx,
        opts.exact_limit,
        subsidies.as_deref(),
    );
    props.push(mms.property());
    props.push(po(inst, alloc, opts.exact_limit));
    props.push(check::fpo(inst, alloc));
    if let Some(ext) = ext {
        props.extend(externalities::properties(inst, ext, alloc));
        r.settings.insert("externalities".into(), json!(true));
    }
    property_metrics(&mut r, &props);
    let values: Vec<f64> = (0..inst.n()).map(|i| ctx.v[i][i]).collect();
    welfare_metrics(&mut r, &values);
    mms_ratio_metric(&mut r, &mms.ratios);
    let edges = ctx.envy_edges();
    r.metrics.insert("envy_pairs".into(), json!(edges.len()));
    subsidy_metric(&mut r, subsidies.as_deref());
    r.properties = props;
    r.agents = mms.rows;
    r.envy_graph = edges;
    r
}

fn warn_unallocated(r: &mut AllocateReport, inst: &Instance, alloc: &Allocation, path: &str) {
    let unallocated: Vec<&str> = (0..inst.m())
        .filter(|&o| alloc[o].is_none())
        .map(|o| inst.items[o].as_str())
        .collect();
    if !unallocated.is_empty() {
        r.warnings.push(Warning::new(
            path,
            None,
            format!(
                "items not allocated (left out of every bundle): {}",
                unallocated.join(", ")
            ),
        ));
    }
}

/// The per-agent rows and what MMS needs from them.
struct AgentRows {
    rows: Vec<Json>,
    /// value / MMS of each agent with an exact, positive maximin share.
    ratios: Vec<f64>,
    /// Every agent reaches its MMS (`None`: not decided for some agent).
    holds: Option<bool>,
}

/// Per agent: value, maximin share (exact, or bounds beyond `limit`), α-MMS ratio, minimum
/// subsidy, and the value with externalities when given.
fn agent_rows(
    inst: &Instance,
    ext: Option<&Externalities>,
    alloc: &Allocation,
    ctx: &Context,
    limit: u64,
    subsidies: Option<&[f64]>,
) -> AgentRows {
    let mut out = AgentRows {
        rows: Vec::new(),
        ratios: Vec::new(),
        holds: Some(true),
    };
    for i in 0..inst.n() {
        let (lo, hi, exact) = check::mms(inst, i, limit);
        let value = ctx.v[i][i];
        let ratio = if exact && lo > 0.0 {
            Some(value / lo)
        } else {
            None
        };
        if let Some(x) = ratio {
            out.ratios.push(x);
        }
        let satisfied = if exact {
            Some(value >= lo - 1e-9 * (1.0 + lo.abs()))
        } else if value >= hi {
            Some(true)
        } else if value < lo {
            Some(false)
        } else {
            None
        };
        out.holds = match (out.holds, satisfied) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (None, _) | (_, None) => None,
            _ => Some(true),
        };
        let mut row = json!({
            "agent": inst.agents[i],
            "value": num(value),
            "mms": if exact { num(lo) } else { Json::Null },
            "mms_bounds": [num(lo), num(hi)],
            "mms_exact": exact,
            "mms_ratio": ratio.map(num).unwrap_or(Json::Null),
            "subsidy": subsidies.map(|s| num(s[i])).unwrap_or(Json::Null),
        });
        if let Some(ext) = ext {
            row["value_with_externalities"] = num(externalities::value(ext, alloc, i));
        }
        out.rows.push(row);
    }
    out
}

impl AgentRows {
    /// MMS: every agent gets at least its maximin share; the witness is the first agent below
    /// its exact share.
    fn property(&self) -> Property {
        let witness = self
            .rows
            .iter()
            .find(|a| a["mms_exact"] == true && a["value"].as_f64() < a["mms"].as_f64())
            .cloned();
        Property {
            name: "mms".into(),
            holds: self.holds,
            witness: if self.holds == Some(false) {
                witness
            } else {
                None
            },
            note: if self.holds.is_none() {
                Some(
                    "an agent's value lies between the MMS bounds (instance beyond --exact-limit)"
                        .into(),
                )
            } else {
                None
            },
        }
    }
}

/// Pareto optimality by enumeration within `limit`; the witness is a dominating allocation.
fn po(inst: &Instance, alloc: &Allocation, limit: u64) -> Property {
    match check::dominating(inst, alloc, limit) {
        None => Property {
            name: "po".into(),
            holds: None,
            witness: None,
            note: Some(format!(
                "not decided: {}^{} allocations exceed --exact-limit {}",
                inst.n(),
                inst.m(),
                limit
            )),
        },
        Some(None) => Property {
            name: "po".into(),
            holds: Some(true),
            witness: None,
            note: None,
        },
        Some(Some(better)) => {
            let b = instance::bundles(inst.n(), &better);
            Property {
                name: "po".into(),
                holds: Some(false),
                witness: Some(json!({
                    "dominating_allocation": (0..inst.n()).map(|i| json!({
                        "agent": inst.agents[i],
                        "items": b[i].iter().map(|&o| inst.items[o].clone()).collect::<Vec<_>>(),
                        "value": num(inst.value(i, &b[i])),
                    })).collect::<Vec<_>>()
                })),
                note: None,
            }
        }
    }
}

/// Each property as a metric (a boolean; null with its note when not decided).
fn property_metrics(r: &mut AllocateReport, props: &[Property]) {
    for p in props {
        match p.holds {
            Some(b) => {
                r.metrics.insert(p.name.clone(), json!(b));
            }
            None => {
                r.metrics.insert(p.name.clone(), Json::Null);
                r.undefined
                    .insert(p.name.clone(), json!(p.note.clone().unwrap_or_default()));
            }
        }
    }
}

/// Utilitarian (sum), egalitarian (minimum), Nash (product) welfare and the Nash geometric
/// mean; the Nash values are undefined when an agent's value is ≤ 0.
fn welfare_metrics(r: &mut AllocateReport, values: &[f64]) {
    r.metrics
        .insert("welfare.utilitarian".into(), num(values.iter().sum()));
    r.metrics.insert(
        "welfare.egalitarian".into(),
        num(values.iter().copied().fold(f64::INFINITY, f64::min)),
    );
    if values.iter().all(|&v| v > 0.0) {
        r.metrics.insert(
            "welfare.nash".into(),
            num(values.iter().map(|v| v.ln()).sum::<f64>().exp()),
        );
        r.metrics.insert(
            "welfare.nash_geometric_mean".into(),
            num((values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp()),
        );
    } else {
        for k in ["welfare.nash", "welfare.nash_geometric_mean"] {
            r.metrics.insert(k.into(), Json::Null);
            r.undefined.insert(
                k.into(),
                json!("an agent's value is ≤ 0: the Nash product is not meaningful"),
            );
        }
    }
}

/// `mms_ratio.min`: the smallest α with which the allocation is α-MMS.
fn mms_ratio_metric(r: &mut AllocateReport, ratios: &[f64]) {
    if ratios.is_empty() {
        r.metrics.insert("mms_ratio.min".into(), Json::Null);
        r.undefined.insert(
            "mms_ratio.min".into(),
            json!("no agent has an exact, positive maximin share"),
        );
    } else {
        r.metrics.insert(
            "mms_ratio.min".into(),
            num(ratios.iter().copied().fold(f64::INFINITY, f64::min)),
        );
    }
}

/// `subsidy.total`: the least total subsidy that makes the allocation envy-free.
fn subsidy_metric(r: &mut AllocateReport, subsidies: Option<&[f64]>) {
    match subsidies {
        Some(s) => {
            r.metrics
                .insert("subsidy.total".into(), num(s.iter().sum()));
        }
        None => {
            r.metrics.insert("subsidy.total".into(), Json::Null);
            r.undefined.insert("subsidy.total".into(), json!("a positive-weight envy cycle: no subsidies make this allocation envy-free (not envy-freeable)"));
        }
    }
}
