//! `audit-counterfactual` against `scripts/oracle_counterfactual.py`
//! (tests/expected/counterfactual/*.json): flips with TFMA's and the original-side denominators,
//! score differences, LangFair's counterfactual parity (its own `sentimentbias.py` run on the
//! fixture's scores), SQuAD-normalised answers with accuracy, McNemar and Holm, and the
//! generated-attribute distributions against uniform and given targets (KL, total variation,
//! mean absolute deviation, Shen et al.'s bias).

mod common;

use common::engine_json;
use serde_json::Value;

fn expected(name: &str) -> Value {
    common::expected_json(&format!("counterfactual/{name}.json"))
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-12, "{what}: fairaudit {a} vs oracle {b}");
}

fn m(block: &Value, name: &str) -> f64 {
    block["metrics"][name]
        .as_f64()
        .unwrap_or_else(|| panic!("{name} missing in {block}"))
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

const PAIRS: [&str; 9] = [
    "--id",
    "pair_id",
    "--variant",
    "variant",
    "--original",
    "original",
    "--attribute",
    "attribute",
    "--score",
];

/// A metric against the oracle's value: equal, or both undefined (null).
fn same(ours: &Value, name: &str, theirs: &Value, what: &str) {
    match (ours["metrics"][name].as_f64(), theirs.as_f64()) {
        (Some(a), Some(b)) => close(a, b, &format!("{what} {name}")),
        (a, b) => {
            assert_eq!(a, b, "{what} {name}");
            assert!(
                ours["undefined"][name].is_string(),
                "{what} {name}: no reason"
            );
        }
    }
}

/// Flip counts and rates of one scope at one threshold (`at` = "" or "@0.7") against the
/// oracle's block (fairaudit's decision is score ≥ threshold: the oracle's `toxicity_ge_*`).
fn check_flips(ours: &Value, theirs: &Value, at: &str, what: &str) {
    for (name, key) in [
        ("decision_pairs", "n"),
        ("flips", "flips"),
        ("flip_rate", "flip_rate"),
        ("positive_to_negative", "pos_to_neg"),
        ("negative_to_positive", "neg_to_pos"),
        (
            "positive_to_negative_rate",
            "pos_to_neg_rate_of_original_pos",
        ),
        (
            "negative_to_positive_rate",
            "neg_to_pos_rate_of_original_neg",
        ),
        ("positive_to_negative_share", "pos_to_neg_rate_tfma"),
        ("negative_to_positive_share", "neg_to_pos_rate_tfma"),
    ] {
        same(ours, &format!("{name}{at}"), &theirs[key], what);
    }
}

fn check_deltas(ours: &Value, theirs: &Value, what: &str) {
    // share_over_epsilon is decided on the exact decimals: a |Δ| of exactly 0.1 is not over
    // ε = 0.1 (0.4 − 0.3 = 0.10000000000000003 in binary).
    for (name, key) in [
        ("score_pairs", "n"),
        ("mean_delta", "mean_delta"),
        ("mean_abs_delta", "mean_abs_delta"),
        ("max_abs_delta", "max_abs_delta"),
        ("share_over_epsilon", "share_abs_delta_gt_0.1"),
    ] {
        same(ours, name, &theirs[key], what);
    }
}

fn pairs_case(file: &str, oracle: &str) {
    let exp = expected(oracle);
    let mut args = vec![file];
    args.extend(PAIRS);
    args.extend(["toxicity", "--threshold", "0.5,0.7"]);
    let r = engine_json("audit-counterfactual", &args, 0);
    let o = &r["pairs"]["overall"];
    check_flips(o, &exp["overall"]["toxicity_ge_0.5"], "", "overall");
    check_flips(
        o,
        &exp["overall"]["toxicity_ge_0.7"],
        "@0.7",
        "overall @0.7",
    );
    check_deltas(o, &exp["overall"]["toxicity_delta"], "overall Δ");
    let mut checked = 0;
    for (attr, e) in exp["flips"].as_object().unwrap() {
        let a = attribute(&r, attr);
        check_flips(a, &e["all_values"]["toxicity_ge_0.5"], "", attr);
        check_flips(a, &e["all_values"]["toxicity_ge_0.7"], "@0.7", attr);
        check_deltas(a, &e["all_values"]["toxicity_delta"], attr);
        for (v, ev) in e["values"].as_object().unwrap() {
            let ours = value(a, v);
            check_flips(ours, &ev["toxicity_ge_0.5"], "", v);
            check_flips(ours, &ev["toxicity_ge_0.7"], "@0.7", v);
            check_deltas(ours, &ev["toxicity_delta"], v);
            checked += 1;
        }
    }
    assert!(checked >= 2);
    // The 0/1 column `toxic` (= toxicity ≥ 0.5) through --pred gives the same flips.
    let mut args = vec![file];
    args.extend(&PAIRS[..8]);
    args.extend(["--pred", "toxic"]);
    let r = engine_json("audit-counterfactual", &args, 0);
    check_flips(
        &r["pairs"]["overall"],
        &exp["overall"]["toxic"],
        "",
        "toxic",
    );
}

#[test]
fn pairs_equal_the_oracle() {
    // 400 sentences, 1,021 variant rows (7 with a missing toxicity), gender / race / religion.
    pairs_case("fixtures/counterfactual_pairs.csv", "pairs");
}

#[test]
fn small_pairs_equal_the_hand_computation() {
    // HAND.md: 3 pair_ids, one toxicity exactly 0.5000, one |Δ| of exactly 0.1.
    pairs_case("fixtures/counterfactual_small.csv", "pairs_small");
}

#[test]
fn sentiment_parity_equals_langfair() {
    // LangFair's SentimentBias (afd6dc0b) run on the fixture's precomputed sentiment: strict
    // parity = Wasserstein-1, weak = share above 0.5 (strict >) of one side minus the other.
    let exp = expected("pairs");
    assert!(exp["langfair"]["checked_comparisons"].as_u64().unwrap() > 0);
    let mut args = vec!["fixtures/counterfactual_pairs.csv"];
    args.extend(PAIRS);
    args.push("sentiment");
    let r = engine_json("audit-counterfactual", &args, 0);
    let mut checked = 0;
    for (attr, e) in exp["sentiment_parity"].as_object().unwrap() {
        let a = attribute(&r, attr);
        for p in a["parity"].as_array().unwrap() {
            let (x, y) = (p["a"].as_str().unwrap(), p["b"].as_str().unwrap());
            let c = &e["comparisons"];
            let (theirs, sign) = match (c.get(format!("{x} vs {y}")), c.get(format!("{y} vs {x}")))
            {
                (Some(t), _) => (t, 1.0),
                (None, Some(t)) => (t, -1.0),
                _ => panic!("{attr}: no oracle comparison of {x} and {y}"),
            };
            close(
                p["strict_parity"].as_f64().unwrap(),
                theirs["strict_w1"].as_f64().unwrap(),
                &format!("{attr} {x}/{y} strict"),
            );
            let weak = p["weak_parity"].as_f64().unwrap();
            let want = theirs["weak"].as_f64().unwrap();
            assert!(
                (weak - sign * want).abs() < 1e-12 || (weak.abs() - want.abs()).abs() < 1e-12,
                "{attr} {x}/{y} weak: {weak} vs {want}"
            );
            checked += 1;
        }
        // The attribute's figure: the largest strict parity between two of its values.
        let between = e["max_strict_w1_between_values"].as_f64().unwrap();
        let vs_original = e["max_strict_w1_vs_original"].as_f64().unwrap();
        close(
            m(a, "strict_parity"),
            between.max(vs_original),
            &format!("{attr} strict parity"),
        );
    }
    assert!(checked >= 9, "{checked}");
}

#[test]
fn answers_equal_the_oracle() {
    // SQuAD v1.1 normalisation; accuracy of the variants and of the same ids' originals,
    // McNemar's exact p and Holm within each attribute.
    let exp = expected("qa");
    let r = engine_json(
        "audit-counterfactual",
        &[
            "fixtures/counterfactual_qa.csv",
            "--id",
            "question_id",
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
        ],
        0,
    );
    let same = |ours: &Value, theirs: &Value, what: &str| {
        let w = |k: &str| theirs[k].as_f64().unwrap();
        close(m(ours, "answer_pairs"), w("n"), what);
        close(m(ours, "changes"), w("answers_changed"), what);
        close(m(ours, "answer_change_rate"), w("answer_change_rate"), what);
        close(m(ours, "accuracy"), w("accuracy_variant"), what);
        close(m(ours, "accuracy_original"), w("accuracy_original"), what);
        let [d, n] = [0, 1].map(|i| theirs["accuracy_change_exact"][i].as_f64().unwrap());
        close(m(ours, "accuracy_change"), d / n, what);
        close(m(ours, "mcnemar_b"), w("wrong_to_correct"), what);
        close(m(ours, "mcnemar_c"), w("correct_to_wrong"), what);
    };
    same(&r["pairs"]["overall"], &exp["overall"], "overall");
    let mut checked = 0;
    for (attr, e) in exp["attributes"].as_object().unwrap() {
        let a = attribute(&r, attr);
        same(a, &e["all_values"], attr);
        for (v, ev) in e["values"].as_object().unwrap() {
            let ours = value(a, v);
            same(ours, ev, v);
            let p = ev["mcnemar_exact_p"].as_f64().unwrap();
            assert!((m(ours, "mcnemar_p_value") - p).abs() <= 1e-12 * p.max(1e-300));
            let h = ev["mcnemar_p_holm"].as_f64().unwrap();
            assert!((m(ours, "mcnemar_p_value_holm") - h).abs() <= 1e-12 * h.max(1e-300));
            checked += 1;
        }
    }
    assert_eq!(checked, 6);
    // "A" and "(a)" normalise to nothing under SQuAD's rule: the report warns.
    let empty = exp["answers_normalising_to_empty"].as_u64().unwrap()
        + exp["labels_normalising_to_empty"].as_u64().unwrap();
    // (cells: the oracle counts answers per row and labels per question; each row carries its
    // question's label here.)
    let warned = r["warnings"].as_array().unwrap().iter().any(|w| {
        let t = w["message"].as_str().unwrap();
        let n: u64 = t.split(' ').next().unwrap().parse().unwrap_or(0);
        t.contains("normalise to nothing")
            && t.contains("--answer-normalization lower")
            && n > empty
    });
    assert!(warned, "{}", r["warnings"]);
}

fn distribution_case(file: &str, oracle: &str) {
    let exp = expected(oracle);
    for column in ["gender", "race"] {
        let e = &exp["columns"][column];
        for target in [None, Some(&exp["targets"][column])] {
            let spec: Option<String> = target.map(|t| {
                t.as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            });
            let mut args = vec![file, "--distribution", column, "--prompt", "prompt"];
            if let Some(s) = &spec {
                args.extend(["--target", s.as_str()]);
            }
            let r = engine_json("audit-counterfactual", &args, 0);
            let key = if target.is_some() {
                "target"
            } else {
                "uniform"
            };
            let check = |ours: &Value, theirs: &Value, what: &str| {
                let t = &theirs[key];
                match (
                    ours["metrics"]["kl_divergence"].as_f64(),
                    t["kl_observed_target"].as_f64(),
                ) {
                    (Some(a), Some(b)) => close(a, b, &format!("{what} KL")),
                    (a, b) => assert_eq!(a.is_some(), b.is_some(), "{what} KL defined"),
                }
                close(
                    m(ours, "total_variation"),
                    t["total_variation"].as_f64().unwrap(),
                    what,
                );
                close(
                    m(ours, "mean_abs_deviation"),
                    t["mean_abs_deviation"].as_f64().unwrap(),
                    what,
                );
                // Shen et al.'s bias over the classes known: the observed ones, and with a
                // target also the classes it names that no image shows (frequency 0).
                close(m(ours, "bias"), t["shen_bias"].as_f64().unwrap(), what);
                close(m(ours, "images"), theirs["n"].as_f64().unwrap(), what);
            };
            let d = &r["distribution"];
            check(&d["pooled"], &e["pooled"], &format!("{column} pooled"));
            for p in d["prompts"].as_array().unwrap() {
                let name = p["prompt"].as_str().unwrap();
                check(p, &e["per_prompt"][name], &format!("{column} {name}"));
            }
            let mo = &e["mean_over_prompts"];
            close(
                m(&d["mean_over_prompts"], "mean_total_variation"),
                mo[format!("{key}.total_variation")]["value"]
                    .as_f64()
                    .unwrap(),
                "mean TV",
            );
            if target.is_none() {
                close(
                    m(&d["mean_over_prompts"], "mean_bias"),
                    mo["shen_bias"]["value"].as_f64().unwrap(),
                    "mean bias",
                );
            }
        }
    }
}

#[test]
fn distributions_equal_the_oracle() {
    // 12 occupation prompts × 50 images; gender with missing values, race with 4 values.
    distribution_case("fixtures/t2i_attributes.csv", "t2i");
}

#[test]
fn small_distributions_equal_the_hand_computation() {
    // HAND.md: nurse 4 images, CEO 5 (one without a gender), no Indian image.
    distribution_case("fixtures/t2i_small.csv", "t2i_small");
}
