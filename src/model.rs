//! The study area's LSOAs with everything joined onto them: geometry (BNG), population,
//! deprivation, LAD, ward, LGR units and PCN. `Study::load` reads a scenario and reports
//! every join (matched / unmatched, with examples) for `footprints check`.

use crate::error::{Error, Result};
use crate::io::boundaries::read_polygons;
use crate::io::crs;
use crate::io::table::{parse_count, parse_f64, Table};
use crate::scenario::{LgrTable, Scenario};
use geo::{Area as _, Coord, InteriorPoint, MultiPolygon};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

/// Deprivation fields of one LSOA (decile and rank: 1 = most deprived nationally).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Imd {
    /// IMD score (higher = more deprived), if published in the table.
    pub score: Option<f64>,
    /// National rank.
    pub rank: Option<u32>,
    /// National decile.
    pub decile: Option<u8>,
    /// Optional need index.
    pub need: Option<f64>,
    /// True when carried from LSOA 2011 through a lookup.
    pub approximate: bool,
}

impl Imd {
    /// In the 20% most deprived nationally (deciles 1–2).
    pub fn core20(&self) -> bool {
        matches!(self.decile, Some(1 | 2))
    }
}

/// An LSOA's PCN.
#[derive(Debug, Clone, Serialize)]
pub struct PcnLink {
    /// PCN ODS code.
    pub code: String,
    /// PCN name.
    pub name: String,
    /// Share of the LSOA's registered patients in this PCN (1.0 when approximated).
    pub share: f64,
    /// True when taken from the nearest practice rather than registrations.
    pub approximate: bool,
}

/// One LSOA of the study area.
#[derive(Debug, Clone)]
pub struct Area {
    /// ONS code (E01…).
    pub code: String,
    /// ONS name.
    pub name: String,
    /// Polygon in BNG metres.
    pub geom: MultiPolygon,
    /// A point guaranteed inside the polygon.
    pub point: Coord,
    /// Area in m².
    pub area_m2: f64,
    /// Census 2021 usual residents.
    pub pop: u64,
    /// Deprivation.
    pub imd: Option<Imd>,
    /// LAD code.
    pub lad: String,
    /// LAD name.
    pub lad_name: String,
    /// Ward code and name (from the lookup).
    pub ward: Option<(String, String)>,
    /// LGR unit per option (same order as `Study::lgr`).
    pub lgr: Vec<Option<String>>,
    /// Unit per extra layer (same order as `Study::layers`).
    pub layers: Vec<Option<String>>,
    /// PCN.
    pub pcn: Option<PcnLink>,
    /// Registered patients living here (if registrations given).
    pub registered: u64,
    /// Registered patients by PCN code.
    pub reg_by_pcn: BTreeMap<String, u64>,
    /// Boundary-file attributes (for community columns).
    pub props: BTreeMap<String, String>,
}

/// A GP practice.
#[derive(Debug, Clone, Serialize)]
pub struct Practice {
    /// ODS code.
    pub code: String,
    /// Name.
    pub name: String,
    /// PCN code (None = unallocated).
    pub pcn_code: Option<String>,
    /// PCN name.
    pub pcn_name: String,
    /// Location, BNG metres.
    #[serde(skip)]
    pub xy: Coord,
    /// List size.
    pub list_size: Option<u64>,
    /// Index of the study-area LSOA containing it, if any.
    pub area: Option<usize>,
}

/// One LGR option over the study area.
#[derive(Debug, Clone, Serialize)]
pub struct LgrOption {
    /// Option name (e.g. "2UA").
    pub name: String,
    /// Units in order of first appearance.
    pub units: Vec<String>,
    /// LADs given only as part/most rows: LSOA-level assignment needed.
    pub needs_lsoa_table: Vec<String>,
    /// Study-area LSOAs with no unit.
    pub unassigned: Vec<String>,
}

impl LgrOption {
    /// True if every study LSOA has a unit and no LAD was approximated.
    pub fn exact(&self) -> bool {
        self.unassigned.is_empty() && self.needs_lsoa_table.is_empty()
    }
}

/// Join statistics for one input.
#[derive(Debug, Clone, Serialize)]
pub struct JoinStat {
    /// Input label.
    pub input: String,
    /// File.
    pub path: String,
    /// Rows read.
    pub rows: usize,
    /// Study-area LSOAs matched.
    pub matched: usize,
    /// Study-area LSOAs without a row.
    pub missing: usize,
    /// Examples of study LSOAs without a row.
    pub missing_examples: Vec<String>,
    /// Rows whose code is not a study LSOA (outside area or unknown).
    pub outside: usize,
    /// Rows whose code is not in the boundary file at all.
    pub unknown: usize,
    /// Examples of unknown codes.
    pub unknown_examples: Vec<String>,
}

/// An input file and its SHA-256.
#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    /// Role.
    pub role: String,
    /// Path as given.
    pub path: String,
    /// SHA-256 hex.
    pub sha256: String,
}

/// Everything loaded for a scenario.
#[derive(Debug, Clone)]
pub struct Study {
    /// Scenario name.
    pub name: String,
    /// The scenario.
    pub scenario: Scenario,
    /// Study-area LSOAs sorted by code.
    pub areas: Vec<Area>,
    /// Code → index.
    pub index: HashMap<String, usize>,
    /// Practices.
    pub practices: Vec<Practice>,
    /// LGR options.
    pub lgr: Vec<LgrOption>,
    /// Extra layer names.
    pub layers: Vec<String>,
    /// Join statistics.
    pub joins: Vec<JoinStat>,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Inputs with hashes.
    pub inputs: Vec<InputFile>,
    /// Features in the boundary file (before the study-area filter).
    pub boundary_features: usize,
    /// Registered patients read, and those living in the study area.
    pub registrations: Option<(u64, u64)>,
}

const EXAMPLES: usize = 5;

fn examples<'a>(it: impl Iterator<Item = &'a String>) -> Vec<String> {
    it.take(EXAMPLES).cloned().collect()
}

fn truthy(s: &str) -> bool {
    matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "1" | "yes" | "y" | "t")
}

/// SHA-256 of a file (hex).
pub fn hash_file(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(b) => format!("{:x}", Sha256::digest(&b)),
        Err(_) => "unreadable".into(),
    }
}

/// True if the code is an LSOA 2021 code that did not exist in 2011 (England E01033768+, Wales W01001959+).
pub fn new_in_2021(code: &str) -> bool {
    let n: u32 = code.get(3..).and_then(|d| d.parse().ok()).unwrap_or(0);
    (code.starts_with("E01") && n >= 33_768) || (code.starts_with("W01") && n >= 1_959)
}

impl Study {
    /// Load a scenario file and everything it names.
    pub fn load_path(path: &Path) -> Result<Study> {
        let sc = Scenario::load(path)?;
        Study::load(sc)
    }

    /// Load everything a scenario names.
    pub fn load(sc: Scenario) -> Result<Study> {
        let mut warnings = Vec::new();
        let mut joins = Vec::new();
        let mut inputs = Vec::new();
        // Inputs are hashed in parallel at the end.
        let mut add_input = |role: &str, p: &PathBuf| {
            inputs.push(InputFile { role: role.into(), path: p.display().to_string(), sha256: String::new() })
        };
        // Read every CSV table in parallel with the boundaries; each section then takes its own table,
        // so errors are still reported in the order the sections run.
        let mut csv_paths: Vec<PathBuf> = vec![sc.resolve(&sc.population.path)];
        csv_paths.extend(sc.lookup.as_ref().map(|l| sc.resolve(&l.path)));
        csv_paths.extend(sc.deprivation.as_ref().map(|d| sc.resolve(&d.path)));
        csv_paths.extend(sc.practices.as_ref().map(|d| sc.resolve(&d.path)));
        csv_paths.extend(sc.registrations.as_ref().map(|d| sc.resolve(&d.path)));
        csv_paths.extend(sc.layers.iter().map(|d| sc.resolve(&d.path)));
        csv_paths.sort();
        csv_paths.dedup();
        let bpath = sc.resolve(&sc.boundaries.path);
        let (layer, tables) = rayon::join(
            || read_polygons(&bpath, sc.boundaries.crs.as_deref(), &sc.boundaries.code),
            || {
                use rayon::prelude::*;
                csv_paths.par_iter().map(|p| (p.clone(), Table::read(p))).collect::<Vec<_>>()
            },
        );
        let prefetched: std::cell::RefCell<HashMap<PathBuf, Result<Table>>> =
            std::cell::RefCell::new(tables.into_iter().collect());
        let read_table =
            |p: &Path| -> Result<Table> { prefetched.borrow_mut().remove(p).unwrap_or_else(|| Table::read(p)) };

        // 1. Boundaries.
        let layer = layer?;
        add_input("boundaries", &bpath);
        warnings.extend(layer.warnings.iter().cloned());
        let bcfg = &sc.boundaries;
        if !layer.columns.iter().any(|c| c == &bcfg.code) {
            return Err(Error::input(&bpath, format!("no attribute named \"{}\" for the LSOA code", bcfg.code))
                .hint(format!("attributes found: {}; set boundaries.code in the scenario", layer.columns.join(", "))));
        }
        let has_lad_col = layer.columns.iter().any(|c| c == &bcfg.lad);
        let mut seen: HashMap<&str, usize> = HashMap::new();
        for (i, f) in layer.features.iter().enumerate() {
            let code = f.props.get(&bcfg.code).map(String::as_str).unwrap_or("");
            if code.is_empty() {
                return Err(Error::at(
                    &bpath,
                    format!("feature {}", i + 1),
                    format!("empty LSOA code in \"{}\"", bcfg.code),
                ));
            }
            if let Some(j) = seen.insert(code, i) {
                return Err(Error::at(
                    &bpath,
                    format!("features {} and {}", j + 1, i + 1),
                    format!("duplicate LSOA code {code}"),
                )
                .hint("each LSOA must appear once; dissolve or remove the duplicate"));
            }
        }
        let all_codes: BTreeSet<String> = seen.keys().map(|s| s.to_string()).collect();
        let boundary_features = layer.features.len();

        // 2. Lookup (wards, LAD fallback).
        let mut lookup: HashMap<String, (String, String, String, String)> = HashMap::new();
        let mut lookup_lad_names: BTreeSet<String> = BTreeSet::new();
        if let Some(lk) = &sc.lookup {
            let p = sc.resolve(&lk.path);
            let t = read_table(&p)?;
            add_input("lookup", &p);
            let (c, w, wn, l, ln) =
                (t.col(&lk.code)?, t.col(&lk.ward)?, t.col(&lk.ward_name)?, t.col(&lk.lad)?, t.col(&lk.lad_name)?);
            let mut seen_codes: HashSet<&str> = HashSet::new();
            for (i, r) in t.rows.iter().enumerate() {
                let code = t.get(r, c);
                if !seen_codes.insert(code) {
                    return Err(Error::at(&p, t.line(i), format!("duplicate LSOA code {code}"))
                        .hint("a best-fit lookup has one row per LSOA"));
                }
                if !has_lad_col {
                    lookup_lad_names.insert(t.get(r, ln).to_string());
                }
                // Only LSOAs of the boundary file can be used; skip the rest of England and Wales.
                if !seen.contains_key(code) {
                    continue;
                }
                let v = (
                    t.get(r, w).to_string(),
                    t.get(r, wn).to_string(),
                    t.get(r, l).to_string(),
                    t.get(r, ln).to_string(),
                );
                lookup.insert(code.to_string(), v);
            }
        }
        if !has_lad_col && sc.lookup.is_none() {
            warnings.push(format!(
                "no LAD: the boundary file has no \"{}\" column and no [lookup] is given; every LSOA gets LAD \"unknown\"",
                bcfg.lad
            ));
        }

        // 3. Study area.
        let sa = &sc.study_area;
        let polygon = match &sa.polygon {
            Some(p) => {
                let p = sc.resolve(p);
                let l = read_polygons(&p, None, "name")?;
                add_input("study_area.polygon", &p);
                Some(MultiPolygon::new(l.features.into_iter().flat_map(|f| f.geom.0).collect()))
            }
            None => None,
        };
        let mut areas = Vec::new();
        let mut lad_disagree = Vec::new();
        let all_lad_names: BTreeSet<String> = if has_lad_col {
            layer.features.iter().filter_map(|f| f.props.get(&bcfg.lad_name).cloned()).collect()
        } else {
            lookup_lad_names.clone()
        };
        for f in layer.features {
            let code = f.props[&bcfg.code].clone();
            let lk = lookup.get(&code);
            let (lad, lad_name) = if has_lad_col {
                (f.props[&bcfg.lad].clone(), f.props.get(&bcfg.lad_name).cloned().unwrap_or_default())
            } else if let Some(l) = lk {
                (l.2.clone(), l.3.clone())
            } else {
                ("unknown".into(), "unknown".into())
            };
            if let (true, Some(l)) = (has_lad_col, lk) {
                if l.2 != lad {
                    lad_disagree.push(format!("{code} (lookup {} {}, boundaries {lad} {lad_name})", l.2, l.3));
                }
            }
            if !sa.lads.is_empty() && !sa.lads.contains(&lad) {
                continue;
            }
            if let Some(flag) = &sa.flag {
                if !f.props.get(flag).is_some_and(|v| truthy(v)) {
                    continue;
                }
            }
            if let Some(prefix) = &sa.code_prefix {
                if !code.starts_with(prefix.as_str()) {
                    continue;
                }
            }
            let point = f.geom.interior_point().map(|p| p.0).unwrap_or_default();
            if let Some(poly) = &polygon {
                use geo::Contains;
                if !poly.contains(&point) {
                    continue;
                }
            }
            let name = f.props.get(&bcfg.name).cloned().unwrap_or_else(|| code.clone());
            areas.push(Area {
                ward: lk.map(|l| (l.0.clone(), l.1.clone())),
                code,
                name,
                area_m2: f.geom.unsigned_area(),
                geom: f.geom,
                point,
                pop: 0,
                imd: None,
                lad,
                lad_name,
                lgr: Vec::new(),
                layers: Vec::new(),
                pcn: None,
                registered: 0,
                reg_by_pcn: BTreeMap::new(),
                props: f.props,
            });
        }
        if !lad_disagree.is_empty() {
            lad_disagree.sort();
            warnings.push(format!(
                "{} LSOA(s) where the lookup's LAD differs from the boundary file's (the boundary file is used): {}",
                lad_disagree.len(),
                lad_disagree.iter().take(EXAMPLES).cloned().collect::<Vec<_>>().join("; ")
            ));
        }
        if areas.is_empty() {
            let mut lads: Vec<String> =
                lookup.values().map(|v| v.2.clone()).collect::<BTreeSet<_>>().into_iter().take(8).collect();
            if lads.is_empty() {
                lads.push("(none found)".into());
            }
            return Err(Error::scenario(format!(
                "the study area is empty: no LSOA in {} matches [study_area]",
                bpath.display()
            ))
            .hint(format!(
                "check study_area.lads / flag / code_prefix / polygon; LAD codes look like {}",
                lads.join(", ")
            )));
        }
        areas.sort_by(|a, b| a.code.cmp(&b.code));
        let index: HashMap<String, usize> = areas.iter().enumerate().map(|(i, a)| (a.code.clone(), i)).collect();

        // Name-prefix check (catches the best-fit lookup anomaly E01027305): an LSOA whose name
        // stem is the name of another existing LAD.
        let mut odd: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for a in &areas {
            if let Some((stem, _)) = a.name.rsplit_once(' ') {
                if stem != a.lad_name && all_lad_names.contains(stem) {
                    odd.entry(format!("{} {}", a.lad, a.lad_name))
                        .or_default()
                        .push(format!("{} \"{}\"", a.code, a.name));
                }
            }
        }
        for (lad, list) in odd {
            warnings.push(format!(
                "{} LSOA(s) assigned to LAD {lad} are named after another district: {} — check the LAD source",
                list.len(),
                list.iter().take(EXAMPLES).cloned().collect::<Vec<_>>().join(", ")
            ));
        }

        let mut study = Study {
            name: sc.name.clone(),
            scenario: sc.clone(),
            areas,
            index,
            practices: Vec::new(),
            lgr: Vec::new(),
            layers: Vec::new(),
            joins: Vec::new(),
            warnings: Vec::new(),
            inputs: Vec::new(),
            boundary_features,
            registrations: None,
        };

        // 4. Population.
        let pp = sc.resolve(&sc.population.path);
        let t = read_table(&pp)?;
        add_input("population", &pp);
        let (c, v) = (t.col(&sc.population.code)?, t.col(&sc.population.value)?);
        let mut got = vec![false; study.areas.len()];
        let mut js = JoinStat::new("population", &pp, t.rows.len());
        for (i, r) in t.rows.iter().enumerate() {
            let code = t.get(r, c);
            let raw = t.get(r, v);
            let n = parse_count(raw).ok_or_else(|| {
                Error::at(&pp, t.line(i), format!("population \"{raw}\" for {code} is not a whole number ≥ 0"))
                    .hint(format!("column \"{}\" must hold counts of people", sc.population.value))
            })?;
            study.join_row(&mut js, &all_codes, code, &mut got, &pp, &t, i, |a| a.pop = n)?;
        }
        study.finish_join(&mut js, &got);
        let missing_pop = js.missing;
        let pop_examples = js.missing_examples.clone();
        joins.push(js);
        if missing_pop > 0 {
            return Err(study.code_vintage_error(&pp, "population", missing_pop, &pop_examples, &got));
        }

        // 5. Deprivation.
        if let Some(d) = &sc.deprivation {
            let dp = sc.resolve(&d.path);
            let t = read_table(&dp)?;
            add_input("deprivation", &dp);
            let c = t.col(&d.code)?;
            let rank = t.find_col(&d.rank);
            let decile = t.find_col(&d.decile);
            let score = t.find_col(&d.score);
            if rank.is_none() && decile.is_none() && score.is_none() {
                return Err(Error::input(
                    &dp,
                    format!("none of the columns \"{}\", \"{}\", \"{}\" is present", d.score, d.rank, d.decile),
                )
                .hint(format!("columns found: {}; set deprivation.score / rank / decile", t.headers.join(", "))));
            }
            let need = match &d.need {
                Some(n) => Some(t.col(n)?),
                None => None,
            };
            let mut rows: HashMap<String, Imd> = HashMap::new();
            let mut dep_seen: HashSet<String> = HashSet::new();
            let mut dep_unknown: Vec<String> = Vec::new();
            for (i, r) in t.rows.iter().enumerate() {
                let code = t.get(r, c).to_string();
                let num = |col: Option<usize>, what: &str| -> Result<Option<f64>> {
                    match col {
                        None => Ok(None),
                        Some(k) => {
                            let s = t.get(r, k);
                            if s.is_empty() {
                                return Ok(None);
                            }
                            parse_f64(s).map(Some).ok_or_else(|| {
                                Error::at(&dp, t.line(i), format!("{what} \"{s}\" for {code} is not a number"))
                            })
                        }
                    }
                };
                let imd = Imd {
                    score: num(score, "IMD score")?,
                    rank: num(rank, "IMD rank")?.map(|x| x as u32),
                    decile: num(decile, "IMD decile")?.map(|x| x as u8),
                    need: num(need, "need index")?,
                    approximate: false,
                };
                if let Some(dec) = imd.decile {
                    if !(1..=10).contains(&dec) {
                        return Err(Error::at(&dp, t.line(i), format!("IMD decile {dec} for {code} is outside 1–10")));
                    }
                }
                if !dep_seen.insert(code.clone()) {
                    return Err(Error::at(&dp, t.line(i), format!("duplicate LSOA code {code}"))
                        .hint("one row per LSOA is expected"));
                }
                // Keep rows of boundary-file LSOAs (every row when carrying LSOA 2011 values through a lookup).
                if d.lsoa11_lookup.is_some() || all_codes.contains(&code) {
                    rows.insert(code, imd);
                } else {
                    dep_unknown.push(code);
                }
            }
            // Carry LSOA 2011 values onto 2021 codes if asked.
            if let Some(lk) = &d.lsoa11_lookup {
                let lp = sc.resolve(lk);
                let lt = read_table(&lp)?;
                add_input("deprivation.lsoa11_lookup", &lp);
                let (c11, c21) = (lt.col("lsoa11_code")?, lt.col("lsoa21_code")?);
                let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
                for r in &lt.rows {
                    parents.entry(lt.get(r, c21).to_string()).or_default().push(lt.get(r, c11).to_string());
                }
                let mut carried = HashMap::new();
                for a in &study.areas {
                    if let Some(ps) = parents.get(&a.code) {
                        let vals: Vec<&Imd> = ps.iter().filter_map(|p| rows.get(p)).collect();
                        if vals.is_empty() {
                            continue;
                        }
                        let mean = |f: &dyn Fn(&Imd) -> Option<f64>| {
                            let xs: Vec<f64> = vals.iter().filter_map(|v| f(v)).collect();
                            (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
                        };
                        carried.insert(
                            a.code.clone(),
                            Imd {
                                score: mean(&|v| v.score),
                                rank: mean(&|v| v.rank.map(f64::from)).map(|x| x.round() as u32),
                                decile: mean(&|v| v.decile.map(f64::from)).map(|x| x.round() as u8),
                                need: mean(&|v| v.need),
                                approximate: true,
                            },
                        );
                    }
                }
                warnings.push(format!(
                    "deprivation carried from LSOA 2011 to 2021 through {} ({} LSOAs; merged LSOAs take the mean of their parents)",
                    lp.display(),
                    carried.len()
                ));
                rows = carried;
            }
            let mut got = vec![false; study.areas.len()];
            let mut js = JoinStat::new("deprivation", &dp, t.rows.len());
            js.rows = t.rows.len();
            let mut keys: Vec<&String> = rows.keys().collect();
            keys.sort();
            for code in keys {
                if let Some(&i) = study.index.get(code) {
                    study.areas[i].imd = Some(rows[code].clone());
                    got[i] = true;
                    js.matched += 1;
                } else if all_codes.contains(code) {
                    js.outside += 1;
                } else {
                    js.unknown += 1;
                    if js.unknown_examples.len() < EXAMPLES {
                        js.unknown_examples.push(code.clone());
                    }
                }
            }
            if d.lsoa11_lookup.is_none() {
                dep_unknown.sort();
                js.unknown += dep_unknown.len();
                for c in dep_unknown.iter().take(EXAMPLES.saturating_sub(js.unknown_examples.len())) {
                    js.unknown_examples.push(c.clone());
                }
            }
            study.finish_join(&mut js, &got);
            let (missing, ex) = (js.missing, js.missing_examples.clone());
            joins.push(js);
            if missing > 0 {
                return Err(study.code_vintage_error(&dp, "deprivation", missing, &ex, &got));
            }
        }

        // 6. Practices.
        let mut practice_pcn: HashMap<String, (Option<String>, String)> = HashMap::new();
        if let Some(pc) = &sc.practices {
            let p = sc.resolve(&pc.path);
            let t = read_table(&p)?;
            add_input("practices", &p);
            let (c, n, pcode, pname) = (t.col(&pc.code)?, t.col(&pc.name)?, t.col(&pc.pcn_code)?, t.col(&pc.pcn_name)?);
            let bng = match (&pc.easting, &pc.northing) {
                (Some(e), Some(nn)) => Some((t.col(e)?, t.col(nn)?)),
                _ => None,
            };
            let ll = match (&pc.lat, &pc.lon) {
                (Some(a), Some(o)) if bng.is_none() => Some((t.col(a)?, t.col(o)?)),
                _ => None,
            };
            let list = match &pc.list_size {
                Some(l) => Some(t.col(l)?),
                None => None,
            };
            let mut seen = HashSet::new();
            for (i, r) in t.rows.iter().enumerate() {
                let code = t.get(r, c).to_string();
                if !seen.insert(code.clone()) {
                    return Err(Error::at(&p, t.line(i), format!("duplicate practice code {code}")));
                }
                let coord = |a: usize, b: usize| -> Option<(f64, f64)> {
                    Some((parse_f64(t.get(r, a))?, parse_f64(t.get(r, b))?))
                };
                let xy = if let Some((e, nn)) = bng {
                    coord(e, nn).map(|(x, y)| Coord { x, y })
                } else if let Some((a, o)) = ll {
                    coord(a, o).and_then(|(lat, lon)| crs::wgs84_to_bng(lon, lat))
                } else {
                    None
                };
                let xy = xy.ok_or_else(|| {
                    Error::at(&p, t.line(i), format!("practice {code} has no usable coordinates"))
                        .hint("geocode the practice postcode (e.g. with ONS Postcode Directory / Code-Point Open) or remove the row")
                })?;
                if !crs::looks_bng(xy) {
                    return Err(Error::at(
                        &p,
                        t.line(i),
                        format!("practice {code} lies outside Great Britain ({:.0}, {:.0})", xy.x, xy.y),
                    )
                    .hint("check the coordinate columns are not swapped (easting/northing, lat/lon)"));
                }
                let pcn_code = t.get(r, pcode).to_string();
                let pcn_code = (!pc.unallocated.contains(&pcn_code)).then_some(pcn_code);
                let list_size = match list {
                    Some(l) => Some(parse_count(t.get(r, l)).ok_or_else(|| {
                        Error::at(
                            &p,
                            t.line(i),
                            format!("list size \"{}\" of {code} is not a whole number", t.get(r, l)),
                        )
                    })?),
                    None => None,
                };
                practice_pcn.insert(code.clone(), (pcn_code.clone(), t.get(r, pname).to_string()));
                study.practices.push(Practice {
                    code,
                    name: t.get(r, n).to_string(),
                    pcn_code,
                    pcn_name: t.get(r, pname).to_string(),
                    xy,
                    list_size,
                    area: None,
                });
            }
            study.practices.sort_by(|a, b| a.code.cmp(&b.code));
        }

        // 7. Registrations → majority PCN per LSOA.
        if let Some(rg) = &sc.registrations {
            let p = sc.resolve(&rg.path);
            let t = read_table(&p)?;
            add_input("registrations", &p);
            let (cl, cp, cn) = (t.col(&rg.lsoa)?, t.col(&rg.practice)?, t.col(&rg.patients)?);
            let pc = match &rg.pcn_code {
                Some(x) => Some(t.col(x)?),
                None => None,
            };
            let pn = match &rg.pcn_name {
                Some(x) => Some(t.col(x)?),
                None => None,
            };
            if pc.is_none() && sc.practices.is_none() {
                return Err(Error::input(&p, "registrations need each practice's PCN")
                    .hint("set registrations.pcn_code (a column of this table) or give a [practices] table"));
            }
            let (mut total, mut inside) = (0u64, 0u64);
            let mut js = JoinStat::new("registrations", &p, t.rows.len());
            let mut got = vec![false; study.areas.len()];
            let mut pcn_names: BTreeMap<String, String> = BTreeMap::new();
            let mut list_sum: HashMap<String, u64> = HashMap::new();
            let mut unknown_practices = BTreeSet::new();
            for (i, r) in t.rows.iter().enumerate() {
                let raw = t.get(r, cn);
                let n = parse_count(raw).ok_or_else(|| {
                    Error::at(&p, t.line(i), format!("number of patients \"{raw}\" is not a whole number ≥ 0"))
                })?;
                total += n;
                let prac = t.get(r, cp).to_string();
                *list_sum.entry(prac.clone()).or_default() += n;
                let pcn = match pc {
                    Some(k) => {
                        let code = t.get(r, k).to_string();
                        let name = pn.map(|k| t.get(r, k).to_string()).unwrap_or_default();
                        let unalloc = sc
                            .practices
                            .as_ref()
                            .map(|x| x.unallocated.contains(&code))
                            .unwrap_or(code == "U" || code.is_empty());
                        (!unalloc).then_some((code, name))
                    }
                    None => match practice_pcn.get(&prac) {
                        Some((Some(code), name)) => Some((code.clone(), name.clone())),
                        Some((None, _)) => None,
                        None => {
                            unknown_practices.insert(prac.clone());
                            None
                        }
                    },
                };
                let code = t.get(r, cl);
                if let Some(&ai) = study.index.get(code) {
                    got[ai] = true;
                    js.matched += 1;
                    inside += n;
                    let a = &mut study.areas[ai];
                    a.registered += n;
                    if let Some((pcode, pname)) = pcn {
                        *a.reg_by_pcn.entry(pcode.clone()).or_default() += n;
                        pcn_names.entry(pcode).or_insert(pname);
                    }
                } else if all_codes.contains(code) {
                    js.outside += 1;
                } else {
                    js.unknown += 1;
                    if js.unknown_examples.len() < EXAMPLES && !js.unknown_examples.iter().any(|e| e == code) {
                        js.unknown_examples.push(code.to_string());
                    }
                }
            }
            js.matched = got.iter().filter(|g| **g).count();
            study.finish_join(&mut js, &got);
            joins.push(js);
            if !unknown_practices.is_empty() {
                warnings.push(format!(
                    "{} practice(s) in the registrations are not in the practices table (their patients have no PCN): {}",
                    unknown_practices.len(),
                    unknown_practices.iter().take(EXAMPLES).cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            for pr in &mut study.practices {
                if pr.list_size.is_none() {
                    pr.list_size = list_sum.get(&pr.code).copied();
                }
            }
            for a in &mut study.areas {
                let sum: u64 = a.reg_by_pcn.values().sum();
                if let Some((code, n)) = a.reg_by_pcn.iter().max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0))) {
                    a.pcn = Some(PcnLink {
                        code: code.clone(),
                        name: pcn_names.get(code).cloned().unwrap_or_default(),
                        share: *n as f64 / sum.max(1) as f64,
                        approximate: false,
                    });
                }
            }
            study.registrations = Some((total, inside));
        }

        // Practices → containing LSOA; nearest-practice PCN where registrations are absent.
        study.locate_practices();
        let with_pcn: Vec<&Practice> = study.practices.iter().filter(|p| p.pcn_code.is_some()).collect();
        if !with_pcn.is_empty() {
            let tree = rstar::RTree::bulk_load(
                with_pcn
                    .iter()
                    .enumerate()
                    .map(|(i, p)| rstar::primitives::GeomWithData::new([p.xy.x, p.xy.y], i))
                    .collect(),
            );
            let mut approx = 0;
            for a in &mut study.areas {
                if a.pcn.is_none() {
                    if let Some(nn) = tree.nearest_neighbor(&[a.point.x, a.point.y]) {
                        let p = with_pcn[nn.data];
                        a.pcn = Some(PcnLink {
                            code: p.pcn_code.clone().unwrap_or_default(),
                            name: p.pcn_name.clone(),
                            share: 1.0,
                            approximate: true,
                        });
                        approx += 1;
                    }
                }
            }
            if approx > 0 {
                warnings.push(format!("{approx} LSOA(s) take the PCN of their nearest practice (approximation: no registrations by LSOA for them)"));
            }
        }

        // 8. LGR options.
        for table in &sc.lgr {
            let p = sc.resolve(&table.path);
            add_input("lgr", &p);
            let opts = study.load_lgr(&p, table, &mut warnings)?;
            study.lgr.extend(opts);
        }

        // 9. Extra layers (LSOA → unit).
        for layer in &sc.layers {
            let p = sc.resolve(&layer.path);
            let t = read_table(&p)?;
            add_input(&format!("layer {}", layer.name), &p);
            let (c, u) = (t.col(&layer.code)?, t.col(&layer.unit)?);
            let mut got = vec![false; study.areas.len()];
            let mut js = JoinStat::new(&format!("layer {}", layer.name), &p, t.rows.len());
            let mut units: Vec<Option<String>> = vec![None; study.areas.len()];
            for (i, r) in t.rows.iter().enumerate() {
                let unit = t.get(r, u).to_string();
                study.join_row(&mut js, &all_codes, t.get(r, c), &mut got, &p, &t, i, |_| ())?;
                if let Some(&k) = study.index.get(t.get(r, c)) {
                    units[k] = Some(unit);
                }
            }
            study.finish_join(&mut js, &got);
            if js.missing > 0 {
                warnings.push(format!(
                    "layer {}: {} study-area LSOA(s) have no unit (e.g. {})",
                    layer.name,
                    js.missing,
                    js.missing_examples.join(", ")
                ));
            }
            joins.push(js);
            for (a, unit) in study.areas.iter_mut().zip(units) {
                a.layers.push(unit);
            }
            study.layers.push(layer.name.clone());
        }

        study.joins = joins;
        warnings.extend(std::mem::take(&mut study.warnings));
        study.warnings = warnings;
        {
            use rayon::prelude::*;
            inputs.par_iter_mut().for_each(|i| i.sha256 = hash_file(Path::new(&i.path)));
        }
        study.inputs = inputs;
        Ok(study)
    }

    #[allow(clippy::too_many_arguments)]
    fn join_row(
        &mut self,
        js: &mut JoinStat,
        all: &BTreeSet<String>,
        code: &str,
        got: &mut [bool],
        path: &Path,
        t: &Table,
        row: usize,
        set: impl FnOnce(&mut Area),
    ) -> Result<()> {
        if let Some(&i) = self.index.get(code) {
            if got[i] {
                return Err(Error::at(path, t.line(row), format!("duplicate LSOA code {code}"))
                    .hint("one row per LSOA is expected"));
            }
            got[i] = true;
            js.matched += 1;
            set(&mut self.areas[i]);
        } else if all.contains(code) {
            js.outside += 1;
        } else {
            js.unknown += 1;
            if js.unknown_examples.len() < EXAMPLES {
                js.unknown_examples.push(code.to_string());
            }
        }
        Ok(())
    }

    fn finish_join(&self, js: &mut JoinStat, got: &[bool]) {
        let missing: Vec<&String> = self.areas.iter().zip(got).filter(|(_, g)| !**g).map(|(a, _)| &a.code).collect();
        js.missing = missing.len();
        js.missing_examples = examples(missing.into_iter());
    }

    /// An error for a table that misses study LSOAs, diagnosing LSOA 2011 vs 2021 codes.
    fn code_vintage_error(&self, path: &Path, what: &str, missing: usize, ex: &[String], got: &[bool]) -> Error {
        let new_missing = self.areas.iter().zip(got).filter(|(a, g)| !**g && new_in_2021(&a.code)).count();
        let new_total = self.areas.iter().filter(|a| new_in_2021(&a.code)).count();
        let e = Error::input(
            path,
            format!("{missing} of {} study-area LSOAs have no {what} row (e.g. {})", self.areas.len(), ex.join(", ")),
        );
        if new_total > 0 && new_missing == new_total {
            e.hint(format!(
                "the table looks like it uses LSOA 2011 codes: none of the {new_total} LSOAs created in 2021 is in it. \
                 Use a table on LSOA 2021 (e.g. IoD 2025 File 7), or for IMD 2019 set deprivation.lsoa11_lookup to the ONS \
                 LSOA11→LSOA21 lookup"
            ))
        } else {
            e.hint("every study-area LSOA needs a row; check the file covers the area and the code column is right")
        }
    }

    fn locate_practices(&mut self) {
        use geo::Contains;
        let tree = rstar::RTree::bulk_load(
            self.areas
                .iter()
                .enumerate()
                .map(|(i, a)| {
                    let bb = geo::BoundingRect::bounding_rect(&a.geom).unwrap();
                    rstar::primitives::GeomWithData::new(
                        rstar::primitives::Rectangle::from_corners([bb.min().x, bb.min().y], [bb.max().x, bb.max().y]),
                        i,
                    )
                })
                .collect(),
        );
        for p in &mut self.practices {
            p.area = tree
                .locate_all_at_point(&[p.xy.x, p.xy.y])
                .map(|g| g.data)
                .filter(|&i| self.areas[i].geom.contains(&p.xy))
                .min();
        }
    }

    fn load_lgr(&mut self, path: &Path, cfg: &LgrTable, warnings: &mut Vec<String>) -> Result<Vec<LgrOption>> {
        let t = Table::read(path)?;
        let (c, u) = (t.col(&cfg.code)?, t.col(&cfg.unit)?);
        let oc = match &cfg.option {
            Some(o) => Some(t.col(o)?),
            None => None,
        };
        let ac = match &cfg.assignment {
            Some(a) => Some(t.col(a)?),
            None => None,
        };
        // option → code → (unit, assignment) ; keep the 'whole' row, then 'most'.
        let mut opts: BTreeMap<String, Vec<(String, String, String)>> = BTreeMap::new();
        let mut order = Vec::new();
        for r in &t.rows {
            let opt = oc.map(|k| t.get(r, k).to_string()).or_else(|| cfg.name.clone()).unwrap_or_default();
            if !opts.contains_key(&opt) {
                order.push(opt.clone());
            }
            let assign = ac.map(|k| t.get(r, k).to_ascii_lowercase()).unwrap_or_else(|| "whole".into());
            opts.entry(opt).or_default().push((t.get(r, c).to_string(), t.get(r, u).to_string(), assign));
        }
        let mut out = Vec::new();
        for name in order {
            let rows = &opts[&name];
            let mut by_code: HashMap<&str, (&str, u8)> = HashMap::new();
            let mut partial: BTreeSet<String> = BTreeSet::new();
            let mut units = Vec::new();
            for (code, unit, assign) in rows {
                if !units.contains(unit) {
                    units.push(unit.clone());
                }
                let rank = match assign.as_str() {
                    "whole" | "" => 3,
                    "most" => 2,
                    _ => 1,
                };
                if rank < 3 {
                    partial.insert(code.clone());
                }
                if rank >= 2 && by_code.get(code.as_str()).is_none_or(|(_, r)| *r < rank) {
                    by_code.insert(code, (unit, rank));
                }
            }
            let idx = self.lgr.len() + out.len();
            let mut unassigned = Vec::new();
            let mut needs: BTreeSet<String> = BTreeSet::new();
            for a in &mut self.areas {
                let key = if cfg.by == "lad" { a.lad.as_str() } else { a.code.as_str() };
                let unit = by_code.get(key).map(|(u, _)| u.to_string());
                if cfg.by == "lad" && partial.contains(key) {
                    needs.insert(format!("{} {}", a.lad, a.lad_name));
                }
                if unit.is_none() {
                    unassigned.push(a.code.clone());
                }
                while a.lgr.len() < idx {
                    a.lgr.push(None);
                }
                a.lgr.push(unit);
            }
            let needs: Vec<String> = needs.into_iter().collect();
            if !needs.is_empty() {
                warnings.push(format!(
                    "LGR option {name}: {} given only in part ('part'/'most' rows) — an LSOA-level table is needed; \
                     until then each is placed whole in its 'most' unit (approximation)",
                    needs.join(", ")
                ));
            }
            if !unassigned.is_empty() {
                warnings.push(format!(
                    "LGR option {name}: {} study-area LSOA(s) have no unit (e.g. {})",
                    unassigned.len(),
                    unassigned.iter().take(EXAMPLES).cloned().collect::<Vec<_>>().join(", ")
                ));
            }
            out.push(LgrOption { name, units, needs_lsoa_table: needs, unassigned });
        }
        Ok(out)
    }

    /// Straight-line km from each LSOA's interior point to its nearest practice (rstar); empty when
    /// the scenario has no practices.
    pub fn nearest_practice_km(&self) -> Vec<f64> {
        if self.practices.is_empty() {
            return Vec::new();
        }
        let tree = rstar::RTree::bulk_load(self.practices.iter().map(|pr| [pr.xy.x, pr.xy.y]).collect());
        self.areas
            .iter()
            .map(|a| {
                tree.nearest_neighbor(&[a.point.x, a.point.y])
                    .map_or(f64::NAN, |q| (q[0] - a.point.x).hypot(q[1] - a.point.y) / 1000.0)
            })
            .collect()
    }

    /// Total population.
    pub fn population(&self) -> u64 {
        self.areas.iter().map(|a| a.pop).sum()
    }

    /// Index of an LGR option by name.
    pub fn lgr_index(&self, name: &str) -> Option<usize> {
        self.lgr.iter().position(|o| o.name == name)
    }

    /// Sorted distinct PCN codes assigned to LSOAs.
    pub fn pcn_codes(&self) -> BTreeSet<String> {
        self.areas.iter().filter_map(|a| a.pcn.as_ref().map(|p| p.code.clone())).collect()
    }
}

use std::collections::HashSet;

impl JoinStat {
    fn new(input: &str, path: &Path, rows: usize) -> JoinStat {
        JoinStat {
            input: input.into(),
            path: path.display().to_string(),
            rows,
            matched: 0,
            missing: 0,
            missing_examples: vec![],
            outside: 0,
            unknown: 0,
            unknown_examples: vec![],
        }
    }
}
