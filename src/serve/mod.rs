//! The workshop editor behind `footprints serve`: a local web page where people move LSOAs between
//! footprints and see every score change, recomputed by the same Rust code as `footprints score`.
//!
//! Parts: [`session`] (versions, edits, undo/redo, locks, rebuild; no HTTP), [`view`] (the JSON
//! the page draws), [`save`] (atomic saves readable by `score`, `compare`, `map` and `report`),
//! [`http`] (the server and its routes) and `assets` (the page and the vendored Leaflet).

mod assets;
pub mod http;
pub mod save;
pub mod session;
pub mod view;

pub use http::Editor;
pub use session::{Edit, Session, Snapshot};
