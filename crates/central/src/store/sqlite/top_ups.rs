//! Devices' top-up requests (申请追加): stored from their `top_up_requested` events (see
//! [`super::sync`]), listed for the secretariat, fulfilled with a grant or declined.
//!
//! Every decision stamps a `top_up` change scoped to the request's device in the same
//! transaction, so that the device pulls the answer (see `record` in [`super::sync`]); a
//! fulfilment's grant is stamped by the grant path beside it.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, TopUpAnswer, TopUpAnswerStatus, TopUpRequest, UnitId};
use rusqlite::{Connection, OptionalExtension, params};

use super::{col, col_opt, col_ts, ts};
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
    let inserted = tx
        .prepare_cached(
            "INSERT INTO top_up_requests (id, plan_id, unit_id, device_id, item_id, quantity,
                 note, requested_at, received_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            r.id.to_string(),
            r.plan_id.to_string(),
            unit.to_string(),
            device.to_string(),
            r.item_id.to_string(),
            r.quantity,
            r.note,
            ts(r.requested_at),
            ts(now)
        ])?;
    Ok(inserted == 1)
}

/// The answer to request `id`, once it is decided; `None` while it is open or unknown.
pub(super) fn answer(c: &Connection, id: &str) -> StoreResult<Option<TopUpAnswer>> {
    let row = c
        .prepare_cached(
            "SELECT id, status, granted, grant_id, decline_reason, decided_at
             FROM top_up_requests WHERE id = ?1 AND status <> 'open'",
        )?
        .query_row([id], |r| {
            let status: String = r.get(1)?;
            let status = match status.as_str() {
                "fulfilled" => TopUpAnswerStatus::Fulfilled,
                "declined" => TopUpAnswerStatus::Declined,
                other => {
                    return Err(rusqlite::Error::FromSqlConversionFailure(
                        1,
                        rusqlite::types::Type::Text,
                        format!("top-up status {other:?}").into(),
                    ));
                }
            };
            Ok(TopUpAnswer {
                request_id: col(r, 0)?,
                status,
                granted: r
                    .get::<_, Option<i64>>(2)?
                    .map(|g| u32::try_from(g).unwrap_or(0)),
                grant_id: col_opt(r, 3)?,
                reason: r.get(4)?,
                decided_at: col_ts(r, 5)?,
            })
        })
        .optional()?;
    Ok(row)
}
