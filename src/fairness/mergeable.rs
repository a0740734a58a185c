//! Mergeable sufficient statistics. `--emit-stats FILE` writes what one pass counted — per cell
//! of the sensitive attributes the rows and weights of the four confusion quadrants (regression:
//! the cell's sums) with the rows read and dropped — as a small JSON file; `--from-stats` reads any
//! number of them (or tables with the same counts, e.g. the result of `fairaudit sql`'s query),
//! adds them up cell by cell, and audits the sum exactly as if every row had been read: every
//! count metric, disparity, interval and bootstrap is a function of these counts. Score metrics
//! and row metrics need the rows and are not carried (a note says so).

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Result};
use polars::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;

use super::plan::Pass;
use super::regression::RegSums;
use super::settings::{Settings, Task};
use super::stats::{Cell, GroupKey, Stats};
use crate::fairness::report::UsedColumns;
use crate::input::Source;

/// The statistics file format version.
pub const VERSION: u32 = 1;

/// Count columns of a statistics table (everything else is a sensitive attribute).
const TABLE_COUNTS: [&str; 14] = [
    "tn",
    "fp",
    "fn",
    "tp",
    "w_tn",
    "w_fp",
    "w_fn",
    "w_tp",
    "rows_read",
    "missing_label",
    "missing_prediction",
    "missing_weight",
    "invalid",
    "rows",
];

#[derive(Debug, Clone, Serialize, Deserialize)]
struct CellOut {
    codes: Vec<u32>,
    /// Rows per quadrant: tn, fp, fn, tp.
    rows: [u64; 4],
    /// Weights per quadrant (equal to the rows without --weight).
    weight: [f64; 4],
    /// Regression: w, mean_y, m2_y, sum_pred, sum_res, sum_abs, sum_sq.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    regression: Option<[f64; 7]>,
}

/// Scores of a statistics file: (cell index into `cells`, label, rounded score, weight) per
/// distinct (cell, label, rounded score).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct ScoresOut {
    column: String,
    resolution: f64,
    records: Vec<(u32, u8, f64, f64)>,
}

/// The grid scores are rounded to in a statistics file when the audit kept them exactly.
pub const EMIT_RESOLUTION: f64 = 1e-4;

/// What `--emit-stats` writes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StatsFile {
    fairaudit_stats: u32,
    task: String,
    source: String,
    label: Option<String>,
    prediction: Option<String>,
    threshold: Option<f64>,
    weight: Option<String>,
    /// The sensitive attributes (multiclass: the label and prediction classes follow as two more
    /// dimensions of `keys`).
    groups: Vec<String>,
    keys: Vec<Vec<Json>>,
    cells: Vec<CellOut>,
    rows_read: u64,
    dropped: BTreeMap<String, u64>,
    label_positive_seen: bool,
    pred_positive_seen: bool,
    /// The flags whose column was detected by its name.
    #[serde(default)]
    detected: Vec<String>,
    /// With --score: a score histogram per cell and label (scores rounded to `resolution`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scores: Option<ScoresOut>,
    /// What the statistics leave out (score and row metrics need the rows).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    not_included: Vec<String>,
}

fn key_json(k: &GroupKey) -> Json {
    match k {
        GroupKey::Bool(b) => Json::Bool(*b),
        GroupKey::Int(i) => Json::from(*i),
        GroupKey::Float(f) => serde_json::Number::from_f64(*f)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        GroupKey::Str(s) => Json::String(s.clone()),
        GroupKey::Missing => Json::Null,
    }
}

fn json_key(v: &Json) -> GroupKey {
    match v {
        Json::Bool(b) => GroupKey::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => GroupKey::Int(i),
            None => GroupKey::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => GroupKey::Str(s.clone()),
        _ => GroupKey::Missing,
    }
}

/// The statistics of one pass as a file.
pub fn to_file(pass: &Pass) -> StatsFile {
    let st = &pass.stats;
    let c = &pass.columns;
    let mut not_included = Vec::new();
    let scores = c.score.as_ref().map(|col| {
        let r = st.score_resolution.unwrap_or(EMIT_RESOLUTION);
        let mut recs: Vec<(u32, u8, f64, f64)> = st
            .scored
            .iter()
            .map(|x| (x.cell, x.y, super::stats::round_score(x.score, r), x.w))
            .collect();
        recs.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)).then(a.2.total_cmp(&b.2)));
        let mut merged: Vec<(u32, u8, f64, f64)> = Vec::new();
        for x in recs {
            match merged.last_mut() {
                Some(l) if l.0 == x.0 && l.1 == x.1 && l.2 == x.2 => l.3 += x.3,
                _ => merged.push(x),
            }
        }
        ScoresOut {
            column: col.clone(),
            resolution: r,
            records: merged,
        }
    });
    for m in &c.row_metrics {
        not_included.push(format!("row metric '{m}' (it needs the rows)"));
    }
    if c.condition.is_some() {
        not_included.push("--condition strata".into());
    }
    StatsFile {
        fairaudit_stats: VERSION,
        task: pass.task.resolved().name().into(),
        source: pass.source.display.clone(),
        label: c.label.clone(),
        prediction: c.prediction.clone(),
        threshold: c.threshold,
        weight: c.weight.clone(),
        groups: c.groups.clone(),
        keys: st
            .keys
            .iter()
            .map(|ks| ks.iter().map(key_json).collect())
            .collect(),
        cells: st
            .cells
            .iter()
            .enumerate()
            .map(|(i, cell)| CellOut {
                codes: cell.codes.clone(),
                rows: cell.rows,
                weight: cell.weight,
                regression: st.regression.get(i).map(|r| {
                    [
                        r.w, r.mean_y, r.m2_y, r.sum_pred, r.sum_res, r.sum_abs, r.sum_sq,
                    ]
                }),
            })
            .collect(),
        rows_read: st.rows_read,
        dropped: st.dropped.clone(),
        label_positive_seen: st.label_positive_seen,
        pred_positive_seen: st.pred_positive_seen,
        detected: c.detected.clone(),
        scores,
        not_included,
    }
}

/// The statistics of `pass` as the file `--emit-stats` writes to `path`.
pub fn emit(pass: &Pass, path: &std::path::Path) -> Result<crate::render::SideFile> {
    let text = serde_json::to_string_pretty(&to_file(pass))? + "\n";
    Ok(crate::render::SideFile {
        path: path.to_path_buf(),
        text,
        make_dir: false,
    })
}

/// Reads one statistics input: a JSON file from `--emit-stats`, or a table of counts.
fn read(src: &Source) -> Result<StatsFile> {
    let d = &src.display;
    if src.format == crate::input::Format::Json {
        let bytes = src.bytes()?;
        let f: StatsFile = serde_json::from_slice(&bytes).map_err(|e| {
            anyhow!("{d}: not a fairaudit statistics file ({e}); write one with --emit-stats")
        })?;
        if f.fairaudit_stats != VERSION {
            bail!(
                "{d}: statistics format version {} (this fairaudit reads version {VERSION})",
                f.fairaudit_stats
            );
        }
        let dims = f.groups.len() + usize::from(f.task == "multiclass") * 2;
        if f.keys.len() != dims {
            bail!(
                "{d}: {} key lists for {dims} dimensions; the file is damaged",
                f.keys.len()
            );
        }
        for c in &f.cells {
            if c.codes.len() != dims
                || c.codes
                    .iter()
                    .zip(&f.keys)
                    .any(|(&k, ks)| k as usize >= ks.len())
            {
                bail!("{d}: a cell's codes do not match the keys; the file is damaged");
            }
        }
        return Ok(f);
    }
    read_table(src)
}

/// A table of counts: one row per cell, a column per sensitive attribute (its values; null is
/// the missing group) and the columns tn, fp, fn, tp — optionally w_tn … w_tp (weights),
/// rows_read, missing_label, missing_prediction, missing_weight, invalid (the columns
/// `fairaudit sql` writes).
fn read_table(src: &Source) -> Result<StatsFile> {
    let d = &src.display;
    let opened = src.open()?;
    let df = src.collect(opened.frame)?;
    let names: Vec<String> = df
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    for need in ["tn", "fp", "fn", "tp"] {
        if !names.iter().any(|n| n == need) {
            bail!("{d}: a statistics table needs the columns tn, fp, fn, tp (one row per group); '{need}' is missing. Make it with the query of `fairaudit sql`, or use --emit-stats");
        }
    }
    let groups: Vec<String> = names
        .iter()
        .filter(|n| !TABLE_COUNTS.contains(&n.as_str()))
        .cloned()
        .collect();
    if groups.is_empty() {
        bail!("{d}: no sensitive-attribute column besides the counts");
    }
    let weighted = names.iter().any(|n| n == "w_tn");
    let count = |name: &str| -> Result<Vec<f64>> {
        if !names.iter().any(|n| n == name) {
            return Ok(vec![0.0; df.height()]);
        }
        // Text (CSV) is parsed strictly: a count that is not a number is an error naming it.
        let v: Vec<f64> = crate::input::roles::number_values(
            df.column(name)?.as_materialized_series(),
            &src.options.na_values,
            d,
        )?
        .into_iter()
        .map(|x| x.unwrap_or(0.0))
        .collect();
        if v.iter().any(|x| !x.is_finite() || *x < 0.0) {
            bail!("{d}: column '{name}' has a negative or non-finite count");
        }
        if !name.starts_with("w_") {
            if let Some(x) = v.iter().find(|x| x.fract() != 0.0) {
                bail!("{d}: column '{name}' counts rows but has the value {x}; row counts are whole numbers (weights go in w_tn … w_tp)");
            }
        }
        Ok(v)
    };
    let rows: Vec<Vec<f64>> = ["tn", "fp", "fn", "tp"]
        .iter()
        .map(|n| count(n))
        .collect::<Result<_>>()?;
    let weights: Vec<Vec<f64>> = if weighted {
        ["w_tn", "w_fp", "w_fn", "w_tp"]
            .iter()
            .map(|n| count(n))
            .collect::<Result<_>>()?
    } else {
        rows.clone()
    };
    let invalid: f64 = count("invalid")?.iter().sum();
    if invalid > 0.0 {
        bail!("{d}: {invalid} rows have a label or prediction that is not 0/1 (column 'invalid'); fix the query's positive value or threshold");
    }
    let mut keys: Vec<Vec<Json>> = vec![Vec::new(); groups.len()];
    let mut cells = Vec::new();
    let cols: Vec<Series> = groups
        .iter()
        .map(|g| df.column(g).map(|c| c.as_materialized_series().clone()))
        .collect::<PolarsResult<_>>()?;
    for r in 0..df.height() {
        let mut codes = Vec::new();
        for (a, s) in cols.iter().enumerate() {
            let v = match s.get(r)? {
                AnyValue::Null => Json::Null,
                AnyValue::Boolean(b) => Json::Bool(b),
                AnyValue::String(x) => Json::String(x.to_string()),
                AnyValue::StringOwned(x) => Json::String(x.to_string()),
                v if v.is_integer() => Json::from(v.extract::<i64>().unwrap_or_default()),
                v => serde_json::Number::from_f64(v.extract::<f64>().unwrap_or(f64::NAN))
                    .map(Json::Number)
                    .unwrap_or(Json::Null),
            };
            let code = match keys[a].iter().position(|k| *k == v) {
                Some(c) => c,
                None => {
                    keys[a].push(v);
                    keys[a].len() - 1
                }
            };
            codes.push(code as u32);
        }
        let q: [u64; 4] = std::array::from_fn(|k| rows[k][r] as u64);
        let w: [f64; 4] = std::array::from_fn(|k| weights[k][r]);
        cells.push(CellOut {
            codes,
            rows: q,
            weight: w,
            regression: None,
        });
    }
    let total = |name: &str| -> Result<u64> { Ok(count(name)?.iter().sum::<f64>() as u64) };
    let mut dropped = BTreeMap::new();
    for (col, reason) in [
        ("missing_label", "missing label"),
        ("missing_prediction", "missing prediction"),
        ("missing_weight", "missing weight"),
    ] {
        let k = total(col)?;
        if k > 0 {
            dropped.insert(reason.to_string(), k);
        }
    }
    let used: u64 = cells.iter().map(|c| c.rows.iter().sum::<u64>()).sum();
    let rows_read = if names.iter().any(|n| n == "rows_read") {
        total("rows_read")?
    } else {
        used + dropped.values().sum::<u64>()
    };
    Ok(StatsFile {
        fairaudit_stats: VERSION,
        task: "binary".into(),
        source: d.clone(),
        label: Some("(statistics table)".into()),
        prediction: None,
        threshold: None,
        weight: weighted.then(|| "(statistics table)".into()),
        groups,
        keys,
        cells,
        rows_read,
        dropped,
        label_positive_seen: true,
        pred_positive_seen: true,
        detected: Vec::new(),
        scores: None,
        not_included: Vec::new(),
    })
}

/// Reads every statistics input and adds them up into one pass, checking they describe the same
/// audit (task, columns, attributes).
pub fn load(sources: &[Source], args: &Settings) -> Result<(Pass, Vec<String>)> {
    let files: Vec<StatsFile> = sources.iter().map(read).collect::<Result<_>>()?;
    let first = &files[0];
    for (f, s) in files.iter().zip(sources).skip(1) {
        let same = f.task == first.task
            && f.groups == first.groups
            && f.label == first.label
            && f.prediction == first.prediction
            && f.threshold == first.threshold
            && f.weight.is_some() == first.weight.is_some()
            && f.scores.as_ref().map(|x| (&x.column, x.resolution))
                == first.scores.as_ref().map(|x| (&x.column, x.resolution));
        if !same {
            bail!(
                "{}: its statistics are not of the same audit as {}'s (task, label, prediction, threshold, weight, attributes and score resolution must match: {} [{}] vs {} [{}])",
                s.display,
                sources[0].display,
                f.task,
                f.groups.join(", "),
                first.task,
                first.groups.join(", ")
            );
        }
    }
    if !args.groups.is_empty() {
        let wanted: Vec<String> = args
            .groups
            .iter()
            .flat_map(|g| g.split(','))
            .map(|g| g.trim().to_string())
            .collect();
        if wanted != first.groups {
            bail!(
                "--group {} does not match the attributes of the statistics ({}); leave --group out with --from-stats",
                wanted.join(","),
                first.groups.join(",")
            );
        }
    }
    let task = match first.task.as_str() {
        "regression" => Task::Regression,
        "multiclass" => Task::Multiclass,
        _ => Task::Binary,
    };
    let dims = first.keys.len();
    let mut keys: Vec<Vec<GroupKey>> = vec![Vec::new(); dims];
    type Merged = ([u64; 4], [f64; 4], Option<RegSums>);
    let mut cells: BTreeMap<Vec<u32>, Merged> = BTreeMap::new();
    let mut rows_read = 0;
    let mut dropped: BTreeMap<String, u64> = BTreeMap::new();
    let (mut lseen, mut pseen) = (false, false);
    let mut notes = Vec::new();
    // Score histograms: (merged cell codes, label, score bits in order) → weight.
    let mut hist: BTreeMap<(Vec<u32>, u8, i64), (f64, f64)> = BTreeMap::new();
    for f in &files {
        let remap: Vec<Vec<u32>> = f
            .keys
            .iter()
            .enumerate()
            .map(|(a, ks)| {
                ks.iter()
                    .map(|v| {
                        let k = json_key(v);
                        match keys[a].iter().position(|x| *x == k) {
                            Some(c) => c as u32,
                            None => {
                                keys[a].push(k);
                                (keys[a].len() - 1) as u32
                            }
                        }
                    })
                    .collect()
            })
            .collect();
        let mut cell_codes = Vec::with_capacity(f.cells.len());
        for c in &f.cells {
            let codes: Vec<u32> = c
                .codes
                .iter()
                .enumerate()
                .map(|(a, &k)| remap[a][k as usize])
                .collect();
            cell_codes.push(codes.clone());
            let e = cells.entry(codes).or_insert(([0; 4], [0.0; 4], None));
            for q in 0..4 {
                e.0[q] += c.rows[q];
                e.1[q] += c.weight[q];
            }
            if let Some(r) = c.regression {
                let sums = RegSums {
                    w: r[0],
                    mean_y: r[1],
                    m2_y: r[2],
                    sum_pred: r[3],
                    sum_res: r[4],
                    sum_abs: r[5],
                    sum_sq: r[6],
                };
                e.2.get_or_insert_with(RegSums::default).merge(&sums);
            }
        }
        if let Some(sc) = &f.scores {
            for &(c, y, score, w) in &sc.records {
                // Order-preserving integer key of the score (total order of f64).
                let bits = score.to_bits() as i64;
                let ord = bits ^ ((((bits >> 63) as u64) >> 1) as i64);
                let e = hist
                    .entry((cell_codes[c as usize].clone(), y, ord))
                    .or_insert((score, 0.0));
                e.1 += w;
            }
        }
        rows_read += f.rows_read;
        for (r, k) in &f.dropped {
            *dropped.entry(r.clone()).or_default() += k;
        }
        lseen |= f.label_positive_seen;
        pseen |= f.pred_positive_seen;
        for n in &f.not_included {
            if !notes.contains(n) {
                notes.push(n.clone());
            }
        }
    }
    let mut out_cells = Vec::new();
    let mut regression = Vec::new();
    for (codes, (rows, weight, reg)) in cells {
        out_cells.push(Cell {
            codes,
            rows,
            weight,
        });
        if let Some(r) = reg {
            regression.push(r);
        }
    }
    let position: BTreeMap<&Vec<u32>, u32> = out_cells
        .iter()
        .enumerate()
        .map(|(i, c)| (&c.codes, i as u32))
        .collect();
    // Merged records: weighted (a weight adds up the rows' weights).
    let scored: Vec<super::scores::Scored> = hist
        .iter()
        .map(|((codes, y, _), &(score, w))| super::scores::Scored {
            score,
            cell: position[codes],
            y: *y,
            w,
        })
        .collect();
    let mut stats = Stats::from_cells(keys, out_cells);
    stats.scored = scored.into();
    stats.score_resolution = first.scores.as_ref().map(|x| x.resolution);
    stats.rows_read = rows_read;
    stats.dropped = dropped;
    stats.label_positive_seen = lseen;
    stats.pred_positive_seen = pseen;
    stats.regression = regression;
    stats.canonicalize();
    stats.scored.sort();
    let mut source = sources[0].clone();
    source.display = sources
        .iter()
        .map(|s| s.display.as_str())
        .collect::<Vec<_>>()
        .join(" + ");
    let columns = UsedColumns {
        label: first.label.clone(),
        scoring_median: None,
        prediction: first.prediction.clone(),
        score: first.scores.as_ref().map(|x| x.column.clone()),
        threshold: first.threshold,
        weight: first.weight.clone(),
        groups: first.groups.clone(),
        row_metrics: Vec::new(),
        condition: None,
        condition_edges: None,
        detected: first.detected.clone(),
        within: None,
        others: Vec::new(),
        group_thresholds: None,
    };
    let warnings: Vec<String> = stats.dropped_warning().into_iter().collect();
    let pass = Pass {
        source,
        task,
        columns,
        stats,
        warnings,
        score_type: None,
    };
    Ok((pass, notes))
}
