//! Score any footprint set — built options, a user's existing footprints (lookup CSV or GeoJSON),
//! or the baselines — and compare several side by side. Each metric family lives in its own file
//! behind [`MetricFamily`]; [`registry`] lists them in display order, and every output (scores.json,
//! scores.csv, summary.md, compare, the report) iterates the values they produce. Per-LSOA study
//! data is read only through [`input`]. Definitions: docs/METRICS.md.

mod access;
mod balance;
mod compactness;
mod contiguity;
mod coterminosity;
mod ctx;
mod equity;
pub mod input;
mod metric;
pub mod metrics;
mod nesting;
mod pcn;
mod pcn_bound;
mod places;
mod row;

use crate::error::Result;
use crate::prepare::Prepared;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::Path;

pub use crate::io::footprints::FootprintSet;
pub use ctx::ScoreCtx;
pub use metric::{Better, MetricFamily, MetricValue, Output, Unit, Value};
pub use row::FootprintRow;

/// The metric families, in display order. Adding a family is one file and one line here.
pub fn registry() -> Vec<Box<dyn MetricFamily>> {
    vec![
        Box::new(balance::Balance),
        Box::new(contiguity::Contiguity),
        Box::new(coterminosity::Coterminous),
        Box::new(pcn::Pcn),
        Box::new(places::Places),
        Box::new(nesting::Nesting),
        Box::new(access::Access),
        Box::new(equity::Equity),
        Box::new(compactness::Compactness),
    ]
}

impl FootprintSet {
    /// Read a lookup CSV, a footprints GeoJSON, or an option folder holding `lookup.csv`, for the
    /// study of `p` (see [`FootprintSet::read_indexed`]).
    pub fn read(p: &Prepared, path: &Path, column: Option<&str>) -> Result<FootprintSet> {
        let points = input::points(p);
        FootprintSet::read_indexed(input::lsoa_index(p, &points), path, column)
    }
}

/// Scoring options.
#[derive(Debug, Clone)]
pub struct ScoreOptions {
    /// Target population of a footprint.
    pub target: f64,
    /// Tolerance (0.2 = ±20%).
    pub tolerance: f64,
    /// Circuity factor applied to straight-line distances.
    pub circuity: f64,
    /// Access thresholds in the access unit: km, or minutes with a travel-time matrix.
    pub thresholds: Vec<f64>,
    /// Need multiplier slope: need weight = max(0.1, 1 + need_alpha × need index).
    pub need_alpha: f64,
    /// Travel-time matrix (LSOA × practice); when given, access figures are in its unit (minutes).
    pub matrix: Option<crate::io::matrix::TravelMatrix>,
    /// Named hubs: footprint name → practice code (instead of the best practice inside).
    pub hubs: BTreeMap<String, String>,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            target: 50_000.0,
            tolerance: 0.2,
            circuity: 1.0,
            thresholds: vec![1.6, 5.0, 10.0],
            need_alpha: 0.25,
            matrix: None,
            hubs: BTreeMap::new(),
        }
    }
}

/// All scores of one footprint set.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    /// Label.
    pub label: String,
    /// Tool version.
    pub version: String,
    /// Footprints.
    pub footprints: usize,
    /// Population.
    pub population: u64,
    /// Every metric of every family, in registry order (JSON: an object keyed by metric key).
    #[serde(serialize_with = "metric::serialize_metrics")]
    pub metrics: Vec<MetricValue>,
    /// Detail per family (per-footprint coterminosity, per-PCN shares, …).
    pub details: BTreeMap<String, serde_json::Value>,
    /// Per-footprint rows, sorted by name.
    pub rows: Vec<FootprintRow>,
}

impl Scores {
    /// The metric with this key ("pcn.split").
    pub fn get(&self, key: &str) -> Option<&MetricValue> {
        self.metrics.iter().find(|m| m.key == key)
    }

    /// The metric's number, if it exists and applies.
    pub fn num(&self, key: &str) -> Option<f64> {
        self.get(key).and_then(|m| m.value.num())
    }
}

/// Score a footprint set: every family of the [`registry`], in order.
pub fn score(p: &Prepared, set: &FootprintSet, o: &ScoreOptions) -> Scores {
    score_families(p, set, o, None)
}

/// Score a footprint set with the families whose ids are in `only` (all with `None`), in
/// registry order (`build`'s summary needs only "pcn" and "places").
pub fn score_families(p: &Prepared, set: &FootprintSet, o: &ScoreOptions, only: Option<&[&str]>) -> Scores {
    let ctx = ScoreCtx::new(p, set, o);
    let mut rows = ctx.base_rows();
    let (mut metrics, mut details) = (Vec::new(), BTreeMap::new());
    for fam in registry().into_iter().filter(|f| only.is_none_or(|ids| ids.contains(&f.id()))) {
        let mut out = Output::new(fam.id(), &mut rows);
        fam.compute(&ctx, &mut out);
        metrics.extend(out.values);
        if !out.details.is_empty() {
            details.insert(fam.id().to_string(), serde_json::Value::Object(out.details));
        }
    }
    Scores {
        label: set.label.clone(),
        version: crate::VERSION.into(),
        footprints: ctx.k(),
        population: ctx.total as u64,
        metrics,
        details,
        rows,
    }
}

/// LSOAs that change footprint from set A to set B, after matching each footprint of A to the
/// footprint of B it overlaps most (by population): (lsoa code, A footprint, B footprint, population).
pub fn moves(p: &Prepared, a: &FootprintSet, b: &FootprintSet) -> Vec<(String, String, String, u64)> {
    let pop = |i: usize| input::pop(p, i) as u64;
    let mut ov: BTreeMap<(&str, &str), u64> = BTreeMap::new();
    for i in 0..input::n(p) {
        *ov.entry((&a.footprint[i], &b.footprint[i])).or_default() += pop(i);
    }
    let mut best: BTreeMap<&str, (&str, u64)> = BTreeMap::new();
    for ((fa, fb), n) in &ov {
        let e = best.entry(fa).or_insert((fb, 0));
        if *n > e.1 {
            *e = (fb, *n);
        }
    }
    (0..input::n(p))
        .filter(|&i| best[a.footprint[i].as_str()].0 != b.footprint[i])
        .map(|i| (input::code(p, i).to_string(), a.footprint[i].clone(), b.footprint[i].clone(), pop(i)))
        .collect()
}
