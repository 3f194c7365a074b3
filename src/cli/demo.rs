//! `footprints demo`: regenerate the synthetic demo region.

use super::out;
use clap::Args;
use std::io::Write;
use std::path::PathBuf;

/// Arguments of `demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Output folder.
    #[arg(long, default_value = "data/demo")]
    pub out: PathBuf,
    /// Random seed.
    #[arg(long, default_value_t = 2026)]
    pub seed: u64,
}

/// Validated `demo` configuration.
#[derive(Debug)]
pub struct DemoConfig {
    /// Output folder.
    pub out: PathBuf,
    /// Random seed.
    pub seed: u64,
}

impl DemoArgs {
    /// Nothing to range-check: any folder and seed will do.
    pub fn validate(&self) -> anyhow::Result<DemoConfig> {
        Ok(DemoConfig { out: self.out.clone(), seed: self.seed })
    }
}

/// Run `demo`.
pub fn run(c: &DemoConfig) -> anyhow::Result<()> {
    let n = footprints::demo::generate(&c.out, c.seed)?;
    let mut o = out::stdout();
    writeln!(
        o,
        "wrote a synthetic region of {n} LSOAs to {} (scenario: {}/scenario.toml)",
        c.out.display(),
        c.out.display()
    )?;
    o.flush()?;
    Ok(())
}
