//! Siting on the demo: per-footprint hubs and k sites, and clear messages for bad requests.

mod common;
use common::*;

fn demo_scen() -> String {
    root().join("data/demo/scenario.toml").display().to_string()
}

#[test]
fn k_sites_across_the_area_and_one_hub_per_footprint() {
    let d = tempfile::tempdir().unwrap();
    let s = demo_scen();
    let o = run_in(d.path(), &["site", "-s", &s, "--k", "6", "-o", "k6"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let sites = std::fs::read_to_string(d.path().join("k6/sites.csv")).unwrap();
    assert_eq!(sites.lines().count(), 7);
    let served: f64 = sites.lines().skip(1).map(|l| l.split(',').nth(3).unwrap().parse::<f64>().unwrap()).sum();
    let p = footprints::Prepared::load(&root().join("data/demo/scenario.toml")).unwrap();
    assert_eq!(served as u64, p.study.population(), "every person is served once");
    let gj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("k6/sites.geojson")).unwrap()).unwrap();
    assert_eq!(gj["features"].as_array().unwrap().len(), 6);
    // Deprivation weighting pulls sites towards deprived areas: Core20 people are no further away with α = 3 than with α = 0.
    let run_alpha = |alpha: &str, out: &str| {
        let o = run_in(d.path(), &["site", "-s", &s, "--k", "6", "--alpha", alpha, "-o", out]);
        assert!(o.status.success());
        let j: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.path().join(out).join("site.json")).unwrap()).unwrap();
        j["access"]["after_core20_mean_km"].as_f64().unwrap()
    };
    assert!(run_alpha("3", "a3") <= run_alpha("0", "a0") + 1e-9);
    // One hub per footprint of a built option.
    let o = run_in(d.path(), &["build", "-s", &s, "-o", "b", "--options", "1", "--steps", "5"]);
    assert!(o.status.success());
    let o = run_in(d.path(), &["site", "-s", &s, "-f", "b/option-1", "-o", "hubs"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let hubs = std::fs::read_to_string(d.path().join("hubs/sites.csv")).unwrap();
    let n_snp = std::fs::read_to_string(d.path().join("b/option-1/lookup.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().to_string())
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    assert_eq!(hubs.lines().count() - 1, n_snp);
}

fn fails(args: &[&str], needles: &[&str]) {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(
        d.path().join("cands.csv"),
        "code,name,easting,northing\nA,Inside,440000,256000\nB,Far away,100000,100000\n",
    )
    .unwrap();
    std::fs::write(d.path().join("one.csv"), "code,name,easting,northing\nA,Inside,440000,256000\n").unwrap();
    let s = demo_scen();
    let mut full = vec!["site", "-s", &s, "-o", "out"];
    full.extend_from_slice(args);
    let o = run_in(d.path(), &full);
    let (_, err) = text(&o);
    assert!(!o.status.success() && !err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "{n:?} not in {err}");
    }
    assert!(!d.path().join("out").exists(), "no partial output");
}

#[test]
fn k_larger_than_candidates() {
    fails(&["--k", "60"], &["k = 60 is larger than the 50 candidate sites", "--k 50"]);
}

#[test]
fn candidates_outside_the_study_area() {
    fails(
        &["--candidates", "cands.csv"],
        &["1 candidate site(s) lie outside the study area", "B Far away", "--allow-outside"],
    );
}

#[test]
fn footprint_without_candidates() {
    let d = tempfile::tempdir().unwrap();
    let s = demo_scen();
    let o = run_in(d.path(), &["build", "-s", &s, "-o", "b", "--options", "1", "--steps", "2"]);
    assert!(o.status.success());
    std::fs::write(d.path().join("one.csv"), "code,name,easting,northing\nA,Centre,440000,256000\n").unwrap();
    let o = run_in(d.path(), &["site", "-s", &s, "-f", "b/option-1", "--candidates", "one.csv", "-o", "out"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("have no candidate site inside") && err.contains("what would work"), "{err}");
}

/// Pins a bug: `site --matrix` used to relabel straight-line km as minutes without reading the
/// matrix. Costs now come from the matrix: a matrix of 2 × straight-line km gives twice the
/// access figures and the same sites, and a matrix missing pairs the chosen sites need is refused.
#[test]
fn site_matrix_supplies_the_costs() {
    let d = tempfile::tempdir().unwrap();
    let s = demo_scen();
    let p = footprints::Prepared::load(&root().join("data/demo/scenario.toml")).unwrap();
    let mut csv = String::from("lsoa_code,practice_code,minutes\n");
    for a in &p.study.areas {
        for pr in &p.study.practices {
            let km = (a.point.x - pr.xy.x).hypot(a.point.y - pr.xy.y) / 1000.0;
            csv.push_str(&format!("{},{},{}\n", a.code, pr.code, 2.0 * km));
        }
    }
    std::fs::write(d.path().join("tt.csv"), &csv).unwrap();
    let site_json = |args: &[&str], out: &str| {
        let mut a = vec!["site", "-s", &s, "--k", "5", "-o", out];
        a.extend_from_slice(args);
        let o = run_in(d.path(), &a);
        assert!(o.status.success(), "{}", text(&o).1);
        let j: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.path().join(out).join("site.json")).unwrap()).unwrap();
        (j["access"].clone(), std::fs::read_to_string(d.path().join(out).join("sites.csv")).unwrap())
    };
    let (km, sites_km) = site_json(&[], "km");
    let (min, sites_min) = site_json(&["--matrix", "tt.csv"], "min");
    let mean_km = km["after_nearest_site_mean_km"].as_f64().unwrap();
    let mean_min = min["after_nearest_site_mean_min"].as_f64().unwrap();
    assert!((mean_min - 2.0 * mean_km).abs() < 1e-6 * mean_km, "{mean_min} vs 2 × {mean_km}");
    let codes = |t: &str| t.lines().skip(1).map(|l| l.split(',').next().unwrap().to_string()).collect::<Vec<_>>();
    assert_eq!(codes(&sites_km), codes(&sites_min));
    // Every cost column and label says minutes when the matrix gives the costs.
    assert!(sites_km.lines().next().unwrap().contains("mean_km"));
    assert!(sites_min.lines().next().unwrap().contains("mean_min") && !sites_min.contains("_km"));
    let assignment = std::fs::read_to_string(d.path().join("min/assignment.csv")).unwrap();
    assert!(assignment.starts_with("lsoa_code,site_code,min"), "{}", assignment.lines().next().unwrap());
    let summary = std::fs::read_to_string(d.path().join("min/summary.md")).unwrap();
    assert!(summary.contains("mean min |") && !summary.contains("mean km"));
    // Leave out every row of one LSOA: it cannot reach any site.
    let gone = &p.study.areas[0].code;
    let thin: String = csv.lines().filter(|l| !l.starts_with(gone.as_str())).map(|l| format!("{l}\n")).collect();
    std::fs::write(d.path().join("thin.csv"), thin).unwrap();
    let o = run_in(d.path(), &["site", "-s", &s, "--k", "5", "--matrix", "thin.csv", "-o", "thin"]);
    assert!(!o.status.success());
    assert!(
        text(&o).1.contains("cannot reach any chosen site") && text(&o).1.contains(gone.as_str()),
        "{}",
        text(&o).1
    );
    assert!(!d.path().join("thin/sites.csv").exists());
}

/// Site codes key the outputs and the travel-time matrix: a code given twice is refused by row.
#[test]
fn candidate_site_code_given_twice_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let s = demo_scen();
    let csv = "code,name,easting,northing\nS1,Hall,440000,256000\nS2,Library,441000,257000\nS1,Church,442000,255000\n";
    std::fs::write(d.path().join("cands.csv"), csv).unwrap();
    let o = run_in(d.path(), &["site", "-s", &s, "--k", "2", "--candidates", "cands.csv", "-o", "out"]);
    assert!(!o.status.success());
    let err = text(&o).1;
    assert!(err.contains("site code S1 appears twice") && err.contains("row 3"), "{err}");
    assert!(!d.path().join("out/sites.csv").exists());
}
