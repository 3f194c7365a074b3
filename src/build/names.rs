//! Names people would use. With `[places]`, an SNP is named after its largest settlements
//! ([`place_names`]; the rule is in README › Footprint names); without, after its most populous
//! ward (or PCN, or LSOA-name stem). MNPs are named after their main districts. Locks name their
//! footprint, the scenario's `[names]` overrides any name, and duplicates are made unique.

use super::Plan;
use crate::model::PlaceKind;
use crate::prepare::Prepared;
use std::collections::BTreeMap;

fn title_case(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            if w == "PCN" {
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

/// Names of a plan's SNPs and MNPs (see the module documentation); `locks` maps an LSOA to the
/// name of the footprint it is locked to.
pub fn names(p: &Prepared, plan: &Plan, locks: &BTreeMap<usize, String>) -> Names {
    let (mut snp, alt) = if p.study.has_places() { place_names(p, plan) } else { ward_names(p, plan) };
    for (i, name) in locks {
        snp[plan.snp_of[*i]] = name.clone();
    }
    let generated = snp.clone();
    let mut mnp = mnp_names(p, plan, &snp);
    apply_overrides(p, plan, &generated, &mut snp, &mut mnp);
    dedupe(&mut snp, |s| alt[s].clone());
    Names { snp, mnp }
}

/// `[names]` overrides: a key that is an LSOA code renames the SNP holding it; any other key
/// renames the SNP or MNP whose generated name it is.
fn apply_overrides(p: &Prepared, plan: &Plan, generated: &[String], snp: &mut [String], mnp: &mut [String]) {
    let overrides = &p.scenario.names;
    if overrides.is_empty() {
        return;
    }
    let gen_mnp = mnp.to_vec();
    for (key, value) in overrides {
        if let Some(&i) = p.study.index.get(key) {
            snp[plan.snp_of[i]] = value.clone();
            continue;
        }
        for (s, g) in generated.iter().enumerate() {
            if g == key {
                snp[s] = value.clone();
            }
        }
        for (m, g) in gen_mnp.iter().enumerate() {
            if g == key {
                mnp[m] = value.clone();
            }
        }
    }
}

/// Per SNP: its ranked (name, population) keys; the name is the first, the alternative for
/// duplicates joins the first two.
fn from_ranked(ranked: &[Vec<(String, f64)>]) -> (Vec<String>, Vec<Option<String>>) {
    let snp = ranked.iter().map(|r| r.first().map(|x| x.0.clone()).unwrap_or_default()).collect();
    let alt = ranked.iter().map(|r| r.get(1).map(|x| format!("{} & {}", r[0].0, x.0))).collect();
    (snp, alt)
}

/// Without places: each SNP after its most populous ward (or PCN, or LSOA-name stem).
fn ward_names(p: &Prepared, plan: &Plan) -> (Vec<String>, Vec<Option<String>>) {
    let mut tmp: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); plan.n_snp()];
    for (i, a) in p.study.areas.iter().enumerate() {
        let key = match (p.study.ward(i), p.study.pcn(i)) {
            (Some(w), _) => w.name.clone(),
            (None, Some(pc)) => title_case(&pc.name.replace(" PCN", "")),
            _ => a.name.rsplit_once(' ').map(|x| x.0.to_string()).unwrap_or_else(|| a.name.clone()),
        };
        *tmp[plan.snp_of[i]].entry(key).or_default() += a.pop as f64;
    }
    from_ranked(&tmp.into_iter().map(rank).collect::<Vec<_>>())
}

fn rank(m: BTreeMap<String, f64>) -> Vec<(String, f64)> {
    let mut v: Vec<(String, f64)> = m.into_iter().collect();
    v.sort_by(|x, y| y.1.total_cmp(&x.1).then(x.0.cmp(&y.0)));
    v
}

/// One place's share of one SNP.
#[derive(Default)]
struct Piece {
    pop: f64,
    /// Population-weighted sum of LSOA points (BNG metres), for compass directions.
    xy: (f64, f64),
    /// MSOA name → population inside this piece.
    msoas: BTreeMap<String, f64>,
}

/// A second place joins the name when it holds at least this share of the SNP's population.
const SECOND_PLACE_SHARE: f64 = 0.10;

/// A town or city with at least this many people in an SNP ranks above every village group.
pub const TOWN_PIECE_MIN: f64 = 2_000.0;

fn named_town(x: &(String, f64, PlaceKind, f64)) -> bool {
    x.2.is_town() && x.1 >= TOWN_PIECE_MIN
}

/// How big a settlement is for naming: a town's or city's population; a village group stands for
/// the villages it lists, so its population is divided by their number ("Sutton Courtenay, Drayton
/// & Steventon", 10,301 people, counts as 3,434 and ranks below Grove, 9,121).
fn settlement_size(name: &str, kind: PlaceKind, pop: f64) -> f64 {
    if kind.is_town() {
        return pop;
    }
    let parts = name.replace(" and ", ",").split([',', '&']).filter(|x| !x.trim().is_empty()).count();
    pop / parts.max(1) as f64
}

/// With places: each SNP after its largest settlement: its largest town or city (with at least
/// [`TOWN_PIECE_MIN`] people in it), else its largest village group ([`settlement_size`]); and the next one too
/// when that is a town holding at least 10% of the SNP and the first name is not a list; a place divided between SNPs gets a distinguishing label per
/// piece ([`piece_labels`]).
fn place_names(p: &Prepared, plan: &Plan) -> (Vec<String>, Vec<Option<String>>) {
    let places = &p.study.places;
    let mut by: BTreeMap<u32, BTreeMap<usize, Piece>> = BTreeMap::new();
    let mut snp_pop = vec![0.0; plan.n_snp()];
    for (i, a) in p.study.areas.iter().enumerate() {
        let (Some(pl), s) = (a.place, plan.snp_of[i]) else { continue };
        let w = a.pop as f64;
        snp_pop[s] += w;
        let piece = by.entry(pl).or_default().entry(s).or_default();
        piece.pop += w;
        piece.xy.0 += w * a.point.x;
        piece.xy.1 += w * a.point.y;
        if let Some(m) = p.study.msoa(i) {
            *piece.msoas.entry(m.name.clone()).or_default() += w;
        }
    }
    // Per SNP: (label, population, kind, size) of each place in it, largest first.
    let mut ranked: Vec<Vec<(String, f64, PlaceKind, f64)>> = vec![Vec::new(); plan.n_snp()];
    for (&pl, pieces) in &by {
        let place = &places[pl as usize];
        for (s, label) in piece_labels(&place.name, pieces) {
            let pop = pieces[&s].pop;
            ranked[s].push((label, pop, place.kind, settlement_size(&place.name, place.kind, pop)));
        }
    }
    let mut snp = Vec::with_capacity(plan.n_snp());
    let mut alt = Vec::with_capacity(plan.n_snp());
    for (s, r) in ranked.iter_mut().enumerate() {
        r.sort_by(|x, y| named_town(y).cmp(&named_town(x)).then(y.3.total_cmp(&x.3)).then(x.0.cmp(&y.0)));
        let (first, second) = (r.first(), r.get(1));
        let joined = first.zip(second).map(|(a, b)| format!("{} & {}", a.0, b.0));
        let with_second = match (first, second) {
            (Some(a), Some(b)) => {
                b.2.is_town() && b.1 >= SECOND_PLACE_SHARE * snp_pop[s] && !crate::place::head(&a.0).1
            }
            _ => false,
        };
        snp.push(match (&joined, with_second) {
            (Some(j), true) => j.clone(),
            _ => first.map(|a| a.0.clone()).unwrap_or_default(),
        });
        alt.push(if with_second { None } else { joined });
    }
    (snp, alt)
}

/// Labels of one place's pieces, by SNP. A place in one SNP, or its piece holding at least half of
/// it, keeps its name; another piece is named by its most populous MSOA with a readable name
/// ("Bicester West", "South Wantage"; "Oxford (Headington)" when the MSOA name does not contain the
/// place's), and when that gives no label of its own, by its compass direction from the place's
/// centre ("Oxford North").
fn piece_labels(place: &str, pieces: &BTreeMap<usize, Piece>) -> Vec<(usize, String)> {
    let total: f64 = pieces.values().map(|x| x.pop).sum();
    if pieces.len() == 1 {
        return pieces.keys().map(|&s| (s, place.to_string())).collect();
    }
    let (cx, cy) = pieces.values().fold((0.0, 0.0), |acc, x| (acc.0 + x.xy.0, acc.1 + x.xy.1));
    let centre = (cx / total, cy / total);
    let by_msoa: Vec<(usize, String)> = pieces
        .iter()
        .map(|(&s, piece)| {
            if piece.pop >= 0.5 * total {
                return (s, place.to_string());
            }
            // The most populous MSOA with a readable name (not "Oxford 020" or a bare code).
            let mut msoas: Vec<(&String, &f64)> = piece.msoas.iter().collect();
            msoas.sort_by(|a, b| b.1.total_cmp(a.1).then(a.0.cmp(b.0)));
            let readable = msoas
                .into_iter()
                .map(|m| crate::place::head(m.0).0)
                .find(|h| !h.is_empty() && !h.ends_with(|c: char| c.is_ascii_digit()));
            let label = match readable {
                Some(h) if h.contains(place) => h.to_string(),
                Some(h) => format!("{place} ({h})"),
                None => String::new(),
            };
            (s, label)
        })
        .collect();
    by_msoa
        .iter()
        .map(|(s, l)| {
            let unique = !l.is_empty() && by_msoa.iter().all(|(t, m)| t == s || m != l);
            if unique {
                return (*s, l.clone());
            }
            let piece = &pieces[s];
            let at = (piece.xy.0 / piece.pop - centre.0, piece.xy.1 / piece.pop - centre.1);
            (*s, format!("{place} {}", compass(at)))
        })
        .collect()
}

/// Eight-point compass direction of an offset (east, north).
fn compass((dx, dy): (f64, f64)) -> &'static str {
    const DIRS: [&str; 8] = ["East", "North-East", "North", "North-West", "West", "South-West", "South", "South-East"];
    if dx == 0.0 && dy == 0.0 {
        return "Centre";
    }
    let a = dy.atan2(dx).to_degrees().rem_euclid(360.0);
    DIRS[(((a + 22.5) / 45.0) as usize) % 8]
}

/// MNPs: their districts with at least 25% of the population (at most two); MNPs that would share
/// a name add their largest SNP's.
fn mnp_names(p: &Prepared, plan: &Plan, snp: &[String]) -> Vec<String> {
    let mut lad_pop: Vec<BTreeMap<String, f64>> = vec![BTreeMap::new(); plan.n_mnp()];
    let mut top_snp: Vec<(f64, usize)> = vec![(0.0, 0); plan.n_mnp()];
    let mut snp_pop = vec![0.0; plan.n_snp()];
    for (i, a) in p.study.areas.iter().enumerate() {
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
    mnp
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

#[cfg(test)]
mod tests {
    use super::*;

    fn piece(pop: f64, x: f64, y: f64, msoas: &[(&str, f64)]) -> Piece {
        Piece { pop, xy: (pop * x, pop * y), msoas: msoas.iter().map(|(n, p)| (n.to_string(), *p)).collect() }
    }

    #[test]
    fn village_groups_count_their_villages() {
        assert_eq!(
            settlement_size("Sutton Courtenay, Drayton & Steventon", PlaceKind::VillageGroup, 10_301.0),
            10_301.0 / 3.0
        );
        assert_eq!(settlement_size("Hanborough and Cassington", PlaceKind::VillageGroup, 7_000.0), 3_500.0);
        assert_eq!(settlement_size("Kirtlington Villages", PlaceKind::VillageGroup, 7_000.0), 7_000.0);
        assert_eq!(settlement_size("Grove", PlaceKind::Town, 9_121.0), 9_121.0);
    }

    #[test]
    fn compass_points() {
        assert_eq!(compass((1.0, 0.0)), "East");
        assert_eq!(compass((0.0, 5.0)), "North");
        assert_eq!(compass((-1.0, -1.0)), "South-West");
        assert_eq!(compass((1.0, -0.2)), "East");
        assert_eq!(compass((0.0, 0.0)), "Centre");
    }

    #[test]
    fn pieces_of_a_town_get_distinct_labels() {
        // Bicester: the larger piece keeps the name, the smaller one is named by its MSOA.
        let pieces = BTreeMap::from([
            (0, piece(23_000.0, 0.0, 0.0, &[("Bicester East", 12_000.0), ("Bicester North", 11_000.0)])),
            (3, piece(8_851.0, -1.0, 0.0, &[("Bicester West", 8_851.0)])),
        ]);
        let got = piece_labels("Bicester", &pieces);
        assert_eq!(got, vec![(0, "Bicester".to_string()), (3, "Bicester West".to_string())]);
        // A city in three pieces: each after its largest neighbourhood.
        let pieces = BTreeMap::from([
            (0, piece(50_000.0, 0.0, 1.0, &[("Summertown", 9_000.0), ("Wolvercote", 8_000.0)])),
            (1, piece(55_000.0, 1.0, 0.0, &[("Headington", 9_500.0)])),
            (2, piece(57_000.0, 0.0, -1.0, &[("Blackbird Leys", 9_000.0), ("Cowley & Temple Cowley", 9_900.0)])),
        ]);
        let got: Vec<String> = piece_labels("Oxford", &pieces).into_iter().map(|x| x.1).collect();
        assert_eq!(got, ["Oxford (Summertown)", "Oxford (Headington)", "Oxford (Cowley)"]);
        // No readable MSOA names: compass directions.
        let pieces = BTreeMap::from([
            (0, piece(50_000.0, 0.0, 10.0, &[("Oxford 001", 9_000.0)])),
            (1, piece(50_000.0, 0.0, -10.0, &[("Oxford 002", 9_000.0)])),
        ]);
        let got: Vec<String> = piece_labels("Oxford", &pieces).into_iter().map(|x| x.1).collect();
        assert_eq!(got, ["Oxford North", "Oxford South"]);
    }

    #[test]
    fn duplicates_take_the_alternative_then_a_number() {
        let mut n = vec!["A".to_string(), "A".into(), "B".into(), "B".into()];
        dedupe(&mut n, |i| if i == 0 { Some("A & C".into()) } else { None });
        assert_eq!(n, ["A & C", "A", "B (2)", "B"]);
    }
}
