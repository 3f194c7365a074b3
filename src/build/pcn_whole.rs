//! Whole PCN catchments as building blocks. In each SNP unit, the majority catchments that lie
//! wholly inside it, are contiguous and fit in one SNP are candidates; the build keeps whole the largest set of
//! them for which it finds a contiguous split of the unit into its SNP count within the bounds,
//! with the unit's towns whole too. Sets are tried largest first (then by people kept whole), so a
//! catchment is given up only when keeping it with the others led to no split in the search.
//! The search is a heuristic (random spanning-tree splits, as seeding uses); the exact mode proves
//! or bounds the minimum (`footprints exact`, docs/METRICS.md § PCN integrity).

use super::constraint::Bounds;
use super::seed::tree_partition;
use super::units::{fit_count, Setup};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// Subsets tried per SNP unit before it keeps what it has found.
const MAX_SETS: usize = 96;
/// Spanning trees drawn per subset (each try draws up to four times as many across levels).
const TRIES: usize = 60;

/// Majority PCN catchments per SNP unit that lie wholly in it and hold no lock, as sets of atoms
/// (a town the catchment touches comes whole), joined into one connected set when in pieces, that
/// fit in one SNP (`hi`): (unit, atoms per catchment, largest first).
fn candidates(s: &Setup, hi: f64) -> Vec<(usize, Vec<Vec<usize>>)> {
    let p = s.p;
    let mut unit_of = vec![usize::MAX; s.atoms.len()];
    for (u, su) in s.snp_units.iter().enumerate() {
        su.atoms.iter().for_each(|&a| unit_of[a] = u);
    }
    let mut by_pcn: BTreeMap<u32, BTreeSet<usize>> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        if let Some(l) = &a.pcn {
            by_pcn.entry(l.pcn).or_default().insert(s.atom_of[i]);
        }
    }
    let mut per_unit: BTreeMap<usize, Vec<Vec<usize>>> = BTreeMap::new();
    for atoms in by_pcn.into_values() {
        let u = unit_of[*atoms.first().unwrap_or(&0)];
        if u == usize::MAX || atoms.iter().any(|&a| unit_of[a] != u) {
            continue;
        }
        let free = |a: usize| unit_of[a] == u && !s.g.locked[a];
        let Some(block) = connect(s, atoms.into_iter().collect(), free) else { continue };
        if block.len() > 1 && s.pop(&block) <= hi && block.iter().all(|&a| free(a)) {
            per_unit.entry(u).or_default().push(block);
        }
    }
    per_unit
        .into_iter()
        .map(|(u, mut v)| {
            v.sort_by(|a, b| s.pop(b).total_cmp(&s.pop(a)).then(a[0].cmp(&b[0])));
            (u, v)
        })
        .collect()
}

/// The atoms `members` joined into one connected set through the atoms `free` allows, each join
/// along the path with fewest people (ties to the lower atom index); `None` when no path exists.
fn connect(s: &Setup, mut members: Vec<usize>, free: impl Fn(usize) -> bool) -> Option<Vec<usize>> {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let g = &s.g;
    loop {
        let comps = g.components(&members);
        if comps.len() <= 1 {
            members.sort_unstable();
            return Some(members);
        }
        let mut comp_of = vec![usize::MAX; g.len()];
        for (c, m) in comps.iter().enumerate() {
            m.iter().for_each(|&a| comp_of[a] = c);
        }
        let mut dist = vec![u64::MAX; g.len()];
        let mut prev = vec![usize::MAX; g.len()];
        let mut heap = BinaryHeap::new();
        for &a in &comps[0] {
            dist[a] = 0;
            heap.push(Reverse((0u64, a)));
        }
        let mut reached = None;
        while let Some(Reverse((d, v))) = heap.pop() {
            if d > dist[v] {
                continue;
            }
            if comp_of[v] != usize::MAX && comp_of[v] != 0 {
                reached = Some(v);
                break;
            }
            for nb in &g.adj[v] {
                let w = nb.node;
                let step = if comp_of[w] != usize::MAX { 0 } else { g.pop[w] as u64 };
                if (comp_of[w] != usize::MAX || free(w)) && d + step < dist[w] {
                    dist[w] = d + step;
                    prev[w] = v;
                    heap.push(Reverse((d + step, w)));
                }
            }
        }
        let mut v = prev[reached?];
        while comp_of[v] == usize::MAX {
            members.push(v);
            v = prev[v];
        }
    }
}

/// Subsets of `0..n` of each size from `n` down to 1, at most `cap` in all, in lexicographic order
/// within a size (so larger catchments, listed first, are given up last).
fn subsets(n: usize, cap: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    for size in (1..=n).rev() {
        let mut idx: Vec<usize> = (0..size).collect();
        loop {
            out.push(idx.clone());
            if out.len() >= cap {
                return out;
            }
            let Some(pos) = (0..size).rev().find(|&j| idx[j] < n - size + j) else { break };
            idx[pos] += 1;
            for j in pos + 1..size {
                idx[j] = idx[j - 1] + 1;
            }
        }
    }
    out
}

impl Setup<'_> {
    /// The catchments to keep whole, as LSOA groups, in every SNP unit where some set of them
    /// allows a contiguous split within the bounds (see the module documentation).
    pub(crate) fn whole_pcn_blocks(&self, seed: u64) -> Vec<Vec<usize>> {
        let (target, tol) = (self.cfg.snp_target, self.cfg.tolerance);
        let hi = target * (1.0 + tol);
        let mut out = Vec::new();
        for (u, pcns) in candidates(self, hi) {
            let atoms = &self.snp_units[u].atoms;
            let pop = self.pop(atoms);
            let (k, _) = fit_count(pop, target, tol);
            let k = k.max(atoms.iter().filter(|&&a| self.g.locked[a]).count());
            let Ok(b) = self.bounds(pop, k, target, "SNP", &self.snp_units[u].key, &mut Vec::new()) else {
                continue;
            };
            let mut rng = ChaCha8Rng::seed_from_u64(seed ^ (u as u64).wrapping_mul(0x2545_F491_4F6C_DD1D));
            for set in subsets(pcns.len(), MAX_SETS) {
                let chosen: Vec<&Vec<usize>> = set.iter().map(|&j| &pcns[j]).collect();
                if self.splits_with(atoms, &chosen, k, b, &mut rng) {
                    let lsoas = |set: &Vec<usize>| set.iter().flat_map(|&a| self.atoms[a].iter().copied()).collect();
                    out.extend(chosen.into_iter().map(lsoas));
                    break;
                }
            }
        }
        out
    }

    /// Whether a contiguous split of `atoms` into `k` parts within `b` is found with each group of
    /// atoms in `keep` inside one part.
    fn splits_with(&self, atoms: &[usize], keep: &[&Vec<usize>], k: usize, b: Bounds, rng: &mut ChaCha8Rng) -> bool {
        let mut dsu = crate::graph::Dsu::new(self.atoms.len());
        for group in keep {
            group.iter().skip(1).for_each(|&i| dsu.union(group[0], i));
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &a in atoms {
            groups.entry(dsu.find(a)).or_default().push(a);
        }
        let groups: Vec<Vec<usize>> = groups.into_values().collect();
        if groups.iter().any(|g| self.pop(g) > b.hi) {
            return false;
        }
        let q = self.g.quotient(groups.iter().map(|g| g.as_slice()));
        let nodes: Vec<usize> = (0..groups.len()).collect();
        tree_partition(&q, &nodes, k, b, rng, TRIES).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::subsets;

    #[test]
    fn subsets_give_up_the_smallest_first() {
        // Catchments 0, 1, 2 largest first: all three, then without 2, without 1, without 0, …
        let s = subsets(3, 100);
        assert_eq!(s[0], vec![0, 1, 2]);
        assert_eq!(s[1], vec![0, 1]);
        assert_eq!(s[2], vec![0, 2]);
        assert_eq!(s[3], vec![1, 2]);
        assert_eq!(s[4], vec![0]);
        assert_eq!(s.len(), 7);
        assert_eq!(subsets(3, 2).len(), 2);
    }
}
