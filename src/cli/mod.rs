//! Command-line interface: one file per subcommand, each with its `Args` and a `run()`.
pub mod build;
pub mod check;
pub mod demo;
pub mod graph;
pub mod map;
pub mod report;
pub mod score;
pub mod site;
