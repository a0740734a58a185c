//! Preference pairs (one row per pair: a chosen and a rejected score), read from any table.

use std::collections::{BTreeMap, HashMap};

use anyhow::{bail, Result};
use polars::prelude::*;

use crate::input::{detect_column, resolve_column, Opened, Source};
use crate::reward::data::{
    Codes, Meta, Pairs, RewardColumns, CHOSEN_NAMES, ID_NAMES, REJECTED_NAMES, SUBSET_NAMES,
};
use crate::reward::settings::{LengthUnit, Preset, Settings};

/// A pairs input: its pairs, the columns used, the NaN pairs `--preset rewardbench` counts as
/// wrong (per subset, kept out of `pairs`), and with `--compare` the other file joined to it.
#[derive(Debug, Clone)]
pub struct PairsInput {
    pub pairs: Pairs,
    pub columns: RewardColumns,
    pub nan_pairs: BTreeMap<String, u64>,
    pub compare: Option<Comparison>,
}

/// `--compare`: this file's pairs that the other file also has, and the other's in that order.
#[derive(Debug, Clone)]
pub struct Comparison {
    pub base: Pairs,
    pub other: Pairs,
    /// The other file as reported.
    pub other_display: String,
}

/// Reads preference pairs: the score columns given or detected by name, ids, subsets,
/// lengths (or texts measured in `--length-unit`) and groups.
pub fn load(source: &Source, settings: &Settings) -> Result<(PairsInput, Meta)> {
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
    let mut meta = Meta {
        rows_read: n as u64,
        read_warnings,
        ..Meta::default()
    };
    let mut nan_pairs: BTreeMap<String, u64> = BTreeMap::new();
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
                *nan_pairs.entry(s).or_default() += 1;
            }
        }
    }
    let dropped = keep.iter().filter(|k| !**k).count() as u64 - nan_pairs.values().sum::<u64>();
    if dropped > 0 {
        meta.dropped.insert("missing or NaN score".into(), dropped);
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
    let columns = RewardColumns {
        chosen,
        rejected,
        id,
        subset,
        chosen_length: chosen_length.or(chosen_text),
        rejected_length: rejected_length.or(rejected_text),
        length_unit: unit,
        groups,
        detected,
    };
    let input = PairsInput {
        pairs: p,
        columns,
        nan_pairs,
        compare: None,
    };
    Ok((input, meta))
}
