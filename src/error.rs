//! Typed errors that name the file, the row or feature, what was wrong and how to fix it.
//!
//! Where an underlying error exists (I/O, CSV, JSON, TOML) it is kept as the [`std::error::Error::source`]
//! of [`Error::Io`], [`Error::Parse`] or [`Error::Output`] rather than flattened into the message, so a
//! caller can inspect it (the binary treats an `io::ErrorKind::BrokenPipe` anywhere in the chain as a
//! normal end) and the binary prints the whole chain with `{:#}` (`message: cause: cause`).

use std::path::{Path, PathBuf};

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Any underlying error kept as a source (CSV, JSON, TOML, geometry readers...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Every failure the library reports. Each carries enough context for a user to fix the input.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A problem with an input file: missing, unreadable, malformed, or with bad values.
    #[error("{}{}: {msg}{}", path.display(), at(location), hint_line(hint))]
    Input {
        /// The file concerned.
        path: PathBuf,
        /// Row, line or feature, if known (e.g. `row 12`, `feature E01000001`).
        location: Option<String>,
        /// What was wrong.
        msg: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// The operating system could not open or read an input file; the `io::Error` is the source.
    /// Displays as `path: msg`, and `{:#}` adds `: <io error>`.
    #[error("{}: {msg}", path.display())]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// What was being done (e.g. `cannot open file`); a hint is appended after `; `.
        msg: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An input file could not be parsed (CSV, JSON, TOML...); the parser's error is the source.
    /// Displays as `path, location: msg`, and `{:#}` adds `: <parser error>`.
    #[error("{}{}: {msg}", path.display(), at(location))]
    Parse {
        /// The file concerned.
        path: PathBuf,
        /// Row, line or feature, if known.
        location: Option<String>,
        /// What was expected (e.g. `not a GeoJSON FeatureCollection`); a hint is appended after `; `.
        msg: String,
        /// The underlying error.
        #[source]
        source: BoxError,
    },
    /// The scenario as a whole cannot be used (empty study area, inconsistent settings...).
    #[error("{msg}{}", hint_line(hint))]
    Scenario {
        /// What was wrong.
        msg: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// The request cannot be met by any solution; `hint` says what would work.
    #[error("infeasible: {msg}\n  what would work: {hint}")]
    Infeasible {
        /// What cannot be done.
        msg: String,
        /// What would work instead.
        hint: String,
    },
    /// A request to the workshop editor (`footprints serve`) that cannot be applied: an unknown
    /// LSOA or footprint, a bad name. Nothing was changed.
    #[error("{msg}")]
    Request {
        /// What was wrong and how to fix it.
        msg: String,
    },
    /// Writing an output failed. Displays as `cannot write path: msg` (`cannot write path` when `msg`
    /// is empty); `{:#}` adds `: <io error>` when there is a source.
    #[error("cannot write {}{}", path.display(), colon(msg))]
    Output {
        /// The file or folder concerned.
        path: PathBuf,
        /// What was wrong.
        msg: String,
        /// The underlying error, if any.
        #[source]
        source: Option<std::io::Error>,
    },
}

fn at(location: &Option<String>) -> String {
    location.as_ref().map(|l| format!(", {l}")).unwrap_or_default()
}

fn hint_line(hint: &Option<String>) -> String {
    hint.as_ref().map(|h| format!("\n  hint: {h}")).unwrap_or_default()
}

fn colon(msg: &str) -> String {
    if msg.is_empty() {
        String::new()
    } else {
        format!(": {msg}")
    }
}

fn append(msg: &mut String, h: String) {
    if !msg.is_empty() {
        msg.push_str("; ");
    }
    msg.push_str(&h);
}

impl Error {
    /// An input error without a location.
    pub fn input(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        Error::Input { path: path.as_ref().to_path_buf(), location: None, msg: msg.into(), hint: None }
    }

    /// An input error at a row or feature.
    pub fn at(path: impl AsRef<Path>, location: impl Into<String>, msg: impl Into<String>) -> Self {
        Error::Input { path: path.as_ref().to_path_buf(), location: Some(location.into()), msg: msg.into(), hint: None }
    }

    /// An input file the operating system could not open or read, keeping the `io::Error`.
    pub fn io(path: impl AsRef<Path>, msg: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { path: path.as_ref().to_path_buf(), msg: msg.into(), source }
    }

    /// An input file that could not be parsed, keeping the parser's error.
    pub fn parse(
        path: impl AsRef<Path>,
        location: Option<String>,
        msg: impl Into<String>,
        source: impl Into<BoxError>,
    ) -> Self {
        Error::Parse { path: path.as_ref().to_path_buf(), location, msg: msg.into(), source: source.into() }
    }

    /// A scenario-level error.
    pub fn scenario(msg: impl Into<String>) -> Self {
        Error::Scenario { msg: msg.into(), hint: None }
    }

    /// A refused editor request (see [`Error::Request`]).
    pub fn request(msg: impl Into<String>) -> Self {
        Error::Request { msg: msg.into() }
    }

    /// An infeasible request, with what would work.
    pub fn infeasible(msg: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Infeasible { msg: msg.into(), hint: hint.into() }
    }

    /// An output error.
    pub fn output(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        Error::Output { path: path.as_ref().to_path_buf(), msg: msg.into(), source: None }
    }

    /// Writing `path` failed with an `io::Error`, kept as the source (`cannot write path: <io error>`).
    pub fn write(path: impl AsRef<Path>, source: std::io::Error) -> Self {
        Error::Output { path: path.as_ref().to_path_buf(), msg: String::new(), source: Some(source) }
    }

    /// For an input file that could not be opened, say where its path came from (see
    /// [`from_flag`] and [`from_scenario`]); any other error is returned as it is.
    pub fn path_from(mut self, origin: impl Into<String>) -> Self {
        if let Error::Input { msg, hint: h @ None, .. } = &mut self {
            if msg.starts_with("cannot open file") {
                *h = Some(origin.into());
            }
        }
        self
    }

    /// Attach a hint saying how to fix the problem.
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        match &mut self {
            Error::Input { hint, .. } | Error::Scenario { hint, .. } => *hint = Some(h.into()),
            Error::Infeasible { hint, .. } => *hint = h.into(),
            Error::Output { msg, .. } | Error::Io { msg, .. } | Error::Parse { msg, .. } | Error::Request { msg } => {
                append(msg, h.into())
            }
        }
        self
    }
}

/// Where a path given on the command line is resolved from, for [`Error::path_from`].
pub fn from_flag(flag: &str) -> String {
    format!("check the path given with {flag}; relative paths resolve from the folder footprints is run in")
}

/// Where a path named in the scenario is resolved from, for [`Error::path_from`].
pub fn from_scenario(scenario: &Path, key: &str) -> String {
    format!(
        "check {key} in the scenario {}; relative paths there resolve from the scenario file's folder",
        scenario.display()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    #[test]
    fn display_is_unchanged_and_sources_are_kept() {
        let e = Error::at("a.csv", "row 3", "bad value").hint("fix it");
        assert_eq!(e.to_string(), "a.csv, row 3: bad value\n  hint: fix it");
        assert!(e.source().is_none());
        assert_eq!(Error::scenario("no LSOAs").to_string(), "no LSOAs");
        assert_eq!(Error::infeasible("x", "y").to_string(), "infeasible: x\n  what would work: y");
        assert_eq!(
            Error::output("o", "disk full").hint("free space").to_string(),
            "cannot write o: disk full; free space"
        );

        let io = std::io::Error::new(std::io::ErrorKind::BrokenPipe, "pipe closed");
        let e = Error::write("map.png", io);
        assert_eq!(e.to_string(), "cannot write map.png");
        assert_eq!(format!("{:#}", anyhow::Error::from(e)), "cannot write map.png: pipe closed");

        let json = serde_json::from_str::<serde_json::Value>("{").unwrap_err();
        let e = Error::parse("x.geojson", Some("line 1 column 1".into()), "not JSON", json);
        assert_eq!(e.to_string(), "x.geojson, line 1 column 1: not JSON");
        assert!(e.source().unwrap().downcast_ref::<serde_json::Error>().is_some());

        let nf = std::io::Error::new(std::io::ErrorKind::NotFound, "gone");
        let e = Error::io("p.csv", "cannot open file", nf);
        assert_eq!(format!("{:#}", anyhow::Error::from(e)), "p.csv: cannot open file: gone");
    }
}
