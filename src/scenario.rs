//! The TOML scenario: which files to read, which columns hold what, the study area, and the
//! build settings. Relative paths resolve from the scenario file's folder. Column defaults match
//! the ONS / MHCLG / NHS England files described in `../shared/data/PROVENANCE.md`.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

macro_rules! default_str {
    ($($name:ident => $val:expr),* $(,)?) => {
        $(fn $name() -> String { $val.to_string() })*
    };
}

default_str! {
    d_lsoa_code => "lsoa21_code", d_lsoa_name => "lsoa21_name", d_lad => "ltla24_code", d_lad_name => "ltla24_name",
    d_pop => "total_residents", d_imd_score => "IMD_score", d_imd_rank => "IMD_rank", d_imd_decile => "IMD_decile",
    d_ward => "ward24_code", d_ward_name => "ward24_name",
    d_prac_code => "practice_code", d_prac_name => "practice_name", d_pcn_code => "pcn_code_2025_10",
    d_pcn_name => "pcn_name_2025_10",
    d_reg_lsoa => "LSOA_CODE", d_reg_prac => "PRACTICE_CODE", d_reg_n => "NUMBER_OF_PATIENTS",
    d_lgr_code => "lad24_code", d_lgr_unit => "proposed_unitary", d_lad_by => "lad",
    d_ml_lsoa => "lsoa21cd", d_ml_msoa => "msoa21cd", d_ml_msoa_name => "msoa21nm",
    d_mn_code => "msoa11cd", d_mn_name => "msoa11hclnm", d_pl_place => "place",
}

/// A whole scenario file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Human name, e.g. "Oxfordshire".
    pub name: String,
    /// LSOA polygons.
    pub boundaries: Boundaries,
    /// Which LSOAs form the study area.
    #[serde(default)]
    pub study_area: StudyArea,
    /// Census population table.
    pub population: Population,
    /// Deprivation (IoD 2025 File 7 or IMD 2019 File 1 layout).
    pub deprivation: Option<Deprivation>,
    /// LSOA → ward → LAD lookup (ONS best-fit).
    pub lookup: Option<Lookup>,
    /// GP practices with PCN membership and location.
    pub practices: Option<Practices>,
    /// Registered patients by practice × LSOA.
    pub registrations: Option<Registrations>,
    /// Local government reorganisation options.
    #[serde(default)]
    pub lgr: Vec<LgrTable>,
    /// Extra LSOA → unit boundary layers (e.g. sub-ICB locations) for coterminosity and building.
    #[serde(default)]
    pub layers: Vec<ExtraLayer>,
    /// Places (towns, villages): from MSOA names or a user's LSOA → place table.
    pub places: Option<Places>,
    /// Footprint names chosen by the user: a key that is an LSOA code names the SNP holding that
    /// LSOA; any other key is a generated SNP or MNP name to replace (README › Footprint names).
    #[serde(default)]
    pub names: std::collections::BTreeMap<String, String>,
    /// Adjacency settings.
    #[serde(default)]
    pub adjacency: Adjacency,
    /// Footprint building settings.
    #[serde(default)]
    pub build: BuildSettings,
    /// Attribution line for maps and reports.
    pub attribution: Option<String>,
    /// Folder of the scenario file (set on load).
    #[serde(skip)]
    pub base_dir: PathBuf,
    /// The scenario file itself (set on load).
    #[serde(skip)]
    pub file: PathBuf,
}

/// LSOA boundary layer.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Boundaries {
    /// GeoJSON or .shp file.
    pub path: PathBuf,
    /// CRS override, e.g. "EPSG:27700"; otherwise read from the file.
    pub crs: Option<String>,
    /// LSOA code column.
    #[serde(default = "d_lsoa_code")]
    pub code: String,
    /// LSOA name column.
    #[serde(default = "d_lsoa_name")]
    pub name: String,
    /// LAD code column in the boundary file (used in preference to the lookup if present).
    #[serde(default = "d_lad")]
    pub lad: String,
    /// LAD name column.
    #[serde(default = "d_lad_name")]
    pub lad_name: String,
}

/// Study area definition; conditions combine with AND. Empty means every feature.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StudyArea {
    /// LAD codes to include.
    #[serde(default)]
    pub lads: Vec<String>,
    /// A boolean column in the boundaries (true/1/yes keeps the LSOA).
    pub flag: Option<String>,
    /// Keep codes starting with this (e.g. "E01" for England only).
    pub code_prefix: Option<String>,
    /// A polygon file; LSOAs whose interior point lies inside are kept.
    pub polygon: Option<PathBuf>,
}

/// Population table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Population {
    /// CSV file.
    pub path: PathBuf,
    /// LSOA code column.
    #[serde(default = "d_lsoa_code")]
    pub code: String,
    /// Population column.
    #[serde(default = "d_pop")]
    pub value: String,
}

/// Deprivation table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Deprivation {
    /// CSV (or .csv.gz) file.
    pub path: PathBuf,
    /// Label for reports, e.g. "IoD 2025".
    pub edition: Option<String>,
    /// LSOA code column.
    #[serde(default = "d_lsoa_code")]
    pub code: String,
    /// IMD score column (optional in IMD 2019 File 1).
    #[serde(default = "d_imd_score")]
    pub score: String,
    /// IMD rank column (1 = most deprived).
    #[serde(default = "d_imd_rank")]
    pub rank: String,
    /// IMD decile column (1 = most deprived).
    #[serde(default = "d_imd_decile")]
    pub decile: String,
    /// Optional need-index column (e.g. "Health_score").
    pub need: Option<String>,
    /// Optional LSOA 2011 → 2021 lookup to carry IMD 2019 onto 2021 LSOAs.
    pub lsoa11_lookup: Option<PathBuf>,
}

/// LSOA → ward → LAD lookup.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Lookup {
    /// CSV file.
    pub path: PathBuf,
    /// LSOA code column.
    #[serde(default = "d_lsoa_code")]
    pub code: String,
    /// Ward code column.
    #[serde(default = "d_ward")]
    pub ward: String,
    /// Ward name column.
    #[serde(default = "d_ward_name")]
    pub ward_name: String,
    /// LAD code column.
    #[serde(default = "d_lad")]
    pub lad: String,
    /// LAD name column.
    #[serde(default = "d_lad_name")]
    pub lad_name: String,
}

/// GP practices.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Practices {
    /// CSV file.
    pub path: PathBuf,
    /// ODS code column.
    #[serde(default = "d_prac_code")]
    pub code: String,
    /// Practice name column.
    #[serde(default = "d_prac_name")]
    pub name: String,
    /// PCN code column.
    #[serde(default = "d_pcn_code")]
    pub pcn_code: String,
    /// PCN name column.
    #[serde(default = "d_pcn_name")]
    pub pcn_name: String,
    /// Easting column (BNG). Use with `northing`.
    pub easting: Option<String>,
    /// Northing column (BNG).
    pub northing: Option<String>,
    /// Latitude column (WGS84). Use with `lon`.
    pub lat: Option<String>,
    /// Longitude column (WGS84).
    pub lon: Option<String>,
    /// List size column (optional; summed from registrations when absent).
    pub list_size: Option<String>,
    /// PCN codes meaning "not in a PCN".
    #[serde(default = "default_unallocated")]
    pub unallocated: Vec<String>,
    /// Keep only rows whose column holds one of the listed values, e.g.
    /// `only = { SUB_ICB_LOCATION_CODE = ["10Q"] }` (conditions combine with AND).
    #[serde(default)]
    pub only: std::collections::BTreeMap<String, Vec<String>>,
    /// Postcode column (default: the first of `postcode`, `PRACTICE_POSTCODE` the table has).
    pub postcode: Option<String>,
    /// Postcode coordinate files (Code-Point Open or ONS Postcode Directory): one path, a list, or
    /// a folder of `.csv` files. Practices without coordinates are placed at their postcode.
    pub postcodes: Option<PathList>,
    /// Layout of the postcode files; detected per file when absent.
    pub postcodes_format: Option<PostcodesFormat>,
}

/// One path or a list of paths.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(untagged)]
pub enum PathList {
    /// A single file or folder.
    One(PathBuf),
    /// Several files or folders.
    Many(Vec<PathBuf>),
}

impl PathList {
    /// The paths, in the order given.
    pub fn paths(&self) -> Vec<PathBuf> {
        match self {
            PathList::One(p) => vec![p.clone()],
            PathList::Many(v) => v.clone(),
        }
    }
}

/// The layout of a postcode coordinate file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PostcodesFormat {
    /// OS Code-Point Open: no header; postcode, positional quality, eastings, northings, ...
    Codepoint,
    /// ONS Postcode Directory: a header with `pcds` (or `pcd`/`pcd2`), `oseast1m`, `osnrth1m`
    /// and/or `lat`, `long`, and `doterm`.
    Onspd,
}

fn default_unallocated() -> Vec<String> {
    vec!["U".into(), "".into()]
}

/// Registered patients by practice × LSOA (NHS England gp-reg-pat-prac-lsoa layout).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Registrations {
    /// CSV file.
    pub path: PathBuf,
    /// LSOA code column.
    #[serde(default = "d_reg_lsoa")]
    pub lsoa: String,
    /// Practice code column.
    #[serde(default = "d_reg_prac")]
    pub practice: String,
    /// Patients column.
    #[serde(default = "d_reg_n")]
    pub patients: String,
    /// PCN code column in this table (else the practices table gives each practice's PCN).
    pub pcn_code: Option<String>,
    /// PCN name column in this table.
    pub pcn_name: Option<String>,
}

/// What the rows of an LGR table are keyed by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LgrBy {
    /// LAD code → unit (with whole / most / part assignments).
    #[default]
    Lad,
    /// LSOA code → unit.
    Lsoa,
}

/// A table of LGR options.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LgrTable {
    /// CSV file.
    pub path: PathBuf,
    /// `lad` (LAD → unit rows) or `lsoa` (LSOA → unit rows).
    #[serde(default)]
    pub by: LgrBy,
    /// Code column (LAD or LSOA code).
    #[serde(default = "d_lgr_code")]
    pub code: String,
    /// Unit name column.
    #[serde(default = "d_lgr_unit")]
    pub unit: String,
    /// Column naming the option, when one table holds several options.
    pub option: Option<String>,
    /// Option name when the table holds a single option.
    pub name: Option<String>,
    /// Column with whole / part / most / possible part.
    pub assignment: Option<String>,
}

/// An extra boundary layer given as an LSOA → unit table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraLayer {
    /// Layer name, e.g. "sub-ICB".
    pub name: String,
    /// CSV file.
    pub path: PathBuf,
    /// LSOA code column.
    #[serde(default = "d_lsoa_code")]
    pub code: String,
    /// Unit column.
    pub unit: String,
}

/// Places: settlements read from the House of Commons Library MSOA names through an LSOA → MSOA
/// lookup, or a user's own LSOA → place table (`path`), or both (MSOAs from the lookup, places from
/// the table). The settlement rule is documented in [`crate::place`].
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Places {
    /// LSOA 2021 → MSOA 2021 lookup (CSV).
    pub msoa_lookup: Option<PathBuf>,
    /// Its LSOA code column.
    #[serde(default = "d_ml_lsoa")]
    pub lookup_lsoa: String,
    /// Its MSOA code column.
    #[serde(default = "d_ml_msoa")]
    pub lookup_msoa: String,
    /// Its MSOA (ONS) name column, e.g. "Oxford 020".
    #[serde(default = "d_ml_msoa_name")]
    pub lookup_msoa_name: String,
    /// House of Commons Library MSOA names (CSV), keyed by MSOA code.
    pub msoa_names: Option<PathBuf>,
    /// Its MSOA code column (2011 codes; equal to the 2021 code for most MSOAs).
    #[serde(default = "d_mn_code")]
    pub names_msoa: String,
    /// Its readable-name column.
    #[serde(default = "d_mn_name")]
    pub names_name: String,
    /// People per km² at which a whole district counts as one city.
    #[serde(default = "d_city_density")]
    pub city_density: f64,
    /// A user's LSOA → place table (e.g. a Built-Up-Area lookup), used instead of the MSOA names.
    pub path: Option<PathBuf>,
    /// Its LSOA code column.
    #[serde(default = "d_lsoa_code")]
    pub code: String,
    /// Its place column (a code or a name).
    #[serde(default = "d_pl_place")]
    pub place: String,
    /// Its place-name column, when `place` holds codes.
    pub place_name: Option<String>,
    /// Its kind column (city / town / village group); every place is a town without it.
    pub kind: Option<String>,
}

fn d_city_density() -> f64 {
    2_000.0
}

/// Adjacency settings.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Adjacency {
    /// Snap tolerance in metres for shared boundaries.
    #[serde(default = "d_tol")]
    pub tolerance_m: f64,
    /// Minimum shared boundary length in metres (corner touches are below it).
    #[serde(default = "d_min_shared")]
    pub min_shared_m: f64,
    /// Join islands to their nearest neighbour so the study area is one component.
    #[serde(default = "d_true")]
    pub join_islands: bool,
}

fn d_tol() -> f64 {
    2.0
}
fn d_min_shared() -> f64 {
    10.0
}
fn d_true() -> bool {
    true
}

impl Default for Adjacency {
    fn default() -> Self {
        Adjacency { tolerance_m: d_tol(), min_shared_m: d_min_shared(), join_islands: true }
    }
}

/// Footprint building settings (defaults: SNP 50k, MNP 250k, ±20%).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BuildSettings {
    /// SNP target population.
    #[serde(default = "d_snp")]
    pub snp_target: f64,
    /// MNP target population.
    #[serde(default = "d_mnp")]
    pub mnp_target: f64,
    /// Relative tolerance (0.2 = ±20%).
    #[serde(default = "d_tolerance")]
    pub tolerance: f64,
    /// SNP boundary layer: "lad", "none", or an LGR option name.
    #[serde(default = "d_lad_by")]
    pub snp_layer: String,
    /// MNP boundary layer: "lad", "none", "robust", "hierarchy" (districts grouped into MNPs), an
    /// LGR option or an extra layer name. Unset: "lad" with LGR options, otherwise the layer that
    /// keeps most MNPs within tolerance (`crate::build::choose_mnp_layer`).
    #[serde(default)]
    pub mnp_layer: Option<String>,
    /// Natural-community grouping: "ward", "lad", or a boundary attribute column.
    pub community: Option<String>,
    /// Weights of the soft objectives.
    #[serde(default)]
    pub weights: Weights,
    /// Number of distinct options to write.
    #[serde(default = "d_options")]
    pub options: usize,
    /// Random seed.
    #[serde(default = "d_seed")]
    pub seed: u64,
    /// Locks: LSOA code → footprint name, as a CSV with columns lsoa_code, footprint.
    pub locks: Option<PathBuf>,
    /// Existing footprints (lookup CSV lsoa_code, footprint) to stay close to.
    pub existing: Option<PathBuf>,
}

fn d_snp() -> f64 {
    50_000.0
}
fn d_mnp() -> f64 {
    250_000.0
}
fn d_tolerance() -> f64 {
    0.2
}
fn d_options() -> usize {
    4
}
fn d_seed() -> u64 {
    20260322
}

impl Default for BuildSettings {
    fn default() -> Self {
        BuildSettings {
            snp_target: d_snp(),
            mnp_target: d_mnp(),
            tolerance: d_tolerance(),
            snp_layer: d_lad_by(),
            mnp_layer: None,
            community: None,
            weights: Weights::default(),
            options: d_options(),
            seed: d_seed(),
            locks: None,
            existing: None,
        }
    }
}

/// Soft-objective weights.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// Penalty per person of a PCN living outside the PCN's main footprint.
    #[serde(default = "d_w_pcn")]
    pub pcn: f64,
    /// Penalty per person of a community group outside its main footprint.
    #[serde(default = "d_w_comm")]
    pub community: f64,
    /// Penalty per km of cut boundary.
    #[serde(default = "d_w_cut")]
    pub compactness: f64,
    /// Penalty per person of deviation from target.
    #[serde(default = "d_w_bal")]
    pub balance: f64,
    /// Penalty per person assigned differently from the existing footprints.
    #[serde(default = "d_w_ex")]
    pub existing: f64,
}

fn d_w_pcn() -> f64 {
    1.0
}
fn d_w_comm() -> f64 {
    0.5
}
fn d_w_cut() -> f64 {
    200.0
}
fn d_w_bal() -> f64 {
    0.5
}
fn d_w_ex() -> f64 {
    0.0
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            pcn: d_w_pcn(),
            community: d_w_comm(),
            compactness: d_w_cut(),
            balance: d_w_bal(),
            existing: d_w_ex(),
        }
    }
}

/// Largest SNP or MNP target accepted: 100,000,000 people (more than England's population).
pub const MAX_TARGET: f64 = 1e8;

/// Most options a build may be asked for.
pub const MAX_OPTIONS: usize = 100;

/// An MNP is made of whole SNPs, so its target cannot be below the SNP target (a build asked for
/// that never ends); the message names the two settings as the caller spells them.
pub fn check_targets(snp: f64, mnp: f64, snp_name: &str, mnp_name: &str) -> std::result::Result<(), String> {
    if mnp < snp {
        return Err(format!(
            "{mnp_name} {mnp} is below {snp_name} {snp}: an MNP is made of whole SNPs, so its target must be at least the SNP target"
        ));
    }
    Ok(())
}

impl Scenario {
    /// Read and validate a scenario file.
    pub fn load(path: &Path) -> Result<Scenario> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            let hint = if e.kind() == std::io::ErrorKind::InvalidData {
                "the scenario is not UTF-8 text: save it as UTF-8 in a text editor"
            } else {
                "check the path given with --scenario (relative to the folder footprints is run in)"
            };
            Error::input(path, format!("cannot read scenario: {e}")).hint(hint)
        })?;
        let mut s: Scenario = toml::from_str(&text).map_err(|e| {
            let loc = e.span().map(|sp| {
                let line = text[..sp.start.min(text.len())].matches('\n').count() + 1;
                format!("line {line}")
            });
            Error::Input {
                path: path.to_path_buf(),
                location: loc,
                msg: format!("invalid scenario: {}", e.message()),
                hint: Some("see README.md › Writing a scenario for the keys and their defaults".into()),
            }
        })?;
        s.base_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
        s.file = path.to_path_buf();
        s.validate()?;
        Ok(s)
    }

    /// Resolve a path relative to the scenario file.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base_dir.join(p)
        }
    }

    fn validate(&self) -> Result<()> {
        self.validate_build()?;
        if let Some(p) = &self.practices {
            let bng = p.easting.is_some() && p.northing.is_some();
            let ll = p.lat.is_some() && p.lon.is_some();
            if !bng && !ll && p.postcodes.is_none() {
                return Err(Error::input(&self.file, "[practices] needs coordinate columns or postcode files").hint(
                    "set easting + northing (British National Grid), lat + lon (WGS84), or postcodes = Code-Point \
                     Open / ONS Postcode Directory file(s) to place practices by their postcode",
                ));
            }
            if p.postcodes.as_ref().is_some_and(|l| l.paths().is_empty()) {
                return Err(Error::input(&self.file, "[practices] postcodes = [] names no file")
                    .hint("give a postcode file, a list of files, or a folder"));
            }
        }
        for t in &self.lgr {
            if t.option.is_none() && t.name.is_none() {
                return Err(Error::input(
                    &self.file,
                    format!("[[lgr]] {} needs `option` (a column) or `name`", t.path.display()),
                ));
            }
        }
        if let Some(p) = &self.places {
            if p.path.is_none() && (p.msoa_lookup.is_none() || p.msoa_names.is_none()) {
                return Err(Error::input(&self.file, "[places] needs msoa_lookup and msoa_names, or path").hint(
                    "msoa_lookup = LSOA 2021 → MSOA 2021 lookup and msoa_names = House of Commons Library MSOA names; \
                     or path = your own LSOA → place table",
                ));
            }
            if p.msoa_names.is_some() && p.msoa_lookup.is_none() {
                return Err(Error::input(&self.file, "[places] msoa_names needs msoa_lookup (LSOA → MSOA)"));
            }
            self.in_range("places.city_density (people per km²)", p.city_density, 1.0, 1e6)?;
        }
        for (k, v) in &self.names {
            if k.trim().is_empty() || v.trim().is_empty() {
                return Err(Error::input(&self.file, format!("[names] \"{k}\" = \"{v}\": a name and its key cannot be empty"))
                    .hint("write \"E01028513\" = \"Wantage & Grove\" (the SNP holding that LSOA) or \"Old name\" = \"New name\""));
            }
        }
        let adj = &self.adjacency;
        self.in_range("adjacency.tolerance_m", adj.tolerance_m, 0.0, 100.0)?;
        self.in_range("adjacency.min_shared_m", adj.min_shared_m, 0.0, 10_000.0)?;
        Ok(())
    }

    /// A number of the scenario must be finite and within `lo..=hi`; the error names the key.
    fn in_range(&self, key: &str, v: f64, lo: f64, hi: f64) -> Result<()> {
        if v.is_finite() && (lo..=hi).contains(&v) {
            return Ok(());
        }
        Err(Error::input(&self.file, format!("{key} = {v} must be a number from {lo} to {hi}")))
    }

    /// The `[build]` table: targets 1–100,000,000 people with the MNP target at least the SNP
    /// target (an MNP is made of whole SNPs), tolerance in [0, 1), 1–100 options, weights ≥ 0.
    fn validate_build(&self) -> Result<()> {
        let b = &self.build;
        self.in_range("build.snp_target", b.snp_target, 1.0, MAX_TARGET)?;
        self.in_range("build.mnp_target", b.mnp_target, 1.0, MAX_TARGET)?;
        if !(b.tolerance.is_finite() && (0.0..1.0).contains(&b.tolerance)) {
            return Err(Error::input(
                &self.file,
                format!("build.tolerance {} must be between 0 and 1 (0.2 = ±20%)", b.tolerance),
            ));
        }
        check_targets(b.snp_target, b.mnp_target, "build.snp_target", "build.mnp_target")
            .map_err(|e| Error::input(&self.file, e))?;
        if !(1..=MAX_OPTIONS).contains(&b.options) {
            return Err(Error::input(
                &self.file,
                format!("build.options = {} must be from 1 to {MAX_OPTIONS}", b.options),
            ));
        }
        let w = &b.weights;
        for (k, v) in [
            ("pcn", w.pcn),
            ("community", w.community),
            ("compactness", w.compactness),
            ("balance", w.balance),
            ("existing", w.existing),
        ] {
            self.in_range(&format!("build.weights.{k}"), v, 0.0, 1e9)?;
        }
        Ok(())
    }
}
