//! `footprints map`: a print-quality PNG or SVG map.

use clap::Args;
use footprints::export::map::{self, MapSpec, Theme};
use footprints::score::FootprintSet;
use footprints::Prepared;
use std::path::PathBuf;

/// Arguments of `map`.
#[derive(Debug, Args)]
pub struct MapArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Output file: .png or .svg.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Footprints to draw (lookup.csv, footprints.geojson or an option folder).
    #[arg(long, short)]
    pub footprints: Option<PathBuf>,
    /// Second footprint set, for --theme change.
    #[arg(long)]
    pub compare_with: Option<PathBuf>,
    /// Theme: imd, deviation, pcn, access, change.
    #[arg(long, default_value = "imd")]
    pub theme: String,
    /// Page: a4 or a5 (landscape).
    #[arg(long, default_value = "a4")]
    pub page: String,
    /// Resolution in dots per inch (PNG; SVG uses it for its pixel size).
    #[arg(long, default_value_t = 150.0)]
    pub dpi: f64,
    /// Dashed boundary layer: lad, none, or an LGR option name.
    #[arg(long, default_value = "lad")]
    pub boundary: String,
    /// Map title (default: scenario name and theme).
    #[arg(long)]
    pub title: Option<String>,
    /// Leave out the GP practice symbols.
    #[arg(long)]
    pub no_practices: bool,
}

/// Run `map`.
pub fn run(a: &MapArgs) -> anyhow::Result<()> {
    let theme = Theme::parse(&a.theme)?;
    let page_mm = match a.page.to_ascii_lowercase().as_str() {
        "a4" => (297.0, 210.0),
        "a5" => (210.0, 148.0),
        "a3" => (420.0, 297.0),
        other => anyhow::bail!("unknown page size \"{other}\"; use a4, a5 or a3"),
    };
    if !(50.0..=600.0).contains(&a.dpi) {
        anyhow::bail!("--dpi {} is outside 50–600", a.dpi);
    }
    let p = Prepared::load(&a.scenario)?;
    let fp = a.footprints.as_ref().map(|f| FootprintSet::read(&p, f, None)).transpose()?;
    let other = a.compare_with.as_ref().map(|f| FootprintSet::read(&p, f, None)).transpose()?;
    let theme_name = match theme {
        Theme::Imd => "deprivation",
        Theme::Deviation => "population against target",
        Theme::Pcn => "PCN coterminosity",
        Theme::Access => "access to GP practices",
        Theme::Change => "change between options",
    };
    let title = a.title.clone().unwrap_or_else(|| match &fp {
        Some(f) => format!("{} — {} footprints, {}", p.study.name, f.label, theme_name),
        None => format!("{} — {}", p.study.name, theme_name),
    });
    let spec = MapSpec {
        title,
        theme,
        page_mm,
        dpi: a.dpi,
        footprints: fp.as_ref(),
        other: other.as_ref(),
        boundary: a.boundary.clone(),
        practices: !a.no_practices,
        target: p.scenario.build.snp_target,
    };
    map::render(&p, &spec, &a.out)?;
    eprintln!("wrote {}", a.out.display());
    Ok(())
}
