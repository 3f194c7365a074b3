//! A partition of a graph's nodes into numbered parts, with each part's nodes and population and
//! the cut edges cached and updated by every accepted proposal (as in frcw.rs `partition.rs`).

use super::graph::LGraph;

/// A proposal to redraw two parts: `d1` becomes `new1` and `d2` becomes `new2` (together the same
/// nodes as before). A reusable buffer: [`Proposal::set`] replaces its contents without allocating.
#[derive(Debug, Clone, Default)]
pub struct Proposal {
    /// First part redrawn.
    pub d1: usize,
    /// Second part redrawn.
    pub d2: usize,
    /// New nodes of `d1`.
    pub new1: Vec<usize>,
    /// New nodes of `d2`.
    pub new2: Vec<usize>,
    /// Per node: in `new1`.
    in_new1: Vec<bool>,
}

impl Proposal {
    /// An empty proposal for a graph of `n` nodes.
    pub fn new(n: usize) -> Proposal {
        Proposal { in_new1: vec![false; n], ..Default::default() }
    }

    /// Propose that `d1` becomes `new1` and `d2` becomes `new2`.
    pub fn set(&mut self, d1: usize, d2: usize, new1: Vec<usize>, new2: Vec<usize>) {
        for &v in &self.new1 {
            self.in_new1[v] = false;
        }
        for &v in &new1 {
            self.in_new1[v] = true;
        }
        (self.d1, self.d2, self.new1, self.new2) = (d1, d2, new1, new2);
    }

    /// The part of node `v` once the proposal is applied to `p`.
    pub fn label_after(&self, p: &Partition, v: usize) -> Option<usize> {
        let l = p.label(v)?;
        if l == self.d1 || l == self.d2 {
            Some(if self.in_new1[v] { self.d1 } else { self.d2 })
        } else {
            Some(l)
        }
    }
}

/// Parts of a graph's nodes, with per-part node lists (in a stable order), populations and the cut
/// edges (edges whose ends lie in different parts) kept up to date by [`Partition::apply`].
///
/// # Examples
///
/// ```
/// use footprints::build::{LGraph, Partition, Proposal};
/// // A 3 × 2 grid: 0 1 2 / 3 4 5, split into columns {0,3}, {1,4}, {2,5}.
/// let g = LGraph::grid(3, 2);
/// let mut p = Partition::new(&g, vec![vec![0, 3], vec![1, 4], vec![2, 5]]);
/// assert_eq!(p.cut_edges(), vec![(0, 1), (1, 2), (3, 4), (4, 5)]);
/// assert_eq!(p.adjacent_pairs(), vec![(0, 1), (1, 2)]);
/// // Redraw parts 0 and 1 as {0,1,3} and {4}.
/// let mut prop = Proposal::new(g.len());
/// prop.set(0, 1, vec![0, 1, 3], vec![4]);
/// p.apply(&prop);
/// assert_eq!(p.cut_edges(), vec![(1, 2), (1, 4), (3, 4), (4, 5)]);
/// assert_eq!(p.pop(0), 3.0);
/// ```
#[derive(Debug, Clone)]
pub struct Partition {
    /// Part per node (`usize::MAX`: in no part).
    label: Vec<usize>,
    /// Nodes per part.
    parts: Vec<Vec<usize>>,
    /// Population per part.
    pop: Vec<f64>,
    /// Population per node.
    node_pop: Vec<f64>,
    /// Edges (a < b), sorted.
    edges: Vec<(usize, usize)>,
    /// Per node: (neighbour, edge index).
    incident: Vec<Vec<(usize, usize)>>,
    /// Per edge: ends in different parts (both in some part).
    is_cut: Vec<bool>,
    /// Cut edges per pair of parts, `k × k`, counted at `[min][max]`.
    pair_cuts: Vec<u32>,
    /// Per edge: last update that visited it.
    stamp: Vec<u32>,
    epoch: u32,
    /// Reused buffer of edges touched by a proposal.
    touched: Vec<usize>,
}

impl Partition {
    /// The partition of `g` into `parts` (nodes of `g` in no part are left out).
    pub fn new(g: &LGraph, parts: Vec<Vec<usize>>) -> Partition {
        let n = g.len();
        let k = parts.len();
        let mut label = vec![usize::MAX; n];
        for (d, p) in parts.iter().enumerate() {
            for &v in p {
                label[v] = d;
            }
        }
        let mut edges = Vec::new();
        let mut incident = vec![Vec::new(); n];
        for (a, nbs) in g.adj.iter().enumerate() {
            for nb in nbs.iter().filter(|nb| a < nb.node) {
                incident[a].push((nb.node, edges.len()));
                incident[nb.node].push((a, edges.len()));
                edges.push((a, nb.node));
            }
        }
        let pop = parts.iter().map(|p| p.iter().map(|&v| g.pop[v]).sum()).collect();
        let mut part = Partition {
            label,
            parts,
            pop,
            node_pop: g.pop.clone(),
            is_cut: vec![false; edges.len()],
            stamp: vec![0; edges.len()],
            edges,
            incident,
            pair_cuts: vec![0; k * k],
            epoch: 0,
            touched: Vec::new(),
        };
        for e in 0..part.edges.len() {
            part.mark(e, true);
        }
        part
    }

    fn pair(&self, x: usize, y: usize) -> usize {
        x.min(y) * self.parts.len() + x.max(y)
    }

    /// Recount edge `e` as cut or not from the current labels (`add`), or take it out of the counts.
    fn mark(&mut self, e: usize, add: bool) {
        let (a, b) = self.edges[e];
        let (la, lb) = (self.label[a], self.label[b]);
        if add {
            self.is_cut[e] = la != lb && la != usize::MAX && lb != usize::MAX;
        }
        if self.is_cut[e] {
            let i = self.pair(la, lb);
            if add {
                self.pair_cuts[i] += 1;
            } else {
                self.pair_cuts[i] -= 1;
            }
        }
    }

    /// Number of parts.
    pub fn len(&self) -> usize {
        self.parts.len()
    }

    /// True if there are no parts.
    pub fn is_empty(&self) -> bool {
        self.parts.is_empty()
    }

    /// Part of node `v`, if any.
    pub fn label(&self, v: usize) -> Option<usize> {
        Some(self.label[v]).filter(|&d| d != usize::MAX)
    }

    /// Nodes of every part.
    pub fn parts(&self) -> &[Vec<usize>] {
        &self.parts
    }

    /// Population of part `d`.
    pub fn pop(&self, d: usize) -> f64 {
        self.pop[d]
    }

    /// Cut edges `(a, b)` with `a < b`, sorted.
    pub fn cut_edges(&self) -> Vec<(usize, usize)> {
        (0..self.edges.len()).filter(|&e| self.is_cut[e]).map(|e| self.edges[e]).collect()
    }

    /// Pairs of parts `(d1, d2)`, `d1 < d2`, sharing at least one cut edge, sorted.
    pub fn adjacent_pairs(&self) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        self.adjacent_pairs_into(&mut out);
        out
    }

    /// As [`Partition::adjacent_pairs`], into a reused buffer.
    pub fn adjacent_pairs_into(&self, out: &mut Vec<(usize, usize)>) {
        out.clear();
        let k = self.parts.len();
        for x in 0..k {
            for y in x + 1..k {
                if self.pair_cuts[x * k + y] > 0 {
                    out.push((x, y));
                }
            }
        }
    }

    /// Apply an accepted proposal: relabel the nodes of the two parts and update the cut edges
    /// that touch them (each edge visited once).
    pub fn apply(&mut self, prop: &Proposal) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.stamp.iter_mut().for_each(|s| *s = u32::MAX);
            self.epoch = 1;
        }
        let mut touched = std::mem::take(&mut self.touched);
        touched.clear();
        for &v in prop.new1.iter().chain(&prop.new2) {
            for i in 0..self.incident[v].len() {
                let e = self.incident[v][i].1;
                if self.stamp[e] != self.epoch {
                    self.stamp[e] = self.epoch;
                    self.mark(e, false);
                    touched.push(e);
                }
            }
        }
        for (d, new) in [(prop.d1, &prop.new1), (prop.d2, &prop.new2)] {
            for &v in new {
                self.label[v] = d;
            }
            self.parts[d].clear();
            self.parts[d].extend_from_slice(new);
            self.pop[d] = new.iter().map(|&v| self.node_pop[v]).sum();
        }
        for &e in &touched {
            self.mark(e, true);
        }
        self.touched = touched;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_follow_the_cut() {
        let g = LGraph::grid(4, 1);
        let mut p = Partition::new(&g, vec![vec![0], vec![1, 2], vec![3]]);
        assert_eq!(p.adjacent_pairs(), vec![(0, 1), (1, 2)]);
        let mut prop = Proposal::new(4);
        prop.set(0, 1, vec![0, 1, 2], vec![]);
        p.apply(&prop);
        assert_eq!(p.adjacent_pairs(), vec![(0, 2)]);
        assert_eq!(p.cut_edges(), vec![(2, 3)]);
    }
}
