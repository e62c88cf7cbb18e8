//! Devices' top-up requests (申请追加): stored from their `top_up_requested` events (see
//! [`super::sync`]), listed for the secretariat, fulfilled with a grant or declined.
//!
//! Every decision stamps a `top_up` change scoped to the request's device in the same
//! transaction, so that the device pulls the answer (see `record` in [`super::sync`]); a
//! fulfilment's grant is stamped by the grant path beside it.

use crate::error::ErrorCode;
use chrono::{DateTime, Utc};
use fieldpost_domain::{
    DeviceId, ItemId, PlanId, TopUpAnswer, TopUpAnswerStatus, TopUpRequest, TopUpRequestId, UnitId,
};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde_json::json;

use super::ledger::plan_balance;
use super::{audit, changed, col, col_opt, col_ts, col_ts_opt, col_u32, plans, positive, ts};
use crate::audit::Actor;
use crate::error::StoreError;
use crate::plans::DeviceShare;
use crate::store::StoreResult;
use crate::top_ups::{TopUpRequestLine, TopUpStatus};

const SELECT: &str = "SELECT r.id, r.plan_id, p.title, r.unit_id, r.device_id, d.name, r.item_id,
        r.quantity, r.note, r.requested_at, r.received_at, r.status, r.grant_id, r.granted,
        r.decline_reason, r.decided_at, r.decided_by
    FROM top_up_requests r
    JOIN plans p ON p.id = r.plan_id
    JOIN devices d ON d.id = r.device_id";

fn line(r: &Row<'_>) -> rusqlite::Result<TopUpRequestLine> {
    let status: String = r.get(11)?;
    Ok(TopUpRequestLine {
        id: col(r, 0)?,
        plan_id: col(r, 1)?,
        plan_title: r.get(2)?,
        unit_id: col(r, 3)?,
        device_id: col(r, 4)?,
        device_name: r.get(5)?,
        item_id: col(r, 6)?,
        quantity: col_u32(r, 7)?,
        note: r.get(8)?,
        requested_at: col_ts(r, 9)?,
        received_at: col_ts(r, 10)?,
        status: TopUpStatus::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                11,
                rusqlite::types::Type::Text,
                format!("top-up status {status:?}").into(),
            )
        })?,
        grant_id: r
            .get::<_, Option<String>>(12)?
            .map(|s| s.parse())
            .transpose()
            .map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(
                    12,
                    rusqlite::types::Type::Text,
                    Box::new(e),
                )
            })?,
        granted: r
            .get::<_, Option<i64>>(13)?
            .map(|g| u32::try_from(g).unwrap_or(0)),
        decline_reason: r.get(14)?,
        decided_at: col_ts_opt(r, 15)?,
        decided_by: r.get(16)?,
    })
}

/// Stores a device's request, applied from its event. Returns false when a request of that
/// id is stored already (an id the device should never have reused).
pub(super) fn insert(
    tx: &Transaction<'_>,
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

/// One request.
pub(super) fn load(c: &Connection, id: TopUpRequestId) -> StoreResult<TopUpRequestLine> {
    c.prepare_cached(&format!("{SELECT} WHERE r.id = ?1"))?
        .query_row([id.to_string()], line)
        .optional()?
        .ok_or(StoreError::NotFound("top-up request"))
}

/// Requests, all or one unit's, all or in one status.
pub(super) fn list(
    c: &Connection,
    unit: Option<UnitId>,
    status: Option<TopUpStatus>,
) -> StoreResult<Vec<TopUpRequestLine>> {
    let mut stmt = c.prepare_cached(&format!(
        "{SELECT} WHERE (?1 IS NULL OR r.unit_id = ?1) AND (?2 IS NULL OR r.status = ?2)
         ORDER BY CASE r.status WHEN 'open' THEN 0 ELSE 1 END,
             CASE r.status WHEN 'open' THEN r.requested_at END,
             r.decided_at DESC, r.id"
    ))?;
    let rows = stmt.query_map(
        params![unit.map(|u| u.to_string()), status.map(TopUpStatus::as_str)],
        line,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn open(tx: &Transaction<'_>, id: TopUpRequestId) -> StoreResult<TopUpRequestLine> {
    let request = load(tx, id)?;
    if request.status != TopUpStatus::Open {
        return Err(StoreError::conflict(
            ErrorCode::TopUpNotOpen,
            format!("the request is {} already", request.status.as_str()),
        ));
    }
    Ok(request)
}

/// Grants the request's device `quantity` (the request's own when `None`), allocating from
/// stock first what the plan's ungranted allocation lacks, and marks it fulfilled. Every
/// check of the grant path applies: the plan approved, the device active, stock on hand.
pub(super) fn fulfil(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: TopUpRequestId,
    quantity: Option<u32>,
) -> StoreResult<()> {
    let request = open(tx, id)?;
    let quantity = positive("quantity", quantity.unwrap_or(request.quantity))?;
    let shortfall = shortfall(tx, request.plan_id, request.item_id, quantity)?;
    if shortfall > 0 {
        plans::allocate_more(tx, actor, now, request.plan_id, request.item_id, shortfall)?;
    }
    let grant = plans::grant(
        tx,
        actor,
        now,
        request.plan_id,
        DeviceShare {
            device_id: request.device_id,
            item_id: request.item_id,
            quantity,
        },
    )?;
    tx.prepare_cached(
        "UPDATE top_up_requests SET status = 'fulfilled', grant_id = ?2, granted = ?3,
             decided_at = ?4, decided_by = ?5
         WHERE id = ?1",
    )?
    .execute(params![
        id.to_string(),
        grant.id.to_string(),
        quantity,
        ts(now),
        actor.to_string()
    ])?;
    answered(tx, now, id, request.unit_id, request.device_id)?;
    audit(
        tx,
        now,
        actor,
        "top_up.fulfil",
        Some(id.to_string()),
        json!({"plan_id": request.plan_id, "device_id": request.device_id,
               "item_id": request.item_id, "asked": request.quantity, "granted": quantity,
               "allocated_from_stock": shortfall, "grant_id": grant.id}),
    )?;
    Ok(())
}

/// How much of `quantity` the plan's ungranted allocation of `item` cannot cover.
fn shortfall(c: &Connection, plan: PlanId, item: ItemId, quantity: u32) -> StoreResult<u32> {
    let b = plan_balance(c, plan, item)?;
    let ungranted = (b.allocated - b.granted).max(0);
    Ok(u32::try_from((i64::from(quantity) - ungranted).max(0)).unwrap_or(u32::MAX))
}

/// Declines an open request with a reason.
pub(super) fn decline(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: TopUpRequestId,
    reason: &str,
) -> StoreResult<()> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::invalid(
            "reason",
            "say why the request is declined",
        ));
    }
    let request = open(tx, id)?;
    tx.prepare_cached(
        "UPDATE top_up_requests SET status = 'declined', decline_reason = ?2, decided_at = ?3,
             decided_by = ?4
         WHERE id = ?1",
    )?
    .execute(params![id.to_string(), reason, ts(now), actor.to_string()])?;
    answered(tx, now, id, request.unit_id, request.device_id)?;
    audit(
        tx,
        now,
        actor,
        "top_up.decline",
        Some(id.to_string()),
        json!({"reason": reason}),
    )?;
    Ok(())
}

/// Declines what is still open under a plan that closes: it has nothing left to grant from.
/// Each device that asked pulls its answer, with the reason [`TopUpAnswer::PLAN_CLOSED`].
pub(super) fn decline_open_of_plan(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: PlanId,
) -> StoreResult<usize> {
    let declined = tx
        .prepare_cached(
            "UPDATE top_up_requests SET status = 'declined', decline_reason = ?4,
                 decided_at = ?2, decided_by = ?3
             WHERE plan_id = ?1 AND status = 'open'
             RETURNING id, unit_id, device_id",
        )?
        .query_map(
            params![
                plan.to_string(),
                ts(now),
                actor.to_string(),
                TopUpAnswer::PLAN_CLOSED
            ],
            |r| Ok((col(r, 0)?, col(r, 1)?, col(r, 2)?)),
        )?
        .collect::<rusqlite::Result<Vec<(TopUpRequestId, UnitId, DeviceId)>>>()?;
    for &(id, unit, device) in &declined {
        answered(tx, now, id, unit, device)?;
    }
    Ok(declined.len())
}

/// Stamps the decision on request `id` as a change only its `device` pulls.
fn answered(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    id: TopUpRequestId,
    unit: UnitId,
    device: DeviceId,
) -> StoreResult<()> {
    changed(tx, now, "top_up", &id.to_string(), Some(unit), Some(device))?;
    Ok(())
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
