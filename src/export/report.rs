//! A self-contained HTML options appraisal for board papers: inline SVG maps, inline CSS, no
//! scripts and no network; options side by side, the score table, changes between options, and
//! methods and data sources. Prints to PDF from any browser (A4 landscape).

use crate::error::Result;
use crate::export::map::{svg_string, MapSpec, Theme};
use crate::export::scores::{pair_moves, render, ComparisonRow, TableWriter};
use crate::fmt::fmt_int;
use crate::fmt::{fixed, opt, pct, signed, NA};
use crate::prepare::Prepared;
use crate::score::{self, FootprintSet, ScoreOptions, Scores};
use std::fmt::Write as _;

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const CSS: &str = r#"
@page { size: A4 landscape; margin: 12mm; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #1a1a1a; margin: 24px; line-height: 1.35; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 26px 0 8px; border-bottom: 2px solid #005eb8; padding-bottom: 3px; }
.meta { color: #555; font-size: 12px; }
.maps { display: flex; flex-wrap: wrap; gap: 14px; }
.map { flex: 1 1 46%; min-width: 420px; border: 1px solid #ccc; padding: 6px; page-break-inside: avoid; }
.map svg { width: 100%; height: auto; display: block; }
.map h3 { font-size: 14px; margin: 2px 0 6px; }
table { border-collapse: collapse; font-size: 12px; margin: 6px 0 14px; }
th, td { border: 1px solid #bbb; padding: 4px 7px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #e8eef7; }
td.best { font-weight: bold; background: #e3f1e0; }
.note { font-size: 11px; color: #444; }
section { page-break-inside: avoid; }
"#;

/// The score table's body rows as HTML, best value in each row highlighted.
#[derive(Debug, Default)]
struct HtmlRows(String);

impl TableWriter for HtmlRows {
    fn header(&mut self, _sets: &[&str]) {}

    fn row(&mut self, row: &ComparisonRow) {
        let _ = write!(self.0, "<tr><td>{}</td>", esc(&row.label));
        for v in &row.values {
            match v {
                None => self.0.push_str(&format!("<td>{NA}</td>")),
                Some(x) => {
                    let cls = if row.is_best(*x) { " class=\"best\"" } else { "" };
                    let _ = write!(self.0, "<td{cls}>{}</td>", crate::fmt::num(*x));
                }
            }
        }
        self.0.push_str("</tr>\n");
    }

    fn finish(self) -> String {
        self.0
    }
}

/// Build the report HTML for the given footprint sets.
pub fn report_html(p: &Prepared, sets: &[FootprintSet]) -> Result<String> {
    let s = &p.study;
    let opts = ScoreOptions {
        target: p.scenario.build.snp_target,
        tolerance: p.scenario.build.tolerance,
        ..Default::default()
    };
    let scores: Vec<Scores> = sets.iter().map(|f| score::score(p, f, &opts)).collect();
    let mut h = String::new();
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>{CSS}</style></head><body>\n<h1>{t}</h1>\n<p class=\"meta\">Neighbourhood health footprint options appraisal · {n} LSOAs · {pop} residents (Census 2021) · footprints {v}</p>",
        t = esc(&format!("{} — footprint options", s.name)),
        n = s.areas.len(),
        pop = fmt_int(s.population()),
        v = crate::VERSION
    );
    maps(p, sets, opts.target, &mut h)?;
    score_table(&scores, &mut h);
    for sc in &scores {
        footprint_table(sc, &mut h);
    }
    if sets.len() > 1 {
        changes(p, sets, &mut h);
    }
    // Methods and sources.
    h.push_str("<section><h2>Methods and data sources</h2>\n<p>Footprints are sets of 2021 Lower layer Super Output Areas (LSOAs). Population: Census 2021 usual residents. ");
    if let Some(d) = &p.scenario.deprivation {
        let _ = write!(
            h,
            "Deprivation: {} (decile 1 = most deprived nationally; Core20 = deciles 1–2). ",
            esc(d.edition.as_deref().unwrap_or("Indices of Deprivation"))
        );
    }
    h.push_str("PCN integrity uses each LSOA's registered patients by PCN where it has any, otherwise its residents assigned to the PCN of its nearest practice. Distances are straight-line in British National Grid metres. Coterminosity counts a footprint as inside a unit when ≥ 99% of its population is.</p>\n<table><thead><tr><th>input</th><th>file</th><th>SHA-256</th></tr></thead><tbody>\n");
    for inp in &p.report.inputs {
        let file =
            std::path::Path::new(&inp.path).file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td><code>{}</code></td></tr>",
            esc(&inp.role),
            esc(&file),
            &inp.sha256[..16.min(inp.sha256.len())]
        );
    }
    h.push_str("</tbody></table>\n");
    let attr = p.scenario.attribution.clone().unwrap_or_else(|| "Contains OS data © Crown copyright and database right 2021. Contains National Statistics data © Crown copyright and database right 2021.".into());
    let _ = writeln!(h, "<p class=\"note\">{}</p></section>\n</body></html>", esc(&attr));
    Ok(h)
}

/// One inline SVG map (IMD theme) per set.
fn maps(p: &Prepared, sets: &[FootprintSet], target: f64, h: &mut String) -> Result<()> {
    h.push_str("<h2>Options</h2>\n<div class=\"maps\">\n");
    for f in sets {
        let spec = MapSpec {
            title: f.label.clone(),
            theme: Theme::Imd,
            page_mm: (250.0, 170.0),
            dpi: 72.0,
            footprints: Some(f),
            other: None,
            boundary: crate::layer::Layer::Lad,
            practices: !p.study.practices.is_empty(),
            target,
        };
        let svg = svg_string(p, &spec)?;
        let svg = svg.find("<svg").map(|i| svg[i..].to_string()).unwrap_or(svg);
        let _ = writeln!(h, "<div class=\"map\"><h3>{}</h3>{}</div>", esc(&f.label), svg);
    }
    h.push_str("</div>\n");
    Ok(())
}

/// The headline metrics of every set, best value highlighted.
fn score_table(scores: &[Scores], h: &mut String) {
    h.push_str("<section><h2>Scores</h2>\n<table><thead><tr><th>metric</th>");
    for sc in scores {
        let _ = write!(h, "<th>{}</th>", esc(&sc.label));
    }
    h.push_str("</tr></thead><tbody>\n");
    h.push_str(&render(scores, HtmlRows::default()));
    h.push_str("</tbody></table><p class=\"note\">Best value in each row highlighted; n/a where a metric cannot be computed from the inputs. Definitions: docs/METRICS.md in the footprints repository.</p></section>\n");
}

/// One set's per-footprint table.
fn footprint_table(sc: &Scores, h: &mut String) {
    let _ = writeln!(h, "<section><h2>{} — footprints</h2><table><thead><tr><th>footprint</th><th>MNP</th><th>people</th><th>vs target</th><th>main district</th><th>main PCN share</th><th>IMD score</th><th>Core20 share</th><th>hub</th></tr></thead><tbody>", esc(&sc.label));
    let share = |x: Option<f64>| x.map_or_else(|| NA.to_string(), |v| pct(v, 0));
    for r in &sc.rows {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}%</td><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.name),
            esc(r.mnp.as_deref().unwrap_or(NA)),
            fmt_int(r.population),
            signed(r.deviation_pct, 1),
            esc(&r.main_lad),
            pct(r.lad_share, 0),
            share(r.pcn_share),
            opt(r.imd_score, 1),
            share(r.core20_share),
            esc(r.hub.as_deref().unwrap_or("none"))
        );
    }
    h.push_str("</tbody></table></section>\n");
}

/// LSOAs and people moving between each ordered pair of sets.
fn changes(p: &Prepared, sets: &[FootprintSet], h: &mut String) {
    h.push_str("<section><h2>Changes between options</h2><table><thead><tr><th>from</th><th>to</th><th>LSOAs moving</th><th>people moving</th></tr></thead><tbody>\n");
    for (i, j, mv) in pair_moves(p, sets) {
        let people: u64 = mv.iter().map(|m| m.3).sum();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{} ({}%)</td></tr>",
            esc(&sets[i].label),
            esc(&sets[j].label),
            mv.len(),
            fmt_int(people),
            fixed(people as f64 / p.study.population() as f64 * 100.0, 1)
        );
    }
    h.push_str("</tbody></table></section>\n");
}
