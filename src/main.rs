//! `footprints`: thin CLI over the library. Parses, dispatches, prints the error chain, exits non-zero.

mod cli;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Design, score and map neighbourhood health footprints (SNP ~50k inside MNP ~250k) from LSOAs.
#[derive(Debug, Parser)]
#[command(name = "footprints", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Debug, Subcommand)]
#[allow(clippy::large_enum_variant)] // parsed once; boxing buys nothing
enum Cmd {
    /// Load a scenario and report joins, coverage, adjacency and warnings.
    Check(cli::check::CheckArgs),
    /// Build nested SNP/MNP footprint options, with PCN and district baselines.
    Build(cli::build::BuildArgs),
    /// Generate the synthetic demo region (data/demo).
    Demo(cli::demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match &cli.cmd {
        Cmd::Check(a) => cli::check::run(a),
        Cmd::Demo(a) => cli::demo::run(a),
        Cmd::Build(a) => cli::build::run(a),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if let Some(io) = e.downcast_ref::<std::io::Error>() {
                if io.kind() == std::io::ErrorKind::BrokenPipe {
                    return ExitCode::SUCCESS;
                }
            }
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
