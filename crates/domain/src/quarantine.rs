//! Whether the central can apply a device's event, given the facts it holds: the rule, as a
//! pure function over the event and those facts.
//!
//! The central quarantines only what cannot apply at all (a plan it does not know, a session
//! it never heard of, a check-out of a check-in it has not got). A fact that happened but
//! looks wrong now — a handout beyond the device's grant, a session on a plan closed since —
//! is applied and flagged instead: the station recorded it, and the secretariat decides what
//! it means.
//!
//! The caller looks the facts up (see [`Needs`]) and calls [`decide`]; what only the storage
//! can tell (a unique id or phone number already stored) it answers with a [`Quarantine`] of
//! its own, with the codes below.

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::{
    ActivityPlan, CheckInId, DeviceId, EventPayload, Handout, HandoutId, HandoutVoid, ItemId,
    LotteryEntrant, PlanId, PlanStatus, SessionId, StationSession, TopUpRequest, UnitId,
};

/// Why an event was quarantined: stable codes, sent to the station and shown to the
/// secretariat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineCode {
    /// A handout, release or top-up request of no items.
    InvalidQuantity,
    /// The central knows no such plan.
    UnknownPlan,
    /// The plan is another unit's.
    PlanOfOtherUnit,
    /// The central knows no such item.
    UnknownItem,
    /// Another handout is stored under the handout's id.
    HandoutConflict,
    /// A void of a handout the central does not know.
    UnknownHandout,
    /// A void of another device's handout.
    HandoutOfOtherDevice,
    /// A release of more than the device's grant holds.
    ReleaseExceedsGrant,
    /// A top-up request's note is too long.
    NoteTooLong,
    /// A top-up request on a plan that is not approved.
    PlanNotApproved,
    /// A top-up request's id is stored already.
    DuplicateTopUpRequest,
    /// A session opened in another device's name.
    SessionOfOtherDevice,
    /// A session's id is stored already.
    DuplicateSession,
    /// The central knows no such session of this device.
    UnknownSession,
    /// A close or check-out of what was closed already at another time; a plan move its
    /// workflow does not allow.
    InvalidTransition,
    /// A session closed before it opened.
    ClosedBeforeOpened,
    /// A check-in's id is stored already.
    DuplicateCheckIn,
    /// The central knows no such check-in of this device.
    UnknownCheckIn,
    /// A check-out before its check-in.
    CheckedOutBeforeIn,
    /// A lottery entry without recorded consent.
    ConsentMissing,
    /// The phone number is entered in the campaign's lottery already.
    DuplicateEntrant,
    /// An entrant's sealed number does not open with the central's lottery key (sealed to
    /// another key, or altered), or is not a mobile number inside.
    PhoneUnreadable,
    /// An entrant registered after the lottery's list was frozen or the lottery closed.
    LotteryClosed,
    /// A filed or revised plan's content is not acceptable.
    InvalidPlan,
    /// A plan's id is stored already.
    DuplicatePlan,
    /// A plan event contradicts the stored plan otherwise.
    PlanConflict,
}

impl QuarantineCode {
    /// Every code.
    pub const ALL: [QuarantineCode; 26] = [
        QuarantineCode::InvalidQuantity,
        QuarantineCode::UnknownPlan,
        QuarantineCode::PlanOfOtherUnit,
        QuarantineCode::UnknownItem,
        QuarantineCode::HandoutConflict,
        QuarantineCode::UnknownHandout,
        QuarantineCode::HandoutOfOtherDevice,
        QuarantineCode::ReleaseExceedsGrant,
        QuarantineCode::NoteTooLong,
        QuarantineCode::PlanNotApproved,
        QuarantineCode::DuplicateTopUpRequest,
        QuarantineCode::SessionOfOtherDevice,
        QuarantineCode::DuplicateSession,
        QuarantineCode::UnknownSession,
        QuarantineCode::InvalidTransition,
        QuarantineCode::ClosedBeforeOpened,
        QuarantineCode::DuplicateCheckIn,
        QuarantineCode::UnknownCheckIn,
        QuarantineCode::CheckedOutBeforeIn,
        QuarantineCode::ConsentMissing,
        QuarantineCode::DuplicateEntrant,
        QuarantineCode::PhoneUnreadable,
        QuarantineCode::LotteryClosed,
        QuarantineCode::InvalidPlan,
        QuarantineCode::DuplicatePlan,
        QuarantineCode::PlanConflict,
    ];

    /// The code as stored and sent (its serde name).
    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineCode::InvalidQuantity => "invalid_quantity",
            QuarantineCode::UnknownPlan => "unknown_plan",
            QuarantineCode::PlanOfOtherUnit => "plan_of_other_unit",
            QuarantineCode::UnknownItem => "unknown_item",
            QuarantineCode::HandoutConflict => "handout_conflict",
            QuarantineCode::UnknownHandout => "unknown_handout",
            QuarantineCode::HandoutOfOtherDevice => "handout_of_other_device",
            QuarantineCode::ReleaseExceedsGrant => "release_exceeds_grant",
            QuarantineCode::NoteTooLong => "note_too_long",
            QuarantineCode::PlanNotApproved => "plan_not_approved",
            QuarantineCode::DuplicateTopUpRequest => "duplicate_top_up_request",
            QuarantineCode::SessionOfOtherDevice => "session_of_other_device",
            QuarantineCode::DuplicateSession => "duplicate_session",
            QuarantineCode::UnknownSession => "unknown_session",
            QuarantineCode::InvalidTransition => "invalid_transition",
            QuarantineCode::ClosedBeforeOpened => "closed_before_opened",
            QuarantineCode::DuplicateCheckIn => "duplicate_check_in",
            QuarantineCode::UnknownCheckIn => "unknown_check_in",
            QuarantineCode::CheckedOutBeforeIn => "checked_out_before_in",
            QuarantineCode::ConsentMissing => "consent_missing",
            QuarantineCode::DuplicateEntrant => "duplicate_entrant",
            QuarantineCode::PhoneUnreadable => "phone_unreadable",
            QuarantineCode::LotteryClosed => "lottery_closed",
            QuarantineCode::InvalidPlan => "invalid_plan",
            QuarantineCode::DuplicatePlan => "duplicate_plan",
            QuarantineCode::PlanConflict => "plan_conflict",
        }
    }
}

impl std::str::FromStr for QuarantineCode {
    type Err = serde::de::value::Error;

    /// Reads a stored code back by its serde spelling.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        use serde::de::IntoDeserializer;
        QuarantineCode::deserialize(s.into_deserializer())
    }
}

impl std::fmt::Display for QuarantineCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An event kept but not applied: the code and the reason, in English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Quarantine {
    /// Stable code.
    pub code: QuarantineCode,
    /// Why.
    pub reason: String,
}

impl Quarantine {
    /// A quarantine with its reason.
    pub fn new(code: QuarantineCode, reason: impl Into<String>) -> Quarantine {
        Quarantine {
            code,
            reason: reason.into(),
        }
    }
}

/// What the central holds of a plan, as the rules need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanFacts {
    /// Its unit.
    pub unit: UnitId,
    /// Its status now.
    pub status: PlanStatus,
    /// Its window.
    pub starts_at: DateTime<Utc>,
    /// Its window.
    pub ends_at: DateTime<Utc>,
}

/// What the central holds of a station session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionFacts {
    /// The device that opened it.
    pub device: DeviceId,
    /// When.
    pub opened_at: DateTime<Utc>,
    /// When it closed, if it has.
    pub closed_at: Option<DateTime<Utc>>,
}

/// What the central holds of a volunteer's check-in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckInFacts {
    /// The device that recorded it.
    pub device: DeviceId,
    /// When.
    pub checked_in_at: DateTime<Utc>,
    /// When the volunteer left, if they have.
    pub checked_out_at: Option<DateTime<Utc>>,
}

/// What the central holds of a handout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HandoutFacts {
    /// The device that recorded it.
    pub device: DeviceId,
    /// Whether it is voided already.
    pub voided: bool,
}

/// The records an event names, which the caller looks up before [`decide`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Needs {
    /// The plan.
    pub plan: Option<PlanId>,
    /// The item.
    pub item: Option<ItemId>,
    /// The session (the one opened, or the one the event happens in).
    pub session: Option<SessionId>,
    /// The check-in.
    pub check_in: Option<CheckInId>,
    /// The handout voided.
    pub handout: Option<HandoutId>,
    /// What remains of the device's grant of (plan, item).
    pub available: Option<(PlanId, ItemId)>,
}

impl Needs {
    /// What `payload` names.
    pub fn of(payload: &EventPayload) -> Needs {
        let none = Needs::default();
        match payload {
            EventPayload::HandoutRecorded { handout: h } => Needs {
                plan: Some(h.plan_id),
                item: Some(h.item_id),
                available: Some((h.plan_id, h.item_id)),
                ..none
            },
            EventPayload::HandoutVoided { void } => Needs {
                handout: Some(void.handout_id),
                ..none
            },
            EventPayload::SessionOpened { session } => Needs {
                plan: Some(session.plan_id),
                session: Some(session.id),
                ..none
            },
            EventPayload::SessionClosed { session_id, .. } => Needs {
                session: Some(*session_id),
                ..none
            },
            EventPayload::TallyRecorded { tally } => Needs {
                session: Some(tally.session_id),
                ..none
            },
            EventPayload::VolunteerCheckedIn { check_in } => Needs {
                session: Some(check_in.session_id),
                ..none
            },
            EventPayload::VolunteerCheckedOut { check_in_id, .. } => Needs {
                check_in: Some(*check_in_id),
                ..none
            },
            EventPayload::EntrantRegistered { entrant } => Needs {
                session: Some(entrant.session_id),
                ..none
            },
            EventPayload::PlanFiled { .. } => none,
            EventPayload::PlanRevised { plan } => Needs {
                plan: Some(plan.id),
                ..none
            },
            EventPayload::GrantReleased {
                plan_id, item_id, ..
            } => Needs {
                plan: Some(*plan_id),
                item: Some(*item_id),
                available: Some((*plan_id, *item_id)),
                ..none
            },
            EventPayload::TopUpRequested { request } => Needs {
                plan: Some(request.plan_id),
                item: Some(request.item_id),
                ..none
            },
        }
    }
}

/// The facts [`Needs::of`] asked for, as the central holds them (`None`: it holds none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// The pushing device.
    pub device: DeviceId,
    /// Its unit.
    pub unit: UnitId,
    /// The plan named.
    pub plan: Option<PlanFacts>,
    /// Whether the item named exists.
    pub item_known: bool,
    /// The session named.
    pub session: Option<SessionFacts>,
    /// The check-in named.
    pub check_in: Option<CheckInFacts>,
    /// The handout named.
    pub handout: Option<HandoutFacts>,
    /// What remains of the device's grant of the plan and item named (may be negative after
    /// an over-grant handout).
    pub available: i64,
}

impl Facts {
    /// No facts yet about anything an event names.
    pub fn of_device(device: DeviceId, unit: UnitId) -> Facts {
        Facts {
            device,
            unit,
            plan: None,
            item_known: false,
            session: None,
            check_in: None,
            handout: None,
            available: 0,
        }
    }
}

/// How the central applies an event it accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Accepted {
    /// Write it.
    Apply,
    /// It is applied already (a replay by another event): nothing to write.
    AlreadyApplied,
    /// A handout: `backed` is the part the device's grant covers; the rest is kept and
    /// flagged as an exception.
    Handout {
        /// Posted to the ledger against the grant.
        backed: u32,
    },
    /// A session opened; `exception` notes what the central finds wrong with it now (the plan
    /// is no longer approved, or the session lies outside the plan's window).
    Session {
        /// The exception code, e.g. `plan_closed` or `outside_plan_window`.
        exception: Option<String>,
    },
}

/// Decides whether the central can apply `payload` of `facts.device`, by what it holds.
/// Plan content (a filed or revised plan) is the plan rules' to judge; this decides only
/// whose plan it is.
pub fn decide(payload: &EventPayload, facts: &Facts) -> Result<Accepted, Quarantine> {
    match payload {
        EventPayload::HandoutRecorded { handout } => decide_handout(handout, facts),
        EventPayload::HandoutVoided { void } => decide_void(void, facts),
        EventPayload::SessionOpened { session } => decide_open(session, facts),
        EventPayload::SessionClosed {
            session_id,
            closed_at,
        } => decide_close(*session_id, *closed_at, facts),
        EventPayload::TallyRecorded { tally } => {
            own_session(tally.session_id, facts)?;
            Ok(Accepted::Apply)
        }
        EventPayload::VolunteerCheckedIn { check_in } => {
            own_session(check_in.session_id, facts)?;
            Ok(Accepted::Apply)
        }
        EventPayload::VolunteerCheckedOut {
            check_in_id,
            checked_out_at,
        } => decide_check_out(*check_in_id, *checked_out_at, facts),
        EventPayload::EntrantRegistered { entrant } => decide_entrant(entrant, facts),
        EventPayload::PlanFiled { plan } => decide_plan(plan, false, facts),
        EventPayload::PlanRevised { plan } => decide_plan(plan, true, facts),
        EventPayload::GrantReleased {
            plan_id,
            item_id,
            quantity,
        } => decide_release(*plan_id, *item_id, *quantity, facts),
        EventPayload::TopUpRequested { request } => decide_top_up(request, facts),
    }
}

fn quarantine<T>(code: QuarantineCode, reason: impl Into<String>) -> Result<T, Quarantine> {
    Err(Quarantine::new(code, reason))
}

/// The plan, if it is known and of this device's unit.
fn own_plan(id: PlanId, facts: &Facts) -> Result<PlanFacts, Quarantine> {
    match facts.plan {
        None => quarantine(
            QuarantineCode::UnknownPlan,
            format!("the central knows no plan {id}"),
        ),
        Some(p) if p.unit != facts.unit => quarantine(
            QuarantineCode::PlanOfOtherUnit,
            format!("plan {id} belongs to another unit than this device"),
        ),
        Some(p) => Ok(p),
    }
}

/// The session, if it is known and this device's.
fn own_session(id: SessionId, facts: &Facts) -> Result<SessionFacts, Quarantine> {
    match facts.session {
        Some(s) if s.device == facts.device => Ok(s),
        Some(_) => quarantine(
            QuarantineCode::UnknownSession,
            format!("session {id} was opened by another device"),
        ),
        None => quarantine(
            QuarantineCode::UnknownSession,
            format!("the central knows no session {id}"),
        ),
    }
}

fn known_item(id: ItemId, facts: &Facts) -> Result<(), Quarantine> {
    if facts.item_known {
        Ok(())
    } else {
        quarantine(
            QuarantineCode::UnknownItem,
            format!("the central knows no item {id}"),
        )
    }
}

fn decide_handout(h: &Handout, facts: &Facts) -> Result<Accepted, Quarantine> {
    if h.quantity == 0 {
        return quarantine(
            QuarantineCode::InvalidQuantity,
            "a handout is at least one item",
        );
    }
    own_plan(h.plan_id, facts)?;
    known_item(h.item_id, facts)?;
    // What the grant still covers posts to the ledger; the rest is kept and flagged.
    let backed = u32::try_from(facts.available.clamp(0, i64::from(h.quantity))).unwrap_or(0);
    Ok(Accepted::Handout { backed })
}

fn decide_void(v: &HandoutVoid, facts: &Facts) -> Result<Accepted, Quarantine> {
    let Some(stored) = facts.handout else {
        return quarantine(
            QuarantineCode::UnknownHandout,
            format!("the central knows no handout {}", v.handout_id),
        );
    };
    if stored.device != facts.device {
        return quarantine(
            QuarantineCode::HandoutOfOtherDevice,
            format!("handout {} was recorded by another device", v.handout_id),
        );
    }
    Ok(if stored.voided {
        Accepted::AlreadyApplied
    } else {
        Accepted::Apply
    })
}

fn decide_release(
    plan: PlanId,
    item: ItemId,
    quantity: u32,
    facts: &Facts,
) -> Result<Accepted, Quarantine> {
    if quantity == 0 {
        return quarantine(
            QuarantineCode::InvalidQuantity,
            "a release is at least one item",
        );
    }
    own_plan(plan, facts)?;
    known_item(item, facts)?;
    if i64::from(quantity) > facts.available {
        return quarantine(
            QuarantineCode::ReleaseExceedsGrant,
            format!(
                "cannot release {quantity}: only {} remain in this device's grant",
                facts.available.max(0)
            ),
        );
    }
    Ok(Accepted::Apply)
}

/// Only what cannot become a request is quarantined; whether to grant it is the
/// secretariat's call.
fn decide_top_up(r: &TopUpRequest, facts: &Facts) -> Result<Accepted, Quarantine> {
    if r.quantity == 0 {
        return quarantine(
            QuarantineCode::InvalidQuantity,
            "a top-up request is for at least one item",
        );
    }
    if r.note
        .as_ref()
        .is_some_and(|n| n.chars().count() > TopUpRequest::NOTE_MAX_CHARS)
    {
        return quarantine(
            QuarantineCode::NoteTooLong,
            format!(
                "a top-up request's note is at most {} characters",
                TopUpRequest::NOTE_MAX_CHARS
            ),
        );
    }
    let plan = own_plan(r.plan_id, facts)?;
    known_item(r.item_id, facts)?;
    // A plan that is not approved (any more) has no allocation to grant from: the device
    // hears of it by its quarantine notice instead of waiting for an answer.
    if plan.status != PlanStatus::Approved {
        return quarantine(
            QuarantineCode::PlanNotApproved,
            format!(
                "plan {} is {}: only an approved plan can be topped up",
                r.plan_id, plan.status
            ),
        );
    }
    Ok(Accepted::Apply)
}

fn decide_open(s: &StationSession, facts: &Facts) -> Result<Accepted, Quarantine> {
    if s.device_id != facts.device {
        return quarantine(
            QuarantineCode::SessionOfOtherDevice,
            format!("session {} names another device", s.id),
        );
    }
    let plan = own_plan(s.plan_id, facts)?;
    if facts.session.is_some() {
        return quarantine(
            QuarantineCode::DuplicateSession,
            format!("a session {} is stored already", s.id),
        );
    }
    // The station checked these against its copy of the plan; what changed since is noted
    // for the secretariat, not refused: the session took place.
    let exception = if plan.status != PlanStatus::Approved {
        Some(format!("plan_{}", plan.status))
    } else {
        let window = ActivityPlan {
            id: s.plan_id,
            unit_id: plan.unit,
            title: String::new(),
            location: String::new(),
            starts_at: plan.starts_at,
            ends_at: plan.ends_at,
            expected_people: 0,
            staff: String::new(),
            requested: Vec::new(),
            status: plan.status,
            allocation: Vec::new(),
            reject_reason: None,
            revision: 0,
        };
        crate::session::check_session_times(&window, s.opened_at, s.closed_at)
            .err()
            .map(|_| "outside_plan_window".to_owned())
    };
    Ok(Accepted::Session { exception })
}

fn decide_close(
    id: SessionId,
    closed_at: DateTime<Utc>,
    facts: &Facts,
) -> Result<Accepted, Quarantine> {
    let s = own_session(id, facts)?;
    match s.closed_at {
        Some(at) if at == closed_at => return Ok(Accepted::AlreadyApplied),
        Some(at) => {
            return quarantine(
                QuarantineCode::InvalidTransition,
                format!("session {id} was closed already, at {at}"),
            );
        }
        None => {}
    }
    if closed_at < s.opened_at {
        return quarantine(
            QuarantineCode::ClosedBeforeOpened,
            format!("session {id} opened at {}, after {closed_at}", s.opened_at),
        );
    }
    Ok(Accepted::Apply)
}

fn decide_check_out(
    id: CheckInId,
    at: DateTime<Utc>,
    facts: &Facts,
) -> Result<Accepted, Quarantine> {
    let Some(c) = facts.check_in.filter(|c| c.device == facts.device) else {
        return quarantine(
            QuarantineCode::UnknownCheckIn,
            format!("this device has no check-in {id} on the central"),
        );
    };
    match c.checked_out_at {
        Some(prev) if prev == at => return Ok(Accepted::AlreadyApplied),
        Some(prev) => {
            return quarantine(
                QuarantineCode::InvalidTransition,
                format!("check-in {id} was checked out already, at {prev}"),
            );
        }
        None => {}
    }
    if at < c.checked_in_at {
        return quarantine(
            QuarantineCode::CheckedOutBeforeIn,
            format!("check-in {id} started at {}, after {at}", c.checked_in_at),
        );
    }
    Ok(Accepted::Apply)
}

fn decide_entrant(e: &LotteryEntrant, facts: &Facts) -> Result<Accepted, Quarantine> {
    own_session(e.session_id, facts)?;
    if e.consent.text_version.trim().is_empty() {
        return quarantine(
            QuarantineCode::ConsentMissing,
            "a lottery entry needs the entrant's recorded consent",
        );
    }
    Ok(Accepted::Apply)
}

fn decide_plan(plan: &ActivityPlan, revision: bool, facts: &Facts) -> Result<Accepted, Quarantine> {
    if plan.unit_id != facts.unit {
        return quarantine(
            QuarantineCode::PlanOfOtherUnit,
            format!("plan {} names another unit than this device's", plan.id),
        );
    }
    if revision {
        own_plan(plan.id, facts)?;
    }
    Ok(Accepted::Apply)
}

#[cfg(test)]
mod tests;
