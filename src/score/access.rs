//! Access: distance (straight line × circuity) or travel time (with a matrix) to the nearest
//! practice and to each footprint's hub. Definitions: docs/METRICS.md § Access.

use super::ctx::ScoreCtx;
use super::input;
use super::metric::{Better, MetricFamily, MetricValue, Output, Unit};
use super::metrics::{weighted_mean, weighted_quantile};
use crate::model::Practice;

/// Access to practices.
pub struct Access;

/// Mean cost from footprint `f`'s LSOAs to practice `pr`, population-weighted.
fn mean_cost(ctx: &ScoreCtx, f: usize, pr: &Practice) -> f64 {
    ctx.members[f].iter().map(|&i| ctx.pop[i] * ctx.cost(i, pr)).sum::<f64>() / ctx.fpop[f].max(1.0)
}

/// Footprint `f`'s hub: the named one if given, else the practice inside with the least mean cost.
fn hub<'p>(ctx: &ScoreCtx<'p>, f: usize) -> Option<(&'p Practice, f64)> {
    let prs = input::practices(ctx.p);
    if let Some(pr) = ctx.o.hubs.get(&ctx.names[f]).and_then(|code| prs.iter().find(|pr| &pr.code == code)) {
        return Some((pr, mean_cost(ctx, f, pr)));
    }
    prs.iter()
        .filter(|pr| pr.area.is_some_and(|a| ctx.fp_of[a] == f))
        .map(|pr| (pr, mean_cost(ctx, f, pr)))
        .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.code.cmp(&b.0.code)))
}

/// Fill each row's practices and hub; return (LSOA cost to its footprint's hub, population) pairs
/// and the footprints without a practice inside (and no named hub).
fn hubs(ctx: &ScoreCtx, out: &mut Output) -> (Vec<(f64, f64)>, Vec<String>) {
    let prs = input::practices(ctx.p);
    let (mut hubd, mut without) = (Vec::new(), Vec::new());
    for (f, r) in out.rows.iter_mut().enumerate() {
        r.practices = Some(prs.iter().filter(|pr| pr.area.is_some_and(|a| ctx.fp_of[a] == f)).count());
        match hub(ctx, f) {
            Some((pr, d)) => {
                r.hub = Some(input::practice_label(pr));
                r.hub_mean = Some(d);
                hubd.extend(ctx.members[f].iter().map(|&i| (ctx.cost(i, pr), ctx.pop[i])));
            }
            None => without.push(ctx.names[f].clone()),
        }
    }
    (hubd, without)
}

/// With a travel-time matrix that leaves some LSOAs without a practice, every access figure would
/// be infinite or cover only part of the area: they are n/a, saying how many LSOAs are missing.
fn unreachable(ctx: &ScoreCtx, nearest: &[f64]) -> Option<String> {
    let missing: Vec<usize> = (0..nearest.len()).filter(|&i| !nearest[i].is_finite()).collect();
    if missing.is_empty() {
        return None;
    }
    let eg: Vec<&str> = missing.iter().take(5).map(|&i| input::code(ctx.p, i)).collect();
    Some(format!(
        "the travel-time matrix reaches no practice from {} of {} LSOAs (e.g. {})",
        missing.len(),
        nearest.len(),
        eg.join(", ")
    ))
}

fn threshold_key(t: f64, unit: Unit) -> String {
    format!("share_within_{}{}", t.to_string().replace('.', "_"), unit.as_str())
}

impl MetricFamily for Access {
    fn id(&self) -> &'static str {
        "access"
    }

    fn compute(&self, ctx: &ScoreCtx, out: &mut Output) {
        let u = ctx.access_unit();
        let what = if u == Unit::Minutes { "travel time" } else { "distance" };
        let m = |key: &str, label: String, better| MetricValue::new(key, label, u, better);
        let mut ms = vec![
            m("nearest_practice_mean", format!("mean {what} to nearest practice"), Better::Neither).headline(),
            m("nearest_practice_p90", format!("90th percentile {what} to nearest practice"), Better::Neither),
        ];
        for t in &ctx.o.thresholds {
            let label = format!("share within {t} {} of a practice", u.as_str());
            ms.push(MetricValue::new(threshold_key(*t, u), label, Unit::Share, Better::High));
        }
        ms.push(m("hub_mean", format!("mean {what} to footprint hub"), Better::Low).headline());
        ms.push(m("hub_p90", format!("90th percentile {what} to hub"), Better::Low).headline());
        let none = MetricValue::new("no_practice", "footprints with no practice", Unit::Count, Better::Low).headline();
        let Some(nearest) = ctx.nearest() else {
            ms.push(none);
            ms.into_iter().for_each(|v| out.push(v.na("the scenario has no practices")));
            return;
        };
        if let Some(reason) = unreachable(ctx, nearest) {
            ms.push(none);
            ms.into_iter().for_each(|v| out.push(v.na(reason.clone())));
            return;
        }
        let v: Vec<(f64, f64)> = nearest.iter().zip(&ctx.pop).map(|(d, p)| (*d, *p)).collect();
        let mut vals = vec![weighted_mean(&v), weighted_quantile(&v, 0.9)];
        for t in &ctx.o.thresholds {
            vals.push(v.iter().filter(|x| x.0 <= *t).map(|x| x.1).sum::<f64>() / ctx.total);
        }
        let (hubd, without) = hubs(ctx, out);
        let hub_vals = [weighted_mean(&hubd), weighted_quantile(&hubd, 0.9)];
        let mut ms = ms.into_iter();
        // `vals` first: zip must not pull a hub metric out of `ms` once `vals` runs out.
        for (x, mv) in vals.into_iter().zip(ms.by_ref()) {
            out.push(mv.num(x));
        }
        for (x, mv) in hub_vals.into_iter().zip(ms) {
            out.push(if hubd.is_empty() { mv.na("no footprint has a hub") } else { mv.num(x) });
        }
        out.push(none.names(without));
    }
}
