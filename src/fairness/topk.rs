//! Decisions by rank (`--top-k N` / `--top-fraction P`, `--ties`, `--within COL`).
//!
//! The pass keeps every scored row sorted by score (`Stats::scored`), as for the threshold
//! sweep. A ranking's cut-off is its k-th highest score; the decision of a row is then
//! `score >= cut-off`, or `score > cut-off` with `--ties exclude` when the rows at the cut-off
//! score fall on both sides of rank k. Each cell's confusion counts are recomputed from the
//! scored rows with those decisions, so every metric, disparity, gate and format that works
//! from counts works unchanged.
//!
//! With `--within COL` the column is read by the pass as one more cell dimension, after the
//! attributes and the condition; each of its values is ranked on its own (k per value), and the
//! dimension is then summed out, leaving the statistics of an ordinary pass.

use std::collections::BTreeMap;

use anyhow::{bail, Result};

use super::audit;
use super::decisions::{Decisions, Rank, Ranking, TiedGroup, Ties, TopSpec};
use super::plan::Pass;
use super::report::{FairnessReport, ThresholdReport};
use super::settings::{Settings, Task};
use super::stats::Cell;
use crate::render::Warning;

/// The drop reason of a row whose score is missing (it cannot be ranked).
pub const MISSING_SCORE: &str = "missing score (cannot be ranked)";

/// The passes as they were read (with the `--within` dimension), ready to be decided at any
/// rank; and the main report's decisions.
pub struct Ranked {
    spec: TopSpec,
    passes: Vec<Pass>,
    main: Vec<Decisions>,
    warnings: Vec<Warning>,
}

/// Checks that the passes can be ranked, then makes the main report's decisions (the first
/// `--top-k` / `--top-fraction` value). Returns the decided passes (ordinary statistics: the
/// `--within` dimension summed out) and what the sweep and the report need.
pub fn decide_main(args: &Settings, passes: Vec<Pass>) -> Result<(Vec<Pass>, Option<Ranked>)> {
    let Some(spec) = &args.top else {
        return Ok((passes, None));
    };
    for p in &passes {
        let file = &p.source.display;
        if p.task != Task::Binary {
            bail!(
                "{file}: --top-k / --top-fraction make binary decisions from a score; this is a {} audit",
                p.task.name()
            );
        }
        if p.columns.score.is_none() {
            bail!("{file}: --top-k / --top-fraction rank the rows by --score COL; pass it");
        }
        if let Some(r) = p.stats.score_resolution {
            bail!("{file}: --top-k / --top-fraction need every score exactly, but the scores were rounded to {r} and equal rows merged (more than 20M scored rows, or --score-resolution), which makes ties that are not in the data; audit fewer rows (e.g. one --within value per file)");
        }
    }
    let first = spec.ranks[0];
    let mut warnings = Vec::new();
    let mut decided = Vec::new();
    let mut main = Vec::new();
    for p in &passes {
        let (pass, d, w) = decide(p, spec, first)?;
        decided.push(pass);
        main.push(d);
        warnings.extend(w);
    }
    Ok((
        decided,
        Some(Ranked {
            spec: spec.clone(),
            passes,
            main,
            warnings,
        }),
    ))
}

impl Ranked {
    /// Puts each input's decisions and the warnings in the report; with several values, adds a
    /// sweep entry per value (`thresholds` in JSON, labelled by `top_k` / `top_fraction`).
    pub fn attach(self, report: &mut FairnessReport, args: &Settings) -> Result<()> {
        for (inp, d) in report.inputs.iter_mut().zip(self.main) {
            inp.decisions = Some(d);
        }
        // Warnings first after the pass's own, in input order.
        report.warnings.extend(self.warnings);
        if self.spec.ranks.len() < 2 {
            return Ok(());
        }
        for &rank in &self.spec.ranks {
            let mut fake = Vec::new();
            let mut decisions = Vec::new();
            for p in &self.passes {
                let (mut pass, d, warnings) = decide(p, &self.spec, rank)?;
                for w in warnings {
                    if !report
                        .warnings
                        .iter()
                        .any(|x| x.message == w.message && x.file == w.file)
                    {
                        report.warnings.push(w);
                    }
                }
                pass.warnings = Vec::new();
                fake.push(pass);
                decisions.push(d);
            }
            let r = audit::build(args, &fake);
            let (top_k, top_fraction) = match rank {
                Rank::Count(k) => (Some(k), None),
                Rank::Fraction(f) => (None, Some(f)),
            };
            report.thresholds.push(ThresholdReport {
                threshold: None,
                top_k,
                top_fraction,
                decisions,
                attributes: r.attributes,
            });
        }
        Ok(())
    }
}

/// The decisions of one pass at `rank`: the pass with recomputed counts (the `--within`
/// dimension summed out, no threshold), its account, and its warnings.
fn decide(p: &Pass, spec: &TopSpec, rank: Rank) -> Result<(Pass, Decisions, Vec<Warning>)> {
    let st = &p.stats;
    let file = &p.source.display;
    // The within dimension is the last one: after the attributes and the condition.
    let wdim = p
        .columns
        .within
        .is_some()
        .then(|| p.columns.groups.len() + usize::from(p.columns.condition.is_some()));
    let wcode =
        |cell: u32| -> usize { wdim.map_or(0, |d| st.cells[cell as usize].codes[d] as usize) };
    let n_within = wdim.map_or(1, |d| st.keys[d].len());
    // Rows per ranking, then each ranking's k and cut-off from the top down.
    let mut rows = vec![0u64; n_within];
    for r in st.scored.iter() {
        rows[wcode(r.cell)] += 1;
    }
    let ks: Vec<u64> = rows.iter().map(|&n| rank.k(n)).collect();
    let mut seen = vec![0u64; n_within];
    let mut cutoff: Vec<Option<f64>> = vec![None; n_within];
    let mut next: Vec<Option<f64>> = vec![None; n_within];
    for r in st.scored.iter().rev() {
        let w = wcode(r.cell);
        seen[w] += 1;
        if seen[w] == ks[w].min(rows[w]) {
            cutoff[w] = Some(r.score);
        } else if seen[w] == ks[w] + 1 {
            next[w] = Some(r.score);
        }
    }
    let tie: Vec<bool> = (0..n_within)
        .map(|w| cutoff[w].is_some() && next[w] == cutoff[w])
        .collect();
    let strict: Vec<bool> = (0..n_within)
        .map(|w| tie[w] && spec.ties == Ties::Exclude)
        .collect();
    // Counts per original cell: quadrant 2·y + decision; and the rows at each cut-off.
    let n_cells = st.cells.len();
    let mut counts = vec![[0u64; 4]; n_cells];
    let mut weights = vec![[0.0f64; 4]; n_cells];
    let mut at_cut = vec![[0u64; 2]; n_cells];
    for r in st.scored.iter() {
        let w = wcode(r.cell);
        let Some(cut) = cutoff[w] else { continue };
        let selected = if strict[w] {
            r.score > cut
        } else {
            r.score >= cut
        };
        let q = 2 * r.y as usize + usize::from(selected);
        counts[r.cell as usize][q] += 1;
        weights[r.cell as usize][q] += r.w;
        if r.score == cut {
            at_cut[r.cell as usize][usize::from(selected)] += 1;
        }
    }
    let used = st.rows_used();
    let ranked: u64 = rows.iter().sum();
    if ranked != used {
        bail!("{file}: internal error: {ranked} scored rows for {used} rows used");
    }
    let mut cells: Vec<Cell> = st
        .cells
        .iter()
        .enumerate()
        .map(|(c, cell)| Cell {
            codes: cell.codes.clone(),
            rows: counts[c],
            weight: weights[c],
        })
        .collect();
    // The account of each ranking, in the within column's report order.
    let mut rankings = Vec::new();
    let mut warnings = Vec::new();
    for w in 0..n_within {
        let Some(cut) = cutoff[w] else { continue };
        let in_w = |c: &usize| wdim.is_none_or(|d| st.cells[*c].codes[d] as usize == w);
        let selected_rows: u64 = (0..n_cells)
            .filter(in_w)
            .map(|c| cells[c].rows[1] + cells[c].rows[3])
            .sum();
        let selected_weight: f64 = (0..n_cells)
            .filter(in_w)
            .map(|c| cells[c].weight[1] + cells[c].weight[3])
            .sum();
        let mut by_group: BTreeMap<(usize, u32), [u64; 2]> = BTreeMap::new();
        for c in (0..n_cells).filter(in_w) {
            for (a, &code) in st.cells[c]
                .codes
                .iter()
                .take(p.columns.groups.len())
                .enumerate()
            {
                let e = by_group.entry((a, code)).or_default();
                e[0] += at_cut[c][0] + at_cut[c][1];
                e[1] += at_cut[c][1];
            }
        }
        let at_cutoff_by_group: Vec<TiedGroup> = by_group
            .into_iter()
            .filter(|(_, v)| v[0] > 0)
            .map(|((a, code), v)| TiedGroup {
                attribute: p.columns.groups[a].clone(),
                group: st.keys[a][code as usize].name(),
                rows: v[0],
                selected: v[1],
            })
            .collect();
        let within = wdim.map(|d| st.keys[d][w].name());
        if ks[w] > rows[w] {
            let place = within
                .as_ref()
                .map(|v| format!(" in {} = {v}", p.columns.within.as_deref().unwrap_or("")))
                .unwrap_or_default();
            warnings.push(Warning::new(
                file,
                None,
                format!(
                    "--top-k {} is more than the {} ranked rows{place}: every row is selected",
                    ks[w], rows[w]
                ),
            ));
        }
        let (rows_at, sel_at) = (0..n_cells).filter(in_w).fold((0, 0), |(n, s), c| {
            (n + at_cut[c][0] + at_cut[c][1], s + at_cut[c][1])
        });
        rankings.push(Ranking {
            within,
            rows: rows[w],
            k: ks[w],
            cutoff_score: cut,
            tie_at_cutoff: tie[w],
            rows_selected: selected_rows,
            weight_selected: selected_weight,
            rows_at_cutoff: rows_at,
            rows_at_cutoff_selected: sel_at,
            at_cutoff_by_group,
        });
    }
    let mut stats = st.clone();
    cells.retain(|c| c.rows.iter().sum::<u64>() > 0);
    stats.cells = cells;
    if let Some(reason) = stats.dropped.remove("missing prediction") {
        // With --top-k there is no prediction column: a missing prediction is a missing score.
        stats.dropped.insert(MISSING_SCORE.to_string(), reason);
    }
    if let Some(d) = wdim {
        stats = stats.sum_out(d);
    }
    let mut columns = p.columns.clone();
    columns.threshold = None;
    let decisions = Decisions {
        rule: match rank {
            Rank::Count(_) => "top_k",
            Rank::Fraction(_) => "top_fraction",
        }
        .into(),
        top_k: match rank {
            Rank::Count(k) => Some(k),
            Rank::Fraction(_) => None,
        },
        top_fraction: match rank {
            Rank::Count(_) => None,
            Rank::Fraction(f) => Some(f),
        },
        ties: spec.ties.name().into(),
        score: columns.score.clone().unwrap_or_default(),
        within: columns.within.clone(),
        rows_ranked: ranked,
        rows_selected: rankings.iter().map(|r| r.rows_selected).sum(),
        weight_selected: rankings.iter().map(|r| r.weight_selected).sum(),
        rankings_with_tie: rankings.iter().filter(|r| r.tie_at_cutoff).count() as u64,
        rankings,
    };
    let mut pass_warnings = p.warnings.clone();
    for w in &mut pass_warnings {
        if w.contains("missing prediction") {
            *w = w.replace("missing prediction", MISSING_SCORE);
        }
    }
    Ok((
        Pass {
            source: p.source.clone(),
            task: p.task,
            columns,
            stats,
            warnings: pass_warnings,
            score_type: p.score_type.clone(),
        },
        decisions,
        warnings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fairness::scores::{sc, sort};
    use crate::fairness::stats::{GroupKey, Stats};

    /// Group a (cell 0) scores 0.9 0.8 0.5; group b (cell 1) scores 0.8 0.8 0.1.
    fn stats() -> Stats {
        let mut scored = vec![
            sc(0.9, 0, 1, 1.0),
            sc(0.8, 0, 0, 1.0),
            sc(0.5, 0, 1, 1.0),
            sc(0.8, 1, 1, 1.0),
            sc(0.8, 1, 0, 1.0),
            sc(0.1, 1, 0, 1.0),
        ];
        sort(&mut scored);
        let cell = |code, rows| Cell {
            codes: vec![code],
            rows,
            weight: rows.map(|r| r as f64),
        };
        let mut st = Stats::from_cells(
            vec![vec![GroupKey::Str("a".into()), GroupKey::Str("b".into())]],
            vec![cell(0, [1, 0, 2, 0]), cell(1, [2, 0, 1, 0])],
        );
        st.scored = scored.into();
        st
    }

    #[test]
    fn sum_out_merges_cells() {
        let mut st = stats();
        // A second dimension: a within value per cell (a → x, b → x): one merged cell per group.
        st.keys.push(vec![GroupKey::Str("x".into())]);
        for c in &mut st.cells {
            c.codes.push(0);
        }
        let out = st.sum_out(1);
        assert_eq!(out.keys.len(), 1);
        assert_eq!(out.cells.len(), 2);
        assert_eq!(out.cells[1].rows, [2, 0, 1, 0]);
        // And a dimension that splits nothing away from the attribute: summed out of one cell.
        let out = st.sum_out(0);
        assert_eq!(out.cells.len(), 1);
        assert_eq!(out.cells[0].rows, [3, 0, 3, 0]);
        assert!(out.scored.iter().all(|r| r.cell == 0));
    }
}
