//! Settlements (towns, cities, village groups) read from MSOA names.
//!
//! The House of Commons Library names each MSOA (about 8,000 people) the way locals would: a town
//! of several MSOAs gets "Town Part" names ("Banbury Hardwick", "Bicester West", "Wantage Town"),
//! a rural MSOA lists its villages ("Bodicote, Adderbury & Bloxham"), a city's MSOAs are named after
//! its neighbourhoods ("Summertown", "Blackbird Leys"). [`settlements`] turns those names into
//! places with one rule, applied district by district:
//!
//! 1. **City districts.** A district whose study population per km² is at least the city density
//!    (default 2,000: Oxford 3,500, Stoke-on-Trent 2,800, Tamworth 2,500; no shire district comes
//!    close) is one settlement named after the district, kind [`PlaceKind::City`], whatever its
//!    MSOAs are called.
//! 2. **Head and core.** Elsewhere an MSOA's *head* is its name up to the first "&", "," or " and "
//!    (a name with any of them is *compound*); its *core* is the head without trailing qualifier
//!    words (North, South, East, West, Central, Centre, Inner, Outer, Town, City, Rural, Villages,
//!    Village): "Hednesford South & Heath Hayes" → head "Hednesford South" → core "Hednesford".
//! 3. **Stems.** The candidate stems of an MSOA are the word prefixes of its core that contain a
//!    word other than a qualifier, and the same again with leading compass words removed
//!    ("South Wantage" → "South Wantage", "Wantage"; "North Central Oxford" → "Oxford").
//! 4. **Towns.** A stem that is a candidate of two or more MSOAs of the district is a town; each
//!    MSOA joins the longest such stem it has ("Banbury Hardwick" and "Banbury Neithrop" make
//!    Banbury; "Wantage Town" and "South Wantage, Harwell & Blewbury" make Wantage).
//! 5. **Single MSOAs.** An MSOA with no shared stem is a place of its own: a compound name, or a
//!    core that lost "Rural"/"Villages"/"Village", is a [`PlaceKind::VillageGroup`] under the full
//!    name; otherwise it is a [`PlaceKind::Town`] named by its core ("Chipping Norton", "Grove",
//!    "Stone Town" → Stone).
//! 6. **No HoCL name.** An MSOA without a House of Commons Library name (new or changed in 2021)
//!    joins the city in a city district, otherwise it is a village group of its own under its ONS
//!    name ("South Staffordshire 015").
//!
//! Known failures: a town whose suburbs have names of their own ("Doxey & Holmcroft" in Stafford,
//! "Porthill" in Newcastle-under-Lyme) keeps only its "Town Part" MSOAs, so Stafford and Newcastle
//! come out smaller than they are; a town across a district boundary is two places (one per
//! district); a village that shares a word with a town joins it ("Biddulph Moor" with Biddulph);
//! a small town named first in a compound name takes the villages listed after it ("South Wantage,
//! Harwell & Blewbury" counts towards Wantage); suburbs of a city in the next district
//! ("Botley & Kennington" by Oxford) are village groups.

use serde::Serialize;
use std::collections::BTreeMap;

/// What kind of settlement a place is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PlaceKind {
    /// A whole district that is one urban area (rule 1).
    City,
    /// A town: a stem shared by several MSOAs, or one MSOA named after one place.
    Town,
    /// Villages named together, a rural remainder, or an MSOA without a readable name.
    VillageGroup,
}

impl PlaceKind {
    /// "city", "town" or "village group".
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceKind::City => "city",
            PlaceKind::Town => "town",
            PlaceKind::VillageGroup => "village group",
        }
    }

    /// Read "city", "town", "village", "village group" or "village_group" (any case).
    pub fn parse(s: &str) -> Option<PlaceKind> {
        match s.trim().to_ascii_lowercase().replace('_', " ").as_str() {
            "city" => Some(PlaceKind::City),
            "town" | "" => Some(PlaceKind::Town),
            "village" | "village group" | "villages" | "rural" => Some(PlaceKind::VillageGroup),
            _ => None,
        }
    }

    /// Towns and cities: the places "towns split" counts.
    pub fn is_town(self) -> bool {
        !matches!(self, PlaceKind::VillageGroup)
    }
}

/// One MSOA as the rule sees it.
#[derive(Debug, Clone)]
pub struct MsoaName<'a> {
    /// District code (the rule works district by district).
    pub lad: &'a str,
    /// The House of Commons Library name, or `None` when it has none.
    pub hocl: Option<&'a str>,
    /// The ONS name ("Oxford 020"), used when there is no HoCL name.
    pub ons: &'a str,
}

/// The settlement an MSOA belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settlement {
    /// Place name ("Bicester", "Oxford", "Bodicote, Adderbury & Bloxham").
    pub name: String,
    /// Kind.
    pub kind: PlaceKind,
}

const TRAILING: [&str; 13] = [
    "North", "South", "East", "West", "Central", "Centre", "Inner", "Outer", "Town", "City", "Rural", "Villages",
    "Village",
];
const LEADING: [&str; 5] = ["North", "South", "East", "West", "Central"];
const RURAL: [&str; 3] = ["Rural", "Villages", "Village"];

/// The head of a name (up to the first "&", "," or " and ") and whether the name is compound.
pub(crate) fn head(name: &str) -> (&str, bool) {
    let cut = [name.find('&'), name.find(','), name.find(" and ")].into_iter().flatten().min();
    match cut {
        Some(k) => (name[..k].trim(), true),
        None => (name.trim(), false),
    }
}

/// Core words (trailing qualifiers removed, at least one word kept) and whether a rural word went.
fn core(head: &str) -> (Vec<&str>, bool) {
    let mut w: Vec<&str> = head.split_whitespace().collect();
    let mut rural = false;
    // A trailing qualifier goes, but never the last word.
    while let [_, .., last] = w[..] {
        if !TRAILING.contains(&last) {
            break;
        }
        rural |= RURAL.contains(&last);
        w.pop();
    }
    (w, rural)
}

/// Candidate stems of a core: its word prefixes with a non-qualifier word, with and without
/// leading compass words.
fn stems(core: &[&str]) -> Vec<String> {
    let lead = core.iter().take_while(|w| LEADING.contains(w)).count().min(core.len().saturating_sub(1));
    let mut out = Vec::new();
    for start in [0, lead] {
        let c = &core[start..];
        for k in 1..=c.len() {
            if c[..k].iter().any(|w| !TRAILING.contains(w)) {
                out.push(c[..k].join(" "));
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Place of one MSOA of a non-city district, given the stems shared in its district.
fn place_of(m: &MsoaName, shared: &BTreeMap<String, usize>) -> Settlement {
    let Some(name) = m.hocl else {
        return Settlement { name: m.ons.to_string(), kind: PlaceKind::VillageGroup };
    };
    let (h, compound) = head(name);
    let (c, rural) = core(h);
    let best = stems(&c)
        .into_iter()
        .filter(|s| shared.get(s).is_some_and(|&n| n >= 2))
        .max_by_key(|s| (s.split_whitespace().count(), s.len()));
    match best {
        Some(stem) => Settlement { name: stem, kind: PlaceKind::Town },
        None if compound || rural => Settlement { name: name.trim().to_string(), kind: PlaceKind::VillageGroup },
        None => Settlement { name: c.join(" "), kind: PlaceKind::Town },
    }
}

/// The settlement of every MSOA (same order as `msoas`). `cities` maps a district code to its name
/// for the districts that are one city (rule 1; see the module documentation for the whole rule).
///
/// # Examples
///
/// ```
/// use footprints::place::{settlements, MsoaName, PlaceKind};
/// let m = |hocl| MsoaName { lad: "E07000177", hocl: Some(hocl), ons: "Cherwell 001" };
/// let s = settlements(&[m("Bicester West"), m("Bicester East"), m("Bodicote, Adderbury & Bloxham")], &Default::default());
/// assert_eq!((s[0].name.as_str(), s[0].kind), ("Bicester", PlaceKind::Town));
/// assert_eq!(s[1], s[0]);
/// assert_eq!(s[2].kind, PlaceKind::VillageGroup);
/// ```
pub fn settlements(msoas: &[MsoaName], cities: &BTreeMap<String, String>) -> Vec<Settlement> {
    let mut shared: BTreeMap<&str, BTreeMap<String, usize>> = BTreeMap::new();
    for m in msoas {
        let Some(name) = m.hocl else { continue };
        let by = shared.entry(m.lad).or_default();
        for s in stems(&core(head(name).0).0) {
            *by.entry(s).or_default() += 1;
        }
    }
    let none = BTreeMap::new();
    msoas
        .iter()
        .map(|m| match cities.get(m.lad) {
            Some(city) => Settlement { name: city.clone(), kind: PlaceKind::City },
            None => place_of(m, shared.get(m.lad).unwrap_or(&none)),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(names: &[&str]) -> Vec<(String, PlaceKind)> {
        let ms: Vec<MsoaName> = names.iter().map(|n| MsoaName { lad: "L", hocl: Some(n), ons: "L 001" }).collect();
        settlements(&ms, &BTreeMap::new()).into_iter().map(|s| (s.name, s.kind)).collect()
    }

    fn town(n: &str) -> (String, PlaceKind) {
        (n.to_string(), PlaceKind::Town)
    }

    fn villages(n: &str) -> (String, PlaceKind) {
        (n.to_string(), PlaceKind::VillageGroup)
    }

    #[test]
    fn town_parts_share_a_stem() {
        let got =
            run(&["Banbury Hardwick", "Banbury Neithrop", "Banbury Grimsbury", "Bicester North", "Bicester West"]);
        assert_eq!(got, vec![town("Banbury"), town("Banbury"), town("Banbury"), town("Bicester"), town("Bicester")]);
    }

    #[test]
    fn leading_compass_and_compound_first_place() {
        let got = run(&["Wantage Town", "South Wantage, Harwell & Blewbury", "Grove"]);
        assert_eq!(got, vec![town("Wantage"), town("Wantage"), town("Grove")]);
        let got = run(&["Central Stafford", "Stafford North East", "Stafford Common & Great Bridgeford"]);
        assert!(got.iter().all(|g| *g == town("Stafford")), "{got:?}");
    }

    #[test]
    fn single_msoas_town_or_village_group() {
        let got = run(&["Chipping Norton", "Stone Town", "Bodicote, Adderbury & Bloxham", "Kirtlington Villages"]);
        assert_eq!(
            got,
            vec![
                town("Chipping Norton"),
                town("Stone"),
                villages("Bodicote, Adderbury & Bloxham"),
                villages("Kirtlington Villages")
            ]
        );
        assert_eq!(run(&["Hanborough and Cassington"]), vec![villages("Hanborough and Cassington")]);
    }

    #[test]
    fn compass_words_alone_are_not_stems() {
        // "North …" and "West …" share only a compass word; "West Bromwich" keeps its name.
        let got = run(&["West Bromwich Central", "West Bromwich North", "West Hagley", "North Walsham"]);
        assert_eq!(got, vec![town("West Bromwich"), town("West Bromwich"), town("West Hagley"), town("North Walsham")]);
    }

    #[test]
    fn longest_shared_stem_wins_and_districts_are_separate() {
        let got = run(&["Burntwood West", "Burntwood Chase Terrace & Hammerwich", "Burntwood Chasetown"]);
        assert!(got.iter().all(|g| *g == town("Burntwood")), "{got:?}");
        let ms = [
            MsoaName { lad: "A", hocl: Some("Newport North"), ons: "A 001" },
            MsoaName { lad: "B", hocl: Some("Newport South"), ons: "B 001" },
        ];
        let s = settlements(&ms, &BTreeMap::new());
        assert_eq!((s[0].name.as_str(), s[1].name.as_str()), ("Newport", "Newport"));
    }

    #[test]
    fn city_districts_and_unnamed_msoas() {
        let ms = [
            MsoaName { lad: "OX", hocl: Some("Summertown"), ons: "Oxford 002" },
            MsoaName { lad: "OX", hocl: None, ons: "Oxford 020" },
            MsoaName { lad: "SS", hocl: None, ons: "South Staffordshire 015" },
        ];
        let cities = BTreeMap::from([("OX".to_string(), "Oxford".to_string())]);
        let s = settlements(&ms, &cities);
        assert_eq!(s[0], Settlement { name: "Oxford".into(), kind: PlaceKind::City });
        assert_eq!(s[1], s[0]);
        assert_eq!(s[2], Settlement { name: "South Staffordshire 015".into(), kind: PlaceKind::VillageGroup });
    }

    #[test]
    fn kinds_parse() {
        assert_eq!(PlaceKind::parse("Village group"), Some(PlaceKind::VillageGroup));
        assert_eq!(PlaceKind::parse("CITY"), Some(PlaceKind::City));
        assert_eq!(PlaceKind::parse("hamlet"), None);
        assert!(PlaceKind::City.is_town() && !PlaceKind::VillageGroup.is_town());
    }
}
