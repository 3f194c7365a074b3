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
    /// Write a scenario for any area of England from the national files, then check it.
    Init(cli::init::InitArgs),
    /// Load a scenario and report joins, coverage, adjacency and warnings.
    Check(cli::check::CheckArgs),
    /// Build nested SNP/MNP footprint options, with PCN and district baselines.
    Build(cli::build::BuildArgs),
    /// Score one footprint set (built option, lookup CSV or GeoJSON).
    Score(cli::score::ScoreArgs),
    /// Compare footprint sets side by side, with the LSOAs that move between them.
    Compare(cli::score::CompareArgs),
    /// Draw a print-quality map (PNG or SVG).
    Map(cli::map::MapArgs),
    /// Write a self-contained HTML options appraisal (inline SVG maps, scores, changes, sources).
    Report(cli::report::ReportArgs),
    /// Site neighbourhood health centres (p-median, coverage, p-centre).
    Site(cli::site::SiteArgs),
    /// Workshop editor: move LSOAs between footprints in a browser and watch every score change.
    Serve(cli::serve::ServeArgs),
    /// Export the LSOA adjacency graph as JSON.
    Graph(cli::graph::GraphArgs),
    /// Prove the fewest PCNs any plan must split (built with `--features exact`: HiGHS)
    #[cfg(feature = "exact")]
    Exact(cli::exact::ExactArgs),
    /// Generate the synthetic demo region (data/demo).
    Demo(cli::demo::DemoArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let res = match &cli.cmd {
        // Raw flags become a typed, range-checked configuration before any file is read.
        Cmd::Init(a) => a.validate().and_then(|c| cli::init::run(&c)),
        Cmd::Check(a) => a.validate().and_then(|c| cli::check::run(&c)),
        Cmd::Demo(a) => a.validate().and_then(|c| cli::demo::run(&c)),
        Cmd::Build(a) => cli::build::run(a),
        Cmd::Score(a) => cli::score::run_score(a),
        Cmd::Map(a) => a.validate().and_then(|c| cli::map::run(&c)),
        Cmd::Site(a) => a.validate().and_then(|c| cli::site::run(&c)),
        Cmd::Report(a) => a.validate().and_then(|c| cli::report::run(&c)),
        Cmd::Serve(a) => a.validate().and_then(|c| cli::serve::run(&c)),
        Cmd::Graph(a) => a.validate().and_then(|c| cli::graph::run(&c)),
        #[cfg(feature = "exact")]
        Cmd::Exact(a) => cli::exact::run(a),
        Cmd::Compare(a) => cli::score::run_compare(a),
    };
    match res {
        Ok(()) => ExitCode::SUCCESS,
        // A closed stdout (`footprints check ... | head -1`) is a normal end, wherever the io error sits in the chain.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            cli::out::note(format_args!("error: {e:#}"));
            ExitCode::from(2)
        }
    }
}

/// True if any error in the chain is an `io::Error` of kind `BrokenPipe`.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe))
}
