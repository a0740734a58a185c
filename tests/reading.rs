//! Reading real files (issue 11): one test per kind of fault, on the handed-over inputs in
//! `fixtures/reading/` (see `scripts/make_reading_fixtures.py`) and variants written here, in
//! every format the kind applies to.

mod common;

use common::*;
use polars::prelude::*;
use serde_json::Value;

/// Writes `df` as `stem.csv`, `stem.parquet`, `stem.arrow` and `stem.ndjson` in `dir` and
/// returns the four paths.
fn every_format(dir: &std::path::Path, stem: &str, df: &DataFrame) -> Vec<String> {
    let mut out = Vec::new();
    let path = |ext: &str| dir.join(format!("{stem}.{ext}"));
    let mut df = df.clone();
    let p = path("csv");
    CsvWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    out.push(p);
    let p = path("parquet");
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    out.push(p);
    let p = path("arrow");
    IpcWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    out.push(p);
    let p = path("ndjson");
    JsonWriter::new(std::fs::File::create(&p).unwrap())
        .with_json_format(JsonFormat::JsonLines)
        .finish(&mut df)
        .unwrap();
    out.push(p);
    out.into_iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect()
}

fn groups(report: &Value, attribute: &str) -> Vec<(String, f64, Option<f64>)> {
    attr(report, attribute)["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["group"].as_str().unwrap().to_string(),
                g["rows"].as_f64().or(g["n"].as_f64()).unwrap(),
                metric(g, "selection_rate"),
            )
        })
        .collect()
}

fn sel(report: &Value, attribute: &str, group_name: &str) -> Option<f64> {
    metric(group(attr(report, attribute), group_name), "selection_rate")
}

const R: &str = "fixtures/reading";

/// Writes `text` to `dir/name`, runs `ENGINE FILE ARGS`, expects one error line containing
/// every needle.
fn fails(
    dir: &std::path::Path,
    name: &str,
    text: &str,
    engine: &[&str],
    args: &[&str],
    needles: &[&str],
) {
    let f = write(dir, name, text);
    let mut all: Vec<&str> = engine[1..].to_vec();
    all.push(&f);
    all.extend_from_slice(args);
    let e = engine_error(engine[0], &all);
    for n in needles {
        assert!(e.contains(n), "{name}: '{n}' not in: {e}");
    }
}

const FAIRNESS: &[&str] = &["audit-fairness"];

// ---- Kind 1: columns the command does not use, of types polars cannot take as they are ----

#[test]
fn kind1_unused_columns_of_any_type_are_not_read() {
    for f in [
        "exotic_unused.parquet",
        "exotic_unused.arrow",
        "interval_unused.arrow",
    ] {
        let path = format!("{R}/{f}");
        let j = audit_json(&[&path, "--group", "g"], 0);
        assert_eq!(sel(&j, "g", "a"), Some(1.0), "{f}");
        assert_eq!(sel(&j, "g", "b"), Some(0.0), "{f}");
    }
    // decimal_unused.parquet calls its attribute `race`.
    let j = audit_json(
        &[&format!("{R}/decimal_unused.parquet"), "--group", "race"],
        0,
    );
    assert_eq!(sel(&j, "race", "a"), Some(1.0));
    // A dense union is left out (and the report says so); a sparse union cannot even be
    // skipped by the IPC reader: one line naming the file, the column and the type.
    let j = audit_json(
        &[&format!("{R}/union_dense_unused.arrow"), "--group", "g"],
        0,
    );
    assert_eq!(sel(&j, "g", "a"), Some(1.0));
    assert!(j["warnings"]
        .to_string()
        .contains("left out column 'u' (Union)"));
    let e = audit_error(&[&format!("{R}/union_unused.arrow"), "--group", "g"]);
    assert!(
        e.contains("union_unused.arrow") && e.contains("column 'u' (Union)"),
        "{e}"
    );
    assert!(!e.contains("internal error"), "{e}");
}

#[test]
fn kind1_used_decimal_and_float16_are_numbers_other_types_one_line() {
    for f in ["decimal_score.parquet", "decimal_score.arrow"] {
        let path = format!("{R}/{f}");
        for score in ["score", "half"] {
            // 0.75 / 0.25 at threshold 0.75: a's rows are predicted positive, b's not.
            let j = audit_json(
                &[&path, "-g", "g", "--score", score, "--threshold", "0.75"],
                0,
            );
            assert_eq!(sel(&j, "g", "a"), Some(1.0), "{f} {score}");
            assert_eq!(sel(&j, "g", "b"), Some(0.0), "{f} {score}");
            let auc = attr(&j, "g")["groups"][0]["metrics"]["roc_auc"].as_f64();
            assert_eq!(
                auc,
                Some(0.5),
                "{f} {score}: a has one positive, one negative, both 0.75"
            );
        }
        let e = audit_error(&[&path, "-g", "g", "--score", "emb"]);
        assert!(
            e.contains(f) && e.contains("'emb'") && e.contains("fixed-size list"),
            "{e}"
        );
    }
}

#[test]
fn kind1_reward_and_allocate_read_decimal_columns() {
    let d = tempfile::TempDir::new().unwrap();
    let df = df!(
        "chosen" => [1.0f64, 2.0, 0.5, 3.0],
        "rejected" => [0.5f64, 2.5, 0.1, 1.0],
        "price" => [1.5f64, 2.5, 3.5, 4.5],
    )
    .unwrap();
    let mut df = df
        .lazy()
        .with_column(col("price").cast(DataType::Decimal(10, 2)))
        .with_column(col("chosen").cast(DataType::Decimal(10, 2)))
        .collect()
        .unwrap();
    let p = d.path().join("pairs.parquet");
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut df)
        .unwrap();
    let j = engine_json("audit-reward", &[p.to_str().unwrap()], 0);
    let acc = j["inputs"][0]["metrics"]["accuracy"].as_f64().unwrap();
    assert_eq!(acc, 0.75);
    // Long utilities with a decimal value column.
    let mut u = df!(
        "agent" => ["x", "x", "y", "y"],
        "item" => ["i1", "i2", "i1", "i2"],
        "value" => [3.0f64, 1.0, 1.0, 3.0],
    )
    .unwrap()
    .lazy()
    .with_column(col("value").cast(DataType::Decimal(10, 2)))
    .collect()
    .unwrap();
    let p = d.path().join("u.parquet");
    ParquetWriter::new(std::fs::File::create(&p).unwrap())
        .finish(&mut u)
        .unwrap();
    succeeds(
        &[
            "allocate",
            "items",
            p.to_str().unwrap(),
            "--method",
            "round-robin",
            "--json",
            "-q",
        ],
        None::<Vec<u8>>,
    );
}

// ---- Kind 2: a sensitive attribute is a category, its values exactly as written ----

#[test]
fn kind2_groups_keep_their_text() {
    let j = audit_json(&[&format!("{R}/zip_groups.csv"), "--group", "zip"], 0);
    let g = groups(&j, "zip");
    let names: Vec<&str> = g.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(names.contains(&"02139") && names.contains(&"2139"));
    assert_eq!(sel(&j, "zip", "02139"), Some(1.0));
    assert_eq!(sel(&j, "zip", "2139"), Some(0.0));
    let d = tempfile::TempDir::new().unwrap();
    let f = write(
        d.path(),
        "codes.csv",
        "y_true,y_pred,code\n1,1,01\n0,1,1\n1,0,1.0\n0,0,1\n1,1,01\n",
    );
    let j = audit_json(&[&f, "-g", "code"], 0);
    let names: Vec<String> = groups(&j, "code").into_iter().map(|x| x.0).collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert_eq!(sel(&j, "code", "01"), Some(1.0));
    assert_eq!(sel(&j, "code", "1"), Some(0.5));
    assert_eq!(sel(&j, "code", "1.0"), Some(0.0));
    // The same text in TSV, NDJSON (strings) and through audit-reward's --group.
    let f = write(
        d.path(),
        "codes.ndjson",
        "{\"y_true\":1,\"y_pred\":1,\"code\":\"01\"}\n{\"y_true\":0,\"y_pred\":0,\"code\":\"1\"}\n",
    );
    let j = audit_json(&[&f, "-g", "code"], 0);
    assert_eq!(sel(&j, "code", "01"), Some(1.0));
    assert_eq!(sel(&j, "code", "1"), Some(0.0));
    let f = write(
        d.path(),
        "pairs.csv",
        "chosen,rejected,zip\n1,0,02139\n0,1,2139\n1,0,2139\n",
    );
    let j = engine_json("audit-reward", &[&f, "--group", "zip"], 0);
    let text = j.to_string();
    assert!(
        text.contains("\"02139\"") && text.contains("\"2139\""),
        "{text}"
    );
}

#[test]
fn kind2_unsigned_64_bit_ids_are_exact() {
    for f in ["u64_groups.parquet", "u64_groups.arrow"] {
        let j = audit_json(&[&format!("{R}/{f}"), "-g", "site"], 0);
        let g = groups(&j, "site");
        assert_eq!(g.len(), 2, "{f}: {g:?}");
        assert_eq!(sel(&j, "site", "9223372036854775813"), Some(1.0), "{f}");
        assert_eq!(sel(&j, "site", "18446744073709551615"), Some(0.0), "{f}");
        assert!(!g.iter().any(|x| x.0 == "(missing)"));
    }
}

// ---- Kind 3: types that change after the first rows ----

#[test]
fn kind3_types_that_change_late_are_read() {
    let d = tempfile::TempDir::new().unwrap();
    // 10,001 integer rows, then decimals in the score and the weight.
    let mut csv = String::from("y_true,score,w,g\n");
    for i in 0..10_001 {
        csv.push_str(&format!(
            "{},{},1,{}\n",
            i % 2,
            i % 2,
            if i % 3 == 0 { "a" } else { "b" }
        ));
    }
    csv.push_str("1,0.75,2.5,a\n0,0.25,0.5,b\n");
    let f = write(d.path(), "late.csv", &csv);
    let j = audit_json(&[&f, "-g", "g", "--score", "score", "--weight", "w"], 0);
    let a = group(attr(&j, "g"), "a");
    // Group a: i ≡ 0 (mod 3) for i < 10,001 → 3,334 rows, half odd; plus the 0.75 row (w 2.5).
    let n_a = (0..10_001).filter(|i| i % 3 == 0).count() as f64;
    let pos_a = (0..10_001).filter(|i| i % 3 == 0 && i % 2 == 1).count() as f64;
    assert_eq!(a["rows"].as_f64().or(a["n"].as_f64()), Some(n_a + 1.0));
    let want = (pos_a + 2.5) / (n_a + 2.5);
    assert!(close(metric(a, "selection_rate").unwrap(), want, 1e-12));

    // A word where numbers are expected: the column, the value and the row.
    csv.push_str("1,high,1,a\n");
    let f = write(d.path(), "word.csv", &csv);
    let e = audit_error(&[&f, "-g", "g", "--score", "score"]);
    assert!(
        e.contains("'score'") && e.contains("'high'") && e.contains("row 10004"),
        "{e}"
    );

    // NDJSON: a key first seen after record 10,000, and an integer key that turns decimal.
    let mut nd = String::new();
    for i in 0..10_001 {
        nd.push_str(&format!(
            "{{\"y_true\":{},\"y_pred\":{},\"s\":1}}\n",
            i % 2,
            i % 2
        ));
    }
    nd.push_str("{\"y_true\":1,\"y_pred\":1,\"s\":0.5,\"late\":\"x\"}\n");
    let f = write(d.path(), "late.ndjson", &nd);
    let j = audit_json(&[&f, "-g", "late", "--weight", "s"], 0);
    let x = group(attr(&j, "late"), "x");
    assert_eq!(x["rows"].as_f64().or(x["n"].as_f64()), Some(1.0));
    assert_eq!(
        group(attr(&j, "late"), "(missing)")["rows"]
            .as_f64()
            .or(group(attr(&j, "late"), "(missing)")["n"].as_f64()),
        Some(10_001.0)
    );
}

#[test]
fn kind3_same_rows_same_report_in_every_format() {
    let d = tempfile::TempDir::new().unwrap();
    let n = 500;
    let df = df!(
        "y_true" => (0..n).map(|i| (i * 7 % 3 == 0) as i64).collect::<Vec<_>>(),
        "score" => (0..n).map(|i| (i * 37 % 100) as f64 / 100.0).collect::<Vec<_>>(),
        "w" => (0..n).map(|i| 0.5 + (i % 4) as f64).collect::<Vec<_>>(),
        "race" => (0..n).map(|i| ["A", "B", "C"][i % 3]).collect::<Vec<_>>(),
        "site" => (0..n).map(|i| (i % 4) as i64 + 10).collect::<Vec<_>>(),
    )
    .unwrap();
    let files = every_format(d.path(), "same", &df);
    let reports: Vec<Value> = files
        .iter()
        .map(|f| {
            let mut j = audit_json(
                &[
                    f, "-g", "race", "-g", "site", "--score", "score", "--weight", "w",
                ],
                0,
            );
            j["attributes"]
                .as_array_mut()
                .unwrap()
                .iter_mut()
                .for_each(|a| {
                    a.as_object_mut()
                        .unwrap()
                        .remove("file")
                        .map(|_| ())
                        .unwrap_or(())
                });
            j["attributes"].clone()
        })
        .collect();
    for (f, r) in files.iter().zip(&reports).skip(1) {
        assert_eq!(r, &reports[0], "{f} differs from {}", files[0]);
    }
}

// ---- Kind 4: integers wider than 64 bits ----

#[test]
fn kind4_wide_integers_never_panic() {
    let j = audit_json(&[&format!("{R}/wide_int_ids.ndjson"), "-g", "g"], 0);
    assert_eq!(sel(&j, "g", "12345678901234567891"), Some(1.0));
    assert_eq!(sel(&j, "g", "5"), Some(0.0));
    let d = tempfile::TempDir::new().unwrap();
    // Unused wide ids, and ids past 128 bits.
    let f = write(
        d.path(),
        "ids.ndjson",
        "{\"id\":123456789012345678901234567890123456789012,\"y_true\":1,\"y_pred\":1,\"g\":\"a\"}\n{\"id\":5,\"y_true\":0,\"y_pred\":1,\"g\":\"b\"}\n",
    );
    let out = bin()
        .args(["audit-fairness", &f, "-g", "g", "--json", "-q"])
        .output()
        .unwrap();
    let code = out.status.code().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(code == 0 || code == 2, "{code} {err}");
    assert!(
        !err.contains("panicked") && !err.contains("internal error"),
        "{err}"
    );
    // The same ids in a JSON array.
    let f = write(
        d.path(),
        "ids.json",
        "[{\"id\":12345678901234567891,\"y_true\":1,\"y_pred\":1,\"g\":\"a\"},{\"id\":5,\"y_true\":0,\"y_pred\":0,\"g\":\"b\"}]",
    );
    let j = audit_json(&[&f, "-g", "g"], 0);
    assert_eq!(sel(&j, "g", "a"), Some(1.0));
}

// ---- Kind 5: missing-value spellings ----

#[test]
fn kind5_r_and_pandas_missing_values() {
    let f = format!("{R}/r_write_csv_na.csv");
    let j = audit_json(&[&f, "-g", "g"], 0);
    assert_eq!(j["settings"]["task"], "binary");
    let a = group(attr(&j, "g"), "a");
    assert_eq!(metric(a, "selection_rate"), Some(0.5));
    assert_eq!(metric(a, "false_positive_rate"), Some(0.0));
    assert_eq!(
        disp(attr(&j, "g"), "demographic_parity_difference"),
        Some(0.5)
    );
    let text = j["warnings"].to_string();
    assert!(
        text.contains("1 of 5 rows dropped (missing label: 1)"),
        "{text}"
    );
    // --positive TRUE and --positive true name the same boolean.
    for p in ["TRUE", "true", "True"] {
        let j = audit_json(&[&f, "-g", "g", "--positive", p], 0);
        assert_eq!(sel(&j, "g", "a"), Some(0.5), "{p}");
    }
    // Every default spelling is missing, in labels and in groups.
    let d = tempfile::TempDir::new().unwrap();
    let mut csv = String::from("y_true,y_pred,g\n1,1,a\n0,0,b\n");
    for na in [
        "nan", "NaN", "NULL", "null", "None", "#N/A", "N/A", "<NA>", "n/a",
    ] {
        csv.push_str(&format!("{na},1,a\n1,{na},b\n"));
    }
    csv.push_str("1,1,NA\n");
    let f = write(d.path(), "spellings.csv", &csv);
    let j = audit_json(&[&f, "-g", "g"], 0);
    assert_eq!(j["settings"]["task"], "binary");
    assert_eq!(sel(&j, "g", "a"), Some(1.0));
    assert_eq!(sel(&j, "g", "(missing)"), Some(1.0));
    // --na-values replaces the list: NA is then a group of its own, -999 is missing.
    let f = write(
        d.path(),
        "custom.csv",
        "y_true,y_pred,g\n1,1,NA\n0,0,b\n-999,1,b\n",
    );
    let j = audit_json(&[&f, "-g", "g", "--na-values=-999"], 0);
    assert_eq!(sel(&j, "g", "NA"), Some(1.0));
    assert_eq!(sel(&j, "g", "b"), Some(0.0));
    // Text "NA" in a Parquet string column is missing too.
    let j = audit_json(&[&format!("{R}/na_text.parquet"), "-g", "h"], 0);
    assert_eq!(sel(&j, "h", "(missing)"), Some(1.0));
    let j = audit_json(
        &[
            &format!("{R}/na_text.parquet"),
            "-g",
            "h",
            "--missing",
            "drop",
        ],
        0,
    );
    assert_eq!(groups(&j, "h").len(), 2);
    // A pandas `category` column (Arrow dictionary<int8, string>) with a null and the text "NA"
    // among its categories: both missing. Group a: (1,1), (0,1); b: (0,0), (0,0); missing:
    // (1,0) and (1,1).
    let j = audit_json(&[&format!("{R}/category_missing.parquet"), "-g", "g"], 0);
    assert_eq!(sel(&j, "g", "a"), Some(1.0));
    assert_eq!(sel(&j, "g", "b"), Some(0.0));
    assert_eq!(sel(&j, "g", "(missing)"), Some(0.5));
    assert_eq!(groups(&j, "g").len(), 3);
}

// ---- Kind 6: float precision at thresholds ----

#[test]
fn kind6_float32_compared_in_its_own_precision() {
    let j = audit_json(
        &[
            &format!("{R}/float32_at_threshold.parquet"),
            "-g",
            "g",
            "--score",
            "score",
            "--threshold",
            "0.7",
        ],
        0,
    );
    assert_eq!(sel(&j, "g", "a"), Some(0.5));
}

/// The same audit through every path that computes it: direct, sweep, statistics files, and
/// `fairaudit sql`'s query run by DuckDB — on a float32 and a float64 file with
/// mixed-case yes / no labels.
#[test]
fn kind6_every_path_gives_the_same_counts() {
    let d = tempfile::TempDir::new().unwrap();
    for (f, ty, want_a, want_b) in [
        ("threshold_f32.parquet", "float32", 2.0 / 3.0, 1.0 / 3.0),
        ("threshold_f64.parquet", "float64", 2.0 / 3.0, 1.0 / 3.0),
    ] {
        let path = format!("{R}/{f}");
        let base = [path.as_str(), "-g", "g", "--label", "y", "--score", "score"];
        let direct = audit_json(&[&base[..], &["--threshold", "0.7"]].concat(), 0);
        assert!(close(sel(&direct, "g", "a").unwrap(), want_a, 1e-12), "{f}");
        assert!(close(sel(&direct, "g", "b").unwrap(), want_b, 1e-12), "{f}");
        let counts = |j: &Value| -> Vec<Value> {
            attr(j, "g")["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["counts"].clone())
                .collect()
        };
        // Sweep: the 0.7 row of a sweep.
        let sweep = audit_json(&[&base[..], &["--threshold", "0.3,0.7"]].concat(), 0);
        let at = sweep["thresholds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["threshold"].as_f64() == Some(0.7))
            .expect("the 0.7 threshold")["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == "g")
            .expect("g at 0.7");
        let c07: Vec<Value> = at["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["counts"].clone())
            .collect();
        assert_eq!(c07, counts(&direct), "{f}: sweep");
        // Statistics file.
        let stats = d.path().join(format!("{f}.stats.json"));
        audit_json(
            &[
                &base[..],
                &[
                    "--threshold",
                    "0.7",
                    "--emit-stats",
                    stats.to_str().unwrap(),
                ],
            ]
            .concat(),
            0,
        );
        let merged = audit_json(&["--from-stats", stats.to_str().unwrap()], 0);
        assert_eq!(counts(&merged), counts(&direct), "{f}: statistics");
        // SQL: the query as DuckDB ran it (scripts/oracle_sql.py).
        let p = sql_statistics(
            f.trim_end_matches(".parquet"),
            &[
                "--dialect",
                "duckdb",
                "--label",
                "y",
                "--score",
                "score",
                "--threshold",
                "0.7",
                "--score-type",
                ty,
                "-g",
                "g",
            ],
        );
        let from_sql = audit_json(&["--from-stats", p.to_str().unwrap()], 0);
        assert_eq!(counts(&from_sql), counts(&direct), "{f}: SQL");
    }
}

// ---- Kind 7: malformed rows ----

#[test]
fn kind7_ragged_rows_are_errors_naming_the_line() {
    let f = format!("{R}/ragged_unquoted_comma.csv");
    for args in [
        vec!["-g", "race"],
        vec!["-g", "race", "-g", "sex"],
        vec!["-g", "sex"],
    ] {
        let e = audit_error(&[&[f.as_str()][..], &args[..]].concat());
        assert!(
            e.contains("line 3 has 5 fields but the header has 4"),
            "{e}"
        );
        assert!(e.contains("--skip-bad-rows"), "{e}");
    }
    let j = audit_json(&[&f, "-g", "race", "--skip-bad-rows"], 0);
    let text = j["warnings"].to_string();
    assert!(
        text.contains("skipped 1 malformed row") && text.contains("line 3"),
        "{text}"
    );
    assert_eq!(groups(&j, "race").len(), 2);
    assert!(!text.contains("non-Hispanic"));
    // A short row, and the same in TSV; quoted separators and line breaks are fine.
    let d = tempfile::TempDir::new().unwrap();
    fails(
        d.path(),
        "short.csv",
        "y_true,y_pred,g\n1,1,a\n0,0\n1,0,b\n",
        FAIRNESS,
        &["-g", "g"],
        &["line 3 has 2 fields but the header has 3"],
    );
    fails(
        d.path(),
        "short.tsv",
        "y_true\ty_pred\tg\n1\t1\ta\n0\t0\t\tx\n",
        FAIRNESS,
        &["-g", "g"],
        &["line 3 has 4 fields"],
    );
    let ok = write(
        d.path(),
        "quoted.csv",
        "y_true,y_pred,g\n1,1,\"White, non-Hispanic\"\n0,0,\"two\nlines\"\n",
    );
    let j = audit_json(&[&ok, "-g", "g"], 0);
    assert_eq!(sel(&j, "g", "White, non-Hispanic"), Some(1.0));
    assert_eq!(sel(&j, "g", "two\nlines"), Some(0.0));
    // audit-reward reads through the same check.
    fails(
        d.path(),
        "pairs.csv",
        "chosen,rejected\n1,0\n2,1,9\n",
        &["audit-reward"],
        &[],
        &["line 3 has 3 fields"],
    );
}

// ---- Kind 8: column roles checked against the values ----

#[test]
fn kind8_roles_detected_by_name_are_checked_against_values() {
    // aequitas' files keep the 0/1 decision in `score`.
    let j = audit_json(&["fixtures/compas.csv", "-g", "race"], 0);
    let g = group(attr(&j, "race"), "Caucasian");
    assert!(g["metrics"].get("roc_auc").is_none(), "no score metrics");
    assert!(j["warnings"]
        .to_string()
        .contains("'score' holds only 0 and 1"));
    // Given explicitly, it stays a score.
    let j = audit_json(
        &["fixtures/compas.csv", "-g", "race", "--score", "score"],
        0,
    );
    assert!(group(attr(&j, "race"), "Caucasian")["metrics"]
        .get("roc_auc")
        .is_some());
    // Probabilities in a column named y_pred next to a binary label: a score at 0.5.
    let d = tempfile::TempDir::new().unwrap();
    let f = write(
        d.path(),
        "proba.csv",
        "y_true,y_pred,g\n1,0.9,a\n0,0.6,a\n1,0.4,b\n0,0.1,b\n",
    );
    let j = audit_json(
        &[
            &f,
            "-g",
            "g",
            "--fail-if",
            "demographic_parity_difference > 1.5",
        ],
        0,
    );
    assert_eq!(j["settings"]["task"], "binary");
    assert!(j["settings"]["task_detected"]
        .as_str()
        .unwrap()
        .contains("score at threshold 0.5"));
    assert_eq!(sel(&j, "g", "a"), Some(1.0));
    assert_eq!(sel(&j, "g", "b"), Some(0.0));
    // yes / no labels are binary.
    let f = write(
        d.path(),
        "yesno.csv",
        "y_true,y_pred,g\nyes,Yes,a\nno,YES,a\nYes,no,b\nNO,no,b\n",
    );
    let j = audit_json(&[&f, "-g", "g"], 0);
    assert_eq!(j["settings"]["task"], "binary");
    assert_eq!(sel(&j, "g", "a"), Some(1.0));
    // A gate on a binary metric of a regression audit says which task ran and why.
    let e = audit_error(&[
        "fixtures/compas_regression.csv",
        "--label",
        "y",
        "--pred",
        "y_pred",
        "-g",
        "race",
        "--fail-if",
        "demographic_parity_difference > 0.1",
    ]);
    assert!(
        e.contains("metric of binary audits")
            && e.contains("regression")
            && e.contains("--task binary"),
        "{e}"
    );
}

// ---- Kind 9: our words, not the library's ----

#[test]
fn kind9_errors_in_the_users_terms() {
    let d = tempfile::TempDir::new().unwrap();
    // A Parquet file cut short.
    let bytes = std::fs::read(root().join(R).join("exotic_unused.parquet")).unwrap();
    let cut = d.path().join("cut.parquet");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let e = audit_error(&[cut.to_str().unwrap(), "-g", "g"]);
    assert!(e.contains("not a valid Parquet file"), "{e}");
    // Not Parquet at all.
    let fake = write(d.path(), "fake.parquet", "y_true,y_pred,g\n1,1,a\n");
    let e = audit_error(&[&fake, "-g", "g"]);
    assert!(e.contains("not a valid Parquet file"), "{e}");
    let fake = write(d.path(), "fake.arrow", "y_true,y_pred,g\n1,1,a\n");
    let e = audit_error(&[&fake, "-g", "g"]);
    assert!(e.contains("not a valid Arrow IPC"), "{e}");
    // Latin-1 text.
    let p = d.path().join("latin1.csv");
    std::fs::write(&p, b"y_true,y_pred,g\n1,1,a\n0,0,Caf\xe9\n").unwrap();
    let e = audit_error(&[p.to_str().unwrap(), "-g", "g"]);
    assert!(
        e.contains("line 3 is not UTF-8") && e.contains("iconv"),
        "{e}"
    );
    // Parquet on standard input.
    succeeds(
        &[
            "audit-fairness",
            "-",
            "--input-format",
            "parquet",
            "-g",
            "g",
            "--json",
            "-q",
        ],
        Some(std::fs::read(root().join(R).join("exotic_unused.parquet")).unwrap()),
    );
    // NDJSON with a broken line, and a key that mixes objects and numbers.
    fails(
        d.path(),
        "broken.ndjson",
        "{\"y_true\":1,\"y_pred\":1,\"g\":\"a\"}\n{\"y_true\":0,\"y_pred\":0,\"g\":\n",
        FAIRNESS,
        &["-g", "g"],
        &["line 2 is not valid JSON"],
    );
    fails(
        d.path(),
        "mixed.ndjson",
        "{\"y_true\":1,\"y_pred\":1,\"g\":{\"a\":1}}\n{\"y_true\":0,\"y_pred\":0,\"g\":5}\n",
        FAIRNESS,
        &["-g", "g"],
        &["mixed.ndjson"],
    );
    // A pabulib file whose quote is never closed.
    fails(
        d.path(),
        "open.pb",
        "META\nkey;value\nbudget;10\nvote_type;approval\nPROJECTS\nproject_id;cost;name\n1;5;\"Park\n2;5;Road\nVOTES\nvoter_id;vote\n1;1\n",
        &["allocate", "pb"],
        &[],
        &["line 7", "never closed"],
    );
    // An empty file, and a header alone.
    let f = write(d.path(), "empty.csv", "");
    assert!(audit_error(&[&f, "-g", "g"]).contains("empty"));
    let f = write(d.path(), "header.csv", "y_true,y_pred,g\n");
    assert!(audit_error(&[&f, "-g", "g"]).contains("no data rows"));
}

// ---- Found by trying the readers as a new user would (second round) ----

#[test]
fn blank_lines_line_ends_quotes_and_separators() {
    let d = tempfile::TempDir::new().unwrap();
    // A trailing blank line is not a row (no row dropped, --strict passes), in every engine.
    let f = write(d.path(), "blank.csv", "y_true,y_pred,g\n1,1,a\n\n0,0,b\n\n");
    let j = audit_json(&[&f, "-g", "g", "--strict"], 0);
    assert_eq!(j["inputs"][0]["rows_read"], 2);
    let u = write(d.path(), "u.csv", "agent,g1,g2\nx,3,1\ny,1,3\n\n");
    let j = engine_json("allocate", &["items", &u, "--method", "round-robin"], 0);
    assert_eq!(j["agents"].as_array().map(|a| a.len()), Some(2), "{j}");
    let p = write(d.path(), "p.csv", "chosen,rejected\n1,0\n0,1\n\n");
    let j = engine_json("audit-reward", &[&p], 0);
    assert_eq!(j["inputs"][0]["metrics"]["accuracy"], 0.5);
    // Lines ending in CR alone (classic Mac).
    let f = write(d.path(), "cr.csv", "y_true,y_pred,g\r1,1,a\r0,0,b\r");
    let j = audit_json(&[&f, "-g", "g"], 0);
    assert_eq!(sel(&j, "g", "a"), Some(1.0));
    assert!(j["warnings"].to_string().contains("CR alone"));
    // Semicolon-separated (Excel with a decimal comma), and a tab-separated .txt.
    let f = write(d.path(), "semi.csv", "y_true;y_pred;g\n1;1;a\n0;0;b\n");
    let j = audit_json(&[&f, "-g", "g"], 0);
    assert_eq!(sel(&j, "g", "b"), Some(0.0));
    assert!(j["warnings"].to_string().contains("semicolon-separated"));
    fails(
        d.path(),
        "comma.csv",
        "y_true;score;g\n1;0,7;a\n0;0,2;b\n",
        FAIRNESS,
        &["-g", "g", "--score", "score"],
        &["'0,7'", "decimal comma"],
    );
    let f = write(
        d.path(),
        "tabs.txt",
        "y_true\ty_pred\tg\n1\t1\ta\n0\t0\tb\n",
    );
    assert_eq!(sel(&audit_json(&[&f, "-g", "g"], 0), "g", "a"), Some(1.0));
    // Text after a closing quote, and a backslash-escaped quote.
    fails(
        d.path(),
        "q.csv",
        "y_true,y_pred,g\n1,1,\"x\"y\n",
        FAIRNESS,
        &["-g", "g"],
        &["line 2", "quoted value is followed by more text"],
    );
    fails(
        d.path(),
        "bs.csv",
        "y_true,y_pred,g\n1,1,a\n1,1,\"a\\\"b\"\n",
        FAIRNESS,
        &["-g", "g"],
        &["line 3"],
    );
    fails(
        d.path(),
        "space.csv",
        "y_true,score,g\n1, 0.5,a\n",
        FAIRNESS,
        &["-g", "g", "--score", "score"],
        &["' 0.5'", "spaces"],
    );
}

#[test]
fn damaged_and_mislabelled_files_are_one_line() {
    let b = "fixtures/reading/broken";
    for (f, args, needle) in [
        (
            "damaged_parquet_internal_error.parquet",
            vec!["-g", "race", "--score", "score", "--label", "y_true"],
            "not a valid Parquet file",
        ),
        // Claims a 5.7e17-byte buffer: polars would abort the process allocating it.
        (
            "damaged_feather_alloc_abort.feather",
            vec!["-g", "zip"],
            "claims a buffer of 576460752303423551 bytes",
        ),
        ("ipc_stream.arrow", vec!["-g", "g"], "IPC stream format"),
        (
            "feather_category_nan.feather",
            vec!["-g", "race"],
            "write the file as Parquet",
        ),
    ] {
        let path = format!("{b}/{f}");
        let e = audit_error(&[&[path.as_str()][..], &args[..]].concat());
        assert!(
            e.contains(needle) && !e.contains("internal error"),
            "{f}: {e}"
        );
    }
    let e = engine_error(
        "audit-reward",
        &[
            &format!("{b}/damaged_feather_reward_internal_error.feather"),
            "--group",
            "lang",
        ],
    );
    assert!(e.contains("not a valid Arrow IPC file"), "{e}");
    let d = tempfile::TempDir::new().unwrap();
    // Compressed text, an empty IPC file, Parquet bytes under a .csv name.
    let gz = d.path().join("x.csv");
    std::fs::write(&gz, [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]).unwrap();
    let e = audit_error(&[gz.to_str().unwrap(), "-g", "g"]);
    assert!(e.contains("gzip-compressed") && e.contains("gunzip"), "{e}");
    let empty = write(d.path(), "e.arrow", "");
    assert!(audit_error(&[&empty, "-g", "g"]).contains("empty (0 bytes)"));
    let pq = d.path().join("p.csv");
    std::fs::copy(root().join(R).join("exotic_unused.parquet"), &pq).unwrap();
    let e = audit_error(&[pq.to_str().unwrap(), "-g", "g"]);
    assert!(
        e.contains("Parquet file") && e.contains("--input-format parquet"),
        "{e}"
    );
    // NDJSON: a byte-order mark, Python's NaN, a key that mixes objects and numbers.
    let f = write(
        d.path(),
        "bom.ndjson",
        "\u{feff}{\"y_true\":1,\"y_pred\":1,\"g\":\"a\"}\n{\"y_true\":0,\"y_pred\":0,\"g\":\"b\"}\n",
    );
    assert_eq!(sel(&audit_json(&[&f, "-g", "g"], 0), "g", "a"), Some(1.0));
    fails(
        d.path(),
        "nan.ndjson",
        "{\"y_true\":1,\"score\":NaN,\"g\":\"a\"}\n",
        FAIRNESS,
        &["-g", "g", "--score", "score"],
        &["line 1", "NaN and Infinity are not JSON"],
    );
    fails(
        d.path(),
        "mixed.ndjson",
        "{\"y_true\":1,\"y_pred\":1,\"g\":\"a\",\"meta\":{\"k\":1}}\n{\"y_true\":0,\"y_pred\":0,\"g\":\"b\",\"meta\":5}\n{\"y_true\":1,\"y_pred\":0,\"g\":\"b\",\"meta\":[1,2]}\n",
        FAIRNESS,
        &["-g", "g"],
        &["key 'meta'"],
    );
    // A column name with a line break is shown escaped: the error stays one line.
    let f = write(d.path(), "nl.csv", "y_true,y_pred,\"g\nh\"\n1,1,a\n");
    let e = audit_error(&[&f, "-g", "x"]);
    assert!(e.contains("\"g\\nh\""), "{e}");
    // Standard input without --input-format: Parquet told by its bytes.
    succeeds(
        &["audit-fairness", "-", "-g", "g", "--json", "-q"],
        Some(std::fs::read(root().join(R).join("exotic_unused.parquet")).unwrap()),
    );
    // allocate's files take --na-values: an agent named NA (Namibia) stays an agent.
    let u = write(
        d.path(),
        "na_agent.csv",
        "agent,book,lamp
NA,6,1
bob,5,3
",
    );
    let j = engine_json(
        "allocate",
        &["items", &u, "--method", "round-robin", "--na-values=-999"],
        0,
    );
    assert!(j.to_string().contains("\"NA\""), "{j}");
    // A pabulib election on standard input.
    let pb = std::fs::read(root().join("fixtures/pb/tiny/tiny_00.pb")).unwrap();
    succeeds(&["allocate", "pb", "-", "--json", "-q"], Some(pb));
}

#[test]
fn json_ids_wider_than_64_bits_and_float_groups_as_written() {
    let d = tempfile::TempDir::new().unwrap();
    let rows = "{\"y_true\":1,\"y_pred\":1,\"g\":18446744073709551617}{\"y_true\":0,\"y_pred\":0,\"g\":18446744073709551618}";
    let f = write(d.path(), "ids.json", rows);
    let j = audit_json(&[&f, "-g", "g"], 0);
    assert_eq!(sel(&j, "g", "18446744073709551617"), Some(1.0));
    assert_eq!(sel(&j, "g", "18446744073709551618"), Some(0.0));
    // Float groups (float32 and float64, as pandas writes them) read the same from CSV and
    // from Parquet / IPC.
    let df = df!(
        "y_true" => [1i64, 0, 1, 0],
        "y_pred" => [1i64, 1, 0, 0],
        "g32" => [0.1f32, 0.1, 0.2, 0.2],
        "g64" => [Some(1.0f64), Some(1.0), Some(2.0), None],
    )
    .unwrap();
    let files = every_format(d.path(), "floats", &df);
    let names = |f: &str, g: &str| -> Vec<String> {
        groups(&audit_json(&[f, "-g", g], 0), g)
            .into_iter()
            .map(|x| x.0)
            .collect()
    };
    for f in &files[..3] {
        assert_eq!(names(f, "g32"), ["0.1", "0.2"], "{f}");
        assert_eq!(names(f, "g64"), ["1.0", "2.0", "(missing)"], "{f}");
    }
    // Correctness flags written as booleans by pandas (True / False) or R (TRUE / FALSE / NA).
    let mut csv = String::from("prompt_id,proxy,correct\n");
    for p in 0..6 {
        for k in 0..4 {
            let ok = ["True", "False", "TRUE", "NA"][(p + k) % 4];
            csv.push_str(&format!("{p},{},{ok}\n", k as f64 / 4.0));
        }
    }
    let f = write(d.path(), "bon.csv", &csv);
    let j = engine_json(
        "audit-reward",
        &[
            &f,
            "--id",
            "prompt_id",
            "--proxy",
            "proxy",
            "--correct",
            "correct",
        ],
        0,
    );
    assert!(j.to_string().contains("best_of_n"), "{j}");
}

#[test]
fn data_is_inert_in_markdown() {
    let d = tempfile::TempDir::new().unwrap();
    let f = write(
        d.path(),
        "nasty.csv",
        "y_true,y_pred,g\n1,1,<script>alert(1)</script>\n0,0,a|b\n1,0,\"two\nlines\"\n",
    );
    let out = bin()
        .args([
            "audit-fairness",
            &f,
            "-g",
            "g",
            "--format",
            "markdown",
            "-q",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(md.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "{md}");
    assert!(!md.contains("<script>"));
    assert!(md.contains("a\\|b") && md.contains("two<br>lines"), "{md}");
    // Every row of the groups table keeps its column count.
    let table: Vec<&str> = md
        .lines()
        .skip_while(|l| !l.starts_with("| group"))
        .take_while(|l| l.starts_with('|'))
        .collect();
    assert_eq!(table.len(), 5, "{md}");
    let width = table[0].matches(" | ").count();
    for line in &table {
        assert_eq!(line.matches(" | ").count(), width, "{line}");
    }
}

// ---- Third round of trying the readers ----

#[test]
fn json_depth_boms_and_standard_input_sniffing() {
    let d = tempfile::TempDir::new().unwrap();
    // 3,000 levels overflowed polars' stack (the process aborted): refused in one line.
    let deep = format!(
        "{{\"y_true\":1,\"y_pred\":1,\"g\":\"a\",\"x\":{}1{}}}\n",
        "[".repeat(3000),
        "]".repeat(3000)
    );
    fails(
        d.path(),
        "deep.ndjson",
        &deep,
        FAIRNESS,
        &["-g", "g"],
        &["line 1 nests values more than 512 levels deep"],
    );
    // 200 levels (past serde's limit of 128) in a JSON array: read.
    let nested = format!(
        "[{{\"y_true\":1,\"y_pred\":1,\"g\":\"a\",\"x\":{}1{}}},{{\"y_true\":0,\"y_pred\":0,\"g\":\"b\",\"x\":null}}]",
        "[".repeat(200),
        "]".repeat(200)
    );
    let f = write(d.path(), "nested.json", &nested);
    assert_eq!(sel(&audit_json(&[&f, "-g", "g"], 0), "g", "a"), Some(1.0));
    // A .json file with a byte-order mark; a semicolon file starting with a blank line.
    let f = write(
        d.path(),
        "bom.json",
        "\u{feff}[{\"y_true\":1,\"y_pred\":1,\"g\":\"a\"},{\"y_true\":0,\"y_pred\":0,\"g\":\"b\"}]",
    );
    assert_eq!(sel(&audit_json(&[&f, "-g", "g"], 0), "g", "a"), Some(1.0));
    let f = write(d.path(), "lead.csv", "\r\ng;y_true;y_pred\na;1;1\nb;0;0\n");
    assert_eq!(sel(&audit_json(&[&f, "-g", "g"], 0), "g", "b"), Some(0.0));
    // Standard input: RewardBench's back-to-back objects, and a CSV whose header starts
    // with '['.
    let rb = std::fs::read(root().join("fixtures/reward/rewardbench_results.json")).unwrap();
    succeeds(&["audit-reward", "-", "--json", "-q"], Some(rb));
    let out = bin()
        .args(["audit-fairness", "-", "-g", "[group]", "--json", "-q"])
        .write_stdin("[group],y_true,y_pred\na,1,1\nb,0,0\n")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn missing_spellings_in_typed_files_and_numeric_na_values() {
    let b = "fixtures/reading/broken";
    // Text "NA" / "" in Parquet string columns used as numbers: missing, not an error.
    let j = audit_json(
        &[
            &format!("{b}/text_score_NA.parquet"),
            "-g",
            "g",
            "--label",
            "y_true",
            "--score",
            "score",
        ],
        0,
    );
    assert!(j["inputs"][0]["rows_dropped"]
        .to_string()
        .contains("missing prediction"));
    let j = audit_json(
        &[
            &format!("{b}/text_score_NA.parquet"),
            "-g",
            "g",
            "--label",
            "y_true",
            "--pred",
            "y_pred",
            "--weight",
            "w",
        ],
        0,
    );
    assert!(j["inputs"][0]["rows_dropped"]
        .to_string()
        .contains("missing weight"));
    // --na-values=-999 in a typed integer group and a float score (-999.0): missing, as in CSV.
    let d = tempfile::TempDir::new().unwrap();
    let csv = write(
        d.path(),
        "na.csv",
        "y_true,score,gi\n1,0.9,1\n0,0.2,2\n1,-999.0,-999\n0,0.4,-999\n",
    );
    let p = format!("{b}/na.parquet");
    for f in [csv.as_str(), p.as_str()] {
        let j = audit_json(
            &[
                f,
                "-g",
                "gi",
                "--label",
                "y_true",
                "--score",
                "score",
                "--na-values=-999",
            ],
            0,
        );
        let names: Vec<String> = groups(&j, "gi").into_iter().map(|g| g.0).collect();
        assert!(!names.contains(&"-999".to_string()), "{f}: {names:?}");
    }
    // A quote inside an unquoted value names its line.
    fails(
        d.path(),
        "height.csv",
        "y_true,y_pred,height\n1,1,5'11\"\n",
        FAIRNESS,
        &["-g", "height"],
        &["line 2", "holds a quote but is not quoted"],
    );
    // Types polars cannot decode, named with their column and a fix.
    let e = audit_error(&[
        &format!("{b}/d256_20.arrow"),
        "-g",
        "gid",
        "--label",
        "y_true",
        "--pred",
        "y_pred",
    ]);
    assert!(e.contains("256-bit decimal") && e.contains("'gid'"), "{e}");
    let e = audit_error(&[
        &format!("{b}/bignum.parquet"),
        "-g",
        "gid",
        "--label",
        "y_true",
        "--pred",
        "y_pred",
    ]);
    assert!(e.contains("more than 38 digits"), "{e}");
    let e = audit_error(&[&format!("{b}/delta_unused.arrow"), "-g", "g"]);
    assert!(e.contains("delta dictionaries"), "{e}");
    // allocate reports what reading its files noticed.
    let u = write(d.path(), "u.csv", "agent;g1;g2\nx;3;1\ny;1;3;9\nz;2;2\n");
    let j = engine_json(
        "allocate",
        &["items", &u, "--method", "round-robin", "--skip-bad-rows"],
        0,
    );
    let w = j["warnings"].to_string();
    assert!(
        w.contains("skipped 1 malformed row") && w.contains("semicolon"),
        "{w}"
    );
}
