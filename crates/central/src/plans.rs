//! Activity plans (现场活动策划方案): filed by a unit, approved with an allocation that is
//! split into per-device grants, revised, rejected, closed; and what each plan holds of each
//! item. The grants' own movements after approval are in [`crate::grants`].

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};
use fieldpost_domain::plan::transition;
use fieldpost_domain::{
    ActivityPlan, DeviceId, EscrowRefusal, Grant, GrantId, ItemId, ItemQuantity, PlanAction,
    PlanContentError, PlanId, PlanStatus, TransitionError, UnitId, escrow,
};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::Actor;
use crate::stock::{self, LedgerKind};
use crate::storage::stock::Movement;
use crate::storage::{self, Database, Record, StorageError, Tx};
use schemars::JsonSchema;
use ts_rs::TS;

/// A plan's standing for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PlanItemBalance {
    /// The item.
    pub item_id: ItemId,
    /// What the unit asked for.
    pub requested: u64,
    /// Allocated, net of returns.
    pub allocated: u64,
    /// Granted to devices, net of releases.
    pub granted: u64,
    /// Handed out (every reported handout not voided, exceptions included).
    pub handed_out: u64,
    /// The part of `handed_out` beyond the devices' grants: exceptions to reconcile.
    pub unbacked: u64,
}

/// One device's net grant under a plan for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DeviceGrantBalance {
    /// The device.
    pub device_id: DeviceId,
    /// The item.
    pub item_id: ItemId,
    /// Granted, net of releases.
    pub granted: u64,
    /// Handed out within the grant, net of voids.
    pub handed_out: u64,
    /// What the device may still hand out.
    pub available: u64,
}

/// A plan with its balances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PlanView {
    /// The plan (its `allocation` is the current net allocation).
    pub plan: ActivityPlan,
    /// Per item.
    pub items: Vec<PlanItemBalance>,
    /// Per device and item.
    pub devices: Vec<DeviceGrantBalance>,
    /// The individual grants, in the order they were made.
    pub grants: Vec<Grant>,
}

/// How the secretariat approves a plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Approval {
    /// The allocation per item.
    pub allocation: Vec<ItemQuantity>,
    /// An explicit split among devices; `None` splits each item evenly among the unit's
    /// active devices.
    pub grants: Option<Vec<DeviceShare>>,
}

/// One device's share of an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DeviceShare {
    /// The device.
    pub device_id: DeviceId,
    /// The item.
    pub item_id: ItemId,
    /// How many.
    pub quantity: u32,
}

/// What the ledger made of a reported handout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct HandoutOutcome {
    /// The part the device's grant covered.
    pub backed: u32,
    /// The part beyond it, flagged for the secretariat.
    pub unbacked: u32,
    /// False when the same handout had been recorded before (idempotent replay).
    pub newly_recorded: bool,
}

/// What a plan says: the domain's one definition, shared with the tablet.
pub use fieldpost_domain::PlanContent;

// --- use cases ------------------------------------------------------------------------------

/// Why a plan use case was refused. The variants that name a field name the request's
/// (`allocation[2].quantity`), so the console can put the message beside it.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    /// No plan of this id.
    #[error("plan not found")]
    NotFound,
    /// The plan's unit does not exist.
    #[error("unit_id: no such unit")]
    NoSuchUnit,
    /// What the plan says breaks a rule of every plan's content.
    #[error("{0}")]
    Content(#[from] PlanContentError),
    /// A value of the request is unacceptable.
    #[error("{field}: {reason}")]
    Invalid {
        /// The request field.
        field: String,
        /// Why.
        reason: &'static str,
    },
    /// The plan's status does not allow this.
    #[error("{0}")]
    Transition(#[from] TransitionError),
    /// A plan of this id was filed already.
    #[error("a plan with this id was already filed")]
    AlreadyFiled,
    /// Grants move only under an approved plan.
    #[error("the plan is {0}, not approved")]
    NotApproved(PlanStatus),
    /// The store room has less than the allocation asks for.
    #[error("cannot allocate {wanted}: only {on_hand} on hand")]
    InsufficientStock {
        /// The request field.
        field: String,
        /// What was asked.
        wanted: u32,
        /// What is on hand.
        on_hand: i64,
    },
    /// The allocation would leave fewer prizes than the lottery's pools promise.
    #[error("{promised} are promised to lottery pools: only {free} can be allocated, not {wanted}")]
    PromisedToPools {
        /// The request field.
        field: String,
        /// What was asked.
        wanted: u32,
        /// What the pools promise.
        promised: u64,
        /// What may go.
        free: u64,
    },
    /// The device was revoked.
    #[error("the device has been revoked")]
    DeviceRevoked {
        /// The request field.
        field: String,
    },
    /// The devices' grants would exceed the plan's allocation.
    #[error("{refusal}")]
    GrantExceedsAllocation {
        /// The request field.
        field: String,
        /// The escrow's words.
        refusal: EscrowRefusal,
    },
    /// More would go back to stock than the allocation has ungranted.
    #[error("cannot return {wanted}: only {ungranted} of the allocation is ungranted")]
    ExceedsUngranted {
        /// What was asked.
        wanted: u32,
        /// What is ungranted.
        ungranted: i64,
    },
    /// More would be released than the device's grant has left.
    #[error("{0}")]
    ExceedsGrant(EscrowRefusal),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl PlanError {
    fn invalid(field: impl Into<String>, reason: &'static str) -> PlanError {
        PlanError::Invalid {
            field: field.into(),
            reason,
        }
    }
}

pub(crate) fn positive(field: impl Into<String>, quantity: u32) -> Result<u32, PlanError> {
    if quantity == 0 {
        return Err(PlanError::invalid(field, "must be at least 1"));
    }
    Ok(quantity)
}

/// A plan with its allocation (net, from the ledger).
pub(crate) fn load(tx: &mut dyn Tx, id: PlanId) -> Result<ActivityPlan, PlanError> {
    let mut plan = tx.plans().get(id)?.ok_or(PlanError::NotFound)?;
    plan.allocation = tx.stock_ledger().plan_allocation(id)?;
    Ok(plan)
}

pub(crate) fn approved(tx: &mut dyn Tx, id: PlanId) -> Result<ActivityPlan, PlanError> {
    let plan = load(tx, id)?;
    if plan.status != PlanStatus::Approved {
        return Err(PlanError::NotApproved(plan.status));
    }
    Ok(plan)
}

pub(crate) fn plan_changed(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    plan: &ActivityPlan,
) -> Result<(), PlanError> {
    let id = plan.id.to_string();
    tx.change_log().stamp(
        now,
        Record {
            entity: "plan",
            id: &id,
        },
        Some(plan.unit_id),
        None,
    )?;
    Ok(())
}

pub(crate) fn audit(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    plan: PlanId,
    detail: &serde_json::Value,
) -> Result<(), PlanError> {
    tx.audit_log()
        .append(now, actor, action, Some(&plan.to_string()), detail)?;
    Ok(())
}

/// The content checked by the domain's rules (inside the campaign's windows too), and each
/// requested item known.
fn check_content(tx: &mut dyn Tx, content: &PlanContent) -> Result<PlanContent, PlanError> {
    let content = content.clone().checked()?;
    if let Some(campaign) = tx.campaigns().current()? {
        content.check_within(&campaign.campaign)?;
    }
    for (i, q) in content.requested.iter().enumerate() {
        if !tx.items().exists(q.item_id)? {
            return Err(PlanError::invalid(
                format!("requested[{i}].item_id"),
                "no such item",
            ));
        }
    }
    Ok(content)
}

/// Every plan, or one unit's, or those in one status.
pub fn plans(
    db: &dyn Database,
    unit: Option<UnitId>,
    status: Option<PlanStatus>,
) -> Result<Vec<ActivityPlan>, StorageError> {
    storage::read(db, |tx| {
        let mut plans = tx.plans().list(unit, status)?;
        for p in &mut plans {
            p.allocation = tx.stock_ledger().plan_allocation(p.id)?;
        }
        Ok(plans)
    })
}

/// A plan with its balances per item and per device, and its grants.
pub fn plan(db: &dyn Database, id: PlanId) -> Result<PlanView, PlanError> {
    storage::read(db, |tx| view(tx, id))
}

/// [`plan`] inside a transaction.
pub(crate) fn view(tx: &mut dyn Tx, id: PlanId) -> Result<PlanView, PlanError> {
    let plan = load(tx, id)?;
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
    for item in tx.stock_ledger().plan_items(id)? {
        let b = tx.stock_ledger().plan_balance(id, item)?;
        let e = items.entry(item).or_insert_with(|| blank(item));
        e.allocated = u64::try_from(b.allocated).unwrap_or(0);
        e.granted = u64::try_from(b.granted).unwrap_or(0);
    }
    for (item, handed, unbacked) in tx.plans().handout_totals(id)? {
        let e = items.entry(item).or_insert_with(|| blank(item));
        e.handed_out = handed;
        e.unbacked = unbacked;
    }
    let devices = tx.stock_ledger().plan_device_balances(id)?;
    let grants = tx
        .stock_ledger()
        .plan_entries(id, LedgerKind::Grant)?
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

/// A unit files a plan with the secretariat (from the console, or a tablet's `plan_filed`).
pub fn file(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    unit: UnitId,
    content: &PlanContent,
) -> Result<PlanView, PlanError> {
    storage::write(db, |tx| {
        file_in(tx, actor, now, id, unit, content)?;
        view(tx, id)
    })
}

/// [`file`] inside a transaction.
pub(crate) fn file_in(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    unit: UnitId,
    content: &PlanContent,
) -> Result<(), PlanError> {
    if !tx.units().exists(unit)? {
        return Err(PlanError::NoSuchUnit);
    }
    let content = check_content(tx, content)?;
    let status = transition(PlanStatus::Draft, PlanAction::File)?;
    if tx.plans().exists(id)? {
        return Err(PlanError::AlreadyFiled);
    }
    tx.plans().insert(id, unit, &content, status, now)?;
    audit(
        tx,
        now,
        actor,
        "plan.file",
        id,
        &json!({"unit_id": unit, "title": content.title, "requested": content.requested}),
    )?;
    let id_text = id.to_string();
    tx.change_log().stamp(
        now,
        Record {
            entity: "plan",
            id: &id_text,
        },
        Some(unit),
        None,
    )?;
    Ok(())
}

/// A unit revises its filed or rejected plan: it goes back to the secretariat.
pub fn revise(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    content: &PlanContent,
) -> Result<PlanView, PlanError> {
    storage::write(db, |tx| {
        revise_in(tx, actor, now, id, content)?;
        view(tx, id)
    })
}

/// [`revise`] inside a transaction.
pub(crate) fn revise_in(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    content: &PlanContent,
) -> Result<(), PlanError> {
    let plan = load(tx, id)?;
    let status = transition(plan.status, PlanAction::Revise)?;
    let content = check_content(tx, content)?;
    tx.plans().revise(id, &content, status)?;
    audit(
        tx,
        now,
        actor,
        "plan.revise",
        id,
        &json!({"title": content.title, "requested": content.requested}),
    )?;
    plan_changed(tx, now, &plan)
}

/// Moves `quantity` of `item` from the store room to the plan.
pub(crate) fn allocate(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: PlanId,
    item: ItemId,
    quantity: u32,
    field: &str,
) -> Result<(), PlanError> {
    let on_hand = tx.stock_ledger().on_hand(item)?;
    if i64::from(quantity) > on_hand {
        return Err(PlanError::InsufficientStock {
            field: field.to_owned(),
            wanted: quantity,
            on_hand,
        });
    }
    if let Some(promised) = stock::promised_beyond(tx, item, on_hand, quantity)? {
        return Err(PlanError::PromisedToPools {
            field: field.to_owned(),
            wanted: quantity,
            promised,
            free: stock::free_of(on_hand, promised),
        });
    }
    stock::post(
        tx,
        now,
        actor,
        &Movement::new(item, LedgerKind::Allocation, quantity).of_plan(plan),
    )?;
    Ok(())
}

/// An active device of the plan's unit, or why not.
pub(crate) fn plan_device(
    tx: &mut dyn Tx,
    plan: &ActivityPlan,
    device: DeviceId,
    field: &str,
) -> Result<(), PlanError> {
    match tx.devices().standing(device)? {
        None => Err(PlanError::invalid(field, "no such device")),
        Some(d) if d.unit != plan.unit_id => Err(PlanError::invalid(
            field,
            "the device belongs to another unit than the plan",
        )),
        Some(d) if d.revoked => Err(PlanError::DeviceRevoked {
            field: field.to_owned(),
        }),
        Some(_) => Ok(()),
    }
}

/// Grants a device part of the plan's allocation, within what is ungranted.
pub(crate) fn post_grant(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: &ActivityPlan,
    share: DeviceShare,
    field: &str,
) -> Result<Grant, PlanError> {
    let b = tx.stock_ledger().plan_balance(plan.id, share.item_id)?;
    escrow::check_grant(
        u64::try_from(b.allocated).unwrap_or(0),
        u64::try_from(b.granted).unwrap_or(0),
        share.quantity.into(),
    )
    .map_err(|refusal| PlanError::GrantExceedsAllocation {
        field: field.to_owned(),
        refusal,
    })?;
    let id = GrantId::new();
    let mut movement = Movement::new(share.item_id, LedgerKind::Grant, share.quantity)
        .of_plan(plan.id)
        .of_device(share.device_id);
    movement.id = id.0;
    stock::post(tx, now, actor, &movement)?;
    let id_text = id.to_string();
    tx.change_log().stamp(
        now,
        Record {
            entity: "grant",
            id: &id_text,
        },
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

/// The secretariat approves a plan: its allocation leaves the store room, split into the
/// given device grants, or evenly over the unit's active devices when none are given.
pub fn approve(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    approval: &Approval,
) -> Result<PlanView, PlanError> {
    storage::write(db, |tx| {
        approve_in(tx, actor, now, id, approval)?;
        view(tx, id)
    })
}

/// [`approve`] inside a transaction.
pub(crate) fn approve_in(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    approval: &Approval,
) -> Result<(), PlanError> {
    let plan = load(tx, id)?;
    let status = transition(plan.status, PlanAction::Approve)?;
    let mut seen = BTreeSet::new();
    for (i, q) in approval.allocation.iter().enumerate() {
        positive(format!("allocation[{i}].quantity"), q.quantity)?;
        if !seen.insert(q.item_id) {
            return Err(PlanError::invalid(
                format!("allocation[{i}].item_id"),
                "listed twice",
            ));
        }
        if !tx.items().exists(q.item_id)? {
            return Err(PlanError::invalid(
                format!("allocation[{i}].item_id"),
                "no such item",
            ));
        }
    }
    for (i, q) in approval.allocation.iter().enumerate() {
        let field = format!("allocation[{i}].quantity");
        allocate(tx, actor, now, id, q.item_id, q.quantity, &field)?;
    }
    let shares: Vec<(String, DeviceShare)> = match &approval.grants {
        Some(grants) => {
            let mut out = Vec::new();
            for (i, g) in grants.iter().enumerate() {
                positive(format!("grants[{i}].quantity"), g.quantity)?;
                if !seen.contains(&g.item_id) {
                    return Err(PlanError::invalid(
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
            let devices = tx.devices().active_of_unit(plan.unit_id)?;
            even_shares(&approval.allocation, &devices)
                .into_iter()
                .map(|share| ("allocation".to_owned(), share))
                .collect()
        }
    };
    for (field, share) in &shares {
        post_grant(tx, actor, now, &plan, *share, field)?;
    }
    tx.plans().decide(id, status, None, now)?;
    audit(
        tx,
        now,
        actor,
        "plan.approve",
        id,
        &json!({"allocation": approval.allocation,
                "grants": shares.iter().map(|(_, s)| s).collect::<Vec<_>>()}),
    )?;
    plan_changed(tx, now, &plan)
}

/// An allocation split as evenly as whole numbers allow over `devices`, the first devices
/// taking one more of the remainder; none for an empty list.
fn even_shares(allocation: &[ItemQuantity], devices: &[DeviceId]) -> Vec<DeviceShare> {
    let Ok(n) = u32::try_from(devices.len()) else {
        return Vec::new();
    };
    if n == 0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for q in allocation {
        let (each, extra) = (q.quantity / n, q.quantity % n);
        for (k, device) in (0u32..).zip(devices) {
            let quantity = each + u32::from(k < extra);
            if quantity > 0 {
                out.push(DeviceShare {
                    device_id: *device,
                    item_id: q.item_id,
                    quantity,
                });
            }
        }
    }
    out
}

/// The secretariat rejects a plan, with a reason the unit reads.
pub fn reject(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    reason: &str,
) -> Result<PlanView, PlanError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(PlanError::invalid("reason", "must not be empty"));
    }
    storage::write(db, |tx| {
        let plan = load(tx, id)?;
        let status = transition(plan.status, PlanAction::Reject)?;
        tx.plans().decide(id, status, Some(reason), now)?;
        audit(
            tx,
            now,
            actor,
            "plan.reject",
            id,
            &json!({"reason": reason}),
        )?;
        plan_changed(tx, now, &plan)?;
        view(tx, id)
    })
}

/// The secretariat closes a plan: every device's unspent grant is released, the unspent
/// allocation goes back to the store room, and open top-up requests are declined.
pub fn close(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
) -> Result<PlanView, PlanError> {
    storage::write(db, |tx| {
        let plan = load(tx, id)?;
        let status = transition(plan.status, PlanAction::Close)?;
        let before = view(tx, id)?;
        let mut released = Vec::new();
        for d in &before.devices {
            let available = tx
                .stock_ledger()
                .device_available(id, d.device_id, d.item_id)?;
            if let Ok(q) = u32::try_from(available)
                && q > 0
            {
                let movement = Movement::new(d.item_id, LedgerKind::Release, q)
                    .of_plan(id)
                    .of_device(d.device_id)
                    .noted("plan closed");
                stock::post(tx, now, actor, &movement)?;
                released
                    .push(json!({"device_id": d.device_id, "item_id": d.item_id, "quantity": q}));
            }
        }
        let mut returned = Vec::new();
        for item in &before.items {
            let b = tx.stock_ledger().plan_balance(id, item.item_id)?;
            // After the releases, each device's net grant equals what it handed out, so the
            // unspent allocation is allocated − handed out.
            if let Ok(q) = u32::try_from(b.allocated - b.handed_out)
                && q > 0
            {
                let movement = Movement::new(item.item_id, LedgerKind::Return, q)
                    .of_plan(id)
                    .noted("plan closed");
                stock::post(tx, now, actor, &movement)?;
                returned.push(json!({"item_id": item.item_id, "quantity": q}));
            }
        }
        tx.plans().decide(id, status, None, now)?;
        let declined = crate::top_ups::decline_open_of_plan(tx, actor, now, id)?;
        audit(
            tx,
            now,
            actor,
            "plan.close",
            id,
            &json!({"released": released, "returned": returned, "top_ups_declined": declined}),
        )?;
        plan_changed(tx, now, &plan)?;
        view(tx, id)
    })
}
