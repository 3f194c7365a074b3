//! The study area's LSOAs with everything joined onto them: geometry (BNG), population,
//! deprivation, district, ward, PCN, LGR units, extra boundary layers, MSOA and place. Domain data only:
//! how it was loaded (joins, warnings, input hashes) is in [`crate::load::LoadReport`].
//!
//! Districts, wards, PCNs, MSOAs, places and the units of every boundary layer are interned: each area holds
//! small ids into tables on [`Study`], sorted by code, so an id order is a code order.

use geo::{Coord, MultiPolygon};
use serde::Serialize;
use std::collections::HashMap;

/// Index into [`Study::lads`].
pub type LadId = u32;
/// Index into [`Study::wards`].
pub type WardId = u32;
/// Index into [`Study::pcns`].
pub type PcnId = u32;
/// Index into a [`UnitLayer`]'s units.
pub type UnitId = u32;
/// Index into [`Study::msoas`].
pub type MsoaId = u32;
/// Index into [`Study::places`].
pub type PlaceId = u32;

pub use crate::place::PlaceKind;

/// A settlement (town, city or village group) from the scenario's `[places]`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Place {
    /// Code: the user table's place value, or "district code/name" for places read from MSOA names.
    pub code: String,
    /// Name ("Bicester").
    pub name: String,
    /// Kind.
    pub kind: PlaceKind,
}

/// A code with its name (a district, ward or PCN).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Named {
    /// Code (ONS GSS or ODS).
    pub code: String,
    /// Name.
    pub name: String,
}

impl Named {
    /// How messages name it: "Halton (E06000006)", or the code alone when it has no name.
    ///
    /// ```
    /// let n = footprints::model::Named { code: "E06000006".into(), name: "Halton".into() };
    /// assert_eq!(n.label(), "Halton (E06000006)");
    /// ```
    pub fn label(&self) -> String {
        if self.name.is_empty() || self.name == self.code {
            self.code.clone()
        } else {
            format!("{} ({})", self.name, self.code)
        }
    }
}

/// Deprivation fields of one LSOA (decile and rank: 1 = most deprived nationally).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Imd {
    /// IMD score (higher = more deprived), if published in the table.
    pub score: Option<f64>,
    /// National rank.
    pub rank: Option<u32>,
    /// National decile.
    pub decile: Option<u8>,
    /// Optional need index.
    pub need: Option<f64>,
    /// True when carried from LSOA 2011 through a lookup.
    pub approximate: bool,
}

impl Imd {
    /// In the 20% most deprived nationally (deciles 1–2).
    pub fn core20(&self) -> bool {
        matches!(self.decile, Some(1 | 2))
    }
}

/// An LSOA's PCN.
#[derive(Debug, Clone, Serialize)]
pub struct PcnLink {
    /// The PCN.
    pub pcn: PcnId,
    /// Share of the LSOA's registered patients in this PCN (1.0 when approximated).
    pub share: f64,
    /// True when taken from the nearest practice rather than registrations.
    pub approximate: bool,
}

/// One LSOA of the study area.
#[derive(Debug, Clone)]
pub struct Area {
    /// ONS code (E01…).
    pub code: String,
    /// ONS name.
    pub name: String,
    /// Polygon in BNG metres.
    pub geom: MultiPolygon,
    /// A point guaranteed inside the polygon ([`crate::geom::interior_point`]).
    pub point: Coord,
    /// Area in m².
    pub area_m2: f64,
    /// Census 2021 usual residents.
    pub pop: u64,
    /// Deprivation.
    pub imd: Option<Imd>,
    /// District.
    pub lad: LadId,
    /// Ward (from the lookup).
    pub ward: Option<WardId>,
    /// Majority PCN (registrations) or the nearest practice's PCN.
    pub pcn: Option<PcnLink>,
    /// Registered patients living here (if registrations given).
    pub registered: u64,
    /// Registered patients by PCN, sorted by PCN id.
    pub reg_by_pcn: Vec<(PcnId, u64)>,
    /// Boundary-file attributes (for community columns).
    pub props: std::collections::BTreeMap<String, String>,
    /// MSOA (from `[places]` msoa_lookup).
    pub msoa: Option<MsoaId>,
    /// Place (from `[places]`).
    pub place: Option<PlaceId>,
}

/// A GP practice.
#[derive(Debug, Clone, Serialize)]
pub struct Practice {
    /// ODS code.
    pub code: String,
    /// Name.
    pub name: String,
    /// PCN (None = unallocated).
    pub pcn: Option<PcnId>,
    /// PCN name as given in the practices table (also for unallocated practices).
    pub pcn_name: String,
    /// Location, BNG metres.
    #[serde(skip)]
    pub xy: Coord,
    /// List size.
    pub list_size: Option<u64>,
    /// Index of the study-area LSOA containing it, if any.
    pub area: Option<usize>,
}

/// An LSOA → unit layer over the study area: the units of one LGR option or of an extra layer.
#[derive(Debug, Clone, Default, Serialize)]
pub struct UnitLayer {
    /// Layer name (e.g. "2UA", "sub-ICB").
    pub name: String,
    /// Unit names, in order of first appearance in the source table.
    pub units: Vec<String>,
    /// Unit of each study LSOA (None: the table gives it none).
    #[serde(skip)]
    pub unit_of: Vec<Option<UnitId>>,
}

impl UnitLayer {
    /// The unit name of study LSOA `i`.
    pub fn unit_name(&self, i: usize) -> Option<&str> {
        self.unit_of[i].map(|u| self.units[u as usize].as_str())
    }
}

/// One LGR option over the study area.
#[derive(Debug, Clone, Serialize)]
pub struct LgrOption {
    /// Option name (e.g. "2UA").
    pub name: String,
    /// Units in order of first appearance.
    pub units: Vec<String>,
    /// LADs given only as part/most rows: LSOA-level assignment needed.
    pub needs_lsoa_table: Vec<String>,
    /// Study-area LSOAs with no unit.
    pub unassigned: Vec<String>,
    /// Unit of each study LSOA.
    #[serde(skip)]
    pub unit_of: Vec<Option<UnitId>>,
}

impl LgrOption {
    /// True if every study LSOA has a unit and no LAD was approximated.
    pub fn exact(&self) -> bool {
        self.unassigned.is_empty() && self.needs_lsoa_table.is_empty()
    }

    /// The unit name of study LSOA `i`.
    pub fn unit_name(&self, i: usize) -> Option<&str> {
        self.unit_of[i].map(|u| self.units[u as usize].as_str())
    }
}

/// Everything known about the study area.
#[derive(Debug, Clone)]
pub struct Study {
    /// Scenario name.
    pub name: String,
    /// Study-area LSOAs sorted by code.
    pub areas: Vec<Area>,
    /// Code → index.
    pub index: HashMap<String, usize>,
    /// Districts, sorted by code.
    pub lads: Vec<Named>,
    /// Wards, sorted by code.
    pub wards: Vec<Named>,
    /// PCNs (of practices and registrations), sorted by code.
    pub pcns: Vec<Named>,
    /// Practices, sorted by code.
    pub practices: Vec<Practice>,
    /// LGR options.
    pub lgr: Vec<LgrOption>,
    /// Extra LSOA → unit layers.
    pub layers: Vec<UnitLayer>,
    /// MSOAs (code, name: the House of Commons Library name where it has one), sorted by code.
    pub msoas: Vec<Named>,
    /// Places, sorted by code.
    pub places: Vec<Place>,
}

/// True if the code is an LSOA 2021 code that did not exist in 2011 (England E01033768+, Wales W01001959+).
pub fn new_in_2021(code: &str) -> bool {
    let n: u32 = code.get(3..).and_then(|d| d.parse().ok()).unwrap_or(0);
    (code.starts_with("E01") && n >= 33_768) || (code.starts_with("W01") && n >= 1_959)
}

impl AsRef<Study> for Study {
    fn as_ref(&self) -> &Study {
        self
    }
}

impl Study {
    /// District of LSOA `i`.
    pub fn lad(&self, i: usize) -> &Named {
        &self.lads[self.areas[i].lad as usize]
    }

    /// Ward of LSOA `i`, if the lookup gives one.
    pub fn ward(&self, i: usize) -> Option<&Named> {
        self.areas[i].ward.map(|w| &self.wards[w as usize])
    }

    /// MSOA of LSOA `i`, if the scenario gives an MSOA lookup.
    pub fn msoa(&self, i: usize) -> Option<&Named> {
        self.areas[i].msoa.map(|m| &self.msoas[m as usize])
    }

    /// Place of LSOA `i`, if the scenario has `[places]`.
    pub fn place(&self, i: usize) -> Option<&Place> {
        self.areas[i].place.map(|p| &self.places[p as usize])
    }

    /// True when every LSOA has a place.
    pub fn has_places(&self) -> bool {
        !self.places.is_empty() && self.areas.iter().all(|a| a.place.is_some())
    }

    /// PCN of LSOA `i` (majority or nearest-practice), if any.
    pub fn pcn(&self, i: usize) -> Option<&Named> {
        self.areas[i].pcn.as_ref().map(|l| &self.pcns[l.pcn as usize])
    }

    /// A PCN by id.
    pub fn pcn_named(&self, id: PcnId) -> &Named {
        &self.pcns[id as usize]
    }

    /// Id of a PCN code.
    pub fn pcn_id(&self, code: &str) -> Option<PcnId> {
        self.pcns.binary_search_by(|n| n.code.as_str().cmp(code)).ok().map(|i| i as PcnId)
    }

    /// The PCN mass of LSOA `i`: who belongs to which PCN. This is the one definition used by
    /// build, score and export: the LSOA's registered patients by PCN where it has any
    /// registrations, otherwise its residents assigned to its (nearest-practice) PCN, otherwise
    /// nothing.
    ///
    /// # Examples
    ///
    /// ```
    /// # use footprints::model::*;
    /// # use std::collections::HashMap;
    /// # let area = |pop, pcn: Option<PcnLink>, reg: Vec<(PcnId, u64)>| Area { code: "E01".into(), name: "x".into(),
    /// #   geom: geo::MultiPolygon::new(vec![]), point: geo::Coord { x: 0.0, y: 0.0 }, area_m2: 0.0, pop, imd: None,
    /// #   lad: 0, ward: None, pcn, registered: reg.iter().map(|r| r.1).sum(), reg_by_pcn: reg, props: Default::default(),
    /// #   msoa: None, place: None };
    /// let link = PcnLink { pcn: 0, share: 1.0, approximate: true };
    /// let s = Study { name: "t".into(), index: HashMap::new(), lads: vec![], wards: vec![], pcns: vec![],
    ///     practices: vec![], lgr: vec![], layers: vec![], msoas: vec![], places: vec![],
    ///     areas: vec![area(1500, Some(link.clone()), vec![(0, 900), (1, 300)]), area(1200, Some(link), vec![])] };
    /// // Registrations where the LSOA has them …
    /// assert_eq!(s.pcn_mass(0), vec![(0, 900.0), (1, 300.0)]);
    /// // … otherwise its residents, all in its PCN.
    /// assert_eq!(s.pcn_mass(1), vec![(0, 1200.0)]);
    /// ```
    pub fn pcn_mass(&self, i: usize) -> Vec<(PcnId, f64)> {
        let a = &self.areas[i];
        if !a.reg_by_pcn.is_empty() {
            a.reg_by_pcn.iter().map(|&(p, n)| (p, n as f64)).collect()
        } else if let Some(l) = &a.pcn {
            vec![(l.pcn, a.pop as f64)]
        } else {
            Vec::new()
        }
    }

    /// True if any LSOA's PCN mass comes from registered patients.
    pub fn pcn_from_registrations(&self) -> bool {
        self.areas.iter().any(|a| !a.reg_by_pcn.is_empty())
    }

    /// Straight-line km from each LSOA's interior point to its nearest practice (rstar); empty when
    /// the scenario has no practices.
    pub fn nearest_practice_km(&self) -> Vec<f64> {
        if self.practices.is_empty() {
            return Vec::new();
        }
        let tree = rstar::RTree::bulk_load(self.practices.iter().map(|pr| [pr.xy.x, pr.xy.y]).collect());
        self.areas
            .iter()
            .map(|a| {
                tree.nearest_neighbor(&[a.point.x, a.point.y])
                    .map_or(f64::NAN, |q| (q[0] - a.point.x).hypot(q[1] - a.point.y) / 1000.0)
            })
            .collect()
    }

    /// Total population.
    pub fn population(&self) -> u64 {
        self.areas.iter().map(|a| a.pop).sum()
    }

    /// Index of an LGR option by name.
    pub fn lgr_index(&self, name: &str) -> Option<usize> {
        self.lgr.iter().position(|o| o.name == name)
    }

    /// Index of an extra layer by name.
    pub fn layer_index(&self, name: &str) -> Option<usize> {
        self.layers.iter().position(|l| l.name == name)
    }

    /// Distinct PCNs assigned to LSOAs, sorted by code.
    pub fn lsoa_pcns(&self) -> Vec<PcnId> {
        let mut v: Vec<PcnId> = self.areas.iter().filter_map(|a| a.pcn.as_ref().map(|l| l.pcn)).collect();
        v.sort_unstable();
        v.dedup();
        v
    }
}
