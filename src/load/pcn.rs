//! Practices located in their LSOA, and the nearest practice's PCN for LSOAs without
//! registrations.

use super::Loader;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::RTree;

/// The study LSOA containing each practice (lowest index if on a shared edge).
pub(crate) fn locate_practices(ld: &mut Loader) {
    use geo::Contains;
    let tree = RTree::bulk_load(
        ld.areas
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let bb = geo::BoundingRect::bounding_rect(&a.geom)?;
                let r = Rectangle::from_corners([bb.min().x, bb.min().y], [bb.max().x, bb.max().y]);
                Some(GeomWithData::new(r, i))
            })
            .collect(),
    );
    let areas = &ld.areas;
    for p in &mut ld.practices {
        p.area = tree
            .locate_all_at_point(&[p.xy.x, p.xy.y])
            .map(|g| g.data)
            .filter(|&i| areas[i].geom.contains(&p.xy))
            .min();
    }
}

/// LSOAs with no PCN from registrations take their nearest practice's PCN (approximate).
pub(crate) fn nearest_practice_fallback(ld: &mut Loader) {
    let with_pcn: Vec<(&str, [f64; 2])> =
        ld.practices.iter().filter_map(|p| p.pcn_code.as_deref().map(|c| (c, [p.xy.x, p.xy.y]))).collect();
    if with_pcn.is_empty() {
        return;
    }
    let tree = RTree::bulk_load(with_pcn.iter().enumerate().map(|(i, p)| GeomWithData::new(p.1, i)).collect());
    let mut approx = 0;
    for a in &mut ld.areas {
        if a.pcn.is_none() {
            if let Some(nn) = tree.nearest_neighbor(&[a.point.x, a.point.y]) {
                a.pcn = Some((with_pcn[nn.data].0.to_string(), 1.0, true));
                approx += 1;
            }
        }
    }
    if approx > 0 {
        ld.warn(format!(
            "{approx} LSOA(s) take the PCN of their nearest practice (approximation: no registrations by LSOA for them)"
        ));
    }
}
