//! LSOA → named footprint tables (`lsoa_code,footprint`): build locks and existing footprints.

use super::table::Table;
use super::CodeIndex;
use crate::error::{Error, Result};
use std::collections::BTreeMap;
use std::path::Path;

/// Read an assignment CSV (`lsoa_code` and `footprint` or `snp_name`): study index → footprint
/// name. Codes outside the study area, repeated codes and empty names are errors naming the row.
pub fn read_assignment(index: &impl CodeIndex, path: &Path) -> Result<BTreeMap<usize, String>> {
    let t = Table::read(path)?;
    let c = t.col("lsoa_code")?;
    let f = t.find_col("footprint").or_else(|| t.find_col("snp_name")).ok_or_else(|| {
        Error::input(path, "no column \"footprint\" (or \"snp_name\")")
            .hint(format!("columns found: {}", t.headers.join(", ")))
    })?;
    let mut out = BTreeMap::new();
    let mut seen = std::collections::HashMap::new();
    for (i, r) in t.rows.iter().enumerate() {
        let code = t.get(r, c);
        let idx = index.index_of(code).ok_or_else(|| {
            Error::at(path, t.line(i), format!("LSOA {code} is not in the study area"))
                .hint("use LSOA 2021 codes of the scenario's study area")
        })?;
        let name = t.get(r, f);
        if name.trim().is_empty() {
            return Err(Error::at(path, t.line(i), format!("LSOA {code} has an empty footprint name"))
                .hint("give every row a footprint name"));
        }
        t.first_row(&mut seen, idx, i, || format!("LSOA {code} is listed twice"))
            .map_err(|e| e.hint("each LSOA may be given one footprint"))?;
        out.insert(idx, name.to_string());
    }
    Ok(out)
}
