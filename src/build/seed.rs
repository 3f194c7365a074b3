//! Balanced contiguous partitioning of a node-weighted graph by random spanning trees: recursive
//! tree bipartition, as in ReCom (DeFord, Duchin & Solomon 2021), GerryChain and frcw.rs. Seeds
//! the SNPs of each unit, groups SNPs into MNPs, and redraws two footprints in each ReCom step.

use super::constraint::{Bounds, HardConstraint, OneLockPerFootprint, Tally};
use super::graph::LGraph;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

struct Dsu(Vec<usize>);

impl Dsu {
    fn find(&mut self, x: usize) -> usize {
        let mut r = x;
        while self.0[r] != r {
            r = self.0[r];
        }
        let mut y = x;
        while self.0[y] != r {
            let n = self.0[y];
            self.0[y] = r;
            y = n;
        }
        r
    }
}

/// A spanning tree over positions in a node list, rooted at a random position.
struct Tree {
    /// Parent position (the root is its own parent).
    parent: Vec<usize>,
    /// Positions in breadth-first order from the root.
    order: Vec<usize>,
    /// Surcharge of the edge to the parent.
    surcharge: Vec<f64>,
}

/// Random minimum spanning tree of the subgraph induced by `nodes` (uniform random weights plus
/// surcharges, Kruskal), or None if that subgraph is disconnected. `pos` maps a node to its position.
fn random_tree(g: &LGraph, nodes: &[usize], pos: &[usize], rng: &mut ChaCha8Rng) -> Option<Tree> {
    let n = nodes.len();
    let mut edges: Vec<(f64, usize, usize)> = Vec::new();
    for (i, &v) in nodes.iter().enumerate() {
        for nb in &g.adj[v] {
            let j = pos[nb.node];
            if j != usize::MAX && i < j {
                edges.push((rng.random::<f64>() + nb.surcharge, i, j));
            }
        }
    }
    let surcharge_of =
        |a: usize, b: usize| g.adj[nodes[a]].iter().find(|nb| nb.node == nodes[b]).map_or(0.0, |nb| nb.surcharge);
    edges.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut dsu = Dsu((0..n).collect());
    let mut tadj: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut used = 0;
    for (_, a, b) in edges {
        let (ra, rb) = (dsu.find(a), dsu.find(b));
        if ra != rb {
            dsu.0[ra] = rb;
            tadj[a].push(b);
            tadj[b].push(a);
            used += 1;
            if used == n - 1 {
                break;
            }
        }
    }
    if used + 1 != n {
        return None;
    }
    let root = rng.random_range(0..n);
    let mut tree = Tree { parent: vec![usize::MAX; n], order: vec![root], surcharge: vec![0.0; n] };
    tree.parent[root] = root;
    let mut i = 0;
    while i < tree.order.len() {
        let v = tree.order[i];
        for &w in &tadj[v] {
            if tree.parent[w] == usize::MAX {
                tree.parent[w] = v;
                tree.surcharge[w] = surcharge_of(v, w);
                tree.order.push(w);
            }
        }
        i += 1;
    }
    Some(tree)
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
    let mut pos = vec![usize::MAX; g.len()];
    for (i, &v) in nodes.iter().enumerate() {
        pos[v] = i;
    }
    for _ in 0..tries {
        let tree = random_tree(g, nodes, &pos, rng)?;
        let Some((cut, k1)) = choose_cut(g, nodes, &tree, k, &total, rule, rng) else {
            continue;
        };
        // Collect the subtree under `cut`.
        let mut inside = vec![false; nodes.len()];
        for &v in &tree.order {
            if v == cut || (tree.parent[v] != v && inside[tree.parent[v]]) {
                inside[v] = true;
            }
        }
        let a: Vec<usize> = (0..nodes.len()).filter(|&i| inside[i]).map(|i| nodes[i]).collect();
        let c: Vec<usize> = (0..nodes.len()).filter(|&i| !inside[i]).map(|i| nodes[i]).collect();
        let (Some(mut pa), Some(pc)) =
            (tree_partition_with(g, &a, k1, rule, rng, tries), tree_partition_with(g, &c, k - k1, rule, rng, tries))
        else {
            continue;
        };
        pa.extend(pc);
        return Some(pa);
    }
    None
}

/// The tree edge to cut (named by its child position) and the parts on the child's side, or None
/// if no edge of this tree gives a split `rule` admits.
fn choose_cut<C: HardConstraint>(
    g: &LGraph,
    nodes: &[usize],
    tree: &Tree,
    k: usize,
    total: &Tally,
    rule: &C,
    rng: &mut ChaCha8Rng,
) -> Option<(usize, usize)> {
    let mut sub = vec![Tally::default(); nodes.len()];
    for &v in tree.order.iter().rev() {
        sub[v].add(Tally::node(g, nodes[v]));
        let p = tree.parent[v];
        if p != v {
            let s = sub[v];
            sub[p].add(s);
        }
    }
    let mut cuts: Vec<(usize, usize)> = Vec::new();
    for &v in &tree.order[1..] {
        for k1 in 1..k {
            if rule.admits(&sub[v], k1) && rule.admits(&total.minus(sub[v]), k - k1) {
                cuts.push((v, k1));
            }
        }
    }
    // Prefer the most even split in count (fewer failures deeper down), and, most of the
    // time, cuts along PCN / community borders (edges with the highest surcharge).
    let best = cuts.iter().map(|&(_, k1)| k1.min(k - k1)).max()?;
    cuts.retain(|&(_, k1)| k1.min(k - k1) == best);
    if rng.random::<f64>() < 0.9 {
        let top = cuts.iter().map(|&(v, _)| tree.surcharge[v]).fold(f64::MIN, f64::max);
        cuts.retain(|&(v, _)| tree.surcharge[v] >= top);
    }
    Some(cuts[rng.random_range(0..cuts.len())])
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
