//! Criterion bench of the workshop editor's per-edit work on real data: apply one edit (an LSOA on
//! a footprint boundary moved into its neighbour), score the whole set with `score::score`, redraw
//! the outlines of the changed footprints and serialise the state the page receives, then undo
//! (the same again). Oxfordshire (428 LSOAs) and Staffordshire & Stoke-on-Trent (697 LSOAs), each
//! starting from a built option; skipped when ../shared/data is absent.
//! Run: `cargo bench --bench serve`.

mod support;

use criterion::{criterion_group, criterion_main, Criterion};
use footprints::build::{self, BuildConfig, Layer};
use footprints::serve::view::{state_json, Outlines};
use footprints::serve::{Edit, Session, Snapshot};
use footprints::Prepared;
use std::time::Duration;
use support::scenario;

/// A session on option 1 of a quick build, and an edit moving a boundary LSOA into its neighbour.
fn session(name: &str) -> Option<(Session, Edit)> {
    let p = Prepared::load(&scenario(name)?).ok()?;
    let mnp = p.scenario.build.mnp_layer.clone().unwrap_or_else(|| "lad".into());
    let cfg = BuildConfig {
        options: 1,
        seed: 1,
        steps_per_snp: 10,
        ..BuildConfig::with_mnp_layer(Layer::parse(&mnp, &p).ok()?)
    };
    let o = build::build(&p, &cfg).ok()?.options.remove(0);
    let fp: Vec<String> = o.plan.snp_of.iter().map(|&s| o.snp_names[s].clone()).collect();
    let mnp = (0..fp.len()).map(|i| o.mnp_names[o.plan.mnp_of(i)].clone()).collect();
    let e = p.graph.edges.iter().find(|e| fp[e.a] != fp[e.b])?;
    let edit = Edit::Move { lsoas: vec![p.study.areas[e.a].code.clone()], to: fp[e.b].clone() };
    let s = Session::new(p, Snapshot { fp, mnp: Some(mnp) }, "option-1".into()).ok()?;
    Some((s, edit))
}

fn edit_benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("serve_edit");
    g.sample_size(20).measurement_time(Duration::from_secs(10));
    for name in ["oxfordshire.toml", "staffordshire.toml"] {
        let Some((mut s, edit)) = session(name) else { continue };
        let mut outlines = Outlines::default();
        let _ = state_json(&s, &mut outlines, &[]); // the page's first load draws every outline
        let area = name.trim_end_matches(".toml");
        // A new edit: the two footprints it changes (and their MNPs) are dissolved afresh.
        g.bench_function(format!("{area}_new_edit_score_state"), |b| {
            b.iter_batched(
                || outlines.clone(),
                |mut cold| {
                    s.apply(&edit).unwrap();
                    let a = state_json(&s, &mut cold, &[]);
                    s.undo();
                    a.len()
                },
                criterion::BatchSize::SmallInput,
            )
        });
        // Undo and redo of it: outlines come from the cache, so this is scoring and serialising.
        g.bench_function(format!("{area}_edit_score_state_undo"), |b| {
            b.iter(|| {
                s.apply(&edit).unwrap();
                let a = state_json(&s, &mut outlines, &[]);
                s.undo();
                let b = state_json(&s, &mut outlines, &[]);
                (a.len(), b.len())
            })
        });
    }
    g.finish();
}

criterion_group!(benches, edit_benches);
criterion_main!(benches);
