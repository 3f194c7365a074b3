//! Range checks for numeric flags, run once when `Args` become a typed `Config`, before any file is
//! read. Each error names the flag and the value given; NaN and infinities are rejected.

use anyhow::{bail, Result};

/// `value` must be finite and ≥ `min`.
pub fn at_least(flag: &str, value: f64, min: f64) -> Result<f64> {
    if !value.is_finite() || value < min {
        bail!("--{flag} must be a finite number ≥ {min} (got {value})");
    }
    Ok(value)
}

/// `value` must be finite and > `min`.
pub fn above(flag: &str, value: f64, min: f64) -> Result<f64> {
    if !value.is_finite() || value <= min {
        bail!("--{flag} must be a finite number > {min} (got {value})");
    }
    Ok(value)
}

/// `value` must be finite and within `min..=max`.
pub fn between(flag: &str, value: f64, min: f64, max: f64) -> Result<f64> {
    if !value.is_finite() || value < min || value > max {
        bail!("--{flag} must be a finite number from {min} to {max} (got {value})");
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_nan_infinity_and_out_of_range() {
        assert_eq!(between("alpha", 0.0, 0.0, 100.0).unwrap(), 0.0);
        assert!(between("alpha", -0.1, 0.0, 100.0).unwrap_err().to_string().contains("--alpha"));
        assert!(between("alpha", f64::NAN, 0.0, 100.0).unwrap_err().to_string().contains("got NaN"));
        assert!(above("radius-km", 0.0, 0.0).is_err());
        assert!(above("radius-km", f64::INFINITY, 0.0).is_err());
        assert_eq!(above("radius-km", 5.0, 0.0).unwrap(), 5.0);
        assert!(between("circuity", f64::NAN, 1.0, 10.0).unwrap_err().to_string().contains("--circuity"));
        assert!(between("circuity", 11.0, 1.0, 10.0).is_err());
    }
}
