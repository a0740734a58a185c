//! One file per reward input kind: its data, its loader and its panel (`pairs` has its panel in
//! `pairs_panel`). [`crate::reward::load`] reads an input into [`crate::reward::load::Input`], whose
//! variants carry these kinds' data, and dispatches each to its panel.

pub mod accuracies;
pub mod best_of_n;
pub mod counterfactual;
pub mod ensemble;
pub mod pairs;
pub mod pairs_panel;
pub mod policy;
pub mod rewardbench2;
pub mod rm_bench;
