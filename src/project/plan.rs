//! From a configuration to runs: which audits (the named ones and those whose reports they
//! read), in which order (an audit that reads another's report runs after it; the others run
//! at the same time), one run per audit × input, each a command line checked by clap as if it
//! had been typed.

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use anyhow::{anyhow, bail, Result};
use clap::FromArgMatches;
use serde::Serialize;

use super::config::{Audit, Config, Flag, Place};
use crate::cli::{Cli, Command};
use crate::gate::GateResult;

/// Flags whose value is a file the audit writes: another audit may read it.
const WRITES: [&str; 3] = ["output", "emit-stats", "allocation-out"];

/// The audits to run, in stages: every audit of a stage only reads files that exist before the
/// stage starts.
pub struct Plan {
    stages: Vec<Vec<usize>>,
}

/// One run of one audit.
#[derive(Debug, Clone)]
struct Job {
    audit: usize,
    /// The FILE arguments.
    files: Vec<String>,
    /// `{stem}`: the input's file name without extension (one run per input).
    stem: Option<String>,
    /// What the summary shows as the input.
    input: String,
}

/// What one run gave.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub audit: String,
    pub command: String,
    pub input: String,
    /// `passed`, `failed` (a gate failed), `no gates` (ran, nothing to check) or `error`.
    pub verdict: &'static str,
    pub gates: Vec<GateResult>,
    /// The report file written, if the audit names one (`output`).
    pub report: Option<String>,
    /// The report's warnings (what its `warnings` holds).
    pub warnings: Vec<crate::render::Warning>,
    /// Why the run could not finish (exit 2 of a single command).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl Plan {
    /// Checks every audit's command line, selects `names` (all when empty) with the audits
    /// they depend on, and orders them.
    pub fn new(config: &Config, cli: &clap::Command, names: &[String]) -> Result<Plan> {
        for audit in &config.audits {
            check(config, cli, audit)?;
        }
        let n = config.audits.len();
        let deps: Vec<Vec<usize>> = (0..n)
            .map(|b| {
                (0..n)
                    .filter(|&a| a != b && reads(&config.audits[b], &config.audits[a]))
                    .collect()
            })
            .collect();
        let mut wanted: BTreeSet<usize> = BTreeSet::new();
        if names.is_empty() {
            wanted.extend(0..n);
        } else {
            let all: Vec<&str> = config.audits.iter().map(|a| a.name.as_str()).collect();
            for name in names {
                let i = all.iter().position(|a| a == name).ok_or_else(|| {
                    let hint = crate::input::closest_name(name, &all)
                        .map(|c| format!("did you mean '{c}'? "))
                        .unwrap_or_default();
                    anyhow!(
                        "{}: no audit named '{name}'; {hint}the audits: {}",
                        config.path.display(),
                        all.join(", ")
                    )
                })?;
                let mut stack = vec![i];
                while let Some(j) = stack.pop() {
                    if wanted.insert(j) {
                        stack.extend(&deps[j]);
                    }
                }
            }
        }
        // Kahn's order, stage by stage, audits in file order within a stage.
        let mut done: BTreeSet<usize> = BTreeSet::new();
        let mut stages = Vec::new();
        while done.len() < wanted.len() {
            let stage: Vec<usize> = wanted
                .iter()
                .copied()
                .filter(|i| !done.contains(i))
                .filter(|i| {
                    deps[*i]
                        .iter()
                        .all(|d| done.contains(d) || !wanted.contains(d))
                })
                .collect();
            if stage.is_empty() {
                let left: Vec<&str> = wanted
                    .iter()
                    .filter(|i| !done.contains(i))
                    .map(|&i| config.audits[i].name.as_str())
                    .collect();
                bail!(
                    "{}: audits {} read each other's reports in a cycle (an input of each matches an output of another); break the cycle",
                    config.path.display(),
                    left.join(", ")
                );
            }
            done.extend(&stage);
            stages.push(stage);
        }
        // Inputs that no audit writes must be there now: a missing one stops everything.
        for &i in stages.first().into_iter().flatten() {
            jobs_of(config, i)?;
        }
        Ok(Plan { stages })
    }

    /// `--list`: each audit, its command line and the files its inputs match now.
    pub fn list(&self, config: &Config, cli: &clap::Command) -> Result<String> {
        let mut out = String::new();
        for &i in self.stages.iter().flatten() {
            let a = &config.audits[i];
            let sub = super::config::subcommand(cli, &a.command.join(" "))
                .ok_or_else(|| anyhow!("{}: unknown command", a.name))?;
            let _ = writeln!(out, "{}:", a.name);
            match jobs_of(config, i) {
                // Each run's command line exactly as it runs, placeholders filled in.
                Ok(jobs) => {
                    for job in jobs {
                        let words = words(a, sub, &job.files, job.stem.as_deref());
                        let line: Vec<String> = words.iter().map(|w| shell_word(w)).collect();
                        let _ = writeln!(out, "  {}", line.join(" "));
                    }
                }
                // Inputs another audit writes first: the patterns, as they will be matched.
                Err(_) => {
                    let patterns: Vec<&str> = a.inputs.iter().map(|(p, _)| p.as_str()).collect();
                    let _ = writeln!(
                        out,
                        "  fairaudit {} ... -- {} (no file yet: written by an earlier audit, or missing)",
                        a.command.join(" "),
                        patterns.join(" ")
                    );
                }
            }
        }
        Ok(out)
    }

    /// Runs every stage; within a stage every run at once (as many threads as cores).
    pub fn execute(
        &self,
        config: &Config,
        cli: &clap::Command,
        quiet: bool,
    ) -> Result<Vec<RunResult>> {
        let mut results = Vec::new();
        let mut written: Vec<(String, String)> = Vec::new();
        for stage in &self.stages {
            let mut jobs = Vec::new();
            for &i in stage {
                jobs.extend(jobs_of(config, i)?);
            }
            for job in &jobs {
                let audit = &config.audits[job.audit];
                for path in writes(audit, job) {
                    if let Some((other, _)) = written.iter().find(|(_, p)| *p == path) {
                        if other == &audit.name {
                            bail!(
                                "{}: [audits.{}] writes {path} twice (two of its flags name it, or two of its runs); give each file its own name (e.g. \"reports/{{audit}}-{{stem}}.json\")",
                                config.path.display(),
                                audit.name
                            );
                        }
                        bail!(
                            "{}: audits {other} and {} both write {path}; give each its own `output` (e.g. \"reports/{{audit}}-{{stem}}.json\")",
                            config.path.display(),
                            audit.name
                        );
                    }
                    if job.files.iter().any(|f| normal(f) == path) {
                        bail!(
                            "{}: [audits.{}] would write {path} over its own input; write reports elsewhere (e.g. \"reports/{{audit}}-{{stem}}.json\")",
                            config.path.display(),
                            audit.name
                        );
                    }
                    written.push((audit.name.clone(), path));
                }
            }
            if !quiet && jobs.len() > 1 {
                eprintln!("fairaudit: running {} audit runs", jobs.len());
            }
            results.extend(run_all(config, cli, &jobs));
        }
        Ok(results)
    }
}

/// The command-line words of a run: `fairaudit COMMAND FLAGS... -- FILES...`.
fn words(
    audit: &Audit,
    cmd: &clap::Command,
    job_files: &[String],
    stem: Option<&str>,
) -> Vec<String> {
    let mut w = vec!["fairaudit".to_string()];
    w.extend(audit.command.iter().cloned());
    for f in &audit.flags {
        for word in f.words() {
            w.push(substitute(&word, &audit.name, stem));
        }
    }
    let has_quiet = cmd.get_arguments().any(|a| a.get_long() == Some("quiet"));
    if has_quiet && !audit.flags.iter().any(|f| f.key == "quiet") {
        w.push("--quiet".into());
    }
    if !job_files.is_empty() {
        w.push("--".into());
        w.extend(job_files.iter().cloned());
    }
    w
}

/// `{audit}` and `{stem}` in a value.
fn substitute(value: &str, audit: &str, stem: Option<&str>) -> String {
    let v = value.replace("{audit}", audit);
    match stem {
        Some(s) => v.replace("{stem}", s),
        None => v,
    }
}

/// The command as clap parses it.
fn parse(cli: &clap::Command, words: &[String]) -> std::result::Result<Command, clap::Error> {
    let m = cli.clone().try_get_matches_from(words)?;
    Cli::from_arg_matches(&m).map(|c| c.command)
}

/// Checks an audit's command line (with its input patterns as files) and its flag
/// combinations before anything runs: errors name the file, line and key.
fn check(config: &Config, cli: &clap::Command, audit: &Audit) -> Result<()> {
    let table = format!("audits.{}", audit.name);
    let sub = super::config::subcommand(cli, &audit.command.join(" "))
        .ok_or_else(|| anyhow!("{}: unknown command", audit.name))?;
    // `{stem}` only where there is one input per run.
    let per_input = !audit.combine && !audit.inputs.is_empty();
    if !per_input {
        if let Some(f) = audit
            .flags
            .iter()
            .find(|f| f.values.iter().any(|v| v.contains("{stem}")))
        {
            return Err(place(config, f).error(if audit.inputs.is_empty() {
                "{stem} names the input of a run, and this command takes no FILE arguments".to_string()
            } else {
                "{stem} names the input of a run, and `combine = true` makes one run over every input; use {audit}".to_string()
            }));
        }
    }
    // Placeholders: only {audit} and {stem} exist.
    for f in &audit.flags {
        for v in &f.values {
            let mut rest = v.as_str();
            while let Some(open) = rest.find('{') {
                let after = &rest[open + 1..];
                let Some(close) = after.find('}') else { break };
                let name = &after[..close];
                if (WRITES.contains(&f.key.as_str()) || f.key == "plot")
                    && name != "audit"
                    && name != "stem"
                {
                    return Err(place(config, f).error(format!(
                        "unknown placeholder {{{name}}}; the placeholders are {{audit}} and {{stem}}"
                    )));
                }
                rest = &after[close + 1..];
            }
        }
    }
    // One run per input: checked with one input (a command may take only one file).
    let files: Vec<String> = if per_input {
        audit
            .inputs
            .iter()
            .take(1)
            .map(|(p, _)| p.clone())
            .collect()
    } else {
        audit.inputs.iter().map(|(p, _)| p.clone()).collect()
    };
    let w = words(audit, sub, &files, Some("STEM"));
    let command = match parse(cli, &w) {
        Ok(c) => c,
        Err(e) => {
            let (line, key) = clap_place(&e, audit);
            let here = Place {
                file: &config.path,
                line,
                table: &table,
                key: Some(key.as_str()),
            };
            return Err(here.error(clap_message(&e)));
        }
    };
    if let Err(e) = command.prepare() {
        let here = Place {
            file: &config.path,
            line: audit.line,
            table: &table,
            key: None,
        };
        return Err(here.error(format!("{e:#}")));
    }
    Ok(())
}

fn place<'a>(config: &'a Config, f: &'a Flag) -> Place<'a> {
    Place {
        file: &config.path,
        line: f.line,
        table: &f.table,
        key: Some(&f.key),
    }
}

/// The line and key a clap error is about (the flag it names), else the audit's header.
fn clap_place(e: &clap::Error, audit: &Audit) -> (usize, String) {
    use clap::error::{ContextKind, ContextValue};
    let named = match e.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        Some(ContextValue::Strings(v)) => v.first().cloned(),
        _ => None,
    };
    if let Some(arg) = named {
        let long = arg
            .trim_start_matches('-')
            .split([' ', '=', '<'])
            .next()
            .unwrap_or("")
            .to_string();
        if let Some(f) = audit.flags.iter().find(|f| f.key == long) {
            return (f.line, f.key.clone());
        }
        if !arg.starts_with('-') {
            if let Some((_, line)) = audit.inputs.first() {
                return (*line, "inputs".into());
            }
        }
        return (audit.line, long);
    }
    (audit.line, "command".into())
}

/// clap's message on one line, without its usage and help hints.
fn clap_message(e: &clap::Error) -> String {
    let text = e.render().to_string();
    text.lines()
        .map(str::trim)
        .filter(|l| {
            !l.is_empty() && !l.starts_with("For more information") && !l.starts_with("Usage:")
        })
        .collect::<Vec<_>>()
        .join(" ")
        .trim_start_matches("error: ")
        .to_string()
}

/// Whether audit `b` reads a file audit `a` writes: an input pattern of `b` matches a file
/// `a`'s output would be (`{stem}` standing for any name), or `a`'s output pattern matches
/// `b`'s input.
fn reads(b: &Audit, a: &Audit) -> bool {
    let outputs: Vec<&str> = a
        .flags
        .iter()
        .filter(|f| WRITES.contains(&f.key.as_str()) && !f.off)
        .flat_map(|f| f.values.iter().map(String::as_str))
        .collect();
    // Its inputs, and any value of its flags that could name a file (`allocation`, ...).
    let read: Vec<&str> = b
        .inputs
        .iter()
        .map(|(p, _)| p.as_str())
        .chain(
            b.flags
                .iter()
                .filter(|f| !WRITES.contains(&f.key.as_str()))
                .flat_map(|f| f.values.iter().map(String::as_str)),
        )
        .collect();
    read.iter().any(|pattern| {
        let pattern = normal(pattern);
        outputs.iter().any(|out| {
            let out = normal(&out.replace("{audit}", &a.name));
            let example = out.replace("{stem}", "x");
            let as_glob = glob::Pattern::escape(&out).replace("{stem}", "*");
            glob::Pattern::new(&pattern).is_ok_and(|p| p.matches(&example))
                || glob::Pattern::new(&as_glob).is_ok_and(|p| p.matches(&pattern))
                || pattern == out
        })
    })
}

/// A path written the one way: `.` parts dropped, `a/../` folded (lexically: no file is read),
/// so `r/../r/a.json` and `./r/a.json` are `r/a.json`.
fn normal(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let absolute = p.starts_with('/');
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    let joined = parts.join("/");
    if absolute {
        format!("/{joined}")
    } else {
        joined
    }
}

/// Whether `path` is a file the audit writes, for some input (`{stem}` standing for any name).
fn writes_pattern(audit: &Audit, path: &str) -> bool {
    let path = normal(path);
    audit
        .flags
        .iter()
        .filter(|f| WRITES.contains(&f.key.as_str()) && !f.off)
        .flat_map(|f| f.values.iter())
        .any(|v| {
            let out = normal(&v.replace("{audit}", &audit.name));
            let as_glob = glob::Pattern::escape(&out).replace("{stem}", "*");
            glob::Pattern::new(&as_glob).is_ok_and(|p| p.matches(&path))
        })
}

/// The files a run writes (its `output`, `emit-stats`, `allocation-out`), as paths.
fn writes(audit: &Audit, job: &Job) -> Vec<String> {
    audit
        .flags
        .iter()
        .filter(|f| WRITES.contains(&f.key.as_str()) && !f.off)
        .flat_map(|f| f.values.iter())
        .map(|v| normal(&substitute(v, &audit.name, job.stem.as_deref())))
        .collect()
}

/// The files a pattern matches now, sorted (a plain path: itself when it exists).
fn expand(pattern: &str) -> Result<Vec<String>> {
    if !pattern.contains(['*', '?', '[']) || Path::new(pattern).exists() {
        let p = Path::new(pattern);
        if p.is_dir() {
            bail!(
                "is a folder; give the files in it, e.g. '{}/*.csv' (or '{}/**/*.csv' at any depth)",
                pattern.trim_end_matches('/'),
                pattern.trim_end_matches('/')
            );
        }
        return Ok(if p.is_file() {
            vec![pattern.to_string()]
        } else {
            Vec::new()
        });
    }
    // As a shell: `*` does not match a leading dot (no .git, .venv), `**` any depth.
    let options = glob::MatchOptions {
        case_sensitive: true,
        require_literal_separator: true,
        require_literal_leading_dot: true,
    };
    let mut found: Vec<String> = glob::glob_with(pattern, options)
        .map_err(|e| anyhow!("not a valid glob: {e}"))?
        .filter_map(|p| p.ok())
        .filter(|p| p.is_file())
        .map(|p| p.display().to_string())
        .collect();
    found.sort();
    found.dedup();
    Ok(found)
}

/// The runs of audit `i`: one per input file, or one over them all (`combine`, or a command
/// without FILE arguments).
fn jobs_of(config: &Config, i: usize) -> Result<Vec<Job>> {
    let audit = &config.audits[i];
    let table = format!("audits.{}", audit.name);
    if audit.inputs.is_empty() {
        return Ok(vec![Job {
            audit: i,
            files: Vec::new(),
            stem: None,
            input: "—".into(),
        }]);
    }
    let mut files = Vec::new();
    for (pattern, line) in &audit.inputs {
        let here = Place {
            file: &config.path,
            line: *line,
            table: &table,
            key: Some("inputs"),
        };
        let found = expand(pattern).map_err(|e| here.error(format!("'{pattern}': {e}")))?;
        if found.is_empty() {
            let what = if pattern.contains(['*', '?', '[']) {
                "matches no file"
            } else {
                "no such file"
            };
            return Err(here.error(format!(
                "'{pattern}': {what} (paths are relative to the configuration's folder)"
            )));
        }
        for f in found {
            // The audit's own reports are not its inputs (`*.csv` next to `{stem}-report.csv`).
            if writes_pattern(audit, &f) {
                continue;
            }
            if !files.iter().any(|g: &String| normal(g) == normal(&f)) {
                files.push(f);
            }
        }
        if files.is_empty() {
            return Err(here.error(format!(
                "'{pattern}' matches only this audit's own reports; name the inputs apart from them"
            )));
        }
    }
    if audit.combine {
        let input = if files.len() == 1 {
            files[0].clone()
        } else {
            format!("{} files", files.len())
        };
        return Ok(vec![Job {
            audit: i,
            files,
            stem: None,
            input,
        }]);
    }
    if files.len() > 1 {
        if let Some(f) = audit
            .flags
            .iter()
            .find(|f| (WRITES.contains(&f.key.as_str()) || f.key == "plot") && !f.off)
            .filter(|f| f.values.iter().all(|v| !v.contains("{stem}")))
        {
            return Err(place(config, f).error(format!(
                "the inputs match {} files and every run would write the same '{}'; put {{stem}} in it (the input's name), or set combine = true for one run over them all",
                files.len(),
                f.values.first().map(String::as_str).unwrap_or("")
            )));
        }
    }
    // Two inputs with the same stem would write the same report.
    let mut stems: Vec<(String, String)> = Vec::new();
    let mut jobs = Vec::new();
    for f in files {
        let stem = Path::new(&f)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| f.clone());
        let writes_per_input = audit
            .flags
            .iter()
            .any(|fl| fl.values.iter().any(|v| v.contains("{stem}")));
        if writes_per_input {
            if let Some((_, other)) = stems.iter().find(|(s, _)| *s == stem) {
                let line = audit.inputs[0].1;
                return Err(Place {
                    file: &config.path,
                    line,
                    table: &table,
                    key: Some("inputs"),
                }
                .error(format!(
                    "{other} and {f} have the same name '{stem}', so {{stem}} cannot tell their reports apart; rename one or use a pattern per folder"
                )));
            }
            stems.push((stem.clone(), f.clone()));
        }
        jobs.push(Job {
            audit: i,
            files: vec![f.clone()],
            stem: Some(stem),
            input: f,
        });
    }
    Ok(jobs)
}

/// Runs the jobs on as many threads as cores (each job on one thread from start to end), the
/// results in job order.
fn run_all(config: &Config, cli: &clap::Command, jobs: &[Job]) -> Vec<RunResult> {
    let slots: Vec<Mutex<Option<RunResult>>> = jobs.iter().map(|_| Mutex::new(None)).collect();
    let next = AtomicUsize::new(0);
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(jobs.len())
        .max(1);
    std::thread::scope(|s| {
        for _ in 0..workers {
            let _ = std::thread::Builder::new()
                .stack_size(16 << 20)
                .spawn_scoped(s, || loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(job) = jobs.get(i) else { break };
                    let r = run_one(config, cli, job);
                    if let Ok(mut slot) = slots[i].lock() {
                        *slot = Some(r);
                    }
                });
        }
    });
    slots
        .into_iter()
        .zip(jobs)
        .map(|(slot, job)| {
            slot.into_inner()
                .ok()
                .flatten()
                .unwrap_or_else(|| RunResult {
                    audit: config.audits[job.audit].name.clone(),
                    command: config.audits[job.audit].command.join(" "),
                    input: job.input.clone(),
                    verdict: "error",
                    gates: Vec::new(),
                    report: None,
                    warnings: Vec::new(),
                    error: Some("the run did not finish (no thread could run it)".into()),
                })
        })
        .collect()
}

/// One run: parse, execute, write the report; an error or a panic becomes an `error` row.
fn run_one(config: &Config, cli: &clap::Command, job: &Job) -> RunResult {
    let audit = &config.audits[job.audit];
    let mut result = RunResult {
        audit: audit.name.clone(),
        command: audit.command.join(" "),
        input: job.input.clone(),
        verdict: "error",
        gates: Vec::new(),
        report: None,
        warnings: Vec::new(),
        error: None,
    };
    // Reading notes of side files are kept per thread: start clean.
    let _ = crate::input::take_notes();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| -> Result<_> {
        let sub = super::config::subcommand(cli, &audit.command.join(" "))
            .ok_or_else(|| anyhow!("unknown command"))?;
        // The folders of the reports the configuration names are made (as CI expects).
        for path in writes(audit, job) {
            if let Some(dir) = Path::new(&path)
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
            {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow!("cannot create the folder {}: {e}", dir.display()))?;
            }
        }
        let w = words(audit, sub, &job.files, job.stem.as_deref());
        let command = parse(cli, &w).map_err(|e| anyhow!(clap_message(&e)))?;
        let prepared = command
            .prepare()?
            .ok_or_else(|| anyhow!("not a report command"))?;
        let path = prepared.output().path.clone();
        let rendered = prepared.run()?;
        match &path {
            Some(p) => crate::render::write_report(&rendered, Some(p))?,
            None => crate::render::write_side_files(&rendered.side_files)?,
        }
        Ok((rendered, path))
    }));
    match outcome {
        Ok(Ok((rendered, path))) => {
            result.verdict = if rendered.gates.is_empty() {
                "no gates"
            } else if rendered.passed {
                "passed"
            } else {
                "failed"
            };
            result.gates = rendered.gates;
            result.warnings = rendered.info.warnings;
            result.report = path.map(|p| p.display().to_string());
        }
        Ok(Err(e)) => result.error = Some(format!("{e:#}")),
        Err(_) => {
            result.error = Some(format!(
            "internal error: {}; please report it with the configuration and a file that shows it",
            crate::input::last_panic().unwrap_or_else(|| "a panic".into())
        ))
        }
    }
    result
}

/// A word quoted for a POSIX shell when it needs it (for `--list`).
fn shell_word(w: &str) -> String {
    if w.chars()
        .all(|c| c.is_ascii_alphanumeric() || "-_=./,:{}@%+".contains(c))
    {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}
