//! `change_log` on PostgreSQL: one row per changed record, `server_seq` an identity.
//!
//! # Why a reader never skips a number here
//!
//! An identity hands out numbers at insert time, and transactions commit in any order: were
//! two writers to run at once, a reader could see 11 committed while 10 is still in flight,
//! move its cursor past 10 and never pull it. Every write transaction of the central takes
//! the writer's advisory lock first and holds it to commit (see `database.rs`), so two
//! transactions that stamp never overlap, across every instance on the database: the one
//! that stamps later started after the earlier one committed and got larger numbers.
//! PostgreSQL makes a commit visible before it releases the transaction's locks, so by the
//! time a later writer can stamp, the earlier one's rows are visible to every new snapshot.
//! A pull reads in one `REPEATABLE READ` snapshot, which therefore holds the rows up to some
//! number and none above: a reader that has seen `n` never later meets a new row below `n`.
//! The test `two_instances_never_skip` (crates/server/tests/it/postgres.rs) pushes from two
//! processes at once while a third pulls.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};

use super::{PgTx, big, col_opt, get};
use crate::storage::{ChangeLog, LogRow, StorageResult};

impl ChangeLog for PgTx<'_> {
    fn created(
        &mut self,
        now: DateTime<Utc>,
        entity: &str,
        entity_id: &str,
        unit: Option<UnitId>,
        device: Option<DeviceId>,
    ) -> StorageResult<u64> {
        let row = self.query_one(
            "INSERT INTO change_log (entity, entity_id, unit_id, device_id, changed_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING server_seq",
            &[
                &entity,
                &entity_id,
                &unit.map(|u| u.to_string()),
                &device.map(|d| d.to_string()),
                &now,
            ],
        )?;
        Ok(get::<i64>(&row, 0)?.unsigned_abs())
    }

    fn changed(
        &mut self,
        now: DateTime<Utc>,
        entity: &str,
        entity_id: &str,
        unit: Option<UnitId>,
        device: Option<DeviceId>,
    ) -> StorageResult<u64> {
        self.execute(
            "DELETE FROM change_log WHERE entity_id = $1 AND entity = $2",
            &[&entity_id, &entity],
        )?;
        self.created(now, entity, entity_id, unit, device)
    }

    fn after(
        &mut self,
        unit: Option<UnitId>,
        after: u64,
        limit: u32,
    ) -> StorageResult<Vec<LogRow>> {
        let after = big(after)?;
        let limit = i64::from(limit);
        let rows = match unit {
            Some(unit) => self.query(
                "SELECT server_seq, entity, entity_id, device_id FROM change_log
                 WHERE unit_id = $1 AND server_seq > $2 ORDER BY server_seq LIMIT $3",
                &[&unit.to_string(), &after, &limit],
            )?,
            None => self.query(
                "SELECT server_seq, entity, entity_id, device_id FROM change_log
                 WHERE unit_id IS NULL AND server_seq > $1 ORDER BY server_seq LIMIT $2",
                &[&after, &limit],
            )?,
        };
        rows.iter()
            .map(|r| {
                Ok(LogRow {
                    seq: get::<i64>(r, 0)?.unsigned_abs(),
                    entity: get(r, 1)?,
                    entity_id: get(r, 2)?,
                    device: col_opt(r, 3)?,
                })
            })
            .collect()
    }
}
