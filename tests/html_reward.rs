//! audit-reward's HTML report (`--format html`) and chart files (`--plot DIR`): the document
//! parses as HTML5, has the expected charts (each an inline SVG), fetches nothing, shows only
//! numbers the JSON report has, escapes hostile names, and is byte-identical run to run; the
//! `--plot` files are exactly the JSON's `plots` list.

mod common;

use std::collections::{BTreeSet, HashSet};
use std::path::Path;

use common::*;
use fairaudit::render::{fmt_amount, fmt_num};
use scraper::{Html, Selector};
use serde_json::Value;

const PAIRS: &[&str] = &[
    "fixtures/reward/pairs.csv",
    "--preset",
    "rewardbench",
    "--chosen-length",
    "len_chosen",
    "--rejected-length",
    "len_rejected",
    "-g",
    "lang",
    "--bootstrap",
    "50",
];

/// Runs `audit-reward ARGS EXTRA -q`, expects exit 0 (or 1 with gates), returns stdout.
fn run(args: &[&str], extra: &[&str]) -> String {
    let out = bin()
        .arg("audit-reward")
        .args(args)
        .args(extra)
        .arg("-q")
        .output()
        .expect("ran");
    assert!(
        matches!(out.status.code(), Some(0) | Some(1)),
        "args {args:?} {extra:?}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// The HTML report of `args` written with `-o`, read back.
fn html_report(args: &[&str], dir: &Path, name: &str) -> String {
    let path = dir.join(name);
    run(args, &["--format", "html", "-o", path.to_str().unwrap()]);
    std::fs::read_to_string(&path).expect("the report was written")
}

fn sel(s: &str) -> Selector {
    Selector::parse(s).unwrap()
}

/// Every number of a JSON document as the page may show it: 4 decimals and as an amount.
fn json_numbers(v: &Value, out: &mut HashSet<String>) {
    match v {
        Value::Number(n) => {
            let x = n.as_f64().unwrap();
            out.insert(format!("{x:.4}"));
            out.insert(fmt_num(Some(x)));
            out.insert(fmt_amount(Some(x)));
        }
        Value::Array(a) => a.iter().for_each(|x| json_numbers(x, out)),
        Value::Object(m) => m.values().for_each(|x| json_numbers(x, out)),
        _ => {}
    }
}

/// Checks a page: parses, fetches nothing, has `charts` (each with an SVG), and every number
/// in a table cell is one of the JSON report's. Returns the chart names in page order.
fn check_page(html: &str, json: &Value, charts: &[&str]) -> Vec<String> {
    // The page and its charts as every engine's are checked (tests/common), then the numbers
    // exactly as this page formats them.
    let doc = common::check_page(html);
    let names = chart_names(&doc);
    for c in charts {
        assert!(
            names.iter().any(|n| n == c),
            "chart {c} missing; charts: {names:?}"
        );
    }
    let mut known = HashSet::new();
    json_numbers(json, &mut known);
    let mut checked = 0;
    for td in doc.select(&sel("td")) {
        let class = td.value().attr("class").unwrap_or("");
        if class.contains("text") || class.contains("undefined") {
            continue;
        }
        let text: String = td.text().collect();
        let text = text.trim();
        if text.is_empty() || text == "yes" || text == "no" {
            continue;
        }
        let parts: Vec<&str> = match text.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            Some(inner) => inner.split(", ").collect(),
            None => vec![text],
        };
        for p in parts {
            assert!(
                known.contains(p),
                "the page shows {p} (cell '{text}'), which is not a number of the JSON report"
            );
            checked += 1;
        }
    }
    assert!(checked > 0, "no number checked");
    names
}

/// The JSON report of `args` with `--plot DIR`; checks the directory holds exactly the files
/// the report lists; returns the listed file names.
fn plot_run(args: &[&str], dir: &Path) -> (Value, Vec<String>) {
    let out = run(args, &["--json", "--plot", dir.to_str().unwrap()]);
    let json: Value = serde_json::from_str(&out).unwrap();
    let listed: Vec<String> = json["plots"]
        .as_array()
        .expect("a plots list")
        .iter()
        .map(|p| {
            let file = p["file"].as_str().unwrap().to_string();
            assert_eq!(
                p["path"].as_str().unwrap(),
                dir.join(&file).display().to_string()
            );
            assert!(!p["title"].as_str().unwrap().is_empty());
            file
        })
        .collect();
    let on_disk: BTreeSet<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        on_disk,
        listed.iter().cloned().collect::<BTreeSet<_>>(),
        "--plot wrote other files than the JSON lists"
    );
    assert_eq!(on_disk.len(), listed.len(), "a file listed twice");
    for f in &listed {
        let svg = std::fs::read_to_string(dir.join(f)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<title>"), "{f}");
    }
    (json, listed)
}

/// The whole check for one command: the page, its determinism, the plot files.
fn check_command(args: &[&str], charts: &[&str]) -> Vec<String> {
    let d = tempfile::TempDir::new().unwrap();
    let json: Value = serde_json::from_str(&run(args, &["--json"])).unwrap();
    assert!(
        json.get("plots").is_none(),
        "the JSON report without --plot has a plots list"
    );
    let html = html_report(args, d.path(), "a.html");
    let names = check_page(&html, &json, charts);
    assert_eq!(
        html,
        html_report(args, d.path(), "b.html"),
        "the HTML differs between two runs"
    );
    let (one, two) = (d.path().join("p1"), d.path().join("p2"));
    let (with_plots, files) = plot_run(args, &one);
    let (_, files2) = plot_run(args, &two);
    assert_eq!(files, files2);
    for f in &files {
        assert_eq!(
            std::fs::read(one.join(f)).unwrap(),
            std::fs::read(two.join(f)).unwrap(),
            "{f} differs between two runs"
        );
    }
    // The files are the page's charts, in page order.
    let stems: Vec<String> = files
        .iter()
        .map(|f| f.strip_suffix(".svg").unwrap().to_string())
        .collect();
    assert_eq!(stems, names);
    // Apart from the list, the JSON is the same with and without --plot.
    let mut without = with_plots.clone();
    without.as_object_mut().unwrap().remove("plots");
    assert_eq!(without, json);
    names
}

#[test]
fn pairs_with_rewardbench_lengths_groups_and_bootstrap() {
    let names = check_command(
        PAIRS,
        &[
            "subset-accuracy",
            "rewardbench-sections",
            "length-accuracy-by-difference",
            "calibration-reliability",
            "group-lang-accuracy",
        ],
    );
    assert_eq!(names.len(), 5, "{names:?}");
}

#[test]
fn rm_bench_best_of_n_and_policies() {
    check_command(
        &[
            "fixtures/reward/rmbench_scores.jsonl",
            "--preset",
            "rm-bench",
        ],
        &["rm-bench-style-matrix", "rm-bench-sections"],
    );
    check_command(
        &[
            "fixtures/reward/best_of_n.csv",
            "--id",
            "prompt_id",
            "--proxy",
            "proxy",
            "--gold",
            "gold",
        ],
        &["best-of-n"],
    );
    check_command(
        &[
            "fixtures/reward/policies.csv",
            "--id",
            "prompt_id",
            "--elo",
            "fixtures/reward/elo.csv",
        ],
        &["policy-win-rate-vs-elo"],
    );
}

#[test]
fn ensemble_rewardbench2_counterfactual_and_compare() {
    check_command(
        &[
            "fixtures/reward/ensemble.csv",
            "--chosen",
            "chosen_a,chosen_b,chosen_c",
            "--rejected",
            "rejected_a,rejected_b,rejected_c",
        ],
        &["ensemble-accuracy", "ensemble-preference-strength"],
    );
    check_command(
        &[
            "fixtures/reward/rb2_scores.jsonl",
            "--preset",
            "rewardbench2",
        ],
        &["rewardbench2-sections", "subset-accuracy"],
    );
    check_command(
        &["fixtures/reward/counterfactual.csv", "--epsilon", "0.05"],
        &[
            "counterfactual-invariance-rate",
            "counterfactual-mean-delta",
        ],
    );
    check_command(
        &[
            "fixtures/reward/pairs.csv",
            "--compare",
            "fixtures/reward/pairs_rerun.csv",
        ],
        &["compare-discordant", "subset-accuracy"],
    );
}

#[test]
fn undefined_values_are_shown_with_their_reason() {
    // Published RewardBench accuracies without a prior set: prior_sets is undefined.
    let args = [
        "fixtures/reward/RM-R1-Qwen2.5-Instruct-32B/rewardbench_each_small_section_score.json",
        "--preset",
        "rewardbench",
    ];
    let d = tempfile::TempDir::new().unwrap();
    let json: Value = serde_json::from_str(&run(&args, &["--json"])).unwrap();
    assert!(json["inputs"][0]["metrics"]["rewardbench.prior_sets"].is_null());
    let html = html_report(&args, d.path(), "r.html");
    check_page(&html, &json, &["rewardbench-sections", "subset-accuracy"]);
    let doc = Html::parse_document(&html);
    let undefined: Vec<String> = doc
        .select(&sel("td.undefined"))
        .map(|td| td.text().collect())
        .collect();
    assert!(
        undefined
            .iter()
            .any(|t| t.contains("—") && t.contains("no prior set")),
        "{undefined:?}"
    );
    // In the chart, written out rather than drawn as a bar of 0.
    let chart = doc
        .select(&sel("figure[data-chart=rewardbench-sections] svg"))
        .next()
        .unwrap()
        .html();
    assert!(chart.contains("undefined: no prior set"), "{chart}");
}

#[test]
fn several_inputs_and_a_failed_gate() {
    let args = [
        "fixtures/reward/pairs.csv",
        "fixtures/reward/pairs_rerun.csv",
        "--fail-if",
        "accuracy < 0.9",
    ];
    let d = tempfile::TempDir::new().unwrap();
    let json: Value = serde_json::from_str(&run(&args, &["--json"])).unwrap();
    let html = html_report(&args, d.path(), "m.html");
    let names = check_page(
        &html,
        &json,
        &["pairs-subset-accuracy", "pairs-rerun-subset-accuracy"],
    );
    assert_eq!(names.len(), 4, "{names:?}");
    assert!(html.contains("FAILED") && html.contains("accuracy &lt; 0.9"));
}

#[test]
fn hostile_names_are_text() {
    let d = tempfile::TempDir::new().unwrap();
    let script = "<script>alert(1)</script>";
    let img = "\"><img src=x onerror=alert(1)>";
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let mut csv = String::from("id,subset,score_chosen,score_rejected,lang\n");
    for i in 0..40 {
        let subset = if i % 2 == 0 { script } else { img };
        let lang = if i % 3 == 0 { img } else { script };
        let (c, r) = (1.0 + (i % 5) as f64 * 0.3, 1.2 - (i % 7) as f64 * 0.2);
        csv.push_str(&format!("{i},{},{c},{r},{}\n", q(subset), q(lang)));
    }
    let pairs = d.path().join("pairs.csv");
    std::fs::write(&pairs, csv).unwrap();
    let mut policies = String::from("prompt_id,policy,score\n");
    for p in 0..10 {
        for (m, s) in [(script, 1.0), (img, 0.5), ("plain", 0.2)] {
            policies.push_str(&format!("q{p},{},{}\n", q(m), s + (p % 3) as f64 * 0.4));
        }
    }
    let pol = d.path().join("policies.csv");
    std::fs::write(&pol, policies).unwrap();
    let elo = d.path().join("elo.csv");
    std::fs::write(
        &elo,
        format!(
            "model,rating\n{},1200\n{},1100\nplain,1000\n",
            q(script),
            q(img)
        ),
    )
    .unwrap();
    for (args, charts) in [
        (
            vec![pairs.to_str().unwrap(), "-g", "lang"],
            vec!["subset-accuracy", "group-lang-accuracy"],
        ),
        (
            vec![
                pol.to_str().unwrap(),
                "--id",
                "prompt_id",
                "--elo",
                elo.to_str().unwrap(),
            ],
            vec!["policy-win-rate-vs-elo"],
        ),
    ] {
        let json: Value = serde_json::from_str(&run(&args, &["--json"])).unwrap();
        assert!(json.to_string().contains("<script>alert(1)</script>"));
        let html = html_report(&args, d.path(), "h.html");
        check_page(&html, &json, &charts);
        assert!(!html.contains("<script"), "a script element");
        assert!(!html.contains("<img"), "an img element");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "the name is not shown escaped"
        );
        assert!(
            html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")
                || html.contains("\"&gt;&lt;img src=x onerror=alert(1)&gt;"),
            "the second name is not shown escaped"
        );
        let doc = Html::parse_document(&html);
        assert_eq!(doc.select(&sel("script, img")).count(), 0);
        // The names are in the page as text.
        let text: String = doc.root_element().text().collect();
        assert!(text.contains(script) && text.contains(img));
    }
}

#[test]
fn the_number_check_catches_a_number_not_in_the_json() {
    let args = [
        "fixtures/reward/best_of_n.csv",
        "--id",
        "prompt_id",
        "--proxy",
        "proxy",
        "--gold",
        "gold",
    ];
    let d = tempfile::TempDir::new().unwrap();
    let json: Value = serde_json::from_str(&run(&args, &["--json"])).unwrap();
    let html = html_report(&args, d.path(), "b.html");
    check_page(&html, &json, &["best-of-n"]);
    // alpha is 1.1139 in the table; a page showing 1.1140 must fail the check.
    assert!(html.contains("<td>1.1139</td>"));
    let tampered = html.replace("<td>1.1139</td>", "<td>1.1140</td>");
    let caught = std::panic::catch_unwind(|| check_page(&tampered, &json, &["best-of-n"]));
    assert!(
        caught.is_err(),
        "a number not in the JSON report passed the check"
    );
}
