//! How a scenario was loaded: join statistics per input, warnings, input files with SHA-256.

use super::JoinStat;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::Path;

/// An input file and its SHA-256.
#[derive(Debug, Clone, Serialize)]
pub struct InputFile {
    /// Role.
    pub role: String,
    /// Path as given.
    pub path: String,
    /// SHA-256 hex.
    pub sha256: String,
}

/// Diagnostics of a load, kept apart from the domain data in [`crate::model::Study`].
#[derive(Debug, Clone, Default)]
pub struct LoadReport {
    /// Join statistics, one per joined input.
    pub joins: Vec<JoinStat>,
    /// Warnings, in the order the inputs were read.
    pub warnings: Vec<String>,
    /// Inputs with hashes.
    pub inputs: Vec<InputFile>,
    /// Features in the boundary file (before the study-area filter).
    pub boundary_features: usize,
    /// Registered patients read, and those living in the study area.
    pub registrations: Option<(u64, u64)>,
    /// How the MSOA names were found, when `[places]` reads them.
    pub msoa_names: Option<MsoaNames>,
    /// How the practices were placed, when the scenario has `[practices]`.
    pub practice_placement: Option<super::PracticePlacement>,
}

/// How the study's MSOAs got their names, and which districts are cities.
#[derive(Debug, Clone, Default, Serialize)]
pub struct MsoaNames {
    /// MSOAs in the study area.
    pub msoas: usize,
    /// Those with a House of Commons Library name.
    pub named: usize,
    /// Those without ("code ONS name"), which keep their ONS name.
    pub unnamed: Vec<String>,
    /// Districts taken as one city ("Name (code), N people/km²", as districts are named everywhere).
    pub cities: Vec<String>,
}

impl LoadReport {
    pub(crate) fn add_input(&mut self, role: &str, p: &Path) {
        self.add_input_hashed(role, p, String::new());
    }

    /// An input whose SHA-256 is already known (hashed from the bytes read).
    pub(crate) fn add_input_hashed(&mut self, role: &str, p: &Path, sha256: String) {
        self.inputs.push(InputFile { role: role.into(), path: p.display().to_string(), sha256 });
    }

    /// Hash, in parallel, every input not hashed yet.
    pub(crate) fn hash_inputs(&mut self) {
        use rayon::prelude::*;
        self.inputs
            .par_iter_mut()
            .filter(|i| i.sha256.is_empty())
            .for_each(|i| i.sha256 = hash_file(Path::new(&i.path)));
    }
}

/// SHA-256 of a file (hex), or "unreadable".
pub fn hash_file(path: &Path) -> String {
    match std::fs::read(path) {
        Ok(b) => hash_bytes(&b),
        Err(_) => "unreadable".into(),
    }
}

/// SHA-256 of bytes (hex).
pub fn hash_bytes(b: &[u8]) -> String {
    format!("{:x}", Sha256::digest(b))
}
