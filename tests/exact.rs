//! The exact mode (`--features exact`): its proven minimum of PCNs split is a lower bound on every
//! plan the build makes within the same constraints, and on Oxfordshire it is 11, proven.
#![cfg(feature = "exact")]

mod common;

use footprints::build::{self, BuildConfig, Layer};
use footprints::exact::{min_pcn_splits, ExactConfig};
use footprints::Prepared;
use std::collections::{BTreeMap, BTreeSet};

fn cfg(whole_towns: bool) -> ExactConfig {
    ExactConfig { target: 50_000.0, tolerance: 0.2, time_limit: 120.0, whole_towns }
}

/// PCNs (majority catchments) in more than one SNP of `snp_of`.
fn pcns_split(p: &Prepared, snp_of: &[usize]) -> usize {
    let mut by: BTreeMap<u32, BTreeSet<usize>> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        if let Some(l) = &a.pcn {
            by.entry(l.pcn).or_default().insert(snp_of[i]);
        }
    }
    by.values().filter(|s| s.len() > 1).count()
}

/// Every option built with SNPs in districts and inside tolerance splits at least the proven minimum.
fn assert_bound_holds(p: &Prepared, layer: &str) -> footprints::exact::Exact {
    let e = min_pcn_splits(p, &cfg(false));
    assert!(e.upper.is_none_or(|u| u >= e.lower), "{e:?}");
    for d in &e.districts {
        assert!(d.split_found.is_none_or(|u| u >= d.split_min), "{d:?}");
        assert!(d.split_min <= d.candidates.len());
    }
    let c = BuildConfig { options: 2, ..BuildConfig::with_mnp_layer(Layer::parse(layer, p).unwrap()) };
    let r = build::build(p, &c).unwrap();
    for o in &r.options {
        if o.metrics.snps_outside_tolerance == 0 {
            let n = pcns_split(p, &o.plan.snp_of);
            assert!(n >= e.lower, "{} splits {n} PCNs, below the proven minimum {}", o.label, e.lower);
        }
    }
    e
}

#[test]
fn demo_minimum_is_a_lower_bound_on_built_plans() {
    let d = common::demo_copy();
    let p = Prepared::load(&d.path().join("scenario.toml")).unwrap();
    let e = assert_bound_holds(&p, "lad");
    assert!(e.proven, "{e:?}");
    let total: usize = e.districts.iter().map(|d| d.candidates.len()).sum();
    assert!(total > 0, "the demo has PCNs inside districts: {e:?}");
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_minimum_is_proven_and_the_default_build_reaches_it_with_towns_whole() {
    let d = tempfile::tempdir().unwrap();
    let p = Prepared::load(&common::real_scenario("oxfordshire.toml", d.path())).unwrap();
    let e = assert_bound_holds(&p, "2UA");
    assert!(e.proven, "{e:?}");
    assert_eq!(e.straddle.len(), 9);
    assert_eq!(e.lower, 11);
    let min: BTreeMap<&str, usize> = e.districts.iter().map(|d| (d.district.as_str(), d.split_min)).collect();
    assert_eq!(min["Cherwell (E07000177)"], 1, "{e:?}");
    assert_eq!(min["South Oxfordshire (E07000179)"], 1, "{e:?}");
    // Keeping towns whole too costs one more: Vale of White Horse must then split one.
    let t = min_pcn_splits(&p, &cfg(true));
    assert!(t.proven, "{t:?}");
    assert_eq!(t.lower, 12);
    // The default build (towns whole) reaches that minimum in its best option, every SNP and MNP
    // within tolerance.
    let r = build::build(&p, &BuildConfig::with_mnp_layer(Layer::parse("2UA", &p).unwrap())).unwrap();
    let best = &r.options[0];
    assert_eq!(pcns_split(&p, &best.plan.snp_of), t.lower);
    assert_eq!(best.metrics.snps_outside_tolerance + best.metrics.mnps_outside_tolerance, 0);
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn build_with_exact_writes_the_minimum_into_summary_and_explanations() {
    let d = tempfile::tempdir().unwrap();
    let s = common::real_scenario("oxfordshire.toml", d.path());
    let o = common::run_in(
        d.path(),
        &["build", "--scenario", s.to_str().unwrap(), "--out", "b", "--options", "1", "--exact", "120"],
    );
    let (out, err) = common::text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("Proven minimum (exact mode): 11 with SNPs inside districts and the built SNP counts; 12 with towns whole too."), "{out}");
    let x: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("b/option-1/explain.json")).unwrap()).unwrap();
    assert_eq!(x["pcn_minimum"]["lower"], 11);
    assert_eq!(x["pcn_minimum"]["with_towns"]["lower"], 12);
    let md = std::fs::read_to_string(d.path().join("b/option-1/explain.md")).unwrap();
    assert!(md.contains("## PCNs split against the proven minimum"), "{md}");
    assert!(md.contains("9 PCNs straddling districts, 0 too big for one SNP, 1 of the 3 inside Cherwell (E07000177), 1 of the 3 inside South Oxfordshire (E07000179); with towns whole too:"), "{md}");
    assert!(md.contains("1 of the 3 inside Vale of White Horse (E07000180). Which catchment"), "{md}");
    let full: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("b/exact.json")).unwrap()).unwrap();
    assert_eq!(full["exact"]["districts"].as_array().map(Vec::len), Some(5));
}

#[test]
fn bad_limits_are_refused_with_a_message_and_write_nothing() {
    let d = common::demo_copy();
    for args in [
        vec!["exact", "--scenario", "scenario.toml", "--out", "e.json", "--time-limit", "0"],
        vec!["exact", "--scenario", "scenario.toml", "--out", "e.json", "--tolerance", "1.5"],
        vec!["build", "--scenario", "scenario.toml", "--out", "b", "--exact=-1"],
    ] {
        let o = common::run_in(d.path(), &args);
        let (_, err) = common::text(&o);
        assert!(!o.status.success(), "{args:?}");
        assert!(
            err.contains("--time-limit") || err.contains("--tolerance") || err.contains("--exact"),
            "{args:?}: {err}"
        );
        assert!(!d.path().join("e.json").exists() && !d.path().join("b").exists(), "{args:?}");
    }
    // The demo's answer, written whole.
    let o = common::run_in(d.path(), &["exact", "--scenario", "scenario.toml", "--out", "e.json"]);
    assert!(o.status.success(), "{}", common::text(&o).1);
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("e.json")).unwrap()).unwrap();
    assert_eq!(j["exact"]["proven"], true);
    assert!(j["inputs"].as_array().is_some_and(|a| !a.is_empty()), "the inputs' hashes are recorded");
}
