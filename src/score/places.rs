//! Places: towns (and cities) and MSOAs divided between footprints. Needs the scenario's
//! `[places]`; definitions: docs/METRICS.md § Places.

use super::ctx::ScoreCtx;
use super::input;
use super::metric::{Better, MetricFamily, MetricValue, Output, Unit};
use crate::fmt::fmt_int;
use crate::model::PlaceKind;
use serde::Serialize;
use std::collections::BTreeMap;

/// Towns and MSOAs split.
pub struct Places;

/// A town divided between footprints.
#[derive(Debug, Clone, Serialize)]
pub struct SplitTown {
    /// Name.
    pub name: String,
    /// Kind (city or town).
    pub kind: PlaceKind,
    /// Population.
    pub population: u64,
    /// Footprints it lies in.
    pub footprints: usize,
    /// Share of its population in its largest piece.
    pub largest_share: f64,
    /// True when it is small enough for one footprint (population ≤ target × (1 + tolerance)).
    pub fits: bool,
}

impl SplitTown {
    /// "Bicester (31,875 people, 72% in the largest of 2 pieces)".
    pub fn label(&self) -> String {
        format!(
            "{} ({} people, {:.0}% in the largest of {} pieces)",
            self.name,
            fmt_int(self.population),
            self.largest_share * 100.0,
            self.footprints
        )
    }
}

/// Groups (places or MSOAs) → footprint → population.
type Pieces = BTreeMap<u32, BTreeMap<usize, f64>>;

fn pieces(ctx: &ScoreCtx, group: impl Fn(usize) -> Option<u32>) -> Pieces {
    let mut by: Pieces = BTreeMap::new();
    for i in 0..input::n(ctx.p) {
        if let Some(g) = group(i) {
            *by.entry(g).or_default().entry(ctx.fp_of[i]).or_default() += ctx.pop[i];
        }
    }
    by
}

/// Towns and cities in more than one footprint, largest first.
pub fn split_towns(ctx: &ScoreCtx) -> Vec<SplitTown> {
    let by = pieces(ctx, |i| input::place(ctx.p, i).map(|(id, _)| id));
    let limit = ctx.o.target * (1.0 + ctx.o.tolerance);
    let mut out: Vec<SplitTown> = by
        .iter()
        .filter(|(_, fps)| fps.len() > 1)
        .filter_map(|(&id, fps)| {
            let pl = &ctx.p.study.places[id as usize];
            let pop: f64 = fps.values().sum();
            let largest = fps.values().copied().fold(0.0, f64::max);
            pl.kind.is_town().then(|| SplitTown {
                name: pl.name.clone(),
                kind: pl.kind,
                population: pop as u64,
                footprints: fps.len(),
                largest_share: largest / pop.max(1.0),
                fits: pop <= limit,
            })
        })
        .collect();
    out.sort_by(|a, b| b.population.cmp(&a.population).then(a.name.cmp(&b.name)));
    out
}

impl MetricFamily for Places {
    fn id(&self) -> &'static str {
        "places"
    }

    fn compute(&self, ctx: &ScoreCtx, out: &mut Output) {
        let split = MetricValue::new("towns_split", "towns split", Unit::Count, Better::Low).headline();
        let fit = MetricValue::new(
            "towns_fit_split",
            "towns that fit in one footprint but are split",
            Unit::Count,
            Better::Low,
        )
        .headline();
        let msoas = MetricValue::new("msoas_split", "MSOAs split", Unit::Count, Better::Low).headline();
        if !input::has_places(ctx.p) {
            let why = "the scenario has no [places]";
            out.push(split.na(why));
            out.push(fit.na(why));
            out.push(msoas.na(why));
            return;
        }
        let towns = split_towns(ctx);
        out.push(split.town_names(towns.iter().map(SplitTown::label).collect()));
        out.push(fit.town_names(towns.iter().filter(|t| t.fits).map(SplitTown::label).collect()));
        let by_msoa = pieces(ctx, |i| input::msoa(ctx.p, i));
        if by_msoa.is_empty() {
            out.push(msoas.na("the scenario's [places] has no msoa_lookup"));
        } else {
            let split: Vec<&str> = by_msoa
                .iter()
                .filter(|(_, fps)| fps.len() > 1)
                .map(|(&m, _)| ctx.p.study.msoas[m as usize].code.as_str())
                .collect();
            out.push(msoas.num(split.len() as f64));
            out.detail("split_msoas", split);
        }
        out.detail("split_towns", towns);
    }
}
