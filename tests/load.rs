//! Loading pins: where PCN names come from, and which error a doubly bad row reports.

mod common;
use common::*;
use std::collections::BTreeMap;

/// A registrations table with its own PCN columns names the PCNs (as the majority-PCN links did
/// before the model was interned); the practices table names the others.
#[test]
fn pcn_names_come_from_the_registrations_own_pcn_columns() {
    let d = demo_copy();
    let practices = footprints::io::table::Table::read(&d.path().join("practices.csv")).unwrap();
    let (pc, pn, pp) = (
        practices.col("practice_code").unwrap(),
        practices.col("pcn_code").unwrap(),
        practices.col("pcn_name").unwrap(),
    );
    let pcn_of: BTreeMap<String, (String, String)> = practices
        .rows
        .iter()
        .map(|r| {
            (practices.get(r, pc).to_string(), (practices.get(r, pn).to_string(), practices.get(r, pp).to_string()))
        })
        .collect();
    let reg = footprints::io::table::Table::read(&d.path().join("registrations.csv")).unwrap();
    let mut csv = String::from("LSOA_CODE,PRACTICE_CODE,NUMBER_OF_PATIENTS,PCN_CODE,PCN_NAME\n");
    for r in &reg.rows {
        let (code, name) = &pcn_of[reg.get(r, 1)];
        csv.push_str(&format!("{},{},{},{code},REG {name}\n", reg.get(r, 0), reg.get(r, 1), reg.get(r, 2)));
    }
    std::fs::write(d.path().join("registrations.csv"), csv).unwrap();
    let scen = std::fs::read_to_string(d.path().join("scenario.toml")).unwrap();
    let scen = scen.replace(
        "[registrations]\npath = \"registrations.csv\"",
        "[registrations]\npath = \"registrations.csv\"\npcn_code = \"PCN_CODE\"\npcn_name = \"PCN_NAME\"",
    );
    assert!(scen.contains("pcn_name = \"PCN_NAME\""));
    std::fs::write(d.path().join("scenario.toml"), scen).unwrap();
    let p = footprints::Prepared::load(&d.path().join("scenario.toml")).unwrap();
    assert!(!p.study.pcns.is_empty());
    for n in &p.study.pcns {
        assert!(n.name.starts_with("REG "), "{} is named {:?}, not from the registrations", n.code, n.name);
    }
}

/// A practice code given twice is reported as a duplicate even when the second row is also bad.
#[test]
fn duplicate_practice_is_reported_before_its_other_faults() {
    let d = demo_copy();
    let path = d.path().join("practices.csv");
    let mut text = std::fs::read_to_string(&path).unwrap();
    let first = text.lines().nth(1).unwrap().to_string();
    let code = first.split(',').next().unwrap().to_string();
    let mut fields: Vec<&str> = first.split(',').collect();
    let n = fields.len();
    fields[n - 2] = "not-a-number";
    text.push_str(&format!("{}\n", fields.join(",")));
    std::fs::write(&path, text).unwrap();
    let o = run_in(d.path(), &["check", "-s", "scenario.toml"]);
    assert!(!o.status.success());
    let err = text_of(&o);
    assert!(err.contains(&format!("duplicate practice code {code}")), "{err}");
}

fn text_of(o: &std::process::Output) -> String {
    text(o).1
}
