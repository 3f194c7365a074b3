//! Sites from `footprints site` on the map: read from its output folder, `sites.geojson` or
//! `sites.csv`, and drawn as a filled square (an existing GP practice) or a triangle (a new site).

use super::{derr, Layout};
use crate::error::{Error, Result};
use crate::export::labels::Rect;
use crate::io::candidates::read_candidates_file;
use crate::prepare::Prepared;
use geo::Coord;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// A site to draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Site code (an ODS practice code for a practice).
    pub code: String,
    /// Name, the site's label.
    pub name: String,
    /// Location, BNG metres.
    pub xy: Coord,
    /// True when the code is one of the scenario's GP practices (an existing site); false for a
    /// new site from a candidates file.
    pub existing: bool,
}

/// Fill of an existing site: NHS dark blue.
pub(super) const EXISTING: RGBColor = RGBColor(0, 48, 135);
/// Fill of a new site: Okabe–Ito vermillion.
pub(super) const NEW: RGBColor = RGBColor(213, 94, 0);

/// The sites file `path` names: the file itself, or in a folder `sites.geojson` (else `sites.csv`).
fn sites_file(path: &Path) -> Result<PathBuf> {
    if !path.exists() {
        return Err(Error::input(path, "does not exist")
            .hint("give --sites the folder `footprints site --out` wrote, or its sites.geojson or sites.csv"));
    }
    if !path.is_dir() {
        return Ok(path.to_path_buf());
    }
    ["sites.geojson", "sites.csv"].iter().map(|f| path.join(f)).find(|f| f.is_file()).ok_or_else(|| {
        Error::input(path, "holds no sites.geojson or sites.csv")
            .hint("give --sites the folder `footprints site --out` wrote, or its sites.geojson or sites.csv")
    })
}

/// Read the sites of a `footprints site` run: its output folder, its `sites.geojson` (WGS84
/// points) or its `sites.csv` (easting, northing), or any candidates file of the same shape. A
/// site whose code is one of the scenario's practices is existing, any other is new. Sorted by
/// code, so the map does not depend on the file's order.
pub fn read_sites(p: &Prepared, path: &Path) -> Result<Vec<Site>> {
    let file = sites_file(path)?;
    let practices: BTreeSet<&str> = p.study.practices.iter().map(|pr| pr.code.as_str()).collect();
    let mut out: Vec<Site> = read_candidates_file(&file)?
        .into_iter()
        .map(|c| Site { existing: practices.contains(c.code.as_str()), code: c.code, name: c.name, xy: c.xy })
        .collect();
    out.sort_by(|a, b| a.code.cmp(&b.code));
    Ok(out)
}

/// A site symbol centred on `at`: a filled square with a white edge (existing) or a filled
/// triangle with a black edge (new). Returns the ink's half-width in pixels.
pub(super) fn site_symbol<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    lay: &Layout,
    at: (i32, i32),
    existing: bool,
) -> Result<f64>
where
    DB::ErrorType: 'static,
{
    let sw = lay.pt(0.8).max(1.0).round() as i32;
    let (x, y) = at;
    if existing {
        let r = lay.pt(3.6).max(3.0).round() as i32;
        root.draw(&Rectangle::new([(x - r - sw, y - r - sw), (x + r + sw, y + r + sw)], WHITE.filled()))
            .map_err(derr)?;
        root.draw(&Rectangle::new([(x - r, y - r), (x + r, y + r)], EXISTING.filled())).map_err(derr)?;
        Ok((r + sw) as f64 + 1.0)
    } else {
        let r = lay.pt(5.0).max(4.0).round() as i32;
        let tri = vec![(x, y - r), (x + r, y + r * 3 / 4), (x - r, y + r * 3 / 4)];
        root.draw(&Polygon::new(tri.clone(), NEW.filled())).map_err(derr)?;
        let mut ring = tri.clone();
        ring.push(tri[0]);
        root.draw(&PathElement::new(ring, BLACK.stroke_width(sw as u32))).map_err(derr)?;
        Ok(r as f64 + sw as f64 + 1.0)
    }
}

/// Draw the sites that fall in the map frame; returns each one's page position, whether it is
/// existing, and its symbol's box.
pub(super) fn draw_sites<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    lay: &Layout,
    sites: &[Site],
) -> Result<Vec<(usize, bool, Rect)>>
where
    DB::ErrorType: 'static,
{
    let mut out = Vec::new();
    for (k, s) in sites.iter().enumerate() {
        let (x, y) = lay.f.px(s.xy);
        if !lay.in_frame((x, y)) {
            continue;
        }
        let r = site_symbol(root, lay, (x, y), s.existing)?;
        out.push((k, s.existing, Rect::centred((x as f64, y as f64), 2.0 * r, 2.0 * r)));
    }
    Ok(out)
}
