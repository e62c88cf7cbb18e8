//! Top-up requests (申请追加): a device asking for more of a plan's item, and where each request stands.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, GrantId, ItemId, PlanId, TopUpRequestId, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
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
