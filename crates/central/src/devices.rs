//! Enrolled devices (the stations' tablets): what the console lists of them, whom a bearer token belongs to, and when each last pushed.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::Actor;
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
}

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

/// The device a token hash belongs to.
pub fn device_by_token(
    db: &dyn Database,
    token_hash: &str,
) -> Result<Option<DeviceAuth>, StorageError> {
    storage::read(db, |tx| tx.devices().by_token(token_hash))
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
