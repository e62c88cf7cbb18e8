//! The outbox: the device's append-only event log, numbered 1, 2, 3 … with no gaps.
//!
//! `append` is called inside the transaction of the write it describes, so the fact and its
//! event commit together or not at all, and a rolled-back write leaves no hole in the seqs: the
//! insert that took the seq rolls back with it. Events past `acked_through` are pending; the sync issue's
//! push sends them in seq order and records what the central acknowledged.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceEvent, DeviceId, EventId, EventPayload};
use rusqlite::{Transaction, params};
use tokio::sync::watch;

use crate::{Error, Result, Station, rules, time};

/// Appends `payload` as the device's next event, inside `tx`, unless the central would
/// quarantine it: then it is refused with [`Error::WouldBeQuarantined`], having written
/// nothing, and the caller's `?` drops the transaction with whatever the write did before.
///
/// Called after the write's own checks and before the write changes any row the rule reads
/// (the plan, session, check-in, handout and grant rows the event names): the rule
/// ([`rules::check`]) judges the event by the store as it stood before it.
pub(crate) fn append(
    tx: &Transaction<'_>,
    device_id: DeviceId,
    recorded_at: DateTime<Utc>,
    payload: EventPayload,
) -> Result<DeviceEvent> {
    rules::check(tx, device_id, &payload)?;
    let seq: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) + 1 FROM events")?
        .query_row([], |r| r.get(0))?;
    let event = DeviceEvent {
        id: EventId::new(),
        device_id,
        seq: u64::try_from(seq).map_err(|_| Error::Corrupt(format!("seq {seq}")))?,
        recorded_at,
        payload,
    };
    tx.prepare_cached(
        "INSERT INTO events (seq, id, kind, recorded_at, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        seq,
        event.id.to_string(),
        event.payload.kind(),
        time::to_text(recorded_at),
        serde_json::to_string(&event)?,
    ])?;
    Ok(event)
}

/// Commits a write that appended events with [`append`], then tells the outbox's watchers
/// (the sync loop) that it grew. Only after the commit: a watcher that syncs at once must
/// find the events stored.
pub(crate) fn commit(tx: Transaction<'_>, grew: &watch::Sender<u64>) -> Result<()> {
    tx.commit()?;
    // Counted even when nobody watches (no loop runs before enrollment's first sync).
    grew.send_modify(|commits| *commits = commits.wrapping_add(1));
    Ok(())
}

/// Where the outbox stands, for the sync status the UI always shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct OutboxStatus {
    /// The last seq recorded.
    pub last_seq: u64,
    /// The highest seq the central has confirmed.
    pub acked_through: u64,
    /// Events waiting to be pushed.
    pub pending: u64,
}

impl Station {
    /// A receiver that changes each time a write commits new events (its value counts those
    /// commits since the store was opened): the sync loop's cue to sync soon instead of at
    /// its next timer. What it has seen so far counts as seen.
    pub fn outbox_watch(&self) -> watch::Receiver<u64> {
        self.outbox_grew.subscribe()
    }

    /// How many events wait to be pushed, and the seqs around them.
    pub fn outbox_status(&self) -> Result<OutboxStatus> {
        let (last_seq, acked_through): (i64, i64) = self.conn.query_row(
            "SELECT (SELECT COALESCE(MAX(seq), 0) FROM events), acked_through
             FROM sync_state WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let last_seq = u64::try_from(last_seq).map_err(|_| Error::Corrupt("last_seq".into()))?;
        let acked_through =
            u64::try_from(acked_through).map_err(|_| Error::Corrupt("acked_through".into()))?;
        Ok(OutboxStatus {
            last_seq,
            acked_through,
            pending: last_seq - acked_through,
        })
    }

    /// Up to `limit` pending events in seq order, starting after `acked_through`.
    pub fn pending_events(&self, limit: usize) -> Result<Vec<DeviceEvent>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT payload FROM events
             WHERE seq > (SELECT acked_through FROM sync_state WHERE singleton = 1)
             ORDER BY seq LIMIT ?1",
        )?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([limit], |r| r.get::<_, String>(0))?;
        let mut events = Vec::new();
        for payload in rows {
            events.push(serde_json::from_str(&payload?)?);
        }
        Ok(events)
    }

    /// Up to `limit` pending events as the JSON text stored with them, with their seqs: what a
    /// push sends, without parsing and re-serializing each event. Stops before the first
    /// entrant event that waits for the central's lottery key.
    pub fn pending_event_texts(&self, limit: usize) -> Result<Vec<(u64, String)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT seq, payload FROM events
             WHERE seq > (SELECT acked_through FROM sync_state WHERE singleton = 1)
                AND {SENDABLE}
             ORDER BY seq LIMIT ?1"
        ))?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|r| {
            let (seq, text) = r?;
            Ok((seq.unsigned_abs(), text))
        })
        .collect()
    }

    /// Up to `limit` events after `seq`, in seq order, as the JSON text stored with them, with
    /// their seqs. A pipelined push reads the batch after the last one it *sent*, which is
    /// ahead of `acked_through` while earlier batches are still unanswered. Stops before the
    /// first entrant event that waits for the central's lottery key.
    pub fn event_texts_after(&self, seq: u64, limit: usize) -> Result<Vec<(u64, String)>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT seq, payload FROM events WHERE seq > ?1 AND {SENDABLE}
             ORDER BY seq LIMIT ?2"
        ))?;
        let seq = i64::try_from(seq).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = stmt.query_map([seq, limit], |r| {
            Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
        })?;
        rows.map(|r| {
            let (seq, text) = r?;
            Ok((seq.unsigned_abs(), text))
        })
        .collect()
    }

    /// Every event this device recorded, in seq order (for audits and tests).
    pub fn events(&self) -> Result<Vec<DeviceEvent>> {
        let mut stmt = self
            .conn
            .prepare("SELECT payload FROM events ORDER BY seq")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        let mut events = Vec::new();
        for payload in rows {
            events.push(serde_json::from_str(&payload?)?);
        }
        Ok(events)
    }

    /// Looks up one event by id.
    pub fn event(&self, id: EventId) -> Result<Option<DeviceEvent>> {
        use rusqlite::OptionalExtension;
        let payload: Option<String> = self
            .conn
            .query_row(
                "SELECT payload FROM events WHERE id = ?1",
                [id.to_string()],
                |r| r.get(0),
            )
            .optional()?;
        payload
            .map(|p| serde_json::from_str(&p).map_err(Error::from))
            .transpose()
    }

    /// Records that the central has stored every event up to `seq`. Acknowledgements only move
    /// forward, and never past what this device recorded.
    pub fn mark_acked_through(&mut self, seq: u64) -> Result<()> {
        let seq = i64::try_from(seq).map_err(|_| Error::InvalidQuantity {
            field: "acked_through",
            reason: "too large".into(),
        })?;
        let tx = self.conn.transaction()?;
        scrub_acked_entrants(&tx, seq)?;
        let changed = tx.execute(
            "UPDATE sync_state SET acked_through = MAX(acked_through, ?1)
             WHERE singleton = 1 AND ?1 <= (SELECT COALESCE(MAX(seq), 0) FROM events)",
            [seq],
        )?;
        if changed == 0 {
            return Err(Error::InvalidQuantity {
                field: "acked_through",
                reason: "beyond the last recorded event".into(),
            });
        }
        tx.commit()?;
        Ok(())
    }
}

/// The condition a pushable event meets: it comes before the first entrant event still
/// waiting for the central's lottery key (`entrant_awaiting_seal`, empty on every tablet
/// that registered no entrant before numbers were sealed). The central takes a device's
/// events only in seq order, so everything after a held event is held too.
const SENDABLE: &str = "seq < COALESCE((SELECT MIN(event_seq) FROM entrant_awaiting_seal), \
                            9223372036854775807)";

/// Empties `phone_sealed` in the entrant events the central acknowledges now (after the
/// old `acked_through`, up to `through`), inside the acknowledgement's transaction: the
/// tablet drops a number as soon as the central holds it (issue 12). An acknowledged event
/// is never sent again (but after a central lost it, `resend_from`: then it goes without its
/// number, and the central quarantines it). Only the newly acknowledged range is read, by
/// seq, so the cost is that of the batch.
pub(crate) fn scrub_acked_entrants(tx: &Transaction<'_>, through: i64) -> Result<()> {
    tx.prepare_cached(
        "UPDATE events SET payload = json_set(payload, '$.payload.entrant.phone_sealed', '')
         WHERE seq > (SELECT acked_through FROM sync_state WHERE singleton = 1) AND seq <= ?1
            AND kind = 'entrant_registered'",
    )?
    .execute([through])?;
    Ok(())
}
