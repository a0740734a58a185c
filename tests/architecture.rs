//! The dependency rule of docs/architecture.md, checked on the source:
//! `main → project → cli → engines → {input, stats, render, gate}`; engines never import `cli` or each
//! other; `render`, `gate`, `input` and `stats` import no engine; and no import cycle between
//! any two source files (a `mod.rs` is a file like the others: its children do not import it
//! back).
//!
//! Imports are read from the text: every `crate::…` and `super::…` path (with `{…}` groups) outside
//! `#[cfg(test)]` modules, resolved to the longest module path that is a file.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const ENGINES: [&str; 5] = [
    "fairness",
    "reward",
    "allocate",
    "ranking",
    "counterfactual",
];

/// Which top-level modules each top-level module may import.
fn allowed(from: &str, to: &str) -> bool {
    match from {
        "main" => true,
        "project" => to != "main",
        "cli" => !["main", "project"].contains(&to),
        e if ENGINES.contains(&e) => ["input", "stats", "render", "gate"].contains(&to),
        "render" => ["gate", "stats", "input"].contains(&to),
        "gate" => ["stats"].contains(&to),
        "input" => ["stats"].contains(&to),
        "stats" => false,
        other => panic!("unknown top-level module '{other}': add it to tests/architecture.rs"),
    }
}

/// Module path (`reward::load`, `fairness` for fairness/mod.rs, `main`) → source text without its
/// test modules.
fn modules() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let p = entry.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().and_then(|e| e.to_str()) != Some("rs") {
                continue;
            }
            let rel = p.strip_prefix(&root).unwrap().with_extension("");
            let mut parts: Vec<String> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().map(String::as_str) == Some("mod") {
                parts.pop();
            }
            if parts == ["lib"] {
                continue;
            }
            let text = std::fs::read_to_string(&p).unwrap();
            out.insert(parts.join("::"), strip_tests(&text));
        }
    }
    out
}

/// The text before the first `#[cfg(test)]` that opens a module, and comments removed.
fn strip_tests(text: &str) -> String {
    let mut cut = text.len();
    let mut from = 0;
    while let Some(i) = text[from..].find("#[cfg(test)]") {
        let at = from + i;
        let rest = text[at + 12..].trim_start();
        if rest.starts_with("mod ") {
            cut = at;
            break;
        }
        from = at + 12;
    }
    text[..cut]
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every path that starts with `crate::` or `super::`, `{…}` groups expanded.
fn paths(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let starts = |w: &str| chars[i..].iter().take(w.len()).copied().eq(w.chars());
        let boundary = i == 0 || !is_ident(chars[i - 1]) && chars[i - 1] != ':';
        if boundary && (starts("crate::") || starts("super::")) {
            let (list, end) = parse_path(&chars, i, String::new());
            out.extend(list);
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// Parses `a::b::{c, d::e}` from position `i`; returns the expanded paths and the end.
fn parse_path(chars: &[char], mut i: usize, prefix: String) -> (Vec<String>, usize) {
    let mut path = prefix;
    loop {
        let start = i;
        while i < chars.len() && is_ident(chars[i]) {
            i += 1;
        }
        let seg: String = chars[start..i].iter().collect();
        if !seg.is_empty() {
            if !path.is_empty() {
                path.push_str("::");
            }
            path.push_str(&seg);
        }
        if i + 1 < chars.len() && chars[i] == ':' && chars[i + 1] == ':' {
            i += 2;
            if i < chars.len() && chars[i] == '{' {
                // A group: each item is a path below `path`.
                i += 1;
                let mut out = Vec::new();
                loop {
                    while i < chars.len() && (chars[i].is_whitespace() || chars[i] == ',') {
                        i += 1;
                    }
                    if i >= chars.len() || chars[i] == '}' {
                        return (out, i + 1);
                    }
                    let (list, end) = parse_path(chars, i, path.clone());
                    out.extend(list);
                    i = end;
                    // Skip `as name` and anything else up to the next item.
                    while i < chars.len() && chars[i] != ',' && chars[i] != '}' {
                        i += 1;
                    }
                }
            }
            continue;
        }
        return (vec![path], i);
    }
}

/// The file module a path names: `super` resolved against `from`, then the longest prefix that is
/// a module. `None` for external crates.
fn resolve(path: &str, from: &str, mods: &BTreeMap<String, String>) -> Option<String> {
    let mut segs: Vec<&str> = path.split("::").collect();
    let mut base: Vec<&str> = if from == "main" {
        vec![]
    } else {
        from.split("::").collect()
    };
    // `super` is the parent module, whether the module is a file or a folder's mod.rs.
    base.pop();
    match segs.first() {
        Some(&"crate") => {
            segs.remove(0);
            base.clear();
        }
        Some(&"super") => {
            segs.remove(0);
            while segs.first() == Some(&"super") {
                segs.remove(0);
                base.pop();
            }
        }
        _ => return None,
    }
    let full: Vec<&str> = base.into_iter().chain(segs).collect();
    (1..=full.len())
        .rev()
        .map(|k| full[..k].join("::"))
        .find(|m| mods.contains_key(m))
}

/// Every import edge between file modules.
fn edges() -> BTreeMap<String, BTreeSet<String>> {
    let mods = modules();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, text) in &mods {
        for p in paths(text) {
            if let Some(t) = resolve(&p, m, &mods) {
                if &t != m {
                    out.entry(m.clone()).or_default().insert(t);
                }
            }
        }
    }
    out
}

fn top(m: &str) -> &str {
    m.split("::").next().unwrap()
}

#[test]
fn the_layers_hold() {
    let mut broken = Vec::new();
    for (from, tos) in edges() {
        for to in tos {
            let (a, b) = (top(&from), top(&to));
            if a != b && !allowed(a, b) {
                broken.push(format!("{from} imports {to}"));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "imports against the dependency rule (docs/architecture.md):\n  {}",
        broken.join("\n  ")
    );
}

#[test]
fn no_import_cycles_between_files() {
    let g = edges();
    // Tarjan's strongly connected components.
    struct State<'a> {
        g: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<String, usize>,
        low: BTreeMap<String, usize>,
        stack: Vec<String>,
        on: BTreeSet<String>,
        next: usize,
        cycles: Vec<Vec<String>>,
    }
    fn visit(s: &mut State, v: &str) {
        s.index.insert(v.to_string(), s.next);
        s.low.insert(v.to_string(), s.next);
        s.next += 1;
        s.stack.push(v.to_string());
        s.on.insert(v.to_string());
        let targets: Vec<String> =
            s.g.get(v)
                .map(|t| t.iter().cloned().collect())
                .unwrap_or_default();
        for w in targets {
            if !s.index.contains_key(&w) {
                visit(s, &w);
                let lw = s.low[&w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if s.on.contains(&w) {
                let iw = s.index[&w];
                let lv = s.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if s.low[v] == s.index[v] {
            let mut comp = Vec::new();
            loop {
                let w = s.stack.pop().unwrap();
                s.on.remove(&w);
                let done = w == v;
                comp.push(w);
                if done {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                s.cycles.push(comp);
            }
        }
    }
    let mut s = State {
        g: &g,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        cycles: Vec::new(),
    };
    let nodes: Vec<String> = g.keys().cloned().collect();
    for v in nodes {
        if !s.index.contains_key(&v) {
            visit(&mut s, &v);
        }
    }
    let text: Vec<String> = s.cycles.iter().map(|c| c.join(" ↔ ")).collect();
    assert!(
        s.cycles.is_empty(),
        "files that import each other (directly or around a loop):\n  {}",
        text.join("\n  ")
    );
}

#[test]
fn the_reader_sees_what_it_should() {
    // The checker itself: a group import, a `super` from a file and from a folder's mod.rs.
    let p = paths("use crate::stats::{bootstrap, Value};\nuse super::load::{Pairs, x as y};");
    assert_eq!(
        p,
        [
            "crate::stats::bootstrap",
            "crate::stats::Value",
            "super::load::Pairs",
            "super::load::x"
        ]
    );
    let mods: BTreeMap<String, String> = ["reward", "reward::load", "stats", "stats::bootstrap"]
        .iter()
        .map(|m| (m.to_string(), String::new()))
        .collect();
    assert_eq!(
        resolve("super::load::Pairs", "reward::panels", &mods).as_deref(),
        Some("reward::load")
    );
    assert_eq!(
        resolve("super::Thing", "reward::panels", &mods).as_deref(),
        Some("reward")
    );
    assert_eq!(
        resolve("crate::stats::bootstrap::replicates", "reward", &mods).as_deref(),
        Some("stats::bootstrap")
    );
    assert_eq!(
        resolve("crate::stats::Value", "reward", &mods).as_deref(),
        Some("stats")
    );
}
