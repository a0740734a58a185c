//! Every input format gives the same report as the CSV: Parquet (with the small integer and
//! categorical columns pandas writes), NDJSON, Arrow IPC, TSV.

mod common;

use common::*;
use polars::prelude::*;
use tempfile::TempDir;

fn compas() -> DataFrame {
    CsvReadOptions::default()
        .with_has_header(true)
        .try_into_reader_with_file_path(Some(root().join("fixtures/compas.csv")))
        .unwrap()
        .finish()
        .unwrap()
}

fn groups_of(path: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        path,
        "--label",
        "label_value",
        "--score",
        "score",
        "-g",
        "race",
        "-g",
        "sex",
    ];
    args.extend_from_slice(extra);
    let r = audit_json(&args, 0);
    serde_json::json!(r["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| serde_json::json!({"name": a["name"], "groups": a["groups"], "disparities": a["disparities"]}))
        .collect::<Vec<_>>())
}

/// Groups as pandas writes a `category` column (Arrow dictionary<int8, string>, eight row
/// groups; scripts/make_reading_fixtures.py): the same report as the CSV — every group,
/// intersection, disparity and score metric — from the file and from standard input.
#[test]
fn pandas_category_parquet_equals_csv() {
    let extra = ["-g", "age_cat"];
    let want = groups_of("fixtures/compas.csv", &extra);
    let pq = "fixtures/reading/compas_category.parquet";
    assert_eq!(groups_of(pq, &extra), want, "parquet");
    let bytes = std::fs::read(root().join(pq)).unwrap();
    let out = bin()
        .args(["audit-fairness", "-", "--input-format", "parquet"])
        .args(["--label", "label_value", "--score", "score"])
        .args(["-g", "race", "-g", "sex", "-g", "age_cat", "--json", "-q"])
        .write_stdin(bytes)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_stdin: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let stdin_groups: Vec<_> = from_stdin["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| serde_json::json!({"name": a["name"], "groups": a["groups"], "disparities": a["disparities"]}))
        .collect();
    assert_eq!(serde_json::json!(stdin_groups), want, "standard input");
}

#[test]
fn parquet_ndjson_ipc_tsv_equal_csv() {
    let d = TempDir::new().unwrap();
    let want = groups_of("fixtures/compas.csv", &[]);

    // Parquet as pandas writes it: int8 labels, float32 scores, categorical groups.
    let mut df = compas()
        .lazy()
        .with_columns([
            col("label_value").cast(DataType::Int8),
            col("score").cast(DataType::Float32),
            col("race").cast(DataType::from_categories(Categories::global())),
        ])
        .collect()
        .unwrap();
    let pq = d.path().join("c.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .finish(&mut df)
        .unwrap();
    assert_eq!(groups_of(pq.to_str().unwrap(), &[]), want, "parquet");

    let mut df = compas();
    let nd = d.path().join("c.jsonl");
    JsonWriter::new(std::fs::File::create(&nd).unwrap())
        .with_json_format(JsonFormat::JsonLines)
        .finish(&mut df)
        .unwrap();
    assert_eq!(groups_of(nd.to_str().unwrap(), &[]), want, "ndjson");

    let ipc = d.path().join("c.arrow");
    IpcWriter::new(std::fs::File::create(&ipc).unwrap())
        .finish(&mut df)
        .unwrap();
    assert_eq!(groups_of(ipc.to_str().unwrap(), &[]), want, "ipc");

    let tsv = d.path().join("c.tsv");
    CsvWriter::new(std::fs::File::create(&tsv).unwrap())
        .with_separator(b'\t')
        .finish(&mut df)
        .unwrap();
    assert_eq!(groups_of(tsv.to_str().unwrap(), &[]), want, "tsv");

    // --input-format overrides the extension.
    let odd = d.path().join("c.data");
    std::fs::copy(&pq, &odd).unwrap();
    assert_eq!(
        groups_of(odd.to_str().unwrap(), &["--input-format", "parquet"]),
        want,
        "override"
    );
}

#[test]
fn large_parquet_spans_many_batches() {
    // 300k rows (several streaming batches): counts must equal a direct computation.
    let n = 300_000usize;
    let g: Vec<&str> = (0..n)
        .map(|i| ["north", "south", "east", "a much longer group name"][i % 4])
        .collect();
    let y: Vec<i64> = (0..n).map(|i| ((i * 7919) % 3 == 0) as i64).collect();
    let p: Vec<bool> = (0..n).map(|i| (i * 104729) % 5 < 2).collect();
    let mut df = df!("y" => &y, "p" => &p, "g" => &g).unwrap();
    let d = TempDir::new().unwrap();
    let pq = d.path().join("big.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .with_row_group_size(Some(20_000))
        .finish(&mut df)
        .unwrap();
    let r = audit_json(
        &[
            pq.to_str().unwrap(),
            "--label",
            "y",
            "--pred",
            "p",
            "-g",
            "g",
        ],
        0,
    );
    for (k, name) in ["north", "south", "east", "a much longer group name"]
        .iter()
        .enumerate()
    {
        let (mut tp, mut fp, mut tn, mut fn_) = (0.0, 0.0, 0.0, 0.0);
        for i in (k..n).step_by(4) {
            match (y[i] == 1, p[i]) {
                (true, true) => tp += 1.0,
                (false, true) => fp += 1.0,
                (false, false) => tn += 1.0,
                (true, false) => fn_ += 1.0,
            }
        }
        let gr = group(attr(&r, "g"), name);
        assert_eq!(gr["counts"]["tp"], tp, "{name}");
        assert_eq!(gr["counts"]["fp"], fp, "{name}");
        assert_eq!(gr["counts"]["tn"], tn, "{name}");
        assert_eq!(gr["counts"]["fn"], fn_, "{name}");
    }
    assert_eq!(r["inputs"][0]["rows_read"], n);
}
