//! The scenario text `init` writes: every table with a comment saying where it comes from.

use super::files::{relative, DataFiles};
use super::{Area, Request};
use crate::error::{Error, Result};
use crate::io::table::Table;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The rendered scenario and what it holds.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// TOML text.
    pub text: String,
    /// `[practices]` written.
    pub practices: bool,
    /// `[registrations]` written.
    pub registrations: bool,
    /// What could not be included, in plain words.
    pub missing: Vec<String>,
}

/// A TOML basic string (JSON string escapes are valid TOML).
fn q(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{}\"", s.replace(['"', '\\'], "")))
}

/// `p` relative to the scenario's folder, quoted.
fn rel(folder: &Path, p: &Path) -> String {
    q(&relative(p, folder))
}

fn list(items: &[String]) -> String {
    format!("[{}]", items.iter().map(|s| q(s)).collect::<Vec<_>>().join(", "))
}

/// The header row of a CSV file.
fn headers(path: &Path) -> Result<Vec<String>> {
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| Error::input(path, format!("cannot open file: {e}")))?;
    let h = rdr.headers().map_err(|e| Error::at(path, "header", format!("cannot parse CSV header: {e}")))?;
    Ok(h.iter().map(|s| s.trim().trim_start_matches('\u{feff}').to_string()).collect())
}

/// Render the scenario for `area`; `folder` is the scenario's folder (absolute).
pub fn render(req: &Request, files: &DataFiles, area: &Area, folder: &Path) -> Result<Rendered> {
    let mut r = Rendered { text: String::new(), practices: false, registrations: false, missing: vec![] };
    head(req, files, area, &mut r.text);
    let o = &mut r.text;
    let need = |p: &Option<PathBuf>| p.clone().ok_or_else(|| Error::scenario("a needed file was not found"));
    let _ = writeln!(o, "\n[boundaries]\n# LSOA 2021 polygons; each LSOA's district is the file's ltla24_code (it corrects the best-fit\n# lookup for E01027305, PROVENANCE.md §4).\npath = {}", rel(folder, &need(&files.boundaries)?));
    let names: Vec<String> = area.lads.iter().map(|(c, n)| format!("{c} {n}")).collect();
    let codes: Vec<String> = area.lads.iter().map(|(c, _)| c.clone()).collect();
    let _ = writeln!(o, "\n[study_area]\n# {}\nlads = {}", names.join(", "), list(&codes));
    let _ = writeln!(
        o,
        "\n[population]\n# Census 2021 usual residents by LSOA.\npath = {}",
        rel(folder, &need(&files.population)?)
    );
    deprivation(files, folder, o, &mut r.missing)?;
    let _ = writeln!(
        o,
        "\n[lookup]\n# LSOA → ward → district (ONS best fit): ward names and community groups.\npath = {}",
        rel(folder, &need(&files.lookup)?)
    );
    practices(req, files, area, folder, &mut r)?;
    registrations(req, folder, &mut r)?;
    tail(req, files, area, folder, &mut r)?;
    Ok(r)
}

fn head(req: &Request, files: &DataFiles, area: &Area, o: &mut String) {
    let name = req.name.clone().unwrap_or_else(|| default_name(area));
    let mut attr = vec![
        "Contains OS data © Crown copyright and database right 2021.",
        "Contains National Statistics data © Crown copyright and database right 2021.",
    ];
    if files.deprivation.is_some() {
        attr.push("IoD 2025: MHCLG, OGL v3.");
    }
    if files.practices.is_some() || req.registrations.is_some() {
        attr.push("NHS England practice data, OGL v3.");
    }
    if files.msoa_names.is_some() {
        attr.push("Contains Parliamentary information licensed under the Open Parliament Licence v3.0.");
    }
    let _ = writeln!(
        o,
        "# {name}: written by `footprints init` (footprints {}) for {}: {} district(s), {} LSOAs by the best-fit lookup.\n\
         # Paths are relative to this file's folder. `footprints check --scenario THIS_FILE` shows every join.",
        crate::VERSION,
        area.named.join(", "),
        area.lads.len(),
        area.lsoas
    );
    let _ = writeln!(o, "name = {}\nattribution = {}", q(&name), q(&attr.join(" ")));
}

/// "Oxford" for one district, "Cherwell, Oxford and West Oxfordshire" for up to four, else the
/// first name and how many others.
fn default_name(area: &Area) -> String {
    let n = &area.named;
    match n.len() {
        0 => "Study area".into(),
        1 => n[0].clone(),
        2..=4 => format!("{} and {}", n[..n.len() - 1].join(", "), n[n.len() - 1]),
        k => format!("{} and {} others", n[0], k - 1),
    }
}

fn deprivation(files: &DataFiles, folder: &Path, o: &mut String, missing: &mut Vec<String>) -> Result<()> {
    let Some(p) = &files.deprivation else {
        missing.push("no deprivation file: IMD deciles, equity figures and deprivation-weighted siting are n/a".into());
        let _ = writeln!(o, "\n# [deprivation] left out: no IoD 2025 File 7 found (england/deprivation/iod2025_lsoa21_scores_ranks_deciles.csv).");
        return Ok(());
    };
    let h = headers(p)?;
    let _ = writeln!(
        o,
        "\n[deprivation]\n# English Indices of Deprivation 2025, File 7 (LSOA 2021).\npath = {}",
        rel(folder, p)
    );
    if p.to_string_lossy().contains("iod2025") {
        let _ = writeln!(o, "edition = \"English Indices of Deprivation 2025 (MHCLG)\"");
    }
    if h.iter().any(|c| c == "Health_score") {
        let _ = writeln!(o, "need = \"Health_score\"");
    }
    Ok(())
}

fn practices(req: &Request, files: &DataFiles, area: &Area, folder: &Path, r: &mut Rendered) -> Result<()> {
    let o = &mut r.text;
    let Some(map) = &files.practices else {
        r.missing.push("no practice → PCN map found (england/gp/gp-reg-pat-prac-map_*.csv): practice, PCN and access figures are n/a".into());
        let _ = writeln!(o, "\n# [practices] left out: no practice → PCN map found.");
        return Ok(());
    };
    let h = headers(map)?;
    let codes: Vec<String> = area.sub_icbs.iter().map(|(c, _)| c.clone()).collect();
    let kept: Vec<String> =
        area.sub_icbs.iter().map(|(c, n)| format!("{c} ({n} {})", if *n == 1 { "LSOA" } else { "LSOAs" })).collect();
    let out: Vec<String> = area
        .sub_icbs_left_out
        .iter()
        .map(|(c, n)| format!("{c} ({n} {})", if *n == 1 { "LSOA" } else { "LSOAs" }))
        .collect();
    let mut body = format!(
        "path = {}\ncode = \"PRACTICE_CODE\"\nname = \"PRACTICE_NAME\"\npcn_code = \"PCN_CODE\"\npcn_name = \"PCN_NAME\"\n",
        rel(folder, map)
    );
    let filtered = h.iter().any(|c| c == "SUB_ICB_LOCATION_CODE") && !codes.is_empty();
    if filtered {
        let _ = writeln!(body, "only = {{ SUB_ICB_LOCATION_CODE = {} }}", list(&codes));
    }
    let mut intro = String::from("\n# Practices: NHS England's practice → PCN map");
    if filtered {
        let _ = write!(intro, ", kept to the sub-ICB locations covering the area: {}", kept.join(", "));
        if !out.is_empty() {
            let _ = write!(intro, ".\n# Left out (few of the area's LSOAs, mostly elsewhere): {}; add a code to `only` to keep its practices", out.join(", "));
        }
    }
    intro.push_str(".\n");
    if req.postcodes.is_empty() {
        r.missing.push(
            "no postcode files given (--postcodes): the practices cannot be placed, so practice counts, access and nearest-practice PCN figures are n/a".into(),
        );
        let _ = write!(o, "{intro}# [practices] is left out: the map has postcodes, not coordinates. Give Code-Point Open or ONS Postcode\n# Directory files as `postcodes = [...]` and uncomment to place them:\n");
        for line in format!("[practices]\n{body}").lines() {
            let _ = writeln!(o, "# {line}");
        }
        let _ = writeln!(o, "# postcodes = [\"codepoint_open/\"]");
        return Ok(());
    }
    let pcs: Vec<String> =
        req.postcodes.iter().map(|p| super::files::abs(p).map(|a| relative(&a, folder))).collect::<Result<_>>()?;
    let _ = write!(o, "{intro}# Placed at their postcodes (Code-Point Open or ONS Postcode Directory).\n[practices]\n{body}postcodes = [\n");
    for p in pcs {
        let _ = writeln!(o, "  {},", q(&p));
    }
    let _ = writeln!(o, "]");
    r.practices = true;
    Ok(())
}

fn registrations(req: &Request, folder: &Path, r: &mut Rendered) -> Result<()> {
    let Some(p) = &req.registrations else { return Ok(()) };
    let a = super::files::abs(p)?;
    let h = headers(&a)?;
    let o = &mut r.text;
    let _ = writeln!(
        o,
        "\n[registrations]\n# Registered patients by practice × LSOA: each LSOA's PCN is the one most of its registrants' practices\n# belong to.\npath = {}",
        rel(folder, &a)
    );
    if h.iter().any(|c| c == "PCN_CODE") && h.iter().any(|c| c == "PCN_NAME") {
        let _ = writeln!(o, "pcn_code = \"PCN_CODE\"\npcn_name = \"PCN_NAME\"");
    } else if !r.practices {
        r.missing.push(format!(
            "{} has no PCN_CODE column and no practices are placed, so the registrations cannot give PCNs",
            p.display()
        ));
    }
    r.registrations = true;
    Ok(())
}

fn tail(req: &Request, files: &DataFiles, area: &Area, folder: &Path, r: &mut Rendered) -> Result<()> {
    let lgr = lgr(files, area, folder, &mut r.text)?;
    let o = &mut r.text;
    if let Some(p) = &files.sub_icb {
        let _ = writeln!(o, "\n[[layers]]\n# NHS sub-ICB locations (2024): scored for coterminosity; usable as a build layer.\nname = \"sub-ICB\"\npath = {}\nunit = \"sicbl24_code_nhs\"", rel(folder, p));
    }
    match (&files.msoa_lookup, &files.msoa_names) {
        (Some(l), Some(n)) => {
            let _ = writeln!(o, "\n[places]\n# Towns and villages from the House of Commons Library MSOA names (rule: README › Places).\nmsoa_lookup = {}\nmsoa_names = {}", rel(folder, l), rel(folder, n));
        }
        _ => r
            .missing
            .push("no MSOA lookup and names found: towns and villages are not known, so no place figures".into()),
    }
    let _ = writeln!(o, "\n[build]\n# Footprints keep wards together where they can; SNP 50,000 and MNP 250,000 people, ±20%.\ncommunity = \"ward\"");
    match lgr.first() {
        Some(opt) => {
            let _ = writeln!(
                o,
                "# mnp_layer = {}   # keep MNPs inside one LGR option's unitaries (LGR options: {})",
                q(opt),
                lgr.join(", ")
            );
        }
        None => {
            let _ = writeln!(
                o,
                "# mnp_layer unset: build uses districts, \"hierarchy\" (small neighbouring districts grouped whole into an MNP)\n# or sub-ICB, whichever keeps most MNPs within ±20%, and says which; name one to choose it"
            );
            if req.by != super::AreaBy::Lad {
                let _ = writeln!(
                    o,
                    "# mnp_layer = \"sub-ICB\"   # keep MNPs inside sub-ICB locations instead of districts"
                );
            }
        }
    }
    Ok(())
}

/// The `[[lgr]]` tables with a row for one of the area's districts; returns the option names.
fn lgr(files: &DataFiles, area: &Area, folder: &Path, o: &mut String) -> Result<Vec<String>> {
    let mut options = Vec::new();
    for p in &files.lgr {
        let t = Table::read(p)?;
        let (Some(code), Some(_)) = (t.find_col("lad24_code"), t.find_col("proposed_unitary")) else { continue };
        let lads: Vec<&str> = area.lads.iter().map(|(c, _)| c.as_str()).collect();
        if !t.rows.iter().any(|r| lads.contains(&t.get(r, code))) {
            continue;
        }
        let stem = p.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
        let _ = writeln!(o, "\n[[lgr]]\n# Local government reorganisation options covering the area (district → proposed unitary).\npath = {}\nby = \"lad\"", rel(folder, p));
        match t.find_col("option_id") {
            Some(c) => {
                let _ = writeln!(o, "option = \"option_id\"");
                let mut seen: Vec<String> = t.rows.iter().map(|r| t.get(r, c).to_string()).collect();
                seen.dedup();
                options.extend(seen);
            }
            None => {
                let _ = writeln!(o, "name = {}", q(&stem));
                options.push(stem);
            }
        }
        if t.find_col("assignment").is_some() {
            let _ = writeln!(o, "assignment = \"assignment\"");
        }
    }
    Ok(options)
}
