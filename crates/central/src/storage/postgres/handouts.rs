//! `handouts` and `plan_handout_totals`: every handout a device pushed, and what each plan
//! handed out of each item, kept in the same transaction (migration 0004).

use super::PgTx;
use crate::records::HandoutLine;
use crate::storage::{
    HandoutTable, NewHandout, PlanHandoutTotals, StorageError, StorageResult, StoredHandout,
};
use fieldpost_domain::{DeviceId, Handout, HandoutId, HandoutVoid, ItemId, PlanId, UnitId};
use fieldpost_sync::Record;

impl HandoutTable for PgTx<'_> {
    fn lines(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<HandoutLine>> {
        todo!("PostgreSQL")
    }
    fn over_grant(&mut self, limit: u32) -> StorageResult<Vec<HandoutLine>> {
        todo!("PostgreSQL")
    }
    fn insert(&mut self, device: DeviceId, rows: &[NewHandout<'_>]) -> StorageResult<bool> {
        todo!("PostgreSQL")
    }
    fn stored(&mut self, id: HandoutId) -> StorageResult<Option<StoredHandout>> {
        todo!("PostgreSQL")
    }
    fn void(&mut self, v: &HandoutVoid) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn of_batch(&mut self, batch_seq: u64) -> StorageResult<Vec<Record>> {
        todo!("PostgreSQL")
    }
    fn record(&mut self, id: &str) -> StorageResult<Option<Record>> {
        todo!("PostgreSQL")
    }
}

impl PlanHandoutTotals for PgTx<'_> {
    fn add(
        &mut self,
        plan: PlanId,
        item: ItemId,
        handed_out: i64,
        unbacked: i64,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
}
