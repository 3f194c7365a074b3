//! What every metric family needs, computed once per footprint set: footprint names (sorted),
//! each LSOA's footprint, members and populations, and — on first use — access costs.

use super::input;
use super::metric::Unit;
use super::row::FootprintRow;
use super::ScoreOptions;
use crate::io::footprints::FootprintSet;
use crate::model::Practice;
use crate::prepare::Prepared;
use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};

/// Inputs of one scoring run.
pub struct ScoreCtx<'a> {
    /// Study and graph.
    pub p: &'a Prepared,
    /// The set being scored.
    pub set: &'a FootprintSet,
    /// Options.
    pub o: &'a ScoreOptions,
    /// Footprint names, sorted; footprint `f` is `names[f]`.
    pub names: Vec<String>,
    /// Footprint of each LSOA.
    pub fp_of: Vec<usize>,
    /// LSOAs of each footprint (ascending).
    pub members: Vec<Vec<usize>>,
    /// Population of each LSOA.
    pub pop: Vec<f64>,
    /// Population of each footprint.
    pub fpop: Vec<f64>,
    /// Total population.
    pub total: f64,
    nearest: OnceCell<Option<Vec<f64>>>,
}

impl<'a> ScoreCtx<'a> {
    /// Index the set.
    pub fn new(p: &'a Prepared, set: &'a FootprintSet, o: &'a ScoreOptions) -> ScoreCtx<'a> {
        let names: Vec<String> = set.footprint.iter().cloned().collect::<BTreeSet<_>>().into_iter().collect();
        let id: BTreeMap<&str, usize> = names.iter().enumerate().map(|(i, n)| (n.as_str(), i)).collect();
        let fp_of: Vec<usize> = set.footprint.iter().map(|f| id[f.as_str()]).collect();
        let mut members: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
        for (i, &f) in fp_of.iter().enumerate() {
            members[f].push(i);
        }
        let pop: Vec<f64> = (0..input::n(p)).map(|i| input::pop(p, i)).collect();
        let fpop: Vec<f64> = members.iter().map(|m| m.iter().map(|&i| pop[i]).sum()).collect();
        let total = fpop.iter().sum();
        ScoreCtx { p, set, o, names, fp_of, members, pop, fpop, total, nearest: OnceCell::new() }
    }

    /// Number of footprints.
    pub fn k(&self) -> usize {
        self.names.len()
    }

    /// Rows with each footprint's identity and size, for the families to fill.
    pub fn base_rows(&self) -> Vec<FootprintRow> {
        (0..self.k())
            .map(|f| {
                let m = &self.members[f];
                let mnp = self.set.mnp.as_ref().map(|mm| mm[m[0]].clone());
                FootprintRow::new(self.names[f].clone(), mnp, self.fpop[f] as u64, m.len(), self.access_unit())
            })
            .collect()
    }

    /// Unit of access figures: minutes with a travel-time matrix, else km.
    pub fn access_unit(&self) -> Unit {
        if self.o.matrix.is_some() {
            Unit::Minutes
        } else {
            Unit::Km
        }
    }

    /// Cost from LSOA `i` to a practice: the matrix's value when given (missing pairs are
    /// unreachable), else straight-line km × circuity.
    pub fn cost(&self, i: usize, pr: &Practice) -> f64 {
        match &self.o.matrix {
            Some(m) => m.get(i, &pr.code).unwrap_or(f64::INFINITY),
            None => {
                let a = input::point(self.p, i);
                (a.x - pr.xy.x).hypot(a.y - pr.xy.y) / 1000.0 * self.o.circuity
            }
        }
    }

    /// Cost from each LSOA to its nearest practice; `None` without practices.
    pub fn nearest(&self) -> Option<&[f64]> {
        self.nearest
            .get_or_init(|| {
                let prs = input::practices(self.p);
                if prs.is_empty() {
                    None
                } else if self.o.matrix.is_some() {
                    let near = |i| prs.iter().map(|pr| self.cost(i, pr)).fold(f64::INFINITY, f64::min);
                    Some((0..input::n(self.p)).map(near).collect())
                } else {
                    Some(input::nearest_practice_km(self.p).into_iter().map(|d| d * self.o.circuity).collect())
                }
            })
            .as_deref()
    }

    /// Footprint-population-weighted share of a per-LSOA selection: Σ_{i∈F, sel(i)} pᵢ / P_F.
    pub fn share_where(&self, f: usize, sel: impl Fn(usize) -> bool) -> f64 {
        let s: f64 = self.members[f].iter().filter(|&&i| sel(i)).map(|&i| self.pop[i]).sum();
        s / self.fpop[f].max(1.0) + 0.0
    }
}
