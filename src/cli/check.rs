//! `footprints check`: load a scenario and print the join report.

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

/// Run `check`.
pub fn run(args: &CheckArgs) -> anyhow::Result<()> {
    let p = Prepared::load(&args.scenario)?;
    let r = CheckReport::new(&p);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&r)?);
    } else {
        print!("{}", r.to_text());
    }
    Ok(())
}
