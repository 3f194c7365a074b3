//! The national files `init` looks for, found by the layout of `../shared/data` or named one by one.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// Where each national file lies in a data folder laid out like `../shared/data`.
pub const LAYOUT: &[(&str, &str)] = &[
    ("boundaries", "england/boundaries/lsoa21_bsc_ew_wgs84.geojson"),
    ("population", "england/population/census2021_usual_residents_lsoa21_ew.csv"),
    ("deprivation", "england/deprivation/iod2025_lsoa21_scores_ranks_deciles.csv"),
    ("lookup", "england/lookups/lsoa21_ward24_lad24_ew.csv"),
    ("sub_icb", "england/lookups/lsoa21_sicbl24_icb24_en.csv"),
    ("regions", "england/lookups/lad24_region24_en.csv"),
    ("msoa_lookup", "england/lookups/lsoa21_msoa21_ew_derived.csv"),
    ("msoa_names", "england/places/msoa_names_hocl_v1.14.csv"),
    ("practices", "england/gp/gp-reg-pat-prac-map_2025-10.csv"),
];

/// The national files, each an absolute path; the first four are needed, the rest add to the scenario.
#[derive(Debug, Clone, Default)]
pub struct DataFiles {
    /// LSOA 2021 polygons (England and Wales).
    pub boundaries: Option<PathBuf>,
    /// Census 2021 usual residents by LSOA.
    pub population: Option<PathBuf>,
    /// IoD 2025 File 7.
    pub deprivation: Option<PathBuf>,
    /// LSOA → ward → LAD best-fit lookup.
    pub lookup: Option<PathBuf>,
    /// LSOA → sub-ICB → ICB lookup.
    pub sub_icb: Option<PathBuf>,
    /// LAD → region lookup.
    pub regions: Option<PathBuf>,
    /// LSOA → MSOA lookup.
    pub msoa_lookup: Option<PathBuf>,
    /// House of Commons Library MSOA names.
    pub msoa_names: Option<PathBuf>,
    /// NHS England practice → PCN map (`gp-reg-pat-prac-map.csv`).
    pub practices: Option<PathBuf>,
    /// LGR option tables (`*/lgr/*.csv` with a `lad24_code` column).
    pub lgr: Vec<PathBuf>,
}

impl DataFiles {
    /// Find the files under `data` (when given) by the layout, then let `named` (key, path) pairs
    /// override them. Missing optional files are left `None`; missing needed ones are an error
    /// naming the path looked at and the flag that names the file.
    pub fn find(data: Option<&Path>, named: &[(&str, Option<PathBuf>)]) -> Result<DataFiles> {
        let mut f = DataFiles::default();
        if let Some(d) = data {
            if !d.is_dir() {
                return Err(Error::input(d, "the data folder does not exist").hint(
                    "give --data the folder laid out like ../shared/data (england/boundaries, england/lookups, …)",
                ));
            }
            for (key, rel) in LAYOUT {
                let p = d.join(rel);
                if p.is_file() {
                    *f.slot(key) = Some(abs(&p)?);
                }
            }
            f.lgr = lgr_tables(d)?;
        }
        for (key, p) in named {
            if let Some(p) = p {
                if !p.is_file() {
                    return Err(Error::input(p, format!("the {key} file given does not exist")));
                }
                *f.slot(key) = Some(abs(p)?);
            }
        }
        for key in ["boundaries", "population", "lookup"] {
            if f.slot(key).is_none() {
                let rel = LAYOUT.iter().find(|(k, _)| *k == key).map(|(_, r)| *r).unwrap_or_default();
                let looked = data.map(|d| d.join(rel).display().to_string()).unwrap_or_else(|| "no --data".into());
                return Err(Error::scenario(format!("no {key} file: looked for {looked}")).hint(format!(
                    "give --data DIR (a folder laid out like ../shared/data) or --{}",
                    key.replace('_', "-")
                )));
            }
        }
        Ok(f)
    }

    fn slot(&mut self, key: &str) -> &mut Option<PathBuf> {
        match key {
            "boundaries" => &mut self.boundaries,
            "population" => &mut self.population,
            "deprivation" => &mut self.deprivation,
            "lookup" => &mut self.lookup,
            "sub_icb" => &mut self.sub_icb,
            "regions" => &mut self.regions,
            "msoa_lookup" => &mut self.msoa_lookup,
            "msoa_names" => &mut self.msoa_names,
            _ => &mut self.practices,
        }
    }
}

/// An absolute, canonical path (so relative paths can be written from the scenario's folder).
pub fn abs(p: &Path) -> Result<PathBuf> {
    std::fs::canonicalize(p).map_err(|e| Error::io(p, "cannot open file", e))
}

/// `DIR/*/lgr/*.csv` and `DIR/england/lgr/*.csv`, in name order.
fn lgr_tables(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    let Ok(rd) = std::fs::read_dir(dir) else { return Ok(out) };
    let mut subs: Vec<PathBuf> =
        rd.filter_map(|e| e.ok().map(|e| e.path().join("lgr"))).filter(|p| p.is_dir()).collect();
    subs.sort();
    for s in subs {
        let Ok(rd) = std::fs::read_dir(&s) else { continue };
        let mut files: Vec<PathBuf> =
            rd.filter_map(|e| e.ok().map(|e| e.path())).filter(|p| p.extension().is_some_and(|x| x == "csv")).collect();
        files.sort();
        for f in files {
            out.push(abs(&f)?);
        }
    }
    Ok(out)
}

/// `target` written relative to the folder `from` (both absolute), with `/` separators.
pub fn relative(target: &Path, from: &Path) -> String {
    let t: Vec<_> = target.components().collect();
    let f: Vec<_> = from.components().collect();
    let common = t.iter().zip(&f).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return target.display().to_string().replace('\\', "/");
    }
    let mut parts: Vec<String> = vec!["..".into(); f.len() - common];
    parts.extend(t[common..].iter().map(|c| c.as_os_str().to_string_lossy().into_owned()));
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_climb_to_the_common_folder() {
        assert_eq!(relative(Path::new("/a/b/c.csv"), Path::new("/a/d/e")), "../../b/c.csv");
        assert_eq!(relative(Path::new("/a/b/c.csv"), Path::new("/a/b")), "c.csv");
    }
}
