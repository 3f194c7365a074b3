//! Postcode → coordinates, read from OS Code-Point Open or the ONS Postcode Directory (ONSPD).
//!
//! Files are read as a stream and only the postcodes asked for are kept, so the 2.7 million rows
//! (1.3 GB) of a whole-UK ONSPD cost little memory. Postcodes compare after
//! [`normalise`] (upper case, no spaces): Code-Point's "OX141AA", "OX1 1AA" and "ox14 1aa" all
//! match. A file is Code-Point Open when its first row starts with a postcode and a number (no
//! header), and ONSPD when its header has `pcds`, `pcd` or `pcd2`; `postcodes_format` in the
//! scenario overrides the detection.

use crate::error::{Error, Result};
use crate::io::crs::{self, Crs};
use crate::scenario::PostcodesFormat;
use geo::Coord;
use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

/// ONSPD's latitude for a postcode without a grid reference.
const ONSPD_NO_LAT: f64 = 99.999999;

/// What a postcode file says about one postcode.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Hit {
    /// British National Grid coordinates.
    Placed(Coord),
    /// Terminated (ONSPD `doterm`, e.g. "201405").
    Terminated(String),
    /// Listed without coordinates (Code-Point positional quality 90, or blank/zero grid references).
    NoCoordinates,
}

/// The postcodes found, and what was read.
#[derive(Debug, Default)]
pub(crate) struct Found {
    /// Normalised postcode → what the files say (a placed row wins over any other).
    pub hits: HashMap<String, Hit>,
    /// Postcode areas (leading letters, e.g. "OX") with at least one row in the files.
    pub areas: BTreeSet<String>,
    /// Each file read: path, layout, rows, SHA-256 of the bytes as stored.
    pub files: Vec<(PathBuf, PostcodesFormat, usize, String)>,
}

/// Upper case with every space removed.
pub(crate) fn normalise(pc: &str) -> String {
    pc.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_uppercase).collect()
}

/// The postcode area of a normalised postcode: its leading letters ("OX", "B").
pub(crate) fn area(pc: &str) -> &str {
    let n = pc.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(pc.len());
    &pc[..n]
}

/// Whether a normalised string has the shape of a UK postcode (outward code of 2–4 characters
/// starting with a letter, then a digit and two letters).
pub(crate) fn looks_like_postcode(pc: &str) -> bool {
    let b = pc.as_bytes();
    (5..=7).contains(&b.len())
        && b.iter().all(u8::is_ascii_alphanumeric)
        && b[0].is_ascii_alphabetic()
        && b[b.len() - 3].is_ascii_digit()
        && b[b.len() - 2..].iter().all(u8::is_ascii_alphabetic)
}

/// The files named: each path as given, or the `.csv` / `.csv.gz` files of a folder in name
/// order (skipping Code-Point's `…Column_Headers.csv`).
pub(crate) fn expand(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if !p.is_dir() {
            out.push(p.clone());
            continue;
        }
        let rd = std::fs::read_dir(p).map_err(|e| Error::io(p, "cannot list folder", e))?;
        let mut files: Vec<PathBuf> = rd
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|f| {
                let n = f.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
                (n.ends_with(".csv") || n.ends_with(".csv.gz")) && !n.ends_with("column_headers.csv")
            })
            .collect();
        if files.is_empty() {
            return Err(Error::input(p, "the postcode folder has no .csv files")
                .hint("name the Code-Point Open or ONSPD .csv files, or the folder that holds them"));
        }
        files.sort();
        out.extend(files);
    }
    Ok(out)
}

/// Read `files` and keep what they say about the `wanted` (normalised) postcodes.
pub(crate) fn lookup(files: &[PathBuf], format: Option<PostcodesFormat>, wanted: &HashSet<String>) -> Result<Found> {
    let mut found = Found::default();
    for f in files {
        read_file(f, format, wanted, &mut found)?;
    }
    Ok(found)
}

/// A reader that hashes the bytes passing through it.
struct Hashing<R> {
    inner: R,
    sha: Sha256,
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.sha.update(&buf[..n]);
        Ok(n)
    }
}

/// Column positions of one file.
struct Layout {
    format: PostcodesFormat,
    postcode: usize,
    /// Code-Point positional quality.
    quality: Option<usize>,
    grid: Option<(usize, usize)>,
    latlon: Option<(usize, usize)>,
    doterm: Option<usize>,
    fields: usize,
}

fn read_file(path: &Path, format: Option<PostcodesFormat>, wanted: &HashSet<String>, out: &mut Found) -> Result<()> {
    let file = std::fs::File::open(path).map_err(|e| Error::input(path, format!("cannot open file: {e}")))?;
    let mut hashing = Hashing { inner: std::io::BufReader::with_capacity(1 << 20, file), sha: Sha256::new() };
    let gz = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz"));
    let rows = {
        let src: Box<dyn Read + '_> =
            if gz { Box::new(flate2::read::GzDecoder::new(&mut hashing)) } else { Box::new(&mut hashing) };
        let mut rdr = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(src);
        read_rows(path, format, wanted, out, &mut rdr)?
    };
    // Hash whatever the CSV reader left unread (nothing, normally), so the hash covers the file.
    std::io::copy(&mut hashing, &mut std::io::sink()).map_err(|e| Error::io(path, "cannot read file", e))?;
    let (fmt, n) = rows;
    out.files.push((path.to_path_buf(), fmt, n, format!("{:x}", hashing.sha.finalize())));
    Ok(())
}

/// Every row of one file; returns its layout and how many data rows it has.
fn read_rows<R: Read>(
    path: &Path,
    format: Option<PostcodesFormat>,
    wanted: &HashSet<String>,
    out: &mut Found,
    rdr: &mut csv::Reader<R>,
) -> Result<(PostcodesFormat, usize)> {
    let mut rec = csv::ByteRecord::new();
    let parse_err = |e: csv::Error, rec: &csv::ByteRecord| {
        let line = e.position().or(rec.position()).map(|p| format!("line {}", p.line())).unwrap_or_default();
        Error::at(path, line, format!("cannot read the postcode file as CSV: {e}"))
    };
    if !rdr.read_byte_record(&mut rec).map_err(|e| parse_err(e, &rec))? {
        return Err(Error::input(path, "the postcode file is empty")
            .hint("expected OS Code-Point Open rows or an ONS Postcode Directory with a header"));
    }
    let layout = layout(path, format, &rec)?;
    let mut rows = 0usize;
    let mut last_area = String::new();
    if layout.format == PostcodesFormat::Codepoint {
        rows += 1;
        row(path, &layout, &rec, wanted, out, &mut last_area)?;
    }
    while rdr.read_byte_record(&mut rec).map_err(|e| parse_err(e, &rec))? {
        if rec.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue;
        }
        rows += 1;
        row(path, &layout, &rec, wanted, out, &mut last_area)?;
    }
    if rows == 0 {
        return Err(Error::input(path, "the postcode file has a header and no rows")
            .hint("the ONS Postcode Directory's data file has one row per postcode; check the file is complete"));
    }
    Ok((layout.format, rows))
}

fn field(rec: &csv::ByteRecord, i: usize) -> &str {
    rec.get(i).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("").trim().trim_start_matches('\u{feff}')
}

fn line_of(rec: &csv::ByteRecord) -> String {
    rec.position().map(|p| format!("line {}", p.line())).unwrap_or_else(|| "a row".into())
}

/// The layout, from the forced format or the first row.
fn layout(path: &Path, format: Option<PostcodesFormat>, first: &csv::ByteRecord) -> Result<Layout> {
    let codepoint_like =
        looks_like_postcode(&normalise(field(first, 0))) && first.len() >= 4 && field(first, 1).parse::<u32>().is_ok();
    let headers: Vec<String> = (0..first.len()).map(|i| field(first, i).to_ascii_lowercase()).collect();
    let col = |names: &[&str]| names.iter().find_map(|n| headers.iter().position(|h| h == n));
    let pc_col = col(&["pcds", "pcd", "pcd2"]);
    let fmt = match (format, codepoint_like, pc_col) {
        (Some(f), _, _) => f,
        (None, true, _) => PostcodesFormat::Codepoint,
        (None, false, Some(_)) => PostcodesFormat::Onspd,
        (None, false, None) => {
            return Err(Error::at(path, "line 1", "cannot tell the layout of this postcode file").hint(
                "expected OS Code-Point Open (no header; postcode, quality, eastings, northings, …) or an ONS \
                 Postcode Directory header with pcds (or pcd/pcd2); set [practices] postcodes_format = \
                 \"codepoint\" or \"onspd\"",
            ))
        }
    };
    if fmt == PostcodesFormat::Codepoint {
        if first.len() < 4 || !codepoint_like {
            return Err(Error::at(path, "line 1", "this is not a Code-Point Open row").hint(
                "Code-Point Open rows start with postcode, positional quality, eastings, northings and have no header",
            ));
        }
        let layout = Layout {
            format: fmt,
            postcode: 0,
            quality: Some(1),
            grid: Some((2, 3)),
            latlon: None,
            doterm: None,
            fields: first.len(),
        };
        return Ok(layout);
    }
    let grid = col(&["oseast1m"]).zip(col(&["osnrth1m"]));
    let latlon = col(&["lat"]).zip(col(&["long"]));
    match (pc_col, grid.is_some() || latlon.is_some()) {
        (Some(postcode), true) => Ok(Layout {
            format: fmt,
            postcode,
            quality: None,
            grid,
            latlon,
            doterm: col(&["doterm"]),
            fields: first.len(),
        }),
        _ => {
            Err(Error::at(path, "line 1", "the ONS Postcode Directory header lacks the columns needed").hint(format!(
                "expected pcds (or pcd/pcd2) and oseast1m + osnrth1m or lat + long; columns found: {}",
                headers.iter().take(30).cloned().collect::<Vec<_>>().join(", ")
            )))
        }
    }
}

/// One data row: checked for its number of fields, and kept if its postcode is wanted.
fn row(
    path: &Path,
    l: &Layout,
    rec: &csv::ByteRecord,
    wanted: &HashSet<String>,
    out: &mut Found,
    last_area: &mut String,
) -> Result<()> {
    if rec.len() != l.fields {
        return Err(Error::at(
            path,
            line_of(rec),
            format!("{} fields where the file's first row has {}", rec.len(), l.fields),
        )
        .hint("every row of a postcode file has the same columns; the row may be cut short or have a stray comma"));
    }
    let pc = normalise(field(rec, l.postcode));
    if area(&pc) != last_area.as_str() {
        *last_area = area(&pc).to_string();
        out.areas.insert(last_area.clone());
    }
    if !wanted.contains(&pc) {
        return Ok(());
    }
    let hit = hit(path, l, rec, &pc)?;
    match out.hits.get(&pc) {
        Some(Hit::Placed(_)) => {}
        _ => {
            out.hits.insert(pc, hit);
        }
    }
    Ok(())
}

/// What one row says about its postcode.
fn hit(path: &Path, l: &Layout, rec: &csv::ByteRecord, pc: &str) -> Result<Hit> {
    if let Some(d) = l.doterm.map(|i| field(rec, i)).filter(|d| !d.is_empty()) {
        return Ok(Hit::Terminated(d.to_string()));
    }
    if l.quality.is_some_and(|q| field(rec, q) == "90") {
        return Ok(Hit::NoCoordinates);
    }
    let num = |i: usize| -> Result<Option<f64>> {
        let s = field(rec, i);
        if s.is_empty() {
            return Ok(None);
        }
        match s.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Some(v)),
            _ => Err(Error::at(
                path,
                line_of(rec),
                format!("postcode {pc}: \"{s}\" in column {} is not a number", i + 1),
            )
            .hint("coordinates are numbers: eastings/northings in metres, or lat/long in degrees")),
        }
    };
    let grid = match l.grid {
        Some((e, n)) => num(e)?.zip(num(n)?).filter(|&(x, y)| x != 0.0 || y != 0.0),
        None => None,
    };
    let (c, declared) = match (grid, l.latlon) {
        (Some((x, y)), _) => (Coord { x, y }, Crs::Bng),
        (None, Some((a, o))) => match num(a)?.zip(num(o)?) {
            Some((lat, lon)) if lat != ONSPD_NO_LAT && (lat, lon) != (0.0, 0.0) => {
                (Coord { x: lon, y: lat }, Crs::Wgs84)
            }
            _ => return Ok(Hit::NoCoordinates),
        },
        (None, None) => return Ok(Hit::NoCoordinates),
    };
    if let Some(why) = crs::misfit(c, declared) {
        return Err(Error::at(path, line_of(rec), format!("postcode {pc} at ({}, {}): {}", c.x, c.y, why.cause()))
            .hint("check the postcode file's layout (postcodes_format) and that it is not damaged"));
    }
    match declared {
        Crs::Wgs84 => Ok(crs::wgs84_to_bng(c.x, c.y).map(Hit::Placed).unwrap_or(Hit::NoCoordinates)),
        _ => Ok(Hit::Placed(c)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn postcodes_compare_without_spaces_or_case() {
        assert_eq!(normalise("OX1 1AA"), "OX11AA");
        assert_eq!(normalise(" ox14  1aa "), normalise("OX141AA"));
        assert_eq!(area("OX141AA"), "OX");
        assert_eq!(area("B11AA"), "B");
        assert!(looks_like_postcode("OX141AA") && looks_like_postcode("B11AA") && looks_like_postcode("SW1A1AA"));
        assert!(!looks_like_postcode("PC") && !looks_like_postcode("POSTCODE") && !looks_like_postcode("12345"));
    }
}
