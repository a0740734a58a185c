//! Participatory budgeting: pabulib `.pb` files read into an [`Election`] (exact rationals),
//! voter satisfaction as pabutools 1.2.3 measures it, and exact numbers shown.

use std::collections::BTreeMap;

use anyhow::{anyhow, bail, Result};
use num_bigint::BigInt;
use num_traits::{One, Zero};

pub use super::rational::Q;

/// A decimal string ("12.5", "1,5", "7") as an exact rational.
pub fn parse_decimal(text: &str) -> Option<Q> {
    let t = text.trim().replace(',', ".");
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest.to_string()),
        None => (false, t),
    };
    let (int, frac) = match t.split_once('.') {
        Some((a, b)) => (a.to_string(), b.to_string()),
        None => (t.clone(), String::new()),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let digits = format!("{int}{frac}");
    let num: BigInt = if digits.is_empty() {
        BigInt::zero()
    } else {
        digits.parse().ok()?
    };
    let den = BigInt::from(10u32).pow(frac.len() as u32);
    let q = Q::new(num, den);
    Some(if neg { -q } else { q })
}

#[derive(Debug, Clone)]
pub struct Project {
    pub id: String,
    pub cost: Q,
    pub name: Option<String>,
    /// The PROJECTS section's `selected` value as written (pabulib: 1 funded, 0 not), when the
    /// section has that column, and the line it is on.
    pub selected: Option<(String, u64)>,
}

/// One ballot: the projects it names with their points (1 for approval and ordinal ballots).
#[derive(Debug, Clone)]
pub struct Ballot {
    pub projects: Vec<(usize, Q)>,
}

#[derive(Debug, Clone)]
pub struct Election {
    pub meta: BTreeMap<String, String>,
    pub projects: Vec<Project>,
    pub budget: Q,
    pub vote_type: String,
    pub ballots: Vec<Ballot>,
    /// The PROJECTS section's header (`project_id`, `cost`, ...).
    pub project_columns: Vec<String>,
    /// What reading noticed (META's num_votes / num_projects disagreeing with the file).
    pub warnings: Vec<String>,
}

/// Reads a pabulib file: META (key;value), PROJECTS (project_id;cost;...), VOTES
/// (voter_id;vote;points...). Errors name the line.
pub fn parse(path: &str) -> Result<Election> {
    let bytes = if path == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)
            .map_err(|e| anyhow!("standard input: cannot read: {e}"))?;
        b
    } else {
        std::fs::read(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => anyhow!("{path}: no such file"),
            _ => anyhow!("{path}: cannot read: {e}"),
        })?
    };
    // The same check of quotes and encoding as CSV inputs get: an unclosed quote would
    // otherwise swallow the rest of the file into one value.
    let shape = crate::input::csv_check::scan(&bytes[..], b';', 0)
        .map_err(|e| anyhow!("{path}: cannot read: {e}"))?;
    if let Some((line, _, byte)) = shape.bad_utf8 {
        bail!("{path}: line {line} is not UTF-8 text (byte 0x{byte:02X}); re-save the file as UTF-8, e.g. `iconv -f cp1250 -t utf-8 FILE > FILE.utf8.pb`");
    }
    if let Some(line) = shape.open_quote {
        bail!("{path}: line {line}: a quoted value (\") opened here is never closed; close it or remove the quote");
    }
    let text = String::from_utf8(bytes).map_err(|_| anyhow!("{path}: not UTF-8 text"))?;
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(b';')
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut section = String::new();
    let mut header: Vec<String> = Vec::new();
    let mut expect_header = false;
    let mut votes_header: Option<(u64, Vec<String>)> = None;
    let mut meta = BTreeMap::new();
    let mut projects: Vec<Project> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    let mut raw_votes: Vec<(usize, BTreeMap<String, String>)> = Vec::new();
    let mut project_columns: Vec<String> = Vec::new();
    let mut seen = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| anyhow!("{path}: {e}"))?;
        let line = rec.position().map_or(0, |p| p.line());
        let row: Vec<String> = rec.iter().map(|s| s.trim().to_string()).collect();
        if row.is_empty() || (row.len() == 1 && row[0].is_empty()) {
            continue;
        }
        let first = row[0].to_lowercase();
        if ["meta", "projects", "votes"].contains(&first.as_str()) {
            section = first;
            seen.push(section.clone());
            expect_header = true;
            continue;
        }
        if expect_header {
            header = row.iter().map(|s| s.to_string()).collect();
            expect_header = false;
            if section == "votes" {
                votes_header = Some((line, header.clone()));
            }
            if section == "projects" {
                project_columns = header.clone();
            }
            continue;
        }
        let field = |k: &str| -> Option<&String> {
            header.iter().position(|h| h == k).and_then(|i| row.get(i))
        };
        match section.as_str() {
            "meta" => {
                meta.insert(row[0].clone(), row.get(1).cloned().unwrap_or_default());
            }
            "projects" => {
                let id = row[0].clone();
                let cost_text = field("cost").ok_or_else(|| {
                    anyhow!("{path}: line {line}: project '{id}' has no cost column")
                })?;
                let cost = parse_decimal(cost_text).ok_or_else(|| {
                    anyhow!("{path}: line {line}: the cost of project '{id}' is '{cost_text}', not a number")
                })?;
                if cost.is_negative() {
                    bail!("{path}: line {line}: the cost of project '{id}' is negative");
                }
                if index.insert(id.clone(), projects.len()).is_some() {
                    bail!("{path}: line {line}: project '{id}' is listed twice");
                }
                let selected = header
                    .iter()
                    .any(|h| h == "selected")
                    .then(|| (field("selected").cloned().unwrap_or_default(), line));
                projects.push(Project {
                    id,
                    cost,
                    name: field("name").cloned(),
                    selected,
                });
            }
            "votes" => {
                let map: BTreeMap<String, String> = header
                    .iter()
                    .cloned()
                    .zip(row.iter().cloned())
                    .filter(|(_, v)| !v.eq_ignore_ascii_case("none"))
                    .collect();
                raw_votes.push((line as usize, map));
            }
            _ => bail!("{path}: line {line}: data before a META, PROJECTS or VOTES section"),
        }
    }
    for s in ["meta", "projects", "votes"] {
        if !seen.iter().any(|x| x == s) {
            bail!(
                "{path}: no {} section; a pabulib file has META, PROJECTS and VOTES",
                s.to_uppercase()
            );
        }
    }
    let budget_text = meta
        .get("budget")
        .ok_or_else(|| anyhow!("{path}: META has no 'budget'"))?;
    let budget = parse_decimal(budget_text)
        .ok_or_else(|| anyhow!("{path}: the budget '{budget_text}' is not a number"))?;
    if budget.is_negative() {
        bail!("{path}: the budget '{budget_text}' is negative");
    }
    let vote_type = meta
        .get("vote_type")
        .cloned()
        .unwrap_or_else(|| "approval".into());
    // A ballot column under another name would read every ballot as empty and fund nothing.
    if let Some((line, h)) = &votes_header {
        let mut need = vec!["vote"];
        if matches!(vote_type.as_str(), "cumulative" | "scoring") {
            need.push("points");
        }
        for col in need {
            if !h.iter().any(|x| x == col) {
                let names: Vec<&str> = h.iter().map(String::as_str).collect();
                let hint = crate::input::closest_name(col, &names)
                    .map(|b| format!("; is '{b}' meant to be '{col}'?"))
                    .unwrap_or_default();
                bail!(
                    "{path}: line {line}: the VOTES section has no '{col}' column (its header: {}){hint}{}",
                    h.join(";"),
                    if col == "points" {
                        format!(" — '{vote_type}' ballots give each project points")
                    } else {
                        String::new()
                    }
                );
            }
        }
    }
    let mut warnings = Vec::new();
    for (key, found, what) in [
        ("num_votes", raw_votes.len(), "votes"),
        ("num_projects", projects.len(), "projects"),
    ] {
        match meta.get(key).map(|v| (v, v.trim().parse::<usize>())) {
            Some((_, Ok(n))) if n != found => warnings.push(format!(
                "META says {key} {n} but the file has {found} {what} (cut short, or edited?)"
            )),
            Some((v, Err(_))) => warnings.push(format!(
                "META's {key} is '{v}', not a count; the file has {found} {what}"
            )),
            _ => {}
        }
    }
    let mut ballots = Vec::new();
    for (line, v) in raw_votes {
        let names: Vec<&str> = v
            .get("vote")
            .map(|s| {
                s.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let lookup = |name: &str| -> Result<usize> {
            index
                .get(name)
                .copied()
                .ok_or_else(|| anyhow!("{path}: line {line}: the vote names project '{name}', which is not in PROJECTS"))
        };
        let mut projects_in = Vec::new();
        match vote_type.as_str() {
            "approval" | "choose-1" | "ordinal" => {
                for n in names {
                    projects_in.push((lookup(n)?, Q::one()));
                }
            }
            "cumulative" | "scoring" => {
                if let Some(points) = v.get("points") {
                    let pts: Vec<&str> = points.split(',').collect();
                    for (k, n) in names.iter().enumerate() {
                        let p = pts.get(k).and_then(|p| parse_decimal(p)).ok_or_else(|| {
                            anyhow!("{path}: line {line}: the points of project '{n}' are missing or not a number")
                        })?;
                        if p.is_negative() {
                            bail!("{path}: line {line}: project '{n}' gets negative points; points are 0 or more");
                        }
                        projects_in.push((lookup(n)?, p));
                    }
                }
            }
            other => bail!("{path}: vote_type '{other}' is not supported (approval, choose-1, ordinal, cumulative, scoring)"),
        }
        ballots.push(Ballot {
            projects: projects_in,
        });
    }
    Ok(Election {
        meta,
        projects,
        budget,
        vote_type,
        ballots,
        project_columns,
        warnings,
    })
}

/// How a voter's satisfaction with a project is measured (pabutools' Cost_Sat, Cardinality_Sat,
/// Additive_Cardinal_Sat).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sat {
    Cost,
    Cardinality,
    Points,
}

impl Election {
    /// sat of ballot b for project p (0 when the ballot does not name it).
    pub fn sat(&self, s: Sat, b: usize, p: usize) -> Q {
        match self.ballots[b].projects.iter().find(|(q, _)| *q == p) {
            None => Q::zero(),
            Some((_, pts)) => match s {
                Sat::Cost => self.projects[p].cost.clone(),
                Sat::Cardinality => Q::one(),
                Sat::Points => pts.clone(),
            },
        }
    }

    /// Project indices by id (pabutools' lexicographic tie-breaking order).
    pub fn id_order(&self) -> Vec<usize> {
        let mut v: Vec<usize> = (0..self.projects.len()).collect();
        v.sort_by(|&a, &b| self.projects[a].id.cmp(&self.projects[b].id));
        v
    }

    pub fn cost_of(&self, sel: &[usize]) -> Q {
        sel.iter()
            .fold(Q::zero(), |acc, &p| acc + &self.projects[p].cost)
    }

    /// No project of `available` outside `sel` fits in the budget that is left.
    pub fn exhaustive(&self, sel: &[usize], available: &[usize]) -> bool {
        let spent = self.cost_of(sel);
        !available
            .iter()
            .any(|p| !sel.contains(p) && &spent + &self.projects[*p].cost <= self.budget)
    }
}

/// Q as a JSON-friendly f64 and an exact string.
pub fn show(q: &Q) -> (f64, String) {
    let (n, d) = q.parts();
    let s = if d == "1" { n } else { format!("{n}/{d}") };
    (q.to_f64(), s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact() {
        assert_eq!(parse_decimal("12.5").unwrap(), Q::new(25.into(), 2.into()));
        assert_eq!(parse_decimal("1,25").unwrap(), Q::new(5.into(), 4.into()));
        assert_eq!(parse_decimal("7").unwrap(), Q::from_integer(7.into()));
        assert!(parse_decimal("abc").is_none());
        assert!(parse_decimal("").is_none());
    }
}
