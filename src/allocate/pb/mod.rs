//! Participatory budgeting: a pabulib election ([`parse`], exact rationals of [`rational`]), its
//! outcome under a rule of pabutools 1.2.3 ([`rules`]; the method of equal shares in exact
//! rationals in [`mes`], in certified floating point in [`certified`]) or as given, its
//! proportionality ([`analysis`]), and the report ([`run`]).

pub mod analysis;
pub mod certified;
pub mod mes;
pub mod parse;
pub mod rational;
pub mod rules;
pub mod run;
