#![no_main]
//! Arbitrary bytes as a .ndjson input to audit-fairness and audit-reward.
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| common::run_file(data, "ndjson"));
