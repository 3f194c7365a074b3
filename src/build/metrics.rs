//! Measures of a whole plan for choosing and reporting options.

use super::objective::Objective;
use super::partition::Partition;
use super::units::Setup;
use super::{Plan, PlanMetrics};
use std::collections::BTreeMap;

impl Setup<'_> {
    /// Objective components (against the SNP target) and metrics of a whole plan.
    pub fn metrics(&self, plan: &Plan) -> PlanMetrics {
        let mut parts: Vec<Vec<usize>> = vec![Vec::new(); plan.n_snp()];
        for (a, members) in self.atoms.iter().enumerate() {
            parts[plan.snp_of[members[0]]].push(a);
        }
        let snp_pop: Vec<f64> = parts.iter().map(|x| self.pop(x)).collect();
        let part = Partition::new(&self.g, parts);
        let mut obj = Objective::new(self.groupings.clone(), self.cfg.weights.clone(), self.cfg.snp_target);
        let c = obj.init(&self.g, &part);
        let mut mnp_pop = vec![0.0; plan.n_mnp()];
        for (s, &m) in plan.mnp_of_snp.iter().enumerate() {
            mnp_pop[m] += snp_pop[s];
        }
        let dev = |x: f64, t: f64| (x - t) / t * 100.0;
        let tol = self.cfg.tolerance * 100.0 + 1e-9;
        // PCN split share and split count.
        let mut per: BTreeMap<u32, BTreeMap<usize, f64>> = BTreeMap::new();
        for (a, ms) in self.groupings.pcn.masses.iter().enumerate() {
            for gm in ms {
                *per.entry(gm.group).or_default().entry(part.label(a).unwrap_or(usize::MAX)).or_default() += gm.mass;
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
        let max_dev = |pops: &[f64], t: f64| pops.iter().map(|&x| dev(x, t).abs()).fold(0.0, f64::max);
        let outside = |pops: &[f64], t: f64| pops.iter().filter(|&&x| dev(x, t).abs() > tol).count();
        PlanMetrics {
            snps: plan.n_snp(),
            mnps: plan.n_mnp(),
            objective: obj.value(&c),
            pcn_split_share: if total_pcn > 0.0 { c.pcn_split / total_pcn } else { 0.0 },
            pcns_split,
            snp_max_dev_pct: max_dev(&snp_pop, self.cfg.snp_target),
            mnp_max_dev_pct: max_dev(&mnp_pop, self.cfg.mnp_target),
            snps_outside_tolerance: outside(&snp_pop, self.cfg.snp_target),
            mnps_outside_tolerance: outside(&mnp_pop, self.cfg.mnp_target),
            components: c,
        }
    }
}
