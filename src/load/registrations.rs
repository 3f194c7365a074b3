//! Step 7: registered patients by practice × LSOA → each LSOA's patients by PCN and its majority PCN.

use super::join::JoinStat;
use super::{Loader, EXAMPLES};
use crate::error::{Error, Result};
use crate::io::table::{parse_count, Table};
use crate::scenario::Registrations;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// Column positions.
struct Cols {
    lsoa: usize,
    practice: usize,
    patients: usize,
    pcn_code: Option<usize>,
    pcn_name: Option<usize>,
}

/// Join the registrations table, if the scenario names one.
pub(crate) fn join(ld: &mut Loader) -> Result<()> {
    let Some(rg) = &ld.sc.registrations else { return Ok(()) };
    let p = ld.sc.resolve(&rg.path);
    let t = ld.table("registrations", &p)?;
    let cols = columns(ld, rg, &t)?;
    let (mut total, mut inside) = (0u64, 0u64);
    let mut js = JoinStat::new("registrations", &p, t.rows.len());
    let mut got = vec![false; ld.areas.len()];
    let mut list_sum: HashMap<String, u64> = HashMap::new();
    let mut unknown_practices = BTreeSet::new();
    let mut pairs: HashMap<(&str, &str), usize> = HashMap::new();
    let unplaced: HashSet<&str> = ld.unplaced.iter().map(|u| u.code.as_str()).collect();
    let mut inside_unplaced = 0u64;
    // Practices without coordinates still belong to their PCN.
    let practice_pcn: HashMap<String, Option<String>> = ld
        .practices
        .iter()
        .map(|p| (p.code.clone(), p.pcn_code.clone()))
        .chain(ld.unplaced.iter().map(|u| (u.code.clone(), u.pcn_code.clone())))
        .collect();
    for (i, r) in t.rows.iter().enumerate() {
        let n = patients(rg, &t, i, cols.patients)?;
        total = total.checked_add(n).ok_or_else(|| Error::at(&p, t.line(i), "the total of patients overflows"))?;
        let key = (t.get(r, cols.lsoa), t.get(r, cols.practice));
        t.first_row(&mut pairs, key, i, || format!("LSOA {} and practice {} appear twice", key.0, key.1))
            .map_err(|e| e.hint("one row per practice and LSOA is expected; add the two counts into one row"))?;
        let prac = t.get(r, cols.practice);
        *list_sum.entry(prac.to_string()).or_default() += n;
        // (PCN code, name from this table's own PCN columns if it has them).
        let pcn: Option<(String, Option<String>)> = match cols.pcn_code {
            Some(k) => pcn_of_row(ld, &t, r, k, cols.pcn_name),
            None => match practice_pcn.get(prac) {
                Some(code) => code.clone().map(|c| (c, None)),
                None => {
                    unknown_practices.insert(prac.to_string());
                    None
                }
            },
        };
        let code = t.get(r, cols.lsoa);
        if let Some(&ai) = ld.index.get(code) {
            got[ai] = true;
            js.matched += 1;
            inside += n;
            if unplaced.contains(prac) {
                inside_unplaced += n;
            }
            let a = &mut ld.areas[ai];
            a.registered += n;
            if let Some((pcode, name)) = pcn {
                if let Some(name) = name {
                    // The PCN's name is taken from its first study-area row, as the PCN link was before.
                    ld.reg_pcn_names.entry(pcode.clone()).or_insert(name);
                }
                *ld.areas[ai].reg_by_pcn.entry(pcode).or_default() += n;
            }
        } else if ld.all_codes.contains(code) {
            js.outside += 1;
        } else {
            js.unknown += 1;
            if js.unknown_examples.len() < EXAMPLES && !js.unknown_examples.iter().any(|e| e == code) {
                js.unknown_examples.push(code.to_string());
            }
        }
    }
    js.matched = got.iter().filter(|g| **g).count();
    js.set_missing(ld, &got);
    ld.report.joins.push(js);
    if !unknown_practices.is_empty() {
        ld.warn(format!(
            "{} practice(s) in the registrations are not in the practices table (their patients have no PCN): {}",
            unknown_practices.len(),
            unknown_practices.iter().take(EXAMPLES).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
    for pr in &mut ld.practices {
        if pr.list_size.is_none() {
            pr.list_size = list_sum.get(&pr.code).copied();
        }
    }
    for u in &mut ld.unplaced {
        if u.list_size.is_none() {
            u.list_size = list_sum.get(&u.code).copied();
        }
    }
    majority_pcn(ld);
    ld.report.registrations = Some((total, inside));
    if let Some(pl) = &mut ld.report.practice_placement {
        pl.unplaced_registered = Some((inside_unplaced, inside));
    }
    Ok(())
}

/// Patients of row `i`: a whole number from 0 to [`super::MAX_LSOA_PEOPLE`].
fn patients(rg: &Registrations, t: &Table, i: usize, col: usize) -> Result<u64> {
    let raw = t.get(&t.rows[i], col);
    parse_count(raw).filter(|n| *n <= super::MAX_LSOA_PEOPLE).ok_or_else(|| {
        Error::at(
            &t.path,
            t.line(i),
            format!(
                "number of patients \"{raw}\" in column \"{}\" is not a whole number from 0 to {}",
                rg.patients,
                super::MAX_LSOA_PEOPLE
            ),
        )
        .hint("one practice's patients living in one LSOA; no LSOA holds more people than that")
    })
}

fn columns(ld: &Loader, rg: &Registrations, t: &Table) -> Result<Cols> {
    let opt = |c: &Option<String>| c.as_ref().map(|x| t.col(x)).transpose();
    let cols = Cols {
        lsoa: t.col(&rg.lsoa)?,
        practice: t.col(&rg.practice)?,
        patients: t.col(&rg.patients)?,
        pcn_code: opt(&rg.pcn_code)?,
        pcn_name: opt(&rg.pcn_name)?,
    };
    if cols.pcn_code.is_none() && ld.sc.practices.is_none() {
        return Err(Error::input(&t.path, "registrations need each practice's PCN")
            .hint("set registrations.pcn_code (a column of this table) or give a [practices] table"));
    }
    Ok(cols)
}

/// The PCN code and name of a registrations row with its own PCN column (None if unallocated).
fn pcn_of_row(
    ld: &Loader,
    t: &Table,
    r: &csv::StringRecord,
    k: usize,
    name: Option<usize>,
) -> Option<(String, Option<String>)> {
    let code = t.get(r, k).to_string();
    let unalloc = match &ld.sc.practices {
        Some(x) => x.unallocated.contains(&code),
        None => code == "U" || code.is_empty(),
    };
    if unalloc {
        return None;
    }
    Some((code, name.map(|k| t.get(r, k).to_string()).filter(|n| !n.is_empty())))
}

/// Each LSOA's majority PCN by registered patients (ties to the lower code).
fn majority_pcn(ld: &mut Loader) {
    for a in &mut ld.areas {
        let sum: u64 = a.reg_by_pcn.values().sum();
        if let Some((code, n)) = a.reg_by_pcn.iter().max_by(|x, y| x.1.cmp(y.1).then(y.0.cmp(x.0))) {
            a.pcn = Some((code.clone(), *n as f64 / sum.max(1) as f64, false));
        }
    }
    // Names given by the registrations' own PCN column win over the practices table's.
    let names: BTreeMap<String, String> = std::mem::take(&mut ld.reg_pcn_names);
    ld.pcn_names.extend(names);
}
