//! Resolving `--area` values (LAD codes or names, or sub-ICB / ICB / region codes or names) to the
//! LADs of the study area, and the sub-ICB locations whose practices belong to it.

use crate::error::{Error, Result};
use crate::io::table::Table;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What the `--area` values name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaBy {
    /// Local authority districts (codes E06/E07/E08/E09 or names).
    Lad,
    /// Sub-ICB locations (NHS code such as `10Q`, ONS code `E38…`, or name).
    SubIcb,
    /// Integrated care boards (NHS code such as `QU9`, ONS code `E54…`, or name).
    Icb,
    /// Regions (`E12…` or name, e.g. "South East").
    Region,
}

impl AreaBy {
    /// The word used in messages.
    pub fn noun(self) -> &'static str {
        match self {
            AreaBy::Lad => "district",
            AreaBy::SubIcb => "sub-ICB location",
            AreaBy::Icb => "ICB",
            AreaBy::Region => "region",
        }
    }
}

/// One LSOA's row of the national lookups: its LAD and (when the sub-ICB lookup is read) its
/// sub-ICB and ICB.
#[derive(Debug, Clone, Default)]
pub struct LsoaRow {
    /// LAD code.
    pub lad: String,
    /// Sub-ICB NHS code (e.g. `10Q`), empty when unknown.
    pub sub_icb: String,
}

/// A unit that `--area` can name: its codes, its name and the LADs it expands to.
#[derive(Debug, Clone)]
struct Unit {
    codes: Vec<String>,
    name: String,
    lads: BTreeSet<String>,
}

/// The study area found for the `--area` values.
#[derive(Debug, Clone)]
pub struct Area {
    /// LAD codes and names, in code order.
    pub lads: Vec<(String, String)>,
    /// The units the user named (names as the lookups spell them).
    pub named: Vec<String>,
    /// Sub-ICB locations whose practices are kept, with the area's LSOAs in each.
    pub sub_icbs: Vec<(String, usize)>,
    /// Sub-ICB locations touching the area but left out (few of the area's LSOAs, mostly elsewhere).
    pub sub_icbs_left_out: Vec<(String, usize)>,
    /// LSOAs of the area by the lookup.
    pub lsoas: usize,
}

/// The national lookups read once.
#[derive(Debug, Default)]
pub struct Lookups {
    /// LSOA code → row.
    pub lsoas: BTreeMap<String, LsoaRow>,
    /// LAD code → name.
    pub lad_names: BTreeMap<String, String>,
    /// Sub-ICB units (from the sub-ICB lookup).
    sub_icbs: Vec<Unit>,
    /// ICB units.
    icbs: Vec<Unit>,
    /// Region units.
    regions: Vec<Unit>,
}

impl Lookups {
    /// Read the LSOA → ward → LAD lookup, and the sub-ICB and region lookups when given.
    pub fn read(ward_lad: &Path, sub_icb: Option<&Path>, regions: Option<&Path>) -> Result<Lookups> {
        let mut l = Lookups::default();
        let t = Table::read(ward_lad)?;
        let (c, lc, ln) = (t.col("lsoa21_code")?, t.col("ltla24_code")?, t.col("ltla24_name")?);
        for r in &t.rows {
            let lad = t.get(r, lc).to_string();
            l.lad_names.entry(lad.clone()).or_insert_with(|| t.get(r, ln).to_string());
            l.lsoas.insert(t.get(r, c).to_string(), LsoaRow { lad, sub_icb: String::new() });
        }
        if let Some(p) = sub_icb {
            l.read_sub_icb(p)?;
        }
        if let Some(p) = regions {
            let t = Table::read(p)?;
            let (lc, rc, rn) = (t.col("ltla24_code")?, t.col("region24_code")?, t.col("region24_name")?);
            let mut units: BTreeMap<String, Unit> = BTreeMap::new();
            for r in &t.rows {
                let u = units.entry(t.get(r, rc).to_string()).or_insert_with(|| Unit {
                    codes: vec![t.get(r, rc).to_string()],
                    name: t.get(r, rn).to_string(),
                    lads: BTreeSet::new(),
                });
                u.lads.insert(t.get(r, lc).to_string());
            }
            l.regions = units.into_values().collect();
        }
        Ok(l)
    }

    /// Sub-ICB and ICB units from the LSOA → sub-ICB → ICB lookup; a unit expands to the LADs
    /// more than half of whose LSOAs lie in it.
    fn read_sub_icb(&mut self, p: &Path) -> Result<()> {
        let t = Table::read(p)?;
        let c = t.col("lsoa21_code")?;
        let cols = ["sicbl24_code_nhs", "sicbl24_code", "sicbl24_name", "icb24_code_nhs", "icb24_code", "icb24_name"];
        let ix: Vec<usize> = cols.iter().map(|n| t.col(n)).collect::<Result<_>>()?;
        let mut sub: BTreeMap<String, (Vec<String>, String, Vec<String>)> = BTreeMap::new();
        let mut icb: BTreeMap<String, (Vec<String>, String, Vec<String>)> = BTreeMap::new();
        for r in &t.rows {
            let code = t.get(r, c).to_string();
            let f = |k: usize| t.get(r, ix[k]).to_string();
            if let Some(row) = self.lsoas.get_mut(&code) {
                row.sub_icb = f(0);
            }
            sub.entry(f(0)).or_insert_with(|| (vec![f(0), f(1)], f(2), vec![])).2.push(code.clone());
            icb.entry(f(3)).or_insert_with(|| (vec![f(3), f(4)], f(5), vec![])).2.push(code);
        }
        let to_units = |m: BTreeMap<String, (Vec<String>, String, Vec<String>)>| -> Vec<Unit> {
            m.into_values().map(|(codes, name, lsoas)| Unit { codes, name, lads: self.majority_lads(&lsoas) }).collect()
        };
        let (s, i) = (to_units(sub), to_units(icb));
        self.sub_icbs = s;
        self.icbs = i;
        Ok(())
    }

    /// The LADs more than half of whose LSOAs are among `lsoas`.
    fn majority_lads(&self, lsoas: &[String]) -> BTreeSet<String> {
        let mut inside: BTreeMap<&str, usize> = BTreeMap::new();
        for c in lsoas {
            if let Some(r) = self.lsoas.get(c) {
                *inside.entry(r.lad.as_str()).or_default() += 1;
            }
        }
        let mut total: BTreeMap<&str, usize> = BTreeMap::new();
        for r in self.lsoas.values() {
            if inside.contains_key(r.lad.as_str()) {
                *total.entry(r.lad.as_str()).or_default() += 1;
            }
        }
        inside.into_iter().filter(|(l, n)| 2 * n > total[l]).map(|(l, _)| l.to_string()).collect()
    }

    fn units(&self, by: AreaBy) -> Vec<Unit> {
        match by {
            AreaBy::Lad => self
                .lad_names
                .iter()
                .map(|(c, n)| Unit { codes: vec![c.clone()], name: n.clone(), lads: BTreeSet::from([c.clone()]) })
                .collect(),
            AreaBy::SubIcb => self.sub_icbs.clone(),
            AreaBy::Icb => self.icbs.clone(),
            AreaBy::Region => self.regions.clone(),
        }
    }

    /// The area named by `values` (several combine). An unknown value is an error listing the
    /// closest names; a value matching nothing in an unread lookup says which file is needed.
    pub fn resolve(&self, by: AreaBy, values: &[String]) -> Result<Area> {
        let units = self.units(by);
        if units.is_empty() {
            return Err(Error::scenario(format!(
                "no {} lookup was found, so --by {} cannot be used",
                by.noun(),
                flag(by)
            ))
            .hint(
                "give the data folder holding england/lookups/lsoa21_sicbl24_icb24_en.csv and lad24_region24_en.csv",
            ));
        }
        let mut lads = BTreeSet::new();
        let mut named = Vec::new();
        for v in values {
            let u = find_unit(&units, v).ok_or_else(|| unknown(by, v, &units))?;
            if u.lads.is_empty() {
                return Err(Error::scenario(format!(
                    "{} \"{}\" holds no whole district (no district has most of its LSOAs in it)",
                    by.noun(),
                    u.name
                ))
                .hint("name its districts instead with --by lad"));
            }
            if !named.contains(&u.name) {
                named.push(u.name.clone());
            }
            lads.extend(u.lads.iter().cloned());
        }
        Ok(self.area(lads, named))
    }

    fn area(&self, lads: BTreeSet<String>, named: Vec<String>) -> Area {
        let mut in_area: BTreeMap<&str, usize> = BTreeMap::new();
        let mut lsoas = 0;
        for r in self.lsoas.values().filter(|r| lads.contains(&r.lad)) {
            lsoas += 1;
            if !r.sub_icb.is_empty() {
                *in_area.entry(r.sub_icb.as_str()).or_default() += 1;
            }
        }
        let mut total: BTreeMap<&str, usize> = BTreeMap::new();
        for r in self.lsoas.values().filter(|r| in_area.contains_key(r.sub_icb.as_str())) {
            *total.entry(r.sub_icb.as_str()).or_default() += 1;
        }
        let (mut keep, mut out) = (vec![], vec![]);
        for (s, n) in in_area {
            // Kept: a sub-ICB mostly inside the area, or holding a tenth of the area's LSOAs.
            let row = (s.to_string(), n);
            if 2 * n > total[s] || 10 * n >= lsoas {
                keep.push(row);
            } else {
                out.push(row);
            }
        }
        Area {
            lads: lads.into_iter().map(|c| (c.clone(), self.lad_names.get(&c).cloned().unwrap_or_default())).collect(),
            named,
            sub_icbs: keep,
            sub_icbs_left_out: out,
            lsoas,
        }
    }
}

fn flag(by: AreaBy) -> &'static str {
    match by {
        AreaBy::Lad => "lad",
        AreaBy::SubIcb => "sub-icb",
        AreaBy::Icb => "icb",
        AreaBy::Region => "region",
    }
}

/// Lower case with runs of spaces, `&` as "and", and punctuation other than letters and digits
/// removed, so "Stoke-on-Trent", "stoke on trent" and "STOKE ON TRENT" compare equal.
pub fn normalise(s: &str) -> String {
    let s = s.to_lowercase().replace('&', " and ");
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" ")
}

fn find_unit<'a>(units: &'a [Unit], v: &str) -> Option<&'a Unit> {
    let n = normalise(v);
    units
        .iter()
        .find(|u| u.codes.iter().any(|c| c.eq_ignore_ascii_case(v.trim())))
        .or_else(|| units.iter().find(|u| normalise(&u.name) == n))
}

fn unknown(by: AreaBy, v: &str, units: &[Unit]) -> Error {
    let n = normalise(v);
    let mut scored: Vec<(usize, &Unit)> = units
        .iter()
        .map(|u| {
            let name = normalise(&u.name);
            let d = if !n.is_empty() && name.contains(&n) { 0 } else { levenshtein(&n, &name) };
            (d, u)
        })
        .collect();
    scored.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.name.cmp(&b.1.name)));
    let close: Vec<String> = scored.iter().take(5).map(|(_, u)| format!("{} ({})", u.name, u.codes[0])).collect();
    Error::scenario(format!("no {} called \"{v}\"", by.noun()))
        .hint(format!("closest: {}; give a code or the name as the lookup spells it", close.join(", ")))
}

/// Edit distance between two strings (characters).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != *cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_compare_without_case_or_punctuation() {
        assert_eq!(normalise("Stoke-on-Trent"), normalise("STOKE ON TRENT"));
        assert_eq!(normalise("Telford & Wrekin"), "telford and wrekin");
        assert_eq!(levenshtein("oxford", "oxfrod"), 2);
        assert_eq!(levenshtein("", "abc"), 3);
    }
}
