//! RM-Bench records (Liu et al. 2024): per record 3 chosen and 3 rejected scores (concise,
//! detailed, markdown) and a domain; the 3×3 style matrix → easy / normal / hard.

use anyhow::{anyhow, bail, Result};
use rand::Rng;
use serde_json::Value as Json;

use crate::input::Source;
use crate::reward::data::{Codes, Meta};
use crate::reward::metrics;
use crate::reward::panel::{bootstrap, num};
use crate::reward::report::{RewardInput, RmBenchDomain, RmBenchPanel};
use crate::reward::settings::Settings;

/// The records with all 6 scores: (chosen, rejected) per record, and each record's domain.
#[derive(Debug, Clone)]
pub struct Records {
    pub records: Vec<([f64; 3], [f64; 3])>,
    pub domains: Codes,
}

/// Reads RM-Bench records from JSON / JSONL values (the domain from `--subset`, else `domain`
/// or `subset`, pooled by its prefix).
pub fn load(source: &Source, values: &[Json], settings: &Settings) -> Result<(Records, Meta)> {
    let d = &source.display;
    let mut meta = Meta::default();
    let mut records = Vec::new();
    let field = settings.subset.as_deref();
    let three = |v: Option<&Json>, what: &str, i: usize| -> Result<Option<[f64; 3]>> {
        let Some(v) = v else {
            bail!("{d}: record {} has no '{what}' (RM-Bench records hold score_chosen and score_rejected lists of 3 scores: concise, detailed, markdown)", i + 1);
        };
        let Json::Array(a) = v else {
            bail!("{d}: record {}: '{what}' is not a list of 3 scores", i + 1);
        };
        if a.len() != 3 {
            bail!(
                "{d}: record {}: '{what}' has {} scores; RM-Bench records have 3 (concise, detailed, markdown)",
                i + 1,
                a.len()
            );
        }
        let mut s = [0.0; 3];
        for (k, x) in a.iter().enumerate() {
            match x.as_f64() {
                Some(f) if f.is_finite() => s[k] = f,
                Some(_) | None if x.is_null() => return Ok(None),
                _ => bail!("{d}: record {}: '{what}' holds {x}, not a number", i + 1),
            }
        }
        Ok(Some(s))
    };
    let mut domains = Vec::new();
    for (i, v) in values.iter().enumerate() {
        meta.rows_read += 1;
        let Json::Object(o) = v else {
            bail!("{d}: record {} is not a JSON object", i + 1);
        };
        let c = three(o.get("score_chosen"), "score_chosen", i)?;
        let r = three(o.get("score_rejected"), "score_rejected", i)?;
        let (Some(c), Some(r)) = (c, r) else {
            *meta.dropped.entry("missing score".into()).or_default() += 1;
            continue;
        };
        let domain = match field {
            Some(f) => o
                .get(f)
                .ok_or_else(|| anyhow!("{d}: record {} has no field '{f}' (--subset)", i + 1))?,
            None => o
                .get("domain")
                .or_else(|| o.get("subset"))
                .unwrap_or(&Json::Null),
        };
        let domain = match domain {
            Json::String(s) => s.clone(),
            Json::Null => "(all)".to_string(),
            other => other.to_string(),
        };
        // RM-Bench pools domains by prefix: safety-refuse and safety-response are "safety".
        domains.push(domain.split('-').next().unwrap_or("").to_string());
        records.push((c, r));
    }
    if records.is_empty() {
        bail!("{d}: no record has all 6 scores");
    }
    let domains = Codes::from_strings(domains);
    Ok((Records { records, domains }, meta))
}

/// RM-Bench: per domain the 3×3 style matrix, easy / normal / hard and their mean; overall the
/// means over domains.
pub fn panel(data: &Records, settings: &Settings, r: &mut RewardInput) {
    r.pairs_used = data.records.len() as u64;
    let names = &data.domains.names;
    let by_domain: Vec<Vec<([f64; 3], [f64; 3])>> = (0..names.len())
        .map(|d| {
            data.records
                .iter()
                .zip(&data.domains.codes)
                .filter(|(_, &c)| c as usize == d)
                .map(|(x, _)| *x)
                .collect()
        })
        .collect();
    let numbers = |groups: &[Vec<([f64; 3], [f64; 3])>]| -> Vec<(String, f64)> {
        let mut out = Vec::new();
        let (mut e, mut n, mut h) = (0.0, 0.0, 0.0);
        for (name, recs) in names.iter().zip(groups) {
            let (easy, normal, hard) = metrics::easy_normal_hard(&metrics::style_matrix(recs));
            out.push((format!("rm_bench.{name}"), (easy + normal + hard) / 3.0));
            out.push((format!("rm_bench.{name}.easy"), easy));
            out.push((format!("rm_bench.{name}.normal"), normal));
            out.push((format!("rm_bench.{name}.hard"), hard));
            e += easy;
            n += normal;
            h += hard;
        }
        let k = groups.len() as f64;
        out.push(("rm_bench.easy".into(), e / k));
        out.push(("rm_bench.normal".into(), n / k));
        out.push(("rm_bench.hard".into(), h / k));
        out.push(("rm_bench.score".into(), (e + n + h) / (3.0 * k)));
        out
    };
    let figures = numbers(&by_domain);
    for (k, v) in &figures {
        r.metrics.insert(k.clone(), num(*v));
    }
    // The overall figures come last (a domain named like one is overwritten, as in `metrics`).
    let overall = |k: &str| {
        let k = format!("rm_bench.{k}");
        figures
            .iter()
            .rev()
            .find(|(n, _)| *n == k)
            .map_or(f64::NAN, |x| x.1)
    };
    let domains = names
        .iter()
        .zip(&by_domain)
        .map(|(name, recs)| {
            let m = metrics::style_matrix(recs);
            let (easy, normal, hard) = metrics::easy_normal_hard(&m);
            RmBenchDomain {
                domain: name.clone(),
                records: recs.len(),
                matrix: m,
                easy,
                normal,
                hard,
                score: (easy + normal + hard) / 3.0,
            }
        })
        .collect();
    r.rm_bench = Some(RmBenchPanel {
        styles: ["concise", "detailed", "markdown"],
        matrix: metrics::style_matrix(&data.records),
        domains,
        easy: overall("easy"),
        normal: overall("normal"),
        hard: overall("hard"),
        score: overall("score"),
    });
    if settings.bootstrap > 0 {
        let iv = bootstrap(settings.bootstrap, settings.seed, settings.ci, |rng| {
            let drawn: Vec<Vec<([f64; 3], [f64; 3])>> = by_domain
                .iter()
                .map(|recs| {
                    (0..recs.len())
                        .map(|_| recs[rng.random_range(0..recs.len())])
                        .collect()
                })
                .collect();
            numbers(&drawn)
        });
        r.intervals.extend(iv);
    }
}
