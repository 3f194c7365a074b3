//! Footprint building on the demo region: hard rules hold for every option and baseline,
//! runs are reproducible byte for byte, locks are honoured, infeasible requests explain themselves.

mod common;
use common::*;
use footprints::build::{self, BuildConfig, Layer};
use footprints::export::check_plan_with;
use footprints::Prepared;
use std::collections::BTreeMap;

fn demo() -> Prepared {
    Prepared::load(&root().join("data/demo/scenario.toml")).unwrap()
}

fn cfg(p: &Prepared) -> BuildConfig {
    BuildConfig {
        options: 3,
        seed: 7,
        steps_per_snp: 20,
        ..BuildConfig::with_mnp_layer(Layer::parse("2UA", p).unwrap())
    }
}

fn assert_invariants(p: &Prepared, c: &BuildConfig, b: &build::Built, within_tolerance: bool) {
    let plan = &b.plan;
    let bad = check_plan_with(p, plan, b.kind.follows_units());
    assert!(bad.is_empty(), "{}: {bad:?}", b.label);
    // Every LSOA once; populations sum.
    let total: u64 = p.study.areas.iter().map(|a| a.pop).sum();
    let mut snp_pop = vec![0u64; plan.n_snp()];
    for (i, a) in p.study.areas.iter().enumerate() {
        snp_pop[plan.snp_of[i]] += a.pop;
    }
    assert_eq!(snp_pop.iter().sum::<u64>(), total);
    // Nesting and hard boundaries: an SNP lies in one LAD and one MNP-layer unit; an MNP in one unit.
    let mut snp_lad: BTreeMap<usize, &str> = BTreeMap::new();
    let mut mnp_unit: BTreeMap<usize, String> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        if !b.kind.follows_units() {
            break; // PCN catchments cross districts by design
        }
        let s = plan.snp_of[i];
        assert_eq!(*snp_lad.entry(s).or_insert(&a.lad), a.lad.as_str(), "{}: SNP crosses a LAD", b.label);
        let u = c.mnp_layer.key(p, i);
        assert_eq!(mnp_unit.entry(plan.mnp_of(i)).or_insert(u.clone()), &u, "{}: MNP crosses its unit", b.label);
    }
    if within_tolerance {
        for (s, pop) in snp_pop.iter().enumerate() {
            let dev = (*pop as f64 - c.snp_target).abs() / c.snp_target;
            assert!(dev <= c.tolerance + 1e-9, "{}: SNP {s} has {pop} people", b.label);
        }
        let mut mnp_pop = vec![0u64; plan.n_mnp()];
        for (s, pop) in snp_pop.iter().enumerate() {
            mnp_pop[plan.mnp_of_snp[s]] += pop;
        }
        for pop in mnp_pop {
            assert!(
                (pop as f64 - c.mnp_target).abs() / c.mnp_target <= c.tolerance + 1e-9,
                "{}: MNP of {pop}",
                b.label
            );
        }
    }
}

#[test]
fn options_obey_hard_rules_and_differ() {
    let p = demo();
    let c = cfg(&p);
    let r = build::build(&p, &c).unwrap();
    assert_eq!(r.options.len(), 3);
    for o in &r.options {
        assert_invariants(&p, &c, o, true);
        assert!(o.snp_names.iter().all(|n| !n.is_empty() && !n.starts_with("SNP")));
    }
    for b in &r.baselines {
        assert_invariants(&p, &c, b, false);
    }
    // Distinct options: at least 5% of people change SNP between any two.
    for i in 0..3 {
        for j in 0..3 {
            if i != j {
                assert!(r.differences[i][j] >= 0.05, "{:?}", r.differences);
            }
        }
    }
    // SNP names are unique within an option.
    let names: std::collections::BTreeSet<_> = r.options[0].snp_names.iter().collect();
    assert_eq!(names.len(), r.options[0].snp_names.len());
}

#[test]
fn lgr_robust_and_no_mnp_layer() {
    let p = demo();
    for layer in ["robust", "none", "lad", "3UA"] {
        let mut c = cfg(&p);
        c.mnp_layer = Layer::parse(layer, &p).unwrap();
        c.options = 1;
        let r = build::build(&p, &c).unwrap();
        assert_invariants(&p, &c, &r.options[0], false);
    }
}

#[test]
fn locks_are_honoured() {
    let p = demo();
    let mut c = cfg(&p);
    c.options = 1;
    // Lock an LSOA and one neighbour in the same LAD to "Riverside INT", another elsewhere in that LAD to "Hilltop INT".
    let a = 0;
    let nb = *p.graph.neighbors[a].iter().find(|&&n| p.study.areas[n].lad == p.study.areas[a].lad).unwrap();
    let far = (0..p.study.areas.len())
        .filter(|&i| p.study.areas[i].lad == p.study.areas[a].lad && i != a && i != nb)
        .max_by(|&x, &y| {
            let d = |i: usize| {
                (p.study.areas[i].point.x - p.study.areas[a].point.x)
                    .hypot(p.study.areas[i].point.y - p.study.areas[a].point.y)
            };
            d(x).total_cmp(&d(y))
        })
        .unwrap();
    c.locks.insert(a, "Riverside INT".into());
    c.locks.insert(nb, "Riverside INT".into());
    c.locks.insert(far, "Hilltop INT".into());
    let r = build::build(&p, &c).unwrap();
    let o = &r.options[0];
    assert_invariants(&p, &c, o, false);
    assert_eq!(o.plan.snp_of[a], o.plan.snp_of[nb]);
    assert_ne!(o.plan.snp_of[a], o.plan.snp_of[far]);
    assert_eq!(o.snp_names[o.plan.snp_of[a]], "Riverside INT");
    assert_eq!(o.snp_names[o.plan.snp_of[far]], "Hilltop INT");
}

#[test]
fn non_contiguous_lock_is_infeasible_with_advice() {
    let p = demo();
    let mut c = cfg(&p);
    let a = 0;
    let far = (0..p.study.areas.len())
        .find(|&i| i != a && !p.graph.neighbors[a].contains(&i) && p.study.areas[i].lad == p.study.areas[a].lad)
        .unwrap();
    c.locks.insert(a, "X".into());
    c.locks.insert(far, "X".into());
    let e = build::build(&p, &c).unwrap_err().to_string();
    assert!(e.contains("not contiguous") && e.contains("what would work"), "{e}");
}

#[test]
fn strict_tolerance_no_partition_meets_says_what_would_work() {
    let p = demo();
    let mut c = cfg(&p);
    c.strict = true;
    c.tolerance = 0.02;
    c.snp_target = 70_000.0;
    let e = build::build(&p, &c).unwrap_err().to_string();
    assert!(e.contains("infeasible") && e.contains("what would work") && e.contains("tolerance"), "{e}");
}

#[test]
fn same_seed_gives_byte_identical_files() {
    let d1 = tempfile::tempdir().unwrap();
    let d2 = tempfile::tempdir().unwrap();
    let scen = root().join("data/demo/scenario.toml");
    for d in [&d1, &d2] {
        let o = run_in(
            d.path(),
            &[
                "build",
                "--scenario",
                scen.to_str().unwrap(),
                "--out",
                "out",
                "--options",
                "2",
                "--steps",
                "10",
                "--seed",
                "11",
            ],
        );
        assert!(o.status.success(), "{}", text(&o).1);
    }
    let mut n = 0;
    for sub in ["option-1", "option-2", "pcn-baseline", "district-baseline"] {
        for f in ["lookup.csv", "footprints.geojson", "run.json"] {
            let a = std::fs::read(d1.path().join("out").join(sub).join(f)).unwrap();
            let b = std::fs::read(d2.path().join("out").join(sub).join(f)).unwrap();
            assert!(a == b, "{sub}/{f} differs");
            n += 1;
        }
    }
    assert_eq!(n, 12);
    let run: serde_json::Value =
        serde_json::from_slice(&std::fs::read(d1.path().join("out/option-1/run.json")).unwrap()).unwrap();
    assert_eq!(run["seed"], 11);
    assert_eq!(run["version"], footprints::VERSION);
    assert!(run["inputs"][0]["sha256"].as_str().unwrap().len() == 64);
}

#[test]
fn cli_build_writes_lookup_covering_every_lsoa_once() {
    let d = tempfile::tempdir().unwrap();
    let scen = root().join("data/demo/scenario.toml");
    let o = run_in(
        d.path(),
        &["build", "--scenario", scen.to_str().unwrap(), "--out", "out", "--options", "1", "--steps", "5"],
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let t = std::fs::read_to_string(d.path().join("out/option-1/lookup.csv")).unwrap();
    let codes: Vec<&str> = t.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    let set: std::collections::BTreeSet<_> = codes.iter().collect();
    assert_eq!(codes.len(), 432);
    assert_eq!(set.len(), 432);
    let gj: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("out/option-1/footprints.geojson")).unwrap())
            .unwrap();
    assert_eq!(gj["type"], "FeatureCollection");
    assert!(gj.get("crs").is_none(), "RFC 7946 output has no crs member");
}

#[test]
fn target_larger_than_area_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let scen = root().join("data/demo/scenario.toml");
    let o =
        run_in(d.path(), &["build", "--scenario", scen.to_str().unwrap(), "--out", "out", "--snp-target", "5000000"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("larger than the whole study area") && err.contains("what would work"), "{err}");
    assert!(!d.path().join("out").exists(), "no partial output");
}
