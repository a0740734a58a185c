//! Contribution-based rewards: a coalition game and its Shapley values, leave-one-out and core
//! ([`game`]), and the report with the audit of the rewards paid ([`run`]).

pub mod game;
pub mod run;
