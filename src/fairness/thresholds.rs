//! Group thresholds on a score (`--suggest-thresholds`): the pure search functions.
//!
//! Each group's scored rows become a [`Curve`]: its candidate thresholds — `+∞` (nobody
//! selected), then every distinct score of the group, descending (the last selects everyone) —
//! and the weight of positives (tp) and negatives (fp) selected at each. A threshold between two
//! consecutive distinct scores selects the same rows as the higher one, so these candidates are
//! every decision a threshold on the group's scores can make: a search over them is exact.
//!
//! Every objective is a sum over groups of a linear function of the group's (tp, fp)
//! ([`Objective`]), so the groups are coupled only by the constraint: the spread (max − min
//! over the constrained groups) of a rate must be ≤ EPS. Sizes: n scored rows, G groups,
//! K ≤ n + G candidates in all, V ≤ K hull vertices. See docs/metrics.md ("Group thresholds")
//! for the argument that each search is exact.

use clap::ValueEnum;
use serde::Serialize;

/// Slack of every comparison with EPS: a spread counts as within EPS when
/// `max − min <= EPS + TOL` (rates are quotients of floats; 0.4 − 0.3 > 0.1 in f64).
pub const TOL: f64 = 1e-9;

/// The fairness constraint (`--suggest-thresholds`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Constraint {
    /// Selection rates within EPS of each other.
    DemographicParity,
    /// True positive rates within EPS (groups without positives are not constrained).
    EqualOpportunity,
    /// True positive rates and false positive rates each within EPS (randomized; groups
    /// without positives or negatives are not constrained).
    EqualizedOdds,
}

impl Constraint {
    pub fn name(self) -> &'static str {
        match self {
            Constraint::DemographicParity => "demographic_parity",
            Constraint::EqualOpportunity => "equal_opportunity",
            Constraint::EqualizedOdds => "equalized_odds",
        }
    }
}

/// What the thresholds maximise (`--objective`); costs come from `--cost-fp` / `--cost-fn`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveKind {
    /// (tp + tn) / all, weighted.
    Accuracy,
    /// (TPR + TNR) / 2 over all rows.
    BalancedAccuracy,
}

/// `--group-thresholds`: the attribute and each group's threshold (also the report's record of
/// the thresholds used, `columns.group_thresholds`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupThresholds {
    pub attribute: String,
    pub thresholds: Vec<GroupThreshold>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupThreshold {
    pub group: String,
    pub threshold: f64,
}

/// `--suggest-thresholds` and its options, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct SuggestSpec {
    pub constraint: Constraint,
    /// `None` with costs.
    pub objective: Option<ObjectiveKind>,
    /// (`--cost-fp`, `--cost-fn`).
    pub costs: Option<(f64, f64)>,
    pub tolerance: f64,
    /// `--suggest-for`: the attribute (default: the first `--group`).
    pub attribute: String,
}

/// One group's candidate thresholds and the weights selected at each.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// Descending: `+∞` first, then the group's distinct scores.
    pub thresholds: Vec<f64>,
    /// Weight of positives / negatives with score >= the threshold.
    pub tp: Vec<f64>,
    pub fp: Vec<f64>,
    /// The group's positive and negative weight, and its rows.
    pub pos: f64,
    pub neg: f64,
    pub rows: u64,
}

impl Curve {
    /// From the group's rows (score, label, weight), any order. O(n log n).
    pub fn new(mut rows: Vec<(f64, bool, f64)>) -> Curve {
        rows.sort_by(|a, b| b.0.total_cmp(&a.0));
        let mut c = Curve {
            thresholds: vec![f64::INFINITY],
            tp: vec![0.0],
            fp: vec![0.0],
            pos: 0.0,
            neg: 0.0,
            rows: rows.len() as u64,
        };
        let (mut tp, mut fp) = (0.0, 0.0);
        for (i, &(s, y, w)) in rows.iter().enumerate() {
            if y {
                tp += w;
            } else {
                fp += w;
            }
            if rows.get(i + 1).is_none_or(|n| n.0 != s) {
                c.thresholds.push(s);
                c.tp.push(tp);
                c.fp.push(fp);
            }
        }
        c.pos = tp;
        c.neg = fp;
        c
    }

    /// The candidate a single threshold `t` amounts to: the last with threshold >= t.
    pub fn index_at(&self, t: f64) -> usize {
        self.thresholds
            .partition_point(|&x| x >= t)
            .saturating_sub(1)
    }

    /// Selection rate, TPR and FPR of a mix of candidates ((index, probability) pairs): the
    /// expected selected weights over the group's weights; `None` when the group has none.
    pub fn rates(&self, mix: &[(usize, f64)]) -> [Option<f64>; 3] {
        let tp: f64 = mix.iter().map(|&(k, p)| p * self.tp[k]).sum();
        let fp: f64 = mix.iter().map(|&(k, p)| p * self.fp[k]).sum();
        let q = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        [
            q(tp + fp, self.pos + self.neg),
            q(tp, self.pos),
            q(fp, self.neg),
        ]
    }

    /// The rate the constraint (DP: selection, EOP: TPR) bounds at candidate k; `None` when
    /// undefined (no rows' weight / no positives).
    fn metric(&self, c: Constraint, k: usize) -> Option<f64> {
        match c {
            Constraint::DemographicParity => {
                let n = self.pos + self.neg;
                (n > 0.0).then(|| (self.tp[k] + self.fp[k]) / n)
            }
            _ => (self.pos > 0.0).then(|| self.tp[k] / self.pos),
        }
    }

    /// Whether the constraint covers the group (its rates are defined).
    pub fn constrained(&self, c: Constraint) -> bool {
        match c {
            Constraint::DemographicParity => self.pos + self.neg > 0.0,
            Constraint::EqualOpportunity => self.pos > 0.0,
            Constraint::EqualizedOdds => self.pos > 0.0 && self.neg > 0.0,
        }
    }
}

/// A linear objective: `c + Σ_g (a·tp_g − b·fp_g)`, to maximise.
///
/// Accuracy = (TP + TN)/W = N/W + Σ (tp_g − fp_g)/W. Balanced accuracy = (TP/P + TN/N)/2 =
/// 1/2 + Σ (tp_g/P − fp_g/N)/2. Expected cost per unit weight (c_fp·FP + c_fn·FN)/W is
/// minimised as the maximum of −c_fn·P/W + Σ (c_fn·tp_g − c_fp·fp_g)/W. P, N, W: the positive,
/// negative and total weight of every group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Objective {
    pub a: f64,
    pub b: f64,
    pub c: f64,
    /// With costs: (c_fp, c_fn, W), so that [`Objective::total`] adds the costs themselves —
    /// c_fp·fp_g + c_fn·(pos_g − tp_g) — instead of `c + Σ parts`, whose terms cancel when one
    /// cost is many orders of magnitude above the other.
    pub costs: Option<(f64, f64, f64)>,
}

impl Objective {
    /// `Err` with the reason when the objective is undefined (no weight; balanced accuracy
    /// without positives or negatives).
    pub fn new(
        kind: Option<ObjectiveKind>,
        costs: Option<(f64, f64)>,
        curves: &[Curve],
    ) -> Result<Objective, String> {
        let p: f64 = curves.iter().map(|c| c.pos).sum();
        let n: f64 = curves.iter().map(|c| c.neg).sum();
        let w = p + n;
        if w <= 0.0 {
            return Err("no scored rows with weight".into());
        }
        Ok(match (costs, kind) {
            (Some((cfp, cfn)), _) => Objective {
                a: cfn / w,
                b: cfp / w,
                c: -cfn * p / w,
                costs: Some((cfp, cfn, w)),
            },
            (None, Some(ObjectiveKind::BalancedAccuracy)) => {
                if p <= 0.0 || n <= 0.0 {
                    return Err("balanced accuracy needs positives and negatives".into());
                }
                Objective {
                    a: 0.5 / p,
                    b: 0.5 / n,
                    c: 0.5,
                    costs: None,
                }
            }
            (None, _) => Objective {
                a: 1.0 / w,
                b: 1.0 / w,
                c: n / w,
                costs: None,
            },
        })
    }

    /// One group's part at a mix of its candidates.
    pub fn part(&self, g: &Curve, mix: &[(usize, f64)]) -> f64 {
        mix.iter()
            .map(|&(k, p)| p * (self.a * g.tp[k] - self.b * g.fp[k]))
            .sum()
    }

    /// The objective of a choice for every group.
    pub fn total(&self, curves: &[Curve], picks: &[Vec<(usize, f64)>]) -> f64 {
        if let Some((cfp, cfn, w)) = self.costs {
            // −(expected cost): each term is non-negative, so nothing cancels.
            let cost: f64 = curves
                .iter()
                .zip(picks)
                .flat_map(|(g, m)| {
                    m.iter()
                        .map(move |&(k, p)| p * (cfp * g.fp[k] + cfn * (g.pos - g.tp[k])))
                })
                .sum();
            return -cost / w;
        }
        self.c
            + curves
                .iter()
                .zip(picks)
                .map(|(g, m)| self.part(g, m))
                .sum::<f64>()
    }
}

/// Each group's choice: (candidate index, probability) pairs summing to 1.
pub type Picks = Vec<Vec<(usize, f64)>>;

/// The constraint's value at a choice: max − min over the constrained groups of the selection
/// rate (DP) or TPR (EOP); for equalized odds the larger of the TPR and FPR spreads. `None`
/// when no group is constrained.
pub fn spread(curves: &[Curve], picks: &[Vec<(usize, f64)>], c: Constraint) -> Option<f64> {
    let mut out: Option<f64> = None;
    let parts: &[usize] = match c {
        Constraint::DemographicParity => &[0],
        Constraint::EqualOpportunity => &[1],
        Constraint::EqualizedOdds => &[1, 2],
    };
    for &i in parts {
        let v: Vec<f64> = curves
            .iter()
            .zip(picks)
            .filter(|(g, _)| g.constrained(c))
            .filter_map(|(g, m)| g.rates(m)[i])
            .collect();
        if v.is_empty() {
            continue;
        }
        let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
        out = Some(out.map_or(hi - lo, |o: f64| o.max(hi - lo)));
    }
    out
}

/// The best candidate of a group on its own (ties: the highest threshold).
fn best_alone(g: &Curve, obj: &Objective) -> usize {
    let mut best = 0;
    for k in 1..g.thresholds.len() {
        if obj.part(g, &[(k, 1.0)]) > obj.part(g, &[(best, 1.0)]) {
            best = k;
        }
    }
    best
}

/// Each group's best threshold on its own (no constraint).
pub fn unconstrained(curves: &[Curve], obj: &Objective) -> Picks {
    curves
        .iter()
        .map(|g| vec![(best_alone(g, obj), 1.0)])
        .collect()
}

/// The best single threshold per group whose rates (DP: selection rate, EOP: TPR) lie within
/// EPS of each other. Exact: in an optimal choice let L be the smallest constrained rate; every
/// chosen rate lies in [L, L + EPS], and given that band each group's best candidate inside it
/// is independent of the others. L is one of the candidates' rates, so trying every candidate
/// rate as L and taking each group's best candidate in the band finds the optimum; every
/// choice tried is feasible. The rate of a group rises with the candidate index, so each
/// group's band is a window sliding right as L rises, and its best value a sliding-window
/// maximum (a monotone deque). Groups with an undefined rate take their best threshold alone.
/// Ties of the objective: the smallest L, then the highest threshold. O(K·G) after the
/// curves. Equalized odds is not searched here (see [`randomized`]); `None` for it.
pub fn deterministic(curves: &[Curve], c: Constraint, obj: &Objective, eps: f64) -> Option<Picks> {
    if c == Constraint::EqualizedOdds {
        return None;
    }
    let mut picks = unconstrained(curves, obj);
    let idx: Vec<usize> = (0..curves.len())
        .filter(|&i| curves[i].constrained(c))
        .collect();
    if idx.is_empty() {
        return Some(picks);
    }
    let m: Vec<Vec<f64>> = idx
        .iter()
        .map(|&i| {
            (0..curves[i].thresholds.len())
                .map(|k| curves[i].metric(c, k).unwrap_or(0.0))
                .collect()
        })
        .collect();
    let v: Vec<Vec<f64>> = idx
        .iter()
        .map(|&i| {
            (0..curves[i].thresholds.len())
                .map(|k| obj.part(&curves[i], &[(k, 1.0)]))
                .collect()
        })
        .collect();
    let mut ls: Vec<f64> = m.iter().flatten().copied().collect();
    ls.sort_by(f64::total_cmp);
    ls.dedup();
    let g = idx.len();
    let mut lo = vec![0usize; g];
    let mut hi = vec![0usize; g];
    let mut dq: Vec<std::collections::VecDeque<usize>> = vec![Default::default(); g];
    let mut best: Option<(f64, Vec<usize>)> = None;
    for &l in &ls {
        let mut total = 0.0;
        let mut feasible = true;
        for j in 0..g {
            while hi[j] < m[j].len() && m[j][hi[j]] - l <= eps + TOL {
                while dq[j].back().is_some_and(|&b| v[j][b] < v[j][hi[j]]) {
                    dq[j].pop_back();
                }
                dq[j].push_back(hi[j]);
                hi[j] += 1;
            }
            while lo[j] < m[j].len() && m[j][lo[j]] < l {
                lo[j] += 1;
            }
            while dq[j].front().is_some_and(|&f| f < lo[j]) {
                dq[j].pop_front();
            }
            match dq[j].front() {
                Some(&f) => total += v[j][f],
                None => feasible = false,
            }
        }
        if feasible && best.as_ref().is_none_or(|(b, _)| total > *b) {
            best = Some((total, dq.iter().map(|d| d[0]).collect()));
        }
    }
    let (_, ks) = best?;
    for (j, &i) in idx.iter().enumerate() {
        picks[i] = vec![(ks[j], 1.0)];
    }
    Some(picks)
}

/// The upper concave envelope of points (x, y) given in nondecreasing x: indices of its
/// vertices, x strictly increasing (Andrew's monotone chain). O(K).
fn upper_envelope(x: &[f64], y: &[f64]) -> Vec<usize> {
    let mut h: Vec<usize> = Vec::new();
    for k in 0..x.len() {
        if let Some(&last) = h.last() {
            if x[last] == x[k] {
                if y[k] > y[last] {
                    h.pop();
                } else {
                    continue;
                }
            }
        }
        while h.len() >= 2 {
            let (a, b) = (h[h.len() - 2], h[h.len() - 1]);
            // b is not above the chord a–k: drop it.
            if (y[b] - y[a]) * (x[k] - x[a]) <= (y[k] - y[a]) * (x[b] - x[a]) {
                h.pop();
            } else {
                break;
            }
        }
        h.push(k);
    }
    h
}

/// The best randomized choice: each group mixes candidates (Hardt, Price & Srebro 2016).
///
/// DP / EOP: mixing two candidates with probabilities p, 1 − p gives the rate and objective
/// part p·(m₁, v₁) + (1 − p)·(m₂, v₂), so a group can reach exactly the points under the upper
/// concave envelope H_g of its (rate, part) points, each by two adjacent envelope vertices.
/// With the band [L, L + EPS], each group's best is H_g at its peak clamped into the band
/// (H_g is concave), so the total S(L) is concave and piecewise linear, with breaks only where
/// L or L + EPS meets a vertex: trying those L is exact. O(V·G·log V).
///
/// Equalized odds: a group reaches any point of the convex hull of its ROC points (FPR, TPR)
/// by mixing the hull's vertices; the best such points with both spreads ≤ EPS solve a linear
/// programme over the mixing weights (5 rows per group), solved by [`simplex`]. The solution
/// is a vertex of the programme: at most a few candidates per group get a probability.
pub fn randomized(curves: &[Curve], c: Constraint, obj: &Objective, eps: f64) -> Option<Picks> {
    match c {
        Constraint::EqualizedOdds => lp_equalized_odds(curves, obj, eps),
        _ => Some(clamped(curves, c, obj, eps)),
    }
}

fn clamped(curves: &[Curve], c: Constraint, obj: &Objective, eps: f64) -> Picks {
    let mut picks = unconstrained(curves, obj);
    struct Env {
        i: usize,
        k: Vec<usize>,
        x: Vec<f64>,
        y: Vec<f64>,
        peak: f64,
    }
    let envs: Vec<Env> = (0..curves.len())
        .filter(|&i| curves[i].constrained(c))
        .map(|i| {
            let g = &curves[i];
            let n = g.thresholds.len();
            let x: Vec<f64> = (0..n).map(|k| g.metric(c, k).unwrap_or(0.0)).collect();
            let y: Vec<f64> = (0..n).map(|k| obj.part(g, &[(k, 1.0)])).collect();
            let k = upper_envelope(&x, &y);
            let ex: Vec<f64> = k.iter().map(|&j| x[j]).collect();
            let ey: Vec<f64> = k.iter().map(|&j| y[j]).collect();
            let top = (0..ey.len()).fold(0, |b, j| if ey[j] > ey[b] { j } else { b });
            Env {
                i,
                peak: ex[top],
                k,
                x: ex,
                y: ey,
            }
        })
        .collect();
    if envs.is_empty() {
        return picks;
    }
    // H_g at r within its domain: value and the two vertices' mix.
    let at = |e: &Env, r: f64| -> (f64, Vec<(usize, f64)>) {
        let j = e.x.partition_point(|&x| x < r);
        if j == 0 || (j < e.x.len() && e.x[j] == r) {
            let j = j.min(e.x.len() - 1);
            return (e.y[j], vec![(e.k[j], 1.0)]);
        }
        if j == e.x.len() {
            return (e.y[j - 1], vec![(e.k[j - 1], 1.0)]);
        }
        let p = (e.x[j] - r) / (e.x[j] - e.x[j - 1]);
        (
            p * e.y[j - 1] + (1.0 - p) * e.y[j],
            vec![(e.k[j - 1], p), (e.k[j], 1.0 - p)],
        )
    };
    let lo_dom = envs
        .iter()
        .map(|e| e.x[0])
        .fold(f64::NEG_INFINITY, f64::max)
        - eps;
    let hi_dom = envs
        .iter()
        .map(|e| *e.x.last().unwrap_or(&0.0))
        .fold(f64::INFINITY, f64::min);
    let mut ls: Vec<f64> = vec![lo_dom, hi_dom];
    for e in &envs {
        for &x in &e.x {
            ls.push(x);
            ls.push(x - eps);
        }
    }
    ls.retain(|&l| l >= lo_dom && l <= hi_dom);
    ls.sort_by(f64::total_cmp);
    ls.dedup();
    let mut best: Option<(f64, f64)> = None;
    let eval = |l: f64| -> (f64, Vec<Vec<(usize, f64)>>) {
        let mut total = 0.0;
        let mut mixes = Vec::new();
        for e in &envs {
            let lo = l.max(e.x[0]);
            let hi = (l + eps).min(*e.x.last().unwrap_or(&0.0)).max(lo);
            let (v, mix) = at(e, e.peak.clamp(lo, hi));
            total += v;
            mixes.push(mix);
        }
        (total, mixes)
    };
    for &l in &ls {
        let (t, _) = eval(l);
        if best.is_none_or(|(b, _)| t > b) {
            best = Some((t, l));
        }
    }
    if let Some((_, l)) = best {
        for (e, mix) in envs.iter().zip(eval(l).1) {
            picks[e.i] = mix;
        }
    }
    picks
}

/// The convex hull of points, counter-clockwise, as indices (monotone chain; collinear points
/// dropped). O(K log K).
fn convex_hull(x: &[f64], y: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(y[a].total_cmp(&y[b])));
    idx.dedup_by(|a, b| x[*a] == x[*b] && y[*a] == y[*b]);
    if idx.len() < 3 {
        return idx;
    }
    let cross = |o: usize, a: usize, b: usize| {
        (x[a] - x[o]) * (y[b] - y[o]) - (y[a] - y[o]) * (x[b] - x[o])
    };
    let mut h: Vec<usize> = Vec::new();
    for pass in 0..2 {
        let start = h.len();
        let it: Box<dyn Iterator<Item = &usize>> = if pass == 0 {
            Box::new(idx.iter())
        } else {
            Box::new(idx.iter().rev())
        };
        for &p in it {
            while h.len() >= start + 2 && cross(h[h.len() - 2], h[h.len() - 1], p) <= 0.0 {
                h.pop();
            }
            h.push(p);
        }
        h.pop();
    }
    h
}

/// Equalized odds within EPS, randomized: the linear programme over each constrained group's
/// mixing weights λ_gk on its ROC hull vertices (f_k, t_k), with band starts X, Y ≥ 0:
/// Σ_k λ_gk = 1; X ≤ Σ λ f ≤ X + EPS; Y ≤ Σ λ t ≤ Y + EPS; maximise Σ λ·part.
fn lp_equalized_odds(curves: &[Curve], obj: &Objective, eps: f64) -> Option<Picks> {
    let mut picks = unconstrained(curves, obj);
    let cons: Vec<usize> = (0..curves.len())
        .filter(|&i| curves[i].constrained(Constraint::EqualizedOdds))
        .collect();
    if cons.is_empty() {
        return Some(picks);
    }
    let mut cols: Vec<(usize, usize)> = Vec::new(); // (constrained group j, candidate k)
    for (j, &i) in cons.iter().enumerate() {
        let g = &curves[i];
        let n = g.thresholds.len();
        let f: Vec<f64> = (0..n).map(|k| g.fp[k] / g.neg).collect();
        let t: Vec<f64> = (0..n).map(|k| g.tp[k] / g.pos).collect();
        for k in convex_hull(&f, &t) {
            cols.push((j, k));
        }
    }
    let g = cons.len();
    let nv = cols.len();
    // Columns: λ's, X, Y, then 4 slacks per group.
    let ncol = nv + 2 + 4 * g;
    let mut a = vec![vec![0.0; ncol]; 5 * g];
    let mut b = vec![0.0; 5 * g];
    let mut cost = vec![0.0; ncol];
    for (col, &(j, k)) in cols.iter().enumerate() {
        let gc = &curves[cons[j]];
        let (f, t) = (gc.fp[k] / gc.neg, gc.tp[k] / gc.pos);
        a[5 * j][col] = 1.0;
        a[5 * j + 1][col] = f;
        a[5 * j + 2][col] = f;
        a[5 * j + 3][col] = t;
        a[5 * j + 4][col] = t;
        cost[col] = obj.part(gc, &[(k, 1.0)]);
    }
    for j in 0..g {
        b[5 * j] = 1.0;
        a[5 * j + 1][nv] = -1.0;
        a[5 * j + 2][nv] = -1.0;
        a[5 * j + 3][nv + 1] = -1.0;
        a[5 * j + 4][nv + 1] = -1.0;
        a[5 * j + 1][nv + 2 + 4 * j] = -1.0;
        a[5 * j + 2][nv + 3 + 4 * j] = 1.0;
        b[5 * j + 2] = eps;
        a[5 * j + 3][nv + 4 + 4 * j] = -1.0;
        a[5 * j + 4][nv + 5 + 4 * j] = 1.0;
        b[5 * j + 4] = eps;
    }
    let z = simplex(&a, &b, &cost)?;
    let mut mixes: Vec<Vec<(usize, f64)>> = vec![Vec::new(); g];
    for (col, &(j, k)) in cols.iter().enumerate() {
        if z[col] > 1e-12 {
            mixes[j].push((k, z[col]));
        }
    }
    for (j, mut mix) in mixes.into_iter().enumerate() {
        let s: f64 = mix.iter().map(|m| m.1).sum();
        if s <= 0.0 {
            return None;
        }
        for m in &mut mix {
            m.1 /= s;
        }
        mix.sort_by_key(|m| m.0);
        picks[cons[j]] = mix;
    }
    Some(picks)
}

/// Maximises c·z subject to A·z = b (b ≥ 0) and z ≥ 0: the two-phase simplex method on a dense
/// tableau, Bland's rule (the lowest index enters and leaves), so it cannot cycle. Phase 1
/// drives an artificial variable per row to 0; phase 2 maximises c. `None` when infeasible,
/// unbounded or past the iteration limit. O(rows · columns) per pivot.
pub fn simplex(a: &[Vec<f64>], b: &[f64], c: &[f64]) -> Option<Vec<f64>> {
    const EPS: f64 = 1e-11;
    let m = a.len();
    let n = c.len();
    let w = n + m + 1; // columns, artificials, right-hand side
    let mut t: Vec<Vec<f64>> = (0..m)
        .map(|i| {
            let mut row = a[i].clone();
            row.resize(n + m, 0.0);
            row[n + i] = 1.0;
            row.push(b[i]);
            row
        })
        .collect();
    let mut basis: Vec<usize> = (n..n + m).collect();
    let pivot = |t: &mut Vec<Vec<f64>>, obj: &mut Vec<f64>, r: usize, col: usize| {
        let p = t[r][col];
        for x in t[r].iter_mut() {
            *x /= p;
        }
        let pr = t[r].clone();
        for (i, row) in t.iter_mut().enumerate() {
            if i != r && row[col] != 0.0 {
                let f = row[col];
                for (x, y) in row.iter_mut().zip(&pr) {
                    *x -= f * y;
                }
            }
        }
        let f = obj[col];
        if f != 0.0 {
            for (x, y) in obj.iter_mut().zip(&pr) {
                *x -= f * y;
            }
        }
    };
    // Runs the simplex on reduced costs `obj` (entering while some allowed obj[j] > EPS).
    let run = |t: &mut Vec<Vec<f64>>,
               obj: &mut Vec<f64>,
               basis: &mut Vec<usize>,
               allowed: usize|
     -> bool {
        for _ in 0..200_000 {
            let Some(col) = (0..allowed).find(|&j| obj[j] > EPS) else {
                return true;
            };
            let mut r: Option<usize> = None;
            for i in 0..m {
                if t[i][col] > EPS {
                    let ratio = t[i][w - 1] / t[i][col];
                    let better = match r {
                        None => true,
                        Some(q) => {
                            let rq = t[q][w - 1] / t[q][col];
                            ratio < rq - 1e-15 || (ratio <= rq + 1e-15 && basis[i] < basis[q])
                        }
                    };
                    if better {
                        r = Some(i);
                    }
                }
            }
            let Some(r) = r else { return false };
            pivot(t, obj, r, col);
            basis[r] = col;
        }
        false
    };
    // Phase 1: maximise −Σ artificials; reduced costs c_j − c_B·B⁻¹A_j.
    let mut obj = vec![0.0; w];
    for row in &t {
        for j in 0..n {
            obj[j] += row[j];
        }
        obj[w - 1] += row[w - 1];
    }
    if !run(&mut t, &mut obj, &mut basis, n) {
        return None;
    }
    let infeasible: f64 = (0..m).filter(|&i| basis[i] >= n).map(|i| t[i][w - 1]).sum();
    if infeasible > 1e-8 {
        return None;
    }
    // Artificials left in the basis (at 0): pivot them out where a real column allows.
    for i in 0..m {
        if basis[i] >= n {
            if let Some(col) = (0..n).find(|&j| t[i][j].abs() > 1e-9) {
                let mut dummy = vec![0.0; w];
                pivot(&mut t, &mut dummy, i, col);
                basis[i] = col;
            }
        }
    }
    // Phase 2.
    let mut obj = vec![0.0; w];
    obj[..n].copy_from_slice(c);
    for i in 0..m {
        let cb = if basis[i] < n { c[basis[i]] } else { 0.0 };
        if cb != 0.0 {
            for j in 0..w {
                obj[j] -= cb * t[i][j];
            }
        }
    }
    if !run(&mut t, &mut obj, &mut basis, n) {
        return None;
    }
    let mut z = vec![0.0; n];
    for i in 0..m {
        if basis[i] < n {
            z[basis[i]] = t[i][w - 1].max(0.0);
        }
    }
    Some(z)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(rows: &[(f64, u8)]) -> Curve {
        Curve::new(rows.iter().map(|&(s, y)| (s, y == 1, 1.0)).collect())
    }

    #[test]
    fn candidates_and_counts() {
        let c = curve(&[(0.2, 1), (0.9, 1), (0.5, 0), (0.9, 0)]);
        assert_eq!(c.thresholds, vec![f64::INFINITY, 0.9, 0.5, 0.2]);
        assert_eq!(c.tp, vec![0.0, 1.0, 1.0, 2.0]);
        assert_eq!(c.fp, vec![0.0, 1.0, 2.0, 2.0]);
        assert_eq!(c.index_at(0.5), 2);
        assert_eq!(c.index_at(0.6), 1);
        assert_eq!(c.index_at(2.0), 0);
        assert_eq!(c.index_at(-1.0), 3);
    }

    #[test]
    fn simplex_small_lp() {
        // max 3x + 2y, x + y + s1 = 4, x + 3y + s2 = 6, x ≤ 3 (x + s3 = 3): x = 3, y = 1, 11.
        let a = vec![
            vec![1.0, 1.0, 1.0, 0.0, 0.0],
            vec![1.0, 3.0, 0.0, 1.0, 0.0],
            vec![1.0, 0.0, 0.0, 0.0, 1.0],
        ];
        let z = simplex(&a, &[4.0, 6.0, 3.0], &[3.0, 2.0, 0.0, 0.0, 0.0]).unwrap();
        assert!((z[0] - 3.0).abs() < 1e-12 && (z[1] - 1.0).abs() < 1e-12);
    }

    #[test]
    fn demographic_parity_by_hand() {
        // Group a: scores 0.9(1) 0.8(1) 0.3(0); group b: 0.7(1) 0.4(0) 0.2(0).
        // Alone: a at 0.8 (rate 2/3), b at 0.7 (1/3): accuracy 6/6. EPS 0: equal rates, e.g.
        // a at 0.9 and b at 0.7 (1/3 each): 5/6 correct.
        let cs = vec![
            curve(&[(0.9, 1), (0.8, 1), (0.3, 0)]),
            curve(&[(0.7, 1), (0.4, 0), (0.2, 0)]),
        ];
        let obj = Objective::new(Some(ObjectiveKind::Accuracy), None, &cs).unwrap();
        let p = deterministic(&cs, Constraint::DemographicParity, &obj, 0.0).unwrap();
        assert!((obj.total(&cs, &p) - 5.0 / 6.0).abs() < 1e-12);
        assert!(spread(&cs, &p, Constraint::DemographicParity).unwrap() <= TOL);
        let u = unconstrained(&cs, &obj);
        assert!((obj.total(&cs, &u) - 1.0).abs() < 1e-12);
        // Randomized at EPS 0: a mixes 0.8 and 0.9 (rate 1/2), b mixes 0.7 and 0.4 (1/2):
        // a keeps 1 − 1/2·(1/3)... each group loses half a row: 5/6 as well.
        let r = randomized(&cs, Constraint::DemographicParity, &obj, 0.0).unwrap();
        assert!(obj.total(&cs, &r) >= 5.0 / 6.0 - 1e-12);
        assert!(spread(&cs, &r, Constraint::DemographicParity).unwrap() <= 1e-9);
    }
}
