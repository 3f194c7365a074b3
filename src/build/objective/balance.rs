//! Imbalance: Σ_d |pop_d − ideal|, added in part order (part populations are whole people, so
//! only the order of the sum over parts matters, and it is kept).

use super::Term;
use crate::build::graph::LGraph;
use crate::build::partition::{Partition, Proposal};

/// The balance term.
#[derive(Debug, Clone, Default)]
pub struct Balance {
    ideal: f64,
    pops: Vec<f64>,
    next: (usize, f64, usize, f64),
}

impl Balance {
    /// The term around `ideal` people per part.
    pub fn new(ideal: f64) -> Balance {
        Balance { ideal, ..Default::default() }
    }

    fn total(&self, pop: impl Fn(usize) -> f64) -> f64 {
        (0..self.pops.len()).map(|d| (pop(d) - self.ideal).abs()).sum()
    }
}

impl Term for Balance {
    fn init(&mut self, g: &LGraph, p: &Partition) -> f64 {
        self.pops = p.parts().iter().map(|part| part.iter().map(|&a| g.pop[a]).sum::<f64>()).collect();
        self.total(|d| self.pops[d])
    }

    fn score(&mut self, g: &LGraph, _p: &Partition, prop: &Proposal) -> f64 {
        let pop1: f64 = prop.new1.iter().map(|&a| g.pop[a]).sum();
        let pop2: f64 = prop.new2.iter().map(|&a| g.pop[a]).sum();
        self.next = (prop.d1, pop1, prop.d2, pop2);
        self.total(|d| {
            if d == prop.d1 {
                pop1
            } else if d == prop.d2 {
                pop2
            } else {
                self.pops[d]
            }
        })
    }

    fn accept(&mut self) {
        let (d1, pop1, d2, pop2) = self.next;
        self.pops[d1] = pop1;
        self.pops[d2] = pop2;
    }
}
