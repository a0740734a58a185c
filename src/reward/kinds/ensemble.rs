//! Several reward models on the same pairs: per pair the mean and spread of their margins
//! (preference strength, Wang et al. 2024 "Secrets of RLHF II"), agreement of their decisions
//! (Cohen's κ per pair of models, Fleiss' κ over all), and the pairs the ensemble contradicts.

use std::collections::{BTreeMap, HashMap};

use anyhow::{bail, Result};

use crate::input::table::Table;
use crate::input::Source;
use crate::reward::data::{Codes, Pairs};
use crate::reward::settings::Settings;
use crate::stats::Value;
use rand::Rng;
use serde_json::Map;

use crate::render::Warning;
use crate::reward::metrics::{self, Tally};
use crate::reward::panel::{bootstrap, headline_value};
use crate::reward::report::{EnsembleModel, EnsemblePanel, KappaPair, RewardInput, StrengthDecile};

/// Margins of every pair under every model (`margins[model][pair]`), aligned.
#[derive(Debug, Clone)]
pub struct Ensemble {
    pub models: Vec<String>,
    pub margins: Vec<Vec<f64>>,
    /// Per pair: its id and subset (for the suspect export).
    pub ids: Vec<String>,
    pub subsets: Vec<String>,
    pub rows_read: u64,
    pub dropped: u64,
}

/// Wide form: `--chosen a,b --rejected c,d` (one column pair per model), or long form with a
/// `--model` column (pairs matched across models by id and subset).
pub fn load(source: &Source, settings: &Settings) -> Result<Ensemble> {
    let d = &source.display;
    let mut t = Table::open(source)?;
    let id = t.column(
        settings.id.as_deref(),
        "--id",
        crate::reward::data::ID_NAMES,
        false,
    )?;
    let subset = t.column(
        settings.subset.as_deref(),
        "--subset",
        crate::reward::data::SUBSET_NAMES,
        false,
    )?;
    if let Some(i) = &id {
        t.text(i, "__id");
    }
    if let Some(s) = &subset {
        t.text(s, "__subset");
    }
    if let Some(m) = &settings.model {
        let model = t.column(Some(m), "--model", &[], true)?.expect("given");
        let c = t
            .column(
                settings.chosen.first().map(String::as_str),
                "--chosen",
                crate::reward::data::CHOSEN_NAMES,
                true,
            )?
            .expect("required");
        let r = t
            .column(
                settings.rejected.first().map(String::as_str),
                "--rejected",
                crate::reward::data::REJECTED_NAMES,
                true,
            )?
            .expect("required");
        let Some(id) = id else {
            bail!(
                "{d}: a long-form ensemble (--model) needs --id to match each pair across models"
            );
        };
        let _ = id;
        t.text(&model, "__model");
        t.number(&c, "--chosen", "__c")?;
        t.number(&r, "--rejected", "__r")?;
        let f = t.read()?;
        let ids = f.texts("__id")?;
        let subs = if subset.is_some() {
            f.texts("__subset")?
        } else {
            vec![None; f.rows]
        };
        let models = f.texts("__model")?;
        let (c, r) = (f.numbers("__c")?, f.numbers("__r")?);
        let mut by_model: BTreeMap<String, HashMap<(String, String), f64>> = BTreeMap::new();
        let mut order: Vec<(String, String)> = Vec::new();
        let mut seen: HashMap<(String, String), ()> = HashMap::new();
        let mut dropped = 0;
        for i in 0..f.rows {
            let (Some(m), Some(id), Some(c), Some(r)) = (&models[i], &ids[i], c[i], r[i]) else {
                dropped += 1;
                continue;
            };
            let key = (id.clone(), subs[i].clone().unwrap_or_default());
            if seen.insert(key.clone(), ()).is_none() {
                order.push(key.clone());
            }
            if by_model
                .entry(m.clone())
                .or_default()
                .insert(key.clone(), c - r)
                .is_some()
            {
                bail!("{d}: model '{m}' scores pair id '{}' twice", key.0);
            }
        }
        let models: Vec<String> = by_model.keys().cloned().collect();
        if models.len() < 2 {
            bail!(
                "{d}: an ensemble needs at least 2 reward models; --model column has {}",
                models.len()
            );
        }
        let complete: Vec<&(String, String)> = order
            .iter()
            .filter(|k| by_model.values().all(|m| m.contains_key(*k)))
            .collect();
        dropped += (order.len() - complete.len()) as u64;
        return Ok(Ensemble {
            margins: models
                .iter()
                .map(|m| complete.iter().map(|k| by_model[m][*k]).collect())
                .collect(),
            ids: complete.iter().map(|k| k.0.clone()).collect(),
            subsets: complete.iter().map(|k| k.1.clone()).collect(),
            models,
            rows_read: f.rows as u64,
            dropped,
        });
    }
    if settings.chosen.len() != settings.rejected.len() {
        bail!(
            "--chosen has {} columns and --rejected {}: give one rejected column per chosen column (one pair per model)",
            settings.chosen.len(),
            settings.rejected.len()
        );
    }
    let mut models = Vec::new();
    for (k, (c, r)) in settings.chosen.iter().zip(&settings.rejected).enumerate() {
        let c = t.column(Some(c), "--chosen", &[], true)?.expect("given");
        let r = t.column(Some(r), "--rejected", &[], true)?.expect("given");
        t.number(&c, "--chosen", &format!("__c{k}"))?;
        t.number(&r, "--rejected", &format!("__r{k}"))?;
        models.push(c);
    }
    let f = t.read()?;
    type Column = Vec<Option<f64>>;
    let cols: Vec<(Column, Column)> = (0..models.len())
        .map(|k| {
            Ok((
                f.numbers(&format!("__c{k}"))?,
                f.numbers(&format!("__r{k}"))?,
            ))
        })
        .collect::<Result<_>>()?;
    let ids = if id.is_some() {
        f.texts("__id")?
    } else {
        vec![None; f.rows]
    };
    let subs = if subset.is_some() {
        f.texts("__subset")?
    } else {
        vec![None; f.rows]
    };
    let mut e = Ensemble {
        margins: vec![Vec::new(); models.len()],
        models,
        ids: Vec::new(),
        subsets: Vec::new(),
        rows_read: f.rows as u64,
        dropped: 0,
    };
    for i in 0..f.rows {
        let row: Option<Vec<f64>> = cols.iter().map(|(c, r)| Some(c[i]? - r[i]?)).collect();
        let Some(row) = row else {
            e.dropped += 1;
            continue;
        };
        for (m, v) in e.margins.iter_mut().zip(row) {
            m.push(v);
        }
        e.ids
            .push(ids[i].clone().unwrap_or_else(|| (i + 1).to_string()));
        e.subsets.push(subs[i].clone().unwrap_or_default());
    }
    if e.ids.is_empty() {
        bail!("{d}: no pair has every model's scores");
    }
    Ok(e)
}

/// The pairs of one model of the ensemble, for the accuracy panel (margins as chosen − 0).
pub fn model_pairs(e: &Ensemble, k: usize) -> Pairs {
    let n = e.ids.len();
    Pairs {
        chosen: e.margins[k].clone(),
        rejected: vec![0.0; n],
        prompt: (0..n as u32).collect(),
        subset: Codes::single(n, "(all)"),
        lengths: None,
        groups: Vec::new(),
        ids: None,
    }
}

/// Per pair: the mean and the (population) standard deviation of the models' margins.
pub fn strength(e: &Ensemble) -> Vec<(f64, f64)> {
    let m = e.models.len() as f64;
    (0..e.ids.len())
        .map(|i| {
            let mean = e.margins.iter().map(|v| v[i]).sum::<f64>() / m;
            let var = e.margins.iter().map(|v| (v[i] - mean).powi(2)).sum::<f64>() / m;
            (mean, var.sqrt())
        })
        .collect()
}

/// Cohen's κ of two raters' binary decisions: (p_o − p_e) / (1 − p_e).
pub fn cohen_kappa(a: &[bool], b: &[bool]) -> Value {
    let n = a.len() as f64;
    if a.is_empty() {
        return Err("no pairs");
    }
    let agree = a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / n;
    let pa = a.iter().filter(|x| **x).count() as f64 / n;
    let pb = b.iter().filter(|x| **x).count() as f64 / n;
    let pe = pa * pb + (1.0 - pa) * (1.0 - pb);
    if pe >= 1.0 {
        return Err("both models always decide the same way (chance agreement 1: 0/0)");
    }
    Ok((agree - pe) / (1.0 - pe))
}

/// Fleiss' κ of m raters' binary decisions on N items: (P̄ − P̄_e) / (1 − P̄_e).
pub fn fleiss_kappa(decisions: &[Vec<bool>]) -> Value {
    let m = decisions.len() as f64;
    let n = decisions.first().map_or(0, Vec::len);
    if n == 0 || m < 2.0 {
        return Err("fewer than two models or no pairs");
    }
    let (mut p_bar, mut yes) = (0.0, 0.0);
    for i in 0..n {
        let k = decisions.iter().filter(|d| d[i]).count() as f64;
        yes += k;
        p_bar += (k * (k - 1.0) + (m - k) * (m - k - 1.0)) / (m * (m - 1.0));
    }
    p_bar /= n as f64;
    let p1 = yes / (n as f64 * m);
    let pe = p1 * p1 + (1.0 - p1) * (1.0 - p1);
    if pe >= 1.0 {
        return Err("every model always decides the same way (chance agreement 1: 0/0)");
    }
    Ok((p_bar - pe) / (1.0 - pe))
}

/// The ensemble panel (agreement, strength deciles, per-model accuracy) and `--export-suspect`.
pub fn panel(e: &Ensemble, settings: &Settings, r: &mut RewardInput, warnings: &mut Vec<Warning>) {
    let n = e.ids.len();
    r.pairs_used = n as u64;
    let st = strength(e);
    let decisions: Vec<Vec<bool>> = e
        .margins
        .iter()
        .map(|v| v.iter().map(|&x| x > 0.0).collect())
        .collect();
    let mut per_model: Vec<EnsembleModel> = e
        .models
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let mut t = Tally::default();
            for &x in &e.margins[k] {
                t.add(x, 0.0, settings.ties);
            }
            EnsembleModel {
                model: name.clone(),
                accuracy: t.accuracy().ok(),
                ties: t.ties,
                accuracy_interval: None,
            }
        })
        .collect();
    let mut mean_t = Tally::default();
    for &(mean, _) in &st {
        mean_t.add(mean, 0.0, settings.ties);
    }
    let neg = st.iter().filter(|x| x.0 < 0.0).count();
    let mut u = Map::new();
    let mut h = |r: &mut RewardInput, name: &str, v| headline_value(r, &mut u, "ensemble", name, v);
    let accuracy_of_mean = h(r, "accuracy_of_mean", mean_t.accuracy());
    let share_contradicted = h(r, "share_contradicted", Ok(neg as f64 / n as f64));
    let mean_std = h(
        r,
        "mean_std",
        Ok(st.iter().map(|x| x.1).sum::<f64>() / n as f64),
    );
    let fleiss = h(r, "fleiss_kappa", fleiss_kappa(&decisions));
    let mut kappas = Vec::new();
    for a in 0..e.models.len() {
        for b in a + 1..e.models.len() {
            let k = cohen_kappa(&decisions[a], &decisions[b]);
            kappas.push(KappaPair {
                a: e.models[a].clone(),
                b: e.models[b].clone(),
                cohen_kappa: k.ok(),
            });
            if e.models.len() == 2 {
                h(r, "cohen_kappa", k);
            }
        }
    }
    // Deciles of preference strength: pairs sorted by mean margin, ten groups of equal mass.
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| st[a].0.total_cmp(&st[b].0));
    let deciles = metrics::split_even(n, 10)
        .into_iter()
        .filter(|(lo, hi)| lo < hi)
        .map(|(lo, hi)| {
            let part = &order[lo..hi];
            let k = part.len() as f64;
            StrengthDecile {
                lower: st[part[0]].0,
                upper: st[part[part.len() - 1]].0,
                pairs: part.len(),
                mean_margin: part.iter().map(|&i| st[i].0).sum::<f64>() / k,
                mean_std: part.iter().map(|&i| st[i].1).sum::<f64>() / k,
            }
        })
        .collect();
    if settings.bootstrap > 0 {
        interval_of_models(e, &st, settings, r, &mut per_model);
    }
    r.ensemble = Some(EnsemblePanel {
        models: e.models.clone(),
        per_model,
        accuracy_of_mean,
        share_contradicted,
        mean_std,
        fleiss_kappa: fleiss,
        cohen_kappa: kappas,
        deciles,
        undefined: u,
    });
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
                r.side_files.push(crate::render::SideFile {
                    path: path.to_path_buf(),
                    text: String::from_utf8_lossy(&bytes).into_owned(),
                    make_dir: false,
                })
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

/// `--bootstrap` of the ensemble (pairs resampled with replacement, each pair its own cluster):
/// intervals of the headline numbers into `r.intervals`, each model's into its row.
fn interval_of_models(
    e: &Ensemble,
    st: &[(f64, f64)],
    settings: &Settings,
    r: &mut RewardInput,
    per_model: &mut [EnsembleModel],
) {
    let n = e.ids.len();
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
                if let Some(row) = per_model.iter_mut().find(|x| x.model == name) {
                    row.accuracy_interval = Some(v);
                }
            }
            None => {
                r.intervals.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kappas_by_hand() {
        // 10 items: both yes 4, a only 2, b only 1, both no 3: p_o = 0.7, p_a = 0.6, p_b = 0.5,
        // p_e = 0.3 + 0.2 = 0.5, κ = 0.4.
        let a = [
            true, true, true, true, true, true, false, false, false, false,
        ];
        let b = [
            true, true, true, true, false, false, true, false, false, false,
        ];
        assert!((cohen_kappa(&a, &b).unwrap() - 0.4).abs() < 1e-12);
        // Fleiss with two raters: P_i = 1 when they agree, 0 otherwise → P̄ = 0.7; p1 = 0.55,
        // P̄_e = 0.55² + 0.45² = 0.505; κ = (0.7 − 0.505) / 0.495.
        let f = fleiss_kappa(&[a.to_vec(), b.to_vec()]).unwrap();
        assert!((f - (0.7 - 0.505) / 0.495).abs() < 1e-12);
    }
}
