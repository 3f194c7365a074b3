//! Balanced contiguous partitioning of a node-weighted graph by random spanning trees
//! (recursive tree bipartition, as in ReCom / GerryChain / frcw), and the ReCom move.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// A small weighted graph over "atoms" (LSOAs, lock groups or footprints).
#[derive(Debug, Clone, Default)]
pub struct LGraph {
    /// Population per node.
    pub pop: Vec<f64>,
    /// Neighbours: (node, shared boundary m, surcharge for spanning-tree weights).
    pub adj: Vec<Vec<(usize, f64, f64)>>,
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
}

/// Population bounds per part.
#[derive(Debug, Clone, Copy)]
pub struct Bounds {
    /// Lowest allowed population of a part.
    pub lo: f64,
    /// Highest allowed population of a part.
    pub hi: f64,
}

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

/// Random minimum spanning tree of the subgraph induced by `nodes` (random weights plus surcharges).
/// Returns parent pointers (in local positions) and a BFS order, or None if disconnected.
fn random_tree(
    g: &LGraph,
    nodes: &[usize],
    pos: &[usize],
    rng: &mut ChaCha8Rng,
) -> Option<(Vec<usize>, Vec<usize>, Vec<f64>)> {
    let n = nodes.len();
    let mut edges: Vec<(f64, usize, usize)> = Vec::new();
    for (i, &v) in nodes.iter().enumerate() {
        for &(w, _, sur) in &g.adj[v] {
            let j = pos[w];
            if j != usize::MAX && i < j {
                edges.push((rng.random::<f64>() + sur, i, j));
            }
        }
    }
    let sur_of = |a: usize, b: usize| -> f64 { g.adj[nodes[a]].iter().find(|x| x.0 == nodes[b]).map_or(0.0, |x| x.2) };
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
    let mut parent = vec![usize::MAX; n];
    let mut sur = vec![0.0; n];
    let mut order = vec![root];
    parent[root] = root;
    let mut i = 0;
    while i < order.len() {
        let v = order[i];
        for &w in &tadj[v] {
            if parent[w] == usize::MAX {
                parent[w] = v;
                sur[w] = sur_of(v, w);
                order.push(w);
            }
        }
        i += 1;
    }
    Some((parent, order, sur))
}

/// Split `nodes` into `k` connected parts each within `b`, by recursive random spanning-tree
/// bipartition. Returns None if `tries` trees at some level give no valid cut.
pub fn tree_partition(
    g: &LGraph,
    nodes: &[usize],
    k: usize,
    b: Bounds,
    rng: &mut ChaCha8Rng,
    tries: usize,
) -> Option<Vec<Vec<usize>>> {
    let total: f64 = nodes.iter().map(|&v| g.pop[v]).sum();
    let locks = nodes.iter().filter(|&&v| g.locked[v]).count();
    if k == 1 {
        return (total >= b.lo - 1e-9 && total <= b.hi + 1e-9 && locks <= 1).then(|| vec![nodes.to_vec()]);
    }
    if total < b.lo * k as f64 - 1e-9 || total > b.hi * k as f64 + 1e-9 {
        return None;
    }
    let mut pos = vec![usize::MAX; g.len()];
    for (i, &v) in nodes.iter().enumerate() {
        pos[v] = i;
    }
    for _ in 0..tries {
        let (parent, order, sur) = random_tree(g, nodes, &pos, rng)?;
        let mut sub = vec![0.0; nodes.len()];
        let mut sublocks = vec![0usize; nodes.len()];
        for &v in order.iter().rev() {
            sub[v] += g.pop[nodes[v]];
            sublocks[v] += g.locked[nodes[v]] as usize;
            let p = parent[v];
            if p != v {
                sub[p] += sub[v];
                sublocks[p] += sublocks[v];
            }
        }
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        for &v in &order[1..] {
            let s = sub[v];
            for k1 in 1..k {
                let k2 = k - k1;
                let ok = s >= b.lo * k1 as f64 - 1e-9
                    && s <= b.hi * k1 as f64 + 1e-9
                    && total - s >= b.lo * k2 as f64 - 1e-9
                    && total - s <= b.hi * k2 as f64 + 1e-9
                    && sublocks[v] <= k1
                    && locks - sublocks[v] <= k2;
                if ok {
                    cuts.push((v, k1));
                }
            }
        }
        if cuts.is_empty() {
            continue;
        }
        // Prefer the most even split in count (fewer failures deeper down), and, most of the
        // time, cuts along PCN / community borders (edges with the highest surcharge).
        let best = cuts.iter().map(|&(_, k1)| k1.min(k - k1)).max().unwrap();
        cuts.retain(|&(_, k1)| k1.min(k - k1) == best);
        if rng.random::<f64>() < 0.9 {
            let top = cuts.iter().map(|&(v, _)| sur[v]).fold(f64::MIN, f64::max);
            cuts.retain(|&(v, _)| sur[v] >= top);
        }
        let (cut, k1) = cuts[rng.random_range(0..cuts.len())];
        // Collect the subtree under `cut`.
        let mut inside = vec![false; nodes.len()];
        for &v in &order {
            if v == cut || (parent[v] != v && inside[parent[v]]) {
                inside[v] = true;
            }
        }
        let a: Vec<usize> = (0..nodes.len()).filter(|&i| inside[i]).map(|i| nodes[i]).collect();
        let c: Vec<usize> = (0..nodes.len()).filter(|&i| !inside[i]).map(|i| nodes[i]).collect();
        let (Some(mut pa), Some(pc)) =
            (tree_partition(g, &a, k1, b, rng, tries), tree_partition(g, &c, k - k1, b, rng, tries))
        else {
            continue;
        };
        pa.extend(pc);
        return Some(pa);
    }
    None
}

/// Connected components of the subgraph induced by `nodes`.
pub fn components(g: &LGraph, nodes: &[usize]) -> Vec<Vec<usize>> {
    let mut inset = vec![false; g.len()];
    for &v in nodes {
        inset[v] = true;
    }
    let mut seen = vec![false; g.len()];
    let mut out = Vec::new();
    for &s in nodes {
        if seen[s] {
            continue;
        }
        seen[s] = true;
        let mut comp = vec![s];
        let mut i = 0;
        while i < comp.len() {
            for &(w, _, _) in &g.adj[comp[i]] {
                if inset[w] && !seen[w] {
                    seen[w] = true;
                    comp.push(w);
                }
            }
            i += 1;
        }
        comp.sort();
        out.push(comp);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn grid(w: usize, h: usize) -> LGraph {
        let n = w * h;
        let mut g = LGraph { pop: vec![1.0; n], adj: vec![Vec::new(); n], locked: vec![false; n] };
        for y in 0..h {
            for x in 0..w {
                let v = y * w + x;
                if x + 1 < w {
                    g.adj[v].push((v + 1, 1.0, 0.0));
                    g.adj[v + 1].push((v, 1.0, 0.0));
                }
                if y + 1 < h {
                    g.adj[v].push((v + w, 1.0, 0.0));
                    g.adj[v + w].push((v, 1.0, 0.0));
                }
            }
        }
        g
    }

    #[test]
    fn grid_into_balanced_connected_parts() {
        let g = grid(10, 10);
        let nodes: Vec<usize> = (0..100).collect();
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let parts = tree_partition(&g, &nodes, 5, Bounds { lo: 18.0, hi: 22.0 }, &mut rng, 500).expect("feasible");
        assert_eq!(parts.len(), 5);
        let mut all: Vec<usize> = parts.iter().flatten().copied().collect();
        all.sort();
        assert_eq!(all, nodes);
        for p in &parts {
            assert!((18..=22).contains(&p.len()), "{}", p.len());
            assert_eq!(components(&g, p).len(), 1);
        }
    }

    #[test]
    fn impossible_bounds_fail_fast() {
        let g = grid(4, 4);
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
            let mut g = LGraph { pop: pops[..n].iter().map(|&p| p as f64).collect(), adj: vec![Vec::new(); n], locked: vec![false; n] };
            for y in 0..h { for x in 0..w {
                let v = y * w + x;
                if x + 1 < w { g.adj[v].push((v + 1, 1.0, 0.0)); g.adj[v + 1].push((v, 1.0, 0.0)); }
                if y + 1 < h { g.adj[v].push((v + w, 1.0, 0.0)); g.adj[v + w].push((v, 1.0, 0.0)); }
            }}
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
                    prop_assert_eq!(components(&g, p).len(), 1);
                }
            }
        }
    }
}
