#![no_main]
//! Arbitrary bytes as a pabulib .pb election, parsed and run through `allocate pb`.
use clap::Parser;
use fairaudit::cli::{Cli, Command};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("fairaudit-fuzz-{}.pb", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    let p = path.to_string_lossy().into_owned();
    if let Ok(cli) = Cli::try_parse_from(["fairaudit", "allocate", "pb", &p, "--json", "-q"]) {
        if let Command::Allocate(cmd) = cli.command {
            let _ = cmd.settings().and_then(|s| fairaudit::allocate::run(&s));
        }
    }
});
