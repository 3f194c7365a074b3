//! Hard constraints: the rules every footprint must meet, behind one interface used both by the
//! spanning-tree cut test (seeding and ReCom) and by the plan checker
//! ([`crate::export::check_plan_constrained`]).
//!
//! A constraint looks only at a [`Tally`] — additive totals of a set of nodes — so that a cut can
//! test a subtree and its complement in O(1) from subtree sums. A rule that is not additive (say a
//! maximum travel time to a hub) would add a field to `Tally` and a combine rule for it.

use super::graph::LGraph;

/// Population bounds per footprint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Lowest allowed population of a part.
    pub lo: f64,
    /// Highest allowed population of a part.
    pub hi: f64,
}

/// Additive totals of a set of nodes: what a [`HardConstraint`] tests.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Tally {
    /// Population.
    pub pop: f64,
    /// Lock groups held.
    pub locks: usize,
}

impl Tally {
    /// Totals of one node of `g`.
    pub fn node(g: &LGraph, v: usize) -> Tally {
        Tally { pop: g.pop[v], locks: g.locked[v] as usize }
    }

    /// Totals of a set of nodes of `g`, added in the order given.
    pub fn of(g: &LGraph, nodes: &[usize]) -> Tally {
        Tally { pop: nodes.iter().map(|&v| g.pop[v]).sum(), locks: nodes.iter().filter(|&&v| g.locked[v]).count() }
    }

    /// Add another tally.
    pub fn add(&mut self, o: Tally) {
        self.pop += o.pop;
        self.locks += o.locks;
    }

    /// The totals of the rest when `part` is taken out of `self`.
    pub fn minus(self, part: Tally) -> Tally {
        Tally { pop: self.pop - part.pop, locks: self.locks.saturating_sub(part.locks) }
    }
}

/// A hard rule on footprints, tested on totals.
///
/// # Examples
///
/// ```
/// use footprints::build::{Bounds, HardConstraint, OneLockPerFootprint, Tally};
/// let rules = (Bounds { lo: 40_000.0, hi: 60_000.0 }, OneLockPerFootprint);
/// // 110,000 people and two locks can be two footprints, not one.
/// let t = Tally { pop: 110_000.0, locks: 2 };
/// assert!(rules.admits(&t, 2));
/// assert!(!rules.admits(&t, 1));
/// assert_eq!(rules.violation(&Tally { pop: 55_000.0, locks: 2 }).unwrap(), "holds 2 locked footprints");
/// ```
pub trait HardConstraint {
    /// Whether nodes with totals `t` can form `k` footprints that all meet the rule (necessary
    /// condition; with `k = 1` exact: the nodes form one valid footprint).
    fn admits(&self, t: &Tally, k: usize) -> bool;

    /// What is wrong with a single footprint of totals `t`, or `None` if it meets the rule.
    fn violation(&self, t: &Tally) -> Option<String>;
}

impl HardConstraint for Bounds {
    fn admits(&self, t: &Tally, k: usize) -> bool {
        t.pop >= self.lo * k as f64 - 1e-9 && t.pop <= self.hi * k as f64 + 1e-9
    }

    fn violation(&self, t: &Tally) -> Option<String> {
        (!self.admits(t, 1))
            .then(|| format!("has {:.0} people, outside {:.0}–{:.0}", t.pop, self.lo.ceil(), self.hi.floor()))
    }
}

/// No footprint may hold two locked footprints (locks name distinct footprints).
#[derive(Debug, Clone, Copy, Default)]
pub struct OneLockPerFootprint;

impl HardConstraint for OneLockPerFootprint {
    fn admits(&self, t: &Tally, k: usize) -> bool {
        t.locks <= k
    }

    fn violation(&self, t: &Tally) -> Option<String> {
        (!self.admits(t, 1)).then(|| format!("holds {} locked footprints", t.locks))
    }
}

/// Both rules hold.
impl<A: HardConstraint, B: HardConstraint> HardConstraint for (A, B) {
    fn admits(&self, t: &Tally, k: usize) -> bool {
        self.0.admits(t, k) && self.1.admits(t, k)
    }

    fn violation(&self, t: &Tally) -> Option<String> {
        match (self.0.violation(t), self.1.violation(t)) {
            (Some(a), Some(b)) => Some(format!("{a}; {b}")),
            (a, b) => a.or(b),
        }
    }
}

/// Violations of `rule` by footprints with the given totals, as "`what` `i` …" messages.
pub fn violations(rule: &dyn HardConstraint, what: &str, tallies: &[Tally]) -> Vec<String> {
    tallies.iter().enumerate().filter_map(|(i, t)| rule.violation(t).map(|v| format!("{what} {i} {v}"))).collect()
}

/// Per LSOA: its population, and one lock for the first LSOA of each lock group, so that an SNP's
/// summed tally counts the lock groups it holds (for the plan checker).
pub fn lock_tallies(p: &crate::prepare::Prepared, locks: &std::collections::BTreeMap<usize, String>) -> Vec<Tally> {
    let mut out: Vec<Tally> = p.study.areas.iter().map(|a| Tally { pop: a.pop as f64, locks: 0 }).collect();
    let mut seen = std::collections::BTreeSet::new();
    for (&i, name) in locks {
        if seen.insert(name) {
            out[i].locks = 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_scale_with_the_number_of_footprints() {
        let b = Bounds { lo: 10.0, hi: 12.0 };
        assert!(b.admits(&Tally { pop: 22.0, locks: 0 }, 2));
        assert!(!b.admits(&Tally { pop: 22.0, locks: 0 }, 1));
        assert!(!b.admits(&Tally { pop: 19.0, locks: 0 }, 2));
        assert_eq!(violations(&b, "SNP", &[Tally { pop: 11.0, locks: 0 }, Tally { pop: 13.0, locks: 0 }]).len(), 1);
    }

    #[test]
    fn complement_of_a_subtree() {
        let all = Tally { pop: 30.0, locks: 2 };
        assert_eq!(all.minus(Tally { pop: 10.0, locks: 1 }), Tally { pop: 20.0, locks: 1 });
    }
}
