//! `fairaudit audit-reward`: reward score files ([`load`]) → panels of measurements
//! ([`metrics`], [`panels`]) → report ([`crate::report::reward`]).

pub mod bon;
pub mod compare;
pub mod counterfactual;
pub mod ensemble;
pub mod load;
pub mod metrics;
pub mod panels;
pub mod policy;
pub mod rb2;
pub mod table;

use anyhow::{bail, Result};

use crate::cli::{Preset, RewardArgs, RewardKind};
use crate::gate;
use crate::report::reward::{RewardReport, RewardSettings};
use crate::report::{self, Rendered};

/// The name of a kind as `--kind` spells it.
pub fn kind_name(k: RewardKind) -> &'static str {
    match k {
        RewardKind::Auto => "auto",
        RewardKind::Pairs => "pairs",
        RewardKind::Accuracies => "accuracies",
        RewardKind::Styled => "styled",
        RewardKind::Ensemble => "ensemble",
        RewardKind::BestOfN => "best-of-n",
        RewardKind::PerPolicy => "per-policy",
        RewardKind::Counterfactual => "counterfactual",
        RewardKind::Candidates => "candidates",
    }
}

/// Runs the whole audit: every input is read before any panel is computed.
pub fn run(args: &RewardArgs) -> Result<Rendered> {
    let gates = gate::parse_all(&args.output.fail_if)?;
    if !(args.ci > 0.0 && args.ci < 1.0) {
        bail!(
            "--ci must be between 0 and 1 (exclusive), e.g. 0.95; got {}",
            args.ci
        );
    }
    if args.legacy_xstest && args.preset != Preset::Rewardbench {
        bail!("--legacy-xstest goes with --preset rewardbench");
    }
    let sources = crate::input::sources(&args.input)?;
    let mut loaded = sources
        .iter()
        .map(|s| load::load(s, args))
        .collect::<Result<Vec<_>>>()?;
    if let Some(other) = &args.compare {
        let src = crate::input::sources(&crate::cli::InputArgs {
            files: vec![other.clone()],
            ..args.input.clone()
        })?;
        let o = load::load(&src[0], args).map_err(|e| anyhow::anyhow!("--compare: {e}"))?;
        for l in &mut loaded {
            if l.kind != RewardKind::Pairs || o.kind != RewardKind::Pairs {
                bail!("--compare needs two pairs files");
            }
            if l.pairs.chosen.len() != o.pairs.chosen.len()
                || l.pairs.subset.codes != o.pairs.subset.codes
            {
                bail!(
                    "--compare {other}: {} pairs against {} in {}; the two files must hold the same pairs in the same order (and subsets)",
                    o.pairs.chosen.len(),
                    l.pairs.chosen.len(),
                    l.source.display
                );
            }
            l.other = Some(Box::new(o.clone()));
        }
    }
    for l in &loaded {
        match (l.kind, args.preset) {
            (RewardKind::Styled, Preset::Rewardbench) => bail!(
                "{}: RM-Bench style records take --preset rm-bench, not rewardbench",
                l.source.display
            ),
            (k, Preset::RmBench) if k != RewardKind::Styled => {
                bail!(
                    "{}: --preset rm-bench needs RM-Bench records (score_chosen and score_rejected lists of 3 scores)",
                    l.source.display
                )
            }
            (k, Preset::Rewardbench2) if k != RewardKind::Candidates => {
                bail!(
                    "{}: --preset rewardbench2 needs per-prompt candidate records (JSON / JSONL with a 'scores' list and num_correct)",
                    l.source.display
                )
            }
            _ => {}
        }
        if l.kind != RewardKind::Pairs && !args.groups.is_empty() {
            bail!(
                "{}: --group needs a pairs file (one row per preference pair)",
                l.source.display
            );
        }
    }
    let mut model = RewardReport::new(RewardSettings::from_args(args));
    for l in &loaded {
        for w in &l.read_warnings {
            model
                .warnings
                .push(report::Warning::new(&l.source.display, None, w.clone()));
        }
        let input = panels::input_report(l, args, &mut model.warnings);
        model.inputs.push(input);
    }
    let verdicts = gate::evaluate(&gates, &model)?;
    model.passed = verdicts.iter().all(|g| g.passed);
    model.gates = verdicts;
    report::reward::render(&model, args.output.report_format())
}
