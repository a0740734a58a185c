//! Shared by the fuzz targets: writes the input to a file with the given extension and runs
//! `audit-fairness` and `audit-reward` on it in-process. Any error is fine; a panic is a finding.
use clap::Parser;
use fairaudit::cli::{Cli, Command};

pub fn run_file(data: &[u8], ext: &str) {
    let dir = std::env::temp_dir().join(format!("fairaudit-fuzz-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("input.{ext}"));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let p = path.to_string_lossy().into_owned();
    for args in [
        vec!["fairaudit", "audit-fairness", &p, "-g", "g", "--json", "-q"],
        vec!["fairaudit", "audit-fairness", &p, "-g", "g", "--score", "score", "--json", "-q"],
        vec!["fairaudit", "audit-reward", &p, "--json", "-q"],
    ] {
        if let Ok(cli) = Cli::try_parse_from(&args) {
            match cli.command {
                Command::AuditFairness(a) => {
                    let _ = fairaudit::fairness::run(&a);
                }
                Command::AuditReward(a) => {
                    let _ = fairaudit::reward::run(&a);
                }
                _ => {}
            }
        }
    }
}
