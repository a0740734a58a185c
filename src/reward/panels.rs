//! The panels a pairs file gets beside accuracy: length bias, calibration, groups.

use serde_json::{Map, Value as Json};

use crate::reward::data::{Codes, Pairs};
use crate::reward::metrics::{self, Tally};
use crate::reward::panel::{headline_value, put};
use crate::reward::report::{
    CalibrationPanel, GroupDisparities, GroupPanel, GroupRow, LengthBin, LengthPanel, RewardInput,
};
use crate::reward::settings::Settings;
use crate::stats::bootstrap::percentile;
use crate::stats::disparity::disparity;
use crate::stats::Binning;
use crate::stats::Value;

/// Length bias: correlations of reward with length, the longer response's win share, the "pick
/// the longer" baseline, accuracy split by which response is longer and by length-difference bin.
pub fn length(p: &Pairs, lc: &[f64], lr: &[f64], settings: &Settings, r: &mut RewardInput) {
    let idx: Vec<usize> = (0..p.chosen.len())
        .filter(|&i| lc[i].is_finite() && lr[i].is_finite())
        .collect();
    let (mut scores, mut lens) = (Vec::new(), Vec::new());
    for &i in &idx {
        scores.push(p.chosen[i]);
        lens.push(lc[i]);
        scores.push(p.rejected[i]);
        lens.push(lr[i]);
    }
    let (mut longer_wins, mut baseline) = (Tally::default(), Tally::default());
    let (mut c_longer, mut c_shorter, mut equal) =
        (Tally::default(), Tally::default(), Tally::default());
    for &i in &idx {
        let (c, rj) = (p.chosen[i], p.rejected[i]);
        baseline.add(lc[i], lr[i], settings.ties);
        if lc[i] > lr[i] {
            longer_wins.add(c, rj, settings.ties);
            c_longer.add(c, rj, settings.ties);
        } else if lc[i] < lr[i] {
            longer_wins.add(rj, c, settings.ties);
            c_shorter.add(c, rj, settings.ties);
        } else {
            equal.add(c, rj, settings.ties);
        }
    }
    let mut u = Map::new();
    let mut h = |name: &str, v| headline_value(r, &mut u, "length", name, v);
    let pearson = h(
        "pearson",
        crate::stats::correlation::pearson(&scores, &lens),
    );
    let spearman = h(
        "spearman",
        crate::stats::correlation::spearman(&scores, &lens),
    );
    let longer = h("longer_wins", longer_wins.accuracy());
    let baseline = h("longer_baseline_accuracy", baseline.accuracy());
    let chosen_longer = h("accuracy_chosen_longer", c_longer.accuracy());
    let chosen_shorter = h("accuracy_chosen_shorter", c_shorter.accuracy());
    let equal_length = h("accuracy_equal_length", equal.accuracy());
    r.length = Some(LengthPanel {
        pairs: idx.len(),
        pearson,
        spearman,
        longer_wins: longer,
        longer_baseline_accuracy: baseline,
        accuracy_chosen_longer: chosen_longer,
        accuracy_chosen_shorter: chosen_shorter,
        accuracy_equal_length: equal_length,
        pairs_chosen_longer: c_longer.pairs,
        pairs_chosen_shorter: c_shorter.pairs,
        pairs_equal_length: equal.pairs,
        by_length_difference: length_bins(p, lc, lr, &idx, settings),
        undefined: u,
    });
}

/// Accuracy by bins of equal mass of the length difference chosen − rejected (`idx`: the pairs
/// with both lengths).
fn length_bins(
    p: &Pairs,
    lc: &[f64],
    lr: &[f64],
    idx: &[usize],
    settings: &Settings,
) -> Vec<LengthBin> {
    let diffs: Vec<f64> = idx.iter().map(|&i| lc[i] - lr[i]).collect();
    let by_diff: Vec<(f64, usize)> = crate::stats::correlation::sorted_with_index(&diffs)
        .into_iter()
        .map(|(d, k)| (d, idx[k as usize]))
        .collect();
    let bins = settings.length_bins as usize;
    let sorted_diffs: Vec<f64> = by_diff.iter().map(|x| x.0).collect();
    metrics::split_at_ties(&sorted_diffs, bins)
        .into_iter()
        .map(|(lo, hi)| {
            let mut t = Tally::default();
            for &(_, i) in &by_diff[lo..hi] {
                t.add(p.chosen[i], p.rejected[i], settings.ties);
            }
            LengthBin {
                lower: by_diff[lo].0,
                upper: by_diff[hi - 1].0,
                pairs: t.pairs,
                accuracy: t.accuracy().ok(),
            }
        })
        .collect()
}

/// Calibration of the Bradley–Terry probability σ(chosen − rejected).
pub fn calibration(p: &Pairs, settings: &Settings, r: &mut RewardInput) {
    let margins: Vec<f64> = p
        .chosen
        .iter()
        .zip(&p.rejected)
        .map(|(c, x)| c - x)
        .collect();
    let equal_mass = settings.binning == Binning::EqualMass;
    let c = metrics::calibration(&margins, settings.bins as usize, equal_mass);
    let mut u = Map::new();
    let mut h = |name: &str, v| headline_value(r, &mut u, "calibration", name, v);
    let ece = h("ece", c.ece);
    let mce = h("mce", c.mce);
    let log_loss = h("log_loss", c.log_loss);
    let brier = h("brier", c.brier);
    let temperature = h("temperature", c.temperature);
    let log_loss_at_temperature = h("log_loss_at_temperature", c.log_loss_at_temperature);
    r.calibration = Some(CalibrationPanel {
        ece,
        mce,
        log_loss,
        brier,
        temperature,
        log_loss_at_temperature,
        bins: settings.bins,
        binning: if equal_mass {
            "equal_mass"
        } else {
            "equal_width"
        }
        .into(),
        reliability: c.bins,
        undefined: u,
    });
}

/// Per group column: accuracy, mean scores and margin per group, and their disparities.
pub fn groups(p: &Pairs, settings: &Settings, r: &mut RewardInput) {
    let overall_acc = r.metrics.get("accuracy").and_then(Json::as_f64);
    let overall_margin = p
        .chosen
        .iter()
        .zip(&p.rejected)
        .map(|(c, x)| c - x)
        .sum::<f64>()
        / p.chosen.len() as f64;
    for (name, codes) in &p.groups {
        let rows = group_rows(p, codes, settings);
        let accs: Vec<f64> = rows.iter().filter_map(|g| g.1).collect();
        let margins: Vec<f64> = rows.iter().map(|g| g.2).collect();
        let mut u = Map::new();
        let mut d = |metric: &str, vals: &[f64], ov: Value| {
            let x = if vals.len() < 2 {
                crate::stats::disparity::undefined(crate::stats::reason(format!(
                    "{metric} is defined for {} of {} groups; a disparity compares two or more",
                    vals.len(),
                    rows.len()
                )))
            } else {
                disparity(vals, ov)
            };
            let signed = metric == "mean_margin";
            let why = "a ratio of a quantity that can be negative is not reported";
            [
                typed(&mut u, &format!("{metric}_difference"), x.difference),
                typed(
                    &mut u,
                    &format!("{metric}_ratio"),
                    if signed { Err(why) } else { x.ratio },
                ),
                typed(
                    &mut u,
                    &format!("{metric}_difference_to_overall"),
                    x.difference_to_overall,
                ),
            ]
        };
        let [ad, ar, ao] = d("accuracy", &accs, overall_acc.ok_or("undefined overall"));
        let [md, mr, mo] = d("mean_margin", &margins, Ok(overall_margin));
        r.groups.push(GroupPanel {
            column: name.clone(),
            groups: rows.into_iter().map(|g| g.0).collect(),
            disparities: GroupDisparities {
                accuracy_difference: ad,
                accuracy_ratio: ar,
                accuracy_difference_to_overall: ao,
                mean_margin_difference: md,
                mean_margin_ratio: mr,
                mean_margin_difference_to_overall: mo,
            },
            undefined: u,
            disparities_bootstrap: Default::default(),
        });
    }
}

/// Per group of one column: its row, its accuracy (when defined) and its mean margin.
fn group_rows(p: &Pairs, codes: &Codes, settings: &Settings) -> Vec<(GroupRow, Option<f64>, f64)> {
    let Codes { codes, names } = codes;
    let k = names.len();
    let mut t = vec![Tally::default(); k];
    let mut sums = vec![[0.0f64; 3]; k];
    let mut per_group: Vec<Vec<f64>> = vec![Vec::new(); k];
    for (i, &code) in codes.iter().enumerate() {
        let g = code as usize;
        t[g].add(p.chosen[i], p.rejected[i], settings.ties);
        sums[g][0] += p.chosen[i];
        sums[g][1] += p.rejected[i];
        sums[g][2] += p.chosen[i] - p.rejected[i];
        per_group[g].push(p.chosen[i] - p.rejected[i]);
    }
    let finite = |x: f64| Some(x).filter(|x| x.is_finite());
    (0..k)
        .map(|g| {
            let n = t[g].pairs as f64;
            let a = t[g].accuracy().ok();
            let mean = sums[g][2] / n;
            let std = (per_group[g].iter().map(|m| (m - mean).powi(2)).sum::<f64>() / n).sqrt();
            let v = &mut per_group[g];
            v.sort_unstable_by(f64::total_cmp);
            let row = GroupRow {
                group: names[g].clone(),
                pairs: t[g].pairs,
                ties: t[g].ties,
                accuracy: a.and_then(finite),
                mean_chosen: finite(sums[g][0] / n),
                mean_rejected: finite(sums[g][1] / n),
                mean_margin: finite(mean),
                std_margin: finite(std),
                median_margin: finite(percentile(v, 0.5)),
                accuracy_interval: None,
            };
            (row, a, mean)
        })
        .collect()
}

/// A typed panel's value: `v` when defined and finite (null otherwise, as `panel::num` writes it),
/// the reason under `k` in `undefined` when undefined.
fn typed(undefined: &mut Map<String, Json>, k: &str, v: Value) -> Option<f64> {
    put(&mut Map::new(), undefined, k, v);
    v.ok().filter(|x| x.is_finite())
}
