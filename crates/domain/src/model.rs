//! The records of the campaign, as both ends hold them.

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::carrier::Carrier;
use crate::ids::*;
use crate::plan::PlanStatus;
use crate::sealed::{LotteryPublicKey, SealedPhone};

/// One year's survey drive in one city (调查活动（揭阳站）).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Campaign {
    /// Identity.
    pub id: CampaignId,
    /// Display name, e.g. "2022 网民网络安全感满意度调查活动（揭阳站）".
    pub name: String,
    /// The city the campaign runs in.
    pub city: String,
    /// First day of the publicity window (宣传动员).
    pub publicity_start: NaiveDate,
    /// Last day of the publicity window.
    pub publicity_end: NaiveDate,
    /// When online collection opens.
    pub collection_start: DateTime<Utc>,
    /// When online collection closes.
    pub collection_end: DateTime<Utc>,
    /// Target number of valid questionnaires (采集目标).
    pub target: u32,
}

impl Campaign {
    /// The first instant of publicity: 00:00 China time (UTC+8) of `publicity_start`.
    pub fn publicity_opens(&self) -> DateTime<Utc> {
        let midnight = self
            .publicity_start
            .and_hms_opt(0, 0, 0)
            .unwrap_or_default();
        DateTime::<Utc>::from_naive_utc_and_offset(midnight, Utc) - chrono::Duration::hours(8)
    }
}

/// A grouping of units (版块): 侨, 志愿者, 乡镇/街道/社区, carriers, media, schools, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Section {
    /// Identity.
    pub id: SectionId,
    /// Short stable code, e.g. `qiao`, `volunteer`.
    pub code: String,
    /// Display name, e.g. "侨".
    pub name: String,
}

/// An organization that collects questionnaires (单位).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Unit {
    /// Identity.
    pub id: UnitId,
    /// The campaign the unit collects for.
    pub campaign_id: CampaignId,
    /// The unit's section.
    pub section_id: SectionId,
    /// Display name, e.g. "揭阳市侨联".
    pub name: String,
    /// Questionnaires the unit is asked to collect (采集任务).
    pub quota: u32,
    /// The unit's exclusive survey link (专属链接), shown as a QR code at stations.
    pub survey_link: String,
    /// Who to call at the unit.
    pub contact: Option<String>,
}

/// What kind of giftable thing an item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A publicity gift handed out at stations (宣传品): masks, four-mascot kits.
    Gift,
    /// A lottery prize donated by a carrier (奖品), drawn at the summary meeting.
    Prize,
}

/// A giftable item (宣传品 / 奖品).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Item {
    /// Identity.
    pub id: ItemId,
    /// Short stable code, e.g. `mask`.
    pub code: String,
    /// Display name, e.g. "医疗专用口罩".
    pub name: String,
    /// Gift or prize.
    pub kind: ItemKind,
    /// The counting word, e.g. "只" for masks, "份" for kits.
    pub unit_label: String,
    /// Who donated it, e.g. "广东海鸥医疗器械股份有限公司".
    pub donor: Option<String>,
}

/// A quantity of one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
pub struct ItemQuantity {
    /// The item.
    pub item_id: ItemId,
    /// How many.
    pub quantity: u32,
}

/// A unit's filed plan for on-site stations (现场活动策划方案).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ActivityPlan {
    /// Identity.
    pub id: PlanId,
    /// The unit that files the plan.
    pub unit_id: UnitId,
    /// What the activity is called, e.g. "榕城区步行街宣传站".
    pub title: String,
    /// Where the station stands.
    pub location: String,
    /// When the activity may start.
    pub starts_at: DateTime<Utc>,
    /// When the activity must end.
    pub ends_at: DateTime<Utc>,
    /// How many people the unit expects to reach.
    pub expected_people: u32,
    /// Who staffs it (names, free text).
    pub staff: String,
    /// Gifts the unit asks for.
    pub requested: Vec<ItemQuantity>,
    /// Where the plan stands in its workflow.
    pub status: PlanStatus,
    /// Gifts the secretariat allocated on approval (empty before).
    pub allocation: Vec<ItemQuantity>,
    /// Why the secretariat rejected it, when it did.
    pub reject_reason: Option<String>,
    /// Bumped by every revision, so the central can tell versions apart.
    pub revision: u32,
}

/// One staffed period at one station under one approved plan (现场 / 站点场次).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct StationSession {
    /// Identity.
    pub id: SessionId,
    /// The approved plan the session runs under.
    pub plan_id: PlanId,
    /// The device that opened it.
    pub device_id: DeviceId,
    /// The station's name or spot, e.g. "进贤门广场东侧".
    pub station: String,
    /// When it opened.
    pub opened_at: DateTime<Utc>,
    /// When it closed; `None` while open.
    pub closed_at: Option<DateTime<Utc>>,
}

/// A volunteer checking in to a session (志愿服务时长 starts here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct VolunteerCheckIn {
    /// Identity; the check-out names it.
    pub id: CheckInId,
    /// The session.
    pub session_id: SessionId,
    /// The volunteer's name.
    pub volunteer_name: String,
    /// The volunteer's i志愿 platform id, when they have one.
    pub ivolunteer_id: Option<String>,
    /// When they checked in.
    pub checked_in_at: DateTime<Utc>,
}

/// A change to a session's counters. Deltas may be negative to correct a slip, but a
/// counter never goes below zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Tally {
    /// The session.
    pub session_id: SessionId,
    /// Change in people reached.
    pub people_reached: i32,
    /// Change in questionnaires the volunteers helped people fill in.
    pub questionnaires_assisted: i32,
}

/// Items of one kind given out during a session (派送).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Handout {
    /// Identity.
    pub id: HandoutId,
    /// The session.
    pub session_id: SessionId,
    /// The plan whose allocation it draws on.
    pub plan_id: PlanId,
    /// The item.
    pub item_id: ItemId,
    /// How many; always at least one.
    pub quantity: u32,
    /// When it was handed out.
    pub handed_out_at: DateTime<Utc>,
    /// Set when the handout went beyond the device's grant: why the volunteer recorded it
    /// anyway. Such a handout is kept and flagged for the secretariat, never dropped.
    pub over_grant_reason: Option<String>,
}

/// A compensating record that cancels a handout (a slip of the finger, a returned gift).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct HandoutVoid {
    /// The handout it cancels.
    pub handout_id: HandoutId,
    /// Why.
    pub reason: String,
    /// When.
    pub voided_at: DateTime<Utc>,
}

/// The consent a lottery entrant gave for their phone number to be stored and passed to the
/// carrier that credits the prize.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Consent {
    /// Which wording of the consent text the entrant saw.
    pub text_version: String,
    /// When they agreed.
    pub given_at: DateTime<Utc>,
}

/// A person registered for the offline lottery (线下抽奖). The full number is never in it:
/// the tablet sealed it to the central's lottery key at registration
/// ([`crate::sealed`]), and only the central can open it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct LotteryEntrant {
    /// Identity.
    pub id: EntrantId,
    /// The session where they registered.
    pub session_id: SessionId,
    /// Their mainland mobile number, sealed to the central's lottery public key.
    pub phone_sealed: SealedPhone,
    /// The masked form the tablet showed (`138****1234`); the central derives its own from
    /// the opened number and keeps that.
    pub phone_masked: String,
    /// The carrier the entrant confirmed (pre-selected from the number's prefix, 号段, and
    /// changeable: numbers move between carriers, 携号转网).
    pub carrier: Carrier,
    /// The consent they gave; registration requires it.
    pub consent: Consent,
    /// When they registered.
    pub registered_at: DateTime<Utc>,
}

/// The lottery's terms as the secretariat sets them and tablets pull them (one record per
/// campaign): the consent text read to each entrant, its version, and the key numbers are
/// sealed to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct LotteryTerms {
    /// The consent text (知情同意), Chinese, as the volunteer shows it.
    pub consent_text: String,
    /// Its version: an entrant's consent records which wording they agreed to.
    pub consent_version: String,
    /// The central's lottery public key; `None` once the lottery closed and its key was
    /// deleted (no more numbers can be sealed).
    pub public_key: Option<LotteryPublicKey>,
    /// Whether tablets may still register entrants (false once the list is frozen or the
    /// lottery closed).
    pub registration_open: bool,
}

/// A per-device share of a plan's allocation of one item (配额). The central keeps
/// `sum(grants) <= allocation`; a device hands out only within its own grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Grant {
    /// Identity.
    pub id: GrantId,
    /// The plan whose allocation it splits.
    pub plan_id: PlanId,
    /// The device it belongs to.
    pub device_id: DeviceId,
    /// The item.
    pub item_id: ItemId,
    /// How many the device may hand out.
    pub quantity: u32,
}

/// A device's request to the secretariat for more of an item under a plan (申请追加), sent
/// when its grant runs low. It is a request only: the device may hand out nothing more until
/// the secretariat grants it, and the grant reaches the device by pull like any other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct TopUpRequest {
    /// Identity.
    pub id: TopUpRequestId,
    /// The approved plan whose allocation it asks to draw on.
    pub plan_id: PlanId,
    /// The item.
    pub item_id: ItemId,
    /// How many more; at least one.
    pub quantity: u32,
    /// A short word for the secretariat (why, by when), at most
    /// [`TopUpRequest::NOTE_MAX_CHARS`] characters.
    pub note: Option<String>,
    /// When the device recorded it (the device's clock).
    pub requested_at: DateTime<Utc>,
}

impl TopUpRequest {
    /// The longest note, in characters: a word for the secretariat, not a letter.
    pub const NOTE_MAX_CHARS: usize = 200;
}

/// How the secretariat decided a top-up request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TopUpAnswerStatus {
    /// Granted: the grant reaches the device by pull beside this answer.
    Fulfilled,
    /// Declined with a reason (the secretariat's, or `plan closed` when its plan closed).
    Declined,
}

/// The secretariat's answer to one of a device's top-up requests, as the central sends it
/// to the device that asked. A request is answered once; an open one has no answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct TopUpAnswer {
    /// The request answered (the device chose its id).
    pub request_id: TopUpRequestId,
    /// Fulfilled or declined.
    pub status: TopUpAnswerStatus,
    /// When fulfilled: how many were granted, which may differ from what was asked.
    pub granted: Option<u32>,
    /// When fulfilled: the grant made.
    pub grant_id: Option<GrantId>,
    /// When declined: why, in the secretariat's words, or `plan closed`.
    pub reason: Option<String>,
    /// When the secretariat decided (the central's clock).
    pub decided_at: DateTime<Utc>,
}

impl TopUpAnswer {
    /// The reason the central gives when closing a plan declines its open requests.
    pub const PLAN_CLOSED: &'static str = "plan closed";
}
