//! Generalized entropy and Theil indices of the benefit ŷ − y + 1, and their between-group parts,
//! equal AIF360 0.6.1 (tests/expected/aif360.json from scripts/oracle_aif360.py) for α = 1, 2, 3
//! on COMPAS by race; at α = 0 they equal the correct mean log deviation, not AIF360's value.

mod common;

use common::*;
use serde_json::Value;

fn expected() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/expected/aif360.json")).unwrap(),
    )
    .unwrap()
}

fn indices(file: &str, alpha: &str) -> (Value, Value) {
    let r = audit_json(&[file, "-g", "race", "--alpha", alpha], 0);
    (r["inputs"][0]["overall"].clone(), attr(&r, "race").clone())
}

#[test]
fn equal_aif360_for_positive_alpha() {
    let exp = expected();
    for case in ["all", "no_false_negatives"] {
        let d = tempfile::TempDir::new().unwrap();
        let file = fixture(case, d.path());
        for a in ["1", "2", "3"] {
            let (overall, race) = indices(&file, a);
            let want = &exp[case];
            let ge = overall["metrics"]["generalized_entropy_index"]
                .as_f64()
                .unwrap();
            assert!(
                close(ge, want[format!("ge_{a}")].as_f64().unwrap(), 1e-12),
                "{case} GE({a}) {ge}"
            );
            let bg = race["disparities"]["between_group_generalized_entropy_index"]
                .as_f64()
                .unwrap();
            assert!(
                close(bg, want[format!("between_{a}")].as_f64().unwrap(), 1e-12),
                "{case} between GE({a}) {bg}"
            );
            let theil = overall["metrics"]["theil_index"].as_f64().unwrap();
            assert!(
                close(theil, want["theil"].as_f64().unwrap(), 1e-12),
                "{case} Theil"
            );
            let bt = race["disparities"]["between_group_theil_index"]
                .as_f64()
                .unwrap();
            assert!(
                close(bt, want["between_theil"].as_f64().unwrap(), 1e-12),
                "{case} between Theil"
            );
        }
    }
}

#[test]
fn alpha_zero_is_the_mean_log_deviation_not_aif360s_value() {
    let exp = expected();
    // All of COMPAS has false negatives (benefit 0): GE(0) is infinite, reported as null.
    let (overall, _) = indices("fixtures/compas.csv", "0");
    assert!(overall["metrics"]["generalized_entropy_index"].is_null());
    assert!(overall["undefined"]["generalized_entropy_index"]
        .as_str()
        .unwrap()
        .contains("infinite"));
    let d = tempfile::TempDir::new().unwrap();
    let file = fixture("no_false_negatives", d.path());
    let (overall, _) = indices(&file, "0");
    let got = overall["metrics"]["generalized_entropy_index"]
        .as_f64()
        .unwrap();
    let want = exp["no_false_negatives"]["alpha0"].as_f64().unwrap();
    let aif = exp["no_false_negatives"]["aif360_alpha0"].as_f64().unwrap();
    assert!(close(got, want, 1e-12), "{got} vs {want}");
    assert!(
        (got - aif).abs() > 1e-3,
        "AIF360's α = 0 value divides by μ once more"
    );
}

/// COMPAS, or COMPAS without its false negatives (label 1, score < 0.5), as the oracle used.
fn fixture(case: &str, dir: &std::path::Path) -> String {
    if case == "all" {
        return "fixtures/compas.csv".into();
    }
    let text = std::fs::read_to_string(root().join("fixtures/compas.csv")).unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let cols: Vec<&str> = header.split(',').collect();
    let (iy, is) = (
        cols.iter().position(|c| *c == "label_value").unwrap(),
        cols.iter().position(|c| *c == "score").unwrap(),
    );
    let kept: Vec<&str> = lines
        .filter(|l| {
            let f: Vec<&str> = l.split(',').collect();
            !(f[iy] == "1" && f[is].parse::<f64>().unwrap() < 0.5)
        })
        .collect();
    write(
        dir,
        "no_fn.csv",
        &format!("{header}\n{}\n", kept.join("\n")),
    )
}
