//! Allocation rules. Every rule is deterministic: agents in their input order, items in theirs,
//! and a tie between items goes to the item listed first.

use anyhow::{bail, Result};

use super::instance::{bundles, Allocation, Instance};

/// The best remaining item for agent i among `pool` (ties: the lowest index), if any.
fn best(inst: &Instance, i: usize, pool: &[usize]) -> Option<usize> {
    pool.iter()
        .copied()
        .fold(None, |acc: Option<usize>, o| match acc {
            Some(b) if inst.u[i][b] >= inst.u[i][o] => Some(b),
            _ => Some(o),
        })
}

/// Picks in turns over `order` from `pool` until it is empty; `take(i, o)` says whether agent i
/// takes item o (false: the agent passes this turn). Stops when a whole round passes.
fn rounds(
    inst: &Instance,
    order: &[usize],
    mut pool: Vec<usize>,
    alloc: &mut Allocation,
    take: impl Fn(usize, usize) -> bool,
) {
    loop {
        let mut picked = false;
        for &i in order {
            if pool.is_empty() {
                return;
            }
            let o = best(inst, i, &pool).expect("non-empty pool");
            if take(i, o) {
                alloc[o] = Some(i);
                pool.retain(|&x| x != o);
                picked = true;
            }
        }
        if !picked || pool.is_empty() {
            return;
        }
    }
}

/// Round robin (goods): agents 1..n pick in turn their best remaining item. EF1 for goods.
pub fn round_robin(inst: &Instance) -> Allocation {
    let mut a = vec![None; inst.m()];
    let order: Vec<usize> = (0..inst.n()).collect();
    rounds(inst, &order, (0..inst.m()).collect(), &mut a, |_, _| true);
    a
}

/// Double round robin (Aziz, Caragiannis, Igarashi & Walsh 2022, "Fair allocation of
/// indivisible goods and chores"): O⁻ = items every agent values below 0, O⁺ the rest. Add k
/// dummy chores (value 0 to all) so that |O⁻| + k is a multiple of n — k = 0 when it already
/// is. Agents 1..n pick their best remaining item of O⁻ round robin; then agents n..1 pick from
/// O⁺ round robin, an agent taking only items she values ≥ 0 and passing otherwise. Dummies are
/// dropped. EF1 for mixed manna.
pub fn double_round_robin(inst: &Instance) -> Allocation {
    let n = inst.n();
    let m = inst.m();
    let chores: Vec<usize> = (0..m)
        .filter(|&o| (0..n).all(|i| inst.u[i][o] < 0.0))
        .collect();
    let goods: Vec<usize> = (0..m).filter(|o| !chores.contains(o)).collect();
    let k = (n - chores.len() % n) % n;
    // Dummies are items m..m+k valued 0 by everyone: extend a copy of the instance.
    let mut ext = inst.clone();
    for d in 0..k {
        ext.items.push(format!("(dummy {d})"));
        for row in &mut ext.u {
            row.push(0.0);
        }
    }
    let mut a: Allocation = vec![None; m + k];
    let forward: Vec<usize> = (0..n).collect();
    let pool: Vec<usize> = chores.iter().copied().chain(m..m + k).collect();
    rounds(&ext, &forward, pool, &mut a, |_, _| true);
    let backward: Vec<usize> = (0..n).rev().collect();
    rounds(&ext, &backward, goods, &mut a, |i, o| ext.u[i][o] >= 0.0);
    a.truncate(m);
    a
}

/// Envy-cycle elimination. Goods (Lipton, Markakis, Mossel & Saberi 2004): each item in order
/// goes to an agent nobody envies (the first such), after rotating bundles along envy cycles
/// until one exists. Chores (Bhaskar, Sricharan & Vaish 2021): each chore goes to an agent who
/// envies nobody (a sink), after rotating along cycles of the top-trading graph (each agent
/// points to an owner of a bundle she likes best) until one exists. EF1. Mixed instances are
/// refused (use double round robin).
pub fn envy_cycle(inst: &Instance) -> Result<Allocation> {
    let (n, m) = (inst.n(), inst.m());
    let goods = (0..m).all(|o| (0..n).all(|i| inst.u[i][o] >= 0.0));
    let chores = (0..m).all(|o| (0..n).all(|i| inst.u[i][o] <= 0.0));
    if !goods && !chores {
        bail!("envy-cycle elimination needs all goods or all chores; for mixed items use --method double-round-robin");
    }
    let mut a: Allocation = vec![None; m];
    for o in 0..m {
        loop {
            let b = bundles(n, &a);
            let val = |i: usize, j: usize| inst.value(i, &b[j]);
            let envies = |i: usize, j: usize| i != j && val(i, j) > val(i, i);
            let target = if goods {
                (0..n).find(|&j| (0..n).all(|i| !envies(i, j)))
            } else {
                (0..n).find(|&i| (0..n).all(|j| !envies(i, j)))
            };
            if let Some(t) = target {
                a[o] = Some(t);
                break;
            }
            // No target: rotate along a cycle. Goods: i → j when i envies j (every agent is
            // envied, so following "an envier" backwards finds a cycle); chores: i → a favourite
            // bundle's owner.
            let next: Vec<usize> = (0..n)
                .map(|i| {
                    if goods {
                        // the first agent that envies i (exists: i is envied)
                        (0..n).find(|&k| envies(k, i)).expect("i is envied")
                    } else {
                        (0..n)
                            .fold(None, |acc: Option<usize>, j| match acc {
                                Some(bj) if val(i, bj) >= val(i, j) => Some(bj),
                                _ => Some(j),
                            })
                            .expect("n > 0")
                    }
                })
                .collect();
            let cycle = find_cycle(&next);
            // Goods: next[i] envies i, so next[i] takes i's bundle. Chores: i takes next[i]'s.
            let old = b.clone();
            for (idx, &i) in cycle.iter().enumerate() {
                let _ = idx;
                let (taker, from) = if goods { (next[i], i) } else { (i, next[i]) };
                for &item in &old[from] {
                    a[item] = Some(taker);
                }
            }
        }
    }
    Ok(a)
}

/// A cycle of the functional graph `next` (from agent 0).
fn find_cycle(next: &[usize]) -> Vec<usize> {
    let mut seen = vec![usize::MAX; next.len()];
    let mut i = 0;
    let mut step = 0;
    while seen[i] == usize::MAX {
        seen[i] = step;
        step += 1;
        i = next[i];
    }
    let start = i;
    let mut cycle = vec![start];
    let mut j = next[start];
    while j != start {
        cycle.push(j);
        j = next[j];
    }
    cycle
}

/// The outcome of an exact search.
pub struct Searched {
    pub allocation: Allocation,
    /// The search finished: the allocation is optimal.
    pub optimal: bool,
    /// When not optimal: how far the best found may be from the optimum, in the objective's
    /// units (for MNW: the log of the Nash product).
    pub gap: Option<f64>,
    pub nodes: u64,
}

/// Maximum Nash welfare for goods (Caragiannis et al. 2019): first the largest set of agents with
/// positive utility, then the largest product of their utilities. Depth-first branch and bound
/// (items by their highest value first, agents by their value for the item; bound: every agent
/// also gets every remaining item), started from round robin. Stops after `node_limit` nodes and
/// then returns the best found with the gap to the bound. Ties: the first optimum met.
pub fn mnw(inst: &Instance, node_limit: u64) -> Result<Searched> {
    let (n, m) = (inst.n(), inst.m());
    if inst.u.iter().flatten().any(|&v| v < 0.0) {
        bail!("maximum Nash welfare is for goods (values ≥ 0); for chores or mixed items use --method double-round-robin");
    }
    let score = |vals: &[f64]| -> (usize, f64) {
        let k = vals.iter().filter(|&&v| v > 0.0).count();
        (k, vals.iter().filter(|&&v| v > 0.0).map(|v| v.ln()).sum())
    };
    let better = |a: (usize, f64), b: (usize, f64)| a.0 > b.0 || (a.0 == b.0 && a.1 > b.1 + 1e-12);
    let mut order: Vec<usize> = (0..m).collect();
    let top = |o: usize| (0..n).map(|i| inst.u[i][o]).fold(0.0, f64::max);
    order.sort_by(|&a, &b| top(b).total_cmp(&top(a)).then(a.cmp(&b)));
    // rem[k][i]: value to i of the items order[k..].
    let mut rem = vec![vec![0.0; n]; m + 1];
    for k in (0..m).rev() {
        let next = rem[k + 1].clone();
        for (i, r) in rem[k].iter_mut().enumerate() {
            *r = next[i] + inst.u[i][order[k]];
        }
    }
    let start = round_robin(inst);
    let start_vals: Vec<f64> = {
        let b = bundles(n, &start);
        (0..n).map(|i| inst.value(i, &b[i])).collect()
    };
    let mut best = (score(&start_vals), start);
    let root_bound = score(&rem[0]);
    let mut cur = vec![0.0; n];
    let mut assign: Allocation = vec![None; m];
    let mut nodes = 0u64;
    let mut stopped = false;
    #[allow(clippy::too_many_arguments)]
    fn dfs(
        inst: &Instance,
        order: &[usize],
        rem: &[Vec<f64>],
        k: usize,
        cur: &mut Vec<f64>,
        assign: &mut Allocation,
        best: &mut ((usize, f64), Allocation),
        nodes: &mut u64,
        limit: u64,
        stopped: &mut bool,
        score: &dyn Fn(&[f64]) -> (usize, f64),
        better: &dyn Fn((usize, f64), (usize, f64)) -> bool,
    ) {
        if *stopped {
            return;
        }
        *nodes += 1;
        if *nodes > limit {
            *stopped = true;
            return;
        }
        if k == order.len() {
            let s = score(cur);
            if better(s, best.0) {
                *best = (s, assign.clone());
            }
            return;
        }
        let bound: Vec<f64> = cur.iter().zip(&rem[k]).map(|(a, b)| a + b).collect();
        if !better(score(&bound), best.0) {
            return;
        }
        let o = order[k];
        let mut agents: Vec<usize> = (0..inst.n()).collect();
        agents.sort_by(|&a, &b| inst.u[b][o].total_cmp(&inst.u[a][o]).then(a.cmp(&b)));
        for i in agents {
            cur[i] += inst.u[i][o];
            assign[o] = Some(i);
            dfs(
                inst,
                order,
                rem,
                k + 1,
                cur,
                assign,
                best,
                nodes,
                limit,
                stopped,
                score,
                better,
            );
            cur[i] -= inst.u[i][o];
            assign[o] = None;
        }
    }
    dfs(
        inst,
        &order,
        &rem,
        0,
        &mut cur,
        &mut assign,
        &mut best,
        &mut nodes,
        node_limit,
        &mut stopped,
        &score,
        &better,
    );
    let gap = if !stopped {
        None
    } else if root_bound.0 > best.0 .0 {
        Some(f64::INFINITY)
    } else {
        Some(root_bound.1 - best.0 .1)
    };
    Ok(Searched {
        allocation: best.1,
        optimal: !stopped,
        gap,
        nodes,
    })
}
