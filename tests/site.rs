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
