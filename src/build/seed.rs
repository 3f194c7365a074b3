//! Balanced contiguous partitioning of a node-weighted graph by random spanning trees: recursive
//! tree bipartition, as in ReCom (DeFord, Duchin & Solomon 2021), GerryChain and frcw.rs. Seeds
//! the SNPs of each unit, groups SNPs into MNPs, and redraws two footprints in each ReCom step.

use super::constraint::{Bounds, HardConstraint, OneLockPerFootprint, Tally};
use super::graph::LGraph;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Reusable buffers for one thread's spanning trees, so the ReCom hot loop does not allocate.
/// Positions and edge indices are `u32` to keep the buffers small and cache-friendly.
#[derive(Default)]
struct Scratch {
    /// Node → position in the current node list (`NONE` outside it; reset after each tree).
    pos: Vec<u32>,
    /// Candidate edges: random weight + surcharge (as `f64` bits, which sort as the numbers do
    /// since weights are ≥ 0), and ends, in the order drawn.
    weight: Vec<u64>,
    ends: Vec<TreeEdge>,
    /// Edge indices in Kruskal's order, and bucket counts for sorting them.
    sorted: Vec<u32>,
    counts: Vec<u32>,
    /// Union-find parents and set sizes.
    dsu: Vec<u32>,
    size: Vec<u32>,
    /// Tree edges (indices into `ends`) in the order Kruskal adds them.
    tree_edges: Vec<u32>,
    /// Tree adjacency as offsets into `tree_nbrs`, each node's neighbours (and the surcharge from
    /// the node's side) in the order added.
    offsets: Vec<usize>,
    tree_nbrs: Vec<(u32, f64)>,
    fill: Vec<usize>,
    /// The tree: parent position, breadth-first order, surcharge of the edge to the parent.
    parent: Vec<usize>,
    order: Vec<usize>,
    surcharge: Vec<f64>,
    /// Subtree totals, admissible cuts, nodes under the cut.
    sub: Vec<Tally>,
    cuts: Vec<(usize, usize)>,
    inside: Vec<bool>,
    /// Trees drawn by this thread (for tests of the work bound).
    trees: usize,
}

/// No position: the node is not in the current node list.
const NONE: u32 = u32::MAX;

/// An edge between positions `a < b`, with the surcharge from each side.
#[derive(Debug, Clone, Copy)]
struct TreeEdge {
    a: u32,
    b: u32,
    sur_ab: f64,
    sur_ba: f64,
}

/// A cut tree: the nodes under the cut edge, the rest, and how many parts the first side makes.
struct TreeCut {
    side: Vec<usize>,
    rest: Vec<usize>,
    k_side: usize,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Edge indices `0..weight.len()` into `out`, ordered by weight and, for equal weights, by index
/// (the order of sorting `(weight, index)` pairs). The weights are bits of non-negative `f64`s.
/// Indices are distributed into as many buckets as edges by weight (a monotone map, so buckets
/// come in order, and each bucket keeps index order), then each small bucket is insertion-sorted,
/// which is stable: expected linear time for spread weights.
fn bucket_sort(weight: &[u64], out: &mut Vec<u32>, counts: &mut Vec<u32>) {
    let m = weight.len();
    out.clear();
    out.extend(0..m as u32);
    let max = weight.iter().map(|&w| f64::from_bits(w)).fold(0.0, f64::max);
    if m < 32 || !(max > 0.0 && max.is_finite()) {
        out.sort_unstable_by_key(|&i| (weight[i as usize], i));
        return;
    }
    let scale = m as f64 / (max * (1.0 + 1e-9));
    let bucket = |w: u64| ((f64::from_bits(w) * scale) as usize).min(m - 1);
    counts.clear();
    counts.resize(m + 1, 0);
    for &w in weight {
        counts[bucket(w) + 1] += 1;
    }
    for i in 0..m {
        counts[i + 1] += counts[i];
    }
    for (i, &w) in weight.iter().enumerate() {
        let b = bucket(w);
        out[counts[b] as usize] = i as u32;
        counts[b] += 1;
    }
    // counts[b] now ends bucket b; bucket b starts where bucket b − 1 ends.
    let mut start = 0;
    for &end in &counts[..m] {
        let end = end as usize;
        for j in start + 1..end {
            let x = out[j];
            let mut t = j;
            // Strictly greater only: equal weights keep index order.
            while t > start && weight[out[t - 1] as usize] > weight[x as usize] {
                out[t] = out[t - 1];
                t -= 1;
            }
            out[t] = x;
        }
        start = end;
    }
}

/// Union-find root of `x`, with path halving.
fn find(dsu: &mut [u32], mut x: u32) -> u32 {
    while dsu[x as usize] != x {
        dsu[x as usize] = dsu[dsu[x as usize] as usize];
        x = dsu[x as usize];
    }
    x
}

impl Scratch {
    /// Random minimum spanning tree of the subgraph induced by `nodes` (uniform random weights
    /// plus surcharges, Kruskal; equal weights go to the edge drawn first), rooted at a random
    /// position, into `parent`, `order` and `surcharge`. False if that subgraph is disconnected.
    fn random_tree(&mut self, g: &LGraph, nodes: &[usize], rng: &mut ChaCha8Rng) -> bool {
        let n = nodes.len();
        self.trees += 1;
        self.weight.clear();
        self.ends.clear();
        for (i, &v) in nodes.iter().enumerate() {
            let i = i as u32;
            for nb in &g.adj[v] {
                let j = self.pos[nb.node];
                if j != NONE && i < j {
                    let w = rng.random::<f64>() + nb.surcharge;
                    self.weight.push(w.to_bits());
                    self.ends.push(TreeEdge { a: i, b: j, sur_ab: nb.surcharge, sur_ba: nb.back_surcharge });
                }
            }
        }
        bucket_sort(&self.weight, &mut self.sorted, &mut self.counts);
        self.dsu.clear();
        self.dsu.extend(0..n as u32);
        self.size.clear();
        self.size.resize(n, 1);
        self.tree_edges.clear();
        for &ei in &self.sorted {
            let e = self.ends[ei as usize];
            let (ra, rb) = (find(&mut self.dsu, e.a), find(&mut self.dsu, e.b));
            if ra != rb {
                // Union by size keeps the trees shallow; which root wins does not change the tree.
                let (small, big) = if self.size[ra as usize] < self.size[rb as usize] { (ra, rb) } else { (rb, ra) };
                self.dsu[small as usize] = big;
                self.size[big as usize] += self.size[small as usize];
                self.tree_edges.push(ei);
                if self.tree_edges.len() + 1 == n {
                    break;
                }
            }
        }
        if self.tree_edges.len() + 1 != n {
            return false;
        }
        self.tree_adjacency(n);
        self.bfs(rng.random_range(0..n));
        true
    }

    /// Tree adjacency in compressed form, keeping the order edges were added.
    fn tree_adjacency(&mut self, n: usize) {
        self.offsets.clear();
        self.offsets.resize(n + 1, 0);
        for &ei in &self.tree_edges {
            let e = self.ends[ei as usize];
            self.offsets[e.a as usize + 1] += 1;
            self.offsets[e.b as usize + 1] += 1;
        }
        for i in 0..n {
            self.offsets[i + 1] += self.offsets[i];
        }
        self.fill.clear();
        self.fill.extend_from_slice(&self.offsets[..n]);
        self.tree_nbrs.clear();
        self.tree_nbrs.resize(2 * (n - 1), (0, 0.0));
        for &ei in &self.tree_edges {
            let e = self.ends[ei as usize];
            let (a, b) = (e.a as usize, e.b as usize);
            self.tree_nbrs[self.fill[a]] = (e.b, e.sur_ab);
            self.fill[a] += 1;
            self.tree_nbrs[self.fill[b]] = (e.a, e.sur_ba);
            self.fill[b] += 1;
        }
    }

    /// Breadth-first order from `root`, parents, and the surcharge of each edge to the parent (as
    /// the parent's neighbour list has it).
    fn bfs(&mut self, root: usize) {
        let n = self.offsets.len() - 1;
        self.parent.clear();
        self.parent.resize(n, usize::MAX);
        self.surcharge.clear();
        self.surcharge.resize(n, 0.0);
        self.order.clear();
        self.order.push(root);
        self.parent[root] = root;
        let mut i = 0;
        while i < self.order.len() {
            let v = self.order[i];
            for t in self.offsets[v]..self.offsets[v + 1] {
                let (w, sur) = self.tree_nbrs[t];
                let w = w as usize;
                if self.parent[w] == usize::MAX {
                    self.parent[w] = v;
                    self.surcharge[w] = sur;
                    self.order.push(w);
                }
            }
            i += 1;
        }
    }

    /// The tree edge to cut (named by its child position) and the parts on the child's side, or
    /// None if no edge of the tree gives a split `rule` admits.
    fn choose_cut<C: HardConstraint>(
        &mut self,
        g: &LGraph,
        nodes: &[usize],
        k: usize,
        total: &Tally,
        rule: &C,
        rng: &mut ChaCha8Rng,
    ) -> Option<(usize, usize)> {
        self.sub.clear();
        self.sub.resize(nodes.len(), Tally::default());
        for &v in self.order.iter().rev() {
            self.sub[v].add(Tally::node(g, nodes[v]));
            let p = self.parent[v];
            if p != v {
                let s = self.sub[v];
                self.sub[p].add(s);
            }
        }
        self.cuts.clear();
        for &v in &self.order[1..] {
            for k1 in 1..k {
                if rule.admits(&self.sub[v], k1) && rule.admits(&total.minus(self.sub[v]), k - k1) {
                    self.cuts.push((v, k1));
                }
            }
        }
        // Prefer the most even split in count (fewer failures deeper down), and, most of the
        // time, cuts along PCN / community borders (edges with the highest surcharge).
        let best = self.cuts.iter().map(|&(_, k1)| k1.min(k - k1)).max()?;
        self.cuts.retain(|&(_, k1)| k1.min(k - k1) == best);
        if rng.random::<f64>() < 0.9 {
            let top = self.cuts.iter().map(|&(v, _)| self.surcharge[v]).fold(f64::MIN, f64::max);
            let surcharge = &self.surcharge;
            self.cuts.retain(|&(v, _)| surcharge[v] >= top);
        }
        Some(self.cuts[rng.random_range(0..self.cuts.len())])
    }

    /// The nodes under `cut` in the tree and the rest, each in the order of `nodes`.
    fn sides(&mut self, nodes: &[usize], cut: usize) -> (Vec<usize>, Vec<usize>) {
        self.inside.clear();
        self.inside.resize(nodes.len(), false);
        for &v in &self.order {
            if v == cut || (self.parent[v] != v && self.inside[self.parent[v]]) {
                self.inside[v] = true;
            }
        }
        let (mut a, mut c) = (Vec::new(), Vec::new());
        for (i, &v) in nodes.iter().enumerate() {
            if self.inside[i] {
                a.push(v);
            } else {
                c.push(v);
            }
        }
        (a, c)
    }

    /// One try at `k` parts: a random tree and a cut, as (child side, rest, parts on the child
    /// side). `Err` if the nodes are disconnected.
    fn try_cut<C: HardConstraint>(
        &mut self,
        g: &LGraph,
        nodes: &[usize],
        k: usize,
        total: &Tally,
        rule: &C,
        rng: &mut ChaCha8Rng,
    ) -> Result<Option<TreeCut>, ()> {
        if self.pos.len() < g.len() {
            self.pos.resize(g.len(), NONE);
        }
        for (i, &v) in nodes.iter().enumerate() {
            self.pos[v] = i as u32;
        }
        let connected = self.random_tree(g, nodes, rng);
        for &v in nodes {
            self.pos[v] = NONE;
        }
        if !connected {
            return Err(());
        }
        Ok(self.choose_cut(g, nodes, k, total, rule, rng).map(|(cut, k1)| {
            let (side, rest) = self.sides(nodes, cut);
            TreeCut { side, rest, k_side: k1 }
        }))
    }
}

/// Split `nodes` into `k` connected parts, each within `b` and holding at most one locked node, by
/// recursive random spanning-tree bipartition. Returns `None` if `tries` trees at some level give no
/// valid cut, or once [`TREE_BUDGET`] × `tries` trees have been drawn in all (the recursion
/// included), so that one call's work is bounded.
///
/// Each tree is cut at an edge whose subtree can be `k1` parts and whose complement `k − k1` parts;
/// among those cuts the most even split in count wins, and nine times in ten a cut along the
/// highest surcharge (PCN and community borders). Caveat: not a uniform sample of partitions.
///
/// # Examples
///
/// ```
/// use footprints::build::{tree_partition, Bounds, LGraph};
/// use rand::SeedableRng;
/// let g = LGraph::grid(6, 6); // 36 nodes of population 1
/// let nodes: Vec<usize> = (0..36).collect();
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
/// let parts = tree_partition(&g, &nodes, 3, Bounds { lo: 11.0, hi: 13.0 }, &mut rng, 100).unwrap();
/// assert_eq!(parts.len(), 3);
/// assert!(parts.iter().all(|p| (11..=13).contains(&p.len()) && g.components(p).len() == 1));
/// ```
pub fn tree_partition(
    g: &LGraph,
    nodes: &[usize],
    k: usize,
    b: Bounds,
    rng: &mut ChaCha8Rng,
    tries: usize,
) -> Option<Vec<Vec<usize>>> {
    tree_partition_with(g, nodes, k, &(b, OneLockPerFootprint), rng, tries)
}

/// How many trees one partition may draw in all, as a multiple of its `tries` per level.
///
/// Every level of the recursion retries up to `tries` times, and a side that cannot be split sends
/// its parent back to a new tree, so without a common budget the work multiplies level by level:
/// on England one district took 11,381 trees where a typical one takes under 30. Four times `tries`
/// is above anything the demo, Oxfordshire or Staffordshire partitions use (at most 1.01 × `tries`),
/// so it only cuts that tail; the caller then widens its bounds or retries, as when `tries` run out.
pub const TREE_BUDGET: usize = 4;

/// As [`tree_partition`], with any [`HardConstraint`] deciding which cuts are allowed.
pub fn tree_partition_with<C: HardConstraint>(
    g: &LGraph,
    nodes: &[usize],
    k: usize,
    rule: &C,
    rng: &mut ChaCha8Rng,
    tries: usize,
) -> Option<Vec<Vec<usize>>> {
    let mut budget = tries.saturating_mul(TREE_BUDGET);
    partition_within(g, nodes, k, rule, rng, tries, &mut budget)
}

/// [`tree_partition_with`] drawing at most `budget` trees (decremented as they are drawn).
fn partition_within<C: HardConstraint>(
    g: &LGraph,
    nodes: &[usize],
    k: usize,
    rule: &C,
    rng: &mut ChaCha8Rng,
    tries: usize,
    budget: &mut usize,
) -> Option<Vec<Vec<usize>>> {
    let total = Tally::of(g, nodes);
    if k == 1 {
        return rule.admits(&total, 1).then(|| vec![nodes.to_vec()]);
    }
    if !rule.admits(&total, k) {
        return None;
    }
    for _ in 0..tries {
        *budget = budget.checked_sub(1)?;
        let TreeCut { side: a, rest: c, k_side: k1 } =
            match SCRATCH.with(|s| s.borrow_mut().try_cut(g, nodes, k, &total, rule, rng)) {
                Err(()) => return None,
                Ok(None) => continue,
                Ok(Some(cut)) => cut,
            };
        let (Some(mut pa), Some(pc)) =
            (split_side(g, a, k1, rule, rng, tries, budget), split_side(g, c, k - k1, rule, rng, tries, budget))
        else {
            continue;
        };
        pa.extend(pc);
        return Some(pa);
    }
    None
}

/// Split one side of a cut into `k` parts (one part: the side itself, kept without copying).
fn split_side<C: HardConstraint>(
    g: &LGraph,
    side: Vec<usize>,
    k: usize,
    rule: &C,
    rng: &mut ChaCha8Rng,
    tries: usize,
    budget: &mut usize,
) -> Option<Vec<Vec<usize>>> {
    if k == 1 {
        return rule.admits(&Tally::of(g, &side), 1).then(|| vec![side]);
    }
    partition_within(g, &side, k, rule, rng, tries, budget)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn grid_into_balanced_connected_parts() {
        let g = LGraph::grid(10, 10);
        let nodes: Vec<usize> = (0..100).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let parts = tree_partition(&g, &nodes, 5, Bounds { lo: 18.0, hi: 22.0 }, &mut rng, 500).expect("feasible");
        assert_eq!(parts.len(), 5);
        let mut all: Vec<usize> = parts.iter().flatten().copied().collect();
        all.sort();
        assert_eq!(all, nodes);
        for p in &parts {
            assert!((18..=22).contains(&p.len()), "{}", p.len());
            assert_eq!(g.components(p).len(), 1);
        }
    }

    #[test]
    fn bucket_sort_matches_a_full_sort_with_ties() {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        for m in [0, 1, 31, 32, 200, 3000] {
            // Few distinct weights, so that many edges share a weight and the index decides.
            let weight: Vec<u64> = (0..m)
                .map(|i| {
                    let w = (rng.random_range(0..40u32) as f64) / 16.0 + if i % 3 == 0 { 1.0 } else { 0.0 };
                    w.to_bits()
                })
                .collect();
            let mut want: Vec<u32> = (0..m as u32).collect();
            want.sort_by_key(|&i| (weight[i as usize], i));
            let (mut out, mut counts) = (Vec::new(), Vec::new());
            bucket_sort(&weight, &mut out, &mut counts);
            assert_eq!(out, want, "m = {m}");
        }
    }

    /// Two stars of four nodes joined at their centres, into four parts of exactly two: the cut
    /// between the centres is admissible at the top (four and four), but no star of four can be
    /// two connected pairs. Each side fails after `tries` trees and sends the top back to a new
    /// tree, which without a common budget is about 2 × `tries`² trees.
    #[test]
    fn nested_failures_stay_within_the_tree_budget() {
        let mut g = LGraph::with_nodes(8);
        for (centre, leaves) in [(0, [1, 2, 3]), (4, [5, 6, 7])] {
            for l in leaves {
                g.add_edge(centre, l, 1.0, 0.0);
            }
        }
        g.add_edge(0, 4, 1.0, 0.0);
        let nodes: Vec<usize> = (0..8).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(3);
        let before = SCRATCH.with(|s| s.borrow().trees);
        let tries = 50;
        assert!(tree_partition(&g, &nodes, 4, Bounds { lo: 2.0, hi: 2.0 }, &mut rng, tries).is_none());
        let drawn = SCRATCH.with(|s| s.borrow().trees) - before;
        assert!(drawn > tries, "the sides were tried: {drawn} trees");
        assert!(drawn <= TREE_BUDGET * tries, "{drawn} trees for tries = {tries}");
    }

    #[test]
    fn impossible_bounds_fail_fast() {
        let g = LGraph::grid(4, 4);
        let nodes: Vec<usize> = (0..16).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert!(tree_partition(&g, &nodes, 3, Bounds { lo: 6.0, hi: 6.5 }, &mut rng, 50).is_none());
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;
    use rand::SeedableRng;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// On random grid graphs with random populations, any partition returned covers every node
        /// once, has k connected parts, and each part is within bounds.
        #[test]
        fn random_graph_partitions_are_valid(w in 3usize..9, h in 3usize..9, k in 1usize..6, seed in 0u64..1000, pops in proptest::collection::vec(1u32..10, 81)) {
            let n = w * h;
            let mut g = LGraph::grid(w, h);
            g.pop = pops[..n].iter().map(|&p| p as f64).collect();
            let total: f64 = g.pop.iter().sum();
            let ideal = total / k as f64;
            let b = Bounds { lo: ideal * 0.7, hi: ideal * 1.3 };
            let nodes: Vec<usize> = (0..n).collect();
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            if let Some(parts) = tree_partition(&g, &nodes, k, b, &mut rng, 50) {
                prop_assert_eq!(parts.len(), k);
                let mut all: Vec<usize> = parts.iter().flatten().copied().collect();
                all.sort();
                prop_assert_eq!(all, nodes.clone());
                for p in &parts {
                    let s: f64 = p.iter().map(|&v| g.pop[v]).sum();
                    prop_assert!(s >= b.lo - 1e-9 && s <= b.hi + 1e-9);
                    prop_assert_eq!(g.components(p).len(), 1);
                }
            }
        }
    }
}
