//! The bundled demo is exactly what the generator makes, and loads cleanly.

mod common;
use common::*;

#[test]
fn committed_demo_matches_generator() {
    let d = tempfile::tempdir().unwrap();
    let o = run_in(d.path(), &["demo", "--out", "demo"]);
    assert!(o.status.success(), "{}", text(&o).1);
    for e in std::fs::read_dir(root().join("data/demo")).unwrap() {
        let e = e.unwrap();
        let name = e.file_name();
        if name == "README.md" {
            continue;
        }
        let a = std::fs::read(e.path()).unwrap();
        let b = std::fs::read(d.path().join("demo").join(&name)).unwrap_or_default();
        assert!(a == b, "data/demo/{} differs from `footprints demo` output; regenerate it", name.to_string_lossy());
    }
}

#[test]
fn demo_is_one_realistic_county() {
    let p = footprints::Prepared::load(&root().join("data/demo/scenario.toml")).unwrap();
    let s = &p.study;
    assert!((300..=500).contains(&s.areas.len()));
    assert!(s.areas.iter().all(|a| (1_000..=3_000).contains(&a.pop)));
    let lads: std::collections::BTreeSet<_> = s.areas.iter().map(|a| &a.lad).collect();
    assert!((4..=6).contains(&lads.len()));
    assert!((40..=60).contains(&s.practices.len()));
    let pcns = s.lsoa_pcns().len();
    assert!((12..=18).contains(&pcns), "{pcns} PCNs");
    assert_eq!(p.graph.components().len(), 1);
    assert_eq!(s.lgr.len(), 2);
    assert!(s.lgr.iter().all(|o| o.exact()));
    // Deprivation is spatially clustered: most-deprived LSOAs have mostly most-deprived neighbours.
    let deciles: Vec<u8> = s.areas.iter().map(|a| a.imd.as_ref().unwrap().decile.unwrap()).collect();
    let (mut same, mut tot) = (0, 0);
    for (i, d) in deciles.iter().enumerate() {
        if *d <= 2 {
            for &n in &p.graph.neighbors[i] {
                tot += 1;
                same += (deciles[n] <= 3) as usize;
            }
        }
    }
    assert!(tot > 0 && same * 2 > tot, "{same}/{tot}");
    // Each district is contiguous.
    for lad in lads {
        let nodes: Vec<usize> = (0..s.areas.len()).filter(|&i| &s.areas[i].lad == lad).collect();
        assert!(p.graph.is_connected(&nodes), "{lad}");
    }
}
