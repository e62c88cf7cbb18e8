//! The station's side of the sync contract (see `fieldpost_sync::push` and
//! `fieldpost_sync::pull`), as store operations; [`crate::sync_loop`] drives them over HTTP.
//!
//! - Push: [`Station::event_texts_after`] gives the outbox in seq order from any point (a
//!   pipelined push reads after the last batch it sent, ahead of what the central confirmed;
//!   [`Station::pending_events`] reads after `acked_through`);
//!   [`Station::apply_push_response`] records the central's `acked_through` and its quarantine
//!   notices in one transaction. Nothing is ever deleted: an event past `acked_through` stays
//!   pending until the central confirms it, whatever was sent (only an acknowledged entrant
//!   event loses its sealed number: the tablet drops it as soon as the central has it), and
//!   [`Station::resend_from`]
//!   rewinds the pointer when the central says it expects an earlier seq (a central restored
//!   from a backup). The pointer only moves on the central's answers, so however the requests
//!   of a pipelined push fare on the network, no event is skipped.
//! - Pull: [`Station::apply_pull`] stores every record of a page and the new cursor in one
//!   transaction, so a crash between the two cannot skip or repeat a change. Applying the same
//!   page twice is harmless: records are upserts, and the cursor only moves forward. The sync
//!   loop fetches the next page while it applies one, but applies them one at a time, in
//!   order. Answers to this device's top-up requests land in `top_up_answer`, read beside
//!   the requests by [`Station::top_up_requests`].
//! - Either answer may carry the device's next bearer token (`rotated_token`): it is stored,
//!   encrypted, in the same transaction as the rest of the answer, and the sync loop uses it
//!   from the next sync on (see `docs/decisions/2026-12-01-device-token-rotation.md`).

use chrono::{DateTime, Utc};
use fieldpost_domain::{EventId, ItemId, PlanId, TopUpAnswer, TopUpAnswerStatus};
use fieldpost_sync::{PullResponse, PushResponse, Record};
use rusqlite::{Connection, OptionalExtension, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::reference::{upsert_campaign, upsert_grant, upsert_item, upsert_plan, upsert_unit};
use crate::{Error, Result, Station, row, time};

/// An event of this device that the central stored but could not apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct QuarantineNotice {
    /// The event's seq.
    pub seq: u64,
    /// The event's id.
    pub event_id: EventId,
    /// A stable code for the UI's translated text.
    pub code: String,
    /// The central's reason, in English.
    pub reason: String,
    /// When this device learnt of it.
    pub noticed_at: DateTime<Utc>,
}

/// What the sync status line shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct SyncStatus {
    /// Events waiting to be pushed.
    pub pending: u64,
    /// The last seq recorded.
    pub last_seq: u64,
    /// The highest seq the central confirmed.
    pub acked_through: u64,
    /// The pull cursor.
    pub cursor: u64,
    /// When the last full sync (push and pull) succeeded.
    pub last_success: Option<DateTime<Utc>>,
    /// The last failure in plain words, cleared by the next success. Being offline is not
    /// recorded here: it is normal.
    pub last_error: Option<String>,
    /// Quarantined events, oldest first.
    pub quarantined: Vec<QuarantineNotice>,
    /// How far this tablet's clock is ahead of the central's (negative: behind), in seconds,
    /// when the last answer showed it off by more than the tolerance
    /// ([`fieldpost_sync::CLOCK_TOLERANCE_SECONDS`]); `None` when it is right or not known.
    /// The volunteer is asked to set the tablet's time: its plans of the day and session
    /// windows go by it.
    #[ts(type = "number | null")]
    pub clock_off_by_seconds: Option<i64>,
}

impl Station {
    /// The last `server_seq` stored.
    pub fn pull_cursor(&self) -> Result<u64> {
        let cursor: i64 = self.conn.query_row(
            "SELECT pull_cursor FROM sync_state WHERE singleton = 1",
            [],
            |r| r.get(0),
        )?;
        Ok(cursor.unsigned_abs())
    }

    /// Stores a page of pulled changes and its cursor in one transaction. The cursor only
    /// moves forward, so a late duplicate of an old page cannot move it back.
    pub fn apply_pull(&mut self, page: &PullResponse) -> Result<()> {
        let device_id = self.device_id()?;
        let now = time::to_text(self.now());
        let tx = self.conn.transaction()?;
        // Within a page, a grant may come before the plan it names.
        tx.pragma_update(None, "defer_foreign_keys", true)?;
        for change in &page.changes {
            match &change.record {
                Record::Campaign { campaign } => upsert_campaign(&tx, campaign)?,
                Record::Section { section } => {
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO section (id, code, name) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![
                        section.id.to_string(),
                        section.code,
                        section.name
                    ])?;
                }
                Record::Unit { unit } => upsert_unit(&tx, unit)?,
                Record::Item { item } => upsert_item(&tx, item)?,
                Record::Plan { plan } => upsert_plan(&tx, plan)?,
                Record::Grant { grant } if grant.device_id == device_id => {
                    upsert_grant(&tx, grant)?;
                }
                Record::Grant { .. } => {}
                // This device's own handouts are in `handout` already.
                Record::Handout {
                    device_id: from, ..
                } if *from == device_id => {}
                Record::Handout {
                    handout,
                    device_id: from,
                    voided_at,
                } => {
                    tx.prepare_cached(
                        "INSERT OR REPLACE INTO unit_handout (id, device_id, session_id, plan_id,
                            item_id, quantity, handed_out_at, over_grant_reason, voided_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                    )?
                    .execute(params![
                        handout.id.to_string(),
                        from.to_string(),
                        handout.session_id.to_string(),
                        handout.plan_id.to_string(),
                        handout.item_id.to_string(),
                        handout.quantity,
                        time::to_text(handout.handed_out_at),
                        handout.over_grant_reason,
                        voided_at.map(time::to_text),
                    ])?;
                }
                Record::Quarantine {
                    seq,
                    event_id,
                    code,
                    reason,
                } => {
                    insert_quarantine(&tx, *seq, *event_id, code, reason, &now)?;
                }
                Record::TopUpAnswer { answer } => upsert_top_up_answer(&tx, answer)?,
                Record::UnitProgress { progress } => {
                    crate::reference::upsert_unit_progress(&tx, progress)?;
                }
                Record::Lottery { terms } => {
                    crate::lottery::store_terms(&tx, &self.key, terms, &now)?;
                }
            }
        }
        tx.execute(
            "UPDATE sync_state SET pull_cursor = MAX(pull_cursor, ?1) WHERE singleton = 1",
            [i64::try_from(page.cursor).map_err(|_| Error::Corrupt("cursor".into()))?],
        )?;
        crate::identity::store_rotated_token(&tx, &self.key, page.rotated_token.as_deref())?;
        tx.commit()?;
        Ok(())
    }

    /// Records what the central said to a push: everything through `acked_through` is
    /// stored there, and the listed events were quarantined.
    pub fn apply_push_response(&mut self, response: &PushResponse) -> Result<()> {
        let now = time::to_text(self.now());
        let acked = i64::try_from(response.acked_through)
            .map_err(|_| Error::Corrupt("acked_through".into()))?;
        let tx = self.conn.transaction()?;
        let last: i64 =
            tx.query_row("SELECT COALESCE(MAX(seq), 0) FROM events", [], |r| r.get(0))?;
        if acked > last {
            return Err(Error::Corrupt(format!(
                "the central acknowledged seq {acked}, beyond this device's last event {last}"
            )));
        }
        crate::outbox::scrub_acked_entrants(&tx, acked)?;
        tx.execute(
            "UPDATE sync_state SET acked_through = MAX(acked_through, ?1) WHERE singleton = 1",
            [acked],
        )?;
        for q in &response.quarantined {
            insert_quarantine(&tx, q.seq, q.event_id, &q.code, &q.reason, &now)?;
        }
        crate::identity::store_rotated_token(&tx, &self.key, response.rotated_token.as_deref())?;
        tx.commit()?;
        Ok(())
    }

    /// The central expects `seq` next although this device thought it had confirmed more (a
    /// central restored from a backup): send again from `seq`. Events are never deleted, so
    /// they are all still here.
    pub fn resend_from(&mut self, seq: u64) -> Result<()> {
        let through =
            i64::try_from(seq.saturating_sub(1)).map_err(|_| Error::Corrupt("seq".into()))?;
        self.conn.execute(
            "UPDATE sync_state SET acked_through = MIN(acked_through, ?1) WHERE singleton = 1",
            [through],
        )?;
        Ok(())
    }

    /// Notes a successful sync.
    pub fn record_sync_success(&mut self) -> Result<()> {
        let now = time::to_text(self.now());
        self.conn.execute(
            "UPDATE sync_state SET last_success = ?1, last_error = NULL WHERE singleton = 1",
            [now],
        )?;
        Ok(())
    }

    /// Notes how far the central's clock was ahead of this tablet's (negative: behind) at
    /// the last answer that said its time.
    pub fn record_clock_offset(&mut self, central_ahead_by: chrono::Duration) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_state SET clock_offset_seconds = ?1 WHERE singleton = 1",
            [central_ahead_by.num_seconds()],
        )?;
        Ok(())
    }

    /// Notes a failed sync, in plain words.
    pub fn record_sync_failure(&mut self, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE sync_state SET last_error = ?1 WHERE singleton = 1",
            [message],
        )?;
        Ok(())
    }

    /// Everything the sync status line shows.
    pub fn sync_status(&self) -> Result<SyncStatus> {
        let outbox = self.outbox_status()?;
        let (cursor, last_success, last_error, central_ahead): (
            i64,
            Option<String>,
            Option<String>,
            Option<i64>,
        ) = self.conn.query_row(
            "SELECT pull_cursor, last_success, last_error, clock_offset_seconds
             FROM sync_state WHERE singleton = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok(SyncStatus {
            pending: outbox.pending,
            last_seq: outbox.last_seq,
            acked_through: outbox.acked_through,
            cursor: cursor.unsigned_abs(),
            last_success: last_success.as_deref().map(time::from_text).transpose()?,
            last_error,
            quarantined: self.quarantined()?,
            clock_off_by_seconds: central_ahead
                .map(i64::saturating_neg)
                .filter(|s| s.abs() > fieldpost_sync::CLOCK_TOLERANCE_SECONDS),
        })
    }

    /// Quarantined events, oldest first.
    pub fn quarantined(&self) -> Result<Vec<QuarantineNotice>> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, event_id, code, reason, noticed_at FROM quarantine ORDER BY seq",
        )?;
        let rows = stmt.query_map([], quarantine_columns)?;
        rows.map(|r| quarantine_notice(r?)).collect()
    }

    /// Handouts of the whole unit under a plan, this device's and the others' as relayed by
    /// the central, voids deducted: (item, quantity).
    pub fn unit_handed_out(&self, plan_id: PlanId) -> Result<Vec<(ItemId, u64)>> {
        let mut stmt = self.conn.prepare(
            "SELECT item_id, SUM(q) FROM (
                SELECT si.item_id, si.handed_out AS q FROM session s
                    JOIN session_item si ON si.session_id = s.id WHERE s.plan_id = ?1
                UNION ALL
                SELECT item_id, quantity FROM unit_handout
                    WHERE plan_id = ?1 AND voided_at IS NULL)
             GROUP BY item_id ORDER BY item_id",
        )?;
        let rows = stmt.query_map([plan_id.to_string()], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })?;
        rows.map(|r| {
            let (item, q) = r?;
            Ok((row::id(&item)?, q.unsigned_abs()))
        })
        .collect()
    }

    /// How many handouts other devices of the unit reported (for the team leader's view).
    pub fn relayed_handouts(&self) -> Result<u64> {
        let n: i64 = self
            .conn
            .query_row("SELECT COUNT(*) FROM unit_handout", [], |r| r.get(0))?;
        Ok(n.unsigned_abs())
    }
}

/// Stores the secretariat's answer to a top-up request, known to this device or not (see
/// migration 0003): the central sends a device only answers to its own requests.
fn upsert_top_up_answer(tx: &rusqlite::Transaction<'_>, answer: &TopUpAnswer) -> Result<()> {
    let status = match answer.status {
        TopUpAnswerStatus::Fulfilled => "fulfilled",
        TopUpAnswerStatus::Declined => "declined",
    };
    tx.prepare_cached(
        "INSERT OR REPLACE INTO top_up_answer (request_id, status, granted, grant_id, reason,
             decided_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute(params![
        answer.request_id.to_string(),
        status,
        answer.granted,
        answer.grant_id.map(|g| g.to_string()),
        answer.reason,
        time::to_text(answer.decided_at),
    ])?;
    Ok(())
}

fn insert_quarantine(
    tx: &rusqlite::Transaction<'_>,
    seq: u64,
    event_id: EventId,
    code: &str,
    reason: &str,
    now: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT OR IGNORE INTO quarantine (seq, event_id, code, reason, noticed_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        i64::try_from(seq).map_err(|_| Error::Corrupt("seq".into()))?,
        event_id.to_string(),
        code,
        reason,
        now
    ])?;
    Ok(())
}

type QuarantineColumns = (i64, String, String, String, String);

fn quarantine_columns(r: &rusqlite::Row<'_>) -> rusqlite::Result<QuarantineColumns> {
    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
}

fn quarantine_notice(
    (seq, event_id, code, reason, noticed_at): QuarantineColumns,
) -> Result<QuarantineNotice> {
    Ok(QuarantineNotice {
        seq: seq.unsigned_abs(),
        event_id: row::id(&event_id)?,
        code,
        reason,
        noticed_at: time::from_text(&noticed_at)?,
    })
}

/// The central's notice for the event `seq`, if it quarantined it.
pub(crate) fn quarantine_of(conn: &Connection, seq: u64) -> Result<Option<QuarantineNotice>> {
    conn.prepare_cached(
        "SELECT seq, event_id, code, reason, noticed_at FROM quarantine WHERE seq = ?1",
    )?
    .query_row([i64::try_from(seq).unwrap_or(i64::MAX)], quarantine_columns)
    .optional()?
    .map(quarantine_notice)
    .transpose()
}
