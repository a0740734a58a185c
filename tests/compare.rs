//! `--baseline` and `--reference-decisions` (issue 17) against independent values: a pandas /
//! scipy / statsmodels computation on `fixtures/compare.csv` and `fixtures/compare_baseline.csv`
//! (`scripts/oracle_compare.py` → `tests/expected/compare/compare.json`), and hand-counted
//! cases.

mod common;

use common::{audit_error, audit_json, bin, root};
use serde_json::Value;

fn expected() -> Value {
    let path = root().join("tests/expected/compare/compare.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("expected file")).expect("JSON")
}

fn close(a: &Value, b: &Value, what: &str) {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => assert!(
            (x - y).abs() <= 1e-12 * y.abs().max(1e-300) + 1e-15,
            "{what}: fairaudit {x}, oracle {y}"
        ),
        _ => assert_eq!(
            a.is_null(),
            b.is_null(),
            "{what}: fairaudit {a}, oracle {b}"
        ),
    }
}

/// The comparison's group `name` of attribute `attr` ("overall" for the overall figures).
fn compared<'a>(c: &'a Value, attr: &str, name: &str) -> &'a Value {
    if attr == "overall" {
        return &c["overall"];
    }
    let a = c["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == attr)
        .unwrap_or_else(|| panic!("attribute {attr}"));
    a["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == name)
        .unwrap_or_else(|| panic!("group {name} of {attr}"))
}

/// Every group (and overall) of the oracle's part `part`: flips, rates, McNemar, Holm, changes.
fn check_against(report: &Value, part: &Value, what: &str) {
    let c = &report["comparisons"][0];
    let metric_names = [
        ("selection_rate", "selection_rate"),
        ("true_positive_rate", "true_positive_rate"),
        ("false_positive_rate", "false_positive_rate"),
        ("accuracy", "accuracy"),
        ("precision", "positive_predictive_value"),
    ];
    let mut checked = 0;
    for (attr, groups) in part["groups"].as_object().unwrap() {
        let groups: Vec<(String, &Value)> = if attr == "overall" {
            vec![("overall".to_string(), groups)]
        } else {
            groups
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.clone(), v))
                .collect()
        };
        for (name, o) in groups {
            let g = compared(c, attr, &name);
            let at = format!("{what} {attr}={name}");
            assert_eq!(g["n"], o["n"], "{at} n");
            assert_eq!(g["flips"].as_f64(), o["flips"].as_f64(), "{at} flips");
            assert_eq!(
                g["positive_to_negative"].as_f64(),
                o["positive_to_negative"].as_f64(),
                "{at}"
            );
            assert_eq!(
                g["negative_to_positive"].as_f64(),
                o["negative_to_positive"].as_f64(),
                "{at}"
            );
            for k in [
                "flip_rate",
                "positive_to_negative_rate",
                "negative_to_positive_rate",
            ] {
                close(&g["metrics"][k], &o[k], &format!("{at} {k}"));
            }
            // TFMA's rates over all rows.
            let tfma = &o["tfma"]["boolean_flip_rates"];
            close(
                &g["metrics"]["positive_to_negative_share"],
                &tfma["pos_to_neg_flip_rate"],
                &format!("{at} TFMA pos_to_neg"),
            );
            close(
                &g["metrics"]["negative_to_positive_share"],
                &tfma["neg_to_pos_flip_rate"],
                &format!("{at} TFMA neg_to_pos"),
            );
            let m = &o["mcnemar"];
            assert_eq!(g["only_audited_correct"], m["b"], "{at} McNemar b");
            assert_eq!(g["only_baseline_correct"], m["c"], "{at} McNemar c");
            // scipy's binomtest and ours sum the same binomial terms, in another order.
            let (p, q) = (
                g["metrics"]["mcnemar_p_value"].as_f64().unwrap(),
                m["p_value"].as_f64().unwrap(),
            );
            assert!((p - q).abs() <= 1e-9 * q, "{at} McNemar p {p} vs {q}");
            if attr != "overall" {
                let (p, q) = (
                    g["metrics"]["mcnemar_p_value_holm"].as_f64().unwrap(),
                    m["holm_p_value"].as_f64().unwrap(),
                );
                assert!((p - q).abs() <= 1e-9 * q, "{at} Holm p {p} vs {q}");
            }
            for (theirs, ours) in metric_names {
                close(
                    &g["delta"][ours],
                    &o["metrics"]["delta"][theirs],
                    &format!("{at} delta {ours}"),
                );
                close(
                    &g["baseline"][ours],
                    &o["metrics"]["baseline"][theirs],
                    &format!("{at} baseline {ours}"),
                );
            }
            checked += 1;
        }
    }
    assert_eq!(
        checked, 12,
        "overall + 3 race + 2 sex + 6 intersection groups"
    );
    for (attr, d) in part["disparities"].as_object().unwrap() {
        let a = c["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == attr.as_str())
            .unwrap();
        for (k, v) in d["delta"].as_object().unwrap() {
            close(&a["delta"][k], v, &format!("{what} {attr} delta {k}"));
            close(
                &a["baseline"][k],
                &d["baseline"][k],
                &format!("{what} {attr} baseline {k}"),
            );
        }
    }
}

/// `fairaudit audit-fairness fixtures/compare.csv --label label ARGS --json` (exit 0).
fn compare_csv(args: &[&str]) -> Value {
    let mut all = vec!["fixtures/compare.csv", "--label", "label"];
    all.extend(args);
    audit_json(&all, 0)
}

/// `args` is a usage error (exit 2, one line) whose message contains `needle`.
fn refused(args: &[&str], needle: &str) {
    let err = audit_error(args);
    assert!(err.contains(needle), "{args:?}: {err}");
}

const SAME_FILE: [&str; 10] = [
    "fixtures/compare.csv",
    "--label",
    "label",
    "--pred",
    "pred",
    "--baseline",
    "baseline_pred",
    "--group",
    "race",
    "--group",
];

fn same_file(extra: &[&str]) -> Value {
    let mut args = SAME_FILE.to_vec();
    args.push("sex");
    args.extend(extra);
    audit_json(&args, 0)
}

#[test]
fn flips_changes_and_mcnemar_equal_pandas_and_scipy() {
    let e = expected();
    let r = same_file(&[]);
    check_against(&r, &e["same_file"], "same file");
    let c = &r["comparisons"][0];
    assert_eq!(c["rows_compared"], 2400);
    assert_eq!(c["rows_left_out"], 0);
    // The audit itself is the audit without --baseline.
    let plain = compare_csv(&["--pred", "pred", "--group", "race", "--group", "sex"]);
    assert_eq!(r["attributes"], plain["attributes"]);
    assert_eq!(r["inputs"][0]["overall"], plain["inputs"][0]["overall"]);
}

#[test]
fn a_baseline_file_is_joined_on_the_id() {
    let e = expected();
    let args = [
        "fixtures/compare.csv",
        "--label",
        "label",
        "--pred",
        "pred",
        "--baseline-file",
        "fixtures/compare_baseline.csv",
        "--id",
        "id",
        "--max-unmatched",
        "8",
        "--group",
        "race",
        "--group",
        "sex",
    ];
    let r = audit_json(&args, 0);
    let j = &e["joined"];
    check_against(&r, j, "joined");
    let join = &r["inputs"][0]["columns"]["others"][0]["join"];
    assert_eq!(join["matched"], j["rows_used"]);
    assert_eq!(join["unmatched"], j["candidate_rows_without_baseline"]);
    assert_eq!(
        join["baseline_unmatched"],
        j["baseline_ids_not_in_candidate"]
    );
    assert_eq!(join["baseline_duplicate_ids"], j["duplicated_ids"]);
    assert_eq!(join["rows_left_out"], 8);
    assert_eq!(r["comparisons"][0]["rows_compared"], j["rows_used"]);
    // One more unmatched row than allowed: an error naming the counts and the flag.
    let mut strict = args.to_vec();
    strict[10] = "7";
    let err = audit_error(&strict);
    assert!(
        err.contains("8 of 2400 rows have no baseline decision"),
        "{err}"
    );
    assert!(err.contains("6 ids not in the baseline file"), "{err}");
    assert!(err.contains("'c00017'"), "{err}");
    assert!(err.contains("--max-unmatched 8"), "{err}");
    // A share: 8 of 2400 is 0.33%.
    strict[10] = "0.5%";
    audit_json(&strict, 0);
    strict[10] = "0.3%";
    audit_error(&strict);
}

#[test]
fn export_flips_lists_the_flipped_ids() {
    let e = expected();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("flips.csv");
    let mut args = SAME_FILE.to_vec();
    args.extend(["sex", "--id", "id", "--export-flips", out.to_str().unwrap()]);
    audit_json(&args, 0);
    let text = std::fs::read_to_string(&out).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some("row,id,race,sex,label,audited,baseline,flip")
    );
    let mut p2n: Vec<String> = Vec::new();
    let mut n2p: Vec<String> = Vec::new();
    for l in lines {
        let f: Vec<&str> = l.split(',').collect();
        // The row number is the data row: ids are c00001, c00002, ... in row order.
        assert_eq!(format!("c{:05}", f[0].parse::<u32>().unwrap()), f[1]);
        match f[7] {
            "positive_to_negative" => {
                assert_eq!((f[5], f[6]), ("0", "1"));
                p2n.push(f[1].into());
            }
            "negative_to_positive" => {
                assert_eq!((f[5], f[6]), ("1", "0"));
                n2p.push(f[1].into());
            }
            other => panic!("direction {other}"),
        }
    }
    let ids = &e["same_file"]["groups"]["overall"]["flipped_ids"];
    let list = |v: &Value| -> Vec<String> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(p2n, list(&ids["positive_to_negative"]));
    assert_eq!(n2p, list(&ids["negative_to_positive"]));
}

#[test]
fn gates_on_changes_flips_and_intervals() {
    // The oracle: equalized odds improves on race (−0.197) and worsens on sex (+0.026).
    let mut args = SAME_FILE.to_vec();
    args.extend(["sex", "--fail-if", "delta.equalized_odds_difference > 0.02"]);
    let out = bin()
        .arg("audit-fairness")
        .args(&args)
        .args(["--json", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    let failures = r["gates"][0]["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["attribute"], "sex");
    assert_eq!(r["gates"][0]["checked"], 3);
    // Scoped to race (a rate alias inside a change): passes.
    let r = same_file(&["--fail-if", "race:delta.equalized_odds_difference > 0.02"]);
    assert_eq!(r["gates"][0]["checked"], 1);
    let r = same_file(&["--fail-if", "race=Black:delta.fpr > 0"]);
    assert_eq!(r["gates"][0]["failures"], serde_json::json!([]));
    // An interval end needs --bootstrap, and says so.
    let mut args = SAME_FILE.to_vec();
    args.extend(["sex", "--fail-if", "race:delta.fpr.upper > 0.05"]);
    let err = audit_error(&args);
    assert!(err.contains("needs --bootstrap"), "{err}");
    // With it: the Black group's FPR falls by 0.209 — its whole interval is below 0.
    let r = same_file(&[
        "--bootstrap",
        "200",
        "--seed",
        "3",
        "--fail-if",
        "race=Black:delta.false_positive_rate.upper > 0",
    ]);
    assert_eq!(r["passed"], true);
    // Flip-rate gates read every group: Black's 14.6% fails 10%.
    let mut args = SAME_FILE.to_vec();
    args.extend(["sex", "--fail-if", "race:flip_rate > 0.1"]);
    let out = bin()
        .arg("audit-fairness")
        .args(&args)
        .args(["--json", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    // A change of a name that is not reported: did-you-mean.
    let mut args = SAME_FILE.to_vec();
    args.extend(["sex", "--fail-if", "delta.equalized_odds_diference > 0"]);
    let err = audit_error(&args);
    assert!(
        err.contains("did you mean 'delta.equalized_odds_difference'"),
        "{err}"
    );
}

#[test]
fn paired_bootstrap_is_seeded_and_brackets_the_change() {
    let a = same_file(&["--bootstrap", "300", "--seed", "11"]);
    let b = same_file(&["--bootstrap", "300", "--seed", "11"]);
    assert_eq!(a["comparisons"], b["comparisons"]);
    let race = &a["comparisons"][0]["attributes"][0];
    assert_eq!(race["name"], "race");
    for (k, iv) in race["delta_bootstrap"].as_object().unwrap() {
        let (lo, hi) = (iv[0].as_f64().unwrap(), iv[1].as_f64().unwrap());
        assert!(lo <= hi, "{k}");
    }
    let iv = &race["delta_bootstrap"]["demographic_parity_difference"];
    let d = race["delta"]["demographic_parity_difference"]
        .as_f64()
        .unwrap();
    assert!(iv[0].as_f64().unwrap() < d && d < iv[1].as_f64().unwrap());
    // Paired: the interval of the change is narrower than the two sides' intervals would
    // give if they were independent — here simply: it excludes 0 (the change is −0.116).
    assert!(iv[1].as_f64().unwrap() < 0.0);
}

#[test]
fn dominance_over_a_weak_and_a_strong_reference() {
    let e = &expected()["dominance"]["references"];
    for (reference, dominated) in [("human_weak", true), ("human_strong", false)] {
        let r = compare_csv(&[
            "--pred",
            "pred",
            "--group",
            "race",
            "--reference-decisions",
            reference,
            "--bootstrap",
            "300",
        ]);
        let d = &r["dominance"][0];
        let o = &e[reference];
        assert_eq!(d["dominates"], dominated, "{reference}");
        assert_eq!(d["dominates"], o["dominates"]);
        assert_eq!(d["rows_compared"], 2400);
        for m in d["measures"].as_array().unwrap() {
            let name = m["measure"].as_str().unwrap();
            let om = &o["measures"][name];
            close(
                &m["audited"],
                &om["candidate"],
                &format!("{reference} {name}"),
            );
            close(
                &m["reference"],
                &om["reference"],
                &format!("{reference} {name}"),
            );
            let better = m["better"]
                .as_str()
                .unwrap()
                .replace("audited", "candidate");
            assert_eq!(better, om["better"].as_str().unwrap(), "{reference} {name}");
        }
        // The margins are wide: the probability is that of the oracle's resampling, 1 or 0.
        let p = d["dominance_probability"].as_f64().unwrap();
        let q = o["bootstrap_probability_of_dominance_approx"]
            .as_f64()
            .unwrap();
        assert!((p - q).abs() < 0.02, "{reference}: {p} vs {q}");
    }
}

#[test]
fn dominance_gates_and_measures() {
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compare.csv",
            "--label",
            "label",
            "--pred",
            "pred",
            "--group",
            "race",
            "--reference-decisions",
            "human_strong",
            "--dominance-measures",
            "equalized_odds_difference",
            "--fail-if",
            "dominates < 1",
            "--json",
            "-q",
        ])
        .output()
        .unwrap();
    // On equalized odds alone the model is better (0.043 vs 0.185): the gate passes.
    assert_eq!(out.status.code(), Some(0));
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["dominance"][0]["measures"].as_array().unwrap().len(), 1);
    assert_eq!(r["dominance"][0]["dominates"], true);
    let err = audit_error(&[
        "fixtures/compare.csv",
        "--group",
        "race",
        "--reference-decisions",
        "human_strong",
        "--dominance-measures",
        "roc_auc_typo",
    ]);
    assert!(err.contains("'roc_auc_typo' is not a measure"), "{err}");
}

/// A hand-counted case: 8 rows, one group. (label, audited, baseline):
/// 1 1 1 · 1 0 1 · 1 1 0 · 0 0 0 · 0 1 0 · 0 0 1 · 0 0 1 · 1 1 1.
#[test]
fn hand_counted_flips_and_mcnemar() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("h.csv");
    std::fs::write(
        &f,
        "g,label,pred,base\na,1,1,1\na,1,0,1\na,1,1,0\na,0,0,0\na,0,1,0\na,0,0,1\na,0,0,1\na,1,1,1\n",
    )
    .unwrap();
    let r = audit_json(
        &[
            f.to_str().unwrap(),
            "--label",
            "label",
            "--pred",
            "pred",
            "--baseline",
            "base",
            "--group",
            "g",
        ],
        0,
    );
    let g = &r["comparisons"][0]["attributes"][0]["groups"][0];
    // Flips: rows 2 (1→0), 3 (0→1), 5 (0→1), 6 (1→0), 7 (1→0): 5 of 8.
    assert_eq!(g["flips"], 5.0);
    assert_eq!(g["metrics"]["flip_rate"], 0.625);
    // Baseline positives: rows 1, 2, 6, 7, 8 (5); positive → negative: 2, 6, 7 (3).
    assert_eq!(g["metrics"]["positive_to_negative_rate"], 0.6);
    // Baseline negatives: 3, 4, 5 (3); negative → positive: 3, 5 (2).
    assert_eq!(g["metrics"]["negative_to_positive_rate"], 2.0 / 3.0);
    // Right only by the audited: 3 (y1 p1 b0), 6, 7 (y0 p0 b1) → 3; only by the baseline:
    // 2 (y1 p0 b1), 5 (y0 p1 b0) → 2. Exact p = 2·P(X ≤ 2 | n=5, 1/2) = 2·16/32 → 1.
    assert_eq!(g["only_audited_correct"], 3);
    assert_eq!(g["only_baseline_correct"], 2);
    assert_eq!(g["metrics"]["mcnemar_p_value"], 1.0);
    // Accuracy: audited 6/8 (rows 1,3,4,6,7,8), baseline 5/8 (1,2,4,5,8): Δ = 0.125.
    assert_eq!(g["delta"]["accuracy"], 0.125);
}

#[test]
fn refusals_name_the_flags() {
    for (args, needle) in [
        (
            vec![
                "fixtures/compare.csv",
                "--group",
                "race",
                "--baseline-file",
                "fixtures/compare_baseline.csv",
            ],
            "pass --id COL",
        ),
        (
            vec![
                "fixtures/compare.csv",
                "--group",
                "race",
                "--export-flips",
                "x.csv",
            ],
            "pass --baseline COL",
        ),
        (
            vec!["fixtures/compare.csv", "--group", "race", "--id", "id"],
            "it needs --baseline",
        ),
        (
            vec![
                "fixtures/compare.csv",
                "--group",
                "race",
                "--baseline",
                "baseline_pred",
                "--top-k",
                "10",
                "--score",
                "score",
            ],
            "--baseline does not work with --top-k",
        ),
        (
            vec![
                "fixtures/compare.csv",
                "--group",
                "race",
                "--baseline",
                "nope",
            ],
            "nope",
        ),
        (
            vec![
                "fixtures/compare.csv",
                "--group",
                "race",
                "--dominance-measures",
                "accuracy",
            ],
            "pass --reference-decisions COL",
        ),
        (
            vec![
                "fixtures/compare.csv",
                "--group",
                "race",
                "--baseline",
                "baseline_pred",
                "--max-unmatched",
                "abc",
            ],
            "a number of rows",
        ),
    ] {
        refused(&args, needle);
    }
}

#[test]
fn a_score_baseline_is_thresholded_and_its_score_metrics_change() {
    let e = &expected()["score_baseline"]["groups"];
    let r = compare_csv(&[
        "--score",
        "score",
        "--baseline",
        "baseline_score",
        "--group",
        "race",
    ]);
    let c = &r["comparisons"][0];
    assert_eq!(r["inputs"][0]["columns"]["others"][0]["threshold"], 0.5);
    // The fixture's decision columns are these scores at 0.5: the same flips as the 0/1 columns.
    let d = compare_csv(&[
        "--pred",
        "pred",
        "--baseline",
        "baseline_pred",
        "--group",
        "race",
    ]);
    assert_eq!(
        c["attributes"][0]["groups"][0]["metrics"],
        d["comparisons"][0]["attributes"][0]["groups"][0]["metrics"]
    );
    for (name, o) in e.as_object().unwrap() {
        let g = match name.strip_prefix("race=") {
            Some(group) => compared(c, "race", group),
            None => &c["overall"],
        };
        for k in ["roc_auc", "brier_score"] {
            close(&g["delta"][k], &o[k]["delta"], &format!("{name} delta {k}"));
            close(
                &g["baseline"][k],
                &o[k]["baseline"],
                &format!("{name} baseline {k}"),
            );
        }
    }
}

/// A small file: (g, label, pred, base) with a missing baseline value and Y/N decisions.
fn small_file(dir: &tempfile::TempDir) -> String {
    let f = dir.path().join("s.csv");
    std::fs::write(
        &f,
        "id,g,label,pred,base,yn\n1,a,1,1,0,N\n2,a,0,1,1,Y\n3,b,1,0,,N\n4,b,0,0,1,Y\n5,,1,1,0,N\n",
    )
    .unwrap();
    f.to_str().unwrap().to_string()
}

#[test]
fn rows_without_a_baseline_decision_are_counted_and_limited() {
    let dir = tempfile::tempdir().unwrap();
    let f = small_file(&dir);
    let base = ["--label", "label", "--pred", "pred", "--group", "g"];
    let mut args = vec![f.as_str()];
    args.extend(base);
    args.extend(["--baseline", "base"]);
    // Default: every row needs one.
    let err = audit_error(&args);
    assert!(
        err.contains("1 of 5 rows have no baseline decision in 'base'"),
        "{err}"
    );
    assert!(err.contains("--max-unmatched 1"), "{err}");
    args.extend(["--max-unmatched", "1"]);
    let r = audit_json(&args, 0);
    let c = &r["comparisons"][0];
    assert_eq!(c["rows_compared"], 4);
    assert_eq!(c["rows_left_out"], 1);
    // The audit keeps all five rows.
    assert_eq!(r["inputs"][0]["overall"]["n"], 5);
    // Flips over the four compared rows: ids 1 (0→1), 4 (1→0), 5 (0→1).
    assert_eq!(c["overall"]["flips"], 3.0);
    // With --missing drop the row without a group leaves the audit and the flips file.
    let out = dir.path().join("flips.csv");
    let mut drop = args.clone();
    drop.extend([
        "--missing",
        "drop",
        "--id",
        "id",
        "--export-flips",
        out.to_str().unwrap(),
    ]);
    let r = audit_json(&drop, 0);
    assert_eq!(r["comparisons"][0]["overall"]["flips"], 2.0);
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}");
    assert!(!text.contains("\n5,5,"), "{text}");
    // Never over an input.
    let mut onto = args.clone();
    onto.extend(["--id", "id", "--export-flips", f.as_str()]);
    assert!(audit_error(&onto).contains("that is an input file"));
}

#[test]
fn a_baseline_with_its_own_positive_value() {
    let dir = tempfile::tempdir().unwrap();
    let f = small_file(&dir);
    let args = [
        f.as_str(),
        "--label",
        "label",
        "--pred",
        "pred",
        "--group",
        "g",
        "--baseline",
        "yn",
    ];
    // Y / N without a positive value: not binary, and the message says what to pass.
    let err = audit_error(&args);
    assert!(err.contains("--baseline-positive"), "{err}");
    let mut named = args.to_vec();
    named.extend(["--baseline-positive", "Y"]);
    let r = audit_json(&named, 0);
    // yn = base with N for the missing value: flips at ids 1, 4, 5 and 3 (pred 0, N → no).
    assert_eq!(r["comparisons"][0]["overall"]["flips"], 3.0);
    // A positive value that never occurs: a warning.
    let mut never = args.to_vec();
    never.extend(["--baseline-positive", "yes"]);
    let r = audit_json(&never, 0);
    let warned = r["warnings"].as_array().unwrap().iter().any(|w| {
        w["message"]
            .as_str()
            .unwrap()
            .contains("'yes' never occurs in the --baseline column 'yn'")
    });
    assert!(warned, "{}", r["warnings"]);
}

#[test]
fn more_refusals_and_usage_errors() {
    let c = "fixtures/compare.csv";
    for (args, needle) in [
        (
            vec![
                c,
                "--label",
                "label",
                "--pred",
                "pred",
                "--group",
                "race",
                "--baseline",
                "pred",
            ],
            "is the audited prediction",
        ),
        (
            vec![
                c,
                "--label",
                "label",
                "--pred",
                "pred",
                "--group",
                "race",
                "--reference-decisions",
                "label",
            ],
            "is the label",
        ),
        (
            vec![
                c,
                "--label",
                "label",
                "--pred",
                "pred",
                "--score",
                "score",
                "--group",
                "race",
                "--baseline",
                "baseline_score",
            ],
            "audit --score COL without --pred",
        ),
        (
            vec![
                c,
                "--label",
                "label",
                "--pred",
                "pred",
                "--group",
                "race",
                "--reference-decisions",
                "human_weak",
                "--dominance-measures",
                "equalized_odd_difference",
            ],
            "did you mean 'equalized_odds_difference'",
        ),
        (
            vec![
                c,
                "--label",
                "label",
                "--pred",
                "pred",
                "--group",
                "race",
                "--reference-decisions",
                "human_weak",
                "--dominance-measures",
                "race:accuracy",
            ],
            "takes no scope",
        ),
        (
            vec![
                c,
                "--pred",
                "pred",
                "--no-label",
                "--group",
                "race",
                "--reference-decisions",
                "human_weak",
            ],
            "(one of the default measures) needs the label",
        ),
        (
            vec![
                c,
                "--pred",
                "pred",
                "--no-label",
                "--group",
                "race",
                "--baseline",
                "baseline_pred",
                "--fail-if",
                "mcnemar_p_value < 0.05",
            ],
            "needs the label",
        ),
        (
            vec![
                c,
                "--label",
                "label",
                "--pred",
                "pred",
                "--group",
                "race",
                "--reference-decisions",
                "human_weak",
                "--fail-if",
                "race:dominates < 1",
            ],
            "drop the scope",
        ),
        (
            vec![
                c,
                "--label",
                "label",
                "--pred",
                "pred",
                "--group",
                "race",
                "--max-unmatched",
                "3",
            ],
            "it needs --baseline",
        ),
    ] {
        refused(&args, needle);
    }
}

#[test]
fn overall_changes_have_paired_intervals_and_csv_has_the_counts() {
    let r = same_file(&["--bootstrap", "100", "--seed", "5"]);
    let o = &r["comparisons"][0]["overall"];
    let iv = &o["delta_bootstrap"]["accuracy"];
    let d = o["delta"]["accuracy"].as_f64().unwrap();
    assert!(iv[0].as_f64().unwrap() <= d && d <= iv[1].as_f64().unwrap());
    let out = bin()
        .args(["audit-fairness"])
        .args(SAME_FILE)
        .args(["sex", "--format", "csv"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    // The oracle's Black group: 118 rows only the audited decision gets right, 135 flips.
    assert!(
        text.contains("fixtures/compare.csv,race,Black,only_audited_correct,118.0,"),
        "{text}"
    );
    assert!(text.contains("fixtures/compare.csv,race,Black,flips,135.0,"));
    assert!(
        text.contains(",,(overall),mcnemar_p_value_holm,,the overall test is in no Holm family")
    );
}

#[test]
fn the_report_never_replaces_an_input() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("c.csv");
    std::fs::copy(root().join("fixtures/compare.csv"), &f).unwrap();
    let before = std::fs::read(&f).unwrap();
    let err = audit_error(&[
        f.to_str().unwrap(),
        "--label",
        "label",
        "--pred",
        "pred",
        "--group",
        "race",
        "--baseline",
        "baseline_pred",
        "-o",
        f.to_str().unwrap(),
    ]);
    assert!(err.contains("that is an input file"), "{err}");
    assert_eq!(std::fs::read(&f).unwrap(), before);
}

#[test]
fn score_metric_changes_get_paired_intervals() {
    let e = &expected()["score_baseline"]["black_roc_auc_delta_paired_interval_approx"]["interval"];
    let r = compare_csv(&[
        "--score",
        "score",
        "--baseline",
        "baseline_score",
        "--group",
        "race",
        "--bootstrap",
        "1000",
        "--seed",
        "9",
    ]);
    let g = compared(&r["comparisons"][0], "race", "Black");
    let iv = &g["delta_bootstrap"]["roc_auc"];
    // Both are percentile intervals of the same paired resampling, with different RNGs: the
    // ends agree within Monte Carlo error (about 0.002 here).
    for end in 0..2 {
        let (ours, numpy) = (iv[end].as_f64().unwrap(), e[end].as_f64().unwrap());
        assert!(
            (ours - numpy).abs() < 0.006,
            "end {end}: {ours} vs numpy {numpy}"
        );
    }
}

/// Real-file variants of the handed reading cases, through `--baseline`: float32 scores at the
/// threshold (compared in float32), ids wider than 64 bits joined as text, R's TRUE / FALSE / NA.
#[test]
fn baselines_from_real_file_shapes() {
    use polars::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    let flips = |r: &Value| {
        let o = &r["comparisons"][0]["overall"];
        (
            o["positive_to_negative"].as_f64().unwrap(),
            o["negative_to_positive"].as_f64().unwrap(),
        )
    };
    // float32: 0.7f32 >= 0.7 holds in float32 (as numpy compares), not once widened to f64.
    // Decisions: audited [1, 0, 0, 1], baseline [1, 1, 0, 0] → rows 2 (1→0) and 4 (0→1).
    let pq = dir.path().join("f32.parquet");
    let mut df = df!(
        "y_true" => [1i64, 0, 1, 0],
        "score" => [0.7f32, 0.2, 0.69, 0.7],
        "base" => [0.7f32, 0.7, 0.2, 0.2],
        "g" => ["a", "a", "b", "b"]
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .finish(&mut df)
        .unwrap();
    let r = audit_json(
        &[
            pq.to_str().unwrap(),
            "--label",
            "y_true",
            "--score",
            "score",
            "--threshold",
            "0.7",
            "--baseline",
            "base",
            "--group",
            "g",
        ],
        0,
    );
    assert_eq!(flips(&r), (1.0, 1.0));
    assert_eq!(r["comparisons"][0]["overall"]["n"], 4);
    // Ids past 2^64 (two of them differ in the last digit): joined exactly, none repeated.
    let a = dir.path().join("a.ndjson");
    let b = dir.path().join("b.ndjson");
    std::fs::write(
        &a,
        "{\"id\":12345678901234567891,\"y\":1,\"p\":1,\"g\":\"a\"}\n{\"id\":12345678901234567892,\"y\":0,\"p\":1,\"g\":\"a\"}\n{\"id\":5,\"y\":1,\"p\":0,\"g\":\"b\"}\n",
    )
    .unwrap();
    std::fs::write(
        &b,
        "{\"id\":5,\"p\":1}\n{\"id\":12345678901234567892,\"p\":0}\n{\"id\":12345678901234567891,\"p\":1}\n",
    )
    .unwrap();
    let r = audit_json(
        &[
            a.to_str().unwrap(),
            "--label",
            "y",
            "--pred",
            "p",
            "--baseline-file",
            b.to_str().unwrap(),
            "--id",
            "id",
            "--group",
            "g",
        ],
        0,
    );
    let join = &r["inputs"][0]["columns"]["others"][0]["join"];
    assert_eq!(join["matched"], 3);
    assert_eq!(join["duplicate_ids"], 0);
    // ...892: 0 → 1; 5: 1 → 0.
    assert_eq!(flips(&r), (1.0, 1.0));
    // R's write.csv: TRUE / FALSE / NA; the NA row is left out (and allowed).
    let f = dir.path().join("r.csv");
    std::fs::write(
        &f,
        "\"y_true\",\"y_pred\",\"base\",\"g\"\nTRUE,TRUE,FALSE,\"a\"\nFALSE,FALSE,NA,\"a\"\nTRUE,FALSE,TRUE,\"b\"\nFALSE,TRUE,TRUE,\"b\"\n",
    )
    .unwrap();
    let r = audit_json(
        &[
            f.to_str().unwrap(),
            "--baseline",
            "base",
            "--group",
            "g",
            "--max-unmatched",
            "1",
        ],
        0,
    );
    // Compared rows 1, 3, 4: 1 is 0 → 1, 3 is 1 → 0, 4 the same decision.
    assert_eq!(flips(&r), (1.0, 1.0));
    assert_eq!(r["comparisons"][0]["rows_left_out"], 1);
}
