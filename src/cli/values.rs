//! Parsers of numeric and text flag values: ranges checked where clap reads them, one message
//! naming the flag.

// Ranges of numeric flags, checked where clap reads them (one message naming the flag).

/// The most bootstrap replicates: beyond this the replicate statistics would not fit in memory.
pub const MAX_REPLICATES: usize = 1_000_000;
/// The most Monte Carlo permutations of `allocate shapley --samples`.
pub const MAX_PERMUTATIONS: usize = 100_000_000;

pub fn number(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .map_err(|_| format!("'{s}' is not a number"))
}

/// A finite number (not NaN or infinite).
pub fn finite(s: &str) -> Result<f64, String> {
    let x = number(s)?;
    if x.is_finite() {
        Ok(x)
    } else {
        Err(format!("must be a finite number, not {s}"))
    }
}

/// A finite number >= 0.
pub fn non_negative(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if x >= 0.0 {
        Ok(x)
    } else {
        Err(format!("must be 0 or more, not {s}"))
    }
}

/// A share in [0, 1) (a truncation threshold as a share of v(N)).
pub fn unit_share(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if (0.0..1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!(
            "must be at least 0 and below 1, e.g. 0.01; not {s}"
        ))
    }
}

/// A number strictly between 0 and 1 (a confidence level).
pub fn open_unit(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if x > 0.0 && x < 1.0 {
        Ok(x)
    } else {
        Err(format!(
            "must be between 0 and 1 (exclusive), e.g. 0.95; not {s}"
        ))
    }
}

/// A share of the rows in (0, 1) (`--exclude-below`).
pub fn share(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if x > 0.0 && x < 1.0 {
        Ok(x)
    } else {
        Err(format!(
            "must be a share of the rows between 0 and 1 (exclusive), e.g. 0.02 for LL144's 2%; not {s}"
        ))
    }
}

/// A number in (0, 1] (a parity band).
pub fn open_unit_closed(s: &str) -> Result<f64, String> {
    let x = finite(s)?;
    if x > 0.0 && x <= 1.0 {
        Ok(x)
    } else {
        Err(format!("must be in (0, 1], e.g. 0.8; not {s}"))
    }
}

pub fn count_at_most(s: &str, max: usize) -> Result<usize, String> {
    let n: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("'{s}' is not a whole number"))?;
    if n <= max {
        Ok(n)
    } else {
        Err(format!("at most {max}, not {s}"))
    }
}

/// Bootstrap replicates: 0 (none) to [`MAX_REPLICATES`].
pub fn replicates(s: &str) -> Result<usize, String> {
    count_at_most(s, MAX_REPLICATES)
}

/// Monte Carlo permutations: 1 to [`MAX_PERMUTATIONS`].
pub fn permutations(s: &str) -> Result<usize, String> {
    match count_at_most(s, MAX_PERMUTATIONS)? {
        0 => Err("at least 1".into()),
        n => Ok(n),
    }
}

/// A non-empty text.
pub fn non_empty(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(s.to_string())
    }
}

/// `--max-unmatched`: a number of rows (`12`) or a share of them (`5%`, `0.05` is 0 rows: a
/// share needs the percent sign).
pub fn unmatched(s: &str) -> Result<crate::fairness::settings::Unmatched, String> {
    use crate::fairness::settings::Unmatched;
    let t = s.trim();
    if let Some(p) = t.strip_suffix('%') {
        let x = finite(p.trim())?;
        if (0.0..=100.0).contains(&x) {
            return Ok(Unmatched::Share(x / 100.0));
        }
        return Err(format!("must be a percentage between 0% and 100%; not {s}"));
    }
    t.parse::<u64>().map(Unmatched::Rows).map_err(|_| {
        format!("must be a number of rows (e.g. 12) or a percentage of them (e.g. 5%); not {s}")
    })
}

/// `--target V=P,...` (audit-ranking, audit-counterfactual --distribution): each value once, each
/// share in [0, 1], the shares adding up to 1 within 10⁻⁶; `None` when the flag is absent.
/// `example` is shown in the messages (`woman=0.5,man=0.5`).
pub fn target_shares(
    items: &[String],
    example: &str,
) -> anyhow::Result<Option<Vec<(String, f64)>>> {
    if items.is_empty() {
        return Ok(None);
    }
    let mut t: Vec<(String, f64)> = Vec::new();
    for item in items {
        let Some((v, p)) = item.rsplit_once('=') else {
            anyhow::bail!("--target: '{item}' is not VALUE=SHARE; write e.g. {example}");
        };
        let v = v.trim();
        let p: f64 = p
            .trim()
            .parse()
            .ok()
            .filter(|x: &f64| (0.0..=1.0).contains(x))
            .ok_or_else(|| {
                anyhow::anyhow!(
                    "--target: the share of '{v}' must be a number in [0, 1], not '{p}'"
                )
            })?;
        if t.iter().any(|(k, _)| k == v) {
            anyhow::bail!("--target: '{v}' is given twice");
        }
        t.push((v.to_string(), p));
    }
    let sum: f64 = t.iter().map(|x| x.1).sum();
    if (sum - 1.0).abs() > 1e-6 {
        anyhow::bail!("--target: the shares add up to {sum}, not 1 (they must sum to 1); give shares such as {example}");
    }
    Ok(Some(t))
}
