//! One candidate run: per MNP unit, seed SNPs in each SNP unit by tree bipartition (widening the
//! bounds step by step if needed), group them into MNPs (relaxing the MNP bounds after 20 failed
//! attempts), then improve the SNPs of each MNP with ReCom inside each SNP unit.

use super::constraint::Bounds;
use super::recom::Cell;
use super::seed::tree_partition;
use super::units::{fit_count, MnpUnit, Setup};
use super::Plan;
use crate::error::{Error, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use std::collections::BTreeMap;

/// The count and bounds of SNPs in one SNP unit.
#[derive(Debug, Clone, Copy)]
struct UnitSpec {
    unit: usize,
    k: usize,
    bounds: Bounds,
}

/// A seeded SNP: its SNP unit and atoms.
#[derive(Debug, Clone)]
pub(crate) struct SeedSnp {
    pub unit: usize,
    pub atoms: Vec<usize>,
}

/// What a run makes.
pub(crate) struct RunOutput {
    pub plan: Plan,
    /// Warnings per MNP unit.
    pub unit_warnings: Vec<Vec<String>>,
    /// Per MNP unit: its MNP bounds had to be relaxed to find a contiguous grouping.
    pub relaxed: Vec<bool>,
    pub proposals: usize,
}

impl RunOutput {
    /// All warnings, in unit order.
    pub fn warnings(&self) -> Vec<String> {
        self.unit_warnings.iter().flatten().cloned().collect()
    }
}

/// SNP ids per atom and MNP per SNP, filled MNP by MNP.
struct PlanBuilder {
    snp_of_atom: Vec<usize>,
    mnp_of_snp: Vec<usize>,
    next_mnp: usize,
}

impl PlanBuilder {
    /// Add one MNP made of `snps` (atom lists).
    fn push_mnp(&mut self, snps: impl IntoIterator<Item = Vec<usize>>) {
        for atoms in snps {
            let id = self.mnp_of_snp.len();
            for a in atoms {
                self.snp_of_atom[a] = id;
            }
            self.mnp_of_snp.push(self.next_mnp);
        }
        self.next_mnp += 1;
    }

    fn finish(self, s: &Setup) -> Plan {
        let snp_of = (0..s.p.study.areas.len()).map(|i| self.snp_of_atom[s.atom_of[i]]).collect();
        Plan { snp_of, mnp_of_snp: self.mnp_of_snp }.canonical()
    }
}

/// One MNP unit seeded and grouped: its SNPs, their MNP groups, and each SNP unit's bounds.
struct Grouped {
    snps: Vec<SeedSnp>,
    groups: Vec<Vec<usize>>,
    specs: Vec<UnitSpec>,
    mnp_bounds: Bounds,
    relaxed: bool,
    warnings: Vec<String>,
}

/// One ReCom chain to run: the SNPs of one MNP inside one SNP unit.
struct CellTask {
    /// Which MNP unit and which of its groups.
    unit: usize,
    group: usize,
    /// The SNP unit (it seeds the chain's random stream) and its SNPs.
    snp_unit: usize,
    parts: Vec<Vec<usize>>,
    bounds: Bounds,
}

impl Setup<'_> {
    /// One full run with `seed`: every MNP unit is seeded and grouped, then every cell's chain
    /// runs. Each unit and each chain has its own random stream, so both steps run in parallel
    /// and are collected in unit order: the result does not depend on the number of threads.
    pub fn run(&self, seed: u64) -> Result<RunOutput> {
        let grouped: Vec<Result<Grouped>> =
            self.mnp_units.par_iter().enumerate().map(|(mi, mu)| self.group_unit(mi, mu, seed)).collect();
        // The first failing unit in unit order (as a sequential run would report it).
        let grouped = grouped.into_iter().collect::<Result<Vec<Grouped>>>()?;
        let mut tasks = Vec::new();
        for (unit, gr) in grouped.iter().enumerate() {
            for (group, members) in gr.groups.iter().enumerate() {
                let mut cells: BTreeMap<usize, Vec<Vec<usize>>> = BTreeMap::new();
                for &si in members {
                    cells.entry(gr.snps[si].unit).or_default().push(gr.snps[si].atoms.clone());
                }
                for (snp_unit, parts) in cells {
                    let bounds = gr.specs.iter().find(|x| x.unit == snp_unit).map_or(gr.mnp_bounds, |x| x.bounds);
                    tasks.push(CellTask { unit, group, snp_unit, parts, bounds });
                }
            }
        }
        let improved: Vec<_> = tasks
            .into_par_iter()
            .map(|t| {
                let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xD1B5_4A32_D192_ED03 ^ (t.snp_unit as u64 * 31 + 17));
                ((t.unit, t.group), self.cell(t.bounds).improve(t.parts, &mut rng))
            })
            .collect();
        let mut out =
            PlanBuilder { snp_of_atom: vec![usize::MAX; self.atoms.len()], mnp_of_snp: Vec::new(), next_mnp: 0 };
        let mut proposals = 0;
        let mut i = 0;
        while i < improved.len() {
            // The cells of one MNP are adjacent in `improved`; together they make that MNP.
            let key = improved[i].0;
            let n = improved[i..].iter().take_while(|x| x.0 == key).count();
            proposals += improved[i..i + n].iter().map(|x| x.1.proposals).sum::<usize>();
            out.push_mnp(improved[i..i + n].iter().flat_map(|x| x.1.parts.iter().cloned()));
            i += n;
        }
        let relaxed = grouped.iter().map(|g| g.relaxed).collect();
        let unit_warnings = grouped.into_iter().map(|g| g.warnings).collect();
        Ok(RunOutput { plan: out.finish(self), unit_warnings, relaxed, proposals })
    }

    /// Bounds, SNP counts, seeded SNPs and their MNP groups for MNP unit `mi`.
    fn group_unit(&self, mi: usize, mu: &MnpUnit, seed: u64) -> Result<Grouped> {
        let mut warnings = Vec::new();
        let mpop: f64 = mu.snp_units.iter().map(|&s| self.pop(&self.snp_units[s].atoms)).sum();
        let (km, _) = fit_count(mpop, self.cfg.mnp_target, self.cfg.tolerance);
        let mnp_bounds = self.bounds(mpop, km, self.cfg.mnp_target, "MNP", &mu.label, &mut warnings)?;
        let specs = self.unit_specs(mu, &mut warnings)?;
        self.check_count(km, specs.iter().map(|x| x.k).sum(), mpop, "MNP", &mu.label)?;
        let (snps, groups, relaxed) = self.seed_and_group(mi, mu, &specs, km, mnp_bounds, seed, &mut warnings)?;
        Ok(Grouped { snps, groups, specs, mnp_bounds, relaxed, warnings })
    }

    fn cell(&self, bounds: Bounds) -> Cell<'_> {
        Cell {
            g: &self.g,
            groupings: &self.groupings,
            weights: &self.cfg.weights,
            bounds,
            steps_per_part: self.cfg.steps_per_snp,
        }
    }

    /// Per SNP unit of an MNP unit: how many SNPs (at least one per lock) and their bounds.
    fn unit_specs(&self, mu: &MnpUnit, warnings: &mut Vec<String>) -> Result<Vec<UnitSpec>> {
        mu.snp_units
            .iter()
            .map(|&unit| {
                let atoms = &self.snp_units[unit].atoms;
                let pop = self.pop(atoms);
                let (k, _) = fit_count(pop, self.cfg.snp_target, self.cfg.tolerance);
                let k = k.max(atoms.iter().filter(|&&a| self.g.locked[a]).count());
                let name = format!("{} in {}", self.snp_units[unit].key, mu.label);
                self.check_count(k, atoms.len(), pop, "SNP", &name)?;
                let bounds = self.bounds(pop, k, self.cfg.snp_target, "SNP", &name, warnings)?;
                Ok(UnitSpec { unit, k, bounds })
            })
            .collect()
    }

    /// Seed SNPs in every SNP unit and group them into `km` contiguous MNPs; up to 30 attempts,
    /// the MNP bounds relaxed by 5% per attempt after the 20th.
    #[allow(clippy::too_many_arguments)]
    fn seed_and_group(
        &self,
        mi: usize,
        mu: &MnpUnit,
        specs: &[UnitSpec],
        km: usize,
        mb: Bounds,
        seed: u64,
        warnings: &mut Vec<String>,
    ) -> Result<(Vec<SeedSnp>, Vec<Vec<usize>>, bool)> {
        let mut relax = 1.0;
        for attempt in 0..30u64 {
            let snps = self.seed_snps(specs, seed, attempt, warnings)?;
            let sg = self.g.quotient(snps.iter().map(|s| s.atoms.as_slice()));
            let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(mi as u64 * 7919 + attempt));
            let bb = Bounds { lo: mb.lo / relax, hi: mb.hi * relax };
            let nodes: Vec<usize> = (0..snps.len()).collect();
            if let Some(groups) = tree_partition(&sg, &nodes, km, bb, &mut rng, 400) {
                if relax > 1.0 {
                    warnings.push(format!(
                        "MNP unit \"{}\": tolerance relaxed by {:.0}% to find a contiguous grouping",
                        self.readable(&mu.label),
                        (relax - 1.0) * 100.0
                    ));
                }
                return Ok((snps, groups, relax > 1.0));
            }
            if attempt >= 20 {
                relax *= 1.05;
            }
        }
        Err(Error::infeasible(
            format!(
                "no contiguous grouping of the SNPs of \"{}\" into {km} MNP(s) within tolerance was found",
                self.readable(&mu.label)
            ),
            "widen the tolerance, change the MNP target, or use a coarser MNP boundary layer (e.g. --mnp-layer none)",
        ))
    }

    /// Seed the SNPs of every SNP unit (in parallel, one RNG stream per unit and attempt), widening
    /// a unit's bounds by 5% steps up to 50× when no split is found.
    fn seed_snps(
        &self,
        specs: &[UnitSpec],
        seed: u64,
        attempt: u64,
        warnings: &mut Vec<String>,
    ) -> Result<Vec<SeedSnp>> {
        let parts = specs
            .par_iter()
            .map(|spec| {
                let mut rng = ChaCha8Rng::seed_from_u64(
                    seed ^ (spec.unit as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
                        ^ attempt.wrapping_mul(0xBF58_476D_1CE4_E5B9),
                );
                let atoms = &self.snp_units[spec.unit].atoms;
                let mut widen = 1.0;
                while widen <= 50.0 {
                    let b = Bounds { lo: spec.bounds.lo / widen, hi: spec.bounds.hi * widen };
                    if let Some(p) = tree_partition(&self.g, atoms, spec.k, b, &mut rng, 300) {
                        return Ok((spec.unit, p, widen));
                    }
                    widen *= 1.05;
                }
                Err(Error::infeasible(
                    format!(
                        "SNP unit \"{}\" cannot be split into {} contiguous footprints",
                        self.readable(&self.snp_units[spec.unit].key),
                        spec.k
                    ),
                    "remove locks that force the split, or use a coarser SNP boundary layer",
                ))
            })
            .collect::<Result<Vec<_>>>()?;
        let mut snps = Vec::new();
        for (unit, p, widen) in parts {
            if widen > 1.0 && attempt == 0 {
                warnings.push(format!(
                    "SNP unit \"{}\": no contiguous split into {} within the bounds was found; bounds widened by {:.0}%",
                    self.readable(&self.snp_units[unit].key),
                    p.len(),
                    (widen - 1.0) * 100.0
                ));
            }
            snps.extend(p.into_iter().map(|atoms| SeedSnp { unit, atoms }));
        }
        Ok(snps)
    }
}
