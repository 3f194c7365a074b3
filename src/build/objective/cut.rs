//! Cut boundary length: Σ shared boundary over edges whose ends lie in different parts.
//!
//! Shared lengths are not whole numbers, so the order of addition matters to the last bit, and
//! annealing decisions compare totals. The term keeps, per part, the lengths it adds in a full pass
//! (its nodes in order, each node's neighbours in order, edges counted from their lower end) and
//! the running total before each part; a proposal recomputes the two redrawn parts' lists and
//! re-adds from the first of them, which gives exactly the full pass's total.

use super::Term;
use crate::build::graph::LGraph;
use crate::build::partition::{Partition, Proposal};

/// The cut term.
#[derive(Debug, Clone, Default)]
pub struct Cut {
    /// Per part: lengths it adds, in order.
    adds: Vec<Vec<f64>>,
    /// Running total before each part (`k + 1` values; the last is the total).
    before: Vec<f64>,
    /// Lists of the two redrawn parts for the proposal scored last, and its parts.
    next1: Vec<f64>,
    next2: Vec<f64>,
    next_before: Vec<f64>,
    last_parts: (usize, usize),
}

/// Lengths part `d` with `nodes` adds, given the part of each node.
fn part_adds(g: &LGraph, nodes: &[usize], d: usize, label: impl Fn(usize) -> Option<usize>, out: &mut Vec<f64>) {
    out.clear();
    for &a in nodes {
        for nb in &g.adj[a] {
            if a < nb.node {
                if let Some(lb) = label(nb.node) {
                    if lb != d {
                        out.push(nb.shared_m);
                    }
                }
            }
        }
    }
}

impl Term for Cut {
    fn init(&mut self, g: &LGraph, p: &Partition) -> f64 {
        let k = p.len();
        self.adds = vec![Vec::new(); k];
        for (d, part) in p.parts().iter().enumerate() {
            part_adds(g, part, d, |v| p.label(v), &mut self.adds[d]);
        }
        self.before = vec![0.0; k + 1];
        let mut s = 0.0;
        for d in 0..k {
            self.before[d] = s;
            for x in &self.adds[d] {
                s += x;
            }
        }
        self.before[k] = s;
        s
    }

    fn score(&mut self, g: &LGraph, p: &Partition, prop: &Proposal) -> f64 {
        let (d1, d2) = (prop.d1, prop.d2);
        self.last_parts = (d1, d2);
        part_adds(g, &prop.new1, d1, |v| prop.label_after(p, v), &mut self.next1);
        part_adds(g, &prop.new2, d2, |v| prop.label_after(p, v), &mut self.next2);
        let k = self.adds.len();
        let from = d1.min(d2);
        self.next_before.clear();
        self.next_before.extend_from_slice(&self.before);
        let mut s = self.before[from];
        for d in from..k {
            self.next_before[d] = s;
            let list = if d == d1 {
                &self.next1
            } else if d == d2 {
                &self.next2
            } else {
                &self.adds[d]
            };
            for x in list {
                s += x;
            }
        }
        self.next_before[k] = s;
        s
    }

    fn accept(&mut self) {
        let (d1, d2) = self.last_parts;
        std::mem::swap(&mut self.adds[d1], &mut self.next1);
        std::mem::swap(&mut self.adds[d2], &mut self.next2);
        std::mem::swap(&mut self.before, &mut self.next_before);
    }
}
