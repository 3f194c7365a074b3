//! `footprints exact` (built with `--features exact`): the proven fewest PCNs split for the default
//! constraints, per district, with the time it took.

use clap::Args;
use footprints::exact::{min_pcn_splits, ExactConfig};
use footprints::io::write::atomic_write;
use footprints::Prepared;
use serde_json::json;
use std::path::PathBuf;

/// Arguments of `exact`.
#[derive(Debug, Args)]
pub struct ExactArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Output JSON (per district: candidates, kept, proven minimum, time).
    #[arg(long, short)]
    pub out: PathBuf,
    /// SNP target population.
    #[arg(long, default_value_t = 50_000.0)]
    pub snp_target: f64,
    /// Relative tolerance.
    #[arg(long, default_value_t = 0.2)]
    pub tolerance: f64,
    /// Seconds allowed per integer program; a solve that reaches it leaves a certified gap.
    #[arg(long, default_value_t = 120.0)]
    pub time_limit: f64,
    /// Keep towns that fit in one SNP whole too (as `build` does).
    #[arg(long)]
    pub whole_towns: bool,
}

/// Run `exact`.
pub fn run(a: &ExactArgs) -> anyhow::Result<()> {
    let positive = |x: f64| x.is_finite() && x > 0.0;
    if !positive(a.snp_target) || !(0.0..1.0).contains(&a.tolerance) || !positive(a.time_limit) {
        anyhow::bail!("--snp-target and --time-limit must be positive and --tolerance between 0 and 1");
    }
    let p = Prepared::load(&a.scenario)?;
    let cfg = ExactConfig {
        target: a.snp_target,
        tolerance: a.tolerance,
        time_limit: a.time_limit,
        whole_towns: a.whole_towns,
    };
    let e = min_pcn_splits(&p, &cfg);
    for d in &e.districts {
        let found = d.split_found.map_or("no plan found".to_string(), |s| format!("{s} split in the best plan"));
        let note = d.note.as_deref().map_or(String::new(), |n| format!(" ({n})"));
        println!(
            "{}: {} SNPs, {} candidate PCN(s), at least {} must split, {found}; {} set(s) tried, {} by the solver, {:.1} s{note}",
            d.district,
            d.snps,
            d.candidates.len(),
            d.split_min,
            d.sets,
            d.solver_calls,
            d.seconds
        );
    }
    let upper = e.upper.map_or("n/a".to_string(), |u| u.to_string());
    println!(
        "PCNs split: at least {} ({} straddle districts, {} too big for one SNP), best plan found {upper}; {} in {:.1} s",
        e.lower,
        e.straddle.len(),
        e.too_big.len(),
        if e.proven { "proven" } else { "not proven (time limit)" },
        e.seconds
    );
    let v = json!({"scenario": p.study.name, "version": footprints::VERSION, "inputs": p.report.inputs,
        "snp_target": a.snp_target, "tolerance": a.tolerance, "time_limit_s": a.time_limit, "whole_towns": a.whole_towns, "exact": e});
    atomic_write(&a.out, (serde_json::to_string_pretty(&v)? + "\n").as_bytes())?;
    super::out::note(format_args!("wrote {}", a.out.display()));
    Ok(())
}
