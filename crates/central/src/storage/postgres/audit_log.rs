//! `audit_log`: who did what, appended in the transaction of the change.

use super::PgTx;
use crate::audit::{Actor, AuditEntry};
use crate::storage::{AuditLog, StorageResult};
use chrono::{DateTime, Utc};

impl AuditLog for PgTx<'_> {
    fn append(
        &mut self,
        now: DateTime<Utc>,
        actor: &Actor,
        action: &str,
        subject: Option<&str>,
        detail: &serde_json::Value,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn latest(&mut self, limit: u32) -> StorageResult<Vec<AuditEntry>> {
        todo!("PostgreSQL")
    }
}
