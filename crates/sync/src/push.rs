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
//! station marks everything up to it as sent and keeps the rest. A reply (to a push or a pull)
//! may also carry `rotated_token`, the device's next bearer token, which the station stores in
//! the same transaction as the reply's effect (see `docs/decisions/2026-12-01-device-token-rotation.md`).
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
    /// The device's new bearer token, when the central rotates it (its token is older than
    /// the rotation period): store it (as safely as the old one) and send it from the next
    /// request on. The token this request used keeps working until the central has seen the
    /// new one, so an answer lost on the way costs nothing: the next answer carries the same
    /// token again. Absent otherwise; a client that ignores it keeps its token, which keeps
    /// working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub rotated_token: Option<String>,
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

/// Why the central quarantined a device event instead of applying it: the domain's one
/// definition (`fieldpost_domain::quarantine`), whose snake_case names are this wire's codes.
pub use fieldpost_domain::quarantine::QuarantineCode;

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
