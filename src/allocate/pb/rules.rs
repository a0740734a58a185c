//! The rules of participatory budgeting as pabutools 1.2.3 computes them (greedy, the method of
//! equal shares with Add1 / greedy completion, sequential Phragmén), with exact rationals and
//! its tie rule (the smallest project id, compared as a string), so that outcomes are identical.

use anyhow::{bail, Result};
use num_traits::Zero;

use super::parse::{Election, Sat, Q};
/// Greedy (pabutools' greedy_utilitarian_welfare with an additive satisfaction): projects by
/// total satisfaction per unit of cost, descending (cost 0 first, no support last), ties by id;
/// each is selected if it still fits. Starts from `initial`.
pub fn greedy(e: &Election, s: Sat, initial: &[usize]) -> Vec<usize> {
    let order: Vec<usize> = e
        .id_order()
        .into_iter()
        .filter(|p| !initial.contains(p))
        .collect();
    // density: None = infinite (cost 0 with support).
    let density = |p: usize| -> (u8, Q) {
        let total = (0..e.ballots.len()).fold(Q::zero(), |acc, b| acc + e.sat(s, b, p));
        if total > Q::zero() {
            if e.projects[p].cost.is_zero() {
                (2, Q::zero())
            } else {
                (1, total / e.projects[p].cost.clone())
            }
        } else {
            (0, Q::zero())
        }
    };
    let mut keyed: Vec<(usize, (u8, Q), usize)> = order
        .iter()
        .enumerate()
        .map(|(k, &p)| (p, density(p), k))
        .collect();
    keyed.sort_by(|a, b| {
        b.1 .0
            .cmp(&a.1 .0)
            .then_with(|| b.1 .1.cmp(&a.1 .1))
            .then(a.2.cmp(&b.2))
    });
    let mut sel = initial.to_vec();
    let mut left = &e.budget - e.cost_of(initial);
    for (p, _, _) in keyed {
        if e.projects[p].cost <= left {
            left -= &e.projects[p].cost;
            sel.push(p);
        }
    }
    sel
}

/// One run of the method of equal shares with `per_voter` budget each (pabutools'
/// mes_inner_algo, resolute): repeatedly the project with the smallest affordability ρ (every
/// supporter pays min(budget, ρ·sat)) is selected, ties by id; stops when no project is
/// affordable. Returns the selection and the projects considered (positive support and cost).
/// The projects MES considers (positive support, positive cost) with their supporters' sat
/// and total sat, and the supported projects of cost 0 (selected at once).
type Supported = (Vec<(usize, Vec<(usize, Q)>, Q)>, Vec<usize>);

/// A project still in the running: id, supporters with their sat, total sat, and the
/// affordability last computed.
type Candidate = (usize, Vec<(usize, Q)>, Q, Q);

fn supported(e: &Election, s: Sat) -> Supported {
    let n = e.ballots.len();
    let mut projects = Vec::new();
    let mut free = Vec::new();
    for p in e.id_order() {
        let supporters: Vec<(usize, Q)> = (0..n)
            .filter_map(|b| {
                let x = e.sat(s, b, p);
                (x > Q::zero()).then_some((b, x))
            })
            .collect();
        let total = supporters.iter().fold(Q::zero(), |acc, (_, x)| acc + x);
        if total > Q::zero() {
            if e.projects[p].cost > Q::zero() {
                projects.push((p, supporters, total));
            } else {
                free.push(p);
            }
        }
    }
    (projects, free)
}

/// An MES run: its outcome and the price system behind it (each voter's endowment and what she
/// paid for each project) — the certificate of priceability.
#[derive(Debug, Clone)]
pub struct MesRun {
    pub selected: Vec<usize>,
    pub considered: Vec<usize>,
    pub per_voter: Q,
    /// (voter, project, amount) for every positive payment.
    pub payments: Vec<(usize, usize, Q)>,
    /// Every branch the run took (which projects were unaffordable, the orders sorted, where
    /// each ρ was found, which payments were capped, what was selected): two budgets with the
    /// same trace give the same run, and so does every budget between them (see [`mes_run`]).
    pub trace: Vec<u32>,
}

fn mes_once(e: &Election, base: &Supported, per_voter: &Q) -> MesRun {
    let mut trace: Vec<u32> = Vec::new();
    let n = e.ballots.len();
    let mut budget = vec![per_voter.clone(); n];
    let mut payments = Vec::new();
    let mut sel: Vec<usize> = base.1.clone();
    // (project, supporters with their sat, total sat, affordability last computed)
    let mut remaining: Vec<Candidate> = base
        .0
        .iter()
        .map(|(p, sup, total)| (*p, sup.clone(), total.clone(), &e.projects[*p].cost / total))
        .collect();
    let considered: Vec<usize> = remaining.iter().map(|r| r.0).collect();
    loop {
        // Affordability only grows as budgets shrink: visiting projects by their last value,
        // a project whose last value exceeds the best found so far cannot win (pabutools' scan).
        let mut order: Vec<usize> = (0..remaining.len()).collect();
        order.sort_by(|&a, &b| remaining[a].3.cmp(&remaining[b].3));
        trace.push(u32::MAX);
        trace.extend(order.iter().map(|&k| k as u32));
        let mut best: Option<(Q, usize)> = None;
        let mut drop = Vec::new();
        let mut updated: Vec<(usize, Q)> = Vec::new();
        for k in order {
            let (p, sup, total, last) = &remaining[k];
            let cost = &e.projects[*p].cost;
            let available = sup.iter().fold(Q::zero(), |acc, (b, _)| acc + &budget[*b]);
            if &available < cost {
                trace.push(1);
                drop.push(k); // unaffordable now and later
                continue;
            }
            if let Some((bv, _)) = &best {
                if last > bv {
                    trace.push(2);
                    break;
                }
            }
            let mut keyed: Vec<(Q, usize)> = sup
                .iter()
                .enumerate()
                .map(|(j, (b, x))| (&budget[*b] / x, j))
                .collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            trace.push(3);
            trace.extend(keyed.iter().map(|k| k.1 as u32));
            let mut paid = Q::zero();
            let mut denom = total.clone();
            let mut rho = None;
            for (_, j) in keyed {
                let (b, x) = &sup[j];
                let f = (cost - &paid) / &denom;
                if &f * x <= budget[*b] {
                    trace.push(4);
                    rho = Some(f);
                    break;
                }
                trace.push(5);
                paid += &budget[*b];
                denom -= x;
            }
            if let Some(r) = rho {
                updated.push((k, r.clone()));
                let better = match &best {
                    None => true,
                    Some((bv, bp)) => {
                        r < *bv || (r == *bv && e.projects[*p].id < e.projects[*bp].id)
                    }
                };
                trace.push(6 + u32::from(better));
                if better {
                    best = Some((r, *p));
                }
            }
        }
        for (k, r) in updated {
            remaining[k].3 = r;
        }
        drop.sort_unstable();
        for k in drop.into_iter().rev() {
            remaining.remove(k);
        }
        let Some((rho, p)) = best else {
            return MesRun {
                selected: sel,
                considered,
                per_voter: per_voter.clone(),
                payments,
                trace,
            };
        };
        trace.push(100_000 + p as u32);
        let k = remaining
            .iter()
            .position(|r| r.0 == p)
            .expect("selected project remains");
        let (_, sup, _, _) = remaining.remove(k);
        for (b, x) in sup {
            let share = &rho * x;
            trace.push(8 + u32::from(budget[b] <= share));
            let pay = std::cmp::min(budget[b].clone(), share);
            budget[b] -= &pay;
            if pay > Q::zero() {
                payments.push((b, p, pay));
            }
        }
        sel.push(p);
    }
}

/// MES as pabutools' method_of_equal_shares: budget/n per voter; with `add1` the per-voter
/// budget grows by 1 until the outcome is exhaustive (over the projects MES considers) or would
/// overspend (then the last feasible outcome).
pub fn mes(e: &Election, s: Sat, add1: bool) -> Vec<usize> {
    mes_run(e, s, add1).selected
}

/// [`mes`] with its price system.
pub fn mes_run(e: &Election, s: Sat, add1: bool) -> MesRun {
    let empty = |per_voter: Q| MesRun {
        selected: Vec::new(),
        considered: Vec::new(),
        per_voter,
        payments: Vec::new(),
        trace: Vec::new(),
    };
    if e.ballots.is_empty() {
        return empty(Q::zero());
    }
    let mut per_voter = &e.budget / Q::from_usize(e.ballots.len());
    let mut previous = empty(per_voter.clone());
    let base = supported(e, s);
    loop {
        let run = mes_once(e, &base, &per_voter);
        if !add1 {
            return run;
        }
        if e.cost_of(&run.selected) > e.budget {
            return previous;
        }
        if e.exhaustive(&run.selected, &run.considered) {
            return run;
        }
        // pabutools adds 1 to the per-voter budget and runs MES again until the outcome is
        // exhaustive or overspends. Every branch of a run compares quantities that are linear
        // in the budget as long as the earlier branches are the same, and two lines cross at
        // most once: so budgets b and b + d with the same trace have that trace at every
        // budget between them, hence the same outcome (which then neither stops nor changes).
        // The next budget pabutools' +1 steps would stop at is the first b + d whose trace
        // differs: found by doubling d, then bisecting (the same outcome, in O(log d) runs
        // instead of d: a 3-voter election with a budget of 2·10^9 no longer takes minutes).
        let step = |d: u128| Q::from_integer(num_bigint::BigInt::from(d));
        let same = |d: u128| mes_once(e, &base, &(&per_voter + &step(d))).trace == run.trace;
        let (mut lo, mut hi) = (0u128, 1u128); // lo keeps the trace; hi is the next to try
        while hi < (1 << 100) && same(hi) {
            lo = hi;
            hi *= 2;
        }
        // The first integer step in (lo, hi] whose trace differs.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            if same(mid) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        per_voter += step(hi);
        previous = run;
    }
}

/// A rule followed by greedy completion when its outcome is not exhaustive (pabutools'
/// completion_by_rule_combination).
pub fn complete_greedy(e: &Election, s: Sat, first: Vec<usize>) -> Vec<usize> {
    let all: Vec<usize> = (0..e.projects.len()).collect();
    if e.exhaustive(&first, &all) {
        return first;
    }
    greedy(e, s, &first)
}

/// Sequential Phragmén (pabutools' sequential_phragmen, approval ballots): repeatedly the project
/// whose selection gives its supporters the smallest new maximal load (Σ their loads + cost) /
/// approval score is selected (ties by id; no supporters: infinite load, taken last); stops as soon
/// as a best project does not fit.
pub fn phragmen(e: &Election) -> Result<Vec<usize>> {
    if !matches!(e.vote_type.as_str(), "approval" | "choose-1") {
        bail!(
            "sequential Phragmén needs approval ballots; this election has '{}' ballots",
            e.vote_type
        );
    }
    let n = e.ballots.len();
    let supporters: Vec<Vec<usize>> = (0..e.projects.len())
        .map(|p| {
            (0..n)
                .filter(|&b| e.ballots[b].projects.iter().any(|(q, _)| *q == p))
                .collect()
        })
        .collect();
    let mut load = vec![Q::zero(); n];
    let mut remaining: Vec<usize> = e
        .id_order()
        .into_iter()
        .filter(|&p| e.projects[p].cost <= e.budget)
        .collect();
    let mut sel = Vec::new();
    let mut spent = Q::zero();
    while !remaining.is_empty() {
        // Each project's new maximal load (None: infinite, no supporters).
        let loads: Vec<(usize, Option<Q>)> = remaining
            .iter()
            .map(|&p| {
                let score = supporters[p].len();
                let nl = (score > 0).then(|| {
                    let sum = supporters[p]
                        .iter()
                        .fold(Q::zero(), |acc, &b| acc + &load[b]);
                    (sum + &e.projects[p].cost) / Q::from_usize(score)
                });
                (p, nl)
            })
            .collect();
        // The smallest load; a finite one beats an infinite one.
        let nl = loads
            .iter()
            .map(|(_, l)| l.clone())
            .reduce(|a, b| match (&a, &b) {
                (Some(x), Some(y)) => Some(std::cmp::min(x, y).clone()),
                (None, _) => b,
                (_, None) => a,
            })
            .expect("remaining is not empty");
        let tied: Vec<usize> = loads
            .iter()
            .filter(|(_, l)| *l == nl)
            .map(|(p, _)| *p)
            .collect();
        if tied
            .iter()
            .any(|&p| &spent + &e.projects[p].cost > e.budget)
        {
            break;
        }
        let p = tied[0]; // remaining is in id order
        if let Some(l) = &nl {
            for &b in &supporters[p] {
                load[b] = l.clone();
            }
        }
        spent += &e.projects[p].cost;
        sel.push(p);
        remaining.retain(|&q| q != p);
    }
    Ok(sel)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::allocate::pb::parse::{Ballot, Project};
    use num_traits::One;
    use std::collections::BTreeMap;

    /// pabutools' Add1 as written: +1 per voter and a new MES run each time.
    fn add1_one_step_at_a_time(e: &Election, s: Sat) -> Vec<usize> {
        let base = supported(e, s);
        let mut per_voter = &e.budget / Q::from_usize(e.ballots.len());
        let mut previous = Vec::new();
        loop {
            let run = mes_once(e, &base, &per_voter);
            if e.cost_of(&run.selected) > e.budget {
                return previous;
            }
            if e.exhaustive(&run.selected, &run.considered) {
                return run.selected;
            }
            per_voter += Q::one();
            previous = run.selected;
        }
    }

    /// The jump to the next budget whose run differs gives the outcome of the one-step loop,
    /// on 400 random small approval elections (cost and cardinality satisfaction).
    #[test]
    fn add1_jumps_give_the_one_step_outcome() {
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        for case in 0..400 {
            let n_projects = 2 + next(4) as usize;
            let n_voters = 2 + next(4) as usize;
            let projects: Vec<Project> = (0..n_projects)
                .map(|p| Project {
                    id: (p + 1).to_string(),
                    cost: Q::from_usize(1 + next(60) as usize),
                    name: None,
                    selected: None,
                })
                .collect();
            let ballots: Vec<Ballot> = (0..n_voters)
                .map(|_| Ballot {
                    projects: (0..n_projects)
                        .filter(|_| next(2) == 0)
                        .map(|p| (p, Q::one()))
                        .collect(),
                })
                .collect();
            let e = Election {
                meta: BTreeMap::new(),
                projects,
                budget: Q::from_usize(10 + next(80) as usize),
                vote_type: "approval".into(),
                ballots,
                project_columns: vec!["project_id".into(), "cost".into()],
                warnings: Vec::new(),
            };
            for s in [Sat::Cost, Sat::Cardinality] {
                assert_eq!(
                    mes_run(&e, s, true).selected,
                    add1_one_step_at_a_time(&e, s),
                    "case {case} {s:?}"
                );
            }
        }
    }
}
