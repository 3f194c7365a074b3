//! What a build works on: atoms (LSOAs, with each lock group and each town in a hard unit
//! contracted to one atom), the atom
//! graph, the objective's groupings, the hard units (MNP units, and SNP units inside them), and
//! the count and population bounds of footprints per unit (relaxed to the nearest fit, with a
//! warning, when no count meets the tolerance).

use super::constraint::Bounds;
use super::graph::{LGraph, Nb};
use super::objective::{GroupMass, Grouping, Groupings};
use super::BuildConfig;
use crate::error::{Error, Result};
use crate::prepare::Prepared;
use std::collections::BTreeMap;

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

/// A connected piece of one unit of the SNP layer inside one MNP unit.
#[derive(Debug, Clone)]
pub(crate) struct SnpUnit {
    /// Unit key in the SNP layer.
    pub key: String,
    /// Its atoms, sorted.
    pub atoms: Vec<usize>,
}

/// A connected piece of one unit of the MNP layer.
#[derive(Debug, Clone)]
pub(crate) struct MnpUnit {
    /// Key, with "(piece N)" for pieces after the first.
    pub label: String,
    /// Its SNP units (indices into `Setup::snp_units`).
    pub snp_units: Vec<usize>,
}

/// Everything a build run needs, made once from the inputs and the configuration.
pub(crate) struct Setup<'a> {
    pub p: &'a Prepared,
    pub cfg: &'a BuildConfig,
    /// LSOA → atom.
    pub atom_of: Vec<usize>,
    /// Atom → LSOAs.
    pub atoms: Vec<Vec<usize>>,
    /// The atom graph.
    pub g: LGraph,
    /// Groupings per atom for the objective.
    pub groupings: Groupings,
    pub snp_units: Vec<SnpUnit>,
    pub mnp_units: Vec<MnpUnit>,
    pub warnings: Vec<String>,
}

fn community_key(p: &Prepared, col: &str, i: usize) -> Option<String> {
    let a = &p.study.areas[i];
    match col {
        "ward" => p.study.ward(i).map(|w| w.code.clone()),
        "lad" => Some(p.study.lad(i).code.clone()),
        c => a.props.get(c).cloned(),
    }
}

/// LSOAs contracted to atoms.
struct Atoms {
    /// LSOA → atom.
    of: Vec<usize>,
    /// Atom → LSOAs.
    members: Vec<Vec<usize>>,
    /// Atom is a lock group.
    locked: Vec<bool>,
}

/// Atoms: each lock group (which must be contiguous) becomes one atom; then, with `whole_towns`
/// and `[places]`, each town's LSOAs inside one hard unit ([`town_blocks`]); every other LSOA one
/// atom each.
fn contract(p: &Prepared, cfg: &BuildConfig, extra: &[Vec<usize>]) -> Result<Atoms> {
    let mut lock_groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, name) in &cfg.locks {
        lock_groups.entry(name.as_str()).or_default().push(*i);
    }
    let mut atom_of = vec![usize::MAX; p.study.areas.len()];
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
    for block in merge_blocks(town_blocks(p, cfg, &atom_of), extra, &atom_of) {
        for &m in &block {
            atom_of[m] = atoms.len();
        }
        atoms.push(block);
        locked.push(false);
    }
    for (i, slot) in atom_of.iter_mut().enumerate() {
        if *slot == usize::MAX {
            *slot = atoms.len();
            atoms.push(vec![i]);
            locked.push(false);
        }
    }
    Ok(Atoms { of: atom_of, members: atoms, locked })
}

/// Town blocks and `extra` groups of LSOAs (whole PCN catchments), merged where they share an LSOA;
/// locked LSOAs are left out of `extra`. Groups of one LSOA are dropped.
fn merge_blocks(towns: Vec<Vec<usize>>, extra: &[Vec<usize>], taken: &[usize]) -> Vec<Vec<usize>> {
    if extra.is_empty() {
        return towns;
    }
    let mut dsu = crate::graph::Dsu::new(taken.len());
    let mut touched = vec![false; taken.len()];
    for g in towns.iter().chain(extra) {
        let free: Vec<usize> = g.iter().copied().filter(|&i| taken[i] == usize::MAX).collect();
        for w in free.windows(2) {
            dsu.union(w[0], w[1]);
        }
        free.iter().for_each(|&i| touched[i] = true);
    }
    let mut by: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for i in (0..taken.len()).filter(|&i| touched[i]) {
        by.entry(dsu.find(i)).or_default().push(i);
    }
    by.into_values().filter(|b| b.len() > 1).collect()
}

/// Building blocks that keep towns whole: the LSOAs of each town or city (not village groups)
/// inside one unit of the SNP layer and one of the MNP layer, not locked, taken per connected
/// piece. A piece that fits in one SNP (population ≤ target × (1 + tolerance)) is one block; a
/// larger one is divided along MSOA lines, each MSOA's share (per connected piece) one block.
/// Blocks of one LSOA are left out (an LSOA is an atom anyway).
pub(crate) fn town_blocks(p: &Prepared, cfg: &BuildConfig, taken: &[usize]) -> Vec<Vec<usize>> {
    if !cfg.whole_towns || !p.study.has_places() {
        return Vec::new();
    }
    let hi = cfg.snp_target * (1.0 + cfg.tolerance);
    let mut by: BTreeMap<(u32, String, String), Vec<usize>> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        let Some(pl) = a.place else { continue };
        if taken[i] != usize::MAX || !p.study.places[pl as usize].kind.is_town() {
            continue;
        }
        by.entry((pl, cfg.mnp_layer.key(p, i), cfg.snp_layer.key(p, i))).or_default().push(i);
    }
    let lsoa_components = |nodes: &[usize]| {
        let mut c = p.graph.components_of(nodes);
        c.iter_mut().for_each(|x| x.sort_unstable());
        c
    };
    let pop = |m: &[usize]| m.iter().map(|&i| p.study.areas[i].pop as f64).sum::<f64>();
    let mut blocks = Vec::new();
    for members in by.values() {
        for piece in lsoa_components(members) {
            if pop(&piece) <= hi {
                blocks.push(piece);
                continue;
            }
            let mut by_msoa: BTreeMap<Option<u32>, Vec<usize>> = BTreeMap::new();
            for &i in &piece {
                by_msoa.entry(p.study.areas[i].msoa).or_default().push(i);
            }
            for (msoa, m) in by_msoa {
                if msoa.is_some() {
                    blocks.extend(lsoa_components(&m));
                }
            }
        }
    }
    blocks.retain(|b| b.len() > 1);
    blocks
}

/// One grouping per atom from a key per LSOA and its mass; ids in order of first appearance.
fn grouping(atoms: &[Vec<usize>], mut keyed: impl FnMut(usize, &mut Vec<(String, f64)>)) -> Grouping {
    let mut ids: BTreeMap<String, u32> = BTreeMap::new();
    let mut buf = Vec::new();
    let masses = atoms
        .iter()
        .map(|members| {
            let mut out = Vec::new();
            for &i in members {
                buf.clear();
                keyed(i, &mut buf);
                for (key, mass) in buf.drain(..) {
                    let n = ids.len() as u32;
                    out.push(GroupMass { group: *ids.entry(key).or_insert(n), mass });
                }
            }
            out
        })
        .collect();
    Grouping { masses }
}

/// PCN (the PCN mass, [`crate::model::Study::pcn_mass`]), community and existing
/// footprint groupings per atom.
fn groupings(p: &Prepared, cfg: &BuildConfig, atoms: &[Vec<usize>]) -> Groupings {
    let areas = &p.study.areas;
    Groupings {
        pcn: grouping(atoms, |i, out| {
            let s = &p.study;
            out.extend(s.pcn_mass(i).into_iter().map(|(id, m)| (s.pcn_named(id).code.clone(), m)));
        }),
        community: grouping(atoms, |i, out| {
            if let Some(c) = cfg.community.as_deref().and_then(|c| community_key(p, c, i)) {
                out.push((c, areas[i].pop as f64));
            }
        }),
        existing: grouping(atoms, |i, out| {
            if let Some(e) = &cfg.existing {
                out.push((e[i].clone(), areas[i].pop as f64));
            }
        }),
    }
}

/// The atom graph: shared boundary summed between atoms, with surcharges that make spanning trees
/// cross PCN borders (+1) and community borders (+0.5) last. An atom's PCN and community are its
/// last LSOA's.
fn atom_graph(p: &Prepared, cfg: &BuildConfig, atom_of: &[usize], atoms: &[Vec<usize>], locked: Vec<bool>) -> LGraph {
    let na = atoms.len();
    let mut pcn_major: Vec<Option<String>> = vec![None; na];
    let mut comm_major: Vec<Option<String>> = vec![None; na];
    for (ai, members) in atoms.iter().enumerate() {
        for &i in members {
            if let Some(c) = cfg.community.as_deref().and_then(|c| community_key(p, c, i)) {
                comm_major[ai] = Some(c);
            }
            pcn_major[ai] = p.study.pcn(i).map(|n| n.code.clone());
        }
    }
    let mut adj_map: Vec<BTreeMap<usize, f64>> = vec![BTreeMap::new(); na];
    for e in &p.graph.edges {
        let (x, y) = (atom_of[e.a], atom_of[e.b]);
        if x != y {
            *adj_map[x].entry(y).or_default() += e.shared_m;
            *adj_map[y].entry(x).or_default() += e.shared_m;
        }
    }
    let w = &cfg.weights;
    let surcharge = |x: usize, y: usize| {
        let mut s = 0.0;
        if w.pcn > 0.0 && pcn_major[x] != pcn_major[y] {
            s += 1.0;
        }
        if w.community > 0.0 && comm_major[x].is_some() && comm_major[x] != comm_major[y] {
            s += 0.5;
        }
        s
    };
    let adj = adj_map
        .iter()
        .enumerate()
        .map(|(x, m)| {
            m.iter()
                .map(|(&y, &shared_m)| Nb {
                    node: y,
                    shared_m,
                    surcharge: surcharge(x, y),
                    back_surcharge: surcharge(y, x),
                })
                .collect()
        })
        .collect();
    let pop = atoms.iter().map(|m| m.iter().map(|&i| p.study.areas[i].pop as f64).sum()).collect();
    LGraph { pop, adj, locked }
}

impl<'a> Setup<'a> {
    pub fn new(p: &'a Prepared, cfg: &'a BuildConfig) -> Result<Setup<'a>> {
        Setup::with_blocks(p, cfg, &[])
    }

    /// As [`Setup::new`], with each group of LSOAs in `extra` (whole PCN catchments, each inside
    /// one hard unit) kept in one atom too, merged with the towns it touches.
    pub fn with_blocks(p: &'a Prepared, cfg: &'a BuildConfig, extra: &[Vec<usize>]) -> Result<Setup<'a>> {
        let Atoms { of: atom_of, members: atoms, locked } = contract(p, cfg, extra)?;
        let g = atom_graph(p, cfg, &atom_of, &atoms, locked);
        let groupings = groupings(p, cfg, &atoms);
        let mut setup = Setup {
            p,
            cfg,
            atom_of,
            atoms,
            g,
            groupings,
            snp_units: Vec::new(),
            mnp_units: Vec::new(),
            warnings: Vec::new(),
        };
        setup.check_locks_in_units()?;
        setup.make_units();
        Ok(setup)
    }

    fn keys(&self) -> (Vec<String>, Vec<String>) {
        let key = |layer: &super::Layer| self.atoms.iter().map(|m| layer.key(self.p, m[0])).collect();
        (key(&self.cfg.mnp_layer), key(&self.cfg.snp_layer))
    }

    fn check_locks_in_units(&self) -> Result<()> {
        let (mkey, skey) = self.keys();
        for (ai, members) in self.atoms.iter().enumerate() {
            for &i in members {
                if self.cfg.mnp_layer.key(self.p, i) != mkey[ai] || self.cfg.snp_layer.key(self.p, i) != skey[ai] {
                    return Err(Error::infeasible(
                        format!(
                            "a lock puts {} and {} in one footprint, but they lie in different boundary units",
                            self.p.study.areas[members[0]].code, self.p.study.areas[i].code
                        ),
                        "locks must lie inside one LAD and one unit of the MNP layer; split the lock",
                    ));
                }
            }
        }
        Ok(())
    }

    /// MNP units = connected pieces of the MNP layer; SNP units = connected pieces of (MNP key, SNP key).
    fn make_units(&mut self) {
        let (mkey, skey) = self.keys();
        let mut by_m: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (a, k) in mkey.iter().enumerate() {
            by_m.entry(k).or_default().push(a);
        }
        for (mk, atoms) in by_m {
            let comps = self.g.components(&atoms);
            if comps.len() > 1 {
                self.warnings.push(format!(
                    "MNP boundary unit \"{}\" is in {} disconnected pieces; each piece is treated as its own unit",
                    self.readable(mk),
                    comps.len()
                ));
            }
            for (ci, comp) in comps.into_iter().enumerate() {
                let label = if ci == 0 { mk.to_string() } else { format!("{mk} (piece {})", ci + 1) };
                let mut snp_units = Vec::new();
                let mut by_s: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
                for &a in &comp {
                    by_s.entry(&skey[a]).or_default().push(a);
                }
                for (sk, satoms) in by_s {
                    let scomps = self.g.components(&satoms);
                    if scomps.len() > 1 {
                        self.warnings.push(format!("SNP boundary unit \"{}\" within \"{}\" is in {} disconnected pieces; each is treated separately", self.readable(sk), self.readable(&label), scomps.len()));
                    }
                    for atoms in scomps {
                        snp_units.push(self.snp_units.len());
                        self.snp_units.push(SnpUnit { key: sk.to_string(), atoms });
                    }
                }
                self.mnp_units.push(MnpUnit { label, snp_units });
            }
        }
    }

    /// A unit label for messages: every district code in it followed by nothing but its code
    /// becomes "Name (code)" ("E06000006" → "Halton (E06000006)").
    pub fn readable(&self, unit: &str) -> String {
        let mut out = unit.to_string();
        for lad in &self.p.study.lads {
            if out.contains(lad.code.as_str()) && !out.contains(&lad.label()) {
                out = out.replace(lad.code.as_str(), &lad.label());
            }
        }
        out
    }

    /// Population of a set of atoms.
    pub fn pop(&self, atoms: &[usize]) -> f64 {
        atoms.iter().map(|&a| self.g.pop[a]).sum()
    }

    /// Refuse `k` footprints made from only `pieces` building blocks (LSOAs, or SNPs for an MNP):
    /// each footprint needs at least one, and a count that large also means the figures are wrong
    /// or the target far too small (it would otherwise keep the partitioner busy for hours).
    pub fn check_count(&self, k: usize, pieces: usize, pop: f64, what: &str, unit: &str) -> Result<()> {
        if k <= pieces {
            return Ok(());
        }
        let unit = self.readable(unit);
        let of = if what == "MNP" { "SNPs" } else { "LSOAs" };
        Err(Error::infeasible(
            format!(
                "{what} unit \"{unit}\" has {} people, which needs {} {what}s, but it has only {pieces} {of} to make them from",
                crate::fmt::fmt_int(pop.round() as u64),
                crate::fmt::fmt_int(k as u64)
            ),
            format!(
                "an {what} target of at least {} would fit; if the population looks wrong, check the population table (an LSOA has about 1,500 residents)",
                crate::fmt::fmt_int((pop / pieces.max(1) as f64).ceil() as u64)
            ),
        ))
    }

    /// Bounds for `k` parts of a unit of population `pop` around `target`: the tolerance, or, when
    /// the nearest fit lies outside it, widened to half the tolerance around the fit (with a warning;
    /// `--strict` stops instead and says what would work).
    pub fn bounds(
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
        let b = Bounds { lo: target * (1.0 - tol), hi: target * (1.0 + tol) };
        if ideal >= b.lo && ideal <= b.hi {
            return Ok(b);
        }
        let dev = (ideal - target) / target * 100.0;
        let need = ((ideal - target).abs() / target * 100.0).ceil();
        let unit = self.readable(unit);
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
        Ok(Bounds { lo: b.lo.min(ideal * (1.0 - tol / 2.0)), hi: b.hi.max(ideal * (1.0 + tol / 2.0)) })
    }
}

#[cfg(test)]
mod tests {
    use super::merge_blocks;

    #[test]
    fn catchments_merge_with_the_towns_they_touch_and_skip_locked_lsoas() {
        let free = vec![usize::MAX; 10];
        // Town {0,1} and catchment {1,2} share LSOA 1: one block; town {5,6} alone; catchment {7,8}.
        let b = merge_blocks(vec![vec![0, 1], vec![5, 6]], &[vec![1, 2], vec![7, 8]], &free);
        assert_eq!(b, vec![vec![0, 1, 2], vec![5, 6], vec![7, 8]]);
        // A locked LSOA (taken) is left out; a group of one left over is dropped.
        let mut taken = free.clone();
        taken[8] = 0;
        let b = merge_blocks(vec![], &[vec![7, 8], vec![3, 4]], &taken);
        assert_eq!(b, vec![vec![3, 4]]);
        // Without catchments the towns come back as they were.
        assert_eq!(merge_blocks(vec![vec![2, 3]], &[], &free), vec![vec![2, 3]]);
    }
}
