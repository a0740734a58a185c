//! `fairaudit allocate`: fair division. Instances ([`instance`]) → rules ([`rules`]) and
//! property checks ([`check`]) → report ([`crate::render::allocate`]); contribution rewards
//! ([`shapley`]).

pub mod check;
pub mod externalities;
pub mod instance;
pub mod pb;
pub mod pb_checks;
pub mod rational;
pub mod report;
pub mod rules;
pub mod search;
pub mod shapley;

use anyhow::{bail, Result};
use serde_json::{json, Map, Value as Json};

use crate::allocate::report::AllocateReport;
use crate::cli::{AllocateCommand, CheckOptions, ItemsMethod};
use crate::gate;
use crate::render::{Rendered, Warning};
use instance::{Allocation, Instance};

/// Default node limits of the exact searches: about 5 s each on 4 agents × 40 goods on the
/// project's 2-core machine (measured: MNW ~60,000 nodes/s, leximin ~400,000 nodes/s). A node
/// count, not a clock, so that the result is the same on any machine.
pub const MNW_NODES: u64 = 300_000;
pub const LEXIMIN_NODES: u64 = 2_000_000;

pub fn run(cmd: &AllocateCommand) -> Result<Rendered> {
    let (mut model, output) = match cmd {
        AllocateCommand::Items(a) => {
            gate::parse_all(&a.output.fail_if)?;
            let inst = instance::load(&a.utilities)?;
            let mut search = None;
            let mut min_optimal = None;
            let alloc = match a.method {
                ItemsMethod::RoundRobin => {
                    if inst.u.iter().flatten().any(|&v| v < 0.0) {
                        bail!("round robin is for goods (values ≥ 0); for chores or mixed items use --method double-round-robin");
                    }
                    rules::round_robin(&inst)
                }
                ItemsMethod::EnvyCycle => rules::envy_cycle(&inst)?,
                ItemsMethod::DoubleRoundRobin => rules::double_round_robin(&inst),
                ItemsMethod::Mnw => {
                    let found = search::mnw(&inst, a.node_limit.unwrap_or(MNW_NODES))?;
                    search = Some((found.optimal, found.gap, found.nodes));
                    found.allocation
                }
                ItemsMethod::Leximin => {
                    let found = search::leximin(&inst, a.node_limit.unwrap_or(LEXIMIN_NODES));
                    min_optimal = Some(found.min_optimal);
                    search = Some((found.optimal, found.gap, found.nodes));
                    found.allocation
                }
                ItemsMethod::AdjustedWinner => rules::adjusted_winner(&inst)?,
            };
            let mut r = audit_with(&inst, &alloc, &a.utilities, &a.checks, "items")?;
            r.settings.insert(
                "method".into(),
                json!(match a.method {
                    ItemsMethod::RoundRobin => "round-robin",
                    ItemsMethod::EnvyCycle => "envy-cycle",
                    ItemsMethod::DoubleRoundRobin => "double-round-robin",
                    ItemsMethod::Mnw => "mnw",
                    ItemsMethod::Leximin => "leximin",
                    ItemsMethod::AdjustedWinner => "adjusted-winner",
                }),
            );
            if let Some((optimal, gap, nodes)) = search {
                let leximin = a.method == ItemsMethod::Leximin;
                let key = if leximin {
                    "search.min_gap"
                } else {
                    "search.log_gap"
                };
                r.metrics.insert("search.optimal".into(), json!(optimal));
                r.metrics.insert("search.nodes".into(), json!(nodes));
                r.metrics.insert(key.into(), num(gap.unwrap_or(0.0)));
                if let Some(b) = min_optimal {
                    r.metrics.insert("search.min_optimal".into(), json!(b));
                }
                if let Some(g) = gap {
                    if !g.is_finite() {
                        r.undefined.insert(
                            key.into(),
                            json!("the bound still allows more agents with positive utility"),
                        );
                    }
                    let how = if min_optimal == Some(true) {
                        "its minimum value is optimal; the values above it are the best found"
                            .to_string()
                    } else if leximin {
                        format!("its minimum value is at most {g:.6} below the optimal minimum")
                    } else {
                        format!("it is within a factor exp({g:.4}) of the optimal Nash product")
                    };
                    r.warnings.push(Warning::new(
                        &a.utilities.utilities,
                        None,
                        format!(
                            "the search stopped at --node-limit {nodes} before proving optimality: {how}"
                        ),
                    ));
                }
            }
            if let Some(path) = &a.allocation_out {
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
                crate::render::defer_write(path, text);
            }
            (r, &a.output)
        }
        AllocateCommand::Check(a) => {
            gate::parse_all(&a.output.fail_if)?;
            let inst = instance::load(&a.utilities)?;
            let alloc =
                instance::load_allocation(&a.allocation, &inst, &a.utilities.read.options())?;
            let mut r = audit_with(&inst, &alloc, &a.utilities, &a.checks, "check")?;
            r.settings.insert("allocation".into(), json!(a.allocation));
            (r, &a.output)
        }
        AllocateCommand::Shapley(a) => {
            gate::parse_all(&a.output.fail_if)?;
            (shapley_report(a)?, &a.output)
        }
        AllocateCommand::Pb(a) => {
            gate::parse_all(&a.output.fail_if)?;
            (pb_report(a)?, &a.output)
        }
    };
    // What reading the files noticed (skipped rows, a semicolon separator, CR line ends).
    for (file, note) in crate::input::take_notes() {
        model.warnings.insert(0, Warning::new(&file, None, note));
    }
    let gates = gate::parse_all(&output.fail_if)?;
    let verdicts = gate::evaluate(&gates, &model)?;
    model.passed = verdicts.iter().all(|g| g.passed);
    model.gates = verdicts;
    crate::allocate::report::render(&model, output.report_format())
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

/// [`audit`] with the externalities named by the utility flags, if any.
fn audit_with(
    inst: &Instance,
    alloc: &Allocation,
    args: &crate::cli::UtilityArgs,
    checks: &CheckOptions,
    mode: &str,
) -> Result<AllocateReport> {
    let ext = args
        .externalities
        .as_deref()
        .map(|p| instance::load_externalities(p, inst, &args.read.options()))
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

/// Every property, per-agent values, welfare and the envy graph of an allocation.
pub fn audit(
    inst: &Instance,
    ext: Option<&instance::Externalities>,
    alloc: &Allocation,
    opts: &CheckOptions,
    path: &str,
    mode: &str,
) -> AllocateReport {
    let mut r = AllocateReport::new(mode);
    r.input = json!({"path": path, "agents": inst.n(), "items": inst.m()});
    r.settings.insert(
        "efx_variant".into(),
        json!(match opts.efx_variant {
            crate::cli::EfxVariant::Positive => "positive",
            crate::cli::EfxVariant::Zero => "zero",
        }),
    );
    r.settings
        .insert("exact_limit".into(), json!(opts.exact_limit));
    let ctx = check::Context::new(inst, alloc);
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
    // MMS per agent and the α-MMS ratios.
    let mut ratios = Vec::new();
    let mut mms_ok = Some(true);
    let mut agents = Vec::new();
    let subsidies = ctx.subsidies();
    for i in 0..inst.n() {
        let (lo, hi, exact) = check::mms(inst, i, opts.exact_limit);
        let value = ctx.v[i][i];
        let ratio = if exact && lo > 0.0 {
            Some(value / lo)
        } else {
            None
        };
        if let Some(x) = ratio {
            ratios.push(x);
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
        mms_ok = match (mms_ok, satisfied) {
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
            "subsidy": subsidies.as_ref().map(|s| num(s[i])).unwrap_or(Json::Null),
        });
        if let Some(ext) = ext {
            row["value_with_externalities"] = num(externalities::value(ext, alloc, i));
        }
        agents.push(row);
    }
    let mms_witness = agents
        .iter()
        .find(|a| a["mms_exact"] == true && a["value"].as_f64() < a["mms"].as_f64())
        .cloned();
    props.push(check::Property {
        name: "mms".into(),
        holds: mms_ok,
        witness: if mms_ok == Some(false) {
            mms_witness
        } else {
            None
        },
        note: if mms_ok.is_none() {
            Some(
                "an agent's value lies between the MMS bounds (instance beyond --exact-limit)"
                    .into(),
            )
        } else {
            None
        },
    });
    // Pareto optimality.
    let po = match check::dominating(inst, alloc, opts.exact_limit) {
        None => check::Property {
            name: "po".into(),
            holds: None,
            witness: None,
            note: Some(format!(
                "not decided: {}^{} allocations exceed --exact-limit {}",
                inst.n(),
                inst.m(),
                opts.exact_limit
            )),
        },
        Some(None) => check::Property {
            name: "po".into(),
            holds: Some(true),
            witness: None,
            note: None,
        },
        Some(Some(better)) => {
            let b = instance::bundles(inst.n(), &better);
            check::Property {
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
    };
    props.push(po);
    props.push(check::fpo(inst, alloc));
    if let Some(ext) = ext {
        props.extend(externalities::properties(inst, ext, alloc));
        r.settings.insert("externalities".into(), json!(true));
    }
    for p in &props {
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
    let values: Vec<f64> = (0..inst.n()).map(|i| ctx.v[i][i]).collect();
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
    let edges = ctx.envy_edges();
    r.metrics.insert("envy_pairs".into(), json!(edges.len()));
    match &subsidies {
        Some(s) => {
            r.metrics
                .insert("subsidy.total".into(), num(s.iter().sum()));
        }
        None => {
            r.metrics.insert("subsidy.total".into(), Json::Null);
            r.undefined.insert("subsidy.total".into(), json!("a positive-weight envy cycle: no subsidies make this allocation envy-free (not envy-freeable)"));
        }
    }
    r.properties = props;
    r.agents = agents;
    r.envy_graph = edges;
    r
}

fn shapley_report(a: &crate::cli::ShapleyArgs) -> Result<AllocateReport> {
    let g = shapley::load(
        &a.values,
        a.coalition.as_deref(),
        a.value_col.as_deref(),
        &a.read.options(),
    )?;
    let n = g.n();
    let mut r = AllocateReport::new("shapley");
    r.input = json!({"path": a.values, "players": n, "coalitions": g.v.len()});
    let exact = a.samples.is_none() && n <= 20;
    let (phi, se) = if exact {
        (
            shapley::exact(&g).map_err(|e| anyhow::anyhow!("{}: {e}", a.values))?,
            None,
        )
    } else {
        let samples = a.samples.unwrap_or(10_000);
        if samples == 0 {
            bail!("--samples must be at least 1");
        }
        let (m, s) = shapley::monte_carlo(&g, samples, a.seed, a.truncation)
            .map_err(|e| anyhow::anyhow!("{}: {e}", a.values))?;
        r.settings.insert("samples".into(), json!(samples));
        r.settings.insert("seed".into(), json!(a.seed));
        r.settings.insert("truncation".into(), num(a.truncation));
        (m, Some(s))
    };
    r.settings.insert(
        "method".into(),
        json!(if exact {
            "exact"
        } else {
            "permutation_monte_carlo"
        }),
    );
    let loo = shapley::leave_one_out(&g).map_err(|e| anyhow::anyhow!("{}: {e}", a.values))?;
    let vn = g.value(g.grand())?;
    let positive: f64 = phi.iter().map(|p| p.max(0.0)).sum();
    let rewards = a
        .rewards
        .as_deref()
        .map(|p| shapley::load_rewards(p, &g.players, &a.read.options()))
        .transpose()?;
    let mut rows = Vec::new();
    for i in 0..n {
        let mut row = Map::new();
        row.insert("player".into(), json!(g.players[i]));
        row.insert("shapley".into(), num(phi[i]));
        if let Some(se) = &se {
            row.insert("standard_error".into(), num(se[i]));
        }
        row.insert("leave_one_out".into(), num(loo[i]));
        row.insert(
            "proportional_reward".into(),
            if positive > 0.0 {
                num(phi[i].max(0.0) / positive * vn)
            } else {
                Json::Null
            },
        );
        if let Some(rw) = &rewards {
            row.insert("reward".into(), num(rw[i]));
        }
        rows.push(Json::Object(row));
    }
    r.players = rows;
    r.metrics.insert("grand_coalition_value".into(), num(vn));
    r.metrics
        .insert("shapley.sum".into(), num(phi.iter().sum()));
    if n <= 20 && g.complete().is_ok() {
        let (gap, s) = shapley::core_violation(&g, &phi)?;
        r.metrics.insert(
            "shapley_in_core".into(),
            json!(gap <= 1e-9 * (1.0 + vn.abs())),
        );
        if gap > 1e-9 * (1.0 + vn.abs()) {
            r.core_witness.insert(
                "shapley".into(),
                json!({"coalition": g.members(s), "shortfall": num(gap)}),
            );
        }
        if let Some(rw) = &rewards {
            let (gap, s) = shapley::core_violation(&g, rw)?;
            let efficient = (rw.iter().sum::<f64>() - vn).abs() <= 1e-9 * (1.0 + vn.abs());
            r.metrics.insert(
                "rewards_in_core".into(),
                json!(gap <= 1e-9 * (1.0 + vn.abs()) && efficient),
            );
            if gap > 1e-9 * (1.0 + vn.abs()) {
                r.core_witness.insert(
                    "rewards".into(),
                    json!({"coalition": g.members(s), "shortfall": num(gap)}),
                );
            }
            if !efficient {
                r.core_witness.insert(
                    "rewards_efficiency".into(),
                    json!({"paid": num(rw.iter().sum()), "grand_coalition_value": num(vn)}),
                );
            }
        }
    } else {
        r.metrics.insert("shapley_in_core".into(), Json::Null);
        r.undefined.insert("shapley_in_core".into(), json!("the core is checked over every coalition: only with a complete table of at most 20 players"));
    }
    if let Some(rw) = &rewards {
        match crate::stats::correlation::pearson(&phi, rw) {
            Ok(c) => {
                r.metrics.insert("collaboration_fairness".into(), num(c));
            }
            Err(why) => {
                r.metrics
                    .insert("collaboration_fairness".into(), Json::Null);
                r.undefined
                    .insert("collaboration_fairness".into(), json!(why));
            }
        }
        let paid: f64 = rw.iter().sum();
        r.metrics.insert("rewards.sum".into(), num(paid));
        let gap = rw
            .iter()
            .zip(&phi)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        r.metrics
            .insert("rewards.max_abs_gap_to_shapley".into(), num(gap));
    }
    Ok(r)
}

fn pb_report(a: &crate::cli::PbArgs) -> Result<AllocateReport> {
    use crate::cli::{PbCompletion, PbRule, PbSat};
    use pb::Sat;
    let e = pb::parse(&a.file)?;
    let cardinal = matches!(e.vote_type.as_str(), "cumulative" | "scoring");
    let sat = match a.satisfaction {
        Some(PbSat::Cost) => Sat::Cost,
        Some(PbSat::Cardinality) => Sat::Cardinality,
        Some(PbSat::Points) => {
            if !cardinal {
                bail!("{}: --satisfaction points needs cumulative or scoring ballots; this election has '{}' ballots", a.file, e.vote_type);
            }
            Sat::Points
        }
        None if cardinal => Sat::Points,
        None => Sat::Cost,
    };
    let mut r = AllocateReport::new("pb");
    for w in &e.warnings {
        r.warnings.push(Warning::new(&a.file, None, w.clone()));
    }
    let (budget, budget_text) = pb::show(&e.budget);
    r.input = json!({"path": a.file, "projects": e.projects.len(), "voters": e.ballots.len(),
                     "vote_type": e.vote_type});
    r.settings.insert(
        "satisfaction".into(),
        json!(match sat {
            Sat::Cost => "cost",
            Sat::Cardinality => "cardinality",
            Sat::Points => "points",
        }),
    );
    let mut mes_run = None;
    let selected: Vec<usize> = if !a.outcome.is_empty() {
        r.settings
            .insert("outcome".into(), json!("given (--outcome)"));
        let mut v = Vec::new();
        for id in &a.outcome {
            let Some(p) = e.projects.iter().position(|p| p.id == id.trim()) else {
                let ids: Vec<&str> = e.projects.iter().map(|p| p.id.as_str()).collect();
                let hint = crate::input::closest_name(id, &ids)
                    .map(|c| format!(" (did you mean '{c}'?)"))
                    .unwrap_or_default();
                bail!("--outcome: project '{id}' is not in {}{hint}", a.file);
            };
            if v.contains(&p) {
                bail!("--outcome: project '{id}' is listed twice");
            }
            v.push(p);
        }
        v
    } else {
        r.settings.insert(
            "rule".into(),
            json!(match a.rule {
                PbRule::Mes => "mes",
                PbRule::Greedy => "greedy",
                PbRule::Phragmen => "phragmen",
            }),
        );
        match a.rule {
            PbRule::Greedy => pb::greedy(&e, sat, &[]),
            PbRule::Phragmen => pb::phragmen(&e).map_err(|x| anyhow::anyhow!("{}: {x}", a.file))?,
            PbRule::Mes => {
                r.settings.insert(
                    "completion".into(),
                    json!(match a.completion {
                        PbCompletion::None => "none",
                        PbCompletion::Add1 => "add1",
                        PbCompletion::Greedy => "greedy",
                        PbCompletion::Add1Greedy => "add1-greedy",
                    }),
                );
                let add1 = matches!(a.completion, PbCompletion::Add1 | PbCompletion::Add1Greedy);
                let run = pb::mes_run(&e, sat, add1);
                let out = run.selected.clone();
                mes_run = Some(run);
                if matches!(
                    a.completion,
                    PbCompletion::Greedy | PbCompletion::Add1Greedy
                ) {
                    pb::complete_greedy(&e, sat, out)
                } else {
                    out
                }
            }
        }
    };
    let spent = e.cost_of(&selected);
    let all: Vec<usize> = (0..e.projects.len()).collect();
    r.allocation = selected
        .iter()
        .enumerate()
        .map(|(k, &p)| {
            let (c, ct) = pb::show(&e.projects[p].cost);
            json!({"order": k + 1, "project": e.projects[p].id, "name": e.projects[p].name, "cost": num(c), "cost_exact": ct})
        })
        .collect();
    let (spent_f, spent_text) = pb::show(&spent);
    r.metrics
        .insert("projects_selected".into(), json!(selected.len()));
    r.metrics.insert("cost".into(), num(spent_f));
    r.metrics.insert("budget".into(), num(budget));
    r.metrics.insert(
        "budget_share_spent".into(),
        num(if budget > 0.0 {
            spent_f / budget
        } else {
            f64::NAN
        }),
    );
    r.metrics
        .insert("feasible".into(), json!(spent <= e.budget));
    r.metrics
        .insert("exhaustive".into(), json!(e.exhaustive(&selected, &all)));
    r.settings.insert("budget_exact".into(), json!(budget_text));
    r.settings.insert("cost_exact".into(), json!(spent_text));
    // Proportionality: EJR / PJR, priceability, fair share.
    let mut props = pb_checks::justified(&e, sat, &selected, a.jr_limit);
    props.push(match &mes_run {
        Some(run) if run.selected == selected => {
            let (v, text) = pb::show(&run.per_voter);
            r.settings.insert("voter_budget".into(), num(v));
            r.settings.insert("voter_budget_exact".into(), json!(text));
            pb_checks::priceable(&e, run)
        }
        Some(_) => check::Property {
            name: "priceable".into(),
            holds: None,
            witness: None,
            note: Some("not decided: the greedy completion added projects no MES payment covers".into()),
        },
        None => check::Property {
            name: "priceable".into(),
            holds: None,
            witness: None,
            note: Some("not decided: certified from an MES outcome's own payments (--rule mes); other outcomes would need a linear program".into()),
        },
    });
    for p in &props {
        r.metrics
            .insert(p.name.clone(), p.holds.map_or(Json::Null, Json::Bool));
        if let (None, Some(note)) = (p.holds, &p.note) {
            r.undefined.insert(p.name.clone(), json!(note));
        }
    }
    r.properties = props;
    match pb_checks::fair_share(&e, &selected) {
        Some((ratio, dist, reached, empty)) => {
            r.metrics
                .insert("fair_share.capped_ratio".into(), num(ratio));
            r.metrics
                .insert("fair_share.normalised_distance".into(), num(dist));
            r.metrics
                .insert("fair_share.voters_reaching".into(), num(reached));
            if empty > 0 {
                r.warnings.push(Warning::new(
                    &a.file,
                    None,
                    format!("{empty} empty ballots have a fair share of 0 and are left out of the fair-share metrics"),
                ));
            }
        }
        None => {
            for k in [
                "fair_share.capped_ratio",
                "fair_share.normalised_distance",
                "fair_share.voters_reaching",
            ] {
                r.metrics.insert(k.into(), Json::Null);
                r.undefined.insert(k.into(), json!(format!("defined for approval ballots with at least one non-empty ballot; this election has '{}' ballots", e.vote_type)));
            }
        }
    }
    // Per-voter satisfaction with the outcome.
    let sats: Vec<f64> = (0..e.ballots.len())
        .map(|b| {
            let q = selected
                .iter()
                .fold(pb::Q::from_usize(0), |acc, &p| acc + e.sat(sat, b, p));
            pb::show(&q).0
        })
        .collect();
    if !sats.is_empty() {
        let n = sats.len() as f64;
        r.metrics.insert(
            "satisfaction.mean".into(),
            num(sats.iter().sum::<f64>() / n),
        );
        r.metrics.insert(
            "satisfaction.min".into(),
            num(sats.iter().copied().fold(f64::INFINITY, f64::min)),
        );
        r.metrics.insert(
            "satisfaction.max".into(),
            num(sats.iter().copied().fold(f64::NEG_INFINITY, f64::max)),
        );
        r.metrics.insert(
            "voters_with_nothing".into(),
            num(sats.iter().filter(|&&x| x <= 0.0).count() as f64 / n),
        );
    }
    Ok(r)
}
