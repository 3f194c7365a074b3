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
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1400,1800",
        ])
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
