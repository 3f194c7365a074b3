//! LSOAs and practices while loading (plain strings), and their interning into the [`Study`].

use crate::model::{Area, Imd, LgrOption, Named, PcnLink, Place, Practice, Study, UnitLayer};
use geo::{Coord, MultiPolygon};
use std::collections::{BTreeMap, HashMap};

/// An LSOA being loaded.
#[derive(Debug, Clone)]
pub(crate) struct DraftArea {
    pub code: String,
    pub name: String,
    pub geom: MultiPolygon,
    pub point: Coord,
    pub area_m2: f64,
    pub pop: u64,
    pub imd: Option<Imd>,
    pub lad: Named,
    pub ward: Option<Named>,
    /// Majority or nearest-practice PCN code, share, approximate.
    pub pcn: Option<(String, f64, bool)>,
    pub registered: u64,
    pub reg_by_pcn: BTreeMap<String, u64>,
    pub props: BTreeMap<String, String>,
    /// MSOA code and name (the readable name where there is one).
    pub msoa: Option<Named>,
    pub place: Option<Place>,
}

/// A practice being loaded.
#[derive(Debug, Clone)]
pub(crate) struct DraftPractice {
    pub code: String,
    pub name: String,
    pub pcn_code: Option<String>,
    pub pcn_name: String,
    pub xy: Coord,
    pub list_size: Option<u64>,
    pub area: Option<usize>,
}

/// Sorted distinct values with their ids.
fn table<'a>(items: impl Iterator<Item = &'a Named>) -> (Vec<Named>, HashMap<String, u32>) {
    let mut by: BTreeMap<&str, &str> = BTreeMap::new();
    for n in items {
        by.entry(&n.code).or_insert(&n.name);
    }
    let v: Vec<Named> = by.into_iter().map(|(c, n)| Named { code: c.into(), name: n.into() }).collect();
    let ids = v.iter().enumerate().map(|(i, n)| (n.code.clone(), i as u32)).collect();
    (v, ids)
}

/// Build the study: districts, wards and PCNs become ids into tables sorted by code.
pub(crate) fn intern(
    name: String,
    areas: Vec<DraftArea>,
    index: HashMap<String, usize>,
    practices: Vec<DraftPractice>,
    pcn_names: BTreeMap<String, String>,
    lgr: Vec<LgrOption>,
    layers: Vec<UnitLayer>,
) -> Study {
    let (lads, lad_id) = table(areas.iter().map(|a| &a.lad));
    let (wards, ward_id) = table(areas.iter().filter_map(|a| a.ward.as_ref()));
    let mut pcn_all = pcn_names;
    for a in &areas {
        for code in a.reg_by_pcn.keys().chain(a.pcn.as_ref().map(|p| &p.0)) {
            pcn_all.entry(code.clone()).or_default();
        }
    }
    for p in &practices {
        if let Some(c) = &p.pcn_code {
            pcn_all.entry(c.clone()).or_insert_with(|| p.pcn_name.clone());
        }
    }
    let pcns: Vec<Named> = pcn_all.into_iter().map(|(code, name)| Named { code, name }).collect();
    let pcn_id: HashMap<&str, u32> = pcns.iter().enumerate().map(|(i, n)| (n.code.as_str(), i as u32)).collect();
    let (msoas, msoa_id) = table(areas.iter().filter_map(|a| a.msoa.as_ref()));
    let mut places: Vec<Place> = areas.iter().filter_map(|a| a.place.clone()).collect();
    places.sort();
    places.dedup_by(|a, b| a.code == b.code);
    let place_id: HashMap<String, u32> = places.iter().enumerate().map(|(i, p)| (p.code.clone(), i as u32)).collect();
    let areas = areas
        .into_iter()
        .map(|a| Area {
            lad: lad_id[&a.lad.code],
            ward: a.ward.as_ref().map(|w| ward_id[&w.code]),
            pcn: a.pcn.as_ref().map(|(c, share, approximate)| PcnLink {
                pcn: pcn_id[c.as_str()],
                share: *share,
                approximate: *approximate,
            }),
            reg_by_pcn: a.reg_by_pcn.iter().map(|(c, n)| (pcn_id[c.as_str()], *n)).collect(),
            msoa: a.msoa.as_ref().map(|m| msoa_id[&m.code]),
            place: a.place.as_ref().map(|p| place_id[&p.code]),
            code: a.code,
            name: a.name,
            geom: a.geom,
            point: a.point,
            area_m2: a.area_m2,
            pop: a.pop,
            imd: a.imd,
            registered: a.registered,
            props: a.props,
        })
        .collect();
    let practices = practices
        .into_iter()
        .map(|p| Practice {
            pcn: p.pcn_code.as_deref().map(|c| pcn_id[c]),
            code: p.code,
            name: p.name,
            pcn_name: p.pcn_name,
            xy: p.xy,
            list_size: p.list_size,
            area: p.area,
        })
        .collect();
    Study { name, areas, index, lads, wards, pcns, practices, lgr, layers, msoas, places }
}
