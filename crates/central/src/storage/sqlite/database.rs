//! The embedded SQLite database: one writer connection behind a mutex (SQLite has one writer
//! anyway) and a small pool of reader connections, all in WAL mode.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

use super::backup::{BackupOptions, BackupReport, backup_file};
use super::{SqliteTx, migrate};
use crate::storage::{Access, Database, Outcome, StorageError, StorageResult, Tx};

/// The file name of the central database inside a data directory.
pub const DATABASE_FILE: &str = "central.sqlite3";

/// The page size of a new central database.
pub const PAGE_SIZE: i64 = 16_384;

/// Reader connections kept open for reuse.
const READER_POOL: usize = 4;

/// The central's records in one SQLite file: the embedded default.
#[derive(Debug)]
pub struct SqliteDatabase {
    path: PathBuf,
    writer: Mutex<Connection>,
    readers: Mutex<Vec<Connection>>,
}

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
    // (~160 MB of WAL at 16 KiB pages) measured ~30% faster pushes of 2,000-event batches.
    conn.pragma_update(None, "wal_autocheckpoint", 10_000)?;
    Ok(conn)
}

/// Locks a mutex, recovering from poisoning: a panic mid-transaction dropped the
/// `Transaction`, which rolled it back, so the connection is still consistent.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SqliteDatabase {
    /// Opens (creating if needed) the database at `path` and runs pending migrations.
    pub fn open(path: &Path) -> StorageResult<SqliteDatabase> {
        let mut writer = open_connection(path)?;
        migrate::run(&mut writer)?;
        Ok(SqliteDatabase {
            path: path.to_owned(),
            writer: Mutex::new(writer),
            readers: Mutex::new(Vec::new()),
        })
    }

    /// Opens the database of a data directory (creating the directory if needed).
    pub fn open_dir(dir: &Path) -> StorageResult<SqliteDatabase> {
        std::fs::create_dir_all(dir).map_err(|e| {
            StorageError::Failed(format!(
                "cannot create data directory {}: {e}",
                dir.display()
            ))
        })?;
        SqliteDatabase::open(&dir.join(DATABASE_FILE))
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Copies this database to `dest` with SQLite's online backup API while it keeps serving
    /// writes, and checks the copy (see [`backup_file`]). The copy is read on a connection of
    /// its own, never the writer's nor a pooled reader's.
    pub fn backup_to(&self, dest: &Path, options: &BackupOptions) -> StorageResult<BackupReport> {
        backup_file(&self.path, dest, options)
    }

    /// The writer's `PRAGMA synchronous` (2 = FULL): what an acknowledged write survives.
    pub fn pragma_synchronous(&self) -> StorageResult<i64> {
        Ok(lock(&self.writer).query_row("PRAGMA synchronous", [], |r| r.get(0))?)
    }

    fn reader(&self) -> StorageResult<Connection> {
        let pooled = lock(&self.readers).pop();
        Ok(match pooled {
            Some(conn) => conn,
            None => open_connection(&self.path)?,
        })
    }

    fn give_back(&self, conn: Connection) {
        let mut pool = lock(&self.readers);
        if pool.len() < READER_POOL {
            pool.push(conn);
        }
    }
}

impl Database for SqliteDatabase {
    fn transaction(
        &self,
        access: Access,
        work: &mut dyn FnMut(&mut dyn Tx) -> StorageResult<Outcome>,
    ) -> StorageResult<()> {
        let mut run = |conn: &mut Connection, behavior| -> StorageResult<()> {
            let tx = conn.transaction_with_behavior(behavior)?;
            match work(&mut SqliteTx::new(&tx))? {
                Outcome::Commit => tx.commit()?,
                Outcome::RollBack => tx.rollback()?,
            }
            Ok(())
        };
        match access {
            Access::Write => run(&mut lock(&self.writer), TransactionBehavior::Immediate),
            Access::Read => {
                let mut conn = self.reader()?;
                let result = run(&mut conn, TransactionBehavior::Deferred);
                self.give_back(conn);
                result
            }
        }
    }

    fn reclaim_erased(&self) -> StorageResult<()> {
        // The emptying ran with secure_delete (the emptied values' bytes zeroed in their
        // pages), but earlier copies of a seal can sit where secure_delete never looked:
        // free-list pages and the unused space of pages that a B-tree split or an earlier
        // update left behind. VACUUM rebuilds the database from its live rows, so none of
        // that survives; it holds the writer for as long as the rebuild takes, once, at the
        // close. Then the old page images in the write-ahead log: copy the new ones into the
        // database and cut the log to nothing. A reader holding an old snapshot may keep part
        // of the log from being checkpointed; the next checkpoint then overwrites it.
        let writer = lock(&self.writer);
        writer.execute_batch("VACUUM")?;
        writer.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}
