//! `--fail-if` expressions and their verdicts, shared by every engine.
//!
//! Grammar: `[SCOPE:]NAME OP VALUE` where SCOPE is an attribute (`race`, `race&sex`), a group
//! (`race=Black`) or `overall`; NAME a metric or disparity; OP one of `< <= > >= == !=`; VALUE a
//! number or `true` / `false`. The gate *fails* when the expression holds for any value it
//! checks. An undefined (null) value fails the gate too: CI must not pass on a number it could
//! not compute.

use anyhow::{anyhow, bail, Result};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Op {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
    #[serde(rename = "!=")]
    Ne,
}

impl Op {
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Eq => a == b,
            Op::Ne => a != b,
        }
    }
}

/// Where a gate looks.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    All,
    Overall,
    Attribute(String),
    Group(String, String),
}

/// A parsed `--fail-if` expression.
#[derive(Debug, Clone)]
pub struct Gate {
    pub expression: String,
    pub scope: Scope,
    pub name: String,
    pub op: Op,
    pub value: f64,
    /// The value was written `true` or `false`: the metric is a verdict (1 true, 0 false).
    pub boolean: bool,
}

/// One value a gate checked.
#[derive(Debug, Clone)]
pub struct Observation {
    pub file: String,
    pub attribute: Option<String>,
    pub group: Option<String>,
    /// The canonical name of what was checked.
    pub metric: String,
    /// The value, or why it is undefined.
    pub value: Result<f64, String>,
}

/// A report that gates can look into.
pub trait Gateable {
    /// Every value `name` has within `scope`, or an error saying what is unknown (with a
    /// suggestion). Engines check the name and scope against their vocabulary and select from
    /// their flat view of numbers with [`select`].
    fn observe(&self, scope: &Scope, name: &str) -> Result<Vec<Observation>>;
}

/// Where a number sits in a report, from the broadest level down.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// A whole input (a reward score file, an allocation).
    Input,
    /// An attribute (its disparities), a subset, or a group column.
    Attribute,
    /// One group of an attribute.
    Group,
    /// The value over all rows (`overall:` scope).
    Overall,
}

/// One number of a report in the flat view every engine gives: where it is, what it is, its
/// value (or why it is undefined) and its interval. The gate lookup, the CSV long format and
/// the bootstrap read reports through it.
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub file: String,
    pub level: Level,
    /// The attribute, subset or group column a scope names (`race`, `race&sex`); none at the
    /// input level.
    pub attribute: Option<String>,
    /// How the attribute is shown in verdicts when it differs from its name (a class of a
    /// one-vs-rest report: `race [class High]`).
    pub shown: Option<String>,
    pub group: Option<String>,
    pub metric: String,
    pub value: std::result::Result<f64, String>,
    /// `[lower, upper]` when the metric has an interval in this run, or why it has none there.
    pub interval: Option<std::result::Result<[f64; 2], String>>,
}

impl Number {
    /// A number without an interval.
    pub fn new(
        file: &str,
        level: Level,
        attribute: Option<&str>,
        group: Option<&str>,
        metric: &str,
        value: std::result::Result<f64, String>,
    ) -> Number {
        Number {
            file: file.to_string(),
            level,
            attribute: attribute.map(str::to_string),
            shown: None,
            group: group.map(str::to_string),
            metric: metric.to_string(),
            value,
            interval: None,
        }
    }
}

/// Splits `name.lower` / `name.upper` into the name and the interval end (0 or 1).
pub fn interval_end(name: &str) -> (&str, Option<usize>) {
    match name.rsplit_once('.') {
        Some((base, "lower")) => (base, Some(0)),
        Some((base, "upper")) => (base, Some(1)),
        _ => (name, None),
    }
}

/// The values a gate on `metric` (interval end `end`) checks within `scope`, in report order:
///
/// - no scope: the numbers named `metric` at the broadest level where the name occurs (a
///   disparity of every attribute, else a rate of every group), `overall` values left out;
/// - `overall:`: the values over all rows;
/// - `ATTR:`: within the attribute (subset, group column), at the broadest level there;
/// - `ATTR=GROUP:`: that group.
///
/// With `end`, the value is that end of the number's interval (a number without one is left
/// out: engines say why before selecting). An empty result is for the engine to explain.
pub fn select(
    numbers: &[Number],
    scope: &Scope,
    metric: &str,
    end: Option<usize>,
    label: &str,
) -> Vec<Observation> {
    let in_scope = |n: &&Number| {
        n.metric == metric
            && match scope {
                Scope::All => n.level != Level::Overall,
                Scope::Overall => n.level == Level::Overall,
                Scope::Attribute(a) => n.attribute.as_deref() == Some(a.as_str()),
                Scope::Group(a, g) => {
                    n.attribute.as_deref() == Some(a.as_str())
                        && n.group.as_deref() == Some(g.as_str())
                }
            }
    };
    let chosen: Vec<&Number> = numbers.iter().filter(in_scope).collect();
    let broadest = chosen.iter().map(|n| n.level).min();
    chosen
        .into_iter()
        .filter(|n| Some(n.level) == broadest)
        .filter_map(|n| {
            let value = match end {
                None => n.value.clone(),
                Some(e) => match n.interval.as_ref()? {
                    Ok(iv) => Ok(iv[e]),
                    Err(why) => Err(why.clone()),
                },
            };
            Some(Observation {
                file: n.file.clone(),
                attribute: n.shown.clone().or_else(|| n.attribute.clone()),
                group: n.group.clone(),
                metric: label.to_string(),
                value,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Serialize)]
pub struct GateResult {
    pub expression: String,
    pub passed: bool,
    /// How many values were checked.
    pub checked: usize,
    /// The values for which the expression held (or that were undefined).
    pub failures: Vec<Failure>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Failure {
    pub file: String,
    pub attribute: Option<String>,
    pub group: Option<String>,
    pub metric: String,
    pub value: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub undefined: Option<String>,
    /// A verdict (the gate compares with `true` / `false`): shown as `true` / `false`, not 1 / 0.
    /// The JSON keeps the number.
    #[serde(skip)]
    pub boolean: bool,
}

impl Failure {
    pub fn describe(&self) -> String {
        let mut s = self.file.clone();
        if let Some(a) = &self.attribute {
            s.push_str(&format!(" {a}"));
        }
        if let Some(g) = &self.group {
            s.push_str(&format!("={g}"));
        }
        s.push_str(&format!(" {}: ", self.metric));
        match (&self.value, &self.undefined) {
            (Some(v), _) if self.boolean && (*v == 0.0 || *v == 1.0) => {
                s.push_str(if *v == 1.0 { "true" } else { "false" })
            }
            // Tiny values (p-values) in scientific notation, as render::fmt_p writes them in
            // tables (gate.rs imports no render code), but at full precision.
            (Some(v), _) if *v != 0.0 && v.abs() < 1e-4 => s.push_str(&format!("{v:e}")),
            (Some(v), _) => s.push_str(&format!("{v}")),
            (None, Some(r)) => s.push_str(&format!("undefined ({r})")),
            (None, None) => s.push_str("undefined"),
        }
        s
    }
}

pub fn parse_all(exprs: &[String]) -> Result<Vec<Gate>> {
    exprs.iter().map(|e| parse(e)).collect()
}

const OPS: [(&str, Op); 6] = [
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<", Op::Lt),
    (">", Op::Gt),
];

/// Parses one expression; errors say what is wrong and show the expected form.
pub fn parse(expr: &str) -> Result<Gate> {
    let usage = "expected [SCOPE:]METRIC OP VALUE, e.g. 'demographic_parity_difference > 0.1' or 'race:equalized_odds_ratio < 0.8'";
    // The scope may hold `=` (and a group value any character), so the operator is looked for
    // after the last ':' (metric names and values never contain one).
    let from = expr.rfind(':').map(|i| i + 1).unwrap_or(0);
    let pos = expr[from..].find(['<', '>', '=', '!']).map(|i| i + from);
    let Some(pos) = pos else {
        bail!("--fail-if '{expr}': no comparison operator; {usage}");
    };
    let (lhs, rest) = expr.split_at(pos);
    let (op, rhs) = OPS
        .iter()
        .find_map(|(s, op)| rest.strip_prefix(s).map(|r| (*op, r)))
        .ok_or_else(|| anyhow!("--fail-if '{expr}': unknown operator; use < <= > >= == !="))?;
    let rhs = rhs.trim();
    let value = match rhs {
        "true" => 1.0,
        "false" => 0.0,
        _ => rhs
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| {
                anyhow!("--fail-if '{expr}': '{rhs}' is not a number (or true/false); {usage}")
            })?,
    };
    let lhs = lhs.trim();
    let (scope, name) = match lhs.rfind(':') {
        None => (Scope::All, lhs),
        Some(i) => {
            let (s, n) = (lhs[..i].trim(), lhs[i + 1..].trim());
            let scope = if s == "overall" {
                Scope::Overall
            } else if let Some((a, g)) = s.split_once('=') {
                Scope::Group(a.trim().to_string(), g.trim().to_string())
            } else if s.is_empty() {
                bail!("--fail-if '{expr}': empty scope before ':'; {usage}");
            } else {
                Scope::Attribute(s.to_string())
            };
            (scope, n)
        }
    };
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '@')
    {
        bail!("--fail-if '{expr}': '{name}' is not a metric name; {usage}");
    }
    Ok(Gate {
        expression: expr.trim().to_string(),
        scope,
        name: name.to_string(),
        op,
        value,
        boolean: matches!(rhs, "true" | "false"),
    })
}

/// Evaluates every gate against a report. Unknown names and scopes are errors (exit 2).
pub fn evaluate(gates: &[Gate], report: &dyn Gateable) -> Result<Vec<GateResult>> {
    gates
        .iter()
        .map(|g| {
            let obs = report
                .observe(&g.scope, &g.name)
                .map_err(|e| anyhow!("--fail-if '{}': {e}", g.expression))?;
            let failures: Vec<Failure> = obs
                .iter()
                .filter(|o| match &o.value {
                    Ok(v) => g.op.holds(*v, g.value),
                    Err(_) => true,
                })
                .map(|o| Failure {
                    file: o.file.clone(),
                    attribute: o.attribute.clone(),
                    group: o.group.clone(),
                    metric: o.metric.clone(),
                    value: o.value.as_ref().ok().copied(),
                    undefined: o.value.as_ref().err().cloned(),
                    boolean: g.boolean,
                })
                .collect();
            Ok(GateResult {
                expression: g.expression.clone(),
                passed: failures.is_empty(),
                checked: obs.len(),
                failures,
            })
        })
        .collect()
}

/// The verdicts of the same gates evaluated input by input, as one verdict per gate: the values
/// checked added up, the failures of every input in input order.
pub fn merge(per_input: Vec<Vec<GateResult>>) -> Vec<GateResult> {
    let mut out: Vec<GateResult> = Vec::new();
    for results in per_input {
        if out.is_empty() {
            out = results;
            continue;
        }
        for (m, g) in out.iter_mut().zip(results) {
            m.passed &= g.passed;
            m.checked += g.checked;
            m.failures.extend(g.failures);
        }
    }
    out
}

/// One line per failed gate, for standard error.
pub fn failure_lines(results: &[GateResult]) -> Vec<String> {
    results
        .iter()
        .filter(|g| !g.passed)
        .map(|g| {
            let first: Vec<String> = g.failures.iter().take(3).map(Failure::describe).collect();
            let more = if g.failures.len() > 3 {
                format!(" and {} more", g.failures.len() - 3)
            } else {
                String::new()
            };
            format!("gate failed: {} ({}{more})", g.expression, first.join("; "))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_scopes_and_operators() {
        let g = parse("demographic_parity_difference > 0.1").unwrap();
        assert_eq!(g.scope, Scope::All);
        assert_eq!(g.op, Op::Gt);
        assert_eq!(g.value, 0.1);
        let g = parse("race:equalized_odds_ratio<=0.8").unwrap();
        assert_eq!(g.scope, Scope::Attribute("race".into()));
        assert_eq!(g.op, Op::Le);
        let g = parse("race=African-American:fpr >= 0.3").unwrap();
        assert_eq!(
            g.scope,
            Scope::Group("race".into(), "African-American".into())
        );
        assert_eq!(g.name, "fpr");
        assert_eq!(g.op, Op::Ge);
        let g = parse("age_cat=25 - 45:selection_rate != 1").unwrap();
        assert_eq!(g.scope, Scope::Group("age_cat".into(), "25 - 45".into()));
        assert_eq!(g.op, Op::Ne);
        let g = parse("four_fifths_rule_passed == false").unwrap();
        assert_eq!((g.op, g.value), (Op::Eq, 0.0));
        let g = parse("overall:accuracy < 0.7").unwrap();
        assert_eq!(g.scope, Scope::Overall);
    }

    #[test]
    fn rejects_malformed() {
        for bad in [
            "dpd",
            "dpd > ",
            "dpd > abc",
            "> 0.1",
            "dpd >> 1",
            ":dpd > 1",
            "d p d > 1",
            "dpd > inf",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn select_takes_the_broadest_level_in_scope() {
        let num = |level, attribute: Option<&str>, group: Option<&str>, metric: &str, v: f64| {
            let mut n = Number::new("f", level, attribute, group, metric, Ok(v));
            n.interval = Some(Ok([v - 0.1, v + 0.1]));
            n
        };
        let numbers = vec![
            num(Level::Attribute, Some("race"), None, "dpd", 0.2),
            num(Level::Group, Some("race"), Some("a"), "fpr", 0.3),
            num(Level::Group, Some("race"), Some("b"), "fpr", 0.4),
            num(Level::Attribute, Some("sex"), None, "dpd", 0.1),
            num(Level::Overall, None, Some("(overall)"), "fpr", 0.35),
        ];
        let values = |scope: Scope, metric: &str, end| -> Vec<f64> {
            select(&numbers, &scope, metric, end, metric)
                .into_iter()
                .map(|o| o.value.unwrap())
                .collect()
        };
        assert_eq!(values(Scope::All, "dpd", None), [0.2, 0.1]);
        assert_eq!(values(Scope::All, "fpr", None), [0.3, 0.4]);
        assert_eq!(values(Scope::Overall, "fpr", None), [0.35]);
        assert_eq!(
            values(Scope::Attribute("race".into()), "fpr", None),
            [0.3, 0.4]
        );
        assert_eq!(
            values(Scope::Group("race".into(), "b".into()), "fpr", Some(1)),
            [0.5]
        );
        assert!(values(Scope::Attribute("age".into()), "dpd", None).is_empty());
        assert_eq!(interval_end("fpr.lower"), ("fpr", Some(0)));
        assert_eq!(interval_end("a.b"), ("a.b", None));
    }

    #[test]
    fn operators_hold() {
        assert!(Op::Lt.holds(1.0, 2.0) && !Op::Lt.holds(2.0, 2.0));
        assert!(Op::Le.holds(2.0, 2.0) && Op::Ge.holds(2.0, 2.0));
        assert!(Op::Eq.holds(0.0, 0.0) && Op::Ne.holds(0.0, 1.0));
    }
}
