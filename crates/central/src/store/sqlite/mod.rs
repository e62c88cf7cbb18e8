//! The embedded SQLite backend: one writer connection behind a mutex (SQLite has one writer
//! anyway) and a small pool of reader connections, all in WAL mode.
//!
//! Each submodule holds the SQL of one aggregate as functions over a `&Connection` (reads) or
//! a `&Transaction` (writes); the [`Store`] impl at the bottom wraps each in a transaction.

mod catalog;
mod console;
mod ledger;
pub mod migrate;
mod plans;
mod push_bridge;
mod top_ups;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use fieldpost_domain::UnitId;
use rusqlite::types::Type;
use rusqlite::{Connection, Row, TransactionBehavior};

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

// --- the Store impl -------------------------------------------------------------------------

impl Store for SqliteStore {
    fn database(&self) -> &dyn crate::storage::Database {
        self
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
}
