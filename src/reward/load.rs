//! Reward score files → [`Loaded`]: the kind of each input (given, or detected from the file and
//! the flags), read by its loader in [`crate::reward::kinds`] into one [`Input`] variant; and
//! [`report`], which dispatches each variant to its panel.

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Result};
use serde_json::{Map, Value as Json};

use crate::input::{Format, Source};
use crate::render::{Dropped, Warning};
use crate::reward::compare;
use crate::reward::data::{Meta, CHOSEN_NAMES, REJECTED_NAMES};
use crate::reward::kinds::{
    accuracies, best_of_n, counterfactual, ensemble, pairs, pairs_panel, policy, rewardbench2,
    rm_bench,
};
use crate::reward::report::RewardInput;
use crate::reward::settings::{Preset, RewardKind, Settings};

/// One input's data, by kind: each variant carries what its loader read.
#[derive(Debug, Clone)]
pub enum Input {
    Pairs(Box<pairs::PairsInput>),
    /// Subset → accuracy (other keys, such as the model name, ignored).
    Accuracies(BTreeMap<String, f64>),
    RmBench(rm_bench::Records),
    Ensemble(ensemble::Ensemble),
    BestOfN(best_of_n::Pools),
    /// The policies' scores, and with --elo the ratings.
    PerPolicy(policy::Policies, Option<BTreeMap<String, f64>>),
    Counterfactual(counterfactual::Counterfactual),
    Rewardbench2(Vec<rewardbench2::Prompt>),
}

impl Input {
    /// The kind this input was read as (never `Auto`).
    pub fn kind(&self) -> RewardKind {
        match self {
            Input::Pairs(_) => RewardKind::Pairs,
            Input::Accuracies(_) => RewardKind::Accuracies,
            Input::RmBench(_) => RewardKind::RmBench,
            Input::Ensemble(_) => RewardKind::Ensemble,
            Input::BestOfN(_) => RewardKind::BestOfN,
            Input::PerPolicy(..) => RewardKind::PerPolicy,
            Input::Counterfactual(_) => RewardKind::Counterfactual,
            Input::Rewardbench2(_) => RewardKind::Rewardbench2,
        }
    }
}

/// What was read from one input.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub source: Source,
    /// Rows read, dropped by reason, and what reading noticed (skipped malformed rows).
    pub meta: Meta,
    pub input: Input,
}

impl Loaded {
    /// The checks that need the kind read from the file (`--preset` and `--group` against it).
    pub fn check(&self, settings: &Settings) -> Result<()> {
        let d = &self.source.display;
        let kind = self.input.kind();
        match (kind, settings.preset) {
            (RewardKind::RmBench, Preset::Rewardbench) => bail!(
                "{d}: RM-Bench style records take --preset rm-bench, not rewardbench"
            ),
            (k, Preset::RmBench) if k != RewardKind::RmBench => bail!(
                "{d}: --preset rm-bench needs RM-Bench records (score_chosen and score_rejected lists of 3 scores)"
            ),
            (k, Preset::Rewardbench2) if k != RewardKind::Rewardbench2 => bail!(
                "{d}: --preset rewardbench2 needs per-prompt candidate records (JSON / JSONL with a 'scores' list and num_correct)"
            ),
            _ => {}
        }
        if kind != RewardKind::Pairs && !settings.groups.is_empty() {
            bail!("{d}: --group needs a pairs file (one row per preference pair)");
        }
        Ok(())
    }

    /// `--preset rewardbench`: the pairs with a NaN score per subset (empty for other kinds).
    pub fn nan_pairs(&self) -> u64 {
        match &self.input {
            Input::Pairs(p) => p.nan_pairs.values().sum(),
            _ => 0,
        }
    }
}

/// Meta of a loader that counts its dropped rows under one reason.
fn meta(rows_read: u64, reason: &str, dropped: u64) -> Meta {
    let mut m = Meta {
        rows_read,
        ..Meta::default()
    };
    if dropped > 0 {
        m.dropped.insert(reason.into(), dropped);
    }
    m
}

/// Reads one input as `settings.kind` (detected when auto).
pub fn load(source: &Source, settings: &Settings) -> Result<Loaded> {
    let json = matches!(source.format, Format::Json | Format::NdJson);
    let values = if json {
        Some(json_records(source)?)
    } else {
        None
    };
    let kind = match (settings.kind, &values) {
        (RewardKind::Auto, Some(_)) if settings.preset == Preset::Rewardbench2 => {
            RewardKind::Rewardbench2
        }
        (RewardKind::Auto, Some(v)) => match detect(v) {
            RewardKind::Pairs => detect_columns(source, settings)?,
            k => k,
        },
        (RewardKind::Auto, None) => detect_columns(source, settings)?,
        (k, _) => k,
    };
    let (input, meta) = read(source, kind, values, settings)?;
    Ok(Loaded {
        source: source.clone(),
        meta,
        input,
    })
}

/// Reads `source` as `kind` with that kind's loader.
fn read(
    source: &Source,
    kind: RewardKind,
    values: Option<Vec<Json>>,
    settings: &Settings,
) -> Result<(Input, Meta)> {
    let d = &source.display;
    Ok(match kind {
        RewardKind::Rewardbench2 => {
            let Some(v) = &values else {
                bail!("{d}: candidate records (RewardBench 2) are read from JSON or JSONL");
            };
            let (prompts, dropped) = rewardbench2::from_records(d, v)?;
            let m = meta(v.len() as u64, "missing score", dropped);
            (Input::Rewardbench2(prompts), m)
        }
        RewardKind::BestOfN => {
            let p = best_of_n::load(source, settings)?;
            let m = meta(p.rows_read, "missing id or score", p.dropped);
            (Input::BestOfN(p), m)
        }
        RewardKind::Ensemble => {
            let e = ensemble::load(source, settings)?;
            let m = meta(e.rows_read, "a model's score missing", e.dropped);
            (Input::Ensemble(e), m)
        }
        RewardKind::PerPolicy => {
            let p = policy::load(source, settings)?;
            let elo = match &settings.elo {
                Some(path) => Some(policy::load_elo(path, &p.models)?),
                None => None,
            };
            let m = meta(p.rows_read, "missing id, policy or score", p.dropped);
            (Input::PerPolicy(p, elo), m)
        }
        RewardKind::Counterfactual => {
            let c = counterfactual::load(source, settings)?;
            let m = meta(c.rows_read, "missing score", c.dropped);
            (Input::Counterfactual(c), m)
        }
        RewardKind::Accuracies => {
            let v = values.ok_or_else(|| {
                anyhow!("{d}: --kind accuracies reads a JSON object of subset → accuracy (.json)")
            })?;
            let (a, m) = accuracies::load(source, &v)?;
            (Input::Accuracies(a), m)
        }
        RewardKind::RmBench => {
            let v = values.ok_or_else(|| {
                anyhow!(
                    "{d}: --kind styled reads RM-Bench records from JSON or JSONL (score_chosen and score_rejected lists)"
                )
            })?;
            let (r, m) = rm_bench::load(source, &v, settings)?;
            (Input::RmBench(r), m)
        }
        RewardKind::Pairs | RewardKind::Auto => {
            let (p, m) = pairs::load(source, settings)?;
            (Input::Pairs(Box::new(p)), m)
        }
    })
}

/// For tables: the kind the flags ask for, else the one whose usual column names are present.
fn detect_columns(source: &Source, settings: &Settings) -> Result<RewardKind> {
    if settings.chosen.len() > 1 || settings.model.is_some() {
        return Ok(RewardKind::Ensemble);
    }
    if settings.proxy.is_some() || settings.gold.is_some() || settings.correct.is_some() {
        return Ok(RewardKind::BestOfN);
    }
    if settings.policy.is_some() || settings.elo.is_some() {
        return Ok(RewardKind::PerPolicy);
    }
    if settings.original.is_some() || settings.perturbed.is_some() {
        return Ok(RewardKind::Counterfactual);
    }
    let t = crate::input::table::Table::open(source)?;
    Ok(if t.has(CHOSEN_NAMES) && t.has(REJECTED_NAMES) {
        RewardKind::Pairs
    } else if t.has(best_of_n::PROXY_NAMES)
        && (t.has(best_of_n::GOLD_NAMES) || t.has(best_of_n::CORRECT_NAMES))
    {
        RewardKind::BestOfN
    } else if t.has(policy::POLICY_NAMES) && t.has(policy::SCORE_NAMES) {
        RewardKind::PerPolicy
    } else if t.has(counterfactual::ORIGINAL_NAMES) && t.has(counterfactual::PERTURBED_NAMES) {
        RewardKind::Counterfactual
    } else {
        RewardKind::Pairs
    })
}

/// The records of a JSON or JSONL source.
fn json_records(source: &Source) -> Result<Vec<Json>> {
    if source.format == Format::Json {
        return source.json_values();
    }
    let bytes = source.bytes()?;
    let text = String::from_utf8_lossy(&bytes);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        out.push(
            serde_json::from_str(line)
                .map_err(|e| anyhow!("{}: line {}: not valid JSON: {e}", source.display, i + 1))?,
        );
    }
    if out.is_empty() {
        bail!("{}: the file holds no records", source.display);
    }
    Ok(out)
}

/// A single object of numbers keyed by RewardBench subsets → accuracies; records whose
/// `score_chosen` is a list → styled; anything else → pairs.
fn detect(values: &[Json]) -> RewardKind {
    // The `rewardbench` command's summary: per-subset accuracies under `extra_results`; and the
    // published summaries of RewardBench (section scores) and RM-Bench (easy / normal / hard).
    if let [Json::Object(o)] = values {
        if o.get("extra_results").is_some_and(Json::is_object)
            || accuracies::published_summary(o).is_some()
        {
            return RewardKind::Accuracies;
        }
    }
    if let [Json::Object(o)] = values {
        let numeric = o
            .iter()
            .filter(|(k, v)| v.is_number() && crate::reward::metrics::subset_size(k).is_some())
            .count();
        if numeric > 0 && !o.contains_key("scores_chosen") && !o.contains_key("score_chosen") {
            return RewardKind::Accuracies;
        }
    }
    if let Some(Json::Object(o)) = values.first() {
        if o.get("scores").is_some_and(Json::is_array) {
            return RewardKind::Rewardbench2;
        }
        if o.get("score_chosen").is_some_and(Json::is_array) {
            return RewardKind::RmBench;
        }
    }
    RewardKind::Pairs
}

/// The report of one input: its header (path, format, kind, rows, dropped rows, with a warning
/// when rows were dropped) and the panel of its kind.
pub fn report(l: &Loaded, settings: &Settings, warnings: &mut Vec<Warning>) -> RewardInput {
    let file = l.source.display.clone();
    let dropped = &l.meta.dropped;
    let mut r = RewardInput {
        side_files: Vec::new(),
        path: file.clone(),
        format: l.source.format.name().to_string(),
        kind: l.input.kind().name().into(),
        rows_read: l.meta.rows_read,
        pairs_used: 0,
        rows_dropped: Dropped::list(dropped),
        columns: match &l.input {
            Input::Pairs(p) => Some(p.columns.clone()),
            _ => None,
        },
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
    if !dropped.is_empty() {
        let reasons: Vec<String> = dropped.iter().map(|(k, v)| format!("{k}: {v}")).collect();
        warnings.push(Warning::new(
            &file,
            None,
            format!(
                "{} of {} rows dropped ({})",
                dropped.values().sum::<u64>(),
                l.meta.rows_read,
                reasons.join(", ")
            ),
        ));
    }
    match &l.input {
        Input::Accuracies(a) => accuracies::panel(a, settings, &mut r, warnings),
        Input::RmBench(x) => rm_bench::panel(x, settings, &mut r),
        Input::BestOfN(p) => best_of_n::panel(p, &mut r),
        Input::Ensemble(e) => ensemble::panel(e, settings, &mut r, warnings),
        Input::PerPolicy(p, elo) => policy::panel(p, elo.as_ref(), settings, &mut r, warnings),
        Input::Counterfactual(c) => counterfactual::panel(c, settings, &mut r),
        Input::Rewardbench2(p) => rewardbench2::panel(p, settings, &mut r, warnings),
        Input::Pairs(p) => {
            pairs_panel::panel(p, settings, &mut r, warnings);
            if let Some(c) = &p.compare {
                compare::panel(c, settings, &mut r);
            }
        }
    }
    r
}
