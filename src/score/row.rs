//! One footprint's row of `scores.csv`: each metric family fills the fields it owns; a field that
//! cannot be computed from the inputs stays `None` and prints "n/a".

use super::metric::Unit;
use serde::Serialize;

/// One footprint's row.
#[derive(Debug, Clone, Serialize)]
pub struct FootprintRow {
    /// Name.
    pub name: String,
    /// Enclosing MNP (if nested).
    pub mnp: Option<String>,
    /// Population.
    pub population: u64,
    /// Deviation from target, %.
    pub deviation_pct: f64,
    /// LSOAs.
    pub lsoas: usize,
    /// Main LAD (by name).
    pub main_lad: String,
    /// Share of the population in the main LAD.
    pub lad_share: f64,
    /// Main PCN ("code name") by PCN mass, if the footprint has any.
    pub main_pcn: Option<String>,
    /// Share of the footprint's PCN mass in the main PCN.
    pub pcn_share: Option<f64>,
    /// Population-weighted IMD score.
    pub imd_score: Option<f64>,
    /// Population-weighted IMD rank.
    pub imd_rank: Option<f64>,
    /// Share of population in Core20 LSOAs (national deciles 1–2), if the study has deprivation.
    pub core20_share: Option<f64>,
    /// Need-weighted population, if the scenario has a need column.
    pub need_weighted_population: Option<f64>,
    /// Practices inside, if the scenario has practices.
    pub practices: Option<usize>,
    /// Hub practice (named, or the one inside minimising population-weighted distance), if any.
    pub hub: Option<String>,
    /// Population-weighted mean distance (or travel time) to the hub, in `access_unit`.
    pub hub_mean: Option<f64>,
    /// Unit of `hub_mean`: km, or minutes with a travel-time matrix.
    pub access_unit: Unit,
    /// Polsby–Popper.
    pub polsby_popper: f64,
    /// Area / convex hull area.
    pub hull_ratio: f64,
    /// Area km².
    pub area_km2: f64,
}

impl FootprintRow {
    /// A row with the footprint's identity and size; the families fill the rest.
    pub fn new(name: String, mnp: Option<String>, population: u64, lsoas: usize, access_unit: Unit) -> FootprintRow {
        FootprintRow {
            name,
            mnp,
            population,
            deviation_pct: 0.0,
            lsoas,
            main_lad: String::new(),
            lad_share: 0.0,
            main_pcn: None,
            pcn_share: None,
            imd_score: None,
            imd_rank: None,
            core20_share: None,
            need_weighted_population: None,
            practices: None,
            hub: None,
            hub_mean: None,
            access_unit,
            polsby_popper: 0.0,
            hull_ratio: 0.0,
            area_km2: 0.0,
        }
    }
}
