//! Map label placement, separate from drawing: candidate labels go in ranked (MNP names first,
//! then site names, then SNP names by population, then by name), each is tried at its anchor,
//! then moved within its footprint, then shrunk step by step, then set beside it with a leader
//! line; a label that still meets another label, a symbol, the map furniture or the page edge is
//! left out and reported. Greedy and deterministic: the same candidates give the same placement.
//!
//! All coordinates are page pixels, y down.

use geo::{Contains, MultiPolygon, Point};

/// An axis-aligned box in page pixels (y down).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Rect {
    /// Left.
    pub x0: f64,
    /// Top.
    pub y0: f64,
    /// Right.
    pub x1: f64,
    /// Bottom.
    pub y1: f64,
}

impl Rect {
    /// A box of width `w` and height `h` centred on `c`.
    pub fn centred(c: (f64, f64), w: f64, h: f64) -> Rect {
        Rect { x0: c.0 - w / 2.0, y0: c.1 - h / 2.0, x1: c.0 + w / 2.0, y1: c.1 + h / 2.0 }
    }

    /// Whether the two boxes share any area (touching edges do not count).
    pub fn intersects(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    /// Whether `self` lies wholly inside `o`.
    pub fn inside(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 && self.y0 >= o.y0 && self.x1 <= o.x1 && self.y1 <= o.y1
    }

    /// The box grown by `d` on every side.
    pub fn pad(&self, d: f64) -> Rect {
        Rect { x0: self.x0 - d, y0: self.y0 - d, x1: self.x1 + d, y1: self.y1 + d }
    }

    /// Centre point.
    pub fn centre(&self) -> (f64, f64) {
        ((self.x0 + self.x1) / 2.0, (self.y0 + self.y1) / 2.0)
    }

    /// Area in square pixels.
    pub fn area(&self) -> f64 {
        (self.x1 - self.x0).max(0.0) * (self.y1 - self.y0).max(0.0)
    }

    /// The point of the box nearest to `p`.
    pub fn nearest(&self, p: (f64, f64)) -> (f64, f64) {
        (p.0.clamp(self.x0, self.x1), p.1.clamp(self.y0, self.y1))
    }

    /// Whether the segment `a`–`b` passes through the box's interior (Liang–Barsky clipping).
    pub fn hits_segment(&self, a: (f64, f64), b: (f64, f64)) -> bool {
        let (dx, dy) = (b.0 - a.0, b.1 - a.1);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        for (p, q) in [(-dx, a.0 - self.x0), (dx, self.x1 - a.0), (-dy, a.1 - self.y0), (dy, self.y1 - a.1)] {
            if p == 0.0 {
                if q <= 0.0 {
                    return false;
                }
            } else {
                let r = q / p;
                if p < 0.0 {
                    t0 = t0.max(r);
                } else {
                    t1 = t1.min(r);
                }
            }
        }
        t1 - t0 > 1e-9
    }
}

/// What a label names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// A medium neighbourhood (MNP): ranked before every site and SNP.
    Mnp,
    /// A site from `footprints site` (a point): ranked before every SNP.
    Site,
    /// A small neighbourhood (SNP).
    Snp,
}

/// One size a label can be set at, measured with the real font by the caller.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Size {
    /// Font size in pixels (of the first line).
    pub px: f64,
    /// Width and height of the label's ink box, halo included, in pixels.
    pub w: f64,
    /// Height.
    pub h: f64,
}

/// A label to place.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Footprint name (the first line of the label).
    pub name: String,
    /// MNP or SNP.
    pub kind: Kind,
    /// Population: larger footprints are placed first within a kind.
    pub pop: u64,
    /// Where the label wants to be (the footprint's pole of inaccessibility).
    pub anchor: (f64, f64),
    /// Sizes to try, largest first.
    pub sizes: Vec<Size>,
    /// The footprint on the page: a label set without a leader line has its centre inside it.
    pub region: Option<MultiPolygon>,
    /// The footprint's area on the page, in square pixels.
    pub region_px2: f64,
}

/// Where labels may go and what they must not cover.
#[derive(Debug, Clone)]
pub struct Rules {
    /// Labels lie wholly inside this box (the map's part of the page).
    pub bounds: Rect,
    /// Boxes no label may touch: practice symbols, legend, scale bar, north arrow, title.
    pub obstacles: Vec<Rect>,
    /// Clear space kept between a label and anything else, in pixels.
    pub gap: f64,
    /// Step between trial positions, in pixels.
    pub step: f64,
    /// How far a label may move from its anchor inside its footprint, in pixels.
    pub max_shift: f64,
    /// Longest leader line, in pixels (0: no leader lines).
    pub max_leader: f64,
    /// A label may cover at most this many times its footprint's area on the page; a footprint
    /// smaller than that is too small to name at this scale (England on one page).
    pub max_cover: f64,
}

/// A placed label.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    /// Footprint name.
    pub name: String,
    /// MNP or SNP.
    pub kind: Kind,
    /// The size chosen.
    pub size: Size,
    /// The label's box (ink and halo).
    pub rect: Rect,
    /// Leader line from the anchor to the box, if the label was set beside its footprint.
    pub leader: Option<((f64, f64), (f64, f64))>,
}

/// The result: placed labels in drawing order, and the names left out, in rank order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Placement {
    /// Placed labels.
    pub placed: Vec<Placed>,
    /// Footprints with no label (no room, or too small at this scale).
    pub left_out: Vec<(Kind, String)>,
}

/// Trial offsets around an anchor: the anchor itself, then rings `step` apart out to `max` in 16
/// directions, nearest first (horizontal moves before vertical at equal distance).
fn offsets(step: f64, min: f64, max: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::new();
    if min <= 0.0 {
        out.push((0.0, 0.0));
    }
    let mut r = if min <= 0.0 { step } else { min };
    while r <= max + 1e-9 && step > 0.0 {
        for k in [0, 8, 4, 12, 2, 6, 10, 14, 1, 7, 9, 15, 3, 5, 11, 13] {
            let a = k as f64 * std::f64::consts::PI / 8.0;
            out.push((r * a.cos(), -r * a.sin()));
        }
        r += step;
    }
    out
}

/// Place the candidates. See the module doc for the order of attempts.
pub fn place(cands: &[Candidate], rules: &Rules) -> Placement {
    let mut order: Vec<usize> = (0..cands.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (&cands[a], &cands[b]);
        (x.kind, std::cmp::Reverse(x.pop), &x.name).cmp(&(y.kind, std::cmp::Reverse(y.pop), &y.name))
    });
    let mut out = Placement::default();
    for i in order {
        let c = &cands[i];
        match place_one(c, rules, &out.placed) {
            Some(p) => out.placed.push(p),
            None => out.left_out.push((c.kind, c.name.clone())),
        }
    }
    out
}

/// Whether `r` is clear of the page edge, the obstacles, the labels placed so far and their leaders.
fn free(r: &Rect, rules: &Rules, placed: &[Placed]) -> bool {
    let g = r.pad(rules.gap);
    r.inside(&rules.bounds)
        && !rules.obstacles.iter().any(|o| o.intersects(&g))
        && !placed.iter().any(|p| p.rect.intersects(&g) || p.leader.is_some_and(|(a, b)| g.hits_segment(a, b)))
}

fn place_one(c: &Candidate, rules: &Rules, placed: &[Placed]) -> Option<Placed> {
    let fits = |s: &Size| s.w * s.h <= rules.max_cover * c.region_px2;
    let inside = |p: (f64, f64)| c.region.as_ref().is_none_or(|m| m.contains(&Point::new(p.0, p.1)));
    let near = offsets(rules.step, 0.0, rules.max_shift);
    for s in c.sizes.iter().filter(|s| fits(s)) {
        for d in &near {
            let at = (c.anchor.0 + d.0, c.anchor.1 + d.1);
            let r = Rect::centred(at, s.w, s.h);
            if inside(at) && free(&r, rules, placed) {
                return Some(Placed { name: c.name.clone(), kind: c.kind, size: *s, rect: r, leader: None });
            }
        }
    }
    let s = c.sizes.iter().rev().find(|s| fits(s))?;
    if rules.max_leader <= 0.0 {
        return None;
    }
    // Beside the footprint: the box's nearest point 1–`max_leader` px from the anchor.
    let (hw, hh) = (s.w / 2.0, s.h / 2.0);
    for d in offsets(rules.step, rules.step, rules.max_leader) {
        let len = d.0.hypot(d.1);
        // Push the box out along the direction until its nearest point is `len` away.
        let k = if d.0.abs() * hh > d.1.abs() * hw { hw / d.0.abs() } else { hh / d.1.abs() };
        let at = (c.anchor.0 + d.0 * (1.0 + k), c.anchor.1 + d.1 * (1.0 + k));
        let r = Rect::centred(at, s.w, s.h);
        let end = r.nearest(c.anchor);
        let blocked = |o: &Rect| o.hits_segment(c.anchor, end);
        // A leader may start under a symbol at the anchor, but crosses no other box.
        let around = |o: &Rect| o.x0 <= c.anchor.0 && c.anchor.0 <= o.x1 && o.y0 <= c.anchor.1 && c.anchor.1 <= o.y1;
        if len > 0.0
            && free(&r, rules, placed)
            && !rules.obstacles.iter().any(|o| blocked(o) && !around(o))
            && !placed.iter().any(|p| blocked(&p.rect.pad(rules.gap)))
        {
            let leader = Some((c.anchor, end));
            return Some(Placed { name: c.name.clone(), kind: c.kind, size: *s, rect: r, leader });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(name: &str, kind: Kind, pop: u64, at: (f64, f64)) -> Candidate {
        Candidate {
            name: name.into(),
            kind,
            pop,
            anchor: at,
            sizes: vec![Size { px: 10.0, w: 40.0, h: 12.0 }, Size { px: 8.0, w: 32.0, h: 10.0 }],
            region: None,
            region_px2: 1e9,
        }
    }

    fn rules() -> Rules {
        Rules {
            bounds: Rect { x0: 0.0, y0: 0.0, x1: 200.0, y1: 200.0 },
            obstacles: vec![],
            gap: 1.0,
            step: 4.0,
            max_shift: 8.0,
            max_leader: 30.0,
            max_cover: 4.0,
        }
    }

    fn no_overlaps(p: &Placement, rules: &Rules) {
        for (i, a) in p.placed.iter().enumerate() {
            assert!(a.rect.inside(&rules.bounds), "{} leaves the page", a.name);
            for b in &p.placed[i + 1..] {
                assert!(!a.rect.intersects(&b.rect), "{} meets {}", a.name, b.name);
            }
            for o in &rules.obstacles {
                assert!(!a.rect.intersects(o), "{} covers an obstacle", a.name);
            }
        }
    }

    #[test]
    fn a_crowd_spreads_out_shrinks_or_is_left_out_in_rank_order() {
        let r = rules();
        // 30 SNPs on a 6 × 5 grid 9 px apart, with labels 40 × 12: far too crowded for all.
        let at = |k: u64| (78.0 + (k % 6) as f64 * 9.0, 112.0 + (k / 6) as f64 * 9.0);
        let mut all: Vec<Candidate> = (0..30).map(|k| cand(&format!("S{k:02}"), Kind::Snp, 1000 + k, at(k))).collect();
        all.push(cand("M", Kind::Mnp, 10, (100.0, 60.0)));
        let p = place(&all, &r);
        no_overlaps(&p, &r);
        assert_eq!(p.placed[0].name, "M", "the MNP goes first, at its anchor");
        assert_eq!(p.placed[0].rect.centre(), (100.0, 60.0));
        assert_eq!(p.placed.len() + p.left_out.len(), 31);
        assert!(!p.left_out.is_empty() && p.placed.len() > 3);
        // The most populous SNPs are placed; those left out are the smallest.
        assert_eq!(p.placed[1].name, "S29");
        assert!(p.left_out.iter().all(|(_, n)| n.as_str() < "S29"));
        assert!(p.placed.iter().any(|x| x.leader.is_some()), "some are set beside with a leader");
        assert!(p.placed.iter().any(|x| x.size.px == 8.0), "some are shrunk");
        assert_eq!(place(&all, &r), p, "deterministic");
    }

    #[test]
    fn labels_avoid_obstacles_and_leaders() {
        let mut r = rules();
        r.obstacles = vec![Rect { x0: 95.0, y0: 95.0, x1: 105.0, y1: 105.0 }];
        let p = place(&[cand("A", Kind::Snp, 5, (100.0, 100.0)), cand("B", Kind::Snp, 4, (100.0, 100.0))], &r);
        no_overlaps(&p, &r);
        assert_eq!(p.placed.len(), 2);
        for x in &p.placed {
            if let Some((a, b)) = x.leader {
                for y in &p.placed {
                    assert!(!y.rect.hits_segment(a, b) || y.name == x.name);
                }
            }
        }
    }

    #[test]
    fn a_footprint_much_smaller_than_its_label_is_not_named() {
        let mut c = cand("tiny", Kind::Snp, 5, (50.0, 50.0));
        c.region_px2 = 30.0; // 4 × 30 < 32 × 10
        let p = place(&[c], &rules());
        assert!(p.placed.is_empty());
        assert_eq!(p.left_out, vec![(Kind::Snp, "tiny".to_string())]);
    }

    #[test]
    fn a_label_stays_inside_its_footprint_unless_it_has_a_leader() {
        let sq = geo::Polygon::new(
            geo::LineString::from(vec![(0.0, 0.0), (60.0, 0.0), (60.0, 60.0), (0.0, 60.0), (0.0, 0.0)]),
            vec![],
        );
        let mut c = cand("A", Kind::Snp, 5, (30.0, 30.0));
        c.region = Some(MultiPolygon::new(vec![sq]));
        let mut r = rules();
        // Block the middle of the footprint: the label must go beside with a leader.
        r.obstacles = vec![Rect { x0: 10.0, y0: 10.0, x1: 50.0, y1: 50.0 }];
        let p = place(&[c.clone()], &r);
        assert_eq!(p.placed.len(), 1);
        assert!(p.placed[0].leader.is_some());
        let centre = p.placed[0].rect.centre();
        assert!(!(0.0..=60.0).contains(&centre.0) || !(0.0..=60.0).contains(&centre.1), "set outside");
        r.max_leader = 0.0;
        assert!(place(&[c], &r).placed.is_empty());
    }

    #[test]
    fn segments_and_boxes() {
        let b = Rect { x0: 0.0, y0: 0.0, x1: 10.0, y1: 10.0 };
        assert!(b.hits_segment((-5.0, 5.0), (15.0, 5.0)));
        assert!(!b.hits_segment((-5.0, 15.0), (15.0, 15.0)));
        assert!(!b.hits_segment((-5.0, 5.0), (0.0, 5.0)), "ends on the edge");
        assert!(b.hits_segment((5.0, 5.0), (5.0, 5.5)), "inside");
    }
}
