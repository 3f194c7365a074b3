//! The HTML report is self-contained (no external resources, no scripts) and renders in headless
//! Chromium without failed loads.

mod common;
use common::*;

#[test]
fn report_is_self_contained_and_renders() {
    let d = tempfile::tempdir().unwrap();
    let s = root().join("data/demo/scenario.toml").display().to_string();
    let o = run_in(d.path(), &["build", "-s", &s, "-o", "b", "--options", "2", "--steps", "5"]);
    assert!(o.status.success());
    let o =
        run_in(d.path(), &["report", "-s", &s, "b/option-1", "b/option-2", "b/district-baseline", "-o", "report.html"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let html = std::fs::read_to_string(d.path().join("report.html")).unwrap();
    for bad in ["<script", "src=\"http", "href=\"http", "@import", "url(http", "<link"] {
        assert!(!html.contains(bad), "report contains {bad}");
    }
    assert_eq!(html.matches("<svg").count(), 3, "one inline map per option");
    assert!(
        html.contains("Changes between options")
            && html.contains("Methods and data sources")
            && html.contains("class=\"best\"")
    );
    // Render in headless Chromium when available (.ci/run installs Debian's chromium).
    let chromium =
        ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().find(|p| std::path::Path::new(p).exists());
    let Some(chromium) = chromium else {
        eprintln!("chromium not installed: skipped the rendering half of this test");
        return;
    };
    let shot = d.path().join("shot.png");
    let out = std::process::Command::new(chromium)
        .args(CHROMIUM_FLAGS)
        .args(["--enable-logging=stderr", "--v=0", "--window-size=1400,1800"])
        .arg(format!("--user-data-dir={}", d.path().join("profile").display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", d.path().join("report.html").display()))
        .output()
        .unwrap();
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(shot.exists() && std::fs::metadata(&shot).unwrap().len() > 50_000, "no screenshot: {log}");
    for l in log.lines() {
        assert!(!(l.contains("Failed to load") || l.contains("net::ERR_")), "load failure: {l}");
    }
}

/// Two sets both called "option-1" from different folders were indistinguishable (issue 11): they
/// take their folder's name, and NAME=PATH names a set in `report`, `compare` and `map`.
#[test]
fn sets_with_the_same_name_are_told_apart_and_can_be_named() {
    let d = tempfile::tempdir().unwrap();
    let s = root().join("data/demo/scenario.toml").display().to_string();
    let o = run_in(d.path(), &["build", "-s", &s, "-o", "b", "--options", "1", "--steps", "5"]);
    assert!(o.status.success(), "{}", text(&o).1);
    std::fs::create_dir_all(d.path().join("c/option-1")).unwrap();
    std::fs::copy(d.path().join("b/option-1/lookup.csv"), d.path().join("c/option-1/lookup.csv")).unwrap();
    let o = run_in(d.path(), &["report", "-s", &s, "b/option-1", "c/option-1", "--date", "2026-04-01", "-o", "r.html"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let html = std::fs::read_to_string(d.path().join("r.html")).unwrap();
    assert!(html.contains("<th>b/option-1</th><th>c/option-1</th>"), "score table columns");
    assert!(html.contains("<td>2026-04-01</td>") || html.contains(">2026-04-01</td>"), "cover date");
    let o = run_in(d.path(), &["report", "-s", &s, "Oxon-A=b/option-1", "Oxon-B=c/option-1", "-o", "r2.html"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let html = std::fs::read_to_string(d.path().join("r2.html")).unwrap();
    assert!(html.contains("<th>Oxon-A</th><th>Oxon-B</th>") && html.contains("Oxon-A — deprivation"));
    let o = run_in(d.path(), &["compare", "-s", &s, "Oxon-A=b/option-1", "c/option-1"]);
    let out = text(&o).0;
    assert!(o.status.success() && out.contains("Oxon-A") && out.contains("option-1"), "{out}");
    let o = run_in(d.path(), &["map", "-s", &s, "-f", "Oxon-A=b/option-1", "--theme", "deviation", "-o", "m.svg"]);
    assert!(o.status.success(), "{}", text(&o).1);
    assert!(std::fs::read_to_string(d.path().join("m.svg")).unwrap().contains("Oxon-A footprints"), "map title");
    let o = run_in(d.path(), &["report", "-s", &s, "b/option-1", "--date", "1/4/26", "-o", "r3.html"]);
    assert_eq!(o.status.code(), Some(2), "a bad --date is refused");
    assert!(text(&o).1.contains("YYYY-MM-DD"));
}

/// Same inputs and date, byte-identical report.
#[test]
fn report_is_deterministic() {
    let d = tempfile::tempdir().unwrap();
    let s = root().join("data/demo/scenario.toml").display().to_string();
    let o = run_in(d.path(), &["build", "-s", &s, "-o", "b", "--options", "2", "--steps", "5"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let report = |out: &str| {
        let args = ["report", "-s", &s, "b/option-1", "b/option-2", "--themes", "imd,change", "--date", "2026-04-01"];
        let o = run_in(d.path(), &[&args[..], &["-o", out]].concat());
        assert!(o.status.success(), "{}", text(&o).1);
        std::fs::read(d.path().join(out)).unwrap()
    };
    let (a, b) = (report("1.html"), report("2.html"));
    assert!(a == b, "two runs differ");
    let html = String::from_utf8(a).unwrap();
    assert_eq!(html.matches("<svg").count(), 4, "two themes for each of two options");
    assert!(html.contains("Why the boundaries lie where they do") && html.contains("Towns split"));
}
