//! Writers: atomic file replacement, GeoJSON FeatureCollections (RFC 7946 in WGS84, or BNG with
//! a `crs` member for GIS tools), and CSV.

use crate::error::{Error, Result};
use crate::io::crs::{self, Crs};
use geo::{MultiPolygon, Orient};
use rayon::prelude::*;
use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// Write bytes to `path` through a temporary file in the same folder and a rename, so a failed
/// run never leaves a partial output.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.exists() {
        std::fs::create_dir_all(dir).map_err(|e| Error::output(dir, format!("cannot create folder: {e}")))?;
    }
    let mut tmp = tempfile_in(dir, path)?;
    tmp.1.write_all(bytes).map_err(|e| Error::output(path, e.to_string()))?;
    tmp.1.sync_all().ok();
    drop(tmp.1);
    std::fs::rename(&tmp.0, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp.0);
        Error::output(path, e.to_string())
    })
}

/// Check before any work that a file can be written at `path`: its folder exists and a file can be
/// created in it. The error names the path and the operating system's reason in words.
pub fn check_writable(path: &Path) -> Result<()> {
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(Error::output(path, format!("folder {} does not exist", dir.display()))
            .hint("create it first or choose another --out"));
    }
    let (tmp, f) = tempfile_in(dir, path)?;
    drop(f);
    let _ = std::fs::remove_file(tmp);
    Ok(())
}

fn tempfile_in(dir: &Path, target: &Path) -> Result<(std::path::PathBuf, std::fs::File)> {
    let name = target.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "out".into());
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let f = std::fs::File::create(&tmp).map_err(|e| {
        Error::output(target, format!("cannot create a file in {}: {e}", dir.display()))
            .hint("choose a folder you can write to with --out")
    })?;
    Ok((tmp, f))
}

fn fmt_coord(out: &mut String, x: f64, y: f64, decimals: usize) {
    let _ = write!(out, "[{x:.decimals$},{y:.decimals$}]");
}

/// Round a multipolygon's coordinates to `decimals`, drop repeated points and degenerate rings,
/// and re-orient (exterior counter-clockwise, holes clockwise) after rounding.
pub fn round_mp(mp: &MultiPolygon, decimals: i32) -> MultiPolygon {
    use geo::{Area, LineString, Polygon};
    let f = 10f64.powi(decimals);
    let rr = |ls: &LineString| -> Option<LineString> {
        let mut v: Vec<geo::Coord> =
            ls.0.iter().map(|c| geo::Coord { x: (c.x * f).round() / f, y: (c.y * f).round() / f }).collect();
        v.dedup();
        if v.len() < 4 {
            return None;
        }
        let ls = LineString::new(v);
        (Polygon::new(ls.clone(), vec![]).unsigned_area() > 0.0).then_some(ls)
    };
    let polys =
        mp.0.iter()
            .filter_map(|p| {
                let ext = rr(p.exterior())?;
                Some(Polygon::new(ext, p.interiors().iter().filter_map(rr).collect()))
            })
            .collect();
    MultiPolygon::new(polys).orient(geo::orient::Direction::Default)
}

/// A feature to write: properties and geometry in BNG metres.
pub struct OutFeature {
    /// Properties.
    pub props: Map<String, Value>,
    /// Geometry (BNG).
    pub geom: MultiPolygon,
}

/// Write features as a GeoJSON FeatureCollection (see [`geojson_string`]) through [`atomic_write`].
pub fn write_geojson(path: &Path, features: &[OutFeature], target: Crs, meta: Option<&Value>) -> Result<()> {
    let text = geojson_string(features, target, meta)
        .map_err(|(i, why)| invalid_polygon(path, i, &features[i].props, &why))?;
    atomic_write(path, text.as_bytes())
}

/// The error for feature `i` of `path` (named by its `id`, `lsoa_code`, `code` or `name`) whose
/// polygon would be written invalid: nothing is written.
pub fn invalid_polygon(path: &Path, i: usize, props: &Map<String, Value>, why: &str) -> Error {
    let name = ["id", "lsoa_code", "code", "name"]
        .iter()
        .find_map(|k| props.get(*k).and_then(Value::as_str))
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    Error::output(path, format!("feature {}{name} would be written as an invalid polygon: {why}", i + 1)).hint(
        "nothing was written; this is a fault in footprints, not in your data: please report it with the scenario",
    )
}

/// A feature's geometry as written: reprojected (WGS84) and rounded. Every polygon is checked with
/// geo's `Validation` after rounding; one that fails is redone from its BNG geometry without
/// zero-area spikes ([`crate::geom::remove_spikes`]), and if it still fails, the reason is returned.
fn output_geometry(g: &MultiPolygon, target: Crs) -> std::result::Result<MultiPolygon, String> {
    let project = |g: &MultiPolygon| -> std::result::Result<MultiPolygon, String> {
        let out = match target {
            Crs::Wgs84 => round_mp(&crs::mp_to_wgs84(g).ok_or("coordinates cannot be reprojected to WGS84")?, 6),
            Crs::Bng => round_mp(g, 1),
        };
        if out.0.is_empty() && !g.0.is_empty() {
            return Err("every part collapses when rounded".into());
        }
        Ok(out)
    };
    let out = project(g)?;
    if crate::geom::invalidity(&out).is_none() {
        return Ok(out);
    }
    let out = project(&crate::geom::remove_spikes(g, crate::geom::SPIKE_TOL_M))?;
    let Some(why) = crate::geom::invalidity(&out) else { return Ok(out) };
    // Parts less than a rounding step apart (a few cm) can overlap once rounded: merge them in
    // the output coordinates, round again and check again.
    let digits = if matches!(target, Crs::Wgs84) { 6 } else { 1 };
    let merged =
        geo::Orient::orient(&round_mp(&geo::unary_union(out.0.iter()), digits), geo::orient::Direction::Default);
    match crate::geom::invalidity(&merged) {
        None if !merged.0.is_empty() => Ok(merged),
        _ => Err(why),
    }
}

/// Serialise features as a GeoJSON FeatureCollection. `Crs::Wgs84` gives RFC 7946 (lon/lat,
/// 6 decimals, exterior rings counter-clockwise); `Crs::Bng` gives EPSG:27700 metres (1 decimal)
/// with a `crs` member. `meta` goes in a foreign member `footprints` (seed, version, hashes).
/// Fails with the first feature's index and the reason when a polygon would be written invalid.
pub fn geojson_string(
    features: &[OutFeature],
    target: Crs,
    meta: Option<&Value>,
) -> std::result::Result<String, (usize, String)> {
    let geometries: Vec<String> = features
        .par_iter()
        .enumerate()
        .map(|(i, f)| geometry_json(&f.geom, target).map_err(|why| (i, why)))
        .collect::<std::result::Result<_, _>>()?;
    Ok(feature_collection(features.iter().map(|f| &f.props).zip(geometries.iter().map(String::as_str)), target, meta))
}

/// The GeoJSON `geometry` member of one feature (a MultiPolygon) in `target`, reprojected, rounded
/// and checked as [`geojson_string`] writes it (see `output_geometry`); computed once, it can be
/// reused across files. Fails with the reason when the polygon would be written invalid.
pub fn geometry_json(geom: &MultiPolygon, target: Crs) -> std::result::Result<String, String> {
    let dec = if target == Crs::Wgs84 { 6 } else { 1 };
    let geom = output_geometry(geom, target)?;
    let mut out = String::from("{\"type\":\"MultiPolygon\",\"coordinates\":[");
    for (pi, p) in geom.0.iter().enumerate() {
        if pi > 0 {
            out.push(',');
        }
        out.push('[');
        for (ri, ring) in std::iter::once(p.exterior()).chain(p.interiors()).enumerate() {
            if ri > 0 {
                out.push(',');
            }
            out.push('[');
            for (ci, c) in ring.0.iter().enumerate() {
                if ci > 0 {
                    out.push(',');
                }
                fmt_coord(&mut out, c.x, c.y, dec);
            }
            out.push(']');
        }
        out.push(']');
    }
    out.push_str("]}");
    Ok(out)
}

/// A FeatureCollection from properties and geometry members made by [`geometry_json`] for `target`.
pub fn feature_collection<'a>(
    features: impl IntoIterator<Item = (&'a Map<String, Value>, &'a str)>,
    target: Crs,
    meta: Option<&Value>,
) -> String {
    let mut out = String::from("{\"type\":\"FeatureCollection\",");
    if target == Crs::Bng {
        out.push_str("\"crs\":{\"type\":\"name\",\"properties\":{\"name\":\"urn:ogc:def:crs:EPSG::27700\"}},");
    }
    if let Some(m) = meta {
        let _ = write!(out, "\"footprints\":{},", m);
    }
    out.push_str("\"features\":[\n");
    for (i, (props, geometry)) in features.into_iter().enumerate() {
        if i > 0 {
            out.push_str(",\n");
        }
        // A map of JSON values always serialises.
        let props = serde_json::to_string(props).unwrap_or_default();
        let _ = write!(out, "{{\"type\":\"Feature\",\"properties\":{props},\"geometry\":{geometry}}}");
    }
    out.push_str("\n]}\n");
    out
}

/// Serialise rows to CSV text.
pub fn csv_string(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(header);
    for r in rows {
        let _ = w.write_record(r);
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{polygon, Area};

    /// Two parts 2 cm apart whose rounding to 0.1 m pushes a vertex of one inside the other: the
    /// parts are merged in output coordinates instead of failing (the build stopped on a demo-made
    /// scenario with "polygons at indices 0 and 1 overlap").
    #[test]
    fn parts_that_overlap_only_after_rounding_are_merged() {
        let a = polygon![(x: 0.0, y: 0.0), (x: 10.04, y: 0.0), (x: 10.04, y: 9.96), (x: 0.0, y: 0.0)];
        let b = polygon![(x: 4.96, y: 4.94), (x: 0.0, y: 10.0), (x: -5.0, y: 5.0), (x: 4.96, y: 4.94)];
        let g = MultiPolygon::new(vec![a, b]);
        assert!(crate::geom::invalidity(&g).is_none(), "valid before rounding");
        assert!(crate::geom::invalidity(&round_mp(&g, 1)).is_some(), "overlapping once rounded");
        let out = output_geometry(&g, Crs::Bng).expect("merged, not refused");
        assert!(crate::geom::invalidity(&out).is_none());
        assert!(
            (out.unsigned_area() - g.unsigned_area()).abs() < 1.0,
            "{} vs {}",
            out.unsigned_area(),
            g.unsigned_area()
        );
    }
}
