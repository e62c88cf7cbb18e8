//! The SQLite side of the storage seam: [`SqliteDatabase`] (connections, pragmas, the
//! writer's lock), its [`migrate`]ions, and one module per table, each implementing its
//! table's trait on [`SqliteTx`].

mod assessment;
mod audit_log;
mod backup;
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

pub use backup::{BackupOptions, BackupReport, backup_file};
pub use database::{DATABASE_FILE, PAGE_SIZE, SqliteDatabase};

use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use rusqlite::Connection;

use super::{
    AuditLog, CampaignTable, ChangeLog, CollectionCountTable, ConsoleSessionTable,
    DeviceEventTable, DeviceTable, EnrollmentCodeTable, HandoutTable, ItemTable,
    LotteryEntrantTable, LotteryTable, PlanHandoutTotals, RecordsRollup, SectionTable, SeedTable,
    StationSessionTable, StorageError, StorageResult, Tx, UnitTable, UserTable,
    VolunteerCheckInTable, stock, top_ups,
};
use crate::storage::plans as plan_tables;

/// One SQLite transaction's tables: the connection inside a `BEGIN` that the database opened.
#[derive(Debug)]
pub struct SqliteTx<'c> {
    conn: &'c Connection,
}

impl<'c> SqliteTx<'c> {
    /// The tables of a transaction open on `conn`.
    pub fn new(conn: &'c Connection) -> SqliteTx<'c> {
        SqliteTx { conn }
    }
}

impl Tx for SqliteTx<'_> {
    fn savepoint(&mut self, name: &'static str) -> StorageResult<()> {
        Ok(self.conn.execute_batch(&format!("SAVEPOINT {name}"))?)
    }
    fn roll_back_to(&mut self, name: &'static str) -> StorageResult<()> {
        Ok(self
            .conn
            .execute_batch(&format!("ROLLBACK TO {name}; RELEASE {name}"))?)
    }
    fn release(&mut self, name: &'static str) -> StorageResult<()> {
        Ok(self.conn.execute_batch(&format!("RELEASE {name}"))?)
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

/// SQLite's errors in the seam's words. A UNIQUE violation names the request field it stands
/// for (never a table or column); anything else is a failure for the log.
impl From<rusqlite::Error> for StorageError {
    fn from(e: rusqlite::Error) -> Self {
        match unique_field(&e) {
            Some(field) => StorageError::Duplicate { field },
            None => match e {
                rusqlite::Error::FromSqlConversionFailure(..)
                | rusqlite::Error::InvalidColumnType(..) => StorageError::Corrupt(e.to_string()),
                e => StorageError::Failed(e.to_string()),
            },
        }
    }
}

/// The request field behind a UNIQUE violation ("UNIQUE constraint failed: units.survey_link").
pub(crate) fn unique_field(e: &rusqlite::Error) -> Option<&'static str> {
    let rusqlite::Error::SqliteFailure(err, Some(message)) = e else {
        return None;
    };
    if err.extended_code != rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
        && err.extended_code != rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
    {
        return None;
    }
    let columns = message.strip_prefix("UNIQUE constraint failed: ")?;
    // The last column of a composite key is the one a request sets (campaign_id, code).
    Some(match columns.split(", ").last()? {
        "units.survey_link" => "survey_link",
        "units.name" => "name",
        "sections.code" | "items.code" => "code",
        "users.username" => "username",
        "unit_links.url" => "url",
        "lottery_entrants.phone_hash" => "phone",
        _ => "id",
    })
}

/// Times are stored as fixed-width RFC 3339 UTC text, so they sort in time order.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A stored text that is none of the values its column may hold.
pub(crate) fn conversion_text(idx: usize, what: String) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        idx,
        rusqlite::types::Type::Text,
        format!("unexpected value {what}").into(),
    )
}

fn conversion(idx: usize, e: impl std::error::Error + Send + Sync + 'static) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Text, Box::new(e))
}

/// Reads a typed id (or anything parsed from text) from a column.
pub(crate) fn col<T>(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<T>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: String = row.get(idx)?;
    s.parse().map_err(|e| conversion(idx, e))
}

/// Reads an optional typed id from a column.
pub(crate) fn col_opt<T>(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<Option<T>>
where
    T: FromStr,
    T::Err: std::error::Error + Send + Sync + 'static,
{
    let s: Option<String> = row.get(idx)?;
    s.map(|s| s.parse().map_err(|e| conversion(idx, e)))
        .transpose()
}

/// Reads an optional stored time.
pub(crate) fn col_ts_opt(
    row: &rusqlite::Row<'_>,
    idx: usize,
) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let s: Option<String> = row.get(idx)?;
    s.map(|s| {
        DateTime::parse_from_rfc3339(&s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| conversion(idx, e))
    })
    .transpose()
}

/// Reads a count.
pub(crate) fn col_u32(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<u32> {
    let v: i64 = row.get(idx)?;
    u32::try_from(v).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Integer, Box::new(e))
    })
}

/// Reads a stored time.
pub(crate) fn col_ts(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<DateTime<Utc>> {
    let s: String = row.get(idx)?;
    DateTime::parse_from_rfc3339(&s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| conversion(idx, e))
}

/// Reads a non-negative sum as u64 (negative sums would be a broken invariant).
pub(crate) fn col_u64(row: &rusqlite::Row<'_>, idx: usize) -> rusqlite::Result<u64> {
    let v: i64 = row.get(idx)?;
    u64::try_from(v).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(idx, rusqlite::types::Type::Integer, Box::new(e))
    })
}
