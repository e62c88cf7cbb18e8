//! Devices' top-up requests (申请追加) for what is still below the storage seam (the push's
//! bridge): thin calls into the `top_up_requests` table, so that its SQL is written once
//! (`crate::storage::sqlite::top_up_requests`).

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, TopUpAnswer, TopUpRequest, UnitId};
use rusqlite::Connection;

use crate::storage::sqlite::SqliteTx;
use crate::storage::top_ups::TopUpTable;
use crate::store::StoreResult;

/// Stores a device's request, applied from its event. Returns false when a request of that
/// id is stored already (an id the device should never have reused).
pub(super) fn insert(
    tx: &Connection,
    now: DateTime<Utc>,
    unit: UnitId,
    device: DeviceId,
    r: &TopUpRequest,
) -> StoreResult<bool> {
    Ok(SqliteTx::new(tx).insert(now, unit, device, r)?)
}

/// The answer to request `id`, once it is decided; `None` while it is open or unknown.
pub(super) fn answer(c: &Connection, id: &str) -> StoreResult<Option<TopUpAnswer>> {
    Ok(SqliteTx::new(c).answer(id)?)
}
