//! `footprints score` and `footprints compare`.

use clap::Args;
use footprints::io::write::{atomic_write, csv_string};
use footprints::score::{self, FootprintSet, ScoreOptions};
use footprints::Prepared;
use std::path::PathBuf;

/// Scoring flags shared by `score` and `compare`.
#[derive(Debug, Args)]
pub struct ScoreFlags {
    /// Footprint level to score: snp (target = build.snp_target) or mnp (build.mnp_target).
    #[arg(long, default_value = "snp")]
    pub level: String,
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

fn options(p: &Prepared, f: &ScoreFlags, set: &FootprintSet) -> anyhow::Result<(FootprintSet, ScoreOptions)> {
    let b = &p.scenario.build;
    let (target, set) = match f.level.as_str() {
        "snp" => (b.snp_target, set.clone()),
        "mnp" => {
            let m = set
                .mnp
                .clone()
                .ok_or_else(|| anyhow::anyhow!("--level mnp needs a footprint set with an mnp_name column"))?;
            (b.mnp_target, FootprintSet { label: set.label.clone(), footprint: m, mnp: None })
        }
        other => anyhow::bail!("unknown --level \"{other}\"; use snp or mnp"),
    };
    if f.circuity < 1.0 {
        anyhow::bail!("--circuity {} is below 1; a route is never shorter than the straight line", f.circuity);
    }
    let matrix = f.matrix.as_ref().map(|m| footprints::io::matrix::TravelMatrix::read(&p.study, m)).transpose()?;
    let hubs = match &f.hubs {
        Some(path) => read_hubs(p, &set, path)?,
        None => Default::default(),
    };
    // With a travel-time matrix, thresholds are minutes.
    let thresholds_km = if matrix.is_some() { vec![10.0, 20.0, 30.0] } else { vec![1.6, 5.0, 10.0] };
    Ok((
        set,
        ScoreOptions {
            target: f.target.unwrap_or(target),
            tolerance: b.tolerance,
            circuity: f.circuity,
            thresholds_km,
            matrix,
            hubs,
            ..Default::default()
        },
    ))
}

/// Run `score`.
pub fn run_score(a: &ScoreArgs) -> anyhow::Result<()> {
    let p = Prepared::load(&a.scenario)?;
    let set = FootprintSet::read(&p, &a.footprints, a.flags.column.as_deref())?;
    let (set, o) = options(&p, &a.flags, &set)?;
    let s = score::score(&p, &set, &o);
    let md = score::summary_md(&s);
    if let Some(out) = &a.out {
        atomic_write(&out.join("scores.json"), (serde_json::to_string_pretty(&s)? + "\n").as_bytes())?;
        atomic_write(&out.join("scores.csv"), score::rows_csv(&s).as_bytes())?;
        atomic_write(&out.join("summary.md"), md.as_bytes())?;
    }
    print!("{md}");
    Ok(())
}

/// Run `compare`.
pub fn run_compare(a: &CompareArgs) -> anyhow::Result<()> {
    let p = Prepared::load(&a.scenario)?;
    let mut sets = Vec::new();
    let mut all = Vec::new();
    for path in &a.options {
        let set = FootprintSet::read(&p, path, a.flags.column.as_deref())?;
        let (set, o) = options(&p, &a.flags, &set)?;
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
    let (mut md, csv) = score::comparison_tables(&all);
    md = format!("# Options compared — {}\n\nBest value in each row in bold.\n\n{md}\n## Changes between options\n\n| from | to | LSOAs moving | people moving |\n|---|---|---|---|\n", p.study.name);
    let mut move_rows = Vec::new();
    for i in 0..sets.len() {
        for j in 0..sets.len() {
            if i == j {
                continue;
            }
            let mv = score::moves(&p, &sets[i], &sets[j]);
            let people: u64 = mv.iter().map(|m| m.3).sum();
            {
                md.push_str(&format!(
                    "| {} | {} | {} | {} ({:.1}%) |\n",
                    sets[i].label,
                    sets[j].label,
                    mv.len(),
                    people,
                    people as f64 / p.study.population() as f64 * 100.0
                ));
                for (code, f, t, n) in mv {
                    move_rows.push(vec![sets[i].label.clone(), sets[j].label.clone(), code, f, t, n.to_string()]);
                }
            }
        }
    }
    if let Some(out) = &a.out {
        atomic_write(&out.join("compare.md"), md.as_bytes())?;
        atomic_write(&out.join("compare.csv"), csv.as_bytes())?;
        atomic_write(
            &out.join("moves.csv"),
            csv_string(&["option_a", "option_b", "lsoa_code", "footprint_a", "footprint_b", "population"], &move_rows)
                .as_bytes(),
        )?;
        for s in &all {
            let dir = out.join(sanitize(&s.label));
            atomic_write(&dir.join("scores.json"), (serde_json::to_string_pretty(s)? + "\n").as_bytes())?;
            atomic_write(&dir.join("scores.csv"), score::rows_csv(s).as_bytes())?;
        }
    }
    print!("{md}");
    Ok(())
}

fn read_hubs(
    p: &Prepared,
    set: &FootprintSet,
    path: &std::path::Path,
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    use footprints::error::Error;
    let t = footprints::io::table::Table::read(path)?;
    let (f, c) = (t.col("footprint")?, t.col("practice_code")?);
    let names: std::collections::BTreeSet<&String> = set.footprint.iter().collect();
    let mut out = std::collections::BTreeMap::new();
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
        out.insert(fp, code);
    }
    Ok(out)
}

fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}
