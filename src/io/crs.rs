//! Coordinate reference systems: British National Grid (EPSG:27700) and WGS84 lon/lat,
//! reprojected in pure Rust with `proj4rs` (7-parameter Helmert, ~2 m; far below the
//! 20-200 m generalisation of LSOA boundaries).

use crate::error::{Error, Result};
use geo::{Coord, MapCoords, MultiPolygon};
use proj4rs::proj::Proj;
use std::path::Path;
use std::sync::OnceLock;

/// The CRSs the tool reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crs {
    /// OSGB 1936 / British National Grid, metres.
    Bng,
    /// WGS84 (or ETRS89, equal within a metre in Great Britain), lon/lat degrees.
    Wgs84,
}

const BNG_PROJ: &str = "+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 \
+ellps=airy +towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs";
const WGS84_PROJ: &str = "+proj=longlat +ellps=WGS84 +datum=WGS84 +no_defs";

fn projs() -> &'static (Proj, Proj) {
    static P: OnceLock<(Proj, Proj)> = OnceLock::new();
    P.get_or_init(|| {
        (
            Proj::from_proj_string(BNG_PROJ).expect("static BNG definition parses"),
            Proj::from_proj_string(WGS84_PROJ).expect("static WGS84 definition parses"),
        )
    })
}

impl Crs {
    /// Recognise a CRS name as written in GeoJSON `crs` members, scenario files or `.prj` WKT.
    pub fn parse(name: &str) -> Option<Crs> {
        let n = name.trim().to_ascii_uppercase();
        let compact: String = n.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        if compact.ends_with("27700")
            || n.contains("BRITISH_NATIONAL_GRID")
            || n.contains("BRITISH NATIONAL GRID")
            || compact == "BNG"
            || compact == "OSGB36"
        {
            return Some(Crs::Bng);
        }
        if n.starts_with("PROJCS") {
            return None; // some other projected CRS
        }
        if compact.ends_with("4326")
            || compact.ends_with("CRS84")
            || compact.ends_with("4258")
            || compact == "WGS84"
            || n.contains("GCS_WGS_1984")
            || n.contains("\"WGS 84\"")
            || n.contains("ETRS89")
        {
            return Some(Crs::Wgs84);
        }
        None
    }

    /// Parse or fail with an error naming the file and the CRS found.
    pub fn parse_or_err(name: &str, path: &Path) -> Result<Crs> {
        Crs::parse(name).ok_or_else(|| {
            Error::input(path, format!("unknown coordinate reference system \"{}\"", truncate(name, 120))).hint(
                "footprints reads British National Grid (EPSG:27700) or WGS84 (EPSG:4326/CRS84); \
                 reproject the file (e.g. ogr2ogr -t_srs EPSG:27700) or set `crs` in the scenario",
            )
        })
    }
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        format!("{}…", s.chars().take(n).collect::<String>())
    }
}

/// Convert one lon/lat point (degrees) to BNG easting/northing (metres).
pub fn wgs84_to_bng(lon: f64, lat: f64) -> Option<Coord> {
    let (bng, wgs) = projs();
    let mut p = (lon.to_radians(), lat.to_radians(), 0.0);
    proj4rs::transform::transform(wgs, bng, &mut p).ok()?;
    (p.0.is_finite() && p.1.is_finite()).then_some(Coord { x: p.0, y: p.1 })
}

/// Convert one BNG point (metres) to lon/lat degrees.
pub fn bng_to_wgs84(e: f64, n: f64) -> Option<Coord> {
    let (bng, wgs) = projs();
    let mut p = (e, n, 0.0);
    proj4rs::transform::transform(bng, wgs, &mut p).ok()?;
    (p.0.is_finite() && p.1.is_finite()).then_some(Coord { x: p.0.to_degrees(), y: p.1.to_degrees() })
}

/// Reproject a multipolygon from lon/lat to BNG; `None` if any point fails.
pub fn mp_to_bng(mp: &MultiPolygon) -> Option<MultiPolygon> {
    mp.try_map_coords(|c| wgs84_to_bng(c.x, c.y).ok_or(())).ok()
}

/// Reproject a multipolygon from BNG to lon/lat; `None` if any point fails.
pub fn mp_to_wgs84(mp: &MultiPolygon) -> Option<MultiPolygon> {
    mp.try_map_coords(|c| bng_to_wgs84(c.x, c.y).ok_or(())).ok()
}

/// True if a coordinate is plausibly lon/lat.
pub fn looks_lonlat(c: Coord) -> bool {
    c.x.abs() <= 180.0 && c.y.abs() <= 90.0
}

/// True if a coordinate lies in the BNG grid's extent (with margin).
pub fn looks_bng(c: Coord) -> bool {
    (-100_000.0..=800_000.0).contains(&c.x) && (-100_000.0..=1_400_000.0).contains(&c.y)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Published check point (RUST-NOTES / OS): BNG (451000, 206000) ≈ (−1.2626092, 51.7503865) by OSTN15.
    #[test]
    fn bng_reference_point_within_5m() {
        let ll = bng_to_wgs84(451_000.0, 206_000.0).unwrap();
        let back = wgs84_to_bng(-1.2626092, 51.7503865).unwrap();
        let err = ((back.x - 451_000.0).powi(2) + (back.y - 206_000.0).powi(2)).sqrt();
        assert!(err < 5.0, "error {err} m");
        assert!((ll.x + 1.2626092).abs() < 5e-5 && (ll.y - 51.7503865).abs() < 5e-5, "{ll:?}");
    }

    #[test]
    fn round_trip_is_submillimetre() {
        let ll = bng_to_wgs84(390_000.0, 340_000.0).unwrap();
        let b = wgs84_to_bng(ll.x, ll.y).unwrap();
        assert!((b.x - 390_000.0).abs() < 1e-3 && (b.y - 340_000.0).abs() < 1e-3);
    }

    #[test]
    fn names() {
        assert_eq!(Crs::parse("urn:ogc:def:crs:EPSG::27700"), Some(Crs::Bng));
        assert_eq!(Crs::parse("urn:ogc:def:crs:OGC:1.3:CRS84"), Some(Crs::Wgs84));
        assert_eq!(Crs::parse("EPSG:3857"), None);
        assert_eq!(Crs::parse("PROJCS[\"British_National_Grid\",GEOGCS[\"GCS_OSGB_1936\"]]"), Some(Crs::Bng));
        assert_eq!(Crs::parse("PROJCS[\"WGS_84_Pseudo_Mercator\",GEOGCS[\"GCS_WGS_1984\"]]"), None);
    }
}
