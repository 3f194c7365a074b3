//! Choosing options from the ensemble of candidate runs: fewest footprints outside tolerance first,
//! then Pareto rank over (PCN split, cut length, imbalance), then the weighted objective; a
//! candidate closer than 5% of population to an option already chosen is skipped while others remain.

use super::{Plan, PlanMetrics};
use crate::prepare::Prepared;
use std::collections::BTreeMap;

/// One candidate run.
#[derive(Debug, Clone)]
pub(crate) struct Candidate {
    pub plan: Plan,
    pub metrics: PlanMetrics,
    pub seed: u64,
    pub proposals: usize,
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

/// Is candidate `i` dominated on (PCN split, cut length, imbalance) by another?
fn dominated(cands: &[Candidate], i: usize) -> bool {
    let a = &cands[i].metrics.components;
    cands.iter().enumerate().any(|(j, c)| {
        let b = &c.metrics.components;
        j != i
            && b.pcn_split <= a.pcn_split
            && b.cut_km <= a.cut_km
            && b.imbalance <= a.imbalance
            && (b.pcn_split < a.pcn_split || b.cut_km < a.cut_km || b.imbalance < a.imbalance)
    })
}

/// Candidates best first: fewest footprints outside tolerance, then non-dominated, then objective.
fn ranked(cands: &[Candidate]) -> Vec<usize> {
    let violations = |i: usize| cands[i].metrics.snps_outside_tolerance + cands[i].metrics.mnps_outside_tolerance;
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by(|&x, &y| {
        violations(x)
            .cmp(&violations(y))
            .then(dominated(cands, x).cmp(&dominated(cands, y)))
            .then(cands[x].metrics.objective.total_cmp(&cands[y].metrics.objective))
            .then(x.cmp(&y))
    });
    order
}

/// Up to `n` candidates, best first: distinct ones (≥ 5% of people moved from every one chosen
/// before) first, then any not identical to one chosen; and how many are distinct.
pub(crate) fn choose(p: &Prepared, cands: &[Candidate], n: usize) -> (Vec<usize>, usize) {
    let order = ranked(cands);
    let mut chosen: Vec<usize> = Vec::new();
    for &i in &order {
        if chosen.len() >= n {
            break;
        }
        let close = |j: usize| cands[j].plan == cands[i].plan || moved_share(p, &cands[j].plan, &cands[i].plan) < 0.05;
        if !chosen.iter().any(|&j| close(j)) {
            chosen.push(i);
        }
    }
    let distinct = chosen.len();
    for &i in &order {
        if chosen.len() >= n {
            break;
        }
        if !chosen.contains(&i) && !chosen.iter().any(|&j| cands[j].plan == cands[i].plan) {
            chosen.push(i);
        }
    }
    (chosen, distinct)
}
