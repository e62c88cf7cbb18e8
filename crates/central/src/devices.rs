//! Enrolled devices (the stations' tablets): what the console lists of them, whom a bearer
//! token belongs to, how tokens rotate, and when each device last pushed.
//!
//! Tokens rotate through the sync itself (`docs/decisions/2026-12-01-device-token-rotation.md`):
//! a device that presents a current token older than the rotation period is offered a
//! successor ([`successor_token`]) in the answer to its push or pull. The old token keeps
//! working until the device presents the successor ([`device_by_token`] then makes it current
//! and the old one dies), so an answer lost on the way, or a tablet offline for weeks, never
//! locks a tablet out. The successor is derived from the presented token and a salt the
//! central keeps, so every answer to the old token carries the same one.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::Actor;
use crate::secrets::{derived_token, random_token, sha256_hex};
use crate::storage::devices::TokenKind;
use crate::storage::{self, Database, StorageError};
use ts_rs::TS;

/// A device as the console lists it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DeviceRecord {
    /// Identity.
    pub id: DeviceId,
    /// The unit it acts for.
    pub unit_id: UnitId,
    /// Its name.
    pub name: String,
    /// When it enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
    /// When its current token was issued: at enrollment, then at each rotation.
    pub token_issued_at: DateTime<Utc>,
}

/// The device a bearer token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    /// The device.
    pub id: DeviceId,
    /// Its unit.
    pub unit_id: UnitId,
    /// Whether it has been revoked.
    pub revoked: bool,
    /// When the device's current token was issued (after a successor was taken into use:
    /// when the successor was offered).
    pub token_issued_at: DateTime<Utc>,
}

/// How long a device's token serves before the central offers a successor, unless the
/// server is configured otherwise: a week, so that a token copied off a tablet stops working
/// within about a week of the tablet's next sync, at the cost of one row write per device
/// and week.
pub const DEFAULT_TOKEN_ROTATION: chrono::Duration = chrono::Duration::days(7);

/// When a device last pushed, and how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DeviceActivity {
    /// The device.
    pub device_id: DeviceId,
    /// When the central received its newest event (`None`: it never pushed).
    pub last_push_at: Option<DateTime<Utc>>,
    /// Its newest seq stored.
    pub last_seq: u64,
    /// When the central last heard from it (a push or a pull), as recorded by
    /// [`heard_from`]; `None` before its first sync.
    pub last_contact_at: Option<DateTime<Utc>>,
}

/// How stale a recorded contact may grow before a sync records it again: a no-op sync every
/// 30 s stays a read, and the console's "last contact" is at most this old.
pub const CONTACT_RESOLUTION: chrono::Duration = chrono::Duration::seconds(60);

/// Records that `device` was heard from at `now`, unless a later time is recorded. Kept in
/// the database, so that every central instance and a restarted one know it; callers write it
/// at most once per [`CONTACT_RESOLUTION`] per device.
pub fn heard_from(
    db: &dyn Database,
    device: DeviceId,
    now: DateTime<Utc>,
) -> Result<(), StorageError> {
    storage::write(db, |tx| tx.devices().heard_from(device, now))
}

/// The device a token hash belongs to: its current token, or the successor it was offered.
///
/// The first time an unrevoked device presents its successor, the successor becomes its
/// current token and the old one dies (one write; every other authentication is a read). A
/// revoked device's tokens are never promoted: they identify it, and the callers refuse it.
pub fn device_by_token(
    db: &dyn Database,
    token_hash: &str,
) -> Result<Option<DeviceAuth>, StorageError> {
    let Some((device, kind)) = storage::read(db, |tx| tx.devices().by_token(token_hash))? else {
        return Ok(None);
    };
    if kind == TokenKind::Current || device.revoked {
        return Ok(Some(device));
    }
    storage::write(db, |tx| {
        // False: a concurrent request of the device took it into use first; either way it
        // is current now.
        tx.devices().take_successor(device.id, token_hash)?;
        Ok(tx.devices().by_token(token_hash)?.map(|(d, _)| d))
    })
}

/// The successor of `token`, the current token of `device`, if the device is due one at `now`
/// by `rotation` (the token is that old): what the answer to its push or pull carries. `None`
/// for a revoked device, a younger token, or a token that is no longer current.
///
/// The central keeps the successor's hash and a salt, from which it derives the same
/// successor from `token` every time: answers to concurrent requests, and the answer to a
/// retry after a lost one, carry the same token, so whichever the tablet stores works. The
/// first offer is one write; later ones (until the device uses the successor) are reads.
pub fn successor_token(
    db: &dyn Database,
    device: &DeviceAuth,
    token: &str,
    now: DateTime<Utc>,
    rotation: chrono::Duration,
) -> Result<Option<String>, StorageError> {
    if device.revoked || now - device.token_issued_at < rotation {
        return Ok(None);
    }
    let current = sha256_hex(token);
    let id = device.id;
    if let Some(salt) = storage::read(db, |tx| tx.devices().successor_salt(id, &current))? {
        return Ok(Some(derived_token(&salt, token)));
    }
    let salt = random_token("");
    let next_hash = sha256_hex(&derived_token(&salt, token));
    let salt = storage::write(db, |tx| {
        tx.devices()
            .offer_successor(id, &current, &salt, &next_hash, now)?;
        // Ours, or the one a concurrent request of the device (on this central or another
        // instance) recorded first; `None` if the token stopped being current meanwhile.
        tx.devices().successor_salt(id, &current)
    })?;
    Ok(salt.map(|salt| derived_token(&salt, token)))
}

/// Devices, all or one unit's.
pub fn devices(db: &dyn Database, unit: Option<UnitId>) -> Result<Vec<DeviceRecord>, StorageError> {
    storage::read(db, |tx| tx.devices().all(unit))
}

/// Why a device was not revoked.
#[derive(Debug, thiserror::Error)]
pub enum RevokeDeviceError {
    /// There is no such device.
    #[error("device not found")]
    NotFound,
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Revokes a device (again is a no-op that keeps the first time). A lost device's unspent
/// grants go back to their plans in the same transaction; its late handouts, if it ever
/// syncs, are kept and flagged as beyond its grant.
pub fn revoke_device(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: DeviceId,
) -> Result<DeviceRecord, RevokeDeviceError> {
    storage::write(db, |tx| {
        if !tx.devices().revoke(id, now)? {
            return Err(RevokeDeviceError::NotFound);
        }
        let released = crate::grants::release_unspent(tx, actor, now, id)?;
        let device = tx.devices().get(id)?.ok_or(RevokeDeviceError::NotFound)?;
        tx.audit_log().append(
            now,
            actor,
            "device.revoke",
            Some(&id.to_string()),
            &json!({"released": released
                .iter()
                .map(|(plan_id, item_id, quantity)| json!({
                    "plan_id": plan_id, "item_id": item_id, "quantity": quantity}))
                .collect::<Vec<_>>()}),
        )?;
        tx.change_log().stamp(
            now,
            crate::storage::Record {
                entity: "device",
                id: &id.to_string(),
            },
            Some(device.unit_id),
            Some(id),
        )?;
        Ok(device)
    })
}
