//! The unit-quota records (采集任务 vs 采集量): each unit's quota, its daily collection counts, its plans and gifts, rolled up by section and for the campaign; and the stations' sessions and volunteer hours.

use chrono::{DateTime, NaiveDate, Utc};
use fieldpost_domain::{
    CheckInId, DeviceId, HandoutId, ItemId, PlanId, PlanStatus, Section, StationSession, Unit,
    UnitId,
};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::campaign::CampaignRecord;

/// Questionnaires collected through one unit's link on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DailyCount {
    /// The unit.
    pub unit_id: UnitId,
    /// The day (China time).
    pub day: NaiveDate,
    /// How many.
    pub count: u32,
}

/// Items allocated and handed out, for one unit or one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ItemFlow {
    /// The item.
    pub item_id: ItemId,
    /// Allocated, net of returns.
    pub allocated: u64,
    /// Handed out, net of voids, exceptions included.
    pub handed_out: u64,
}

/// A plan's line in a unit's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PlanRecord {
    /// The plan.
    pub plan_id: PlanId,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: PlanStatus,
    /// Items allocated and handed out under it.
    pub items: Vec<ItemFlow>,
}

/// A unit's quota record (采集任务 vs 采集量).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UnitRecord {
    /// The unit.
    pub unit: Unit,
    /// Questionnaires collected (sum of imported daily counts).
    pub collected: u64,
    /// collected / quota, in percent (0 when the quota is 0).
    pub progress_percent: f64,
    /// 1 = most collected; units with equal counts share a rank.
    pub rank: u32,
    /// Items allocated and handed out across the unit's plans.
    pub items: Vec<ItemFlow>,
    /// Per plan.
    pub plans: Vec<PlanRecord>,
}

/// A section's rollup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SectionRecord {
    /// The section.
    pub section: Section,
    /// Units in it.
    pub units: u32,
    /// Sum of their quotas.
    pub quota: u64,
    /// Sum of their collection counts.
    pub collected: u64,
    /// collected / quota, in percent.
    pub progress_percent: f64,
}

/// The campaign's rollup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CampaignRollup {
    /// The campaign's target.
    pub target: u64,
    /// Sum of all quotas.
    pub quota: u64,
    /// Sum of all collection counts.
    pub collected: u64,
    /// collected / target, in percent.
    pub progress_percent: f64,
}

/// The unit-quota records of the whole campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Records {
    /// The campaign.
    pub campaign: CampaignRecord,
    /// The campaign's rollup.
    pub totals: CampaignRollup,
    /// Per section.
    pub sections: Vec<SectionRecord>,
    /// Per unit, by rank.
    pub units: Vec<UnitRecord>,
}

/// A volunteer's check-in at a session, with the hours it makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct VolunteerHours {
    /// The check-in.
    pub check_in_id: CheckInId,
    /// The volunteer's name.
    pub volunteer_name: String,
    /// The volunteer's i志愿 platform id.
    pub ivolunteer_id: Option<String>,
    /// When they checked in.
    pub checked_in_at: DateTime<Utc>,
    /// When they checked out, if they have.
    pub checked_out_at: Option<DateTime<Utc>>,
    /// Whole minutes served, once checked out.
    pub minutes: Option<u64>,
}

/// A station session as the central holds it: tallies, volunteers and what looked odd.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SessionRecord {
    /// The session.
    pub session: StationSession,
    /// Its unit.
    pub unit_id: UnitId,
    /// People reached.
    pub people_reached: u32,
    /// Questionnaires the volunteers helped fill in.
    pub questionnaires_assisted: u32,
    /// What the central found odd but kept, e.g. `plan_closed`, `outside_plan_window`.
    pub exception: Option<String>,
    /// Volunteer check-ins.
    pub volunteers: Vec<VolunteerHours>,
}

/// One handout as the central holds it, for the ledger export and the exceptions list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
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
