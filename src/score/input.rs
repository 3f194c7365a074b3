//! The one place scoring reads per-LSOA study data. Every metric family goes through these small
//! functions, so a change in how the model stores LADs, PCNs or layer units touches this file only.

use crate::io::footprints::LsoaIndex;
use crate::model::{Imd, MsoaId, Place, PlaceId, Practice};
use crate::prepare::Prepared;
use geo::{Coord, MultiPolygon};

/// A boundary layer an LSOA has a unit in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layer {
    /// Local authority district.
    Lad,
    /// The n-th LGR option of the scenario.
    Lgr(usize),
    /// The n-th extra layer (`[[layers]]`, e.g. sub-ICB).
    Extra(usize),
}

/// LSOAs in the study.
pub fn n(p: &Prepared) -> usize {
    p.study.areas.len()
}

/// LSOA code of `i`.
pub fn code(p: &Prepared, i: usize) -> &str {
    &p.study.areas[i].code
}

/// Population (Census 2021 usual residents) of `i`.
pub fn pop(p: &Prepared, i: usize) -> f64 {
    p.study.areas[i].pop as f64
}

/// LAD code of `i`.
pub fn lad(p: &Prepared, i: usize) -> &str {
    &p.study.lad(i).code
}

/// LAD name of `i`.
pub fn lad_name(p: &Prepared, i: usize) -> &str {
    &p.study.lad(i).name
}

/// Place of `i` (id and place), when the scenario has `[places]`.
pub fn place(p: &Prepared, i: usize) -> Option<(PlaceId, &Place)> {
    p.study.areas[i].place.zip(p.study.place(i))
}

/// True when every LSOA has a place.
pub fn has_places(p: &Prepared) -> bool {
    p.study.has_places()
}

/// MSOA of `i`, when the scenario gives an MSOA lookup.
pub fn msoa(p: &Prepared, i: usize) -> Option<MsoaId> {
    p.study.areas[i].msoa
}

/// Every boundary layer with its display name: LAD, each LGR option ("LGR 2UA"), each extra layer.
pub fn layers(p: &Prepared) -> Vec<(Layer, String)> {
    let s = &p.study;
    let mut out = vec![(Layer::Lad, "LAD".to_string())];
    out.extend(s.lgr.iter().enumerate().map(|(k, o)| (Layer::Lgr(k), format!("LGR {}", o.name))));
    out.extend(s.layers.iter().enumerate().map(|(k, l)| (Layer::Extra(k), l.name.clone())));
    out
}

/// The unit of `i` in `layer`, if it has one.
pub fn unit(p: &Prepared, layer: Layer, i: usize) -> Option<&str> {
    let s = &p.study;
    match layer {
        Layer::Lad => Some(&s.lad(i).code),
        Layer::Lgr(k) => s.lgr[k].unit_name(i),
        Layer::Extra(k) => s.layers[k].unit_name(i),
    }
}

/// PCN mass of LSOA `i` by PCN code — the one definition: the LSOA's registered patients by PCN
/// when it has any registrations, otherwise its residents assigned to its PCN (none without a PCN).
pub fn pcn_mass(p: &Prepared, i: usize) -> Vec<(String, f64)> {
    p.study.pcn_mass(i).into_iter().map(|(id, m)| (p.study.pcn_named(id).code.clone(), m)).collect()
}

/// True when any LSOA's PCN mass comes from registrations.
pub fn pcn_from_registrations(p: &Prepared) -> bool {
    p.study.pcn_from_registrations()
}

/// "code name" of a PCN, or the code alone for a PCN the inputs do not know.
pub fn pcn_label(p: &Prepared, code: &str) -> String {
    match p.study.pcn_id(code) {
        Some(id) => format!("{code} {}", p.study.pcn_named(id).name),
        None => code.to_string(),
    }
}

/// Deprivation of `i`, if joined.
pub fn imd(p: &Prepared, i: usize) -> Option<&Imd> {
    p.study.areas[i].imd.as_ref()
}

/// True when any LSOA has deprivation data.
pub fn has_imd(p: &Prepared) -> bool {
    p.study.areas.iter().any(|a| a.imd.is_some())
}

/// True when any LSOA has a need index (the scenario's `deprivation.need` column).
pub fn has_need(p: &Prepared) -> bool {
    p.study.areas.iter().any(|a| a.imd.as_ref().is_some_and(|m| m.need.is_some()))
}

/// In the 20% most deprived nationally.
pub fn core20(p: &Prepared, i: usize) -> bool {
    imd(p, i).is_some_and(Imd::core20)
}

/// Interior point of `i` (BNG metres).
pub fn point(p: &Prepared, i: usize) -> Coord {
    p.study.areas[i].point
}

/// Geometry of `i` (BNG metres).
pub fn geom(p: &Prepared, i: usize) -> &MultiPolygon {
    &p.study.areas[i].geom
}

/// Area of `i`, m².
pub fn area_m2(p: &Prepared, i: usize) -> f64 {
    p.study.areas[i].area_m2
}

/// The scenario's practices.
pub fn practices(p: &Prepared) -> &[Practice] {
    &p.study.practices
}

/// "code name" of a practice.
pub fn practice_label(pr: &Practice) -> String {
    format!("{} {}", pr.code, pr.name)
}

/// Straight-line km from each LSOA to its nearest practice; empty without practices.
pub fn nearest_practice_km(p: &Prepared) -> Vec<f64> {
    p.study.nearest_practice_km()
}

/// Interior points of all LSOAs, for [`LsoaIndex`].
pub fn points(p: &Prepared) -> Vec<Coord> {
    p.study.areas.iter().map(|a| a.point).collect()
}

/// The code index footprint readers take.
pub fn lsoa_index<'a>(p: &'a Prepared, points: &'a [Coord]) -> LsoaIndex<'a> {
    LsoaIndex { codes: &p.study.index, points }
}
