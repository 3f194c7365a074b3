//! A loaded scenario with its adjacency graph: the starting point of every subcommand.

use crate::error::Result;
use crate::graph::{AdjacencyParams, Edge, Graph};
use crate::io::crs::Crs;
use crate::io::write::geometry_json;
use crate::load::LoadReport;
use crate::model::Study;
use crate::scenario::Scenario;
use rayon::prelude::*;
use std::path::Path;
use std::sync::OnceLock;

/// The scenario, the study it describes, how it was loaded, and the LSOA graph (islands joined
/// if the scenario asks).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The scenario (inputs, build settings, attribution).
    pub scenario: Scenario,
    /// The joined inputs.
    pub study: Study,
    /// Joins, warnings and input hashes.
    pub report: LoadReport,
    /// LSOA adjacency.
    pub graph: Graph,
    /// Bridges added to join islands.
    pub bridges: Vec<Edge>,
    /// Each LSOA's geometry as a GeoJSON member in WGS84, made once for every `lsoas.geojson`.
    lsoa_geometry_json: OnceLock<std::result::Result<Vec<String>, (usize, String)>>,
}

impl Prepared {
    /// Load a scenario file, everything it names, and build the graph.
    pub fn load(path: &Path) -> Result<Prepared> {
        Prepared::from_scenario(Scenario::load(path)?)
    }

    /// Load everything a scenario names and build the graph.
    pub fn from_scenario(scenario: Scenario) -> Result<Prepared> {
        let (study, report) = crate::load::load(&scenario)?;
        Ok(Prepared::new(scenario, study, report))
    }

    /// Build the graph for a loaded study.
    pub fn new(scenario: Scenario, study: Study, report: LoadReport) -> Prepared {
        let adj = &scenario.adjacency;
        let geoms: Vec<_> = study.areas.iter().map(|a| &a.geom).collect();
        let mut graph =
            Graph::build(&geoms, AdjacencyParams { tolerance_m: adj.tolerance_m, min_shared_m: adj.min_shared_m });
        let bridges = if adj.join_islands { graph.join_islands(&geoms) } else { Vec::new() };
        Prepared { scenario, study, report, graph, bridges, lsoa_geometry_json: OnceLock::new() }
    }
}

impl Prepared {
    /// Each LSOA's geometry as the GeoJSON `geometry` member written to `lsoas.geojson` (WGS84),
    /// reprojected and checked on first use and shared by every footprint set written from this
    /// study; or the first LSOA whose polygon would be written invalid, and why.
    pub fn lsoa_geometry_json(&self) -> std::result::Result<&[String], (usize, String)> {
        let made = self.lsoa_geometry_json.get_or_init(|| {
            self.study
                .areas
                .par_iter()
                .enumerate()
                .map(|(i, a)| geometry_json(&a.geom, Crs::Wgs84).map_err(|why| (i, why)))
                .collect()
        });
        made.as_ref().map(Vec::as_slice).map_err(Clone::clone)
    }
}

impl AsRef<Study> for Prepared {
    fn as_ref(&self) -> &Study {
        &self.study
    }
}
