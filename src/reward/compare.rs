//! Two reward models on the same pairs: McNemar's exact test per subset (Holm-corrected), and for
//! two runs of one model the largest score change and the decisions that flip.

use anyhow::{bail, Result};
use serde_json::Map;

use crate::reward::data::Pairs;
use crate::reward::kinds::pairs::Comparison;
use crate::reward::metrics::{credit, Tally};
use crate::reward::panel::headline_value;
use crate::reward::report::{ComparisonPanel, ComparisonRow, RewardInput};
use crate::reward::settings::{Settings, Ties};
pub use crate::stats::hypothesis::{holm, mcnemar_exact};

/// Per subset code: (b, c) discordant counts between A and B (a pair counts as right when its
/// credit is 1; ties follow `ties`, and a half credit is not right).
pub fn discordant(a: &Pairs, b: &Pairs, ties: Ties) -> Vec<(u64, u64)> {
    let mut out = vec![(0u64, 0u64); a.subset.names.len()];
    for i in 0..a.chosen.len() {
        let ra = credit(a.chosen[i], a.rejected[i], ties) == Some(1.0);
        let rb = credit(b.chosen[i], b.rejected[i], ties) == Some(1.0);
        let s = a.subset.codes[i] as usize;
        match (ra, rb) {
            (true, false) => out[s].0 += 1,
            (false, true) => out[s].1 += 1,
            _ => {}
        }
    }
    out
}

/// Largest |Δ score| over both responses, and the pairs whose decision (chosen > rejected)
/// differs between the runs.
pub fn drift(a: &Pairs, b: &Pairs) -> (f64, u64) {
    let mut max = 0.0f64;
    let mut flips = 0;
    for i in 0..a.chosen.len() {
        max = max
            .max((a.chosen[i] - b.chosen[i]).abs())
            .max((a.rejected[i] - b.rejected[i]).abs());
        if (a.chosen[i] > a.rejected[i]) != (b.chosen[i] > b.rejected[i]) {
            flips += 1;
        }
    }
    (max, flips)
}

/// --compare: McNemar's exact test per subset (Holm over subsets) and overall; score drift.
/// The comparison panel (`--compare`): McNemar's exact test per subset (Holm over subsets)
/// and overall, the accuracy difference, score drift.
pub fn panel(c: &Comparison, settings: &Settings, r: &mut RewardInput) {
    let (a, b) = (&c.base, &c.other);
    let per = discordant(a, b, settings.ties);
    let ps: Vec<f64> = per.iter().map(|&(x, y)| mcnemar_exact(x, y)).collect();
    let adj = holm(&ps);
    let subsets = a
        .subset
        .names
        .iter()
        .enumerate()
        .map(|(i, s)| ComparisonRow {
            subset: s.clone(),
            only_this_right: per[i].0,
            only_other_right: per[i].1,
            p_value: ps[i],
            p_holm: adj[i],
        })
        .collect();
    let (bb, cc) = per.iter().fold((0, 0), |acc, x| (acc.0 + x.0, acc.1 + x.1));
    let (mut ta, mut tb) = (Tally::default(), Tally::default());
    for i in 0..a.chosen.len() {
        ta.add(a.chosen[i], a.rejected[i], settings.ties);
        tb.add(b.chosen[i], b.rejected[i], settings.ties);
    }
    let difference = match (ta.accuracy(), tb.accuracy()) {
        (Ok(x), Ok(y)) => Ok(x - y),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let (max, flips) = drift(a, b);
    let mut u = Map::new();
    let mut h = |name: &str, v| headline_value(r, &mut u, "compare", name, v);
    let p_value = h("p_value", Ok(mcnemar_exact(bb, cc)));
    let min_p_holm = h("min_p_holm", Ok(adj.iter().copied().fold(1.0, f64::min)));
    let accuracy_difference = h("accuracy_difference", difference);
    let max_abs_score_change = h("max_abs_score_change", Ok(max));
    let decision_flips = h("decision_flips", Ok(flips as f64));
    r.comparison = Some(ComparisonPanel {
        other: c.other_display.clone(),
        subsets,
        only_this_right: bb,
        only_other_right: cc,
        p_value,
        min_p_holm,
        accuracy_difference,
        max_abs_score_change,
        decision_flips,
        undefined: u,
    });
}

/// Joins the pairs of two files for `--compare`: by key when both have an --id column (the id
/// and the pair's rank among the rows of that id: the k-th pair of a prompt matches the k-th
/// pair of that prompt; pairs in one file only, such as a pair dropped for a missing score,
/// are left out and counted in a warning), else by position (same number of pairs required).
/// Returns this file's joined pairs, the other's in the same order, and the warning.
pub fn join_pairs(
    a: &Pairs,
    b: &Pairs,
    this: &str,
    other: &str,
) -> Result<(Pairs, Pairs, Option<String>)> {
    let (Some(ida), Some(idb)) = (&a.ids, &b.ids) else {
        if a.chosen.len() != b.chosen.len() || a.subset.codes != b.subset.codes {
            bail!(
                "--compare {other}: {} pairs against {} in {this}, and no --id column to join them by; give both files a pair id (--id COL) or the same pairs in the same order",
                b.chosen.len(),
                a.chosen.len()
            );
        }
        return Ok((
            a.clone(),
            b.clone(),
            Some(format!(
                "--compare {other}: pairs matched by position (no --id column)"
            )),
        ));
    };
    let index = |ids: &[Option<String>],
                 file: &str|
     -> Result<std::collections::HashMap<String, usize>> {
        let mut m = std::collections::HashMap::new();
        for (i, id) in ids.iter().enumerate() {
            if let Some(id) = id {
                if m.insert(id.clone(), i).is_some() {
                    bail!("--compare: pair id '{id}' occurs twice in {file}; the two files are joined by pair id, which must be unique");
                }
            }
        }
        Ok(m)
    };
    let _ = index(ida, this)?;
    let ib = index(idb, other)?;
    let (mut ka, mut kb) = (Vec::new(), Vec::new());
    for (i, id) in ida.iter().enumerate() {
        if let Some(&j) = id.as_ref().and_then(|id| ib.get(id)) {
            let (sa, sb) = (
                &a.subset.names[a.subset.codes[i] as usize],
                &b.subset.names[b.subset.codes[j] as usize],
            );
            if sa != sb {
                bail!(
                    "--compare: pair '{}' is in subset '{sa}' in {this} but '{sb}' in {other}",
                    id.as_deref().unwrap_or("")
                );
            }
            ka.push(i);
            kb.push(j);
        }
    }
    if ka.is_empty() {
        bail!("--compare {other}: no pair id in common with {this}");
    }
    let base = a.select(&ka);
    let mut joined = b.select(&kb);
    // The same subsets, coded as this file codes them.
    joined.subset = base.subset.clone();
    let (only_a, only_b) = (a.chosen.len() - ka.len(), b.chosen.len() - kb.len());
    let note = (only_a + only_b > 0).then(|| {
        format!(
            "--compare {other}: {} pairs joined by id; {only_a} only in {this} and {only_b} only in {other} (a pair without both scores is dropped) are left out of the comparison",
            ka.len()
        )
    });
    Ok((base, joined, note))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mcnemar_and_holm_by_hand() {
        // b = 1, c = 5: P(X ≤ 1) = (1 + 6) / 64; p = 14 / 64.
        assert!((mcnemar_exact(1, 5) - 14.0 / 64.0).abs() < 1e-12);
        assert_eq!(mcnemar_exact(3, 3), 1.0);
        let h = holm(&[0.01, 0.04, 0.03]);
        assert!((h[0] - 0.03).abs() < 1e-12);
        assert!((h[2] - 0.06).abs() < 1e-12);
        assert!((h[1] - 0.06).abs() < 1e-12);
    }
}
