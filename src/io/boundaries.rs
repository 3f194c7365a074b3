//! Polygon layers: GeoJSON (with or without a `crs` member) and ESRI shapefiles (.shp/.dbf/.prj).
//! Geometry comes out in British National Grid metres, oriented, and repaired where invalid.

use crate::error::{Error, Result};
use crate::io::crs::{self, Crs};
use geo::{Area, Geometry, MakeValid, MultiPolygon, Orient, Validation};
use rayon::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// One polygon feature with its attributes as text.
#[derive(Debug, Clone)]
pub struct PolyFeature {
    /// Attribute values, stringified.
    pub props: BTreeMap<String, String>,
    /// Geometry in BNG metres.
    pub geom: MultiPolygon,
}

/// A polygon layer read from disk.
#[derive(Debug, Clone)]
pub struct PolyLayer {
    /// Features in file order.
    pub features: Vec<PolyFeature>,
    /// CRS the file was in.
    pub source_crs: Crs,
    /// Attribute names seen.
    pub columns: Vec<String>,
    /// Warnings met while reading (repaired geometries, assumed CRS...).
    pub warnings: Vec<String>,
}

/// Read a polygon layer, reprojecting to BNG. `crs_override` wins over the file's own CRS.
/// `id_col` names the attribute used to identify features in messages.
pub fn read_polygons(path: &Path, crs_override: Option<&str>, id_col: &str) -> Result<PolyLayer> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let (raw, declared) = match ext.as_str() {
        "shp" => read_shapefile(path)?,
        _ => read_geojson(path)?,
    };
    let mut warnings = Vec::new();
    let crs = match crs_override {
        Some(c) => Crs::parse_or_err(c, path)?,
        None => match declared {
            Some(c) => Crs::parse_or_err(&c, path)?,
            None => guess_crs(path, &raw, &mut warnings)?,
        },
    };
    check_extent(path, &raw, crs, id_col)?;
    let mut columns: Vec<String> = Vec::new();
    if let Some((p, _)) = raw.first() {
        columns = p.keys().cloned().collect();
    }
    let processed: Vec<Result<(PolyFeature, Option<String>)>> =
        raw.into_par_iter().enumerate().map(|(i, (props, geom))| feature(path, crs, id_col, i, props, geom)).collect();
    let mut features = Vec::with_capacity(processed.len());
    for r in processed {
        let (f, w) = r?;
        if let Some(w) = w {
            warnings.push(w);
        }
        features.push(f);
    }
    if features.is_empty() {
        return Err(Error::input(path, "contains no features").hint("check the file is the LSOA boundary layer"));
    }
    Ok(PolyLayer { features, source_crs: crs, columns, warnings })
}

/// One feature in BNG metres, oriented, repaired where invalid (with a warning), or the reason it
/// cannot be used.
fn feature(
    path: &Path,
    crs: Crs,
    id_col: &str,
    i: usize,
    props: BTreeMap<String, String>,
    geom: Option<MultiPolygon>,
) -> Result<(PolyFeature, Option<String>)> {
    let label = match props.get(id_col) {
        Some(c) if !c.is_empty() => format!("feature {} ({c})", i + 1),
        _ => format!("feature {}", i + 1),
    };
    let mp = match geom {
        Some(g) => g,
        None => {
            return Err(
                Error::at(path, label, "has no polygon geometry").hint("remove the feature or give it a polygon")
            )
        }
    };
    let mp = if crs == Crs::Wgs84 {
        crs::mp_to_bng(&mp).ok_or_else(|| {
            Error::at(path, label.clone(), "coordinates could not be reprojected to British National Grid")
        })?
    } else {
        mp
    };
    let mut mp = mp.orient(geo::orient::Direction::Default);
    let mut warning = None;
    if !mp.is_valid() {
        let before = mp.unsigned_area();
        let repaired = mp.make_valid().ok().map(|r| r.orient(geo::orient::Direction::Default));
        if let Some(repaired) = repaired.filter(|r| r.is_valid() && r.unsigned_area() > 0.0) {
            let after = repaired.unsigned_area();
            warning = Some(format!(
                "{}, {label}: invalid polygon (self-intersection) repaired, area {before:.0} → {after:.0} m²",
                path.display()
            ));
            mp = repaired;
        } else {
            let why = mp.validation_errors().first().map(|e| e.to_string()).unwrap_or_default();
            return Err(Error::at(path, label, format!("invalid polygon that could not be repaired safely: {why}"))
                .hint("repair it in QGIS (Vector › Geometry Tools › Fix Geometries) or with ogr2ogr -makevalid"));
        }
    }
    if mp.0.is_empty() || mp.unsigned_area() <= 0.0 {
        return Err(Error::at(path, label, "polygon has zero area").hint("fix or remove the feature"));
    }
    Ok((PolyFeature { props, geom: mp }, warning))
}

type RawFeature = (BTreeMap<String, String>, Option<MultiPolygon>);

/// Every vertex must be able to lie in England and Wales in the CRS the file is read in (see
/// [`crs::misfit`]): the first feature that cannot is named with the likely cause, the fix and how
/// many features share the fault.
fn check_extent(path: &Path, raw: &[RawFeature], crs: Crs, id_col: &str) -> Result<()> {
    use geo::CoordsIter;
    let bad: Vec<(usize, geo::Coord, crs::Misfit)> = raw
        .par_iter()
        .enumerate()
        .filter_map(|(i, (_, g))| g.as_ref()?.coords_iter().find_map(|c| Some((i, c, crs::misfit(c, crs)?))))
        .collect();
    let Some(&(i, c, why)) = bad.first() else { return Ok(()) };
    let label = match raw[i].0.get(id_col) {
        Some(code) if !code.is_empty() => format!("feature {} ({code})", i + 1),
        _ => format!("feature {}", i + 1),
    };
    let read_as = if crs == Crs::Bng { "British National Grid" } else { "WGS84 lon/lat" };
    Err(Error::at(
        path,
        label,
        format!(
            "coordinate ({}, {}) read as {read_as} cannot be in England and Wales: {} ({} of {} features)",
            c.x,
            c.y,
            why.cause(),
            bad.len(),
            raw.len()
        ),
    )
    .hint(extent_fix(why)))
}

/// How to fix a file whose coordinates do not fit its CRS.
fn extent_fix(why: crs::Misfit) -> &'static str {
    use crs::Misfit as M;
    match why {
        M::LatLonSwapped => {
            "GeoJSON puts longitude first (RFC 7946): re-export the file with x = longitude, \
            e.g. `ogr2ogr -lco RFC7946=YES out.geojson in.geojson`, or export it in British National Grid"
        }
        M::LonLatAsBng | M::LatLonAsBng => {
            "the CRS declaration is wrong: remove the file's `crs` member (or .prj), \
            or set `crs = \"EPSG:4326\"` under [boundaries] in the scenario, and give lon/lat with longitude first"
        }
        M::BngAsLonLat => {
            "set `crs = \"EPSG:27700\"` under [boundaries] in the scenario if the file is in British National Grid"
        }
        M::EastNorthSwapped => "swap x and y: GeoJSON and shapefiles give the easting first",
        M::Outside => {
            "footprints reads LSOAs of England and Wales; check this is the right file and that its CRS \
            (British National Grid or WGS84) is declared correctly"
        }
    }
}

fn guess_crs(path: &Path, raw: &[RawFeature], warnings: &mut Vec<String>) -> Result<Crs> {
    let first = raw
        .iter()
        .find_map(|(_, g)| g.as_ref().and_then(|m| m.0.first()).and_then(|p| p.exterior().0.first().copied()));
    match first {
        Some(c) if crs::looks_lonlat(c) => Ok(Crs::Wgs84),
        Some(c) if crs::looks_bng(c) => {
            warnings.push(format!(
                "{}: no CRS declared; coordinates look like British National Grid metres, so EPSG:27700 is assumed",
                path.display()
            ));
            Ok(Crs::Bng)
        }
        _ => Err(Error::input(path, "no CRS declared and coordinates are neither lon/lat nor British National Grid")
            .hint("state the CRS with `crs = \"EPSG:27700\"` or `crs = \"EPSG:4326\"` in the scenario")),
    }
}

fn json_to_string(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn to_multipolygon(g: Geometry) -> Option<MultiPolygon> {
    match g {
        Geometry::Polygon(p) => Some(MultiPolygon::new(vec![p])),
        Geometry::MultiPolygon(mp) => Some(mp),
        Geometry::GeometryCollection(gc) => {
            let polys: Vec<_> = gc.0.into_iter().filter_map(to_multipolygon).flat_map(|m| m.0).collect();
            (!polys.is_empty()).then(|| MultiPolygon::new(polys))
        }
        _ => None,
    }
}

fn read_geojson(path: &Path) -> Result<(Vec<RawFeature>, Option<String>)> {
    let bytes = crate::io::table::read_bytes(path)?;
    let fc: geojson::FeatureCollection = serde_json::from_slice(&bytes).map_err(|e| {
        let what = if e.is_eof() {
            "the file ends too early (truncated download?)"
        } else {
            "not a valid GeoJSON FeatureCollection"
        };
        Error::at(path, format!("line {} column {}", e.line(), e.column()), format!("{what}: {e}"))
            .hint("re-download or re-export the file; it must be a GeoJSON FeatureCollection of polygons")
    })?;
    let declared = fc
        .foreign_members
        .as_ref()
        .and_then(|fm| fm.get("crs"))
        .and_then(|c| c.get("properties").and_then(|p| p.get("name")).and_then(|n| n.as_str()).map(str::to_string));
    let mut out = Vec::with_capacity(fc.features.len());
    for (i, f) in fc.features.into_iter().enumerate() {
        let props: BTreeMap<String, String> =
            f.properties.map(|p| p.iter().map(|(k, v)| (k.clone(), json_to_string(v))).collect()).unwrap_or_default();
        let geom = match f.geometry {
            Some(g) => {
                if let Some(n) = short_position(&g.value) {
                    return Err(Error::at(
                        path,
                        format!("feature {}", i + 1),
                        format!("a position has {n} number(s); GeoJSON positions are [x, y]"),
                    )
                    .hint("re-export the file; every coordinate needs an x and a y"));
                }
                let gt = Geometry::<f64>::try_from(g)
                    .map_err(|e| Error::at(path, format!("feature {}", i + 1), format!("cannot read geometry: {e}")))?;
                to_multipolygon(gt)
            }
            None => None,
        };
        out.push((props, geom));
    }
    Ok((out, declared))
}

/// The length of the first position with fewer than two numbers (geojson's conversion would panic).
pub(crate) fn short_position(v: &geojson::GeometryValue) -> Option<usize> {
    use geojson::GeometryValue as G;
    let short = |p: &geojson::Position| (p.len() < 2).then_some(p.len());
    let ring = |r: &[geojson::Position]| r.iter().find_map(short);
    match v {
        G::Point { coordinates } => short(coordinates),
        G::MultiPoint { coordinates } | G::LineString { coordinates } => ring(coordinates),
        G::MultiLineString { coordinates } | G::Polygon { coordinates } => coordinates.iter().find_map(|r| ring(r)),
        G::MultiPolygon { coordinates } => coordinates.iter().flatten().find_map(|r| ring(r)),
        G::GeometryCollection { geometries } => geometries.iter().find_map(|g| short_position(&g.value)),
    }
}

/// A shapefile error in words (the crate prints some, such as a damaged .dbf, as Rust debug text).
fn shp_error(e: &shapefile::Error) -> String {
    use shapefile::Error as E;
    match e {
        // dbase prints an error outside any record as `Error { kind: … }`; give the kind alone then.
        E::DbaseError(d) if d.record_index().is_none() => {
            format!("the attribute table (.dbf) is damaged or does not match the .shp: {}", d.kind())
        }
        E::DbaseError(d) => format!("the attribute table (.dbf) is damaged or does not match the .shp: {d}"),
        E::MissingDbf => "the attribute table (.dbf) is missing".into(),
        E::MissingIndexFile => "the index file (.shx) is missing".into(),
        E::InvalidPatchType(t) => format!("the multipatch type {t} is not valid"),
        other => other.to_string(),
    }
}

fn read_shapefile(path: &Path) -> Result<(Vec<RawFeature>, Option<String>)> {
    if !path.exists() {
        return Err(Error::input(path, "cannot open file: not found").hint("check the path in the scenario"));
    }
    let dbf = path.with_extension("dbf");
    if !dbf.exists() {
        return Err(Error::input(path, format!("the shapefile has no attribute table: {} is missing", dbf.display()))
            .hint("a shapefile is several files; copy the .dbf (and .shx, .prj) next to the .shp"));
    }
    let prj = path.with_extension("prj");
    let declared = std::fs::read_to_string(&prj).ok();
    let mut reader = shapefile::Reader::from_path(path)
        .map_err(|e| Error::input(path, format!("cannot read shapefile: {}", shp_error(&e))))?;
    let mut out = Vec::new();
    for (i, item) in reader.iter_shapes_and_records().enumerate() {
        let (shape, record) = item.map_err(|e| {
            Error::at(path, format!("record {}", i + 1), format!("cannot read shape: {}", shp_error(&e)))
        })?;
        let props: BTreeMap<String, String> = record
            .into_iter()
            .map(|(k, v)| {
                use shapefile::dbase::FieldValue as F;
                let s = match v {
                    F::Character(s) => s.unwrap_or_default(),
                    F::Numeric(n) => n.map(fmt_num).unwrap_or_default(),
                    F::Float(n) => n.map(|x| fmt_num(x as f64)).unwrap_or_default(),
                    F::Integer(n) => n.to_string(),
                    F::Double(x) | F::Currency(x) => fmt_num(x),
                    F::Logical(b) => b.map(|b| b.to_string()).unwrap_or_default(),
                    F::Memo(s) => s,
                    other => format!("{other:?}"),
                };
                (k, s.trim().to_string())
            })
            .collect();
        let geom = match shape {
            shapefile::Shape::Polygon(p) => MultiPolygon::try_from(p).ok(),
            shapefile::Shape::PolygonZ(p) => MultiPolygon::try_from(p).ok(),
            shapefile::Shape::PolygonM(p) => MultiPolygon::try_from(p).ok(),
            _ => None,
        };
        out.push((props, geom));
    }
    Ok((out, declared))
}

fn fmt_num(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        x.to_string()
    }
}
