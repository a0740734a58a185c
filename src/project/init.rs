//! `fairaudit init FILE`: a commented starter configuration from the columns of a file — a
//! prediction file (`audit-fairness`), a reward-model score file (`audit-reward`) or a
//! pabulib election (`allocate pb`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use polars::prelude::*;

use crate::cli::InitSettings;
use crate::fairness::settings::{LABEL_NAMES, PRED_NAMES, SCORE_NAMES};
use crate::input::detect_column;
use crate::reward::data::{CHOSEN_NAMES, REJECTED_NAMES};

/// Rows read to count the values of candidate group columns.
const SAMPLE_ROWS: u32 = 20_000;
/// A column with more distinct values than this (in the sample) is not offered as a group.
const MAX_GROUPS: usize = 30;
/// Names that usually hold a protected attribute; such columns come first.
const SENSITIVE: [&str; 16] = [
    "race",
    "ethnicity",
    "sex",
    "gender",
    "age",
    "age_cat",
    "age_group",
    "religion",
    "disability",
    "nationality",
    "national_origin",
    "marital_status",
    "sexual_orientation",
    "language",
    "region",
    "income",
];

/// Writes the starter configuration (or prints it with `--config -`).
pub fn init(settings: &InitSettings) -> Result<()> {
    if settings.file == "-" {
        bail!("init reads a file's columns and writes its path into the configuration: give a file, not `-` (standard input)");
    }
    let target = settings
        .config
        .clone()
        .unwrap_or_else(|| PathBuf::from("fairaudit.toml"));
    let to_stdout = target.as_os_str() == "-";
    if !to_stdout && target.exists() && !settings.force {
        bail!(
            "{}: exists; give --force to replace it, or --config OTHER.toml",
            target.display()
        );
    }
    // The input as seen from the configuration's folder (paths in it are relative to it).
    let input = if to_stdout {
        settings.file.clone()
    } else {
        relative_to_config(&settings.file, &target)?
    };
    let (text, notes) = starter(&settings.file, &input)?;
    for n in &notes {
        eprintln!("fairaudit: init: {n}");
    }
    if to_stdout {
        crate::render::emit(&text, None)?;
    } else {
        crate::render::write_file(&target, text.as_bytes())?;
        eprintln!(
            "fairaudit: wrote {}; check the detected columns, then run `fairaudit run`",
            target.display()
        );
    }
    Ok(())
}

/// `file` relative to the folder of `config` (`../data/x.csv`), as the configuration names it.
fn relative_to_config(file: &str, config: &Path) -> Result<String> {
    let cwd = std::env::current_dir().context("cannot read the working folder")?;
    let abs_file = std::fs::canonicalize(file).with_context(|| format!("{file}: no such file"))?;
    let dir = config.parent().filter(|d| !d.as_os_str().is_empty());
    let abs_dir = match dir {
        Some(d) => {
            std::fs::canonicalize(d).with_context(|| format!("{}: no such folder", d.display()))?
        }
        None => std::fs::canonicalize(&cwd)?,
    };
    Ok(super::relative(&abs_dir, &abs_file).display().to_string())
}

/// Text from the file (a column name) fit for a `#` comment: one line, printable.
fn comment_text(s: &str) -> String {
    crate::render::printable(s).replace(['\n', '\r'], " ")
}

/// A TOML basic string.
fn quoted(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn list(items: &[String]) -> String {
    format!(
        "[{}]",
        items
            .iter()
            .map(|s| quoted(s))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

const HEAD: &str = "\
# fairaudit project configuration: `fairaudit run` runs every audit below, one run per
# input file, and exits 0 (every gate passed), 1 (a gate failed) or 2 (an input could not be
# read). `fairaudit run --list` shows what would run.
#
# Every key of an audit, but `command`, `inputs`, `extends` and `combine`, is the long name of
# one of the command's flags (`fairaudit COMMAND --help`): `group = [\"race\"]` is `--group race`.
# Paths are relative to this file; in values, {audit} is the audit's name and {stem} the
# input's file name without its extension. Documentation: docs/config.md.

[defaults]
# Flags for every audit whose command has them, e.g.
# na-values = \"NA,.,-999\"
";

/// The starter configuration for `file` (read from where the user is), naming it `input`.
/// Also what the user must fill in before the first run.
fn starter(file: &str, input: &str) -> Result<(String, Vec<String>)> {
    let mut out = String::from(HEAD);
    let mut notes: Vec<String> = Vec::new();
    if file.to_ascii_lowercase().ends_with(".pb") {
        if !Path::new(file).is_file() {
            bail!("{file}: no such file");
        }
        let _ = write!(
            out,
            "
[audits.budget]
command = \"allocate pb\"
inputs = [{input}]
# The rule whose outcome is audited (greedy, mes, ...); see `fairaudit allocate pb --help`.
rule = \"mes\"
output = \"reports/{{audit}}-{{stem}}.md\"
# fail-if = [\"...\"]  # gates on the outcome's figures, e.g. EJR or the budget spent
",
            input = quoted(input)
        );
        return Ok((out, notes));
    }
    let source = crate::input::source(file)?;
    let opened = source.open()?;
    let schema = opened.schema.clone();
    // Scores are numbers (CSV columns are read as text: their first values must parse).
    let scores = |c: &Option<String>| -> bool {
        let Some(c) = c else { return false };
        match schema.get(c) {
            Some(dt) if dt.is_primitive_numeric() => true,
            // RM-Bench: a list of scores per response (three styles).
            Some(DataType::List(inner)) if inner.is_primitive_numeric() => true,
            Some(DataType::String) => {
                let sample = opened
                    .frame
                    .clone()
                    .limit(200)
                    .select([col(c.as_str()).cast(DataType::Float64).alias("x")]);
                source
                    .collect(sample)
                    .ok()
                    .and_then(|d| d.column("x").ok().map(|x| x.null_count() < x.len()))
                    .unwrap_or(false)
            }
            _ => false,
        }
    };
    let (chosen, rejected) = (
        detect_column(&schema, CHOSEN_NAMES),
        detect_column(&schema, REJECTED_NAMES),
    );
    if chosen.is_some() && rejected.is_some() && !(scores(&chosen) && scores(&rejected)) {
        bail!(
            "{file}: '{}' and '{}' hold text, not scores: fairaudit audits the scores a reward model gave (no model is run); score the pairs first, then run init on the score file",
            chosen.unwrap_or_default(),
            rejected.unwrap_or_default()
        );
    }
    if let (Some(chosen), Some(rejected)) = (chosen, rejected) {
        let _ = write!(
            out,
            "
# Detected a reward-model score file: chosen score '{chosen}', rejected score '{rejected}'.
[audits.reward]
command = \"audit-reward\"
inputs = [{input}]
output = \"reports/{{audit}}-{{stem}}.md\"
# A gate on a headline number of the report (`fairaudit audit-reward FILE --json` lists them),
# e.g. the preference accuracy of a pairs file:
# fail-if = [\"accuracy < 0.6\"]
",
            chosen = comment_text(&chosen),
            rejected = comment_text(&rejected),
            input = quoted(input)
        );
        notes.push("a reward-model score file: check the kind `fairaudit audit-reward FILE` reports, then add gates".into());
        return Ok((out, notes));
    }
    let label = detect_column(&schema, LABEL_NAMES);
    let pred = detect_column(&schema, PRED_NAMES);
    let score = detect_column(&schema, SCORE_NAMES);
    let taken: Vec<&str> = [&label, &pred, &score]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    let groups = group_candidates(&source, &opened, &taken)?;
    let mut audit = String::new();
    let _ = writeln!(audit, "\n[audits.fairness]\ncommand = \"audit-fairness\"");
    let _ = writeln!(audit, "inputs = [{}]", quoted(input));
    match &label {
        Some(l) => {
            let _ = writeln!(audit, "label = {}  # detected by its name", quoted(l));
        }
        None => audit.push_str(
            "# label = \"y_true\"  # no label column detected by name: the audit is label-free (the decisions only); name the true outcome if there is one\n",
        ),
    }
    match (&pred, &score) {
        (Some(p), _) => {
            let _ = writeln!(audit, "pred = {}  # detected by its name", quoted(p));
            if let Some(s) = &score {
                let _ = writeln!(
                    audit,
                    "score = {}  # {}",
                    quoted(s),
                    if label.is_some() {
                        "adds ROC AUC, calibration and Brier score per group"
                    } else {
                        "with `distribution = true`: the groups' score distributions (KS, Wasserstein, quantiles)"
                    }
                );
            }
        }
        (None, Some(s)) => {
            let _ = writeln!(
                audit,
                "score = {}  # predictions are score >= threshold\nthreshold = 0.5",
                quoted(s)
            );
        }
        (None, None) => audit.push_str(
            "# pred = \"y_pred\"  # no prediction or score column detected by name: name one\n",
        ),
    }
    let names: Vec<String> = groups.iter().map(|(n, _)| n.clone()).collect();
    let chosen: Vec<String> = names.iter().take(2).cloned().collect();
    if chosen.is_empty() {
        audit.push_str(
            "# group = [\"race\", \"sex\"]  # no column with 2 to 30 values found: name the sensitive attributes\n",
        );
    } else {
        let _ = writeln!(
            audit,
            "# Each attribute on its own and their intersection. Columns with 2 to {MAX_GROUPS} values:\n# {}",
            groups
                .iter()
                .map(|(n, k)| format!("{} ({k})", comment_text(n)))
                .collect::<Vec<_>>()
                .join(", ")
        );
        let _ = writeln!(audit, "group = {}", list(&chosen));
    }
    // Without a label the audit is label-free: the four-fifths gate still applies.
    let complete = (pred.is_some() || score.is_some()) && !chosen.is_empty();
    if label.is_none() {
        notes.push("no label column detected by name: the audit is label-free (the decisions only) unless you set `label`".into());
    }
    if pred.is_none() && score.is_none() {
        notes.push(
            "no prediction or score column detected by name: set `pred` or `score` before running"
                .into(),
        );
    }
    if chosen.is_empty() {
        notes.push(
            "no column with 2 to 30 values: set `group` to the sensitive attributes before running"
                .into(),
        );
    }
    if !complete {
        notes.push("the gate is commented out until the columns are set".into());
    }
    audit.push_str(
        "# The four-fifths rule: fail when a group's selection rate is under 0.8 of another's.\n",
    );
    if !complete {
        audit.push_str("# ");
    }
    audit.push_str("fail-if = [\"demographic_parity_ratio < 0.8\"]\n");
    if label.is_some() {
        audit.push_str(
            "# fail-if = [\"equalized_odds_difference > 0.1\", \"race:false_positive_rate > 0.3\"]\n",
        );
    } else {
        // A label-free audit: the decisions against the most-selected group.
        audit.push_str(
            "# fail-if = [\"impact_ratio.upper < 0.8\", \"z_test_p_value < 0.05\"]\n# exclude-unknown = true  # leave missing categories out of the comparisons\n# preset = \"eeoc\"  # or \"ll144\": the NYC Local Law 144 bias-audit tables\n",
        );
    }
    audit.push_str(
        "output = \"reports/{audit}-{stem}.html\"
# bootstrap = 1000
# seed = 1
",
    );
    out.push_str(&audit);
    if label.is_none() || (pred.is_none() && score.is_none()) {
        let cols: Vec<String> = schema.iter_names().map(|n| n.to_string()).collect();
        let _ = writeln!(
            out,
            "\n# The file's columns: {}",
            comment_text(&cols.join(", "))
        );
    }
    Ok((out, notes))
}

/// Columns that look like sensitive attributes: text, categorical or boolean columns with 2 to
/// [`MAX_GROUPS`] values in the first rows, and whole-number columns with few values whose name
/// is a usual attribute name. Attribute-like names first. Each with its number of values.
fn group_candidates(
    source: &crate::input::Source,
    opened: &crate::input::Opened,
    taken: &[&str],
) -> Result<Vec<(String, usize)>> {
    let mut candidates: Vec<String> = Vec::new();
    for (name, dt) in opened.schema.iter() {
        let n = name.as_str();
        if taken.contains(&n) {
            continue;
        }
        let textual = matches!(dt, DataType::String | DataType::Boolean)
            || matches!(dt, DataType::Categorical(..) | DataType::Enum(..));
        let small_int = dt.is_integer() && SENSITIVE.contains(&n.to_ascii_lowercase().as_str());
        if textual || small_int {
            candidates.push(n.to_string());
        }
    }
    if candidates.is_empty() {
        return Ok(Vec::new());
    }
    let exprs: Vec<Expr> = candidates
        .iter()
        .map(|c| col(c.as_str()).n_unique().alias(c.as_str()))
        .collect();
    let frame = opened.frame.clone().limit(SAMPLE_ROWS).select(exprs);
    let counts = source.collect(frame)?;
    let mut out: Vec<(String, usize)> = Vec::new();
    for c in &candidates {
        let k = counts
            .column(c)
            .ok()
            .and_then(|s| s.get(0).ok())
            .and_then(|v| v.extract::<u64>())
            .unwrap_or(0) as usize;
        if (2..=MAX_GROUPS).contains(&k) {
            out.push((c.clone(), k));
        }
    }
    // Attribute-like names first, then file order.
    out.sort_by_key(|(n, _)| {
        let lower = n.to_ascii_lowercase();
        !SENSITIVE
            .iter()
            .any(|s| lower == *s || lower.starts_with(&format!("{s}_")))
    });
    Ok(out)
}
