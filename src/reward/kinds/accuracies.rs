//! Published per-subset accuracies (a JSON object of subset → accuracy, or a published summary of
//! RewardBench or RM-Bench): read, and scored as RewardBench v1 with `--preset rewardbench`.

use std::collections::BTreeMap;

use anyhow::{bail, Result};
use serde_json::{json, Value as Json};

use crate::input::Source;
use crate::render::Warning;
use crate::reward::data::Meta;
use crate::reward::metrics;
use crate::reward::panel::num;
use crate::reward::report::{RewardInput, SubsetReport};
use crate::reward::rewardbench::{rewardbench, rewardbench_json};
use crate::reward::settings::{Preset, Settings};

/// Reads the one object of subset → accuracy (under `extra_results` when the `rewardbench`
/// command wrote it).
pub fn load(source: &Source, values: &[Json]) -> Result<(BTreeMap<String, f64>, Meta)> {
    let d = &source.display;
    let [Json::Object(o)] = values else {
        bail!("{d}: expected one JSON object of subset → accuracy, e.g. {{\"alpacaeval-easy\": 0.94, ...}}");
    };
    // The `rewardbench` command writes them under `extra_results` (next to the overall
    // accuracy, model names and counts).
    let o = match o.get("extra_results") {
        Some(Json::Object(e)) => e,
        _ => o,
    };
    let mut out: BTreeMap<String, f64> = BTreeMap::new();
    for (k, v) in o {
        let Some(a) = v.as_f64() else { continue };
        if !(0.0..=1.0).contains(&a) {
            bail!("{d}: the accuracy of '{k}' is {a}; accuracies are between 0 and 1");
        }
        out.insert(k.clone(), a);
    }
    if out.is_empty() {
        bail!("{d}: no numeric accuracy in the object");
    }
    let meta = Meta {
        rows_read: out.len() as u64,
        ..Meta::default()
    };
    Ok((out, meta))
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

/// The accuracies panel: the published figures as given, or the subsets and, with
/// `--preset rewardbench`, RewardBench's section scores.
pub fn panel(
    accuracies: &BTreeMap<String, f64>,
    settings: &Settings,
    r: &mut RewardInput,
    warnings: &mut Vec<Warning>,
) {
    // A published summary: its figures as they are (gates can read them), no subsets.
    let as_json: serde_json::Map<String, Json> = accuracies
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
    for (s, &a) in accuracies {
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
    let acc = |s: &str| accuracies.get(s).copied();
    // Micro accuracy: subsets weighted by their number of examples.
    let (mut num_, mut den) = (0.0, 0.0);
    for (s, a) in accuracies {
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
