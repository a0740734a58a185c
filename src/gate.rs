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
    /// suggestion).
    fn observe(&self, scope: &Scope, name: &str) -> Result<Vec<Observation>>;
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
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
    {
        bail!("--fail-if '{expr}': '{name}' is not a metric name; {usage}");
    }
    Ok(Gate {
        expression: expr.trim().to_string(),
        scope,
        name: name.to_string(),
        op,
        value,
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
    fn operators_hold() {
        assert!(Op::Lt.holds(1.0, 2.0) && !Op::Lt.holds(2.0, 2.0));
        assert!(Op::Le.holds(2.0, 2.0) && Op::Ge.holds(2.0, 2.0));
        assert!(Op::Eq.holds(0.0, 0.0) && Op::Ne.holds(0.0, 1.0));
    }
}
