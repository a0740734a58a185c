//! Tiny cases computed by hand, one per metric family and per edge case: group with no
//! positives, all predictions positive, a single group, weights of zero, empty intersection,
//! missing values, string classes.

mod common;

use common::*;
use tempfile::TempDir;

/// Group a: y 1 1 0 0 / p 1 0 1 0 → tp 1 fn 1 fp 1 tn 1.
/// Group b: y 1 0 0 / p 1 1 1 → tp 1 fp 2.
const TWO_GROUPS: &str = "y,p,g\n1,1,a\n1,0,a\n0,1,a\n0,0,a\n1,1,b\n0,1,b\n0,1,b\n";

#[test]
fn every_rate_of_two_groups() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "t.csv", TWO_GROUPS);
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "g"], 0);
    let g = attr(&r, "g");
    let a = group(g, "a");
    for m in [
        "base_rate",
        "selection_rate",
        "true_positive_rate",
        "false_positive_rate",
        "true_negative_rate",
        "false_negative_rate",
        "positive_predictive_value",
        "negative_predictive_value",
        "false_discovery_rate",
        "false_omission_rate",
        "accuracy",
        "balanced_accuracy",
        "f1",
    ] {
        assert_eq!(metric(a, m), Some(0.5), "a {m}");
    }
    let b = group(g, "b");
    assert_eq!(b["n"], 3);
    assert_eq!(b["counts"]["tp"], 1.0);
    assert_eq!(b["counts"]["fp"], 2.0);
    assert_eq!(metric(b, "base_rate"), Some(1.0 / 3.0));
    assert_eq!(metric(b, "selection_rate"), Some(1.0));
    assert_eq!(metric(b, "true_positive_rate"), Some(1.0));
    assert_eq!(metric(b, "false_positive_rate"), Some(1.0));
    assert_eq!(metric(b, "true_negative_rate"), Some(0.0));
    assert_eq!(metric(b, "false_negative_rate"), Some(0.0));
    assert_eq!(metric(b, "positive_predictive_value"), Some(1.0 / 3.0));
    assert_eq!(metric(b, "false_discovery_rate"), Some(2.0 / 3.0));
    assert_eq!(metric(b, "negative_predictive_value"), None);
    assert_eq!(metric(b, "false_omission_rate"), None);
    assert!(b["undefined"]["negative_predictive_value"]
        .as_str()
        .unwrap()
        .contains("no negative predictions"));
    assert_eq!(metric(b, "accuracy"), Some(1.0 / 3.0));
    assert_eq!(metric(b, "balanced_accuracy"), Some(0.5));
    assert_eq!(metric(b, "f1"), Some(0.5));
    assert_eq!(b["share"], 3.0 / 7.0);

    // Disparities (a vs b): selection 0.5 vs 1; TPR 0.5 vs 1; FPR 0.5 vs 1.
    assert_eq!(disp(g, "demographic_parity_difference"), Some(0.5));
    assert_eq!(disp(g, "demographic_parity_ratio"), Some(0.5));
    assert_eq!(disp(g, "equalized_odds_difference"), Some(0.5));
    assert_eq!(disp(g, "equalized_odds_ratio"), Some(0.5));
    assert_eq!(disp(g, "equal_opportunity_difference"), Some(0.5));
    // PPV 0.5 vs 1/3
    assert!(close(
        disp(g, "predictive_parity_difference").unwrap(),
        1.0 / 6.0,
        1e-15
    ));
    assert!(close(
        disp(g, "predictive_parity_ratio").unwrap(),
        2.0 / 3.0,
        1e-15
    ));
    // Overall selection rate 5/7: to-overall difference max(|0.5-5/7|, |1-5/7|) = 2/7.
    assert!(close(
        disp(g, "demographic_parity_difference_to_overall").unwrap(),
        2.0 / 7.0,
        1e-15
    ));
    // ratio to overall: min(0.5/(5/7) = 0.7, (5/7)/1) = 0.7
    assert!(close(
        disp(g, "demographic_parity_ratio_to_overall").unwrap(),
        0.7,
        1e-15
    ));
    // NPV is undefined for b: a disparity of a alone is no comparison, so it is undefined.
    assert_eq!(disp(g, "negative_predictive_value_difference"), None);
    assert!(g["undefined"]["negative_predictive_value_difference"]
        .as_str()
        .unwrap()
        .contains("defined for 1 of 2 groups"));
    assert!(r["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|w| w["message"]
            .as_str()
            .unwrap()
            .contains("negative_predictive_value is undefined for b")));
    // Four-fifths: a's selection rate is half of b's.
    assert_eq!(disp(g, "disparate_impact_ratio"), Some(0.5));
    assert_eq!(g["disparities"]["four_fifths_rule_passed"], false);
    assert_eq!(metric(a, "disparate_impact_ratio"), Some(0.5));
    assert_eq!(metric(b, "disparate_impact_ratio"), Some(1.0));
    // Equity-scaled accuracy: overall 3/7, groups 1/2 and 1/3:
    // (3/7) / (1 + 1/14 + 2/21) = (3/7) / (7/6) = 18/49.
    assert!(close(
        disp(g, "equity_scaled_accuracy").unwrap(),
        18.0 / 49.0,
        1e-15
    ));
    // Performance-scaled range: (1/2 − 1/3) / (3/7) = 7/18.
    assert!(close(
        disp(g, "accuracy_psd_range").unwrap(),
        7.0 / 18.0,
        1e-15
    ));
}

#[test]
fn group_without_positives_is_null_not_zero() {
    let d = TempDir::new().unwrap();
    // c has only negative labels: TPR and FNR are 0/0.
    let f = write(d.path(), "t.csv", &format!("{TWO_GROUPS}0,1,c\n0,0,c\n"));
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "g"], 0);
    let g = attr(&r, "g");
    let c = group(g, "c");
    assert_eq!(metric(c, "true_positive_rate"), None);
    assert_eq!(metric(c, "false_negative_rate"), None);
    assert_eq!(metric(c, "balanced_accuracy"), None);
    assert!(c["undefined"]["true_positive_rate"]
        .as_str()
        .unwrap()
        .contains("no positive labels"));
    assert_eq!(metric(c, "false_positive_rate"), Some(0.5));
    // TPR disparity over a (0.5) and b (1) only; fairlearn would count c as 0 and say 1.0.
    assert_eq!(disp(g, "equal_opportunity_difference"), Some(0.5));
    // FPR over a 0.5, b 1, c 0.5 → 0.5; equalized odds = max(0.5, 0.5).
    assert_eq!(disp(g, "equalized_odds_difference"), Some(0.5));
}

#[test]
fn all_predictions_positive() {
    let d = TempDir::new().unwrap();
    let f = write(
        d.path(),
        "t.csv",
        "y,p,g\n1,1,a\n0,1,a\n1,1,b\n1,1,b\n0,1,b\n",
    );
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "g"], 0);
    let g = attr(&r, "g");
    for name in ["a", "b"] {
        let x = group(g, name);
        assert_eq!(metric(x, "selection_rate"), Some(1.0));
        assert_eq!(metric(x, "negative_predictive_value"), None);
        assert_eq!(metric(x, "false_positive_rate"), Some(1.0));
    }
    assert_eq!(disp(g, "demographic_parity_difference"), Some(0.0));
    assert_eq!(disp(g, "demographic_parity_ratio"), Some(1.0));
    assert_eq!(g["disparities"]["four_fifths_rule_passed"], true);
    assert_eq!(disp(g, "negative_predictive_value_difference"), None);
    assert!(g["undefined"]["negative_predictive_value_difference"]
        .as_str()
        .unwrap()
        .contains("defined for 0 of 2 groups"));
}

#[test]
fn all_predictions_negative_gives_undefined_ratios() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "t.csv", "y,p,g\n1,0,a\n0,0,a\n1,0,b\n");
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "g"], 0);
    let g = attr(&r, "g");
    assert_eq!(disp(g, "demographic_parity_difference"), Some(0.0));
    assert_eq!(disp(g, "demographic_parity_ratio"), None);
    assert!(g["undefined"]["demographic_parity_ratio"]
        .as_str()
        .unwrap()
        .contains("0/0"));
    assert!(g["disparities"]["four_fifths_rule_passed"].is_null());
}

#[test]
fn single_group() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "t.csv", "y,p,g\n1,1,a\n0,1,a\n1,0,a\n");
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "g"], 0);
    let g = attr(&r, "g");
    assert_eq!(g["groups"].as_array().unwrap().len(), 1);
    // One group: nothing is compared, so every disparity is undefined (not 0 / 1), and a gate
    // on one fails.
    for m in [
        "demographic_parity_difference",
        "demographic_parity_ratio",
        "equalized_odds_ratio",
        "selection_rate_difference_to_overall",
    ] {
        assert_eq!(disp(g, m), None, "{m}");
        assert!(g["undefined"][m]
            .as_str()
            .unwrap()
            .contains("defined for 1 of 1 groups"));
    }
    assert!(r["warnings"].to_string().contains("only one group"));
    let out = common::bin()
        .args([
            "audit-fairness",
            &f,
            "--label",
            "y",
            "--pred",
            "p",
            "--group",
            "g",
            "--fail-if",
            "demographic_parity_difference > 0.1",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn weights_scale_counts_and_zero_weights_are_undefined() {
    let d = TempDir::new().unwrap();
    // a: tp weight 3, fp weight 1, tn weight 0 (a zero-weight row counts as a row, not as weight)
    // b: every weight is 0: n = 2 but every rate is undefined.
    let f = write(
        d.path(),
        "t.csv",
        "y,p,g,w\n1,1,a,3\n0,1,a,1\n0,0,a,0\n1,1,b,0\n0,0,b,0\n",
    );
    let r = audit_json(
        &[
            &f, "--label", "y", "--pred", "p", "--group", "g", "--weight", "w",
        ],
        0,
    );
    let g = attr(&r, "g");
    let a = group(g, "a");
    assert_eq!(a["n"], 3);
    assert_eq!(a["weight"], 4.0);
    assert_eq!(metric(a, "selection_rate"), Some(1.0));
    assert_eq!(metric(a, "positive_predictive_value"), Some(0.75));
    assert_eq!(metric(a, "false_positive_rate"), Some(1.0));
    let b = group(g, "b");
    assert_eq!(b["n"], 2);
    assert_eq!(b["weight"], 0.0);
    assert_eq!(b["share"], 0.0);
    for m in ["selection_rate", "accuracy", "true_positive_rate"] {
        assert_eq!(metric(b, m), None, "{m}");
        assert!(b["undefined"][m]
            .as_str()
            .unwrap()
            .contains("zero total weight"));
    }
    // Only a has defined rates: no disparity.
    assert_eq!(disp(g, "demographic_parity_difference"), None);
    assert_eq!(r["inputs"][0]["overall"]["weight"], 4.0);
}

#[test]
fn intersections_and_empty_combinations() {
    let d = TempDir::new().unwrap();
    // (x, m) never occurs.
    let f = write(
        d.path(),
        "t.csv",
        "y,p,g,h\n1,1,x,f\n0,0,x,f\n1,0,z,f\n0,1,z,m\n1,1,z,m\n",
    );
    let r = audit_json(
        &[
            &f, "--label", "y", "--pred", "p", "--group", "g", "--group", "h",
        ],
        0,
    );
    let names: Vec<&str> = r["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["g", "h", "g&h"]);
    let gh = attr(&r, "g&h");
    let groups: Vec<&str> = gh["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["x&f", "z&f", "z&m"]);
    let zm = group(gh, "z&m");
    assert_eq!(zm["values"]["g"], "z");
    assert_eq!(zm["values"]["h"], "m");
    assert_eq!(metric(zm, "selection_rate"), Some(1.0));
    assert_eq!(metric(group(gh, "z&f"), "selection_rate"), Some(0.0));
    // Marginals equal the sums of the cells.
    let z = group(attr(&r, "g"), "z");
    assert_eq!(z["n"], 3);
    assert!(close(
        metric(z, "selection_rate").unwrap(),
        2.0 / 3.0,
        1e-15
    ));
    assert!(r["warnings"]
        .to_string()
        .contains("1 of 4 combinations have no rows"));
}

#[test]
fn missing_values_policy() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "t.csv", "y,p,g\n1,1,a\n,1,a\n0,,b\n1,0,\n0,0,b\n");
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "g"], 0);
    let inp = &r["inputs"][0];
    assert_eq!(inp["rows_read"], 5);
    assert_eq!(inp["rows_used"], 3);
    let dropped = inp["rows_dropped"].to_string();
    assert!(
        dropped.contains("missing label") && dropped.contains("missing prediction"),
        "{dropped}"
    );
    let g = attr(&r, "g");
    assert_eq!(group(g, "(missing)")["n"], 1);

    let r = audit_json(
        &[
            &f,
            "--label",
            "y",
            "--pred",
            "p",
            "--group",
            "g",
            "--missing",
            "drop",
        ],
        0,
    );
    assert_eq!(r["inputs"][0]["rows_used"], 2);
    assert_eq!(attr(&r, "g")["groups"].as_array().unwrap().len(), 2);

    let e = audit_error(&[
        &f,
        "--label",
        "y",
        "--pred",
        "p",
        "--group",
        "g",
        "--missing",
        "error",
    ]);
    assert!(e.contains("missing value") && e.contains("'g'"), "{e}");
    let e = audit_error(&[
        &f, "--label", "y", "--pred", "p", "--group", "g", "--strict",
    ]);
    assert!(e.contains("--strict"), "{e}");
}

#[test]
fn positive_class_by_name() {
    let d = TempDir::new().unwrap();
    let f = write(
        d.path(),
        "t.csv",
        "income,pred,sex\n>50K,>50K,F\n<=50K,>50K,F\n>50K,<=50K,M\n<=50K,<=50K,M\n",
    );
    let r = audit_json(
        &[
            &f,
            "--label",
            "income",
            "--pred",
            "pred",
            "--positive",
            ">50K",
            "--group",
            "sex",
        ],
        0,
    );
    let s = attr(&r, "sex");
    assert_eq!(metric(group(s, "F"), "selection_rate"), Some(1.0));
    assert_eq!(metric(group(s, "M"), "true_positive_rate"), Some(0.0));
    assert_eq!(metric(group(s, "F"), "true_positive_rate"), Some(1.0));

    // 0/1 predictions with a named label class: --positive does not apply to numbers.
    let f2 = write(
        d.path(),
        "t2.csv",
        "income,pred,sex\n>50K,1,F\n<=50K,1,F\n>50K,0,M\n<=50K,0,M\n",
    );
    let r2 = audit_json(
        &[
            &f2,
            "--label",
            "income",
            "--pred",
            "pred",
            "--positive",
            ">50K",
            "--group",
            "sex",
        ],
        0,
    );
    assert_eq!(attr(&r2, "sex")["groups"], s["groups"]);

    // A positive value that never occurs is warned about.
    let r3 = audit_json(
        &[
            &f,
            "--label",
            "income",
            "--pred",
            "pred",
            "--positive",
            "yes",
            "--group",
            "sex",
        ],
        0,
    );
    assert!(r3["warnings"].to_string().contains("never occurs"));
}

#[test]
fn booleans_and_integer_groups() {
    let d = TempDir::new().unwrap();
    let f = write(
        d.path(),
        "t.csv",
        "y,p,age\ntrue,true,30\nfalse,true,30\ntrue,false,40\nfalse,false,5\n",
    );
    let r = audit_json(&[&f, "--label", "y", "--pred", "p", "--group", "age"], 0);
    let groups: Vec<&str> = attr(&r, "age")["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    // Integer groups sort numerically, not as text.
    assert_eq!(groups, ["5", "30", "40"]);
    assert_eq!(
        metric(group(attr(&r, "age"), "30"), "selection_rate"),
        Some(1.0)
    );
}

#[test]
fn min_group_size_flags_and_excludes() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "t.csv", &format!("{TWO_GROUPS}1,0,c\n"));
    let r = audit_json(
        &[
            &f,
            "--label",
            "y",
            "--pred",
            "p",
            "--group",
            "g",
            "--min-group-size",
            "2",
        ],
        0,
    );
    let g = attr(&r, "g");
    assert_eq!(group(g, "c")["small"], true);
    assert_eq!(group(g, "a")["small"], false);
    // c (selection rate 0) would make the ratio 0; it is left out.
    assert_eq!(disp(g, "demographic_parity_ratio"), Some(0.5));
    assert!(r["warnings"].to_string().contains("fewer than 2 rows"));
}

#[test]
fn score_threshold() {
    let d = TempDir::new().unwrap();
    let f = write(
        d.path(),
        "t.csv",
        "y,s,g\n1,0.9,a\n0,0.3,a\n1,0.5,b\n0,0.6,b\n",
    );
    let r = audit_json(
        &[
            &f,
            "--label",
            "y",
            "--score",
            "s",
            "--threshold",
            "0.55",
            "--group",
            "g",
        ],
        0,
    );
    assert_eq!(r["inputs"][0]["columns"]["threshold"], 0.55);
    let g = attr(&r, "g");
    assert_eq!(metric(group(g, "a"), "accuracy"), Some(1.0));
    assert_eq!(metric(group(g, "b"), "accuracy"), Some(0.0));
    // score >= threshold is positive: 0.5 >= 0.5.
    let r = audit_json(&[&f, "--label", "y", "--score", "s", "--group", "g"], 0);
    assert_eq!(
        metric(group(attr(&r, "g"), "b"), "selection_rate"),
        Some(1.0)
    );
}

#[test]
fn conditional_parity_resolves_simpsons_paradox() {
    // Within each department A and B are selected at the same rate (easy 0.8, hard 0.2), but A
    // applies mostly to the easy one: marginally A 9/15 = 0.6 vs B 6/15 = 0.4.
    let mut csv = String::from("y,p,g,dept,effort\n");
    let mut add = |g: &str, dept: &str, n: usize, selected: usize, effort: f64| {
        for i in 0..n {
            csv.push_str(&format!(
                "1,{},{g},{dept},{effort}\n",
                u8::from(i < selected)
            ));
        }
    };
    add("A", "easy", 10, 8, 0.9);
    add("B", "easy", 5, 4, 0.8);
    add("A", "hard", 5, 1, 0.1);
    add("B", "hard", 10, 2, 0.2);
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "t.csv", &csv);
    let r = audit_json(
        &[
            &f,
            "--label",
            "y",
            "--pred",
            "p",
            "-g",
            "g",
            "--condition",
            "dept",
        ],
        0,
    );
    let g = attr(&r, "g");
    assert!(close(
        disp(g, "demographic_parity_difference").unwrap(),
        0.2,
        1e-15
    ));
    let c = &g["conditional"];
    assert_eq!(c["condition"], "dept");
    let strata = c["strata"].as_array().unwrap();
    assert_eq!(strata.len(), 2);
    assert_eq!(strata[0]["stratum"], "easy");
    assert_eq!(strata[0]["n"], 15);
    assert!(close(
        strata[0]["selection_rate"]["A"].as_f64().unwrap(),
        0.8,
        1e-15
    ));
    for s in strata {
        assert!(close(
            s["selection_rate_difference"].as_f64().unwrap(),
            0.0,
            1e-15
        ));
        assert!(close(
            s["selection_rate_ratio"].as_f64().unwrap(),
            1.0,
            1e-15
        ));
    }
    assert!(close(
        c["conditional_demographic_parity_difference"]
            .as_f64()
            .unwrap(),
        0.0,
        1e-15
    ));
    assert!(close(
        c["conditional_demographic_parity_ratio"].as_f64().unwrap(),
        1.0,
        1e-15
    ));
    // The condition is not reported as an attribute, and marginals are unchanged by it.
    assert_eq!(r["attributes"].as_array().unwrap().len(), 1);
    assert_eq!(group(g, "A")["n"], 15);

    // A numeric condition binned into two equal-width bins over [0.1, 0.9]: the same strata.
    let r = audit_json(
        &[
            &f,
            "--label",
            "y",
            "--pred",
            "p",
            "-g",
            "g",
            "--condition",
            "effort",
            "--condition-bins",
            "2",
        ],
        0,
    );
    let c = &attr(&r, "g")["conditional"];
    assert_eq!(c["strata"].as_array().unwrap().len(), 2);
    assert!(close(
        c["conditional_demographic_parity_difference"]
            .as_f64()
            .unwrap(),
        0.0,
        1e-15
    ));
    let edges = r["inputs"][0]["columns"]["condition_edges"]
        .as_array()
        .unwrap();
    assert_eq!(edges.len(), 3);
    let e = audit_error(&[
        &f,
        "--label",
        "y",
        "--pred",
        "p",
        "-g",
        "g",
        "--condition",
        "effort",
    ]);
    assert!(e.contains("--condition-bins"), "{e}");
}

#[test]
fn row_metric_means_and_equity_scaled_dice() {
    let d = TempDir::new().unwrap();
    // Per-image Dice: a 0.8, 0.6 (mean 0.7); b 0.5; a row without a value is left out of the mean.
    let f = write(
        d.path(),
        "t.csv",
        "y,p,g,dice\n1,1,a,0.8\n0,0,a,0.6\n1,0,b,0.5\n0,1,b,\n",
    );
    let r = audit_json(
        &[
            &f,
            "--label",
            "y",
            "--pred",
            "p",
            "-g",
            "g",
            "--row-metric",
            "dice",
            "--fail-if",
            "mean_dice < 0.6",
        ],
        1,
    );
    let g = attr(&r, "g");
    assert!(close(
        metric(group(g, "a"), "mean_dice").unwrap(),
        0.7,
        1e-15
    ));
    assert!(close(
        metric(group(g, "b"), "mean_dice").unwrap(),
        0.5,
        1e-15
    ));
    let overall = r["inputs"][0]["overall"]["metrics"]["mean_dice"]
        .as_f64()
        .unwrap();
    assert!(close(overall, 1.9 / 3.0, 1e-15));
    assert!(close(disp(g, "mean_dice_difference").unwrap(), 0.2, 1e-15));
    // ES-Dice = (1.9/3) / (1 + |0.7 − 1.9/3| + |0.5 − 1.9/3|) = (1.9/3) / 1.2
    assert!(close(
        disp(g, "equity_scaled_mean_dice").unwrap(),
        1.9 / 3.0 / 1.2,
        1e-12
    ));
    assert_eq!(r["gates"][0]["failures"][0]["group"], "b");
}
