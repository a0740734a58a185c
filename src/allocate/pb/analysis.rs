//! Proportionality of a participatory-budgeting outcome: EJR and PJR (also up to one / any
//! project) with a cohesive group as witness, priceability with a price system as certificate,
//! and the fair-share metrics. Definitions as in pabutools 1.2.3 (analysis/
//! justifiedrepresentation.py, cohesiveness.py, priceability.py, fairshare.py); exact rationals.

use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::{One, Signed, ToPrimitive, Zero};
use serde_json::{json, Value as Json};

use super::mes::MesRun;
use super::parse::{show, Election, Sat, Q};
use crate::allocate::items::search::Nodes;
use crate::allocate::report::{prop, Property};

/// Whether the ballots are approvals (a choose-1 ballot is an approval of one project).
pub fn approval(e: &Election) -> bool {
    matches!(e.vote_type.as_str(), "approval" | "choose-1")
}

/// The six justified-representation properties, in this order.
pub const JR_NAMES: [&str; 6] = [
    "ejr",
    "ejr_up_to_one",
    "ejr_up_to_any",
    "pjr",
    "pjr_up_to_one",
    "pjr_up_to_any",
];

/// The search state shared by the six checks.
struct Jr<'a> {
    e: &'a Election,
    n: Q,
    psat: Vec<Q>,
    in_w: Vec<bool>,
    /// Each voter's satisfaction with the outcome, and the outcome projects she approves (as
    /// positions in the outcome).
    sat_w: Vec<Q>,
    w_of: Vec<Vec<usize>>,
    w_sat: Vec<Q>,
    approvers: Vec<Vec<u32>>,
    order: Vec<usize>,
    nodes: Nodes,
    /// First witness found per property (None: none yet).
    found: [Option<Json>; 6],
}

impl Jr<'_> {
    /// A group of `count` voters approving T is cohesive when count · b ≥ cost(T) · n.
    fn large_enough(&self, count: usize, cost: &Q) -> bool {
        count > 0 && Q::from_usize(count) * &self.e.budget >= cost * &self.n
    }

    fn witness(&self, t: &[usize], group: usize, cost: &Q, sat_t: &Q, extra: Json) -> Json {
        let ids: Vec<&str> = t.iter().map(|&p| self.e.projects[p].id.as_str()).collect();
        let mut w = json!({
            "projects": ids,
            "group_size": group,
            "cost": show(cost).0,
            "satisfaction_of_projects": show(sat_t).0,
        });
        if let (Json::Object(a), Json::Object(b)) = (&mut w, extra) {
            a.extend(b);
        }
        w
    }

    fn visit(&mut self, t: &mut Vec<usize>, voters: &[u32], cost: &Q, sat_t: &Q, from: usize) {
        for k in from..self.order.len() {
            if self.found.iter().all(Option::is_some) || !self.nodes.tick() {
                return;
            }
            let p = self.order[k];
            let cost2 = cost + &self.e.projects[p].cost;
            let next: Vec<u32> = if t.is_empty() {
                self.approvers[p].clone()
            } else {
                intersect(voters, &self.approvers[p])
            };
            // Supersets only cost more and keep fewer voters: nothing below can be cohesive.
            if !self.large_enough(next.len(), &cost2) {
                continue;
            }
            t.push(p);
            let sat2 = sat_t + &self.psat[p];
            self.check(t, &next, &cost2, &sat2);
            self.visit(t, &next, &cost2, &sat2, k + 1);
            t.pop();
        }
    }

    fn check(&mut self, t: &[usize], voters: &[u32], cost: &Q, sat_t: &Q) {
        let missing: Vec<&Q> = t
            .iter()
            .filter(|&&p| !self.in_w[p])
            .map(|&p| &self.psat[p])
            .collect();
        let max_s = missing
            .iter()
            .copied()
            .max()
            .cloned()
            .unwrap_or_else(Q::zero);
        let min_s = missing
            .iter()
            .copied()
            .min()
            .cloned()
            .unwrap_or_else(Q::zero);
        for (v, surplus) in [Q::zero(), max_s, min_s].into_iter().enumerate() {
            if self.found[v].is_some() && self.found[v + 3].is_some() {
                continue;
            }
            // EJR: the voters of the group each short of sat(T) even with the surplus.
            let short: Vec<u32> = voters
                .iter()
                .copied()
                .filter(|&i| &self.sat_w[i as usize] + &surplus < *sat_t)
                .collect();
            if !self.large_enough(short.len(), cost) {
                // No EJR violation; PJR's violating voters are among these too, so none either.
                continue;
            }
            if self.found[v].is_none() {
                let w = self.witness(
                    t,
                    short.len(),
                    cost,
                    sat_t,
                    json!({"why": "every voter of this cohesive group approves these projects and is less satisfied than they would give"}),
                );
                self.found[v] = Some(w);
            }
            if self.found[v + 3].is_none() {
                let thr = sat_t - &surplus;
                if let Some((size, u)) = self.pjr_group(&short, cost, &thr) {
                    let ids: Vec<&str> =
                        u.iter().map(|&p| self.e.projects[p].id.as_str()).collect();
                    let w = self.witness(
                        t,
                        size,
                        cost,
                        sat_t,
                        json!({"outcome_projects_approved_by_group": ids,
                               "why": "the outcome projects any member of this cohesive group approves give less than these projects"}),
                    );
                    self.found[v + 3] = Some(w);
                }
            }
        }
    }

    /// A cohesive subgroup of `voters` whose approved outcome projects U (their union) have
    /// sat(U) < thr: search over unions of the voters' approved-outcome sets. Returns the group
    /// size and U.
    fn pjr_group(&mut self, voters: &[u32], cost: &Q, thr: &Q) -> Option<(usize, Vec<usize>)> {
        // Distinct approved-outcome sets with their voter counts, smallest satisfaction first.
        let mut types: Vec<(Vec<usize>, usize, Q)> = Vec::new();
        for &i in voters {
            let set = &self.w_of[i as usize];
            match types.iter_mut().find(|t| &t.0 == set) {
                Some(t) => t.1 += 1,
                None => types.push((set.clone(), 1, self.sat_w[i as usize].clone())),
            }
        }
        types.sort_by(|a, b| a.2.cmp(&b.2).then(a.0.cmp(&b.0)));
        let mut union: Vec<bool> = vec![false; self.w_sat.len()];
        self.union_search(&types, 0, &mut union, &Q::zero(), cost, thr)
    }

    fn union_search(
        &mut self,
        types: &[(Vec<usize>, usize, Q)],
        from: usize,
        union: &mut Vec<bool>,
        sat_u: &Q,
        cost: &Q,
        thr: &Q,
    ) -> Option<(usize, Vec<usize>)> {
        let covered: usize = types
            .iter()
            .filter(|t| t.0.iter().all(|&x| union[x]))
            .map(|t| t.1)
            .sum();
        if self.large_enough(covered, cost) {
            let u = (0..union.len()).filter(|&x| union[x]).collect::<Vec<_>>();
            return Some((
                covered,
                u.into_iter().map(|x| self.outcome_project(x)).collect(),
            ));
        }
        for k in from..types.len() {
            if !self.nodes.tick() {
                return None;
            }
            let add: Vec<usize> = types[k].0.iter().copied().filter(|&x| !union[x]).collect();
            if add.is_empty() {
                continue; // already covered
            }
            let sat2 = add
                .iter()
                .fold(sat_u.clone(), |acc, &x| acc + &self.w_sat[x]);
            if sat2 >= *thr {
                continue;
            }
            for &x in &add {
                union[x] = true;
            }
            let r = self.union_search(types, k + 1, union, &sat2, cost, thr);
            for &x in &add {
                union[x] = false;
            }
            if r.is_some() {
                return r;
            }
        }
        None
    }

    fn outcome_project(&self, pos: usize) -> usize {
        (0..self.in_w.len())
            .filter(|&p| self.in_w[p])
            .nth(pos)
            .expect("a position in the outcome")
    }
}

fn intersect(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// EJR, EJR up to one, EJR up to any, PJR, PJR up to one, PJR up to any of outcome `w` (approval
/// ballots; cost or cardinality satisfaction), as pabutools defines them. A group N' is
/// T-cohesive when every member approves every project of T ≠ ∅ and |N'| · b ≥ cost(T) · n.
/// EJR: every cohesive group has a member i with sat_i(W) + s ≥ sat(T); PJR:
/// sat(W ∩ ∪_{i∈N'} A_i) + s ≥ sat(T); s = 0, or the largest (up to one) / smallest (up to any) sat of a project of
/// T ∖ W (0 when T ⊆ W). Exact: a depth-first search over T in id order that drops every T whose
/// approvers are too few to be cohesive (its supersets are then too), and for PJR a search over
/// unions of the members' approved outcome projects; at most `limit` nodes, beyond which the
/// properties without a violation found are not decided.
pub fn justified(e: &Election, sat: Sat, w: &[usize], limit: u64) -> Vec<Property> {
    let undecided = |why: String| -> Vec<Property> {
        JR_NAMES
            .iter()
            .map(|n| prop(n, None, None, Some(why.clone())))
            .collect()
    };
    if !approval(e) {
        return undecided(format!(
            "defined here for approval ballots; this election has '{}' ballots",
            e.vote_type
        ));
    }
    if sat == Sat::Points {
        return undecided("defined for cost or cardinality satisfaction".into());
    }
    if e.ballots.is_empty() {
        return undecided("the election has no voters".into());
    }
    let m = e.projects.len();
    let psat: Vec<Q> = (0..m)
        .map(|p| match sat {
            Sat::Cost => e.projects[p].cost.clone(),
            _ => Q::one(),
        })
        .collect();
    let mut in_w = vec![false; m];
    for &p in w {
        in_w[p] = true;
    }
    let pos: Vec<Option<usize>> = {
        let mut k = 0;
        (0..m)
            .map(|p| {
                in_w[p].then(|| {
                    k += 1;
                    k - 1
                })
            })
            .collect()
    };
    let w_sat: Vec<Q> = (0..m)
        .filter(|&p| in_w[p])
        .map(|p| psat[p].clone())
        .collect();
    let mut approvers = vec![Vec::new(); m];
    let mut sat_w = Vec::new();
    let mut w_of = Vec::new();
    for (i, b) in e.ballots.iter().enumerate() {
        let mut set: Vec<usize> = Vec::new();
        let mut s = Q::zero();
        for (p, _) in &b.projects {
            approvers[*p].push(i as u32);
            if let Some(x) = pos[*p] {
                set.push(x);
                s += &psat[*p];
            }
        }
        set.sort_unstable();
        set.dedup();
        sat_w.push(s);
        w_of.push(set);
    }
    for a in &mut approvers {
        a.sort_unstable();
        a.dedup();
    }
    let mut jr = Jr {
        e,
        n: Q::from_usize(e.ballots.len()),
        psat,
        in_w,
        sat_w,
        w_of,
        w_sat,
        approvers,
        order: e.id_order(),
        nodes: Nodes::new(limit),
        found: Default::default(),
    };
    jr.visit(&mut Vec::new(), &[], &Q::zero(), &Q::zero(), 0);
    let stopped = jr.nodes.stopped;
    let nodes = jr.nodes.count;
    JR_NAMES
        .iter()
        .zip(jr.found)
        .map(|(name, f)| match f {
            Some(w) => prop(name, Some(false), Some(w), None),
            None if stopped => prop(
                name,
                None,
                None,
                Some(format!(
                    "not decided: the search stopped after {nodes} nodes (--jr-limit) without finding a violation"
                )),
            ),
            None => prop(name, Some(true), None, None),
        })
        .collect()
}

/// Priceability of an MES outcome with its own payments as the price system (pabutools'
/// validate_price_system, without its exhaustiveness condition, which the report gives apart):
/// C0a the outcome is feasible; C0c the endowments cover the budget (n · e ≥ b); C1 voters pay
/// only for projects on their ballot; C2 nobody pays more than her endowment; C3 the payments for
/// a selected project add up to its cost; C4 nobody pays for an unselected project; C5 the
/// supporters of an unselected project (the voters it gives a positive satisfaction under `s`,
/// Peters, Pierczyński & Skowron's N_c) have at most its cost left.
///
/// The run holds its payments as each class's budget left and each project's receipts, exact
/// numerators over one denominator D (what a voter spent is her endowment minus what she has
/// left): the conditions are integer comparisons on them.
pub fn priceable(e: &Election, s: Sat, run: &MesRun) -> Property {
    let fail = |cond: &str, what: String| {
        prop(
            "priceable",
            Some(false),
            Some(json!({"condition": cond, "why": what})),
            None,
        )
    };
    let d = &run.denominator;
    for (i, &c) in run.voter_class.iter().enumerate() {
        for p in &run.class_projects[c as usize] {
            if !e.ballots[i].projects.iter().any(|(q, _)| q == p) {
                return fail(
                    "C1",
                    format!(
                        "voter {} pays for project {} she did not vote for",
                        i + 1,
                        e.projects[*p].id
                    ),
                );
            }
        }
    }
    let sel = &run.selected;
    if e.cost_of(sel) > e.budget {
        return fail("C0a", "the outcome costs more than the budget".into());
    }
    if Q::from_usize(e.ballots.len()) * &run.per_voter < e.budget {
        return fail(
            "C0c",
            "the voters' endowments do not cover the budget".into(),
        );
    }
    if let Some(i) = (0..run.voter_class.len())
        .find(|&i| run.class_left[run.voter_class[i] as usize].is_negative())
    {
        return fail(
            "C2",
            format!("voter {} pays more than her endowment", i + 1),
        );
    }
    // Each project's supporters (voters it gives a positive satisfaction: not a 0-point entry,
    // nor a project of cost 0 under cost satisfaction), counted by class.
    let mut supporters: Vec<Vec<u32>> = vec![Vec::new(); e.projects.len()];
    for (i, b) in e.ballots.iter().enumerate() {
        for (p, _) in &b.projects {
            if supporters[*p].last() != Some(&(i as u32)) && e.sat(s, i, *p) > Q::zero() {
                supporters[*p].push(i as u32);
            }
        }
    }
    let mut count = vec![0usize; run.class_left.len()];
    for (p, received) in run.received.iter().enumerate() {
        let cost = &e.projects[p].cost;
        let selected = sel.contains(&p);
        if selected && Q::new(received.clone(), d.clone()) != *cost {
            return fail(
                "C3",
                format!(
                    "the payments for project {} do not add up to its cost",
                    e.projects[p].id
                ),
            );
        }
        if !selected && !received.is_zero() {
            return fail(
                "C4",
                format!("project {} is paid for but not selected", e.projects[p].id),
            );
        }
        if !selected {
            let mut touched = Vec::new();
            for &i in &supporters[p] {
                let c = run.voter_class[i as usize] as usize;
                if count[c] == 0 {
                    touched.push(c);
                }
                count[c] += 1;
            }
            let mut left = BigInt::zero();
            for c in touched {
                left += &run.class_left[c] * count[c];
                count[c] = 0;
            }
            // left / D > cost = num / den  ⇔  left · den > num · D
            if &left * cost.denom() > cost.numer() * d {
                return fail(
                    "C5",
                    format!(
                        "the supporters of project {} have {} left, more than its cost",
                        e.projects[p].id,
                        show(&Q::new(left, d.clone())).1
                    ),
                );
            }
        }
    }
    prop("priceable", Some(true), None, None)
}

/// Each project's cost split among its approvers (Fain et al.'s share of a voter in it); 0 for
/// a project nobody approves.
fn project_shares(e: &Election) -> Vec<Q> {
    let mut score = vec![0usize; e.projects.len()];
    for b in &e.ballots {
        for (p, _) in &b.projects {
            score[*p] += 1;
        }
    }
    (0..e.projects.len())
        .map(|p| {
            if score[p] == 0 {
                Q::zero()
            } else {
                &e.projects[p].cost / Q::from_usize(score[p])
            }
        })
        .collect()
}

/// Per ballot, the terms of the fair-share averages: `None` for a ballot whose fair share is 0
/// (empty), else (min(share / fair share, 1), |share − fair share| / fair share, whether the
/// share reaches the fair share); shares of the projects in `w` (see [`fair_share`]).
fn ballot_terms<'a>(
    e: &'a Election,
    w: &[usize],
) -> impl Iterator<Item = Option<(Q, Q, bool)>> + 'a {
    let share = project_shares(e);
    let mut in_w = vec![false; e.projects.len()];
    for &p in w {
        in_w[p] = true;
    }
    let cap = &e.budget / Q::from_usize(e.ballots.len());
    e.ballots.iter().map(move |b| {
        let all = b
            .projects
            .iter()
            .fold(Q::zero(), |acc, (p, _)| acc + &share[*p]);
        let fs = std::cmp::min(all, cap.clone());
        if fs.is_zero() {
            return None;
        }
        let got = b
            .projects
            .iter()
            .filter(|(p, _)| in_w[*p])
            .fold(Q::zero(), |acc, (p, _)| acc + &share[*p]);
        let r = std::cmp::min(&got / &fs, Q::one());
        let d = &got - &fs;
        let d = if d.is_negative() { -d } else { d };
        Some((r, &d / &fs, got >= fs))
    })
}

/// Fair share (Maly, Rey, Endriss & Lackner 2023; pabutools' fairshare.py), approval ballots:
/// a project's share per supporter is cost / approval score; voter i's share of W is the sum over
/// the projects of W she approves, her fair share min(the sum over all she approves, b/n).
/// Returns (average capped fair-share ratio = mean of min(share/fair share, 1), average
/// normalised distance = 1 − mean |share − fair share| / fair share, share of voters reaching
/// their fair share, voters left out because their ballot is empty (fair share 0)).
pub fn fair_share(e: &Election, w: &[usize]) -> Option<(f64, f64, f64, usize)> {
    if !approval(e) || e.ballots.is_empty() {
        return None;
    }
    let (mut ratio, mut dist) = (Sum::default(), Sum::default());
    let (mut reached, mut counted, mut empty) = (0usize, 0usize, 0usize);
    for term in ballot_terms(e, w) {
        let Some((r, d, got_it)) = term else {
            empty += 1;
            continue;
        };
        ratio.add(r);
        dist.add(d);
        reached += usize::from(got_it);
        counted += 1;
    }
    if counted == 0 {
        return None;
    }
    let c = Q::from_usize(counted);
    let one = BigRational::one();
    let ratio_f = ratio.mean_f64(&c, |x| x.clone());
    let dist_f = dist.mean_f64(&c, |x| &one - x);
    match (ratio_f, dist_f) {
        (Some(r), Some(d)) => Some((r, d, reached as f64 / counted as f64, empty)),
        // Too close to call from the bounds (or possibly a small fraction, which Q::to_f64
        // rounds in two steps): the exact sums.
        _ => fair_share_exact(e, w),
    }
}

/// The bits after the binary point kept of each term of a [`Sum`] once it leaves i128.
const SUM_BITS: usize = 320;

/// A sum of non-negative rationals, exact while it fits in i128 (as Q computes it), then the
/// later terms each rounded down to a multiple of 2^-SUM_BITS: the exact sum lies between
/// `exact + floor·2^-SUM_BITS` and that plus `rounded·2^-SUM_BITS`. Summing n fractions with
/// unrelated denominators exactly costs ever larger GCDs; this costs one division per term.
#[derive(Default)]
struct Sum {
    exact: Q,
    floor: BigInt,
    rounded: u64,
}

impl Sum {
    fn add(&mut self, x: Q) {
        if self.rounded == 0 {
            let s = &self.exact + &x;
            if matches!(s, Q::Small(_)) {
                self.exact = s;
                return;
            }
        }
        let x = x.big();
        self.floor += (x.numer() << SUM_BITS) / x.denom();
        self.rounded += 1;
    }

    /// f(sum / c) as Q::to_f64 gives it, when the bounds decide it: both bounds round to
    /// the same f64, and no fraction that fits in i128 lies between them (Q::to_f64 rounds a
    /// small fraction in two steps, a big one correctly: the exact value is then big).
    fn mean_f64(&self, c: &Q, f: impl Fn(&BigRational) -> BigRational) -> Option<f64> {
        if self.rounded == 0 {
            let mean = &self.exact / c;
            return Some(Q::from_big(f(&mean.big())).to_f64());
        }
        let scale = BigRational::from_integer(BigInt::one() << SUM_BITS);
        let lo =
            (self.exact.big() + BigRational::from_integer(self.floor.clone()) / &scale) / c.big();
        let hi = &lo + BigRational::from_integer(BigInt::from(self.rounded)) / &scale / c.big();
        let (a, b) = (f(&lo), f(&hi));
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        if small_fraction_between(&a, &b) {
            return None;
        }
        let (x, y) = (a.to_f64()?, b.to_f64()?);
        (x == y).then_some(x)
    }
}

/// Whether a fraction whose numerator and denominator fit in i128 lies in [a, b] (a ≤ b): the
/// simplest fraction of the interval has the smallest numerator and denominator.
fn small_fraction_between(a: &BigRational, b: &BigRational) -> bool {
    if !a.is_positive() {
        return !b.is_negative() || small_fraction_between(&-b.clone(), &-a.clone());
    }
    let s = simplest_between(a, b);
    s.numer().to_i128().is_some() && s.denom().to_i128().is_some()
}

/// The fraction of [a, b] (0 < a ≤ b) with the smallest denominator (Stern–Brocot).
fn simplest_between(a: &BigRational, b: &BigRational) -> BigRational {
    let fl = a.floor();
    if &fl == a {
        return fl;
    }
    let up = &fl + BigRational::one();
    if &up <= b {
        return up;
    }
    let inner = simplest_between(&(b - &fl).recip(), &(a - &fl).recip());
    fl + inner.recip()
}

fn fair_share_exact(e: &Election, w: &[usize]) -> Option<(f64, f64, f64, usize)> {
    if !approval(e) || e.ballots.is_empty() {
        return None;
    }
    let (mut ratio, mut dist) = (Q::zero(), Q::zero());
    let (mut reached, mut counted, mut empty) = (0usize, 0usize, 0usize);
    for term in ballot_terms(e, w) {
        let Some((r, d, got_it)) = term else {
            empty += 1;
            continue;
        };
        ratio += r;
        dist += d;
        reached += usize::from(got_it);
        counted += 1;
    }
    if counted == 0 {
        return None;
    }
    let c = Q::from_usize(counted);
    Some((
        (&ratio / &c).to_f64(),
        (Q::one() - &dist / &c).to_f64(),
        reached as f64 / counted as f64,
        empty,
    ))
}
