//! Real-data acceptance suite (Oxfordshire, Staffordshire & Stoke, England). Needs the public data
//! in ../shared/data (or $FOOTPRINTS_SHARED_DATA); run with `cargo test --release -- --include-ignored`.

mod common;
use common::*;
use footprints::build::{self, BuildConfig, Layer};
use footprints::export::check_plan;
use footprints::Prepared;
use geo::{Distance, Euclidean, LineString, Point};
use std::collections::{BTreeMap, BTreeSet};

fn load(name: &str) -> (tempfile::TempDir, Prepared) {
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario(name, d.path());
    let p = Prepared::load(&s).unwrap_or_else(|e| panic!("{e}"));
    (d, p)
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_joins() {
    let (_d, p) = load("oxfordshire.toml");
    let s = &p.study;
    assert_eq!(s.areas.len(), 428);
    assert_eq!(s.population(), 725_299);
    assert_eq!(s.areas.iter().filter(|a| a.imd.is_some()).count(), 428);
    assert!(!s.index.contains_key("E01027305"), "E01027305 belongs to West Northamptonshire");
    // The lookup puts it in Cherwell, the boundary file (which wins) outside the study area: the
    // anomaly concerns no study-area LSOA, so it is not reported (issue 13).
    assert!(!p.report.warnings.iter().any(|w| w.contains("E01027305")), "{:?}", p.report.warnings);
    assert_eq!(s.practices.len(), 64);
    let pcns: BTreeSet<_> = s.practices.iter().filter_map(|p| p.pcn).collect();
    assert_eq!(pcns.len(), 21);
    assert_eq!(s.practices.iter().filter(|p| p.pcn.is_none()).count(), 1);
    assert_eq!(p.graph.components_before.len(), 1);
    let lad_pop =
        |code: &str| (0..s.areas.len()).filter(|&i| s.lad(i).code == code).map(|i| s.areas[i].pop).sum::<u64>();
    assert_eq!(lad_pop("E07000177"), 160_986);
    assert_eq!(lad_pop("E07000181"), 114_233);
    // IoD 2025 deciles as published in PROVENANCE.md.
    let mut dec = [0; 10];
    for a in &s.areas {
        dec[a.imd.as_ref().unwrap().decile.unwrap() as usize - 1] += 1;
    }
    assert_eq!(dec, [2, 9, 14, 10, 27, 37, 67, 77, 98, 87]);
    // LGR: 1UA and 2UA exact; 3UA needs an LSOA-level table.
    let opt = |n: &str| s.lgr.iter().find(|o| o.name == n).unwrap();
    assert!(opt("1UA").exact() && opt("2UA").exact());
    assert!(!opt("3UA").needs_lsoa_table.is_empty());
    // Sub-ICB layer: 419 LSOAs in 10Q, 5 in 14Y, 4 in 92G (PROVENANCE.md §3).
    let k = s.layer_index("sub-ICB").unwrap();
    let count = |c: &str| (0..s.areas.len()).filter(|&i| s.layers[k].unit_name(i) == Some(c)).count();
    assert_eq!((count("10Q"), count("14Y"), count("92G")), (419, 5, 4));
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn staffordshire_majority_pcn_from_registrations() {
    let (_d, p) = load("staffordshire.toml");
    let s = &p.study;
    assert_eq!(s.areas.len(), 697);
    assert_eq!(s.population(), 1_134_501);
    assert_eq!(s.lsoa_pcns().len(), 25);
    assert_eq!(p.report.registrations, Some((1_210_283, 1_179_659)));
    // Majority PCN recomputed independently from the raw table for every LSOA with registrants.
    let t = footprints::io::table::Table::read(
        &shared_data().join("staffordshire_stoke/gp/ssot_gp_patients_by_lsoa21_2025-10_clean.csv"),
    )
    .unwrap();
    let (l, n, pc) = (t.col("LSOA_CODE").unwrap(), t.col("NUMBER_OF_PATIENTS").unwrap(), t.col("PCN_CODE").unwrap());
    let mut by: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for r in &t.rows {
        *by.entry(t.get(r, l).into()).or_default().entry(t.get(r, pc).into()).or_default() +=
            t.get(r, n).parse::<u64>().unwrap();
    }
    let mut checked = 0;
    for a in &s.areas {
        if let Some(m) = by.get(&a.code) {
            let max = m.values().max().unwrap();
            let link = a.pcn.as_ref().unwrap();
            assert!(!link.approximate);
            assert_eq!(m[&s.pcn_named(link.pcn).code], *max, "{}", a.code);
            checked += 1;
        }
    }
    assert_eq!(checked, 696);
    assert_eq!(s.areas.iter().filter(|a| a.pcn.as_ref().is_some_and(|l| l.approximate)).count(), 1);
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn england_counts_and_islands() {
    let (_d, p) = load("england.toml");
    let s = &p.study;
    assert_eq!(s.areas.len(), 33_755);
    assert_eq!(s.population(), 56_490_108);
    assert_eq!(s.areas.iter().filter(|a| a.imd.is_some()).count(), 33_755);
    // E01027305 is in this study area, so the lookup anomaly is reported, districts named.
    assert!(
        p.report.warnings.iter().any(
            |w| w.contains("E01027305 (lookup Cherwell (E07000177), boundaries West Northamptonshire (E06000062))")
        ),
        "{:?}",
        p.report.warnings
    );
    assert!(p.graph.components_before.len() > 1, "islands (Isle of Wight, Scilly) are reported");
    assert!(
        p.graph.components_before.iter().skip(1).any(|c| c.iter().any(|&i| s.areas[i].code == "E01019077")),
        "Isles of Scilly"
    );
    assert_eq!(p.graph.components().len(), 1, "islands joined");
    assert_eq!(p.bridges.len(), p.graph.components_before.len() - 1);
    let edges = p.graph.edges.iter().filter(|e| !e.bridge).count();
    assert!(edges > 90_000, "{edges}");
}

/// Shared boundary length by an independent rule: sample A's boundary every 2 m and count samples
/// within `tol` of B's boundary.
fn sampled_shared(a: &geo::MultiPolygon, b: &geo::MultiPolygon, tol: f64) -> f64 {
    let step = 2.0;
    let b_rings: Vec<&LineString> =
        b.0.iter().flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors())).collect();
    let mut len = 0.0;
    for p in &a.0 {
        for ring in std::iter::once(p.exterior()).chain(p.interiors()) {
            for w in ring.0.windows(2) {
                let d = ((w[1].x - w[0].x).powi(2) + (w[1].y - w[0].y).powi(2)).sqrt();
                let n = (d / step).ceil().max(1.0) as usize;
                for k in 0..n {
                    let t = (k as f64 + 0.5) / n as f64;
                    let pt = Point::new(w[0].x + (w[1].x - w[0].x) * t, w[0].y + (w[1].y - w[0].y) * t);
                    if b_rings.iter().any(|r| Euclidean.distance(&pt, *r) <= tol) {
                        len += d / n as f64;
                    }
                }
            }
        }
    }
    len
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_adjacency_matches_independent_rule() {
    let (_d, p) = load("oxfordshire.toml");
    let areas = &p.study.areas;
    let (tol, min) = (2.0, 10.0);
    let graph: BTreeSet<(usize, usize)> = p.graph.edges.iter().filter(|e| !e.bridge).map(|e| (e.a, e.b)).collect();
    let mut indep = BTreeSet::new();
    let mut borderline = 0;
    for i in 0..areas.len() {
        let bi = geo::BoundingRect::bounding_rect(&areas[i].geom).unwrap();
        for j in i + 1..areas.len() {
            let bj = geo::BoundingRect::bounding_rect(&areas[j].geom).unwrap();
            if bi.max().x + tol < bj.min().x
                || bj.max().x + tol < bi.min().x
                || bi.max().y + tol < bj.min().y
                || bj.max().y + tol < bi.min().y
            {
                continue;
            }
            let s = sampled_shared(&areas[i].geom, &areas[j].geom, tol).max(sampled_shared(
                &areas[j].geom,
                &areas[i].geom,
                tol,
            ));
            if s >= min {
                indep.insert((i, j));
            }
            if (5.0..20.0).contains(&s) {
                borderline += 1;
            }
        }
    }
    let only_graph: Vec<_> = graph.difference(&indep).collect();
    let only_indep: Vec<_> = indep.difference(&graph).collect();
    eprintln!(
        "Oxfordshire edges: graph {}, independent {}, only graph {}, only independent {}, borderline {}",
        graph.len(),
        indep.len(),
        only_graph.len(),
        only_indep.len(),
        borderline
    );
    assert!(only_graph.len() + only_indep.len() <= borderline.max(2), "{only_graph:?} {only_indep:?}");
}

fn cfg(p: &Prepared, mnp: &str) -> BuildConfig {
    BuildConfig::with_mnp_layer(Layer::parse(mnp, p).unwrap())
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_builds_within_tolerance_for_1ua_and_2ua() {
    let (_d, p) = load("oxfordshire.toml");
    for mnp in ["2UA", "1UA"] {
        let c = cfg(&p, mnp);
        let r = build::build(&p, &c).unwrap();
        assert_eq!(r.options.len(), 4);
        for o in &r.options {
            assert!(check_plan(&p, &o.plan).is_empty());
            assert_eq!(o.metrics.snps_outside_tolerance, 0, "{mnp} {}", o.label);
            assert_eq!(o.metrics.mnps_outside_tolerance, 0, "{mnp} {}", o.label);
            for (i, a) in p.study.areas.iter().enumerate() {
                let _ = a;
                let u = c.mnp_layer.key(&p, i);
                let first = (0..p.study.areas.len()).find(|&j| o.plan.mnp_of(j) == o.plan.mnp_of(i)).unwrap();
                assert_eq!(c.mnp_layer.key(&p, first), u);
            }
        }
    }
}

/// PCNs (majority catchments) in more than one SNP.
fn majority_split(p: &Prepared, o: &build::Built) -> usize {
    let mut by: BTreeMap<u32, BTreeSet<usize>> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        if let Some(l) = &a.pcn {
            by.entry(l.pcn).or_default().insert(o.plan.snp_of[i]);
        }
    }
    by.values().filter(|s| s.len() > 1).count()
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_default_build_keeps_pcn_catchments_whole_where_it_can() {
    // 9 PCNs straddle districts; the exact mode proves 12 the fewest with towns whole (11 without).
    // Before whole catchments were building blocks every option split 13.
    let (_d, p) = load("oxfordshire.toml");
    let r = build::build(&p, &cfg(&p, "2UA")).unwrap();
    let best = &r.options[0];
    assert_eq!(majority_split(&p, best), 12, "option-1");
    assert_eq!(best.metrics.snps_outside_tolerance, 0);
    assert_eq!(best.metrics.mnps_outside_tolerance, 0);
    assert!(r.options.iter().all(|o| majority_split(&p, o) >= 11 && check_plan(&p, &o.plan).is_empty()));
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn staffordshire_builds_with_registered_pcn_catchments() {
    let (_d, p) = load("staffordshire.toml");
    let mut c = cfg(&p, "none");
    c.options = 2;
    let r = build::build(&p, &c).unwrap();
    // Tamworth (78,653 people) cannot meet ±20% of 50,000 with any count (1 → +57%, 2 → −21.3%):
    // the build says so and uses the nearest fit; every other SNP is within tolerance.
    assert!(r.warnings.iter().any(|w| w.contains("E07000199") && w.contains("nearest fit")), "{:?}", r.warnings);
    for o in &r.options {
        assert!(check_plan(&p, &o.plan).is_empty());
        let tamworth: BTreeSet<usize> = (0..p.study.areas.len())
            .filter(|&i| p.study.lad(i).code == "E07000199")
            .map(|i| o.plan.snp_of[i])
            .collect();
        // Every SNP outside ±20% is one of Tamworth's; at least one of its two must be (their
        // mean is −21.3%), and with the town divided along MSOA lines one may land inside.
        let mut pop = vec![0.0; o.plan.n_snp()];
        for (i, a) in p.study.areas.iter().enumerate() {
            pop[o.plan.snp_of[i]] += a.pop as f64;
        }
        let outside: BTreeSet<usize> = (0..pop.len()).filter(|&s| (pop[s] / 50_000.0 - 1.0).abs() > 0.2).collect();
        assert!(!outside.is_empty() && outside.is_subset(&tamworth), "{outside:?} vs Tamworth {tamworth:?}");
        assert_eq!(o.metrics.snps_outside_tolerance, outside.len());
        assert!(o.metrics.pcn_split_share > 0.0 && o.metrics.pcn_split_share < 0.5);
    }
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn england_snps_inside_every_lad() {
    let (_d, p) = load("england.toml");
    let mut c = cfg(&p, "lad");
    c.options = 1;
    c.community = None;
    c.steps_per_snp = 10;
    let r = build::build(&p, &c).unwrap();
    let o = &r.options[0];
    assert!(check_plan(&p, &o.plan).is_empty());
    assert!((1_000..1_250).contains(&o.plan.n_snp()), "{}", o.plan.n_snp());
    let mut lad_of: BTreeMap<usize, u32> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        assert_eq!(*lad_of.entry(o.plan.snp_of[i]).or_insert(a.lad), a.lad);
    }
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn imd2019_on_2011_codes_is_diagnosed_and_lookup_carries_it() {
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario("oxfordshire.toml", d.path());
    let text = std::fs::read_to_string(&s).unwrap();
    let data = std::fs::canonicalize(shared_data()).unwrap().display().to_string();
    let dep = format!(
        "[deprivation]\npath = \"{data}/england/deprivation/iod2019/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz\"\ncode = \"LSOA code (2011)\"\nrank = \"Index of Multiple Deprivation (IMD) Rank\"\ndecile = \"Index of Multiple Deprivation (IMD) Decile\"\n"
    );
    let start = text.find("[deprivation]").unwrap();
    let end = text.find("[lookup]").unwrap();
    let bad = format!("{}{}\n{}", &text[..start], dep, &text[end..]);
    std::fs::write(&s, &bad).unwrap();
    let o = run_in(d.path(), &["check", "--scenario", s.to_str().unwrap()]);
    let (_, err) = text_of(&o);
    assert!(!o.status.success());
    assert!(err.contains("LSOA 2011") && err.contains("File_1"), "{err}");
    let good =
        bad.replace(&dep, &format!("{dep}lsoa11_lookup = \"{data}/england/lookups/lsoa11_lsoa21_lad22_ew.csv\"\n"));
    std::fs::write(&s, good).unwrap();
    let p = Prepared::load(&s).unwrap();
    assert_eq!(p.study.areas.iter().filter(|a| a.imd.as_ref().is_some_and(|i| i.rank.is_some())).count(), 428);
}

fn text_of(o: &std::process::Output) -> (String, String) {
    text(o)
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_baselines_score_as_constructed() {
    let (d, p) = load("oxfordshire.toml");
    let s = real_scenario("oxfordshire.toml", d.path());
    let o =
        run_in(d.path(), &["build", "-s", s.to_str().unwrap(), "-o", "out", "--options", "1", "--mnp-layer", "2UA"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let opts = footprints::score::ScoreOptions::default();
    let read = |n: &str| footprints::score::FootprintSet::read(&p, &d.path().join("out").join(n), None).unwrap();
    let district = footprints::score::score(&p, &read("district-baseline"), &opts);
    assert_eq!(district.num("coterminosity.lad.whole"), Some(100.0));
    let pcn = footprints::score::score(&p, &read("pcn-baseline"), &opts);
    let share = pcn.num("pcn.main_footprint_share").unwrap();
    assert!((share - 100.0).abs() < 1e-10, "PCN baseline is 100% PCN-coterminous by construction: {share}");
    assert_eq!(pcn.num("pcn.split"), Some(0.0));
    assert!(pcn.num("coterminosity.lad.whole").unwrap() < 100.0, "PCN catchments cross districts");
    for s in [&district, &pcn] {
        assert_eq!(s.population, 725_299);
        assert_eq!(s.rows.iter().map(|r| r.population).sum::<u64>(), 725_299);
        assert_eq!(s.rows.iter().filter_map(|r| r.practices).sum::<usize>(), 64);
    }
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn siting_oxfordshire_per_snp_and_k10_and_staffordshire_k15() {
    let d = tempfile::tempdir().unwrap();
    let ox = real_scenario("oxfordshire.toml", d.path());
    let st = real_scenario("staffordshire.toml", d.path());
    let ok = |args: &[&str]| {
        let o = run_in(d.path(), args);
        assert!(o.status.success(), "{}", text(&o).1);
    };
    ok(&["build", "-s", ox.to_str().unwrap(), "-o", "b", "--options", "1", "--mnp-layer", "2UA"]);
    ok(&["site", "-s", ox.to_str().unwrap(), "-f", "b/option-1", "-o", "ox-hubs"]);
    ok(&["site", "-s", ox.to_str().unwrap(), "--k", "10", "-o", "ox-k10"]);
    // One SSOT practice (M83125 Claverley) lies just outside the ICB area; it may serve the area.
    ok(&["site", "-s", st.to_str().unwrap(), "--k", "15", "--allow-outside", "-o", "st-k15"]);
    for (dir, n) in [("ox-k10", 10), ("st-k15", 15)] {
        let t = std::fs::read_to_string(d.path().join(dir).join("sites.csv")).unwrap();
        assert_eq!(t.lines().count() - 1, n);
        let j: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(d.path().join(dir).join("site.json")).unwrap()).unwrap();
        let s = &j["solutions"][0];
        let (v, lb) = (s["value"].as_f64().unwrap(), s["lower_bound"].as_f64().unwrap());
        assert!(lb <= v && (v - lb) / v < 0.05, "gap {v} vs {lb}");
        eprintln!("{dir}: value {v:.0}, Lagrangian bound {lb:.0}, gap {:.2}%", (v - lb) / v * 100.0);
    }
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_dissolved_footprints_match_lsoa_area() {
    let (d, p) = load("oxfordshire.toml");
    let s = real_scenario("oxfordshire.toml", d.path());
    let o =
        run_in(d.path(), &["build", "-s", s.to_str().unwrap(), "-o", "out", "--options", "1", "--mnp-layer", "2UA"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let fc: geojson::FeatureCollection =
        serde_json::from_str(&std::fs::read_to_string(d.path().join("out/option-1/footprints.geojson")).unwrap())
            .unwrap();
    let lsoa_area: f64 = p.study.areas.iter().map(|a| a.area_m2).sum();
    for level in ["SNP", "MNP"] {
        let polys: Vec<geo::Polygon> = fc
            .features
            .iter()
            .filter(|f| f.properties.as_ref().unwrap()["level"] == level)
            .flat_map(|f| {
                let g: geo::Geometry = f.geometry.clone().unwrap().try_into().unwrap();
                let geo::Geometry::MultiPolygon(mp) = g else { panic!("not a MultiPolygon") };
                footprints::io::crs::mp_to_bng(&mp).unwrap().0
            })
            .collect();
        let sum: f64 = polys.iter().map(geo::Area::unsigned_area).sum();
        let union = geo::unary_union(polys.iter());
        use geo::Area;
        eprintln!("{level}: LSOAs {lsoa_area:.0} m², footprints {sum:.0} m², union {:.0} m²", union.unsigned_area());
        assert!((sum - lsoa_area).abs() / lsoa_area < 0.001);
        assert!((union.unsigned_area() - lsoa_area).abs() / lsoa_area < 0.001);
    }
}

/// Issue 13: with no MNP layer named and no LGR table, Staffordshire & Stoke gets the hierarchy
/// layer (small districts grouped whole), which puts fewer MNPs outside tolerance than districts
/// (8 of 9 with LAD), and the choice is named with its reason.
#[test]
#[ignore = "needs real data in ../shared/data"]
fn staffordshire_default_mnp_layer_fits_more_mnps_than_districts() {
    let (_d, p) = load("staffordshire.toml");
    let choice = build::choose_mnp_layer(&p, 250_000.0, 0.2);
    assert!(matches!(choice.layer, Layer::Districts(_)), "{:?}", choice.layer);
    let note = choice.note.clone().expect("the choice is explained");
    assert!(note.starts_with("MNP layer hierarchy") && note.contains("8 of 9 with LAD"), "{note}");
    let run = |layer: Layer| {
        let c = BuildConfig { options: 1, ..BuildConfig::with_mnp_layer(layer) };
        let r = build::build(&p, &c).unwrap();
        assert!(check_plan(&p, &r.options[0].plan).is_empty());
        r.options[0].metrics.clone()
    };
    let (chosen, lad) = (run(choice.layer), run(Layer::Lad));
    assert_eq!(lad.mnps_outside_tolerance, 8, "{lad:?}");
    assert!(chosen.mnps_outside_tolerance < lad.mnps_outside_tolerance, "{chosen:?}");
    assert!(chosen.mnps_outside_tolerance <= 1, "{chosen:?}");
}
