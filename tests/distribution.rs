//! `audit-fairness --distribution` (mean score, generalized rates, KS, Wasserstein-1, quantiles)
//! and `--edf` (empirical differential fairness): a hand-computed case and the independent
//! values of scripts/oracle_distribution.py (scipy, numpy, AIF360) on fixtures/compas_scores.csv.

mod common;

use common::*;
use serde_json::Value;
use tempfile::TempDir;

/// Six rows, two groups, label `y`, score `s` (decision s >= 0.5), weight `w`.
///
/// a: 0.4 (y 0), 0.7 (y 1), 0.9 (y 1, weight 2); b: 0.2 (y 0), 0.3 (y 0), 0.6 (y 1).
/// Sorted: 0.2b 0.3b 0.4a 0.6b 0.7a 0.9a.
/// Unweighted ECDFs after each score: F_a = 0, 0, 1/3, 1/3, 2/3, 1; F_b = 1/3, 2/3, 2/3, 1, 1, 1.
/// |F_a − F_b| = 1/3, 2/3, 1/3, 2/3, 1/3, 0 → KS = 2/3.
/// W1 = Σ |F_a − F_b| · gap = (1/3)·0.1 + (2/3)·0.1 + (1/3)·0.2 + (2/3)·0.1 + (1/3)·0.2 = 0.3
/// (= mean_a − mean_b = 2.0/3 − 1.1/3: a's scores dominate b's).
/// Generalized TPR: a (0.7 + 0.9)/2 = 0.8, b 0.6; FPR: a 0.4, b (0.2 + 0.3)/2 = 0.25.
/// Quantiles (numpy linear, n = 3): p50 a 0.7, b 0.3; p25: h = 0.5 → a 0.4 + 0.5·0.3 = 0.55,
/// b 0.2 + 0.5·0.1 = 0.25.
/// EDF (concentration 1, α = 0.5): a selects 2 of 3 → P(sel|a) = 2.5/4 = 0.625, P(not|a) = 0.375;
/// b selects 1 of 3 → 0.375 / 0.625. Both outcomes give ln(0.625/0.375) = ln(5/3): the tie goes
/// to the outcome `selected`, pair (a, b).
/// Weighted (a's 0.9 has weight 2): F_a = 0, 0, 1/4, 1/4, 1/2, 1 → |F_a − F_b| = 1/3, 2/3, 5/12,
/// 3/4, 1/2, 0 → KS = 0.75; W1 = 0.1/3 + 0.2/3 + (5/12)·0.2 + 0.75·0.1 + 0.5·0.2 = 0.358333…
/// (= 2.9/4 − 1.1/3); weighted median of a (inverse weighted CDF: 0.25, 0.5, 1) = 0.7.
/// EDF weighted: a selects weight 3 of 4 → P(sel|a) = 3.5/5 = 0.7, P(not|a) = 0.3;
/// selected: ln(0.7/0.375) = 0.6242; not: ln(0.625/0.3) = ln(25/12) = 0.7340 → outcome
/// not_selected.
const SIX: &str = "g,y,s,w\na,1,0.9,2\na,0,0.4,1\na,1,0.7,1\nb,0,0.2,1\nb,1,0.6,1\nb,0,0.3,1\n";

fn six(extra: &[&str]) -> Value {
    let dir = TempDir::new().unwrap();
    let f = write(dir.path(), "six.csv", SIX);
    let mut args = vec![f.as_str(), "-g", "g", "--label", "y", "--score", "s"];
    args.extend_from_slice(extra);
    audit_json(&args, 0)
}

#[test]
fn hand_case_unweighted() {
    let r = six(&["--distribution", "--edf"]);
    let a = attr(&r, "g");
    let (ga, gb) = (group(a, "a"), group(a, "b"));
    let near =
        |x: Option<f64>, want: f64| assert!(close(x.unwrap(), want, 1e-12), "{x:?} vs {want}");
    near(metric(ga, "ks_statistic"), 2.0 / 3.0);
    near(metric(gb, "ks_statistic"), 2.0 / 3.0);
    near(metric(ga, "wasserstein_distance"), 0.3);
    near(metric(ga, "mean_score"), 2.0 / 3.0);
    near(metric(gb, "mean_score"), 1.1 / 3.0);
    near(metric(ga, "generalized_true_positive_rate"), 0.8);
    near(metric(gb, "generalized_true_positive_rate"), 0.6);
    near(metric(ga, "generalized_false_positive_rate"), 0.4);
    near(metric(gb, "generalized_false_positive_rate"), 0.25);
    near(metric(ga, "quantile_p50"), 0.7);
    near(metric(gb, "quantile_p50"), 0.3);
    near(metric(ga, "quantile_p25"), 0.55);
    near(metric(gb, "quantile_p25"), 0.25);
    near(disp(a, "ks_statistic_max"), 2.0 / 3.0);
    near(disp(a, "wasserstein_distance_max"), 0.3);
    near(disp(a, "mean_score_difference"), 0.3);
    near(disp(a, "generalized_true_positive_rate_difference"), 0.2);
    near(disp(a, "quantile_p50_difference"), 0.4);
    near(
        disp(a, "empirical_differential_fairness"),
        (5.0f64 / 3.0).ln(),
    );
    let e = &a["differential_fairness"];
    assert_eq!(e["group_a"], "a");
    assert_eq!(e["group_b"], "b");
    assert_eq!(e["outcome"], "selected");
    near(e["groups"][0]["selected"].as_f64(), 0.625);
    let d = &a["distribution"];
    assert_eq!(d["ks_statistic_max_pair"], serde_json::json!(["a", "b"]));
    assert_eq!(d["pairs"].as_array().unwrap().len(), 1);
    // Overall: the mean of the six scores, the median of 0.2 … 0.9 (0.4 + 0.6) / 2.
    let o = &r["inputs"][0]["overall"]["metrics"];
    near(o["mean_score"].as_f64(), 3.1 / 6.0);
    near(o["quantile_p50"].as_f64(), 0.5);
}

#[test]
fn hand_case_weighted() {
    let r = six(&["--weight", "w", "--quantiles", "0.5", "--edf"]);
    let a = attr(&r, "g");
    let ga = group(a, "a");
    let near =
        |x: Option<f64>, want: f64| assert!(close(x.unwrap(), want, 1e-12), "{x:?} vs {want}");
    near(metric(ga, "ks_statistic"), 0.75);
    near(metric(ga, "wasserstein_distance"), 2.9 / 4.0 - 1.1 / 3.0);
    near(metric(ga, "mean_score"), 2.9 / 4.0);
    near(metric(ga, "quantile_p50"), 0.7);
    assert!(
        ga["metrics"].get("quantile_p25").is_none(),
        "only the asked quantile"
    );
    near(
        disp(a, "empirical_differential_fairness"),
        (25.0f64 / 12.0).ln(),
    );
    assert_eq!(a["differential_fairness"]["outcome"], "not_selected");
}

#[test]
fn off_unless_asked_and_gates_turn_them_on() {
    let r = six(&[]);
    let a = attr(&r, "g");
    assert!(a.get("distribution").is_none() && a.get("differential_fairness").is_none());
    assert!(group(a, "a")["metrics"].get("ks_statistic").is_none());
    // A gate naming a metric computes it: KS 2/3 > 0.5 fails (exit 1), ε = ln(5/3) = 0.51 < 1.
    let dir = TempDir::new().unwrap();
    let f = write(dir.path(), "six.csv", SIX);
    let base = [f.as_str(), "-g", "g", "--label", "y", "--score", "s"];
    let mut args = base.to_vec();
    args.extend(["--fail-if", "g:ks_statistic > 0.5"]);
    let r = audit_json(&args, 1);
    assert_eq!(r["gates"][0]["passed"], false);
    let mut args = base.to_vec();
    args.extend(["--fail-if", "empirical_differential_fairness > 1.0"]);
    audit_json(&args, 0);
    let mut args = base.to_vec();
    args.extend(["--fail-if", "wasserstein_distance_max > 0.29"]);
    audit_json(&args, 1);
}

#[test]
fn undefined_with_a_reason() {
    // One group only: no pair (KS max, EDF undefined); a group without negatives: gFPR null.
    let dir = TempDir::new().unwrap();
    let f = write(dir.path(), "one.csv", "g,y,s\na,1,0.9\na,1,0.4\n");
    let r = audit_json(
        &[
            &f,
            "-g",
            "g",
            "--label",
            "y",
            "--score",
            "s",
            "--distribution",
            "--edf",
        ],
        0,
    );
    let a = attr(&r, "g");
    assert!(disp(a, "ks_statistic_max").is_none());
    assert!(a["undefined"]["ks_statistic_max"].is_string());
    assert!(disp(a, "empirical_differential_fairness").is_none());
    assert!(a["undefined"]["empirical_differential_fairness"].is_string());
    let g = group(a, "a");
    assert!(metric(g, "generalized_false_positive_rate").is_none());
    assert!(g["undefined"]["generalized_false_positive_rate"].is_string());
    assert!(
        metric(g, "ks_statistic").is_none(),
        "no rest to compare with"
    );
}

#[test]
fn flag_errors() {
    let e = audit_error(&["fixtures/compas.csv", "-g", "race", "--distribution"]);
    assert!(e.contains("--score"), "{e}");
    let e = audit_error(&[
        "fixtures/compas.csv",
        "-g",
        "race",
        "--edf-concentration",
        "0",
    ]);
    assert!(e.contains("--edf-concentration"), "{e}");
    let e = audit_error(&[
        "fixtures/compas_scores.csv",
        "-g",
        "race",
        "--score",
        "proba",
        "--quantiles",
        "1.5",
    ]);
    assert!(e.contains("--quantiles"), "{e}");
}

fn expected() -> Value {
    let text = std::fs::read_to_string(root().join("tests/expected/distribution.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

/// Every group metric, pair distance and EDF of the oracle for race, sex and race&sex.
fn compare_with_oracle(weighted: bool) {
    let exp = expected();
    let key = if weighted { "weighted" } else { "unweighted" };
    let mut args = vec![
        "fixtures/compas_scores.csv",
        "-g",
        "race",
        "-g",
        "sex",
        "--label",
        "label_value",
        "--score",
        "proba",
        "--distribution",
        "--edf",
    ];
    if weighted {
        args.extend(["--weight", "weight"]);
    }
    let r = audit_json(&args, 0);
    let mut checked = 0;
    for (name, want) in exp[key].as_object().unwrap() {
        let a = attr(&r, name);
        for (g, metrics) in want["groups"].as_object().unwrap() {
            let got = group(a, g);
            for (m, v) in metrics.as_object().unwrap() {
                let x = metric(got, m).unwrap_or_else(|| panic!("{name} {g} {m} null"));
                assert!(
                    close(x, v.as_f64().unwrap(), 1e-9),
                    "{key} {name} {g} {m}: {x} vs {v}"
                );
                checked += 1;
            }
        }
        let pairs = a["distribution"]["pairs"].as_array().unwrap();
        for p in want["pairs"].as_array().unwrap() {
            let got = pairs
                .iter()
                .find(|x| x["group_a"] == p["group_a"] && x["group_b"] == p["group_b"])
                .unwrap_or_else(|| panic!("{name}: no pair {p}"));
            for m in ["ks_statistic", "wasserstein_distance"] {
                if let Some(v) = p[m].as_f64() {
                    let x = got[m].as_f64().unwrap();
                    assert!(close(x, v, 1e-9), "{key} {name} pair {p}: {m} {x}");
                    checked += 1;
                }
            }
        }
        let e = &want["empirical_differential_fairness"];
        let x = disp(a, "empirical_differential_fairness").unwrap();
        assert!(
            close(x, e["aif360_epsilon"].as_f64().unwrap(), 1e-9),
            "{key} {name}: ε {x}"
        );
        let df = &a["differential_fairness"];
        assert_eq!(df["group_a"], e["group_a"], "{key} {name}");
        assert_eq!(df["group_b"], e["group_b"], "{key} {name}");
        assert_eq!(df["outcome"], e["outcome"], "{key} {name}");
        for s in df["groups"].as_array().unwrap() {
            let want = e["smoothed_selected"][s["group"].as_str().unwrap()]
                .as_f64()
                .unwrap();
            assert!(close(s["selected"].as_f64().unwrap(), want, 1e-12));
        }
        checked += 1;
    }
    assert!(checked > 150, "{checked} values checked");
}

#[test]
fn equals_scipy_numpy_and_aif360_unweighted() {
    compare_with_oracle(false);
}

#[test]
fn equals_scipy_numpy_and_aif360_weighted() {
    compare_with_oracle(true);
}

#[test]
fn regression_predictions_equal_scipy_and_numpy() {
    let exp = expected();
    let r = audit_json(
        &[
            "fixtures/compas_regression.csv",
            "--label",
            "y",
            "--pred",
            "y_pred",
            "-g",
            "race",
            "--task",
            "regression",
            "--distribution",
        ],
        0,
    );
    let a = attr(&r, "race");
    let mut checked = 0;
    for (g, metrics) in exp["regression"]["race"].as_object().unwrap() {
        let got = group(a, g);
        assert!(
            got["metrics"].get("mean_score").is_none(),
            "mean_prediction is the mean"
        );
        for (m, v) in metrics.as_object().unwrap() {
            let x = metric(got, m).unwrap();
            assert!(close(x, v.as_f64().unwrap(), 1e-9), "{g} {m}: {x} vs {v}");
            checked += 1;
        }
    }
    assert_eq!(checked, 6 * 7);
    assert!(disp(a, "ks_statistic_max").is_some());
}

#[test]
fn text_markdown_csv_and_html_show_them() {
    let args = [
        "audit-fairness",
        "fixtures/compas_scores.csv",
        "-g",
        "race",
        "--score",
        "proba",
        "--distribution",
        "--edf",
    ];
    let md = run_stdout(&[&args[..], &["--format", "markdown"]].concat(), 0);
    assert!(
        md.contains("### race: distribution of `proba` by group"),
        "{md}"
    );
    assert!(md.contains("empirical differential fairness ε = 0.7548 (African-American vs Native American, outcome selected"));
    let csv = run_stdout(&[&args[..], &["--format", "csv"]].concat(), 0);
    assert!(
        csv.contains(",race,,empirical_differential_fairness,0.7547595737072491,"),
        "{csv}"
    );
    assert!(csv.contains(",race,Asian,ks_statistic,"));
    let html = run_stdout(&[&args[..], &["--format", "html"]].concat(), 0);
    let json = audit_json(&args[1..], 0);
    check_html(&html, &json);
    assert!(
        html.contains("Between pairs of groups")
            && html.contains("Empirical differential fairness")
    );
}

#[test]
fn from_stats_gives_the_same_numbers_on_a_grid_finer_than_the_scores() {
    // compas_scores' probabilities have two decimals: the 1e-4 histogram of --emit-stats holds
    // them exactly, so every distribution metric and ε merge back unchanged.
    let dir = TempDir::new().unwrap();
    let stats = dir.path().join("s.json");
    let stats = stats.to_str().unwrap();
    let args = [
        "fixtures/compas_scores.csv",
        "-g",
        "race",
        "--score",
        "proba",
    ];
    audit_json(&[&args[..], &["--emit-stats", stats]].concat(), 0);
    let direct = audit_json(&[&args[..], &["--distribution", "--edf"]].concat(), 0);
    let merged = audit_json(&["--from-stats", stats, "--distribution", "--edf"], 0);
    let (a, b) = (attr(&direct, "race"), attr(&merged, "race"));
    assert_eq!(b["distribution"]["score_resolution"], 0.0001);
    for k in [
        "ks_statistic_max",
        "wasserstein_distance_max",
        "quantile_p50_difference",
        "mean_score_difference",
        "empirical_differential_fairness",
    ] {
        let (x, y) = (disp(a, k).unwrap(), disp(b, k).unwrap());
        assert!(close(x, y, 1e-12), "{k}: {x} vs {y}");
    }
}
