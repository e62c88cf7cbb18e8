//! One-time enrollment codes: a tablet joins its unit by typing (or scanning) one.

use chrono::{DateTime, Utc};
use fieldpost_domain::UnitId;

use crate::audit::Actor;
use crate::error::StoreError;
use crate::secrets::{enrollment_code, enrollment_code_hash};
use crate::store::Store;

/// A code just issued. The server keeps only its hash: this is the one time it is seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// The code, `XXXX-XXXX-XXXX`.
    pub code: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Issues a code for `unit`, valid for `ttl` from `now`.
pub fn issue(
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

/// What the enrollment QR code says: the station app parses it; `server` is added when known.
pub fn qr_text(code: &str, server: Option<&str>) -> String {
    match server {
        Some(url) => format!("fieldpost://enroll?code={code}&server={url}"),
        None => format!("fieldpost://enroll?code={code}"),
    }
}
