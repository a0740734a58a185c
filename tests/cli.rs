//! The command line: bad-input matrix (exit 2, one clear line, no panic, nothing on stdout),
//! gates and exit codes, formats, several files, stdin, determinism.

mod common;

use common::*;
use predicates::prelude::*;
use tempfile::TempDir;

const COMPAS: &str = "fixtures/compas.csv";

#[test]
fn bad_input_matrix() {
    let d = TempDir::new().unwrap();
    let p = |name: &str, text: &str| write(d.path(), name, text);
    let ok = p("ok.csv", "y,p,g\n1,1,a\n0,1,b\n");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["missing.csv".into(), "-g".into(), "race".into()],
            "missing.csv: no such file",
        ),
        (
            vec![p("x.xlsx", "a"), "-g".into(), "race".into()],
            "unknown extension '.xlsx'",
        ),
        (
            vec![COMPAS.into(), "-g".into(), "rase".into()],
            "did you mean 'race'?",
        ),
        (
            vec![COMPAS.into(), "-g".into(), "income".into()],
            "Available columns: entity_id, score",
        ),
        (
            vec![
                "fixtures/compas_dup_header.csv".into(),
                "-g".into(),
                "race".into(),
                "--score".into(),
                "decile_score".into(),
            ],
            "'decile_score' is ambiguous",
        ),
        (
            vec![
                p("s.csv", "y,p,g\nyes,1,a\nno,0,b\nmaybe,1,a\n"),
                "-g".into(),
                "g".into(),
                "--task".into(),
                "binary".into(),
            ],
            "not binary (values seen include 'maybe'); pass --positive",
        ),
        (
            vec![
                p("s2.csv", "y,p,g\nyes,1,a\nno,0,b\nmaybe,1,a\n"),
                "-g".into(),
                "g".into(),
            ],
            "the label 'y' (maybe, no, yes) and the prediction 'p' (0, 1) share no class",
        ),
        (
            vec![
                p("n.csv", "y,p,g\n1,2,a\n0,0,b\n"),
                "-g".into(),
                "g".into(),
                "--task".into(),
                "binary".into(),
            ],
            "--pred column 'p' is not binary (values seen include '2')",
        ),
        (vec![p("empty.csv", ""), "-g".into(), "g".into()], "empty"),
        (
            vec![p("header.csv", "y,p,g\n"), "-g".into(), "g".into()],
            "no data rows",
        ),
        (
            vec![
                p("dropped.csv", "y,p,g\n,1,a\n,0,b\n"),
                "-g".into(),
                "g".into(),
            ],
            "all 2 rows were dropped (missing label: 2)",
        ),
        (
            vec![
                p("ragged.csv", "y,p,g\n1,1,a\n0,1,b,extra\n1,0,a\n"),
                "-g".into(),
                "g".into(),
            ],
            "line 3 has 4 fields but the header has 3",
        ),
        (
            vec![
                ok.clone(),
                "-g".into(),
                "g".into(),
                "--fail-if".into(),
                "dpd >> 0.1".into(),
            ],
            "--fail-if 'dpd >> 0.1'",
        ),
        (
            vec![
                ok.clone(),
                "-g".into(),
                "g".into(),
                "--fail-if".into(),
                "demographic_parity_diff > 0.1".into(),
            ],
            "did you mean 'demographic_parity_difference'?",
        ),
        (
            vec![
                COMPAS.into(),
                "-g".into(),
                "race".into(),
                "--max-groups".into(),
                "3".into(),
            ],
            "more than 3 distinct values",
        ),
        (vec![ok.clone()], "pass --group COL"),
        (
            vec![p("nolabel.csv", "a,b,g\n1,1,x\n"), "-g".into(), "g".into()],
            "no prediction column; pass --pred COL",
        ),
        (
            vec![
                p("w.csv", "y,p,g,w\n1,1,a,-1\n"),
                "-g".into(),
                "g".into(),
                "--weight".into(),
                "w".into(),
            ],
            "invalid weight -1",
        ),
        (
            vec![
                p("wt.csv", "y,p,g,w\n1,1,a,x\n"),
                "-g".into(),
                "g".into(),
                "--weight".into(),
                "w".into(),
            ],
            "expected numbers",
        ),
        (
            vec![
                d.path().to_string_lossy().into_owned(),
                "-g".into(),
                "g".into(),
            ],
            "is a directory",
        ),
        (
            vec![p("bad.parquet", "not parquet"), "-g".into(), "g".into()],
            "bad.parquet: not a valid Parquet file",
        ),
        (
            vec![ok.clone(), "-g".into(), "g".into(), "-g".into(), "g".into()],
            "given twice",
        ),
        (
            vec![
                ok,
                "-g".into(),
                "g".into(),
                "--fail-if".into(),
                "nope:demographic_parity_difference > 1".into(),
            ],
            "no attribute 'nope'",
        ),
    ];
    for (args, want) in cases {
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let e = audit_error(&refs);
        assert!(e.contains(want), "args {args:?}: expected '{want}' in: {e}");
        assert!(e.starts_with("fairaudit: error: "), "{e}");
    }
}

#[test]
fn gates_set_exit_codes() {
    // COMPAS by race: demographic parity difference 0.457.
    let r = audit_json(
        &[
            COMPAS,
            "-g",
            "race",
            "--fail-if",
            "demographic_parity_difference > 0.5",
        ],
        0,
    );
    assert_eq!(r["passed"], true);
    assert_eq!(r["gates"][0]["passed"], true);
    assert_eq!(r["gates"][0]["checked"], 1);

    let out = bin()
        .args([
            "audit-fairness",
            COMPAS,
            "-g",
            "race",
            "-g",
            "sex",
            "--json",
        ])
        .args([
            "--fail-if",
            "race:dpd_difference > 0.4",
            "--fail-if",
            "sex:equalized_odds_ratio < 0.1",
        ])
        .output()
        .unwrap();
    // `dpd_difference` is not a name: exit 2.
    assert_eq!(out.status.code(), Some(2));

    let out = bin()
        .args([
            "audit-fairness",
            COMPAS,
            "-g",
            "race",
            "-g",
            "sex",
            "--json",
        ])
        .args([
            "--fail-if",
            "race:demographic_parity_difference > 0.4",
            "--fail-if",
            "sex:equalized_odds_ratio < 0.1",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["passed"], false);
    assert_eq!(r["gates"][0]["passed"], false);
    assert_eq!(r["gates"][0]["failures"][0]["attribute"], "race");
    assert_eq!(r["gates"][1]["passed"], true);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("gate failed: race:demographic_parity_difference > 0.4"),
        "{stderr}"
    );

    // Group metrics: every group is checked; a group scope checks one.
    let r = audit_json(&[COMPAS, "-g", "race", "--fail-if", "fpr > 0.4"], 1);
    assert_eq!(r["gates"][0]["checked"], 6);
    assert_eq!(r["gates"][0]["failures"].as_array().unwrap().len(), 1);
    assert_eq!(r["gates"][0]["failures"][0]["group"], "African-American");
    let r = audit_json(
        &[
            COMPAS,
            "-g",
            "race",
            "--fail-if",
            "race=Caucasian:false_positive_rate > 0.4",
        ],
        0,
    );
    assert_eq!(r["gates"][0]["checked"], 1);
    let r = audit_json(
        &[
            COMPAS,
            "-g",
            "race",
            "--fail-if",
            "four_fifths_rule_passed == false",
        ],
        1,
    );
    assert_eq!(
        r["gates"][0]["failures"][0]["metric"],
        "four_fifths_rule_passed"
    );
    let r = audit_json(
        &[COMPAS, "-g", "race", "--fail-if", "overall:accuracy < 0.6"],
        0,
    );
    assert_eq!(r["gates"][0]["checked"], 1);
}

#[test]
fn undefined_values_fail_gates() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "t.csv", "y,p,g\n0,1,a\n0,0,a\n1,1,b\n");
    let r = audit_json(
        &[&f, "-g", "g", "--fail-if", "g=a:true_positive_rate < 0.5"],
        1,
    );
    let fl = &r["gates"][0]["failures"][0];
    assert!(fl["value"].is_null());
    assert!(fl["undefined"]
        .as_str()
        .unwrap()
        .contains("no positive labels"));
}

#[test]
fn formats_render_the_same_numbers() {
    let out = bin()
        .args(["audit-fairness", COMPAS, "-g", "race", "--format", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(
        rdr.headers().unwrap(),
        vec!["file", "attribute", "group", "metric", "value", "note"]
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let find = |g: &str, m: &str| {
        rows.iter()
            .find(|r| &r[2] == g && &r[3] == m)
            .map(|r| r[4].to_string())
    };
    let json = audit_json(&[COMPAS, "-g", "race"], 0);
    let want = metric(group(attr(&json, "race"), "Asian"), "true_positive_rate").unwrap();
    assert_eq!(
        find("Asian", "true_positive_rate")
            .unwrap()
            .parse::<f64>()
            .unwrap(),
        want
    );
    assert_eq!(
        find("", "demographic_parity_difference")
            .unwrap()
            .parse::<f64>()
            .unwrap(),
        disp(attr(&json, "race"), "demographic_parity_difference").unwrap()
    );

    bin()
        .args([
            "audit-fairness",
            COMPAS,
            "-g",
            "race",
            "--format",
            "markdown",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains("| group | n | share |"))
        .stdout(predicate::str::contains(
            "| African-American | 3,696 | 0.5123 |",
        ))
        .stdout(predicate::str::contains("## race"));

    // Undefined values are `—` in tables, with the reason.
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "t.csv", "y,p,g\n0,1,a\n0,0,a\n1,1,b\n");
    bin()
        .args(["audit-fairness", &f, "-g", "g"])
        .assert()
        .success()
        .stdout(predicate::str::contains("—"))
        .stdout(
            predicate::str::contains("tpr of a")
                .and(predicate::str::contains("no positive labels")),
        );
}

#[test]
fn several_files_one_report() {
    let r = audit_json(&[COMPAS, "fixtures/adult.csv", "-g", "race"], 0);
    assert_eq!(r["inputs"].as_array().unwrap().len(), 2);
    let files: Vec<&str> = r["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, [COMPAS, "fixtures/adult.csv"]);
    // Each file's numbers equal a run on that file alone.
    let alone = audit_json(&["fixtures/adult.csv", "-g", "race"], 0);
    assert_eq!(
        r["attributes"][1]["disparities"],
        alone["attributes"][0]["disparities"]
    );
    // Shell-style patterns are expanded when the shell did not.
    let g = audit_json(
        &["fixtures/adult*.csv", "-g", "race", "--score", "score"],
        0,
    );
    assert_eq!(g["inputs"].as_array().unwrap().len(), 2);
    bin()
        .args(["audit-fairness", COMPAS, "fixtures/adult.csv", "-g", "race"])
        .assert()
        .success()
        .stdout(predicate::str::contains("race — fixtures/adult.csv"))
        // Each attribute's title names its file (the group table has no file column).
        .stdout(predicate::str::contains("race — fixtures/compas.csv"));
}

#[test]
fn stdin_and_output_file() {
    let csv = std::fs::read_to_string(common::root().join(COMPAS)).unwrap();
    let out = bin()
        .args(["audit-fairness", "-", "-g", "race", "--json"])
        .write_stdin(csv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let from_stdin: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let from_file = audit_json(&[COMPAS, "-g", "race"], 0);
    assert_eq!(
        from_stdin["attributes"][0]["groups"],
        from_file["attributes"][0]["groups"]
    );
    assert_eq!(from_stdin["inputs"][0]["path"], "-");

    let d = TempDir::new().unwrap();
    let target = d.path().join("report.json");
    bin()
        .args(["audit-fairness", COMPAS, "-g", "race", "--json", "-o"])
        .arg(&target)
        .assert()
        .success()
        .stdout(predicate::str::is_empty());
    let written: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(written["attributes"], from_file["attributes"]);
    // A failed run leaves no file behind.
    let bad = d.path().join("bad.json");
    bin()
        .args(["audit-fairness", COMPAS, "-g", "nope", "-o"])
        .arg(&bad)
        .assert()
        .code(2);
    assert!(!bad.exists());
    assert_eq!(std::fs::read_dir(d.path()).unwrap().count(), 1);
}

#[test]
fn identical_json_whatever_the_threads() {
    let run = |threads: &str| {
        let out = bin()
            .env("POLARS_MAX_THREADS", threads)
            .args([
                "audit-fairness",
                "fixtures/adult_weighted.csv",
                "-g",
                "race",
                "-g",
                "gender",
            ])
            .args(["--weight", "weight", "--json"])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    assert_eq!(one, run("2"));
}

#[test]
fn completions_and_man_page_are_current() {
    for (shell, file) in [
        ("bash", "fairaudit.bash"),
        ("zsh", "_fairaudit"),
        ("fish", "fairaudit.fish"),
    ] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let committed = std::fs::read(common::root().join("completions").join(file))
            .unwrap_or_else(|_| panic!("completions/{file} missing: run scripts/generate.sh"));
        assert!(
            committed == out.stdout,
            "completions/{file} is stale: run scripts/generate.sh"
        );
    }
    let out = bin().arg("man").output().unwrap();
    let committed = std::fs::read(common::root().join("man/fairaudit.1")).expect("man/fairaudit.1");
    assert!(
        committed == out.stdout,
        "man/fairaudit.1 is stale: run scripts/generate.sh"
    );
}

#[test]
fn allocate_without_a_mode_shows_its_usage() {
    bin()
        .arg("allocate")
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "Usage: fairaudit allocate <COMMAND>",
        ));
}

#[test]
fn tables_show_reference_conditional_and_sweep_views() {
    bin()
        .args([
            "audit-fairness",
            "fixtures/compas_scores.csv",
            "-g",
            "race",
            "--score",
            "proba",
        ])
        .args([
            "--reference",
            "Caucasian",
            "--condition",
            "sex",
            "--threshold",
            "0.4,0.6",
        ])
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "race: ratio to the reference group Caucasian (given)",
        ))
        .stdout(predicate::str::contains(
            "selection rate within strata of sex",
        ))
        .stdout(predicate::str::contains("threshold sweep"))
        .stdout(predicate::str::contains("0.0111 ✗"));
}

#[test]
fn csv_carries_the_optional_views() {
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas_scores.csv",
            "-g",
            "race",
            "--score",
            "proba",
            "--format",
            "csv",
        ])
        .args([
            "--reference",
            "Caucasian",
            "--condition",
            "sex",
            "--bootstrap",
            "50",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.unwrap()).collect();
    let has = |group: &str, metric: &str| rows.iter().any(|r| &r[2] == group && &r[3] == metric);
    assert!(has("Asian", "selection_rate.ratio_to_reference"));
    assert!(has("Asian", "selection_rate.p_value"));
    assert!(has("Asian", "selection_rate.bootstrap_upper"));
    assert!(has("", "demographic_parity_difference.bootstrap_lower"));
    assert!(has("Asian|Caucasian", "xauc"));
    assert!(has("sex=Female", "selection_rate_difference"));
    assert!(has("", "conditional_demographic_parity_difference"));
}

/// Every example in the help texts that uses only shipped files runs (exit 0, or 1 for a gate).
#[test]
fn help_examples_run() {
    let helps: Vec<Vec<&str>> = vec![
        vec!["audit-fairness"],
        vec!["audit-reward"],
        vec!["allocate", "items"],
        vec!["allocate", "check"],
        vec!["allocate", "shapley"],
        vec!["allocate", "pb"],
    ];
    let mut ran = 0;
    for cmd in helps {
        let out = bin().args(&cmd).arg("--help").output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout).replace("\\\n", " ");
        for line in text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("fairaudit "))
        {
            let words = split_words(line);
            let files: Vec<&String> = words
                .iter()
                .filter(|w| {
                    [".csv", ".json", ".jsonl", ".pb", ".parquet"]
                        .iter()
                        .any(|e| w.ends_with(e))
                })
                .collect();
            // Only examples whose inputs all ship with the repository (outputs go to a temp dir).
            let inputs_exist = files.iter().all(|f| {
                root().join(f).exists() || f.contains("suspect") || f.contains("allocation.csv")
            });
            if files.is_empty() || !inputs_exist || line.contains('|') {
                continue;
            }
            let dir = tempfile::TempDir::new().unwrap();
            // A file that does not ship (a CSV side file, or any -o report) goes to the temp dir.
            let args: Vec<String> = words[1..]
                .iter()
                .enumerate()
                .map(|(i, w)| {
                    let output = matches!(words[i].as_str(), "-o" | "--output");
                    if root().join(w).exists() || !(output || w.ends_with(".csv")) {
                        w.clone()
                    } else {
                        dir.path().join(w).to_string_lossy().into_owned()
                    }
                })
                .collect();
            let out = bin().args(&args).arg("-q").output().unwrap();
            assert!(
                matches!(out.status.code(), Some(0) | Some(1)),
                "example failed: {line}\n{}",
                String::from_utf8_lossy(&out.stderr)
            );
            ran += 1;
        }
    }
    assert!(ran >= 12, "ran {ran} examples");
}

/// Shell-like words: spaces split, single quotes group.
fn split_words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in line.chars() {
        match ch {
            '\'' => quoted = !quoted,
            ' ' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn sql_refuses_flag_combinations_without_a_query() {
    let base = ["--table", "t", "--label", "y"];
    for (extra, says) in [
        (vec!["--dialect", "duckdb", "--pred", "p"], "--group COL"),
        (
            vec!["--dialect", "duckdb", "--group", "race"],
            "give the prediction as --pred COL",
        ),
        (
            vec![
                "--dialect",
                "bigquery",
                "--group",
                "race",
                "--score",
                "p",
                "--score-type",
                "float32",
            ],
            "BigQuery has no 32-bit float type",
        ),
    ] {
        let err = common::engine_error("sql", &[&base[..], &extra[..]].concat());
        assert!(err.contains(says), "{extra:?}: {err}");
    }
}

/// A gate checks every attribute that could have the value: where one lacks it (an intersection
/// over 50 groups has no xAUC; a file without scores has no score disparities) the value is
/// undefined and the gate fails, as it did before the flat view (found by differential testing).
#[test]
fn gates_fail_on_attributes_that_lack_the_value() {
    let r = audit_json(
        &[
            "fixtures/adult.csv",
            "--group",
            "education",
            "--group",
            "race",
            "--score",
            "score",
            "--fail-if",
            "xauc_max_gap > 0.9",
        ],
        1,
    );
    let g = &r["gates"][0];
    assert_eq!(g["checked"], 3, "{g}");
    assert_eq!(g["failures"][0]["attribute"], "education&race");
    assert!(g["failures"][0]["value"].is_null());
    // compas.csv's 0/1 `score` is a decision (no score metrics); compas_scores.csv's `proba` is
    // a score: its file has an ROC AUC difference, the other's is undefined.
    let r = audit_json(
        &[
            "fixtures/compas.csv",
            "fixtures/compas_scores.csv",
            "--group",
            "race",
            "--fail-if",
            "roc_auc_difference > 0.5",
        ],
        1,
    );
    let g = &r["gates"][0];
    assert_eq!(g["checked"], 2, "{g}");
    assert_eq!(g["failures"][0]["file"], "fixtures/compas.csv", "{g}");
    assert!(g["failures"][0]["value"].is_null());
}
