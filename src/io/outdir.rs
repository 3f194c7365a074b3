//! Output folders replaced as a whole. A command writes into a sibling temporary folder
//! (`.NAME.tmp-PID`) and [`OutDir::commit`] swaps it in (the old folder is renamed away, the new one
//! renamed in, the old one removed), so a folder never mixes two runs: a rebuild with fewer options
//! leaves no stale `option-4`, and a killed run leaves the previous folder untouched. A lock file
//! beside the folder (`.NAME.lock`) refuses a second run into the same folder while one is writing.
//!
//! Only folders that look like ours are replaced: new, empty, marked with [`MARKER`], or holding
//! nothing but names footprints writes. Entries the command does not write (a `compare/` folder or
//! a `report.html` the user put inside a build folder) are carried over into the new folder, never
//! deleted.

use crate::error::{Error, Result};
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// A file marking a folder as written by footprints.
pub const MARKER: &str = ".footprints-output";

/// The command writing a folder: which entries of an existing folder it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    /// `build`: summaries and one folder per option and baseline.
    Build,
    /// `score`: scores and summary.
    Score,
    /// `compare`: comparison tables and per-set score folders.
    Compare,
    /// `site`: sites, assignment, summary.
    Site,
    /// `serve`: one saved version of the workshop editor.
    Serve,
}

impl Command {
    fn name(self) -> &'static str {
        match self {
            Command::Build => "build",
            Command::Score => "score",
            Command::Compare => "compare",
            Command::Site => "site",
            Command::Serve => "serve",
        }
    }

    /// Whether `entry` (a name in the folder) is one this command writes, so it is replaced.
    fn owns(self, dir: &Path, entry: &str) -> bool {
        let files: &[&str] = match self {
            Command::Build => &["summary.md", "summary.csv", "differences.csv", "pcn-baseline", "district-baseline"],
            Command::Score => &["scores.json", "scores.csv", "summary.md"],
            Command::Compare => &["compare.md", "compare.csv", "moves.csv"],
            Command::Site => &["sites.csv", "sites.geojson", "assignment.csv", "site.json", "summary.md"],
            Command::Serve => &["lookup.csv", "footprints.geojson", "version.json"],
        };
        entry == MARKER
            || files.contains(&entry)
            || is_temp_file(entry)
            || (self == Command::Build && entry.strip_prefix("option-").is_some_and(|n| n.parse::<u32>().is_ok()))
            || (self == Command::Compare && only_holds(&dir.join(entry), &["scores.json", "scores.csv"]))
    }
}

/// `.NAME.PID.tmp`: a file `atomic_write` was writing when a run was killed.
fn is_temp_file(entry: &str) -> bool {
    entry.starts_with('.')
        && entry
            .strip_suffix(".tmp")
            .and_then(|s| s.rsplit_once('.'))
            .is_some_and(|(_, pid)| pid.parse::<u32>().is_ok())
}

/// Whether `dir` is a folder holding `names[0]` and otherwise only files named in `names` (and our
/// temp files); an empty folder is not ours.
fn only_holds(dir: &Path, names: &[&str]) -> bool {
    dir.is_dir()
        && entries(dir).is_ok_and(|v| {
            v.iter().any(|e| e == names[0])
                && v.iter().all(|e| names.contains(&e.as_str()) || is_temp_file(e) || e == MARKER)
        })
}

fn entries(dir: &Path) -> std::io::Result<Vec<String>> {
    let mut v: Vec<String> =
        fs::read_dir(dir)?.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    v.sort();
    Ok(v)
}

/// Whether an entry of an existing folder is something some footprints command writes.
fn any_owns(dir: &Path, entry: &str) -> bool {
    const OPTION_FILES: [&str; 4] = ["lookup.csv", "lsoas.geojson", "footprints.geojson", "run.json"];
    [Command::Build, Command::Score, Command::Compare, Command::Site].iter().any(|c| c.owns(dir, entry))
        || OPTION_FILES.contains(&entry)
        || (entry.starts_with('.') && entry.ends_with(".lock"))
}

/// An output folder being written; dropped without [`OutDir::commit`], it removes its temporary folder.
#[derive(Debug)]
pub struct OutDir {
    target: PathBuf,
    tmp: PathBuf,
    command: Command,
    _lock: File,
    committed: bool,
}

impl OutDir {
    /// Lock `target`, check it may be replaced, clear temporary folders a killed run left, and
    /// create the temporary folder to write into ([`OutDir::path`]).
    pub fn begin(target: &Path, command: Command) -> Result<OutDir> {
        let target = std::path::absolute(target).map_err(|e| Error::write(target, e))?;
        let (Some(parent), Some(name)) =
            (target.parent(), target.file_name().map(|n| n.to_string_lossy().into_owned()))
        else {
            return Err(Error::output(&target, "not a folder name").hint("give --out a folder such as out/demo"));
        };
        check_replaceable(&target, command)?; // before a lock file is made beside a folder we refuse
        fs::create_dir_all(parent).map_err(|e| Error::write(parent, e))?;
        let lock = lock(&parent.join(format!(".{name}.lock")), &target)?;
        check_replaceable(&target, command)?; // and again, now that no other run can change it
        clear_stale(parent, &name);
        let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
        fs::create_dir_all(&tmp).map_err(|e| Error::write(&tmp, e))?;
        let marker = format!("{{\"tool\":\"footprints\",\"command\":\"{}\"}}\n", command.name());
        fs::write(tmp.join(MARKER), marker).map_err(|e| Error::write(tmp.join(MARKER), e))?;
        Ok(OutDir { target, tmp, command, _lock: lock, committed: false })
    }

    /// The temporary folder to write into.
    pub fn path(&self) -> &Path {
        &self.tmp
    }

    /// Swap the written folder in: entries of the old folder this command does not write are moved
    /// across, the old folder is renamed away, the new one renamed in, the old one removed.
    pub fn commit(mut self) -> Result<()> {
        if self.target.exists() {
            for e in entries(&self.target).map_err(|e| Error::write(&self.target, e))? {
                if !self.command.owns(&self.target, &e) && !self.tmp.join(&e).exists() {
                    fs::rename(self.target.join(&e), self.tmp.join(&e))
                        .map_err(|x| Error::write(self.target.join(&e), x))?;
                }
            }
            let away = self.tmp.with_file_name(
                self.tmp.file_name().unwrap_or_default().to_string_lossy().replacen(".tmp-", ".old-", 1),
            );
            fs::rename(&self.target, &away).map_err(|e| Error::write(&self.target, e))?;
            if let Err(e) = fs::rename(&self.tmp, &self.target) {
                let _ = fs::rename(&away, &self.target);
                return Err(Error::write(&self.target, e));
            }
            let _ = fs::remove_dir_all(&away);
        } else {
            fs::rename(&self.tmp, &self.target).map_err(|e| Error::write(&self.target, e))?;
        }
        self.committed = true;
        Ok(())
    }
}

impl Drop for OutDir {
    /// An unfinished run removes its temporary folder, unless a failed commit had already moved
    /// user files into it (they are then left where they are, never deleted).
    fn drop(&mut self) {
        if !self.committed && holds_only_ours(&self.tmp) {
            let _ = fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Whether every entry of `dir` is something footprints writes.
fn holds_only_ours(dir: &Path) -> bool {
    entries(dir).is_ok_and(|v| v.iter().all(|x| any_owns(dir, x)))
}

/// Take the lock file beside the folder, or say who holds it.
fn lock(path: &Path, target: &Path) -> Result<File> {
    let f = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| Error::write(path, e))?;
    match f.try_lock() {
        Ok(()) => Ok(f),
        Err(fs::TryLockError::WouldBlock) => Err(Error::output(
            target,
            format!("another footprints run is writing this folder now (it holds {})", path.display()),
        )
        .hint("wait for it to finish, or choose another --out")),
        Err(fs::TryLockError::Error(e)) => Err(Error::write(path, e)),
    }
}

/// Refuse a target that is a file, or a folder footprints did not write.
fn check_replaceable(target: &Path, command: Command) -> Result<()> {
    if !target.exists() {
        return Ok(());
    }
    if !target.is_dir() {
        return Err(Error::output(target, "it is a file, not a folder")
            .hint("choose a new or empty folder for --out; footprints never replaces a file it did not write"));
    }
    if target.join(MARKER).exists() {
        return Ok(());
    }
    let all = entries(target).map_err(|e| Error::write(target, e))?;
    let foreign: Vec<&String> = all.iter().filter(|e| !any_owns(target, e)).collect();
    if foreign.is_empty() {
        return Ok(());
    }
    let shown: Vec<&str> = foreign.iter().take(5).map(|s| s.as_str()).collect();
    Err(Error::output(
        target,
        format!(
            "the folder exists and does not look like a footprints {} output: it holds {} entr{} footprints did not write ({}{})",
            command.name(),
            foreign.len(),
            if foreign.len() == 1 { "y" } else { "ies" },
            shown.join(", "),
            if foreign.len() > 5 { ", …" } else { "" }
        ),
    )
    .hint("choose a new or empty folder for --out; footprints replaces an output folder as a whole and never deletes files it did not write"))
}

/// Remove `.NAME.tmp-PID` and `.NAME.old-PID` folders a killed run left beside the target (we
/// hold the lock, so no other run is using them) when they hold nothing but footprints outputs.
fn clear_stale(parent: &Path, name: &str) {
    let Ok(all) = entries(parent) else { return };
    for e in all {
        let Some(pid) = e.strip_prefix(&format!(".{name}.tmp-")).or_else(|| e.strip_prefix(&format!(".{name}.old-")))
        else {
            continue;
        };
        let dir = parent.join(&e);
        if pid.parse::<u32>().is_ok() && dir.is_dir() && holds_only_ours(&dir) {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_a_command_replaces() {
        let d = Path::new("/nonexistent");
        assert!(is_temp_file(".lookup.csv.12345.tmp"));
        assert!(!is_temp_file("lookup.csv.tmp") && !is_temp_file(".notes.tmp"));
        assert!(Command::Build.owns(d, "option-7") && Command::Build.owns(d, "summary.md"));
        assert!(!Command::Build.owns(d, "option-x") && !Command::Build.owns(d, "compare"));
        assert!(!Command::Score.owns(d, "option-1") && Command::Site.owns(d, "sites.geojson"));
        assert!(any_owns(d, "lookup.csv") && any_owns(d, ".demo.lock") && !any_owns(d, "thesis.docx"));
    }
}
