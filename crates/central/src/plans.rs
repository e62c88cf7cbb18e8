//! Activity plans (现场活动策划方案): filed by a unit, approved with an allocation that is split into per-device grants, revised, closed; and what each plan holds of each item.

use chrono::{DateTime, Utc};
use fieldpost_domain::{ActivityPlan, DeviceId, Grant, ItemId, ItemQuantity};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
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

/// What the content of a plan says (filed or revised).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PlanContent {
    /// What the activity is called.
    pub title: String,
    /// Where.
    pub location: String,
    /// From.
    pub starts_at: DateTime<Utc>,
    /// Until.
    pub ends_at: DateTime<Utc>,
    /// How many people the unit expects to reach.
    pub expected_people: u32,
    /// Who staffs it.
    pub staff: String,
    /// Gifts asked for.
    pub requested: Vec<ItemQuantity>,
}
