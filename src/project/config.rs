//! The project configuration: `fairaudit.toml`, or the `[tool.fairaudit]` table of a
//! `pyproject.toml`, found from the working folder upwards (as ruff finds its own).
//!
//! ```toml
//! [defaults]                 # applied to every audit whose command has the flag
//! quiet = true
//!
//! [audits.compas]
//! command = "audit-fairness" # or "audit-reward", "allocate pb", ...
//! inputs = ["data/*.csv"]    # the command's FILE arguments: globs, relative to this file
//! extends = "base"           # start from another audit's keys (its command, inputs, flags)
//! combine = false            # true: one run over every input (one report), not one per input
//! group = ["race", "sex"]    # every other key is the long name of one of the command's flags
//! fail-if = ["demographic_parity_difference > 0.2"]
//! output = "reports/{audit}-{stem}.html"
//! ```
//!
//! Every key is checked against the command's flags as clap defines them (one vocabulary: the
//! flag's long name), with its type: `true`/`false` for a switch, a string or number for a
//! value, an array for a repeatable flag (or a comma-separated list flag). Errors name the file,
//! the line and the key.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use clap::builder::ArgAction;
use toml_edit::{Item, Table, Value};

/// The keys of an audit table that are not flags.
const AUDIT_KEYS: [&str; 4] = ["command", "inputs", "extends", "combine"];

/// The commands an audit can run: those that write a report with gates.
pub const COMMANDS: [&str; 8] = [
    "audit-fairness",
    "audit-reward",
    "audit-ranking",
    "audit-counterfactual",
    "allocate items",
    "allocate check",
    "allocate shapley",
    "allocate pb",
];

/// Flags that a configuration sets for itself or that make no sense there.
const NOT_IN_CONFIG: [&str; 2] = ["help", "version"];

/// A read configuration.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file read, as messages show it (relative to the working folder when under it).
    pub path: PathBuf,
    /// Its folder: every path in the file is relative to it.
    pub dir: PathBuf,
    /// In file order.
    pub audits: Vec<Audit>,
}

/// One named audit, with `extends` and `[defaults]` applied.
#[derive(Debug, Clone)]
pub struct Audit {
    pub name: String,
    /// The line of its table header (`[audits.NAME]`).
    pub line: usize,
    /// The command words, e.g. `["allocate", "pb"]`.
    pub command: Vec<String>,
    /// Input patterns, each with its line.
    pub inputs: Vec<(String, usize)>,
    /// One run over every input instead of one run per input.
    pub combine: bool,
    /// The flags, in the order written (defaults first).
    pub flags: Vec<Flag>,
}

/// One key of an audit: a flag with its values as command-line words.
#[derive(Debug, Clone)]
pub struct Flag {
    /// The flag's long name (the key).
    pub key: String,
    /// Where the key was written: the line, and the table (`audits.x`, `defaults`).
    pub line: usize,
    pub table: String,
    /// A switch set to true (`--key`) has no values; a value flag one or more.
    pub values: Vec<String>,
    /// Switch off: the key was `false` (the flag is not given).
    pub off: bool,
}

impl Flag {
    /// The command-line words of this flag.
    pub fn words(&self) -> Vec<String> {
        if self.off {
            return Vec::new();
        }
        if self.values.is_empty() {
            return vec![format!("--{}", self.key)];
        }
        self.values
            .iter()
            .map(|v| format!("--{}={v}", self.key))
            .collect()
    }
}

/// Where an error points: `FILE:LINE: [TABLE] key 'KEY': ...`.
#[derive(Debug, Clone)]
pub struct Place<'a> {
    pub file: &'a Path,
    pub line: usize,
    pub table: &'a str,
    pub key: Option<&'a str>,
}

impl Place<'_> {
    pub fn error(&self, message: impl std::fmt::Display) -> anyhow::Error {
        let key = self.key.map(|k| format!(" key '{k}'")).unwrap_or_default();
        anyhow!(
            "{}:{}: [{}]{key}: {message}",
            self.file.display(),
            self.line,
            self.table
        )
    }
}

/// The configuration to use: `given`, or the nearest `fairaudit.toml` / `pyproject.toml` with a
/// `[tool.fairaudit]` table from `start` upwards.
pub fn find(given: Option<&Path>, start: &Path) -> Result<PathBuf> {
    if let Some(p) = given {
        if !p.is_file() {
            bail!(
                "{}: no such configuration file (create one with `fairaudit init FILE`)",
                p.display()
            );
        }
        return Ok(p.to_path_buf());
    }
    for dir in start.ancestors() {
        let own = dir.join("fairaudit.toml");
        if own.is_file() {
            return Ok(own);
        }
        let pyproject = dir.join("pyproject.toml");
        if pyproject.is_file() {
            let text = std::fs::read_to_string(&pyproject).unwrap_or_default();
            if has_tool_table(&text) {
                return Ok(pyproject);
            }
        }
    }
    bail!(
        "no fairaudit.toml (or pyproject.toml with a [tool.fairaudit] table) in {} or a folder above it; \
         create one with `fairaudit init FILE`, or name one with --config",
        start.display()
    )
}

/// Whether a pyproject.toml holds `[tool.fairaudit]`; one that is not valid TOML but mentions
/// `tool.fairaudit` counts (reading it then says what is wrong, instead of passing it by).
fn has_tool_table(text: &str) -> bool {
    match toml_edit::Document::parse(text.to_string()) {
        Ok(d) => d
            .as_table()
            .get("tool")
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.contains_key("fairaudit")),
        Err(_) => text.contains("tool.fairaudit"),
    }
}

/// 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())]
        .iter()
        .filter(|&&b| b == b'\n')
        .count()
        + 1
}

/// Reads and checks a configuration file against the flags of `cli` (the whole command line);
/// messages call it `shown`.
pub fn read(path: &Path, shown: &Path, cli: &clap::Command) -> Result<Config> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("{}: cannot read the configuration", shown.display()))?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text).to_string();
    let doc = toml_edit::Document::parse(text.clone()).map_err(|e| {
        let line = e.span().map(|s| line_of(&text, s.start)).unwrap_or(1);
        let msg = e
            .message()
            .lines()
            .next()
            .unwrap_or("not valid TOML")
            .to_string();
        anyhow!("{}:{line}: not valid TOML: {msg}", shown.display())
    })?;
    let is_pyproject = path.file_name().and_then(|n| n.to_str()) == Some("pyproject.toml");
    let (root, prefix) = if is_pyproject {
        let t = doc
            .as_table()
            .get("tool")
            .and_then(|t| t.get("fairaudit"))
            .and_then(Item::as_table)
            .ok_or_else(|| {
                anyhow!(
                    "{}: no [tool.fairaudit] table; add one, or use a fairaudit.toml",
                    shown.display()
                )
            })?;
        (t, "tool.fairaudit.")
    } else {
        (doc.as_table(), "")
    };
    let reader = Reader {
        file: shown,
        text: &text,
        cli,
        prefix,
    };
    let mut config = reader.config(root)?;
    config.dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(config)
}

struct Reader<'a> {
    file: &'a Path,
    text: &'a str,
    cli: &'a clap::Command,
    prefix: &'a str,
}

/// An audit's own keys before `extends` and `[defaults]` are applied.
#[derive(Debug, Clone)]
struct RawAudit {
    name: String,
    line: usize,
    command: Option<(String, usize)>,
    inputs: Option<Vec<(String, usize)>>,
    extends: Option<(String, usize)>,
    combine: Option<bool>,
    /// key → (line, value item), in file order.
    flags: Vec<(String, usize, Item)>,
}

impl<'a> Reader<'a> {
    fn key_line(&self, table: &Table, key: &str) -> usize {
        table
            .get_key_value(key)
            .and_then(|(k, _)| k.span())
            .map(|s| line_of(self.text, s.start))
            .unwrap_or(1)
    }

    fn table_line(&self, table: &Table) -> usize {
        table
            .span()
            .map(|s| line_of(self.text, s.start))
            .or_else(|| table.iter().next().map(|(k, _)| self.key_line(table, k)))
            .unwrap_or(1)
    }

    fn place(&self, line: usize, table: &'a str, key: Option<&'a str>) -> Place<'a> {
        Place {
            file: self.file,
            line,
            table,
            key,
        }
    }

    fn config(&self, root: &Table) -> Result<Config> {
        let top = if self.prefix.is_empty() {
            "top level".to_string()
        } else {
            self.prefix.trim_end_matches('.').to_string()
        };
        for (key, _) in root.iter() {
            if key != "defaults" && key != "audits" {
                let line = self.key_line(root, key);
                let hint = crate::input::closest_name(key, &["defaults", "audits"])
                    .map(|c| format!(" (did you mean '{c}'?)"))
                    .unwrap_or_default();
                return Err(self.place(line, &top, Some(key)).error(format!(
                    "unknown key{hint}; the file has [defaults] and [audits.NAME] tables"
                )));
            }
        }
        let defaults = match root.get("defaults") {
            None => Vec::new(),
            Some(item) => {
                let line = self.key_line(root, "defaults");
                let t = item.as_table().ok_or_else(|| {
                    self.place(line, &top, Some("defaults"))
                        .error("must be a table: [defaults]")
                })?;
                self.defaults(t)?
            }
        };
        let audits_item = root.get("audits").ok_or_else(|| {
            anyhow!(
                "{}: no audits; add one, e.g.\n[audits.fairness]\ncommand = \"audit-fairness\"\ninputs = [\"preds.csv\"]\ngroup = [\"race\"]",
                self.file.display()
            )
        })?;
        let audits_line = self.key_line(root, "audits");
        let audits_table = audits_item.as_table().ok_or_else(|| {
            self.place(audits_line, &top, Some("audits"))
                .error("must hold tables: [audits.NAME]")
        })?;
        let mut raw = Vec::new();
        for (name, item) in audits_table.iter() {
            let line = self.key_line(audits_table, name);
            // Names go into file names ({audit}) and `fairaudit run NAME`.
            if name.is_empty()
                || name.chars().any(|c| {
                    c.is_control()
                        || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|')
                })
            {
                return Err(self.place(line, "audits", Some(name)).error(
                    "an audit's name must not be empty nor hold a control character or / \\ : * ? \" < > | (it becomes part of file names)",
                ));
            }
            let table = item.as_table().ok_or_else(|| {
                self.place(line, "audits", Some(name))
                    .error(format!("must be a table: [audits.{name}]"))
            })?;
            raw.push(self.raw_audit(name, table)?);
        }
        if raw.is_empty() {
            bail!(
                "{}:{audits_line}: [audits] has no audit",
                self.file.display()
            );
        }
        let mut audits = Vec::new();
        for a in &raw {
            audits.push(self.resolve(a, &raw, &defaults)?);
        }
        Ok(Config {
            path: self.file.to_path_buf(),
            dir: PathBuf::new(),
            audits,
        })
    }

    fn defaults(&self, t: &Table) -> Result<Vec<(String, usize, Item)>> {
        let mut out = Vec::new();
        for (key, item) in t.iter() {
            let line = self.key_line(t, key);
            if AUDIT_KEYS.contains(&key) {
                return Err(self.place(line, "defaults", Some(key)).error(
                    "belongs to an audit ([audits.NAME]); [defaults] holds flags shared by every audit",
                ));
            }
            // A default must be a flag of at least one command.
            let known: Vec<&str> = COMMANDS
                .iter()
                .filter_map(|c| subcommand(self.cli, c))
                .flat_map(|c| c.get_arguments().filter_map(|a| a.get_long()))
                .filter(|l| !NOT_IN_CONFIG.contains(l))
                .collect();
            if !known.contains(&key) {
                return Err(self.place(line, "defaults", Some(key)).error(unknown_flag(
                    key,
                    &known,
                    "any audit command",
                )));
            }
            out.push((key.to_string(), line, item.clone()));
        }
        Ok(out)
    }

    fn raw_audit(&self, name: &str, t: &Table) -> Result<RawAudit> {
        let table = format!("audits.{name}");
        let mut a = RawAudit {
            name: name.to_string(),
            line: self.table_line(t),
            command: None,
            inputs: None,
            extends: None,
            combine: None,
            flags: Vec::new(),
        };
        for (key, item) in t.iter() {
            let line = self.key_line(t, key);
            let here = Place {
                file: self.file,
                line,
                table: &table,
                key: Some(key),
            };
            match key {
                "command" | "extends" => {
                    let s = item.as_str().ok_or_else(|| {
                        here.error(format!("must be a string, not {}", kind(item)))
                    })?;
                    let v = Some((s.to_string(), line));
                    if key == "command" {
                        a.command = v;
                    } else {
                        a.extends = v;
                    }
                }
                "combine" => {
                    a.combine = Some(item.as_bool().ok_or_else(|| {
                        here.error(format!("must be true or false, not {}", kind(item)))
                    })?);
                }
                "inputs" => {
                    let list = strings(item).ok_or_else(|| {
                        here.error(format!(
                            "must be a string or an array of strings (file paths or globs), not {}",
                            kind(item)
                        ))
                    })?;
                    if list.is_empty() {
                        return Err(here.error("is empty; give at least one file or glob"));
                    }
                    a.inputs = Some(list.into_iter().map(|s| (s, line)).collect());
                }
                _ => a.flags.push((key.to_string(), line, item.clone())),
            }
        }
        Ok(a)
    }

    /// The audit with its `extends` chain and `[defaults]` applied, every flag checked.
    fn resolve(
        &self,
        audit: &RawAudit,
        all: &[RawAudit],
        defaults: &[(String, usize, Item)],
    ) -> Result<Audit> {
        // The chain: the audit, what it extends, what that extends, ...
        let mut chain = vec![audit];
        let mut seen = BTreeSet::from([audit.name.as_str()]);
        let mut current = audit;
        while let Some((parent, line)) = &current.extends {
            let table = format!("audits.{}", current.name);
            let Some(p) = all.iter().find(|a| &a.name == parent) else {
                let names: Vec<&str> = all.iter().map(|a| a.name.as_str()).collect();
                let hint = crate::input::closest_name(parent, &names)
                    .map(|c| format!(" (did you mean '{c}'?)"))
                    .unwrap_or_default();
                return Err(self
                    .place(*line, &table, Some("extends"))
                    .error(format!("no audit named '{parent}'{hint}")));
            };
            if !seen.insert(p.name.as_str()) {
                let names: Vec<&str> = chain.iter().map(|a| a.name.as_str()).collect();
                return Err(self.place(*line, &table, Some("extends")).error(format!(
                    "extends in a cycle: {} -> {}",
                    names.join(" -> "),
                    p.name
                )));
            }
            chain.push(p);
            current = p;
        }
        let table = format!("audits.{}", audit.name);
        // The nearest in the chain wins for each key.
        let command = chain.iter().find_map(|a| a.command.clone());
        let Some((command, command_line)) = command else {
            return Err(self
                .place(audit.line, &table, Some("command"))
                .error(format!(
                    "missing; say which command runs, one of: {}",
                    COMMANDS.join(", ")
                )));
        };
        let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
        let norm = words.join(" ");
        let Some(sub) = COMMANDS
            .contains(&norm.as_str())
            .then(|| subcommand(self.cli, &norm))
            .flatten()
        else {
            let hint = crate::input::closest_name(&norm, &COMMANDS)
                .map(|c| format!("did you mean '{c}'? "))
                .unwrap_or_default();
            return Err(self
                .place(command_line, &table, Some("command"))
                .error(format!(
                    "unknown command '{command}'; {hint}one of: {}",
                    COMMANDS.join(", ")
                )));
        };
        let inputs = chain
            .iter()
            .find_map(|a| a.inputs.clone())
            .unwrap_or_default();
        let positional = sub.get_arguments().any(|a| a.is_positional());
        if positional && inputs.is_empty() {
            return Err(self
                .place(audit.line, &table, Some("inputs"))
                .error(format!(
                    "missing; `{norm}` reads files: inputs = [\"data/*.csv\"]"
                )));
        }
        if !positional && !inputs.is_empty() {
            let line = inputs[0].1;
            return Err(self.place(line, &table, Some("inputs")).error(format!(
                "`{norm}` takes no FILE arguments; name its files with its flags (see `fairaudit {norm} --help`)"
            )));
        }
        let combine = chain.iter().find_map(|a| a.combine).unwrap_or(false);
        // Flags: defaults (those the command has), then the chain from the farthest ancestor,
        // each key replacing an earlier one.
        let mut by_key: BTreeMap<String, Flag> = BTreeMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut put = |flag: Flag, order: &mut Vec<String>| {
            if !by_key.contains_key(&flag.key) {
                order.push(flag.key.clone());
            }
            by_key.insert(flag.key.clone(), flag);
        };
        for (key, line, item) in defaults {
            if let Some(arg) = flag_arg(sub, key) {
                put(self.flag(arg, key, *line, "defaults", item)?, &mut order);
            }
        }
        for a in chain.iter().rev() {
            let t = format!("audits.{}", a.name);
            for (key, line, item) in &a.flags {
                let Some(arg) = flag_arg(sub, key) else {
                    let known: Vec<&str> = sub
                        .get_arguments()
                        .filter(|a| !a.is_positional())
                        .filter_map(|a| a.get_long())
                        .filter(|l| !NOT_IN_CONFIG.contains(l))
                        .collect();
                    return Err(self.place(*line, &t, Some(key)).error(unknown_flag(
                        key,
                        &known,
                        &format!("`{norm}`"),
                    )));
                };
                put(self.flag(arg, key, *line, &t, item)?, &mut order);
            }
        }
        let flags = order
            .into_iter()
            .filter_map(|k| by_key.remove(&k))
            .collect();
        Ok(Audit {
            name: audit.name.clone(),
            line: audit.line,
            command: words,
            inputs,
            combine,
            flags,
        })
    }

    /// A key's value as the flag's command-line values, checked against the flag's kind.
    fn flag(
        &self,
        arg: &clap::Arg,
        key: &str,
        line: usize,
        table: &str,
        item: &Item,
    ) -> Result<Flag> {
        let here = self.place(line, table, Some(key));
        let mut flag = Flag {
            key: key.to_string(),
            line,
            table: table.to_string(),
            values: Vec::new(),
            off: false,
        };
        let example = arg
            .get_value_names()
            .and_then(|v| v.first())
            .map(|v| v.to_string())
            .unwrap_or_else(|| "VALUE".into());
        match arg.get_action() {
            ArgAction::SetTrue | ArgAction::SetFalse | ArgAction::Count => {
                let b = item.as_bool().ok_or_else(|| {
                    here.error(format!(
                        "is a switch: write {key} = true (or false), not {}",
                        kind(item)
                    ))
                })?;
                flag.off = !b;
            }
            ArgAction::Append => {
                flag.values = scalars(item).ok_or_else(|| {
                    here.error(format!(
                        "must be a value or an array of values ({example}), not {}",
                        kind(item)
                    ))
                })?;
                if flag.values.is_empty() {
                    flag.off = true;
                }
            }
            _ => {
                if let Some(v) = scalar(item) {
                    flag.values = vec![v];
                } else if let (Some(list), Some(delim)) = (scalars(item), arg.get_value_delimiter())
                {
                    if list.is_empty() {
                        return Err(here.error("is an empty array; leave the key out instead"));
                    }
                    flag.values = vec![list.join(&delim.to_string())];
                } else {
                    let what = if item.is_array() {
                        "takes one value, not an array".to_string()
                    } else {
                        format!("must be a value ({example}), not {}", kind(item))
                    };
                    return Err(here.error(what));
                }
            }
        }
        Ok(flag)
    }
}

/// The clap command of `words` ("allocate pb") inside the whole command line.
pub fn subcommand<'c>(cli: &'c clap::Command, words: &str) -> Option<&'c clap::Command> {
    let mut cmd = cli;
    for w in words.split_whitespace() {
        cmd = cmd.find_subcommand(w)?;
    }
    Some(cmd)
}

/// The non-positional argument whose long name is `key`.
fn flag_arg<'c>(cmd: &'c clap::Command, key: &str) -> Option<&'c clap::Arg> {
    if NOT_IN_CONFIG.contains(&key) {
        return None;
    }
    cmd.get_arguments()
        .find(|a| !a.is_positional() && a.get_long() == Some(key))
}

fn unknown_flag(key: &str, known: &[&str], of: &str) -> String {
    let spelled = key.replace('_', "-");
    let hint = if known.contains(&spelled.as_str()) {
        format!(" (did you mean '{spelled}'? keys are the flags' long names)")
    } else {
        crate::input::closest_name(key, known)
            .map(|c| format!(" (did you mean '{c}'?)"))
            .unwrap_or_default()
    };
    format!("unknown key{hint}: not a flag of {of}")
}

/// A TOML value's kind, for messages.
fn kind(item: &Item) -> &'static str {
    match item {
        Item::None => "nothing",
        Item::Table(_) => "a table",
        Item::ArrayOfTables(_) => "an array of tables",
        Item::Value(v) => match v {
            Value::String(_) => "a string",
            Value::Integer(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Boolean(_) => "true/false",
            Value::Datetime(_) => "a date",
            Value::Array(_) => "an array",
            Value::InlineTable(_) => "a table",
        },
    }
}

/// A string, integer or float as one command-line value.
fn scalar(item: &Item) -> Option<String> {
    item.as_value().and_then(scalar_value)
}

fn scalar_value(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.value().clone()),
        Value::Integer(i) => Some(i.value().to_string()),
        Value::Float(f) => Some(f.value().to_string()),
        _ => None,
    }
}

/// A scalar as a one-value list, or an array of scalars.
fn scalars(item: &Item) -> Option<Vec<String>> {
    if let Some(s) = scalar(item) {
        return Some(vec![s]);
    }
    item.as_array()?.iter().map(scalar_value).collect()
}

/// A string or an array of strings.
fn strings(item: &Item) -> Option<Vec<String>> {
    if let Some(s) = item.as_str() {
        return Some(vec![s.to_string()]);
    }
    item.as_array()?
        .iter()
        .map(|v| v.as_str().map(str::to_string))
        .collect()
}
