//! The tables `build` prints and writes: options and baselines side by side (Markdown and CSV),
//! the share of people changing SNP between options, and the warnings.

use crate::build::{BuildConfig, BuildResult, Built, BuiltKind};
use crate::fmt::NA;
use crate::io::write::csv_string;
use crate::prepare::Prepared;
use crate::score::{score_families, FootprintSet, ScoreOptions};
use rayon::prelude::*;

const HEADER: [&str; 16] = [
    "label",
    "snps",
    "mnps",
    "pcn_split_pct",
    "pcns_split",
    "pcns_split_majority",
    "pcns_split_bound",
    "towns_split",
    "towns_fit_split",
    "community_split",
    "cut_km",
    "snp_max_dev_pct",
    "mnp_max_dev_pct",
    "snps_outside_tol",
    "mnps_outside_tol",
    "objective",
];

/// The summary files of a build.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// `summary.md`: heading, the table, differences between options, warnings.
    pub markdown: String,
    /// `summary.csv`: the table.
    pub csv: String,
    /// `differences.csv`: share of population changing SNP per pair of options.
    pub differences_csv: String,
}

/// One table row; without PCNs (no `[practices]` or registrations) the PCN columns are `n/a`, not
/// a perfect 0, and so are the town columns without `[places]`.
fn row(p: &Prepared, cfg: &BuildConfig, b: &Built, has_pcns: bool) -> Vec<String> {
    let m = &b.metrics;
    let na = |s: String| if has_pcns { s } else { "n/a".to_string() };
    let set = FootprintSet {
        label: b.label.clone(),
        footprint: b.plan.snp_of.iter().map(|&s| b.snp_names[s].clone()).collect(),
        mnp: None,
    };
    let o = ScoreOptions { target: cfg.snp_target, tolerance: cfg.tolerance, ..ScoreOptions::default() };
    let s = score_families(p, &set, &o, Some(&["pcn", "places"]));
    let count = |k: &str| s.num(k).map_or_else(|| NA.to_string(), |x| format!("{x:.0}"));
    vec![
        b.label.clone(),
        m.snps.to_string(),
        m.mnps.to_string(),
        na(format!("{:.1}", m.pcn_split_share * 100.0)),
        na(m.pcns_split.to_string()),
        count("pcn.split_majority"),
        // The bound holds for plans whose SNPs lie inside districts: not the PCN baseline, and
        // not an SNP layer other than districts.
        if b.kind == BuiltKind::PcnBaseline || cfg.snp_layer != crate::build::Layer::Lad {
            NA.to_string()
        } else {
            count("pcn.split_forced")
        },
        count("places.towns_split"),
        count("places.towns_fit_split"),
        format!("{:.0}", m.components.community_split.max(0.0)),
        format!("{:.1}", m.components.cut_km),
        format!("{:.1}", m.snp_max_dev_pct),
        format!("{:.1}", m.mnp_max_dev_pct),
        m.snps_outside_tolerance.to_string(),
        m.mnps_outside_tolerance.to_string(),
        format!("{:.0}", m.objective),
    ]
}

/// Render the summary of `res`, built from `p` with `cfg`.
pub fn summary(p: &Prepared, cfg: &BuildConfig, res: &BuildResult) -> Summary {
    let has_pcns = p.study.areas.iter().any(|a| a.pcn.is_some());
    let sets: Vec<&Built> = res.options.iter().chain(&res.baselines).collect();
    let rows: Vec<Vec<String>> = sets.par_iter().map(|b| row(p, cfg, b, has_pcns)).collect();
    let mut md = format!(
        "# Footprint options — {}\n\nfootprints {} · seed {} · SNP {:.0} / MNP {:.0} ± {:.0}% · SNP layer {} · MNP layer {}\n\n",
        p.study.name,
        crate::VERSION,
        cfg.seed,
        cfg.snp_target,
        cfg.mnp_target,
        cfg.tolerance * 100.0,
        cfg.snp_layer.label(p),
        cfg.mnp_layer.label(p)
    );
    if let Some(note) = &cfg.mnp_layer_note {
        md.push_str(&format!("{note}.\n\n"));
    }
    md.push_str(&format!("| {} |\n|{}\n", HEADER.join(" | "), "---|".repeat(HEADER.len())));
    for r in &rows {
        md.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    md.push_str("\nShare of population changing SNP between options:\n\n| | ");
    md.push_str(&res.options.iter().map(|o| o.label.clone()).collect::<Vec<_>>().join(" | "));
    md.push_str(" |\n|---|");
    md.push_str(&"---|".repeat(res.options.len()));
    md.push('\n');
    let mut diff_rows = Vec::new();
    for (i, o) in res.options.iter().enumerate() {
        let pct: Vec<String> = res.differences[i].iter().map(|d| format!("{:.1}%", d * 100.0)).collect();
        md.push_str(&format!("| {} | {} |\n", o.label, pct.join(" | ")));
        for (j, d) in res.differences[i].iter().enumerate() {
            diff_rows.push(vec![o.label.clone(), res.options[j].label.clone(), format!("{:.4}", d)]);
        }
    }
    if !res.warnings.is_empty() {
        md.push_str("\nWarnings:\n\n");
        for w in group_warnings(&res.warnings) {
            md.push_str(&format!("- {w}\n"));
        }
    }
    Summary {
        markdown: md,
        csv: csv_string(&HEADER, &rows),
        differences_csv: csv_string(&["option_a", "option_b", "population_share_changing_snp"], &diff_rows),
    }
}

/// The shape of a warning: its quoted names and its numbers blanked, so "MNP unit "A" has 100514
/// people …" and "MNP unit "B" has 95840 people …" are one kind.
fn kind(w: &str) -> String {
    let mut out = String::new();
    let mut quoted = false;
    let mut last_digit = false;
    for c in w.chars() {
        if c == '"' {
            quoted = !quoted;
            out.push('"');
            last_digit = false;
        } else if quoted {
            continue;
        } else if c.is_ascii_digit() || (last_digit && (c == '.' || c == ',')) {
            if !last_digit {
                out.push('#');
            }
            last_digit = true;
        } else {
            out.push(c);
            last_digit = false;
        }
    }
    out
}

/// The first quoted name in a warning, if any.
fn first_name(w: &str) -> Option<&str> {
    let start = w.find('"')? + 1;
    let len = w[start..].find('"')?;
    Some(&w[start..start + len])
}

/// Warnings grouped by kind, in order of first appearance: a kind seen three times or more is one
/// line (how many, the first in full, and the names of a few others), never hundreds of lines.
/// `run.json` keeps every warning.
pub fn group_warnings(ws: &[String]) -> Vec<String> {
    group_warnings_kept(ws, "run.json")
}

/// As [`group_warnings`], saying where every warning is kept (`kept_in`, e.g. "run.json" or
/// "check --json").
pub fn group_warnings_kept(ws: &[String], kept_in: &str) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    let mut by: std::collections::HashMap<String, Vec<&String>> = std::collections::HashMap::new();
    for w in ws {
        let k = kind(w);
        if !by.contains_key(&k) {
            order.push(k.clone());
        }
        by.entry(k).or_default().push(w);
    }
    let mut out = Vec::new();
    for k in order {
        let v = &by[&k];
        if v.len() < 3 {
            out.extend(v.iter().map(|w| w.to_string()));
            continue;
        }
        let names: Vec<&str> = v[1..].iter().filter_map(|w| first_name(w)).collect();
        let shown: Vec<String> = names.iter().take(3).map(|n| format!("\"{n}\"")).collect();
        let more = if names.len() > 3 { format!(" and {} more", names.len() - 3) } else { String::new() };
        out.push(format!(
            "{} warnings of this kind (all in {kept_in}); the first: {}; also {}{more}",
            v.len(),
            v[0],
            shown.join(", ")
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warnings_of_one_kind_become_one_line() {
        let w = |u: &str, n: u32| {
            format!(
                "MNP unit \"{u}\" has {n} people: 1 MNP(s) of {n} (-59.8% from the 250000 target) is the nearest fit"
            )
        };
        let ws = vec![
            w("Cannock Chase (E07000192)", 100514),
            "something else".to_string(),
            w("East Staffordshire (E07000193)", 124019),
            w("Lichfield (E07000194)", 106444),
            w("Stafford (E07000197)", 136853),
            w("Tamworth (E07000199)", 78653),
        ];
        let g = group_warnings(&ws);
        assert_eq!(g.len(), 2, "{g:?}");
        assert!(
            g[0].starts_with(
                "5 warnings of this kind (all in run.json); the first: MNP unit \"Cannock Chase (E07000192)\""
            ),
            "{}",
            g[0]
        );
        assert!(g[0].ends_with("also \"East Staffordshire (E07000193)\", \"Lichfield (E07000194)\", \"Stafford (E07000197)\" and 1 more"), "{}", g[0]);
        assert_eq!(g[1], "something else");
        // Two of a kind stay as they are, next to each other.
        assert_eq!(group_warnings(&ws[..3]), vec![ws[0].clone(), ws[2].clone(), ws[1].clone()]);
    }
}
