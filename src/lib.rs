//! # footprints
//!
//! Design, score and map neighbourhood health footprints for England's NHS and councils.
//!
//! The pipeline reads top to bottom: a TOML [`Scenario`] names the inputs; [`load`] reads
//! LSOA boundaries (reprojected to British National Grid), Census population, deprivation, the
//! LSOA→ward→LAD lookup, GP practices and registrations and LGR options, and joins them into a [`Study`] (domain data) and a [`load::LoadReport`] (joins, warnings, input hashes); the
//! [`graph`] module builds the LSOA adjacency graph with a snapping tolerance; [`build`] partitions
//! the LSOAs into nested SNP and MNP footprints; [`score`] measures any footprint set; [`export`]
//! writes GeoJSON, lookup CSVs and run metadata. Nothing lower imports anything higher.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod build;
pub mod check;
pub mod demo;
pub mod error;
pub mod export;
pub mod fmt;
pub mod geom;
pub mod graph;
pub mod io;
pub mod layer;
pub mod load;
pub mod model;
pub mod prepare;
pub mod scenario;
pub mod score;
pub mod site;

pub use error::{Error, Result};
pub use graph::{AdjacencyParams, Edge, Graph};
pub use model::{Area, Study};
pub use prepare::Prepared;
pub use scenario::Scenario;

/// Tool version recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
