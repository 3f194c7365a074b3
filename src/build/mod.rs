//! Build nested footprints: SNPs (~50k) inside hard SNP units (LADs by default), grouped into
//! MNPs (~250k) inside hard MNP units (an LGR option, LADs, the overlay of all LGR options, or
//! none); every footprint contiguous. Soft objectives (PCN and community integrity, compactness,
//! balance, closeness to existing footprints) are improved by ReCom moves with annealing.
//! Several independent runs give distinct options; PCN and district baselines come alongside.
//!
//! Parts (private modules; their public types are re-exported here): `units` (atoms and locks,
//! hard units, counts and bounds), `seed` (random spanning trees, [`tree_partition`]),
//! `partition` ([`Partition`] with cached cut edges), `recom` (the annealed ReCom chain),
//! `objective` (one file per term: split, cut, balance), `constraint` ([`HardConstraint`], shared
//! by the cut test and the plan checker), `select` (ensemble ranking and distinct options),
//! `baseline` and `names`, `hierarchy` (the MNP layer of districts grouped into MNPs, and the
//! default choice of MNP layer). The hard boundary layers are [`crate::layer::Layer`]; the tables
//! `build` prints are rendered by [`crate::export::build_summary`].

mod baseline;
mod constraint;
mod graph;
mod hierarchy;
mod metrics;
mod names;
mod objective;
mod partition;
mod pcn_whole;
mod recom;
mod run;
mod seed;
mod select;
mod towns;

mod units;

pub use crate::layer::Layer;
pub use constraint::{lock_tallies, violations, Bounds, HardConstraint, OneLockPerFootprint, Tally};
pub use graph::LGraph;
pub use hierarchy::{
    choose_mnp_layer, district_groups, expected_outside, hierarchy_layer, parse_mnp_layer, LayerChoice, HIERARCHY,
};
pub use names::{names, Names, TOWN_PIECE_MIN};
pub use objective::{Components, GroupMass, Grouping, Groupings, Objective};
pub use partition::{Partition, Proposal};
pub use seed::{tree_partition, tree_partition_with};
pub use select::moved_share;
pub use units::fit_count;
#[cfg(feature = "exact")]
pub(crate) use units::town_blocks;

use crate::error::Result;
use crate::prepare::Prepared;
use crate::scenario::Weights;
use rayon::prelude::*;
use select::Candidate;
use serde::Serialize;
use std::collections::BTreeMap;
use units::Setup;

/// Typed build configuration.
#[derive(Debug, Clone)]
pub struct BuildConfig {
    /// SNP target.
    pub snp_target: f64,
    /// MNP target.
    pub mnp_target: f64,
    /// Relative tolerance.
    pub tolerance: f64,
    /// SNP layer.
    pub snp_layer: Layer,
    /// MNP layer.
    pub mnp_layer: Layer,
    /// Why the MNP layer was chosen, when the build chose it ([`choose_mnp_layer`]).
    pub mnp_layer_note: Option<String>,
    /// Community column ("ward", "lad" or a boundary attribute).
    pub community: Option<String>,
    /// Weights.
    pub weights: Weights,
    /// Options to keep.
    pub options: usize,
    /// Seed.
    pub seed: u64,
    /// Stop instead of relaxing when a unit cannot meet the tolerance.
    pub strict: bool,
    /// ReCom steps per SNP in the improvement chain.
    pub steps_per_snp: usize,
    /// Keep towns whole (with `[places]`): each town that fits in one SNP is one building block
    /// inside each hard unit, a larger one is divided along MSOA lines.
    pub whole_towns: bool,
    /// Locks: LSOA index → footprint name.
    pub locks: BTreeMap<usize, String>,
    /// Existing footprint per LSOA.
    pub existing: Option<Vec<String>>,
}

impl BuildConfig {
    /// Defaults (SNP 50,000 and MNP 250,000 ± 20%, SNPs in LADs, wards as communities, 4 options,
    /// 60 ReCom proposals per SNP) with the given MNP layer.
    pub fn with_mnp_layer(mnp_layer: Layer) -> BuildConfig {
        BuildConfig {
            snp_target: 50_000.0,
            mnp_target: 250_000.0,
            tolerance: 0.2,
            snp_layer: Layer::Lad,
            mnp_layer,
            mnp_layer_note: None,
            community: Some("ward".into()),
            weights: Weights::default(),
            options: 4,
            seed: 20260322,
            strict: false,
            steps_per_snp: 60,
            whole_towns: true,
            locks: BTreeMap::new(),
            existing: None,
        }
    }
}

/// A nested plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// SNP index per LSOA.
    pub snp_of: Vec<usize>,
    /// MNP index per SNP.
    pub mnp_of_snp: Vec<usize>,
}

impl Plan {
    /// Number of SNPs.
    pub fn n_snp(&self) -> usize {
        self.mnp_of_snp.len()
    }
    /// Number of MNPs.
    pub fn n_mnp(&self) -> usize {
        self.mnp_of_snp.iter().max().map_or(0, |m| m + 1)
    }
    /// MNP index per LSOA.
    pub fn mnp_of(&self, i: usize) -> usize {
        self.mnp_of_snp[self.snp_of[i]]
    }
    /// Renumber SNPs by their lowest LSOA index and MNPs by their lowest SNP, so equal plans compare equal.
    pub fn canonical(mut self) -> Plan {
        let mut snp_map = vec![usize::MAX; self.n_snp()];
        let mut next = 0;
        for s in &self.snp_of {
            if snp_map[*s] == usize::MAX {
                snp_map[*s] = next;
                next += 1;
            }
        }
        let mut mnp_of = vec![0; next];
        for (old, &new) in snp_map.iter().enumerate() {
            if new != usize::MAX {
                mnp_of[new] = self.mnp_of_snp[old];
            }
        }
        let mut mnp_map = BTreeMap::new();
        for m in &mnp_of {
            let n = mnp_map.len();
            mnp_map.entry(*m).or_insert(n);
        }
        self.snp_of = self.snp_of.iter().map(|s| snp_map[*s]).collect();
        self.mnp_of_snp = mnp_of.iter().map(|m| mnp_map[m]).collect();
        self
    }
}

/// Measures of a plan for choosing and reporting options.
#[derive(Debug, Clone, Serialize, Default)]
pub struct PlanMetrics {
    /// SNP count.
    pub snps: usize,
    /// MNP count.
    pub mnps: usize,
    /// Objective components over the whole plan (SNP level).
    pub components: Components,
    /// Weighted objective.
    pub objective: f64,
    /// Share of PCN population (registered or approximated) outside its main SNP.
    pub pcn_split_share: f64,
    /// PCNs whose population is split between SNPs (≥ 1% outside the main SNP).
    pub pcns_split: usize,
    /// Largest |deviation| of an SNP from target, %.
    pub snp_max_dev_pct: f64,
    /// Largest |deviation| of an MNP from target, %.
    pub mnp_max_dev_pct: f64,
    /// SNPs outside tolerance.
    pub snps_outside_tolerance: usize,
    /// MNPs outside tolerance.
    pub mnps_outside_tolerance: usize,
}

/// What a built footprint set is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BuiltKind {
    /// One of the options.
    Option,
    /// PCN catchments kept whole.
    PcnBaseline,
    /// One SNP per SNP unit.
    DistrictBaseline,
}

impl BuiltKind {
    /// "option", "pcn-baseline" or "district-baseline".
    pub fn as_str(self) -> &'static str {
        match self {
            BuiltKind::Option => "option",
            BuiltKind::PcnBaseline => "pcn-baseline",
            BuiltKind::DistrictBaseline => "district-baseline",
        }
    }

    /// Whether footprints respect the hard rules of the options: contiguous and inside the hard
    /// boundary units (the PCN baseline keeps catchments whole, exclaves included, and crosses
    /// districts by design).
    pub fn follows_units(self) -> bool {
        self != BuiltKind::PcnBaseline
    }
}

/// One built footprint set.
#[derive(Debug, Clone)]
pub struct Built {
    /// Option or baseline.
    pub kind: BuiltKind,
    /// Folder/label, e.g. "option-1".
    pub label: String,
    /// The plan.
    pub plan: Plan,
    /// SNP names.
    pub snp_names: Vec<String>,
    /// MNP names.
    pub mnp_names: Vec<String>,
    /// Metrics.
    pub metrics: PlanMetrics,
    /// Seed of the run that made it.
    pub seed: u64,
    /// ReCom proposals evaluated.
    pub proposals: usize,
}

/// Everything `build` produces.
#[derive(Debug, Clone)]
pub struct BuildResult {
    /// Chosen options, best first.
    pub options: Vec<Built>,
    /// Baselines.
    pub baselines: Vec<Built>,
    /// Warnings (relaxed tolerances, split units...).
    pub warnings: Vec<String>,
    /// Pairwise share of population changing SNP between options (same order as `options`).
    pub differences: Vec<Vec<f64>>,
    /// Candidate runs made.
    pub runs: usize,
    /// Total ReCom proposals evaluated across runs.
    pub proposals: usize,
}

/// Progress of [`build_with_progress`], for a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Progress {
    /// Candidate runs are about to start.
    Started {
        /// Runs to make.
        runs: usize,
    },
    /// A candidate run finished.
    RunDone {
        /// Runs finished so far.
        done: usize,
        /// Runs to make.
        runs: usize,
    },
    /// All runs finished; options and baselines are being chosen and measured.
    Finished,
}

/// Build options and baselines.
pub fn build(p: &Prepared, cfg: &BuildConfig) -> Result<BuildResult> {
    build_with_progress(p, cfg, &|_| {})
}

/// As [`build`], reporting progress through `progress`.
pub fn build_with_progress(
    p: &Prepared,
    cfg: &BuildConfig,
    progress: &(dyn Fn(Progress) + Sync),
) -> Result<BuildResult> {
    let fine_cfg = BuildConfig { whole_towns: false, ..cfg.clone() };
    let setup = Setup::new(p, &fine_cfg)?;
    let whole = if cfg.whole_towns && p.study.has_places() { Some(Setup::new(p, cfg)?) } else { None };
    let whole = whole.filter(|w| w.atoms.len() < setup.atoms.len());
    let base = whole.as_ref().unwrap_or(&setup);
    let pcns_towns = if whole.is_some() { pcn_setup(base)? } else { None };
    // With whole towns, runs on whole catchments start from town blocks; catchments on LSOA atoms
    // are only the fallback for MNP units that cannot be grouped, never a run of their own.
    let pcns_fine = if whole.is_some() && pcns_towns.is_none() { None } else { pcn_setup(&setup)? };
    let runner = towns::Runner { fine: &setup, whole: whole.as_ref(), pcns: [pcns_towns.as_ref(), pcns_fine.as_ref()] };
    let mut warnings = setup.warnings.clone();
    // The runs on town blocks, then (when some catchments can be kept whole) runs on whole PCN
    // catchments: the first runs and their seeds are the same with or without them.
    let town_runs = if cfg.options <= 1 { 1 } else { cfg.options * 3 };
    let runs = town_runs + if pcns_towns.is_some() || pcns_fine.is_some() { cfg.options.max(1) * 2 } else { 0 };
    progress(Progress::Started { runs });
    // Candidate runs are independent (each has its own seed), so they run in parallel and are
    // collected in run order: the same inputs and seed give the same candidates on any machine.
    // The baselines do not depend on the runs either, so they are made alongside them.
    let done = std::sync::atomic::AtomicUsize::new(0);
    let (outs, (baselines, baseline_warnings)) = rayon::join(
        || -> Vec<Result<(Candidate, Vec<String>)>> {
            (0..runs)
                .into_par_iter()
                .map(|r| {
                    let seed = cfg.seed.wrapping_add(r as u64 * 1_000_003);
                    let out = runner.run(seed, r >= town_runs)?;
                    let metrics = setup.metrics(&out.plan);
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    progress(Progress::RunDone { done: n, runs });
                    let w = out.warnings();
                    Ok((Candidate { plan: out.plan, metrics, seed, proposals: out.proposals }, w))
                })
                .collect()
        },
        || {
            let mut w = Vec::new();
            (make_baselines(&setup, &mut w), w)
        },
    );
    let mut cands: Vec<Candidate> = Vec::with_capacity(runs);
    for (r, out) in outs.into_iter().enumerate() {
        let (c, w) = out?;
        if r == 0 {
            warnings.extend(w);
        }
        cands.push(c);
    }
    progress(Progress::Finished);
    let proposals = cands.iter().map(|c| c.proposals).sum();
    let (chosen, distinct) = select::choose(p, &cands, cfg.options);
    if chosen.len() < cfg.options {
        warnings.push(format!(
            "only {} distinct option(s) exist for these constraints (asked for {})",
            chosen.len(),
            cfg.options
        ));
    } else if distinct < chosen.len() {
        warnings.push(format!(
            "only {distinct} of the {} options differ from every better one by 5% of people or more; the others are the next best runs (see the table of people changing SNP)",
            chosen.len()
        ));
    }
    let options: Vec<Built> = chosen
        .par_iter()
        .enumerate()
        .map(|(k, &i)| {
            let c = cands[i].clone();
            let n = names(p, &c.plan, &cfg.locks);
            Built {
                kind: BuiltKind::Option,
                label: format!("option-{}", k + 1),
                plan: c.plan,
                snp_names: n.snp,
                mnp_names: n.mnp,
                metrics: c.metrics,
                seed: c.seed,
                proposals: c.proposals,
            }
        })
        .collect();
    let differences =
        options.par_iter().map(|a| options.iter().map(|b| moved_share(p, &a.plan, &b.plan)).collect()).collect();
    warnings.extend(baseline_warnings);
    Ok(BuildResult { options, baselines, warnings, differences, runs, proposals })
}

/// `s` with the PCN catchments it can keep whole contracted too ([`pcn_whole`]); `None` when none.
fn pcn_setup<'a>(s: &Setup<'a>) -> Result<Option<Setup<'a>>> {
    let blocks = s.whole_pcn_blocks(s.cfg.seed);
    Ok(if blocks.is_empty() { None } else { Some(Setup::with_blocks(s.p, s.cfg, &blocks)?) })
}

/// The PCN baseline (when any LSOA has a PCN) and the district baseline, measured and named.
fn make_baselines(setup: &Setup, warnings: &mut Vec<String>) -> Vec<Built> {
    let (p, cfg) = (setup.p, setup.cfg);
    let mut plans = Vec::new();
    if p.study.areas.iter().any(|a| a.pcn.is_some()) {
        plans.push((BuiltKind::PcnBaseline, setup.pcn_baseline(cfg.seed)));
    } else {
        warnings.push(
            "no PCN for any LSOA (no [practices] or [registrations] in the scenario): the PCN baseline is skipped"
                .into(),
        );
    }
    plans.push((BuiltKind::DistrictBaseline, setup.district_baseline(cfg.seed)));
    plans
        .into_par_iter()
        .map(|(kind, plan)| {
            let metrics = setup.metrics(&plan);
            let n = names(p, &plan, &BTreeMap::new());
            Built {
                kind,
                label: kind.as_str().into(),
                plan,
                snp_names: n.snp,
                mnp_names: n.mnp,
                metrics,
                seed: cfg.seed,
                proposals: 0,
            }
        })
        .collect()
}
