//! `footprints map`: a print-quality PNG or SVG map.

use super::choice::choice;
use super::report::NamedSet;
use clap::{Args, ValueEnum};
use footprints::build::Layer;
use footprints::error::from_flag;
use footprints::export::map::{self, MapSpec, Theme};
use footprints::score::FootprintSet;
use footprints::{Error, Prepared};
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
    /// Footprints to draw (lookup.csv, footprints.geojson or an option folder), as PATH or NAME=PATH
    /// to call the set NAME in the title.
    #[arg(long, short, value_parser = NamedSet::parse)]
    pub footprints: Option<NamedSet>,
    /// Second footprint set, for --theme change (PATH or NAME=PATH).
    #[arg(long, value_parser = NamedSet::parse)]
    pub compare_with: Option<NamedSet>,
    /// What the LSOA fill shows.
    #[arg(long, default_value = "imd", value_parser = choice::<ThemeArg>("map theme"))]
    pub theme: ThemeArg,
    /// Page size (landscape unless --portrait).
    #[arg(long, default_value = "a4", ignore_case = true, value_parser = choice::<Page>("page size"))]
    pub page: Page,
    /// Portrait page (taller than wide) instead of landscape.
    #[arg(long)]
    pub portrait: bool,
    /// Resolution in dots per inch, 50–600 (PNG; SVG uses it for its pixel size).
    #[arg(long, default_value_t = 150.0)]
    pub dpi: f64,
    /// Dashed boundary layer: lad, none, robust (all LGR options overlaid), an LGR option or an extra
    /// [[layers]] name.
    #[arg(long, default_value = "lad")]
    pub boundary: String,
    /// Map title (default: scenario name and theme).
    #[arg(long)]
    pub title: Option<String>,
    /// Leave out the GP practice symbols.
    #[arg(long)]
    pub no_practices: bool,
    /// Draw PCN catchment outlines (the LSOAs dissolved by their PCN).
    #[arg(long)]
    pub pcn_outlines: bool,
    /// Draw the sites of a `footprints site` run: its output folder, sites.geojson or sites.csv.
    #[arg(long, value_name = "DIR|sites.geojson")]
    pub sites: Option<PathBuf>,
}

/// `--theme`: what the LSOA fill shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ThemeArg {
    /// National IMD decile.
    #[value(alias = "deprivation")]
    Imd,
    /// Footprint population against the target.
    #[value(alias = "population")]
    Deviation,
    /// Main PCN's share of each footprint.
    #[value(alias = "pcn-coterminosity")]
    Pcn,
    /// Distance to the nearest practice.
    #[value(alias = "distance")]
    Access,
    /// LSOAs that change footprint between --footprints and --compare-with.
    Change,
    /// Each SNP footprint in its own colour (Okabe–Ito), neighbours different.
    #[value(alias = "footprint")]
    Footprints,
}

impl From<ThemeArg> for Theme {
    fn from(t: ThemeArg) -> Theme {
        match t {
            ThemeArg::Imd => Theme::Imd,
            ThemeArg::Deviation => Theme::Deviation,
            ThemeArg::Pcn => Theme::Pcn,
            ThemeArg::Access => Theme::Access,
            ThemeArg::Change => Theme::Change,
            ThemeArg::Footprints => Theme::Footprints,
        }
    }
}

/// `--page`: ISO page, landscape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Page {
    /// 420 × 297 mm.
    A3,
    /// 297 × 210 mm.
    A4,
    /// 210 × 148 mm.
    A5,
}

impl Page {
    /// Width and height in mm, landscape.
    pub fn mm(self) -> (f64, f64) {
        match self {
            Page::A3 => (420.0, 297.0),
            Page::A4 => (297.0, 210.0),
            Page::A5 => (210.0, 148.0),
        }
    }
}

/// Validated `map` configuration.
#[derive(Debug)]
pub struct MapConfig {
    /// Scenario TOML file.
    pub scenario: PathBuf,
    /// Output .png or .svg.
    pub out: PathBuf,
    /// Footprints to draw.
    pub footprints: Option<NamedSet>,
    /// Second set for the change theme.
    pub compare_with: Option<NamedSet>,
    /// Theme.
    pub theme: Theme,
    /// Page size in mm, width × height (landscape, or portrait with `--portrait`).
    pub page_mm: (f64, f64),
    /// Dots per inch, within 50–600.
    pub dpi: f64,
    /// Boundary layer name, resolved against the scenario once it is loaded.
    pub boundary: String,
    /// Title override.
    pub title: Option<String>,
    /// Draw practices.
    pub practices: bool,
    /// Draw PCN catchment outlines.
    pub pcn_outlines: bool,
    /// Sites to draw (a `site` output folder or file).
    pub sites: Option<PathBuf>,
}

impl MapArgs {
    /// Check the flags together before anything is read: DPI range, output format, and the sets the
    /// theme needs.
    pub fn validate(&self) -> anyhow::Result<MapConfig> {
        if !(50.0..=600.0).contains(&self.dpi) {
            anyhow::bail!("--dpi {} is outside 50–600", self.dpi);
        }
        let ext = self.out.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        if ext != "png" && ext != "svg" {
            return Err(Error::output(&self.out, "unknown map format")
                .hint("end the file name with .png or .svg")
                .into());
        }
        let theme = Theme::from(self.theme);
        match theme {
            Theme::Deviation | Theme::Pcn | Theme::Footprints if self.footprints.is_none() => {
                return Err(Error::scenario("this theme needs --footprints").into())
            }
            Theme::Change if self.footprints.is_none() || self.compare_with.is_none() => {
                return Err(Error::scenario("the change theme needs --footprints and --compare-with").into())
            }
            _ => {}
        }
        Ok(MapConfig {
            scenario: self.scenario.clone(),
            out: self.out.clone(),
            footprints: self.footprints.clone(),
            compare_with: self.compare_with.clone(),
            theme,
            page_mm: if self.portrait { (self.page.mm().1, self.page.mm().0) } else { self.page.mm() },
            dpi: self.dpi,
            boundary: self.boundary.clone(),
            title: self.title.clone(),
            practices: !self.no_practices,
            pcn_outlines: self.pcn_outlines,
            sites: self.sites.clone(),
        })
    }
}

/// Run `map`.
pub fn run(c: &MapConfig) -> anyhow::Result<()> {
    // Say now, in words, if the map cannot be written (the drawing library's error is not readable).
    footprints::io::write::check_writable(&c.out)?;
    let p = Prepared::load(&c.scenario)?;
    let boundary = Layer::parse(&c.boundary, &p)?;
    let read = |f: &NamedSet, flag: &str| {
        let mut set = FootprintSet::read(&p, &f.path, None).map_err(|e| e.path_from(from_flag(flag)))?;
        if let Some(name) = &f.name {
            set.label = name.clone();
        }
        Ok::<_, footprints::Error>(set)
    };
    let fp = c.footprints.as_ref().map(|f| read(f, "--footprints")).transpose()?;
    let other = c.compare_with.as_ref().map(|f| read(f, "--compare-with")).transpose()?;
    let sites = match &c.sites {
        Some(s) => map::read_sites(&p, s).map_err(|e| e.path_from(from_flag("--sites")))?,
        None => Vec::new(),
    };
    let theme_name = match c.theme {
        Theme::Imd => "deprivation",
        Theme::Deviation => "population against target",
        Theme::Pcn => "PCN coterminosity",
        Theme::Access => "access to GP practices",
        Theme::Change => "change between options",
        Theme::Footprints => "each in its own colour",
    };
    let title = c.title.clone().unwrap_or_else(|| match &fp {
        Some(f) => format!("{} — {} footprints, {}", p.study.name, f.label, theme_name),
        None => format!("{} — {}", p.study.name, theme_name),
    });
    let spec = MapSpec {
        title,
        theme: c.theme,
        page_mm: c.page_mm,
        dpi: c.dpi,
        footprints: fp.as_ref(),
        other: other.as_ref(),
        boundary,
        practices: c.practices,
        target: p.scenario.build.snp_target,
        pcn_outlines: c.pcn_outlines,
        sites: &sites,
    };
    let lay = map::render(&p, &spec, &c.out)?;
    super::out::note(format_args!("wrote {}", c.out.display()));
    let placed = &lay.placement.placed;
    if !placed.is_empty() || !lay.placement.left_out.is_empty() {
        let leaders = placed.iter().filter(|l| l.leader.is_some()).count();
        let out = lay.placement.left_out.len();
        super::out::note(format_args!(
            "labels: {} placed ({leaders} with a leader line), {out} footprint name{} left out for lack of room",
            placed.len(),
            if out == 1 { "" } else { "s" }
        ));
    }
    Ok(())
}
