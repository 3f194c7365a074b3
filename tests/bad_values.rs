//! Values that cannot be right, duplicate and dangling keys, missing data scored as if perfect, and
//! messages a person can act on (issue 10, sections 1, 3, 4 and 7). Each case runs the real binary
//! on a copy of the demo with one thing changed and asserts the exit status and the words of the
//! message; none may end with status 0 and a wrong answer.

mod common;
use common::*;
use std::fs;
use std::path::Path;

/// Run the binary in `dir`; never a panic.
fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let o = run_in(dir, args);
    let (out, err) = text(&o);
    assert!(!err.contains("panicked"), "panic: {err}");
    (o.status.success(), out, err)
}

/// The command fails (status 2) and stderr holds every needle.
fn fails(dir: &Path, args: &[&str], needles: &[&str]) -> String {
    let o = run_in(dir, args);
    let (_, err) = text(&o);
    assert!(!err.contains("panicked"), "panic: {err}");
    assert_eq!(o.status.code(), Some(2), "expected exit 2; stderr: {err}");
    for n in needles {
        assert!(err.contains(n), "stderr lacks {n:?}: {err}");
    }
    err
}

fn check_fails(dir: &Path, needles: &[&str]) -> String {
    fails(dir, &["check", "--scenario", "scenario.toml"], needles)
}

/// Check succeeds; returns stdout and stderr.
fn check_ok(dir: &Path) -> (String, String) {
    let (ok, out, err) = run(dir, &["check", "--scenario", "scenario.toml"]);
    assert!(ok, "check failed: {err}");
    (out, err)
}

/// Replace data line `n` (1 = first after the header) of `file`.
fn set_line(dir: &Path, file: &str, n: usize, new: &str) {
    let p = dir.join(file);
    let t = fs::read_to_string(&p).unwrap();
    let mut lines: Vec<String> = t.lines().map(String::from).collect();
    lines[n] = new.to_string();
    fs::write(&p, lines.join("\n") + "\n").unwrap();
}

fn line(dir: &Path, file: &str, n: usize) -> String {
    fs::read_to_string(dir.join(file)).unwrap().lines().nth(n).unwrap().to_string()
}

fn append(dir: &Path, file: &str, text: &str) {
    let p = dir.join(file);
    let t = fs::read_to_string(&p).unwrap();
    fs::write(&p, format!("{t}{text}\n")).unwrap();
}

fn edit(dir: &Path, file: &str, f: impl FnOnce(String) -> String) {
    let p = dir.join(file);
    let t = fs::read_to_string(&p).unwrap();
    fs::write(&p, f(t)).unwrap();
}

/// A footprint set (`fp.csv`): each LSOA's district as its footprint (five contiguous footprints).
fn district_set(dir: &Path) {
    let t = fs::read_to_string(dir.join("lookup.csv")).unwrap();
    let mut out = String::from("lsoa_code,snp_name\n");
    for l in t.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        out.push_str(&format!("{},{}\n", f[1], f[4]));
    }
    fs::write(dir.join("fp.csv"), out).unwrap();
}

/// The demo scenario without `[practices]` and `[registrations]`.
fn without_practices(dir: &Path) {
    edit(dir, "scenario.toml", |t| {
        let start = t.find("[practices]").unwrap();
        let end = t.find("[[lgr]]").unwrap();
        format!("{}{}", &t[..start], &t[end..])
    });
}

fn score_args<'a>(extra: &[&'a str]) -> Vec<&'a str> {
    let mut a = vec!["score", "--scenario", "scenario.toml", "--footprints", "fp.csv"];
    a.extend_from_slice(extra);
    a
}

// ---------------------------------------------------------------- 1. values that cannot be right

#[test]
fn unquoted_thousands_separator_is_a_row_with_too_many_fields() {
    let d = demo_copy();
    set_line(d.path(), "population.csv", 1, "E01900001,1,548");
    check_fails(d.path(), &["population.csv", "row 1 (line 2)", "3 fields but the header has 2 columns", "quoted"]);
}

#[test]
fn trailing_empty_field_is_still_read() {
    let d = demo_copy();
    set_line(d.path(), "population.csv", 1, "E01900001,1548,");
    check_ok(d.path());
}

#[test]
fn population_that_would_wrap_the_total_is_refused() {
    let d = demo_copy();
    set_line(d.path(), "population.csv", 1, "E01900001,18446744073709551615");
    check_fails(d.path(), &["population.csv", "row 1 (line 2)", "E01900001", "above 20000"]);
}

#[test]
fn implausible_lsoa_population_is_refused() {
    let d = demo_copy();
    set_line(d.path(), "population.csv", 5, "E01900005,9999999999999");
    check_fails(d.path(), &["population.csv", "row 5", "\"total_residents\"", "above 20000", "9,899"]);
}

#[test]
fn zero_population_study_area_fails_check() {
    let d = demo_copy();
    edit(d.path(), "population.csv", |t| {
        let mut out = String::from("lsoa21_code,total_residents\n");
        for l in t.lines().skip(1) {
            out.push_str(&format!("{},0\n", l.split(',').next().unwrap()));
        }
        out
    });
    check_fails(d.path(), &["population.csv", "every one of the 432 study-area LSOAs has population 0"]);
}

#[test]
fn a_single_zero_population_lsoa_is_warned_about() {
    let d = demo_copy();
    set_line(d.path(), "population.csv", 2, "E01900002,0");
    let (out, _) = check_ok(d.path());
    assert!(out.contains("1 study-area LSOA(s) have population 0 (e.g. E01900002)"), "{out}");
}

#[test]
fn implausible_registrations_are_refused() {
    let d = demo_copy();
    set_line(d.path(), "registrations.csv", 1, "E01900001,D81003,99999999");
    check_fails(d.path(), &["registrations.csv", "row 1 (line 2)", "\"99999999\"", "from 0 to 20000"]);
}

#[test]
fn imd_rank_zero_is_refused() {
    let d = demo_copy();
    set_line(d.path(), "deprivation.csv", 1, "E01900001,8,0,9.243,-0.625");
    check_fails(d.path(), &["deprivation.csv", "row 1 (line 2)", "IMD rank 0 for E01900001", "from 1 to 33755"]);
}

#[test]
fn imd_rank_above_the_number_of_lsoas_is_refused() {
    let d = demo_copy();
    set_line(d.path(), "deprivation.csv", 1, "E01900001,10,40000,9.243,-0.625");
    check_fails(d.path(), &["deprivation.csv", "IMD rank 40000", "from 1 to 33755"]);
}

#[test]
fn fractional_imd_rank_is_refused() {
    let d = demo_copy();
    set_line(d.path(), "deprivation.csv", 1, "E01900001,8,26256.5,9.243,-0.625");
    check_fails(d.path(), &["deprivation.csv", "IMD rank 26256.5", "not a whole number"]);
}

#[test]
fn imd_decile_out_of_range_is_refused() {
    let d = demo_copy();
    set_line(d.path(), "deprivation.csv", 1, "E01900001,11,26256,9.243,-0.625");
    check_fails(d.path(), &["deprivation.csv", "IMD decile 11", "from 1 to 10"]);
}

#[test]
fn decile_and_rank_that_contradict_are_refused() {
    let d = demo_copy();
    set_line(d.path(), "deprivation.csv", 1, "E01900001,1,26256,9.243,-0.625");
    check_fails(d.path(), &["deprivation.csv", "row 1", "IMD rank 26256 and decile 1 of E01900001 contradict"]);
}

#[test]
fn mnp_target_below_snp_target_on_the_command_line_is_refused_by_build() {
    let d = demo_copy();
    fails(
        d.path(),
        &["build", "-s", "scenario.toml", "-o", "out", "--snp-target", "50000", "--mnp-target", "1000"],
        &["--mnp-target 1000 is below --snp-target 50000", "at least the SNP target"],
    );
    assert!(!d.path().join("out").exists());
}

#[test]
fn mnp_target_below_snp_target_in_the_scenario_fails_check() {
    let d = demo_copy();
    append(d.path(), "scenario.toml", "mnp_target = 40000");
    check_fails(d.path(), &["scenario.toml", "build.mnp_target 40000 is below build.snp_target 50000"]);
}

#[test]
fn mnp_flag_below_scenario_snp_target_is_refused_by_build() {
    let d = demo_copy();
    fails(
        d.path(),
        &["build", "-s", "scenario.toml", "-o", "out", "--mnp-target", "40000"],
        &["--mnp-target 40000 is below build.snp_target (scenario) 50000"],
    );
}

#[test]
fn options_zero_is_refused() {
    let d = demo_copy();
    fails(d.path(), &["build", "-s", "scenario.toml", "-o", "out", "--options", "0"], &["--options", "from 1 to 100"]);
}

#[test]
fn options_zero_in_the_scenario_is_refused() {
    let d = demo_copy();
    append(d.path(), "scenario.toml", "options = 0");
    check_fails(d.path(), &["scenario.toml", "build.options = 0", "from 1 to 100"]);
}

#[test]
fn nan_snp_target_is_refused() {
    let d = demo_copy();
    fails(
        d.path(),
        &["build", "-s", "scenario.toml", "-o", "out", "--snp-target", "NaN"],
        &["--snp-target", "got NaN"],
    );
}

#[test]
fn nan_tolerance_in_the_scenario_is_refused() {
    let d = demo_copy();
    append(d.path(), "scenario.toml", "tolerance = nan");
    check_fails(d.path(), &["build.tolerance NaN", "between 0 and 1"]);
}

#[test]
fn negative_weight_is_refused() {
    let d = demo_copy();
    append(d.path(), "scenario.toml", "\n[build.weights]\npcn = -1.0");
    check_fails(d.path(), &["build.weights.pcn = -1", "from 0"]);
}

#[test]
fn nan_adjacency_tolerance_is_refused() {
    let d = demo_copy();
    edit(d.path(), "scenario.toml", |t| t.replace("[build]", "[adjacency]\ntolerance_m = nan\n\n[build]"));
    check_fails(d.path(), &["adjacency.tolerance_m = NaN", "from 0 to 100"]);
}

#[test]
fn score_target_zero_is_refused() {
    let d = demo_copy();
    district_set(d.path());
    fails(d.path(), &score_args(&["--target", "0"]), &["--target", "from 1 to 100000000", "got 0"]);
}

#[test]
fn score_negative_target_is_refused() {
    let d = demo_copy();
    district_set(d.path());
    fails(d.path(), &score_args(&["--target=-5"]), &["--target", "got -5"]);
}

#[test]
fn score_nan_circuity_is_refused() {
    let d = demo_copy();
    district_set(d.path());
    fails(d.path(), &score_args(&["--circuity", "NaN"]), &["--circuity", "from 1 to 10", "got NaN"]);
}

#[test]
fn compare_circuity_below_one_is_refused() {
    let d = demo_copy();
    district_set(d.path());
    fails(d.path(), &["compare", "-s", "scenario.toml", "fp.csv", "fp.csv", "--circuity", "0.5"], &["--circuity"]);
}

#[test]
fn site_nan_alpha_radius_and_infinite_circuity_are_refused() {
    let d = demo_copy();
    let site = |flag: &str, v: &str| -> Vec<String> {
        ["site", "-s", "scenario.toml", "-o", "out", flag, v].iter().map(|s| s.to_string()).collect()
    };
    for (flag, v) in [("--alpha", "NaN"), ("--radius-km", "nan"), ("--circuity", "inf")] {
        let a = site(flag, v);
        let a: Vec<&str> = a.iter().map(String::as_str).collect();
        fails(d.path(), &a, &[flag, "finite number"]);
    }
}

#[test]
fn candidate_capacity_that_is_not_a_number_is_an_error() {
    let d = demo_copy();
    fs::write(d.path().join("c.csv"), "code,name,easting,northing,capacity\nS1,a,442185,270857,abc\n").unwrap();
    fails(
        d.path(),
        &["site", "-s", "scenario.toml", "-o", "out", "--candidates", "c.csv", "--k", "1"],
        &["c.csv", "row 1 (line 2)", "capacity abc is not a number > 0"],
    );
}

#[test]
fn negative_candidate_capacity_is_an_error() {
    let d = demo_copy();
    fs::write(
        d.path().join("c.csv"),
        "code,name,easting,northing,capacity\nS1,a,442185,270857,\nS2,b,446024,268813,-5\n",
    )
    .unwrap();
    fails(
        d.path(),
        &["site", "-s", "scenario.toml", "-o", "out", "--candidates", "c.csv", "--k", "1"],
        &["c.csv", "row 2 (line 3)", "capacity -5"],
    );
}

#[test]
fn candidate_must_open_that_is_not_true_or_false_is_an_error() {
    let d = demo_copy();
    fs::write(d.path().join("c.csv"), "code,name,easting,northing,must_open\nS1,a,442185,270857,maybe\n").unwrap();
    fails(
        d.path(),
        &["site", "-s", "scenario.toml", "-o", "out", "--candidates", "c.csv", "--k", "1"],
        &["c.csv", "row 1", "must_open \"maybe\""],
    );
}

#[test]
fn empty_footprint_name_in_a_lookup_is_an_error() {
    let d = demo_copy();
    district_set(d.path());
    set_line(d.path(), "fp.csv", 3, &format!("{},", line(d.path(), "fp.csv", 3).split(',').next().unwrap()));
    fails(d.path(), &score_args(&[]), &["fp.csv", "row 3 (line 4)", "empty footprint name"]);
}

#[test]
fn empty_footprint_name_in_locks_is_an_error() {
    let d = demo_copy();
    fs::write(d.path().join("locks.csv"), "lsoa_code,footprint\nE01900001,\n").unwrap();
    fails(
        d.path(),
        &["build", "-s", "scenario.toml", "-o", "out", "--locks", "locks.csv"],
        &["locks.csv", "row 1 (line 2)", "empty footprint name"],
    );
}

#[test]
fn matrix_cost_out_of_range_is_an_error() {
    let d = demo_copy();
    district_set(d.path());
    fs::write(d.path().join("tt.csv"), "lsoa_code,practice_code,minutes\nE01900001,D81001,5000\n").unwrap();
    fails(d.path(), &score_args(&["--matrix", "tt.csv"]), &["tt.csv", "row 1", "\"5000\"", "from 0 to 1440"]);
}

#[test]
fn implausible_list_size_is_an_error() {
    let d = demo_copy();
    let l = line(d.path(), "practices.csv", 1).replacen(",6753,", ",99999999,", 1);
    set_line(d.path(), "practices.csv", 1, &l);
    check_fails(d.path(), &["practices.csv", "row 1", "list size \"99999999\"", "from 0 to 500000"]);
}

// ---------------------------------------------------------------- 3. duplicate and dangling keys

#[test]
fn duplicate_population_row_names_both_rows() {
    let d = demo_copy();
    let first = line(d.path(), "population.csv", 1);
    append(d.path(), "population.csv", &first);
    check_fails(d.path(), &["row 1 (line 2) and row 433 (line 434)", "duplicate LSOA code E01900001"]);
}

#[test]
fn duplicate_deprivation_row_names_both_rows() {
    let d = demo_copy();
    let first = line(d.path(), "deprivation.csv", 1);
    append(d.path(), "deprivation.csv", &first);
    check_fails(d.path(), &["deprivation.csv", "row 1 (line 2) and row 433", "duplicate LSOA code E01900001"]);
}

#[test]
fn duplicate_lookup_row_names_both_rows() {
    let d = demo_copy();
    let first = line(d.path(), "lookup.csv", 2);
    append(d.path(), "lookup.csv", &first);
    check_fails(d.path(), &["lookup.csv", "row 2 (line 3) and row 433", "duplicate LSOA code E01900002"]);
}

#[test]
fn duplicate_practice_names_both_rows() {
    let d = demo_copy();
    let first = line(d.path(), "practices.csv", 1);
    append(d.path(), "practices.csv", &first);
    check_fails(d.path(), &["practices.csv", "row 1 (line 2) and row 51", "duplicate practice code D81001"]);
}

#[test]
fn duplicate_registration_pair_names_both_rows() {
    let d = demo_copy();
    let first = line(d.path(), "registrations.csv", 1);
    append(d.path(), "registrations.csv", &first);
    check_fails(d.path(), &["registrations.csv", "row 1 (line 2) and row 1297", "appear twice", "add the two counts"]);
}

#[test]
fn lad_in_two_unitaries_of_one_option_is_an_error() {
    let d = demo_copy();
    append(d.path(), "lgr_options_by_lad.csv", "2UA,Eastwick and Southam,E07900001,Aldport,whole");
    check_fails(
        d.path(),
        &["lgr_options_by_lad.csv", "row 1 (line 2) and row 6 (line 7)", "LGR option 2UA: LAD E07900001", "again in"],
    );
}

#[test]
fn lad_split_into_parts_is_still_accepted() {
    let d = demo_copy();
    edit(d.path(), "lgr_options_by_lad.csv", |t| {
        t.replace("2UA,Aldport and the West,E07900001,Aldport,whole", "2UA,Aldport and the West,E07900001,Aldport,most")
    });
    append(d.path(), "lgr_options_by_lad.csv", "2UA,Eastwick and Southam,E07900001,Aldport,part");
    let (out, _) = check_ok(d.path());
    assert!(out.contains("given only in part"), "{out}");
}

#[test]
fn lsoa_twice_in_an_lsoa_level_lgr_option_is_an_error() {
    let d = demo_copy();
    append(d.path(), "lgr_3ua_by_lsoa.csv", "E01900001,Greater Aldport");
    check_fails(d.path(), &["lgr_3ua_by_lsoa.csv", "row 1 (line 2) and row 433", "LSOA E01900001"]);
}

#[test]
fn lgr_rows_outside_the_study_are_counted_in_check() {
    let d = demo_copy();
    append(d.path(), "lgr_options_by_lad.csv", "2UA,Eastwick and Southam,E06000037,West Berkshire,whole");
    let (out, _) = check_ok(d.path());
    let l = out.lines().find(|l| l.contains("LGR 2UA")).unwrap();
    assert!(l.contains("6 rows") && l.contains("outside      1"), "{out}");
}

#[test]
fn lgr_option_missing_a_district_names_the_rows_elsewhere() {
    let d = demo_copy();
    edit(d.path(), "lgr_options_by_lad.csv", |t| t.replace("E07900005,Westerleigh", "E07900099,Westerleigh"));
    let (out, _) = check_ok(d.path());
    assert!(out.contains("LGR option 2UA: 67 study-area LSOA(s) have no unit"), "{out}");
    assert!(out.contains("1 row(s) of the option name codes outside the study area"), "{out}");
}

#[test]
fn lookup_rows_are_counted_and_missing_lsoas_warned() {
    let d = demo_copy();
    edit(d.path(), "lookup.csv", |t| {
        let mut l: Vec<&str> = t.lines().collect();
        l.remove(1);
        l.join("\n") + "\nX,E01999999,w,W1,l,L1\n"
    });
    let (out, _) = check_ok(d.path());
    let l = out.lines().find(|l| l.trim_start().starts_with("lookup")).unwrap();
    assert!(l.contains("missing     1") && l.contains("unknown      1"), "{out}");
    assert!(out.contains("lookup: 1 study-area LSOA(s) have no row, so no ward (e.g. E01900001)"), "{out}");
}

#[test]
fn duplicate_layer_row_names_both_rows() {
    let d = demo_copy();
    edit(d.path(), "scenario.toml", |t| {
        t.replace("[build]", "[[layers]]\nname = \"ward\"\npath = \"lookup.csv\"\nunit = \"ward24_code\"\n\n[build]")
    });
    let first = line(d.path(), "lookup.csv", 1);
    fs::write(d.path().join("lookup2.csv"), fs::read_to_string(d.path().join("lookup.csv")).unwrap() + &first + "\n")
        .unwrap();
    edit(d.path(), "scenario.toml", |t| t.replace("path = \"lookup.csv\"\nunit", "path = \"lookup2.csv\"\nunit"));
    check_fails(d.path(), &["lookup2.csv", "row 1 (line 2) and row 433", "duplicate LSOA code E01900001"]);
}

#[test]
fn duplicate_matrix_pair_names_both_rows() {
    let d = demo_copy();
    district_set(d.path());
    fs::write(
        d.path().join("tt.csv"),
        "lsoa_code,practice_code,minutes\nE01900001,D81001,5\nE01900002,D81001,6\nE01900001,D81001,7\n",
    )
    .unwrap();
    fails(d.path(), &score_args(&["--matrix", "tt.csv"]), &["tt.csv", "row 1 (line 2) and row 3 (line 4)", "twice"]);
}

#[test]
fn duplicate_lock_names_both_rows() {
    let d = demo_copy();
    fs::write(d.path().join("locks.csv"), "lsoa_code,footprint\nE01900001,A\nE01900001,B\n").unwrap();
    fails(
        d.path(),
        &["build", "-s", "scenario.toml", "-o", "out", "--locks", "locks.csv"],
        &["locks.csv", "row 1 (line 2) and row 2 (line 3)", "listed twice"],
    );
}

#[test]
fn duplicate_hub_names_both_rows() {
    let d = demo_copy();
    district_set(d.path());
    fs::write(d.path().join("hubs.csv"), "footprint,practice_code\nAldport,D81001\nAldport,D81002\n").unwrap();
    fails(d.path(), &score_args(&["--hubs", "hubs.csv"]), &["hubs.csv", "row 1 (line 2) and row 2", "two hubs"]);
}

#[test]
fn lsoa_twice_in_a_footprint_set_names_both_rows() {
    let d = demo_copy();
    district_set(d.path());
    let first = line(d.path(), "fp.csv", 1);
    append(d.path(), "fp.csv", &first);
    fails(d.path(), &score_args(&[]), &["fp.csv", "row 1 (line 2) and row 433", "assigned twice"]);
}

#[test]
fn duplicate_candidate_site_names_both_rows() {
    let d = demo_copy();
    fs::write(d.path().join("c.csv"), "code,name,easting,northing\nS1,a,442185,270857\nS1,b,446024,268813\n").unwrap();
    fails(
        d.path(),
        &["site", "-s", "scenario.toml", "-o", "out", "--candidates", "c.csv", "--k", "1"],
        &["c.csv", "row 1 (line 2) and row 2 (line 3)", "site code S1 appears twice"],
    );
}

// ---------------------------------------------------------------- 4. missing data scored as perfect

#[test]
fn without_practices_pcn_metrics_are_na_in_text_csv_and_json() {
    let d = demo_copy();
    without_practices(d.path());
    district_set(d.path());
    let (ok, out, err) = run(d.path(), &score_args(&["--out", "sc"]));
    assert!(ok, "{err}");
    for label in
        ["PCN population in its main footprint, % | n/a", "PCNs split | n/a", "footprints with no practice | n/a"]
    {
        assert!(out.contains(label), "{label}: {out}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.path().join("sc/scores.json")).unwrap()).unwrap();
    let m = &json["metrics"];
    assert!(m["pcn.split"]["value"].is_null() && m["pcn.split"]["not_applicable"].is_string(), "{m}");
    let csv = fs::read_to_string(d.path().join("sc/scores.csv")).unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(row.contains(",n/a,n/a,"), "{row}");
}

#[test]
fn without_practices_compare_says_na() {
    let d = demo_copy();
    without_practices(d.path());
    district_set(d.path());
    let (ok, out, err) = run(d.path(), &["compare", "-s", "scenario.toml", "fp.csv", "fp.csv"]);
    assert!(ok, "{err}");
    assert!(out.contains("| PCNs split | n/a | n/a |"), "{out}");
}

#[test]
fn without_practices_build_summary_says_na() {
    let d = demo_copy();
    without_practices(d.path());
    let (ok, out, err) =
        run(d.path(), &["build", "-s", "scenario.toml", "-o", "out", "--options", "1", "--steps", "2"]);
    assert!(ok, "{err}");
    assert!(out.contains("| option-1 | 14 | 3 | n/a | n/a |"), "{out}");
    let run_json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(d.path().join("out/option-1/run.json")).unwrap()).unwrap();
    assert!(run_json["metrics"]["pcns_split"].is_null(), "{}", run_json["metrics"]);
}

#[test]
fn partial_matrix_says_how_many_lsoas_are_missing_and_never_inf() {
    let d = demo_copy();
    district_set(d.path());
    let mut tt = String::from("lsoa_code,practice_code,minutes\n");
    for l in fs::read_to_string(d.path().join("population.csv")).unwrap().lines().skip(1).take(100) {
        tt.push_str(&format!("{},D81001,12.5\n", l.split(',').next().unwrap()));
    }
    fs::write(d.path().join("tt.csv"), tt).unwrap();
    let (ok, out, err) = run(d.path(), &score_args(&["--matrix", "tt.csv", "--out", "sc"]));
    assert!(ok, "{err}");
    assert!(out.contains("mean travel time to nearest practice, min | n/a"), "{out}");
    assert!(out.contains("reaches no practice from 332 of 432 LSOAs"), "{out}");
    for f in ["scores.csv", "scores.json", "summary.md"] {
        let t = fs::read_to_string(d.path().join("sc").join(f)).unwrap();
        assert!(!t.contains("inf"), "{f}: {t}");
    }
}

#[test]
fn geojson_column_that_does_not_exist_lists_the_properties() {
    let d = demo_copy();
    let (ok, _, err) = run(d.path(), &["build", "-s", "scenario.toml", "-o", "out", "--options", "1", "--steps", "2"]);
    assert!(ok, "{err}");
    fails(
        d.path(),
        &["score", "-s", "scenario.toml", "-f", "out/option-1/footprints.geojson", "--column", "NOPE"],
        &["footprints.geojson", "no property named \"NOPE\"", "properties found", "name"],
    );
}

#[test]
fn geojson_feature_without_a_name_is_an_error() {
    let d = demo_copy();
    let (ok, _, err) = run(d.path(), &["build", "-s", "scenario.toml", "-o", "out", "--options", "1", "--steps", "2"]);
    assert!(ok, "{err}");
    let p = d.path().join("out/option-1/footprints.geojson");
    let mut gj: serde_json::Value = serde_json::from_str(&fs::read_to_string(&p).unwrap()).unwrap();
    gj["features"][0]["properties"]["name"] = serde_json::Value::String(String::new());
    fs::write(&p, gj.to_string()).unwrap();
    fails(
        d.path(),
        &["score", "-s", "scenario.toml", "-f", "out/option-1/footprints.geojson"],
        &["footprints.geojson", "feature 1", "no footprint name"],
    );
}

#[test]
fn non_contiguous_footprints_are_warned_about() {
    let d = demo_copy();
    district_set(d.path());
    // Give every other LSOA of Aldport to Westerleigh: both come out in pieces.
    edit(d.path(), "fp.csv", |t| {
        t.lines()
            .enumerate()
            .map(
                |(i, l)| {
                    if i % 2 == 0 && l.ends_with(",Aldport") {
                        l.replace(",Aldport", ",Westerleigh")
                    } else {
                        l.into()
                    }
                },
            )
            .collect::<Vec<_>>()
            .join("\n")
            + "\n"
    });
    let (ok, out, err) = run(d.path(), &score_args(&[]));
    assert!(ok, "{err}");
    assert!(err.contains("warning: fp:") && err.contains("not contiguous") && err.contains("Aldport"), "{err}");
    assert!(out.contains("footprints in more than one piece"), "{out}");
}

// ---------------------------------------------------------------- 7. messages a person can act on

#[test]
fn map_to_an_unwritable_path_says_the_path_and_the_os_error_in_words() {
    let d = demo_copy();
    let err = fails(d.path(), &["map", "-s", "scenario.toml", "-o", "/proc/x.png"], &["cannot write /proc/x.png"]);
    assert!(!err.contains("ImageError") && !err.contains("Os {"), "{err}");
    assert!(err.contains("No such file or directory") || err.contains("ermission"), "{err}");
}

#[test]
fn missing_file_from_the_command_line_says_so() {
    let d = demo_copy();
    let err = fails(
        d.path(),
        &["score", "-s", "scenario.toml", "-f", "nosuch.csv"],
        &["nosuch.csv", "cannot open file", "given with --footprints"],
    );
    assert!(!err.contains("in the scenario"), "{err}");
}

#[test]
fn missing_matrix_from_the_command_line_says_so() {
    let d = demo_copy();
    district_set(d.path());
    fails(d.path(), &score_args(&["--matrix", "nosuch.csv"]), &["nosuch.csv", "given with --matrix"]);
}

#[test]
fn missing_file_from_the_scenario_names_the_scenario() {
    let d = demo_copy();
    edit(d.path(), "scenario.toml", |t| t.replace("path = \"population.csv\"", "path = \"nosuch.csv\""));
    check_fails(d.path(), &["nosuch.csv", "cannot open file", "population path in the scenario scenario.toml"]);
}

#[test]
fn missing_locks_from_the_scenario_name_the_key() {
    let d = demo_copy();
    append(d.path(), "scenario.toml", "locks = \"nosuch.csv\"");
    fails(d.path(), &["build", "-s", "scenario.toml", "-o", "out"], &["nosuch.csv", "build.locks in the scenario"]);
}

#[test]
fn header_only_population_is_not_called_lsoa_2011() {
    let d = demo_copy();
    fs::write(d.path().join("population.csv"), "lsoa21_code,total_residents\n").unwrap();
    let err = check_fails(d.path(), &["population.csv", "header but no data rows"]);
    assert!(!err.contains("2011"), "{err}");
}

/// Found by the long fuzz run: a header-only LGR table made its options vanish and `check` passed.
#[test]
fn header_only_lgr_table_is_an_error_not_a_missing_option() {
    let d = demo_copy();
    let head = fs::read_to_string(d.path().join("lgr_options_by_lad.csv")).unwrap().lines().next().unwrap().to_string();
    fs::write(d.path().join("lgr_options_by_lad.csv"), head + "\n").unwrap();
    check_fails(d.path(), &["lgr_options_by_lad.csv", "header but no data rows", "[[lgr]]"]);
}

#[test]
fn windows_1252_file_is_read_with_a_warning() {
    let d = demo_copy();
    let t = fs::read_to_string(d.path().join("lookup.csv")).unwrap().replacen("Stanwell", "St\u{e4}nwell", 1);
    let bytes: Vec<u8> = t.chars().map(|c| if c == '\u{e4}' { 0xE4 } else { c as u8 }).collect();
    fs::write(d.path().join("lookup.csv"), bytes).unwrap();
    let (out, _) = check_ok(d.path());
    assert!(out.contains("lookup.csv: read as Windows-1252 (not UTF-8)"), "{out}");
}

#[test]
fn utf16_file_is_read() {
    let d = demo_copy();
    let t = fs::read_to_string(d.path().join("population.csv")).unwrap();
    let mut bytes = vec![0xFF, 0xFE];
    bytes.extend(t.encode_utf16().flat_map(|u| u.to_le_bytes()));
    fs::write(d.path().join("population.csv"), bytes).unwrap();
    let (out, _) = check_ok(d.path());
    assert!(out.contains("population 682,114") && out.contains("read as UTF-16"), "{out}");
}

#[test]
fn binary_file_names_the_line_and_how_to_resave() {
    let d = demo_copy();
    fs::write(d.path().join("population.csv"), b"lsoa21_code,total_residents\nE01900001,\x00\x01\xff\n").unwrap();
    check_fails(d.path(), &["population.csv", "line 2", "not UTF-8", "save it as \"CSV UTF-8\""]);
}

#[test]
fn mixed_encodings_are_refused() {
    let d = demo_copy();
    let mut bytes = "lsoa21_code,total_residents\nE01900001,1548 – \n".as_bytes().to_vec();
    bytes.extend(b"E01900002,1113\xe9\n");
    fs::write(d.path().join("population.csv"), bytes).unwrap();
    check_fails(d.path(), &["population.csv", "line 3", "UTF-8 text earlier in the file"]);
}

#[test]
fn scenario_that_is_not_utf8_says_to_save_it_as_utf8() {
    let d = demo_copy();
    let mut t = fs::read(d.path().join("scenario.toml")).unwrap();
    t.extend(b"# caf\xe9\n");
    fs::write(d.path().join("scenario.toml"), t).unwrap();
    check_fails(d.path(), &["scenario.toml", "cannot read scenario", "save it as UTF-8"]);
}

#[test]
fn missing_scenario_says_it_came_from_the_command_line() {
    let d = demo_copy();
    fails(d.path(), &["check", "--scenario", "nosuch.toml"], &["nosuch.toml", "given with --scenario"]);
}

// ---------------------------------------------------------------- real data

#[test]
#[ignore = "needs real data in ../shared/data"]
fn real_census_and_iod_files_pass_the_value_checks() {
    let pop =
        fs::read_to_string(shared_data().join("england/population/census2021_usual_residents_lsoa21_ew.csv")).unwrap();
    let max = pop.lines().skip(1).filter_map(|l| l.rsplit(',').next()?.trim_matches('"').parse::<u64>().ok()).max();
    assert_eq!(max, Some(9_899), "largest LSOA 2021 population; the bound of 20,000 is about twice it");
    let d = tempfile::tempdir().unwrap();
    let s = real_scenario("oxfordshire.toml", d.path());
    let (ok, out, err) = run(d.path(), &["check", "--scenario", s.to_str().unwrap()]);
    assert!(ok, "{err}");
    assert!(out.contains("LGR 2UA             6 rows") && out.contains("outside      1"), "{out}");
}
