//! MNPs that fit the districts (the `hierarchy` MNP layer): districts smaller than an MNP are
//! grouped whole with neighbouring districts into units of about one MNP, and a district that
//! holds one or more MNPs on its own stays a unit by itself and is divided as any unit is. SNPs
//! then nest in districts and districts nest in MNPs wherever the populations allow. An outer
//! layer (an extra layer named "sub-ICB", else "ICB") bounds the groups: districts are grouped
//! only with districts whose people lie mostly in the same outer unit (districts stay whole
//! where the outer layer cuts one, as sub-ICBs cut Lichfield and South Staffordshire).
//!
//! The grouping is a deterministic greedy over the district adjacency graph: seeds are taken
//! where fewest ungrouped small neighbours are left (the edges first, so none is stranded), each
//! group grows by the neighbour that brings it nearest the target while that helps, then groups
//! still outside tolerance merge with the neighbouring unit that most reduces the MNPs expected
//! outside tolerance. [`choose_mnp_layer`] compares this layer with districts and the outer layer.

use super::units::fit_count;
use super::Layer;
use crate::error::{Error, Result};
pub use crate::layer::DistrictGroups;
use crate::prepare::Prepared;
use std::collections::{BTreeMap, BTreeSet};

/// Name of the hierarchy MNP layer in scenarios and on the command line.
pub const HIERARCHY: &str = "hierarchy";

/// The MNP layer a build uses and, when the build chose it, why.
#[derive(Debug, Clone)]
pub struct LayerChoice {
    /// The layer.
    pub layer: Layer,
    /// One line saying which layer was chosen and why (None when the user named it).
    pub note: Option<String>,
}

/// The possible outer layers for the hierarchy: the extra layers named "sub-ICB" and "ICB" (any
/// case), in that order.
fn outer_layers(p: &Prepared) -> Vec<usize> {
    ["sub-icb", "icb"]
        .iter()
        .filter_map(|n| p.study.layers.iter().position(|l| l.name.eq_ignore_ascii_case(n)))
        .collect()
}

/// MNPs expected outside tolerance in a unit of `pop` people, and MNPs in it.
fn outside(pop: f64, target: f64, tol: f64) -> (usize, usize) {
    let (k, ok) = fit_count(pop, target, tol);
    (if ok { 0 } else { k }, k)
}

/// The hierarchy layer for targets `target` ± `tol`: districts grouped inside each possible outer
/// layer (sub-ICB, ICB) and inside none, whichever puts fewest MNPs outside tolerance (ties go to
/// the first of that order, so the NHS boundaries are kept where they cost nothing).
pub fn hierarchy_layer(p: &Prepared, target: f64, tol: f64) -> Layer {
    let outers = outer_layers(p).into_iter().map(Some).chain([None]);
    let layers = outers.map(|o| Layer::Districts(Box::new(district_groups(p, target, tol, o))));
    let scored: Vec<(usize, Layer)> = layers.map(|l| (expected_outside(p, &l, target, tol).0, l)).collect();
    let best = (0..scored.len()).min_by_key(|&k| (scored[k].0, k)).unwrap_or(0);
    scored.into_iter().nth(best).map_or(Layer::Lad, |(_, l)| l)
}

/// The outer unit of each district: the unit of the outer layer holding most of its people (so
/// districts stay whole where the outer layer cuts one), None without an outer layer.
fn outer_of_lad(p: &Prepared, outer: Option<usize>) -> Vec<Option<u32>> {
    let study = &p.study;
    let mut people: BTreeMap<(u32, Option<u32>), u64> = BTreeMap::new();
    for (i, a) in study.areas.iter().enumerate() {
        *people.entry((a.lad, outer.and_then(|k| study.layers[k].unit_of[i]))).or_default() += a.pop;
    }
    let mut best: Vec<(u64, Option<u32>)> = vec![(0, None); study.lads.len()];
    for ((lad, o), n) in people {
        if n > best[lad as usize].0 {
            best[lad as usize] = (n, o);
        }
    }
    best.into_iter().map(|(_, o)| o).collect()
}

/// Group the districts of the study area into MNP units, inside the extra layer `outer` if given.
pub fn district_groups(p: &Prepared, target: f64, tol: f64, outer: Option<usize>) -> DistrictGroups {
    let study = &p.study;
    let outer_of = outer_of_lad(p, outer);
    let mut pop = vec![0.0; study.lads.len()];
    for a in &study.areas {
        pop[a.lad as usize] += a.pop as f64;
    }
    let mut adj: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); study.lads.len()];
    for e in &p.graph.edges {
        let (x, y) = (study.areas[e.a].lad as usize, study.areas[e.b].lad as usize);
        if x != y && outer_of[x] == outer_of[y] {
            adj[x].insert(y);
            adj[y].insert(x);
        }
    }
    // Districts with no LSOA in the study area take no part (and get no group).
    let present: Vec<bool> = pop.iter().map(|&x| x > 0.0).collect();
    let group = Grouper { pop: &pop, adj: &adj, present: &present, target, tol }.run();
    let n_groups = group.iter().filter(|&&g| g != usize::MAX).max().map_or(0, |g| g + 1);
    let mut members: Vec<Vec<&str>> = vec![Vec::new(); n_groups];
    for (lad, &g) in group.iter().enumerate().filter(|(_, g)| **g != usize::MAX) {
        members[g].push(&study.lads[lad].code);
    }
    DistrictGroups {
        outer: outer.map(|k| study.layers[k].name.clone()),
        units: members.iter().map(|m| m.join(" + ")).collect(),
        unit_of: study.areas.iter().map(|a| group[a.lad as usize] as u32).collect(),
    }
}

/// The greedy grouping over district nodes.
struct Grouper<'a> {
    pop: &'a [f64],
    adj: &'a [BTreeSet<usize>],
    present: &'a [bool],
    target: f64,
    tol: f64,
}

impl Grouper<'_> {
    /// The best of the greedy variants ([`Grouper::greedy`]): fewest MNPs expected outside
    /// tolerance, then the smallest total deviation from the target, then the first variant.
    fn run(&self) -> Vec<usize> {
        let score = |group: &[usize]| {
            let mut pops: BTreeMap<usize, f64> = BTreeMap::new();
            for (v, &g) in group.iter().enumerate().filter(|(_, g)| **g != usize::MAX) {
                *pops.entry(g).or_default() += self.pop[v];
            }
            let out: usize = pops.values().map(|&x| outside(x, self.target, self.tol).0).sum();
            let dev: f64 =
                pops.values().map(|&x| (x / fit_count(x, self.target, self.tol).0 as f64 - self.target).abs()).sum();
            (out, dev)
        };
        let mut best: Option<((usize, f64), Vec<usize>)> = None;
        for variant in 0..8 {
            let g = self.greedy(variant);
            let s = score(&g);
            if best.as_ref().is_none_or(|(b, _)| s.0 < b.0 || (s.0 == b.0 && s.1 < b.1 - 1e-6)) {
                best = Some((s, g));
            }
        }
        best.map(|(_, g)| g).unwrap_or_default()
    }

    /// One greedy grouping, numbered by each group's lowest node (`usize::MAX` for absent
    /// nodes). Variant bits 0–1 pick the seed order (fewest ungrouped small neighbours, then
    /// fewest people or most people; or most people; or fewest people); bit 2 the growth rule
    /// (the neighbour bringing the group nearest the target while that helps; or, while the group
    /// is below tolerance, a neighbour that brings it within tolerance and has fewest ungrouped
    /// neighbours of its own).
    fn greedy(&self, variant: usize) -> Vec<usize> {
        let n = self.pop.len();
        let lo = self.target * (1.0 - self.tol);
        let hi = self.target * (1.0 + self.tol);
        let small: Vec<bool> = self.pop.iter().zip(self.present).map(|(&x, &here)| here && x < lo).collect();
        let mut group = vec![usize::MAX; n];
        let mut groups: Vec<Vec<usize>> = Vec::new();
        for v in (0..n).filter(|&v| self.present[v] && !small[v]) {
            group[v] = groups.len();
            groups.push(vec![v]);
        }
        let free = |group: &[usize], v: usize| small[v] && group[v] == usize::MAX;
        let nf = |group: &[usize], v: usize| self.adj[v].iter().filter(|&&u| free(group, u)).count();
        let dev = |x: f64| (x - self.target).abs();
        loop {
            let seed = (0..n).filter(|&v| free(&group, v)).min_by(|&a, &b| {
                let (pa, pb) = (self.pop[a], self.pop[b]);
                match variant & 3 {
                    0 => nf(&group, a).cmp(&nf(&group, b)).then(pa.total_cmp(&pb)),
                    1 => nf(&group, a).cmp(&nf(&group, b)).then(pb.total_cmp(&pa)),
                    2 => pb.total_cmp(&pa),
                    _ => pa.total_cmp(&pb),
                }
                .then(a.cmp(&b))
            });
            let Some(seed) = seed else { break };
            let g = groups.len();
            group[seed] = g;
            let mut members = vec![seed];
            let mut total = self.pop[seed];
            loop {
                let cands: BTreeSet<usize> =
                    members.iter().flat_map(|&m| self.adj[m].iter().copied()).filter(|&u| free(&group, u)).collect();
                let lands = |c: usize| (lo..=hi).contains(&(total + self.pop[c]));
                let careful = variant & 4 != 0 && total < lo && cands.iter().any(|&c| lands(c));
                let best = if careful {
                    cands.into_iter().filter(|&c| lands(c)).min_by(|&a, &b| {
                        nf(&group, a)
                            .cmp(&nf(&group, b))
                            .then(dev(total + self.pop[a]).total_cmp(&dev(total + self.pop[b])))
                    })
                } else {
                    cands.into_iter().min_by(|&a, &b| dev(total + self.pop[a]).total_cmp(&dev(total + self.pop[b])))
                };
                match best {
                    Some(c) if careful || dev(total + self.pop[c]) < dev(total) => {
                        group[c] = g;
                        members.push(c);
                        total += self.pop[c];
                    }
                    _ => break,
                }
                if careful {
                    break;
                }
            }
            groups.push(members);
        }
        self.repair(&mut group, &mut groups);
        self.improve(&mut group);
        renumber(&group)
    }

    /// The MNPs outside tolerance of a unit of `x` people and its deviation from the target at its
    /// nearest fit: what moves and merges reduce, in that order.
    fn cost(&self, x: f64) -> (usize, f64) {
        let (k, _) = fit_count(x, self.target, self.tol);
        (outside(x, self.target, self.tol).0, (x / k as f64 - self.target).abs())
    }

    /// Move single districts between neighbouring groups while that lowers the cost of the two
    /// groups (MNPs outside tolerance, then deviation), keeping the group moved from contiguous
    /// and the group moved to one MNP. A district alone stays (that is a merge, see `repair`).
    fn improve(&self, group: &mut [usize]) {
        let better = |a: (usize, f64), b: (usize, f64)| a.0 < b.0 || (a.0 == b.0 && a.1 < b.1 - 1.0);
        let add = |a: (usize, f64), b: (usize, f64)| (a.0 + b.0, a.1 + b.1);
        for _ in 0..100 {
            let mut moved = false;
            for v in 0..group.len() {
                let a = group[v];
                if a == usize::MAX {
                    continue;
                }
                let rest: Vec<usize> = (0..group.len()).filter(|&u| u != v && group[u] == a).collect();
                if rest.is_empty() || !self.connected(&rest) {
                    continue;
                }
                let gpop = |g: usize| (0..group.len()).filter(|&u| group[u] == g).map(|u| self.pop[u]).sum::<f64>();
                let (pa, pv) = (gpop(a), self.pop[v]);
                let targets: BTreeSet<usize> = self.adj[v].iter().map(|&u| group[u]).filter(|&b| b != a).collect();
                for b in targets {
                    let pb = gpop(b);
                    if fit_count(pb + pv, self.target, self.tol).0 > 1 {
                        continue;
                    }
                    let before = add(self.cost(pa), self.cost(pb));
                    if better(add(self.cost(pa - pv), self.cost(pb + pv)), before) {
                        group[v] = b;
                        moved = true;
                        break;
                    }
                }
            }
            if !moved {
                return;
            }
        }
    }

    /// Whether `nodes` are connected in the district graph.
    fn connected(&self, nodes: &[usize]) -> bool {
        let set: BTreeSet<usize> = nodes.iter().copied().collect();
        let mut seen = BTreeSet::from([nodes[0]]);
        let mut stack = vec![nodes[0]];
        while let Some(x) = stack.pop() {
            for &y in &self.adj[x] {
                if set.contains(&y) && seen.insert(y) {
                    stack.push(y);
                }
            }
        }
        seen.len() == set.len()
    }

    /// Merge groups outside tolerance with the neighbouring group that most reduces the MNPs
    /// expected outside tolerance, where the merged unit is one MNP (ties: the merged unit nearest
    /// the target, then the lowest groups).
    fn repair(&self, group: &mut [usize], groups: &mut [Vec<usize>]) {
        let gpop = |m: &[usize]| m.iter().map(|&v| self.pop[v]).sum::<f64>();
        let out = |x: f64| outside(x, self.target, self.tol).0;
        loop {
            let mut best: Option<(usize, f64, usize, usize)> = None;
            for a in 0..groups.len() {
                let pa = gpop(&groups[a]);
                if groups[a].is_empty() || out(pa) == 0 {
                    continue;
                }
                let nbs: BTreeSet<usize> =
                    groups[a].iter().flat_map(|&v| self.adj[v].iter().map(|&u| group[u])).collect();
                for b in nbs.into_iter().filter(|&b| b != a) {
                    let pb = gpop(&groups[b]);
                    let gain = (out(pa) + out(pb)) as i64 - out(pa + pb) as i64;
                    // A merged unit of several districts must be one MNP, so districts nest in it.
                    let (k, _) = fit_count(pa + pb, self.target, self.tol);
                    if k > 1 {
                        continue;
                    }
                    let dev = (pa + pb - self.target).abs();
                    let better =
                        best.is_none_or(|(bg, bd, _, _)| gain as usize > bg || (gain as usize == bg && dev < bd));
                    if gain > 0 && better {
                        best = Some((gain as usize, dev, a.min(b), a.max(b)));
                    }
                }
            }
            let Some((_, _, keep, gone)) = best else { return };
            let moved = std::mem::take(&mut groups[gone]);
            moved.iter().for_each(|&v| group[v] = keep);
            groups[keep].extend(moved);
        }
    }
}

/// Renumber group ids by each group's lowest node (`usize::MAX` stays).
fn renumber(group: &[usize]) -> Vec<usize> {
    let mut map: BTreeMap<usize, usize> = BTreeMap::new();
    group
        .iter()
        .map(|&g| {
            if g == usize::MAX {
                return g;
            }
            let n = map.len();
            *map.entry(g).or_insert(n)
        })
        .collect()
}

/// MNPs expected outside tolerance with `layer`, and MNPs in all: each connected piece of each
/// unit holds its nearest-fit count of MNPs, all outside when that count misses the tolerance.
pub fn expected_outside(p: &Prepared, layer: &Layer, target: f64, tol: f64) -> (usize, usize) {
    let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in 0..p.study.areas.len() {
        by.entry(layer.key(p, i)).or_default().push(i);
    }
    let (mut out, mut all) = (0, 0);
    for members in by.values() {
        for piece in p.graph.components_of(members) {
            let pop = piece.iter().map(|&i| p.study.areas[i].pop as f64).sum::<f64>();
            let (o, k) = outside(pop, target, tol);
            out += o;
            all += k;
        }
    }
    (out, all)
}

/// The MNP layer named `name` ("hierarchy" or anything [`Layer::parse`] takes).
pub fn parse_mnp_layer(p: &Prepared, name: &str, target: f64, tol: f64) -> Result<Layer> {
    if name.eq_ignore_ascii_case(HIERARCHY) {
        return Ok(hierarchy_layer(p, target, tol));
    }
    Layer::parse(name, p).map_err(|e| {
        let s = &p.study;
        let keyword =
            ["none", "lad", "lads", "district", "robust", "lgr-robust"].contains(&name.to_ascii_lowercase().as_str());
        if keyword || s.lgr_index(name).is_some() || s.layer_index(name).is_some() {
            return e;
        }
        let names: Vec<&str> =
            s.lgr.iter().map(|o| o.name.as_str()).chain(s.layers.iter().map(|l| l.name.as_str())).collect();
        Error::scenario(format!("unknown MNP layer \"{name}\"")).hint(format!(
            "use lad, none, robust, {HIERARCHY} (districts grouped into MNPs), an LGR option or an extra layer: {}",
            if names.is_empty() { "(none in the scenario)".into() } else { names.join(", ") }
        ))
    })
}

/// The MNP layer for a scenario that names none: with LGR options, districts (as before); without,
/// whichever of districts, the hierarchy and the outer layer (sub-ICB) is expected to put fewest
/// MNPs outside tolerance (ties go to the first of that order), with a line saying why.
pub fn choose_mnp_layer(p: &Prepared, target: f64, tol: f64) -> LayerChoice {
    if !p.study.lgr.is_empty() {
        return LayerChoice { layer: Layer::Lad, note: None };
    }
    let mut cands = vec![Layer::Lad, hierarchy_layer(p, target, tol)];
    cands.extend(outer_layers(p).into_iter().map(Layer::Extra));
    let scored: Vec<(Layer, (usize, usize))> =
        cands.into_iter().map(|l| (expected_outside(p, &l, target, tol), l)).map(|(s, l)| (l, s)).collect();
    let best = (0..scored.len()).min_by_key(|&k| (scored[k].1 .0, k)).unwrap_or(0);
    let others: Vec<String> = scored
        .iter()
        .enumerate()
        .filter(|(k, _)| *k != best)
        .map(|(_, (l, (o, a)))| format!("{o} of {a} with {}", l.label(p)))
        .collect();
    let (layer, (o, a)) = scored[best].clone();
    let note = format!(
        "MNP layer {} chosen: {o} of {a} MNPs expected outside ±{:.0}%, against {} (set build.mnp_layer or --mnp-layer to choose another)",
        layer.label(p),
        tol * 100.0,
        others.join(" and ")
    );
    LayerChoice { layer, note: Some(note) }
}
