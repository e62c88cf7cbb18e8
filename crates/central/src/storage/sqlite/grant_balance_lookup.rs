//! `grant_balances`, as a push reads them (to fold into the stock aggregate's table): what a
//! device may still hand out, one point lookup however many handouts it reported.

use fieldpost_domain::{DeviceId, ItemId, PlanId};
use rusqlite::{OptionalExtension, params};

use super::SqliteTx;
use crate::storage::{GrantBalanceLookup, StorageResult};

impl GrantBalanceLookup for SqliteTx<'_> {
    fn available(&mut self, plan: PlanId, device: DeviceId, item: ItemId) -> StorageResult<i64> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT available FROM grant_balances
                 WHERE device_id = ?1 AND plan_id = ?2 AND item_id = ?3",
            )?
            .query_row(
                params![device.to_string(), plan.to_string(), item.to_string()],
                |r| r.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }
}
