//! `footprints report`: a self-contained HTML options appraisal that prints to A4 landscape.
//! Also home of the `NAME=PATH` display names that `report` and `compare` accept for their sets.

use super::choice::choice;
use super::map::ThemeArg;
use clap::Args;
use footprints::export::map::Theme;
use footprints::export::report::{read_explain, ReportOptions};
use footprints::io::write::atomic_write;
use footprints::score::FootprintSet;
use footprints::Prepared;
use std::path::{Path, PathBuf};

/// A footprint set named on the command line: `PATH`, or `NAME=PATH` to show it as NAME.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedSet {
    /// Display name, when given.
    pub name: Option<String>,
    /// Where the set is read from.
    pub path: PathBuf,
}

impl NamedSet {
    /// Parse `NAME=PATH` or `PATH`. A whole argument that names an existing file or folder is a
    /// path even if it holds `=`.
    pub fn parse(s: &str) -> Result<NamedSet, String> {
        let plain = NamedSet { name: None, path: PathBuf::from(s) };
        if Path::new(s).exists() {
            return Ok(plain);
        }
        match s.split_once('=') {
            None => Ok(plain),
            Some((n, p)) if n.trim().is_empty() || p.is_empty() => {
                Err(format!("\"{s}\": write a set as NAME=PATH with both parts, or as PATH alone"))
            }
            Some((n, p)) => Ok(NamedSet { name: Some(n.trim().to_string()), path: PathBuf::from(p) }),
        }
    }
}

/// Give each set its display name; sets without one keep their own label, and two sets whose
/// labels clash ("option-1" from two folders) are told apart by their parent folder
/// ("out/option-1"), then by their position.
pub fn label_sets(sets: &mut [FootprintSet], named: &[NamedSet]) {
    for (s, n) in sets.iter_mut().zip(named) {
        if let Some(name) = &n.name {
            s.label = name.clone();
        }
    }
    let clashes = |sets: &[FootprintSet], i: usize| sets.iter().filter(|s| s.label == sets[i].label).count() > 1;
    let clashing: Vec<usize> = (0..sets.len()).filter(|&i| named[i].name.is_none() && clashes(sets, i)).collect();
    for i in clashing {
        if let Some(parent) = named[i].path.parent().and_then(|p| p.file_name()) {
            sets[i].label = format!("{}/{}", parent.to_string_lossy(), sets[i].label);
        }
    }
    for i in 0..sets.len() {
        if clashes(sets, i) {
            sets[i].label = format!("{} ({})", sets[i].label, i + 1);
        }
    }
}

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Footprint sets (option folders, lookup CSVs or GeoJSON), each as PATH or NAME=PATH to show
    /// it as NAME.
    #[arg(required = true, num_args = 1.., value_parser = NamedSet::parse)]
    pub options: Vec<NamedSet>,
    /// Output HTML file.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Map themes, comma-separated: one page per option and theme (imd, deviation, pcn, access,
    /// change, footprints). change compares each option with the first (the first with the second).
    #[arg(long, value_delimiter = ',', default_value = "imd", value_parser = choice::<ThemeArg>("map theme"))]
    pub themes: Vec<ThemeArg>,
    /// Date on the cover, YYYY-MM-DD (default: $SOURCE_DATE_EPOCH's day if set, else today, UTC).
    #[arg(long)]
    pub date: Option<String>,
}

/// Validated `report` configuration.
#[derive(Debug)]
pub struct ReportConfig {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// Footprint sets, in column order.
    pub options: Vec<NamedSet>,
    /// Output HTML file.
    pub out: PathBuf,
    /// Map themes, without repeats.
    pub themes: Vec<Theme>,
    /// Cover date, YYYY-MM-DD.
    pub date: String,
}

impl ReportArgs {
    /// Check the date and the themes before anything is read.
    pub fn validate(&self) -> anyhow::Result<ReportConfig> {
        let mut themes: Vec<Theme> = Vec::new();
        for t in &self.themes {
            let t = Theme::from(*t);
            if !themes.contains(&t) {
                themes.push(t);
            }
        }
        if themes.contains(&Theme::Change) && self.options.len() < 2 {
            anyhow::bail!("--themes change needs at least two footprint sets; give another set or leave change out");
        }
        let date = match &self.date {
            Some(d) if is_date(d) => d.clone(),
            Some(d) => anyhow::bail!("--date \"{d}\" is not a date; write it as YYYY-MM-DD, e.g. 2026-04-01"),
            None => default_date(),
        };
        Ok(ReportConfig {
            scenario: self.scenario.clone(),
            options: self.options.clone(),
            out: self.out.clone(),
            themes,
            date,
        })
    }
}

fn is_date(d: &str) -> bool {
    let b = d.as_bytes();
    let num = |r: std::ops::Range<usize>| d.get(r).and_then(|s| s.parse::<u32>().ok());
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && num(0..4).is_some()
        && num(5..7).is_some_and(|m| (1..=12).contains(&m))
        && num(8..10).is_some_and(|d| (1..=31).contains(&d))
}

/// The day of `$SOURCE_DATE_EPOCH` (reproducible builds) or of now, UTC: no time of day, so the
/// same inputs give the same report all day.
fn default_date() -> String {
    let secs =
        std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.trim().parse::<i64>().ok()).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs() as i64)
        });
    civil(secs.div_euclid(86_400))
}

/// Days since 1970-01-01 as YYYY-MM-DD (Howard Hinnant's civil_from_days).
fn civil(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}

/// Run `report`.
pub fn run(a: &ReportConfig) -> anyhow::Result<()> {
    let p = Prepared::load(&a.scenario)?;
    let from = || footprints::error::from_flag("the footprint sets");
    let read = |o: &NamedSet| FootprintSet::read(&p, &o.path, None).map_err(|e| e.path_from(from()));
    let mut sets = a.options.iter().map(read).collect::<Result<Vec<_>, _>>()?;
    label_sets(&mut sets, &a.options);
    let explains =
        a.options.iter().map(|o| read_explain(&o.path).map_err(|e| e.path_from(from()))).collect::<Result<_, _>>()?;
    let o = ReportOptions {
        themes: a.themes.clone(),
        date: a.date.clone(),
        sources: a.options.iter().map(|o| o.path.display().to_string()).collect(),
        explains,
    };
    let html = footprints::export::report::report_html(&p, &sets, &o)?;
    atomic_write(&a.out, html.as_bytes())?;
    super::out::note(format_args!("wrote {} ({} KB)", a.out.display(), html.len() / 1024));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        assert_eq!(civil(0), "1970-01-01");
        assert_eq!(civil(20_454), "2026-01-01");
        assert_eq!(civil(11_016), "2000-02-29");
    }

    #[test]
    fn names_and_paths() {
        let n = NamedSet::parse("Oxon-A=out/option-1").unwrap();
        assert_eq!((n.name.as_deref(), n.path.as_path()), (Some("Oxon-A"), Path::new("out/option-1")));
        assert_eq!(NamedSet::parse("out/option-1").unwrap().name, None);
        assert!(NamedSet::parse("=out/option-1").is_err() && NamedSet::parse("A=").is_err());
        assert!(is_date("2026-04-01") && !is_date("2026-13-01") && !is_date("1/4/2026"));
    }
}
