//! Read-only sums over `plans`, `stock_ledger`, `plan_handout_totals` and `device_events`
//! that the unit-quota records and the console's device list are built from.

use fieldpost_domain::{ItemId, PlanId, PlanStatus};

use super::{PgTx, col, col_u64, get};
use crate::devices::DeviceActivity;
use crate::storage::records::PlanLine;
use crate::storage::{RecordsRollup, StorageError, StorageResult};

impl RecordsRollup for PgTx<'_> {
    fn plans(&mut self) -> StorageResult<Vec<PlanLine>> {
        let rows = self.query(
            "SELECT id, unit_id, title, status FROM plans ORDER BY id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                let id: PlanId = col(r, 0)?;
                let status: String = get(r, 3)?;
                let status = PlanStatus::parse(&status).ok_or_else(|| {
                    StorageError::Corrupt(format!("plan {id} has status {status}"))
                })?;
                Ok(PlanLine {
                    id,
                    unit_id: col(r, 1)?,
                    title: get(r, 2)?,
                    status,
                })
            })
            .collect()
    }

    fn allocated(&mut self) -> StorageResult<Vec<(PlanId, ItemId, u64)>> {
        // Ordered as SQLite reads them off `stock_ledger_plan_allocation`.
        let rows = self.query(
            "SELECT plan_id, item_id,
                 SUM(CASE kind WHEN 'allocation' THEN quantity ELSE -quantity END)::bigint
             FROM stock_ledger WHERE kind IN ('allocation', 'return')
             GROUP BY plan_id, item_id ORDER BY plan_id, item_id",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((col(r, 0)?, col(r, 1)?, col_u64(r, 2)?)))
            .collect()
    }

    fn handed_out(&mut self) -> StorageResult<Vec<(PlanId, ItemId, u64)>> {
        // Ordered as SQLite's table, keyed by (plan_id, item_id) without a rowid.
        let rows = self.query(
            "SELECT plan_id, item_id, handed_out FROM plan_handout_totals WHERE handed_out > 0
             ORDER BY plan_id, item_id",
            &[],
        )?;
        rows.iter()
            .map(|r| Ok((col(r, 0)?, col(r, 1)?, col_u64(r, 2)?)))
            .collect()
    }

    /// One lookup per device on `(device_id, seq)`.
    fn device_activity(&mut self) -> StorageResult<Vec<DeviceActivity>> {
        let rows = self.query(
            "SELECT d.id,
                 (SELECT e.received_at FROM device_events e WHERE e.device_id = d.id
                  ORDER BY e.seq DESC LIMIT 1),
                 (SELECT e.seq FROM device_events e WHERE e.device_id = d.id
                  ORDER BY e.seq DESC LIMIT 1),
                 d.last_contact_at
             FROM devices d ORDER BY d.enrolled_at, d.id",
            &[],
        )?;
        rows.iter()
            .map(|r| {
                let seq: Option<i64> = get(r, 2)?;
                Ok(DeviceActivity {
                    device_id: col(r, 0)?,
                    last_push_at: get(r, 1)?,
                    last_seq: seq.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
                    last_contact_at: get(r, 3)?,
                })
            })
            .collect()
    }
}
