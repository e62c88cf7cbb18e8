//! One-time enrollment codes: a tablet joins its unit by typing (or scanning) one.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use serde_json::json;

use crate::audit::Actor;
use crate::devices::DeviceRecord;
use crate::secrets::{enrollment_code, enrollment_code_hash};
use crate::storage::{self, Database, StorageError};

/// A code just issued. The server keeps only its hash: this is the one time it is seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// The code, `XXXX-XXXX-XXXX`.
    pub code: String,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

/// Why a code was not issued.
#[derive(Debug, thiserror::Error)]
pub enum IssueCodeError {
    /// The unit does not exist.
    #[error("unit not found")]
    NoSuchUnit,
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Issues a code for `unit`, valid for `ttl` from `now`; only its hash is stored.
pub fn issue(
    db: &dyn Database,
    actor: &Actor,
    unit: UnitId,
    now: DateTime<Utc>,
    ttl: chrono::Duration,
) -> Result<IssuedCode, IssueCodeError> {
    let code = enrollment_code();
    let expires_at = now + ttl;
    let code_hash = enrollment_code_hash(&code);
    storage::write(db, |tx| {
        if !tx.units().exists(unit)? {
            return Err(IssueCodeError::NoSuchUnit);
        }
        tx.enrollment_codes()
            .insert(&code_hash, unit, now, expires_at)?;
        tx.audit_log().append(
            now,
            actor,
            "device.enrollment_code",
            Some(&unit.to_string()),
            &json!({"expires_at": expires_at}),
        )?;
        Ok(())
    })?;
    Ok(IssuedCode { code, expires_at })
}

/// Why a device was not enrolled.
#[derive(Debug, thiserror::Error)]
pub enum EnrollError {
    /// The device's name is blank.
    #[error("device_name: must not be empty")]
    BlankName,
    /// No code has this hash.
    #[error("unknown enrollment code")]
    UnknownCode,
    /// The code enrolled a device already.
    #[error("this enrollment code has already been used")]
    CodeUsed,
    /// The code's time ran out.
    #[error("this enrollment code has expired; ask the secretariat for a new one")]
    CodeExpired,
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Exchanges a one-time code (by hash) for a new device of its unit holding `token_hash`.
pub fn enroll(
    db: &dyn Database,
    now: DateTime<Utc>,
    code_hash: &str,
    device_name: &str,
    token_hash: &str,
) -> Result<DeviceRecord, EnrollError> {
    let name = device_name.trim();
    if name.is_empty() {
        return Err(EnrollError::BlankName);
    }
    let id = DeviceId::new();
    storage::write(db, |tx| {
        let code = tx
            .enrollment_codes()
            .get(code_hash)?
            .ok_or(EnrollError::UnknownCode)?;
        if code.used {
            return Err(EnrollError::CodeUsed);
        }
        if now >= code.expires_at {
            return Err(EnrollError::CodeExpired);
        }
        let device = DeviceRecord {
            id,
            unit_id: code.unit_id,
            name: name.to_owned(),
            enrolled_at: now,
            revoked_at: None,
            token_issued_at: now,
        };
        tx.devices().insert(&device, token_hash)?;
        tx.enrollment_codes().mark_used(code_hash, now, device.id)?;
        tx.audit_log().append(
            now,
            &Actor::Device(device.id),
            "device.enroll",
            Some(&device.id.to_string()),
            &json!({"unit_id": device.unit_id, "name": device.name}),
        )?;
        tx.change_log().stamp(
            now,
            crate::storage::Record {
                entity: "device",
                id: &device.id.to_string(),
            },
            Some(device.unit_id),
            Some(device.id),
        )?;
        Ok(device)
    })
}

/// What the enrollment QR code says: the station app parses it; `server` is added when known.
pub fn qr_text(code: &str, server: Option<&str>) -> String {
    match server {
        Some(url) => format!("fieldpost://enroll?code={code}&server={url}"),
        None => format!("fieldpost://enroll?code={code}"),
    }
}
