//! Synthetic demo region: a county of ~430 irregular LSOA-like polygons (Voronoi cells of sites
//! clustered around a city and four towns), five districts, wards, clustered deprivation, ~50
//! practices in ~15 PCNs with registered patients by LSOA, and two LGR options (one by LAD,
//! one by LSOA). Everything is derived from one seed, so the output is reproducible.

use crate::error::Result;
use crate::graph::{AdjacencyParams, Graph};
use crate::io::crs::Crs;
use crate::io::write::{atomic_write, csv_string, write_geojson, OutFeature};
use geo::{Area, Coord, InteriorPoint, LineString, MultiPolygon, Polygon, Voronoi, VoronoiClip, VoronoiParams};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Map};
use std::collections::BTreeMap;
use std::path::Path;

const CENTRE: Coord = Coord { x: 440_000.0, y: 256_000.0 };

struct Place {
    name: &'static str,
    at: Coord,
    sites: usize,
    sigma: f64,
}

fn places() -> Vec<Place> {
    let c = |dx: f64, dy: f64| Coord { x: CENTRE.x + dx, y: CENTRE.y + dy };
    vec![
        Place { name: "Aldport", at: c(-1_000.0, 500.0), sites: 150, sigma: 2_600.0 },
        Place { name: "Kingsbury", at: c(-3_000.0, 11_000.0), sites: 40, sigma: 1_300.0 },
        Place { name: "Eastwick", at: c(13_000.0, 2_500.0), sites: 34, sigma: 1_200.0 },
        Place { name: "Southam Magna", at: c(2_500.0, -10_500.0), sites: 30, sigma: 1_100.0 },
        Place { name: "Westerleigh", at: c(-14_000.0, -2_000.0), sites: 28, sigma: 1_100.0 },
    ]
}

const DISTRICTS: [&str; 5] = ["Aldport", "Kingsbury and the North", "Eastwick Vale", "Southam Downs", "Westerleigh"];
const SYL_A: [&str; 16] = [
    "Ash", "Brook", "Thorn", "Elm", "Hollow", "Mill", "Stan", "Wood", "Marsh", "Oak", "Fen", "Bar", "Kel", "Hart",
    "Lang", "Nor",
];
const SYL_B: [&str; 12] =
    ["ley", "ford", "ton", "field", "wick", "bury", "ham", "well", "combe", "stead", "by", "hurst"];

fn normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1: f64 = rng.random::<f64>().max(1e-12);
    let u2: f64 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (2.0 * std::f64::consts::PI * u2).cos()
}

fn county_outline() -> Polygon {
    let n = 72;
    let pts: Vec<Coord> = (0..=n)
        .map(|i| {
            let t = (i % n) as f64 / n as f64 * std::f64::consts::TAU;
            let r = 1.0 + 0.07 * (3.0 * t).sin() + 0.05 * (5.0 * t + 1.0).cos() + 0.03 * (9.0 * t).sin();
            Coord { x: CENTRE.x + 21_000.0 * r * t.cos(), y: CENTRE.y + 16_500.0 * r * t.sin() }
        })
        .collect();
    Polygon::new(LineString::new(pts), vec![])
}

fn dist(a: Coord, b: Coord) -> f64 {
    ((a.x - b.x).powi(2) + (a.y - b.y).powi(2)).sqrt()
}

/// Map an IMD score to a national rank (1 = most deprived of 33,755) using IoD 2025-like decile cut-offs.
fn score_to_rank(score: f64) -> u32 {
    // (score, rank) knots: decile boundaries of the national distribution (approximate).
    let knots = [
        (80.0, 1.0),
        (34.0, 3_376.0),
        (27.0, 6_751.0),
        (22.0, 10_127.0),
        (18.5, 13_502.0),
        (15.5, 16_878.0),
        (13.0, 20_253.0),
        (10.8, 23_629.0),
        (8.8, 27_004.0),
        (6.8, 30_380.0),
        (0.5, 33_755.0),
    ];
    let s = score.clamp(0.5, 80.0);
    for w in knots.windows(2) {
        let ((s0, r0), (s1, r1)) = (w[0], w[1]);
        if s <= s0 && s >= s1 {
            return (r0 + (r1 - r0) * (s0 - s) / (s0 - s1)).round().clamp(1.0, 33_755.0) as u32;
        }
    }
    33_755
}

struct Cell {
    geom: MultiPolygon,
    site: Coord,
    district: usize,
    ward: usize,
    pop: u64,
    score: f64,
    place: String,
}

/// A practice: the cell it sits in and its district.
struct DemoPractice {
    cell: usize,
    district: usize,
}

/// Generate the demo region into `out` (created if needed). Returns the number of LSOAs.
pub fn generate(out: &Path, seed: u64) -> Result<usize> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let outline = county_outline();
    let places = places();
    let sites = place_sites(&mut rng, &outline, &places);
    let mut cells = voronoi_cells(&sites, &outline);
    assign_districts(&mut cells, &places);
    let geoms: Vec<&MultiPolygon> = cells.iter().map(|c| &c.geom).collect();
    let graph = Graph::build(&geoms, AdjacencyParams { tolerance_m: 1.0, min_shared_m: 10.0 });
    make_groups_contiguous(&graph, &mut cells);
    population_and_deprivation(&mut cells, &places, &mut rng);
    let ward_names = wards(&mut cells, &graph, &mut rng);
    let names = lsoa_names(&cells);
    let codes: Vec<String> = (0..cells.len()).map(|i| format!("E01{:06}", 900_001 + i)).collect();
    let practices = place_practices(&cells, &mut rng);
    let (list, reg_rows) = registrations(&cells, &practices, &codes);
    let (pcn_of, pcn_names) = pcns(&cells, &practices, &list);
    std::fs::create_dir_all(out).map_err(|e| crate::Error::write(out, e))?;
    write_areas(out, &cells, &codes, &names, &ward_names)?;
    let prac = PracticeTables { practices: &practices, list: &list, pcn_of: &pcn_of, pcn_names: &pcn_names };
    write_practices(out, &cells, &ward_names, &prac, &reg_rows)?;
    write_lgr(out, &cells, &codes, &graph, &places)?;
    write_msoas(out, &cells, &codes, &names, &ward_names)?;
    atomic_write(&out.join("scenario.toml"), SCENARIO.as_bytes())?;
    Ok(cells.len())
}

fn lad_code(d: usize) -> String {
    format!("E07900{:03}", d + 1)
}

/// 1. Sites: clustered around places, plus rural scatter; at least 300 m apart.
fn place_sites(rng: &mut ChaCha8Rng, outline: &Polygon, places: &[Place]) -> Vec<Coord> {
    let mut sites: Vec<Coord> = Vec::new();
    let ok = |sites: &Vec<Coord>, c: Coord, min: f64| {
        use geo::Contains;
        outline.contains(&c) && sites.iter().all(|s| dist(*s, c) >= min)
    };
    for p in places {
        let mut placed = 0;
        let mut tries = 0;
        while placed < p.sites && tries < 100_000 {
            tries += 1;
            let c = Coord { x: p.at.x + normal(rng) * p.sigma, y: p.at.y + normal(rng) * p.sigma * 0.85 };
            if ok(&sites, c, 280.0) {
                sites.push(c);
                placed += 1;
            }
        }
    }
    let mut rural = 0;
    while rural < 150 {
        let c = Coord {
            x: CENTRE.x + (rng.random::<f64>() - 0.5) * 46_000.0,
            y: CENTRE.y + (rng.random::<f64>() - 0.5) * 38_000.0,
        };
        if ok(&sites, c, 1_700.0) {
            sites.push(c);
            rural += 1;
        }
    }
    sites
}

/// Step 2, Voronoi cells clipped to the county; each piece belongs to the site nearest its
/// interior point; sorted west→east, north→south in bands so codes read like a map.
fn voronoi_cells(sites: &[Coord], outline: &Polygon) -> Vec<Cell> {
    let mp = geo::MultiPoint::from(sites.iter().map(|c| geo::Point(*c)).collect::<Vec<_>>());
    let cells = mp
        .voronoi_cells_with_params(VoronoiParams::new().clip(VoronoiClip::Polygon(outline)))
        .expect("sites are not collinear");
    let mut pieces: BTreeMap<usize, Vec<Polygon>> = BTreeMap::new();
    for poly in cells {
        if poly.unsigned_area() < 1.0 {
            continue;
        }
        let Some(ip) = poly.interior_point() else {
            continue;
        };
        let k = (0..sites.len()).min_by(|&a, &b| dist(sites[a], ip.0).total_cmp(&dist(sites[b], ip.0))).unwrap();
        pieces.entry(k).or_default().push(poly);
    }
    let mut cells: Vec<Cell> = pieces
        .into_iter()
        .map(|(k, mut polys)| {
            polys.sort_by(|a, b| b.unsigned_area().total_cmp(&a.unsigned_area()));
            polys.truncate(1);
            let geom = crate::io::write::round_mp(&MultiPolygon::new(polys), 1);
            Cell { geom, site: sites[k], district: 0, ward: 0, pop: 0, score: 0.0, place: String::new() }
        })
        .filter(|c| !c.geom.0.is_empty())
        .collect();
    cells.sort_by(|a, b| {
        ((-(a.site.y / 4000.0).floor()) as i64, a.site.x as i64)
            .cmp(&((-(b.site.y / 4000.0).floor()) as i64, b.site.x as i64))
    });
    cells
}

/// 3. Districts: the city within 6.5 km of its centre, the rest by nearest town; places by distance.
fn assign_districts(cells: &mut [Cell], places: &[Place]) {
    let nearest = |c: &Cell, r: std::ops::Range<usize>| {
        r.min_by(|&a, &b| dist(c.site, places[a].at).total_cmp(&dist(c.site, places[b].at))).unwrap()
    };
    for c in cells {
        let city = dist(c.site, places[0].at) < 6_500.0;
        c.district = if city { 0 } else { nearest(c, 1..5) };
        let near = nearest(c, 0..5);
        let d = dist(c.site, places[near].at);
        c.place = if d < 3.5 * places[near].sigma {
            places[near].name.to_string()
        } else {
            format!("Rural {}", DISTRICTS[c.district])
        };
    }
}

/// Step 4, population and deprivation (hot spots east of the city centre and in Eastwick; rural
/// access deprivation).
fn population_and_deprivation(cells: &mut [Cell], places: &[Place], rng: &mut ChaCha8Rng) {
    let hot = [
        (Coord { x: places[0].at.x + 1_800.0, y: places[0].at.y - 600.0 }, 1_500.0, 42.0),
        (Coord { x: places[2].at.x - 400.0, y: places[2].at.y + 300.0 }, 900.0, 30.0),
        (Coord { x: places[1].at.x + 600.0, y: places[1].at.y - 400.0 }, 700.0, 18.0),
    ];
    for c in cells {
        let urban = c.place.starts_with("Rural") as u8 == 0;
        let base = if urban { 1_650.0 } else { 1_450.0 };
        c.pop = (base + normal(rng) * 320.0).round().clamp(1_000.0, 3_000.0) as u64;
        let mut s = 4.5 + normal(rng).abs() * 4.5;
        for (h, r, amp) in hot {
            s += amp * (-(dist(c.site, h) / r).powi(2) / 2.0).exp();
        }
        if !urban {
            s += 2.0;
        }
        c.score = (s * 1000.0).round() / 1000.0;
    }
}

/// 5. Wards: ~4 cells each, by k-means on sites within each district; returns their names.
fn wards(cells: &mut [Cell], graph: &Graph, rng: &mut ChaCha8Rng) -> Vec<String> {
    let mut ward_count = 0;
    for d in 0..5 {
        let members: Vec<usize> = (0..cells.len()).filter(|&i| cells[i].district == d).collect();
        let k = (members.len() / 4).max(1);
        let pts: Vec<Coord> = members.iter().map(|&i| cells[i].site).collect();
        let lab = kmeans(&pts, &vec![1.0; pts.len()], k, rng);
        for (j, &i) in members.iter().enumerate() {
            cells[i].ward = ward_count + lab[j];
        }
        ward_count += k;
    }
    make_groups_contiguous_wards(graph, cells);
    (0..ward_count).map(|w| format!("{}{}", SYL_A[(w * 7 + 3) % 16], SYL_B[(w * 5 + w / 16) % 12])).collect()
}

/// 6. LSOA names: district, MSOA number per ward, letter.
fn lsoa_names(cells: &[Cell]) -> Vec<String> {
    let mut msoa_seq: BTreeMap<(usize, usize), (usize, usize)> = BTreeMap::new(); // (district, ward) -> (msoa no, next letter)
    let mut per_district = [0usize; 5];
    let mut names = Vec::new();
    for c in cells {
        let e = msoa_seq.entry((c.district, c.ward)).or_insert_with(|| {
            per_district[c.district] += 1;
            (per_district[c.district], 0)
        });
        let letter = (b'A' + e.1 as u8) as char;
        e.1 += 1;
        names.push(format!("{} {:03}{}", DISTRICTS[c.district], e.0, letter));
    }
    names
}

/// 7. Practices (~50) by population-weighted k-means, placed at the nearest site.
fn place_practices(cells: &[Cell], rng: &mut ChaCha8Rng) -> Vec<DemoPractice> {
    let pts: Vec<Coord> = cells.iter().map(|c| c.site).collect();
    let w: Vec<f64> = cells.iter().map(|c| c.pop as f64).collect();
    let lab = kmeans(&pts, &w, 50, rng);
    let mut practices: Vec<(usize, usize)> = Vec::new(); // (cell index, district)
    for k in 0..50 {
        let members: Vec<usize> = (0..cells.len()).filter(|&i| lab[i] == k).collect();
        if members.is_empty() {
            continue;
        }
        let tw: f64 = members.iter().map(|&i| w[i]).sum();
        let c = Coord {
            x: members.iter().map(|&i| pts[i].x * w[i]).sum::<f64>() / tw,
            y: members.iter().map(|&i| pts[i].y * w[i]).sum::<f64>() / tw,
        };
        let best = *members.iter().min_by(|&&a, &&b| dist(pts[a], c).total_cmp(&dist(pts[b], c))).unwrap();
        practices.push((best, cells[best].district));
    }
    practices.sort();
    practices.into_iter().map(|(cell, district)| DemoPractice { cell, district }).collect()
}

/// Step 8, registrations: 110% of residents (list inflation), 76/16/8% to the three nearest
/// practices. Returns list sizes and the registration rows.
fn registrations(cells: &[Cell], practices: &[DemoPractice], codes: &[String]) -> (Vec<u64>, Vec<Vec<String>>) {
    let mut reg_rows = Vec::new();
    let mut list = vec![0u64; practices.len()];
    for (i, c) in cells.iter().enumerate() {
        let mut order: Vec<usize> = (0..practices.len()).collect();
        let at = |p: usize| cells[practices[p].cell].site;
        order.sort_by(|&a, &b| dist(at(a), c.site).total_cmp(&dist(at(b), c.site)).then(a.cmp(&b)));
        let total = (c.pop as f64 * 1.1).round() as u64;
        let first = (total as f64 * 0.76).round() as u64;
        let second = (total as f64 * 0.16).round() as u64;
        for (p, n) in [(order[0], first), (order[1], second), (order[2], total - first - second)] {
            list[p] += n;
            reg_rows.push(vec![codes[i].clone(), format!("D{:05}", 81_001 + p), n.to_string()]);
        }
    }
    (list, reg_rows)
}

/// PCNs: within each district, practices swept by angle around the district centre and cut into
/// groups of about 50,000 registered patients. Returns each practice's PCN and the PCN names.
fn pcns(cells: &[Cell], practices: &[DemoPractice], list: &[u64]) -> (Vec<usize>, Vec<String>) {
    let mut pcn_of = vec![0usize; practices.len()];
    let mut pcn_names: Vec<String> = Vec::new();
    let at = |i: usize| cells[practices[i].cell].site;
    for d in 0..5 {
        let idx: Vec<usize> = (0..practices.len()).filter(|&i| practices[i].district == d).collect();
        if idx.is_empty() {
            continue;
        }
        let lsum: u64 = idx.iter().map(|&i| list[i]).sum();
        let k = ((lsum as f64 / 50_000.0).round() as usize).clamp(1, idx.len());
        let (cx, cy) = (
            idx.iter().map(|&i| at(i).x).sum::<f64>() / idx.len() as f64,
            idx.iter().map(|&i| at(i).y).sum::<f64>() / idx.len() as f64,
        );
        let mut sweep = idx.clone();
        let ang = |i: usize| (at(i).y - cy).atan2(at(i).x - cx);
        sweep.sort_by(|&a, &b| ang(a).total_cmp(&ang(b)));
        let base = pcn_names.len();
        let mut acc = 0u64;
        for &i in &sweep {
            let q = ((acc as f64 / lsum as f64) * k as f64).floor() as usize;
            pcn_of[i] = base + q.min(k - 1);
            acc += list[i];
        }
        for q in 0..k {
            let first = sweep.iter().find(|&&i| pcn_of[i] == base + q).copied().unwrap_or(sweep[0]);
            let place = &cells[practices[first].cell].place;
            let place = place.strip_prefix("Rural ").unwrap_or(place);
            let name = format!("{} {} PCN", place, ["Central", "North", "South", "East", "West", "Villages"][q % 6])
                .to_uppercase();
            pcn_names.push(name);
        }
    }
    (pcn_of, pcn_names)
}

/// Boundaries, population, deprivation and the ward/LAD lookup.
fn write_areas(out: &Path, cells: &[Cell], codes: &[String], names: &[String], ward_names: &[String]) -> Result<()> {
    let feats: Vec<OutFeature> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut m = Map::new();
            m.insert("lsoa21_code".into(), json!(codes[i]));
            m.insert("lsoa21_name".into(), json!(names[i]));
            m.insert("ltla24_code".into(), json!(lad_code(c.district)));
            m.insert("ltla24_name".into(), json!(DISTRICTS[c.district]));
            m.insert("town".into(), json!(c.place));
            OutFeature { props: m, geom: c.geom.clone() }
        })
        .collect();
    write_geojson(&out.join("lsoa_boundaries_bng.geojson"), &feats, Crs::Bng, None)?;
    let rows =
        |f: &dyn Fn(usize, &Cell) -> Vec<String>| cells.iter().enumerate().map(|(i, c)| f(i, c)).collect::<Vec<_>>();
    atomic_write(
        &out.join("population.csv"),
        csv_string(&["lsoa21_code", "total_residents"], &rows(&|i, c| vec![codes[i].clone(), c.pop.to_string()]))
            .as_bytes(),
    )?;
    let dep = rows(&|i, c| {
        let r = score_to_rank(c.score);
        let decile = ((r - 1) as f64 / 3_375.5).floor() as u32 + 1;
        let health = format!("{:.3}", (c.score - 18.0) / 14.0);
        vec![codes[i].clone(), decile.min(10).to_string(), r.to_string(), format!("{:.3}", c.score), health]
    });
    let dep_cols = ["lsoa21_code", "IMD_decile", "IMD_rank", "IMD_score", "Health_score"];
    atomic_write(&out.join("deprivation.csv"), csv_string(&dep_cols, &dep).as_bytes())?;
    let lookup = rows(&|i, c| {
        vec![
            names[i].clone(),
            codes[i].clone(),
            ward_names[c.ward].clone(),
            format!("E05900{:03}", c.ward + 1),
            DISTRICTS[c.district].to_string(),
            lad_code(c.district),
        ]
    });
    let lookup_cols = ["lsoa21_name", "lsoa21_code", "ward24_name", "ward24_code", "ltla24_name", "ltla24_code"];
    atomic_write(&out.join("lookup.csv"), csv_string(&lookup_cols, &lookup).as_bytes())
}

/// Practices with their PCNs, list sizes and registrations.
struct PracticeTables<'a> {
    practices: &'a [DemoPractice],
    list: &'a [u64],
    pcn_of: &'a [usize],
    pcn_names: &'a [String],
}

/// Practices and registrations.
fn write_practices(
    out: &Path,
    cells: &[Cell],
    ward_names: &[String],
    t: &PracticeTables,
    reg_rows: &[Vec<String>],
) -> Result<()> {
    let prac_rows: Vec<Vec<String>> = t
        .practices
        .iter()
        .enumerate()
        .map(|(p, pr)| {
            let c = &cells[pr.cell];
            let place = c.place.strip_prefix("Rural ").unwrap_or(&c.place);
            vec![
                format!("D{:05}", 81_001 + p),
                format!("{} {} SURGERY", place.to_uppercase(), ward_names[c.ward].to_uppercase()),
                t.list[p].to_string(),
                format!("U{:05}", 90_001 + t.pcn_of[p]),
                t.pcn_names[t.pcn_of[p]].clone(),
                format!("{:.0}", c.site.x),
                format!("{:.0}", c.site.y),
            ]
        })
        .collect();
    let cols = ["practice_code", "practice_name", "list_size", "pcn_code", "pcn_name", "easting", "northing"];
    atomic_write(&out.join("practices.csv"), csv_string(&cols, &prac_rows).as_bytes())?;
    atomic_write(
        &out.join("registrations.csv"),
        csv_string(&["LSOA_CODE", "PRACTICE_CODE", "NUMBER_OF_PATIENTS"], reg_rows).as_bytes(),
    )
}

/// LGR: option "2UA" by LAD; option "3UA" by LSOA (Greater Aldport = within 8.5 km of the city centre).
fn write_lgr(out: &Path, cells: &[Cell], codes: &[String], graph: &Graph, places: &[Place]) -> Result<()> {
    let lgr_rows: Vec<Vec<String>> = (0..5)
        .map(|d| {
            let unit = if d <= 1 || d == 4 { "Aldport and the West" } else { "Eastwick and Southam" };
            vec!["2UA".into(), unit.into(), lad_code(d), DISTRICTS[d].into(), "whole".into()]
        })
        .collect();
    atomic_write(
        &out.join("lgr_options_by_lad.csv"),
        csv_string(&["option_id", "proposed_unitary", "lad24_code", "lad24_name", "assignment"], &lgr_rows).as_bytes(),
    )?;
    let mut unit3: Vec<usize> = cells
        .iter()
        .map(|c| {
            if dist(c.site, places[0].at) < 8_500.0 {
                0
            } else if c.site.y > CENTRE.y - 2_000.0 {
                1
            } else {
                2
            }
        })
        .collect();
    make_contiguous(graph, &mut unit3, &[]);
    let u3 = ["Greater Aldport", "North and East", "South and West"];
    let rows: Vec<Vec<String>> = (0..cells.len()).map(|i| vec![codes[i].clone(), u3[unit3[i]].to_string()]).collect();
    atomic_write(&out.join("lgr_3ua_by_lsoa.csv"), csv_string(&["lsoa21_code", "unitary"], &rows).as_bytes())
}

/// 10. MSOAs and their readable names.
///
/// One MSOA per district and ward, as the LSOA names already number them; names in the House of
/// Commons Library layout: "<town> <ward>" where most people live in a town, "<ward> Villages"
/// elsewhere. The last MSOA gets no readable name, like the MSOAs new in 2021, so the fallback to
/// the ONS name is exercised.
fn write_msoas(out: &Path, cells: &[Cell], codes: &[String], names: &[String], ward_names: &[String]) -> Result<()> {
    let ons = |i: usize| names[i][..names[i].len() - 1].to_string();
    let mut msoas: BTreeMap<String, (usize, BTreeMap<&str, u64>)> = BTreeMap::new();
    for (i, c) in cells.iter().enumerate() {
        let e = msoas.entry(ons(i)).or_insert((c.ward, BTreeMap::new()));
        *e.1.entry(c.place.as_str()).or_default() += c.pop;
    }
    let code: BTreeMap<&str, String> =
        msoas.keys().enumerate().map(|(k, n)| (n.as_str(), format!("E02{:06}", 900_001 + k))).collect();
    let lookup: Vec<Vec<String>> = cells
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let m = ons(i);
            vec![
                codes[i].clone(),
                names[i].clone(),
                code[m.as_str()].clone(),
                m,
                lad_code(c.district),
                DISTRICTS[c.district].into(),
            ]
        })
        .collect();
    let cols = ["lsoa21cd", "lsoa21nm", "msoa21cd", "msoa21nm", "lad24cd", "lad24nm"];
    atomic_write(&out.join("msoa_lookup.csv"), csv_string(&cols, &lookup).as_bytes())?;
    let readable: Vec<Vec<String>> = msoas
        .iter()
        .take(msoas.len() - 1)
        .map(|(m, (ward, by_place))| {
            let place = by_place.iter().max_by_key(|(n, p)| (**p, std::cmp::Reverse(**n))).map_or("", |(n, _)| n);
            let name = if place.starts_with("Rural ") {
                format!("{} Villages", ward_names[*ward])
            } else {
                format!("{place} {}", ward_names[*ward])
            };
            vec![code[m.as_str()].clone(), m.clone(), name]
        })
        .collect();
    let cols = ["msoa11cd", "msoa11nm", "msoa11hclnm"];
    atomic_write(&out.join("msoa_names.csv"), csv_string(&cols, &readable).as_bytes())
}

const SCENARIO: &str = r#"# Demo scenario: a synthetic county made by `footprints demo` (all data fictional).
name = "Demo county (synthetic)"
attribution = "Synthetic demo data generated by footprints; not real places or people."

[boundaries]
path = "lsoa_boundaries_bng.geojson"

[population]
path = "population.csv"

[deprivation]
path = "deprivation.csv"
edition = "synthetic IoD-style scores"
need = "Health_score"

[lookup]
path = "lookup.csv"

[practices]
path = "practices.csv"
pcn_code = "pcn_code"
pcn_name = "pcn_name"
easting = "easting"
northing = "northing"
list_size = "list_size"

[registrations]
path = "registrations.csv"

[[lgr]]
path = "lgr_options_by_lad.csv"
option = "option_id"
assignment = "assignment"

[[lgr]]
path = "lgr_3ua_by_lsoa.csv"
by = "lsoa"
name = "3UA"
code = "lsoa21_code"
unit = "unitary"

[places]
msoa_lookup = "msoa_lookup.csv"
msoa_names = "msoa_names.csv"

[build]
community = "ward"
mnp_layer = "2UA"
"#;

/// Weighted Lloyd's k-means, deterministic given the RNG; returns a label per point.
fn kmeans(pts: &[Coord], w: &[f64], k: usize, rng: &mut ChaCha8Rng) -> Vec<usize> {
    let k = k.min(pts.len()).max(1);
    // k-means++ seeding.
    let mut centres = vec![pts[rng.random_range(0..pts.len())]];
    while centres.len() < k {
        let d: Vec<f64> = pts
            .iter()
            .zip(w)
            .map(|(p, wi)| wi * centres.iter().map(|c| dist(*c, *p).powi(2)).fold(f64::MAX, f64::min))
            .collect();
        let total: f64 = d.iter().sum();
        let mut r = rng.random::<f64>() * total;
        let mut pick = pts.len() - 1;
        for (i, di) in d.iter().enumerate() {
            r -= di;
            if r <= 0.0 {
                pick = i;
                break;
            }
        }
        centres.push(pts[pick]);
    }
    let mut lab = vec![0; pts.len()];
    for _ in 0..30 {
        for (i, p) in pts.iter().enumerate() {
            lab[i] = (0..k).min_by(|&a, &b| dist(centres[a], *p).total_cmp(&dist(centres[b], *p))).unwrap();
        }
        for (c, centre) in centres.iter_mut().enumerate() {
            let (mut sx, mut sy, mut sw) = (0.0, 0.0, 0.0);
            for i in 0..pts.len() {
                if lab[i] == c {
                    sx += pts[i].x * w[i];
                    sy += pts[i].y * w[i];
                    sw += w[i];
                }
            }
            if sw > 0.0 {
                *centre = Coord { x: sx / sw, y: sy / sw };
            }
        }
    }
    lab
}

/// Reassign cells so every label's cells are connected: stray pieces join the neighbouring label
/// they share most edges with. Repeats until stable.
fn make_contiguous(graph: &Graph, label: &mut [usize], within: &[usize]) {
    for _ in 0..20 {
        let mut changed = false;
        let labels: std::collections::BTreeSet<usize> = label.iter().copied().collect();
        for l in labels {
            let nodes: Vec<usize> = (0..label.len()).filter(|&i| label[i] == l).collect();
            let sub = graph.components_of(&nodes);
            for piece in sub.iter().skip(1) {
                let mut votes: BTreeMap<usize, usize> = BTreeMap::new();
                for &v in piece {
                    for &w in &graph.neighbors[v] {
                        if label[w] != l && within.get(w) == within.get(v) {
                            *votes.entry(label[w]).or_default() += 1;
                        }
                    }
                }
                if let Some((&to, _)) = votes.iter().max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0))) {
                    for &v in piece {
                        label[v] = to;
                    }
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
}

fn make_groups_contiguous(graph: &Graph, cells: &mut [Cell]) {
    let mut l: Vec<usize> = cells.iter().map(|c| c.district).collect();
    make_contiguous(graph, &mut l, &[]);
    for (c, d) in cells.iter_mut().zip(l) {
        c.district = d;
    }
}

fn make_groups_contiguous_wards(graph: &Graph, cells: &mut [Cell]) {
    // Wards must stay inside their district: treat (district, ward) as the label.
    let mut l: Vec<usize> = cells.iter().map(|c| c.ward).collect();
    let d: Vec<usize> = cells.iter().map(|c| c.district).collect();
    make_contiguous(graph, &mut l, &d);
    for (c, w) in cells.iter_mut().zip(l) {
        c.ward = w;
    }
}
