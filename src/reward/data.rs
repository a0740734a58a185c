//! The data every reward input kind shares: preference pairs, categorical codes, the reported
//! columns, and the usual column names. Imports none of its users.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

pub const CHOSEN_NAMES: &[&str] = &[
    "scores_chosen",
    "score_chosen",
    "chosen_score",
    "reward_chosen",
    "chosen_reward",
    "chosen",
];
pub const REJECTED_NAMES: &[&str] = &[
    "scores_rejected",
    "score_rejected",
    "rejected_score",
    "reward_rejected",
    "rejected_reward",
    "rejected",
];
pub const ID_NAMES: &[&str] = &["id", "prompt_id", "pair_id"];
pub const SUBSET_NAMES: &[&str] = &["subset", "category", "domain"];

/// The columns a pairs audit used (reported).
#[derive(Debug, Clone, Serialize, Default)]
pub struct RewardColumns {
    pub chosen: String,
    pub rejected: String,
    pub id: Option<String>,
    pub subset: Option<String>,
    pub chosen_length: Option<String>,
    pub rejected_length: Option<String>,
    /// With --chosen-text: `chars` or `tokens`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length_unit: Option<String>,
    pub groups: Vec<String>,
    /// Flags whose column was found by its name.
    pub detected: Vec<String>,
}

/// Values of a categorical column: a code per row, names indexed by code in sorted order.
#[derive(Debug, Clone, Default)]
pub struct Codes {
    pub codes: Vec<u32>,
    pub names: Vec<String>,
}

impl Codes {
    /// Codes of borrowed values: first-seen codes through a hash map, then renumbered so that
    /// names are in sorted order.
    pub fn from_values<'a>(values: impl Iterator<Item = &'a str>) -> Codes {
        let mut index: HashMap<&'a str, u32> = HashMap::new();
        let mut first: Vec<u32> = Vec::new();
        for v in values {
            let k = index.len() as u32;
            first.push(*index.entry(v).or_insert(k));
        }
        let mut names: Vec<(&str, u32)> = index.into_iter().collect();
        names.sort();
        let mut remap = vec![0u32; names.len()];
        for (new, (_, old)) in names.iter().enumerate() {
            remap[*old as usize] = new as u32;
        }
        Codes {
            codes: first.into_iter().map(|c| remap[c as usize]).collect(),
            names: names.into_iter().map(|(n, _)| n.to_string()).collect(),
        }
    }

    pub fn from_strings(values: Vec<String>) -> Codes {
        let mut seen: BTreeMap<String, u32> = BTreeMap::new();
        for v in &values {
            seen.entry(v.clone()).or_insert(0);
        }
        for (i, v) in seen.values_mut().enumerate() {
            *v = i as u32;
        }
        Codes {
            codes: values.iter().map(|v| seen[v]).collect(),
            names: seen.into_keys().collect(),
        }
    }

    pub fn single(n: usize, name: &str) -> Codes {
        Codes {
            codes: vec![0; n],
            names: vec![name.to_string()],
        }
    }
}

/// Preference pairs (rows with both scores).
#[derive(Debug, Clone, Default)]
pub struct Pairs {
    pub chosen: Vec<f64>,
    pub rejected: Vec<f64>,
    /// Prompt (bootstrap cluster) of each pair.
    pub prompt: Vec<u32>,
    pub subset: Codes,
    /// Lengths of the chosen and rejected responses (NaN where missing).
    pub lengths: Option<(Vec<f64>, Vec<f64>)>,
    /// Per --group column: its name and codes.
    pub groups: Vec<(String, Codes)>,
    /// The pair ids (the --id column) when there is one: `--compare` joins two files by them.
    pub ids: Option<Vec<Option<String>>>,
}

impl Pairs {
    /// The pairs at `idx`, in that order (subset names and group names kept).
    pub fn select(&self, idx: &[usize]) -> Pairs {
        let pick = |v: &[f64]| idx.iter().map(|&i| v[i]).collect::<Vec<_>>();
        let codes = |c: &Codes| Codes {
            codes: idx.iter().map(|&i| c.codes[i]).collect(),
            names: c.names.clone(),
        };
        Pairs {
            chosen: pick(&self.chosen),
            rejected: pick(&self.rejected),
            prompt: idx.iter().map(|&i| self.prompt[i]).collect(),
            subset: codes(&self.subset),
            lengths: self.lengths.as_ref().map(|(a, b)| (pick(a), pick(b))),
            groups: self
                .groups
                .iter()
                .map(|(n, c)| (n.clone(), codes(c)))
                .collect(),
            ids: self
                .ids
                .as_ref()
                .map(|v| idx.iter().map(|&i| v[i].clone()).collect()),
        }
    }
}

/// What reading one input noticed besides its data: rows read, rows dropped by reason, and
/// warnings (skipped malformed rows).
#[derive(Debug, Clone, Default)]
pub struct Meta {
    pub rows_read: u64,
    pub dropped: BTreeMap<String, u64>,
    pub read_warnings: Vec<String>,
}
