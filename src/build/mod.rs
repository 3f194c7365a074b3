//! Build nested footprints: SNPs (~50k) inside hard SNP units (LADs by default), grouped into
//! MNPs (~250k) inside hard MNP units (an LGR option, LADs, the overlay of all LGR options, or
//! none); every footprint contiguous. Soft objectives (PCN and community integrity, compactness,
//! balance, closeness to existing footprints) are improved by ReCom moves with annealing.
//! Several independent runs give distinct options; PCN and district baselines come alongside.

pub mod objective;
pub mod partition;

use crate::error::{Error, Result};
use crate::prepare::Prepared;
use crate::scenario::Weights;
use objective::{Components, Grouping, ObjCtx};
use partition::{tree_partition, Bounds, LGraph};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

pub use crate::layer::Layer;

/// Typed build configuration.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// SNP target.
    pub snp_target: f64,
    /// MNP target.
    pub mnp_target: f64,
    /// Relative tolerance.
    pub tolerance: f64,
    /// SNP layer.
    pub snp_layer: Layer,
    /// MNP layer.
    pub mnp_layer: Layer,
    /// Community column ("ward", "lad" or a boundary attribute).
    pub community: Option<String>,
    /// Weights.
    pub weights: Weights,
    /// Options to keep.
    pub options: usize,
    /// Seed.
    pub seed: u64,
    /// Stop instead of relaxing when a unit cannot meet the tolerance.
    pub strict: bool,
    /// ReCom steps per SNP in the improvement chain.
    pub steps_per_snp: usize,
    /// Locks: LSOA index → footprint name.
    pub locks: BTreeMap<usize, String>,
    /// Existing footprint per LSOA.
    pub existing: Option<Vec<String>>,
}

impl BuildConfig {
    /// Defaults (SNP 50,000 and MNP 250,000 ± 20%, SNPs in LADs, wards as communities, 4 options,
    /// 60 ReCom proposals per SNP) with the given MNP layer.
    pub fn with_mnp_layer(mnp_layer: Layer) -> BuildConfig {
        BuildConfig {
            snp_target: 50_000.0,
            mnp_target: 250_000.0,
            tolerance: 0.2,
            snp_layer: Layer::Lad,
            mnp_layer,
            community: Some("ward".into()),
            weights: Weights::default(),
            options: 4,
            seed: 20260322,
            strict: false,
            steps_per_snp: 60,
            locks: BTreeMap::new(),
            existing: None,
        }
    }
}

/// A nested plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// SNP index per LSOA.
    pub snp_of: Vec<usize>,
    /// MNP index per SNP.
    pub mnp_of_snp: Vec<usize>,
}

impl Plan {
    /// Number of SNPs.
    pub fn n_snp(&self) -> usize {
        self.mnp_of_snp.len()
    }
    /// Number of MNPs.
    pub fn n_mnp(&self) -> usize {
        self.mnp_of_snp.iter().max().map_or(0, |m| m + 1)
    }
    /// MNP index per LSOA.
    pub fn mnp_of(&self, i: usize) -> usize {
        self.mnp_of_snp[self.snp_of[i]]
    }
    /// Renumber SNPs by their lowest LSOA index and MNPs by their lowest SNP, so equal plans compare equal.
    pub fn canonical(mut self) -> Plan {
        let mut snp_map = vec![usize::MAX; self.n_snp()];
        let mut next = 0;
        for s in &self.snp_of {
            if snp_map[*s] == usize::MAX {
                snp_map[*s] = next;
                next += 1;
            }
        }
        let mut mnp_of = vec![0; next];
        for (old, &new) in snp_map.iter().enumerate() {
            if new != usize::MAX {
                mnp_of[new] = self.mnp_of_snp[old];
            }
        }
        let mut mnp_map = BTreeMap::new();
        for m in &mnp_of {
            let n = mnp_map.len();
            mnp_map.entry(*m).or_insert(n);
        }
        self.snp_of = self.snp_of.iter().map(|s| snp_map[*s]).collect();
        self.mnp_of_snp = mnp_of.iter().map(|m| mnp_map[m]).collect();
        self
    }
}

/// Measures of a plan for choosing and reporting options.
#[derive(Debug, Clone, Serialize, Default)]
pub struct PlanMetrics {
    /// SNP count.
    pub snps: usize,
    /// MNP count.
    pub mnps: usize,
    /// Objective components over the whole plan (SNP level).
    pub components: Components,
    /// Weighted objective.
    pub objective: f64,
    /// Share of PCN population (registered or approximated) outside its main SNP.
    pub pcn_split_share: f64,
    /// PCNs whose population is split between SNPs (≥ 1% outside the main SNP).
    pub pcns_split: usize,
    /// Largest |deviation| of an SNP from target, %.
    pub snp_max_dev_pct: f64,
    /// Largest |deviation| of an MNP from target, %.
    pub mnp_max_dev_pct: f64,
    /// SNPs outside tolerance.
    pub snps_outside_tolerance: usize,
    /// MNPs outside tolerance.
    pub mnps_outside_tolerance: usize,
}

/// One built footprint set.
#[derive(Debug, Clone)]
pub struct Built {
    /// "option", "pcn-baseline" or "district-baseline".
    pub kind: String,
    /// Folder/label, e.g. "option-1".
    pub label: String,
    /// The plan.
    pub plan: Plan,
    /// SNP names.
    pub snp_names: Vec<String>,
    /// MNP names.
    pub mnp_names: Vec<String>,
    /// Metrics.
    pub metrics: PlanMetrics,
    /// Seed of the run that made it.
    pub seed: u64,
    /// ReCom proposals evaluated.
    pub proposals: usize,
}

/// Everything `build` produces.
#[derive(Debug, Clone)]
pub struct BuildResult {
    /// Chosen options, best first.
    pub options: Vec<Built>,
    /// Baselines.
    pub baselines: Vec<Built>,
    /// Warnings (relaxed tolerances, split units...).
    pub warnings: Vec<String>,
    /// Pairwise share of population changing SNP between options (same order as `options`).
    pub differences: Vec<Vec<f64>>,
    /// Candidate runs made.
    pub runs: usize,
    /// Total ReCom proposals evaluated across runs.
    pub proposals: usize,
}

/// Choose a count of parts for a unit: the count whose ideal is closest to target; feasible if within tolerance.
///
/// # Examples
///
/// ```
/// use footprints::build::fit_count;
/// // Cherwell: 160,986 people → 3 SNPs of 53,662 (+7.3%), within ±20%.
/// assert_eq!(fit_count(160_986.0, 50_000.0, 0.2), (3, true));
/// // Tamworth: 78,653 → 2 SNPs of 39,327 (−21.3%) is the nearest fit, outside ±20%.
/// assert_eq!(fit_count(78_653.0, 50_000.0, 0.2), (2, false));
/// ```
pub fn fit_count(pop: f64, target: f64, tol: f64) -> (usize, bool) {
    let lo = ((pop / target).floor() as usize).max(1);
    let hi = ((pop / target).ceil() as usize).max(1);
    let dev = |k: usize| (pop / k as f64 - target).abs() / target;
    let k = if dev(lo) <= dev(hi) { lo } else { hi };
    (k, dev(k) <= tol + 1e-12)
}

struct Ctx<'a> {
    p: &'a Prepared,
    cfg: &'a BuildConfig,
    /// LSOA → atom.
    atom_of: Vec<usize>,
    /// Atom → LSOAs.
    atoms: Vec<Vec<usize>>,
    g: LGraph,
    obj: ObjCtx,
    /// SNP units: (mnp unit index, atoms).
    snp_units: Vec<(usize, String, Vec<usize>)>,
    /// MNP units: key and member SNP unit indices.
    mnp_units: Vec<(String, Vec<usize>)>,
    warnings: Vec<String>,
}

fn community_key(p: &Prepared, col: &str, i: usize) -> Option<String> {
    let a = &p.study.areas[i];
    match col {
        "ward" => p.study.ward(i).map(|w| w.code.clone()),
        "lad" => Some(p.study.lad(i).code.clone()),
        c => a.props.get(c).cloned(),
    }
}

impl<'a> Ctx<'a> {
    fn new(p: &'a Prepared, cfg: &'a BuildConfig) -> Result<Ctx<'a>> {
        let n = p.study.areas.len();
        // Atoms: each LSOA, except lock groups contracted to one atom.
        let mut lock_groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, name) in &cfg.locks {
            lock_groups.entry(name.as_str()).or_default().push(*i);
        }
        let mut atom_of = vec![usize::MAX; n];
        let mut atoms: Vec<Vec<usize>> = Vec::new();
        let mut locked = Vec::new();
        for (name, members) in &lock_groups {
            if !p.graph.is_connected(members) {
                return Err(Error::infeasible(
                    format!("the LSOAs locked to \"{name}\" are not contiguous, so no contiguous footprint can hold them"),
                    "lock a connected set of LSOAs (add the LSOAs between them) or split the lock into two named footprints",
                ));
            }
            for &m in members {
                atom_of[m] = atoms.len();
            }
            atoms.push(members.clone());
            locked.push(true);
        }
        for (i, slot) in atom_of.iter_mut().enumerate() {
            if *slot == usize::MAX {
                *slot = atoms.len();
                atoms.push(vec![i]);
                locked.push(false);
            }
        }
        let na = atoms.len();
        // Groupings.
        let mut pcn_ids: BTreeMap<String, u32> = BTreeMap::new();
        let mut comm_ids: BTreeMap<String, u32> = BTreeMap::new();
        let mut ex_ids: BTreeMap<String, u32> = BTreeMap::new();
        let id = |m: &mut BTreeMap<String, u32>, k: &str| {
            let l = m.len() as u32;
            *m.entry(k.to_string()).or_insert(l)
        };
        let mut pcn = Grouping { masses: vec![Vec::new(); na] };
        let mut comm = Grouping { masses: vec![Vec::new(); na] };
        let mut ex = Grouping { masses: vec![Vec::new(); na] };
        let mut pcn_major: Vec<Option<String>> = vec![None; na];
        let mut comm_major: Vec<Option<String>> = vec![None; na];
        for (ai, members) in atoms.iter().enumerate() {
            for &i in members {
                let a = &p.study.areas[i];
                for (pcn_id, m) in p.study.pcn_mass(i) {
                    let g = id(&mut pcn_ids, &p.study.pcn_named(pcn_id).code);
                    pcn.masses[ai].push((g, m));
                }
                if let Some(c) = cfg.community.as_deref().and_then(|c| community_key(p, c, i)) {
                    let g = id(&mut comm_ids, &c);
                    comm.masses[ai].push((g, a.pop as f64));
                    comm_major[ai] = Some(c);
                }
                if let Some(e) = &cfg.existing {
                    let g = id(&mut ex_ids, &e[i]);
                    ex.masses[ai].push((g, a.pop as f64));
                }
                pcn_major[ai] = p.study.pcn(i).map(|n| n.code.clone());
            }
        }
        // Atom graph with surcharges that make spanning trees cross PCN/community borders last.
        let mut adj_map: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); na];
        for e in &p.graph.edges {
            let (x, y) = (atom_of[e.a], atom_of[e.b]);
            if x != y {
                *adj_map[x].entry(y).or_default() += e.shared_m;
                *adj_map[y].entry(x).or_default() += e.shared_m;
            }
        }
        let w = &cfg.weights;
        let adj = adj_map
            .iter()
            .enumerate()
            .map(|(x, m)| {
                m.iter()
                    .map(|(&y, &s)| {
                        let mut sur = 0.0;
                        if w.pcn > 0.0 && pcn_major[x] != pcn_major[y] {
                            sur += 1.0;
                        }
                        if w.community > 0.0 && comm_major[x].is_some() && comm_major[x] != comm_major[y] {
                            sur += 0.5;
                        }
                        (y, s, sur)
                    })
                    .collect()
            })
            .collect();
        let pop = atoms.iter().map(|m| m.iter().map(|&i| p.study.areas[i].pop as f64).sum()).collect();
        let g = LGraph { pop, adj, locked };
        let mut ctx = Ctx {
            p,
            cfg,
            atom_of,
            atoms,
            g,
            obj: ObjCtx { pcn, community: comm, existing: ex, weights: cfg.weights.clone(), ideal: cfg.snp_target },
            snp_units: Vec::new(),
            mnp_units: Vec::new(),
            warnings: Vec::new(),
        };
        ctx.make_units()?;
        Ok(ctx)
    }

    fn make_units(&mut self) -> Result<()> {
        let p = self.p;
        let all: Vec<usize> = (0..self.atoms.len()).collect();
        // MNP units = connected pieces of the MNP layer; SNP units = connected pieces of (MNP key, SNP key).
        let mkey: Vec<String> = (0..self.atoms.len()).map(|a| self.cfg.mnp_layer.key(p, self.atoms[a][0])).collect();
        let skey: Vec<String> = (0..self.atoms.len()).map(|a| self.cfg.snp_layer.key(p, self.atoms[a][0])).collect();
        for (ai, members) in self.atoms.iter().enumerate() {
            for &i in members {
                if self.cfg.mnp_layer.key(p, i) != mkey[ai] || self.cfg.snp_layer.key(p, i) != skey[ai] {
                    return Err(Error::infeasible(
                        format!(
                            "a lock puts {} and {} in one footprint, but they lie in different boundary units",
                            p.study.areas[members[0]].code, p.study.areas[i].code
                        ),
                        "locks must lie inside one LAD and one unit of the MNP layer; split the lock",
                    ));
                }
            }
        }
        let mut by_m: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for &a in &all {
            by_m.entry(&mkey[a]).or_default().push(a);
        }
        for (mk, atoms) in by_m {
            let comps = partition::components(&self.g, &atoms);
            if comps.len() > 1 {
                self.warnings.push(format!(
                    "MNP boundary unit \"{mk}\" is in {} disconnected pieces; each piece is treated as its own unit",
                    comps.len()
                ));
            }
            for (ci, comp) in comps.into_iter().enumerate() {
                let label = if ci == 0 { mk.to_string() } else { format!("{mk} (piece {})", ci + 1) };
                let mi = self.mnp_units.len();
                let mut members = Vec::new();
                let mut by_s: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
                for &a in &comp {
                    by_s.entry(&skey[a]).or_default().push(a);
                }
                for (sk, satoms) in by_s {
                    let scomps = partition::components(&self.g, &satoms);
                    if scomps.len() > 1 {
                        self.warnings.push(format!("SNP boundary unit \"{sk}\" within \"{label}\" is in {} disconnected pieces; each is treated separately", scomps.len()));
                    }
                    for sc in scomps {
                        members.push(self.snp_units.len());
                        self.snp_units.push((mi, sk.to_string(), sc));
                    }
                }
                self.mnp_units.push((label, members));
            }
        }
        Ok(())
    }

    fn unit_pop(&self, atoms: &[usize]) -> f64 {
        atoms.iter().map(|&a| self.g.pop[a]).sum()
    }

    /// Bounds for `k` parts of a unit of population `pop` around `target`.
    fn bounds(
        &self,
        pop: f64,
        k: usize,
        target: f64,
        what: &str,
        unit: &str,
        warnings: &mut Vec<String>,
    ) -> Result<Bounds> {
        let tol = self.cfg.tolerance;
        let ideal = pop / k as f64;
        let mut b = Bounds { lo: target * (1.0 - tol), hi: target * (1.0 + tol) };
        if ideal < b.lo || ideal > b.hi {
            let dev = (ideal - target) / target * 100.0;
            let need = ((ideal - target).abs() / target * 100.0).ceil();
            let msg = format!(
                "{what} unit \"{unit}\" has {} people: {k} {what}(s) of {:.0} ({dev:+.1}% from the {:.0} target) is the nearest fit, outside ±{:.0}%",
                pop.round(),
                ideal,
                target,
                tol * 100.0
            );
            if self.cfg.strict {
                return Err(Error::infeasible(
                    msg,
                    format!("a tolerance of ±{need:.0}% (--tolerance {:.2}), a {what} target near {:.0}, or a different boundary layer would work", need / 100.0, ideal),
                ));
            }
            warnings.push(format!("{msg}; using the nearest fit"));
            b = Bounds { lo: b.lo.min(ideal * (1.0 - tol / 2.0)), hi: b.hi.max(ideal * (1.0 + tol / 2.0)) };
        }
        Ok(b)
    }

    /// One full run: SNPs per unit, MNP grouping, ReCom improvement. Returns plan and proposals.
    fn run(&self, seed: u64) -> Result<(Plan, Vec<String>, usize)> {
        let mut warnings = Vec::new();
        let mut snp_of_atom = vec![usize::MAX; self.atoms.len()];
        let mut mnp_of_snp: Vec<usize> = Vec::new();
        let mut next_mnp = 0;
        let mut proposals = 0;
        for (mi, (mlabel, sunits)) in self.mnp_units.iter().enumerate() {
            let mpop: f64 = sunits.iter().map(|&s| self.unit_pop(&self.snp_units[s].2)).sum();
            let (km, _) = fit_count(mpop, self.cfg.mnp_target, self.cfg.tolerance);
            let mb = self.bounds(mpop, km, self.cfg.mnp_target, "MNP", mlabel, &mut warnings)?;
            // Per SNP unit: count and bounds.
            let mut specs = Vec::new();
            for &s in sunits {
                let atoms = &self.snp_units[s].2;
                let pop = self.unit_pop(atoms);
                let (k, _) = fit_count(pop, self.cfg.snp_target, self.cfg.tolerance);
                let locks = atoms.iter().filter(|&&a| self.g.locked[a]).count();
                let k = k.max(locks);
                let b = self.bounds(
                    pop,
                    k,
                    self.cfg.snp_target,
                    "SNP",
                    &format!("{} in {mlabel}", self.snp_units[s].1),
                    &mut warnings,
                )?;
                specs.push((s, k, b));
            }
            let mut grouped = None;
            let mut relax = 1.0;
            for attempt in 0..30u64 {
                let parts: Vec<(usize, Vec<Vec<usize>>)> = specs
                    .par_iter()
                    .map(|&(s, k, b)| {
                        let mut rng = ChaCha8Rng::seed_from_u64(
                            seed ^ (s as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                                ^ attempt.wrapping_mul(0xBF58_476D_1CE4_E5B9),
                        );
                        let atoms = &self.snp_units[s].2;
                        // Widen the bounds step by step; give up (no hang) once they are 50× wider.
                        let mut widen = 1.0;
                        while widen <= 50.0 {
                            let bb = Bounds { lo: b.lo / widen, hi: b.hi * widen };
                            if let Some(p) = tree_partition(&self.g, atoms, k, bb, &mut rng, 300) {
                                return Ok((s, p, widen));
                            }
                            widen *= 1.05;
                        }
                        Err(Error::infeasible(
                            format!("SNP unit \"{}\" cannot be split into {k} contiguous footprints", self.snp_units[s].1),
                            "remove locks that force the split, or use a coarser SNP boundary layer",
                        ))
                    })
                    .collect::<Result<Vec<_>>>()?
                    .into_iter()
                    .map(|(s, p, widen)| {
                        if widen > 1.0 && attempt == 0 {
                            warnings.push(format!(
                                "SNP unit \"{}\": no contiguous split into {} within the bounds was found; bounds widened by {:.0}%",
                                self.snp_units[s].1,
                                p.len(),
                                (widen - 1.0) * 100.0
                            ));
                        }
                        (s, p)
                    })
                    .collect();
                // Group the SNPs of this MNP unit into `km` MNPs.
                let snps: Vec<(usize, Vec<usize>)> =
                    parts.iter().flat_map(|(s, ps)| ps.iter().map(move |p| (*s, p.clone()))).collect();
                let sg = self.snp_graph(&snps);
                let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(mi as u64 * 7919 + attempt));
                let bb = Bounds { lo: mb.lo / relax, hi: mb.hi * relax };
                let nodes: Vec<usize> = (0..snps.len()).collect();
                if let Some(groups) = tree_partition(&sg, &nodes, km, bb, &mut rng, 400) {
                    grouped = Some((snps, groups));
                    break;
                }
                if attempt >= 20 {
                    relax *= 1.05;
                }
            }
            let Some((snps, groups)) = grouped else {
                return Err(Error::infeasible(
                    format!("no contiguous grouping of the SNPs of \"{mlabel}\" into {km} MNP(s) within tolerance was found"),
                    "widen the tolerance, change the MNP target, or use a coarser MNP boundary layer (e.g. --mnp-layer none)",
                ));
            };
            if relax > 1.0 {
                warnings.push(format!(
                    "MNP unit \"{mlabel}\": tolerance relaxed by {:.0}% to find a contiguous grouping",
                    (relax - 1.0) * 100.0
                ));
            }
            // Improve SNPs with ReCom inside each (MNP, SNP unit) cell.
            for group in groups {
                let mut cells: BTreeMap<usize, Vec<Vec<usize>>> = BTreeMap::new();
                for &si in &group {
                    cells.entry(snps[si].0).or_default().push(snps[si].1.clone());
                }
                let improved: Vec<(Vec<Vec<usize>>, usize)> = cells
                    .into_par_iter()
                    .map(|(s, parts)| {
                        let b = specs.iter().find(|x| x.0 == s).map(|x| x.2).unwrap();
                        let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xD1B5_4A32_D192_ED03 ^ (s as u64 * 31 + 17));
                        self.improve(parts, b, &mut rng)
                    })
                    .collect();
                for (parts, props) in improved {
                    proposals += props;
                    for part in parts {
                        let id = mnp_of_snp.len();
                        for a in part {
                            snp_of_atom[a] = id;
                        }
                        mnp_of_snp.push(next_mnp);
                    }
                }
                next_mnp += 1;
            }
        }
        let snp_of = (0..self.p.study.areas.len()).map(|i| snp_of_atom[self.atom_of[i]]).collect();
        Ok((Plan { snp_of, mnp_of_snp }.canonical(), warnings, proposals))
    }

    fn snp_graph(&self, snps: &[(usize, Vec<usize>)]) -> LGraph {
        let mut of = vec![usize::MAX; self.atoms.len()];
        for (i, (_, atoms)) in snps.iter().enumerate() {
            for &a in atoms {
                of[a] = i;
            }
        }
        let mut adj: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); snps.len()];
        for (i, (_, atoms)) in snps.iter().enumerate() {
            for &a in atoms {
                for &(b, s, _) in &self.g.adj[a] {
                    let j = of[b];
                    if j != usize::MAX && j != i {
                        *adj[i].entry(j).or_default() += s;
                    }
                }
            }
        }
        LGraph {
            pop: snps.iter().map(|(_, a)| self.unit_pop(a)).collect(),
            adj: adj.into_iter().map(|m| m.into_iter().map(|(j, s)| (j, s, 0.0)).collect()).collect(),
            locked: vec![false; snps.len()],
        }
    }

    /// ReCom with annealing inside one cell; returns the best parts and proposals made.
    fn improve(&self, mut parts: Vec<Vec<usize>>, b: Bounds, rng: &mut ChaCha8Rng) -> (Vec<Vec<usize>>, usize) {
        let k = parts.len();
        if k < 2 {
            return (parts, 0);
        }
        let steps = self.cfg.steps_per_snp * k;
        let mut obj = self.obj.clone();
        obj.ideal = parts.iter().map(|p| self.unit_pop(p)).sum::<f64>() / k as f64;
        let mut cur = obj.value(&obj.components(&self.g, &parts));
        let (mut best, mut best_val) = (parts.clone(), cur);
        let t0 = (cur.abs() * 0.002).max(1.0);
        // Labels are kept up to date in place; a rejected proposal is undone.
        let mut label: rustc_hash::FxHashMap<usize, usize> = rustc_hash::FxHashMap::default();
        for (d, p) in parts.iter().enumerate() {
            for &a in p {
                label.insert(a, d);
            }
        }
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for step in 0..steps {
            pairs.clear();
            for (d, p) in parts.iter().enumerate() {
                for &a in p {
                    for &(bn, _, _) in &self.g.adj[a] {
                        if let Some(&db) = label.get(&bn) {
                            if d < db {
                                pairs.push((d, db));
                            }
                        }
                    }
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            if pairs.is_empty() {
                break;
            }
            let (d1, d2) = pairs[rng.random_range(0..pairs.len())];
            let merged: Vec<usize> = parts[d1].iter().chain(parts[d2].iter()).copied().collect();
            let Some(mut split) = tree_partition(&self.g, &merged, 2, b, rng, 8) else {
                continue;
            };
            let new2 = split.pop().unwrap_or_default();
            let new1 = split.pop().unwrap_or_default();
            let old1 = std::mem::replace(&mut parts[d1], new1);
            let old2 = std::mem::replace(&mut parts[d2], new2);
            let relabel = |label: &mut rustc_hash::FxHashMap<usize, usize>, parts: &[Vec<usize>]| {
                for &a in &parts[d1] {
                    label.insert(a, d1);
                }
                for &a in &parts[d2] {
                    label.insert(a, d2);
                }
            };
            relabel(&mut label, &parts);
            let v = obj.value(&obj.components_labelled(&self.g, &parts, &label));
            let temp = t0 * (1.0 - step as f64 / steps as f64).max(0.0) + 1e-9;
            if v <= cur || rng.random::<f64>() < (-(v - cur) / temp).exp() {
                cur = v;
                if v < best_val {
                    best_val = v;
                    best = parts.clone();
                }
            } else {
                parts[d1] = old1;
                parts[d2] = old2;
                relabel(&mut label, &parts);
            }
        }
        for p in &mut best {
            p.sort();
        }
        best.sort();
        (best, steps)
    }

    /// Components and metrics of a whole plan.
    fn metrics(&self, plan: &Plan) -> PlanMetrics {
        let mut parts: Vec<Vec<usize>> = vec![Vec::new(); plan.n_snp()];
        for (a, members) in self.atoms.iter().enumerate() {
            parts[plan.snp_of[members[0]]].push(a);
        }
        let mut obj = self.obj.clone();
        obj.ideal = self.cfg.snp_target;
        let c = obj.components(&self.g, &parts);
        let snp_pop: Vec<f64> = parts.iter().map(|x| self.unit_pop(x)).collect();
        let mut mnp_pop = vec![0.0; plan.n_mnp()];
        for (s, &m) in plan.mnp_of_snp.iter().enumerate() {
            mnp_pop[m] += snp_pop[s];
        }
        let dev = |x: f64, t: f64| (x - t) / t * 100.0;
        let tol = self.cfg.tolerance * 100.0 + 1e-9;
        // PCN split share and split count.
        let mut label = vec![0usize; self.atoms.len()];
        for (d, part) in parts.iter().enumerate() {
            for &a in part {
                label[a] = d;
            }
        }
        let mut per: BTreeMap<u32, BTreeMap<usize, f64>> = BTreeMap::new();
        for (a, ms) in self.obj.pcn.masses.iter().enumerate() {
            for &(g, m) in ms {
                *per.entry(g).or_default().entry(label[a]).or_default() += m;
            }
        }
        let total_pcn: f64 = per.values().flat_map(|m| m.values()).sum();
        let pcns_split = per
            .values()
            .filter(|m| {
                let t: f64 = m.values().sum();
                let mx = m.values().cloned().fold(0.0, f64::max);
                t > 0.0 && (t - mx) / t >= 0.01
            })
            .count();
        PlanMetrics {
            snps: plan.n_snp(),
            mnps: plan.n_mnp(),
            objective: obj.value(&c),
            pcn_split_share: if total_pcn > 0.0 { c.pcn_split / total_pcn } else { 0.0 },
            pcns_split,
            snp_max_dev_pct: snp_pop.iter().map(|&x| dev(x, self.cfg.snp_target).abs()).fold(0.0, f64::max),
            mnp_max_dev_pct: mnp_pop.iter().map(|&x| dev(x, self.cfg.mnp_target).abs()).fold(0.0, f64::max),
            snps_outside_tolerance: snp_pop.iter().filter(|&&x| dev(x, self.cfg.snp_target).abs() > tol).count(),
            mnps_outside_tolerance: mnp_pop.iter().filter(|&&x| dev(x, self.cfg.mnp_target).abs() > tol).count(),
            components: c,
        }
    }
}

/// Share of population that changes SNP between two plans: 1 − Σ_a max_b |a ∩ b| / total,
/// averaged over both directions.
pub fn moved_share(p: &Prepared, a: &Plan, b: &Plan) -> f64 {
    let total: f64 = p.study.areas.iter().map(|x| x.pop as f64).sum();
    let dir = |x: &Plan, y: &Plan| {
        let mut ov: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for (i, ar) in p.study.areas.iter().enumerate() {
            *ov.entry((x.snp_of[i], y.snp_of[i])).or_default() += ar.pop as f64;
        }
        let mut best: BTreeMap<usize, f64> = BTreeMap::new();
        for ((s, _), v) in ov {
            let e = best.entry(s).or_default();
            *e = e.max(v);
        }
        1.0 - best.values().sum::<f64>() / total
    };
    (dir(a, b) + dir(b, a)) / 2.0
}

/// Build options and baselines.
pub fn build(p: &Prepared, cfg: &BuildConfig) -> Result<BuildResult> {
    let ctx = Ctx::new(p, cfg)?;
    let mut warnings = ctx.warnings.clone();
    let runs = if cfg.options <= 1 { 1 } else { cfg.options * 3 };
    let bar = progress(runs as u64, "building candidate plans");
    let mut cands: Vec<(Plan, PlanMetrics, u64, usize)> = Vec::new();
    for r in 0..runs {
        let seed = cfg.seed.wrapping_add(r as u64 * 1_000_003);
        let (plan, w, props) = ctx.run(seed)?;
        if r == 0 {
            warnings.extend(w);
        }
        let m = ctx.metrics(&plan);
        cands.push((plan, m, seed, props));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let proposals = cands.iter().map(|c| c.3).sum();
    // Pareto filter on (PCN split, cut length, imbalance), then pick distinct good plans.
    let dominated = |i: usize| {
        let a = &cands[i].1.components;
        cands.iter().enumerate().any(|(j, c)| {
            let b = &c.1.components;
            j != i
                && b.pcn_split <= a.pcn_split
                && b.cut_km <= a.cut_km
                && b.imbalance <= a.imbalance
                && (b.pcn_split < a.pcn_split || b.cut_km < a.cut_km || b.imbalance < a.imbalance)
        })
    };
    let mut order: Vec<usize> = (0..cands.len()).collect();
    // Hard rule first (fewest footprints outside tolerance), then Pareto rank, then objective.
    let violations = |i: usize| cands[i].1.snps_outside_tolerance + cands[i].1.mnps_outside_tolerance;
    order.sort_by(|&x, &y| {
        violations(x)
            .cmp(&violations(y))
            .then(dominated(x).cmp(&dominated(y)))
            .then(cands[x].1.objective.total_cmp(&cands[y].1.objective))
            .then(x.cmp(&y))
    });
    let mut chosen: Vec<usize> = Vec::new();
    for &i in &order {
        if chosen.len() >= cfg.options {
            break;
        }
        if chosen.iter().any(|&j| cands[j].0 == cands[i].0 || moved_share(p, &cands[j].0, &cands[i].0) < 0.05) {
            continue;
        }
        chosen.push(i);
    }
    for &i in &order {
        if chosen.len() >= cfg.options {
            break;
        }
        if !chosen.contains(&i) && !chosen.iter().any(|&j| cands[j].0 == cands[i].0) {
            chosen.push(i);
        }
    }
    if chosen.len() < cfg.options {
        warnings.push(format!(
            "only {} distinct option(s) exist for these constraints (asked for {})",
            chosen.len(),
            cfg.options
        ));
    }
    let options: Vec<Built> = chosen
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let (plan, m, seed, props) = cands[i].clone();
            let (sn, mn) = names(p, &plan, &cfg.locks);
            Built {
                kind: "option".into(),
                label: format!("option-{}", k + 1),
                plan,
                snp_names: sn,
                mnp_names: mn,
                metrics: m,
                seed,
                proposals: props,
            }
        })
        .collect();
    let differences =
        options.iter().map(|a| options.iter().map(|b| moved_share(p, &a.plan, &b.plan)).collect()).collect();
    let mut baselines = Vec::new();
    let mut plans = Vec::new();
    if p.study.areas.iter().any(|a| a.pcn.is_some()) {
        plans.push(("pcn-baseline", ctx.pcn_baseline(cfg.seed)?));
    } else {
        warnings.push(
            "no PCN for any LSOA (no [practices] or [registrations] in the scenario): the PCN baseline is skipped"
                .into(),
        );
    }
    plans.push(("district-baseline", ctx.district_baseline(cfg.seed)?));
    for (kind, plan) in plans {
        let m = ctx.metrics(&plan);
        let (sn, mn) = names(p, &plan, &BTreeMap::new());
        baselines.push(Built {
            kind: kind.into(),
            label: kind.into(),
            plan,
            snp_names: sn,
            mnp_names: mn,
            metrics: m,
            seed: cfg.seed,
            proposals: 0,
        });
    }
    Ok(BuildResult { options, baselines, warnings, differences, runs, proposals })
}

impl Ctx<'_> {
    /// Group given SNP parts (per SNP unit) into MNPs, relaxing bounds if needed.
    fn group(&self, per_unit: Vec<(usize, Vec<Vec<usize>>)>, seed: u64) -> Plan {
        let mut snp_of_atom = vec![usize::MAX; self.atoms.len()];
        let mut mnp_of_snp = Vec::new();
        let mut next = 0;
        // usize::MAX marks pieces made without regard to the hard units (the PCN baseline): one MNP unit.
        let whole = vec![(String::from("all"), vec![usize::MAX])];
        let units = if per_unit.iter().all(|(s, _)| *s == usize::MAX) { &whole } else { &self.mnp_units };
        for (mi, (_, sunits)) in units.iter().enumerate() {
            let snps: Vec<(usize, Vec<usize>)> = per_unit
                .iter()
                .filter(|(s, _)| sunits.contains(s))
                .flat_map(|(s, ps)| ps.iter().map(move |p| (*s, p.clone())))
                .collect();
            let mpop: f64 = snps.iter().map(|(_, a)| self.unit_pop(a)).sum();
            let (km, _) = fit_count(mpop, self.cfg.mnp_target, self.cfg.tolerance);
            let sg = self.snp_graph(&snps);
            let nodes: Vec<usize> = (0..snps.len()).collect();
            let km = km.min(snps.len()).max(1);
            let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(mi as u64));
            let ideal = mpop / km as f64;
            let mut widen = 1.0;
            let groups = loop {
                let b = Bounds {
                    lo: (self.cfg.mnp_target.min(ideal) * (1.0 - self.cfg.tolerance)) / widen,
                    hi: (self.cfg.mnp_target.max(ideal) * (1.0 + self.cfg.tolerance)) * widen,
                };
                if let Some(g) = tree_partition(&sg, &nodes, km, b, &mut rng, 200) {
                    break g;
                }
                widen *= 1.1;
                if widen > 50.0 {
                    break vec![nodes.clone()];
                }
            };
            for grp in groups {
                for si in grp {
                    let id = mnp_of_snp.len();
                    for &a in &snps[si].1 {
                        snp_of_atom[a] = id;
                    }
                    mnp_of_snp.push(next);
                }
                next += 1;
            }
        }
        let snp_of = (0..self.p.study.areas.len()).map(|i| snp_of_atom[self.atom_of[i]]).collect();
        Plan { snp_of, mnp_of_snp }.canonical()
    }

    /// PCN catchments (majority PCN of each LSOA) over the whole study area, kept whole (a catchment
    /// with exclaves gives a non-contiguous footprint), the smallest merged into their smallest
    /// neighbour until at the lower tolerance.
    fn pcn_baseline(&self, seed: u64) -> Result<Plan> {
        let lo = self.cfg.snp_target * (1.0 - self.cfg.tolerance);
        let mut per_unit = Vec::new();
        // PCN catchments ignore the hard units by design; their LAD splits are what scoring reports.
        let all_atoms: Vec<usize> = (0..self.atoms.len()).collect();
        for (s, atoms) in [(usize::MAX, &all_atoms)] {
            let pcn_of = |a: usize| self.p.study.pcn(self.atoms[a][0]).map(|n| n.code.clone()).unwrap_or_default();
            let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for &a in atoms {
                by.entry(pcn_of(a)).or_default().push(a);
            }
            // Whole catchments, exclaves included, so that every PCN lies in one footprint by construction.
            let mut pieces: Vec<Vec<usize>> = by.into_values().collect();
            loop {
                if pieces.len() < 2 {
                    break;
                }
                let pops: Vec<f64> = pieces.iter().map(|p| self.unit_pop(p)).collect();
                let Some(small) = (0..pieces.len())
                    .filter(|&i| pops[i] < lo)
                    .min_by(|&x, &y| pops[x].total_cmp(&pops[y]).then(x.cmp(&y)))
                else {
                    break;
                };
                let set: BTreeSet<usize> = pieces[small].iter().copied().collect();
                let nb = (0..pieces.len())
                    .filter(|&j| {
                        j != small && pieces[j].iter().any(|&a| self.g.adj[a].iter().any(|(b, _, _)| set.contains(b)))
                    })
                    .min_by(|&x, &y| pops[x].total_cmp(&pops[y]).then(x.cmp(&y)));
                let Some(nb) = nb else { break };
                let moved = std::mem::take(&mut pieces[small]);
                pieces[nb].extend(moved);
                pieces.remove(small);
            }
            per_unit.push((s, pieces));
        }
        Ok(self.group(per_unit, seed))
    }

    /// One SNP per SNP unit (districts by default).
    fn district_baseline(&self, seed: u64) -> Result<Plan> {
        let per_unit = self.snp_units.iter().enumerate().map(|(s, (_, _, atoms))| (s, vec![atoms.clone()])).collect();
        Ok(self.group(per_unit, seed))
    }
}

fn progress(n: u64, msg: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(n);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(msg.to_string());
    bar
}

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            if w.len() <= 3 && w.chars().all(|c| c.is_ascii_uppercase()) && w == "PCN" {
                return w.to_string();
            }
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Names people would use: SNPs after their most populous ward (or community, PCN or MSOA
/// stem), MNPs after their main districts; locks name their footprint.
pub fn names(p: &Prepared, plan: &Plan, locks: &BTreeMap<usize, String>) -> (Vec<String>, Vec<String>) {
    let areas = &p.study.areas;
    let mut ranked: Vec<Vec<(String, f64)>> = vec![Vec::new(); plan.n_snp()];
    let mut tmp: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); plan.n_snp()];
    for (i, a) in areas.iter().enumerate() {
        let key = match (p.study.ward(i), p.study.pcn(i)) {
            (Some(w), _) => w.name.clone(),
            (None, Some(pc)) => title_case(&pc.name.replace(" PCN", "")),
            _ => a.name.rsplit_once(' ').map(|x| x.0.to_string()).unwrap_or_else(|| a.name.clone()),
        };
        *tmp[plan.snp_of[i]].entry(key).or_default() += a.pop as f64;
    }
    for (s, m) in tmp.into_iter().enumerate() {
        let mut v: Vec<(String, f64)> = m.into_iter().collect();
        v.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        ranked[s] = v;
    }
    let mut snp: Vec<String> = ranked.iter().map(|r| r.first().map(|x| x.0.clone()).unwrap_or_default()).collect();
    for (i, name) in locks {
        snp[plan.snp_of[*i]] = name.clone();
    }
    dedupe(&mut snp, |s| ranked[s].get(1).map(|x| format!("{} & {}", ranked[s][0].0, x.0)));
    // MNPs: districts with ≥ 25% of the population.
    let mut lad_pop: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); plan.n_mnp()];
    let mut top_snp: Vec<(f64, usize)> = vec![(0.0, 0); plan.n_mnp()];
    let mut snp_pop = vec![0.0; plan.n_snp()];
    for (i, a) in areas.iter().enumerate() {
        *lad_pop[plan.mnp_of(i)].entry(p.study.lad(i).name.clone()).or_default() += a.pop as f64;
        snp_pop[plan.snp_of[i]] += a.pop as f64;
    }
    for (s, &m) in plan.mnp_of_snp.iter().enumerate() {
        if snp_pop[s] > top_snp[m].0 {
            top_snp[m] = (snp_pop[s], s);
        }
    }
    let mut mnp: Vec<String> = lad_pop
        .iter()
        .map(|m| {
            let total: f64 = m.values().sum();
            let mut v: Vec<(&String, &f64)> = m.iter().collect();
            v.sort_by(|x, y| y.1.total_cmp(x.1).then(x.0.cmp(y.0)));
            let main: Vec<String> = v.iter().filter(|x| *x.1 >= 0.25 * total).take(2).map(|x| x.0.clone()).collect();
            if main.is_empty() {
                v[0].0.clone()
            } else {
                main.join(" & ")
            }
        })
        .collect();
    dedupe(&mut mnp, |m| {
        Some(format!("{} – {}", lad_pop[m].keys().next().cloned().unwrap_or_default(), snp[top_snp[m].1]))
    });
    let base = mnp.clone();
    for (m, name) in mnp.iter_mut().enumerate() {
        if base.iter().filter(|x| *x == &base[m]).count() > 1 || name.contains(" – ") {
            *name = format!("{} – {}", base[m].split(" – ").next().unwrap_or(""), snp[top_snp[m].1]);
        }
    }
    (snp, mnp)
}

fn dedupe(names: &mut [String], alt: impl Fn(usize) -> Option<String>) {
    let counts = |names: &[String], n: &str| names.iter().filter(|x| x.as_str() == n).count();
    for i in 0..names.len() {
        if counts(names, &names[i]) > 1 {
            if let Some(a) = alt(i) {
                names[i] = a;
            }
        }
    }
    for i in 0..names.len() {
        let mut k = 2;
        let base = names[i].clone();
        while names.iter().enumerate().any(|(j, x)| j != i && *x == names[i]) {
            names[i] = format!("{base} ({k})");
            k += 1;
        }
    }
}
