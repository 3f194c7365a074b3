//! `footprints demo`: regenerate the synthetic demo region.

use clap::Args;
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

/// Run `demo`.
pub fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let n = footprints::demo::generate(&args.out, args.seed)?;
    println!(
        "wrote a synthetic region of {n} LSOAs to {} (scenario: {}/scenario.toml)",
        args.out.display(),
        args.out.display()
    );
    Ok(())
}
