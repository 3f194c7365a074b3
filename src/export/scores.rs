//! Score outputs: `scores.json`, `scores.csv` and `summary.md` for one set; `compare.md`,
//! `compare.csv` and `moves.csv` for several. Tables iterate the metrics the score registry produced
//! and render through a [`TableWriter`] (Markdown, CSV; the HTML report has its own), so a new
//! metric reaches every output without touching this file.

use crate::error::Result;
use crate::fmt::{fixed, num, opt, NA};
use crate::io::write::{atomic_write, csv_string};
use crate::prepare::Prepared;
use crate::score::{moves, Better, FootprintSet, Scores, Unit, Value};
use std::path::Path;

/// One headline metric across footprint sets.
#[derive(Debug, Clone, PartialEq)]
pub struct ComparisonRow {
    /// Metric key ("access.hub_mean").
    pub key: String,
    /// Table label with its unit ("mean distance to footprint hub, km").
    pub label: String,
    /// Unit.
    pub unit: Unit,
    /// Which direction is better.
    pub better: Better,
    /// Value per set; `None` where the metric is n/a for that set.
    pub values: Vec<Option<f64>>,
}

impl ComparisonRow {
    /// The best value of the row, when there is a direction and more than one set to compare.
    pub fn best(&self) -> Option<f64> {
        if self.values.len() < 2 {
            return None;
        }
        self.better.best(self.values.iter().flatten().copied())
    }

    /// True when `x` is the row's best value.
    pub fn is_best(&self, x: f64) -> bool {
        self.best().is_some_and(|b| (x - b).abs() < 1e-9)
    }
}

/// The headline metrics of the sets, in registry order (keys first seen in an earlier set first).
pub fn comparison_rows(all: &[Scores]) -> Vec<ComparisonRow> {
    let mut rows: Vec<ComparisonRow> = Vec::new();
    for m in all.iter().flat_map(|s| s.metrics.iter()).filter(|m| m.headline) {
        if rows.iter().any(|r| r.key == m.key) {
            continue;
        }
        let values = all.iter().map(|s| s.num(&m.key)).collect();
        rows.push(ComparisonRow { key: m.key.clone(), label: m.table_label(), unit: m.unit, better: m.better, values });
    }
    rows
}

/// A comparison table renderer: a header with the set labels, then one call per metric row.
pub trait TableWriter {
    /// Start the table.
    fn header(&mut self, sets: &[&str]);
    /// One metric across the sets.
    fn row(&mut self, row: &ComparisonRow);
    /// The rendered table.
    fn finish(self) -> String;
}

/// Render the comparison table of `all` with `w`.
pub fn render<W: TableWriter>(all: &[Scores], mut w: W) -> String {
    let labels: Vec<&str> = all.iter().map(|s| s.label.as_str()).collect();
    w.header(&labels);
    for r in comparison_rows(all) {
        w.row(&r);
    }
    w.finish()
}

/// Markdown table, best value in each row in bold, "n/a" where a metric does not apply.
#[derive(Debug, Default)]
pub struct Markdown(String);

impl TableWriter for Markdown {
    fn header(&mut self, sets: &[&str]) {
        self.0 = format!("| metric | {} |\n|---|{}\n", sets.join(" | "), "---|".repeat(sets.len()));
    }

    fn row(&mut self, row: &ComparisonRow) {
        let cells: Vec<String> = row
            .values
            .iter()
            .map(|v| match v {
                None => NA.to_string(),
                Some(x) if row.is_best(*x) => format!("**{}**", num(*x)),
                Some(x) => num(*x),
            })
            .collect();
        self.0.push_str(&format!("| {} | {} |\n", row.label, cells.join(" | ")));
    }

    fn finish(self) -> String {
        self.0
    }
}

/// CSV table: key, metric label, unit, better, then one column per set (4 decimals, "n/a").
#[derive(Debug, Default)]
pub struct Csv {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl TableWriter for Csv {
    fn header(&mut self, sets: &[&str]) {
        self.header = ["key", "metric", "unit", "better"].iter().map(|s| s.to_string()).collect();
        self.header.extend(sets.iter().map(|s| s.to_string()));
    }

    fn row(&mut self, row: &ComparisonRow) {
        let mut r = vec![row.key.clone(), row.label.clone(), row.unit.as_str().into(), row.better.as_str().into()];
        r.extend(row.values.iter().map(|v| opt(*v, 4)));
        self.rows.push(r);
    }

    fn finish(self) -> String {
        let h: Vec<&str> = self.header.iter().map(String::as_str).collect();
        csv_string(&h, &self.rows)
    }
}

/// A short Markdown summary of one set: the headline table, the footprints the counts name, and
/// why any metric is n/a.
pub fn summary_md(s: &Scores) -> String {
    let table = render(std::slice::from_ref(s), Markdown::default());
    let mut md = format!(
        "# Scores — {}\n\nfootprints {} · {} footprints · {} people\n\n{table}",
        s.label, s.version, s.footprints, s.population
    );
    for m in s.metrics.iter().filter(|m| m.headline) {
        if let Some(names) = m.names.as_ref().filter(|n| !n.is_empty()) {
            md.push_str(&format!("\n{}: {}\n", capitalise(&m.label), names.join(", ")));
        }
    }
    let na: Vec<String> = s
        .metrics
        .iter()
        .filter(|m| m.headline)
        .filter_map(|m| match &m.value {
            Value::NotApplicable(why) => Some(format!("- {}: {why}\n", m.table_label())),
            Value::Num(_) => None,
        })
        .collect();
    if !na.is_empty() {
        md.push_str(&format!("\nNot applicable (n/a):\n{}", na.concat()));
    }
    md
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

const ROW_COLS: [&str; 20] = [
    "footprint",
    "mnp",
    "population",
    "deviation_pct",
    "lsoas",
    "main_lad",
    "lad_share",
    "main_pcn",
    "pcn_share",
    "imd_score",
    "imd_rank",
    "core20_share",
    "need_weighted_population",
    "practices",
    "hub",
    "hub_mean",
    "access_unit",
    "polsby_popper",
    "hull_ratio",
    "area_km2",
];

/// Per-footprint CSV (`scores.csv`); fields that do not apply print "n/a".
pub fn rows_csv(s: &Scores) -> String {
    let text = |x: &Option<String>| x.clone().unwrap_or_else(|| NA.into());
    let rows: Vec<Vec<String>> = s
        .rows
        .iter()
        .map(|r| {
            vec![
                r.name.clone(),
                text(&r.mnp),
                r.population.to_string(),
                fixed(r.deviation_pct, 1),
                r.lsoas.to_string(),
                r.main_lad.clone(),
                fixed(r.lad_share, 3),
                text(&r.main_pcn),
                opt(r.pcn_share, 3),
                opt(r.imd_score, 2),
                opt(r.imd_rank, 0),
                opt(r.core20_share, 3),
                opt(r.need_weighted_population, 0),
                r.practices.map_or_else(|| NA.into(), |n| n.to_string()),
                text(&r.hub),
                opt(r.hub_mean, 2),
                r.access_unit.as_str().into(),
                fixed(r.polsby_popper, 3),
                fixed(r.hull_ratio, 3),
                fixed(r.area_km2, 1),
            ]
        })
        .collect();
    csv_string(&ROW_COLS, &rows)
}

/// Write `scores.json` and `scores.csv` (and `summary.md` when given) into `dir`.
pub fn write_scores(dir: &Path, s: &Scores, summary: Option<&str>) -> Result<()> {
    let json = serde_json::to_string_pretty(s).expect("scores serialise") + "\n";
    atomic_write(&dir.join("scores.json"), json.as_bytes())?;
    atomic_write(&dir.join("scores.csv"), rows_csv(s).as_bytes())?;
    if let Some(md) = summary {
        atomic_write(&dir.join("summary.md"), md.as_bytes())?;
    }
    Ok(())
}

/// LSOAs moving between every ordered pair of sets: (from set, to set, moves as in [`moves`]).
pub type PairMoves = Vec<(usize, usize, Vec<(String, String, String, u64)>)>;

/// [`moves`] for every ordered pair of distinct sets.
pub fn pair_moves(p: &Prepared, sets: &[FootprintSet]) -> PairMoves {
    let pairs = (0..sets.len()).flat_map(|i| (0..sets.len()).filter(move |&j| j != i).map(move |j| (i, j)));
    pairs.map(|(i, j)| (i, j, moves(p, &sets[i], &sets[j]))).collect()
}

/// `compare.md`: the comparison table and the LSOAs and people moving between each pair.
pub fn compare_md(study: &str, all: &[Scores], mv: &PairMoves, population: u64) -> String {
    let mut md = format!(
        "# Options compared — {study}\n\nBest value in each row in bold.\n\n{}\n## Changes between options\n\n| from | to | LSOAs moving | people moving |\n|---|---|---|---|\n",
        render(all, Markdown::default())
    );
    for (i, j, m) in mv {
        let people: u64 = m.iter().map(|x| x.3).sum();
        let share = fixed(people as f64 / population as f64 * 100.0, 1);
        md.push_str(&format!("| {} | {} | {} | {people} ({share}%) |\n", all[*i].label, all[*j].label, m.len()));
    }
    md
}

/// `moves.csv`: one row per LSOA moving between each ordered pair of sets.
pub fn moves_csv(all: &[Scores], mv: &PairMoves) -> String {
    let rows: Vec<Vec<String>> = mv
        .iter()
        .flat_map(|(i, j, m)| {
            m.iter().map(move |(code, f, t, n)| {
                vec![all[*i].label.clone(), all[*j].label.clone(), code.clone(), f.clone(), t.clone(), n.to_string()]
            })
        })
        .collect();
    csv_string(&["option_a", "option_b", "lsoa_code", "footprint_a", "footprint_b", "population"], &rows)
}

/// A set label usable as a folder name.
pub fn sanitize(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect()
}

/// Write `compare.md`, `compare.csv`, `moves.csv` and each set's `scores.json`/`scores.csv` into `dir`.
pub fn write_compare(dir: &Path, md: &str, all: &[Scores], mv: &PairMoves) -> Result<()> {
    atomic_write(&dir.join("compare.md"), md.as_bytes())?;
    atomic_write(&dir.join("compare.csv"), render(all, Csv::default()).as_bytes())?;
    atomic_write(&dir.join("moves.csv"), moves_csv(all, mv).as_bytes())?;
    for s in all {
        write_scores(&dir.join(sanitize(&s.label)), s, None)?;
    }
    Ok(())
}
