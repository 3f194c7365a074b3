//! `footprints score` and `footprints compare`: parse flags into typed options, score, and hand the
//! results to `export::scores` for writing.

use clap::{Args, ValueEnum};
use footprints::export::scores::{self as out, pair_moves};
use footprints::io::outdir::{Command, OutDir};
use footprints::score::{self, FootprintSet, ScoreOptions};
use footprints::Prepared;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Footprint level to score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Level {
    /// Small neighbourhood partnerships (target = build.snp_target).
    Snp,
    /// Multi-neighbourhood partnerships, from the set's MNP column (target = build.mnp_target).
    Mnp,
}

/// Scoring flags shared by `score` and `compare`.
#[derive(Debug, Args)]
pub struct ScoreFlags {
    /// Footprint level to score.
    #[arg(long, value_enum, default_value_t = Level::Snp)]
    pub level: Level,
    /// Override the target population.
    #[arg(long)]
    pub target: Option<f64>,
    /// Circuity factor applied to straight-line distances (e.g. 1.3 for road distance).
    #[arg(long, default_value_t = 1.0)]
    pub circuity: f64,
    /// Column of the lookup CSV (or GeoJSON property) holding the footprint name.
    #[arg(long)]
    pub column: Option<String>,
    /// Travel-time matrix CSV (lsoa_code, practice_code/site_code, minutes): access in minutes instead of km.
    #[arg(long)]
    pub matrix: Option<PathBuf>,
    /// Named hubs CSV (footprint, practice_code): each footprint's hub instead of the best practice inside.
    #[arg(long)]
    pub hubs: Option<PathBuf>,
}

/// Arguments of `score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Footprints: lookup.csv (lsoa_code + footprint column), footprints.geojson, or an option folder.
    #[arg(long, short)]
    pub footprints: PathBuf,
    /// Output folder for scores.json, scores.csv and summary.md.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub flags: ScoreFlags,
}

/// Arguments of `compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Footprint sets to compare (lookup CSVs, GeoJSON files or option folders).
    #[arg(required = true, num_args = 2..)]
    pub options: Vec<PathBuf>,
    /// Output folder for compare.md, compare.csv, moves.csv and per-option scores.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub flags: ScoreFlags,
}

/// Read a set and turn the flags into options for it (the MNP level scores the set's MNPs).
fn read_set(p: &Prepared, f: &ScoreFlags, path: &Path) -> anyhow::Result<(FootprintSet, ScoreOptions)> {
    let set = FootprintSet::read(p, path, f.column.as_deref())?;
    let b = &p.scenario.build;
    let (target, set) = match f.level {
        Level::Snp => (b.snp_target, set),
        Level::Mnp => {
            let m =
                set.mnp.ok_or_else(|| anyhow::anyhow!("--level mnp needs a footprint set with an mnp_name column"))?;
            (b.mnp_target, FootprintSet { label: set.label, footprint: m, mnp: None })
        }
    };
    if f.circuity < 1.0 {
        anyhow::bail!("--circuity {} is below 1; a route is never shorter than the straight line", f.circuity);
    }
    let matrix = f.matrix.as_ref().map(|m| footprints::io::matrix::TravelMatrix::read(&p.study, m)).transpose()?;
    let hubs = f.hubs.as_ref().map(|path| read_hubs(p, &set, path)).transpose()?.unwrap_or_default();
    // With a travel-time matrix, thresholds are minutes.
    let thresholds = if matrix.is_some() { vec![10.0, 20.0, 30.0] } else { vec![1.6, 5.0, 10.0] };
    let o = ScoreOptions {
        target: f.target.unwrap_or(target),
        tolerance: b.tolerance,
        circuity: f.circuity,
        thresholds,
        matrix,
        hubs,
        ..Default::default()
    };
    Ok((set, o))
}

/// Run `score`.
pub fn run_score(a: &ScoreArgs) -> anyhow::Result<()> {
    let dir = a.out.as_ref().map(|d| OutDir::begin(d, Command::Score)).transpose()?;
    let p = Prepared::load(&a.scenario)?;
    let (set, o) = read_set(&p, &a.flags, &a.footprints)?;
    let s = score::score(&p, &set, &o);
    let md = out::summary_md(&s);
    if let Some(dir) = dir {
        out::write_scores(dir.path(), &s, Some(&md))?;
        dir.commit()?;
    }
    super::out::print(&md)?;
    Ok(())
}

/// Run `compare`.
pub fn run_compare(a: &CompareArgs) -> anyhow::Result<()> {
    let dir = a.out.as_ref().map(|d| OutDir::begin(d, Command::Compare)).transpose()?;
    let p = Prepared::load(&a.scenario)?;
    let (mut sets, mut all) = (Vec::new(), Vec::new());
    for path in &a.options {
        let (set, o) = read_set(&p, &a.flags, path)?;
        all.push(score::score(&p, &set, &o));
        sets.push(set);
    }
    // Unique labels.
    for i in 0..all.len() {
        if all.iter().filter(|s| s.label == all[i].label).count() > 1 {
            all[i].label = format!("{} ({})", all[i].label, i + 1);
            sets[i].label = all[i].label.clone();
        }
    }
    let mv = pair_moves(&p, &sets);
    let md = out::compare_md(&p.study.name, &all, &mv, p.study.population());
    if let Some(dir) = dir {
        out::write_compare(dir.path(), &md, &all, &mv)?;
        dir.commit()?;
    }
    super::out::print(&md)?;
    Ok(())
}

fn read_hubs(p: &Prepared, set: &FootprintSet, path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    use footprints::error::Error;
    let t = footprints::io::table::Table::read(path)?;
    let (f, c) = (t.col("footprint")?, t.col("practice_code")?);
    let names: BTreeSet<&String> = set.footprint.iter().collect();
    let mut hubs = BTreeMap::new();
    for (i, r) in t.rows.iter().enumerate() {
        let (fp, code) = (t.get(r, f).to_string(), t.get(r, c).to_string());
        if !names.contains(&fp) {
            return Err(Error::at(path, t.line(i), format!("no footprint named \"{fp}\" in the set"))
                .hint("use the footprint names of the lookup (snp_name)")
                .into());
        }
        if !p.study.practices.iter().any(|pr| pr.code == code) {
            return Err(
                Error::at(path, t.line(i), format!("practice {code} is not in the scenario's practices")).into()
            );
        }
        hubs.insert(fp, code);
    }
    Ok(hubs)
}
