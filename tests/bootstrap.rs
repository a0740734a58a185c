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
