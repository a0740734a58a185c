//! The typed parts of an `allocate` report (docs/report-schema.md, "allocate"), serialised to
//! the same JSON keys in the same order as before: the settings a run shows, its input, the
//! allocation (bundles per agent, or the funded projects), the per-agent and per-player rows,
//! and the core witnesses. Non-finite numbers serialise as null.

use serde::Serialize;

/// What the run was asked for and resolved, as the report shows it. Each subcommand sets its
/// own fields (the others are left out); the field order is the order of the keys in every
/// subcommand.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Shown {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub efx_variant: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact_limit: Option<u64>,
    /// Present (true) when externalities were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub externalities: Option<bool>,
    /// Shapley by Monte Carlo: permutations, seed, truncation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub truncation: Option<f64>,
    /// `items`: the rule; `shapley`: exact or permutation_monte_carlo.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
    /// `check`: the allocation file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allocation: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub satisfaction: Option<&'static str>,
    /// `pb --outcome`: "given (--outcome)".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub outcome: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completion: Option<&'static str>,
    /// `pb`: the budget and the outcome's cost as exact rationals.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub budget_exact: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_exact: Option<String>,
    /// `pb` with MES: each voter's budget in the run that gave the outcome.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voter_budget: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub voter_budget_exact: Option<String>,
}

/// The input of the run (null before it is read).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Input {
    None,
    /// `items`, `check`: the utilities file.
    Items {
        path: String,
        agents: usize,
        items: usize,
    },
    /// `shapley`: the coalition values file.
    Shapley {
        path: String,
        players: usize,
        coalitions: usize,
    },
    /// `pb`: the election.
    Pb {
        path: String,
        projects: usize,
        voters: usize,
        vote_type: String,
    },
}

impl Input {
    /// The input's path ("" before it is read).
    pub fn path(&self) -> &str {
        match self {
            Input::None => "",
            Input::Items { path, .. } | Input::Shapley { path, .. } | Input::Pb { path, .. } => {
                path
            }
        }
    }
}

/// The outcome: bundles per agent (`items`, `check`) or the funded projects (`pb`).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Outcome {
    Bundles(Vec<Bundle>),
    Projects(Vec<Funded>),
}

/// An agent's bundle and its value to the agent.
#[derive(Debug, Clone, Serialize)]
pub struct Bundle {
    pub agent: String,
    pub items: Vec<String>,
    pub value: f64,
}

/// A funded project, in the order the rule selected it (1 = first).
#[derive(Debug, Clone, Serialize)]
pub struct Funded {
    pub order: usize,
    pub project: String,
    pub name: Option<String>,
    pub cost: f64,
    pub cost_exact: String,
}

/// Per agent: value, maximin share (null beyond --exact-limit, with its bounds), α-MMS ratio,
/// minimum subsidy (null when not envy-freeable), and the value with externalities.
#[derive(Debug, Clone, Serialize)]
pub struct AgentRow {
    pub agent: String,
    pub value: f64,
    pub mms: Option<f64>,
    pub mms_bounds: [f64; 2],
    pub mms_exact: bool,
    pub mms_ratio: Option<f64>,
    pub subsidy: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub value_with_externalities: Option<f64>,
}

/// Per player: Shapley value (with its standard error under Monte Carlo), leave-one-out, the
/// proportional reward (null when no Shapley value is positive) and the reward paid.
#[derive(Debug, Clone, Serialize)]
pub struct PlayerRow {
    pub player: String,
    pub shapley: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_error: Option<f64>,
    pub leave_one_out: f64,
    pub proportional_reward: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reward: Option<f64>,
}

/// The most violated core constraint of each payoff vector, and rewards that do not sum to
/// v(N).
#[derive(Debug, Clone, Default, Serialize)]
pub struct CoreWitness {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shapley: Option<Shortfall>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewards: Option<Shortfall>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewards_efficiency: Option<Efficiency>,
}

/// A coalition that gets less than its value, and by how much.
#[derive(Debug, Clone, Serialize)]
pub struct Shortfall {
    pub coalition: Vec<String>,
    pub shortfall: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Efficiency {
    pub paid: f64,
    pub grand_coalition_value: f64,
}

/// With `--plot DIR` or `--format html`: the numbers the charts draw that the rest of the report
/// does not hold (the JSON carries them only then, under `chart_data`, so the report of any other
/// run is unchanged).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ChartData {
    /// `items`, `check`: the utility matrix.
    Utilities(UtilityMatrix),
    /// `pb`: every project's cost and support, and the voters' satisfaction as a histogram.
    Pb(PbChartData),
}

/// The utilities as read: one row per agent, one value per item (in `items` order).
#[derive(Debug, Clone, Serialize)]
pub struct UtilityMatrix {
    pub items: Vec<String>,
    pub utilities: Vec<UtilityRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct UtilityRow {
    pub agent: String,
    pub values: Vec<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PbChartData {
    /// Every project of the election, in the file's order.
    pub projects: Vec<ProjectPoint>,
    pub satisfaction_histogram: SatisfactionHistogram,
}

/// A project: its cost, its support (the voters whose ballot names it) and whether the outcome
/// funds it.
#[derive(Debug, Clone, Serialize)]
pub struct ProjectPoint {
    pub project: String,
    pub name: Option<String>,
    pub cost: f64,
    pub support: u64,
    pub selected: bool,
}

/// The voters' satisfaction with the outcome (the report's satisfaction measure) in bins:
/// `voters[k]` have `edges[k] ≤ satisfaction < edges[k + 1]`.
#[derive(Debug, Clone, Serialize)]
pub struct SatisfactionHistogram {
    pub edges: Vec<f64>,
    pub voters: Vec<u64>,
}
