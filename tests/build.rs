//! Footprint building on the demo region: hard rules hold for every option and baseline,
//! runs are reproducible byte for byte, locks are honoured, infeasible requests explain themselves.

mod common;
use common::*;
use footprints::build::{self, BuildConfig, Layer};
use footprints::export::check_plan_with;
use footprints::Prepared;
use std::collections::{BTreeMap, BTreeSet};

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
    let mut snp_lad: BTreeMap<usize, u32> = BTreeMap::new();
    let mut mnp_unit: BTreeMap<usize, String> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        if !b.kind.follows_units() {
            break; // PCN catchments cross districts by design
        }
        let s = plan.snp_of[i];
        assert_eq!(*snp_lad.entry(s).or_insert(a.lad), a.lad, "{}: SNP crosses a LAD", b.label);
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

/// Requests that once kept the partitioner busy for ever (issue 10, section 6) end with an error
/// that names the unit and says what would fit. The library is called directly, so the CLI's own
/// range checks do not stop them first.
#[test]
fn more_footprints_than_building_blocks_is_refused_not_spun_on() {
    // A population of 10 trillion in one LSOA: 200 million SNPs of 50,000 asked of 69 LSOAs.
    let mut p = demo();
    p.study.areas[0].pop = 10_000_000_000_000;
    let e = build::build(&p, &cfg(&p)).unwrap_err().to_string();
    assert!(e.contains("SNPs, but it has only") && e.contains("LSOAs to make them from"), "{e}");
    assert!(e.contains("check the population table"), "{e}");
    // An MNP target below the SNP target: more MNPs than SNPs to group.
    let p = demo();
    let mut c = cfg(&p);
    c.mnp_target = 20_000.0;
    let e = build::build(&p, &c).unwrap_err().to_string();
    assert!(e.contains("MNPs, but it has only") && e.contains("SNPs to make them from"), "{e}");
    assert!(e.contains("an MNP target of at least"), "{e}");
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

/// Random proposals on a grid: redraw two neighbouring parts by tree bipartition of their union.
fn random_proposals(
    g: &build::LGraph,
    parts: Vec<Vec<usize>>,
    seed: u64,
    mut each: impl FnMut(&mut build::Partition, &build::Proposal),
) {
    use rand::{RngExt, SeedableRng};
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    let mut part = build::Partition::new(g, parts);
    let mut prop = build::Proposal::new(g.len());
    for _ in 0..200 {
        let pairs = part.adjacent_pairs();
        let (d1, d2) = pairs[rng.random_range(0..pairs.len())];
        let merged: Vec<usize> = part.parts()[d1].iter().chain(&part.parts()[d2]).copied().collect();
        let ideal = merged.iter().map(|&v| g.pop[v]).sum::<f64>() / 2.0;
        let b = build::Bounds { lo: ideal * 0.5, hi: ideal * 1.5 };
        let Some(mut split) = build::tree_partition(g, &merged, 2, b, &mut rng, 20) else { continue };
        let new2 = split.pop().unwrap();
        let new1 = split.pop().unwrap();
        prop.set(d1, d2, new1, new2);
        each(&mut part, &prop);
    }
}

fn grid_with_pops(w: usize, h: usize) -> build::LGraph {
    let mut g = build::LGraph::grid(w, h);
    for (v, p) in g.pop.iter_mut().enumerate() {
        *p = 100.0 + ((v * 37) % 11) as f64 * 10.0;
    }
    // Uneven boundary lengths, so the order of addition matters to the last bit.
    for (v, nbs) in g.adj.iter_mut().enumerate() {
        for nb in nbs {
            nb.shared_m = 0.1 + ((v.min(nb.node) * 7919 + v.max(nb.node)) % 97) as f64 / 7.3;
        }
    }
    g
}

fn strips(w: usize, h: usize, k: usize) -> Vec<Vec<usize>> {
    (0..k).map(|d| (0..w * h).filter(|v| v % w * k / w == d).collect()).collect()
}

#[test]
fn partition_cut_edges_match_a_full_recount_after_every_accepted_proposal() {
    let g = grid_with_pops(12, 9);
    let mut n = 0;
    random_proposals(&g, strips(12, 9, 5), 3, |part, prop| {
        part.apply(prop);
        let label = |v: usize| part.label(v).unwrap();
        let full: Vec<(usize, usize)> = (0..g.len())
            .flat_map(|a| g.adj[a].iter().map(move |nb| (a, nb.node)))
            .filter(|&(a, b)| a < b && label(a) != label(b))
            .collect();
        let mut sorted = full.clone();
        sorted.sort();
        assert_eq!(part.cut_edges(), sorted);
        let mut pairs: Vec<(usize, usize)> =
            full.iter().map(|&(a, b)| (label(a).min(label(b)), label(a).max(label(b)))).collect();
        pairs.sort();
        pairs.dedup();
        assert_eq!(part.adjacent_pairs(), pairs);
        for (d, nodes) in part.parts().iter().enumerate() {
            assert!(nodes.iter().all(|&v| label(v) == d));
            assert_eq!(part.pop(d), nodes.iter().map(|&v| g.pop[v]).sum::<f64>());
        }
        n += 1;
    });
    assert!(n > 100, "only {n} proposals");
}

#[test]
fn incremental_objective_equals_a_full_recomputation_bit_for_bit() {
    use build::{GroupMass, Grouping, Groupings, Objective};
    let g = grid_with_pops(10, 10);
    let grouping = |modulus: usize| Grouping {
        masses: (0..g.len())
            .map(|v| vec![GroupMass { group: ((v / 3 + v % modulus) % 9) as u32, mass: g.pop[v] }])
            .collect(),
    };
    let groupings = Groupings { pcn: grouping(4), community: grouping(7), existing: grouping(5) };
    let weights =
        footprints::scenario::Weights { pcn: 1.0, community: 0.5, compactness: 3.7, balance: 0.3, existing: 0.25 };
    let parts = strips(10, 10, 4);
    let ideal = g.pop.iter().sum::<f64>() / 4.0;
    let mut obj = Objective::new(groupings.clone(), weights.clone(), ideal);
    obj.init(&g, &build::Partition::new(&g, parts.clone()));
    random_proposals(&g, parts, 11, |part, prop| {
        let v = obj.score(&g, part, prop);
        let mut after = part.clone();
        after.apply(prop);
        let mut fresh = Objective::new(groupings.clone(), weights.clone(), ideal);
        let c = fresh.init(&g, &after);
        assert_eq!(v.to_bits(), fresh.value(&c).to_bits(), "{v} vs {}", fresh.value(&c));
        obj.accept();
        *part = after;
    });
}

#[test]
fn one_constraint_interface_for_cuts_and_the_plan_checker() {
    use build::{lock_tallies, HardConstraint, OneLockPerFootprint, Tally};
    use rand::SeedableRng;
    // Cut test: two locked nodes of a grid never end up in one part.
    let mut g = build::LGraph::grid(8, 8);
    g.locked[0] = true;
    g.locked[63] = true;
    g.locked[7] = true;
    let nodes: Vec<usize> = (0..64).collect();
    let rule = (build::Bounds { lo: 10.0, hi: 30.0 }, OneLockPerFootprint);
    for seed in 0..20 {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        let parts = build::tree_partition_with(&g, &nodes, 3, &rule, &mut rng, 100).expect("feasible");
        for p in &parts {
            let t = Tally::of(&g, p);
            assert!(rule.admits(&t, 1) && t.locks == 1, "{t:?}");
        }
    }
    // Plan checker: the same rule flags an SNP holding two lock groups.
    let p = demo();
    // District ids are 0..n in code order (interned).
    let district: Vec<usize> = p.study.areas.iter().map(|a| a.lad as usize).collect();
    let n = district.iter().max().unwrap() + 1;
    let plan = build::Plan { snp_of: district.clone(), mnp_of_snp: vec![0; n] };
    let a = 0;
    let b = (1..p.study.areas.len()).find(|&i| district[i] == district[a]).unwrap();
    let mut locks = BTreeMap::new();
    locks.insert(a, "Riverside INT".to_string());
    locks.insert(b, "Hilltop INT".to_string());
    let bad =
        footprints::export::check_plan_constrained(&p, &plan, true, &OneLockPerFootprint, &lock_tallies(&p, &locks));
    assert_eq!(bad, vec![format!("SNP {} holds 2 locked footprints", district[a])]);
    locks.insert(b, "Riverside INT".to_string());
    let ok =
        footprints::export::check_plan_constrained(&p, &plan, true, &OneLockPerFootprint, &lock_tallies(&p, &locks));
    assert!(ok.is_empty(), "{ok:?}");
}

/// The hierarchy MNP layer on the demo (issue 13): the four districts smaller than an MNP are
/// grouped whole and contiguous, Aldport (232,707, within ±20% alone) stays alone; every option
/// then has SNPs inside districts, whole-district groups holding one MNP, populations summing and
/// every LSOA assigned once.
#[test]
fn hierarchy_groups_small_districts_whole_and_nests_snps_in_them() {
    let p = demo();
    let layer = build::parse_mnp_layer(&p, "hierarchy", 250_000.0, 0.2).unwrap();
    assert!(matches!(layer, Layer::Districts(_)), "{layer:?}");
    let lo = 250_000.0 * 0.8;
    let mut unit_lads: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    let mut unit_lsoas: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    let mut lad_unit: BTreeMap<u32, String> = BTreeMap::new();
    let mut lad_pop: BTreeMap<u32, f64> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        let u = layer.key(&p, i);
        assert_eq!(lad_unit.entry(a.lad).or_insert(u.clone()), &u, "a district is cut by the hierarchy layer");
        unit_lads.entry(u.clone()).or_default().insert(a.lad);
        unit_lsoas.entry(u).or_default().push(i);
        *lad_pop.entry(a.lad).or_default() += a.pop as f64;
    }
    for (u, lsoas) in &unit_lsoas {
        assert!(p.graph.is_connected(lsoas), "unit {u} is not contiguous");
    }
    for (lad, pop) in &lad_pop {
        let n = unit_lads[&lad_unit[lad]].len();
        assert_eq!(n > 1, *pop < lo, "district {lad} of {pop} people is in a unit of {n} districts");
    }
    assert_eq!(unit_lads.len(), 3, "{unit_lads:?}");
    let c = BuildConfig { options: 2, seed: 7, steps_per_snp: 10, ..BuildConfig::with_mnp_layer(layer) };
    let r = build::build(&p, &c).unwrap();
    for b in r.options.iter().chain(&r.baselines) {
        assert_invariants(&p, &c, b, false);
        let mut mnps_in: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
        for i in 0..p.study.areas.len() {
            mnps_in.entry(c.mnp_layer.key(&p, i)).or_default().insert(b.plan.mnp_of(i));
        }
        for (u, m) in &mnps_in {
            if unit_lads[u].len() > 1 && b.kind == build::BuiltKind::Option {
                assert_eq!(m.len(), 1, "{}: the district group {u} holds {} MNPs", b.label, m.len());
            }
        }
    }
    for o in &r.options {
        assert_eq!(o.metrics.mnps, 3, "{}", o.label);
        assert_eq!(o.metrics.mnps_outside_tolerance, 0, "{}", o.label);
    }
}

/// Without LGR tables and without an MNP layer in the scenario, `build` chooses the layer that
/// keeps most MNPs within tolerance and says so on stderr and in summary.md; a named layer wins.
#[test]
fn build_chooses_and_reports_the_mnp_layer_when_the_scenario_names_none() {
    let d = demo_copy();
    let s = std::fs::read_to_string(d.path().join("scenario.toml")).unwrap();
    let mut kept = Vec::new();
    let mut skip = false;
    for line in s.lines() {
        if line.starts_with('[') {
            skip = line == "[[lgr]]";
        }
        if !skip && !line.starts_with("mnp_layer") {
            kept.push(line);
        }
    }
    std::fs::write(d.path().join("scenario.toml"), kept.join("\n")).unwrap();
    let args = ["build", "-s", "scenario.toml", "-o", "out", "--options", "1", "--steps", "5"];
    let o = run_in(d.path(), &args);
    let (_, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(err.contains("MNP layer hierarchy (districts grouped into MNPs) chosen: 0 of 3 MNPs expected outside ±20%, against 4 of 5 with LAD"), "{err}");
    let md = std::fs::read_to_string(d.path().join("out/summary.md")).unwrap();
    assert!(md.contains("MNP layer hierarchy (districts grouped into MNPs) chosen"), "{md}");
    let o = run_in(d.path(), &[&args[..], &["--mnp-layer", "lad"]].concat());
    let (_, err) = text(&o);
    assert!(o.status.success() && !err.contains("chosen"), "{err}");
    let o = run_in(d.path(), &[&args[..], &["--mnp-layer", "districts"]].concat());
    let (_, err) = text(&o);
    assert!(!o.status.success() && err.contains("hierarchy (districts grouped into MNPs)"), "{err}");
}
