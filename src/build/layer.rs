//! Hard boundary layers: the units footprints must not cross.

use crate::error::{Error, Result};
use crate::prepare::Prepared;
use serde::Serialize;

/// A hard boundary layer.
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
}

impl Layer {
    /// Parse "none", "lad", "robust" or an LGR option name.
    pub fn parse(s: &str, p: &Prepared) -> Result<Layer> {
        match s.to_ascii_lowercase().as_str() {
            "none" => Ok(Layer::None),
            "lad" | "lads" | "district" => Ok(Layer::Lad),
            "robust" | "lgr-robust" => {
                if p.study.lgr.is_empty() {
                    return Err(Error::scenario("LGR-robust mode needs at least one [[lgr]] table in the scenario"));
                }
                Ok(Layer::Robust)
            }
            _ => p
                .study
                .lgr_index(s)
                .map(Layer::Lgr)
                .or_else(|| p.study.layers.iter().position(|l| l == s).map(Layer::Extra))
                .ok_or_else(|| {
                    let names: Vec<String> = p.study.lgr.iter().map(|o| o.name.clone()).collect();
                    Error::scenario(format!("unknown boundary layer \"{s}\"")).hint(format!(
                        "use lad, none, robust or an LGR option: {}",
                        if names.is_empty() { "(none in the scenario)".into() } else { names.join(", ") }
                    ))
                }),
        }
    }

    /// Unit key of an LSOA.
    pub fn key(&self, p: &Prepared, i: usize) -> String {
        let a = &p.study.areas[i];
        match self {
            Layer::None => "all".into(),
            Layer::Lad => a.lad.clone(),
            Layer::Lgr(k) => a.lgr.get(*k).cloned().flatten().unwrap_or_else(|| "(no unit)".into()),
            Layer::Extra(k) => a.layers.get(*k).cloned().flatten().unwrap_or_else(|| "(no unit)".into()),
            Layer::Robust => {
                let parts: Vec<String> = a.lgr.iter().map(|u| u.clone().unwrap_or_else(|| "-".into())).collect();
                parts.join(" ∩ ")
            }
        }
    }

    /// Label for reports.
    pub fn label(&self, p: &Prepared) -> String {
        match self {
            Layer::None => "none".into(),
            Layer::Lad => "LAD".into(),
            Layer::Lgr(k) => format!("LGR option {}", p.study.lgr[*k].name),
            Layer::Robust => "LGR-robust (overlay of all LGR options)".into(),
            Layer::Extra(k) => format!("layer {}", p.study.layers[*k]),
        }
    }
}
