//! A loaded study with its adjacency graph: the starting point of every subcommand.

use crate::error::Result;
use crate::graph::{AdjacencyParams, Edge, Graph};
use crate::model::Study;
use std::path::Path;

/// Study plus graph (islands joined if the scenario asks).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The joined inputs.
    pub study: Study,
    /// LSOA adjacency.
    pub graph: Graph,
    /// Bridges added to join islands.
    pub bridges: Vec<Edge>,
}

impl Prepared {
    /// Load a scenario file and build its graph.
    pub fn load(path: &Path) -> Result<Prepared> {
        Ok(Prepared::from_study(Study::load_path(path)?))
    }

    /// Build the graph for a loaded study.
    pub fn from_study(study: Study) -> Prepared {
        let adj = &study.scenario.adjacency;
        let geoms: Vec<_> = study.areas.iter().map(|a| &a.geom).collect();
        let mut graph =
            Graph::build(&geoms, AdjacencyParams { tolerance_m: adj.tolerance_m, min_shared_m: adj.min_shared_m });
        let bridges = if adj.join_islands { graph.join_islands(&geoms) } else { Vec::new() };
        Prepared { study, graph, bridges }
    }
}
