//! `audit_log`: who did what, appended in the transaction of the change.

use chrono::{DateTime, Utc};

use super::{PgTx, get};
use crate::audit::{Actor, AuditEntry, AuditFilter};
use crate::storage::{AuditLog, StorageResult};
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

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
        rows.iter().map(entry_row).collect()
    }

    fn find(&mut self, filter: &AuditFilter, limit: u32) -> StorageResult<Vec<AuditEntry>> {
        let mut conditions: Vec<String> = Vec::new();
        let mut values: Vec<&(dyn ToSql + Sync)> = Vec::new();
        let limit = i64::from(limit);
        if let Some(action) = &filter.action {
            values.push(action);
            conditions.push(format!("action = ${}", values.len()));
        }
        if let Some(actor) = &filter.actor {
            values.push(actor);
            conditions.push(format!("strpos(actor, ${}) > 0", values.len()));
        }
        if let Some(from) = &filter.from {
            values.push(from);
            conditions.push(format!("at >= ${}", values.len()));
        }
        if let Some(to) = &filter.to {
            values.push(to);
            conditions.push(format!("at < ${}", values.len()));
        }
        if let Some(before) = &filter.before {
            values.push(before);
            conditions.push(format!("seq < ${}", values.len()));
        }
        let clause = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        values.push(&limit);
        let rows = self.query(
            &format!(
                "SELECT seq, at, actor, action, subject, detail FROM audit_log {clause}
                 ORDER BY seq DESC LIMIT ${}",
                values.len()
            ),
            &values,
        )?;
        rows.iter().map(entry_row).collect()
    }

    fn actions(&mut self) -> StorageResult<Vec<String>> {
        let rows = self.query("SELECT DISTINCT action FROM audit_log ORDER BY action", &[])?;
        rows.iter().map(|r| get(r, 0)).collect()
    }
}

fn entry_row(row: &Row) -> StorageResult<AuditEntry> {
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
}
