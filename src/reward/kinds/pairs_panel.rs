//! The panels of a pairs file: accuracy overall and per subset, ties, RewardBench v1 scoring,
//! and bootstrap intervals clustered by prompt within subset; then length, calibration, groups.

use std::collections::HashMap;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::json;

use crate::render::Warning;
use crate::reward::data::Pairs;
use crate::reward::kinds::pairs::PairsInput;
use crate::reward::metrics::{self, Tally};
use crate::reward::panel::{bootstrap, num, put};
use crate::reward::panels;
use crate::reward::report::{RewardInput, SubsetReport};
use crate::reward::rewardbench::{core_micro, rewardbench, rewardbench_json};
use crate::reward::settings::{Preset, Settings, Ties};

/// Tallies per (subset, prompt) cluster: what the bootstrap resamples. A cluster keeps one tally
/// per *slot*: slot 0 is every pair, then one slot per group of each --group column.
struct Clusters {
    /// Per subset: each prompt's (slot, tally) list, laid out flat.
    per_subset: Vec<Flat>,
    slots: usize,
    /// Per group column: its first slot and its group names.
    group_slots: Vec<(String, usize, Vec<String>)>,
}

/// One subset's clusters (prompts) in flat arrays. The (slot, tally) entries a cluster can
/// hold are few (a prompt's pairs are mostly one or a few, each correct, wrong or tied), so
/// each distinct entry is stored once (`slot`, `tally`) and cluster c lists its entries' ids
/// in `entry[start[c]..start[c + 1]]`: a replicate adds up small integer counts per entry
/// instead of reading every cluster's tallies.
struct Flat {
    start: Vec<u32>,
    entry: Vec<u32>,
    /// Per distinct entry: its slot and tally.
    slot: Vec<u32>,
    tally: Vec<Tally>,
}

impl Flat {
    fn new(clusters: &[Vec<(u32, Tally)>]) -> Flat {
        let mut f = Flat {
            start: Vec::with_capacity(clusters.len() + 1),
            entry: Vec::new(),
            slot: Vec::new(),
            tally: Vec::new(),
        };
        let mut ids: HashMap<(u32, u64, u64, u64, u64), u32> = HashMap::new();
        f.start.push(0);
        for c in clusters {
            for (slot, t) in c {
                let key = (*slot, t.credit.to_bits(), t.counted, t.pairs, t.ties);
                let next = f.slot.len() as u32;
                let id = *ids.entry(key).or_insert(next);
                if id == next {
                    f.slot.push(*slot);
                    f.tally.push(*t);
                }
                f.entry.push(id);
            }
            f.start.push(f.entry.len() as u32);
        }
        f
    }

    fn len(&self) -> usize {
        self.start.len() - 1
    }
}

impl Clusters {
    fn new(p: &Pairs, settings: &Settings) -> Clusters {
        let k = p.subset.names.len();
        let mut group_slots = Vec::new();
        let mut slots = 1;
        for (name, codes) in &p.groups {
            group_slots.push((name.clone(), slots, codes.names.clone()));
            slots += codes.names.len();
        }
        let mut index: Vec<HashMap<u32, usize>> = vec![HashMap::new(); k];
        let mut per_subset: Vec<Vec<Vec<(u32, Tally)>>> = vec![Vec::new(); k];
        for i in 0..p.chosen.len() {
            let s = p.subset.codes[i] as usize;
            let next = per_subset[s].len();
            let c = *index[s].entry(p.prompt[i]).or_insert(next);
            if c == next {
                per_subset[s].push(Vec::new());
            }
            let cluster = &mut per_subset[s][c];
            let mut add = |slot: u32| match cluster.iter_mut().find(|(x, _)| *x == slot) {
                Some((_, t)) => t.add(p.chosen[i], p.rejected[i], settings.ties),
                None => {
                    let mut t = Tally::default();
                    t.add(p.chosen[i], p.rejected[i], settings.ties);
                    cluster.push((slot, t));
                }
            };
            add(0);
            for ((_, codes), (_, first, _)) in p.groups.iter().zip(&group_slots) {
                add((*first + codes.codes[i] as usize) as u32);
            }
        }
        Clusters {
            per_subset: per_subset.iter().map(|c| Flat::new(c)).collect(),
            slots,
            group_slots,
        }
    }

    /// One replicate: per subset, as many prompts drawn with replacement as it has; the
    /// tallies of every slot.
    fn replicate(&self, rng: &mut ChaCha8Rng) -> Vec<Vec<Tally>> {
        self.per_subset
            .iter()
            .map(|clusters| {
                // The same draws as merging each drawn cluster in turn; counted first, then
                // merged in cluster order, front to back through flat arrays (credits are
                // multiples of ½: the sums are the same whatever the order).
                let n = clusters.len();
                let mut times = vec![0u32; n];
                for _ in 0..n {
                    times[rng.random_range(0..n)] += 1;
                }
                // How often each distinct entry is drawn, then its tally that many times (the
                // credits are multiples of ½ and the rest counts: exact sums in any order).
                let mut drawn = vec![0u64; clusters.tally.len()];
                for (c, &k) in times.iter().enumerate() {
                    if k > 0 {
                        for &e in &clusters.entry
                            [clusters.start[c] as usize..clusters.start[c + 1] as usize]
                        {
                            drawn[e as usize] += u64::from(k);
                        }
                    }
                }
                let mut t = vec![Tally::default(); self.slots];
                for (e, &k) in drawn.iter().enumerate() {
                    if k > 0 {
                        t[clusters.slot[e] as usize].merge_times(&clusters.tally[e], k);
                    }
                }
                t
            })
            .collect()
    }

    /// Per group column: each group's accuracy and the accuracy difference / ratio, from the
    /// slot tallies summed over subsets.
    fn group_numbers(&self, per_subset: &[Vec<Tally>]) -> Vec<(String, f64)> {
        let mut total = vec![Tally::default(); self.slots];
        for t in per_subset {
            for (a, b) in total.iter_mut().zip(t) {
                a.merge(b);
            }
        }
        let mut out = Vec::new();
        for (name, first, groups) in &self.group_slots {
            let accs: Vec<f64> = (0..groups.len())
                .filter_map(|g| total[first + g].accuracy().ok().map(|a| (g, a)))
                .map(|(g, a)| {
                    out.push((format!("group\u{1f}{name}\u{1f}{}", groups[g]), a));
                    a
                })
                .collect();
            if !accs.is_empty() {
                let max = accs.iter().copied().fold(f64::MIN, f64::max);
                let min = accs.iter().copied().fold(f64::MAX, f64::min);
                out.push((
                    format!("groupd\u{1f}{name}\u{1f}accuracy_difference"),
                    max - min,
                ));
                if max > 0.0 {
                    out.push((format!("groupd\u{1f}{name}\u{1f}accuracy_ratio"), min / max));
                }
            }
        }
        out
    }
}

/// The accuracy-derived numbers of a set of subset tallies (what the bootstrap recomputes).
fn accuracy_numbers(
    subsets: &[String],
    slots: &[Vec<Tally>],
    preset: bool,
    legacy: bool,
) -> Vec<(String, f64)> {
    let tallies: Vec<Tally> = slots.iter().map(|t| t[0]).collect();
    let tallies = &tallies[..];
    let mut out = Vec::new();
    let mut all = Tally::default();
    for (s, t) in subsets.iter().zip(tallies) {
        all.merge(t);
        if let Ok(a) = t.accuracy() {
            out.push((format!("subset\u{1f}{s}"), a));
        }
    }
    if let Ok(a) = all.accuracy() {
        out.push(("accuracy".into(), a));
    }
    if preset {
        let acc = |name: &str| {
            subsets
                .iter()
                .position(|s| s == name)
                .and_then(|i| tallies[i].accuracy().ok())
        };
        let (values, _) = rewardbench(&acc, legacy, core_micro(subsets, tallies));
        for (k, v) in values {
            if let Ok(x) = v {
                out.push((format!("rewardbench.{k}"), x));
            }
        }
    }
    out
}

/// The pairs panels of one input (see the module comment).
pub fn panel(
    l: &PairsInput,
    settings: &Settings,
    r: &mut RewardInput,
    warnings: &mut Vec<Warning>,
) {
    let p = &l.pairs;
    let n = p.chosen.len();
    r.pairs_used = n as u64;
    let names = &p.subset.names;
    let mut tallies = vec![Tally::default(); names.len()];
    let mut all = Tally::default();
    for i in 0..n {
        tallies[p.subset.codes[i] as usize].add(p.chosen[i], p.rejected[i], settings.ties);
        all.add(p.chosen[i], p.rejected[i], settings.ties);
    }
    // --preset rewardbench: a pair with a NaN or missing score is a wrong pair, as in
    // RewardBench.
    let mut nan_total = 0;
    for (s, &k) in &l.nan_pairs {
        match names.iter().position(|x| x == s) {
            Some(i) => {
                for t in [&mut tallies[i], &mut all] {
                    t.pairs += k;
                    t.counted += k;
                }
                nan_total += k;
            }
            None => warnings.push(Warning::new(
                &r.path,
                None,
                format!("subset '{s}' has only pairs with a NaN score ({k}); it is left out"),
            )),
        }
    }
    if nan_total > 0 {
        warnings.push(Warning::new(
            &r.path,
            None,
            format!(
                "{nan_total} pairs with a NaN (or missing) score are counted as wrong, as RewardBench counts them (chosen > rejected is false); bootstrap intervals leave them out"
            ),
        ));
        r.metrics.insert("nan_pairs".into(), json!(nan_total));
    }
    put(&mut r.metrics, &mut r.undefined, "accuracy", all.accuracy());
    r.metrics.insert("pairs".into(), json!(all.pairs));
    r.metrics.insert("ties".into(), json!(all.ties));
    r.metrics
        .insert("tie_share".into(), num(all.ties as f64 / all.pairs as f64));
    if all.ties > 0 {
        warnings.push(Warning::new(
            &r.path,
            None,
            format!(
                "{} of {} pairs are ties (equal scores), counted as {}",
                all.ties,
                all.pairs,
                match settings.ties {
                    Ties::Wrong => "wrong (--ties wrong)",
                    Ties::Half => "half right (--ties half)",
                    Ties::Exclude => "excluded (--ties exclude)",
                }
            ),
        ));
    }
    for (s, t) in names.iter().zip(&tallies) {
        let a = t.accuracy();
        r.subsets.push(SubsetReport {
            subset: s.clone(),
            pairs: Some(t.pairs),
            ties: Some(t.ties),
            accuracy: a.ok(),
            interval: None,
            undefined: a.err().map(str::to_string),
        });
    }
    let preset = settings.preset == Preset::Rewardbench;
    if preset {
        let acc = |name: &str| {
            names
                .iter()
                .position(|s| s == name)
                .and_then(|i| tallies[i].accuracy().ok())
        };
        let (values, missing) =
            rewardbench(&acc, settings.legacy_xstest, core_micro(names, &tallies));
        let unknown: Vec<&str> = names
            .iter()
            .filter(|s| {
                metrics::subset_size(s).is_none() && !metrics::PRIOR_SETS.contains(&s.as_str())
            })
            .map(String::as_str)
            .collect();
        if !unknown.is_empty() {
            warnings.push(Warning::new(
                &r.path,
                None,
                format!(
                    "subsets that are not RewardBench's are left out of its scores: {}",
                    unknown.join(", ")
                ),
            ));
        }
        rewardbench_json(&values, settings.legacy_xstest, &missing, r, warnings);
    }
    if let Some((lc, lr)) = &p.lengths {
        panels::length(p, lc, lr, settings, r);
    }
    panels::calibration(p, settings, r);
    panels::groups(p, settings, r);
    if settings.bootstrap > 0 {
        let clusters = Clusters::new(p, settings);
        let iv = bootstrap(settings.bootstrap, settings.seed, settings.ci, |rng| {
            let rep = clusters.replicate(rng);
            let mut out = accuracy_numbers(names, &rep, preset, settings.legacy_xstest);
            out.extend(clusters.group_numbers(&rep));
            out
        });
        for (k, v) in iv {
            let parts: Vec<&str> = k.split('\u{1f}').collect();
            match parts.as_slice() {
                ["subset", s] => {
                    if let Some(sr) = r.subsets.iter_mut().find(|x| x.subset == *s) {
                        sr.interval = serde_json::from_value(v).ok();
                    }
                }
                ["group", column, group] => {
                    let panel = r.groups.iter_mut().find(|g| g.column == *column);
                    let rows = panel.map(|g| &mut g.groups).into_iter().flatten();
                    if let Some(row) = rows.into_iter().find(|x| x.group == *group) {
                        row.accuracy_interval = serde_json::from_value(v).ok();
                    }
                }
                ["groupd", column, key] => {
                    if let Some(g) = r.groups.iter_mut().find(|g| g.column == *column) {
                        if let Ok(iv) = serde_json::from_value(v) {
                            g.disparities_bootstrap.insert(key.to_string(), iv);
                        }
                    }
                }
                _ => {
                    r.intervals.insert(k, v);
                }
            }
        }
    }
}
