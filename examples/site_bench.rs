//! Synthetic facility-location benchmark: 30,000 demand points × 1,000 candidates, p-median with
//! k = 50, greedy + Teitz–Bart interchange, gap against the Lagrangian lower bound.
//! Run: `cargo run --release --example site_bench [n] [m] [k]`.

use footprints::site::{greedy, interchange, lagrangian_bound, Objective, Problem};
use rand::{RngExt, SeedableRng};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (n, m, k) = (
        args.first().copied().unwrap_or(30_000),
        args.get(1).copied().unwrap_or(1_000),
        args.get(2).copied().unwrap_or(50),
    );
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(42);
    // Clustered demand in a 60 × 40 km county; candidates anywhere.
    let centres: Vec<(f64, f64)> = (0..12).map(|_| (rng.random::<f64>() * 60.0, rng.random::<f64>() * 40.0)).collect();
    let demand: Vec<(f64, f64)> = (0..n)
        .map(|_| {
            if rng.random::<f64>() < 0.7 {
                let c = centres[rng.random_range(0..centres.len())];
                (c.0 + (rng.random::<f64>() - 0.5) * 6.0, c.1 + (rng.random::<f64>() - 0.5) * 6.0)
            } else {
                (rng.random::<f64>() * 60.0, rng.random::<f64>() * 40.0)
            }
        })
        .collect();
    let cand: Vec<(f64, f64)> = (0..m).map(|_| (rng.random::<f64>() * 60.0, rng.random::<f64>() * 40.0)).collect();
    let w: Vec<f64> = (0..n).map(|_| 1_000.0 + rng.random::<f64>() * 2_000.0).collect();
    let cost = |i: usize, j: usize| (demand[i].0 - cand[j].0).hypot(demand[i].1 - cand[j].1);
    let pr = Problem { w: &w, m, cost: &cost, fixed: &[], radius: 5.0 };
    let t0 = Instant::now();
    let mut open = greedy(&pr, k, Objective::Median);
    let t_greedy = t0.elapsed();
    let v_greedy = pr.eval(&open, Objective::Median);
    interchange(&pr, &mut open, Objective::Median);
    let t_heur = t0.elapsed();
    let v = pr.eval(&open, Objective::Median);
    let t1 = Instant::now();
    let lb = lagrangian_bound(&pr, k, v, 60);
    let t_bound = t1.elapsed();
    println!("p-median n={n} m={m} k={k}");
    println!("greedy: {:.3} s, value {:.0}", t_greedy.as_secs_f64(), v_greedy);
    println!(
        "greedy + Teitz-Bart: {:.3} s, value {:.0} ({:.2}% better than greedy)",
        t_heur.as_secs_f64(),
        v,
        (v_greedy - v) / v_greedy * 100.0
    );
    println!("Lagrangian bound: {:.0} in {:.3} s; gap {:.2}%", lb, t_bound.as_secs_f64(), (v - lb) / v * 100.0);
}
