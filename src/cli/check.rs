//! `footprints check`: load a scenario and print the join report.

use super::out;
use clap::Args;
use footprints::check::CheckReport;
use footprints::Prepared;
use std::path::PathBuf;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Print the report as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Validated `check` configuration.
#[derive(Debug)]
pub struct CheckConfig {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// JSON instead of text.
    pub json: bool,
}

impl CheckArgs {
    /// Nothing to range-check: every combination of flags is valid.
    pub fn validate(&self) -> anyhow::Result<CheckConfig> {
        Ok(CheckConfig { scenario: self.scenario.clone(), json: self.json })
    }
}

/// Run `check`.
pub fn run(c: &CheckConfig) -> anyhow::Result<()> {
    let p = Prepared::load(&c.scenario)?;
    let r = CheckReport::new(&p);
    let text = if c.json { serde_json::to_string_pretty(&r)? + "\n" } else { r.to_text() };
    out::print(&text)?;
    Ok(())
}
