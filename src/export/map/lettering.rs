//! Footprint labels on the map: candidates measured with the embedded font, placed by
//! [`crate::export::labels::place`], then drawn with a white halo (and a leader line when set
//! beside their footprint) on top of everything else in the map frame.

use super::{derr, Inset, Layout, Shape, Site};
use crate::error::{Error, Result};
use crate::export::labels::{self, Candidate, Kind, Placement, Rect, Rules, Size};
use crate::fmt::fmt_int;
use geo::{Area, Coord, MapCoords, Simplify};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::FontStyle;
use std::collections::BTreeMap;

/// Font sizes tried, in points, largest first.
pub(super) const SNP_PT: [f64; 4] = [6.5, 6.0, 5.5, 5.0];
const MNP_PT: [f64; 4] = [8.5, 8.0, 7.5, 7.0];

/// Ink of a text line drawn with its top at y, in font sizes: from `ABOVE` over y (accents) to
/// `BELOW` under it (descenders) — DejaVu Sans as plotters' ab_glyph backend sets it, with the
/// baseline half a size below y. The next line starts `PITCH` sizes lower.
const ABOVE: f64 = 0.33;
const BELOW: f64 = 0.75;
const PITCH: f64 = 1.0;

/// One line of a label.
struct Line {
    text: String,
    bold: bool,
    px: f64,
}

/// A footprint label's two lines: the name (bold for an MNP), then the population in thousands;
/// a site's label is its name alone.
fn lines(kind: Kind, name: &str, pop: u64, px: f64) -> Vec<Line> {
    if kind == Kind::Site {
        return vec![Line { text: name.to_string(), bold: false, px }];
    }
    let pop = format!("{}k", fmt_int((pop as f64 / 1000.0).round() as u64));
    let bold = kind == Kind::Mnp;
    let second = if bold { 0.85 } else { 0.92 };
    vec![Line { text: name.to_string(), bold, px }, Line { text: pop, bold: false, px: px * second }]
}

fn font(l: &Line) -> FontDesc<'static> {
    if l.bold {
        ("sans-serif", l.px, FontStyle::Bold).into_font()
    } else {
        ("sans-serif", l.px).into_font()
    }
}

/// Halo radius in pixels for a font size in pixels.
fn halo(px: f64) -> f64 {
    (px * 0.12).max(1.0).round()
}

/// The label's box: the widest line as the embedded font sets it, the lines stacked, the halo all
/// round and a pixel more for rounding the text position to whole pixels.
fn measure(ls: &[Line]) -> Result<(f64, f64)> {
    let mut w = 0f64;
    for l in ls {
        let (lw, _) = font(l).box_size(&l.text).map_err(|e| Error::scenario(format!("measuring text failed: {e}")))?;
        w = w.max(lw as f64);
    }
    let last = ls.len() - 1;
    let pitch: f64 = ls[..last].iter().map(|l| PITCH * l.px).sum();
    let h = ABOVE * ls[0].px + pitch + BELOW * ls[last].px;
    let pad = 2.0 * (halo(ls[0].px) + 1.0);
    Ok((w + pad, h + pad))
}

/// One candidate per footprint: anchored at the pole of inaccessibility of its largest part,
/// each trial size measured, its outline in page pixels.
fn candidates(lay: &Layout, shapes: &[Shape]) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for s in shapes {
        let Some(big) = s.geom.0.iter().max_by(|a, b| a.unsigned_area().total_cmp(&b.unsigned_area())) else {
            continue;
        };
        let at = match polylabel::polylabel(big, &(1.0 / lay.f.scale)) {
            Ok(q) => q.0,
            Err(_) => match big.exterior().0.first() {
                Some(c) => *c,
                None => continue,
            },
        };
        let pts = if s.kind == Kind::Mnp { &MNP_PT } else { &SNP_PT };
        let mut sizes = Vec::new();
        for pt in pts {
            let px = lay.pt(*pt);
            let (w, h) = measure(&lines(s.kind, &s.name, s.pop, px))?;
            sizes.push(Size { px, w, h });
        }
        let region = s.geom.simplify(lay.tol).map_coords(|c| {
            let (x, y) = lay.f.pxf(c);
            Coord { x, y }
        });
        out.push(Candidate {
            name: s.name.clone(),
            kind: s.kind,
            pop: s.pop,
            anchor: lay.f.pxf(at),
            sizes,
            region: Some(region),
            region_px2: s.geom.unsigned_area() * lay.f.scale * lay.f.scale,
        });
    }
    Ok(out)
}

/// One candidate per drawn site (`drawn`: index into `sites` and the symbol's box), anchored on
/// its symbol, which it must move off; SNP sizes; no footprint to stay in.
fn site_candidates(lay: &Layout, sites: &[Site], drawn: &[(usize, bool, Rect)]) -> Result<Vec<Candidate>> {
    let mut out = Vec::new();
    for (k, _, r) in drawn {
        let mut sizes = Vec::new();
        for pt in &SNP_PT {
            let px = lay.pt(*pt);
            let (w, h) = measure(&lines(Kind::Site, &sites[*k].name, 0, px))?;
            sizes.push(Size { px, w, h });
        }
        out.push(Candidate {
            name: sites[*k].name.clone(),
            kind: Kind::Site,
            pop: 0,
            anchor: r.centre(),
            sizes,
            region: None,
            region_px2: f64::INFINITY,
        });
    }
    Ok(out)
}

/// Place every footprint's and site's label clear of the symbols, the furniture and each other.
pub(super) fn place_labels(
    lay: &Layout,
    shapes: &[Shape],
    sites: (&[Site], &[(usize, bool, Rect)]),
    symbols: &[Rect],
    furniture: &[(&'static str, Rect)],
    bounds: Rect,
) -> Result<Placement> {
    let mut obstacles = symbols.to_vec();
    obstacles.extend(furniture.iter().map(|(_, r)| *r));
    let rules = Rules {
        bounds,
        obstacles,
        gap: lay.pt(0.8).max(1.0),
        step: lay.pt(3.0),
        max_shift: lay.pt(12.0),
        max_leader: lay.pt(24.0),
        max_cover: 4.0,
    };
    let mut cands = candidates(lay, shapes)?;
    cands.extend(site_candidates(lay, sites.0, sites.1)?);
    Ok(labels::place(&cands, &rules))
}

/// The legend's note on footprints and sites left unnamed (on the main map or in the inset), if
/// any, and on the inset's enlargement.
pub(super) fn note(p: &Placement, inset: Option<&Inset>) -> Option<String> {
    let left_out: Vec<&(Kind, String)> =
        p.left_out.iter().chain(inset.iter().flat_map(|i| &i.placement.left_out)).collect();
    let n = left_out.iter().filter(|x| x.0 != Kind::Site).count();
    let sites = left_out.len() - n;
    let s = |n: usize| if n == 1 { "" } else { "s" };
    let mut out = Vec::new();
    if n > 0 {
        out.push(format!(
            "Names of {} small footprint{} left out for lack of room: see the table.",
            fmt_int(n as u64),
            s(n)
        ));
    }
    if sites > 0 {
        out.push(format!(
            "Names of {} site{} left out for lack of room: see sites.csv.",
            fmt_int(sites as u64),
            s(sites)
        ));
    }
    if let Some(i) = inset {
        out.push(format!("The framed area is shown enlarged ×{:.1} in the inset.", i.zoom));
    }
    (!out.is_empty()).then(|| out.join(" "))
}

/// Text in black over a white halo: white copies in eight directions `r` pixels out.
fn text_with_halo<DB: DrawingBackend>(root: &DrawingArea<DB, Shift>, l: &Line, (x, y): (i32, i32), r: i32) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let pos = Pos::new(HPos::Center, VPos::Top);
    let white = font(l).color(&WHITE).pos(pos);
    for (dx, dy) in [(-1, 0), (1, 0), (0, -1), (0, 1), (-1, -1), (1, -1), (-1, 1), (1, 1)] {
        root.draw(&Text::new(l.text.clone(), (x + dx * r, y + dy * r), white.clone())).map_err(derr)?;
    }
    root.draw(&Text::new(l.text.clone(), (x, y), font(l).color(&BLACK).pos(pos))).map_err(derr)?;
    Ok(())
}

/// Draw the placed labels and their leader lines.
pub(super) fn draw_labels<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    shapes: &[Shape],
    placement: &Placement,
) -> Result<()>
where
    DB::ErrorType: 'static,
{
    let pops: BTreeMap<(Kind, &str), u64> = shapes.iter().map(|s| ((s.kind, s.name.as_str()), s.pop)).collect();
    let ink = RGBColor(30, 30, 30);
    for pl in &placement.placed {
        if let Some((a, b)) = pl.leader {
            let seg = vec![(a.0.round() as i32, a.1.round() as i32), (b.0.round() as i32, b.1.round() as i32)];
            root.draw(&PathElement::new(seg.clone(), WHITE.stroke_width(3))).map_err(derr)?;
            root.draw(&PathElement::new(seg.clone(), ink.stroke_width(1))).map_err(derr)?;
            root.draw(&Circle::new(seg[0], 2, ink.filled())).map_err(derr)?;
        }
        let pop = pops.get(&(pl.kind, pl.name.as_str())).copied().unwrap_or(0);
        let ls = lines(pl.kind, &pl.name, pop, pl.size.px);
        let r = halo(ls[0].px);
        let cx = pl.rect.centre().0.round() as i32;
        let mut y = pl.rect.y0 + r + 1.0 + ABOVE * ls[0].px;
        for l in &ls {
            text_with_halo(root, l, (cx, y.round() as i32), r as i32)?;
            y += PITCH * l.px;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::labels::Placed;
    use geo::MultiPolygon;

    /// The box the placement works with holds all the ink and halo the label draws: accents,
    /// descenders, bold MNP names, every trial size, at print and screen resolution.
    #[test]
    fn label_ink_stays_inside_its_box() {
        super::super::register_fonts();
        let bg = RGBColor(128, 128, 128);
        for (kind, name) in [(Kind::Snp, "Ŵÿg Jericho & Cowley"), (Kind::Mnp, "Aylesbury Vale, Quadjig")] {
            for pt in SNP_PT.iter().chain(MNP_PT.iter()) {
                for dpi in [72.0, 150.0, 300.0] {
                    let px = pt / 72.0 * dpi;
                    let (w, h) = measure(&lines(kind, name, 123_456, px)).unwrap();
                    let rect = Rect::centred((300.3, 100.6), w, h);
                    let shapes = [Shape { kind, name: name.into(), pop: 123_456, geom: MultiPolygon::new(vec![]) }];
                    let placed = Placed { name: name.into(), kind, size: Size { px, w, h }, rect, leader: None };
                    let placement = Placement { placed: vec![placed], left_out: vec![] };
                    let (iw, ih) = (600u32, 200u32);
                    let mut buf = vec![0u8; (iw * ih * 3) as usize];
                    {
                        let root = BitMapBackend::with_buffer(&mut buf, (iw, ih)).into_drawing_area();
                        root.fill(&bg).unwrap();
                        draw_labels(&root, &shapes, &placement).unwrap();
                        root.present().unwrap();
                    }
                    let mut ink = 0;
                    for y in 0..ih {
                        for x in 0..iw {
                            let k = ((y * iw + x) * 3) as usize;
                            if buf[k..k + 3] != [128, 128, 128] {
                                ink += 1;
                                let (fx, fy) = (x as f64 + 0.5, y as f64 + 0.5);
                                assert!(
                                    fx > rect.x0 && fx < rect.x1 && fy > rect.y0 && fy < rect.y1,
                                    "{name} at {pt} pt, {dpi} dpi: ink at ({x}, {y}) outside {rect:?}"
                                );
                            }
                        }
                    }
                    assert!(ink > 100, "the label was drawn");
                }
            }
        }
    }
}
