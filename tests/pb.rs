//! Participatory budgeting: every shipped pabulib election gives pabutools 1.2.3's exact outcomes
//! (tests/expected/pabutools.json from scripts/oracle_pabutools.py) for greedy, MES (with and
//! without Add1 and greedy completion) and Phragmén under each satisfaction measure; bad files.

mod common;

use common::*;
use fairaudit::allocate::pb::{self, Sat};
use serde_json::Value;

fn ids(e: &pb::Election, sel: &[usize]) -> Vec<String> {
    let mut v: Vec<String> = sel.iter().map(|&p| e.projects[p].id.clone()).collect();
    v.sort();
    v
}

#[test]
fn outcomes_equal_pabutools() {
    let text = std::fs::read_to_string(root().join("tests/expected/pabutools.json")).unwrap();
    let exp: Value = serde_json::from_str(&text).unwrap();
    let mut compared = 0;
    let mut failures = Vec::new();
    for (file, want) in exp["elections"].as_object().unwrap() {
        let path = root().join("fixtures/pb").join(file);
        let e = pb::parse(path.to_str().unwrap()).unwrap();
        assert_eq!(
            e.ballots.len() as u64,
            want["voters"].as_u64().unwrap(),
            "{file}"
        );
        for (key, outcome) in want["outcomes"].as_object().unwrap() {
            let parts: Vec<&str> = key.split('/').collect();
            let sat = |s: &str| match s {
                "cost" => Sat::Cost,
                "cardinality" => Sat::Cardinality,
                _ => Sat::Points,
            };
            let got = match parts.as_slice() {
                ["greedy", s] => pb::greedy(&e, sat(s), &[]),
                ["mes", s, "none"] => pb::mes(&e, sat(s), false),
                ["mes", s, "add1"] => pb::mes(&e, sat(s), true),
                ["mes", s, "greedy"] => pb::complete_greedy(&e, sat(s), pb::mes(&e, sat(s), false)),
                ["mes", s, "add1-greedy"] => {
                    pb::complete_greedy(&e, sat(s), pb::mes(&e, sat(s), true))
                }
                ["phragmen"] => pb::phragmen(&e).unwrap(),
                other => panic!("unknown key {other:?}"),
            };
            let mut want: Vec<String> = outcome
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_str().unwrap().to_string())
                .collect();
            want.sort();
            if ids(&e, &got) != want {
                failures.push(format!(
                    "{file} {key}: fairaudit {:?} vs pabutools {want:?}",
                    ids(&e, &got)
                ));
            }
            compared += 1;
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {compared} differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(compared >= 180, "compared {compared}");
}

#[test]
fn cli_and_bad_files() {
    let r = engine_json(
        "allocate",
        &[
            "pb",
            "fixtures/pb/poland_warszawa_2018_pole-mokotowskie.pb",
            "--rule",
            "greedy",
        ],
        0,
    );
    assert_eq!(r["metrics"]["feasible"], true);
    assert!(!r["allocation"].as_array().unwrap().is_empty());
    let d = tempfile::TempDir::new().unwrap();
    let no_votes = write(
        d.path(),
        "a.pb",
        "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\n",
    );
    let e = engine_error("allocate", &["pb", &no_votes]);
    assert!(e.contains("no VOTES section"), "{e}");
    let bad_cost = write(
        d.path(),
        "b.pb",
        "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;fifty\nVOTES\nvoter_id;vote\n1;1\n",
    );
    let e = engine_error("allocate", &["pb", &bad_cost]);
    assert!(e.contains("the cost of project '1' is 'fifty'"), "{e}");
    let unknown = write(
        d.path(),
        "c.pb",
        "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;50\nVOTES\nvoter_id;vote\n1;2\n",
    );
    let e = engine_error("allocate", &["pb", &unknown]);
    assert!(e.contains("project '2', which is not in PROJECTS"), "{e}");
    let e = engine_error(
        "allocate",
        &[
            "pb",
            "fixtures/pb/poland_warszawa_2017_anin.pb",
            "--outcome",
            "9999",
        ],
    );
    assert!(e.contains("project '9999' is not in"), "{e}");
}
