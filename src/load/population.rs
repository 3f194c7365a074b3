//! Step 4: Census population — every study LSOA must have a row.

use super::join::{code_vintage_error, Join};
use super::Loader;
use crate::error::{Error, Result};
use crate::io::table::parse_count;

/// Most people a single LSOA can plausibly hold: 20,000. LSOAs are designed for 1,000–3,000
/// residents and the largest in the Census 2021 (England and Wales, 35,672 LSOAs) has 9,899, so a
/// value above twice that is a unit or parsing error (e.g. an MSOA or LAD total, or digits run
/// together). The bound also keeps every total far from `u64` overflow. Registered patients of one
/// practice in one LSOA are held to the same bound.
pub const MAX_LSOA_PEOPLE: u64 = 20_000;

/// Join the population table.
pub(crate) fn join(ld: &mut Loader) -> Result<()> {
    let cfg = &ld.sc.population;
    let pp = ld.sc.resolve(&cfg.path);
    let t = ld.table("population", &pp)?;
    let (c, v) = (t.col(&cfg.code)?, t.col(&cfg.value)?);
    let mut j = Join::new(ld, "population", &pp, t.rows.len());
    for (i, r) in t.rows.iter().enumerate() {
        let code = t.get(r, c);
        let raw = t.get(r, v);
        let n = parse_count(raw).ok_or_else(|| {
            Error::at(&pp, t.line(i), format!("population \"{raw}\" for {code} is not a whole number ≥ 0"))
                .hint(format!("column \"{}\" must hold counts of people", cfg.value))
        })?;
        if n > MAX_LSOA_PEOPLE {
            return Err(Error::at(
                &pp,
                t.line(i),
                format!("population {raw} for {code} in column \"{}\" is above {MAX_LSOA_PEOPLE}", cfg.value),
            )
            .hint("no LSOA holds that many people (the largest in Census 2021 has 9,899); check the column and row"));
        }
        if let Some(k) = j.row(ld, &t, i, code)? {
            ld.areas[k].pop = n;
        }
    }
    let (js, got) = j.finish(ld);
    let err = (js.missing > 0).then(|| code_vintage_error(ld, &pp, "population", &js, &got));
    ld.report.joins.push(js);
    err.map_or(Ok(()), Err)?;
    zero_population(ld, &pp, &cfg.value)
}

/// A study area with nobody in it cannot be built or scored: an error. Single LSOAs with 0 people
/// (no LSOA of the Census 2021 has fewer than 997) are counted in a warning.
fn zero_population(ld: &mut Loader, pp: &std::path::Path, col: &str) -> crate::error::Result<()> {
    let zero: Vec<&str> = ld.areas.iter().filter(|a| a.pop == 0).map(|a| a.code.as_str()).collect();
    if zero.len() == ld.areas.len() {
        return Err(Error::input(pp, format!("every one of the {} study-area LSOAs has population 0", zero.len()))
            .hint(format!("check that column \"{col}\" (population.value) holds the number of residents")));
    }
    if !zero.is_empty() {
        let eg = zero.iter().take(super::EXAMPLES).copied().collect::<Vec<_>>().join(", ");
        ld.warn(format!("{} study-area LSOA(s) have population 0 (e.g. {eg}); check {}", zero.len(), pp.display()));
    }
    Ok(())
}
