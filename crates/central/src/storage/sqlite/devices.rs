//! `devices`: enrolled tablets, with the hash of their bearer token.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_ts, col_ts_opt, ts};
use crate::devices::{DeviceAuth, DeviceRecord};
use crate::storage::devices::{DeviceStanding, TokenKind};
use crate::storage::{DeviceTable, StorageResult};

const DEVICE_COLUMNS: &str = "id, unit_id, name, enrolled_at, revoked_at, token_issued_at";

fn device_row(r: &Row<'_>) -> rusqlite::Result<DeviceRecord> {
    Ok(DeviceRecord {
        id: col(r, 0)?,
        unit_id: col(r, 1)?,
        name: r.get(2)?,
        enrolled_at: col_ts(r, 3)?,
        revoked_at: col_ts_opt(r, 4)?,
        token_issued_at: col_ts(r, 5)?,
    })
}

impl DeviceTable for SqliteTx<'_> {
    fn insert(&mut self, d: &DeviceRecord, token_hash: &str) -> StorageResult<()> {
        self.conn.execute(
            &format!(
                "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
            ),
            params![
                d.id.to_string(),
                d.unit_id.to_string(),
                d.name,
                ts(d.enrolled_at),
                d.revoked_at.map(ts),
                ts(d.token_issued_at),
                token_hash
            ],
        )?;
        Ok(())
    }

    fn get(&mut self, id: DeviceId) -> StorageResult<Option<DeviceRecord>> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {DEVICE_COLUMNS} FROM devices WHERE id = ?1"),
                [id.to_string()],
                device_row,
            )
            .optional()?)
    }

    fn by_token(&mut self, token_hash: &str) -> StorageResult<Option<(DeviceAuth, TokenKind)>> {
        // Two unique indexes, one lookup each (SQLite's OR of two indexes).
        Ok(self
            .conn
            .prepare_cached(
                "SELECT id, unit_id, revoked_at, token_issued_at, token_hash = ?1 FROM devices
                 WHERE token_hash = ?1 OR next_token_hash = ?1",
            )?
            .query_row([token_hash], |r| {
                let revoked: Option<String> = r.get(2)?;
                let current: bool = r.get(4)?;
                Ok((
                    DeviceAuth {
                        id: col(r, 0)?,
                        unit_id: col(r, 1)?,
                        revoked: revoked.is_some(),
                        token_issued_at: col_ts(r, 3)?,
                    },
                    if current {
                        TokenKind::Current
                    } else {
                        TokenKind::Successor
                    },
                ))
            })
            .optional()?)
    }

    fn take_successor(&mut self, id: DeviceId, next_hash: &str) -> StorageResult<bool> {
        let n = self.conn.execute(
            "UPDATE devices SET token_hash = next_token_hash,
                 token_issued_at = next_token_offered_at, next_token_hash = NULL,
                 next_token_salt = NULL, next_token_offered_at = NULL
             WHERE id = ?1 AND next_token_hash = ?2",
            params![id.to_string(), next_hash],
        )?;
        Ok(n > 0)
    }

    fn successor_salt(
        &mut self,
        id: DeviceId,
        current_hash: &str,
    ) -> StorageResult<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT next_token_salt FROM devices WHERE id = ?1 AND token_hash = ?2",
            )?
            .query_row(params![id.to_string(), current_hash], |r| {
                r.get::<_, Option<String>>(0)
            })
            .optional()?
            .flatten())
    }

    fn offer_successor(
        &mut self,
        id: DeviceId,
        current_hash: &str,
        salt: &str,
        next_hash: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE devices SET next_token_hash = ?3, next_token_salt = ?4,
                 next_token_offered_at = ?5
             WHERE id = ?1 AND token_hash = ?2 AND next_token_hash IS NULL",
            params![id.to_string(), current_hash, next_hash, salt, ts(now)],
        )?;
        Ok(())
    }

    fn all(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<DeviceRecord>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {DEVICE_COLUMNS} FROM devices WHERE ?1 IS NULL OR unit_id = ?1 ORDER BY rowid"
        ))?;
        let rows = stmt.query_map([unit.map(|u| u.to_string())], device_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn revoke(&mut self, id: DeviceId, now: DateTime<Utc>) -> StorageResult<bool> {
        let n = self.conn.execute(
            "UPDATE devices SET revoked_at = COALESCE(revoked_at, ?2) WHERE id = ?1",
            params![id.to_string(), ts(now)],
        )?;
        Ok(n > 0)
    }

    fn standing(&mut self, id: DeviceId) -> StorageResult<Option<DeviceStanding>> {
        Ok(self
            .conn
            .prepare_cached("SELECT unit_id, revoked_at FROM devices WHERE id = ?1")?
            .query_row([id.to_string()], |r| {
                Ok(DeviceStanding {
                    unit: col(r, 0)?,
                    revoked: r.get::<_, Option<String>>(1)?.is_some(),
                })
            })
            .optional()?)
    }

    fn active_of_unit(&mut self, unit: UnitId) -> StorageResult<Vec<DeviceId>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT id FROM devices WHERE unit_id = ?1 AND revoked_at IS NULL
             ORDER BY enrolled_at, rowid",
        )?;
        let rows = stmt.query_map([unit.to_string()], |r| col(r, 0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn heard_from(&mut self, id: DeviceId, at: DateTime<Utc>) -> StorageResult<()> {
        self.conn
            .prepare_cached(
                "UPDATE devices SET last_contact_at = ?2
                 WHERE id = ?1 AND (last_contact_at IS NULL OR last_contact_at < ?2)",
            )?
            .execute(params![id.to_string(), ts(at)])?;
        Ok(())
    }

    fn unit_and_campaign(&mut self, id: DeviceId) -> StorageResult<Option<(UnitId, String)>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT d.unit_id, u.campaign_id FROM devices d JOIN units u ON u.id = d.unit_id
                 WHERE d.id = ?1",
            )?
            .query_row([id.to_string()], |r| Ok((col(r, 0)?, r.get(1)?)))
            .optional()?)
    }
}
