//! Typed errors that name the file, the row or feature, what was wrong and how to fix it.

use std::fmt;
use std::path::{Path, PathBuf};

/// Result alias used across the library.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every failure the library reports. Each carries enough context for a user to fix the input.
#[derive(Debug)]
pub enum Error {
    /// A problem with an input file: missing, unreadable, malformed, or with bad values.
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
    /// The scenario as a whole cannot be used (empty study area, inconsistent settings...).
    Scenario {
        /// What was wrong.
        msg: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// The request cannot be met by any solution; `hint` says what would work.
    Infeasible {
        /// What cannot be done.
        msg: String,
        /// What would work instead.
        hint: String,
    },
    /// Writing an output failed.
    Output {
        /// The file or folder concerned.
        path: PathBuf,
        /// What was wrong.
        msg: String,
    },
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

    /// A scenario-level error.
    pub fn scenario(msg: impl Into<String>) -> Self {
        Error::Scenario { msg: msg.into(), hint: None }
    }

    /// An infeasible request, with what would work.
    pub fn infeasible(msg: impl Into<String>, hint: impl Into<String>) -> Self {
        Error::Infeasible { msg: msg.into(), hint: hint.into() }
    }

    /// An output error.
    pub fn output(path: impl AsRef<Path>, msg: impl Into<String>) -> Self {
        Error::Output { path: path.as_ref().to_path_buf(), msg: msg.into() }
    }

    /// Attach a hint saying how to fix the problem.
    pub fn hint(mut self, h: impl Into<String>) -> Self {
        match &mut self {
            Error::Input { hint, .. } | Error::Scenario { hint, .. } => *hint = Some(h.into()),
            Error::Infeasible { hint, .. } => *hint = h.into(),
            Error::Output { msg, .. } => {
                msg.push_str("; ");
                msg.push_str(&h.into())
            }
        }
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Input { path, location, msg, hint } => {
                write!(f, "{}", path.display())?;
                if let Some(l) = location {
                    write!(f, ", {l}")?;
                }
                write!(f, ": {msg}")?;
                if let Some(h) = hint {
                    write!(f, "\n  hint: {h}")?;
                }
                Ok(())
            }
            Error::Scenario { msg, hint } => {
                write!(f, "{msg}")?;
                if let Some(h) = hint {
                    write!(f, "\n  hint: {h}")?;
                }
                Ok(())
            }
            Error::Infeasible { msg, hint } => {
                write!(f, "infeasible: {msg}\n  what would work: {hint}")
            }
            Error::Output { path, msg } => write!(f, "cannot write {}: {msg}", path.display()),
        }
    }
}

impl std::error::Error for Error {}
