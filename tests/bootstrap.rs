//! Bootstrap intervals: agree with Wilson on n = 1000, identical for a seed whatever the thread
//! count, usable in gates.

mod common;

use common::*;

fn thousand_rows(dir: &std::path::Path) -> String {
    // Group a: 1000 rows, 300 predicted positive; group b: 500 rows, 250.
    let mut csv = String::from("y,p,g\n");
    for i in 0..1000 {
        csv.push_str(&format!("{},{},a\n", i % 2, u8::from(i < 300)));
    }
    for i in 0..500 {
        csv.push_str(&format!("{},{},b\n", i % 3 == 0, u8::from(i % 2 == 0)));
    }
    write(
        dir,
        "t.csv",
        &csv.replace("true", "1").replace("false", "0"),
    )
}

#[test]
fn percentile_interval_agrees_with_wilson() {
    let d = tempfile::TempDir::new().unwrap();
    let f = thousand_rows(d.path());
    let r = audit_json(&[&f, "-g", "g", "--bootstrap", "2000", "--seed", "3"], 0);
    let a = group(attr(&r, "g"), "a");
    let boot = &a["bootstrap"]["selection_rate"];
    let wilson = &a["intervals"]["selection_rate"];
    for end in 0..2 {
        let (x, y) = (boot[end].as_f64().unwrap(), wilson[end].as_f64().unwrap());
        assert!(
            (x - y).abs() < 0.01,
            "end {end}: bootstrap {x} vs Wilson {y}"
        );
    }
    // The point estimate lies inside; disparities get intervals too.
    let lo = boot[0].as_f64().unwrap();
    let hi = boot[1].as_f64().unwrap();
    assert!(lo < 0.3 && 0.3 < hi);
    let dpd = &attr(&r, "g")["disparities_bootstrap"]["demographic_parity_difference"];
    assert!(
        dpd[0].as_f64().unwrap() < 0.2 && 0.2 < dpd[1].as_f64().unwrap(),
        "{dpd}"
    );
    assert_eq!(r["settings"]["bootstrap"], 2000);
}

#[test]
fn same_seed_same_json_whatever_the_threads() {
    let run = |threads: &str, seed: &str| {
        let out = bin()
            .env("RAYON_NUM_THREADS", threads)
            .env("POLARS_MAX_THREADS", threads)
            .args([
                "audit-fairness",
                "fixtures/adult_weighted.csv",
                "-g",
                "race",
                "-g",
                "gender",
            ])
            .args([
                "--weight",
                "weight",
                "--bootstrap",
                "300",
                "--seed",
                seed,
                "--json",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    let one = run("1", "42");
    assert_eq!(one, run("2", "42"));
    assert_ne!(one, run("2", "43"), "another seed gives other intervals");
}

#[test]
fn gates_on_interval_ends() {
    let d = tempfile::TempDir::new().unwrap();
    let f = thousand_rows(d.path());
    let r = audit_json(
        &[
            &f,
            "-g",
            "g",
            "--bootstrap",
            "500",
            "--fail-if",
            "demographic_parity_difference.lower > 0.1",
        ],
        1,
    );
    let v = r["gates"][0]["failures"][0]["value"].as_f64().unwrap();
    assert_eq!(
        Some(v),
        attr(&r, "g")["disparities_bootstrap"]["demographic_parity_difference"][0].as_f64()
    );
    let e = audit_error(&[
        &f,
        "-g",
        "g",
        "--fail-if",
        "demographic_parity_difference.upper > 0.1",
    ]);
    assert!(e.contains("needs --bootstrap"), "{e}");
}

#[test]
fn score_metrics_and_row_means_resample_rows() {
    // Row metric: group a has 1000 rows with values i % 10 (mean 4.5, population sd √8.25), so
    // the 95% interval of its mean is about 4.5 ± 1.96 · √8.25 / √1000 = 4.5 ± 0.178.
    let d = tempfile::TempDir::new().unwrap();
    let mut csv = String::from("y,p,g,dice\n");
    for i in 0..1000 {
        csv.push_str(&format!("{},{},a,{}\n", i % 2, i % 3 == 0, i % 10));
    }
    for i in 0..200 {
        csv.push_str(&format!("{},{},b,{}\n", i % 2, i % 2 == 0, i % 5));
    }
    let f = write(
        d.path(),
        "m.csv",
        &csv.replace("true", "1").replace("false", "0"),
    );
    let r = audit_json(
        &[
            &f,
            "-g",
            "g",
            "--row-metric",
            "dice",
            "--bootstrap",
            "2000",
            "--seed",
            "5",
        ],
        0,
    );
    let iv = &group(attr(&r, "g"), "a")["bootstrap"]["mean_dice"];
    let half = 1.959964 * 8.25f64.sqrt() / 1000f64.sqrt();
    for (end, want) in [(0, 4.5 - half), (1, 4.5 + half)] {
        let got = iv[end].as_f64().unwrap();
        assert!(
            (got - want).abs() < 0.02,
            "end {end}: {got} vs normal {want}"
        );
    }
    assert!(attr(&r, "g")["disparities_bootstrap"]["mean_dice_difference"].is_array());

    // ROC AUC per group: the interval's width is close to Hanley & McNeil's (1982) normal
    // approximation, 2 · 1.96 · SE, and holds the point estimate.
    let r = audit_json(
        &[
            "fixtures/compas_scores.csv",
            "--score",
            "proba",
            "-g",
            "race",
            "--bootstrap",
            "1000",
            "--seed",
            "1",
        ],
        0,
    );
    let g = group(attr(&r, "race"), "Caucasian");
    let auc = g["metrics"]["roc_auc"].as_f64().unwrap();
    let pos = g["counts"]["tp"].as_f64().unwrap() + g["counts"]["fn"].as_f64().unwrap();
    let neg = g["counts"]["fp"].as_f64().unwrap() + g["counts"]["tn"].as_f64().unwrap();
    let (q1, q2) = (auc / (2.0 - auc), 2.0 * auc * auc / (1.0 + auc));
    let se =
        ((auc * (1.0 - auc) + (pos - 1.0) * (q1 - auc * auc) + (neg - 1.0) * (q2 - auc * auc))
            / (pos * neg))
            .sqrt();
    let iv = &g["bootstrap"]["roc_auc"];
    let (lo, hi) = (iv[0].as_f64().unwrap(), iv[1].as_f64().unwrap());
    assert!(lo < auc && auc < hi, "{lo} {auc} {hi}");
    let ratio = (hi - lo) / (2.0 * 1.959964 * se);
    assert!(
        (0.8..1.25).contains(&ratio),
        "width ratio to Hanley-McNeil {ratio}"
    );
    for k in ["brier_score", "log_loss", "expected_calibration_error"] {
        assert!(g["bootstrap"][k].is_array(), "{k}");
    }
    assert!(attr(&r, "race")["disparities_bootstrap"]["roc_auc_difference"].is_array());
}

#[test]
fn score_bootstrap_is_the_same_whatever_the_threads() {
    let run = |threads: &str| {
        let out = bin()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "audit-fairness",
                "fixtures/compas_scores.csv",
                "--score",
                "proba",
                "-g",
                "race",
                "--weight",
                "weight",
                "--bootstrap",
                "100",
                "--seed",
                "9",
                "--json",
            ])
            .output()
            .unwrap();
        assert!(out.status.success());
        out.stdout
    };
    assert_eq!(run("1"), run("2"));
}
