//! Fairness with externalities (Aziz, Suksompong, Sun & Walsh, "Fairness concepts for
//! indivisible items with externalities", AAAI 2023): agent i's value of an allocation is
//! uᵢ(A) = Σⱼ Σ_{o ∈ Aⱼ} uᵢ(o, j), so i also cares who holds the items it does not.

// Agents and items are indices into the value arrays throughout.
#![allow(clippy::needless_range_loop)]

use serde_json::json;

use super::instance::{bundles, Allocation, Externalities, Instance};
use crate::allocate::report::Property;

/// Agent i's value of the allocation.
pub fn value(ext: &Externalities, a: &Allocation, i: usize) -> f64 {
    a.iter()
        .enumerate()
        .filter_map(|(o, owner)| owner.map(|j| ext[i][o][j]))
        .sum()
}

fn ge(a: f64, b: f64) -> bool {
    a >= b - 1e-9 * (1.0 + a.abs().max(b.abs()))
}

/// What swapping the bundles of i and j costs i, item by item: for o ∈ Aᵢ, uᵢ(o, i) − uᵢ(o, j);
/// for o ∈ Aⱼ, uᵢ(o, j) − uᵢ(o, i). Their sum is uᵢ(A) − uᵢ(A with Aᵢ and Aⱼ swapped).
fn swap_terms(ext: &Externalities, b: &[Vec<usize>], i: usize, j: usize) -> Vec<(usize, f64)> {
    let e = &ext[i];
    b[i].iter()
        .map(|&o| (o, e[o][i] - e[o][j]))
        .chain(b[j].iter().map(|&o| (o, e[o][j] - e[o][i])))
        .collect()
}

/// Swap-based EF, EF1 and EFX, and the general fair share. i envies j when it would rather the two
/// bundles were swapped (sum of [`swap_terms`] < 0). EF1: removing some item of Aᵢ ∪ Aⱼ from the
/// allocation ends it; EFX: removing any item whose term is negative (one whose swap hurts i)
/// does. GFS: uᵢ(A) ≥ (1/n) Σ_o Σⱼ uᵢ(o, j), the average over j of i's value when j gets every
/// item. Without externalities these are EF, EF1, EFX (mixed manna) and PROP.
pub fn properties(inst: &Instance, ext: &Externalities, a: &Allocation) -> Vec<Property> {
    let n = inst.n();
    let b = bundles(n, a);
    let mut ef = None;
    let mut ef1 = None;
    let mut efx = None;
    for i in 0..n {
        for j in 0..n {
            if i == j {
                continue;
            }
            let terms = swap_terms(ext, &b, i, j);
            let d: f64 = terms.iter().map(|t| t.1).sum();
            if ge(d, 0.0) {
                continue;
            }
            let pair = json!({"agent": inst.agents[i], "envies": inst.agents[j],
                "own": value(ext, a, i), "after_swap": value(ext, a, i) - d});
            ef.get_or_insert(pair.clone());
            if !terms.iter().any(|&(_, t)| ge(d - t, 0.0)) {
                ef1.get_or_insert(pair.clone());
            }
            if let Some(&(o, _)) = terms.iter().find(|&&(_, t)| t < 0.0 && !ge(d - t, 0.0)) {
                let mut w = pair;
                w["item"] = json!(inst.items[o]);
                efx.get_or_insert(w);
            }
        }
    }
    let mut gfs = None;
    for i in 0..n {
        let share: f64 = (0..inst.m())
            .map(|o| ext[i][o].iter().sum::<f64>())
            .sum::<f64>()
            / n as f64;
        let v = value(ext, a, i);
        if !ge(v, share) && gfs.is_none() {
            gfs = Some(json!({"agent": inst.agents[i], "value": v, "share": share}));
        }
    }
    let make = |name: &str, w: Option<serde_json::Value>| Property {
        name: name.into(),
        holds: Some(w.is_none()),
        witness: w,
        note: None,
    };
    vec![
        make("ext.ef", ef),
        make("ext.ef1", ef1),
        make("ext.efx", efx),
        make("ext.gfs", gfs),
    ]
}
