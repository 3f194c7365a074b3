//! Boundary layers: the hard boundaries footprints are built inside and the lines maps draw —
//! districts, one LGR option, the overlay of all LGR options, or an extra LSOA → unit layer.

use crate::error::{Error, Result};
use crate::model::{Study, UnitId};
use serde::Serialize;

/// A boundary layer over the study LSOAs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum Layer {
    /// No boundary.
    None,
    /// Local authority districts.
    Lad,
    /// One LGR option (index into `Study::lgr`).
    Lgr(usize),
    /// Overlay of all LGR options.
    Robust,
    /// An extra LSOA → unit layer (index into `Study::layers`).
    Extra(usize),
    /// Districts grouped into MNP units (the `hierarchy` MNP layer, made by
    /// `crate::build::hierarchy`): small neighbouring districts together, big ones alone.
    Districts(Box<DistrictGroups>),
}

/// Districts grouped into MNP units: the unit of each LSOA and each unit's label (its district
/// codes joined by " + ").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistrictGroups {
    /// The outer layer the groups stay inside (e.g. "sub-ICB"), if any.
    pub outer: Option<String>,
    /// Unit labels.
    pub units: Vec<String>,
    /// Unit of each study LSOA.
    #[serde(skip)]
    pub unit_of: Vec<UnitId>,
}

/// The unit of one LSOA in a [`Layer`]: comparable, hashable, and printable with
/// [`Layer::unit_label`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum UnitKey {
    /// The whole study area (layer `None`).
    All,
    /// A unit of the layer (district id, or unit id of the LGR option / extra layer).
    Unit(u32),
    /// The table gives this LSOA no unit.
    Missing,
    /// One unit (or none) per LGR option (layer `Robust`).
    Overlay(Vec<Option<UnitId>>),
}

impl Layer {
    /// Parse "none", "lad", "robust", an LGR option name or an extra layer name.
    ///
    /// # Examples
    ///
    /// ```
    /// # use footprints::layer::Layer;
    /// # let study = footprints::model::Study { name: "t".into(), areas: vec![], index: Default::default(),
    /// #     lads: vec![], wards: vec![], pcns: vec![], practices: vec![], lgr: vec![], layers: vec![],
    /// #     msoas: vec![], places: vec![] };
    /// assert_eq!(Layer::parse("LAD", &study).unwrap(), Layer::Lad);
    /// assert!(Layer::parse("robust", &study).is_err()); // no LGR options in this study
    /// ```
    pub fn parse<S: AsRef<Study> + ?Sized>(s: &str, study: &S) -> Result<Layer> {
        let study = study.as_ref();
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Layer::None),
            "lad" | "lads" | "district" => Ok(Layer::Lad),
            "robust" | "lgr-robust" => {
                if study.lgr.is_empty() {
                    return Err(Error::scenario("LGR-robust mode needs at least one [[lgr]] table in the scenario"));
                }
                Ok(Layer::Robust)
            }
            _ => study
                .lgr_index(s)
                .map(Layer::Lgr)
                .or_else(|| study.layer_index(s).map(Layer::Extra))
                .ok_or_else(|| unknown_layer(s, study)),
        }
    }

    /// The unit of LSOA `i`.
    pub fn unit<S: AsRef<Study> + ?Sized>(&self, study: &S, i: usize) -> UnitKey {
        let study = study.as_ref();
        let or_missing = |u: Option<UnitId>| u.map_or(UnitKey::Missing, UnitKey::Unit);
        match self {
            Layer::None => UnitKey::All,
            Layer::Lad => UnitKey::Unit(study.areas[i].lad),
            Layer::Lgr(k) => or_missing(study.lgr[*k].unit_of[i]),
            Layer::Extra(k) => or_missing(study.layers[*k].unit_of[i]),
            Layer::Districts(g) => UnitKey::Unit(g.unit_of[i]),
            Layer::Robust => UnitKey::Overlay(study.lgr.iter().map(|o| o.unit_of[i]).collect()),
        }
    }

    /// A unit's printable name: the district code, the unit name, "(no unit)", or the LGR units
    /// joined by " ∩ " for the overlay.
    pub fn unit_label<S: AsRef<Study> + ?Sized>(&self, study: &S, key: &UnitKey) -> String {
        let study = study.as_ref();
        match (self, key) {
            (_, UnitKey::All) => "all".into(),
            (_, UnitKey::Missing) => "(no unit)".into(),
            (Layer::Lad, UnitKey::Unit(u)) => study.lads[*u as usize].code.clone(),
            (Layer::Lgr(k), UnitKey::Unit(u)) => study.lgr[*k].units[*u as usize].clone(),
            (Layer::Extra(k), UnitKey::Unit(u)) => study.layers[*k].units[*u as usize].clone(),
            (Layer::Districts(g), UnitKey::Unit(u)) => g.units[*u as usize].clone(),
            (_, UnitKey::Overlay(parts)) => parts
                .iter()
                .zip(&study.lgr)
                .map(|(u, o)| u.map_or_else(|| "-".to_string(), |u| o.units[u as usize].clone()))
                .collect::<Vec<_>>()
                .join(" ∩ "),
            (_, UnitKey::Unit(u)) => u.to_string(),
        }
    }

    /// Printable unit of LSOA `i` (as [`Layer::unit_label`]).
    pub fn key<S: AsRef<Study> + ?Sized>(&self, study: &S, i: usize) -> String {
        let study = study.as_ref();
        self.unit_label(study, &self.unit(study, i))
    }

    /// Label for reports and legends.
    pub fn label<S: AsRef<Study> + ?Sized>(&self, study: &S) -> String {
        let study = study.as_ref();
        match self {
            Layer::None => "none".into(),
            Layer::Lad => "LAD".into(),
            Layer::Lgr(k) => format!("LGR option {}", study.lgr[*k].name),
            Layer::Robust => "LGR-robust (overlay of all LGR options)".into(),
            Layer::Extra(k) => format!("layer {}", study.layers[*k].name),
            Layer::Districts(g) => match &g.outer {
                Some(o) => format!("hierarchy (districts grouped into MNPs inside {o})"),
                None => "hierarchy (districts grouped into MNPs)".into(),
            },
        }
    }
}

fn unknown_layer(s: &str, study: &Study) -> Error {
    let names: Vec<String> =
        study.lgr.iter().map(|o| o.name.clone()).chain(study.layers.iter().map(|l| l.name.clone())).collect();
    Error::scenario(format!("unknown boundary layer \"{s}\"")).hint(format!(
        "use lad, none, robust, an LGR option or an extra layer: {}",
        if names.is_empty() { "(none in the scenario)".into() } else { names.join(", ") }
    ))
}
