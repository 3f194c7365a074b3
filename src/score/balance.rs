//! Balance: footprint populations against the target. Definitions: docs/METRICS.md § Balance.

use super::ctx::ScoreCtx;
use super::metric::{Better, MetricFamily, MetricValue, Output, Unit};

/// Population balance against the target.
pub struct Balance;

impl MetricFamily for Balance {
    fn id(&self) -> &'static str {
        "balance"
    }

    fn compute(&self, ctx: &ScoreCtx, out: &mut Output) {
        let (t, tol) = (ctx.o.target, ctx.o.tolerance);
        let devs: Vec<f64> = ctx.fpop.iter().map(|x| (x - t) / t * 100.0).collect();
        for (r, d) in out.rows.iter_mut().zip(&devs) {
            r.deviation_pct = *d;
        }
        let min = ctx.fpop.iter().cloned().fold(f64::MAX, f64::min);
        let max = ctx.fpop.iter().cloned().fold(0.0, f64::max);
        let outside: Vec<String> =
            devs.iter().zip(&ctx.names).filter(|(d, _)| d.abs() > tol * 100.0 + 1e-9).map(|(_, n)| n.clone()).collect();
        let m = MetricValue::new;
        out.push(m("footprints", "footprints", Unit::Count, Better::Neither).headline().num(ctx.k() as f64));
        out.push(m("target", "target population", Unit::People, Better::Neither).num(t));
        out.push(m("min_population", "smallest footprint", Unit::People, Better::Neither).num(min));
        out.push(m("max_population", "largest footprint", Unit::People, Better::Neither).num(max));
        let dev = devs.iter().map(|d| d.abs()).fold(0.0, f64::max);
        out.push(m("max_abs_deviation", "max |deviation| from target", Unit::Percent, Better::Low).headline().num(dev));
        let o = m("outside_tolerance", "footprints outside tolerance", Unit::Count, Better::Low);
        out.push(o.headline().names(outside));
        let ratio = max / min.max(1.0);
        out.push(m("max_min_ratio", "max/min population ratio", Unit::Ratio, Better::Low).headline().num(ratio));
    }
}
