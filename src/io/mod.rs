//! Readers and writers per format.
pub mod boundaries;
pub mod crs;
pub mod footprints;
pub mod matrix;
pub mod table;
pub mod write;
