//! Scoring and comparing footprint sets on the demo: coterminosity by construction, totals that
//! reconcile with the inputs, and clear errors for lookups that do not match the study area.

mod common;
use common::*;
use footprints::model::Named;
use footprints::score::{self, FootprintSet, ScoreOptions, Unit, Value};
use footprints::Prepared;
use std::collections::BTreeMap;

fn demo() -> Prepared {
    Prepared::load(&root().join("data/demo/scenario.toml")).unwrap()
}

#[test]
fn footprints_equal_to_pcns_equal_to_districts_score_100_on_all_three() {
    let mut p = demo();
    // Make every LSOA's PCN its district, so PCN catchments = districts = footprints.
    // PCN ids follow district ids: both tables are sorted by code.
    p.study.pcns =
        p.study.lads.iter().map(|l| Named { code: format!("PCN-{}", l.code), name: l.name.clone() }).collect();
    for a in &mut p.study.areas {
        let n: u64 = a.reg_by_pcn.iter().map(|r| r.1).sum();
        a.reg_by_pcn = vec![(a.lad, n)];
        if let Some(l) = &mut a.pcn {
            l.pcn = a.lad;
        }
    }
    let lads: Vec<String> = (0..p.study.areas.len()).map(|i| p.study.lad(i).code.clone()).collect();
    let set = FootprintSet { label: "districts".into(), footprint: lads.clone(), mnp: Some(lads) };
    let s = score::score(&p, &set, &ScoreOptions::default());
    assert_eq!(s.num("coterminosity.lad.whole"), Some(100.0));
    assert_eq!(s.num("pcn.main_footprint_share"), Some(100.0));
    assert_eq!(s.num("pcn.split"), Some(0.0));
    assert_eq!(s.num("pcn.split_majority"), Some(0.0));
    assert_eq!(s.num("nesting.single_mnp"), Some(100.0));
}

#[test]
fn totals_reconcile_with_inputs() {
    let p = demo();
    let d = tempfile::tempdir().unwrap();
    let scen = root().join("data/demo/scenario.toml");
    let o = run_in(d.path(), &["build", "-s", scen.to_str().unwrap(), "-o", "out", "--options", "1", "--steps", "5"]);
    assert!(o.status.success());
    let set = FootprintSet::read(&p, &d.path().join("out/option-1"), None).unwrap();
    let s = score::score(&p, &set, &ScoreOptions::default());
    let pop_csv: u64 = std::fs::read_to_string(root().join("data/demo/population.csv"))
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse::<u64>().unwrap())
        .sum();
    assert_eq!(s.population, pop_csv);
    assert_eq!(s.rows.iter().map(|r| r.population).sum::<u64>(), pop_csv);
    assert_eq!(s.rows.iter().map(|r| r.lsoas).sum::<usize>(), 432);
    let practices: usize = s.rows.iter().filter_map(|r| r.practices).sum();
    assert_eq!(practices, 50);
    // The same set read from its GeoJSON scores the same.
    let g = FootprintSet::read(&p, &d.path().join("out/option-1/footprints.geojson"), None).unwrap();
    assert_eq!(g.footprint, set.footprint);
    assert_eq!(g.mnp, set.mnp);
}

#[test]
fn compare_marks_best_and_lists_moves() {
    let d = tempfile::tempdir().unwrap();
    let scen = root().join("data/demo/scenario.toml");
    let o = run_in(d.path(), &["build", "-s", scen.to_str().unwrap(), "-o", "out", "--options", "2", "--steps", "5"]);
    assert!(o.status.success());
    let o = run_in(
        d.path(),
        &[
            "compare",
            "-s",
            scen.to_str().unwrap(),
            "out/option-1",
            "out/option-2",
            "out/district-baseline",
            "-o",
            "cmp",
        ],
    );
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("| LAD: population in footprints wholly inside one unit, % | **100** | **100** | **100** |"),
        "{out}"
    );
    let moves = std::fs::read_to_string(d.path().join("cmp/moves.csv")).unwrap();
    assert!(moves.lines().count() > 1);
    for f in ["compare.md", "compare.csv", "option-1/scores.json", "option-1/scores.csv"] {
        assert!(d.path().join("cmp").join(f).exists(), "{f}");
    }
}

fn score_err(lookup: &str) -> String {
    let d = tempfile::tempdir().unwrap();
    std::fs::write(d.path().join("fp.csv"), lookup).unwrap();
    let scen = root().join("data/demo/scenario.toml");
    let o = run_in(d.path(), &["score", "-s", scen.to_str().unwrap(), "-f", "fp.csv"]);
    let (_, err) = text(&o);
    assert!(!o.status.success() && !err.contains("panicked"), "{err}");
    err
}

fn full_lookup() -> Vec<String> {
    let p = demo();
    p.study.areas.iter().map(|a| format!("{},{}", a.code, a.lad)).collect()
}

#[test]
fn lookup_with_unknown_codes() {
    let mut rows = full_lookup();
    rows.push("E01099999,X".into());
    let e = score_err(&format!("lsoa_code,footprint\n{}\n", rows.join("\n")));
    assert!(e.contains("fp.csv") && e.contains("E01099999") && e.contains("not LSOAs of the study area"), "{e}");
}

#[test]
fn lookup_missing_lsoas() {
    let rows = full_lookup();
    let e = score_err(&format!("lsoa_code,footprint\n{}\n", rows[3..].join("\n")));
    assert!(e.contains("3 of 432 study-area LSOAs have no footprint") && e.contains("E01900001"), "{e}");
}

#[test]
fn lookup_assigns_an_lsoa_twice() {
    let mut rows = full_lookup();
    rows.push(rows[0].clone());
    let e = score_err(&format!("lsoa_code,footprint\n{}\n", rows.join("\n")));
    assert!(e.contains("row 433") && e.contains("E01900001 is assigned twice"), "{e}");
}

#[test]
fn geojson_that_does_not_match_the_lsoas() {
    let d = tempfile::tempdir().unwrap();
    // One small square somewhere in the county: most LSOAs fall outside every footprint.
    std::fs::write(
        d.path().join("fp.geojson"),
        r#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Tiny"},"geometry":{"type":"Polygon","coordinates":[[[-1.6,52.4],[-1.59,52.4],[-1.59,52.41],[-1.6,52.41],[-1.6,52.4]]]}}]}"#,
    )
    .unwrap();
    let scen = root().join("data/demo/scenario.toml");
    let o = run_in(d.path(), &["score", "-s", scen.to_str().unwrap(), "-f", "fp.geojson"]);
    let (_, err) = text(&o);
    assert!(!o.status.success());
    assert!(err.contains("fp.geojson") && err.contains("have no footprint"), "{err}");
}

#[test]
fn travel_time_matrix_replaces_straight_lines() {
    let p = demo();
    let d = tempfile::tempdir().unwrap();
    // Minutes = 2 × straight-line km for every LSOA × practice pair.
    let mut rows = vec!["lsoa_code,practice_code,minutes".to_string()];
    for a in &p.study.areas {
        for pr in &p.study.practices {
            rows.push(format!(
                "{},{},{:.6}",
                a.code,
                pr.code,
                2.0 * (a.point.x - pr.xy.x).hypot(a.point.y - pr.xy.y) / 1000.0
            ));
        }
    }
    std::fs::write(d.path().join("tt.csv"), rows.join("\n")).unwrap();
    let m = footprints::io::matrix::TravelMatrix::read(&p.study, &d.path().join("tt.csv")).unwrap();
    let set = FootprintSet {
        label: "lads".into(),
        footprint: (0..p.study.areas.len()).map(|i| p.study.lad(i).code.clone()).collect(),
        mnp: None,
    };
    let km = score::score(&p, &set, &ScoreOptions::default());
    let min = score::score(&p, &set, &ScoreOptions { matrix: Some(m), ..Default::default() });
    let (a, b) = (km.get("access.nearest_practice_mean").unwrap(), min.get("access.nearest_practice_mean").unwrap());
    assert_eq!((a.unit, b.unit), (Unit::Km, Unit::Minutes));
    assert_eq!(min.rows[0].access_unit, Unit::Minutes);
    let (a, b) = (a.value.num().unwrap(), b.value.num().unwrap());
    assert!((b - 2.0 * a).abs() < 1e-3, "{a} km vs {b} min");
    // p-median with costs doubled picks the same sites.
    let scen = root().join("data/demo/scenario.toml");
    let s = scen.to_str().unwrap();
    for (out, extra) in [("s_km", vec![]), ("s_min", vec!["--matrix", "tt.csv"])] {
        let mut args = vec!["site", "-s", s, "--k", "5", "--alpha", "0", "-o", out];
        args.extend(extra);
        let o = run_in(d.path(), &args);
        assert!(o.status.success(), "{}", text(&o).1);
    }
    let codes = |f: &str| {
        std::fs::read_to_string(d.path().join(f).join("sites.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(codes("s_km"), codes("s_min"));
}

#[test]
fn named_hubs_replace_the_best_practice() {
    let p = demo();
    let lads: Vec<String> = (0..p.study.areas.len()).map(|i| p.study.lad(i).code.clone()).collect();
    let set = FootprintSet { label: "lads".into(), footprint: lads.clone(), mnp: None };
    let auto = score::score(&p, &set, &ScoreOptions::default());
    // Name, for the first district, the practice with the worst population-weighted distance.
    let first = &auto.rows[0];
    let worst = p
        .study
        .practices
        .iter()
        .max_by(|a, b| {
            let d = |pr: &footprints::model::Practice| {
                p.study
                    .areas
                    .iter()
                    .zip(&lads)
                    .filter(|(_, l)| **l == first.name)
                    .map(|(x, _)| x.pop as f64 * (x.point.x - pr.xy.x).hypot(x.point.y - pr.xy.y))
                    .sum::<f64>()
            };
            d(a).total_cmp(&d(b))
        })
        .unwrap();
    let named = score::score(
        &p,
        &set,
        &ScoreOptions { hubs: BTreeMap::from([(first.name.clone(), worst.code.clone())]), ..Default::default() },
    );
    assert!(named.rows[0].hub.as_ref().unwrap().starts_with(&worst.code));
    assert!(named.rows[0].hub_mean.unwrap() > first.hub_mean.unwrap());
    assert_eq!(named.rows[1].hub, auto.rows[1].hub);
}

#[test]
fn cli_score_reads_matrix_and_named_hubs() {
    let p = demo();
    let d = tempfile::tempdir().unwrap();
    let s = root().join("data/demo/scenario.toml").display().to_string();
    assert!(run_in(d.path(), &["build", "-s", &s, "-o", "b", "--options", "1", "--steps", "3"]).status.success());
    let mut rows = vec!["lsoa_code,practice_code,minutes".to_string()];
    for a in &p.study.areas {
        for pr in &p.study.practices {
            rows.push(format!("{},{},7", a.code, pr.code));
        }
    }
    std::fs::write(d.path().join("tt.csv"), rows.join("\n")).unwrap();
    let first = std::fs::read_to_string(d.path().join("b/option-1/lookup.csv"))
        .unwrap()
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .nth(4)
        .unwrap()
        .to_string();
    std::fs::write(d.path().join("hubs.csv"), format!("footprint,practice_code\n{first},D81001\n")).unwrap();
    let o = run_in(
        d.path(),
        &["score", "-s", &s, "-f", "b/option-1", "--matrix", "tt.csv", "--hubs", "hubs.csv", "-o", "sc"],
    );
    assert!(o.status.success(), "{}", text(&o).1);
    let j: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("sc/scores.json")).unwrap()).unwrap();
    assert_eq!(j["metrics"]["access.nearest_practice_mean"]["value"], 7.0);
    assert_eq!(j["metrics"]["access.nearest_practice_mean"]["unit"], "min");
    let row = j["rows"].as_array().unwrap().iter().find(|r| r["name"] == first.as_str()).unwrap();
    assert!(row["hub"].as_str().unwrap().starts_with("D81001"));
}

fn lad_set(p: &Prepared) -> FootprintSet {
    let lads: Vec<String> = (0..p.study.areas.len()).map(|i| p.study.lad(i).code.clone()).collect();
    FootprintSet { label: "lads".into(), footprint: lads, mnp: None }
}

#[test]
fn contiguity_names_a_footprint_in_two_pieces() {
    let p = demo();
    let mut set = lad_set(&p);
    let s = score::score(&p, &set, &ScoreOptions::default());
    assert_eq!(s.get("contiguity.split").unwrap().names, Some(vec![]), "demo districts are contiguous");
    // Move one LSOA into a district none of its neighbours belongs to: that district is now in two pieces.
    let (i, lad) = (0..p.study.areas.len())
        .find_map(|i| {
            let own = &set.footprint[i];
            let near: Vec<&String> = p.graph.neighbors[i].iter().map(|&j| &set.footprint[j]).collect();
            set.footprint.iter().find(|l| *l != own && !near.contains(l)).map(|l| (i, l.clone()))
        })
        .unwrap();
    set.footprint[i] = lad.clone();
    let s = score::score(&p, &set, &ScoreOptions::default());
    let m = s.get("contiguity.split").unwrap();
    assert!(m.names.as_ref().unwrap().contains(&lad), "{m:?}");
    assert_eq!(m.value.num(), Some(m.names.as_ref().unwrap().len() as f64));
    assert!(s.num("contiguity.extra_pieces").unwrap() >= 1.0);
    assert!(footprints::export::scores::summary_md(&s).contains(&format!("Footprints in more than one piece: {lad}")));
}

#[test]
fn metrics_without_their_inputs_are_not_applicable() {
    let mut p = demo();
    p.study.practices.clear();
    p.study.lgr.clear();
    for a in &mut p.study.areas {
        a.reg_by_pcn.clear();
        a.pcn = None;
        if let Some(m) = a.imd.as_mut() {
            m.need = None;
        }
    }
    let s = score::score(&p, &lad_set(&p), &ScoreOptions::default());
    for key in [
        "pcn.main_footprint_share",
        "pcn.split",
        "nesting.single_mnp",
        "coterminosity.lgr_robust",
        "access.nearest_practice_mean",
        "access.hub_mean",
        "access.no_practice",
        "equity.concentration_index_nearest_practice",
        "equity.need_weighted_max_min_ratio",
    ] {
        let m = s.get(key).unwrap_or_else(|| panic!("{key} missing"));
        assert!(matches!(m.value, Value::NotApplicable(_)), "{key}: {:?}", m.value);
    }
    let r = &s.rows[0];
    assert_eq!((r.pcn_share, r.main_pcn.as_deref(), r.practices, r.hub_mean), (None, None, None, None));
    assert_eq!(r.need_weighted_population, None);
    // Still computed: deprivation without need, balance, coterminosity with districts.
    assert!(s.num("equity.core20_share_sd").is_some());
    assert_eq!(s.num("coterminosity.lad.whole"), Some(100.0));
    let md = footprints::export::scores::summary_md(&s);
    assert!(md.contains("| PCNs split | n/a |") && md.contains("- PCNs split: no LSOA has a PCN"), "{md}");
    let csv = footprints::export::scores::rows_csv(&s);
    assert!(csv.lines().nth(1).unwrap().contains(",n/a,"), "{csv}");
}

#[test]
fn balance_and_nesting_hand_worked() {
    let p = demo();
    let mut set = lad_set(&p);
    // Nest the districts in two MNPs, then move one LSOA of the first district into the second MNP:
    // the first district is no longer in a single MNP.
    let first = set.footprint[0].clone();
    let mnp: Vec<String> = set.footprint.iter().map(|l| if *l == first { "M1" } else { "M2" }.to_string()).collect();
    set.mnp = Some(mnp);
    set.mnp.as_mut().unwrap()[0] = "M2".into();
    let o = ScoreOptions { target: 100_000.0, tolerance: 0.2, ..Default::default() };
    let s = score::score(&p, &set, &o);
    let mut pops: BTreeMap<&str, f64> = BTreeMap::new();
    for (a, f) in p.study.areas.iter().zip(&set.footprint) {
        *pops.entry(f).or_default() += a.pop as f64;
    }
    let total: f64 = pops.values().sum();
    let (min, max) = (pops.values().cloned().fold(f64::MAX, f64::min), pops.values().cloned().fold(0.0, f64::max));
    let dev = pops.values().map(|x| (x - 100_000.0).abs() / 1000.0).fold(0.0, f64::max);
    let outside: Vec<String> =
        pops.iter().filter(|(_, x)| (*x - 100_000.0).abs() > 20_000.0).map(|(n, _)| n.to_string()).collect();
    assert_eq!(s.num("balance.footprints"), Some(pops.len() as f64));
    assert!((s.num("balance.max_abs_deviation").unwrap() - dev).abs() < 1e-9);
    assert!((s.num("balance.max_min_ratio").unwrap() - max / min).abs() < 1e-12);
    assert_eq!(s.get("balance.outside_tolerance").unwrap().names.as_ref(), Some(&outside));
    let nest = (total - pops[first.as_str()]) / total * 100.0;
    assert!((s.num("nesting.single_mnp").unwrap() - nest).abs() < 1e-9);
    let r = s.rows.iter().find(|r| r.name == first).unwrap();
    assert!((r.deviation_pct - (pops[first.as_str()] - 100_000.0) / 1000.0).abs() < 1e-9);
}

#[test]
fn registry_keys_are_unique_and_typed() {
    let p = demo();
    let s = score::score(&p, &lad_set(&p), &ScoreOptions::default());
    let ids: Vec<&str> = score::registry().iter().map(|f| f.id()).collect();
    assert_eq!(
        ids,
        ["balance", "contiguity", "coterminosity", "pcn", "places", "nesting", "access", "equity", "compactness"]
    );
    let keys: std::collections::BTreeSet<&str> = s.metrics.iter().map(|m| m.key.as_str()).collect();
    assert_eq!(keys.len(), s.metrics.len(), "duplicate metric keys");
    // Families appear in registry order.
    let order: Vec<usize> =
        s.metrics.iter().map(|m| ids.iter().position(|id| m.key.starts_with(&format!("{id}."))).unwrap()).collect();
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    let j = serde_json::to_value(&s).unwrap();
    assert_eq!(j["metrics"]["compactness.cut_boundary"]["unit"], "km");
    assert_eq!(j["metrics"]["balance.max_abs_deviation"]["better"], "low");
}

#[test]
fn pcn_mass_uses_residents_where_an_lsoa_has_no_registrations() {
    let mut p = demo();
    // LSOA 0 loses its registrations; its residents still count, for its (nearest-practice) PCN.
    // A new PCN whose code sorts last keeps the ids of the others (the table is sorted by code).
    p.study.pcns.push(Named { code: "ZX".into(), name: "X PCN".into() });
    let zx = p.study.pcns.len() as u32 - 1;
    let a = &mut p.study.areas[0];
    a.reg_by_pcn.clear();
    a.pcn = Some(footprints::model::PcnLink { pcn: zx, share: 1.0, approximate: true });
    let set = lad_set(&p);
    let s = score::score(&p, &set, &ScoreOptions::default());
    assert_eq!(s.details["pcn"]["from_registrations"], true);
    assert_eq!(s.details["pcn"]["per_pcn"]["ZX"], serde_json::json!([set.footprint[0], 1.0]));
    assert_eq!(footprints::score::input::pcn_mass(&p, 0), vec![("ZX".to_string(), p.study.areas[0].pop as f64)]);
}

/// Majority catchments on the demo, worked by hand from each LSOA's PCN: districts as footprints
/// split exactly the PCNs whose catchment crosses a district boundary, which is also the bound;
/// one footprint for everything splits none, and the bound does not move (it depends on the
/// districts, not the plan).
#[test]
fn majority_catchment_splits_and_the_district_bound() {
    let p = demo();
    let mut lads: BTreeMap<String, std::collections::BTreeSet<u32>> = BTreeMap::new();
    let mut people: BTreeMap<String, u64> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        if let Some(pcn) = p.study.pcn(i) {
            lads.entry(pcn.code.clone()).or_default().insert(a.lad);
            *people.entry(pcn.code.clone()).or_default() += a.pop;
        }
    }
    let straddle = lads.values().filter(|l| l.len() > 1).count() as f64;
    let too_big = lads.iter().filter(|(c, l)| l.len() == 1 && people[*c] > 60_000).count() as f64;
    assert!(straddle > 0.0, "the demo has PCNs across districts");
    let by_lad: Vec<String> = (0..p.study.areas.len()).map(|i| p.study.lad(i).code.clone()).collect();
    let o = ScoreOptions::default();
    let s = score::score(&p, &FootprintSet { label: "lads".into(), footprint: by_lad, mnp: None }, &o);
    assert_eq!(s.num("pcn.split_majority"), Some(straddle));
    assert_eq!(s.num("pcn.split_forced"), Some(straddle + too_big));
    let one = vec!["All".to_string(); p.study.areas.len()];
    let s = score::score(&p, &FootprintSet { label: "one".into(), footprint: one, mnp: None }, &o);
    assert_eq!(s.num("pcn.split_majority"), Some(0.0));
    assert_eq!(s.num("pcn.split_forced"), Some(straddle + too_big));
}
