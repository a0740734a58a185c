//! Group thresholds (issue 17): `--suggest-thresholds` against a brute force over EVERY
//! combination of per-group thresholds (scripts/oracle_thresholds.py on
//! fixtures/thresholds_small.csv) and against fairlearn's ThresholdOptimizer
//! (scripts/oracle_fairlearn_thresholds.py on fixtures/compas_scores.csv); `--group-thresholds`
//! against counts made by hand; and each refusal.
//!
//! fixtures/thresholds_small.csv (row 16, group b, has no score: dropped):
//!
//! ```text
//! a: 0.9(1) 0.8(1, w2) 0.8(0) 0.7(1, w.5) 0.6(0) 0.5(1) 0.3(0, w2) 0.2(0)
//! b: 0.85(1) 0.6(0) 0.55(1, w2) 0.5(0) 0.4(0, w.5) 0.4(1) 0.1(0)
//! c: 0.75(0) 0.65(1) 0.45(0, w2) 0.35(1) 0.3(0) 0.15(0, w.5)
//! ```
//!
//! `--group-thresholds group=a:0.6,b:0.45,c:0.35`, by hand: a selects 0.9 0.8 0.8 0.7 0.6: tp 3
//! fp 2, then fn 1 (0.5), tn 2; b selects 0.85 0.6 0.55 0.5: tp 2 fp 2, fn 1 (0.4), tn 2
//! (0.4, 0.1); c selects 0.75 0.65 0.45 0.35: tp 2 fp 2, fn 0, tn 2.

mod common;

use common::*;
use serde_json::Value;

const SMALL: &str = "fixtures/thresholds_small.csv";
const COMPAS: &str = "fixtures/compas_scores.csv";

fn expected(name: &str) -> Value {
    let path = root().join("tests/expected/thresholds").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).expect("expected file")).expect("JSON")
}

fn suggest(file: &str, extra: &[&str]) -> Value {
    let mut args = vec![
        file, "--score", "score", "--label", "label", "--group", "group",
    ];
    if file == COMPAS {
        args = vec![
            file,
            "--score",
            "proba",
            "--label",
            "label_value",
            "--group",
            "race",
        ];
    }
    args.extend_from_slice(extra);
    audit_json(&args, 0)["suggested_thresholds"].clone()
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("not a number: {v}"))
}

#[test]
fn brute_force_every_combination() {
    let e = expected("small.json");
    let mut checked = 0;
    for case in e["cases"].as_array().expect("cases") {
        let cons = case["constraint"].as_str().unwrap().replace('_', "-");
        let eps = case["tolerance"].as_f64().unwrap().to_string();
        let mut args: Vec<&str> = vec!["--suggest-thresholds", &cons, "--tolerance", &eps];
        match case["objective"].as_str().unwrap() {
            "accuracy" => args.extend(["--objective", "accuracy"]),
            "balanced_accuracy" => args.extend(["--objective", "balanced-accuracy"]),
            _ => args.extend(["--cost-fp", "1", "--cost-fn", "3"]),
        }
        if case["weighted"] == true {
            args.extend(["--weight", "weight"]);
        }
        let s = suggest(SMALL, &args);
        let best = f(&case["best_objective"]);
        let minimise = case["objective"] == "expected_cost";
        let eps = f(&case["tolerance"]);
        let at_least = |got: f64| {
            if minimise {
                got <= best + 1e-12
            } else {
                got >= best - 1e-12
            }
        };
        // The randomized rule reaches at least the best deterministic choice, within EPS.
        let r = &s["randomized"];
        assert!(at_least(f(&r["objective"])), "{case}: randomized {r}");
        assert!(f(&r["constraint"]) <= eps + 1e-9, "{case}: randomized {r}");
        if cons == "equalized-odds" {
            assert!(s["deterministic"].is_null());
            assert_eq!(s["suggested"], "randomized");
        } else {
            // The deterministic search is exact: the brute force's best objective, within EPS.
            let d = &s["deterministic"];
            assert!(close(f(&d["objective"]), best, 1e-12), "{case}: got {d}");
            assert!(f(&d["constraint"]) <= eps + 1e-9, "{case}: got {d}");
            assert_eq!(s["objective_after"], d["objective"]);
            // Each group's reported threshold gives the reported rates.
            for g in s["groups"].as_array().unwrap() {
                assert_eq!(g["after"]["thresholds"].as_array().unwrap().len(), 1);
            }
        }
        checked += 1;
    }
    assert_eq!(checked, 108);
}

#[test]
fn before_and_after_by_hand() {
    // EOP within 0, accuracy, unweighted: the brute force's optimum is 14/21 (a 0.5, b 0.4,
    // c 0.35: every positive selected, TPR 1 each). Before, at 0.5 for all: a tp 4 fp 2 tn 2
    // fn 0; b tp 2 fp 2 tn 2 fn 1; c (0.75, 0.65 selected) tp 1 fp 1 tn 3 fn 1 → 14 of 21
    // correct too; TPRs 1, 2/3, 1/2: spread 1/2.
    let s = suggest(SMALL, &["--suggest-thresholds", "equal-opportunity"]);
    assert!(close(f(&s["objective_before"]), 14.0 / 21.0, 1e-12), "{s}");
    assert!(close(f(&s["constraint_before"]), 0.5, 1e-12));
    assert!(close(f(&s["objective_after"]), 14.0 / 21.0, 1e-12));
    assert_eq!(f(&s["constraint_after"]), 0.0);
    let a = &s["groups"][0];
    assert_eq!(a["group"], "a");
    assert!(close(f(&a["before"]["true_positive_rate"]), 1.0, 1e-12));
    assert!(close(
        f(&s["groups"][1]["before"]["true_positive_rate"]),
        2.0 / 3.0,
        1e-12
    ));
    assert_eq!(f(&s["groups"][2]["before"]["true_positive_rate"]), 0.5);
    for g in s["groups"].as_array().unwrap() {
        assert_eq!(f(&g["after"]["true_positive_rate"]), 1.0);
    }
    // The curve starts at EPS 0 and ends at the unconstrained optimum's spread.
    let curve = s["curve"].as_array().unwrap();
    assert_eq!(curve.len(), 21);
    assert_eq!(f(&curve[0]["tolerance"]), 0.0);
    assert!(close(
        f(&curve[20]["tolerance"]),
        f(&s["unconstrained"]["constraint"]),
        1e-12
    ));
    assert!(close(
        f(&curve[20]["deterministic_objective"]),
        f(&s["unconstrained"]["objective"]),
        1e-12
    ));
}

#[test]
fn fairlearn_threshold_optimizer_is_reached() {
    let e = expected("fairlearn.json");
    assert_eq!(e["versions"]["fairlearn"], "0.15.0");
    for case in e["cases"].as_array().expect("cases") {
        let viol = f(&case["violation"]).max(0.0);
        let eps = viol.to_string();
        let s = suggest(
            COMPAS,
            &[
                "--suggest-thresholds",
                case["fairaudit_constraint"].as_str().unwrap(),
                "--objective",
                case["fairaudit_objective"].as_str().unwrap(),
                "--tolerance",
                &eps,
            ],
        );
        let ours = f(&s["randomized"]["objective"]);
        let theirs = f(&case["expected_objective"]);
        assert!(
            ours >= theirs - 1e-12,
            "{case}: ours {ours} < fairlearn {theirs}"
        );
        assert!(
            f(&s["randomized"]["constraint"]) <= viol + 1e-9,
            "{case}: {s}"
        );
    }
}

#[test]
fn group_thresholds_counts_by_hand() {
    let e = expected("small.json");
    for (weighted, key) in [(false, "rows"), (true, "weighted")] {
        let mut args = vec![
            SMALL,
            "--score",
            "score",
            "--label",
            "label",
            "--group",
            "group",
            "--group-thresholds",
            "group=a:0.6,b:0.45,c:0.35",
        ];
        if weighted {
            args.extend(["--weight", "weight"]);
        }
        let r = audit_json(&args, 0);
        for g in ["a", "b", "c"] {
            let got = &group(attr(&r, "group"), g)["counts"];
            for q in ["tp", "fp", "tn", "fn"] {
                assert_eq!(got[q], e["applied"][key][g][q], "{key} {g} {q}");
            }
        }
        let used = &r["inputs"][0]["columns"];
        assert!(used["threshold"].is_null());
        assert_eq!(used["group_thresholds"]["attribute"], "group");
        assert_eq!(used["group_thresholds"]["thresholds"][1]["group"], "b");
        assert_eq!(used["group_thresholds"]["thresholds"][1]["threshold"], 0.45);
    }
    // By hand (see the top): the unweighted counts.
    let r = audit_json(
        &[
            SMALL,
            "--score",
            "score",
            "--label",
            "label",
            "--group",
            "group",
            "--group-thresholds",
            "group=a:0.6,b:0.45,c:0.35",
        ],
        0,
    );
    let b = &group(attr(&r, "group"), "b")["counts"];
    assert_eq!(
        (
            b["tp"].as_f64(),
            b["fp"].as_f64(),
            b["tn"].as_f64(),
            b["fn"].as_f64()
        ),
        (Some(2.0), Some(2.0), Some(2.0), Some(1.0))
    );
    // The table's header line says which thresholds decided.
    let text = run_stdout(
        &[
            "audit-fairness",
            SMALL,
            "--score",
            "score",
            "--label",
            "label",
            "--group",
            "group",
            "--group-thresholds",
            "group=a:0.6,b:0.45,c:0.35",
        ],
        0,
    );
    assert!(
        text.contains("threshold of the row's group (a 0.6, b 0.45, c 0.35)"),
        "{text}"
    );
}

#[test]
fn group_thresholds_from_a_file_equal_inline() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "t.csv",
        "attribute,group,threshold\ngroup,a,0.6\ngroup,b,0.45\ngroup,c,0.35\n",
    );
    let at = format!("@{file}");
    let base = [
        SMALL,
        "--score",
        "score",
        "--label",
        "label",
        "--group",
        "group",
        "--group-thresholds",
    ];
    let mut a = base.to_vec();
    a.push(&at);
    let mut b = base.to_vec();
    b.push("group=a:0.6,b:0.45,c:0.35");
    assert_eq!(
        audit_json(&a, 0)["attributes"],
        audit_json(&b, 0)["attributes"]
    );
}

#[test]
fn refusals() {
    let base = [
        SMALL, "--score", "score", "--label", "label", "--group", "group",
    ];
    let err = |extra: &[&str]| {
        let mut a = base.to_vec();
        a.extend_from_slice(extra);
        audit_error(&a)
    };
    // A group without a threshold, with the closest given name.
    let e = err(&["--group-thresholds", "group=a:0.6,bb:0.45,c:0.35"]);
    assert!(e.contains("no threshold for the group of 'group': 'b' ('bb' is no group of the data: did you mean 'b'?)"), "{e}");
    let e = err(&["--group-thresholds", "group=a:0.6"]);
    assert!(
        e.contains("'b'") && e.contains("'c'") && e.contains("the groups"),
        "{e}"
    );
    for (extra, words) in [
        (
            &["--group-thresholds", "race=a:0.6"][..],
            "'race' is not a --group attribute",
        ),
        (
            &["--group-thresholds", "group=a:0.6,b:x"][..],
            "threshold 'x' of group 'b' is not a number",
        ),
        (
            &["--group-thresholds", "group:a"][..],
            "expected ATTR=GROUP:T",
        ),
        (
            &["--group-thresholds", "group=a:0.6,a:0.5"][..],
            "group 'a' is given twice",
        ),
        (
            &[
                "--group-thresholds",
                "group=a:0.6,b:0.4,c:0.3",
                "--pred",
                "label",
            ][..],
            "cannot go with --pred",
        ),
        (
            &[
                "--group-thresholds",
                "group=a:0.6,b:0.4,c:0.3",
                "--threshold-sweep",
                "0:1:0.5",
            ][..],
            "cannot go with --threshold-sweep",
        ),
        (
            &[
                "--group-thresholds",
                "group=a:0.6,b:0.4,c:0.3",
                "--threshold",
                "0.3,0.5",
            ][..],
            "cannot go with --threshold-sweep / several --threshold",
        ),
        (
            &[
                "--group-thresholds",
                "group=a:0.6,b:0.4,c:0.3",
                "--top-k",
                "3",
            ][..],
            "cannot go with --top-k",
        ),
        (
            &[
                "--group-thresholds",
                "group=a:0.6,b:0.4,c:0.3",
                "--suggest-thresholds",
                "demographic-parity",
            ][..],
            "give one of them",
        ),
        (
            &["--tolerance", "0.1"][..],
            "--tolerance goes with --suggest-thresholds",
        ),
        (
            &["--objective", "accuracy"][..],
            "--objective goes with --suggest-thresholds",
        ),
        (
            &[
                "--suggest-thresholds",
                "demographic-parity",
                "--suggest-for",
                "race",
            ][..],
            "--suggest-for 'race' is not a --group attribute",
        ),
        (
            &[
                "--suggest-thresholds",
                "equalized-odds",
                "--cost-fp",
                "0",
                "--cost-fn",
                "0",
            ][..],
            "both 0",
        ),
        (
            &[
                "--suggest-thresholds",
                "equal-opportunity",
                "--task",
                "regression",
            ][..],
            "cannot go with --task regression",
        ),
    ] {
        let e = err(extra);
        assert!(e.contains(words), "{extra:?}: {e}");
    }
    let e = audit_error(&[
        SMALL,
        "--score",
        "score",
        "--group",
        "group",
        "--no-label",
        "--suggest-thresholds",
        "demographic-parity",
    ]);
    assert!(e.contains("cannot go with --no-label"), "{e}");
    // Without --score.
    let e = audit_error(&[
        SMALL,
        "--pred",
        "label",
        "--label",
        "label",
        "--group",
        "group",
        "--suggest-thresholds",
        "demographic-parity",
    ]);
    assert!(
        e.contains("--suggest-thresholds thresholds a score: pass --score COL"),
        "{e}"
    );
    // clap: costs go in pairs, and not with --objective (exit 2).
    assert_eq!(
        exit_code(&[
            "audit-fairness",
            SMALL,
            "--score",
            "score",
            "--group",
            "group",
            "--suggest-thresholds",
            "demographic-parity",
            "--cost-fp",
            "1"
        ]),
        2
    );
    assert_eq!(
        exit_code(&[
            "audit-fairness",
            SMALL,
            "--score",
            "score",
            "--group",
            "group",
            "--suggest-thresholds",
            "demographic-parity",
            "--cost-fp",
            "1",
            "--cost-fn",
            "2",
            "--objective",
            "accuracy"
        ]),
        2
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = write(dir.path(), "t.csv", "attr,group,threshold\ngroup,a,0.6\n");
    let e = err(&["--group-thresholds", &format!("@{bad}")]);
    assert!(
        e.contains("the header must be `attribute,group,threshold`"),
        "{e}"
    );
}

#[test]
fn rounded_scores_are_said() {
    let r = audit_json(
        &[
            SMALL,
            "--score",
            "score",
            "--label",
            "label",
            "--group",
            "group",
            "--score-resolution",
            "0.1",
            "--group-thresholds",
            "group=a:0.6,b:0.45,c:0.35",
        ],
        0,
    );
    let w = r["warnings"].to_string();
    assert!(
        w.contains("the group thresholds apply to the rounded scores"),
        "{w}"
    );
    let r = audit_json(
        &[
            SMALL,
            "--score",
            "score",
            "--label",
            "label",
            "--group",
            "group",
            "--score-resolution",
            "0.1",
            "--suggest-thresholds",
            "demographic-parity",
        ],
        0,
    );
    assert!(r["warnings"]
        .to_string()
        .contains("the suggested thresholds are among the rounded scores"));
}

#[test]
fn gates_on_the_suggestion() {
    // EOP within 0 on the small file: 14/21 after (see before_and_after_by_hand).
    let base = [
        SMALL,
        "--score",
        "score",
        "--label",
        "label",
        "--group",
        "group",
        "--suggest-thresholds",
        "equal-opportunity",
    ];
    let with = |gate: &str, code: i32| {
        let mut a = base.to_vec();
        a.extend(["--fail-if", gate]);
        audit_json(&a, code)
    };
    let r = with("suggested_objective_after < 0.66", 0);
    assert_eq!(r["gates"][0]["passed"], true);
    let r = with("group:suggested_objective_after < 0.67", 1);
    assert_eq!(r["gates"][0]["passed"], false);
    with("suggested_constraint_before > 0.4", 1);
    with("suggested_constraint_after > 0", 0);
    let e = audit_error(&[
        SMALL,
        "--score",
        "score",
        "--label",
        "label",
        "--group",
        "group",
        "--fail-if",
        "suggested_objective_after < 0.7",
    ]);
    assert!(e.contains("is a number of --suggest-thresholds"), "{e}");
}

#[test]
fn html_markdown_and_csv_views() {
    let base = [
        "audit-fairness",
        SMALL,
        "--score",
        "score",
        "--label",
        "label",
        "--group",
        "group",
        "--suggest-thresholds",
        "demographic-parity",
        "--tolerance",
        "0.1",
    ];
    let json: Value =
        serde_json::from_str(&run_stdout(&[&base[..], &["--json"]].concat(), 0)).unwrap();
    let s = &json["suggested_thresholds"];
    let html = run_stdout(&[&base[..], &["--format", "html"]].concat(), 0);
    let doc = check_html(&html, &json);
    assert!(
        chart_names(&doc)
            .iter()
            .any(|n| n == "suggested-thresholds-group"),
        "{:?}",
        chart_names(&doc)
    );
    // The brute force's best at EPS 0.1 (unweighted accuracy): 0.6667 (a 0.8, b 0.55, c 0.65).
    assert!(close(f(&s["objective_after"]), 2.0 / 3.0, 1e-12));
    let md = run_stdout(&[&base[..], &["--format", "markdown"]].concat(), 0);
    assert!(md.contains("## suggested thresholds for group — demographic parity within 0.1, maximising accuracy"), "{md}");
    assert!(md.contains("### Trade-off curve"));
    let csv = run_stdout(&[&base[..], &["--format", "csv"]].concat(), 0);
    let row = csv
        .lines()
        .find(|l| l.contains("group [suggested thresholds],(overall),objective_after"))
        .expect("objective_after row");
    let v: f64 = row.split(',').nth(4).unwrap().parse().unwrap();
    assert_eq!(v, f(&s["objective_after"]));
    assert_eq!(
        csv.lines()
            .filter(|l| l.contains("curve_randomized_objective"))
            .count(),
        21
    );
}

#[test]
fn randomized_equals_the_linear_programme() {
    // scripts/oracle_lp_thresholds.py: the same problem as an LP over EVERY candidate of every
    // group (no hull), solved by scipy's HiGHS; 99 cases on both fixtures.
    let e = expected("lp.json");
    for case in e["cases"].as_array().expect("cases") {
        let s = |k: &str| case[k].as_str().unwrap().to_string();
        let cons = s("constraint").replace('_', "-");
        let eps = case["tolerance"].as_f64().unwrap().to_string();
        let (file, g, sc, l) = (s("file"), s("group"), s("score"), s("label"));
        let mut args: Vec<&str> = vec![
            &file,
            "--group",
            &g,
            "--score",
            &sc,
            "--label",
            &l,
            "--suggest-thresholds",
            &cons,
            "--tolerance",
            &eps,
        ];
        let obj = s("objective").replace('_', "-");
        if obj == "expected-cost" {
            args.extend(["--cost-fp", "1", "--cost-fn", "3"]);
        } else {
            args.extend(["--objective", &obj]);
        }
        let w = case["weight"].as_str().map(str::to_string);
        if let Some(w) = &w {
            args.extend(["--weight", w]);
        }
        let r = audit_json(&args, 0)["suggested_thresholds"].clone();
        let ours = f(&r["randomized"]["objective"]);
        let lp = f(&case["randomized_objective"]);
        assert!(close(ours, lp, 1e-9), "{case}: ours {ours}, HiGHS {lp}");
        assert!(f(&r["randomized"]["constraint"]) <= case["tolerance"].as_f64().unwrap() + 1e-9);
    }
}

#[test]
fn a_group_without_positives_and_a_group_of_one_row() {
    // x: 0.9(1) 0.6(0) 0.4(1) 0.2(0); y: 0.8(0) 0.3(0) (no positives: TPR undefined);
    // z: 0.7(1) (one row). Equal opportunity within 0: y is not constrained and takes its best
    // threshold alone (+inf: both negatives right); x and z reach TPR 1 (x at 0.4, z at 0.7):
    // x right 3 of 4 (0.6 is a false positive), z 1 → 6 of 7.
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "e.csv",
        "g,s,y\nx,0.9,1\nx,0.6,0\nx,0.4,1\nx,0.2,0\ny,0.8,0\ny,0.3,0\nz,0.7,1\n",
    );
    let r = audit_json(
        &[
            &file,
            "--group",
            "g",
            "--score",
            "s",
            "--label",
            "y",
            "--suggest-thresholds",
            "equal-opportunity",
        ],
        0,
    );
    let s = &r["suggested_thresholds"];
    assert!(close(f(&s["objective_after"]), 6.0 / 7.0, 1e-12), "{s}");
    assert_eq!(f(&s["constraint_after"]), 0.0);
    let y = &s["groups"][1];
    assert_eq!(y["group"], "y");
    assert_eq!(y["constrained"], false);
    assert!(y["after"]["true_positive_rate"].is_null());
    assert!(y["after"]["thresholds"][0]["threshold"].is_null());
    let z = &s["groups"][2];
    assert_eq!(z["rows"], 1);
    assert_eq!(z["after"]["thresholds"][0]["threshold"], 0.7);
    assert!(
        r["warnings"]
            .to_string()
            .contains("y of 'g' has no positives (TPR undefined): not constrained"),
        "{}",
        r["warnings"]
    );
    // Equalized odds: z has no negatives either, so only x is constrained.
    let r = audit_json(
        &[
            &file,
            "--group",
            "g",
            "--score",
            "s",
            "--label",
            "y",
            "--suggest-thresholds",
            "equalized-odds",
        ],
        0,
    );
    assert!(r["warnings"]
        .to_string()
        .contains("y, z of 'g' have no positives or no negatives"));
    assert_eq!(f(&r["suggested_thresholds"]["constraint_after"]), 0.0);
}

/// Break-test cases: a cost ratio of 1e17 (the cost used to cancel to −8), `inf` / `none`
/// thresholds, did-you-mean pairs, an intersection, a negative tolerance.
#[test]
fn extreme_costs_infinite_thresholds_and_messages() {
    // With a false negative 1e17 times as costly, every positive is selected: each group's
    // threshold is its lowest positive score (a 0.5, b 0.4, c 0.35), and the false positives
    // are a: 0.8, 0.6; b: 0.6, 0.5, 0.4; c: 0.75, 0.45 — 7 of the 21 scored rows.
    let s = suggest(
        SMALL,
        &[
            "--suggest-thresholds",
            "equal-opportunity",
            "--tolerance",
            "0.05",
            "--cost-fp",
            "1",
            "--cost-fn",
            "1e17",
        ],
    );
    let cost = f(&s["objective_after"]);
    assert!((cost - 7.0 / 21.0).abs() < 1e-12, "expected cost {cost}");
    // `inf` and `none`: nobody selected in the group.
    let r = audit_json(
        &[
            SMALL,
            "--score",
            "score",
            "--label",
            "label",
            "--group",
            "group",
            "--group-thresholds",
            "group=a:inf,b:0.45,c:none",
        ],
        0,
    );
    let groups = r["attributes"][0]["groups"].as_array().unwrap();
    let rate = |g: &str| {
        groups.iter().find(|x| x["group"] == g).unwrap()["metrics"]["selection_rate"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(rate("a"), 0.0);
    assert_eq!(rate("c"), 0.0);
    assert_eq!(rate("b"), 4.0 / 7.0);
    // Misspelt names are paired with the group each is closest to.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("g.csv");
    std::fs::write(
        &file,
        "gf,label,score\n0.0,1,0.9\n1.0,0,0.2\n0.0,0,0.4\n1.0,1,0.7\n",
    )
    .unwrap();
    let err = audit_error(&[
        file.to_str().unwrap(),
        "--label",
        "label",
        "--score",
        "score",
        "--group",
        "gf",
        "--group-thresholds",
        "gf=0:0.5,1:0.6",
    ]);
    assert!(err.contains("'0.0' ('0' is no group"), "{err}");
    assert!(err.contains("'1.0' ('1' is no group"), "{err}");
    // An intersection is not a column.
    let err = audit_error(&[
        COMPAS,
        "--score",
        "proba",
        "--label",
        "label_value",
        "--group",
        "race",
        "--group",
        "sex",
        "--group-thresholds",
        "race&sex=a:0.5",
    ]);
    assert!(err.contains("is an intersection"), "{err}");
    // A negative tolerance reaches the tolerance's own message, not clap's "unexpected '-0'".
    let err = audit_error(&[
        SMALL,
        "--score",
        "score",
        "--label",
        "label",
        "--group",
        "group",
        "--suggest-thresholds",
        "demographic-parity",
        "--tolerance",
        "-0.1",
    ]);
    assert!(!err.contains("unexpected argument"), "{err}");
    assert!(err.contains("--tolerance"), "{err}");
}
