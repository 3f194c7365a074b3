//! Coterminosity with each boundary layer (LAD, every LGR option, extra layers) and the count of
//! footprints inside one unit of every LGR option. Definitions: docs/METRICS.md § Coterminosity.

use super::ctx::ScoreCtx;
use super::input::{self, Layer};
use super::metric::{Better, MetricFamily, MetricValue, Output, Unit};
use super::metrics::{coterminosity, Coterminosity};
use std::collections::BTreeMap;

/// Coterminosity with boundary layers.
pub struct Coterminous;

/// A layer name as a key part: "LGR 2UA" → "lgr_2ua".
pub fn slug(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' }).collect()
}

fn layer_score(ctx: &ScoreCtx, layer: Layer) -> Coterminosity {
    let rows: Vec<(String, String, f64)> = (0..input::n(ctx.p))
        .map(|i| {
            let u = input::unit(ctx.p, layer, i).unwrap_or("(none)").to_string();
            (ctx.names[ctx.fp_of[i]].clone(), u, ctx.pop[i])
        })
        .collect();
    coterminosity(&rows, ctx.o.target)
}

/// Main LAD (by name) of each footprint and the share of its population there.
fn fill_main_lad(ctx: &ScoreCtx, out: &mut Output) {
    for (f, r) in out.rows.iter_mut().enumerate() {
        let mut lads: BTreeMap<&str, f64> = BTreeMap::new();
        for &i in &ctx.members[f] {
            *lads.entry(input::lad_name(ctx.p, i)).or_default() += ctx.pop[i];
        }
        let (ml, mlp) = lads
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(a, b)| (a.to_string(), *b))
            .unwrap_or_default();
        r.main_lad = ml;
        r.lad_share = mlp / ctx.fpop[f].max(1.0);
    }
}

impl MetricFamily for Coterminous {
    fn id(&self) -> &'static str {
        "coterminosity"
    }

    fn compute(&self, ctx: &ScoreCtx, out: &mut Output) {
        fill_main_lad(ctx, out);
        let mut lgr: Vec<Coterminosity> = Vec::new();
        for (layer, name) in input::layers(ctx.p) {
            let c = layer_score(ctx, layer);
            let key = slug(&name);
            let whole = format!("{name}: population in footprints wholly inside one unit");
            let m = MetricValue::new(format!("{key}.whole"), whole, Unit::Percent, Better::High);
            out.push(m.headline().num(c.share_in_whole_footprints * 100.0));
            let m = MetricValue::new(
                format!("{key}.excess_splits"),
                format!("{name}: excess unit splits"),
                Unit::Count,
                Better::Low,
            );
            out.push(m.headline().num(c.excess_splits as f64));
            out.detail(&name, &c);
            if matches!(layer, Layer::Lgr(_)) {
                lgr.push(c);
            }
        }
        let m =
            MetricValue::new("lgr_robust", "footprints coterminous under every LGR option", Unit::Count, Better::High);
        if lgr.is_empty() {
            out.push(m.headline().na("the scenario has no LGR options"));
        } else {
            let robust: Vec<String> =
                ctx.names.iter().filter(|n| lgr.iter().all(|c| c.per_footprint[*n].1 >= 0.99)).cloned().collect();
            out.push(m.headline().num(robust.len() as f64));
        }
    }
}
