//! `allocate pb`: the outcome of a participatory-budgeting election under a rule (or as given
//! with `--outcome IDS`, or as the file records it with `--outcome selected`), its cost against the budget, its proportionality (EJR / PJR,
//! priceability, fair share) and the voters' satisfaction.

use anyhow::{bail, Result};

use super::analysis;
use super::mes::MesRun;
use super::parse::{self, show, Election, Sat, Q};
use super::rules;
use crate::allocate::metrics::Figure;
use crate::allocate::report::{AllocateReport, Property};
use crate::allocate::settings::{PbOutcome, PbRule, PbSat, PbSettings};
use crate::allocate::tables::{
    ChartData, Funded, Input, Outcome, PbChartData, ProjectPoint, SatisfactionHistogram,
};
use crate::render::Warning;

/// The report of `allocate pb` on one election (`file`, a path or `-`).
pub fn report(a: &PbSettings, file: &str) -> Result<AllocateReport> {
    let e = parse::parse(file)?;
    let sat = satisfaction(&e, a, file)?;
    let mut r = AllocateReport::new("pb");
    for w in &e.warnings {
        r.warnings.push(Warning::new(file, None, w.clone()));
    }
    let (budget, budget_text) = show(&e.budget);
    r.input = Input::Pb {
        path: file.to_string(),
        projects: e.projects.len(),
        voters: e.ballots.len(),
        vote_type: e.vote_type.clone(),
    };
    r.settings.satisfaction = Some(match sat {
        Sat::Cost => "cost",
        Sat::Cardinality => "cardinality",
        Sat::Points => "points",
    });
    let (selected, mes_run) = match &a.outcome {
        PbOutcome::Given(ids) => {
            r.settings.outcome = Some("given (--outcome)");
            (given_outcome(&e, ids, file)?, None)
        }
        PbOutcome::Selected => {
            r.settings.outcome = Some("recorded in the file (--outcome selected)");
            (recorded_outcome(&e, file)?, None)
        }
        PbOutcome::Rule => computed_outcome(&mut r, &e, sat, a, file)?,
    };
    let spent = e.cost_of(&selected);
    let all: Vec<usize> = (0..e.projects.len()).collect();
    r.allocation = Outcome::Projects(
        selected
            .iter()
            .enumerate()
            .map(|(k, &p)| {
                let (cost, cost_exact) = show(&e.projects[p].cost);
                Funded {
                    order: k + 1,
                    project: e.projects[p].id.clone(),
                    name: e.projects[p].name.clone(),
                    cost,
                    cost_exact,
                }
            })
            .collect(),
    );
    let (spent_f, spent_text) = show(&spent);
    r.metrics.count("projects_selected", selected.len() as u64);
    r.metrics.number("cost", spent_f);
    r.metrics.number("budget", budget);
    if budget > 0.0 {
        r.metrics.number("budget_share_spent", spent_f / budget);
    } else {
        r.metrics
            .undefined("budget_share_spent", "the budget is 0: no share of it");
    }
    r.metrics.holds("feasible", spent <= e.budget);
    r.metrics.holds("exhaustive", e.exhaustive(&selected, &all));
    r.settings.budget_exact = Some(budget_text);
    r.settings.cost_exact = Some(spent_text);
    proportionality(&mut r, &e, sat, &selected, mes_run.as_ref(), a.jr_limit);
    fair_share(&mut r, &e, &selected, file);
    let sats = voter_satisfaction(&e, sat, &selected);
    satisfaction_metrics(&mut r, &sats);
    if a.output.wants_charts() {
        r.chart_data = Some(chart_data(&e, &selected, &sats));
    }
    Ok(r)
}

/// The satisfaction measure: `--satisfaction`, else points for cumulative and scoring ballots
/// and cost otherwise (points need cardinal ballots).
fn satisfaction(e: &Election, a: &PbSettings, file: &str) -> Result<Sat> {
    let cardinal = matches!(e.vote_type.as_str(), "cumulative" | "scoring");
    Ok(match a.satisfaction {
        Some(PbSat::Cost) => Sat::Cost,
        Some(PbSat::Cardinality) => Sat::Cardinality,
        Some(PbSat::Points) => {
            if !cardinal {
                bail!("{file}: --satisfaction points needs cumulative or scoring ballots; this election has '{}' ballots", e.vote_type);
            }
            Sat::Points
        }
        None if cardinal => Sat::Points,
        None => Sat::Cost,
    })
}

/// The projects of `--outcome IDS`, each a project of the election, none twice.
fn given_outcome(e: &Election, ids: &[String], file: &str) -> Result<Vec<usize>> {
    let mut v = Vec::new();
    for id in ids {
        let Some(p) = e.projects.iter().position(|p| p.id == id.trim()) else {
            let known: Vec<&str> = e.projects.iter().map(|p| p.id.as_str()).collect();
            let hint = crate::input::closest_name(id, &known)
                .map(|c| format!(" (did you mean '{c}'?)"))
                .unwrap_or_default();
            bail!("--outcome: project '{id}' is not in {file}{hint}");
        };
        if v.contains(&p) {
            bail!("--outcome: project '{id}' is listed twice");
        }
        v.push(p);
    }
    Ok(v)
}

/// `--outcome selected`: the projects the PROJECTS section marks `selected` 1 (pabulib: 1 funded,
/// 0 not), in file order. A file without the column, or with another value, is an error that
/// names the file (and the line).
fn recorded_outcome(e: &Election, file: &str) -> Result<Vec<usize>> {
    if !e.project_columns.iter().any(|c| c == "selected") {
        bail!(
            "{file}: --outcome selected reads the PROJECTS section's `selected` column, and this file has none (its columns: {}); list the funded projects with --outcome IDS, or compute an outcome with --rule",
            e.project_columns.join(", ")
        );
    }
    let mut v = Vec::new();
    for (i, p) in e.projects.iter().enumerate() {
        let (value, line) = p.selected.clone().unwrap_or_default();
        match value.trim() {
            "1" => v.push(i),
            "0" => {}
            other => bail!(
                "{file}: line {line}: project '{}' has selected '{other}'; --outcome selected reads 1 (funded) and 0 (not funded)",
                p.id
            ),
        }
    }
    Ok(v)
}

/// The outcome of `--rule` (with `--completion` for MES), and the MES run whose payments
/// certify priceability.
fn computed_outcome(
    r: &mut AllocateReport,
    e: &Election,
    sat: Sat,
    a: &PbSettings,
    file: &str,
) -> Result<(Vec<usize>, Option<MesRun>)> {
    r.settings.rule = Some(a.rule.name());
    Ok(match a.rule {
        PbRule::Greedy => (rules::greedy(e, sat, &[]), None),
        PbRule::Phragmen => (
            rules::phragmen(e).map_err(|x| anyhow::anyhow!("{file}: {x}"))?,
            None,
        ),
        PbRule::Mes => {
            r.settings.completion = Some(a.completion.name());
            let run = rules::mes_run(e, sat, a.completion.add1());
            let out = run.selected.clone();
            let selected = if a.completion.greedy() {
                rules::complete_greedy(e, sat, out)
            } else {
                out
            };
            (selected, Some(run))
        }
    })
}

/// EJR / PJR (exact within `jr_limit` search nodes) and priceability (certified by the MES
/// run's own payments when it produced the outcome), as properties and metrics.
fn proportionality(
    r: &mut AllocateReport,
    e: &Election,
    sat: Sat,
    selected: &[usize],
    mes_run: Option<&MesRun>,
    jr_limit: u64,
) {
    let mut props = analysis::justified(e, sat, selected, jr_limit);
    props.push(match mes_run {
        Some(run) if run.selected == selected => {
            let (v, text) = show(&run.per_voter);
            r.settings.voter_budget = Some(v);
            r.settings.voter_budget_exact = Some(text);
            analysis::priceable(e, sat, run)
        }
        Some(_) => Property {
            name: "priceable".into(),
            holds: None,
            witness: None,
            note: Some("not decided: the greedy completion added projects no MES payment covers".into()),
        },
        None => Property {
            name: "priceable".into(),
            holds: None,
            witness: None,
            note: Some("not decided: certified from an MES outcome's own payments (--rule mes); other outcomes would need a linear program".into()),
        },
    });
    for p in &props {
        match (p.holds, &p.note) {
            (Some(b), _) => r.metrics.holds(&p.name, b),
            (None, Some(note)) => r.metrics.undefined(&p.name, note.clone()),
            (None, None) => r.metrics.set(&p.name, Figure::Undefined),
        }
    }
    r.properties = props;
}

/// The fair-share metrics (approval ballots with at least one non-empty ballot).
fn fair_share(r: &mut AllocateReport, e: &Election, selected: &[usize], file: &str) {
    match analysis::fair_share(e, selected) {
        Some((ratio, dist, reached, empty)) => {
            r.metrics.number("fair_share.capped_ratio", ratio);
            r.metrics.number("fair_share.normalised_distance", dist);
            r.metrics.number("fair_share.voters_reaching", reached);
            if empty > 0 {
                r.warnings.push(Warning::new(
                    file,
                    None,
                    format!("{empty} empty ballots have a fair share of 0 and are left out of the fair-share metrics"),
                ));
            }
        }
        None => {
            let why = if !analysis::approval(e) {
                format!(
                    "defined for approval ballots; this election has '{}' ballots",
                    e.vote_type
                )
            } else if e.ballots.is_empty() {
                "the election has no ballots".to_string()
            } else {
                "every voter's fair share is 0 (a budget of 0, or only empty ballots): 0/0"
                    .to_string()
            };
            for k in [
                "fair_share.capped_ratio",
                "fair_share.normalised_distance",
                "fair_share.voters_reaching",
            ] {
                r.metrics.undefined(k, why.clone());
            }
        }
    }
}

/// Each voter's satisfaction with the outcome.
fn voter_satisfaction(e: &Election, sat: Sat, selected: &[usize]) -> Vec<f64> {
    (0..e.ballots.len())
        .map(|b| {
            let q = selected
                .iter()
                .fold(Q::from_usize(0), |acc, &p| acc + e.sat(sat, b, p));
            show(&q).0
        })
        .collect()
}

/// Per-voter satisfaction with the outcome: mean, minimum, maximum, and the share of voters
/// with nothing (undefined, with the reason, when there are no ballots).
fn satisfaction_metrics(r: &mut AllocateReport, sats: &[f64]) {
    if sats.is_empty() {
        for k in [
            "satisfaction.mean",
            "satisfaction.min",
            "satisfaction.max",
            "voters_with_nothing",
        ] {
            r.metrics
                .undefined(k, "the election has no ballots: 0/0".to_string());
        }
        return;
    }
    let n = sats.len() as f64;
    r.metrics
        .number("satisfaction.mean", sats.iter().sum::<f64>() / n);
    r.metrics.number(
        "satisfaction.min",
        sats.iter().copied().fold(f64::INFINITY, f64::min),
    );
    r.metrics.number(
        "satisfaction.max",
        sats.iter().copied().fold(f64::NEG_INFINITY, f64::max),
    );
    r.metrics.number(
        "voters_with_nothing",
        sats.iter().filter(|&&x| x <= 0.0).count() as f64 / n,
    );
}

/// What the charts of `--format html` / `--plot` draw: every project's cost, support and whether
/// it is funded; the voters' satisfaction in bins.
fn chart_data(e: &Election, selected: &[usize], sats: &[f64]) -> ChartData {
    let mut support = vec![0u64; e.projects.len()];
    for b in &e.ballots {
        for (p, _) in &b.projects {
            support[*p] += 1;
        }
    }
    ChartData::Pb(PbChartData {
        projects: e
            .projects
            .iter()
            .enumerate()
            .map(|(p, x)| ProjectPoint {
                project: x.id.clone(),
                name: x.name.clone(),
                cost: show(&x.cost).0,
                support: support[p],
                selected: selected.contains(&p),
            })
            .collect(),
        satisfaction_histogram: histogram(sats),
    })
}

/// Bins of the satisfaction values: one per integer when every value is an integer of at most
/// 30, else bins of a round width (1, 2, 2.5 or 5 times a power of ten) from 0, about ten of
/// them, the last one past the largest value.
fn histogram(sats: &[f64]) -> SatisfactionHistogram {
    let max = sats
        .iter()
        .copied()
        .filter(|x| x.is_finite())
        .fold(0.0, f64::max);
    let integral = sats.iter().all(|x| x.fract() == 0.0);
    // The width as mult × 10^exp; an edge is k · mult · 10^exp, divided by 10^-exp when exp < 0
    // so that 0.3 is 0.3.
    let (mult, exp) = if (integral && max <= 30.0) || max <= 0.0 {
        (1.0, 0)
    } else {
        let raw = max / 10.0;
        let exp = raw.log10().floor() as i32;
        let mult = [1.0, 2.0, 2.5, 5.0]
            .into_iter()
            .find(|k| k * 10f64.powi(exp) >= raw)
            .unwrap_or(10.0);
        (mult, exp)
    };
    let edge = |k: usize| {
        let x = k as f64 * mult;
        if exp >= 0 {
            x * 10f64.powi(exp)
        } else {
            x / 10f64.powi(-exp)
        }
    };
    let mut edges = vec![edge(0), edge(1)];
    while edges[edges.len() - 1] <= max {
        edges.push(edge(edges.len()));
    }
    let mut voters = vec![0u64; edges.len() - 1];
    for &x in sats.iter().filter(|x| x.is_finite()) {
        let k = edges.partition_point(|e| *e <= x).clamp(1, voters.len());
        voters[k - 1] += 1;
    }
    SatisfactionHistogram { edges, voters }
}
