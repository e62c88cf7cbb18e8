//! The stock ledger for what is still below the storage seam (the push path and the seeds),
//! as thin calls into the ledger's table (`crate::storage::sqlite::stock_ledger`) and the
//! stock use cases, so that its SQL and its rules are written once.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, ItemId, PlanId};
use rusqlite::{Connection, Transaction};

use crate::audit::Actor;
use crate::stock::LedgerEntry;
use crate::storage::sqlite::SqliteTx;
pub(super) use crate::storage::stock::Movement as Post;
use crate::storage::stock::StockLedger;
use crate::store::StoreResult;

/// Posts a movement (see [`crate::stock::post`]).
pub(super) fn post(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    p: Post,
) -> StoreResult<LedgerEntry> {
    Ok(crate::stock::post(&mut SqliteTx::new(tx), now, actor, &p)?)
}

/// What a device may still hand out or release under a plan: one point lookup.
pub(super) fn device_available(
    c: &Connection,
    plan: PlanId,
    device: DeviceId,
    item: ItemId,
) -> StoreResult<i64> {
    Ok(SqliteTx::new(c).device_available(plan, device, item)?)
}
