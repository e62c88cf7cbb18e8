//! Read-only sums over `plans`, `stock_ledger`, `plan_handout_totals` and `device_events`
//! that the unit-quota records and the console's device list are built from.

use super::PgTx;
use crate::devices::DeviceActivity;
use crate::storage::records::PlanLine;
use crate::storage::{RecordsRollup, StorageError, StorageResult};
use fieldpost_domain::{ItemId, PlanId, PlanStatus};

impl RecordsRollup for PgTx<'_> {
    fn plans(&mut self) -> StorageResult<Vec<PlanLine>> {
        todo!("PostgreSQL")
    }
    fn allocated(&mut self) -> StorageResult<Vec<(PlanId, ItemId, u64)>> {
        todo!("PostgreSQL")
    }
    fn handed_out(&mut self) -> StorageResult<Vec<(PlanId, ItemId, u64)>> {
        todo!("PostgreSQL")
    }
    fn device_activity(&mut self) -> StorageResult<Vec<DeviceActivity>> {
        todo!("PostgreSQL")
    }
}
