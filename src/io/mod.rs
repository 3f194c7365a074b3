//! Readers and writers per format.
pub mod assignment;
pub mod boundaries;
pub mod candidates;
pub mod crs;
pub mod footprints;
pub mod matrix;
pub mod outdir;
pub mod table;
pub mod write;

use std::collections::HashMap;

/// LSOA code → study index: what every LSOA-keyed reader needs from the study, so readers do not
/// depend on the model.
pub trait CodeIndex {
    /// Study index of an LSOA code, if it is in the study area.
    fn index_of(&self, code: &str) -> Option<usize>;
}

impl CodeIndex for HashMap<String, usize> {
    fn index_of(&self, code: &str) -> Option<usize> {
        self.get(code).copied()
    }
}

impl CodeIndex for crate::model::Study {
    fn index_of(&self, code: &str) -> Option<usize> {
        self.index.get(code).copied()
    }
}
