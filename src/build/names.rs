//! Names people would use: SNPs after their most populous ward (or PCN, or MSOA stem), MNPs after
//! their main districts; locks name their footprint; duplicates made unique.

use super::Plan;
use crate::prepare::Prepared;
use std::collections::BTreeMap;

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            if w.len() <= 3 && w.chars().all(|c| c.is_ascii_uppercase()) && w == "PCN" {
                return w.to_string();
            }
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Footprint names of a plan.
#[derive(Debug, Clone, PartialEq)]
pub struct Names {
    /// Name per SNP.
    pub snp: Vec<String>,
    /// Name per MNP.
    pub mnp: Vec<String>,
}

/// Names people would use: SNPs after their most populous ward (or community, PCN or MSOA
/// stem), MNPs after their main districts; locks name their footprint.
pub fn names(p: &Prepared, plan: &Plan, locks: &BTreeMap<usize, String>) -> Names {
    let areas = &p.study.areas;
    let mut ranked: Vec<Vec<(String, f64)>> = vec![Vec::new(); plan.n_snp()];
    let mut tmp: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); plan.n_snp()];
    for (i, a) in areas.iter().enumerate() {
        let key = match (p.study.ward(i), p.study.pcn(i)) {
            (Some(w), _) => w.name.clone(),
            (None, Some(pc)) => title_case(&pc.name.replace(" PCN", "")),
            _ => a.name.rsplit_once(' ').map(|x| x.0.to_string()).unwrap_or_else(|| a.name.clone()),
        };
        *tmp[plan.snp_of[i]].entry(key).or_default() += a.pop as f64;
    }
    for (s, m) in tmp.into_iter().enumerate() {
        let mut v: Vec<(String, f64)> = m.into_iter().collect();
        v.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
        ranked[s] = v;
    }
    let mut snp: Vec<String> = ranked.iter().map(|r| r.first().map(|x| x.0.clone()).unwrap_or_default()).collect();
    for (i, name) in locks {
        snp[plan.snp_of[*i]] = name.clone();
    }
    dedupe(&mut snp, |s| ranked[s].get(1).map(|x| format!("{} & {}", ranked[s][0].0, x.0)));
    // MNPs: districts with ≥ 25% of the population.
    let mut lad_pop: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); plan.n_mnp()];
    let mut top_snp: Vec<(f64, usize)> = vec![(0.0, 0); plan.n_mnp()];
    let mut snp_pop = vec![0.0; plan.n_snp()];
    for (i, a) in areas.iter().enumerate() {
        *lad_pop[plan.mnp_of(i)].entry(p.study.lad(i).name.clone()).or_default() += a.pop as f64;
        snp_pop[plan.snp_of[i]] += a.pop as f64;
    }
    for (s, &m) in plan.mnp_of_snp.iter().enumerate() {
        if snp_pop[s] > top_snp[m].0 {
            top_snp[m] = (snp_pop[s], s);
        }
    }
    let mut mnp: Vec<String> = lad_pop
        .iter()
        .map(|m| {
            let total: f64 = m.values().sum();
            let mut v: Vec<(&String, &f64)> = m.iter().collect();
            v.sort_by(|x, y| y.1.total_cmp(x.1).then(x.0.cmp(y.0)));
            let main: Vec<String> = v.iter().filter(|x| *x.1 >= 0.25 * total).take(2).map(|x| x.0.clone()).collect();
            if main.is_empty() {
                v.first().map(|x| x.0.clone()).unwrap_or_default()
            } else {
                main.join(" & ")
            }
        })
        .collect();
    dedupe(&mut mnp, |m| {
        Some(format!("{} – {}", lad_pop[m].keys().next().cloned().unwrap_or_default(), snp[top_snp[m].1]))
    });
    let base = mnp.clone();
    for (m, name) in mnp.iter_mut().enumerate() {
        if base.iter().filter(|x| *x == &base[m]).count() > 1 || name.contains(" – ") {
            *name = format!("{} – {}", base[m].split(" – ").next().unwrap_or(""), snp[top_snp[m].1]);
        }
    }
    Names { snp, mnp }
}

fn dedupe(names: &mut [String], alt: impl Fn(usize) -> Option<String>) {
    let counts = |names: &[String], n: &str| names.iter().filter(|x| x.as_str() == n).count();
    for i in 0..names.len() {
        if counts(names, &names[i]) > 1 {
            if let Some(a) = alt(i) {
                names[i] = a;
            }
        }
    }
    for i in 0..names.len() {
        let mut k = 2;
        let base = names[i].clone();
        while names.iter().enumerate().any(|(j, x)| j != i && *x == names[i]) {
            names[i] = format!("{base} ({k})");
            k += 1;
        }
    }
}
