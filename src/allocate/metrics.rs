//! The headline values of an `allocate` report: one typed list, in report order, serialised as
//! today's two JSON objects (`metrics`: name → value, null when undefined; `undefined`: name →
//! why) and read by the gates through the flat view of [`Metrics::numbers`].

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{json, Map, Value as Json};

use crate::gate::{Level, Number};

/// A finite number as JSON; NaN and infinities as null.
pub fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

/// One headline value.
#[derive(Debug, Clone, PartialEq)]
pub enum Figure {
    /// A property holds or not (a gate reads it as 1 or 0: `ef1 == false`).
    Holds(bool),
    /// A count (search nodes, envy pairs, projects), shown as an integer.
    Count(u64),
    /// A number; NaN and infinities are undefined (null).
    Number(f64),
    /// Not defined or not decided.
    Undefined,
}

/// A headline value by its gate name, and why it is undefined when it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    pub name: String,
    pub value: Figure,
    pub why: Option<String>,
}

/// Every headline value of a report, in the order it was set.
#[derive(Debug, Clone, Default)]
pub struct Metrics(pub Vec<Metric>);

impl Metrics {
    /// Sets `name` (in place when it is already there, else at the end).
    pub fn set(&mut self, name: &str, value: Figure) {
        match self.0.iter_mut().find(|m| m.name == name) {
            Some(m) => m.value = value,
            None => self.0.push(Metric {
                name: name.to_string(),
                value,
                why: None,
            }),
        }
    }

    pub fn holds(&mut self, name: &str, b: bool) {
        self.set(name, Figure::Holds(b));
    }

    pub fn count(&mut self, name: &str, n: u64) {
        self.set(name, Figure::Count(n));
    }

    pub fn number(&mut self, name: &str, x: f64) {
        self.set(name, Figure::Number(x));
    }

    /// `name` is undefined, and why.
    pub fn undefined(&mut self, name: &str, why: impl Into<String>) {
        self.set(name, Figure::Undefined);
        self.explain(name, why);
    }

    /// Why `name` (already set) is undefined.
    pub fn explain(&mut self, name: &str, why: impl Into<String>) {
        if let Some(m) = self.0.iter_mut().find(|m| m.name == name) {
            m.why = Some(why.into());
        }
    }

    pub fn get(&self, name: &str) -> Option<&Metric> {
        self.0.iter().find(|m| m.name == name)
    }

    /// The `metrics` object: name → value (booleans for properties, null when undefined).
    pub fn values(&self) -> Map<String, Json> {
        self.0
            .iter()
            .map(|m| {
                let v = match m.value {
                    Figure::Holds(b) => Json::Bool(b),
                    Figure::Count(n) => json!(n),
                    Figure::Number(x) => num(x),
                    Figure::Undefined => Json::Null,
                };
                (m.name.clone(), v)
            })
            .collect()
    }

    /// The `undefined` object: name → why.
    pub fn reasons(&self) -> Map<String, Json> {
        self.0
            .iter()
            .filter_map(|m| Some((m.name.clone(), Json::String(m.why.clone()?))))
            .collect()
    }

    /// The flat view: every value at the input level of `file` (a property as 1 or 0; an
    /// undefined value with why, else "undefined").
    pub fn numbers(&self, file: &str) -> Vec<Number> {
        self.0
            .iter()
            .map(|m| {
                let undefined = || Err(m.why.clone().unwrap_or_else(|| "undefined".into()));
                let value = match m.value {
                    Figure::Holds(b) => Ok(if b { 1.0 } else { 0.0 }),
                    Figure::Count(n) => Ok(n as f64),
                    Figure::Number(x) if x.is_finite() => Ok(x),
                    Figure::Number(_) | Figure::Undefined => undefined(),
                };
                Number::new(file, Level::Input, None, None, &m.name, value)
            })
            .collect()
    }
}

/// Serialised as two entries of the report (flattened into it): `metrics` and `undefined`.
impl Serialize for Metrics {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(2))?;
        map.serialize_entry("metrics", &self.values())?;
        map.serialize_entry("undefined", &self.reasons())?;
        map.end()
    }
}
