//! Per-group rates and every fairlearn-defined disparity equal fairlearn 0.15 to 1e-9 on the
//! shipped real data (COMPAS and Adult from the aequitas samples), with and without weights,
//! single attributes and intersections. Expected values: tests/expected/fairlearn.json, written
//! by scripts/oracle_fairlearn.py. Where fairlearn turns 0/0 into 0, the file holds null for the
//! group and fairlearn's formula over the defined groups for the disparity (see the script).

mod common;

use common::*;
use serde_json::Value;

const TOL: f64 = 1e-9;

fn expected() -> Value {
    let text = std::fs::read_to_string(root().join("tests/expected/fairlearn.json"))
        .expect("expected values");
    serde_json::from_str(&text).expect("valid JSON")
}

fn check(what: &str, ours: &Value, theirs: &Value, failures: &mut Vec<String>) {
    match (ours.as_f64(), theirs.as_f64()) {
        (Some(a), Some(b)) if close(a, b, TOL) => {}
        (None, None) if ours.is_null() && theirs.is_null() => {}
        _ => failures.push(format!("{what}: fairaudit {ours} vs expected {theirs}")),
    }
}

fn run_case(case: &Value, extra: &[&str]) -> Value {
    let mut args: Vec<String> = vec![case["file"].as_str().unwrap().to_string()];
    args.extend(
        case["args"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap().to_string()),
    );
    args.extend(extra.iter().map(|s| s.to_string()));
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    audit_json(&refs, 0)
}

#[test]
fn rates_and_disparities_equal_fairlearn() {
    let exp = expected();
    assert_eq!(exp["fairlearn_version"], "0.15.0");
    let mut failures = Vec::new();
    let mut compared = 0usize;
    let mut zero_division_cells = 0usize;
    for case in exp["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let report = run_case(case, &[]);
        let mean_report = run_case(case, &["--agg", "mean"]);
        for (attr_name, want) in case["attributes"].as_object().unwrap() {
            let got = attr(&report, attr_name);
            let got_groups = got["groups"].as_array().unwrap();
            let want_groups = want["groups"].as_object().unwrap();
            assert_eq!(
                got_groups.len(),
                want_groups.len(),
                "{name} {attr_name}: group count"
            );
            for (gname, wg) in want_groups {
                let gg = group(got, gname);
                assert_eq!(gg["n"], wg["n"], "{name} {attr_name} {gname}: n");
                for (m, wv) in wg.as_object().unwrap() {
                    if m == "n" {
                        continue;
                    }
                    if let Some(base) = m.strip_suffix("__fairlearn_zero_division") {
                        // The reference turns 0/0 into a number (scikit-learn's zero_division: 0 for
                        // precision, so 1 for 1 − precision); we say null, with a reason.
                        zero_division_cells += 1;
                        assert!(
                            wv.is_number(),
                            "{name} {gname} {base}: the reference's value"
                        );
                        assert!(
                            gg["metrics"][base].is_null(),
                            "{name} {gname} {base} must be null"
                        );
                        assert!(
                            gg["undefined"][base].is_string(),
                            "{name} {gname} {base} needs a reason"
                        );
                        continue;
                    }
                    compared += 1;
                    check(
                        &format!("{name} {attr_name} {gname} {m}"),
                        &gg["metrics"][m],
                        wv,
                        &mut failures,
                    );
                }
            }
            let input = &report["inputs"][0]["overall"]["metrics"];
            for (m, wv) in want["overall"].as_object().unwrap() {
                compared += 1;
                check(&format!("{name} overall {m}"), &input[m], wv, &mut failures);
            }
            for (k, wv) in want["disparities"].as_object().unwrap() {
                if k.ends_with("__fairlearn") {
                    continue;
                }
                compared += 1;
                if let Some(base) = k.strip_suffix("__mean") {
                    let gm = attr(&mean_report, attr_name);
                    check(
                        &format!("{name} {attr_name} {k}"),
                        &gm["disparities"][base],
                        wv,
                        &mut failures,
                    );
                } else {
                    check(
                        &format!("{name} {attr_name} {k}"),
                        &got["disparities"][k],
                        wv,
                        &mut failures,
                    );
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(compared > 1000, "only {compared} values compared");
    assert!(
        zero_division_cells > 0,
        "the cases must include fairlearn's 0/0 → 0 cells"
    );
}
