//! Printable A4 posters: a unit's name and its exclusive survey link as a QR code, for the
//! stations' tables and the units' notice boards.
//!
//! One unit is one SVG page (`210mm × 297mm`, text and QR modules as vectors, so it prints
//! sharp at any size). All units at once are one HTML document with every page inline and
//! CSS page breaks (`@page { size: A4 }`): the browser prints or saves it as one PDF in one
//! go, with no archive to unpack and no PDF font embedding on the server (the CJK text is
//! drawn by the printing browser's fonts).

use qrcode::{Color, EcLevel, QrCode};

/// Why a poster could not be drawn.
#[derive(Debug, thiserror::Error)]
pub enum PosterError {
    /// The link does not fit a QR code.
    #[error("qr code: {0}")]
    Qr(#[from] qrcode::types::QrError),
}

/// What one poster shows.
#[derive(Debug, Clone, Copy)]
pub struct Poster<'a> {
    /// The campaign's name (small, at the top).
    pub campaign: &'a str,
    /// The unit's name (large).
    pub unit: &'a str,
    /// The unit's section.
    pub section: &'a str,
    /// The exclusive survey link (the QR code, and printed below it).
    pub link: &'a str,
}

/// Escapes text for XML content and attributes.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// The dark modules of a QR code as one SVG path in module units, and its width in modules.
pub fn qr_path(text: &str) -> Result<(String, usize), PosterError> {
    // Level M survives a crease or a smudge on a printed page.
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    let width = code.width();
    let mut d = String::new();
    for (i, color) in code.to_colors().iter().enumerate() {
        if *color == Color::Dark {
            d.push_str(&format!("M{},{}h1v1h-1z", i % width, i / width));
        }
    }
    Ok((d, width))
}

const FONT: &str =
    "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif";

/// One A4 page as a standalone SVG document.
pub fn poster_svg(p: &Poster<'_>) -> Result<String, PosterError> {
    let (path, modules) = qr_path(p.link)?;
    // 150 mm of QR code including a 4-module quiet zone.
    let size = 150.0;
    let scale = size / (modules as f64 + 8.0);
    let (qx, qy) = ((210.0 - size) / 2.0, 92.0);
    // CJK glyphs are about 1em wide: fit the name within 186 mm, at most 16 mm high.
    let chars = p.unit.chars().count().max(1) as f64;
    let name_size = (186.0 / chars).min(16.0);
    let link_size = (190.0 / (p.link.chars().count().max(1) as f64 * 0.55)).min(6.0);
    Ok(format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="210mm" height="297mm" viewBox="0 0 210 297" font-family="{font}">
<rect width="210" height="297" fill="#ffffff"/>
<rect x="0" y="0" width="210" height="12" fill="#0b4f9c"/>
<text x="105" y="26" font-size="6" text-anchor="middle" fill="#333333">{campaign}</text>
<text x="105" y="46" font-size="11" font-weight="700" text-anchor="middle" fill="#0b4f9c">网民网络安全感满意度调查</text>
<text x="105" y="{name_y:.1}" font-size="{name_size:.2}" font-weight="700" text-anchor="middle" fill="#000000">{unit}</text>
<text x="105" y="84" font-size="6" text-anchor="middle" fill="#333333">{section}</text>
<rect x="{qx:.2}" y="{qy:.2}" width="{size}" height="{size}" fill="#ffffff" stroke="#0b4f9c" stroke-width="0.6"/>
<path transform="translate({tx:.3},{ty:.3}) scale({scale:.4})" d="{path}" fill="#000000" shape-rendering="crispEdges"/>
<text x="105" y="260" font-size="10" font-weight="700" text-anchor="middle" fill="#0b4f9c">微信扫一扫 · 参与问卷调查</text>
<text x="105" y="272" font-size="{link_size:.2}" text-anchor="middle" fill="#333333" font-family="monospace">{link}</text>
<rect x="0" y="285" width="210" height="12" fill="#0b4f9c"/>
</svg>
"##,
        font = FONT,
        campaign = xml_escape(p.campaign),
        unit = xml_escape(p.unit),
        section = xml_escape(p.section),
        link = xml_escape(p.link),
        name_y = 62.0 + name_size * 0.6,
        tx = qx + 4.0 * scale,
        ty = qy + 4.0 * scale,
    ))
}

/// Every poster as one printable HTML document, one A4 page each.
pub fn posters_html(title: &str, posters: &[Poster<'_>]) -> Result<String, PosterError> {
    let mut html = format!(
        "<!doctype html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <style>@page{{size:A4;margin:0}}html,body{{margin:0;padding:0;background:#888}}\
         .page{{width:210mm;height:297mm;margin:0 auto 8mm;background:#fff;\
         break-after:page;page-break-after:always;overflow:hidden}}\
         .page svg{{display:block;width:210mm;height:297mm}}\
         @media print{{html,body{{background:#fff}}.page{{margin:0}}}}</style></head><body>\n",
        xml_escape(title)
    );
    for p in posters {
        html.push_str("<section class=\"page\">");
        html.push_str(&poster_svg(p)?);
        html.push_str("</section>\n");
    }
    html.push_str("</body></html>\n");
    Ok(html)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_poster_is_an_a4_svg_with_the_name_escaped_and_a_qr_code() {
        let p = Poster {
            campaign: "2022 调查",
            unit: "揭阳市侨联 & <伙伴>",
            section: "侨",
            link: "https://survey.example/u001?a=1&b=2",
        };
        let svg = poster_svg(&p).unwrap();
        assert!(svg.contains(r#"width="210mm" height="297mm""#), "A4");
        assert!(
            svg.contains("揭阳市侨联 &amp; &lt;伙伴&gt;"),
            "escaped name"
        );
        assert!(svg.contains("a=1&amp;b=2"), "escaped link");
        assert!(svg.matches("h1v1h-1z").count() > 100, "QR modules drawn");
        let html = posters_html("全部", &[p, p]).unwrap();
        assert_eq!(html.matches("<svg").count(), 2, "one page per unit");
    }
}
