//! The editor's HTTP server (tiny_http): one thread takes requests in turn, so two tabs' edits and
//! saves never interleave. Routes: the page and its scripts (compiled into the binary), and a small
//! JSON API under `/api/` that parses each request into a [`Session`] call. A malformed request
//! gets a 4xx with a message and changes nothing. When bound to a loopback address the server only
//! answers requests addressed to that host (so a web page elsewhere cannot reach it through DNS
//! rebinding), and POSTs must be JSON (so another site's form cannot post to it).

use super::assets;
use super::save::save;
use super::session::{Edit, Session, Snapshot, MAX_NAME};
use super::view::{compare_json, state_json, study_json, Outlines};
use serde::Deserialize;
use serde_json::json;
use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tiny_http::{Header, Method, Request, Response, Server};

/// Largest request body accepted (an opened lookup CSV or GeoJSON), bytes.
pub const MAX_BODY: usize = 64 << 20;
/// Largest declared body that is answered "too large" (see [`read_body`]), bytes.
const DRAIN_LIMIT: usize = 1 << 30;
/// How long a request body may take to arrive before the editor stops waiting for it.
pub const BODY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A running editor: the session, where saves go, and the listening socket.
pub struct Editor {
    session: Session,
    outlines: Outlines,
    out: PathBuf,
    server: Arc<Server>,
    addr: SocketAddr,
    loopback: bool,
    study: Option<String>,
}

/// An HTTP answer: status, content type, body.
struct Reply(u16, &'static str, Vec<u8>);

impl Reply {
    fn json(body: String) -> Reply {
        Reply(200, "application/json", body.into_bytes())
    }

    fn error(status: u16, msg: impl std::fmt::Display) -> Reply {
        Reply(status, "application/json", json!({ "error": msg.to_string() }).to_string().into_bytes())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LockReq {
    footprint: String,
    locked: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionReq {
    name: String,
    #[serde(default)]
    from_start: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SwitchReq {
    name: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RebuildReq {
    seed: Option<u64>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenReq {
    /// File name as the user picked it (its extension says CSV or GeoJSON).
    filename: String,
    content: String,
}

impl Editor {
    /// Bind `addr` (port 0 picks a free port) for `session`; saves go under `out`.
    pub fn bind(session: Session, out: PathBuf, addr: SocketAddr) -> crate::error::Result<Editor> {
        let server = Server::http(addr).map_err(|e| {
            crate::error::Error::infeasible(
                format!("cannot listen on {addr}: {e}"),
                "choose another port with --port (0 picks a free one)",
            )
        })?;
        let addr = server.server_addr().to_ip().unwrap_or(addr);
        let loopback = addr.ip().is_loopback();
        Ok(Editor {
            session,
            outlines: Outlines::default(),
            out,
            server: Arc::new(server),
            addr,
            loopback,
            study: None,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Answer requests until `stop` is set (Ctrl-C); a handler can call [`Editor::stopper`]'s
    /// closure to wake the server.
    pub fn run(mut self, stop: &AtomicBool) {
        while !stop.load(Ordering::SeqCst) {
            let Ok(Some(req)) = self.server.recv_timeout(std::time::Duration::from_millis(250)) else {
                continue;
            };
            if let Some((req, reply)) = self.answer(req) {
                respond(req, reply);
            }
        }
    }

    /// A closure that wakes a blocked server (for the Ctrl-C handler).
    pub fn stopper(&self) -> impl Fn() + Send + 'static {
        let s = Arc::clone(&self.server);
        move || s.unblock()
    }

    fn host_ok(&self, req: &Request) -> bool {
        if !self.loopback {
            return true;
        }
        let host = req.headers().iter().find(|h| h.field.equiv("Host")).map(|h| h.value.as_str().to_string());
        let port = self.addr.port();
        host.is_none_or(|h| {
            [format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")].contains(&h)
        })
    }

    /// The reply to `req`; None when its body did not arrive in time (it is answered 408 then).
    fn answer(&mut self, req: Request) -> Option<(Request, Reply)> {
        let reply = match self.check(&req) {
            Err(reply) => reply,
            Ok(Method::Get) => {
                let path = req.url().split('?').next().unwrap_or("/").to_string();
                self.get(&path)
            }
            Ok(_) => {
                let (req, body) = read_body(req)?;
                let reply = match body {
                    Err(reply) => reply,
                    Ok(body) => match self.stale_tab(req.url()) {
                        Some(stale) => stale,
                        None => self.post(req.url().split('?').next().unwrap_or("/"), &body),
                    },
                };
                return Some((req, reply));
            }
        };
        Some((req, reply))
    }

    /// A request the editor answers (its own host; GET, or POST of JSON): its method, or the refusal.
    fn check(&self, req: &Request) -> Result<Method, Reply> {
        if !self.host_ok(req) {
            return Err(Reply::error(403, "this editor only answers requests to its own local address"));
        }
        let method = req.method().clone();
        if method == Method::Get {
            return Ok(method);
        }
        if method != Method::Post {
            return Err(Reply::error(405, format!("{method} is not supported: use GET or POST")));
        }
        let is_json = req
            .headers()
            .iter()
            .any(|h| h.field.equiv("Content-Type") && h.value.as_str().starts_with("application/json"));
        if !is_json {
            return Err(Reply::error(415, "POST bodies must be JSON (Content-Type: application/json)"));
        }
        Ok(method)
    }

    /// The page sends `?version=NAME` with every POST: the version it shows. When another tab has
    /// switched the editor to another version since, the edit is refused rather than applied to a
    /// version this tab does not show.
    fn stale_tab(&self, url: &str) -> Option<Reply> {
        let query = url.split_once('?')?.1;
        let shown = query.split('&').find_map(|kv| kv.strip_prefix("version="))?;
        let shown = percent_decode(shown);
        let current = &self.session.version().name;
        (&shown != current).then(|| {
            Reply::error(
                409,
                format!("this page shows version \"{shown}\" but another tab switched the editor to \"{current}\": reload the page"),
            )
        })
    }

    fn get(&mut self, path: &str) -> Reply {
        if let Some((ctype, bytes)) = assets::get(path) {
            return Reply(200, ctype, bytes.to_vec());
        }
        match path {
            "/api/study" => {
                if self.study.is_none() {
                    match study_json(&self.session, &mut self.outlines) {
                        Ok(s) => self.study = Some(s),
                        Err(e) => return Reply::error(500, e),
                    }
                }
                Reply::json(self.study.clone().unwrap_or_default())
            }
            "/api/state" => self.state(&[]),
            "/api/compare" => Reply::json(compare_json(&self.session).to_string()),
            _ => Reply::error(404, format!("no page {path}")),
        }
    }

    fn state(&mut self, warnings: &[String]) -> Reply {
        Reply::json(state_json(&self.session, &mut self.outlines, warnings))
    }

    fn post(&mut self, path: &str, body: &[u8]) -> Reply {
        fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Reply> {
            serde_json::from_slice(body).map_err(|e| Reply::error(400, format!("malformed request: {e}")))
        }
        let s = &mut self.session;
        let done: Result<Vec<String>, Reply> = match path {
            "/api/edit" => {
                parse::<Edit>(body).and_then(|e| s.apply(&e).map_err(|e| Reply::error(400, e))).map(|_| vec![])
            }
            "/api/undo" => Ok(if s.undo() { vec![] } else { vec!["nothing to undo".into()] }),
            "/api/redo" => Ok(if s.redo() { vec![] } else { vec!["nothing to redo".into()] }),
            "/api/lock" => parse::<LockReq>(body)
                .and_then(|r| s.lock(&r.footprint, r.locked).map_err(|e| Reply::error(400, e)))
                .map(|_| vec![]),
            "/api/version" => parse::<VersionReq>(body)
                .and_then(|r| s.new_version(&r.name, r.from_start).map_err(|e| Reply::error(400, e)))
                .map(|_| vec![]),
            "/api/switch" => parse::<SwitchReq>(body)
                .and_then(|r| s.switch(&r.name).map_err(|e| Reply::error(400, e)))
                .map(|_| vec![]),
            "/api/rebuild" => {
                let r = if body.iter().all(u8::is_ascii_whitespace) { Ok(RebuildReq::default()) } else { parse(body) };
                r.and_then(|r: RebuildReq| s.rebuild(r.seed).map_err(|e| Reply::error(409, with_causes(&e))))
            }
            "/api/open" => parse::<OpenReq>(body).and_then(|r| open(s, &r).map_err(|e| Reply::error(400, e))),
            "/api/save" => {
                return match save(s, &self.out) {
                    Ok((dir, files)) => {
                        Reply::json(json!({"saved": dir.display().to_string(), "files": files}).to_string())
                    }
                    Err(e) => Reply::error(500, with_causes(&e)),
                }
            }
            _ => Err(Reply::error(404, format!("no action {path}"))),
        };
        match done {
            Ok(warnings) => self.state(&warnings),
            Err(r) => r,
        }
    }
}

/// Send `reply` to `req` (never cached).
fn respond(req: Request, Reply(status, ctype, body): Reply) {
    let mut resp = Response::from_data(body).with_status_code(status);
    // Both headers are constants of this file, so they always parse; the server thread never panics.
    for (field, value) in [("Content-Type", ctype), ("Cache-Control", "no-store")] {
        if let Ok(h) = Header::from_bytes(field, value) {
            resp = resp.with_header(h);
        }
    }
    // A browser that went away mid-answer is not the server's problem.
    let _ = req.respond(resp);
}

fn too_large() -> Reply {
    Reply::error(413, format!("request body larger than {} MB", MAX_BODY >> 20))
}

/// Read a POST body on a helper thread, so that a client which declares a body and does not send
/// it cannot stall the single server thread: after [`BODY_TIMEOUT`] the editor moves on (None) and
/// the helper answers 408 once the body ends or the client goes. A declared length over
/// [`MAX_BODY`] is refused unread, also on a helper thread: tiny_http drains an unread body when
/// the request is dropped (into one buffer of the declared size), which must neither block the
/// editor nor, for an absurd length, abort it on a failed allocation (such a request is left
/// unanswered).
fn read_body(mut req: Request) -> Option<(Request, Result<Vec<u8>, Reply>)> {
    if let Some(n) = req.body_length().filter(|&n| n > MAX_BODY) {
        if n <= DRAIN_LIMIT {
            std::thread::spawn(move || respond(req, too_large()));
        } else {
            std::mem::forget(req);
        }
        return None;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut body = Vec::new();
        let read = req.as_reader().take(MAX_BODY as u64 + 1).read_to_end(&mut body).map(|_| body);
        if let Err(std::sync::mpsc::SendError((req, _))) = tx.send((req, read)) {
            respond(req, Reply::error(408, "the request body did not arrive in time"));
        }
    });
    let (req, read) = rx.recv_timeout(BODY_TIMEOUT).ok()?;
    let body = match read {
        Ok(body) if body.len() > MAX_BODY => Err(too_large()),
        Ok(body) => Ok(body),
        Err(e) => Err(Reply::error(400, format!("cannot read the request body: {e}"))),
    };
    Some((req, body))
}

/// Read an uploaded lookup CSV or footprints GeoJSON through `score`'s readers (from a temporary
/// file with the upload's extension) into a new version named after the file.
fn open(s: &mut Session, r: &OpenReq) -> crate::error::Result<Vec<String>> {
    if r.filename.trim().is_empty() {
        return Err(crate::error::Error::request("no file name given: open a lookup CSV or a footprints GeoJSON"));
    }
    let name = std::path::Path::new(&r.filename);
    let ext = name.extension().and_then(|e| e.to_str()).unwrap_or("csv").to_ascii_lowercase();
    if !["csv", "geojson", "json"].contains(&ext.as_str()) {
        return Err(crate::error::Error::request(format!(
            "\"{}\" is not a lookup CSV or a footprints GeoJSON (.csv, .geojson)",
            r.filename
        )));
    }
    let dir = tempfile_dir()?;
    let path = dir.join(format!("upload.{ext}"));
    std::fs::write(&path, &r.content).map_err(|e| crate::error::Error::write(&path, e))?;
    let read = crate::score::FootprintSet::read(&s.p, &path, None);
    let _ = std::fs::remove_dir_all(&dir);
    let set = read.map_err(|e| {
        crate::error::Error::request(format!("{}: {e}", r.filename).replace(&path.display().to_string(), &r.filename))
    })?;
    let stem = version_name_of(name.file_stem().and_then(|s| s.to_str()).unwrap_or_default());
    let mut vname = stem.clone();
    let mut k = 2;
    while s.versions.iter().any(|v| v.name == vname) {
        vname = format!("{stem}-{k}");
        k += 1;
    }
    s.new_version(&vname, true)?;
    s.replace(Snapshot::from_set(&set))?;
    Ok(vec![format!("opened {} as version \"{vname}\"", r.filename)])
}

/// A version name made from an opened file's name: characters a version (folder) name may not
/// hold become `-`, leading dots, dashes and spaces go, and it is cut to leave room for a `-N` suffix;
/// "opened" when nothing is left.
fn version_name_of(stem: &str) -> String {
    let bad = |c: char| c.is_control() || ['/', '\\', '<', '>', ':', '"', '|', '?', '*'].contains(&c);
    let clean: String = stem.chars().map(|c| if bad(c) { '-' } else { c }).collect();
    let clean: String = clean.trim_start_matches(['.', ' ', '-']).chars().take(MAX_NAME - 4).collect();
    let clean = clean.trim().to_string();
    if clean.is_empty() {
        "opened".to_string()
    } else {
        clean
    }
}

/// An error's message followed by its causes (`cannot write X: Permission denied`).
fn with_causes(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let c_msg = c.to_string();
        if !msg.contains(&c_msg) {
            msg = format!("{msg}: {c_msg}");
        }
        cause = c.source();
    }
    msg
}

/// A private temporary folder for one upload.
fn tempfile_dir() -> crate::error::Result<PathBuf> {
    use std::sync::atomic::AtomicU64;
    static N: AtomicU64 = AtomicU64::new(0);
    let d = std::env::temp_dir().join(format!(
        "footprints-serve-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    ));
    std::fs::create_dir_all(&d).map_err(|e| crate::error::Error::write(&d, e))?;
    Ok(d)
}

/// Decode a percent-encoded query value (`+` is a space); invalid escapes are kept as they are.
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let escaped = (b[i] == b'%' && i + 2 < b.len()).then(|| hex(b[i + 1]).zip(hex(b[i + 2]))).flatten();
        match (escaped, b[i]) {
            (Some((h, l)), _) => {
                out.push(h * 16 + l);
                i += 3;
                continue;
            }
            (None, b'+') => out.push(b' '),
            (None, c) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
