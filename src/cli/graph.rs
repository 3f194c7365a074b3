//! `footprints graph`: export the LSOA adjacency graph (for peer tools and GIS checks).

use clap::Args;
use footprints::io::write::atomic_write;
use footprints::Prepared;
use serde_json::json;
use std::path::PathBuf;

/// Arguments of `graph`.
#[derive(Debug, Args)]
pub struct GraphArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Output JSON: nodes (code, population, LAD, PCN, BNG x/y) and edges (a, b, shared metres, bridge).
    #[arg(long, short)]
    pub out: PathBuf,
}

/// Validated `graph` configuration.
#[derive(Debug)]
pub struct GraphConfig {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// Output JSON file.
    pub out: PathBuf,
}

impl GraphArgs {
    /// Nothing to range-check.
    pub fn validate(&self) -> anyhow::Result<GraphConfig> {
        Ok(GraphConfig { scenario: self.scenario.clone(), out: self.out.clone() })
    }
}

/// Run `graph`.
pub fn run(a: &GraphConfig) -> anyhow::Result<()> {
    let p = Prepared::load(&a.scenario)?;
    let nodes: Vec<_> = p
        .study
        .areas
        .iter()
        .enumerate()
        .map(|(i, x)| {
            let s = &p.study;
            let reg: std::collections::BTreeMap<&str, u64> =
                x.reg_by_pcn.iter().map(|&(c, n)| (s.pcn_named(c).code.as_str(), n)).collect();
            json!({"code": x.code, "population": x.pop, "lad": s.lad(i).code, "pcn": s.pcn(i).map(|n| n.code.clone()),
                   "reg_by_pcn": reg, "x": (x.point.x * 10.0).round() / 10.0, "y": (x.point.y * 10.0).round() / 10.0})
        })
        .collect();
    let edges: Vec<_> = p
        .graph
        .edges
        .iter()
        .map(|e| json!({"a": e.a, "b": e.b, "shared_m": (e.shared_m * 10.0).round() / 10.0, "bridge": e.bridge}))
        .collect();
    let v = json!({"scenario": p.study.name, "version": footprints::VERSION, "inputs": p.report.inputs, "nodes": nodes, "edges": edges});
    atomic_write(&a.out, (serde_json::to_string(&v)? + "\n").as_bytes())?;
    super::out::note(format_args!(
        "wrote {} ({} nodes, {} edges)",
        a.out.display(),
        p.study.areas.len(),
        p.graph.edges.len()
    ));
    Ok(())
}
