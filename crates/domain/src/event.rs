//! Device events: everything a station does, as an append-only log.
//!
//! Each event carries a UUIDv7 `id` and a per-device `seq` (1, 2, 3 … with no gaps), both
//! written in the same local transaction as the fact itself. The station pushes its outbox in
//! `seq` order; the central applies each event exactly once (see `DESIGN.md`, the sync
//! contract). Events are never edited: a mistake is undone by a compensating event, such as
//! [`EventPayload::HandoutVoided`].

use chrono::{DateTime, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::ids::*;
use crate::model::*;

/// One entry of a device's append-only log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct DeviceEvent {
    /// Globally unique id (UUIDv7).
    pub id: EventId,
    /// The device that recorded it.
    pub device_id: DeviceId,
    /// Position in the device's log: 1, 2, 3 … with no gaps.
    #[ts(type = "number")]
    pub seq: u64,
    /// When the device recorded it (the device's clock).
    pub recorded_at: DateTime<Utc>,
    /// What happened.
    pub payload: EventPayload,
}

/// What a device event says happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventPayload {
    /// A station session opened under an approved plan.
    SessionOpened {
        /// The session as opened.
        session: StationSession,
    },
    /// A station session closed.
    SessionClosed {
        /// The session.
        session_id: SessionId,
        /// When.
        closed_at: DateTime<Utc>,
    },
    /// A volunteer checked in.
    VolunteerCheckedIn {
        /// The check-in.
        check_in: VolunteerCheckIn,
    },
    /// A volunteer checked out.
    VolunteerCheckedOut {
        /// The check-in it ends.
        check_in_id: CheckInId,
        /// When.
        checked_out_at: DateTime<Utc>,
    },
    /// Counters changed.
    TallyRecorded {
        /// The change.
        tally: Tally,
    },
    /// Items handed out.
    HandoutRecorded {
        /// The handout.
        handout: Handout,
    },
    /// A handout cancelled.
    HandoutVoided {
        /// The cancellation.
        void: HandoutVoid,
    },
    /// A lottery entrant registered.
    EntrantRegistered {
        /// The entrant.
        entrant: LotteryEntrant,
    },
    /// A team leader filed a plan with the secretariat.
    PlanFiled {
        /// The plan as filed.
        plan: ActivityPlan,
    },
    /// A team leader revised a plan.
    PlanRevised {
        /// The plan as revised.
        plan: ActivityPlan,
    },
    /// The device gave part of its grant back to the central.
    GrantReleased {
        /// The plan.
        plan_id: PlanId,
        /// The item.
        item_id: ItemId,
        /// How many.
        quantity: u32,
    },
    /// The device asked the secretariat for more of an item under a plan (申请追加). The
    /// answer is a grant, which comes back by pull.
    TopUpRequested {
        /// The request.
        request: TopUpRequest,
    },
}

impl EventPayload {
    /// The stable snake_case name of the event type, as stored and as sent.
    pub fn kind(&self) -> &'static str {
        match self {
            EventPayload::SessionOpened { .. } => "session_opened",
            EventPayload::SessionClosed { .. } => "session_closed",
            EventPayload::VolunteerCheckedIn { .. } => "volunteer_checked_in",
            EventPayload::VolunteerCheckedOut { .. } => "volunteer_checked_out",
            EventPayload::TallyRecorded { .. } => "tally_recorded",
            EventPayload::HandoutRecorded { .. } => "handout_recorded",
            EventPayload::HandoutVoided { .. } => "handout_voided",
            EventPayload::EntrantRegistered { .. } => "entrant_registered",
            EventPayload::PlanFiled { .. } => "plan_filed",
            EventPayload::PlanRevised { .. } => "plan_revised",
            EventPayload::GrantReleased { .. } => "grant_released",
            EventPayload::TopUpRequested { .. } => "top_up_requested",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kind_matches_the_serde_tag() {
        let (plan_id, item_id) = (PlanId::new(), ItemId::new());
        let payloads = [
            EventPayload::GrantReleased {
                plan_id,
                item_id,
                quantity: 3,
            },
            EventPayload::TopUpRequested {
                request: TopUpRequest {
                    id: TopUpRequestId::new(),
                    plan_id,
                    item_id,
                    quantity: 20,
                    note: Some("下午人多".into()),
                    requested_at: chrono::Utc::now(),
                },
            },
        ];
        for payload in payloads {
            let json = serde_json::to_value(&payload).unwrap();
            assert_eq!(
                json["type"],
                payload.kind(),
                "stored kind and wire tag must agree"
            );
        }
    }
}
