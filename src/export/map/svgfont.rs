//! The map's font embedded in its SVG: DejaVu Sans regular and bold as base64 `@font-face` rules,
//! and every text element pointed at them, so the SVG renders as the PNG does on any machine,
//! whatever fonts it has (issue 11: the SVG named the generic `sans-serif`).

/// The family name the embedded faces go by, unlikely to match an installed font.
const FAMILY: &str = "FootprintsDejaVuSans";

/// Standard base64 (RFC 4648) with padding.
fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], *chunk.get(1).unwrap_or(&0), *chunk.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= chunk.len() {
                out.push(ABC[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The `<style>` with both faces.
fn style() -> String {
    let face = |weight: &str, ttf: &[u8]| {
        format!(
            "@font-face{{font-family:\"{FAMILY}\";font-weight:{weight};font-style:normal;\
             src:url(data:font/ttf;base64,{}) format(\"truetype\")}}",
            base64(ttf)
        )
    };
    format!(
        "<defs><style>{}{}</style></defs>\n",
        face("normal", dejavu::sans::regular()),
        face("bold", dejavu::sans::bold())
    )
}

/// `svg` with its text set in DejaVu Sans (installed), then any sans-serif, without embedding the
/// font: for the report's inline maps, which would otherwise carry 1.9 MB each.
pub(super) fn name_family(svg: &str) -> String {
    svg.replace("font-family=\"sans-serif\"", "font-family=\"DejaVu Sans, sans-serif\"")
}

/// `svg` with the font embedded after the opening `<svg>` tag and its text set in it (falling
/// back to DejaVu Sans, then any sans-serif, where a viewer ignores embedded fonts).
pub(super) fn embed_font(svg: &str) -> String {
    let family = format!("font-family=\"{FAMILY}, DejaVu Sans, sans-serif\"");
    let svg = svg.replace("font-family=\"sans-serif\"", &family);
    let Some(open) = svg.find("<svg").and_then(|i| svg[i..].find('>').map(|j| i + j + 1)) else {
        return svg;
    };
    let mut out = String::with_capacity(svg.len() + 2_000_000);
    out.push_str(&svg[..open]);
    out.push('\n');
    out.push_str(&style());
    out.push_str(svg[open..].trim_start_matches('\n'));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        for (raw, enc) in
            [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("foobar", "Zm9vYmFy")]
        {
            assert_eq!(base64(raw.as_bytes()), enc);
        }
    }

    #[test]
    fn text_is_set_in_the_embedded_font() {
        let svg = "<svg width=\"10\" height=\"10\">\n<text font-family=\"sans-serif\">A</text>\n</svg>\n";
        let out = embed_font(svg);
        assert!(out.starts_with("<svg width=\"10\" height=\"10\">\n<defs><style>@font-face{"));
        assert_eq!(out.matches("@font-face").count(), 2);
        assert!(!out.contains("font-family=\"sans-serif\""));
        assert!(out.contains(&format!("<text font-family=\"{FAMILY}, DejaVu Sans, sans-serif\">A</text>")));
    }
}
