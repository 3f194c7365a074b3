//! Siting on a study: candidates (practices, CSV or GeoJSON points), deprivation-weighted demand,
//! per-footprint hubs or k sites across the area, outputs.

use super::{solve, Objective, Problem, Solution};
use crate::error::{Error, Result};
use crate::io::crs;
use crate::io::table::{parse_f64, Table};
use crate::prepare::Prepared;
use crate::score::FootprintSet;
use geo::{Contains, Coord};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

/// A candidate site.
#[derive(Debug, Clone, Serialize)]
pub struct Candidate {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// BNG location.
    #[serde(skip)]
    pub xy: Coord,
    /// Capacity (people), if given.
    pub capacity: Option<f64>,
    /// Must stay open.
    pub must_open: bool,
    /// Study LSOA containing it.
    pub area: Option<usize>,
}

/// Read candidates: "practices" (the scenario's), a CSV (code, name, easting/northing or lat/lon,
/// optional capacity and must_open) or a GeoJSON of points.
pub fn read_candidates(p: &Prepared, source: &str) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    if source == "practices" {
        if p.study.practices.is_empty() {
            return Err(Error::scenario("--candidates practices needs a [practices] table in the scenario"));
        }
        for pr in &p.study.practices {
            out.push(Candidate {
                code: pr.code.clone(),
                name: pr.name.clone(),
                xy: pr.xy,
                capacity: None,
                must_open: false,
                area: pr.area,
            });
        }
        return Ok(out);
    }
    let path = Path::new(source);
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if ext == "geojson" || ext == "json" {
        let bytes = crate::io::table::read_bytes(path)?;
        let fc: geojson::FeatureCollection = serde_json::from_slice(&bytes).map_err(|e| {
            let at = format!("line {} column {}", e.line(), e.column());
            Error::parse(path, Some(at), "not a GeoJSON FeatureCollection", e)
        })?;
        for (i, f) in fc.features.iter().enumerate() {
            let props = f.properties.clone().unwrap_or_default();
            let get = |k: &str| props.get(k).map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
            let Some(geojson::GeometryValue::Point { coordinates }) = f.geometry.as_ref().map(|g| g.value.clone())
            else {
                return Err(
                    Error::at(path, format!("feature {}", i + 1), "is not a Point").hint("candidates must be points")
                );
            };
            let (x, y) = (coordinates[0], coordinates[1]);
            let xy = if crs::looks_lonlat(Coord { x, y }) { crs::wgs84_to_bng(x, y) } else { Some(Coord { x, y }) }
                .ok_or_else(|| Error::at(path, format!("feature {}", i + 1), "coordinates cannot be reprojected"))?;
            let code = get("code").or_else(|| get("id")).unwrap_or_else(|| format!("site{}", i + 1));
            let name = get("name").unwrap_or_else(|| code.clone());
            out.push(Candidate {
                capacity: get("capacity").and_then(|c| parse_f64(&c)),
                must_open: get("must_open").is_some_and(|v| matches!(v.as_str(), "true" | "1" | "yes")),
                area: None,
                code,
                name,
                xy,
            });
        }
    } else {
        let t = Table::read(path)?;
        let code =
            t.find_col("code").or_else(|| t.find_col("site_code")).or_else(|| t.find_col("practice_code")).ok_or_else(
                || Error::input(path, "no column \"code\"").hint(format!("columns found: {}", t.headers.join(", "))),
            )?;
        let name = t.find_col("name").or_else(|| t.find_col("site_name"));
        let e = t.find_col("easting").zip(t.find_col("northing"));
        let ll = t
            .find_col("lat")
            .or_else(|| t.find_col("latitude"))
            .zip(t.find_col("lon").or_else(|| t.find_col("longitude")));
        if e.is_none() && ll.is_none() {
            return Err(
                Error::input(path, "no coordinate columns").hint("give easting + northing (BNG) or lat + lon (WGS84)")
            );
        }
        let cap = t.find_col("capacity");
        let must = t.find_col("must_open");
        for (i, r) in t.rows.iter().enumerate() {
            let c = t.get(r, code).to_string();
            let xy = match (e, ll) {
                (Some((a, b)), _) => parse_f64(t.get(r, a)).zip(parse_f64(t.get(r, b))).map(|(x, y)| Coord { x, y }),
                (None, Some((a, b))) => parse_f64(t.get(r, a))
                    .zip(parse_f64(t.get(r, b)))
                    .and_then(|(lat, lon)| crs::wgs84_to_bng(lon, lat)),
                _ => None,
            }
            .ok_or_else(|| Error::at(path, t.line(i), format!("site {c} has no usable coordinates")))?;
            out.push(Candidate {
                name: name.map(|n| t.get(r, n).to_string()).unwrap_or_else(|| c.clone()),
                capacity: cap.and_then(|k| parse_f64(t.get(r, k))),
                must_open: must
                    .is_some_and(|k| matches!(t.get(r, k).to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "y")),
                area: None,
                code: c,
                xy,
            });
        }
    }
    // Locate in the study area.
    for c in &mut out {
        c.area = p.study.areas.iter().position(|a| a.geom.contains(&c.xy));
    }
    if out.is_empty() {
        return Err(Error::input(path, "contains no candidate sites"));
    }
    Ok(out)
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
    /// Σ weight × km.
    pub weighted_km: f64,
    /// Population-weighted mean km.
    pub mean_km: f64,
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

/// Run siting across the study area (k sites) or per footprint (one hub each).
pub fn run(p: &Prepared, cands: &[Candidate], fp: Option<&FootprintSet>, cfg: &SiteConfig) -> Result<SiteResult> {
    let s = &p.study;
    let mut warnings = Vec::new();
    let outside: Vec<&Candidate> = cands.iter().filter(|c| c.area.is_none()).collect();
    if !outside.is_empty() {
        let list = outside.iter().take(6).map(|c| format!("{} {}", c.code, c.name)).collect::<Vec<_>>().join(", ");
        if !cfg.allow_outside {
            return Err(Error::scenario(format!(
                "{} candidate site(s) lie outside the study area: {list}",
                outside.len()
            ))
            .hint("remove them, or pass --allow-outside to let sites across the border serve the area"));
        }
        warnings.push(format!("{} candidate(s) outside the study area may be chosen: {list}", outside.len()));
    }
    let w = demand_weights(p, cfg.alpha, cfg.core20_weight);
    let km = |i: usize, c: &Candidate| {
        (s.areas[i].point.x - c.xy.x).hypot(s.areas[i].point.y - c.xy.y) / 1000.0 * cfg.circuity
    };
    let mut solutions = Vec::new();
    let mut chosen: Vec<(usize, String)> = Vec::new(); // (candidate, footprint)
    let mut assign: Vec<(usize, f64)> = vec![(usize::MAX, f64::INFINITY); s.areas.len()];
    match fp {
        None => {
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
            let cost = |i: usize, j: usize| km(i, &cands[j]);
            let pr = Problem { w: &w, m: cands.len(), cost: &cost, fixed: &fixed, radius: cfg.radius_km };
            let sol = solve(&pr, cfg.k, cfg.objective, cfg.exact_limit);
            for (i, a) in pr.assign(&sol.open).into_iter().enumerate() {
                assign[i] = a;
            }
            chosen.extend(sol.open.iter().map(|&j| (j, String::new())));
            solutions.push(("study area".to_string(), sol));
        }
        Some(fp) => {
            let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
            for (i, f) in fp.footprint.iter().enumerate() {
                members.entry(f).or_default().push(i);
            }
            let mut empty = Vec::new();
            for (f, m) in &members {
                let local: Vec<usize> =
                    (0..cands.len()).filter(|&j| cands[j].area.is_some_and(|a| fp.footprint[a] == *f)).collect();
                if local.is_empty() {
                    empty.push(f.to_string());
                    continue;
                }
                let wl: Vec<f64> = m.iter().map(|&i| w[i]).collect();
                let cost = |i: usize, j: usize| km(m[i], &cands[local[j]]);
                let fixed: Vec<usize> = (0..local.len()).filter(|&j| cands[local[j]].must_open).collect();
                let kk = fixed.len().max(1);
                let pr = Problem { w: &wl, m: local.len(), cost: &cost, fixed: &fixed, radius: cfg.radius_km };
                let sol = solve(&pr, kk, cfg.objective, cfg.exact_limit);
                for (li, a) in pr.assign(&sol.open).into_iter().enumerate() {
                    assign[m[li]] = (local[a.0], a.1);
                }
                chosen.extend(sol.open.iter().map(|&j| (local[j], f.to_string())));
                solutions.push((f.to_string(), Solution { open: sol.open.iter().map(|&j| local[j]).collect(), ..sol }));
            }
            if !empty.is_empty() {
                return Err(Error::infeasible(
                    format!("{} footprint(s) have no candidate site inside: {}", empty.len(), empty.join(", ")),
                    "add candidate sites in those footprints (e.g. community buildings), or site k centres across the whole area without --footprints",
                ));
            }
        }
    }
    // Rows.
    let mut sites = Vec::new();
    for (j, f) in &chosen {
        let idx: Vec<usize> = (0..s.areas.len()).filter(|&i| assign[i].0 == *j).collect();
        let pop: f64 = idx.iter().map(|&i| s.areas[i].pop as f64).sum();
        let c20: f64 = idx
            .iter()
            .filter(|&&i| s.areas[i].imd.as_ref().is_some_and(|m| m.core20()))
            .map(|&i| s.areas[i].pop as f64)
            .sum::<f64>()
            + 0.0;
        let wk: f64 = idx.iter().map(|&i| w[i] * assign[i].1).sum();
        let mk =
            if pop > 0.0 { idx.iter().map(|&i| s.areas[i].pop as f64 * assign[i].1).sum::<f64>() / pop } else { 0.0 };
        if let Some(cap) = cands[*j].capacity {
            if pop > cap {
                warnings.push(format!("site {} serves {pop:.0} people, above its capacity {cap:.0}", cands[*j].code));
            }
        }
        sites.push(SiteRow {
            code: cands[*j].code.clone(),
            name: cands[*j].name.clone(),
            footprint: f.clone(),
            population: pop,
            core20_population: c20,
            weighted_km: wk,
            mean_km: mk,
            capacity: cands[*j].capacity,
        });
    }
    // Access before / after.
    let pops: Vec<f64> = s.areas.iter().map(|a| a.pop as f64).collect();
    let mut access = BTreeMap::new();
    if !s.practices.is_empty() {
        let before: Vec<(f64, f64)> =
            s.nearest_practice_km().into_iter().zip(&pops).map(|(d, p)| (d * cfg.circuity, *p)).collect();
        access.insert("before_nearest_practice_mean_km".into(), crate::score::metrics::weighted_mean(&before));
        access.insert("before_nearest_practice_p90_km".into(), crate::score::metrics::weighted_quantile(&before, 0.9));
    }
    let unit = if cfg.matrix.is_some() { "min" } else { "km" };
    let after: Vec<(f64, f64)> = (0..s.areas.len()).map(|i| (assign[i].1, pops[i])).collect();
    access.insert(format!("after_nearest_site_mean_{unit}"), crate::score::metrics::weighted_mean(&after));
    access.insert(format!("after_nearest_site_p90_{unit}"), crate::score::metrics::weighted_quantile(&after, 0.9));
    let core: Vec<(f64, f64)> = (0..s.areas.len())
        .filter(|&i| s.areas[i].imd.as_ref().is_some_and(|m| m.core20()))
        .map(|i| (assign[i].1, pops[i]))
        .collect();
    if !core.is_empty() {
        access.insert(format!("after_core20_mean_{unit}"), crate::score::metrics::weighted_mean(&core));
    }
    let assignment = s
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| (a.code.clone(), cands[assign[i].0].code.clone(), assign[i].1))
        .collect();
    Ok(SiteResult { sites, solutions, assignment, access, warnings })
}
