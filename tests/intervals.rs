//! Wilson intervals of every proportion rate equal SciPy's
//! (`binomtest(k, n).proportion_ci(method="wilson")`, tests/expected/wilson.json from
//! scripts/oracle_wilson.py) on COMPAS by race, at 95% and 90%.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn wilson_intervals_equal_scipy() {
    let text = std::fs::read_to_string(root().join("tests/expected/wilson.json")).unwrap();
    let exp: Value = serde_json::from_str(&text).unwrap();
    let mut compared = 0;
    for (level, groups) in exp["levels"].as_object().unwrap() {
        let r = audit_json(&["fixtures/compas.csv", "-g", "race", "--ci", level], 0);
        assert_eq!(
            r["settings"]["confidence"].as_f64().unwrap().to_string(),
            *level
        );
        let a = attr(&r, "race");
        for (g, rates) in groups.as_object().unwrap() {
            let got = &group(a, g)["intervals"];
            for (rate, want) in rates.as_object().unwrap() {
                if want.is_null() {
                    assert!(got[rate].is_null(), "{level} {g} {rate}");
                    continue;
                }
                for end in 0..2 {
                    let (x, y) = (
                        got[rate][end].as_f64().unwrap(),
                        want[end].as_f64().unwrap(),
                    );
                    assert!(
                        close(x, y, 1e-9),
                        "{level} {g} {rate}[{end}]: {x} vs scipy {y}"
                    );
                    compared += 1;
                }
            }
        }
    }
    assert!(compared >= 2 * 6 * 11 * 2 - 8, "{compared}");
}

#[test]
fn interval_ends_in_gates_and_bad_levels() {
    let r = audit_json(
        &[
            "fixtures/compas.csv",
            "-g",
            "race",
            "--fail-if",
            "race=Asian:selection_rate.upper > 0.4",
        ],
        1,
    );
    let v = r["gates"][0]["failures"][0]["value"].as_f64().unwrap();
    assert_eq!(
        Some(v),
        group(attr(&r, "race"), "Asian")["intervals"]["selection_rate"][1].as_f64()
    );
    let e = audit_error(&["fixtures/compas.csv", "-g", "race", "--ci", "95"]);
    assert!(
        e.contains("--ci") && e.contains("must be between 0 and 1"),
        "{e}"
    );
    let e = audit_error(&[
        "fixtures/compas.csv",
        "-g",
        "race",
        "--fail-if",
        "f1.upper > 0.5",
    ]);
    assert!(e.contains("has no interval"), "{e}");
}
