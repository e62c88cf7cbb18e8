//! `enrollment_codes`: one-time codes, by their SHA-256.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};

use super::{PgTx, col, get};
use crate::storage::devices::EnrollmentCode;
use crate::storage::{EnrollmentCodeTable, StorageResult};

impl EnrollmentCodeTable for PgTx<'_> {
    fn insert(
        &mut self,
        code_hash: &str,
        unit: UnitId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO enrollment_codes (code_hash, unit_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4)",
            &[&code_hash, &unit.to_string(), &now, &expires_at],
        )?;
        Ok(())
    }

    fn get(&mut self, code_hash: &str) -> StorageResult<Option<EnrollmentCode>> {
        let row = self.query_opt(
            "SELECT unit_id, expires_at, used_at IS NOT NULL FROM enrollment_codes
             WHERE code_hash = $1",
            &[&code_hash],
        )?;
        row.map(|r| {
            Ok(EnrollmentCode {
                unit_id: col(&r, 0)?,
                expires_at: get(&r, 1)?,
                used: get(&r, 2)?,
            })
        })
        .transpose()
    }

    fn mark_used(
        &mut self,
        code_hash: &str,
        now: DateTime<Utc>,
        device: DeviceId,
    ) -> StorageResult<()> {
        self.execute(
            "UPDATE enrollment_codes SET used_at = $2, device_id = $3 WHERE code_hash = $1",
            &[&code_hash, &now, &device.to_string()],
        )?;
        Ok(())
    }
}
