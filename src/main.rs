//! Parse, dispatch, map errors to exit codes: 0 all gates passed, 1 a gate failed, 2 bad usage
//! or bad input.

use std::process::ExitCode;

use clap::{CommandFactory, Parser};
use fairaudit::cli::{Cli, Command};
use fairaudit::report;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("fairaudit: error: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::AuditFairness(args) => {
            let rendered = fairaudit::fairness::run(&args)?;
            report::emit(&rendered.text, args.output.output.as_deref())?;
            for line in &rendered.failures {
                eprintln!("fairaudit: {line}");
            }
            Ok(if rendered.passed {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        Command::AuditReward(_) => anyhow::bail!("audit-reward is not implemented yet"),
        Command::Allocate(_) => anyhow::bail!("allocate is not implemented yet"),
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
