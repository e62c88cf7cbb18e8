//! Devices, enrollment codes, console users and their sessions.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde_json::json;

use super::catalog::unit;
use super::{audit, changed, col, col_ts, col_ts_opt, required, ts};
use crate::audit::Actor;
use crate::devices::{DeviceAuth, DeviceRecord};
use crate::error::StoreError;
use crate::store::StoreResult;

pub(super) fn add_code(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    unit_id: UnitId,
    code_hash: String,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    unit(tx, unit_id)?;
    tx.execute(
        "INSERT INTO enrollment_codes (code_hash, unit_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![code_hash, unit_id.to_string(), ts(now), ts(expires_at)],
    )?;
    audit(
        tx,
        now,
        actor,
        "device.enrollment_code",
        Some(unit_id.to_string()),
        json!({"expires_at": expires_at}),
    )?;
    Ok(())
}

const DEVICE_COLUMNS: &str = "id, unit_id, name, enrolled_at, revoked_at";

fn device_row(r: &Row<'_>) -> rusqlite::Result<DeviceRecord> {
    Ok(DeviceRecord {
        id: col(r, 0)?,
        unit_id: col(r, 1)?,
        name: r.get(2)?,
        enrolled_at: col_ts(r, 3)?,
        revoked_at: col_ts_opt(r, 4)?,
    })
}

pub(super) fn enroll(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    code_hash: &str,
    device_name: String,
    token_hash: String,
) -> StoreResult<DeviceRecord> {
    let name = required("device_name", &device_name)?;
    let code: Option<(UnitId, DateTime<Utc>, Option<String>)> = tx
        .query_row(
            "SELECT unit_id, expires_at, used_at FROM enrollment_codes WHERE code_hash = ?1",
            [code_hash],
            |r| Ok((col(r, 0)?, col_ts(r, 1)?, r.get(2)?)),
        )
        .optional()?;
    let Some((unit_id, expires_at, used_at)) = code else {
        return Err(StoreError::Credential {
            code: "invalid_enrollment_code",
            message: "unknown enrollment code".into(),
        });
    };
    if used_at.is_some() {
        return Err(StoreError::conflict_on(
            "enrollment_code_used",
            "code",
            "this enrollment code has already been used",
        ));
    }
    if now >= expires_at {
        return Err(StoreError::Credential {
            code: "enrollment_code_expired",
            message: "this enrollment code has expired; ask the secretariat for a new one".into(),
        });
    }
    let device = DeviceRecord {
        id: DeviceId::new(),
        unit_id,
        name,
        enrolled_at: now,
        revoked_at: None,
    };
    tx.execute(
        &format!(
            "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash) VALUES (?1, ?2, ?3, ?4, NULL, ?5)"
        ),
        params![
            device.id.to_string(),
            unit_id.to_string(),
            device.name,
            ts(now),
            token_hash
        ],
    )?;
    tx.execute(
        "UPDATE enrollment_codes SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1",
        params![code_hash, ts(now), device.id.to_string()],
    )?;
    audit(
        tx,
        now,
        &Actor::Device(device.id),
        "device.enroll",
        Some(device.id.to_string()),
        json!({"unit_id": unit_id, "name": device.name}),
    )?;
    changed(
        tx,
        now,
        "device",
        &device.id.to_string(),
        Some(unit_id),
        Some(device.id),
    )?;
    Ok(device)
}

pub(super) fn by_token(c: &Connection, token_hash: &str) -> StoreResult<Option<DeviceAuth>> {
    Ok(c.query_row(
        "SELECT id, unit_id, revoked_at FROM devices WHERE token_hash = ?1",
        [token_hash],
        |r| {
            let revoked: Option<String> = r.get(2)?;
            Ok(DeviceAuth {
                id: col(r, 0)?,
                unit_id: col(r, 1)?,
                revoked: revoked.is_some(),
            })
        },
    )
    .optional()?)
}

pub(super) fn list(c: &Connection, unit: Option<UnitId>) -> StoreResult<Vec<DeviceRecord>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {DEVICE_COLUMNS} FROM devices WHERE ?1 IS NULL OR unit_id = ?1 ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([unit.map(|u| u.to_string())], device_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn revoke(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: DeviceId,
) -> StoreResult<DeviceRecord> {
    let n = tx.execute(
        "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
        params![id.to_string(), ts(now)],
    )?;
    if n == 0 {
        return Err(StoreError::NotFound("device"));
    }
    // A lost device's unspent grants go back to their plans, in this same transaction; its
    // late handouts, if it ever syncs, are kept and flagged as beyond its grant.
    let released = crate::grants::release_unspent(
        &mut crate::storage::sqlite::SqliteTx::new(tx),
        actor,
        now,
        id,
    )
    .map_err(|e| match e {
        crate::plans::PlanError::Storage(e) => StoreError::from(e),
        e => StoreError::Corrupt(e.to_string()),
    })?;
    let device = tx.query_row(
        &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1"),
        [id.to_string()],
        device_row,
    )?;
    audit(
        tx,
        now,
        actor,
        "device.revoke",
        Some(id.to_string()),
        json!({"released": released
            .iter()
            .map(|(plan, item, quantity)| json!({
                "plan_id": plan, "item_id": item, "quantity": quantity}))
            .collect::<Vec<_>>()}),
    )?;
    changed(
        tx,
        now,
        "device",
        &id.to_string(),
        Some(device.unit_id),
        Some(id),
    )?;
    Ok(device)
}
