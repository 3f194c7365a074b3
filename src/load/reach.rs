//! Practices far from the study area, and LSOAs whose PCN comes from a far-away practice: the
//! sign of a practices file for another area (every LSOA would get a PCN hundreds of km away).

use crate::model::Study;
use rstar::primitives::GeomWithData;
use rstar::{PointDistance, RTree};

/// How far a practice may lie from the study area, and an LSOA from the practice whose PCN it
/// takes, before a warning: 15 km. Measured on the real data, the farthest an LSOA's interior
/// point lies from its nearest practice with a PCN is 9.7 km in Oxfordshire (median 1.2 km) and
/// 10.4 km in Staffordshire and Stoke-on-Trent, and the farthest practice lies 3.0 km (4.3 km)
/// from the nearest LSOA; 15 km is half as far again as the largest of these.
pub const FAR_KM: f64 = 15.0;

/// Warnings about practices more than [`FAR_KM`] from every study LSOA's interior point, and
/// about LSOAs that take their PCN from a nearest practice more than [`FAR_KM`] away.
pub fn practice_reach(study: &Study) -> Vec<String> {
    let mut out = Vec::new();
    if study.practices.is_empty() || study.areas.is_empty() {
        return out;
    }
    let far = FAR_KM * 1000.0;
    let points = RTree::bulk_load(study.areas.iter().map(|a| [a.point.x, a.point.y]).collect());
    let outside: Vec<(f64, &str)> = study
        .practices
        .iter()
        .map(|p| (distance(&points, [p.xy.x, p.xy.y]), p.code.as_str()))
        .filter(|(d, _)| *d > far)
        .collect();
    if let Some((d, code)) = outside.iter().max_by(|a, b| a.0.total_cmp(&b.0)) {
        out.push(format!(
            "{} of {} practices lie more than {FAR_KM:.0} km from every study-area LSOA (farthest: {code}, {:.0} km); \
             is the practices file for this area? (a national file: keep the area's rows with [practices] only)",
            outside.len(),
            study.practices.len(),
            d / 1000.0
        ));
    }
    let with_pcn = RTree::bulk_load(
        study.practices.iter().filter(|p| p.pcn.is_some()).map(|p| GeomWithData::new([p.xy.x, p.xy.y], ())).collect(),
    );
    let mut from_far: Vec<(f64, usize)> = study
        .areas
        .iter()
        .enumerate()
        .filter(|(_, a)| a.pcn.as_ref().is_some_and(|l| l.approximate))
        .filter_map(|(i, a)| {
            Some((with_pcn.nearest_neighbor(&[a.point.x, a.point.y])?.distance_2(&[a.point.x, a.point.y]).sqrt(), i))
        })
        .filter(|(d, _)| *d > far)
        .collect();
    from_far.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    if let Some(&(d, i)) = from_far.first() {
        let people: u64 = from_far.iter().map(|&(_, i)| study.areas[i].pop).sum();
        out.push(format!(
            "{} LSOA(s) ({} people) take their PCN from a nearest practice more than {FAR_KM:.0} km away \
             (farthest: {}, {:.0} km); their PCN and access figures are not meaningful",
            from_far.len(),
            crate::fmt::fmt_int(people),
            study.areas[i].code,
            d / 1000.0
        ));
    }
    out
}

fn distance(points: &RTree<[f64; 2]>, at: [f64; 2]) -> f64 {
    points.nearest_neighbor(&at).map(|p| p.distance_2(&at).sqrt()).unwrap_or(f64::INFINITY)
}
