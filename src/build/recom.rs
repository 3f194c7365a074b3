//! The ReCom chain with annealing: merge two neighbouring footprints, draw a random spanning tree
//! of the union, cut it into two footprints within the bounds (DeFord, Duchin & Solomon 2021), and
//! accept by the Metropolis rule on the weighted objective with a linearly falling temperature.
//! Each step looks only at the two footprints it redraws: the partition keeps its cut edges, and
//! the objective terms score the two parts against cached state.

use super::constraint::Bounds;
use super::graph::LGraph;
use super::objective::{Groupings, Objective};
use super::partition::{Partition, Proposal};
use super::seed::tree_partition;
use crate::scenario::Weights;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// What the chain works on: one cell (the SNPs of one MNP inside one SNP unit).
pub(crate) struct Cell<'a> {
    /// The atom graph.
    pub g: &'a LGraph,
    /// Groupings per atom.
    pub groupings: &'a Groupings,
    /// Objective weights.
    pub weights: &'a Weights,
    /// Bounds per footprint.
    pub bounds: Bounds,
    /// Proposals per footprint.
    pub steps_per_part: usize,
}

/// The best parts found and the proposals made.
pub(crate) struct Improved {
    /// Parts (atoms sorted, parts sorted).
    pub parts: Vec<Vec<usize>>,
    /// Proposals made.
    pub proposals: usize,
}

impl Cell<'_> {
    /// ReCom with annealing over `parts` (atoms of the atom graph); returns the best parts seen.
    pub fn improve(&self, parts: Vec<Vec<usize>>, rng: &mut ChaCha8Rng) -> Improved {
        let k = parts.len();
        if k < 2 {
            return Improved { parts, proposals: 0 };
        }
        let steps = self.steps_per_part * k;
        // Work on the cell's own graph: node i is the i-th atom of the cell in ascending order.
        let mut atoms: Vec<usize> = parts.iter().flatten().copied().collect();
        atoms.sort_unstable();
        let local = |a: usize| atoms.binary_search(&a).unwrap_or(usize::MAX);
        let g = self.g.induced(&atoms);
        let parts: Vec<Vec<usize>> = parts.iter().map(|p| p.iter().map(|&a| local(a)).collect()).collect();
        let ideal = parts.iter().map(|p| p.iter().map(|&a| g.pop[a]).sum::<f64>()).sum::<f64>() / k as f64;
        let mut obj = Objective::new(self.groupings.induced(&atoms), self.weights.clone(), ideal);
        let mut part = Partition::new(&g, parts);
        let c = obj.init(&g, &part);
        let mut cur = obj.value(&c);
        let (mut best, mut best_val) = (part.parts().to_vec(), cur);
        let t0 = (cur.abs() * 0.002).max(1.0);
        let mut prop = Proposal::new(g.len());
        let mut pairs = Vec::new();
        let mut merged = Vec::new();
        for step in 0..steps {
            part.adjacent_pairs_into(&mut pairs);
            if pairs.is_empty() {
                break;
            }
            let (d1, d2) = pairs[rng.random_range(0..pairs.len())];
            merged.clear();
            merged.extend(part.parts()[d1].iter().chain(&part.parts()[d2]));
            let Some(mut split) = tree_partition(&g, &merged, 2, self.bounds, rng, 8) else {
                continue;
            };
            let new2 = split.pop().unwrap_or_default();
            let new1 = split.pop().unwrap_or_default();
            prop.set(d1, d2, new1, new2);
            let v = obj.score(&g, &part, &prop);
            let temp = t0 * (1.0 - step as f64 / steps as f64).max(0.0) + 1e-9;
            if v <= cur || rng.random::<f64>() < (-(v - cur) / temp).exp() {
                cur = v;
                obj.accept();
                part.apply(&prop);
                if v < best_val {
                    best_val = v;
                    for (b, p) in best.iter_mut().zip(part.parts()) {
                        b.clone_from(p);
                    }
                }
            }
        }
        let mut best: Vec<Vec<usize>> = best
            .into_iter()
            .map(|p| {
                let mut p: Vec<usize> = p.into_iter().map(|i| atoms[i]).collect();
                p.sort();
                p
            })
            .collect();
        best.sort();
        Improved { parts: best, proposals: steps }
    }
}
