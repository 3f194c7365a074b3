//! Exact mode: the fewest PCNs any plan must split, proven with an integer program (HiGHS), for
//! the default constraints: SNPs inside districts, each district's SNP count the one the build
//! uses ([`crate::build::fit_count`]), every SNP contiguous and within target ± tolerance.
//!
//! A PCN (majority catchment) straddling districts, or holding more people than one SNP may, must
//! split. The others ("candidates") lie wholly in one district; per district the question is how
//! many of them can be kept whole together. Sets of candidates are tried largest first: a set is
//! *feasible* when HiGHS finds a contiguous split of the district into its SNP count within the
//! bounds with each kept catchment inside one SNP, and *infeasible* when HiGHS proves none exists.
//! The district's minimum is proven when a set of size `s` is feasible and every larger set is
//! proven infeasible; a set whose solve hits the time limit leaves a certified gap instead.
//!
//! A set is first offered to the build's own seeding (random spanning-tree splits): a split it finds
//! is the witness, and only the sets it cannot split go to the solver. Each solve is a feasibility program on the district's LSOAs, with every kept catchment that is
//! contiguous contracted to one node (a catchment in pieces is kept by "same SNP" rows instead):
//! `x[v][j]` puts node `v` in SNP `j`; each SNP's people lie within the bounds; contiguity is a
//! single-commodity flow per SNP from one root node (each node of the SNP consumes one unit, and
//! flow runs only between nodes of that SNP). Kept catchments that no SNP can hold two of are
//! fixed, largest first, in SNPs 0, 1, … as their roots, which removes the SNPs' symmetry.

use crate::build::{fit_count, town_blocks, tree_partition, Bounds, BuildConfig, LGraph, Layer};
use crate::prepare::Prepared;
use highs::{HighsModelStatus, RowProblem, Sense};
use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Instant;

/// Limits and switches of the exact mode.
#[derive(Debug, Clone, Copy)]
pub struct ExactConfig {
    /// SNP target.
    pub target: f64,
    /// Relative tolerance.
    pub tolerance: f64,
    /// Seconds allowed per solve; a solve that reaches it leaves its set undecided.
    pub time_limit: f64,
    /// Keep towns whole as well, as the build does ([`crate::build::town_blocks`]).
    pub whole_towns: bool,
}

/// What the exact mode found in one district.
#[derive(Debug, Clone, Serialize)]
pub struct District {
    /// "Cherwell (E07000177)".
    pub district: String,
    /// LSOAs.
    pub lsoas: usize,
    /// People.
    pub population: u64,
    /// SNP count (as the build uses).
    pub snps: usize,
    /// Catchments wholly inside the district that fit in one SNP.
    pub candidates: Vec<String>,
    /// The largest set of candidates found keeping whole (with a witness plan); empty when none.
    pub kept: Vec<String>,
    /// Fewest candidates that must split (proven lower bound).
    pub split_min: usize,
    /// Candidates split in the best plan found (upper bound); `None` when no plan was found.
    pub split_found: Option<usize>,
    /// Sets of candidates tried.
    pub sets: usize,
    /// Of those, the sets the seeding could not split, which went to the solver.
    pub solver_calls: usize,
    /// Seconds spent.
    pub seconds: f64,
    /// Why the district was left out, when it was.
    pub note: Option<String>,
}

/// The exact mode's answer for a whole study area.
#[derive(Debug, Clone, Serialize)]
pub struct Exact {
    /// PCNs whose catchment straddles districts.
    pub straddle: Vec<String>,
    /// PCNs inside one district but too big for one SNP.
    pub too_big: Vec<String>,
    /// Per district.
    pub districts: Vec<District>,
    /// Proven fewest PCNs split: straddle + too big + Σ split_min.
    pub lower: usize,
    /// PCNs split in the best plans found: straddle + too big + Σ split_found (`None` when a
    /// district has no plan).
    pub upper: Option<usize>,
    /// `lower == upper`.
    pub proven: bool,
    /// Seconds in all.
    pub seconds: f64,
}

/// Solve the exact mode for every district of the study area (see the module documentation).
pub fn min_pcn_splits(p: &Prepared, cfg: &ExactConfig) -> Exact {
    let start = Instant::now();
    let st = &p.study;
    let hi = cfg.target * (1.0 + cfg.tolerance);
    let mut by_pcn: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, a) in st.areas.iter().enumerate() {
        if let Some(l) = &a.pcn {
            by_pcn.entry(l.pcn).or_default().push(i);
        }
    }
    let (mut straddle, mut too_big) = (Vec::new(), Vec::new());
    let mut cands: BTreeMap<u32, Vec<(String, Vec<usize>)>> = BTreeMap::new();
    for (&id, members) in &by_pcn {
        let label = st.pcn_named(id).label();
        let lad = st.areas[members[0]].lad;
        let pop: f64 = members.iter().map(|&i| st.areas[i].pop as f64).sum();
        if members.iter().any(|&i| st.areas[i].lad != lad) {
            straddle.push(label);
        } else if pop > hi {
            too_big.push(label);
        } else {
            cands.entry(lad).or_default().push((label, members.clone()));
        }
    }
    let mut lads: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, a) in st.areas.iter().enumerate() {
        lads.entry(a.lad).or_default().push(i);
    }
    let districts: Vec<District> = lads
        .iter()
        .map(|(lad, members)| {
            let pcns = cands.get(lad).cloned().unwrap_or_default();
            solve_district(p, cfg, &st.lads[*lad as usize].label(), members, pcns)
        })
        .collect();
    let lower = straddle.len() + too_big.len() + districts.iter().map(|d| d.split_min).sum::<usize>();
    let upper =
        districts.iter().map(|d| d.split_found).sum::<Option<usize>>().map(|u| u + straddle.len() + too_big.len());
    Exact {
        straddle,
        too_big,
        districts,
        lower,
        upper,
        proven: upper == Some(lower),
        seconds: start.elapsed().as_secs_f64(),
    }
}

/// One district: sets of candidates, largest first, until one is feasible.
fn solve_district(
    p: &Prepared,
    cfg: &ExactConfig,
    name: &str,
    members: &[usize],
    mut pcns: Vec<(String, Vec<usize>)>,
) -> District {
    let start = Instant::now();
    let pop: f64 = members.iter().map(|&i| p.study.areas[i].pop as f64).sum();
    let (k, fits) = fit_count(pop, cfg.target, cfg.tolerance);
    let pop_of = |m: &[usize]| m.iter().map(|&i| p.study.areas[i].pop).sum::<u64>();
    pcns.sort_by_key(|(l, m)| (std::cmp::Reverse(pop_of(m)), l.clone()));
    let mut d = District {
        district: name.to_string(),
        lsoas: members.len(),
        population: pop as u64,
        snps: k,
        candidates: pcns.iter().map(|(l, _)| l.clone()).collect(),
        kept: Vec::new(),
        split_min: 0,
        split_found: None,
        sets: 0,
        solver_calls: 0,
        seconds: 0.0,
        note: None,
    };
    if pcns.is_empty() {
        // Nothing to keep whole: no plan of this district splits a candidate.
        d.split_found = Some(0);
        d.seconds = start.elapsed().as_secs_f64();
        return d;
    }
    if !fits || !p.graph.is_connected(members) {
        d.note = Some(if fits { "the district is in pieces" } else { "no SNP count meets the tolerance" }.into());
        d.seconds = start.elapsed().as_secs_f64();
        return d;
    }
    let towns = if cfg.whole_towns { town_groups(p, cfg, members) } else { Vec::new() };
    let n = pcns.len();
    let mut undecided_above = false; // some larger set was not proven infeasible
    for size in (0..=n).rev() {
        let mut feasible = None;
        let mut unknown = false;
        for set in subsets(n, size) {
            let mut keep: Vec<&[usize]> = towns.iter().map(|t| t.as_slice()).collect();
            keep.extend(set.iter().map(|&j| pcns[j].1.as_slice()));
            d.sets += 1;
            match feasible_split(p, members, &keep, k, cfg, &mut d.solver_calls) {
                Some(true) => {
                    feasible = Some(set);
                    break;
                }
                Some(false) => {}
                None => unknown = true,
            }
        }
        if !undecided_above {
            d.split_min = n - size;
        }
        undecided_above |= unknown;
        if let Some(set) = feasible {
            d.kept = set.iter().map(|&j| pcns[j].0.clone()).collect();
            d.split_found = Some(n - size);
            break;
        }
    }
    d.seconds = start.elapsed().as_secs_f64();
    d
}

/// The build's whole-town blocks inside the district ([`crate::build::town_blocks`]): each town's
/// connected pieces that fit in one SNP, and the MSOA pieces of a larger one.
fn town_groups(p: &Prepared, cfg: &ExactConfig, members: &[usize]) -> Vec<Vec<usize>> {
    let b =
        BuildConfig { snp_target: cfg.target, tolerance: cfg.tolerance, ..BuildConfig::with_mnp_layer(Layer::None) };
    let lad = p.study.areas[members[0]].lad;
    let taken = vec![usize::MAX; p.study.areas.len()];
    let mut blocks = town_blocks(p, &b, &taken);
    blocks.retain(|t| p.study.areas[t[0]].lad == lad);
    blocks
}

/// The `s`-subsets of `0..n` in lexicographic order (those keeping the largest catchments first).
fn subsets(n: usize, s: usize) -> Vec<Vec<usize>> {
    let mut out = Vec::new();
    let mut idx: Vec<usize> = (0..s).collect();
    loop {
        out.push(idx.clone());
        let Some(pos) = (0..s).rev().find(|&j| idx[j] < n - s + j) else { return out };
        idx[pos] += 1;
        for j in pos + 1..s {
            idx[j] = idx[j - 1] + 1;
        }
    }
}

/// Whether the LSOAs `members` split into `k` contiguous SNPs within the bounds with every group
/// in `keep` inside one SNP: `Some(true)` with a witness, `Some(false)` proven impossible, `None`
/// when the solve reached the time limit.
fn feasible_split(
    p: &Prepared,
    members: &[usize],
    keep: &[&[usize]],
    k: usize,
    cfg: &ExactConfig,
    solver_calls: &mut usize,
) -> Option<bool> {
    let c = Contracted::new(p, members, keep);
    let (lo, hi) = (cfg.target * (1.0 - cfg.tolerance), cfg.target * (1.0 + cfg.tolerance));
    if c.pop.iter().any(|&x| x > hi) {
        return Some(false);
    }
    if witness(&c, k, lo, hi) {
        return Some(true);
    }
    *solver_calls += 1;
    let n = c.pop.len();
    let mut pb = RowProblem::default();
    let x: Vec<Vec<_>> = (0..n).map(|_| (0..k).map(|_| pb.add_integer_column(0.0, 0..=1)).collect()).collect();
    let r: Vec<Vec<_>> = (0..n).map(|_| (0..k).map(|_| pb.add_integer_column(0.0, 0..=1)).collect()).collect();
    let big = n as f64;
    let f: Vec<Vec<_>> = c.arcs.iter().map(|_| (0..k).map(|_| pb.add_column(0.0, 0.0..=big)).collect()).collect();
    for xv in &x {
        pb.add_row(1.0..=1.0, xv.iter().map(|&col| (col, 1.0)));
    }
    // Kept groups no SNP can hold two of: fixed in SNPs 0, 1, … as their roots.
    let mut fixed: Vec<usize> = Vec::new();
    for &v in &c.kept_nodes {
        if fixed.len() < k && fixed.iter().all(|&u| c.pop[u] + c.pop[v] > hi) {
            fixed.push(v);
        }
    }
    for (j, &v) in fixed.iter().enumerate() {
        pb.add_row(1.0..=1.0, [(x[v][j], 1.0)]);
        pb.add_row(1.0..=1.0, [(r[v][j], 1.0)]);
    }
    if fixed.is_empty() {
        pb.add_row(1.0..=1.0, [(x[0][0], 1.0)]);
    }
    let mut inflow: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut outflow: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (a, &(u, v)) in c.arcs.iter().enumerate() {
        outflow[u].push(a);
        inflow[v].push(a);
    }
    for j in 0..k {
        pb.add_row(lo..=hi, (0..n).map(|v| (x[v][j], c.pop[v])));
        pb.add_row(1.0..=1.0, (0..n).map(|v| (r[v][j], 1.0)));
        for v in 0..n {
            pb.add_row(..=0.0, [(r[v][j], 1.0), (x[v][j], -1.0)]);
        }
        for (a, &(u, v)) in c.arcs.iter().enumerate() {
            pb.add_row(..=0.0, [(f[a][j], 1.0), (x[u][j], -big)]);
            pb.add_row(..=0.0, [(f[a][j], 1.0), (x[v][j], -big)]);
        }
        // Inflow − outflow ≥ x − n·r: every node of SNP j but its root consumes one unit.
        for v in 0..n {
            let row = inflow[v].iter().map(|&a| (f[a][j], 1.0)).chain(outflow[v].iter().map(|&a| (f[a][j], -1.0)));
            pb.add_row(0.0.., row.chain([(x[v][j], -1.0), (r[v][j], big)]));
        }
    }
    for &(a, b) in &c.same {
        for (&xa, &xb) in x[a].iter().zip(&x[b]) {
            pb.add_row(0.0..=0.0, [(xa, 1.0), (xb, -1.0)]);
        }
    }
    let mut model = pb.try_optimise(Sense::Minimise).ok()?;
    model.make_quiet();
    model.set_option("time_limit", cfg.time_limit);
    model.set_option("threads", 1);
    model.set_option("random_seed", 1);
    let solved = model.try_solve().ok()?;
    match solved.status() {
        HighsModelStatus::Optimal => Some(true),
        HighsModelStatus::Infeasible => Some(false),
        _ => None,
    }
}

/// A plan found by the build's own seeding (random spanning-tree splits of the contracted graph),
/// which answers most feasible sets at once; only sets it cannot answer go to the solver.
fn witness(c: &Contracted, k: usize, lo: f64, hi: f64) -> bool {
    use rand::SeedableRng;
    let n = c.pop.len();
    let mut g = LGraph::with_nodes(n);
    g.pop.clone_from(&c.pop);
    for &(u, v) in c.arcs.iter().filter(|(u, v)| u < v) {
        g.add_edge(u, v, 1.0, 0.0);
    }
    let nodes: Vec<usize> = (0..n).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20260322);
    (0..WITNESS_DRAWS).any(|_| {
        tree_partition(&g, &nodes, k, Bounds { lo, hi }, &mut rng, 300).is_some_and(|parts| {
            let mut part = vec![0; n];
            parts.iter().enumerate().for_each(|(j, m)| m.iter().for_each(|&v| part[v] = j));
            c.same.iter().all(|&(a, b)| part[a] == part[b])
        })
    })
}

/// Seeding draws tried before the solver is asked.
const WITNESS_DRAWS: usize = 4;

/// A district's LSOAs with every contiguous kept group contracted to one node.
struct Contracted {
    /// People per node.
    pop: Vec<f64>,
    /// Directed arcs between adjacent nodes (both directions).
    arcs: Vec<(usize, usize)>,
    /// Nodes that are kept groups, largest first.
    kept_nodes: Vec<usize>,
    /// Node pairs that must share an SNP (the pieces of a kept group in pieces).
    same: Vec<(usize, usize)>,
}

impl Contracted {
    fn new(p: &Prepared, members: &[usize], keep: &[&[usize]]) -> Contracted {
        let g = &p.graph;
        // Groups sharing an LSOA (a town inside a kept catchment) are one group.
        let mut dsu = crate::graph::Dsu::new(p.study.areas.len());
        for group in keep {
            group.iter().skip(1).for_each(|&i| dsu.union(group[0], i));
        }
        let mut groups: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        for &i in members {
            groups.entry(dsu.find(i)).or_default().push(i);
        }
        // Each group's connected pieces are nodes; the pieces of one group must share an SNP.
        let mut node_of: BTreeMap<usize, usize> = BTreeMap::new();
        let (mut pop, mut same, mut kept) = (Vec::new(), Vec::new(), Vec::new());
        for m in groups.values() {
            let pieces = g.components_of(m);
            let first = pop.len();
            for piece in &pieces {
                let v = pop.len();
                piece.iter().for_each(|&i| {
                    node_of.insert(i, v);
                });
                pop.push(piece.iter().map(|&i| p.study.areas[i].pop as f64).sum::<f64>());
                if v > first {
                    same.push((first, v));
                }
            }
            if m.len() > 1 && pieces.len() == 1 {
                kept.push(first);
            }
        }
        let mut arcs: Vec<(usize, usize)> = Vec::new();
        for &i in members {
            for &j in &g.neighbors[i] {
                if let (Some(&u), Some(&v)) = (node_of.get(&i), node_of.get(&j)) {
                    if u != v {
                        arcs.push((u, v));
                    }
                }
            }
        }
        arcs.sort_unstable();
        arcs.dedup();
        kept.sort_by(|&a, &b| pop[b].total_cmp(&pop[a]).then(a.cmp(&b)));
        Contracted { pop, arcs, kept_nodes: kept, same }
    }
}
