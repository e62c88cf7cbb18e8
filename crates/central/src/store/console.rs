//! What the secretariat's console reads and writes beyond the records: the unit task table's
//! rows as an import applies them, the handout ledger, quarantined events and when each device
//! last pushed, and the devices' top-up requests.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, GrantId, HandoutId, ItemId, PlanId, TopUpRequestId, UnitId};
use serde::{Deserialize, Serialize};

/// One unit of an imported task table (采集任务分解及链接入口表), checked already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitSheetRow {
    /// The unit's name: an existing unit of that name is updated, otherwise one is created.
    pub name: String,
    /// The section's name: created when the campaign has none of that name; `None` keeps an
    /// existing unit's section (a new unit needs one).
    pub section: Option<String>,
    /// 采集任务.
    pub quota: u32,
    /// 专属链接.
    pub survey_link: String,
    /// 联系人; `None` keeps an existing unit's contact.
    pub contact: Option<String>,
}

/// What applying a task table did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitSheetOutcome {
    /// Units created.
    pub created: u32,
    /// Units changed.
    pub updated: u32,
    /// Units already as the sheet says.
    pub unchanged: u32,
    /// Sections created for names the campaign did not have.
    pub sections_created: u32,
}

/// One handout as the central holds it, for the ledger export and the exceptions list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoutLine {
    /// The handout.
    pub id: HandoutId,
    /// Its plan.
    pub plan_id: PlanId,
    /// The plan's unit.
    pub unit_id: UnitId,
    /// The device that recorded it.
    pub device_id: DeviceId,
    /// That device's name.
    pub device_name: String,
    /// The item.
    pub item_id: ItemId,
    /// How many.
    pub quantity: u32,
    /// The part the device's grant covered; the rest is an over-grant exception.
    pub backed: u32,
    /// When it was handed out.
    pub handed_out_at: DateTime<Utc>,
    /// The volunteer's reason for going beyond the grant.
    pub over_grant_reason: Option<String>,
    /// When it was voided, if it was.
    pub voided_at: Option<DateTime<Utc>>,
    /// Why.
    pub void_reason: Option<String>,
}

/// A device event the central stored quarantined instead of applying.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuarantinedEvent {
    /// The device.
    pub device_id: DeviceId,
    /// Its unit.
    pub unit_id: UnitId,
    /// The event's per-device seq.
    pub seq: u64,
    /// The event's kind, e.g. `handout_recorded`.
    pub kind: String,
    /// When the central received it.
    pub received_at: DateTime<Utc>,
    /// Stable code of the reason.
    pub code: Option<String>,
    /// The reason, in English.
    pub reason: String,
}

/// When a device last pushed, and how much.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceActivity {
    /// The device.
    pub device_id: DeviceId,
    /// When the central received its newest event (`None`: it never pushed).
    pub last_push_at: Option<DateTime<Utc>>,
    /// Its newest seq stored.
    pub last_seq: u64,
}

/// Where a device's top-up request (申请追加) stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
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
