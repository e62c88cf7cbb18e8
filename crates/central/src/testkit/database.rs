//! The database a test runs its central on: a fresh SQLite file in the test's data directory,
//! or — when `FIELDPOST_TEST_POSTGRES` names a PostgreSQL cluster (a connection string
//! without a database, e.g. `host=/tmp/pg user=postgres`) — a fresh database in that
//! cluster. `cargo xtask test` runs the central's suites once each way.
//!
//! A data directory stands for its database on both: the PostgreSQL database's name is kept
//! in the directory (`postgres-database`), so a central restarted on the same directory, or
//! a second process started on it, meets the same records.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::lottery_key::LotteryKeyFile;
use crate::storage::postgres::{PgDatabase, PgOptions};
use crate::storage::sqlite::{DATABASE_FILE, SqliteDatabase};
use crate::storage::{Database, StorageError, StorageResult};

/// The environment variable naming the PostgreSQL cluster the tests run on.
pub const POSTGRES_ENV: &str = "FIELDPOST_TEST_POSTGRES";

/// The lottery key file of the data directory `dir`.
fn key_file(dir: &Path) -> StorageResult<Arc<LotteryKeyFile>> {
    LotteryKeyFile::open(dir.join("lottery.key"))
        .map(Arc::new)
        .map_err(|e| StorageError::Failed(e.to_string()))
}

/// The file in a data directory that names its PostgreSQL database.
const MARKER: &str = "postgres-database";

/// Where a test's records are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database: its connection string.
    Postgres(String),
}

/// A test's database, opened through the seam, with a side door for the test's own checks.
pub struct TestDatabase {
    /// The database, as the central holds it.
    pub db: Arc<dyn Database>,
    /// Where it is.
    pub backend: Backend,
    /// The lottery key file of the test's central: `lottery.key` in its data directory.
    pub lottery_key: Arc<LotteryKeyFile>,
    /// The cluster and database to drop when this is dropped (the one that created it).
    owned: Option<(String, String)>,
    /// On PostgreSQL, the side door's connection, opened at its first use and kept: a
    /// property test looks at the rows after every step.
    side_door: Mutex<Option<postgres::Client>>,
}

impl std::fmt::Debug for TestDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestDatabase")
            .field("db", &self.db)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl TestDatabase {
    /// Opens the database of the data directory `dir` (creating both if new), on the backend
    /// the environment says.
    pub fn open(dir: &Path) -> StorageResult<TestDatabase> {
        std::fs::create_dir_all(dir)
            .map_err(|e| StorageError::Failed(format!("{}: {e}", dir.display())))?;
        match std::env::var(POSTGRES_ENV) {
            Ok(cluster) if !cluster.trim().is_empty() => TestDatabase::postgres(dir, &cluster),
            _ => TestDatabase::sqlite(dir),
        }
    }

    /// Opens the SQLite database of the data directory `dir` whatever the environment says:
    /// a data directory written by the embedded central (an upgrade test's fixture).
    pub fn sqlite(dir: &Path) -> StorageResult<TestDatabase> {
        let db = SqliteDatabase::open_dir(dir)?;
        Ok(TestDatabase {
            db: Arc::new(db),
            backend: Backend::Sqlite(dir.join(DATABASE_FILE)),
            lottery_key: key_file(dir)?,
            owned: None,
            side_door: Mutex::default(),
        })
    }

    fn postgres(dir: &Path, cluster: &str) -> StorageResult<TestDatabase> {
        let marker = dir.join(MARKER);
        let (name, owned) = match std::fs::read_to_string(&marker) {
            Ok(name) => (name.trim().to_owned(), None),
            Err(_) => {
                let name = format!("fp_test_{}", uuid::Uuid::now_v7().simple());
                let create = format!("CREATE DATABASE {name}");
                off_runtime(|| {
                    admin(cluster)?
                        .batch_execute(&create)
                        .map_err(StorageError::from)
                })?;
                std::fs::write(&marker, &name)
                    .map_err(|e| StorageError::Failed(format!("{}: {e}", marker.display())))?;
                (name.clone(), Some((cluster.to_owned(), name)))
            }
        };
        let url = format!("{cluster} dbname={name}");
        let db = PgDatabase::connect(
            &url,
            PgOptions {
                pool_size: 16,
                ..PgOptions::default()
            },
        )?;
        Ok(TestDatabase {
            db: Arc::new(db),
            backend: Backend::Postgres(url),
            lottery_key: key_file(dir)?,
            owned,
            side_door: Mutex::default(),
        })
    }

    /// Makes the lottery ready for entrants, as the server's start does
    /// ([`crate::lottery::prepare`]): the key is made when the world's terms have none.
    pub fn prepare_lottery(
        &self,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), crate::lottery::LotteryError> {
        crate::lottery::prepare(self.db.as_ref(), &self.lottery_key, now).map(|_| ())
    }

    /// Whether the tests run on PostgreSQL.
    pub fn is_postgres() -> bool {
        std::env::var(POSTGRES_ENV).is_ok_and(|v| !v.trim().is_empty())
    }

    /// Runs `sql` outside the central's use cases — a test's own look at the rows — and
    /// returns every row's columns as text (`None` for NULL). Write SQL both databases
    /// understand (`CAST(x AS BIGINT)`, not `x::bigint`).
    pub fn rows(&self, sql: &str) -> StorageResult<Vec<Vec<Option<String>>>> {
        match &self.backend {
            Backend::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path)?;
                let mut stmt = conn.prepare(sql)?;
                let columns = stmt.column_count();
                let rows = stmt.query_map([], |r| {
                    (0..columns)
                        .map(|i| {
                            Ok(match r.get_ref(i)? {
                                rusqlite::types::ValueRef::Null => None,
                                rusqlite::types::ValueRef::Integer(v) => Some(v.to_string()),
                                rusqlite::types::ValueRef::Real(v) => Some(v.to_string()),
                                rusqlite::types::ValueRef::Text(t) => {
                                    Some(String::from_utf8_lossy(t).into_owned())
                                }
                                rusqlite::types::ValueRef::Blob(b) => {
                                    Some(String::from_utf8_lossy(b).into_owned())
                                }
                            })
                        })
                        .collect::<rusqlite::Result<Vec<_>>>()
                })?;
                Ok(rows.collect::<rusqlite::Result<_>>()?)
            }
            Backend::Postgres(url) => off_runtime(|| {
                let mut door = self
                    .side_door
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let client = match &mut *door {
                    Some(client) => client,
                    None => door.insert(postgres::Client::connect(url, postgres::NoTls)?),
                };
                Ok(client
                    .simple_query(sql)?
                    .into_iter()
                    .filter_map(|m| match m {
                        postgres::SimpleQueryMessage::Row(r) => {
                            Some((0..r.len()).map(|i| r.get(i).map(str::to_owned)).collect())
                        }
                        _ => None,
                    })
                    .collect())
            }),
        }
    }

    /// The one integer `sql` selects.
    pub fn int(&self, sql: &str) -> StorageResult<i64> {
        let rows = self.rows(sql)?;
        rows.first()
            .and_then(|r| r.first())
            .and_then(|v| v.as_deref())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| StorageError::Corrupt(format!("{sql}: not one integer")))
    }

    /// Runs a statement outside the central's use cases — a test that tampers with stored
    /// rows behind the central's back — and returns how many rows it changed. Write SQL both
    /// databases understand.
    pub fn execute(&self, sql: &str) -> StorageResult<u64> {
        match &self.backend {
            Backend::Sqlite(path) => {
                let conn = rusqlite::Connection::open(path)?;
                Ok(conn.execute(sql, [])? as u64)
            }
            Backend::Postgres(url) => off_runtime(|| {
                let mut door = self
                    .side_door
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                let client = match &mut *door {
                    Some(client) => client,
                    None => door.insert(postgres::Client::connect(url, postgres::NoTls)?),
                };
                Ok(client.execute(sql, &[])?)
            }),
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // The client owns a runtime, which may not be dropped on an async thread.
        let door = self
            .side_door
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if door.is_some() {
            off_runtime(move || drop(door));
        }
        if let Some((cluster, name)) = self.owned.take() {
            // Best effort: the cluster is thrown away after the run anyway.
            off_runtime(|| {
                if let Ok(mut admin) = admin(&cluster) {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            });
        }
    }
}

/// Runs `f` on a thread of its own: the `postgres` client blocks on a runtime of its own,
/// which tokio refuses on a thread that drives async tasks (a `#[tokio::test]`).
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    std::thread::scope(|s| match s.spawn(f).join() {
        Ok(v) => v,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

fn admin(cluster: &str) -> StorageResult<postgres::Client> {
    postgres::Client::connect(&format!("{cluster} dbname=postgres"), postgres::NoTls)
        .map_err(|e| StorageError::Failed(format!("cannot reach the test cluster: {e}")))
}
