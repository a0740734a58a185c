//! The audit of an allocation of items: every property (EF, EF1, EFX, PROP, PROP1, the cubed
//! variants, MMS, PO, fPO, and the externality variants when given), per-agent values with the
//! maximin share and minimum subsidy, welfare, and the envy graph. Definitions: docs/metrics.md,
//! "allocate".

use anyhow::Result;
use serde_json::json;

use super::check::{self, Context};
use super::externalities;
use super::instance::{self, Allocation, Externalities, Instance};
use crate::allocate::metrics::num;
use crate::allocate::report::{AllocateReport, Property};
use crate::allocate::settings::{Checks, UtilitySettings};
use crate::allocate::tables::{AgentRow, Bundle, Input, Outcome};
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
    r.input = Input::Items {
        path: path.to_string(),
        agents: inst.n(),
        items: inst.m(),
    };
    r.settings.efx_variant = Some(opts.efx_variant.name());
    r.settings.exact_limit = Some(opts.exact_limit);
    let ctx = Context::new(inst, alloc);
    warn_unallocated(&mut r, inst, alloc, path);
    r.allocation = Outcome::Bundles(
        (0..inst.n())
            .map(|i| Bundle {
                agent: inst.agents[i].clone(),
                items: ctx.bundles[i]
                    .iter()
                    .map(|&o| inst.items[o].clone())
                    .collect(),
                value: ctx.v[i][i],
            })
            .collect(),
    );
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
        r.settings.externalities = Some(true);
    }
    property_metrics(&mut r, &props);
    let values: Vec<f64> = (0..inst.n()).map(|i| ctx.v[i][i]).collect();
    welfare_metrics(&mut r, &values);
    mms_ratio_metric(&mut r, &mms.ratios);
    let edges = ctx.envy_edges();
    r.metrics.count("envy_pairs", edges.len() as u64);
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
    rows: Vec<AgentRow>,
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
        out.rows.push(AgentRow {
            agent: inst.agents[i].clone(),
            value,
            mms: exact.then_some(lo),
            mms_bounds: [lo, hi],
            mms_exact: exact,
            mms_ratio: ratio,
            subsidy: subsidies.map(|s| s[i]),
            value_with_externalities: ext.map(|ext| externalities::value(ext, alloc, i)),
        });
    }
    out
}

impl AgentRows {
    /// MMS: every agent gets at least its maximin share; the witness is the first agent below
    /// its exact share.
    fn property(&self) -> Property {
        // The first agent whose value is below its exact share (numbers that are not finite
        // count as missing, below any number, as in the JSON the witness shows).
        let finite = |x: f64| Some(x).filter(|x| x.is_finite());
        let witness = self
            .rows
            .iter()
            .find(|a| a.mms_exact && finite(a.value) < a.mms.and_then(finite))
            .and_then(|a| serde_json::to_value(a).ok());
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
                r.metrics.holds(&p.name, b);
            }
            None => {
                r.metrics
                    .undefined(&p.name, p.note.clone().unwrap_or_default());
            }
        }
    }
}

/// Utilitarian (sum), egalitarian (minimum), Nash (product) welfare and the Nash geometric
/// mean; the Nash values are undefined when an agent's value is ≤ 0.
fn welfare_metrics(r: &mut AllocateReport, values: &[f64]) {
    r.metrics.number("welfare.utilitarian", values.iter().sum());
    r.metrics.number(
        "welfare.egalitarian",
        values.iter().copied().fold(f64::INFINITY, f64::min),
    );
    if values.iter().all(|&v| v > 0.0) {
        r.metrics.number(
            "welfare.nash",
            values.iter().map(|v| v.ln()).sum::<f64>().exp(),
        );
        r.metrics.number(
            "welfare.nash_geometric_mean",
            (values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64).exp(),
        );
    } else {
        for k in ["welfare.nash", "welfare.nash_geometric_mean"] {
            r.metrics.undefined(
                k,
                "an agent's value is ≤ 0: the Nash product is not meaningful",
            );
        }
    }
}

/// `mms_ratio.min`: the smallest α with which the allocation is α-MMS.
fn mms_ratio_metric(r: &mut AllocateReport, ratios: &[f64]) {
    if ratios.is_empty() {
        r.metrics.undefined(
            "mms_ratio.min",
            "no agent has an exact, positive maximin share",
        );
    } else {
        r.metrics.number(
            "mms_ratio.min",
            ratios.iter().copied().fold(f64::INFINITY, f64::min),
        );
    }
}

/// `subsidy.total`: the least total subsidy that makes the allocation envy-free.
fn subsidy_metric(r: &mut AllocateReport, subsidies: Option<&[f64]>) {
    match subsidies {
        Some(s) => {
            r.metrics.number("subsidy.total", s.iter().sum());
        }
        None => {
            r.metrics.undefined("subsidy.total", "a positive-weight envy cycle: no subsidies make this allocation envy-free (not envy-freeable)");
        }
    }
}
