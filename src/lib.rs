//! fairaudit: a fast, trustworthy auditor for the outputs of machine-learning systems.
//!
//! Layout: [`cli`] defines every flag; [`input`] turns files into polars frames; one folder per
//! engine ([`fairness`], [`reward`], [`allocate`]) shaped statistics → metrics → report; [`render`] renders; [`gate`]
//! evaluates `--fail-if`; [`project`] runs the audits of a project configuration (`fairaudit run`).

pub mod allocate;
pub mod cli;
pub mod counterfactual;
pub mod fairness;
pub mod gate;
pub mod input;
pub mod project;
pub mod ranking;
pub mod render;
pub mod reward;
pub mod stats;
