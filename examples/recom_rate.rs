//! ReCom proposals per second on a real scenario: (time with N proposals per SNP − time with none)
//! / proposals, best of 3 each, as bench/peers.py measures it (but without process start-up and I/O).
//! Run: `cargo run --release --example recom_rate [-- SCENARIO [MNP_LAYER [STEPS]]]`.

use footprints::build::{self, BuildConfig, Layer};
use footprints::Prepared;
use std::time::Instant;

fn best_of(p: &Prepared, cfg: &BuildConfig) -> (f64, usize) {
    let mut best = f64::MAX;
    let mut proposals = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let r = build::build(p, cfg).expect("build");
        best = best.min(t.elapsed().as_secs_f64());
        proposals = r.proposals;
    }
    (best, proposals)
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
    let (t0, _) = best_of(&p, &cfg(0));
    let (t1, n) = best_of(&p, &cfg(steps));
    let per = (t1 - t0) / n as f64;
    println!(
        "{scen}: {n} proposals in {:.3} s (build without proposals {:.3} s) → {:.2} µs per proposal, {:.0} proposals/s",
        t1 - t0,
        t0,
        per * 1e6,
        1.0 / per
    );
}
