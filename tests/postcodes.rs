//! Practices placed by postcode (`[practices] postcodes`): Code-Point Open and ONS Postcode
//! Directory files, bad postcode files, unplaced practices; and on real data, the national
//! practice → PCN map placed with Code-Point Open for Oxfordshire.

mod common;
use common::*;
use footprints::io::table::Table;
use footprints::Prepared;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// The demo's practices, each given the made-up postcode "ZZ<n> 1AA" (n = row number) and no
/// coordinates; returns (code, postcode, easting, northing) per practice.
fn demo_with_postcodes(dir: &Path) -> Vec<(String, String, String, String)> {
    let t = Table::read(&dir.join("practices.csv")).unwrap();
    let col = |n: &str| t.col(n).unwrap();
    let (c, e, n) = (col("practice_code"), col("easting"), col("northing"));
    let mut out = String::from("practice_code,practice_name,list_size,pcn_code,pcn_name,postcode\n");
    let mut rows = Vec::new();
    for (i, r) in t.rows.iter().enumerate() {
        let pc = format!("ZZ{} 1AA", i + 1);
        let f: Vec<&str> = (0..5).map(|k| r.get(k).unwrap()).collect();
        out.push_str(&format!("{},\"{}\",{},{},\"{}\",{pc}\n", f[0], f[1], f[2], f[3], f[4]));
        rows.push((r[c].to_string(), pc, r[e].to_string(), r[n].to_string()));
    }
    fs::write(dir.join("practices.csv"), out).unwrap();
    rows
}

/// A Code-Point Open row: postcode in its 7-character form, quality, eastings, northings and six codes.
fn codepoint_row(pc: &str, quality: u32, e: &str, n: &str) -> String {
    format!("\"{pc}\",{quality},{e},{n},\"E92000001\",\"E19000002\",\"E18000009\",\"E10000025\",\"E07000178\",\"E05006547\"\n")
}

/// Point the demo scenario's `[practices]` at postcode files instead of coordinate columns.
fn use_postcodes(dir: &Path, postcodes: &str) {
    let p = dir.join("scenario.toml");
    let s = fs::read_to_string(&p).unwrap();
    let s = s.replace("easting = \"easting\"\nnorthing = \"northing\"\n", &format!("postcodes = {postcodes}\n"));
    assert!(s.contains("postcodes ="), "demo scenario changed");
    fs::write(p, s).unwrap();
}

fn check(dir: &Path) -> (bool, String, String) {
    let o = run_in(dir, &["check", "--scenario", "scenario.toml"]);
    let (out, err) = text(&o);
    assert!(!err.contains("panicked"), "panic: {err}");
    (o.status.success(), out, err)
}

fn fails_with(dir: &Path, needles: &[&str]) {
    let (ok, _, err) = check(dir);
    assert!(!ok, "expected failure; stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
}

/// Code-Point Open for the demo practices; `edit` may change the rows first.
fn write_codepoint(dir: &Path, rows: &[(String, String, String, String)], edit: impl FnOnce(&mut Vec<String>)) {
    let mut lines: Vec<String> = rows.iter().map(|(_, pc, e, n)| codepoint_row(pc, 10, e, n)).collect();
    edit(&mut lines);
    fs::write(dir.join("cpo_zz.csv"), lines.concat()).unwrap();
}

#[test]
fn code_point_postcodes_place_every_practice_at_its_coordinates() {
    let d = demo_copy();
    let rows = demo_with_postcodes(d.path());
    // Code-Point writes a 4-character outward code without a space ("ZZ101AA"); the practices
    // file writes "ZZ10 1AA": they must match, as must lower case.
    write_codepoint(d.path(), &rows, |l| {
        l[9] = l[9].replace("ZZ10 1AA", "ZZ101AA");
        l[0] = l[0].replace("ZZ1 1AA", "zz1 1aa");
    });
    use_postcodes(d.path(), "\"cpo_zz.csv\"");
    let (ok, out, err) = check(d.path());
    assert!(ok, "{err}");
    assert!(out.contains("50 placed of 50 kept (of 50 rows): 0 by coordinates, 50 by postcode; 0 without"), "{out}");
    assert!(out.contains("cpo_zz.csv (codepoint, 50 rows)"), "{out}");
    assert!(!out.contains("no coordinates for"), "{out}");
    let p = Prepared::load(&d.path().join("scenario.toml")).unwrap();
    let at: BTreeMap<&str, (f64, f64)> =
        p.study.practices.iter().map(|q| (q.code.as_str(), (q.xy.x, q.xy.y))).collect();
    assert_eq!(at.len(), 50);
    for (code, _, e, n) in &rows {
        assert_eq!(at[code.as_str()], (e.parse().unwrap(), n.parse().unwrap()), "{code}");
    }
}

#[test]
fn postcodes_fill_only_blank_coordinates_and_a_folder_is_read_whole() {
    let d = demo_copy();
    let t = fs::read_to_string(d.path().join("practices.csv")).unwrap();
    let mut lines: Vec<String> = t.lines().map(|l| l.to_string()).collect();
    lines[0].push_str(",postcode");
    for (i, l) in lines.iter_mut().enumerate().skip(1) {
        l.push_str(&format!(",ZZ{i} 1AA"));
    }
    // Practice 1 loses its coordinates: its postcode places it at (450000, 260000).
    let f: Vec<&str> = lines[1].rsplitn(4, ',').collect();
    let code1 = lines[1].split(',').next().unwrap().to_string();
    lines[1] = format!("{},,,{}", f[3], f[0]);
    fs::write(d.path().join("practices.csv"), lines.join("\n") + "\n").unwrap();
    fs::create_dir(d.path().join("pc")).unwrap();
    // Every postcode sits elsewhere in the postcode file: only the blank row may take it.
    let cpo: String = (1..=50).map(|i| codepoint_row(&format!("ZZ{i} 1AA"), 10, "450000", "260000")).collect();
    fs::write(d.path().join("pc/zz.csv"), cpo).unwrap();
    fs::write(d.path().join("pc/Code-Point_Open_Column_Headers.csv"), "PC,PQ,EA,NO\nPostcode,Quality,E,N\n").unwrap();
    let p = d.path().join("scenario.toml");
    let s = fs::read_to_string(&p)
        .unwrap()
        .replace("list_size = \"list_size\"\n", "list_size = \"list_size\"\npostcodes = \"pc\"\n");
    fs::write(&p, s).unwrap();
    let (ok, out, err) = check(d.path());
    assert!(ok, "{err}");
    assert!(out.contains("50 placed of 50 kept (of 50 rows): 49 by coordinates, 1 by postcode"), "{out}");
    let p = Prepared::load(&p).unwrap();
    for q in &p.study.practices {
        let at_postcode = (q.xy.x, q.xy.y) == (450_000.0, 260_000.0);
        assert_eq!(at_postcode, q.code == code1, "{} at {:?}", q.code, q.xy);
    }
}

#[test]
fn unknown_and_unplaceable_postcodes_are_listed_and_their_share_given() {
    let d = demo_copy();
    let rows = demo_with_postcodes(d.path());
    // First practice's postcode is missing from the file (same area ZZ), the second's has
    // positional quality 90 (no coordinates), and a third practice's is in an area no file covers.
    write_codepoint(d.path(), &rows, |l| {
        l.remove(0);
        l[0] = codepoint_row(&rows[1].1, 90, "0", "0");
    });
    let t = fs::read_to_string(d.path().join("practices.csv")).unwrap();
    fs::write(d.path().join("practices.csv"), t.replace(",ZZ3 1AA\n", ",QQ1 1AA\n")).unwrap();
    use_postcodes(d.path(), "[\"cpo_zz.csv\"]");
    let (ok, out, err) = check(d.path());
    assert!(ok, "{err}");
    let (c1, c2, c3) = (&rows[0].0, &rows[1].0, &rows[2].0);
    assert!(out.contains("47 placed of 50 kept (of 50 rows): 0 by coordinates, 47 by postcode; 3 without"), "{out}");
    assert!(out.contains(&format!("{c1} ZZ1 1AA (not in the postcode files)")), "{out}");
    assert!(out.contains(&format!("{c2} ZZ2 1AA (no coordinates in the postcode file)")), "{out}");
    assert!(
        out.contains(&format!(
            "1 practice(s) have postcodes in 1 postcode area(s) no postcode file covers (QQ), e.g. {c3} QQ1 1AA"
        )),
        "{out}"
    );
    // List sizes from the demo file: 6,753 + 6,723 + the third practice's, of 750,353.
    let t = Table::read(&root().join("data/demo/practices.csv")).unwrap();
    let third: u64 = t.rows[2][2].parse().unwrap();
    let u = 6_753 + 6_723 + third;
    let pct = format!("{:.1}%", u as f64 / 750_353.0 * 100.0);
    assert!(out.contains("no coordinates for 3 of 50 practices"), "{out}");
    assert!(
        out.contains(&format!(
            "they hold {pct} of the kept practices' listed patients ({} of 750,353)",
            footprints::fmt::fmt_int(u)
        )),
        "{out}"
    );
    // The demo's registrations: the same 25,661 patients (all living in the study area) of 750,353.
    assert!(
        out.contains(&format!(
            "; {pct} of the study area's registered patients ({} of 750,353) are registered at them",
            footprints::fmt::fmt_int(u)
        )),
        "{out}"
    );
    let p = Prepared::load(&d.path().join("scenario.toml")).unwrap();
    assert_eq!(p.study.practices.len(), 47);
    assert!(p.study.practices.iter().all(|q| ![c1, c2, c3].contains(&&q.code)));
}

#[test]
fn onspd_terminated_postcode_is_listed_and_lat_long_accepted() {
    let d = demo_copy();
    let rows = demo_with_postcodes(d.path());
    let mut f = String::from("pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,lat,long\n");
    for (i, (_, pc, e, n)) in rows.iter().enumerate() {
        let doterm = if i == 0 { "201405" } else { "" };
        f.push_str(&format!("\"{pc}\",\"{pc}\",\"{pc}\",198001,{doterm},{e},{n},51.7503865,-1.2626092\n"));
    }
    fs::write(d.path().join("onspd.csv"), f).unwrap();
    use_postcodes(d.path(), "\"onspd.csv\"");
    let (ok, out, err) = check(d.path());
    assert!(ok, "{err}");
    assert!(out.contains("onspd.csv (onspd, 50 rows)"), "{out}");
    assert!(out.contains(&format!("{} ZZ1 1AA (terminated 201405)", rows[0].0)), "{out}");
    assert!(out.contains("49 placed of 50 kept"), "{out}");
    // Without grid references, lat/long place the postcode: the Ordnance Survey check point
    // 51.7503865 N, 1.2626092 W is BNG (451,000, 206,000) by OSTN15, within 5 m by Helmert.
    let t = fs::read_to_string(d.path().join("onspd.csv")).unwrap();
    let t: String = t
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            if f[0] != "pcd" {
                (f[5], f[6]) = ("", "");
            }
            f.join(",") + "\n"
        })
        .collect();
    fs::write(d.path().join("onspd.csv"), t).unwrap();
    let p = Prepared::load(&d.path().join("scenario.toml")).unwrap();
    assert_eq!(p.study.practices.len(), 49);
    for q in &p.study.practices {
        assert!((q.xy.x - 451_000.0).hypot(q.xy.y - 206_000.0) < 5.0, "{:?}", q.xy);
    }
}

#[test]
fn malformed_postcode_row_is_named_by_file_and_line() {
    let d = demo_copy();
    let rows = demo_with_postcodes(d.path());
    write_codepoint(d.path(), &rows, |l| l[2] = "\"ZZ3 1AA\",10,450000\n".into());
    use_postcodes(d.path(), "\"cpo_zz.csv\"");
    fails_with(d.path(), &["cpo_zz.csv", "line 3", "3 fields where the file's first row has 10"]);
    // A wanted postcode whose easting is not a number.
    write_codepoint(d.path(), &rows, |l| l[4] = l[4].replacen(&format!(",{},", rows[4].2), ",45O000,", 1));
    fails_with(d.path(), &["cpo_zz.csv", "line 5", "\"45O000\"", "not a number"]);
}

#[test]
fn header_only_or_unrecognised_postcode_files_are_errors() {
    let d = demo_copy();
    demo_with_postcodes(d.path());
    fs::write(d.path().join("onspd.csv"), "pcds,doterm,oseast1m,osnrth1m\n").unwrap();
    use_postcodes(d.path(), "\"onspd.csv\"");
    fails_with(d.path(), &["onspd.csv", "has a header and no rows"]);
    fs::write(d.path().join("onspd.csv"), "postcode,x,y\nZZ1 1AA,1,2\n").unwrap();
    fails_with(d.path(), &["onspd.csv", "line 1", "cannot tell the layout", "postcodes_format"]);
    fs::write(d.path().join("onspd.csv"), "").unwrap();
    fails_with(d.path(), &["onspd.csv", "is empty"]);
    // Practices without coordinates or postcode files: the scenario says what is missing.
    let p = d.path().join("scenario.toml");
    fs::write(&p, fs::read_to_string(&p).unwrap().replace("postcodes = \"onspd.csv\"\n", "")).unwrap();
    fails_with(d.path(), &["[practices] needs coordinate columns or postcode files"]);
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_practices_placed_by_postcode_match_the_geocoded_file() {
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario("oxfordshire_postcodes.toml", d.path());
    let p = Prepared::load(&s).unwrap_or_else(|e| panic!("{e}"));
    let want = Table::read(&shared_data().join("oxfordshire/gp/oxon_practices_2026-04.csv")).unwrap();
    let (c, e, n) =
        (want.col("practice_code").unwrap(), want.col("easting_bng").unwrap(), want.col("northing_bng").unwrap());
    let want: BTreeMap<String, (f64, f64)> =
        want.rows.iter().map(|r| (r[c].to_string(), (r[e].parse().unwrap(), r[n].parse().unwrap()))).collect();
    let got: BTreeMap<String, (f64, f64)> =
        p.study.practices.iter().map(|q| (q.code.clone(), (q.xy.x, q.xy.y))).collect();
    assert_eq!(want.len(), 64);
    assert_eq!(got, want, "the 64 10Q practices, at the Code-Point coordinates of the geocoded file");
    assert!(p.study.practices.iter().all(|q| q.area.is_some()), "every 10Q practice lies in an Oxfordshire LSOA");
    let o = run_in(d.path(), &["check", "--scenario", s.to_str().unwrap()]);
    let (out, err) = text(&o);
    assert!(o.status.success(), "{err}");
    assert!(
        out.contains("Practice placement: 64 placed of 64 kept (of 6,202 rows, SUB_ICB_LOCATION_CODE in [10Q]): 0 by coordinates, 64 by postcode; 0 without coordinates"),
        "{out}"
    );
    assert!(out.contains("codepoint_open_2014-08_ox.csv (codepoint, 19,105 rows)"), "{out}");
    assert!(!out.contains("more than 15 km"), "{out}");
}

#[test]
fn lookup_quirk_is_warned_only_for_study_area_lsoas_and_names_districts_by_name_and_code() {
    // The demo lookup moves E01900001 to Aldport; the boundary file (which wins) keeps it in
    // Kingsbury and the North — as the ONS lookup does with E01027305 and Cherwell.
    let d = demo_copy();
    let p = d.path().join("lookup.csv");
    let t = fs::read_to_string(&p).unwrap();
    let old = "E01900001,Stanwell,E05900038,Kingsbury and the North,E07900002";
    assert!(t.contains(old));
    fs::write(&p, t.replace(old, "E01900001,Stanwell,E05900038,Aldport,E07900001")).unwrap();
    let warning =
        "1 study-area LSOA(s) where the lookup's LAD differs from the boundary file's (the boundary file is used): \
                   E01900001 (lookup Aldport (E07900001), boundaries Kingsbury and the North (E07900002))";
    let s = d.path().join("scenario.toml");
    let base = fs::read_to_string(&s).unwrap();
    for (lads, warned) in [("[\"E07900002\"]", true), ("[\"E07900001\", \"E07900003\"]", false)] {
        fs::write(&s, format!("{base}\n[study_area]\nlads = {lads}\n")).unwrap();
        let (ok, out, err) = check(d.path());
        assert!(ok, "{err}");
        assert_eq!(out.contains(warning), warned, "study area {lads}: {out}");
        assert_eq!(out.contains("E01900001 ("), warned, "study area {lads}: {out}");
    }
}

/// Seeded byte and field mutations of a Code-Point file and an ONSPD file: every case loads or
/// fails with an error naming the postcode or practices file, and never panics; a loaded study's
/// practices all lie in England and Wales.
#[test]
fn mutated_postcode_files_never_panic() {
    use rand::{RngExt, SeedableRng};
    let d = demo_copy();
    let rows = demo_with_postcodes(d.path());
    write_codepoint(d.path(), &rows, |_| {});
    let cpo = fs::read(d.path().join("cpo_zz.csv")).unwrap();
    let mut onspd = String::from("pcds,doterm,oseast1m,osnrth1m,lat,long\n");
    for (i, (_, pc, e, n)) in rows.iter().enumerate() {
        let doterm = if i % 7 == 0 { "201401" } else { "" };
        onspd.push_str(&format!("{pc},{doterm},{e},{n},52.0,-1.5\n"));
    }
    let scenario = d.path().join("scenario.toml");
    use_postcodes(d.path(), "\"pc.csv\"");
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(13);
    let junk: [&[u8]; 8] = [b",", b"\n", b"\"", b"90", b"-1", b"\xff\xfe", b"1e400", b" "];
    for case in 0..160 {
        let mut data = if case % 2 == 0 { cpo.clone() } else { onspd.clone().into_bytes() };
        for _ in 0..rng.random_range(1..6usize) {
            let at = rng.random_range(0..data.len());
            match rng.random_range(0..3u8) {
                0 => {
                    data.remove(at);
                }
                1 => data.splice(at..at, junk[rng.random_range(0..junk.len())].iter().copied()).for_each(drop),
                _ => data.truncate(at),
            }
        }
        fs::write(d.path().join("pc.csv"), &data).unwrap();
        let r = std::panic::catch_unwind(|| Prepared::load(&scenario));
        match r {
            Err(_) => panic!("case {case} panicked; input: {}", String::from_utf8_lossy(&data)),
            Ok(Err(e)) => {
                let m = e.to_string();
                assert!(m.contains("pc.csv") || m.contains("practices.csv"), "case {case}: {m}");
            }
            Ok(Ok(p)) => assert!(
                p.study
                    .practices
                    .iter()
                    .all(|q| (0.0..=700_000.0).contains(&q.xy.x) && (0.0..=1_300_000.0).contains(&q.xy.y)),
                "case {case}"
            ),
        }
    }
}
