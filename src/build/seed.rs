//! Balanced contiguous partitioning of a node-weighted graph by random spanning trees: recursive
//! tree bipartition, as in ReCom (DeFord, Duchin & Solomon 2021), GerryChain and frcw.rs. Seeds
//! the SNPs of each unit, groups SNPs into MNPs, and redraws two footprints in each ReCom step.

use super::constraint::{Bounds, HardConstraint, OneLockPerFootprint, Tally};
use super::graph::LGraph;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// Reusable buffers for one thread's spanning trees, so the ReCom hot loop does not allocate.
#[derive(Default)]
struct Scratch {
    /// Node → position in the current node list (`usize::MAX` outside it; reset after each tree).
    pos: Vec<usize>,
    /// Candidate edges: random weight + surcharge (as bits) and push index packed for sorting; ends.
    keys: Vec<u128>,
    ends: Vec<TreeEdge>,
    /// The keys sorted, and bucket counts for sorting them.
    sorted: Vec<u128>,
    counts: Vec<usize>,
    /// Union-find parents and set sizes.
    dsu: Vec<usize>,
    size: Vec<usize>,
    /// Tree edges in the order Kruskal adds them.
    tree_edges: Vec<TreeEdge>,
    /// Tree adjacency as offsets into `tree_nbrs`, each node's neighbours (and the surcharge from
    /// the node's side) in the order added.
    offsets: Vec<usize>,
    tree_nbrs: Vec<(usize, f64)>,
    fill: Vec<usize>,
    /// The tree: parent position, breadth-first order, surcharge of the edge to the parent.
    parent: Vec<usize>,
    order: Vec<usize>,
    surcharge: Vec<f64>,
    /// Subtree totals, admissible cuts, nodes under the cut.
    sub: Vec<Tally>,
    cuts: Vec<(usize, usize)>,
    inside: Vec<bool>,
}

/// An edge between positions `a < b`, with the surcharge from each side.
#[derive(Debug, Clone, Copy)]
struct TreeEdge {
    a: usize,
    b: usize,
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

/// Sort keys whose high 64 bits are a non-negative `f64` weight into `out`: distribute them into
/// as many buckets as keys by weight (a monotone map, so buckets come in order), then sort each
/// small bucket. The same order as sorting all keys, in expected linear time for spread weights.
fn bucket_sort(keys: &mut [u128], out: &mut Vec<u128>, counts: &mut Vec<usize>) {
    let weight = |k: u128| f64::from_bits((k >> 64) as u64);
    let m = keys.len();
    let max = keys.iter().map(|&k| weight(k)).fold(0.0, f64::max);
    if m < 32 || !(max > 0.0 && max.is_finite()) {
        keys.sort_unstable();
        out.clear();
        out.extend_from_slice(keys);
        return;
    }
    let scale = m as f64 / (max * (1.0 + 1e-9));
    let bucket = |k: u128| ((weight(k) * scale) as usize).min(m - 1);
    counts.clear();
    counts.resize(m + 1, 0);
    for &k in keys.iter() {
        counts[bucket(k) + 1] += 1;
    }
    for i in 0..m {
        counts[i + 1] += counts[i];
    }
    out.clear();
    out.resize(m, 0);
    for &k in keys.iter() {
        let b = bucket(k);
        out[counts[b]] = k;
        counts[b] += 1;
    }
    // counts[b] now ends bucket b; bucket b starts where bucket b − 1 ends.
    let mut start = 0;
    for &end in &counts[..m] {
        if end - start > 1 {
            out[start..end].sort_unstable();
        }
        start = end;
    }
}

/// Union-find root of `x`, with path halving.
fn find(dsu: &mut [usize], mut x: usize) -> usize {
    while dsu[x] != x {
        dsu[x] = dsu[dsu[x]];
        x = dsu[x];
    }
    x
}

impl Scratch {
    /// Random minimum spanning tree of the subgraph induced by `nodes` (uniform random weights
    /// plus surcharges, Kruskal; equal weights go to the edge drawn first), rooted at a random
    /// position, into `parent`, `order` and `surcharge`. False if that subgraph is disconnected.
    fn random_tree(&mut self, g: &LGraph, nodes: &[usize], rng: &mut ChaCha8Rng) -> bool {
        let n = nodes.len();
        self.keys.clear();
        self.ends.clear();
        for (i, &v) in nodes.iter().enumerate() {
            for nb in &g.adj[v] {
                let j = self.pos[nb.node];
                if j != usize::MAX && i < j {
                    // Weights are ≥ 0, so their bit patterns sort as the numbers do.
                    let w = rng.random::<f64>() + nb.surcharge;
                    self.keys.push(((w.to_bits() as u128) << 64) | self.ends.len() as u128);
                    self.ends.push(TreeEdge { a: i, b: j, sur_ab: nb.surcharge, sur_ba: nb.back_surcharge });
                }
            }
        }
        bucket_sort(&mut self.keys, &mut self.sorted, &mut self.counts);
        self.dsu.clear();
        self.dsu.extend(0..n);
        self.size.clear();
        self.size.resize(n, 1);
        self.tree_edges.clear();
        for &key in &self.sorted {
            let e = self.ends[key as u64 as usize];
            let (ra, rb) = (find(&mut self.dsu, e.a), find(&mut self.dsu, e.b));
            if ra != rb {
                // Union by size keeps the trees shallow; which root wins does not change the tree.
                let (small, big) = if self.size[ra] < self.size[rb] { (ra, rb) } else { (rb, ra) };
                self.dsu[small] = big;
                self.size[big] += self.size[small];
                self.tree_edges.push(e);
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
        for e in &self.tree_edges {
            self.offsets[e.a + 1] += 1;
            self.offsets[e.b + 1] += 1;
        }
        for i in 0..n {
            self.offsets[i + 1] += self.offsets[i];
        }
        self.fill.clear();
        self.fill.extend_from_slice(&self.offsets[..n]);
        self.tree_nbrs.clear();
        self.tree_nbrs.resize(2 * (n - 1), (0, 0.0));
        for e in &self.tree_edges {
            self.tree_nbrs[self.fill[e.a]] = (e.b, e.sur_ab);
            self.fill[e.a] += 1;
            self.tree_nbrs[self.fill[e.b]] = (e.a, e.sur_ba);
            self.fill[e.b] += 1;
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
            self.pos.resize(g.len(), usize::MAX);
        }
        for (i, &v) in nodes.iter().enumerate() {
            self.pos[v] = i;
        }
        let connected = self.random_tree(g, nodes, rng);
        for &v in nodes {
            self.pos[v] = usize::MAX;
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
/// valid cut.
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

/// As [`tree_partition`], with any [`HardConstraint`] deciding which cuts are allowed.
pub fn tree_partition_with<C: HardConstraint>(
    g: &LGraph,
    nodes: &[usize],
    k: usize,
    rule: &C,
    rng: &mut ChaCha8Rng,
    tries: usize,
) -> Option<Vec<Vec<usize>>> {
    let total = Tally::of(g, nodes);
    if k == 1 {
        return rule.admits(&total, 1).then(|| vec![nodes.to_vec()]);
    }
    if !rule.admits(&total, k) {
        return None;
    }
    for _ in 0..tries {
        let TreeCut { side: a, rest: c, k_side: k1 } =
            match SCRATCH.with(|s| s.borrow_mut().try_cut(g, nodes, k, &total, rule, rng)) {
                Err(()) => return None,
                Ok(None) => continue,
                Ok(Some(cut)) => cut,
            };
        let (Some(mut pa), Some(pc)) =
            (split_side(g, a, k1, rule, rng, tries), split_side(g, c, k - k1, rule, rng, tries))
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
) -> Option<Vec<Vec<usize>>> {
    if k == 1 {
        return rule.admits(&Tally::of(g, &side), 1).then(|| vec![side]);
    }
    tree_partition_with(g, &side, k, rule, rng, tries)
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
            let mut keys: Vec<u128> = (0..m)
                .map(|i| {
                    // Few distinct weights, so that many keys share a weight and the index decides.
                    let w = (rng.random_range(0..40u32) as f64) / 16.0 + if i % 3 == 0 { 1.0 } else { 0.0 };
                    ((w.to_bits() as u128) << 64) | i as u128
                })
                .collect();
            let mut want = keys.clone();
            want.sort_unstable();
            let (mut out, mut counts) = (Vec::new(), Vec::new());
            bucket_sort(&mut keys, &mut out, &mut counts);
            assert_eq!(out, want, "m = {m}");
        }
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
