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

/// Width below which a wedge of a ring is a zero-area spike or crack, in metres: far below the
/// 20–200 m generalisation of LSOA boundaries and above the centimetre gaps left between
/// neighbours (the demo's and ONS generalised boundaries leave cracks 1–3 cm wide).
pub const SPIKE_TOL_M: f64 = 0.5;

/// Remove zero-area spikes and cracks from every ring: a vertex where the ring turns back on
/// itself (an angle under 90°) and the shorter arm's end lies within `tol` of the longer arm's
/// line. Such a vertex is the tip of a sliver of width under `tol`; a union of neighbours with
/// hairline gaps leaves them, and reprojection or rounding turns them into self-intersections.
/// Repeated duplicate points go too. Rings left with fewer than three corners are dropped, and a
/// polygon whose exterior collapses goes with it.
///
/// # Examples
///
/// ```
/// use footprints::geom::remove_spikes;
/// use geo::{polygon, MultiPolygon};
/// // A 10 × 10 square with a 100 m spike 1 cm wide along its top edge.
/// let spiky = MultiPolygon::new(vec![polygon![(x: 0.0, y: 0.0), (x: 10.0, y: 0.0), (x: 10.0, y: 10.0),
///     (x: 110.0, y: 10.01), (x: 10.0, y: 10.0), (x: 0.0, y: 10.0)]]);
/// let clean = remove_spikes(&spiky, 0.5);
/// assert_eq!(clean.0[0].exterior().0.len(), 5); // four corners, closed
/// ```
pub fn remove_spikes(mp: &MultiPolygon, tol: f64) -> MultiPolygon {
    use geo::{LineString, Polygon};
    let polys =
        mp.0.iter()
            .filter_map(|p| {
                let ext = despike_ring(p.exterior(), tol)?;
                let holes: Vec<LineString> = p.interiors().iter().filter_map(|h| despike_ring(h, tol)).collect();
                Some(Polygon::new(ext, holes))
            })
            .collect();
    MultiPolygon::new(polys)
}

/// One ring without its spike tips (see [`remove_spikes`]); `None` if fewer than three corners remain.
fn despike_ring(ring: &geo::LineString, tol: f64) -> Option<geo::LineString> {
    let mut v: Vec<Coord> = ring.0.clone();
    if v.len() > 1 && v.first() == v.last() {
        v.pop();
    }
    // Passes until one removes nothing (a removal at the end of the ring can expose a new tip
    // at its start); every pass but the last removes a vertex, so at most n passes.
    loop {
        let before = v.len();
        let mut i = 0;
        while v.len() >= 3 && i < v.len() {
            let n = v.len();
            let (a, b, c) = (v[(i + n - 1) % n], v[i], v[(i + 1) % n]);
            if is_spike(a, b, c, tol) {
                v.remove(i);
                i = i.saturating_sub(1);
            } else {
                i += 1;
            }
        }
        if v.len() == before || v.len() < 3 {
            break;
        }
    }
    if v.len() < 3 {
        return None;
    }
    v.push(v[0]);
    Some(geo::LineString::new(v))
}

/// Whether `b` is the tip of a wedge `a`–`b`–`c` narrower than `tol` (or a repeated point).
fn is_spike(a: Coord, b: Coord, c: Coord, tol: f64) -> bool {
    let (u, w) = (a - b, c - b);
    let (lu, lw) = (u.x.hypot(u.y), w.x.hypot(w.y));
    if lu == 0.0 || lw == 0.0 {
        return true;
    }
    let dot = u.x * w.x + u.y * w.y;
    let cross = (u.x * w.y - u.y * w.x).abs();
    dot > 0.0 && cross / lu.max(lw) < tol
}

/// Why a polygon is not valid (OGC simple features, as geo's `Validation` checks it: rings closed
/// and simple, holes inside their exterior, parts not overlapping), or `None` if it is valid.
pub fn invalidity(mp: &MultiPolygon) -> Option<String> {
    use geo::Validation;
    mp.validation_errors().first().map(|e| e.to_string())
}
