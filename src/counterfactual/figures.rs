//! An ordered set of named numbers, each defined or undefined with its reason, with an
//! optional bootstrap interval: what one scope of the report (a variant value, an attribute,
//! all pairs, a prompt) holds. Serialised as `metrics` (name → value or null), `undefined`
//! (name → why), `intervals` (name → [lower, upper], with --bootstrap) and `details` (the id
//! or pair a number refers to).

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value as Json};

#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    pub name: String,
    pub value: Result<f64, String>,
    pub interval: Option<Result<[f64; 2], String>>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Figures {
    pub list: Vec<Figure>,
    /// Which id or pair of values a number refers to (`max_abs_delta_id`,
    /// `strict_parity_between`).
    pub details: Map<String, Json>,
}

impl Figures {
    pub fn set(&mut self, name: &str, value: Result<f64, &str>) {
        self.list.push(Figure {
            name: name.to_string(),
            value: value.map_err(str::to_string),
            interval: None,
        });
    }

    pub fn count(&mut self, name: &str, n: u64) {
        self.set(name, Ok(n as f64));
    }

    /// k / n, undefined (with `why`) when n = 0.
    pub fn ratio(&mut self, name: &str, k: f64, n: f64, why: &str) {
        self.set(name, if n > 0.0 { Ok(k / n) } else { Err(why) });
    }

    pub fn get(&self, name: &str) -> Option<&Result<f64, String>> {
        self.list.iter().find(|f| f.name == name).map(|f| &f.value)
    }

    pub fn detail(&mut self, name: &str, v: Json) {
        self.details.insert(name.to_string(), v);
    }
}

impl Serialize for Figures {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut metrics = Map::new();
        let mut undefined = Map::new();
        let mut intervals = Map::new();
        for f in &self.list {
            match &f.value {
                Ok(v) => {
                    metrics.insert(f.name.clone(), json_number(*v));
                }
                Err(why) => {
                    metrics.insert(f.name.clone(), Json::Null);
                    undefined.insert(f.name.clone(), Json::String(why.clone()));
                }
            }
            match &f.interval {
                Some(Ok([lo, hi])) => {
                    intervals.insert(
                        f.name.clone(),
                        Json::Array(vec![json_number(*lo), json_number(*hi)]),
                    );
                }
                Some(Err(why)) => {
                    intervals.insert(f.name.clone(), Json::Null);
                    undefined.insert(format!("{}.interval", f.name), Json::String(why.clone()));
                }
                None => {}
            }
        }
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("metrics", &metrics)?;
        m.serialize_entry("undefined", &undefined)?;
        if !intervals.is_empty() {
            m.serialize_entry("intervals", &intervals)?;
        }
        if !self.details.is_empty() {
            m.serialize_entry("details", &self.details)?;
        }
        m.end()
    }
}

/// A number as JSON: whole counts as integers.
pub fn json_number(v: f64) -> Json {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Json::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
    }
}
