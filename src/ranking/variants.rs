//! Recommendation lists under prompt variants (`audit-ranking --variant COL --neutral VALUE`):
//! for each prompt (a user, an instruction), the list produced when a sensitive attribute is
//! mentioned ("I am a girl …") is compared with the list of the neutral prompt, by Jaccard@K,
//! SERP*@K and PRAG*@K; over the values of an attribute, the spread of the mean similarities is
//! the unfairness: SNSR (range) and SNSV (standard deviation).
//!
//! Source: Zhang et al., "Is ChatGPT Fair for Recommendation? Evaluating Fairness in Large
//! Language Model Recommendation", RecSys 2023 (FaiRLLM), and its evaluation code
//! (github.com/jizhi-zhang/FaiRLLM, `process.ipynb` at a154dd6: `calc_metric_at_k`,
//! `calc_serp_ms`, `calc_prag`, `return_min_max_delta_std`); FairEval (Sah et al. 2025) reports
//! the same SNSR / SNSV. Shapes: `Lists` is a file's lists by prompt and variant, items interned
//! as `u32`; `VariantAudit` the typed result. Every formula is in docs/metrics.md.

use std::collections::{BTreeMap, HashMap};

use anyhow::{bail, Result};
use serde::Serialize;

use crate::gate::{Level, Number};
use crate::input::table::Table;
use crate::input::Source;
use crate::render::fmt_num;
use crate::stats::bootstrap::{percentile_interval, replicates};
use crate::stats::value::Value;

/// Usual names of the prompt column (`--query`).
pub const PROMPT_NAMES: &[&str] = &[
    "prompt_id",
    "prompt",
    "query_id",
    "query",
    "qid",
    "user_id",
    "user",
    "instruction_id",
];
/// Usual names of the item column (`--item`).
pub const ITEM_NAMES: &[&str] = &["item", "item_id", "title", "recommendation", "doc_id"];
/// Usual names of the rank column (`--rank`).
pub const RANK_NAMES: &[&str] = &["rank", "position", "pos"];
/// Usual names of the attribute column (`--attribute`).
pub const ATTRIBUTE_NAMES: &[&str] = &["attribute", "sensitive_attribute"];

/// The three list similarities, in report order.
pub const MEASURES: [Measure; 3] = [Measure::Jaccard, Measure::SerpStar, Measure::PragStar];

/// A similarity of a sensitive list to the neutral list of the same prompt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Jaccard,
    SerpStar,
    PragStar,
}

impl Measure {
    pub fn name(self) -> &'static str {
        match self {
            Measure::Jaccard => "jaccard",
            Measure::SerpStar => "serp_star",
            Measure::PragStar => "prag_star",
        }
    }

    /// The measure of `sensitive` against `neutral` (both already cut at K).
    pub fn compute(self, sensitive: &[u32], neutral: &[u32]) -> Value {
        match self {
            Measure::Jaccard => jaccard(sensitive, neutral),
            Measure::SerpStar => serp_star(sensitive, neutral),
            Measure::PragStar => prag_star(sensitive, neutral),
        }
    }
}

/// Jaccard@K = |S ∩ N| / |S ∪ N| over the items of the two top-K lists (FaiRLLM's `iou`).
/// Undefined when both lists are empty.
pub fn jaccard(sensitive: &[u32], neutral: &[u32]) -> Value {
    let inter = sensitive.iter().filter(|v| neutral.contains(v)).count();
    let union = sensitive.len() + neutral.len() - inter;
    if union == 0 {
        return Err("both lists are empty");
    }
    Ok(inter as f64 / union as f64)
}

/// SERP*@K = Σ_{v ∈ S, v ∈ N} (L − r_S(v) + 1) / (L (L + 1) / 2): the items of the sensitive
/// list S found in the neutral list N, weighted by their rank r_S (1 = top) in S, with L =
/// max(|S|, |N|) — K when both cut lists are K long, the paper's formula (FaiRLLM §3.2, "SERP*").
/// 1 when the lists are equal, 0 when disjoint, never above 1 (lists of unequal length: L is
/// the longer one, so a sensitive list that holds the neutral list and more scores below 1).
/// The published notebook computes Σ (K_S − r_S + 2) / (2 K_N (K_N + 1)) instead (an off-by-one
/// weight and a normaliser 4× the paper's: an identical 20-item list scores 0.274 there) — we
/// follow the paper, as the corrected copy of that function in later work does. Undefined for
/// an empty N.
pub fn serp_star(sensitive: &[u32], neutral: &[u32]) -> Value {
    if neutral.is_empty() {
        return Err("the neutral list is empty");
    }
    let l = sensitive.len().max(neutral.len());
    let sum: f64 = sensitive
        .iter()
        .enumerate()
        .filter(|(_, v)| neutral.contains(v))
        .map(|(i, _)| (l - i) as f64)
        .sum();
    let l = l as f64;
    Ok(sum / (l * (l + 1.0) / 2.0))
}

/// PRAG*@K: of the pairs (v₁ above v₂) of the sensitive list S, the share whose order the
/// neutral list N keeps — v₁ is in N and either v₂ is not or v₁ is above v₂ in N (an item
/// missing from N ranks below every item of N). Over the K_S (K_S − 1) / 2 pairs of S; 1 when
/// the lists are equal. A one-item S scores 1 when N is the same one item, else 0. As FaiRLLM's
/// `calc_prag`, which divides by the number of pairs (the paper's printed denominator
/// K (K + 1) would cap the score below ½). Undefined when either list is empty.
pub fn prag_star(sensitive: &[u32], neutral: &[u32]) -> Value {
    if sensitive.is_empty() || neutral.is_empty() {
        return Err("a list is empty");
    }
    if sensitive.len() == 1 {
        return Ok(if sensitive == neutral { 1.0 } else { 0.0 });
    }
    let pos = |v: u32| neutral.iter().position(|&x| x == v);
    let at: Vec<Option<usize>> = sensitive.iter().map(|&v| pos(v)).collect();
    let mut kept = 0u64;
    let mut pairs = 0u64;
    for i in 0..at.len() {
        for j in i + 1..at.len() {
            pairs += 1;
            if let Some(a) = at[i] {
                if at[j].is_none_or(|b| a < b) {
                    kept += 1;
                }
            }
        }
    }
    Ok(kept as f64 / pairs as f64)
}

/// The range and the population standard deviation (numpy's `std`, ddof 0) of the defined
/// values: FaiRLLM's SNSR and SNSV. Undefined with fewer than two defined values.
pub fn spread(values: &[f64]) -> (Value, Value) {
    if values.len() < 2 {
        let why = "fewer than two values with a defined mean similarity";
        return (Err(why), Err(why));
    }
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min = values.iter().copied().fold(f64::INFINITY, f64::min);
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let var = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    (Ok(max - min), Ok(var.sqrt()))
}

/// How items are compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum ItemMatch {
    /// Items equal as written, surrounding whitespace trimmed.
    Exact,
    /// FaiRLLM's cleaning of generated titles: lower case, each `(` up to the next `)` removed
    /// (as its regex `\([^)]*\)`; an unclosed `(` stays), spaces removed ("Shape of You (Ed
    /// Sheeran)" = "shape of you").
    Fairllm,
}

impl ItemMatch {
    fn key(self, item: &str) -> String {
        match self {
            ItemMatch::Exact => item.trim().to_string(),
            ItemMatch::Fairllm => {
                // FaiRLLM's `simplified_list` after `clean`'s lower(): re.sub(r"\([^)]*\)", "",
                // s) — each '(' up to the next ')' removed, an unclosed '(' kept — then
                // re.sub(r"[ ]", "", s).
                let c: Vec<char> = item.to_lowercase().chars().collect();
                let mut out = String::with_capacity(c.len());
                let mut i = 0;
                while i < c.len() {
                    if c[i] == '(' {
                        if let Some(j) = c[i + 1..].iter().position(|&x| x == ')') {
                            i += j + 2;
                            continue;
                        }
                    }
                    if c[i] != ' ' {
                        out.push(c[i]);
                    }
                    i += 1;
                }
                out
            }
        }
    }
}

/// What the variant mode needs to know: the columns (given or found by usual name), the neutral
/// value, the cut-offs and the bootstrap.
#[derive(Debug, Clone)]
pub struct VariantSettings {
    pub prompt: Option<String>,
    pub variant: String,
    pub neutral: String,
    pub attribute: Option<String>,
    pub item: Option<String>,
    pub rank: Option<String>,
    pub score: Option<String>,
    /// The K of each @K, ascending, distinct.
    pub cutoffs: Vec<usize>,
    pub item_match: ItemMatch,
    pub bootstrap: usize,
    pub seed: u64,
    pub confidence: f64,
}

/// One list: its prompt index, attribute, variant value and items in rank order.
#[derive(Debug, Clone)]
struct List {
    prompt: usize,
    key: usize,
    items: Vec<u32>,
}

/// The lists of one file.
#[derive(Debug, Clone)]
pub struct Lists {
    prompts: Vec<String>,
    /// (attribute, value) of each non-neutral key, sorted.
    keys: Vec<(String, String)>,
    neutral: Vec<Option<Vec<u32>>>,
    lists: Vec<List>,
    pub rows: usize,
    pub columns: VariantColumns,
    pub warnings: Vec<String>,
}

/// The columns read, as the report names them.
#[derive(Debug, Clone, Serialize)]
pub struct VariantColumns {
    pub prompt: String,
    pub variant: String,
    pub attribute: Option<String>,
    pub item: String,
    pub rank: Option<String>,
    pub score: Option<String>,
}

/// Reads the lists of `source`: one row per (prompt, variant, item), ordered by `--rank` (1 =
/// top; each list's ranks distinct) or by descending `--score` (ties in file order).
pub fn load(source: &Source, s: &VariantSettings) -> Result<Lists> {
    let d = source.display.clone();
    let mut t = Table::open(source)?;
    let prompt = t
        .column(s.prompt.as_deref(), "--query", PROMPT_NAMES, true)?
        .expect("required");
    let variant = t
        .column(Some(&s.variant), "--variant", &[], true)?
        .expect("required");
    let attribute = t.column(
        s.attribute.as_deref(),
        "--attribute",
        ATTRIBUTE_NAMES,
        false,
    )?;
    let item = t
        .column(s.item.as_deref(), "--item", ITEM_NAMES, true)?
        .expect("required");
    let (rank, score) = match &s.score {
        Some(sc) => (
            None,
            t.column(Some(sc), "--score", &[], true)?.expect("required"),
        ),
        // No flag: a rank column by its usual names, else a `score` column (as the group mode).
        None if s.rank.is_none() && !t.has(RANK_NAMES) && t.has(&["score"]) => (
            None,
            t.column(None, "--score", &["score"], true)?.expect("found"),
        ),
        None => (
            t.column(s.rank.as_deref(), "--rank", RANK_NAMES, true)?,
            String::new(),
        ),
    };
    let scored = rank.is_none();
    t.text(&prompt, "__p");
    t.text(&variant, "__v");
    t.text(&item, "__i");
    if let Some(a) = &attribute {
        t.text(a, "__a");
    }
    match &rank {
        Some(r) => t.number(r, "--rank", "__o")?,
        None => t.number(&score, "--score", "__o")?,
    }
    let opening_notes = t.notes();
    let f = t.read()?;
    let (ps, vs, is) = (f.texts("__p")?, f.texts("__v")?, f.texts("__i")?);
    let attrs = match &attribute {
        Some(_) => f.texts("__a")?,
        None => vec![None; f.rows],
    };
    let order = f.numbers("__o")?;
    let order_flag = if rank.is_some() { "--rank" } else { "--score" };
    let order_col = rank.clone().unwrap_or_else(|| score.clone());

    let mut prompt_ix: HashMap<String, usize> = HashMap::new();
    let mut prompts: Vec<String> = Vec::new();
    let mut item_ix: HashMap<String, u32> = HashMap::new();
    // (prompt, attribute, value) → rows (order key, file row, item)
    type Rows = Vec<(f64, usize, u32)>;
    let mut neutral_rows: BTreeMap<usize, Rows> = BTreeMap::new();
    let mut variant_rows: BTreeMap<(usize, String, String), Rows> = BTreeMap::new();
    let mut skipped_missing = 0usize;
    let mut emptied = 0usize;
    for i in 0..f.rows {
        let line = || source.place(i);
        let (Some(p), Some(v)) = (&ps[i], &vs[i]) else {
            bail!(
                "{d}: {line}: missing {} — every row needs its prompt ({}) and variant ({})",
                if ps[i].is_none() { "prompt" } else { "variant" },
                prompt,
                variant,
                line = line()
            );
        };
        let Some(it) = &is[i] else {
            skipped_missing += 1;
            continue;
        };
        let Some(o) = order[i] else {
            bail!(
                "{d}: {line}: missing value in {order_flag} column '{order_col}'",
                line = line()
            );
        };
        if rank.is_some() && (o < 1.0 || o.fract() != 0.0) {
            bail!(
                "{d}: {line}: rank {o} in '{order_col}' is not a positive whole number (1 = top)",
                line = line()
            );
        }
        let pi = *prompt_ix.entry(p.clone()).or_insert_with(|| {
            prompts.push(p.clone());
            prompts.len() - 1
        });
        let key = s.item_match.key(it);
        if key.is_empty() {
            emptied += 1;
        }
        let next = item_ix.len() as u32;
        let ii = *item_ix.entry(key).or_insert(next);
        let o = if rank.is_some() { o } else { -o };
        if v.trim() == s.neutral {
            neutral_rows.entry(pi).or_default().push((o, i, ii));
        } else {
            let a = match &attribute {
                Some(col) => match &attrs[i] {
                    Some(a) if !a.trim().is_empty() => a.trim().to_string(),
                    _ => bail!(
                        "{d}: {line}: variant '{}' has no attribute in '{col}' (only the \
                         neutral rows, '{}', may leave it empty)",
                        v.trim(),
                        s.neutral,
                        line = line()
                    ),
                },
                None => "all".to_string(),
            };
            variant_rows
                .entry((pi, a, v.trim().to_string()))
                .or_default()
                .push((o, i, ii));
        }
    }
    let mut warnings = opening_notes;
    if skipped_missing > 0 {
        warnings.push(format!(
            "{skipped_missing} row(s) with a missing item in '{item}' were left out"
        ));
    }
    if emptied > 0 {
        warnings.push(format!(
            "{emptied} item(s) in '{item}' are empty once compared ({}): they all match each other",
            match s.item_match {
                ItemMatch::Exact => "blank after trimming",
                ItemMatch::Fairllm => "FaiRLLM's cleaning removes all of e.g. '(Intro)'",
            }
        ));
    }
    if neutral_rows.is_empty() {
        bail!(
            "{d}: no row has the neutral value '{}' in '{variant}'; pass --neutral VALUE (the \
             variant of the prompts that mention no sensitive attribute)",
            s.neutral
        );
    }
    if variant_rows.is_empty() {
        bail!(
            "{d}: every row is neutral ('{}'); there is nothing to compare",
            s.neutral
        );
    }
    let mut duplicates = 0usize;
    let mut finish = |what: &str, mut rows: Rows| -> Result<Vec<u32>> {
        rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        if rank.is_some() {
            if let Some(w) = rows.windows(2).find(|w| w[0].0 == w[1].0) {
                bail!(
                    "{d}: {}: rank {} appears twice in the list of {what}; each list's ranks \
                     must be distinct",
                    source.place(w[1].1),
                    w[1].0
                );
            }
        }
        let mut items = Vec::with_capacity(rows.len());
        for (_, _, it) in rows {
            if items.contains(&it) {
                duplicates += 1;
            } else {
                items.push(it);
            }
        }
        Ok(items)
    };
    let mut neutral = vec![None; prompts.len()];
    for (p, rows) in neutral_rows {
        neutral[p] = Some(finish(&format!("prompt '{}' (neutral)", prompts[p]), rows)?);
    }
    let mut keys: Vec<(String, String)> = variant_rows
        .keys()
        .map(|(_, a, v)| (a.clone(), v.clone()))
        .collect();
    keys.sort();
    keys.dedup();
    let mut lists = Vec::new();
    for ((p, a, v), rows) in variant_rows {
        let key = keys.binary_search(&(a.clone(), v.clone())).expect("key");
        let items = finish(&format!("prompt '{}', variant '{v}'", prompts[p]), rows)?;
        lists.push(List {
            prompt: p,
            key,
            items,
        });
    }
    if duplicates > 0 {
        warnings.push(format!(
            "{duplicates} repeated item(s) within a list were counted once (at their best rank)"
        ));
    }
    Ok(Lists {
        prompts,
        keys,
        neutral,
        lists,
        rows: f.rows,
        columns: VariantColumns {
            prompt,
            variant,
            attribute,
            item,
            rank,
            score: scored.then_some(score),
        },
        warnings,
    })
}

/// A mean similarity over prompts, or why it is undefined, with its interval.
#[derive(Debug, Clone, Serialize)]
pub struct Stat {
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undefined: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval: Option<[f64; 2]>,
    /// Why there is no interval under `--bootstrap` (undefined in some replicates).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interval_undefined: Option<String>,
}

impl Stat {
    fn of(v: Value) -> Stat {
        Stat {
            value: v.ok(),
            undefined: v.err(),
            interval: None,
            interval_undefined: None,
        }
    }
    fn set_interval(&mut self, i: Option<Result<[f64; 2], String>>) {
        match i {
            Some(Ok(x)) => self.interval = Some(x),
            Some(Err(why)) => self.interval_undefined = Some(why),
            None => {}
        }
    }
    fn value(&self) -> Value {
        self.value.ok_or(self.undefined.unwrap_or("undefined"))
    }
}

/// One cut-off's mean similarities of a variant value.
#[derive(Debug, Clone, Serialize)]
pub struct AtK {
    pub k: usize,
    pub jaccard: Stat,
    pub serp_star: Stat,
    pub prag_star: Stat,
}

impl AtK {
    fn get(&self, m: Measure) -> &Stat {
        match m {
            Measure::Jaccard => &self.jaccard,
            Measure::SerpStar => &self.serp_star,
            Measure::PragStar => &self.prag_star,
        }
    }
    fn get_mut(&mut self, m: Measure) -> &mut Stat {
        match m {
            Measure::Jaccard => &mut self.jaccard,
            Measure::SerpStar => &mut self.serp_star,
            Measure::PragStar => &mut self.prag_star,
        }
    }
}

/// A sensitive value of an attribute: how many prompts compared it with their neutral list, and
/// its mean similarities at each K.
#[derive(Debug, Clone, Serialize)]
pub struct VariantValue {
    pub value: String,
    /// Prompts with both this value's list and a neutral list.
    pub prompts: usize,
    /// Prompts with this value's list but no neutral list (not compared).
    pub without_neutral: usize,
    pub similarity: Vec<AtK>,
}

/// SNSR and SNSV of one measure at one K over an attribute's values.
#[derive(Debug, Clone, Serialize)]
pub struct Spread {
    pub k: usize,
    pub measure: Measure,
    pub snsr: Stat,
    pub snsv: Stat,
    /// The values with the highest and the lowest mean similarity (the most and the least
    /// favoured: their lists moved least and most).
    pub most_similar: Option<String>,
    pub least_similar: Option<String>,
}

/// An attribute's values and their spread.
#[derive(Debug, Clone, Serialize)]
pub struct VariantAttribute {
    pub attribute: String,
    pub values: Vec<VariantValue>,
    pub fairness: Vec<Spread>,
}

/// The typed result of the variant mode for one input.
#[derive(Debug, Clone, Serialize)]
pub struct VariantAudit {
    pub columns: VariantColumns,
    pub rows: usize,
    pub prompts: usize,
    /// Prompts without a neutral list: their variant lists are not compared.
    pub prompts_without_neutral: usize,
    pub attributes: Vec<VariantAttribute>,
}

/// Per key, K and measure: a mean similarity.
type Means = Vec<Vec<[Value; 3]>>;
/// Per attribute, K × measure: (SNSR, SNSV).
type Spreads = Vec<Vec<(Value, Value)>>;
/// One bootstrap replicate's means and spreads.
type Replicate = (Means, Spreads);

/// Per list and K, the three similarities to its prompt's neutral list (`None`: no neutral).
fn similarities(lists: &Lists, cutoffs: &[usize]) -> Vec<Option<Vec<[Value; 3]>>> {
    lists
        .lists
        .iter()
        .map(|l| {
            let n = lists.neutral[l.prompt].as_ref()?;
            Some(
                cutoffs
                    .iter()
                    .map(|&k| {
                        let (s, n) = (&l.items[..k.min(l.items.len())], &n[..k.min(n.len())]);
                        MEASURES.map(|m| m.compute(s, n))
                    })
                    .collect(),
            )
        })
        .collect()
}

/// Means over the prompts drawn (`weight[p]` times each) of each key × K × measure.
fn means(lists: &Lists, sims: &[Option<Vec<[Value; 3]>>], weight: &[u32], nk: usize) -> Means {
    let mut sum = vec![vec![[(0.0f64, 0u64); 3]; nk]; lists.keys.len()];
    for (l, s) in lists.lists.iter().zip(sims) {
        let (Some(s), w) = (s, weight[l.prompt]) else {
            continue;
        };
        if w == 0 {
            continue;
        }
        for (ki, vals) in s.iter().enumerate() {
            for (mi, v) in vals.iter().enumerate() {
                if let Ok(x) = v {
                    sum[l.key][ki][mi].0 += x * w as f64;
                    sum[l.key][ki][mi].1 += w as u64;
                }
            }
        }
    }
    sum.iter()
        .map(|per_k| {
            per_k
                .iter()
                .map(|ms| {
                    ms.map(|(s, n)| {
                        if n == 0 {
                            Err("no prompt has both this list and a neutral list")
                        } else {
                            Ok(s / n as f64)
                        }
                    })
                })
                .collect()
        })
        .collect()
}

/// Key indices of each attribute, in key order.
fn attributes(lists: &Lists) -> Vec<(String, Vec<usize>)> {
    let mut out: Vec<(String, Vec<usize>)> = Vec::new();
    for (i, (a, _)) in lists.keys.iter().enumerate() {
        match out.last_mut() {
            Some((name, ks)) if name == a => ks.push(i),
            _ => out.push((a.clone(), vec![i])),
        }
    }
    out
}

/// SNSR and SNSV of each attribute × K × measure from the keys' means.
fn spreads(
    attrs: &[(String, Vec<usize>)],
    m: &[Vec<[Value; 3]>],
    nk: usize,
) -> Vec<Vec<(Value, Value)>> {
    attrs
        .iter()
        .map(|(_, keys)| {
            (0..nk)
                .flat_map(|ki| {
                    (0..3).map(move |mi| {
                        let vals: Vec<f64> =
                            keys.iter().filter_map(|&k| m[k][ki][mi].ok()).collect();
                        spread(&vals)
                    })
                })
                .collect()
        })
        .collect()
}

/// The audit of one file's lists: every similarity, its mean per value, SNSR / SNSV per
/// attribute, and with `bootstrap > 0` percentile intervals from prompts drawn with replacement.
pub fn audit(lists: &Lists, s: &VariantSettings) -> VariantAudit {
    let nk = s.cutoffs.len();
    let sims = similarities(lists, &s.cutoffs);
    let all = vec![1u32; lists.prompts.len()];
    let m = means(lists, &sims, &all, nk);
    let attrs = attributes(lists);
    let sp = spreads(&attrs, &m, nk);

    // Intervals: prompts drawn with replacement, every mean and spread recomputed.
    let reps: Vec<Replicate> = if s.bootstrap > 0 {
        let np = lists.prompts.len();
        replicates(s.bootstrap, s.seed, |_, rng| {
            use rand::Rng;
            let mut w = vec![0u32; np];
            for _ in 0..np {
                w[rng.random_range(0..np)] += 1;
            }
            let m = means(lists, &sims, &w, nk);
            let sp = spreads(&attrs, &m, nk);
            (m, sp)
        })
    } else {
        Vec::new()
    };
    // As audit-ranking's group mode: a value undefined in some replicates has no interval
    // (an interval of the defined replicates only would be too narrow), with the count.
    let interval = |pick: &dyn Fn(&Replicate) -> Value| -> Option<Result<[f64; 2], String>> {
        if reps.is_empty() {
            return None;
        }
        let mut v: Vec<f64> = reps.iter().filter_map(|r| pick(r).ok()).collect();
        if v.len() < reps.len() {
            return Some(Err(format!(
                "undefined in {} of {} bootstrap replicates",
                reps.len() - v.len(),
                reps.len()
            )));
        }
        let (lo, hi) = percentile_interval(&mut v, s.confidence);
        Some(Ok([lo, hi]))
    };

    let mut counts = vec![(0usize, 0usize); lists.keys.len()];
    for l in &lists.lists {
        if lists.neutral[l.prompt].is_some() {
            counts[l.key].0 += 1;
        } else {
            counts[l.key].1 += 1;
        }
    }
    let attributes = attrs
        .iter()
        .enumerate()
        .map(|(ai, (name, keys))| {
            let values = keys
                .iter()
                .map(|&key| VariantValue {
                    value: lists.keys[key].1.clone(),
                    prompts: counts[key].0,
                    without_neutral: counts[key].1,
                    similarity: s
                        .cutoffs
                        .iter()
                        .enumerate()
                        .map(|(ki, &k)| {
                            let mut at = AtK {
                                k,
                                jaccard: Stat::of(m[key][ki][0]),
                                serp_star: Stat::of(m[key][ki][1]),
                                prag_star: Stat::of(m[key][ki][2]),
                            };
                            for (mi, meas) in MEASURES.iter().enumerate() {
                                at.get_mut(*meas)
                                    .set_interval(interval(&|r| r.0[key][ki][mi]));
                            }
                            at
                        })
                        .collect(),
                })
                .collect::<Vec<_>>();
            let fairness = s
                .cutoffs
                .iter()
                .enumerate()
                .flat_map(|(ki, &k)| {
                    let values = &values;
                    let sp = &sp;
                    let interval = &interval;
                    MEASURES.iter().enumerate().map(move |(mi, &meas)| {
                        let (r, v) = sp[ai][ki * 3 + mi];
                        let ranked: Vec<(&str, f64)> = values
                            .iter()
                            .filter_map(|val| {
                                val.similarity[ki]
                                    .get(meas)
                                    .value
                                    .map(|x| (val.value.as_str(), x))
                            })
                            .collect();
                        let best = ranked
                            .iter()
                            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(a.0)))
                            .map(|x| x.0.to_string());
                        let worst = ranked
                            .iter()
                            .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(b.0)))
                            .map(|x| x.0.to_string());
                        // Most / least similar only when the means differ (not on a tie).
                        let distinct =
                            ranked.len() >= 2 && ranked.iter().any(|x| x.1 != ranked[0].1);
                        let mut snsr = Stat::of(r);
                        let mut snsv = Stat::of(v);
                        snsr.set_interval(interval(&|rep| rep.1[ai][ki * 3 + mi].0));
                        snsv.set_interval(interval(&|rep| rep.1[ai][ki * 3 + mi].1));
                        Spread {
                            k,
                            measure: meas,
                            snsr,
                            snsv,
                            // No "most" and "least" when every value's mean is the same.
                            most_similar: best.filter(|_| distinct),
                            least_similar: worst.filter(|_| distinct),
                        }
                    })
                })
                .collect();
            VariantAttribute {
                attribute: name.clone(),
                values,
                fairness,
            }
        })
        .collect();
    VariantAudit {
        columns: lists.columns.clone(),
        rows: lists.rows,
        prompts: lists.prompts.len(),
        prompts_without_neutral: lists.neutral.iter().filter(|n| n.is_none()).count(),
        attributes,
    }
}

/// The gate / CSV name of a measure at K: `jaccard@10`, `snsr_prag_star@20`.
pub fn metric_name(prefix: &str, m: Measure, k: usize) -> String {
    if prefix.is_empty() {
        format!("{}@{k}", m.name())
    } else {
        format!("{prefix}_{}@{k}", m.name())
    }
}

impl VariantAudit {
    /// The flat view: each value's mean similarity at each K (`ATTRIBUTE=VALUE:jaccard@10`)
    /// and each attribute's SNSR / SNSV (`ATTRIBUTE:snsr_jaccard@10`).
    pub fn numbers(&self, file: &str) -> Vec<Number> {
        let mut out = Vec::new();
        let mut push = |level, attr: &str, group: Option<&str>, name: String, st: &Stat| {
            let mut n = Number::new(
                file,
                level,
                Some(attr),
                group,
                &name,
                st.value().map_err(str::to_string),
            );
            if let Some([lo, hi]) = st.interval {
                n.interval = Some(Ok([lo, hi]));
            } else if let Some(why) = &st.interval_undefined {
                n.interval = Some(Err(why.clone()));
            }
            out.push(n);
        };
        for a in &self.attributes {
            for sp in &a.fairness {
                push(
                    Level::Attribute,
                    &a.attribute,
                    None,
                    metric_name("snsr", sp.measure, sp.k),
                    &sp.snsr,
                );
                push(
                    Level::Attribute,
                    &a.attribute,
                    None,
                    metric_name("snsv", sp.measure, sp.k),
                    &sp.snsv,
                );
            }
            for v in &a.values {
                for at in &v.similarity {
                    for m in MEASURES {
                        push(
                            Level::Group,
                            &a.attribute,
                            Some(&v.value),
                            metric_name("", m, at.k),
                            at.get(m),
                        );
                    }
                }
            }
        }
        out
    }

    /// Text (or Markdown) tables: per attribute, the mean similarity of each value at each K,
    /// then SNSR / SNSV.
    pub fn text(&self, s: &VariantSettings, markdown: bool) -> String {
        use crate::render::{grid, markdown_text};
        let mut out = String::new();
        let cell = |st: &Stat| {
            let v = fmt_num(st.value);
            match st.interval {
                Some([lo, hi]) => format!("{v} [{}, {}]", fmt_num(Some(lo)), fmt_num(Some(hi))),
                None => v,
            }
        };
        let neutral = if markdown {
            markdown_text(&s.neutral)
        } else {
            s.neutral.clone()
        };
        out.push_str(&format!(
            "{} prompts ({} without a neutral list); neutral variant '{neutral}'; items compared {}; \
             mean similarity to the neutral list over prompts{}\n\n",
            self.prompts,
            self.prompts_without_neutral,
            match s.item_match {
                ItemMatch::Exact => "as written",
                ItemMatch::Fairllm => "after FaiRLLM's cleaning",
            },
            if s.bootstrap > 0 {
                format!(
                    " [{}% interval, {} replicates over prompts]",
                    (s.confidence * 100.0).round(),
                    s.bootstrap
                )
            } else {
                String::new()
            }
        ));
        for a in &self.attributes {
            // One row per value and K, then SNSR / SNSV per K; the measures as columns.
            let mut head = vec![a.attribute.clone(), "K".to_string(), "prompts".to_string()];
            head.extend(MEASURES.iter().map(|m| m.name().to_string()));
            let mut rows: Vec<Vec<String>> = Vec::new();
            for (ki, &k) in s.cutoffs.iter().enumerate() {
                for v in &a.values {
                    let at = &v.similarity[ki];
                    let mut r = vec![v.value.clone(), k.to_string(), v.prompts.to_string()];
                    r.extend(MEASURES.iter().map(|&m| cell(at.get(m))));
                    rows.push(r);
                }
                for (label, pick) in [("SNSR", true), ("SNSV", false)] {
                    let mut r = vec![label.to_string(), k.to_string(), String::new()];
                    for m in MEASURES {
                        let sp = a.fairness.iter().find(|sp| sp.k == k && sp.measure == m);
                        r.push(sp.map_or_else(String::new, |sp| {
                            cell(if pick { &sp.snsr } else { &sp.snsv })
                        }));
                    }
                    rows.push(r);
                }
            }
            out.push_str(&grid(&head, &rows, markdown, &[], 0));
            // Which values moved most and least, at the largest K, by Jaccard.
            if let Some(sp) = a
                .fairness
                .iter()
                .rev()
                .find(|sp| sp.measure == Measure::Jaccard)
            {
                if let (Some(lo), Some(hi)) = (&sp.least_similar, &sp.most_similar) {
                    let (lo, hi) = if markdown {
                        (markdown_text(lo), markdown_text(hi))
                    } else {
                        (lo.clone(), hi.clone())
                    };
                    out.push_str(&format!(
                        "{}least similar to the neutral lists at K = {}: '{lo}'; most similar: '{hi}' (Jaccard)\n",
                        if markdown { "\n" } else { "" },
                        sp.k
                    ));
                }
            }
            out.push('\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Hand computations. S = sensitive list, N = neutral list (item ids).
    #[test]
    fn jaccard_by_hand() {
        // S = {1,2,3,4}, N = {1,2,5,6}: 2 shared of 6 distinct.
        assert_eq!(jaccard(&[1, 2, 3, 4], &[1, 2, 5, 6]), Ok(2.0 / 6.0));
        assert_eq!(jaccard(&[1, 2], &[2, 1]), Ok(1.0));
        assert!(jaccard(&[], &[]).is_err());
    }

    #[test]
    fn serp_star_by_hand() {
        // K = 4; S = [1,2,3,4], N = [4,1,7,8]: items of S in N are 1 (r=1, weight 4) and
        // 4 (r=4, weight 1): (4 + 1) / (4·5/2) = 5/10.
        assert_eq!(serp_star(&[1, 2, 3, 4], &[4, 1, 7, 8]), Ok(0.5));
        // Equal lists: (4+3+2+1)/10 = 1.
        assert_eq!(serp_star(&[1, 2, 3, 4], &[1, 2, 3, 4]), Ok(1.0));
        // Order within N does not matter, only S's ranks: same as equal lists.
        assert_eq!(serp_star(&[1, 2, 3, 4], &[4, 3, 2, 1]), Ok(1.0));
        assert_eq!(serp_star(&[1, 2], &[3, 4]), Ok(0.0));
        assert!(serp_star(&[1], &[]).is_err());
        // Unequal lengths, L = 7: S = [1..7] holds N = [1..5] at its top: (7+6+5+4+3)/28 < 1.
        assert_eq!(
            serp_star(&[1, 2, 3, 4, 5, 6, 7], &[1, 2, 3, 4, 5]),
            Ok(25.0 / 28.0)
        );
        // S shorter than N, L = 5: S = [1, 2] both in N: (5 + 4)/15.
        assert_eq!(serp_star(&[1, 2], &[1, 2, 3, 4, 5]), Ok(9.0 / 15.0));
    }

    #[test]
    fn prag_star_by_hand() {
        // S = [1,2,3], N = [2,1,4]. Pairs of S: (1,2): 1∈N at 1, 2∈N at 0, 1 < 0? no → 0.
        // (1,3): 1∈N, 3∉N → kept. (2,3): 2∈N, 3∉N → kept. 2 of 3.
        assert_eq!(prag_star(&[1, 2, 3], &[2, 1, 4]), Ok(2.0 / 3.0));
        assert_eq!(prag_star(&[1, 2, 3], &[1, 2, 3]), Ok(1.0));
        // v1 missing from N: never kept. S = [5,1], N = [1,2]: pair (5,1): 5∉N → 0.
        assert_eq!(prag_star(&[5, 1], &[1, 2]), Ok(0.0));
        assert_eq!(prag_star(&[7], &[7]), Ok(1.0));
        assert_eq!(prag_star(&[7], &[7, 8]), Ok(0.0));
        assert!(prag_star(&[], &[1]).is_err());
    }

    #[test]
    fn spread_is_range_and_population_std() {
        // values 0.2, 0.4, 0.9: range 0.7; mean 0.5; var = (0.09+0.01+0.16)/3 = 0.08667.
        let (r, v) = spread(&[0.2, 0.4, 0.9]);
        assert!((r.unwrap() - 0.7).abs() < 1e-12);
        assert!((v.unwrap() - (0.26f64 / 3.0).sqrt()).abs() < 1e-12);
        assert!(spread(&[0.5]).0.is_err());
    }

    #[test]
    fn fairllm_item_cleaning() {
        let m = ItemMatch::Fairllm;
        assert_eq!(m.key("Shape of You (Ed Sheeran)"), m.key("shape of you"));
        // As Python's re.sub(r"\([^)]*\)", "", s).replace(" ", ""): not nested, unclosed kept.
        assert_eq!(m.key("X ((a) b) Y"), "xb)y");
        assert_eq!(m.key("Hello (Live"), "hello(live");
        assert_ne!(m.key("Hello (Live"), m.key("Hello (Remix"));
        assert_eq!(m.key("(Intro)"), "");
        assert_eq!(ItemMatch::Exact.key("  A b "), "A b");
    }
}
