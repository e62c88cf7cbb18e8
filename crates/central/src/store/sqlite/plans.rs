//! What of the plans is still below the storage seam: the push path's handouts and voids
//! (to move with the push), and thin calls into the plan use cases for the push and seeds.

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    ActivityPlan, DeviceId, Handout, HandoutVoid, ItemId, PlanId, PlanStatus, UnitId,
};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use super::catalog::item_exists;
use super::ledger::{Post, device_available, post};
use super::{changed, col, col_u32, positive, ts};
use crate::audit::Actor;
use crate::error::ErrorCode;
use crate::error::StoreError;
use crate::plans::PlanError;
use crate::plans::{DeviceShare, HandoutOutcome, PlanContent};
use crate::stock::LedgerKind;
use crate::storage::plans::PlanTable;
use crate::storage::sqlite::SqliteTx;
use crate::store::StoreResult;

fn sqlite<'c>(tx: &'c Connection) -> SqliteTx<'c> {
    SqliteTx::new(tx)
}

/// A plan with its allocation (see [`crate::plans::load`]).
pub(super) fn load(c: &Connection, id: PlanId) -> StoreResult<ActivityPlan> {
    crate::plans::load(&mut sqlite(c), id).map_err(PlanError::into_store_error)
}

/// Files a plan (see [`crate::plans::file`]).
pub(super) fn file(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    unit_id: UnitId,
    content: PlanContent,
) -> StoreResult<()> {
    crate::plans::file_in(&mut sqlite(tx), actor, now, id, unit_id, &content)
        .map_err(PlanError::into_store_error)
}

/// Revises a plan (see [`crate::plans::revise`]).
pub(super) fn revise(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    content: PlanContent,
) -> StoreResult<()> {
    crate::plans::revise_in(&mut sqlite(tx), actor, now, id, &content)
        .map_err(PlanError::into_store_error)
}

/// Releases part of a device's grant (see [`crate::grants::release`]).
pub(super) fn release(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    share: DeviceShare,
) -> StoreResult<()> {
    crate::grants::release_in(&mut sqlite(tx), actor, now, id, share)
        .map_err(PlanError::into_store_error)
}

/// A plan's unit and status, without its balances: one point lookup.
pub(super) fn plan_unit_status(c: &Connection, id: PlanId) -> StoreResult<(UnitId, PlanStatus)> {
    sqlite(c)
        .unit_and_status(id)?
        .ok_or(StoreError::NotFound("plan"))
}

pub(super) fn record_handout(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    device: DeviceId,
    h: &Handout,
) -> StoreResult<HandoutOutcome> {
    positive("quantity", h.quantity)?;
    let stored: Option<(PlanId, DeviceId, ItemId, u32, u32)> = tx
        .query_row(
            "SELECT plan_id, device_id, item_id, quantity, backed FROM handouts WHERE id = ?1",
            [h.id.to_string()],
            |r| {
                Ok((
                    col(r, 0)?,
                    col(r, 1)?,
                    col(r, 2)?,
                    col_u32(r, 3)?,
                    col_u32(r, 4)?,
                ))
            },
        )
        .optional()?;
    if let Some((plan, dev, item, quantity, backed)) = stored {
        if (plan, dev, item, quantity) != (h.plan_id, device, h.item_id, h.quantity) {
            return Err(StoreError::conflict_on(
                ErrorCode::HandoutConflict,
                "id",
                "a different handout was recorded under this id",
            ));
        }
        return Ok(HandoutOutcome {
            backed,
            unbacked: quantity - backed,
            newly_recorded: false,
        });
    }
    let (plan_unit, _) = match plan_unit_status(tx, h.plan_id) {
        Err(StoreError::NotFound(_)) => {
            return Err(StoreError::invalid("plan_id", "no such plan"));
        }
        other => other?,
    };
    let device_unit: Option<UnitId> = tx
        .query_row(
            "SELECT unit_id FROM devices WHERE id = ?1",
            [device.to_string()],
            |r| col(r, 0),
        )
        .optional()?;
    if device_unit != Some(plan_unit) {
        return Err(StoreError::invalid(
            "plan_id",
            "the plan belongs to another unit",
        ));
    }
    if !item_exists(tx, h.item_id)? {
        return Err(StoreError::invalid("item_id", "no such item"));
    }
    let available = device_available(tx, h.plan_id, device, h.item_id)?;
    let backed = u32::try_from(available.clamp(0, i64::from(h.quantity))).unwrap_or(0);
    tx.execute(
        "INSERT INTO handouts (id, plan_id, device_id, session_id, item_id, quantity, backed,
             handed_out_at, over_grant_reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            h.id.to_string(),
            h.plan_id.to_string(),
            device.to_string(),
            h.session_id.to_string(),
            h.item_id.to_string(),
            h.quantity,
            backed,
            ts(h.handed_out_at),
            h.over_grant_reason
        ],
    )?;
    add_handout_totals(
        tx,
        h.plan_id,
        h.item_id,
        i64::from(h.quantity),
        i64::from(h.quantity - backed),
    )?;
    if backed > 0 {
        let mut p = Post::new(h.item_id, LedgerKind::Handout, backed);
        p.plan = Some(h.plan_id);
        p.device = Some(device);
        p.handout = Some(h.id);
        post(tx, actor, now, p)?;
    }
    changed(
        tx,
        now,
        "handout",
        &h.id.to_string(),
        Some(plan_unit),
        Some(device),
    )?;
    Ok(HandoutOutcome {
        backed,
        unbacked: h.quantity - backed,
        newly_recorded: true,
    })
}

/// Adds to what a plan handed out of an item (`plan_handout_totals`, migration 0004): a
/// handout adds its quantity and its part no grant covered, a void takes them away. Every
/// write of `handouts` calls it in the same transaction.
pub(super) fn add_handout_totals(
    tx: &Transaction<'_>,
    plan: PlanId,
    item: ItemId,
    handed_out: i64,
    unbacked: i64,
) -> StoreResult<()> {
    let args = params![plan.to_string(), item.to_string(), handed_out, unbacked];
    if handed_out >= 0 {
        tx.prepare_cached(
            "INSERT INTO plan_handout_totals (plan_id, item_id, handed_out, unbacked)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (plan_id, item_id) DO UPDATE
             SET handed_out = handed_out + excluded.handed_out,
                 unbacked = unbacked + excluded.unbacked",
        )?
        .execute(args)?;
    } else {
        // A void: its handout is in the totals already. (An upsert would check the negative
        // new row against the table's CHECKs before finding the conflict.)
        let updated = tx
            .prepare_cached(
                "UPDATE plan_handout_totals
                 SET handed_out = handed_out + ?3, unbacked = unbacked + ?4
                 WHERE plan_id = ?1 AND item_id = ?2",
            )?
            .execute(args)?;
        if updated != 1 {
            return Err(StoreError::Corrupt(format!(
                "plan {plan} has no handout totals for item {item}"
            )));
        }
    }
    Ok(())
}

pub(super) fn void_handout(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    device: DeviceId,
    v: &HandoutVoid,
) -> StoreResult<()> {
    let stored: Option<(PlanId, DeviceId, ItemId, u32, u32, Option<String>)> = tx
        .query_row(
            "SELECT plan_id, device_id, item_id, quantity, backed, voided_at FROM handouts
             WHERE id = ?1",
            [v.handout_id.to_string()],
            |r| {
                Ok((
                    col(r, 0)?,
                    col(r, 1)?,
                    col(r, 2)?,
                    col_u32(r, 3)?,
                    col_u32(r, 4)?,
                    r.get(5)?,
                ))
            },
        )
        .optional()?;
    let Some((plan_id, owner, item, quantity, backed, voided)) = stored else {
        return Err(StoreError::NotFound("handout"));
    };
    if owner != device {
        return Err(StoreError::invalid(
            "handout_id",
            "another device recorded this handout",
        ));
    }
    if voided.is_some() {
        return Ok(());
    }
    tx.execute(
        // The handout leaves its push batch's change row: its own `handout` row (below) now
        // carries it, so a snapshot still holds it once.
        "UPDATE handouts SET voided_at = ?2, void_reason = ?3, batch_seq = NULL WHERE id = ?1",
        params![v.handout_id.to_string(), ts(v.voided_at), v.reason],
    )?;
    add_handout_totals(
        tx,
        plan_id,
        item,
        -i64::from(quantity),
        -i64::from(quantity.saturating_sub(backed)),
    )?;
    let (unit_id, status) = plan_unit_status(tx, plan_id)?;
    if backed > 0 {
        let mut p = Post::new(item, LedgerKind::HandoutVoid, backed);
        p.plan = Some(plan_id);
        p.device = Some(device);
        p.handout = Some(v.handout_id);
        post(tx, actor, now, p)?;
        if status == PlanStatus::Closed {
            // The plan's unspent stock already went back; send the voided part after it.
            for kind in [LedgerKind::Release, LedgerKind::Return] {
                let mut p = Post::new(item, kind, backed);
                p.plan = Some(plan_id);
                p.device = (kind == LedgerKind::Release).then_some(device);
                p.note = Some("void after close".into());
                post(tx, actor, now, p)?;
            }
            // The return shrank the plan's allocation: its record changed.
            changed(tx, now, "plan", &plan_id.to_string(), Some(unit_id), None)?;
        } else if device_revoked(tx, device)? {
            // A revoked device's unspent grant went back to the plan; so does what a late
            // void gives back, rather than sit in a grant no one can use.
            let mut p = Post::new(item, LedgerKind::Release, backed);
            p.plan = Some(plan_id);
            p.device = Some(device);
            p.note = Some("void after revocation".into());
            post(tx, actor, now, p)?;
        }
    }
    changed(
        tx,
        now,
        "handout",
        &v.handout_id.to_string(),
        Some(unit_id),
        Some(device),
    )?;
    Ok(())
}

fn device_revoked(c: &Connection, device: DeviceId) -> StoreResult<bool> {
    let revoked: Option<Option<String>> = c
        .prepare_cached("SELECT revoked_at FROM devices WHERE id = ?1")?
        .query_row([device.to_string()], |r| r.get(0))
        .optional()?;
    Ok(matches!(revoked, Some(Some(_))))
}
