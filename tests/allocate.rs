//! allocate: property tests on random instances (proptest), the checks against brute-force
//! enumeration on small instances, Shapley hand values, CLI and bad input.

mod common;

use common::*;
use fairaudit::allocate::check::{self, Context};
use fairaudit::allocate::instance::{bundles, Allocation, Instance};
use fairaudit::allocate::rules;
use fairaudit::cli::EfxVariant;
use proptest::prelude::*;

fn instance(u: Vec<Vec<f64>>) -> Instance {
    let n = u.len();
    let m = u[0].len();
    Instance {
        agents: (0..n).map(|i| format!("a{i}")).collect(),
        items: (0..m).map(|o| format!("o{o}")).collect(),
        u,
        weights: vec![1.0 / n as f64; n],
    }
}

/// Brute force, from the definitions, on explicit bundles (no shortcuts shared with the code).
mod brute {
    use super::*;

    pub fn val(inst: &Instance, i: usize, b: &[usize]) -> f64 {
        b.iter().map(|&o| inst.u[i][o]).sum()
    }

    fn without(b: &[usize], o: usize) -> Vec<usize> {
        b.iter().copied().filter(|&x| x != o).collect()
    }

    pub fn ef(inst: &Instance, a: &Allocation) -> bool {
        let b = bundles(inst.n(), a);
        (0..inst.n())
            .all(|i| (0..inst.n()).all(|j| val(inst, i, &b[i]) >= val(inst, i, &b[j]) - 1e-9))
    }

    /// EF1: for each pair, no envy, or some item of A_i ∪ A_j whose removal from both ends it.
    pub fn ef1_pair(inst: &Instance, b: &[Vec<usize>], i: usize, j: usize) -> bool {
        if val(inst, i, &b[i]) >= val(inst, i, &b[j]) - 1e-9 {
            return true;
        }
        b[i].iter()
            .chain(&b[j])
            .any(|&o| val(inst, i, &without(&b[i], o)) >= val(inst, i, &without(&b[j], o)) - 1e-9)
    }

    pub fn ef1(inst: &Instance, a: &Allocation) -> bool {
        let b = bundles(inst.n(), a);
        (0..inst.n()).all(|i| (0..inst.n()).all(|j| i == j || ef1_pair(inst, &b, i, j)))
    }

    pub fn efx(inst: &Instance, a: &Allocation) -> bool {
        let b = bundles(inst.n(), a);
        (0..inst.n()).all(|i| {
            (0..inst.n()).all(|j| {
                i == j
                    || (b[j]
                        .iter()
                        .filter(|&&o| inst.u[i][o] > 0.0)
                        .all(|&o| val(inst, i, &b[i]) >= val(inst, i, &without(&b[j], o)) - 1e-9)
                        && b[i].iter().filter(|&&o| inst.u[i][o] < 0.0).all(|&o| {
                            val(inst, i, &without(&b[i], o)) >= val(inst, i, &b[j]) - 1e-9
                        }))
            })
        })
    }

    pub fn prop(inst: &Instance, a: &Allocation) -> bool {
        let b = bundles(inst.n(), a);
        (0..inst.n())
            .all(|i| val(inst, i, &b[i]) >= inst.u[i].iter().sum::<f64>() / inst.n() as f64 - 1e-9)
    }

    /// Every assignment of the m items to n agents.
    pub fn all_allocations(n: usize, m: usize) -> Vec<Allocation> {
        let mut out = Vec::new();
        let total = n.pow(m as u32);
        for mut code in 0..total {
            let mut a = vec![None; m];
            for slot in a.iter_mut() {
                *slot = Some(code % n);
                code /= n;
            }
            out.push(a);
        }
        out
    }

    pub fn mms(inst: &Instance, i: usize) -> f64 {
        all_allocations(inst.n(), inst.m())
            .iter()
            .map(|a| {
                let b = bundles(inst.n(), a);
                (0..inst.n())
                    .map(|k| val(inst, i, &b[k]))
                    .fold(f64::INFINITY, f64::min)
            })
            .fold(f64::NEG_INFINITY, f64::max)
    }

    pub fn po(inst: &Instance, a: &Allocation) -> bool {
        let b = bundles(inst.n(), a);
        let base: Vec<f64> = (0..inst.n()).map(|i| val(inst, i, &b[i])).collect();
        !all_allocations(inst.n(), inst.m()).iter().any(|x| {
            let bx = bundles(inst.n(), x);
            let v: Vec<f64> = (0..inst.n()).map(|i| val(inst, i, &bx[i])).collect();
            v.iter().zip(&base).all(|(p, q)| *p >= q - 1e-9)
                && v.iter().zip(&base).any(|(p, q)| *p > q + 1e-9)
        })
    }
}

fn utilities(lo: i32, hi: i32) -> impl Strategy<Value = Vec<Vec<f64>>> {
    (2usize..=3, 1usize..=7).prop_flat_map(move |(n, m)| {
        prop::collection::vec(prop::collection::vec((lo..=hi).prop_map(f64::from), m), n)
    })
}

fn with_allocation(lo: i32, hi: i32) -> impl Strategy<Value = (Vec<Vec<f64>>, Vec<usize>)> {
    utilities(lo, hi).prop_flat_map(|u| {
        let (n, m) = (u.len(), u[0].len());
        (Just(u), prop::collection::vec(0..n, m))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn round_robin_and_envy_cycle_are_ef1_for_goods(u in utilities(0, 9)) {
        let inst = instance(u);
        prop_assert!(brute::ef1(&inst, &rules::round_robin(&inst)));
        prop_assert!(brute::ef1(&inst, &rules::envy_cycle(&inst).unwrap()));
    }

    /// MNW equals brute force (most agents with positive utility, then the largest product) and,
    /// as Caragiannis et al. (2019) prove, is EF1 and PO.
    #[test]
    fn mnw_is_optimal_ef1_and_po(u in utilities(0, 9)) {
        let inst = instance(u);
        let found = rules::mnw(&inst, 10_000_000).unwrap();
        prop_assert!(found.optimal);
        let score = |a: &Allocation| {
            let b = bundles(inst.n(), a);
            let v: Vec<f64> = (0..inst.n()).map(|i| brute::val(&inst, i, &b[i])).collect();
            let k = v.iter().filter(|&&x| x > 0.0).count();
            (k, v.iter().filter(|&&x| x > 0.0).map(|x| x.ln()).sum::<f64>())
        };
        let best = brute::all_allocations(inst.n(), inst.m())
            .iter()
            .map(score)
            .fold((0usize, f64::NEG_INFINITY), |acc, s| if s.0 > acc.0 || (s.0 == acc.0 && s.1 > acc.1) { s } else { acc });
        let got = score(&found.allocation);
        prop_assert!(got.0 == best.0 && (got.1 - best.1).abs() < 1e-9, "{got:?} vs {best:?}");
        prop_assert!(brute::ef1(&inst, &found.allocation));
        prop_assert!(brute::po(&inst, &found.allocation));
    }

    #[test]
    fn envy_cycle_is_ef1_for_chores(u in utilities(-9, 0)) {
        let inst = instance(u);
        prop_assert!(brute::ef1(&inst, &rules::envy_cycle(&inst).unwrap()));
    }

    #[test]
    fn double_round_robin_is_ef1_for_mixed_manna(u in utilities(-9, 9)) {
        let inst = instance(u);
        let a = rules::double_round_robin(&inst);
        prop_assert!(brute::ef1(&inst, &a));
        // Every item with a non-negative value for someone is allocated; so are the chores.
        prop_assert!(a.iter().all(Option::is_some));
    }

    /// The checks equal brute force (≤ 3 agents, ≤ 7 items, goods, chores and mixed), and
    /// every witness of a failure really violates the property.
    #[test]
    fn checks_equal_brute_force((u, owners) in with_allocation(-6, 9)) {
        let inst = instance(u);
        let a: Allocation = owners.into_iter().map(Some).collect();
        let ctx = Context::new(&inst, &a);
        prop_assert_eq!(ctx.ef().holds, Some(brute::ef(&inst, &a)));
        let ef1 = ctx.ef1();
        prop_assert_eq!(ef1.holds, Some(brute::ef1(&inst, &a)));
        if let Some(w) = &ef1.witness {
            let i = inst.agents.iter().position(|x| x == w["agent"].as_str().unwrap()).unwrap();
            let j = inst.agents.iter().position(|x| x == w["envies"].as_str().unwrap()).unwrap();
            prop_assert!(!brute::ef1_pair(&inst, &bundles(inst.n(), &a), i, j));
        }
        prop_assert_eq!(ctx.efx(EfxVariant::Positive).holds, Some(brute::efx(&inst, &a)));
        prop_assert_eq!(ctx.prop().holds, Some(brute::prop(&inst, &a)));
        for i in 0..inst.n() {
            let (lo, hi, exact) = check::mms(&inst, i, 1_000_000);
            prop_assert!(exact);
            prop_assert!((lo - brute::mms(&inst, i)).abs() < 1e-9 && lo == hi);
        }
        match check::dominating(&inst, &a, 1_000_000).unwrap() {
            None => prop_assert!(brute::po(&inst, &a)),
            Some(better) => {
                prop_assert!(!brute::po(&inst, &a));
                let (b0, b1) = (bundles(inst.n(), &a), bundles(inst.n(), &better));
                for i in 0..inst.n() {
                    prop_assert!(brute::val(&inst, i, &b1[i]) >= brute::val(&inst, i, &b0[i]) - 1e-9);
                }
            }
        }
    }
}

#[test]
fn mms_bounds_beyond_the_exact_limit_hold() {
    let inst = instance(vec![
        vec![5.0, 3.0, 8.0, 1.0, 2.0, 7.0],
        vec![1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    ]);
    for i in 0..2 {
        let exact = brute::mms(&inst, i);
        let (lo, hi, is_exact) = check::mms(&inst, i, 10);
        assert!(!is_exact);
        assert!(
            lo <= exact + 1e-12 && exact <= hi + 1e-12,
            "{lo} {exact} {hi}"
        );
    }
}

#[test]
fn cli_items_check_and_gates() {
    let r = engine_json(
        "allocate",
        &[
            "items",
            "fixtures/allocate/goods.csv",
            "--method",
            "round-robin",
        ],
        0,
    );
    assert_eq!(r["metrics"]["ef1"], true);
    // Round robin by hand: alice takes desk (8), bob rug (7), carol lamp (8), alice book (6),
    // bob chair (6), carol clock (6).
    let alloc = &r["allocation"];
    assert_eq!(alloc[0]["items"], serde_json::json!(["book", "desk"]));
    assert_eq!(alloc[1]["items"], serde_json::json!(["chair", "rug"]));
    assert_eq!(alloc[2]["items"], serde_json::json!(["lamp", "clock"]));
    let r = engine_json(
        "allocate",
        &[
            "check",
            "fixtures/allocate/goods.csv",
            "--allocation",
            "fixtures/allocate/unfair_allocation.csv",
            "--fail-if",
            "ef1 == false",
            "--fail-if",
            "mms_ratio.min < 0.75",
        ],
        1,
    );
    assert_eq!(r["metrics"]["ef1"], false);
    assert_eq!(r["gates"][0]["passed"], false);
    assert_eq!(r["gates"][1]["passed"], false);
    // bob: value 3 against an MMS of 8.
    assert_eq!(r["metrics"]["mms_ratio.min"], 0.375);
    let dominating = &r["properties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "po")
        .unwrap()["witness"];
    assert!(dominating["dominating_allocation"].is_array());
    let r = engine_json(
        "allocate",
        &[
            "items",
            "fixtures/allocate/mixed.csv",
            "--method",
            "double-round-robin",
        ],
        0,
    );
    assert_eq!(r["metrics"]["ef1"], true);
}

#[test]
fn shapley_glove_game_and_rewards() {
    let r = engine_json(
        "allocate",
        &[
            "shapley",
            "fixtures/allocate/glove.csv",
            "--rewards",
            "fixtures/allocate/glove_rewards.csv",
        ],
        0,
    );
    let players = r["players"].as_array().unwrap();
    let phi: Vec<f64> = players
        .iter()
        .map(|p| p["shapley"].as_f64().unwrap())
        .collect();
    assert!((phi[0] - 2.0 / 3.0).abs() < 1e-12 && (phi[1] - 1.0 / 6.0).abs() < 1e-12);
    assert_eq!(players[0]["leave_one_out"], 1.0);
    assert_eq!(r["metrics"]["shapley_in_core"], false);
    assert_eq!(r["metrics"]["rewards_in_core"], false);
    // Rewards (0.5, 0.25, 0.25) against Shapley (2/3, 1/6, 1/6): perfectly correlated.
    assert!((r["metrics"]["collaboration_fairness"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    let mc = engine_json(
        "allocate",
        &[
            "shapley",
            "fixtures/allocate/glove.csv",
            "--samples",
            "3000",
            "--seed",
            "5",
        ],
        0,
    );
    for (p, exact) in mc["players"].as_array().unwrap().iter().zip(&phi) {
        let (v, se) = (
            p["shapley"].as_f64().unwrap(),
            p["standard_error"].as_f64().unwrap(),
        );
        assert!((v - exact).abs() <= 3.0 * se + 1e-12, "{v} {exact} {se}");
    }
}

#[test]
fn bad_allocate_input() {
    let d = tempfile::TempDir::new().unwrap();
    let twice = write(d.path(), "a.csv", "agent,item\nalice,book\nbob,book\n");
    let e = engine_error(
        "allocate",
        &[
            "check",
            "fixtures/allocate/goods.csv",
            "--allocation",
            &twice,
        ],
    );
    assert!(e.contains("item 'book' is given twice"), "{e}");
    let unknown = write(d.path(), "b.csv", "agent,item\nalicia,book\n");
    let e = engine_error(
        "allocate",
        &[
            "check",
            "fixtures/allocate/goods.csv",
            "--allocation",
            &unknown,
        ],
    );
    assert!(
        e.contains("unknown agent 'alicia'") && e.contains("did you mean 'alice'"),
        "{e}"
    );
    let missing = write(d.path(), "g.csv", "coalition,value\n,0\nA,1\nB,1\n");
    let e = engine_error("allocate", &["shapley", &missing]);
    assert!(e.contains("the coalition {A, B} has no value"), "{e}");
    let text = write(d.path(), "u.csv", "agent,x,y\na,1,high\nb,2,3\n");
    let e = engine_error("allocate", &["items", &text, "--method", "round-robin"]);
    assert!(e.contains("'y'") && e.contains("numbers"), "{e}");
    let e = engine_error(
        "allocate",
        &[
            "items",
            "fixtures/allocate/mixed.csv",
            "--method",
            "round-robin",
        ],
    );
    assert!(e.contains("double-round-robin"), "{e}");
}
