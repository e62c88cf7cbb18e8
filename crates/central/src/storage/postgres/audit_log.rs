//! `audit_log`: who did what, appended in the transaction of the change.

use chrono::{DateTime, Utc};

use super::{PgTx, get};
use crate::audit::{Actor, AuditEntry};
use crate::storage::{AuditLog, StorageResult};

impl AuditLog for PgTx<'_> {
    fn append(
        &mut self,
        now: DateTime<Utc>,
        actor: &Actor,
        action: &str,
        subject: Option<&str>,
        detail: &serde_json::Value,
    ) -> StorageResult<()> {
        self.execute(
            "INSERT INTO audit_log (at, actor, action, subject, detail)
             VALUES ($1, $2, $3, $4, $5)",
            &[
                &now,
                &actor.to_string(),
                &action,
                &subject,
                &detail.to_string(),
            ],
        )?;
        Ok(())
    }

    fn latest(&mut self, limit: u32) -> StorageResult<Vec<AuditEntry>> {
        let rows = self.query(
            "SELECT seq, at, actor, action, subject, detail FROM audit_log
             ORDER BY seq DESC LIMIT $1",
            &[&i64::from(limit)],
        )?;
        rows.iter()
            .map(|row| {
                let detail: String = get(row, 5)?;
                Ok(AuditEntry {
                    seq: get(row, 0)?,
                    at: get(row, 1)?,
                    actor: get(row, 2)?,
                    action: get(row, 3)?,
                    subject: get(row, 4)?,
                    // A detail that is not JSON was written by hand; show it as missing.
                    detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
                })
            })
            .collect()
    }
}
