//! Push: a station sends its outbox to the central.
//!
//! `POST /api/v1/sync/push` with `Authorization: Bearer <device token>` and a batch of the
//! device's events in `seq` order, starting anywhere at or below the next seq the central
//! expects. The central applies the whole batch in one transaction:
//!
//! - an event already stored (same seq, same id, same content) is skipped, so a retried batch
//!   is harmless: at-least-once delivery plus idempotent apply is exactly-once effect. Content
//!   is the event as parsed, not its JSON spelling: the central compares a 16-byte digest of
//!   the event as it re-serializes it, so a client may format a retry differently;
//! - the same seq or id with other content is a conflict: `409` with code `event_conflict`,
//!   nothing applied;
//! - a seq beyond the next expected one is a gap: `409` with code `seq_gap` and
//!   `expected_seq`, nothing applied;
//! - an event that fails validation (say, a handout for a plan the central does not know) is
//!   stored as quarantined with its reason and does not block the rest: its seq counts as
//!   received, and the reply lists it so the station can show it to the volunteer.
//!
//! The reply's `acked_through` is the highest seq the central now holds for the device; the
//! station marks everything up to it as sent and keeps the rest.
//!
//! A station may have more than one batch in flight (it sends the batch after the last one it
//! sent before the earlier one is answered). The rules above keep that safe whatever order the
//! batches arrive in: a batch that arrives before its predecessor is a gap and stores nothing,
//! and the station then sends again from the central's `acked_through` (or `expected_seq`).
//! The central takes the pushes of one device into its store in the order they arrived, so on
//! a well-behaved network that refusal is rare.

use fieldpost_domain::{DeviceEvent, EventId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// `POST /api/v1/sync/push`.
///
/// The events are [`DeviceEvent`]s; `E` lets the central read each one as the exact JSON text
/// the station sent (`PushRequest<Box<RawValue>>`), which is what it stores and compares a
/// replay against, without a second definition of the request's shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(deny_unknown_fields)]
#[ts(concrete(E = DeviceEvent))]
#[schemars(rename = "PushRequest")]
pub struct PushRequest<E = DeviceEvent> {
    /// Events in ascending, gap-free `seq` order, all of the authenticated device.
    pub events: Vec<E>,
}

/// The central's reply to a push that applied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct PushResponse {
    /// The highest seq the central holds for this device, quarantined events included.
    #[ts(type = "number")]
    pub acked_through: u64,
    /// The events of this batch that were quarantined, with why.
    pub quarantined: Vec<Quarantined>,
}

/// An event the central stored but could not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Quarantined {
    /// The event's seq.
    #[ts(type = "number")]
    pub seq: u64,
    /// The event's id.
    pub event_id: EventId,
    /// A stable code, e.g. `unknown_plan`, for the UI's translated text: the spelling of a
    /// [`QuarantineCode`]. A string on this wire so that a station of an older build still
    /// reads the codes a newer central adds.
    pub code: String,
    /// The reason in English, for logs and the console.
    pub reason: String,
}

/// Why the central quarantined a device event instead of applying it: one stable snake_case
/// string per reason, stored with the event and shown (translated) by the console and the
/// station.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuarantineCode {
    /// A handout, void or release of less than one item.
    InvalidQuantity,
    /// The central knows no such item.
    UnknownItem,
    /// The central knows no such plan.
    UnknownPlan,
    /// The plan belongs to another unit than the device.
    PlanOfOtherUnit,
    /// The plan is not (or no longer) approved.
    PlanNotApproved,
    /// A filed or revised plan has an invalid value.
    InvalidPlan,
    /// A filed plan's id is taken.
    DuplicatePlan,
    /// The plan's workflow does not allow this step from its status.
    InvalidTransition,
    /// A filed or revised plan contradicts the stored state otherwise.
    PlanConflict,
    /// The central knows no such session of this device.
    UnknownSession,
    /// The session was opened by another device.
    SessionOfOtherDevice,
    /// The session id is taken.
    DuplicateSession,
    /// A session closed before it opened.
    ClosedBeforeOpened,
    /// The central knows no such check-in.
    UnknownCheckIn,
    /// The check-in id is taken.
    DuplicateCheckIn,
    /// A volunteer checked out before checking in.
    CheckedOutBeforeIn,
    /// The central knows no such handout.
    UnknownHandout,
    /// The handout was recorded by another device.
    HandoutOfOtherDevice,
    /// The handout id is stored with other content.
    HandoutConflict,
    /// A release of more than the device holds.
    ReleaseExceedsGrant,
    /// The lottery entrant id is taken.
    DuplicateEntrant,
    /// A lottery entrant without recorded consent.
    ConsentMissing,
    /// The top-up request id is taken.
    DuplicateTopUpRequest,
    /// A top-up request's note is too long.
    NoteTooLong,
}

impl QuarantineCode {
    /// The code as it is stored and sent, e.g. `unknown_plan`.
    pub fn as_str(self) -> &'static str {
        match self {
            QuarantineCode::InvalidQuantity => "invalid_quantity",
            QuarantineCode::UnknownItem => "unknown_item",
            QuarantineCode::UnknownPlan => "unknown_plan",
            QuarantineCode::PlanOfOtherUnit => "plan_of_other_unit",
            QuarantineCode::PlanNotApproved => "plan_not_approved",
            QuarantineCode::InvalidPlan => "invalid_plan",
            QuarantineCode::DuplicatePlan => "duplicate_plan",
            QuarantineCode::InvalidTransition => "invalid_transition",
            QuarantineCode::PlanConflict => "plan_conflict",
            QuarantineCode::UnknownSession => "unknown_session",
            QuarantineCode::SessionOfOtherDevice => "session_of_other_device",
            QuarantineCode::DuplicateSession => "duplicate_session",
            QuarantineCode::ClosedBeforeOpened => "closed_before_opened",
            QuarantineCode::UnknownCheckIn => "unknown_check_in",
            QuarantineCode::DuplicateCheckIn => "duplicate_check_in",
            QuarantineCode::CheckedOutBeforeIn => "checked_out_before_in",
            QuarantineCode::UnknownHandout => "unknown_handout",
            QuarantineCode::HandoutOfOtherDevice => "handout_of_other_device",
            QuarantineCode::HandoutConflict => "handout_conflict",
            QuarantineCode::ReleaseExceedsGrant => "release_exceeds_grant",
            QuarantineCode::DuplicateEntrant => "duplicate_entrant",
            QuarantineCode::ConsentMissing => "consent_missing",
            QuarantineCode::DuplicateTopUpRequest => "duplicate_top_up_request",
            QuarantineCode::NoteTooLong => "note_too_long",
        }
    }
}

impl std::fmt::Display for QuarantineCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_is_the_wire_spelling_and_reads_back() {
        for code in [
            QuarantineCode::InvalidQuantity,
            QuarantineCode::UnknownItem,
            QuarantineCode::UnknownPlan,
            QuarantineCode::PlanOfOtherUnit,
            QuarantineCode::PlanNotApproved,
            QuarantineCode::InvalidPlan,
            QuarantineCode::DuplicatePlan,
            QuarantineCode::InvalidTransition,
            QuarantineCode::PlanConflict,
            QuarantineCode::UnknownSession,
            QuarantineCode::SessionOfOtherDevice,
            QuarantineCode::DuplicateSession,
            QuarantineCode::ClosedBeforeOpened,
            QuarantineCode::UnknownCheckIn,
            QuarantineCode::DuplicateCheckIn,
            QuarantineCode::CheckedOutBeforeIn,
            QuarantineCode::UnknownHandout,
            QuarantineCode::HandoutOfOtherDevice,
            QuarantineCode::HandoutConflict,
            QuarantineCode::ReleaseExceedsGrant,
            QuarantineCode::DuplicateEntrant,
            QuarantineCode::ConsentMissing,
            QuarantineCode::DuplicateTopUpRequest,
            QuarantineCode::NoteTooLong,
        ] {
            assert_eq!(
                serde_json::to_value(code).unwrap(),
                serde_json::Value::String(code.as_str().to_owned()),
                "{code:?} is spelt the same by serde and as_str"
            );
            assert_eq!(
                code.as_str().parse::<QuarantineCode>().unwrap(),
                code,
                "a stored code reads back as itself"
            );
        }
    }
}
