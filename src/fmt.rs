//! Number formatting shared by `check`, `score`, `compare` and the report: one home, so every output
//! spells thousands, percentages and "n/a" the same way and never prints a negative zero.

/// What a figure that cannot be computed from the inputs prints as.
pub const NA: &str = "n/a";

/// An integer with thousands separators.
///
/// ```
/// assert_eq!(footprints::fmt::fmt_int(1_234_567), "1,234,567");
/// assert_eq!(footprints::fmt::fmt_int(999), "999");
/// ```
pub fn fmt_int(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `x` with `d` decimals; a value that rounds to zero never keeps its minus sign.
///
/// ```
/// assert_eq!(footprints::fmt::fixed(-0.004, 2), "0.00");
/// assert_eq!(footprints::fmt::fixed(-0.0, 0), "0");
/// assert_eq!(footprints::fmt::fixed(-1.25, 1), "-1.2");
/// ```
pub fn fixed(x: f64, d: usize) -> String {
    let s = format!("{x:.d$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// `x` with `d` decimals and an explicit sign ("+1.5", "-2.0"); zero prints unsigned.
///
/// ```
/// assert_eq!(footprints::fmt::signed(1.46, 1), "+1.5");
/// assert_eq!(footprints::fmt::signed(-0.04, 1), "0.0");
/// ```
pub fn signed(x: f64, d: usize) -> String {
    let s = fixed(x, d);
    if s.starts_with('-') || s.chars().all(|c| c == '0' || c == '.') {
        s
    } else {
        format!("+{s}")
    }
}

/// A share (0–1) as a percentage with `d` decimals: `pct(0.5, 0)` is "50%".
///
/// ```
/// assert_eq!(footprints::fmt::pct(0.5, 0), "50%");
/// assert_eq!(footprints::fmt::pct(-0.0, 0), "0%");
/// ```
pub fn pct(share: f64, d: usize) -> String {
    format!("{}%", fixed(share * 100.0, d))
}

/// A table figure: whole numbers without decimals, anything else with two.
///
/// ```
/// assert_eq!(footprints::fmt::num(14.0), "14");
/// assert_eq!(footprints::fmt::num(0.3489), "0.35");
/// assert_eq!(footprints::fmt::num(-0.001), "0.00");
/// ```
pub fn num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e9 {
        fixed(x, 0)
    } else {
        fixed(x, 2)
    }
}

/// `fixed` for an optional value; `None` prints "n/a".
pub fn opt(x: Option<f64>, d: usize) -> String {
    x.map_or_else(|| NA.to_string(), |v| fixed(v, d))
}
