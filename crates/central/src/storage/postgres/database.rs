//! The central's records in PostgreSQL: a pool of connections, shared by the blocking
//! threads the HTTP layer runs use cases on, and one writer at a time across every central
//! instance on the database.
//!
//! The connections are tokio-postgres's, driven by a one-thread runtime the database owns;
//! the use cases' calls block on their answers with [`wait`], from any thread (a blocking
//! pool thread, or a test's async thread, where tokio's own `block_on` would refuse).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio_postgres::{Client, IsolationLevel, NoTls, Statement};

use super::{PgTx, migrate};
use crate::storage::{Access, Database, Outcome, StorageError, StorageResult, Tx};

/// The key of the transaction-scoped advisory lock every write transaction takes first
/// (`pg_advisory_xact_lock`): "fieldpst" in ASCII. Advisory locks are per database, so
/// centrals on other databases of the same cluster do not share it.
pub(crate) const WRITER_LOCK: i64 = 0x6669_656c_6470_7374;

/// Blocks the calling thread until `future` is done. The future only waits on the
/// connection's task, which runs on the database's own runtime, so this needs no runtime of
/// the caller's.
pub(crate) fn wait<F: Future>(future: F) -> F::Output {
    futures_executor::block_on(future)
}

/// How often a transaction that met a serialization failure or a deadlock is run again.
const ATTEMPTS: u32 = 5;

/// How to connect.
#[derive(Debug, Clone)]
pub struct PgOptions {
    /// Connections kept open at most (each serves one transaction at a time).
    pub pool_size: usize,
    /// How long a transaction waits for a free connection before it fails.
    pub checkout_timeout: Duration,
}

impl Default for PgOptions {
    fn default() -> Self {
        PgOptions {
            pool_size: 16,
            checkout_timeout: Duration::from_secs(30),
        }
    }
}

/// An open connection and the statements prepared on it.
struct Conn {
    client: Client,
    statements: HashMap<String, Statement>,
}

#[derive(Default)]
struct Pool {
    idle: Vec<Conn>,
    open: usize,
}

/// The central's records in a PostgreSQL database, shared by any number of central
/// instances.
pub struct PgDatabase {
    config: tokio_postgres::Config,
    options: PgOptions,
    pool: Mutex<Pool>,
    freed: Condvar,
    /// This instance's writers take turns here before they take a connection: the database
    /// admits one writer at a time anyway (the advisory lock), and a writer waiting there
    /// would hold a connection the reads need.
    writer: Mutex<()>,
    /// Drives the connections (always `Some` until dropped).
    runtime: Option<tokio::runtime::Runtime>,
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        lock(&self.pool).idle.clear();
        // Without waiting: a runtime may not be dropped from an async context, and the
        // connections' tasks end when their clients are gone.
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}

impl std::fmt::Debug for PgDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let pool = lock(&self.pool);
        f.debug_struct("PgDatabase")
            .field("dbname", &self.config.get_dbname())
            .field("open", &pool.open)
            .field("idle", &pool.idle.len())
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl PgDatabase {
    /// Connects to the database at `url` (`postgres://…` or `host=… dbname=…`) and runs the
    /// pending migrations (one instance at a time, if several start together).
    pub fn connect(url: &str, options: PgOptions) -> StorageResult<PgDatabase> {
        let config: tokio_postgres::Config = url.parse().map_err(|e| {
            StorageError::Failed(format!("not a PostgreSQL connection string: {e}"))
        })?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("fieldpost-postgres")
            .enable_all()
            .build()
            .map_err(|e| StorageError::Failed(format!("cannot start the driver's runtime: {e}")))?;
        let db = PgDatabase {
            config,
            options,
            pool: Mutex::new(Pool::default()),
            freed: Condvar::new(),
            writer: Mutex::new(()),
            runtime: Some(runtime),
        };
        let mut conn = db.checkout()?;
        let migrated = migrate::run(&mut conn.client);
        db.give_back(conn, migrated.is_err());
        migrated?;
        Ok(db)
    }

    /// Where the records are, for an operator (never the password): `fieldpost on
    /// /run/postgresql`.
    pub fn location(&self) -> String {
        let hosts: Vec<String> = self
            .config
            .get_hosts()
            .iter()
            .map(|h| match h {
                tokio_postgres::config::Host::Tcp(name) => name.clone(),
                tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
            })
            .collect();
        format!(
            "{} on {}",
            self.config.get_dbname().unwrap_or("(the user's database)"),
            if hosts.is_empty() {
                "the default socket".to_owned()
            } else {
                hosts.join(", ")
            }
        )
    }

    fn connect_one(&self) -> StorageResult<Conn> {
        let runtime = self
            .runtime
            .as_ref()
            .ok_or_else(|| StorageError::Failed("the database is closed".into()))?;
        let config = self.config.clone();
        let connected = wait(runtime.spawn(async move {
            let (client, connection) = config.connect(NoTls).await?;
            // The connection's task ends when the client is dropped or the server goes; the
            // client then reports itself closed and the pool lets it go.
            tokio::spawn(async move {
                let _ = connection.await;
            });
            Ok::<_, tokio_postgres::Error>(client)
        }));
        let client = connected
            .map_err(|e| StorageError::Failed(format!("the driver's runtime failed: {e}")))?
            .map_err(|e| StorageError::Failed(format!("cannot connect to PostgreSQL: {e}")))?;
        Ok(Conn {
            client,
            statements: HashMap::new(),
        })
    }

    fn checkout(&self) -> StorageResult<Conn> {
        let mut pool = lock(&self.pool);
        loop {
            if let Some(conn) = pool.idle.pop() {
                if !conn.client.is_closed() {
                    return Ok(conn);
                }
                pool.open -= 1;
                continue;
            }
            if pool.open < self.options.pool_size.max(1) {
                pool.open += 1;
                drop(pool);
                return self.connect_one().inspect_err(|_| {
                    lock(&self.pool).open -= 1;
                    self.freed.notify_one();
                });
            }
            let (next, timeout) = self
                .freed
                .wait_timeout(pool, self.options.checkout_timeout)
                .unwrap_or_else(PoisonError::into_inner);
            pool = next;
            if timeout.timed_out() && pool.idle.is_empty() && pool.open >= self.options.pool_size {
                return Err(StorageError::Failed(format!(
                    "no PostgreSQL connection free after {:?} ({} open)",
                    self.options.checkout_timeout, pool.open
                )));
            }
        }
    }

    fn give_back(&self, conn: Conn, broken: bool) {
        let mut pool = lock(&self.pool);
        if broken || conn.client.is_closed() {
            pool.open -= 1;
        } else {
            pool.idle.push(conn);
        }
        drop(pool);
        self.freed.notify_one();
    }

    /// One attempt at `work`; `Ok(true)` asks for another.
    fn attempt(
        conn: &mut Conn,
        access: Access,
        work: &mut dyn FnMut(&mut dyn Tx) -> StorageResult<Outcome>,
    ) -> StorageResult<bool> {
        let builder = match access {
            // One snapshot for the whole read, as a SQLite read transaction.
            Access::Read => conn
                .client
                .build_transaction()
                .isolation_level(IsolationLevel::RepeatableRead)
                .read_only(true),
            // Read committed: after the writer's lock, each statement sees every write
            // committed before it, as SQLite's one writer does.
            Access::Write => conn
                .client
                .build_transaction()
                .isolation_level(IsolationLevel::ReadCommitted),
        };
        let tx = wait(builder.start())?;
        let mut pg = PgTx::new(tx, &mut conn.statements);
        if access == Access::Write {
            // One writer at a time, across every instance on this database, held to commit:
            // the rules were written for SQLite's one writer (a check of a grant's balance
            // and the insert it allows cannot interleave with another's), and it is what
            // makes server_seq follow commit order (see change_log.rs).
            // Sent with the transaction's first statement.
            pg.queue(&format!("SELECT pg_advisory_xact_lock({WRITER_LOCK})"));
        }
        let outcome = work(&mut pg);
        // What the work left queued (a release) goes before the commit; a rollback drops it.
        let outcome = match outcome {
            Ok(Outcome::Commit) => pg.flush().map(|()| Outcome::Commit),
            other => other,
        };
        let retry = pg.retry;
        let PgTx { tx, .. } = pg;
        match outcome {
            Ok(Outcome::Commit) if !retry => match wait(tx.commit()) {
                Ok(()) => Ok(false),
                Err(e) if is_transient(&e) => Ok(true),
                Err(e) => Err(e.into()),
            },
            Ok(_) | Err(_) if retry => {
                wait(tx.rollback())?;
                Ok(true)
            }
            Ok(_) => {
                wait(tx.rollback())?;
                Ok(false)
            }
            Err(e) => {
                // Dropping the transaction rolls it back.
                drop(tx);
                Err(e)
            }
        }
    }
}

/// A connection checked out for one attempt. Given back by hand when the attempt returns;
/// should `work` panic instead (a bug), dropping the lease gives it back as broken. Without
/// it the pool would still count the connection as open, and after `pool_size` panics every
/// later transaction would wait for a connection that never comes back (issue 14).
struct Lease<'a> {
    db: &'a PgDatabase,
    conn: Option<Conn>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            // Mid-transaction: closing the connection ends (rolls back) its transaction.
            self.db.give_back(conn, true);
        }
    }
}

fn is_transient(e: &tokio_postgres::Error) -> bool {
    matches!(
        e.code(),
        Some(
            &tokio_postgres::error::SqlState::T_R_SERIALIZATION_FAILURE
                | &tokio_postgres::error::SqlState::T_R_DEADLOCK_DETECTED
        )
    )
}

impl Database for PgDatabase {
    fn transaction(
        &self,
        access: Access,
        work: &mut dyn FnMut(&mut dyn Tx) -> StorageResult<Outcome>,
    ) -> StorageResult<()> {
        let _turn = (access == Access::Write).then(|| lock(&self.writer));
        for attempt in 1..=ATTEMPTS {
            let mut lease = Lease {
                db: self,
                conn: Some(self.checkout()?),
            };
            let result = match lease.conn.as_mut() {
                Some(conn) => PgDatabase::attempt(conn, access, work),
                None => Err(StorageError::Failed("the connection went missing".into())),
            };
            // A connection whose transaction failed mid-way may be in any state: close it.
            if let Some(conn) = lease.conn.take() {
                self.give_back(conn, result.is_err());
            }
            match result {
                Ok(true) if attempt < ATTEMPTS => continue,
                Ok(true) => {
                    return Err(StorageError::Failed(format!(
                        "still conflicting after {ATTEMPTS} attempts"
                    )));
                }
                Ok(false) => return Ok(()),
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn reclaim_erased(&self) -> StorageResult<()> {
        // Outside a transaction (VACUUM cannot run in one). The entrants (thousands of rows,
        // registration closed by now) are rewritten into new files by VACUUM FULL, so their
        // table holds no dead version of a seal; it locks the table for the moment the copy
        // takes. The events table is the central's largest and every push writes to it: a
        // VACUUM FULL would stop the pushes for the whole rewrite, so it gets a plain VACUUM,
        // which marks the dead versions' space reusable but leaves their bytes until new rows
        // overwrite them. Neither reaches the write-ahead log's segments or the files the
        // rewrite let go; the key file's deletion is what makes any surviving seal unreadable
        // (docs/decisions/2026-12-01-lottery-numbers.md).
        // One statement each: a multi-statement string runs as one transaction, where VACUUM
        // is refused.
        let conn = self.checkout()?;
        let result = wait(conn.client.batch_execute("VACUUM FULL lottery_entrants"))
            .and_then(|()| wait(conn.client.batch_execute("VACUUM device_events")));
        self.give_back(conn, result.is_err());
        Ok(result?)
    }
}
