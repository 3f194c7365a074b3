//! `footprints score` and `footprints compare`: parse flags into typed options, score, and hand the
//! results to `export::scores` for writing.

use clap::{Args, ValueEnum};
use footprints::error::from_flag;
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
    /// Footprint sets to compare (lookup CSVs, GeoJSON files or option folders), each as PATH or
    /// NAME=PATH to show it as NAME.
    #[arg(required = true, num_args = 2.., value_parser = super::report::NamedSet::parse)]
    pub options: Vec<super::report::NamedSet>,
    /// Output folder for compare.md, compare.csv, moves.csv and per-option scores.
    #[arg(long, short)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    pub flags: ScoreFlags,
}

impl ScoreFlags {
    /// Range checks before any file is read: --target 1–100,000,000 people, --circuity 1–10 (a route
    /// is never shorter than the straight line); NaN and infinities refused.
    pub fn check(&self) -> anyhow::Result<()> {
        use super::validate::between;
        if let Some(t) = self.target {
            between("target", t, 1.0, footprints::scenario::MAX_TARGET)?;
        }
        between("circuity", self.circuity, 1.0, 10.0)?;
        Ok(())
    }
}

/// Read a set and turn the flags into options for it (the MNP level scores the set's MNPs).
fn read_set(p: &Prepared, f: &ScoreFlags, path: &Path, set_flag: &str) -> anyhow::Result<(FootprintSet, ScoreOptions)> {
    let set = FootprintSet::read(p, path, f.column.as_deref()).map_err(|e| e.path_from(from_flag(set_flag)))?;
    let b = &p.scenario.build;
    let (target, set) = match f.level {
        Level::Snp => (b.snp_target, set),
        Level::Mnp => {
            let m =
                set.mnp.ok_or_else(|| anyhow::anyhow!("--level mnp needs a footprint set with an mnp_name column"))?;
            (b.mnp_target, FootprintSet { label: set.label, footprint: m, mnp: None })
        }
    };
    let matrix = f
        .matrix
        .as_ref()
        .map(|m| {
            footprints::io::matrix::TravelMatrix::read(&p.study, m).map_err(|e| e.path_from(from_flag("--matrix")))
        })
        .transpose()?;
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
    a.flags.check()?;
    let dir = a.out.as_ref().map(|d| OutDir::begin(d, Command::Score)).transpose()?;
    let p = Prepared::load(&a.scenario)?;
    let (set, o) = read_set(&p, &a.flags, &a.footprints, "--footprints")?;
    let s = score::score(&p, &set, &o);
    warn_pieces(&s);
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
    a.flags.check()?;
    let dir = a.out.as_ref().map(|d| OutDir::begin(d, Command::Compare)).transpose()?;
    let p = Prepared::load(&a.scenario)?;
    let (mut sets, mut opts, mut all) = (Vec::new(), Vec::new(), Vec::new());
    for set in &a.options {
        let (set, o) = read_set(&p, &a.flags, &set.path, "the footprint sets to compare")?;
        sets.push(set);
        opts.push(o);
    }
    // Display names, then labels that tell sets apart.
    super::report::label_sets(&mut sets, &a.options);
    for (set, o) in sets.iter().zip(&opts) {
        let s = score::score(&p, set, o);
        warn_pieces(&s);
        all.push(s);
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

/// A footprint in more than one piece is usually a mistake in the set (a lookup that cuts it up):
/// say so on stderr, as well as in the contiguity metric.
fn warn_pieces(s: &score::Scores) {
    let Some(names) = s.get("contiguity.split").and_then(|m| m.names.as_ref()).filter(|n| !n.is_empty()) else {
        return;
    };
    let eg = names.iter().take(8).cloned().collect::<Vec<_>>().join(", ");
    eprintln!(
        "warning: {}: {} footprint(s) are not contiguous (in more than one piece): {eg}; check the set assigns each \
         footprint one connected group of LSOAs",
        s.label,
        names.len()
    );
}

fn read_hubs(p: &Prepared, set: &FootprintSet, path: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    use footprints::error::Error;
    let t = footprints::io::table::Table::read(path).map_err(|e| e.path_from(from_flag("--hubs")))?;
    let (f, c) = (t.col("footprint")?, t.col("practice_code")?);
    let names: BTreeSet<&String> = set.footprint.iter().collect();
    let mut hubs = BTreeMap::new();
    let mut seen = std::collections::HashMap::new();
    for (i, r) in t.rows.iter().enumerate() {
        let (fp, code) = (t.get(r, f).to_string(), t.get(r, c).to_string());
        t.first_row(&mut seen, fp.clone(), i, || format!("footprint \"{fp}\" is given two hubs"))
            .map_err(|e| e.hint("name one hub per footprint"))?;
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
