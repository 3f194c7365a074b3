//! The HTML report printed to PDF by headless Chromium: A4 landscape, a cover, one page per option
//! and theme with its map across at least 80% of the printable width, the score table on one page,
//! one page of footprints per set, and a last page of changes and methods.
//!
//! How the map width is measured: the report draws each map's `<svg>` inside a 0.6 mm border in
//! NHS blue (#005eb8). Each page is rendered with `pdftoppm -r 50`, and the longest horizontal run
//! of pixels of that blue in any row (the border's top edge) is the map's printed width, compared
//! with the printable width (297 mm less two 10 mm margins). Needs `chromium` and `pdfinfo`/
//! `pdftoppm` (Debian: chromium, poppler-utils; .ci/run installs both); skipped with a message
//! when they are absent.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Headless Chromium and poppler's tools, or why the test cannot render.
fn tools() -> Result<PathBuf, String> {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .map(PathBuf::from)
        .find(|p| p.exists())
        .ok_or("chromium is not installed (apt-get install chromium)")?;
    for t in ["pdfinfo", "pdftoppm"] {
        if Command::new(t).arg("-v").output().is_err() {
            return Err(format!("{t} is not installed (apt-get install poppler-utils)"));
        }
    }
    Ok(chromium)
}

/// Print `html` to `pdf` as a user would (no header or footer).
fn print_pdf(chromium: &Path, dir: &Path, html: &Path, pdf: &Path) {
    let out = Command::new(chromium)
        .args(CHROMIUM_FLAGS)
        .args(["--no-pdf-header-footer"])
        .arg(format!("--user-data-dir={}", dir.join("profile").display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    assert!(pdf.exists(), "chromium printed nothing: {}", String::from_utf8_lossy(&out.stderr));
}

/// Page count and page size in points, from `pdfinfo`.
fn pdf_info(pdf: &Path) -> (usize, f64, f64) {
    let o = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let info = String::from_utf8_lossy(&o.stdout).to_string();
    let field = |k: &str| info.lines().find_map(|l| l.strip_prefix(k)).map(str::trim).unwrap_or_default().to_string();
    let pages = field("Pages:").parse().unwrap();
    let size: Vec<f64> = field("Page size:").split_whitespace().filter_map(|w| w.parse().ok()).collect();
    (pages, size[0], size[1])
}

/// Printed width of the bordered map on each page, as a share of the printable width (0 when a
/// page has no map).
fn map_widths(dir: &Path, pdf: &Path) -> Vec<f64> {
    let prefix = dir.join("page");
    let o = Command::new("pdftoppm").args(["-r", "50", "-png"]).arg(pdf).arg(&prefix).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut pngs: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.file_name().unwrap().to_string_lossy().starts_with("page-"))
        .collect();
    pngs.sort();
    let printable_px = (297.0 - 20.0) / 25.4 * 50.0;
    let blue = |p: &image::Rgb<u8>| {
        let d = |a: u8, b: u8| (i32::from(a) - i32::from(b)).abs();
        d(p[0], 0x00) + d(p[1], 0x5e) + d(p[2], 0xb8) < 90
    };
    pngs.iter()
        .map(|f| {
            let img = image::open(f).unwrap().to_rgb8();
            let mut best = 0;
            for y in 0..img.height() {
                let mut run = 0;
                for x in 0..img.width() {
                    run = if blue(img.get_pixel(x, y)) { run + 1 } else { 0 };
                    best = best.max(run);
                }
            }
            f64::from(best) / printable_px
        })
        .collect()
}

/// Build two options (and baselines), write the report, print it; returns (pages, w, h, widths).
fn render(dir: &Path, scenario: &str, sets: &[&str], themes: &str) -> (usize, f64, f64, Vec<f64>) {
    let chromium = tools().unwrap();
    let mut args = vec!["report", "-s", scenario, "--themes", themes, "--date", "2026-04-01", "-o", "report.html"];
    args.extend_from_slice(sets);
    let o = run_in(dir, &args);
    assert!(o.status.success(), "{}", text(&o).1);
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(!html.contains("-0%") && !html.contains(">-0<") && !html.contains(">-0.0"), "a negative zero printed");
    let pdf = dir.join("report.pdf");
    print_pdf(&chromium, dir, &dir.join("report.html"), &pdf);
    let (pages, w, h) = pdf_info(&pdf);
    (pages, w, h, map_widths(dir, &pdf))
}

/// Check the layout: A4 landscape; cover, then `option_pages` map pages each ≥ 80% of the
/// printable width, then `pages - 1 - option_pages` table pages with no map.
fn assert_layout(r: &(usize, f64, f64, Vec<f64>), option_pages: usize, sets: usize) {
    let (pages, w, h, widths) = r;
    assert!((w - 841.89).abs() < 1.0 && (h - 595.28).abs() < 1.0, "not A4 landscape: {w} x {h} pt");
    // Cover + one page per option and theme + scores + one page of footprints per set + changes/methods.
    assert_eq!(*pages, 1 + option_pages + 1 + sets + 1, "page count; map widths by page: {widths:.2?}");
    assert_eq!(widths.len(), *pages);
    for (k, share) in widths.iter().enumerate().skip(1).take(option_pages) {
        assert!(*share >= 0.8, "page {}: map {:.0}% of the printable width", k + 1, share * 100.0);
    }
    assert!(
        widths[0] < 0.1 && widths[option_pages + 1..].iter().all(|s| *s < 0.1),
        "maps off their pages: {widths:.2?}"
    );
}

#[test]
fn demo_report_prints_one_option_per_a4_landscape_page() {
    if let Err(why) = tools() {
        eprintln!("skipped: {why}");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let s = root().join("data/demo/scenario.toml").display().to_string();
    let o = run_in(d.path(), &["build", "-s", &s, "-o", "b", "--options", "2", "--steps", "5"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let sets = ["A=b/option-1", "B=b/option-2", "b/district-baseline"];
    let r = render(d.path(), &s, &sets, "imd,pcn");
    assert_layout(&r, 3 * 2, 3);
}

#[test]
#[ignore = "needs real data in ../shared/data"]
fn oxfordshire_report_prints_one_option_per_a4_landscape_page() {
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario("oxfordshire.toml", d.path()).display().to_string();
    let o = run_in(d.path(), &["build", "-s", &s, "-o", "b"]);
    assert!(o.status.success(), "{}", text(&o).1);
    let sets = ["b/option-1", "b/option-2", "b/option-3", "b/option-4", "b/district-baseline", "b/pcn-baseline"];
    let r = render(d.path(), &s, &sets, "imd");
    eprintln!("Oxfordshire report: {} pages, {:.2} x {:.2} pt, map widths {:.3?}", r.0, r.1, r.2, r.3);
    assert_layout(&r, 6, 6);
}
