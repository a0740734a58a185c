//! What every panel writes with: a number as JSON, a value or its reason, a headline number, and
//! percentile bootstrap intervals of named numbers ([`crate::stats::bootstrap::replicates`]).

use std::collections::BTreeMap;

use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map, Value as Json};

use crate::reward::report::RewardInput;
use crate::stats::bootstrap;
use crate::stats::Value;

/// A number as JSON (null when not finite).
pub fn num(x: f64) -> Json {
    serde_json::Number::from_f64(x)
        .map(Json::Number)
        .unwrap_or(Json::Null)
}

/// Puts a value, or null and the reason, into (values, undefined).
pub fn put(m: &mut Map<String, Json>, u: &mut Map<String, Json>, k: &str, v: Value) {
    match v {
        Ok(x) => {
            m.insert(k.into(), num(x));
        }
        Err(why) => {
            m.insert(k.into(), Json::Null);
            u.insert(k.into(), Json::String(why.into()));
        }
    }
}

/// Puts `v` under `panel` (with its reason) and under `prefix.name` in the headline numbers.
pub fn headline(
    r: &mut RewardInput,
    panel: &mut Map<String, Json>,
    u: &mut Map<String, Json>,
    prefix: &str,
    name: &str,
    v: Value,
) {
    put(panel, u, name, v);
    put(
        &mut r.metrics,
        &mut r.undefined,
        &format!("{prefix}.{name}"),
        v,
    );
}

/// Percentile intervals at `level` of each named number over the replicates (non-finite
/// replicate values left out).
pub fn intervals(samples: Vec<Vec<(String, f64)>>, level: f64) -> BTreeMap<String, Json> {
    let mut by_name: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for rep in samples {
        for (k, v) in rep {
            if v.is_finite() {
                by_name.entry(k).or_default().push(v);
            }
        }
    }
    by_name
        .into_iter()
        .map(|(k, mut v)| {
            let (lo, hi) = bootstrap::percentile_interval(&mut v, level);
            (k, json!([num(lo), num(hi)]))
        })
        .collect()
}

/// The percentile intervals of `f`'s named numbers over `reps` seeded replicates
/// ([`bootstrap::replicates`]).
pub fn bootstrap<F>(reps: usize, seed: u64, level: f64, f: F) -> BTreeMap<String, Json>
where
    F: Fn(&mut ChaCha8Rng) -> Vec<(String, f64)> + Sync,
{
    intervals(bootstrap::replicates(reps, seed, |_, rng| f(rng)), level)
}

/// A typed panel's headline value: `v` under `prefix.name` in the headline numbers (with its
/// reason), the reason under `name` in the panel's `undefined`; the value, `None` when undefined.
pub fn headline_value(
    r: &mut RewardInput,
    undefined: &mut Map<String, Json>,
    prefix: &str,
    name: &str,
    v: Value,
) -> Option<f64> {
    let mut ignored = Map::new();
    put(&mut ignored, undefined, name, v);
    put(
        &mut r.metrics,
        &mut r.undefined,
        &format!("{prefix}.{name}"),
        v,
    );
    v.ok()
}
