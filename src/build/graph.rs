//! The graphs the builder partitions: atoms (LSOAs, lock groups contracted) with populations,
//! shared boundary lengths and spanning-tree surcharges; SNPs for MNP grouping; cells for ReCom.

use std::collections::BTreeMap;

/// A neighbour of a node.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Nb {
    /// The neighbouring node.
    pub node: usize,
    /// Shared boundary, m.
    pub shared_m: f64,
    /// Added to the random weight of this edge in spanning trees, so trees cross it last.
    pub surcharge: f64,
    /// The surcharge `node`'s own list gives this edge (surcharges may differ by direction: a
    /// community border counts only from a node that has a community).
    pub back_surcharge: f64,
}

/// A small weighted graph over "atoms" (LSOAs, lock groups or footprints).
#[derive(Debug, Clone, Default)]
pub struct LGraph {
    /// Population per node.
    pub pop: Vec<f64>,
    /// Neighbours per node, each once.
    pub adj: Vec<Vec<Nb>>,
    /// Node holds a lock (no part may hold two).
    pub locked: Vec<bool>,
}

impl LGraph {
    /// Number of nodes.
    pub fn len(&self) -> usize {
        self.pop.len()
    }

    /// True if there are no nodes.
    pub fn is_empty(&self) -> bool {
        self.pop.is_empty()
    }

    /// A graph of `n` nodes of population 1 with no edges.
    pub fn with_nodes(n: usize) -> LGraph {
        LGraph { pop: vec![1.0; n], adj: vec![Vec::new(); n], locked: vec![false; n] }
    }

    /// Add an undirected edge.
    pub fn add_edge(&mut self, a: usize, b: usize, shared_m: f64, surcharge: f64) {
        self.adj[a].push(Nb { node: b, shared_m, surcharge, back_surcharge: surcharge });
        self.adj[b].push(Nb { node: a, shared_m, surcharge, back_surcharge: surcharge });
    }

    /// A `w` × `h` grid of population-1 nodes with 1 m edges (for examples and tests).
    pub fn grid(w: usize, h: usize) -> LGraph {
        let mut g = LGraph::with_nodes(w * h);
        for y in 0..h {
            for x in 0..w {
                let v = y * w + x;
                if x + 1 < w {
                    g.add_edge(v, v + 1, 1.0, 0.0);
                }
                if y + 1 < h {
                    g.add_edge(v, v + w, 1.0, 0.0);
                }
            }
        }
        g
    }

    /// The subgraph induced by `nodes` (sorted ascending): node `i` of the result is `nodes[i]`,
    /// so node order and each neighbour list's order are kept.
    pub fn induced(&self, nodes: &[usize]) -> LGraph {
        let mut local = vec![usize::MAX; self.len()];
        for (i, &v) in nodes.iter().enumerate() {
            local[v] = i;
        }
        let adj = nodes
            .iter()
            .map(|&v| {
                self.adj[v]
                    .iter()
                    .filter(|nb| local[nb.node] != usize::MAX)
                    .map(|nb| Nb { node: local[nb.node], ..*nb })
                    .collect()
            })
            .collect();
        LGraph {
            pop: nodes.iter().map(|&v| self.pop[v]).collect(),
            adj,
            locked: nodes.iter().map(|&v| self.locked[v]).collect(),
        }
    }

    /// The quotient graph of disjoint node groups: one node per group, population summed, shared
    /// boundary added up; no surcharges or locks.
    pub fn quotient<'a>(&self, groups: impl ExactSizeIterator<Item = &'a [usize]> + Clone) -> LGraph {
        let n = groups.len();
        let mut of = vec![usize::MAX; self.len()];
        for (i, atoms) in groups.clone().enumerate() {
            for &a in atoms {
                of[a] = i;
            }
        }
        let mut adj: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); n];
        for (i, atoms) in groups.clone().enumerate() {
            for &a in atoms {
                for nb in &self.adj[a] {
                    let j = of[nb.node];
                    if j != usize::MAX && j != i {
                        *adj[i].entry(j).or_default() += nb.shared_m;
                    }
                }
            }
        }
        LGraph {
            pop: groups.map(|atoms| atoms.iter().map(|&a| self.pop[a]).sum()).collect(),
            adj: adj
                .into_iter()
                .map(|m| {
                    m.into_iter()
                        .map(|(node, shared_m)| Nb { node, shared_m, surcharge: 0.0, back_surcharge: 0.0 })
                        .collect()
                })
                .collect(),
            locked: vec![false; n],
        }
    }

    /// Connected components of the subgraph induced by `nodes`, each sorted, in order of their
    /// first node in `nodes`.
    pub fn components(&self, nodes: &[usize]) -> Vec<Vec<usize>> {
        let mut out = crate::graph::components_by(self.len(), nodes, |v| self.adj[v].iter().map(|nb| nb.node));
        for c in &mut out {
            c.sort_unstable();
        }
        out
    }
}
