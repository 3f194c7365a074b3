//! Coordinates that cannot be England and Wales (issue 10 §2) and practices far from the study
//! area (§4): each case asserts the exit status and the words of the message.

mod common;
use common::*;
use footprints::io::crs::bng_to_wgs84;
use serde_json::{json, Value};
use std::fs;
use std::path::Path;

const BOUNDARIES: &str = "lsoa_boundaries_bng.geojson";
const CRS84: &str = "urn:ogc:def:crs:OGC:1.3:CRS84";

/// Run the binary in `dir`; no panic whatever happens.
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let o = run_in(dir, args);
    let (out, err) = text(&o);
    assert!(!err.contains("panicked"), "panic: {err}");
    (o.status.code().unwrap_or(-1), out, err)
}

fn check(dir: &Path) -> (i32, String, String) {
    run(dir, &["check", "--scenario", "scenario.toml"])
}

/// `check` fails with exit status 2 and every needle in the message.
fn fails_with(dir: &Path, needles: &[&str]) -> String {
    let (code, _, err) = check(dir);
    assert_eq!(code, 2, "expected exit 2; stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
    err
}

/// Rewrite every coordinate of the demo boundaries with `f` (BNG metres in) and set the `crs`
/// member to `crs` (`None` removes it).
fn rewrite_boundaries(dir: &Path, crs: Option<&str>, f: impl Fn(usize, f64, f64) -> [f64; 2]) {
    let p = dir.join(BOUNDARIES);
    let mut fc: Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
    for (i, feat) in fc["features"].as_array_mut().unwrap().iter_mut().enumerate() {
        for poly in feat["geometry"]["coordinates"].as_array_mut().unwrap() {
            for ring in poly.as_array_mut().unwrap() {
                for c in ring.as_array_mut().unwrap() {
                    let (x, y) = (c[0].as_f64().unwrap(), c[1].as_f64().unwrap());
                    *c = json!(f(i, x, y));
                }
            }
        }
    }
    match crs {
        Some(name) => fc["crs"] = json!({"type": "name", "properties": {"name": name}}),
        None => {
            fc.as_object_mut().unwrap().remove("crs");
        }
    }
    fs::write(&p, serde_json::to_string(&fc).unwrap()).unwrap();
}

fn lonlat(x: f64, y: f64) -> [f64; 2] {
    let ll = bng_to_wgs84(x, y).unwrap();
    [ll.x, ll.y]
}

fn latlon(x: f64, y: f64) -> [f64; 2] {
    let ll = bng_to_wgs84(x, y).unwrap();
    [ll.y, ll.x]
}

#[test]
fn wgs84_boundaries_in_lon_lat_order_are_read() {
    let d = demo_copy();
    rewrite_boundaries(d.path(), Some(CRS84), |_, x, y| lonlat(x, y));
    let (code, out, err) = check(d.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("432"), "{out}");
}

#[test]
fn swapped_lat_lon_boundaries_fail_check() {
    let d = demo_copy();
    rewrite_boundaries(d.path(), Some(CRS84), |_, x, y| latlon(x, y));
    fails_with(
        d.path(),
        &[
            BOUNDARIES,
            "feature 1 (E01900001)",
            "these look like latitude/longitude swapped",
            "432 of 432 features",
            "RFC 7946",
        ],
    );
}

#[test]
fn swapped_lat_lon_without_crs_member_fail_check() {
    let d = demo_copy();
    rewrite_boundaries(d.path(), None, |_, x, y| latlon(x, y));
    fails_with(d.path(), &[BOUNDARIES, "read as WGS84 lon/lat", "these look like latitude/longitude swapped"]);
}

#[test]
fn swapped_lat_lon_boundaries_fail_build_and_write_nothing() {
    let d = demo_copy();
    rewrite_boundaries(d.path(), Some(CRS84), |_, x, y| latlon(x, y));
    let (code, _, err) = run(d.path(), &["build", "--scenario", "scenario.toml", "--out", "out"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("these look like latitude/longitude swapped"), "{err}");
    assert!(!d.path().join("out").exists(), "a failed build must not leave an output folder");
    let leftovers: Vec<_> = fs::read_dir(d.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".out.tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn lon_lat_in_a_file_declared_bng_fails() {
    let d = demo_copy();
    rewrite_boundaries(d.path(), Some("urn:ogc:def:crs:EPSG::27700"), |_, x, y| lonlat(x, y));
    fails_with(
        d.path(),
        &[
            BOUNDARIES,
            "read as British National Grid",
            "these look like lon/lat in a file declared as British National Grid",
            "crs = \"EPSG:4326\"",
        ],
    );
}

#[test]
fn bng_metres_in_a_file_declared_wgs84_fail() {
    let d = demo_copy();
    rewrite_boundaries(d.path(), Some(CRS84), |_, x, y| [x, y]);
    fails_with(
        d.path(),
        &["these look like British National Grid metres in a file declared as WGS84", "crs = \"EPSG:27700\""],
    );
}

#[test]
fn scenario_crs_that_does_not_fit_the_coordinates_fails() {
    let d = demo_copy();
    let sc = fs::read_to_string(d.path().join("scenario.toml")).unwrap();
    let sc = sc.replacen(
        "path = \"lsoa_boundaries_bng.geojson\"",
        "path = \"lsoa_boundaries_bng.geojson\"\ncrs = \"EPSG:4326\"",
        1,
    );
    fs::write(d.path().join("scenario.toml"), sc).unwrap();
    fails_with(d.path(), &["these look like British National Grid metres in a file declared as WGS84"]);
}

#[test]
fn one_swapped_feature_is_named_with_the_count() {
    let d = demo_copy();
    rewrite_boundaries(d.path(), Some(CRS84), |i, x, y| if i == 6 { latlon(x, y) } else { lonlat(x, y) });
    fails_with(d.path(), &["feature 7 (E01900007)", "latitude/longitude swapped", "1 of 432 features"]);
}

#[test]
fn coordinates_outside_england_and_wales_fail() {
    let d = demo_copy();
    // Four degrees east: the North Sea and the Netherlands.
    rewrite_boundaries(d.path(), Some(CRS84), |_, x, y| {
        let [lon, lat] = lonlat(x, y);
        [lon + 4.0, lat]
    });
    fails_with(d.path(), &[BOUNDARIES, "outside England and Wales", "longitude −8° to 2°"]);
}

fn edit(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let p = dir.join(file);
    let t = fs::read_to_string(&p).unwrap();
    fs::write(&p, f(t)).unwrap();
}

/// Rewrite the demo practices' coordinate columns (easting, northing) with `f`.
fn rewrite_practices(dir: &Path, header: &str, f: impl Fn(f64, f64) -> [f64; 2]) {
    edit(dir, "practices.csv", |t| {
        let mut lines = t.lines();
        let head = lines.next().unwrap().replacen("easting,northing", header, 1);
        let mut out = vec![head];
        for l in lines {
            let mut v: Vec<String> = l.split(',').map(str::to_string).collect();
            let n = v.len();
            let [a, b] = f(v[n - 2].parse().unwrap(), v[n - 1].parse().unwrap());
            v[n - 2] = format!("{a}");
            v[n - 1] = format!("{b}");
            out.push(v.join(","));
        }
        out.join("\n") + "\n"
    });
}

#[test]
fn practices_with_lon_lat_in_easting_northing_columns_fail() {
    let d = demo_copy();
    rewrite_practices(d.path(), "easting,northing", lonlat);
    fails_with(
        d.path(),
        &[
            "practices.csv",
            "row 1 (line 2)",
            "practice D81001",
            "these look like lon/lat in a file declared as British National Grid",
        ],
    );
}

#[test]
fn practices_with_lat_lon_columns_swapped_fail() {
    let d = demo_copy();
    // The columns say lat, lon but hold lon, lat.
    rewrite_practices(d.path(), "lat,lon", lonlat);
    edit(d.path(), "scenario.toml", |t| {
        t.replacen("easting = \"easting\"\nnorthing = \"northing\"", "lat = \"lat\"\nlon = \"lon\"", 1)
    });
    fails_with(
        d.path(),
        &["practices.csv", "row 1 (line 2)", "these look like latitude/longitude swapped", "[practices]"],
    );
}

#[test]
fn practices_with_lat_lon_columns_are_read() {
    let d = demo_copy();
    rewrite_practices(d.path(), "lon,lat", lonlat);
    edit(d.path(), "scenario.toml", |t| {
        t.replacen("easting = \"easting\"\nnorthing = \"northing\"", "lat = \"lat\"\nlon = \"lon\"", 1)
    });
    let (code, _, err) = check(d.path());
    assert_eq!(code, 0, "{err}");
}

fn site(dir: &Path, candidates: &str) -> (i32, String, String) {
    run(dir, &["site", "--scenario", "scenario.toml", "--candidates", candidates, "--k", "2", "--out", "sites"])
}

#[test]
fn candidate_sites_with_lat_lon_swapped_fail() {
    let d = demo_copy();
    let [lat, lon] = latlon(440_000.0, 260_000.0);
    // lat and lon columns filled the wrong way round.
    fs::write(d.path().join("cands.csv"), format!("code,name,lat,lon\nS1,One,{lon},{lat}\nS2,Two,{lon},{lat}\n"))
        .unwrap();
    let (code, _, err) = site(d.path(), "cands.csv");
    assert_eq!(code, 2, "{err}");
    for n in ["cands.csv", "row 1 (line 2)", "these look like latitude/longitude swapped"] {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
    assert!(!d.path().join("sites").exists());
}

#[test]
fn candidate_sites_with_lon_lat_in_easting_columns_fail() {
    let d = demo_copy();
    let [lon, lat] = lonlat(440_000.0, 260_000.0);
    fs::write(
        d.path().join("cands.csv"),
        format!("code,name,easting,northing\nS1,One,440000,260000\nS2,Two,{lon},{lat}\n"),
    )
    .unwrap();
    let (code, _, err) = site(d.path(), "cands.csv");
    assert_eq!(code, 2, "{err}");
    for n in ["cands.csv", "row 2 (line 3)", "these look like lon/lat in a file declared as British National Grid"] {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

#[test]
fn candidate_points_latitude_first_fail() {
    let d = demo_copy();
    let [lat, lon] = latlon(440_000.0, 260_000.0);
    let gj = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": "S1"}, "geometry": {"type": "Point", "coordinates": [lat, lon]}}]});
    fs::write(d.path().join("cands.geojson"), gj.to_string()).unwrap();
    let (code, _, err) = site(d.path(), "cands.geojson");
    assert_eq!(code, 2, "{err}");
    for n in ["cands.geojson", "feature 1", "these look like latitude/longitude swapped"] {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

/// The demo with every practice moved 150 km east (still on the grid, far from the county) and
/// no registrations, so every LSOA takes its PCN from a practice far away.
fn far_practices() -> tempfile::TempDir {
    let d = demo_copy();
    rewrite_practices(d.path(), "easting,northing", |x, y| [x + 150_000.0, y]);
    edit(d.path(), "scenario.toml", |t| t.replacen("[registrations]\npath = \"registrations.csv\"\n", "", 1));
    d
}

#[test]
fn check_warns_when_practices_lie_far_from_the_area() {
    let d = far_practices();
    let (code, out, err) = check(d.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("50 of 50 practices lie more than 15 km from every study-area LSOA"), "{out}");
    assert!(out.contains("is the practices file for this area?"), "{out}");
    assert!(
        out.contains("432 LSOA(s)") && out.contains("take their PCN from a nearest practice more than 15 km away"),
        "{out}"
    );
}

#[test]
fn build_warns_when_practices_lie_far_from_the_area() {
    let d = far_practices();
    let (code, _, err) = run(d.path(), &["build", "--scenario", "scenario.toml", "--out", "out", "--options", "1"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: 50 of 50 practices lie more than 15 km"), "{err}");
    let summary = fs::read_to_string(d.path().join("out/summary.md")).unwrap();
    assert!(summary.contains("take their PCN from a nearest practice more than 15 km away"), "{summary}");
    let run_json = fs::read_to_string(d.path().join("out/option-1/run.json")).unwrap();
    assert!(run_json.contains("practices lie more than 15 km"), "{run_json}");
}

#[test]
fn a_few_practices_across_the_border_are_not_far() {
    let d = demo_copy();
    // One practice 8.6 km beyond the county edge: within 15 km, so no warning.
    edit(d.path(), "practices.csv", |t| t.replacen("442185,270857", "442185,279857", 1));
    let (code, out, err) = check(d.path());
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("more than 15 km"), "{out}");
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_practices_used_for_staffordshire_warn() {
    let d = tempfile::tempdir().unwrap();
    let sc = real_scenario("staffordshire.toml", d.path());
    let data = std::fs::canonicalize(shared_data()).unwrap();
    let text = fs::read_to_string(&sc).unwrap();
    let start = text.find("[practices]").unwrap();
    let end = text.find("[[layers]]").unwrap();
    let practices = format!(
        "[practices]\npath = \"{}/oxfordshire/gp/oxon_practices_2026-04.csv\"\neasting = \"easting_bng\"\nnorthing = \"northing_bng\"\n\n",
        data.display()
    );
    fs::write(&sc, format!("{}{practices}{}", &text[..start], &text[end..])).unwrap();
    let (code, out, err) = run(d.path(), &["check", "--scenario", sc.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("64 of 64 practices lie more than 15 km from every study-area LSOA"), "{out}");
    assert!(out.contains("take their PCN from a nearest practice more than 15 km away"), "{out}");
    for name in ["oxfordshire.toml", "staffordshire.toml"] {
        let sc = real_scenario(name, d.path());
        let (code, out, err) = run(d.path(), &["check", "--scenario", sc.to_str().unwrap()]);
        assert_eq!(code, 0, "{err}");
        assert!(!out.contains("more than 15 km"), "{name}: {out}");
    }
}

#[test]
fn shapefile_with_lon_lat_and_a_bng_prj_fails() {
    let d = demo_copy();
    let shp = d.path().join("lsoas.shp");
    {
        let table = shapefile::dbase::TableWriterBuilder::new().add_character_field("lsoa21_cd".try_into().unwrap(), 9);
        let mut w = shapefile::Writer::from_path(&shp, table).unwrap();
        let ring = [(-1.27, 51.75), (-1.27, 51.76), (-1.26, 51.76), (-1.26, 51.75), (-1.27, 51.75)];
        let poly = shapefile::Polygon::new(shapefile::PolygonRing::Outer(
            ring.iter().map(|&(x, y)| shapefile::Point::new(x, y)).collect(),
        ));
        let mut rec = shapefile::dbase::Record::default();
        rec.insert("lsoa21_cd".into(), shapefile::dbase::FieldValue::Character(Some("E01900001".into())));
        w.write_shape_and_record(&poly, &rec).unwrap();
    }
    fs::write(d.path().join("lsoas.prj"), "PROJCS[\"British_National_Grid\",GEOGCS[\"GCS_OSGB_1936\"]]").unwrap();
    edit(d.path(), "scenario.toml", |t| {
        t.replace("path = \"lsoa_boundaries_bng.geojson\"", "path = \"lsoas.shp\"\ncode = \"lsoa21_cd\"")
    });
    fails_with(
        d.path(),
        &["lsoas.shp", "feature 1 (E01900001)", "these look like lon/lat in a file declared as British National Grid"],
    );
}
