//! Standard output for every subcommand: one locked handle, written with `write!`/`writeln!`, so a
//! closed pipe (`footprints check ... | head -1`) comes back as an `io::Error` of kind `BrokenPipe`
//! that `main` turns into exit status 0, instead of the panic `print!` raises.
//!
//! ```ignore
//! let mut out = out::stdout();
//! writeln!(out, "{} footprints", n)?;
//! out.flush()?; // or out::print(&text)?, which flushes
//! ```

use std::io::{self, Write};

/// Locked standard output. Flush it (or use [`print`]) before returning, so a write error at the
/// end reaches the caller instead of being dropped silently.
pub fn stdout() -> io::StdoutLock<'static> {
    io::stdout().lock()
}

/// Write `text` to standard output as is and flush.
pub fn print(text: &str) -> io::Result<()> {
    let mut out = stdout();
    out.write_all(text.as_bytes())?;
    out.flush()
}

/// A line for the person at the terminal (what was written, warnings, errors) on standard error.
/// Unlike `eprintln!`, a closed or full stderr (`footprints ... 2>&-`) is ignored rather than a
/// panic: the outputs are already written and the exit status still tells.
pub fn note(args: std::fmt::Arguments<'_>) {
    let mut err = io::stderr().lock();
    let _ = err.write_fmt(args);
    let _ = err.write_all(b"\n");
}
