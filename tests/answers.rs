//! No wrong answers (issue 12): each kind of fault with the handed-over input in
//! `fixtures/answers/` and variants, asserting the right value.

mod common;

use common::*;

const A: &str = "fixtures/answers";

/// Kind 1: a disparity over fewer than two defined groups is undefined with its reason, and a
/// gate on it fails — in the report, the summary, the bootstrap and the reward engine.
#[test]
fn kind1_disparity_needs_two_defined_groups() {
    let f = format!("{A}/one_group_with_positives.csv");
    let j = audit_json(&[&f, "-g", "group"], 0);
    let g = attr(&j, "group");
    for m in [
        "equal_opportunity_difference",
        "equalized_odds_difference",
        "true_positive_rate_ratio",
        "equal_opportunity_difference_to_overall",
    ] {
        assert_eq!(disp(g, m), None, "{m}");
        assert!(
            g["undefined"][m]
                .as_str()
                .unwrap()
                .contains("true_positive_rate is defined for 1 of 2 groups"),
            "{m}: {}",
            g["undefined"][m]
        );
    }
    // Both groups have a selection rate: that disparity stands (1/3 - 0).
    assert!(close(
        disp(g, "demographic_parity_difference").unwrap(),
        1.0 / 3.0,
        1e-15
    ));
    let out = bin()
        .args([
            "audit-fairness",
            &f,
            "-g",
            "group",
            "--fail-if",
            "equal_opportunity_difference > 0.1",
            "-q",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("undefined (true_positive_rate is defined for 1 of 2 groups"),
        "{err}"
    );
    // --summary: an empty cell, not 0; its gate verdict false.
    let out = bin()
        .args([
            "audit-fairness",
            &f,
            "-g",
            "group",
            "--summary",
            "--format",
            "csv",
            "--fail-if",
            "equal_opportunity_difference > 0.1",
            "-q",
        ])
        .output()
        .unwrap();
    let csv = String::from_utf8(out.stdout).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    let col = |n: &str| row[header.iter().position(|h| *h == n).unwrap()];
    assert_eq!(col("equal_opportunity_difference"), "");
    assert_eq!(col("gates_passed"), "false");
    // Bootstrap: no interval for an undefined disparity.
    let j = audit_json(&[&f, "-g", "group", "--bootstrap", "100", "--seed", "3"], 0);
    let b = &attr(&j, "group")["disparities_bootstrap"];
    assert!(
        b.get("equal_opportunity_difference")
            .is_none_or(|v| v.is_null()),
        "{b}"
    );
    assert!(b["demographic_parity_difference"].is_array());
    // Reward engine: per-group accuracy with a single group.
    let d = tempfile::TempDir::new().unwrap();
    let p = write(d.path(), "p.csv", "chosen,rejected,lang\n1,0,en\n0,1,en\n");
    let j = engine_json("audit-reward", &[&p, "--group", "lang"], 0);
    let text = j.to_string();
    assert!(
        text.contains("accuracy_difference\":null")
            && text.contains("accuracy is defined for 1 of 1 groups"),
        "{text}"
    );
}

/// Kind 7: RewardBench's xstest weights as `rewardbench/constants.py` has them since
/// 2024-09-10 (should-refuse 154, should-respond 250) by default; the swapped pre-2024-09 ones
/// with --legacy-xstest.
#[test]
fn kind7_rewardbench_xstest_weights_as_today() {
    let f = format!("{A}/rewardbench_subset_accuracies.json");
    let j = engine_json("audit-reward", &[&f, "--preset", "rewardbench"], 0);
    let m = &j["inputs"][0]["metrics"];
    assert_eq!(m["rewardbench.safety"].as_f64(), Some(0.9378378378378378));
    assert!(j
        .to_string()
        .contains("should-refuse 154, should-respond 250"));
    let j = engine_json(
        "audit-reward",
        &[&f, "--preset", "rewardbench", "--legacy-xstest"],
        0,
    );
    let legacy = j["inputs"][0]["metrics"]["rewardbench.safety"]
        .as_f64()
        .unwrap();
    assert!((legacy - 0.9378378378378378).abs() > 1e-6, "{legacy}");
}

/// Kind 10: a pabulib file whose ballot column is misnamed (or cumulative ballots without
/// points) is an error naming the section and column, not an empty election; a file cut short
/// is read with a warning that META's count disagrees.
#[test]
fn kind10_pabulib_files_that_are_wrong_do_not_read_as_empty() {
    let e = engine_error("allocate", &["pb", &format!("{A}/pb_votes_typo.pb")]);
    assert!(
        e.contains("VOTES section has no 'vote' column") && e.contains("'votes'"),
        "{e}"
    );
    let d = tempfile::TempDir::new().unwrap();
    let cumulative = write(
        d.path(),
        "c.pb",
        "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n1;5\n2;5\nVOTES\nvoter_id;vote\n1;1,2\n",
    );
    let e = engine_error("allocate", &["pb", &cumulative]);
    assert!(e.contains("no 'points' column"), "{e}");
    let cut = write(
        d.path(),
        "cut.pb",
        "META\nkey;value\nnum_votes;6\nbudget;13\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;9\n2;9\nVOTES\nvoter_id;vote\n1;1\n2;2\n3;1,2\n",
    );
    let j = engine_json("allocate", &["pb", &cut], 0);
    assert!(
        j["warnings"]
            .to_string()
            .contains("META says num_votes 6 but the file has 3 votes"),
        "{j}"
    );
}

/// Kind 12: every key the schema documents is present, an empty outcome included.
#[test]
fn kind12_keys_never_vanish() {
    let d = tempfile::TempDir::new().unwrap();
    // Every project costs more than the budget: nothing is funded.
    let pb = write(
        d.path(),
        "none.pb",
        "META\nkey;value\nbudget;1\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\n2;5\nVOTES\nvoter_id;vote\n1;1\n2;2\n",
    );
    let j = engine_json("allocate", &["pb", &pb], 0);
    assert_eq!(j["allocation"], serde_json::json!([]));
    for key in [
        "allocation",
        "properties",
        "agents",
        "envy_graph",
        "players",
        "core_witness",
        "metrics",
        "undefined",
        "warnings",
        "gates",
    ] {
        assert!(j.get(key).is_some(), "{key} missing");
    }
    let j = engine_json("allocate", &["shapley", "fixtures/allocate/glove.csv"], 0);
    assert!(j["allocation"].is_array() && j["players"].is_array());
    // audit-fairness and audit-reward: views not asked for are present as null / empty.
    let j = audit_json(&["fixtures/compas.csv", "-g", "race"], 0);
    let a = attr(&j, "race");
    for key in [
        "reference",
        "conditional",
        "class",
        "disparities_bootstrap",
        "xauc",
    ] {
        assert!(a.get(key).is_some(), "attribute key {key} missing");
    }
    assert!(j["settings"].get("task_detected").is_some());
    assert!(j.get("thresholds").is_some_and(|t| t.is_array()));
    let j = engine_json("audit-reward", &["fixtures/reward/pairs.csv"], 0);
    for key in [
        "rewardbench",
        "rm_bench",
        "length",
        "comparison",
        "groups",
        "intervals",
    ] {
        assert!(j["inputs"][0].get(key).is_some(), "input key {key} missing");
    }
}

/// Kind 6: one definition of matching a --positive value for every path: the direct audit and
/// `fairaudit sql`'s query (run by DuckDB, scripts/oracle_sql.py, then --from-stats) give the
/// same counts.
#[test]
fn kind6_positive_matches_the_same_way_on_every_path() {
    let f = format!("{A}/positive_case.csv");
    let direct = audit_json(
        &[
            &f,
            "--label",
            "label",
            "--pred",
            "pred",
            "-g",
            "region",
            "--positive",
            "yes",
        ],
        0,
    );
    let counts = |j: &serde_json::Value| -> Vec<serde_json::Value> {
        attr(j, "region")["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["counts"].clone())
            .collect()
    };
    // `yes` and `Yes` are the same boolean: north's three "yes"-like labels are positive.
    assert!(close(
        metric(group(attr(&direct, "region"), "north"), "base_rate").unwrap(),
        0.75,
        1e-15
    ));
    let p = sql_statistics(
        "positive_case",
        &[
            "--dialect",
            "duckdb",
            "--label",
            "label",
            "--pred",
            "pred",
            "--positive",
            "yes",
            "-g",
            "region",
        ],
    );
    let merged = audit_json(&["--from-stats", p.to_str().unwrap()], 0);
    assert_eq!(counts(&merged), counts(&direct));
}

/// Kind 3 (in part) and kind 2 (counts beyond memory): numeric flags outside their documented
/// range are refused where they are read, naming the flag.
#[test]
fn kind3_parameters_outside_their_range_are_refused() {
    for (engine, args, flag) in [
        (
            "audit-fairness",
            vec![
                "fixtures/compas.csv",
                "-g",
                "race",
                "--bootstrap",
                "18446744073709551615",
            ],
            "--bootstrap",
        ),
        (
            "audit-fairness",
            vec!["fixtures/compas.csv", "-g", "race", "--alpha", "nan"],
            "--alpha",
        ),
        (
            "audit-fairness",
            vec!["fixtures/compas.csv", "-g", "race", "--ci", "1.5"],
            "--ci",
        ),
        (
            "audit-fairness",
            vec!["fixtures/compas.csv", "-g", "race", "--parity-band", "0"],
            "--parity-band",
        ),
        (
            "audit-reward",
            vec!["fixtures/reward/pairs.csv", "--epsilon", "nan"],
            "--epsilon",
        ),
        (
            "audit-reward",
            vec!["fixtures/reward/pairs.csv", "--epsilon", "-1"],
            "--epsilon",
        ),
        (
            "allocate",
            vec![
                "shapley",
                "fixtures/allocate/glove.csv",
                "--samples",
                "18446744073709551615",
            ],
            "--samples",
        ),
        (
            "allocate",
            vec![
                "shapley",
                "fixtures/allocate/glove.csv",
                "--truncation",
                "nan",
            ],
            "--truncation",
        ),
        (
            "sql",
            vec!["--table", "", "--label", "y", "--score", "s", "-g", "g"],
            "--table",
        ),
        (
            "sql",
            vec![
                "--table",
                "t",
                "--label",
                "y",
                "--score",
                "s",
                "-g",
                "g",
                "--threshold",
                "nan",
            ],
            "--threshold",
        ),
    ] {
        let out = bin().arg(engine).args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(flag) && !err.contains("panicked"),
            "{args:?}: {err}"
        );
    }
    // A sweep with more thresholds than a count can hold is refused, not an overflow.
    let e = audit_error(&[
        "fixtures/compas.csv",
        "-g",
        "race",
        "--score",
        "score",
        "--threshold-sweep",
        "0:1:1e-300",
    ]);
    assert!(e.contains("more than 10000 thresholds"), "{e}");
    let e = engine_error(
        "allocate",
        &[
            "shapley",
            "fixtures/allocate/glove.csv",
            "--samples",
            "200",
            "--truncation",
            "2",
        ],
    );
    assert!(e.contains("--truncation") && e.contains("below 1"), "{e}");
    let d = tempfile::TempDir::new().unwrap();
    let pb = write(
        d.path(),
        "neg.pb",
        "META\nkey;value\nbudget;-10\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\n1;1\n",
    );
    assert!(engine_error("allocate", &["pb", &pb]).contains("negative"));
    let pb = write(
        d.path(),
        "negpts.pb",
        "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote;points\n1;1;-3\n",
    );
    assert!(engine_error("allocate", &["pb", &pb]).contains("negative points"));
}

/// Kind 2: weights whose sums overflow are refused (a cell weight of infinity made the FPR 0
/// and let a gate pass).
#[test]
fn kind2_overflowing_weights_are_refused() {
    let f = format!("{A}/weight_overflow.csv");
    let e = audit_error(&[
        &f,
        "-g",
        "race",
        "--weight",
        "w",
        "--fail-if",
        "false_positive_rate_difference > 0.1",
    ]);
    // Refused at the first huge weight (1e308 > 1e140: products of weights would overflow).
    assert!(
        e.contains("invalid weight 1e308") && e.contains("divide larger ones"),
        "{e}"
    );
    // The same rows with equal weights: FPR a = 1/3, b = 0, the gate fails.
    assert_eq!(
        exit_code(&[
            "audit-fairness",
            &f,
            "-g",
            "race",
            "--fail-if",
            "false_positive_rate_difference > 0.1",
            "-q",
        ]),
        1
    );
}

/// Kind 5: side files are written only when the run succeeds, atomically; a write error is
/// exit 2; `-o` writes through a symbolic link to its target and into a device.
#[test]
fn kind5_side_outputs_only_on_success() {
    let d = tempfile::TempDir::new().unwrap();
    let stats = d.path().join("s.json");
    assert_eq!(
        exit_code(&[
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "--emit-stats",
            stats.to_str().unwrap(),
            "--fail-if",
            "no_such_metric > 1",
        ]),
        2
    );
    assert!(!stats.exists(), "--emit-stats written by a failed run");
    let alloc = d.path().join("a.csv");
    assert_eq!(
        exit_code(&[
            "allocate",
            "items",
            "fixtures/allocate/goods.csv",
            "--method",
            "round-robin",
            "--allocation-out",
            alloc.to_str().unwrap(),
            "--fail-if",
            "no_such_metric > 1",
        ]),
        2
    );
    assert!(!alloc.exists(), "--allocation-out written by a failed run");
    // The same runs without the bad gate write their files.
    audit_json(
        &[
            "fixtures/compas.csv",
            "-g",
            "race",
            "--emit-stats",
            stats.to_str().unwrap(),
        ],
        0,
    );
    assert!(stats.exists());
    // An unwritable side file is an error, not a warning with exit 0.
    let e = engine_error(
        "audit-reward",
        &[
            "fixtures/reward/ensemble.csv",
            "--chosen",
            "chosen_a,chosen_b,chosen_c",
            "--rejected",
            "rejected_a,rejected_b,rejected_c",
            "--export-suspect",
            "/nonexistent-dir/suspect.csv",
        ],
    );
    assert!(
        e.contains("cannot write /nonexistent-dir/suspect.csv"),
        "{e}"
    );
    // -o through a symbolic link: the target gets the report, the link stays a link.
    let target = d.path().join("target.json");
    std::fs::write(&target, "old").unwrap();
    let link = d.path().join("link.json");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "--json",
            "-q",
            "-o",
        ])
        .arg(&link)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&target).unwrap().starts_with('{'));
    // -o to a device writes into it (it is not replaced by a file).
    let out = bin()
        .args([
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "-q",
            "-o",
            "/dev/null",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(!std::fs::metadata("/dev/null").unwrap().is_file());
    // A report that cannot be written fails the run before any side file is written.
    let stats2 = d.path().join("s2.json");
    let e = audit_error(&[
        "fixtures/compas.csv",
        "-g",
        "race",
        "--emit-stats",
        stats2.to_str().unwrap(),
        "-o",
        "/nonexistent-dir/report.json",
    ]);
    assert!(
        e.contains("cannot write /nonexistent-dir/report.json"),
        "{e}"
    );
    assert!(
        !stats2.exists(),
        "side file written by a run whose report failed"
    );
    // -o through a link to a file not yet there creates the file.
    let dangling = d.path().join("dangling.json");
    std::os::unix::fs::symlink(d.path().join("new-target.json"), &dangling).unwrap();
    succeeds::<Vec<u8>>(
        &[
            "audit-fairness",
            "fixtures/compas.csv",
            "-g",
            "race",
            "-q",
            "-o",
            dangling.to_str().unwrap(),
        ],
        None,
    );
    assert!(d.path().join("new-target.json").exists());
    // No temporary file is left beside the outputs.
    for e in std::fs::read_dir(d.path()).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.ends_with(".tmp"), "{name}");
    }
}

/// Kind 4: two files are joined by pair id (a NaN score in different rows of each flips
/// nothing); duplicate ids are refused; Elo files with NaN / infinite or repeated ratings are
/// refused, and so are repeated agents and players in entitlement and reward files.
#[test]
fn kind4_files_joined_by_key_not_position() {
    let (a, b) = (format!("{A}/cmp_a.csv"), format!("{A}/cmp_b.csv"));
    let j = engine_json("audit-reward", &[&a, "--compare", &b], 0);
    let c = &j["inputs"][0]["comparison"];
    assert_eq!(c["decision_flips"].as_f64(), Some(0.0), "{c}");
    assert_eq!(c["max_abs_score_change"].as_f64(), Some(0.0), "{c}");
    let w = j["warnings"].to_string();
    assert!(w.contains("6 pairs joined by id; 1 only in"), "{w}");
    let d = tempfile::TempDir::new().unwrap();
    // Two pairs of one prompt match the two pairs of that prompt, in order; a subset that
    // differs for the same pair is refused.
    let two = write(
        d.path(),
        "two.csv",
        "id,subset,score_chosen,score_rejected\n0,chat,1,0\n0,chat,0,1\n",
    );
    let flipped = write(
        d.path(),
        "flipped.csv",
        "id,subset,score_chosen,score_rejected\n0,chat,1,0\n0,chat,2,1\n",
    );
    let j = engine_json("audit-reward", &[&two, "--compare", &flipped], 0);
    assert_eq!(
        j["inputs"][0]["comparison"]["decision_flips"].as_f64(),
        Some(1.0)
    );
    let other_subset = write(
        d.path(),
        "subset.csv",
        "id,subset,score_chosen,score_rejected\n0,math,1,0\n0,chat,2,1\n",
    );
    let e = engine_error("audit-reward", &[&two, "--compare", &other_subset]);
    assert!(e.contains("is in subset 'chat'"), "{e}");
    // Elo ratings.
    let e = engine_error(
        "audit-reward",
        &[
            "fixtures/reward/policies.csv",
            "--id",
            "prompt_id",
            "--elo",
            &format!("{A}/elo_nan.csv"),
        ],
    );
    assert!(e.contains("not a finite number"), "{e}");
    let elo = std::fs::read_to_string(root().join("fixtures/reward/elo.csv")).unwrap();
    let first = elo.lines().nth(1).unwrap().to_string();
    let twice = write(d.path(), "elo2.csv", &format!("{elo}{first}\n"));
    let e = engine_error(
        "audit-reward",
        &[
            "fixtures/reward/policies.csv",
            "--id",
            "prompt_id",
            "--elo",
            &twice,
        ],
    );
    assert!(e.contains("rated twice"), "{e}");
    // Rewards of a Shapley game listing a player twice.
    let rewards = write(d.path(), "r.csv", "agent,reward\nL,1\nL,2\nR1,0\nR2,0\n");
    let e = engine_error(
        "allocate",
        &[
            "shapley",
            "fixtures/allocate/glove.csv",
            "--rewards",
            &rewards,
        ],
    );
    assert!(e.contains("listed twice"), "{e}");
}

/// Kind 13: length bins never split equal length differences (bins may be fewer), and a rate
/// over part of the pairs shows its count.
#[test]
fn kind13_bins_keep_ties_together_and_rates_show_counts() {
    let d = tempfile::TempDir::new().unwrap();
    // 12 pairs: 9 with equal lengths (difference 0: texts cut at the same length), 3 longer.
    let mut csv = String::from("chosen,rejected,lc,lr\n");
    for i in 0..9 {
        csv.push_str(&format!("{},0,200,200\n", i % 2));
    }
    for _ in 0..3 {
        csv.push_str("1,0,300,100\n");
    }
    let f = write(d.path(), "len.csv", &csv);
    let j = engine_json(
        "audit-reward",
        &[
            &f,
            "--chosen-length",
            "lc",
            "--rejected-length",
            "lr",
            "--length-bins",
            "4",
        ],
        0,
    );
    let bins = j["inputs"][0]["length"]["by_length_difference"]
        .as_array()
        .unwrap();
    assert_eq!(bins.len(), 2, "{bins:?}");
    assert_eq!(bins[0]["lower"].as_f64(), Some(0.0));
    assert_eq!(bins[0]["upper"].as_f64(), Some(0.0));
    assert_eq!(bins[0]["pairs"], 9);
    assert_eq!(bins[1]["pairs"], 3);
    let out = bin()
        .args([
            "audit-reward",
            &f,
            "--chosen-length",
            "lc",
            "--rejected-length",
            "lr",
            "-q",
        ])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("(of 9 pairs)"), "{text}");
}

/// Kind 9: RewardBench's own files are read: `run_rm.py`'s per-prompt scores saved as one JSON
/// object of columns, and the `rewardbench` command's summary with `extra_results`.
#[test]
fn kind9_rewardbench_files_read() {
    let j = engine_json(
        "audit-reward",
        &[&format!("{A}/rewardbench_eval_set_scores.json")],
        0,
    );
    let inp = &j["inputs"][0];
    assert!(close(
        inp["metrics"]["accuracy"].as_f64().unwrap(),
        4.0 / 6.0,
        1e-15
    ));
    for s in inp["subsets"].as_array().unwrap() {
        assert!(
            close(s["accuracy"].as_f64().unwrap(), 2.0 / 3.0, 1e-15),
            "{s}"
        );
    }
    let j = engine_json(
        "audit-reward",
        &[
            &format!("{A}/rewardbench_cli_summary.json"),
            "--preset",
            "rewardbench",
        ],
        0,
    );
    let inp = &j["inputs"][0];
    assert_eq!(inp["kind"], "accuracies");
    assert_eq!(inp["subsets"].as_array().unwrap().len(), 23);
    assert!(inp["metrics"]["rewardbench.safety"].is_number());
    // Published summaries (RM-R1's RM-Bench final result and RewardBench main scores): their
    // figures under the presets' names, so gates read them.
    let dir = "fixtures/reward/RM-R1-Qwen2.5-Instruct-32B";
    let j = engine_json(
        "audit-reward",
        &[&format!("{dir}/rmbench_final_result.json")],
        0,
    );
    let m = &j["inputs"][0]["metrics"];
    assert_eq!(m["rm_bench.hard"].as_f64(), Some(0.7049334242582853));
    assert_eq!(m["rm_bench.score"].as_f64(), Some(0.7923628112760438));
    let j = engine_json(
        "audit-reward",
        &[&format!("{dir}/rewardbench_main_score.json")],
        0,
    );
    let m = &j["inputs"][0]["metrics"];
    assert_eq!(m["rewardbench.chat_hard"].as_f64(), Some(0.831140350877193));
    assert_eq!(
        exit_code(&[
            "audit-reward",
            &format!("{dir}/rmbench_final_result.json"),
            "--fail-if",
            "rm_bench.hard < 0.8",
            "-q",
        ]),
        1
    );
}

/// Kind 8: under --preset rewardbench a pair with a NaN score is wrong, as RewardBench's
/// `chosen > rejected` makes it; without a preset it is dropped and reported.
#[test]
fn kind8_nan_scores_under_a_preset_count_as_rewardbench_counts_them() {
    let f = format!("{A}/reward_nan_pairs.csv");
    let j = engine_json("audit-reward", &[&f, "--preset", "rewardbench"], 0);
    let inp = &j["inputs"][0];
    for s in inp["subsets"].as_array().unwrap() {
        assert_eq!(s["pairs"], 3, "{s}");
        assert!(
            close(s["accuracy"].as_f64().unwrap(), 1.0 / 3.0, 1e-15),
            "{s}"
        );
    }
    assert_eq!(inp["metrics"]["nan_pairs"], 2);
    assert!(j["warnings"].to_string().contains("counted as wrong"));
    let j = engine_json("audit-reward", &[&f], 0);
    let inp = &j["inputs"][0];
    assert!(inp["rows_dropped"]
        .to_string()
        .contains("missing or NaN score"));
    assert_eq!(inp["subsets"][0]["pairs"], 2);
}

/// Kind 11: Add1 completion on a 3-voter election with a budget of 2·10^9 (about 16 minutes
/// one unit at a time) jumps to the budgets where MES's run changes: pabutools' outcome at once.
#[test]
fn kind11_add1_finishes_on_large_budgets() {
    let j = engine_json(
        "allocate",
        &[
            "pb",
            &format!("{A}/pb_add1_hang.pb"),
            "--rule",
            "mes",
            "--completion",
            "add1",
        ],
        0,
    );
    let chosen: Vec<&str> = j["allocation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["project"].as_str().unwrap())
        .collect();
    assert_eq!(chosen, ["2", "1"]);
}

/// Kind 2 (scores): reward scores whose difference overflows are refused, not turned into a
/// calibration temperature of 3e60.
#[test]
fn kind2_overflowing_score_margins_are_refused() {
    let d = tempfile::TempDir::new().unwrap();
    let f = write(d.path(), "big.csv", "chosen,rejected\n1e308,-1e308\n1,0\n");
    let e = engine_error("audit-reward", &[&f]);
    assert!(e.contains("data row 1") && e.contains("rescale"), "{e}");
}
