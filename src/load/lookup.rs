//! Step 2: the LSOA → ward → LAD lookup (ward names for footprints; LAD where the boundary file
//! has none).

use super::Loader;
use crate::error::{Error, Result};
use crate::model::Named;
use std::collections::{BTreeSet, HashMap};

/// Lookup rows of boundary-file LSOAs.
#[derive(Default)]
pub(crate) struct Lookup {
    /// LSOA code → (ward, LAD).
    pub rows: HashMap<String, (Named, Named)>,
    /// Every LAD name in the lookup (when the boundary file has no LAD column).
    pub lad_names: BTreeSet<String>,
}

/// Read the lookup, if the scenario names one.
pub(crate) fn read(ld: &mut Loader, has_lad_col: bool) -> Result<Lookup> {
    let mut out = Lookup::default();
    let sc = ld.sc;
    let Some(lk) = &sc.lookup else {
        if !has_lad_col {
            ld.warn(format!(
                "no LAD: the boundary file has no \"{}\" column and no [lookup] is given; every LSOA gets LAD \"unknown\"",
                sc.boundaries.lad
            ));
        }
        return Ok(out);
    };
    let p = sc.resolve(&lk.path);
    let t = ld.table("lookup", &p)?;
    let (c, w, wn, l, ln) =
        (t.col(&lk.code)?, t.col(&lk.ward)?, t.col(&lk.ward_name)?, t.col(&lk.lad)?, t.col(&lk.lad_name)?);
    let mut seen_codes: rustc_hash::FxHashSet<&str> = Default::default();
    for (i, r) in t.rows.iter().enumerate() {
        let code = t.get(r, c);
        if !seen_codes.insert(code) {
            return Err(Error::at(&p, t.line(i), format!("duplicate LSOA code {code}"))
                .hint("a best-fit lookup has one row per LSOA"));
        }
        if !has_lad_col {
            out.lad_names.insert(t.get(r, ln).to_string());
        }
        // Only LSOAs of the boundary file can be used; skip the rest of England and Wales.
        if !ld.all_codes.contains(code) {
            continue;
        }
        let named = |a: usize, b: usize| Named { code: t.get(r, a).to_string(), name: t.get(r, b).to_string() };
        out.rows.insert(code.to_string(), (named(w, wn), named(l, ln)));
    }
    Ok(out)
}
