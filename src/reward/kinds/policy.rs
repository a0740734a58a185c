//! Policy bias (CHARM, Zhu et al. 2024, "Chatbot Arena Calibrated Reward Modeling"): how a reward
//! model ranks the responses of several policy models, against their Chatbot Arena Elo.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{anyhow, bail, Context, Result};

use crate::input::table::Table;
use crate::input::Source;
use crate::reward::settings::Settings;
#[cfg(test)]
use crate::stats::correlation::kendall_tau_b;
use crate::stats::Value;
use serde_json::Map;

use crate::render::Warning;
use crate::reward::panel::headline_value;
use crate::reward::report::{PolicyElo, PolicyPanel, PolicyRow, RewardInput};

pub const POLICY_NAMES: &[&str] = &["policy", "policy_model", "generator"];
pub const SCORE_NAMES: &[&str] = &["score", "reward", "rm_score"];

/// Per (prompt, model) the mean score of the model's responses to the prompt.
#[derive(Debug, Clone)]
pub struct Policies {
    pub models: Vec<String>,
    /// scores[model] : prompt → mean score.
    pub scores: Vec<BTreeMap<String, f64>>,
    /// Responses per model.
    pub responses: Vec<u64>,
    pub rows_read: u64,
    pub dropped: u64,
}

pub fn load(source: &Source, settings: &Settings) -> Result<Policies> {
    let mut t = Table::open(source)?;
    let id = t
        .column(
            settings.id.as_deref(),
            "--id",
            crate::reward::data::ID_NAMES,
            true,
        )?
        .expect("required");
    let policy = t
        .column(settings.policy.as_deref(), "--policy", POLICY_NAMES, true)?
        .expect("required");
    let score = t
        .column(settings.score.as_deref(), "--score", SCORE_NAMES, true)?
        .expect("required");
    t.text(&id, "__id");
    t.text(&policy, "__policy");
    t.number(&score, "--score", "__score")?;
    let f = t.read()?;
    let (ids, pol, sc) = (
        f.texts("__id")?,
        f.texts("__policy")?,
        f.numbers("__score")?,
    );
    let mut sums: BTreeMap<String, BTreeMap<String, (f64, f64)>> = BTreeMap::new();
    let mut dropped = 0;
    for i in 0..f.rows {
        let (Some(id), Some(p), Some(s)) = (&ids[i], &pol[i], sc[i]) else {
            dropped += 1;
            continue;
        };
        let e = sums
            .entry(p.clone())
            .or_default()
            .entry(id.clone())
            .or_default();
        e.0 += s;
        e.1 += 1.0;
    }
    if sums.len() < 2 {
        bail!(
            "{}: per-policy audits need responses of at least 2 policy models; found {}",
            source.display,
            sums.len()
        );
    }
    let models: Vec<String> = sums.keys().cloned().collect();
    let responses = sums
        .values()
        .map(|m| m.values().map(|(_, n)| *n as u64).sum())
        .collect();
    Ok(Policies {
        scores: sums
            .into_values()
            .map(|m| m.into_iter().map(|(k, (s, n))| (k, s / n)).collect())
            .collect(),
        models,
        responses,
        rows_read: f.rows as u64,
        dropped,
    })
}

/// Reads `model,rating` (or `elo`) from a CSV file; every model of `needed` must have a rating.
pub fn load_elo(path: &Path, needed: &[String]) -> Result<BTreeMap<String, f64>> {
    let d = path.display();
    let mut rdr = csv::Reader::from_path(path).with_context(|| format!("{d}: cannot open"))?;
    let headers = rdr
        .headers()
        .with_context(|| format!("{d}: no header"))?
        .clone();
    let find = |names: &[&str]| {
        headers
            .iter()
            .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
    };
    let m = find(&["model", "name"]).ok_or_else(|| {
        anyhow!(
            "{d}: no 'model' column (columns: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        )
    })?;
    let r = find(&["rating", "elo", "arena_elo", "score"]).ok_or_else(|| {
        anyhow!(
            "{d}: no 'rating' (or 'elo') column (columns: {})",
            headers.iter().collect::<Vec<_>>().join(", ")
        )
    })?;
    let mut out = BTreeMap::new();
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| format!("{d}: line {}", i + 2))?;
        let v: f64 = rec.get(r).unwrap_or("").trim().parse().map_err(|_| {
            anyhow!(
                "{d}: line {}: rating '{}' is not a number",
                i + 2,
                rec.get(r).unwrap_or("")
            )
        })?;
        if !v.is_finite() {
            bail!(
                "{d}: line {}: rating '{}' is not a finite number; give every model a rating, or drop its rows",
                i + 2,
                rec.get(r).unwrap_or("")
            );
        }
        let name = rec.get(m).unwrap_or("").trim().to_string();
        if out.insert(name.clone(), v).is_some() {
            bail!(
                "{d}: line {}: model '{name}' is rated twice; keep one rating per model",
                i + 2
            );
        }
    }
    if let Some(missing) = needed.iter().find(|m| !out.contains_key(*m)) {
        bail!("{d}: policy model '{missing}' of the scores has no Elo rating; add it or drop its rows");
    }
    Ok(out)
}

/// Elo's expected score of a over b: 1 / (1 + 10^((R_b − R_a)/400)).
pub fn elo_expected(ra: f64, rb: f64) -> f64 {
    1.0 / (1.0 + 10f64.powf((rb - ra) / 400.0))
}

/// The RM's win rate of model a over model b on their shared prompts (ties ½), and how many.
pub fn win_rate(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> (Value, usize) {
    let (mut w, mut n) = (0.0, 0usize);
    for (k, sa) in a {
        if let Some(sb) = b.get(k) {
            n += 1;
            w += if sa > sb {
                1.0
            } else if sa == sb {
                0.5
            } else {
                0.0
            };
        }
    }
    if n == 0 {
        (Err("no prompt answered by both models"), 0)
    } else {
        (Ok(w / n as f64), n)
    }
}

/// The per-policy panel: win rates against the reference model, and with Elo ratings the
/// mismatch degrees and rank correlations.
pub fn panel(
    p: &Policies,
    elo: Option<&BTreeMap<String, f64>>,
    settings: &Settings,
    r: &mut RewardInput,
    warnings: &mut Vec<Warning>,
) {
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
    let elo = elo.cloned();
    let mut models = Vec::new();
    let mut mismatches = Vec::new();
    for (k, name) in p.models.iter().enumerate() {
        let (wr, shared) = win_rate(&p.scores[k], &p.scores[reference]);
        let mut row = PolicyRow {
            model: name.clone(),
            responses: p.responses[k],
            prompts: p.scores[k].len(),
            mean_score: means[k],
            win_rate_vs_reference: if k == reference { None } else { wr.ok() },
            shared_prompts: shared,
            elo: None,
            elo_expected_win_rate: None,
            mismatch_degree: None,
        };
        if let Some(elo) = &elo {
            let expected = elo_expected(elo[name], elo[&p.models[reference]]);
            row.elo = Some(elo[name]);
            if k != reference {
                row.elo_expected_win_rate = Some(expected);
                if let Ok(w) = wr {
                    row.mismatch_degree = Some(w - expected);
                    mismatches.push(w - expected);
                }
            }
        }
        models.push(row);
    }
    let mut u = Map::new();
    let with_elo = elo.as_ref().map(|elo| {
        let ratings: Vec<f64> = p.models.iter().map(|n| elo[n]).collect();
        let none = "no model shares prompts with the reference";
        let (max, mean) = if mismatches.is_empty() {
            (Err(none), Err(none))
        } else {
            (
                Ok(mismatches.iter().map(|x| x.abs()).fold(0.0, f64::max)),
                Ok(mismatches.iter().sum::<f64>() / mismatches.len() as f64),
            )
        };
        let mut h = |name: &str, v| headline_value(r, &mut u, "policy", name, v);
        PolicyElo {
            spearman: h(
                "spearman",
                crate::stats::correlation::spearman(&means, &ratings),
            ),
            kendall: h(
                "kendall",
                crate::stats::correlation::kendall_tau_b(&means, &ratings),
            ),
            max_abs_mismatch: h("max_abs_mismatch", max),
            mean_mismatch: h("mean_mismatch", mean),
        }
    });
    r.policy = Some(PolicyPanel {
        reference_model: p.models[reference].clone(),
        models,
        elo: with_elo,
        undefined: u,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_cases() {
        assert!((elo_expected(1400.0, 1000.0) - 1.0 / 1.1).abs() < 1e-12);
        assert_eq!(elo_expected(1200.0, 1200.0), 0.5);
        // τ-b: 3 concordant, 0 discordant, one tie in y → 3 / √(3 · 3)... pairs (0,1),(0,2),(1,2):
        // x = 1, 2, 3; y = 1, 2, 2: (0,1) c, (0,2) c, (1,2) tie in y → 2 / √(3 · 2).
        let t = kendall_tau_b(&[1.0, 2.0, 3.0], &[1.0, 2.0, 2.0]).unwrap();
        assert!((t - 2.0 / 6f64.sqrt()).abs() < 1e-12);
        let a: BTreeMap<String, f64> =
            [("p1".into(), 1.0), ("p2".into(), 0.0), ("p3".into(), 2.0)].into();
        let b: BTreeMap<String, f64> = [("p1".into(), 0.5), ("p2".into(), 0.0)].into();
        assert_eq!(win_rate(&a, &b), (Ok(0.75), 2));
    }
}
