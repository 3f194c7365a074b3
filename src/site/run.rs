//! Siting on a study: candidates (practices, CSV or GeoJSON points), deprivation-weighted demand,
//! per-footprint hubs or k sites across the area, outputs.

use super::{solve, Objective, Problem, Solution};
use crate::error::{Error, Result};
use crate::prepare::Prepared;
use crate::score::FootprintSet;
use geo::Contains;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::io::candidates::Candidate;

/// Read candidates: "practices" (the scenario's) or a file ([`crate::io::candidates`]), each
/// located in its study LSOA.
pub fn read_candidates(p: &Prepared, source: &str) -> Result<Vec<Candidate>> {
    if source != "practices" {
        let mut out = crate::io::candidates::read_candidates_file(Path::new(source))?;
        for c in &mut out {
            c.area = p.study.areas.iter().position(|a| a.geom.contains(&c.xy));
        }
        return Ok(out);
    }
    if p.study.practices.is_empty() {
        return Err(Error::scenario("--candidates practices needs a [practices] table in the scenario"));
    }
    Ok(p.study
        .practices
        .iter()
        .map(|pr| Candidate {
            code: pr.code.clone(),
            name: pr.name.clone(),
            xy: pr.xy,
            capacity: None,
            must_open: false,
            area: pr.area,
        })
        .collect())
}

/// Siting settings.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// Objective.
    pub objective: Objective,
    /// Sites across the area (ignored per footprint).
    pub k: usize,
    /// Deprivation weight α: weight = pop × (1 + α × deprivation), deprivation = 1 − (rank − 1)/(N − 1).
    pub alpha: f64,
    /// Extra multiplier for Core20 LSOAs (1 = none).
    pub core20_weight: f64,
    /// Coverage radius, km.
    pub radius_km: f64,
    /// Circuity factor.
    pub circuity: f64,
    /// Allow candidates outside the study area.
    pub allow_outside: bool,
    /// Enumerate when the number of combinations is at most this.
    pub exact_limit: f64,
    /// Travel-time matrix (LSOA × candidate code); pairs missing from it are unreachable.
    pub matrix: Option<crate::io::matrix::TravelMatrix>,
}

/// A chosen site with what it serves.
#[derive(Debug, Clone, Serialize)]
pub struct SiteRow {
    /// Candidate code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Footprint (per-footprint mode) or "".
    pub footprint: String,
    /// Population assigned.
    pub population: f64,
    /// Core20 population assigned.
    pub core20_population: f64,
    /// Σ demand weight × cost (km, or minutes with a travel-time matrix).
    pub weighted_cost: f64,
    /// Population-weighted mean cost (km, or minutes with a travel-time matrix).
    pub mean_cost: f64,
    /// Capacity, if given.
    pub capacity: Option<f64>,
}

/// Result of a siting run.
#[derive(Debug, Clone, Serialize)]
pub struct SiteResult {
    /// Chosen sites.
    pub sites: Vec<SiteRow>,
    /// Solutions per problem (one per footprint or one overall).
    pub solutions: Vec<(String, Solution)>,
    /// LSOA → (site code, km).
    pub assignment: Vec<(String, String, f64)>,
    /// Access before (nearest existing practice) and after (nearest chosen site), km: mean and p90.
    pub access: BTreeMap<String, f64>,
    /// Warnings.
    pub warnings: Vec<String>,
}
/// Demand weights per LSOA.
pub fn demand_weights(p: &Prepared, alpha: f64, core20_weight: f64) -> Vec<f64> {
    p.study
        .areas
        .iter()
        .map(|a| {
            let dep = a.imd.as_ref().map_or(0.0, |m| match (m.rank, m.decile) {
                (Some(r), _) => 1.0 - (r.saturating_sub(1)) as f64 / 33_754.0,
                (None, Some(d)) => (10 - d.min(10)) as f64 / 9.0,
                _ => 0.0,
            });
            let c20 = if a.imd.as_ref().is_some_and(|m| m.core20()) { core20_weight } else { 1.0 };
            a.pop as f64 * (1.0 + alpha * dep) * c20
        })
        .collect()
}

/// Chosen sites (candidate index, footprint name or "") and each LSOA's (site, cost).
struct Chosen {
    sites: Vec<(usize, String)>,
    assign: Vec<(usize, f64)>,
    solutions: Vec<(String, Solution)>,
}

/// Site centres: one hub per footprint (with `fp`) or `cfg.k` across the study area. Costs are
/// straight-line km × circuity, or the travel-time matrix where one is given (pairs missing from
/// it are unreachable).
pub fn run(p: &Prepared, cands: &[Candidate], fp: Option<&FootprintSet>, cfg: &SiteConfig) -> Result<SiteResult> {
    let mut warnings = outside_candidates(cands, cfg)?;
    let w = demand_weights(p, cfg.alpha, cfg.core20_weight);
    let s = &p.study;
    let cost = |i: usize, c: &Candidate| match &cfg.matrix {
        Some(m) => m.get(i, &c.code).unwrap_or(f64::INFINITY),
        None => (s.areas[i].point.x - c.xy.x).hypot(s.areas[i].point.y - c.xy.y) / 1000.0 * cfg.circuity,
    };
    let chosen = match fp {
        None => solve_area(cands, cfg, &w, &cost)?,
        Some(fp) => solve_per_footprint(cands, cfg, fp, &w, &cost)?,
    };
    unreachable_check(p, &chosen)?;
    let sites = site_rows(p, cands, &chosen, &w, &mut warnings);
    let access = access_figures(p, cfg, &chosen.assign);
    let assignment = s
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.clone(), cands[chosen.assign[i].0].code.clone(), chosen.assign[i].1))
        .collect();
    Ok(SiteResult { sites, solutions: chosen.solutions, assignment, access, warnings })
}

/// Candidates outside the study area: an error unless allowed, then a warning.
fn outside_candidates(cands: &[Candidate], cfg: &SiteConfig) -> Result<Vec<String>> {
    let outside: Vec<&Candidate> = cands.iter().filter(|c| c.area.is_none()).collect();
    if outside.is_empty() {
        return Ok(Vec::new());
    }
    let list = outside.iter().take(6).map(|c| format!("{} {}", c.code, c.name)).collect::<Vec<_>>().join(", ");
    if !cfg.allow_outside {
        return Err(Error::scenario(format!("{} candidate site(s) lie outside the study area: {list}", outside.len()))
            .hint("remove them, or pass --allow-outside to let sites across the border serve the area"));
    }
    Ok(vec![format!("{} candidate(s) outside the study area may be chosen: {list}", outside.len())])
}

/// `cfg.k` sites across the whole study area.
fn solve_area(
    cands: &[Candidate],
    cfg: &SiteConfig,
    w: &[f64],
    cost: &(dyn Fn(usize, &Candidate) -> f64 + Sync),
) -> Result<Chosen> {
    let fixed: Vec<usize> = (0..cands.len()).filter(|&j| cands[j].must_open).collect();
    if cfg.k > cands.len() {
        return Err(Error::infeasible(
            format!("k = {} is larger than the {} candidate sites", cfg.k, cands.len()),
            format!("use --k {} or fewer, or add candidates", cands.len()),
        ));
    }
    if cfg.k == 0 || fixed.len() > cfg.k {
        return Err(Error::infeasible(
            format!("k = {} cannot hold the {} must-open sites", cfg.k, fixed.len()),
            format!("use --k {} or more", fixed.len().max(1)),
        ));
    }
    let c = |i: usize, j: usize| cost(i, &cands[j]);
    let pr = Problem { w, m: cands.len(), cost: &c, fixed: &fixed, radius: cfg.radius_km };
    let sol = solve(&pr, cfg.k, cfg.objective, cfg.exact_limit);
    let assign = pr.assign(&sol.open);
    let sites = sol.open.iter().map(|&j| (j, String::new())).collect();
    Ok(Chosen { sites, assign, solutions: vec![("study area".to_string(), sol)] })
}

/// One hub per footprint, chosen among the candidates inside it.
fn solve_per_footprint(
    cands: &[Candidate],
    cfg: &SiteConfig,
    fp: &FootprintSet,
    w: &[f64],
    cost: &(dyn Fn(usize, &Candidate) -> f64 + Sync),
) -> Result<Chosen> {
    let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, f) in fp.footprint.iter().enumerate() {
        members.entry(f).or_default().push(i);
    }
    let mut out =
        Chosen { sites: Vec::new(), assign: vec![(usize::MAX, f64::INFINITY); w.len()], solutions: Vec::new() };
    let mut empty = Vec::new();
    for (f, m) in &members {
        let local: Vec<usize> =
            (0..cands.len()).filter(|&j| cands[j].area.is_some_and(|a| fp.footprint[a] == *f)).collect();
        if local.is_empty() {
            empty.push(f.to_string());
            continue;
        }
        let wl: Vec<f64> = m.iter().map(|&i| w[i]).collect();
        let c = |i: usize, j: usize| cost(m[i], &cands[local[j]]);
        let fixed: Vec<usize> = (0..local.len()).filter(|&j| cands[local[j]].must_open).collect();
        let pr = Problem { w: &wl, m: local.len(), cost: &c, fixed: &fixed, radius: cfg.radius_km };
        let sol = solve(&pr, fixed.len().max(1), cfg.objective, cfg.exact_limit);
        for (li, a) in pr.assign(&sol.open).into_iter().enumerate() {
            out.assign[m[li]] = (local[a.0], a.1);
        }
        out.sites.extend(sol.open.iter().map(|&j| (local[j], f.to_string())));
        out.solutions.push((f.to_string(), Solution { open: sol.open.iter().map(|&j| local[j]).collect(), ..sol }));
    }
    if !empty.is_empty() {
        return Err(Error::infeasible(
            format!("{} footprint(s) have no candidate site inside: {}", empty.len(), empty.join(", ")),
            "add candidate sites in those footprints (e.g. community buildings), or site k centres across the whole area without --footprints",
        ));
    }
    Ok(out)
}

/// Every LSOA must reach a chosen site (a travel-time matrix may leave pairs out).
fn unreachable_check(p: &Prepared, chosen: &Chosen) -> Result<()> {
    let bad: Vec<&str> = chosen
        .assign
        .iter()
        .enumerate()
        .filter(|(_, a)| a.0 == usize::MAX || !a.1.is_finite())
        .map(|(i, _)| p.study.areas[i].code.as_str())
        .collect();
    if bad.is_empty() {
        return Ok(());
    }
    Err(Error::infeasible(
        format!(
            "{} LSOA(s) cannot reach any chosen site (no travel-time row to it), e.g. {}",
            bad.len(),
            bad.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
        ),
        "give the travel-time matrix a row for every LSOA and candidate site, or site without --matrix",
    ))
}

/// What each chosen site serves; a warning where that is above its capacity.
fn site_rows(
    p: &Prepared,
    cands: &[Candidate],
    chosen: &Chosen,
    w: &[f64],
    warnings: &mut Vec<String>,
) -> Vec<SiteRow> {
    let s = &p.study;
    let assign = &chosen.assign;
    let mut sites = Vec::new();
    for (j, f) in &chosen.sites {
        let idx: Vec<usize> = (0..s.areas.len()).filter(|&i| assign[i].0 == *j).collect();
        let pop_of = |i: usize| s.areas[i].pop as f64;
        let pop: f64 = idx.iter().map(|&i| pop_of(i)).sum();
        let c20: f64 = idx
            .iter()
            .filter(|&&i| s.areas[i].imd.as_ref().is_some_and(|m| m.core20()))
            .map(|&i| pop_of(i))
            .sum::<f64>()
            + 0.0;
        let wk: f64 = idx.iter().map(|&i| w[i] * assign[i].1).sum();
        let mk = if pop > 0.0 { idx.iter().map(|&i| pop_of(i) * assign[i].1).sum::<f64>() / pop } else { 0.0 };
        let c = &cands[*j];
        if let Some(cap) = c.capacity.filter(|cap| pop > *cap) {
            warnings.push(format!("site {} serves {pop:.0} people, above its capacity {cap:.0}", c.code));
        }
        sites.push(SiteRow {
            code: c.code.clone(),
            name: c.name.clone(),
            footprint: f.clone(),
            population: pop,
            core20_population: c20,
            weighted_cost: wk,
            mean_cost: mk,
            capacity: c.capacity,
        });
    }
    sites
}

/// Access before (nearest existing practice, km) and after (nearest chosen site, in the cost unit).
fn access_figures(p: &Prepared, cfg: &SiteConfig, assign: &[(usize, f64)]) -> BTreeMap<String, f64> {
    use crate::score::metrics::{weighted_mean, weighted_quantile};
    let s = &p.study;
    let pops: Vec<f64> = s.areas.iter().map(|a| a.pop as f64).collect();
    let mut access = BTreeMap::new();
    if !s.practices.is_empty() {
        let before: Vec<(f64, f64)> =
            s.nearest_practice_km().into_iter().zip(&pops).map(|(d, p)| (d * cfg.circuity, *p)).collect();
        access.insert("before_nearest_practice_mean_km".into(), weighted_mean(&before));
        access.insert("before_nearest_practice_p90_km".into(), weighted_quantile(&before, 0.9));
    }
    let unit = if cfg.matrix.is_some() { "min" } else { "km" };
    let after: Vec<(f64, f64)> = (0..s.areas.len()).map(|i| (assign[i].1, pops[i])).collect();
    access.insert(format!("after_nearest_site_mean_{unit}"), weighted_mean(&after));
    access.insert(format!("after_nearest_site_p90_{unit}"), weighted_quantile(&after, 0.9));
    let core: Vec<(f64, f64)> = (0..s.areas.len())
        .filter(|&i| s.areas[i].imd.as_ref().is_some_and(|m| m.core20()))
        .map(|i| (assign[i].1, pops[i]))
        .collect();
    if !core.is_empty() {
        access.insert(format!("after_core20_mean_{unit}"), weighted_mean(&core));
    }
    access
}
