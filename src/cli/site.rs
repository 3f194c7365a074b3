//! `footprints site`: where should neighbourhood health centres go?

use super::choice::{self, choice};
use super::out;
use super::validate::{above, at_least, between};
use clap::{Args, ValueEnum};
use footprints::error::from_flag;
use footprints::io::crs;
use footprints::io::matrix::MAX_COST;
use footprints::io::outdir::{Command, OutDir};
use footprints::io::write::{atomic_write, csv_string};
use footprints::score::FootprintSet;
use footprints::site::run::{self, Candidate, SiteConfig, SiteResult};
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
    /// Number of sites across the study area (without --footprints), at least 1.
    #[arg(long, default_value_t = 10)]
    pub k: usize,
    /// median (least weighted distance), coverage (most demand within --radius-km) or centre (least worst distance).
    #[arg(long, default_value = "median", value_parser = choice::<ObjectiveArg>("--objective"))]
    pub objective: ObjectiveArg,
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

/// `--objective`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ObjectiveArg {
    /// p-median: least demand-weighted distance.
    #[value(alias = "p-median")]
    Median,
    /// Maximal coverage: most demand within --radius-km.
    #[value(alias = "mclp")]
    Coverage,
    /// p-centre: least worst distance.
    #[value(aliases = ["center", "p-centre", "p-center"])]
    Centre,
}

impl From<ObjectiveArg> for Objective {
    fn from(o: ObjectiveArg) -> Objective {
        match o {
            ObjectiveArg::Median => Objective::Median,
            ObjectiveArg::Coverage => Objective::Coverage,
            ObjectiveArg::Centre => Objective::Centre,
        }
    }
}

/// Validated `site` configuration: flags checked, files not yet read.
#[derive(Debug)]
pub struct SiteRun {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// One hub per footprint of this set.
    pub footprints: Option<PathBuf>,
    /// "practices" or a candidates file.
    pub candidates: String,
    /// Objective.
    pub objective: Objective,
    /// Its canonical name, for the run record.
    pub objective_name: String,
    /// Sites across the area, ≥ 1.
    pub k: usize,
    /// Deprivation weight, finite ≥ 0.
    pub alpha: f64,
    /// Core20 multiplier, finite > 0.
    pub core20_weight: f64,
    /// Coverage radius, finite > 0.
    pub radius_km: f64,
    /// Circuity, finite ≥ 1.
    pub circuity: f64,
    /// Travel-time matrix.
    pub matrix: Option<PathBuf>,
    /// Allow candidates outside the study area.
    pub allow_outside: bool,
    /// Output folder.
    pub out: PathBuf,
}

impl SiteArgs {
    /// Check every numeric flag (NaN and infinities rejected) before any file is read: --k ≥ 1,
    /// --alpha 0–100, --core20-weight above 0 up to 100, --radius-km above 0 up to 1,440 (km, or
    /// minutes with a matrix), --circuity 1–10.
    pub fn validate(&self) -> anyhow::Result<SiteRun> {
        if self.k == 0 {
            anyhow::bail!("--k must be at least 1 (got 0)");
        }
        Ok(SiteRun {
            scenario: self.scenario.clone(),
            footprints: self.footprints.clone(),
            candidates: self.candidates.clone(),
            objective: self.objective.into(),
            objective_name: choice::name(&self.objective),
            k: self.k,
            alpha: between("alpha", at_least("alpha", self.alpha, 0.0)?, 0.0, 100.0)?,
            core20_weight: between("core20-weight", above("core20-weight", self.core20_weight, 0.0)?, 0.0, 100.0)?,
            radius_km: between("radius-km", above("radius-km", self.radius_km, 0.0)?, 0.0, MAX_COST)?,
            circuity: between("circuity", at_least("circuity", self.circuity, 1.0)?, 1.0, 10.0)?,
            matrix: self.matrix.clone(),
            allow_outside: self.allow_outside,
            out: self.out.clone(),
        })
    }
}

/// Run `site`: load, solve, write the five outputs, print the summary.
pub fn run(a: &SiteRun) -> anyhow::Result<()> {
    let dir = OutDir::begin(&a.out, Command::Site)?;
    let p = Prepared::load(&a.scenario)?;
    let cands = run::read_candidates(&p, &a.candidates).map_err(|e| e.path_from(from_flag("--candidates")))?;
    let fp = a
        .footprints
        .as_ref()
        .map(|f| FootprintSet::read(&p, f, None).map_err(|e| e.path_from(from_flag("--footprints"))))
        .transpose()?;
    let matrix = a
        .matrix
        .as_ref()
        .map(|m| {
            footprints::io::matrix::TravelMatrix::read(&p.study, m).map_err(|e| e.path_from(from_flag("--matrix")))
        })
        .transpose()?;
    let cfg = SiteConfig {
        matrix,
        objective: a.objective,
        k: a.k,
        alpha: a.alpha,
        core20_weight: a.core20_weight,
        radius_km: a.radius_km,
        circuity: a.circuity,
        allow_outside: a.allow_outside,
        exact_limit: 2e5,
    };
    let res = run::run(&p, &cands, fp.as_ref(), &cfg)?;
    // Costs are km, or the travel-time matrix's minutes: every column and label says which.
    let unit = if cfg.matrix.is_some() { "min" } else { "km" };
    let rows = site_rows(&res, &cands);
    let columns = site_columns(unit);
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    atomic_write(&dir.path().join("sites.csv"), csv_string(&columns, &rows).as_bytes())?;
    let meta = json!({"tool": "footprints", "version": footprints::VERSION, "inputs": p.report.inputs, "objective": a.objective_name, "k": a.k, "alpha": a.alpha, "core20_weight": a.core20_weight, "radius_km": a.radius_km, "circuity": a.circuity, "candidates": a.candidates,
        "solutions": res.solutions.iter().map(|(n, s)| json!({"problem": n, "value": s.value, "exact": s.exact, "lower_bound": s.bound})).collect::<Vec<_>>(), "access": res.access, "warnings": res.warnings});
    let gj = json!({"type": "FeatureCollection", "footprints": meta, "features": site_features(&res, &cands, unit)});
    atomic_write(&dir.path().join("sites.geojson"), (serde_json::to_string(&gj)? + "\n").as_bytes())?;
    let arows: Vec<Vec<String>> =
        res.assignment.iter().map(|(l, s, d)| vec![l.clone(), s.clone(), format!("{d:.3}")]).collect();
    atomic_write(&dir.path().join("assignment.csv"), csv_string(&["lsoa_code", "site_code", unit], &arows).as_bytes())?;
    atomic_write(&dir.path().join("site.json"), (serde_json::to_string_pretty(&meta)? + "\n").as_bytes())?;
    let md = summary_md(a, &p.study.name, fp.is_some(), &rows, &res, unit);
    atomic_write(&dir.path().join("summary.md"), md.as_bytes())?;
    dir.commit()?;
    out::print(&md)?;
    Ok(())
}

/// `sites.csv` columns; cost columns carry the unit (`km`, or `min` with a travel-time matrix).
fn site_columns(unit: &str) -> Vec<String> {
    let fixed = ["code", "name", "footprint", "population_served", "core20_population_served"];
    let mut c: Vec<String> = fixed.iter().map(|s| s.to_string()).collect();
    c.extend([format!("weighted_{unit}"), format!("mean_{unit}")]);
    c.extend(["easting", "northing", "capacity"].iter().map(|s| s.to_string()));
    c
}

/// One `sites.csv` row per chosen site, in `site_columns` order.
fn site_rows(res: &SiteResult, cands: &[Candidate]) -> Vec<Vec<String>> {
    res.sites
        .iter()
        .map(|r| {
            let c = cands.iter().find(|c| c.code == r.code).unwrap();
            vec![
                r.code.clone(),
                r.name.clone(),
                r.footprint.clone(),
                format!("{:.0}", r.population),
                format!("{:.0}", r.core20_population),
                format!("{:.0}", r.weighted_cost),
                format!("{:.2}", r.mean_cost),
                format!("{:.0}", c.xy.x),
                format!("{:.0}", c.xy.y),
                r.capacity.map(|x| format!("{x:.0}")).unwrap_or_default(),
            ]
        })
        .collect()
}

/// GeoJSON point features (WGS84) of the chosen sites.
fn site_features(res: &SiteResult, cands: &[Candidate], unit: &str) -> Vec<serde_json::Value> {
    res.sites
        .iter()
        .map(|r| {
            let c = cands.iter().find(|c| c.code == r.code).unwrap();
            let ll = crs::bng_to_wgs84(c.xy.x, c.xy.y).unwrap_or_default();
            let mean = (r.mean_cost * 100.0).round() / 100.0;
            json!({"type": "Feature", "properties": {"code": r.code, "name": r.name, "footprint": r.footprint, "population_served": r.population.round(), "core20_population_served": r.core20_population.round(), format!("mean_{unit}"): mean},
                   "geometry": {"type": "Point", "coordinates": [(ll.x * 1e6).round() / 1e6, (ll.y * 1e6).round() / 1e6]}})
        })
        .collect()
}

/// `summary.md`, also printed: settings, sites, access before and after, how each problem was solved.
fn summary_md(
    a: &SiteRun,
    study: &str,
    per_footprint: bool,
    rows: &[Vec<String>],
    res: &SiteResult,
    unit: &str,
) -> String {
    let mut md = format!("# Sites — {}\n\nObjective {} · α = {} · Core20 weight {} · {}\n\n| site | name | footprint | people served | Core20 served | mean {unit} |\n|---|---|---|---|---|---|\n", study, a.objective_name, a.alpha, a.core20_weight, if per_footprint { "one hub per footprint".to_string() } else { format!("k = {}", a.k) });
    for r in rows {
        md.push_str(&format!("| {} | {} | {} | {} | {} | {} |\n", r[0], r[1], r[2], r[3], r[4], r[6]));
    }
    // Keys carry their unit (before: km to the nearest practice; after: the cost unit).
    md.push_str(if unit == "km" { "\n| access | km |\n|---|---|\n" } else { "\n| access | value |\n|---|---|\n" });
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
    md
}
