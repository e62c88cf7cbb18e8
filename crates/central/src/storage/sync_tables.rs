//! The tables of the sync side: what a device pushed (`device_events`, `handouts` and their
//! per-plan totals, `station_sessions`, `volunteer_check_ins`, `lottery_entrants`), the
//! `change_log` a pull reads. What applying an event needs of other aggregates' tables (a
//! plan's facts, an item, a device's grant) it asks of their owners' traits.
//!
//! The hot path is coarse on purpose: rows go in as slices, so that a backend inserts them
//! set-wise (SQLite 50 to a statement; PostgreSQL one `INSERT … SELECT FROM unnest(…)` or
//! `COPY`), and the use case keeps its caches, never the table.

use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::{CheckInFacts, QuarantineCode, SessionFacts};
use fieldpost_domain::{
    Carrier, DeviceEvent, DeviceId, EventId, Handout, HandoutId, HandoutVoid, ItemId,
    LotteryEntrant, PlanId, SessionId, StationSession, Tally, UnitId, VolunteerCheckIn,
};
use fieldpost_sync::Record;

use super::StorageResult;
use crate::push::QuarantinedEvent;
use crate::records::{HandoutLine, SessionRecord, VolunteerHours};

/// An event of a push as the central holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// Its per-device seq.
    pub seq: u64,
    /// Its id, as stored.
    pub id: String,
    /// Its JSON text (empty for an applied handout: its content is its handouts row).
    pub body: String,
    /// Its quarantine code and reason, if it was quarantined.
    pub quarantine: Option<(String, String)>,
    /// Its digest (none for rows stored before digests).
    pub digest: Option<Vec<u8>>,
}

/// One `device_events` row to insert.
#[derive(Debug, Clone)]
pub struct NewEvent<'e> {
    /// The event.
    pub event: &'e DeviceEvent,
    /// The text stored as its body.
    pub body: &'e str,
    /// Its quarantine code and reason.
    pub quarantine: Option<(QuarantineCode, String)>,
    /// Its digest.
    pub digest: &'e [u8; 16],
}

/// `device_events`: every event a device pushed, by (device, seq), with its digest.
pub trait DeviceEventTable {
    /// The highest seq stored of `device` (0 for none).
    fn last_seq(&mut self, device: DeviceId) -> StorageResult<u64>;
    /// The stored events of `device` with seqs in `first..=upto`, in seq order.
    fn stored(
        &mut self,
        device: DeviceId,
        first: u64,
        upto: u64,
    ) -> StorageResult<Vec<StoredEvent>>;
    /// Inserts `rows` of `device`, received `now`. `Ok(false)` when an event id is stored
    /// already: some of the rows may be in, and the caller rolls back to its savepoint.
    fn insert(
        &mut self,
        device: DeviceId,
        now: DateTime<Utc>,
        rows: &[NewEvent<'_>],
    ) -> StorageResult<bool>;
    /// Which device and seq an event id is stored under.
    fn owner(&mut self, id: EventId) -> StorageResult<Option<(DeviceId, u64)>>;
    /// A quarantine notice as pulled (its event, if stored quarantined).
    fn quarantine_notice(&mut self, event_id: &str) -> StorageResult<Option<Record>>;
    /// Quarantined events of every device, or of one unit's devices, newest first.
    fn quarantined(
        &mut self,
        unit: Option<UnitId>,
        limit: u32,
    ) -> StorageResult<Vec<QuarantinedEvent>>;
    /// Empties the sealed number in the body of every stored `entrant_registered` event
    /// that still holds one; returns how many bodies changed. The digest stays, so a replay
    /// still matches.
    fn erase_entrant_numbers(&mut self) -> StorageResult<u64>;
}

/// One `handouts` row to insert: the handout, the part its grant covered, and the change-log
/// row of its push batch.
#[derive(Debug, Clone, Copy)]
pub struct NewHandout<'e> {
    /// The handout.
    pub handout: &'e Handout,
    /// The part the grant covered.
    pub backed: u32,
    /// The `server_seq` of its batch's change row.
    pub batch_seq: u64,
}

/// A handout as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoredHandout {
    /// Its plan.
    pub plan: PlanId,
    /// The device that recorded it.
    pub device: DeviceId,
    /// The item.
    pub item: ItemId,
    /// How many.
    pub quantity: u32,
    /// The part its grant covered.
    pub backed: u32,
    /// Whether it is voided.
    pub voided: bool,
}

/// `handouts`: every handout a device pushed, written only by push.
pub trait HandoutTable {
    /// Inserts `rows` of `device`. `Ok(false)` when a handout id is stored already: the rows
    /// before it may be in, and the caller rolls back to its savepoint (or, for one row,
    /// compares with [`HandoutTable::stored`]).
    fn insert(&mut self, device: DeviceId, rows: &[NewHandout<'_>]) -> StorageResult<bool>;
    /// One handout.
    fn stored(&mut self, id: HandoutId) -> StorageResult<Option<StoredHandout>>;
    /// Marks a handout voided; it leaves its batch's change row (its own row carries it).
    fn void(&mut self, void: &HandoutVoid) -> StorageResult<()>;
    /// The handouts one push batch stored, at their current state, as pulled.
    fn of_batch(&mut self, batch_seq: u64) -> StorageResult<Vec<Record>>;
    /// One handout as pulled.
    fn record(&mut self, id: &str) -> StorageResult<Option<Record>>;
    /// Every handout, all or one unit's, in the order handed out, with its device's name.
    fn lines(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<HandoutLine>>;
    /// Handouts beyond their device's grant and not voided, of every unit or of one, newest
    /// first.
    fn over_grant(&mut self, unit: Option<UnitId>, limit: u32) -> StorageResult<Vec<HandoutLine>>;
}

/// `plan_handout_totals`: what each plan handed out of each item, kept with the handouts.
pub trait PlanHandoutTotals {
    /// Adds a batch's handouts (positive) or a void (negative) to a plan's totals of an item.
    fn add(
        &mut self,
        plan: PlanId,
        item: ItemId,
        handed_out: i64,
        unbacked: i64,
    ) -> StorageResult<()>;
}

/// `station_sessions`: the sessions devices opened, with their tallies.
pub trait StationSessionTable {
    /// One session.
    fn find(&mut self, id: SessionId) -> StorageResult<Option<SessionFacts>>;
    /// Adds a session of `unit`, opened by `device`, with what looked odd.
    fn insert(
        &mut self,
        session: &StationSession,
        unit: UnitId,
        device: DeviceId,
        exception: Option<&str>,
    ) -> StorageResult<()>;
    /// Closes a session.
    fn close(&mut self, id: SessionId, closed_at: DateTime<Utc>) -> StorageResult<()>;
    /// Adds a tally (a correction never takes a counter below zero).
    fn add_tally(&mut self, tally: &Tally) -> StorageResult<()>;
    /// Sessions, all or one unit's, without their volunteers, in the order opened.
    fn list(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<SessionRecord>>;
}

/// `volunteer_check_ins`: volunteers' hours at sessions.
pub trait VolunteerCheckInTable {
    /// Adds a check-in; `Ok(false)` when its id is stored already.
    fn insert(&mut self, check_in: &VolunteerCheckIn, device: DeviceId) -> StorageResult<bool>;
    /// One check-in.
    fn find(&mut self, id: fieldpost_domain::CheckInId) -> StorageResult<Option<CheckInFacts>>;
    /// Records a check-out.
    fn check_out(
        &mut self,
        id: fieldpost_domain::CheckInId,
        at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// A session's check-ins, in the order they came.
    fn of_session(&mut self, session: SessionId) -> StorageResult<Vec<VolunteerHours>>;
}

/// One `lottery_entrants` row to insert: the entrant as pushed, with what the central
/// derived from its opened number.
#[derive(Debug, Clone, Copy)]
pub struct NewEntrant<'e> {
    /// The entrant as pushed (its sealed number is stored as it came).
    pub entrant: &'e LotteryEntrant,
    /// The central's keyed hash of the number ([`fieldpost_domain::LotterySecretKey::phone_hash`]).
    pub phone_hash: &'e str,
    /// The masked form, derived by the central from the opened number.
    pub phone_masked: &'e str,
}

/// An entrant stored before numbers were sealed (migration 0007): its plain number, to be
/// sealed at the central's start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegacyEntrant {
    /// The entrant's id.
    pub id: String,
    /// The plain number as it was stored.
    pub phone: String,
}

/// `lottery_entrants`: entrants with their sealed numbers, keyed hashes, masked numbers and
/// carriers. No full number is stored; no reason, audit line or log line carries one.
pub trait LotteryEntrantTable {
    /// Adds an entrant; `Ok(false)` when its number's hash is entered in the campaign already
    /// (or its id is stored).
    fn insert(
        &mut self,
        entrant: &NewEntrant<'_>,
        campaign: &str,
        unit: UnitId,
        device: DeviceId,
    ) -> StorageResult<bool>;
    /// How many entrants a unit registered.
    fn count(&mut self, unit: UnitId) -> StorageResult<u64>;
    /// Every entrant of the campaign, in the order registered, with its unit's name.
    fn list(&mut self, campaign: &str) -> StorageResult<Vec<crate::lottery::EntrantLine>>;
    /// Empties every sealed number (and legacy plain number) of the campaign; returns how
    /// many rows held one.
    fn erase_numbers(&mut self, campaign: &str) -> StorageResult<u64>;
    /// Entrants still holding a plain number from before migration 0007.
    fn legacy(&mut self) -> StorageResult<Vec<LegacyEntrant>>;
    /// Replaces a legacy entrant's plain number by its seal, hash, masked form and carrier.
    fn seal_legacy(
        &mut self,
        id: &str,
        sealed: &str,
        hash: &str,
        masked: &str,
        carrier: Carrier,
    ) -> StorageResult<()>;
    /// Every entrant, in registration order (registered at, then id): what the lottery's
    /// list is frozen from.
    fn for_list(&mut self) -> StorageResult<Vec<crate::draw::ListCandidate>>;
    /// An entrant's sealed number; `None` when it was deleted (or there is no such entrant).
    fn sealed_phone(
        &mut self,
        id: fieldpost_domain::EntrantId,
    ) -> StorageResult<Option<fieldpost_domain::SealedPhone>>;
}

/// One row of the change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    /// Its `server_seq`.
    pub seq: u64,
    /// The kind of record, e.g. `plan`, `handout_batch`.
    pub entity: String,
    /// The record's id.
    pub entity_id: String,
    /// The device it concerns, if one.
    pub device: Option<DeviceId>,
}

/// `change_log`: one row per changed record, stamped with a `server_seq` that a reader can
/// page by.
///
/// # Why `server_seq` follows commit order in SQLite
///
/// Every write of the central goes through one writer connection behind a mutex, inside a
/// `BEGIN IMMEDIATE` transaction, and SQLite itself admits one writer at a time per database
/// (even across processes). `change_log.server_seq` is `INTEGER PRIMARY KEY AUTOINCREMENT`,
/// so its value is assigned when the row is inserted, inside that transaction. Two
/// transactions that stamp changes therefore never overlap: the one that commits later
/// started later and got larger numbers. A rolled-back transaction's numbers are simply
/// handed out again, never seen. A reader's transaction (WAL) sees a snapshot that holds
/// every commit before it and none after, so what it sees of `change_log` is exactly the rows
/// up to some number: a reader that has seen `n` can never later meet a new row below `n`.
///
/// # What a PostgreSQL backend must do instead
///
/// A PostgreSQL sequence hands out numbers at insert time while transactions commit in any
/// order: a reader may see 11 committed while 10 is still in flight, move its cursor to 11,
/// and skip 10 for ever. A PostgreSQL implementation of this trait must close that gap in
/// one of two ways:
///
/// - serialize the stamping: take a transaction-scoped lock (`pg_advisory_xact_lock`, or
///   `LOCK TABLE change_log IN EXCLUSIVE MODE`) right before inserting into `change_log` and
///   hold it to commit, which is what SQLite does for us; simple, and the lock is short when
///   the stamp is the transaction's last statement; or
/// - let writers run concurrently and bound the readers: record `pg_current_xact_id()` with
///   each row and have [`ChangeLog::after`] return only rows whose transaction id is below
///   the `xmin` of `pg_current_snapshot()` (every transaction below it has finished), ordered
///   by (transaction id, number), with the cursor made of both.
pub trait ChangeLog {
    /// Stamps a change to a record: its previous row (if any) goes, a new one with the next
    /// number comes. `unit` None is campaign-wide; `device` confines a device-scoped record
    /// (a grant, a quarantine notice) to that device. Returns the number.
    fn stamp(
        &mut self,
        now: DateTime<Utc>,
        record: super::Record<'_>,
        unit: Option<UnitId>,
        device: Option<DeviceId>,
    ) -> StorageResult<i64> {
        // A record keeps one row, its latest change: a reader that had not reached the old
        // row meets the new one later (its number is higher), and one that had passed it meets
        // the new one too, so nothing is skipped; a pull from 0 is a snapshot.
        let seq = self.changed(now, record.entity, record.id, unit, device)?;
        Ok(i64::try_from(seq).unwrap_or(i64::MAX))
    }
    /// Stamps a new record; returns its `server_seq`.
    fn created(
        &mut self,
        now: DateTime<Utc>,
        entity: &str,
        entity_id: &str,
        unit: Option<UnitId>,
        device: Option<DeviceId>,
    ) -> StorageResult<u64>;
    /// Stamps a changed record: its earlier row goes, so the log keeps one row per record.
    fn changed(
        &mut self,
        now: DateTime<Utc>,
        entity: &str,
        entity_id: &str,
        unit: Option<UnitId>,
        device: Option<DeviceId>,
    ) -> StorageResult<u64>;
    /// At most `limit` rows after `after`, of `unit` (or campaign-wide ones, `None`), in
    /// `server_seq` order.
    fn after(&mut self, unit: Option<UnitId>, after: u64, limit: u32)
    -> StorageResult<Vec<LogRow>>;
}
