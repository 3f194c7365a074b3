//! PCN integrity: how much of each PCN's mass (registered patients, or residents where an LSOA has
//! none) lies in its main footprint. Definitions: docs/METRICS.md § PCN integrity.

use super::ctx::ScoreCtx;
use super::input;
use super::metric::{Better, MetricFamily, MetricValue, Output, Unit};
use super::metrics::group_integrity;
use super::pcn_bound;
use std::collections::{BTreeMap, BTreeSet};

/// PCN integrity.
pub struct Pcn;

/// Main PCN of each footprint and its share of the footprint's PCN mass.
fn fill_main_pcn(ctx: &ScoreCtx, mass: &[Vec<(String, f64)>], out: &mut Output) {
    for (f, r) in out.rows.iter_mut().enumerate() {
        let mut pcns: BTreeMap<&str, f64> = BTreeMap::new();
        for &i in &ctx.members[f] {
            for (c, m) in &mass[i] {
                *pcns.entry(c).or_default() += m;
            }
        }
        let total: f64 = pcns.values().sum();
        let main = pcns.iter().max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)));
        if let Some((code, m)) = main.filter(|_| total > 0.0) {
            r.main_pcn = Some(input::pcn_label(ctx.p, code));
            r.pcn_share = Some(m / total);
        }
    }
}

impl MetricFamily for Pcn {
    fn id(&self) -> &'static str {
        "pcn"
    }

    fn compute(&self, ctx: &ScoreCtx, out: &mut Output) {
        let mass: Vec<Vec<(String, f64)>> = (0..input::n(ctx.p)).map(|i| input::pcn_mass(ctx.p, i)).collect();
        fill_main_pcn(ctx, &mass, out);
        let rows: Vec<(String, String, f64)> = mass
            .iter()
            .enumerate()
            .flat_map(|(i, ms)| ms.iter().map(move |(c, m)| (c.clone(), ctx.names[ctx.fp_of[i]].clone(), *m)))
            .collect();
        let share = MetricValue::new(
            "main_footprint_share",
            "PCN population in its main footprint",
            Unit::Percent,
            Better::High,
        );
        let split = MetricValue::new("split", "PCNs split", Unit::Count, Better::Low);
        if rows.iter().all(|r| r.2 <= 0.0) {
            let why = "no LSOA has a PCN (no practices or registrations)";
            out.push(share.headline().na(why));
            out.push(split.headline().na(why));
            return;
        }
        let (per, pcns_split, mean) = group_integrity(&rows);
        out.push(share.headline().num(mean * 100.0));
        out.push(split.headline().num(pcns_split as f64));
        out.detail("from_registrations", input::pcn_from_registrations(ctx.p));
        out.detail("per_pcn", per);
        majority(ctx, out);
    }
}

/// A PCN's majority catchment: its footprints, its districts and its people.
type Catchment<'a> = (BTreeSet<usize>, BTreeSet<&'a str>, f64);

/// Majority catchments: each LSOA in the PCN with most of its registered patients (or its nearest
/// practice's), as NHS analysts' LSOA → PCN lookups do. A PCN is split when its catchment lies in
/// more than one footprint; it must be split, whatever the plan, when its catchment straddles a
/// district boundary (SNPs lie inside districts) or holds more people than one footprint may
/// (target × (1 + tolerance)), and, inside each district, when its whole catchments cannot be
/// packed into SNPs within the tolerance band ([`pcn_bound`]): the sum is a lower bound for plans
/// with SNPs inside districts and within tolerance.
fn majority(ctx: &ScoreCtx, out: &mut Output) {
    let mut by: BTreeMap<&str, Catchment> = BTreeMap::new();
    for i in 0..input::n(ctx.p) {
        let Some(pcn) = ctx.p.study.pcn(i) else { continue };
        let e = by.entry(pcn.code.as_str()).or_default();
        e.0.insert(ctx.fp_of[i]);
        e.1.insert(input::lad(ctx.p, i));
        e.2 += ctx.pop[i];
    }
    let split = MetricValue::new("split_majority", "PCNs split (majority catchments)", Unit::Count, Better::Low);
    let forced = MetricValue::new(
        "split_forced",
        "PCNs that must split with SNPs inside districts (lower bound)",
        Unit::Count,
        Better::Low,
    );
    if by.is_empty() {
        let why = "no LSOA has a PCN (no practices or registrations)";
        out.push(split.headline().na(why));
        out.push(forced.na(why));
        return;
    }
    let hi = ctx.o.target * (1.0 + ctx.o.tolerance);
    let label = |c: &str| input::pcn_label(ctx.p, c);
    let split_names: Vec<String> = by.iter().filter(|(_, v)| v.0.len() > 1).map(|(c, _)| label(c)).collect();
    let straddle: Vec<String> = by.iter().filter(|(_, v)| v.1.len() > 1).map(|(c, _)| label(c)).collect();
    let too_big: Vec<String> = by.iter().filter(|(_, v)| v.1.len() == 1 && v.2 > hi).map(|(c, _)| label(c)).collect();
    let packing = packing_bound(ctx, &by, hi);
    let packed: usize = packing.iter().map(|(_, n)| n).sum();
    out.push(split.headline().num(split_names.len() as f64).names(split_names));
    out.push(
        forced
            .headline()
            .num((straddle.len() + too_big.len() + packed) as f64)
            .names(straddle.iter().chain(&too_big).cloned().collect()),
    );
    out.detail("majority_straddle_districts", straddle);
    out.detail("majority_too_big", too_big);
    let packing: BTreeMap<String, usize> = packing.into_iter().collect();
    out.detail("majority_packing", packing);
}

/// Per district, the catchments that packing whole catchments into its SNPs forces to split
/// ([`pcn_bound::min_splits`]); districts where none must split are left out.
fn packing_bound<'a>(ctx: &ScoreCtx, by: &BTreeMap<&str, Catchment<'a>>, hi: f64) -> Vec<(String, usize)> {
    let lo = ctx.o.target * (1.0 - ctx.o.tolerance);
    // A catchment wholly in one district and small enough for one SNP is "whole"; everyone else
    // (no PCN, or a PCN split anyway) may be placed freely.
    fn whole_in<'a>(c: &Catchment<'a>, hi: f64) -> Option<&'a str> {
        (c.1.len() == 1 && c.2 <= hi).then(|| c.1.iter().next().copied()).flatten()
    }
    let mut people: BTreeMap<&str, (Vec<f64>, f64)> = BTreeMap::new();
    for i in 0..input::n(ctx.p) {
        let lad = input::lad(ctx.p, i);
        let pcn = ctx.p.study.pcn(i).and_then(|n| by.get(n.code.as_str()));
        if pcn.and_then(|c| whole_in(c, hi)).is_none() {
            people.entry(lad).or_default().1 += ctx.pop[i];
        }
    }
    for c in by.values() {
        if let Some(lad) = whole_in(c, hi) {
            people.entry(lad).or_default().0.push(c.2);
        }
    }
    people
        .into_iter()
        .map(|(lad, (whole, fluid))| (lad, pcn_bound::min_splits(&whole, fluid, lo, hi)))
        .filter(|(_, n)| *n > 0)
        .map(|(lad, n)| (ctx.p.study.lads.iter().find(|d| d.code == lad).map_or(lad.to_string(), |d| d.label()), n))
        .collect()
}
