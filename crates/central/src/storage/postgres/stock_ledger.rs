//! `stock_ledger` and `grant_balances`: every movement is a row, every balance a sum, and a
//! device's spendable grant is kept current by every post so that it is one point lookup.

use super::PgTx;
use crate::audit::Actor;
use crate::plans::DeviceGrantBalance;
use crate::stock::{LedgerEntry, LedgerKind, StockBalance};
use crate::storage::StorageResult;
use crate::storage::stock::{Movement, PlanBalance, StockLedger};
use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, Grant, GrantId, ItemId, ItemQuantity, PlanId};

impl StockLedger for PgTx<'_> {
    fn post(
        &mut self,
        now: DateTime<Utc>,
        actor: &Actor,
        p: &Movement,
    ) -> StorageResult<LedgerEntry> {
        todo!("PostgreSQL")
    }
    fn on_hand(&mut self, item: ItemId) -> StorageResult<i64> {
        todo!("PostgreSQL")
    }
    fn plan_balance(&mut self, plan: PlanId, item: ItemId) -> StorageResult<PlanBalance> {
        todo!("PostgreSQL")
    }
    fn grant(&mut self, id: GrantId) -> StorageResult<Option<Grant>> {
        todo!("PostgreSQL")
    }
    fn device_available(
        &mut self,
        plan: PlanId,
        device: DeviceId,
        item: ItemId,
    ) -> StorageResult<i64> {
        todo!("PostgreSQL")
    }
    fn balances(&mut self) -> StorageResult<Vec<StockBalance>> {
        todo!("PostgreSQL")
    }
    fn entries(
        &mut self,
        item: Option<ItemId>,
        after_seq: i64,
        limit: u32,
    ) -> StorageResult<Vec<LedgerEntry>> {
        todo!("PostgreSQL")
    }
    fn plan_entries(&mut self, plan: PlanId, kind: LedgerKind) -> StorageResult<Vec<LedgerEntry>> {
        todo!("PostgreSQL")
    }
    fn plan_items(&mut self, plan: PlanId) -> StorageResult<Vec<ItemId>> {
        todo!("PostgreSQL")
    }
    fn plan_allocation(&mut self, plan: PlanId) -> StorageResult<Vec<ItemQuantity>> {
        todo!("PostgreSQL")
    }
    fn plan_device_balances(&mut self, plan: PlanId) -> StorageResult<Vec<DeviceGrantBalance>> {
        todo!("PostgreSQL")
    }
    fn unspent_grants(&mut self, device: DeviceId) -> StorageResult<Vec<(PlanId, ItemId, i64)>> {
        todo!("PostgreSQL")
    }
}
