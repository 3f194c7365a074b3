//! Nesting: the share of population in footprints lying wholly in one MNP. Definitions:
//! docs/METRICS.md § Nesting.

use super::ctx::ScoreCtx;
use super::metric::{Better, MetricFamily, MetricValue, Output, Unit};
use std::collections::BTreeMap;

/// SNP-in-MNP nesting.
pub struct Nesting;

impl MetricFamily for Nesting {
    fn id(&self) -> &'static str {
        "nesting"
    }

    fn compute(&self, ctx: &ScoreCtx, out: &mut Output) {
        let m = MetricValue::new("single_mnp", "nesting: population in a single MNP", Unit::Percent, Better::High);
        let Some(mnp) = &ctx.set.mnp else {
            out.push(m.headline().na("the set has no MNPs"));
            return;
        };
        let mut by: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
        for (i, (f, mn)) in ctx.set.footprint.iter().zip(mnp).enumerate() {
            *by.entry(f).or_default().entry(mn).or_default() += ctx.pop[i];
        }
        let single: f64 = by.values().filter(|x| x.len() == 1).map(|x| x.values().sum::<f64>()).sum();
        out.push(m.headline().num(single / ctx.total * 100.0));
    }
}
