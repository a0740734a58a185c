//! Decisions by rank (`--top-k` / `--top-fraction`): what was asked for, and the report's
//! account of how the decisions were made (the cut-off of each ranking, the rows tied at it and
//! their groups). The computation is in `topk.rs`; this file holds the types the report and
//! the settings share, and their text rendering.

use std::fmt::Write as _;

use clap::ValueEnum;
use serde::Serialize;

use crate::render::{fmt_num, grid, markdown_text, note_lines};

/// How many rows a ranking selects.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Rank {
    /// `--top-k N`: the N highest scores (N ≥ 1).
    Count(u64),
    /// `--top-fraction P`, 0 < P ≤ 1: the ⌈P·n⌉ highest of the n rows with a score.
    Fraction(f64),
}

/// What happens to rows whose score equals the k-th highest score when the tie crosses rank k
/// (`--ties`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Ties {
    /// Select every row scoring at least the k-th highest score (pandas
    /// `rank(method="min", ascending=False) <= k`): more than k rows when the tie crosses k.
    Include,
    /// Select only rows scoring strictly above a tied k-th score (`rank(method="max",
    /// ascending=False) <= k`): fewer than k rows when the tie crosses k.
    Exclude,
}

impl Ties {
    pub fn name(self) -> &'static str {
        match self {
            Ties::Include => "include",
            Ties::Exclude => "exclude",
        }
    }
}

/// `--top-k` / `--top-fraction`, `--ties` and `--within`, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct TopSpec {
    /// The first gives the main report; several also give a sweep over them.
    pub ranks: Vec<Rank>,
    pub ties: Ties,
    /// `--within COL`: one ranking (and its own k) per value of the column.
    pub within: Option<String>,
}

impl Rank {
    /// How many of `n` ranked rows this asks for: N, or ⌈P·n⌉ (the product within 1e-12 of an
    /// integer counts as that integer, so 0.3 × 10 is 3, not 4).
    pub fn k(self, n: u64) -> u64 {
        match self {
            Rank::Count(k) => k,
            Rank::Fraction(p) => {
                let x = p * n as f64;
                let near = x.round();
                if (x - near).abs() <= 1e-12 * near.max(1.0) {
                    near as u64
                } else {
                    x.ceil() as u64
                }
            }
        }
    }

    /// `top 300` / `top 25%`.
    pub fn label(self) -> String {
        match self {
            Rank::Count(k) => format!("top {k}"),
            Rank::Fraction(p) => format!("top {}%", fmt_pct(p)),
        }
    }
}

/// `p` as a percentage without float noise (0.07 → `7`, 0.125 → `12.5`).
fn fmt_pct(p: f64) -> String {
    let x = ((p * 100.0) * 1e9).round() / 1e9;
    format!("{x}")
}

/// How the decisions of one input were made (`inputs[].decisions` in JSON).
#[derive(Debug, Clone, Serialize)]
pub struct Decisions {
    /// `top_k` or `top_fraction`.
    pub rule: String,
    /// N of `--top-k` (per ranking), or P of `--top-fraction`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_fraction: Option<f64>,
    /// `include` or `exclude` (`--ties`).
    pub ties: String,
    /// The score column ranked (highest first).
    pub score: String,
    /// `--within`: one ranking per value of this column; `null`: one ranking of every row.
    pub within: Option<String>,
    /// Rows ranked (rows with a score), selected, and the weight selected (= rows unweighted).
    pub rows_ranked: u64,
    pub rows_selected: u64,
    pub weight_selected: f64,
    /// Rankings whose cut-off score is shared by rows on both sides of rank k.
    pub rankings_with_tie: u64,
    /// One entry per ranking: the whole input, or each value of `within`.
    pub rankings: Vec<Ranking>,
}

/// One ranking: its k, its cut-off score, what it selected and the rows tied at the cut-off.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    /// The value of the `within` column (`null` for the one ranking of every row).
    pub within: Option<String>,
    /// Rows ranked.
    pub rows: u64,
    /// Rows asked for: N, or ⌈P·rows⌉.
    pub k: u64,
    /// The k-th highest score (the lowest score when k ≥ rows): the cut-off.
    pub cutoff_score: f64,
    /// Whether the cut-off score is shared by rows on both sides of rank k (ranks k and k+1):
    /// only then does `--ties` change the selection.
    pub tie_at_cutoff: bool,
    pub rows_selected: u64,
    pub weight_selected: f64,
    /// Rows scoring exactly the cut-off score, and how many of them were selected.
    pub rows_at_cutoff: u64,
    pub rows_at_cutoff_selected: u64,
    /// Per sensitive attribute and group: the rows at the cut-off score (groups with none are
    /// left out).
    pub at_cutoff_by_group: Vec<TiedGroup>,
}

/// The rows of one group at a ranking's cut-off score.
#[derive(Debug, Clone, Serialize)]
pub struct TiedGroup {
    pub attribute: String,
    pub group: String,
    pub rows: u64,
    pub selected: u64,
}

impl Decisions {
    /// `decisions: top 300 of `score`, ties at the cut-off included`, for the input line.
    pub fn summary(&self) -> String {
        format!("decisions: {}", self.rule_text())
    }

    /// `top 300 of `score`, ties at the cut-off included`.
    pub fn rule_text(&self) -> String {
        let rank = match (self.top_k, self.top_fraction) {
            (Some(k), _) => Rank::Count(k),
            (None, Some(p)) => Rank::Fraction(p),
            (None, None) => Rank::Count(0),
        };
        let within = self
            .within
            .as_ref()
            .map(|w| format!(" within each `{w}`"))
            .unwrap_or_default();
        format!(
            "{} of `{}`{within}, ties at the cut-off {}d",
            rank.label(),
            self.score,
            self.ties
        )
    }
}

/// The text (or Markdown) table of one input's rankings.
pub fn text(file: Option<&str>, d: &Decisions, markdown: bool) -> String {
    let mut out = String::new();
    let title = match file {
        Some(f) => format!("Decisions by rank — {f}"),
        None => "Decisions by rank".to_string(),
    };
    if markdown {
        let _ = writeln!(out, "## {}\n", markdown_text(&title));
    } else {
        let _ = writeln!(out, "{title}");
    }
    let within = d.within.is_some();
    let mut header: Vec<String> = Vec::new();
    if within {
        header.push(d.within.clone().unwrap_or_default());
    }
    header.extend(
        [
            "rows",
            "k",
            "cut-off score",
            "selected",
            "at cut-off",
            "tie",
            "at cut-off by group (selected/rows)",
        ]
        .map(String::from),
    );
    let rows: Vec<Vec<String>> = d
        .rankings
        .iter()
        .map(|r| {
            let mut row = Vec::new();
            if within {
                row.push(r.within.clone().unwrap_or_default());
            }
            row.push(r.rows.to_string());
            row.push(r.k.to_string());
            row.push(format!("{}", r.cutoff_score));
            row.push(r.rows_selected.to_string());
            row.push(r.rows_at_cutoff.to_string());
            row.push(if r.tie_at_cutoff { "yes" } else { "no" }.to_string());
            row.push(by_group(&r.at_cutoff_by_group));
            row
        })
        .collect();
    out.push_str(&grid(&header, &rows, markdown, &[], usize::from(within)));
    let mut notes = vec![
        format!(
            "{} of {} ranked rows selected (weight {})",
            d.rows_selected,
            d.rows_ranked,
            fmt_num(Some(d.weight_selected))
        ),
        "k = rows asked for; cut-off score = the k-th highest score".to_string(),
        match d.ties.as_str() {
            "include" => "tie = rows at the cut-off score on both sides of rank k: all selected (--ties include)".to_string(),
            _ => "tie = rows at the cut-off score on both sides of rank k: none selected (--ties exclude)".to_string(),
        },
    ];
    if d.top_fraction.is_some() {
        notes.push("k = ⌈fraction × rows⌉ of each ranking".into());
    }
    out.push_str(&note_lines(&notes, markdown));
    out.push('\n');
    out
}

/// `race: Asian 0/9, White 0/11; sex: Female 0/9` (selected / rows at the cut-off score).
fn by_group(groups: &[TiedGroup]) -> String {
    let mut out = String::new();
    let mut last: Option<&str> = None;
    for g in groups {
        if last != Some(g.attribute.as_str()) {
            if last.is_some() {
                out.push_str("; ");
            }
            let _ = write!(out, "{}: ", g.attribute);
            last = Some(&g.attribute);
        } else {
            out.push_str(", ");
        }
        let _ = write!(out, "{} {}/{}", g.group, g.selected, g.rows);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_a_fraction() {
        assert_eq!(Rank::Fraction(0.3).k(10), 3);
        assert_eq!(Rank::Fraction(0.25).k(10), 3);
        assert_eq!(Rank::Fraction(0.01).k(10), 1);
        assert_eq!(Rank::Fraction(1.0).k(7), 7);
        assert_eq!(Rank::Fraction(0.07).k(100), 7);
        assert_eq!(Rank::Count(5).k(3), 5);
        assert_eq!(Rank::Fraction(0.125).label(), "top 12.5%");
    }
}
