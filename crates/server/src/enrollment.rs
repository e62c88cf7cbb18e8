//! Issuing one-time enrollment codes and their QR codes (for the console and the CLI).

use std::path::Path;

use chrono::{DateTime, Utc};
use fieldpost_domain::UnitId;
use qrcode::QrCode;

use crate::auth::{enrollment_code, enrollment_code_hash};
use crate::error::{ApiError, ApiResult, StoreError};
use crate::state::AppState;
use crate::store::{Actor, Store};

/// A code just issued. The server keeps only its hash: this is the one time it is seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// The code, `XXXX-XXXX-XXXX`.
    pub code: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Issues a code for `unit`, valid for `ttl` from `now`.
pub fn issue_blocking(
    store: &dyn Store,
    actor: &Actor,
    unit: UnitId,
    now: DateTime<Utc>,
    ttl: chrono::Duration,
) -> Result<IssuedCode, StoreError> {
    let code = enrollment_code();
    let expires_at = now + ttl;
    store.add_enrollment_code(actor, now, unit, enrollment_code_hash(&code), expires_at)?;
    Ok(IssuedCode { code, expires_at })
}

/// [`issue_blocking`] on the blocking pool, with the state's clock and TTL.
pub async fn issue(state: &AppState, actor: &Actor, unit: UnitId) -> ApiResult<IssuedCode> {
    let (actor, now, ttl) = (
        actor.clone(),
        state.now(),
        state.config().enrollment_code_ttl,
    );
    state
        .run(move |s| issue_blocking(s, &actor, unit, now, ttl))
        .await
}

/// What the QR code says: the station app parses it; `server` is added when known.
pub fn qr_text(code: &str, server: Option<&str>) -> String {
    match server {
        Some(url) => format!("fieldpost://enroll?code={code}&server={url}"),
        None => format!("fieldpost://enroll?code={code}"),
    }
}

/// The QR code as an SVG document.
pub fn qr_svg(text: &str) -> ApiResult<String> {
    let code =
        QrCode::new(text.as_bytes()).map_err(|e| ApiError::Internal(format!("qr code: {e}")))?;
    Ok(code
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .build())
}

/// Why a QR PNG could not be written.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// The text does not fit a QR code.
    #[error("qr code: {0}")]
    Encode(#[from] qrcode::types::QrError),
    /// The file could not be written.
    #[error("png: {0}")]
    Image(#[from] image::ImageError),
}

/// Writes the QR code of `text` as a PNG.
pub fn write_qr_png(text: &str, path: &Path) -> Result<(), QrError> {
    let code = QrCode::new(text.as_bytes())?;
    let image = code
        .render::<image::Luma<u8>>()
        .min_dimensions(360, 360)
        .build();
    image.save(path)?;
    Ok(())
}
