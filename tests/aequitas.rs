//! Reference-group ratios and parity verdicts equal aequitas 1.1 on its COMPAS sample
//! (tests/expected/aequitas.json from scripts/oracle_aequitas.py): predefined reference groups,
//! the largest group, and the min-metric method; race, sex and age_cat. x/0 ratios are null.

mod common;

use common::*;
use serde_json::Value;

#[test]
fn reference_view_equals_aequitas() {
    let text = std::fs::read_to_string(root().join("tests/expected/aequitas.json")).unwrap();
    let exp: Value = serde_json::from_str(&text).unwrap();
    let mut failures = Vec::new();
    let mut compared = 0;
    for (case, attrs) in exp["cases"].as_object().unwrap() {
        let mut args = vec![
            "fixtures/compas.csv",
            "-g",
            "race",
            "-g",
            "sex",
            "-g",
            "age_cat",
        ];
        let refs = [
            "--reference",
            "race=Caucasian",
            "--reference",
            "sex=Male",
            "--reference",
            "age_cat=25 - 45",
        ];
        match case.as_str() {
            "given" => args.extend(refs),
            other => args.extend(["--reference", other]),
        }
        let r = audit_json(&args, 0);
        for (attr_name, groups) in attrs.as_object().unwrap() {
            let a = attr(&r, attr_name);
            for (g, metrics) in groups.as_object().unwrap() {
                let got = &group(a, g)["vs_reference"];
                for (m, want) in metrics.as_object().unwrap() {
                    let c = &got[m];
                    let what = format!("{case} {attr_name} {g} {m}");
                    assert_eq!(
                        a["reference"]["groups"][m], want["reference_group"],
                        "{what}: reference group"
                    );
                    if want["x_over_0"] == true {
                        assert!(c["ratio"].is_null(), "{what}: x/0 must be null");
                        continue;
                    }
                    let (x, y) = (
                        c["ratio"].as_f64().unwrap(),
                        want["ratio"].as_f64().unwrap(),
                    );
                    if !close(x, y, 1e-9) {
                        failures.push(format!("{what}: ratio {x} vs aequitas {y}"));
                    }
                    if c["parity"] != want["parity"] {
                        failures.push(format!(
                            "{what}: parity {} vs aequitas {}",
                            c["parity"], want["parity"]
                        ));
                    }
                    compared += 1;
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(compared > 300, "{compared}");
}

#[test]
fn two_proportion_p_values() {
    let r = audit_json(
        &[
            "fixtures/compas.csv",
            "-g",
            "race",
            "--reference",
            "Caucasian",
        ],
        0,
    );
    let a = attr(&r, "race");
    // Asian 8/32 selected against Caucasian 854/2454, pooled z-test; SciPy:
    // 2 * norm.sf(|z|) = 0.24713810914710543.
    let p = group(a, "Asian")["vs_reference"]["selection_rate"]["p_value"]
        .as_f64()
        .unwrap();
    assert!(close(p, 0.247_138_109_147_105_43, 1e-6), "{p}");
    // The reference against itself: p = 1.
    let p = group(a, "Caucasian")["vs_reference"]["selection_rate"]["p_value"]
        .as_f64()
        .unwrap();
    assert!(close(p, 1.0, 1e-12), "{p}");
    // Not a proportion: no test.
    assert!(
        group(a, "Asian")["vs_reference"]["predicted_positive_share"]
            .get("p_value")
            .is_none()
    );
}

#[test]
fn reference_edge_cases() {
    let d = tempfile::TempDir::new().unwrap();
    // The reference group b has FPR 0: every other group's FPR ratio is x/0 → null with a reason.
    let f = write(
        d.path(),
        "t.csv",
        "y,p,g\n0,1,a\n0,0,a\n1,1,a\n0,0,b\n1,1,b\n1,0,b\n",
    );
    let r = audit_json(&[&f, "-g", "g", "--reference", "b"], 0);
    let c = &group(attr(&r, "g"), "a")["vs_reference"]["false_positive_rate"];
    assert!(c["ratio"].is_null() && c["parity"].is_null());
    assert!(c["undefined"].as_str().unwrap().contains("x/0"));
    assert_eq!(c["difference"], 0.5);
    // Unknown reference groups are usage errors.
    let e = audit_error(&[&f, "-g", "g", "--reference", "zzz"]);
    assert!(e.contains("--reference 'zzz' is not a group"), "{e}");
    let e = audit_error(&[&f, "-g", "g", "--reference", "b", "--parity-band", "1.5"]);
    assert!(e.contains("--parity-band"), "{e}");
}
