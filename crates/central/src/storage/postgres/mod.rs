//! The PostgreSQL side of the storage seam: [`PgDatabase`] (a pool of connections, one
//! writer at a time across every central instance, retries), its [`migrate`]ions, and one
//! module per table, each implementing its table's trait on [`PgTx`] — the twins of the
//! modules under `storage/sqlite/`. See `docs/decisions/2026-12-01-postgres-backend.md`.
//!
//! Ids are stored as text and times as `timestamptz`; every statement goes through
//! `PgTx::query` and its siblings, which prepare a statement once per connection and keep
//! it, so a hot statement costs one round trip.
//!
//! The driver is tokio-postgres. The use cases are blocking (they run on tokio's blocking
//! threads, or directly in a test), so each call is awaited with `futures_executor::block_on`
//! while the connections are driven by a small runtime the database owns: a call never needs
//! the caller's runtime, and works from any thread.

mod assessment;
mod audit_log;
mod bulletins;
mod campaigns;
mod change_log;
mod collection_counts;
mod console_sessions;
mod database;
mod device_events;
mod devices;
mod enrollment_codes;
mod handouts;
mod items;
mod login_throttles;
mod lottery;
mod lottery_draws;
mod lottery_entrants;
mod lottery_lists;
mod lottery_pools;
mod lottery_wins;
pub mod migrate;
mod plans;
mod records_rollup;
mod sections;
mod seeds;
mod station_sessions;
mod stock_ledger;
mod top_up_requests;
mod unit_links;
mod units;
mod users;
mod volunteer_check_ins;

pub use database::{PgDatabase, PgOptions};

use std::collections::HashMap;
use std::str::FromStr;

use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{FromSqlOwned, ToSql, Type};
use tokio_postgres::{Row, Statement};

use database::wait;

use super::{
    AuditLog, CampaignTable, ChangeLog, CollectionCountTable, ConsoleSessionTable,
    DeviceEventTable, DeviceTable, EnrollmentCodeTable, HandoutTable, ItemTable,
    LotteryEntrantTable, LotteryTable, PlanHandoutTotals, RecordsRollup, SectionTable, SeedTable,
    StationSessionTable, StorageError, StorageResult, Tx, UnitTable, UserTable,
    VolunteerCheckInTable, stock, top_ups,
};
use crate::storage::plans as plan_tables;

/// A statement's parameters.
pub(crate) type Params<'a> = [&'a (dyn ToSql + Sync)];

/// One PostgreSQL transaction's tables.
pub struct PgTx<'c> {
    tx: tokio_postgres::Transaction<'c>,
    statements: &'c mut HashMap<String, Statement>,
    /// Set when a statement failed with a serialization failure or a deadlock: the database
    /// runs the whole work again.
    retry: bool,
    /// Commands that answer nothing but an error (savepoints, the writer's lock), not sent
    /// yet: they go out in the same round trip as the next statement (pipelined) rather than
    /// in one of their own. A small push is mostly round trips, under the writer's lock.
    queued: String,
}

/// Awaits `$call` (a future over `$tx`, the transaction) with the queued commands sent ahead
/// of it in the same round trip; the raw result, the queued commands' error first.
macro_rules! send {
    ($self:ident, $tx:ident => $call:expr) => {{
        let queued = std::mem::take(&mut $self.queued);
        let $tx = &$self.tx;
        if queued.is_empty() {
            wait($call)
        } else {
            let (ahead, result) = wait(async { tokio::join!($tx.batch_execute(&queued), $call) });
            ahead.and(result)
        }
    }};
}

impl std::fmt::Debug for PgTx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgTx")
            .field("statements", &self.statements.len())
            .finish_non_exhaustive()
    }
}

impl<'c> PgTx<'c> {
    fn new(
        tx: tokio_postgres::Transaction<'c>,
        statements: &'c mut HashMap<String, Statement>,
    ) -> PgTx<'c> {
        PgTx {
            tx,
            statements,
            retry: false,
            queued: String::new(),
        }
    }

    /// Notes a transient conflict, and turns the error into the seam's.
    fn fail(&mut self, e: tokio_postgres::Error) -> StorageError {
        if matches!(
            e.code(),
            Some(&SqlState::T_R_SERIALIZATION_FAILURE | &SqlState::T_R_DEADLOCK_DETECTED)
        ) {
            self.retry = true;
        }
        StorageError::from(e)
    }

    /// The statement for `sql`, prepared once per connection.
    fn statement(&mut self, sql: &str) -> StorageResult<Statement> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        // A statement is parsed in the transaction's state: a queued rollback goes first.
        self.flush()?;
        let prepared = wait(self.tx.prepare(sql));
        let s = prepared.map_err(|e| self.fail(e))?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }

    /// Every row `sql` returns.
    pub(crate) fn query(&mut self, sql: &str, params: &Params<'_>) -> StorageResult<Vec<Row>> {
        let s = self.statement(sql)?;
        let result = send!(self, tx => tx.query(&s, params));
        result.map_err(|e| self.fail(e))
    }

    /// The one row `sql` returns, if any (an error if more).
    pub(crate) fn query_opt(
        &mut self,
        sql: &str,
        params: &Params<'_>,
    ) -> StorageResult<Option<Row>> {
        let s = self.statement(sql)?;
        let result = send!(self, tx => tx.query_opt(&s, params));
        result.map_err(|e| self.fail(e))
    }

    /// The one row `sql` returns (an error if none or more).
    pub(crate) fn query_one(&mut self, sql: &str, params: &Params<'_>) -> StorageResult<Row> {
        let s = self.statement(sql)?;
        let result = send!(self, tx => tx.query_one(&s, params));
        result.map_err(|e| self.fail(e))
    }

    /// Runs `sql`; returns how many rows it changed.
    pub(crate) fn execute(&mut self, sql: &str, params: &Params<'_>) -> StorageResult<u64> {
        let s = self.statement(sql)?;
        let result = send!(self, tx => tx.execute(&s, params));
        result.map_err(|e| self.fail(e))
    }

    /// Runs `sql`, which may break a unique constraint, inside a savepoint: PostgreSQL aborts
    /// the whole transaction on an error, while the use cases expect to go on after a
    /// [`StorageError::Duplicate`] (e.g. to answer "username taken" or quarantine a plan
    /// filed twice).
    pub(crate) fn execute_unique(&mut self, sql: &str, params: &Params<'_>) -> StorageResult<u64> {
        match self.execute_guarded(sql, params)? {
            Ok(n) => Ok(n),
            Err(violation) => Err(StorageError::from(violation)),
        }
    }

    /// Copies `n` rows into a table with binary `COPY … FROM STDIN`, all or nothing, in a
    /// savepoint: `Ok(false)` when a row breaks a unique key, and then none is in. `row(i)`
    /// gives row `i`'s values in the order of `sql`'s columns, of the given `types`. The
    /// push's two hot tables go in this way, a few per cent faster than one `INSERT … SELECT
    /// FROM unnest(…)` of ten arrays (`sync_timing` with `DIRECT=1`: 8.1–8.6 µs of wall time
    /// per handout against 8.6–8.8); the indexes, not the transport, take the time. Not
    /// `INSERT … ON CONFLICT DO
    /// NOTHING` either: its speculative insertion probes every unique index before each row
    /// (1.7× the plain insert), while a replayed id is rare (the push already skips what it
    /// holds by seq).
    pub(crate) fn copy_batch<'v>(
        &mut self,
        sql: &str,
        types: &[Type],
        n: usize,
        row: impl Fn(usize) -> Vec<&'v (dyn ToSql + Sync)>,
    ) -> StorageResult<bool> {
        let s = self.statement(sql)?;
        self.queue("SAVEPOINT fp_unique");
        let copied = match send!(self, tx => tx.copy_in::<_, bytes::Bytes>(&s)) {
            Ok(sink) => wait(async {
                let mut writer = std::pin::pin!(BinaryCopyInWriter::new(sink, types));
                for i in 0..n {
                    writer.as_mut().write(&row(i)).await?;
                }
                writer.finish().await
            }),
            Err(e) => Err(e),
        };
        match copied {
            Ok(_) => {
                self.queue("RELEASE fp_unique");
                Ok(true)
            }
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                self.queue("ROLLBACK TO fp_unique; RELEASE fp_unique");
                Ok(false)
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Runs `sql` in a savepoint; a unique violation is rolled back to it and handed back.
    fn execute_guarded(
        &mut self,
        sql: &str,
        params: &Params<'_>,
    ) -> StorageResult<Result<u64, tokio_postgres::Error>> {
        let s = self.statement(sql)?;
        self.queue("SAVEPOINT fp_unique");
        match send!(self, tx => tx.execute(&s, params)) {
            Ok(n) => {
                self.queue("RELEASE fp_unique");
                Ok(Ok(n))
            }
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                self.queue("ROLLBACK TO fp_unique; RELEASE fp_unique");
                Ok(Err(e))
            }
            Err(e) => Err(self.fail(e)),
        }
    }

    /// Queues a command for the next round trip.
    fn queue(&mut self, sql: &str) {
        self.queued.push_str(sql);
        self.queued.push_str(";\n");
    }

    /// Sends the queued commands now (before a commit, or a statement to parse).
    fn flush(&mut self) -> StorageResult<()> {
        if self.queued.is_empty() {
            return Ok(());
        }
        let queued = std::mem::take(&mut self.queued);
        let result = wait(self.tx.batch_execute(&queued));
        result.map_err(|e| self.fail(e))
    }
}

impl Tx for PgTx<'_> {
    fn savepoint(&mut self, name: &'static str) -> StorageResult<()> {
        self.queue(&format!("SAVEPOINT {name}"));
        Ok(())
    }
    fn roll_back_to(&mut self, name: &'static str) -> StorageResult<()> {
        self.queue(&format!("ROLLBACK TO {name}; RELEASE {name}"));
        Ok(())
    }
    fn release(&mut self, name: &'static str) -> StorageResult<()> {
        self.queue(&format!("RELEASE {name}"));
        Ok(())
    }
    fn users(&mut self) -> &mut dyn UserTable {
        self
    }
    fn console_sessions(&mut self) -> &mut dyn ConsoleSessionTable {
        self
    }
    fn audit_log(&mut self) -> &mut dyn AuditLog {
        self
    }
    fn units(&mut self) -> &mut dyn UnitTable {
        self
    }
    fn campaigns(&mut self) -> &mut dyn CampaignTable {
        self
    }
    fn sections(&mut self) -> &mut dyn SectionTable {
        self
    }
    fn items(&mut self) -> &mut dyn ItemTable {
        self
    }
    fn unit_links(&mut self) -> &mut dyn super::UnitLinkTable {
        self
    }
    fn assessment(&mut self) -> &mut dyn super::AssessmentTable {
        self
    }
    fn login_throttles(&mut self) -> &mut dyn super::LoginThrottleTable {
        self
    }
    fn bulletins(&mut self) -> &mut dyn super::BulletinTable {
        self
    }
    fn devices(&mut self) -> &mut dyn DeviceTable {
        self
    }
    fn enrollment_codes(&mut self) -> &mut dyn EnrollmentCodeTable {
        self
    }
    fn collection_counts(&mut self) -> &mut dyn CollectionCountTable {
        self
    }
    fn records_rollup(&mut self) -> &mut dyn RecordsRollup {
        self
    }
    fn seeds(&mut self) -> &mut dyn SeedTable {
        self
    }
    fn stock_ledger(&mut self) -> &mut dyn stock::StockLedger {
        self
    }
    fn plans(&mut self) -> &mut dyn plan_tables::PlanTable {
        self
    }
    fn top_up_requests(&mut self) -> &mut dyn top_ups::TopUpTable {
        self
    }
    fn device_events(&mut self) -> &mut dyn DeviceEventTable {
        self
    }
    fn handouts(&mut self) -> &mut dyn HandoutTable {
        self
    }
    fn plan_handout_totals(&mut self) -> &mut dyn PlanHandoutTotals {
        self
    }
    fn station_sessions(&mut self) -> &mut dyn StationSessionTable {
        self
    }
    fn volunteer_check_ins(&mut self) -> &mut dyn VolunteerCheckInTable {
        self
    }
    fn lottery_entrants(&mut self) -> &mut dyn LotteryEntrantTable {
        self
    }
    fn lottery(&mut self) -> &mut dyn LotteryTable {
        self
    }
    fn change_log(&mut self) -> &mut dyn ChangeLog {
        self
    }
    fn lottery_pools(&mut self) -> &mut dyn super::LotteryPoolTable {
        self
    }
    fn lottery_lists(&mut self) -> &mut dyn super::LotteryListTable {
        self
    }
    fn lottery_draws(&mut self) -> &mut dyn super::LotteryDrawTable {
        self
    }
    fn lottery_wins(&mut self) -> &mut dyn super::LotteryWinTable {
        self
    }
}

/// PostgreSQL's errors in the seam's words. A unique violation names the request field its
/// constraint stands for (never a table or column); anything else is a failure for the log.
impl From<tokio_postgres::Error> for StorageError {
    fn from(e: tokio_postgres::Error) -> Self {
        if let Some(db) = e.as_db_error()
            && *db.code() == SqlState::UNIQUE_VIOLATION
        {
            return StorageError::Duplicate {
                field: unique_field(db.constraint().unwrap_or_default()),
            };
        }
        if e.to_string().contains("error deserializing column") {
            return StorageError::Corrupt(e.to_string());
        }
        StorageError::Failed(match e.as_db_error() {
            Some(db) => format!("{}: {}", db.code().code(), db.message()),
            None => e.to_string(),
        })
    }
}

/// The request field behind a unique constraint (named in the migrations).
fn unique_field(constraint: &str) -> &'static str {
    match constraint {
        "units_survey_link_key" => "survey_link",
        "units_name_key" => "name",
        "sections_code_key" | "items_code_key" => "code",
        "users_username_key" => "username",
        "unit_links_url_key" => "url",
        "lottery_entrants_phone_key" => "phone",
        _ => "id",
    }
}

/// Reads a column, naming it in the error.
pub(crate) fn get<T: FromSqlOwned>(row: &Row, idx: usize) -> StorageResult<T> {
    row.try_get(idx)
        .map_err(|e| StorageError::Corrupt(format!("column {idx}: {e}")))
}

/// Reads a typed id (or anything parsed from text) from a column.
pub(crate) fn col<T>(row: &Row, idx: usize) -> StorageResult<T>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let s: String = get(row, idx)?;
    s.parse()
        .map_err(|e| StorageError::Corrupt(format!("column {idx} ({s:?}): {e}")))
}

/// Reads an optional typed id from a column.
pub(crate) fn col_opt<T>(row: &Row, idx: usize) -> StorageResult<Option<T>>
where
    T: FromStr,
    T::Err: std::fmt::Display,
{
    let s: Option<String> = get(row, idx)?;
    s.map(|s| {
        s.parse()
            .map_err(|e| StorageError::Corrupt(format!("column {idx} ({s:?}): {e}")))
    })
    .transpose()
}

/// Reads a count stored as bigint.
pub(crate) fn col_u32(row: &Row, idx: usize) -> StorageResult<u32> {
    let v: i64 = get(row, idx)?;
    u32::try_from(v).map_err(|e| StorageError::Corrupt(format!("column {idx} ({v}): {e}")))
}

/// Reads a non-negative sum stored as bigint (or numeric sums cast to bigint).
pub(crate) fn col_u64(row: &Row, idx: usize) -> StorageResult<u64> {
    let v: i64 = get(row, idx)?;
    u64::try_from(v).map_err(|e| StorageError::Corrupt(format!("column {idx} ({v}): {e}")))
}

/// A count or seq as PostgreSQL's bigint.
pub(crate) fn big(v: u64) -> StorageResult<i64> {
    i64::try_from(v).map_err(|_| StorageError::Failed(format!("{v} out of range")))
}
