//! Read-only sums over `plans`, `stock_ledger`, `plan_handout_totals` and `device_events`
//! that the unit-quota records and the console's device list are built from.

use fieldpost_domain::{ItemId, PlanId, PlanStatus};

use super::{SqliteTx, col, col_ts_opt, col_u64};
use crate::devices::DeviceActivity;
use crate::storage::records::PlanLine;
use crate::storage::{RecordsRollup, StorageError, StorageResult};

impl RecordsRollup for SqliteTx<'_> {
    fn plans(&mut self) -> StorageResult<Vec<PlanLine>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, unit_id, title, status FROM plans ORDER BY id")?;
        let rows = stmt.query_map([], |r| {
            Ok((
                col::<PlanId>(r, 0)?,
                col(r, 1)?,
                r.get::<_, String>(2)?,
                r.get::<_, String>(3)?,
            ))
        })?;
        rows.map(|row| {
            let (id, unit_id, title, status) = row?;
            let status = PlanStatus::parse(&status)
                .ok_or_else(|| StorageError::Corrupt(format!("plan {id} has status {status}")))?;
            Ok(PlanLine {
                id,
                unit_id,
                title,
                status,
            })
        })
        .collect()
    }

    fn allocated(&mut self) -> StorageResult<Vec<(PlanId, ItemId, u64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT plan_id, item_id,
                 SUM(CASE kind WHEN 'allocation' THEN quantity ELSE -quantity END)
             FROM stock_ledger WHERE kind IN ('allocation', 'return')
             GROUP BY plan_id, item_id",
        )?;
        let rows = stmt.query_map([], |r| Ok((col(r, 0)?, col(r, 1)?, col_u64(r, 2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn handed_out(&mut self) -> StorageResult<Vec<(PlanId, ItemId, u64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT plan_id, item_id, handed_out FROM plan_handout_totals WHERE handed_out > 0",
        )?;
        let rows = stmt.query_map([], |r| Ok((col(r, 0)?, col(r, 1)?, col_u64(r, 2)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// One lookup per device on `(device_id, seq)`.
    fn device_activity(&mut self) -> StorageResult<Vec<DeviceActivity>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.id,
                 (SELECT e.received_at FROM device_events e WHERE e.device_id = d.id
                  ORDER BY e.seq DESC LIMIT 1),
                 (SELECT e.seq FROM device_events e WHERE e.device_id = d.id
                  ORDER BY e.seq DESC LIMIT 1),
                 d.last_contact_at
             FROM devices d ORDER BY d.enrolled_at, d.id",
        )?;
        let rows = stmt.query_map([], |r| {
            let seq: Option<i64> = r.get(2)?;
            Ok(DeviceActivity {
                device_id: col(r, 0)?,
                last_push_at: col_ts_opt(r, 1)?,
                last_seq: seq.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                last_contact_at: col_ts_opt(r, 3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}
