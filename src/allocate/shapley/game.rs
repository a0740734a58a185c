//! Contribution-based rewards from a cooperative game given as a table of coalition values:
//! exact Shapley values, permutation Monte Carlo (seeded, parallel, optionally truncated),
//! leave-one-out, the core, proportional shares and collaboration fairness.

use std::collections::{BTreeMap, HashMap};

use anyhow::{anyhow, bail, Result};
use rand::seq::SliceRandom;

use crate::input::{closest_name, detect_column, resolve_column};

/// A game: players and v(S) for coalitions as bit masks.
#[derive(Debug, Clone)]
pub struct Game {
    pub players: Vec<String>,
    pub v: HashMap<u64, f64>,
}

impl Game {
    pub fn n(&self) -> usize {
        self.players.len()
    }

    /// v(S), or an error naming the missing coalition.
    pub fn value(&self, s: u64) -> Result<f64> {
        if s == 0 {
            return Ok(*self.v.get(&0).unwrap_or(&0.0));
        }
        self.v.get(&s).copied().ok_or_else(|| {
            anyhow!(
                "the coalition {{{}}} has no value; the table needs every coalition the computation uses",
                self.members(s).join(", ")
            )
        })
    }

    pub fn members(&self, s: u64) -> Vec<String> {
        (0..self.n())
            .filter(|i| s & (1 << i) != 0)
            .map(|i| self.players[i].clone())
            .collect()
    }

    pub fn grand(&self) -> u64 {
        (1u64 << self.n()) - 1
    }

    /// Every coalition present? (The empty one defaults to 0.)
    pub fn complete(&self) -> Result<()> {
        for s in 1..=self.grand() {
            self.value(s)?;
        }
        Ok(())
    }
}

/// Members separated by `|`, `;`, `,` or whitespace; brackets and quotes ignored.
fn parse_members(text: &str) -> Vec<String> {
    text.split(['|', ';', ',', ' ', '\t'])
        .map(|s| {
            s.trim_matches(|c: char| "[]{}()\"'".contains(c))
                .trim()
                .to_string()
        })
        .filter(|s| !s.is_empty())
        .collect()
}

pub fn load(
    path: &str,
    coalition: Option<&str>,
    value: Option<&str>,
    read: &crate::input::ReadOptions,
) -> Result<Game> {
    let src = crate::input::source_with(path, read)?;
    let d = src.display.clone();
    let opened = src.open()?;
    crate::input::note_all(&src.display, &opened.warnings);
    let schema = opened.schema.clone();
    let resolve =
        |c: &str, flag: &str| resolve_column(&schema, c, flag, &d, &opened.duplicate_headers);
    let ccol = match coalition {
        Some(c) => resolve(c, "--coalition")?,
        None => detect_column(&schema, &["coalition", "members", "players", "set"])
            .ok_or_else(|| anyhow!("{d}: no coalition column; pass --coalition COL"))?,
    };
    let vcol = match value {
        Some(c) => resolve(c, "--value")?,
        None => detect_column(&schema, &["value", "v", "worth", "utility"])
            .ok_or_else(|| anyhow!("{d}: no value column; pass --value COL"))?,
    };
    let df = src.collect(opened.frame.clone().select([
        polars::prelude::col(ccol.as_str()).cast(polars::prelude::DataType::String),
        polars::prelude::col(vcol.as_str()),
    ]))?;
    let coalitions: Vec<Option<String>> = df
        .column(&ccol)?
        .as_materialized_series()
        .str()?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect();
    let vs = df.column(&vcol)?.as_materialized_series();
    let vals = crate::input::roles::number_values(vs, &src.options.na_values, &d)?;
    let mut rows: Vec<(Vec<String>, f64)> = Vec::new();
    let mut players: Vec<String> = Vec::new();
    for (r, (c, v)) in coalitions.iter().zip(&vals).enumerate() {
        let members = parse_members(c.as_deref().unwrap_or(""));
        let Some(v) = v.filter(|v| v.is_finite()) else {
            bail!(
                "{d}: data row {}: the value is missing or not finite",
                r + 1
            );
        };
        for m in &members {
            if !players.contains(m) {
                players.push(m.clone());
            }
        }
        rows.push((members, v));
    }
    players.sort();
    if players.len() > 62 {
        bail!("{d}: {} players; at most 62 are supported", players.len());
    }
    let index: BTreeMap<&str, usize> = players
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let mut v = HashMap::new();
    for (r, (members, val)) in rows.iter().enumerate() {
        let mut mask = 0u64;
        for m in members {
            mask |= 1 << index[m.as_str()];
        }
        if v.insert(mask, *val).is_some() {
            bail!(
                "{d}: data row {}: the coalition {{{}}} appears twice",
                r + 1,
                members.join(", ")
            );
        }
    }
    Ok(Game { players, v })
}

/// Exact Shapley values: φ_i = Σ_{S ⊆ N∖{i}} |S|! (n − |S| − 1)! / n! · (v(S ∪ {i}) − v(S)).
pub fn exact(g: &Game) -> Result<Vec<f64>> {
    let n = g.n();
    g.complete()?;
    // weight[k] = k! (n − k − 1)! / n!
    let mut weight = vec![0.0; n];
    for (k, w) in weight.iter_mut().enumerate() {
        let mut x = 1.0 / n as f64;
        // k!(n−k−1)!/n! = 1 / (n · C(n−1, k))
        let mut c = 1.0;
        for t in 0..k {
            c = c * (n - 1 - t) as f64 / (t + 1) as f64;
        }
        x /= c;
        *w = x;
    }
    let mut phi = vec![0.0; n];
    for s in 0..=g.grand() {
        let vs = g.value(s)?;
        let k = s.count_ones() as usize;
        for (i, p) in phi.iter_mut().enumerate() {
            if s & (1 << i) == 0 {
                *p += weight[k] * (g.value(s | (1 << i))? - vs);
            }
        }
    }
    Ok(phi)
}

/// Permutation Monte Carlo: mean marginal contribution over `samples` random orders (order r
/// from its own ChaCha8 stream (seed, r)); standard error = sd / √samples. With `truncation` > 0,
/// once |v(N) − v(prefix)| < truncation · |v(N)| the rest of the order contributes 0.
pub fn monte_carlo(
    g: &Game,
    samples: usize,
    seed: u64,
    truncation: f64,
) -> Result<(Vec<f64>, Vec<f64>)> {
    let n = g.n();
    let vn = g.value(g.grand())?;
    let marginals: Vec<Result<Vec<f64>>> =
        crate::stats::bootstrap::replicates(samples, seed, |_, rng| {
            let mut order: Vec<usize> = (0..n).collect();
            order.shuffle(rng);
            let mut out = vec![0.0; n];
            let mut s = 0u64;
            let mut prev = g.value(0)?;
            for &i in &order {
                if truncation > 0.0 && (vn - prev).abs() < truncation * vn.abs() {
                    break;
                }
                s |= 1 << i;
                let cur = g.value(s)?;
                out[i] = cur - prev;
                prev = cur;
            }
            Ok(out)
        });
    let marginals: Vec<Vec<f64>> = marginals.into_iter().collect::<Result<_>>()?;
    let k = samples as f64;
    let mut mean = vec![0.0; n];
    for m in &marginals {
        for (a, b) in mean.iter_mut().zip(m) {
            *a += b / k;
        }
    }
    let mut se = vec![0.0; n];
    if samples > 1 {
        for m in &marginals {
            for i in 0..n {
                se[i] += (m[i] - mean[i]).powi(2);
            }
        }
        for s in &mut se {
            *s = (*s / (k - 1.0)).sqrt() / k.sqrt();
        }
    }
    Ok((mean, se))
}

/// Leave-one-out: v(N) − v(N ∖ {i}).
pub fn leave_one_out(g: &Game) -> Result<Vec<f64>> {
    let vn = g.value(g.grand())?;
    (0..g.n())
        .map(|i| Ok(vn - g.value(g.grand() & !(1 << i))?))
        .collect()
}

/// The most violated core constraint of payoffs x: max_S v(S) − Σ_{i∈S} x_i (> 0: not in the
/// core), and efficiency Σ x − v(N). Exact over all coalitions (n ≤ 20).
pub fn core_violation(g: &Game, x: &[f64]) -> Result<(f64, u64)> {
    let mut worst = (f64::NEG_INFINITY, 0u64);
    for s in 1..=g.grand() {
        let paid: f64 = (0..g.n()).filter(|i| s & (1 << i) != 0).map(|i| x[i]).sum();
        let gap = g.value(s)? - paid;
        if gap > worst.0 {
            worst = (gap, s);
        }
    }
    Ok(worst)
}

/// agent,reward rows, in player order.
pub fn load_rewards(
    path: &str,
    players: &[String],
    read: &crate::input::ReadOptions,
) -> Result<Vec<f64>> {
    let src = crate::input::source_with(path, read)?;
    let d = src.display.clone();
    let opened = src.open()?;
    crate::input::note_all(&src.display, &opened.warnings);
    let a = detect_column(&opened.schema, &["agent", "player", "name", "client"])
        .ok_or_else(|| anyhow!("{d}: no 'agent' column; rewards are agent,reward rows"))?;
    let r = detect_column(&opened.schema, &["reward", "payoff", "payment", "value"])
        .ok_or_else(|| anyhow!("{d}: no 'reward' column; rewards are agent,reward rows"))?;
    let df = src.collect(opened.frame.clone())?;
    let names: Vec<Option<String>> = df
        .column(&a)?
        .as_materialized_series()
        .cast(&polars::prelude::DataType::String)?
        .str()?
        .iter()
        .map(|s| s.map(|x| x.trim().to_string()))
        .collect();
    let vals = crate::input::roles::number_values(
        df.column(&r)?.as_materialized_series(),
        &src.options.na_values,
        &d,
    )?;
    let mut out = vec![f64::NAN; players.len()];
    for (n, v) in names.iter().zip(vals) {
        let n = n.as_deref().unwrap_or("");
        let Some(i) = players.iter().position(|p| p == n) else {
            let all: Vec<&str> = players.iter().map(String::as_str).collect();
            let hint = closest_name(n, &all)
                .map(|c| format!(" (did you mean '{c}'?)"))
                .unwrap_or_default();
            bail!("{d}: unknown player '{n}'{hint}");
        };
        if !out[i].is_nan() {
            bail!("{d}: player '{n}' is listed twice; give each player one reward");
        }
        out[i] = match v {
            Some(x) if x.is_finite() => x,
            Some(x) => bail!("{d}: the reward of '{n}' is {x}, not a finite number"),
            None => bail!("{d}: the reward of '{n}' is missing"),
        };
    }
    if let Some(i) = out.iter().position(|x| x.is_nan()) {
        bail!("{d}: player '{}' has no reward", players[i]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn game(players: &[&str], f: impl Fn(u64) -> f64) -> Game {
        let n = players.len();
        Game {
            players: players.iter().map(|s| s.to_string()).collect(),
            v: (0..(1u64 << n)).map(|s| (s, f(s))).collect(),
        }
    }

    #[test]
    fn glove_and_airport_games() {
        // Glove: L holds a left glove, R1 and R2 right gloves; v(S) = min(#left, #right).
        let g = game(&["L", "R1", "R2"], |s| {
            let left = (s & 1) as f64;
            let right = ((s >> 1) & 1) as f64 + ((s >> 2) & 1) as f64;
            left.min(right)
        });
        let phi = exact(&g).unwrap();
        assert!((phi[0] - 2.0 / 3.0).abs() < 1e-12 && (phi[1] - 1.0 / 6.0).abs() < 1e-12);
        // Airport (cost) game: c = 1, 2, 3; v(S) = max c over S.
        let c = [1.0, 2.0, 3.0];
        let g = game(&["a", "b", "c"], |s| {
            (0..3)
                .filter(|i| s & (1 << i) != 0)
                .map(|i| c[i])
                .fold(0.0, f64::max)
        });
        let phi = exact(&g).unwrap();
        for (p, want) in phi
            .iter()
            .zip([1.0 / 3.0, 1.0 / 3.0 + 0.5, 1.0 / 3.0 + 0.5 + 1.0])
        {
            assert!((p - want).abs() < 1e-12, "{p} vs {want}");
        }
        let (mc, se) = monte_carlo(&g, 4000, 7, 0.0).unwrap();
        for i in 0..3 {
            assert!(
                (mc[i] - phi[i]).abs() < 3.0 * se[i] + 1e-12,
                "{} {} {}",
                mc[i],
                phi[i],
                se[i]
            );
        }
        // Shapley is efficient; the glove game's core is {L gets 1}: Shapley is outside it.
        let g = game(&["L", "R1", "R2"], |s| {
            let left = (s & 1) as f64;
            let right = ((s >> 1) & 1) as f64 + ((s >> 2) & 1) as f64;
            left.min(right)
        });
        let (gap, _) = core_violation(&g, &exact(&g).unwrap()).unwrap();
        assert!(gap > 0.0);
        let (gap, _) = core_violation(&g, &[1.0, 0.0, 0.0]).unwrap();
        assert!(gap <= 1e-12);
    }
}
