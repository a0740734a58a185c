//! No panic on any input (issue 11): a seeded, bounded property test over the readers. Random
//! tables of many column types and awkward values, written in every format (CSV, TSV, NDJSON,
//! JSON, and through polars' writers Parquet and Arrow IPC with typed columns), plus shipped
//! files with mutated bytes, go through `audit-fairness`, `audit-reward` and `allocate items`;
//! every run must end with exit 0, 1 or 2, never a panic or an internal error, and an exit 2
//! must say one line. Long runs: the cargo-fuzz targets in `fuzz/` (docs/input.md).

mod common;

use common::*;
use polars::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

/// Runs the binary and checks the exit contract; returns the exit code.
fn check(args: &[&str], stdin: Option<Vec<u8>>) -> i32 {
    let mut cmd = bin();
    cmd.args(args).arg("-q");
    if let Some(b) = stdin {
        cmd.write_stdin(b);
    }
    let out = cmd.output().expect("ran");
    let code = out.status.code().unwrap_or(-1);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        matches!(code, 0..=2),
        "exit {code} for {args:?}\nstderr: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{args:?}: {err}"
    );
    if code == 2 {
        assert!(out.stdout.is_empty(), "{args:?}: output on error");
        assert_eq!(err.trim_end().lines().count(), 1, "{args:?}: {err}");
        assert!(
            err.starts_with("fairaudit: error:") || err.starts_with("error:"),
            "{err}"
        );
    }
    code
}

fn runner(cases: u32) -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    )
}

/// A cell as text: numbers, booleans, missing spellings, wide integers, separators, quotes,
/// line breaks and non-ASCII text.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        (0i64..3).prop_map(|v| v.to_string()),
        (-1e6f64..1e6).prop_map(|v| v.to_string()),
        (0.0f64..1.0).prop_map(|v| format!("{v:.3}")),
        Just("".to_string()),
        prop::sample::select(vec![
            "NA",
            "nan",
            "NaN",
            "NULL",
            "None",
            "#N/A",
            "TRUE",
            "false",
            "yes",
            "No",
            "inf",
            "-inf",
            "1e400",
            "12345678901234567891",
            "123456789012345678901234567890123456789012",
            "0x1F",
            "é",
            "日本",
            "a,b",
            "\"q\"",
            "two\nlines",
            " 1 ",
            "<script>",
        ])
        .prop_map(|s| s.to_string()),
        "[a-z]{1,6}",
    ]
}

fn csv_field(v: &str, sep: char) -> String {
    if v.contains(sep) || v.contains('"') || v.contains('\n') {
        format!("\"{}\"", v.replace('"', "\"\""))
    } else {
        v.to_string()
    }
}

fn json_value(v: &str) -> String {
    if v.is_empty() {
        return "null".into();
    }
    let numeric = v.parse::<f64>().is_ok()
        && !v.contains(['x', 'n', 'N', 'i', ' '])
        && !v.starts_with('0') | (v == "0") | v.starts_with("0.");
    if numeric || v == "true" || v == "false" {
        v.to_string()
    } else {
        serde_json::to_string(v).unwrap()
    }
}

#[test]
fn random_text_tables_in_every_text_format() {
    let d = tempfile::TempDir::new().unwrap();
    let names = [
        "y_true", "y_pred", "score", "g", "w", "chosen", "rejected", "item",
    ];
    let strategy = (
        1usize..6,
        0usize..25,
        prop::collection::vec(cell(), 150),
        any::<bool>(),
        0usize..4,
    );
    let runs = std::cell::Cell::new(0usize);
    runner(40)
        .run(&strategy, |(n_cols, n_rows, cells, ragged, fmt)| {
            let cols: Vec<&str> = names[..n_cols.max(2)].to_vec();
            let mut rows: Vec<Vec<String>> = (0..n_rows)
                .map(|r| {
                    (0..cols.len())
                        .map(|c| cells[(r * cols.len() + c) % cells.len()].clone())
                        .collect()
                })
                .collect();
            if ragged && !rows.is_empty() {
                rows[0].push("extra".into());
            }
            let path = match fmt {
                0 | 1 => {
                    let sep = if fmt == 0 { ',' } else { '\t' };
                    let mut t = cols.join(&sep.to_string());
                    t.push('\n');
                    for r in &rows {
                        let f: Vec<String> = r.iter().map(|v| csv_field(v, sep)).collect();
                        t.push_str(&f.join(&sep.to_string()));
                        t.push('\n');
                    }
                    let name = if fmt == 0 { "t.csv" } else { "t.tsv" };
                    write(d.path(), name, &t)
                }
                _ => {
                    let mut t = String::new();
                    let recs: Vec<String> = rows
                        .iter()
                        .map(|r| {
                            let kv: Vec<String> = cols
                                .iter()
                                .zip(r)
                                .map(|(k, v)| format!("\"{k}\":{}", json_value(v)))
                                .collect();
                            format!("{{{}}}", kv.join(","))
                        })
                        .collect();
                    if fmt == 2 {
                        t = recs.join("\n");
                        write(d.path(), "t.ndjson", &t)
                    } else {
                        t.push('[');
                        t.push_str(&recs.join(","));
                        t.push(']');
                        write(d.path(), "t.json", &t)
                    }
                }
            };
            let g = cols[cols.len() - 1];
            check(&["audit-fairness", &path, "-g", g, "--json"], None);
            check(
                &[
                    "audit-fairness",
                    &path,
                    "-g",
                    g,
                    "--score",
                    cols[1],
                    "--json",
                ],
                None,
            );
            check(&["audit-reward", &path, "--json"], None);
            check(
                &[
                    "allocate",
                    "items",
                    &path,
                    "--method",
                    "round-robin",
                    "--json",
                ],
                None,
            );
            runs.set(runs.get() + 4);
            Ok(())
        })
        .unwrap();
    assert_eq!(runs.get(), 160);
}

/// Typed columns of every kind polars meets, written by polars as Parquet and Arrow IPC.
#[test]
fn random_typed_tables_as_parquet_and_ipc() {
    let d = tempfile::TempDir::new().unwrap();
    let runs = std::cell::Cell::new(0usize);
    let strategy = (
        prop::collection::vec(0u8..16, 1..5),
        1usize..20,
        any::<u64>(),
        prop::collection::vec(any::<bool>(), 20),
    );
    runner(32)
        .run(&strategy, |(kinds, n, seed, nulls)| {
            let mut cols: Vec<Column> = Vec::new();
            let ints: Vec<i64> = (0..n as i64)
                .map(|i| i.wrapping_mul(seed as i64).rem_euclid(3))
                .collect();
            let f: Vec<Option<f64>> = (0..n)
                .map(|i| {
                    (!nulls[i % 20]).then_some(((i as u64).wrapping_mul(seed) % 100) as f64 / 100.0)
                })
                .collect();
            cols.push(Column::new(
                "y_true".into(),
                ints.iter().map(|v| v % 2).collect::<Vec<_>>(),
            ));
            for (j, k) in kinds.iter().enumerate() {
                let name: PlSmallStr = format!("c{j}").into();
                let base = Series::new(name.clone(), &f);
                let s: Series = match k {
                    0 => base.cast(&DataType::Int8).unwrap(),
                    1 => base.cast(&DataType::UInt64).unwrap(),
                    2 => Series::new(
                        name.clone(),
                        ints.iter()
                            .map(|v| *v as i128 * 10i128.pow(20))
                            .collect::<Vec<_>>(),
                    ),
                    3 => base.cast(&DataType::Float32).unwrap(),
                    4 => base.cast(&DataType::Float16).unwrap(),
                    5 => base.cast(&DataType::Decimal(12, 3)).unwrap(),
                    6 => base.cast(&DataType::Boolean).unwrap(),
                    7 => base.cast(&DataType::String).unwrap(),
                    8 => base.cast(&DataType::Binary).unwrap(),
                    9 => base
                        .cast(&DataType::List(Box::new(DataType::Float64)))
                        .unwrap(),
                    10 => Series::new(name.clone(), vec![Series::new("".into(), [1.0f64, 2.0]); n])
                        .cast(&DataType::Array(Box::new(DataType::Float64), 2))
                        .unwrap(),
                    11 => StructChunked::from_series(name.clone(), n, [base.clone()].iter())
                        .unwrap()
                        .into_series(),
                    12 => base
                        .cast(&DataType::String)
                        .unwrap()
                        .cast(&DataType::from_categories(Categories::global()))
                        .unwrap(),
                    13 => Series::full_null(name.clone(), n, &DataType::Null),
                    14 => base.cast(&DataType::UInt8).unwrap(),
                    _ => base.cast(&DataType::Int128).unwrap(),
                };
                cols.push(s.with_name(name).into());
            }
            let mut df = DataFrame::new(n, cols).unwrap();
            let pq = d.path().join("t.parquet");
            ParquetWriter::new(std::fs::File::create(&pq).unwrap())
                .finish(&mut df)
                .unwrap();
            let ipc = d.path().join("t.arrow");
            IpcWriter::new(std::fs::File::create(&ipc).unwrap())
                .finish(&mut df)
                .unwrap();
            for p in [&pq, &ipc] {
                let p = p.to_str().unwrap();
                for j in 0..kinds.len() {
                    let c = format!("c{j}");
                    check(
                        &["audit-fairness", p, "--pred", &c, "-g", &c, "--json"],
                        None,
                    );
                    check(
                        &["audit-fairness", p, "--score", &c, "-g", "c0", "--json"],
                        None,
                    );
                    runs.set(runs.get() + 2);
                }
                check(
                    &["audit-reward", p, "--chosen", "c0", "--rejected", "y_true"],
                    None,
                );
                runs.set(runs.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    assert!(runs.get() >= 32 * 3, "{}", runs.get());
}

/// Shipped files with bytes flipped, cut or inserted, read by every engine that takes them.
#[test]
fn mutated_bytes_of_shipped_files() {
    let d = tempfile::TempDir::new().unwrap();
    let files = [
        "fixtures/reading/exotic_unused.parquet",
        "fixtures/reading/exotic_unused.arrow",
        "fixtures/reading/decimal_score.parquet",
        "fixtures/reading/r_write_csv_na.csv",
        "fixtures/reading/wide_int_ids.ndjson",
        "fixtures/reward/rewardbench_results.json",
        "fixtures/pb/tiny/tiny_00.pb",
    ];
    let originals: Vec<(String, Vec<u8>)> = files
        .iter()
        .filter_map(|f| {
            std::fs::read(root().join(f))
                .ok()
                .map(|b| (f.to_string(), b))
        })
        .collect();
    assert!(originals.len() >= 6);
    let strategy = (
        0usize..originals.len(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
    );
    let runs = std::cell::Cell::new(0usize);
    runner(64)
        .run(&strategy, |(which, edits)| {
            let (name, bytes) = &originals[which];
            let mut b = bytes.clone();
            for (at, byte, op) in edits {
                if b.is_empty() {
                    break;
                }
                let i = at.index(b.len());
                match op {
                    0 => b[i] = byte,
                    1 => b.truncate(i),
                    _ => b.insert(i, byte),
                }
            }
            let ext = name.rsplit('.').next().unwrap();
            let p = d.path().join(format!("m.{ext}"));
            std::fs::write(&p, &b).unwrap();
            let p = p.to_str().unwrap();
            if ext == "pb" {
                check(&["allocate", "pb", p, "--json"], None);
            } else if name.contains("reward") {
                check(&["audit-reward", p, "--json"], None);
            } else {
                check(&["audit-fairness", p, "-g", "g", "--json"], None);
                check(&["audit-reward", p, "--json"], None);
                // The same bytes on standard input.
                let fmt = match ext {
                    "arrow" => "ipc",
                    "ndjson" => "ndjson",
                    other => other,
                };
                check(
                    &[
                        "audit-fairness",
                        "-",
                        "--input-format",
                        fmt,
                        "-g",
                        "g",
                        "--json",
                    ],
                    Some(b.clone()),
                );
            }
            runs.set(runs.get() + 1);
            Ok(())
        })
        .unwrap();
    assert_eq!(runs.get(), 64);
}
