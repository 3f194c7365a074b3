//! # footprints
//!
//! Design, score and map neighbourhood health footprints for England's NHS and councils.
//!
//! The pipeline reads top to bottom: a TOML [`Scenario`] names the inputs; [`load`] reads LSOA
//! boundaries (reprojected to British National Grid), Census population, deprivation, the
//! LSOA→ward→LAD lookup, GP practices and registrations, LGR options and extra layers — one file
//! per input, every reader in [`io`] — and joins them into a [`Study`] (domain data with interned
//! district, ward, PCN and unit ids) and a [`LoadReport`] (joins, warnings, input hashes);
//! [`Prepared`] adds the LSOA adjacency [`graph`]. [`build`](mod@build) partitions the LSOAs into nested SNP
//! and MNP footprints inside hard [`Layer`]s; [`score`](mod@score) measures any footprint set through a
//! registry of metric families; [`site`] places centres; [`export`] writes GeoJSON, lookup CSVs,
//! summaries, maps and the HTML report; [`serve`] is the workshop editor's session and web server,
//! scoring every edit with [`score`](mod@score). Nothing lower imports anything higher.
//!
//! The items re-exported at the top level are the stable entry points; the modules hold the
//! details.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod build;
pub mod check;
pub mod demo;
pub mod error;
#[cfg(feature = "exact")]
pub mod exact;
pub mod export;
pub mod fmt;
pub mod geom;
pub mod graph;
pub mod init;
pub mod io;
pub mod layer;
pub mod load;
pub mod model;
pub mod place;
pub mod prepare;
pub mod scenario;
pub mod score;
pub mod serve;
pub mod site;

pub use build::{build, BuildConfig, BuildResult, Built, BuiltKind, Plan};
pub use error::{Error, Result};
pub use graph::{AdjacencyParams, Edge, Graph};
pub use layer::{Layer, UnitKey};
pub use load::LoadReport;
pub use model::{Area, Study};
pub use prepare::Prepared;
pub use scenario::Scenario;
pub use score::{score, FootprintSet, ScoreOptions, Scores};

/// Tool version recorded in every output.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
