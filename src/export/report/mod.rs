//! A self-contained HTML options appraisal for board papers: inline SVG maps, inline CSS, no
//! scripts and no network. It reads on screen and prints to PDF (A4 landscape) as: a cover
//! (scenario, date, version, input SHA-256), one page per option and map theme with the map across
//! the printable width and a short "why the boundaries lie where they do" from the option's
//! `explain.json`, the score table on one page, one page of footprints per set, and a last page of
//! changes between options and methods.

mod why;

use crate::error::Result;
use crate::export::map::{svg_string, MapSpec, Theme};
use crate::export::scores::{pair_moves, render, ComparisonRow, TableWriter};
use crate::fmt::fmt_int;
use crate::fmt::{fixed, opt, pct, signed, NA};
use crate::prepare::Prepared;
use crate::score::{self, FootprintSet, ScoreOptions, Scores};
use std::fmt::Write as _;

pub use why::{read_explain, why_html};

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const CSS: &str = include_str!("report.css");

/// Printable area of an A4 landscape page with the stylesheet's 10 mm margins, in mm.
pub const PRINTABLE_MM: (f64, f64) = (277.0, 190.0);

/// The map's drawing size in mm: the full printable width, leaving room under it for the option's
/// explanation. Drawn at this size, the map's lettering prints at its stated point sizes.
const MAP_MM: (f64, f64) = (PRINTABLE_MM.0, 145.0);

/// What goes into a report besides the sets themselves.
#[derive(Debug, Clone)]
pub struct ReportOptions {
    /// Map themes, one page per option and theme, in this order.
    pub themes: Vec<Theme>,
    /// Date printed on the cover (the caller keeps it deterministic).
    pub date: String,
    /// Where each set was read from, as the user gave it (cover).
    pub sources: Vec<String>,
    /// Each set's `explain.json`, when its folder holds one.
    pub explains: Vec<Option<serde_json::Value>>,
}

/// The theme's name as a map title and page heading say it.
pub fn theme_name(t: Theme) -> &'static str {
    match t {
        Theme::Imd => "deprivation",
        Theme::Deviation => "population against target",
        Theme::Pcn => "PCN coterminosity",
        Theme::Access => "access to GP practices",
        Theme::Change => "change between options",
        Theme::Footprints => "each footprint in its own colour",
    }
}

/// The score table's body rows as HTML, best value in each row marked.
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

/// Build the report HTML for the given footprint sets. `Theme::Change` compares each set with the
/// first (the first with the second), so it needs at least two sets.
pub fn report_html(p: &Prepared, sets: &[FootprintSet], o: &ReportOptions) -> Result<String> {
    if o.themes.contains(&Theme::Change) && sets.len() < 2 {
        return Err(crate::Error::scenario("the change theme needs at least two footprint sets")
            .hint("give two or more sets, or leave change out of --themes"));
    }
    let opts = ScoreOptions {
        target: p.scenario.build.snp_target,
        tolerance: p.scenario.build.tolerance,
        ..Default::default()
    };
    let scores: Vec<Scores> = sets.iter().map(|f| score::score(p, f, &opts)).collect();
    let mut h = String::new();
    let t = esc(&format!("{} — footprint options", p.study.name));
    let _ = writeln!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title><style>\n{CSS}</style></head><body>"
    );
    cover(p, sets, o, &t, &mut h);
    for (i, f) in sets.iter().enumerate() {
        for (k, theme) in o.themes.iter().enumerate() {
            let other = (*theme == Theme::Change).then(|| if i == 0 { &sets[1] } else { &sets[0] });
            let explain = if k == 0 { o.explains.get(i).and_then(Option::as_ref) } else { None };
            option_page(p, f, *theme, other, explain, opts.target, &mut h)?;
        }
    }
    score_table(&scores, &mut h);
    for sc in &scores {
        footprint_table(sc, &mut h);
    }
    last_page(p, sets, &mut h);
    h.push_str("</body></html>\n");
    Ok(h)
}

/// The cover: title, scenario, date, version, the sets and where they came from, and the inputs
/// with their SHA-256.
fn cover(p: &Prepared, sets: &[FootprintSet], o: &ReportOptions, title: &str, h: &mut String) {
    let s = &p.study;
    let _ = writeln!(
        h,
        "<section class=\"page cover\"><h1>{title}</h1>\n<p class=\"meta\">Neighbourhood health footprint options appraisal</p>\n<table><tbody>\n<tr><td>scenario</td><td class=\"l\">{}</td></tr>\n<tr><td>date</td><td class=\"l\">{}</td></tr>\n<tr><td>made with</td><td class=\"l\">footprints {}</td></tr>\n<tr><td>study area</td><td class=\"l\">{} LSOAs, {} residents (Census 2021)</td></tr>\n<tr><td>target</td><td class=\"l\">{} people ± {}% per footprint</td></tr>\n</tbody></table>",
        esc(&s.name),
        esc(&o.date),
        esc(crate::VERSION),
        s.areas.len(),
        fmt_int(s.population()),
        fmt_int(p.scenario.build.snp_target.round() as u64),
        fixed(p.scenario.build.tolerance * 100.0, 0),
    );
    h.push_str("<h3>Options</h3><table><thead><tr><th>option</th><th class=\"l\">read from</th><th>footprints</th></tr></thead><tbody>\n");
    for (i, f) in sets.iter().enumerate() {
        let n = f.footprint.iter().collect::<std::collections::BTreeSet<_>>().len();
        let src = o.sources.get(i).map_or("", String::as_str);
        let _ = writeln!(h, "<tr><td>{}</td><td class=\"l\">{}</td><td>{n}</td></tr>", esc(&f.label), esc(src));
    }
    h.push_str("</tbody></table>\n<h3>Inputs</h3><table><thead><tr><th>input</th><th class=\"l\">file</th><th class=\"l\">SHA-256</th></tr></thead><tbody>\n");
    for inp in &p.report.inputs {
        let file =
            std::path::Path::new(&inp.path).file_name().map(|f| f.to_string_lossy().to_string()).unwrap_or_default();
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"l\">{}</td><td class=\"l\"><code>{}</code></td></tr>",
            esc(&inp.role),
            esc(&file),
            esc(&inp.sha256)
        );
    }
    h.push_str("</tbody></table></section>\n");
}

/// One option under one theme: the map across the page and, on its first page, why its
/// boundaries lie where they do.
fn option_page(
    p: &Prepared,
    f: &FootprintSet,
    theme: Theme,
    other: Option<&FootprintSet>,
    explain: Option<&serde_json::Value>,
    target: f64,
    h: &mut String,
) -> Result<()> {
    let title = match other {
        Some(o) => format!("{} — {} (against {})", f.label, theme_name(theme), o.label),
        None => format!("{} — {}", f.label, theme_name(theme)),
    };
    let spec = MapSpec {
        title: format!("{} — {title}", p.study.name),
        theme,
        page_mm: MAP_MM,
        dpi: 96.0,
        footprints: Some(f),
        other,
        boundary: crate::layer::Layer::Lad,
        practices: !p.study.practices.is_empty(),
        target,
        pcn_outlines: false,
        sites: &[],
    };
    let svg = svg_string(p, &spec)?;
    let svg = svg.find("<svg").map(|i| svg[i..].to_string()).unwrap_or(svg);
    let _ = writeln!(h, "<section class=\"page option\"><h2>{}</h2><div class=\"map\">{}</div>", esc(&title), svg);
    if let Some(e) = explain {
        h.push_str(&why_html(e));
    }
    h.push_str("</section>\n");
    Ok(())
}

/// The headline metrics of every set, best value marked, on one page.
fn score_table(scores: &[Scores], h: &mut String) {
    h.push_str("<section class=\"page\"><h2>Scores</h2>\n<table class=\"scores\"><thead><tr><th>metric</th>");
    for sc in scores {
        let _ = write!(h, "<th>{}</th>", esc(&sc.label));
    }
    h.push_str("</tr></thead><tbody>\n");
    h.push_str(&render(scores, HtmlRows::default()));
    h.push_str("</tbody></table><p class=\"note\">Best value in each row marked ✓ (shaded); n/a where a metric cannot be computed from the inputs. Definitions: docs/METRICS.md in the footprints repository.</p></section>\n");
}

/// One set's per-footprint table, on a page of its own.
fn footprint_table(sc: &Scores, h: &mut String) {
    let _ = writeln!(h, "<section class=\"page\"><h2>{} — footprints</h2><table><thead><tr><th>footprint</th><th>MNP</th><th>people</th><th>vs target</th><th>main district</th><th>main PCN share</th><th>IMD score</th><th>Core20 share</th><th>hub</th></tr></thead><tbody>", esc(&sc.label));
    let share = |x: Option<f64>| x.map_or_else(|| NA.to_string(), |v| pct(v, 0));
    for r in &sc.rows {
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td class=\"l\">{}</td><td>{}</td><td>{}%</td><td class=\"l\">{} ({})</td><td>{}</td><td>{}</td><td>{}</td><td class=\"l\">{}</td></tr>",
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

/// Changes between options (with two or more sets), methods and attribution.
fn last_page(p: &Prepared, sets: &[FootprintSet], h: &mut String) {
    h.push_str("<section class=\"page\">");
    if sets.len() > 1 {
        changes(p, sets, h);
    }
    h.push_str("<h2>Methods and data sources</h2>\n<p>Footprints are sets of 2021 Lower layer Super Output Areas (LSOAs). Population: Census 2021 usual residents. ");
    if let Some(d) = &p.scenario.deprivation {
        let _ = write!(
            h,
            "Deprivation: {} (decile 1 = most deprived nationally; Core20 = deciles 1–2). ",
            esc(d.edition.as_deref().unwrap_or("Indices of Deprivation"))
        );
    }
    h.push_str("PCN integrity uses each LSOA's registered patients by PCN where it has any, otherwise its residents assigned to the PCN of its nearest practice. Distances are straight-line in British National Grid metres. Coterminosity counts a footprint as inside a unit when ≥ 99% of its population is. The input files and their SHA-256 are on the cover.</p>\n");
    let attr = p.scenario.attribution.clone().unwrap_or_else(|| "Contains OS data © Crown copyright and database right 2021. Contains National Statistics data © Crown copyright and database right 2021.".into());
    let _ = writeln!(h, "<p class=\"note\">{}</p></section>", esc(&attr));
}

/// LSOAs and people moving from each set (row) to each other set (column), as a matrix so that
/// it stays on one page.
fn changes(p: &Prepared, sets: &[FootprintSet], h: &mut String) {
    let n = sets.len();
    let mut cell = vec![vec![String::from("–"); n]; n];
    for (i, j, mv) in pair_moves(p, sets) {
        let people: u64 = mv.iter().map(|m| m.3).sum();
        let share = fixed(people as f64 / p.study.population() as f64 * 100.0, 1);
        cell[i][j] = format!("{} · {} ({share}%)", mv.len(), fmt_int(people));
    }
    h.push_str("<h2>Changes between options</h2><table><thead><tr><th>from \\ to</th>");
    for s in sets {
        let _ = write!(h, "<th>{}</th>", esc(&s.label));
    }
    h.push_str("</tr></thead><tbody>\n");
    for (i, s) in sets.iter().enumerate() {
        let _ = write!(h, "<tr><td>{}</td>", esc(&s.label));
        for c in &cell[i] {
            let _ = write!(h, "<td>{c}</td>");
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody></table><p class=\"note\">Each cell: LSOAs moving · people moving (share of all residents), from the row's set to the column's.</p>\n");
}
