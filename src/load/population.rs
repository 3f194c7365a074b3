//! Step 4: Census population — every study LSOA must have a row.

use super::join::{code_vintage_error, Join};
use super::Loader;
use crate::error::{Error, Result};
use crate::io::table::parse_count;

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
        if let Some(k) = j.row(ld, &t, i, code)? {
            ld.areas[k].pop = n;
        }
    }
    let (js, got) = j.finish(ld);
    let err = (js.missing > 0).then(|| code_vintage_error(ld, &pp, "population", &js, &got));
    ld.report.joins.push(js);
    err.map_or(Ok(()), Err)
}
