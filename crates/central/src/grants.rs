//! An approved plan's stock after approval: more allocated from the store room, unspent
//! allocation returned, a device granted more, or part of a device's grant released; and a
//! revoked device's unspent grants given back to their plans.
//!
//! The escrow rule holds in every one: a plan's grants never exceed its allocation, and a
//! device never releases more than its grant has left (`fieldpost_domain::escrow`).

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, Grant, ItemId, PlanId, escrow};
use serde_json::json;

use crate::audit::Actor;
use crate::plans::{self, DeviceShare, PlanError, PlanView};
use crate::stock::{self, LedgerKind};
use crate::storage::stock::Movement;
use crate::storage::{self, Database, StorageError, Tx};

/// Allocates more of an item to an approved plan, from the store room.
pub fn allocate_more(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    item: ItemId,
    quantity: u32,
) -> Result<PlanView, PlanError> {
    storage::write(db, |tx| {
        allocate_more_in(tx, actor, now, id, item, quantity)?;
        plans::view(tx, id)
    })
}

/// [`allocate_more`] inside a transaction.
pub(crate) fn allocate_more_in(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    item: ItemId,
    quantity: u32,
) -> Result<(), PlanError> {
    plans::positive("quantity", quantity)?;
    if !tx.items().exists(item)? {
        return Err(PlanError::Invalid {
            field: "item_id".into(),
            reason: "no such item",
        });
    }
    let plan = plans::approved(tx, id)?;
    plans::allocate(tx, actor, now, id, item, quantity, "quantity")?;
    plans::audit(
        tx,
        now,
        actor,
        "plan.allocate",
        id,
        &json!({"item_id": item, "quantity": quantity}),
    )?;
    plans::plan_changed(tx, now, &plan)
}

/// Returns part of an approved plan's ungranted allocation to the store room.
pub fn return_allocation(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    item: ItemId,
    quantity: u32,
) -> Result<PlanView, PlanError> {
    storage::write(db, |tx| {
        plans::positive("quantity", quantity)?;
        let plan = plans::approved(tx, id)?;
        let b = tx.stock_ledger().plan_balance(id, item)?;
        let ungranted = b.allocated - b.granted;
        if i64::from(quantity) > ungranted {
            return Err(PlanError::ExceedsUngranted {
                wanted: quantity,
                ungranted,
            });
        }
        let movement = Movement::new(item, LedgerKind::Return, quantity).of_plan(id);
        stock::post(tx, now, actor, &movement)?;
        plans::audit(
            tx,
            now,
            actor,
            "plan.return",
            id,
            &json!({"item_id": item, "quantity": quantity}),
        )?;
        plans::plan_changed(tx, now, &plan)?;
        plans::view(tx, id)
    })
}

/// Grants a device of the plan's unit part of the plan's ungranted allocation.
pub fn grant(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    share: DeviceShare,
) -> Result<Grant, PlanError> {
    storage::write(db, |tx| grant_in(tx, actor, now, id, share))
}

/// [`grant`] inside a transaction.
pub(crate) fn grant_in(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    share: DeviceShare,
) -> Result<Grant, PlanError> {
    plans::positive("quantity", share.quantity)?;
    let plan = plans::approved(tx, id)?;
    plans::plan_device(tx, &plan, share.device_id, "device_id")?;
    let g = plans::post_grant(tx, actor, now, &plan, share, "quantity")?;
    plans::audit(tx, now, actor, "plan.grant", id, &json!(share))?;
    Ok(g)
}

/// Gives part of a device's grant back to the plan's allocation (the secretariat for a
/// revoked device, or the device itself by its `grant_released` event).
pub fn release(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    share: DeviceShare,
) -> Result<PlanView, PlanError> {
    storage::write(db, |tx| {
        release_in(tx, actor, now, id, share)?;
        plans::view(tx, id)
    })
}

/// [`release`] inside a transaction.
pub(crate) fn release_in(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    share: DeviceShare,
) -> Result<(), PlanError> {
    plans::positive("quantity", share.quantity)?;
    if tx.plans().unit_and_status(id)?.is_none() {
        return Err(PlanError::NotFound);
    }
    let available = tx
        .stock_ledger()
        .device_available(id, share.device_id, share.item_id)?;
    let position = escrow::EscrowPosition {
        granted: u64::try_from(available).unwrap_or(0),
        released: 0,
        handed_out: 0,
    };
    position
        .check_release(share.quantity.into())
        .map_err(PlanError::ExceedsGrant)?;
    let movement = Movement::new(share.item_id, LedgerKind::Release, share.quantity)
        .of_plan(id)
        .of_device(share.device_id);
    stock::post(tx, now, actor, &movement)?;
    // Grants are immutable rows: a release is a movement of its own, not a change to a grant
    // record, so there is nothing for a station to pull.
    plans::audit(tx, now, actor, "plan.release", id, &json!(share))
}

/// Gives a revoked device's unspent grants back to their plans' allocations (as releases), so
/// the secretariat can grant them to another device. Returns (plan, item, quantity) released.
pub(crate) fn release_unspent(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    device: DeviceId,
) -> Result<Vec<(PlanId, ItemId, u32)>, StorageError> {
    let mut released = Vec::new();
    for (plan, item, available) in tx.stock_ledger().unspent_grants(device)? {
        let Ok(quantity) = u32::try_from(available) else {
            continue;
        };
        let movement = Movement::new(item, LedgerKind::Release, quantity)
            .of_plan(plan)
            .of_device(device)
            .noted("device revoked");
        stock::post(tx, now, actor, &movement)?;
        released.push((plan, item, quantity));
    }
    Ok(released)
}
