//! Label-free audits, the adverse-impact figures and the legal presets (issue 16), against
//! independent values: the NYC LL144 rule's own worked examples (transcribed by
//! `scripts/make_ll144_example.py` into `tests/expected/decisions/ll144_example.json`) and a
//! pandas / scipy computation on `fixtures/hiring.csv` (`scripts/oracle_decisions.py` →
//! `tests/expected/decisions/hiring.json`).

mod common;

use common::{audit_error, audit_json, bin, root};
use serde_json::Value;

fn expected(name: &str) -> Value {
    let path = root().join("tests/expected/decisions").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("expected file")).expect("JSON")
}

fn attribute<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("attribute {name}"))
}

fn group<'a>(attribute: &'a Value, name: &str) -> &'a Value {
    attribute["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == name)
        .unwrap_or_else(|| panic!("group {name} of {}", attribute["name"]))
}

/// Round half up at `decimals` decimals, as the rule's tables print (checked by the oracle:
/// every printed figure but the ones it lists as inconsistent is the exact value so rounded).
fn printed(x: f64, decimals: usize) -> String {
    let scale = 10f64.powi(decimals as i32);
    // The exact rates are ratios of small integers: nudge past representation error before
    // rounding half up (0.4385 stored as 0.438499999… would round down).
    format!("{:.*}", decimals, (x * scale + 0.5 + 1e-9).floor() / scale)
}

/// `"43.9%"` → ("43.9", 1); `"1.00"` → ("1.00", 2); `".67"` → ("0.67", 2).
fn figure(s: &str) -> (String, usize) {
    let s = s.trim_end_matches('%');
    let s = if s.starts_with('.') {
        format!("0{s}")
    } else {
        s.to_string()
    };
    let decimals = s.split_once('.').map_or(0, |(_, d)| d.len());
    (s, decimals)
}

/// The fairaudit category of a row of the rule's intersectional table (the fixture writes
/// non-Hispanic races as "<race> (Not Hispanic or Latino)"; groups are `<sex>&<race>`).
fn race_value(row: &Value) -> String {
    if row["ethnicity"] == "Hispanic or Latino" {
        "Hispanic or Latino".into()
    } else {
        format!("{} (Not Hispanic or Latino)", row["race"].as_str().unwrap())
    }
}

/// Checks one printed row against the audit's group: counts exactly, the rate (as a percent)
/// and the impact ratio as the rule prints them.
fn check_row(g: &Value, row: &Value, rate_key: &str, count_key: Option<&str>, what: &str) {
    assert_eq!(
        g["n"].as_u64().unwrap().to_string(),
        row["applicants"].as_str().unwrap(),
        "{what}: applicants"
    );
    if let Some(k) = count_key {
        assert_eq!(
            g["selected"].as_f64().unwrap().to_string(),
            row[k].as_str().unwrap(),
            "{what}: selected"
        );
    }
    let rate = g["metrics"]["selection_rate"].as_f64().unwrap() * 100.0;
    let (p, d) = figure(row[rate_key].as_str().unwrap());
    assert_eq!(printed(rate, d), p, "{what}: rate {rate}");
    let ir = g["metrics"]["disparate_impact_ratio"].as_f64().unwrap();
    let (p, d) = figure(row["impact_ratio"].as_str().unwrap());
    assert_eq!(printed(ir, d), p, "{what}: impact ratio {ir}");
}

#[test]
fn ll144_selection_example_reproduced() {
    let ex = expected("ll144_example.json");
    let printed_tables = &ex["selection_example"]["printed"];
    let r = audit_json(
        &[
            "fixtures/ll144_example.csv",
            "--group",
            "sex",
            "--group",
            "race",
            "--preset",
            "ll144",
        ],
        0,
    );
    assert_eq!(r["settings"]["label_free"], true);
    assert_eq!(r["inputs"][0]["columns"]["label"], Value::Null);
    // Label metrics are absent, not null.
    let sex = attribute(&r, "sex");
    let female = group(sex, "Female");
    assert!(female["metrics"].get("true_positive_rate").is_none());
    assert!(sex["disparities"]
        .get("equalized_odds_difference")
        .is_none());
    for row in printed_tables["sex"].as_array().unwrap() {
        let name = row["category"].as_str().unwrap();
        check_row(
            group(sex, name),
            row,
            "selection_rate",
            Some("selected"),
            name,
        );
    }
    let both = attribute(&r, "sex&race");
    let rows = printed_tables["intersectional"].as_array().unwrap();
    assert_eq!(rows.len(), 14);
    for row in rows {
        let name = format!("{}&{}", row["sex"].as_str().unwrap(), race_value(row));
        check_row(
            group(both, &name),
            row,
            "selection_rate",
            Some("selected"),
            &name,
        );
    }
    assert_eq!(sex["most_selected_group"], "Male");
    assert_eq!(
        both["most_selected_group"],
        "Male&White (Not Hispanic or Latino)"
    );
    // The 250 applicants of unknown sex and race: counted, left out of every ratio.
    let legal = &r["legal"];
    assert_eq!(legal["preset"], "ll144");
    assert_eq!(legal["rate"], "selection_rate");
    assert_eq!(legal["inputs"][0]["unknown_individuals"], 250);
    let missing = group(sex, "(missing)");
    assert_eq!(missing["unknown"], true);
    assert_eq!(missing["metrics"]["disparate_impact_ratio"], Value::Null);
    // The race table as printed (its Hispanic row cannot come from the same applicants as the
    // intersectional table: the oracle's `inconsistencies`), from its own fixture.
    let r = audit_json(
        &[
            "fixtures/ll144_example_race.csv",
            "--group",
            "race",
            "--preset",
            "ll144",
        ],
        0,
    );
    let race = attribute(&r, "race");
    let rows = printed_tables["race"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    for row in rows {
        let name = row["category"].as_str().unwrap();
        let g = group(race, name);
        if name == "Hispanic or Latino" {
            // Printed 408 / 204 / "50%" / "0.97": 204/408 is 50% exactly, and 0.5 over the
            // White rate 412/797 is 0.967… → "0.97": consistent once the counts are its own.
            assert_eq!(g["n"], 408);
        }
        check_row(g, row, "selection_rate", Some("selected"), name);
    }
}

#[test]
fn ll144_scoring_example_reproduced() {
    let ex = expected("ll144_example.json");
    let scoring = &ex["scoring_example"];
    let r = audit_json(
        &[
            "fixtures/ll144_example_scoring.csv",
            "--group",
            "sex",
            "--group",
            "race",
            "--preset",
            "ll144",
        ],
        0,
    );
    // The median of all 183 scores, unknown categories included (numpy: 0.5).
    let median = scoring["median_all_rows"].as_f64().unwrap();
    assert_eq!(
        r["legal"]["inputs"][0]["median_score"].as_f64(),
        Some(median)
    );
    assert_eq!(r["legal"]["rate"], "scoring_rate");
    assert_eq!(
        r["inputs"][0]["columns"]["scoring_median"].as_f64(),
        Some(median)
    );
    let sex = attribute(&r, "sex");
    for row in scoring["printed"]["sex"].as_array().unwrap() {
        let name = row["category"].as_str().unwrap();
        check_row(group(sex, name), row, "scoring_rate", None, name);
    }
    let race = attribute(&r, "race");
    for row in scoring["printed"]["race"].as_array().unwrap() {
        let name = row["category"].as_str().unwrap();
        let g = group(race, name);
        if name == "Hispanic or Latino" {
            // The rule prints 64.2% for 18/28 = 64.2857…%: truncated where every other rate
            // is rounded (the oracle's `inconsistencies`). We report the exact rate.
            assert_eq!(row["scoring_rate"], "64.2%");
            let rate = g["metrics"]["selection_rate"].as_f64().unwrap();
            assert!((rate - 18.0 / 28.0).abs() < 1e-15);
            continue;
        }
        check_row(g, row, "scoring_rate", None, name);
    }
    let both = attribute(&r, "sex&race");
    for row in scoring["printed"]["intersectional"].as_array().unwrap() {
        let name = format!("{}&{}", row["sex"].as_str().unwrap(), race_value(row));
        check_row(group(both, &name), row, "scoring_rate", None, &name);
    }
}

/// Every adverse-impact figure of `fixtures/hiring.csv` (decisions `selected`, no label) equals
/// pandas / scipy's to 1e-9, per attribute and intersection, unknown categories left out.
#[test]
fn label_free_hiring_equals_scipy() {
    let ex = expected("hiring.json");
    let r = audit_json(
        &[
            "fixtures/hiring.csv",
            "--group",
            "race",
            "--group",
            "sex",
            "--exclude-unknown",
        ],
        0,
    );
    assert_eq!(r["settings"]["label_free"], true);
    assert!(
        r["inputs"][0]["overall"].get("counts").is_none()
            || r["inputs"][0]["overall"]["counts"].is_null()
    );
    let mut checked = 0;
    for name in ["race", "sex", "race&sex"] {
        let want = &ex["attributes"][name];
        let a = attribute(&r, name);
        assert_eq!(
            a["most_selected_group"], want["most_selected_group"],
            "{name}"
        );
        let unknown: u64 = a["groups"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|g| g["unknown"] == true)
            .map(|g| g["n"].as_u64().unwrap())
            .sum();
        assert_eq!(unknown, want["unknown"].as_u64().unwrap(), "{name}");
        for (gname, w) in want["groups"].as_object().unwrap() {
            let g = group(a, gname);
            assert_eq!(g["n"], w["n"], "{name} {gname}");
            assert_eq!(g["selected"].as_f64(), w["selected"].as_f64(), "{gname}");
            for (ours, theirs) in [
                ("selection_rate", "selection_rate"),
                ("disparate_impact_ratio", "impact_ratio"),
                ("z_statistic", "z_statistic"),
                ("z_test_p_value", "z_test_p_value"),
                ("fisher_exact_p_value", "fisher_exact_p_value"),
                ("shortfall_to_parity", "shortfall_to_parity"),
                ("shortfall_to_four_fifths", "shortfall_to_four_fifths"),
            ] {
                let got = &g["metrics"][ours];
                let exp = &w[theirs];
                if exp.is_null() && ours.starts_with("shortfall_") {
                    // The oracle leaves the reference's shortfall null; it needs no more
                    // selections to reach its own rate: 0.
                    assert_eq!(gname, want["most_selected_group"].as_str().unwrap());
                    assert_eq!(got.as_f64(), Some(0.0), "{name} {gname} {ours}");
                    continue;
                }
                if exp.is_null() {
                    // The most-selected group's own tests.
                    assert!(got.is_null(), "{name} {gname} {ours}: {got}");
                    assert!(g["undefined"][ours]
                        .as_str()
                        .unwrap()
                        .contains("most-selected"));
                    continue;
                }
                let (got, exp) = (got.as_f64().unwrap(), exp.as_f64().unwrap());
                assert!(
                    (got - exp).abs() <= 1e-9 * exp.abs().max(1.0),
                    "{name} {gname} {ours}: {got} vs {exp}"
                );
                checked += 1;
            }
            // Label metrics are absent in a label-free audit.
            assert!(g["metrics"].get("false_positives_per_group_size").is_none());
        }
    }
    assert_eq!(checked, 125, "every defined figure of every group compared");
}

/// With the label `hired`: errors per group size (aequitas #95) equal pandas'.
#[test]
fn errors_per_group_size_equal_pandas() {
    let ex = expected("hiring.json");
    let r = audit_json(
        &[
            "fixtures/hiring.csv",
            "--label",
            "hired",
            "--group",
            "race",
            "--exclude-unknown",
        ],
        0,
    );
    assert_eq!(r["settings"]["label_free"], false);
    let a = attribute(&r, "race");
    for (gname, w) in ex["attributes"]["race"]["groups"].as_object().unwrap() {
        let g = group(a, gname);
        for k in [
            "false_positives_per_group_size",
            "false_negatives_per_group_size",
        ] {
            let (got, exp) = (g["metrics"][k].as_f64().unwrap(), w[k].as_f64().unwrap());
            assert!((got - exp).abs() < 1e-12, "{gname} {k}: {got} vs {exp}");
        }
    }
}

#[test]
fn exclude_below_leaves_small_categories_out_of_impact_ratios() {
    let ex = expected("hiring.json");
    let want = &ex["attributes"]["race"]["ll144_exclude_below"];
    let r = audit_json(
        &[
            "fixtures/hiring.csv",
            "--group",
            "race",
            "--preset",
            "ll144",
            "--exclude-below",
            "0.02",
        ],
        0,
    );
    let a = attribute(&r, "race");
    let excluded: Vec<&str> = a["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|g| g["unknown"] != true && g.get("excluded").is_some_and(|e| !e.is_null()))
        .map(|g| g["group"].as_str().unwrap())
        .collect();
    assert_eq!(excluded, ["Native Hawaiian or Pacific Islander"]);
    for (gname, exp) in want["impact_ratio"].as_object().unwrap() {
        let got = group(a, gname)["metrics"]["disparate_impact_ratio"]
            .as_f64()
            .unwrap();
        assert!((got - exp.as_f64().unwrap()).abs() < 1e-12, "{gname}");
    }
    // The excluded category is disclosed with its count and rate, not given an impact ratio.
    let nh = group(a, "Native Hawaiian or Pacific Islander");
    assert!(nh["metrics"]["selection_rate"].as_f64().is_some());
    assert!(nh["metrics"]["disparate_impact_ratio"].is_null());
    let row = r["legal"]["tables"][0]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["category"] == "Native Hawaiian or Pacific Islander")
        .unwrap()
        .clone();
    assert!(row["excluded"]
        .as_str()
        .unwrap()
        .contains("--exclude-below 0.02"));
    assert!(row["impact_ratio"].is_null());
}

#[test]
fn gates_on_decision_metrics_and_refusals() {
    // impact_ratio is the LL144 / EEOC name of the per-group disparate-impact ratio; the
    // shortfall gate is scoped to race.
    let r = audit_json(
        &[
            "fixtures/hiring.csv",
            "--group",
            "race",
            "--exclude-unknown",
            "--fail-if",
            "impact_ratio < 0.8",
            "--fail-if",
            "race:shortfall_to_four_fifths > 0",
        ],
        1,
    );
    let gates = r["gates"].as_array().unwrap();
    assert_eq!(gates.len(), 2);
    assert!(gates.iter().all(|g| g["passed"] == false));
    // A label metric in a label-free audit, and what the presets refuse: errors that say why.
    for (extra, says) in [
        (
            &["--fail-if", "equalized_odds_difference > 0.1"][..],
            "needs the label",
        ),
        (&["--preset", "ll144", "--label", "hired"][..], "label-free"),
        (
            &["--preset", "eeoc", "--weight", "weight"][..],
            "count people",
        ),
    ] {
        let mut args = vec!["fixtures/hiring.csv", "--group", "race"];
        args.extend(extra);
        let err = audit_error(&args);
        assert!(err.contains(says), "{extra:?}: {err}");
    }
}

#[test]
fn eeoc_preset_reports_findings() {
    let r = audit_json(
        &[
            "fixtures/hiring.csv",
            "--pred",
            "selected",
            "--group",
            "race",
            "--preset",
            "eeoc",
        ],
        0,
    );
    // hired is not a label name: label-free; --preset eeoc leaves the unknown race out.
    let table = &r["legal"]["tables"][0];
    assert_eq!(table["attribute"], "race");
    assert_eq!(table["unknown"], 60);
    let rows = table["rows"].as_array().unwrap();
    let black = rows
        .iter()
        .find(|x| x["category"] == "Black or African American")
        .unwrap();
    let e = &black["eeoc"];
    assert_eq!(e["below_four_fifths"], true);
    assert_eq!(e["statistically_significant"], true);
    let a = attribute(&r, "race");
    let g = group(a, "Black or African American");
    assert_eq!(
        e["shortfall_to_four_fifths"],
        g["metrics"]["shortfall_to_four_fifths"]
    );
    let text = bin()
        .args([
            "audit-fairness",
            "fixtures/hiring.csv",
            "--group",
            "race",
            "--preset",
            "eeoc",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    assert!(text.contains("EEOC adverse impact analysis"), "{text}");
    assert!(text.contains("4/5 + sig."), "{text}");
}

/// The impact ratio's interval (Katz log method, statsmodels' `confint_proportions_2indep(...,
/// method="log", compare="ratio")`) from the oracle's counts, and a gate on its upper end.
#[test]
fn impact_ratio_interval_and_its_gate() {
    let ex = expected("hiring.json");
    let want = &ex["attributes"]["race"];
    let r = audit_json(
        &[
            "fixtures/hiring.csv",
            "--group",
            "race",
            "--exclude-unknown",
        ],
        0,
    );
    let a = attribute(&r, "race");
    let most = want["most_selected_group"].as_str().unwrap();
    let (sr, nr) = (
        want["groups"][most]["selected"].as_f64().unwrap(),
        want["groups"][most]["n"].as_f64().unwrap(),
    );
    let z = 1.959_963_984_540_054;
    let mut below = Vec::new();
    for (gname, w) in want["groups"].as_object().unwrap() {
        let iv = &group(a, gname)["intervals"]["disparate_impact_ratio"];
        if gname == most {
            // Its own ratio is 1 whatever the sample.
            assert_eq!(iv, &serde_json::json!([1.0, 1.0]));
            continue;
        }
        let (s, n) = (w["selected"].as_f64().unwrap(), w["n"].as_f64().unwrap());
        let log_rr = (s / n / (sr / nr)).ln();
        let se = (1.0 / s - 1.0 / n + 1.0 / sr - 1.0 / nr).sqrt();
        let (lo, hi) = ((log_rr - z * se).exp(), (log_rr + z * se).exp());
        let got = iv.as_array().unwrap();
        assert!((got[0].as_f64().unwrap() - lo).abs() < 1e-12, "{gname}");
        assert!((got[1].as_f64().unwrap() - hi).abs() < 1e-12, "{gname}");
        if hi < 0.8 {
            below.push(gname.clone());
        }
    }
    assert!(
        !below.is_empty(),
        "the fixture has a group clearly under 4/5"
    );
    let r = audit_json(
        &[
            "fixtures/hiring.csv",
            "--group",
            "race",
            "--exclude-unknown",
            "--fail-if",
            "impact_ratio.upper < 0.8",
        ],
        1,
    );
    let failing: Vec<String> = r["gates"][0]["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["group"].as_str().unwrap_or("").to_string())
        .collect();
    assert_eq!(failing, below);
}

/// Empirical differential fairness of the decisions on `fixtures/hiring.csv` (unknown categories
/// left out) equals AIF360 0.6.1's `smoothed_empirical_differential_fairness(1.0)`, weighted and
/// not, with the pair and outcome the oracle's brute force finds; the largest pairwise KS and
/// Wasserstein distances of the scores equal scipy's.
#[test]
fn edf_and_distributions_of_hiring_equal_aif360_and_scipy() {
    let ex = expected("hiring.json");
    for weighted in [false, true] {
        let mut args = vec![
            "fixtures/hiring.csv",
            "--group",
            "race",
            "--group",
            "sex",
            "--score",
            "score",
            "--pred",
            "selected",
            "--exclude-unknown",
            "--edf",
            "--distribution",
        ];
        if weighted {
            args.extend(["--weight", "weight"]);
        }
        let r = audit_json(&args, 0);
        for name in ["race", "sex", "race&sex"] {
            let want =
                &ex["attributes"][name]["edf"][if weighted { "weighted" } else { "unweighted" }];
            let a = attribute(&r, name);
            let got = a["disparities"]["empirical_differential_fairness"]
                .as_f64()
                .unwrap();
            let aif = want["aif360"].as_f64().unwrap();
            assert!(
                (got - aif).abs() < 1e-9,
                "{name} {weighted}: {got} vs {aif}"
            );
            let d = &a["differential_fairness"];
            let mut pair = [
                d["group_a"].as_str().unwrap(),
                d["group_b"].as_str().unwrap(),
            ];
            pair.sort();
            let mut want_pair: Vec<&str> = want["groups"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g.as_str().unwrap())
                .collect();
            want_pair.sort();
            assert_eq!(pair.to_vec(), want_pair, "{name} {weighted}");
            let outcome = if want["outcome"] == 1 {
                "selected"
            } else {
                "not_selected"
            };
            assert_eq!(d["outcome"], outcome, "{name} {weighted}");
        }
        if weighted {
            continue;
        }
        // Every pair of race groups: KS and W1 of the scores (scipy.stats.ks_2samp,
        // wasserstein_distance); the attribute's maxima are the largest of them.
        let a = attribute(&r, "race");
        let pairs = ex["attributes"]["race"]["pairs"].as_array().unwrap();
        let ks_max = pairs
            .iter()
            .map(|p| p["ks_statistic"].as_f64().unwrap())
            .fold(0.0, f64::max);
        let w1_max = pairs
            .iter()
            .map(|p| p["wasserstein_distance"].as_f64().unwrap())
            .fold(0.0, f64::max);
        let got_ks = a["disparities"]["ks_statistic_max"].as_f64().unwrap();
        let got_w1 = a["disparities"]["wasserstein_distance_max"]
            .as_f64()
            .unwrap();
        assert!((got_ks - ks_max).abs() < 1e-9, "{got_ks} vs {ks_max}");
        assert!((got_w1 - w1_max).abs() < 1e-9, "{got_w1} vs {w1_max}");
    }
}

/// Found by the break test: a gate on a test reads neither the most-selected group (no test
/// against itself) nor a group left out; each file of LL144 is its own sample (its own median);
/// the rule's two attributes at most; infinite scores refused.
#[test]
fn gates_reference_files_and_refusals() {
    let r = audit_json(
        &[
            "fixtures/hiring.csv",
            "--group",
            "sex",
            "--exclude-unknown",
            "--fail-if",
            "z_test_p_value < 0.05",
        ],
        1,
    );
    let gate = &r["gates"][0];
    assert_eq!(gate["checked"], 1, "Female only: {gate}");
    assert_eq!(gate["failures"][0]["group"], "Female");

    let dir = tempfile::tempdir().unwrap();
    let lo = dir.path().join("lo.csv");
    let hi = dir.path().join("hi.csv");
    // Medians: lo (0.1, 0.2, 0.3, 0.4) → 0.25; hi (0.6, 0.7, 0.8, 0.9) → 0.75.
    std::fs::write(&lo, "sex,score\nF,0.1\nM,0.2\nF,0.3\nM,0.4\n").unwrap();
    std::fs::write(&hi, "sex,score\nF,0.6\nM,0.7\nF,0.8\nM,0.9\n").unwrap();
    let r = audit_json(
        &[
            lo.to_str().unwrap(),
            hi.to_str().unwrap(),
            "--group",
            "sex",
            "--score",
            "score",
            "--preset",
            "ll144",
        ],
        0,
    );
    let medians: Vec<f64> = r["legal"]["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["median_score"].as_f64().unwrap())
        .collect();
    assert_eq!(medians, [0.25, 0.75]);

    let err = audit_error(&[
        "fixtures/hiring.csv",
        "-g",
        "sex",
        "-g",
        "race",
        "-g",
        "cohort",
        "--preset",
        "ll144",
    ]);
    assert!(err.contains("at most two --group"), "{err}");
    let inf = dir.path().join("inf.csv");
    std::fs::write(&inf, "g,score\na,0.1\nb,inf\na,0.4\nb,0.7\n").unwrap();
    let err = audit_error(&[inf.to_str().unwrap(), "-g", "g", "--score", "score"]);
    assert!(
        err.contains("data row 2") && err.contains("finite"),
        "{err}"
    );
}

/// Second break round: `--reference` in a label-free terminal report (it crashed on the absent
/// label metrics); `impact_ratio.upper` reads each group's interval with `--bootstrap` too; a
/// KS gate skips the unknown category.
#[test]
fn label_free_reference_bootstrap_gate_and_ks_scope() {
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/hiring.csv",
            "-g",
            "race",
            "--reference",
            "White",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("ratio to the reference group White"),
        "{text}"
    );
    assert!(!text.contains("tpr"), "{text}");
    let r = audit_json(
        &[
            "fixtures/hiring.csv",
            "-g",
            "race",
            "--exclude-unknown",
            "--bootstrap",
            "50",
            "--seed",
            "1",
            "--fail-if",
            "impact_ratio.upper < 0.8",
        ],
        1,
    );
    // One value per compared group (5 and the reference), not the attribute's one.
    assert_eq!(r["gates"][0]["checked"], 6, "{}", r["gates"][0]);
    let r = audit_json(
        &[
            "fixtures/hiring.csv",
            "-g",
            "sex",
            "--score",
            "score",
            "--pred",
            "selected",
            "--exclude-unknown",
            "--distribution",
            "--fail-if",
            "ks_statistic > 0.5",
        ],
        0,
    );
    assert_eq!(
        r["gates"][0]["checked"], 2,
        "Female and Male, not (missing)"
    );
}

/// `fairaudit sql --no-label`: the statistics of the decisions, as DuckDB computes them from the
/// query (`scripts/oracle_sql.py` → tests/expected/sql/hiring_label_free.*), audited with
/// `--from-stats --no-label`, give the direct label-free audit's every group figure.
#[test]
fn label_free_sql_statistics_equal_the_direct_audit() {
    let stats = common::sql_statistics(
        "hiring_label_free",
        &[
            "--dialect",
            "duckdb",
            "--no-label",
            "--pred",
            "selected",
            "-g",
            "race",
            "-g",
            "sex",
        ],
    );
    let from = audit_json(
        &[
            "--from-stats",
            stats.to_str().unwrap(),
            "--no-label",
            "--exclude-unknown",
        ],
        0,
    );
    let direct = audit_json(
        &[
            "fixtures/hiring.csv",
            "--pred",
            "selected",
            "-g",
            "race",
            "-g",
            "sex",
            "--exclude-unknown",
        ],
        0,
    );
    assert_eq!(from["settings"]["label_free"], true);
    let mut compared = 0;
    for name in ["race", "sex", "race&sex"] {
        let (a, b) = (attribute(&from, name), attribute(&direct, name));
        assert_eq!(a["most_selected_group"], b["most_selected_group"]);
        for g in b["groups"].as_array().unwrap() {
            let h = group(a, g["group"].as_str().unwrap());
            for (k, v) in g["metrics"].as_object().unwrap() {
                match (v.as_f64(), h["metrics"][k].as_f64()) {
                    (Some(x), Some(y)) => assert!((x - y).abs() < 1e-12, "{name} {k}"),
                    (x, y) => assert_eq!(x, y, "{name} {k}"),
                }
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 240);
}

/// Label-free through the other paths: a threshold sweep (worked by hand) and a statistics file
/// (`--emit-stats` → `--from-stats`) giving the direct audit's figures.
#[test]
fn label_free_sweep_and_statistics_file() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("s.csv");
    // a: 0.1 0.6 0.9; b: 0.4 0.7. At 0.5: a 2/3, b 1/2 (impact ratio 0.75); at 0.8: a 1/3,
    // b 0/2 (impact ratio 0, shortfall to four fifths ⌈0.8·(1/3)·2⌉ − 0 = 1).
    std::fs::write(&f, "g,score\na,0.1\na,0.6\na,0.9\nb,0.4\nb,0.7\n").unwrap();
    let r = audit_json(
        &[
            f.to_str().unwrap(),
            "-g",
            "g",
            "--score",
            "score",
            "--threshold",
            "0.5,0.8",
        ],
        0,
    );
    assert_eq!(r["settings"]["label_free"], true);
    let at = |i: usize, g: &str, k: &str| {
        let a = &r["thresholds"][i]["attributes"][0];
        group(a, g)["metrics"][k].as_f64()
    };
    assert_eq!(at(0, "a", "selection_rate"), Some(2.0 / 3.0));
    assert_eq!(at(0, "b", "disparate_impact_ratio"), Some(0.75));
    assert_eq!(at(1, "b", "selection_rate"), Some(0.0));
    assert_eq!(at(1, "b", "shortfall_to_four_fifths"), Some(1.0));
    assert!(r["thresholds"][0]["attributes"][0]["groups"][0]["metrics"]
        .get("true_positive_rate")
        .is_none());

    let stats = dir.path().join("stats.json");
    let direct = audit_json(
        &[
            "fixtures/hiring.csv",
            "-g",
            "race",
            "-g",
            "sex",
            "--emit-stats",
            stats.to_str().unwrap(),
        ],
        0,
    );
    let from = audit_json(&["--from-stats", stats.to_str().unwrap()], 0);
    assert_eq!(from["settings"]["label_free"], true);
    // The same groups and figures (the statistics file's counts add in another order: the
    // last digit may differ).
    let mut compared = 0;
    for (a, b) in from["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .zip(direct["attributes"].as_array().unwrap())
    {
        assert_eq!(a["name"], b["name"]);
        assert_eq!(a["most_selected_group"], b["most_selected_group"]);
        for (g, h) in a["groups"]
            .as_array()
            .unwrap()
            .iter()
            .zip(b["groups"].as_array().unwrap())
        {
            assert_eq!(g["group"], h["group"]);
            for (k, v) in h["metrics"].as_object().unwrap() {
                match (v.as_f64(), g["metrics"][k].as_f64()) {
                    (Some(x), Some(y)) => assert!((x - y).abs() < 1e-12, "{k}: {x} vs {y}"),
                    (x, y) => assert_eq!(x, y, "{k}"),
                }
                compared += 1;
            }
        }
    }
    assert!(compared > 200, "{compared}");
}
