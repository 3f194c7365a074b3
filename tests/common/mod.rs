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
