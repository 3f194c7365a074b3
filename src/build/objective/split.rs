//! People of a group (PCN, community, existing footprint) living outside the group's main part:
//! Σ_g (total_g − max_d mass(g, d)). Masses are whole people, so the sum is exact in any order and
//! an update by the two redrawn parts equals a full recount.

use super::Term;
use crate::build::graph::LGraph;
use crate::build::partition::{Partition, Proposal};

/// A node's mass in one group.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupMass {
    /// Group id.
    pub group: u32,
    /// People (or registered patients).
    pub mass: f64,
}

/// Group memberships per node, for one kind of grouping (PCN, community, existing footprint).
#[derive(Debug, Clone, Default)]
pub struct Grouping {
    /// Per node: its masses by group.
    pub masses: Vec<Vec<GroupMass>>,
}

impl Grouping {
    /// The grouping of a subgraph's nodes (`nodes[i]` becomes node `i`), groups renumbered from 0
    /// in order of first appearance.
    pub fn induced(&self, nodes: &[usize]) -> Grouping {
        let mut ids: rustc_hash::FxHashMap<u32, u32> = Default::default();
        let masses = nodes
            .iter()
            .map(|&v| {
                self.masses[v]
                    .iter()
                    .map(|gm| {
                        let n = ids.len() as u32;
                        GroupMass { group: *ids.entry(gm.group).or_insert(n), ..*gm }
                    })
                    .collect()
            })
            .collect();
        Grouping { masses }
    }

    fn groups(&self) -> usize {
        self.masses.iter().flatten().map(|gm| gm.group as usize + 1).max().unwrap_or(0)
    }
}

/// A group's mass in one part.
#[derive(Debug, Clone, Copy)]
struct PartMass {
    part: usize,
    mass: f64,
}

/// A group's new masses in the two redrawn parts.
#[derive(Debug, Clone, Copy)]
struct Pending {
    group: usize,
    mass1: f64,
    mass2: f64,
}

/// The split term over one grouping.
#[derive(Debug, Clone, Default)]
pub struct Split {
    grouping: Grouping,
    /// Per group: total mass.
    total: Vec<f64>,
    /// Per group: mass per part holding any of it.
    rows: Vec<Vec<PartMass>>,
    value: f64,
    /// Groups the last scored proposal touches, and its value.
    pending: Vec<Pending>,
    pending_value: f64,
    /// The parts the last scored proposal redraws.
    last_parts: (usize, usize),
    /// Per group: index in `pending`, or `usize::MAX`.
    slot: Vec<usize>,
}

impl Split {
    /// The term over `grouping`.
    pub fn new(grouping: Grouping) -> Split {
        let n = grouping.groups();
        Split { grouping, slot: vec![usize::MAX; n], ..Default::default() }
    }

    fn split_of(&self, g: usize, repl: Option<&Pending>, d1: usize, d2: usize) -> f64 {
        let mut best = 0.0f64;
        for pm in &self.rows[g] {
            if repl.is_none() || (pm.part != d1 && pm.part != d2) {
                best = best.max(pm.mass);
            }
        }
        if let Some(r) = repl {
            best = best.max(r.mass1).max(r.mass2);
        }
        self.total[g] - best
    }
}

impl Term for Split {
    fn init(&mut self, _g: &LGraph, p: &Partition) -> f64 {
        let n = self.slot.len();
        self.total = vec![0.0; n];
        self.rows = vec![Vec::new(); n];
        for (d, part) in p.parts().iter().enumerate() {
            for &v in part {
                for gm in &self.grouping.masses[v] {
                    let g = gm.group as usize;
                    self.total[g] += gm.mass;
                    match self.rows[g].iter_mut().find(|pm| pm.part == d) {
                        Some(pm) => pm.mass += gm.mass,
                        None => self.rows[g].push(PartMass { part: d, mass: gm.mass }),
                    }
                }
            }
        }
        self.value = (0..n).filter(|&g| !self.rows[g].is_empty()).map(|g| self.split_of(g, None, 0, 0)).sum::<f64>();
        self.value
    }

    fn score(&mut self, _g: &LGraph, _p: &Partition, prop: &Proposal) -> f64 {
        for pe in self.pending.drain(..) {
            self.slot[pe.group] = usize::MAX;
        }
        self.last_parts = (prop.d1, prop.d2);
        for (first, nodes) in [(true, &prop.new1), (false, &prop.new2)] {
            for &v in nodes {
                for gm in &self.grouping.masses[v] {
                    let g = gm.group as usize;
                    if self.slot[g] == usize::MAX {
                        self.slot[g] = self.pending.len();
                        self.pending.push(Pending { group: g, mass1: 0.0, mass2: 0.0 });
                    }
                    let pe = &mut self.pending[self.slot[g]];
                    if first {
                        pe.mass1 += gm.mass;
                    } else {
                        pe.mass2 += gm.mass;
                    }
                }
            }
        }
        if self.pending.is_empty() {
            self.pending_value = self.value;
            return self.value;
        }
        let delta: f64 = self
            .pending
            .iter()
            .map(|pe| self.split_of(pe.group, Some(pe), prop.d1, prop.d2) - self.split_of(pe.group, None, 0, 0))
            .sum();
        self.pending_value = self.value + delta;
        self.pending_value
    }

    fn accept(&mut self) {
        // `pending` refers to the parts of the proposal scored last; their masses become the rows.
        self.value = self.pending_value;
        let (d1, d2) = self.last_parts;
        for pe in &self.pending {
            let row = &mut self.rows[pe.group];
            row.retain(|pm| pm.part != d1 && pm.part != d2);
            if pe.mass1 > 0.0 {
                row.push(PartMass { part: d1, mass: pe.mass1 });
            }
            if pe.mass2 > 0.0 {
                row.push(PartMass { part: d2, mass: pe.mass2 });
            }
        }
    }
}
