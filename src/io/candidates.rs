//! Candidate sites for siting: a CSV (code, name, easting/northing or lat/lon, optional capacity
//! and must_open) or a GeoJSON of points (WGS84 or BNG).

use super::crs;
use super::table::{parse_f64, read_bytes, Table};
use crate::error::{Error, Result};
use geo::Coord;
use serde::Serialize;
use std::path::Path;

/// A candidate site.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// BNG location.
    #[serde(skip)]
    pub xy: Coord,
    /// Capacity (people), if given.
    pub capacity: Option<f64>,
    /// Must stay open.
    pub must_open: bool,
    /// Study LSOA containing it (set by the caller).
    pub area: Option<usize>,
}

/// Read a candidates file (`.geojson`/`.json` points, otherwise CSV); at least one site.
pub fn read_candidates_file(path: &Path) -> Result<Vec<Candidate>> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let out = if ext == "geojson" || ext == "json" { read_geojson(path)? } else { read_csv(path)? };
    if out.is_empty() {
        return Err(Error::input(path, "contains no candidate sites"));
    }
    Ok(out)
}

/// Site codes name sites in the outputs and in a travel-time matrix, so each may appear once.
fn duplicate(path: &Path, at: String, code: &str) -> Error {
    Error::at(path, at, format!("site code {code} appears twice")).hint("give every candidate site its own code")
}

/// A capacity (people a site can serve) must be a finite number > 0; an empty one means no limit.
fn capacity(path: &Path, at: String, v: Option<f64>, raw: &str) -> Result<f64> {
    v.filter(|x| x.is_finite() && *x > 0.0).ok_or_else(|| {
        Error::at(path, at, format!("capacity {raw} is not a number > 0"))
            .hint("capacity is the number of people a site can serve; leave it empty for no limit")
    })
}

/// A `must_open` value: true/yes/y/1, false/no/n/0 or empty (false); anything else is an error.
fn flag(path: &Path, at: String, v: &str) -> Result<bool> {
    match v.trim().trim_matches('"').to_ascii_lowercase().as_str() {
        "true" | "yes" | "y" | "1" => Ok(true),
        "false" | "no" | "n" | "0" | "" | "null" => Ok(false),
        other => Err(Error::at(path, at, format!("must_open \"{other}\" is not true or false"))),
    }
}

/// A site's BNG location from `c` given in `declared` (x = easting or longitude), refused with
/// the likely cause when it cannot lie in England and Wales.
fn located(path: &Path, at: String, c: Coord, declared: crs::Crs) -> Result<Coord> {
    if let Some(why) = crs::misfit(c, declared) {
        return Err(Error::at(path, at, format!("site at ({}, {}): {}", c.x, c.y, why.cause())).hint(
            "give easting/northing in British National Grid metres, or lon/lat in WGS84 degrees \
             (GeoJSON: longitude first; CSV: lat and lon columns)",
        ));
    }
    match declared {
        crs::Crs::Wgs84 => crs::wgs84_to_bng(c.x, c.y)
            .ok_or_else(|| Error::at(path, at, "coordinates cannot be reprojected to British National Grid")),
        crs::Crs::Bng => Ok(c),
    }
}

fn read_geojson(path: &Path) -> Result<Vec<Candidate>> {
    let bytes = read_bytes(path)?;
    let fc: geojson::FeatureCollection = serde_json::from_slice(&bytes).map_err(|e| {
        Error::at(
            path,
            format!("line {} column {}", e.line(), e.column()),
            format!("not a GeoJSON FeatureCollection: {e}"),
        )
    })?;
    let mut out = Vec::new();
    for (i, f) in fc.features.iter().enumerate() {
        let props = f.properties.clone().unwrap_or_default();
        let get = |k: &str| props.get(k).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
        let Some(geojson::GeometryValue::Point { coordinates }) = f.geometry.as_ref().map(|g| g.value.clone()) else {
            return Err(
                Error::at(path, format!("feature {}", i + 1), "is not a Point").hint("candidates must be points")
            );
        };
        if coordinates.len() < 2 {
            return Err(Error::at(path, format!("feature {}", i + 1), "the point has no x and y")
                .hint("give each point as [longitude, latitude] or [easting, northing]"));
        }
        let c = Coord { x: coordinates[0], y: coordinates[1] };
        let declared = if crs::looks_lonlat(c) { crs::Crs::Wgs84 } else { crs::Crs::Bng };
        let xy = located(path, format!("feature {}", i + 1), c, declared)?;
        let code = get("code").or_else(|| get("id")).unwrap_or_else(|| format!("site{}", i + 1));
        // Every feature before this one is in `out`, in order, so its position is its feature number.
        if let Some(j) = out.iter().position(|c: &Candidate| c.code == code) {
            return Err(duplicate(path, format!("features {} and {}", j + 1, i + 1), &code));
        }
        let name = get("name").unwrap_or_else(|| code.clone());
        let at = || format!("feature {}", i + 1);
        let capacity = match props.get("capacity") {
            None | Some(serde_json::Value::Null) => None,
            Some(v) => {
                Some(capacity(path, at(), v.as_f64().or_else(|| v.as_str().and_then(parse_f64)), &v.to_string())?)
            }
        };
        out.push(Candidate {
            capacity,
            must_open: flag(path, at(), &get("must_open").unwrap_or_default())?,
            area: None,
            code,
            name,
            xy,
        });
    }
    Ok(out)
}

fn read_csv(path: &Path) -> Result<Vec<Candidate>> {
    let t = Table::read(path)?;
    let code =
        t.find_col("code").or_else(|| t.find_col("site_code")).or_else(|| t.find_col("practice_code")).ok_or_else(
            || Error::input(path, "no column \"code\"").hint(format!("columns found: {}", t.headers.join(", "))),
        )?;
    let name = t.find_col("name").or_else(|| t.find_col("site_name"));
    let e = t.find_col("easting").zip(t.find_col("northing"));
    let ll =
        t.find_col("lat").or_else(|| t.find_col("latitude")).zip(t.find_col("lon").or_else(|| t.find_col("longitude")));
    if e.is_none() && ll.is_none() {
        return Err(
            Error::input(path, "no coordinate columns").hint("give easting + northing (BNG) or lat + lon (WGS84)")
        );
    }
    let (cap, must) = (t.find_col("capacity"), t.find_col("must_open"));
    let mut out = Vec::new();
    for (i, r) in t.rows.iter().enumerate() {
        let c = t.get(r, code).to_string();
        // Every row before this one is in `out`, in order, so its position is its row.
        if let Some(j) = out.iter().position(|x: &Candidate| x.code == c) {
            return Err(duplicate(path, format!("{} and {}", t.line(j), t.line(i)), &c));
        }
        let pair = |(a, b): (usize, usize)| parse_f64(t.get(r, a)).zip(parse_f64(t.get(r, b)));
        let given = match (e, ll) {
            (Some(cols), _) => pair(cols).map(|(x, y)| (Coord { x, y }, crs::Crs::Bng)),
            (None, Some(cols)) => pair(cols).map(|(lat, lon)| (Coord { x: lon, y: lat }, crs::Crs::Wgs84)),
            _ => None,
        };
        let (xy, declared) =
            given.ok_or_else(|| Error::at(path, t.line(i), format!("site {c} has no usable coordinates")))?;
        let xy = located(path, t.line(i), xy, declared)?;
        let raw_cap = cap.map(|k| t.get(r, k)).unwrap_or("");
        let capacity =
            if raw_cap.is_empty() { None } else { Some(capacity(path, t.line(i), parse_f64(raw_cap), raw_cap)?) };
        out.push(Candidate {
            name: name.map(|n| t.get(r, n).to_string()).unwrap_or_else(|| c.clone()),
            capacity,
            must_open: flag(path, t.line(i), must.map(|k| t.get(r, k)).unwrap_or(""))?,
            area: None,
            code: c,
            xy,
        });
    }
    Ok(out)
}
