//! Criterion benches: load + join + adjacency (demo, Oxfordshire, England), the ReCom ensemble on
//! Oxfordshire, and the England SNP build. Real-data benches are skipped when ../shared/data is absent.
//! Run: `cargo bench --bench pipeline`.

mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use footprints::build::{self, BuildConfig, Layer};
use footprints::Prepared;
use std::path::Path;
use std::time::Duration;
use support::{root, scenario};

fn cfg(p: &Prepared, mnp: &str, options: usize, steps: usize) -> BuildConfig {
    BuildConfig { options, seed: 1, steps_per_snp: steps, ..BuildConfig::with_mnp_layer(Layer::parse(mnp, p).unwrap()) }
}

fn load_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("load_join_adjacency");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("demo", |b| b.iter(|| Prepared::load(&root().join("data/demo/scenario.toml")).unwrap()));
    for name in ["oxfordshire.toml", "england.toml"] {
        if let Some(s) = scenario(name) {
            g.bench_function(name.trim_end_matches(".toml"), |b| b.iter(|| Prepared::load(Path::new(&s)).unwrap()));
        }
    }
    g.finish();
}

fn build_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("build");
    g.sample_size(10).measurement_time(Duration::from_secs(15));
    if let Some(s) = scenario("oxfordshire.toml") {
        let p = Prepared::load(&s).unwrap();
        // 14 SNPs × 72 steps = 1,008 ReCom proposals, each a complete alternative plan.
        let c1 = cfg(&p, "2UA", 1, 72);
        g.bench_function("oxfordshire_1008_recom_plans", |b| b.iter(|| build::build(&p, &c1).unwrap()));
        let c4 = cfg(&p, "2UA", 4, 60);
        g.bench_function("oxfordshire_4_options", |b| b.iter(|| build::build(&p, &c4).unwrap()));
    }
    if let Some(s) = scenario("england.toml") {
        let p = Prepared::load(&s).unwrap();
        let mut ce = cfg(&p, "lad", 1, 10);
        ce.community = None;
        g.bench_function("england_snps_in_lads", |b| b.iter(|| build::build(&p, &ce).unwrap()));
    }
    g.finish();
}

fn score_map_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("score_map");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    if let Some(s) = scenario("england.toml") {
        let p = Prepared::load(&s).unwrap();
        let set = footprints::score::FootprintSet {
            label: "districts".into(),
            footprint: (0..p.study.areas.len()).map(|i| p.study.lad(i).code.clone()).collect(),
            mnp: None,
        };
        g.bench_function("england_score_districts", |b| {
            b.iter(|| footprints::score::score(&p, &set, &Default::default()))
        });
    }
    if let Some(s) = scenario("oxfordshire.toml") {
        let p = Prepared::load(&s).unwrap();
        let r = build::build(&p, &cfg(&p, "2UA", 1, 10)).unwrap();
        let o = &r.options[0];
        let set = footprints::score::FootprintSet {
            label: "option".into(),
            footprint: (0..p.study.areas.len()).map(|i| o.snp_names[o.plan.snp_of[i]].clone()).collect(),
            mnp: Some((0..p.study.areas.len()).map(|i| o.mnp_names[o.plan.mnp_of(i)].clone()).collect()),
        };
        let dir = std::env::temp_dir().join("footprints-bench");
        let spec = footprints::export::map::MapSpec {
            title: "Oxfordshire".into(),
            theme: footprints::export::map::Theme::Imd,
            page_mm: (297.0, 210.0),
            dpi: 150.0,
            footprints: Some(&set),
            other: None,
            boundary: footprints::build::Layer::Lad,
            practices: true,
            target: 50_000.0,
            pcn_outlines: false,
            sites: &[],
        };
        g.bench_function("oxfordshire_map_png_and_svg", |b| {
            b.iter(|| {
                footprints::export::map::render(&p, &spec, &dir.join("m.png")).unwrap();
                footprints::export::map::render(&p, &spec, &dir.join("m.svg")).unwrap();
            })
        });
    }
    g.finish();
}

criterion_group!(benches, load_benches, build_benches, score_map_benches);
criterion_main!(benches);
