//! A number that is either defined or undefined with its reason: 0/0, a disparity over fewer than
//! two groups, a correlation of a constant. Reported as `null` with the reason (`—` in tables),
//! never as 0; a gate on it fails.

/// A metric's value, or why it is undefined.
pub type Value = Result<f64, &'static str>;

/// A reason built at run time, kept for the life of the process so it can be a [`Value`]'s
/// error. Each distinct text is stored once (reasons are few: a metric and two counts).
pub fn reason(text: String) -> &'static str {
    static SEEN: std::sync::Mutex<std::collections::BTreeSet<&'static str>> =
        std::sync::Mutex::new(std::collections::BTreeSet::new());
    let mut seen = SEEN.lock().expect("reasons");
    if let Some(r) = seen.get(text.as_str()) {
        return r;
    }
    let r: &'static str = Box::leak(text.into_boxed_str());
    seen.insert(r);
    r
}
