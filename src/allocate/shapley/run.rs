//! `allocate shapley`: per player the Shapley value (exact, or permutation Monte Carlo with
//! standard errors), leave-one-out, the proportional reward and the reward paid; whether the
//! Shapley values and the rewards lie in the core; collaboration fairness (the Pearson
//! correlation of rewards and contributions, Lyu et al. 2020).

use anyhow::Result;

use super::game::{self, Game};
use crate::allocate::report::AllocateReport;
use crate::allocate::settings::ShapleySettings;
use crate::allocate::tables::{Efficiency, Input, PlayerRow, Shortfall};

/// The report of `allocate shapley`.
pub fn report(a: &ShapleySettings) -> Result<AllocateReport> {
    let g = game::load(
        &a.values,
        a.coalition.as_deref(),
        a.value_col.as_deref(),
        &a.read,
    )?;
    let n = g.n();
    let mut r = AllocateReport::new("shapley");
    r.input = Input::Shapley {
        path: a.values.clone(),
        players: n,
        coalitions: g.v.len(),
    };
    let (phi, se) = contributions(&mut r, &g, a)?;
    let loo = game::leave_one_out(&g).map_err(|e| anyhow::anyhow!("{}: {e}", a.values))?;
    let vn = g.value(g.grand())?;
    let rewards = a
        .rewards
        .as_deref()
        .map(|p| game::load_rewards(p, &g.players, &a.read))
        .transpose()?;
    r.players = player_rows(&g, &phi, se.as_deref(), &loo, rewards.as_deref(), vn);
    r.metrics.number("grand_coalition_value", vn);
    r.metrics.number("shapley.sum", phi.iter().sum());
    core_metrics(&mut r, &g, &phi, rewards.as_deref(), vn)?;
    if let Some(rw) = &rewards {
        reward_metrics(&mut r, &phi, rw);
    }
    Ok(r)
}

/// The Shapley values, exact up to 20 players without `--samples`, else by permutation Monte
/// Carlo (with their standard errors); the method and its settings go to the report.
fn contributions(
    r: &mut AllocateReport,
    g: &Game,
    a: &ShapleySettings,
) -> Result<(Vec<f64>, Option<Vec<f64>>)> {
    let exact = a.samples.is_none() && g.n() <= 20;
    let out = if exact {
        (
            game::exact(g).map_err(|e| anyhow::anyhow!("{}: {e}", a.values))?,
            None,
        )
    } else {
        let samples = a.samples.unwrap_or(10_000);
        let (m, s) = game::monte_carlo(g, samples, a.seed, a.truncation)
            .map_err(|e| anyhow::anyhow!("{}: {e}", a.values))?;
        r.settings.samples = Some(samples);
        r.settings.seed = Some(a.seed);
        r.settings.truncation = Some(a.truncation);
        (m, Some(s))
    };
    r.settings.method = Some(if exact {
        "exact"
    } else {
        "permutation_monte_carlo"
    });
    Ok(out)
}

/// Per player: Shapley value (and standard error), leave-one-out, the proportional reward
/// (positive Shapley values scaled to v(N); null when none is positive) and the reward paid.
fn player_rows(
    g: &Game,
    phi: &[f64],
    se: Option<&[f64]>,
    loo: &[f64],
    rewards: Option<&[f64]>,
    vn: f64,
) -> Vec<PlayerRow> {
    let positive: f64 = phi.iter().map(|p| p.max(0.0)).sum();
    (0..g.n())
        .map(|i| PlayerRow {
            player: g.players[i].clone(),
            shapley: phi[i],
            standard_error: se.map(|se| se[i]),
            leave_one_out: loo[i],
            proportional_reward: (positive > 0.0).then(|| phi[i].max(0.0) / positive * vn),
            reward: rewards.map(|rw| rw[i]),
        })
        .collect()
}

/// `shapley_in_core` and `rewards_in_core` (core: no coalition gets less than its value; the
/// rewards must also sum to v(N)), with the most violated constraint as witness. Checked over
/// every coalition: only for a complete table of at most 20 players.
fn core_metrics(
    r: &mut AllocateReport,
    g: &Game,
    phi: &[f64],
    rewards: Option<&[f64]>,
    vn: f64,
) -> Result<()> {
    if !(g.n() <= 20 && g.complete().is_ok()) {
        r.metrics.undefined("shapley_in_core", "the core is checked over every coalition: only with a complete table of at most 20 players");
        return Ok(());
    }
    let tol = 1e-9 * (1.0 + vn.abs());
    let (gap, s) = game::core_violation(g, phi)?;
    r.metrics.holds("shapley_in_core", gap <= tol);
    if gap > tol {
        r.core_witness.shapley = Some(Shortfall {
            coalition: g.members(s),
            shortfall: gap,
        });
    }
    if let Some(rw) = rewards {
        let (gap, s) = game::core_violation(g, rw)?;
        let efficient = (rw.iter().sum::<f64>() - vn).abs() <= tol;
        r.metrics.holds("rewards_in_core", gap <= tol && efficient);
        if gap > tol {
            r.core_witness.rewards = Some(Shortfall {
                coalition: g.members(s),
                shortfall: gap,
            });
        }
        if !efficient {
            r.core_witness.rewards_efficiency = Some(Efficiency {
                paid: rw.iter().sum(),
                grand_coalition_value: vn,
            });
        }
    }
    Ok(())
}

/// Collaboration fairness (Pearson correlation of Shapley values and rewards), the rewards'
/// sum and their largest absolute gap to the Shapley values.
fn reward_metrics(r: &mut AllocateReport, phi: &[f64], rw: &[f64]) {
    match crate::stats::correlation::pearson(phi, rw) {
        Ok(c) => {
            r.metrics.number("collaboration_fairness", c);
        }
        Err(why) => {
            r.metrics.undefined("collaboration_fairness", why);
        }
    }
    let paid: f64 = rw.iter().sum();
    r.metrics.number("rewards.sum", paid);
    let gap = rw
        .iter()
        .zip(phi)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f64::max);
    r.metrics.number("rewards.max_abs_gap_to_shapley", gap);
}
