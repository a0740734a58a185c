//! The method of equal shares in exact rationals, as pabutools 1.2.3's mes_inner_algo: the
//! projects it considers ([`supported`]), one run at a per-voter budget ([`mes_once`]) and the
//! price system a run leaves ([`MesRun`]), shared by the certified floating-point run
//! ([`super::certified`]) and the rules ([`super::rules`]).

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, Zero};

use super::parse::{Election, Sat, Q};

/// A project MES considers (positive support, positive cost): its supporters in voter order,
/// each with the index of her sat among the project's distinct sats, and the total sat.
pub(super) struct Considered {
    pub project: usize,
    pub voters: Vec<u32>,
    pub sat_of: Vec<u32>,
    pub sats: Vec<Q>,
    pub total: Q,
}

/// The projects MES considers, in id order, and the supported projects of cost 0 (selected at
/// once).
pub(super) struct Supported {
    pub projects: Vec<Considered>,
    pub free: Vec<usize>,
}

pub(super) fn supported(e: &Election, s: Sat) -> Supported {
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

/// An MES run: its outcome and the price system behind it (each voter's endowment, what she
/// has left, which projects she paid for, and what each project received) — the certificate
/// of priceability. Voters who paid for the same projects the same amounts form a class. The
/// amounts are exact: numerators over one common `denominator`.
#[derive(Debug, Clone)]
pub struct MesRun {
    pub selected: Vec<usize>,
    pub considered: Vec<usize>,
    pub per_voter: Q,
    /// The class of each voter.
    pub voter_class: Vec<u32>,
    /// For each class, the projects each of its members paid a positive amount for.
    pub class_projects: Vec<Vec<usize>>,
    /// For each class, the budget each member has left (over `denominator`).
    pub class_left: Vec<BigInt>,
    /// For each project of the election, the sum of its supporters' payments (over
    /// `denominator`).
    pub received: Vec<BigInt>,
    pub denominator: BigInt,
    /// Every branch the run took (which projects were unaffordable, the orders sorted, where
    /// each ρ was found, which payments were capped, what was selected): two budgets with the
    /// same trace give the same run, and so does every budget between them (see
    /// [`super::rules::mes_run`]). Empty for a replayed run.
    pub trace: Vec<u32>,
}

impl MesRun {
    /// The run of an election without ballots or projects: nothing selected or paid.
    pub fn empty(e: &Election, per_voter: Q) -> MesRun {
        MesRun {
            selected: Vec::new(),
            considered: Vec::new(),
            voter_class: vec![0; e.ballots.len()],
            class_projects: vec![Vec::new()],
            class_left: vec![per_voter.numer()],
            received: vec![BigInt::zero(); e.projects.len()],
            denominator: per_voter.denom(),
            per_voter,
            trace: Vec::new(),
        }
    }
}

/// Rationals as numerators over their least common denominator.
pub fn over_common(values: &[Q]) -> (Vec<BigInt>, BigInt) {
    let d = values
        .iter()
        .fold(BigInt::one(), |acc, q| acc.lcm(&q.denom()));
    let nums = values
        .iter()
        .map(|q| q.numer() * (&d / q.denom()))
        .collect();
    (nums, d)
}

/// Voters with the same budget all along: their budget, how many they are, which projects each
/// paid for.
struct Class {
    budget: Q,
    size: usize,
    paid: Vec<usize>,
}

/// A project's supporters grouped by (class, sat index), with their count, in that order.
pub(super) fn groups(c: &Considered, class_of: &[u32]) -> Vec<(u32, u32, usize)> {
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

/// After a round: the supporters of `c` in the (class, sat) groups of `moved` (sorted
/// (class << 32 | sat index) keys, with the new class of each) move to their new class.
pub(super) fn move_voters(c: &Considered, class_of: &mut [u32], moved: &[(u64, u32)]) {
    if moved.is_empty() {
        return;
    }
    for (&v, &x) in c.voters.iter().zip(&c.sat_of) {
        let key = (u64::from(class_of[v as usize]) << 32) | u64::from(x);
        if let Ok(j) = moved.binary_search_by(|m| m.0.cmp(&key)) {
            class_of[v as usize] = moved[j].1;
        }
    }
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
pub(super) fn mes_once(e: &Election, base: &Supported, per_voter: &Q) -> MesRun {
    let mut trace: Vec<u32> = Vec::new();
    let n = e.ballots.len();
    let mut class_of = vec![0u32; n];
    let mut classes = vec![Class {
        budget: per_voter.clone(),
        size: n,
        paid: Vec::new(),
    }];
    let mut sel: Vec<usize> = base.free.clone();
    let mut received = vec![Q::zero(); e.projects.len()];
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
            let mut left: Vec<Q> = classes.iter().map(|c| c.budget.clone()).collect();
            let n_classes = left.len();
            left.append(&mut received);
            let (mut nums, denominator) = over_common(&left);
            let received = nums.split_off(n_classes);
            return MesRun {
                selected: sel,
                considered,
                per_voter: per_voter.clone(),
                voter_class: class_of,
                class_projects: classes.into_iter().map(|c| c.paid).collect(),
                class_left: nums,
                received,
                denominator,
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
            received[p] += Q::from_usize(count) * pay;
            if count == class.size {
                class.budget = budget;
                class.paid.push(p);
            } else {
                class.size -= count;
                let mut paid = class.paid.clone();
                paid.push(p);
                moved.push(((u64::from(cl) << 32) | u64::from(x), classes.len() as u32));
                classes.push(Class {
                    budget,
                    size: count,
                    paid,
                });
            }
        }
        move_voters(c, &mut class_of, &moved);
        sel.push(p);
    }
}
