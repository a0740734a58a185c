//! What a `fairaudit allocate` run was asked for: one plain settings value per subcommand, the
//! flags' values resolved by `cli/allocate.rs` (which also holds every flag-combination check),
//! and the value enums of the flags (their doc comments are the `--help` text of each value).

use std::path::PathBuf;

use crate::input::ReadOptions;
use crate::render::Output;

/// The default names of the agent column, in the order they are tried (case-insensitive): the
/// utilities (without `--agent`; else the first column), the entitlements, the allocation and
/// the externalities files all take the first of these that is present. The `--agent` help is
/// generated from it.
pub const AGENT_COLUMNS: [&str; 4] = ["agent", "name", "player", "agents"];

/// One `allocate` subcommand's settings.
#[derive(Debug, Clone)]
pub enum Settings {
    Items(ItemsSettings),
    Check(CheckSettings),
    Shapley(ShapleySettings),
    Pb(PbSettings),
}

impl Settings {
    /// Where the report goes, gates and format.
    pub fn output(&self) -> &Output {
        match self {
            Settings::Items(s) => &s.output,
            Settings::Check(s) => &s.output,
            Settings::Shapley(s) => &s.output,
            Settings::Pb(s) => &s.output,
        }
    }
}

/// The utilities file and its side files (`items`, `check`).
#[derive(Debug, Clone)]
pub struct UtilitySettings {
    /// The utilities file: wide (agent column, one column per item) or long (agent, item, value).
    pub utilities: String,
    /// `--agent`; `None`: the first of [`AGENT_COLUMNS`] present, else the first column.
    pub agent: Option<String>,
    /// `--item` (long format).
    pub item: Option<String>,
    /// `--value` (long format).
    pub value: Option<String>,
    /// `--entitlements`: agent,weight rows.
    pub entitlements: Option<String>,
    /// `--externalities`: agent,item,recipient,value rows.
    pub externalities: Option<String>,
    /// How every file of the run is read.
    pub read: ReadOptions,
}

/// The options of the property checks, shared by `items` and `check`.
#[derive(Debug, Clone, Copy)]
pub struct Checks {
    pub efx_variant: EfxVariant,
    /// Exact MMS and PO by enumeration only when agents^items is at most this.
    pub exact_limit: u64,
}

/// `fairaudit allocate items`.
#[derive(Debug, Clone)]
pub struct ItemsSettings {
    pub utilities: UtilitySettings,
    pub method: ItemsMethod,
    /// `--allocation-out`: the computed allocation as agent,item rows.
    pub allocation_out: Option<PathBuf>,
    /// `--node-limit`; `None`: [`crate::allocate::items::search::MNW_NODES`] or `LEXIMIN_NODES`.
    pub node_limit: Option<u64>,
    pub checks: Checks,
    pub output: Output,
}

/// `fairaudit allocate check`.
#[derive(Debug, Clone)]
pub struct CheckSettings {
    pub utilities: UtilitySettings,
    /// `--allocation`: agent,item rows.
    pub allocation: String,
    pub checks: Checks,
    pub output: Output,
}

/// `fairaudit allocate shapley`.
#[derive(Debug, Clone)]
pub struct ShapleySettings {
    /// The coalition values file.
    pub values: String,
    /// `--coalition`; `None`: detected (coalition, members, players).
    pub coalition: Option<String>,
    /// `--value`; `None`: detected (value, v, worth).
    pub value_col: Option<String>,
    /// `--rewards`: agent,reward rows.
    pub rewards: Option<String>,
    /// `--samples` (at least 1); `None`: exact up to 20 players, else 10,000 permutations.
    pub samples: Option<usize>,
    /// `--truncation`, in [0, 1).
    pub truncation: f64,
    pub seed: u64,
    pub read: ReadOptions,
    pub output: Output,
}

/// `fairaudit allocate pb`.
#[derive(Debug, Clone)]
pub struct PbSettings {
    /// The pabulib files as given: paths, quoted globs (expanded by fairaudit), `-`.
    pub files: Vec<String>,
    pub rule: PbRule,
    /// `--satisfaction`; `None`: points for cumulative and scoring ballots, cost otherwise.
    pub satisfaction: Option<PbSat>,
    pub completion: PbCompletion,
    /// Which outcome is audited: the rule's, the projects listed, or the file's own.
    pub outcome: PbOutcome,
    /// `--jr-limit`: search nodes of the EJR / PJR checks.
    pub jr_limit: u64,
    /// `--summary`: one row per election instead of the whole report.
    pub summary: bool,
    pub output: Output,
}

/// The outcome `allocate pb` audits (`--outcome`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PbOutcome {
    /// Computed with `--rule` (and `--completion`).
    Rule,
    /// `--outcome IDS`: these projects (of one election), as given.
    Given(Vec<String>),
    /// `--outcome selected`: the projects the file's PROJECTS section marks `selected` 1.
    Selected,
}

impl PbOutcome {
    /// The word `--outcome` takes for the file's own outcome.
    pub const SELECTED: &'static str = "selected";
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ItemsMethod {
    /// Goods: agents pick in turn (agent order), each its best remaining item. EF1.
    RoundRobin,
    /// Goods: envy-cycle elimination (Lipton et al.); chores: top-trading envy cycles. EF1.
    EnvyCycle,
    /// Mixed manna (Aziz, Caragiannis, Igarashi, Walsh 2022): chores round robin, goods in
    /// reverse order. EF1.
    DoubleRoundRobin,
    /// Goods: maximum Nash welfare (most agents with positive utility, then the largest
    /// product), exact by branch and bound within --node-limit. EF1 and PO.
    Mnw,
    /// Any items: leximin (largest minimum value, then the second smallest, ...), exact by
    /// branch and bound within --node-limit.
    Leximin,
    /// Two agents, any items: generalized adjusted winner (Aziz et al. 2022). EF1 and PO.
    AdjustedWinner,
}

impl ItemsMethod {
    /// The name the report's settings show (the flag's value).
    pub fn name(self) -> &'static str {
        match self {
            ItemsMethod::RoundRobin => "round-robin",
            ItemsMethod::EnvyCycle => "envy-cycle",
            ItemsMethod::DoubleRoundRobin => "double-round-robin",
            ItemsMethod::Mnw => "mnw",
            ItemsMethod::Leximin => "leximin",
            ItemsMethod::AdjustedWinner => "adjusted-winner",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EfxVariant {
    Positive,
    Zero,
}

impl EfxVariant {
    /// The name the report's settings show (the flag's value).
    pub fn name(self) -> &'static str {
        match self {
            EfxVariant::Positive => "positive",
            EfxVariant::Zero => "zero",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PbRule {
    /// Method of equal shares.
    Mes,
    /// Greedy by satisfaction per unit of cost.
    Greedy,
    /// Sequential Phragmén (approval ballots).
    Phragmen,
}

impl PbRule {
    /// The name the report's settings show (the flag's value).
    pub fn name(self) -> &'static str {
        match self {
            PbRule::Mes => "mes",
            PbRule::Greedy => "greedy",
            PbRule::Phragmen => "phragmen",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PbSat {
    Cost,
    Cardinality,
    Points,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PbCompletion {
    None,
    Add1,
    Greedy,
    Add1Greedy,
}

impl PbCompletion {
    /// The name the report's settings show (the flag's value).
    pub fn name(self) -> &'static str {
        match self {
            PbCompletion::None => "none",
            PbCompletion::Add1 => "add1",
            PbCompletion::Greedy => "greedy",
            PbCompletion::Add1Greedy => "add1-greedy",
        }
    }

    /// Add1: raise every voter's budget by 1 until the outcome is exhaustive.
    pub fn add1(self) -> bool {
        matches!(self, PbCompletion::Add1 | PbCompletion::Add1Greedy)
    }

    /// Greedy completion after MES.
    pub fn greedy(self) -> bool {
        matches!(self, PbCompletion::Greedy | PbCompletion::Add1Greedy)
    }
}
