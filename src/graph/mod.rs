//! Adjacency graph of LSOAs: polygons that share a boundary of non-trivial length, found with a
//! snapping tolerance so the small gaps and overlaps of generalised boundaries do not matter.
//! Islands (components other than the largest) can be joined to their nearest neighbour.

use geo::{Coord, MultiPolygon};
use rayon::prelude::*;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use serde::Serialize;
use std::collections::BTreeMap;

/// A segment's padded envelope tagged with (polygon, segment) indices.
type SegEnvelope = GeomWithData<Rectangle<[f64; 2]>, (u32, u32)>;

/// An edge between two LSOAs (indices into the study's areas), `a < b`.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Edge {
    /// Lower index.
    pub a: usize,
    /// Higher index.
    pub b: usize,
    /// Shared boundary length in metres (0 for a bridge).
    pub shared_m: f64,
    /// True if added to join an island, not a real shared boundary.
    pub bridge: bool,
    /// Gap bridged in metres (bridges only).
    pub gap_m: f64,
}

/// Undirected adjacency graph.
#[derive(Debug, Clone)]
pub struct Graph {
    /// Node count.
    pub n: usize,
    /// Edges sorted by (a, b).
    pub edges: Vec<Edge>,
    /// Sorted neighbour lists.
    pub neighbors: Vec<Vec<usize>>,
    /// Per node: (neighbour, edge index), sorted by neighbour.
    pub adj: Vec<Vec<(usize, usize)>>,
    /// Components before islands were joined, largest first.
    pub components_before: Vec<Vec<usize>>,
}

/// Adjacency parameters.
#[derive(Debug, Clone, Copy)]
pub struct AdjacencyParams {
    /// Snap tolerance, metres.
    pub tolerance_m: f64,
    /// Minimum shared length, metres.
    pub min_shared_m: f64,
}

fn segments(mp: &MultiPolygon) -> Vec<(Coord, Coord)> {
    let mut out = Vec::new();
    for p in &mp.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for w in ring.0.windows(2) {
                if w[0] != w[1] {
                    out.push((w[0], w[1]));
                }
            }
        }
    }
    out
}

/// Length of segment `t` lying within `tol` of segment `s`, measured along `s`.
///
/// # Examples
///
/// ```
/// use footprints::graph::overlap_len;
/// use geo::Coord;
/// let s = (Coord { x: 0.0, y: 0.0 }, Coord { x: 100.0, y: 0.0 });
/// // A parallel edge 0.3 m away overlapping the last 50 m: 50 m shared within a 1 m tolerance.
/// let t = (Coord { x: 50.0, y: 0.3 }, Coord { x: 150.0, y: 0.3 });
/// assert!((overlap_len(s, t, 1.0) - 50.0).abs() < 1e-9);
/// // The same edge 3 m away shares nothing.
/// let far = (Coord { x: 50.0, y: 3.0 }, Coord { x: 150.0, y: 3.0 });
/// assert_eq!(overlap_len(s, far, 1.0), 0.0);
/// ```
pub fn overlap_len(s: (Coord, Coord), t: (Coord, Coord), tol: f64) -> f64 {
    let (a, b) = s;
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len = (dx * dx + dy * dy).sqrt();
    if len == 0.0 {
        return 0.0;
    }
    let (ux, uy) = (dx / len, dy / len);
    let proj = |c: Coord| ((c.x - a.x) * ux + (c.y - a.y) * uy, (c.y - a.y) * ux - (c.x - a.x) * uy);
    let (tc, dc) = proj(t.0);
    let (td, dd) = proj(t.1);
    if (td - tc).abs() < 1e-12 {
        return 0.0;
    }
    let lo = tc.min(td).max(0.0);
    let hi = tc.max(td).min(len);
    if hi <= lo {
        return 0.0;
    }
    let dist_at = |x: f64| dc + (dd - dc) * (x - tc) / (td - tc);
    if dist_at(lo).abs() <= tol && dist_at(hi).abs() <= tol {
        hi - lo
    } else {
        0.0
    }
}

/// Connected components of the subgraph induced by `nodes` in a graph of `n` nodes whose
/// neighbours are given by `neighbours`: the one breadth-first search behind the LSOA graph, the
/// build's atom graph and the scores' Core20 clusters. Components come in the order of their
/// first node in `nodes`, members in breadth-first order.
///
/// # Examples
///
/// ```
/// use footprints::graph::components_by;
/// // A path 0 – 1 – 2 and an isolated 3; only nodes 0, 2 and 3 are kept, so nothing joins them.
/// let nb = |v: usize| -> Vec<usize> { match v { 0 => vec![1], 1 => vec![0, 2], 2 => vec![1], _ => vec![] } };
/// assert_eq!(components_by(4, &[0, 1, 2, 3], nb), vec![vec![0, 1, 2], vec![3]]);
/// assert_eq!(components_by(4, &[0, 2, 3], nb), vec![vec![0], vec![2], vec![3]]);
/// ```
pub fn components_by<I: IntoIterator<Item = usize>>(
    n: usize,
    nodes: &[usize],
    neighbours: impl Fn(usize) -> I,
) -> Vec<Vec<usize>> {
    let mut inset = vec![false; n];
    for &v in nodes {
        inset[v] = true;
    }
    let mut seen = vec![false; n];
    let mut out = Vec::new();
    for &s in nodes {
        if seen[s] {
            continue;
        }
        seen[s] = true;
        let mut comp = vec![s];
        let mut i = 0;
        while i < comp.len() {
            for w in neighbours(comp[i]) {
                if inset[w] && !seen[w] {
                    seen[w] = true;
                    comp.push(w);
                }
            }
            i += 1;
        }
        out.push(comp);
    }
    out
}

impl Graph {
    /// Build the graph of polygons sharing at least `min_shared_m` of boundary (within `tolerance_m`).
    pub fn build(geoms: &[&MultiPolygon], params: AdjacencyParams) -> Graph {
        let n = geoms.len();
        let tol = params.tolerance_m;
        let segs: Vec<Vec<(Coord, Coord)>> = geoms.par_iter().map(|g| segments(g)).collect();
        let items: Vec<SegEnvelope> = segs
            .iter()
            .enumerate()
            .flat_map(|(p, ss)| {
                ss.iter().enumerate().map(move |(k, (a, b))| {
                    GeomWithData::new(
                        Rectangle::from_corners(
                            [a.x.min(b.x) - tol, a.y.min(b.y) - tol],
                            [a.x.max(b.x) + tol, a.y.max(b.y) + tol],
                        ),
                        (p as u32, k as u32),
                    )
                })
            })
            .collect();
        let tree = RTree::bulk_load(items);
        // Directed shared length p→q measured along p's segments.
        let directed: Vec<Vec<(usize, f64)>> = (0..n)
            .into_par_iter()
            .map(|p| {
                let mut acc: BTreeMap<usize, f64> = BTreeMap::new();
                for &(a, b) in &segs[p] {
                    let env = AABB::from_corners([a.x.min(b.x), a.y.min(b.y)], [a.x.max(b.x), a.y.max(b.y)]);
                    for cand in tree.locate_in_envelope_intersecting(&env) {
                        let (q, k) = (cand.data.0 as usize, cand.data.1 as usize);
                        if q == p {
                            continue;
                        }
                        let l = overlap_len((a, b), segs[q][k], tol);
                        if l > 0.0 {
                            *acc.entry(q).or_default() += l;
                        }
                    }
                }
                acc.into_iter().collect()
            })
            .collect();
        let mut shared: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for (p, list) in directed.iter().enumerate() {
            for &(q, l) in list {
                let key = (p.min(q), p.max(q));
                let e = shared.entry(key).or_default();
                *e = e.max(l);
            }
        }
        let edges: Vec<Edge> = shared
            .into_iter()
            .filter(|(_, l)| *l >= params.min_shared_m)
            .map(|((a, b), l)| Edge { a, b, shared_m: l, bridge: false, gap_m: 0.0 })
            .collect();
        let mut g = Graph::from_edges(n, edges);
        g.components_before = g.components();
        g
    }

    /// Build from an explicit edge list (used by tests and by footprint-level graphs).
    pub fn from_edges(n: usize, mut edges: Vec<Edge>) -> Graph {
        for e in &mut edges {
            if e.a > e.b {
                std::mem::swap(&mut e.a, &mut e.b);
            }
        }
        edges.sort_by_key(|x| (x.a, x.b));
        edges.dedup_by(|x, y| x.a == y.a && x.b == y.b);
        let mut adj = vec![Vec::new(); n];
        for (i, e) in edges.iter().enumerate() {
            adj[e.a].push((e.b, i));
            adj[e.b].push((e.a, i));
        }
        for l in &mut adj {
            l.sort();
        }
        let neighbors = adj.iter().map(|l| l.iter().map(|x| x.0).collect()).collect();
        let mut g = Graph { n, edges, neighbors, adj, components_before: Vec::new() };
        g.components_before = g.components();
        g
    }

    /// Connected components, largest first (ties by lowest member), each sorted.
    pub fn components(&self) -> Vec<Vec<usize>> {
        let all: Vec<usize> = (0..self.n).collect();
        let mut out = components_by(self.n, &all, |v| self.neighbors[v].iter().copied());
        for c in &mut out {
            c.sort_unstable();
        }
        out.sort_by(|a, b| b.len().cmp(&a.len()).then(a[0].cmp(&b[0])));
        out
    }

    /// Join every component to the rest through the closest pair of vertices, until one remains.
    /// Returns the bridges added.
    pub fn join_islands(&mut self, geoms: &[&MultiPolygon]) -> Vec<Edge> {
        let mut bridges = Vec::new();
        loop {
            let comps = self.components();
            if comps.len() <= 1 {
                break;
            }
            let mut comp_of = vec![0usize; self.n];
            for (c, m) in comps.iter().enumerate() {
                for &v in m {
                    comp_of[v] = c;
                }
            }
            // Smallest component first; find its nearest outside vertex.
            let island = comps.last().unwrap();
            let pts: Vec<GeomWithData<[f64; 2], usize>> = (0..self.n)
                .filter(|&v| comp_of[v] != comps.len() - 1)
                .flat_map(|v| {
                    geoms[v].0.iter().flat_map(|p| p.exterior().0.iter()).map(move |c| GeomWithData::new([c.x, c.y], v))
                })
                .collect();
            let tree = RTree::bulk_load(pts);
            let mut best: Option<(f64, usize, usize)> = None;
            for &v in island {
                for p in &geoms[v].0 {
                    for c in &p.exterior().0 {
                        if let Some(nn) = tree.nearest_neighbor(&[c.x, c.y]) {
                            let d = ((nn.geom()[0] - c.x).powi(2) + (nn.geom()[1] - c.y).powi(2)).sqrt();
                            let cand = (d, v.min(nn.data), v.max(nn.data));
                            if best.is_none_or(|b| cand.0 < b.0 || (cand.0 == b.0 && (cand.1, cand.2) < (b.1, b.2))) {
                                best = Some(cand);
                            }
                        }
                    }
                }
            }
            let Some((d, a, b)) = best else { break };
            let e = Edge { a, b, shared_m: 0.0, bridge: true, gap_m: d };
            bridges.push(e.clone());
            let mut edges = std::mem::take(&mut self.edges);
            edges.push(e);
            let before = std::mem::take(&mut self.components_before);
            *self = Graph::from_edges(self.n, edges);
            self.components_before = before;
        }
        bridges
    }

    /// Degree of a node.
    pub fn degree(&self, v: usize) -> usize {
        self.neighbors[v].len()
    }

    /// Connected components of the subgraph induced by `nodes`, largest first (ties in the order
    /// found); members in breadth-first order.
    pub fn components_of(&self, nodes: &[usize]) -> Vec<Vec<usize>> {
        let mut out = components_by(self.n, nodes, |v| self.neighbors[v].iter().copied());
        out.sort_by_key(|c| std::cmp::Reverse(c.len()));
        out
    }

    /// True if `nodes` (any order) induce a connected subgraph.
    pub fn is_connected(&self, nodes: &[usize]) -> bool {
        self.components_of(nodes).len() <= 1
    }
}

/// Disjoint sets over `0..n` (union–find with path halving). The smaller index of two joined sets
/// stays the root, so a set's root is its smallest member and grouping by root is deterministic.
#[derive(Debug, Clone)]
pub struct Dsu {
    parent: Vec<usize>,
}

impl Dsu {
    /// `n` sets of one element each.
    pub fn new(n: usize) -> Dsu {
        Dsu { parent: (0..n).collect() }
    }

    /// The root (smallest member) of `x`'s set.
    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    /// Join the sets of `a` and `b`.
    pub fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        self.parent[a.max(b)] = a.min(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::polygon;

    fn square(x: f64, y: f64, s: f64) -> MultiPolygon {
        MultiPolygon::new(vec![
            polygon![(x: x, y: y), (x: x + s, y: y), (x: x + s, y: y + s), (x: x, y: y + s), (x: x, y: y)],
        ])
    }

    #[test]
    fn rook_not_queen_with_gaps() {
        // 2x2 grid of 100 m squares, the right column shifted by 0.5 m (a gap), plus a far island.
        let g = [
            square(0.0, 0.0, 100.0),
            square(100.5, 0.0, 100.0),
            square(0.0, 100.0, 100.0),
            square(100.5, 100.0, 100.0),
            square(1000.0, 0.0, 50.0),
        ];
        let refs: Vec<&MultiPolygon> = g.iter().collect();
        let mut graph = Graph::build(&refs, AdjacencyParams { tolerance_m: 1.0, min_shared_m: 10.0 });
        let pairs: Vec<(usize, usize)> = graph.edges.iter().map(|e| (e.a, e.b)).collect();
        assert_eq!(pairs, vec![(0, 1), (0, 2), (1, 3), (2, 3)]); // no diagonal (corner) edges
        assert!((graph.edges[0].shared_m - 100.0).abs() < 1e-6);
        assert_eq!(graph.components().len(), 2);
        let bridges = graph.join_islands(&refs);
        assert_eq!(bridges.len(), 1);
        assert_eq!((bridges[0].a, bridges[0].b), (1, 4));
        assert!((bridges[0].gap_m - 799.5).abs() < 1e-6);
        assert_eq!(graph.components().len(), 1);
    }

    #[test]
    fn partial_overlap_measured() {
        let l = overlap_len(
            (Coord { x: 0.0, y: 0.0 }, Coord { x: 100.0, y: 0.0 }),
            (Coord { x: 50.0, y: 0.3 }, Coord { x: 150.0, y: 0.3 }),
            1.0,
        );
        assert!((l - 50.0).abs() < 1e-9);
        let crossing = overlap_len(
            (Coord { x: 0.0, y: 0.0 }, Coord { x: 100.0, y: 0.0 }),
            (Coord { x: 50.0, y: -50.0 }, Coord { x: 50.0, y: 50.0 }),
            1.0,
        );
        assert_eq!(crossing, 0.0);
    }
}
