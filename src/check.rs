//! The join report printed by `footprints check`.

use crate::prepare::Prepared;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// Moved to [`crate::fmt::fmt_int`]; kept here so existing callers still compile.
pub use crate::fmt::fmt_int;

/// Summary of a loaded scenario.
#[derive(Debug, Serialize)]
pub struct CheckReport {
    /// Scenario name.
    pub scenario: String,
    /// Tool version.
    pub version: String,
    /// LSOAs in the study area.
    pub lsoas: usize,
    /// Total population.
    pub population: u64,
    /// Features in the boundary file.
    pub boundary_features: usize,
    /// Population and LSOAs per LAD.
    pub lads: Vec<LadRow>,
    /// Join statistics per input.
    pub joins: Vec<crate::load::JoinStat>,
    /// LSOAs with deprivation.
    pub imd_matched: usize,
    /// LSOAs per IMD decile 1..=10.
    pub imd_deciles: [usize; 10],
    /// Practices read, and those inside the study area.
    pub practices: usize,
    /// Practices located inside a study LSOA.
    pub practices_inside: usize,
    /// PCNs among the practices (excluding unallocated).
    pub practice_pcns: usize,
    /// Practices not in a PCN.
    pub unallocated_practices: Vec<String>,
    /// How the practices were placed (table coordinates or postcodes), and those left out.
    pub practice_placement: Option<crate::load::PracticePlacement>,
    /// PCNs assigned to LSOAs.
    pub lsoa_pcns: usize,
    /// LSOAs whose PCN is approximated from the nearest practice.
    pub pcn_approximate: usize,
    /// Mean share of an LSOA's registrants in its majority PCN.
    pub pcn_mean_share: Option<f64>,
    /// Registered patients read and living in the study area.
    pub registrations: Option<(u64, u64)>,
    /// Graph edges (true shared boundaries).
    pub edges: usize,
    /// Components before joining islands (sizes, largest first).
    pub components: Vec<usize>,
    /// Islands: LSOA codes of components other than the largest.
    pub islands: Vec<Vec<String>>,
    /// Bridges added: (code, code, gap metres).
    pub bridges: Vec<(String, String, f64)>,
    /// LGR options.
    pub lgr: Vec<crate::model::LgrOption>,
    /// Places found, when the scenario has `[places]`.
    pub places: Option<PlacesFound>,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Input files with hashes.
    pub inputs: Vec<crate::load::InputFile>,
}

/// The places of the study area (`[places]`).
#[derive(Debug, Serialize)]
pub struct PlacesFound {
    /// Places.
    pub places: usize,
    /// Cities (whole districts).
    pub cities: usize,
    /// Towns.
    pub towns: usize,
    /// Village groups.
    pub village_groups: usize,
    /// MSOAs, when an MSOA lookup is given.
    pub msoas: Option<usize>,
    /// How the MSOAs got their names, when read from MSOA names.
    pub msoa_names: Option<crate::load::MsoaNames>,
    /// Cities and towns, largest first.
    pub towns_by_size: Vec<PlaceRow>,
}

/// One place's row.
#[derive(Debug, Serialize)]
pub struct PlaceRow {
    /// Name.
    pub name: String,
    /// Kind.
    pub kind: crate::model::PlaceKind,
    /// Districts it lies in (names).
    pub districts: Vec<String>,
    /// Population.
    pub population: u64,
    /// MSOAs (0 without an MSOA lookup).
    pub msoas: usize,
    /// LSOAs.
    pub lsoas: usize,
}

/// Towns listed in the text report.
const TOWNS_SHOWN: usize = 25;

impl PlacesFound {
    /// The places of `p`, if it has any.
    pub fn new(p: &Prepared) -> Option<PlacesFound> {
        let s = &p.study;
        if s.places.is_empty() {
            return None;
        }
        let mut rows: Vec<PlaceRow> = s
            .places
            .iter()
            .map(|pl| PlaceRow {
                name: pl.name.clone(),
                kind: pl.kind,
                districts: vec![],
                population: 0,
                msoas: 0,
                lsoas: 0,
            })
            .collect();
        let mut msoas: Vec<std::collections::BTreeSet<u32>> = vec![Default::default(); rows.len()];
        for (i, a) in s.areas.iter().enumerate() {
            let Some(k) = a.place else { continue };
            let r = &mut rows[k as usize];
            r.population += a.pop;
            r.lsoas += 1;
            if !r.districts.contains(&s.lad(i).name) {
                r.districts.push(s.lad(i).name.clone());
            }
            msoas[k as usize].extend(a.msoa);
        }
        for (r, m) in rows.iter_mut().zip(&msoas) {
            r.msoas = m.len();
        }
        let count = |k: crate::model::PlaceKind| s.places.iter().filter(|p| p.kind == k).count();
        let mut towns: Vec<PlaceRow> = rows.into_iter().filter(|r| r.kind.is_town()).collect();
        towns.sort_by(|a, b| b.population.cmp(&a.population).then(a.name.cmp(&b.name)));
        Some(PlacesFound {
            places: s.places.len(),
            cities: count(crate::model::PlaceKind::City),
            towns: count(crate::model::PlaceKind::Town),
            village_groups: count(crate::model::PlaceKind::VillageGroup),
            msoas: (!s.msoas.is_empty()).then_some(s.msoas.len()),
            msoa_names: p.report.msoa_names.clone(),
            towns_by_size: towns,
        })
    }

    fn text(&self, o: &mut String) {
        let msoas = self.msoas.map(|m| format!(" in {m} MSOAs")).unwrap_or_default();
        let _ = writeln!(
            o,
            "\nPlaces: {}{msoas}: {}, {}, {}",
            self.places,
            plural(self.cities, "city", "cities"),
            plural(self.towns, "town", "towns"),
            plural(self.village_groups, "village group", "village groups")
        );
        if let Some(n) = &self.msoa_names {
            let _ = writeln!(o, "  MSOA names: {} of {} from the House of Commons Library", n.named, n.msoas);
            for c in &n.cities {
                let _ = writeln!(o, "  one city: {c}");
            }
        }
        let _ = writeln!(
            o,
            "  {:<28} {:<6} {:>10} {:>6} {:>6}  district",
            "city or town", "kind", "population", "MSOAs", "LSOAs"
        );
        for r in self.towns_by_size.iter().take(TOWNS_SHOWN) {
            let _ = writeln!(
                o,
                "  {:<28} {:<6} {:>10} {:>6} {:>6}  {}",
                truncate(&r.name, 28),
                r.kind.as_str(),
                fmt_int(r.population),
                r.msoas,
                r.lsoas,
                r.districts.join(", ")
            );
        }
        if self.towns_by_size.len() > TOWNS_SHOWN {
            let _ = writeln!(o, "  … and {} more", self.towns_by_size.len() - TOWNS_SHOWN);
        }
    }
}

/// One LAD's row.
#[derive(Debug, Serialize)]
pub struct LadRow {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// LSOAs.
    pub lsoas: usize,
    /// Population.
    pub population: u64,
}

impl CheckReport {
    /// Build the report.
    pub fn new(p: &Prepared) -> CheckReport {
        let s = &p.study;
        let mut lads: BTreeMap<String, LadRow> = BTreeMap::new();
        let mut deciles = [0usize; 10];
        for (i, a) in s.areas.iter().enumerate() {
            let lad = s.lad(i);
            let r = lads.entry(lad.code.clone()).or_insert(LadRow {
                code: lad.code.clone(),
                name: lad.name.clone(),
                lsoas: 0,
                population: 0,
            });
            r.lsoas += 1;
            r.population += a.pop;
            if let Some(d) = a.imd.as_ref().and_then(|i| i.decile) {
                deciles[(d as usize).clamp(1, 10) - 1] += 1;
            }
        }
        let shares: Vec<f64> =
            s.areas.iter().filter_map(|a| a.pcn.as_ref().filter(|p| !p.approximate).map(|p| p.share)).collect();
        let code = |i: usize| s.areas[i].code.clone();
        CheckReport {
            scenario: s.name.clone(),
            version: crate::VERSION.into(),
            lsoas: s.areas.len(),
            population: s.population(),
            boundary_features: p.report.boundary_features,
            lads: lads.into_values().collect(),
            joins: p.report.joins.clone(),
            imd_matched: s.areas.iter().filter(|a| a.imd.is_some()).count(),
            imd_deciles: deciles,
            practices: s.practices.len(),
            practices_inside: s.practices.iter().filter(|p| p.area.is_some()).count(),
            practice_pcns: s.practices.iter().filter_map(|p| p.pcn).collect::<std::collections::BTreeSet<_>>().len(),
            unallocated_practices: s
                .practices
                .iter()
                .filter(|p| p.pcn.is_none())
                .map(|p| format!("{} {}", p.code, p.name))
                .collect(),
            practice_placement: p.report.practice_placement.clone(),
            lsoa_pcns: s.lsoa_pcns().len(),
            pcn_approximate: s.areas.iter().filter(|a| a.pcn.as_ref().is_some_and(|p| p.approximate)).count(),
            pcn_mean_share: (!shares.is_empty()).then(|| shares.iter().sum::<f64>() / shares.len() as f64),
            registrations: p.report.registrations,
            edges: p.graph.edges.iter().filter(|e| !e.bridge).count(),
            components: p.graph.components_before.iter().map(Vec::len).collect(),
            islands: p.graph.components_before.iter().skip(1).map(|c| c.iter().map(|&i| code(i)).collect()).collect(),
            bridges: p.bridges.iter().map(|e| (code(e.a), code(e.b), (e.gap_m * 10.0).round() / 10.0)).collect(),
            lgr: s.lgr.clone(),
            places: PlacesFound::new(p),
            warnings: p.report.warnings.clone(),
            inputs: p.report.inputs.clone(),
        }
    }

    /// Human-readable text.
    pub fn to_text(&self) -> String {
        let mut o = String::new();
        self.text_area(&mut o);
        self.text_joins(&mut o);
        self.text_inputs(&mut o);
        if let Some(pl) = &self.places {
            pl.text(&mut o);
        }
        self.text_adjacency(&mut o);
        self.text_lgr_and_warnings(&mut o);
        o
    }

    fn text_area(&self, o: &mut String) {
        let _ = writeln!(o, "footprints {} — check of scenario \"{}\"", self.version, self.scenario);
        let _ = writeln!(
            o,
            "\nStudy area: {} LSOAs (of {} features in the boundary file), population {}",
            self.lsoas,
            self.boundary_features,
            fmt_int(self.population)
        );
        let _ = writeln!(o, "\n{:<11} {:<28} {:>6} {:>12}", "LAD", "name", "LSOAs", "population");
        for l in &self.lads {
            let _ = writeln!(
                o,
                "{:<11} {:<28} {:>6} {:>12}",
                l.code,
                truncate(&l.name, 28),
                l.lsoas,
                fmt_int(l.population)
            );
        }
    }

    fn text_joins(&self, o: &mut String) {
        let _ = writeln!(
            o,
            "\nJoins (study-area LSOAs matched / missing; rows outside the area; codes unknown to the boundaries):"
        );
        for j in &self.joins {
            let _ = writeln!(
                o,
                "  {:<14} {:>6} rows  matched {:>6}  missing {:>5}  outside {:>6}  unknown {:>6}   {}",
                j.input, j.rows, j.matched, j.missing, j.outside, j.unknown, j.path
            );
            if !j.missing_examples.is_empty() {
                let _ = writeln!(o, "      missing e.g. {}", j.missing_examples.join(", "));
            }
            if !j.unknown_examples.is_empty() {
                let _ = writeln!(o, "      unknown e.g. {}", j.unknown_examples.join(", "));
            }
        }
    }

    fn text_inputs(&self, o: &mut String) {
        if self.imd_matched > 0 {
            let d: Vec<String> = self.imd_deciles.iter().enumerate().map(|(i, n)| format!("{}:{}", i + 1, n)).collect();
            let _ = writeln!(
                o,
                "\nDeprivation: {}/{} LSOAs; national deciles (1 = most deprived) {}",
                self.imd_matched,
                self.lsoas,
                d.join(" ")
            );
        }
        if self.practices > 0 {
            let unalloc = if self.unallocated_practices.is_empty() {
                "none".to_string()
            } else {
                self.unallocated_practices.join(", ")
            };
            let _ = writeln!(
                o,
                "\nPractices: {} ({} inside the study area) in {} PCNs; not in a PCN: {unalloc}",
                self.practices, self.practices_inside, self.practice_pcns
            );
        }
        if let Some(pl) = &self.practice_placement {
            placement_text(pl, o);
        }
        if let Some((t, i)) = self.registrations {
            let _ = writeln!(o, "Registered patients: {} read, {} living in the study area", fmt_int(t), fmt_int(i));
        }
        let _ = write!(
            o,
            "LSOA PCN coverage: {} PCNs across {} LSOAs; {} approximated from the nearest practice",
            self.lsoa_pcns, self.lsoas, self.pcn_approximate
        );
        match self.pcn_mean_share {
            Some(s) => {
                let _ = writeln!(o, "; mean majority-PCN share {:.1}%", s * 100.0);
            }
            None => {
                let _ = writeln!(o);
            }
        }
    }

    fn text_adjacency(&self, o: &mut String) {
        let _ = writeln!(
            o,
            "\nAdjacency: {} edges; {} component(s) {:?}",
            self.edges,
            self.components.len(),
            self.components.iter().take(10).collect::<Vec<_>>()
        );
        for (i, isl) in self.islands.iter().enumerate().take(20) {
            let _ = writeln!(o, "  island {}: {}", i + 1, isl.iter().take(6).cloned().collect::<Vec<_>>().join(", "));
        }
        if self.islands.len() > 20 {
            let _ = writeln!(o, "  … {} more islands", self.islands.len() - 20);
        }
        for (a, b, d) in self.bridges.iter().take(20) {
            let _ = writeln!(o, "  joined {a} – {b} across {d} m");
        }
    }

    fn text_lgr_and_warnings(&self, o: &mut String) {
        for l in &self.lgr {
            let status = if l.exact() {
                "complete".to_string()
            } else if l.unassigned.is_empty() {
                format!("approximate: LSOA-level table needed for {}", l.needs_lsoa_table.join(", "))
            } else {
                format!("{} LSOAs unassigned", l.unassigned.len())
            };
            let _ = writeln!(o, "LGR option {}: units {} — {}", l.name, l.units.join(" | "), status);
        }
        if !self.warnings.is_empty() {
            let _ = writeln!(o, "\nWarnings:");
            for w in crate::export::build_summary::group_warnings_kept(&self.warnings, "check --json") {
                let _ = writeln!(o, "  - {w}");
            }
        }
    }
}

/// "Practice placement: 64 placed of 64 kept (of 6,202 rows, SUB_ICB_LOCATION_CODE in [10Q]) …".
fn placement_text(pl: &crate::load::PracticePlacement, o: &mut String) {
    let only = if pl.only.is_empty() { String::new() } else { format!(", {}", pl.only.join(" and ")) };
    let _ = writeln!(
        o,
        "Practice placement: {} placed of {} kept (of {} rows{only}): {} by coordinates, {} by postcode; {} without coordinates",
        pl.by_coordinates + pl.by_postcode,
        fmt_int(pl.kept as u64),
        fmt_int(pl.rows as u64),
        pl.by_coordinates,
        pl.by_postcode,
        pl.unplaced
    );
    for f in &pl.postcode_files {
        let _ = writeln!(o, "  postcodes: {f}");
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn truncate(s: &str, n: usize) -> String {
    s.chars().take(n).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn check_groups_its_warnings_and_says_where_all_are() {
        let ws: Vec<String> = (1..=5).map(|k| format!("LSOA \"E0100000{k}\" has {k} people")).collect();
        let g = crate::export::build_summary::group_warnings_kept(&ws, "check --json");
        assert_eq!(g.len(), 1, "{g:?}");
        assert!(g[0].starts_with("5 warnings of this kind (all in check --json); the first: LSOA \"E01000001\""));
        assert!(g[0].ends_with("also \"E01000002\", \"E01000003\", \"E01000004\" and 1 more"), "{}", g[0]);
    }
}
