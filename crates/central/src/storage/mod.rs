//! The storage seam: what the central's use cases ask of a database, and nothing more.
//!
//! A use case (`crate::users::create_user`, …) is plain Rust over [`Database`]: it opens one
//! transaction with [`write()`] or [`read()`], asks the tables for rows through [`Tx`], decides by
//! the rules, and writes rows back. It never sees SQL, a connection or a database error type;
//! a table never decides anything. One module per table under [`sqlite`] holds the SQL, and a
//! second database (PostgreSQL, see `docs/decisions/2026-12-01-storage-seam.md`) implements
//! the same traits in modules of its own, without touching a use case.
//!
//! The traits are object-safe so that the server holds one `Arc<dyn Database>` whatever the
//! database is; a transaction's tables are reached through [`Tx`]'s accessors
//! (`tx.users().insert(…)`), each returning the table's own trait.
//!
//! The methods are blocking: SQLite is, and a PostgreSQL backend uses a blocking client in
//! the same blocking pool (the HTTP layer runs every use case on tokio's blocking threads).

pub mod assessment;
pub mod catalog;
pub mod devices;
pub mod draw;
pub mod logins;
pub mod lottery;
pub mod plans;
pub mod postgres;
pub mod records;
pub mod seeds;
pub mod sqlite;
pub mod stock;
mod sync_tables;
pub mod top_ups;

pub use crate::bulletin::PublishedDay;
pub use assessment::AssessmentTable;
pub use catalog::{CampaignTable, ItemTable, SectionTable, UnitLinkTable};
pub use devices::{DeviceTable, EnrollmentCodeTable};
pub use draw::{LotteryDrawTable, LotteryListTable, LotteryPoolTable, LotteryWinTable};
pub use logins::LoginThrottleTable;
pub use lottery::{LotteryRow, LotteryTable};
pub use records::{BulletinTable, CollectionCountTable, RecordsRollup};
pub use seeds::SeedTable;
pub use sync_tables::*;

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::audit::{Actor, AuditEntry, AuditFilter};
use crate::users::{Account, User};

/// A failure of the storage itself, never a refusal by a rule: the use cases turn these into
/// their own errors, and the HTTP layer answers 500 for everything but [`Duplicate`].
///
/// [`Duplicate`]: StorageError::Duplicate
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// A row with the same value in a unique field exists: names the request field the value
    /// came from (e.g. `username`), never a table or a column.
    #[error("another record already has this {field}")]
    Duplicate {
        /// The request field.
        field: &'static str,
    },
    /// The database failed (I/O, a lock held too long, a lost connection); for the log only.
    #[error("storage: {0}")]
    Failed(String),
    /// A stored row could not be read back into its type.
    #[error("corrupt record: {0}")]
    Corrupt(String),
}

/// Shorthand for results of the storage.
pub type StorageResult<T> = Result<T, StorageError>;

/// Whether a transaction may write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A snapshot read: sees every commit before it and none after, writes nothing.
    Read,
    /// Writes, serialized with every other writer of the central's records.
    Write,
}

/// What a transaction's work asks for when it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Commit what was written.
    Commit,
    /// Roll everything back (a rule refused the use case halfway).
    RollBack,
}

/// A database holding the central's records.
pub trait Database: Send + Sync + std::fmt::Debug + 'static {
    /// Runs `work` in one transaction and commits it or rolls it back as `work` says. A
    /// backend may run `work` again after a transient conflict (PostgreSQL's serialization
    /// failures), so `work` must not have effects outside the transaction.
    fn transaction(
        &self,
        access: Access,
        work: &mut dyn FnMut(&mut dyn Tx) -> StorageResult<Outcome>,
    ) -> StorageResult<()>;

    /// After a commit that emptied values (the lottery's numbers), makes the database let go
    /// of their old bytes where it reasonably can: SQLite rebuilds the file (VACUUM) and
    /// truncates its write-ahead log (the emptying ran with `secure_delete`), PostgreSQL
    /// rewrites the entrants' table (VACUUM FULL) and vacuums the events' so their dead row
    /// versions' space is reused. Best effort; the default does nothing.
    fn reclaim_erased(&self) -> StorageResult<()> {
        Ok(())
    }
}

/// Runs a use case in one write transaction: commits when it returns `Ok`, rolls back when it
/// returns `Err` (its own error, handed back as it was).
pub fn write<T, E>(
    db: &dyn Database,
    mut work: impl FnMut(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StorageError>,
{
    transact(db, Access::Write, &mut work)
}

/// Runs a read in one snapshot: every table it reads agrees with the others.
pub fn read<T, E>(
    db: &dyn Database,
    mut work: impl FnMut(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StorageError>,
{
    transact(db, Access::Read, &mut work)
}

fn transact<T, E>(
    db: &dyn Database,
    access: Access,
    work: &mut dyn FnMut(&mut dyn Tx) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<StorageError>,
{
    let mut answer: Option<Result<T, E>> = None;
    db.transaction(access, &mut |tx| {
        let result = work(tx);
        let outcome = if result.is_ok() {
            Outcome::Commit
        } else {
            Outcome::RollBack
        };
        answer = Some(result);
        Ok(outcome)
    })?;
    answer.unwrap_or_else(|| Err(StorageError::Failed("the transaction ran no work".into()).into()))
}

/// One transaction's tables.
pub trait Tx {
    /// Console users.
    fn users(&mut self) -> &mut dyn UserTable;
    /// Console login sessions.
    fn console_sessions(&mut self) -> &mut dyn ConsoleSessionTable;
    /// The audit log.
    fn audit_log(&mut self) -> &mut dyn AuditLog;
    /// The campaign's units (what other aggregates check references against).
    fn units(&mut self) -> &mut dyn UnitTable;
    /// The campaign.
    fn campaigns(&mut self) -> &mut dyn CampaignTable;
    /// The campaign's sections.
    fn sections(&mut self) -> &mut dyn SectionTable;
    /// The campaign's items.
    fn items(&mut self) -> &mut dyn ItemTable;
    /// The units' extra survey links.
    fn unit_links(&mut self) -> &mut dyn UnitLinkTable;
    /// Enrolled devices.
    fn devices(&mut self) -> &mut dyn DeviceTable;
    /// One-time enrollment codes.
    fn enrollment_codes(&mut self) -> &mut dyn EnrollmentCodeTable;
    /// Daily collection counts.
    fn collection_counts(&mut self) -> &mut dyn CollectionCountTable;
    /// The sums the unit-quota records are built from.
    fn records_rollup(&mut self) -> &mut dyn RecordsRollup;
    /// The published daily bulletins.
    fn bulletins(&mut self) -> &mut dyn BulletinTable;
    /// Applied seeds.
    fn seeds(&mut self) -> &mut dyn SeedTable;
    /// The stock ledger and the devices' grant balances.
    fn stock_ledger(&mut self) -> &mut dyn stock::StockLedger;
    /// Activity plans and what they requested.
    fn plans(&mut self) -> &mut dyn plans::PlanTable;
    /// Top-up requests.
    fn top_up_requests(&mut self) -> &mut dyn top_ups::TopUpTable;

    /// Opens a savepoint: what is written after it can be undone alone.
    fn savepoint(&mut self, name: &'static str) -> StorageResult<()>;
    /// Undoes what was written since the savepoint, and closes it.
    fn roll_back_to(&mut self, name: &'static str) -> StorageResult<()>;
    /// Keeps what was written since the savepoint, and closes it.
    fn release(&mut self, name: &'static str) -> StorageResult<()>;
    /// Devices' pushed events.
    fn device_events(&mut self) -> &mut dyn DeviceEventTable;
    /// Handouts.
    fn handouts(&mut self) -> &mut dyn HandoutTable;
    /// What each plan handed out.
    fn plan_handout_totals(&mut self) -> &mut dyn PlanHandoutTotals;
    /// Station sessions.
    fn station_sessions(&mut self) -> &mut dyn StationSessionTable;
    /// Volunteers' check-ins.
    fn volunteer_check_ins(&mut self) -> &mut dyn VolunteerCheckInTable;
    /// Lottery entrants.
    fn lottery_entrants(&mut self) -> &mut dyn LotteryEntrantTable;
    /// The lottery's terms and state, and its deletion reports.
    fn lottery(&mut self) -> &mut dyn LotteryTable;
    /// The change log.
    fn change_log(&mut self) -> &mut dyn ChangeLog;
    /// The lottery's prize pools.
    fn lottery_pools(&mut self) -> &mut dyn LotteryPoolTable;
    /// The lottery's frozen list.
    fn lottery_lists(&mut self) -> &mut dyn LotteryListTable;
    /// The lottery's draws.
    fn lottery_draws(&mut self) -> &mut dyn LotteryDrawTable;
    /// The lottery's wins.
    fn lottery_wins(&mut self) -> &mut dyn LotteryWinTable;
    /// The assessment's thresholds and the confirmed commendations.
    fn assessment(&mut self) -> &mut dyn AssessmentTable;
    /// The failed console logins of each name and address.
    fn login_throttles(&mut self) -> &mut dyn LoginThrottleTable;
}

/// `users`: console accounts, with their password hashes.
pub trait UserTable {
    /// Adds a user.
    fn insert(&mut self, user: &User, password_hash: &str, now: DateTime<Utc>)
    -> StorageResult<()>;
    /// Every user, oldest first.
    fn all(&mut self) -> StorageResult<Vec<User>>;
    /// A user and their password hash, by login name; a disabled account is not found.
    fn with_password_hash(&mut self, username: &str) -> StorageResult<Option<(User, String)>>;
    /// Every account with its standing, oldest first.
    fn accounts(&mut self) -> StorageResult<Vec<Account>>;
    /// One account with its standing.
    fn account(&mut self, id: Uuid) -> StorageResult<Option<Account>>;
    /// Sets an account's role, unit and carrier (its login name and password stay).
    fn update(&mut self, user: &User) -> StorageResult<()>;
    /// Disables an account from `at`, or enables it again with `None`.
    fn set_disabled(&mut self, id: Uuid, at: Option<DateTime<Utc>>) -> StorageResult<()>;
    /// Replaces an account's password hash.
    fn set_password_hash(&mut self, id: Uuid, password_hash: &str) -> StorageResult<()>;
    /// How many enabled secretariat admins there are (role admin, no unit).
    fn active_secretariat_admins(&mut self) -> StorageResult<u32>;
}

/// `console_sessions`: who is logged in to the console, by the hash of their cookie.
pub trait ConsoleSessionTable {
    /// Adds a session.
    fn insert(
        &mut self,
        token_hash: &str,
        user: Uuid,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Removes sessions that expired at or before `now`.
    fn delete_expired(&mut self, now: DateTime<Utc>) -> StorageResult<()>;
    /// Removes one session.
    fn delete(&mut self, token_hash: &str) -> StorageResult<()>;
    /// The user of an unexpired session, unless the account is disabled.
    fn user(&mut self, token_hash: &str, now: DateTime<Utc>) -> StorageResult<Option<User>>;
    /// Ends every session of one user (the account was disabled or its password reset).
    fn delete_for_user(&mut self, user: Uuid) -> StorageResult<u64>;
}

/// `audit_log`: who did what, appended in the transaction of the change it records.
pub trait AuditLog {
    /// Appends a line.
    fn append(
        &mut self,
        now: DateTime<Utc>,
        actor: &Actor,
        action: &str,
        subject: Option<&str>,
        detail: &serde_json::Value,
    ) -> StorageResult<()>;
    /// The newest lines first.
    fn latest(&mut self, limit: u32) -> StorageResult<Vec<AuditEntry>>;
    /// The lines that pass `filter`, newest first, at most `limit`.
    fn find(&mut self, filter: &AuditFilter, limit: u32) -> StorageResult<Vec<AuditEntry>>;
    /// Every action named in the log, in order.
    fn actions(&mut self) -> StorageResult<Vec<String>>;
}

/// `units`: the campaign's units, as other aggregates look them up.
pub trait UnitTable {
    /// Whether a unit exists.
    fn exists(&mut self, id: fieldpost_domain::UnitId) -> StorageResult<bool>;
    /// Units, all or those of one section, oldest first.
    fn all(
        &mut self,
        section: Option<fieldpost_domain::SectionId>,
    ) -> StorageResult<Vec<fieldpost_domain::Unit>>;
    /// One unit.
    fn get(
        &mut self,
        id: fieldpost_domain::UnitId,
    ) -> StorageResult<Option<fieldpost_domain::Unit>>;
    /// Adds a unit.
    fn insert(&mut self, unit: &fieldpost_domain::Unit) -> StorageResult<()>;
    /// Replaces a unit's section, name, quota, link and contact.
    fn update(&mut self, unit: &fieldpost_domain::Unit) -> StorageResult<()>;
}

/// A record that a station pulls, as the change log names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record<'a> {
    /// Its kind, e.g. `plan`, `grant`, `stock`.
    pub entity: &'static str,
    /// Its id as text.
    pub id: &'a str,
}
