//! `audit-ranking` on tiny lists computed by hand (the arithmetic in the comments), its
//! errors, gates, formats and bootstrap.

mod common;

use common::*;
use serde_json::Value;

const TINY: &str = "tests/data/ranking_tiny.csv";

// Log position bias: w(r) = 1 / log2(1 + r).
const W1: f64 = 1.0;
const W2: f64 = 0.630_929_753_571_457_4; // 1 / log2(3)
const W3: f64 = 0.5; // 1 / log2(4)
const W4: f64 = 0.430_676_558_073_393_06; // 1 / log2(5)

fn overall(r: &Value, name: &str) -> Option<f64> {
    r["overall"]["metrics"][name].as_f64()
}

fn group(r: &Value, g: &str, name: &str) -> Option<f64> {
    r["by_group"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["group"] == g)
        .unwrap()["metrics"][name]
        .as_f64()
}

fn near(a: Option<f64>, b: f64, tol: f64) {
    let a = a.expect("a defined value");
    assert!((a - b).abs() <= tol, "{a} vs {b}");
}

/// tests/data/ranking_tiny.csv, by hand:
///   q1: man (rel 3), woman (2), man (1), woman (2)
///   q2: woman (1), man (0), man (1)
#[test]
fn exposure_by_hand() {
    let r = engine_json(
        "audit-ranking",
        &[
            TINY,
            "--group",
            "gender",
            "--protected",
            "woman",
            "--cutoff-step",
            "1",
            "--k",
            "2",
        ],
        0,
    );
    // man: q1 ranks 1, 3 → W1 + W3; q2 ranks 2, 3 → W2 + W3. woman: q1 ranks 2, 4; q2 rank 1.
    let man = W1 + W3 + W2 + W3;
    let woman = W2 + W4 + W1;
    near(group(&r, "man", "exposure"), man, 1e-12);
    near(group(&r, "woman", "exposure"), woman, 1e-12);
    near(
        group(&r, "woman", "share_of_exposure"),
        woman / (man + woman),
        1e-12,
    );
    near(group(&r, "woman", "share_of_items"), 3.0 / 7.0, 1e-12);
    // Relevance: man 3 + 1 + 0 + 1 = 5, woman 2 + 2 + 1 = 5.
    near(group(&r, "woman", "share_of_relevance"), 0.5, 1e-12);
    // Exposure per item (pooled): man / 4, woman / 3; ratio min / max.
    near(group(&r, "man", "exposure_per_item"), man / 4.0, 1e-12);
    near(
        overall(&r, "disparate_exposure_ratio"),
        (man / 4.0) / (woman / 3.0),
        1e-12,
    );
    // Exposure per unit of relevance: woman / 5 against man / 5.
    near(overall(&r, "disparate_treatment_ratio"), woman / man, 1e-12);
    near(group(&r, "woman", "treatment_ratio"), woman / man, 1e-12);
    // The reference is the largest group (man): woman's exposure ratio (woman/3) / (man/4).
    near(
        group(&r, "woman", "exposure_ratio"),
        (woman / 3.0) / (man / 4.0),
        1e-12,
    );
    // Per query: q1 man 1.5/2 = 0.75, woman (W2 + W4)/2; q2 woman 1, man (W2 + W3)/2.
    let q1 = ((W2 + W4) / 2.0) / 0.75;
    let q2 = (W2 + W3) / 2.0;
    near(
        overall(&r, "mean_disparate_exposure_ratio"),
        (q1 + q2) / 2.0,
        1e-12,
    );
    // FairRankTune's EXP (MinMaxRatio of per-item log exposure) is the same per query.
    near(overall(&r, "exp"), (q1 + q2) / 2.0, 1e-12);
    // AWRF, p = 0.5: attention 100·0.5^r = 50, 25, 12.5, 6.25. q1: man (50 + 12.5)/2 = 31.25,
    // woman (25 + 6.25)/2 = 15.625 → 0.5; q2: woman 50, man (25 + 12.5)/2 = 18.75 → 0.375.
    near(overall(&r, "awrf"), 0.4375, 1e-12);
}

#[test]
fn ndkl_skew_and_top_k_by_hand() {
    let r = engine_json("audit-ranking", &[TINY, "--group", "gender", "--k", "2"], 0);
    // NDKL (natural log; FairRankTune's ε = 1e-7 moves the value by about 1e-6):
    // q1 M W M W, D = (½, ½): prefix 1 (1, 0): ln 2; prefix 2: 0;
    //   prefix 3 (⅔, ⅓): ⅔ ln(4/3) + ⅓ ln(2/3); prefix 4: 0. Weights 1, W2, W3, W4.
    let ln = f64::ln;
    let q1 = (2f64.ln() + W3 * (2.0 / 3.0 * ln(4.0 / 3.0) + 1.0 / 3.0 * ln(2.0 / 3.0)))
        / (W1 + W2 + W3 + W4);
    // q2 W M M, D = (man ⅔, woman ⅓): prefix 1 (0, 1): ln 3; prefix 2 (½, ½):
    //   ½ ln(¾) + ½ ln(3/2); prefix 3: 0.
    let q2 = (3f64.ln() + W2 * (0.5 * ln(0.75) + 0.5 * ln(1.5))) / (W1 + W2 + W3);
    near(overall(&r, "ndkl"), (q1 + q2) / 2.0, 1e-5);
    // Top 2: q1 M W, q2 W M. Selection rates: man 2 of 4, woman 2 of 3.
    near(group(&r, "man", "selection_rate@2"), 0.5, 1e-12);
    near(group(&r, "woman", "selection_rate@2"), 2.0 / 3.0, 1e-12);
    near(overall(&r, "selection_rate_ratio@2"), 0.75, 1e-12);
    // Pooled skew@2: man ln((2/4) / (4/7)), woman ln((2/4) / (3/7)).
    near(
        group(&r, "man", "skew@2"),
        (0.5f64 / (4.0 / 7.0)).ln(),
        1e-12,
    );
    near(
        group(&r, "woman", "skew@2"),
        (0.5f64 / (3.0 / 7.0)).ln(),
        1e-12,
    );
    // MinSkew per query: q1 0 (shares equal the list's); q2 man ln(½ / ⅔) → mean of 0, ln ¾.
    near(overall(&r, "min_skew@2"), 0.75f64.ln() / 2.0, 1e-12);
    // Every group of each list is in its top 2.
    near(overall(&r, "presence_diversity@2"), 1.0, 1e-12);
    // Distributional diversity: q1 1; q2 man (½)/(⅔) = 0.75 → 0.875.
    near(overall(&r, "distributional_diversity@2"), 0.875, 1e-12);
    // Inclusion (relevance / the list's best): q1 man 3/3, woman 2/3 → Nash √(2/3);
    // q2 woman 1/1, man 0 (rel 0) → Nash 0.
    near(
        overall(&r, "inclusion_nash@2"),
        (2.0f64 / 3.0).sqrt() / 2.0,
        1e-12,
    );
    near(
        overall(&r, "inclusion_egalitarian@2"),
        (2.0 / 3.0) / 2.0,
        1e-12,
    );
}

#[test]
fn rnd_rkl_rrd_by_hand() {
    let r = engine_json(
        "audit-ranking",
        &[
            TINY,
            "--group",
            "gender",
            "--protected",
            "woman",
            "--cutoff-step",
            "1",
        ],
        0,
    );
    let l = |k: f64| (k + 1.0).log2();
    // q1 M W M W, |S+| = 2 of 4: |pro_k/k − ½| at k = 1..4: ½, 0, ⅙, 0.
    let q1 = 0.5 / l(1.0) + (1.0 / 6.0) / l(3.0);
    // Z: protected last (M M W W): ½, ½, ⅙, 0 (protected first gives the same).
    let z1 = 0.5 / l(1.0) + 0.5 / l(2.0) + (1.0 / 6.0) / l(3.0);
    // q2 W M M, |S+| = 1 of 3: ⅔, ⅙, 0 — the most unfair ranking of its items, so 1.
    near(overall(&r, "rnd"), (q1 / z1 + 1.0) / 2.0, 1e-12);
    // rRD q1: input ratio 2/2 = 1; prefix ratios W/M: k1 0/1 → 0 → |0 − 1| = 1; k2 1/1 → 0;
    // k3 1/2 → ½; k4 → 0. Protected last: k1 0, k2 0 (ratio 0 → 1 each), k3 1/2 → ½, k4 0;
    // protected first: no unprotected before k3 (ratio 0 → 1), k3 2/1 → min(1, 2) → 0.
    let rrd1 = (1.0 / l(1.0) + 0.5 / l(3.0)) / (1.0 / l(1.0) + 1.0 / l(2.0) + 0.5 / l(3.0));
    // q2: input ½; W M M: k1 (no unprotected) → ½, k2 1/1 → 0, k3 → 0;
    // last (M M W): ½, ½, 0; first: the list itself.
    let rrd2 = (0.5 / l(1.0)) / (0.5 / l(1.0) + 0.5 / l(2.0));
    near(overall(&r, "rrd"), (rrd1 + rrd2) / 2.0, 1e-12);
    // rKL q1 k3: px = ⅓, qx = ½: ⅓ log2(⅔) + ⅔ log2(4/3); k1 px = 0 → 0.001.
    let kl =
        |px: f64, qx: f64| px * (px / qx).log2() + (1.0 - px) * ((1.0 - px) / (1.0 - qx)).log2();
    let q1k = kl(0.001, 0.5) / l(1.0) + kl(1.0 / 3.0, 0.5) / l(3.0);
    let z1k = kl(0.001, 0.5) / l(1.0) + kl(0.001, 0.5) / l(2.0) + kl(1.0 / 3.0, 0.5) / l(3.0);
    let q2k = kl(0.001, 1.0 / 3.0) / l(1.0) + kl(0.5, 1.0 / 3.0) / l(2.0);
    let z2k = (kl(0.001, 1.0 / 3.0) / l(1.0) + kl(0.5, 1.0 / 3.0) / l(2.0))
        .max(kl(0.001, 1.0 / 3.0) / l(1.0) + kl(0.001, 1.0 / 3.0) / l(2.0));
    near(overall(&r, "rkl"), (q1k / z1k + q2k / z2k) / 2.0, 1e-12);
    // At the default step of 10 these lists have no cutoff: null with a reason, and a warning.
    let r = engine_json(
        "audit-ranking",
        &[TINY, "--group", "gender", "--protected", "woman"],
        0,
    );
    assert!(r["overall"]["metrics"]["rnd"].is_null());
    assert!(r["overall"]["undefined"]["rnd"]
        .as_str()
        .unwrap()
        .contains("cutoff"));
    assert!(r["warnings"].to_string().contains("--cutoff-step 1"));
}

#[test]
fn fair_test_against_the_adjusted_mtable() {
    let dir = tempfile::tempdir().unwrap();
    // Two lists of 10, p = 0.5, α = 0.1: fairsearchcore 1.0.4 gives the adjusted α 0.075 and
    // the mtable 0 0 0 1 1 1 2 2 2 3 (binom.ppf(0.075, i, 0.5): e.g. i = 4: P(X ≤ 0) = 1/16 <
    // 0.075 ≤ P(X ≤ 1) → 1; i = 9: P(X ≤ 2) = 46/512 ≈ 0.0898 → 2).
    // q1: M M M M W W W W W W fails at prefix 4 (0 < 1); q2: W M M M M M W M M M fails at 10
    // (2 < 3).
    let mut text = String::from("query_id,rank,gender\n");
    for (q, s) in [("q1", "MMMMWWWWWW"), ("q2", "WMMMMMWMMM")] {
        for (i, c) in s.chars().enumerate() {
            let g = if c == 'W' { "woman" } else { "man" };
            text.push_str(&format!("{q},{},{g}\n", i + 1));
        }
    }
    let f = write(dir.path(), "fair.csv", &text);
    let export = dir.path().join("q.csv");
    let r = engine_json(
        "audit-ranking",
        &[
            &f,
            "--group",
            "gender",
            "--protected",
            "woman",
            "--fair-p",
            "0.5",
            "--export-queries",
            export.to_str().unwrap(),
        ],
        0,
    );
    let t = &r["fair"]["tables"][0];
    assert_eq!(t["k"], 10);
    assert_eq!(
        t["mtable"],
        serde_json::json!([0, 0, 0, 1, 1, 1, 2, 2, 2, 3])
    );
    assert!((t["adjusted_alpha"].as_f64().unwrap() - 0.075).abs() < 1e-12);
    assert_eq!(overall(&r, "fair_pass_rate"), Some(0.0));
    let csv = std::fs::read_to_string(&export).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    let col = rows[0]
        .iter()
        .position(|h| *h == "fair_first_failure")
        .unwrap();
    assert_eq!(rows[1][col], "4");
    assert_eq!(rows[2][col], "10");
}

#[test]
fn score_order_equals_rank_order_and_ties_keep_file_order() {
    let dir = tempfile::tempdir().unwrap();
    // Scores 0.9, 0.9, 0.1: the tie keeps file order (man before woman), as ranks 1, 2, 3.
    let a = write(
        dir.path(),
        "s.csv",
        "qid,score,g\nq,0.9,man\nq,0.9,woman\nq,0.1,man\n",
    );
    let b = write(
        dir.path(),
        "r.csv",
        "qid,rank,g\nq,1,man\nq,2,woman\nq,3,man\n",
    );
    let ra = engine_json(
        "audit-ranking",
        &[&a, "--group", "g", "--score", "score"],
        0,
    );
    let rb = engine_json("audit-ranking", &[&b, "--group", "g"], 0);
    assert_eq!(ra["overall"], rb["overall"]);
    assert_eq!(ra["by_group"], rb["by_group"]);
    near(group(&ra, "woman", "exposure"), W2, 1e-12);
}

#[test]
fn errors_name_the_file_column_query_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let e = engine_error("audit-ranking", &[TINY, "--group", "gendr"]);
    assert!(e.contains("did you mean 'gender'"), "{e}");
    let dup = write(dir.path(), "dup.csv", "query_id,rank,g\nq1,1,a\nq1,1,b\n");
    let e = engine_error("audit-ranking", &[&dup, "--group", "g"]);
    assert!(
        e.contains("query 'q1'") && e.contains("line 3") && e.contains("twice"),
        "{e}"
    );
    let gap = write(dir.path(), "gap.csv", "query_id,rank,g\nq1,1,a\nq1,3,b\n");
    let e = engine_error("audit-ranking", &[&gap, "--group", "g"]);
    assert!(
        e.contains("query 'q1'") && e.contains("line 3") && e.contains("rank 3"),
        "{e}"
    );
    let one = write(dir.path(), "one.csv", "query_id,rank,g\nq1,1,a\nq1,2,a\n");
    let e = engine_error("audit-ranking", &[&one, "--group", "g"]);
    assert!(e.contains("one value ('a')"), "{e}");
    let e = engine_error(
        "audit-ranking",
        &[TINY, "--group", "gender", "--protected", "women"],
    );
    assert!(e.contains("did you mean 'woman'"), "{e}");
    let e = engine_error(
        "audit-ranking",
        &[TINY, "--group", "gender", "--target", "woman=0.5,man=0.4"],
    );
    assert!(e.contains("sum to"), "{e}");
    let e = engine_error(
        "audit-ranking",
        &[
            TINY,
            "--group",
            "gender",
            "--fail-if",
            "share_of_exposre < 1",
        ],
    );
    assert!(e.contains("did you mean 'share_of_exposure'"), "{e}");
}

#[test]
fn gates_on_groups_overall_and_cutoffs() {
    let args = |gate: &'static str| vec![TINY, "--group", "gender", "--k", "2", "--fail-if", gate];
    // woman's share of exposure is 0.4393: the gate holds, exit 1.
    assert_eq!(
        exit_code(
            &[
                &["audit-ranking"][..],
                &args("woman:share_of_exposure < 0.5")
            ]
            .concat()
        ),
        1
    );
    assert_eq!(
        exit_code(
            &[
                &["audit-ranking"][..],
                &args("gender=woman:share_of_exposure < 0.4")
            ]
            .concat()
        ),
        0
    );
    assert_eq!(
        exit_code(
            &[
                &["audit-ranking"][..],
                &args("selection_rate_ratio@2 < 0.7")
            ]
            .concat()
        ),
        0
    );
    assert_eq!(
        exit_code(
            &[
                &["audit-ranking"][..],
                &args("disparate_exposure_ratio < 0.96")
            ]
            .concat()
        ),
        1
    );
    // An undefined value fails the gate (no protected group: rnd is null).
    assert_eq!(
        exit_code(&[&["audit-ranking"][..], &args("rnd > 0.5")].concat()),
        1
    );
}

#[test]
fn bootstrap_is_seeded_and_thread_independent() {
    let run = |threads: &str| {
        let out = bin()
            .env("RAYON_NUM_THREADS", threads)
            .args([
                "audit-ranking",
                "tests/data/ranking_tiny.csv",
                "--group",
                "gender",
            ])
            .args(["--bootstrap", "200", "--seed", "7", "--json", "-q"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        out.stdout
    };
    let one = run("1");
    assert_eq!(one, run("2"));
    let r: Value = serde_json::from_slice(&one).unwrap();
    let iv = r["overall"]["intervals"]["disparate_exposure_ratio"]
        .as_array()
        .unwrap();
    let (lo, hi) = (iv[0].as_f64().unwrap(), iv[1].as_f64().unwrap());
    let v = overall(&r, "disparate_exposure_ratio").unwrap();
    assert!(
        lo <= hi && lo <= 1.0 && hi <= 1.0 && lo > 0.0,
        "{lo} {hi} {v}"
    );
}

#[test]
fn formats_csv_markdown_html() {
    let json = engine_json("audit-ranking", &[TINY, "--group", "gender"], 0);
    let html = run_stdout(
        &[
            "audit-ranking",
            TINY,
            "--group",
            "gender",
            "--format",
            "html",
        ],
        0,
    );
    let doc = check_html(&html, &json);
    assert_eq!(chart_names(&doc), ["gender-share-of-exposure"]);
    let csv = run_stdout(
        &[
            "audit-ranking",
            TINY,
            "--group",
            "gender",
            "--format",
            "csv",
        ],
        0,
    );
    assert!(csv.starts_with("level,group,metric,value,lower,upper,undefined\n"));
    assert!(csv.contains("\ngroup,woman,share_of_items,0.42857142857142855,"));
    let md = run_stdout(
        &[
            "audit-ranking",
            TINY,
            "--group",
            "gender",
            "--format",
            "markdown",
        ],
        0,
    );
    assert!(md.contains("| disparate\\_exposure\\_ratio |"), "{md}");
}
