//! ReCom proposals per second on a real scenario: (time with N proposals per SNP − time with none)
//! / proposals, best of 3 each, as bench/peers.py measures it (but without process start-up and I/O).
//! Run: `cargo run --release --example recom_rate [-- SCENARIO [MNP_LAYER [STEPS]]]`.

use footprints::build::{self, BuildConfig, Layer};
use footprints::Prepared;
use std::time::Instant;

/// CPU seconds this process has used (user + system), from /proc/self/stat; 0 where unavailable.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit_once(')').map_or("", |x| x.1);
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of the file (utime, stime, in 1/100 s) are the 12th and 13th after the name.
    let tick = |i: usize| f.get(i).and_then(|x| x.parse::<f64>().ok()).unwrap_or(0.0);
    (tick(11) + tick(12)) / 100.0
}

/// Best of 3 builds: (wall seconds, CPU seconds, proposals).
fn best_of(p: &Prepared, cfg: &BuildConfig) -> (f64, f64, usize) {
    let (mut wall, mut cpu) = (f64::MAX, f64::MAX);
    let mut proposals = 0;
    for _ in 0..3 {
        let (t, c) = (Instant::now(), cpu_seconds());
        let r = build::build(p, cfg).expect("build");
        wall = wall.min(t.elapsed().as_secs_f64());
        cpu = cpu.min(cpu_seconds() - c);
        proposals = r.proposals;
    }
    (wall, cpu, proposals)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let scen = args.first().map(String::as_str).unwrap_or("tests/scenarios/oxfordshire.toml");
    let layer = args.get(1).map(String::as_str).unwrap_or("2UA");
    let steps: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(2000);
    let p = Prepared::load(std::path::Path::new(scen)).expect("scenario");
    let cfg = |steps| BuildConfig {
        options: 1,
        steps_per_snp: steps,
        ..BuildConfig::with_mnp_layer(Layer::parse(layer, &p).expect("layer"))
    };
    let (t0, c0, _) = best_of(&p, &cfg(0));
    let (t1, c1, n) = best_of(&p, &cfg(steps));
    let per = (t1 - t0) / n as f64;
    let per_cpu = (c1 - c0) / n as f64;
    println!(
        "{scen}: {n} proposals in {:.3} s wall (build without proposals {:.3} s) → {:.2} µs per proposal, {:.0} proposals/s; CPU {:.2} µs per proposal",
        t1 - t0,
        t0,
        per * 1e6,
        1.0 / per,
        per_cpu * 1e6
    );
}
