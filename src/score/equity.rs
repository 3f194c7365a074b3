//! Equity: deprivation of each footprint, the spread of Core20 shares, the concentration index of
//! access, need-weighted balance and Core20 clusters split. Definitions: docs/METRICS.md § Equity.

use super::ctx::ScoreCtx;
use super::input;
use super::metric::{Better, MetricFamily, MetricValue, Output, Unit};
use super::metrics::{concentration_index, weighted_mean};
use std::collections::BTreeSet;

/// Deprivation and need.
pub struct Equity;

/// Need weight of LSOA `i`: pᵢ · max(0.1, 1 + α · needᵢ) (pᵢ where the need index is missing).
fn need_weighted(ctx: &ScoreCtx, i: usize) -> f64 {
    let need = input::imd(ctx.p, i).and_then(|m| m.need);
    ctx.pop[i] * need.map_or(1.0, |n| (1.0 + ctx.o.need_alpha * n).max(0.1))
}

/// Population-weighted mean of an LSOA deprivation field over footprint `f` (LSOAs with a value).
fn imd_mean(ctx: &ScoreCtx, f: usize, field: impl Fn(&crate::model::Imd) -> Option<f64>) -> Option<f64> {
    let v: Vec<(f64, f64)> = ctx.members[f]
        .iter()
        .filter_map(|&i| input::imd(ctx.p, i).and_then(&field).map(|x| (x, ctx.pop[i])))
        .filter(|x| x.0.is_finite())
        .collect();
    (!v.is_empty()).then(|| weighted_mean(&v))
}

fn fill_rows(ctx: &ScoreCtx, out: &mut Output) {
    let (imd, need) = (input::has_imd(ctx.p), input::has_need(ctx.p));
    for (f, r) in out.rows.iter_mut().enumerate() {
        r.imd_score = imd_mean(ctx, f, |m| m.score);
        r.imd_rank = imd_mean(ctx, f, |m| m.rank.map(f64::from));
        r.core20_share = imd.then(|| ctx.share_where(f, |i| input::core20(ctx.p, i)));
        r.need_weighted_population = need.then(|| ctx.members[f].iter().map(|&i| need_weighted(ctx, i)).sum());
    }
}

/// (clusters of ≥ 2 adjacent Core20 LSOAs, those spanning more than one footprint).
fn core20_clusters(ctx: &ScoreCtx) -> (usize, usize) {
    let nodes: Vec<usize> = (0..input::n(ctx.p)).filter(|&i| input::core20(ctx.p, i)).collect();
    let comps = ctx.p.graph.components_of(&nodes);
    let clusters: Vec<&Vec<usize>> = comps.iter().filter(|c| c.len() >= 2).collect();
    let split = clusters.iter().filter(|c| c.iter().map(|&i| ctx.fp_of[i]).collect::<BTreeSet<_>>().len() > 1).count();
    (clusters.len(), split)
}

fn core20_metrics(ctx: &ScoreCtx, out: &mut Output) -> Vec<MetricValue> {
    let fcore: Vec<f64> = out.rows.iter().map(|r| r.core20_share.unwrap_or(0.0)).collect();
    let k = ctx.k() as f64;
    let mean = fcore.iter().sum::<f64>() / k;
    let overall = (0..input::n(ctx.p)).filter(|&i| input::core20(ctx.p, i)).map(|i| ctx.pop[i]).sum::<f64>();
    let sd = (fcore.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / k).sqrt();
    let (clusters, split) = core20_clusters(ctx);
    let m = |key: &str, label: &str, unit, better| MetricValue::new(key, label, unit, better);
    let ci_label = format!("concentration index of {} to nearest practice", access_what(ctx));
    let ci = m("concentration_index_nearest_practice", &ci_label, Unit::Index, Better::Neither);
    let ci = match ctx.nearest() {
        Some(near) => {
            let rows: Vec<(f64, f64, f64)> = (0..input::n(ctx.p))
                .filter_map(|i| input::imd(ctx.p, i).and_then(|m| m.rank).map(|r| (near[i], ctx.pop[i], r as f64)))
                .collect();
            ci.num(concentration_index(&rows))
        }
        None => ci.na("the scenario has no practices"),
    };
    vec![
        m("core20_share_overall", "Core20 share of the population", Unit::Share, Better::Neither)
            .num(overall / ctx.total),
        m("core20_share_min", "lowest Core20 share", Unit::Share, Better::Neither)
            .num(fcore.iter().cloned().fold(f64::MAX, f64::min)),
        m("core20_share_max", "highest Core20 share", Unit::Share, Better::Neither)
            .num(fcore.iter().cloned().fold(0.0, f64::max)),
        m("core20_share_sd", "Core20 share spread (sd)", Unit::Share, Better::Neither).headline().num(sd),
        ci,
        m("core20_clusters", "Core20 clusters", Unit::Count, Better::Neither).num(clusters as f64),
        m("core20_clusters_split", "Core20 clusters split", Unit::Count, Better::Low).headline().num(split as f64),
    ]
}

fn access_what(ctx: &ScoreCtx) -> &'static str {
    if ctx.access_unit() == Unit::Minutes {
        "travel time"
    } else {
        "distance"
    }
}

impl MetricFamily for Equity {
    fn id(&self) -> &'static str {
        "equity"
    }

    fn compute(&self, ctx: &ScoreCtx, out: &mut Output) {
        fill_rows(ctx, out);
        let core = core20_metrics(ctx, out);
        if input::has_imd(ctx.p) {
            core.into_iter().for_each(|v| out.push(v));
        } else {
            core.into_iter().for_each(|v| out.push(v.na("the scenario has no deprivation data")));
        }
        let m =
            MetricValue::new("need_weighted_max_min_ratio", "need-weighted max/min ratio", Unit::Ratio, Better::Low);
        let fneed: Vec<f64> = out.rows.iter().filter_map(|r| r.need_weighted_population).collect();
        if fneed.is_empty() {
            out.push(m.headline().na("the scenario has no need column (deprivation.need)"));
        } else {
            let (max, min) =
                (fneed.iter().cloned().fold(0.0, f64::max), fneed.iter().cloned().fold(f64::MAX, f64::min));
            out.push(m.headline().num(max / min.max(1.0)));
        }
    }
}
