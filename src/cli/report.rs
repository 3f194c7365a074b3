//! `footprints report`: a self-contained HTML options appraisal.

use clap::Args;
use footprints::io::write::atomic_write;
use footprints::score::FootprintSet;
use footprints::Prepared;
use std::path::PathBuf;

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Footprint sets (option folders, lookup CSVs or GeoJSON).
    #[arg(required = true, num_args = 1..)]
    pub options: Vec<PathBuf>,
    /// Output HTML file.
    #[arg(long, short)]
    pub out: PathBuf,
}

/// Validated `report` configuration.
#[derive(Debug)]
pub struct ReportConfig {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// Footprint sets, in column order.
    pub options: Vec<PathBuf>,
    /// Output HTML file.
    pub out: PathBuf,
}

impl ReportArgs {
    /// Nothing to range-check (clap already requires at least one set).
    pub fn validate(&self) -> anyhow::Result<ReportConfig> {
        Ok(ReportConfig { scenario: self.scenario.clone(), options: self.options.clone(), out: self.out.clone() })
    }
}

/// Run `report`.
pub fn run(a: &ReportConfig) -> anyhow::Result<()> {
    let p = Prepared::load(&a.scenario)?;
    let read = |o: &std::path::PathBuf| {
        FootprintSet::read(&p, o, None).map_err(|e| e.path_from(footprints::error::from_flag("the footprint sets")))
    };
    let sets = a.options.iter().map(read).collect::<Result<Vec<_>, _>>()?;
    let html = footprints::export::report::report_html(&p, &sets)?;
    atomic_write(&a.out, html.as_bytes())?;
    super::out::note(format_args!("wrote {} ({} KB)", a.out.display(), html.len() / 1024));
    Ok(())
}
