//! Command-line interface: one file per subcommand, each with its clap `Args`, a `validate()` that
//! turns them into a typed configuration before any file is read, and a `run()` that takes it.
//! Shared: `out` (stdout that survives a closed pipe), `choice` (enum flags), `validate` (ranges).
pub mod build;
pub mod check;
pub mod choice;
pub mod demo;
#[cfg(feature = "exact")]
pub mod exact;
pub mod graph;
pub mod init;
pub mod map;
pub mod out;
pub mod report;
pub mod score;
pub mod serve;
pub mod site;
pub mod validate;
