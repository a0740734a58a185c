//! Reward score files → the arrays the panels read: preference pairs, published per-subset
//! accuracies, RM-Bench style records. Columns are resolved with the shared input layer.

use std::collections::{BTreeMap, HashMap};

use anyhow::{anyhow, bail, Result};
use polars::prelude::*;
use serde::Serialize;
use serde_json::Value as Json;

use super::settings::{LengthUnit, Preset, RewardKind, Settings};
use crate::input::{detect_column, resolve_column, Format, Opened, Source};

pub const CHOSEN_NAMES: &[&str] = &[
    "scores_chosen",
    "score_chosen",
    "chosen_score",
    "reward_chosen",
    "chosen_reward",
    "chosen",
];
pub const REJECTED_NAMES: &[&str] = &[
    "scores_rejected",
    "score_rejected",
    "rejected_score",
    "reward_rejected",
    "rejected_reward",
    "rejected",
];
pub const ID_NAMES: &[&str] = &["id", "prompt_id", "pair_id"];
pub const SUBSET_NAMES: &[&str] = &["subset", "category", "domain"];

/// The columns a pairs audit used (reported).
#[derive(Debug, Clone, Serialize, Default)]
pub struct RewardColumns {
    pub chosen: String,
    pub rejected: String,
    pub id: Option<String>,
    pub subset: Option<String>,
    pub chosen_length: Option<String>,
    pub rejected_length: Option<String>,
    /// With --chosen-text: `chars` or `tokens`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length_unit: Option<String>,
    pub groups: Vec<String>,
    /// Flags whose column was found by its name.
    pub detected: Vec<String>,
}

/// Values of a categorical column: a code per row, names indexed by code in sorted order.
#[derive(Debug, Clone, Default)]
pub struct Codes {
    pub codes: Vec<u32>,
    pub names: Vec<String>,
}

impl Codes {
    /// Codes of borrowed values: first-seen codes through a hash map, then renumbered so that
    /// names are in sorted order.
    fn from_values<'a>(values: impl Iterator<Item = &'a str>) -> Codes {
        let mut index: HashMap<&'a str, u32> = HashMap::new();
        let mut first: Vec<u32> = Vec::new();
        for v in values {
            let k = index.len() as u32;
            first.push(*index.entry(v).or_insert(k));
        }
        let mut names: Vec<(&str, u32)> = index.into_iter().collect();
        names.sort();
        let mut remap = vec![0u32; names.len()];
        for (new, (_, old)) in names.iter().enumerate() {
            remap[*old as usize] = new as u32;
        }
        Codes {
            codes: first.into_iter().map(|c| remap[c as usize]).collect(),
            names: names.into_iter().map(|(n, _)| n.to_string()).collect(),
        }
    }

    fn from_strings(values: Vec<String>) -> Codes {
        let mut seen: BTreeMap<String, u32> = BTreeMap::new();
        for v in &values {
            seen.entry(v.clone()).or_insert(0);
        }
        for (i, v) in seen.values_mut().enumerate() {
            *v = i as u32;
        }
        Codes {
            codes: values.iter().map(|v| seen[v]).collect(),
            names: seen.into_keys().collect(),
        }
    }

    pub fn single(n: usize, name: &str) -> Codes {
        Codes {
            codes: vec![0; n],
            names: vec![name.to_string()],
        }
    }
}

/// Preference pairs (rows with both scores).
#[derive(Debug, Clone, Default)]
pub struct Pairs {
    pub chosen: Vec<f64>,
    pub rejected: Vec<f64>,
    /// Prompt (bootstrap cluster) of each pair.
    pub prompt: Vec<u32>,
    pub subset: Codes,
    /// Lengths of the chosen and rejected responses (NaN where missing).
    pub lengths: Option<(Vec<f64>, Vec<f64>)>,
    /// Per --group column: its name and codes.
    pub groups: Vec<(String, Codes)>,
    /// The pair ids (the --id column) when there is one: `--compare` joins two files by them.
    pub ids: Option<Vec<Option<String>>>,
}

impl Pairs {
    /// The pairs at `idx`, in that order (subset names and group names kept).
    pub fn select(&self, idx: &[usize]) -> Pairs {
        let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let codes = |c: &Codes| Codes {
            codes: idx.iter().map(|&i| c.codes[i]).collect(),
            names: c.names.clone(),
        };
        Pairs {
            chosen: pick(&self.chosen),
            rejected: pick(&self.rejected),
            prompt: idx.iter().map(|&i| self.prompt[i]).collect(),
            subset: codes(&self.subset),
            lengths: self.lengths.as_ref().map(|(a, b)| (pick(a), pick(b))),
            groups: self
                .groups
                .iter()
                .map(|(n, c)| (n.clone(), codes(c)))
                .collect(),
            ids: self
                .ids
                .as_ref()
                .map(|v| idx.iter().map(|&i| v[i].clone()).collect()),
        }
    }
}

/// What was read from one input.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub source: Source,
    pub kind: RewardKind,
    pub rows_read: u64,
    pub dropped: BTreeMap<String, u64>,
    pub columns: Option<RewardColumns>,
    pub pairs: Pairs,
    /// Accuracies kind: subset → accuracy (other keys, such as the model name, ignored).
    pub accuracies: BTreeMap<String, f64>,
    /// Styled kind: per record (chosen scores, rejected scores) and its domain.
    pub styled: Vec<([f64; 3], [f64; 3])>,
    pub domains: Codes,
    pub best_of_n: Option<super::bon::Pools>,
    pub ensemble: Option<super::ensemble::Ensemble>,
    pub policies: Option<super::policy::Policies>,
    pub counterfactual: Option<super::counterfactual::Counterfactual>,
    /// --compare: the other file, its pairs joined to `compare_base` (same order).
    pub other: Option<Box<Loaded>>,
    /// --compare: this file's pairs that the other file also has (by id), in this file's order.
    pub compare_base: Option<Pairs>,
    /// Per-policy with --elo: the ratings.
    pub policy_elo: Option<BTreeMap<String, f64>>,
    /// Candidates kind (RewardBench 2).
    pub candidates: Vec<super::rb2::Prompt>,
    /// What reading the file noticed (skipped malformed rows).
    pub read_warnings: Vec<String>,
    /// --preset rewardbench: pairs with a NaN score per subset, counted wrong as RewardBench
    /// counts them (kept out of `pairs`).
    pub nan_pairs: BTreeMap<String, u64>,
}

impl Loaded {
    fn new(source: &Source, kind: RewardKind) -> Loaded {
        Loaded {
            source: source.clone(),
            kind,
            rows_read: 0,
            read_warnings: Vec::new(),
            nan_pairs: BTreeMap::new(),
            compare_base: None,
            dropped: BTreeMap::new(),
            columns: None,
            pairs: Pairs::default(),
            accuracies: BTreeMap::new(),
            styled: Vec::new(),
            domains: Codes::default(),
            best_of_n: None,
            ensemble: None,
            policies: None,
            counterfactual: None,
            other: None,
            policy_elo: None,
            candidates: Vec::new(),
        }
    }
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
        (RewardKind::Auto, Some(v)) if settings.preset == Preset::Rewardbench2 => {
            let _ = v;
            RewardKind::Rewardbench2
        }
        (RewardKind::Auto, Some(v)) => match detect(v) {
            RewardKind::Pairs => detect_columns(source, settings)?,
            k => k,
        },
        (RewardKind::Auto, None) => detect_columns(source, settings)?,
        (k, _) => k,
    };
    let with = |f: &dyn Fn(&mut Loaded)| {
        let mut l = Loaded::new(source, kind);
        f(&mut l);
        l
    };
    match kind {
        RewardKind::Rewardbench2 => {
            let Some(v) = &values else {
                bail!(
                    "{}: candidate records (RewardBench 2) are read from JSON or JSONL",
                    source.display
                );
            };
            let (prompts, dropped) = super::rb2::from_records(&source.display, v)?;
            let mut l = with(&|_| {});
            l.rows_read = v.len() as u64;
            if dropped > 0 {
                l.dropped.insert("missing score".into(), dropped);
            }
            l.candidates = prompts;
            return Ok(l);
        }
        RewardKind::BestOfN => {
            let p = super::bon::load(source, settings)?;
            return Ok(with(&|l| {
                l.rows_read = p.rows_read;
                if p.dropped > 0 {
                    l.dropped.insert("missing id or score".into(), p.dropped);
                }
            }))
            .map(|mut l| {
                l.best_of_n = Some(p);
                l
            });
        }
        RewardKind::Ensemble => {
            let e = super::ensemble::load(source, settings)?;
            let mut l = with(&|_| {});
            l.rows_read = e.rows_read;
            if e.dropped > 0 {
                l.dropped
                    .insert("a model's score missing".into(), e.dropped);
            }
            l.ensemble = Some(e);
            return Ok(l);
        }
        RewardKind::PerPolicy => {
            let p = super::policy::load(source, settings)?;
            let mut l = with(&|_| {});
            if let Some(path) = &settings.elo {
                l.policy_elo = Some(super::policy::load_elo(path, &p.models)?);
            }
            l.rows_read = p.rows_read;
            if p.dropped > 0 {
                l.dropped
                    .insert("missing id, policy or score".into(), p.dropped);
            }
            l.policies = Some(p);
            return Ok(l);
        }
        RewardKind::Counterfactual => {
            let c = super::counterfactual::load(source, settings)?;
            let mut l = with(&|_| {});
            l.rows_read = c.rows_read;
            if c.dropped > 0 {
                l.dropped.insert("missing score".into(), c.dropped);
            }
            l.counterfactual = Some(c);
            return Ok(l);
        }
        _ => {}
    }
    match kind {
        RewardKind::Accuracies => {
            let v = values.ok_or_else(|| {
                anyhow!(
                    "{}: --kind accuracies reads a JSON object of subset → accuracy (.json)",
                    source.display
                )
            })?;
            accuracies(source, &v)
        }
        RewardKind::RmBench => {
            let v = values.ok_or_else(|| {
                anyhow!(
                    "{}: --kind styled reads RM-Bench records from JSON or JSONL (score_chosen and score_rejected lists)",
                    source.display
                )
            })?;
            styled(source, &v, settings)
        }
        _ => pairs(source, settings),
    }
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
    let t = super::table::Table::open(source)?;
    Ok(if t.has(CHOSEN_NAMES) && t.has(REJECTED_NAMES) {
        RewardKind::Pairs
    } else if t.has(super::bon::PROXY_NAMES)
        && (t.has(super::bon::GOLD_NAMES) || t.has(super::bon::CORRECT_NAMES))
    {
        RewardKind::BestOfN
    } else if t.has(super::policy::POLICY_NAMES) && t.has(super::policy::SCORE_NAMES) {
        RewardKind::PerPolicy
    } else if t.has(super::counterfactual::ORIGINAL_NAMES)
        && t.has(super::counterfactual::PERTURBED_NAMES)
    {
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
            || super::panels::published_summary(o).is_some()
        {
            return RewardKind::Accuracies;
        }
    }
    if let [Json::Object(o)] = values {
        let numeric = o
            .iter()
            .filter(|(k, v)| v.is_number() && super::metrics::subset_size(k).is_some())
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

fn accuracies(source: &Source, values: &[Json]) -> Result<Loaded> {
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
    let mut out = Loaded::new(source, RewardKind::Accuracies);
    for (k, v) in o {
        let Some(a) = v.as_f64() else { continue };
        if !(0.0..=1.0).contains(&a) {
            bail!("{d}: the accuracy of '{k}' is {a}; accuracies are between 0 and 1");
        }
        out.accuracies.insert(k.clone(), a);
    }
    if out.accuracies.is_empty() {
        bail!("{d}: no numeric accuracy in the object");
    }
    out.rows_read = out.accuracies.len() as u64;
    Ok(out)
}

fn styled(source: &Source, values: &[Json], settings: &Settings) -> Result<Loaded> {
    let d = &source.display;
    let mut out = Loaded::new(source, RewardKind::RmBench);
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
        out.rows_read += 1;
        let Json::Object(o) = v else {
            bail!("{d}: record {} is not a JSON object", i + 1);
        };
        let c = three(o.get("score_chosen"), "score_chosen", i)?;
        let r = three(o.get("score_rejected"), "score_rejected", i)?;
        let (Some(c), Some(r)) = (c, r) else {
            *out.dropped.entry("missing score".into()).or_default() += 1;
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
        out.styled.push((c, r));
    }
    if out.styled.is_empty() {
        bail!("{d}: no record has all 6 scores");
    }
    out.domains = Codes::from_strings(domains);
    Ok(out)
}

fn pairs(source: &Source, settings: &Settings) -> Result<Loaded> {
    let Opened {
        frame,
        schema,
        duplicate_headers,
        warnings: read_warnings,
    } = source.open()?;
    let d = source.display.as_str();
    let typing = source.typing(&schema);
    let resolve = |c: &str, flag: &str| resolve_column(&schema, c, flag, d, &duplicate_headers);
    let available = || {
        schema
            .iter_names()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut detected = Vec::new();
    let mut pick = |given: &Option<String>,
                    flag: &str,
                    names: &[&str],
                    required: bool|
     -> Result<Option<String>> {
        match given {
            Some(c) => Ok(Some(resolve(c, flag)?)),
            None => match detect_column(&schema, names) {
                Some(c) => {
                    detected.push(flag.to_string());
                    Ok(Some(c))
                }
                None if required => bail!(
                    "{d}: no {} score column; pass {flag} COL (looked for {}). Available columns: {}",
                    &flag[2..],
                    names.join(", "),
                    available()
                ),
                None => Ok(None),
            },
        }
    };
    let chosen = pick(
        &settings.chosen.first().cloned(),
        "--chosen",
        CHOSEN_NAMES,
        true,
    )?
    .expect("required");
    let rejected = pick(
        &settings.rejected.first().cloned(),
        "--rejected",
        REJECTED_NAMES,
        true,
    )?
    .expect("required");
    let id = pick(&settings.id, "--id", ID_NAMES, false)?;
    let subset = pick(&settings.subset, "--subset", SUBSET_NAMES, false)?;
    if chosen == rejected {
        bail!("{d}: the chosen and rejected scores are the same column '{chosen}'");
    }
    let opt = |c: &Option<String>, flag: &str| c.as_deref().map(|c| resolve(c, flag)).transpose();
    let chosen_length = opt(&settings.chosen_length, "--chosen-length")?;
    let rejected_length = opt(&settings.rejected_length, "--rejected-length")?;
    let chosen_text = opt(&settings.chosen_text, "--chosen-text")?;
    let rejected_text = opt(&settings.rejected_text, "--rejected-text")?;
    let groups = settings
        .groups
        .iter()
        .map(|g| resolve(g, "--group"))
        .collect::<Result<Vec<_>>>()?;

    let numeric = |c: &str, flag: &str, alias: &str| -> Result<Expr> {
        let dt = schema.get(c).expect("resolved");
        if matches!(dt, DataType::List(_) | DataType::Array(..)) {
            bail!(
                "{d}: {flag} column '{c}' holds a list per row (RM-Bench records: pass --preset rm-bench, or --kind styled)"
            );
        }
        typing.number(c, flag, alias)
    };
    let text = |c: &str, alias: &str| typing.text(c, alias);
    let mut exprs = vec![
        numeric(&chosen, "--chosen", "__c")?,
        numeric(&rejected, "--rejected", "__r")?,
    ];
    if let Some(c) = &id {
        exprs.push(text(c, "__id"));
    }
    if let Some(c) = &subset {
        exprs.push(text(c, "__subset"));
    }
    match (
        &chosen_length,
        &rejected_length,
        &chosen_text,
        &rejected_text,
    ) {
        (Some(a), Some(b), _, _) => {
            exprs.push(numeric(a, "--chosen-length", "__lc")?);
            exprs.push(numeric(b, "--rejected-length", "__lr")?);
        }
        (_, _, Some(a), Some(b)) => {
            exprs.push(text(a, "__lc"));
            exprs.push(text(b, "__lr"));
        }
        _ => {}
    }
    for (i, g) in groups.iter().enumerate() {
        exprs.push(text(g, &format!("__g{i}")));
    }
    let df = source.collect(frame.select(exprs))?;
    let n = df.height();
    if n == 0 {
        bail!("{d}: the file has a header but no data rows");
    }
    let floats = |name: &str| -> Result<Vec<Option<f64>>> {
        Ok(df
            .column(name)?
            .as_materialized_series()
            .f64()?
            .iter()
            .collect())
    };
    let strings = |name: &str| -> Result<StringChunked> {
        Ok(df.column(name)?.as_materialized_series().str()?.clone())
    };
    let c = floats("__c")?;
    let r = floats("__r")?;
    let keep: Vec<bool> = c
        .iter()
        .zip(&r)
        .map(|(a, b)| matches!((a, b), (Some(a), Some(b)) if !a.is_nan() && !b.is_nan()))
        .collect();
    for (i, (a, b)) in c.iter().zip(&r).enumerate() {
        if let (Some(a), Some(b)) = (a, b) {
            if a.is_infinite() || b.is_infinite() {
                bail!(
                    "{d}: data row {}: a score is infinite; scores must be finite numbers",
                    i + 1
                );
            }
        }
    }
    let kept = |v: Vec<Option<f64>>| -> Vec<f64> {
        v.into_iter()
            .zip(&keep)
            .filter(|(_, &k)| k)
            .map(|(x, _)| x.unwrap_or(f64::NAN))
            .collect()
    };
    // Codes of a text column over the kept rows, without copying a string per row.
    let kept_codes = |ca: &StringChunked, missing: &str| -> Codes {
        Codes::from_values(
            ca.iter()
                .zip(&keep)
                .filter(|(_, &k)| k)
                .map(|(x, _)| x.unwrap_or(missing)),
        )
    };
    // Scores so large that chosen − rejected overflows (1e308 and −1e308) would make every
    // margin-based figure meaningless (a calibration temperature of 3e60): refused.
    if let Some(i) = (0..n).find(|&i| match (c[i], r[i]) {
        (Some(a), Some(b)) => {
            a.is_finite()
                && b.is_finite()
                && (!(a - b).is_finite() || a.abs() > 1e150 || b.abs() > 1e150)
        }
        _ => false,
    }) {
        bail!(
            "{d}: data row {}: the scores {:e} and {:e} are too large to sum or subtract (above 1e150); rescale the scores (divide them by a constant)",
            i + 1,
            c[i].unwrap_or_default(),
            r[i].unwrap_or_default()
        );
    }
    let mut out = Loaded::new(source, RewardKind::Pairs);
    out.read_warnings = read_warnings;
    out.rows_read = n as u64;
    // RewardBench counts a pair right only when chosen > rejected: a NaN score (which a CSV
    // writes as NaN, read as missing) makes a wrong pair there, not a dropped one. Counted per
    // subset for that preset.
    if settings.preset == Preset::Rewardbench {
        let subsets = subset.as_ref().map(|_| strings("__subset")).transpose()?;
        for (i, k) in keep.iter().enumerate() {
            if !k {
                let s = subsets
                    .as_ref()
                    .map(|ca| ca.get(i).unwrap_or("(missing)").to_string())
                    .unwrap_or_else(|| "(all)".into());
                *out.nan_pairs.entry(s).or_default() += 1;
            }
        }
    }
    let dropped = keep.iter().filter(|k| !**k).count() as u64 - out.nan_pairs.values().sum::<u64>();
    if dropped > 0 {
        out.dropped.insert("missing or NaN score".into(), dropped);
    }
    let used = keep.iter().filter(|k| **k).count();
    if used == 0 {
        bail!("{d}: every row misses a chosen or rejected score; nothing to audit");
    }
    let mut p = Pairs {
        chosen: kept(c),
        rejected: kept(r),
        ..Pairs::default()
    };
    p.prompt = match &id {
        Some(_) => {
            let ca = strings("__id")?;
            let mut index: HashMap<&str, u32> = HashMap::with_capacity(used);
            let mut next = 0u32;
            let mut codes = Vec::with_capacity(used);
            for (v, _) in ca.iter().zip(&keep).filter(|(_, &k)| k) {
                // A missing id is a prompt of its own.
                let code = match v {
                    Some(v) => *index.entry(v).or_insert_with(|| {
                        next += 1;
                        next - 1
                    }),
                    None => {
                        next += 1;
                        next - 1
                    }
                };
                codes.push(code);
            }
            codes
        }
        None => (0..used as u32).collect(),
    };
    if id.is_some() {
        // A pair's key: its id and its rank among all rows of that id (a prompt may have
        // several pairs), counted before rows are dropped, so a pair dropped in one file
        // does not shift the others.
        let ca = strings("__id")?;
        let mut seen: HashMap<&str, usize> = HashMap::new();
        let keys: Vec<Option<String>> = ca
            .iter()
            .map(|v| {
                v.map(|v| {
                    let k = seen.entry(v).or_default();
                    *k += 1;
                    if *k == 1 {
                        v.to_string()
                    } else {
                        format!("{v}#{k}")
                    }
                })
            })
            .collect();
        p.ids = Some(
            keys.into_iter()
                .zip(&keep)
                .filter(|(_, &k)| k)
                .map(|(v, _)| v)
                .collect(),
        );
    }
    p.subset = match &subset {
        Some(_) => kept_codes(&strings("__subset")?, "(missing)"),
        None => Codes::single(used, "(all)"),
    };
    let mut unit = None;
    if chosen_length.is_some() {
        p.lengths = Some((kept(floats("__lc")?), kept(floats("__lr")?)));
    } else if chosen_text.is_some() {
        let measure = |s: &str| match settings.length_unit {
            LengthUnit::Chars => s.chars().count() as f64,
            LengthUnit::Tokens => s.split_whitespace().count() as f64,
        };
        let texts = |name: &str| -> Result<Vec<f64>> {
            Ok(strings(name)?
                .iter()
                .zip(&keep)
                .filter(|(_, &k)| k)
                .map(|(t, _)| t.map_or(f64::NAN, measure))
                .collect())
        };
        p.lengths = Some((texts("__lc")?, texts("__lr")?));
        unit = Some(
            match settings.length_unit {
                LengthUnit::Chars => "chars",
                LengthUnit::Tokens => "tokens",
            }
            .to_string(),
        );
    }
    for (i, g) in groups.iter().enumerate() {
        p.groups.push((
            g.clone(),
            kept_codes(&strings(&format!("__g{i}"))?, "(missing)"),
        ));
    }
    out.pairs = p;
    out.columns = Some(RewardColumns {
        chosen,
        rejected,
        id,
        subset,
        chosen_length: chosen_length.or(chosen_text),
        rejected_length: rejected_length.or(rejected_text),
        length_unit: unit,
        groups,
        detected,
    });
    Ok(out)
}
