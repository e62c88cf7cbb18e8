//! `devices`: enrolled tablets, with the hash of their bearer token.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col, col_ts, col_ts_opt, ts};
use crate::devices::{DeviceAuth, DeviceRecord};
use crate::storage::devices::DeviceStanding;
use crate::storage::{DeviceTable, StorageResult};

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

impl DeviceTable for SqliteTx<'_> {
    fn insert(&mut self, d: &DeviceRecord, token_hash: &str) -> StorageResult<()> {
        self.conn.execute(
            &format!(
                "INSERT INTO devices ({DEVICE_COLUMNS}, token_hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
            ),
            params![
                d.id.to_string(),
                d.unit_id.to_string(),
                d.name,
                ts(d.enrolled_at),
                d.revoked_at.map(ts),
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

    fn by_token(&mut self, token_hash: &str) -> StorageResult<Option<DeviceAuth>> {
        Ok(self
            .conn
            .query_row(
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
