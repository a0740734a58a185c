//! Reads the input: the columns a mode uses, then (pairs) every variant row paired with its id's
//! original row, or (distribution) the prompt and value of every row. Errors name the file, the
//! column and the line.

use std::collections::{BTreeMap, HashMap};

use anyhow::{bail, Result};
use serde::Serialize;

use super::settings::{DistributionSettings, Measure, PairSettings, ALL};
use crate::input::table::{Frame, Table};
use crate::input::Source;

/// Role of a column in a read.
enum Role {
    Text,
    Number,
    Flag,
}

/// Reads `cols` (flag, column, role) of `source`; every column resolved by name ("did you mean"
/// when absent). A value a number or 0/1 column cannot read is one error naming the file, the
/// flag, the column, the value, its place ([`place`]) and what is accepted. Also returns what
/// reading noticed (rows skipped by --skip-bad-rows).
fn read(source: &Source, cols: &[(&str, &str, Role)]) -> Result<Read> {
    let mut t = Table::open(source)?;
    let mut names = Vec::new();
    let mut dtypes = Vec::new();
    for (i, (flag, name, role)) in cols.iter().enumerate() {
        let c = t
            .column(Some(name), flag, &[], true)?
            .expect("a given column");
        let alias = format!("__c{i}");
        match role {
            Role::Text => t.text(&c, &alias),
            Role::Number => t.number(&c, flag, &alias)?,
            Role::Flag => t.flag(&c, flag, &alias)?,
        }
        dtypes.push(t.dtype(&c));
        names.push(c);
    }
    let notes = t.notes();
    let frame = match t.read() {
        Ok(f) => f,
        Err(e) => return Err(diagnose(source, cols, &names).unwrap_or(e)),
    };
    Ok(Read {
        frame,
        names,
        notes,
        dtypes,
    })
}

/// What [`read`] gives: the columns read, their resolved names and file types, the reading
/// notes (rows skipped with `--skip-bad-rows`).
struct Read {
    frame: Frame,
    names: Vec<String>,
    notes: Vec<String>,
    dtypes: Vec<Option<polars::prelude::DataType>>,
}

/// How many rows a reading note says were skipped (`skipped N malformed rows ...`).
pub fn skipped_rows(note: &str) -> Option<u64> {
    note.strip_prefix("skipped ")?
        .split(' ')
        .next()?
        .parse()
        .ok()
}

/// Whether `text` reads as a number the way the column reader does (strictly: no spaces).
fn reads_as_number(text: &str) -> bool {
    text.parse::<f64>().is_ok()
}

const YES_NO: [&str; 12] = [
    "true", "True", "TRUE", "yes", "Yes", "YES", "false", "False", "FALSE", "no", "No", "NO",
];

/// After a failed read: the first value of a number or 0/1 column that does not read, as one
/// error naming the file, flag, column, value and place. `None` when no such value is found
/// (the reader's own error stands).
fn diagnose(
    source: &Source,
    cols: &[(&str, &str, Role)],
    names: &[String],
) -> Option<anyhow::Error> {
    let mut t = Table::open(source).ok()?;
    let mut checked = Vec::new();
    for (i, ((flag, _, role), name)) in cols.iter().zip(names).enumerate() {
        if matches!(role, Role::Text) {
            continue;
        }
        let alias = format!("__d{i}");
        t.text(name, &alias);
        checked.push((alias, *flag, name, matches!(role, Role::Flag)));
    }
    let f = t.read().ok()?;
    for (alias, flag, name, binary) in checked {
        let texts = f.texts(&alias).ok()?;
        for (i, v) in texts.iter().enumerate() {
            let Some(v) = v else { continue };
            if reads_as_number(v) || (binary && YES_NO.contains(&v.as_str())) {
                continue;
            }
            let what = if binary {
                "0 / 1, true / false or yes / no"
            } else {
                "a number"
            };
            let spaces = if v.trim() != v && reads_as_number(v.trim()) {
                " (a number with spaces around it: remove the spaces)"
            } else {
                ""
            };
            return Some(anyhow::anyhow!(
                "{}: {flag} column '{name}' has '{v}' on {}{spaces}; each value must be {what}, or missing (one of the --na-values spellings, e.g. NA)",
                source.display,
                source.place(i)
            ));
        }
    }
    None
}

/// What one row of a pair holds, copied next to the pair so that the figures and every
/// bootstrap replicate read the pairs in order (no random access into the columns).
#[derive(Debug, Clone, Copy)]
pub struct Side {
    /// The score, or the 0/1 decision of --pred; NaN when missing.
    pub number: f64,
    /// The normalised answer's code (--answer); `u32::MAX` when missing.
    pub answer: u32,
    /// The label: 0/1 (--pred / --score) or the normalised label's code (--answer);
    /// `u32::MAX` when missing or without --label.
    pub label: u32,
}

/// One variant row and its id's original row.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    /// Index into [`PairData::ids`].
    pub id: u32,
    /// Index into [`PairData::attributes`].
    pub attribute: u32,
    /// Index into the attribute's values ([`PairData::values`]).
    pub value: u32,
    /// Data rows (0-based) of the original and the variant.
    pub original: u32,
    pub variant: u32,
    pub o: Side,
    pub v: Side,
}

/// What a row holds of the measure.
#[derive(Debug, Clone, Default)]
pub struct Observations {
    /// `--score` values, or `--pred` as 0 / 1.
    pub numbers: Vec<Option<f64>>,
    /// `--answer`: the answer as written, and its normalised form's code.
    pub answers: Vec<Option<String>>,
    pub answer_codes: Vec<Option<u32>>,
    /// `--label`: whether the row's decision or answer is right (`None`: no label or no
    /// decision).
    pub labels_pred: Vec<Option<f64>>,
    pub labels_answer: Vec<Option<u32>>,
}

/// How the ids were matched.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Matching {
    /// Ids with exactly one original row and at least one variant row.
    pub ids_paired: u64,
    /// Ids whose rows are left out, by cause.
    pub ids_without_original: u64,
    pub ids_with_several_originals: u64,
    /// Ids with an original row and no variant row (nothing to compare; not an error).
    pub ids_without_variant: u64,
    /// Up to five ids of each cause, in file order.
    pub sample_ids_without_original: Vec<String>,
    pub sample_ids_with_several_originals: Vec<String>,
}

/// The pairs of an input.
#[derive(Debug, Clone)]
pub struct PairData {
    pub rows: u64,
    pub ids: Vec<String>,
    pub attributes: Vec<String>,
    /// Per attribute, its variant values (sorted).
    pub values: Vec<Vec<String>>,
    pub pairs: Vec<Pair>,
    pub obs: Observations,
    pub matching: Matching,
    /// Rows left out, by reason.
    pub dropped: BTreeMap<String, u64>,
    /// The columns used, by flag.
    pub columns: Vec<(String, String)>,
    /// Answers and labels with text that normalise to nothing (SQuAD erases `A`, `the`).
    pub answers_emptied: u64,
    /// `--threshold` values as the score column's precision holds them (float32: rounded).
    pub thresholds: Vec<f64>,
    /// `--parity-threshold` likewise.
    pub parity_threshold: f64,
    /// What reading noticed (rows skipped by --skip-bad-rows), for the warnings.
    pub notes: Vec<String>,
    /// Variant rows that repeat an (id, attribute, value) already seen: each is a pair of its
    /// own in the flip / Δ / answer figures; parity uses the first. Up to five, as `id (value)`.
    pub duplicate_variants: u64,
    pub sample_duplicates: Vec<String>,
}

/// Reads and pairs the rows of `source`.
pub fn pairs(source: &Source, s: &PairSettings) -> Result<PairData> {
    let d = &source.display;
    let mut cols: Vec<(&str, &str, Role)> = vec![
        ("--id", s.id.as_str(), Role::Text),
        ("--variant", s.variant.as_str(), Role::Text),
    ];
    cols.push(match &s.measure {
        Measure::Pred(c) => ("--pred", c.as_str(), Role::Flag),
        Measure::Score { column, .. } => ("--score", column.as_str(), Role::Number),
        Measure::Answer(c) => ("--answer", c.as_str(), Role::Text),
    });
    if let Some(a) = &s.attribute {
        cols.push(("--attribute", a.as_str(), Role::Text));
    }
    if let Some(l) = &s.label {
        let role = match s.measure {
            Measure::Answer(_) => Role::Text,
            _ => Role::Flag,
        };
        cols.push(("--label", l.as_str(), role));
    }
    let Read {
        frame: f,
        names,
        notes,
        dtypes,
    } = read(source, &cols)?;
    // A float32 score is compared with the thresholds rounded to float32, as numpy, pandas and
    // DuckDB compare a float32 column with a literal (audit-fairness does the same).
    let in_precision = |t: f64| crate::input::roles::in_precision(t, dtypes[2].as_ref());
    let thresholds: Vec<f64> = match &s.measure {
        Measure::Score { thresholds, .. } => thresholds.iter().map(|&t| in_precision(t)).collect(),
        _ => Vec::new(),
    };
    let parity_threshold = in_precision(s.parity_threshold);
    let columns: Vec<(String, String)> = cols
        .iter()
        .zip(&names)
        .map(|((flag, _, _), n)| (flag.trim_start_matches("--").to_string(), n.clone()))
        .collect();
    let ids = f.texts("__c0")?;
    let variants = f.texts("__c1")?;
    let n = ids.len();
    let mut next = 3;
    let attrs = if s.attribute.is_some() {
        next += 1;
        Some(f.texts("__c3")?)
    } else {
        None
    };
    let mut obs = Observations::default();
    let mut codes: HashMap<String, u32> = HashMap::new();
    let mut emptied = 0u64;
    let mut code_of = |text: &str| {
        let k = s.answer_normalization.apply(text);
        if k.is_empty() && !text.trim().is_empty() {
            emptied += 1;
        }
        let len = codes.len() as u32;
        *codes.entry(k).or_insert(len)
    };
    match &s.measure {
        Measure::Pred(c) => {
            let v = f.numbers("__c2")?;
            check_binary(source, &v, "--pred", c)?;
            obs.numbers = v;
        }
        Measure::Score { column, .. } => {
            let v = f.numbers("__c2")?;
            if let Some(i) = v.iter().position(|x| x.is_some_and(|x| x.is_infinite())) {
                bail!(
                    "{d}: --score column '{column}' is infinite on {}; give finite scores",
                    source.place(i)
                );
            }
            obs.numbers = v;
        }
        Measure::Answer(_) => {
            obs.answers = f.texts("__c2")?;
            obs.answer_codes = obs
                .answers
                .iter()
                .map(|a| a.as_deref().map(&mut code_of))
                .collect();
        }
    }
    if let Some(l) = &s.label {
        let alias = format!("__c{next}");
        match s.measure {
            Measure::Answer(_) => {
                obs.labels_answer = f
                    .texts(&alias)?
                    .iter()
                    .map(|a| a.as_deref().map(&mut code_of))
                    .collect();
            }
            _ => {
                let v = f.numbers(&alias)?;
                check_binary(source, &v, "--label", l)?;
                obs.labels_pred = v;
            }
        }
    }

    let answers_emptied = emptied;

    // Group rows by id, in file order of first appearance.
    let mut dropped = skipped(&notes);
    let mut order: Vec<&str> = Vec::new();
    let mut by_id: HashMap<&str, (Vec<u32>, Vec<u32>)> = HashMap::new();
    for i in 0..n {
        let Some(id) = ids[i].as_deref() else {
            *dropped.entry("missing id".into()).or_default() += 1;
            continue;
        };
        let Some(v) = variants[i].as_deref() else {
            *dropped.entry("missing variant".into()).or_default() += 1;
            continue;
        };
        let e = by_id.entry(id).or_insert_with(|| {
            order.push(id);
            Default::default()
        });
        if v == s.original {
            e.0.push(i as u32);
        } else {
            e.1.push(i as u32);
        }
    }
    let mut matching = Matching::default();
    let mut attribute_ix: BTreeMap<String, BTreeMap<String, ()>> = BTreeMap::new();
    let mut kept: Vec<(u32, u32, u32)> = Vec::new(); // (id index, original row, variant row)
    let mut id_list: Vec<String> = Vec::new();
    let (mut duplicate_variants, mut sample_duplicates) = (0u64, Vec::new());
    for id in &order {
        let (orig, var) = &by_id[id];
        let rows = (orig.len() + var.len()) as u64;
        if orig.is_empty() {
            matching.ids_without_original += 1;
            if matching.sample_ids_without_original.len() < 5 {
                matching.sample_ids_without_original.push(id.to_string());
            }
            *dropped
                .entry("id without an original row".into())
                .or_default() += rows;
            continue;
        }
        if orig.len() > 1 {
            matching.ids_with_several_originals += 1;
            if matching.sample_ids_with_several_originals.len() < 5 {
                matching
                    .sample_ids_with_several_originals
                    .push(id.to_string());
            }
            *dropped
                .entry("id with several original rows".into())
                .or_default() += rows;
            continue;
        }
        if var.is_empty() {
            matching.ids_without_variant += 1;
            *dropped
                .entry("id without a variant row".into())
                .or_default() += rows;
            continue;
        }
        let ix = id_list.len() as u32;
        id_list.push(id.to_string());
        let mut seen_here: Vec<(Option<&str>, &str)> = Vec::new();
        for &r in var {
            let key = (
                attrs.as_ref().and_then(|a| a[r as usize].as_deref()),
                variants[r as usize].as_deref().unwrap_or_default(),
            );
            if seen_here.contains(&key) {
                duplicate_variants += 1;
                if sample_duplicates.len() < 5 {
                    sample_duplicates.push(format!("{id} ({})", key.1));
                }
            } else {
                seen_here.push(key);
            }
            let a = match &attrs {
                Some(a) => match a[r as usize].as_deref() {
                    Some(a) => a.to_string(),
                    None => {
                        *dropped
                            .entry("variant row without an attribute".into())
                            .or_default() += 1;
                        continue;
                    }
                },
                None => ALL.to_string(),
            };
            attribute_ix
                .entry(a)
                .or_default()
                .insert(variants[r as usize].clone().unwrap_or_default(), ());
            kept.push((ix, orig[0], r));
        }
    }
    matching.ids_paired = id_list.len() as u64;
    let unmatched = matching.ids_without_original + matching.ids_with_several_originals;
    let total = unmatched + matching.ids_paired + matching.ids_without_variant;
    if s.max_unmatched.exceeded(unmatched, total) {
        let mut causes = Vec::new();
        if matching.ids_without_original > 0 {
            causes.push(format!(
                "{} without a row whose {} is '{}' (e.g. {})",
                matching.ids_without_original,
                names[1],
                s.original,
                matching.sample_ids_without_original.join(", ")
            ));
        }
        if matching.ids_with_several_originals > 0 {
            causes.push(format!(
                "{} with several such rows (e.g. {})",
                matching.ids_with_several_originals,
                matching.sample_ids_with_several_originals.join(", ")
            ));
        }
        bail!(
            "{d}: {unmatched} of {total} ids cannot be paired: {}; each id needs exactly one original row. Fix the file, check --original, or allow them with --max-unmatched N (or a share such as 5%)",
            causes.join("; ")
        );
    }
    if kept.is_empty() {
        bail!(
            "{d}: no variant row could be paired with an original row (no {} value is '{}' next to another value of the same {}); check --original and --id",
            names[1],
            s.original,
            names[0]
        );
    }
    let attributes: Vec<String> = attribute_ix.keys().cloned().collect();
    let values: Vec<Vec<String>> = attribute_ix
        .values()
        .map(|m| m.keys().cloned().collect())
        .collect();
    let pairs = kept
        .into_iter()
        .map(|(id, o, v)| {
            let a = match &attrs {
                Some(a) => a[v as usize].as_deref().unwrap_or_default(),
                None => ALL,
            };
            let ai = attributes
                .binary_search_by(|x| x.as_str().cmp(a))
                .unwrap_or(0);
            let val = variants[v as usize].as_deref().unwrap_or_default();
            let vi = values[ai]
                .binary_search_by(|x| x.as_str().cmp(val))
                .unwrap_or(0);
            Pair {
                id,
                attribute: ai as u32,
                value: vi as u32,
                original: o,
                variant: v,
                o: side(&obs, o as usize),
                v: side(&obs, v as usize),
            }
        })
        .collect();
    Ok(PairData {
        rows: n as u64,
        ids: id_list,
        attributes,
        values,
        pairs,
        obs,
        matching,
        dropped,
        columns,
        answers_emptied,
        thresholds,
        parity_threshold,
        notes,
        duplicate_variants,
        sample_duplicates,
    })
}

fn side(obs: &Observations, r: usize) -> Side {
    let code = |v: Option<&Option<u32>>| v.copied().flatten().unwrap_or(u32::MAX);
    Side {
        number: obs.numbers.get(r).copied().flatten().unwrap_or(f64::NAN),
        answer: code(obs.answer_codes.get(r)),
        label: match obs.labels_pred.get(r) {
            Some(Some(l)) => *l as u32,
            Some(None) => u32::MAX,
            None => code(obs.labels_answer.get(r)),
        },
    }
}

/// Rows skipped by --skip-bad-rows, as a reason of `input.dropped` (empty without).
fn skipped(notes: &[String]) -> BTreeMap<String, u64> {
    let n: u64 = notes.iter().filter_map(|n| skipped_rows(n)).sum();
    let mut m = BTreeMap::new();
    if n > 0 {
        m.insert("malformed row (--skip-bad-rows)".to_string(), n);
    }
    m
}

/// A 0/1 column: any other number is an error naming the line.
fn check_binary(source: &Source, v: &[Option<f64>], flag: &str, col: &str) -> Result<()> {
    if let Some(i) = v
        .iter()
        .position(|x| x.is_some_and(|x| x != 0.0 && x != 1.0))
    {
        bail!(
            "{}: {flag} column '{col}' holds {} on {}; each value must be 0 / 1, true / false or yes / no, or missing",
            source.display,
            v[i].unwrap_or_default(),
            source.place(i)
        );
    }
    Ok(())
}

/// The rows of a distribution input: (prompt, value) with missing values counted.
#[derive(Debug, Clone)]
pub struct DistributionData {
    pub rows: u64,
    /// Prompts in sorted order.
    pub prompts: Vec<String>,
    /// Values observed (sorted), plus target values not observed.
    pub values: Vec<String>,
    /// Per prompt: the value index of each non-missing row (in file order).
    pub draws: Vec<Vec<u32>>,
    /// Per prompt: the rows with a missing value.
    pub missing: Vec<u64>,
    pub columns: Vec<(String, String)>,
    pub dropped: BTreeMap<String, u64>,
    /// What reading noticed (rows skipped by --skip-bad-rows), for the warnings.
    pub notes: Vec<String>,
}

pub fn distribution(source: &Source, s: &DistributionSettings) -> Result<DistributionData> {
    let mut cols: Vec<(&str, &str, Role)> = vec![("--distribution", s.column.as_str(), Role::Text)];
    if let Some(p) = &s.prompt {
        cols.push(("--prompt", p.as_str(), Role::Text));
    }
    let Read {
        frame: f,
        names,
        notes,
        ..
    } = read(source, &cols)?;
    let columns = cols
        .iter()
        .zip(&names)
        .map(|((flag, _, _), n)| (flag.trim_start_matches("--").to_string(), n.clone()))
        .collect();
    let values = f.texts("__c0")?;
    let prompts = if s.prompt.is_some() {
        Some(f.texts("__c1")?)
    } else {
        None
    };
    let mut dropped = skipped(&notes);
    let mut prompt_names: BTreeMap<String, ()> = BTreeMap::new();
    let mut value_names: BTreeMap<String, ()> = BTreeMap::new();
    for i in 0..values.len() {
        if let Some(p) = &prompts {
            match &p[i] {
                Some(p) => {
                    prompt_names.insert(p.clone(), ());
                }
                None => continue,
            }
        }
        if let Some(v) = &values[i] {
            value_names.insert(v.clone(), ());
        }
    }
    if prompts.is_none() {
        prompt_names.insert(ALL.into(), ());
    }
    if let Some(t) = &s.target {
        for (v, _) in t {
            value_names.insert(v.clone(), ());
        }
    }
    let prompt_list: Vec<String> = prompt_names.into_keys().collect();
    let value_list: Vec<String> = value_names.into_keys().collect();
    let mut draws = vec![Vec::new(); prompt_list.len()];
    let mut missing = vec![0u64; prompt_list.len()];
    for i in 0..values.len() {
        let p = match &prompts {
            Some(p) => match p[i].as_deref() {
                Some(p) => prompt_list
                    .binary_search_by(|x| x.as_str().cmp(p))
                    .unwrap_or(0),
                None => {
                    *dropped.entry("missing prompt".to_string()).or_default() += 1;
                    continue;
                }
            },
            None => 0,
        };
        match values[i].as_deref() {
            Some(v) => draws[p].push(
                value_list
                    .binary_search_by(|x| x.as_str().cmp(v))
                    .unwrap_or(0) as u32,
            ),
            None => missing[p] += 1,
        }
    }
    if draws.iter().all(Vec::is_empty) {
        bail!(
            "{}: --distribution column '{}' has no value on any row",
            source.display,
            names[0]
        );
    }
    Ok(DistributionData {
        rows: values.len() as u64,
        prompts: prompt_list,
        values: value_list,
        draws,
        missing,
        columns,
        dropped,
        notes,
    })
}
