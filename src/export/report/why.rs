//! "Why the boundaries lie where they do": a short summary of an option's `explain.json` (written
//! by `build` into each option folder): the towns and PCNs it splits, grouped by reason.

use super::esc;
use crate::error::{Error, Result};
use crate::fmt::fmt_int;
use serde_json::Value;
use std::path::Path;

/// The `explain.json` beside a footprint set: in an option folder, or next to its `lookup.csv` or
/// `footprints.geojson`. `None` when there is none; an error naming the file when it is unreadable.
pub fn read_explain(set: &Path) -> Result<Option<Value>> {
    let dir = if set.is_dir() { Some(set) } else { set.parent() };
    let Some(file) = dir.map(|d| d.join("explain.json")).filter(|f| f.is_file()) else {
        return Ok(None);
    };
    let text = std::fs::read_to_string(&file).map_err(|e| Error::input(&file, format!("cannot read it: {e}")))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        Error::input(&file, format!("not valid JSON: {e}"))
            .hint("rebuild the option with `footprints build`, or delete explain.json to leave the explanation out")
    })?;
    Ok(Some(v))
}

/// The part of a reason before its particulars in brackets, so splits group by kind of reason.
fn stem(reason: &str) -> &str {
    match reason.find(" (") {
        Some(i) if reason.ends_with(')') => &reason[..i],
        _ => reason,
    }
}

/// One paragraph: "Towns split (2) — it is too big for one footprint: Oxford (162,058 people in 3
/// footprints); …". `None` when the list is absent.
fn splits(what: &str, list: Option<&Vec<Value>>) -> Option<String> {
    let list = list?;
    if list.is_empty() {
        return Some(format!("<p><b>{what} split: none.</b></p>"));
    }
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for s in list {
        let name = s.get("name").and_then(Value::as_str).unwrap_or("?");
        let people = s.get("population").and_then(Value::as_u64).unwrap_or(0);
        let pieces = s.get("pieces").and_then(Value::as_array).map_or(0, Vec::len);
        let reason = stem(s.get("reason").and_then(Value::as_str).unwrap_or("no reason recorded")).to_string();
        let item = format!("{} ({} people in {pieces})", esc(name), fmt_int(people));
        match groups.iter_mut().find(|g| g.0 == reason) {
            Some(g) => g.1.push(item),
            None => groups.push((reason, vec![item])),
        }
    }
    let body: Vec<String> =
        groups.iter().map(|(r, items)| format!("<i>{}</i>: {}", esc(r), items.join(", "))).collect();
    Some(format!("<p><b>{what} split ({}).</b> {}.</p>", list.len(), body.join("; ")))
}

/// The short explanation of one option as HTML.
pub fn why_html(e: &Value) -> String {
    let mut h = String::from("<div class=\"why\"><h3>Why the boundaries lie where they do</h3>");
    let towns = splits("Towns", e.get("towns_split").and_then(Value::as_array));
    let pcns = splits("PCNs", e.get("pcns_split").and_then(Value::as_array));
    for p in [towns, pcns].into_iter().flatten() {
        h.push_str(&p);
    }
    if let Some(m) = e.get("pcn_minimum") {
        let split = e.get("pcns_split").and_then(Value::as_array).map_or(0, Vec::len);
        h.push_str(&format!("<p><b>{}</b></p>", esc(&crate::export::explain::minimum_sentence(split, m))));
    }
    h.push_str("<p class=\"note\">Every split with what keeping it whole would cost, and what each shared boundary follows: explain.md in the option's folder.</p></div>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_group_by_reason_without_their_particulars() {
        let e: Value = serde_json::from_str(
            r#"{"towns_split":[],"pcns_split":[
              {"name":"A PCN","population":1200,"pieces":[["x",1],["y",2]],"reason":"it straddles a district boundary (P, Q)"},
              {"name":"B & C PCN","population":900,"pieces":[["x",1],["z",2]],"reason":"keeping it whole is possible"},
              {"name":"D PCN","population":50,"pieces":[["y",1],["z",2],["w",3]],"reason":"it straddles a district boundary (Q, R)"}]}"#,
        )
        .unwrap();
        let h = why_html(&e);
        assert!(h.contains("Towns split: none."), "{h}");
        assert!(!h.contains("Proven minimum"), "{h}");
        assert!(h.contains("PCNs split (3).</b> <i>it straddles a district boundary</i>: A PCN (1,200 people in 2), D PCN (50 people in 3); <i>keeping it whole is possible</i>: B &amp; C PCN (900 people in 2)."), "{h}");
    }

    #[test]
    fn the_proven_minimum_is_printed_beside_the_count() {
        let e: Value = serde_json::from_str(
            r#"{"towns_split":[],"pcns_split":[{"name":"A","population":1,"pieces":[],"reason":"r"}],
                "pcn_minimum":{"lower":1,"upper":1,"proven":true,"with_towns":{"lower":1,"upper":2,"proven":false}}}"#,
        )
        .unwrap();
        let h = why_html(&e);
        assert!(h.contains("PCNs split: 1. Proven minimum (exact mode): 1 with SNPs inside districts and the built SNP counts; between 1 and 2 (not proven within the time limit) with towns whole too."), "{h}");
    }
}
