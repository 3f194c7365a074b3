//! Colours: the theme palettes and each LSOA's fill. Every palette is readable by colour-blind
//! readers: the diverging scales are ColorBrewer RdBu (colour-blind safe), the ordered scales are
//! Paul Tol's sequential YlOrBr (lightness rises with the class, so the order survives any colour
//! vision deficiency and greyscale printing), and categories use Okabe–Ito. The tests check this
//! with a colour-vision-deficiency simulation (Machado, Oliveira & Fernandes 2009, severity 1).

use crate::error::{Error, Result};
use crate::export::map::{MapSpec, Theme};
use crate::prepare::Prepared;
use crate::score::FootprintSet;
use plotters::style::RGBColor;
use std::collections::BTreeMap;

/// Okabe–Ito categorical palette (Okabe & Ito 2008, "Color Universal Design"), black left out:
/// orange, sky blue, bluish green, yellow, blue, vermillion, reddish purple.
pub const OKABE_ITO: [RGBColor; 7] = [
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(0, 158, 115),
    RGBColor(240, 228, 66),
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(204, 121, 167),
];

/// Main PCN's share, worst (under 50%) to best (95% or more): Paul Tol's YlOrBr, dark to light.
/// (It was ColorBrewer RdYlGn, whose red and green ends look alike to deuteranopes.)
pub(crate) const PCN_SHARE: [RGBColor; 5] = [
    RGBColor(0x66, 0x25, 0x06),
    RGBColor(0x99, 0x34, 0x04),
    RGBColor(0xEC, 0x70, 0x14),
    RGBColor(0xFE, 0xC4, 0x4F),
    RGBColor(0xFF, 0xFF, 0xE5),
];

/// Distance to the nearest practice, near to far: Paul Tol's YlOrBr, light to dark.
pub(crate) const ACCESS: [RGBColor; 4] =
    [RGBColor(0xFF, 0xF7, 0xBC), RGBColor(0xFE, 0xC4, 0x4F), RGBColor(0xEC, 0x70, 0x14), RGBColor(0x99, 0x34, 0x04)];

/// Population against target, far below to far above: ColorBrewer RdBu (blue below, red above).
pub(crate) const DEVIATION: [RGBColor; 7] = [
    RGBColor(33, 102, 172),
    RGBColor(103, 169, 207),
    RGBColor(209, 229, 240),
    RGBColor(247, 247, 247),
    RGBColor(253, 219, 199),
    RGBColor(239, 138, 98),
    RGBColor(178, 24, 43),
];

/// LSOAs that change footprint: Okabe–Ito vermillion (on light grey).
pub(crate) const CHANGED: RGBColor = OKABE_ITO[5];

/// National IMD decile, 1 (most deprived, dark red) to 10 (dark blue): ColorBrewer RdBu.
pub(crate) const DECILE: [RGBColor; 10] = [
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

/// A theme's legend: its title and one swatch per class.
pub(crate) struct Legend {
    pub(crate) title: String,
    pub(crate) items: Vec<(RGBColor, String)>,
}

/// Fill colour per LSOA and the legend for a theme.
pub(crate) fn theme_fills(p: &Prepared, spec: &MapSpec) -> Result<(Vec<RGBColor>, Legend)> {
    match spec.theme {
        Theme::Imd => imd_fills(p),
        Theme::Deviation => deviation_fills(p, spec),
        Theme::Pcn => pcn_fills(p, spec),
        Theme::Access => access_fills(p),
        Theme::Change => change_fills(p, spec),
        Theme::Footprints => footprint_fills(p, spec),
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
    let cols = DEVIATION;
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
    let cols = PCN_SHARE;
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
    let cols = ACCESS;
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
    let fills =
        s.areas.iter().map(|x| if moved.contains(&x.code) { CHANGED } else { RGBColor(230, 230, 230) }).collect();
    Ok((
        fills,
        Legend {
            title: format!("{} → {}", a.label, b.label),
            items: vec![(CHANGED, "changes footprint".into()), (RGBColor(230, 230, 230), "stays".into())],
        },
    ))
}

/// Each SNP in one of the Okabe–Ito colours, chosen greedily in name order so that footprints
/// sharing a boundary differ (the fewest-used colour among its neighbours if all seven are taken).
fn footprint_fills(p: &Prepared, spec: &MapSpec) -> Result<(Vec<RGBColor>, Legend)> {
    let fp = spec.footprints.ok_or_else(|| Error::scenario("the footprints theme needs --footprints"))?;
    let colour = footprint_colours(p, fp);
    let fills = fp.footprint.iter().map(|n| OKABE_ITO[colour[n.as_str()]]).collect();
    Ok((fills, Legend { title: "SNP footprints (colours tell neighbours apart)".into(), items: Vec::new() }))
}

/// Okabe–Ito index per footprint name; neighbours (sharing an LSOA edge) differ where 7 suffice.
pub(crate) fn footprint_colours<'a>(p: &Prepared, fp: &'a FootprintSet) -> BTreeMap<&'a str, usize> {
    let mut next: BTreeMap<&str, std::collections::BTreeSet<&str>> = BTreeMap::new();
    for n in &fp.footprint {
        next.entry(n.as_str()).or_default();
    }
    for e in &p.graph.edges {
        let (a, b) = (fp.footprint[e.a].as_str(), fp.footprint[e.b].as_str());
        if a != b {
            next.entry(a).or_default().insert(b);
            next.entry(b).or_default().insert(a);
        }
    }
    let mut colour: BTreeMap<&str, usize> = BTreeMap::new();
    for (name, around) in &next {
        let mut used = [0usize; OKABE_ITO.len()];
        for n in around {
            if let Some(&c) = colour.get(n) {
                used[c] += 1;
            }
        }
        let c = (0..used.len()).min_by_key(|&c| (used[c], c)).unwrap_or(0);
        colour.insert(name, c);
    }
    colour
}

/// A colour vision deficiency, for [`simulate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cvd {
    /// No red cones.
    Protanopia,
    /// No green cones.
    Deuteranopia,
    /// No blue cones.
    Tritanopia,
}

/// How `c` looks to a dichromat: Machado, Oliveira & Fernandes (2009), "A physiologically-based
/// model for simulation of color vision deficiency", severity 1.0, applied in linear sRGB.
pub fn simulate(c: RGBColor, cvd: Cvd) -> RGBColor {
    let m: [[f64; 3]; 3] = match cvd {
        Cvd::Protanopia => {
            [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]]
        }
        Cvd::Deuteranopia => {
            [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.011820, 0.042940, 0.968881]]
        }
        Cvd::Tritanopia => {
            [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.303900]]
        }
    };
    let lin = [c.0, c.1, c.2].map(|v| to_linear(v as f64 / 255.0));
    let out = m.map(|r| from_linear((r[0] * lin[0] + r[1] * lin[1] + r[2] * lin[2]).clamp(0.0, 1.0)));
    let b = |v: f64| (v * 255.0).round() as u8;
    RGBColor(b(out[0]), b(out[1]), b(out[2]))
}

fn to_linear(v: f64) -> f64 {
    if v <= 0.04045 {
        v / 12.92
    } else {
        ((v + 0.055) / 1.055).powf(2.4)
    }
}

fn from_linear(v: f64) -> f64 {
    if v <= 0.0031308 {
        v * 12.92
    } else {
        1.055 * v.powf(1.0 / 2.4) - 0.055
    }
}

/// CIELAB (D65) of an sRGB colour.
pub fn lab(c: RGBColor) -> [f64; 3] {
    let [r, g, b] = [c.0, c.1, c.2].map(|v| to_linear(v as f64 / 255.0));
    let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
    let y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
    let f = |t: f64| if t > 0.008856 { t.cbrt() } else { 7.787 * t + 16.0 / 116.0 };
    [116.0 * f(y) - 16.0, 500.0 * (f(x) - f(y)), 200.0 * (f(y) - f(z))]
}

/// Colour difference ΔE*ab (CIE 1976).
pub fn delta_e(a: RGBColor, b: RGBColor) -> f64 {
    let (p, q) = (lab(a), lab(b));
    ((p[0] - q[0]).powi(2) + (p[1] - q[1]).powi(2) + (p[2] - q[2]).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Option<Cvd>; 4] = [None, Some(Cvd::Protanopia), Some(Cvd::Deuteranopia), Some(Cvd::Tritanopia)];

    fn seen(c: RGBColor, cvd: Option<Cvd>) -> RGBColor {
        cvd.map_or(c, |k| simulate(c, k))
    }

    /// An ordered scale reads in order: lightness rises (or falls) class by class by at least
    /// `step` for normal vision and every simulated deficiency.
    fn ordered(cols: &[RGBColor], step: f64) -> std::result::Result<(), String> {
        for cvd in ALL {
            let l: Vec<f64> = cols.iter().map(|c| lab(seen(*c, cvd))[0]).collect();
            let up = l.windows(2).all(|w| w[1] - w[0] >= step);
            let down = l.windows(2).all(|w| w[0] - w[1] >= step);
            if !up && !down {
                return Err(format!("{cvd:?}: lightness {l:.0?} is not monotonic in steps of {step}"));
            }
        }
        Ok(())
    }

    /// Every two classes of a palette stay apart (ΔE ≥ `min`) for every simulated deficiency.
    fn distinct(cols: &[RGBColor], min: f64) -> std::result::Result<(), String> {
        for cvd in ALL {
            for (i, a) in cols.iter().enumerate() {
                for b in &cols[i + 1..] {
                    let d = delta_e(seen(*a, cvd), seen(*b, cvd));
                    if d < min {
                        return Err(format!("{cvd:?}: {a:?} and {b:?} are ΔE {d:.1} apart"));
                    }
                }
            }
        }
        Ok(())
    }

    /// The footprints theme: no two footprints sharing a boundary get the same colour (demo).
    #[test]
    fn neighbouring_footprints_get_different_colours() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let p = Prepared::load(&root.join("data/demo/scenario.toml")).unwrap();
        // Footprints of about 4 LSOAs each by code order: many neighbours, some with many.
        let fp = FootprintSet {
            label: "t".into(),
            footprint: (0..p.study.areas.len()).map(|i| format!("F{:03}", i / 4)).collect(),
            mnp: None,
        };
        let colour = footprint_colours(&p, &fp);
        let mut pairs = 0;
        for e in &p.graph.edges {
            let (a, b) = (fp.footprint[e.a].as_str(), fp.footprint[e.b].as_str());
            if a != b {
                pairs += 1;
                assert_ne!(colour[a], colour[b], "{a} and {b} share a boundary and a colour");
            }
        }
        assert!(pairs > 100);
    }

    #[test]
    fn simulation_matches_known_confusions() {
        // The old scale's red and green ends, ΔE 114 apart, come within ΔE 30 for protanopes and
        // deuteranopes but not for tritanopes…
        let (r, g) = (RGBColor(215, 48, 39), RGBColor(26, 152, 80));
        assert!(delta_e(r, g) > 100.0);
        assert!(delta_e(simulate(r, Cvd::Deuteranopia), simulate(g, Cvd::Deuteranopia)) < 30.0);
        assert!(delta_e(simulate(r, Cvd::Protanopia), simulate(g, Cvd::Protanopia)) < 30.0);
        assert!(delta_e(simulate(r, Cvd::Tritanopia), simulate(g, Cvd::Tritanopia)) > 100.0);
        // …and grey stays grey.
        let grey = RGBColor(128, 128, 128);
        assert!(delta_e(simulate(grey, Cvd::Protanopia), grey) < 1.0);
    }

    #[test]
    fn ordered_scales_stay_ordered_for_colour_blind_readers() {
        ordered(&PCN_SHARE, 8.0).unwrap();
        ordered(&ACCESS, 8.0).unwrap();
        // The old red–yellow–green PCN scale fails: its ends are both dark.
        let old = [(215, 48, 39), (252, 141, 89), (254, 224, 139), (145, 207, 96), (26, 152, 80)];
        assert!(ordered(&old.map(|(r, g, b)| RGBColor(r, g, b)), 8.0).is_err());
    }

    #[test]
    fn classes_stay_distinct_for_colour_blind_readers() {
        distinct(&PCN_SHARE, 10.0).unwrap();
        distinct(&ACCESS, 10.0).unwrap();
        distinct(&DEVIATION, 5.0).unwrap();
        distinct(&DECILE, 5.0).unwrap();
        distinct(&OKABE_ITO, 10.0).unwrap();
        distinct(&[CHANGED, RGBColor(230, 230, 230)], 30.0).unwrap();
    }
}
