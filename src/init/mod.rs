//! `footprints init`: write a complete, commented scenario for any area of England from the
//! national files (boundaries, population, deprivation, lookups, places, the practice → PCN map
//! placed by postcode, registrations, LGR tables that cover the area), then say in plain words
//! what the loaded scenario has and lacks ([`Summary`]).
//!
//! The area is a list of LADs ([`Lookups::resolve`]): LAD codes or names, or sub-ICB / ICB /
//! region codes or names expanded to the districts more than half of whose LSOAs lie in them.
//! Practices are the rows of the national map whose sub-ICB location is one of those covering
//! the area: each sub-ICB more than half inside the area or holding at least a tenth of its LSOAs.

mod area;
mod files;
mod render;
mod summary;

pub use area::{levenshtein, normalise, Area, AreaBy, Lookups};
pub use files::{relative, DataFiles, LAYOUT};
pub use render::render;
pub use summary::Summary;

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// What `init` is asked to do, already validated by the CLI.
#[derive(Debug, Clone)]
pub struct Request {
    /// Data folder laid out like `../shared/data`.
    pub data: Option<PathBuf>,
    /// Files named one by one: (key of [`LAYOUT`], path).
    pub named: Vec<(&'static str, Option<PathBuf>)>,
    /// `--area` values.
    pub areas: Vec<String>,
    /// What they name.
    pub by: AreaBy,
    /// Scenario file to write.
    pub out: PathBuf,
    /// Postcode coordinate files or folders (Code-Point Open or ONSPD).
    pub postcodes: Vec<PathBuf>,
    /// Registered patients by practice × LSOA.
    pub registrations: Option<PathBuf>,
    /// Scenario name (default: from the area).
    pub name: Option<String>,
    /// Overwrite an existing file.
    pub force: bool,
}

/// The scenario written.
#[derive(Debug, Clone)]
pub struct Written {
    /// Its path.
    pub path: PathBuf,
    /// The area.
    pub area: Area,
    /// Whether `[practices]` was written (the national map and postcode files were both given).
    pub practices: bool,
    /// Whether `[registrations]` was written.
    pub registrations: bool,
    /// What could not be included, in plain words.
    pub missing: Vec<String>,
}

/// Find the files, resolve the area, write the scenario atomically (refusing to overwrite an
/// existing file unless `force`).
pub fn init(req: &Request) -> Result<Written> {
    if req.out.exists() && !req.force {
        return Err(Error::output(&req.out, "a file is already there")
            .hint("choose another --out, or add --force to replace it"));
    }
    let files = DataFiles::find(req.data.as_deref(), &req.named)?;
    let lookups = Lookups::read(
        files.lookup.as_deref().unwrap_or(Path::new("")),
        files.sub_icb.as_deref(),
        files.regions.as_deref(),
    )?;
    let area = lookups.resolve(req.by, &req.areas)?;
    let folder = out_folder(&req.out)?;
    let r = render(req, &files, &area, &folder)?;
    write_atomic(&req.out, &r.text)?;
    Ok(Written {
        path: req.out.clone(),
        area,
        practices: r.practices,
        registrations: r.registrations,
        missing: r.missing,
    })
}

/// The scenario's folder, created if needed, as an absolute path.
fn out_folder(out: &Path) -> Result<PathBuf> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&dir).map_err(|e| Error::write(&dir, e))?;
    files::abs(&dir)
}

/// Write `text` to a temporary file beside `path`, then rename it over `path`, so a reader never
/// sees half a scenario.
pub fn write_atomic(path: &Path, text: &str) -> Result<()> {
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "scenario.toml".into());
    let tmp = path.with_file_name(format!(".{name}.tmp{}", std::process::id()));
    std::fs::write(&tmp, text).map_err(|e| Error::write(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        Error::write(path, e)
    })
}
