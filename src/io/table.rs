//! CSV tables as published by ONS, MHCLG and NHS England: BOM, CRLF, quoted commas,
//! thousands separators and gzip are all handled; errors name the file, row and column.

use crate::error::{Error, Result};
use flate2::read::GzDecoder;
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

/// A CSV file read whole into memory, with its header.
#[derive(Debug, Clone)]
pub struct Table {
    /// Where it came from (for error messages).
    pub path: PathBuf,
    /// Column names (BOM and surrounding spaces removed).
    pub headers: Vec<String>,
    /// Data rows.
    pub rows: Vec<csv::StringRecord>,
}

/// Read a whole file as bytes, with a helpful error when it is missing.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    decompress(path, read_raw(path)?)
}

/// Read a whole file as stored (no decompression).
pub fn read_raw(path: &Path) -> Result<Vec<u8>> {
    let mut f = File::open(path).map_err(|e| {
        Error::input(path, format!("cannot open file: {e}"))
            .hint("check the path in the scenario; relative paths resolve from the scenario file's folder")
    })?;
    let mut buf = Vec::new();
    f.read_to_end(&mut buf).map_err(|e| Error::input(path, format!("cannot read file: {e}")))?;
    Ok(buf)
}

/// Gunzip a `.gz` file's bytes; other files are returned as they are.
fn decompress(path: &Path, mut buf: Vec<u8>) -> Result<Vec<u8>> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("gz")) {
        let mut out = Vec::new();
        GzDecoder::new(&buf[..])
            .read_to_end(&mut out)
            .map_err(|e| Error::input(path, format!("cannot decompress gzip: {e}")))?;
        buf = out;
    }
    Ok(buf)
}

impl Table {
    /// Read a CSV file (optionally `.gz`).
    pub fn read(path: &Path) -> Result<Table> {
        let bytes = read_bytes(path)?;
        Self::from_bytes(path, &bytes, true)
    }

    /// Parse a CSV file's bytes as stored (gunzipped first for `.gz`), e.g. bytes also hashed.
    pub fn from_raw(path: &Path, raw: Vec<u8>) -> Result<Table> {
        Self::from_bytes(path, &decompress(path, raw)?, true)
    }

    /// Read a CSV file that has no header row, naming columns `1`, `2`, ...
    pub fn read_headerless(path: &Path) -> Result<Table> {
        let bytes = read_bytes(path)?;
        Self::from_bytes(path, &bytes, false)
    }

    fn from_bytes(path: &Path, bytes: &[u8], has_header: bool) -> Result<Table> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(Error::input(path, "the file is empty").hint("expected a CSV file with a header row"));
        }
        let mut rdr = csv::ReaderBuilder::new().has_headers(has_header).flexible(true).from_reader(bytes);
        let mut headers: Vec<String> = if has_header {
            rdr.headers()
                .map_err(|e| Error::at(path, "header", format!("cannot parse CSV header: {e}")))?
                .iter()
                .map(|h| h.trim().trim_start_matches('\u{feff}').to_string())
                .collect()
        } else {
            Vec::new()
        };
        let mut rows = Vec::new();
        for (i, rec) in rdr.records().enumerate() {
            let line = if has_header { i + 2 } else { i + 1 };
            let rec = rec.map_err(|e| Error::at(path, format!("line {line}"), format!("cannot parse CSV: {e}")))?;
            if rec.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            rows.push(rec);
        }
        if !has_header {
            let n = rows.iter().map(|r| r.len()).max().unwrap_or(0);
            headers = (1..=n).map(|i| i.to_string()).collect();
        }
        Ok(Table { path: path.to_path_buf(), headers, rows })
    }

    /// Index of a column, or an error that lists the columns found.
    pub fn col(&self, name: &str) -> Result<usize> {
        self.find_col(name).ok_or_else(|| {
            Error::input(&self.path, format!("no column named \"{name}\"")).hint(format!(
                "columns found: {}; set the column name in the scenario",
                self.headers.iter().map(|h| format!("\"{h}\"")).collect::<Vec<_>>().join(", ")
            ))
        })
    }

    /// Index of a column if present (exact match first, then case-insensitive).
    pub fn find_col(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h == name)
            .or_else(|| self.headers.iter().position(|h| h.eq_ignore_ascii_case(name)))
    }

    /// The 1-based line number of data row `i` (header is line 1).
    pub fn line(&self, i: usize) -> String {
        format!("row {} (line {})", i + 1, i + 2)
    }

    /// A trimmed field (empty string if the row is short).
    pub fn get<'a>(&'a self, row: &'a csv::StringRecord, col: usize) -> &'a str {
        row.get(col).unwrap_or("").trim()
    }
}

/// Parse a count such as `1474`, `"29,199"` or `1 474`; rejects negatives and non-numbers.
pub fn parse_count(s: &str) -> Option<u64> {
    if let Ok(v) = s.trim().parse::<u64>() {
        return Some(v);
    }
    let cleaned: String = s.trim().chars().filter(|c| *c != ',' && *c != ' ' && *c != '_').collect();
    if cleaned.is_empty() {
        return None;
    }
    if let Ok(v) = cleaned.parse::<u64>() {
        return Some(v);
    }
    // Accept "1474.0" but not fractional counts.
    match cleaned.parse::<f64>() {
        Ok(f) if f >= 0.0 && f.fract() == 0.0 && f.is_finite() => Some(f as u64),
        _ => None,
    }
}

/// Parse a real number, accepting thousands separators.
pub fn parse_f64(s: &str) -> Option<f64> {
    if let Ok(v) = s.trim().parse::<f64>() {
        return v.is_finite().then_some(v);
    }
    let cleaned: String = s.trim().chars().filter(|c| *c != ',' && *c != ' ').collect();
    cleaned.parse::<f64>().ok().filter(|v| v.is_finite())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_with_separators() {
        assert_eq!(parse_count("29,199"), Some(29199));
        assert_eq!(parse_count(" 1 474 "), Some(1474));
        assert_eq!(parse_count("12.0"), Some(12));
        assert_eq!(parse_count("-3"), None);
        assert_eq!(parse_count("abc"), None);
        assert_eq!(parse_count("1.5"), None);
    }

    #[test]
    fn bom_crlf_and_quoted_commas() {
        let data = b"\xEF\xBB\xBFcode,name\r\nE01000001,\"Oxford, North\"\r\n";
        let t = Table::from_bytes(Path::new("x.csv"), data, true).unwrap();
        assert_eq!(t.headers, vec!["code", "name"]);
        assert_eq!(t.get(&t.rows[0], 1), "Oxford, North");
    }

    #[test]
    fn missing_column_lists_found() {
        let t = Table::from_bytes(Path::new("x.csv"), b"a,b\n1,2\n", true).unwrap();
        let e = t.col("c").unwrap_err().to_string();
        assert!(e.contains("\"a\", \"b\""), "{e}");
    }
}
