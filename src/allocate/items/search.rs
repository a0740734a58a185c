//! Exact searches over allocations of items: maximum Nash welfare and leximin. Both are
//! depth-first branch and bound from a good first allocation (a simple rule improved by local
//! search), stop after a node limit, and then return the best allocation found with its gap to
//! the bound. Deterministic: items and agents are visited in a fixed order, and the first optimum
//! met is kept.

// Agents and items are indices into the utility matrix throughout: index loops read clearer.
#![allow(clippy::needless_range_loop)]

use anyhow::{bail, Result};

use super::instance::{bundles, Allocation, Instance};
use super::rules;

/// Default node limits of the exact searches: about 5 s each on 4 agents × 40 goods on the
/// project's 2-core machine (measured: MNW ~60,000 nodes/s, leximin ~400,000 nodes/s). A node
/// count, not a clock, so that the result is the same on any machine.
pub const MNW_NODES: u64 = 300_000;
pub const LEXIMIN_NODES: u64 = 2_000_000;

/// The outcome of an exact search.
pub struct Searched {
    pub allocation: Allocation,
    /// The search finished: the allocation is optimal.
    pub optimal: bool,
    /// When not optimal: how far the best found may be from the optimum, in the objective's
    /// units (MNW: the log of the Nash product; leximin: the minimum utility).
    pub gap: Option<f64>,
    pub nodes: u64,
    /// Leximin: the minimum value is proven optimal (the first phase finished) even when the
    /// search for the later values stopped.
    pub min_optimal: bool,
}

/// A search's node count against its limit.
#[derive(Debug, Clone, Copy)]
pub struct Nodes {
    pub count: u64,
    pub limit: u64,
    pub stopped: bool,
}

impl Nodes {
    pub fn new(limit: u64) -> Nodes {
        Nodes {
            count: 0,
            limit,
            stopped: false,
        }
    }

    /// Counts one more node; false (and stopped from then on) once the limit is passed.
    pub fn tick(&mut self) -> bool {
        if self.stopped {
            return false;
        }
        if self.count == self.limit {
            self.stopped = true;
            return false;
        }
        self.count += 1;
        true
    }
}

fn values(inst: &Instance, a: &Allocation) -> Vec<f64> {
    let b = bundles(inst.n(), a);
    (0..inst.n()).map(|i| inst.value(i, &b[i])).collect()
}

/// The agents an item may go to without losing an optimum of a welfare that never decreases
/// when one agent gains: those valuing it most positively if anyone values it above 0, else
/// those valuing it 0 if anyone does, else everyone. Items of value 0 to all go to the first
/// agent only (every choice is equivalent).
fn candidates(inst: &Instance, o: usize) -> Vec<usize> {
    let n = inst.n();
    let col: Vec<f64> = (0..n).map(|i| inst.u[i][o]).collect();
    if col.iter().all(|&v| v == 0.0) {
        return vec![0];
    }
    if col.iter().any(|&v| v > 0.0) {
        return (0..n).filter(|&i| col[i] > 0.0).collect();
    }
    if col.contains(&0.0) {
        return (0..n).filter(|&i| col[i] == 0.0).collect();
    }
    (0..n).collect()
}

/// Improves `a` by single-item moves and two-item swaps while `better(new, old)` holds for the
/// agents' values; deterministic (first improvement in index order, repeated to a fixpoint).
fn local_search(inst: &Instance, a: &mut Allocation, better: &dyn Fn(&[f64], &[f64]) -> bool) {
    let (n, m) = (inst.n(), inst.m());
    let mut vals = values(inst, a);
    let mut improved = true;
    let mut rounds = 0;
    while improved && rounds < 1000 {
        improved = false;
        rounds += 1;
        for o in 0..m {
            let Some(i) = a[o] else { continue };
            for k in 0..n {
                if k == i {
                    continue;
                }
                let mut t = vals.clone();
                t[i] -= inst.u[i][o];
                t[k] += inst.u[k][o];
                if better(&t, &vals) {
                    a[o] = Some(k);
                    vals = t;
                    improved = true;
                    break;
                }
            }
        }
        for o in 0..m {
            for q in o + 1..m {
                let (Some(i), Some(k)) = (a[o], a[q]) else {
                    continue;
                };
                if i == k {
                    continue;
                }
                let mut t = vals.clone();
                t[i] += inst.u[i][q] - inst.u[i][o];
                t[k] += inst.u[k][o] - inst.u[k][q];
                if better(&t, &vals) {
                    a[o] = Some(k);
                    a[q] = Some(i);
                    vals = t;
                    improved = true;
                }
            }
        }
    }
}

/// The largest number of agents that can each get a positive value at once: a maximum matching
/// of agents to items they value above 0 (augmenting paths).
pub fn max_positive(inst: &Instance) -> usize {
    let (n, m) = (inst.n(), inst.m());
    let mut owner = vec![usize::MAX; m];
    fn augment(inst: &Instance, i: usize, seen: &mut [bool], owner: &mut [usize]) -> bool {
        for o in 0..inst.m() {
            if inst.u[i][o] > 0.0 && !seen[o] {
                seen[o] = true;
                if owner[o] == usize::MAX || augment(inst, owner[o], seen, owner) {
                    owner[o] = i;
                    return true;
                }
            }
        }
        false
    }
    (0..n)
        .filter(|&i| augment(inst, i, &mut vec![false; m], &mut owner))
        .count()
}

/// MNW's objective: (number of agents with positive value, Σ log of their values).
type Score = (usize, f64);

fn nash_score(vals: &[f64]) -> Score {
    let pos = vals.iter().filter(|&&v| v > 0.0);
    (pos.clone().count(), pos.map(|v| v.ln()).sum())
}

fn nash_better(a: Score, b: Score) -> bool {
    a.0 > b.0 || (a.0 == b.0 && a.1 > b.1 + 1e-12 * (1.0 + b.1.abs()))
}

/// Proportional-response rounds that estimate the fractional optimum behind [`nash_bound`].
const RESPONSE_ROUNDS: usize = 12;

/// An upper bound on Σ log uᵢ over the best `c` agents, for every way of giving the items
/// `rest` (fractionally, so also integrally) to agents who already hold values `a`.
///
/// Lagrangian duality of max Σᵢ log(aᵢ + Σⱼ uᵢⱼ xᵢⱼ) s.t. Σᵢ xᵢⱼ ≤ 1: for any prices p ≥ 0 the
/// optimum is at most Σⱼ pⱼ + Σᵢ hᵢ, where with rᵢ = maxⱼ uᵢⱼ / pⱼ (agent i's best value per unit
/// of price) hᵢ = max over t ≥ 0 of log(aᵢ + rᵢ t) − t = log rᵢ − 1 + aᵢ/rᵢ when rᵢ > aᵢ, else
/// log aᵢ. Over c agents of any set, the c largest hᵢ bound the sum. The prices come from a
/// few rounds of proportional response (each agent spends a unit budget on its own holding and
/// the items in proportion to the value each gives it), set to pⱼ = maxᵢ uᵢⱼ / ũᵢ: at the
/// fractional optimum the bound equals it. Any prices give a valid bound; better ones prune more.
fn nash_bound(u: &[Vec<f64>], a: &[f64], rest: &[usize], c: usize, bids: &mut Vec<f64>) -> f64 {
    let n = a.len();
    let r = rest.len();
    let top = |mut h: Vec<f64>| -> f64 {
        h.sort_by(|x, y| y.total_cmp(x));
        if h.len() < c {
            return f64::NEG_INFINITY;
        }
        h[..c].iter().sum()
    };
    if r == 0 {
        return top(a.iter().filter(|&&v| v > 0.0).map(|v| v.ln()).collect());
    }
    // bids[i * (r + 1) + k]: agent i's spending on item rest[k]; slot r is its own holding.
    bids.clear();
    bids.resize(n * (r + 1), 0.0);
    let mut util = vec![0.0; n];
    for i in 0..n {
        let total = a[i] + rest.iter().map(|&o| u[i][o].max(0.0)).sum::<f64>();
        if total > 0.0 {
            for (k, &o) in rest.iter().enumerate() {
                bids[i * (r + 1) + k] = u[i][o].max(0.0) / total;
            }
            bids[i * (r + 1) + r] = a[i] / total;
        }
    }
    let mut price = vec![0.0; r];
    for _ in 0..RESPONSE_ROUNDS {
        for k in 0..r {
            price[k] = (0..n).map(|i| bids[i * (r + 1) + k]).sum();
        }
        for i in 0..n {
            let row = i * (r + 1);
            let mut ui = a[i];
            for (k, &o) in rest.iter().enumerate() {
                if bids[row + k] > 0.0 {
                    ui += u[i][o] * bids[row + k] / price[k];
                }
            }
            util[i] = ui;
            if ui > 0.0 {
                for (k, &o) in rest.iter().enumerate() {
                    if bids[row + k] > 0.0 {
                        bids[row + k] = u[i][o] * bids[row + k] / price[k] / ui;
                    }
                }
                bids[row + r] = a[i] / ui;
            }
        }
    }
    let mut sum_p = 0.0;
    for k in 0..r {
        let o = rest[k];
        price[k] = (0..n)
            .filter(|&i| util[i] > 0.0)
            .map(|i| u[i][o].max(0.0) / util[i])
            .fold(0.0, f64::max);
        sum_p += price[k];
    }
    let h: Vec<f64> = (0..n)
        .map(|i| {
            let ri = rest
                .iter()
                .enumerate()
                .filter(|&(k, &o)| u[i][o] > 0.0 && price[k] > 0.0)
                .map(|(k, &o)| u[i][o] / price[k])
                .fold(0.0, f64::max);
            let ri = if rest
                .iter()
                .enumerate()
                .any(|(k, &o)| u[i][o] > 0.0 && price[k] == 0.0)
            {
                f64::INFINITY
            } else {
                ri
            };
            if ri > a[i] {
                ri.ln() - 1.0 + a[i] / ri
            } else if a[i] > 0.0 {
                a[i].ln()
            } else {
                f64::NEG_INFINITY
            }
        })
        .collect();
    sum_p + top(h)
}

/// Maximum Nash welfare for goods (Caragiannis et al. 2019): first the largest set of agents with
/// positive value (a maximum matching says how large), then the largest product of their values.
/// Branch and bound over items (highest value first); at each node the Lagrangian bound of
/// [`nash_bound`] on the fractional relaxation; started from round robin improved by local
/// search. Stops after `node_limit` nodes and then returns the best found with its log gap.
pub fn mnw(inst: &Instance, node_limit: u64) -> Result<Searched> {
    let (n, m) = (inst.n(), inst.m());
    if inst.u.iter().flatten().any(|&v| v < 0.0) {
        bail!("maximum Nash welfare is for goods (values ≥ 0); for chores or mixed items use --method double-round-robin or leximin");
    }
    let target = max_positive(inst);
    let mut start = rules::round_robin(inst);
    local_search(inst, &mut start, &|t, v| {
        nash_better(nash_score(t), nash_score(v))
    });
    let mut order: Vec<usize> = (0..m).collect();
    let top = |o: usize| (0..n).map(|i| inst.u[i][o]).fold(0.0, f64::max);
    order.sort_by(|&a, &b| top(b).total_cmp(&top(a)).then(a.cmp(&b)));
    let cands: Vec<Vec<usize>> = (0..m).map(|o| candidates(inst, o)).collect();
    struct S<'a> {
        inst: &'a Instance,
        order: Vec<usize>,
        cands: Vec<Vec<usize>>,
        target: usize,
        cur: Vec<f64>,
        assign: Allocation,
        best: (Score, Allocation),
        nodes: Nodes,
        bids: Vec<f64>,
    }
    fn dfs(s: &mut S, k: usize) {
        if !s.nodes.tick() {
            return;
        }
        let inst = s.inst;
        if k == s.order.len() {
            let sc = nash_score(&s.cur);
            if nash_better(sc, s.best.0) {
                s.best = (sc, s.assign.clone());
            }
            return;
        }
        let rest = &s.order[k..];
        // How many agents can still end positive.
        let pos = s.cur.iter().filter(|&&v| v > 0.0).count();
        let could = (0..inst.n())
            .filter(|&i| s.cur[i] <= 0.0 && rest.iter().any(|&o| inst.u[i][o] > 0.0))
            .count();
        let count = (pos + could.min(rest.len())).min(s.target);
        if count < s.best.0 .0 {
            return;
        }
        if count == s.best.0 .0 {
            // Cheap bound first (everyone also gets every remaining item), then the dual one.
            let loose: Vec<f64> = (0..inst.n())
                .map(|i| s.cur[i] + rest.iter().map(|&o| inst.u[i][o]).sum::<f64>())
                .collect();
            let mut h: Vec<f64> = loose.iter().filter(|&&v| v > 0.0).map(|v| v.ln()).collect();
            h.sort_by(|x, y| y.total_cmp(x));
            let lb: f64 = h.iter().take(count).sum();
            if lb <= s.best.0 .1 + 1e-12 * (1.0 + s.best.0 .1.abs()) {
                return;
            }
            let rest_v = rest.to_vec();
            let b = nash_bound(&inst.u, &s.cur, &rest_v, count, &mut s.bids);
            if b <= s.best.0 .1 + 1e-12 * (1.0 + s.best.0 .1.abs()) {
                return;
            }
        }
        let o = s.order[k];
        let mut agents = s.cands[o].clone();
        // The agent for whom the item matters most relative to what she holds, first.
        agents.sort_by(|&a, &b| {
            let ka = inst.u[a][o] / (s.cur[a] + inst.u[a][o]).max(1e-300);
            let kb = inst.u[b][o] / (s.cur[b] + inst.u[b][o]).max(1e-300);
            kb.total_cmp(&ka).then(a.cmp(&b))
        });
        for i in agents {
            s.cur[i] += inst.u[i][o];
            s.assign[o] = Some(i);
            dfs(s, k + 1);
            s.cur[i] -= inst.u[i][o];
            s.assign[o] = None;
        }
    }
    let root = {
        let all: Vec<usize> = (0..m).collect();
        nash_bound(&inst.u, &vec![0.0; n], &all, target, &mut Vec::new())
    };
    let start_score = nash_score(&values(inst, &start));
    let mut s = S {
        inst,
        order,
        cands,
        target,
        cur: vec![0.0; n],
        assign: vec![None; m],
        best: (start_score, start),
        nodes: Nodes::new(node_limit),
        bids: Vec::new(),
    };
    dfs(&mut s, 0);
    let gap = if !s.nodes.stopped {
        None
    } else if s.best.0 .0 < target {
        Some(f64::INFINITY)
    } else {
        Some((root - s.best.0 .1).max(0.0))
    };
    Ok(Searched {
        allocation: s.best.1,
        optimal: !s.nodes.stopped,
        gap,
        nodes: s.nodes.count,
        min_optimal: false,
    })
}

/// Rounds of the dual descent in [`egalitarian_bound`].
const DUAL_ROUNDS: usize = 8;

/// An upper bound on minᵢ uᵢ over every way of giving all the items `rest` to agents who already
/// hold values `a`: for any weights λ on the simplex, minᵢ uᵢ ≤ Σᵢ λᵢuᵢ ≤ Σᵢ λᵢaᵢ + Σⱼ maxᵢ λᵢuᵢⱼ
/// (Lagrangian relaxation of the max–min linear program). A few multiplicative steps move weight
/// to the agents the relaxation leaves worst off; the smallest bound met is returned.
fn egalitarian_bound(u: &[Vec<f64>], a: &[f64], rest: &[usize], rounds: usize) -> f64 {
    let n = a.len();
    let mut lambda = vec![1.0 / n as f64; n];
    let scale = rest
        .iter()
        .map(|&o| (0..n).map(|i| u[i][o].abs()).fold(0.0, f64::max))
        .sum::<f64>()
        .max(a.iter().map(|v| v.abs()).fold(0.0, f64::max))
        .max(1e-300);
    let mut best = f64::INFINITY;
    let mut got = vec![0.0; n];
    for round in 0..rounds {
        got.copy_from_slice(a);
        let mut bound: f64 = (0..n).map(|i| lambda[i] * a[i]).sum();
        for &o in rest {
            let (mut arg, mut top) = (0, f64::NEG_INFINITY);
            for i in 0..n {
                let w = lambda[i] * u[i][o];
                if w > top {
                    (arg, top) = (i, w);
                }
            }
            bound += top;
            got[arg] += u[arg][o];
        }
        best = best.min(bound);
        let step = 4.0 / (1.0 + round as f64).sqrt();
        let mut total = 0.0;
        for i in 0..n {
            lambda[i] *= (-step * got[i] / scale).exp();
            total += lambda[i];
        }
        for l in &mut lambda {
            *l /= total;
        }
    }
    best
}

/// Leximin's order: `a` beats `b` when, sorted ascending, the first differing value is larger.
fn lex_better(a: &[f64], b: &[f64]) -> bool {
    let mut x = a.to_vec();
    let mut y = b.to_vec();
    x.sort_by(f64::total_cmp);
    y.sort_by(f64::total_cmp);
    for (p, q) in x.iter().zip(&y) {
        let tol = 1e-9 * (1.0 + p.abs().max(q.abs()));
        if *p > q + tol {
            return true;
        }
        if *p < q - tol {
            return false;
        }
    }
    false
}

/// Leximin (goods, chores or mixed): the allocation whose values, sorted ascending, are
/// lexicographically largest — the largest minimum, then the largest second minimum, and so on.
/// Branch and bound over items (highest absolute value first) from double round robin improved
/// by local search; bounds: each agent also gets every remaining item it values above 0 (values
/// only grow, so the sorted bound dominates every completion), and the minimum is at most
/// [`egalitarian_bound`]. Two phases: the largest minimum first (pruning every node that cannot
/// beat it strictly), then the lexicographic order above it. Beyond `node_limit` nodes: the best
/// found, with the gap between its minimum and the root bound on the minimum (0 when the first
/// phase finished: the minimum is then optimal, the later values not proven).
pub fn leximin(inst: &Instance, node_limit: u64) -> Searched {
    let (n, m) = (inst.n(), inst.m());
    let mut start = rules::double_round_robin(inst);
    local_search(inst, &mut start, &|t, v| lex_better(t, v));
    let mut order: Vec<usize> = (0..m).collect();
    let top = |o: usize| (0..n).map(|i| inst.u[i][o].abs()).fold(0.0, f64::max);
    order.sort_by(|&a, &b| top(b).total_cmp(&top(a)).then(a.cmp(&b)));
    let cands: Vec<Vec<usize>> = (0..m).map(|o| candidates(inst, o)).collect();
    // rem[k][i]: what agent i values above 0 among order[k..].
    let mut rem = vec![vec![0.0; n]; m + 1];
    for k in (0..m).rev() {
        let o = order[k];
        for i in 0..n {
            rem[k][i] = rem[k + 1][i] + inst.u[i][o].max(0.0);
        }
    }
    let seq = order.clone();
    // The bound on the minimum: the cheap one, and the dual one only when the cheap one is at
    // least `floor` (the incumbent's minimum) and so cannot prune.
    let min_bound = |cur: &[f64], k: usize, floor: f64| -> f64 {
        let each = (0..n)
            .map(|i| cur[i] + rem[k][i])
            .fold(f64::INFINITY, f64::min);
        if each < floor {
            return each;
        }
        each.min(egalitarian_bound(&inst.u, cur, &seq[k..], DUAL_ROUNDS))
    };
    // At the root, many more dual steps: the reported gap rests on this bound.
    let root_min = (0..n)
        .map(|i| rem[0][i])
        .fold(f64::INFINITY, f64::min)
        .min(egalitarian_bound(&inst.u, &vec![0.0; n], &order, 4000));
    struct S<'a> {
        inst: &'a Instance,
        order: Vec<usize>,
        cands: Vec<Vec<usize>>,
        cur: Vec<f64>,
        assign: Allocation,
        best: (Vec<f64>, Allocation),
        nodes: Nodes,
        /// Phase 1: only a strictly larger minimum counts.
        maximin: bool,
    }
    fn dfs(s: &mut S, k: usize, rem: &[Vec<f64>], min_bound: &dyn Fn(&[f64], usize, f64) -> f64) {
        if !s.nodes.tick() {
            return;
        }
        let inst = s.inst;
        let best_min = s.best.0.iter().copied().fold(f64::INFINITY, f64::min);
        let tol = 1e-9 * (1.0 + best_min.abs());
        if k == s.order.len() {
            let cur_min = s.cur.iter().copied().fold(f64::INFINITY, f64::min);
            let better = if s.maximin {
                cur_min > best_min + tol
            } else {
                lex_better(&s.cur, &s.best.0)
            };
            if better {
                s.best = (s.cur.clone(), s.assign.clone());
            }
            return;
        }
        if s.maximin {
            if min_bound(&s.cur, k, best_min + tol) <= best_min + tol {
                return;
            }
        } else if min_bound(&s.cur, k, best_min - tol) < best_min - tol {
            return;
        }
        let bound: Vec<f64> = (0..inst.n()).map(|i| s.cur[i] + rem[k][i]).collect();
        if !s.maximin && !lex_better(&bound, &s.best.0) {
            return;
        }
        let o = s.order[k];
        let mut agents = s.cands[o].clone();
        // Goods to the worst off first; chores to the best off first.
        agents.sort_by(|&a, &b| {
            let key = |i: usize| {
                if inst.u[i][o] >= 0.0 {
                    s.cur[i]
                } else {
                    -s.cur[i]
                }
            };
            key(a).total_cmp(&key(b)).then(a.cmp(&b))
        });
        for i in agents {
            s.cur[i] += inst.u[i][o];
            s.assign[o] = Some(i);
            dfs(s, k + 1, rem, min_bound);
            s.cur[i] -= inst.u[i][o];
            s.assign[o] = None;
        }
    }
    let start_vals = values(inst, &start);
    let mut s = S {
        inst,
        order,
        cands,
        cur: vec![0.0; n],
        assign: vec![None; m],
        best: (start_vals, start),
        nodes: Nodes::new(node_limit),
        maximin: true,
    };
    // Phase 1 proves the largest minimum; phase 2 then orders the rest from its allocation
    // (improved by local search), never below that minimum.
    dfs(&mut s, 0, &rem, &min_bound);
    let min_optimal = !s.nodes.stopped;
    if min_optimal {
        let mut a = s.best.1.clone();
        local_search(inst, &mut a, &|t, v| lex_better(t, v));
        s.best = (values(inst, &a), a);
        s.maximin = false;
        s.cur = vec![0.0; n];
        dfs(&mut s, 0, &rem, &min_bound);
    }
    let found_min = s.best.0.iter().copied().fold(f64::INFINITY, f64::min);
    Searched {
        allocation: s.best.1,
        optimal: !s.nodes.stopped,
        gap: match (s.nodes.stopped, min_optimal) {
            (false, _) => None,
            (true, true) => Some(0.0),
            (true, false) => Some((root_min - found_min).max(0.0)),
        },
        nodes: s.nodes.count,
        min_optimal,
    }
}
