//! A device's pushed events as the central receives them, and the push use case that applies
//! a batch of them (its appliers, one per kind of event, in `push/apply.rs`).

mod apply;
mod clock;

pub use clock::CLOCK_TOLERANCE;
use clock::ClockCheck;

use crate::audit::Actor;
use crate::lottery_key::LotteryKeyFile;
use crate::storage::{self, Database, StorageError, Tx};
use chrono::{DateTime, Utc};
use fieldpost_domain::digest::event_digest;
use fieldpost_domain::{DeviceEvent, DeviceId, UnitId};
use fieldpost_sync::QuarantineCode;
use fieldpost_sync::{PushResponse, Quarantined};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::json;
use ts_rs::TS;

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
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
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
    /// Stable code of the reason; none when the stored one is not a code this build knows.
    pub code: Option<QuarantineCode>,
    /// The reason, in English.
    pub reason: String,
}

// --- the use case ---------------------------------------------------------------------------

/// Why a push was refused as a whole (nothing of the batch is applied).
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The pushing device is not on the central.
    #[error("device not found")]
    UnknownDevice,
    /// The batch starts past the next seq the central expects.
    #[error("the central expects seq {expected_seq} next from this device")]
    SeqGap {
        /// The next seq the central expects.
        expected_seq: u64,
    },
    /// A seq beyond what the central can store.
    #[error("seq: too large")]
    SeqTooLarge,
    /// An event contradicts one the central holds: other content under a stored seq, or a
    /// stored event id under a new seq.
    #[error("{message}")]
    EventConflict {
        /// The request field at fault, e.g. `events[3].id`.
        field: String,
        /// Why.
        message: String,
    },
    /// The lottery key file cannot open entrants' numbers (missing, or another key than the
    /// database's): the batch is refused as a whole, so the tablet keeps its entrants and
    /// pushes them again once the operator restored the file.
    #[error("lottery key: {0}")]
    LotteryKey(String),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Quarantined device events of every device, or of one unit's devices, newest first: for the
/// secretariat (or the unit) to look into.
pub fn quarantined_events(
    db: &dyn Database,
    unit: Option<fieldpost_domain::UnitId>,
    limit: u32,
) -> Result<Vec<QuarantinedEvent>, StorageError> {
    storage::read(db, |tx| tx.device_events().quarantined(unit, limit))
}

/// Applies one device's batch in one transaction (see `fieldpost_sync::push`): events already
/// stored are compared by digest and skipped, other content under a stored seq or id is a
/// conflict, a skipped seq is a gap, an event that cannot apply is stored quarantined (the
/// rule is [`fieldpost_domain::quarantine::decide`]). A revoked device's events are applied
/// too (its handouts beyond its grant are flagged). The caller has checked that the batch is
/// the device's, in ascending gap-free seq order, and computed each digest off the writer.
///
/// The hot path (handouts) costs a fixed number of indexed lookups and inserts per event:
/// plans, items, sessions and grant balances are cached for the batch, the balance is a point
/// lookup rather than a sum over the ledger, and rows go to the tables in slices, which a
/// backend inserts set-wise. A handout is written once: its handouts row holds the content,
/// its `device_events` row only the envelope and the digest; the batch adds to the ledger and
/// to `plan_handout_totals` once per plan and item, not once per tap.
///
/// An entrant's sealed number is opened with `lottery_key` (only entrant events touch it).
pub fn push(
    db: &dyn Database,
    lottery_key: &LotteryKeyFile,
    now: DateTime<Utc>,
    device: DeviceId,
    events: &[PushedEvent],
) -> Result<PushResponse, PushError> {
    push_dated(db, lottery_key, now, device, events, None)
}

/// [`push`] of a request that said the tablet's own time when it was sent (its `Date`
/// header): a tablet whose clock is off by more than [`CLOCK_TOLERANCE`] has its session and
/// check-in times corrected by the difference, and the batch is flagged in the audit log
/// (`sync.clock_off`); see `push/clock.rs`.
pub fn push_dated(
    db: &dyn Database,
    lottery_key: &LotteryKeyFile,
    now: DateTime<Utc>,
    device: DeviceId,
    events: &[PushedEvent],
    device_time: Option<DateTime<Utc>>,
) -> Result<PushResponse, PushError> {
    let clock = ClockCheck::new(now, device_time);
    storage::write(db, |tx| {
        push_in(tx, lottery_key, now, clock, device, events)
    })
}

fn push_in(
    tx: &mut dyn Tx,
    lottery_key: &LotteryKeyFile,
    now: DateTime<Utc>,
    clock: ClockCheck,
    device: DeviceId,
    events: &[PushedEvent],
) -> Result<PushResponse, PushError> {
    let (unit, campaign) = tx
        .devices()
        .unit_and_campaign(device)?
        .ok_or(PushError::UnknownDevice)?;
    let last = tx.device_events().last_seq(device)?;
    let (Some(first), Some(end)) = (events.first(), events.last()) else {
        return Ok(PushResponse {
            acked_through: last,
            quarantined: Vec::new(),
            rotated_token: None,
        });
    };
    let (first, end) = (first.event.seq, end.event.seq);
    if i64::try_from(end).is_err() {
        return Err(PushError::SeqTooLarge);
    }
    if first > last + 1 {
        return Err(PushError::SeqGap {
            expected_seq: last + 1,
        });
    }
    let mut quarantined = Vec::new();

    // Events the central holds already: the same content is skipped, other content refused.
    if first <= last {
        let upto = last.min(end);
        let stored = tx.device_events().stored(device, first, upto)?;
        for row in &stored {
            let i = usize::try_from(row.seq - first)
                .ok()
                .filter(|&i| i < events.len())
                .ok_or_else(|| StorageError::Corrupt(format!("seq {} out of range", row.seq)))?;
            let pushed = &events[i];
            // The same event, whatever its JSON formatting: by digest, or for a row stored
            // before digests by its body (the same bytes, or failing that the same parse).
            let same = row.id == pushed.event.id.to_string()
                && match &row.digest {
                    Some(digest) => digest[..] == pushed.digest[..],
                    None => {
                        row.body == pushed.canonical
                            || serde_json::from_str::<DeviceEvent>(&row.body)
                                .is_ok_and(|e| e == pushed.event)
                    }
                };
            if !same {
                return Err(PushError::EventConflict {
                    field: format!("events[{i}]"),
                    message: format!(
                        "seq {} is stored with other content (event {}); the central keeps \
                         what it has",
                        row.seq, row.id
                    ),
                });
            }
            if let Some((code, reason)) = &row.quarantine {
                quarantined.push(Quarantined {
                    seq: row.seq,
                    event_id: pushed.event.id,
                    code: code.clone(),
                    reason: reason.clone(),
                });
            }
        }
        if stored.len() as u64 != upto - first + 1 {
            return Err(StorageError::Corrupt(format!(
                "device {device} has gaps in its stored events below seq {last}"
            ))
            .into());
        }
    }

    // Chunked first: rows go in slices. A slice that meets a stored row (a handout id or
    // event id seen before, which a station never sends in the normal course) abandons the
    // attempt: everything since the savepoint is rolled back and the events are applied one
    // row at a time, which finds and answers each such case exactly.
    let ctx = apply::Context {
        now,
        device,
        unit,
        campaign: &campaign,
        last,
        events,
        lottery_key,
        clock,
    };
    tx.savepoint("push_chunked")?;
    let (more, applied) = match apply::apply_new(tx, &ctx, true)? {
        Some(done) => {
            tx.release("push_chunked")?;
            done
        }
        None => {
            tx.roll_back_to("push_chunked")?;
            apply::apply_new(tx, &ctx, false)?.ok_or_else(|| {
                StorageError::Corrupt("a push applied one row at a time cannot bail".into())
            })?
        }
    };
    quarantined.extend(more);
    let acked_through = last.max(end);
    if applied > 0 {
        tx.audit_log().append(
            now,
            &Actor::Device(device),
            "sync.push",
            Some(&device.to_string()),
            &json!({"stored": applied, "through": acked_through,
                    "quarantined": quarantined.len()}),
        )?;
        let new = events.iter().map(|p| &p.event).filter(|e| e.seq > last);
        if let Some(details) = clock.flag(new) {
            tx.audit_log().append(
                now,
                &Actor::Device(device),
                "sync.clock_off",
                Some(&device.to_string()),
                &details,
            )?;
        }
    }
    Ok(PushResponse {
        acked_through,
        quarantined,
        // The HTTP layer adds it: it holds the token the device presented.
        rotated_token: None,
    })
}
