//! Loading a scenario: one file per input, each a small step that reads one table and joins it
//! onto the study LSOAs, recording its join statistics in the [`LoadReport`].
//!
//! The steps run in a fixed order — boundaries, lookup, study area, population, deprivation,
//! practices, registrations, PCN fallback, LGR options, extra layers, places — on a `Loader` that holds
//! the LSOAs as drafts with plain strings; `Loader::finish` then interns districts, wards, PCNs,
//! MSOAs, places and units into the [`Study`]. Every table is read in parallel with the boundaries before the
//! steps start, so errors are still reported in the order the steps run.

mod boundaries;
mod deprivation;
mod draft;
mod join;
mod layers;
mod lgr;
mod lookup;
mod pcn;
mod places;
mod population;
mod postcodes;
mod practices;
mod reach;
mod registrations;
mod report;
mod study_area;

pub use join::JoinStat;
pub use population::MAX_LSOA_PEOPLE;
pub use practices::PracticePlacement;
pub use reach::{practice_reach, FAR_KM};
pub use report::{hash_file, InputFile, LoadReport, MsoaNames};

use crate::error::{from_scenario, Result};
use crate::io::table::Table;
use crate::model::Study;
use crate::scenario::Scenario;
use draft::{DraftArea, DraftPractice};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Examples listed in messages.
const EXAMPLES: usize = 5;

/// Load everything a scenario names: the study and how it was loaded.
pub fn load(sc: &Scenario) -> Result<(Study, LoadReport)> {
    let mut csv_paths: Vec<PathBuf> = vec![sc.resolve(&sc.population.path)];
    csv_paths.extend(sc.lookup.as_ref().map(|l| sc.resolve(&l.path)));
    csv_paths.extend(sc.deprivation.as_ref().map(|d| sc.resolve(&d.path)));
    csv_paths.extend(sc.practices.as_ref().map(|d| sc.resolve(&d.path)));
    csv_paths.extend(sc.registrations.as_ref().map(|d| sc.resolve(&d.path)));
    csv_paths.extend(sc.layers.iter().map(|d| sc.resolve(&d.path)));
    if let Some(pl) = &sc.places {
        csv_paths.extend([&pl.msoa_lookup, &pl.msoa_names, &pl.path].into_iter().flatten().map(|p| sc.resolve(p)));
    }
    csv_paths.sort();
    csv_paths.dedup();
    let bpath = sc.resolve(&sc.boundaries.path);
    let (layer, tables) = rayon::join(
        || crate::io::boundaries::read_polygons(&bpath, sc.boundaries.crs.as_deref(), &sc.boundaries.code),
        || {
            use rayon::prelude::*;
            csv_paths.par_iter().map(|p| (p.clone(), read_hashed(p))).collect::<Vec<_>>()
        },
    );
    let mut ld = Loader::new(sc, tables.into_iter().collect());
    let layer = layer.map_err(|e| e.path_from(from_scenario(&sc.file, "boundaries.path")))?;
    let features = boundaries::validate(&mut ld, &bpath, layer)?;
    let lookup = lookup::read(&mut ld, features.has_lad_col)?;
    study_area::select(&mut ld, &bpath, features, &lookup)?;
    lookup::report(&mut ld, &lookup);
    population::join(&mut ld)?;
    deprivation::join(&mut ld)?;
    practices::read(&mut ld)?;
    registrations::join(&mut ld)?;
    practices::report_unplaced(&mut ld);
    pcn::locate_practices(&mut ld);
    pcn::nearest_practice_fallback(&mut ld);
    lgr::join(&mut ld)?;
    layers::join(&mut ld)?;
    places::join(&mut ld)?;
    let (study, mut report) = ld.finish();
    report.warnings.extend(practice_reach(&study));
    Ok((study, report))
}

/// Read and parse a CSV table, hashing the bytes as stored on the way (no second read).
fn read_hashed(p: &Path) -> Result<(Table, String)> {
    let raw = crate::io::table::read_raw(p)?;
    let sha = report::hash_bytes(&raw);
    Ok((Table::from_raw(p, raw)?, sha))
}

/// The state of a load in progress: the scenario, prefetched tables, the LSOAs as drafts and the
/// report so far.
pub(crate) struct Loader<'a> {
    sc: &'a Scenario,
    prefetched: HashMap<PathBuf, Result<(Table, String)>>,
    report: LoadReport,
    /// Codes of every boundary-file feature (before the study-area filter).
    all_codes: rustc_hash::FxHashSet<String>,
    areas: Vec<DraftArea>,
    index: HashMap<String, usize>,
    practices: Vec<DraftPractice>,
    /// Practices without coordinates (left out of `practices`; their PCNs still count).
    unplaced: Vec<practices::Unplaced>,
    /// PCN code → name, from the practices table and then registrations.
    pcn_names: std::collections::BTreeMap<String, String>,
    /// PCN code → name from the registrations' own PCN columns.
    reg_pcn_names: std::collections::BTreeMap<String, String>,
    lgr: Vec<crate::model::LgrOption>,
    layers: Vec<crate::model::UnitLayer>,
}

impl<'a> Loader<'a> {
    fn new(sc: &'a Scenario, tables: HashMap<PathBuf, Result<(Table, String)>>) -> Loader<'a> {
        Loader {
            sc,
            prefetched: tables,
            report: LoadReport::default(),
            all_codes: Default::default(),
            areas: Vec::new(),
            index: HashMap::new(),
            practices: Vec::new(),
            unplaced: Vec::new(),
            pcn_names: Default::default(),
            reg_pcn_names: Default::default(),
            lgr: Vec::new(),
            layers: Vec::new(),
        }
    }

    /// A table (prefetched or read now), recorded as an input with `role`; a file that could not be
    /// opened says which scenario key named it, and one not in UTF-8 gets a warning naming its encoding.
    fn table(&mut self, role: &str, p: &Path) -> Result<Table> {
        let prefetched = self.prefetched.remove(p);
        let (t, sha) = prefetched
            .unwrap_or_else(|| read_hashed(p))
            .map_err(|e| e.path_from(from_scenario(&self.sc.file, &format!("the {role} path"))))?;
        self.report.add_input_hashed(role, p, sha);
        if let Some(enc) = t.encoding {
            self.warn(format!("{}: read as {enc} (not UTF-8); check accented names look right", p.display()));
        }
        Ok(t)
    }

    fn warn(&mut self, w: String) {
        self.report.warnings.push(w);
    }

    /// Intern districts, wards, PCNs and units; hash the inputs.
    fn finish(self) -> (Study, LoadReport) {
        let mut report = self.report;
        report.hash_inputs();
        let study = draft::intern(
            self.sc.name.clone(),
            self.areas,
            self.index,
            self.practices,
            self.pcn_names,
            self.lgr,
            self.layers,
        );
        (study, report)
    }
}
