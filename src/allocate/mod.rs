//! `fairaudit allocate`: fair division. [`items`]: utilities and allocations of items, the rules
//! that compute one and the property checks of any; [`pb`]: participatory budgeting (pabulib
//! elections, pabutools' rules, proportionality); [`shapley`]: contribution-based rewards from
//! coalition values. Each fills the typed [`report::AllocateReport`]; [`settings`] holds what the
//! command line asked for; [`summary`] turns the reports of many elections into one row each.

pub mod html;
pub mod items;
pub mod metrics;
pub mod pb;
pub mod report;
pub mod settings;
pub mod shapley;
pub mod summary;
pub mod tables;

pub use settings::Settings;

use anyhow::{bail, Result};

use crate::render::{self, Rendered};
use settings::{PbOutcome, PbSettings};

/// Runs one `allocate` subcommand: its report, gated and rendered (with its charts for
/// `--format html` and `--plot DIR`); `pb` over many elections with `--summary`.
pub fn run(settings: &Settings) -> Result<Rendered> {
    let model = match settings {
        Settings::Items(s) => items::run::items(s)?,
        Settings::Check(s) => items::run::check(s)?,
        Settings::Shapley(s) => shapley::run::report(s)?,
        Settings::Pb(s) => return pb_run(s),
    };
    finish(model, settings.output())
}

/// One report, gated and rendered.
fn finish(model: report::AllocateReport, output: &render::Output) -> Result<Rendered> {
    let mut model = report::judge(model, output)?;
    let figures = render::html::figures(output, || html::page(&model))?;
    model.plots = figures.plots;
    let mut rendered = report::render(&model, output.format, figures.page.as_ref())?;
    rendered.side_files = std::mem::take(&mut model.side_files);
    rendered.side_files.extend(figures.side_files);
    Ok(rendered)
}

/// `allocate pb`: the files (globs expanded), then one election's whole report, or with
/// `--summary` one row per election — every election read and audited (in parallel) before
/// anything is written, each judged by the gates on its own.
fn pb_run(s: &PbSettings) -> Result<Rendered> {
    let files = crate::input::paths(&s.files)?;
    if files.len() > 1 {
        let shown = match files.len() {
            2 => format!("{} and {}", files[0], files[1]),
            n => format!("{}, {} and {} more", files[0], files[1], n - 2),
        };
        if let PbOutcome::Given(_) = s.outcome {
            bail!(
                "--outcome IDS lists the projects of one election, and {} files were given ({shown}); give one file, or audit what each file records with --outcome selected",
                files.len()
            );
        }
        if !s.summary {
            bail!(
                "{} elections were given ({shown}); add --summary for one row per election (its headline figures and gate verdicts), or give one file for its whole report",
                files.len()
            );
        }
    }
    if !s.summary {
        return finish(pb::run::report(s, &files[0])?, &s.output);
    }
    let gates = crate::gate::parse_all(&s.output.fail_if)?;
    use rayon::prelude::*;
    let results: Vec<Result<report::AllocateReport>> =
        files.par_iter().map(|f| pb::run::report(s, f)).collect();
    let mut reports = Vec::with_capacity(results.len());
    for r in results {
        reports.push(report::judge(r?, &s.output)?);
    }
    let outcome = match &s.outcome {
        PbOutcome::Rule if s.rule == settings::PbRule::Mes => match s.completion {
            settings::PbCompletion::None => "mes".to_string(),
            c => format!("mes/{}", c.name()),
        },
        PbOutcome::Rule => s.rule.name().to_string(),
        PbOutcome::Given(_) => "given".into(),
        PbOutcome::Selected => "selected".into(),
    };
    let mut sum = summary::build(&reports, &outcome, &gates);
    let figures = render::html::figures(&s.output, || {
        let mut shown = vec![("outcome".to_string(), outcome.clone())];
        if let Some(sat) = s.satisfaction {
            shown.push(("satisfaction".into(), format!("{sat:?}").to_lowercase()));
        }
        shown.push(("jr_limit".into(), s.jr_limit.to_string()));
        html::summary_page(&reports, &sum, shown)
    })?;
    sum.plots = figures.plots;
    let mut rendered = render::summary::render(&sum, s.output.format, figures.page.as_ref())?;
    rendered.side_files = figures.side_files;
    Ok(rendered)
}
