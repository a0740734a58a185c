//! `--format junit`: the XML parsed back (quick-xml's reader) and checked against values
//! computed here from the fixtures: counts, suites per input, the failure message's measured
//! value, escaping of a hostile group name, `-o results.xml`, and (when `FAIRAUDIT_XSD_PYTHON`
//! names a Python with `xmlschema`) validity against the committed JUnit schema.

mod common;

use std::collections::BTreeMap;

use common::{bin, root};
use quick_xml::events::Event;
use quick_xml::Reader;

/// An element of the parsed document.
#[derive(Debug, Default, Clone)]
struct El {
    name: String,
    attrs: BTreeMap<String, String>,
    children: Vec<El>,
    text: String,
}

impl El {
    fn attr(&self, k: &str) -> &str {
        self.attrs
            .get(k)
            .unwrap_or_else(|| panic!("<{}> has no {k}", self.name))
    }
    fn count(&self, k: &str) -> usize {
        self.attr(k).parse().expect("a count")
    }
    fn all(&self, name: &str) -> Vec<&El> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
    fn one(&self, name: &str) -> &El {
        let v = self.all(name);
        assert_eq!(v.len(), 1, "one <{name}> in <{}>", self.name);
        v[0]
    }
}

fn element(e: &quick_xml::events::BytesStart) -> El {
    El {
        name: String::from_utf8(e.name().as_ref().to_vec()).unwrap(),
        attrs: e
            .attributes()
            .map(|a| {
                let a = a.expect("well-formed attribute");
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().expect("escaped value").into_owned(),
                )
            })
            .collect(),
        ..Default::default()
    }
}

/// Parses `xml` (panics on anything not well-formed) and returns its root element.
fn parse(xml: &str) -> El {
    assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"));
    let mut reader = Reader::from_str(xml);
    let mut stack = vec![El::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => stack.push(element(&e)),
            Event::Empty(e) => {
                let el = element(&e);
                stack.last_mut().unwrap().children.push(el);
            }
            Event::End(_) => {
                let el = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(el);
            }
            Event::Text(t) => stack
                .last_mut()
                .unwrap()
                .text
                .push_str(&t.decode().unwrap()),
            Event::GeneralRef(r) => {
                let c = if r.is_char_ref() {
                    r.resolve_char_ref().unwrap().unwrap().to_string()
                } else {
                    let name = r.decode().unwrap();
                    quick_xml::escape::unescape(&format!("&{name};"))
                        .expect("a predefined entity")
                        .into_owned()
                };
                stack.last_mut().unwrap().text.push_str(&c);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(stack.len(), 1);
    let mut top = stack.pop().unwrap();
    assert_eq!(top.children.len(), 1, "one root element");
    let root = top.children.pop().unwrap();
    assert_eq!(root.name, "testsuites");
    root
}

/// Checks that every declared count is what the elements say, and returns the suites.
fn checked_counts(root: &El) -> Vec<El> {
    let (mut tests, mut failures, mut errors) = (0, 0, 0);
    for s in root.all("testsuite") {
        let cases = s.all("testcase");
        let f = cases
            .iter()
            .filter(|c| !c.all("failure").is_empty())
            .count();
        let e = cases.iter().filter(|c| !c.all("error").is_empty()).count();
        assert_eq!(s.count("tests"), cases.len(), "tests of {}", s.attr("name"));
        assert_eq!(s.count("failures"), f);
        assert_eq!(s.count("errors"), e);
        assert_eq!(s.attr("time"), "0");
        for c in &cases {
            assert_eq!(c.attr("classname"), s.attr("name"));
        }
        tests += cases.len();
        failures += f;
        errors += e;
    }
    assert_eq!(root.count("tests"), tests);
    assert_eq!(root.count("failures"), failures);
    assert_eq!(root.count("errors"), errors);
    root.all("testsuite").into_iter().cloned().collect()
}

/// Runs fairaudit with `args` in JUnit, expects `code`, returns the XML.
fn junit(args: &[&str], code: i32) -> String {
    let out = bin()
        .args(args)
        .args(["--format", "junit", "-q"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// The number right after `label: ` in `text`.
fn number_after(text: &str, label: &str) -> f64 {
    let at = text
        .find(label)
        .unwrap_or_else(|| panic!("{label} in {text}"))
        + label.len();
    let rest = &text[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e'))
        .unwrap_or(rest.len());
    rest[..end].parse().unwrap()
}

/// Demographic parity difference of COMPAS's `score` over `race`, from the CSV by hand.
fn compas_race_dpd() -> f64 {
    let text = std::fs::read_to_string(root().join("fixtures/compas.csv")).unwrap();
    let mut by: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let e = by.entry(f[3].to_string()).or_default();
        e.0 += f[1].parse::<f64>().unwrap();
        e.1 += 1.0;
    }
    let rates: Vec<f64> = by.values().map(|(s, n)| s / n).collect();
    let max = rates.iter().cloned().fold(f64::MIN, f64::max);
    let min = rates.iter().cloned().fold(f64::MAX, f64::min);
    max - min
}

#[test]
fn fairness_failing_and_passing_gates() {
    let dpd = compas_race_dpd();
    assert!(dpd > 0.4 && dpd < 0.5, "{dpd}");
    let args = [
        "audit-fairness",
        "fixtures/compas.csv",
        "--group",
        "race",
        "--fail-if",
        "demographic_parity_difference > 0.1",
        "--fail-if",
        "demographic_parity_difference > 0.9",
    ];
    let xml = junit(&args, 1);
    let doc = parse(&xml);
    let suites = checked_counts(&doc);
    assert_eq!((doc.count("tests"), doc.count("failures")), (2, 1));
    assert_eq!(suites.len(), 1);
    let s = &suites[0];
    assert_eq!(s.attr("name"), "audit-fairness fixtures/compas.csv");
    let input = s.one("properties").one("property");
    assert_eq!(
        (input.attr("name"), input.attr("value")),
        ("input", "fixtures/compas.csv")
    );
    let cases = s.all("testcase");
    assert_eq!(cases[0].attr("name"), "demographic_parity_difference > 0.1");
    let failure = cases[0].one("failure");
    assert_eq!(failure.attr("type"), "gate");
    let message = failure.attr("message");
    assert!(
        message.starts_with(
            "demographic_parity_difference > 0.1 held: fixtures/compas.csv race demographic_parity_difference: "
        ),
        "{message}"
    );
    let measured = number_after(message, "demographic_parity_difference: ");
    assert!((measured - dpd).abs() < 1e-12, "{measured} vs {dpd}");
    assert!((number_after(&failure.text, "demographic_parity_difference: ") - dpd).abs() < 1e-12);
    // The gate that held nowhere passes: an empty test case.
    assert_eq!(cases[1].attr("name"), "demographic_parity_difference > 0.9");
    assert!(cases[1].children.is_empty());
    // Warnings (the 0/1 score read as a decision, the four-fifths rule) in <system-out>.
    assert!(s.one("system-out").text.contains("four-fifths rule"));
    // Deterministic: the same bytes again.
    assert_eq!(junit(&args, 1), xml);
}

#[test]
fn one_suite_per_input_with_its_own_failures() {
    let xml = junit(
        &[
            "audit-fairness",
            "fixtures/compas.csv",
            "fixtures/compas_dup_header.csv",
            "--group",
            "race",
            "--fail-if",
            "demographic_parity_difference > 0.42",
        ],
        1,
    );
    let doc = parse(&xml);
    let suites = checked_counts(&doc);
    let names: Vec<&str> = suites.iter().map(|s| s.attr("name")).collect();
    assert_eq!(
        names,
        [
            "audit-fairness fixtures/compas.csv",
            "audit-fairness fixtures/compas_dup_header.csv"
        ]
    );
    // All rows: 0.457 > 0.42 fails; the first 300 rows: 0.406 does not (the JSON of the same
    // run says so: tests/fairness checks the numbers).
    assert_eq!(suites[0].count("failures"), 1);
    assert_eq!(suites[1].count("failures"), 0);
    assert!(suites[0].all("testcase")[0]
        .one("failure")
        .text
        .contains("fixtures/compas.csv race"));
}

#[test]
fn no_gates_gives_one_passing_report_case() {
    let doc = parse(&junit(
        &["audit-fairness", "fixtures/compas.csv", "--group", "sex"],
        0,
    ));
    let suites = checked_counts(&doc);
    let case = suites[0].one("testcase");
    assert_eq!(case.attr("name"), "report");
    assert!(case.children.is_empty());
}

#[test]
fn reward_failing_and_passing_gates() {
    // Accuracy by hand: pairs whose chosen response scores higher (ties count as wrong).
    let text = std::fs::read_to_string(root().join("fixtures/reward/pairs.csv")).unwrap();
    let (mut wins, mut n) = (0.0, 0.0);
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let (c, r): (f64, f64) = (f[2].parse().unwrap(), f[3].parse().unwrap());
        wins += f64::from(u8::from(c > r));
        n += 1.0;
    }
    let accuracy = wins / n;
    let doc = parse(&junit(
        &[
            "audit-reward",
            "fixtures/reward/pairs.csv",
            "--fail-if",
            "accuracy < 0.99",
            "--fail-if",
            "accuracy < 0.5",
        ],
        1,
    ));
    let suites = checked_counts(&doc);
    assert_eq!(
        suites[0].attr("name"),
        "audit-reward fixtures/reward/pairs.csv"
    );
    let cases = suites[0].all("testcase");
    let message = cases[0].one("failure").attr("message");
    assert!(
        (number_after(message, "accuracy: ") - accuracy).abs() < 1e-12,
        "{message}"
    );
    assert!(
        cases[1].children.is_empty(),
        "accuracy {accuracy} is not below 0.5"
    );
}

#[test]
fn allocate_failing_and_passing_gates() {
    // unfair_allocation gives carol only the clock (6 to her) and alice desk, book, chair and
    // rug (5 + 2 + 3 + 4 = 14 to carol): without the desk still 9 > 6, so EF1 fails.
    let failing = parse(&junit(
        &[
            "allocate",
            "check",
            "fixtures/allocate/goods.csv",
            "--allocation",
            "fixtures/allocate/unfair_allocation.csv",
            "--fail-if",
            "ef1 == false",
        ],
        1,
    ));
    let suites = checked_counts(&failing);
    assert_eq!(
        suites[0].attr("name"),
        "allocate check fixtures/allocate/goods.csv"
    );
    let message = suites[0].one("testcase").one("failure").attr("message");
    assert_eq!(
        message,
        "ef1 == false held: fixtures/allocate/goods.csv ef1: false"
    );
    // Round robin is always EF1 for goods.
    let passing = parse(&junit(
        &[
            "allocate",
            "check",
            "fixtures/allocate/goods.csv",
            "--allocation",
            "fixtures/allocate/goods_allocation.csv",
            "--fail-if",
            "ef1 == false",
        ],
        0,
    ));
    let suites = checked_counts(&passing);
    assert_eq!(suites[0].count("failures"), 0);
    assert_eq!(suites[0].one("testcase").attr("name"), "ef1 == false");
}

/// A CSV whose race column holds `group` for the first two rows: two groups with selection
/// rates 1/2 (the hostile one) and 0/2.
fn hostile_csv(dir: &std::path::Path, group: &str) -> String {
    let quoted = format!("\"{}\"", group.replace('"', "\"\""));
    common::write(
        dir,
        "hostile.csv",
        &format!("label_value,score,race\n1,1,{quoted}\n0,0,{quoted}\n1,0,plain\n0,0,plain\n"),
    )
}

#[test]
fn hostile_group_names_come_back_intact() {
    let dir = tempfile::tempdir().unwrap();
    let group = "<script>]]>&\"'";
    let file = hostile_csv(dir.path(), group);
    let expr = format!("race={group}:selection_rate > 0.1");
    let xml = junit(
        &[
            "audit-fairness",
            &file,
            "--group",
            "race",
            "--fail-if",
            &expr,
        ],
        1,
    );
    assert!(!xml.contains("<script>"), "raw markup in the XML");
    let doc = parse(&xml);
    let suites = checked_counts(&doc);
    let case = suites[0].one("testcase");
    assert_eq!(case.attr("name"), expr);
    let failure = case.one("failure");
    assert!(
        failure
            .attr("message")
            .ends_with(&format!("race={group} selection_rate: 0.5")),
        "{}",
        failure.attr("message")
    );
    assert!(failure
        .text
        .contains(&format!("race={group} selection_rate: 0.5")));
    // A control character (not allowed in XML 1.0) comes back as its visible stand-in.
    let file = hostile_csv(dir.path(), "a\u{1}b");
    let xml = junit(
        &[
            "audit-fairness",
            &file,
            "--group",
            "race",
            "--fail-if",
            "selection_rate > 0.1",
        ],
        1,
    );
    let doc = parse(&xml);
    let suites = checked_counts(&doc);
    let text = &suites[0].one("testcase").one("failure").text;
    assert!(
        text.contains("race=a\u{2401}b selection_rate: 0.5"),
        "{text}"
    );
}

#[test]
fn output_file_with_xml_extension_is_junit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("results.xml");
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas.csv",
            "--group",
            "race",
            "-q",
            "--fail-if",
            "demographic_parity_difference > 0.1",
            "-o",
        ])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    let doc = parse(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(checked_counts(&doc)[0].count("failures"), 1);
}

/// Validates with scripts/validate_junit.py (the committed XSD) when FAIRAUDIT_XSD_PYTHON names
/// a Python with xmlschema; a broken copy must be refused.
#[test]
fn valid_against_the_committed_schema() {
    let Some(python) = std::env::var_os("FAIRAUDIT_XSD_PYTHON") else {
        eprintln!(
            "skipped: set FAIRAUDIT_XSD_PYTHON to a Python with xmlschema to validate against tests/schema/junit-10.xsd"
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hostile = hostile_csv(dir.path(), "<script>]]>&\"'");
    let runs: Vec<(Vec<&str>, i32)> = vec![
        (
            vec![
                "audit-fairness",
                "fixtures/compas.csv",
                "fixtures/compas_dup_header.csv",
                "--group",
                "race",
                "--fail-if",
                "demographic_parity_difference > 0.42",
                "--fail-if",
                "equalized_odds_difference > 0.9",
            ],
            1,
        ),
        (
            vec!["audit-fairness", "fixtures/compas.csv", "--group", "sex"],
            0,
        ),
        (
            vec![
                "audit-fairness",
                &hostile,
                "--group",
                "race",
                "--fail-if",
                "selection_rate > 0.1",
            ],
            1,
        ),
        (
            vec![
                "audit-reward",
                "fixtures/reward/pairs.csv",
                "--fail-if",
                "accuracy < 0.99",
            ],
            1,
        ),
        (
            vec![
                "allocate",
                "pb",
                "fixtures/pb/poland_warszawa_2017_anin.pb",
                "--fail-if",
                "ejr == false",
            ],
            0,
        ),
    ];
    let mut files = Vec::new();
    for (i, (args, code)) in runs.iter().enumerate() {
        let p = dir.path().join(format!("run{i}.xml"));
        std::fs::write(&p, junit(args, *code)).unwrap();
        files.push(p);
    }
    let validate = |paths: &[std::path::PathBuf]| {
        std::process::Command::new(&python)
            .arg(root().join("scripts/validate_junit.py"))
            .args(paths)
            .output()
            .unwrap()
    };
    let out = validate(&files);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{said}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        said.lines().filter(|l| l.starts_with("ok ")).count(),
        files.len()
    );
    // Broken on purpose: a suite without its required `tests` count, and a wrong count.
    let good = std::fs::read_to_string(&files[0]).unwrap();
    let suite_at = good.find("<testsuite ").unwrap();
    let tests_at = suite_at + good[suite_at..].find(" tests=\"").unwrap();
    let tests_end = tests_at + 8 + good[tests_at + 8..].find('"').unwrap() + 1;
    let missing = dir.path().join("missing.xml");
    std::fs::write(
        &missing,
        format!("{}{}", &good[..tests_at], &good[tests_end..]),
    )
    .unwrap();
    let miscounted = dir.path().join("miscounted.xml");
    std::fs::write(
        &miscounted,
        good.replacen("failures=\"1\"", "failures=\"0\"", 1),
    )
    .unwrap();
    let out = validate(&[missing, miscounted]);
    let said = String::from_utf8_lossy(&out.stdout).to_string();
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(
        said.contains("missing required attribute 'tests'"),
        "{said}"
    );
    assert!(said.contains("declares failures=0, holds 1"), "{said}");
}
