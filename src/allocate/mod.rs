//! `fairaudit allocate`: fair division. [`items`]: utilities and allocations of items, the rules
//! that compute one and the property checks of any; [`pb`]: participatory budgeting (pabulib
//! elections, pabutools' rules, proportionality); [`shapley`]: contribution-based rewards from
//! coalition values. Each fills the typed [`report::AllocateReport`]; [`settings`] holds what the
//! command line asked for.

pub mod items;
pub mod metrics;
pub mod pb;
pub mod report;
pub mod settings;
pub mod shapley;
pub mod tables;

pub use settings::Settings;

use anyhow::Result;

use crate::render::Rendered;

/// Runs one `allocate` subcommand: its report, gated and rendered.
pub fn run(settings: &Settings) -> Result<Rendered> {
    let model = match settings {
        Settings::Items(s) => items::run::items(s)?,
        Settings::Check(s) => items::run::check(s)?,
        Settings::Shapley(s) => shapley::run::report(s)?,
        Settings::Pb(s) => pb::run::report(s)?,
    };
    report::finish(model, settings.output())
}
