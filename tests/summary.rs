//! `--summary` of audit-reward and allocate pb (audit-fairness's is in tests/scale.rs and
//! tests/answers.rs), and `allocate pb --outcome selected`: one row per file, each value equal to
//! the single-file run's and, on the hand-made inputs, to the values worked out by hand below;
//! the gate verdict per row and the exit code; partition columns; a glob matching nothing; the
//! recorded outcome against pabutools 1.2.3 (tests/expected/pb_selected.json from
//! scripts/oracle_pb_selected.py).

mod common;

use std::path::Path;

use common::*;
use serde_json::Value;

/// Copies shipped fixtures into `dir` at the given relative paths (partition directories made).
fn layout(dir: &Path, files: &[(&str, &str)]) {
    for (to, from) in files {
        let to = dir.join(to);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(root().join(from), to).unwrap();
    }
}

/// `fairaudit ARGS -q`: the exit code and standard output (standard error on failure shown).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).arg("-q").output().expect("ran");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).expect("JSON")
}

/// The summary row of the file ending in `end`.
fn row<'a>(s: &'a Value, end: &str) -> &'a Value {
    s["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["file"].as_str().unwrap().ends_with(end))
        .unwrap_or_else(|| panic!("no row for {end}"))
}

/// A hand-made pairs file: 5 pairs, 3 right (2 > 1, 0.5 > 0.1, 1 > 0), one wrong (1 < 2), one
/// tie (3 = 3, wrong by default): accuracy 3/5 = 0.6, 1 tie, tie share 0.2.
const HAND_PAIRS: &str = "id,score_chosen,score_rejected\n1,2,1\n2,1,2\n3,3,3\n4,0.5,0.1\n5,1,0\n";

#[test]
fn reward_summary_one_row_per_file_as_the_single_runs() {
    let d = tempfile::TempDir::new().unwrap();
    layout(
        d.path(),
        &[
            ("model=a/seed=1/scores.csv", "fixtures/reward/pairs.csv"),
            (
                "model=b/seed=1/scores.csv",
                "fixtures/reward/pairs_rerun.csv",
            ),
        ],
    );
    std::fs::create_dir_all(d.path().join("model=c")).unwrap();
    write(&d.path().join("model=c"), "scores.csv", HAND_PAIRS);
    let pattern = format!("{}/**/*.csv", d.path().display());
    // accuracy: a 0.713 (passes), b 0.711 and c 0.6 (fail): exit 1, the verdict per row.
    let (code, out, err) = run(&[
        "audit-reward",
        &pattern,
        "--summary",
        "--json",
        "--fail-if",
        "accuracy < 0.712",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("gate failed: accuracy < 0.712"), "{err}");
    let s = json(&out);
    assert_eq!(s["command"], "audit-reward --summary");
    assert_eq!(s["passed"], false);
    let cols: Vec<&str> = s["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        &cols[..6],
        ["file", "model", "seed", "kind", "rows", "pairs_used"]
    );
    assert_eq!(cols.last(), Some(&"gates_passed"));
    assert_eq!(s["rows"].as_array().unwrap().len(), 3);
    // Rows in path order, partition keys as columns (null where the path has none).
    let a = row(&s, "model=a/seed=1/scores.csv");
    let b = row(&s, "model=b/seed=1/scores.csv");
    let c = row(&s, "model=c/scores.csv");
    assert_eq!(
        (&a["model"], &a["seed"]),
        (&Value::from("a"), &Value::from("1"))
    );
    assert_eq!((&c["model"], &c["seed"]), (&Value::from("c"), &Value::Null));
    assert_eq!(
        [&a["gates_passed"], &b["gates_passed"], &c["gates_passed"]],
        [&Value::Bool(true), &Value::Bool(false), &Value::Bool(false)]
    );
    assert_eq!(s["undefined"][2]["seed"], "no seed=… directory in the path");
    // By hand.
    assert_eq!(c["kind"], "pairs");
    assert_eq!(c["pairs_used"], 5);
    assert_eq!(c["accuracy"].as_f64(), Some(0.6));
    assert_eq!(c["ties"], 1);
    assert_eq!(c["tie_share"].as_f64(), Some(0.2));
    // Every number of a row is the single-file run's.
    for (r, fixture) in [
        (a, "fixtures/reward/pairs.csv"),
        (b, "fixtures/reward/pairs_rerun.csv"),
    ] {
        let one = engine_json("audit-reward", &[fixture], 0);
        let m = one["inputs"][0]["metrics"].as_object().unwrap();
        assert!(m.len() >= 10);
        for (k, v) in m {
            assert_eq!(&r[k], v, "{fixture} {k}");
        }
        assert_eq!(r["pairs_used"], one["inputs"][0]["pairs_used"]);
    }
    assert_eq!(a["accuracy"].as_f64(), Some(0.713));
    // The gates: one verdict over every row, the failures naming their files.
    let g = &s["gates"][0];
    assert_eq!(g["checked"], 3);
    let failed: Vec<&str> = g["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["file"].as_str().unwrap())
        .collect();
    assert_eq!(failed.len(), 2);
    assert!(
        failed[0].ends_with("model=b/seed=1/scores.csv")
            && failed[1].ends_with("model=c/scores.csv")
    );
    // CSV: the same columns, the same values.
    let (code, csv, _) = run(&["audit-reward", &pattern, "--summary", "--format", "csv"]);
    assert_eq!(code, 0);
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, cols);
    let recs: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    assert_eq!(&recs[2][col("accuracy")], "0.6");
    assert_eq!(&recs[2][col("seed")], "");
    assert_eq!(&recs[1][col("ties")], "32");
}

#[test]
fn reward_summary_group_disparities_kinds_and_table() {
    // -g subset: each row's subset:accuracy_difference is the single run's disparity, gated per row.
    let one = engine_json(
        "audit-reward",
        &["fixtures/reward/pairs.csv", "-g", "subset"],
        0,
    );
    let want = one["inputs"][0]["groups"][0]["disparities"]["accuracy_difference"]
        .as_f64()
        .unwrap();
    let rerun = engine_json(
        "audit-reward",
        &["fixtures/reward/pairs_rerun.csv", "-g", "subset"],
        0,
    );
    let want_rerun = rerun["inputs"][0]["groups"][0]["disparities"]["accuracy_difference"]
        .as_f64()
        .unwrap();
    assert_ne!(want, want_rerun);
    let cut = (want + want_rerun) / 2.0;
    let gate = format!("subset:accuracy_difference > {cut}");
    let (code, out, err) = run(&[
        "audit-reward",
        "fixtures/reward/pairs.csv",
        "fixtures/reward/pairs_rerun.csv",
        "-g",
        "subset",
        "--summary",
        "--json",
        "--fail-if",
        &gate,
    ]);
    assert_eq!(code, 1, "{err}");
    let s = json(&out);
    let (a, b) = (row(&s, "/pairs.csv"), row(&s, "/pairs_rerun.csv"));
    assert_eq!(a["subset:accuracy_difference"].as_f64(), Some(want));
    assert_eq!(b["subset:accuracy_difference"].as_f64(), Some(want_rerun));
    assert_eq!(
        [&a["gates_passed"], &b["gates_passed"]],
        [&Value::Bool(want <= cut), &Value::Bool(want_rerun <= cut)]
    );
    // Files of different kinds: each its own numbers; another kind's are null with the reason.
    let (code, out, _) = run(&[
        "audit-reward",
        "fixtures/reward/pairs.csv",
        "fixtures/reward/counterfactual.csv",
        "--summary",
        "--json",
    ]);
    assert_eq!(code, 0);
    let s = json(&out);
    let cf = engine_json("audit-reward", &["fixtures/reward/counterfactual.csv"], 0);
    let c = row(&s, "counterfactual.csv");
    assert_eq!(c["kind"], "counterfactual");
    assert_eq!(
        c["counterfactual.invariance_rate"],
        cf["inputs"][0]["metrics"]["counterfactual.invariance_rate"]
    );
    assert_eq!(c["accuracy"], Value::Null);
    assert_eq!(
        s["undefined"][1]["accuracy"],
        "not reported for a counterfactual file"
    );
    assert_eq!(
        row(&s, "pairs.csv")["counterfactual.invariance_rate"],
        Value::Null
    );
    // Markdown: the headline columns and the one a gate names (calibration.mce), not the rest
    // (calibration.brier: in JSON and CSV only); file names relative to their directory.
    let (code, md, _) = run(&[
        "audit-reward",
        "fixtures/reward/pairs.csv",
        "fixtures/reward/pairs_rerun.csv",
        "--summary",
        "--format",
        "md",
        "--fail-if",
        "calibration.mce > 0.9",
    ]);
    assert_eq!(code, 0);
    let header = md.lines().next().unwrap();
    assert_eq!(
        header,
        "| file | pairs used | accuracy | tie share | calibration.ece | calibration.mce | gates passed |"
    );
    assert!(md.contains("| pairs\\_rerun.csv | 1000 | 0.7110 |"), "{md}");
    assert!(md.contains("file: in fixtures/reward/"), "{md}");
}

/// Data in paths reaches every format as text: a partition value with Markdown and HTML
/// characters is escaped.
#[test]
fn summary_escapes_partition_values() {
    let d = tempfile::TempDir::new().unwrap();
    let dir = d.path().join("model=<b>a|b</b>");
    std::fs::create_dir_all(&dir).unwrap();
    let f = write(&dir, "scores.csv", HAND_PAIRS);
    let (_, md, _) = run(&["audit-reward", &f, "--summary", "--format", "md"]);
    assert!(md.contains("&lt;b&gt;a\\|b&lt;/b&gt;"), "{md}");
    let (_, html, _) = run(&["audit-reward", &f, "--summary", "--format", "html"]);
    check_page(&html);
    assert!(!html.contains("<b>a|b</b>"));
    assert!(html.contains("&lt;b&gt;a|b&lt;/b&gt;"));
    let first = html
        .find("Summary: one row per file")
        .expect("summary section");
    assert!(first < html.find("data-chart").expect("charts"));
}

#[test]
fn a_glob_matching_nothing_is_an_error_naming_it() {
    let d = tempfile::TempDir::new().unwrap();
    let pattern = format!("{}/runs/*.csv", d.path().display());
    let e = engine_error("audit-reward", &[&pattern, "--summary"]);
    assert!(
        e.contains(&format!("{pattern}: no file matches this pattern")),
        "{e}"
    );
    let pattern = format!("{}/*.pb", d.path().display());
    let e = engine_error("allocate", &["pb", &pattern, "--summary"]);
    assert!(
        e.contains(&format!("{pattern}: no file matches this pattern")),
        "{e}"
    );
}

/// The hand-made election fixtures/pb/selected/recorded.pb: budget 10, four voters (1: A;
/// 2: A, B; 3: C; 4: C), projects A 6, B 4, C 4; the file records A and B as selected.
/// By hand, cost satisfaction: cost 10 = the budget (share 1), exhaustive (C does not fit);
/// voters 3 and 4 form a cohesive group for C (2/4 · 10 = 5 >= 4) and get nothing from {A, B}:
/// EJR and PJR fail, up to one project they hold. Satisfaction 6, 10, 0, 0: mean 4, half the
/// voters with nothing. Fair share (cost / supporters: A 3, B 4, C 2; cap 10/4 = 2.5): voters
/// 1 and 2 reach theirs (ratio 1, distance 0.2 and 1.8), voters 3 and 4 get 0 of 2 (ratio 0,
/// distance 1): capped ratio 0.5, normalised distance 1 − 4/4 = 0, half reaching.
/// The method of equal shares funds C alone (A: 2 · 2.5 < 6; C: 2 · 2.5 >= 4).
#[test]
fn outcome_selected_by_hand() {
    let f = "fixtures/pb/selected/recorded.pb";
    let r = engine_json("allocate", &["pb", f, "--outcome", "selected"], 0);
    let ids: Vec<&str> = r["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["A", "B"]);
    let m = &r["metrics"];
    assert_eq!(m["projects_selected"], 2);
    assert_eq!(m["cost"].as_f64(), Some(10.0));
    assert_eq!(m["budget_share_spent"].as_f64(), Some(1.0));
    assert_eq!(
        (&m["feasible"], &m["exhaustive"]),
        (&Value::Bool(true), &Value::Bool(true))
    );
    for (k, want) in [
        ("ejr", false),
        ("pjr", false),
        ("ejr_up_to_one", true),
        ("pjr_up_to_one", true),
    ] {
        assert_eq!(m[k], want, "{k}");
    }
    let wit = r["properties"][0]["witness"].clone();
    assert_eq!(wit["projects"], serde_json::json!(["C"]));
    assert_eq!(wit["group_size"], 2);
    assert_eq!(m["priceable"], Value::Null);
    assert!(r["undefined"]["priceable"]
        .as_str()
        .unwrap()
        .contains("not decided"));
    assert_eq!(m["satisfaction.mean"].as_f64(), Some(4.0));
    assert_eq!(m["voters_with_nothing"].as_f64(), Some(0.5));
    assert_eq!(m["fair_share.capped_ratio"].as_f64(), Some(0.5));
    assert_eq!(m["fair_share.normalised_distance"].as_f64(), Some(0.0));
    assert_eq!(m["fair_share.voters_reaching"].as_f64(), Some(0.5));
    assert_eq!(
        r["settings"]["outcome"],
        "recorded in the file (--outcome selected)"
    );
    // The rule's outcome of the same file differs: MES funds C alone.
    let mes = engine_json("allocate", &["pb", f], 0);
    assert_eq!(mes["allocation"][0]["project"], "C");
    assert_eq!(mes["metrics"]["projects_selected"], 1);
    assert_eq!(mes["metrics"]["ejr"], true);
}

/// The recorded outcome of every shipped election with a `selected` column equals pabutools'
/// reading of it: the same projects, cost, feasibility, exhaustiveness and fair-share metrics,
/// and on the hand-made election the same EJR / PJR verdicts under both satisfaction measures.
#[test]
fn outcome_selected_equals_pabutools() {
    let text = std::fs::read_to_string(root().join("tests/expected/pb_selected.json")).unwrap();
    let exp: Value = serde_json::from_str(&text).unwrap();
    let mut compared = 0;
    for (file, want) in exp["elections"].as_object().unwrap() {
        for sat in ["cost", "cardinality"] {
            if sat == "cardinality" && want.get("checks").is_none() {
                continue;
            }
            // Beyond tiny elections only what pabutools can check: EJR / PJR within a small limit.
            let r = engine_json(
                "allocate",
                &[
                    "pb",
                    file,
                    "--outcome",
                    "selected",
                    "--satisfaction",
                    sat,
                    "--jr-limit",
                    "20000",
                ],
                0,
            );
            let mut ids: Vec<&str> = r["allocation"]
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p["project"].as_str().unwrap())
                .collect();
            ids.sort();
            let want_ids: Vec<&str> = want["ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap())
                .collect();
            assert_eq!(ids, want_ids, "{file}");
            assert_eq!(r["settings"]["cost_exact"], want["cost"], "{file}");
            assert_eq!(r["settings"]["budget_exact"], want["budget"], "{file}");
            assert_eq!(r["metrics"]["feasible"], want["feasible"], "{file}");
            assert_eq!(r["metrics"]["exhaustive"], want["exhaustive"], "{file}");
            for (k, w) in [
                ("fair_share.capped_ratio", "capped_ratio"),
                ("fair_share.normalised_distance", "normalised_distance"),
            ] {
                let got = r["metrics"][k].as_f64().unwrap();
                let w = want[w].as_f64().unwrap();
                assert!((got - w).abs() < 1e-12, "{file} {k}: {got} vs {w}");
            }
            if let Some(checks) = want.get("checks").map(|c| &c[sat]) {
                for (k, w) in checks.as_object().unwrap() {
                    assert_eq!(&r["metrics"][k], w, "{file} {sat} {k}");
                    compared += 1;
                }
            }
            compared += 1;
        }
    }
    assert!(compared >= 13 + 2 * 7, "compared {compared}");
}

#[test]
fn outcome_selected_errors() {
    // No `selected` column: the file named, its columns listed.
    let e = engine_error(
        "allocate",
        &[
            "pb",
            "fixtures/pb/poland_czestochowa_2020_grabowka.pb",
            "--outcome",
            "selected",
        ],
    );
    assert!(
        e.contains("fixtures/pb/poland_czestochowa_2020_grabowka.pb: --outcome selected reads the PROJECTS section's `selected` column, and this file has none (its columns: project_id, cost, votes, score, name)"),
        "{e}"
    );
    // A value that is neither 1 nor 0: the line named.
    let d = tempfile::TempDir::new().unwrap();
    let text = std::fs::read_to_string(root().join("fixtures/pb/selected/recorded.pb")).unwrap();
    let f = write(
        d.path(),
        "two.pb",
        &text.replace("B;4;Library;1", "B;4;Library;2"),
    );
    let e = engine_error("allocate", &["pb", &f, "--outcome", "selected"]);
    assert!(
        e.contains("two.pb: line 12: project 'B' has selected '2'; --outcome selected reads 1 (funded) and 0 (not funded)"),
        "{e}"
    );
    let e = engine_error(
        "allocate",
        &[
            "pb",
            "fixtures/pb/selected/recorded.pb",
            "--outcome",
            "selected,A",
        ],
    );
    assert!(e.contains("takes no project ids"), "{e}");
    // Project ids name projects of one election.
    let e = engine_error(
        "allocate",
        &[
            "pb",
            "fixtures/pb/selected/recorded.pb",
            "fixtures/pb/poland_warszawa_2017_anin.pb",
            "--outcome",
            "A",
            "--summary",
        ],
    );
    assert!(
        e.contains("--outcome IDS lists the projects of one election, and 2 files were given"),
        "{e}"
    );
    // Several elections need --summary.
    let e = engine_error(
        "allocate",
        &[
            "pb",
            "fixtures/pb/selected/recorded.pb",
            "fixtures/pb/poland_warszawa_2017_anin.pb",
        ],
    );
    assert!(e.contains("2 elections were given"), "{e}");
    assert!(e.contains("add --summary"), "{e}");
}

/// `allocate pb --summary` over a partitioned folder of elections: one row per election, every
/// value the single-file run's (and by hand on the hand-made one), each gate judged per election,
/// exit 1 when one row fails.
#[test]
fn pb_summary_rows_and_gates() {
    let d = tempfile::TempDir::new().unwrap();
    layout(
        d.path(),
        &[
            ("city=hand/recorded.pb", "fixtures/pb/selected/recorded.pb"),
            (
                "city=warszawa/year=2017/anin.pb",
                "fixtures/pb/poland_warszawa_2017_anin.pb",
            ),
            (
                "city=warszawa/year=2017/przyczolek.pb",
                "fixtures/pb/poland_warszawa_2017_przyczolek-grochowski.pb",
            ),
            (
                "city=warszawa/year=2019/las.pb",
                "fixtures/pb/poland_warszawa_2019_las.pb",
            ),
        ],
    );
    let pattern = format!("{}/**/*.pb", d.path().display());
    let (code, out, err) = run(&[
        "allocate",
        "pb",
        &pattern,
        "--outcome",
        "selected",
        "--summary",
        "--json",
        "--fail-if",
        "ejr == false",
    ]);
    assert_eq!(code, 1, "{err}");
    let s = json(&out);
    assert_eq!(s["command"], "allocate pb --summary");
    let cols: Vec<&str> = s["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        &cols[..8],
        [
            "file",
            "city",
            "year",
            "vote_type",
            "projects",
            "voters",
            "satisfaction",
            "outcome"
        ]
    );
    let rows = s["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 4);
    // By hand (see outcome_selected_by_hand): EJR fails, so does the gate on that row.
    let h = row(&s, "city=hand/recorded.pb");
    assert_eq!(
        (&h["city"], &h["year"]),
        (&Value::from("hand"), &Value::Null)
    );
    assert_eq!(h["voters"], 4);
    assert_eq!(h["outcome"], "selected");
    assert_eq!(h["projects_selected"], 2);
    assert_eq!(h["budget_share_spent"].as_f64(), Some(1.0));
    assert_eq!(h["ejr"], false);
    assert_eq!(h["gates_passed"], false);
    // priceable is not decided for a recorded outcome: null, with the reason.
    let i = rows.iter().position(|r| r == h).unwrap();
    assert!(s["undefined"][i]["priceable"]
        .as_str()
        .unwrap()
        .contains("not decided"));
    // The Warsaw rows: every metric is the single-file run's; the gate per row.
    for (end, fixture) in [
        ("anin.pb", "fixtures/pb/poland_warszawa_2017_anin.pb"),
        (
            "przyczolek.pb",
            "fixtures/pb/poland_warszawa_2017_przyczolek-grochowski.pb",
        ),
        ("las.pb", "fixtures/pb/poland_warszawa_2019_las.pb"),
    ] {
        let one = engine_json("allocate", &["pb", fixture, "--outcome", "selected"], 0);
        let r = row(&s, end);
        assert_eq!(r["city"], "warszawa");
        let m = one["metrics"].as_object().unwrap();
        assert_eq!(m.len(), 20);
        for (k, v) in m {
            assert_eq!(&r[k], v, "{end} {k}");
        }
        assert_eq!(r["gates_passed"], Value::Bool(m["ejr"] != false), "{end}");
        assert_eq!(r["voters"], one["input"]["voters"]);
    }
    // przyczolek-grochowski's recorded outcome fails EJR too (a real finding).
    assert_eq!(row(&s, "przyczolek.pb")["gates_passed"], false);
    assert_eq!(row(&s, "anin.pb")["gates_passed"], true);
    let g = &s["gates"][0];
    assert_eq!(
        (g["checked"].as_u64(), g["passed"].as_bool()),
        (Some(4), Some(false))
    );
    assert_eq!(g["failures"].as_array().unwrap().len(), 2);
    assert_eq!(s["passed"], false);
    assert!(err.contains("gate failed: ejr == false"), "{err}");
    // A rule's outcome, each election on its own: the same numbers as one run per file.
    let (code, out, _) = run(&["allocate", "pb", &pattern, "--summary", "--format", "csv"]);
    assert_eq!(code, 0);
    let mut rdr = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let recs: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    let hand = recs.iter().find(|r| r[0].ends_with("recorded.pb")).unwrap();
    assert_eq!(&hand[col("outcome")], "mes");
    assert_eq!(&hand[col("projects_selected")], "1");
    assert_eq!(&hand[col("cost")], "4.0");
    assert_eq!(&hand[col("priceable")], "true");
    let anin = recs.iter().find(|r| r[0].ends_with("anin.pb")).unwrap();
    let one = engine_json(
        "allocate",
        &["pb", "fixtures/pb/poland_warszawa_2017_anin.pb"],
        0,
    );
    assert_eq!(
        anin[col("budget_share_spent")].parse::<f64>().unwrap(),
        one["metrics"]["budget_share_spent"].as_f64().unwrap()
    );
    assert_eq!(&anin[col("ejr")], "true");
    // The table: one line per election, files relative to their directory, the gate's column.
    let (code, table, _) = run(&[
        "allocate",
        "pb",
        &pattern,
        "--summary",
        "--format",
        "md",
        "--fail-if",
        "fair_share.capped_ratio < 0.1",
    ]);
    assert_eq!(code, 0);
    assert!(table.starts_with(
        "| file | city | year | projects selected | budget share spent | ejr | pjr | voters with nothing | fair share.capped ratio | gates passed |"
    ), "{table}");
    assert!(
        table.contains("| city=hand/recorded.pb | hand |  | 1 | 0.4000 |"),
        "{table}"
    );
}

/// `--format html` and `--plot DIR` with many elections: the summary first, then each
/// election's charts, their files named after the election (no two collide).
#[test]
fn pb_summary_html_and_plots() {
    let d = tempfile::TempDir::new().unwrap();
    let plots = d.path().join("plots");
    let files = [
        "fixtures/pb/poland_warszawa_2017_anin.pb",
        "fixtures/pb/selected/recorded.pb",
    ];
    let mut args = vec!["allocate", "pb"];
    args.extend(files);
    let p = plots.display().to_string();
    args.extend(["--summary", "--format", "html", "--plot", &p]);
    let (code, html, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    let doc = check_page(&html);
    let names = chart_names(&doc);
    assert_eq!(
        names,
        [
            "poland-warszawa-2017-anin-pb-projects",
            "poland-warszawa-2017-anin-pb-satisfaction",
            "recorded-pb-projects",
            "recorded-pb-satisfaction"
        ]
    );
    for n in &names {
        assert!(plots.join(format!("{n}.svg")).is_file(), "{n}");
    }
    let first = html.find("Summary: one row per election").unwrap();
    assert!(first < html.find("data-chart").unwrap());
    assert!(html.contains("fixtures/pb/selected/recorded.pb — Proportionality"));
}

/// Paths as they come: a partition key that collides with another's column, a `[` in a folder
/// name (a path, not a pattern), and a link to a folder above (`**` does not follow it).
#[test]
fn odd_paths_partition_collisions_brackets_and_link_loops() {
    let d = tempfile::tempdir().unwrap();
    layout(
        d.path(),
        &[
            ("partition.kind=z/kind=q/p.csv", "fixtures/reward/pairs.csv"),
            ("br[1]/x.csv", "fixtures/reward/pairs.csv"),
        ],
    );
    let f = d.path().join("partition.kind=z/kind=q/p.csv");
    let (code, out, err) = run(&[
        "audit-reward",
        f.to_str().unwrap(),
        "--summary",
        "--format",
        "csv",
    ]);
    assert_eq!(code, 0, "{err}");
    let header: Vec<&str> = out.lines().next().unwrap().split(',').collect();
    let cells: Vec<&str> = out.lines().nth(1).unwrap().split(',').collect();
    let at = |name: &str| {
        let i = header
            .iter()
            .position(|h| *h == name)
            .unwrap_or_else(|| panic!("{name} in {header:?}"));
        cells[i]
    };
    // `kind` is the engine's column: the `kind=` key is `partition.kind`, and the
    // `partition.kind=` key, seen first, keeps its own name apart from it.
    assert_eq!(
        header.iter().filter(|h| h.ends_with("kind")).count(),
        3,
        "{header:?}"
    );
    assert_eq!(at("partition.kind"), "z");
    assert_eq!(at("partition.partition.kind"), "q");
    // A `[` in an existing path is read as a path.
    let b = d.path().join("br[1]/x.csv");
    let single = engine_json("audit-reward", &[b.to_str().unwrap()], 0);
    // (engine_json asserts exit 0: polars took `[1]` as a pattern and found nothing before.)
    assert_eq!(single["inputs"].as_array().unwrap().len(), 1);
    // A link from a folder to its parent: `**` lists each file once.
    std::os::unix::fs::symlink(d.path(), d.path().join("br[1]/loop")).unwrap();
    let pattern = format!("{}/**/x.csv", d.path().display());
    let (code, out, err) = run(&["audit-reward", &pattern, "--summary", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
}

/// An election without ballots, and one with a budget of 0: every figure that is 0/0 there is
/// null with its own reason (not "needs approval ballots" on an approval election).
#[test]
fn pb_undefined_figures_say_why() {
    let d = tempfile::tempdir().unwrap();
    let head = |votes: usize, budget: u32| {
        format!(
            "META\nkey;value\nnum_projects;3\nnum_votes;{votes}\nbudget;{budget}\nvote_type;approval\nrule;greedy\nPROJECTS\nproject_id;cost;name;selected\nA;6;Park;1\nB;4;Library;1\nC;4;Bike lane;0\nVOTES\nvoter_id;vote\n"
        )
    };
    let none = d.path().join("novotes.pb");
    std::fs::write(&none, head(0, 10)).unwrap();
    let zero = d.path().join("budget0.pb");
    std::fs::write(&zero, head(4, 0) + "1;A\n2;A,B\n3;C\n4;C\n").unwrap();
    let j = engine_json(
        "allocate",
        &["pb", none.to_str().unwrap(), "--outcome", "selected"],
        0,
    );
    for k in [
        "satisfaction.mean",
        "voters_with_nothing",
        "fair_share.capped_ratio",
    ] {
        assert!(j["metrics"][k].is_null(), "{k}: {}", j["metrics"][k]);
        let why = j["undefined"][k]
            .as_str()
            .unwrap_or_else(|| panic!("{k} has no reason: {}", j["undefined"]));
        assert!(why.contains("no ballots"), "{k}: {why}");
    }
    let j = engine_json(
        "allocate",
        &["pb", zero.to_str().unwrap(), "--outcome", "selected"],
        0,
    );
    let why = j["undefined"]["fair_share.capped_ratio"].as_str().unwrap();
    assert!(why.contains("fair share is 0"), "{why}");
    assert!(!why.contains("approval"), "{why}");
}
