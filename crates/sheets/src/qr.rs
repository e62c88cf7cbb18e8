//! QR codes of short texts (an enrollment code), as SVG for the console and PNG for the CLI.

use std::path::Path;

use qrcode::QrCode;

/// Why a QR code could not be drawn or written.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// The text does not fit a QR code.
    #[error("qr code: {0}")]
    Encode(#[from] qrcode::types::QrError),
    /// The file could not be written.
    #[error("png: {0}")]
    Image(#[from] image::ImageError),
}

/// The QR code of `text` as an SVG document.
pub fn svg(text: &str) -> Result<String, QrError> {
    let code = QrCode::new(text.as_bytes())?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .build())
}

/// Writes the QR code of `text` as a PNG.
pub fn write_png(text: &str, path: &Path) -> Result<(), QrError> {
    let code = QrCode::new(text.as_bytes())?;
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(360, 360)
        .build();
    image.save(path)?;
    Ok(())
}
