//! The unit's exclusive survey link as a QR code, drawn on the tablet (no network needed).

use qrcode::QrCode;
use qrcode::render::svg;

use crate::error::CommandError;

/// The QR code of `text` as an SVG document that scales to its container: black modules on
/// white with the standard quiet zone, for phones to scan off a screen in sunlight.
pub fn svg(text: &str) -> Result<String, CommandError> {
    let code = QrCode::new(text.as_bytes())
        .map_err(|e| CommandError::new("qr_code", format!("cannot encode the link: {e}")))?;
    Ok(code
        .render::<svg::Color<'_>>()
        .quiet_zone(true)
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_an_svg_document() {
        let text = svg("https://s.example/q?unit=jieyang-qiaolian").unwrap_or_default();
        assert!(
            text.starts_with("<?xml"),
            "an SVG document the window can show"
        );
        assert!(text.contains("<svg"), "one svg element");
        assert!(
            text.contains("#000000"),
            "dark modules are black for contrast"
        );
    }
}
