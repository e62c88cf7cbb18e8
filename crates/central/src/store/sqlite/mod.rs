//! The embedded SQLite backend: one writer connection behind a mutex (SQLite has one writer
//! anyway) and a small pool of reader connections, all in WAL mode.
//!
//! Each submodule holds the SQL of one aggregate as functions over a `&Connection` (reads) or
//! a `&Transaction` (writes); the [`Store`] impl at the bottom wraps each in a transaction.

mod catalog;
mod console;
mod devices;
mod ledger;
pub mod migrate;
mod plans;
mod push_bridge;
mod records;
mod top_ups;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use fieldpost_domain::{
    ActivityPlan, DeviceId, Grant, Item, ItemId, PlanId, PlanStatus, Section, SectionId,
    TopUpRequestId, Unit, UnitId,
};
use rusqlite::types::Type;
use rusqlite::{Connection, OptionalExtension, Row, Transaction, TransactionBehavior, params};

use super::*;

/// The file name of the central database inside a data directory.
pub const DATABASE_FILE: &str = "central.sqlite3";

/// Reader connections kept open for reuse.
const READER_POOL: usize = 4;

/// The SQLite-backed [`Store`].
#[derive(Debug)]
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

/// The page size of a new central database.
pub const PAGE_SIZE: i64 = 16_384;

fn open_connection(path: &Path) -> rusqlite::Result<Connection> {
    let conn = Connection::open(path)?;
    // 16 KiB pages for a new central (a no-op on an existing file, which keeps its own): its
    // hot tables take thousands of appended rows per push batch, and bigger pages split and
    // rebalance B-trees less often; measured ~15% less CPU per pushed handout than 4 KiB.
    // Must come before WAL, while the file is still empty.
    conn.pragma_update(None, "page_size", PAGE_SIZE)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.busy_timeout(Duration::from_secs(5))?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // The central is the campaign's record: what it answered is on stable storage before the
    // answer leaves (WAL fsynced at every commit). NORMAL would survive a crash of the process
    // but not of the machine: a power cut could drop acknowledged pushes, approved plans and
    // grants that tablets already pulled, and hand their server_seqs out again to other
    // changes that a tablet's cursor has already passed. See
    // docs/decisions/2026-11-28-central-durability.md.
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "cache_size", -65_536)?;
    // The sync paths cache their statements (`prepare_cached`); the default 16 slots would
    // evict them within one push and prepare them again for every event.
    conn.set_prepared_statement_cache_capacity(64);
    // A push batch writes a few MB; checkpointing every 1,000 pages (the default) would copy
    // the same hot B-tree pages back into the database after nearly every batch. 10,000 pages
    // (~40 MB of WAL) measured ~30% faster pushes of 2,000-event batches.
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    Ok(conn)
}

/// Locks a mutex, recovering from poisoning: a panic mid-transaction dropped the
/// `Transaction`, which rolled it back, so the connection is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    pub fn open(path: &Path) -> StoreResult<SqliteStore> {
        let mut writer = open_connection(path)?;
        migrate::run(&mut writer)?;
        Ok(SqliteStore {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Opens the database of a data directory (creating the directory if needed).
    pub fn open_dir(dir: &Path) -> StoreResult<SqliteStore> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StoreError::Corrupt(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        SqliteStore::open(&dir.join(DATABASE_FILE))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The writer's `PRAGMA synchronous` (2 = FULL): what an acknowledged write survives.
    pub fn pragma_synchronous(&self) -> StoreResult<i64> {
        Ok(lock(&self.writer).query_row("PRAGMA synchronous", [], |r| r.get(0))?)
    }

    /// Runs `f` in an immediate (write-locking) transaction and commits it if `f` succeeds.
    fn write<T>(&self, f: impl FnOnce(&Transaction<'_>) -> StoreResult<T>) -> StoreResult<T> {
        let mut conn = lock(&self.writer);
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let value = f(&tx)?;
        tx.commit()?;
        Ok(value)
    }

    /// Runs `f` on a reader connection inside one read transaction, so that a multi-query
    /// read sees one snapshot.
    fn read<T>(&self, f: impl FnOnce(&Connection) -> StoreResult<T>) -> StoreResult<T> {
        let pooled = lock(&self.readers).pop();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => open_connection(&self.path)?,
        };
        let result = (|| {
            let tx = conn.transaction()?;
            let value = f(&tx)?;
            tx.commit()?;
            Ok(value)
        })();
        let mut pool = lock(&self.readers);
        if pool.len() < READER_POOL {
            pool.push(conn);
        }
        result
    }
}

impl crate::storage::Database for SqliteStore {
    fn transaction(
        &self,
        access: crate::storage::Access,
        work: &mut dyn FnMut(
            &mut dyn crate::storage::Tx,
        ) -> crate::storage::StorageResult<crate::storage::Outcome>,
    ) -> crate::storage::StorageResult<()> {
        let mut run = |conn: &mut Connection, behavior| -> crate::storage::StorageResult<()> {
            let tx = conn.transaction_with_behavior(behavior)?;
            match work(&mut crate::storage::sqlite::SqliteTx::new(&tx))? {
                crate::storage::Outcome::Commit => tx.commit()?,
                crate::storage::Outcome::RollBack => tx.rollback()?,
            }
            Ok(())
        };
        match access {
            crate::storage::Access::Write => {
                run(&mut lock(&self.writer), TransactionBehavior::Immediate)
            }
            crate::storage::Access::Read => {
                let pooled = lock(&self.readers).pop();
                let mut conn = match pooled {
                    Some(conn) => conn,
                    None => open_connection(&self.path)?,
                };
                let result = run(&mut conn, TransactionBehavior::Deferred);
                let mut pool = lock(&self.readers);
                if pool.len() < READER_POOL {
                    pool.push(conn);
                }
                result
            }
        }
    }
}

// --- shared helpers -------------------------------------------------------------------------

/// Times are stored as fixed-width RFC 3339 UTC text, so they sort in time order.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn conversion(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, Type::Text, Box::new(e))
}

/// Reads a typed id (or anything parsed from text) from a column.
pub(crate) fn col<T>(row: &Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: String = row.get(idx)?;
    s.parse().map_err(|e| conversion(idx, e))
}

/// Reads an optional typed id from a column.
pub(crate) fn col_opt<T>(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<T>>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: Option<String> = row.get(idx)?;
    s.map(|s| s.parse().map_err(|e| conversion(idx, e)))
        .transpose()
}

/// Reads a stored time.
pub(crate) fn col_ts(row: &Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = row.get(idx)?;
    DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| conversion(idx, e))
}

/// Reads an optional stored time.
pub(crate) fn col_ts_opt(row: &Row<'_>, idx: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<String> = row.get(idx)?;
    s.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| conversion(idx, e))
    })
    .transpose()
}

/// Reads a non-negative integer column as u32.
pub(crate) fn col_u32(row: &Row<'_>, idx: usize) -> rusqlite::Result<u32> {
    let v: i64 = row.get(idx)?;
    u32::try_from(v)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Integer, Box::new(e)))
}

/// Reads a non-negative sum as u64 (negative sums would be a broken invariant).
pub(crate) fn col_u64(row: &Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let v: i64 = row.get(idx)?;
    u64::try_from(v)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(idx, Type::Integer, Box::new(e)))
}

/// SQLite's errors in the central's words, through the storage seam's: a UNIQUE violation
/// names the request field, never a table or column.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::from(crate::storage::StorageError::from(e))
    }
}

/// Appends to the audit log, in the transaction of the action it records.
pub(crate) fn audit(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    actor: &Actor,
    action: &str,
    subject: Option<String>,
    detail: serde_json::Value,
) -> StoreResult<()> {
    tx.execute(
        "INSERT INTO audit_log (at, actor, action, subject, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![
            ts(now),
            actor.to_string(),
            action,
            subject,
            detail.to_string()
        ],
    )?;
    Ok(())
}

/// Stamps a change to a record with the next `server_seq`, in the transaction of the change,
/// so that a station's pull sees it. `unit` None is campaign-wide; `device` confines a
/// device-scoped record (a grant, a quarantine notice) to that device.
///
/// The log keeps one row per record, its latest change: the record's previous row is deleted
/// here. A reader that had not reached the old row meets the new one later (its number is
/// higher), and a reader that had passed it meets the new one too, so nothing is skipped; a
/// pull from 0 is a snapshot with each record once. Why the numbers follow commit order is in
/// [`sync`]'s module doc.
pub(crate) fn changed(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    entity: &str,
    entity_id: &str,
    unit: Option<UnitId>,
    device: Option<DeviceId>,
) -> StoreResult<i64> {
    tx.prepare_cached("DELETE FROM change_log WHERE entity_id = ?1 AND entity = ?2")?
        .execute(params![entity_id, entity])?;
    created(tx, now, entity, entity_id, unit, device)
}

/// [`changed`] for a record created in this transaction, which has no earlier row to remove.
pub(crate) fn created(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    entity: &str,
    entity_id: &str,
    unit: Option<UnitId>,
    device: Option<DeviceId>,
) -> StoreResult<i64> {
    tx.prepare_cached(
        "INSERT INTO change_log (entity, entity_id, unit_id, device_id, changed_at)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        entity,
        entity_id,
        unit.map(|u| u.to_string()),
        device.map(|d| d.to_string()),
        ts(now)
    ])?;
    Ok(tx.last_insert_rowid())
}

/// A required non-blank text field, trimmed.
pub(crate) fn required(field: &str, value: &str) -> StoreResult<String> {
    let v = value.trim();
    if v.is_empty() {
        return Err(StoreError::invalid(field, "must not be empty"));
    }
    Ok(v.to_owned())
}

/// Rejects a zero quantity.
pub(crate) fn positive(field: &str, quantity: u32) -> StoreResult<u32> {
    if quantity == 0 {
        return Err(StoreError::invalid(field, "must be at least 1"));
    }
    Ok(quantity)
}

// --- the Store impl -------------------------------------------------------------------------

impl Store for SqliteStore {
    fn campaign(&self) -> StoreResult<CampaignRecord> {
        self.read(catalog::campaign)
    }

    fn put_campaign(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        campaign: CampaignRecord,
    ) -> StoreResult<CampaignRecord> {
        self.write(|tx| catalog::put_campaign(tx, actor, now, campaign))
    }

    fn sections(&self) -> StoreResult<Vec<Section>> {
        self.read(catalog::sections)
    }

    fn create_section(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        section: Section,
    ) -> StoreResult<Section> {
        self.write(|tx| catalog::create_section(tx, actor, now, section))
    }

    fn units(&self, section: Option<SectionId>) -> StoreResult<Vec<Unit>> {
        self.read(|c| catalog::units(c, section))
    }

    fn unit(&self, id: UnitId) -> StoreResult<Unit> {
        self.read(|c| catalog::unit(c, id))
    }

    fn create_unit(&self, actor: &Actor, now: DateTime<Utc>, unit: Unit) -> StoreResult<Unit> {
        self.write(|tx| catalog::create_unit(tx, actor, now, unit))
    }

    fn update_unit(&self, actor: &Actor, now: DateTime<Utc>, unit: Unit) -> StoreResult<Unit> {
        self.write(|tx| catalog::update_unit(tx, actor, now, unit))
    }

    fn items(&self) -> StoreResult<Vec<Item>> {
        self.read(catalog::items)
    }

    fn create_item(&self, actor: &Actor, now: DateTime<Utc>, item: Item) -> StoreResult<Item> {
        self.write(|tx| catalog::create_item(tx, actor, now, item))
    }

    fn stock(&self) -> StoreResult<Vec<StockBalance>> {
        self.read(ledger::stock)
    }

    fn ledger(
        &self,
        item: Option<ItemId>,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<LedgerEntry>> {
        self.read(|c| ledger::entries(c, item, after_seq, limit))
    }

    fn receive(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        item: ItemId,
        quantity: u32,
        note: Option<String>,
    ) -> StoreResult<LedgerEntry> {
        self.write(|tx| ledger::receive(tx, actor, now, item, quantity, note))
    }

    fn write_off(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        item: ItemId,
        quantity: u32,
        note: Option<String>,
    ) -> StoreResult<LedgerEntry> {
        self.write(|tx| ledger::write_off(tx, actor, now, item, quantity, note))
    }

    fn plans(
        &self,
        unit: Option<UnitId>,
        status: Option<PlanStatus>,
    ) -> StoreResult<Vec<ActivityPlan>> {
        self.read(|c| plans::list(c, unit, status))
    }

    fn plan(&self, id: PlanId) -> StoreResult<PlanView> {
        self.read(|c| plans::view(c, id))
    }

    fn file_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        unit: UnitId,
        content: PlanContent,
    ) -> StoreResult<PlanView> {
        self.write(|tx| {
            plans::file(tx, actor, now, id, unit, content)?;
            plans::view(tx, id)
        })
    }

    fn revise_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        content: PlanContent,
    ) -> StoreResult<PlanView> {
        self.write(|tx| {
            plans::revise(tx, actor, now, id, content)?;
            plans::view(tx, id)
        })
    }

    fn approve_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        approval: Approval,
    ) -> StoreResult<PlanView> {
        self.write(|tx| {
            plans::approve(tx, actor, now, id, approval)?;
            plans::view(tx, id)
        })
    }

    fn reject_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        reason: String,
    ) -> StoreResult<PlanView> {
        self.write(|tx| {
            plans::reject(tx, actor, now, id, reason)?;
            plans::view(tx, id)
        })
    }

    fn close_plan(&self, actor: &Actor, now: DateTime<Utc>, id: PlanId) -> StoreResult<PlanView> {
        self.write(|tx| {
            plans::close(tx, actor, now, id)?;
            plans::view(tx, id)
        })
    }

    fn allocate(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: PlanId,
        item: ItemId,
        quantity: u32,
    ) -> StoreResult<PlanView> {
        self.write(|tx| {
            plans::allocate_more(tx, actor, now, plan, item, quantity)?;
            plans::view(tx, plan)
        })
    }

    fn return_allocation(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: PlanId,
        item: ItemId,
        quantity: u32,
    ) -> StoreResult<PlanView> {
        self.write(|tx| {
            plans::return_allocation(tx, actor, now, plan, item, quantity)?;
            plans::view(tx, plan)
        })
    }

    fn grant(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: PlanId,
        share: DeviceShare,
    ) -> StoreResult<Grant> {
        self.write(|tx| plans::grant(tx, actor, now, plan, share))
    }

    fn release(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: PlanId,
        share: DeviceShare,
    ) -> StoreResult<PlanView> {
        self.write(|tx| {
            plans::release(tx, actor, now, plan, share)?;
            plans::view(tx, plan)
        })
    }

    fn top_up_requests(
        &self,
        unit: Option<UnitId>,
        status: Option<TopUpStatus>,
    ) -> StoreResult<Vec<TopUpRequestLine>> {
        self.read(|c| top_ups::list(c, unit, status))
    }

    fn fulfil_top_up(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: TopUpRequestId,
        quantity: Option<u32>,
    ) -> StoreResult<TopUpRequestLine> {
        self.write(|tx| {
            top_ups::fulfil(tx, actor, now, id, quantity)?;
            top_ups::load(tx, id)
        })
    }

    fn decline_top_up(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: TopUpRequestId,
        reason: String,
    ) -> StoreResult<TopUpRequestLine> {
        self.write(|tx| {
            top_ups::decline(tx, actor, now, id, &reason)?;
            top_ups::load(tx, id)
        })
    }

    fn import_counts(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        counts: Vec<DailyCount>,
    ) -> StoreResult<u32> {
        self.write(|tx| records::import_counts(tx, actor, now, counts))
    }

    fn counts(&self, unit: Option<UnitId>) -> StoreResult<Vec<DailyCount>> {
        self.read(|c| records::counts(c, unit))
    }

    fn records(&self) -> StoreResult<Records> {
        self.read(records::records)
    }

    fn add_enrollment_code(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        unit: UnitId,
        code_hash: String,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()> {
        self.write(|tx| devices::add_code(tx, actor, now, unit, code_hash, expires_at))
    }

    fn enroll(
        &self,
        now: DateTime<Utc>,
        code_hash: &str,
        device_name: String,
        token_hash: String,
    ) -> StoreResult<DeviceRecord> {
        self.write(|tx| devices::enroll(tx, now, code_hash, device_name, token_hash))
    }

    fn device_by_token(&self, token_hash: &str) -> StoreResult<Option<DeviceAuth>> {
        self.read(|c| devices::by_token(c, token_hash))
    }

    fn devices(&self, unit: Option<UnitId>) -> StoreResult<Vec<DeviceRecord>> {
        self.read(|c| devices::list(c, unit))
    }

    fn revoke_device(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: DeviceId,
    ) -> StoreResult<DeviceRecord> {
        self.write(|tx| devices::revoke(tx, actor, now, id))
    }

    fn seeded(&self, name: &str) -> StoreResult<bool> {
        self.read(|c| {
            Ok(
                c.query_row("SELECT 1 FROM seeds WHERE name = ?1", [name], |_| Ok(()))
                    .optional()?
                    .is_some(),
            )
        })
    }

    fn apply_seed(&self, now: DateTime<Utc>, seed: &Seed) -> StoreResult<bool> {
        self.write(|tx| {
            let done: Option<String> = tx
                .query_row(
                    "SELECT seeded_at FROM seeds WHERE name = ?1",
                    [&seed.name],
                    |r| r.get(0),
                )
                .optional()?;
            if done.is_some() {
                return Ok(false);
            }
            let actor = Actor::System("seed");
            catalog::put_campaign(tx, &actor, now, seed.campaign.clone())?;
            for s in &seed.sections {
                catalog::create_section(tx, &actor, now, s.clone())?;
            }
            for u in &seed.units {
                catalog::create_unit(tx, &actor, now, u.clone())?;
            }
            for i in &seed.items {
                catalog::create_item(tx, &actor, now, i.clone())?;
            }
            for r in &seed.receipts {
                ledger::receive(tx, &actor, now, r.item_id, r.quantity, r.note.clone())?;
            }
            for p in &seed.plans {
                let plan = &p.plan;
                let content = PlanContent {
                    title: plan.title.clone(),
                    location: plan.location.clone(),
                    starts_at: plan.starts_at,
                    ends_at: plan.ends_at,
                    expected_people: plan.expected_people,
                    staff: plan.staff.clone(),
                    requested: plan.requested.clone(),
                };
                plans::file(tx, &actor, now, plan.id, plan.unit_id, content)?;
                if let Some(approval) = &p.approve {
                    plans::approve(tx, &actor, now, plan.id, approval.clone())?;
                }
            }
            records::import_counts(tx, &actor, now, seed.counts.clone())?;
            let mut tables = crate::storage::sqlite::SqliteTx::new(tx);
            for u in &seed.users {
                crate::users::add_user(&mut tables, &actor, now, &u.user, &u.password_hash)
                    .map_err(|e| match e {
                        crate::users::CreateUserError::Storage(e) => StoreError::from(e),
                        e => StoreError::invalid("users", e.to_string()),
                    })?;
            }
            tx.execute(
                "INSERT INTO seeds (name, seeded_at) VALUES (?1, ?2)",
                params![seed.name, ts(now)],
            )?;
            Ok(true)
        })
    }

    fn apply_unit_sheet(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        rows: Vec<UnitSheetRow>,
    ) -> StoreResult<UnitSheetOutcome> {
        self.write(|tx| console::apply_unit_sheet(tx, actor, now, rows))
    }

    fn handout_lines(&self, unit: Option<UnitId>) -> StoreResult<Vec<HandoutLine>> {
        self.read(|c| console::handout_lines(c, unit))
    }

    fn over_grant_handouts(&self, limit: u32) -> StoreResult<Vec<HandoutLine>> {
        self.read(|c| console::over_grant_handouts(c, limit))
    }

    fn quarantined_events(&self, limit: u32) -> StoreResult<Vec<QuarantinedEvent>> {
        self.read(|c| console::quarantined_events(c, limit))
    }

    fn device_activity(&self) -> StoreResult<Vec<DeviceActivity>> {
        self.read(console::device_activity)
    }
}
