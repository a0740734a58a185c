//! Parse, dispatch, map errors to exit codes: 0 all gates passed, 1 a gate failed, 2 bad usage
//! or bad input.

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};
use fairaudit::cli::{Cli, Command};
use fairaudit::render;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // polars prefetches up to 16 Parquet row groups ahead; on a local file one is enough to keep
    // the decoder busy and bounds memory (10M rows: ~270 MB instead of ~380 MB, same speed).
    // A value the user set wins.
    if std::env::var_os("POLARS_ROW_GROUP_PREFETCH_SIZE").is_none() {
        std::env::set_var("POLARS_ROW_GROUP_PREFETCH_SIZE", "1");
    }
    // Arrow intervals (month-day-nano) load as structs instead of stopping the read: such a
    // column is never used, but polars converts every column's type when it opens a file.
    if std::env::var_os("POLARS_IMPORT_INTERVAL_AS_STRUCT").is_none() {
        std::env::set_var("POLARS_IMPORT_INTERVAL_AS_STRUCT", "1");
    }
    fairaudit::input::install_panic_hook();
    let cli = match fairaudit::cli::command()
        .try_get_matches()
        .and_then(|m| Cli::from_arg_matches(&m))
    {
        Ok(c) => c,
        // A flag value out of its range: one line, as every bad-input error.
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::ValueValidation | clap::error::ErrorKind::InvalidValue
            ) =>
        {
            let text = e.render().to_string();
            let line = text
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with("For more information"))
                .collect::<Vec<_>>()
                .join(" ");
            eprintln!("fairaudit: error: {}", line.trim_start_matches("error: "));
            return ExitCode::from(2);
        }
        Err(e) => e.exit(),
    };
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(e)) => {
            eprintln!("fairaudit: error: {e:#}");
            ExitCode::from(2)
        }
        Err(_) => {
            eprintln!(
                "fairaudit: internal error: {}; please report it with the command and a file that shows it",
                fairaudit::input::last_panic().unwrap_or_else(|| "a panic".into())
            );
            ExitCode::from(2)
        }
    }
}

/// Writes a report, prints the failed gates, hands GitHub Actions its annotations and step
/// summary, and gives the exit code (1 when a gate failed).
fn finish(
    rendered: render::Rendered,
    output: Option<&std::path::Path>,
) -> anyhow::Result<ExitCode> {
    render::write_report(&rendered, output)?;
    for line in &rendered.failures {
        eprintln!("fairaudit: {line}");
    }
    // GitHub Actions: annotations and the step summary, once the report is out.
    if let Some(g) = &rendered.github {
        render::github::deliver(g);
    }
    Ok(if rendered.passed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::AuditFairness(_)
        | Command::AuditReward(_)
        | Command::AuditRanking(_)
        | Command::Allocate(_)
        | Command::AuditCounterfactual(_) => {
            let prepared = cli
                .command
                .prepare()?
                .ok_or_else(|| anyhow::anyhow!("internal: a report command without settings"))?;
            let path = prepared.output().path.clone();
            finish(prepared.run()?, path.as_deref())
        }
        Command::Sql(args) => {
            let q = fairaudit::fairness::sql::query(&args.settings()?)?;
            render::emit(&q, args.output.as_deref())?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Run(args) => Ok(ExitCode::from(fairaudit::project::run(&args.settings()?)?)),
        Command::Init(args) => {
            fairaudit::project::init(&args.settings()?)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Completions { shell } => {
            clap_complete::generate(
                shell,
                &mut Cli::command(),
                "fairaudit",
                &mut std::io::stdout(),
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::Man => {
            clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
