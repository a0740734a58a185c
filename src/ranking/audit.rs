//! Lists → per-query results ([`query`]) → aggregates over a multiset of queries
//! ([`aggregate`], also what each bootstrap replicate recomputes) → the flat list of numbers.

use std::collections::BTreeMap;

use rayon::prelude::*;

use crate::ranking::fair::{self, MTable};
use crate::ranking::load::Lists;
use crate::ranking::metrics::{self, SetMeasure};
use crate::ranking::settings::Settings;
use crate::stats::{reason, Value};

/// What every query's computation shares.
pub struct Context {
    pub groups: usize,
    pub ks: Vec<usize>,
    /// Exposure of rank r (index r − 1) under the chosen model, the log model and AWRF's
    /// attention, up to the longest list.
    pub weight: Vec<f64>,
    pub log_weight: Vec<f64>,
    pub attention: Vec<f64>,
    pub combination: crate::ranking::settings::Combination,
    pub protected: Option<u16>,
    pub step: usize,
    /// Target share per group code (`--target`), else each query's own shares.
    pub target: Option<Vec<f64>>,
    pub fair_k: Option<usize>,
    /// FA*IR mtables by k (computed before the pass), and the p they use.
    pub mtables: BTreeMap<usize, MTable>,
    pub fair_p: Value,
    pub has_relevance: bool,
}

/// One query's numbers.
#[derive(Debug, Clone)]
pub struct QueryResult {
    pub n: u32,
    pub count: Vec<u32>,
    pub exposure: Vec<f64>,
    pub relevance: Vec<f64>,
    /// Items of each group in the top min(k, n), per k (k-major: `top[ki * G + g]`).
    pub top: Vec<u32>,
    pub exp: Value,
    pub awrf: Value,
    /// FairRankTune's per-group EXP / AWRF values (None: group absent from the list).
    pub exp_group: Vec<Option<f64>>,
    pub awrf_group: Vec<Option<f64>>,
    pub ndkl: Value,
    pub der: Value,
    pub dtr: Value,
    pub rnd: Value,
    pub rkl: Value,
    pub rrd: Value,
    pub fair_pass: Value,
    pub fair_first_failure: Option<usize>,
    pub min_skew: Vec<Value>,
    pub max_skew: Vec<Value>,
    pub presence: Vec<Value>,
    pub distributional: Vec<Value>,
    /// Per k, per group: the group's inclusion in the top k (None: group absent from the list).
    pub inclusion: Vec<Vec<Option<f64>>>,
    pub inclusion_utilitarian: Vec<Value>,
    pub inclusion_egalitarian: Vec<Value>,
    pub inclusion_nash: Vec<Value>,
}

impl QueryResult {
    /// The per-query metrics that are one number each, in report order (disparate exposure and
    /// treatment ratios, EXP, AWRF, NDKL, rND, rKL, rRD, the FA*IR verdict).
    pub fn fixed(&self) -> [&Value; 9] {
        [
            &self.der,
            &self.dtr,
            &self.exp,
            &self.awrf,
            &self.ndkl,
            &self.rnd,
            &self.rkl,
            &self.rrd,
            &self.fair_pass,
        ]
    }
}

fn ratio_min_max(vals: impl Iterator<Item = f64>) -> Value {
    let v: Vec<f64> = vals.collect();
    if v.len() < 2 {
        return Err("fewer than two groups");
    }
    let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = v.iter().copied().fold(f64::INFINITY, f64::min);
    if max <= 0.0 {
        return Err("every group's value is 0");
    }
    Ok(min / max)
}

/// The numbers of one list.
pub fn query(list: &[u16], rel: Option<&[f64]>, cx: &Context) -> QueryResult {
    let g = cx.groups;
    let n = list.len();
    let mut count = vec![0u32; g];
    let mut exposure = vec![0.0; g];
    let mut log_exp = vec![0.0; g];
    let mut attn = vec![0.0; g];
    let mut relevance = if cx.has_relevance {
        vec![0.0; g]
    } else {
        Vec::new()
    };
    for (i, &c) in list.iter().enumerate() {
        let c = c as usize;
        count[c] += 1;
        exposure[c] += cx.weight[i];
        log_exp[c] += cx.log_weight[i];
        attn[c] += cx.attention[i];
        if let Some(r) = rel {
            relevance[c] += r[i];
        }
    }
    let present: Vec<usize> = (0..g).filter(|&x| count[x] > 0).collect();
    let per_item = |tot: &[f64]| -> Vec<Option<f64>> {
        (0..g)
            .map(|x| (count[x] > 0).then(|| tot[x] / count[x] as f64))
            .collect()
    };
    let exp_group = per_item(&log_exp);
    let awrf_group = per_item(&attn);
    let vals = |v: &[Option<f64>]| -> Vec<f64> { v.iter().flatten().copied().collect() };
    let exp = metrics::combine(&vals(&exp_group), cx.combination);
    let awrf = metrics::combine(&vals(&awrf_group), cx.combination);
    let der = ratio_min_max(present.iter().map(|&x| exposure[x] / count[x] as f64))
        .map_err(|_| "fewer than two groups in the list");
    let dtr = if !cx.has_relevance {
        Err("no relevance column")
    } else if present.len() < 2 {
        Err("fewer than two groups in the list")
    } else if present.iter().any(|&x| relevance[x] == 0.0) {
        Err("a group's relevance total is 0 in the list")
    } else {
        ratio_min_max(present.iter().map(|&x| exposure[x] / relevance[x]))
    };
    // Target distribution over the groups compared.
    let own: Vec<f64> = (0..g).map(|x| count[x] as f64 / n as f64).collect();
    let target: &[f64] = cx.target.as_deref().unwrap_or(&own);
    let ndkl = match &cx.target {
        None => {
            // FairRankTune: the groups of the list, the list's own distribution.
            let slot_of: Vec<usize> = {
                let mut s = vec![usize::MAX; g];
                for (i, &x) in present.iter().enumerate() {
                    s[x] = i;
                }
                s
            };
            let slots: Vec<usize> = list.iter().map(|&c| slot_of[c as usize]).collect();
            let dr: Vec<f64> = present.iter().map(|&x| own[x]).collect();
            Ok(metrics::ndkl(&slots, &dr))
        }
        Some(t) => {
            if present.iter().any(|&x| t[x] == 0.0) {
                Err("a group of the list has a target share of 0 (KL is infinite)")
            } else {
                let slots: Vec<usize> = list.iter().map(|&c| c as usize).collect();
                Ok(metrics::ndkl(&slots, t))
            }
        }
    };
    let (rnd, rkl, rrd) = match cx.protected {
        None => (
            Err("no --protected group"),
            Err("no --protected group"),
            Err("no --protected group"),
        ),
        Some(p) => {
            let prot: Vec<bool> = list.iter().map(|&c| c == p).collect();
            (
                metrics::normalized_set_measure(SetMeasure::Rnd, &prot, cx.step),
                metrics::normalized_set_measure(SetMeasure::Rkl, &prot, cx.step),
                metrics::normalized_set_measure(SetMeasure::Rrd, &prot, cx.step),
            )
        }
    };
    let (fair_pass, fair_first_failure) = match (cx.protected, &cx.fair_p) {
        (None, _) => (Err("no --protected group"), None),
        (_, Err(why)) => (Err(*why), None),
        (Some(p), Ok(_)) => {
            let k = cx.fair_k.unwrap_or(n);
            if n < k {
                (Err("the list is shorter than --fair-k"), None)
            } else if k < 2 {
                (Err("FA*IR needs k of 2 or more"), None)
            } else {
                match cx.mtables.get(&k) {
                    Some(t) => {
                        let f = fair::first_failure(list[..k].iter().map(|&c| c == p), &t.m);
                        (Ok(if f.is_none() { 1.0 } else { 0.0 }), f)
                    }
                    None => (
                        Err("k above FA*IR's computed range (2 to 1,000): give --fair-k K"),
                        None,
                    ),
                }
            }
        }
    };
    let nk = cx.ks.len();
    let mut top = vec![0u32; nk * g];
    let mut min_skew = Vec::with_capacity(nk);
    let mut max_skew = Vec::with_capacity(nk);
    let mut presence = Vec::with_capacity(nk);
    let mut distributional = Vec::with_capacity(nk);
    let mut inclusion = Vec::with_capacity(nk);
    let mut inc_u = Vec::with_capacity(nk);
    let mut inc_e = Vec::with_capacity(nk);
    let mut inc_n = Vec::with_capacity(nk);
    let max_rel = rel.map(|r| r.iter().copied().fold(0.0, f64::max));
    for (ki, &k) in cx.ks.iter().enumerate() {
        let kk = k.min(n);
        let t = &mut top[ki * g..(ki + 1) * g];
        let mut best_rel = vec![0.0f64; g];
        for (i, &c) in list[..kk].iter().enumerate() {
            t[c as usize] += 1;
            if let Some(r) = rel {
                best_rel[c as usize] = best_rel[c as usize].max(r[i]);
            }
        }
        // Skew over the groups with a positive target (default: the list's groups).
        let compared: Vec<usize> = (0..g).filter(|&x| target[x] > 0.0).collect();
        let skews: Vec<Option<f64>> = compared
            .iter()
            .map(|&x| (t[x] > 0).then(|| (t[x] as f64 / kk as f64 / target[x]).ln()))
            .collect();
        min_skew.push(if compared.is_empty() {
            Err("no group with a positive target share")
        } else if skews.iter().any(Option::is_none) {
            Err("a group has no item in the top k (its skew is −∞)")
        } else {
            Ok(skews
                .iter()
                .flatten()
                .copied()
                .fold(f64::INFINITY, f64::min))
        });
        max_skew.push(
            skews
                .iter()
                .flatten()
                .copied()
                .reduce(f64::max)
                .ok_or("no group with a positive target share has an item in the top k"),
        );
        // Presence-based diversity: share of the list's groups present in the top k.
        presence.push(Ok(
            present.iter().filter(|&&x| t[x] > 0).count() as f64 / present.len() as f64
        ));
        // Distributional diversity: the least attainment of a target share, capped at 1.
        distributional.push(if compared.is_empty() {
            Err("no group with a positive target share")
        } else {
            Ok(compared
                .iter()
                .map(|&x| (t[x] as f64 / kk as f64 / target[x]).min(1.0))
                .fold(f64::INFINITY, f64::min))
        });
        // Inclusion of each group's member in the top k: the best fit (match × relevance share).
        let inc: Result<Vec<Option<f64>>, &'static str> = match max_rel {
            Some(m) if m <= 0.0 => Err("every relevance in the list is 0"),
            Some(m) => Ok((0..g)
                .map(|x| (count[x] > 0).then(|| best_rel[x] / m))
                .collect()),
            None => Ok((0..g)
                .map(|x| (count[x] > 0).then(|| if t[x] > 0 { 1.0 } else { 0.0 }))
                .collect()),
        };
        match inc {
            Ok(v) => {
                let vals: Vec<f64> = v.iter().flatten().copied().collect();
                let m = vals.len() as f64;
                inc_u.push(Ok(vals.iter().sum::<f64>() / m));
                inc_e.push(Ok(vals.iter().copied().fold(f64::INFINITY, f64::min)));
                inc_n.push(Ok(vals.iter().product::<f64>().powf(1.0 / m)));
                inclusion.push(v);
            }
            Err(why) => {
                inc_u.push(Err(why));
                inc_e.push(Err(why));
                inc_n.push(Err(why));
                inclusion.push(vec![None; g]);
            }
        }
    }
    QueryResult {
        n: n as u32,
        count,
        exposure,
        relevance,
        top,
        exp,
        awrf,
        exp_group,
        awrf_group,
        ndkl,
        der,
        dtr,
        rnd,
        rkl,
        rrd,
        fair_pass,
        fair_first_failure,
        min_skew,
        max_skew,
        presence,
        distributional,
        inclusion,
        inclusion_utilitarian: inc_u,
        inclusion_egalitarian: inc_e,
        inclusion_nash: inc_n,
    }
}

/// Builds the context: weights up to the longest list, the FA*IR mtables of every k needed.
pub fn context(
    lists: &Lists,
    settings: &Settings,
    protected: Option<u16>,
    target: Option<Vec<f64>>,
) -> Context {
    let longest = (0..lists.len())
        .map(|q| lists.list(q).len())
        .max()
        .unwrap_or(0);
    let p = settings.persistence;
    let weight = (1..=longest)
        .map(|r| metrics::position_weight(settings.position_bias, p, r))
        .collect();
    let log_weight = (1..=longest)
        .map(|r| metrics::position_weight(crate::ranking::settings::PositionBias::Log, p, r))
        .collect();
    let a = settings.attention;
    let attention = (1..=longest)
        .map(|r| 100.0 * (1.0 - a).powi(r as i32 - 1) * a)
        .collect();
    let fair_p: Value = match protected {
        None => Err("no --protected group"),
        Some(pc) => match settings.fair_p {
            Some(p) => Ok(p),
            None => {
                let prot = lists.group.iter().filter(|&&c| c == pc).count();
                let share = prot as f64 / lists.group.len() as f64;
                if share <= 0.0 || share >= 1.0 {
                    Err("the protected share of all items is 0 or 1 (give --fair-p)")
                } else {
                    Ok(share)
                }
            }
        },
    };
    let mut mtables = BTreeMap::new();
    if let Ok(fp) = fair_p {
        let mut ks: Vec<usize> = match settings.fair_k {
            Some(k) => vec![k],
            None => (0..lists.len()).map(|q| lists.list(q).len()).collect(),
        };
        ks.sort_unstable();
        ks.dedup();
        let tables: Vec<(usize, MTable)> = ks
            .into_par_iter()
            .filter(|&k| (2..=MAX_FAIR_K).contains(&k))
            .map(|k| (k, fair::adjusted(k, fp, settings.alpha)))
            .collect();
        mtables.extend(tables);
    }
    Context {
        groups: lists.groups.len(),
        ks: settings.k.clone(),
        weight,
        log_weight,
        attention,
        combination: settings.combination,
        protected,
        step: settings.cutoff_step,
        target,
        fair_k: settings.fair_k,
        mtables,
        fair_p,
        has_relevance: lists.relevance.is_some(),
    }
}

/// The longest prefix FA*IR is computed for (fairsearchcore is tested up to 400).
pub const MAX_FAIR_K: usize = 1000;

/// Every query's numbers, in query order (in parallel; the order does not depend on threads).
pub fn all_queries(lists: &Lists, cx: &Context) -> Vec<QueryResult> {
    (0..lists.len())
        .into_par_iter()
        .with_min_len(1024)
        .map(|q| query(lists.list(q), lists.rel(q), cx))
        .collect()
}

/// One number of the aggregate: its group (None: the attribute level) and name.
#[derive(Debug, Clone)]
pub struct Entry {
    pub group: Option<usize>,
    pub metric: String,
    pub value: Value,
}

fn div(a: f64, b: f64, why: &'static str) -> Value {
    if b == 0.0 {
        Err(why)
    } else {
        Ok(a / b)
    }
}

/// Number of per-query mean columns before the per-k ones (der, dtr, exp, awrf, ndkl, rnd, rkl,
/// rrd, fair_pass).
const FIXED_MEANS: usize = 9;
/// Per-k mean columns: min_skew, max_skew, presence, distributional, inclusion utilitarian /
/// egalitarian / Nash.
const PER_K_MEANS: usize = 7;

/// The per-query numbers as columns, one value per query: what every aggregate sums (counts,
/// exposure, relevance, top-k counts) and what it averages (NaN where a query's value is
/// undefined). Built once; the full aggregate and every bootstrap replicate read the same
/// columns front to back with a weight per query (a replicate's multiplicities), so a replicate
/// costs one pass over ~50 contiguous arrays instead of chasing each query's vectors.
pub struct Columns {
    groups: usize,
    nk: usize,
    queries: usize,
    sums: Vec<Vec<f64>>,
    means: Vec<Vec<f64>>,
    /// The first reason a mean column is undefined, in query order.
    reasons: Vec<Option<&'static str>>,
}

impl Columns {
    fn s_n() -> usize {
        0
    }
    fn s_count(&self, x: usize) -> usize {
        1 + x
    }
    fn s_exposure(&self, x: usize) -> usize {
        1 + self.groups + x
    }
    fn s_relevance(&self, x: usize) -> usize {
        1 + 2 * self.groups + x
    }
    fn s_topn(&self, ki: usize) -> usize {
        1 + 3 * self.groups + ki
    }
    fn s_top(&self, ki: usize, x: usize) -> usize {
        1 + 3 * self.groups + self.nk + ki * self.groups + x
    }
    fn m_k(ki: usize, j: usize) -> usize {
        FIXED_MEANS + ki * PER_K_MEANS + j
    }
    fn m_exp_group(&self, x: usize) -> usize {
        FIXED_MEANS + self.nk * PER_K_MEANS + x
    }
    fn m_awrf_group(&self, x: usize) -> usize {
        FIXED_MEANS + self.nk * PER_K_MEANS + self.groups + x
    }
    fn m_inclusion(&self, ki: usize, x: usize) -> usize {
        FIXED_MEANS + self.nk * PER_K_MEANS + 2 * self.groups + ki * self.groups + x
    }

    /// The columns of `results` (in query order).
    pub fn new(results: &[QueryResult], cx: &Context) -> Columns {
        let (g, nk, nq) = (cx.groups, cx.ks.len(), results.len());
        let mut c = Columns {
            groups: g,
            nk,
            queries: nq,
            sums: Vec::new(),
            means: Vec::new(),
            reasons: Vec::new(),
        };
        let n_sums = 1 + 3 * g + nk + nk * g;
        let n_means = FIXED_MEANS + nk * PER_K_MEANS + 2 * g + nk * g;
        c.sums = vec![Vec::with_capacity(nq); n_sums];
        c.means = vec![Vec::with_capacity(nq); n_means];
        c.reasons = vec![None; n_means];
        let value = |v: &Value, reasons: &mut Vec<Option<&'static str>>, j: usize| match v {
            Ok(x) => *x,
            Err(w) => {
                reasons[j].get_or_insert(w);
                f64::NAN
            }
        };
        for r in results {
            c.sums[Self::s_n()].push(r.n as f64);
            for x in 0..g {
                let (a, b, d) = (c.s_count(x), c.s_exposure(x), c.s_relevance(x));
                c.sums[a].push(r.count[x] as f64);
                c.sums[b].push(r.exposure[x]);
                c.sums[d].push(if cx.has_relevance {
                    r.relevance[x]
                } else {
                    0.0
                });
            }
            for (ki, &k) in cx.ks.iter().enumerate() {
                let t = c.s_topn(ki);
                c.sums[t].push(k.min(r.n as usize) as f64);
                for x in 0..g {
                    let t = c.s_top(ki, x);
                    c.sums[t].push(r.top[ki * g + x] as f64);
                }
            }
            for (j, v) in r.fixed().into_iter().enumerate() {
                let x = value(v, &mut c.reasons, j);
                c.means[j].push(x);
            }
            for ki in 0..nk {
                let per_k = [
                    &r.min_skew[ki],
                    &r.max_skew[ki],
                    &r.presence[ki],
                    &r.distributional[ki],
                    &r.inclusion_utilitarian[ki],
                    &r.inclusion_egalitarian[ki],
                    &r.inclusion_nash[ki],
                ];
                for (j, v) in per_k.into_iter().enumerate() {
                    let m = Self::m_k(ki, j);
                    let x = value(v, &mut c.reasons, m);
                    c.means[m].push(x);
                }
            }
            for x in 0..g {
                let (a, b) = (c.m_exp_group(x), c.m_awrf_group(x));
                c.means[a].push(r.exp_group[x].unwrap_or(f64::NAN));
                c.means[b].push(r.awrf_group[x].unwrap_or(f64::NAN));
                for ki in 0..nk {
                    let m = c.m_inclusion(ki, x);
                    c.means[m].push(r.inclusion[ki][x].unwrap_or(f64::NAN));
                }
            }
        }
        c
    }

    /// The weighted totals: every query once (`None`), or each `weights[q]` times.
    pub fn totals(&self, weights: Option<&[u32]>) -> Totals {
        let w = |q: usize| weights.map_or(1.0, |w| w[q] as f64);
        let queries = (0..self.queries).map(w).sum();
        let sums = self
            .sums
            .iter()
            .map(|col| col.iter().enumerate().map(|(q, v)| w(q) * v).sum())
            .collect();
        let means = self
            .means
            .iter()
            .map(|col| {
                let (mut s, mut n) = (0.0, 0.0);
                for (q, v) in col.iter().enumerate() {
                    if !v.is_nan() {
                        let wq = w(q);
                        s += wq * v;
                        n += wq;
                    }
                }
                (s, n)
            })
            .collect();
        Totals {
            queries,
            sums,
            means,
        }
    }
}

/// Weighted sums of [`Columns`]: the sums, and per mean column (Σ w·x, Σ w) over its defined
/// values.
pub struct Totals {
    queries: f64,
    sums: Vec<f64>,
    means: Vec<(f64, f64)>,
}

/// The aggregate numbers over the queries the totals count (a bootstrap draw counts some more
/// than once), in a fixed order for a given context (so replicates line up entry by entry).
pub fn aggregate(cols: &Columns, t: &Totals, cx: &Context, reference: usize) -> Vec<Entry> {
    let g = cx.groups;
    let nk = cx.ks.len();
    let count: Vec<f64> = (0..g).map(|x| t.sums[cols.s_count(x)]).collect();
    let exposure: Vec<f64> = (0..g).map(|x| t.sums[cols.s_exposure(x)]).collect();
    let relevance: Vec<f64> = (0..g).map(|x| t.sums[cols.s_relevance(x)]).collect();
    let top: Vec<f64> = (0..nk)
        .flat_map(|ki| (0..g).map(move |x| (ki, x)))
        .map(|(ki, x)| t.sums[cols.s_top(ki, x)])
        .collect();
    let topn: Vec<f64> = (0..nk).map(|ki| t.sums[cols.s_topn(ki)]).collect();
    let items = t.sums[Columns::s_n()];
    // The mean of column j over the queries where it is defined.
    let mean = |j: usize| -> Value {
        let (s, n) = t.means[j];
        if n > 0.0 {
            Ok(s / n)
        } else {
            Err(match cols.reasons[j] {
                Some(w) => reason(format!("undefined in every query ({w})")),
                None => "no query",
            })
        }
    };
    let total_exp: f64 = exposure.iter().sum();
    let total_rel: f64 = relevance.iter().sum();
    let mut out = Vec::new();
    let mut push = |group: Option<usize>, metric: &str, value: Value| {
        out.push(Entry {
            group,
            metric: metric.to_string(),
            value,
        })
    };
    let at = |name: &str, k: usize| format!("{name}@{k}");
    // Attribute level.
    push(None, "queries", Ok(t.queries));
    push(None, "items", Ok(items));
    let per_item: Vec<Option<f64>> = (0..g)
        .map(|x| (count[x] > 0.0).then(|| exposure[x] / count[x]))
        .collect();
    let per_rel: Vec<Option<f64>> = (0..g)
        .map(|x| (count[x] > 0.0 && relevance[x] > 0.0).then(|| exposure[x] / relevance[x]))
        .collect();
    push(
        None,
        "disparate_exposure_ratio",
        ratio_min_max(per_item.iter().flatten().copied()),
    );
    push(
        None,
        "disparate_treatment_ratio",
        if !cx.has_relevance {
            Err("no relevance column")
        } else if (0..g).any(|x| count[x] > 0.0 && relevance[x] == 0.0) {
            Err("a group's relevance total is 0")
        } else {
            ratio_min_max(per_rel.iter().flatten().copied())
        },
    );
    for (j, name) in [
        "mean_disparate_exposure_ratio",
        "mean_disparate_treatment_ratio",
        "exp",
        "awrf",
        "ndkl",
        "rnd",
        "rkl",
        "rrd",
        "fair_pass_rate",
    ]
    .into_iter()
    .enumerate()
    {
        push(None, name, mean(j));
    }
    let rates: Vec<Vec<Option<f64>>> = (0..nk)
        .map(|ki| {
            (0..g)
                .map(|x| (count[x] > 0.0).then(|| top[ki * g + x] / count[x]))
                .collect()
        })
        .collect();
    for (ki, &k) in cx.ks.iter().enumerate() {
        push(
            None,
            &at("selection_rate_ratio", k),
            ratio_min_max(rates[ki].iter().flatten().copied()),
        );
        push(None, &at("min_skew", k), mean(Columns::m_k(ki, 0)));
        push(None, &at("max_skew", k), mean(Columns::m_k(ki, 1)));
        push(
            None,
            &at("presence_diversity", k),
            mean(Columns::m_k(ki, 2)),
        );
        push(
            None,
            &at("distributional_diversity", k),
            mean(Columns::m_k(ki, 3)),
        );
        push(
            None,
            &at("inclusion_utilitarian", k),
            mean(Columns::m_k(ki, 4)),
        );
        push(
            None,
            &at("inclusion_egalitarian", k),
            mean(Columns::m_k(ki, 5)),
        );
        push(None, &at("inclusion_nash", k), mean(Columns::m_k(ki, 6)));
    }
    // Group level.
    let pooled_target: Vec<f64> = match &cx.target {
        Some(t) => t.clone(),
        None => count.iter().map(|c| c / items).collect(),
    };
    for x in 0..g {
        let s = Some(x);
        let absent = "the group has no item in these queries";
        push(s, "items", Ok(count[x]));
        push(s, "share_of_items", div(count[x], items, "no item"));
        push(s, "exposure", Ok(exposure[x]));
        push(
            s,
            "share_of_exposure",
            div(exposure[x], total_exp, "no exposure"),
        );
        push(
            s,
            "share_of_relevance",
            if cx.has_relevance {
                div(relevance[x], total_rel, "the relevance total is 0")
            } else {
                Err("no relevance column")
            },
        );
        push(s, "exposure_per_item", per_item[x].ok_or(absent));
        push(
            s,
            "exposure_per_relevance",
            if !cx.has_relevance {
                Err("no relevance column")
            } else if count[x] == 0.0 {
                Err(absent)
            } else {
                div(
                    exposure[x],
                    relevance[x],
                    "the group's relevance total is 0",
                )
            },
        );
        push(
            s,
            "exposure_ratio",
            match (per_item[x], per_item[reference]) {
                (Some(a), Some(b)) => div(a, b, "the reference group has no exposure"),
                (None, _) => Err(absent),
                (_, None) => Err("the reference group has no item"),
            },
        );
        push(
            s,
            "treatment_ratio",
            if !cx.has_relevance {
                Err("no relevance column")
            } else {
                match (per_rel[x], per_rel[reference]) {
                    (Some(a), Some(b)) => div(a, b, "the reference group has no exposure"),
                    (None, _) => Err("the group has no item or a relevance total of 0"),
                    (_, None) => Err("the reference group has no item or a relevance total of 0"),
                }
            },
        );
        push(s, "exp", mean(cols.m_exp_group(x)).map_err(|_| absent));
        push(s, "awrf", mean(cols.m_awrf_group(x)).map_err(|_| absent));
        for (ki, &k) in cx.ks.iter().enumerate() {
            let rate = rates[ki][x];
            push(s, &at("selection_rate", k), rate.ok_or(absent));
            let best = rates[ki].iter().flatten().copied().fold(0.0, f64::max);
            push(
                s,
                &at("selection_rate_ratio", k),
                match rate {
                    Some(r) => div(r, best, "no group has an item in the top k"),
                    None => Err(absent),
                },
            );
            let share_top = top[ki * g + x] / topn[ki];
            push(
                s,
                &at("skew", k),
                if pooled_target[x] <= 0.0 {
                    Err("the group's target share is 0")
                } else if top[ki * g + x] == 0.0 {
                    Err("the group has no item in the top k (skew −∞)")
                } else {
                    Ok((share_top / pooled_target[x]).ln())
                },
            );
            push(
                s,
                &at("inclusion", k),
                mean(cols.m_inclusion(ki, x)).map_err(|_| absent),
            );
        }
    }
    out
}
