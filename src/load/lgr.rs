//! Step 8: LGR options — LAD → proposed unitary (whole / most / part rows) or LSOA → unitary.
//!
//! Keys: within one option a code may appear once, except that a LAD split between unitaries may
//! have 'part' rows in several units beside at most one 'most' row; a LAD given 'whole' to one
//! unitary and also to another, or 'most' to two, is an error naming both rows. Rows whose code is
//! not in the study area are counted in the option's join line (`outside`, or `unknown` for LSOA
//! codes not in the boundary file) and named in the warning about unassigned LSOAs.

use super::join::JoinStat;
use super::{Loader, EXAMPLES};
use crate::error::{Error, Result};
use crate::io::table::Table;
use crate::model::{LgrOption, UnitId};
use crate::scenario::{LgrBy, LgrTable};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One row: table row index, code, unit, assignment rank (3 whole, 2 most, 1 part).
struct Row {
    line: usize,
    code: String,
    unit: String,
    rank: u8,
}

/// Join every `[[lgr]]` table.
pub(crate) fn join(ld: &mut Loader) -> Result<()> {
    for table in &ld.sc.lgr {
        let p = ld.sc.resolve(&table.path);
        let t = ld.table("lgr", &p)?;
        if t.rows.is_empty() {
            // Otherwise the table's options would vanish without a word (found by fuzzing).
            return Err(Error::input(&p, "the file has a header but no data rows").hint(
                "an [[lgr]] table needs a row per district (or LSOA) and option; remove the [[lgr]] entry if there are none",
            ));
        }
        for (name, rows) in options(table, &t)? {
            check_keys(table, &t, &name, &rows)?;
            let opt = option(ld, table, &t, name, &rows);
            ld.lgr.push(opt);
        }
    }
    Ok(())
}

/// Rows per option, options in order of first appearance.
fn options(cfg: &LgrTable, t: &Table) -> Result<Vec<(String, Vec<Row>)>> {
    let (c, u) = (t.col(&cfg.code)?, t.col(&cfg.unit)?);
    let oc = cfg.option.as_ref().map(|o| t.col(o)).transpose()?;
    let ac = cfg.assignment.as_ref().map(|a| t.col(a)).transpose()?;
    let mut opts: Vec<(String, Vec<Row>)> = Vec::new();
    for (i, r) in t.rows.iter().enumerate() {
        let opt = oc.map(|k| t.get(r, k).to_string()).or_else(|| cfg.name.clone()).unwrap_or_default();
        let assign = ac.map(|k| t.get(r, k).to_ascii_lowercase()).unwrap_or_else(|| "whole".into());
        let rank = match assign.as_str() {
            "whole" | "" => 3,
            "most" => 2,
            _ => 1,
        };
        let row = Row { line: i, code: t.get(r, c).to_string(), unit: t.get(r, u).to_string(), rank };
        if row.unit.is_empty() {
            return Err(Error::at(&t.path, t.line(i), format!("{} has an empty unitary name", row.code))
                .hint(format!("give every row a name in column \"{}\"", cfg.unit)));
        }
        match opts.iter_mut().find(|(n, _)| *n == opt) {
            Some((_, v)) => v.push(row),
            None => opts.push((opt, vec![row])),
        }
    }
    Ok(opts)
}

/// A code may not be placed twice in one option: an LSOA twice, a LAD twice in the same unit, or a
/// LAD 'whole' in one unit and in another too, or 'most' in two units.
fn check_keys(cfg: &LgrTable, t: &Table, name: &str, rows: &[Row]) -> Result<()> {
    let mut first: HashMap<&str, &Row> = HashMap::new();
    for r in rows {
        let Some(prev) = first.get(r.code.as_str()).copied() else {
            first.insert(&r.code, r);
            continue;
        };
        let clash = cfg.by == LgrBy::Lsoa
            || prev.unit == r.unit
            || prev.rank.max(r.rank) == 3
            || (prev.rank == 2 && r.rank == 2);
        if clash {
            let what = if cfg.by == LgrBy::Lsoa { "LSOA" } else { "LAD" };
            return Err(Error::at(
                &t.path,
                format!("{} and {}", t.line(prev.line), t.line(r.line)),
                format!(
                    "LGR option {name}: {what} {} is placed in \"{}\" and again in \"{}\"",
                    r.code, prev.unit, r.unit
                ),
            )
            .hint("a code belongs to one unitary per option; a LAD split between unitaries takes 'part' rows and at most one 'most' row"));
        }
        if r.rank > prev.rank {
            first.insert(&r.code, r);
        }
    }
    Ok(())
}

/// One option's unit per study LSOA; 'whole' rows win over 'most', 'part' rows are only reported.
fn option(ld: &mut Loader, cfg: &LgrTable, t: &Table, name: String, rows: &[Row]) -> LgrOption {
    let mut by_code: HashMap<&str, (&str, u8)> = HashMap::new();
    let mut partial: BTreeSet<&str> = BTreeSet::new();
    let mut units: Vec<String> = Vec::new();
    for r in rows {
        if !units.contains(&r.unit) {
            units.push(r.unit.clone());
        }
        if r.rank < 3 {
            partial.insert(&r.code);
        }
        if r.rank >= 2 && by_code.get(r.code.as_str()).is_none_or(|(_, k)| *k < r.rank) {
            by_code.insert(&r.code, (&r.unit, r.rank));
        }
    }
    let unit_id: BTreeMap<&str, UnitId> = units.iter().enumerate().map(|(i, u)| (u.as_str(), i as UnitId)).collect();
    let mut unassigned = Vec::new();
    let mut needs: BTreeSet<String> = BTreeSet::new();
    let mut unit_of = Vec::with_capacity(ld.areas.len());
    let mut used: BTreeSet<&str> = BTreeSet::new();
    for a in &ld.areas {
        let key = match cfg.by {
            LgrBy::Lad => a.lad.code.as_str(),
            LgrBy::Lsoa => a.code.as_str(),
        };
        if cfg.by == LgrBy::Lad && partial.contains(key) {
            needs.insert(a.lad.label());
        }
        let unit = by_code.get(key).map(|(u, _)| unit_id[u]);
        if unit.is_none() {
            unassigned.push(a.code.clone());
        } else {
            used.insert(key);
        }
        unit_of.push(unit);
    }
    let js = join_stat(ld, cfg, t, &name, rows, &used, unassigned.len());
    let needs: Vec<String> = needs.into_iter().collect();
    warn(ld, &name, &needs, &unassigned, &js);
    ld.report.joins.push(js);
    LgrOption { name, units, needs_lsoa_table: needs, unassigned, unit_of }
}

/// The option's join line: study LSOAs with and without a unit, rows for codes outside the study
/// area, and (by LSOA) codes not in the boundary file.
fn join_stat(
    ld: &Loader,
    cfg: &LgrTable,
    t: &Table,
    name: &str,
    rows: &[Row],
    used: &BTreeSet<&str>,
    missing: usize,
) -> JoinStat {
    let mut js = JoinStat::new(&format!("LGR {name}"), &t.path, rows.len());
    js.matched = ld.areas.len() - missing;
    js.missing = missing;
    for r in rows.iter().filter(|r| !used.contains(r.code.as_str())) {
        if cfg.by == LgrBy::Lsoa && !ld.all_codes.contains(&r.code) {
            js.unknown += 1;
            if js.unknown_examples.len() < EXAMPLES {
                js.unknown_examples.push(r.code.clone());
            }
        } else if !(cfg.by == LgrBy::Lad && ld.areas.iter().any(|a| a.lad.code == r.code)) {
            js.outside += 1;
        }
    }
    js
}

fn warn(ld: &mut Loader, name: &str, needs: &[String], unassigned: &[String], js: &JoinStat) {
    if !needs.is_empty() {
        ld.warn(format!(
            "LGR option {name}: {} given only in part ('part'/'most' rows) — an LSOA-level table is needed; \
             until then each is placed whole in its 'most' unit (approximation)",
            needs.join(", ")
        ));
    }
    if !unassigned.is_empty() {
        let elsewhere = if js.outside + js.unknown > 0 {
            format!(
                "; {} row(s) of the option name codes outside the study area{}",
                js.outside + js.unknown,
                if js.unknown_examples.is_empty() {
                    String::new()
                } else {
                    format!(" (e.g. {})", js.unknown_examples.join(", "))
                }
            )
        } else {
            String::new()
        };
        ld.warn(format!(
            "LGR option {name}: {} study-area LSOA(s) have no unit (e.g. {}){elsewhere}",
            unassigned.len(),
            unassigned.iter().take(EXAMPLES).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
}
