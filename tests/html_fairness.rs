//! The HTML report and chart files of audit-fairness (issue 14): valid HTML5, self-contained,
//! the expected charts, every number equal to the JSON report's, hostile names as text,
//! byte-identical reruns, and `--plot DIR` writing exactly what the JSON lists.

mod common;

use common::{bin, check_html, run_stdout, write};
use serde_json::Value;

fn html_and_json(args: &[&str], code: i32) -> (String, Value) {
    let mut h = vec!["audit-fairness"];
    h.extend_from_slice(args);
    h.extend_from_slice(&["--format", "html"]);
    let html = run_stdout(&h, code);
    let mut j = vec!["audit-fairness"];
    j.extend_from_slice(args);
    j.push("--json");
    let json: Value = serde_json::from_str(&run_stdout(&j, code)).expect("JSON");
    (html, json)
}

#[test]
fn binary_report_has_rates_disparities_and_the_json_numbers() {
    let (html, json) = html_and_json(
        &[
            "fixtures/compas.csv",
            "-g",
            "race",
            "-g",
            "sex",
            "--fail-if",
            "race:demographic_parity_difference > 0.1",
        ],
        1,
    );
    let doc = check_html(&html, &json);
    let names = common::chart_names(&doc);
    for want in [
        "race-selection-rate",
        "race-false-positive-rate",
        "race-disparities",
        "sex-true-positive-rate",
        "race-sex-accuracy",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "no chart {want} in {names:?}"
        );
    }
    // The verdict opens the page, with the failing expression.
    let verdict = html.find("id=\"verdict\"").expect("verdict");
    assert!(verdict < html.find("id=\"inputs\"").expect("inputs"));
    assert!(html.contains("FAILED"));
    assert!(html.contains("race:demographic_parity_difference &gt; 0.1"));
    // Native American (18 rows) is marked small.
    assert!(html.contains("Native American *"));
}

#[test]
fn score_report_has_roc_reliability_and_distributions() {
    let (html, json) = html_and_json(
        &[
            "fixtures/compas_scores.csv",
            "-g",
            "race",
            "--score",
            "proba",
        ],
        0,
    );
    let doc = check_html(&html, &json);
    let names = common::chart_names(&doc);
    for want in [
        "race-roc",
        "race-reliability",
        "race-score-distribution",
        "race-roc-auc",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "no chart {want} in {names:?}"
        );
    }
    assert!(html.contains("No gates"));
}

#[test]
fn regression_sweep_and_bootstrap_reports_hold_the_json_numbers() {
    let (html, json) = html_and_json(&["fixtures/compas_regression.csv", "-g", "race"], 0);
    let doc = check_html(&html, &json);
    assert!(common::chart_names(&doc)
        .iter()
        .any(|n| n == "race-mean-residual"));
    assert!(common::chart_names(&doc)
        .iter()
        .any(|n| n == "race-residuals"));
    let (html, json) = html_and_json(
        &[
            "fixtures/compas_scores.csv",
            "-g",
            "sex",
            "--score",
            "proba",
            "--threshold",
            "0.3,0.5,0.7",
        ],
        0,
    );
    let doc = check_html(&html, &json);
    assert!(common::chart_names(&doc)
        .iter()
        .any(|n| n == "sweep-sex-selection-rate"));
    let (html, json) = html_and_json(
        &[
            "fixtures/compas.csv",
            "-g",
            "sex",
            "--bootstrap",
            "200",
            "--seed",
            "7",
        ],
        0,
    );
    check_html(&html, &json);
    assert!(html.contains("bootstrap percentile, 200 replicates"));
    // The reference view, the conditional parity, xAUC and every disparity are in the page.
    let (html, json) = html_and_json(
        &[
            "fixtures/compas_scores.csv",
            "-g",
            "race",
            "--score",
            "proba",
            "--reference",
            "Caucasian",
            "--condition",
            "sex",
        ],
        0,
    );
    check_html(&html, &json);
    for caption in [
        "Against the reference group",
        "Selection rate within each stratum of sex",
        "Cross-group AUC",
        "Every disparity",
        "Every metric over all 7,214 rows used",
    ] {
        assert!(html.contains(caption), "no table {caption}");
    }
}

#[test]
fn undefined_values_are_shown_with_their_reason_not_as_zero() {
    let dir = tempfile::tempdir().unwrap();
    // Group b has no positive labels: its true positive rate is undefined.
    let f = write(
        dir.path(),
        "u.csv",
        "y,p,g\n1,1,a\n0,0,a\n1,0,a\n0,1,b\n0,0,b\n",
    );
    let (html, json) = html_and_json(&[&f, "--label", "y", "--pred", "p", "-g", "g"], 0);
    let doc = check_html(&html, &json);
    let sel = scraper::Selector::parse("td.undefined").unwrap();
    let cells: Vec<String> = doc.select(&sel).map(|e| e.text().collect()).collect();
    assert!(
        cells
            .iter()
            .any(|c| c.starts_with('—') && c.contains("no positive")),
        "{cells:?}"
    );
    assert!(
        html.contains("undefined: no positive"),
        "the chart writes the reason"
    );
}

#[test]
fn hostile_group_names_are_text() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "h.csv",
        "y,p,g\n1,1,<script>alert(1)</script>\n0,0,<script>alert(1)</script>\n1,0,\"\"\"><img src=x onerror=alert(1)>\"\n0,1,\"\"\"><img src=x onerror=alert(1)>\"\n",
    );
    let (html, json) = html_and_json(&[&f, "--label", "y", "--pred", "p", "-g", "g"], 0);
    let doc = check_html(&html, &json);
    assert!(!html.contains("<script>alert"), "raw script tag");
    assert!(!html.contains("<img src=x"), "raw img tag");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let text: String = doc.root_element().text().collect();
    assert!(text.contains("<script>alert(1)</script>"), "shown as text");
    assert!(
        text.contains("\"><img src=x onerror=alert(1)>"),
        "shown as text"
    );
}

#[test]
fn reruns_are_byte_identical_and_plot_writes_what_the_json_lists() {
    let dir = tempfile::tempdir().unwrap();
    let args = |out: &str, plots: &str| {
        let o = dir.path().join(out).display().to_string();
        let p = dir.path().join(plots).display().to_string();
        bin()
            .args([
                "audit-fairness",
                "fixtures/compas_scores.csv",
                "-g",
                "race",
                "--score",
                "proba",
            ])
            .args(["--format", "html", "-o", &o, "--plot", &p, "-q"])
            .assert()
            .success();
    };
    args("a.html", "p1");
    args("b.html", "p2");
    let a = std::fs::read(dir.path().join("a.html")).unwrap();
    assert_eq!(a, std::fs::read(dir.path().join("b.html")).unwrap());
    let p1 = dir.path().join("p1").display().to_string();
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas_scores.csv",
            "-g",
            "race",
            "--score",
            "proba",
        ])
        .args(["--json", "--plot", &p1, "-q"])
        .output()
        .unwrap();
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let listed: Vec<String> = json["plots"]
        .as_array()
        .expect("plots listed")
        .iter()
        .map(|p| p["file"].as_str().unwrap().to_string())
        .collect();
    let mut on_disk: Vec<String> = std::fs::read_dir(dir.path().join("p1"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    on_disk.sort();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, on_disk);
    assert!(listed.contains(&"race-roc.svg".to_string()));
    for f in &listed {
        let x = std::fs::read(dir.path().join("p1").join(f)).unwrap();
        assert_eq!(
            x,
            std::fs::read(dir.path().join("p2").join(f)).unwrap(),
            "{f}"
        );
        assert!(x.starts_with(b"<svg"), "{f}");
    }
    // Without --plot the JSON has no `plots` key (the schema is unchanged).
    let plain = common::audit_json(&["fixtures/compas.csv", "-g", "race"], 0);
    assert!(plain.get("plots").is_none());
}

#[test]
fn plot_into_a_file_is_an_error_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(dir.path(), "taken", "x");
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "--plot",
            &f,
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a directory"));
    assert_eq!(std::fs::read_to_string(&f).unwrap(), "x");
}

#[test]
fn the_output_files_extension_picks_the_format_unless_one_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let run = |name: &str, extra: &[&str]| {
        let p = dir.path().join(name);
        bin()
            .args([
                "audit-fairness",
                "fixtures/compas.csv",
                "-g",
                "sex",
                "-q",
                "-o",
            ])
            .arg(&p)
            .args(extra)
            .assert()
            .success();
        std::fs::read_to_string(p).unwrap()
    };
    assert!(run("r.html", &[]).starts_with("<!DOCTYPE html>"));
    assert!(run("r.HTM", &[]).starts_with("<!DOCTYPE html>"));
    assert!(serde_json::from_str::<Value>(&run("r.json", &[])).is_ok());
    assert!(run("r.csv", &[]).starts_with("file,"));
    assert!(run("r.md", &[]).contains("| group |"));
    assert!(run("r.txt", &[]).contains("┌"));
    // An explicit format wins over the extension.
    assert!(run("x.html", &["--format", "json"]).starts_with('{'));
}

#[test]
fn several_files_name_their_charts_by_file() {
    let (html, json) = html_and_json(
        &["fixtures/compas.csv", "fixtures/adult.csv", "-g", "race"],
        0,
    );
    let doc = check_html(&html, &json);
    let names = common::chart_names(&doc);
    assert!(
        names.contains(&"compas-race-selection-rate".to_string()),
        "{names:?}"
    );
    assert!(
        names.contains(&"adult-race-selection-rate".to_string()),
        "{names:?}"
    );
    assert!(html.contains("fixtures/adult.csv — race"));
}

#[test]
fn control_and_bidi_characters_from_the_data_are_made_visible() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "c.csv",
        "y,p,g\n1,1,a\u{c}b\n0,0,a\u{c}b\n1,0,\u{1b}]0;pwned\u{7}\n0,1,\u{1b}]0;pwned\u{7}\n1,1,\u{202e}RTL\n0,1,\u{202e}RTL\n",
    );
    let p = dir.path().join("plots");
    let html = run_stdout(
        &[
            "audit-fairness",
            &f,
            "--label",
            "y",
            "--pred",
            "p",
            "-g",
            "g",
            "--format",
            "html",
            "--plot",
            p.to_str().unwrap(),
        ],
        0,
    );
    assert!(!html.contains('\u{c}') && !html.contains('\u{1b}') && !html.contains('\u{202e}'));
    assert!(html.contains("a␌b") && html.contains("␛]0;pwned␇") && html.contains("[U+202E]RTL"));
    for e in std::fs::read_dir(&p).unwrap() {
        let svg = std::fs::read_to_string(e.unwrap().path()).unwrap();
        assert!(
            !svg.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')),
            "a control character in an SVG"
        );
    }
    // The terminal gets no escape sequence from the data either.
    let table = run_stdout(
        &[
            "audit-fairness",
            &f,
            "--label",
            "y",
            "--pred",
            "p",
            "-g",
            "g",
        ],
        0,
    );
    assert!(
        !table.contains('\u{1b}') && !table.contains('\u{7}'),
        "{table}"
    );
    assert!(table.contains("␛]0;pwned␇"));
}

#[test]
fn a_report_that_cannot_be_written_writes_no_chart_and_a_chart_that_cannot_leaves_no_report() {
    let dir = tempfile::tempdir().unwrap();
    let plots = dir.path().join("p");
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "-q",
            "--plot",
        ])
        .arg(&plots)
        .arg("-o")
        .arg(dir.path().join("missing/r.json"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !plots.exists(),
        "charts written for a report that could not be"
    );
    std::fs::create_dir_all(plots.join("race-accuracy.svg")).unwrap();
    let report = dir.path().join("r.json");
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "-q",
            "--plot",
        ])
        .arg(&plots)
        .arg("-o")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        !report.exists(),
        "a report listing a chart that could not be written"
    );
}

#[test]
fn summary_html_starts_with_the_summary_and_its_json_lists_the_plots() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("plots").display().to_string();
    let html = run_stdout(
        &[
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "--summary",
            "--format",
            "html",
        ],
        0,
    );
    let first = html
        .find("Summary: one row per file and attribute")
        .expect("summary section");
    assert!(first < html.find("data-chart").expect("charts"));
    let json: Value = serde_json::from_str(&run_stdout(
        &[
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "--summary",
            "--json",
            "--plot",
            &p,
        ],
        0,
    ))
    .unwrap();
    assert!(!json["plots"].as_array().expect("plots").is_empty());
}
