//! Outputs: dissolved footprint polygons (GeoJSON, RFC 7946), LSOA lookup CSVs and run metadata.

pub mod build_summary;
pub mod explain;
pub mod labels;
pub mod map;
pub mod palette;
pub mod report;
pub mod scores;

use crate::build::{violations, HardConstraint, Tally};
use crate::build::{Built, Plan};
use crate::error::Result;
use crate::io::crs::Crs;
use crate::io::write::{atomic_write, csv_string, feature_collection, invalid_polygon, write_geojson, OutFeature};
use crate::prepare::Prepared;
use geo::{Area, MultiPolygon, Orient, Polygon};
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use std::path::Path;

/// Dissolve polygons into one footprint polygon with a single `unary_union` (all inputs are
/// oriented on load, as i_overlay needs); zero-area spikes and cracks left by hairline gaps
/// between neighbours are removed ([`crate::geom::remove_spikes`]), and sliver parts (< 100 m²)
/// and pinhole gaps left by generalised boundaries (< 1,000 m²) are dropped.
pub fn dissolve_polys<'a>(polys: impl IntoIterator<Item = &'a Polygon>) -> MultiPolygon {
    use geo::Contains;
    let u = crate::geom::remove_spikes(&geo::unary_union(polys), crate::geom::SPIKE_TOL_M);
    let mut filled: Vec<Polygon> = Vec::new();
    let kept: Vec<Polygon> = u
        .0
        .into_iter()
        .filter(|p| p.unsigned_area() >= 100.0)
        .map(|p| {
            let (holes, pinholes): (Vec<_>, Vec<_>) =
                p.interiors().iter().cloned().partition(|h| Polygon::new(h.clone(), vec![]).unsigned_area() >= 1_000.0);
            filled.extend(pinholes.into_iter().map(|h| Polygon::new(h, vec![])));
            Polygon::new(p.exterior().clone(), holes)
        })
        .collect();
    // A part lying in a pinhole that was filled would now overlap the part around it: drop it too.
    let kept = kept
        .into_iter()
        .filter(|p| {
            let at = crate::geom::interior_point(&MultiPolygon::new(vec![p.clone()]));
            !filled.iter().any(|h| h.contains(&geo::Point::from(at)))
        })
        .collect();
    MultiPolygon::new(kept).orient(geo::orient::Direction::Default)
}

/// Dissolve LSOAs (indices into the study) into one polygon.
pub fn dissolve(p: &Prepared, members: &[usize]) -> MultiPolygon {
    dissolve_polys(members.iter().flat_map(|&i| p.study.areas[i].geom.0.iter()))
}

/// Provenance recorded in every output.
pub fn run_meta(p: &Prepared, seed: u64, params: Value) -> Value {
    json!({
        "tool": "footprints",
        "version": crate::VERSION,
        "scenario": p.study.name,
        "seed": seed,
        "inputs": p.report.inputs,
        "parameters": params,
    })
}

fn main_pcns(p: &Prepared, members: &[usize]) -> String {
    let mut m: BTreeMap<String, f64> = BTreeMap::new();
    let mut total = 0.0;
    for &i in members {
        for (pcn, mass) in p.study.pcn_mass(i) {
            *m.entry(p.study.pcn_named(pcn).name.clone()).or_default() += mass;
            total += mass;
        }
    }
    let mut v: Vec<(String, f64)> = m.into_iter().collect();
    v.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    v.iter()
        .filter(|x| x.1 >= 0.1 * total)
        .take(3)
        .map(|(n, s)| format!("{n} ({:.0}%)", s / total * 100.0))
        .collect::<Vec<_>>()
        .join("; ")
}

/// Features for a plan's SNPs and MNPs (BNG geometry).
pub fn plan_features(
    p: &Prepared,
    b: &Built,
    snp_unit: &dyn Fn(usize) -> String,
    mnp_unit: &dyn Fn(usize) -> String,
) -> Vec<OutFeature> {
    let plan = &b.plan;
    let mut snp_members: Vec<Vec<usize>> = vec![Vec::new(); plan.n_snp()];
    let mut mnp_members: Vec<Vec<usize>> = vec![Vec::new(); plan.n_mnp()];
    for i in 0..p.study.areas.len() {
        snp_members[plan.snp_of[i]].push(i);
        mnp_members[plan.mnp_of(i)].push(i);
    }
    let groups: Vec<(&str, usize, &Vec<usize>)> = snp_members
        .iter()
        .enumerate()
        .map(|(s, m)| ("SNP", s, m))
        .chain(mnp_members.iter().enumerate().map(|(s, m)| ("MNP", s, m)))
        .collect();
    // MNPs are dissolved from their LSOAs, not from the SNP polygons: a second union of
    // already-dissolved parts left zero-area spikes along the internal SNP boundaries.
    let geoms: Vec<MultiPolygon> = groups.par_iter().map(|(_, _, m)| dissolve(p, m)).collect();
    groups
        .iter()
        .zip(geoms)
        .map(|((level, id, members), geom)| {
            let pop: u64 = members.iter().map(|&i| p.study.areas[i].pop).sum();
            let mut props = Map::new();
            props.insert("level".into(), json!(level));
            let (idtxt, name) = if *level == "SNP" {
                (format!("SNP{:03}", id + 1), b.snp_names[*id].clone())
            } else {
                (format!("MNP{:02}", id + 1), b.mnp_names[*id].clone())
            };
            props.insert("id".into(), json!(idtxt));
            props.insert("name".into(), json!(name));
            props.insert("population".into(), json!(pop));
            props.insert("lsoa_count".into(), json!(members.len()));
            let unit = if *level == "SNP" { snp_unit(members[0]) } else { mnp_unit(members[0]) };
            props.insert("boundary_unit".into(), json!(unit));
            if *level == "SNP" {
                let m = plan.mnp_of_snp[*id];
                props.insert("mnp_id".into(), json!(format!("MNP{:02}", m + 1)));
                props.insert("mnp_name".into(), json!(b.mnp_names[m]));
            }
            props.insert("main_pcns".into(), json!(main_pcns(p, members)));
            props.insert(
                "area_km2".into(),
                json!((members.iter().map(|&i| p.study.areas[i].area_m2).sum::<f64>() / 1e4).round() / 100.0),
            );
            OutFeature { props, geom }
        })
        .collect()
}

/// (snp id, snp name, mnp id, mnp name) of LSOA `i` in a built set.
fn ids(b: &Built, i: usize) -> [String; 4] {
    let s = b.plan.snp_of[i];
    let m = b.plan.mnp_of_snp[s];
    [format!("SNP{:03}", s + 1), b.snp_names[s].clone(), format!("MNP{:02}", m + 1), b.mnp_names[m].clone()]
}

/// The properties of each LSOA feature in `lsoas.geojson`: its footprint attributes (for QGIS
/// styling and joins); the geometry is [`Prepared::lsoa_geometry_json`].
pub fn lsoa_properties(p: &Prepared, b: &Built) -> Vec<Map<String, Value>> {
    p.study
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let [snp_id, snp_name, mnp_id, mnp_name] = ids(b, i);
            let mut props = Map::new();
            props.insert("lsoa_code".into(), json!(a.code));
            props.insert("lsoa_name".into(), json!(a.name));
            props.insert("population".into(), json!(a.pop));
            props.insert("snp_id".into(), json!(snp_id));
            props.insert("snp_name".into(), json!(snp_name));
            props.insert("mnp_id".into(), json!(mnp_id));
            props.insert("mnp_name".into(), json!(mnp_name));
            props.insert("lad_code".into(), json!(p.study.lad(i).code));
            props.insert("imd_decile".into(), json!(a.imd.as_ref().and_then(|x| x.decile)));
            props.insert("pcn_code".into(), json!(p.study.pcn(i).map(|n| n.code.clone())));
            props
        })
        .collect()
}

/// Lookup CSV rows: lsoa_code, lsoa_name, population, snp id/name, mnp id/name.
pub fn lookup_csv(p: &Prepared, b: &Built) -> String {
    let rows: Vec<Vec<String>> = p
        .study
        .areas
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let mut row = vec![a.code.clone(), a.name.clone(), a.pop.to_string()];
            row.extend(ids(b, i));
            row
        })
        .collect();
    csv_string(&["lsoa_code", "lsoa_name", "population", "snp_id", "snp_name", "mnp_id", "mnp_name"], &rows)
}

/// Write one footprint set's folder: lookup.csv, footprints.geojson, run.json.
pub fn write_built(
    p: &Prepared,
    b: &Built,
    dir: &Path,
    meta: Value,
    snp_unit: &dyn Fn(usize) -> String,
    mnp_unit: &dyn Fn(usize) -> String,
) -> Result<()> {
    let feats = plan_features(p, b, snp_unit, mnp_unit);
    let mut meta = meta;
    meta["kind"] = json!(b.kind);
    meta["label"] = json!(b.label);
    meta["metrics"] = serde_json::to_value(&b.metrics).unwrap_or(Value::Null);
    if !p.study.areas.iter().any(|a| a.pcn.is_some()) {
        // Without PCNs nothing is split: the PCN figures do not apply (null), rather than a perfect 0.
        for k in ["pcn_split_share", "pcns_split"] {
            meta["metrics"][k] = Value::Null;
        }
        meta["metrics"]["components"]["pcn_split"] = Value::Null;
    }
    meta["recom_proposals"] = json!(b.proposals);
    meta["run_seed"] = json!(b.seed);
    atomic_write(&dir.join("lookup.csv"), lookup_csv(p, b).as_bytes())?;
    let lsoas = lsoa_properties(p, b);
    let path = dir.join("lsoas.geojson");
    let geometry = p.lsoa_geometry_json().map_err(|(i, why)| invalid_polygon(&path, i, &lsoas[i], &why))?;
    let lsoas = feature_collection(lsoas.iter().zip(geometry.iter().map(String::as_str)), Crs::Wgs84, None);
    atomic_write(&path, lsoas.as_bytes())?;
    write_geojson(&dir.join("footprints.geojson"), &feats, Crs::Wgs84, Some(&meta))?;
    atomic_write(&dir.join("run.json"), (serde_json::to_string_pretty(&meta).unwrap_or_default() + "\n").as_bytes())?;
    Ok(())
}

/// Check a plan's hard invariants; returns a list of violations (empty = fine).
pub fn check_plan(p: &Prepared, plan: &Plan) -> Vec<String> {
    check_plan_with(p, plan, true)
}

/// As [`check_plan_with`], and every SNP must meet `rule` on the sum of its LSOAs' tallies
/// (`tallies[i]` is LSOA `i`'s): the same [`HardConstraint`] interface the builder cuts with.
pub fn check_plan_constrained(
    p: &Prepared,
    plan: &Plan,
    contiguous: bool,
    rule: &dyn HardConstraint,
    tallies: &[Tally],
) -> Vec<String> {
    let mut bad = check_plan_with(p, plan, contiguous);
    if !bad.is_empty() || tallies.len() != plan.snp_of.len() {
        return bad;
    }
    let mut per = vec![Tally::default(); plan.n_snp()];
    for (i, &s) in plan.snp_of.iter().enumerate() {
        per[s].add(tallies[i]);
    }
    bad.extend(violations(rule, "SNP", &per));
    bad
}

/// As [`check_plan`]; `contiguous = false` skips contiguity (the PCN baseline keeps catchments whole, exclaves included).
pub fn check_plan_with(p: &Prepared, plan: &Plan, contiguous: bool) -> Vec<String> {
    let mut bad = Vec::new();
    if plan.snp_of.len() != p.study.areas.len() {
        bad.push("plan does not cover every LSOA".into());
        return bad;
    }
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); plan.n_snp()];
    for (i, &s) in plan.snp_of.iter().enumerate() {
        if s >= plan.n_snp() {
            bad.push(format!("LSOA {} has no SNP", p.study.areas[i].code));
            continue;
        }
        members[s].push(i);
    }
    for (s, m) in members.iter().enumerate() {
        if m.is_empty() {
            bad.push(format!("SNP {s} is empty"));
        } else if contiguous && !p.graph.is_connected(m) {
            bad.push(format!("SNP {s} is not contiguous"));
        }
    }
    let mut mm: Vec<Vec<usize>> = vec![Vec::new(); plan.n_mnp()];
    for i in 0..plan.snp_of.len() {
        mm[plan.mnp_of(i)].push(i);
    }
    for (m, v) in mm.iter().enumerate() {
        if contiguous && !p.graph.is_connected(v) {
            bad.push(format!("MNP {m} is not contiguous"));
        }
    }
    bad
}
