//! Decisions by rank (`--top-k`, `--top-fraction`, `--ties`, `--within`), worked out by hand on
//! `fixtures/topk_ties.csv`:
//!
//! ```text
//! id sex cohort score hired weight      rank (all 11 rows with a score, highest first)
//!  1  F    A    0.95   1     1          1
//!  2  M    A    0.90   1     2          2
//!  7  M    B    0.85   1     1          3
//!  3  F    A    0.80   0     1          4-7  (four rows at 0.80: F 3, 8; M 4, 5)
//!  4  M    A    0.80   1     1          4-7
//!  5  M    A    0.80   0     2          4-7
//!  8  F    B    0.80   1     1          4-7
//!  9  F    B    0.70   0     2          8-9
//! 10  M    B    0.70   0     1          8-9
//!  6  F    A    0.60   0     1          10
//! 12  M    B    0.40   0     1          11
//! 11  F    B    (missing)  1 1          not ranked: dropped
//! ```
//!
//! F has 5 ranked rows (1, 3, 6, 8, 9), M 6 (2, 4, 5, 7, 10, 12).
//! `--top-k 5`: the 5th highest score is 0.80, shared by ranks 4 to 7 — a tie across the cut-off
//! and across the two groups.
//! - include: every row scoring >= 0.80: 1, 2, 7, 3, 4, 5, 8 (7 rows). F 1, 3, 8 → 3/5 = 0.6;
//!   M 2, 4, 5, 7 → 4/6. F: tp 2 (1, 8) fp 1 (3) tn 2 (6, 9) fn 0; M: tp 3 (2, 4, 7) fp 1 (5)
//!   tn 2 (10, 12) fn 0.
//! - exclude: only rows scoring > 0.80: 1, 2, 7 (3 rows). F 1 → 1/5; M 2, 7 → 2/6.
//!
//! `--top-k 3`: the 3rd score 0.85 is above the 4th (0.80): no tie, 1, 2, 7 either way.

mod common;

use common::*;

const FILE: &str = "fixtures/topk_ties.csv";

fn run(extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        FILE, "--label", "hired", "--score", "score", "--group", "sex",
    ];
    args.extend_from_slice(extra);
    audit_json(&args, 0)
}

fn sel(r: &serde_json::Value, g: &str) -> f64 {
    metric(group(attr(r, "sex"), g), "selection_rate").unwrap()
}

#[test]
fn tie_across_groups_included() {
    let r = run(&["--top-k", "5"]);
    assert!(close(sel(&r, "F"), 0.6, 1e-12));
    assert!(close(sel(&r, "M"), 4.0 / 6.0, 1e-12));
    let f = group(attr(&r, "sex"), "F");
    assert_eq!(f["counts"]["tp"], 2.0);
    assert_eq!(f["counts"]["fp"], 1.0);
    assert_eq!(f["counts"]["tn"], 2.0);
    assert_eq!(f["counts"]["fn"], 0.0);
    let m = group(attr(&r, "sex"), "M");
    assert_eq!(m["counts"]["tp"], 3.0);
    assert_eq!(m["counts"]["fp"], 1.0);
    assert_eq!(m["counts"]["tn"], 2.0);
    let d = &r["inputs"][0]["decisions"];
    assert_eq!(d["rule"], "top_k");
    assert_eq!(d["top_k"], 5);
    assert_eq!(d["ties"], "include");
    assert_eq!(d["rows_ranked"], 11);
    assert_eq!(d["rows_selected"], 7);
    assert_eq!(d["rankings_with_tie"], 1);
    let k = &d["rankings"][0];
    assert_eq!(k["within"], serde_json::Value::Null);
    assert_eq!(k["k"], 5);
    assert_eq!(k["cutoff_score"], 0.8);
    assert_eq!(k["tie_at_cutoff"], true);
    assert_eq!(k["rows_at_cutoff"], 4);
    assert_eq!(k["rows_at_cutoff_selected"], 4);
    let by = k["at_cutoff_by_group"].as_array().unwrap();
    assert_eq!(by.len(), 2);
    assert_eq!(
        (&by[0]["group"], &by[0]["rows"], &by[0]["selected"]),
        (&"F".into(), &2.into(), &2.into())
    );
    assert_eq!(
        (&by[1]["group"], &by[1]["rows"], &by[1]["selected"]),
        (&"M".into(), &2.into(), &2.into())
    );
    // The row without a score is dropped with its reason; no threshold is reported.
    assert_eq!(r["inputs"][0]["rows_used"], 11);
    assert_eq!(
        r["inputs"][0]["rows_dropped"][0]["reason"],
        "missing score (cannot be ranked)"
    );
    assert_eq!(
        r["inputs"][0]["columns"]["threshold"],
        serde_json::Value::Null
    );
}

#[test]
fn tie_across_groups_excluded() {
    let r = run(&["--top-k", "5", "--ties", "exclude"]);
    assert!(close(sel(&r, "F"), 0.2, 1e-12));
    assert!(close(sel(&r, "M"), 2.0 / 6.0, 1e-12));
    // demographic parity ratio: 0.2 / (1/3) = 0.6
    assert!(close(
        disp(attr(&r, "sex"), "demographic_parity_ratio").unwrap(),
        0.6,
        1e-12
    ));
    let k = &r["inputs"][0]["decisions"]["rankings"][0];
    assert_eq!(k["rows_selected"], 3);
    assert_eq!(k["rows_at_cutoff"], 4);
    assert_eq!(k["rows_at_cutoff_selected"], 0);
}

#[test]
fn no_tie_at_the_cutoff_selects_exactly_k() {
    for ties in ["include", "exclude"] {
        let r = run(&["--top-k", "3", "--ties", ties]);
        // 1 (F), 2 (M), 7 (M): F 1/5, M 2/6.
        assert!(close(sel(&r, "F"), 0.2, 1e-12));
        assert!(close(sel(&r, "M"), 2.0 / 6.0, 1e-12));
        let k = &r["inputs"][0]["decisions"]["rankings"][0];
        assert_eq!(k["cutoff_score"], 0.85);
        assert_eq!(k["tie_at_cutoff"], false);
        assert_eq!(k["rows_selected"], 3);
        assert_eq!(k["rows_at_cutoff"], 1);
    }
}

#[test]
fn top_fraction_rounds_up() {
    // ⌈0.3 · 11⌉ = ⌈3.3⌉ = 4: the 4th score is 0.80, tied over ranks 4-7.
    let r = run(&["--top-fraction", "0.3"]);
    let d = &r["inputs"][0]["decisions"];
    assert_eq!(d["rule"], "top_fraction");
    assert_eq!(d["top_fraction"], 0.3);
    assert_eq!(d["rankings"][0]["k"], 4);
    assert_eq!(d["rows_selected"], 7);
    let r = run(&["--top-fraction", "0.3", "--ties", "exclude"]);
    assert_eq!(r["inputs"][0]["decisions"]["rows_selected"], 3);
    // ⌈(3/11) · 11⌉ must be 3, not 4 (floating point: 0.2727… · 11 = 3.0000000000000004).
    let r = run(&["--top-fraction", &format!("{}", 3.0 / 11.0)]);
    let k = &r["inputs"][0]["decisions"]["rankings"][0];
    assert_eq!(k["k"], 3);
    assert_eq!(k["cutoff_score"], 0.85);
}

/// Within each cohort, k = 3 per cohort.
/// A ranks 1 (.95), 2 (.90), 3 4 5 (.80, ranks 3-5), 6 (.60): the 3rd score 0.80 is tied.
/// B ranks 7 (.85), 8 (.80), 9 10 (.70, ranks 3-4), 12 (.40): the 3rd score 0.70 is tied.
/// include: A 1 2 3 4 5, B 7 8 9 10 → F 1 3 8 9 = 4/5, M 2 4 5 7 10 = 5/6.
/// exclude: A 1 2, B 7 8 → F 1 8 = 2/5, M 2 7 = 2/6.
#[test]
fn within_a_cohort() {
    let r = run(&["--top-k", "3", "--within", "cohort"]);
    assert!(close(sel(&r, "F"), 0.8, 1e-12));
    assert!(close(sel(&r, "M"), 5.0 / 6.0, 1e-12));
    let d = &r["inputs"][0]["decisions"];
    assert_eq!(d["within"], "cohort");
    assert_eq!(d["rows_selected"], 9);
    assert_eq!(d["rankings_with_tie"], 2);
    let a = &d["rankings"][0];
    assert_eq!(
        (
            &a["within"],
            &a["rows"],
            &a["cutoff_score"],
            &a["rows_at_cutoff"]
        ),
        (&"A".into(), &6.into(), &0.8.into(), &3.into())
    );
    let b = &d["rankings"][1];
    assert_eq!(
        (
            &b["within"],
            &b["rows"],
            &b["cutoff_score"],
            &b["rows_at_cutoff"]
        ),
        (&"B".into(), &5.into(), &0.7.into(), &2.into())
    );
    // The cohort is not an attribute of the report: it was summed out.
    assert_eq!(r["attributes"].as_array().unwrap().len(), 1);
    assert_eq!(attr(&r, "sex")["groups"].as_array().unwrap().len(), 2);
    let r = run(&["--top-k", "3", "--within", "cohort", "--ties", "exclude"]);
    assert!(close(sel(&r, "F"), 0.4, 1e-12));
    assert!(close(sel(&r, "M"), 2.0 / 6.0, 1e-12));
    // ⌈0.5 · 6⌉ = 3 in A and ⌈0.5 · 5⌉ = 3 in B: the same decisions as k = 3.
    let r = run(&["--top-fraction", "0.5", "--within", "cohort"]);
    assert!(close(sel(&r, "F"), 0.8, 1e-12));
    assert_eq!(r["inputs"][0]["decisions"]["rankings"][1]["k"], 3);
}

#[test]
fn k_above_the_rows_selects_every_row_with_a_warning() {
    let r = run(&["--top-k", "20"]);
    assert_eq!(sel(&r, "F"), 1.0);
    assert_eq!(sel(&r, "M"), 1.0);
    let k = &r["inputs"][0]["decisions"]["rankings"][0];
    assert_eq!(k["cutoff_score"], 0.4);
    assert_eq!(k["rows_selected"], 11);
    let w = r["warnings"].to_string();
    assert!(
        w.contains("--top-k 20 is more than the 11 ranked rows"),
        "{w}"
    );
    // Within cohort B (5 ranked rows) only.
    let r = run(&["--top-k", "6", "--within", "cohort"]);
    let w = r["warnings"].to_string();
    assert!(
        w.contains("more than the 5 ranked rows in cohort = B"),
        "{w}"
    );
    assert!(!w.contains("= A"), "{w}");
}

/// k counts rows, not weight; the rates are weighted. Top 3 (rows 1, 2, 7): F weight 1 of
/// 1+1+1+1+2 = 6; M 2+1 of 2+1+2+1+1+1 = 8.
#[test]
fn weights_weigh_the_rates_not_k() {
    let r = run(&["--top-k", "3", "--weight", "weight"]);
    assert!(close(sel(&r, "F"), 1.0 / 6.0, 1e-12));
    assert!(close(sel(&r, "M"), 3.0 / 8.0, 1e-12));
    let d = &r["inputs"][0]["decisions"];
    assert_eq!(d["rows_selected"], 3);
    assert_eq!(d["weight_selected"], 4.0);
}

/// Several values: the main report at the first, and one sweep entry per value, labelled by k.
#[test]
fn sweep_over_k() {
    let r = run(&["--top-k", "3,5", "--ties", "exclude"]);
    assert!(close(sel(&r, "F"), 0.2, 1e-12));
    let t = r["thresholds"].as_array().unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(t[0]["threshold"], serde_json::Value::Null);
    assert_eq!(t[0]["top_k"], 3);
    assert_eq!(t[1]["top_k"], 5);
    assert_eq!(t[1]["decisions"][0]["rankings"][0]["cutoff_score"], 0.8);
    // top 5, ties excluded: F 1/5, M 2/6 → difference 1/3 − 1/5.
    let a = &t[1]["attributes"][0];
    assert!(close(
        disp(a, "demographic_parity_difference").unwrap(),
        2.0 / 6.0 - 0.2,
        1e-12
    ));
    let text = run_stdout(
        &[
            "audit-fairness",
            FILE,
            "--label",
            "hired",
            "--score",
            "score",
            "--group",
            "sex",
            "--top-fraction",
            "0.3,1",
        ],
        0,
    );
    assert!(text.contains("sweep over k"), "{text}");
    assert!(text.contains("top 30%, cut-off 0.8"), "{text}");
    assert!(text.contains("top 100%, cut-off 0.4"), "{text}");
}

/// The text report says how the decisions were made and names the groups tied at the cut-off.
#[test]
fn text_report_names_the_cutoff_and_tied_groups() {
    let text = run_stdout(
        &[
            "audit-fairness",
            FILE,
            "--label",
            "hired",
            "--score",
            "score",
            "--group",
            "sex",
            "--top-k",
            "5",
            "--ties",
            "exclude",
        ],
        0,
    );
    assert!(
        text.contains("decisions: top 5 of `score`, ties at the cut-off excluded"),
        "{text}"
    );
    assert!(text.contains("sex: F 0/2, M 0/2"), "{text}");
    assert!(text.contains("3 of 11 ranked rows selected"), "{text}");
}

#[test]
fn flags_that_cannot_go_with_top_k() {
    let base = [
        FILE, "--label", "hired", "--score", "score", "--group", "sex",
    ];
    for (extra, expect) in [
        (&["--top-k", "3", "--threshold", "0.5"][..], "--threshold"),
        (
            &["--top-k", "3", "--threshold-sweep", "0:1:0.5"][..],
            "--threshold-sweep",
        ),
        (&["--top-k", "3", "--bootstrap", "10"][..], "--bootstrap"),
        (
            &["--top-k", "3", "--emit-stats", "/tmp/x.json"][..],
            "--emit-stats",
        ),
        (
            &["--top-k", "3", "--score-resolution", "0.1"][..],
            "--score-resolution",
        ),
        (&["--top-k", "3", "--pred", "hired"][..], "--pred"),
        (&["--top-k", "3", "--task", "regression"][..], "regression"),
        (&["--ties", "exclude"][..], "--top-k"),
        (&["--within", "cohort"][..], "--top-k"),
        (&["--top-fraction", "1.5"][..], "(0, 1]"),
        (&["--top-k", "0"][..], "--top-k"),
    ] {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let e = audit_error(&args);
        assert!(e.contains(expect), "{extra:?}: {e}");
    }
    let e = audit_error(&[FILE, "--label", "hired", "--group", "sex", "--top-k", "3"]);
    assert!(e.contains("--score COL"), "{e}");
    let e = audit_error(&[
        FILE, "--label", "hired", "--score", "score", "--group", "sex", "--top-k", "3", "--within",
        "cohrt",
    ]);
    assert!(e.contains("cohrt") && e.contains("--within"), "{e}");
}

/// `tests/expected/decisions/hiring.json` (`scripts/oracle_decisions.py`, pandas / numpy): the
/// k-th highest score t over all 3,000 rows of `fixtures/hiring.csv` (k = 300) or within each
/// `cohort` (k = 75), rows with score >= t (ties included) or > t (excluded; every ranking there
/// has a tie across rank k, where the two readings of "exclude" agree), per group of race, sex
/// and race&sex over the rows whose attribute is known. The label does not enter selection
/// rates (`hired` stands in until label-free audits land).
#[test]
fn hiring_against_the_oracle() {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/expected/decisions/hiring.json")).unwrap(),
    )
    .unwrap();
    let topk = &expected["top_k"];
    for (case, extra) in [
        ("overall", &["--top-k", "300"][..]),
        (
            "within_cohort",
            &["--top-k", "75", "--within", "cohort"][..],
        ),
    ] {
        let want = &topk[case];
        for (rule, ties) in [("include_ties", "include"), ("exclude_ties", "exclude")] {
            let mut args = vec![
                "fixtures/hiring.csv",
                "--label",
                "hired",
                "--score",
                "score",
                "--group",
                "race",
                "--group",
                "sex",
                "--ties",
                ties,
            ];
            args.extend_from_slice(extra);
            let r = audit_json(&args, 0);
            let d = &r["inputs"][0]["decisions"];
            assert_eq!(d["rows_selected"], want[rule]["selected"], "{case} {rule}");
            if case == "overall" {
                assert_eq!(d["rankings"][0]["cutoff_score"], want["kth_score"]);
            } else {
                for k in d["rankings"].as_array().unwrap() {
                    let c = &want["cohorts"][k["within"].as_str().unwrap()];
                    assert_eq!(k["cutoff_score"], c["kth_score"], "{k}");
                    assert_eq!(k["rows"], c["n"], "{k}");
                    assert_eq!(k["rows_selected"], c[rule], "{k}");
                }
                assert_eq!(d["rankings"].as_array().unwrap().len(), 4);
            }
            let mut compared = 0;
            for (name, a) in want[rule]["attributes"].as_object().unwrap() {
                let got = attr(&r, name);
                for (g, v) in a["groups"].as_object().unwrap() {
                    let gg = group(got, g);
                    assert_eq!(gg["n"], v["n"], "{case} {rule} {name} {g}");
                    let sel =
                        gg["counts"]["tp"].as_f64().unwrap() + gg["counts"]["fp"].as_f64().unwrap();
                    assert_eq!(
                        sel,
                        v["selected"].as_f64().unwrap(),
                        "{case} {rule} {name} {g}"
                    );
                    let rate = metric(gg, "selection_rate").unwrap();
                    let want_rate = v["selection_rate"].as_f64().unwrap();
                    assert!(
                        close(rate, want_rate, 1e-12),
                        "{case} {rule} {name} {g}: {rate} vs {want_rate}"
                    );
                    compared += 1;
                }
            }
            // 6 races, 2 sexes, 12 intersections.
            assert_eq!(compared, 20, "{case} {rule}");
        }
    }
}

/// `fixtures/hiring_ties.csv` (the oracle's tie case): the 5th-highest score 0.80 is shared by
/// T04 (Female), T05 (Male), T06 (Female). Ties included: T01–T06, Female 3 / Male 3; excluded:
/// T01–T03, Female 1 / Male 2 (`top_k_ties` in the oracle's file). The file has no label: `sex`
/// stands in as one (`--positive Female`) until label-free audits land; selection rates do not
/// depend on it.
#[test]
fn hiring_ties_against_the_oracle() {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("tests/expected/decisions/hiring.json")).unwrap(),
    )
    .unwrap();
    let want = &expected["top_k_ties"];
    for (rule, ties) in [("include_ties", "include"), ("exclude_ties", "exclude")] {
        let r = audit_json(
            &[
                "fixtures/hiring_ties.csv",
                "--label",
                "sex",
                "--positive",
                "Female",
                "--score",
                "score",
                "--group",
                "sex",
                "--top-k",
                "5",
                "--ties",
                ties,
            ],
            0,
        );
        let d = &r["inputs"][0]["decisions"];
        assert_eq!(d["rows_selected"], want[rule]["selected"]);
        assert_eq!(d["rankings"][0]["cutoff_score"], want["kth_score"]);
        assert_eq!(d["rankings"][0]["rows_at_cutoff"], 3);
        for (s, n) in want[rule]["by_sex"].as_object().unwrap() {
            let g = group(attr(&r, "sex"), s);
            let sel = g["counts"]["tp"].as_f64().unwrap() + g["counts"]["fp"].as_f64().unwrap();
            assert_eq!(sel, n.as_f64().unwrap(), "{rule} {s}");
        }
    }
}

/// The HTML page: the decisions table (numbers equal to the JSON's, checked by `check_html`)
/// and the sweep charts drawn against k.
#[test]
fn html_page_shows_the_decisions_and_the_sweep_over_k() {
    let args = [
        "audit-fairness",
        FILE,
        "--label",
        "hired",
        "--score",
        "score",
        "--group",
        "sex",
        "--top-k",
        "3,5",
        "--within",
        "cohort",
    ];
    let mut h = args.to_vec();
    h.extend_from_slice(&["--format", "html"]);
    let html = run_stdout(&h, 0);
    let mut j = args.to_vec();
    j.push("--json");
    let json: serde_json::Value = serde_json::from_str(&run_stdout(&j, 0)).unwrap();
    let doc = check_html(&html, &json);
    let text: String = doc.root_element().text().collect();
    assert!(
        text.contains("Decisions by rank: top 3 of `score` within each `cohort`"),
        "{text}"
    );
    assert!(text.contains("At the cut-off in A: sex F: 1 of 1; sex M: 2 of 2 selected."));
    assert!(text.contains("Sweep over k: sex"), "{text}");
    assert!(!text.contains("Threshold sweep"));
}
