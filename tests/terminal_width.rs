//! Tables fit the terminal: every command of the README and of every `--help` that runs on
//! shipped fixtures prints box-table lines of at most 100 characters (and no wider than the
//! terminal) with `COLUMNS=80` and `COLUMNS=120`; `--help` examples are never broken inside a
//! command at 80 columns. The commands are read from README.md and from the `--help` output,
//! so a new example is covered without touching this file.

mod common;

use common::{bin, root};

/// The characters comfy-table draws boxes with.
const BORDERS: &[char] = &[
    '│', '┆', '┌', '┐', '└', '┘', '├', '┤', '┬', '┴', '┼', '╞', '╪', '╡', '═',
];

/// Splits a command line as a POSIX shell does for the cases examples use: single and double
/// quotes, backslash escapes. `None` when a quote is left open.
fn shell_words(line: &str) -> Option<Vec<String>> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '\'' => break,
                        x => cur.push(x),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next()? {
                        '"' => break,
                        '\\' => cur.push(chars.next()?),
                        x => cur.push(x),
                    }
                }
            }
            '\\' => {
                in_word = true;
                cur.push(chars.next()?);
            }
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Some(words)
}

/// Every `fairaudit ...` command of a text (continuation lines joined, cut at a pipe or a
/// redirection), as its arguments after `fairaudit`.
fn commands(text: &str) -> Vec<Vec<String>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let mut line = lines[i].trim().to_string();
        if line.starts_with("fairaudit ") {
            while line.ends_with('\\') && i + 1 < lines.len() {
                i += 1;
                line = format!(
                    "{} {}",
                    line.trim_end_matches('\\').trim_end(),
                    lines[i].trim()
                );
            }
            if let Some(mut words) = shell_words(&line) {
                if let Some(end) = words
                    .iter()
                    .position(|w| matches!(w.as_str(), "|" | ">" | "<" | "&&" | ";"))
                {
                    words.truncate(end);
                }
                out.push(words[1..].to_vec());
            }
        }
        i += 1;
    }
    out
}

/// Whether an argument names a file (by its extension or folder).
fn looks_like_path(arg: &str) -> bool {
    let exts = [
        ".csv", ".tsv", ".parquet", ".json", ".jsonl", ".ndjson", ".pb", ".arrow", ".ipc", ".txt",
    ];
    exts.iter().any(|e| arg.ends_with(e)) || arg.starts_with("fixtures/")
}

/// A command that reads shipped files only, and writes none (no `-o`, `--plot`, side files).
fn runs_on_shipped_files(args: &[String]) -> bool {
    const WRITES: [&str; 6] = [
        "-o",
        "--output",
        "--plot",
        "--emit-stats",
        "--allocation-out",
        "--export-suspect",
    ];
    if args.iter().any(|a| {
        WRITES
            .iter()
            .any(|w| a == w || a.starts_with(&format!("{w}=")))
    }) {
        return false;
    }
    let files: Vec<&String> = args.iter().filter(|a| looks_like_path(a)).collect();
    !files.is_empty() && files.iter().all(|f| root().join(f.as_str()).is_file())
}

/// `fairaudit ARGS --help` at a terminal width.
fn help(args: &[&str], columns: &str) -> String {
    let out = bin()
        .args(args)
        .arg("--help")
        .env("COLUMNS", columns)
        .output()
        .expect("ran");
    String::from_utf8(out.stdout).expect("UTF-8")
}

/// Every command path (`["allocate", "pb"]`, ...), from the "Commands:" sections of the help.
fn command_paths(prefix: &[&str]) -> Vec<Vec<String>> {
    let text = help(prefix, "1000");
    let mut out = Vec::new();
    let Some(start) = text.find("Commands:\n") else {
        return out;
    };
    for line in text[start + "Commands:\n".len()..].lines() {
        if !line.starts_with("  ") {
            break;
        }
        let name = line.split_whitespace().next().unwrap_or("");
        if name.is_empty() || name == "help" {
            continue;
        }
        let mut path: Vec<String> = prefix.iter().map(|s| s.to_string()).collect();
        path.push(name.to_string());
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        let children = command_paths(&p);
        if children.is_empty() {
            out.push(path);
        } else {
            out.extend(children);
        }
    }
    out
}

/// The text from the `Examples:` (or `Example:`) heading on.
fn examples_section(help: &str) -> Option<&str> {
    help.find("\nExample").map(|i| &help[i + 1..])
}

#[test]
fn readme_and_help_commands_print_tables_that_fit() {
    let readme = std::fs::read_to_string(root().join("README.md")).expect("README.md");
    let mut all = commands(&readme);
    for path in command_paths(&[]) {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        all.extend(commands(&help(&p, "1000")));
    }
    let mut seen: Vec<Vec<String>> = Vec::new();
    for args in all {
        if !runs_on_shipped_files(&args) || seen.contains(&args) {
            continue;
        }
        seen.push(args);
    }
    assert!(
        seen.len() >= 15,
        "too few shipped-fixture commands found: {seen:?}"
    );
    let mut too_wide = Vec::new();
    for args in &seen {
        for columns in [80usize, 120] {
            let out = bin()
                .args(args)
                .env("COLUMNS", columns.to_string())
                .output()
                .expect("ran");
            let stdout = String::from_utf8_lossy(&out.stdout);
            let limit = columns.min(100);
            let widest = stdout
                .lines()
                .filter(|l| l.contains(BORDERS))
                .map(|l| l.chars().count())
                .max()
                .unwrap_or(0);
            if widest > limit {
                too_wide.push(format!(
                    "COLUMNS={columns}: fairaudit {} prints a table line of {widest} characters (limit {limit})",
                    args.join(" ")
                ));
            }
        }
    }
    assert!(too_wide.is_empty(), "{}", too_wide.join("\n"));
}

#[test]
fn help_examples_are_never_broken_inside_a_command() {
    let paths = command_paths(&[]);
    assert!(paths.len() >= 7, "{paths:?}");
    let mut broken = Vec::new();
    for path in paths {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        let wide = help(&p, "1000");
        let narrow = help(&p, "80");
        let (Some(wide), Some(narrow)) = (examples_section(&wide), examples_section(&narrow))
        else {
            continue;
        };
        // What a wide terminal shows is what was written; at 80 columns every line of a
        // command must be the same line (nothing wrapped into the next).
        for line in wide.lines() {
            let t = line.trim_start();
            if t.is_empty() || t.starts_with('#') || t.ends_with(':') {
                continue;
            }
            if !narrow.lines().any(|n| n == line) {
                broken.push(format!(
                    "fairaudit {} --help at 80 columns breaks: {line}",
                    p.join(" ")
                ));
            }
        }
        for args in commands(narrow) {
            if args.is_empty() {
                broken.push(format!("fairaudit {}: an empty example", p.join(" ")));
            }
        }
        // Every example line that is a command parses on its own (no quote left open).
        for line in narrow.lines() {
            if line.trim_start().starts_with("fairaudit ")
                && shell_words(line.trim().trim_end_matches('\\')).is_none()
            {
                broken.push(format!("unbalanced quotes: {line}"));
            }
        }
    }
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

/// Runs `fairaudit ARGS` at `COLUMNS=columns` (`None`: unset, not a terminal), returns stdout
/// and the exit code.
fn run(args: &[&str], columns: Option<&str>) -> (String, Option<i32>) {
    let mut c = bin();
    c.args(args);
    match columns {
        Some(w) => c.env("COLUMNS", w),
        None => c.env_remove("COLUMNS"),
    };
    let out = c.output().expect("ran");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code(),
    )
}

fn widest_table_line(text: &str) -> usize {
    text.lines()
        .filter(|l| l.contains(BORDERS))
        .map(|l| l.chars().count())
        .max()
        .unwrap_or(0)
}

#[test]
fn without_columns_tables_are_fitted_to_100() {
    let (out, code) = run(
        &["audit-fairness", "fixtures/compas.csv", "-g", "race"],
        None,
    );
    assert_eq!(code, Some(0));
    assert!(widest_table_line(&out) <= 100, "{out}");
    // At 100 the default columns fit side by side: one row per group.
    assert!(out.contains("│ group "), "{out}");
    assert!(
        out.contains("│ African-American ┆ 3,696 ┆ 0.5123 ┆"),
        "{out}"
    );
    // A width that is not a positive integer is ignored.
    let (odd, _) = run(
        &["audit-fairness", "fixtures/compas.csv", "-g", "race"],
        Some("wide"),
    );
    assert_eq!(odd, out);
}

#[test]
fn narrow_terminals_get_one_row_per_metric() {
    let (out, _) = run(
        &["audit-fairness", "fixtures/compas.csv", "-g", "race"],
        Some("80"),
    );
    assert!(widest_table_line(&out) <= 80, "{out}");
    // The groups are the columns, the metrics the rows; the numbers are whole.
    assert!(out.contains("│ sel   ┆"), "{out}");
    assert!(out.contains("0.5882"), "{out}");
    assert!(out.contains("3,696"), "{out}");
}

#[test]
fn metrics_flag_chooses_the_group_columns() {
    let (out, code) = run(
        &[
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "--metrics",
            "false_negative_rate,f1",
        ],
        Some("120"),
    );
    assert_eq!(code, Some(0));
    let header = out
        .lines()
        .find(|l| l.starts_with("│ group"))
        .expect("a group table");
    assert!(header.contains("fnr") && header.contains("f1"), "{header}");
    assert!(!header.contains("sel"), "{header}");
    assert!(out.contains("fnr = false negative rate"), "{out}");
    // JSON keeps every metric whatever --metrics says.
    let (json, _) = run(
        &[
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "--metrics",
            "f1",
            "--json",
        ],
        None,
    );
    assert!(json.contains("\"selection_rate\""));
    let err = common::audit_error(&["fixtures/compas.csv", "-g", "race", "--metrics", "fpr_rate"]);
    assert!(err.contains("unknown metric 'fpr_rate'"), "{err}");
    let err = common::audit_error(&[
        "fixtures/compas.csv",
        "-g",
        "race",
        "--metrics",
        "selection_rat",
    ]);
    assert!(err.contains("did you mean 'selection_rate'?"), "{err}");
}

#[test]
fn abbreviations_small_groups_and_amounts_are_explained() {
    let (out, _) = run(
        &["audit-fairness", "fixtures/compas.csv", "-g", "race"],
        Some("120"),
    );
    assert!(out.contains("sel = selection rate"), "{out}");
    assert!(out.contains("di = disparate impact"), "{out}");
    // 18 rows: marked, with the legend.
    assert!(out.contains("│ Native American* ┆    18 ┆"), "{out}");
    assert!(
        out.contains("* fewer than 30 rows: rates are unreliable"),
        "{out}"
    );

    let (pb, _) = run(
        &[
            "allocate",
            "pb",
            "fixtures/pb/poland_warszawa_2017_anin.pb",
            "--rule",
            "mes",
            "--completion",
            "add1",
        ],
        Some("80"),
    );
    assert!(pb.contains("61,000"), "{pb}");
    assert!(pb.contains("110,820"), "{pb}");
    assert!(!pb.contains("61000.0000"), "{pb}");
    assert!(widest_table_line(&pb) <= 80, "{pb}");

    let (check, _) = run(
        &[
            "allocate",
            "check",
            "fixtures/allocate/goods.csv",
            "--allocation",
            "fixtures/allocate/unfair_allocation.csv",
        ],
        Some("80"),
    );
    // Witnesses as words, not JSON.
    assert!(
        check.contains("agent bob · envies alice · own 3 · other 20"),
        "{check}"
    );
    assert!(!check.contains("{\"agent\""), "{check}");
}

#[test]
fn reward_group_table_takes_metrics_too() {
    let args = [
        "audit-reward",
        "fixtures/reward/pairs.csv",
        "--group",
        "lang",
    ];
    let (out, code) = run(&args, Some("80"));
    assert_eq!(code, Some(0));
    assert!(out.contains("mean margin"), "{out}");
    assert!(!out.contains("mean chosen"), "{out}");
    assert!(out.contains("margin = chosen − rejected score"), "{out}");
    assert!(widest_table_line(&out) <= 80, "{out}");
    let mut chosen = args.to_vec();
    chosen.extend(["--metrics", "mean_chosen,mean_rejected"]);
    let (out, _) = run(&chosen, Some("80"));
    assert!(
        out.contains("mean chosen") && !out.contains("mean margin"),
        "{out}"
    );
    let err = common::engine_error(
        "audit-reward",
        &[
            "fixtures/reward/pairs.csv",
            "--group",
            "lang",
            "--metrics",
            "acuracy",
        ],
    );
    assert!(err.contains("did you mean 'accuracy'?"), "{err}");
}

#[test]
fn metrics_take_the_tables_short_headers_and_refuse_an_empty_list() {
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "sex",
            "--metrics",
            "tpr,false_positive_rate,di",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let header = text.lines().find(|l| l.contains("group")).unwrap();
    assert!(
        header.contains("tpr") && header.contains("fpr") && header.contains("di"),
        "{header}"
    );
    assert!(!header.contains("sel"), "{header}");
    // A metric the audit does not have is said, not dropped silently.
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "sex",
            "--metrics",
            "tpr,roc_auc",
        ])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("not in this audit: roc_auc"));
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "sex",
            "--metrics",
            "",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
