//! The binary as a Unix filter: a reader that stops early (`| head -1`, `| true`) ends the program
//! quietly with status 0 instead of the panic (status 101) that `print!` gives on a closed pipe; and
//! flags are checked before any file is read.

mod common;
use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

fn demo_scenario() -> String {
    root().join("data/demo/scenario.toml").display().to_string()
}

/// `footprints check -s data/demo/scenario.toml | true`: stdout is closed before anything is written.
#[test]
fn check_into_a_closed_pipe_exits_0() {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = Command::new(bin()).args(["check", "-s", &demo_scenario()]).stdout(writer).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "status {:?}: {err}", o.status);
    assert!(!err.contains("panicked"), "{err}");
}

/// The reader takes the first line and goes away.
#[test]
fn check_with_stdout_closed_after_the_first_line_exits_0() {
    let mut child = Command::new(bin())
        .args(["check", "-s", &demo_scenario()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("footprints "), "{first}");
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success() && !err.contains("panicked"), "status {:?}: {err}", o.status);
}

#[test]
fn check_piped_into_head() {
    let o = Command::new("bash")
        .args(["-c", "set -o pipefail; \"$0\" check -s \"$1\" --json | head -1", &bin().display().to_string()])
        .arg(demo_scenario())
        .output()
        .unwrap();
    let (out, err) = text(&o);
    assert!(o.status.success() && !err.contains("panicked"), "status {:?}: {err}", o.status);
    assert_eq!(out, "{\n");
}

/// A full standard error (`2>/dev/full`): the build's "wrote ..." line cannot be written, which
/// `eprintln!` turned into a panic (status 101) after the outputs were already in place.
#[test]
fn build_with_a_full_stderr_exits_0_and_an_error_still_exits_2() {
    let d = tempfile::tempdir().unwrap();
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = d.path().join("b");
    let o = Command::new(bin())
        .args(["build", "-s", &demo_scenario(), "--options", "1", "-o"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(full())
        .status()
        .unwrap();
    assert!(o.success(), "status {o:?}");
    assert!(out.join("option-1/lookup.csv").exists());
    let o = Command::new(bin()).args(["check", "-s", "nosuch.toml"]).stderr(full()).status().unwrap();
    assert_eq!(o.code(), Some(2));
}

/// Range errors name the flag and come before the scenario is read (this one does not exist).
#[test]
fn bad_numbers_are_rejected_before_loading() {
    let d = tempfile::tempdir().unwrap();
    for (args, needle) in [
        (vec!["site", "--alpha", "NaN"], "--alpha must be a finite number ≥ 0 (got NaN)"),
        (vec!["site", "--radius-km", "0"], "--radius-km must be a finite number > 0"),
        (vec!["site", "--circuity", "0.9"], "--circuity must be a finite number ≥ 1"),
        (vec!["site", "--core20-weight", "inf"], "--core20-weight must be a finite number > 0"),
        (vec!["site", "--k", "0"], "--k must be at least 1"),
        (vec!["site", "--objective", "cheapest"], "unknown --objective \"cheapest\""),
        (vec!["map", "--dpi", "NaN"], "--dpi NaN is outside 50–600"),
        (vec!["map", "--dpi", "1000"], "--dpi 1000 is outside 50–600"),
        (vec!["map", "--page", "a9"], "unknown page size \"a9\""),
        (vec!["map", "--theme", "deviation"], "this theme needs --footprints"),
    ] {
        let mut full = args.clone();
        full.extend(["-s", "missing.toml", "-o", "out.png"]);
        let o = run_in(d.path(), &full);
        let (_, err) = text(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {needle:?} not in {err}");
        assert!(!err.contains("missing.toml"), "{args:?} read the scenario first: {err}");
    }
}

/// Accepted spellings are unchanged: theme aliases, upper-case page sizes, objective aliases.
#[test]
fn flag_aliases_still_parse() {
    let d = tempfile::tempdir().unwrap();
    for args in [
        vec!["map", "--theme", "deprivation", "--page", "A5"],
        vec!["map", "--theme", "distance", "--page", "a3"],
        vec!["site", "--objective", "p-center"],
        vec!["site", "--objective", "mclp"],
    ] {
        let mut full = args.clone();
        full.extend(["-s", "missing.toml", "-o", "out.png"]);
        let (_, err) = text(&run_in(d.path(), &full));
        assert!(err.contains("missing.toml"), "{args:?} should get as far as the scenario: {err}");
    }
}
