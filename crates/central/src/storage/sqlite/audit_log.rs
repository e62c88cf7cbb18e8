//! `audit_log`: who did what, appended in the transaction of the change.

use chrono::{DateTime, Utc};
use rusqlite::params;

use super::{SqliteTx, col_ts, ts};
use crate::audit::{Actor, AuditEntry, AuditFilter};
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
        let rows = stmt.query_map([limit], entry_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn find(&mut self, filter: &AuditFilter, limit: u32) -> StorageResult<Vec<AuditEntry>> {
        let mut conditions: Vec<&str> = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(action) = &filter.action {
            conditions.push("action = ?");
            values.push(action.clone().into());
        }
        if let Some(actor) = &filter.actor {
            conditions.push("instr(actor, ?) > 0");
            values.push(actor.clone().into());
        }
        if let Some(from) = filter.from {
            conditions.push("at >= ?");
            values.push(ts(from).into());
        }
        if let Some(to) = filter.to {
            conditions.push("at < ?");
            values.push(ts(to).into());
        }
        if let Some(before) = filter.before {
            conditions.push("seq < ?");
            values.push(before.into());
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        values.push(i64::from(limit).into());
        let mut stmt = self.conn.prepare(&format!(
            "SELECT seq, at, actor, action, subject, detail FROM audit_log {clause}
             ORDER BY seq DESC LIMIT ?"
        ))?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), entry_row)?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }

    fn actions(&mut self) -> StorageResult<Vec<String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT action FROM audit_log ORDER BY action")?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
    }
}

fn entry_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEntry> {
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
}
