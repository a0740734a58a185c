//! Scale: sufficient statistics written per shard (--emit-stats) and merged (--from-stats) give
//! the report of the whole file; the statistics query of `fairaudit sql` run by polars' SQL engine
//! gives fairaudit's own statistics.

mod common;

use common::*;
use serde_json::Value;

/// Splits a CSV fixture into `k` shards (header repeated) in `dir`; returns their paths.
fn shards(fixture: &str, k: usize, dir: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(fixture)).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let per = rows.len().div_ceil(k);
    rows.chunks(per)
        .enumerate()
        .map(|(i, chunk)| {
            write(
                dir,
                &format!("shard{i}.csv"),
                &format!("{header}\n{}\n", chunk.join("\n")),
            )
        })
        .collect()
}

/// The report without what names the input files.
fn without_paths(mut r: Value) -> Value {
    for i in r["inputs"].as_array_mut().unwrap() {
        let o = i.as_object_mut().unwrap();
        o.remove("path");
        o.remove("format");
    }
    for key in ["attributes", "warnings"] {
        for x in r[key].as_array_mut().unwrap() {
            x.as_object_mut().unwrap().remove("file");
        }
    }
    r
}

/// Emits the statistics of each shard, merges them, and returns (merged report, whole report).
fn merged_and_whole(
    fixture: &str,
    k: usize,
    flags: &[&str],
    merge_flags: &[&str],
) -> (Value, Value) {
    let d = tempfile::TempDir::new().unwrap();
    let mut stats = Vec::new();
    for (i, s) in shards(fixture, k, d.path()).iter().enumerate() {
        let out = d.path().join(format!("shard{i}.stats.json"));
        let out = out.to_str().unwrap().to_string();
        let mut args = vec![s.as_str()];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["--emit-stats", &out]);
        audit_json(&args, 0);
        stats.push(out);
    }
    let mut args: Vec<&str> = vec!["--from-stats"];
    args.extend(stats.iter().map(String::as_str));
    args.extend_from_slice(merge_flags);
    let merged = audit_json(&args, 0);
    let mut args = vec![fixture];
    args.extend_from_slice(flags);
    (merged, audit_json(&args, 0))
}

/// Four shards of the weighted adult sample (weights are multiples of 1/4, so sums are exact in
/// any order): the merged report — every count metric, disparity, reference comparison and the
/// 200-replicate count bootstrap — is byte-identical to the whole file's.
#[test]
fn shards_merge_into_the_whole_report() {
    let flags = [
        "--pred",
        "score",
        "--weight",
        "weight",
        "-g",
        "race",
        "-g",
        "gender",
        "--reference",
        "White",
        "--bootstrap",
        "200",
        "--seed",
        "3",
    ];
    let merge = ["--reference", "White", "--bootstrap", "200", "--seed", "3"];
    let (merged, whole) = merged_and_whole("fixtures/adult_weighted.csv", 4, &flags, &merge);
    assert!(whole["attributes"].as_array().unwrap().len() == 3);
    assert!(
        serde_json::to_string(&without_paths(merged)).unwrap()
            == serde_json::to_string(&without_paths(whole)).unwrap(),
        "the merged report differs from the whole file's"
    );
    // Multiclass: the class dimensions merge like any other.
    let flags = [
        "--label",
        "risk",
        "--pred",
        "risk_pred",
        "-g",
        "race",
        "--classes",
        "Low,Medium,High",
    ];
    let merge = ["--classes", "Low,Medium,High"];
    let (merged, whole) = merged_and_whole("fixtures/compas_multiclass.csv", 3, &flags, &merge);
    assert!(
        without_paths(merged) == without_paths(whole),
        "the merged multiclass report differs from the whole file's"
    );
}

/// Regression sums merge by Chan's formula: equal to the whole file's to rounding.
#[test]
fn regression_shards_merge() {
    let flags = [
        "--label", "y", "--pred", "y_pred", "-g", "race", "--weight", "weight",
    ];
    let (merged, whole) = merged_and_whole("fixtures/compas_regression.csv", 3, &flags, &[]);
    let (m, w) = (attr(&merged, "race"), attr(&whole, "race"));
    let (gm, gw) = (
        m["groups"].as_array().unwrap(),
        w["groups"].as_array().unwrap(),
    );
    assert_eq!(gm.len(), gw.len());
    for (a, b) in gm.iter().zip(gw) {
        assert_eq!(a["group"], b["group"]);
        for (k, v) in b["metrics"].as_object().unwrap() {
            let (x, y) = (a["metrics"][k].as_f64().unwrap(), v.as_f64().unwrap());
            assert!((x - y).abs() <= 1e-12 * (1.0 + y.abs()), "{k}: {x} vs {y}");
        }
    }
}

#[test]
fn bad_statistics_inputs() {
    let d = tempfile::TempDir::new().unwrap();
    let a = d.path().join("a.json");
    let b = d.path().join("b.json");
    let (a, b) = (a.to_str().unwrap(), b.to_str().unwrap());
    audit_json(&["fixtures/compas.csv", "-g", "race", "--emit-stats", a], 0);
    audit_json(&["fixtures/compas.csv", "-g", "sex", "--emit-stats", b], 0);
    let e = audit_error(&["--from-stats", a, b]);
    assert!(e.contains("not of the same audit"), "{e}");
    let e = audit_error(&["--from-stats", a, "--score", "score"]);
    assert!(e.contains("--score needs the rows"), "{e}");
    let junk = write(d.path(), "junk.json", "{\"x\": 1}");
    let e = audit_error(&["--from-stats", &junk]);
    assert!(e.contains("not a fairaudit statistics file"), "{e}");
    let table = write(d.path(), "t.csv", "race,tn,fp\nA,1,2\n");
    let e = audit_error(&["--from-stats", &table]);
    assert!(e.contains("'fn' is missing"), "{e}");
    let table = write(d.path(), "u.csv", "race,tn,fp,fn,tp\nA,1,2.5,3,4\n");
    let e = audit_error(&["--from-stats", &table]);
    assert!(e.contains("'fp' counts rows") && e.contains("2.5"), "{e}");
    let table = write(d.path(), "v.csv", "race,tn,fp,fn,tp,invalid\nA,1,2,3,4,1\n");
    let e = audit_error(&["--from-stats", &table]);
    assert!(e.contains("not 0/1"), "{e}");
    let e = audit_error(&[
        "fixtures/compas.csv",
        "fixtures/adult.csv",
        "-g",
        "race",
        "--emit-stats",
        a,
    ]);
    assert!(e.contains("one input"), "{e}");
}

/// `fairaudit sql --dialect duckdb`'s query, run by DuckDB on a fixture
/// (scripts/oracle_sql.py, its result committed in tests/expected/sql), gives a statistics table
/// that audits (--from-stats) to the same counts, rates and disparities as the file itself —
/// weighted, thresholded scores, two attributes and their intersection.
#[test]
fn sql_statistics_equal_fairaudits_own() {
    let path = sql_statistics(
        "adult_weighted",
        &[
            "--dialect",
            "duckdb",
            "--label",
            "label_value",
            "--score",
            "score",
            "--threshold",
            "0.5",
            "--weight",
            "weight",
            "-g",
            "race",
            "-g",
            "gender",
        ],
    );
    let merged = audit_json(&["--from-stats", path.to_str().unwrap()], 0);
    let whole = audit_json(
        &[
            "fixtures/adult_weighted.csv",
            "--score",
            "score",
            "--weight",
            "weight",
            "-g",
            "race",
            "-g",
            "gender",
        ],
        0,
    );
    let mut compared = 0;
    for name in ["race", "gender", "race&gender"] {
        let (m, w) = (attr(&merged, name), attr(&whole, name));
        let (gm, gw) = (
            m["groups"].as_array().unwrap(),
            w["groups"].as_array().unwrap(),
        );
        assert_eq!(gm.len(), gw.len(), "{name}");
        for (a, b) in gm.iter().zip(gw) {
            assert_eq!(a["group"], b["group"]);
            assert_eq!(a["rows"], b["rows"], "{name} {}", a["group"]);
            assert_eq!(a["counts"], b["counts"], "{name} {}", a["group"]);
            for (k, v) in a["metrics"].as_object().unwrap() {
                assert_eq!(&b["metrics"][k], v, "{name} {} {k}", a["group"]);
                compared += 1;
            }
        }
        for (k, v) in m["disparities"].as_object().unwrap() {
            assert_eq!(&w["disparities"][k], v, "{name} {k}");
            compared += 1;
        }
    }
    assert!(compared > 400, "{compared}");
}

/// Many files: `--summary` gives one row per file × attribute with the partition keys of the
/// path as columns, the headline disparities (by hand) and the gate verdict per file; Parquet
/// files inside `key=value` directories are read as written (polars' hive inference is off).
#[test]
fn summary_of_partitioned_files() {
    use polars::prelude::*;
    let d = tempfile::TempDir::new().unwrap();
    // Selection rates: a 2/2 vs b 0/2 (difference 1); a 1/2 vs b 1/2 (0); a 2/2 vs b 1/2 (0.5).
    let runs = [
        ("model=x/seed=1", [1, 1, 0, 0]),
        ("model=x/seed=2", [1, 0, 1, 0]),
        ("model=y/seed=1", [1, 1, 1, 0]),
    ];
    let mut files = Vec::new();
    for (dir, pred) in runs {
        let path = d.path().join(dir);
        std::fs::create_dir_all(&path).unwrap();
        let file = path.join("part.parquet");
        let mut df = df!(
            "race" => ["a", "a", "b", "b"],
            "y_true" => [1i64, 0, 1, 0],
            "y_pred" => pred.map(i64::from),
        )
        .unwrap();
        ParquetWriter::new(std::fs::File::create(&file).unwrap())
            .finish(&mut df)
            .unwrap();
        files.push(file.to_str().unwrap().to_string());
    }
    let mut args = vec!["audit-fairness"];
    args.extend(files.iter().map(String::as_str));
    args.extend([
        "-g",
        "race",
        "--summary",
        "--format",
        "csv",
        "-q",
        "--fail-if",
        "demographic_parity_difference > 0.7",
    ]);
    let out = bin().args(&args).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(
        &header[..6],
        ["file", "model", "seed", "attribute", "groups", "rows"]
    );
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    let got: Vec<(String, String, f64, String)> = rows
        .iter()
        .map(|r| {
            (
                r[col("model")].to_string(),
                r[col("seed")].to_string(),
                r[col("demographic_parity_difference")].parse().unwrap(),
                r[col("gates_passed")].to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("x".into(), "1".into(), 1.0, "false".into()),
            ("x".into(), "2".into(), 0.0, "true".into()),
            ("y".into(), "1".into(), 0.5, "true".into()),
        ]
    );
}

/// Bounded memory for scores: with --score-resolution the scores are rounded and equal rows
/// merged; every group's ROC AUC stays within its reported `roc_auc_max_error` of the exact one,
/// the bound is not vacuous, and the row-resampling bootstrap is refused.
#[test]
fn rounded_scores_keep_auc_within_the_reported_bound() {
    let base = [
        "fixtures/compas_scores.csv",
        "--score",
        "proba",
        "-g",
        "race",
    ];
    let exact = audit_json(&base, 0);
    let mut args = base.to_vec();
    args.extend(["--score-resolution", "0.02"]);
    let rounded = audit_json(&args, 0);
    assert_eq!(rounded["settings"]["score_resolution"], 0.02);
    let (ge, gr) = (
        attr(&exact, "race")["groups"].as_array().unwrap(),
        attr(&rounded, "race")["groups"].as_array().unwrap(),
    );
    let mut checked = 0;
    for (e, r) in ge.iter().zip(gr) {
        let (Some(a), Some(b)) = (
            e["metrics"]["roc_auc"].as_f64(),
            r["metrics"]["roc_auc"].as_f64(),
        ) else {
            continue;
        };
        let bound = r["metrics"]["roc_auc_max_error"].as_f64().unwrap();
        assert!(
            (a - b).abs() <= bound + 1e-12,
            "{}: {a} vs {b}, bound {bound}",
            e["group"]
        );
        assert!((0.0..0.05).contains(&bound), "{bound}");
        checked += usize::from(bound > 0.0);
    }
    assert!(
        checked >= 3,
        "the bound should be positive where scores share grid points"
    );
    assert!(exact["attributes"][0]["groups"][0]["metrics"]
        .get("roc_auc_max_error")
        .is_none());
    args.extend(["--bootstrap", "20"]);
    let e = audit_error(&args);
    assert!(e.contains("--bootstrap of the score metrics"), "{e}");
    let e = audit_error(&[
        "fixtures/compas_scores.csv",
        "--score",
        "proba",
        "-g",
        "race",
        "--score-resolution",
        "0",
    ]);
    assert!(e.contains("positive number"), "{e}");
}

/// Score histograms travel in the statistics: shards audited with --score and merged give the
/// score metrics of the whole file with its scores rounded to the same grid (1e-4), exactly, and
/// every merged ROC AUC lies within its reported bound of the exact one.
#[test]
fn score_histograms_merge() {
    let flags = ["--score", "proba", "-g", "race"];
    let (merged, _) = merged_and_whole("fixtures/compas_scores.csv", 3, &flags, &[]);
    let mut whole_args = vec!["fixtures/compas_scores.csv"];
    whole_args.extend(flags);
    whole_args.extend(["--score-resolution", "1e-4"]);
    let rounded = audit_json(&whole_args, 0);
    let mut exact_args = vec!["fixtures/compas_scores.csv"];
    exact_args.extend(flags);
    let exact = audit_json(&exact_args, 0);
    assert_eq!(merged["settings"]["score_resolution"], 1e-4);
    let groups = |r: &Value| attr(r, "race")["groups"].as_array().unwrap().clone();
    let (gm, gr, ge) = (groups(&merged), groups(&rounded), groups(&exact));
    for ((m, r), e) in gm.iter().zip(&gr).zip(&ge) {
        for k in ["roc_auc", "brier_score", "log_loss", "bpsn_auc", "bnsp_auc"] {
            assert_eq!(m["metrics"][k], r["metrics"][k], "{} {k}", m["group"]);
        }
        let (a, b) = (
            m["metrics"]["roc_auc"].as_f64().unwrap(),
            e["metrics"]["roc_auc"].as_f64().unwrap(),
        );
        assert!((a - b).abs() <= m["metrics"]["roc_auc_max_error"].as_f64().unwrap());
    }
    let e = audit_error(&["--from-stats", "fixtures/compas.csv", "--bootstrap", "10"]);
    assert!(e.contains("tn, fp, fn, tp"), "{e}");
}
