//! The rules of participatory budgeting as pabutools 1.2.3 computes them (greedy, the method of
//! equal shares with Add1 / greedy completion, sequential Phragmén), with exact rationals and
//! its tie rule (the smallest project id, compared as a string), so that outcomes are identical.

use anyhow::{bail, Result};
use num_traits::{One, Zero};

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

/// A project MES considers (positive support, positive cost): its supporters in voter order,
/// each with the index of her sat among the project's distinct sats, and the total sat.
struct Considered {
    project: usize,
    voters: Vec<u32>,
    sat_of: Vec<u32>,
    sats: Vec<Q>,
    total: Q,
}

/// The projects MES considers, in id order, and the supported projects of cost 0 (selected at
/// once).
struct Supported {
    projects: Vec<Considered>,
    free: Vec<usize>,
}

fn supported(e: &Election, s: Sat) -> Supported {
    let m = e.projects.len();
    let mut voters: Vec<Vec<u32>> = vec![Vec::new(); m];
    let mut sat_of: Vec<Vec<u32>> = vec![Vec::new(); m];
    let mut sats: Vec<Vec<Q>> = vec![Vec::new(); m];
    let mut seen = vec![usize::MAX; m];
    for (b, ballot) in e.ballots.iter().enumerate() {
        for (p, pts) in &ballot.projects {
            // e.sat reads a project's first mention on the ballot.
            if seen[*p] == b {
                continue;
            }
            seen[*p] = b;
            let x = match s {
                Sat::Cost => e.projects[*p].cost.clone(),
                Sat::Cardinality => Q::one(),
                Sat::Points => pts.clone(),
            };
            if x > Q::zero() {
                let k = match sats[*p].iter().position(|y| *y == x) {
                    Some(k) => k,
                    None => {
                        sats[*p].push(x);
                        sats[*p].len() - 1
                    }
                };
                voters[*p].push(b as u32);
                sat_of[*p].push(k as u32);
            }
        }
    }
    let mut projects = Vec::new();
    let mut free = Vec::new();
    for p in e.id_order() {
        let mut count = vec![0usize; sats[p].len()];
        for &k in &sat_of[p] {
            count[k as usize] += 1;
        }
        let total = sats[p]
            .iter()
            .zip(&count)
            .fold(Q::zero(), |acc, (x, &c)| acc + Q::from_usize(c) * x);
        if total > Q::zero() {
            if e.projects[p].cost > Q::zero() {
                projects.push(Considered {
                    project: p,
                    voters: std::mem::take(&mut voters[p]),
                    sat_of: std::mem::take(&mut sat_of[p]),
                    sats: std::mem::take(&mut sats[p]),
                    total,
                });
            } else {
                free.push(p);
            }
        }
    }
    Supported { projects, free }
}

/// An MES run: its outcome and the price system behind it (each voter's endowment and what she
/// paid for each project) — the certificate of priceability. Voters who paid for the same
/// projects the same amounts form a class: each voter's class, and what a member of each class
/// paid for each project.
#[derive(Debug, Clone)]
pub struct MesRun {
    pub selected: Vec<usize>,
    pub considered: Vec<usize>,
    pub per_voter: Q,
    /// The class of each voter.
    pub voter_class: Vec<u32>,
    /// For each class, (project, amount) for every positive payment of each of its members.
    pub class_payments: Vec<Vec<(usize, Q)>>,
    /// Every branch the run took (which projects were unaffordable, the orders sorted, where
    /// each ρ was found, which payments were capped, what was selected): two budgets with the
    /// same trace give the same run, and so does every budget between them (see [`mes_run`]).
    pub trace: Vec<u32>,
}

/// Voters with the same budget all along: their budget, how many they are, what each paid.
struct Class {
    budget: Q,
    size: usize,
    paid: Vec<(usize, Q)>,
}

/// A project's supporters grouped by (class, sat index), with their count, in that order.
fn groups(c: &Considered, class_of: &[u32]) -> Vec<(u32, u32, usize)> {
    let mut keys: Vec<u64> = c
        .voters
        .iter()
        .zip(&c.sat_of)
        .map(|(&v, &k)| (u64::from(class_of[v as usize]) << 32) | u64::from(k))
        .collect();
    keys.sort_unstable();
    let mut out: Vec<(u32, u32, usize)> = Vec::new();
    for key in keys {
        let (cl, k) = ((key >> 32) as u32, key as u32);
        match out.last_mut() {
            Some(g) if g.0 == cl && g.1 == k => g.2 += 1,
            _ => out.push((cl, k, 1)),
        }
    }
    out
}

/// One run of the method of equal shares with `per_voter` budget each (pabutools'
/// mes_inner_algo, resolute): repeatedly the project with the smallest affordability ρ (every
/// supporter pays min(budget, ρ·sat)) is selected, ties by id; stops when no project is
/// affordable. Returns the selection and the projects considered (positive support and cost).
///
/// Voters whose budgets are always equal form a class (at first all voters, with `per_voter`
/// each): when a project is selected, the members of a class that support it with the same
/// sat pay the same and move together to a new class. A project's supporters are taken by
/// (class, sat) group with their count, so that a round costs O(groups) exact operations, not
/// O(supporters); every decision is the one pabutools makes voter by voter: supporters with
/// the same budget and sat have the same ratio budget/sat, and when one of them cannot pay
/// ρ·sat neither can the others (removing a supporter whose ratio is below the current ρ keeps
/// ρ above it), so a group is capped or not as a whole and ρ is the same value.
fn mes_once(e: &Election, base: &Supported, per_voter: &Q) -> MesRun {
    let mut trace: Vec<u32> = Vec::new();
    let n = e.ballots.len();
    let mut class_of = vec![0u32; n];
    let mut classes = vec![Class {
        budget: per_voter.clone(),
        size: n,
        paid: Vec::new(),
    }];
    let mut sel: Vec<usize> = base.free.clone();
    // (index in base.projects, affordability last computed)
    let mut remaining: Vec<(usize, Q)> = base
        .projects
        .iter()
        .enumerate()
        .map(|(i, c)| (i, &e.projects[c.project].cost / &c.total))
        .collect();
    let considered: Vec<usize> = base.projects.iter().map(|c| c.project).collect();
    loop {
        // Affordability only grows as budgets shrink: visiting projects by their last value,
        // a project whose last value exceeds the best found so far cannot win (pabutools' scan).
        let mut order: Vec<usize> = (0..remaining.len()).collect();
        order.sort_by(|&a, &b| remaining[a].1.cmp(&remaining[b].1));
        trace.push(u32::MAX);
        trace.extend(order.iter().map(|&k| k as u32));
        let mut best: Option<(Q, usize, usize)> = None; // (ρ, project, index in remaining)
        let mut drop = Vec::new();
        let mut updated: Vec<(usize, Q)> = Vec::new();
        for k in order {
            let (i, last) = &remaining[k];
            let c = &base.projects[*i];
            let p = c.project;
            let cost = &e.projects[p].cost;
            let gs = groups(c, &class_of);
            let available = gs.iter().fold(Q::zero(), |acc, &(cl, _, count)| {
                acc + Q::from_usize(count) * &classes[cl as usize].budget
            });
            if &available < cost {
                trace.push(1);
                drop.push(k); // unaffordable now and later
                continue;
            }
            if let Some((bv, _, _)) = &best {
                if last > bv {
                    trace.push(2);
                    break;
                }
            }
            let mut keyed: Vec<(Q, usize)> = gs
                .iter()
                .enumerate()
                .map(|(j, &(cl, x, _))| (&classes[cl as usize].budget / &c.sats[x as usize], j))
                .collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0));
            trace.push(3);
            trace.extend(keyed.iter().map(|k| k.1 as u32));
            let mut paid = Q::zero();
            let mut denom = c.total.clone();
            let mut rho = None;
            for (_, j) in keyed {
                let (cl, x, count) = gs[j];
                let (budget, x) = (&classes[cl as usize].budget, &c.sats[x as usize]);
                let f = (cost - &paid) / &denom;
                if &f * x <= *budget {
                    trace.push(4);
                    rho = Some(f);
                    break;
                }
                trace.push(5);
                let count = Q::from_usize(count);
                paid += &count * budget;
                denom -= &count * x;
            }
            if let Some(r) = rho {
                updated.push((k, r.clone()));
                let better = match &best {
                    None => true,
                    Some((bv, bp, _)) => {
                        r < *bv || (r == *bv && e.projects[p].id < e.projects[*bp].id)
                    }
                };
                trace.push(6 + u32::from(better));
                if better {
                    best = Some((r, p, *i));
                }
            }
        }
        for (k, r) in updated {
            remaining[k].1 = r;
        }
        drop.sort_unstable();
        for k in drop.into_iter().rev() {
            remaining.remove(k);
        }
        let Some((rho, p, i)) = best else {
            return MesRun {
                selected: sel,
                considered,
                per_voter: per_voter.clone(),
                voter_class: class_of,
                class_payments: classes.into_iter().map(|c| c.paid).collect(),
                trace,
            };
        };
        trace.push(100_000 + p as u32);
        let k = remaining
            .iter()
            .position(|r| r.0 == i)
            .expect("selected project remains");
        remaining.remove(k);
        let c = &base.projects[i];
        // Each group pays; a group that is not its whole class becomes a new class.
        let mut moved: Vec<(u64, u32)> = Vec::new();
        for (cl, x, count) in groups(c, &class_of) {
            let class = &mut classes[cl as usize];
            let share = &rho * &c.sats[x as usize];
            trace.push(8 + u32::from(class.budget <= share));
            let pay = std::cmp::min(class.budget.clone(), share);
            if pay <= Q::zero() {
                continue;
            }
            let budget = &class.budget - &pay;
            if count == class.size {
                class.budget = budget;
                class.paid.push((p, pay));
            } else {
                class.size -= count;
                let mut paid = class.paid.clone();
                paid.push((p, pay));
                moved.push(((u64::from(cl) << 32) | u64::from(x), classes.len() as u32));
                classes.push(Class {
                    budget,
                    size: count,
                    paid,
                });
            }
        }
        if !moved.is_empty() {
            for (&v, &x) in c.voters.iter().zip(&c.sat_of) {
                let key = (u64::from(class_of[v as usize]) << 32) | u64::from(x);
                if let Ok(j) = moved.binary_search_by(|m| m.0.cmp(&key)) {
                    class_of[v as usize] = moved[j].1;
                }
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
        voter_class: Vec::new(),
        class_payments: Vec::new(),
        trace: Vec::new(),
    };
    if e.ballots.is_empty() {
        return empty(Q::zero());
    }
    let mut per_voter = &e.budget / Q::from_usize(e.ballots.len());
    let mut previous = empty(per_voter.clone());
    let base = supported(e, s);
    let mut next: Option<MesRun> = None; // the run at per_voter, when a probe already made it
    loop {
        let run = next
            .take()
            .unwrap_or_else(|| mes_once(e, &base, &per_voter));
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
        // The run at that budget is the last probe that differed: it is kept for the next
        // round, so that when the very first probe (+1) differs, as it mostly does on large
        // elections, each +1 step costs one run, as in pabutools.
        let step = |d: u128| Q::from_integer(num_bigint::BigInt::from(d));
        let probe = |d: u128| mes_once(e, &base, &(&per_voter + &step(d)));
        let (mut lo, mut hi) = (0u128, 1u128); // lo keeps the trace; hi is the next to try
        let mut hi_run = probe(hi);
        while hi < (1 << 100) && hi_run.trace == run.trace {
            lo = hi;
            hi *= 2;
            hi_run = probe(hi);
        }
        // The first integer step in (lo, hi] whose trace differs.
        while hi - lo > 1 {
            let mid = lo + (hi - lo) / 2;
            let mid_run = probe(mid);
            if mid_run.trace == run.trace {
                lo = mid;
            } else {
                hi = mid;
                hi_run = mid_run;
            }
        }
        per_voter += step(hi);
        next = Some(hi_run);
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
    use std::collections::BTreeMap;

    /// A project still in the running: id, supporters with their sat, total sat, and the
    /// affordability last computed.
    type Candidate = (usize, Vec<(usize, Q)>, Q, Q);

    /// MES voter by voter, as pabutools computes it (the implementation before voter classes):
    /// the selection and every voter's remaining budget.
    fn mes_voter_by_voter(e: &Election, s: Sat, per_voter: &Q) -> (Vec<usize>, Vec<Q>) {
        let n = e.ballots.len();
        let mut sel = Vec::new();
        let mut remaining: Vec<Candidate> = Vec::new();
        for p in e.id_order() {
            let sup: Vec<(usize, Q)> = (0..n)
                .filter_map(|b| {
                    let x = e.sat(s, b, p);
                    (x > Q::zero()).then_some((b, x))
                })
                .collect();
            let total = sup.iter().fold(Q::zero(), |acc, (_, x)| acc + x);
            if total > Q::zero() {
                if e.projects[p].cost > Q::zero() {
                    let last = &e.projects[p].cost / &total;
                    remaining.push((p, sup, total, last));
                } else {
                    sel.push(p);
                }
            }
        }
        let mut budget = vec![per_voter.clone(); n];
        loop {
            let mut order: Vec<usize> = (0..remaining.len()).collect();
            order.sort_by(|&a, &b| remaining[a].3.cmp(&remaining[b].3));
            let mut best: Option<(Q, usize)> = None;
            let (mut drop, mut updated) = (Vec::new(), Vec::new());
            for k in order {
                let (p, sup, total, last) = &remaining[k];
                let cost = &e.projects[*p].cost;
                let available = sup.iter().fold(Q::zero(), |acc, (b, _)| acc + &budget[*b]);
                if &available < cost {
                    drop.push(k);
                    continue;
                }
                if matches!(&best, Some((bv, _)) if last > bv) {
                    break;
                }
                let mut keyed: Vec<(Q, usize)> = sup
                    .iter()
                    .enumerate()
                    .map(|(j, (b, x))| (&budget[*b] / x, j))
                    .collect();
                keyed.sort_by(|a, b| a.0.cmp(&b.0));
                let (mut paid, mut denom, mut rho) = (Q::zero(), total.clone(), None);
                for (_, j) in keyed {
                    let (b, x) = &sup[j];
                    let f = (cost - &paid) / &denom;
                    if &f * x <= budget[*b] {
                        rho = Some(f);
                        break;
                    }
                    paid += &budget[*b];
                    denom -= x;
                }
                let r = rho.expect("affordable");
                updated.push((k, r.clone()));
                let better = match &best {
                    None => true,
                    Some((bv, bp)) => {
                        r < *bv || (r == *bv && e.projects[*p].id < e.projects[*bp].id)
                    }
                };
                if better {
                    best = Some((r, *p));
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
                return (sel, budget);
            };
            let k = remaining.iter().position(|r| r.0 == p).unwrap();
            let (_, sup, _, _) = remaining.remove(k);
            for (b, x) in sup {
                let pay = std::cmp::min(budget[b].clone(), &rho * x);
                budget[b] -= &pay;
            }
            sel.push(p);
        }
    }

    /// MES over voter classes selects what MES voter by voter selects, and leaves every voter
    /// the same budget, on 600 random small elections (approval ballots under the three
    /// additive sats, and cumulative ballots with points), at budget/n and a few larger
    /// per-voter budgets.
    #[test]
    fn classes_give_the_voter_by_voter_run() {
        let mut x: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = |m: u64| {
            x = x
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (x >> 33) % m
        };
        for case in 0..600 {
            let cardinal = case % 3 == 0;
            let n_projects = 2 + next(7) as usize;
            let n_voters = 1 + next(12) as usize;
            let projects: Vec<Project> = (0..n_projects)
                .map(|p| Project {
                    id: (p + 1).to_string(),
                    cost: Q::from_usize(next(40) as usize + usize::from(next(8) != 0)),
                    name: None,
                    selected: None,
                })
                .collect();
            // Few distinct ballots, so that classes have several members.
            let kinds: Vec<Ballot> = (0..1 + next(4))
                .map(|_| {
                    let mut projects = Vec::new();
                    for p in 0..n_projects {
                        if next(2) == 0 {
                            let pts = if cardinal { next(4) as usize } else { 1 };
                            projects.push((p, Q::from_usize(pts)));
                        }
                    }
                    Ballot { projects }
                })
                .collect();
            let ballots: Vec<Ballot> = (0..n_voters)
                .map(|_| kinds[next(kinds.len() as u64) as usize].clone())
                .collect();
            let e = Election {
                meta: BTreeMap::new(),
                projects,
                budget: Q::from_usize(5 + next(120) as usize),
                vote_type: if cardinal { "cumulative" } else { "approval" }.into(),
                ballots,
                project_columns: vec!["project_id".into(), "cost".into()],
                warnings: Vec::new(),
            };
            let sats: &[Sat] = if cardinal {
                &[Sat::Points, Sat::Cost]
            } else {
                &[Sat::Cost, Sat::Cardinality]
            };
            for &s in sats {
                let base = supported(&e, s);
                let start = &e.budget / Q::from_usize(n_voters);
                for extra in [0, 1, 3, 10] {
                    let per_voter = &start + Q::from_usize(extra);
                    let run = mes_once(&e, &base, &per_voter);
                    let (sel, budget) = mes_voter_by_voter(&e, s, &per_voter);
                    assert_eq!(run.selected, sel, "case {case} {s:?} +{extra}");
                    for (v, left) in budget.iter().enumerate() {
                        let spent = run.class_payments[run.voter_class[v] as usize]
                            .iter()
                            .fold(Q::zero(), |acc, (_, x)| acc + x);
                        assert_eq!(&per_voter - spent, *left, "case {case} voter {v}");
                    }
                }
            }
        }
    }

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
