//! Fair division of items: utilities ([`instance`]) → a rule ([`rules`], the exact searches in
//! [`search`]) or a given allocation → the property audit ([`audit`], with the checks of
//! [`check`] and [`externalities`]) → the report ([`run`]).

pub mod audit;
pub mod check;
pub mod externalities;
pub mod instance;
pub mod rules;
pub mod run;
pub mod search;
