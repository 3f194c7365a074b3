//! Step 2: the LSOA → ward → LAD lookup (ward names for footprints; LAD where the boundary file
//! has none).

use super::Loader;
use crate::error::Result;
use crate::model::Named;
use std::collections::{BTreeSet, HashMap};

/// Lookup rows of boundary-file LSOAs.
#[derive(Default)]
pub(crate) struct Lookup {
    /// LSOA code → (ward, LAD).
    pub rows: HashMap<String, (Named, Named)>,
    /// Every LAD name in the lookup (when the boundary file has no LAD column).
    pub lad_names: BTreeSet<String>,
    /// Data rows read, and those whose LSOA is not in the boundary file.
    pub read: usize,
    /// Rows whose LSOA is not in the boundary file.
    pub unknown: usize,
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
    let mut seen_codes: HashMap<&str, usize> = HashMap::new();
    out.read = t.rows.len();
    for (i, r) in t.rows.iter().enumerate() {
        let code = t.get(r, c);
        t.first_row(&mut seen_codes, code, i, || format!("duplicate LSOA code {code}"))
            .map_err(|e| e.hint("a best-fit lookup has one row per LSOA"))?;
        if !has_lad_col {
            out.lad_names.insert(t.get(r, ln).to_string());
        }
        // Only LSOAs of the boundary file can be used; skip (and count) the rest of England and Wales.
        if !ld.all_codes.contains(code) {
            out.unknown += 1;
            continue;
        }
        let named = |a: usize, b: usize| Named { code: t.get(r, a).to_string(), name: t.get(r, b).to_string() };
        out.rows.insert(code.to_string(), (named(w, wn), named(l, ln)));
    }
    Ok(out)
}

/// The lookup's join statistics, once the study area is known; study LSOAs it leaves out have no
/// ward (and no LAD when the boundary file has none), so they are warned about.
pub(crate) fn report(ld: &mut Loader, lookup: &Lookup) {
    let Some(lk) = &ld.sc.lookup else { return };
    let p = ld.sc.resolve(&lk.path);
    let mut js = super::JoinStat::new("lookup", &p, lookup.read);
    let got: Vec<bool> = ld.areas.iter().map(|a| lookup.rows.contains_key(&a.code)).collect();
    js.matched = got.iter().filter(|g| **g).count();
    js.outside = lookup.rows.len() - js.matched;
    js.unknown = lookup.unknown;
    js.set_missing(ld, &got);
    if js.missing > 0 {
        ld.warn(format!(
            "lookup: {} study-area LSOA(s) have no row, so no ward (e.g. {}); {}",
            js.missing,
            js.missing_examples.join(", "),
            p.display()
        ));
    }
    ld.report.joins.push(js);
}
