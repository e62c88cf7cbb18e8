//! A device's pushed events as the central receives them: the event with its text as sent and the digest a replay is compared by, and the events it kept quarantined.

use chrono::{DateTime, Utc};
use fieldpost_domain::digest::event_digest;
use fieldpost_domain::{DeviceEvent, DeviceId, UnitId};
use serde::{Deserialize, Serialize};

/// One event of a push, with its JSON text as the device sent it and the digest a replay is
/// compared by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedEvent {
    /// The event.
    pub event: DeviceEvent,
    /// Its JSON text as sent: what the central stores as the event's body (an applied
    /// handout's content is its handouts row instead).
    pub canonical: String,
    /// [`event_digest`] of `event`.
    pub digest: [u8; 16],
}

impl PushedEvent {
    /// The event with its text as sent; computes the digest (call it off the store's writer:
    /// the push route does, on the request's own task).
    pub fn new(event: DeviceEvent, canonical: String) -> Self {
        let digest = event_digest(&event);
        PushedEvent {
            event,
            canonical,
            digest,
        }
    }
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
