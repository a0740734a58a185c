//! `fairaudit audit-fairness`: statistics (one pass, [`stats`]) → metrics ([`metrics`],
//! [`disparity`]) → report ([`audit`] builds [`crate::report::fairness`]'s model).

pub mod audit;
pub mod bootstrap;
pub mod disparity;
pub mod inequality;
pub mod intervals;
pub mod metrics;
pub mod plan;
pub mod reference;
pub mod scores;
pub mod stats;
pub mod sweep;

use anyhow::Result;

use crate::cli::FairnessArgs;
use crate::gate;
use crate::report::{self, Rendered};

/// Runs the whole audit: every input is resolved before any is read, so a bad flag fails fast.
pub fn run(args: &FairnessArgs) -> Result<Rendered> {
    let gates = gate::parse_all(&args.output.fail_if)?;
    let reference = reference::parse(&args.reference)?;
    let sweep = sweep::thresholds(args)?;
    if !sweep.is_empty() && args.score.is_none() {
        anyhow::bail!("several thresholds or --threshold-sweep need --score COL");
    }
    if !(args.parity_band > 0.0 && args.parity_band <= 1.0) {
        anyhow::bail!(
            "--parity-band must be in (0, 1], e.g. 0.8; got {}",
            args.parity_band
        );
    }
    if !(args.ci > 0.0 && args.ci < 1.0) {
        anyhow::bail!(
            "--ci must be between 0 and 1 (exclusive), e.g. 0.95; got {}",
            args.ci
        );
    }
    let sources = crate::input::sources(&args.input)?;
    let plans = sources
        .iter()
        .map(|s| plan::Plan::new(s, args))
        .collect::<Result<Vec<_>>>()?;
    let progress = report::Progress::new(args.output.quiet);
    let mut results = Vec::with_capacity(plans.len());
    for p in plans {
        results.push(p.run(&progress)?);
    }
    progress.finish();
    let mut model = audit::build(args, &results);
    if !sweep.is_empty() {
        sweep::attach(&mut model, args, &results, &sweep);
    }
    if args.bootstrap > 0 {
        bootstrap::attach(&mut model, args, &results, args.bootstrap, args.seed);
    }
    if let Some(spec) = &reference {
        reference::apply(&mut model, spec, args.parity_band)?;
    }
    let verdicts = gate::evaluate(&gates, &model)?;
    model.passed = verdicts.iter().all(|g| g.passed);
    model.gates = verdicts;
    report::fairness::render(&model, args.output.report_format())
}
