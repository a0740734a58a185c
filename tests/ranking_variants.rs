//! Recommendation lists under prompt variants (FaiRLLM's Jaccard@K, SERP*@K, PRAG*@K, SNSR,
//! SNSV) against `scripts/oracle_ranking.py` (its transcription of FaiRLLM's `process.ipynb`,
//! a154dd6; SERP* as the paper writes it: `serp_paper`), and the small case by hand
//! (tests/expected/ranking/HAND.md).

use fairaudit::ranking::variants::{self, ItemMatch, VariantAudit, VariantSettings, MEASURES};
use serde_json::Value;

fn settings(k: &[usize], bootstrap: usize) -> VariantSettings {
    VariantSettings {
        prompt: None,
        variant: "variant".into(),
        neutral: "neutral".into(),
        attribute: None,
        item: None,
        rank: None,
        score: None,
        cutoffs: k.to_vec(),
        item_match: ItemMatch::Exact,
        bootstrap,
        seed: 7,
        confidence: 0.95,
    }
}

fn run(file: &str, s: &VariantSettings) -> VariantAudit {
    let source = fairaudit::input::source(&format!("{}/{file}", env!("CARGO_MANIFEST_DIR")))
        .expect("source");
    let lists = variants::load(&source, s).expect("load");
    variants::audit(&lists, s)
}

fn expected(name: &str) -> Value {
    common::expected_json(&format!("ranking/{name}.json"))
}

/// The oracle's key for a measure.
fn oracle_key(m: variants::Measure) -> &'static str {
    match m {
        variants::Measure::Jaccard => "iou",
        variants::Measure::SerpStar => "serp_paper",
        variants::Measure::PragStar => "prag",
    }
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() < 1e-12, "{what}: {a} vs {b}");
}

fn check_against_oracle(file: &str, oracle: &str) {
    let ks = [5, 10, 20];
    let audit = run(file, &settings(&ks, 0));
    let exp = expected(oracle);
    let per_value = &exp["per_value_mean_over_prompts"];
    let per_attr = &exp["per_attribute"];
    let mut checked = 0;
    for a in &audit.attributes {
        for v in &a.values {
            let e = &per_value[&v.value];
            assert_eq!(e["attribute"], a.attribute.as_str(), "{}", v.value);
            assert_eq!(e["n_prompts"], v.prompts, "{}", v.value);
            for at in &v.similarity {
                for m in MEASURES {
                    let got = serde_json::to_value(at).unwrap()[m.name()]["value"]
                        .as_f64()
                        .unwrap();
                    let want = e[at.k.to_string()][oracle_key(m)].as_f64().unwrap();
                    close(got, want, &format!("{} {} @{}", v.value, m.name(), at.k));
                    checked += 1;
                }
            }
        }
        for sp in &a.fairness {
            let e = &per_attr[&a.attribute][sp.k.to_string()][oracle_key(sp.measure)];
            close(sp.snsr.value.unwrap(), e["SNSR"].as_f64().unwrap(), "SNSR");
            close(sp.snsv.value.unwrap(), e["SNSV"].as_f64().unwrap(), "SNSV");
            checked += 2;
        }
    }
    assert!(checked > 0);
}

#[test]
fn recommendations_equal_the_oracle() {
    // 60 prompts, gender (female / male / nonbinary) and age (young / middle-aged / old), K = 20.
    check_against_oracle("fixtures/recommendations.csv", "recommendations");
}

#[test]
fn small_case_by_hand() {
    // HAND.md: prompt u001, K = 5. female shares 4 of 5 items with neutral (Jaccard 4/6);
    // male 3 (3/7). SNSR of Jaccard = 2/3 − 3/7 = 5/21; SNSV = half the range with two values.
    check_against_oracle(
        "fixtures/recommendations_small.csv",
        "recommendations_small",
    );
    let audit = run("fixtures/recommendations_small.csv", &settings(&[5], 0));
    let g = &audit.attributes[0];
    assert_eq!(g.attribute, "gender");
    let f = g.values.iter().find(|v| v.value == "female").unwrap();
    close(
        f.similarity[0].jaccard.value.unwrap(),
        4.0 / 6.0,
        "female jaccard",
    );
    close(
        f.similarity[0].serp_star.value.unwrap(),
        14.0 / 15.0,
        "female serp*",
    );
    let jac = &g.fairness[0];
    close(jac.snsr.value.unwrap(), 2.0 / 3.0 - 3.0 / 7.0, "snsr");
    close(
        jac.snsv.value.unwrap(),
        (2.0 / 3.0 - 3.0 / 7.0) / 2.0,
        "snsv",
    );
    assert_eq!(jac.most_similar.as_deref(), Some("female"));
    assert_eq!(jac.least_similar.as_deref(), Some("male"));
}

#[test]
fn bootstrap_over_prompts_brackets_the_estimate_and_is_seeded() {
    let s = settings(&[10], 200);
    let a = run("fixtures/recommendations.csv", &s);
    let b = run("fixtures/recommendations.csv", &s);
    assert_eq!(
        serde_json::to_string(&a).unwrap(),
        serde_json::to_string(&b).unwrap()
    );
    for attr in &a.attributes {
        for v in &attr.values {
            let j = &v.similarity[0].jaccard;
            let [lo, hi] = j.interval.expect("interval");
            assert!(
                lo <= j.value.unwrap() && j.value.unwrap() <= hi,
                "{}",
                v.value
            );
            assert!(hi - lo > 0.0 && hi - lo < 0.3, "{} [{lo}, {hi}]", v.value);
        }
        // SNSR is a range over values: non-negative in every replicate.
        let [lo, _] = attr.fairness[0].snsr.interval.unwrap();
        assert!(lo >= 0.0);
    }
}

// ---- the command line -----------------------------------------------------------------------

mod common;
use common::{check_html, engine_error, engine_json, write};

fn cli(args: &[&str], code: i32) -> Value {
    engine_json("audit-ranking", args, code)
}

fn value_of<'a>(report: &'a Value, attribute: &str, value: &str) -> &'a Value {
    report["inputs"][0]["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["attribute"] == attribute)
        .unwrap()["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["value"] == value)
        .unwrap()
}

#[test]
fn command_line_report_equals_the_oracle() {
    let r = cli(
        &[
            "fixtures/recommendations.csv",
            "--variant",
            "variant",
            "--k",
            "10",
        ],
        0,
    );
    assert_eq!(r["mode"], "variants");
    assert_eq!(r["settings"]["k"], serde_json::json!([10]));
    assert_eq!(r["inputs"][0]["prompts"], 60);
    assert_eq!(r["inputs"][0]["columns"]["attribute"], "attribute");
    let exp = expected("recommendations");
    for (attr, value) in [("gender", "nonbinary"), ("age", "old"), ("age", "young")] {
        let v = value_of(&r, attr, value);
        let e = &exp["per_value_mean_over_prompts"][value]["10"];
        for (ours, theirs) in [
            ("jaccard", "iou"),
            ("serp_star", "serp_paper"),
            ("prag_star", "prag"),
        ] {
            close(
                v["similarity"][0][ours]["value"].as_f64().unwrap(),
                e[theirs].as_f64().unwrap(),
                &format!("{value} {ours}"),
            );
        }
    }
}

#[test]
fn gates_on_spread_and_value_with_scopes() {
    // gender SNSR of Jaccard@10 = 0.4612 (oracle): fails > 0.3, passes > 0.5.
    let args = |gate: &'static str| {
        vec![
            "fixtures/recommendations.csv",
            "--variant",
            "variant",
            "--k",
            "10",
            "--fail-if",
            gate,
        ]
    };
    let r = cli(&args("gender:snsr_jaccard@10 > 0.3"), 1);
    assert_eq!(r["gates"][0]["passed"], false);
    cli(&args("gender:snsr_jaccard@10 > 0.5"), 0);
    // Unscoped: every attribute (age 0.381 > 0.4 passes, gender fails).
    let r = cli(&args("snsr_jaccard@10 > 0.4"), 1);
    assert_eq!(r["gates"][0]["checked"], 2);
    // A value alone names its attribute: old's Jaccard@10 = 0.432.
    cli(&args("old:jaccard@10 < 0.43"), 0);
    cli(&args("age=old:jaccard@10 < 0.44"), 1);
    let e = engine_error("audit-ranking", &args("gender:jacard@10 < 0.5"));
    assert!(e.contains("did you mean 'jaccard@10'"), "{e}");
    let e = engine_error("audit-ranking", &args("jaccard@5 < 0.5"));
    assert!(e.contains("unknown metric 'jaccard@5'"), "{e}");
    let e = engine_error("audit-ranking", &args("gendr:snsr_jaccard@10 > 0.3"));
    assert!(e.contains("did you mean 'gender'"), "{e}");
    let e = engine_error("audit-ranking", &args("overall:snsr_jaccard@10 > 0.3"));
    assert!(e.contains("no overall numbers"), "{e}");
    let e = engine_error("audit-ranking", &args("jaccard@10.lower < 0.3"));
    assert!(e.contains("--bootstrap"), "{e}");
    let e = engine_error("audit-ranking", &args("old:snsr_jaccard@10 > 0.3"));
    assert!(e.contains("ATTRIBUTE:NAME"), "{e}");
}

/// A usage error from clap: exit 2, the message on stderr, nothing on stdout.
fn usage_error(args: &[&str], says: &str) {
    let out = common::bin().args(args).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert!(
        out.stdout.is_empty() && err.contains(says),
        "{args:?}: {err}"
    );
}

#[test]
fn bad_inputs_are_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let head = "prompt_id,attribute,variant,rank,item\n";
    // No neutral row.
    let f = write(
        dir.path(),
        "no_neutral.csv",
        &format!("{head}u1,gender,female,1,a\nu1,gender,female,2,b\n"),
    );
    let e = engine_error("audit-ranking", &[&f, "--variant", "variant"]);
    assert!(
        e.contains("no row has the neutral value 'neutral'") && e.contains("--neutral"),
        "{e}"
    );
    // A rank repeated within one list, named with its line.
    let f = write(
        dir.path(),
        "repeat.csv",
        &format!(
            "{head}u1,,neutral,1,a\nu1,,neutral,2,b\nu1,gender,female,1,a\nu1,gender,female,1,b\n"
        ),
    );
    let e = engine_error("audit-ranking", &[&f, "--variant", "variant"]);
    assert!(
        e.contains("line 5") && e.contains("rank 1 appears twice"),
        "{e}"
    );
    // A variant row without its attribute.
    let f = write(
        dir.path(),
        "no_attr.csv",
        &format!("{head}u1,,neutral,1,a\nu1,,female,1,a\n"),
    );
    let e = engine_error("audit-ranking", &[&f, "--variant", "variant"]);
    assert!(e.contains("line 3") && e.contains("no attribute"), "{e}");
    // Rank 0 / 1.5.
    let f = write(
        dir.path(),
        "rank0.csv",
        &format!("{head}u1,,neutral,0,a\nu1,g,female,1,a\n"),
    );
    let e = engine_error("audit-ranking", &[&f, "--variant", "variant"]);
    assert!(
        e.contains("line 2") && e.contains("positive whole number"),
        "{e}"
    );
    // A missing variant column, with did-you-mean.
    let e = engine_error(
        "audit-ranking",
        &["fixtures/recommendations.csv", "--variant", "varaint"],
    );
    assert!(e.contains("varaint") && e.contains("variant"), "{e}");
    // Group-exposure flags do not mix with the variant mode.
    for extra in [
        vec!["--group", "attribute"],
        vec!["--protected", "female"],
        vec!["--relevance", "rank"],
    ] {
        let mut a = vec![
            "audit-ranking",
            "fixtures/recommendations.csv",
            "--variant",
            "variant",
        ];
        a.extend(extra.iter().copied());
        usage_error(&a, "cannot be used with");
    }
    usage_error(
        &[
            "audit-ranking",
            "fixtures/recommendations.csv",
            "--item",
            "item",
        ],
        "--variant",
    );
}

#[test]
fn lists_by_score_fairllm_matching_and_missing_neutral() {
    // Ranked by descending score; items matched after FaiRLLM's cleaning; prompt u2 has no
    // neutral list (warned, not compared). By hand: u1 neutral [a, b, c], female by score
    // [A (x), c, d] → cleaned [a, c, d]: Jaccard 2/4; SERP* (3 + 2)/6; PRAG* pairs (a,c) kept
    // (a above c in N), (a,d) kept (d ∉ N), (c,d) kept: 3/3.
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "scored.csv",
        "prompt,variant,score,title\n\
         u1,neutral,0.9,a\nu1,neutral,0.8,b\nu1,neutral,0.7,c\n\
         u1,female,0.5,c\nu1,female,0.9,A (x)\nu1,female,0.1,d\n\
         u2,female,0.9,a\n",
    );
    let r = cli(
        &[
            &f,
            "--variant",
            "variant",
            "--score",
            "score",
            "--item-match",
            "fairllm",
            "--k",
            "3",
        ],
        0,
    );
    let v = value_of(&r, "all", "female");
    assert_eq!(v["prompts"], 1);
    assert_eq!(v["without_neutral"], 1);
    let s = &v["similarity"][0];
    close(s["jaccard"]["value"].as_f64().unwrap(), 0.5, "jaccard");
    close(s["serp_star"]["value"].as_f64().unwrap(), 5.0 / 6.0, "serp");
    close(s["prag_star"]["value"].as_f64().unwrap(), 1.0, "prag");
    assert!(r["warnings"]
        .to_string()
        .contains("1 of 2 prompts have no neutral list"));
    // One value: SNSR undefined (null with its reason), and a gate on it fails.
    let sp = &r["inputs"][0]["attributes"][0]["fairness"][0];
    assert!(sp["snsr"]["value"].is_null());
    assert!(sp["snsr"]["undefined"]
        .as_str()
        .unwrap()
        .contains("fewer than two"));
    let r = cli(
        &[
            &f,
            "--variant",
            "variant",
            "--score",
            "score",
            "--k",
            "3",
            "--fail-if",
            "snsr_jaccard@3 > 0.9",
        ],
        1,
    );
    assert_eq!(r["gates"][0]["passed"], false);
}

#[test]
fn csv_markdown_and_html_views() {
    let dir = tempfile::tempdir().unwrap();
    // A value named like markup stays text in Markdown and HTML.
    let f = write(
        dir.path(),
        "markup.csv",
        "prompt_id,attribute,variant,rank,item\n\
         u1,,neutral,1,a\nu1,,neutral,2,b\n\
         u1,g,<script>x</script>,1,a\nu1,g,<script>x</script>,2,c\n\
         u1,g,plain,1,b\nu1,g,plain,2,a\n",
    );
    let out = common::bin()
        .args([
            "audit-ranking",
            &f,
            "--variant",
            "variant",
            "--k",
            "2",
            "--format",
            "markdown",
        ])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(!md.contains("<script>"), "{md}");
    assert!(md.contains("&lt;script&gt;"), "{md}");
    let out = common::bin()
        .args([
            "audit-ranking",
            &f,
            "--variant",
            "variant",
            "--k",
            "2",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    assert!(csv.starts_with("file,level,attribute,value,metric,estimate,lower,upper,undefined\n"));
    // <script>x</script>: [a, c] vs [a, b]: Jaccard 1/3.
    assert!(
        csv.lines()
            .any(|l| l.contains(",value,g,<script>x</script>,jaccard@2,0.3333")),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.contains(",attribute,g,,snsr_jaccard@2,")),
        "{csv}"
    );
    let json = cli(
        &[
            "fixtures/recommendations.csv",
            "--variant",
            "variant",
            "--k",
            "10",
        ],
        0,
    );
    let out = common::bin()
        .args([
            "audit-ranking",
            "fixtures/recommendations.csv",
            "--variant",
            "variant",
            "--k",
            "10",
            "--format",
            "html",
        ])
        .output()
        .unwrap();
    let html = String::from_utf8(out.stdout).unwrap();
    check_html(&html, &json);
    assert!(html.contains("jaccard@10 by gender"));
}

#[test]
fn review_fixes_hold() {
    let dir = tempfile::tempdir().unwrap();
    // A value undefined in some bootstrap replicates has no interval (as the group mode), with
    // the count: female's list exists for one of two prompts; a draw without u1 leaves her
    // mean undefined.
    let f = write(
        dir.path(),
        "partial.csv",
        "prompt_id,variant,rank,item\n\
         u1,neutral,1,a\nu1,neutral,2,b\nu1,female,1,a\nu1,female,2,c\n\
         u2,neutral,1,a\nu2,neutral,2,b\nu2,male,1,b\nu2,male,2,a\n",
    );
    let r = cli(
        &[&f, "--variant", "variant", "--k", "2", "--bootstrap", "200"],
        0,
    );
    let j = &value_of(&r, "all", "female")["similarity"][0]["jaccard"];
    assert!(j["interval"].is_null(), "{j}");
    assert!(j["interval_undefined"]
        .as_str()
        .unwrap()
        .contains("bootstrap replicates"));
    // SERP* stays in [0, 1] for lists of unequal length: neutral [a..e], male [a..g]:
    // L = 7, (7+6+5+4+3)/28 = 25/28.
    let f = write(
        dir.path(),
        "lengths.csv",
        "prompt_id,variant,rank,item\n\
         u1,neutral,1,a\nu1,neutral,2,b\nu1,neutral,3,c\nu1,neutral,4,d\nu1,neutral,5,e\n\
         u1,male,1,a\nu1,male,2,b\nu1,male,3,c\nu1,male,4,d\nu1,male,5,e\nu1,male,6,f\nu1,male,7,g\n\
         u1,female,1,a\nu1,female,2,b\nu1,female,3,c\nu1,female,4,d\nu1,female,5,e\n",
    );
    let r = cli(&[&f, "--variant", "variant", "--k", "10"], 0);
    let s = value_of(&r, "all", "male")["similarity"][0]["serp_star"]["value"]
        .as_f64()
        .unwrap();
    close(s, 25.0 / 28.0, "serp unequal");
    // The report and a side file on one path: refused, nothing written.
    let out = dir.path().join("o.json");
    let o = out.to_string_lossy().to_string();
    let e = engine_error(
        "audit-ranking",
        &[
            "fixtures/ranking_small.csv",
            "--group",
            "gender",
            "-o",
            &o,
            "--export-queries",
            &o,
        ],
    );
    assert!(e.contains("named twice"), "{e}");
    assert!(!out.exists());
    // Several files pool into one report: one JUnit suite naming both, the pooled value.
    let a = write(
        dir.path(),
        "a.csv",
        "query_id,rank,gender\nq1,1,m\nq1,2,w\nq2,1,w\nq2,2,m\n",
    );
    let b = write(
        dir.path(),
        "b.csv",
        "query_id,rank,gender\nq1,1,m\nq1,2,w\n",
    );
    let out = common::bin()
        .args([
            "audit-ranking",
            &a,
            &b,
            "--group",
            "gender",
            "--format",
            "junit",
            "--fail-if",
            "disparate_exposure_ratio < 0.99",
        ])
        .output()
        .unwrap();
    let xml = String::from_utf8(out.stdout).unwrap();
    assert_eq!(xml.matches("<testsuite ").count(), 1, "{xml}");
    assert!(xml.contains(&format!("{a}, {b}")), "{xml}");
    // --persistence belongs to the geometric / RBP models; a cut-off of 0 is refused by clap.
    let e = engine_error(
        "audit-ranking",
        &[
            "fixtures/ranking_small.csv",
            "--group",
            "gender",
            "--persistence",
            "0.8",
        ],
    );
    assert!(e.contains("--position-bias geometric or rbp"), "{e}");
    usage_error(
        &[
            "audit-ranking",
            "fixtures/ranking_small.csv",
            "--group",
            "gender",
            "--k",
            "0",
        ],
        "1..",
    );
    // A group named like markup is text in the Markdown header line too.
    let f = write(
        dir.path(),
        "markup_group.csv",
        "query_id,rank,g\nq1,1,<img src=x>\nq1,2,<img src=x>\nq1,3,b\n",
    );
    let out = common::bin()
        .args(["audit-ranking", &f, "--group", "g", "--format", "markdown"])
        .output()
        .unwrap();
    let md = String::from_utf8(out.stdout).unwrap();
    assert!(!md.contains("<img"), "{md}");
}

#[test]
fn what_opening_a_file_noted_reaches_the_warnings() {
    // A semicolon-separated CSV is read (the separator guessed) and the report says so, in
    // both modes of audit-ranking and in audit-counterfactual.
    let dir = tempfile::tempdir().unwrap();
    let says = |r: &Value| {
        r["warnings"].as_array().unwrap().iter().any(|w| {
            w["message"]
                .as_str()
                .unwrap()
                .contains("semicolon-separated")
        })
    };
    let f = write(
        dir.path(),
        "r.csv",
        "query_id;rank;g\nq1;1;a\nq1;2;b\nq2;1;b\nq2;2;a\n",
    );
    assert!(says(&cli(&[&f, "--group", "g"], 0)));
    let f = write(
        dir.path(),
        "v.csv",
        "prompt_id;variant;rank;item\nu1;neutral;1;a\nu1;neutral;2;b\nu1;f;1;b\nu1;f;2;a\n",
    );
    assert!(says(&cli(&[&f, "--variant", "variant"], 0)));
    let f = write(
        dir.path(),
        "c.csv",
        "id;variant;pred\n1;original;1\n1;w;0\n2;original;0\n2;w;0\n",
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
    assert!(says(&r), "{}", r["warnings"]);
}
