//! `fairaudit audit-ranking`: ranked lists (search results, shortlists) audited for group
//! fairness. Files → compact lists ([`load`]) → per-query numbers and their aggregates
//! ([`audit`], pure functions in [`metrics`] and [`fair`]) → typed report ([`report`], page in
//! [`html`]). Settings come resolved from the command line ([`settings`]).

pub mod audit;
pub mod fair;
pub mod html;
pub mod load;
pub mod metrics;
pub mod report;
pub mod settings;
pub mod variant_report;
pub mod variants;

pub use settings::{Combination, PositionBias, Settings};

use anyhow::{bail, Result};
use rand::Rng;

use crate::gate::{self, Level, Number};
use crate::render::{Rendered, ReportInfo, SideFile, Warning};
use crate::stats::bootstrap;
use report::{Block, FairInfo, FairTable, GroupBlock, RankingReport, ReportSettings};

/// Runs the audit.
pub fn run(settings: &Settings) -> Result<Rendered> {
    if let Some(v) = &settings.variants {
        return variant_report::run(&settings.files, &settings.read, v, &settings.output);
    }
    let gates = gate::parse_all(&settings.output.fail_if)?;
    let sources = crate::input::sources(&settings.files, &settings.read)?;
    let mut warnings: Vec<Warning> = Vec::new();
    let lists = load::load(&sources, settings)?;
    for (file, note) in &lists.notes {
        warnings.push(Warning::new(file, None, note.clone()));
    }
    // The queries of every input are pooled into one report: its numbers, warnings and gate
    // verdicts belong to all the inputs together, named as one ("a.csv, b.csv").
    let first = sources
        .iter()
        .map(|s| s.display.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let col = lists
        .files
        .first()
        .map(|f| f.group_column.clone())
        .unwrap_or_else(|| settings.group.clone());
    if lists.groups.len() < 2 {
        bail!(
            "{first}: '{col}' has one value ('{}'); a ranking audit compares two groups or more: check --group",
            lists.groups.first().map(String::as_str).unwrap_or("")
        );
    }
    let names: Vec<&str> = lists.groups.iter().map(String::as_str).collect();
    let code_of = |flag: &str, g: &str| -> Result<u16> {
        match lists.groups.iter().position(|x| x == g) {
            Some(i) => Ok(i as u16),
            None => {
                let hint = crate::input::closest_name(g, &names)
                    .map(|c| format!("did you mean '{c}'? "))
                    .unwrap_or_default();
                bail!(
                    "{flag} '{g}': no such group in '{col}'; {hint}groups: {}",
                    names.join(", ")
                )
            }
        }
    };
    let protected = settings
        .protected
        .as_deref()
        .map(|p| code_of("--protected", p))
        .transpose()?;
    let counts = {
        let mut c = vec![0u64; lists.groups.len()];
        for &g in &lists.group {
            c[g as usize] += 1;
        }
        c
    };
    let reference = match &settings.reference {
        Some(r) => code_of("--reference", r)? as usize,
        None => (0..counts.len())
            .max_by(|&a, &b| counts[a].cmp(&counts[b]).then(b.cmp(&a)))
            .unwrap_or(0),
    };
    let target = match &settings.target {
        None => None,
        Some(t) => {
            let mut v = vec![0.0; lists.groups.len()];
            for (g, p) in t {
                v[code_of("--target", g)? as usize] = *p;
            }
            for name in &lists.groups {
                if !t.iter().any(|(g, _)| g == name) {
                    bail!("--target gives no share for group '{name}' of '{col}'; give every group, e.g. {name}=0.1");
                }
            }
            Some(v)
        }
    };
    let cx = audit::context(&lists, settings, protected, target);
    let results = audit::all_queries(&lists, &cx);
    let cols = audit::Columns::new(&results, &cx);
    let entries = audit::aggregate(&cols, &cols.totals(None), &cx, reference);
    // Bootstrap: queries resampled with replacement, every aggregate recomputed.
    let intervals: Option<Vec<Result<[f64; 2], String>>> = (settings.bootstrap > 0).then(|| {
        let nq = results.len();
        let reps = bootstrap::replicates(settings.bootstrap, settings.seed, |_, rng| {
            // Each query's multiplicity in the draw; the totals weigh the query columns by it.
            let mut times = vec![0u32; nq];
            for _ in 0..nq {
                times[rng.random_range(0..nq)] += 1;
            }
            audit::aggregate(&cols, &cols.totals(Some(&times)), &cx, reference)
                .into_iter()
                .map(|e| e.value.ok())
                .collect::<Vec<Option<f64>>>()
        });
        (0..entries.len())
            .map(|i| {
                let mut vals: Vec<f64> = reps.iter().filter_map(|r| r[i]).collect();
                let missing = reps.len() - vals.len();
                if missing > 0 {
                    Err(format!(
                        "undefined in {missing} of {} bootstrap replicates",
                        reps.len()
                    ))
                } else {
                    let (lo, hi) = bootstrap::percentile_interval(&mut vals, settings.ci);
                    Ok([lo, hi])
                }
            })
            .collect()
    });
    // Warnings.
    if protected.is_some()
        && results
            .iter()
            .all(|r| matches!(r.rnd, Err(w) if w.starts_with("normaliser Z is 0") || w.starts_with("the list is shorter")))
    {
        warnings.push(Warning::new(
            &first,
            None,
            format!(
                "rND / rKL / rRD are undefined in every query: no list has two cutoffs at --cutoff-step {} (Yang & Stoyanovich's step of 10 needs lists of 20 or more); try --cutoff-step 1",
                settings.cutoff_step
            ),
        ));
    }
    let small: Vec<&String> = lists
        .groups
        .iter()
        .zip(&counts)
        .filter(|(_, c)| **c < crate::render::SMALL_SAMPLE)
        .map(|(g, _)| g)
        .collect();
    if !small.is_empty() {
        // At most ten names, then how many more; many small groups suggest an id column.
        let mut names: Vec<String> = small.iter().take(10).map(|s| format!("'{s}'")).collect();
        if small.len() > 10 {
            names.push(format!("and {} more", small.len() - 10));
        }
        warnings.push(Warning::new(
            &first,
            Some(&col),
            format!(
                "fewer than {} items in group {}: its numbers are noisy{}",
                crate::render::SMALL_SAMPLE,
                names.join(", "),
                if lists.groups.len() > 100 {
                    format!(
                        " ({} groups in '{col}': is --group an id column rather than a group?)",
                        lists.groups.len()
                    )
                } else {
                    String::new()
                }
            ),
        ));
    }
    // The flat view and the blocks.
    let mut numbers = Vec::with_capacity(entries.len());
    let mut overall = Block::default();
    let mut by_group: Vec<GroupBlock> = lists
        .groups
        .iter()
        .map(|g| GroupBlock {
            group: g.clone(),
            block: Block::default(),
        })
        .collect();
    for (i, e) in entries.iter().enumerate() {
        let value = e.value.map_err(str::to_string);
        // Counts and totals (queries, items, exposure) get no interval: they grow with the
        // draw, they are not estimates of a rate.
        let iv = intervals
            .as_ref()
            .filter(|_| !matches!(e.metric.as_str(), "queries" | "items" | "exposure"))
            .map(|v| v[i].clone());
        let (level, group) = match e.group {
            None => (Level::Attribute, None),
            Some(g) => (Level::Group, Some(lists.groups[g].as_str())),
        };
        let mut n = Number::new(&first, level, Some(&col), group, &e.metric, value.clone());
        n.interval = iv.clone();
        numbers.push(n);
        let b = match e.group {
            None => &mut overall,
            Some(g) => &mut by_group[g].block,
        };
        report::put(b, &e.metric, &value, iv.as_ref());
    }
    let fair = protected.map(|_| {
        let checked = results.iter().filter(|r| r.fair_pass.is_ok()).count();
        let passing = results.iter().filter(|r| r.fair_pass == Ok(1.0)).count();
        FairInfo {
            p: cx.fair_p.ok(),
            alpha: settings.alpha,
            queries_checked: checked,
            queries_passing: passing,
            tables: cx
                .mtables
                .iter()
                .map(|(k, t)| FairTable {
                    k: *k,
                    adjusted_alpha: t.adjusted_alpha,
                    fail_probability: t.fail_prob,
                    mtable: t.m.clone(),
                })
                .collect(),
        }
    });
    let mut model = RankingReport {
        schema_version: crate::render::SCHEMA_VERSION,
        command: "audit-ranking".into(),
        inputs: lists.files.clone(),
        settings: ReportSettings {
            position_bias: settings.position_bias,
            persistence: (settings.position_bias != PositionBias::Log)
                .then_some(settings.persistence),
            attention: settings.attention,
            combination: settings.combination.frt_name().into(),
            reference: lists.groups[reference].clone(),
            protected: settings.protected.clone(),
            cutoff_step: settings.cutoff_step,
            target: settings.target.as_ref().map(|t| {
                t.iter()
                    .map(|(g, p)| (g.clone(), serde_json::Value::from(*p)))
                    .collect()
            }),
            alpha: settings.alpha,
            fair_k: settings.fair_k,
            fair_p: cx.fair_p.ok(),
            k: settings.k.clone(),
            bootstrap: settings.bootstrap,
            seed: settings.seed,
            ci: settings.ci,
        },
        group_column: col.clone(),
        groups: lists.groups.clone(),
        overall,
        by_group,
        fair,
        passed: true,
        gates: Vec::new(),
        warnings,
        plots: Vec::new(),
        numbers,
    };
    let verdicts = gate::evaluate(&gates, &model)?;
    model.passed = verdicts.iter().all(|g| g.passed);
    model.gates = verdicts;
    let figures = crate::render::html::figures(&settings.output, || html::page(&model))?;
    model.plots = figures.plots;
    let info = ReportInfo {
        command: "audit-ranking".into(),
        inputs: vec![first.clone()],
        warnings: model.warnings.clone(),
    };
    let mut rendered = crate::render::render_with(
        &model,
        settings.output.format,
        model.passed,
        &model.gates,
        info,
        || model.csv(),
        |md| model.text(md),
        figures.page.as_ref(),
    )?;
    if let Some(path) = &settings.export_queries {
        rendered.side_files.push(SideFile {
            path: path.clone(),
            text: export_queries(&lists, &results, &cx)?,
            make_dir: false,
        });
    }
    rendered.side_files.extend(figures.side_files);
    rendered.read_files = lists.files.iter().map(|f| f.file.clone()).collect();
    Ok(rendered)
}

/// `--export-queries`: one row per query with its numbers (CSV; empty cells are undefined).
fn export_queries(
    lists: &load::Lists,
    results: &[audit::QueryResult],
    cx: &audit::Context,
) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header: Vec<String> = vec!["file".into(), "query".into(), "items".into()];
    for g in &lists.groups {
        header.push(format!("{g}:items"));
        header.push(format!("{g}:share_of_exposure"));
    }
    for h in [
        "disparate_exposure_ratio",
        "disparate_treatment_ratio",
        "exp",
        "awrf",
        "ndkl",
        "rnd",
        "rkl",
        "rrd",
        "fair_pass",
        "fair_first_failure",
    ] {
        header.push(h.into());
    }
    for k in &cx.ks {
        for h in [
            "min_skew",
            "max_skew",
            "presence_diversity",
            "distributional_diversity",
            "inclusion_nash",
        ] {
            header.push(format!("{h}@{k}"));
        }
    }
    w.write_record(&header)?;
    let v = |x: &crate::stats::Value| crate::render::csv_num(x.ok());
    for (q, r) in results.iter().enumerate() {
        let mut row: Vec<String> = vec![
            lists.files[lists.query_file[q] as usize].file.clone(),
            lists.queries[q].clone(),
            r.n.to_string(),
        ];
        let total: f64 = r.exposure.iter().sum();
        for g in 0..lists.groups.len() {
            row.push(r.count[g].to_string());
            row.push(crate::render::csv_num(Some(r.exposure[g] / total)));
        }
        for x in r.fixed() {
            row.push(v(x));
        }
        row.push(
            r.fair_first_failure
                .map(|f| f.to_string())
                .unwrap_or_default(),
        );
        for ki in 0..cx.ks.len() {
            for x in [
                &r.min_skew[ki],
                &r.max_skew[ki],
                &r.presence[ki],
                &r.distributional[ki],
                &r.inclusion_nash[ki],
            ] {
                row.push(v(x));
            }
        }
        w.write_record(&row)?;
    }
    Ok(String::from_utf8(w.into_inner()?)?)
}
