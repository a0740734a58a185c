//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The project root (tests run with it as the working directory).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary under test; `FAIRAUDIT_TEST_BIN` names another one (`scripts/behaviour.py` sets it
/// to a wrapper that records every invocation). Run outside GitHub Actions whatever runs the
/// tests (tests/github.rs sets the runner's variables itself).
pub fn bin() -> Command {
    let mut c = match std::env::var_os("FAIRAUDIT_TEST_BIN") {
        Some(path) => Command::new(path),
        None => Command::cargo_bin("fairaudit").expect("binary built"),
    };
    c.current_dir(root())
        .env_remove("NO_COLOR")
        .env_remove("GITHUB_ACTIONS")
        .env_remove("GITHUB_STEP_SUMMARY")
        .env_remove("GITHUB_WORKSPACE")
        .env_remove("FAIRAUDIT_GITHUB");
    c
}

/// Runs `fairaudit audit-fairness ARGS --json -q`, expects exit code `code`, returns the JSON.
pub fn audit_json(args: &[&str], code: i32) -> Value {
    engine_json("audit-fairness", args, code)
}

/// Runs `fairaudit ENGINE ARGS --json -q`, expects exit code `code`, returns the JSON.
pub fn engine_json(engine: &str, args: &[&str], code: i32) -> Value {
    let out = bin()
        .arg(engine)
        .args(args)
        .args(["--json", "-q"])
        .output()
        .expect("ran");
    assert_eq!(
        out.status.code(),
        Some(code),
        "args {args:?}\nstderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON on stdout")
}

/// Runs `fairaudit audit-fairness ARGS`, expects exit code 2, returns stderr; checks the error
/// is one line, names no panic, and nothing went to stdout.
pub fn audit_error(args: &[&str]) -> String {
    engine_error("audit-fairness", args)
}

/// Runs `fairaudit ENGINE ARGS`, expects exit code 2, returns stderr; checks the error is one
/// line, names no panic, and nothing went to stdout.
pub fn engine_error(engine: &str, args: &[&str]) -> String {
    let out = bin().arg(engine).args(args).output().expect("ran");
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert_eq!(
        out.status.code(),
        Some(2),
        "args {args:?}\nstderr: {stderr}"
    );
    assert!(
        out.stdout.is_empty(),
        "stdout must be empty on error: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(!stderr.contains("panicked"), "panic: {stderr}");
    assert_eq!(
        stderr.trim_end().lines().count(),
        1,
        "one line expected: {stderr}"
    );
    stderr
}

/// Writes `text` to `dir/name` and returns the path as a string.
pub fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p.to_string_lossy().into_owned()
}

/// A committed oracle result, `tests/expected/PATH` (e.g. `ranking/recommendations.json`).
pub fn expected_json(path: &str) -> Value {
    let p = root().join("tests/expected").join(path);
    let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The attribute `name` of the first (or only) file.
pub fn attr<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["attributes"]
        .as_array()
        .expect("attributes")
        .iter()
        .find(|a| a["name"] == name)
        .unwrap_or_else(|| panic!("no attribute {name}"))
}

pub fn group<'a>(attribute: &'a Value, name: &str) -> &'a Value {
    attribute["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .find(|g| g["group"] == name)
        .unwrap_or_else(|| panic!("no group {name}"))
}

pub fn metric(group: &Value, name: &str) -> Option<f64> {
    let v = &group["metrics"][name];
    assert!(v.is_number() || v.is_null(), "{name} is {v}");
    v.as_f64()
}

pub fn disp(attribute: &Value, name: &str) -> Option<f64> {
    let v = &attribute["disparities"][name];
    assert!(v.is_number() || v.is_null(), "{name} is {v}");
    v.as_f64()
}

pub fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// `fairaudit sql --table t ARGS`'s query as DuckDB ran it on the case's fixture
/// (scripts/oracle_sql.py, case NAME): checks the query is still the one DuckDB ran and gives
/// the committed result (tests/expected/sql/NAME.csv), a statistics table for --from-stats.
pub fn sql_statistics(name: &str, args: &[&str]) -> std::path::PathBuf {
    let out = bin()
        .arg("sql")
        .args(["--table", "t"])
        .args(args)
        .output()
        .expect("ran");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let query = String::from_utf8(out.stdout).expect("UTF-8 query");
    let dir = root().join("tests/expected/sql");
    let ran = std::fs::read_to_string(dir.join(format!("{name}.sql"))).expect("committed query");
    assert_eq!(
        query, ran,
        "`fairaudit sql` prints another query than DuckDB ran for case {name}: run scripts/oracle_sql.py and commit tests/expected/sql"
    );
    dir.join(format!("{name}.csv"))
}

/// Runs `fairaudit ARGS` with `stdin` (if any) and expects it to succeed.
pub fn succeeds<S: Into<Vec<u8>>>(args: &[&str], stdin: Option<S>) {
    let mut c = bin();
    c.args(args);
    if let Some(s) = stdin {
        c.write_stdin(s.into());
    }
    let out = c.output().expect("ran");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The exit code of `fairaudit ARGS`.
pub fn exit_code(args: &[&str]) -> i32 {
    bin()
        .args(args)
        .output()
        .expect("ran")
        .status
        .code()
        .unwrap_or(-1)
}

/// Checks an HTML report the way the issue asks, and returns the parsed document: the page
/// ([`check_page`]) and its numbers ([`check_numbers`], at least one).
pub fn check_html(html: &str, json: &Value) -> scraper::Html {
    let doc = check_page(html);
    assert!(check_numbers(&doc, json) > 0, "no number checked");
    doc
}

/// The page parses as HTML5 with no parse error and starts with its doctype; no `src`, `href`,
/// `xlink:href`, `action` or `srcset` leaves the page (only `#…` anchors); no `<script>`,
/// `<link>`, `<img>`, `<iframe>`, `<object>`, `<embed>` or CSS `url(`.
pub fn check_page(html: &str) -> scraper::Html {
    assert!(html.starts_with("<!DOCTYPE html>"), "no doctype");
    let doc = scraper::Html::parse_document(html);
    assert!(doc.errors.is_empty(), "HTML parse errors: {:?}", doc.errors);
    for attr in ["src", "href", "xlink:href", "action", "srcset"] {
        for e in doc.select(&selector(&format!("[{}]", attr.replace(':', "\\:")))) {
            let v = e.value().attr(attr).unwrap_or("");
            assert!(v.starts_with('#'), "external reference {attr}={v:?}");
        }
    }
    for tag in ["script", "link", "img", "iframe", "object", "embed"] {
        assert_eq!(doc.select(&selector(tag)).count(), 0, "a <{tag}> element");
    }
    assert!(!html.contains("url("), "a CSS url(");
    doc
}

/// A CSS selector (panics on a bad one: tests only).
pub fn selector(s: &str) -> scraper::Selector {
    scraper::Selector::parse(s).expect("selector")
}

/// The page's charts by name (`figure[data-chart]`), each checked to hold an inline SVG with a
/// `<title>` and, beside it, a table (or its "nothing to show" sentence).
pub fn chart_names(doc: &scraper::Html) -> Vec<String> {
    doc.select(&selector("figure[data-chart]"))
        .map(|f| {
            let name = f.value().attr("data-chart").unwrap_or("").to_string();
            assert!(
                f.select(&selector("svg")).next().is_some(),
                "{name}: no svg"
            );
            assert!(
                f.select(&selector("svg title")).next().is_some(),
                "{name}: no <title>"
            );
            assert!(
                f.select(&selector("figcaption table, figcaption p"))
                    .next()
                    .is_some(),
                "{name}: no table beside it"
            );
            name
        })
        .collect()
}

/// Every number shown in a numeric table cell equals a number of `json` (the JSON report of
/// the same run) at the shown precision: `0.4870` is some JSON number that rounds to it at 4
/// decimals, `3,696` a JSON number equal to 3696. Returns how many numbers were checked.
pub fn check_numbers(doc: &scraper::Html, json: &Value) -> usize {
    let mut numbers = Vec::new();
    collect_numbers(json, &mut numbers);
    let mut checked = 0;
    for td in doc.select(&selector("td")) {
        if td
            .value()
            .classes()
            .any(|c| c == "text" || c == "undefined")
        {
            continue;
        }
        let text: String = td.text().collect();
        for token in text
            .split(['[', ']', ' ', ';'])
            .map(|t| t.trim_end_matches(','))
            .filter(|t| !t.is_empty())
        {
            let plain = token.replace(',', "");
            let Ok(shown) = plain.parse::<f64>() else {
                continue;
            };
            let decimals = plain.split('.').nth(1).map_or(0, str::len);
            let scale = 10f64.powi(decimals as i32);
            let found = numbers.iter().any(|&x| {
                if decimals == 0 {
                    // A whole number as the tables write one (`360` for 360.00000000000006).
                    (x - shown).abs() <= 1e-9 * x.abs().max(1.0)
                } else {
                    ((x * scale).round() - shown * scale).abs() < 0.5 + 1e-9
                        || (x - shown).abs() <= 0.5 / scale + 1e-12
                }
            });
            assert!(
                found,
                "cell {text:?}: {token} is not a number of the JSON report"
            );
            checked += 1;
        }
    }
    checked
}

fn collect_numbers(v: &Value, out: &mut Vec<f64>) {
    match v {
        Value::Number(n) => out.extend(n.as_f64()),
        Value::Array(a) => a.iter().for_each(|x| collect_numbers(x, out)),
        Value::Object(m) => m.values().for_each(|x| collect_numbers(x, out)),
        _ => {}
    }
}

/// Runs `fairaudit ARGS` (the command and its flags) and returns its standard output; expects
/// exit code `code`.
pub fn run_stdout(args: &[&str], code: i32) -> String {
    let out = bin().args(args).arg("-q").output().expect("ran");
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}
