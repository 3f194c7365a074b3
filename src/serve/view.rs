//! What the editor page is sent: the study once (LSOA polygons with what hovering shows, district
//! and LGR lines, practices), then after every edit the session's state (footprint of each LSOA,
//! SNP and MNP outlines, every headline score beside the starting set's, per-footprint rows, what
//! changed). Geometry is RFC 7946 GeoJSON in WGS84, made by the same writer as `footprints.geojson`.

use super::session::{Session, Snapshot};
use crate::export::dissolve;
use crate::fmt::{num, NA};
use crate::io::crs::{bng_to_wgs84, Crs};
use crate::io::write::{feature_collection, geometry_json};
use crate::prepare::Prepared;
use crate::score::{Scores, Value as MValue};
use rayon::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Dissolved outlines (WGS84 GeoJSON geometry members) of LSOA groups, kept across edits: an
/// edit redraws only the footprints whose LSOAs changed.
#[derive(Debug, Default, Clone)]
pub struct Outlines {
    cache: HashMap<Vec<usize>, String>,
}

/// Entries kept before the outline cache is emptied (a long session stays small).
const OUTLINE_CACHE: usize = 4_000;

impl Outlines {
    /// A FeatureCollection with one feature per group (`name` → its LSOAs, in study order).
    pub fn collection(
        &mut self,
        p: &Prepared,
        groups: &BTreeMap<&str, Vec<usize>>,
        props: &dyn Fn(&str) -> Map<String, Value>,
    ) -> String {
        if self.cache.len() > OUTLINE_CACHE {
            self.cache.clear();
        }
        let missing: Vec<&Vec<usize>> = groups.values().filter(|m| !self.cache.contains_key(*m)).collect();
        let made: Vec<(Vec<usize>, String)> = missing
            .par_iter()
            .map(|m| {
                // A dissolve that would be written invalid is drawn as nothing rather than wrongly.
                let g = geometry_json(&dissolve(p, m), Crs::Wgs84)
                    .unwrap_or_else(|_| "{\"type\":\"MultiPolygon\",\"coordinates\":[]}".into());
                ((*m).clone(), g)
            })
            .collect();
        self.cache.extend(made);
        let props: Vec<Map<String, Value>> = groups.keys().map(|n| props(n)).collect();
        let geoms: Vec<&str> = groups.values().map(|m| self.cache[m].as_str()).collect();
        feature_collection(props.iter().zip(geoms), Crs::Wgs84, None)
    }
}

/// Study LSOAs grouped by a name per LSOA.
fn groups(names: &[String]) -> BTreeMap<&str, Vec<usize>> {
    let mut g: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, n) in names.iter().enumerate() {
        g.entry(n.as_str()).or_default().push(i);
    }
    g
}

fn lsoa_props(p: &Prepared, i: usize) -> Map<String, Value> {
    let s = &p.study;
    let a = &s.areas[i];
    let mut m = Map::new();
    m.insert("i".into(), json!(i));
    m.insert("code".into(), json!(a.code));
    m.insert("name".into(), json!(a.name));
    m.insert("population".into(), json!(a.pop));
    m.insert("imd_decile".into(), json!(a.imd.as_ref().and_then(|x| x.decile)));
    m.insert("pcn".into(), json!(s.pcn(i).map(|n| n.label())));
    m.insert("ward".into(), json!(s.ward(i).map(|n| n.name.clone())));
    m.insert("town".into(), json!(s.place(i).map(|n| n.name.clone())));
    m.insert("district".into(), json!(s.lad(i).label()));
    m
}

/// The study as the page draws it (sent once): LSOAs, district and LGR outlines, practices,
/// targets and provenance. Fails with the first LSOA whose polygon would be written invalid.
pub fn study_json(s: &Session, outlines: &mut Outlines) -> crate::error::Result<String> {
    let p = &s.p;
    let geoms = p.lsoa_geometry_json().map_err(|(i, why)| {
        crate::error::Error::scenario(format!("LSOA {} cannot be drawn: {why}", p.study.areas[i].code))
    })?;
    let props: Vec<Map<String, Value>> = (0..p.study.areas.len()).map(|i| lsoa_props(p, i)).collect();
    let lsoas = feature_collection(props.iter().zip(geoms.iter().map(String::as_str)), Crs::Wgs84, None);
    let lads: Vec<String> = (0..p.study.areas.len()).map(|i| p.study.lad(i).label()).collect();
    let named = |n: &str| {
        let mut m = Map::new();
        m.insert("name".into(), json!(n));
        m
    };
    let districts = outlines.collection(p, &groups(&lads), &named);
    let mut lgr = Vec::new();
    for o in &p.study.lgr {
        let units: Vec<String> =
            (0..p.study.areas.len()).map(|i| o.unit_name(i).unwrap_or("(no unit)").to_string()).collect();
        lgr.push(format!(
            "{{\"name\":{},\"outlines\":{}}}",
            json!(o.name),
            outlines.collection(p, &groups(&units), &named)
        ));
    }
    let practices: Vec<Value> = p
        .study
        .practices
        .iter()
        .filter_map(|pr| {
            let ll = bng_to_wgs84(pr.xy.x, pr.xy.y)?;
            let pcn = pr.pcn.map(|id| p.study.pcn_named(id).label()).unwrap_or_else(|| pr.pcn_name.clone());
            Some(json!({"code": pr.code, "name": pr.name, "pcn": pcn, "lon": ll.x, "lat": ll.y}))
        })
        .collect();
    let b = &p.scenario.build;
    let head = json!({
        "name": p.study.name, "version": crate::VERSION, "source": s.source,
        "snp_target": b.snp_target, "mnp_target": b.mnp_target, "tolerance": b.tolerance,
        "inputs": p.report.inputs, "practices": practices,
    });
    let head = head.to_string();
    // Splice the prebuilt GeoJSON strings into the object (they are large and already serialised).
    Ok(format!(
        "{},\"lsoas\":{},\"districts\":{},\"lgr\":[{}]}}",
        &head[..head.len() - 1],
        lsoas.trim_end(),
        districts.trim_end(),
        lgr.join(",")
    ))
}

fn text(v: &MValue) -> String {
    match v {
        MValue::Num(x) => num(*x),
        MValue::NotApplicable(_) => NA.to_string(),
    }
}

/// Headline metrics of the current version beside the starting set's.
fn metrics_json(now: &Scores, start: &Scores) -> Vec<Value> {
    now.metrics
        .iter()
        .filter(|m| m.headline)
        .map(|m| {
            let was = start.get(&m.key);
            let (v, w) = (m.value.num(), was.and_then(|w| w.value.num()));
            let changed = match (v, w) {
                (Some(a), Some(b)) => (a - b).abs() > 1e-9,
                (a, b) => a.is_some() != b.is_some(),
            };
            let why = match &m.value {
                MValue::NotApplicable(why) => Some(why.clone()),
                MValue::Num(_) => None,
            };
            json!({
                "key": m.key, "label": m.table_label(), "better": m.better.as_str(),
                "value": v, "text": text(&m.value), "why": why,
                "start": w, "start_text": was.map_or(NA.to_string(), |w| text(&w.value)),
                "changed": changed, "names": m.names,
            })
        })
        .collect()
}

/// Per-footprint rows, with whether each footprint's LSOAs differ from the starting set's
/// footprint of the same name, and whether it is locked, outside tolerance or in pieces.
fn rows_json(s: &Session, now: &Scores, pieces: &BTreeSet<String>) -> Vec<Value> {
    let v = s.version();
    let members =
        |snap: &Snapshot, name: &str| -> Vec<usize> { (0..snap.fp.len()).filter(|&i| snap.fp[i] == name).collect() };
    let tol = s.opts.tolerance * 100.0;
    now.rows
        .iter()
        .map(|r| {
            let changed = members(&v.now, &r.name) != members(&s.start, &r.name);
            json!({
                "name": r.name, "mnp": r.mnp, "population": r.population,
                "deviation_pct": r.deviation_pct, "outside": r.deviation_pct.abs() > tol + 1e-9,
                "lsoas": r.lsoas, "main_pcn": r.main_pcn, "pcn_share": r.pcn_share,
                "core20_share": r.core20_share, "hub": r.hub, "hub_mean": r.hub_mean,
                "in_pieces": pieces.contains(&r.name), "locked": v.locked.contains(&r.name), "changed": changed,
            })
        })
        .collect()
}

/// The state after an edit: assignment, outlines, scores beside the start, rows, history.
pub fn state_json(s: &Session, outlines: &mut Outlines, warnings: &[String]) -> String {
    let v = s.version();
    let now = s.scores();
    let pieces: BTreeSet<String> =
        now.get("contiguity.split").and_then(|m| m.names.clone()).unwrap_or_default().into_iter().collect();
    let names: Vec<&str> = v.now.names().into_iter().collect();
    let of: Vec<usize> = v.now.fp.iter().map(|f| names.binary_search(&f.as_str()).unwrap_or(0)).collect();
    let moved: Vec<usize> = (0..v.now.fp.len()).filter(|&i| v.now.fp[i] != s.start.fp[i]).collect();
    let mnp_of = |n: &str| {
        let mut m = Map::new();
        m.insert("name".into(), json!(n));
        m.insert("in_pieces".into(), json!(pieces.contains(n)));
        m
    };
    let snp = outlines.collection(&s.p, &groups(&v.now.fp), &mnp_of);
    let mnp = v.now.mnp.as_ref().map(|m| {
        let named = |n: &str| {
            let mut p = Map::new();
            p.insert("name".into(), json!(n));
            p
        };
        outlines.collection(&s.p, &groups(m), &named)
    });
    let head = json!({
        "version": v.name,
        "versions": s.versions.iter().map(|v| &v.name).collect::<Vec<_>>(),
        "can_undo": v.can_undo(), "can_redo": v.can_redo(),
        "locked": v.locked, "names": names, "of": of, "moved": moved,
        "in_pieces": pieces, "nested": v.now.mnp.is_some(),
        "footprints": now.footprints, "population": now.population,
        "metrics": metrics_json(&now, &s.start_scores),
        "rows": rows_json(s, &now, &pieces),
        "warnings": warnings,
    })
    .to_string();
    format!(
        "{},\"outlines\":{{\"snp\":{},\"mnp\":{}}}}}",
        &head[..head.len() - 1],
        snp.trim_end(),
        mnp.as_deref().map_or("null", str::trim_end)
    )
}

/// Headline metrics of every version (and the starting set) side by side, best marked: the
/// compare view.
pub fn compare_json(s: &Session) -> Value {
    let mut all = vec![s.start_scores.clone()];
    all[0].label = format!("start ({})", s.source);
    for v in &s.versions {
        all.push(crate::score::score(&s.p, &v.now.to_set(&v.name), &s.opts));
    }
    let rows: Vec<Value> = crate::export::scores::comparison_rows(&all)
        .iter()
        .map(|r| {
            let cells: Vec<Value> = r
                .values
                .iter()
                .map(|x| json!({"value": x, "text": x.map_or(NA.to_string(), num), "best": x.is_some_and(|x| r.is_best(x))}))
                .collect();
            json!({"key": r.key, "label": r.label, "cells": cells})
        })
        .collect();
    json!({"sets": all.iter().map(|s| &s.label).collect::<Vec<_>>(), "rows": rows})
}
