//! `footprints build`: nested SNP/MNP footprint options plus PCN and district baselines.

use clap::Args;
use footprints::build::{self, BuildConfig, Layer};
use footprints::error::{from_flag, from_scenario, Error};
use footprints::export::check_plan_constrained;
use footprints::io::outdir::{Command, OutDir};
use footprints::io::write::atomic_write;
use footprints::scenario::{check_targets, MAX_OPTIONS, MAX_TARGET};
use footprints::Prepared;
use rayon::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Arguments of `build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Output folder (one sub-folder per option and baseline).
    #[arg(long, short)]
    pub out: PathBuf,
    /// SNP target population [scenario build.snp_target, default 50000].
    #[arg(long)]
    pub snp_target: Option<f64>,
    /// MNP target population [default 250000].
    #[arg(long)]
    pub mnp_target: Option<f64>,
    /// Relative tolerance, e.g. 0.2 for ±20%.
    #[arg(long)]
    pub tolerance: Option<f64>,
    /// SNP boundary layer: lad, none, or an LGR option name.
    #[arg(long)]
    pub snp_layer: Option<String>,
    /// MNP boundary layer: lad, none, robust (all LGR options at once), hierarchy (districts grouped
    /// into MNPs), an LGR option or an extra layer name [default: lad with LGR options, otherwise
    /// the layer that keeps most MNPs within tolerance].
    #[arg(long)]
    pub mnp_layer: Option<String>,
    /// LGR-robust mode: same as --mnp-layer robust.
    #[arg(long)]
    pub lgr_robust: bool,
    /// Number of distinct options.
    #[arg(long)]
    pub options: Option<usize>,
    /// Random seed.
    #[arg(long)]
    pub seed: Option<u64>,
    /// Stop with an explanation instead of using the nearest fit when a unit cannot meet the tolerance.
    #[arg(long)]
    pub strict: bool,
    /// ReCom improvement steps per SNP.
    #[arg(long, default_value_t = 60)]
    pub steps: usize,
    /// Let footprint boundaries cut through towns (by default, with [places], a town that fits
    /// in one SNP is kept whole and a larger one is divided along MSOA lines).
    #[arg(long)]
    pub split_towns: bool,
    /// Also prove the fewest PCNs any plan must split (exact mode, HiGHS), allowing this many
    /// seconds per integer program; writes exact.json and adds the figure to every explanation.
    #[cfg(feature = "exact")]
    #[arg(long, value_name = "SECONDS")]
    pub exact: Option<f64>,
    /// Locks CSV (columns lsoa_code, footprint): LSOAs pinned to named footprints.
    #[arg(long)]
    pub locks: Option<PathBuf>,
    /// Existing footprints CSV (columns lsoa_code, footprint) to stay close to.
    #[arg(long)]
    pub existing: Option<PathBuf>,
}

/// Read a locks or existing-footprints table; `from_cli` says whether its path came from `flag` or
/// from `key` in the scenario's `[build]` table.
fn read_assignment(
    p: &Prepared,
    path: &Path,
    from_cli: bool,
    flag: &str,
    key: &str,
) -> anyhow::Result<BTreeMap<usize, String>> {
    let origin = if from_cli { from_flag(flag) } else { from_scenario(&p.scenario.file, key) };
    Ok(footprints::io::assignment::read_assignment(&p.study, path).map_err(|e| e.path_from(origin))?)
}

/// The validated configuration of a `build`, and where its locks and existing footprints came from.
struct Config {
    cfg: BuildConfig,
    locks_path: Option<PathBuf>,
    existing_path: Option<PathBuf>,
}

/// Arguments and the scenario's `[build]` table → a validated configuration, before any work.
fn config(args: &BuildArgs, p: &Prepared) -> anyhow::Result<Config> {
    let s = &p.scenario.build;
    let mnp_layer =
        if args.lgr_robust { Some("robust".to_string()) } else { args.mnp_layer.clone().or(s.mnp_layer.clone()) };
    let locks_path = args.locks.clone().or(s.locks.as_ref().map(|l| p.scenario.resolve(l)));
    let existing_path = args.existing.clone().or(s.existing.as_ref().map(|l| p.scenario.resolve(l)));
    let locks = match &locks_path {
        Some(l) => read_assignment(p, l, args.locks.is_some(), "--locks", "build.locks")?,
        None => BTreeMap::new(),
    };
    let existing = match &existing_path {
        Some(e) => {
            let m = read_assignment(p, e, args.existing.is_some(), "--existing", "build.existing")?;
            if m.len() != p.study.areas.len() {
                return Err(Error::input(e, format!("covers {} of {} study-area LSOAs", m.len(), p.study.areas.len()))
                    .hint("an existing footprint set must assign every LSOA")
                    .into());
            }
            Some(m.into_values().collect())
        }
        None => None,
    };
    let mut weights = s.weights.clone();
    if existing.is_some() && weights.existing == 0.0 {
        weights.existing = 0.5;
    }
    let (mnp_target, tolerance) = (args.mnp_target.unwrap_or(s.mnp_target), args.tolerance.unwrap_or(s.tolerance));
    let choice = match &mnp_layer {
        Some(l) => build::LayerChoice { layer: build::parse_mnp_layer(p, l, mnp_target, tolerance)?, note: None },
        None => build::choose_mnp_layer(p, mnp_target, tolerance),
    };
    let cfg = BuildConfig {
        snp_target: args.snp_target.unwrap_or(s.snp_target),
        mnp_target,
        tolerance,
        snp_layer: Layer::parse(args.snp_layer.as_deref().unwrap_or(&s.snp_layer), p)?,
        mnp_layer: choice.layer,
        mnp_layer_note: choice.note,
        community: s.community.clone(),
        weights,
        options: args.options.unwrap_or(s.options),
        seed: args.seed.unwrap_or(s.seed),
        strict: args.strict,
        steps_per_snp: args.steps,
        whole_towns: !args.split_towns,
        locks,
        existing,
    };
    let total = p.study.population() as f64;
    if cfg.snp_target * (1.0 - cfg.tolerance) > total {
        return Err(Error::infeasible(
            format!("the SNP target {:.0} is larger than the whole study area ({total:.0} people)", cfg.snp_target),
            format!("use an SNP target of at most {:.0}, or a larger study area", total),
        )
        .into());
    }
    let name = |flag: bool, f: &str, key: &str| if flag { f.to_string() } else { format!("{key} (scenario)") };
    check_targets(
        cfg.snp_target,
        cfg.mnp_target,
        &name(args.snp_target.is_some(), "--snp-target", "build.snp_target"),
        &name(args.mnp_target.is_some(), "--mnp-target", "build.mnp_target"),
    )
    .map_err(Error::scenario)?;
    Ok(Config { cfg, locks_path, existing_path })
}

/// Range checks of the numeric flags, before any file is read: targets 1–100,000,000 people,
/// tolerance in [0, 1), 1–100 options, at most 10,000 steps per SNP; NaN and infinities refused.
fn check_flags(args: &BuildArgs) -> anyhow::Result<()> {
    use super::validate::between;
    if let Some(t) = args.snp_target {
        between("snp-target", t, 1.0, MAX_TARGET)?;
    }
    if let Some(t) = args.mnp_target {
        between("mnp-target", t, 1.0, MAX_TARGET)?;
    }
    if let Some(t) = args.tolerance {
        if !(t.is_finite() && (0.0..1.0).contains(&t)) {
            anyhow::bail!(
                "--tolerance must be a finite number from 0 up to (not including) 1, e.g. 0.2 for ±20% (got {t})"
            );
        }
    }
    if let Some(n) = args.options.filter(|n| !(1..=MAX_OPTIONS).contains(n)) {
        anyhow::bail!("--options must be from 1 to {MAX_OPTIONS} (got {n})");
    }
    if args.steps > 10_000 {
        anyhow::bail!("--steps must be from 0 to 10000 (got {})", args.steps);
    }
    Ok(())
}

/// With `--exact`: the exact mode for the build's target and tolerance, without and with whole
/// towns (in parallel), written to `exact.json`; its summary for the explanations.
#[cfg(feature = "exact")]
fn exact_minimum(
    args: &BuildArgs,
    p: &Prepared,
    cfg: &build::BuildConfig,
    dir: &std::path::Path,
) -> anyhow::Result<Option<serde_json::Value>> {
    use footprints::exact::{min_pcn_splits, ExactConfig};
    let Some(limit) = args.exact else { return Ok(None) };
    let c = ExactConfig { target: cfg.snp_target, tolerance: cfg.tolerance, time_limit: limit, whole_towns: false };
    let (plain, towns) = rayon::join(
        || min_pcn_splits(p, &c),
        || {
            (cfg.whole_towns && p.study.has_places())
                .then(|| min_pcn_splits(p, &ExactConfig { whole_towns: true, ..c }))
        },
    );
    let fig = |e: &footprints::exact::Exact| {
        let districts: Vec<_> = e
            .districts
            .iter()
            .filter(|d| d.split_min > 0)
            .map(|d| json!({"district": d.district, "candidates": d.candidates.len(), "split_min": d.split_min}))
            .collect();
        json!({"lower": e.lower, "upper": e.upper, "proven": e.proven, "seconds": e.seconds,
               "straddle": e.straddle.len(), "too_big": e.too_big.len(), "districts": districts})
    };
    let mut summary = fig(&plain);
    if let Some(t) = &towns {
        summary["with_towns"] = fig(t);
    }
    summary["time_limit_s"] = json!(limit);
    let full =
        json!({"version": footprints::VERSION, "time_limit_s": limit, "exact": plain, "exact_with_towns": towns});
    atomic_write(&dir.join("exact.json"), (serde_json::to_string_pretty(&full)? + "\n").as_bytes())?;
    Ok(Some(summary))
}

/// PCNs whose majority catchment lies in more than one SNP (the count the exact mode bounds).
fn majority_split(p: &Prepared, snp_of: &[usize]) -> usize {
    let mut by: std::collections::BTreeMap<u32, std::collections::BTreeSet<usize>> = Default::default();
    for (i, a) in p.study.areas.iter().enumerate() {
        if let Some(l) = &a.pcn {
            by.entry(l.pcn).or_default().insert(snp_of[i]);
        }
    }
    by.values().filter(|s| s.len() > 1).count()
}

/// Without the `exact` feature there is no exact mode.
#[cfg(not(feature = "exact"))]
fn exact_minimum(
    _: &BuildArgs,
    _: &Prepared,
    _: &build::BuildConfig,
    _: &std::path::Path,
) -> anyhow::Result<Option<serde_json::Value>> {
    Ok(None)
}

/// Run `build`.
pub fn run(args: &BuildArgs) -> anyhow::Result<()> {
    check_flags(args)?;
    #[cfg(feature = "exact")]
    if let Some(limit) = args.exact.filter(|l| !l.is_finite() || *l <= 0.0) {
        anyhow::bail!("--exact takes the seconds allowed per integer program, a positive number (got {limit})");
    }
    // Locked and checked before the work starts; written beside, then swapped in as a whole.
    let out = OutDir::begin(&args.out, Command::Build)?;
    let dir = out.path();
    let p = Prepared::load(&args.scenario)?;
    let conf = config(args, &p)?;
    let cfg = &conf.cfg;
    if let Some(note) = &cfg.mnp_layer_note {
        super::out::note(format_args!("{note}"));
    }
    let mut res = build::build_with_progress(&p, cfg, &progress_bar())?;
    // Practices far from the area make every PCN figure meaningless: say so in the run too.
    let far = footprints::load::practice_reach(&p.study);
    for w in &far {
        eprintln!("warning: {w}");
    }
    res.warnings.splice(0..0, far);
    let lock_rule = build::OneLockPerFootprint;
    let locks_of = build::lock_tallies(&p, &cfg.locks);
    for b in res.options.iter().chain(&res.baselines) {
        let bad = check_plan_constrained(&p, &b.plan, b.kind.follows_units(), &lock_rule, &locks_of);
        if !bad.is_empty() {
            anyhow::bail!("internal error: {} violates hard rules: {}", b.label, bad.join("; "));
        }
    }
    let minimum = exact_minimum(args, &p, cfg, dir)?;
    let path = |x: &Option<PathBuf>| x.as_ref().map(|l| l.display().to_string());
    let params = json!({
        "snp_target": cfg.snp_target, "mnp_target": cfg.mnp_target, "tolerance": cfg.tolerance,
        "snp_layer": cfg.snp_layer.label(&p), "mnp_layer": cfg.mnp_layer.label(&p), "mnp_layer_choice": cfg.mnp_layer_note,
        "community": cfg.community, "weights": cfg.weights, "options": cfg.options, "steps_per_snp": cfg.steps_per_snp, "whole_towns": cfg.whole_towns,
        "strict": cfg.strict, "locks": path(&conf.locks_path), "existing": path(&conf.existing_path),
        "candidate_runs": res.runs,
    });
    let snp_unit = |i: usize| format!("{} / {}", cfg.mnp_layer.key(&p, i), cfg.snp_layer.key(&p, i));
    let mnp_unit = |i: usize| cfg.mnp_layer.key(&p, i);
    // The sets are independent files, so they are written side by side.
    let sets: Vec<_> = res.options.iter().chain(&res.baselines).collect();
    sets.par_iter().try_for_each(|b| {
        let mut meta = footprints::export::run_meta(&p, cfg.seed, params.clone());
        meta["warnings"] = json!(res.warnings);
        footprints::export::write_built(&p, b, &dir.join(&b.label), meta, &snp_unit, &mnp_unit)?;
        let (target, tol) = (cfg.snp_target, cfg.tolerance);
        footprints::export::explain::write_built(
            &p,
            b,
            &dir.join(&b.label),
            target,
            tol,
            &res.warnings,
            minimum.as_ref(),
        )
    })?;
    let mut sum = footprints::export::build_summary::summary(&p, cfg, &res);
    if let Some(m) = &minimum {
        let o = res.options.first().map_or(0, |b| majority_split(&p, &b.plan.snp_of));
        let line =
            footprints::export::explain::minimum_sentence(o, m).replacen("PCNs split", "PCNs split in option-1", 1);
        sum.markdown += &format!("\n{line}\n");
    }
    atomic_write(&dir.join("summary.csv"), sum.csv.as_bytes())?;
    atomic_write(&dir.join("summary.md"), sum.markdown.as_bytes())?;
    atomic_write(&dir.join("differences.csv"), sum.differences_csv.as_bytes())?;
    out.commit()?;
    super::out::print(&sum.markdown)?;
    super::out::note(format_args!(
        "wrote {} option(s) and {} baseline(s) to {}",
        res.options.len(),
        res.baselines.len(),
        args.out.display()
    ));
    Ok(())
}

/// A progress callback that draws an indicatif bar over the candidate runs (hidden when stderr is
/// not a terminal).
fn progress_bar() -> impl Fn(build::Progress) + Sync {
    let bar = indicatif::ProgressBar::hidden();
    move |event| match event {
        build::Progress::Started { runs } => {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_length(runs as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} {elapsed}")
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message("building candidate plans");
        }
        build::Progress::RunDone { done, .. } => bar.set_position(done as u64),
        build::Progress::Finished => bar.finish_and_clear(),
    }
}
