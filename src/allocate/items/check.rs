//! Properties of an allocation under additive utilities over goods, chores or mixed manna, each
//! with a witness when it fails. Definitions: docs/metrics.md, "allocate".

// Agents and items are indices into the utility matrix throughout: index loops read clearer.
#![allow(clippy::needless_range_loop)]

use serde_json::{json, Value as Json};

use super::instance::{bundles, Allocation, Instance};
use crate::allocate::report::{prop, Property};
use crate::allocate::settings::EfxVariant;

/// Tolerance for comparing sums of utilities (relative to their magnitude).
const EPS: f64 = 1e-9;

fn ge(a: f64, b: f64) -> bool {
    a >= b - EPS * (1.0 + a.abs().max(b.abs()))
}

pub struct Context<'a> {
    pub inst: &'a Instance,
    pub bundles: Vec<Vec<usize>>,
    /// v[i][j] = u_i(A_j).
    pub v: Vec<Vec<f64>>,
}

impl<'a> Context<'a> {
    pub fn new(inst: &'a Instance, a: &Allocation) -> Context<'a> {
        let b = bundles(inst.n(), a);
        let v = (0..inst.n())
            .map(|i| (0..inst.n()).map(|j| inst.value(i, &b[j])).collect())
            .collect();
        Context {
            inst,
            bundles: b,
            v,
        }
    }

    fn names(&self, i: usize, j: usize) -> (String, String) {
        (self.inst.agents[i].clone(), self.inst.agents[j].clone())
    }

    /// EF: u_i(A_i) ≥ u_i(A_j) for all i, j.
    pub fn ef(&self) -> Property {
        let n = self.inst.n();
        for i in 0..n {
            for j in 0..n {
                if i != j && !ge(self.v[i][i], self.v[i][j]) {
                    let (a, b) = self.names(i, j);
                    return prop(
                        "ef",
                        Some(false),
                        Some(
                            json!({"agent": a, "envies": b, "own": self.v[i][i], "other": self.v[i][j]}),
                        ),
                        None,
                    );
                }
            }
        }
        prop("ef", Some(true), None, None)
    }

    /// EF1 (mixed manna, Aziz et al. 2022): for every i, j some item o ∈ A_i ∪ A_j makes
    /// u_i(A_i \ {o}) ≥ u_i(A_j \ {o}).
    pub fn ef1(&self) -> Property {
        let u = &self.inst.u;
        let n = self.inst.n();
        for i in 0..n {
            for j in 0..n {
                if i == j || ge(self.v[i][i], self.v[i][j]) {
                    continue;
                }
                let own = self.bundles[i]
                    .iter()
                    .any(|&o| ge(self.v[i][i] - u[i][o], self.v[i][j]));
                let other = self.bundles[j]
                    .iter()
                    .any(|&o| ge(self.v[i][i], self.v[i][j] - u[i][o]));
                if !own && !other {
                    let (a, b) = self.names(i, j);
                    return prop(
                        "ef1",
                        Some(false),
                        Some(
                            json!({"agent": a, "envies": b, "own": self.v[i][i], "other": self.v[i][j],
                                     "why": "no single item of either bundle removes the envy"}),
                        ),
                        None,
                    );
                }
            }
        }
        prop("ef1", Some(true), None, None)
    }

    /// EFX (mixed manna): for every i, j, removing any chore (u_i(o) < 0) from A_i, or any good
    /// of A_j (u_i(o) > 0; ≥ 0 for EFX₀), leaves i envy-free of j.
    pub fn efx(&self, variant: EfxVariant) -> Property {
        let u = &self.inst.u;
        let n = self.inst.n();
        let name = match variant {
            EfxVariant::Positive => "efx",
            EfxVariant::Zero => "efx0",
        };
        for i in 0..n {
            for j in 0..n {
                if i == j || ge(self.v[i][i], self.v[i][j]) {
                    continue;
                }
                let bad_good = self.bundles[j].iter().copied().find(|&o| {
                    let counts = match variant {
                        EfxVariant::Positive => u[i][o] > 0.0,
                        EfxVariant::Zero => u[i][o] >= 0.0,
                    };
                    counts && !ge(self.v[i][i], self.v[i][j] - u[i][o])
                });
                let bad_chore = self.bundles[i]
                    .iter()
                    .copied()
                    .find(|&o| u[i][o] < 0.0 && !ge(self.v[i][i] - u[i][o], self.v[i][j]));
                if let Some(o) = bad_good.or(bad_chore) {
                    let (a, b) = self.names(i, j);
                    return prop(
                        name,
                        Some(false),
                        Some(json!({"agent": a, "envies": b, "item": self.inst.items[o],
                        "why": if bad_good.is_some() {
                            "envy remains after removing this good from the other bundle"
                        } else {
                            "envy remains after removing this chore from the own bundle"
                        }})),
                        None,
                    );
                }
            }
        }
        prop(name, Some(true), None, None)
    }

    /// PROP: u_i(A_i) ≥ w_i · u_i(M) (w_i = 1/n without entitlements).
    pub fn prop(&self) -> Property {
        for i in 0..self.inst.n() {
            let share = self.inst.weights[i] * self.inst.u[i].iter().sum::<f64>();
            if !ge(self.v[i][i], share) {
                return prop(
                    "prop",
                    Some(false),
                    Some(
                        json!({"agent": self.inst.agents[i], "value": self.v[i][i], "share": share}),
                    ),
                    None,
                );
            }
        }
        prop("prop", Some(true), None, None)
    }

    /// PROP1 (mixed): u_i(A_i) + max good outside A_i ≥ share, or u_i(A_i) − (worst chore in
    /// A_i) ≥ share.
    pub fn prop1(&self, a: &Allocation) -> Property {
        let u = &self.inst.u;
        for i in 0..self.inst.n() {
            let share = self.inst.weights[i] * u[i].iter().sum::<f64>();
            if ge(self.v[i][i], share) {
                continue;
            }
            let add = (0..self.inst.m())
                .filter(|&o| a[o] != Some(i))
                .map(|o| u[i][o])
                .fold(f64::NEG_INFINITY, f64::max);
            let drop = self.bundles[i]
                .iter()
                .map(|&o| -u[i][o])
                .fold(f64::NEG_INFINITY, f64::max);
            if !(ge(self.v[i][i] + add, share) || ge(self.v[i][i] + drop, share)) {
                return prop(
                    "prop1",
                    Some(false),
                    Some(
                        json!({"agent": self.inst.agents[i], "value": self.v[i][i], "share": share}),
                    ),
                    None,
                );
            }
        }
        prop("prop1", Some(true), None, None)
    }

    /// The envy graph: i → j with weight u_i(A_j) − u_i(A_i) > 0.
    pub fn envy_edges(&self) -> Vec<Json> {
        let n = self.inst.n();
        let mut out = Vec::new();
        for i in 0..n {
            for j in 0..n {
                if i != j && !ge(self.v[i][i], self.v[i][j]) {
                    let (a, b) = self.names(i, j);
                    out.push(json!({"from": a, "to": b, "envy": self.v[i][j] - self.v[i][i]}));
                }
            }
        }
        out
    }

    /// Minimum subsidies making the allocation envy-free (Halpern & Shah 2019): p_i = the
    /// heaviest path from i in the complete graph with weights u_i(A_j) − u_i(A_i); `None` when
    /// a cycle of positive weight makes it not envy-freeable.
    pub fn subsidies(&self) -> Option<Vec<f64>> {
        let n = self.inst.n();
        let w = |i: usize, j: usize| self.v[i][j] - self.v[i][i];
        // Longest paths by Bellman–Ford on the negated weights (n rounds detect a positive cycle).
        let mut best = vec![0.0f64; n];
        for round in 0..=n {
            let mut changed = false;
            for i in 0..n {
                for j in 0..n {
                    if i != j {
                        let cand = w(i, j) + best[j];
                        if cand > best[i] + EPS {
                            best[i] = cand;
                            changed = true;
                        }
                    }
                }
            }
            if !changed {
                return Some(best);
            }
            if round == n {
                return None;
            }
        }
        None
    }
}

/// EF1³ and EFX³ (Aleksandrov & Walsh 2020, "Two algorithms for additive and fair division of
/// mixed manna"): EF1 (EFX) for the whole allocation, and again for the allocation restricted to
/// O⁺ (items some agent values above 0) and to O⁻ (the other items: nobody values them above 0).
/// The witness names the part that fails.
pub fn cubed(inst: &Instance, a: &Allocation, variant: EfxVariant) -> [Property; 2] {
    let positive: Vec<bool> = (0..inst.m())
        .map(|o| (0..inst.n()).any(|i| inst.u[i][o] > 0.0))
        .collect();
    let part = |keep: bool| -> Allocation {
        a.iter()
            .enumerate()
            .map(|(o, owner)| if positive[o] == keep { *owner } else { None })
            .collect()
    };
    let parts = [
        ("all items", a.clone()),
        ("O+ (goods)", part(true)),
        ("O- (chores)", part(false)),
    ];
    let mut out = Vec::new();
    for (name, x) in [("ef1_cubed", false), ("efx_cubed", true)] {
        let mut result = prop(name, Some(true), None, None);
        for (label, alloc) in &parts {
            let ctx = Context::new(inst, alloc);
            let p = if x { ctx.efx(variant) } else { ctx.ef1() };
            if p.holds == Some(false) {
                let mut w = p.witness.unwrap_or(Json::Null);
                w["part"] = json!(label);
                result = prop(name, Some(false), Some(w), None);
                break;
            }
        }
        out.push(result);
    }
    [out.remove(0), out.remove(0)]
}

/// Fractional Pareto optimality (no fractional reallocation of the allocated items makes someone
/// better off and nobody worse off). By Negishi's theorem for linear utilities, A is fPO iff
/// positive weights w exist under which every item's owner i maximizes wᵢuᵢ(o). With xᵢ = ln wᵢ
/// these are difference constraints — for an item of i and another agent k: both value it above
/// 0: x_k − x_i ≤ ln(uᵢ(o)/u_k(o)); both below 0: x_i − x_k ≤ ln(u_k(o)/uᵢ(o)); i values it ≤ 0
/// while k values it more (k > 0 = i, or k ≥ 0 > i): infeasible at once (moving the item is a
/// Pareto improvement) — solved exactly by Bellman–Ford: A is fPO iff no negative cycle. The
/// witness is the cycle: along it, each agent hands a small share of an item to the next, and all
/// gain.
pub fn fpo(inst: &Instance, a: &Allocation) -> Property {
    let n = inst.n();
    // Edges (from, to, weight, item): x_to ≤ x_from + weight.
    let mut edges: Vec<(usize, usize, f64, usize)> = Vec::new();
    for (o, owner) in a.iter().enumerate() {
        let Some(i) = *owner else { continue };
        let ui = inst.u[i][o];
        for k in 0..n {
            if k == i {
                continue;
            }
            let uk = inst.u[k][o];
            if ui > 0.0 && uk > 0.0 {
                edges.push((i, k, (ui / uk).ln(), o));
            } else if ui < 0.0 && uk < 0.0 {
                edges.push((k, i, (uk / ui).ln(), o));
            } else if (ui <= 0.0 && uk > 0.0) || (ui < 0.0 && uk >= 0.0) {
                let (from, to) = (inst.agents[i].clone(), inst.agents[k].clone());
                return prop(
                    "fpo",
                    Some(false),
                    Some(
                        json!({"move": [{"item": inst.items[o], "from": from, "to": to}],
                        "why": "the item is worth more to the other agent and not positive to its owner"}),
                    ),
                    None,
                );
            }
        }
    }
    // Bellman–Ford from a virtual source (all distances 0), recording predecessors.
    let mut dist = vec![0.0f64; n];
    let mut pred: Vec<Option<(usize, usize)>> = vec![None; n];
    let mut last = None;
    for _ in 0..n {
        last = None;
        for &(f, t, w, o) in &edges {
            if dist[f] + w < dist[t] - 1e-12 {
                dist[t] = dist[f] + w;
                pred[t] = Some((f, o));
                last = Some(t);
            }
        }
        if last.is_none() {
            break;
        }
    }
    let Some(mut v) = last else {
        return prop("fpo", Some(true), None, None);
    };
    for _ in 0..n {
        v = pred[v].expect("on a relaxed path").0;
    }
    // Walk the cycle backwards from v.
    let mut cycle = Vec::new();
    let mut x = v;
    loop {
        let (f, o) = pred[x].expect("on the cycle");
        cycle.push((f, x, o));
        x = f;
        if x == v {
            break;
        }
    }
    cycle.reverse();
    let weight: f64 = cycle
        .iter()
        .map(|&(f, t, o)| {
            edges
                .iter()
                .find(|e| e.0 == f && e.1 == t && e.3 == o)
                .map_or(0.0, |e| e.2)
        })
        .sum();
    if weight > -1e-9 {
        // A cycle of (numerically) zero weight: not a strict improvement.
        return prop("fpo", Some(true), None, None);
    }
    let moves: Vec<Json> = cycle
        .iter()
        .map(|&(f, t, o)| {
            // Goods flow from the owner f to t; for chores the edge runs from the other agent f
            // to the owner t, who hands a share of the chore to f.
            if inst.u[f][o] > 0.0 {
                json!({"item": inst.items[o], "from": inst.agents[f], "to": inst.agents[t]})
            } else {
                json!({"item": inst.items[o], "from": inst.agents[t], "to": inst.agents[f]})
            }
        })
        .collect();
    prop(
        "fpo",
        Some(false),
        Some(json!({"cycle": moves, "gain_factor": (-weight).exp(),
            "why": "handing small shares of these items along the cycle makes every agent on it better off"})),
        None,
    )
}

/// The maximin share of agent i: the best, over partitions of all items into n bundles, of the
/// worst bundle's value for i. Exact by enumeration when n^m ≤ `limit` (with the first item fixed
/// to bundle 0 by symmetry); otherwise a [lower, upper] bound: lower from a greedy partition
/// (items by |value| descending to the bundle that is currently worst), upper u_i(M)/n.
pub fn mms(inst: &Instance, i: usize, limit: u64) -> (f64, f64, bool) {
    let n = inst.n();
    let m = inst.m();
    let vals = &inst.u[i];
    let total: f64 = vals.iter().sum();
    let upper = total / n as f64;
    let feasible = (n as f64).powi(m as i32) <= limit as f64;
    if feasible && m > 0 {
        let mut best = f64::NEG_INFINITY;
        let mut sums = vec![0.0; n];
        let mut counts = vec![0usize; n];
        enumerate_mms(vals, 0, &mut sums, &mut counts, &mut best);
        return (best, best, true);
    }
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| vals[b].abs().total_cmp(&vals[a].abs()).then(a.cmp(&b)));
    let mut sums = vec![0.0; n];
    for o in order {
        let (k, _) =
            sums.iter().enumerate().fold(
                (0, f64::INFINITY),
                |acc, (k, &s)| if s < acc.1 { (k, s) } else { acc },
            );
        // A good goes to the worst bundle; a chore to the best one.
        let k = if vals[o] >= 0.0 {
            k
        } else {
            sums.iter()
                .enumerate()
                .fold(
                    (0, f64::NEG_INFINITY),
                    |acc, (k, &s)| if s > acc.1 { (k, s) } else { acc },
                )
                .0
        };
        sums[k] += vals[o];
    }
    let lower = sums.iter().copied().fold(f64::INFINITY, f64::min);
    (lower, upper, false)
}

fn enumerate_mms(vals: &[f64], o: usize, sums: &mut [f64], counts: &mut [usize], best: &mut f64) {
    if o == vals.len() {
        let worst = sums.iter().copied().fold(f64::INFINITY, f64::min);
        if worst > *best {
            *best = worst;
        }
        return;
    }
    // Symmetry: empty bundles are interchangeable; put the item in the first empty one only.
    let mut tried_empty = false;
    for k in 0..sums.len() {
        if counts[k] == 0 {
            if tried_empty {
                continue;
            }
            tried_empty = true;
        }
        sums[k] += vals[o];
        counts[k] += 1;
        enumerate_mms(vals, o + 1, sums, counts, best);
        sums[k] -= vals[o];
        counts[k] -= 1;
    }
}

/// Pareto optimality by enumeration of every allocation of the items (each to one of n agents;
/// allocated items only). Returns the first allocation that dominates (everyone weakly better,
/// someone strictly), or `None` when none does. Only when n^m ≤ limit.
pub fn dominating(inst: &Instance, a: &Allocation, limit: u64) -> Option<Option<Allocation>> {
    let items: Vec<usize> = (0..inst.m()).filter(|&o| a[o].is_some()).collect();
    let n = inst.n();
    if (n as f64).powi(items.len() as i32) > limit as f64 {
        return None;
    }
    let base: Vec<f64> = {
        let b = bundles(n, a);
        (0..n).map(|i| inst.value(i, &b[i])).collect()
    };
    let mut cur = vec![0.0; n];
    let mut assign = vec![0usize; items.len()];
    let mut found = None;
    search_po(inst, &items, 0, &mut cur, &mut assign, &base, &mut found);
    Some(found.map(|assign| {
        let mut out: Allocation = vec![None; inst.m()];
        for (k, &o) in items.iter().enumerate() {
            out[o] = Some(assign[k]);
        }
        out
    }))
}

fn search_po(
    inst: &Instance,
    items: &[usize],
    k: usize,
    cur: &mut [f64],
    assign: &mut [usize],
    base: &[f64],
    found: &mut Option<Vec<usize>>,
) {
    if found.is_some() {
        return;
    }
    if k == items.len() {
        let weakly = cur.iter().zip(base).all(|(c, b)| ge(*c, *b));
        let strictly = cur
            .iter()
            .zip(base)
            .any(|(c, b)| *c > *b + EPS * (1.0 + b.abs()));
        if weakly && strictly {
            *found = Some(assign.to_vec());
        }
        return;
    }
    let o = items[k];
    for i in 0..inst.n() {
        cur[i] += inst.u[i][o];
        assign[k] = i;
        search_po(inst, items, k + 1, cur, assign, base, found);
        cur[i] -= inst.u[i][o];
    }
}
