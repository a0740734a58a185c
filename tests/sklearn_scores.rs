//! ROC AUC, Brier score and log loss per group and overall equal scikit-learn's to 1e-9
//! and Borkan's BPSN / BNSP AUCs (expected values: tests/expected/sklearn_scores.json, from
//! scripts/oracle_sklearn.py), with
//! and without weights, heavy ties (scores rounded to 0.01, and 0/1 scores), intersections.

mod common;

use common::*;
use serde_json::Value;

fn same(what: &str, ours: &Value, theirs: &Value, failures: &mut Vec<String>) {
    match (ours.as_f64(), theirs.as_f64()) {
        (Some(a), Some(b)) if close(a, b, 1e-9) => {}
        (None, None) if ours.is_null() && theirs.is_null() => {}
        _ => failures.push(format!("{what}: fairaudit {ours} vs scikit-learn {theirs}")),
    }
}

#[test]
fn score_metrics_equal_scikit_learn() {
    let text = std::fs::read_to_string(root().join("tests/expected/sklearn_scores.json")).unwrap();
    let exp: Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in exp["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let mut args = vec![case["file"].as_str().unwrap()];
        args.extend(
            case["args"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a.as_str().unwrap()),
        );
        let r = audit_json(&args, 0);
        for m in ["roc_auc", "brier_score", "log_loss"] {
            same(
                &format!("{name} overall {m}"),
                &r["inputs"][0]["overall"]["metrics"][m],
                &case["overall"][m],
                &mut failures,
            );
            compared += 1;
        }
        for (attr_name, want_attr) in case["attributes"].as_object().unwrap() {
            let groups = &want_attr["groups"];
            let a = attr(&r, attr_name);
            let n = groups.as_object().unwrap().len();
            assert_eq!(
                a["xauc"].as_array().unwrap().len(),
                n * (n - 1),
                "{name} {attr_name}: every ordered pair"
            );
            for pair in a["xauc"].as_array().unwrap() {
                let key = format!(
                    "{}|{}",
                    pair["positive_group"].as_str().unwrap(),
                    pair["negative_group"].as_str().unwrap()
                );
                same(
                    &format!("{name} {attr_name} xauc {key}"),
                    &pair["xauc"],
                    &want_attr["xauc"][&key],
                    &mut failures,
                );
                compared += 1;
            }
            assert_eq!(
                a["groups"].as_array().unwrap().len(),
                groups.as_object().unwrap().len(),
                "{name} {attr_name}"
            );
            for (g, want) in groups.as_object().unwrap() {
                let got = group(a, g);
                for m in ["roc_auc", "brier_score", "log_loss", "bpsn_auc", "bnsp_auc"] {
                    same(
                        &format!("{name} {attr_name} {g} {m}"),
                        &got["metrics"][m],
                        &want[m],
                        &mut failures,
                    );
                    compared += 1;
                    if want[m].is_null() {
                        assert!(got["undefined"][m].is_string(), "{name} {g} {m}: reason");
                    }
                }
            }
            // Disparities of score metrics exist like any other metric's.
            assert!(
                a["disparities"]["roc_auc_difference"].is_number()
                    || a["disparities"]["roc_auc_difference"].is_null()
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared > 80, "{compared}");
}

#[test]
fn score_disparities_and_gates() {
    let d = tempfile::TempDir::new().unwrap();
    // a: perfect ranking (AUC 1); b: reversed (AUC 0).
    let f = write(
        d.path(),
        "t.csv",
        "y,s,g\n1,0.9,a\n0,0.2,a\n1,0.3,b\n0,0.8,b\n",
    );
    let r = audit_json(
        &[
            &f,
            "--label",
            "y",
            "--score",
            "s",
            "-g",
            "g",
            "--fail-if",
            "roc_auc < 0.5",
        ],
        1,
    );
    let g = attr(&r, "g");
    assert_eq!(metric(group(g, "a"), "roc_auc"), Some(1.0));
    assert_eq!(metric(group(g, "b"), "roc_auc"), Some(0.0));
    assert_eq!(disp(g, "roc_auc_difference"), Some(1.0));
    assert_eq!(disp(g, "roc_auc_ratio"), Some(0.0));
    assert_eq!(r["gates"][0]["failures"][0]["group"], "b");
    // --pred and --score together: binary metrics from the prediction, score metrics from the score.
    let f2 = write(
        d.path(),
        "t2.csv",
        "y,p,s,g\n1,0,0.9,a\n0,0,0.2,a\n1,1,0.3,b\n0,1,0.8,b\n",
    );
    let r = audit_json(
        &[
            &f2, "--label", "y", "--pred", "p", "--score", "s", "-g", "g",
        ],
        0,
    );
    let g = attr(&r, "g");
    assert_eq!(metric(group(g, "a"), "selection_rate"), Some(0.0));
    assert_eq!(metric(group(g, "a"), "roc_auc"), Some(1.0));
    // Without a score, no score metrics at all.
    let r = audit_json(&[&f2, "--label", "y", "--pred", "p", "-g", "g"], 0);
    assert!(group(attr(&r, "g"), "a")["metrics"]
        .get("roc_auc")
        .is_none());
}

#[test]
fn expected_calibration_error_by_hand() {
    let d = tempfile::TempDir::new().unwrap();
    // Equal width, 2 bins: [0, 0.5) has 0.1 (y 0), 0.3 (y 1): mean score 0.2, positives 0.5;
    // [0.5, 1] has 0.6, 0.8, 1.0 (y 1, 1, 0): mean 0.8, positives 2/3.
    // ECE = 2/5 · 0.3 + 3/5 · (0.8 − 2/3) = 0.2
    let f = write(
        d.path(),
        "t.csv",
        "y,s,g\n0,0.1,a\n1,0.3,a\n1,0.6,a\n1,0.8,a\n0,1.0,a\n",
    );
    let r = audit_json(
        &[&f, "--label", "y", "--score", "s", "-g", "g", "--bins", "2"],
        0,
    );
    let a = group(attr(&r, "g"), "a");
    assert!(close(
        metric(a, "expected_calibration_error").unwrap(),
        0.2,
        1e-15
    ));
    let table = a["reliability"].as_array().unwrap();
    assert_eq!(table.len(), 2);
    assert_eq!(table[1]["rows"], 3);
    assert!(close(
        table[1]["fraction_positive"].as_f64().unwrap(),
        2.0 / 3.0,
        1e-15
    ));
    assert_eq!(r["settings"]["calibration_binning"], "equal_width");
    // Equal mass, 2 bins: row r of 5 goes to bin ⌊2r/5⌋, so (0.1, 0.3, 0.6 | 0, 1, 1): mean 1/3,
    // positives 2/3; (0.8, 1.0 | 1, 0): mean 0.9, positives 0.5. ECE = 3/5 · 1/3 + 2/5 · 0.4 = 0.36
    let r = audit_json(
        &[
            &f,
            "--label",
            "y",
            "--score",
            "s",
            "-g",
            "g",
            "--bins",
            "2",
            "--binning",
            "equal-mass",
        ],
        0,
    );
    let a = group(attr(&r, "g"), "a");
    assert_eq!(a["reliability"][0]["rows"], 3);
    assert!(close(
        metric(a, "expected_calibration_error").unwrap(),
        0.36,
        1e-15
    ));
    assert!(r["inputs"][0]["overall"]["reliability"].is_array());
}

#[test]
fn threshold_sweep_equals_separate_runs() {
    let f = "fixtures/compas_scores.csv";
    let base = [
        "--label",
        "label_value",
        "--score",
        "proba",
        "-g",
        "race",
        "-g",
        "sex",
    ];
    let mut args = vec![f];
    args.extend(base);
    args.extend(["--threshold-sweep", "0.2:0.8:0.3"]);
    let r = audit_json(&args, 0);
    let ts: Vec<f64> = r["thresholds"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["threshold"].as_f64().unwrap())
        .collect();
    assert_eq!(ts, [0.2, 0.5, 0.8]);
    for t in r["thresholds"].as_array().unwrap() {
        let th = t["threshold"].as_f64().unwrap().to_string();
        let mut one = vec![f];
        one.extend(base);
        one.extend(["--threshold", &th]);
        let alone = audit_json(&one, 0);
        for (a, b) in t["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .zip(alone["attributes"].as_array().unwrap())
        {
            assert_eq!(a["name"], b["name"]);
            // Score metrics do not depend on the threshold: they are in the main report only.
            for (k, v) in a["disparities"].as_object().unwrap() {
                assert_eq!(v, &b["disparities"][k], "threshold {th} {} {k}", a["name"]);
            }
            assert!(a["disparities"].get("roc_auc_difference").is_none());
            for (ga, gb) in a["groups"]
                .as_array()
                .unwrap()
                .iter()
                .zip(b["groups"].as_array().unwrap())
            {
                assert_eq!(ga["counts"], gb["counts"]);
                assert_eq!(
                    ga["metrics"]["selection_rate"],
                    gb["metrics"]["selection_rate"]
                );
            }
        }
    }
    let e = audit_error(&[
        f,
        "-g",
        "race",
        "--score",
        "proba",
        "--threshold-sweep",
        "1:0:0.1",
    ]);
    assert!(e.contains("START <= STOP"), "{e}");
    let e = audit_error(&[
        "fixtures/compas.csv",
        "-g",
        "race",
        "--pred",
        "score",
        "--threshold-sweep",
        "0:1:0.5",
    ]);
    assert!(e.contains("--score"), "{e}");
}
