//! `explain.md` / `explain.json`: a reason for every boundary, checked on hand-made sets of the demo.

mod common;
use common::*;
use footprints::export::explain::{explain, ExplainInput};
use footprints::Prepared;

fn demo() -> Prepared {
    Prepared::load(&root().join("data/demo/scenario.toml")).unwrap()
}

/// Footprints = districts, then `town`'s even LSOAs moved to a footprint of their own.
fn districts_with_cut(p: &Prepared, town: &str) -> (Vec<usize>, Vec<String>) {
    let mut names: Vec<String> = p.study.lads.iter().map(|l| l.name.clone()).collect();
    let mut fp: Vec<usize> = p.study.areas.iter().map(|a| a.lad as usize).collect();
    names.push("Cut".into());
    for (i, f) in fp.iter_mut().enumerate() {
        if p.study.place(i).unwrap().name == town && i % 2 == 0 {
            *f = names.len() - 1;
        }
    }
    (fp, names)
}

#[test]
fn districts_as_footprints_follow_district_boundaries_only() {
    let p = demo();
    let fp: Vec<usize> = p.study.areas.iter().map(|a| a.lad as usize).collect();
    let names: Vec<String> = p.study.lads.iter().map(|l| l.name.clone()).collect();
    let e = explain(&p, &ExplainInput { label: "lads", fp_of: &fp, names: &names, target: 50_000.0, tolerance: 0.2 });
    assert_eq!(e.footprints.iter().map(|f| f.population).sum::<u64>(), p.study.population());
    assert!(!e.boundaries.is_empty());
    for b in &e.boundaries {
        assert!(b.km > 0.0 && (b.km - b.district_km).abs() < 1e-9, "{b:?}");
    }
    assert!(e.towns_split.is_empty(), "{:?}", e.towns_split);
}

#[test]
fn a_split_town_gets_a_reason_and_a_costed_alternative() {
    let p = demo();
    let (fp, names) = districts_with_cut(&p, "Southam Magna");
    let e = explain(&p, &ExplainInput { label: "cut", fp_of: &fp, names: &names, target: 50_000.0, tolerance: 0.2 });
    let t = e.towns_split.iter().find(|t| t.name == "Southam Magna").expect("Southam Magna is split");
    // Hand-worked: the piece left in its district and the piece moved to "Cut".
    let (mut home, mut cut, mut district_pop) = (0u64, 0u64, 0u64);
    let lad = p.study.areas.iter().position(|_| true).map(|_| ()).and(
        p.study
            .areas
            .iter()
            .enumerate()
            .find(|(i, _)| p.study.place(*i).unwrap().name == "Southam Magna")
            .map(|(_, a)| a.lad),
    );
    for (i, a) in p.study.areas.iter().enumerate() {
        if Some(a.lad) == lad && fp[i] != names.len() - 1 {
            district_pop += a.pop;
        }
        if p.study.place(i).unwrap().name == "Southam Magna" {
            if fp[i] == names.len() - 1 {
                cut += a.pop
            } else {
                home += a.pop
            }
        }
    }
    assert_eq!(t.population, home + cut);
    let (big, small) = if home >= cut { (home, cut) } else { (cut, home) };
    assert_eq!(t.pieces.iter().map(|x| x.1).collect::<Vec<_>>(), vec![big, small]);
    let alt = t.alternative.as_ref().expect("a town that fits has an alternative");
    if home >= cut {
        assert_eq!(alt.population, district_pop + cut);
        // "Cut" holds only the town's even LSOAs, so keeping the town whole empties it.
        assert_eq!(alt.loser.as_ref().map(|l| l.1), Some(0));
        assert!(!alt.within_tolerance);
    }
    assert!(!t.reason.is_empty());
    // The cut runs along no district, LGR or town edge everywhere: some of it is a town-internal cut.
    let b = e.boundaries.iter().find(|b| b.a == "Cut" || b.b == "Cut").unwrap();
    assert!(b.km > 0.0);
    let md = footprints::export::explain::markdown(&e, "demo cut");
    assert!(md.contains("**Southam Magna**") && md.contains("## Shared boundaries (km)"), "{md}");
}

#[test]
fn build_writes_an_explanation_per_option_and_baseline() {
    let d = demo_copy();
    let o =
        run_in(d.path(), &["build", "--scenario", "scenario.toml", "--out", "out", "--options", "2", "--steps", "10"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let mut n = 0;
    for dir in std::fs::read_dir(d.path().join("out")).unwrap() {
        let dir = dir.unwrap().path();
        if !dir.is_dir() {
            continue;
        }
        let md = std::fs::read_to_string(dir.join("explain.md")).unwrap();
        let j: serde_json::Value = serde_json::from_slice(&std::fs::read(dir.join("explain.json")).unwrap()).unwrap();
        let fps = j["footprints"].as_array().unwrap();
        let lookup = std::fs::read_to_string(dir.join("lookup.csv")).unwrap();
        let names: std::collections::BTreeSet<&str> =
            lookup.lines().skip(1).map(|l| l.split(',').nth(4).unwrap()).collect();
        assert_eq!(fps.len(), names.len(), "{}", dir.display());
        for f in fps {
            assert!(md.contains(&format!("| {} |", f["name"].as_str().unwrap())));
        }
        let total: u64 = fps.iter().map(|f| f["population"].as_u64().unwrap()).sum();
        assert_eq!(total, demo().study.population());
        n += 1;
    }
    assert_eq!(n, 4, "2 options + 2 baselines");
    // summary.csv carries the majority-catchment count and the towns split, as `score` gives them.
    let p = demo();
    let csv = std::fs::read_to_string(d.path().join("out/summary.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let row: Vec<&str> = csv.lines().find(|l| l.starts_with("option-1,")).unwrap().split(',').collect();
    let col = |k: &str| row[header.iter().position(|h| *h == k).unwrap()].parse::<f64>().ok();
    let set = footprints::score::FootprintSet::read(&p, &d.path().join("out/option-1"), None).unwrap();
    let s = footprints::score::score(&p, &set, &footprints::score::ScoreOptions::default());
    for (c, k) in [("pcns_split_majority", "pcn.split_majority"), ("towns_split", "places.towns_split")] {
        assert_eq!(col(c), s.num(k), "{c}");
    }
    // The bound does not apply to the PCN baseline (it crosses districts by design).
    let pcn_row = csv.lines().find(|l| l.starts_with("pcn-baseline,")).unwrap();
    assert_eq!(pcn_row.split(',').nth(header.iter().position(|h| *h == "pcns_split_bound").unwrap()), Some("n/a"));
}
