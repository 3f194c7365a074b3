//! `footprints build`: nested SNP/MNP footprint options plus PCN and district baselines.

use clap::Args;
use footprints::build::{self, BuildConfig, Layer};
use footprints::error::Error;
use footprints::io::table::Table;
use footprints::io::write::{atomic_write, csv_string};
use footprints::Prepared;
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
    /// MNP boundary layer: lad, none, robust (all LGR options at once), or an LGR option name.
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
    /// Locks CSV (columns lsoa_code, footprint): LSOAs pinned to named footprints.
    #[arg(long)]
    pub locks: Option<PathBuf>,
    /// Existing footprints CSV (columns lsoa_code, footprint) to stay close to.
    #[arg(long)]
    pub existing: Option<PathBuf>,
}

fn read_assignment(p: &Prepared, path: &Path) -> anyhow::Result<BTreeMap<usize, String>> {
    let t = Table::read(path)?;
    let c = t.col("lsoa_code")?;
    let f = t.find_col("footprint").or_else(|| t.find_col("snp_name")).ok_or_else(|| {
        Error::input(path, "no column \"footprint\" (or \"snp_name\")")
            .hint(format!("columns found: {}", t.headers.join(", ")))
    })?;
    let mut out = BTreeMap::new();
    for (i, r) in t.rows.iter().enumerate() {
        let code = t.get(r, c);
        let idx = *p.study.index.get(code).ok_or_else(|| {
            Error::at(path, t.line(i), format!("LSOA {code} is not in the study area"))
                .hint("use LSOA 2021 codes of the scenario's study area")
        })?;
        if out.insert(idx, t.get(r, f).to_string()).is_some() {
            return Err(Error::at(path, t.line(i), format!("LSOA {code} is listed twice")).into());
        }
    }
    Ok(out)
}

/// Run `build`.
pub fn run(args: &BuildArgs) -> anyhow::Result<()> {
    let p = Prepared::load(&args.scenario)?;
    let s = &p.scenario.build;
    let mnp_layer =
        if args.lgr_robust { "robust".to_string() } else { args.mnp_layer.clone().unwrap_or(s.mnp_layer.clone()) };
    let locks_path = args.locks.clone().or(s.locks.as_ref().map(|l| p.scenario.resolve(l)));
    let existing_path = args.existing.clone().or(s.existing.as_ref().map(|l| p.scenario.resolve(l)));
    let locks = match &locks_path {
        Some(l) => read_assignment(&p, l)?,
        None => BTreeMap::new(),
    };
    let existing = match &existing_path {
        Some(e) => {
            let m = read_assignment(&p, e)?;
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
    let cfg = BuildConfig {
        snp_target: args.snp_target.unwrap_or(s.snp_target),
        mnp_target: args.mnp_target.unwrap_or(s.mnp_target),
        tolerance: args.tolerance.unwrap_or(s.tolerance),
        snp_layer: Layer::parse(args.snp_layer.as_deref().unwrap_or(&s.snp_layer), &p)?,
        mnp_layer: Layer::parse(&mnp_layer, &p)?,
        community: s.community.clone(),
        weights,
        options: args.options.unwrap_or(s.options).max(1),
        seed: args.seed.unwrap_or(s.seed),
        strict: args.strict,
        steps_per_snp: args.steps,
        locks,
        existing,
    };
    if !(0.0..1.0).contains(&cfg.tolerance) || cfg.snp_target <= 0.0 || cfg.mnp_target <= 0.0 {
        return Err(Error::scenario("targets must be positive and the tolerance between 0 and 1").into());
    }
    let total = p.study.population() as f64;
    if cfg.snp_target * (1.0 - cfg.tolerance) > total {
        return Err(Error::infeasible(
            format!("the SNP target {:.0} is larger than the whole study area ({total:.0} people)", cfg.snp_target),
            format!("use an SNP target of at most {:.0}, or a larger study area", total),
        )
        .into());
    }
    let res = build::build(&p, &cfg)?;
    for b in res.options.iter().chain(&res.baselines) {
        let bad = footprints::export::check_plan_with(&p, &b.plan, b.kind != "pcn-baseline");
        if !bad.is_empty() {
            anyhow::bail!("internal error: {} violates hard rules: {}", b.label, bad.join("; "));
        }
    }
    let params = json!({
        "snp_target": cfg.snp_target, "mnp_target": cfg.mnp_target, "tolerance": cfg.tolerance,
        "snp_layer": cfg.snp_layer.label(&p), "mnp_layer": cfg.mnp_layer.label(&p),
        "community": cfg.community, "weights": cfg.weights, "options": cfg.options, "steps_per_snp": cfg.steps_per_snp,
        "strict": cfg.strict, "locks": locks_path.map(|l| l.display().to_string()), "existing": existing_path.map(|l| l.display().to_string()),
        "candidate_runs": res.runs,
    });
    let snp_unit = |i: usize| format!("{} / {}", cfg.mnp_layer.key(&p, i), cfg.snp_layer.key(&p, i));
    let mnp_unit = |i: usize| cfg.mnp_layer.key(&p, i);
    for b in res.options.iter().chain(&res.baselines) {
        let mut meta = footprints::export::run_meta(&p, cfg.seed, params.clone());
        meta["warnings"] = json!(res.warnings);
        footprints::export::write_built(&p, b, &args.out.join(&b.label), meta, &snp_unit, &mnp_unit)?;
    }
    // Summary across options and baselines.
    let all: Vec<&footprints::build::Built> = res.options.iter().chain(&res.baselines).collect();
    let header = [
        "label",
        "snps",
        "mnps",
        "pcn_split_pct",
        "pcns_split",
        "community_split",
        "cut_km",
        "snp_max_dev_pct",
        "mnp_max_dev_pct",
        "snps_outside_tol",
        "mnps_outside_tol",
        "objective",
    ];
    let rows: Vec<Vec<String>> = all
        .iter()
        .map(|b| {
            let m = &b.metrics;
            vec![
                b.label.clone(),
                m.snps.to_string(),
                m.mnps.to_string(),
                format!("{:.1}", m.pcn_split_share * 100.0),
                m.pcns_split.to_string(),
                format!("{:.0}", m.components.community_split.max(0.0)),
                format!("{:.1}", m.components.cut_km),
                format!("{:.1}", m.snp_max_dev_pct),
                format!("{:.1}", m.mnp_max_dev_pct),
                m.snps_outside_tolerance.to_string(),
                m.mnps_outside_tolerance.to_string(),
                format!("{:.0}", m.objective),
            ]
        })
        .collect();
    atomic_write(&args.out.join("summary.csv"), csv_string(&header, &rows).as_bytes())?;
    let mut md = format!("# Footprint options — {}\n\nfootprints {} · seed {} · SNP {:.0} / MNP {:.0} ± {:.0}% · SNP layer {} · MNP layer {}\n\n", p.study.name, footprints::VERSION, cfg.seed, cfg.snp_target, cfg.mnp_target, cfg.tolerance * 100.0, cfg.snp_layer.label(&p), cfg.mnp_layer.label(&p));
    md.push_str(&format!("| {} |\n|{}\n", header.join(" | "), "---|".repeat(header.len())));
    for r in &rows {
        md.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    md.push_str("\nShare of population changing SNP between options:\n\n| | ");
    md.push_str(&res.options.iter().map(|o| o.label.clone()).collect::<Vec<_>>().join(" | "));
    md.push_str(" |\n|---|");
    md.push_str(&"---|".repeat(res.options.len()));
    md.push('\n');
    let mut diff_rows = Vec::new();
    for (i, o) in res.options.iter().enumerate() {
        md.push_str(&format!(
            "| {} | {} |\n",
            o.label,
            res.differences[i].iter().map(|d| format!("{:.1}%", d * 100.0)).collect::<Vec<_>>().join(" | ")
        ));
        for (j, d) in res.differences[i].iter().enumerate() {
            diff_rows.push(vec![o.label.clone(), res.options[j].label.clone(), format!("{:.4}", d)]);
        }
    }
    if !res.warnings.is_empty() {
        md.push_str("\nWarnings:\n\n");
        for w in &res.warnings {
            md.push_str(&format!("- {w}\n"));
        }
    }
    atomic_write(&args.out.join("summary.md"), md.as_bytes())?;
    atomic_write(
        &args.out.join("differences.csv"),
        csv_string(&["option_a", "option_b", "population_share_changing_snp"], &diff_rows).as_bytes(),
    )?;
    print!("{md}");
    eprintln!(
        "wrote {} option(s) and {} baseline(s) to {}",
        res.options.len(),
        res.baselines.len(),
        args.out.display()
    );
    Ok(())
}
