//! Places on the demo: settlements read from its MSOA names, reported by `check`, scored as towns
//! and MSOAs split; a user's own LSOA → place table; bad places tables.

mod common;
use common::*;
use footprints::model::PlaceKind;
use footprints::score::{self, FootprintSet, ScoreOptions, Value};
use footprints::Prepared;
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

fn demo() -> Prepared {
    Prepared::load(&root().join("data/demo/scenario.toml")).unwrap()
}

/// Place name → (population, kind).
fn places(p: &Prepared) -> BTreeMap<String, (u64, PlaceKind)> {
    let mut by: BTreeMap<String, (u64, PlaceKind)> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        let pl = p.study.place(i).unwrap();
        by.entry(pl.name.clone()).or_insert((0, pl.kind)).0 += a.pop;
    }
    by
}

#[test]
fn demo_places_cover_every_lsoa_once() {
    let p = demo();
    let s = &p.study;
    assert!(s.has_places());
    assert!(s.areas.iter().all(|a| a.place.is_some() && a.msoa.is_some()));
    let by = places(&p);
    assert_eq!(by.values().map(|v| v.0).sum::<u64>(), s.population());
    // The city's MSOAs ("Aldport <ward>") make one town; the four towns are found too.
    let (aldport, kind) = by["Aldport"];
    assert_eq!(kind, PlaceKind::Town);
    assert!(aldport > 200_000, "{aldport}");
    for t in ["Kingsbury", "Eastwick", "Westerleigh", "Southam Magna"] {
        assert_eq!(by[t].1, PlaceKind::Town, "{t}");
    }
    assert!(by.values().any(|v| v.1 == PlaceKind::VillageGroup));
    // The last MSOA has no readable name: it keeps its ONS name, with a warning.
    let names = p.report.msoa_names.as_ref().unwrap();
    assert_eq!((names.msoas - names.named, names.unnamed.len()), (1, 1));
    assert!(p.report.warnings.iter().any(|w| w.contains("no House of Commons Library name")));
}

#[test]
fn check_lists_towns_largest_first() {
    let o = run_in(&root(), &["check", "--scenario", "data/demo/scenario.toml"]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(out.contains("Places: ") && out.contains("village groups"), "{out}");
    let at = |s: &str| out.find(s).unwrap_or_else(|| panic!("{s} missing: {out}"));
    assert!(at("Aldport  ") < at("Kingsbury  "), "largest first");
    let o = run_in(&root(), &["check", "--scenario", "data/demo/scenario.toml", "--json"]);
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let towns = j["places"]["towns_by_size"].as_array().unwrap();
    assert_eq!(towns[0]["name"], "Aldport");
    let pops: Vec<u64> = towns.iter().map(|t| t["population"].as_u64().unwrap()).collect();
    assert!(pops.windows(2).all(|w| w[0] >= w[1]));
    assert_eq!(j["places"]["msoa_names"]["unnamed"].as_array().unwrap().len(), 1);
}

fn by_lad(p: &Prepared) -> Vec<String> {
    (0..p.study.areas.len()).map(|i| p.study.lad(i).code.clone()).collect()
}

#[test]
fn towns_split_counts_towns_in_more_than_one_footprint() {
    let p = demo();
    let o = ScoreOptions::default();
    let s = score::score(&p, &FootprintSet { label: "lads".into(), footprint: by_lad(&p), mnp: None }, &o);
    assert_eq!(s.num("places.towns_split"), Some(0.0));
    assert_eq!(s.num("places.msoas_split"), Some(0.0));
    // Split Aldport (too big for one SNP) and Southam Magna (fits) by LSOA parity.
    let mut fp = by_lad(&p);
    let mut cut_msoas = BTreeSet::new();
    for (i, f) in fp.iter_mut().enumerate() {
        let name = &p.study.place(i).unwrap().name;
        if (name == "Aldport" || name == "Southam Magna") && i % 2 == 0 {
            f.push_str("-even");
            cut_msoas.insert(p.study.areas[i].msoa.unwrap());
        }
    }
    let s = score::score(&p, &FootprintSet { label: "cut".into(), footprint: fp, mnp: None }, &o);
    assert_eq!(s.num("places.towns_split"), Some(2.0));
    let split = s.get("places.towns_split").unwrap().names.clone().unwrap();
    assert!(split[0].starts_with("Aldport (") && split[1].starts_with("Southam Magna ("), "{split:?}");
    let fit = s.get("places.towns_fit_split").unwrap().names.clone().unwrap();
    assert_eq!(fit.len(), 1);
    assert!(fit[0].starts_with("Southam Magna ("), "{fit:?}");
    // Every MSOA with an even and an odd LSOA of those towns is split.
    let msoas = s.num("places.msoas_split").unwrap() as usize;
    assert!(msoas > 0 && msoas <= cut_msoas.len(), "{msoas} of {}", cut_msoas.len());
    let json = serde_json::to_value(&s).unwrap();
    assert!(json["metrics"]["places.towns_split"]["towns"].is_array());
    assert!(json["metrics"]["places.towns_split"].get("footprints").is_none());
}

#[test]
fn without_places_the_figures_are_not_applicable() {
    let d = demo_copy();
    edit(d.path(), |t| t.replace("[places]\nmsoa_lookup = \"msoa_lookup.csv\"\nmsoa_names = \"msoa_names.csv\"\n", ""));
    let p = Prepared::load(&d.path().join("scenario.toml")).unwrap();
    assert!(p.study.places.is_empty());
    let set = FootprintSet { label: "lads".into(), footprint: by_lad(&p), mnp: None };
    let s = score::score(&p, &set, &ScoreOptions::default());
    for k in ["places.towns_split", "places.towns_fit_split", "places.msoas_split"] {
        assert_eq!(s.get(k).unwrap().value, Value::NotApplicable("the scenario has no [places]".into()), "{k}");
    }
}

fn edit(dir: &Path, f: impl FnOnce(String) -> String) {
    let p = dir.join("scenario.toml");
    let t = fs::read_to_string(&p).unwrap();
    let new = f(t.clone());
    assert_ne!(t, new, "the edit changed nothing");
    fs::write(&p, new).unwrap();
}

/// The demo with `[places]` reading `places.csv` (LSOA → place, name, kind) written from `rows`.
fn with_own_table(rows: &str) -> tempfile::TempDir {
    let d = demo_copy();
    edit(d.path(), |t| {
        t.replace(
            "msoa_names = \"msoa_names.csv\"",
            "path = \"places.csv\"\nplace = \"bua_code\"\nplace_name = \"bua_name\"\nkind = \"kind\"",
        )
    });
    fs::write(d.path().join("places.csv"), rows).unwrap();
    d
}

fn codes() -> Vec<String> {
    demo().study.areas.iter().map(|a| a.code.clone()).collect()
}

#[test]
fn a_users_own_place_table() {
    let mut rows = "lsoa21_code,bua_code,bua_name,kind\n".to_string();
    for (i, c) in codes().iter().enumerate() {
        let (code, name, kind) = if i < 100 { ("BUA1", "Bigtown", "town") } else { ("R", "Rest", "village group") };
        rows.push_str(&format!("{c},{code},{name},{kind}\n"));
    }
    let d = with_own_table(&rows);
    let p = Prepared::load(&d.path().join("scenario.toml")).unwrap();
    let s = &p.study;
    assert_eq!(s.places.len(), 2);
    assert_eq!((s.places[0].code.as_str(), s.places[0].name.as_str()), ("BUA1", "Bigtown"));
    assert_eq!(s.places[1].kind, PlaceKind::VillageGroup);
    assert!(s.areas.iter().all(|a| a.msoa.is_some()), "MSOAs still come from the lookup");
}

fn check_fails(dir: &Path, needles: &[&str]) {
    let o = run_in(dir, &["check", "--scenario", "scenario.toml"]);
    let (_, err) = text(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

#[test]
fn a_place_table_that_misses_lsoas() {
    let c = codes();
    let rows: String = c[1..].iter().map(|c| format!("{c},B,Bigtown,town\n")).collect();
    let d = with_own_table(&format!("lsoa21_code,bua_code,bua_name,kind\n{rows}"));
    check_fails(d.path(), &["places.csv", "1 of 432 study-area LSOAs have no place row", &c[0]]);
}

#[test]
fn a_place_table_that_repeats_an_lsoa() {
    let c = codes();
    let mut rows: String = c.iter().map(|c| format!("{c},B,Bigtown,town\n")).collect();
    rows.push_str(&format!("{},B,Bigtown,town\n", c[5]));
    let d = with_own_table(&format!("lsoa21_code,bua_code,bua_name,kind\n{rows}"));
    check_fails(d.path(), &["places.csv", "row 433 (line 434)", &format!("duplicate LSOA code {}", c[5])]);
}

#[test]
fn a_place_kind_that_is_not_known() {
    let rows: String = codes().iter().map(|c| format!("{c},B,Bigtown,hamlet\n")).collect();
    let d = with_own_table(&format!("lsoa21_code,bua_code,bua_name,kind\n{rows}"));
    check_fails(d.path(), &["places.csv", "row 1 (line 2)", "\"hamlet\" is not city, town or village group"]);
}

#[test]
fn an_msoa_lookup_that_repeats_an_lsoa() {
    let d = demo_copy();
    let p = d.path().join("msoa_lookup.csv");
    let t = fs::read_to_string(&p).unwrap();
    let second = t.lines().nth(2).unwrap().to_string();
    fs::write(&p, format!("{t}{second}\n")).unwrap();
    check_fails(d.path(), &["msoa_lookup.csv", "row 433 (line 434)", "duplicate LSOA code"]);
}

#[test]
fn places_without_a_source_is_refused() {
    let d = demo_copy();
    edit(d.path(), |t| t.replace("msoa_names = \"msoa_names.csv\"\n", ""));
    check_fails(d.path(), &["scenario.toml", "[places] needs msoa_lookup and msoa_names, or path"]);
}

/// Footprints are named after their largest towns on every option and baseline of the demo.
#[test]
fn footprints_are_named_after_their_largest_towns() {
    let p = demo();
    let r = footprints::build::build(&p, &demo_cfg(&p)).unwrap();
    let checked: usize = r.options.iter().chain(&r.baselines).map(|b| assert_names_follow_places(&p, b)).sum();
    assert!(checked > 10, "{checked}");
    // Aldport is too big for one SNP: its pieces carry distinguishing names.
    let aldport: Vec<&String> = r.options[0].snp_names.iter().filter(|n| n.contains("Aldport")).collect();
    assert!(aldport.len() >= 2, "{:?}", r.options[0].snp_names);
    assert!(aldport.iter().all(|n| *n != "Aldport" || aldport.len() == 1), "{aldport:?}");
}

/// `[names]` renames the SNP holding an LSOA, or a footprint by its generated name; a key that
/// looks like an LSOA code but is not one is refused.
#[test]
fn names_can_be_overridden_in_the_scenario() {
    let p = demo();
    let cfg = demo_cfg(&p);
    let before = footprints::build::build(&p, &cfg).unwrap();
    let o = &before.options[0];
    let first = p.study.areas[0].code.clone();
    let other = o.snp_names[(0..o.plan.n_snp()).find(|&s| s != o.plan.snp_of[0]).unwrap()].clone();
    let mnp = o.mnp_names[0].clone();
    let d = demo_copy();
    edit(d.path(), |t| {
        format!("{t}\n[names]\n\"{first}\" = \"Harbour & Mill\"\n\"{other}\" = \"The Other One\"\n\"{mnp}\" = \"North Shore\"\n")
    });
    let q = Prepared::load(&d.path().join("scenario.toml")).unwrap();
    let after = footprints::build::build(&q, &cfg).unwrap();
    let a = &after.options[0];
    assert_eq!(a.plan.snp_of, o.plan.snp_of, "names never change the footprints");
    assert_eq!(a.snp_names[a.plan.snp_of[0]], "Harbour & Mill");
    assert!(a.snp_names.contains(&"The Other One".to_string()), "{:?}", a.snp_names);
    assert_eq!(a.mnp_names[0], "North Shore");
    edit(d.path(), |t| t.replace(&format!("\"{first}\" = "), "\"E01999999\" = "));
    check_fails(d.path(), &["[names] key E01999999 is not an LSOA of the study area", "scenario.toml"]);
}

fn demo_cfg(p: &Prepared) -> footprints::build::BuildConfig {
    use footprints::build::{BuildConfig, Layer};
    BuildConfig {
        options: 3,
        seed: 7,
        steps_per_snp: 20,
        ..BuildConfig::with_mnp_layer(Layer::parse("2UA", p).unwrap())
    }
}

/// Towns that fit in one SNP stay whole; a town too big for one (Aldport) is divided along MSOA
/// lines, so no MSOA of it is split. `--split-towns` (whole_towns = false) lets them be cut.
#[test]
fn the_build_keeps_towns_whole_and_divides_big_ones_along_msoas() {
    let p = demo();
    let cfg = demo_cfg(&p);
    let r = footprints::build::build(&p, &cfg).unwrap();
    assert!(!r.warnings.iter().any(|w| w.contains("towns may be split")), "{:?}", r.warnings);
    let o = ScoreOptions::default();
    for b in &r.options {
        let s = score::score(&p, &set_of(b), &o);
        assert_eq!(s.num("places.towns_fit_split"), Some(0.0), "{}: {:?}", b.label, s.get("places.towns_fit_split"));
        let mut snps_of_msoa: BTreeMap<u32, BTreeSet<usize>> = BTreeMap::new();
        for (i, a) in p.study.areas.iter().enumerate() {
            if p.study.place(i).unwrap().name == "Aldport" {
                snps_of_msoa.entry(a.msoa.unwrap()).or_default().insert(b.plan.snp_of[i]);
            }
        }
        assert!(snps_of_msoa.len() > 5);
        assert!(snps_of_msoa.values().all(|s| s.len() == 1), "{}: an Aldport MSOA is split", b.label);
    }
    let cut = footprints::build::BuildConfig { whole_towns: false, ..cfg };
    let r2 = footprints::build::build(&p, &cut).unwrap();
    assert_ne!(r2.options[0].plan, r.options[0].plan, "--split-towns builds on LSOAs");
}
