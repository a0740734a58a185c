//! `fairaudit run` and `fairaudit init`: the audits of a project configuration
//! ([`config`]), planned into runs ([`plan`]), executed in parallel where independent, and
//! summarised one row per audit × input ([`summary`]).

pub mod config;
mod init;
mod plan;
mod summary;

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::cli::RunSettings;

pub use init::init;

/// Runs the configured audits; the exit code: 0 every gate passed, 1 a gate failed, 2 an audit
/// could not run (bad input). A bad configuration is an error (exit 2) before anything runs.
pub fn run(settings: &RunSettings) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the working folder")?;
    let path = config::find(settings.config.as_deref(), &cwd)?;
    let cli = crate::cli::command();
    let shown = shown_path(&path, &cwd);
    let config = config::read(&path, Path::new(&shown), &cli)?;
    // The summary's own file is relative to where the user is, not to the configuration.
    let mut output = settings.output.clone();
    output.path = output.path.map(|p| absolute(&cwd, &p));
    if let Some(p) = &output.path {
        crate::render::check_writable(p)?;
    }
    // Every path in the configuration is relative to its folder.
    if !config.dir.as_os_str().is_empty() {
        std::env::set_current_dir(&config.dir).with_context(|| {
            format!(
                "cannot enter the configuration's folder {}",
                config.dir.display()
            )
        })?;
    }
    let plan = plan::Plan::new(&config, &cli, &settings.audits)?;
    if settings.list {
        let text = plan.list(&config, &cli)?;
        crate::render::emit(&text, output.path.as_deref())?;
        return Ok(0);
    }
    let results = plan.execute(&config, &cli, output.quiet)?;
    summary::write(&shown, &results, &output)
}

/// `p` as given when absolute, else under `base`.
fn absolute(base: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    }
}

/// The configuration's path relative to the working folder (`fairaudit.toml`,
/// `../../pyproject.toml`), or absolute when they share nothing but the root.
fn shown_path(path: &Path, cwd: &Path) -> String {
    relative(cwd, &absolute(cwd, path)).display().to_string()
}

/// `to` as seen from the folder `from` (both absolute): `../data/x.csv`; `to` itself when
/// they share nothing but the root.
fn relative(from: &Path, to: &Path) -> PathBuf {
    let a: Vec<_> = to.components().collect();
    let c: Vec<_> = from.components().collect();
    let common = a.iter().zip(&c).take_while(|(x, y)| x == y).count();
    if common <= 1 {
        return to.to_path_buf();
    }
    let mut rel = PathBuf::new();
    for _ in common..c.len() {
        rel.push("..");
    }
    for part in &a[common..] {
        rel.push(part);
    }
    rel
}
