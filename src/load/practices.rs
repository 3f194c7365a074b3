//! Step 6: GP practices with their PCN and location: BNG easting/northing or WGS84 lat/lon
//! columns, or the practice postcode looked up in Code-Point Open / ONSPD files
//! ([`super::postcodes`]). Coordinates given in the table win; postcodes fill only blank ones.
//! A practice that cannot be placed is left out of the study's practices (so of access figures,
//! practice counts and the nearest-practice PCN fallback) with a grouped warning; its PCN still
//! counts for the registrations it has.

use super::draft::DraftPractice;
use super::postcodes::{self, Hit};
use super::{Loader, EXAMPLES};
use crate::error::{Error, Result};
use crate::io::crs;
use crate::io::table::{parse_count, parse_f64, Table};
use crate::scenario::Practices;
use geo::Coord;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};

/// Largest practice list size accepted: 500,000 patients (the largest English practices have
/// about 100,000; more is a unit or parsing error).
const MAX_LIST_SIZE: u64 = 500_000;

/// Postcode columns tried when `[practices] postcode` is not set.
const POSTCODE_COLS: [&str; 2] = ["postcode", "PRACTICE_POSTCODE"];

/// Unplaced practices named in a warning.
const LISTED: usize = 20;

/// Coordinate columns.
enum Xy {
    Bng(usize, usize),
    LatLon(usize, usize),
    None,
}

/// How the practices were placed, for `footprints check`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PracticePlacement {
    /// Rows of the practices table.
    pub rows: usize,
    /// Rows kept by `[practices] only` (all rows without it).
    pub kept: usize,
    /// The `only` conditions, e.g. `SUB_ICB_LOCATION_CODE in [10Q]`.
    pub only: Vec<String>,
    /// Practices placed by the table's coordinates.
    pub by_coordinates: usize,
    /// Practices placed by their postcode.
    pub by_postcode: usize,
    /// Postcode files read: `path (layout, rows)`.
    pub postcode_files: Vec<String>,
    /// Practices without a placement (left out).
    pub unplaced: usize,
    /// Of those, practices whose postcode area no postcode file covers.
    pub not_covered: usize,
    /// Those postcode areas (first few).
    pub not_covered_areas: Vec<String>,
    /// The other unplaced practices: `code postcode (why)`.
    pub unmatched: Vec<String>,
    /// Listed patients of the unplaced practices and of all kept practices, when every kept
    /// practice has a list size.
    pub unplaced_patients: Option<(u64, u64)>,
    /// Registered patients living in the study area at the unplaced practices, and at all
    /// practices, when the scenario has registrations.
    pub unplaced_registered: Option<(u64, u64)>,
}

/// A practice that could not be placed.
pub(crate) struct Unplaced {
    pub code: String,
    pub postcode: String,
    pub why: Why,
    pub pcn_code: Option<String>,
    pub list_size: Option<u64>,
}

/// Why a practice has no placement.
pub(crate) enum Why {
    NoPostcode,
    AreaNotCovered,
    NotFound,
    Terminated(String),
    NoCoordinates,
}

impl Why {
    fn text(&self) -> String {
        match self {
            Why::NoPostcode => "no postcode".into(),
            Why::AreaNotCovered => "postcode area not in the postcode files".into(),
            Why::NotFound => "not in the postcode files".into(),
            Why::Terminated(d) => format!("terminated {d}"),
            Why::NoCoordinates => "no coordinates in the postcode file".into(),
        }
    }
}

/// Read the practices table, if the scenario names one.
pub(crate) fn read(ld: &mut Loader) -> Result<()> {
    let Some(pc) = &ld.sc.practices else { return Ok(()) };
    let p = ld.sc.resolve(&pc.path);
    let t = ld.table("practices", &p)?;
    let cols = [t.col(&pc.code)?, t.col(&pc.name)?, t.col(&pc.pcn_code)?, t.col(&pc.pcn_name)?];
    let xy = match (&pc.easting, &pc.northing, &pc.lat, &pc.lon) {
        (Some(e), Some(n), _, _) => Xy::Bng(t.col(e)?, t.col(n)?),
        (_, _, Some(a), Some(o)) => Xy::LatLon(t.col(a)?, t.col(o)?),
        _ => Xy::None,
    };
    let list = pc.list_size.as_ref().map(|l| t.col(l)).transpose()?;
    let (kept, only) = filter(pc, &t)?;
    let pc_col = postcode_col(pc, &t)?;
    let mut seen = HashMap::new();
    let mut rows = Vec::with_capacity(kept.len());
    for &i in &kept {
        let code = t.get(&t.rows[i], cols[0]);
        t.first_row(&mut seen, code, i, || format!("duplicate practice code {code}"))
            .map_err(|e| e.hint("one row per practice is expected"))?;
        let (pr, at) = practice(pc, &t, i, cols, &xy, list)?;
        let postcode = pc_col.map(|c| t.get(&t.rows[i], c).to_string()).unwrap_or_default();
        if let Some(c) = &pr.pcn_code {
            ld.pcn_names.entry(c.clone()).or_insert_with(|| pr.pcn_name.clone());
        }
        rows.push((pr, at, postcode));
    }
    let mut pl = PracticePlacement { rows: t.rows.len(), kept: kept.len(), only, ..Default::default() };
    let found = match pc_col {
        Some(_) => Some(look_up(ld, pc, &rows, &mut pl)?),
        None => None,
    };
    for (mut pr, at, postcode) in rows {
        match placement(at, &postcode, found.as_ref()) {
            Ok((xy, by_postcode)) => {
                pr.xy = xy;
                *(if by_postcode { &mut pl.by_postcode } else { &mut pl.by_coordinates }) += 1;
                ld.practices.push(pr);
            }
            Err(why) => ld.unplaced.push(Unplaced {
                code: pr.code,
                postcode,
                why,
                pcn_code: pr.pcn_code,
                list_size: pr.list_size,
            }),
        }
    }
    pl.unplaced = ld.unplaced.len();
    ld.report.practice_placement = Some(pl);
    ld.practices.sort_by(|a, b| a.code.cmp(&b.code));
    ld.unplaced.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(())
}

/// The rows kept by `[practices] only`, and the conditions as text.
fn filter(pc: &Practices, t: &Table) -> Result<(Vec<usize>, Vec<String>)> {
    let conds: Vec<(usize, &Vec<String>)> = pc.only.iter().map(|(c, v)| Ok((t.col(c)?, v))).collect::<Result<_>>()?;
    let kept: Vec<usize> = (0..t.rows.len())
        .filter(|&i| conds.iter().all(|(c, vals)| vals.iter().any(|v| v == t.get(&t.rows[i], *c))))
        .collect();
    let text: Vec<String> = pc.only.iter().map(|(c, v)| format!("{c} in [{}]", v.join(", "))).collect();
    if kept.is_empty() && !t.rows.is_empty() {
        return Err(Error::input(&t.path, format!("no practice row has {}", text.join(" and ")))
            .hint("check [practices] only in the scenario: column names and values must match the table exactly"));
    }
    Ok((kept, text))
}

/// The postcode column, when the scenario names postcode files.
fn postcode_col(pc: &Practices, t: &Table) -> Result<Option<usize>> {
    if pc.postcodes.is_none() {
        return Ok(None);
    }
    if let Some(c) = &pc.postcode {
        return Ok(Some(t.col(c)?));
    }
    match POSTCODE_COLS.iter().find_map(|c| t.find_col(c)) {
        Some(c) => Ok(Some(c)),
        None => Err(Error::input(&t.path, format!("no postcode column (tried {})", POSTCODE_COLS.join(", ")))
            .hint("set [practices] postcode = the column holding each practice's postcode")),
    }
}

/// Read the postcode files for the postcodes of practices without coordinates.
fn look_up(
    ld: &mut Loader,
    pc: &Practices,
    rows: &[(DraftPractice, Option<Coord>, String)],
    pl: &mut PracticePlacement,
) -> Result<postcodes::Found> {
    let wanted: HashSet<String> = rows
        .iter()
        .filter(|(_, at, pcode)| at.is_none() && !pcode.is_empty())
        .map(|(_, _, pcode)| postcodes::normalise(pcode))
        .collect();
    let paths: Vec<_> = pc.postcodes.iter().flat_map(|l| l.paths()).map(|p| ld.sc.resolve(&p)).collect();
    let files = postcodes::expand(&paths)
        .map_err(|e| e.path_from(crate::error::from_scenario(&ld.sc.file, "practices.postcodes")))?;
    let found = if wanted.is_empty() {
        postcodes::Found::default()
    } else {
        postcodes::lookup(&files, pc.postcodes_format, &wanted)
            .map_err(|e| e.path_from(crate::error::from_scenario(&ld.sc.file, "practices.postcodes")))?
    };
    for (path, fmt, n, sha) in &found.files {
        ld.report.add_input_hashed("postcodes", path, sha.clone());
        let fmt = format!("{fmt:?}").to_lowercase();
        pl.postcode_files.push(format!("{} ({fmt}, {} rows)", path.display(), crate::fmt::fmt_int(*n as u64)));
    }
    Ok(found)
}

/// A practice's coordinates (and whether they came from its postcode), or why it has none.
fn placement(at: Option<Coord>, postcode: &str, found: Option<&postcodes::Found>) -> Result<(Coord, bool), Why> {
    if let Some(c) = at {
        return Ok((c, false));
    }
    let found = found.ok_or(Why::NoPostcode)?;
    let norm = postcodes::normalise(postcode);
    if norm.is_empty() {
        return Err(Why::NoPostcode);
    }
    match found.hits.get(&norm) {
        Some(Hit::Placed(c)) => Ok((*c, true)),
        Some(Hit::Terminated(d)) => Err(Why::Terminated(d.clone())),
        Some(Hit::NoCoordinates) => Err(Why::NoCoordinates),
        None if found.areas.contains(postcodes::area(&norm)) => Err(Why::NotFound),
        None => Err(Why::AreaNotCovered),
    }
}

/// After registrations (which may give list sizes): the grouped warnings about unplaced
/// practices, and their share of the listed patients.
pub(crate) fn report_unplaced(ld: &mut Loader) {
    let Some(mut pl) = ld.report.practice_placement.take() else { return };
    let un = &ld.unplaced;
    let sizes: Option<Vec<u64>> =
        ld.practices.iter().map(|p| p.list_size).chain(un.iter().map(|u| u.list_size)).collect();
    let unplaced_sizes: Option<u64> = un.iter().map(|u| u.list_size).sum();
    pl.unplaced_patients = sizes.zip(unplaced_sizes).map(|(all, u)| (u, all.iter().sum()));
    let (covered, not_covered): (Vec<&Unplaced>, Vec<&Unplaced>) =
        un.iter().partition(|u| !matches!(u.why, Why::AreaNotCovered));
    pl.unmatched = covered.iter().map(|u| format!("{} {} ({})", u.code, u.postcode, u.why.text())).collect();
    pl.not_covered = not_covered.len();
    let areas: BTreeSet<String> =
        not_covered.iter().map(|u| postcodes::area(&postcodes::normalise(&u.postcode)).to_string()).collect();
    pl.not_covered_areas = areas.iter().take(12).cloned().collect();
    let mut warnings = Vec::new();
    if !un.is_empty() {
        warnings.push(summary(&pl));
    }
    if !pl.unmatched.is_empty() {
        let more = pl.unmatched.len().saturating_sub(LISTED);
        let more = if more > 0 { format!(" and {more} more") } else { String::new() };
        warnings.push(format!(
            "practice postcodes not placed: {}{more}",
            pl.unmatched.iter().take(LISTED).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    if !not_covered.is_empty() {
        let eg: Vec<String> = not_covered.iter().take(EXAMPLES).map(|u| format!("{} {}", u.code, u.postcode)).collect();
        warnings.push(format!(
            "{} practice(s) have postcodes in {} postcode area(s) no postcode file covers ({}{}), e.g. {}: add \
             those areas' files if they serve the study area, or keep only the area's rows with [practices] only",
            not_covered.len(),
            areas.len(),
            pl.not_covered_areas.join(", "),
            if areas.len() > pl.not_covered_areas.len() { ", …" } else { "" },
            eg.join(", ")
        ));
    }
    for w in warnings {
        ld.warn(w);
    }
    ld.report.practice_placement = Some(pl);
}

/// "no postcode coordinates for 12 of 40 practices …", with the share of patients they hold.
fn summary(pl: &PracticePlacement) -> String {
    let share = match pl.unplaced_patients {
        Some((u, all)) if all > 0 => format!(
            "they hold {} of the kept practices' listed patients ({} of {})",
            crate::fmt::pct(u as f64 / all as f64, 1),
            crate::fmt::fmt_int(u),
            crate::fmt::fmt_int(all)
        ),
        _ => "their list sizes are not all known, so the share of patients they hold is unknown".into(),
    };
    let pcn = match pl.unplaced_registered {
        Some((u, all)) if all > 0 => format!(
            "; {} of the study area's registered patients ({} of {}) are registered at them (their PCN shares \
             still count them)",
            crate::fmt::pct(u as f64 / all as f64, 1),
            crate::fmt::fmt_int(u),
            crate::fmt::fmt_int(all)
        ),
        _ => String::new(),
    };
    format!(
        "no coordinates for {} of {} practices: they are left out of the access figures, practice counts and the \
         nearest-practice PCN fallback, which cover the {} placed practices only; {share}{pcn}",
        pl.unplaced,
        pl.kept,
        pl.by_coordinates + pl.by_postcode
    )
}

/// One row of the practices table, and its coordinates when the table gives them (`None` when
/// they are blank and postcodes can fill them).
fn practice(
    pc: &Practices,
    t: &Table,
    i: usize,
    cols: [usize; 4],
    xy: &Xy,
    list: Option<usize>,
) -> Result<(DraftPractice, Option<Coord>)> {
    let r = &t.rows[i];
    let code = t.get(r, cols[0]).to_string();
    let xy = coordinates(pc, t, i, &code, xy)?;
    let pcn_code = t.get(r, cols[2]).to_string();
    let pcn_code = (!pc.unallocated.contains(&pcn_code)).then_some(pcn_code);
    let list_size = match list {
        Some(l) => Some(parse_count(t.get(r, l)).filter(|n| *n <= MAX_LIST_SIZE).ok_or_else(|| {
            Error::at(
                &t.path,
                t.line(i),
                format!("list size \"{}\" of {code} is not a whole number from 0 to {MAX_LIST_SIZE}", t.get(r, l)),
            )
            .hint(format!("column \"{}\" holds the practice's registered patients", t.headers[l]))
        })?),
        None => None,
    };
    let pr = DraftPractice {
        code,
        name: t.get(r, cols[1]).to_string(),
        pcn_code,
        pcn_name: t.get(r, cols[3]).to_string(),
        xy: Coord { x: 0.0, y: 0.0 },
        list_size,
        area: None,
    };
    Ok((pr, xy))
}

/// The row's coordinates in BNG; `None` when both are blank and postcode files are named.
fn coordinates(pc: &Practices, t: &Table, i: usize, code: &str, xy: &Xy) -> Result<Option<Coord>> {
    let r = &t.rows[i];
    let cells = match *xy {
        Xy::Bng(a, b) | Xy::LatLon(a, b) => Some((t.get(r, a), t.get(r, b))),
        Xy::None => None,
    };
    let blank = cells.is_none_or(|(a, b)| a.is_empty() && b.is_empty());
    if blank && pc.postcodes.is_some() {
        return Ok(None);
    }
    let coord = cells.and_then(|(a, b)| Some((parse_f64(a)?, parse_f64(b)?)));
    // The values as given (x = easting or longitude) and the CRS their columns declare.
    let raw = match *xy {
        Xy::Bng(..) => coord.map(|(x, y)| (Coord { x, y }, crs::Crs::Bng)),
        Xy::LatLon(..) => coord.map(|(lat, lon)| (Coord { x: lon, y: lat }, crs::Crs::Wgs84)),
        Xy::None => None,
    };
    let no_xy = || {
        Error::at(&t.path, t.line(i), format!("practice {code} has no usable coordinates")).hint(
            "geocode the practice postcode (e.g. set [practices] postcodes = ONS Postcode Directory / Code-Point \
             Open files) or remove the row",
        )
    };
    let (c, declared) = raw.ok_or_else(no_xy)?;
    if let Some(why) = crs::misfit(c, declared) {
        return Err(Error::at(&t.path, t.line(i), format!("practice {code} at ({}, {}): {}", c.x, c.y, why.cause()))
            .hint(
                "name the coordinate columns under [practices] in the scenario the right way round: \
                   easting/northing for British National Grid metres, lat/lon for WGS84 degrees",
            ));
    }
    let c = if declared == crs::Crs::Wgs84 { crs::wgs84_to_bng(c.x, c.y).ok_or_else(no_xy)? } else { c };
    Ok(Some(c))
}
