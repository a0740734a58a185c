//! Regression and multiclass audits against scikit-learn (expected values:
//! tests/expected/sklearn_tasks.json, from scripts/oracle_tasks.py), and how `--task auto`
//! chooses, on hand-built files.

mod common;

use common::*;
use serde_json::Value;

fn expected() -> Value {
    let text = std::fs::read_to_string(root().join("tests/expected/sklearn_tasks.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn args_of(case: &Value) -> Vec<String> {
    let mut args = vec![case["file"].as_str().unwrap().to_string()];
    args.extend(
        case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    args
}

/// Compares every key of `want` with `got[key]` (numbers to `tol` relative, nulls as nulls).
fn compare(what: &str, got: &Value, want: &Value, tol: f64, failures: &mut Vec<String>) -> usize {
    let mut n = 0;
    for (k, w) in want.as_object().unwrap() {
        let g = &got[k];
        let ok = match (g.as_f64(), w.as_f64()) {
            (Some(a), Some(b)) => close(a, b, tol * b.abs().max(1.0)),
            (None, None) => g.is_null() && w.is_null(),
            _ => false,
        };
        if !ok {
            failures.push(format!("{what} {k}: fairaudit {g} vs scikit-learn {w}"));
        }
        n += 1;
    }
    n
}

fn find<'a>(r: &'a Value, name: &str, class: Option<&str>) -> &'a Value {
    r["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name && class.is_none_or(|c| a["class"] == c))
        .unwrap_or_else(|| panic!("no attribute {name} {class:?}"))
}

#[test]
fn regression_equals_scikit_learn() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in expected()["regression"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let args = args_of(case);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = audit_json(&args, 0);
        assert_eq!(r["settings"]["task"], "regression", "{name}");
        compared += compare(
            &format!("{name} overall"),
            &r["inputs"][0]["overall"]["metrics"],
            &case["overall"],
            1e-9,
            &mut failures,
        );
        for (attr_name, groups) in case["attributes"].as_object().unwrap() {
            let a = find(&r, attr_name, None);
            let mut values: Vec<f64> = Vec::new();
            for (g, want) in groups.as_object().unwrap() {
                let got = &group(a, g)["metrics"];
                compared += compare(
                    &format!("{name} {attr_name}={g}"),
                    got,
                    want,
                    1e-9,
                    &mut failures,
                );
                values.push(want["mean_absolute_error"].as_f64().unwrap());
                assert!(
                    group(a, g)["counts"].is_null(),
                    "no confusion counts in regression"
                );
            }
            let spread = values.iter().cloned().fold(f64::MIN, f64::max)
                - values.iter().cloned().fold(f64::MAX, f64::min);
            let d = a["disparities"]["mean_absolute_error_difference"]
                .as_f64()
                .unwrap();
            assert!(
                close(d, spread, 1e-9),
                "{name} {attr_name}: MAE difference {d} vs {spread}"
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared > 150, "compared {compared}");
}

#[test]
fn multiclass_one_vs_rest_equals_scikit_learn() {
    let mut failures = Vec::new();
    let mut compared = 0;
    for case in expected()["multiclass"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let args = args_of(case);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let r = audit_json(&args, 0);
        assert_eq!(r["settings"]["task"], "multiclass");
        assert_eq!(r["settings"]["classes"], case["classes"]);
        let acc = r["inputs"][0]["overall"]["metrics"]["accuracy"]
            .as_f64()
            .unwrap();
        assert!(
            close(acc, case["accuracy"].as_f64().unwrap(), 1e-12),
            "{name} accuracy"
        );
        for (class, want) in case["per_class"].as_object().unwrap() {
            let overall = r["inputs"][0]["classes"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["class"] == class.as_str())
                .unwrap();
            let mut got = overall["overall"]["metrics"].clone();
            for (k, v) in overall["overall"]["counts"].as_object().unwrap() {
                got[k] = v.clone();
            }
            compared += compare(
                &format!("{name} {class} overall"),
                &got,
                &want["overall"],
                1e-12,
                &mut failures,
            );
            for (attr_name, groups) in want["attributes"].as_object().unwrap() {
                let a = find(&r, attr_name, Some(class));
                for (g, want) in groups.as_object().unwrap() {
                    let gr = group(a, g);
                    let mut got = gr["metrics"].clone();
                    for (k, v) in gr["counts"].as_object().unwrap() {
                        got[k] = v.clone();
                    }
                    compared += compare(
                        &format!("{name} {class} {attr_name}={g}"),
                        &got,
                        want,
                        1e-12,
                        &mut failures,
                    );
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared > 300, "compared {compared}");
}

fn write(dir: &tempfile::TempDir, name: &str, text: &str) -> String {
    let p = dir.path().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn auto_task_follows_the_values() {
    let dir = tempfile::tempdir().unwrap();
    // Non-integer numbers: regression, by hand: e = 1, 0, −2, 0 in group a; R² = 1 − 5/14.
    let f = write(
        &dir,
        "r.csv",
        "g,y,p\na,1,2\na,2,2\na,3,1\na,6,6\nb,1.5,1.5\nb,2.5,2.0\n",
    );
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "g"], 0);
    assert_eq!(r["settings"]["task"], "regression");
    assert!(r["settings"]["task_detected"]
        .as_str()
        .unwrap()
        .contains("non-integer"));
    let a = &group(attr(&r, "g"), "a")["metrics"];
    assert_eq!(a["mean_absolute_error"], 0.75);
    assert_eq!(a["mean_squared_error"], 1.25);
    assert_eq!(a["mean_residual"], -0.25);
    assert!(close(a["r2"].as_f64().unwrap(), 1.0 - 5.0 / 14.0, 1e-15));
    let b = &group(attr(&r, "g"), "b")["metrics"];
    assert_eq!(b["mean_absolute_error"], 0.25);
    assert!(close(
        attr(&r, "g")["disparities"]["mean_absolute_error_difference"]
            .as_f64()
            .unwrap(),
        0.5,
        1e-15
    ));
    // A signed metric has no ratio, and says why.
    let d = &attr(&r, "g");
    assert!(d["disparities"]["mean_residual_ratio"].is_null());
    assert!(d["undefined"]["mean_residual_ratio"]
        .as_str()
        .unwrap()
        .contains("negative"));

    // Few distinct integers: multiclass, with classes in numeric order (10 after 2).
    let f = write(&dir, "m.csv", "g,y,p\na,1,1\na,2,10\nb,10,10\nb,2,2\n");
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "g"], 0);
    assert_eq!(r["settings"]["task"], "multiclass");
    assert_eq!(
        r["settings"]["classes"],
        serde_json::json!(["1", "2", "10"])
    );
    assert_eq!(r["inputs"][0]["overall"]["metrics"]["accuracy"], 0.75);
    // class 10 in group a: the one row predicted 10 has label 2 → fp; tpr undefined.
    let a10 = group(find(&r, "g", Some("10")), "a");
    assert_eq!(a10["counts"]["fp"], 1.0);
    assert!(a10["metrics"]["true_positive_rate"].is_null());

    // More than 20 distinct integers: regression, and the reason says how to override.
    let mut text = String::from("g,y,p\n");
    for i in 0..30 {
        text.push_str(&format!("{},{},{}\n", ["a", "b"][i % 2], i, i + 1));
    }
    let f = write(&dir, "many.csv", &text);
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "g"], 0);
    assert_eq!(r["settings"]["task"], "regression");
    assert!(r["settings"]["task_detected"]
        .as_str()
        .unwrap()
        .contains("--task multiclass"));
    assert_eq!(group(attr(&r, "g"), "a")["metrics"]["mean_residual"], 1.0);
    let r = audit_json(
        &[
            &f,
            "--label",
            "y",
            "--pred",
            "p",
            "--group",
            "g",
            "--task",
            "multiclass",
        ],
        0,
    );
    assert_eq!(r["settings"]["classes"].as_array().unwrap().len(), 31);

    // 0/1 stays binary (no detection note).
    let f = write(&dir, "b.csv", "g,y,p\na,1,1\na,0,1\nb,1,0\n");
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "g"], 0);
    assert_eq!(r["settings"]["task"], "binary");
    assert!(r["settings"]["task_detected"].is_null());
}

#[test]
fn task_errors_are_clear() {
    let dir = tempfile::tempdir().unwrap();
    // `--label y --pred p --group g` on `file`, plus `extra`: the one-line error.
    let err = |file: &str, extra: &[&str]| {
        let mut args = vec![file, "--label", "y", "--pred", "p", "--group", "g"];
        args.extend_from_slice(extra);
        audit_error(&args)
    };
    let f = write(&dir, "r.csv", "g,y,p\na,1.5,2\nb,2.5,2\n");
    let e = err(&f, &["--bootstrap", "10"]);
    assert!(e.contains("--bootstrap") && e.contains("regression"), "{e}");
    let e = err(&f, &["--task", "binary"]);
    assert!(e.contains("not binary") && e.contains("--task"), "{e}");
    let e = err(&f, &["--classes", "x", "--task", "regression"]);
    assert!(e.contains("--classes"), "{e}");
    let f2 = write(&dir, "s.csv", "g,y,p\na,cat,dog\nb,dog,dog\n");
    let e = err(&f2, &["--task", "regression"]);
    assert!(e.contains("expected numbers"), "{e}");
    let e = err(&f2, &["--classes", "Cat"]);
    assert!(e.contains("did you mean 'cat'"), "{e}");
    let f3 = write(&dir, "inf.csv", "g,y,p\na,1.5,inf\nb,2.5,2\n");
    let e = err(&f3, &[]);
    assert!(
        e.contains("not a finite number") && e.contains("row 1"),
        "{e}"
    );
}

#[test]
fn multiclass_gates_name_the_class() {
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas_multiclass.csv",
            "--label",
            "risk",
            "--pred",
            "risk_pred",
            "--group",
            "race",
            "--fail-if",
            "race:demographic_parity_difference > 0.25",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("race [class Medium]"), "{err}");
    assert!(!err.contains("[class Low]"), "{err}");
}
