//! `change_log`: one row per changed record, `server_seq INTEGER PRIMARY KEY AUTOINCREMENT`
//! stamped inside the one writer's transaction (see [`crate::storage::ChangeLog`] for why a
//! reader never skips a number, and what PostgreSQL must do instead).

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::params;

use super::{SqliteTx, col_opt, ts};
use crate::storage::{ChangeLog, LogRow, StorageResult};

impl ChangeLog for SqliteTx<'_> {
    fn created(
        &mut self,
        now: DateTime<Utc>,
        entity: &str,
        entity_id: &str,
        unit: Option<UnitId>,
        device: Option<DeviceId>,
    ) -> StorageResult<u64> {
        self.conn
            .prepare_cached(
                "INSERT INTO change_log (entity, entity_id, unit_id, device_id, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                entity,
                entity_id,
                unit.map(|u| u.to_string()),
                device.map(|d| d.to_string()),
                ts(now)
            ])?;
        Ok(self.conn.last_insert_rowid().unsigned_abs())
    }

    fn changed(
        &mut self,
        now: DateTime<Utc>,
        entity: &str,
        entity_id: &str,
        unit: Option<UnitId>,
        device: Option<DeviceId>,
    ) -> StorageResult<u64> {
        self.conn
            .prepare_cached("DELETE FROM change_log WHERE entity_id = ?1 AND entity = ?2")?
            .execute(params![entity_id, entity])?;
        self.created(now, entity, entity_id, unit, device)
    }

    fn after(
        &mut self,
        unit: Option<UnitId>,
        after: u64,
        limit: u32,
    ) -> StorageResult<Vec<LogRow>> {
        let map = |r: &rusqlite::Row<'_>| {
            Ok(LogRow {
                seq: r.get::<_, i64>(0)?.unsigned_abs(),
                entity: r.get(1)?,
                entity_id: r.get(2)?,
                device: col_opt(r, 3)?,
            })
        };
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let rows = match unit {
            Some(unit) => self
                .conn
                .prepare_cached(
                    "SELECT server_seq, entity, entity_id, device_id FROM change_log
                     WHERE unit_id = ?1 AND server_seq > ?2 ORDER BY server_seq LIMIT ?3",
                )?
                .query_map(params![unit.to_string(), after, limit], map)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            None => self
                .conn
                .prepare_cached(
                    "SELECT server_seq, entity, entity_id, device_id FROM change_log
                     WHERE unit_id IS NULL AND server_seq > ?1 ORDER BY server_seq LIMIT ?2",
                )?
                .query_map(params![after, limit], map)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        };
        Ok(rows)
    }
}
