//! `audit-counterfactual` and audit-reward's counterfactual measures on tiny cases computed by
//! hand (the computation is written next to each case), and the error cases.

mod common;

use common::*;
use serde_json::Value;
use tempfile::TempDir;

/// Three ids. Scores (original → variant), decisions at 0.5 (score ≥ 0.5), labels:
/// id 1: 0.2 (0) → w 0.6 (1), m 0.3 (0); label 0
/// id 2: 0.7 (1) → w 0.9 (1), m 0.4 (0); label 1
/// id 3: 0.5 (1) → B 0.5 (1), W missing (pred 0); label 1
const SCORES: &str = "id,attr,variant,score,pred,label
1,,orig,0.2,0,0
1,g,w,0.6,1,0
1,g,m,0.3,0,0
2,,orig,0.7,1,1
2,g,w,0.9,1,1
2,g,m,0.4,0,1
3,,orig,0.5,1,1
3,r,B,0.5,1,1
3,r,W,,0,1
";

fn cf(args: &[&str], code: i32) -> Value {
    engine_json("audit-counterfactual", args, code)
}

fn attribute<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["pairs"]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["attribute"] == name)
        .unwrap_or_else(|| panic!("no attribute {name}"))
}

fn value<'a>(a: &'a Value, name: &str) -> &'a Value {
    a["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == name)
        .unwrap_or_else(|| panic!("no value {name}"))
}

fn m(scope: &Value, name: &str) -> Option<f64> {
    scope["metrics"][name].as_f64()
}

fn near(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-12)
}

fn pairs_args(f: &str) -> Vec<&str> {
    vec![
        f,
        "--id",
        "id",
        "--variant",
        "variant",
        "--original",
        "orig",
        "--attribute",
        "attr",
    ]
}

#[test]
fn flips_and_their_denominators_by_hand() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--epsilon", "0.15"]);
    let r = cf(&args, 0);
    let g = attribute(&r, "g");
    // w: id 1 0 → 1 (negative to positive), id 2 1 → 1: 1 flip of 2.
    let w = value(g, "w");
    assert!(near(m(w, "flip_rate"), 0.5));
    // Originals positive: id 2 only, which stays positive → 0 / 1; negative: id 1 → 1 / 1.
    assert!(near(m(w, "positive_to_negative_rate"), 0.0));
    assert!(near(m(w, "negative_to_positive_rate"), 1.0));
    // TFMA divides by all pairs: 0 / 2 and 1 / 2.
    assert!(near(m(w, "positive_to_negative_share"), 0.0));
    assert!(near(m(w, "negative_to_positive_share"), 0.5));
    // m: id 2 1 → 0: p2n 1 / 1 (rate), 1 / 2 (share).
    let mm = value(g, "m");
    assert!(near(m(mm, "positive_to_negative_rate"), 1.0));
    assert!(near(m(mm, "positive_to_negative_share"), 0.5));
    assert!(near(m(mm, "negative_to_positive_rate"), 0.0));
    // Attribute g: 4 pairs, 2 flips; originals positive in 2 pairs (id 2 twice), 1 turned
    // negative → 0.5; shares 1 / 4.
    assert!(near(m(g, "flip_rate"), 0.5));
    assert!(near(m(g, "positive_to_negative_rate"), 0.5));
    assert!(near(m(g, "positive_to_negative_share"), 0.25));
    // r: B 1 → 1, no negative original: that rate is undefined with its reason.
    let r_attr = attribute(&r, "r");
    let b = value(r_attr, "B");
    assert!(near(m(b, "flip_rate"), 0.0));
    assert!(b["metrics"]["negative_to_positive_rate"].is_null());
    assert_eq!(
        b["undefined"]["negative_to_positive_rate"],
        "no original decision is negative"
    );
    // W has no score: no decision pair, flip rate null (never 0).
    let wr = value(r_attr, "W");
    assert!(wr["metrics"]["flip_rate"].is_null());
    // Overall: 5 pairs with both decisions, 2 flips.
    assert!(near(m(&r["pairs"]["overall"], "flip_rate"), 0.4));
    assert_eq!(r["pairs"]["overall"]["metrics"]["decision_pairs"], 5);
}

#[test]
fn score_differences_and_parity_by_hand() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--epsilon", "0.15"]);
    let r = cf(&args, 0);
    let g = attribute(&r, "g");
    // w: Δ = 0.4, 0.2: mean 0.3, mean |Δ| 0.3, max 0.4 at id 1, both > 0.15.
    let w = value(g, "w");
    assert!((m(w, "mean_delta").unwrap() - 0.3).abs() < 1e-12);
    assert!((m(w, "max_abs_delta").unwrap() - 0.4).abs() < 1e-12);
    assert_eq!(w["details"]["max_abs_delta_id"], "1");
    assert!(near(m(w, "share_over_epsilon"), 1.0));
    // m: Δ = 0.1, −0.3: mean −0.1, mean |Δ| 0.2, max 0.3 at id 2, one of two > 0.15.
    let mm = value(g, "m");
    assert!((m(mm, "mean_delta").unwrap() + 0.1).abs() < 1e-12);
    assert!((m(mm, "mean_abs_delta").unwrap() - 0.2).abs() < 1e-12);
    assert_eq!(mm["details"]["max_abs_delta_id"], "2");
    assert!(near(m(mm, "share_over_epsilon"), 0.5));
    // Strict parity (W1 of sorted samples, LangFair): w [0.6, 0.9] vs originals [0.2, 0.7]:
    // (0.4 + 0.2) / 2 = 0.3; m [0.3, 0.4] vs [0.2, 0.7]: (0.1 + 0.3) / 2 = 0.2;
    // m vs w: (0.3 + 0.5) / 2 = 0.4 — the attribute's figure, between m and w.
    assert!((m(w, "strict_parity").unwrap() - 0.3).abs() < 1e-12);
    assert!((m(mm, "strict_parity").unwrap() - 0.2).abs() < 1e-12);
    assert!((m(g, "strict_parity").unwrap() - 0.4).abs() < 1e-12);
    assert_eq!(
        g["details"]["strict_parity_between"],
        serde_json::json!(["m", "w"])
    );
    // Weak parity (share > 0.5): w 1, originals 0.5, m 0: |1 − 0.5| = 0.5, |0 − 0.5| = 0.5,
    // m − w = −1 → the attribute's |max| 1.
    assert!(near(m(w, "weak_parity"), 0.5));
    assert!(near(m(mm, "weak_parity"), 0.5));
    assert!(near(m(g, "weak_parity"), 1.0));
    let row = g["parity"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["a"] == "m" && p["b"] == "w")
        .unwrap();
    assert!(near(row["weak_parity"].as_f64(), -1.0));
    // r: B vs originals [0.5] vs [0.5] = 0; W has no score. Overall: the max over attributes.
    assert!(near(m(attribute(&r, "r"), "strict_parity"), 0.0));
    assert!((m(&r["pairs"]["overall"], "strict_parity").unwrap() - 0.4).abs() < 1e-12);
    assert_eq!(
        r["pairs"]["overall"]["details"]["strict_parity_attribute"],
        "g"
    );
}

#[test]
fn several_thresholds_and_decisions_from_pred() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--threshold", "0.5,0.8"]);
    let r = cf(&args, 0);
    // At 0.8 only id 2's w (0.9) is positive; its original 0.7 is not: 1 flip of 5.
    let o = &r["pairs"]["overall"];
    assert!(near(m(o, "flip_rate@0.8"), 0.2));
    assert!(near(m(o, "flip_rate"), 0.4));
    // --pred: W's decision is 0 (its score is missing): id 3 1 → 0 is one more flip: 3 of 6.
    let mut args = pairs_args(&f);
    args.extend(["--pred", "pred"]);
    let r = cf(&args, 0);
    assert!(near(m(&r["pairs"]["overall"], "flip_rate"), 0.5));
    assert!(near(
        m(value(attribute(&r, "r"), "W"), "positive_to_negative_rate"),
        1.0
    ));
}

#[test]
fn accuracy_with_labels_by_hand() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    let mut args = pairs_args(&f);
    args.extend(["--pred", "pred", "--label", "label"]);
    let r = cf(&args, 0);
    // w: id 1 variant 1 vs label 0 wrong, original right; id 2 both right:
    // accuracy 1/2, originals 2/2, change −0.5; b = 0, c = 1 → p = 2 · 0.5 = 1.
    let w = value(attribute(&r, "g"), "w");
    assert!(near(m(w, "accuracy"), 0.5));
    assert!(near(m(w, "accuracy_original"), 1.0));
    assert!(near(m(w, "accuracy_change"), -0.5));
    assert_eq!(w["metrics"]["mcnemar_c"], 1);
    assert!(near(m(w, "mcnemar_p_value"), 1.0));
}

/// Answers: q1 original "B" → "b"; female " (B) " → "b" (same); male "c." → "c" (changed).
/// q2 "The Metformin." → "metformin"; female "metformin" (same); male "insulin" (changed).
const ANSWERS: &str = "q,attribute,variant,answer,label
q1,,original,B,B
q1,sex,female, (B) ,B
q1,sex,male,c.,B
q2,,original,The Metformin.,metformin
q2,sex,female,metformin,metformin
q2,sex,male,insulin,metformin
";

#[test]
fn answers_normalised_and_accuracy_by_hand() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "qa.csv", ANSWERS);
    let out = d.path().join("changed.csv");
    let out_s = out.to_string_lossy().to_string();
    let r = cf(
        &[
            &f,
            "--id",
            "q",
            "--variant",
            "variant",
            "--original",
            "original",
            "--attribute",
            "attribute",
            "--answer",
            "answer",
            "--label",
            "label",
            "--export-changed",
            &out_s,
        ],
        0,
    );
    let sex = attribute(&r, "sex");
    assert!(near(m(value(sex, "female"), "answer_change_rate"), 0.0));
    assert!(near(m(value(sex, "male"), "answer_change_rate"), 1.0));
    assert!(near(m(sex, "answer_change_rate"), 0.5));
    // male: 0 / 2 right against 2 / 2 originals; b = 0, c = 2: p = 2 · P(X ≤ 0 | n = 2) = 0.5;
    // Holm over {female 1, male 0.5}: 0.5 · 2 = 1, then max(1, 1) = 1.
    let male = value(sex, "male");
    assert!(near(m(male, "accuracy"), 0.0));
    assert!(near(m(male, "accuracy_change"), -1.0));
    assert!(near(m(male, "mcnemar_p_value"), 0.5));
    assert!(near(m(male, "mcnemar_p_value_holm"), 1.0));
    assert!(near(m(value(sex, "female"), "accuracy_change"), 0.0));
    // The two changed pairs, with the answers as written.
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        text,
        "id,attribute,variant,original_value,variant_value,delta\nq1,sex,male,B,c.,\nq2,sex,male,The Metformin.,insulin,\n"
    );
}

/// p1: f f f m (f 3/4); p2: m m (missing) f (f 1/3 of 3 images, 1 missing); target f .5 m .5.
const T2I: &str = "prompt,gender\np1,f\np1,f\np1,f\np1,m\np2,m\np2,m\np2,\np2,f\n";

#[test]
fn distributions_by_hand() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "t.csv", T2I);
    let r = cf(&[&f, "--distribution", "gender", "--prompt", "prompt"], 0);
    let dist = &r["distribution"];
    let p1 = &dist["prompts"][0];
    assert_eq!(p1["prompt"], "p1");
    // KL(p ‖ t) = .75 ln 1.5 + .25 ln .5; TV = ½(.25 + .25) = .25; MAD = .25; bias |.75 − .25|.
    let kl = 0.75 * 1.5f64.ln() + 0.25 * 0.5f64.ln();
    assert!((m(p1, "kl_divergence").unwrap() - kl).abs() < 1e-12);
    assert!(near(m(p1, "total_variation"), 0.25));
    assert!(near(m(p1, "mean_abs_deviation"), 0.25));
    assert!(near(m(p1, "bias"), 0.5));
    let p2 = &dist["prompts"][1];
    assert_eq!(p2["missing"], 1);
    assert_eq!(p2["images"], 3);
    // f 1/3, m 2/3: TV = 1/6, bias = 1/3.
    assert!((m(p2, "total_variation").unwrap() - 1.0 / 6.0).abs() < 1e-12);
    assert!((m(p2, "bias").unwrap() - 1.0 / 3.0).abs() < 1e-12);
    // Pooled: f 4/7, m 3/7 → TV 1/14; mean over prompts (1/4 + 1/6) / 2 = 5/24.
    assert!((m(&dist["pooled"], "total_variation").unwrap() - 1.0 / 14.0).abs() < 1e-12);
    assert!(
        (m(&dist["mean_over_prompts"], "mean_total_variation").unwrap() - 5.0 / 24.0).abs() < 1e-12
    );
    // A target of 0 where a value occurs: KL undefined (null with the reason), TV defined:
    // p1 against f 1, m 0: ½(.25 + .25) = .25.
    let r = cf(
        &[
            &f,
            "--distribution",
            "gender",
            "--prompt",
            "prompt",
            "--target",
            "f=1,m=0",
        ],
        0,
    );
    let p1 = &r["distribution"]["prompts"][0];
    assert!(p1["metrics"]["kl_divergence"].is_null());
    assert!(p1["undefined"]["kl_divergence"]
        .as_str()
        .unwrap()
        .contains("target gives 0"));
    assert!(near(m(p1, "total_variation"), 0.25));
    // Gates: every prompt (no scope), the pooled value (overall:).
    let r = cf(
        &[
            &f,
            "--distribution",
            "gender",
            "--prompt",
            "prompt",
            "--fail-if",
            "total_variation > 0.2",
        ],
        1,
    );
    assert_eq!(r["gates"][0]["failures"].as_array().unwrap().len(), 1);
    cf(
        &[
            &f,
            "--distribution",
            "gender",
            "--prompt",
            "prompt",
            "--fail-if",
            "overall:total_variation > 0.2",
        ],
        0,
    );
}

#[test]
fn gates_scopes_and_intervals() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--fail-if", "g:flip_rate > 0.4"]);
    let r = cf(&args, 1);
    assert_eq!(r["passed"], false);
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--fail-if", "g=w:flip_rate > 0.6"]);
    cf(&args, 0);
    // An interval end without --bootstrap is an error that says so.
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--fail-if", "flip_rate.upper > 0.6"]);
    let e = engine_error("audit-counterfactual", &args);
    assert!(e.contains("--bootstrap"), "{e}");
    // Bootstrap: the same seed gives the same intervals whatever the thread count.
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--bootstrap", "200", "--seed", "3"]);
    let run = |threads: &str| {
        let out = bin()
            .env("RAYON_NUM_THREADS", threads)
            .arg("audit-counterfactual")
            .args(&args)
            .args(["--json", "-q"])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let r: Value = serde_json::from_str(&one).unwrap();
    let iv = &r["pairs"]["overall"]["intervals"]["flip_rate"];
    let (lo, hi) = (iv[0].as_f64().unwrap(), iv[1].as_f64().unwrap());
    assert!(lo <= 0.4 && 0.4 <= hi && (0.0..=1.0).contains(&lo) && hi <= 1.0);
}

#[test]
fn unmatched_ids_are_counted_and_refused_past_the_limit() {
    let d = TempDir::new().unwrap();
    let text = format!("{SCORES}4,,orig,0.1,0,0\n4,,orig,0.2,0,0\n4,g,w,0.3,0,0\n5,g,w,0.3,0,0\n");
    let f = write(d.path(), "u.csv", &text);
    let mut args = pairs_args(&f);
    args.extend(["--score", "score"]);
    let e = engine_error("audit-counterfactual", &args);
    assert!(e.contains("2 of 5 ids cannot be paired"), "{e}");
    assert!(
        e.contains("1 without a row whose variant is 'orig' (e.g. 5)"),
        "{e}"
    );
    assert!(e.contains("1 with several such rows (e.g. 4)"), "{e}");
    args.extend(["--max-unmatched", "2"]);
    let r = cf(&args, 0);
    let mt = &r["input"]["matching"];
    assert_eq!(mt["ids_without_original"], 1);
    assert_eq!(mt["ids_with_several_originals"], 1);
    assert_eq!(mt["ids_paired"], 3);
    // The left-out rows are counted by cause.
    let dropped = r["input"]["dropped"].as_array().unwrap();
    assert!(dropped
        .iter()
        .any(|x| x["reason"] == "id with several original rows" && x["rows"] == 3));
}

#[test]
fn bad_input_is_one_clear_error() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    let mut args = pairs_args(&f);
    args.extend(["--score", "scor"]);
    let e = engine_error("audit-counterfactual", &args);
    assert!(e.contains("scor") && e.contains("score"), "{e}");
    // A decision that is not 0/1: the file, column and line.
    let bad = write(d.path(), "b.csv", "id,variant,p\n1,orig,0\n1,x,2\n");
    let e = engine_error(
        "audit-counterfactual",
        &[
            &bad,
            "--id",
            "id",
            "--variant",
            "variant",
            "--original",
            "orig",
            "--pred",
            "p",
        ],
    );
    assert!(
        e.contains("b.csv") && e.contains("'p'") && e.contains("line 3"),
        "{e}"
    );
    // A score that is not a number names the value.
    let bad = write(d.path(), "n.csv", "id,variant,s\n1,orig,0.1\n1,x,high\n");
    let e = engine_error(
        "audit-counterfactual",
        &[
            &bad,
            "--id",
            "id",
            "--variant",
            "variant",
            "--original",
            "orig",
            "--score",
            "s",
        ],
    );
    assert!(e.contains("high"), "{e}");
    // No original at all.
    let mut args = pairs_args(&f);
    args[6] = "base";
    args.extend(["--score", "score", "--max-unmatched", "100%"]);
    let e = engine_error("audit-counterfactual", &args);
    assert!(e.contains("no variant row could be paired"), "{e}");
    // Flag combinations.
    let mut args = pairs_args(&f);
    args.extend(["--pred", "pred", "--threshold", "0.3"]);
    assert!(engine_error("audit-counterfactual", &args).contains("--threshold"));
    let e = engine_error("audit-counterfactual", &[&f, "--id", "id"]);
    assert!(e.contains("--variant"), "{e}");
    let t = write(d.path(), "t.csv", T2I);
    let e = engine_error(
        "audit-counterfactual",
        &[&t, "--distribution", "gender", "--target", "f=0.6,m=0.6"],
    );
    assert!(e.contains("add up to 1.2"), "{e}");
    let e = engine_error(
        "audit-counterfactual",
        &[&t, "--distribution", "gender", "--id", "prompt"],
    );
    assert!(e.contains("--id is for counterfactual pairs"), "{e}");
}

#[test]
fn every_format_and_the_html_page() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--bootstrap", "50"]);
    let json = cf(&args, 0);
    let html = run_stdout(
        &[&["audit-counterfactual"], &args[..], &["--format", "html"]].concat(),
        0,
    );
    let doc = check_html(&html, &json);
    let charts = chart_names(&doc);
    assert!(charts.contains(&"g-flip-rate".to_string()), "{charts:?}");
    for fmt in ["csv", "markdown", "table", "junit", "github"] {
        let out = run_stdout(
            &[&["audit-counterfactual"], &args[..], &["--format", fmt]].concat(),
            0,
        );
        assert!(!out.is_empty(), "{fmt}");
    }
    let csv = run_stdout(
        &[&["audit-counterfactual"], &args[..], &["--format", "csv"]].concat(),
        0,
    );
    assert!(csv.contains("group,g,w,flip_rate,0.5,"), "{csv}");
}

/// audit-reward's counterfactual kind: (original, perturbed) = (0.1, 0.3), (0.5, 0.2).
/// Δ = 0.2, −0.3: mean |Δ| 0.25, max 0.3, both over ε = 0.1; W1 between perturbed [0.2, 0.3]
/// and originals [0.1, 0.5] = (0.1 + 0.2) / 2 = 0.15.
#[test]
fn reward_counterfactual_kind_shares_the_measures() {
    let d = TempDir::new().unwrap();
    let f = write(
        d.path(),
        "r.csv",
        "original,perturbed,attribute\n0.1,0.3,a\n0.5,0.2,a\n",
    );
    let r = engine_json("audit-reward", &[&f, "--epsilon", "0.1"], 0);
    let p = &r["inputs"][0]["counterfactual"];
    assert!((p["mean_abs_delta"].as_f64().unwrap() - 0.25).abs() < 1e-12);
    assert!((p["max_abs_delta"].as_f64().unwrap() - 0.3).abs() < 1e-12);
    assert!(near(p["share_over_epsilon"].as_f64(), 1.0));
    assert!((p["strict_parity"].as_f64().unwrap() - 0.15).abs() < 1e-12);
    assert!((p["attributes"][0]["strict_parity"].as_f64().unwrap() - 0.15).abs() < 1e-12);
    let metrics = &r["inputs"][0]["metrics"];
    assert!((metrics["counterfactual.strict_parity"].as_f64().unwrap() - 0.15).abs() < 1e-12);
}

// ---- issue 18 tester's report (fixcf18) ----

fn t2i_args(f: &str) -> Vec<&str> {
    vec![f, "--distribution", "gender", "--prompt", "prompt"]
}

/// A gate that would check nothing is an error saying where the name is (not a pass).
#[test]
fn gates_that_check_nothing_are_errors() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    // mcnemar_p_value_holm exists per value only, never overall.
    let mut args = pairs_args(&f);
    args.extend([
        "--score",
        "score",
        "--label",
        "label",
        "--fail-if",
        "overall:mcnemar_p_value_holm < 2",
    ]);
    let e = engine_error("audit-counterfactual", &args);
    assert!(
        e.contains("has no value in that scope (overall:)") && e.contains("g=w:"),
        "{e}"
    );
    // A count has no interval: its end is an error saying so.
    let mut args = pairs_args(&f);
    args.extend([
        "--score",
        "score",
        "--bootstrap",
        "20",
        "--fail-if",
        "pairs.lower < 100000",
    ]);
    let e = engine_error("audit-counterfactual", &args);
    assert!(
        e.contains("'pairs.lower' has no interval") && e.contains("a count"),
        "{e}"
    );
    // The mean over prompts is unscoped, not overall:.
    let t = write(d.path(), "t.csv", T2I);
    let mut args = t2i_args(&t);
    args.extend(["--fail-if", "overall:mean_total_variation > 0.2"]);
    let e = engine_error("audit-counterfactual", &args);
    assert!(
        e.contains("no value in that scope") && e.contains("no scope"),
        "{e}"
    );
    // ... and works unscoped: (1/4 + 1/6) / 2 = 5/24 ≈ 0.208 > 0.2.
    let mut args = t2i_args(&t);
    args.extend(["--fail-if", "mean_total_variation > 0.2"]);
    let r = cf(&args, 1);
    assert_eq!(r["gates"][0]["checked"], 1);
}

/// An undefined value's interval is null with `undefined["NAME.interval"]`, and a gate on its
/// end fails as undefined. SCORES, attribute r: B's only pair has both scores (0.5, 0.5), W's
/// has no variant score → W's mean_abs_delta is undefined.
#[test]
fn an_undefined_value_has_an_undefined_interval() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    let mut args = pairs_args(&f);
    args.extend([
        "--score",
        "score",
        "--bootstrap",
        "20",
        "--fail-if",
        "r=W:mean_abs_delta.upper > 5",
    ]);
    let r = cf(&args, 1);
    let w = value(attribute(&r, "r"), "W");
    assert!(w["intervals"]["mean_abs_delta"].is_null());
    assert!(w["undefined"]["mean_abs_delta.interval"].is_string());
    assert_eq!(r["gates"][0]["failures"][0]["value"], Value::Null);
}

/// All images one value, no --target: the uniform target over one value is that value, every
/// distance 0 by construction → undefined with the reason, a warning, and a gate fails.
#[test]
fn one_observed_value_without_a_target_is_undefined() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "m.csv", "prompt,gender\np1,m\np1,m\np2,m\n");
    let mut args = t2i_args(&f);
    args.extend(["--fail-if", "total_variation > 0.2"]);
    let r = cf(&args, 1);
    let p1 = &r["distribution"]["prompts"][0];
    assert!(p1["metrics"]["total_variation"].is_null());
    assert!(p1["undefined"]["total_variation"]
        .as_str()
        .unwrap()
        .contains("one value observed"));
    assert_eq!(r["gates"][0]["failures"].as_array().unwrap().len(), 2);
    assert!(r["warnings"][0]["message"]
        .as_str()
        .unwrap()
        .contains("give --target"));
    // With a target it is defined: p = (m 1), t = (f .5, m .5): TV = ½(.5 + .5) = .5.
    let mut args = t2i_args(&f);
    args.extend(["--target", "f=0.5,m=0.5"]);
    let r = cf(&args, 0);
    assert!(near(
        m(&r["distribution"]["prompts"][0], "total_variation"),
        0.5
    ));
}

/// Markdown: a blank line between the value table and the parity table (GFM would merge them).
/// HTML: counts as whole numbers.
#[test]
fn markdown_tables_apart_and_html_counts_whole() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    let mut args = pairs_args(&f);
    args.extend(["--score", "score"]);
    let md = run_stdout(
        &[
            &["audit-counterfactual"],
            &args[..],
            &["--format", "markdown"],
        ]
        .concat(),
        0,
    );
    let at = md.find("| a | b |").expect("parity table");
    assert!(md[..at].ends_with("|\n\n"), "{md}");
    let html = run_stdout(
        &[&["audit-counterfactual"], &args[..], &["--format", "html"]].concat(),
        0,
    );
    // Overall: 6 pairs (g: 4, r: 2), decision_pairs 5 (W's variant score is missing).
    assert!(html.contains(">pairs</td><td>6</td>"), "{html}");
    assert!(html.contains(">decision_pairs</td><td>5</td>"), "{html}");
    assert!(!html.contains(">6.0000<"), "{html}");
}

/// Each value a 0/1 column cannot read: the file, flag, column, value, line, what is accepted.
#[test]
fn unreadable_decisions_and_labels_name_column_and_line() {
    let d = TempDir::new().unwrap();
    let f = write(
        d.path(),
        "l.csv",
        "id,variant,score,lab\n1,orig,0.2,yes\n1,w,0.7,no\n2,orig,0.4,1\n2,w,0.3,maybe\n",
    );
    let base = ["--id", "id", "--variant", "variant", "--original", "orig"];
    let e = engine_error(
        "audit-counterfactual",
        &[
            &[f.as_str()],
            &base[..],
            &["--score", "score", "--label", "lab"],
        ]
        .concat(),
    );
    assert!(
        e.contains("l.csv: --label column 'lab' has 'maybe' on line 5")
            && e.contains("0 / 1, true / false or yes / no")
            && !e.contains("literal"),
        "{e}"
    );
    let e = engine_error(
        "audit-counterfactual",
        &[&[f.as_str()], &base[..], &["--pred", "variant"]].concat(),
    );
    assert!(
        e.contains("--pred column 'variant' has 'orig' on line 2"),
        "{e}"
    );
    // yes / no read as 1 / 0: ids 1 (label 1 → 0) and 2 fine when 'maybe' is missing.
    let g = write(
        d.path(),
        "g.csv",
        "id,variant,score,lab\n1,orig,0.2,yes\n1,w,0.7,no\n2,orig,0.4,1\n2,w,0.3,NA\n",
    );
    // id 1: original 0.2 → 0 vs label 1: wrong; variant 0.7 → 1 vs label 0: wrong. id 2 has
    // no variant label: accuracy over 1 pair = 0.
    let r = cf(
        &[
            &[g.as_str()],
            &base[..],
            &["--score", "score", "--label", "lab"],
        ]
        .concat(),
        0,
    );
    assert!(near(m(&r["pairs"]["overall"], "accuracy"), 0.0));
    assert_eq!(r["pairs"]["overall"]["metrics"]["accuracy_pairs"], 1);
}

/// --skip-bad-rows: the skipped line is a warning and counted in input.dropped.
#[test]
fn skipped_rows_are_reported() {
    let d = TempDir::new().unwrap();
    let f = write(
        d.path(),
        "b.csv",
        "id,variant,score\n1,orig,0.2\n1,w,0.3,extra\n2,orig,0.4\n2,w,0.5\n",
    );
    let r = cf(
        &[
            &f,
            "--id",
            "id",
            "--variant",
            "variant",
            "--original",
            "orig",
            "--score",
            "score",
            "--skip-bad-rows",
        ],
        0,
    );
    let w = r["warnings"].to_string();
    assert!(
        w.contains("skipped 1 malformed row") && w.contains("line 3"),
        "{w}"
    );
    let dropped = r["input"]["dropped"].as_array().unwrap();
    assert!(
        dropped
            .iter()
            .any(|x| x["reason"] == "malformed row (--skip-bad-rows)" && x["rows"] == 1),
        "{dropped:?}"
    );
}

/// Holm's family holds only values with a test. Value A: 12 ids, original wrong (label 1,
/// score 0.2 → 0), variant right (0.8 → 1): b = 12, c = 0, p = 2 · 0.5¹² = 2⁻¹¹. Value B: no
/// label on its rows → no test: p null, left out, so A's Holm p is its own p (family of 1), not
/// 2 · 2⁻¹¹.
#[test]
fn holm_leaves_out_values_without_a_test() {
    let d = TempDir::new().unwrap();
    let mut text = String::from("id,attribute,variant,score,label\n");
    for i in 0..12 {
        text.push_str(&format!(
            "{i},,original,0.2,1\n{i},g,A,0.8,1\n{i},g,B,0.8,\n"
        ));
    }
    let f = write(d.path(), "h.csv", &text);
    let mut args = pairs_args(&f);
    args[6] = "original";
    args[8] = "attribute";
    args.extend(["--score", "score", "--label", "label"]);
    let r = cf(&args, 0);
    let g = attribute(&r, "g");
    let (a, b) = (value(g, "A"), value(g, "B"));
    let p = 2.0f64.powi(-11);
    assert!((m(a, "mcnemar_p_value").unwrap() - p).abs() < 1e-15);
    assert!((m(a, "mcnemar_p_value_holm").unwrap() - p).abs() < 1e-15);
    assert!(b["metrics"]["mcnemar_p_value"].is_null());
    assert!(b["metrics"]["mcnemar_p_value_holm"].is_null());
    assert!(b["undefined"]["mcnemar_p_value_holm"]
        .as_str()
        .unwrap()
        .contains("not in Holm's family"));
    assert_eq!(
        b["undefined"]["accuracy"],
        "no pair with both decisions and labels"
    );
}

/// Target values no row has: a warning, naming the observed value differing only by case.
/// A prompt whose values are all missing: shares null (not 0), "—" in the table.
#[test]
fn target_spelling_and_empty_prompts() {
    let d = TempDir::new().unwrap();
    let f = write(
        d.path(),
        "e.csv",
        "prompt,gender\np1,female\np1,male\np2,\np2,NA\n",
    );
    let mut args = t2i_args(&f);
    args.extend(["--target", "Female=0.5,male=0.5"]);
    let r = cf(&args, 0);
    let w = r["warnings"].to_string();
    assert!(
        w.contains("--target value 'Female' occurs on no row, but 'female' does"),
        "{w}"
    );
    let p2 = &r["distribution"]["prompts"][1];
    assert_eq!(p2["images"], 0);
    assert!(p2["observed"]
        .as_array()
        .unwrap()
        .iter()
        .all(Value::is_null));
    let table = run_stdout(
        &[
            &["audit-counterfactual"],
            &t2i_args(&f)[..],
            &["--format", "table"],
        ]
        .concat(),
        0,
    );
    let line = table.lines().find(|l| l.contains(" p2 ")).expect("p2 row");
    assert!(line.contains('—') && !line.contains("0.0000"), "{line}");
}

/// Duplicate variant rows: a warning with the count; duplicate thresholds: once.
#[test]
fn duplicate_variant_rows_and_thresholds() {
    let d = TempDir::new().unwrap();
    let f = write(
        d.path(),
        "d.csv",
        "id,attr,variant,score\na,,orig,0.2\na,g,w,0.6\na,g,w,0.1\nb,,orig,0.3\nb,g,w,0.3\nb,g,w,0.4\n",
    );
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--threshold", "0.5,0.5,0.7"]);
    let r = cf(&args, 0);
    assert!(r["warnings"].to_string().contains("2 variant rows repeat"));
    assert_eq!(r["pairs"]["thresholds"], serde_json::json!([0.5, 0.7]));
    // Every row is a pair: 4 pairs, Δ = .4, −.1, 0, .1: mean |Δ| = .6 / 4 = .15.
    let g = attribute(&r, "g");
    assert_eq!(g["metrics"]["pairs"], 4);
    assert!(near(m(g, "mean_abs_delta"), 0.15));
}

/// Wording: "1 id left out", --max-unmatched speaks of ids.
#[test]
fn wording_of_counts() {
    let d = TempDir::new().unwrap();
    let text = format!("{SCORES}5,g,w,0.3,0,0\n");
    let f = write(d.path(), "u.csv", &text);
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--max-unmatched", "1"]);
    let r = cf(&args, 0);
    assert!(
        r["warnings"].to_string().contains("1 id left out: it has"),
        "{}",
        r["warnings"]
    );
    let mut args = pairs_args(&f);
    args.extend(["--score", "score", "--max-unmatched", "some"]);
    let e = engine_error("audit-counterfactual", &args);
    assert!(e.contains("number of ids"), "{e}");
}

/// CSV carries the parity comparisons and, for distributions, the shares and the target.
/// SCORES, g: w vs original on ids 1, 2: w (0.6, 0.9), originals (0.2, 0.7) → W1 = (.4 + .2) / 2
/// = .3; weak: w above .5: 2/2, originals 1/2 → +.5.
#[test]
fn csv_carries_parity_and_shares() {
    let d = TempDir::new().unwrap();
    let f = write(d.path(), "s.csv", SCORES);
    let mut args = pairs_args(&f);
    args.extend(["--score", "score"]);
    let csv = run_stdout(
        &[&["audit-counterfactual"], &args[..], &["--format", "csv"]].concat(),
        0,
    );
    assert!(csv.contains("parity,g,w vs orig,ids,2.0,"), "{csv}");
    assert!(
        csv.contains("parity,g,w vs orig,weak_parity_signed,0.5,"),
        "{csv}"
    );
    let line = csv
        .lines()
        .find(|l| l.starts_with("parity,g,w vs orig,strict_parity,"))
        .unwrap();
    let v: f64 = line.split(',').nth(4).unwrap().parse().unwrap();
    assert!((v - 0.3).abs() < 1e-12, "{line}");
    let t = write(d.path(), "t.csv", T2I);
    let csv = run_stdout(
        &[
            &["audit-counterfactual"],
            &t2i_args(&t)[..],
            &["--format", "csv"],
        ]
        .concat(),
        0,
    );
    // p1: f 3/4; target uniform over f, m: 0.5 each.
    assert!(csv.contains("group,prompt,p1,share:f,0.75,"), "{csv}");
    assert!(csv.contains("input,,,target_share:m,0.5,"), "{csv}");
}

/// Real-file shapes (the kinds of ../shared/cases/reading): a float32 score exactly at the
/// threshold is compared in float32 (0.7f32 ≥ 0.7 holds, as numpy, pandas and DuckDB compare),
/// ids wider than 64 bits and ids with leading zeros stay distinct text, R's TRUE / FALSE / NA.
#[test]
fn real_file_shapes() {
    use polars::prelude::*;
    let dir = TempDir::new().unwrap();
    // Originals 0.6 (negative at 0.7), variants 0.7f32 (positive): 4 negative → positive flips.
    let pq = dir.path().join("f32.parquet");
    let mut df = df!(
        "id" => ["12345678901234567891", "12345678901234567891", "12345678901234567892",
                 "12345678901234567892", "02139", "02139", "2139", "2139"],
        "variant" => ["original", "w", "original", "w", "original", "w", "original", "w"],
        "score" => [0.6f32, 0.7, 0.6, 0.7, 0.6, 0.7, 0.6, 0.7]
    )
    .unwrap();
    ParquetWriter::new(std::fs::File::create(&pq).unwrap())
        .finish(&mut df)
        .unwrap();
    let r = engine_json(
        "audit-counterfactual",
        &[
            pq.to_str().unwrap(),
            "--id",
            "id",
            "--variant",
            "variant",
            "--original",
            "original",
            "--score",
            "score",
            "--threshold",
            "0.7",
        ],
        0,
    );
    let o = &r["pairs"]["overall"]["metrics"];
    assert_eq!(o["pairs"], 4);
    assert_eq!(o["negative_to_positive"], 4);
    assert_eq!(r["input"]["matching"]["ids_paired"], 4);
    // R's write.csv: TRUE / FALSE / NA. 02139: TRUE → FALSE (a flip); 2139: original NA (no
    // decision pair); 7: FALSE → TRUE (a flip). 3 pairs, 2 with both decisions, 2 flips.
    let f = write(
        dir.path(),
        "r.csv",
        "\"id\",\"variant\",\"pred\"\n\"02139\",\"original\",TRUE\n\"02139\",\"w\",FALSE\n\
         \"2139\",\"original\",NA\n\"2139\",\"w\",TRUE\n\"7\",\"original\",FALSE\n\"7\",\"w\",TRUE\n",
    );
    let r = engine_json(
        "audit-counterfactual",
        &[
            &f,
            "--id",
            "id",
            "--variant",
            "variant",
            "--original",
            "original",
            "--pred",
            "pred",
        ],
        0,
    );
    let o = &r["pairs"]["overall"]["metrics"];
    assert_eq!(
        (o["pairs"].as_u64(), o["decision_pairs"].as_u64()),
        (Some(3), Some(2))
    );
    assert_eq!(o["flips"], 2);
    assert_eq!(o["flip_rate"], 1.0);
}
