//! Contiguity: footprints in more than one piece, named. Pieces are the connected components of a
//! footprint's LSOAs in the adjacency graph (shared boundaries, plus the bridges that join islands
//! when the scenario asks). Definitions: docs/METRICS.md § Contiguity.

use super::ctx::ScoreCtx;
use super::metric::{Better, MetricFamily, MetricValue, Output, Unit};

/// Footprints in more than one piece.
pub struct Contiguity;

impl MetricFamily for Contiguity {
    fn id(&self) -> &'static str {
        "contiguity"
    }

    fn compute(&self, ctx: &ScoreCtx, out: &mut Output) {
        let pieces: Vec<usize> = ctx.members.iter().map(|m| ctx.p.graph.components_of(m).len()).collect();
        let split: Vec<String> =
            ctx.names.iter().zip(&pieces).filter(|(_, n)| **n > 1).map(|(name, _)| name.clone()).collect();
        let extra: usize = pieces.iter().map(|n| n.saturating_sub(1)).sum();
        let m = MetricValue::new("split", "footprints in more than one piece", Unit::Count, Better::Low);
        out.push(m.headline().names(split));
        let m = MetricValue::new("extra_pieces", "pieces beyond one per footprint", Unit::Count, Better::Low);
        out.push(m.num(extra as f64));
    }
}
