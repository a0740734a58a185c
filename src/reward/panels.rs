//! The panels of one input: accuracy (overall and per subset), RewardBench and RM-Bench scoring,
//! length bias, calibration, groups, and bootstrap intervals clustered by prompt.

use std::collections::{BTreeMap, HashMap};

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value as Json};

use super::load::{Codes, Loaded};
use super::metrics::{self, Tally};
use super::settings::{Preset, RewardKind, Settings, Ties};
use crate::render::Dropped;
use crate::render::Warning;
use crate::reward::report::{RewardInput, SubsetReport};
use crate::stats::bootstrap::{self, percentile};
use crate::stats::disparity::disparity;
use crate::stats::Binning;
use crate::stats::Value;

/// A number as JSON (null when not finite).
fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

/// Puts a value, or null and the reason, into (values, undefined).
fn put(m: &mut Map<String, Json>, u: &mut Map<String, Json>, k: &str, v: Value) {
    match v {
        Ok(x) => {
            m.insert(k.into(), num(x));
        }
        Err(why) => {
            m.insert(k.into(), Json::Null);
            u.insert(k.into(), Json::String(why.into()));
        }
    }
}

pub fn input_report(l: &Loaded, settings: &Settings, warnings: &mut Vec<Warning>) -> RewardInput {
    let file = l.source.display.clone();
    let mut r = RewardInput {
        path: file.clone(),
        format: l.source.format.name().to_string(),
        kind: l.kind.name().into(),
        rows_read: l.rows_read,
        pairs_used: 0,
        rows_dropped: Dropped::list(&l.dropped),
        columns: l.columns.clone(),
        metrics: Map::new(),
        undefined: Map::new(),
        intervals: Map::new(),
        subsets: Vec::new(),
        rewardbench: None,
        rm_bench: None,
        length: None,
        calibration: None,
        groups: Vec::new(),
        rewardbench2: None,
        best_of_n: None,
        ensemble: None,
        policy: None,
        counterfactual: None,
        comparison: None,
    };
    if !l.dropped.is_empty() {
        let dropped: Vec<String> = l.dropped.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        warnings.push(Warning::new(
            &file,
            None,
            format!(
                "{} of {} rows dropped ({})",
                l.dropped.values().sum::<u64>(),
                l.rows_read,
                dropped.join(", ")
            ),
        ));
    }
    match l.kind {
        RewardKind::Accuracies => accuracies(l, settings, &mut r, warnings),
        RewardKind::RmBench => styled(l, settings, &mut r),
        RewardKind::BestOfN => best_of_n(l, &mut r),
        RewardKind::Ensemble => ensemble(l, settings, &mut r, warnings),
        RewardKind::PerPolicy => policy(l, settings, &mut r, warnings),
        RewardKind::Counterfactual => counterfactual(l, settings, &mut r),
        RewardKind::Rewardbench2 => candidates(l, settings, &mut r, warnings),
        _ => {
            pairs(l, settings, &mut r, warnings);
            if let Some(other) = &l.other {
                comparison(l, other, settings, &mut r);
            }
        }
    }
    r
}

/// Puts `v` under `panel` (with its reason) and under `prefix.name` in the headline numbers.
fn headline(
    r: &mut RewardInput,
    panel: &mut Map<String, Json>,
    u: &mut Map<String, Json>,
    prefix: &str,
    name: &str,
    v: Value,
) {
    put(panel, u, name, v);
    put(
        &mut r.metrics,
        &mut r.undefined,
        &format!("{prefix}.{name}"),
        v,
    );
}

fn best_of_n(l: &Loaded, r: &mut RewardInput) {
    let p = l.best_of_n.as_ref().expect("best-of-n data");
    let pts = super::bon::curve(&p.pools);
    r.pairs_used = p.pools.iter().map(|x| x.len() as u64).sum();
    let fit = super::bon::fit(&pts);
    let mut m = Map::new();
    let mut u = Map::new();
    m.insert("prompts".into(), json!(p.pools.len()));
    m.insert("max_n".into(), json!(pts.len()));
    m.insert("columns".into(), json!(p.columns));
    m.insert(
        "curve".into(),
        Json::Array(
            pts.iter()
                .map(|x| {
                    json!({"n": x.n, "kl": num(x.kl), "proxy": num(x.proxy), "gold": num(x.gold),
                           "gap": num(x.proxy - x.gold)})
                })
                .collect(),
        ),
    );
    let first = &pts[0];
    let last = pts.last().expect("n = 1 at least");
    let observed = pts
        .iter()
        .max_by(|a, b| a.gold.total_cmp(&b.gold).then(b.n.cmp(&a.n)))
        .expect("points");
    for (k, v) in [
        ("alpha", fit.alpha),
        ("beta", fit.beta),
        ("r2", fit.r2),
        ("peak_n", fit.peak_n),
        ("peak_kl", fit.peak_kl),
        ("observed_peak_n", Ok(observed.n as f64)),
        ("gold_gain", Ok(last.gold - first.gold)),
        ("proxy_gain", Ok(last.proxy - first.proxy)),
        (
            "gain_gap",
            Ok((last.proxy - first.proxy) - (last.gold - first.gold)),
        ),
    ] {
        headline(r, &mut m, &mut u, "bon", k, v);
    }
    m.insert("undefined".into(), Json::Object(u));
    r.best_of_n = Some(Json::Object(m));
}

fn ensemble(l: &Loaded, settings: &Settings, r: &mut RewardInput, warnings: &mut Vec<Warning>) {
    use super::ensemble as en;
    let e = l.ensemble.as_ref().expect("ensemble data");
    let n = e.ids.len();
    r.pairs_used = n as u64;
    let st = en::strength(e);
    let mut m = Map::new();
    let mut u = Map::new();
    m.insert("models".into(), json!(e.models));
    let decisions: Vec<Vec<bool>> = e
        .margins
        .iter()
        .map(|v| v.iter().map(|&x| x > 0.0).collect())
        .collect();
    let per_model: Vec<Json> = e
        .models
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let mut t = Tally::default();
            for &x in &e.margins[k] {
                t.add(x, 0.0, settings.ties);
            }
            json!({"model": name, "accuracy": t.accuracy().map(num).unwrap_or(Json::Null), "ties": t.ties})
        })
        .collect();
    m.insert("per_model".into(), Json::Array(per_model));
    let mut mean_t = Tally::default();
    for &(mean, _) in &st {
        mean_t.add(mean, 0.0, settings.ties);
    }
    headline(
        r,
        &mut m,
        &mut u,
        "ensemble",
        "accuracy_of_mean",
        mean_t.accuracy(),
    );
    let neg = st.iter().filter(|x| x.0 < 0.0).count();
    headline(
        r,
        &mut m,
        &mut u,
        "ensemble",
        "share_contradicted",
        Ok(neg as f64 / n as f64),
    );
    headline(
        r,
        &mut m,
        &mut u,
        "ensemble",
        "mean_std",
        Ok(st.iter().map(|x| x.1).sum::<f64>() / n as f64),
    );
    headline(
        r,
        &mut m,
        &mut u,
        "ensemble",
        "fleiss_kappa",
        en::fleiss_kappa(&decisions),
    );
    let mut pairs_k = Vec::new();
    for a in 0..e.models.len() {
        for b in a + 1..e.models.len() {
            let k = en::cohen_kappa(&decisions[a], &decisions[b]);
            pairs_k.push(json!({"a": e.models[a], "b": e.models[b],
                                "cohen_kappa": k.map(num).unwrap_or(Json::Null)}));
            if e.models.len() == 2 {
                headline(r, &mut m, &mut u, "ensemble", "cohen_kappa", k);
            }
        }
    }
    m.insert("cohen_kappa".into(), Json::Array(pairs_k));
    // Deciles of preference strength: pairs sorted by mean margin, ten groups of equal mass.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| st[a].0.total_cmp(&st[b].0));
    let deciles: Vec<Json> = metrics::split_even(n, 10)
        .into_iter()
        .filter(|(lo, hi)| lo < hi)
        .map(|(lo, hi)| {
            let part = &order[lo..hi];
            let k = part.len() as f64;
            json!({
                "lower": num(st[part[0]].0), "upper": num(st[part[part.len() - 1]].0),
                "pairs": part.len(),
                "mean_margin": num(part.iter().map(|&i| st[i].0).sum::<f64>() / k),
                "mean_std": num(part.iter().map(|&i| st[i].1).sum::<f64>() / k),
            })
        })
        .collect();
    m.insert("deciles".into(), Json::Array(deciles));
    if settings.bootstrap > 0 {
        // Pairs resampled with replacement (each pair its own cluster).
        let iv = bootstrap(settings.bootstrap, settings.seed, settings.ci, |rng| {
            let draw: Vec<usize> = (0..n).map(|_| rng.random_range(0..n)).collect();
            let mut out = Vec::new();
            let mut mean_t = Tally::default();
            let mut neg = 0usize;
            for &i in &draw {
                mean_t.add(st[i].0, 0.0, settings.ties);
                neg += usize::from(st[i].0 < 0.0);
            }
            if let Ok(a) = mean_t.accuracy() {
                out.push(("ensemble.accuracy_of_mean".to_string(), a));
            }
            out.push(("ensemble.share_contradicted".into(), neg as f64 / n as f64));
            for (k, name) in e.models.iter().enumerate() {
                let mut t = Tally::default();
                for &i in &draw {
                    t.add(e.margins[k][i], 0.0, settings.ties);
                }
                if let Ok(a) = t.accuracy() {
                    out.push((format!("model\u{1f}{name}"), a));
                }
            }
            out
        });
        for (k, v) in iv {
            match k.strip_prefix("model\u{1f}") {
                Some(name) => {
                    if let Some(Json::Array(rows)) = m.get_mut("per_model") {
                        if let Some(row) = rows.iter_mut().find(|x| x["model"] == name) {
                            row["accuracy_interval"] = v;
                        }
                    }
                }
                None => {
                    r.intervals.insert(k, v);
                }
            }
        }
    }
    m.insert("undefined".into(), Json::Object(u));
    r.ensemble = Some(Json::Object(m));
    if let Some(path) = &settings.export_suspect {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut rows = vec![vec![
            "id".to_string(),
            "subset".into(),
            "mean_margin".into(),
            "std_margin".into(),
        ]];
        for &i in order.iter().filter(|&&i| st[i].0 < 0.0) {
            rows.push(vec![
                e.ids[i].clone(),
                e.subsets[i].clone(),
                st[i].0.to_string(),
                st[i].1.to_string(),
            ]);
        }
        let written = rows
            .iter()
            .try_for_each(|row| w.write_record(row))
            .map_err(anyhow::Error::from)
            .and_then(|_| w.into_inner().map_err(|e| anyhow::anyhow!("{e}")))
            .map(|bytes| {
                crate::render::defer_write(path, String::from_utf8_lossy(&bytes).into_owned())
            });
        match written {
            Ok(()) => warnings.push(Warning::new(
                &r.path,
                None,
                format!("{neg} suspect pairs written to {}", path.display()),
            )),
            Err(e) => warnings.push(Warning::new(
                &r.path,
                None,
                format!("could not write --export-suspect {}: {e}", path.display()),
            )),
        }
    }
}

fn policy(l: &Loaded, settings: &Settings, r: &mut RewardInput, warnings: &mut Vec<Warning>) {
    use super::policy as po;
    let p = l.policies.as_ref().expect("policy data");
    r.pairs_used = p.responses.iter().sum();
    let means: Vec<f64> = p
        .scores
        .iter()
        .map(|m| m.values().sum::<f64>() / m.len() as f64)
        .collect();
    let reference = match &settings.reference_model {
        Some(name) => p.models.iter().position(|m| m == name),
        None => {
            (0..p.models.len()).max_by(|&a, &b| p.responses[a].cmp(&p.responses[b]).then(b.cmp(&a)))
        }
    };
    let mut m = Map::new();
    let mut u = Map::new();
    let Some(reference) = reference else {
        warnings.push(Warning::new(
            &r.path,
            None,
            format!(
                "--reference-model '{}' is not a policy model of the file ({})",
                settings.reference_model.as_deref().unwrap_or(""),
                p.models.join(", ")
            ),
        ));
        return;
    };
    m.insert("reference_model".into(), json!(p.models[reference]));
    let elo = l.policy_elo.clone();
    let mut rows = Vec::new();
    let mut mismatches = Vec::new();
    for (k, name) in p.models.iter().enumerate() {
        let (wr, shared) = po::win_rate(&p.scores[k], &p.scores[reference]);
        let mut row = json!({
            "model": name,
            "responses": p.responses[k],
            "prompts": p.scores[k].len(),
            "mean_score": num(means[k]),
            "win_rate_vs_reference": if k == reference { Json::Null } else { wr.map(num).unwrap_or(Json::Null) },
            "shared_prompts": shared,
        });
        if let Some(elo) = &elo {
            let expected = po::elo_expected(elo[name], elo[&p.models[reference]]);
            row["elo"] = num(elo[name]);
            if k != reference {
                row["elo_expected_win_rate"] = num(expected);
                if let Ok(w) = wr {
                    row["mismatch_degree"] = num(w - expected);
                    mismatches.push(w - expected);
                }
            }
        }
        rows.push(row);
    }
    m.insert("models".into(), Json::Array(rows));
    if let Some(elo) = &elo {
        let ratings: Vec<f64> = p.models.iter().map(|n| elo[n]).collect();
        headline(
            r,
            &mut m,
            &mut u,
            "policy",
            "spearman",
            crate::stats::correlation::spearman(&means, &ratings),
        );
        headline(
            r,
            &mut m,
            &mut u,
            "policy",
            "kendall",
            crate::stats::correlation::kendall_tau_b(&means, &ratings),
        );
        let (max, mean) = if mismatches.is_empty() {
            (
                Err("no model shares prompts with the reference"),
                Err("no model shares prompts with the reference"),
            )
        } else {
            (
                Ok(mismatches.iter().map(|x| x.abs()).fold(0.0, f64::max)),
                Ok(mismatches.iter().sum::<f64>() / mismatches.len() as f64),
            )
        };
        headline(r, &mut m, &mut u, "policy", "max_abs_mismatch", max);
        headline(r, &mut m, &mut u, "policy", "mean_mismatch", mean);
    }
    m.insert("undefined".into(), Json::Object(u));
    r.policy = Some(Json::Object(m));
}

fn counterfactual(l: &Loaded, settings: &Settings, r: &mut RewardInput) {
    let c = l.counterfactual.as_ref().expect("counterfactual data");
    let all: Vec<f64> = c.by_attribute.values().flatten().copied().collect();
    r.pairs_used = all.len() as u64;
    let mut m = Map::new();
    let mut u = Map::new();
    m.insert("epsilon".into(), num(settings.epsilon));
    let rows: Vec<Json> = c
        .by_attribute
        .iter()
        .map(|(a, d)| {
            let (inv, mean_abs, mean, max) = super::counterfactual::summary(d, settings.epsilon);
            json!({"attribute": a, "pairs": d.len(), "invariance_rate": num(inv),
                   "mean_abs_delta": num(mean_abs), "mean_delta": num(mean), "max_abs_delta": num(max)})
        })
        .collect();
    m.insert("attributes".into(), Json::Array(rows));
    let (inv, mean_abs, mean, max) = super::counterfactual::summary(&all, settings.epsilon);
    for (k, v) in [
        ("invariance_rate", inv),
        ("mean_abs_delta", mean_abs),
        ("mean_delta", mean),
        ("max_abs_delta", max),
    ] {
        headline(r, &mut m, &mut u, "counterfactual", k, Ok(v));
    }
    m.insert("undefined".into(), Json::Object(u));
    r.counterfactual = Some(Json::Object(m));
}

/// --compare: McNemar's exact test per subset (Holm over subsets) and overall; score drift.
fn comparison(l: &Loaded, other: &Loaded, settings: &Settings, r: &mut RewardInput) {
    use super::compare as cmp;
    let (a, b) = (l.compare_base.as_ref().unwrap_or(&l.pairs), &other.pairs);
    let mut m = Map::new();
    let mut u = Map::new();
    m.insert("other".into(), json!(other.source.display));
    let per = cmp::discordant(a, b, settings.ties);
    let ps: Vec<f64> = per.iter().map(|&(x, y)| cmp::mcnemar_exact(x, y)).collect();
    let adj = cmp::holm(&ps);
    let rows: Vec<Json> = a
        .subset
        .names
        .iter()
        .enumerate()
        .map(|(i, s)| {
            json!({"subset": s, "only_this_right": per[i].0, "only_other_right": per[i].1,
                             "p_value": num(ps[i]), "p_holm": num(adj[i])})
        })
        .collect();
    m.insert("subsets".into(), Json::Array(rows));
    let (bb, cc) = per.iter().fold((0, 0), |acc, x| (acc.0 + x.0, acc.1 + x.1));
    m.insert("only_this_right".into(), json!(bb));
    m.insert("only_other_right".into(), json!(cc));
    headline(
        r,
        &mut m,
        &mut u,
        "compare",
        "p_value",
        Ok(cmp::mcnemar_exact(bb, cc)),
    );
    headline(
        r,
        &mut m,
        &mut u,
        "compare",
        "min_p_holm",
        Ok(adj.iter().copied().fold(1.0, f64::min)),
    );
    let (mut ta, mut tb) = (Tally::default(), Tally::default());
    for i in 0..a.chosen.len() {
        ta.add(a.chosen[i], a.rejected[i], settings.ties);
        tb.add(b.chosen[i], b.rejected[i], settings.ties);
    }
    headline(
        r,
        &mut m,
        &mut u,
        "compare",
        "accuracy_difference",
        match (ta.accuracy(), tb.accuracy()) {
            (Ok(x), Ok(y)) => Ok(x - y),
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
    );
    let (max, flips) = cmp::drift(a, b);
    headline(
        r,
        &mut m,
        &mut u,
        "compare",
        "max_abs_score_change",
        Ok(max),
    );
    headline(
        r,
        &mut m,
        &mut u,
        "compare",
        "decision_flips",
        Ok(flips as f64),
    );
    m.insert("undefined".into(), Json::Object(u));
    r.comparison = Some(Json::Object(m));
}

/// Subset accuracies → RewardBench v1's numbers: the four section scores (subsets weighted by
/// EXAMPLE_COUNTS), their mean, the prior-sets mean and the 2/2/2/2/1 total, and the micro
/// accuracy (`micro`, computed by the caller).
fn rewardbench(
    acc: &dyn Fn(&str) -> Option<f64>,
    legacy: bool,
    micro: Value,
) -> (Vec<(&'static str, Value)>, Vec<String>) {
    let mut out = Vec::new();
    let mut missing = Vec::new();
    let mut sections = Vec::new();
    for (name, subsets) in metrics::SECTIONS {
        for s in subsets {
            if acc(s).is_none() {
                missing.push(s.to_string());
            }
        }
        let v = metrics::section_score(subsets, acc, legacy);
        if let Ok(x) = v {
            sections.push(x);
        }
        out.push((name, v));
    }
    let score = if sections.len() == 4 {
        Ok(sections.iter().sum::<f64>() / 4.0)
    } else {
        Err("a section has none of its subsets")
    };
    out.push(("score", score));
    let prior: Vec<f64> = metrics::PRIOR_SETS.iter().filter_map(|s| acc(s)).collect();
    let prior_mean = if prior.is_empty() {
        Err("no prior set (anthropic_helpful, anthropic_hhh, shp, summarize) is present")
    } else {
        Ok(prior.iter().sum::<f64>() / prior.len() as f64)
    };
    out.push(("prior_sets", prior_mean));
    out.push((
        "score_with_prior_sets",
        match (score, prior_mean) {
            (Ok(s), Ok(p)) => Ok((4.0 * s + 0.5 * p) / 4.5),
            (Err(e), _) | (_, Err(e)) => Err(e),
        },
    ));
    out.push(("micro_accuracy", micro));
    (out, missing)
}

/// The RewardBench panel and its headline numbers; warns about missing subsets.
fn rewardbench_json(
    values: &[(&'static str, Value)],
    legacy: bool,
    missing: &[String],
    r: &mut RewardInput,
    warnings: &mut Vec<Warning>,
) {
    if !missing.is_empty() {
        warnings.push(Warning::new(
            &r.path,
            None,
            format!(
                "RewardBench subsets missing (their sections use the others): {}",
                missing.join(", ")
            ),
        ));
    }
    let mut m = Map::new();
    let mut u = Map::new();
    for (k, v) in values {
        put(&mut m, &mut u, k, *v);
        put(
            &mut r.metrics,
            &mut r.undefined,
            &format!("rewardbench.{k}"),
            *v,
        );
    }
    m.insert(
        "weights".into(),
        json!(if legacy {
            "legacy, before 2024-09-10 (xstest should-refuse 250, should-respond 154)"
        } else {
            "current, since 2024-09-10 (xstest should-refuse 154, should-respond 250)"
        }),
    );
    m.insert("missing_subsets".into(), json!(missing));
    m.insert("undefined".into(), Json::Object(u));
    r.rewardbench = Some(Json::Object(m));
}

/// A published summary's figures under the names fairaudit's presets give them: RewardBench's
/// main scores (`Chat`, `Chat Hard`, `Safety`, `Reasoning`, `avg_Result_each_section`,
/// `absoluate_Result`, as RewardBench and RM-R1 publish them) or RM-Bench's final result
/// (`easy_acc`, `normal_acc`, `hard_acc`, `total_avg_acc` and the domains). `None` for
/// anything else.
pub fn published_summary(
    o: &serde_json::Map<String, Json>,
) -> Option<(&'static str, Vec<(String, f64)>)> {
    let get = |k: &str| o.get(k).and_then(Json::as_f64);
    if ["Chat", "Chat Hard", "Safety", "Reasoning"]
        .iter()
        .all(|k| get(k).is_some())
    {
        let mut out: Vec<(String, f64)> = [
            ("Chat", "chat"),
            ("Chat Hard", "chat_hard"),
            ("Safety", "safety"),
            ("Reasoning", "reasoning"),
            ("avg_Result_each_section", "score"),
            ("absoluate_Result", "micro_accuracy"),
        ]
        .iter()
        .filter_map(|(k, name)| get(k).map(|v| (format!("rewardbench.{name}"), v)))
        .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        return Some(("RewardBench section scores", out));
    }
    if ["easy_acc", "normal_acc", "hard_acc"]
        .iter()
        .all(|k| get(k).is_some())
    {
        let mut out: Vec<(String, f64)> = o
            .iter()
            .filter_map(|(k, v)| {
                let v = v.as_f64()?;
                let name = match k.as_str() {
                    "easy_acc" => "rm_bench.easy".to_string(),
                    "normal_acc" => "rm_bench.normal".to_string(),
                    "hard_acc" => "rm_bench.hard".to_string(),
                    "total_avg_acc" => "rm_bench.score".to_string(),
                    d => format!("rm_bench.{d}"),
                };
                Some((name, v))
            })
            .collect();
        out.sort_by(|a, b| a.0.cmp(&b.0));
        return Some(("RM-Bench final result", out));
    }
    None
}

fn accuracies(l: &Loaded, settings: &Settings, r: &mut RewardInput, warnings: &mut Vec<Warning>) {
    // A published summary: its figures as they are (gates can read them), no subsets.
    let as_json: serde_json::Map<String, Json> = l
        .accuracies
        .iter()
        .map(|(k, v)| (k.clone(), json!(v)))
        .collect();
    if let Some((what, figures)) = published_summary(&as_json) {
        for (k, v) in figures {
            r.metrics.insert(k, num(v));
        }
        warnings.push(Warning::new(
            &r.path,
            None,
            format!("a published {what}: its figures as given (nothing to recompute from)"),
        ));
        return;
    }
    for (s, &a) in &l.accuracies {
        r.subsets.push(SubsetReport {
            subset: s.clone(),
            pairs: None,
            ties: None,
            accuracy: Some(a),
            interval: None,
            undefined: None,
        });
    }
    if settings.preset != Preset::Rewardbench {
        warnings.push(Warning::new(
            &r.path,
            None,
            "per-subset accuracies only: pass --preset rewardbench for section scores".into(),
        ));
        return;
    }
    let acc = |s: &str| l.accuracies.get(s).copied();
    // Micro accuracy: subsets weighted by their number of examples.
    let (mut num_, mut den) = (0.0, 0.0);
    for (s, a) in &l.accuracies {
        if let Some(n) = metrics::subset_size(s) {
            num_ += a * n;
            den += n;
        }
    }
    let micro = if den > 0.0 {
        Ok(num_ / den)
    } else {
        Err("no RewardBench subset")
    };
    let (values, missing) = rewardbench(&acc, settings.legacy_xstest, micro);
    rewardbench_json(&values, settings.legacy_xstest, &missing, r, warnings);
}

/// Tallies per (subset, prompt) cluster: what the bootstrap resamples. A cluster keeps one tally
/// per *slot*: slot 0 is every pair, then one slot per group of each --group column.
struct Clusters {
    /// Per subset: each prompt's (slot, tally) list.
    per_subset: Vec<Vec<Vec<(u32, Tally)>>>,
    slots: usize,
    /// Per group column: its first slot and its group names.
    group_slots: Vec<(String, usize, Vec<String>)>,
}

impl Clusters {
    fn new(l: &Loaded, settings: &Settings) -> Clusters {
        let p = &l.pairs;
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
            per_subset,
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
                let mut t = vec![Tally::default(); self.slots];
                for _ in 0..clusters.len() {
                    for (slot, x) in &clusters[rng.random_range(0..clusters.len())] {
                        t[*slot as usize].merge(x);
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

/// Percentile intervals at `level` of each named number over the replicates (non-finite
/// replicate values left out).
fn intervals(samples: Vec<Vec<(String, f64)>>, level: f64) -> BTreeMap<String, Json> {
    let mut by_name: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for rep in samples {
        for (k, v) in rep {
            if v.is_finite() {
                by_name.entry(k).or_default().push(v);
            }
        }
    }
    by_name
        .into_iter()
        .map(|(k, mut v)| {
            let (lo, hi) = bootstrap::percentile_interval(&mut v, level);
            (k, json!([num(lo), num(hi)]))
        })
        .collect()
}

/// The percentile intervals of `f`'s named numbers over `reps` seeded replicates
/// ([`bootstrap::replicates`]).
fn bootstrap<F>(reps: usize, seed: u64, level: f64, f: F) -> BTreeMap<String, Json>
where
    F: Fn(&mut ChaCha8Rng) -> Vec<(String, f64)> + Sync,
{
    intervals(bootstrap::replicates(reps, seed, |_, rng| f(rng)), level)
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

/// Σ credit / Σ counted over the pairs of RewardBench's core subsets (not the prior sets).
fn core_micro(subsets: &[String], tallies: &[Tally]) -> Value {
    let mut t = Tally::default();
    for (s, x) in subsets.iter().zip(tallies) {
        if metrics::subset_size(s).is_some() {
            t.merge(x);
        }
    }
    t.accuracy()
}

fn pairs(l: &Loaded, settings: &Settings, r: &mut RewardInput, warnings: &mut Vec<Warning>) {
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
        length(p, lc, lr, settings, r);
    }
    calibration(p, settings, r);
    groups(p, settings, r);
    if settings.bootstrap > 0 {
        let clusters = Clusters::new(l, settings);
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
                    let panel = r.groups.iter_mut().find(|g| g["column"] == *column);
                    if let Some(Json::Array(rows)) = panel.map(|g| &mut g["groups"]) {
                        if let Some(row) = rows.iter_mut().find(|x| x["group"] == *group) {
                            row["accuracy_interval"] = v;
                        }
                    }
                }
                ["groupd", column, key] => {
                    if let Some(g) = r.groups.iter_mut().find(|g| g["column"] == *column) {
                        if !g["disparities_bootstrap"].is_object() {
                            g["disparities_bootstrap"] = json!({});
                        }
                        g["disparities_bootstrap"][*key] = v;
                    }
                }
                _ => {
                    r.intervals.insert(k, v);
                }
            }
        }
    }
}

/// Length bias: correlations of reward with length, the longer response's win share, the "pick
/// the longer" baseline, accuracy split by which response is longer and by length-difference bin.
fn length(
    p: &super::load::Pairs,
    lc: &[f64],
    lr: &[f64],
    settings: &Settings,
    r: &mut RewardInput,
) {
    let mut m = Map::new();
    let mut u = Map::new();
    let idx: Vec<usize> = (0..p.chosen.len())
        .filter(|&i| lc[i].is_finite() && lr[i].is_finite())
        .collect();
    let (mut scores, mut lens) = (Vec::new(), Vec::new());
    for &i in &idx {
        scores.push(p.chosen[i]);
        lens.push(lc[i]);
        scores.push(p.rejected[i]);
        lens.push(lr[i]);
    }
    m.insert("pairs".into(), json!(idx.len()));
    put(
        &mut m,
        &mut u,
        "pearson",
        crate::stats::correlation::pearson(&scores, &lens),
    );
    put(
        &mut m,
        &mut u,
        "spearman",
        crate::stats::correlation::spearman(&scores, &lens),
    );
    let (mut longer_wins, mut baseline) = (Tally::default(), Tally::default());
    let (mut c_longer, mut c_shorter, mut equal) =
        (Tally::default(), Tally::default(), Tally::default());
    for &i in &idx {
        let (c, rj) = (p.chosen[i], p.rejected[i]);
        baseline.add(lc[i], lr[i], settings.ties);
        if lc[i] > lr[i] {
            longer_wins.add(c, rj, settings.ties);
            c_longer.add(c, rj, settings.ties);
        } else if lc[i] < lr[i] {
            longer_wins.add(rj, c, settings.ties);
            c_shorter.add(c, rj, settings.ties);
        } else {
            equal.add(c, rj, settings.ties);
        }
    }
    put(&mut m, &mut u, "longer_wins", longer_wins.accuracy());
    put(
        &mut m,
        &mut u,
        "longer_baseline_accuracy",
        baseline.accuracy(),
    );
    put(
        &mut m,
        &mut u,
        "accuracy_chosen_longer",
        c_longer.accuracy(),
    );
    put(
        &mut m,
        &mut u,
        "accuracy_chosen_shorter",
        c_shorter.accuracy(),
    );
    put(&mut m, &mut u, "accuracy_equal_length", equal.accuracy());
    m.insert("pairs_chosen_longer".into(), json!(c_longer.pairs));
    m.insert("pairs_chosen_shorter".into(), json!(c_shorter.pairs));
    m.insert("pairs_equal_length".into(), json!(equal.pairs));
    for k in [
        "pearson",
        "spearman",
        "longer_wins",
        "longer_baseline_accuracy",
        "accuracy_chosen_longer",
        "accuracy_chosen_shorter",
        "accuracy_equal_length",
    ] {
        r.metrics.insert(format!("length.{k}"), m[k].clone());
        if let Some(why) = u.get(k) {
            r.undefined.insert(format!("length.{k}"), why.clone());
        }
    }
    // Accuracy by bins of equal mass of the length difference chosen − rejected.
    let diffs: Vec<f64> = idx.iter().map(|&i| lc[i] - lr[i]).collect();
    let by_diff: Vec<(f64, usize)> = crate::stats::correlation::sorted_with_index(&diffs)
        .into_iter()
        .map(|(d, k)| (d, idx[k as usize]))
        .collect();
    let bins = settings.length_bins as usize;
    let mut table = Vec::new();
    let sorted_diffs: Vec<f64> = by_diff.iter().map(|x| x.0).collect();
    for (lo, hi) in metrics::split_at_ties(&sorted_diffs, bins) {
        let mut t = Tally::default();
        for &(_, i) in &by_diff[lo..hi] {
            t.add(p.chosen[i], p.rejected[i], settings.ties);
        }
        table.push(json!({
            "lower": num(by_diff[lo].0),
            "upper": num(by_diff[hi - 1].0),
            "pairs": t.pairs,
            "accuracy": t.accuracy().map(num).unwrap_or(Json::Null),
        }));
    }
    m.insert("by_length_difference".into(), Json::Array(table));
    m.insert("undefined".into(), Json::Object(u));
    r.length = Some(Json::Object(m));
}

/// Calibration of the Bradley–Terry probability σ(chosen − rejected).
fn calibration(p: &super::load::Pairs, settings: &Settings, r: &mut RewardInput) {
    let margins: Vec<f64> = p
        .chosen
        .iter()
        .zip(&p.rejected)
        .map(|(c, x)| c - x)
        .collect();
    let equal_mass = settings.binning == Binning::EqualMass;
    let c = metrics::calibration(&margins, settings.bins as usize, equal_mass);
    let mut m = Map::new();
    let mut u = Map::new();
    let values = [
        ("ece", c.ece),
        ("mce", c.mce),
        ("log_loss", c.log_loss),
        ("brier", c.brier),
        ("temperature", c.temperature),
        ("log_loss_at_temperature", c.log_loss_at_temperature),
    ];
    for (k, v) in values {
        put(&mut m, &mut u, k, v);
        put(
            &mut r.metrics,
            &mut r.undefined,
            &format!("calibration.{k}"),
            v,
        );
    }
    m.insert("bins".into(), json!(settings.bins));
    m.insert(
        "binning".into(),
        json!(if equal_mass {
            "equal_mass"
        } else {
            "equal_width"
        }),
    );
    m.insert(
        "reliability".into(),
        serde_json::to_value(&c.bins).expect("serialisable"),
    );
    m.insert("undefined".into(), Json::Object(u));
    r.calibration = Some(Json::Object(m));
}

/// Per group column: accuracy, mean scores and margin per group, and their disparities.
fn groups(p: &super::load::Pairs, settings: &Settings, r: &mut RewardInput) {
    for (name, codes) in &p.groups {
        let Codes { codes, names } = codes;
        let k = names.len();
        let mut t = vec![Tally::default(); k];
        let mut sums = vec![[0.0f64; 3]; k];
        let mut per_group: Vec<Vec<f64>> = vec![Vec::new(); k];
        for (i, &code) in codes.iter().enumerate() {
            let g = code as usize;
            t[g].add(p.chosen[i], p.rejected[i], settings.ties);
            sums[g][0] += p.chosen[i];
            sums[g][1] += p.rejected[i];
            sums[g][2] += p.chosen[i] - p.rejected[i];
            per_group[g].push(p.chosen[i] - p.rejected[i]);
        }
        let mut rows = Vec::new();
        let mut accs = Vec::new();
        let mut margins = Vec::new();
        for g in 0..k {
            let n = t[g].pairs as f64;
            let a = t[g].accuracy();
            if let Ok(x) = a {
                accs.push(x);
            }
            margins.push(sums[g][2] / n);
            rows.push(json!({
                "group": names[g],
                "pairs": t[g].pairs,
                "ties": t[g].ties,
                "accuracy": a.map(num).unwrap_or(Json::Null),
                "mean_chosen": num(sums[g][0] / n),
                "mean_rejected": num(sums[g][1] / n),
                "mean_margin": num(sums[g][2] / n),
                "std_margin": num((per_group[g].iter().map(|m| (m - sums[g][2] / n).powi(2)).sum::<f64>() / n).sqrt()),
                "median_margin": num({
                    let v = &mut per_group[g];
                    v.sort_unstable_by(f64::total_cmp);
                    percentile(v, 0.5)
                }),
            }));
        }
        let overall_acc = r.metrics.get("accuracy").and_then(Json::as_f64);
        let overall_margin = p
            .chosen
            .iter()
            .zip(&p.rejected)
            .map(|(c, x)| c - x)
            .sum::<f64>()
            / p.chosen.len() as f64;
        let mut d = Map::new();
        let mut u = Map::new();
        for (metric, vals, ov) in [
            ("accuracy", &accs, overall_acc.ok_or("undefined overall")),
            ("mean_margin", &margins, Ok(overall_margin)),
        ] {
            let x = if vals.len() < 2 {
                crate::stats::disparity::undefined(crate::stats::reason(format!(
                    "{metric} is defined for {} of {} groups; a disparity compares two or more",
                    vals.len(),
                    names.len()
                )))
            } else {
                disparity(vals, ov)
            };
            put(
                &mut d,
                &mut u,
                &format!("{metric}_difference"),
                x.difference,
            );
            let signed = metric == "mean_margin";
            let why = "a ratio of a quantity that can be negative is not reported";
            put(
                &mut d,
                &mut u,
                &format!("{metric}_ratio"),
                if signed { Err(why) } else { x.ratio },
            );
            put(
                &mut d,
                &mut u,
                &format!("{metric}_difference_to_overall"),
                x.difference_to_overall,
            );
        }
        r.groups.push(json!({
            "column": name,
            "groups": rows,
            "disparities": d,
            "undefined": u,
        }));
    }
}

/// RM-Bench: per domain the 3×3 style matrix, easy / normal / hard and their mean; overall the
/// means over domains.
fn styled(l: &Loaded, settings: &Settings, r: &mut RewardInput) {
    r.pairs_used = l.styled.len() as u64;
    let names = &l.domains.names;
    let by_domain: Vec<Vec<([f64; 3], [f64; 3])>> = (0..names.len())
        .map(|d| {
            l.styled
                .iter()
                .zip(&l.domains.codes)
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
    for (k, v) in numbers(&by_domain) {
        r.metrics.insert(k, num(v));
    }
    let domains: Vec<Json> = names
        .iter()
        .zip(&by_domain)
        .map(|(name, recs)| {
            let m = metrics::style_matrix(recs);
            let (easy, normal, hard) = metrics::easy_normal_hard(&m);
            json!({
                "domain": name,
                "records": recs.len(),
                "matrix": m,
                "easy": num(easy), "normal": num(normal), "hard": num(hard),
                "score": num((easy + normal + hard) / 3.0),
            })
        })
        .collect();
    r.rm_bench = Some(json!({
        "styles": ["concise", "detailed", "markdown"],
        "matrix": metrics::style_matrix(&l.styled),
        "domains": domains,
        "easy": r.metrics["rm_bench.easy"],
        "normal": r.metrics["rm_bench.normal"],
        "hard": r.metrics["rm_bench.hard"],
        "score": r.metrics["rm_bench.score"],
    }));
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

/// RewardBench 2 style records: best-of-k accuracy per subset (1/k credit for a tied top), the
/// Ties composite for the `ties` subset, and with --preset rewardbench2 the six-subset mean.
fn candidates(l: &Loaded, settings: &Settings, r: &mut RewardInput, warnings: &mut Vec<Warning>) {
    use super::rb2;
    let prompts = &l.candidates;
    r.pairs_used = prompts.len() as u64;
    let mut by_subset: BTreeMap<String, Vec<&rb2::Prompt>> = BTreeMap::new();
    for p in prompts {
        by_subset.entry(p.subset.clone()).or_default().push(p);
    }
    let mut scores: BTreeMap<String, Value> = BTreeMap::new();
    let mut m = Map::new();
    let mut u = Map::new();
    let mut all_credit = 0.0;
    for (s, ps) in &by_subset {
        let credit: f64 = ps.iter().map(|p| rb2::credit(p)).sum();
        all_credit += credit;
        let acc = credit / ps.len() as f64;
        let value = if rb2::key(s) == "ties" {
            let (v, details) = rb2::ties_score(ps);
            let mut d = Map::new();
            let mut du = Map::new();
            for (k, x) in details {
                put(&mut d, &mut du, k, x);
            }
            d.insert("undefined".into(), Json::Object(du));
            m.insert("ties_details".into(), Json::Object(d));
            v
        } else {
            Ok(acc)
        };
        r.subsets.push(SubsetReport {
            subset: s.clone(),
            pairs: Some(ps.len() as u64),
            ties: Some(
                ps.iter()
                    .filter(|p| rb2::credit(p) > 0.0 && rb2::credit(p) < 1.0)
                    .count() as u64,
            ),
            accuracy: value.ok(),
            interval: None,
            undefined: value.err().map(str::to_string),
        });
        scores.insert(rb2::key(s), value);
    }
    put(
        &mut r.metrics,
        &mut r.undefined,
        "accuracy",
        Ok(all_credit / prompts.len() as f64),
    );
    if settings.bootstrap > 0 {
        // Clusters: a prompt, or for Ties the ref: and tied: samples of one key together.
        let clusters: Vec<(String, Vec<Vec<&rb2::Prompt>>)> = by_subset
            .iter()
            .map(|(s, ps)| {
                let mut by_key: BTreeMap<String, Vec<&rb2::Prompt>> = BTreeMap::new();
                for (i, p) in ps.iter().enumerate() {
                    let key = if rb2::key(s) == "ties" {
                        p.id.split_once(':')
                            .map_or(p.id.clone(), |(_, k)| k.trim().to_string())
                    } else {
                        i.to_string()
                    };
                    by_key.entry(key).or_default().push(p);
                }
                (s.clone(), by_key.into_values().collect())
            })
            .collect();
        let preset = settings.preset == Preset::Rewardbench2;
        let iv = bootstrap(settings.bootstrap, settings.seed, settings.ci, |rng| {
            let mut out = Vec::new();
            let (mut credit, mut count) = (0.0, 0usize);
            let mut present = Vec::new();
            for (s, cl) in &clusters {
                let drawn: Vec<&rb2::Prompt> = (0..cl.len())
                    .flat_map(|_| cl[rng.random_range(0..cl.len())].iter().copied())
                    .collect();
                let c: f64 = drawn.iter().map(|p| rb2::credit(p)).sum();
                credit += c;
                count += drawn.len();
                let v = if rb2::key(s) == "ties" {
                    rb2::ties_score(&drawn).0
                } else {
                    Ok(c / drawn.len() as f64)
                };
                if let Ok(x) = v {
                    out.push((format!("subset\u{1f}{s}"), x));
                    if preset && rb2::SUBSETS.iter().any(|(k, _)| *k == rb2::key(s)) {
                        out.push((format!("rewardbench2.{}", rb2::key(s)), x));
                        present.push(x);
                    }
                }
            }
            out.push(("accuracy".into(), credit / count as f64));
            if preset && !present.is_empty() {
                out.push((
                    "rewardbench2.score".into(),
                    present.iter().sum::<f64>() / present.len() as f64,
                ));
            }
            out
        });
        for (k, v) in iv {
            match k.strip_prefix("subset\u{1f}") {
                Some(s) => {
                    if let Some(sr) = r.subsets.iter_mut().find(|x| x.subset == s) {
                        sr.interval = serde_json::from_value(v).ok();
                    }
                }
                None => {
                    r.intervals.insert(k, v);
                }
            }
        }
    }
    if settings.preset != Preset::Rewardbench2 {
        return;
    }
    let mut present = Vec::new();
    for (k, _) in rb2::SUBSETS {
        let v = scores
            .get(k)
            .copied()
            .unwrap_or(Err("subset not in the file"));
        if let Ok(x) = v {
            present.push(x);
        }
        headline(r, &mut m, &mut u, "rewardbench2", k, v);
    }
    let missing: Vec<&str> = rb2::SUBSETS
        .iter()
        .filter(|(k, _)| !matches!(scores.get(*k), Some(Ok(_))))
        .map(|(_, d)| *d)
        .collect();
    if !missing.is_empty() {
        warnings.push(Warning::new(
            &r.path,
            None,
            format!(
                "RewardBench 2 subsets missing or undefined (the mean uses the others): {}",
                missing.join(", ")
            ),
        ));
    }
    let score = if present.is_empty() {
        Err("no RewardBench 2 subset")
    } else {
        Ok(present.iter().sum::<f64>() / present.len() as f64)
    };
    headline(r, &mut m, &mut u, "rewardbench2", "score", score);
    m.insert("undefined".into(), Json::Object(u));
    r.rewardbench2 = Some(Json::Object(m));
}
