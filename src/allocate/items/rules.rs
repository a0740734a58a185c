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

/// Generalized adjusted winner for two agents (Aziz, Caragiannis, Igarashi & Walsh 2022, §5):
/// items one agent values ≥ 0 and the other ≤ 0 go to the first (an item valued 0 by both goes
/// to agent 1); agent 1 starts with every common good (both > 0) and agent 2 with every common
/// chore (both < 0). These contested items are ordered by |u₁(o)| / |u₂(o)| ascending (ties: item
/// order), and moved one at a time — goods from agent 1 to 2, chores from agent 2 to 1 — stopping
/// at the first allocation that is EF1 both ways. Every allocation on this path maximizes
/// w₁u₁ + w₂u₂ for weights given by the ratio reached, so it is Pareto optimal; ACIW show that an
/// EF1 one exists on it. Agent 1 is the first in the input.
pub fn adjusted_winner(inst: &Instance) -> Result<Allocation> {
    if inst.n() != 2 {
        bail!(
            "adjusted winner divides between exactly 2 agents; this instance has {} (use --method mnw, leximin or double-round-robin)",
            inst.n()
        );
    }
    let u = &inst.u;
    let mut a: Allocation = vec![None; inst.m()];
    let mut contested = Vec::new();
    for o in 0..inst.m() {
        let (x, y) = (u[0][o], u[1][o]);
        if x > 0.0 && y > 0.0 {
            a[o] = Some(0);
            contested.push(o);
        } else if x < 0.0 && y < 0.0 {
            a[o] = Some(1);
            contested.push(o);
        } else if x >= 0.0 && y <= 0.0 {
            a[o] = Some(0);
        } else {
            a[o] = Some(1);
        }
    }
    let ratio = |o: usize| u[0][o].abs() / u[1][o].abs();
    contested.sort_by(|&p, &q| ratio(p).total_cmp(&ratio(q)).then(p.cmp(&q)));
    let ef1 = |a: &Allocation| super::check::Context::new(inst, a).ef1().holds == Some(true);
    if ef1(&a) {
        return Ok(a);
    }
    for &o in &contested {
        a[o] = Some(1 - a[o].expect("contested items are allocated"));
        if ef1(&a) {
            return Ok(a);
        }
    }
    bail!("internal error: no EF1 allocation on the adjusted-winner path (please report this instance)")
}
