//! The central's half of sync: applying a device's pushed events, and answering its pulls.
//!
//! # Push
//!
//! A batch is applied in the one write transaction [`SqliteStore::write`] opens: events
//! already stored are compared (same seq and id, same canonical JSON) and skipped, new ones
//! are checked for id reuse, applied to the records and stored. A conflict or a gap returns an
//! error, which drops the transaction: nothing of the batch is applied. An event that cannot
//! apply is stored with a quarantine code and reason instead, and its seq counts as received.
//!
//! Validation quarantines only what cannot apply at all (a plan the central does not know, a
//! session it never heard of, a phone number already entered). A fact that happened but looks
//! wrong now — a handout beyond the device's grant, on a plan closed since, from a device
//! revoked since — is kept and flagged: the handout's `backed` part is what the grant covered,
//! the rest is an exception for the secretariat.
//!
//! The hot path (handouts) costs a fixed number of indexed lookups and inserts per event:
//! plans, items, sessions and grant balances are cached for the batch, the balance is a
//! point lookup in `grant_balances` rather than a sum over the ledger, and every statement is
//! prepared once per connection (`prepare_cached`). A handout is written once: its handouts
//! row holds the content, its `device_events` row only the envelope and the digest a replay
//! is compared by ([`fieldpost_domain::digest::event_digest`]); the batch adds to the ledger and to
//! `plan_handout_totals` once per plan and item, not once per tap (migration 0004).
//!
//! # Why `server_seq` follows commit order in SQLite
//!
//! Every write of the central goes through one writer connection behind a mutex, inside a
//! `BEGIN IMMEDIATE` transaction, and SQLite itself admits one writer at a time per database
//! (even across processes). `change_log.server_seq` is `INTEGER PRIMARY KEY AUTOINCREMENT`,
//! so its value is assigned when the row is inserted, inside that transaction. Two
//! transactions that stamp changes therefore never overlap: the one that commits later
//! started later and got larger numbers. A rolled-back transaction's numbers are simply
//! handed out again, never seen. A reader's transaction (WAL) sees a snapshot that holds
//! every commit before it and none after, so what it sees of `change_log` is exactly the rows
//! up to some number: a reader that has seen `n` can never later meet a new row below `n`.
//!
//! # What a PostgreSQL backend must do instead
//!
//! A PostgreSQL sequence hands out numbers at insert time while transactions commit in any
//! order: a reader may see 11 committed while 10 is still in flight, move its cursor to 11,
//! and skip 10 for ever. A PostgreSQL backend must close that gap in one of two ways:
//!
//! - serialize the stamping: take a transaction-scoped lock (`pg_advisory_xact_lock`, or
//!   `LOCK TABLE change_log IN EXCLUSIVE MODE`) right before inserting into `change_log` and
//!   hold it to commit, which is what SQLite does for us; simple, and the lock is short when
//!   the stamp is the transaction's last statement; or
//! - let writers run concurrently and bound the readers: record `pg_current_xact_id()` with
//!   each row and have a pull return only rows whose transaction id is below the `xmin` of
//!   `pg_current_snapshot()` (every transaction below it has finished), ordered by
//!   (transaction id, number), with the cursor made of both.
//!
//! # Pull
//!
//! The change log keeps one row per record (see `changed`), scoped by `unit_id` (NULL for
//! campaign-wide records). A pull reads two indexed range scans on `(unit_id, server_seq)` —
//! the unit's rows and the campaign-wide rows after the cursor — merges them, and reads each
//! record's current state by its primary key. Rows of records outside the device's scope
//! (another device's grants, quarantine notices or top-up answers, stock movements, devices) still move the
//! cursor but are not sent. From cursor 0 this is a snapshot of the device's scope.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    CheckInId, DeviceEvent, DeviceId, EventPayload, Grant, Handout, HandoutId, HandoutVoid, ItemId,
    LotteryEntrant, PlanId, PlanStatus, SessionId, StationSession, Tally, TopUpRequest, UnitId,
    VolunteerCheckIn, session::check_session_times,
};
use fieldpost_sync::{Change, PullResponse, PushResponse, Quarantined, Record};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde_json::json;

use super::catalog::{ITEM_COLUMNS, item_row};
use super::ledger::{Post, device_available, post};
use super::{audit, catalog, col, col_ts, col_ts_opt, col_u32, created, plans, top_ups, ts};
use crate::audit::Actor;
use crate::error::StoreError;
use crate::plans::{DeviceShare, PlanContent};
use crate::push::PushedEvent;
use crate::records::{SessionRecord, VolunteerHours};
use crate::stock::LedgerKind;
use crate::store::StoreResult;

/// What became of one new event.
enum Outcome {
    Applied,
    Quarantined { code: &'static str, reason: String },
}

fn quarantine(code: &'static str, reason: impl Into<String>) -> StoreResult<Outcome> {
    Ok(Outcome::Quarantined {
        code,
        reason: reason.into(),
    })
}

#[derive(Debug, Clone, Copy)]
struct PlanInfo {
    unit: UnitId,
    status: PlanStatus,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy)]
struct SessionInfo {
    device: DeviceId,
    opened_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
}

/// One batch's context and caches. Everything cached here is changed only through this batch
/// while it runs (the writer connection is ours), and every write it does keeps them right.
struct Batch<'a, 'c, 'e> {
    tx: &'a Transaction<'c>,
    now: DateTime<Utc>,
    actor: Actor,
    device: DeviceId,
    unit: UnitId,
    campaign: String,
    plans: HashMap<PlanId, Option<PlanInfo>>,
    items: HashMap<ItemId, bool>,
    sessions: HashMap<SessionId, Option<SessionInfo>>,
    available: HashMap<(PlanId, ItemId), i64>,
    /// Grant-backed handouts of this batch not yet posted to the ledger, per plan and item:
    /// posted as one ledger row each when the batch ends or before anything else reads the
    /// ledger, so a batch of 2,000 taps writes a handful of ledger rows, not 2,000.
    unposted: HashMap<(PlanId, ItemId), u32>,
    /// This batch's new handouts not yet added to `plan_handout_totals`, per plan and item:
    /// (handed out, unbacked). Added with `unposted`.
    untotalled: HashMap<(PlanId, ItemId), (i64, i64)>,
    /// The server_seq of this batch's `handout_batch` change row, once a handout needed it.
    handout_batch: Option<i64>,
    /// The hot path's statement, held for the batch rather than looked up per handout.
    insert_handout: rusqlite::CachedStatement<'a>,
    /// Rows go in [`CHUNK`] at a time (see [`push`]); false: one at a time.
    chunked: bool,
    /// New handouts not yet inserted, with their backed part and batch row.
    handout_rows: Vec<(&'e Handout, u32, i64)>,
    /// New events not yet inserted.
    event_rows: Vec<EventRow<'e>>,
    /// A chunk met a stored row: the chunked attempt is abandoned.
    bailed: bool,
}

/// One `device_events` row waiting for its chunk.
struct EventRow<'e> {
    event: &'e DeviceEvent,
    body: &'e str,
    code: Option<&'static str>,
    reason: Option<String>,
    digest: &'e [u8; 16],
}

/// Rows per multi-row INSERT: SQLite then keeps its cursors open from one row to the next and
/// appends without seeking each B-tree from its root (≈ 25% less CPU per row than one
/// statement per row, measured). 50 divides the usual batch of 2,000.
const CHUNK: usize = 50;

const EVENT_COLUMNS: &str = "INSERT INTO device_events (id, device_id, seq, kind, body,
    recorded_at, received_at, quarantine_code, quarantine_reason, digest) VALUES ";
const HANDOUT_COLUMNS_INSERT: &str = "INSERT INTO handouts (id, plan_id, device_id,
    session_id, item_id, quantity, backed, handed_out_at, over_grant_reason, batch_seq) VALUES ";

/// `INSERT … VALUES (?, …), (?, …) …` for `rows` rows of `columns` parameters.
fn multi_row_sql(head: &str, columns: usize, rows: usize, tail: &str) -> String {
    let row = format!("({})", vec!["?"; columns].join(","));
    format!("{head}{}{tail}", vec![row; rows].join(","))
}

static INSERT_EVENTS: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| multi_row_sql(EVENT_COLUMNS, 10, CHUNK, ""));
static INSERT_EVENT: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| multi_row_sql(EVENT_COLUMNS, 10, 1, ""));
static INSERT_HANDOUTS: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    multi_row_sql(
        HANDOUT_COLUMNS_INSERT,
        10,
        CHUNK,
        " ON CONFLICT (id) DO NOTHING",
    )
});
static INSERT_HANDOUT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    multi_row_sql(
        HANDOUT_COLUMNS_INSERT,
        10,
        1,
        " ON CONFLICT (id) DO NOTHING",
    )
});

/// Is this a unique or other constraint violation?
fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

/// A UUID as the text the central stores it as, without allocating.
fn uuid_text<'b>(id: &uuid::Uuid, buf: &'b mut [u8; uuid::fmt::Hyphenated::LENGTH]) -> &'b str {
    id.hyphenated().encode_lower(buf)
}

/// Applies one device's batch. See the module docs.
pub(super) fn push(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    device: DeviceId,
    events: &[PushedEvent],
) -> StoreResult<PushResponse> {
    let (unit, campaign): (UnitId, String) = tx
        .prepare_cached(
            "SELECT d.unit_id, u.campaign_id FROM devices d JOIN units u ON u.id = d.unit_id
             WHERE d.id = ?1",
        )?
        .query_row([device.to_string()], |r| Ok((col(r, 0)?, r.get(1)?)))
        .optional()?
        .ok_or(StoreError::NotFound("device"))?;
    let last: u64 = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM device_events WHERE device_id = ?1")?
        .query_row([device.to_string()], |r| r.get::<_, i64>(0))?
        .unsigned_abs();
    let Some(first) = events.first().map(|e| e.event.seq) else {
        return Ok(PushResponse {
            acked_through: last,
            quarantined: Vec::new(),
        });
    };
    if first > last + 1 {
        return Err(StoreError::SeqGap {
            expected_seq: last + 1,
        });
    }
    let mut quarantined = Vec::new();

    // Events the central holds already: the same content is skipped, other content refused.
    if first <= last {
        let upto = last.min(first + events.len() as u64 - 1);
        let mut stmt = tx.prepare_cached(
            "SELECT seq, id, body, quarantine_code, quarantine_reason, digest FROM device_events
             WHERE device_id = ?1 AND seq BETWEEN ?2 AND ?3 ORDER BY seq",
        )?;
        let rows = stmt.query_map(
            params![device.to_string(), seq_sql(first)?, seq_sql(upto)?],
            |r| {
                Ok((
                    r.get::<_, i64>(0)?.unsigned_abs(),
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, Option<String>>(4)?,
                    r.get::<_, Option<Vec<u8>>>(5)?,
                ))
            },
        )?;
        let mut stored = 0u64;
        for row in rows {
            let (seq, id, body, code, reason, digest) = row?;
            let i = usize::try_from(seq - first)
                .map_err(|_| StoreError::Corrupt(format!("seq {seq} out of range")))?;
            let pushed = &events[i];
            // The same event, whatever its JSON formatting: by digest, or for a row stored
            // before digests by its body (the same bytes, or failing that the same parse).
            let same = id == pushed.event.id.to_string()
                && match digest {
                    Some(digest) => digest == pushed.digest,
                    None => {
                        body == pushed.canonical
                            || serde_json::from_str::<DeviceEvent>(&body)
                                .is_ok_and(|e| e == pushed.event)
                    }
                };
            if !same {
                return Err(StoreError::conflict_on(
                    "event_conflict",
                    format!("events[{i}]"),
                    format!(
                        "seq {seq} is stored with other content (event {id}); the central keeps \
                         what it has"
                    ),
                ));
            }
            if let Some(code) = code {
                quarantined.push(Quarantined {
                    seq,
                    event_id: pushed.event.id,
                    code,
                    reason: reason.unwrap_or_default(),
                });
            }
            stored += 1;
        }
        if stored != upto - first + 1 {
            return Err(StoreError::Corrupt(format!(
                "device {device} has gaps in its stored events below seq {last}"
            )));
        }
    }

    // Chunked first: rows go in CHUNK at a time. A chunk that meets a stored row (a handout
    // id or event id seen before, which a station never sends in the normal course) abandons
    // the attempt: everything since the savepoint is rolled back and the events are applied
    // one row at a time, which finds and answers each such case exactly.
    let ctx = Context {
        tx,
        now,
        device,
        unit,
        campaign: &campaign,
        last,
        events,
    };
    tx.execute_batch("SAVEPOINT push_chunked")?;
    let (more, applied) = match apply_new(&ctx, true)? {
        Some(done) => {
            tx.execute_batch("RELEASE push_chunked")?;
            done
        }
        None => {
            tx.execute_batch("ROLLBACK TO push_chunked; RELEASE push_chunked")?;
            apply_new(&ctx, false)?.ok_or_else(|| {
                StoreError::Corrupt("a push applied one row at a time cannot bail".into())
            })?
        }
    };
    quarantined.extend(more);
    let acked_through = last.max(events.last().map_or(0, |e| e.event.seq));
    if applied > 0 {
        audit(
            tx,
            now,
            &Actor::Device(device),
            "sync.push",
            Some(device.to_string()),
            json!({"stored": applied, "through": acked_through,
                   "quarantined": quarantined.len()}),
        )?;
    }
    Ok(PushResponse {
        acked_through,
        quarantined,
    })
}

/// What [`apply_new`] works on.
struct Context<'a, 'c, 'e> {
    tx: &'a Transaction<'c>,
    now: DateTime<Utc>,
    device: DeviceId,
    unit: UnitId,
    campaign: &'a str,
    last: u64,
    events: &'e [PushedEvent],
}

/// Applies and stores the events past `last`: their quarantine notices and how many were
/// stored. `None` when `chunked` and a chunk met a stored row (the caller rolls back and
/// tries again one row at a time).
fn apply_new(
    ctx: &Context<'_, '_, '_>,
    chunked: bool,
) -> StoreResult<Option<(Vec<Quarantined>, u64)>> {
    let Context {
        tx,
        now,
        device,
        unit,
        campaign,
        last,
        events,
    } = *ctx;
    let mut batch = Batch {
        tx,
        now,
        actor: Actor::Device(device),
        device,
        unit,
        campaign: campaign.to_owned(),
        plans: HashMap::new(),
        items: HashMap::new(),
        sessions: HashMap::new(),
        available: HashMap::new(),
        unposted: HashMap::new(),
        untotalled: HashMap::new(),
        handout_batch: None,
        insert_handout: tx.prepare_cached(&INSERT_HANDOUT)?,
        chunked,
        handout_rows: Vec::new(),
        event_rows: Vec::new(),
        bailed: false,
    };
    let mut quarantined = Vec::new();
    let mut applied = 0u64;
    let mut insert_event = tx.prepare_cached(&INSERT_EVENT)?;
    for (i, pushed) in events.iter().enumerate() {
        let e = &pushed.event;
        if e.seq <= last {
            continue;
        }
        let outcome = batch.apply(e)?;
        if batch.bailed {
            return Ok(None);
        }
        let (code, reason) = match outcome {
            Outcome::Applied => (None, None),
            Outcome::Quarantined { code, reason } => (Some(code), Some(reason)),
        };
        // An applied handout's content is its handouts row: its event keeps the envelope and
        // the digest only (migration 0004).
        let body = match (&e.payload, code) {
            (EventPayload::HandoutRecorded { .. }, None) => "",
            _ => pushed.canonical.as_str(),
        };
        if let (Some(code), Some(reason)) = (code, &reason) {
            created(
                tx,
                now,
                "quarantine",
                &e.id.to_string(),
                Some(unit),
                Some(device),
            )?;
            quarantined.push(Quarantined {
                seq: e.seq,
                event_id: e.id,
                code: code.to_owned(),
                reason: reason.clone(),
            });
        }
        applied += 1;
        let row = EventRow {
            event: e,
            body,
            code,
            reason,
            digest: &pushed.digest,
        };
        if chunked {
            batch.event_rows.push(row);
            continue;
        }
        let inserted = bind_event(&mut insert_event, 1, &row, device, now)
            .and_then(|()| insert_event.raw_execute());
        // (device, seq) is new (checked above), so a unique violation is the event id, already
        // stored under another seq or device: a conflict, and the whole batch is dropped.
        if let Err(err) = &inserted
            && is_constraint(err)
        {
            let owner: Option<(String, i64)> = tx
                .prepare_cached("SELECT device_id, seq FROM device_events WHERE id = ?1")?
                .query_row([e.id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let whose = match owner {
                Some((owner, seq)) if owner == device.to_string() => {
                    format!("this device's seq {seq}")
                }
                _ => "another device's event".to_owned(),
            };
            return Err(StoreError::conflict_on(
                "event_conflict",
                format!("events[{i}].id"),
                format!("event id {} is already stored as {whose}", e.id),
            ));
        }
        inserted?;
    }
    if !batch.flush_rows()? {
        return Ok(None);
    }
    batch.post_unposted()?;
    Ok(Some((quarantined, applied)))
}

/// Binds one `device_events` row at parameter `at` (1-based) and the nine after it.
fn bind_event(
    stmt: &mut rusqlite::CachedStatement<'_>,
    at: usize,
    row: &EventRow<'_>,
    device: DeviceId,
    now: DateTime<Utc>,
) -> rusqlite::Result<()> {
    let e = row.event;
    let mut bufs = [[0; uuid::fmt::Hyphenated::LENGTH]; 2];
    let [b0, b1] = &mut bufs;
    stmt.raw_bind_parameter(at, uuid_text(&e.id.0, b0))?;
    stmt.raw_bind_parameter(at + 1, uuid_text(&device.0, b1))?;
    stmt.raw_bind_parameter(at + 2, i64::try_from(e.seq).unwrap_or(i64::MAX))?;
    stmt.raw_bind_parameter(at + 3, e.payload.kind())?;
    stmt.raw_bind_parameter(at + 4, row.body)?;
    stmt.raw_bind_parameter(at + 5, ts(e.recorded_at))?;
    stmt.raw_bind_parameter(at + 6, ts(now))?;
    stmt.raw_bind_parameter(at + 7, row.code)?;
    stmt.raw_bind_parameter(at + 8, row.reason.as_deref())?;
    stmt.raw_bind_parameter(at + 9, &row.digest[..])?;
    Ok(())
}

/// Binds one `handouts` row at parameter `at` (1-based) and the nine after it.
fn bind_handout(
    stmt: &mut rusqlite::CachedStatement<'_>,
    at: usize,
    (h, backed, batch_seq): (&Handout, u32, i64),
    device: DeviceId,
) -> rusqlite::Result<()> {
    let mut bufs = [[0; uuid::fmt::Hyphenated::LENGTH]; 5];
    let [b0, b1, b2, b3, b4] = &mut bufs;
    stmt.raw_bind_parameter(at, uuid_text(&h.id.0, b0))?;
    stmt.raw_bind_parameter(at + 1, uuid_text(&h.plan_id.0, b1))?;
    stmt.raw_bind_parameter(at + 2, uuid_text(&device.0, b2))?;
    stmt.raw_bind_parameter(at + 3, uuid_text(&h.session_id.0, b3))?;
    stmt.raw_bind_parameter(at + 4, uuid_text(&h.item_id.0, b4))?;
    stmt.raw_bind_parameter(at + 5, h.quantity)?;
    stmt.raw_bind_parameter(at + 6, backed)?;
    stmt.raw_bind_parameter(at + 7, ts(h.handed_out_at))?;
    stmt.raw_bind_parameter(at + 8, h.over_grant_reason.as_deref())?;
    stmt.raw_bind_parameter(at + 9, batch_seq)?;
    Ok(())
}

fn seq_sql(seq: u64) -> StoreResult<i64> {
    i64::try_from(seq).map_err(|_| StoreError::invalid("seq", "too large"))
}

impl<'e> Batch<'_, '_, 'e> {
    fn apply(&mut self, e: &'e DeviceEvent) -> StoreResult<Outcome> {
        if !matches!(e.payload, EventPayload::HandoutRecorded { .. }) {
            // Whatever else may read the handouts, the events or the ledger sees this batch's
            // handouts first.
            if !self.flush_rows()? {
                // Abandoned: the caller rolls back and starts again one row at a time.
                return Ok(Outcome::Applied);
            }
            self.post_unposted()?;
        }
        match &e.payload {
            EventPayload::HandoutRecorded { handout } => self.handout(handout),
            EventPayload::HandoutVoided { void } => self.void(void),
            EventPayload::SessionOpened { session } => self.open_session(session),
            EventPayload::SessionClosed {
                session_id,
                closed_at,
            } => self.close_session(*session_id, *closed_at),
            EventPayload::TallyRecorded { tally } => self.tally(tally),
            EventPayload::VolunteerCheckedIn { check_in } => self.check_in(check_in),
            EventPayload::VolunteerCheckedOut {
                check_in_id,
                checked_out_at,
            } => self.check_out(*check_in_id, *checked_out_at),
            EventPayload::EntrantRegistered { entrant } => self.entrant(entrant),
            EventPayload::PlanFiled { plan } => self.plan_event(plan, false),
            EventPayload::PlanRevised { plan } => self.plan_event(plan, true),
            EventPayload::GrantReleased {
                plan_id,
                item_id,
                quantity,
            } => self.release(*plan_id, *item_id, *quantity),
            EventPayload::TopUpRequested { request } => self.top_up_request(request),
        }
    }

    /// Inserts the rows waiting for their chunk: full chunks in one statement each, the rest
    /// one by one. False (and `bailed`) when a handout id or event id was already stored.
    fn flush_rows(&mut self) -> StoreResult<bool> {
        if self.bailed {
            return Ok(false);
        }
        let handouts = std::mem::take(&mut self.handout_rows);
        let mut chunks = handouts.chunks_exact(CHUNK);
        let mut many = self.tx.prepare_cached(&INSERT_HANDOUTS)?;
        for chunk in chunks.by_ref() {
            for (k, &row) in chunk.iter().enumerate() {
                bind_handout(&mut many, 1 + 10 * k, row, self.device)?;
            }
            if many.raw_execute()? != chunk.len() {
                self.bailed = true;
                return Ok(false);
            }
        }
        for &row in chunks.remainder() {
            bind_handout(&mut self.insert_handout, 1, row, self.device)?;
            if self.insert_handout.raw_execute()? != 1 {
                self.bailed = true;
                return Ok(false);
            }
        }
        let events = std::mem::take(&mut self.event_rows);
        let mut chunks = events.chunks_exact(CHUNK);
        let mut many = self.tx.prepare_cached(&INSERT_EVENTS)?;
        let mut one = self.tx.prepare_cached(&INSERT_EVENT)?;
        for chunk in chunks.by_ref() {
            for (k, row) in chunk.iter().enumerate() {
                bind_event(&mut many, 1 + 10 * k, row, self.device, self.now)?;
            }
            match many.raw_execute() {
                Err(e) if is_constraint(&e) => {
                    self.bailed = true;
                    return Ok(false);
                }
                other => {
                    other?;
                }
            }
        }
        for row in chunks.remainder() {
            bind_event(&mut one, 1, row, self.device, self.now)?;
            match one.raw_execute() {
                Err(e) if is_constraint(&e) => {
                    self.bailed = true;
                    return Ok(false);
                }
                other => {
                    other?;
                }
            }
        }
        Ok(true)
    }

    /// Posts this batch's grant-backed handouts to the ledger and adds its handouts to the
    /// plan totals, one row each per plan and item.
    fn post_unposted(&mut self) -> StoreResult<()> {
        let mut untotalled: Vec<_> = self.untotalled.drain().collect();
        untotalled.sort();
        for ((plan, item), (handed_out, unbacked)) in untotalled {
            plans::add_handout_totals(self.tx, plan, item, handed_out, unbacked)?;
        }
        let mut unposted: Vec<_> = self.unposted.drain().collect();
        unposted.sort();
        for ((plan, item), backed) in unposted {
            let mut p = Post::new(item, LedgerKind::Handout, backed);
            p.plan = Some(plan);
            p.device = Some(self.device);
            post(self.tx, &self.actor, self.now, p)?;
        }
        Ok(())
    }

    // --- cached lookups -----------------------------------------------------------------

    fn plan(&mut self, id: PlanId) -> StoreResult<Option<PlanInfo>> {
        if let Some(p) = self.plans.get(&id) {
            return Ok(*p);
        }
        let row: Option<(UnitId, String, DateTime<Utc>, DateTime<Utc>)> = self
            .tx
            .prepare_cached("SELECT unit_id, status, starts_at, ends_at FROM plans WHERE id = ?1")?
            .query_row([id.to_string()], |r| {
                Ok((col(r, 0)?, r.get(1)?, col_ts(r, 2)?, col_ts(r, 3)?))
            })
            .optional()?;
        let info = match row {
            None => None,
            Some((unit, status, starts_at, ends_at)) => Some(PlanInfo {
                unit,
                status: PlanStatus::parse(&status)
                    .ok_or_else(|| StoreError::Corrupt(format!("plan {id} status {status}")))?,
                starts_at,
                ends_at,
            }),
        };
        self.plans.insert(id, info);
        Ok(info)
    }

    /// The plan, if it is known and of this device's unit; otherwise the quarantine.
    fn own_plan(&mut self, id: PlanId) -> StoreResult<Result<PlanInfo, Outcome>> {
        Ok(match self.plan(id)? {
            None => Err(Outcome::Quarantined {
                code: "unknown_plan",
                reason: format!("the central knows no plan {id}"),
            }),
            Some(p) if p.unit != self.unit => Err(Outcome::Quarantined {
                code: "plan_of_other_unit",
                reason: format!("plan {id} belongs to another unit than this device"),
            }),
            Some(p) => Ok(p),
        })
    }

    fn item(&mut self, id: ItemId) -> StoreResult<bool> {
        if let Some(known) = self.items.get(&id) {
            return Ok(*known);
        }
        let known = self
            .tx
            .prepare_cached("SELECT 1 FROM items WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some();
        self.items.insert(id, known);
        Ok(known)
    }

    fn session(&mut self, id: SessionId) -> StoreResult<Option<SessionInfo>> {
        if let Some(s) = self.sessions.get(&id) {
            return Ok(*s);
        }
        let info = self
            .tx
            .prepare_cached(
                "SELECT device_id, opened_at, closed_at FROM station_sessions WHERE id = ?1",
            )?
            .query_row([id.to_string()], |r| {
                Ok(SessionInfo {
                    device: col(r, 0)?,
                    opened_at: col_ts(r, 1)?,
                    closed_at: col_ts_opt(r, 2)?,
                })
            })
            .optional()?;
        self.sessions.insert(id, info);
        Ok(info)
    }

    /// This device's session, or the quarantine.
    fn own_session(&mut self, id: SessionId) -> StoreResult<Result<SessionInfo, Outcome>> {
        Ok(match self.session(id)? {
            Some(s) if s.device == self.device => Ok(s),
            Some(_) => Err(Outcome::Quarantined {
                code: "unknown_session",
                reason: format!("session {id} was opened by another device"),
            }),
            None => Err(Outcome::Quarantined {
                code: "unknown_session",
                reason: format!("the central knows no session {id}"),
            }),
        })
    }

    fn available(&mut self, plan: PlanId, item: ItemId) -> StoreResult<i64> {
        if let Some(a) = self.available.get(&(plan, item)) {
            return Ok(*a);
        }
        let a = device_available(self.tx, plan, self.device, item)?;
        self.available.insert((plan, item), a);
        Ok(a)
    }

    // --- events ---------------------------------------------------------------------------

    fn handout(&mut self, h: &'e Handout) -> StoreResult<Outcome> {
        if h.quantity == 0 {
            return quarantine("invalid_quantity", "a handout is at least one item");
        }
        let plan = match self.own_plan(h.plan_id)? {
            Ok(p) => p,
            Err(q) => return Ok(q),
        };
        if !self.item(h.item_id)? {
            return quarantine(
                "unknown_item",
                format!("the central knows no item {}", h.item_id),
            );
        }
        let available = self.available(h.plan_id, h.item_id)?;
        // What the grant still covers posts to the ledger; the rest is kept and flagged.
        let backed = u32::try_from(available.clamp(0, i64::from(h.quantity))).unwrap_or(0);
        let batch_seq = match self.handout_batch {
            Some(seq) => seq,
            None => {
                let seq = created(
                    self.tx,
                    self.now,
                    "handout_batch",
                    &uuid::Uuid::now_v7().to_string(),
                    Some(plan.unit),
                    Some(self.device),
                )?;
                self.handout_batch = Some(seq);
                seq
            }
        };
        let inserted = if self.chunked {
            // Inserted with its chunk; a chunk that finds the id stored abandons the attempt.
            self.handout_rows.push((h, backed, batch_seq));
            1
        } else {
            bind_handout(
                &mut self.insert_handout,
                1,
                (h, backed, batch_seq),
                self.device,
            )?;
            self.insert_handout.raw_execute()?
        };
        if inserted == 0 {
            let stored: (String, String, String, u32) = self
                .tx
                .prepare_cached(
                    "SELECT plan_id, device_id, item_id, quantity FROM handouts WHERE id = ?1",
                )?
                .query_row([h.id.to_string()], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, col_u32(r, 3)?))
                })?;
            let same = (
                h.plan_id.to_string(),
                self.device.to_string(),
                h.item_id.to_string(),
                h.quantity,
            );
            if stored == same {
                // The same handout under another event: already counted.
                return Ok(Outcome::Applied);
            }
            return quarantine(
                "handout_conflict",
                format!("another handout is stored under id {}", h.id),
            );
        }
        let totals = self.untotalled.entry((h.plan_id, h.item_id)).or_default();
        totals.0 += i64::from(h.quantity);
        totals.1 += i64::from(h.quantity - backed);
        if backed > 0 {
            *self.unposted.entry((h.plan_id, h.item_id)).or_default() += backed;
            self.available
                .insert((h.plan_id, h.item_id), available - i64::from(backed));
        }
        Ok(Outcome::Applied)
    }

    fn void(&mut self, v: &HandoutVoid) -> StoreResult<Outcome> {
        let stored: Option<(PlanId, ItemId, DeviceId, Option<String>)> = self
            .tx
            .prepare_cached(
                "SELECT plan_id, item_id, device_id, voided_at FROM handouts WHERE id = ?1",
            )?
            .query_row([v.handout_id.to_string()], |r| {
                Ok((col(r, 0)?, col(r, 1)?, col(r, 2)?, r.get(3)?))
            })
            .optional()?;
        let Some((plan, item, owner, voided)) = stored else {
            return quarantine(
                "unknown_handout",
                format!("the central knows no handout {}", v.handout_id),
            );
        };
        if owner != self.device {
            return quarantine(
                "handout_of_other_device",
                format!("handout {} was recorded by another device", v.handout_id),
            );
        }
        if voided.is_some() {
            return Ok(Outcome::Applied);
        }
        plans::void_handout(self.tx, &self.actor, self.now, self.device, v)?;
        self.available.remove(&(plan, item));
        Ok(Outcome::Applied)
    }

    fn release(&mut self, plan_id: PlanId, item: ItemId, quantity: u32) -> StoreResult<Outcome> {
        if quantity == 0 {
            return quarantine("invalid_quantity", "a release is at least one item");
        }
        if let Err(q) = self.own_plan(plan_id)? {
            return Ok(q);
        }
        if !self.item(item)? {
            return quarantine("unknown_item", format!("the central knows no item {item}"));
        }
        let available = self.available(plan_id, item)?;
        if i64::from(quantity) > available {
            return quarantine(
                "release_exceeds_grant",
                format!(
                    "cannot release {quantity}: only {} remain in this device's grant",
                    available.max(0)
                ),
            );
        }
        let share = DeviceShare {
            device_id: self.device,
            item_id: item,
            quantity,
        };
        plans::release(self.tx, &self.actor, self.now, plan_id, share)?;
        self.available
            .insert((plan_id, item), available - i64::from(quantity));
        Ok(Outcome::Applied)
    }

    /// A device asks for more of an item: stored for the secretariat to fulfil or decline.
    /// Only what cannot become a request is quarantined; whether to grant is the
    /// secretariat's call, not the push's.
    fn top_up_request(&mut self, r: &TopUpRequest) -> StoreResult<Outcome> {
        if r.quantity == 0 {
            return quarantine(
                "invalid_quantity",
                "a top-up request is for at least one item",
            );
        }
        if r.note
            .as_ref()
            .is_some_and(|n| n.chars().count() > TopUpRequest::NOTE_MAX_CHARS)
        {
            return quarantine(
                "note_too_long",
                format!(
                    "a top-up request's note is at most {} characters",
                    TopUpRequest::NOTE_MAX_CHARS
                ),
            );
        }
        let plan = match self.own_plan(r.plan_id)? {
            Ok(p) => p,
            Err(q) => return Ok(q),
        };
        if !self.item(r.item_id)? {
            return quarantine(
                "unknown_item",
                format!("the central knows no item {}", r.item_id),
            );
        }
        // A plan that is not approved (any more) has no allocation to grant from: the device
        // hears of it by its quarantine notice instead of waiting for an answer.
        if plan.status != PlanStatus::Approved {
            return quarantine(
                "plan_not_approved",
                format!(
                    "plan {} is {}: only an approved plan can be topped up",
                    r.plan_id, plan.status
                ),
            );
        }
        if !top_ups::insert(self.tx, self.now, self.unit, self.device, r)? {
            return quarantine(
                "duplicate_top_up_request",
                format!("a top-up request {} is stored already", r.id),
            );
        }
        Ok(Outcome::Applied)
    }

    fn open_session(&mut self, s: &StationSession) -> StoreResult<Outcome> {
        if s.device_id != self.device {
            return quarantine(
                "session_of_other_device",
                format!("session {} names another device", s.id),
            );
        }
        let plan = match self.own_plan(s.plan_id)? {
            Ok(p) => p,
            Err(q) => return Ok(q),
        };
        if self.session(s.id)?.is_some() {
            return quarantine(
                "duplicate_session",
                format!("a session {} is stored already", s.id),
            );
        }
        // The station checked these against its copy of the plan; what changed since is
        // noted for the secretariat, not refused: the session took place.
        let exception = if plan.status != PlanStatus::Approved {
            Some(format!("plan_{}", plan.status))
        } else {
            let window = fieldpost_domain::ActivityPlan {
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
            check_session_times(&window, s.opened_at, s.closed_at)
                .err()
                .map(|_| "outside_plan_window".to_owned())
        };
        self.tx
            .prepare_cached(
                "INSERT INTO station_sessions (id, plan_id, unit_id, device_id, station, opened_at,
                     closed_at, exception)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                s.id.to_string(),
                s.plan_id.to_string(),
                self.unit.to_string(),
                self.device.to_string(),
                s.station,
                ts(s.opened_at),
                s.closed_at.map(ts),
                exception
            ])?;
        self.sessions.insert(
            s.id,
            Some(SessionInfo {
                device: self.device,
                opened_at: s.opened_at,
                closed_at: s.closed_at,
            }),
        );
        Ok(Outcome::Applied)
    }

    fn close_session(&mut self, id: SessionId, closed_at: DateTime<Utc>) -> StoreResult<Outcome> {
        let s = match self.own_session(id)? {
            Ok(s) => s,
            Err(q) => return Ok(q),
        };
        match s.closed_at {
            Some(at) if at == closed_at => return Ok(Outcome::Applied),
            Some(at) => {
                return quarantine(
                    "invalid_transition",
                    format!("session {id} was closed already, at {at}"),
                );
            }
            None => {}
        }
        if closed_at < s.opened_at {
            return quarantine(
                "closed_before_opened",
                format!("session {id} opened at {}, after {closed_at}", s.opened_at),
            );
        }
        self.tx
            .prepare_cached("UPDATE station_sessions SET closed_at = ?2 WHERE id = ?1")?
            .execute(params![id.to_string(), ts(closed_at)])?;
        self.sessions.insert(
            id,
            Some(SessionInfo {
                closed_at: Some(closed_at),
                ..s
            }),
        );
        Ok(Outcome::Applied)
    }

    fn tally(&mut self, t: &Tally) -> StoreResult<Outcome> {
        if let Err(q) = self.own_session(t.session_id)? {
            return Ok(q);
        }
        // A correction never takes a counter below zero (the station checks it too).
        self.tx
            .prepare_cached(
                "UPDATE station_sessions
                 SET people_reached = MAX(0, people_reached + ?2),
                     questionnaires_assisted = MAX(0, questionnaires_assisted + ?3)
                 WHERE id = ?1",
            )?
            .execute(params![
                t.session_id.to_string(),
                t.people_reached,
                t.questionnaires_assisted
            ])?;
        Ok(Outcome::Applied)
    }

    fn check_in(&mut self, c: &VolunteerCheckIn) -> StoreResult<Outcome> {
        if let Err(q) = self.own_session(c.session_id)? {
            return Ok(q);
        }
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO volunteer_check_ins (id, session_id, device_id, volunteer_name,
                     ivolunteer_id, checked_in_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                c.id.to_string(),
                c.session_id.to_string(),
                self.device.to_string(),
                c.volunteer_name,
                c.ivolunteer_id,
                ts(c.checked_in_at)
            ])?;
        if inserted == 0 {
            return quarantine(
                "duplicate_check_in",
                format!("a check-in {} is stored already", c.id),
            );
        }
        Ok(Outcome::Applied)
    }

    fn check_out(&mut self, id: CheckInId, at: DateTime<Utc>) -> StoreResult<Outcome> {
        let stored: Option<(DeviceId, DateTime<Utc>, Option<DateTime<Utc>>)> = self
            .tx
            .prepare_cached(
                "SELECT device_id, checked_in_at, checked_out_at FROM volunteer_check_ins
                 WHERE id = ?1",
            )?
            .query_row([id.to_string()], |r| {
                Ok((col(r, 0)?, col_ts(r, 1)?, col_ts_opt(r, 2)?))
            })
            .optional()?;
        let Some((_, checked_in_at, out)) = stored.filter(|s| s.0 == self.device) else {
            return quarantine(
                "unknown_check_in",
                format!("this device has no check-in {id} on the central"),
            );
        };
        match out {
            Some(prev) if prev == at => return Ok(Outcome::Applied),
            Some(prev) => {
                return quarantine(
                    "invalid_transition",
                    format!("check-in {id} was checked out already, at {prev}"),
                );
            }
            None => {}
        }
        if at < checked_in_at {
            return quarantine(
                "checked_out_before_in",
                format!("check-in {id} started at {checked_in_at}, after {at}"),
            );
        }
        self.tx
            .prepare_cached("UPDATE volunteer_check_ins SET checked_out_at = ?2 WHERE id = ?1")?
            .execute(params![id.to_string(), ts(at)])?;
        Ok(Outcome::Applied)
    }

    fn entrant(&mut self, e: &LotteryEntrant) -> StoreResult<Outcome> {
        if let Err(q) = self.own_session(e.session_id)? {
            return Ok(q);
        }
        if e.consent.text_version.trim().is_empty() {
            return quarantine(
                "consent_missing",
                "a lottery entry needs the entrant's recorded consent",
            );
        }
        // The number is stored because the entrant consented; it goes nowhere else: not into
        // the reason below, the audit log or any log line.
        let inserted = self
            .tx
            .prepare_cached(
                "INSERT INTO lottery_entrants (id, campaign_id, unit_id, session_id, device_id,
                     phone, consent_text_version, consent_given_at, registered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT DO NOTHING",
            )?
            .execute(params![
                e.id.to_string(),
                self.campaign,
                self.unit.to_string(),
                e.session_id.to_string(),
                self.device.to_string(),
                e.phone.expose(),
                e.consent.text_version,
                ts(e.consent.given_at),
                ts(e.registered_at)
            ])?;
        if inserted == 0 {
            return quarantine(
                "duplicate_entrant",
                format!(
                    "the phone number {} is already entered in this campaign's lottery",
                    e.phone.masked()
                ),
            );
        }
        Ok(Outcome::Applied)
    }

    fn plan_event(
        &mut self,
        plan: &fieldpost_domain::ActivityPlan,
        revision: bool,
    ) -> StoreResult<Outcome> {
        if plan.unit_id != self.unit {
            return quarantine(
                "plan_of_other_unit",
                format!("plan {} names another unit than this device's", plan.id),
            );
        }
        if revision && let Err(q) = self.own_plan(plan.id)? {
            return Ok(q);
        }
        let content = PlanContent {
            title: plan.title.clone(),
            location: plan.location.clone(),
            starts_at: plan.starts_at,
            ends_at: plan.ends_at,
            expected_people: plan.expected_people,
            staff: plan.staff.clone(),
            requested: plan.requested.clone(),
        };
        // The plan functions check everything before they write, but a savepoint makes sure
        // a refusal leaves nothing behind whatever they do.
        self.tx.execute_batch("SAVEPOINT plan_event")?;
        let result = if revision {
            plans::revise(self.tx, &self.actor, self.now, plan.id, content)
        } else {
            plans::file(self.tx, &self.actor, self.now, plan.id, self.unit, content)
        };
        self.plans.remove(&plan.id);
        let outcome = match result {
            Ok(()) => Outcome::Applied,
            Err(StoreError::Invalid { field, message }) => Outcome::Quarantined {
                code: "invalid_plan",
                reason: format!("{field}: {message}"),
            },
            Err(StoreError::Conflict { code, message, .. }) => Outcome::Quarantined {
                code: match code {
                    "duplicate" => "duplicate_plan",
                    "invalid_transition" => "invalid_transition",
                    _ => "plan_conflict",
                },
                reason: message,
            },
            Err(StoreError::NotFound(what)) => Outcome::Quarantined {
                code: "unknown_plan",
                reason: format!("{what} not found"),
            },
            Err(other) => return Err(other),
        };
        if matches!(outcome, Outcome::Quarantined { .. }) {
            self.tx.execute_batch("ROLLBACK TO plan_event")?;
        }
        self.tx.execute_batch("RELEASE plan_event")?;
        Ok(outcome)
    }
}

// --- pull -------------------------------------------------------------------------------------

struct LogRow {
    seq: u64,
    entity: String,
    entity_id: String,
    device: Option<String>,
}

fn log_rows(c: &Connection, unit: Option<UnitId>, after: i64, n: i64) -> StoreResult<Vec<LogRow>> {
    let map = |r: &rusqlite::Row<'_>| {
        Ok(LogRow {
            seq: r.get::<_, i64>(0)?.unsigned_abs(),
            entity: r.get(1)?,
            entity_id: r.get(2)?,
            device: r.get(3)?,
        })
    };
    let rows = match unit {
        Some(unit) => c
            .prepare_cached(
                "SELECT server_seq, entity, entity_id, device_id FROM change_log
                 WHERE unit_id = ?1 AND server_seq > ?2 ORDER BY server_seq LIMIT ?3",
            )?
            .query_map(params![unit.to_string(), after, n], map)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => c
            .prepare_cached(
                "SELECT server_seq, entity, entity_id, device_id FROM change_log
                 WHERE unit_id IS NULL AND server_seq > ?1 ORDER BY server_seq LIMIT ?2",
            )?
            .query_map(params![after, n], map)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    Ok(rows)
}

/// The changes after `after` in the scope of `device` (of `unit`), at most `limit`.
pub(super) fn pull(
    c: &Connection,
    device: DeviceId,
    unit: UnitId,
    after: u64,
    limit: u32,
) -> StoreResult<PullResponse> {
    let after_sql = i64::try_from(after).unwrap_or(i64::MAX);
    let want = usize::try_from(limit).unwrap_or(usize::MAX);
    let fetch = i64::from(limit) + 1;
    let own = log_rows(c, Some(unit), after_sql, fetch)?;
    let wide = log_rows(c, None, after_sql, fetch)?;
    // Merge the two ascending runs; one past the limit tells whether more wait.
    let mut rows: Vec<LogRow> = Vec::with_capacity((own.len() + wide.len()).min(want + 1));
    let (mut a, mut b) = (own.into_iter().peekable(), wide.into_iter().peekable());
    while rows.len() <= want {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if x.seq < y.seq => a.next(),
            (Some(_), Some(_)) => b.next(),
            (Some(_), None) => a.next(),
            (None, Some(_)) => b.next(),
            (None, None) => None,
        };
        match next {
            Some(row) => rows.push(row),
            None => break,
        }
    }
    // `limit` bounds the records sent: a handout batch row stands for its handouts, so the
    // page ends after the row that reaches the limit, and never inside a batch.
    let fetched = rows.len();
    let me = device.to_string();
    let mut changes = Vec::with_capacity(want.min(fetched));
    let mut cursor = after;
    let mut processed = 0;
    for row in rows.iter().take(want) {
        if changes.len() >= want {
            break;
        }
        processed += 1;
        cursor = row.seq;
        let mine = row.device.as_deref() == Some(me.as_str());
        if row.entity == "handout_batch" {
            // A device already holds its own handouts.
            if !mine {
                for record in batch_handouts(c, row.seq)? {
                    changes.push(Change {
                        server_seq: row.seq,
                        record,
                    });
                }
            }
            continue;
        }
        if let Some(record) = record(c, unit, mine, row)? {
            changes.push(Change {
                server_seq: row.seq,
                record,
            });
        }
    }
    let more = processed < fetched;
    Ok(PullResponse {
        changes,
        cursor,
        more,
    })
}

fn parse<T: std::str::FromStr>(row: &LogRow) -> StoreResult<T> {
    row.entity_id.parse().map_err(|_| {
        StoreError::Corrupt(format!(
            "change_log {}: {} id {:?}",
            row.seq, row.entity, row.entity_id
        ))
    })
}

const HANDOUT_COLUMNS: &str = "id, session_id, plan_id, item_id, quantity, handed_out_at,
     over_grant_reason, device_id, voided_at";

fn handout_record(r: &rusqlite::Row<'_>) -> rusqlite::Result<Record> {
    Ok(Record::Handout {
        handout: Handout {
            id: col::<HandoutId>(r, 0)?,
            session_id: col(r, 1)?,
            plan_id: col(r, 2)?,
            item_id: col(r, 3)?,
            quantity: col_u32(r, 4)?,
            handed_out_at: col_ts(r, 5)?,
            over_grant_reason: r.get(6)?,
        },
        device_id: col(r, 7)?,
        voided_at: col_ts_opt(r, 8)?,
    })
}

/// The handouts one pushed batch stored, at their current state.
fn batch_handouts(c: &Connection, batch_seq: u64) -> StoreResult<Vec<Record>> {
    let mut stmt = c.prepare_cached(&format!(
        "SELECT {HANDOUT_COLUMNS} FROM handouts WHERE batch_seq = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map(
        [i64::try_from(batch_seq).unwrap_or(i64::MAX)],
        handout_record,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The current state of the record a log row names, if it is in the device's scope.
fn record(c: &Connection, unit: UnitId, mine: bool, row: &LogRow) -> StoreResult<Option<Record>> {
    let id = row.entity_id.as_str();
    Ok(match row.entity.as_str() {
        "campaign" => Some(Record::Campaign {
            campaign: catalog::campaign(c)?.campaign,
        }),
        "section" => c
            .prepare_cached("SELECT id, code, name FROM sections WHERE id = ?1")?
            .query_row([id], |r| {
                Ok(fieldpost_domain::Section {
                    id: col(r, 0)?,
                    code: r.get(1)?,
                    name: r.get(2)?,
                })
            })
            .optional()?
            .map(|section| Record::Section { section }),
        "item" => c
            .prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1"))?
            .query_row([id], item_row)
            .optional()?
            .map(|item| Record::Item { item }),
        "unit" if parse::<UnitId>(row)? == unit => Some(Record::Unit {
            unit: catalog::unit(c, unit)?,
        }),
        "plan" => match plans::load(c, parse(row)?) {
            Ok(plan) if plan.unit_id == unit => Some(Record::Plan { plan }),
            Ok(_) | Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e),
        },
        "grant" if mine => c
            .prepare_cached(
                "SELECT id, plan_id, device_id, item_id, quantity FROM stock_ledger
                 WHERE id = ?1 AND kind = 'grant'",
            )?
            .query_row([id], |r| {
                Ok(Grant {
                    id: col(r, 0)?,
                    plan_id: col(r, 1)?,
                    device_id: col(r, 2)?,
                    item_id: col(r, 3)?,
                    quantity: col_u32(r, 4)?,
                })
            })
            .optional()?
            .map(|grant| Record::Grant { grant }),
        // A device already holds its own handouts.
        "handout" if !mine => c
            .prepare_cached(&format!(
                "SELECT {HANDOUT_COLUMNS} FROM handouts WHERE id = ?1"
            ))?
            .query_row([id], handout_record)
            .optional()?,
        "quarantine" if mine => c
            .prepare_cached(
                "SELECT seq, id, quarantine_code, quarantine_reason FROM device_events
                 WHERE id = ?1 AND quarantine_code IS NOT NULL",
            )?
            .query_row([id], |r| {
                Ok(Record::Quarantine {
                    seq: r.get::<_, i64>(0)?.unsigned_abs(),
                    event_id: col(r, 1)?,
                    code: r.get(2)?,
                    reason: r.get::<_, Option<String>>(3)?.unwrap_or_default(),
                })
            })
            .optional()?,
        // The answer to one of this device's top-up requests; the request itself is the
        // device's own event and never comes back down.
        "top_up" if mine => top_ups::answer(c, id)?.map(|answer| Record::TopUpAnswer { answer }),
        // Stock movements, devices, collection counts, other devices' grants, notices and
        // answers: not in a device's scope.
        _ => None,
    })
}

// --- console reads ----------------------------------------------------------------------------

/// Station sessions with their tallies and volunteer hours, all or one unit's.
pub(super) fn sessions(c: &Connection, unit: Option<UnitId>) -> StoreResult<Vec<SessionRecord>> {
    let mut stmt = c.prepare(
        "SELECT id, plan_id, device_id, station, opened_at, closed_at, unit_id,
             people_reached, questionnaires_assisted, exception
         FROM station_sessions WHERE ?1 IS NULL OR unit_id = ?1 ORDER BY opened_at, id",
    )?;
    let rows = stmt.query_map([unit.map(|u| u.to_string())], |r| {
        Ok(SessionRecord {
            session: StationSession {
                id: col(r, 0)?,
                plan_id: col(r, 1)?,
                device_id: col(r, 2)?,
                station: r.get(3)?,
                opened_at: col_ts(r, 4)?,
                closed_at: col_ts_opt(r, 5)?,
            },
            unit_id: col(r, 6)?,
            people_reached: col_u32(r, 7)?,
            questionnaires_assisted: col_u32(r, 8)?,
            exception: r.get(9)?,
            volunteers: Vec::new(),
        })
    })?;
    let mut out = rows.collect::<rusqlite::Result<Vec<_>>>()?;
    let mut stmt = c.prepare(
        "SELECT id, volunteer_name, ivolunteer_id, checked_in_at, checked_out_at
         FROM volunteer_check_ins WHERE session_id = ?1 ORDER BY checked_in_at, id",
    )?;
    for s in &mut out {
        let rows = stmt.query_map([s.session.id.to_string()], |r| {
            let checked_in_at = col_ts(r, 3)?;
            let checked_out_at = col_ts_opt(r, 4)?;
            Ok(VolunteerHours {
                check_in_id: col(r, 0)?,
                volunteer_name: r.get(1)?,
                ivolunteer_id: r.get(2)?,
                checked_in_at,
                checked_out_at,
                minutes: checked_out_at
                    .map(|out| u64::try_from((out - checked_in_at).num_minutes()).unwrap_or(0)),
            })
        })?;
        s.volunteers = rows.collect::<rusqlite::Result<_>>()?;
    }
    Ok(out)
}

/// How many lottery entrants a unit registered (numbers stay in the table).
pub(super) fn entrant_count(c: &Connection, unit: UnitId) -> StoreResult<u64> {
    let n: i64 = c.query_row(
        "SELECT COUNT(*) FROM lottery_entrants WHERE unit_id = ?1",
        [unit.to_string()],
        |r| r.get(0),
    )?;
    Ok(n.unsigned_abs())
}
