//! GitHub Actions: annotations (escaped as the runner's toolkit escapes them), the step summary
//! (appended, never truncated), detection on and off, standard output untouched under Actions,
//! and the Action's own script (scripts/action/run.sh) run with the variables a runner sets.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{bin, root};

const GATE: &str = "demographic_parity_difference > 0.1";

fn compas(extra: &[&str]) -> Vec<String> {
    let mut v: Vec<String> = [
        "audit-fairness",
        "fixtures/compas.csv",
        "--group",
        "race",
        "-q",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    v.extend(extra.iter().map(|s| s.to_string()));
    v
}

/// Runs fairaudit with `args` and the variables `env` (others of GitHub's removed by `bin`).
fn run(args: &[String], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.args(args).env_remove("COLUMNS");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8(b.to_vec()).unwrap()
}

/// A step summary file holding what an earlier step wrote.
fn summary_file(dir: &Path) -> PathBuf {
    let p = dir.join("step_summary.md");
    std::fs::write(&p, "# Earlier step\n\nits table\n").unwrap();
    p
}

#[test]
fn explicit_format_escapes_annotations_and_appends_the_summary() {
    let dir = tempfile::tempdir().unwrap();
    // Groups whose names hold the characters workflow commands escape: `%`, `:`, `,`, and a
    // line break (made visible before escaping, as in every text report); both have selection
    // rate 1/2, a third group 0.
    let csv = common::write(
        dir.path(),
        "odd.csv",
        "label_value,score,race\n1,1,\"x%:y,z\"\n0,0,\"x%:y,z\"\n1,1,\"n\nl\"\n0,0,\"n\nl\"\n1,0,p\n0,0,p\n",
    );
    let summary = summary_file(dir.path());
    let args: Vec<String> = [
        "audit-fairness",
        &csv,
        "--group",
        "race",
        "--fail-if",
        "race=x%:y,z:selection_rate > 0.1",
        "--fail-if",
        "selection_rate > 0.1",
        "--format",
        "github",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = run(&args, &[("GITHUB_STEP_SUMMARY", summary.to_str().unwrap())]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = text(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    // The scoped gate: its title with `%`, `:` and `,` escaped; the file as given (no
    // GITHUB_WORKSPACE), its commas and colons escaped too (none in a temporary path).
    let odd = format!("{csv} race=x%25:y,z selection_rate: 0.5");
    assert_eq!(
        lines[0],
        format!(
            "::error file={},title=race=x%25%3Ay%2Cz%3Aselection_rate > 0.1::{odd}",
            csv.replace('%', "%25")
                .replace(':', "%3A")
                .replace(',', "%2C")
        ),
        "{stdout}"
    );
    // The unscoped gate: both failing groups in one message, one per line (`%0A`), the line
    // break inside a name shown as ␊.
    let file_property = csv
        .replace('%', "%25")
        .replace(':', "%3A")
        .replace(',', "%2C");
    let message = lines[1]
        .strip_prefix(&format!(
            "::error file={file_property},title=selection_rate > 0.1::"
        ))
        .unwrap_or_else(|| panic!("{}", lines[1]));
    let mut values: Vec<&str> = message.split("%0A").collect();
    values.sort();
    assert_eq!(
        values,
        [
            format!("{csv} race=n\u{240a}l selection_rate: 0.5"),
            odd.clone()
        ]
    );
    // Warnings as ::warning, then the verdict line.
    assert!(lines[2..lines.len() - 1]
        .iter()
        .all(|l| l.starts_with("::warning ")));
    assert!(
        lines
            .last()
            .unwrap()
            .starts_with("fairaudit audit-fairness: 2 of 2 gates failed"),
        "{stdout}"
    );
    // The step summary kept the earlier step's text and got the Markdown report after it.
    let markdown = {
        let mut a = args.clone();
        let n = a.len();
        a[n - 1] = "markdown".into();
        text(&run(&a, &[]).stdout)
    };
    assert!(markdown.contains("## Gates"), "{markdown}");
    assert_eq!(
        std::fs::read_to_string(&summary).unwrap(),
        format!("# Earlier step\n\nits table\n\n{markdown}")
    );
}

#[test]
fn explicit_format_without_a_step_summary_says_so() {
    let out = run(&compas(&["--fail-if", GATE, "--format", "github"]), &[]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the gate's verdict stays the exit code"
    );
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("GITHUB_STEP_SUMMARY is not set"),
        "{stderr}"
    );
    assert!(text(&out.stdout).starts_with("::error file=fixtures/compas.csv,title=demographic_parity_difference > 0.1::fixtures/compas.csv race demographic_parity_difference: 0.45"));
}

#[test]
fn detected_under_actions_keeps_stdout_and_annotates_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let summary = summary_file(dir.path());
    let args = compas(&["--fail-if", GATE, "--json"]);
    let plain = run(&args, &[]);
    assert_eq!(plain.status.code(), Some(1));
    let actions = run(
        &args,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    assert_eq!(actions.status.code(), Some(1));
    // `--json | jq` keeps working: the same bytes on standard output.
    assert_eq!(actions.stdout, plain.stdout);
    let json: serde_json::Value = serde_json::from_slice(&actions.stdout).unwrap();
    let dpd = json["gates"][0]["failures"][0]["value"].as_f64().unwrap();
    let stderr = text(&actions.stderr);
    let error = format!(
        "::error file=fixtures/compas.csv,title={GATE}::fixtures/compas.csv race demographic_parity_difference: {dpd}\n"
    );
    assert!(stderr.contains(&error), "{stderr}");
    assert!(stderr.contains("::warning file=fixtures/compas.csv,title=fairaudit warning::"));
    // Everything plain stderr had is still there.
    for line in text(&plain.stderr).lines() {
        assert!(stderr.contains(line));
    }
    let markdown = text(&run(&compas(&["--fail-if", GATE, "--format", "markdown"]), &[]).stdout);
    assert_eq!(
        std::fs::read_to_string(&summary).unwrap(),
        format!("# Earlier step\n\nits table\n\n{markdown}")
    );
    // A second run appends again (a job with two audits).
    let again = run(
        &args,
        &[
            ("GITHUB_ACTIONS", "true"),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    assert_eq!(again.stdout, plain.stdout);
    assert_eq!(
        std::fs::read_to_string(&summary).unwrap(),
        format!("# Earlier step\n\nits table\n\n{markdown}\n{markdown}")
    );
}

#[test]
fn detection_switched_off_or_absent_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let summary = summary_file(dir.path());
    let before = std::fs::read_to_string(&summary).unwrap();
    let args = compas(&["--fail-if", GATE, "--json"]);
    let plain = run(&args, &[]);
    let s = summary.to_str().unwrap();
    for env in [
        vec![
            ("GITHUB_ACTIONS", "true"),
            ("FAIRAUDIT_GITHUB", "0"),
            ("GITHUB_STEP_SUMMARY", s),
        ],
        vec![
            ("GITHUB_ACTIONS", "true"),
            ("FAIRAUDIT_GITHUB", "off"),
            ("GITHUB_STEP_SUMMARY", s),
        ],
        vec![("GITHUB_ACTIONS", "false"), ("GITHUB_STEP_SUMMARY", s)],
        vec![("GITHUB_STEP_SUMMARY", s)],
    ] {
        let out = run(&args, &env);
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(out.stdout, plain.stdout, "{env:?}");
        assert_eq!(out.stderr, plain.stderr, "{env:?}");
        assert_eq!(
            std::fs::read_to_string(&summary).unwrap(),
            before,
            "{env:?}"
        );
    }
    // Detected, but no step summary variable: annotations only, nothing said about it.
    let out = run(&args, &[("GITHUB_ACTIONS", "true")]);
    let stderr = text(&out.stderr);
    assert!(stderr.contains("::error "), "{stderr}");
    assert!(!stderr.contains("GITHUB_STEP_SUMMARY"), "{stderr}");
}

#[test]
fn annotation_files_are_relative_to_the_workspace() {
    let input = root().join("fixtures/compas.csv");
    let out = bin()
        .current_dir(root().join("tests"))
        .args([
            "audit-fairness",
            input.to_str().unwrap(),
            "--group",
            "race",
            "-q",
        ])
        .args(["--fail-if", GATE, "--format", "github"])
        .env("GITHUB_WORKSPACE", root())
        .output()
        .unwrap();
    let stdout = text(&out.stdout);
    assert!(
        stdout.starts_with("::error file=fixtures/compas.csv,title="),
        "{stdout}"
    );
}

/// Runs scripts/action/run.sh as the composite step does: the runner's variables, the inputs as
/// INPUT_*, fairaudit found on PATH.
fn action(dir: &Path, command: &str, args: &str) -> (Output, String, String) {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_fairaudit"));
    let path = format!(
        "{}:{}",
        exe.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let outputs = dir.join("github_output");
    let summary = dir.join("step_summary.md");
    std::fs::write(&summary, "# Earlier step\n").unwrap();
    std::fs::write(&outputs, "").unwrap();
    let temp = dir.join("runner_temp");
    std::fs::create_dir_all(&temp).unwrap();
    let out = std::process::Command::new("bash")
        .arg(root().join("scripts/action/run.sh"))
        .current_dir(dir)
        .env_clear()
        .env("PATH", path)
        .env("HOME", dir)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_OUTPUT", &outputs)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_WORKSPACE", root())
        .env("RUNNER_TEMP", &temp)
        .env("INPUT_COMMAND", command)
        .env("INPUT_ARGS", args)
        .env("INPUT_WORKING_DIRECTORY", root())
        .output()
        .unwrap();
    (
        out,
        std::fs::read_to_string(&outputs).unwrap(),
        std::fs::read_to_string(&summary).unwrap(),
    )
}

/// `key=value` lines of the outputs file.
fn output_of<'a>(outputs: &'a str, key: &str) -> &'a str {
    outputs
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("{key} in {outputs}"))
}

#[test]
fn action_script_with_a_failing_and_a_passing_gate() {
    let dir = tempfile::tempdir().unwrap();
    let (out, outputs, summary) = action(
        dir.path(),
        "audit-fairness",
        &format!("fixtures/compas.csv --group race --fail-if '{GATE}'"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(output_of(&outputs, "passed"), "false");
    assert_eq!(output_of(&outputs, "exit-code"), "1");
    let report = PathBuf::from(output_of(&outputs, "report"));
    assert!(
        report.starts_with(dir.path().join("runner_temp")),
        "{report:?}"
    );
    // The report file is what the command printed, and the step printed it too.
    let direct = text(&run(&compas(&["--fail-if", GATE]), &[]).stdout);
    assert_eq!(std::fs::read_to_string(&report).unwrap(), direct);
    // Printed between ::stop-commands::TOKEN and ::TOKEN:: (a report's lines come from the data).
    let printed = text(&out.stdout);
    let (first, rest) = printed.split_once('\n').unwrap();
    let token = first
        .strip_prefix("::stop-commands::")
        .expect("stop-commands first");
    assert!(token.len() > 16, "{token}");
    assert_eq!(rest, format!("{direct}::{token}::\n"));
    assert!(text(&out.stderr).contains(&format!("::error file=fixtures/compas.csv,title={GATE}::")));
    // fairaudit wrote the Markdown report to the summary itself; the script added nothing.
    let markdown = text(&run(&compas(&["--fail-if", GATE, "--format", "markdown"]), &[]).stdout);
    assert_eq!(summary, format!("# Earlier step\n\n{markdown}"));

    let dir = tempfile::tempdir().unwrap();
    let (out, outputs, summary) = action(
        dir.path(),
        "audit-fairness",
        "fixtures/compas.csv --group race --fail-if \"demographic_parity_difference > 0.9\" --json -o out/report.json",
    );
    // -o into a folder that does not exist: exit 2, and the summary says why.
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(output_of(&outputs, "passed"), "false");
    assert_eq!(output_of(&outputs, "exit-code"), "2");
    assert!(summary.starts_with("# Earlier step\n\n### fairaudit audit-fairness\n\ncould not run"));
    assert!(
        summary.contains("the directory out does not exist"),
        "{summary}"
    );

    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("report.json");
    let (out, outputs, summary) = action(
        dir.path(),
        "audit-fairness",
        &format!(
            "fixtures/compas.csv --group race --fail-if \"demographic_parity_difference > 0.9\" --json -o {}",
            json.display()
        ),
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(output_of(&outputs, "passed"), "true");
    assert_eq!(output_of(&outputs, "exit-code"), "0");
    assert_eq!(output_of(&outputs, "report"), json.to_str().unwrap());
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(report["passed"], true);
    assert!(summary.starts_with("# Earlier step\n\n") && summary.contains("## Gates"));
}

#[test]
fn action_script_says_when_fairaudit_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    let outputs = dir.path().join("github_output");
    let out = std::process::Command::new("bash")
        .arg(root().join("scripts/action/run.sh"))
        .env_clear()
        .env("PATH", "/usr/bin:/bin")
        .env("GITHUB_OUTPUT", &outputs)
        .env("RUNNER_TEMP", dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).starts_with("::error title=fairaudit::fairaudit is not on PATH"));
    let outputs = std::fs::read_to_string(outputs).unwrap();
    assert_eq!(output_of(&outputs, "passed"), "false");
    assert_eq!(output_of(&outputs, "exit-code"), "2");
}

/// `args` is split into words (quotes kept, new lines as spaces, so a YAML block works) and
/// never run: `$(...)`, `;` and a new line that looks like a command stay text.
#[test]
fn action_args_are_words_never_commands() {
    let dir = tempfile::tempdir().unwrap();
    let p1 = dir.path().join("p1");
    let p2 = dir.path().join("p2");
    let args = format!(
        "fixtures/compas.csv --group race\n--fail-if '{GATE}'\ntouch {} ; $(touch {})",
        p1.display(),
        p2.display()
    );
    let (out, outputs, _) = action(dir.path(), "audit-fairness", &args);
    assert!(
        !p1.exists() && !p2.exists(),
        "a word of args ran as a command"
    );
    // The words reached fairaudit as words: `touch` is an unexpected argument.
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(output_of(&outputs, "exit-code"), "2");
    // A YAML block of flags, one per line, is the same command as one line.
    let (out, _, _) = action(
        dir.path(),
        "audit-fairness",
        &format!("fixtures/compas.csv\n  --group race\n  --fail-if '{GATE}'\n"),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
}

/// The Action's default command: `fairaudit run` on a project configuration, the JUnit summary
/// as its report, the Markdown summary in the step summary.
#[test]
fn action_runs_the_project_configuration() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        root().join("fixtures/compas.csv"),
        dir.path().join("compas.csv"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("fairaudit.toml"),
        format!(
            "[audits.compas]\ncommand = \"audit-fairness\"\ninputs = \"compas.csv\"\ngroup = [\"race\"]\nfail-if = [\"{GATE}\"]\noutput = \"reports/{{audit}}.json\"\n"
        ),
    )
    .unwrap();
    let config = dir.path().join("fairaudit.toml");
    let results = dir.path().join("results.xml");
    let (out, outputs, summary) = action(
        dir.path(),
        "run",
        &format!("--config '{}' -o '{}'", config.display(), results.display()),
    );
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert_eq!(output_of(&outputs, "passed"), "false");
    assert_eq!(output_of(&outputs, "report"), results.display().to_string());
    let xml = std::fs::read_to_string(&results).unwrap();
    assert!(
        xml.contains("<testsuite name=\"compas compas.csv\""),
        "{xml}"
    );
    assert!(dir.path().join("reports/compas.json").exists());
    assert!(summary.starts_with("# Earlier step\n"), "{summary}");
    assert!(
        summary.contains("| compas | compas.csv | failed | 0/1 | reports/compas.json |"),
        "{summary}"
    );
    assert!(
        text(&out.stderr).contains("title=compas%3A demographic_parity_difference > 0.1::"),
        "{}",
        text(&out.stderr)
    );
}
