//! What the benches share: the repository root and the real-data scenarios with their paths
//! pointed at the shared data.

use std::path::PathBuf;

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// tests/scenarios/NAME written to a temporary folder with its data paths pointing at
/// $FOOTPRINTS_SHARED_DATA or ../shared/data; `None` when the data is absent.
pub fn scenario(name: &str) -> Option<PathBuf> {
    let data =
        std::env::var_os("FOOTPRINTS_SHARED_DATA").map(PathBuf::from).unwrap_or_else(|| root().join("../shared/data"));
    let data = std::fs::canonicalize(data).ok()?;
    let text = std::fs::read_to_string(root().join("tests/scenarios").join(name)).ok()?;
    let dir = std::env::temp_dir().join("footprints-bench");
    std::fs::create_dir_all(&dir).ok()?;
    let out = dir.join(name);
    std::fs::write(&out, text.replace("../../../shared/data", &data.display().to_string())).ok()?;
    Some(out)
}
