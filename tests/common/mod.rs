//! Test helpers: run the real binary in a temporary directory; locate the shared real data.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of the built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_footprints"))
}

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary with args in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin()).args(args).current_dir(dir).output().expect("binary runs")
}

/// stdout + stderr as text.
pub fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Copy the demo data into a fresh temp dir and return it.
pub fn demo_copy() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("data/demo")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), d.path().join(e.file_name())).unwrap();
    }
    d
}

/// The shared real data folder: $FOOTPRINTS_SHARED_DATA or ../shared/data beside the repo.
pub fn shared_data() -> PathBuf {
    std::env::var_os("FOOTPRINTS_SHARED_DATA").map(PathBuf::from).unwrap_or_else(|| root().join("../shared/data"))
}

/// Write one of tests/scenarios/*.toml into `dir` with its data paths pointing at `shared_data()`.
pub fn real_scenario(name: &str, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("tests/scenarios").join(name)).unwrap();
    let data = std::fs::canonicalize(shared_data()).expect("real data folder exists");
    let text = text.replace("../../../shared/data", &data.display().to_string().replace('\\', "/"));
    let out = dir.join(name);
    std::fs::write(&out, text).unwrap();
    out
}

/// The naming rule as a user checks it (README › Footprint names): every SNP's name contains the
/// name of its largest town or city (with at least `TOWN_PIECE_MIN` people in it); an SNP named
/// after a village group holds no such town; names are unique. Returns the number of SNPs checked.
pub fn assert_names_follow_places(p: &footprints::Prepared, b: &footprints::build::Built) -> usize {
    use footprints::build::TOWN_PIECE_MIN;
    use std::collections::BTreeMap;
    let mut pieces: Vec<BTreeMap<(String, bool), u64>> = vec![BTreeMap::new(); b.plan.n_snp()];
    for (i, a) in p.study.areas.iter().enumerate() {
        let pl = p.study.place(i).expect("every LSOA has a place");
        *pieces[b.plan.snp_of[i]].entry((pl.name.clone(), pl.kind.is_town())).or_default() += a.pop;
    }
    for (s, m) in pieces.iter().enumerate() {
        let name = &b.snp_names[s];
        let town = m
            .iter()
            .filter(|(k, &pop)| k.1 && pop as f64 >= TOWN_PIECE_MIN)
            .max_by_key(|(k, &pop)| (pop, std::cmp::Reverse(k.0.clone())));
        match town {
            Some(((t, _), pop)) => assert!(
                name.contains(t.as_str()),
                "{}: SNP \"{name}\" leaves out its largest town {t} ({pop} people): {m:?}",
                b.label
            ),
            None => assert!(
                m.keys().any(|k| name.contains(k.0.as_str())),
                "{}: SNP \"{name}\" names none of its places: {m:?}",
                b.label
            ),
        }
    }
    let unique: std::collections::BTreeSet<&String> = b.snp_names.iter().collect();
    assert_eq!(unique.len(), b.snp_names.len(), "{}: names repeat: {:?}", b.label, b.snp_names);
    pieces.len()
}

/// A built option or baseline as a footprint set for `score`.
pub fn set_of(b: &footprints::build::Built) -> footprints::score::FootprintSet {
    footprints::score::FootprintSet {
        label: b.label.clone(),
        footprint: b.plan.snp_of.iter().map(|&s| b.snp_names[s].clone()).collect(),
        mnp: Some(b.plan.snp_of.iter().map(|&s| b.mnp_names[b.plan.mnp_of_snp[s]].clone()).collect()),
    }
}

/// Flags for headless Chromium on this closed network (no background connections, no sandbox
/// as root, a new profile per run is the caller's).
pub const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];
