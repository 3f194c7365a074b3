//! Soft objectives of a plan: split PCN catchments, split natural communities, cut boundary
//! length, imbalance, and distance from an existing footprint set.

use crate::scenario::Weights;
use rustc_hash::FxHashMap as HashMap;

/// Group memberships per atom, for one kind of grouping (PCN, community, existing footprint).
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    /// Per atom: (group id, mass).
    pub masses: Vec<Vec<(u32, f64)>>,
}

impl Grouping {
    /// People of groups living outside their group's main part: Σ_g (total_g − max_d mass(g, d)).
    pub fn split(&self, label: &dyn Fn(usize) -> usize, atoms: &[usize]) -> f64 {
        let mut by: HashMap<(u32, usize), f64> = HashMap::default();
        let mut tot: HashMap<u32, f64> = HashMap::default();
        for &a in atoms {
            let d = label(a);
            for &(g, m) in &self.masses[a] {
                *by.entry((g, d)).or_default() += m;
                *tot.entry(g).or_default() += m;
            }
        }
        let mut best: HashMap<u32, f64> = HashMap::default();
        for ((g, _), m) in by {
            let e = best.entry(g).or_default();
            if m > *e {
                *e = m;
            }
        }
        tot.iter().map(|(g, t)| t - best.get(g).copied().unwrap_or(0.0)).sum()
    }
}

/// Everything needed to score a set of parts.
#[derive(Debug, Clone, Default)]
pub struct ObjCtx {
    /// PCN grouping.
    pub pcn: Grouping,
    /// Community grouping.
    pub community: Grouping,
    /// Existing footprints grouping.
    pub existing: Grouping,
    /// Weights.
    pub weights: Weights,
    /// Ideal population per part.
    pub ideal: f64,
}

/// Objective components of a set of parts (lower is better).
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Components {
    /// PCN population outside its main footprint.
    pub pcn_split: f64,
    /// Community population outside its main footprint.
    pub community_split: f64,
    /// Cut boundary length in km.
    pub cut_km: f64,
    /// Σ |pop − ideal|.
    pub imbalance: f64,
    /// Existing-footprint population moved.
    pub existing_moved: f64,
}

impl ObjCtx {
    /// Components for parts over atoms, with the atom graph for the cut length.
    pub fn components(&self, g: &super::partition::LGraph, parts: &[Vec<usize>]) -> Components {
        let mut label: HashMap<usize, usize> = HashMap::default();
        for (d, p) in parts.iter().enumerate() {
            for &a in p {
                label.insert(a, d);
            }
        }
        self.components_labelled(g, parts, &label)
    }

    /// As [`ObjCtx::components`], with the atom → part labels already built.
    pub fn components_labelled(
        &self,
        g: &super::partition::LGraph,
        parts: &[Vec<usize>],
        label: &HashMap<usize, usize>,
    ) -> Components {
        let atoms: Vec<usize> = parts.iter().flatten().copied().collect();
        let lab = |a: usize| label[&a];
        let mut cut = 0.0;
        for &a in &atoms {
            for &(b, shared, _) in &g.adj[a] {
                if a < b {
                    if let Some(&lb) = label.get(&b) {
                        if lb != label[&a] {
                            cut += shared;
                        }
                    }
                }
            }
        }
        let imbalance = parts.iter().map(|p| (p.iter().map(|&a| g.pop[a]).sum::<f64>() - self.ideal).abs()).sum();
        Components {
            pcn_split: self.pcn.split(&lab, &atoms),
            community_split: self.community.split(&lab, &atoms),
            cut_km: cut / 1000.0,
            imbalance,
            existing_moved: self.existing.split(&lab, &atoms),
        }
    }

    /// Weighted objective.
    pub fn value(&self, c: &Components) -> f64 {
        let w = &self.weights;
        w.pcn * c.pcn_split
            + w.community * c.community_split
            + w.compactness * c.cut_km
            + w.balance * c.imbalance
            + w.existing * c.existing_moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_hand_worked() {
        // Two groups over four atoms; group 0 = 100 in part 0 and 30 in part 1 → 30 split;
        // group 1 = 50 all in part 1 → 0.
        let g = Grouping { masses: vec![vec![(0, 100.0)], vec![(0, 30.0)], vec![(1, 50.0)], vec![]] };
        let label = |a: usize| if a == 0 { 0 } else { 1 };
        assert_eq!(g.split(&label, &[0, 1, 2, 3]), 30.0);
    }
}
