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

/// British National Grid eastings that England and Wales can have, in metres (the grid's own
/// extent: Scilly and the Norfolk coast both lie well inside).
pub const BNG_EASTINGS: std::ops::RangeInclusive<f64> = 0.0..=700_000.0;
/// British National Grid northings England and Wales can have (the grid reaches Shetland at 1,220 km).
pub const BNG_NORTHINGS: std::ops::RangeInclusive<f64> = 0.0..=1_300_000.0;
/// WGS84 longitudes of England and Wales with a margin (Scilly −6.4°, Lowestoft 1.8°).
pub const LONGITUDES: std::ops::RangeInclusive<f64> = -8.0..=2.0;
/// WGS84 latitudes of England and Wales with a margin (Lizard 49.96°, Berwick 55.8°).
pub const LATITUDES: std::ops::RangeInclusive<f64> = 49.0..=61.0;

/// Why a coordinate, read in a given CRS, cannot lie in England and Wales: the likely cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misfit {
    /// WGS84 declared, and the values fit with latitude and longitude the other way round.
    LatLonSwapped,
    /// British National Grid declared, and the values are lon/lat degrees.
    LonLatAsBng,
    /// British National Grid declared, and the values are lat/lon degrees (latitude first).
    LatLonAsBng,
    /// WGS84 declared, and the values are British National Grid metres.
    BngAsLonLat,
    /// British National Grid declared, and the values fit with easting and northing swapped.
    EastNorthSwapped,
    /// Neither the declared CRS nor any likely mix-up places it in England and Wales.
    Outside,
}

impl Misfit {
    /// The likely cause, in words a user can act on.
    pub fn cause(self) -> &'static str {
        match self {
            Misfit::LatLonSwapped => "these look like latitude/longitude swapped (latitude first)",
            Misfit::LonLatAsBng => "these look like lon/lat in a file declared as British National Grid",
            Misfit::LatLonAsBng => {
                "these look like latitude/longitude (latitude first) in a file declared as British National Grid"
            }
            Misfit::BngAsLonLat => "these look like British National Grid metres in a file declared as WGS84 lon/lat",
            Misfit::EastNorthSwapped => "these look like easting and northing swapped",
            Misfit::Outside => {
                "this is outside England and Wales (eastings 0–700,000 m and northings 0–1,300,000 m; \
                 longitude −8° to 2° and latitude 49° to 61°)"
            }
        }
    }
}

fn in_wgs(lon: f64, lat: f64) -> bool {
    LONGITUDES.contains(&lon) && LATITUDES.contains(&lat)
}

fn in_bng(e: f64, n: f64) -> bool {
    BNG_EASTINGS.contains(&e) && BNG_NORTHINGS.contains(&n)
}

/// Check a coordinate `(x, y)` read in `crs` (x = easting or longitude) against the extent of
/// England and Wales; `None` if it fits, else the likely cause.
///
/// ```
/// use footprints::io::crs::{misfit, Crs, Misfit};
/// use geo::Coord;
/// assert_eq!(misfit(Coord { x: -1.26, y: 51.75 }, Crs::Wgs84), None);
/// assert_eq!(misfit(Coord { x: 51.75, y: -1.26 }, Crs::Wgs84), Some(Misfit::LatLonSwapped));
/// assert_eq!(misfit(Coord { x: -1.26, y: 51.75 }, Crs::Bng), Some(Misfit::LonLatAsBng));
/// ```
pub fn misfit(c: Coord, crs: Crs) -> Option<Misfit> {
    let (x, y) = (c.x, c.y);
    match crs {
        Crs::Wgs84 if in_wgs(x, y) => None,
        Crs::Wgs84 if in_wgs(y, x) => Some(Misfit::LatLonSwapped),
        Crs::Wgs84 if in_bng(x, y) && !looks_lonlat(c) => Some(Misfit::BngAsLonLat),
        Crs::Bng if in_bng(x, y) => None,
        Crs::Bng if in_wgs(x, y) => Some(Misfit::LonLatAsBng),
        Crs::Bng if in_wgs(y, x) => Some(Misfit::LatLonAsBng),
        Crs::Bng if in_bng(y, x) => Some(Misfit::EastNorthSwapped),
        _ => Some(Misfit::Outside),
    }
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
    fn extents() {
        let c = |x, y| Coord { x, y };
        assert_eq!(misfit(c(451_000.0, 206_000.0), Crs::Bng), None);
        assert_eq!(misfit(c(-6.3, 49.9), Crs::Wgs84), None);
        assert_eq!(misfit(c(52.3, -1.67), Crs::Bng), Some(Misfit::LatLonAsBng));
        assert_eq!(misfit(c(451_000.0, 206_000.0), Crs::Wgs84), Some(Misfit::BngAsLonLat));
        assert_eq!(misfit(c(1_000_000.0, 206_000.0), Crs::Bng), Some(Misfit::EastNorthSwapped));
        assert_eq!(misfit(c(2.35, 48.85), Crs::Wgs84), Some(Misfit::Outside)); // Paris
        assert_eq!(misfit(c(f64::NAN, 51.0), Crs::Wgs84), Some(Misfit::Outside));
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
