//! The automatic inset: where SNPs are too small at page scale to carry their labels (Oxford in
//! Oxfordshire), the map shows them again, enlarged, in a box in the emptiest corner of the map,
//! with a locator frame around the same ground on the main map.
//!
//! The rule, kept simple:
//! 1. Label the main map. An SNP is *crowded* if its label was left out, set with a leader line,
//!    or shrunk below the largest size.
//! 2. The cluster is the crowded SNPs within `RADIUS` of the frame's diagonal of the crowded SNP
//!    with the most crowded neighbours that close (ties: the first in name order). Fewer than
//!    `MIN_CROWDED`: no inset. When no inset of the whole cluster fits over ground with at most
//!    `MAX_COVER` of footprints (steps 3–4), its member farthest from that SNP is dropped and the
//!    rest tried, down to `MIN_CROWDED`, when the cluster has at most `MAX_MEMBERS` SNPs (and the
//!    inset may then name at most that many); if none does, the whole cluster's inset that covers
//!    least.
//! 3. The inset shows the cluster's bounding box, padded by `PAD`, at the largest scale that fits
//!    `MAX_W` × `MAX_H` of the map's part of the page; at least `MIN_ZOOM` times the main map's,
//!    or no inset. Every SNP whose interior point lies in that ground is named in the inset instead
//!    of on the main map.
//! 4. The box goes against an edge of the map's part of the page (corners first, then slid along
//!    the left, right, top and bottom edges in eighths), never over the title, legend, scale bar,
//!    north arrow, a practice or site symbol or the locator frame, where it covers the least of the
//!    footprints; if the best
//!    place covers more than `MAX_COVER` of the box, the box shrinks by 15% and tries again, down
//!    to `MIN_ZOOM`; if no size does, the size and place that cover the least share are used.
//!
//! Sites drawn inside the locator frame are named in the inset too, and main-map labels keep
//! clear of the inset and the locator frame.

use super::{Frame, Layout, Shape};
use crate::export::labels::{Kind, Placement, Rect};
use geo::{Area, BooleanOps, BoundingRect, Coord, InteriorPoint, Intersects};

/// Share of the frame's diagonal within which crowded SNPs form one cluster.
const RADIUS: f64 = 0.12;
/// Fewest crowded SNPs worth an inset.
const MIN_CROWDED: usize = 2;
/// Padding round the cluster, as a share of its larger side.
const PAD: f64 = 0.08;
/// Largest inset, as shares of the width and height of the map's part of the page.
const MAX_W: f64 = 0.42;
const MAX_H: f64 = 0.48;
/// Smallest enlargement worth an inset.
const MIN_ZOOM: f64 = 1.8;
/// Largest cluster that may be cut down to fit, and most SNPs such an inset may name (a
/// region-wide crowd, England's, is not helped by an inset of a part of it).
const MAX_MEMBERS: usize = 12;
/// Largest share of the box that may cover footprints before a smaller box is tried.
const MAX_COVER: f64 = 0.05;

/// An inset to draw.
pub(super) struct Plan {
    /// The ground it shows, BNG metres.
    pub ext: geo::Rect,
    /// Its box on the page.
    pub rect: Rect,
    /// The locator frame: `ext` on the main map.
    pub locator: Rect,
    /// Indices into the shapes of the SNPs named in the inset.
    pub members: Vec<usize>,
    /// Inset scale over main-map scale.
    pub zoom: f64,
}

/// Whether an SNP's label was crowded on the main map (left out, on a leader line or shrunk).
fn crowded(s: &Shape, first: &Placement, largest_px: f64) -> bool {
    if s.kind != Kind::Snp {
        return false;
    }
    match first.placed.iter().find(|l| l.kind == Kind::Snp && l.name == s.name) {
        Some(l) => l.leader.is_some() || l.size.px < largest_px - 1e-9,
        None => true,
    }
}

/// The crowded SNPs that form the cluster, as shape indices.
fn cluster(lay: &Layout, shapes: &[Shape], first: &Placement, largest_px: f64) -> Vec<usize> {
    let centre = |k: usize| shapes[k].geom.bounding_rect().map(|r| r.center()).unwrap_or_default();
    let small: Vec<usize> = (0..shapes.len()).filter(|&k| crowded(&shapes[k], first, largest_px)).collect();
    let radius = RADIUS * lay.dw.hypot(lay.dh) / lay.f.scale;
    let near = |a: usize, b: usize| (centre(a) - centre(b)).x.hypot((centre(a) - centre(b)).y) <= radius;
    let by_name = |k: usize| shapes[k].name.clone();
    let seed = small.iter().copied().max_by(|&a, &b| {
        let (na, nb) = (small.iter().filter(|&&x| near(a, x)).count(), small.iter().filter(|&&x| near(b, x)).count());
        na.cmp(&nb).then_with(|| by_name(b).cmp(&by_name(a)))
    });
    let Some(seed) = seed else { return Vec::new() };
    let dist = |k: usize| (centre(seed) - centre(k)).x.hypot((centre(seed) - centre(k)).y);
    let mut near_seed: Vec<usize> = small.into_iter().filter(|&k| near(seed, k)).collect();
    // Nearest the seed first (ties by name), so a cluster too wide for an inset can lose its
    // outliers first.
    near_seed.sort_by(|&a, &b| dist(a).total_cmp(&dist(b)).then_with(|| by_name(a).cmp(&by_name(b))));
    near_seed
}

/// The page box of BNG rectangle `r` on frame `f`.
fn page_box(f: &Frame, r: &geo::Rect) -> Rect {
    let (x0, y1) = f.pxf(r.min());
    let (x1, y0) = f.pxf(r.max());
    Rect { x0, y0, x1, y1 }
}

/// The ground under page box `r` on frame `f`, BNG metres.
fn ground(f: &Frame, r: &Rect) -> geo::Polygon {
    let at = |x: f64, y: f64| Coord { x: f.min.x + (x - f.ox) / f.scale, y: f.min.y + (f.oy + f.h - y) / f.scale };
    geo::Rect::new(at(r.x0, r.y1), at(r.x1, r.y0)).to_polygon()
}

/// Where a `w` × `h` box may go against the edges of `bounds`: corners first, then along the
/// edges in eighths.
fn places(lay: &Layout, (w, h): (f64, f64), bounds: &Rect) -> Vec<(f64, f64)> {
    let m = lay.pt(6.0);
    let (l, r, t, b) = (bounds.x0 + m, bounds.x1 - m - w, bounds.y0 + m, bounds.y1 - m - h);
    let mut out = vec![(l, t), (r, t), (l, b), (r, b)];
    for k in 1..8 {
        let (y, x) = (t + (b - t) * k as f64 / 8.0, l + (r - l) * k as f64 / 8.0);
        out.extend([(l, y), (r, y), (x, t), (x, b)]);
    }
    out
}

/// The place for a `w` × `h` box, free of `avoid`, covering the least of the footprints, and the
/// share of the box it covers.
fn corner(lay: &Layout, shapes: &[Shape], (w, h): (f64, f64), bounds: &Rect, avoid: &[Rect]) -> Option<(f64, Rect)> {
    let mut best: Option<(f64, Rect)> = None;
    for (x, y) in places(lay, (w, h), bounds) {
        let rect = Rect { x0: x, y0: y, x1: x + w, y1: y + h };
        if !rect.inside(bounds) || avoid.iter().any(|o| o.intersects(&rect.pad(lay.pt(4.0)))) {
            continue;
        }
        let under = ground(&lay.f, &rect);
        let cover: f64 = shapes
            .iter()
            .filter(|s| s.geom.bounding_rect().is_some_and(|b| b.intersects(&under)))
            .map(|s| s.geom.intersection(&under).unsigned_area())
            .sum();
        let share = cover / under.unsigned_area();
        if best.as_ref().is_none_or(|(c, _)| share < *c - 1e-9) {
            best = Some((share, rect));
        }
    }
    best
}

/// Plan the inset from the main map's first labelling, or `None` when no inset is needed or none
/// fits. `avoid`: the title, legend, scale bar, north arrow and the practice and site symbols.
pub(super) fn plan(
    lay: &Layout,
    shapes: &[Shape],
    first: &Placement,
    largest_px: f64,
    bounds: &Rect,
    avoid: &[Rect],
) -> Option<Plan> {
    let crowd = cluster(lay, shapes, first, largest_px);
    // The whole cluster if an inset of it fits over (nearly) empty ground; else without its
    // farthest members, one by one; failing that, the whole cluster where it covers least.
    let fits = |n: usize| {
        let plan = plan_for(lay, shapes, &crowd[..n], bounds, avoid);
        plan.filter(|(share, plan)| *share <= MAX_COVER && plan.members.len() <= MAX_MEMBERS)
    };
    // A crowd bigger than that (all England's towns at national scale) is not cut down: an inset
    // of an arbitrary part of it would explain nothing.
    let cut = if crowd.len() <= MAX_MEMBERS { MIN_CROWDED } else { crowd.len() + 1 };
    let plan = (cut..=crowd.len()).rev().find_map(fits);
    plan.or_else(|| plan_for(lay, shapes, &crowd, bounds, avoid)).map(|(_, plan)| plan)
}

/// The inset of the crowded SNPs `crowd`, if one fits at `MIN_ZOOM` or more, and the share of its
/// box that covers footprints.
fn plan_for(lay: &Layout, shapes: &[Shape], crowd: &[usize], bounds: &Rect, avoid: &[Rect]) -> Option<(f64, Plan)> {
    let mut ext = crowd.iter().filter_map(|&k| shapes[k].geom.bounding_rect()).reduce(|a, b| {
        geo::Rect::new(
            Coord { x: a.min().x.min(b.min().x), y: a.min().y.min(b.min().y) },
            Coord { x: a.max().x.max(b.max().x), y: a.max().y.max(b.max().y) },
        )
    })?;
    let pad = PAD * ext.width().max(ext.height());
    ext = geo::Rect::new(ext.min() - Coord { x: pad, y: pad }, ext.max() + Coord { x: pad, y: pad });
    let locator = page_box(&lay.f, &ext);
    let mut avoid = avoid.to_vec();
    avoid.push(locator);
    let (bw, bh) = (bounds.x1 - bounds.x0, bounds.y1 - bounds.y0);
    let mut scale = (MAX_W * bw / ext.width()).min(MAX_H * bh / ext.height());
    let mut best: Option<(f64, Rect, f64)> = None;
    while scale / lay.f.scale >= MIN_ZOOM {
        if let Some((share, rect)) = corner(lay, shapes, (ext.width() * scale, ext.height() * scale), bounds, &avoid) {
            if best.as_ref().is_none_or(|b| share < b.0 - 1e-9) {
                best = Some((share, rect, scale));
            }
            if share <= MAX_COVER {
                break;
            }
        }
        scale *= 0.85;
    }
    let (share, rect, scale) = best?;
    let inside = |s: &Shape| s.geom.interior_point().is_some_and(|q| ext.to_polygon().intersects(&q));
    let members = (0..shapes.len()).filter(|&k| shapes[k].kind == Kind::Snp && inside(&shapes[k])).collect();
    Some((share, Plan { ext, rect, locator, members, zoom: scale / lay.f.scale }))
}

/// The inset's layout: its frame maps `ext` onto `rect`, and drawing is cut to `ext`.
pub(super) fn layout(lay: &Layout, plan: &Plan) -> Layout {
    let scale = (plan.rect.x1 - plan.rect.x0) / plan.ext.width();
    let mut il = lay.clone();
    let h = plan.rect.y1 - plan.rect.y0;
    il.f = Frame { min: plan.ext.min(), scale, ox: plan.rect.x0, oy: plan.rect.y0, h };
    il.dw = plan.rect.x1 - plan.rect.x0;
    il.dh = h;
    il.tol = 0.6 / scale;
    il.clip = Some(plan.ext.to_polygon());
    il
}
