//! Test helpers: run the real binary in a temporary directory; locate the shared real data.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Path of the built binary.
pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_footprints"))
}

/// Repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Run the binary with args in `dir`.
pub fn run_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin()).args(args).current_dir(dir).output().expect("binary runs")
}

/// stdout + stderr as text.
pub fn text(o: &Output) -> (String, String) {
    (String::from_utf8_lossy(&o.stdout).into_owned(), String::from_utf8_lossy(&o.stderr).into_owned())
}

/// Copy the demo data into a fresh temp dir and return it.
pub fn demo_copy() -> tempfile::TempDir {
    let d = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(root().join("data/demo")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), d.path().join(e.file_name())).unwrap();
    }
    d
}

/// The shared real data folder: $FOOTPRINTS_SHARED_DATA or ../shared/data beside the repo.
pub fn shared_data() -> PathBuf {
    std::env::var_os("FOOTPRINTS_SHARED_DATA").map(PathBuf::from).unwrap_or_else(|| root().join("../shared/data"))
}

/// Write one of tests/scenarios/*.toml into `dir` with its data paths pointing at `shared_data()`.
pub fn real_scenario(name: &str, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(root().join("tests/scenarios").join(name)).unwrap();
    let data = std::fs::canonicalize(shared_data()).expect("real data folder exists");
    let text = text.replace("../../../shared/data", &data.display().to_string().replace('\\', "/"));
    let out = dir.join(name);
    std::fs::write(&out, text).unwrap();
    out
}

/// The naming rule as a user checks it (README › Footprint names): every SNP's name contains the
/// name of its largest town or city (with at least `TOWN_PIECE_MIN` people in it); an SNP named
/// after a village group holds no such town; names are unique. Returns the number of SNPs checked.
pub fn assert_names_follow_places(p: &footprints::Prepared, b: &footprints::build::Built) -> usize {
    use footprints::build::TOWN_PIECE_MIN;
    use std::collections::BTreeMap;
    let mut pieces: Vec<BTreeMap<(String, bool), u64>> = vec![BTreeMap::new(); b.plan.n_snp()];
    for (i, a) in p.study.areas.iter().enumerate() {
        let pl = p.study.place(i).expect("every LSOA has a place");
        *pieces[b.plan.snp_of[i]].entry((pl.name.clone(), pl.kind.is_town())).or_default() += a.pop;
    }
    for (s, m) in pieces.iter().enumerate() {
        let name = &b.snp_names[s];
        let town = m
            .iter()
            .filter(|(k, &pop)| k.1 && pop as f64 >= TOWN_PIECE_MIN)
            .max_by_key(|(k, &pop)| (pop, std::cmp::Reverse(k.0.clone())));
        match town {
            Some(((t, _), pop)) => assert!(
                name.contains(t.as_str()),
                "{}: SNP \"{name}\" leaves out its largest town {t} ({pop} people): {m:?}",
                b.label
            ),
            None => assert!(
                m.keys().any(|k| name.contains(k.0.as_str())),
                "{}: SNP \"{name}\" names none of its places: {m:?}",
                b.label
            ),
        }
    }
    let unique: std::collections::BTreeSet<&String> = b.snp_names.iter().collect();
    assert_eq!(unique.len(), b.snp_names.len(), "{}: names repeat: {:?}", b.label, b.snp_names);
    pieces.len()
}

/// A built option or baseline as a footprint set for `score`.
pub fn set_of(b: &footprints::build::Built) -> footprints::score::FootprintSet {
    footprints::score::FootprintSet {
        label: b.label.clone(),
        footprint: b.plan.snp_of.iter().map(|&s| b.snp_names[s].clone()).collect(),
        mnp: Some(b.plan.snp_of.iter().map(|&s| b.mnp_names[b.plan.mnp_of_snp[s]].clone()).collect()),
    }
}

/// Flags for headless Chromium on this closed network (no background connections, no sandbox
/// as root, a new profile per run is the caller's).
pub const CHROMIUM_FLAGS: [&str; 8] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

/// A `footprints serve` process started on a free local port, stopped (SIGINT, then kill) when
/// dropped.
pub struct Editor {
    /// The child process.
    pub child: std::process::Child,
    /// Base URL, "http://127.0.0.1:PORT/".
    pub url: String,
    /// "127.0.0.1:PORT".
    pub host: String,
}

impl Editor {
    /// Start `footprints serve ARGS --port 0` in `dir` and wait for the URL it prints.
    pub fn start(dir: &Path, args: &[&str]) -> Editor {
        use std::io::BufRead;
        let mut child = Command::new(bin())
            .args(args)
            .args(["--port", "0"])
            .current_dir(dir)
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("serve starts");
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let url = line.split_whitespace().find(|w| w.starts_with("http://")).unwrap_or_else(|| {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("serve printed no URL: {line} {err}")
        });
        let host = url.trim_start_matches("http://").trim_end_matches('/').to_string();
        Editor { child, url: url.to_string(), host }
    }

    /// GET a path; (status, body).
    pub fn get(&self, path: &str) -> (u16, String) {
        http(&self.host, "GET", path, &[], "")
    }

    /// POST JSON to a path; (status, body).
    pub fn post(&self, path: &str, json: &str) -> (u16, String) {
        http(&self.host, "POST", path, &[("Content-Type", "application/json")], json)
    }

    /// POST JSON and parse the answer, asserting 200.
    pub fn ok(&self, path: &str, json: &str) -> serde_json::Value {
        let (status, body) = self.post(path, json);
        assert_eq!(status, 200, "POST {path} {json}: {body}");
        serde_json::from_str(&body).unwrap()
    }

    /// Send SIGINT (Ctrl-C) and wait for the exit status.
    pub fn interrupt(&mut self) -> std::process::ExitStatus {
        Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        for _ in 0..100 {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s;
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        panic!("serve did not stop within 5 s of Ctrl-C");
    }
}

impl Drop for Editor {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// One HTTP/1.1 request over a fresh connection (Connection: close); (status, body). Enough for
/// the editor's API; headers are given as (name, value).
pub fn http(host: &str, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> (u16, String) {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(host).expect("editor reachable");
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        if k.eq_ignore_ascii_case("Host") {
            req = req.replacen(&format!("Host: {host}"), &format!("Host: {v}"), 1);
        } else {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body.as_bytes()).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let split = out.windows(4).position(|w| w == b"\r\n\r\n").map_or(out.len(), |k| k + 4);
    let head = String::from_utf8_lossy(&out[..split]).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1).and_then(|c| c.parse().ok()).unwrap_or(0);
    let body = if head.contains("transfer-encoding: chunked") { unchunk(&out[split..]) } else { out[split..].to_vec() };
    (status, String::from_utf8(body).expect("UTF-8 body"))
}

/// Undo HTTP chunked transfer coding (on bytes: a chunk may end inside a character).
fn unchunk(mut s: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(k) = s.windows(2).position(|w| w == b"\r\n") {
        let n = usize::from_str_radix(String::from_utf8_lossy(&s[..k]).trim(), 16).unwrap_or(0);
        if n == 0 {
            break;
        }
        out.extend_from_slice(&s[k + 2..k + 2 + n]);
        s = &s[k + 2 + n + 2..];
    }
    out
}
