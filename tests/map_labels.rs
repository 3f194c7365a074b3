//! Issue 11: map labels never collide. On the rendered map no two label boxes intersect, no label
//! covers a practice symbol, the legend, the scale bar, the north arrow or the title, every SNP and
//! MNP is either named or counted in the legend's note, and an England map names only what fits.

mod common;
use common::*;
use footprints::export::labels::{Kind, Rect};
use footprints::export::map::{read_sites, render, MapLayout, MapSpec, Theme};
use footprints::{FootprintSet, Layer, Prepared};
use std::collections::BTreeSet;
use std::path::Path;

/// Build option 1 of `scenario` into `dir`, render it on A4 at 150 dpi and return the set and what
/// the map placed.
fn render_option_1(scenario: &Path, dir: &Path, boundary: &str, practices: bool) -> (FootprintSet, MapLayout) {
    render_option_1_with_sites(scenario, dir, boundary, practices, None)
}

/// As `render_option_1`, with the sites of a `site` output folder drawn too.
fn render_option_1_with_sites(
    scenario: &Path,
    dir: &Path,
    boundary: &str,
    practices: bool,
    sites: Option<&Path>,
) -> (FootprintSet, MapLayout) {
    let s = scenario.to_str().unwrap();
    if !dir.join("b/option-1").is_dir() {
        let o = run_in(dir, &["build", "-s", s, "-o", "b", "--options", "1"]);
        assert!(o.status.success(), "{}", text(&o).1);
    }
    let p = Prepared::load(scenario).unwrap();
    let fp = FootprintSet::read(&p, &dir.join("b/option-1"), None).unwrap();
    let sites = sites.map(|d| read_sites(&p, d).unwrap()).unwrap_or_default();
    let spec = MapSpec {
        title: "labels".into(),
        theme: Theme::Imd,
        page_mm: (297.0, 210.0),
        dpi: 150.0,
        footprints: Some(&fp),
        other: None,
        boundary: Layer::parse(boundary, &p).unwrap(),
        practices,
        target: p.scenario.build.snp_target,
        pcn_outlines: false,
        sites: &sites,
    };
    let lay = render(&p, &spec, &dir.join("map.png")).unwrap();
    (fp, lay)
}

/// Everything a reader relies on about the labels of one map.
fn check_labels(fp: &FootprintSet, lay: &MapLayout) {
    let placed = &lay.placement.placed;
    for (i, a) in placed.iter().enumerate() {
        assert!(a.rect.inside(&lay.bounds), "{} runs off the map", a.name);
        for b in &placed[i + 1..] {
            assert!(!a.rect.intersects(&b.rect), "labels {} and {} overlap: {:?} {:?}", a.name, b.name, a.rect, b.rect);
        }
        for s in &lay.symbols {
            assert!(!a.rect.intersects(s), "label {} covers a practice symbol at {:?}", a.name, s.centre());
        }
        for (_, s) in &lay.sites {
            assert!(!a.rect.intersects(s), "label {} covers a site symbol at {:?}", a.name, s.centre());
        }
        for (what, r) in &lay.furniture {
            assert!(!a.rect.intersects(r), "label {} covers the {what}", a.name);
        }
        if let Some((from, to)) = a.leader {
            for b in placed.iter().filter(|b| b.name != a.name) {
                assert!(!b.rect.hits_segment(from, to), "{}'s leader line crosses label {}", a.name, b.name);
            }
        }
    }
    let inset = lay.inset.clone().unwrap_or_default();
    check_inset(lay);
    let named = |k: Kind| -> Vec<String> {
        let all = placed.iter().chain(&inset.placement.placed);
        let mut v: Vec<String> = all.filter(|x| x.kind == k).map(|x| x.name.clone()).collect();
        let left_out = lay.placement.left_out.iter().chain(&inset.placement.left_out);
        v.extend(left_out.filter(|x| x.0 == k).map(|x| x.1.clone()));
        v.sort();
        v
    };
    let snps: BTreeSet<String> = fp.footprint.iter().cloned().collect();
    assert_eq!(named(Kind::Snp), snps.into_iter().collect::<Vec<_>>(), "each SNP named once or left out once");
    let mnps: BTreeSet<String> = fp.mnp.iter().flatten().cloned().collect();
    assert_eq!(named(Kind::Mnp), mnps.into_iter().collect::<Vec<_>>(), "each MNP named once or left out once");
    let n = lay.placement.left_out.iter().chain(&inset.placement.left_out).filter(|x| x.0 != Kind::Site).count();
    match &lay.note {
        None => assert!(n == 0 && lay.inset.is_none(), "footprints left out or an inset without a note"),
        Some(note) => {
            let count = footprints::fmt::fmt_int(n as u64);
            assert!(n == 0 || note.contains(&format!("Names of {count} small footprint")), "{note} for {n}");
            assert_eq!(lay.inset.is_some(), note.contains("in the inset"), "{note}");
        }
    }
}

/// The inset's labels keep to its box and clear of each other and of its symbols; main-map labels
/// keep clear of the inset and its locator frame (checked as furniture).
fn check_inset(lay: &MapLayout) {
    let Some(inset) = &lay.inset else { return };
    assert!(lay.furniture.iter().any(|f| f.0 == "inset" && f.1 == inset.rect));
    assert!(!inset.rect.intersects(&inset.locator), "the inset covers the ground it shows");
    for (what, r) in lay.furniture.iter().filter(|f| f.0 != "inset" && f.0 != "locator frame") {
        assert!(!inset.rect.intersects(r), "the inset covers the {what}");
    }
    let placed = &inset.placement.placed;
    for (i, a) in placed.iter().enumerate() {
        assert!(a.rect.inside(&inset.rect), "{} runs out of the inset", a.name);
        for b in &placed[i + 1..] {
            assert!(!a.rect.intersects(&b.rect), "inset labels {} and {} overlap", a.name, b.name);
        }
        for s in &inset.symbols {
            assert!(!a.rect.intersects(s), "inset label {} covers a symbol at {:?}", a.name, s.centre());
        }
    }
}

#[test]
fn demo_map_labels_do_not_collide() {
    let d = tempfile::tempdir().unwrap();
    let (fp, lay) = render_option_1(&root().join("data/demo/scenario.toml"), d.path(), "lad", true);
    assert!(!lay.symbols.is_empty(), "the demo has practices to avoid");
    assert!(lay.placement.placed.iter().any(|x| x.kind == Kind::Mnp), "MNPs are named");
    check_labels(&fp, &lay);
}

/// The case: on the Oxfordshire A4 map "Carfax & Jericho", "Headington" and "Cowley"
/// overprinted each other and practice dots were drawn over labels.
#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_a4_labels_do_not_collide() {
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario("oxfordshire.toml", d.path());
    let (fp, lay) = render_option_1(&s, d.path(), "2UA", true);
    assert!(lay.symbols.len() > 50, "Oxfordshire's practices are drawn: {}", lay.symbols.len());
    check_labels(&fp, &lay);
    eprintln!("Oxfordshire: {} labels placed, left out: {:?}", lay.placement.placed.len(), lay.placement.left_out);
    let snps: BTreeSet<&String> = fp.footprint.iter().collect();
    let inset = lay.inset.clone().unwrap_or_default();
    let all = lay.placement.placed.iter().chain(&inset.placement.placed);
    let placed = all.filter(|x| x.kind == Kind::Snp).count();
    assert!(placed * 10 >= snps.len() * 8, "most of the county's {} SNPs are named, not {placed}", snps.len());
}

/// An England map printed 1,151 labels into a black smear; now only the names that fit.
#[test]
#[ignore = "needs real data in ../shared/data"]
fn england_a4_names_only_what_fits() {
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario("england.toml", d.path());
    let (fp, lay) = render_option_1(&s, d.path(), "none", false);
    check_labels(&fp, &lay);
    let ink: f64 = lay.placement.placed.iter().map(|x| x.rect.area()).sum();
    let map = Rect::area(&lay.bounds);
    assert!(ink < map * 0.35, "labels cover {:.0}% of the map", ink / map * 100.0);
    assert!(lay.placement.left_out.len() > 500, "most of 1,100+ SNPs cannot be named on one A4 page");
}

/// The same inputs give the same map, byte for byte (placement is greedy in a fixed order).
#[test]
fn demo_map_is_byte_identical_between_runs() {
    let d = tempfile::tempdir().unwrap();
    let s = root().join("data/demo/scenario.toml");
    let s = s.to_str().unwrap();
    let o = run_in(d.path(), &["build", "-s", s, "-o", "b", "--options", "1"]);
    assert!(o.status.success(), "{}", text(&o).1);
    for out in ["a.png", "b.png"] {
        let o = run_in(d.path(), &["map", "-s", s, "-f", "b/option-1", "-o", out]);
        assert!(o.status.success(), "{}", text(&o).1);
        assert!(text(&o).1.contains("labels: "), "map reports its labels");
    }
    assert!(std::fs::read(d.path().join("a.png")).unwrap() == std::fs::read(d.path().join("b.png")).unwrap());
}

/// Issue 11: sites from a real `site` run on the Oxfordshire A4 map, existing practices and new
/// sites each with their own symbol, and their names placed like every other label: no label box
/// meets a site or practice symbol or another label.
#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_a4_sites_and_their_labels() {
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario("oxfordshire.toml", d.path());
    let sc = s.to_str().unwrap();
    let o = run_in(d.path(), &["build", "-s", sc, "-o", "b", "--options", "1"]);
    assert!(o.status.success(), "{}", text(&o).1);
    // A first run picks one practice per footprint; offering a new site beside each of them, the
    // second run keeps some practices and opens some new sites.
    let o = run_in(d.path(), &["site", "-s", sc, "-f", "b/option-1", "-o", "s1"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let first = std::fs::read_to_string(d.path().join("s1/sites.csv")).unwrap();
    let mut cands = String::from("code,name,easting,northing\n");
    for (k, row) in first.lines().skip(1).enumerate() {
        let f: Vec<&str> = row.split(',').collect();
        let (e, n): (f64, f64) = (f[7].parse().unwrap(), f[8].parse().unwrap());
        cands.push_str(&format!("{},{},{e},{n}\n", f[0], f[1]));
        cands.push_str(&format!("N{:02},New centre {},{},{}\n", k + 1, k + 1, e + 1500.0, n - 1200.0));
    }
    std::fs::write(d.path().join("cands.csv"), cands).unwrap();
    let o = run_in(d.path(), &["site", "-s", sc, "-f", "b/option-1", "--candidates", "cands.csv", "-o", "s2"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let (fp, lay) = render_option_1_with_sites(&s, d.path(), "2UA", true, Some(&d.path().join("s2")));
    check_labels(&fp, &lay);
    let (existing, new) = (lay.sites.iter().filter(|x| x.0).count(), lay.sites.iter().filter(|x| !x.0).count());
    assert!(existing > 0 && new > 0, "both kinds of site drawn: {existing} existing, {new} new");
    let inset = lay.inset.clone().unwrap_or_default();
    let site_labels =
        lay.placement.placed.iter().chain(&inset.placement.placed).filter(|x| x.kind == Kind::Site).count();
    let left_out = lay.placement.left_out.iter().chain(&inset.placement.left_out).filter(|x| x.0 == Kind::Site).count();
    eprintln!("sites: {existing} existing, {new} new; {site_labels} site labels placed, {left_out} left out");
    assert_eq!(site_labels + left_out, existing + new, "each site named once or left out once");
    assert!(site_labels * 10 >= (existing + new) * 8, "most sites are named: {site_labels}");
    // Each symbol's colour is on the page inside its box.
    let img = image::open(d.path().join("map.png")).unwrap().to_rgb8();
    for (is_existing, r) in &lay.sites {
        let want = if *is_existing { [0, 48, 135] } else { [213, 94, 0] };
        let n = (r.x0 as u32..r.x1 as u32)
            .flat_map(|x| (r.y0 as u32..r.y1 as u32).map(move |y| (x, y)))
            .filter(|&(x, y)| img.get_pixel(x, y).0 == want)
            .count();
        assert!(n >= 20, "site symbol at {:?}: {n} pixels of {want:?}", r.centre());
    }
}

/// Issue 11: Oxford's SNPs are too small at A4 to carry their labels, so the map draws them again
/// in an inset, enlarged, with a locator frame, and names them there.
#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_a4_has_an_inset_naming_oxford() {
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario("oxfordshire.toml", d.path());
    let (fp, lay) = render_option_1(&s, d.path(), "2UA", true);
    check_labels(&fp, &lay);
    let inset = lay.inset.as_ref().expect("an inset is drawn");
    let names: Vec<&str> = inset.placement.placed.iter().map(|x| x.name.as_str()).collect();
    eprintln!(
        "Oxfordshire inset ×{:.1} at {:?}: {} labels {names:?}, {} left out; main map {} labels, {} left out",
        inset.zoom,
        inset.rect,
        names.len(),
        inset.placement.left_out.len(),
        lay.placement.placed.len(),
        lay.placement.left_out.len()
    );
    assert!(inset.zoom >= 1.8, "enlarged: ×{}", inset.zoom);
    let oxford: Vec<&&str> = names.iter().filter(|n| n.contains("Oxford")).collect();
    assert!(oxford.len() >= 2 && inset.placement.left_out.is_empty(), "Oxford's SNPs named in the inset: {names:?}");
    assert!(lay.placement.placed.iter().all(|x| !x.name.contains("Oxford") || x.kind != Kind::Snp), "not twice");
    // The inset is on the page: its frame's black runs along its top edge.
    let img = image::open(d.path().join("map.png")).unwrap().to_rgb8();
    let r = inset.rect;
    let y = r.y0.round() as u32;
    let black = (r.x0 as u32 + 2..r.x1 as u32 - 2).filter(|&x| img.get_pixel(x, y).0 == [0, 0, 0]).count();
    assert!(black as f64 > (r.x1 - r.x0) * 0.9, "the inset's frame is drawn: {black} black pixels");
}

/// Issue 11: legend, scale bar, north arrow and title are laid out per page size and orientation
/// and never clipped: on A5, A4 and A3, landscape and portrait, each lies inside the page and none
/// overlaps another, and the labels keep every rule above.
#[test]
fn furniture_fits_every_page_size_and_orientation() {
    let d = tempfile::tempdir().unwrap();
    let scenario = root().join("data/demo/scenario.toml");
    let o = run_in(d.path(), &["build", "-s", scenario.to_str().unwrap(), "-o", "b", "--options", "1"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let o = run_in(d.path(), &["site", "-s", scenario.to_str().unwrap(), "-f", "b/option-1", "-o", "sites"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let p = Prepared::load(&scenario).unwrap();
    let fp = FootprintSet::read(&p, &d.path().join("b/option-1"), None).unwrap();
    // The longest legend: deprivation classes, PCN outlines, practices, sites and a note.
    let sites = read_sites(&p, &d.path().join("sites")).unwrap();
    for (w, h) in [(210.0, 148.0), (297.0, 210.0), (420.0, 297.0)] {
        for page_mm in [(w, h), (h, w)] {
            let dpi = 100.0;
            let spec = MapSpec {
                title: "Demo county — option 1 footprints, deprivation".into(),
                theme: Theme::Imd,
                page_mm,
                dpi,
                footprints: Some(&fp),
                other: None,
                boundary: Layer::Lad,
                practices: true,
                target: p.scenario.build.snp_target,
                pcn_outlines: true,
                sites: &sites,
            };
            let lay = render(&p, &spec, &d.path().join("page.png")).unwrap();
            let px = |mm: f64| mm / 25.4 * dpi;
            // The image is whole pixels: the page is its rounded size.
            let page = Rect { x0: 0.0, y0: 0.0, x1: px(page_mm.0).round(), y1: px(page_mm.1).round() };
            let column = &lay.furniture.iter().find(|f| f.0 == "legend").unwrap().1;
            assert!(
                lay.legend_drawn.inside(column),
                "{page_mm:?}: the legend runs below its column: {:?} {column:?}",
                lay.legend_drawn
            );
            for (k, (what, r)) in lay.furniture.iter().enumerate() {
                assert!(r.inside(&page), "{page_mm:?}: the {what} runs off the page: {r:?}");
                for (other, s) in &lay.furniture[k + 1..] {
                    if !["inset", "locator frame"].contains(what) && !["inset", "locator frame"].contains(other) {
                        assert!(!r.intersects(s), "{page_mm:?}: the {what} overlaps the {other}");
                    }
                }
            }
            for want in ["legend", "scale bar", "north arrow", "title"] {
                assert!(lay.furniture.iter().any(|f| f.0 == want), "{page_mm:?}: no {want}: {:?}", lay.furniture);
            }
            check_labels(&fp, &lay);
        }
    }
}

/// Staffordshire's crowded footprints are Stoke-on-Trent's: on A4 they get an inset (the main map
/// left out 8 names without one), and Stoke's
/// SNPs are named there.
#[test]
#[ignore = "needs real data in ../shared/data"]
fn staffordshire_a4_has_an_inset_naming_stoke() {
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario("staffordshire.toml", d.path());
    let (fp, lay) = render_option_1(&s, d.path(), "lad", true);
    check_labels(&fp, &lay);
    let inset = lay.inset.as_ref().expect("an inset is drawn");
    let names: Vec<&str> = inset.placement.placed.iter().map(|x| x.name.as_str()).collect();
    assert!(inset.zoom >= 1.8, "enlarged: ×{}", inset.zoom);
    assert!(names.iter().filter(|n| n.contains("Stoke-on-Trent")).count() >= 3, "Stoke's SNPs in the inset: {names:?}");
    let left_out = lay.placement.left_out.len() + inset.placement.left_out.len();
    assert!(left_out <= 4, "{left_out} names left out with the inset (8 without)");
}
