//! Soft objectives of a plan, one term per file, each behind [`Term`]: it initialises its state
//! from a partition, scores a proposal by looking only at the two parts it redraws, and applies an
//! accepted proposal to its state (as frcw.rs `src/objectives/` does).
//!
//! Terms: split PCN catchments, split natural communities and distance from existing footprints
//! ([`split`], one implementation over three groupings), cut boundary length ([`cut`]) and
//! imbalance ([`balance`]). Scores are bit-identical to a full recomputation: the group splits are
//! sums of whole people (exact in `f64`), and the cut and imbalance are re-added in the same order
//! as a full pass from cached per-part values.

pub mod balance;
pub mod cut;
pub mod split;

use super::graph::LGraph;
use super::partition::{Partition, Proposal};
use crate::scenario::Weights;
pub use split::{GroupMass, Grouping};

/// One term of the objective.
pub trait Term {
    /// The term's value for the whole partition; sets up the state for proposals.
    fn init(&mut self, g: &LGraph, p: &Partition) -> f64;
    /// The value once `prop` is applied to `p`, looking only at the parts it redraws. The term
    /// remembers what it needs for [`Term::accept`].
    fn score(&mut self, g: &LGraph, p: &Partition, prop: &Proposal) -> f64;
    /// The proposal scored last was accepted: make it the state.
    fn accept(&mut self);
}

/// Objective components of a set of parts (lower is better).
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Components {
    /// PCN population outside its main footprint.
    pub pcn_split: f64,
    /// Community population outside its main footprint.
    pub community_split: f64,
    /// Cut boundary length in km.
    pub cut_km: f64,
    /// Σ |pop − ideal|.
    pub imbalance: f64,
    /// Existing-footprint population moved.
    pub existing_moved: f64,
}

/// The groupings the split terms count, per atom.
#[derive(Debug, Clone, Default)]
pub struct Groupings {
    /// PCN (registered patients, or residents by nearest-practice PCN).
    pub pcn: Grouping,
    /// Natural community (ward by default).
    pub community: Grouping,
    /// Existing footprints.
    pub existing: Grouping,
}

impl Groupings {
    /// The groupings of a subgraph's nodes (`nodes[i]` becomes node `i`).
    pub fn induced(&self, nodes: &[usize]) -> Groupings {
        Groupings {
            pcn: self.pcn.induced(nodes),
            community: self.community.induced(nodes),
            existing: self.existing.induced(nodes),
        }
    }
}

/// The weighted objective over a partition, with its terms' state.
#[derive(Debug, Clone)]
pub struct Objective {
    weights: Weights,
    pcn: split::Split,
    community: split::Split,
    existing: split::Split,
    cut: cut::Cut,
    balance: balance::Balance,
    /// Components after `init` / the last accepted proposal (terms of weight 0 are not updated by
    /// proposals).
    now: Components,
    next: Components,
}

impl Objective {
    /// The objective with `weights`, counting `groupings`, with `ideal` population per part.
    pub fn new(groupings: Groupings, weights: Weights, ideal: f64) -> Objective {
        Objective {
            weights,
            pcn: split::Split::new(groupings.pcn),
            community: split::Split::new(groupings.community),
            existing: split::Split::new(groupings.existing),
            cut: cut::Cut::default(),
            balance: balance::Balance::new(ideal),
            now: Components::default(),
            next: Components::default(),
        }
    }

    /// Components of the whole partition; sets up every term.
    pub fn init(&mut self, g: &LGraph, p: &Partition) -> Components {
        self.now = Components {
            pcn_split: self.pcn.init(g, p),
            community_split: self.community.init(g, p),
            cut_km: self.cut.init(g, p) / 1000.0,
            imbalance: self.balance.init(g, p),
            existing_moved: self.existing.init(g, p),
        };
        self.now
    }

    /// Weighted value of components.
    pub fn value(&self, c: &Components) -> f64 {
        let w = &self.weights;
        w.pcn * c.pcn_split
            + w.community * c.community_split
            + w.compactness * c.cut_km
            + w.balance * c.imbalance
            + w.existing * c.existing_moved
    }

    /// Weighted value once `prop` is applied (terms of weight 0 are skipped: they add 0 either way).
    pub fn score(&mut self, g: &LGraph, p: &Partition, prop: &Proposal) -> f64 {
        let w = self.weights.clone();
        let mut c = self.now;
        if w.pcn != 0.0 {
            c.pcn_split = self.pcn.score(g, p, prop);
        }
        if w.community != 0.0 {
            c.community_split = self.community.score(g, p, prop);
        }
        if w.compactness != 0.0 {
            c.cut_km = self.cut.score(g, p, prop) / 1000.0;
        }
        if w.balance != 0.0 {
            c.imbalance = self.balance.score(g, p, prop);
        }
        if w.existing != 0.0 {
            c.existing_moved = self.existing.score(g, p, prop);
        }
        self.next = c;
        self.value(&c)
    }

    /// The proposal scored last was accepted.
    pub fn accept(&mut self) {
        let w = &self.weights;
        if w.pcn != 0.0 {
            self.pcn.accept();
        }
        if w.community != 0.0 {
            self.community.accept();
        }
        if w.compactness != 0.0 {
            self.cut.accept();
        }
        if w.balance != 0.0 {
            self.balance.accept();
        }
        if w.existing != 0.0 {
            self.existing.accept();
        }
        self.now = self.next;
    }
}
