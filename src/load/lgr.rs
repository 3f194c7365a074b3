//! Step 8: LGR options — LAD → proposed unitary (whole / most / part rows) or LSOA → unitary.

use super::{Loader, EXAMPLES};
use crate::error::Result;
use crate::model::{LgrOption, UnitId};
use crate::scenario::{LgrBy, LgrTable};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// One row: (code, unit, assignment).
type Row = (String, String, String);

/// Join every `[[lgr]]` table.
pub(crate) fn join(ld: &mut Loader) -> Result<()> {
    for table in &ld.sc.lgr {
        let p = ld.sc.resolve(&table.path);
        let t = ld.table("lgr", &p)?;
        for (name, rows) in options(table, &t)? {
            let opt = option(ld, table, name, &rows);
            ld.lgr.push(opt);
        }
    }
    Ok(())
}

/// Rows per option, options in order of first appearance.
fn options(cfg: &LgrTable, t: &crate::io::table::Table) -> Result<Vec<(String, Vec<Row>)>> {
    let (c, u) = (t.col(&cfg.code)?, t.col(&cfg.unit)?);
    let oc = cfg.option.as_ref().map(|o| t.col(o)).transpose()?;
    let ac = cfg.assignment.as_ref().map(|a| t.col(a)).transpose()?;
    let mut opts: Vec<(String, Vec<Row>)> = Vec::new();
    for r in &t.rows {
        let opt = oc.map(|k| t.get(r, k).to_string()).or_else(|| cfg.name.clone()).unwrap_or_default();
        let assign = ac.map(|k| t.get(r, k).to_ascii_lowercase()).unwrap_or_else(|| "whole".into());
        let row = (t.get(r, c).to_string(), t.get(r, u).to_string(), assign);
        match opts.iter_mut().find(|(n, _)| *n == opt) {
            Some((_, v)) => v.push(row),
            None => opts.push((opt, vec![row])),
        }
    }
    Ok(opts)
}

/// One option's unit per study LSOA; 'whole' rows win over 'most', 'part' rows are only reported.
fn option(ld: &mut Loader, cfg: &LgrTable, name: String, rows: &[Row]) -> LgrOption {
    let mut by_code: HashMap<&str, (&str, u8)> = HashMap::new();
    let mut partial: BTreeSet<&str> = BTreeSet::new();
    let mut units: Vec<String> = Vec::new();
    for (code, unit, assign) in rows {
        if !units.contains(unit) {
            units.push(unit.clone());
        }
        let rank = match assign.as_str() {
            "whole" | "" => 3,
            "most" => 2,
            _ => 1,
        };
        if rank < 3 {
            partial.insert(code);
        }
        if rank >= 2 && by_code.get(code.as_str()).is_none_or(|(_, r)| *r < rank) {
            by_code.insert(code, (unit, rank));
        }
    }
    let unit_id: BTreeMap<&str, UnitId> = units.iter().enumerate().map(|(i, u)| (u.as_str(), i as UnitId)).collect();
    let mut unassigned = Vec::new();
    let mut needs: BTreeSet<String> = BTreeSet::new();
    let mut unit_of = Vec::with_capacity(ld.areas.len());
    for a in &ld.areas {
        let key = match cfg.by {
            LgrBy::Lad => a.lad.code.as_str(),
            LgrBy::Lsoa => a.code.as_str(),
        };
        if cfg.by == LgrBy::Lad && partial.contains(key) {
            needs.insert(format!("{} {}", a.lad.code, a.lad.name));
        }
        let unit = by_code.get(key).map(|(u, _)| unit_id[u]);
        if unit.is_none() {
            unassigned.push(a.code.clone());
        }
        unit_of.push(unit);
    }
    let needs: Vec<String> = needs.into_iter().collect();
    warn(ld, &name, &needs, &unassigned);
    LgrOption { name, units, needs_lsoa_table: needs, unassigned, unit_of }
}

fn warn(ld: &mut Loader, name: &str, needs: &[String], unassigned: &[String]) {
    if !needs.is_empty() {
        ld.warn(format!(
            "LGR option {name}: {} given only in part ('part'/'most' rows) — an LSOA-level table is needed; \
             until then each is placed whole in its 'most' unit (approximation)",
            needs.join(", ")
        ));
    }
    if !unassigned.is_empty() {
        ld.warn(format!(
            "LGR option {name}: {} study-area LSOA(s) have no unit (e.g. {})",
            unassigned.len(),
            unassigned.iter().take(EXAMPLES).cloned().collect::<Vec<_>>().join(", ")
        ));
    }
}
