//! Baselines to compare options with: PCN catchments kept whole (they cross districts by design)
//! and one SNP per SNP unit (districts by default); both grouped into MNPs like the options.

use super::constraint::Bounds;
use super::run::SeedSnp;
use super::seed::tree_partition;
use super::units::{fit_count, MnpUnit, Setup};
use super::Plan;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};

/// Marks SNPs made without regard to the hard units (the PCN baseline): one MNP unit for all.
const ANY_UNIT: usize = usize::MAX;

impl Setup<'_> {
    /// Group SNPs into MNPs inside each MNP unit, widening the bounds by 10% steps (up to 50×, then
    /// one MNP for the unit) until a contiguous grouping is found.
    fn group(&self, snps_in: Vec<SeedSnp>, seed: u64) -> Plan {
        let mut snp_of_atom = vec![usize::MAX; self.atoms.len()];
        let mut mnp_of_snp = Vec::new();
        let mut next = 0;
        let whole = vec![MnpUnit { label: "all".into(), snp_units: vec![ANY_UNIT] }];
        let units = if snps_in.iter().all(|s| s.unit == ANY_UNIT) { &whole } else { &self.mnp_units };
        for (mi, mu) in units.iter().enumerate() {
            let snps: Vec<&SeedSnp> = snps_in.iter().filter(|s| mu.snp_units.contains(&s.unit)).collect();
            let mpop: f64 = snps.iter().map(|s| self.pop(&s.atoms)).sum();
            let (km, _) = fit_count(mpop, self.cfg.mnp_target, self.cfg.tolerance);
            let sg = self.g.quotient(snps.iter().map(|s| s.atoms.as_slice()));
            let nodes: Vec<usize> = (0..snps.len()).collect();
            let km = km.min(snps.len()).max(1);
            let mut rng = ChaCha8Rng::seed_from_u64(seed.wrapping_add(mi as u64));
            let ideal = mpop / km as f64;
            let (t, tol) = (self.cfg.mnp_target, self.cfg.tolerance);
            let mut widen = 1.0;
            let groups = loop {
                let b = Bounds { lo: (t.min(ideal) * (1.0 - tol)) / widen, hi: (t.max(ideal) * (1.0 + tol)) * widen };
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
                    for &a in &snps[si].atoms {
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
    /// with exclaves gives a non-contiguous footprint, so that every PCN lies in one footprint by
    /// construction), the smallest merged into their smallest neighbour until at the lower tolerance.
    pub fn pcn_baseline(&self, seed: u64) -> Plan {
        let lo = self.cfg.snp_target * (1.0 - self.cfg.tolerance);
        let pcn_of = |a: usize| self.p.study.pcn(self.atoms[a][0]).map(|n| n.code.clone()).unwrap_or_default();
        let mut by: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for a in 0..self.atoms.len() {
            by.entry(pcn_of(a)).or_default().push(a);
        }
        let mut pieces: Vec<Vec<usize>> = by.into_values().collect();
        while pieces.len() >= 2 {
            let pops: Vec<f64> = pieces.iter().map(|p| self.pop(p)).collect();
            let smallest =
                |it: &mut dyn Iterator<Item = usize>| it.min_by(|&x, &y| pops[x].total_cmp(&pops[y]).then(x.cmp(&y)));
            let Some(small) = smallest(&mut (0..pieces.len()).filter(|&i| pops[i] < lo)) else {
                break;
            };
            let set: BTreeSet<usize> = pieces[small].iter().copied().collect();
            let touches = |j: usize| pieces[j].iter().any(|&a| self.g.adj[a].iter().any(|nb| set.contains(&nb.node)));
            let Some(nb) = smallest(&mut (0..pieces.len()).filter(|&j| j != small && touches(j))) else {
                break;
            };
            let moved = std::mem::take(&mut pieces[small]);
            pieces[nb].extend(moved);
            pieces.remove(small);
        }
        let snps = pieces.into_iter().map(|atoms| SeedSnp { unit: ANY_UNIT, atoms }).collect();
        self.group(snps, seed)
    }

    /// One SNP per SNP unit (districts by default).
    pub fn district_baseline(&self, seed: u64) -> Plan {
        let snps =
            self.snp_units.iter().enumerate().map(|(unit, u)| SeedSnp { unit, atoms: u.atoms.clone() }).collect();
        self.group(snps, seed)
    }
}
