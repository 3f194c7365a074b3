//! Print-quality maps with plotters (PNG or SVG): LSOAs shaded by a theme, SNP boundaries thin,
//! MNP boundaries thick, district or LGR boundaries dashed, practices as symbols, footprint labels at
//! the pole of inaccessibility, title, legend, scale bar, north arrow and attribution. Text uses an
//! embedded DejaVu Sans, so it renders on a machine with no system fonts.

use crate::build::Layer;
use crate::error::{Error, Result};
use crate::export::dissolve;
use crate::prepare::Prepared;
use crate::score::FootprintSet;
use geo::{Area, BoundingRect, Coord, MultiPolygon, Simplify};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Once;

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
}

fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, dejavu::sans::regular());
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, dejavu::sans::bold());
    });
}

const DECILE: [RGBColor; 10] = [
    RGBColor(103, 0, 31),
    RGBColor(178, 24, 43),
    RGBColor(214, 96, 77),
    RGBColor(244, 165, 130),
    RGBColor(253, 219, 199),
    RGBColor(209, 229, 240),
    RGBColor(146, 197, 222),
    RGBColor(67, 147, 195),
    RGBColor(33, 102, 172),
    RGBColor(5, 48, 97),
];

struct Legend {
    title: String,
    items: Vec<(RGBColor, String)>,
}

/// Fill colour per LSOA and the legend for a theme.
fn theme_fills(p: &Prepared, spec: &MapSpec) -> Result<(Vec<RGBColor>, Legend)> {
    match spec.theme {
        Theme::Imd => imd_fills(p),
        Theme::Deviation => deviation_fills(p, spec),
        Theme::Pcn => pcn_fills(p, spec),
        Theme::Access => access_fills(p),
        Theme::Change => change_fills(p, spec),
    }
}

/// National IMD decile; grey where unknown.
fn imd_fills(p: &Prepared) -> Result<(Vec<RGBColor>, Legend)> {
    let s = &p.study;
    let grey = RGBColor(220, 220, 220);
    if s.areas.iter().all(|a| a.imd.is_none()) {
        return Err(Error::scenario("the imd theme needs a [deprivation] table in the scenario"));
    }
    let fills = s
        .areas
        .iter()
        .map(|a| a.imd.as_ref().and_then(|m| m.decile).map_or(grey, |d| DECILE[(d.clamp(1, 10) - 1) as usize]))
        .collect();
    let items = (1..=10)
        .map(|d| {
            (
                DECILE[d - 1],
                if d == 1 {
                    "1 most deprived".to_string()
                } else if d == 10 {
                    "10 least deprived".to_string()
                } else {
                    d.to_string()
                },
            )
        })
        .collect();
    let ed = p.scenario.deprivation.as_ref().and_then(|d| d.edition.clone()).unwrap_or_else(|| "IMD".into());
    Ok((fills, Legend { title: format!("National deprivation decile, {ed}"), items }))
}

/// The footprint set a theme needs, and the population of each footprint.
fn footprint_pops<'a>(p: &Prepared, spec: &MapSpec<'a>) -> Result<(&'a FootprintSet, BTreeMap<&'a str, f64>)> {
    let s = &p.study;
    let fp = spec.footprints.ok_or_else(|| Error::scenario("this theme needs --footprints"))?;
    let mut pop: BTreeMap<&str, f64> = BTreeMap::new();
    for (i, a) in s.areas.iter().enumerate() {
        *pop.entry(&fp.footprint[i]).or_default() += a.pop as f64;
    }
    Ok((fp, pop))
}

/// Each LSOA coloured by its footprint's deviation from the target population.
fn deviation_fills(p: &Prepared, spec: &MapSpec) -> Result<(Vec<RGBColor>, Legend)> {
    let s = &p.study;
    let (fp, pop) = footprint_pops(p, spec)?;
    let bins = [(-100.0, -20.0), (-20.0, -10.0), (-10.0, -5.0), (-5.0, 5.0), (5.0, 10.0), (10.0, 20.0), (20.0, 1e9)];
    let cols = [
        RGBColor(33, 102, 172),
        RGBColor(103, 169, 207),
        RGBColor(209, 229, 240),
        RGBColor(247, 247, 247),
        RGBColor(253, 219, 199),
        RGBColor(239, 138, 98),
        RGBColor(178, 24, 43),
    ];
    let labels = ["below −20%", "−20 to −10%", "−10 to −5%", "within ±5%", "+5 to +10%", "+10 to +20%", "above +20%"];
    let fills = s
        .areas
        .iter()
        .enumerate()
        .map(|(i, _)| {
            let d = (pop[fp.footprint[i].as_str()] - spec.target) / spec.target * 100.0;
            cols[bins.iter().position(|b| d >= b.0 && d < b.1).unwrap_or(6)]
        })
        .collect();
    Ok((
        fills,
        Legend {
            title: format!("Population vs target {:.0}", spec.target),
            items: cols.iter().zip(labels).map(|(c, l)| (*c, l.to_string())).collect(),
        },
    ))
}

/// Each LSOA coloured by its footprint's main-PCN share.
fn pcn_fills(p: &Prepared, spec: &MapSpec) -> Result<(Vec<RGBColor>, Legend)> {
    let s = &p.study;
    let (fp, _) = footprint_pops(p, spec)?;
    let sc = crate::score::score(p, fp, &crate::score::ScoreOptions { target: spec.target, ..Default::default() });
    let share: BTreeMap<&str, f64> = sc.rows.iter().map(|r| (r.name.as_str(), r.pcn_share.unwrap_or(0.0))).collect();
    let cols = [
        RGBColor(215, 48, 39),
        RGBColor(252, 141, 89),
        RGBColor(254, 224, 139),
        RGBColor(145, 207, 96),
        RGBColor(26, 152, 80),
    ];
    let labels = ["under 50%", "50–70%", "70–85%", "85–95%", "95% or more"];
    let cut = [0.5, 0.7, 0.85, 0.95];
    let fills = (0..s.areas.len())
        .map(|i| cols[cut.iter().filter(|c| share[fp.footprint[i].as_str()] >= **c).count()])
        .collect();
    Ok((
        fills,
        Legend {
            title: "Main PCN's share of footprint".into(),
            items: cols.iter().zip(labels).map(|(c, l)| (*c, l.to_string())).collect(),
        },
    ))
}

/// Straight-line distance to the nearest practice.
fn access_fills(p: &Prepared) -> Result<(Vec<RGBColor>, Legend)> {
    let s = &p.study;
    if s.practices.is_empty() {
        return Err(Error::scenario("the access theme needs a [practices] table in the scenario"));
    }
    let cols = [RGBColor(26, 152, 80), RGBColor(166, 217, 106), RGBColor(253, 174, 97), RGBColor(215, 25, 28)];
    let labels = ["under 1.6 km", "1.6–5 km", "5–10 km", "10 km or more"];
    let fills = s
        .nearest_practice_km()
        .into_iter()
        .map(|d| cols[[1.6, 5.0, 10.0].iter().filter(|c| d >= **c).count()])
        .collect();
    Ok((
        fills,
        Legend {
            title: "Straight-line distance to nearest practice".into(),
            items: cols.iter().zip(labels).map(|(c, l)| (*c, l.to_string())).collect(),
        },
    ))
}

/// LSOAs that move between `--footprints` and `--compare-with`.
fn change_fills(p: &Prepared, spec: &MapSpec) -> Result<(Vec<RGBColor>, Legend)> {
    let s = &p.study;
    let (a, b) = match (spec.footprints, spec.other) {
        (Some(a), Some(b)) => (a, b),
        _ => return Err(Error::scenario("the change theme needs --footprints and --compare-with")),
    };
    let moved: std::collections::BTreeSet<String> = crate::score::moves(p, a, b).into_iter().map(|m| m.0).collect();
    let fills = s
        .areas
        .iter()
        .map(|x| if moved.contains(&x.code) { RGBColor(230, 97, 1) } else { RGBColor(230, 230, 230) })
        .collect();
    Ok((
        fills,
        Legend {
            title: format!("{} → {}", a.label, b.label),
            items: vec![(RGBColor(230, 97, 1), "changes footprint".into()), (RGBColor(230, 230, 230), "stays".into())],
        },
    ))
}

/// Map coordinates (BNG metres) to pixels.
struct Frame {
    min: Coord,
    scale: f64,
    ox: f64,
    oy: f64,
    h: f64,
}

impl Frame {
    fn px(&self, c: Coord) -> (i32, i32) {
        (
            (self.ox + (c.x - self.min.x) * self.scale).round() as i32,
            (self.oy + self.h - (c.y - self.min.y) * self.scale).round() as i32,
        )
    }
}

/// Where everything goes on the page, in pixels.
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
        Layout { w, h, dpi, margin, title_h, foot_h, legend_w, f, dw, dh, tol: 0.6 / scale }
    }

    /// Points → pixels.
    fn pt(&self, x: f64) -> f64 {
        x / 72.0 * self.dpi
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

/// Draw the map on any backend, layer by layer from the fills up.
fn draw<DB: DrawingBackend>(root: DrawingArea<DB, Shift>, p: &Prepared, spec: &MapSpec, w: f64, h: f64) -> Result<()>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE).map_err(derr)?;
    let (fills, legend) = theme_fills(p, spec)?;
    let lay = Layout::new(p, spec.dpi, w, h);
    draw_fills(&root, p, &lay, &fills)?;
    draw_boundary_layer(&root, p, &spec.boundary, &lay)?;
    let labels = match spec.footprints {
        Some(fp) => draw_footprints(&root, p, fp, &lay)?,
        None => Vec::new(),
    };
    if spec.practices {
        draw_practices(&root, p, &lay)?;
    }
    draw_labels(&root, &lay, &labels)?;
    root.draw(&Text::new(
        spec.title.clone(),
        (lay.margin as i32, (lay.margin * 0.6) as i32),
        lay.bold(15.0).color(&BLACK),
    ))
    .map_err(derr)?;
    draw_legend(&root, p, spec, &lay, &legend)?;
    draw_scale_and_north(&root, &lay)?;
    draw_attribution(&root, p, &lay)?;
    root.present().map_err(derr)?;
    Ok(())
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
        for poly in a.geom.simplify(lay.tol).0 {
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
    let style = RGBColor(40, 40, 40).stroke_width(lay.pt(1.2).max(1.0) as u32);
    for m in groups.values() {
        let d = dissolve(p, m).simplify(lay.tol);
        for r in rings(&d) {
            let pts: Vec<(i32, i32)> = r.0.iter().map(|c| lay.f.px(*c)).collect();
            dashed(root, &pts, style, lay.pt(5.0));
        }
    }
    Ok(())
}

/// A footprint label: at the pole of inaccessibility of its largest part, name above population.
struct Label {
    at: (i32, i32),
    name: String,
    pop: u64,
}

/// SNP outlines thin, MNP outlines thick; returns each SNP's label.
fn draw_footprints<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Prepared,
    fp: &FootprintSet,
    lay: &Layout,
) -> Result<Vec<Label>>
where
    DB::ErrorType: 'static,
{
    let (tol, scale) = (lay.tol, lay.f.scale);
    let mut labels = Vec::new();
    let mut snp: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, n) in fp.footprint.iter().enumerate() {
        snp.entry(n).or_default().push(i);
    }
    for (name, m) in &snp {
        let d = dissolve(p, m);
        for r in rings(&d.simplify(tol)) {
            let pts: Vec<_> = r.0.iter().map(|c| lay.f.px(*c)).collect();
            stroke(root, &pts, RGBColor(20, 20, 20), lay.pt(1.3).max(1.0)).map_err(derr)?;
        }
        if let Some(big) = d.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area())) {
            let at = polylabel::polylabel(big, &(1.0 / scale)).map(|q| q.0).unwrap_or(big.exterior().0[0]);
            let pop: u64 = m.iter().map(|&i| p.study.areas[i].pop).sum();
            labels.push(Label { at: lay.f.px(at), name: name.to_string(), pop });
        }
    }
    if let Some(mnp) = &fp.mnp {
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, n) in mnp.iter().enumerate() {
            groups.entry(n).or_default().push(i);
        }
        for m in groups.values() {
            for r in rings(&dissolve(p, m).simplify(tol)) {
                let pts: Vec<_> = r.0.iter().map(|c| lay.f.px(*c)).collect();
                stroke(root, &pts, BLACK, lay.pt(2.6)).map_err(derr)?;
            }
        }
    }
    Ok(labels)
}

/// Practice symbols inside the map frame (a few pixels' slack).
fn draw_practices<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, p: &Prepared, lay: &Layout) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let f = &lay.f;
    for pr in &p.study.practices {
        let (x, y) = f.px(pr.xy);
        if x < f.ox as i32 - 5
            || y < f.oy as i32 - 5
            || x > (f.ox + lay.dw) as i32 + 5
            || y > (f.oy + lay.dh) as i32 + 5
        {
            continue;
        }
        practice_symbol(root, lay, (x, y))?;
    }
    Ok(())
}

fn practice_symbol<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, lay: &Layout, at: (i32, i32)) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let r = lay.pt(2.4).max(2.0) as i32;
    root.draw(&Circle::new(at, r, WHITE.filled())).map_err(derr)?;
    root.draw(&Circle::new(at, r, BLACK.stroke_width(lay.pt(0.7).max(1.0) as u32))).map_err(derr)?;
    Ok(())
}

/// Footprint labels (name above, population in thousands below) with a white halo.
fn draw_labels<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, lay: &Layout, labels: &[Label]) -> Result<()>
where
    DB::ErrorType: 'static,
{
    use plotters::style::text_anchor::{HPos, Pos, VPos};
    for Label { at: (x, y), name, pop } in labels {
        let l1 = lay.font(6.5).color(&BLACK).pos(Pos::new(HPos::Center, VPos::Bottom));
        let l2 = lay.font(6.0).color(&RGBColor(40, 40, 40)).pos(Pos::new(HPos::Center, VPos::Top));
        let halo = |st: &TextStyle, t: &str, x: i32, y: i32| -> Result<()> {
            let st_w = st.clone().color(&WHITE);
            for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                root.draw(&Text::new(t.to_string(), (x + dx, y + dy), st_w.clone())).map_err(derr)?;
            }
            root.draw(&Text::new(t.to_string(), (x, y), st.clone())).map_err(derr)?;
            Ok(())
        };
        halo(&l1, name, *x, *y)?;
        halo(&l2, &format!("{}k", (*pop as f64 / 1000.0).round()), *x, *y + 1)?;
    }
    Ok(())
}

/// Legend: theme title and swatches, then line symbols for footprints and the boundary layer, then
/// the practice symbol.
fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    p: &Prepared,
    spec: &MapSpec,
    lay: &Layout,
    legend: &Legend,
) -> Result<()>
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
    let line = |ly: i32, lines: &[String], style: ShapeStyle, dash: bool| -> Result<i32> {
        let pts = vec![(lx, ly + sw / 2), (lx + sw * 2, ly + sw / 2)];
        if dash {
            dashed(root, &pts, style, pt(4.0));
        } else {
            root.draw(&PathElement::new(pts, style)).map_err(derr)?;
        }
        for (k, l) in lines.iter().enumerate() {
            let at = (lx + sw * 2 + pt(6.0) as i32, ly + pt(1.5) as i32 + k as i32 * pt(10.0) as i32);
            root.draw(&Text::new(l.clone(), at, lay.font(8.0).color(&BLACK))).map_err(derr)?;
        }
        Ok(ly + sw + pt(5.0) as i32 + (lines.len().max(1) as i32 - 1) * pt(10.0) as i32)
    };
    if let Some(fp) = spec.footprints {
        let snp = RGBColor(20, 20, 20).stroke_width(pt(1.3).max(1.0) as u32);
        ly = line(ly, &["SNP footprint (label: name, people)".into()], snp, false)?;
        if fp.mnp.is_some() {
            ly = line(ly, &["MNP footprint".into()], BLACK.stroke_width(pt(2.6) as u32), false)?;
        }
    }
    if spec.boundary != Layer::None {
        let label = match spec.boundary {
            Layer::Lad => "District (LAD) boundary".to_string(),
            ref l => format!("{} boundary", l.label(p)),
        };
        let lines = wrap(&label, ((lay.legend_w - pt(36.0)) / pt(4.4)) as usize);
        ly = line(ly, &lines, RGBColor(40, 40, 40).stroke_width(pt(1.2).max(1.0) as u32), true)?;
    }
    if spec.practices && !p.study.practices.is_empty() {
        practice_symbol(root, lay, (lx + sw, ly + sw / 2))?;
        let at = (lx + sw * 2 + pt(6.0) as i32, ly + pt(1.5) as i32);
        root.draw(&Text::new("GP practice".to_string(), at, lay.font(8.0).color(&BLACK))).map_err(derr)?;
    }
    Ok(())
}

/// Scale bar (bottom left of the map) and north arrow (top right of the map).
fn draw_scale_and_north<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, lay: &Layout) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let (f, pt) = (&lay.f, |x: f64| lay.pt(x));
    let km = nice_km(lay.dw / f.scale / 1000.0 * 0.25);
    let bar = km * 1000.0 * f.scale;
    let (bx, by) = (f.ox as i32, (f.oy + lay.dh + pt(14.0)) as i32);
    let bh = pt(4.0).max(3.0) as i32;
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
    let (nx, ny) = ((f.ox + lay.dw - pt(14.0)) as i32, (f.oy + pt(6.0)) as i32);
    let ah = pt(22.0) as i32;
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
pub fn render(p: &Prepared, spec: &MapSpec, out: &Path) -> Result<()> {
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
            {
                let root = SVGBackend::with_string(&mut svg, (w as u32, h as u32)).into_drawing_area();
                draw(root, p, spec, w, h)?;
            }
            crate::io::write::atomic_write(out, svg.as_bytes())
        }
        "png" => {
            let tmp = dir.join(format!(
                ".{}.{}.tmp.png",
                out.file_name().unwrap_or_default().to_string_lossy(),
                std::process::id()
            ));
            let res = draw(BitMapBackend::new(&tmp, (w as u32, h as u32)).into_drawing_area(), p, spec, w, h);
            match res {
                Ok(()) => std::fs::rename(&tmp, out).map_err(|e| {
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

/// SVG of a map as a string (for the HTML report).
pub fn svg_string(p: &Prepared, spec: &MapSpec) -> Result<String> {
    register_fonts();
    let px = |mm: f64| (mm / 25.4 * spec.dpi).round();
    let (w, h) = (px(spec.page_mm.0), px(spec.page_mm.1));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (w as u32, h as u32)).into_drawing_area();
        draw(root, p, spec, w, h)?;
    }
    Ok(svg)
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
