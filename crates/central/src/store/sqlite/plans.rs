//! Activity plans: filing, review, allocation, grants, releases, handouts and closing.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    ActivityPlan, DeviceId, Grant, GrantId, ItemId, ItemQuantity, PlanAction, PlanId, PlanStatus,
    TransitionError, UnitId, escrow, plan::transition,
};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde_json::json;

use super::catalog::{item_exists, unit};
use super::ledger::{self, Post, device_available, on_hand, plan_balance, post};
use super::{audit, changed, col, col_ts, col_u32, col_u64, positive, required, ts};
use crate::audit::Actor;
use crate::error::StoreError;
use crate::plans::{
    Approval, DeviceGrantBalance, DeviceShare, PlanContent, PlanItemBalance, PlanView,
};
use crate::stock::LedgerKind;
use crate::store::StoreResult;

const PLAN_COLUMNS: &str = "id, unit_id, title, location, starts_at, ends_at, expected_people, \
     staff, status, reject_reason, revision";

fn plan_row(r: &Row<'_>) -> rusqlite::Result<ActivityPlan> {
    let status: String = r.get(8)?;
    Ok(ActivityPlan {
        id: col(r, 0)?,
        unit_id: col(r, 1)?,
        title: r.get(2)?,
        location: r.get(3)?,
        starts_at: col_ts(r, 4)?,
        ends_at: col_ts(r, 5)?,
        expected_people: col_u32(r, 6)?,
        staff: r.get(7)?,
        status: PlanStatus::parse(&status).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                8,
                rusqlite::types::Type::Text,
                format!("unknown plan status {status}").into(),
            )
        })?,
        allocation: Vec::new(),
        reject_reason: r.get(9)?,
        revision: col_u32(r, 10)?,
        requested: Vec::new(),
    })
}

fn quantities(c: &Connection, sql: &str, plan: PlanId) -> StoreResult<Vec<ItemQuantity>> {
    let mut stmt = c.prepare(sql)?;
    let rows = stmt.query_map([plan.to_string()], |r| {
        Ok(ItemQuantity {
            item_id: col(r, 0)?,
            quantity: col_u32(r, 1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

fn fill(c: &Connection, mut p: ActivityPlan) -> StoreResult<ActivityPlan> {
    p.requested = quantities(
        c,
        "SELECT item_id, quantity FROM plan_requests WHERE plan_id = ?1 ORDER BY rowid",
        p.id,
    )?;
    p.allocation = quantities(
        c,
        "SELECT item_id, net FROM (
             SELECT item_id, MIN(seq) AS first,
                    SUM(CASE kind WHEN 'allocation' THEN quantity ELSE -quantity END) AS net
             FROM stock_ledger WHERE plan_id = ?1 AND kind IN ('allocation', 'return')
             GROUP BY item_id)
         WHERE net > 0 ORDER BY first",
        p.id,
    )?;
    Ok(p)
}

pub(super) fn load(c: &Connection, id: PlanId) -> StoreResult<ActivityPlan> {
    let p = c
        .query_row(
            &format!("SELECT {PLAN_COLUMNS} FROM plans WHERE id = ?1"),
            [id.to_string()],
            plan_row,
        )
        .optional()?
        .ok_or(StoreError::NotFound("plan"))?;
    fill(c, p)
}

pub(super) fn list(
    c: &Connection,
    unit: Option<UnitId>,
    status: Option<PlanStatus>,
) -> StoreResult<Vec<ActivityPlan>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {PLAN_COLUMNS} FROM plans
         WHERE (?1 IS NULL OR unit_id = ?1) AND (?2 IS NULL OR status = ?2) ORDER BY id"
    ))?;
    let rows = stmt.query_map(
        params![unit.map(|u| u.to_string()), status.map(|s| s.as_str())],
        plan_row,
    )?;
    let plans = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    plans.into_iter().map(|p| fill(c, p)).collect()
}

pub(super) fn view(c: &Connection, id: PlanId) -> StoreResult<PlanView> {
    let plan = load(c, id)?;
    let mut items: BTreeMap<ItemId, PlanItemBalance> = BTreeMap::new();
    let blank = |item_id| PlanItemBalance {
        item_id,
        requested: 0,
        allocated: 0,
        granted: 0,
        handed_out: 0,
        unbacked: 0,
    };
    for q in &plan.requested {
        items
            .entry(q.item_id)
            .or_insert_with(|| blank(q.item_id))
            .requested = q.quantity.into();
    }
    let ledger_items: Vec<ItemId> = {
        let mut stmt = c.prepare("SELECT DISTINCT item_id FROM stock_ledger WHERE plan_id = ?1")?;
        let rows = stmt.query_map([id.to_string()], |r| col(r, 0))?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    for item in ledger_items {
        let b = plan_balance(c, id, item)?;
        let e = items.entry(item).or_insert_with(|| blank(item));
        e.allocated = u64::try_from(b.allocated).unwrap_or(0);
        e.granted = u64::try_from(b.granted).unwrap_or(0);
    }
    {
        let mut stmt = c.prepare(
            "SELECT item_id, handed_out, unbacked FROM plan_handout_totals
             WHERE plan_id = ?1 AND handed_out > 0",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            Ok((col::<ItemId>(r, 0)?, col_u64(r, 1)?, col_u64(r, 2)?))
        })?;
        for row in rows {
            let (item, handed, unbacked) = row?;
            let e = items.entry(item).or_insert_with(|| blank(item));
            e.handed_out = handed;
            e.unbacked = unbacked;
        }
    }
    let devices = {
        let mut stmt = c.prepare(
            "SELECT device_id, item_id,
                 SUM(CASE kind WHEN 'grant' THEN quantity WHEN 'release' THEN -quantity
                     ELSE 0 END),
                 SUM(CASE kind WHEN 'handout' THEN quantity WHEN 'handout_void' THEN -quantity
                     ELSE 0 END)
             FROM stock_ledger WHERE plan_id = ?1 AND device_id IS NOT NULL
             GROUP BY device_id, item_id ORDER BY MIN(seq)",
        )?;
        let rows = stmt.query_map([id.to_string()], |r| {
            let granted = col_u64(r, 2)?;
            let handed_out = col_u64(r, 3)?;
            Ok(DeviceGrantBalance {
                device_id: col(r, 0)?,
                item_id: col(r, 1)?,
                granted,
                handed_out,
                available: granted.saturating_sub(handed_out),
            })
        })?;
        rows.collect::<rusqlite::Result<Vec<_>>>()?
    };
    let grants = ledger::plan_entries(c, id, LedgerKind::Grant)?
        .into_iter()
        .filter_map(|e| {
            Some(Grant {
                id: GrantId(e.id),
                plan_id: id,
                device_id: e.device_id?,
                item_id: e.item_id,
                quantity: e.quantity,
            })
        })
        .collect();
    Ok(PlanView {
        plan,
        items: items.into_values().collect(),
        devices,
        grants,
    })
}

fn moved(e: TransitionError) -> StoreError {
    StoreError::conflict("invalid_transition", e.to_string())
}

fn check_content(c: &Connection, content: &mut PlanContent) -> StoreResult<()> {
    content.title = required("title", &content.title)?;
    content.location = required("location", &content.location)?;
    content.staff = content.staff.trim().to_owned();
    if content.ends_at < content.starts_at {
        return Err(StoreError::invalid(
            "ends_at",
            "must not be before starts_at",
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, q) in content.requested.iter().enumerate() {
        positive(&format!("requested[{i}].quantity"), q.quantity)?;
        if !seen.insert(q.item_id) {
            return Err(StoreError::invalid(
                format!("requested[{i}].item_id"),
                "listed twice",
            ));
        }
        if !item_exists(c, q.item_id)? {
            return Err(StoreError::invalid(
                format!("requested[{i}].item_id"),
                "no such item",
            ));
        }
    }
    Ok(())
}

fn write_requests(tx: &Transaction<'_>, id: PlanId, requested: &[ItemQuantity]) -> StoreResult<()> {
    tx.execute(
        "DELETE FROM plan_requests WHERE plan_id = ?1",
        [id.to_string()],
    )?;
    for q in requested {
        tx.execute(
            "INSERT INTO plan_requests (plan_id, item_id, quantity) VALUES (?1, ?2, ?3)",
            params![id.to_string(), q.item_id.to_string(), q.quantity],
        )?;
    }
    Ok(())
}

fn plan_changed(tx: &Transaction<'_>, now: DateTime<Utc>, p: &ActivityPlan) -> StoreResult<()> {
    changed(tx, now, "plan", &p.id.to_string(), Some(p.unit_id), None)?;
    Ok(())
}

pub(super) fn file(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    unit_id: UnitId,
    mut content: PlanContent,
) -> StoreResult<()> {
    match unit(tx, unit_id) {
        Err(StoreError::NotFound(_)) => {
            return Err(StoreError::invalid("unit_id", "no such unit"));
        }
        other => other?,
    };
    check_content(tx, &mut content)?;
    let status = transition(PlanStatus::Draft, PlanAction::File).map_err(moved)?;
    let exists = tx
        .query_row(
            "SELECT 1 FROM plans WHERE id = ?1",
            [id.to_string()],
            |_| Ok(()),
        )
        .optional()?;
    if exists.is_some() {
        return Err(StoreError::conflict_on(
            "duplicate",
            "id",
            "a plan with this id was already filed",
        ));
    }
    tx.execute(
        &format!(
            "INSERT INTO plans ({PLAN_COLUMNS}, filed_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, 0, ?10)"
        ),
        params![
            id.to_string(),
            unit_id.to_string(),
            content.title,
            content.location,
            ts(content.starts_at),
            ts(content.ends_at),
            content.expected_people,
            content.staff,
            status.as_str(),
            ts(now)
        ],
    )?;
    write_requests(tx, id, &content.requested)?;
    audit(
        tx,
        now,
        actor,
        "plan.file",
        Some(id.to_string()),
        json!({"unit_id": unit_id, "title": content.title, "requested": content.requested}),
    )?;
    changed(tx, now, "plan", &id.to_string(), Some(unit_id), None)?;
    Ok(())
}

pub(super) fn revise(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    mut content: PlanContent,
) -> StoreResult<()> {
    let plan = load(tx, id)?;
    let status = transition(plan.status, PlanAction::Revise).map_err(moved)?;
    check_content(tx, &mut content)?;
    tx.execute(
        "UPDATE plans SET title = ?2, location = ?3, starts_at = ?4, ends_at = ?5,
             expected_people = ?6, staff = ?7, status = ?8, revision = revision + 1,
             reject_reason = NULL
         WHERE id = ?1",
        params![
            id.to_string(),
            content.title,
            content.location,
            ts(content.starts_at),
            ts(content.ends_at),
            content.expected_people,
            content.staff,
            status.as_str()
        ],
    )?;
    write_requests(tx, id, &content.requested)?;
    audit(
        tx,
        now,
        actor,
        "plan.revise",
        Some(id.to_string()),
        json!({"title": content.title, "requested": content.requested}),
    )?;
    plan_changed(tx, now, &plan)
}

fn set_status(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    id: PlanId,
    status: PlanStatus,
    reason: Option<&str>,
) -> StoreResult<()> {
    tx.execute(
        "UPDATE plans SET status = ?2, reject_reason = COALESCE(?3, reject_reason),
             decided_at = ?4 WHERE id = ?1",
        params![id.to_string(), status.as_str(), reason, ts(now)],
    )?;
    Ok(())
}

/// Allocates `quantity` of `item` from stock on hand to the plan.
fn allocate(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: PlanId,
    item: ItemId,
    quantity: u32,
    field: &str,
) -> StoreResult<()> {
    let available = on_hand(tx, item)?;
    if i64::from(quantity) > available {
        return Err(StoreError::conflict_on(
            "insufficient_stock",
            field,
            format!("cannot allocate {quantity}: only {available} on hand"),
        ));
    }
    let mut p = Post::new(item, LedgerKind::Allocation, quantity);
    p.plan = Some(plan);
    post(tx, actor, now, p)?;
    Ok(())
}

/// An active device of the plan's unit, or why not.
fn plan_device(
    tx: &Transaction<'_>,
    plan: &ActivityPlan,
    device: DeviceId,
    field: &str,
) -> StoreResult<()> {
    let row: Option<(UnitId, Option<String>)> = tx
        .query_row(
            "SELECT unit_id, revoked_at FROM devices WHERE id = ?1",
            [device.to_string()],
            |r| Ok((col(r, 0)?, r.get(1)?)),
        )
        .optional()?;
    match row {
        None => Err(StoreError::invalid(field, "no such device")),
        Some((unit, _)) if unit != plan.unit_id => Err(StoreError::invalid(
            field,
            "the device belongs to another unit than the plan",
        )),
        Some((_, Some(_))) => Err(StoreError::conflict_on(
            "device_revoked",
            field,
            "the device has been revoked",
        )),
        Some((_, None)) => Ok(()),
    }
}

fn post_grant(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: &ActivityPlan,
    share: DeviceShare,
    field: &str,
) -> StoreResult<Grant> {
    let b = plan_balance(tx, plan.id, share.item_id)?;
    escrow::check_grant(
        u64::try_from(b.allocated).unwrap_or(0),
        u64::try_from(b.granted).unwrap_or(0),
        share.quantity.into(),
    )
    .map_err(|e| StoreError::conflict_on("grant_exceeds_allocation", field, e.to_string()))?;
    let id = GrantId::new();
    let mut p = Post::new(share.item_id, LedgerKind::Grant, share.quantity);
    p.id = id.0;
    p.plan = Some(plan.id);
    p.device = Some(share.device_id);
    post(tx, actor, now, p)?;
    changed(
        tx,
        now,
        "grant",
        &id.to_string(),
        Some(plan.unit_id),
        Some(share.device_id),
    )?;
    Ok(Grant {
        id,
        plan_id: plan.id,
        device_id: share.device_id,
        item_id: share.item_id,
        quantity: share.quantity,
    })
}

fn active_devices(tx: &Transaction<'_>, unit: UnitId) -> StoreResult<Vec<DeviceId>> {
    let mut stmt = tx.prepare(
        "SELECT id FROM devices WHERE unit_id = ?1 AND revoked_at IS NULL
         ORDER BY enrolled_at, rowid",
    )?;
    let rows = stmt.query_map([unit.to_string()], |r| col(r, 0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn approve(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    approval: Approval,
) -> StoreResult<()> {
    let plan = load(tx, id)?;
    let status = transition(plan.status, PlanAction::Approve).map_err(moved)?;
    let mut seen = BTreeSet::new();
    for (i, q) in approval.allocation.iter().enumerate() {
        positive(&format!("allocation[{i}].quantity"), q.quantity)?;
        if !seen.insert(q.item_id) {
            return Err(StoreError::invalid(
                format!("allocation[{i}].item_id"),
                "listed twice",
            ));
        }
        if !item_exists(tx, q.item_id)? {
            return Err(StoreError::invalid(
                format!("allocation[{i}].item_id"),
                "no such item",
            ));
        }
    }
    for (i, q) in approval.allocation.iter().enumerate() {
        allocate(
            tx,
            actor,
            now,
            id,
            q.item_id,
            q.quantity,
            &format!("allocation[{i}].quantity"),
        )?;
    }
    let shares: Vec<(String, DeviceShare)> = match &approval.grants {
        Some(grants) => {
            let mut out = Vec::new();
            for (i, g) in grants.iter().enumerate() {
                positive(&format!("grants[{i}].quantity"), g.quantity)?;
                if !seen.contains(&g.item_id) {
                    return Err(StoreError::invalid(
                        format!("grants[{i}].item_id"),
                        "the item is not in the allocation",
                    ));
                }
                plan_device(tx, &plan, g.device_id, &format!("grants[{i}].device_id"))?;
                out.push((format!("grants[{i}].quantity"), *g));
            }
            out
        }
        None => {
            let devices = active_devices(tx, plan.unit_id)?;
            let mut out = Vec::new();
            if let Ok(n) = u32::try_from(devices.len())
                && n > 0
            {
                for q in &approval.allocation {
                    let (each, extra) = (q.quantity / n, q.quantity % n);
                    for (k, device) in (0u32..).zip(&devices) {
                        let quantity = each + u32::from(k < extra);
                        if quantity > 0 {
                            let share = DeviceShare {
                                device_id: *device,
                                item_id: q.item_id,
                                quantity,
                            };
                            out.push(("allocation".to_owned(), share));
                        }
                    }
                }
            }
            out
        }
    };
    for (field, share) in &shares {
        post_grant(tx, actor, now, &plan, *share, field)?;
    }
    set_status(tx, now, id, status, None)?;
    audit(
        tx,
        now,
        actor,
        "plan.approve",
        Some(id.to_string()),
        json!({"allocation": approval.allocation,
               "grants": shares.iter().map(|(_, s)| s).collect::<Vec<_>>()}),
    )?;
    plan_changed(tx, now, &plan)
}

pub(super) fn reject(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    reason: String,
) -> StoreResult<()> {
    let reason = required("reason", &reason)?;
    let plan = load(tx, id)?;
    let status = transition(plan.status, PlanAction::Reject).map_err(moved)?;
    set_status(tx, now, id, status, Some(&reason))?;
    audit(
        tx,
        now,
        actor,
        "plan.reject",
        Some(id.to_string()),
        json!({"reason": reason}),
    )?;
    plan_changed(tx, now, &plan)
}

pub(super) fn close(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
) -> StoreResult<()> {
    let plan = load(tx, id)?;
    let status = transition(plan.status, PlanAction::Close).map_err(moved)?;
    let view = view(tx, id)?;
    let mut released = Vec::new();
    for d in &view.devices {
        let available = device_available(tx, id, d.device_id, d.item_id)?;
        if let Ok(q) = u32::try_from(available)
            && q > 0
        {
            let mut p = Post::new(d.item_id, LedgerKind::Release, q);
            p.plan = Some(id);
            p.device = Some(d.device_id);
            p.note = Some("plan closed".into());
            post(tx, actor, now, p)?;
            released.push(json!({"device_id": d.device_id, "item_id": d.item_id, "quantity": q}));
        }
    }
    let mut returned = Vec::new();
    for item in &view.items {
        let b = plan_balance(tx, id, item.item_id)?;
        // After the releases, each device's net grant equals what it handed out, so the
        // unspent allocation is allocated − handed out.
        if let Ok(q) = u32::try_from(b.allocated - b.handed_out)
            && q > 0
        {
            let mut p = Post::new(item.item_id, LedgerKind::Return, q);
            p.plan = Some(id);
            p.note = Some("plan closed".into());
            post(tx, actor, now, p)?;
            returned.push(json!({"item_id": item.item_id, "quantity": q}));
        }
    }
    set_status(tx, now, id, status, None)?;
    let declined = super::top_ups::decline_open_of_plan(tx, actor, now, id)?;
    audit(
        tx,
        now,
        actor,
        "plan.close",
        Some(id.to_string()),
        json!({"released": released, "returned": returned, "top_ups_declined": declined}),
    )?;
    plan_changed(tx, now, &plan)
}

fn approved(tx: &Transaction<'_>, id: PlanId) -> StoreResult<ActivityPlan> {
    let plan = load(tx, id)?;
    if plan.status != PlanStatus::Approved {
        return Err(StoreError::conflict(
            "plan_not_approved",
            format!("the plan is {}, not approved", plan.status),
        ));
    }
    Ok(plan)
}

pub(super) fn allocate_more(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    item: ItemId,
    quantity: u32,
) -> StoreResult<()> {
    positive("quantity", quantity)?;
    if !item_exists(tx, item)? {
        return Err(StoreError::invalid("item_id", "no such item"));
    }
    let plan = approved(tx, id)?;
    allocate(tx, actor, now, id, item, quantity, "quantity")?;
    audit(
        tx,
        now,
        actor,
        "plan.allocate",
        Some(id.to_string()),
        json!({"item_id": item, "quantity": quantity}),
    )?;
    plan_changed(tx, now, &plan)
}

pub(super) fn return_allocation(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    item: ItemId,
    quantity: u32,
) -> StoreResult<()> {
    positive("quantity", quantity)?;
    let plan = approved(tx, id)?;
    let b = plan_balance(tx, id, item)?;
    let ungranted = b.allocated - b.granted;
    if i64::from(quantity) > ungranted {
        return Err(StoreError::conflict_on(
            "exceeds_ungranted_allocation",
            "quantity",
            format!("cannot return {quantity}: only {ungranted} of the allocation is ungranted"),
        ));
    }
    let mut p = Post::new(item, LedgerKind::Return, quantity);
    p.plan = Some(id);
    post(tx, actor, now, p)?;
    audit(
        tx,
        now,
        actor,
        "plan.return",
        Some(id.to_string()),
        json!({"item_id": item, "quantity": quantity}),
    )?;
    plan_changed(tx, now, &plan)
}

pub(super) fn grant(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    share: DeviceShare,
) -> StoreResult<Grant> {
    positive("quantity", share.quantity)?;
    let plan = approved(tx, id)?;
    plan_device(tx, &plan, share.device_id, "device_id")?;
    let g = post_grant(tx, actor, now, &plan, share, "quantity")?;
    audit(
        tx,
        now,
        actor,
        "plan.grant",
        Some(id.to_string()),
        json!(share),
    )?;
    Ok(g)
}

pub(super) fn release(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    share: DeviceShare,
) -> StoreResult<()> {
    positive("quantity", share.quantity)?;
    plan_unit_status(tx, id)?;
    let available = device_available(tx, id, share.device_id, share.item_id)?;
    let position = escrow::EscrowPosition {
        granted: u64::try_from(available).unwrap_or(0),
        released: 0,
        handed_out: 0,
    };
    position
        .check_release(share.quantity.into())
        .map_err(|e| StoreError::conflict_on("exceeds_grant", "quantity", e.to_string()))?;
    let mut p = Post::new(share.item_id, LedgerKind::Release, share.quantity);
    p.plan = Some(id);
    p.device = Some(share.device_id);
    post(tx, actor, now, p)?;
    audit(
        tx,
        now,
        actor,
        "plan.release",
        Some(id.to_string()),
        json!(share),
    )?;
    // Grants are immutable rows: a release is a movement of its own, not a change to a grant
    // record, so there is nothing for a station to pull.
    Ok(())
}

/// A plan's unit and status, without its balances: one point lookup.
pub(super) fn plan_unit_status(c: &Connection, id: PlanId) -> StoreResult<(UnitId, PlanStatus)> {
    let row: Option<(UnitId, String)> = c
        .prepare_cached("SELECT unit_id, status FROM plans WHERE id = ?1")?
        .query_row([id.to_string()], |r| Ok((col(r, 0)?, r.get(1)?)))
        .optional()?;
    let (unit, status) = row.ok_or(StoreError::NotFound("plan"))?;
    let status = PlanStatus::parse(&status)
        .ok_or_else(|| StoreError::Corrupt(format!("plan {id} has status {status}")))?;
    Ok((unit, status))
}

/// Gives a revoked device's unspent grants back to their plans' allocations (as releases), so
/// the secretariat can grant them to another device. Returns (plan, item, quantity) released.
pub(super) fn release_unspent(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    device: DeviceId,
) -> StoreResult<Vec<(PlanId, ItemId, u32)>> {
    let unspent: Vec<(PlanId, ItemId, i64)> = {
        let mut stmt = tx.prepare(
            "SELECT plan_id, item_id, available FROM grant_balances
             WHERE device_id = ?1 AND available > 0 ORDER BY plan_id, item_id",
        )?;
        let rows = stmt.query_map([device.to_string()], |r| {
            Ok((col(r, 0)?, col(r, 1)?, r.get(2)?))
        })?;
        rows.collect::<rusqlite::Result<_>>()?
    };
    let mut released = Vec::new();
    for (plan, item, available) in unspent {
        let Ok(quantity) = u32::try_from(available) else {
            continue;
        };
        let mut p = Post::new(item, LedgerKind::Release, quantity);
        p.plan = Some(plan);
        p.device = Some(device);
        p.note = Some("device revoked".into());
        post(tx, actor, now, p)?;
        released.push((plan, item, quantity));
    }
    Ok(released)
}
