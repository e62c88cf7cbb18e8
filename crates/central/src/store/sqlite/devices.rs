//! Devices, enrollment codes, console users and their sessions.

use crate::error::ErrorCode;
use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde_json::json;
use uuid::Uuid;

use super::catalog::unit;
use super::{audit, changed, col, col_opt, col_ts, col_ts_opt, required, ts};
use crate::audit::Actor;
use crate::devices::{DeviceAuth, DeviceRecord};
use crate::error::StoreError;
use crate::store::StoreResult;
use crate::users::{NewUser, Role, User};

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
            code: ErrorCode::InvalidEnrollmentCode,
            message: "unknown enrollment code".into(),
        });
    };
    if used_at.is_some() {
        return Err(StoreError::conflict_on(
            ErrorCode::EnrollmentCodeUsed,
            "code",
            "this enrollment code has already been used",
        ));
    }
    if now >= expires_at {
        return Err(StoreError::Credential {
            code: ErrorCode::EnrollmentCodeExpired,
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
    let released = super::plans::release_unspent(tx, actor, now, id)?;
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

const USER_COLUMNS: &str = "id, username, role, unit_id";

fn user_row(r: &Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(2)?;
    Ok(User {
        id: col(r, 0)?,
        username: r.get(1)?,
        role: Role::parse(&role).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                2,
                rusqlite::types::Type::Text,
                format!("unknown role {role}").into(),
            )
        })?,
        unit_id: col_opt(r, 3)?,
    })
}

pub(super) fn create_user(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    new: NewUser,
) -> StoreResult<User> {
    let mut user = new.user;
    user.username = required("username", &user.username)?;
    if let Some(u) = user.unit_id {
        match unit(tx, u) {
            Err(StoreError::NotFound(_)) => {
                return Err(StoreError::invalid("unit_id", "no such unit"));
            }
            other => other?,
        };
    }
    tx.execute(
        &format!("INSERT INTO users ({USER_COLUMNS}, password_hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        params![
            user.id.to_string(),
            user.username,
            user.role.as_str(),
            user.unit_id.map(|u| u.to_string()),
            new.password_hash,
            ts(now)
        ],
    )?;
    audit(
        tx,
        now,
        actor,
        "user.create",
        Some(user.id.to_string()),
        json!({"username": user.username, "role": user.role, "unit_id": user.unit_id}),
    )?;
    Ok(user)
}

pub(super) fn users(c: &Connection) -> StoreResult<Vec<User>> {
    let mut stmt = c.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY rowid"))?;
    let rows = stmt.query_map([], user_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn user_credentials(
    c: &Connection,
    username: &str,
) -> StoreResult<Option<(User, String)>> {
    Ok(c.query_row(
        &format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE username = ?1"),
        [username],
        |r| Ok((user_row(r)?, r.get(4)?)),
    )
    .optional()?)
}

pub(super) fn create_session(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    user: Uuid,
    token_hash: String,
    expires_at: DateTime<Utc>,
) -> StoreResult<()> {
    // Expired sessions are swept here, on the write path, rather than by a timer.
    tx.execute(
        "DELETE FROM console_sessions WHERE expires_at <= ?1",
        [ts(now)],
    )?;
    tx.execute(
        "INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4)",
        params![token_hash, user.to_string(), ts(now), ts(expires_at)],
    )?;
    Ok(())
}

pub(super) fn session_user(
    c: &Connection,
    now: DateTime<Utc>,
    token_hash: &str,
) -> StoreResult<Option<User>> {
    Ok(c.query_row(
        &format!(
            "SELECT {} FROM console_sessions s JOIN users u ON u.id = s.user_id
             WHERE s.token_hash = ?1 AND s.expires_at > ?2",
            USER_COLUMNS
                .split(", ")
                .map(|c| format!("u.{c}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        params![token_hash, ts(now)],
        user_row,
    )
    .optional()?)
}
