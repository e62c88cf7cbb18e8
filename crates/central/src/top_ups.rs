//! Top-up requests (申请追加): a device asking for more of a plan's item, and where each request stands.

use chrono::{DateTime, Utc};
use fieldpost_domain::TopUpAnswer;
use fieldpost_domain::{DeviceId, GrantId, ItemId, PlanId, TopUpRequestId, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::Actor;
use crate::grants;
use crate::plans::{DeviceShare, PlanError};
use crate::storage::{self, Database, Record, StorageError, Tx};
use ts_rs::TS;

/// Where a device's top-up request (申请追加) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopUpStatus {
    /// Waiting for the secretariat.
    Open,
    /// Granted (the grant reaches the device by pull).
    Fulfilled,
    /// Declined with a reason, or closed with its plan.
    Declined,
}

impl TopUpStatus {
    /// The stable lowercase name used in storage and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            TopUpStatus::Open => "open",
            TopUpStatus::Fulfilled => "fulfilled",
            TopUpStatus::Declined => "declined",
        }
    }

    /// Parses [`TopUpStatus::as_str`]'s output.
    pub fn parse(s: &str) -> Option<TopUpStatus> {
        [
            TopUpStatus::Open,
            TopUpStatus::Fulfilled,
            TopUpStatus::Declined,
        ]
        .into_iter()
        .find(|status| status.as_str() == s)
    }
}

/// A device's top-up request as the central holds it, for the console.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct TopUpRequestLine {
    /// The request's id (the device chose it).
    pub id: TopUpRequestId,
    /// Its plan.
    pub plan_id: PlanId,
    /// The plan's title.
    pub plan_title: String,
    /// The plan's unit.
    pub unit_id: UnitId,
    /// The device that asked.
    pub device_id: DeviceId,
    /// That device's name.
    pub device_name: String,
    /// The item.
    pub item_id: ItemId,
    /// How many more the device asked for.
    pub quantity: u32,
    /// The device's note for the secretariat.
    pub note: Option<String>,
    /// When the device recorded it.
    pub requested_at: DateTime<Utc>,
    /// When the central received it.
    pub received_at: DateTime<Utc>,
    /// Where it stands.
    pub status: TopUpStatus,
    /// The grant that fulfilled it.
    pub grant_id: Option<GrantId>,
    /// How many were granted.
    pub granted: Option<u32>,
    /// Why it was declined.
    pub decline_reason: Option<String>,
    /// When the secretariat decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// Who decided (`user:name`).
    pub decided_by: Option<String>,
}

// --- use cases ------------------------------------------------------------------------------

/// Why a top-up request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum TopUpError {
    /// No request of this id.
    #[error("top-up request not found")]
    NotFound,
    /// The request was answered already.
    #[error("the request is {} already", .0.as_str())]
    NotOpen(TopUpStatus),
    /// A quantity of zero.
    #[error("quantity: must be at least 1")]
    ZeroQuantity,
    /// A decline without a reason.
    #[error("reason: say why the request is declined")]
    NoReason,
    /// The grant (or the allocation before it) was refused.
    #[error(transparent)]
    Plan(#[from] PlanError),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Requests, all or one unit's, all or in one status.
pub fn requests(
    db: &dyn Database,
    unit: Option<UnitId>,
    status: Option<TopUpStatus>,
) -> Result<Vec<TopUpRequestLine>, StorageError> {
    storage::read(db, |tx| tx.top_up_requests().list(unit, status))
}

fn open(tx: &mut dyn Tx, id: TopUpRequestId) -> Result<TopUpRequestLine, TopUpError> {
    let request = tx.top_up_requests().get(id)?.ok_or(TopUpError::NotFound)?;
    if request.status != TopUpStatus::Open {
        return Err(TopUpError::NotOpen(request.status));
    }
    Ok(request)
}

/// Stamps the decision on a request as a change only the device that asked pulls.
fn answered(
    tx: &mut dyn Tx,
    now: DateTime<Utc>,
    id: TopUpRequestId,
    unit: UnitId,
    device: DeviceId,
) -> Result<(), StorageError> {
    let id = id.to_string();
    tx.change_log().stamp(
        now,
        Record {
            entity: "top_up",
            id: &id,
        },
        Some(unit),
        Some(device),
    )?;
    Ok(())
}

/// Grants the request's device `quantity` (the request's own when `None`), allocating from
/// stock first what the plan's ungranted allocation lacks, and marks it fulfilled. Every
/// check of the grant path applies: the plan approved, the device active, stock on hand.
pub fn fulfil(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: TopUpRequestId,
    quantity: Option<u32>,
) -> Result<TopUpRequestLine, TopUpError> {
    storage::write(db, |tx| {
        let request = open(tx, id)?;
        let quantity = quantity.unwrap_or(request.quantity);
        if quantity == 0 {
            return Err(TopUpError::ZeroQuantity);
        }
        let b = tx
            .stock_ledger()
            .plan_balance(request.plan_id, request.item_id)?;
        let ungranted = (b.allocated - b.granted).max(0);
        let shortfall = u32::try_from((i64::from(quantity) - ungranted).max(0)).unwrap_or(u32::MAX);
        if shortfall > 0 {
            grants::allocate_more_in(tx, actor, now, request.plan_id, request.item_id, shortfall)?;
        }
        let share = DeviceShare {
            device_id: request.device_id,
            item_id: request.item_id,
            quantity,
        };
        let grant = grants::grant_in(tx, actor, now, request.plan_id, share)?;
        tx.top_up_requests()
            .fulfilled(id, grant.id, quantity, now, &actor.to_string())?;
        answered(tx, now, id, request.unit_id, request.device_id)?;
        tx.audit_log().append(
            now,
            actor,
            "top_up.fulfil",
            Some(&id.to_string()),
            &json!({"plan_id": request.plan_id, "device_id": request.device_id,
                    "item_id": request.item_id, "asked": request.quantity, "granted": quantity,
                    "allocated_from_stock": shortfall, "grant_id": grant.id}),
        )?;
        tx.top_up_requests().get(id)?.ok_or(TopUpError::NotFound)
    })
}

/// Declines an open request with a reason the device shows.
pub fn decline(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    id: TopUpRequestId,
    reason: &str,
) -> Result<TopUpRequestLine, TopUpError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(TopUpError::NoReason);
    }
    storage::write(db, |tx| {
        let request = open(tx, id)?;
        tx.top_up_requests()
            .declined(id, reason, now, &actor.to_string())?;
        answered(tx, now, id, request.unit_id, request.device_id)?;
        tx.audit_log().append(
            now,
            actor,
            "top_up.decline",
            Some(&id.to_string()),
            &json!({"reason": reason}),
        )?;
        tx.top_up_requests().get(id)?.ok_or(TopUpError::NotFound)
    })
}

/// Declines what is still open under a plan that closes: it has nothing left to grant from.
/// Each device that asked pulls its answer, with the reason [`TopUpAnswer::PLAN_CLOSED`].
pub(crate) fn decline_open_of_plan(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    plan: PlanId,
) -> Result<usize, StorageError> {
    let declined = tx.top_up_requests().decline_open_of_plan(
        plan,
        TopUpAnswer::PLAN_CLOSED,
        now,
        &actor.to_string(),
    )?;
    for &(id, unit, device) in &declined {
        answered(tx, now, id, unit, device)?;
    }
    Ok(declined.len())
}
