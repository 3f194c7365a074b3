//! Saving a version: `OUT/<version>/lookup.csv`, `footprints.geojson` and `version.json`, written
//! into a temporary folder and swapped in whole ([`OutDir`]), so a save never leaves a half-written
//! or mixed folder, and a second process saving into the same folder is refused while one writes.
//! The folder is a footprint set that `score`, `compare`, `map` and `report` read as it is.

use super::session::Session;
use crate::error::Result;
use crate::export::{dissolve, run_meta};
use crate::io::crs::Crs;
use crate::io::outdir::{Command, OutDir};
use crate::io::write::{atomic_write, csv_string, write_geojson, OutFeature};
use rayon::prelude::*;
use serde_json::{json, Map};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Files a save writes into the version's folder.
pub const FILES: [&str; 3] = ["lookup.csv", "footprints.geojson", "version.json"];

/// The lookup CSV of the current version: lsoa_code, lsoa_name, population, snp_name and, when
/// the set is nested, mnp_name (the columns `score` reads).
pub fn lookup_csv(s: &Session) -> String {
    let v = s.version();
    let rows: Vec<Vec<String>> =
        s.p.study
            .areas
            .iter()
            .enumerate()
            .map(|(i, a)| {
                let mut r = vec![a.code.clone(), a.name.clone(), a.pop.to_string(), v.now.fp[i].clone()];
                if let Some(m) = &v.now.mnp {
                    r.push(m[i].clone());
                }
                r
            })
            .collect();
    let mut header = vec!["lsoa_code", "lsoa_name", "population", "snp_name"];
    if v.now.mnp.is_some() {
        header.push("mnp_name");
    }
    csv_string(&header, &rows)
}

/// SNP features (and MNP features when nested), with `level`, `name`, `population`, `lsoa_count`
/// and, for SNPs of a nested set, `mnp_name` (BNG geometry).
fn features<'a>(s: &'a Session) -> Vec<OutFeature> {
    let v = s.version();
    let mut groups: Vec<(&str, &str, Option<&str>, Vec<usize>)> = Vec::new();
    let mut add = |level: &'static str, names: &'a [String], mnp: Option<&'a [String]>| {
        let mut by: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, n) in names.iter().enumerate() {
            by.entry(n.as_str()).or_default().push(i);
        }
        for (n, m) in by {
            let up = mnp.map(|x| x[m[0]].as_str());
            groups.push((level, n, up, m));
        }
    };
    add("SNP", &v.now.fp, v.now.mnp.as_deref());
    if let Some(m) = &v.now.mnp {
        add("MNP", m, None);
    }
    let geoms: Vec<_> = groups.par_iter().map(|g| dissolve(&s.p, &g.3)).collect();
    groups
        .iter()
        .zip(geoms)
        .map(|((level, name, up, m), geom)| {
            let mut props = Map::new();
            props.insert("level".into(), json!(level));
            props.insert("name".into(), json!(name));
            props.insert("population".into(), json!(m.iter().map(|&i| s.p.study.areas[i].pop).sum::<u64>()));
            props.insert("lsoa_count".into(), json!(m.len()));
            if let Some(up) = up {
                props.insert("mnp_name".into(), json!(up));
            }
            OutFeature { props, geom }
        })
        .collect()
}

/// Save the current version into `out/<version name>/`; returns the folder and the files written.
pub fn save(s: &Session, out: &Path) -> Result<(PathBuf, Vec<String>)> {
    let v = s.version();
    let target = std::path::absolute(out.join(&v.name)).map_err(|e| crate::error::Error::write(out, e))?;
    let dir = OutDir::begin(&target, Command::Serve)?;
    let meta = run_meta(
        &s.p,
        s.p.scenario.build.seed,
        json!({
            "editor_version": v.name, "started_from": s.source, "edits": v.undo_len(),
            "locked": v.locked, "snp_target": s.opts.target, "tolerance": s.opts.tolerance,
        }),
    );
    atomic_write(&dir.path().join("lookup.csv"), lookup_csv(s).as_bytes())?;
    write_geojson(&dir.path().join("footprints.geojson"), &features(s), Crs::Wgs84, Some(&meta))?;
    let meta = serde_json::to_string_pretty(&meta).unwrap_or_default() + "\n";
    atomic_write(&dir.path().join("version.json"), meta.as_bytes())?;
    dir.commit()?;
    Ok((target, FILES.iter().map(|f| f.to_string()).collect()))
}
