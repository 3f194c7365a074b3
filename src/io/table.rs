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
    /// The text encoding the file was read in when it was not UTF-8 (e.g. `Windows-1252`), for a
    /// warning.
    pub encoding: Option<&'static str>,
}

/// Read a whole file as bytes, with a helpful error when it is missing.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    decompress(path, read_raw(path)?)
}

/// Read a whole file as stored (no decompression).
pub fn read_raw(path: &Path) -> Result<Vec<u8>> {
    if path.is_dir() {
        return Err(Error::input(path, "cannot open file: it is a folder, not a file"));
    }
    let mut f = File::open(path).map_err(|e| Error::input(path, format!("cannot open file: {e}")))?;
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
        let (text, encoding) = decode(path, bytes)?;
        let bytes = text.as_bytes();
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
            if has_header {
                extra_fields(path, &headers, &rec, line)?;
            }
            rows.push(rec);
        }
        if !has_header {
            let n = rows.iter().map(|r| r.len()).max().unwrap_or(0);
            headers = (1..=n).map(|i| i.to_string()).collect();
        }
        Ok(Table { path: path.to_path_buf(), headers, rows, encoding })
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

    /// Remember that data row `i` holds `key`; a key already held by an earlier row is an error
    /// naming both rows (`row 3 (line 4) and row 9 (line 10): <what>`).
    pub fn first_row<K: std::hash::Hash + Eq>(
        &self,
        seen: &mut std::collections::HashMap<K, usize>,
        key: K,
        i: usize,
        what: impl FnOnce() -> String,
    ) -> Result<()> {
        match seen.entry(key) {
            std::collections::hash_map::Entry::Occupied(e) => {
                Err(Error::at(&self.path, format!("{} and {}", self.line(*e.get()), self.line(i)), what()))
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(i);
                Ok(())
            }
        }
    }

    /// A trimmed field (empty string if the row is short).
    pub fn get<'a>(&'a self, row: &'a csv::StringRecord, col: usize) -> &'a str {
        row.get(col).unwrap_or("").trim()
    }
}

/// A row with more non-empty fields than the header has columns is an error naming the row: an
/// unquoted thousands separator (`E01000001,1,548`) would otherwise read as 1 and drop the rest.
/// Trailing empty fields (a trailing comma, as some spreadsheet exports write) are allowed.
fn extra_fields(path: &Path, headers: &[String], rec: &csv::StringRecord, line: usize) -> Result<()> {
    if rec.len() <= headers.len() || rec.iter().skip(headers.len()).all(|f| f.trim().is_empty()) {
        return Ok(());
    }
    Err(Error::at(
        path,
        format!("row {} (line {line})", line - 1),
        format!("{} fields but the header has {} columns", rec.len(), headers.len()),
    )
    .hint("a number with a thousands separator must be quoted (\"1,548\") or written without one (1548)"))
}

/// Windows-1252 characters for bytes 0x80–0x9F (the rest of the upper half is Latin-1); `\0` = unused.
const CP1252_HIGH: [char; 32] = [
    '€', '\0', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\0', 'Ž', '\0', '\0', '‘', '’', '“', '”', '•',
    '–', '—', '˜', '™', 'š', '›', 'œ', '\0', 'ž', 'Ÿ',
];

/// The text of a table: UTF-8 as it is; UTF-16 with a byte-order mark and Windows-1252 (which
/// ONS and NHS files saved from Excel sometimes are) decoded, naming the encoding for a warning.
/// Bytes that are none of these (NUL bytes, undefined Windows-1252 bytes) are an error naming the
/// line and saying how to re-save the file.
pub fn decode<'a>(path: &Path, bytes: &'a [u8]) -> Result<(std::borrow::Cow<'a, str>, Option<&'static str>)> {
    use std::borrow::Cow;
    let utf16 = |le: bool| -> Option<String> {
        let body = &bytes[2..];
        if !body.len().is_multiple_of(2) {
            return None;
        }
        let unit = |c: &[u8]| if le { u16::from_le_bytes([c[0], c[1]]) } else { u16::from_be_bytes([c[0], c[1]]) };
        String::from_utf16(&body.chunks(2).map(unit).collect::<Vec<u16>>()).ok()
    };
    let resave = "open it in a spreadsheet or text editor and save it as \"CSV UTF-8\"";
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return utf16(bytes[0] == 0xFF)
            .map(|s| (Cow::Owned(s), Some("UTF-16")))
            .ok_or_else(|| Error::input(path, "the file starts as UTF-16 but is not valid UTF-16").hint(resave));
    }
    let err = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok((Cow::Borrowed(s), None)),
        Err(e) => e,
    };
    let line = bytes[..err.valid_up_to()].iter().filter(|b| **b == b'\n').count() + 1;
    let bad = |what: &str| {
        Error::at(path, format!("line {line}"), format!("the file is not UTF-8 text ({what})")).hint(resave)
    };
    if bytes.contains(&0) {
        return Err(bad("it holds NUL bytes: UTF-16 without a byte-order mark, or not a text file"));
    }
    if !bytes[..err.valid_up_to()].is_ascii() {
        return Err(bad("UTF-8 text earlier in the file, then bytes that are not UTF-8"));
    }
    let mut s = String::with_capacity(bytes.len() + 16);
    for &b in bytes {
        let c = match b {
            0x80..=0x9F => CP1252_HIGH[(b - 0x80) as usize],
            _ => b as char,
        };
        if c == '\0' {
            return Err(bad(&format!("byte 0x{b:02X} is not UTF-8 nor Windows-1252")));
        }
        s.push(c);
    }
    Ok((Cow::Owned(s), Some("Windows-1252")))
}

/// `s` without its thousands separators, or None when a separator does not sit between groups of
/// three digits of the whole part (`1,548` and `1 474 000.5` are read; `1,5`, `12,34` and `1,548,`
/// are not: a decimal comma or a stray separator must not change the value silently).
fn without_separators(s: &str, seps: &[char]) -> Option<String> {
    let s = s.trim();
    if !s.contains(seps) {
        return Some(s.to_string());
    }
    let (whole, frac) = s.split_once('.').map_or((s, None), |(w, f)| (w, Some(f)));
    let (sign, digits) = whole.strip_prefix(['-', '+']).map_or(("", whole), |d| (&whole[..1], d));
    let mut groups = digits.split(seps);
    let first = groups.next().unwrap_or("");
    let digit_group =
        |g: &str, len: std::ops::RangeInclusive<usize>| len.contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit());
    if !digit_group(first, 1..=3) || frac.is_some_and(|f| f.contains(seps)) {
        return None;
    }
    let mut out = format!("{sign}{first}");
    for g in groups {
        if !digit_group(g, 3..=3) {
            return None;
        }
        out.push_str(g);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

/// Parse a count such as `1474`, `"29,199"` or `1 474`; rejects negatives and non-numbers.
pub fn parse_count(s: &str) -> Option<u64> {
    if let Ok(v) = s.trim().parse::<u64>() {
        return Some(v);
    }
    let cleaned = without_separators(s, &[',', ' ', '_'])?;
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
    let cleaned = without_separators(s, &[',', ' '])?;
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
        assert_eq!(parse_count("1,5"), None, "a decimal comma is not a thousands separator");
        assert_eq!(parse_count("12,34"), None);
        assert_eq!(parse_count("1,548,"), None);
        assert_eq!(parse_count("1,234,567"), Some(1_234_567));
        assert_eq!(parse_f64("1,548.25"), Some(1548.25));
        assert_eq!(parse_f64("12,5"), None);
        assert_eq!(parse_f64("-1,000"), Some(-1000.0));
        assert_eq!(parse_f64("1.5"), Some(1.5));
    }

    #[test]
    fn bom_crlf_and_quoted_commas() {
        let data = b"\xEF\xBB\xBFcode,name\r\nE01000001,\"Oxford, North\"\r\n";
        let t = Table::from_bytes(Path::new("x.csv"), data, true).unwrap();
        assert_eq!(t.headers, vec!["code", "name"]);
        assert_eq!(t.get(&t.rows[0], 1), "Oxford, North");
    }

    #[test]
    fn windows_1252_and_utf16_are_decoded() {
        let t = Table::from_bytes(Path::new("x.csv"), b"code,name\nE1,St\xE4nwell \x96 North\n", true).unwrap();
        assert_eq!(t.get(&t.rows[0], 1), "Stänwell – North");
        assert_eq!(t.encoding, Some("Windows-1252"));
        let mut u16le = vec![0xFF, 0xFE];
        u16le.extend("a,b\n1,2\n".encode_utf16().flat_map(|u| u.to_le_bytes()));
        let t = Table::from_bytes(Path::new("x.csv"), &u16le, true).unwrap();
        assert_eq!((t.headers.clone(), t.encoding), (vec!["a".to_string(), "b".to_string()], Some("UTF-16")));
        let e = Table::from_bytes(Path::new("x.csv"), b"a,b\n1,\x00\xFF\n", true).unwrap_err().to_string();
        assert!(e.contains("line 2") && e.contains("CSV UTF-8"), "{e}");
    }

    #[test]
    fn extra_fields_are_an_error_naming_the_row() {
        let e = Table::from_bytes(Path::new("x.csv"), b"a,b\nE1,1,548\n", true).unwrap_err().to_string();
        assert!(e.contains("row 1 (line 2)") && e.contains("3 fields"), "{e}");
        assert!(Table::from_bytes(Path::new("x.csv"), b"a,b\nE1,1,\n", true).is_ok());
    }

    #[test]
    fn missing_column_lists_found() {
        let t = Table::from_bytes(Path::new("x.csv"), b"a,b\n1,2\n", true).unwrap();
        let e = t.col("c").unwrap_err().to_string();
        assert!(e.contains("\"a\", \"b\""), "{e}");
    }
}
