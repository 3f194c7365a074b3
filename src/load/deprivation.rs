//! Step 5: deprivation (IoD 2025 on LSOA 2021, or IMD 2019 on LSOA 2011 carried through the ONS
//! lookup) — every study LSOA must have a row.

use super::join::{code_vintage_error, JoinStat};
use super::{Loader, EXAMPLES};
use crate::error::{Error, Result};
use crate::io::table::{parse_f64, Table};
use crate::model::Imd;
use crate::scenario::Deprivation;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

/// Columns of the deprivation table.
struct Cols {
    code: usize,
    score: Option<usize>,
    rank: Option<usize>,
    decile: Option<usize>,
    need: Option<usize>,
}

/// Join the deprivation table, if the scenario names one.
pub(crate) fn join(ld: &mut Loader) -> Result<()> {
    let Some(d) = &ld.sc.deprivation else { return Ok(()) };
    let dp = ld.sc.resolve(&d.path);
    let t = ld.table("deprivation", &dp)?;
    let cols = columns(d, &t, &dp)?;
    let (mut rows, mut unknown) = read_rows(ld, d, &t, &cols)?;
    if let Some(lk) = &d.lsoa11_lookup {
        rows = carry_from_2011(ld, &ld.sc.resolve(lk), &rows)?;
        unknown.clear();
    }
    let mut js = JoinStat::new("deprivation", &dp, t.rows.len());
    let mut got = vec![false; ld.areas.len()];
    let mut keys: Vec<&String> = rows.keys().collect();
    keys.sort();
    for code in keys {
        if let Some(&i) = ld.index.get(code) {
            ld.areas[i].imd = Some(rows[code].clone());
            got[i] = true;
            js.matched += 1;
        } else {
            js.not_in_study(ld, code);
        }
    }
    unknown.sort();
    js.unknown += unknown.len();
    let room = EXAMPLES.saturating_sub(js.unknown_examples.len());
    js.unknown_examples.extend(unknown.into_iter().take(room));
    js.set_missing(ld, &got);
    let err = (js.missing > 0).then(|| code_vintage_error(ld, &dp, "deprivation", &js, &got));
    ld.report.joins.push(js);
    err.map_or(Ok(()), Err)
}

fn columns(d: &Deprivation, t: &Table, dp: &Path) -> Result<Cols> {
    let (rank, decile, score) = (t.find_col(&d.rank), t.find_col(&d.decile), t.find_col(&d.score));
    if rank.is_none() && decile.is_none() && score.is_none() {
        return Err(Error::input(
            dp,
            format!("none of the columns \"{}\", \"{}\", \"{}\" is present", d.score, d.rank, d.decile),
        )
        .hint(format!("columns found: {}; set deprivation.score / rank / decile", t.headers.join(", "))));
    }
    let need = match &d.need {
        Some(n) => Some(t.col(n)?),
        None => None,
    };
    Ok(Cols { code: t.col(&d.code)?, score, rank, decile, need })
}

/// Rows kept (boundary-file LSOAs, or every row when carrying 2011 values), and codes not in the
/// boundary file.
fn read_rows(ld: &Loader, d: &Deprivation, t: &Table, cols: &Cols) -> Result<(HashMap<String, Imd>, Vec<String>)> {
    let mut rows: HashMap<String, Imd> = HashMap::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut unknown: Vec<String> = Vec::new();
    for (i, r) in t.rows.iter().enumerate() {
        let code = t.get(r, cols.code);
        let num = |col: Option<usize>, what: &str| -> Result<Option<f64>> {
            let Some(k) = col else { return Ok(None) };
            let s = t.get(r, k);
            if s.is_empty() {
                return Ok(None);
            }
            parse_f64(s)
                .map(Some)
                .ok_or_else(|| Error::at(&t.path, t.line(i), format!("{what} \"{s}\" for {code} is not a number")))
        };
        let (rank, decile) = rank_and_decile(t, i, code, num(cols.rank, "IMD rank")?, num(cols.decile, "IMD decile")?)?;
        let imd = Imd {
            score: num(cols.score, "IMD score")?,
            rank,
            decile,
            need: num(cols.need, "need index")?,
            approximate: false,
        };
        t.first_row(&mut seen, code, i, || format!("duplicate LSOA code {code}"))
            .map_err(|e| e.hint("one row per LSOA is expected"))?;
        if d.lsoa11_lookup.is_some() || ld.all_codes.contains(code) {
            rows.insert(code.to_string(), imd);
        } else {
            unknown.push(code.to_string());
        }
    }
    Ok((rows, unknown))
}

/// Highest IMD rank: the number of LSOAs ranked by the English Indices of Deprivation 2025 (33,755
/// LSOA 2021 in England; IMD 2019 ranked 32,844 LSOA 2011).
pub const MAX_IMD_RANK: u32 = 33_755;

/// Rank (1 = most deprived, whole, at most [`MAX_IMD_RANK`]) and decile (whole, 1–10) of row `i`,
/// which must agree when both are given: decile d holds ranks ((d − 1)·N/10, d·N/10] for N =
/// 32,844 (IMD 2019) to 33,755 (IoD 2025).
fn rank_and_decile(
    t: &Table,
    i: usize,
    code: &str,
    rank: Option<f64>,
    decile: Option<f64>,
) -> Result<(Option<u32>, Option<u8>)> {
    let whole = |v: Option<f64>, what: &str, max: u32| -> Result<Option<u32>> {
        let Some(x) = v else { return Ok(None) };
        if x.fract() != 0.0 || x < 1.0 || x > f64::from(max) {
            return Err(Error::at(
                &t.path,
                t.line(i),
                format!("{what} {x} for {code} is not a whole number from 1 to {max}"),
            )
            .hint("ranks run from 1 (most deprived) to 33,755 (the LSOAs of England); deciles from 1 to 10"));
        }
        Ok(Some(x as u32))
    };
    let rank = whole(rank, "IMD rank", MAX_IMD_RANK)?;
    let decile = whole(decile, "IMD decile", 10)?;
    if let (Some(r), Some(d)) = (rank, decile) {
        let lo = ((d - 1) * 32_844 / 10).max(1);
        let hi = (d * MAX_IMD_RANK).div_ceil(10) + 1;
        if r < lo || r > hi {
            return Err(Error::at(
                &t.path,
                t.line(i),
                format!("IMD rank {r} and decile {d} of {code} contradict each other (decile {d} holds ranks about {lo}–{hi})"),
            )
            .hint("check the rank and decile columns (deprivation.rank / deprivation.decile) are the IMD's and not a domain's"));
        }
    }
    Ok((rank, decile.map(|d| d as u8)))
}

/// Carry LSOA 2011 values onto 2021 codes: a 2021 LSOA takes the mean of its 2011 parents.
fn carry_from_2011(ld: &mut Loader, lp: &Path, rows: &HashMap<String, Imd>) -> Result<HashMap<String, Imd>> {
    let lt = ld.table("deprivation.lsoa11_lookup", lp)?;
    let (c11, c21) = (lt.col("lsoa11_code")?, lt.col("lsoa21_code")?);
    let mut parents: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for r in &lt.rows {
        parents.entry(lt.get(r, c21).to_string()).or_default().push(lt.get(r, c11).to_string());
    }
    let mut carried = HashMap::new();
    for a in &ld.areas {
        let Some(ps) = parents.get(&a.code) else { continue };
        let vals: Vec<&Imd> = ps.iter().filter_map(|p| rows.get(p)).collect();
        if vals.is_empty() {
            continue;
        }
        let mean = |f: &dyn Fn(&Imd) -> Option<f64>| {
            let xs: Vec<f64> = vals.iter().filter_map(|v| f(v)).collect();
            (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
        };
        let imd = Imd {
            score: mean(&|v| v.score),
            rank: mean(&|v| v.rank.map(f64::from)).map(|x| x.round() as u32),
            decile: mean(&|v| v.decile.map(f64::from)).map(|x| x.round() as u8),
            need: mean(&|v| v.need),
            approximate: true,
        };
        carried.insert(a.code.clone(), imd);
    }
    ld.warn(format!(
        "deprivation carried from LSOA 2011 to 2021 through {} ({} LSOAs; merged LSOAs take the mean of their parents)",
        lp.display(),
        carried.len()
    ));
    Ok(carried)
}
