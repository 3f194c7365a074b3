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

/// Run `report`.
pub fn run(a: &ReportArgs) -> anyhow::Result<()> {
    let p = Prepared::load(&a.scenario)?;
    let sets = a.options.iter().map(|o| FootprintSet::read(&p, o, None)).collect::<Result<Vec<_>, _>>()?;
    let html = footprints::export::report::report_html(&p, &sets)?;
    atomic_write(&a.out, html.as_bytes())?;
    eprintln!("wrote {} ({} KB)", a.out.display(), html.len() / 1024);
    Ok(())
}
