//! Step 6: GP practices with their PCN and location (BNG easting/northing or WGS84 lat/lon).

use super::draft::DraftPractice;
use super::Loader;
use crate::error::{Error, Result};
use crate::io::crs;
use crate::io::table::{parse_count, parse_f64, Table};
use crate::scenario::Practices;
use geo::Coord;
use std::collections::HashMap;

/// Largest practice list size accepted: 500,000 patients (the largest English practices have
/// about 100,000; more is a unit or parsing error).
const MAX_LIST_SIZE: u64 = 500_000;

/// Coordinate columns.
enum Xy {
    Bng(usize, usize),
    LatLon(usize, usize),
    None,
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
    let mut seen = HashMap::new();
    for i in 0..t.rows.len() {
        let code = t.get(&t.rows[i], cols[0]);
        t.first_row(&mut seen, code, i, || format!("duplicate practice code {code}"))
            .map_err(|e| e.hint("one row per practice is expected"))?;
        let pr = practice(pc, &t, i, cols, &xy, list)?;
        if let Some(c) = &pr.pcn_code {
            ld.pcn_names.entry(c.clone()).or_insert_with(|| pr.pcn_name.clone());
        }
        ld.practices.push(pr);
    }
    ld.practices.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(())
}

/// One row of the practices table.
fn practice(
    pc: &Practices,
    t: &Table,
    i: usize,
    cols: [usize; 4],
    xy: &Xy,
    list: Option<usize>,
) -> Result<DraftPractice> {
    let r = &t.rows[i];
    let code = t.get(r, cols[0]).to_string();
    let coord = |a: usize, b: usize| -> Option<(f64, f64)> { Some((parse_f64(t.get(r, a))?, parse_f64(t.get(r, b))?)) };
    // The values as given (x = easting or longitude) and the CRS their columns declare.
    let raw = match *xy {
        Xy::Bng(e, n) => coord(e, n).map(|(x, y)| (Coord { x, y }, crs::Crs::Bng)),
        Xy::LatLon(a, o) => coord(a, o).map(|(lat, lon)| (Coord { x: lon, y: lat }, crs::Crs::Wgs84)),
        Xy::None => None,
    };
    let no_xy = || {
        Error::at(&t.path, t.line(i), format!("practice {code} has no usable coordinates")).hint(
            "geocode the practice postcode (e.g. with ONS Postcode Directory / Code-Point Open) or remove the row",
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
    let xy = if declared == crs::Crs::Wgs84 { crs::wgs84_to_bng(c.x, c.y).ok_or_else(no_xy)? } else { c };
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
    Ok(DraftPractice {
        code,
        name: t.get(r, cols[1]).to_string(),
        pcn_code,
        pcn_name: t.get(r, cols[3]).to_string(),
        xy,
        list_size,
        area: None,
    })
}
