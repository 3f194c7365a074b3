//! The page and its scripts, compiled into the binary: the editor needs no network and no CDN.
//! Leaflet 1.9.4 is vendored from the npm registry (assets/vendor/README.md, BSD-2-Clause).

const INDEX: &str = include_str!("../../assets/serve/index.html");
const APP_JS: &str = include_str!("../../assets/serve/app.js");
const APP_CSS: &str = include_str!("../../assets/serve/app.css");
const LEAFLET_JS: &str = include_str!("../../assets/vendor/leaflet-1.9.4/leaflet.js");
const LEAFLET_CSS: &str = include_str!("../../assets/vendor/leaflet-1.9.4/leaflet.css");
const LEAFLET_LICENSE: &str = include_str!("../../assets/vendor/leaflet-1.9.4/LICENSE");

/// The content type and bytes served at `path`, if it is one of the page's files.
pub fn get(path: &str) -> Option<(&'static str, &'static [u8])> {
    let (ctype, body) = match path {
        "/" | "/index.html" => ("text/html; charset=utf-8", INDEX),
        "/app.js" => ("text/javascript; charset=utf-8", APP_JS),
        "/app.css" => ("text/css; charset=utf-8", APP_CSS),
        "/vendor/leaflet.js" => ("text/javascript; charset=utf-8", LEAFLET_JS),
        "/vendor/leaflet.css" => ("text/css; charset=utf-8", LEAFLET_CSS),
        "/vendor/LICENSE-leaflet.txt" => ("text/plain; charset=utf-8", LEAFLET_LICENSE),
        _ => return None,
    };
    Some((ctype, body.as_bytes()))
}
