//! `--format junit`: JUnit XML, the test-report format CI servers read (Jenkins, GitLab, Azure
//! Pipelines, the GitHub test-report actions). One `<testsuite>` per (audit, input), one
//! `<testcase>` per `--fail-if` gate; a failing gate is a `<failure>` whose message has the
//! expression and the values that failed it.
//!
//! Valid against the Jenkins xunit plugin's `junit-10.xsd` (committed in `tests/schema/`, checked
//! by `scripts/validate_junit.py`). Written through quick-xml's writer, which escapes every
//! attribute and text; text from the data is made printable first ([`printable`]), since XML 1.0
//! allows most control characters not even as character references. Deterministic: every `time`
//! is `0` (a report is not timed) and there is no timestamp or host name.
//!
//! `fairaudit run` builds one [`Suite`] per (audit, input) with [`suites`] and writes them all in
//! one [`document`].

use anyhow::Result;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

use super::output::Warning;
use super::text::printable;
use crate::gate::{Failure, GateResult};

/// One `<testsuite>`: an audit of one input (or of several, as one unit).
#[derive(Debug, Clone, Default)]
pub struct Suite {
    /// The suite's name, also every test case's `classname`: `audit-fairness compas.csv`, or an
    /// audit's name in a project configuration.
    pub name: String,
    /// The inputs audited, listed as `input` properties.
    pub inputs: Vec<String>,
    /// One `<testcase>` per gate, named by its expression. No gates: one passing test case
    /// `report` (so that a CI server shows the audit ran).
    pub gates: Vec<GateResult>,
    /// The report's warnings (`file [attribute]: message`), the suite's `<system-out>`.
    pub warnings: Vec<String>,
    /// The audit could not run (bad input, exit 2): one test case `audit` whose `<error>` holds
    /// this message, and no gate test cases.
    pub error: Option<String>,
}

/// The test case of a suite without gates.
pub const NO_GATES_CASE: &str = "report";
/// The test case that holds a suite's error.
pub const ERROR_CASE: &str = "audit";

/// One suite per input of a report of `command`: each gate's failures go to the suite of the
/// input they come from (`Failure::file`); a failure, or a warning, that names no input goes to
/// the first suite. A gate passes in a suite when none of its failures are there. (`checked`
/// stays the gate's count over all inputs: a gate's result does not split it.)
pub fn suites(
    command: &str,
    inputs: &[String],
    gates: &[GateResult],
    warnings: &[Warning],
) -> Vec<Suite> {
    if inputs.is_empty() {
        return vec![Suite {
            name: command.to_string(),
            inputs: Vec::new(),
            gates: gates.to_vec(),
            warnings: warnings.iter().map(warning_line).collect(),
            error: None,
        }];
    }
    let home = |file: &str| inputs.iter().position(|i| i == file).unwrap_or(0);
    inputs
        .iter()
        .enumerate()
        .map(|(k, input)| Suite {
            name: format!("{command} {input}"),
            inputs: vec![input.clone()],
            gates: gates
                .iter()
                .map(|g| {
                    let failures: Vec<Failure> = g
                        .failures
                        .iter()
                        .filter(|f| home(&f.file) == k)
                        .cloned()
                        .collect();
                    GateResult {
                        expression: g.expression.clone(),
                        passed: failures.is_empty(),
                        checked: g.checked,
                        failures,
                    }
                })
                .collect(),
            warnings: warnings
                .iter()
                .filter(|w| home(&w.file) == k)
                .map(warning_line)
                .collect(),
            error: None,
        })
        .collect()
}

/// A warning as one line: `file [attribute]: message`.
pub fn warning_line(w: &Warning) -> String {
    match &w.attribute {
        Some(a) => format!("{} [{a}]: {}", w.file, w.message),
        None => format!("{}: {}", w.file, w.message),
    }
}

/// A failed gate's message: the expression and its first three failing values (`file attribute=group
/// metric: value`, or `undefined (why)`), `and N more` after them.
pub fn failure_message(g: &GateResult) -> String {
    let first: Vec<String> = g.failures.iter().take(3).map(Failure::describe).collect();
    let more = match g.failures.len() {
        n if n > 3 => format!(" and {} more", n - 3),
        _ => String::new(),
    };
    format!("{} held: {}{more}", g.expression, first.join("; "))
}

/// Text from the data or the user fit for XML 1.0: controls and bidi marks made visible, and the
/// two non-characters XML forbids (U+FFFE, U+FFFF) replaced.
fn clean(s: &str) -> String {
    printable(s).replace(['\u{FFFE}', '\u{FFFF}'], "\u{FFFD}")
}

/// Counts of a suite: test cases, failures, errors.
fn counts(s: &Suite) -> (usize, usize, usize) {
    if s.error.is_some() {
        return (1, 0, 1);
    }
    if s.gates.is_empty() {
        return (1, 0, 0);
    }
    let failed = s.gates.iter().filter(|g| !g.passed).count();
    (s.gates.len(), failed, 0)
}

/// The JUnit XML document of `suites`, in their order (newline-terminated).
pub fn document(suites: &[Suite]) -> Result<String> {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let total = suites
        .iter()
        .map(counts)
        .fold((0, 0, 0), |a, c| (a.0 + c.0, a.1 + c.1, a.2 + c.2));
    let mut root = BytesStart::new("testsuites");
    root.push_attribute(("name", "fairaudit"));
    root.push_attribute(("tests", total.0.to_string().as_str()));
    root.push_attribute(("failures", total.1.to_string().as_str()));
    root.push_attribute(("errors", total.2.to_string().as_str()));
    root.push_attribute(("time", "0"));
    w.write_event(Event::Start(root))?;
    for s in suites {
        suite(&mut w, s)?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuites")))?;
    let mut out = String::from_utf8(w.into_inner())?;
    out.push('\n');
    Ok(out)
}

fn suite(w: &mut Writer<Vec<u8>>, s: &Suite) -> Result<()> {
    let (tests, failures, errors) = counts(s);
    let name = clean(&s.name);
    let mut start = BytesStart::new("testsuite");
    start.push_attribute(("name", name.as_str()));
    start.push_attribute(("tests", tests.to_string().as_str()));
    start.push_attribute(("failures", failures.to_string().as_str()));
    start.push_attribute(("errors", errors.to_string().as_str()));
    start.push_attribute(("skipped", "0"));
    start.push_attribute(("time", "0"));
    w.write_event(Event::Start(start))?;
    if !s.inputs.is_empty() {
        w.write_event(Event::Start(BytesStart::new("properties")))?;
        for input in &s.inputs {
            let value = clean(input);
            let mut p = BytesStart::new("property");
            p.push_attribute(("name", "input"));
            p.push_attribute(("value", value.as_str()));
            w.write_event(Event::Empty(p))?;
        }
        w.write_event(Event::End(BytesEnd::new("properties")))?;
    }
    let case = |case_name: &str| {
        let mut c = BytesStart::new("testcase");
        c.push_attribute(("name", clean(case_name).as_str()));
        c.push_attribute(("classname", name.as_str()));
        c.push_attribute(("time", "0"));
        c
    };
    if let Some(e) = &s.error {
        w.write_event(Event::Start(case(ERROR_CASE)))?;
        let msg = clean(e);
        let mut err = BytesStart::new("error");
        err.push_attribute(("message", msg.as_str()));
        err.push_attribute(("type", "error"));
        w.write_event(Event::Start(err))?;
        w.write_event(Event::Text(BytesText::new(&msg)))?;
        w.write_event(Event::End(BytesEnd::new("error")))?;
        w.write_event(Event::End(BytesEnd::new("testcase")))?;
    } else if s.gates.is_empty() {
        w.write_event(Event::Empty(case(NO_GATES_CASE)))?;
    }
    for g in s.gates.iter().filter(|_| s.error.is_none()) {
        if g.passed {
            w.write_event(Event::Empty(case(&g.expression)))?;
            continue;
        }
        w.write_event(Event::Start(case(&g.expression)))?;
        let msg = clean(&failure_message(g));
        let mut f = BytesStart::new("failure");
        f.push_attribute(("message", msg.as_str()));
        f.push_attribute(("type", "gate"));
        w.write_event(Event::Start(f))?;
        let body: Vec<String> = g.failures.iter().map(|x| clean(&x.describe())).collect();
        w.write_event(Event::Text(BytesText::new(&body.join("\n"))))?;
        w.write_event(Event::End(BytesEnd::new("failure")))?;
        w.write_event(Event::End(BytesEnd::new("testcase")))?;
    }
    if !s.warnings.is_empty() {
        let lines: Vec<String> = s.warnings.iter().map(|l| clean(l)).collect();
        w.write_event(Event::Start(BytesStart::new("system-out")))?;
        w.write_event(Event::Text(BytesText::new(&lines.join("\n"))))?;
        w.write_event(Event::End(BytesEnd::new("system-out")))?;
    }
    w.write_event(Event::End(BytesEnd::new("testsuite")))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate(expr: &str, fails: &[(&str, f64)]) -> GateResult {
        GateResult {
            expression: expr.into(),
            passed: fails.is_empty(),
            checked: 2,
            failures: fails
                .iter()
                .map(|(file, v)| Failure {
                    file: file.to_string(),
                    attribute: Some("race".into()),
                    group: None,
                    metric: "dpd".into(),
                    value: Some(*v),
                    undefined: None,
                    boolean: false,
                })
                .collect(),
        }
    }

    #[test]
    fn gates_split_by_input() {
        let inputs = vec!["a.csv".to_string(), "b.csv".to_string()];
        let g = gate("dpd > 0.1", &[("b.csv", 0.2), ("elsewhere", 0.3)]);
        let s = suites("audit-fairness", &inputs, &[g], &[]);
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].name, "audit-fairness a.csv");
        // The failure of no known input lands in the first suite; b's own in b's.
        assert_eq!(s[0].gates[0].failures[0].file, "elsewhere");
        assert!(!s[0].gates[0].passed);
        assert_eq!(s[1].gates[0].failures.len(), 1);
        assert_eq!(s[1].gates[0].failures[0].value, Some(0.2));
    }

    #[test]
    fn counts_and_no_gate_case() {
        let doc = document(&[
            Suite {
                name: "x".into(),
                ..Default::default()
            },
            Suite {
                name: "y".into(),
                gates: vec![gate("dpd > 0.1", &[("f", 0.5)]), gate("dpd > 0.9", &[])],
                ..Default::default()
            },
            Suite {
                name: "z".into(),
                error: Some("cannot read z.csv".into()),
                ..Default::default()
            },
        ])
        .unwrap();
        assert!(doc.contains(
            r#"<testsuites name="fairaudit" tests="4" failures="1" errors="1" time="0">"#
        ));
        assert!(doc.contains(r#"<testcase name="report" classname="x" time="0"/>"#));
        assert!(doc.contains(r#"message="dpd &gt; 0.1 held: f race dpd: 0.5""#));
        assert!(doc.contains(r#"<error message="cannot read z.csv" type="error">"#));
    }

    #[test]
    fn xml_forbidden_characters_made_visible() {
        assert_eq!(clean("a\u{1}b\u{FFFF}"), "a␁b\u{FFFD}");
    }
}
