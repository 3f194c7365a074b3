//! Step 10: places. Each study LSOA gets its MSOA from an LSOA → MSOA lookup and its place either
//! from a user's LSOA → place table (`[places] path`) or from the House of Commons Library MSOA
//! names by the settlement rule of [`crate::place`]. Every study LSOA must have exactly one row in
//! each table given; a repeated LSOA is an error naming the file and row.

use super::join::{code_vintage_error, Join};
use super::report::MsoaNames;
use super::{Loader, EXAMPLES};
use crate::error::{Error, Result};
use crate::model::{Named, Place, PlaceKind};
use crate::place::{settlements, MsoaName};
use crate::scenario::Places;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Join the `[places]` tables, if the scenario has them.
pub(crate) fn join(ld: &mut Loader) -> Result<()> {
    name_keys(ld)?;
    let Some(cfg) = ld.sc.places.as_ref() else { return Ok(()) };
    if let Some(p) = &cfg.msoa_lookup {
        join_msoas(ld, cfg, &ld.sc.resolve(p))?;
    }
    match (&cfg.path, &cfg.msoa_names) {
        (Some(p), _) => join_table(ld, cfg, &ld.sc.resolve(p)),
        (None, Some(p)) => {
            let named = name_msoas(ld, cfg, &ld.sc.resolve(p))?;
            derive_places(ld, cfg, &named);
            Ok(())
        }
        (None, None) => Ok(()),
    }
}

/// Fail when the join left study LSOAs without a row.
fn require_all(ld: &mut Loader, j: Join, p: &std::path::Path, what: &str) -> Result<()> {
    let (js, got) = j.finish(ld);
    let err = (js.missing > 0).then(|| code_vintage_error(ld, p, what, &js, &got));
    ld.report.joins.push(js);
    err.map_or(Ok(()), Err)
}

/// The LSOA → MSOA lookup: every study LSOA's MSOA code and ONS name.
/// `[names]` keys that look like LSOA codes must be LSOAs of the study area: a typo would
/// otherwise leave the name unused without a word.
fn name_keys(ld: &Loader) -> Result<()> {
    for key in ld.sc.names.keys() {
        let looks_like_lsoa = key.len() == 9 && (key.starts_with("E01") || key.starts_with("W01"));
        if looks_like_lsoa && !ld.index.contains_key(key.as_str()) {
            return Err(Error::input(&ld.sc.file, format!("[names] key {key} is not an LSOA of the study area"))
                .hint("use the code of an LSOA inside the footprint you want to name (see lookup.csv of a build)"));
        }
    }
    Ok(())
}

fn join_msoas(ld: &mut Loader, cfg: &Places, p: &std::path::Path) -> Result<()> {
    let t = ld.table("MSOA lookup", p)?;
    let (c, m, mn) = (t.col(&cfg.lookup_lsoa)?, t.col(&cfg.lookup_msoa)?, t.col(&cfg.lookup_msoa_name)?);
    let mut j = Join::new(ld, "MSOA lookup", p, t.rows.len());
    for (i, r) in t.rows.iter().enumerate() {
        if let Some(k) = j.row(ld, &t, i, t.get(r, c))? {
            let code = t.get(r, m);
            if code.is_empty() {
                return Err(Error::at(p, t.line(i), format!("no MSOA code for {}", ld.areas[k].code))
                    .hint(format!("column \"{}\" must give every LSOA its MSOA", cfg.lookup_msoa)));
            }
            ld.areas[k].msoa = Some(Named { code: code.to_string(), name: t.get(r, mn).to_string() });
        }
    }
    require_all(ld, j, p, "MSOA lookup")
}

/// Replace each study MSOA's ONS name by its House of Commons Library name where it has one;
/// returns the codes of the MSOAs that have one.
fn name_msoas(ld: &mut Loader, cfg: &Places, p: &std::path::Path) -> Result<BTreeSet<String>> {
    let t = ld.table("MSOA names", p)?;
    let (c, n) = (t.col(&cfg.names_msoa)?, t.col(&cfg.names_name)?);
    let mut names: HashMap<&str, &str> = HashMap::new();
    for (i, r) in t.rows.iter().enumerate() {
        let code = t.get(r, c);
        if names.insert(code, t.get(r, n)).is_some() {
            return Err(Error::at(p, t.line(i), format!("duplicate MSOA code {code}"))
                .hint("the names table has one row per MSOA"));
        }
    }
    let mut stat = MsoaNames::default();
    let mut seen: BTreeMap<String, bool> = BTreeMap::new();
    for a in ld.areas.iter_mut() {
        let Some(m) = a.msoa.as_mut() else { continue };
        let hocl = names.get(m.code.as_str()).filter(|s| !s.is_empty());
        if let Some(h) = hocl {
            m.name = h.to_string();
        }
        if seen.insert(m.code.clone(), hocl.is_some()).is_none() && hocl.is_none() {
            stat.unnamed.push(format!("{} {}", m.code, m.name));
        }
    }
    stat.unnamed.sort();
    stat.msoas = seen.len();
    stat.named = seen.values().filter(|v| **v).count();
    if !stat.unnamed.is_empty() {
        let eg: Vec<&str> = stat.unnamed.iter().take(EXAMPLES).map(String::as_str).collect();
        ld.warn(format!(
            "places: {} of {} MSOAs have no House of Commons Library name (new or changed since 2011), \
             so keep their ONS name: {}",
            stat.unnamed.len(),
            stat.msoas,
            eg.join(", ")
        ));
    }
    ld.report.msoa_names = Some(stat);
    Ok(seen.into_iter().filter(|(_, named)| *named).map(|(code, _)| code).collect())
}

/// Districts at least `city_density` people per km² (over their study LSOAs): code → name.
fn city_districts(ld: &Loader, cfg: &Places) -> BTreeMap<String, (String, f64)> {
    let mut by: BTreeMap<&str, (&str, u64, f64)> = BTreeMap::new();
    for a in &ld.areas {
        let e = by.entry(&a.lad.code).or_insert((&a.lad.name, 0, 0.0));
        e.1 += a.pop;
        e.2 += a.area_m2;
    }
    by.into_iter()
        .map(|(code, (name, pop, m2))| (code.to_string(), (name.to_string(), pop as f64 / (m2 / 1e6).max(1e-9))))
        .filter(|(_, (_, density))| *density >= cfg.city_density)
        .collect()
}

/// Settlements from the MSOA names (rule in [`crate::place`]).
fn derive_places(ld: &mut Loader, cfg: &Places, named: &BTreeSet<String>) {
    let cities = city_districts(ld, cfg);
    // Each MSOA once, in code order, in the district of its first LSOA.
    let mut msoas: BTreeMap<String, (String, String, bool)> = BTreeMap::new();
    for a in &ld.areas {
        if let Some(m) = &a.msoa {
            let has_name = named.contains(&m.code);
            msoas.entry(m.code.clone()).or_insert((a.lad.code.clone(), m.name.clone(), has_name));
        }
    }
    let input: Vec<MsoaName> = msoas
        .values()
        .map(|(lad, name, has)| MsoaName { lad, hocl: has.then_some(name.as_str()), ons: name })
        .collect();
    let city_names = cities.iter().map(|(c, (n, _))| (c.clone(), n.clone())).collect();
    let found = settlements(&input, &city_names);
    let place_of: HashMap<&str, Place> = msoas
        .iter()
        .zip(found)
        .map(|((code, (lad, _, _)), s)| {
            (code.as_str(), Place { code: format!("{lad}/{}", s.name), name: s.name, kind: s.kind })
        })
        .collect();
    for a in ld.areas.iter_mut() {
        a.place = a.msoa.as_ref().map(|m| place_of[m.code.as_str()].clone());
    }
    if let Some(s) = ld.report.msoa_names.as_mut() {
        s.cities = cities.iter().map(|(c, (n, d))| format!("{n} ({c}), {d:.0} people/km²")).collect();
    }
}

/// A user's LSOA → place table.
fn join_table(ld: &mut Loader, cfg: &Places, p: &std::path::Path) -> Result<()> {
    let t = ld.table("places", p)?;
    let (c, pl) = (t.col(&cfg.code)?, t.col(&cfg.place)?);
    let name_col = cfg.place_name.as_deref().map(|n| t.col(n)).transpose()?;
    let kind_col = cfg.kind.as_deref().map(|n| t.col(n)).transpose()?;
    let mut j = Join::new(ld, "places", p, t.rows.len());
    for (i, r) in t.rows.iter().enumerate() {
        let Some(k) = j.row(ld, &t, i, t.get(r, c))? else { continue };
        let code = t.get(r, pl);
        if code.is_empty() {
            return Err(Error::at(p, t.line(i), format!("no place for {}", ld.areas[k].code))
                .hint(format!("column \"{}\" must name every LSOA's place", cfg.place)));
        }
        let name = name_col.map(|n| t.get(r, n)).filter(|n| !n.is_empty()).unwrap_or(code);
        let raw = kind_col.map(|n| t.get(r, n)).unwrap_or("town");
        let kind = PlaceKind::parse(raw).ok_or_else(|| {
            Error::at(p, t.line(i), format!("place kind \"{raw}\" is not city, town or village group"))
        })?;
        ld.areas[k].place = Some(Place { code: code.to_string(), name: name.to_string(), kind });
    }
    require_all(ld, j, p, "place")
}
