//! Mutation fuzzer for every reader (issue 10, section 8). Stable Rust, no libFuzzer: each case
//! takes one demo input (or a file made from the demo once, below), mutates it with a seeded
//! ChaCha8 generator (bytes, CSV fields and rows, headers, encodings, GeoJSON geometry and
//! properties, TOML lines, shapefile records) and feeds it to the library in-process. A case must
//! not panic, must finish before its deadline, and must end either in an error that names the file
//! (or a row, line, feature or record) or in a result that passes the invariants: a loaded study
//! with plausible populations and a graph over every LSOA, and for a sample a `build` whose plans
//! assign every LSOA once, contiguously, with populations that sum. A sample also runs the binary,
//! which must exit 0 or 2 (never 101 or a signal).
//!
//! Every case is reproducible from (reader, seed, case number):
//! `FOOTPRINTS_FUZZ_ONLY=population:123 cargo test --release --test fuzz_readers -- --nocapture`
//! reruns case 123 of the population reader and keeps its mutated file (the path is printed).
//! `FOOTPRINTS_FUZZ_BIN` runs a copy of the binary (so a long run is not disturbed by rebuilds).
//! `FOOTPRINTS_FUZZ_READERS=population,matrix` runs only those readers. See docs/RELIABILITY.md.
//!
//! Environment: `FOOTPRINTS_FUZZ_CASES` cases per reader (default 1,000), `FOOTPRINTS_FUZZ_SECONDS`
//! stop after that long (with no CASES given the run is then limited by time only),
//! `FOOTPRINTS_FUZZ_SEED` (default 10), `FOOTPRINTS_FUZZ_DEADLINE` seconds per case (default 20),
//! `FOOTPRINTS_FUZZ_THREADS` workers (default 2), `FOOTPRINTS_FUZZ_REPORT` seconds between progress
//! reports (default 300).

mod common;
use common::*;
use footprints::build::{self, BuildConfig, Layer};
use footprints::export::check_plan_with;
use footprints::io::crs;
use footprints::{Error, Prepared};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- readers

#[derive(Clone, Copy, PartialEq, Debug)]
enum Fmt {
    Csv,
    GeoJson,
    Shp,
    Toml,
}

/// How a reader is exercised.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Run {
    /// `Prepared::load` of `scenario.toml` (GeoJSON boundaries).
    Scenario,
    /// `Prepared::load` of `scenario_shp.toml` (shapefile boundaries).
    ScenarioShp,
    /// `io::assignment::read_assignment` (locks, existing footprints).
    Assignment,
    /// `FootprintSet::read` (a build's lookup.csv or footprints.geojson).
    FootprintSet,
    /// `site::read_candidates` (CSV or GeoJSON points).
    Candidates,
    /// `io::matrix::TravelMatrix::read`.
    Matrix,
}

struct Reader {
    name: &'static str,
    file: &'static str,
    fmt: Fmt,
    run: Run,
}

const READERS: &[Reader] = &[
    Reader { name: "population", file: "population.csv", fmt: Fmt::Csv, run: Run::Scenario },
    Reader { name: "deprivation", file: "deprivation.csv", fmt: Fmt::Csv, run: Run::Scenario },
    Reader { name: "lookup", file: "lookup.csv", fmt: Fmt::Csv, run: Run::Scenario },
    Reader { name: "practices", file: "practices.csv", fmt: Fmt::Csv, run: Run::Scenario },
    Reader { name: "registrations", file: "registrations.csv", fmt: Fmt::Csv, run: Run::Scenario },
    Reader { name: "lgr-by-lad", file: "lgr_options_by_lad.csv", fmt: Fmt::Csv, run: Run::Scenario },
    Reader { name: "lgr-by-lsoa", file: "lgr_3ua_by_lsoa.csv", fmt: Fmt::Csv, run: Run::Scenario },
    Reader { name: "layers", file: "layers.csv", fmt: Fmt::Csv, run: Run::Scenario },
    Reader { name: "boundaries-geojson", file: "lsoa_boundaries_bng.geojson", fmt: Fmt::GeoJson, run: Run::Scenario },
    Reader { name: "boundaries-shapefile", file: "lsoas.shp", fmt: Fmt::Shp, run: Run::ScenarioShp },
    Reader { name: "scenario-toml", file: "scenario.toml", fmt: Fmt::Toml, run: Run::Scenario },
    Reader { name: "footprints-lookup", file: "fp_lookup.csv", fmt: Fmt::Csv, run: Run::FootprintSet },
    Reader { name: "footprints-geojson", file: "footprints.geojson", fmt: Fmt::GeoJson, run: Run::FootprintSet },
    Reader { name: "candidates-csv", file: "candidates.csv", fmt: Fmt::Csv, run: Run::Candidates },
    Reader { name: "candidates-geojson", file: "candidates.geojson", fmt: Fmt::GeoJson, run: Run::Candidates },
    Reader { name: "matrix", file: "matrix.csv", fmt: Fmt::Csv, run: Run::Matrix },
    Reader { name: "locks", file: "locks.csv", fmt: Fmt::Csv, run: Run::Assignment },
    Reader { name: "existing", file: "existing.csv", fmt: Fmt::Csv, run: Run::Assignment },
];

// ---------------------------------------------------------------- settings

/// The binary: `FOOTPRINTS_FUZZ_BIN` (a copy, for a long run beside rebuilds) or the one cargo built.
fn binary() -> std::path::PathBuf {
    std::env::var_os("FOOTPRINTS_FUZZ_BIN").map(Into::into).unwrap_or_else(bin)
}

struct Settings {
    cases: Option<u64>,
    seconds: Option<u64>,
    seed: u64,
    deadline: Duration,
    threads: usize,
    report: Duration,
    only: Option<(usize, u64)>,
    /// The readers to run (`FOOTPRINTS_FUZZ_READERS=population,matrix`; default all).
    readers: Vec<usize>,
}

fn env_u64(k: &str) -> Option<u64> {
    std::env::var(k).ok().map(|v| v.trim().parse().unwrap_or_else(|_| panic!("{k}={v} is not a whole number")))
}

impl Settings {
    fn from_env() -> Settings {
        let only = std::env::var("FOOTPRINTS_FUZZ_ONLY").ok().map(|v| {
            let (r, c) = v.split_once(':').expect("FOOTPRINTS_FUZZ_ONLY=reader:case");
            let i = READERS.iter().position(|x| x.name == r).unwrap_or_else(|| panic!("no reader {r}"));
            (i, c.parse().expect("case number"))
        });
        let seconds = env_u64("FOOTPRINTS_FUZZ_SECONDS");
        let cases = env_u64("FOOTPRINTS_FUZZ_CASES").or(if seconds.is_some() { None } else { Some(1000) });
        let readers = match std::env::var("FOOTPRINTS_FUZZ_READERS") {
            Ok(v) => v
                .split(',')
                .map(|r| READERS.iter().position(|x| x.name == r.trim()).unwrap_or_else(|| panic!("no reader {r}")))
                .collect(),
            Err(_) => (0..READERS.len()).collect(),
        };
        Settings {
            readers,
            cases,
            seconds,
            seed: env_u64("FOOTPRINTS_FUZZ_SEED").unwrap_or(10),
            deadline: Duration::from_secs(env_u64("FOOTPRINTS_FUZZ_DEADLINE").unwrap_or(20)),
            threads: env_u64("FOOTPRINTS_FUZZ_THREADS").unwrap_or(2).max(1) as usize,
            report: Duration::from_secs(env_u64("FOOTPRINTS_FUZZ_REPORT").unwrap_or(300)),
            only,
        }
    }
}

/// The generator of one case: a function of (seed, reader, case) only.
fn case_rng(seed: u64, reader: usize, case: u64) -> ChaCha8Rng {
    let mut x = seed ^ (reader as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ case.wrapping_mul(0xD1B5_4A32_D192_ED03);
    x ^= x >> 31;
    ChaCha8Rng::seed_from_u64(x)
}

// ---------------------------------------------------------------- base files

/// The unmutated inputs: the demo files plus files made from the demo once.
struct Base {
    files: BTreeMap<String, Vec<u8>>,
    /// The unmutated demo, for readers that take a loaded study.
    prepared: Prepared,
    _dir: tempfile::TempDir,
}

fn make_base() -> Base {
    let dir = demo_copy();
    let d = dir.path();
    let p = Prepared::load(&d.join("scenario.toml")).expect("demo loads");
    // Layers: an extra LSOA → unit table (pairs of wards' districts become "localities").
    let mut layers = String::from("lsoa21_code,locality\n");
    for a in &p.study.areas {
        let unit = format!("LOC{}", (a.point.x / 10_000.0) as i64 % 3);
        writeln!(layers, "{},{unit}", a.code).unwrap();
    }
    std::fs::write(d.join("layers.csv"), layers).unwrap();
    let scen = std::fs::read_to_string(d.join("scenario.toml")).unwrap();
    let scen = scen.replace(
        "\n[build]",
        "\n[[layers]]\nname = \"locality\"\npath = \"layers.csv\"\nunit = \"locality\"\n\n[build]",
    );
    std::fs::write(d.join("scenario.toml"), &scen).unwrap();
    // One build of the demo: its lookup and footprints GeoJSON are the footprint sets.
    let o = std::process::Command::new(binary())
        .args(["build", "-s", "scenario.toml", "--options", "1", "--steps", "5", "-o", "b"])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(o.status.success(), "demo build: {}", text(&o).1);
    std::fs::copy(d.join("b/option-1/lookup.csv"), d.join("fp_lookup.csv")).unwrap();
    std::fs::copy(d.join("b/option-1/footprints.geojson"), d.join("footprints.geojson")).unwrap();
    let lookup = std::fs::read_to_string(d.join("fp_lookup.csv")).unwrap();
    let (mut locks, mut existing) = (String::from("lsoa_code,footprint\n"), String::from("lsoa_code,footprint\n"));
    for (i, l) in lookup.lines().skip(1).enumerate() {
        let f: Vec<&str> = l.split(',').collect();
        writeln!(existing, "{},{}", f[0], f[4]).unwrap();
        if i % 20 == 0 {
            writeln!(locks, "{},{}", f[0], f[4]).unwrap();
        }
    }
    std::fs::write(d.join("locks.csv"), locks).unwrap();
    std::fs::write(d.join("existing.csv"), existing).unwrap();
    write_candidates_and_matrix(&p, d);
    write_shapefile(&p, d);
    let shp_scen = scen.replace(
        "path = \"lsoa_boundaries_bng.geojson\"",
        "path = \"lsoas.shp\"\ncode = \"lsoa21_cd\"\nname = \"lsoa21_nm\"\nlad = \"ltla24_cd\"\nlad_name = \"ltla24_nm\"",
    );
    std::fs::write(d.join("scenario_shp.toml"), shp_scen).unwrap();
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(d).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            files.insert(e.file_name().to_string_lossy().to_string(), std::fs::read(e.path()).unwrap());
        }
    }
    Base { files, prepared: p, _dir: dir }
}

/// Candidate sites (every practice, CSV in BNG and GeoJSON in WGS84) and a travel-time matrix from
/// every LSOA to its eight nearest practices (minutes at 30 km/h).
fn write_candidates_and_matrix(p: &Prepared, d: &Path) {
    let mut csv = String::from("code,name,easting,northing,capacity,must_open\n");
    let mut feats = Vec::new();
    for (i, pr) in p.study.practices.iter().enumerate() {
        let cap = if i % 3 == 0 { String::new() } else { format!("{}", 20_000 + i * 100) };
        let must = if i % 7 == 0 { "yes" } else { "no" };
        writeln!(csv, "{},{},{},{},{cap},{must}", pr.code, pr.name, pr.xy.x, pr.xy.y).unwrap();
        let ll = crs::bng_to_wgs84(pr.xy.x, pr.xy.y).unwrap();
        feats.push(serde_json::json!({"type": "Feature",
            "properties": {"code": pr.code, "name": pr.name, "capacity": if cap.is_empty() { Value::Null } else { Value::from(20_000 + i * 100) }, "must_open": must == "yes"},
            "geometry": {"type": "Point", "coordinates": [(ll.x * 1e6).round() / 1e6, (ll.y * 1e6).round() / 1e6]}}));
    }
    std::fs::write(d.join("candidates.csv"), csv).unwrap();
    let fc = serde_json::json!({"type": "FeatureCollection", "features": feats});
    std::fs::write(d.join("candidates.geojson"), serde_json::to_string_pretty(&fc).unwrap()).unwrap();
    let mut m = String::from("lsoa_code,practice_code,minutes\n");
    for a in &p.study.areas {
        let mut near: Vec<(f64, &str)> = p
            .study
            .practices
            .iter()
            .map(|pr| (((pr.xy.x - a.point.x).powi(2) + (pr.xy.y - a.point.y).powi(2)).sqrt(), pr.code.as_str()))
            .collect();
        near.sort_by(|x, y| x.0.total_cmp(&y.0));
        for (dist, code) in near.iter().take(8) {
            writeln!(m, "{},{code},{:.1}", a.code, dist / 500.0).unwrap();
        }
    }
    std::fs::write(d.join("matrix.csv"), m).unwrap();
}

/// The demo's LSOAs as a shapefile (BNG, with a .prj), attribute names cut to ten characters.
fn write_shapefile(p: &Prepared, d: &Path) {
    use shapefile::dbase::{FieldValue, Record, TableWriterBuilder};
    let table = TableWriterBuilder::new()
        .add_character_field("lsoa21_cd".try_into().unwrap(), 9)
        .add_character_field("lsoa21_nm".try_into().unwrap(), 40)
        .add_character_field("ltla24_cd".try_into().unwrap(), 9)
        .add_character_field("ltla24_nm".try_into().unwrap(), 40);
    let mut w = shapefile::Writer::from_path(d.join("lsoas.shp"), table).unwrap();
    for a in &p.study.areas {
        let mut rings = Vec::new();
        for poly in &a.geom.0 {
            let pts = |ls: &geo_types::LineString| ls.0.iter().map(|c| shapefile::Point::new(c.x, c.y)).collect();
            rings.push(shapefile::PolygonRing::Outer(pts(poly.exterior())));
            rings.extend(poly.interiors().iter().map(|r| shapefile::PolygonRing::Inner(pts(r))));
        }
        let shape = shapefile::Polygon::with_rings(rings);
        let lad = &p.study.lads[a.lad as usize];
        let mut rec = Record::default();
        rec.insert("lsoa21_cd".into(), FieldValue::Character(Some(a.code.clone())));
        rec.insert("lsoa21_nm".into(), FieldValue::Character(Some(a.name.clone())));
        rec.insert("ltla24_cd".into(), FieldValue::Character(Some(lad.code.clone())));
        rec.insert("ltla24_nm".into(), FieldValue::Character(Some(lad.name.clone())));
        w.write_shape_and_record(&shape, &rec).unwrap();
    }
    drop(w);
    std::fs::write(d.join("lsoas.prj"), "PROJCS[\"British_National_Grid\",GEOGCS[\"GCS_OSGB_1936\"]]").unwrap();
}

// ---------------------------------------------------------------- mutations

/// Values that stand in for a number (or any field).
const SPECIAL: &[&str] = &[
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "-1",
    "0",
    "-0",
    "1e308",
    "-1e308",
    "1e-320",
    "99999999999999999999",
    "18446744073709551615",
    "9999999999999",
    "4294967296",
    "1,548",
    "\"1,548\"",
    "",
    " ",
    "text",
    "12abc",
    "0x10",
    "1.5",
    "1e3",
    " 12 ",
    "１２",
    "null",
    "true",
    "\"",
    "\"\"",
    "E01900001",
    "E01999999",
    "W01000001",
    "n/a",
    "-",
    "٣",
    "\u{feff}12",
    "1_000",
    "+5",
    ".",
    "1.",
    "2147483648",
    "-2147483649",
];

/// Bytes worth inserting.
const BYTES: &[&[u8]] = &[
    b"\0",
    b"\xff",
    b"\xfe",
    b"\xe9",
    b"\x92",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"\"",
    b",",
    b"\n",
    b"\r",
    b"\r\n",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b";",
    b"\t",
    b"\\",
    b"=",
    b"#",
    b"'",
    b"\xf0\x9f\x98\x80",
    b"-",
    b"e",
    b"9",
];

struct Mutator<'a> {
    rng: &'a mut ChaCha8Rng,
    log: Vec<String>,
}

impl Mutator<'_> {
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            self.rng.random_range(0..n)
        }
    }
    fn chance(&mut self, p: f64) -> bool {
        self.rng.random_bool(p)
    }
    fn special(&mut self) -> &'static str {
        SPECIAL[self.below(SPECIAL.len())]
    }
    fn note(&mut self, s: impl Into<String>) {
        self.log.push(s.into());
    }

    /// One to three mutations suited to the format.
    fn mutate(&mut self, fmt: Fmt, data: &[u8]) -> Vec<u8> {
        let mut d = data.to_vec();
        let n = 1 + usize::from(self.chance(0.3)) + usize::from(self.chance(0.1));
        for _ in 0..n {
            let pick = self.below(100);
            d = match fmt {
                Fmt::Csv if pick < 15 => self.bytes(d),
                Fmt::Csv if pick < 70 => self.csv_field(d),
                Fmt::Csv if pick < 85 => self.csv_header(d),
                Fmt::GeoJson if pick < 12 => self.bytes(d),
                Fmt::GeoJson if pick < 75 => self.geojson(d),
                Fmt::GeoJson if pick < 85 => self.csv_field(d),
                Fmt::Toml if pick < 20 => self.bytes(d),
                Fmt::Toml if pick < 85 => self.toml(d),
                Fmt::Shp => self.binary(d),
                _ => self.encoding(d),
            };
        }
        d
    }

    // ------------------------------------------------------------ bytes

    fn bytes(&mut self, mut d: Vec<u8>) -> Vec<u8> {
        let len = d.len();
        let at = self.below(len + 1);
        match self.below(7) {
            0 if len > 0 => {
                let bit = self.below(8);
                d[at.min(len - 1)] ^= 1 << bit;
                self.note(format!("flip bit {bit} of byte {at}"));
            }
            1 | 2 => {
                let b = BYTES[self.below(BYTES.len())];
                d.splice(at..at, b.iter().copied());
                self.note(format!("insert {b:?} at byte {at}"));
            }
            3 => {
                let n = 1 + self.below(64);
                let end = (at + n).min(len);
                d.drain(at..end);
                self.note(format!("delete bytes {at}..{end}"));
            }
            4 => {
                d.truncate(at);
                self.note(format!("truncate at byte {at}"));
            }
            5 if len > 0 => {
                let n = 1 + self.below(200);
                let from = self.below(len);
                let span: Vec<u8> = d[from..(from + n).min(len)].to_vec();
                d.splice(at..at, span);
                self.note(format!("copy bytes {from}+{n} to {at}"));
            }
            _ if len > 0 => {
                let b: u8 = self.rng.random();
                d[at.min(len - 1)] = b;
                self.note(format!("set byte {at} to {b:#04x}"));
            }
            _ => {}
        }
        d
    }

    /// Binary files (shapefile .shp/.shx/.dbf): bytes, or numbers overwritten in place.
    fn binary(&mut self, mut d: Vec<u8>) -> Vec<u8> {
        let len = d.len();
        if len < 8 || self.chance(0.5) {
            return self.bytes(d);
        }
        let at = if self.chance(0.3) { self.below(120.min(len - 8)) } else { self.below(len - 8) };
        match self.below(3) {
            0 => {
                let v = [f64::NAN, f64::INFINITY, -f64::INFINITY, 1e308, -1e308, 0.0, -1.0, 1e20][self.below(8)];
                d[at..at + 8].copy_from_slice(&v.to_le_bytes());
                self.note(format!("f64 {v} at byte {at}"));
            }
            1 => {
                let v = [i32::MAX, i32::MIN, -1, 0, 1, 0x7fff, 100_000_000][self.below(7)];
                d[at..at + 4].copy_from_slice(&v.to_be_bytes());
                self.note(format!("i32be {v} at byte {at}"));
            }
            _ => {
                let v = [i32::MAX, i32::MIN, -1, 0, 1, 5, 3, 0x7fff, 100_000_000][self.below(9)];
                d[at..at + 4].copy_from_slice(&v.to_le_bytes());
                self.note(format!("i32le {v} at byte {at}"));
            }
        }
        d
    }

    // ------------------------------------------------------------ CSV (works on any text)

    fn csv_field(&mut self, d: Vec<u8>) -> Vec<u8> {
        let mut lines = split_lines(&d);
        if lines.len() < 2 {
            return self.bytes(d);
        }
        let row = 1 + self.below(lines.len() - 1);
        let op = self.below(14);
        match op {
            0..=3 => {
                let mut f = split_fields(&lines[row]);
                // Prefer a field that holds a number.
                let nums: Vec<usize> = (0..f.len()).filter(|&i| is_number(&f[i])).collect();
                let k = if !nums.is_empty() && self.chance(0.75) {
                    nums[self.below(nums.len())]
                } else {
                    self.below(f.len())
                };
                let v = self.special();
                self.note(format!("row {row} field {k} := {v:?}"));
                f[k] = v.as_bytes().to_vec();
                lines[row] = f.join(&b","[..]);
            }
            4 => {
                let mut f = split_fields(&lines[row]);
                let k = self.below(f.len());
                f.remove(k);
                self.note(format!("row {row} drop field {k}"));
                lines[row] = f.join(&b","[..]);
            }
            5 => {
                let mut f = split_fields(&lines[row]);
                let k = self.below(f.len());
                let v = f[k].clone();
                f.insert(k, v);
                self.note(format!("row {row} duplicate field {k}"));
                lines[row] = f.join(&b","[..]);
            }
            6 => {
                let mut f = split_fields(&lines[row]);
                let (a, b) = (self.below(f.len()), self.below(f.len()));
                f.swap(a, b);
                self.note(format!("row {row} swap fields {a} and {b}"));
                lines[row] = f.join(&b","[..]);
            }
            7 => {
                lines.remove(row);
                self.note(format!("drop row {row}"));
            }
            8 => {
                let to = 1 + self.below(lines.len() - 1);
                let l = lines[row].clone();
                lines.insert(to, l);
                self.note(format!("duplicate row {row} at {to}"));
            }
            9 => {
                let other = 1 + self.below(lines.len() - 1);
                lines.swap(row, other);
                self.note(format!("swap rows {row} and {other}"));
            }
            10 => {
                // A whole column set to one value (all zero, all huge...).
                let k = self.below(split_fields(&lines[0]).len().max(1));
                let v = self.special();
                for l in lines.iter_mut().skip(1) {
                    let mut f = split_fields(l);
                    if k < f.len() {
                        f[k] = v.as_bytes().to_vec();
                    }
                    *l = f.join(&b","[..]);
                }
                self.note(format!("column {k} := {v:?} in every row"));
            }
            11 => {
                // Another row's key: a repeated key with a different value.
                let other = 1 + self.below(lines.len() - 1);
                let mut f = split_fields(&lines[row]);
                let g = split_fields(&lines[other]);
                let k = self.below(f.len().min(g.len()).max(1));
                if k < f.len() && k < g.len() {
                    f[k] = g[k].clone();
                }
                self.note(format!("row {row} field {k} := row {other}'s"));
                lines[row] = f.join(&b","[..]);
            }
            12 => {
                let extra: &[u8] =
                    [&b""[..], b",", b",,,,", b",extra", b",1,2,3", b"\"", b",\"unclosed"][self.below(7)];
                lines[row].extend_from_slice(extra);
                self.note(format!("row {row} += {:?}", String::from_utf8_lossy(extra)));
            }
            _ => {
                let n = self.below(lines.len());
                lines.truncate(n.max(1));
                self.note(format!("keep {} line(s)", n.max(1)));
            }
        }
        join_lines(&lines, d.ends_with(b"\n"))
    }

    fn csv_header(&mut self, d: Vec<u8>) -> Vec<u8> {
        let mut lines = split_lines(&d);
        if lines.is_empty() {
            return self.bytes(d);
        }
        let mut h = split_fields(&lines[0]);
        let k = self.below(h.len());
        match self.below(8) {
            0 => {
                h[k] = h[k].to_ascii_uppercase();
                self.note(format!("header {k} upper case"));
            }
            1 => {
                h[k] = [&b" "[..], &h[k], b" "].concat();
                self.note(format!("header {k} padded"));
            }
            2 => {
                h[k].clear();
                self.note(format!("header {k} empty"));
            }
            3 => {
                let o = self.below(h.len());
                h[k] = h[o].clone();
                self.note(format!("header {k} := header {o}"));
            }
            4 => {
                h.remove(k);
                self.note(format!("drop header {k}"));
            }
            5 => {
                let o = self.below(h.len());
                h.swap(k, o);
                self.note(format!("swap headers {k} and {o}"));
            }
            6 => {
                lines.remove(0);
                self.note("drop the header line");
                return join_lines(&lines, d.ends_with(b"\n"));
            }
            _ => {
                lines.truncate(1);
                self.note("header only");
                return join_lines(&lines, true);
            }
        }
        lines[0] = h.join(&b","[..]);
        join_lines(&lines, d.ends_with(b"\n"))
    }

    fn encoding(&mut self, d: Vec<u8>) -> Vec<u8> {
        match self.below(9) {
            0 => {
                self.note("byte-order mark");
                [&b"\xef\xbb\xbf"[..], &d].concat()
            }
            1 => {
                self.note("CRLF line ends");
                replace_bytes(&d, b"\n", b"\r\n")
            }
            2 => {
                self.note("CR line ends");
                replace_bytes(&d, b"\n", b"\r")
            }
            3 | 4 => {
                let be = self.chance(0.5);
                self.note(if be { "UTF-16BE with BOM" } else { "UTF-16LE with BOM" });
                let s = String::from_utf8_lossy(&d);
                let mut out = if be { vec![0xfe, 0xff] } else { vec![0xff, 0xfe] };
                for u in s.encode_utf16() {
                    out.extend_from_slice(&if be { u.to_be_bytes() } else { u.to_le_bytes() });
                }
                out
            }
            5 => {
                self.note("no final newline");
                let mut d = d;
                while d.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                    d.pop();
                }
                d
            }
            6 => {
                self.note("blank lines appended");
                [&d[..], b"\n\n\n"].concat()
            }
            7 => {
                let sep: &[u8] = if self.chance(0.5) { b";" } else { b"\t" };
                self.note(format!("separator {:?}", sep[0] as char));
                replace_bytes(&d, b",", sep)
            }
            _ => {
                // Windows-1252 / Latin-1 letters in place of ASCII ones.
                let mut d = d;
                let at = self.below(d.len());
                let b = [0xe9u8, 0x92, 0xa3, 0xfc][self.below(4)];
                if let Some(i) = (at..d.len()).find(|&i| d[i].is_ascii_alphabetic()) {
                    d[i] = b;
                }
                self.note(format!("byte {b:#04x} for a letter after {at}"));
                d
            }
        }
    }
}

fn split_lines(d: &[u8]) -> Vec<Vec<u8>> {
    let body = d.strip_suffix(b"\n").unwrap_or(d);
    body.split(|b| *b == b'\n').map(<[u8]>::to_vec).collect()
}

fn join_lines(lines: &[Vec<u8>], final_newline: bool) -> Vec<u8> {
    let mut out = lines.join(&b"\n"[..]);
    if final_newline {
        out.push(b'\n');
    }
    out
}

fn split_fields(l: &[u8]) -> Vec<Vec<u8>> {
    l.split(|b| *b == b',').map(<[u8]>::to_vec).collect()
}

fn is_number(f: &[u8]) -> bool {
    std::str::from_utf8(f).ok().and_then(|s| s.trim().parse::<f64>().ok()).is_some()
}

fn replace_bytes(d: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(d.len() + d.len() / 20);
    let mut i = 0;
    while i < d.len() {
        if d[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(d[i]);
            i += 1;
        }
    }
    out
}

// ---------------------------------------------------------------- GeoJSON

/// Paths (array indices) to positions and to rings (arrays of positions) inside `v`.
fn coord_paths(v: &Value, path: &mut Vec<usize>, pos: &mut Vec<Vec<usize>>, rings: &mut Vec<Vec<usize>>) {
    let Value::Array(a) = v else { return };
    if !a.is_empty() && a.iter().all(Value::is_number) {
        pos.push(path.clone());
        return;
    }
    if !a.is_empty() && a.iter().all(|x| x.as_array().is_some_and(|p| p.iter().all(Value::is_number))) {
        rings.push(path.clone());
    }
    for (i, x) in a.iter().enumerate() {
        path.push(i);
        coord_paths(x, path, pos, rings);
        path.pop();
    }
}

fn at_mut<'a>(v: &'a mut Value, path: &[usize]) -> &'a mut Value {
    path.iter().fold(v, |v, &i| &mut v[i])
}

fn swap_xy(v: &mut Value) {
    let (mut pos, mut rings) = (Vec::new(), Vec::new());
    coord_paths(v, &mut Vec::new(), &mut pos, &mut rings);
    for p in pos {
        if let Some(a) = at_mut(v, &p).as_array_mut().filter(|a| a.len() >= 2) {
            a.swap(0, 1);
        }
    }
}

impl Mutator<'_> {
    fn geojson(&mut self, d: Vec<u8>) -> Vec<u8> {
        let Ok(mut v) = serde_json::from_slice::<Value>(&d) else { return self.bytes(d) };
        let n = v["features"].as_array().map_or(0, Vec::len);
        if n == 0 {
            return self.bytes(d);
        }
        let f = self.below(n);
        if !v["features"][f].is_object() {
            return self.bytes(d);
        }
        let pick = self.below(100);
        if pick < 55 && v["features"][f]["geometry"].is_object() {
            self.geometry(&mut v["features"][f]["geometry"], f);
        } else if pick < 80 {
            self.feature(&mut v, f, n);
        } else {
            self.collection(&mut v);
        }
        serde_json::to_vec(&v).unwrap()
    }

    fn geometry(&mut self, g: &mut Value, f: usize) {
        let (mut pos, mut rings) = (Vec::new(), Vec::new());
        coord_paths(&g["coordinates"], &mut Vec::new(), &mut pos, &mut rings);
        if pos.is_empty() {
            *g = Value::Null;
            self.note(format!("feature {f}: geometry null"));
            return;
        }
        let c = &mut g["coordinates"];
        let p = pos[self.below(pos.len())].clone();
        let r = if rings.is_empty() { None } else { Some(rings[self.below(rings.len())].clone()) };
        match self.below(15) {
            0 => {
                swap_xy(c);
                self.note(format!("feature {f}: swap x and y"));
            }
            1 => {
                let v = [1e308, -1e308, 1e20, 0.0, -1.0, 5e6, 1e-300][self.below(7)];
                let k = self.below(2);
                at_mut(c, &p)[k] = serde_json::json!(v);
                self.note(format!("feature {f}: coordinate {p:?}[{k}] := {v}"));
            }
            2 => {
                let v = [Value::Null, Value::from("NaN"), Value::from("1e3"), Value::Bool(true), Value::Array(vec![])]
                    [self.below(5)]
                .clone();
                at_mut(c, &p)[0] = v.clone();
                self.note(format!("feature {f}: coordinate {p:?}[0] := {v}"));
            }
            3 => {
                let x = at_mut(c, &p).take();
                *at_mut(c, &p) = Value::Array(vec![x]);
                self.note(format!("feature {f}: position {p:?} nested one level deeper"));
            }
            4 => {
                let v = [Value::Array(vec![]), serde_json::json!([[]]), Value::from(1), Value::from("x"), Value::Null]
                    [self.below(5)]
                .clone();
                *c = v.clone();
                self.note(format!("feature {f}: coordinates := {v}"));
            }
            5 => {
                let ty = ["Point", "LineString", "Polygon", "MultiPolygon", "GeometryCollection", "Nonsense", ""]
                    [self.below(7)];
                g["type"] = Value::from(ty);
                self.note(format!("feature {f}: type := {ty}"));
            }
            6 => {
                *g = Value::Null;
                self.note(format!("feature {f}: geometry null"));
            }
            7 => {
                at_mut(c, &p).as_array_mut().unwrap().push(Value::from(100.0));
                self.note(format!("feature {f}: position {p:?} gets a z"));
            }
            _ => self.ring(c, r, f),
        }
    }

    fn ring(&mut self, c: &mut Value, r: Option<Vec<usize>>, f: usize) {
        let Some(r) = r else { return };
        let ring = at_mut(c, &r).as_array_mut().unwrap();
        let len = ring.len();
        match self.below(7) {
            0 => {
                ring.pop();
                self.note(format!("feature {f}: ring {r:?} loses its closing point"));
            }
            1 => {
                let p = ring[0].clone();
                ring.iter_mut().for_each(|x| *x = p.clone());
                self.note(format!("feature {f}: ring {r:?} all one point (zero area)"));
            }
            2 => {
                ring.truncate(self.rng.random_range(0..3));
                self.note(format!("feature {f}: ring {r:?} cut to {} point(s)", ring.len()));
            }
            3 if len > 3 => {
                let (a, b) = (1 + self.below(len - 2), 1 + self.below(len - 2));
                ring.swap(a, b);
                self.note(format!("feature {f}: ring {r:?} swap vertices {a} and {b} (bow-tie)"));
            }
            4 if len > 2 => {
                let k = 1 + self.below(len - 2);
                let far = self.rng.random_range(-100_000.0..100_000.0f64);
                if let Some(x) = ring[k][0].as_f64() {
                    ring[k][0] = serde_json::json!(x + far);
                }
                self.note(format!("feature {f}: ring {r:?} vertex {k} moved {far:.0} in x (spike)"));
            }
            5 => {
                // Collinear ring: zero area, distinct points.
                let p0: Vec<f64> = ring[0].as_array().unwrap().iter().filter_map(Value::as_f64).collect();
                if p0.len() >= 2 {
                    *ring = (0..4).map(|i| serde_json::json!([p0[0] + i as f64, p0[1] + i as f64])).collect();
                    ring.push(ring[0].clone());
                }
                self.note(format!("feature {f}: ring {r:?} collinear"));
            }
            _ => {
                ring.reverse();
                self.note(format!("feature {f}: ring {r:?} reversed"));
            }
        }
    }

    fn feature(&mut self, v: &mut Value, f: usize, n: usize) {
        let other = self.below(n);
        let feats = v["features"].as_array_mut().unwrap();
        match self.below(9) {
            0 => {
                feats.remove(f);
                self.note(format!("drop feature {f}"));
            }
            1 => {
                let x = feats[f].clone();
                feats.insert(other, x);
                self.note(format!("duplicate feature {f} at {other}"));
            }
            2 => {
                let g = feats[other]["geometry"].clone();
                feats[f]["geometry"] = g;
                self.note(format!("feature {f} takes feature {other}'s geometry"));
            }
            3 => {
                let g = feats[f]["geometry"].clone();
                for x in feats.iter_mut().filter(|x| x["geometry"].is_object()) {
                    swap_xy(&mut x["geometry"]["coordinates"]);
                }
                feats[f]["geometry"] = g;
                self.note(format!("every feature but {f}: swap x and y"));
            }
            _ => {
                let Some(props) = feats[f]["properties"].as_object_mut() else {
                    feats[f]["properties"] = Value::Null;
                    self.note(format!("feature {f}: properties null"));
                    return;
                };
                let keys: Vec<String> = props.keys().cloned().collect();
                if keys.is_empty() {
                    return;
                }
                let k = keys[self.below(keys.len())].clone();
                let val = match self.below(6) {
                    0 => Value::Null,
                    1 => Value::from(12345),
                    2 => Value::from(""),
                    3 => {
                        props.remove(&k);
                        self.note(format!("feature {f}: drop property {k}"));
                        return;
                    }
                    4 => feats[other]["properties"][&k].clone(),
                    _ => Value::from(self.special()),
                };
                self.note(format!("feature {f}: property {k} := {val}"));
                feats[f]["properties"][&k] = val;
            }
        }
    }

    fn collection(&mut self, v: &mut Value) {
        match self.below(7) {
            0 => {
                v["crs"] = serde_json::json!({"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}});
                self.note("crs := CRS84");
            }
            1 => {
                v["crs"] = serde_json::json!({"type": "name", "properties": {"name": "EPSG:27700"}});
                self.note("crs := EPSG:27700");
            }
            2 => {
                v["crs"] = Value::from(self.special());
                self.note("crs := junk");
            }
            3 => {
                if let Some(o) = v.as_object_mut() {
                    o.remove("crs");
                }
                self.note("no crs member");
            }
            4 => {
                v["features"] = serde_json::json!([]);
                self.note("no features");
            }
            5 => {
                v["type"] = Value::from("Feature");
                self.note("type := Feature");
            }
            _ => {
                let feats = v["features"].as_array_mut().unwrap();
                let keep = self.below(feats.len() + 1);
                feats.truncate(keep);
                self.note(format!("keep {keep} feature(s)"));
            }
        }
    }

    // ------------------------------------------------------------ TOML

    fn toml(&mut self, d: Vec<u8>) -> Vec<u8> {
        let Ok(s) = String::from_utf8(d.clone()) else { return self.bytes(d) };
        let mut lines: Vec<String> = s.lines().map(str::to_string).collect();
        let kv: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].contains(" = ")).collect();
        let heads: Vec<usize> = (0..lines.len()).filter(|&i| lines[i].starts_with('[')).collect();
        if kv.is_empty() {
            return self.bytes(d);
        }
        let k = kv[self.below(kv.len())];
        match self.below(8) {
            0..=2 => {
                const VALUES: &[&str] = &[
                    "nan",
                    "inf",
                    "-inf",
                    "-1",
                    "0",
                    "1e308",
                    "99999999999",
                    "1",
                    "\"\"",
                    "\"text\"",
                    "true",
                    "[]",
                    "{}",
                    "\"nosuch.csv\"",
                    "\"lookup.csv\"",
                    "\"population.csv\"",
                    "\"lsoa_boundaries_bng.geojson\"",
                    "\"scenario.toml\"",
                    "\"/\"",
                    "\".\"",
                    "\"lsoas.shp\"",
                    "\"E07900001\"",
                    "\"2UA\"",
                    "\"3UA\"",
                    "\"lsoa\"",
                    "\"lad\"",
                    "\"none\"",
                    "\"robust\"",
                    "\"ward\"",
                    "\"EPSG:4326\"",
                    "0.5",
                ];
                let key = lines[k].split(" = ").next().unwrap().to_string();
                let v = VALUES[self.below(VALUES.len())];
                lines[k] = format!("{key} = {v}");
                self.note(format!("line {} := {}", k + 1, lines[k]));
            }
            3 => {
                let l = lines.remove(k);
                self.note(format!("drop line {} ({l})", k + 1));
            }
            4 => {
                let l = lines[k].clone();
                lines.insert(k, l);
                self.note(format!("duplicate line {}", k + 1));
            }
            5 if !heads.is_empty() => {
                let h = heads[self.below(heads.len())];
                let new = ["", "[buld]", "[lgr]", "[[lgr]]", "[[layers]]", "[study_area]", "[build]", "[[population]]"]
                    [self.below(8)];
                self.note(format!("line {} {} := {new}", h + 1, lines[h]));
                lines[h] = new.to_string();
            }
            _ => {
                const SNIPPETS: &[&str] = &[
                    "[study_area]\nlads = [\"E07900009\"]",
                    "[study_area]\ncode_prefix = \"W\"",
                    "[study_area]\nlads = [\"E07900001\"]",
                    "[study_area]\nflag = \"town\"",
                    "[study_area]\npolygon = \"lsoa_boundaries_bng.geojson\"",
                    "[adjacency]\ntolerance_m = 1e308",
                    "[adjacency]\nmin_shared_m = nan",
                    "[adjacency]\njoin_islands = false\nmin_shared_m = 5000",
                    "[[layers]]\nname = \"locality\"\npath = \"layers.csv\"\nunit = \"locality\"",
                    "[[layers]]\nname = \"x\"\npath = \"lookup.csv\"\nunit = \"ward24_code\"",
                    "[[lgr]]\npath = \"lgr_3ua_by_lsoa.csv\"\nby = \"lsoa\"\nname = \"3UA\"\ncode = \"lsoa21_code\"\nunit = \"unitary\"",
                    "[[lgr]]\npath = \"lookup.csv\"\nby = \"lsoa\"\nname = \"W\"\ncode = \"lsoa21_code\"\nunit = \"ward24_code\"",
                    "unknown_key = 1",
                ];
                let s = SNIPPETS[self.below(SNIPPETS.len())];
                let at = if self.chance(0.5) { lines.len() } else { heads.first().copied().unwrap_or(0) };
                lines.insert(at, s.to_string());
                self.note(format!("insert at line {}: {s:?}", at + 1));
            }
        }
        (lines.join("\n") + "\n").into_bytes()
    }
}

// ---------------------------------------------------------------- one case

/// What a case ended in, when it did not break a property.
enum Outcome {
    /// Read and passed the invariants; `built` when a build of it was checked too; the study's
    /// LSOAs and people when a scenario was loaded.
    Ok { built: bool, study: Option<(usize, u64)> },
    /// A clear error; `whole` when it is a whole-scenario error (no file to name).
    Err { msg: String, whole: bool },
}

/// A broken property: (kind, detail).
type Broken = (&'static str, String);

/// Sample rates (every n-th case of a reader, by case number).
const BUILD_EVERY: u64 = 8;
const CLI_EVERY: u64 = 25;

struct Case<'a> {
    base: &'a Base,
    dir: &'a Path,
    reader: &'a Reader,
    case: u64,
    seed: u64,
}

fn scenario_of(r: &Reader) -> &'static str {
    if r.run == Run::ScenarioShp {
        "scenario_shp.toml"
    } else {
        "scenario.toml"
    }
}

/// An error must name a file of the case, or a row, line, feature or record; a whole-scenario error
/// (empty study area, infeasible request) must at least say something.
fn judge_error(e: &Error) -> std::result::Result<Outcome, Broken> {
    let msg = e.to_string();
    let dir = CASE_DIR.with(|d| d.borrow().clone());
    let names_file =
        [".csv", ".geojson", ".toml", ".shp", ".dbf", ".shx", ".prj", ".json"].iter().any(|x| msg.contains(x))
            || (!dir.is_empty() && msg.contains(&dir));
    let located = ["row ", "line ", "feature", "record ", "rows "].iter().any(|x| msg.contains(x));
    let whole = matches!(e, Error::Scenario { .. } | Error::Infeasible { .. });
    // Rust debug text is not a message a person can act on.
    if ["Error {", "kind: ", "Os {", "Some(", "IoError("].iter().any(|x| msg.contains(x)) {
        return Err(("debug text in error", msg));
    }
    if names_file || located || (whole && msg.trim().len() > 10) {
        Ok(Outcome::Err { msg, whole: whole && !names_file })
    } else {
        Err(("unclear error", msg))
    }
}

fn check(ok: bool, what: impl FnOnce() -> String) -> std::result::Result<(), Broken> {
    if ok {
        Ok(())
    } else {
        Err(("invariant", what()))
    }
}

fn in_bng(x: f64, y: f64) -> bool {
    x.is_finite() && y.is_finite() && (-1.0..=700_001.0).contains(&x) && (-1.0..=1_300_001.0).contains(&y)
}

/// A loaded study: plausible populations, finite coordinates in England and Wales, one graph node
/// per LSOA, codes unique and indexed.
fn study_invariants(p: &Prepared) -> std::result::Result<(), Broken> {
    let s = &p.study;
    let n = s.areas.len();
    check(n > 0, || "empty study".into())?;
    check(p.graph.n == n && p.graph.neighbors.len() == n, || format!("graph of {} for {n} LSOAs", p.graph.n))?;
    check(p.graph.edges.iter().all(|e| e.a < n && e.b < n && e.a != e.b), || "graph edge out of range".into())?;
    let mut total = 0u64;
    for (i, a) in s.areas.iter().enumerate() {
        check(a.pop <= footprints::load::MAX_LSOA_PEOPLE, || format!("{} has population {}", a.code, a.pop))?;
        total = total.checked_add(a.pop).ok_or(("invariant", "population total overflows".to_string()))?;
        check(s.index.get(&a.code) == Some(&i), || format!("{} not indexed", a.code))?;
        check(in_bng(a.point.x, a.point.y), || format!("{} point {:?}", a.code, a.point))?;
        check(!a.geom.0.is_empty(), || format!("{} has no polygon", a.code))?;
        let bad =
            a.geom.0.iter().flat_map(|p| p.exterior().0.iter().chain(p.interiors().iter().flat_map(|r| r.0.iter())));
        check(bad.clone().all(|c| in_bng(c.x, c.y)), || format!("{} has a vertex outside BNG", a.code))?;
        check((a.lad as usize) < s.lads.len(), || format!("{} lad id", a.code))?;
        if let Some(imd) = &a.imd {
            let fin = [imd.score, imd.need].iter().flatten().all(|x| x.is_finite());
            check(fin, || format!("{} deprivation {imd:?}", a.code))?;
            check(imd.decile.is_none_or(|d| (1..=10).contains(&d)), || format!("{} decile {imd:?}", a.code))?;
            check(imd.rank.is_none_or(|r| (1..=33_755).contains(&r)), || format!("{} rank {imd:?}", a.code))?;
        }
        if let Some(l) = &a.pcn {
            check(l.share.is_finite() && (0.0..=1.0 + 1e-9).contains(&l.share), || format!("{} PCN share", a.code))?;
        }
    }
    check(s.index.len() == n, || "index size".into())?;
    check(s.practices.iter().all(|pr| in_bng(pr.xy.x, pr.xy.y)), || "practice outside BNG".into())?;
    check(s.practices.iter().all(|pr| pr.list_size.is_none_or(|l| l <= 500_000)), || "list size".into())?;
    for o in &s.lgr {
        let fits = o.unit_of.len() == n && o.unit_of.iter().flatten().all(|&u| (u as usize) < o.units.len());
        check(fits, || format!("LGR option {} unit ids", o.name))?;
    }
    for l in &s.layers {
        let fits = l.unit_of.len() == n && l.unit_of.iter().flatten().all(|&u| (u as usize) < l.units.len());
        check(fits, || format!("layer {} unit ids", l.name))?;
    }
    Ok(())
}

/// A cheap build (one option, five ReCom steps per SNP): every plan assigns every LSOA once, its
/// footprints are contiguous (the PCN baseline excepted) and their populations sum to the total.
fn build_invariants(p: &Prepared, cfg: BuildConfig) -> std::result::Result<Outcome, Broken> {
    let res = match build::build(p, &cfg) {
        Ok(r) => r,
        Err(e) => return judge_error(&e),
    };
    let total: u64 = p.study.areas.iter().map(|a| a.pop).sum();
    for b in res.options.iter().chain(&res.baselines) {
        let bad = check_plan_with(p, &b.plan, b.kind.follows_units());
        check(bad.is_empty(), || format!("{}: {bad:?}", b.label))?;
        check(b.plan.snp_of.len() == p.study.areas.len(), || format!("{}: plan length", b.label))?;
        let mut per = vec![0u64; b.plan.n_snp()];
        for (i, a) in p.study.areas.iter().enumerate() {
            per[b.plan.snp_of[i]] += a.pop;
        }
        check(per.iter().sum::<u64>() == total, || format!("{}: populations do not sum", b.label))?;
    }
    check(!res.options.is_empty(), || "no option built".into())?;
    Ok(Outcome::Ok { built: true, study: None })
}

fn demo_cfg(p: &Prepared, seed: u64) -> std::result::Result<BuildConfig, Error> {
    Ok(BuildConfig { options: 1, steps_per_snp: 5, seed, ..BuildConfig::with_mnp_layer(Layer::parse("2UA", p)?) })
}

impl Case<'_> {
    fn lib(&self, target: &Path) -> std::result::Result<Outcome, Broken> {
        let (p0, n) = (&self.base.prepared, self.base.prepared.study.areas.len());
        let sample = self.case % BUILD_EVERY == 3;
        match self.reader.run {
            Run::Scenario | Run::ScenarioShp => {
                let p = match Prepared::load(&self.dir.join(scenario_of(self.reader))) {
                    Ok(p) => p,
                    Err(e) => return judge_error(&e),
                };
                study_invariants(&p)?;
                let study = Some((p.study.areas.len(), p.study.population()));
                // The scenario's own [build] settings are checked by the CLI (sampled below).
                if self.reader.fmt == Fmt::Toml {
                    return Ok(Outcome::Ok { built: false, study });
                }
                if sample {
                    return match demo_cfg(&p, self.case) {
                        Ok(cfg) => build_invariants(&p, cfg),
                        Err(e) => judge_error(&e),
                    };
                }
            }
            Run::Assignment => {
                let m = match footprints::io::assignment::read_assignment(&p0.study, target) {
                    Ok(m) => m,
                    Err(e) => return judge_error(&e),
                };
                check(m.iter().all(|(k, v)| *k < n && !v.trim().is_empty()), || format!("assignment {m:?}"))?;
                if sample {
                    let mut cfg = demo_cfg(p0, self.case).unwrap();
                    if self.reader.name == "locks" {
                        cfg.locks = m;
                    } else if m.len() == n {
                        cfg.existing = Some(m.into_values().collect());
                        cfg.weights.existing = 0.5;
                    }
                    return build_invariants(p0, cfg);
                }
            }
            Run::FootprintSet => {
                let set = match footprints::FootprintSet::read(p0, target, None) {
                    Ok(s) => s,
                    Err(e) => return judge_error(&e),
                };
                check(set.footprint.len() == n, || format!("{} footprints for {n} LSOAs", set.footprint.len()))?;
                check(set.footprint.iter().all(|f| !f.is_empty()), || "empty footprint name".into())?;
                check(set.mnp.as_ref().is_none_or(|m| m.len() == n), || "MNP list length".into())?;
                if sample {
                    let s = footprints::score(p0, &set, &footprints::ScoreOptions::default());
                    check(s.footprints > 0, || "no footprints scored".into())?;
                }
            }
            Run::Candidates => {
                let c = match footprints::site::run::read_candidates(p0, &target.display().to_string()) {
                    Ok(c) => c,
                    Err(e) => return judge_error(&e),
                };
                check(!c.is_empty(), || "no candidates".into())?;
                let codes: std::collections::BTreeSet<_> = c.iter().map(|x| &x.code).collect();
                check(codes.len() == c.len(), || "repeated site code".into())?;
                for x in &c {
                    check(in_bng(x.xy.x, x.xy.y), || format!("site {} at {:?}", x.code, x.xy))?;
                    check(x.capacity.is_none_or(|k| k.is_finite() && k > 0.0), || format!("site {} capacity", x.code))?;
                }
            }
            Run::Matrix => {
                let m = match footprints::io::matrix::TravelMatrix::read(&p0.study, target) {
                    Ok(m) => m,
                    Err(e) => return judge_error(&e),
                };
                check(m.pairs > 0, || "no pairs".into())?;
                for i in 0..n {
                    for pr in &p0.study.practices {
                        let v = m.get(i, &pr.code);
                        check(v.is_none_or(|v| (0.0..=1440.0).contains(&v)), || format!("cost {v:?}"))?;
                    }
                }
            }
        }
        Ok(Outcome::Ok { built: false, study: None })
    }

    /// The binary on the same files: exit 0 or 2, never 101 or a signal; 2 when the library refused
    /// the scenario.
    fn cli(&self, target: &str, lib_err: bool, study: Option<(usize, u64)>) -> std::result::Result<(), Broken> {
        let scen = scenario_of(self.reader);
        let mut args: Vec<&str> = match self.reader.run {
            Run::Scenario if self.reader.fmt == Fmt::Toml => vec!["build", "--options", "1", "--steps", "5"],
            Run::Scenario | Run::ScenarioShp => vec!["check"],
            Run::Assignment if self.reader.name == "locks" => {
                vec!["build", "--options", "1", "--steps", "5", "--locks", target]
            }
            Run::Assignment => vec!["build", "--options", "1", "--steps", "5", "--existing", target],
            Run::FootprintSet => vec!["score", "-f", target],
            Run::Candidates => vec!["site", "--k", "3", "--candidates", target],
            Run::Matrix => vec!["score", "-f", "fp_lookup.csv", "--matrix", target],
        };
        args.extend(["-s", scen]);
        if args[0] != "check" {
            args.extend(["-o", "out"]);
        }
        let o = std::process::Command::new(binary()).args(&args).current_dir(self.dir).output().expect("binary runs");
        let built = if args[0] == "build" && o.status.success() { self.built_lookup(study) } else { Ok(()) };
        let _ = std::fs::remove_dir_all(self.dir.join("out"));
        built?;
        let code = o.status.code();
        let expect_2 = lib_err && matches!(self.reader.run, Run::Scenario | Run::ScenarioShp);
        if code == Some(2) || (code == Some(0) && !expect_2) {
            return Ok(());
        }
        let err = text(&o).1;
        Err(("cli exit", format!("footprints {} exited {code:?}: {}", args.join(" "), err.trim())))
    }
}

impl Case<'_> {
    /// A successful `build` wrote `out/option-1/lookup.csv` with every study LSOA once and the
    /// study's people (`study`: LSOAs and people as loaded; the demo's when not given).
    fn built_lookup(&self, study: Option<(usize, u64)>) -> std::result::Result<(), Broken> {
        let p = &self.base.prepared.study;
        let (n, people) = study.unwrap_or((p.areas.len(), p.population()));
        let text = std::fs::read_to_string(self.dir.join("out/option-1/lookup.csv"))
            .map_err(|e| ("cli output", format!("build exited 0 without option-1/lookup.csv: {e}")))?;
        let mut codes = std::collections::BTreeSet::new();
        let mut sum = 0u64;
        for l in text.lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            check(codes.insert(f[0].to_string()), || format!("build lookup lists {} twice", f[0]))?;
            sum += f.get(2).and_then(|x| x.parse::<u64>().ok()).unwrap_or(0);
        }
        check(codes.len() == n, || format!("build lookup has {} LSOAs of {n}", codes.len()))?;
        check(sum == people, || format!("build lookup holds {sum} people of {people}"))
    }
}

struct CaseReport {
    outcome: Option<Outcome>,
    broken: Vec<Broken>,
    mutations: Vec<String>,
    target: String,
    cli: bool,
}

fn panic_text(p: Box<dyn std::any::Any + Send>) -> String {
    let msg = p
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "non-text panic".into());
    let last = LAST_PANIC.lock().map(|l| l.clone()).unwrap_or_default();
    if last.contains(&msg) {
        last
    } else {
        msg
    }
}

static LAST_PANIC: Mutex<String> = Mutex::new(String::new());

thread_local! {
    /// The folder of the case running on this thread (an error naming a path in it names a file).
    static CASE_DIR: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The mutated bytes and what was done; a mutation that trips over its own input (a harness fault)
/// falls back to one byte-level mutation.
fn mutation(rng: &mut ChaCha8Rng, fmt: Fmt, orig: &[u8]) -> (Vec<u8>, Vec<String>) {
    let mut m = Mutator { rng, log: Vec::new() };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| m.mutate(fmt, orig))) {
        Ok(d) => (d, m.log),
        Err(_) => {
            let mut log = std::mem::take(&mut m.log);
            log.push("(mutator fault; fell back to bytes)".into());
            let d = m.bytes(orig.to_vec());
            log.append(&mut m.log);
            (d, log)
        }
    }
}

/// What case (reader, case) mutates, for a report about a case that never returned.
fn describe(base: &Base, seed: u64, reader: usize, case: u64) -> String {
    let r = &READERS[reader];
    let mut rng = case_rng(seed, reader, case);
    let target = if r.fmt == Fmt::Shp { SHP_FILES[rng.random_range(0..4)] } else { r.file };
    let (_, log) = mutation(&mut rng, r.fmt, &base.files[target]);
    format!("{target}: {}", log.join("; "))
}

const SHP_FILES: [&str; 4] = ["lsoas.shp", "lsoas.shp", "lsoas.dbf", "lsoas.shx"];

fn run_case(base: &Base, dir: &Path, reader: usize, seed: u64, case: u64, restore: bool) -> CaseReport {
    let r = &READERS[reader];
    let mut rng = case_rng(seed, reader, case);
    let target = if r.fmt == Fmt::Shp { SHP_FILES[rng.random_range(0..4)] } else { r.file };
    let orig = &base.files[target];
    let (mutated, mutations) = mutation(&mut rng, r.fmt, orig);
    let path = dir.join(target);
    std::fs::write(&path, &mutated).unwrap();
    CASE_DIR.with(|d| *d.borrow_mut() = dir.display().to_string());
    let c = Case { base, dir, reader: r, case, seed };
    let _ = c.seed;
    let mut broken = Vec::new();
    let lib = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| c.lib(&path)));
    let outcome = match lib {
        Ok(Ok(o)) => Some(o),
        Ok(Err(b)) => {
            broken.push(b);
            None
        }
        Err(p) => {
            broken.push(("panic", panic_text(p)));
            None
        }
    };
    let cli = case % CLI_EVERY == 7;
    if cli {
        let lib_err = matches!(outcome, Some(Outcome::Err { .. }));
        let study = match &outcome {
            Some(Outcome::Ok { study, .. }) => *study,
            _ => None,
        };
        if let Err(b) = c.cli(target, lib_err, study) {
            broken.push(b);
        }
    }
    if restore {
        std::fs::write(&path, orig).unwrap();
    }
    CaseReport { outcome, broken, mutations, target: target.to_string(), cli }
}

// ---------------------------------------------------------------- the run

#[derive(Default, Clone)]
struct Stats {
    cases: u64,
    ok: u64,
    err: u64,
    whole: u64,
    built: u64,
    cli: u64,
    broken: u64,
    /// Time spent in this reader's cases.
    busy: Duration,
    /// A few distinct error messages (first line, digits folded), for the report.
    errors: BTreeMap<String, u64>,
    /// The distinct whole-scenario errors (no file named).
    wholes: BTreeMap<String, u64>,
}

struct Finding {
    reader: usize,
    kind: &'static str,
    detail: String,
    count: u64,
    repro: Vec<String>,
}

struct Shared {
    settings: Settings,
    base: Base,
    next: AtomicU64,
    start: Instant,
    stats: Mutex<Vec<Stats>>,
    findings: Mutex<Vec<Finding>>,
}

/// What a worker is doing: (reader, case, since).
#[derive(Default)]
struct Slot {
    current: Mutex<Option<(usize, u64, Instant)>>,
    abandoned: AtomicBool,
    finished: AtomicBool,
}

fn fold(s: &str) -> String {
    let first = s.lines().next().unwrap_or("");
    let mut out: String = first.chars().map(|c| if c.is_ascii_digit() { '#' } else { c }).collect();
    out.truncate(out.char_indices().nth(160).map_or(out.len(), |(i, _)| i));
    out
}

fn repro(seed: u64, reader: usize, case: u64) -> String {
    format!(
        "FOOTPRINTS_FUZZ_SEED={seed} FOOTPRINTS_FUZZ_ONLY={}:{case} cargo test --release --test fuzz_readers -- --nocapture",
        READERS[reader].name
    )
}

impl Shared {
    fn record(&self, reader: usize, case: u64, kind: &'static str, detail: String, context: &str) {
        let mut f = self.findings.lock().unwrap();
        let key = fold(&detail);
        let line = format!("{}\n      {context}", repro(self.settings.seed, reader, case));
        match f.iter_mut().find(|x| x.reader == reader && x.kind == kind && fold(&x.detail) == key) {
            Some(x) => {
                x.count += 1;
                if x.repro.len() < 3 {
                    x.repro.push(line);
                }
            }
            None => {
                eprintln!("FINDING [{}] {kind}: {detail}\n  {line}", READERS[reader].name);
                f.push(Finding { reader, kind, detail, count: 1, repro: vec![line] });
            }
        }
    }

    /// The next job, or None when the run is over.
    fn job(&self) -> Option<(usize, u64)> {
        if self.settings.seconds.is_some_and(|s| self.start.elapsed() >= Duration::from_secs(s)) {
            return None;
        }
        let j = self.next.fetch_add(1, Ordering::SeqCst);
        let k = self.settings.readers.len() as u64;
        let (reader, case) = (self.settings.readers[(j % k) as usize], j / k);
        if self.settings.cases.is_some_and(|n| case >= n) {
            return None;
        }
        Some((reader, case))
    }

    fn report(&self, title: &str) -> String {
        let stats = self.stats.lock().unwrap();
        let mut out = format!(
            "\n=== fuzz_readers {title}: seed {}, {:.0} s elapsed ===\n{:<22} {:>7} {:>7} {:>7} {:>6} {:>6} {:>5} {:>6} {:>8}\n",
            self.settings.seed,
            self.start.elapsed().as_secs_f64(),
            "reader",
            "cases",
            "ok",
            "error",
            "whole",
            "built",
            "cli",
            "broken",
            "ms/case"
        );
        let mut total = 0;
        for (i, s) in stats.iter().enumerate() {
            total += s.cases;
            writeln!(
                out,
                "{:<22} {:>7} {:>7} {:>7} {:>6} {:>6} {:>5} {:>6} {:>8.1}",
                READERS[i].name,
                s.cases,
                s.ok,
                s.err,
                s.whole,
                s.built,
                s.cli,
                s.broken,
                s.busy.as_secs_f64() * 1000.0 / s.cases.max(1) as f64
            )
            .unwrap();
        }
        writeln!(out, "total cases: {total}").unwrap();
        let f = self.findings.lock().unwrap();
        writeln!(out, "findings: {}", f.len()).unwrap();
        for x in f.iter() {
            writeln!(out, "- [{}] {} (x{}): {}", READERS[x.reader].name, x.kind, x.count, x.detail).unwrap();
            for r in &x.repro {
                writeln!(out, "    {r}").unwrap();
            }
        }
        out
    }
}

fn worker(sh: Arc<Shared>, slot: Arc<Slot>) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in &sh.base.files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    while let Some((reader, case)) = sh.job() {
        *slot.current.lock().unwrap() = Some((reader, case, Instant::now()));
        let t0 = Instant::now();
        let rep = run_case(&sh.base, dir.path(), reader, sh.settings.seed, case, true);
        let took = t0.elapsed();
        if slot.abandoned.load(Ordering::SeqCst) {
            return; // the watchdog has reported this case as a hang and started another worker
        }
        *slot.current.lock().unwrap() = None;
        let context = format!("{}: {}", rep.target, rep.mutations.join("; "));
        let prefix = format!("{}/", dir.path().display());
        {
            let mut st = sh.stats.lock().unwrap();
            let s = &mut st[reader];
            s.cases += 1;
            s.busy += took;
            s.cli += u64::from(rep.cli);
            s.broken += u64::from(!rep.broken.is_empty());
            match &rep.outcome {
                Some(Outcome::Ok { built, .. }) => {
                    s.ok += 1;
                    s.built += u64::from(*built);
                }
                Some(Outcome::Err { msg, whole }) => {
                    s.err += 1;
                    s.whole += u64::from(*whole);
                    if *whole && s.wholes.len() < 50 {
                        *s.wholes.entry(fold(msg)).or_default() += 1;
                    }
                    if s.errors.len() < 400 {
                        *s.errors.entry(fold(&msg.replace(&prefix, ""))).or_default() += 1;
                    }
                }
                None => {}
            }
        }
        for (kind, detail) in rep.broken {
            sh.record(reader, case, kind, detail.replace(&prefix, ""), &context);
        }
    }
    slot.finished.store(true, Ordering::SeqCst);
}

fn spawn(sh: &Arc<Shared>) -> Arc<Slot> {
    let slot = Arc::new(Slot::default());
    let (s2, sl2) = (sh.clone(), slot.clone());
    std::thread::Builder::new().stack_size(64 << 20).spawn(move || worker(s2, sl2)).unwrap();
    slot
}

fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        if let Ok(mut l) = LAST_PANIC.lock() {
            *l = info.to_string();
        }
    }));
}

/// Rerun one case, keep its folder and print what it did.
fn only(base: Base, settings: &Settings, reader: usize, case: u64) {
    let dir = tempfile::tempdir().unwrap().keep();
    for (name, bytes) in &base.files {
        std::fs::write(dir.join(name), bytes).unwrap();
    }
    let rep = run_case(&base, &dir, reader, settings.seed, case, false);
    println!("case {}:{case} seed {} in {}", READERS[reader].name, settings.seed, dir.display());
    println!("mutated {}: {}", rep.target, rep.mutations.join("; "));
    match &rep.outcome {
        Some(Outcome::Ok { built, .. }) => println!("result: ok (built: {built})"),
        Some(Outcome::Err { msg, .. }) => println!("result: error\n{msg}"),
        None => println!("result: property broken"),
    }
    for (k, d) in &rep.broken {
        println!("BROKEN {k}: {d}");
    }
    assert!(rep.broken.is_empty());
}

#[test]
fn fuzz_readers() {
    let settings = Settings::from_env();
    let base = make_base();
    if let Some((reader, case)) = settings.only {
        return only(base, &settings, reader, case);
    }
    quiet_panics();
    let sh = Arc::new(Shared {
        stats: Mutex::new(vec![Stats::default(); READERS.len()]),
        findings: Mutex::new(Vec::new()),
        next: AtomicU64::new(0),
        start: Instant::now(),
        base,
        settings,
    });
    let mut slots: Vec<Arc<Slot>> = (0..sh.settings.threads).map(|_| spawn(&sh)).collect();
    let mut last_report = Instant::now();
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let mut more = Vec::new();
        for s in &slots {
            let cur = *s.current.lock().unwrap();
            if let Some((reader, case, since)) = cur {
                if since.elapsed() > sh.settings.deadline && !s.abandoned.swap(true, Ordering::SeqCst) {
                    let d = format!("no result after {} s", sh.settings.deadline.as_secs());
                    let what = describe(&sh.base, sh.settings.seed, reader, case);
                    sh.record(reader, case, "hang", d, &what);
                    sh.stats.lock().unwrap()[reader].broken += 1;
                    more.push(spawn(&sh));
                }
            }
        }
        slots.extend(more);
        slots.retain(|s| !s.finished.load(Ordering::SeqCst) && !s.abandoned.load(Ordering::SeqCst));
        if slots.is_empty() {
            break;
        }
        if last_report.elapsed() >= sh.settings.report {
            println!("{}", sh.report("progress"));
            last_report = Instant::now();
        }
    }
    println!("{}", sh.report("end"));
    let stats = sh.stats.lock().unwrap();
    for (i, s) in stats.iter().enumerate() {
        let mut e: Vec<_> = s.errors.iter().collect();
        e.sort_by(|a, b| b.1.cmp(a.1));
        println!("[{}] most frequent errors:", READERS[i].name);
        for (m, n) in e.iter().take(4) {
            println!("  {n:>5}  {m}");
        }
        for (m, n) in &s.wholes {
            println!("  {n:>5}  (whole scenario) {m}");
        }
    }
    let f = sh.findings.lock().unwrap();
    assert!(f.is_empty(), "{} finding(s); see the report above", f.len());
}
