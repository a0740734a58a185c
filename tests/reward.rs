//! audit-reward against independent computations: RewardBench's published RM-R1 numbers,
//! numpy / scipy on synthetic files (tests/expected/reward.json from scripts/oracle_reward.py),
//! RM-Bench's formula, hand cases, bad input.

mod common;

use common::*;
use serde_json::Value;

fn reward_json(args: &[&str], code: i32) -> Value {
    engine_json("audit-reward", args, code)
}

fn reward_error(args: &[&str]) -> String {
    engine_error("audit-reward", args)
}

fn expected() -> Value {
    let text = std::fs::read_to_string(root().join("tests/expected/reward.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn near(what: &str, got: &Value, want: &Value, tol: f64) {
    let (g, w) = (got.as_f64(), want.as_f64());
    match (g, w) {
        (Some(g), Some(w)) => assert!((g - w).abs() <= tol, "{what}: {g} vs {w}"),
        _ => assert!(got.is_null() && want.is_null(), "{what}: {got} vs {want}"),
    }
}

#[test]
fn rm_r1_published_rewardbench_numbers() {
    for model in [
        "RM-R1-Qwen2.5-Instruct-32B",
        "RM-R1-DeepSeek-Distilled-Qwen-32B",
    ] {
        let dir = format!("fixtures/reward/{model}");
        let subsets = format!("{dir}/rewardbench_each_small_section_score.json");
        let published: Value = serde_json::from_str(
            &std::fs::read_to_string(root().join(format!("{dir}/rewardbench_main_score.json")))
                .unwrap(),
        )
        .unwrap();
        // RewardBench's current weights (no flag): the published numbers reproduce.
        let r = reward_json(&[&subsets, "--preset", "rewardbench"], 0);
        let m = &r["inputs"][0]["metrics"];
        for (ours, theirs) in [
            ("rewardbench.chat", "Chat"),
            ("rewardbench.chat_hard", "Chat Hard"),
            ("rewardbench.safety", "Safety"),
            ("rewardbench.reasoning", "Reasoning"),
            ("rewardbench.score", "avg_Result_each_section"),
            ("rewardbench.micro_accuracy", "absoluate_Result"),
        ] {
            near(
                &format!("{model} {ours}"),
                &m[ours],
                &published[theirs],
                1e-9,
            );
        }
        assert_eq!(r["inputs"][0]["kind"], "accuracies");
        // The swapped pre-2024-09 weights change Safety: the published figures are not those.
        let old = reward_json(&[&subsets, "--preset", "rewardbench", "--legacy-xstest"], 0);
        let safety = old["inputs"][0]["metrics"]["rewardbench.safety"]
            .as_f64()
            .unwrap();
        assert!((safety - published["Safety"].as_f64().unwrap()).abs() > 1e-3);
    }
}

#[test]
fn pairs_equal_numpy_and_rewardbench_transcription() {
    let e = expected();
    let p = &e["pairs"];
    let base = [
        "fixtures/reward/pairs.csv",
        "--chosen-length",
        "len_chosen",
        "--rejected-length",
        "len_rejected",
        "--preset",
        "rewardbench",
    ];
    for ties in ["wrong", "half", "exclude"] {
        let mut args = base.to_vec();
        args.extend(["--ties", ties]);
        let r = reward_json(&args, 0);
        let inp = &r["inputs"][0];
        let want = &p[ties];
        near(
            &format!("{ties} accuracy"),
            &inp["metrics"]["accuracy"],
            &want["accuracy"],
            1e-12,
        );
        assert_eq!(inp["metrics"]["ties"], p["ties"]);
        for s in inp["subsets"].as_array().unwrap() {
            let name = s["subset"].as_str().unwrap();
            near(
                &format!("{ties} {name}"),
                &s["accuracy"],
                &want["subsets"][name],
                1e-12,
            );
        }
        for (k, v) in want["rewardbench"].as_object().unwrap() {
            near(
                &format!("{ties} rewardbench.{k}"),
                &inp["metrics"][format!("rewardbench.{k}")],
                v,
                1e-12,
            );
        }
        let mut legacy = args.clone();
        legacy.push("--legacy-xstest");
        let rl = reward_json(&legacy, 0);
        for (k, v) in want["rewardbench_legacy"].as_object().unwrap() {
            near(
                &format!("{ties} legacy {k}"),
                &rl["inputs"][0]["metrics"][format!("rewardbench.{k}")],
                v,
                1e-12,
            );
        }
    }
    // Length and calibration panels (ties wrong).
    let r = reward_json(&base, 0);
    let inp = &r["inputs"][0];
    for k in [
        "pearson",
        "spearman",
        "longer_wins",
        "longer_baseline_accuracy",
        "accuracy_chosen_longer",
        "accuracy_chosen_shorter",
    ] {
        near(
            &format!("length.{k}"),
            &inp["metrics"][format!("length.{k}")],
            &p["length"][k],
            1e-12,
        );
    }
    let bins = inp["length"]["by_length_difference"].as_array().unwrap();
    let want_bins = p["length"]["by_length_difference"].as_array().unwrap();
    assert_eq!(bins.len(), want_bins.len());
    for (b, w) in bins.iter().zip(want_bins) {
        for k in ["lower", "upper", "pairs", "accuracy"] {
            near(&format!("length bin {k}"), &b[k], &w[k], 1e-12);
        }
    }
    for k in ["ece", "mce", "log_loss", "brier", "log_loss_at_temperature"] {
        near(
            &format!("calibration.{k}"),
            &inp["metrics"][format!("calibration.{k}")],
            &p["calibration"][k],
            1e-9,
        );
    }
    near(
        "temperature",
        &inp["metrics"]["calibration.temperature"],
        &p["calibration"]["temperature"],
        1e-6,
    );
    let mass = reward_json(&["fixtures/reward/pairs.csv", "--binning", "equal-mass"], 0);
    near(
        "ece equal mass",
        &mass["inputs"][0]["metrics"]["calibration.ece"],
        &p["calibration"]["ece_equal_mass"],
        1e-9,
    );
    near(
        "mce equal mass",
        &mass["inputs"][0]["metrics"]["calibration.mce"],
        &p["calibration"]["mce_equal_mass"],
        1e-9,
    );
}

#[test]
fn rewardbench_result_file_equals_the_csv() {
    // RewardBench's own per-prompt output: pretty-printed JSON objects one after another.
    let a = reward_json(
        &[
            "fixtures/reward/rewardbench_results.json",
            "--preset",
            "rewardbench",
        ],
        0,
    );
    let b = reward_json(&["fixtures/reward/pairs.csv", "--preset", "rewardbench"], 0);
    let (ma, mb) = (&a["inputs"][0]["metrics"], &b["inputs"][0]["metrics"]);
    for k in [
        "accuracy",
        "ties",
        "rewardbench.score",
        "rewardbench.micro_accuracy",
        "calibration.ece",
    ] {
        assert_eq!(ma[k], mb[k], "{k}");
    }
    let cols = &a["inputs"][0]["columns"];
    assert_eq!(cols["chosen"], "scores_chosen");
    assert_eq!(cols["id"], "id");
    assert!(cols["detected"].as_array().unwrap().len() >= 3);
}

#[test]
fn rm_bench_equals_its_formula() {
    let e = expected();
    let want = &e["rm_bench"];
    let r = reward_json(
        &[
            "fixtures/reward/rmbench_scores.jsonl",
            "--preset",
            "rm-bench",
        ],
        0,
    );
    let m = &r["inputs"][0]["metrics"];
    assert_eq!(r["inputs"][0]["kind"], "styled");
    near("hard", &m["rm_bench.hard"], &want["hard_acc"], 1e-12);
    near("normal", &m["rm_bench.normal"], &want["normal_acc"], 1e-12);
    near("easy", &m["rm_bench.easy"], &want["easy_acc"], 1e-12);
    near("total", &m["rm_bench.score"], &want["total_avg_acc"], 1e-12);
    for d in ["chat", "math", "code", "safety"] {
        near(
            d,
            &m[format!("rm_bench.{d}")],
            &want["domains"][d]["score"],
            1e-12,
        );
        near(
            d,
            &m[format!("rm_bench.{d}.hard")],
            &want["domains"][d]["hard_acc"],
            1e-12,
        );
    }
}

#[test]
fn bootstrap_clusters_prompts_and_is_deterministic() {
    let run = |threads: &str| {
        bin()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "audit-reward",
                "fixtures/reward/pairs.csv",
                "--preset",
                "rewardbench",
            ])
            .args(["--bootstrap", "300", "--seed", "4", "--json"])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let r: Value = serde_json::from_slice(&one).unwrap();
    let inp = &r["inputs"][0];
    let acc = inp["metrics"]["accuracy"].as_f64().unwrap();
    let iv = &inp["intervals"]["accuracy"];
    let (lo, hi) = (iv[0].as_f64().unwrap(), iv[1].as_f64().unwrap());
    assert!(lo < acc && acc < hi, "{lo} {acc} {hi}");
    // About ± 1.96 √(p(1 − p)/n) for 1000 pairs (clusters of one or two pairs widen it a little).
    let half = 1.96 * (acc * (1.0 - acc) / 1000.0).sqrt();
    assert!(
        (hi - lo) > 1.6 * half && (hi - lo) < 2.8 * half,
        "width {}",
        hi - lo
    );
    assert!(inp["intervals"]["rewardbench.chat_hard"].is_array());
    assert!(inp["subsets"][0]["interval"].is_array());
    let gate = reward_json(
        &[
            "fixtures/reward/pairs.csv",
            "--bootstrap",
            "100",
            "--fail-if",
            "accuracy.lower < 0.9",
            "--fail-if",
            "mt-bench-hard:accuracy < 0.1",
        ],
        1,
    );
    assert_eq!(gate["gates"][0]["passed"], false);
    assert_eq!(gate["gates"][1]["passed"], true);
}

#[test]
fn hand_case_ties_groups_and_gates() {
    let d = tempfile::TempDir::new().unwrap();
    let f = write(
        d.path(),
        "h.csv",
        "chosen,rejected,g\n2,1,a\n1,1,a\n0,1,b\n3,1,b\n",
    );
    let acc = |ties: &str| {
        reward_json(&[&f, "--ties", ties], 0)["inputs"][0]["metrics"]["accuracy"]
            .as_f64()
            .unwrap()
    };
    assert_eq!(acc("wrong"), 0.5);
    assert_eq!(acc("half"), 0.625);
    assert!((acc("exclude") - 2.0 / 3.0).abs() < 1e-15);
    let r = reward_json(
        &[&f, "-g", "g", "--fail-if", "g:accuracy_difference > 0.4"],
        0,
    );
    let groups = &r["inputs"][0]["groups"][0];
    assert_eq!(groups["groups"][0]["accuracy"], 0.5);
    assert_eq!(groups["groups"][1]["mean_margin"], 0.5);
    assert_eq!(groups["disparities"]["accuracy_difference"], 0.0);
    assert_eq!(r["passed"], true);
    let e = reward_error(&[&f, "--fail-if", "length.pearson > 0.3"]);
    assert!(e.contains("not in this report"), "{e}");
}

#[test]
fn bad_input_is_one_clear_line() {
    let d = tempfile::TempDir::new().unwrap();
    let no_scores = write(d.path(), "a.csv", "x,y\n1,2\n");
    let e = reward_error(&[&no_scores]);
    assert!(
        e.contains("--chosen") && e.contains("Available columns: x, y"),
        "{e}"
    );
    let text = write(d.path(), "b.csv", "chosen,rejected\nhigh,1\n");
    let e = reward_error(&[&text]);
    assert!(
        e.contains("'chosen'") && e.contains("expected numbers"),
        "{e}"
    );
    let e = reward_error(&[&text, "--chosen", "chosn"]);
    assert!(e.contains("did you mean 'chosen'"), "{e}");
    let bad_json = write(d.path(), "c.json", "{\"a\": 1,,}");
    let e = reward_error(&[&bad_json]);
    assert!(e.contains("not valid JSON"), "{e}");
    let short = write(
        d.path(),
        "s.jsonl",
        "{\"score_chosen\": [1, 2], \"score_rejected\": [0, 1, 2]}\n",
    );
    let e = reward_error(&[&short]);
    assert!(e.contains("has 2 scores"), "{e}");
    let e = reward_error(&["fixtures/reward/pairs.csv", "--preset", "rm-bench"]);
    assert!(e.contains("RM-Bench records"), "{e}");
    let e = reward_error(&[
        "fixtures/reward/pairs.csv",
        "--fail-if",
        "length.pearson > 0.3",
    ]);
    assert!(e.contains("not in this report"), "{e}");
}

#[test]
fn best_of_n_equals_the_estimator_and_fit() {
    let e = expected();
    let want = &e["best_of_n"];
    let r = reward_json(&["fixtures/reward/best_of_n.csv", "--id", "prompt_id"], 0);
    let inp = &r["inputs"][0];
    assert_eq!(inp["kind"], "best-of-n");
    let curve = inp["best_of_n"]["curve"].as_array().unwrap();
    let want_curve = want["curve"].as_array().unwrap();
    assert_eq!(curve.len(), want_curve.len());
    for (c, w) in curve.iter().zip(want_curve) {
        for k in ["kl", "proxy", "gold"] {
            near(&format!("n {} {k}", w["n"]), &c[k], &w[k], 1e-9);
        }
    }
    for k in ["alpha", "beta", "r2", "peak_kl"] {
        near(k, &inp["metrics"][format!("bon.{k}")], &want[k], 1e-7);
    }
}

#[test]
fn ensemble_policy_counterfactual_and_compare_equal_numpy() {
    let e = expected();
    let d = tempfile::TempDir::new().unwrap();
    let suspects = d.path().join("suspects.csv");
    let r = reward_json(
        &[
            "fixtures/reward/ensemble.csv",
            "--chosen",
            "chosen_a,chosen_b,chosen_c",
            "--rejected",
            "rejected_a,rejected_b,rejected_c",
            "--export-suspect",
            suspects.to_str().unwrap(),
        ],
        0,
    );
    let m = &r["inputs"][0]["metrics"];
    for k in [
        "accuracy_of_mean",
        "share_contradicted",
        "mean_std",
        "fleiss_kappa",
    ] {
        near(k, &m[format!("ensemble.{k}")], &e["ensemble"][k], 1e-12);
    }
    let kappa = &r["inputs"][0]["ensemble"]["cohen_kappa"][0]["cohen_kappa"];
    near("cohen a-b", kappa, &e["ensemble"]["cohen_ab"], 1e-12);
    let lines = std::fs::read_to_string(&suspects).unwrap().lines().count();
    assert_eq!(
        lines as u64,
        e["ensemble"]["suspects"].as_u64().unwrap() + 1
    );

    let r = reward_json(
        &[
            "fixtures/reward/policies.csv",
            "--id",
            "prompt_id",
            "--elo",
            "fixtures/reward/elo.csv",
            "--reference-model",
            "model-a",
        ],
        0,
    );
    let inp = &r["inputs"][0];
    for k in ["spearman", "kendall", "max_abs_mismatch", "mean_mismatch"] {
        near(
            k,
            &inp["metrics"][format!("policy.{k}")],
            &e["policy"][k],
            1e-12,
        );
    }
    for row in inp["policy"]["models"].as_array().unwrap() {
        let want = &e["policy"]["models"][row["model"].as_str().unwrap()];
        near("mean score", &row["mean_score"], &want["mean_score"], 1e-12);
        if row["model"] != "model-a" {
            near(
                "win rate",
                &row["win_rate_vs_reference"],
                &want["win_rate"],
                1e-12,
            );
            near(
                "elo expected",
                &row["elo_expected_win_rate"],
                &want["expected"],
                1e-12,
            );
        }
    }

    let r = reward_json(&["fixtures/reward/counterfactual.csv"], 0);
    let inp = &r["inputs"][0];
    near(
        "invariance",
        &inp["metrics"]["counterfactual.invariance_rate"],
        &e["counterfactual"]["invariance_rate"],
        1e-12,
    );
    near(
        "mean |d|",
        &inp["metrics"]["counterfactual.mean_abs_delta"],
        &e["counterfactual"]["mean_abs_delta"],
        1e-12,
    );
    for row in inp["counterfactual"]["attributes"].as_array().unwrap() {
        let want = &e["counterfactual"][row["attribute"].as_str().unwrap()];
        for k in ["invariance_rate", "mean_abs_delta", "mean_delta"] {
            near(k, &row[k], &want[k], 1e-12);
        }
    }

    let r = reward_json(
        &[
            "fixtures/reward/pairs.csv",
            "--compare",
            "fixtures/reward/pairs_rerun.csv",
        ],
        0,
    );
    let m = &r["inputs"][0]["metrics"];
    for k in [
        "p_value",
        "min_p_holm",
        "decision_flips",
        "max_abs_score_change",
    ] {
        near(k, &m[format!("compare.{k}")], &e["compare"][k], 1e-12);
    }
}

#[test]
fn bad_best_of_n_and_elo_input() {
    let d = tempfile::TempDir::new().unwrap();
    let f = write(d.path(), "b.csv", "id,proxy,gold\na,1,1\na,2,0\nb,3,1\n");
    let e = reward_error(&[&f]);
    assert!(e.contains("prompt 'b' has one response"), "{e}");
    let elo = write(d.path(), "elo.csv", "model,rating\nmodel-a,1200\n");
    let e = reward_error(&[
        "fixtures/reward/policies.csv",
        "--id",
        "prompt_id",
        "--elo",
        &elo,
    ]);
    assert!(
        e.contains("'model-b'") && e.contains("no Elo rating"),
        "{e}"
    );
    let e = reward_error(&[
        "fixtures/reward/ensemble.csv",
        "--chosen",
        "chosen_a,chosen_b",
        "--rejected",
        "rejected_a",
    ]);
    assert!(e.contains("one rejected column per chosen column"), "{e}");
    let e = reward_error(&[
        "fixtures/reward/pairs.csv",
        "--compare",
        "fixtures/reward/ensemble.csv",
    ]);
    assert!(e.contains("--compare"), "{e}");
}

#[test]
fn rewardbench2_equals_its_definition() {
    let e = expected();
    let want = &e["rewardbench2"];
    let r = reward_json(
        &[
            "fixtures/reward/rb2_scores.jsonl",
            "--preset",
            "rewardbench2",
        ],
        0,
    );
    let m = &r["inputs"][0]["metrics"];
    assert_eq!(r["inputs"][0]["kind"], "candidates");
    for (k, name) in [
        ("factuality", "Factuality"),
        ("precise_if", "Precise IF"),
        ("math", "Math"),
        ("safety", "Safety"),
        ("focus", "Focus"),
        ("ties", "Ties"),
        ("score", "score"),
    ] {
        near(k, &m[format!("rewardbench2.{k}")], &want[name], 1e-12);
    }
    let e = reward_error(&["fixtures/reward/pairs.csv", "--preset", "rewardbench2"]);
    assert!(e.contains("rewardbench2 needs"), "{e}");
    // Bootstrap: prompts (Ties: both samples of a key) resampled; identical whatever the threads.
    let run = |threads: &str| {
        bin()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "audit-reward",
                "fixtures/reward/rb2_scores.jsonl",
                "--preset",
                "rewardbench2",
            ])
            .args(["--bootstrap", "200", "--seed", "2", "--json"])
            .output()
            .unwrap()
            .stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let r: Value = serde_json::from_slice(&one).unwrap();
    let iv = &r["inputs"][0]["intervals"]["rewardbench2.ties"];
    let ties = r["inputs"][0]["metrics"]["rewardbench2.ties"]
        .as_f64()
        .unwrap();
    assert!(
        iv[0].as_f64().unwrap() < ties && ties < iv[1].as_f64().unwrap(),
        "{iv}"
    );
}

/// A group column given twice is reported twice, but a gate checks its values once (found by
/// differential testing against the build before the flat gate view).
#[test]
fn a_repeated_group_column_is_gated_once() {
    let r = common::engine_json(
        "audit-reward",
        &[
            "fixtures/reward/pairs.csv",
            "-g",
            "lang",
            "-g",
            "lang",
            "--fail-if",
            "lang=en:pairs > 0",
            "--fail-if",
            "lang:accuracy_difference >= 0",
        ],
        1,
    );
    assert_eq!(r["gates"][0]["checked"], 1, "{}", r["gates"]);
    assert_eq!(r["gates"][1]["checked"], 1, "{}", r["gates"]);
}
