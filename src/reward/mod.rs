//! `fairaudit audit-reward`: reward score files ([`load`]) → panels of measurements
//! ([`metrics`], [`panels`]) → report ([`crate::render::reward`]).

pub mod bon;
pub mod compare;
pub mod counterfactual;
pub mod ensemble;
pub mod load;
pub mod metrics;
pub mod panels;
pub mod policy;
pub mod rb2;
pub mod report;
pub mod settings;
pub mod table;

pub use settings::{LengthUnit, Preset, RewardKind, Settings, Ties};

use anyhow::{bail, Result};

use crate::gate;
use crate::render::Rendered;
use crate::reward::report::{RewardReport, RewardSettings};

/// Runs the whole audit: every input is read before any panel is computed.
pub fn run(settings: &Settings) -> Result<Rendered> {
    let gates = gate::parse_all(&settings.output.fail_if)?;
    let sources = crate::input::sources(&settings.files, &settings.read)?;
    let mut loaded = sources
        .iter()
        .map(|s| load::load(s, settings))
        .collect::<Result<Vec<_>>>()?;
    if let Some(other) = &settings.compare {
        let src = crate::input::sources(std::slice::from_ref(other), &settings.read)?;
        let o = load::load(&src[0], settings).map_err(|e| anyhow::anyhow!("--compare: {e}"))?;
        for l in &mut loaded {
            if l.kind != RewardKind::Pairs || o.kind != RewardKind::Pairs {
                bail!("--compare needs two pairs files");
            }
            let (base, joined, note) = join_pairs(&l.pairs, &o.pairs, &l.source.display, other)?;
            if let Some(n) = note {
                l.read_warnings.push(n);
            }
            let mut other_loaded = o.clone();
            other_loaded.pairs = joined;
            l.compare_base = Some(base);
            l.other = Some(Box::new(other_loaded));
        }
    }
    for l in &loaded {
        match (l.kind, settings.preset) {
            (RewardKind::RmBench, Preset::Rewardbench) => bail!(
                "{}: RM-Bench style records take --preset rm-bench, not rewardbench",
                l.source.display
            ),
            (k, Preset::RmBench) if k != RewardKind::RmBench => {
                bail!(
                    "{}: --preset rm-bench needs RM-Bench records (score_chosen and score_rejected lists of 3 scores)",
                    l.source.display
                )
            }
            (k, Preset::Rewardbench2) if k != RewardKind::Rewardbench2 => {
                bail!(
                    "{}: --preset rewardbench2 needs per-prompt candidate records (JSON / JSONL with a 'scores' list and num_correct)",
                    l.source.display
                )
            }
            _ => {}
        }
        if l.kind != RewardKind::Pairs && !settings.groups.is_empty() {
            bail!(
                "{}: --group needs a pairs file (one row per preference pair)",
                l.source.display
            );
        }
    }
    if settings.bootstrap > 0 {
        if let Some(l) = loaded.iter().find(|l| !l.nan_pairs.is_empty()) {
            bail!(
                "{}: --bootstrap with --preset rewardbench and pairs with a NaN or missing score ({}): the intervals would leave out the pairs the estimate counts as wrong; drop those pairs, or run without --bootstrap",
                l.source.display,
                l.nan_pairs.values().sum::<u64>()
            );
        }
    }
    let mut model = RewardReport::new(RewardSettings::from_settings(settings));
    for l in &loaded {
        for w in &l.read_warnings {
            model.warnings.push(crate::render::Warning::new(
                &l.source.display,
                None,
                w.clone(),
            ));
        }
        let input = panels::input_report(l, settings, &mut model.warnings);
        model.inputs.push(input);
    }
    let verdicts = gate::evaluate(&gates, &model)?;
    model.passed = verdicts.iter().all(|g| g.passed);
    model.gates = verdicts;
    report::render(&model, settings.output.format)
}

/// Joins the pairs of two files for `--compare`: by key when both have an --id column (the id
/// and the pair's rank among the rows of that id: the k-th pair of a prompt matches the k-th
/// pair of that prompt; pairs in one file only, such as a pair dropped for a missing score,
/// are left out and counted in a warning), else by position (same number of pairs required).
/// Returns this file's joined pairs, the other's in the same order, and the warning.
fn join_pairs(
    a: &load::Pairs,
    b: &load::Pairs,
    this: &str,
    other: &str,
) -> Result<(load::Pairs, load::Pairs, Option<String>)> {
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
