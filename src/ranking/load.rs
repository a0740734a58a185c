//! Files → lists: one pass over the chosen columns, each query kept compactly as its items'
//! (group code, relevance) in rank order. Queries are told apart by file and id; the rows of a
//! query need not be contiguous.

use std::collections::HashMap;

use anyhow::{bail, Result};
use polars::prelude::*;

use crate::input::{detect_column, resolve_column, Source};
use crate::ranking::settings::{Settings, QUERY_NAMES, RANK_NAMES, RELEVANCE_NAMES, SCORE_NAMES};

/// Every query of every input, in rank order.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    /// Group names, sorted; codes index this.
    pub groups: Vec<String>,
    /// Query ids (as written), in order of first appearance (file by file).
    pub queries: Vec<String>,
    /// The file each query comes from (index into `files`).
    pub query_file: Vec<u32>,
    /// Query i's items are `offsets[i]..offsets[i + 1]`.
    pub offsets: Vec<u32>,
    /// Group code of each item, in rank order within its query.
    pub group: Vec<u16>,
    /// Relevance of each item (when a relevance column is read).
    pub relevance: Option<Vec<f64>>,
    /// What was read: per file, (display, rows, query column, rank or score column, relevance).
    pub files: Vec<FileInfo>,
    /// What opening each file noted (file, note): a separator guessed, rows skipped, ...
    pub notes: Vec<(String, String)>,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct FileInfo {
    pub file: String,
    pub rows: usize,
    pub queries: usize,
    pub query_column: String,
    /// `rank` or `score`, with the column.
    pub order: String,
    pub order_column: String,
    pub group_column: String,
    pub relevance_column: Option<String>,
}

impl Lists {
    pub fn len(&self) -> usize {
        self.queries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.queries.is_empty()
    }

    /// The group codes of query `q` in rank order.
    pub fn list(&self, q: usize) -> &[u16] {
        &self.group[self.offsets[q] as usize..self.offsets[q + 1] as usize]
    }

    /// The relevances of query `q` in rank order.
    pub fn rel(&self, q: usize) -> Option<&[f64]> {
        self.relevance
            .as_ref()
            .map(|r| &r[self.offsets[q] as usize..self.offsets[q + 1] as usize])
    }
}

fn column(
    source: &Source,
    schema: &Schema,
    dups: &[String],
    given: Option<&str>,
    flag: &str,
    names: &[&str],
) -> Result<Option<String>> {
    match given {
        Some(c) => Ok(Some(resolve_column(
            schema,
            c,
            flag,
            &source.display,
            dups,
        )?)),
        None => Ok(detect_column(schema, names)),
    }
}

/// Reads every input into one [`Lists`].
pub fn load(sources: &[Source], settings: &Settings) -> Result<Lists> {
    let mut group_codes: HashMap<String, u16> = HashMap::new();
    let mut group_names: Vec<String> = Vec::new();
    let mut out = Lists {
        offsets: vec![0],
        relevance: None,
        ..Default::default()
    };
    let mut rels: Vec<f64> = Vec::new();
    let want_rel = settings.relevance.is_some();
    let mut any_rel = false;
    for (fi, source) in sources.iter().enumerate() {
        let d = &source.display;
        let opened = source.open()?;
        out.notes
            .extend(opened.warnings.iter().map(|w| (d.clone(), w.clone())));
        let schema = &opened.schema;
        let dups = &opened.duplicate_headers;
        let names: Vec<&str> = schema.iter_names().map(|s| s.as_str()).collect();
        let available = names.join(", ");
        let query = column(source, schema, dups, settings.query.as_deref(), "--query", QUERY_NAMES)?
            .ok_or_else(|| anyhow::anyhow!(
                "{d}: no column for --query; pass --query COL (looked for {}). Available columns: {available}",
                QUERY_NAMES.join(", ")
            ))?;
        let group = resolve_column(schema, &settings.group, "--group", d, dups)?;
        // --rank or --score; neither: a rank column by its usual names, else a score column.
        let (by_rank, order) = if let Some(r) = &settings.rank {
            (true, resolve_column(schema, r, "--rank", d, dups)?)
        } else if let Some(s) = &settings.score {
            (false, resolve_column(schema, s, "--score", d, dups)?)
        } else if let Some(r) = detect_column(schema, RANK_NAMES) {
            (true, r)
        } else if let Some(s) = detect_column(schema, SCORE_NAMES) {
            (false, s)
        } else {
            bail!(
                "{d}: no rank or score column; pass --rank COL or --score COL (looked for {}). Available columns: {available}",
                RANK_NAMES.iter().chain(SCORE_NAMES).copied().collect::<Vec<_>>().join(", ")
            );
        };
        let relevance = column(
            source,
            schema,
            dups,
            settings.relevance.as_deref(),
            "--relevance",
            RELEVANCE_NAMES,
        )?;
        if fi > 0 && relevance.is_some() != any_rel {
            bail!(
                "{d}: {} relevance column while the first input {}; give every input the same columns",
                if relevance.is_some() { "has a" } else { "has no" },
                if any_rel { "has one" } else { "has none" }
            );
        }
        if want_rel && relevance.is_none() {
            unreachable!("a given --relevance column is resolved or an error");
        }
        any_rel = relevance.is_some();
        let typing = source.typing(schema);
        let mut exprs = vec![
            typing.text(&query, "__q"),
            typing.text(&group, "__g"),
            typing.number(&order, if by_rank { "--rank" } else { "--score" }, "__o")?,
        ];
        if let Some(r) = &relevance {
            exprs.push(typing.number(r, "--relevance", "__r")?);
        }
        let df = source.collect(opened.frame.clone().select(exprs))?;
        let rows = df.height();
        if rows == 0 {
            bail!("{d}: the file has a header but no data rows");
        }
        let qs = df.column("__q")?.as_materialized_series().str()?.clone();
        let gs = df.column("__g")?.as_materialized_series().str()?.clone();
        let os = df.column("__o")?.as_materialized_series().f64()?.clone();
        let rs = match &relevance {
            Some(_) => Some(df.column("__r")?.as_materialized_series().f64()?.clone()),
            None => None,
        };
        // Query index (within this file) and group code of every row.
        let mut local: HashMap<&str, u32> = HashMap::new();
        let mut first_row: Vec<usize> = Vec::new();
        let mut qrow: Vec<u32> = Vec::with_capacity(rows);
        let mut grow: Vec<u16> = Vec::with_capacity(rows);
        let mut last_group: Option<(&str, u16)> = None;
        for (i, (q, g)) in qs.iter().zip(gs.iter()).enumerate() {
            let Some(q) = q else {
                bail!(
                    "{d}: {}: the query ('{query}') is missing; every row needs one",
                    source.place(i)
                );
            };
            let Some(g) = g else {
                bail!("{d}: {}: the group ('{group}') is missing; every ranked item needs one (fill it, e.g. 'unknown', or drop the query)", source.place(i));
            };
            let next = local.len() as u32;
            let qi = *local.entry(q).or_insert_with(|| {
                first_row.push(i);
                next
            });
            qrow.push(qi);
            let code = match last_group {
                Some((name, c)) if name == g => c,
                _ => {
                    let c = match group_codes.get(g) {
                        Some(c) => *c,
                        None => {
                            if group_names.len() >= u16::MAX as usize {
                                bail!("{d}: more than {} groups in '{group}'; is it the right column?", u16::MAX);
                            }
                            let c = group_names.len() as u16;
                            group_codes.insert(g.to_string(), c);
                            group_names.push(g.to_string());
                            c
                        }
                    };
                    last_group = Some((g, c));
                    c
                }
            };
            grow.push(code);
        }
        let nq = local.len();
        let mut ids: Vec<&str> = vec![""; nq];
        for (name, i) in &local {
            ids[*i as usize] = name;
        }
        // Rows of each query, in file order (a counting sort).
        let mut start = vec![0u32; nq + 1];
        for &q in &qrow {
            start[q as usize + 1] += 1;
        }
        for i in 0..nq {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut order_rows = vec![0u32; rows];
        for (i, &q) in qrow.iter().enumerate() {
            order_rows[fill[q as usize] as usize] = i as u32;
            fill[q as usize] += 1;
        }
        let keys: Vec<Option<f64>> = os.iter().collect();
        let relv: Option<Vec<Option<f64>>> = rs.as_ref().map(|r| r.iter().collect());
        let mut slot: Vec<u32> = Vec::new();
        for qi in 0..nq {
            let rows_q = &order_rows[start[qi] as usize..start[qi + 1] as usize];
            let n = rows_q.len();
            let id = ids[qi];
            slot.clear();
            if by_rank {
                slot.resize(n, u32::MAX);
                for &r in rows_q {
                    let r = r as usize;
                    let Some(v) = keys[r] else {
                        bail!(
                            "{d}: {}: query '{id}' has no rank ('{order}' is missing)",
                            source.place(r)
                        );
                    };
                    if v.fract() != 0.0 || v < 1.0 || v > n as f64 {
                        bail!(
                            "{d}: {}: query '{id}' has rank {v} but {n} items; ranks must be 1..{n} within a query, without gaps or repeats",
                            source.place(r)
                        );
                    }
                    let p = v as usize - 1;
                    if slot[p] != u32::MAX {
                        bail!(
                            "{d}: {}: query '{id}' has rank {} twice (also at {}); ranks must be 1..{n} within a query, without gaps or repeats",
                            source.place(r),
                            p + 1,
                            source.place(slot[p] as usize)
                        );
                    }
                    slot[p] = r as u32;
                }
            } else {
                for &r in rows_q {
                    match keys[r as usize] {
                        Some(v) if v.is_finite() => {}
                        _ => bail!(
                            "{d}: {}: query '{id}' has no finite score in '{order}'",
                            source.place(r as usize)
                        ),
                    }
                }
                slot.extend_from_slice(rows_q);
                // Descending score; ties keep file order (a stable sort).
                slot.sort_by(|&a, &b| {
                    keys[b as usize]
                        .unwrap_or(0.0)
                        .total_cmp(&keys[a as usize].unwrap_or(0.0))
                });
            }
            for &r in slot.iter() {
                out.group.push(grow[r as usize]);
                if let Some(rv) = &relv {
                    match rv[r as usize] {
                        Some(x) if x.is_finite() && x >= 0.0 => rels.push(x),
                        Some(x) => bail!(
                            "{d}: {}: relevance {x} in query '{id}'; relevance must be a finite number of 0 or more",
                            source.place(r as usize)
                        ),
                        None => bail!(
                            "{d}: {}: the relevance of an item of query '{id}' is missing",
                            source.place(r as usize)
                        ),
                    }
                }
            }
            out.offsets.push(out.group.len() as u32);
            out.queries.push(id.to_string());
            out.query_file.push(fi as u32);
        }
        out.files.push(FileInfo {
            file: d.clone(),
            rows,
            queries: nq,
            query_column: query.clone(),
            order: if by_rank { "rank" } else { "score" }.into(),
            order_column: order.clone(),
            group_column: group.clone(),
            relevance_column: relevance.clone(),
        });
    }
    if any_rel {
        out.relevance = Some(rels);
    }
    // Codes in sorted name order, so every output lists groups alike.
    let mut sorted: Vec<(String, u16)> = group_names.iter().cloned().zip(0u16..).collect();
    sorted.sort();
    let mut remap = vec![0u16; sorted.len()];
    for (new, (_, old)) in sorted.iter().enumerate() {
        remap[*old as usize] = new as u16;
    }
    for g in out.group.iter_mut() {
        *g = remap[*g as usize];
    }
    out.groups = sorted.into_iter().map(|(n, _)| n).collect();
    Ok(out)
}
