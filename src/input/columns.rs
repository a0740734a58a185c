//! Resolving user-given column names against a file's schema, with "did you mean" errors, and
//! detecting conventional column names when a flag is not given.

use anyhow::{bail, Result};
use polars::prelude::Schema;

/// Resolves `wanted` (given with `flag`) to a column of `file`. A name that a CSV header repeats
/// is ambiguous: the error names the `name#k` spellings that select one occurrence.
pub fn resolve_column(
    schema: &Schema,
    wanted: &str,
    flag: &str,
    file: &str,
    duplicate_headers: &[String],
) -> Result<String> {
    if schema.contains(wanted) {
        return Ok(wanted.to_string());
    }
    let names: Vec<&str> = schema.iter_names().map(|s| s.as_str()).collect();
    if duplicate_headers.iter().any(|d| d == wanted) {
        let variants: Vec<&str> = names
            .iter()
            .copied()
            .filter(|n| n.strip_prefix(wanted).is_some_and(|r| r.starts_with('#')))
            .collect();
        bail!(
            "{file}: {flag} '{wanted}' is ambiguous: the header has {} columns of that name; select one as {}",
            variants.len(),
            variants.iter().map(|v| format!("'{v}'")).collect::<Vec<_>>().join(" or ")
        );
    }
    let mut msg = format!("{file}: {flag} column '{}' not found", shown(wanted));
    match closest_name(wanted, &names) {
        Some(best) => msg.push_str(&format!("; did you mean '{}'?", shown(best))),
        None => msg.push('.'),
    }
    msg.push_str(&format!(" Available columns: {}", list(&names)));
    bail!(msg)
}

/// The first column whose name equals (case-insensitively) one of `candidates`, in the
/// candidates' order of preference.
pub fn detect_column(schema: &Schema, candidates: &[&str]) -> Option<String> {
    candidates.iter().find_map(|c| {
        schema
            .iter_names()
            .find(|n| n.as_str().eq_ignore_ascii_case(c))
            .map(|n| n.to_string())
    })
}

/// A name as a one-line message shows it: quoted with escapes when it holds a line break,
/// a tab or another control character.
pub fn shown(name: &str) -> String {
    if name.chars().any(char::is_control) {
        format!("{name:?}")
    } else {
        name.to_string()
    }
}

fn list(names: &[&str]) -> String {
    const MAX: usize = 30;
    let mut s = names
        .iter()
        .take(MAX)
        .map(|n| shown(n))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX {
        s.push_str(&format!(", ... ({} more)", names.len() - MAX));
    }
    s
}

/// The name closest to `wanted`: a case-insensitive match first, then the shortest name that
/// `wanted` abbreviates (a prefix of at least 4 characters), else the smallest edit distance when
/// it is at most a third of the name's length (at least 2).
pub fn closest_name<'a>(wanted: &str, names: &[&'a str]) -> Option<&'a str> {
    if let Some(n) = names.iter().find(|n| n.eq_ignore_ascii_case(wanted)) {
        return Some(n);
    }
    let w = wanted.to_lowercase();
    if w.len() >= 4 {
        if let Some(n) = names
            .iter()
            .filter(|n| n.to_lowercase().starts_with(&w))
            .min_by_key(|n| n.len())
        {
            return Some(n);
        }
    }
    let limit = (w.chars().count() / 3).max(2);
    names
        .iter()
        .map(|n| (levenshtein(&w, &n.to_lowercase()), *n))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance() {
        assert_eq!(levenshtein("race", "rase"), 1);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }

    #[test]
    fn suggests_closest() {
        let names = ["race", "sex", "age_cat"];
        assert_eq!(closest_name("Race", &names), Some("race"));
        assert_eq!(closest_name("rac", &names), Some("race"));
        assert_eq!(closest_name("income", &names), None);
        let m = ["dp_ratio", "dp_difference", "dp_difference_to_overall"];
        assert_eq!(closest_name("dp_diff", &m), Some("dp_difference"));
    }
}
