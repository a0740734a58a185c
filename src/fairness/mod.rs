//! `fairaudit audit-fairness`: statistics (one pass, [`stats`]) → metrics ([`metrics`],
//! [`crate::stats::disparity`]) → report ([`audit`] builds the [`report`] model, which renders
//! itself).

pub mod adverse_impact;
pub mod audit;
pub mod bootstrap;
pub mod compare;
pub mod decisions;
pub mod distribution;
pub mod dominance;
pub mod edf;
pub mod gates;
pub mod group_thresholds;
pub mod html;
pub mod inequality;
pub mod label_free;
pub mod legal;
pub mod mergeable;
pub mod metrics;
pub mod multiclass;
pub mod paired;
pub mod paired_view;
pub mod plan;
pub mod presets;
pub mod reference;
pub mod regression;
pub mod report;
pub mod scores;
pub mod settings;
pub mod sql;
pub mod stats;
pub mod suggest;
pub mod summary;
pub mod sweep;
pub mod thresholds;
pub mod topk;

use anyhow::{anyhow, bail, Result};

use crate::fairness::report::{ClassOverall, FairnessReport};
use crate::gate;
use crate::render::{self, Rendered};
use settings::{Settings, Task};

/// Runs the whole audit: every input is resolved before any is read, so a bad flag fails fast.
pub fn run(args: &Settings) -> Result<Rendered> {
    let sources = crate::input::sources(&args.files, &args.read)?;
    let mut task = args.task;
    let progress = render::Progress::new(args.output.quiet);
    let mut detected = None;
    let mut stats_notes = Vec::new();
    if args.emit_stats.is_some() && sources.len() != 1 {
        bail!("--emit-stats writes the statistics of one input (run it once per file, then merge with --from-stats)");
    }
    let passes = if args.from_stats {
        let (pass, notes) = mergeable::load(&sources, args)?;
        stats_notes = notes;
        Ok(vec![pass])
    } else {
        run_passes(&sources, args, task, &progress)
    };
    // With --task auto, a prediction column found by name may turn out to hold probabilities:
    // the audit then runs with it as --score (these arguments from there on).
    let rerun_args;
    let mut args = args;
    let passes = match passes {
        Err(e) if task == Task::Auto && e.downcast_ref::<stats::NotBinary>().is_some() => {
            // Not binary: look at the values, then run every input as regression or multiclass.
            let mut found = Vec::new();
            for s in &sources {
                found.push(plan::detect_task(s, args)?);
            }
            let pick = found
                .iter()
                .find(|d| d.score.is_some())
                .or_else(|| found.iter().find(|d| d.task == Task::Regression))
                .unwrap_or(&found[0]);
            task = pick.task;
            detected = Some(pick.why.clone());
            if let Some(score) = &pick.score {
                let mut a = args.clone();
                a.score = Some(score.clone());
                a.pred = None;
                rerun_args = a;
                args = &rerun_args;
            }
            run_passes(&sources, args, task, &progress)?
        }
        other => other?,
    };
    progress.finish();
    if !args.paired.is_empty() {
        if let Some(p) = passes.iter().find(|p| p.task != Task::Binary) {
            bail!(
                "{}: --baseline / --reference-decisions compare binary decisions; this audit runs as {} (detected from the values; pass --task binary with --positive VALUE if the decisions are binary)",
                p.source.display,
                p.task.name()
            );
        }
    }
    // --baseline / --reference-decisions: the passes as if read alone, and the joint tables.
    let (passes, joints): (Vec<plan::Pass>, Vec<Vec<paired::Joint>>) =
        passes.into_iter().map(paired::split).unzip();
    // --top-k / --top-fraction: decisions by rank, from the scored rows (fairness/topk.rs).
    let (passes, ranked) = topk::decide_main(args, passes)?;
    // --group-thresholds: a threshold per group (fairness/group_thresholds.rs).
    let (passes, group_threshold_warnings) = group_thresholds::apply(args, passes)?;
    if args.bootstrap > 0 {
        if let Some(r) = passes
            .iter()
            .filter(|p| p.columns.score.is_some())
            .find_map(|p| p.stats.score_resolution)
        {
            bail!("--bootstrap of the score metrics resamples rows, but the scores were rounded to {r} and equal rows merged (bounded memory); drop --bootstrap, or audit fewer rows with --score");
        }
    }
    let side_files = match &args.emit_stats {
        Some(path) => vec![mergeable::emit(&passes[0], path)?],
        None => Vec::new(),
    };
    let task = passes.first().map_or(Task::Binary, |p| p.task);
    check_task_flags(args, task)?;
    let label_free = label_free_inputs(&passes)? || args.no_label;
    let mut model = match task {
        Task::Multiclass => multiclass_report(args, &passes)?,
        _ => binary_or_regression_report(args, &passes, &args.sweep)?,
    };
    if let Some(ranked) = ranked {
        ranked.attach(&mut model, args)?;
    }
    model.settings.task_detected = detected;
    model.warnings.extend(group_threshold_warnings);
    // --suggest-thresholds (fairness/group_thresholds.rs): from the one input's scored rows.
    if let Some(spec) = &args.suggest {
        if passes.len() != 1 {
            bail!("--suggest-thresholds searches the thresholds of one input; run it once per file (or concatenate the files)");
        }
        let t0 = args
            .threshold
            .first()
            .copied()
            .unwrap_or(settings::DEFAULT_THRESHOLD);
        model.suggested_thresholds = Some(group_thresholds::suggest(
            spec,
            &passes[0],
            t0,
            &mut model.warnings,
        )?);
        // The search constrains every group with the rates it needs, whatever the audit leaves
        // out of its disparities.
        let left_out: Vec<&str> = [
            (args.min_group_size > 0, "--min-group-size"),
            (args.exclude_below.is_some(), "--exclude-below"),
            (args.exclude_unknown, "--exclude-unknown"),
        ]
        .iter()
        .filter(|(given, _)| *given)
        .map(|(_, flag)| *flag)
        .collect();
        if !left_out.is_empty() {
            model.warnings.push(render::Warning::new(
                &passes[0].source.display,
                None,
                format!(
                    "--suggest-thresholds constrains every group of the attribute, including those {} leaves out of the disparities; its constraint values are over all of them",
                    left_out.join(" / ")
                ),
            ));
        }
    }
    if label_free {
        label_free::prune(&mut model);
        let looked = if args.preset == Some(settings::Preset::Ll144) {
            "--preset ll144 is label-free: a bias audit under Local Law 144 uses no outcome"
                .to_string()
        } else if args.no_label {
            "--no-label".to_string()
        } else {
            format!(
                "no label column given or found (looked for {})",
                settings::LABEL_NAMES.join(", ")
            )
        };
        model.warnings.insert(
            0,
            render::Warning::new(
                &passes[0].source.display,
                None,
                format!("label-free audit ({looked}): the decisions only — selection rates, impact ratios, significance tests, shortfalls; metrics that need the outcome are left out (pass --label COL for them)"),
            ),
        );
    }
    for n in stats_notes {
        model.warnings.push(render::Warning::new(
            &passes[0].source.display,
            None,
            format!("the statistics leave out {n}"),
        ));
    }
    let flips_file = paired_reports(args, &passes, &joints, label_free, &mut model)?;
    if let Some(preset) = args.preset {
        if preset == settings::Preset::Ll144 && args.groups.len() == 1 {
            model.warnings.push(render::Warning::new(
                &passes[0].source.display,
                None,
                format!("Local Law 144 asks for sex, race / ethnicity and their intersection; only '{}' was given (--group sex --group race)", args.groups[0]),
            ));
        }
        model.legal = Some(presets::view(&model, preset));
    }
    let verdicts = gate::evaluate(&args.gates, &model)?;
    model.passed = verdicts.iter().all(|g| g.passed);
    model.gates = verdicts;
    let figures = render::html::figures(&args.output, || {
        let mut page = html::page(&model)?;
        if args.summary {
            // The summary table first, then the whole report's charts.
            page.sections
                .insert(0, html::summary_section(&summary::build(&model)));
        }
        Ok(page)
    })?;
    model.plots = figures.plots;
    let page = figures.page.as_ref();
    let mut rendered = if args.summary {
        summary::render(&model, args.output.format, page)?
    } else {
        report::render(
            &model,
            args.output.format,
            &report::View {
                metrics: args.table_metrics.clone(),
                min_group_size: args.min_group_size,
            },
            page,
        )?
    };
    rendered.side_files = side_files;
    rendered.side_files.extend(flips_file);
    rendered.side_files.extend(figures.side_files);
    Ok(rendered)
}

/// `--baseline` and `--reference-decisions`: each input's comparison and dominance check.
fn paired_reports(
    args: &Settings,
    passes: &[plan::Pass],
    joints: &[Vec<paired::Joint>],
    label_free: bool,
    model: &mut FairnessReport,
) -> Result<Vec<render::SideFile>> {
    for (pass, joints) in passes.iter().zip(joints) {
        for (other, joint) in pass.columns.others.iter().zip(joints) {
            let file = &pass.source.display;
            let role = other.role.replace('_', " ");
            let audited = joint.rows() + joint.missing;
            if other.role == "baseline" {
                let allowed = args
                    .paired
                    .baseline
                    .as_ref()
                    .map_or(settings::Unmatched::Rows(0), |b| b.max_unmatched);
                if allowed.exceeded(joint.missing, audited) {
                    bail!("{}", unmatched_message(file, other, joint.missing, audited));
                }
            }
            if joint.missing > 0 {
                model.warnings.push(render::Warning::new(
                    file,
                    None,
                    format!(
                        "the {role} '{}' covers {} of the {audited} rows audited: {} rows without one are left out of the comparison (the audit itself has every row)",
                        other.column,
                        joint.rows(),
                        joint.missing
                    ),
                ));
            }
            if joint.rows() == 0 {
                bail!(
                    "{file}: no row has both decisions: the {role} '{}' is missing on every audited row",
                    other.column
                );
            }
            if other.role == "baseline" {
                model
                    .comparisons
                    .push(compare::compare(args, pass, joint, label_free));
            } else {
                if label_free {
                    let measures = dominance::measures(args);
                    if let Some(m) = measures.iter().find(|m| label_free::needs_label(m)) {
                        let given = if args.paired.dominance_measures.is_empty() {
                            " (one of the default measures)"
                        } else {
                            ""
                        };
                        bail!("--reference-decisions: the measure '{m}'{given} needs the label, and this audit is label-free; pass --label COL, or choose decision measures with --dominance-measures (e.g. demographic_parity_difference,demographic_parity_ratio)");
                    }
                }
                model.dominance.push(dominance::check(args, pass, joint)?);
            }
        }
    }
    let mut files = Vec::new();
    if let Some(path) = &args.paired.export_flips {
        let [pass] = passes else {
            bail!(
                "--export-flips lists the rows of one input; got {} (run one file at a time)",
                passes.len()
            );
        };
        // Never over an input or the report: the flips would replace what they came from.
        let same = |other: &std::path::Path| {
            let canon = |p: &std::path::Path| std::fs::canonicalize(p).ok();
            other == path || canon(other).is_some_and(|o| Some(o) == canon(path))
        };
        let inputs = std::iter::once(pass.source.display.as_str()).chain(
            args.paired
                .baseline
                .iter()
                .filter_map(|b| b.file.as_deref()),
        );
        for input in inputs {
            if same(std::path::Path::new(input)) {
                bail!(
                    "--export-flips {}: that is an input file; write the flips to another file",
                    path.display()
                );
            }
        }
        if args.output.path.as_deref().is_some_and(same) {
            bail!("--export-flips {}: that is the report's file (-o); write the flips to another file", path.display());
        }
        files.push(render::SideFile {
            path: path.clone(),
            text: plan::Plan::new(&pass.source, args, pass.task)?.flips_csv()?,
            make_dir: false,
        });
    }
    Ok(files)
}

/// The error when more audited rows lack a baseline decision than `--max-unmatched` allows:
/// the counts by cause, a few unmatched ids, and the flag that allows them.
fn unmatched_message(
    file: &str,
    other: &report::OtherColumn,
    missing: u64,
    audited: u64,
) -> String {
    let mut causes = Vec::new();
    if let Some(j) = &other.join {
        let in_join = j.unmatched + (j.rows_left_out - j.unmatched);
        if j.unmatched > 0 {
            causes.push(format!("{} ids not in the baseline file", j.unmatched));
        }
        if j.rows_left_out > j.unmatched {
            causes.push(format!(
                "{} rows with an id repeated in either file",
                j.rows_left_out - j.unmatched
            ));
        }
        if missing > in_join {
            causes.push(format!(
                "{} with a missing baseline value",
                missing - in_join
            ));
        }
        if !j.examples.is_empty() {
            causes.push(format!("e.g. {}", j.examples.join("; ")));
        }
    } else {
        causes.push("a missing value in the baseline column".to_string());
    }
    let file_of = other
        .file
        .as_deref()
        .map_or(String::new(), |f| format!(" of {f}"));
    format!(
        "{file}: {missing} of {audited} rows have no baseline decision in '{}'{file_of} ({}); pass --max-unmatched {missing} (or a share such as 5%) to compare the other rows only",
        other.column,
        causes.join(", ")
    )
}

/// Resolves every input's columns (all before any is read, so a bad flag fails fast), then
/// makes the one pass over each.
fn run_passes(
    sources: &[crate::input::Source],
    args: &Settings,
    task: Task,
    progress: &render::Progress,
) -> Result<Vec<plan::Pass>> {
    let plans = sources
        .iter()
        .map(|s| plan::Plan::new(s, args, task))
        .collect::<Result<Vec<_>>>()?;
    // Files in parallel (each pass streams on polars' own pool); results keep the input order.
    use rayon::prelude::*;
    plans.into_par_iter().map(|p| p.run(progress)).collect()
}

/// Whether the audit is label-free: every input without a label column. Inputs that disagree
/// are an error (their reports would not compare).
fn label_free_inputs(passes: &[plan::Pass]) -> Result<bool> {
    let without: Vec<&str> = passes
        .iter()
        .filter(|p| p.columns.label.is_none())
        .map(|p| p.source.display.as_str())
        .collect();
    if !without.is_empty() && without.len() < passes.len() {
        bail!(
            "{} {} no label column while other inputs have one; pass --label COL for all, or --no-label to audit the decisions only",
            without.join(", "),
            if without.len() == 1 { "has" } else { "have" }
        );
    }
    Ok(!passes.is_empty() && without.len() == passes.len())
}

/// The flags that only make sense for binary (or one-vs-rest) rates.
fn check_task_flags(args: &Settings, task: Task) -> Result<()> {
    if task != Task::Regression {
        return Ok(());
    }
    let unsupported = [
        (
            !args.sweep.is_empty(),
            "--threshold-sweep / several --threshold",
        ),
        (args.reference.is_some(), "--reference"),
        (args.bootstrap > 0, "--bootstrap"),
        (args.condition.is_some(), "--condition"),
    ];
    for (given, flag) in unsupported {
        if given {
            bail!("{flag} works with binary and multiclass labels; this is a regression audit (numeric label and prediction)");
        }
    }
    Ok(())
}

fn binary_or_regression_report(
    args: &Settings,
    passes: &[plan::Pass],
    sweep: &[f64],
) -> Result<FairnessReport> {
    let mut model = audit::build(args, passes);
    if !sweep.is_empty() {
        sweep::attach(&mut model, args, passes, sweep);
    }
    if args.bootstrap > 0 {
        bootstrap::attach(&mut model, args, passes, args.bootstrap, args.seed);
    }
    if let Some(spec) = &args.reference {
        reference::apply(&mut model, spec, args.parity_band)?;
    }
    Ok(model)
}

/// One binary report per class (one-vs-rest), merged: the attributes of every class (each
/// marked with its class), each input's per-class overall, and the multiclass accuracy overall.
fn multiclass_report(args: &Settings, passes: &[plan::Pass]) -> Result<FairnessReport> {
    let classes = multiclass::classes(passes, &args.classes)?;
    let mut merged: Option<FairnessReport> = None;
    for class in &classes {
        let class_passes: Vec<plan::Pass> = passes
            .iter()
            .map(|p| plan::Pass {
                source: p.source.clone(),
                task: Task::Binary,
                columns: p.columns.clone(),
                stats: multiclass::one_vs_rest(&p.stats, class),
                warnings: Vec::new(),
                score_type: None,
            })
            .collect();
        let mut model = binary_or_regression_report(args, &class_passes, &[])?;
        for a in &mut model.attributes {
            a.class = Some(class.clone());
        }
        for w in &mut model.warnings {
            w.message = format!("class '{class}': {}", w.message);
        }
        match &mut merged {
            None => {
                for inp in &mut model.inputs {
                    inp.classes.push(ClassOverall {
                        class: class.clone(),
                        overall: inp.overall.clone(),
                    });
                }
                merged = Some(model);
            }
            Some(m) => {
                m.attributes.append(&mut model.attributes);
                m.warnings.append(&mut model.warnings);
                for (inp, c) in m.inputs.iter_mut().zip(model.inputs) {
                    inp.classes.push(ClassOverall {
                        class: class.clone(),
                        overall: c.overall,
                    });
                }
            }
        }
    }
    let mut m = merged.ok_or_else(|| anyhow!("no class to report"))?;
    let mut warnings: Vec<render::Warning> = Vec::new();
    for p in passes {
        for w in &p.warnings {
            warnings.push(render::Warning::new(&p.source.display, None, w.clone()));
        }
    }
    warnings.append(&mut m.warnings);
    m.warnings = warnings;
    for (inp, p) in m.inputs.iter_mut().zip(passes) {
        let mut metrics = serde_json::Map::new();
        let mut undefined = serde_json::Map::new();
        match multiclass::accuracy(&p.stats) {
            Ok(a) => {
                metrics.insert("accuracy".into(), serde_json::json!(a));
            }
            Err(why) => {
                metrics.insert("accuracy".into(), serde_json::Value::Null);
                undefined.insert("accuracy".into(), why.into());
            }
        }
        inp.overall.counts = None;
        inp.overall.metrics = metrics;
        inp.overall.undefined = undefined;
    }
    m.settings.task = "multiclass".into();
    m.settings.classes = classes;
    Ok(m)
}
