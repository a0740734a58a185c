//! `fairaudit allocate`: fair division. [`items`]: utilities and allocations of items, the rules
//! that compute one and the property checks of any; [`pb`]: participatory budgeting (pabulib
//! elections, pabutools' rules, proportionality); [`shapley`]: contribution-based rewards from
//! coalition values. Each fills the typed [`report::AllocateReport`]; [`settings`] holds what the
//! command line asked for.

pub mod html;
pub mod items;
pub mod metrics;
pub mod pb;
pub mod report;
pub mod settings;
pub mod shapley;
pub mod tables;

pub use settings::Settings;

use anyhow::Result;

use crate::render::{self, Rendered};

/// Runs one `allocate` subcommand: its report, gated and rendered (with its charts for
/// `--format html` and `--plot DIR`).
pub fn run(settings: &Settings) -> Result<Rendered> {
    let model = match settings {
        Settings::Items(s) => items::run::items(s)?,
        Settings::Check(s) => items::run::check(s)?,
        Settings::Shapley(s) => shapley::run::report(s)?,
        Settings::Pb(s) => pb::run::report(s)?,
    };
    let output = settings.output();
    let mut model = report::judge(model, output)?;
    let figures = render::html::figures(output, || html::page(&model))?;
    model.plots = figures.plots;
    let mut rendered = report::render(&model, output.format, figures.page.as_ref())?;
    rendered.side_files = std::mem::take(&mut model.side_files);
    rendered.side_files.extend(figures.side_files);
    Ok(rendered)
}
