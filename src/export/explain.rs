//! A reason for every boundary: per footprint its people, deviation, towns and PCNs (whole or
//! split, and why); for each split town the cheapest way to keep it whole and what that costs;
//! for each pair of neighbouring footprints what their shared boundary follows, in km.
//! Written as `explain.md` and `explain.json` in every option and baseline folder.

use crate::fmt::{fixed, fmt_int, signed};
use crate::prepare::Prepared;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A footprint set to explain: footprint per LSOA, names, target and tolerance.
pub struct ExplainInput<'a> {
    /// Set label ("option-1").
    pub label: &'a str,
    /// Footprint index per LSOA.
    pub fp_of: &'a [usize],
    /// Footprint names.
    pub names: &'a [String],
    /// Population target.
    pub target: f64,
    /// Tolerance (0.2 = ±20%).
    pub tolerance: f64,
}

/// The explanation of one set.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// Set label.
    pub label: String,
    /// Population target.
    pub target: f64,
    /// Tolerance (0.2 = ±20%).
    pub tolerance: f64,
    /// Each footprint.
    pub footprints: Vec<FootprintReason>,
    /// Towns and cities in more than one footprint, largest first.
    pub towns_split: Vec<Split>,
    /// PCNs in more than one footprint (by each LSOA's PCN), largest first.
    pub pcns_split: Vec<Split>,
    /// Each pair of neighbouring footprints.
    pub boundaries: Vec<SharedBoundary>,
}

/// One footprint.
#[derive(Debug, Clone, Serialize)]
pub struct FootprintReason {
    /// Name.
    pub name: String,
    /// People.
    pub population: u64,
    /// Deviation from the target, %.
    pub deviation_pct: f64,
    /// Districts it lies in.
    pub districts: Vec<String>,
    /// Towns and cities wholly inside.
    pub towns_whole: Vec<String>,
    /// Towns and cities partly inside: name and people inside.
    pub towns_part: Vec<(String, u64)>,
    /// PCNs (by each LSOA's PCN) wholly inside.
    pub pcns_whole: Vec<String>,
    /// PCNs partly inside: name and people inside.
    pub pcns_part: Vec<(String, u64)>,
}

/// A town or PCN in more than one footprint.
#[derive(Debug, Clone, Serialize)]
pub struct Split {
    /// Town or PCN name.
    pub name: String,
    /// Its people.
    pub population: u64,
    /// Footprint name and people of it there, largest first.
    pub pieces: Vec<(String, u64)>,
    /// Why it is split.
    pub reason: String,
    /// Kept whole in the footprint holding its largest piece: that footprint's population and
    /// deviation, and the largest deviation among the footprints that lose people.
    pub alternative: Option<Alternative>,
}

/// What keeping a town or PCN whole would cost.
#[derive(Debug, Clone, Serialize)]
pub struct Alternative {
    /// The footprint that would hold it whole.
    pub footprint: String,
    /// That footprint's population after the move.
    pub population: u64,
    /// Its deviation from the target, %.
    pub deviation_pct: f64,
    /// The footprint losing most, after the move: name, population, deviation.
    pub loser: Option<(String, u64, f64)>,
    /// True when every footprint involved stays within tolerance.
    pub within_tolerance: bool,
}

/// What the boundary between two neighbouring footprints follows, km by kind.
#[derive(Debug, Clone, Serialize)]
pub struct SharedBoundary {
    /// One footprint.
    pub a: String,
    /// The other.
    pub b: String,
    /// Shared boundary, km.
    pub km: f64,
    /// Along a district boundary.
    pub district_km: f64,
    /// Along an LGR unit boundary (any option).
    pub lgr_km: f64,
    /// Along a PCN catchment edge.
    pub pcn_km: f64,
    /// Along a town edge.
    pub town_km: f64,
    /// Along a ward edge.
    pub ward_km: f64,
    /// Follows none of those: a cut for balance or shape.
    pub none_km: f64,
}

/// Explain one set.
pub fn explain(p: &Prepared, x: &ExplainInput) -> Explanation {
    let s = &p.study;
    let n_fp = x.names.len();
    let mut pop = vec![0u64; n_fp];
    for (i, a) in s.areas.iter().enumerate() {
        pop[x.fp_of[i]] += a.pop;
    }
    let mut districts: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); n_fp];
    for i in 0..s.areas.len() {
        districts[x.fp_of[i]].insert(s.lad(i).name.as_str());
    }
    let towns = groups(p, x, |i| s.place(i).filter(|pl| pl.kind.is_town()).map(|pl| pl.name.clone()));
    let pcns = groups(p, x, |i| s.pcn(i).map(|n| n.name.clone()));
    let hi = x.target * (1.0 + x.tolerance);
    let footprints = (0..n_fp).map(|f| footprint(x, f, pop[f], &districts[f], &towns, &pcns)).collect();
    let split = |g: &BTreeMap<String, Group>| -> Vec<Split> {
        let mut v: Vec<Split> =
            g.iter().filter(|(_, gr)| gr.0.len() > 1).map(|(name, gr)| split_reason(x, name, gr, &pop, hi)).collect();
        v.sort_by(|a, b| b.population.cmp(&a.population).then(a.name.cmp(&b.name)));
        v
    };
    Explanation {
        label: x.label.to_string(),
        target: x.target,
        tolerance: x.tolerance,
        footprints,
        towns_split: split(&towns),
        pcns_split: split(&pcns),
        boundaries: boundaries(p, x),
    }
}

/// A town or PCN: its people per footprint, and the districts it lies in.
type Group<'p> = (BTreeMap<usize, u64>, BTreeSet<&'p str>);

/// Group key → its people per footprint and its districts, in one pass over the LSOAs.
fn groups<'p>(p: &'p Prepared, x: &ExplainInput, key: impl Fn(usize) -> Option<String>) -> BTreeMap<String, Group<'p>> {
    let mut g: BTreeMap<String, Group<'p>> = BTreeMap::new();
    for (i, a) in p.study.areas.iter().enumerate() {
        if let Some(k) = key(i) {
            let e = g.entry(k).or_default();
            *e.0.entry(x.fp_of[i]).or_default() += a.pop;
            e.1.insert(p.study.lad(i).name.as_str());
        }
    }
    g
}

fn footprint(
    x: &ExplainInput,
    f: usize,
    pop: u64,
    districts: &BTreeSet<&str>,
    towns: &BTreeMap<String, Group>,
    pcns: &BTreeMap<String, Group>,
) -> FootprintReason {
    let whole_part = |g: &BTreeMap<String, Group>| {
        let (mut whole, mut part) = (Vec::new(), Vec::new());
        for (name, (m, _)) in g {
            match m.get(&f) {
                Some(_) if m.len() == 1 => whole.push(name.clone()),
                Some(&n) => part.push((name.clone(), n)),
                None => {}
            }
        }
        (whole, part)
    };
    let (towns_whole, towns_part) = whole_part(towns);
    let (pcns_whole, pcns_part) = whole_part(pcns);
    FootprintReason {
        name: x.names[f].clone(),
        population: pop,
        deviation_pct: (pop as f64 / x.target - 1.0) * 100.0,
        districts: districts.iter().map(|d| d.to_string()).collect(),
        towns_whole,
        towns_part,
        pcns_whole,
        pcns_part,
    }
}

/// Why a town or PCN is split, and the cost of keeping it whole in its largest piece's footprint.
fn split_reason(x: &ExplainInput, name: &str, (m, districts): &Group, pop: &[u64], hi: f64) -> Split {
    let total: u64 = m.values().sum();
    let mut pieces: Vec<(usize, u64)> = m.iter().map(|(&f, &n)| (f, n)).collect();
    pieces.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let dev = |n: u64| (n as f64 / x.target - 1.0) * 100.0;
    let within = |n: u64| dev(n).abs() <= x.tolerance * 100.0 + 1e-9;
    let (keep, _) = pieces[0];
    let moved: u64 = total - pieces[0].1;
    let gained = pop[keep] + moved;
    let loser = pieces[1..]
        .iter()
        .map(|&(f, n)| (x.names[f].clone(), pop[f] - n, dev(pop[f] - n)))
        .max_by(|a, b| a.2.abs().total_cmp(&b.2.abs()));
    let alternative = Alternative {
        footprint: x.names[keep].clone(),
        population: gained,
        deviation_pct: dev(gained),
        within_tolerance: within(gained) && pieces[1..].iter().all(|&(f, n)| within(pop[f] - n)),
        loser,
    };
    let districts_n = districts.len();
    let reason = if districts_n > 1 {
        format!("it straddles a district boundary ({})", districts.iter().copied().collect::<Vec<_>>().join(", "))
    } else if total as f64 > hi {
        format!("it is too big for one footprint ({} people > {})", fmt_int(total), fmt_int(hi.round() as u64))
    } else if !alternative.within_tolerance {
        "keeping it whole puts a footprint outside the tolerance (see the alternative)".to_string()
    } else {
        "chosen for balance, other towns or PCNs, or compactness: keeping it whole is possible".to_string()
    };
    // Across a district boundary or too big, there is no whole alternative to cost.
    let forced = districts_n > 1 || total as f64 > hi;
    Split {
        name: name.to_string(),
        population: total,
        pieces: pieces.iter().map(|&(f, n)| (x.names[f].clone(), n)).collect(),
        reason,
        alternative: (!forced).then_some(alternative),
    }
}

/// Shared boundaries between footprints by what they follow: a district boundary first, then an
/// LGR unit boundary (any option), a PCN catchment edge (each LSOA's PCN), a town edge, a ward
/// edge, else none. Bridges across water count no length.
fn boundaries(p: &Prepared, x: &ExplainInput) -> Vec<SharedBoundary> {
    let s = &p.study;
    let mut by: BTreeMap<(usize, usize), [f64; 6]> = BTreeMap::new();
    for e in &p.graph.edges {
        let (fa, fb) = (x.fp_of[e.a], x.fp_of[e.b]);
        if fa == fb || e.bridge {
            continue;
        }
        let differ = |f: &dyn Fn(usize) -> Option<String>| f(e.a) != f(e.b);
        let kind = if s.areas[e.a].lad != s.areas[e.b].lad {
            0
        } else if s.lgr.iter().any(|o| o.unit_name(e.a) != o.unit_name(e.b)) {
            1
        } else if differ(&|i| s.pcn(i).map(|n| n.code.clone())) {
            2
        } else if differ(&|i| s.place(i).map(|pl| pl.name.clone())) {
            3
        } else if differ(&|i| s.ward(i).map(|w| w.code.clone())) {
            4
        } else {
            5
        };
        by.entry((fa.min(fb), fa.max(fb))).or_default()[kind] += e.shared_m / 1000.0;
    }
    by.into_iter()
        .map(|((a, b), k)| SharedBoundary {
            a: x.names[a].clone(),
            b: x.names[b].clone(),
            km: k.iter().sum(),
            district_km: k[0],
            lgr_km: k[1],
            pcn_km: k[2],
            town_km: k[3],
            ward_km: k[4],
            none_km: k[5],
        })
        .collect()
}

/// `explain.md`: the explanation as a reader meets it.
pub fn markdown(e: &Explanation, title: &str) -> String {
    let mut out = format!(
        "# Why the boundaries lie where they do — {title}\n\nTarget {} people ± {}%. Towns are the scenario's places (README › Places); a PCN's catchment is each LSOA's PCN.\n\n## Footprints\n\n| footprint | people | deviation | districts | towns whole | towns in part | PCNs whole | PCNs in part |\n|---|---|---|---|---|---|---|---|\n",
        fmt_int(e.target.round() as u64),
        fixed(e.tolerance * 100.0, 0)
    );
    let parts =
        |v: &[(String, u64)]| v.iter().map(|(n, k)| format!("{n} ({})", fmt_int(*k))).collect::<Vec<_>>().join("; ");
    for f in &e.footprints {
        out += &format!(
            "| {} | {} | {}% | {} | {} | {} | {} | {} |\n",
            f.name,
            fmt_int(f.population),
            signed(f.deviation_pct, 1),
            f.districts.join(", "),
            f.towns_whole.join(", "),
            parts(&f.towns_part),
            f.pcns_whole.join(", "),
            parts(&f.pcns_part)
        );
    }
    for (heading, v) in [("Towns split", &e.towns_split), ("PCNs split", &e.pcns_split)] {
        out += &format!("\n## {heading}: {}\n\n", v.len());
        if v.is_empty() {
            out += "None.\n";
        }
        for sp in v {
            out += &format!(
                "- **{}** ({} people) in {}: {}.",
                sp.name,
                fmt_int(sp.population),
                parts(&sp.pieces),
                sp.reason
            );
            if let Some(a) = &sp.alternative {
                out += &format!(
                    " Keeping it whole in {} puts that footprint at {} ({}%)",
                    a.footprint,
                    fmt_int(a.population),
                    signed(a.deviation_pct, 1)
                );
                if let Some((n, k, d)) = &a.loser {
                    out += &format!(" and {n} at {} ({}%)", fmt_int(*k), signed(*d, 1));
                }
                out += if a.within_tolerance { ", all within tolerance." } else { ", outside tolerance." };
            }
            out += "\n";
        }
    }
    out += "\n## Shared boundaries (km)\n\nEach stretch counts once, under the first that applies: district boundary, LGR unit boundary, PCN catchment edge, town edge, ward edge, none (a cut for balance or shape).\n\n| footprint | footprint | km | district | LGR | PCN | town | ward | none |\n|---|---|---|---|---|---|---|---|---|\n";
    for b in &e.boundaries {
        out += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            b.a,
            b.b,
            fixed(b.km, 1),
            fixed(b.district_km, 1),
            fixed(b.lgr_km, 1),
            fixed(b.pcn_km, 1),
            fixed(b.town_km, 1),
            fixed(b.ward_km, 1),
            fixed(b.none_km, 1)
        );
    }
    out
}

/// Write `explain.md` and `explain.json` for a built option or baseline into its folder; the
/// build's warnings are listed as notes (they say, e.g., why a unit could not keep its towns whole).
pub fn write_built(
    p: &Prepared,
    b: &crate::build::Built,
    dir: &std::path::Path,
    target: f64,
    tolerance: f64,
    notes: &[String],
    minimum: Option<&serde_json::Value>,
) -> crate::error::Result<()> {
    let x = ExplainInput { label: &b.label, fp_of: &b.plan.snp_of, names: &b.snp_names, target, tolerance };
    let e = explain(p, &x);
    let mut md = markdown(&e, &format!("{} {}", p.study.name, b.label));
    let mut json = serde_json::to_value(&e).unwrap_or_default();
    if let Some(m) = minimum {
        md += &format!(
            "\n## PCNs split against the proven minimum\n\n{}\n{}",
            minimum_sentence(e.pcns_split.len(), m),
            minimum_parts(m)
        );
        json["pcn_minimum"] = m.clone();
    }
    if !notes.is_empty() {
        md += "\n## Notes from the build\n\n";
        for n in notes {
            md += &format!("- {n}\n");
        }
    }
    let json = serde_json::to_string_pretty(&json).unwrap_or_default() + "\n";
    crate::io::write::atomic_write(&dir.join("explain.json"), json.as_bytes())?;
    crate::io::write::atomic_write(&dir.join("explain.md"), md.as_bytes())
}

/// "PCNs split: 12. Proven minimum (exact mode): 11 with SNPs inside districts and the built SNP
/// counts; 12 with towns whole too." from the exact mode's summary (`footprints build --exact`):
/// `{"lower", "upper", "proven", "with_towns": {…}, "seconds"}`; a figure not proven is given as a
/// range, or as a lower bound when some district has no plan (a district in pieces, one no SNP count
/// fits, or a solve that found nothing within the time limit).
pub fn minimum_sentence(split: usize, m: &serde_json::Value) -> String {
    let fig = |v: &serde_json::Value| {
        let lower = v.get("lower").and_then(serde_json::Value::as_u64).unwrap_or(0);
        match v.get("upper").and_then(serde_json::Value::as_u64) {
            Some(u) if v.get("proven").and_then(serde_json::Value::as_bool) == Some(true) => format!("{u}"),
            Some(u) => format!("between {lower} and {u} (not proven within the time limit)"),
            None => format!("at least {lower} (no plan found for some district: see exact.json)"),
        }
    };
    let mut s = format!(
        "PCNs split: {split}. Proven minimum (exact mode): {} with SNPs inside districts and the built SNP counts",
        fig(m)
    );
    if let Some(t) = m.get("with_towns") {
        s += &format!("; {} with towns whole too", fig(t));
    }
    s + "."
}

/// The lines under [`minimum_sentence`] in `explain.md`: what the minimum is made of, e.g.
/// "- 9 straddle districts" and "- Cherwell (E07000177): 1 of the 3 catchments inside it".
fn minimum_parts(m: &serde_json::Value) -> String {
    use serde_json::Value;
    let n = |v: &Value, k: &str| v.get(k).and_then(Value::as_u64).unwrap_or(0);
    let mut out = format!(
        "\nWhat any plan must split (without whole towns): {} PCNs straddling districts, {} too big for one SNP",
        n(m, "straddle"),
        n(m, "too_big")
    );
    for d in m.get("districts").and_then(Value::as_array).into_iter().flatten() {
        let name = d.get("district").and_then(Value::as_str).unwrap_or("?");
        out += &format!(", {} of the {} inside {name}", n(d, "split_min"), n(d, "candidates"));
    }
    if let Some(t) = m.get("with_towns") {
        let parts: Vec<String> = t
            .get("districts")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|d| {
                let name = d.get("district").and_then(Value::as_str).unwrap_or("?");
                format!("{} of the {} inside {name}", n(d, "split_min"), n(d, "candidates"))
            })
            .collect();
        out += &format!("; with towns whole too: {}", parts.join(", "));
    }
    let proven = m.get("proven").and_then(Value::as_bool) == Some(true);
    out + if proven {
        ". Which catchment of a district splits is the build's choice; the count is proven.\n"
    } else {
        ". Which catchment of a district splits is the build's choice; these counts are lower bounds.\n"
    }
}
