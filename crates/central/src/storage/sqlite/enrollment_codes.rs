//! `enrollment_codes`: one-time codes, by their SHA-256.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::{OptionalExtension, params};

use super::{SqliteTx, col, col_ts, ts};
use crate::storage::devices::EnrollmentCode;
use crate::storage::{EnrollmentCodeTable, StorageResult};

impl EnrollmentCodeTable for SqliteTx<'_> {
    fn insert(
        &mut self,
        code_hash: &str,
        unit: UnitId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        self.conn.execute(
            "INSERT INTO enrollment_codes (code_hash, unit_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![code_hash, unit.to_string(), ts(now), ts(expires_at)],
        )?;
        Ok(())
    }

    fn get(&mut self, code_hash: &str) -> StorageResult<Option<EnrollmentCode>> {
        Ok(self
            .conn
            .query_row(
                "SELECT unit_id, expires_at, used_at FROM enrollment_codes WHERE code_hash = ?1",
                [code_hash],
                |r| {
                    let used_at: Option<String> = r.get(2)?;
                    Ok(EnrollmentCode {
                        unit_id: col(r, 0)?,
                        expires_at: col_ts(r, 1)?,
                        used: used_at.is_some(),
                    })
                },
            )
            .optional()?)
    }

    fn mark_used(
        &mut self,
        code_hash: &str,
        now: DateTime<Utc>,
        device: DeviceId,
    ) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE enrollment_codes SET used_at = ?2, device_id = ?3 WHERE code_hash = ?1",
            params![code_hash, ts(now), device.to_string()],
        )?;
        Ok(())
    }
}
