//! `fairaudit audit-reward`: reward score files ([`load`], one loader per input kind in
//! [`kinds`]) → panels of measurements ([`metrics`], [`kinds`], [`panels`]) → report
//! ([`report`]). Settings come resolved from the command line ([`settings`]).

pub mod compare;
pub mod data;
pub mod html;
pub mod kinds;
pub mod load;
pub mod metrics;
pub mod panel;
pub mod panels;
pub mod report;
pub mod rewardbench;
pub mod settings;
pub mod summary;

pub use settings::{LengthUnit, Preset, RewardKind, Settings, Ties};

use anyhow::{bail, Result};

use crate::gate;
use crate::render::{Rendered, Warning};
use crate::reward::kinds::pairs::Comparison;
use crate::reward::load::{Input, Loaded};
use crate::reward::report::{RewardReport, RewardSettings};

/// Runs the whole audit: every input is read (and `--compare`'s file joined) before any panel
/// is computed.
pub fn run(settings: &Settings) -> Result<Rendered> {
    let gates = gate::parse_all(&settings.output.fail_if)?;
    let sources = crate::input::sources(&settings.files, &settings.read)?;
    let mut loaded = sources
        .iter()
        .map(|s| load::load(s, settings))
        .collect::<Result<Vec<_>>>()?;
    if let Some(other) = &settings.compare {
        attach_comparison(&mut loaded, other, settings)?;
    }
    for l in &loaded {
        l.check(settings)?;
    }
    if settings.bootstrap > 0 {
        if let Some(l) = loaded.iter().find(|l| l.nan_pairs() > 0) {
            bail!(
                "{}: --bootstrap with --preset rewardbench and pairs with a NaN or missing score ({}): the intervals would leave out the pairs the estimate counts as wrong; drop those pairs, or run without --bootstrap",
                l.source.display,
                l.nan_pairs()
            );
        }
    }
    let mut model = RewardReport::new(RewardSettings::from_settings(settings));
    for l in &loaded {
        for w in &l.meta.read_warnings {
            let w = Warning::new(&l.source.display, None, w.clone());
            model.warnings.push(w);
        }
        let input = load::report(l, settings, &mut model.warnings);
        model.inputs.push(input);
    }
    let verdicts = gate::evaluate(&gates, &model)?;
    model.passed = verdicts.iter().all(|g| g.passed);
    model.gates = verdicts;
    let figures = crate::render::html::figures(&settings.output, || {
        let mut page = html::page(&model)?;
        if settings.summary {
            // The summary table first, then every input's charts.
            page.sections.insert(
                0,
                crate::render::summary::section(
                    &summary::build(&model, &gates),
                    "Summary: one row per file",
                    "undefined",
                ),
            );
        }
        Ok(page)
    })?;
    model.plots = figures.plots;
    let mut rendered = if settings.summary {
        crate::render::summary::render(
            &summary::build(&model, &gates),
            settings.output.format,
            figures.page.as_ref(),
        )?
    } else {
        report::render(
            &model,
            settings.output.format,
            &settings.table_metrics,
            figures.page.as_ref(),
        )?
    };
    rendered.side_files = model
        .inputs
        .iter_mut()
        .flat_map(|i| std::mem::take(&mut i.side_files))
        .collect();
    rendered.side_files.extend(figures.side_files);
    Ok(rendered)
}

/// `--compare FILE`: reads the other file and joins its pairs to every input's
/// ([`compare::join_pairs`]); both must be pairs files.
fn attach_comparison(loaded: &mut [Loaded], other: &str, settings: &Settings) -> Result<()> {
    let src = crate::input::sources(&[other.to_string()], &settings.read)?;
    let o = load::load(&src[0], settings).map_err(|e| anyhow::anyhow!("--compare: {e}"))?;
    for l in loaded {
        let (Input::Pairs(p), Input::Pairs(op)) = (&mut l.input, &o.input) else {
            bail!("--compare needs two pairs files");
        };
        let (base, joined, note) =
            compare::join_pairs(&p.pairs, &op.pairs, &l.source.display, other)?;
        if let Some(n) = note {
            l.meta.read_warnings.push(n);
        }
        p.compare = Some(Comparison {
            base,
            other: joined,
            other_display: o.source.display.clone(),
        });
    }
    Ok(())
}
