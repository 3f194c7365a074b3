//! Maps: PNG and SVG are written with title, legend and attribution; bad requests fail cleanly
//! with no partial file.

mod common;
use common::*;

fn scen() -> String {
    root().join("data/demo/scenario.toml").display().to_string()
}

#[test]
fn png_and_svg_maps_with_text() {
    let d = tempfile::tempdir().unwrap();
    let s = scen();
    let o = run_in(d.path(), &["build", "-s", &s, "-o", "b", "--options", "2", "--steps", "5"]);
    assert!(o.status.success());
    for (theme, extra) in [
        ("imd", vec![]),
        ("deviation", vec![]),
        ("pcn", vec![]),
        ("access", vec![]),
        ("change", vec!["--compare-with", "b/option-2"]),
        ("footprints", vec![]),
    ] {
        for ext in ["png", "svg"] {
            let out = format!("{theme}.{ext}");
            let mut args = vec!["map", "-s", &s, "-f", "b/option-1", "--theme", theme, "-o", &out, "--dpi", "100"];
            args.extend(extra.iter());
            let o = run_in(d.path(), &args);
            assert!(o.status.success(), "{theme} {ext}: {}", text(&o).1);
            let bytes = std::fs::read(d.path().join(&out)).unwrap();
            assert!(bytes.len() > 20_000, "{out} is {} bytes", bytes.len());
            if ext == "svg" {
                let t = String::from_utf8(bytes).unwrap();
                assert!(t.contains("Demo county"), "title");
                assert!(t.contains("Synthetic demo data"), "attribution");
                assert!(t.contains(" km"), "scale bar");
            } else {
                assert_eq!(&bytes[1..4], b"PNG");
            }
        }
    }
}

fn fails(args: &[&str], needle: &str, out: &str) {
    let d = tempfile::tempdir().unwrap();
    let s = scen();
    let mut full = vec!["map", "-s", s.as_str()];
    full.extend_from_slice(args);
    let o = run_in(d.path(), &full);
    let (_, err) = text(&o);
    assert!(!o.status.success() && !err.contains("panicked"), "{err}");
    assert!(err.contains(needle), "{needle:?} not in {err}");
    assert!(!d.path().join(out).exists());
    assert_eq!(
        std::fs::read_dir(d.path()).unwrap().count(),
        if args.contains(&"fp.csv") { 1 } else { 0 },
        "no stray files"
    );
}

#[test]
fn unwritable_output_path() {
    fails(&["-o", "no/such/folder/map.png"], "does not exist", "no/such/folder/map.png");
}

#[test]
fn unknown_theme() {
    fails(&["-o", "m.png", "--theme", "rainbow"], "unknown map theme \"rainbow\"", "m.png");
}

#[test]
fn footprints_not_matching_the_scenario() {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("fp.csv"), "lsoa_code,footprint\nE01000001,A\n").unwrap();
    let s = scen();
    let o = run_in(d.path(), &["map", "-s", &s, "-f", "fp.csv", "-o", "m.png"]);
    let (_, err) = text(&o);
    assert!(!o.status.success() && err.contains("E01000001") && err.contains("not LSOAs of the study area"), "{err}");
    assert!(!d.path().join("m.png").exists());
}

/// Issue 9: the boundary layer is the build's `Layer`, so `robust` (all LGR options overlaid) and
/// extra layers draw too; the legend names the layer.
#[test]
fn boundary_layers_robust_and_lgr() {
    let d = tempfile::tempdir().unwrap();
    let s = scen();
    for b in ["robust", "lad", "none", "district"] {
        let out = format!("{b}.svg");
        let o = run_in(d.path(), &["map", "-s", &s, "--boundary", b, "-o", &out, "--dpi", "72"]);
        assert!(o.status.success(), "{b}: {}", text(&o).1);
        let svg = std::fs::read_to_string(d.path().join(&out)).unwrap();
        let want = match b {
            "robust" => "LGR-robust",
            "none" => "",
            _ => "District (LAD) boundary",
        };
        assert!(svg.contains(want), "{b}: legend lacks {want:?}");
    }
    fails(&["-o", "m.png", "--boundary", "nowhere"], "unknown boundary layer \"nowhere\"", "m.png");
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn boundary_sub_icb_and_robust_on_oxfordshire() {
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario("oxfordshire.toml", d.path());
    let s = s.to_str().unwrap();
    for b in ["sub-ICB", "robust", "2UA"] {
        let out = format!("{b}.png");
        let o = run_in(d.path(), &["map", "-s", s, "--boundary", b, "-o", &out, "--dpi", "72"]);
        assert!(o.status.success(), "{b}: {}", text(&o).1);
    }
}

/// Pixels of the PCN catchment line's purple (#aa3377) in a PNG.
fn pcn_purple(png: &std::path::Path) -> usize {
    let img = image::open(png).unwrap().to_rgb8();
    img.pixels().filter(|q| q.0 == [170, 51, 119]).count()
}

/// Issue 11: `--pcn-outlines` draws the PCN catchments (LSOAs dissolved by their PCN) in their own
/// line style, and the legend names it.
#[test]
fn pcn_outlines_are_drawn_and_in_the_legend() {
    let d = tempfile::tempdir().unwrap();
    let s = scen();
    let o = run_in(d.path(), &["build", "-s", &s, "-o", "b", "--options", "1", "--steps", "5"]);
    assert!(o.status.success(), "{}", text(&o).1);
    for (out, flag) in [("with.png", true), ("without.png", false), ("with.svg", true), ("without.svg", false)] {
        let mut args = vec!["map", "-s", &s, "-f", "b/option-1", "-o", out, "--dpi", "100"];
        if flag {
            args.push("--pcn-outlines");
        }
        let o = run_in(d.path(), &args);
        assert!(o.status.success(), "{out}: {}", text(&o).1);
    }
    let (with, without) = (pcn_purple(&d.path().join("with.png")), pcn_purple(&d.path().join("without.png")));
    assert!(with > 2_000 && without == 0, "purple pixels: {with} with the flag, {without} without");
    let svg = |f: &str| std::fs::read_to_string(d.path().join(f)).unwrap();
    assert!(svg("with.svg").contains("PCN catchment"), "the legend names the PCN outlines");
    assert!(!svg("without.svg").contains("PCN catchment"));
}

/// `--sites` input that cannot be read fails with a message naming the file or folder.
#[test]
fn bad_sites_input_names_the_file() {
    let d = tempfile::tempdir().unwrap();
    let s = scen();
    std::fs::create_dir(d.path().join("empty")).unwrap();
    std::fs::write(d.path().join("bad.geojson"), "{\"type\": \"Feature\"").unwrap();
    std::fs::write(d.path().join("far.csv"), "code,name,easting,northing\nX1,Nowhere,9000000,9000000\n").unwrap();
    for (arg, needle) in [
        ("missing.geojson", "give --sites the folder"),
        ("empty", "holds no sites.geojson or sites.csv"),
        ("bad.geojson", "not a GeoJSON FeatureCollection"),
        ("far.csv", "row 1 (line 2)"),
    ] {
        let o = run_in(d.path(), &["map", "-s", &s, "--sites", arg, "-o", "m.png"]);
        let (_, err) = text(&o);
        assert!(!o.status.success() && !err.contains("panicked"), "{arg}: {err}");
        assert!(err.contains(arg), "{arg}: the message names the file: {err}");
        assert!(err.contains(needle), "{arg}: {needle:?} not in {err}");
        assert!(!d.path().join("m.png").exists());
    }
}

/// Issue 11: the SVG named the generic `sans-serif`; now it carries DejaVu Sans as `@font-face`
/// rules and every text element uses them.
#[test]
fn svg_embeds_its_font() {
    let d = tempfile::tempdir().unwrap();
    let o = run_in(d.path(), &["map", "-s", &scen(), "-o", "m.svg", "--dpi", "72"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let svg = std::fs::read_to_string(d.path().join("m.svg")).unwrap();
    assert_eq!(svg.matches("@font-face{font-family:\"FootprintsDejaVuSans\"").count(), 2, "regular and bold");
    assert!(svg.contains("src:url(data:font/ttf;base64,AAEAAA"), "a TrueType font, inline");
    assert!(!svg.contains("font-family=\"sans-serif\""), "no bare generic family");
    let texts = svg.matches("<text ").count();
    assert!(texts > 10 && svg.matches("font-family=\"FootprintsDejaVuSans, ").count() == texts, "{texts} texts");
}
