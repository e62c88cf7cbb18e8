//! `enrollment_codes`: one-time codes, by their SHA-256.

use super::PgTx;
use crate::storage::devices::EnrollmentCode;
use crate::storage::{EnrollmentCodeTable, StorageResult};
use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};

impl EnrollmentCodeTable for PgTx<'_> {
    fn insert(
        &mut self,
        code_hash: &str,
        unit: UnitId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn get(&mut self, code_hash: &str) -> StorageResult<Option<EnrollmentCode>> {
        todo!("PostgreSQL")
    }
    fn mark_used(
        &mut self,
        code_hash: &str,
        now: DateTime<Utc>,
        device: DeviceId,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
}
