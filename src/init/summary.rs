//! The plain-words summary `init` prints after loading the scenario it wrote.

use super::Written;
use crate::fmt::fmt_int;
use crate::prepare::Prepared;
use serde::Serialize;
use std::fmt::Write as _;

/// What the written scenario holds once loaded, and what it lacks.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// LSOAs in the study area.
    pub lsoas: usize,
    /// Residents.
    pub population: u64,
    /// Practices placed (inside or near the area) and practices kept from the map.
    pub practices_placed: Option<(usize, usize)>,
    /// Share of residents whose LSOA has a PCN (from registrations or the nearest practice);
    /// `None` when no LSOA has one (PCN figures are n/a).
    pub pcn_known_share: Option<f64>,
    /// Where the LSOA PCNs come from: "registrations", "nearest practice" or "none".
    pub pcn_from: &'static str,
    /// Places found (towns, cities, village groups).
    pub places: usize,
    /// LGR options read.
    pub lgr_options: usize,
    /// Warnings from loading.
    pub warnings: usize,
    /// What is missing, in plain words.
    pub missing: Vec<String>,
}

impl Summary {
    /// Summarise the loaded scenario `p` that `w` wrote.
    pub fn new(p: &Prepared, w: &Written) -> Summary {
        let s = &p.study;
        let pop = s.population();
        let with_pcn: u64 = s.areas.iter().filter(|a| a.pcn.is_some()).map(|a| a.pop).sum();
        let approx = s.areas.iter().filter(|a| a.pcn.as_ref().is_some_and(|l| l.approximate)).count();
        let pcn_from = match (with_pcn > 0, approx == s.areas.len()) {
            (false, _) => "none",
            (true, true) => "nearest practice",
            (true, false) => "registrations",
        };
        let placed = p.report.practice_placement.as_ref().map(|pl| (pl.by_coordinates + pl.by_postcode, pl.kept));
        let mut missing = w.missing.clone();
        if let Some((n, k)) = placed.filter(|(n, k)| n < k) {
            missing.push(format!(
                "no postcode coordinates for {} of {k} practices: they are left out, so access and nearest-practice PCN figures use the {n} placed",
                k - n
            ));
        }
        if with_pcn == 0 {
            missing.push("no LSOA has a PCN: PCN split and PCN coterminosity figures are n/a".into());
        }
        Summary {
            lsoas: s.areas.len(),
            population: pop,
            practices_placed: placed,
            pcn_known_share: (with_pcn > 0 && pop > 0).then(|| with_pcn as f64 / pop as f64),
            pcn_from,
            places: s.places.len(),
            lgr_options: s.lgr.len(),
            warnings: p.report.warnings.len(),
            missing,
        }
    }

    /// The text printed by `footprints init`.
    pub fn to_text(&self, w: &Written) -> String {
        let mut o = String::new();
        let lads: Vec<String> = w.area.lads.iter().map(|(c, n)| format!("{n} ({c})")).collect();
        let _ = writeln!(o, "wrote {}: {} district(s): {}", w.path.display(), lads.len(), lads.join(", "));
        let _ = writeln!(o, "check: {} LSOAs, {} residents", fmt_int(self.lsoas as u64), fmt_int(self.population));
        match self.practices_placed {
            Some((n, k)) => {
                let _ = writeln!(o, "  practices: {n} of {k} placed");
            }
            None => {
                let _ = writeln!(o, "  practices: none placed");
            }
        }
        match self.pcn_known_share {
            Some(f) => {
                let _ = writeln!(o, "  PCN known for {:.1}% of residents (from {})", f * 100.0, self.pcn_from);
            }
            None => {
                let _ = writeln!(o, "  PCN: n/a (no practices placed and no registrations)");
            }
        }
        let _ =
            writeln!(o, "  places: {}; LGR options: {}; warnings: {}", self.places, self.lgr_options, self.warnings);
        if self.missing.is_empty() {
            let _ = writeln!(o, "Nothing missing.");
        } else {
            let _ = writeln!(o, "Missing:");
            for m in &self.missing {
                let _ = writeln!(o, "  - {m}");
            }
        }
        if self.warnings > 0 {
            let _ = writeln!(o, "`footprints check --scenario {}` lists the warnings.", w.path.display());
        }
        o
    }
}
