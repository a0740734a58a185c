//! The method of equal shares in floating point with certified decisions: every quantity is an
//! interval of f64 that holds the exact rational value, and every branch MES takes (is a project
//! affordable, is a supporter's payment capped, which project has the smallest ρ) is taken only
//! when the intervals decide it. A run whose every branch was decided is the exact run's branch
//! for branch: its outcome is the exact outcome, and the exact price system is then rebuilt by
//! replaying only the winners ([`super::rules`]). When two quantities are too close to tell
//! apart (an exact tie, which small elections with round numbers have often), the run gives up
//! and the caller runs MES in exact rationals.
//!
//! Why: a round of exact MES compares ρ of every project in the running, each a sum over its
//! supporters' budgets, whose denominators grow with every round (200 projects × 100,000
//! ballots: 12 s per run in big rationals, ~0.1 s here).

use num_bigint::BigInt;
use num_integer::Integer;
use num_traits::{One, ToPrimitive, Zero};

use super::mes::{groups, move_voters, Considered, MesRun, Supported};
use super::parse::Election;
use super::rational::Q;

/// A closed interval [lo, hi] of reals, rounded outwards: each operation takes the nearest f64
/// and moves one ulp out, so the exact result of the same operation on any members is inside.
/// Only non-negative intervals are built here (budgets, costs, sats, counts, ρ).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub lo: f64,
    pub hi: f64,
}

impl Interval {
    pub const ZERO: Interval = Interval { lo: 0.0, hi: 0.0 };

    /// An exact point (integers below 2^53).
    pub fn exact(x: f64) -> Interval {
        Interval { lo: x, hi: x }
    }

    fn out(lo: f64, hi: f64) -> Interval {
        Interval {
            lo: lo.next_down().max(0.0),
            hi: hi.next_up(),
        }
    }

    /// The interval of a rational: its nearest f64 (within 1.5 ulp: numerator, denominator and
    /// quotient each rounded once) widened by two ulps each way; None when it is not finite.
    pub fn of(q: &Q) -> Option<Interval> {
        if num_traits::Zero::is_zero(q) {
            return Some(Interval::ZERO);
        }
        let r = q.to_f64();
        if !r.is_finite() || r < 0.0 {
            return None;
        }
        Some(Interval {
            lo: r.next_down().next_down().max(0.0),
            hi: r.next_up().next_up(),
        })
    }

    pub fn is_zero(&self) -> bool {
        self.hi == 0.0
    }

    /// `self − o`, None unless the difference is surely positive.
    pub fn sub_positive(self, o: Interval) -> Option<Interval> {
        (self.lo > o.hi).then(|| Interval::out(self.lo - o.hi, self.hi - o.lo))
    }

    /// `self / o`, None unless `o` is surely positive.
    pub fn div_positive(self, o: Interval) -> Option<Interval> {
        (o.lo > 0.0).then(|| Interval::out(self.lo / o.hi, self.hi / o.lo))
    }

    pub fn mid(&self) -> f64 {
        0.5 * (self.lo + self.hi)
    }

    /// Surely below `o` (every member of self < every member of o).
    pub fn below(&self, o: &Interval) -> bool {
        self.hi < o.lo
    }
}

impl std::ops::Add for Interval {
    type Output = Interval;
    fn add(self, o: Interval) -> Interval {
        Interval::out(self.lo + o.lo, self.hi + o.hi)
    }
}

/// Products of non-negative intervals.
impl std::ops::Mul for Interval {
    type Output = Interval;
    fn mul(self, o: Interval) -> Interval {
        Interval::out(self.lo * o.lo, self.hi * o.hi)
    }
}

/// A certified MES run: the projects selected, in order (the free ones first), and the index in
/// [`Supported::projects`] of each round's winner, for the exact replay.
#[derive(Debug, Clone, PartialEq)]
pub struct CertifiedRun {
    pub selected: Vec<usize>,
    pub winners: Vec<usize>,
}

struct Class {
    budget: Interval,
    size: usize,
}

/// MES at `per_voter` as [`super::rules`]' exact run computes it, in intervals; None as soon as
/// a branch is not decided (then run it exactly). Each decision below is the exact run's:
/// - a project is dropped when its supporters' budgets surely fall short of its cost, kept when
///   they surely cover it;
/// - ρ: the (class, sat) groups taken by their budget/sat (approximately sorted: the order only
///   proposes the cut), a group capped when its budget is surely below the running ρ·sat, the
///   first one surely at or above it ends the scan, and every group after it is checked to be
///   surely above the final ρ·sat (so the capped set is the exact one, and ρ's interval holds
///   the exact ρ);
/// - the winner's ρ is surely below every other ρ computed in the round; a project whose last
///   ρ is surely above the winner's is skipped (ρ only grows as budgets shrink);
/// - the winner's supporters pay: a group whose budget is surely at most ρ·sat pays it all (its
///   budget becomes exactly 0), one whose budget is surely above pays ρ·sat.
pub(super) fn mes(e: &Election, base: &Supported, per_voter: &Q) -> Option<CertifiedRun> {
    run(e, base, per_voter, None)
}

/// [`mes`] without skipping any project, with the trace of every branch it took: per round,
/// each project in the running (in id order) unaffordable, or its ρ with its capped groups; the
/// winner, and how each of its groups paid (nothing, all it had, ρ·sat). Every one of these
/// branches compares quantities that are affine in the per-voter budget as long as the earlier
/// branches are the same (budgets, ρ with a given capped set), and each was decided strictly:
/// two budgets with the same trace have it at every budget between them, hence the same
/// outcome. This is what lets Add1 jump over a long run of budgets with one outcome
/// ([`super::rules::mes_run`]). Skipping a project whose last ρ was surely above the winner's
/// is not allowed here: its ρ, as a function of the budget, is convex, not affine, and may dip
/// below the winner's between two budgets where it is above.
pub(super) fn traced(
    e: &Election,
    base: &Supported,
    per_voter: &Q,
) -> Option<(CertifiedRun, Vec<u32>)> {
    let mut trace = Vec::new();
    let run = run(e, base, per_voter, Some(&mut trace))?;
    Some((run, trace))
}

fn run(
    e: &Election,
    base: &Supported,
    per_voter: &Q,
    mut trace: Option<&mut Vec<u32>>,
) -> Option<CertifiedRun> {
    let n = e.ballots.len();
    let cost: Vec<Interval> = base
        .projects
        .iter()
        .map(|c| Interval::of(&e.projects[c.project].cost))
        .collect::<Option<_>>()?;
    let sats: Vec<Vec<Interval>> = base
        .projects
        .iter()
        .map(|c| c.sats.iter().map(Interval::of).collect::<Option<_>>())
        .collect::<Option<_>>()?;
    let mut class_of = vec![0u32; n];
    let mut classes = vec![Class {
        budget: Interval::of(per_voter)?,
        size: n,
    }];
    let mut selected: Vec<usize> = base.free.clone();
    let mut winners = Vec::new();
    let mut remaining: Vec<(usize, Interval)> = base
        .projects
        .iter()
        .enumerate()
        .map(|(i, c)| Some((i, cost[i].div_positive(Interval::of(&c.total)?)?)))
        .collect::<Option<_>>()?;
    let mut keyed: Vec<(f64, usize)> = Vec::new();
    // The exact state, made and brought up to the current round only when intervals cannot
    // decide (an exact tie: projects with as many supporters under cost satisfaction tie in
    // the first round).
    let mut exact: Option<ExactState> = None;
    loop {
        let mut order: Vec<usize> = (0..remaining.len()).collect();
        if let Some(t) = trace.as_deref_mut() {
            t.push(u32::MAX);
        } else {
            order.sort_by(|&a, &b| remaining[a].1.lo.total_cmp(&remaining[b].1.lo));
        }
        let mut best: Option<(Interval, usize)> = None; // (ρ, index in base.projects)
        let mut contenders: Vec<(Interval, usize)> = Vec::new();
        let mut drop = Vec::new();
        let mut updated: Vec<(usize, Interval)> = Vec::new();
        for k in order {
            let (i, last) = remaining[k];
            let c = &base.projects[i];
            let gs = groups(c, &class_of);
            let available = gs.iter().fold(Interval::ZERO, |acc, &(cl, _, count)| {
                acc + classes[cl as usize].budget * Interval::exact(count as f64)
            });
            let affordable = if available.below(&cost[i]) {
                false
            } else if available.lo >= cost[i].hi {
                true
            } else {
                synced(&mut exact, e, base, per_voter, &winners)?.covers(e, c, &gs)?
            };
            if !affordable {
                if let Some(t) = trace.as_deref_mut() {
                    t.extend([i as u32, 0]);
                }
                drop.push(k);
                continue;
            }
            if let (Some((bv, _)), None) = (&best, &trace) {
                if bv.below(&last) {
                    break;
                }
            }
            let (rho, capped) = match rho(&gs, &classes, &sats[i], cost[i], &mut keyed) {
                Some((r, cut)) => (r, keyed[..cut].iter().map(|&(_, j)| j as u32).collect()),
                None => {
                    let st = synced(&mut exact, e, base, per_voter, &winners)?;
                    let (t, s, capped) = st.rho(e, c, &gs)?;
                    (Interval::of(&Q::new(t, &st.d * s))?, capped)
                }
            };
            if let Some(t) = trace.as_deref_mut() {
                let start = t.len() + 2;
                t.extend([i as u32, 1 + capped.len() as u32]);
                t.extend(capped);
                t[start..].sort_unstable();
            }
            updated.push((k, rho));
            contenders.push((rho, i));
            if best.is_none_or(|(bv, _)| rho.below(&bv)) {
                best = Some((rho, i));
            }
        }
        // The winner is surely below every other contender, or the tied ones are compared
        // exactly (ρ, then the smaller id, as pabutools).
        if let Some((bv, _)) = best {
            let tied: Vec<(Interval, usize)> = contenders
                .iter()
                .copied()
                .filter(|(r, _)| !bv.below(r))
                .collect();
            if tied.len() > 1 {
                let st = synced(&mut exact, e, base, per_voter, &winners)?;
                let mut exact_best: Option<(Q, usize, Interval)> = None;
                for (r, j) in tied {
                    let c = &base.projects[j];
                    let (t, s, _) = st.rho(e, c, &groups(c, &class_of))?;
                    let q = Q::new(t, &st.d * s);
                    let better = exact_best.as_ref().is_none_or(|(bq, bj, _)| {
                        q < *bq
                            || (q == *bq
                                && e.projects[c.project].id
                                    < e.projects[base.projects[*bj].project].id)
                    });
                    if better {
                        exact_best = Some((q, j, r));
                    }
                }
                let (_, j, r) = exact_best?;
                best = Some((r, j));
            }
        }
        for (k, r) in updated {
            remaining[k].1 = r;
        }
        drop.sort_unstable();
        for k in drop.into_iter().rev() {
            remaining.remove(k);
        }
        let Some((rho, i)) = best else {
            return Some(CertifiedRun { selected, winners });
        };
        let k = remaining.iter().position(|r| r.0 == i)?;
        remaining.remove(k);
        let c = &base.projects[i];
        let gs = groups(c, &class_of);
        // How each group pays: 0 nothing (no budget left), 1 all it has (budget ≤ ρ·sat),
        // 2 ρ·sat; exactly when an interval cannot tell.
        let float_kinds: Vec<Option<u8>> = gs
            .iter()
            .map(|&(cl, x, _)| {
                let budget = classes[cl as usize].budget;
                let share = rho * sats[i][x as usize];
                if budget.is_zero() {
                    Some(0)
                } else if budget.hi <= share.lo {
                    Some(1)
                } else if budget.lo > share.hi {
                    Some(2)
                } else {
                    None
                }
            })
            .collect();
        let exact_kinds = if float_kinds.iter().any(Option::is_none) {
            let st = synced(&mut exact, e, base, per_voter, &winners)?;
            let kinds = st.pay(e, c)?;
            st.synced += 1;
            Some(kinds)
        } else {
            None
        };
        if let Some(t) = trace.as_deref_mut() {
            t.extend([u32::MAX - 1, i as u32]);
        }
        let mut moved: Vec<(u64, u32)> = Vec::new();
        let mut anchor: Vec<usize> = Vec::new(); // classes whose budget the exact state gives
        for (g, &(cl, x, count)) in gs.iter().enumerate() {
            let kind = match &exact_kinds {
                Some(k) => k[g],
                None => float_kinds[g]?,
            };
            if let Some(t) = trace.as_deref_mut() {
                t.push(u32::from(kind));
            }
            let class = &mut classes[cl as usize];
            let budget = match (kind, &exact_kinds) {
                (0, _) => continue,
                (1, _) | (_, Some(_)) => Interval::ZERO,
                _ => class.budget.sub_positive(rho * sats[i][x as usize])?,
            };
            let to = if count == class.size {
                class.budget = budget;
                cl as usize
            } else {
                class.size -= count;
                moved.push(((u64::from(cl) << 32) | u64::from(x), classes.len() as u32));
                classes.push(Class {
                    budget,
                    size: count,
                });
                classes.len() - 1
            };
            if kind == 2 && exact_kinds.is_some() {
                anchor.push(to);
            }
        }
        if let Some(st) = exact.as_ref().filter(|_| exact_kinds.is_some()) {
            for cl in anchor {
                classes[cl].budget = Interval::of(&st.budget(cl))?;
            }
        }
        move_voters(c, &mut class_of, &moved);
        selected.push(c.project);
        winners.push(i);
    }
}

/// The exact state brought up to the rounds of `winners` (made on first use); None when the
/// election's costs or sats are not integers.
fn synced<'a>(
    exact: &'a mut Option<ExactState>,
    e: &Election,
    base: &Supported,
    per_voter: &Q,
    winners: &[usize],
) -> Option<&'a mut ExactState> {
    let st = exact.get_or_insert_with(|| ExactState::new(e, per_voter));
    while st.synced < winners.len() {
        st.pay(e, &base.projects[winners[st.synced]])?;
        st.synced += 1;
    }
    Some(st)
}

/// ρ of a project from its (class, sat index, count) groups: the smallest ρ with
/// Σ count·min(budget, ρ·sat) = cost, as an interval, and how many groups are capped (the first
/// ones of `keyed`, which holds (budget/sat, index in `gs`) in the order taken); None when a
/// group's side of ρ is unclear.
fn rho(
    gs: &[(u32, u32, usize)],
    classes: &[Class],
    sats: &[Interval],
    cost: Interval,
    keyed: &mut Vec<(f64, usize)>,
) -> Option<(Interval, usize)> {
    keyed.clear();
    keyed.extend(gs.iter().enumerate().map(|(j, &(cl, x, _))| {
        (
            classes[cl as usize].budget.mid() / sats[x as usize].mid(),
            j,
        )
    }));
    keyed.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let total = gs.iter().fold(Interval::ZERO, |acc, &(_, x, count)| {
        acc + sats[x as usize] * Interval::exact(count as f64)
    });
    let mut paid = Interval::ZERO;
    let mut denom = total;
    for (at, &(_, j)) in keyed.iter().enumerate() {
        let (cl, x, count) = gs[j];
        let (budget, x) = (classes[cl as usize].budget, sats[x as usize]);
        let f = cost.sub_positive(paid)?.div_positive(denom)?;
        let share = f * x;
        if share.hi < budget.lo {
            // ρ = f: every later group must be surely above it too.
            for &(_, j) in &keyed[at + 1..] {
                let (cl, x, _) = gs[j];
                if (f * sats[x as usize]).hi >= classes[cl as usize].budget.lo {
                    return None;
                }
            }
            return Some((f, at));
        }
        if !budget.below(&share) {
            return None;
        }
        let count = Interval::exact(count as f64);
        paid = paid + count * budget;
        denom = denom.sub_positive(count * x)?;
    }
    None // unaffordable: not reached after the affordability check
}

/// A class of the exact state: what each member has left (a numerator over the common
/// denominator), how many members, which projects each paid for.
struct ExactClass {
    left: BigInt,
    size: usize,
    paid: Vec<usize>,
}

/// MES in integers over one common denominator `d`: every class's budget is `left / d`, so a
/// round is integer products and sums, with no reduction of fractions (the exact run reduces
/// each of its rationals, and their denominators grow with every round: 1.8 s of big-integer
/// GCDs for one run on 100,000 ballots). It follows a run whose winners are known (a certified
/// run's), and decides what the intervals could not. Costs and sats must be integers
/// (pabulib's are); its operations give None otherwise.
///
/// A round, with cost c and the winner's groups g (count n_g, sat x_g, budget L_g / d): ρ is
/// the smallest value with Σ n_g·min(L_g / d, ρ·x_g) = c. Taking the groups by L_g / x_g, with
/// P the numerators of the capped groups so far (Σ n_g·L_g) and S the sats of the others
/// (Σ n_g·x_g), the next group is uncapped iff (c·d − P)·x_g ≤ L_g·S, and then
/// ρ = (c·d − P) / (d·S) = T / (d·S') in lowest terms. The new denominator is d·S': every
/// numerator is multiplied by S', and a supporter pays min(L_g, x_g·T).
struct ExactState {
    d: BigInt,
    classes: Vec<ExactClass>,
    class_of: Vec<u32>,
    received: Vec<BigInt>,
    /// How many winners' rounds it has played.
    synced: usize,
}

fn int(q: &Q) -> Option<BigInt> {
    q.denom().is_one().then(|| q.numer())
}

impl ExactState {
    fn new(e: &Election, per_voter: &Q) -> ExactState {
        ExactState {
            d: per_voter.denom(),
            classes: vec![ExactClass {
                left: per_voter.numer(),
                size: e.ballots.len(),
                paid: Vec::new(),
            }],
            class_of: vec![0; e.ballots.len()],
            received: vec![BigInt::zero(); e.projects.len()],
            synced: 0,
        }
    }

    fn budget(&self, class: usize) -> Q {
        Q::new(self.classes[class].left.clone(), self.d.clone())
    }

    /// Whether the supporters (groups `gs`) have the cost between them.
    fn covers(&self, e: &Election, c: &Considered, gs: &[(u32, u32, usize)]) -> Option<bool> {
        let cost = int(&e.projects[c.project].cost)?;
        let have: BigInt = gs
            .iter()
            .map(|&(cl, _, count)| &self.classes[cl as usize].left * count)
            .sum();
        Some(have >= cost * &self.d)
    }

    /// ρ = T / (d·S) of a project with groups `gs`, and its capped groups (indices in `gs`);
    /// None when it is unaffordable or its numbers are not integers.
    fn rho(
        &self,
        e: &Election,
        c: &Considered,
        gs: &[(u32, u32, usize)],
    ) -> Option<(BigInt, BigInt, Vec<u32>)> {
        let cost = int(&e.projects[c.project].cost)?;
        let sats: Vec<BigInt> = c.sats.iter().map(int).collect::<Option<_>>()?;
        let left = |j: usize| &self.classes[gs[j].0 as usize].left;
        let sat = |j: usize| &sats[gs[j].1 as usize];
        // Proposed order: budget / sat in floating point, numerators shifted to one scale.
        let shift = self.d.bits().saturating_sub(60);
        let mut order: Vec<(f64, usize)> = (0..gs.len())
            .map(|j| {
                let l = (left(j) >> shift).to_f64().unwrap_or(f64::MAX);
                (l / sat(j).to_f64().unwrap_or(f64::MAX), j)
            })
            .collect();
        order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let t0 = &cost * &self.d;
        let total: BigInt = gs.iter().map(|&(_, x, n)| &sats[x as usize] * n).sum();
        for attempt in 0..2 {
            if attempt == 1 {
                // The proposed order missed: the exact order (L_a·x_b against L_b·x_a).
                order.sort_by(|a, b| (left(a.1) * sat(b.1)).cmp(&(left(b.1) * sat(a.1))));
            }
            let (mut paid, mut s) = (BigInt::zero(), total.clone());
            let Some(cut) = order.iter().position(|&(_, j)| {
                if (&t0 - &paid) * sat(j) <= left(j) * &s {
                    return true;
                }
                paid += left(j) * gs[j].2;
                s -= sat(j) * gs[j].2;
                false
            }) else {
                return None; // unaffordable
            };
            let t = &t0 - &paid;
            if order[cut + 1..]
                .iter()
                .all(|&(_, j)| &t * sat(j) <= left(j) * &s)
            {
                let capped = order[..cut].iter().map(|&(_, j)| j as u32).collect();
                return Some((t, s, capped));
            }
        }
        None // not reached: in the exact order every later group is uncapped
    }

    /// Plays the round in which `c` wins: how each of its groups (in [`groups`] order) paid: 0
    /// nothing (no budget left), 1 all it had, 2 ρ·sat.
    fn pay(&mut self, e: &Election, c: &Considered) -> Option<Vec<u8>> {
        let gs = groups(c, &self.class_of);
        let (t, s, _) = self.rho(e, c, &gs)?;
        let sats: Vec<BigInt> = c.sats.iter().map(int).collect::<Option<_>>()?;
        let g = t.gcd(&s);
        let (t, s) = (t / &g, s / &g);
        self.d *= &s;
        for class in &mut self.classes {
            class.left *= &s;
        }
        for r in &mut self.received {
            if !r.is_zero() {
                *r *= &s;
            }
        }
        let p = c.project;
        let mut kinds = Vec::with_capacity(gs.len());
        let mut moved: Vec<(u64, u32)> = Vec::new();
        for &(cl, x, count) in &gs {
            let class = &mut self.classes[cl as usize];
            if class.left.is_zero() {
                kinds.push(0);
                continue;
            }
            let share = &t * &sats[x as usize];
            let pay = if class.left <= share {
                kinds.push(1);
                class.left.clone()
            } else {
                kinds.push(2);
                share
            };
            let left = &class.left - &pay;
            self.received[p] += &pay * count;
            if count == class.size {
                class.left = left;
                class.paid.push(p);
            } else {
                class.size -= count;
                let mut paid = class.paid.clone();
                paid.push(p);
                moved.push((
                    (u64::from(cl) << 32) | u64::from(x),
                    self.classes.len() as u32,
                ));
                self.classes.push(ExactClass {
                    left,
                    size: count,
                    paid,
                });
            }
        }
        move_voters(c, &mut self.class_of, &moved);
        Some(kinds)
    }
}

/// The exact price system of a certified run: its winners played in order by [`ExactState`];
/// None when the costs or sats are not integers (the caller then runs exact MES).
pub(super) fn replay(
    e: &Election,
    base: &Supported,
    per_voter: &Q,
    run: &CertifiedRun,
) -> Option<MesRun> {
    let mut st = ExactState::new(e, per_voter);
    for &i in &run.winners {
        st.pay(e, &base.projects[i])?;
    }
    let (class_left, class_projects) = st.classes.into_iter().map(|c| (c.left, c.paid)).unzip();
    Some(MesRun {
        selected: run.selected.clone(),
        considered: base.projects.iter().map(|c| c.project).collect(),
        per_voter: per_voter.clone(),
        voter_class: st.class_of,
        class_projects,
        class_left,
        received: st.received,
        denominator: st.d,
        trace: Vec::new(),
    })
}
