//! Step 3: the study area — which boundary features become study LSOAs, with their district and
//! ward; warnings where the lookup and the boundary file disagree on a district, or an LSOA is
//! named after another district (the best-fit lookup anomaly E01027305).

use super::boundaries::Features;
use super::draft::DraftArea;
use super::lookup::Lookup;
use super::{Loader, EXAMPLES};
use crate::error::{Error, Result};
use crate::io::boundaries::PolyFeature;
use crate::model::Named;
use geo::{Area as _, MultiPolygon};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn truthy(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "y" | "t")
}

/// Select the study LSOAs, sorted by code.
pub(crate) fn select(ld: &mut Loader, bpath: &Path, features: Features, lookup: &Lookup) -> Result<()> {
    let sc = ld.sc;
    let polygon = match &sc.study_area.polygon {
        Some(p) => {
            let p = sc.resolve(p);
            let l = crate::io::boundaries::read_polygons(&p, None, "name")
                .map_err(|e| e.path_from(crate::error::from_scenario(&sc.file, "study_area.polygon")))?;
            ld.report.add_input("study_area.polygon", &p);
            Some(MultiPolygon::new(l.features.into_iter().flat_map(|f| f.geom.0).collect()))
        }
        None => None,
    };
    let bcfg = &sc.boundaries;
    let all_lad_names: BTreeSet<String> = if features.has_lad_col {
        features.layer.features.iter().filter_map(|f| f.props.get(&bcfg.lad_name).cloned()).collect()
    } else {
        lookup.lad_names.clone()
    };
    let mut lad_disagree = Vec::new();
    for f in features.layer.features {
        let code = f.props[&bcfg.code].clone();
        let lk = lookup.rows.get(&code);
        let lad = lad_of(ld, &f, features.has_lad_col, lk.map(|l| &l.1));
        // A quirk of the lookup matters (and is warned about) only for an LSOA in the study area.
        let disagree = match (features.has_lad_col, lk) {
            (true, Some(l)) if l.1.code != lad.code => {
                Some(format!("{code} (lookup {}, boundaries {})", l.1.label(), lad.label()))
            }
            _ => None,
        };
        if let Some(a) = in_study_area(ld, f, code, lad, polygon.as_ref()) {
            lad_disagree.extend(disagree);
            let ward = lk.map(|l| l.0.clone());
            ld.areas.push(DraftArea { ward, ..a });
        }
    }
    if !lad_disagree.is_empty() {
        lad_disagree.sort();
        ld.warn(format!(
            "{} study-area LSOA(s) where the lookup's LAD differs from the boundary file's (the boundary file is used): {}",
            lad_disagree.len(),
            lad_disagree.iter().take(EXAMPLES).cloned().collect::<Vec<_>>().join("; ")
        ));
    }
    if ld.areas.is_empty() {
        return Err(empty_area(bpath, lookup));
    }
    ld.areas.sort_by(|a, b| a.code.cmp(&b.code));
    ld.index = ld.areas.iter().enumerate().map(|(i, a)| (a.code.clone(), i)).collect();
    warn_named_after_other_district(ld, &all_lad_names);
    Ok(())
}

/// LAD from the boundary file when it has the column, else from the lookup, else "unknown".
fn lad_of(ld: &Loader, f: &PolyFeature, has_lad_col: bool, lk: Option<&Named>) -> Named {
    let bcfg = &ld.sc.boundaries;
    if has_lad_col {
        Named { code: f.props[&bcfg.lad].clone(), name: f.props.get(&bcfg.lad_name).cloned().unwrap_or_default() }
    } else if let Some(l) = lk {
        l.clone()
    } else {
        Named { code: "unknown".into(), name: "unknown".into() }
    }
}

/// The draft LSOA if the feature meets every [study_area] condition.
fn in_study_area(
    ld: &Loader,
    f: PolyFeature,
    code: String,
    lad: Named,
    polygon: Option<&MultiPolygon>,
) -> Option<DraftArea> {
    let sa = &ld.sc.study_area;
    if !sa.lads.is_empty() && !sa.lads.contains(&lad.code) {
        return None;
    }
    if let Some(flag) = &sa.flag {
        if !f.props.get(flag).is_some_and(|v| truthy(v)) {
            return None;
        }
    }
    if sa.code_prefix.as_ref().is_some_and(|prefix| !code.starts_with(prefix.as_str())) {
        return None;
    }
    let point = crate::geom::interior_point(&f.geom);
    if polygon.is_some_and(|poly| !geo::Contains::contains(poly, &point)) {
        return None;
    }
    let name = f.props.get(&ld.sc.boundaries.name).cloned().unwrap_or_else(|| code.clone());
    Some(DraftArea {
        code,
        name,
        area_m2: f.geom.unsigned_area(),
        geom: f.geom,
        point,
        pop: 0,
        imd: None,
        lad,
        ward: None,
        pcn: None,
        registered: 0,
        reg_by_pcn: BTreeMap::new(),
        props: f.props,
        msoa: None,
        place: None,
    })
}

fn empty_area(bpath: &Path, lookup: &Lookup) -> Error {
    let mut lads: Vec<String> =
        lookup.rows.values().map(|v| v.1.code.clone()).collect::<BTreeSet<_>>().into_iter().take(8).collect();
    if lads.is_empty() {
        lads.push("(none found)".into());
    }
    Error::scenario(format!("the study area is empty: no LSOA in {} matches [study_area]", bpath.display()))
        .hint(format!("check study_area.lads / flag / code_prefix / polygon; LAD codes look like {}", lads.join(", ")))
}

/// An LSOA whose name stem is the name of another existing district (catches the best-fit lookup
/// anomaly E01027305, "West Northamptonshire 048E" in Cherwell).
fn warn_named_after_other_district(ld: &mut Loader, all_lad_names: &BTreeSet<String>) {
    let mut odd: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for a in &ld.areas {
        if let Some((stem, _)) = a.name.rsplit_once(' ') {
            if stem != a.lad.name && all_lad_names.contains(stem) {
                odd.entry(a.lad.label()).or_default().push(format!("{} \"{}\"", a.code, a.name));
            }
        }
    }
    for (lad, list) in odd {
        ld.warn(format!(
            "{} LSOA(s) assigned to {lad} are named after another district: {} — check the LAD source",
            list.len(),
            list.iter().take(EXAMPLES).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
}
