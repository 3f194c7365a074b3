//! Travel-time (or any cost) matrices between LSOAs and sites: a CSV with one row per pair.

use crate::error::{Error, Result};
use crate::io::table::{parse_f64, Table};
use crate::io::CodeIndex;
use std::collections::HashMap;
use std::path::Path;

/// Costs from study LSOAs to sites, e.g. minutes by car from the NHS/DfT journey-time statistics.
#[derive(Debug, Clone, Default)]
pub struct TravelMatrix {
    costs: HashMap<(usize, String), f64>,
    /// Pairs read.
    pub pairs: usize,
}

/// Highest cost accepted: 1,440 (a day in minutes; more km than England is long).
pub const MAX_COST: f64 = 1440.0;

const FROM: [&str; 4] = ["lsoa_code", "lsoa21_code", "origin", "from"];
const TO: [&str; 5] = ["site_code", "practice_code", "code", "destination", "to"];
const COST: [&str; 5] = ["minutes", "cost", "time", "travel_time", "km"];

impl TravelMatrix {
    /// Read a matrix CSV: LSOA code, site code, cost (columns found by common names).
    pub fn read(study: &impl CodeIndex, path: &Path) -> Result<TravelMatrix> {
        let t = Table::read(path)?;
        let find = |names: &[&str], what: &str| {
            names.iter().find_map(|n| t.find_col(n)).ok_or_else(|| {
                Error::input(path, format!("no {what} column ({})", names.join(" / ")))
                    .hint(format!("columns found: {}", t.headers.join(", ")))
            })
        };
        let (f, to, c) = (find(&FROM, "LSOA code")?, find(&TO, "site code")?, find(&COST, "cost")?);
        let mut costs = HashMap::new();
        let mut seen = HashMap::new();
        let mut unknown = 0;
        for (i, r) in t.rows.iter().enumerate() {
            let Some(k) = study.index_of(t.get(r, f)) else {
                unknown += 1;
                continue;
            };
            let v = parse_f64(t.get(r, c)).filter(|v| (0.0..=MAX_COST).contains(v)).ok_or_else(|| {
                Error::at(path, t.line(i), format!("cost \"{}\" is not a number from 0 to {MAX_COST}", t.get(r, c)))
                    .hint(format!("column \"{}\" holds minutes (or km) from the LSOA to the site", t.headers[c]))
            })?;
            let key = (k, t.get(r, to).to_string());
            t.first_row(&mut seen, key.clone(), i, || {
                format!("LSOA {} and site {} appear twice", t.get(r, f), t.get(r, to))
            })
            .map_err(|e| e.hint("one row per LSOA and site is expected"))?;
            costs.insert(key, v);
        }
        if costs.is_empty() {
            return Err(Error::input(path, format!("no row refers to a study-area LSOA ({unknown} rows elsewhere)"))
                .hint("the matrix must use the study area's LSOA 2021 codes"));
        }
        Ok(TravelMatrix { pairs: costs.len(), costs })
    }

    /// Cost from study LSOA `i` to site `code`, if the pair is in the matrix.
    pub fn get(&self, i: usize, code: &str) -> Option<f64> {
        self.costs.get(&(i, code.to_string())).copied()
    }
}
