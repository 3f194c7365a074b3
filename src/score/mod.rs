//! Score any footprint set — built options, a user's existing footprints (lookup CSV or GeoJSON),
//! or the baselines — for balance, coterminosity, PCN integrity, nesting, LGR robustness, access,
//! equity and compactness; and compare several side by side. Definitions: docs/METRICS.md.

pub mod metrics;

use crate::error::{Error, Result};
use crate::io::boundaries::read_polygons;
use crate::io::table::Table;
use crate::prepare::Prepared;
use geo::{Area, BoundingRect, ConvexHull, Coord, Euclidean, Length, MultiPoint, Point};
use metrics::{concentration_index, coterminosity, group_integrity, polsby_popper, weighted_mean, weighted_quantile};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// A footprint set: one footprint name per study LSOA, optionally an enclosing MNP name.
#[derive(Debug, Clone)]
pub struct FootprintSet {
    /// Label used in comparisons.
    pub label: String,
    /// Footprint per LSOA (study order).
    pub footprint: Vec<String>,
    /// MNP per LSOA, if the set is nested.
    pub mnp: Option<Vec<String>>,
}

const CODE_COLS: [&str; 4] = ["lsoa_code", "lsoa21_code", "LSOA21CD", "LSOA_CODE"];
const FP_COLS: [&str; 5] = ["snp_name", "footprint", "name", "snp_id", "footprint_name"];

impl FootprintSet {
    /// Read a lookup CSV, a footprints GeoJSON, or an option folder holding `lookup.csv`.
    pub fn read(p: &Prepared, path: &Path, column: Option<&str>) -> Result<FootprintSet> {
        let label = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .filter(|s| s != "lookup" && s != "footprints")
            .or_else(|| path.parent().and_then(|d| d.file_name()).map(|s| s.to_string_lossy().to_string()))
            .unwrap_or_else(|| path.display().to_string());
        if path.is_dir() {
            let mut s = Self::read(p, &path.join("lookup.csv"), column)?;
            s.label = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or(label);
            return Ok(s);
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let mut s = if ext == "geojson" || ext == "json" || ext == "shp" {
            Self::read_polygons(p, path, column)?
        } else {
            Self::read_lookup(p, path, column)?
        };
        s.label = label;
        Ok(s)
    }

    fn read_lookup(p: &Prepared, path: &Path, column: Option<&str>) -> Result<FootprintSet> {
        let t = Table::read(path)?;
        let c = CODE_COLS.iter().find_map(|n| t.find_col(n)).ok_or_else(|| {
            Error::input(path, "no LSOA code column (lsoa_code / lsoa21_code / LSOA21CD)")
                .hint(format!("columns found: {}", t.headers.join(", ")))
        })?;
        let f = match column {
            Some(col) => t.col(col)?,
            None => FP_COLS.iter().find_map(|n| t.find_col(n)).ok_or_else(|| {
                Error::input(path, "no footprint column (snp_name / footprint / name)")
                    .hint(format!("columns found: {}; name it with --column", t.headers.join(", ")))
            })?,
        };
        let m = t.find_col("mnp_name");
        let n = p.study.areas.len();
        let mut fp: Vec<Option<String>> = vec![None; n];
        let mut mnp: Vec<Option<String>> = vec![None; n];
        let mut unknown = Vec::new();
        for (i, r) in t.rows.iter().enumerate() {
            let code = t.get(r, c);
            match p.study.index.get(code) {
                Some(&k) => {
                    if fp[k].is_some() {
                        return Err(Error::at(path, t.line(i), format!("LSOA {code} is assigned twice"))
                            .hint("each LSOA must belong to exactly one footprint"));
                    }
                    fp[k] = Some(t.get(r, f).to_string());
                    mnp[k] = m.map(|m| t.get(r, m).to_string());
                }
                None => unknown.push(code.to_string()),
            }
        }
        if !unknown.is_empty() {
            return Err(Error::input(
                path,
                format!(
                    "{} code(s) are not LSOAs of the study area: {}",
                    unknown.len(),
                    unknown.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
                ),
            )
            .hint("use LSOA 2021 codes of the scenario's study area (LSOA 2011 codes need converting first)"));
        }
        finish(p, path, fp, m.map(|_| mnp))
    }

    fn read_polygons(p: &Prepared, path: &Path, column: Option<&str>) -> Result<FootprintSet> {
        let layer = read_polygons(path, None, column.unwrap_or("name"))?;
        let name_col = column
            .map(str::to_string)
            .or_else(|| {
                ["name", "id", "footprint"]
                    .iter()
                    .find(|c| layer.columns.iter().any(|x| x == *c))
                    .map(|c| c.to_string())
            })
            .ok_or_else(|| {
                Error::input(path, "no footprint name property (name / id / footprint)")
                    .hint(format!("properties found: {}; name it with --column", layer.columns.join(", ")))
            })?;
        let has_level = layer.columns.iter().any(|c| c == "level");
        let assign = |level: Option<&str>| -> Result<Vec<Option<String>>> {
            let feats: Vec<&crate::io::boundaries::PolyFeature> = layer
                .features
                .iter()
                .filter(|f| level.is_none_or(|l| f.props.get("level").map(String::as_str) == Some(l)))
                .collect();
            let mut out: Vec<Option<String>> = vec![None; p.study.areas.len()];
            let mut twice = Vec::new();
            for (i, a) in p.study.areas.iter().enumerate() {
                let pt = Point(a.point);
                for f in &feats {
                    let bb = f.geom.bounding_rect().unwrap();
                    if a.point.x < bb.min().x
                        || a.point.x > bb.max().x
                        || a.point.y < bb.min().y
                        || a.point.y > bb.max().y
                    {
                        continue;
                    }
                    if geo::Contains::contains(&f.geom, &pt) {
                        if out[i].is_some() {
                            twice.push(a.code.clone());
                        }
                        out[i] = Some(f.props.get(&name_col).cloned().unwrap_or_default());
                    }
                }
            }
            if !twice.is_empty() {
                return Err(Error::input(
                    path,
                    format!(
                        "{} LSOA(s) fall inside two footprints (overlapping polygons), e.g. {}",
                        twice.len(),
                        twice.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
                    ),
                )
                .hint("footprint polygons must not overlap; dissolve from an LSOA lookup instead"));
            }
            Ok(out)
        };
        let fp = assign(has_level.then_some("SNP"))?;
        let mnp = if has_level && layer.features.iter().any(|f| f.props.get("level").map(String::as_str) == Some("MNP"))
        {
            Some(assign(Some("MNP"))?)
        } else {
            None
        };
        finish(p, path, fp, mnp)
    }
}

fn finish(
    p: &Prepared,
    path: &Path,
    fp: Vec<Option<String>>,
    mnp: Option<Vec<Option<String>>>,
) -> Result<FootprintSet> {
    let missing: Vec<&str> =
        p.study.areas.iter().zip(&fp).filter(|(_, f)| f.is_none()).map(|(a, _)| a.code.as_str()).collect();
    if !missing.is_empty() {
        return Err(Error::input(
            path,
            format!(
                "{} of {} study-area LSOAs have no footprint, e.g. {}",
                missing.len(),
                fp.len(),
                missing.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
            ),
        )
        .hint(
            "every LSOA of the study area must be in one footprint; check the file matches the scenario's study area",
        ));
    }
    let mnp = mnp.map(|m| m.into_iter().map(|x| x.unwrap_or_default()).collect());
    Ok(FootprintSet { label: String::new(), footprint: fp.into_iter().map(Option::unwrap).collect(), mnp })
}

/// Scoring options.
#[derive(Debug, Clone)]
pub struct ScoreOptions {
    /// Target population of a footprint.
    pub target: f64,
    /// Tolerance (0.2 = ±20%).
    pub tolerance: f64,
    /// Circuity factor applied to straight-line distances.
    pub circuity: f64,
    /// Distance thresholds in km.
    pub thresholds_km: Vec<f64>,
    /// Need multiplier slope: need weight = max(0.1, 1 + need_alpha × need index).
    pub need_alpha: f64,
    /// Travel-time matrix (LSOA × practice); when given, access figures are in its unit (minutes).
    pub matrix: Option<crate::io::matrix::TravelMatrix>,
    /// Named hubs: footprint name → practice code (instead of the best practice inside).
    pub hubs: BTreeMap<String, String>,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            target: 50_000.0,
            tolerance: 0.2,
            circuity: 1.0,
            thresholds_km: vec![1.6, 5.0, 10.0],
            need_alpha: 0.25,
            matrix: None,
            hubs: BTreeMap::new(),
        }
    }
}

/// One footprint's row.
#[derive(Debug, Clone, Serialize)]
pub struct FootprintRow {
    /// Name.
    pub name: String,
    /// Enclosing MNP (if nested).
    pub mnp: Option<String>,
    /// Population.
    pub population: u64,
    /// Deviation from target, %.
    pub deviation_pct: f64,
    /// LSOAs.
    pub lsoas: usize,
    /// Main LAD and share of population in it.
    pub main_lad: String,
    /// Share in the main LAD.
    pub lad_share: f64,
    /// Main PCN (by registered patients or residents) and its share of the footprint.
    pub main_pcn: String,
    /// Share of the footprint's PCN mass in the main PCN.
    pub pcn_share: f64,
    /// Population-weighted IMD score.
    pub imd_score: Option<f64>,
    /// Population-weighted IMD rank.
    pub imd_rank: Option<f64>,
    /// Share of population in Core20 LSOAs (national deciles 1–2).
    pub core20_share: f64,
    /// Need-weighted population.
    pub need_weighted_population: f64,
    /// Practices inside.
    pub practices: usize,
    /// Hub practice (minimises population-weighted distance), if any.
    pub hub: Option<String>,
    /// Population-weighted mean distance to the hub, km.
    pub hub_mean_km: Option<f64>,
    /// Polsby–Popper.
    pub polsby_popper: f64,
    /// Area / convex hull area.
    pub hull_ratio: f64,
    /// Area km².
    pub area_km2: f64,
}

/// All scores of one footprint set.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    /// Label.
    pub label: String,
    /// Tool version.
    pub version: String,
    /// Footprints.
    pub footprints: usize,
    /// Population.
    pub population: u64,
    /// Balance.
    pub balance: BTreeMap<String, f64>,
    /// Coterminosity per boundary layer ("LAD", "LGR 2UA", …): share of population in footprints wholly inside one unit.
    pub coterminosity: BTreeMap<String, metrics::Coterminosity>,
    /// Footprints wholly (≥ 99%) inside one unit of every LGR option at once.
    pub lgr_robust_footprints: Option<usize>,
    /// PCN integrity: per PCN (main footprint, share).
    pub pcn: BTreeMap<String, (String, f64)>,
    /// PCNs with < 99% in their main footprint.
    pub pcns_split: usize,
    /// Mass-weighted mean PCN share in main footprint.
    pub pcn_mean_share: f64,
    /// Whether PCN mass is registered patients (true) or residents by nearest practice (false).
    pub pcn_from_registrations: bool,
    /// Share of footprint population inside a single MNP (nested sets only).
    pub nesting_share: Option<f64>,
    /// Access figures (km).
    pub access: BTreeMap<String, f64>,
    /// Footprints with no practice inside.
    pub footprints_without_practice: Vec<String>,
    /// Equity figures.
    pub equity: BTreeMap<String, f64>,
    /// Compactness figures.
    pub compactness: BTreeMap<String, f64>,
    /// Per-footprint rows.
    pub rows: Vec<FootprintRow>,
}

/// Score a footprint set.
pub fn score(p: &Prepared, set: &FootprintSet, o: &ScoreOptions) -> Scores {
    let s = &p.study;
    let names: Vec<String> = set.footprint.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
    let id: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
    let fp_of: Vec<usize> = set.footprint.iter().map(|f| id[f.as_str()]).collect();
    let k = names.len();
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k];
    for (i, &f) in fp_of.iter().enumerate() {
        members[f].push(i);
    }
    let pop = |i: usize| s.areas[i].pop as f64;
    let fpop: Vec<f64> = members.iter().map(|m| m.iter().map(|&i| pop(i)).sum()).collect();
    let total: f64 = fpop.iter().sum();

    // Balance.
    let devs: Vec<f64> = fpop.iter().map(|x| (x - o.target) / o.target * 100.0).collect();
    let mut balance = BTreeMap::new();
    balance.insert("target".into(), o.target);
    balance.insert("min_population".into(), fpop.iter().cloned().fold(f64::MAX, f64::min));
    balance.insert("max_population".into(), fpop.iter().cloned().fold(0.0, f64::max));
    balance.insert("max_min_ratio".into(), balance["max_population"] / balance["min_population"].max(1.0));
    balance.insert("max_abs_deviation_pct".into(), devs.iter().map(|d| d.abs()).fold(0.0, f64::max));
    balance.insert(
        "outside_tolerance".into(),
        devs.iter().filter(|d| d.abs() > o.tolerance * 100.0 + 1e-9).count() as f64,
    );

    // Coterminosity with each layer.
    let layer_rows = |unit: &dyn Fn(usize) -> String| -> Vec<(String, String, f64)> {
        (0..s.areas.len()).map(|i| (names[fp_of[i]].clone(), unit(i), pop(i))).collect()
    };
    let mut cot = BTreeMap::new();
    cot.insert("LAD".to_string(), coterminosity(&layer_rows(&|i| s.lad(i).code.clone()), o.target));
    for opt in &s.lgr {
        cot.insert(
            format!("LGR {}", opt.name),
            coterminosity(&layer_rows(&|i| opt.unit_name(i).unwrap_or("(none)").to_string()), o.target),
        );
    }
    for layer in &s.layers {
        cot.insert(
            layer.name.clone(),
            coterminosity(&layer_rows(&|i| layer.unit_name(i).unwrap_or("(none)").to_string()), o.target),
        );
    }
    let lgr_robust_footprints = (!s.lgr.is_empty()).then(|| {
        names
            .iter()
            .filter(|n| s.lgr.iter().all(|opt| cot[&format!("LGR {}", opt.name)].per_footprint[*n].1 >= 0.99))
            .count()
    });

    // PCN integrity: the PCN mass of each LSOA (Study::pcn_mass).
    let from_reg = s.pcn_from_registrations();
    let mut prow = Vec::new();
    for i in 0..s.areas.len() {
        for (c, m) in s.pcn_mass(i) {
            prow.push((s.pcn_named(c).code.clone(), names[fp_of[i]].clone(), m));
        }
    }
    let (pcn, pcns_split, pcn_mean_share) = group_integrity(&prow);

    // Nesting.
    let nesting_share = set.mnp.as_ref().map(|m| {
        let mut by: BTreeMap<&str, BTreeMap<&str, f64>> = BTreeMap::new();
        for (i, (f, mn)) in set.footprint.iter().zip(m).enumerate() {
            *by.entry(f).or_default().entry(mn).or_default() += pop(i);
        }
        by.values().filter(|x| x.len() == 1).map(|x| x.values().sum::<f64>()).sum::<f64>() / total
    });

    // Access.
    let km_xy = |a: Coord, b: Coord| ((a.x - b.x).hypot(a.y - b.y)) / 1000.0 * o.circuity;
    // Cost from LSOA i to a practice: the matrix's value (minutes) when given, else straight-line km.
    let cost = |i: usize, pr: &crate::model::Practice| match &o.matrix {
        Some(m) => m.get(i, &pr.code).unwrap_or(f64::INFINITY),
        None => km_xy(s.areas[i].point, pr.xy),
    };
    let unit = if o.matrix.is_some() { "min" } else { "km" };
    let mut access = BTreeMap::new();
    let mut without = Vec::new();
    let mut hubs: Vec<(Option<String>, Option<f64>)> = vec![(None, None); k];
    let mut practices_in = vec![0usize; k];
    let nearest: Vec<f64> = if s.practices.is_empty() {
        vec![]
    } else if o.matrix.is_some() {
        (0..s.areas.len()).map(|i| s.practices.iter().map(|pr| cost(i, pr)).fold(f64::INFINITY, f64::min)).collect()
    } else {
        s.nearest_practice_km().into_iter().map(|d| d * o.circuity).collect()
    };
    if !nearest.is_empty() {
        let v: Vec<(f64, f64)> = nearest.iter().enumerate().map(|(i, d)| (*d, pop(i))).collect();
        access.insert(format!("nearest_practice_mean_{unit}"), weighted_mean(&v));
        access.insert(format!("nearest_practice_p90_{unit}"), weighted_quantile(&v, 0.9));
        for t in &o.thresholds_km {
            access.insert(
                format!("share_within_{t}{unit}"),
                v.iter().filter(|x| x.0 <= *t).map(|x| x.1).sum::<f64>() / total,
            );
        }
        let mut hubd: Vec<(f64, f64)> = Vec::new();
        for f in 0..k {
            let inside: Vec<&crate::model::Practice> =
                s.practices.iter().filter(|pr| pr.area.is_some_and(|a| fp_of[a] == f)).collect();
            practices_in[f] = inside.len();
            let best = inside
                .iter()
                .map(|pr| (pr, members[f].iter().map(|&i| pop(i) * cost(i, pr)).sum::<f64>() / fpop[f].max(1.0)))
                .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.code.cmp(&b.0.code)));
            // A named hub wins over the best practice inside.
            let named = o.hubs.get(&names[f]).and_then(|code| s.practices.iter().find(|pr| &pr.code == code));
            let best = match named {
                Some(pr) => {
                    Some((pr, members[f].iter().map(|&i| pop(i) * cost(i, pr)).sum::<f64>() / fpop[f].max(1.0)))
                }
                None => best.map(|(pr, d)| (*pr, d)),
            };
            match best {
                Some((pr, d)) => {
                    hubs[f] = (Some(format!("{} {}", pr.code, pr.name)), Some(d));
                    for &i in &members[f] {
                        hubd.push((cost(i, pr), pop(i)));
                    }
                }
                None => without.push(names[f].clone()),
            }
        }
        if !hubd.is_empty() {
            access.insert(format!("hub_mean_{unit}"), weighted_mean(&hubd));
            access.insert(format!("hub_p90_{unit}"), weighted_quantile(&hubd, 0.9));
        }
    }

    // Equity.
    let mut equity = BTreeMap::new();
    let core20: Vec<bool> = s.areas.iter().map(|a| a.imd.as_ref().is_some_and(|m| m.core20())).collect();
    let fcore: Vec<f64> = members
        .iter()
        .enumerate()
        .map(|(f, m)| m.iter().filter(|&&i| core20[i]).map(|&i| pop(i)).sum::<f64>() / fpop[f].max(1.0))
        .collect();
    if s.areas.iter().any(|a| a.imd.is_some()) {
        let mean = fcore.iter().sum::<f64>() / k as f64;
        equity.insert(
            "core20_share_overall".into(),
            core20.iter().enumerate().filter(|(_, c)| **c).map(|(i, _)| pop(i)).sum::<f64>() / total,
        );
        equity.insert("core20_share_min".into(), fcore.iter().cloned().fold(f64::MAX, f64::min));
        equity.insert("core20_share_max".into(), fcore.iter().cloned().fold(0.0, f64::max));
        equity.insert(
            "core20_share_sd".into(),
            (fcore.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / k as f64).sqrt(),
        );
        if !nearest.is_empty() {
            let rows: Vec<(f64, f64, f64)> = s
                .areas
                .iter()
                .enumerate()
                .filter_map(|(i, a)| a.imd.as_ref().and_then(|m| m.rank).map(|r| (nearest[i], pop(i), r as f64)))
                .collect();
            equity.insert(format!("concentration_index_nearest_practice_{unit}"), concentration_index(&rows));
        }
        // Clusters of adjacent Core20 LSOAs split between footprints.
        let nodes: Vec<usize> = (0..s.areas.len()).filter(|&i| core20[i]).collect();
        let mut seen = vec![false; s.areas.len()];
        let (mut clusters, mut split) = (0, 0);
        for &st in &nodes {
            if seen[st] {
                continue;
            }
            seen[st] = true;
            let mut comp = vec![st];
            let mut j = 0;
            while j < comp.len() {
                for &w in &p.graph.neighbors[comp[j]] {
                    if core20[w] && !seen[w] {
                        seen[w] = true;
                        comp.push(w);
                    }
                }
                j += 1;
            }
            if comp.len() >= 2 {
                clusters += 1;
                if comp.iter().map(|&i| fp_of[i]).collect::<BTreeSet<_>>().len() > 1 {
                    split += 1;
                }
            }
        }
        equity.insert("core20_clusters".into(), clusters as f64);
        equity.insert("core20_clusters_split".into(), split as f64);
    }
    let need_w = |i: usize| {
        pop(i) * s.areas[i].imd.as_ref().and_then(|m| m.need).map_or(1.0, |n| (1.0 + o.need_alpha * n).max(0.1))
    };
    let fneed: Vec<f64> = members.iter().map(|m| m.iter().map(|&i| need_w(i)).sum()).collect();
    if s.areas.iter().any(|a| a.imd.as_ref().is_some_and(|m| m.need.is_some())) {
        equity.insert(
            "need_weighted_max_min_ratio".into(),
            fneed.iter().cloned().fold(0.0, f64::max) / fneed.iter().cloned().fold(f64::MAX, f64::min).max(1.0),
        );
    }

    // Compactness: perimeter = Σ LSOA perimeters − 2 × shared boundary inside the footprint.
    let perim_lsoa: Vec<f64> = s
        .areas
        .iter()
        .map(|a| {
            a.geom
                .0
                .iter()
                .map(|pl| {
                    Euclidean.length(pl.exterior()) + pl.interiors().iter().map(|r| Euclidean.length(r)).sum::<f64>()
                })
                .sum()
        })
        .collect();
    let mut inner = vec![0.0; k];
    let mut cut = 0.0;
    for e in p.graph.edges.iter().filter(|e| !e.bridge) {
        if fp_of[e.a] == fp_of[e.b] {
            inner[fp_of[e.a]] += e.shared_m;
        } else {
            cut += e.shared_m;
        }
    }
    let mut rows = Vec::with_capacity(k);
    let (mut pp_sum, mut pp_min, mut hull_sum) = (0.0, f64::MAX, 0.0);
    for f in 0..k {
        let m = &members[f];
        let area: f64 = m.iter().map(|&i| s.areas[i].area_m2).sum();
        let per = (m.iter().map(|&i| perim_lsoa[i]).sum::<f64>() - 2.0 * inner[f]).max(0.0);
        let pp = polsby_popper(area, per);
        let pts: MultiPoint = m
            .iter()
            .flat_map(|&i| s.areas[i].geom.0.iter().flat_map(|pl| pl.exterior().0.iter().map(|c| Point(*c))))
            .collect::<Vec<_>>()
            .into();
        let hull = pts.convex_hull().unsigned_area();
        let hr = if hull > 0.0 { area / hull } else { 1.0 };
        pp_sum += pp;
        pp_min = pp_min.min(pp);
        hull_sum += hr;
        let mut lads: BTreeMap<&str, f64> = BTreeMap::new();
        let mut pcns: BTreeMap<String, f64> = BTreeMap::new();
        for &i in m {
            *lads.entry(&s.lad(i).name).or_default() += pop(i);
            for (c, n) in s.pcn_mass(i) {
                *pcns.entry(s.pcn_named(c).code.clone()).or_default() += n;
            }
        }
        let (ml, mlp) = lads
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(a, b)| (a.to_string(), *b))
            .unwrap_or_default();
        let ptot: f64 = pcns.values().sum();
        let (mp, mpp) = pcns
            .iter()
            .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(a, b)| (a.clone(), *b))
            .unwrap_or_default();
        let imd: Vec<(f64, f64, f64)> = m
            .iter()
            .filter_map(|&i| {
                s.areas[i]
                    .imd
                    .as_ref()
                    .map(|x| (x.score.unwrap_or(f64::NAN), x.rank.map_or(f64::NAN, f64::from), pop(i)))
            })
            .collect();
        let wavg = |sel: &dyn Fn(&(f64, f64, f64)) -> f64| {
            let v: Vec<(f64, f64)> = imd.iter().map(|x| (sel(x), x.2)).filter(|x| x.0.is_finite()).collect();
            (!v.is_empty()).then(|| weighted_mean(&v))
        };
        rows.push(FootprintRow {
            name: names[f].clone(),
            mnp: set.mnp.as_ref().map(|mm| mm[m[0]].clone()),
            population: fpop[f] as u64,
            deviation_pct: devs[f],
            lsoas: m.len(),
            main_lad: ml,
            lad_share: mlp / fpop[f].max(1.0),
            main_pcn: s.pcn_id(&mp).map(|id| format!("{mp} {}", s.pcn_named(id).name)).unwrap_or(mp),
            pcn_share: if ptot > 0.0 { mpp / ptot } else { 0.0 },
            imd_score: wavg(&|x| x.0),
            imd_rank: wavg(&|x| x.1),
            core20_share: fcore[f],
            need_weighted_population: fneed[f],
            practices: practices_in[f],
            hub: hubs[f].0.clone(),
            hub_mean_km: hubs[f].1,
            polsby_popper: pp,
            hull_ratio: hr,
            area_km2: area / 1e6,
        });
    }
    let mut compactness = BTreeMap::new();
    compactness.insert("polsby_popper_mean".into(), pp_sum / k as f64);
    compactness.insert("polsby_popper_min".into(), pp_min);
    compactness.insert("hull_ratio_mean".into(), hull_sum / k as f64);
    compactness.insert("cut_boundary_km".into(), cut / 1000.0);
    Scores {
        label: set.label.clone(),
        version: crate::VERSION.into(),
        footprints: k,
        population: total as u64,
        balance,
        coterminosity: cot,
        lgr_robust_footprints,
        pcn,
        pcns_split,
        pcn_mean_share,
        pcn_from_registrations: from_reg,
        nesting_share,
        access,
        footprints_without_practice: without,
        equity,
        compactness,
        rows,
    }
}

/// Which direction is better for a comparison row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Better {
    /// Higher is better.
    High,
    /// Lower is better.
    Low,
    /// No preference (context).
    None,
}

/// The comparison rows: (metric, better, value per set).
pub fn comparison_rows(all: &[Scores]) -> Vec<(String, Better, Vec<Option<f64>>)> {
    use Better::*;
    let mut rows: Vec<(String, Better, Vec<Option<f64>>)> = Vec::new();
    let mut add = |name: &str, b: Better, f: &dyn Fn(&Scores) -> Option<f64>| {
        rows.push((name.to_string(), b, all.iter().map(f).collect()))
    };
    add("footprints", None, &|s| Some(s.footprints as f64));
    add("max |deviation| from target, %", Low, &|s| s.balance.get("max_abs_deviation_pct").copied());
    add("footprints outside tolerance", Low, &|s| s.balance.get("outside_tolerance").copied());
    add("max/min population ratio", Low, &|s| s.balance.get("max_min_ratio").copied());
    let layers: BTreeSet<String> = all.iter().flat_map(|s| s.coterminosity.keys().cloned()).collect();
    for l in &layers {
        add(&format!("{l}: population in footprints wholly inside one unit, %"), High, &|s| {
            s.coterminosity.get(l).map(|c| c.share_in_whole_footprints * 100.0)
        });
        add(&format!("{l}: excess unit splits"), Low, &|s| s.coterminosity.get(l).map(|c| c.excess_splits as f64));
    }
    add("footprints coterminous under every LGR option", High, &|s| s.lgr_robust_footprints.map(|x| x as f64));
    add("PCN population in its main footprint, %", High, &|s| Some(s.pcn_mean_share * 100.0));
    add("PCNs split", Low, &|s| Some(s.pcns_split as f64));
    add("nesting: population in a single MNP, %", High, &|s| s.nesting_share.map(|x| x * 100.0));
    let acc =
        |s: &Scores, k: &str| s.access.get(&format!("{k}_km")).or_else(|| s.access.get(&format!("{k}_min"))).copied();
    add("mean km (or minutes) to nearest practice", None, &|s| acc(s, "nearest_practice_mean"));
    add("mean km (or minutes) to footprint hub", Low, &|s| acc(s, "hub_mean"));
    add("90th percentile km (or minutes) to hub", Low, &|s| acc(s, "hub_p90"));
    add("footprints with no practice", Low, &|s| Some(s.footprints_without_practice.len() as f64));
    add("Core20 share spread (sd)", None, &|s| s.equity.get("core20_share_sd").copied());
    add("Core20 clusters split", Low, &|s| s.equity.get("core20_clusters_split").copied());
    add("need-weighted max/min ratio", Low, &|s| s.equity.get("need_weighted_max_min_ratio").copied());
    add("Polsby–Popper mean", High, &|s| s.compactness.get("polsby_popper_mean").copied());
    add("convex-hull ratio mean", High, &|s| s.compactness.get("hull_ratio_mean").copied());
    add("cut boundary, km", Low, &|s| s.compactness.get("cut_boundary_km").copied());
    rows.retain(|r| r.2.iter().any(Option::is_some));
    rows
}

/// LSOAs that change footprint from set A to set B, after matching each footprint of A to the
/// footprint of B it overlaps most (by population): (lsoa code, A footprint, B footprint, population).
pub fn moves(p: &Prepared, a: &FootprintSet, b: &FootprintSet) -> Vec<(String, String, String, u64)> {
    let mut ov: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for (i, ar) in p.study.areas.iter().enumerate() {
        *ov.entry((&a.footprint[i], &b.footprint[i])).or_default() += ar.pop;
    }
    let mut best: BTreeMap<&str, (&str, u64)> = BTreeMap::new();
    for ((fa, fb), n) in &ov {
        let e = best.entry(fa).or_insert((fb, 0));
        if *n > e.1 {
            *e = (fb, *n);
        }
    }
    p.study
        .areas
        .iter()
        .enumerate()
        .filter(|(i, _)| best[a.footprint[*i].as_str()].0 != b.footprint[*i])
        .map(|(i, ar)| (ar.code.clone(), a.footprint[i].clone(), b.footprint[i].clone(), ar.pop))
        .collect()
}

/// Per-footprint CSV.
pub fn rows_csv(s: &Scores) -> String {
    let f = |x: Option<f64>, d: usize| x.map(|v| format!("{v:.d$}")).unwrap_or_default();
    let rows: Vec<Vec<String>> = s
        .rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                r.mnp.clone().unwrap_or_default(),
                r.population.to_string(),
                format!("{:.1}", r.deviation_pct),
                r.lsoas.to_string(),
                r.main_lad.clone(),
                format!("{:.3}", r.lad_share),
                r.main_pcn.clone(),
                format!("{:.3}", r.pcn_share),
                f(r.imd_score, 2),
                f(r.imd_rank, 0),
                format!("{:.3}", r.core20_share),
                format!("{:.0}", r.need_weighted_population),
                r.practices.to_string(),
                r.hub.clone().unwrap_or_default(),
                f(r.hub_mean_km, 2),
                format!("{:.3}", r.polsby_popper),
                format!("{:.3}", r.hull_ratio),
                format!("{:.1}", r.area_km2),
            ]
        })
        .collect();
    crate::io::write::csv_string(
        &[
            "footprint",
            "mnp",
            "population",
            "deviation_pct",
            "lsoas",
            "main_lad",
            "lad_share",
            "main_pcn",
            "pcn_share",
            "imd_score",
            "imd_rank",
            "core20_share",
            "need_weighted_population",
            "practices",
            "hub",
            "hub_mean_km",
            "polsby_popper",
            "hull_ratio",
            "area_km2",
        ],
        &rows,
    )
}

/// Markdown and CSV of a comparison table with the best value in each row marked.
pub fn comparison_tables(all: &[Scores]) -> (String, String) {
    let rows = comparison_rows(all);
    let mut md = format!(
        "| metric | {} |\n|---|{}\n",
        all.iter().map(|s| s.label.clone()).collect::<Vec<_>>().join(" | "),
        "---|".repeat(all.len())
    );
    let mut csv_rows = Vec::new();
    for (name, better, vals) in &rows {
        let best = match better {
            Better::High => vals.iter().flatten().cloned().fold(f64::MIN, f64::max),
            Better::Low => vals.iter().flatten().cloned().fold(f64::MAX, f64::min),
            Better::None => f64::NAN,
        };
        let cells: Vec<String> = vals
            .iter()
            .map(|v| match v {
                None => "–".into(),
                Some(x) => {
                    let t = if x.fract() == 0.0 && x.abs() < 1e9 { format!("{x:.0}") } else { format!("{x:.2}") };
                    if all.len() > 1 && (x - best).abs() < 1e-9 {
                        format!("**{t}**")
                    } else {
                        t
                    }
                }
            })
            .collect();
        md.push_str(&format!("| {name} | {} |\n", cells.join(" | ")));
        let mut r = vec![name.clone(), format!("{better:?}").to_lowercase()];
        r.extend(vals.iter().map(|v| v.map(|x| format!("{x:.4}")).unwrap_or_default()));
        csv_rows.push(r);
    }
    let mut header = vec!["metric".to_string(), "better".to_string()];
    header.extend(all.iter().map(|s| s.label.clone()));
    let h: Vec<&str> = header.iter().map(String::as_str).collect();
    (md, crate::io::write::csv_string(&h, &csv_rows))
}

/// A short Markdown summary of one set.
pub fn summary_md(s: &Scores) -> String {
    let (table, _) = comparison_tables(std::slice::from_ref(s));
    let mut md = format!(
        "# Scores — {}\n\nfootprints {} · {} footprints · {} people\n\n{table}",
        s.label, s.version, s.footprints, s.population
    );
    if !s.footprints_without_practice.is_empty() {
        md.push_str(&format!("\nFootprints with no practice inside: {}\n", s.footprints_without_practice.join(", ")));
    }
    md
}
