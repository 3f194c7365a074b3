//! Facility location for neighbourhood health centres: p-median (least weighted distance),
//! maximal coverage within a radius (MCLP) and p-centre (least worst distance), over candidate
//! sites, with demand weighted by deprivation. Small problems are solved exactly by enumeration;
//! larger ones by greedy construction and Teitz–Bart interchange (Whitaker's fast swap for
//! p-median), with a Lagrangian lower bound to report the gap.

pub mod run;

use serde::Serialize;

/// Which objective.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub enum Objective {
    /// Minimise Σ wᵢ · d(i, nearest open site).
    Median,
    /// Maximise Σ wᵢ over demand within `radius` of an open site.
    Coverage,
    /// Minimise max d(i, nearest open site).
    Centre,
}

impl Objective {
    /// Parse "median", "coverage" or "centre".
    pub fn parse(s: &str) -> Option<Objective> {
        match s {
            "median" | "p-median" => Some(Objective::Median),
            "coverage" | "mclp" => Some(Objective::Coverage),
            "centre" | "center" | "p-centre" | "p-center" => Some(Objective::Centre),
            _ => None,
        }
    }
}

/// A location problem: demand weights and a cost function between demand i and candidate j.
pub struct Problem<'a> {
    /// Demand weights.
    pub w: &'a [f64],
    /// Number of candidates.
    pub m: usize,
    /// Cost between demand i and candidate j (km or minutes; f64::INFINITY if unreachable).
    pub cost: &'a (dyn Fn(usize, usize) -> f64 + Sync),
    /// Candidates that must be open.
    pub fixed: &'a [usize],
    /// Coverage radius (coverage objective).
    pub radius: f64,
}

/// A solution.
#[derive(Debug, Clone, Serialize)]
pub struct Solution {
    /// Open candidates, sorted.
    pub open: Vec<usize>,
    /// Objective value (median: weighted cost; coverage: covered weight; centre: max cost).
    pub value: f64,
    /// True if proven optimal (enumeration).
    pub exact: bool,
    /// Lower bound (median only) for the gap.
    pub bound: Option<f64>,
}

impl Problem<'_> {
    /// Nearest open site and its cost per demand point.
    pub fn assign(&self, open: &[usize]) -> Vec<(usize, f64)> {
        (0..self.w.len())
            .map(|i| {
                open.iter()
                    .map(|&j| (j, (self.cost)(i, j)))
                    .min_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)))
                    .unwrap_or((usize::MAX, f64::INFINITY))
            })
            .collect()
    }

    /// Objective value of a set of open sites (lower is better for all: coverage is negated).
    pub fn eval(&self, open: &[usize], obj: Objective) -> f64 {
        let a = self.assign(open);
        match obj {
            Objective::Median => a.iter().zip(self.w).map(|((_, d), w)| w * d).sum(),
            Objective::Coverage => {
                -a.iter().zip(self.w).filter(|((_, d), _)| *d <= self.radius).map(|(_, w)| w).sum::<f64>()
            }
            Objective::Centre => {
                a.iter().zip(self.w).filter(|(_, w)| **w > 0.0).map(|((_, d), _)| *d).fold(0.0, f64::max)
            }
        }
    }

    fn report(&self, obj: Objective, v: f64) -> f64 {
        if obj == Objective::Coverage {
            -v
        } else {
            v
        }
    }
}

fn binom(n: usize, k: usize) -> f64 {
    let k = k.min(n - k.min(n));
    (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
}

/// Solve for `k` open sites (at most `pr.m`). Enumerates when C(free candidates, free k) ≤ `exact_limit`;
/// otherwise greedy construction, Teitz–Bart interchange and seeded restarts (Teitz & Bart 1968;
/// Whitaker 1983). The heuristic result carries no optimality guarantee: compare it with
/// [`lagrangian_bound`] for p-median.
///
/// # Examples
///
/// ```
/// use footprints::site::{solve, Objective, Problem};
/// // Demand at 0, 1 and 10 on a line (weights 1, 1, 2); candidate sites at 0 and 10.
/// let (d, c, w) = ([0.0, 1.0, 10.0], [0.0, 10.0], [1.0, 1.0, 2.0]);
/// let cost = |i: usize, j: usize| f64::abs(d[i] - c[j]);
/// let pr = Problem { w: &w, m: 2, cost: &cost, fixed: &[], radius: 1.0 };
/// // One site: 10 costs 10 + 9 = 19 person-units, 0 costs 1 + 20 = 21.
/// let sol = solve(&pr, 1, Objective::Median, 1e6);
/// assert_eq!(sol.open, vec![1]);
/// assert_eq!(sol.value, 19.0);
/// ```
pub fn solve(pr: &Problem, k: usize, obj: Objective, exact_limit: f64) -> Solution {
    // More sites than candidates cannot be opened (`site` refuses that request before it gets
    // here); capping keeps the random restarts below from looking for ever for an unused one.
    let k = k.min(pr.m);
    let free: Vec<usize> = (0..pr.m).filter(|j| !pr.fixed.contains(j)).collect();
    let kf = k.saturating_sub(pr.fixed.len());
    if binom(free.len(), kf) <= exact_limit {
        let mut best: Option<(f64, Vec<usize>)> = None;
        let mut comb: Vec<usize> = (0..kf).collect();
        loop {
            let mut open: Vec<usize> = pr.fixed.to_vec();
            open.extend(comb.iter().map(|&c| free[c]));
            let v = pr.eval(&open, obj);
            if best.as_ref().is_none_or(|b| v < b.0 - 1e-9) {
                open.sort();
                best = Some((v, open));
            }
            // Next combination.
            let mut i = kf;
            loop {
                if i == 0 {
                    let (v, open) = best.unwrap();
                    let bound = (obj == Objective::Median).then_some(v);
                    return Solution { open, value: pr.report(obj, v), exact: true, bound };
                }
                i -= 1;
                if comb[i] < free.len() - kf + i {
                    comb[i] += 1;
                    for t in i + 1..kf {
                        comb[t] = comb[t - 1] + 1;
                    }
                    break;
                }
            }
            if kf == 0 {
                let (v, open) = best.unwrap();
                return Solution { open, value: pr.report(obj, v), exact: true, bound: None };
            }
        }
    }
    let mut open = greedy(pr, k, obj);
    interchange(pr, &mut open, obj);
    let mut v = pr.eval(&open, obj);
    // Small instances: a few seeded random restarts escape the greedy start's local optimum.
    if (pr.w.len() * pr.m) as f64 <= 2e5 {
        use rand::{RngExt, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(k as u64 * 7919 + pr.m as u64);
        for _ in 0..12 {
            let mut start: Vec<usize> = pr.fixed.to_vec();
            while start.len() < k {
                let j = rng.random_range(0..pr.m);
                if !start.contains(&j) {
                    start.push(j);
                }
            }
            interchange(pr, &mut start, obj);
            let vs = pr.eval(&start, obj);
            if vs < v - 1e-9 {
                v = vs;
                open = start;
            }
        }
    }
    open.sort();
    let bound = (obj == Objective::Median).then(|| lagrangian_bound(pr, k, v, 60));
    Solution { open, value: pr.report(obj, v), exact: false, bound }
}

/// Greedy construction: add the candidate that improves the objective most, k times.
pub fn greedy(pr: &Problem, k: usize, obj: Objective) -> Vec<usize> {
    let n = pr.w.len();
    let mut open: Vec<usize> = pr.fixed.to_vec();
    let mut d1: Vec<f64> =
        if open.is_empty() { vec![f64::INFINITY; n] } else { pr.assign(&open).iter().map(|x| x.1).collect() };
    while open.len() < k {
        use rayon::prelude::*;
        let score = |j: usize| -> f64 {
            match obj {
                Objective::Median => (0..n).map(|i| pr.w[i] * (pr.cost)(i, j).min(d1[i]).min(1e12)).sum(),
                Objective::Coverage => -(0..n)
                    .filter(|&i| d1[i] <= pr.radius || (pr.cost)(i, j) <= pr.radius)
                    .map(|i| pr.w[i])
                    .sum::<f64>(),
                Objective::Centre => {
                    (0..n).filter(|&i| pr.w[i] > 0.0).map(|i| (pr.cost)(i, j).min(d1[i])).fold(0.0, f64::max)
                }
            }
        };
        let best = (0..pr.m)
            .into_par_iter()
            .filter(|j| !open.contains(j))
            .map(|j| (score(j), j))
            .min_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        let Some((_, j)) = best else { break };
        open.push(j);
        for (i, d) in d1.iter_mut().enumerate() {
            *d = d.min((pr.cost)(i, j));
        }
    }
    open
}

/// Teitz–Bart interchange: swap an open site for a closed one while that improves the objective.
/// For p-median each candidate's best swap is found in O(n) with Whitaker's nearest/second-nearest bookkeeping.
pub fn interchange(pr: &Problem, open: &mut [usize], obj: Objective) {
    let n = pr.w.len();
    let mut cur = pr.eval(open, obj);
    for _pass in 0..50 {
        let mut improved = false;
        if obj == Objective::Median {
            // Nearest and second-nearest open site per demand point.
            let near = |open: &[usize]| -> Vec<(usize, f64, f64)> {
                (0..n)
                    .map(|i| {
                        let (mut b1, mut d1, mut d2) = (usize::MAX, f64::INFINITY, f64::INFINITY);
                        for &j in open.iter() {
                            let d = (pr.cost)(i, j);
                            if d < d1 {
                                d2 = d1;
                                d1 = d;
                                b1 = j;
                            } else if d < d2 {
                                d2 = d;
                            }
                        }
                        (b1, d1, d2)
                    })
                    .collect()
            };
            let mut nn = near(open);
            for j in 0..pr.m {
                if open.contains(&j) {
                    continue;
                }
                let mut gain = 0.0;
                let mut loss: std::collections::BTreeMap<usize, f64> = open.iter().map(|&r| (r, 0.0)).collect();
                for (i, &(f1, d1, d2)) in nn.iter().enumerate() {
                    let dij = (pr.cost)(i, j);
                    if dij < d1 {
                        gain += pr.w[i] * (d1 - dij);
                    } else if let Some(l) = loss.get_mut(&f1) {
                        *l += pr.w[i] * (dij.min(d2) - d1);
                    }
                }
                let best = loss
                    .iter()
                    .filter(|(r, _)| !pr.fixed.contains(r))
                    .min_by(|a, b| a.1.total_cmp(b.1).then(a.0.cmp(b.0)));
                if let Some((&r, &l)) = best {
                    if gain - l > 1e-9 * cur.abs().max(1.0) {
                        let pos = open.iter().position(|&x| x == r).unwrap();
                        open[pos] = j;
                        cur = pr.eval(open, obj);
                        nn = near(open);
                        improved = true;
                    }
                }
            }
        } else {
            for pos in 0..open.len() {
                if pr.fixed.contains(&open[pos]) {
                    continue;
                }
                for j in 0..pr.m {
                    if open.contains(&j) {
                        continue;
                    }
                    let old = open[pos];
                    open[pos] = j;
                    let v = pr.eval(open, obj);
                    if v < cur - 1e-9 {
                        cur = v;
                        improved = true;
                    } else {
                        open[pos] = old;
                    }
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Lagrangian lower bound for p-median (relaxing "each demand assigned once"), by subgradient
/// ascent from λᵢ = wᵢ·d(i, nearest) of the heuristic; `ub` is the heuristic value (Beasley 1993).
/// No solution can cost less than the bound, so `ub / bound − 1` bounds the heuristic's gap.
///
/// # Examples
///
/// ```
/// use footprints::site::{greedy, interchange, lagrangian_bound, Objective, Problem};
/// let (d, c, w) = ([0.0, 1.0, 10.0, 11.0], [0.0, 1.0, 10.0, 11.0], [1.0; 4]);
/// let cost = |i: usize, j: usize| f64::abs(d[i] - c[j]);
/// let pr = Problem { w: &w, m: 4, cost: &cost, fixed: &[], radius: 1.0 };
/// let mut open = greedy(&pr, 2, Objective::Median);
/// interchange(&pr, &mut open, Objective::Median);
/// let ub = pr.eval(&open, Objective::Median); // 2: one site in each pair
/// let lb = lagrangian_bound(&pr, 2, ub, 200);
/// assert!(lb <= ub + 1e-9 && lb > 0.0);
/// ```
pub fn lagrangian_bound(pr: &Problem, k: usize, ub: f64, iters: usize) -> f64 {
    use rayon::prelude::*;
    let n = pr.w.len();
    let mut lam: Vec<f64> =
        (0..n).map(|i| (0..pr.m).map(|j| pr.w[i] * (pr.cost)(i, j)).fold(f64::INFINITY, f64::min)).collect();
    let mut best = f64::MIN;
    let mut step_scale = 2.0;
    let mut since = 0;
    for _ in 0..iters {
        // ρ_j = Σ_i min(0, w_i d_ij − λ_i); open the k most negative.
        let rho: Vec<f64> = (0..pr.m)
            .into_par_iter()
            .map(|j| (0..n).map(|i| (pr.w[i] * (pr.cost)(i, j) - lam[i]).min(0.0)).sum())
            .collect();
        let mut order: Vec<usize> = (0..pr.m).collect();
        order.sort_by(|&a, &b| rho[a].total_cmp(&rho[b]).then(a.cmp(&b)));
        let open: Vec<usize> = order[..k.min(pr.m)].to_vec();
        let lb: f64 = lam.iter().sum::<f64>() + open.iter().map(|&j| rho[j]).sum::<f64>();
        if lb > best + 1e-9 {
            best = lb;
            since = 0;
        } else {
            since += 1;
            if since >= 5 {
                step_scale /= 2.0;
                since = 0;
            }
        }
        // Subgradient g_i = 1 − Σ_{j open} [w_i d_ij < λ_i].
        let g: Vec<f64> =
            (0..n).map(|i| 1.0 - open.iter().filter(|&&j| pr.w[i] * (pr.cost)(i, j) < lam[i]).count() as f64).collect();
        let norm: f64 = g.iter().map(|x| x * x).sum();
        if norm == 0.0 || step_scale < 1e-4 {
            break;
        }
        let t = step_scale * (ub - lb).max(0.0) / norm;
        for (l, gi) in lam.iter_mut().zip(&g) {
            *l = (*l + t * gi).max(0.0);
        }
    }
    best.min(ub)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{RngExt, SeedableRng};

    type Instance = (Vec<(f64, f64)>, Vec<(f64, f64)>, Vec<f64>);

    fn instance(seed: u64, n: usize, m: usize) -> Instance {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let d: Vec<(f64, f64)> = (0..n).map(|_| (rng.random::<f64>() * 20.0, rng.random::<f64>() * 20.0)).collect();
        let c: Vec<(f64, f64)> = (0..m).map(|_| (rng.random::<f64>() * 20.0, rng.random::<f64>() * 20.0)).collect();
        let w: Vec<f64> = (0..n).map(|_| 1.0 + rng.random::<f64>() * 2.0).collect();
        (d, c, w)
    }

    #[test]
    fn hand_worked_line() {
        // Demand at 0, 1, 10 (weights 1, 1, 2); candidates at 0, 10. k = 1: site 10 costs 10+9 = 19 < site 0: 1+20 = 21.
        let d: [f64; 3] = [0.0, 1.0, 10.0];
        let c = [0.0, 10.0];
        let w = [1.0, 1.0, 2.0];
        let cost = |i: usize, j: usize| (d[i] - c[j]).abs();
        let pr = Problem { w: &w, m: 2, cost: &cost, fixed: &[], radius: 1.0 };
        let s = solve(&pr, 1, Objective::Median, 1e6);
        assert_eq!(s.open, vec![1]);
        assert_eq!(s.value, 19.0);
        assert!(s.exact);
        // Coverage within 1: site 0 covers weight 2, site 10 covers 2 → tie, lowest index.
        assert_eq!(solve(&pr, 1, Objective::Coverage, 1e6).value, 2.0);
        // Centre: site 0 worst 10, site 10 worst 10 → 10.
        assert_eq!(solve(&pr, 1, Objective::Centre, 1e6).value, 10.0);
    }

    #[test]
    fn heuristic_against_exact_on_random_instances() {
        let mut gaps = Vec::new();
        for seed in 0..12u64 {
            let (d, c, w) = instance(seed, 60, 14);
            let cost = |i: usize, j: usize| ((d[i].0 - c[j].0).powi(2) + (d[i].1 - c[j].1).powi(2)).sqrt();
            let pr = Problem { w: &w, m: c.len(), cost: &cost, fixed: &[], radius: 4.0 };
            for obj in [Objective::Median, Objective::Coverage, Objective::Centre] {
                let exact = solve(&pr, 4, obj, 1e9);
                let heur = solve(&pr, 4, obj, 0.0);
                assert!(exact.exact && !heur.exact);
                let gap = match obj {
                    Objective::Coverage => (exact.value - heur.value) / exact.value,
                    _ => (heur.value - exact.value) / exact.value,
                };
                assert!(gap >= -1e-9, "heuristic beat the exact optimum: {obj:?} {gap}");
                gaps.push((obj, gap));
                if obj == Objective::Median {
                    let lb = heur.bound.unwrap();
                    assert!(lb <= exact.value + 1e-6, "bound {lb} above optimum {}", exact.value);
                }
            }
        }
        for obj in [Objective::Median, Objective::Coverage, Objective::Centre] {
            let g: Vec<f64> = gaps.iter().filter(|x| x.0 == obj).map(|x| x.1).collect();
            let mean = g.iter().sum::<f64>() / g.len() as f64;
            let max = g.iter().cloned().fold(0.0, f64::max);
            eprintln!("{obj:?}: mean gap {:.3}%, max gap {:.3}% over {} instances", mean * 100.0, max * 100.0, g.len());
            let limit = if obj == Objective::Centre { 0.25 } else { 0.05 };
            assert!(max <= limit, "{obj:?} max gap {max}");
        }
    }

    #[test]
    fn fixed_sites_stay_open() {
        let (d, c, w) = instance(3, 40, 10);
        let cost = |i: usize, j: usize| ((d[i].0 - c[j].0).powi(2) + (d[i].1 - c[j].1).powi(2)).sqrt();
        let pr = Problem { w: &w, m: c.len(), cost: &cost, fixed: &[7], radius: 4.0 };
        for limit in [0.0, 1e9] {
            let s = solve(&pr, 3, Objective::Median, limit);
            assert!(s.open.contains(&7));
            assert_eq!(s.open.len(), 3);
        }
    }
}
