//! Join statistics and the row-by-row join of an LSOA-keyed table onto the study.

use super::{Loader, EXAMPLES};
use crate::error::{Error, Result};
use crate::io::table::Table;
use crate::model::new_in_2021;
use serde::Serialize;
use std::path::Path;

/// Join statistics for one input.
#[derive(Debug, Clone, Serialize)]
pub struct JoinStat {
    /// Input label.
    pub input: String,
    /// File.
    pub path: String,
    /// Rows read.
    pub rows: usize,
    /// Study-area LSOAs matched.
    pub matched: usize,
    /// Study-area LSOAs without a row.
    pub missing: usize,
    /// Examples of study LSOAs without a row.
    pub missing_examples: Vec<String>,
    /// Rows whose code is not a study LSOA (outside area or unknown).
    pub outside: usize,
    /// Rows whose code is not in the boundary file at all.
    pub unknown: usize,
    /// Examples of unknown codes.
    pub unknown_examples: Vec<String>,
}

impl JoinStat {
    pub(crate) fn new(input: &str, path: &Path, rows: usize) -> JoinStat {
        JoinStat {
            input: input.into(),
            path: path.display().to_string(),
            rows,
            matched: 0,
            missing: 0,
            missing_examples: vec![],
            outside: 0,
            unknown: 0,
            unknown_examples: vec![],
        }
    }

    /// Record the study LSOAs that had no row (`got[i]` false): their count and a few examples.
    pub(crate) fn set_missing(&mut self, ld: &Loader, got: &[bool]) {
        let missing: Vec<&String> = ld.areas.iter().zip(got).filter(|(_, g)| !**g).map(|(a, _)| &a.code).collect();
        self.missing = missing.len();
        self.missing_examples = missing.into_iter().take(EXAMPLES).cloned().collect();
    }

    /// Count a code that is not a study LSOA: outside the area, or not in the boundary file.
    pub(crate) fn not_in_study(&mut self, ld: &Loader, code: &str) {
        if ld.all_codes.contains(code) {
            self.outside += 1;
        } else {
            self.unknown += 1;
            if self.unknown_examples.len() < EXAMPLES {
                self.unknown_examples.push(code.to_string());
            }
        }
    }
}

/// A join in progress: which study LSOAs have had a row.
pub(crate) struct Join {
    pub stat: JoinStat,
    pub got: Vec<bool>,
    /// The table row each study LSOA was given on (meaningful where `got`).
    row_of: Vec<usize>,
}

impl Join {
    pub(crate) fn new(ld: &Loader, input: &str, path: &Path, rows: usize) -> Join {
        Join {
            stat: JoinStat::new(input, path, rows),
            got: vec![false; ld.areas.len()],
            row_of: vec![0; ld.areas.len()],
        }
    }

    /// The study index of `code` for table row `row`, or None (counted as outside/unknown);
    /// a second row for the same LSOA is an error.
    pub(crate) fn row(&mut self, ld: &Loader, t: &Table, row: usize, code: &str) -> Result<Option<usize>> {
        match ld.index.get(code) {
            Some(&i) => {
                if self.got[i] {
                    let at = format!("{} and {}", t.line(self.row_of[i]), t.line(row));
                    return Err(Error::at(&t.path, at, format!("duplicate LSOA code {code}"))
                        .hint("one row per LSOA is expected"));
                }
                self.got[i] = true;
                self.row_of[i] = row;
                self.stat.matched += 1;
                Ok(Some(i))
            }
            None => {
                self.stat.not_in_study(ld, code);
                Ok(None)
            }
        }
    }

    /// Record the study LSOAs that had no row.
    pub(crate) fn finish(mut self, ld: &Loader) -> (JoinStat, Vec<bool>) {
        self.stat.set_missing(ld, &self.got);
        (self.stat, self.got)
    }
}

/// An error for a table that misses study LSOAs, diagnosing LSOA 2011 vs 2021 codes.
pub(crate) fn code_vintage_error(ld: &Loader, path: &Path, what: &str, js: &JoinStat, got: &[bool]) -> Error {
    if js.rows == 0 {
        return Error::input(path, "the file has a header but no data rows")
            .hint(format!("every study-area LSOA needs a {what} row"));
    }
    let new_missing = ld.areas.iter().zip(got).filter(|(a, g)| !**g && new_in_2021(&a.code)).count();
    let new_total = ld.areas.iter().filter(|a| new_in_2021(&a.code)).count();
    let e = Error::input(
        path,
        format!(
            "{} of {} study-area LSOAs have no {what} row (e.g. {})",
            js.missing,
            ld.areas.len(),
            js.missing_examples.join(", ")
        ),
    );
    if new_total > 0 && new_missing == new_total {
        e.hint(format!(
            "the table looks like it uses LSOA 2011 codes: none of the {new_total} LSOAs created in 2021 is in it. \
             Use a table on LSOA 2021 (e.g. IoD 2025 File 7), or for IMD 2019 set deprivation.lsoa11_lookup to the ONS \
             LSOA11→LSOA21 lookup"
        ))
    } else {
        e.hint("every study-area LSOA needs a row; check the file covers the area and the code column is right")
    }
}
