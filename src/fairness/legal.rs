//! The legal audit formats of `--preset`: NYC Local Law 144's bias-audit tables and the EEOC
//! Uniform Guidelines' adverse-impact analysis. The view is built from the finished report by
//! `presets.rs` (which reads the report model; this file does not, so the report can render
//! it); here are its types and its text / Markdown tables. Sources: docs/metrics.md ("Legal
//! presets").

use std::fmt::Write as _;

use serde::Serialize;

use crate::render::{fmt_amount, fmt_count, fmt_num, grid, markdown_text, note_lines};

/// NYC LL144's rule, as the report cites it.
pub const LL144_SOURCE: &str = "NYC Local Law 144 of 2021 (Admin. Code §20-870 ff.); DCWP rules 6 RCNY §5-300 (definitions: selection rate, scoring rate, impact ratio) and §5-301 (bias audit), adopted 2023";
/// The EEOC's Uniform Guidelines, as the report cites them.
pub const EEOC_SOURCE: &str = "Uniform Guidelines on Employee Selection Procedures (1978), 29 CFR §1607.4(D) (four-fifths rule; smaller differences may still be significant, statistically and practically); significance: pooled two-proportion z-test (|z| > 1.96, the courts' \"two standard deviations\") and Fisher's exact test";

/// The `legal` section of the report (`--preset`).
#[derive(Debug, Clone, Serialize)]
pub struct LegalView {
    /// `ll144` or `eeoc`.
    pub preset: String,
    pub source: String,
    /// `selection_rate`, or `scoring_rate` (LL144 with a score: the share of a category scoring
    /// above the median score of the whole sample).
    pub rate: String,
    /// Per input: its unknown individuals and (LL144 scoring) its median score.
    pub inputs: Vec<LegalInput>,
    /// `--exclude-below`: the share under which a category is left out of the impact ratios.
    pub exclude_below: Option<f64>,
    pub tables: Vec<LegalTable>,
}

/// What the rule asks of each input (each file is audited as its own sample).
#[derive(Debug, Clone, Serialize)]
pub struct LegalInput {
    pub file: String,
    /// Individuals not included in the calculations because a category of theirs is unknown
    /// (a missing sex or race / ethnicity): the unknown groups of the input's last unit.
    pub unknown_individuals: u64,
    /// LL144 scoring: the median score of every row of the input with a score (the full
    /// sample, unknown categories included); `null` for selection rates.
    pub median_score: Option<f64>,
}

/// One attribute (or intersection) of one input.
#[derive(Debug, Clone, Serialize)]
pub struct LegalTable {
    pub file: String,
    pub attribute: String,
    /// The category the impact ratios divide by.
    pub most_selected_group: Option<String>,
    /// Individuals in an unknown category of this attribute (not in the rows below).
    pub unknown: u64,
    pub rows: Vec<LegalRow>,
}

/// One category: counts, rate, impact ratio; with `--preset eeoc` the tests and shortfalls.
/// `null` where undefined (the report's `attributes[].groups[].undefined` says why) or where
/// the category is left out (`excluded` says why).
#[derive(Debug, Clone, Serialize)]
pub struct LegalRow {
    pub category: String,
    pub applicants: u64,
    pub selected: u64,
    pub rate: Option<f64>,
    pub impact_ratio: Option<f64>,
    /// Why the category is left out of the impact ratios (under `--exclude-below`).
    pub excluded: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eeoc: Option<EeocFigures>,
}

/// A group's adverse-impact figures against the most-selected group (`--preset eeoc`).
#[derive(Debug, Clone, Serialize)]
pub struct EeocFigures {
    pub z_statistic: Option<f64>,
    pub z_test_p_value: Option<f64>,
    pub fisher_exact_p_value: Option<f64>,
    pub shortfall_to_parity: Option<f64>,
    pub shortfall_to_four_fifths: Option<f64>,
    /// Impact ratio under four fifths: adverse impact indicated (§1607.4(D)).
    pub below_four_fifths: Option<bool>,
    /// Both tests significant at the 5% level (two-sided).
    pub statistically_significant: Option<bool>,
}

/// A rate as the tables show it.
fn pct(v: Option<f64>) -> String {
    fmt_num(v)
}

/// The view as text or Markdown: one table per attribute, then the notes the rule asks for.
pub fn text(v: &LegalView, many_files: bool, markdown: bool) -> String {
    let mut out = String::new();
    let title = match v.preset.as_str() {
        "ll144" => "NYC Local Law 144 bias audit",
        _ => "EEOC adverse impact analysis (Uniform Guidelines)",
    };
    if markdown {
        let _ = writeln!(out, "## {title}\n");
    } else {
        let _ = writeln!(out, "{title}");
    }
    let scoring = v.rate == "scoring_rate";
    let rate_head = if scoring {
        "scoring rate"
    } else {
        "selection rate"
    };
    let count_head = if scoring { "above median" } else { "selected" };
    for t in &v.tables {
        let mut name = format!("{} categories", t.attribute.replace('&', " × "));
        if many_files {
            name = format!("{name} — {}", t.file);
        }
        if markdown {
            let _ = writeln!(out, "\n### {}\n", markdown_text(&name));
        } else {
            let _ = writeln!(out, "\n{name}");
        }
        let eeoc = v.preset == "eeoc";
        // The EEOC table is wide: short headers, explained under it.
        let mut header: Vec<String> = if eeoc {
            ["category", "n", "selected", "rate", "IR"]
                .map(String::from)
                .to_vec()
        } else {
            vec![
                "category".into(),
                "applicants".into(),
                count_head.into(),
                rate_head.into(),
                "impact ratio".into(),
            ]
        };
        if eeoc {
            header.extend(["z p", "fisher p", "short⅘", "finding"].map(String::from));
        }
        let mut rows = Vec::new();
        let mut excluded = Vec::new();
        for r in &t.rows {
            let mut row = vec![
                r.category.clone(),
                fmt_count(r.applicants),
                fmt_count(r.selected),
                pct(r.rate),
                match &r.excluded {
                    Some(_) => "excluded".into(),
                    None => fmt_num(r.impact_ratio),
                },
            ];
            if let Some(why) = &r.excluded {
                excluded.push(format!(
                    "{} left out of the impact ratios ({why}): {} applicants, {rate_head} {}",
                    r.category,
                    fmt_count(r.applicants),
                    pct(r.rate)
                ));
            }
            if let Some(e) = r.eeoc.as_ref().filter(|_| eeoc) {
                let p = crate::render::fmt_p;
                let finding = match (e.below_four_fifths, e.statistically_significant) {
                    (Some(true), Some(true)) => "4/5 + sig.",
                    (Some(true), _) => "4/5",
                    (Some(false), Some(true)) => "sig.",
                    (None, _) if t.most_selected_group.as_deref() == Some(&r.category) => {
                        "reference"
                    }
                    _ => "",
                };
                // z and the shortfall to parity: in the JSON, CSV and HTML (the table fits 100
                // columns without them).
                row.extend([
                    p(e.z_test_p_value),
                    p(e.fisher_exact_p_value),
                    fmt_amount(e.shortfall_to_four_fifths),
                    finding.to_string(),
                ]);
            }
            rows.push(row);
        }
        out.push_str(&grid(&header, &rows, markdown, &[], 0));
        let mut notes = Vec::new();
        if let Some(m) = &t.most_selected_group {
            notes.push(format!(
                "impact ratio = {rate_head} / the rate of {m}, the highest"
            ));
        }
        notes.extend(excluded);
        if t.unknown > 0 {
            notes.push(format!(
                "{} individuals in an unknown category are not included",
                fmt_count(t.unknown)
            ));
        }
        out.push_str(&note_lines(&notes, markdown));
    }
    let mut notes = Vec::new();
    for u in &v.inputs {
        let file = if many_files {
            format!("{}: ", u.file)
        } else {
            String::new()
        };
        if let Some(m) = u.median_score {
            notes.push(format!(
                "{file}scoring rate = share of a category scoring above the median score of the full sample ({})",
                fmt_num(Some(m))
            ));
        }
        notes.push(if v.preset == "ll144" {
            format!(
                "{file}{} individuals assessed are not included in the calculations because they fall within an unknown category",
                fmt_count(u.unknown_individuals)
            )
        } else {
            format!(
                "{file}{} rows with an unknown category are left out of the comparisons",
                fmt_count(u.unknown_individuals)
            )
        });
    }
    if v.preset == "eeoc" {
        notes.push("finding (adverse impact indicated): 4/5 = impact ratio under 0.8; sig. = z-test and Fisher's exact test both p < 0.05 (two-sided); reference = the most-selected group".into());
    }
    notes.push(format!("source: {}", v.source));
    out.push('\n');
    out.push_str(&note_lines(&notes, markdown));
    out.push('\n');
    out
}
