//! Step 1: the LSOA boundary layer — every feature has a code, no code twice.

use super::Loader;
use crate::error::{Error, Result};
use crate::io::boundaries::PolyLayer;
use std::path::Path;

/// The validated boundary layer.
pub(crate) struct Features {
    pub layer: PolyLayer,
    /// The boundary file carries the LAD code column (preferred over the lookup).
    pub has_lad_col: bool,
}

/// Check codes and record the boundary file; fills the loader's set of all boundary codes.
pub(crate) fn validate(ld: &mut Loader, bpath: &Path, layer: PolyLayer) -> Result<Features> {
    ld.report.add_input("boundaries", bpath);
    ld.report.warnings.extend(layer.warnings.iter().cloned());
    let bcfg = &ld.sc.boundaries;
    if !layer.columns.iter().any(|c| c == &bcfg.code) {
        return Err(Error::input(bpath, format!("no attribute named \"{}\" for the LSOA code", bcfg.code))
            .hint(format!("attributes found: {}; set boundaries.code in the scenario", layer.columns.join(", "))));
    }
    let has_lad_col = layer.columns.iter().any(|c| c == &bcfg.lad);
    let mut seen: rustc_hash::FxHashMap<&str, usize> = Default::default();
    for (i, f) in layer.features.iter().enumerate() {
        let code = f.props.get(&bcfg.code).map(String::as_str).unwrap_or("");
        if code.is_empty() {
            return Err(Error::at(
                bpath,
                format!("feature {}", i + 1),
                format!("empty LSOA code in \"{}\"", bcfg.code),
            ));
        }
        // The first feature decides whether districts come from this file; then every one needs one.
        if has_lad_col && f.props.get(&bcfg.lad).is_none_or(|l| l.is_empty()) {
            return Err(Error::at(
                bpath,
                format!("feature {} ({code})", i + 1),
                format!("no district code in \"{}\"", bcfg.lad),
            )
            .hint("give every feature its LAD code, or remove the attribute to take districts from the lookup"));
        }
        if let Some(j) = seen.insert(code, i) {
            return Err(Error::at(
                bpath,
                format!("features {} and {}", j + 1, i + 1),
                format!("duplicate LSOA code {code}"),
            )
            .hint("each LSOA must appear once; dissolve or remove the duplicate"));
        }
    }
    ld.all_codes = seen.keys().map(|s| s.to_string()).collect();
    ld.report.boundary_features = layer.features.len();
    Ok(Features { layer, has_lad_col })
}
