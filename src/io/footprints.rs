//! Footprint sets: one footprint name per study LSOA, read from a lookup CSV, a footprints GeoJSON
//! (or shapefile), or an option folder holding `lookup.csv`. Readers need only the study's LSOA codes
//! and interior points, so they sit below the model and serve score, map, site and report alike.

use crate::error::{Error, Result};
use crate::io::boundaries::{read_polygons, PolyFeature};
use crate::io::table::Table;
use geo::{BoundingRect, Contains, Coord, Point};
use std::collections::HashMap;
use std::path::Path;

/// A footprint set: one footprint name per study LSOA, optionally an enclosing MNP name.
#[derive(Debug, Clone)]
pub struct FootprintSet {
    /// Label used in comparisons.
    pub label: String,
    /// Footprint per LSOA (study order).
    pub footprint: Vec<String>,
    /// MNP per LSOA, if the set is nested.
    pub mnp: Option<Vec<String>>,
}

/// What a reader needs to know about the study's LSOAs.
#[derive(Debug, Clone, Copy)]
pub struct LsoaIndex<'a> {
    /// LSOA code → study index.
    pub codes: &'a HashMap<String, usize>,
    /// Interior point of each LSOA (study order, British National Grid metres).
    pub points: &'a [Coord],
}

const CODE_COLS: [&str; 4] = ["lsoa_code", "lsoa21_code", "LSOA21CD", "LSOA_CODE"];
const FP_COLS: [&str; 5] = ["snp_name", "footprint", "name", "snp_id", "footprint_name"];

impl FootprintSet {
    /// Read a lookup CSV, a footprints GeoJSON/shapefile, or an option folder holding `lookup.csv`.
    pub fn read_indexed(ix: LsoaIndex, path: &Path, column: Option<&str>) -> Result<FootprintSet> {
        let label = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .filter(|s| s != "lookup" && s != "footprints")
            .or_else(|| path.parent().and_then(|d| d.file_name()).map(|s| s.to_string_lossy().to_string()))
            .unwrap_or_else(|| path.display().to_string());
        if path.is_dir() {
            let mut s = Self::read_indexed(ix, &path.join("lookup.csv"), column)?;
            s.label = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or(label);
            return Ok(s);
        }
        let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
        let mut s = if ext == "geojson" || ext == "json" || ext == "shp" {
            read_polygon_set(ix, path, column)?
        } else {
            read_lookup(ix, path, column)?
        };
        s.label = label;
        Ok(s)
    }
}

fn read_lookup(ix: LsoaIndex, path: &Path, column: Option<&str>) -> Result<FootprintSet> {
    let t = Table::read(path)?;
    let c = CODE_COLS.iter().find_map(|n| t.find_col(n)).ok_or_else(|| {
        Error::input(path, "no LSOA code column (lsoa_code / lsoa21_code / LSOA21CD)")
            .hint(format!("columns found: {}", t.headers.join(", ")))
    })?;
    let f = match column {
        Some(col) => t.col(col)?,
        None => FP_COLS.iter().find_map(|n| t.find_col(n)).ok_or_else(|| {
            Error::input(path, "no footprint column (snp_name / footprint / name)")
                .hint(format!("columns found: {}; name it with --column", t.headers.join(", ")))
        })?,
    };
    let m = t.find_col("mnp_name");
    let n = ix.points.len();
    let mut fp: Vec<Option<String>> = vec![None; n];
    let mut mnp: Vec<Option<String>> = vec![None; n];
    let mut unknown = Vec::new();
    let mut seen = HashMap::new();
    for (i, r) in t.rows.iter().enumerate() {
        let code = t.get(r, c);
        match ix.codes.get(code) {
            Some(&k) => {
                t.first_row(&mut seen, k, i, || format!("LSOA {code} is assigned twice"))
                    .map_err(|e| e.hint("each LSOA must belong to exactly one footprint"))?;
                let name = t.get(r, f);
                if name.is_empty() {
                    return Err(Error::at(path, t.line(i), format!("LSOA {code} has an empty footprint name"))
                        .hint(format!("give every row a name in column \"{}\"", t.headers[f])));
                }
                fp[k] = Some(name.to_string());
                mnp[k] = m.map(|m| t.get(r, m).to_string());
            }
            None => unknown.push(code.to_string()),
        }
    }
    if !unknown.is_empty() {
        return Err(Error::input(
            path,
            format!(
                "{} code(s) are not LSOAs of the study area: {}",
                unknown.len(),
                unknown.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
            ),
        )
        .hint("use LSOA 2021 codes of the scenario's study area (LSOA 2011 codes need converting first)"));
    }
    finish(ix, path, fp, m.map(|_| mnp))
}

fn read_polygon_set(ix: LsoaIndex, path: &Path, column: Option<&str>) -> Result<FootprintSet> {
    let layer = read_polygons(path, None, column.unwrap_or("name"))?;
    if let Some(col) = column.filter(|c| !layer.columns.iter().any(|x| x == c)) {
        return Err(Error::input(path, format!("no property named \"{col}\" (given with --column)"))
            .hint(format!("properties found: {}", layer.columns.join(", "))));
    }
    let name_col = column
        .map(str::to_string)
        .or_else(|| {
            ["name", "id", "footprint"].iter().find(|c| layer.columns.iter().any(|x| x == *c)).map(|c| c.to_string())
        })
        .ok_or_else(|| {
            Error::input(path, "no footprint name property (name / id / footprint)")
                .hint(format!("properties found: {}; name it with --column", layer.columns.join(", ")))
        })?;
    check_names(path, &layer.features, &name_col)?;
    let has_level = layer.columns.iter().any(|c| c == "level");
    let at_level = |level: Option<&str>| -> Vec<&PolyFeature> {
        layer
            .features
            .iter()
            .filter(|f| level.is_none_or(|l| f.props.get("level").map(String::as_str) == Some(l)))
            .collect()
    };
    let fp = assign(ix, path, &at_level(has_level.then_some("SNP")), &name_col)?;
    let mnp_feats = at_level(Some("MNP"));
    let mnp = if has_level && !mnp_feats.is_empty() { Some(assign(ix, path, &mnp_feats, &name_col)?) } else { None };
    finish(ix, path, fp, mnp)
}

/// Each LSOA goes to the feature holding its interior point.
fn assign(ix: LsoaIndex, path: &Path, feats: &[&PolyFeature], name_col: &str) -> Result<Vec<Option<String>>> {
    let mut out: Vec<Option<String>> = vec![None; ix.points.len()];
    let mut twice = Vec::new();
    for (i, c) in ix.points.iter().enumerate() {
        for f in feats {
            let Some(bb) = f.geom.bounding_rect() else { continue };
            if c.x < bb.min().x || c.x > bb.max().x || c.y < bb.min().y || c.y > bb.max().y {
                continue;
            }
            if f.geom.contains(&Point(*c)) {
                if out[i].is_some() {
                    twice.push(i);
                }
                out[i] = Some(f.props.get(name_col).map(|s| s.trim().to_string()).unwrap_or_default());
            }
        }
    }
    if !twice.is_empty() {
        let codes = codes_by_index(ix);
        return Err(Error::input(
            path,
            format!(
                "{} LSOA(s) fall inside two footprints (overlapping polygons), e.g. {}",
                twice.len(),
                twice.iter().take(5).map(|&i| codes[i]).collect::<Vec<_>>().join(", ")
            ),
        )
        .hint("footprint polygons must not overlap; dissolve from an LSOA lookup instead"));
    }
    Ok(out)
}

/// Every feature needs a footprint name; a missing or empty one is an error naming the feature.
fn check_names(path: &Path, feats: &[PolyFeature], name_col: &str) -> Result<()> {
    let empty = |f: &PolyFeature| f.props.get(name_col).map(|s| s.trim()).is_none_or(|s| s.is_empty() || s == "null");
    match feats.iter().position(empty) {
        None => Ok(()),
        Some(i) => Err(Error::at(path, format!("feature {}", i + 1), format!("no footprint name in \"{name_col}\""))
            .hint("give every footprint polygon a name, or choose the property with --column")),
    }
}

fn codes_by_index<'a>(ix: LsoaIndex<'a>) -> Vec<&'a str> {
    let mut codes = vec![""; ix.points.len()];
    for (c, &i) in ix.codes {
        if let Some(slot) = codes.get_mut(i) {
            *slot = c.as_str();
        }
    }
    codes
}

fn finish(
    ix: LsoaIndex,
    path: &Path,
    fp: Vec<Option<String>>,
    mnp: Option<Vec<Option<String>>>,
) -> Result<FootprintSet> {
    let codes = codes_by_index(ix);
    let missing: Vec<&str> = codes.iter().zip(&fp).filter(|(_, f)| f.is_none()).map(|(c, _)| *c).collect();
    if !missing.is_empty() {
        return Err(Error::input(
            path,
            format!(
                "{} of {} study-area LSOAs have no footprint, e.g. {}",
                missing.len(),
                fp.len(),
                missing.iter().take(8).cloned().collect::<Vec<_>>().join(", ")
            ),
        )
        .hint(
            "every LSOA of the study area must be in one footprint; check the file matches the scenario's study area",
        ));
    }
    let mnp = mnp.map(|m| m.into_iter().map(|x| x.unwrap_or_default()).collect());
    Ok(FootprintSet { label: String::new(), footprint: fp.into_iter().flatten().collect(), mnp })
}
