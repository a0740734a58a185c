//! Numbers as people read them in tables and charts, and as CSV keeps them.

/// A number for tables: 4 decimals (rates, ratios), `—` for undefined; from 1,000 on with
/// thousands separators and without useless decimals (`61000.0` is `61,000`, `32045.5686` is
/// `32,045.57`).
pub fn fmt_num(v: Option<f64>) -> String {
    match v {
        None => "—".to_string(),
        Some(x) if x.is_finite() && x.abs() >= 1000.0 => large_num(x),
        Some(x) => format!("{x:.4}"),
    }
}

/// A p-value for tables: as [`fmt_num`], but a value under 1e-4 keeps its magnitude in
/// scientific notation (`3.9e-16`, not `0.0000`: a p-value of 0 would be a finding of its own).
pub fn fmt_p(v: Option<f64>) -> String {
    match v {
        Some(p) if is_tiny(p) => format!("{p:.1e}"),
        other => fmt_num(other),
    }
}

/// Whether a number is non-zero but under 1e-4 in size: [`fmt_p`] writes it in scientific
/// notation.
pub fn is_tiny(x: f64) -> bool {
    x != 0.0 && x.abs() < 1e-4
}

/// An amount for tables (a cost, a budget, a utility, a welfare): whole numbers without decimals
/// and with thousands separators (`61,000`, `20`), others as [`fmt_num`].
pub fn fmt_amount(v: Option<f64>) -> String {
    match v {
        // A whole number up to floating-point noise (`360.00000000000006`).
        Some(x) if x.is_finite() && (x - x.round()).abs() <= 1e-9 * x.abs().max(1.0) => {
            group_digits(&format!("{:.0}", x.round()))
        }
        other => fmt_num(other),
    }
}

/// A count with thousands separators: `3,696`.
pub fn fmt_count(n: u64) -> String {
    group_digits(&n.to_string())
}

fn large_num(x: f64) -> String {
    if x.fract() == 0.0 {
        group_digits(&format!("{x:.0}"))
    } else {
        group_digits(&format!("{x:.2}"))
    }
}

/// `-1234567.25` → `-1,234,567.25`.
pub(super) fn group_digits(s: &str) -> String {
    let (sign, rest) = match s.strip_prefix('-') {
        Some(r) => ("-", r),
        None => ("", s),
    };
    let (int, frac) = match rest.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (rest, None),
    };
    if !int.chars().all(|c| c.is_ascii_digit()) {
        return s.to_string();
    }
    let mut out = String::from(sign);
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A number for CSV: full precision (shortest round-trip), empty for undefined.
pub fn csv_num(v: Option<f64>) -> String {
    match v {
        None => String::new(),
        Some(x) => serde_json::Number::from_f64(x)
            .map(|n| n.to_string())
            .unwrap_or_default(),
    }
}
