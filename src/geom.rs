//! Small geometry helpers shared by loading, scoring and export.

use geo::{Coord, InteriorPoint, MultiPolygon};

/// A point guaranteed inside the polygon (geo's `InteriorPoint`), used wherever an LSOA is
/// represented by a point: footprint GeoJSON assignment, distances, practice fallback.
///
/// # Examples
///
/// ```
/// use footprints::geom::interior_point;
/// use geo::{polygon, MultiPolygon};
/// let square = MultiPolygon::new(vec![polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)]]);
/// let p = interior_point(&square);
/// assert!(p.x > 0.0 && p.x < 10.0 && p.y > 0.0 && p.y < 10.0);
/// ```
pub fn interior_point(mp: &MultiPolygon) -> Coord {
    mp.interior_point().map(|p| p.0).unwrap_or_default()
}
