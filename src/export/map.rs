//! Print-quality maps with plotters (PNG or SVG): LSOAs shaded by a theme, SNP boundaries thin,
//! MNP boundaries thick, district or LGR boundaries dashed, practices as symbols, footprint labels at
//! the pole of inaccessibility, title, legend, scale bar, north arrow and attribution. Text uses an
//! embedded DejaVu Sans, so it renders on a machine with no system fonts.

use crate::build::Layer;
use crate::error::{Error, Result};
use crate::export::dissolve;
use crate::export::labels::{Kind, Placement, Rect};
use crate::export::palette::{theme_fills, Legend};
use crate::prepare::Prepared;
use crate::score::FootprintSet;
use geo::{Area, BoundingRect, Coord, MultiPolygon, Simplify};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Once;

mod inset;
mod lettering;
mod sites;
mod svgfont;

pub use sites::{read_sites, Site};

/// What the LSOA fill shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Theme {
    /// National IMD decile (1 = most deprived).
    Imd,
    /// Footprint population deviation from target.
    Deviation,
    /// Share of each footprint's PCN mass in its main PCN.
    Pcn,
    /// Distance to the nearest practice.
    Access,
    /// LSOAs that change footprint between two sets.
    Change,
    /// Each SNP footprint in its own Okabe–Ito colour, neighbours always different.
    Footprints,
}

/// Everything a map needs.
pub struct MapSpec<'a> {
    /// Title.
    pub title: String,
    /// Theme.
    pub theme: Theme,
    /// Page size in mm (landscape).
    pub page_mm: (f64, f64),
    /// Resolution for PNG.
    pub dpi: f64,
    /// Footprints to outline and label.
    pub footprints: Option<&'a FootprintSet>,
    /// Second set for the change theme.
    pub other: Option<&'a FootprintSet>,
    /// Dashed boundary layer (`Layer::None` to omit).
    pub boundary: Layer,
    /// Draw practices.
    pub practices: bool,
    /// Target population for the deviation theme.
    pub target: f64,
    /// Draw PCN catchment outlines: the LSOAs dissolved by the PCN each is assigned to.
    pub pcn_outlines: bool,
    /// Sites to draw (from `footprints site`), existing and new with their own symbols.
    pub sites: &'a [Site],
}

/// What was drawn where, in page pixels (y down): the labels placed and left out, and the boxes
/// they had to avoid. `render` returns it so callers and tests can check the lettering.
#[derive(Debug, Clone, Default)]
pub struct MapLayout {
    /// Labels placed (MNP and SNP names) and the footprints left unnamed.
    pub placement: Placement,
    /// Practice symbols drawn.
    pub symbols: Vec<Rect>,
    /// Site symbols drawn: whether the site is existing, and the symbol's box.
    pub sites: Vec<(bool, Rect)>,
    /// Title, legend, scale bar and north arrow.
    pub furniture: Vec<(&'static str, Rect)>,
    /// The part of the page labels may use.
    pub bounds: Rect,
    /// The legend's note on unnamed footprints, if any were left out, and on the inset.
    pub note: Option<String>,
    /// The inset, if crowded footprints needed one.
    pub inset: Option<Inset>,
    /// The legend as drawn: its column, down to the last line written (it must end above the
    /// attribution, `furniture`'s "legend" box being the whole column kept for it).
    pub legend_drawn: Rect,
}

/// An inset: crowded footprints enlarged in a box on the page, their labels placed there.
#[derive(Debug, Clone, Default)]
pub struct Inset {
    /// The inset's box on the page.
    pub rect: Rect,
    /// The locator frame on the main map: the ground the inset shows.
    pub locator: Rect,
    /// Inset scale over main-map scale.
    pub zoom: f64,
    /// Labels placed in the inset (and those left out there).
    pub placement: Placement,
    /// Practice and site symbols drawn in the inset.
    pub symbols: Vec<Rect>,
}

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

/// Map coordinates (BNG metres) to pixels.
#[derive(Clone)]
struct Frame {
    min: Coord,
    scale: f64,
    ox: f64,
    oy: f64,
    h: f64,
}

impl Frame {
    fn px(&self, c: Coord) -> (i32, i32) {
        let (x, y) = self.pxf(c);
        (x.round() as i32, y.round() as i32)
    }

    /// Page pixels, unrounded.
    fn pxf(&self, c: Coord) -> (f64, f64) {
        (self.ox + (c.x - self.min.x) * self.scale, self.oy + self.h - (c.y - self.min.y) * self.scale)
    }
}

/// Where everything goes on the page, in pixels.
#[derive(Clone)]
struct Layout {
    /// Page width and height.
    w: f64,
    h: f64,
    dpi: f64,
    margin: f64,
    title_h: f64,
    foot_h: f64,
    legend_w: f64,
    /// The map frame and its drawn width and height.
    f: Frame,
    dw: f64,
    dh: f64,
    /// Simplification tolerance in metres (~0.6 px).
    tol: f64,
    /// Draw only what lies in this box (BNG metres): an inset's extent.
    clip: Option<geo::Polygon>,
}

impl Layout {
    /// Fit the study area's extent into the page left of the legend, between title and footer.
    fn new(p: &Prepared, dpi: f64, w: f64, h: f64) -> Layout {
        let mut min = Coord { x: f64::MAX, y: f64::MAX };
        let mut max = Coord { x: f64::MIN, y: f64::MIN };
        for a in &p.study.areas {
            let b = a.geom.bounding_rect().unwrap();
            min.x = min.x.min(b.min().x);
            min.y = min.y.min(b.min().y);
            max.x = max.x.max(b.max().x);
            max.y = max.y.max(b.max().y);
        }
        let pt = |x: f64| x / 72.0 * dpi;
        let (margin, title_h, foot_h, legend_w) = (pt(24.0), pt(40.0), pt(34.0), w * 0.24);
        let (mw, mh) = (w - legend_w - 2.0 * margin, h - title_h - foot_h - margin);
        let scale = (mw / (max.x - min.x)).min(mh / (max.y - min.y));
        let (dw, dh) = ((max.x - min.x) * scale, (max.y - min.y) * scale);
        let f = Frame { min, scale, ox: margin + (mw - dw) / 2.0, oy: title_h + (mh - dh) / 2.0, h: dh };
        Layout { w, h, dpi, margin, title_h, foot_h, legend_w, f, dw, dh, tol: 0.6 / scale, clip: None }
    }

    /// Whether a symbol at page pixel `at` belongs on the map: inside the frame, with 5 px to
    /// spare on the main map and none in an inset (whose frame cuts everything else off).
    fn in_frame(&self, (x, y): (i32, i32)) -> bool {
        let slack = if self.clip.is_some() { -self.pt(3.0) } else { 5.0 };
        let f = &self.f;
        (f.ox - slack..=f.ox + self.dw + slack).contains(&(x as f64))
            && (f.oy - slack..=f.oy + self.dh + slack).contains(&(y as f64))
    }

    /// Points → pixels.
    fn pt(&self, x: f64) -> f64 {
        x / 72.0 * self.dpi
    }

    /// `mp` simplified for drawing, cut to the clip box if there is one.
    fn shape(&self, mp: &MultiPolygon) -> MultiPolygon {
        use geo::{BooleanOps, Intersects};
        let simple = mp.simplify(self.tol);
        match &self.clip {
            Some(c) if c.intersects(&simple) => simple.intersection(c),
            Some(_) => MultiPolygon::new(vec![]),
            None => simple,
        }
    }

    /// The outline of `mp` (exterior and hole rings) as page-pixel polylines, cut to the clip box.
    fn outline(&self, mp: &MultiPolygon) -> Vec<Vec<(i32, i32)>> {
        use geo::{BooleanOps, Intersects};
        let simple = mp.simplify(self.tol);
        let px = |l: &geo::LineString| l.0.iter().map(|c| self.f.px(*c)).collect::<Vec<_>>();
        match &self.clip {
            None => rings(&simple).map(px).collect(),
            Some(c) if c.intersects(&simple) => {
                let lines = geo::MultiLineString::new(rings(&simple).cloned().collect());
                c.clip(&lines, false).0.iter().map(px).collect()
            }
            Some(_) => Vec::new(),
        }
    }

    fn font(&self, size: f64) -> FontDesc<'static> {
        ("sans-serif", self.pt(size)).into_font()
    }

    fn bold(&self, size: f64) -> FontDesc<'static> {
        ("sans-serif", self.pt(size), FontStyle::Bold).into_font()
    }
}

/// A drawing error as a library error.
fn derr<E: std::error::Error + Send + Sync>(e: DrawingAreaErrorKind<E>) -> Error {
    Error::scenario(format!("drawing failed: {e}"))
}

fn rings(mp: &MultiPolygon) -> impl Iterator<Item = &geo::LineString> {
    mp.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

fn dashed<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, pts: &[(i32, i32)], style: ShapeStyle, dash: f64) {
    // At least a pixel, so that every pass of the loop below moves along the line.
    let dash = dash.max(1.0);
    let mut on = true;
    let mut left = dash;
    for w in pts.windows(2) {
        let (mut x0, mut y0) = (w[0].0 as f64, w[0].1 as f64);
        let (x1, y1) = (w[1].0 as f64, w[1].1 as f64);
        let mut len = (x1 - x0).hypot(y1 - y0);
        while len > 0.0 {
            let step = left.min(len);
            let t = step / len;
            let (nx, ny) = (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t);
            if on {
                let _ = area.draw(&PathElement::new(vec![(x0 as i32, y0 as i32), (nx as i32, ny as i32)], style));
            }
            len -= step;
            left -= step;
            x0 = nx;
            y0 = ny;
            if left <= 0.0 {
                on = !on;
                left = dash;
            }
        }
    }
}

/// Stroke a polyline segment by segment with round joins. plotters joins thick polylines with
/// mitres, which shoot far off the page at the near-reversals of generalised boundaries.
fn stroke<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    pts: &[(i32, i32)],
    color: RGBColor,
    width: f64,
) -> std::result::Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let w = width.round().max(1.0) as u32;
    if w <= 1 {
        return area.draw(&PathElement::new(pts.to_vec(), color.stroke_width(1)));
    }
    for s in pts.windows(2) {
        area.draw(&PathElement::new(vec![s[0], s[1]], color.stroke_width(w)))?;
    }
    let r = (width / 2.0).floor() as i32;
    if r >= 1 {
        for p in pts {
            area.draw(&Circle::new(*p, r, color.filled()))?;
        }
    }
    Ok(())
}

fn wrap(text: &str, max_chars: usize) -> Vec<String> {
    let mut line = String::new();
    let mut lines = Vec::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + word.chars().count() + 1 > max_chars.max(10) {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
}

fn nice_km(max_km: f64) -> f64 {
    let mut best = 1.0;
    for c in [0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0] {
        if c <= max_km {
            best = c;
        }
    }
    best
}

/// Draw the map on any backend, layer by layer from the fills up: fills, footprint outlines, the
/// boundary layer (cased, so it shows on top of footprint lines), practices, labels, furniture.
fn draw<DB: DrawingBackend>(
    root: DrawingArea<DB, Shift>,
    p: &Prepared,
    spec: &MapSpec,
    w: f64,
    h: f64,
) -> Result<MapLayout>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(derr)?;
    let (fills, legend) = theme_fills(p, spec)?;
    let lay = Layout::new(p, spec.dpi, w, h);
    draw_fills(&root, p, &lay, &fills)?;
    if spec.pcn_outlines {
        draw_pcn_outlines(&root, p, &lay)?;
    }
    let shapes = spec.footprints.map(|fp| footprint_shapes(p, fp)).unwrap_or_default();
    draw_footprints(&root, &lay, &shapes)?;
    draw_boundary_layer(&root, p, &spec.boundary, &lay)?;
    let symbols = if spec.practices { draw_practices(&root, p, &lay)? } else { Vec::new() };
    let drawn = sites::draw_sites(&root, &lay, spec.sites)?;
    let mut obstacles = symbols.clone();
    obstacles.extend(drawn.iter().map(|d| d.2));
    let mut furniture = furniture(&lay, &spec.title)?;
    let bounds = Rect { x0: lay.margin / 2.0, y0: lay.title_h, x1: lay.w - lay.legend_w, y1: lay.h - lay.foot_h };
    let (placement, plan) = letter(&lay, spec, &shapes, &drawn, &obstacles, &mut furniture, bounds)?;
    lettering::draw_labels(&root, &shapes, &placement)?;
    let inset = plan.map(|plan| draw_inset(&root, p, spec, &lay, &plan, &shapes, &fills)).transpose()?;
    let at = (lay.margin as i32, (lay.margin * 0.6) as i32);
    root.draw(&Text::new(spec.title.clone(), at, lay.bold(15.0).color(&BLACK))).map_err(derr)?;
    let note = lettering::note(&placement, inset.as_ref());
    let legend_lay = fit_legend(p, spec, &lay, &legend, note.as_deref())?;
    let legend_bottom = draw_legend(&root, p, spec, &legend_lay, &legend, note.as_deref())?;
    draw_scale_and_north(&root, &lay)?;
    draw_attribution(&root, p, &lay)?;
    root.present().map_err(derr)?;
    let sites = drawn.iter().map(|d| (d.1, d.2)).collect();
    let legend_drawn = Rect { x0: lay.w - lay.legend_w, y0: lay.title_h, x1: lay.w, y1: legend_bottom };
    Ok(MapLayout { placement, symbols, sites, furniture, bounds, note, inset, legend_drawn })
}

/// Label the main map; where SNPs are too crowded for their labels, plan an inset (see
/// [`inset`]), which is then kept clear, and label the rest of the main map without them.
fn letter(
    lay: &Layout,
    spec: &MapSpec,
    shapes: &[Shape],
    drawn: &[(usize, bool, Rect)],
    obstacles: &[Rect],
    furniture: &mut Vec<(&'static str, Rect)>,
    bounds: Rect,
) -> Result<(Placement, Option<inset::Plan>)> {
    let sites = (spec.sites, drawn);
    let first = lettering::place_labels(lay, shapes, sites, obstacles, furniture, bounds)?;
    // The inset hides no furniture and no practice or site symbol of the main map.
    let avoid: Vec<Rect> = furniture.iter().map(|f| f.1).chain(obstacles.iter().copied()).collect();
    let largest = lay.pt(lettering::SNP_PT[0]);
    let Some(plan) = inset::plan(lay, shapes, &first, largest, &bounds, &avoid) else {
        return Ok((first, None));
    };
    furniture.push(("inset", plan.rect));
    furniture.push(("locator frame", plan.locator));
    let rest: Vec<Shape> =
        shapes.iter().enumerate().filter(|(k, _)| !plan.members.contains(k)).map(|(_, s)| s.clone()).collect();
    // Sites drawn in the inset are named there.
    let il = inset::layout(lay, &plan);
    let outside: Vec<(usize, bool, Rect)> =
        drawn.iter().filter(|d| !il.in_frame(il.f.px(spec.sites[d.0].xy))).copied().collect();
    let placement = lettering::place_labels(lay, &rest, (spec.sites, &outside), obstacles, furniture, bounds)?;
    Ok((placement, Some(plan)))
}

/// Draw the inset: the same layers cut to its ground at its scale on a white box, its SNPs'
/// labels, a black frame round it and the locator frame on the main map.
fn draw_inset<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Prepared,
    spec: &MapSpec,
    lay: &Layout,
    plan: &inset::Plan,
    shapes: &[Shape],
    fills: &[RGBColor],
) -> Result<Inset>
where
    DB::ErrorType: 'static,
{
    let il = inset::layout(lay, plan);
    let r = plan.rect;
    let corners = |r: &Rect| [(r.x0.round() as i32, r.y0.round() as i32), (r.x1.round() as i32, r.y1.round() as i32)];
    root.draw(&Rectangle::new(corners(&r), WHITE.filled())).map_err(derr)?;
    draw_fills(root, p, &il, fills)?;
    if spec.pcn_outlines {
        draw_pcn_outlines(root, p, &il)?;
    }
    draw_footprints(root, &il, shapes)?;
    draw_boundary_layer(root, p, &spec.boundary, &il)?;
    let mut symbols = if spec.practices { draw_practices(root, p, &il)? } else { Vec::new() };
    let drawn = sites::draw_sites(root, &il, spec.sites)?;
    symbols.extend(drawn.iter().map(|d| d.2));
    let members: Vec<Shape> = plan.members.iter().map(|&k| shapes[k].clone()).collect();
    let bounds = r.pad(-lay.pt(2.0));
    let placement = lettering::place_labels(&il, &members, (spec.sites, &drawn), &symbols, &[], bounds)?;
    lettering::draw_labels(root, &members, &placement)?;
    let line = BLACK.stroke_width(lay.pt(1.2).round().max(1.0) as u32);
    root.draw(&Rectangle::new(corners(&r), line)).map_err(derr)?;
    root.draw(&Rectangle::new(corners(&plan.locator), line)).map_err(derr)?;
    Ok(Inset { rect: r, locator: plan.locator, zoom: plan.zoom, placement, symbols })
}

/// Boxes of the title, legend, scale bar and north arrow, which labels keep clear of.
fn furniture(lay: &Layout, title: &str) -> Result<Vec<(&'static str, Rect)>> {
    let pt = |x: f64| lay.pt(x);
    let (tw, _) = lay.bold(15.0).box_size(title).map_err(|e| Error::scenario(format!("measuring text failed: {e}")))?;
    let ty = lay.margin * 0.6;
    let title = Rect { x0: lay.margin, y0: ty - pt(4.0), x1: lay.margin + tw as f64, y1: ty + pt(15.0) };
    let legend = Rect { x0: lay.w - lay.legend_w, y0: lay.title_h, x1: lay.w, y1: lay.h - lay.foot_h };
    let (km, bar, bx, by, bh) = scale_bar(lay);
    let label_w = pt(7.0) * (format!("{km} km").chars().count() as f64);
    let scale = Rect { x0: bx - pt(3.0), y0: by - pt(1.0), x1: bx + bar + label_w, y1: by + bh + pt(12.0) };
    let (nx, ny, ah) = north_arrow(lay);
    let north =
        Rect { x0: nx - ah / 3.0 - pt(2.0), y0: ny - pt(2.0), x1: nx + ah / 3.0 + pt(2.0), y1: ny + ah + pt(14.0) };
    Ok(vec![("title", title), ("legend", legend), ("scale bar", scale), ("north arrow", north)])
}

/// Scale bar: length in km and pixels, left, top, height.
fn scale_bar(lay: &Layout) -> (f64, f64, f64, f64, f64) {
    let f = &lay.f;
    let km = nice_km(lay.dw / f.scale / 1000.0 * 0.25);
    (km, km * 1000.0 * f.scale, f.ox.floor(), (f.oy + lay.dh + lay.pt(14.0)).floor(), lay.pt(4.0).max(3.0).floor())
}

/// North arrow: tip x, tip y, height.
fn north_arrow(lay: &Layout) -> (f64, f64, f64) {
    let f = &lay.f;
    ((f.ox + lay.dw - lay.pt(14.0)).floor(), (f.oy + lay.pt(6.0)).floor(), lay.pt(22.0).floor())
}

/// The order to fill LSOA parts in: parts with holes first, largest first, then the rest in their
/// own order. Whatever lies in a hole is smaller than the part around it, so it is drawn later and
/// stays visible (plotters fills exterior rings only).
fn fill_order(parts: &[geo::Polygon]) -> Vec<usize> {
    let holed = |q: &geo::Polygon| q.interiors().iter().any(|r| r.0.len() >= 4);
    let mut first: Vec<usize> = (0..parts.len()).filter(|&k| holed(&parts[k])).collect();
    let area = |k: usize| geo::Polygon::new(parts[k].exterior().clone(), vec![]).unsigned_area();
    first.sort_by(|&a, &b| area(b).total_cmp(&area(a)));
    first.extend((0..parts.len()).filter(|&k| !holed(&parts[k])));
    first
}

/// LSOA fills with hairline edges. Holes are cleared to the background before anything inside them
/// is drawn, so an enclave outside the study area shows as blank.
fn draw_fills<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Prepared,
    lay: &Layout,
    fills: &[RGBColor],
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut parts = Vec::new();
    let mut colour = Vec::new();
    for (a, col) in p.study.areas.iter().zip(fills) {
        for poly in lay.shape(&a.geom).0 {
            parts.push(poly);
            colour.push(*col);
        }
    }
    let px = |r: &geo::LineString| -> Vec<(i32, i32)> { r.0.iter().map(|c| lay.f.px(*c)).collect() };
    for k in fill_order(&parts) {
        let pts = px(parts[k].exterior());
        root.draw(&Polygon::new(pts.clone(), colour[k].filled())).map_err(derr)?;
        root.draw(&PathElement::new(pts, RGBColor(255, 255, 255).mix(0.25).stroke_width(1))).map_err(derr)?;
        for hole in parts[k].interiors().iter().filter(|r| r.0.len() >= 4) {
            root.draw(&Polygon::new(px(hole), WHITE.filled())).map_err(derr)?;
        }
    }
    Ok(())
}

/// Dashed outlines of the boundary layer's units (LADs, an LGR option, the LGR-robust overlay, an
/// extra layer): the outline of each group of LSOAs sharing a `Layer::key`.
fn draw_boundary_layer<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Prepared,
    layer: &Layer,
    lay: &Layout,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    if *layer == Layer::None {
        return Ok(());
    }
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for i in 0..p.study.areas.len() {
        groups.entry(layer.key(p, i)).or_default().push(i);
    }
    for m in groups.values() {
        for pts in lay.outline(&dissolve(p, m)) {
            cased_dashes(root, lay, &pts)?;
        }
    }
    Ok(())
}

/// PCN catchment colour: Paul Tol's bright purple, apart from the grey-black footprint lines, the
/// dark boundary dashes and every theme's fills.
const PCN_LINE: RGBColor = RGBColor(170, 51, 119);

/// Width of a PCN catchment line in pixels: wider than an SNP line, so where the two coincide the
/// SNP's black runs down the middle of the purple.
fn pcn_px(lay: &Layout) -> f64 {
    lay.pt(3.2).round().max(lay.pt(1.3).max(1.0).round() + 2.0)
}

/// PCN catchment outlines: the LSOAs dissolved by the PCN each is assigned to (its majority PCN by
/// registrations, else its nearest practice's), drawn under the footprint outlines. LSOAs with no
/// PCN form no catchment.
fn draw_pcn_outlines<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, p: &Prepared, lay: &Layout) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut groups: BTreeMap<crate::model::PcnId, Vec<usize>> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        if let Some(l) = &a.pcn {
            groups.entry(l.pcn).or_default().push(i);
        }
    }
    for m in groups.values() {
        for pts in lay.outline(&dissolve(p, m)) {
            stroke(root, &pts, PCN_LINE, pcn_px(lay)).map_err(derr)?;
        }
    }
    Ok(())
}

/// Width of an MNP outline in pixels: 2.6 pt, and at least two pixels wider than the boundary
/// layer's casing, so a pixel of black shows on each side of it.
fn mnp_px(lay: &Layout) -> f64 {
    lay.pt(2.6).round().max(casing_px(lay) + 2.0)
}

/// Width of the boundary layer's light casing in pixels.
fn casing_px(lay: &Layout) -> f64 {
    lay.pt(1.2).round().max(2.0)
}

/// The boundary layer's line: a light casing narrower than an MNP line, under dark dashes. Drawn
/// on top of the footprint outlines, so where it runs along one the footprint's black still shows
/// at both edges and the dashes stay visible (issue 11).
fn cased_dashes<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, lay: &Layout, pts: &[(i32, i32)]) -> Result<()>
where
    DB::ErrorType: 'static,
{
    stroke(root, pts, RGBColor(255, 255, 255), casing_px(lay)).map_err(derr)?;
    dashed(root, pts, RGBColor(30, 30, 30).stroke_width(lay.pt(0.8).max(1.0).round() as u32), lay.pt(4.0));
    Ok(())
}

/// A footprint to outline and name: SNP or MNP, its name, population and dissolved outline.
#[derive(Clone)]
pub(crate) struct Shape {
    kind: Kind,
    name: String,
    pop: u64,
    geom: MultiPolygon,
}

/// SNPs, then MNPs if the set is nested, each dissolved once (name order).
fn footprint_shapes(p: &Prepared, fp: &FootprintSet) -> Vec<Shape> {
    let mut out = Vec::new();
    for (kind, names) in [(Kind::Snp, Some(&fp.footprint)), (Kind::Mnp, fp.mnp.as_ref())] {
        let Some(names) = names else { continue };
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, n) in names.iter().enumerate() {
            groups.entry(n).or_default().push(i);
        }
        for (name, m) in groups {
            let pop = m.iter().map(|&i| p.study.areas[i].pop).sum();
            out.push(Shape { kind, name: name.to_string(), pop, geom: dissolve(p, &m) });
        }
    }
    out
}

/// SNP outlines thin, MNP outlines thick.
fn draw_footprints<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, lay: &Layout, shapes: &[Shape]) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let snp_px = (lay.pt(1.3) * snp_line_scale(lay, shapes)).max(1.0);
    for s in shapes {
        let (col, width) = match s.kind {
            Kind::Mnp => (BLACK, mnp_px(lay)),
            Kind::Snp | Kind::Site => (RGBColor(20, 20, 20), snp_px),
        };
        for pts in lay.outline(&s.geom) {
            stroke(root, &pts, col, width).map_err(derr)?;
        }
    }
    Ok(())
}

/// SNP lines thinned where footprints are small on the page (a region or England): the median
/// SNP's side (square root of its area) over 40 pt, between 0.3 and 1, so dense cities do not turn
/// into black blots; county maps keep the full 1.3 pt.
fn snp_line_scale(lay: &Layout, shapes: &[Shape]) -> f64 {
    let mut sides: Vec<f64> =
        shapes.iter().filter(|s| s.kind == Kind::Snp).map(|s| s.geom.unsigned_area().sqrt() * lay.f.scale).collect();
    if sides.is_empty() {
        return 1.0;
    }
    sides.sort_by(f64::total_cmp);
    (sides[sides.len() / 2] / lay.pt(40.0)).clamp(0.3, 1.0)
}

/// Practice symbols inside the map frame (a few pixels' slack).
/// Returns each symbol's box.
fn draw_practices<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, p: &Prepared, lay: &Layout) -> Result<Vec<Rect>>
where
    DB::ErrorType: 'static,
{
    let f = &lay.f;
    let mut boxes = Vec::new();
    for pr in &p.study.practices {
        let (x, y) = f.px(pr.xy);
        if !lay.in_frame((x, y)) {
            continue;
        }
        let r = practice_symbol(root, lay, (x, y))?;
        boxes.push(Rect::centred((x as f64, y as f64), 2.0 * r, 2.0 * r));
    }
    Ok(boxes)
}

/// A practice symbol at `at`; returns its radius in pixels.
fn practice_symbol<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, lay: &Layout, at: (i32, i32)) -> Result<f64>
where
    DB::ErrorType: 'static,
{
    let r = lay.pt(2.4).max(2.0) as i32;
    let sw = lay.pt(0.7).max(1.0) as u32;
    root.draw(&Circle::new(at, r, WHITE.filled())).map_err(derr)?;
    root.draw(&Circle::new(at, r, BLACK.stroke_width(sw))).map_err(derr)?;
    // The ink's radius: circle plus the outer half of its stroke, and a pixel of antialiasing.
    Ok(r as f64 + sw as f64 / 2.0 + 1.0)
}

/// The layout the legend is drawn with: the page's, or, where the legend would run into the
/// attribution (a short page with many legend entries: A5 landscape with PCN outlines and sites),
/// the same with every legend size scaled down until it ends above it. Each try is drawn into a
/// throwaway SVG string and measured.
fn fit_legend(p: &Prepared, spec: &MapSpec, lay: &Layout, legend: &Legend, note: Option<&str>) -> Result<Layout> {
    let room = lay.h - lay.foot_h - lay.title_h;
    let mut k = 1.0;
    for _ in 0..6 {
        let scaled = Layout { dpi: lay.dpi * k, ..lay.clone() };
        let mut dry = String::new();
        let bottom = {
            let area = SVGBackend::with_string(&mut dry, (lay.w as u32, lay.h as u32)).into_drawing_area();
            draw_legend(&area, p, spec, &scaled, legend, note)?
        };
        let used = bottom - lay.title_h;
        if used <= room {
            return Ok(scaled);
        }
        k *= (room / used).min(0.97);
    }
    Ok(Layout { dpi: lay.dpi * k, ..lay.clone() })
}

/// Legend: theme title and swatches, then line symbols for footprints and the boundary layer, the
/// practice symbol, and the note on footprints left unnamed.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Prepared,
    spec: &MapSpec,
    lay: &Layout,
    legend: &Legend,
    note: Option<&str>,
) -> Result<f64>
where
    DB::ErrorType: 'static,
{
    let pt = |x: f64| lay.pt(x);
    let lx = (lay.w - lay.legend_w + pt(6.0)) as i32;
    let mut ly = (lay.title_h + pt(8.0)) as i32;
    for l in wrap(&legend.title, ((lay.legend_w - pt(12.0)) / pt(5.2)) as usize) {
        root.draw(&Text::new(l, (lx, ly), lay.bold(8.5).color(&BLACK))).map_err(derr)?;
        ly += pt(11.0) as i32;
    }
    ly += pt(5.0) as i32;
    let sw = pt(12.0) as i32;
    for (c, label) in &legend.items {
        root.draw(&Rectangle::new([(lx, ly), (lx + sw, ly + sw)], c.filled())).map_err(derr)?;
        root.draw(&Rectangle::new([(lx, ly), (lx + sw, ly + sw)], RGBColor(120, 120, 120).stroke_width(1)))
            .map_err(derr)?;
        let at = (lx + sw + pt(6.0) as i32, ly + pt(1.5) as i32);
        root.draw(&Text::new(label.clone(), at, lay.font(8.0).color(&BLACK))).map_err(derr)?;
        ly += sw + pt(5.0) as i32;
    }
    ly += pt(10.0) as i32;
    ly = legend_lines(root, p, spec, lay, (lx, ly))?;
    if spec.practices && !p.study.practices.is_empty() {
        practice_symbol(root, lay, (lx + sw, ly + sw / 2))?;
        let at = (lx + sw * 2 + pt(6.0) as i32, ly + pt(1.5) as i32);
        root.draw(&Text::new("GP practice".to_string(), at, lay.font(8.0).color(&BLACK))).map_err(derr)?;
        ly += sw + pt(10.0) as i32;
    }
    ly = legend_sites(root, spec, lay, (lx, ly))?;
    if let Some(note) = note {
        for l in wrap(note, ((lay.legend_w - pt(12.0)) / pt(4.4)) as usize) {
            root.draw(&Text::new(l, (lx, ly), lay.font(8.0).color(&BLACK))).map_err(derr)?;
            ly += pt(10.0) as i32;
        }
    }
    Ok(ly as f64)
}

/// The legend's site symbols, existing and new, for the kinds on the map. Returns the next free y.
fn legend_sites<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    spec: &MapSpec,
    lay: &Layout,
    (lx, mut ly): (i32, i32),
) -> Result<i32>
where
    DB::ErrorType: 'static,
{
    let sw = lay.pt(12.0) as i32;
    for (existing, label) in [(true, "Site: existing GP practice"), (false, "Site: new")] {
        if !spec.sites.iter().any(|s| s.existing == existing) {
            continue;
        }
        sites::site_symbol(root, lay, (lx + sw, ly + sw / 2), existing)?;
        let at = (lx + sw * 2 + lay.pt(6.0) as i32, ly + lay.pt(1.5) as i32);
        root.draw(&Text::new(label.to_string(), at, lay.font(8.0).color(&BLACK))).map_err(derr)?;
        ly += sw + lay.pt(10.0) as i32;
    }
    Ok(ly)
}

/// Draws a legend line symbol through the given points.
type DrawLine<'a> = dyn Fn(&[(i32, i32)]) -> Result<()> + 'a;

/// The legend's line symbols: SNP and MNP outlines, the cased dashed boundary layer. Returns the
/// next free y.
fn legend_lines<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Prepared,
    spec: &MapSpec,
    lay: &Layout,
    (lx, mut ly): (i32, i32),
) -> Result<i32>
where
    DB::ErrorType: 'static,
{
    let pt = |x: f64| lay.pt(x);
    let sw = pt(12.0) as i32;
    // Characters per line beside a line symbol.
    let chars = ((lay.legend_w - pt(36.0)) / pt(4.4)) as usize;
    let line = |ly: i32, lines: &[String], draw: &DrawLine| -> Result<i32> {
        draw(&[(lx, ly + sw / 2), (lx + sw * 2, ly + sw / 2)])?;
        for (k, l) in lines.iter().enumerate() {
            let at = (lx + sw * 2 + pt(6.0) as i32, ly + pt(1.5) as i32 + k as i32 * pt(10.0) as i32);
            root.draw(&Text::new(l.clone(), at, lay.font(8.0).color(&BLACK))).map_err(derr)?;
        }
        Ok(ly + sw + pt(5.0) as i32 + (lines.len().max(1) as i32 - 1) * pt(10.0) as i32)
    };
    if let Some(fp) = spec.footprints {
        let snp = |pts: &[(i32, i32)]| stroke(root, pts, RGBColor(20, 20, 20), pt(1.3).max(1.0)).map_err(derr);
        ly = line(ly, &wrap("SNP footprint (label: name, people)", chars), &snp)?;
        if fp.mnp.is_some() {
            let mnp = |pts: &[(i32, i32)]| stroke(root, pts, BLACK, mnp_px(lay)).map_err(derr);
            ly = line(ly, &wrap("MNP footprint (label: bold name, people)", chars), &mnp)?;
        }
    }
    if spec.pcn_outlines {
        let pcn = |pts: &[(i32, i32)]| stroke(root, pts, PCN_LINE, pcn_px(lay)).map_err(derr);
        ly = line(ly, &wrap("PCN catchment (LSOAs by their PCN)", chars), &pcn)?;
    }
    if spec.boundary != Layer::None {
        let label = match spec.boundary {
            Layer::Lad => "District (LAD) boundary".to_string(),
            ref l => format!("{} boundary", l.label(p)),
        };
        let lines = wrap(&label, chars);
        ly = line(ly, &lines, &|pts| cased_dashes(root, lay, pts))?;
    }
    Ok(ly)
}

/// Scale bar (bottom left of the map) and north arrow (top right of the map).
fn draw_scale_and_north<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, lay: &Layout) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let pt = |x: f64| lay.pt(x);
    let (km, bar, bx, by, bh) = scale_bar(lay);
    let (bx, by, bh) = (bx as i32, by as i32, bh as i32);
    for k in 0..4 {
        let x0 = bx + (bar * k as f64 / 4.0) as i32;
        let x1 = bx + (bar * (k + 1) as f64 / 4.0) as i32;
        let c = if k % 2 == 0 { BLACK } else { WHITE };
        root.draw(&Rectangle::new([(x0, by), (x1, by + bh)], c.filled())).map_err(derr)?;
    }
    root.draw(&Rectangle::new([(bx, by), (bx + bar as i32, by + bh)], BLACK.stroke_width(1))).map_err(derr)?;
    let small = lay.font(7.0).color(&BLACK);
    root.draw(&Text::new("0".to_string(), (bx - pt(2.0) as i32, by + bh + pt(2.0) as i32), small.clone()))
        .map_err(derr)?;
    let at = (bx + bar as i32 - pt(6.0) as i32, by + bh + pt(2.0) as i32);
    root.draw(&Text::new(format!("{km} km"), at, small)).map_err(derr)?;
    let (nx, ny, ah) = north_arrow(lay);
    let (nx, ny, ah) = (nx as i32, ny as i32, ah as i32);
    root.draw(&Polygon::new(vec![(nx, ny), (nx - ah / 3, ny + ah), (nx, ny + ah * 3 / 4)], BLACK.filled()))
        .map_err(derr)?;
    root.draw(&Polygon::new(vec![(nx, ny), (nx + ah / 3, ny + ah), (nx, ny + ah * 3 / 4)], WHITE.filled()))
        .map_err(derr)?;
    root.draw(&PathElement::new(
        vec![(nx, ny), (nx + ah / 3, ny + ah), (nx, ny + ah * 3 / 4), (nx - ah / 3, ny + ah), (nx, ny)],
        BLACK.stroke_width(1),
    ))
    .map_err(derr)?;
    let at = (nx - pt(3.5) as i32, ny + ah + pt(2.0) as i32);
    root.draw(&Text::new("N".to_string(), at, lay.bold(9.0).color(&BLACK))).map_err(derr)?;
    Ok(())
}

/// Attribution in the footer: the scenario's text plus the deprivation edition if not already there.
fn draw_attribution<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, p: &Prepared, lay: &Layout) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let mut attr = p.scenario.attribution.clone().unwrap_or_else(|| {
        "Contains OS data © Crown copyright and database right 2021. Contains National Statistics data © Crown copyright and database right 2021.".into()
    });
    if let Some(ed) = p.scenario.deprivation.as_ref().and_then(|d| d.edition.clone()) {
        if !attr.contains(&ed) {
            attr.push_str(&format!(" Deprivation: {ed}."));
        }
    }
    let ay = (lay.h - lay.foot_h + lay.pt(8.0)) as i32;
    let lines = wrap(&attr, ((lay.w - 2.0 * lay.margin) / lay.pt(3.6)) as usize);
    for (k, l) in lines.iter().enumerate() {
        let at = (lay.margin as i32, ay + (k as f64 * lay.pt(9.0)) as i32);
        root.draw(&Text::new(l.clone(), at, lay.font(6.5).color(&RGBColor(60, 60, 60)))).map_err(derr)?;
    }
    Ok(())
}

/// Render a map to `out` (.png or .svg) through a temporary file, so a failure leaves nothing behind.
/// Returns where the labels went.
pub fn render(p: &Prepared, spec: &MapSpec, out: &Path) -> Result<MapLayout> {
    register_fonts();
    let ext = out.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let dir = out.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    if !dir.is_dir() {
        return Err(Error::output(out, format!("folder {} does not exist", dir.display()))
            .hint("create it first or choose another --out"));
    }
    let px = |mm: f64| (mm / 25.4 * spec.dpi).round();
    let (w, h) = (px(spec.page_mm.0), px(spec.page_mm.1));
    match ext.as_str() {
        "svg" => {
            let mut svg = String::new();
            let lay;
            {
                let root = SVGBackend::with_string(&mut svg, (w as u32, h as u32)).into_drawing_area();
                lay = draw(root, p, spec, w, h)?;
            }
            crate::io::write::atomic_write(out, svgfont::embed_font(&svg).as_bytes())?;
            Ok(lay)
        }
        "png" => {
            let tmp = dir.join(format!(
                ".{}.{}.tmp.png",
                out.file_name().unwrap_or_default().to_string_lossy(),
                std::process::id()
            ));
            let res = draw(BitMapBackend::new(&tmp, (w as u32, h as u32)).into_drawing_area(), p, spec, w, h);
            match res {
                Ok(lay) => std::fs::rename(&tmp, out).map(|()| lay).map_err(|e| {
                    let _ = std::fs::remove_file(&tmp);
                    Error::write(out, e)
                }),
                Err(e) => {
                    let _ = std::fs::remove_file(&tmp);
                    Err(e)
                }
            }
        }
        _ => Err(Error::output(out, "unknown map format").hint("end the file name with .png or .svg")),
    }
}

/// SVG of a map as a string (for the HTML report), its text in DejaVu Sans by name: the report
/// is one page of many maps, so the font is not embedded in each.
pub fn svg_string(p: &Prepared, spec: &MapSpec) -> Result<String> {
    register_fonts();
    let px = |mm: f64| (mm / 25.4 * spec.dpi).round();
    let (w, h) = (px(spec.page_mm.0), px(spec.page_mm.1));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w as u32, h as u32)).into_drawing_area();
        draw(root, p, spec, w, h)?;
    }
    Ok(svgfont::name_family(&svg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon as GeoPolygon};

    fn square(x: f64, y: f64, side: f64) -> LineString {
        LineString::from(vec![(x, y), (x + side, y), (x + side, y + side), (x, y + side), (x, y)])
    }

    #[test]
    fn parts_with_holes_are_filled_before_what_is_inside_them() {
        let parts = vec![
            GeoPolygon::new(square(4.0, 4.0, 2.0), vec![]), // in the inner hole
            GeoPolygon::new(square(2.0, 2.0, 6.0), vec![square(4.0, 4.0, 2.0)]), // in the outer hole, holed
            GeoPolygon::new(square(20.0, 0.0, 1.0), vec![]), // elsewhere
            GeoPolygon::new(square(0.0, 0.0, 10.0), vec![square(2.0, 2.0, 6.0)]), // outermost, holed
        ];
        assert_eq!(fill_order(&parts), vec![3, 1, 0, 2]);
        let plain: Vec<GeoPolygon> =
            (0..4).map(|k| GeoPolygon::new(square(k as f64 * 2.0, 0.0, 1.0), vec![])).collect();
        assert_eq!(fill_order(&plain), vec![0, 1, 2, 3], "no holes: the LSOAs' own order");
    }

    fn spec(p: &Prepared) -> MapSpec<'static> {
        MapSpec {
            title: "holes".into(),
            theme: Theme::Imd,
            page_mm: (297.0, 210.0),
            dpi: 100.0,
            footprints: None,
            other: None,
            boundary: Layer::None,
            practices: false,
            target: p.scenario.build.snp_target,
            pcn_outlines: false,
            sites: &[],
        }
    }

    /// Render a PNG and return the colour at each map coordinate.
    fn colours_at(p: &Prepared, at: &[Coord]) -> Vec<RGBColor> {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("m.png");
        let spec = spec(p);
        render(p, &spec, &out).unwrap();
        let img = image::open(&out).unwrap().to_rgb8();
        let px = |mm: f64| (mm / 25.4 * spec.dpi).round();
        let lay = Layout::new(p, spec.dpi, px(spec.page_mm.0), px(spec.page_mm.1));
        at.iter()
            .map(|c| {
                let (x, y) = lay.f.px(*c);
                let q = img.get_pixel(x as u32, y as u32).0;
                RGBColor(q[0], q[1], q[2])
            })
            .collect()
    }

    fn centre(a: &crate::Area) -> Coord {
        let big = a.geom.0.iter().max_by(|x, y| x.unsigned_area().total_cmp(&y.unsigned_area())).unwrap();
        polylabel::polylabel(big, &1.0).unwrap().0
    }

    /// Issue 11: the dashed boundary layer vanished where it ran along an MNP line. Drawn over one,
    /// the MNP's black still shows at both edges, the light casing inside, and the dark dashes
    /// along the middle — at print and screen resolutions.
    #[test]
    fn boundary_layer_stays_visible_on_an_mnp_line() {
        let p = Prepared::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/scenario.toml")).unwrap();
        for dpi in [72.0, 110.0, 150.0, 300.0] {
            let lay = Layout::new(&p, dpi, 400.0, 200.0);
            let (w, h) = (400u32, 100u32);
            let mut buf = vec![0u8; (w * h * 3) as usize];
            {
                let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
                root.fill(&RGBColor(67, 147, 195)).unwrap();
                let line = [(20, 50), (380, 50)];
                stroke(&root, &line, BLACK, mnp_px(&lay)).unwrap();
                cased_dashes(&root, &lay, &line).unwrap();
                root.present().unwrap();
            }
            let px = |x: u32, y: u32| {
                let k = ((y * w + x) * 3) as usize;
                (buf[k], buf[k + 1], buf[k + 2])
            };
            let black = |c: (u8, u8, u8)| c.0 < 40 && c.1 < 40 && c.2 < 40;
            let white = |c: (u8, u8, u8)| c.0 > 230 && c.1 > 230 && c.2 > 230;
            // Across the line, away from the ends: black, then white, …, then black again.
            for x in [100, 200, 300] {
                let col: Vec<_> = (30..70).map(|y| px(x, y)).filter(|c| *c != (67, 147, 195)).collect();
                assert!(black(col[0]) && black(col[col.len() - 1]), "{dpi} dpi: MNP edges at x {x}: {col:?}");
                assert!(col.iter().any(|c| white(*c)), "{dpi} dpi: casing at x {x}: {col:?}");
            }
            // Along the middle: dark dashes and light gaps in turn.
            let mid: Vec<_> = (40..360).map(|x| px(x, 50)).collect();
            let (d, l) = (mid.iter().filter(|c| black(**c)).count(), mid.iter().filter(|c| white(**c)).count());
            assert!(d > 60 && l > 60, "{dpi} dpi: {d} dark and {l} light pixels along the middle");
        }
    }

    /// Issue 9: an LSOA enclosed by another was painted over when the enclosing one came later.
    #[test]
    fn enclosed_lsoa_stays_visible_synthetic_ring() {
        let mut p = Prepared::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("data/demo/scenario.toml")).unwrap();
        let (fills, _) = theme_fills(&p, &spec(&p)).unwrap();
        // The enclosed LSOA i, and a later LSOA j with another colour, re-shaped into a ring around i.
        let i = 0;
        let j = (1..fills.len()).find(|&j| fills[j] != fills[i]).unwrap();
        let ring = p.study.areas[i].geom.0[0].exterior().clone();
        let b = p.study.areas[i].geom.bounding_rect().unwrap();
        let outer = square(b.min().x - 300.0, b.min().y - 300.0, (b.width().max(b.height())) + 600.0);
        p.study.areas[j].geom = MultiPolygon::new(vec![GeoPolygon::new(outer, vec![ring])]);
        assert_eq!(colours_at(&p, &[centre(&p.study.areas[i])]), vec![fills[i]]);
    }

    /// The real case: Cherwell 009B (E01028485) lies inside Cherwell 009C (E01028486), which comes
    /// after it in code order.
    #[test]
    #[ignore = "needs real data in ../shared/data"]
    fn enclosed_lsoa_stays_visible_oxfordshire() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let data = std::fs::canonicalize(
            std::env::var_os("FOOTPRINTS_SHARED_DATA")
                .map(std::path::PathBuf::from)
                .unwrap_or(root.join("../shared/data")),
        )
        .unwrap();
        let text = std::fs::read_to_string(root.join("tests/scenarios/oxfordshire.toml")).unwrap();
        let d = tempfile::tempdir().unwrap();
        let scenario = d.path().join("oxfordshire.toml");
        std::fs::write(&scenario, text.replace("../../../shared/data", &data.display().to_string())).unwrap();
        let p = Prepared::load(&scenario).unwrap();
        let idx = |code: &str| p.study.areas.iter().position(|a| a.code == code).unwrap();
        let (inner, outer) = (idx("E01028485"), idx("E01028486"));
        assert!(inner < outer && !p.study.areas[outer].geom.0[0].interiors().is_empty());
        let (fills, _) = theme_fills(&p, &spec(&p)).unwrap();
        assert_ne!(fills[inner], fills[outer], "the test needs two different deciles");
        let got = colours_at(&p, &[centre(&p.study.areas[inner]), centre(&p.study.areas[outer])]);
        assert_eq!(got, vec![fills[inner], fills[outer]]);
    }
}
