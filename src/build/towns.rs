//! Whole towns: every run is made on the setup whose atoms are town blocks
//! ([`super::units::town_blocks`]); in an MNP unit where that leaves no contiguous grouping of SNPs
//! into MNPs within tolerance (the bounds had to be relaxed) but LSOA atoms do not, the unit is
//! taken from a run of the same seed on LSOA atoms, with a warning.

use super::run::RunOutput;
use super::units::Setup;
use super::Plan;
use crate::error::Result;
use std::collections::BTreeMap;

/// Draws of a fallback setup per run with whole PCN catchments.
const RETRIES: u64 = 6;

/// Runs candidates on the town-block setup when there is one, else on LSOA atoms.
pub(crate) struct Runner<'s, 'a> {
    /// LSOA atoms (locks contracted): metrics, baselines and the fallback use it.
    pub fine: &'s Setup<'a>,
    /// Town blocks contracted too; `None` without `[places]`, with `--split-towns`, or when no
    /// town has two LSOAs in one unit.
    pub whole: Option<&'s Setup<'a>>,
    /// Whole PCN catchments contracted as well, on town blocks and on LSOA atoms
    /// ([`super::pcn_whole`]); `None` when no catchment could be kept whole.
    pub pcns: [Option<&'s Setup<'a>>; 2],
}

impl Runner<'_, '_> {
    /// One run with `seed`, on whole PCN catchments when `whole_pcns` and there are any: each MNP
    /// unit whose MNP bounds that run had to relax is taken from the run on whole catchments
    /// without whole towns, then from the run on towns (see the module documentation).
    pub fn run(&self, seed: u64, whole_pcns: bool) -> Result<RunOutput> {
        let setups: Vec<&Setup> = self.pcns.iter().flatten().copied().collect();
        let Some(&first) = setups.first().filter(|_| whole_pcns) else { return self.run_towns(seed) };
        let mut acc = match first.run(seed) {
            Ok(a) => a,
            Err(_) => return self.run_towns(seed),
        };
        // Each later setup is tried with a few seeds derived from `seed`: grouping SNPs made from
        // whole catchments into MNPs within tolerance succeeds in some draws and not others.
        for &next in &setups[1..] {
            for retry in 0..RETRIES {
                if !acc.relaxed.iter().any(|&r| r) {
                    return Ok(acc);
                }
                if let Ok(b) = next.run(seed.wrapping_add(retry * 0x9E37_79B9)) {
                    acc = merge(first, acc, next, b, "towns");
                }
            }
        }
        if !acc.relaxed.iter().any(|&r| r) {
            return Ok(acc);
        }
        let b = self.run_towns(seed)?;
        Ok(merge(first, acc, self.whole.unwrap_or(self.fine), b, "PCN catchments"))
    }

    /// One run on town blocks (see the module documentation).
    fn run_towns(&self, seed: u64) -> Result<RunOutput> {
        let Some(whole) = self.whole else { return self.fine.run(seed) };
        let a = match whole.run(seed) {
            Ok(a) => a,
            Err(e) => {
                let mut b = self.fine.run(seed)?;
                b.unit_warnings.push(vec![format!(
                    "keeping towns whole made this run infeasible ({}); its towns may be split",
                    e.to_string().lines().next().unwrap_or("")
                )]);
                return Ok(b);
            }
        };
        if !a.relaxed.iter().any(|&r| r) {
            return Ok(a);
        }
        let b = self.fine.run(seed)?;
        Ok(merge(whole, a, self.fine, b, "towns"))
    }
}

/// MNP unit of every LSOA.
fn unit_of_lsoa(s: &Setup) -> Vec<usize> {
    let mut of = vec![usize::MAX; s.p.study.areas.len()];
    for (mi, mu) in s.mnp_units.iter().enumerate() {
        for &su in &mu.snp_units {
            for &a in &s.snp_units[su].atoms {
                for &i in &s.atoms[a] {
                    of[i] = mi;
                }
            }
        }
    }
    of
}

/// Run `a` (town blocks), with each MNP unit whose MNP bounds it relaxed taken from run `b` (LSOA
/// atoms, same seed) where `b` did not relax them; `kept` names what `a` keeps whole ("towns").
/// MNP units hold the same LSOAs in both setups.
fn merge(whole: &Setup, a: RunOutput, fine: &Setup, b: RunOutput, kept: &str) -> RunOutput {
    let (ua, ub) = (unit_of_lsoa(whole), unit_of_lsoa(fine));
    let n_units = whole.mnp_units.len();
    let mut first = vec![usize::MAX; n_units];
    for (i, &u) in ua.iter().enumerate() {
        if u != usize::MAX && first[u] == usize::MAX {
            first[u] = i;
        }
    }
    let fine_unit = |u: usize| first.get(u).and_then(|&i| ub.get(i)).copied().filter(|&x| x != usize::MAX);
    let use_b: Vec<bool> = (0..n_units).map(|u| a.relaxed[u] && fine_unit(u).is_some_and(|v| !b.relaxed[v])).collect();
    let mut snp_id: BTreeMap<(bool, usize), usize> = BTreeMap::new();
    let mut mnp_id: BTreeMap<(bool, usize), usize> = BTreeMap::new();
    let mut mnp_of_snp = Vec::new();
    let mut snp_of = vec![0; ua.len()];
    for (i, &u) in ua.iter().enumerate() {
        let from_b = use_b.get(u).copied().unwrap_or(false);
        let plan = if from_b { &b.plan } else { &a.plan };
        let (s, m) = (plan.snp_of[i], plan.mnp_of_snp[plan.snp_of[i]]);
        let next = mnp_id.len();
        let m2 = *mnp_id.entry((from_b, m)).or_insert(next);
        let next = snp_id.len();
        snp_of[i] = *snp_id.entry((from_b, s)).or_insert_with(|| {
            mnp_of_snp.push(m2);
            next
        });
    }
    let mut unit_warnings = Vec::with_capacity(n_units);
    let mut relaxed = Vec::with_capacity(n_units);
    for (u, mu) in whole.mnp_units.iter().enumerate() {
        match fine_unit(u).filter(|_| use_b[u]) {
            Some(v) => {
                let mut w = b.unit_warnings[v].clone();
                w.push(format!(
                    "MNP unit \"{}\": with its {kept} whole no contiguous grouping into MNPs within tolerance was found, so this unit's {kept} may be split",
                    whole.readable(&mu.label)
                ));
                unit_warnings.push(w);
                relaxed.push(b.relaxed[v]);
            }
            None => {
                unit_warnings.push(a.unit_warnings[u].clone());
                relaxed.push(a.relaxed[u]);
            }
        }
    }
    let plan = Plan { snp_of, mnp_of_snp }.canonical();
    RunOutput { plan, unit_warnings, relaxed, proposals: a.proposals + b.proposals }
}
