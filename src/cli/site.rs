//! `footprints site`: where should neighbourhood health centres go?

use clap::Args;
use footprints::io::crs;
use footprints::io::write::{atomic_write, csv_string};
use footprints::score::FootprintSet;
use footprints::site::run::{self, SiteConfig};
use footprints::site::Objective;
use footprints::Prepared;
use serde_json::json;
use std::path::PathBuf;

/// Arguments of `site`.
#[derive(Debug, Args)]
pub struct SiteArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// One hub per footprint of this set (lookup.csv, footprints.geojson or option folder); else k across the area.
    #[arg(long, short)]
    pub footprints: Option<PathBuf>,
    /// Candidates: "practices" or a CSV (code, name, easting/northing or lat/lon, capacity, must_open) or GeoJSON points.
    #[arg(long, default_value = "practices")]
    pub candidates: String,
    /// Number of sites across the study area (without --footprints).
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// median (least weighted distance), coverage (most demand within --radius-km) or centre (least worst distance).
    #[arg(long, default_value = "median")]
    pub objective: String,
    /// Deprivation weight α: demand = population × (1 + α × deprivation); 0 = plain population.
    #[arg(long, default_value_t = 1.0)]
    pub alpha: f64,
    /// Extra multiplier on Core20 LSOAs' demand (Core20 priority); 1 = none.
    #[arg(long, default_value_t = 1.0)]
    pub core20_weight: f64,
    /// Coverage radius in km (coverage objective).
    #[arg(long, default_value_t = 5.0)]
    pub radius_km: f64,
    /// Circuity factor on straight-line distances.
    #[arg(long, default_value_t = 1.0)]
    pub circuity: f64,
    /// Travel-time matrix CSV (lsoa_code, site_code, minutes) instead of straight-line km.
    #[arg(long)]
    pub matrix: Option<PathBuf>,
    /// Let candidates outside the study area be chosen.
    #[arg(long)]
    pub allow_outside: bool,
    /// Output folder: sites.csv, sites.geojson, assignment.csv, summary.md, site.json.
    #[arg(long, short)]
    pub out: PathBuf,
}

/// Run `site`.
pub fn run(a: &SiteArgs) -> anyhow::Result<()> {
    let objective = Objective::parse(&a.objective)
        .ok_or_else(|| anyhow::anyhow!("unknown --objective \"{}\"; use median, coverage or centre", a.objective))?;
    if a.alpha < 0.0 || a.core20_weight <= 0.0 || a.circuity < 1.0 || a.radius_km <= 0.0 {
        anyhow::bail!("--alpha must be ≥ 0, --core20-weight > 0, --circuity ≥ 1 and --radius-km > 0");
    }
    let p = Prepared::load(&a.scenario)?;
    let cands = run::read_candidates(&p, &a.candidates)?;
    let fp = a.footprints.as_ref().map(|f| FootprintSet::read(&p, f, None)).transpose()?;
    let matrix = a.matrix.as_ref().map(|m| footprints::io::matrix::TravelMatrix::read(&p.study, m)).transpose()?;
    let cfg = SiteConfig {
        matrix,
        objective,
        k: a.k,
        alpha: a.alpha,
        core20_weight: a.core20_weight,
        radius_km: a.radius_km,
        circuity: a.circuity,
        allow_outside: a.allow_outside,
        exact_limit: 2e5,
    };
    let res = run::run(&p, &cands, fp.as_ref(), &cfg)?;
    let rows: Vec<Vec<String>> = res
        .sites
        .iter()
        .map(|r| {
            let c = cands.iter().find(|c| c.code == r.code).unwrap();
            vec![
                r.code.clone(),
                r.name.clone(),
                r.footprint.clone(),
                format!("{:.0}", r.population),
                format!("{:.0}", r.core20_population),
                format!("{:.0}", r.weighted_km),
                format!("{:.2}", r.mean_km),
                format!("{:.0}", c.xy.x),
                format!("{:.0}", c.xy.y),
                r.capacity.map(|x| format!("{x:.0}")).unwrap_or_default(),
            ]
        })
        .collect();
    atomic_write(
        &a.out.join("sites.csv"),
        csv_string(
            &[
                "code",
                "name",
                "footprint",
                "population_served",
                "core20_population_served",
                "weighted_km",
                "mean_km",
                "easting",
                "northing",
                "capacity",
            ],
            &rows,
        )
        .as_bytes(),
    )?;
    let feats: Vec<serde_json::Value> = res
        .sites
        .iter()
        .map(|r| {
            let c = cands.iter().find(|c| c.code == r.code).unwrap();
            let ll = crs::bng_to_wgs84(c.xy.x, c.xy.y).unwrap_or_default();
            json!({"type": "Feature", "properties": {"code": r.code, "name": r.name, "footprint": r.footprint, "population_served": r.population.round(), "core20_population_served": r.core20_population.round(), "mean_km": (r.mean_km * 100.0).round() / 100.0},
                   "geometry": {"type": "Point", "coordinates": [(ll.x * 1e6).round() / 1e6, (ll.y * 1e6).round() / 1e6]}})
        })
        .collect();
    let meta = json!({"tool": "footprints", "version": footprints::VERSION, "inputs": p.report.inputs, "objective": a.objective, "k": a.k, "alpha": a.alpha, "core20_weight": a.core20_weight, "radius_km": a.radius_km, "circuity": a.circuity, "candidates": a.candidates,
        "solutions": res.solutions.iter().map(|(n, s)| json!({"problem": n, "value": s.value, "exact": s.exact, "lower_bound": s.bound})).collect::<Vec<_>>(), "access": res.access, "warnings": res.warnings});
    let gj = json!({"type": "FeatureCollection", "footprints": meta, "features": feats});
    atomic_write(&a.out.join("sites.geojson"), (serde_json::to_string(&gj)? + "\n").as_bytes())?;
    let arows: Vec<Vec<String>> =
        res.assignment.iter().map(|(l, s, d)| vec![l.clone(), s.clone(), format!("{d:.3}")]).collect();
    atomic_write(&a.out.join("assignment.csv"), csv_string(&["lsoa_code", "site_code", "km"], &arows).as_bytes())?;
    atomic_write(&a.out.join("site.json"), (serde_json::to_string_pretty(&meta)? + "\n").as_bytes())?;
    let mut md = format!("# Sites — {}\n\nObjective {} · α = {} · Core20 weight {} · {}\n\n| site | name | footprint | people served | Core20 served | mean km |\n|---|---|---|---|---|---|\n", p.study.name, a.objective, a.alpha, a.core20_weight, if fp.is_some() { "one hub per footprint".to_string() } else { format!("k = {}", a.k) });
    for r in &rows {
        md.push_str(&format!("| {} | {} | {} | {} | {} | {} |\n", r[0], r[1], r[2], r[3], r[4], r[6]));
    }
    md.push_str("\n| access | km |\n|---|---|\n");
    for (k, v) in &res.access {
        md.push_str(&format!("| {k} | {v:.2} |\n"));
    }
    let exact = res.solutions.iter().filter(|s| s.1.exact).count();
    md.push_str(&format!(
        "\n{} of {} problem(s) solved exactly (enumeration); the rest by greedy + Teitz–Bart interchange",
        exact,
        res.solutions.len()
    ));
    if let Some((_, s)) = res.solutions.iter().find(|s| !s.1.exact && s.1.bound.is_some()) {
        let b = s.bound.unwrap();
        md.push_str(&format!(" (gap to Lagrangian bound {:.2}%)", (s.value - b) / s.value * 100.0));
    }
    md.push_str(".\n");
    for w in &res.warnings {
        md.push_str(&format!("\n- {w}"));
    }
    atomic_write(&a.out.join("summary.md"), md.as_bytes())?;
    print!("{md}");
    Ok(())
}
