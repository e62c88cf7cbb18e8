//! `audit_log`: who did what, appended in the transaction of the change.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{SqliteTx, col_ts, ts};
use crate::audit::{Actor, AuditEntry};
use crate::storage::{AuditLog, StorageResult};

impl AuditLog for SqliteTx<'_> {
    fn append(
        &mut self,
        now: DateTime<Utc>,
        actor: &Actor,
        action: &str,
        subject: Option<&str>,
        detail: &serde_json::Value,
    ) -> StorageResult<()> {
        self.conn
            .prepare_cached(
                "INSERT INTO audit_log (at, actor, action, subject, detail)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                ts(now),
                actor.to_string(),
                action,
                subject,
                detail.to_string()
            ])?;
        Ok(())
    }

    fn latest(&mut self, limit: u32) -> StorageResult<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, at, actor, action, subject, detail FROM audit_log
             ORDER BY seq DESC LIMIT ?1",
        )?;
        let rows = stmt.query_map([limit], |row| {
            let detail: String = row.get(5)?;
            Ok(AuditEntry {
                seq: row.get(0)?,
                at: col_ts(row, 1)?,
                actor: row.get(2)?,
                action: row.get(3)?,
                subject: row.get(4)?,
                // A detail that is not JSON was written by hand; show it as missing.
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}
