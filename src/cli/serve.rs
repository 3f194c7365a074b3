//! `footprints serve`: the workshop editor on a local web server.

use super::out;
use clap::Args;
use footprints::error::from_flag;
use footprints::serve::{Editor, Session, Snapshot};
use footprints::Prepared;
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Arguments of `serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Scenario TOML file.
    #[arg(long, short)]
    pub scenario: PathBuf,
    /// Starting footprints: lookup.csv, footprints.geojson or an option folder (default: one
    /// footprint per district).
    #[arg(long, short)]
    pub footprints: Option<PathBuf>,
    /// Column of the lookup CSV (or GeoJSON property) holding the footprint name.
    #[arg(long)]
    pub column: Option<String>,
    /// Folder that saved versions go into (one sub-folder per version).
    #[arg(long, short, default_value = "out/editor")]
    pub out: PathBuf,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8765)]
    pub port: u16,
    /// Address to listen on. The default answers this machine only; 0.0.0.0 opens the editor to
    /// the network.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
}

/// Validated `serve` configuration.
#[derive(Debug)]
pub struct ServeConfig {
    args: ServeArgs,
}

impl ServeArgs {
    /// Every port and address parses already; nothing further to range-check.
    pub fn validate(&self) -> anyhow::Result<ServeConfig> {
        Ok(ServeConfig {
            args: ServeArgs {
                scenario: self.scenario.clone(),
                footprints: self.footprints.clone(),
                column: self.column.clone(),
                out: self.out.clone(),
                port: self.port,
                bind: self.bind,
            },
        })
    }
}

/// Run `serve` until Ctrl-C.
pub fn run(c: &ServeConfig) -> anyhow::Result<()> {
    let a = &c.args;
    // Saves must be possible before anyone spends a workshop editing.
    std::fs::create_dir_all(&a.out).map_err(|e| footprints::Error::write(&a.out, e))?;
    footprints::io::write::check_writable(&a.out.join("lookup.csv"))?;
    let p = Prepared::load(&a.scenario)?;
    let (start, source) = match &a.footprints {
        Some(f) => {
            let set = footprints::score::FootprintSet::read(&p, f, a.column.as_deref())
                .map_err(|e| e.path_from(from_flag("--footprints")))?;
            (Snapshot::from_set(&set), f.display().to_string())
        }
        None => (Session::district_start(&p), "one footprint per district".to_string()),
    };
    let session = Session::new(p, start, source)?;
    let editor = Editor::bind(session, a.out.clone(), SocketAddr::new(a.bind, a.port))?;
    let addr = editor.addr();
    let stop = Arc::new(AtomicBool::new(false));
    let (flag, wake) = (Arc::clone(&stop), editor.stopper());
    ctrlc::set_handler(move || {
        flag.store(true, Ordering::SeqCst);
        wake();
    })?;
    let host = if addr.ip().is_loopback() { format!("127.0.0.1:{}", addr.port()) } else { addr.to_string() };
    let mut o = out::stdout();
    writeln!(o, "footprints editor: http://{host}/  (saves go to {}; Ctrl-C stops)", a.out.display())?;
    o.flush()?;
    drop(o);
    if !addr.ip().is_loopback() {
        out::note(format_args!("warning: listening on {addr}: other machines on the network can open and edit"));
    }
    editor.run(&stop);
    out::note(format_args!("footprints editor stopped"));
    Ok(())
}
