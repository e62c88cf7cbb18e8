//! `change_log`: one row per pullable record, its latest change.
//!
//! Why the numbers follow commit order in SQLite: every write of the central goes through one
//! writer connection inside a `BEGIN IMMEDIATE` transaction, and SQLite admits one writer at a
//! time per database (even across processes). `server_seq` is `INTEGER PRIMARY KEY
//! AUTOINCREMENT`, assigned at insert inside that transaction, so two transactions that stamp
//! changes never overlap: the one that commits later started later and got larger numbers. A
//! reader's snapshot (WAL) holds every commit before it and none after, so a reader that has
//! seen `n` never later meets a new row below `n`.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::params;

use super::{SqliteTx, ts};
use crate::storage::{ChangeLog, Record, StorageResult};

impl ChangeLog for SqliteTx<'_> {
    fn stamp(
        &mut self,
        now: DateTime<Utc>,
        record: Record<'_>,
        unit: Option<UnitId>,
        device: Option<DeviceId>,
    ) -> StorageResult<i64> {
        // A record keeps one row, its latest change: a reader that had not reached the old
        // row meets the new one later (its number is higher), and one that had passed it meets
        // the new one too, so nothing is skipped; a pull from 0 is a snapshot.
        self.conn
            .prepare_cached("DELETE FROM change_log WHERE entity_id = ?1 AND entity = ?2")?
            .execute(params![record.id, record.entity])?;
        self.conn
            .prepare_cached(
                "INSERT INTO change_log (entity, entity_id, unit_id, device_id, changed_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?
            .execute(params![
                record.entity,
                record.id,
                unit.map(|u| u.to_string()),
                device.map(|d| d.to_string()),
                ts(now)
            ])?;
        Ok(self.conn.last_insert_rowid())
    }
}
