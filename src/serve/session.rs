//! The editing session behind `footprints serve`: named versions of a footprint set, each with its
//! undo and redo history and its locked footprints, changed only by [`Edit`]s. Every edit is
//! checked before it is applied (an unknown LSOA or footprint changes nothing), and the set is then
//! scored by the same [`crate::score::score`] as `footprints score`. No HTTP here: the server in
//! [`super::http`] only parses requests into these calls, so tests and benchmarks drive the session
//! directly too.

use crate::build::{BuildConfig, Layer};
use crate::error::{Error, Result};
use crate::prepare::Prepared;
use crate::score::{self, FootprintSet, ScoreOptions, Scores};
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet};

/// Longest footprint or version name accepted (characters).
pub const MAX_NAME: usize = 80;
/// Undo steps kept per version (the oldest are dropped beyond this).
pub const MAX_UNDO: usize = 200;
/// Versions kept in one session.
pub const MAX_VERSIONS: usize = 20;

/// One footprint set as the editor holds it: a footprint name per study LSOA and, when the set is
/// nested, an MNP name per LSOA (all LSOAs of one footprint share it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Footprint per LSOA (study order).
    pub fp: Vec<String>,
    /// MNP per LSOA, if nested.
    pub mnp: Option<Vec<String>>,
}

impl Snapshot {
    /// From a footprint set read by `score`'s readers.
    pub fn from_set(set: &FootprintSet) -> Snapshot {
        Snapshot { fp: set.footprint.clone(), mnp: set.mnp.clone() }
    }

    /// As a footprint set labelled `label`, for scoring and writing.
    pub fn to_set(&self, label: &str) -> FootprintSet {
        FootprintSet { label: label.to_string(), footprint: self.fp.clone(), mnp: self.mnp.clone() }
    }

    /// Footprint names in order (sorted, each once).
    pub fn names(&self) -> BTreeSet<&str> {
        self.fp.iter().map(String::as_str).collect()
    }

    /// The MNP of footprint `name` (its first LSOA's), if the set is nested and the footprint exists.
    fn mnp_of(&self, name: &str) -> Option<String> {
        let i = self.fp.iter().position(|f| f == name)?;
        self.mnp.as_ref().map(|m| m[i].clone())
    }
}

/// A named version: the current set, its history and its locked footprints.
#[derive(Debug, Clone)]
pub struct Version {
    /// Name shown in the page and used as the save folder.
    pub name: String,
    /// The set now.
    pub now: Snapshot,
    undo: Vec<(Snapshot, BTreeSet<String>)>,
    redo: Vec<(Snapshot, BTreeSet<String>)>,
    /// Locked footprints: kept by "rebuild the rest".
    pub locked: BTreeSet<String>,
}

impl Version {
    fn new(name: String, now: Snapshot) -> Version {
        Version { name, now, undo: Vec::new(), redo: Vec::new(), locked: BTreeSet::new() }
    }

    /// Whether there is an edit to undo / to redo.
    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    /// Edits that can be undone.
    pub fn undo_len(&self) -> usize {
        self.undo.len()
    }

    /// Whether there is an undone edit to redo.
    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    /// Make `next` the current set with `locked` its locked footprints, keeping the present set and
    /// locks for undo (a step that changes neither records nothing). A footprint that no longer
    /// exists cannot stay locked.
    fn push(&mut self, next: Snapshot, locked: BTreeSet<String>) {
        let names = next.names();
        let locked: BTreeSet<String> = locked.into_iter().filter(|l| names.contains(l.as_str())).collect();
        if next == self.now && locked == self.locked {
            return;
        }
        let prev = std::mem::replace(&mut self.now, next);
        let prev_locked = std::mem::replace(&mut self.locked, locked);
        self.undo.push((prev, prev_locked));
        if self.undo.len() > MAX_UNDO {
            self.undo.remove(0);
        }
        self.redo.clear();
    }
}

/// An edit, as the page sends it (JSON with an `op` tag).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(tag = "op", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Edit {
    /// Move LSOAs (codes) into an existing footprint; they take its MNP.
    Move {
        /// LSOA codes.
        lsoas: Vec<String>,
        /// Footprint they move into.
        to: String,
    },
    /// A new footprint made of the given LSOAs (they keep their MNP: that of the first one).
    New {
        /// Name of the new footprint.
        name: String,
        /// LSOA codes.
        lsoas: Vec<String>,
    },
    /// Merge footprint `from` into `into` (its LSOAs take `into`'s MNP).
    Merge {
        /// Footprint that disappears.
        from: String,
        /// Footprint that receives it.
        into: String,
    },
    /// Rename a footprint.
    Rename {
        /// Current name.
        from: String,
        /// New name.
        to: String,
    },
}

/// The session: the study, the scoring options, the starting set and the versions.
#[derive(Debug)]
pub struct Session {
    /// The loaded scenario.
    pub p: Prepared,
    /// Scoring options (targets and tolerance of the scenario's `[build]`).
    pub opts: ScoreOptions,
    /// Where the starting set came from (shown in the page and recorded in saves).
    pub source: String,
    /// The starting set.
    pub start: Snapshot,
    /// Its scores (changes are shown against these).
    pub start_scores: Scores,
    /// Versions; the first is made from the starting set.
    pub versions: Vec<Version>,
    /// The version being edited.
    pub current: usize,
}

/// A name the page may give a footprint or version: not empty, at most [`MAX_NAME`] characters,
/// no control characters, not starting with a dot (version names become folder names).
pub fn check_name(what: &str, name: &str) -> Result<()> {
    let bad = |why: &str| Err(Error::request(format!("{what} name \"{name}\" {why}")));
    if name.trim().is_empty() {
        return bad("is empty: give it a name");
    }
    if name.chars().count() > MAX_NAME {
        return bad(&format!("is longer than {MAX_NAME} characters"));
    }
    if name.chars().any(char::is_control) || name != name.trim() {
        return bad("has control characters or leading/trailing spaces");
    }
    if name.chars().any(invisible) {
        return bad("has invisible or direction-changing characters (such as U+200B or U+202E): type it again");
    }
    Ok(())
}

/// Format characters that make a name look empty, joined or reversed: zero-width spaces and
/// joiners, direction marks, embeddings, overrides and isolates, the byte-order mark.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// Names Windows will not give a folder (CON, PRN, AUX, NUL, COM1–9, LPT1–9, with any extension).
fn reserved_on_windows(name: &str) -> bool {
    let stem = name.split('.').next().unwrap_or("").to_ascii_uppercase();
    ["CON", "PRN", "AUX", "NUL"].contains(&stem.as_str())
        || ((stem.starts_with("COM") || stem.starts_with("LPT"))
            && stem.len() == 4
            && stem.as_bytes()[3].is_ascii_digit()
            && stem.as_bytes()[3] != b'0')
}

impl Session {
    /// A session starting from `start` (scored once here). `source` says where it came from.
    pub fn new(p: Prepared, start: Snapshot, source: String) -> Result<Session> {
        if start.fp.len() != p.study.areas.len() {
            return Err(Error::request(format!(
                "the starting set assigns {} LSOAs but the study has {}",
                start.fp.len(),
                p.study.areas.len()
            )));
        }
        let b = &p.scenario.build;
        let opts = ScoreOptions { target: b.snp_target, tolerance: b.tolerance, ..Default::default() };
        let start_scores = score::score(&p, &start.to_set("start"), &opts);
        let versions = vec![Version::new("version-1".into(), start.clone())];
        Ok(Session { p, opts, source, start, start_scores, versions, current: 0 })
    }

    /// A starting set with one footprint per district (named "Name (code)"), not nested: the plain
    /// canvas when `serve` is given no `--footprints`.
    pub fn district_start(p: &Prepared) -> Snapshot {
        let fp = (0..p.study.areas.len()).map(|i| p.study.lad(i).label()).collect();
        Snapshot { fp, mnp: None }
    }

    /// The version being edited.
    pub fn version(&self) -> &Version {
        &self.versions[self.current]
    }

    fn version_mut(&mut self) -> &mut Version {
        &mut self.versions[self.current]
    }

    /// Scores of the current version (by `footprints score`'s code).
    pub fn scores(&self) -> Scores {
        let v = self.version();
        score::score(&self.p, &v.now.to_set(&v.name), &self.opts)
    }

    fn lsoa(&self, code: &str) -> Result<usize> {
        self.p.study.index.get(code.trim()).copied().ok_or_else(|| {
            Error::request(format!("LSOA \"{code}\" is not in the study area of \"{}\"", self.p.study.name))
        })
    }

    fn lsoas(&self, codes: &[String]) -> Result<Vec<usize>> {
        if codes.is_empty() {
            return Err(Error::request("no LSOAs given: select at least one"));
        }
        codes.iter().map(|c| self.lsoa(c)).collect()
    }

    fn existing(&self, name: &str) -> Result<()> {
        if self.version().now.fp.iter().any(|f| f == name) {
            Ok(())
        } else {
            Err(Error::request(format!("no footprint named \"{name}\" in version \"{}\"", self.version().name)))
        }
    }

    /// Apply an edit to the current version (recorded for undo), or refuse it changing nothing.
    pub fn apply(&mut self, e: &Edit) -> Result<()> {
        let now = &self.version().now;
        let mut next = now.clone();
        let mut locked = self.version().locked.clone();
        match e {
            Edit::Move { lsoas, to } => {
                self.existing(to)?;
                let mnp = now.mnp_of(to);
                for i in self.lsoas(lsoas)? {
                    next.fp[i] = to.clone();
                    if let (Some(m), Some(v)) = (&mnp, next.mnp.as_mut()) {
                        v[i] = m.clone();
                    }
                }
            }
            Edit::New { name, lsoas } => {
                check_name("footprint", name)?;
                if now.fp.iter().any(|f| f == name) {
                    return Err(Error::request(format!(
                        "a footprint named \"{name}\" already exists: choose another name"
                    )));
                }
                let idx = self.lsoas(lsoas)?;
                let mnp = now.mnp.as_ref().map(|m| m[idx[0]].clone());
                for i in idx {
                    next.fp[i] = name.clone();
                    if let (Some(m), Some(v)) = (&mnp, next.mnp.as_mut()) {
                        v[i] = m.clone();
                    }
                }
            }
            Edit::Merge { from, into } => {
                self.existing(from)?;
                self.existing(into)?;
                if from == into {
                    return Err(Error::request(format!("cannot merge \"{from}\" into itself")));
                }
                let mnp = now.mnp_of(into);
                for i in (0..now.fp.len()).filter(|&i| &now.fp[i] == from) {
                    next.fp[i] = into.clone();
                    if let (Some(m), Some(v)) = (&mnp, next.mnp.as_mut()) {
                        v[i] = m.clone();
                    }
                }
            }
            Edit::Rename { from, to } => {
                self.existing(from)?;
                check_name("footprint", to)?;
                if from != to && now.fp.iter().any(|f| f == to) {
                    return Err(Error::request(format!("a footprint named \"{to}\" already exists: merge instead")));
                }
                next.fp.iter_mut().filter(|f| *f == from).for_each(|f| *f = to.clone());
                // The lock follows the footprint to its new name (recorded with the edit, so an
                // undo gives the old name its lock back).
                if locked.remove(from) {
                    locked.insert(to.clone());
                }
            }
        }
        self.version_mut().push(next, locked);
        Ok(())
    }

    /// Undo the last edit of the current version; false if there is none.
    pub fn undo(&mut self) -> bool {
        let v = self.version_mut();
        let Some((prev, locked)) = v.undo.pop() else { return false };
        let cur = std::mem::replace(&mut v.now, prev);
        let cur_locked = std::mem::replace(&mut v.locked, locked);
        v.redo.push((cur, cur_locked));
        true
    }

    /// Redo the last undone edit; false if there is none.
    pub fn redo(&mut self) -> bool {
        let v = self.version_mut();
        let Some((next, locked)) = v.redo.pop() else { return false };
        let cur = std::mem::replace(&mut v.now, next);
        let cur_locked = std::mem::replace(&mut v.locked, locked);
        v.undo.push((cur, cur_locked));
        true
    }

    /// Lock or unlock a footprint of the current version, as an undoable step (so undoing an
    /// earlier edit afterwards never silently drops the lock).
    pub fn lock(&mut self, footprint: &str, locked: bool) -> Result<()> {
        self.existing(footprint)?;
        let v = self.version_mut();
        let mut next = v.locked.clone();
        if locked {
            next.insert(footprint.to_string());
        } else {
            next.remove(footprint);
        }
        let now = v.now.clone();
        v.push(now, next);
        Ok(())
    }

    /// A new version named `name`, a copy of the current one (or of the starting set with
    /// `from_start`), which becomes current.
    pub fn new_version(&mut self, name: &str, from_start: bool) -> Result<()> {
        check_name("version", name)?;
        if name.starts_with('.')
            || name.ends_with('.')
            || name.contains(['/', '\\', '<', '>', ':', '"', '|', '?', '*'])
            || reserved_on_windows(name)
        {
            return Err(Error::request(format!(
                "version name \"{name}\" becomes a folder name: no leading or trailing dot, none of / \\ < > : \" | ? *, \
                 and not a name Windows keeps for devices (CON, PRN, AUX, NUL, COM1, LPT1…)"
            )));
        }
        if self.versions.iter().any(|v| v.name == name) {
            return Err(Error::request(format!("a version named \"{name}\" already exists")));
        }
        if self.versions.len() >= MAX_VERSIONS {
            return Err(Error::request(format!("at most {MAX_VERSIONS} versions in one session")));
        }
        let now = if from_start { self.start.clone() } else { self.version().now.clone() };
        let mut v = Version::new(name.to_string(), now);
        if !from_start {
            v.locked = self.version().locked.clone();
        }
        self.versions.push(v);
        self.current = self.versions.len() - 1;
        Ok(())
    }

    /// Make the version named `name` current.
    pub fn switch(&mut self, name: &str) -> Result<()> {
        self.current = self
            .versions
            .iter()
            .position(|v| v.name == name)
            .ok_or_else(|| Error::request(format!("no version named \"{name}\"")))?;
        Ok(())
    }

    /// Replace the current version's set by `set` (an opened lookup or GeoJSON), as one undoable edit.
    pub fn replace(&mut self, set: Snapshot) -> Result<()> {
        if set.fp.len() != self.p.study.areas.len() {
            return Err(Error::request("the opened set does not assign every study LSOA"));
        }
        let locked = self.version().locked.clone();
        self.version_mut().push(set, locked);
        Ok(())
    }

    /// The build configuration of the scenario's `[build]` table, for "rebuild the rest": one
    /// option, the locked footprints' LSOAs as locks, the current set as the existing footprints
    /// to stay close to.
    pub fn rebuild_config(&self, seed: Option<u64>) -> Result<BuildConfig> {
        let s = &self.p.scenario.build;
        let v = self.version();
        // The MNP layer as `build` takes it: the scenario's, or the one expected to fit best.
        let mnp_layer = match &s.mnp_layer {
            Some(l) => crate::build::parse_mnp_layer(&self.p, l, s.mnp_target, s.tolerance)?,
            None => crate::build::choose_mnp_layer(&self.p, s.mnp_target, s.tolerance).layer,
        };
        let mut cfg = BuildConfig::with_mnp_layer(mnp_layer);
        cfg.snp_target = s.snp_target;
        cfg.mnp_target = s.mnp_target;
        cfg.tolerance = s.tolerance;
        cfg.snp_layer = Layer::parse(&s.snp_layer, &self.p)?;
        cfg.community = s.community.clone();
        cfg.weights = s.weights.clone();
        if cfg.weights.existing == 0.0 {
            cfg.weights.existing = 0.5;
        }
        cfg.options = 1;
        cfg.seed = seed.unwrap_or(s.seed);
        cfg.locks = (0..v.now.fp.len())
            .filter(|&i| v.locked.contains(&v.now.fp[i]))
            .map(|i| (i, v.now.fp[i].clone()))
            .collect::<BTreeMap<usize, String>>();
        cfg.existing = Some(v.now.fp.clone());
        Ok(cfg)
    }

    /// Rebuild the current version around its locked footprints (see [`Session::rebuild_config`]),
    /// as one undoable edit. Returns the build's warnings.
    pub fn rebuild(&mut self, seed: Option<u64>) -> Result<Vec<String>> {
        let cfg = self.rebuild_config(seed)?;
        let r = crate::build::build(&self.p, &cfg)?;
        let b = r.options.first().ok_or_else(|| {
            Error::infeasible(
                "the build made no option around the locked footprints",
                "unlock some footprints or check the scenario with `footprints check`",
            )
        })?;
        let fp: Vec<String> = b.plan.snp_of.iter().map(|&s| b.snp_names[s].clone()).collect();
        let mnp = (0..fp.len()).map(|i| b.mnp_names[b.plan.mnp_of(i)].clone()).collect();
        let v = self.version();
        let locked = v.locked.clone();
        let count = |f: &[String], name: &str| f.iter().filter(|x| *x == name).count();
        let mut warnings = r.warnings;
        for name in &locked {
            let (was, now) = (count(&v.now.fp, name), count(&fp, name));
            if now > was {
                warnings.push(format!(
                    "locked footprint \"{name}\" kept its {was} LSOAs and took {} more to balance its neighbours \
                     (a lock keeps LSOAs together; edit them back and lock again to hold it exactly)",
                    now - was
                ));
            }
        }
        // The locked footprints keep their names (locks name the footprint holding them).
        self.version_mut().push(Snapshot { fp, mnp: Some(mnp) }, locked);
        Ok(warnings)
    }
}

#[cfg(test)]
mod tests {
    use super::{check_name, reserved_on_windows};

    #[test]
    fn names_that_look_empty_or_reversed_are_refused() {
        assert!(check_name("footprint", "Banbury").is_ok());
        assert!(check_name("footprint", "Wantage & Grove ✓ ׳").is_ok());
        for bad in ["\u{200B}", "A\u{202E}B", "\u{FEFF}Witney", " Witney", "", "a\tb"] {
            assert!(check_name("footprint", bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn windows_device_names_are_recognised() {
        for r in ["CON", "con", "Nul.txt", "COM1", "lpt9"] {
            assert!(reserved_on_windows(r), "{r}");
        }
        for ok in ["Console", "COM", "COM0", "LPT10", "version-1"] {
            assert!(!reserved_on_windows(ok), "{ok}");
        }
    }
}
