//! `footprints init`: write a scenario for any area of England from the national files, then
//! load it (as `check` does) and say in plain words what it holds and lacks.

use super::out;
use clap::{Args, ValueEnum};
use footprints::init::{self, AreaBy, Request, Summary};
use footprints::Prepared;
use std::path::PathBuf;

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Data folder laid out like ../shared/data (england/boundaries, england/lookups, …).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The area: LAD codes or names, or with --by sub-ICB / ICB / region codes or names. Repeat or
    /// list several to combine them.
    #[arg(long, required = true, num_args = 1..)]
    pub area: Vec<String>,
    /// What --area names.
    #[arg(long, default_value = "lad", value_enum)]
    pub by: ByArg,
    /// Scenario file to write.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Postcode coordinate files or folders (OS Code-Point Open or ONS Postcode Directory) to place
    /// the practices; without them practices are left out and PCN/access figures are n/a.
    #[arg(long, num_args = 1..)]
    pub postcodes: Vec<PathBuf>,
    /// Registered patients by practice × LSOA (NHS England gp-reg-pat-prac-lsoa-all.csv layout).
    #[arg(long)]
    pub registrations: Option<PathBuf>,
    /// Scenario name (default: from the area).
    #[arg(long)]
    pub name: Option<String>,
    /// Replace an existing scenario file.
    #[arg(long)]
    pub force: bool,
    /// LSOA boundaries file (instead of the one in --data).
    #[arg(long)]
    pub boundaries: Option<PathBuf>,
    /// Population table (instead of the one in --data).
    #[arg(long)]
    pub population: Option<PathBuf>,
    /// Deprivation table (instead of the one in --data).
    #[arg(long)]
    pub deprivation: Option<PathBuf>,
    /// LSOA → ward → LAD lookup (instead of the one in --data).
    #[arg(long)]
    pub lookup: Option<PathBuf>,
    /// Practice → PCN map (instead of the one in --data).
    #[arg(long)]
    pub practices: Option<PathBuf>,
}

/// `--by`: what the `--area` values name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ByArg {
    /// Local authority districts.
    Lad,
    /// Sub-ICB locations.
    SubIcb,
    /// Integrated care boards.
    Icb,
    /// Regions.
    Region,
}

impl InitArgs {
    /// The typed request: area values split on commas and trimmed, none empty.
    pub fn validate(&self) -> anyhow::Result<Request> {
        let areas: Vec<String> = self
            .area
            .iter()
            .flat_map(|a| a.split(','))
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        if areas.is_empty() {
            anyhow::bail!("--area names no area: give LAD codes or names, e.g. --area E07000178 or --area Oxford");
        }
        if self.data.is_none() && (self.boundaries.is_none() || self.population.is_none() || self.lookup.is_none()) {
            anyhow::bail!("give --data DIR (a folder laid out like ../shared/data), or at least --boundaries, --population and --lookup");
        }
        let by = match self.by {
            ByArg::Lad => AreaBy::Lad,
            ByArg::SubIcb => AreaBy::SubIcb,
            ByArg::Icb => AreaBy::Icb,
            ByArg::Region => AreaBy::Region,
        };
        Ok(Request {
            data: self.data.clone(),
            named: vec![
                ("boundaries", self.boundaries.clone()),
                ("population", self.population.clone()),
                ("deprivation", self.deprivation.clone()),
                ("lookup", self.lookup.clone()),
                ("practices", self.practices.clone()),
            ],
            areas,
            by,
            out: self.out.clone(),
            postcodes: self.postcodes.clone(),
            registrations: self.registrations.clone(),
            name: self.name.clone(),
            force: self.force,
        })
    }
}

/// Run `init`: write the scenario, load it, print the summary. A scenario that does not load is
/// kept on disk (so it can be edited) and the error says so.
pub fn run(r: &Request) -> anyhow::Result<()> {
    let w = init::init(r)?;
    let p = Prepared::load(&w.path).map_err(|e| {
        anyhow::anyhow!(e)
            .context(format!("{} was written but does not load; edit it and run footprints check", w.path.display()))
    })?;
    out::print(&Summary::new(&p, &w).to_text(&w))?;
    Ok(())
}
