//! The stock ledger for what is still below the storage seam (the push path and the seeds),
//! as thin calls into the ledger's table (`crate::storage::sqlite::stock_ledger`) and the
//! stock use cases, so that its SQL and its rules are written once.

use chrono::{DateTime, Utc};
use rusqlite::Connection;

use crate::audit::Actor;
use crate::stock::LedgerEntry;
use crate::storage::sqlite::SqliteTx;
pub(super) use crate::storage::stock::Movement as Post;
use crate::store::StoreResult;

/// Posts a movement (see [`crate::stock::post`]).
pub(super) fn post(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    p: Post,
) -> StoreResult<LedgerEntry> {
    Ok(crate::stock::post(&mut SqliteTx::new(tx), now, actor, &p)?)
}
