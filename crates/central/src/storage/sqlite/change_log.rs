//! `change_log`: one row per changed record, its latest change, numbered in commit order
//! (why the numbers follow commit order is in `crate::store::sqlite::sync`'s module doc).

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};
use rusqlite::params;

use super::{SqliteTx, ts};
use crate::storage::{ChangeLog, StorageResult};

impl ChangeLog for SqliteTx<'_> {
    fn changed(
        &mut self,
        now: DateTime<Utc>,
        entity: &str,
        entity_id: &str,
        unit: Option<UnitId>,
        device: Option<DeviceId>,
    ) -> StorageResult<()> {
        // A reader that had not reached the old row meets the new one later (its number is
        // higher), and one that had passed it meets the new one too: nothing is skipped.
        self.conn
            .prepare_cached("DELETE FROM change_log WHERE entity_id = ?1 AND entity = ?2")?
            .execute(params![entity_id, entity])?;
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
        Ok(())
    }
}
