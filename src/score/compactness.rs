//! Compactness: Polsby–Popper, convex-hull ratio and cut boundary. Definitions: docs/METRICS.md
//! § Compactness.

use super::ctx::ScoreCtx;
use super::input;
use super::metric::{Better, MetricFamily, MetricValue, Output, Unit};
use super::metrics::polsby_popper;
use geo::{Area, ConvexHull, Euclidean, Length, MultiPoint, Point};

/// Shape of footprints.
pub struct Compactness;

fn perimeter(ctx: &ScoreCtx, i: usize) -> f64 {
    input::geom(ctx.p, i)
        .0
        .iter()
        .map(|pl| Euclidean.length(pl.exterior()) + pl.interiors().iter().map(|r| Euclidean.length(r)).sum::<f64>())
        .sum()
}

/// Area / area of the convex hull of the footprint's exterior vertices (1 when the hull is empty).
fn hull_ratio(ctx: &ScoreCtx, f: usize, area: f64) -> f64 {
    let pts: MultiPoint = ctx.members[f]
        .iter()
        .flat_map(|&i| input::geom(ctx.p, i).0.iter().flat_map(|pl| pl.exterior().0.iter().map(|c| Point(*c))))
        .collect::<Vec<_>>()
        .into();
    let hull = pts.convex_hull().unsigned_area();
    if hull > 0.0 {
        area / hull
    } else {
        1.0
    }
}

impl MetricFamily for Compactness {
    fn id(&self) -> &'static str {
        "compactness"
    }

    fn compute(&self, ctx: &ScoreCtx, out: &mut Output) {
        let perim: Vec<f64> = (0..input::n(ctx.p)).map(|i| perimeter(ctx, i)).collect();
        let mut inner = vec![0.0; ctx.k()];
        let mut cut = 0.0;
        for e in ctx.p.graph.edges.iter().filter(|e| !e.bridge) {
            if ctx.fp_of[e.a] == ctx.fp_of[e.b] {
                inner[ctx.fp_of[e.a]] += e.shared_m;
            } else {
                cut += e.shared_m;
            }
        }
        let (mut pp_sum, mut pp_min, mut hull_sum) = (0.0, f64::MAX, 0.0);
        for (f, r) in out.rows.iter_mut().enumerate() {
            let m = &ctx.members[f];
            let area: f64 = m.iter().map(|&i| input::area_m2(ctx.p, i)).sum();
            let per = (m.iter().map(|&i| perim[i]).sum::<f64>() - 2.0 * inner[f]).max(0.0);
            (r.polsby_popper, r.hull_ratio, r.area_km2) =
                (polsby_popper(area, per), hull_ratio(ctx, f, area), area / 1e6);
            pp_sum += r.polsby_popper;
            pp_min = pp_min.min(r.polsby_popper);
            hull_sum += r.hull_ratio;
        }
        let k = ctx.k() as f64;
        let m = |key: &str, label: &str, unit, better| MetricValue::new(key, label, unit, better);
        out.push(m("polsby_popper_mean", "Polsby–Popper mean", Unit::Index, Better::High).headline().num(pp_sum / k));
        out.push(m("polsby_popper_min", "Polsby–Popper min", Unit::Index, Better::High).num(pp_min));
        out.push(
            m("hull_ratio_mean", "convex-hull ratio mean", Unit::Index, Better::High).headline().num(hull_sum / k),
        );
        out.push(m("cut_boundary", "cut boundary", Unit::Km, Better::Low).headline().num(cut / 1000.0));
    }
}
