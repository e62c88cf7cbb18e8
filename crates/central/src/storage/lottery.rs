//! The lottery's own tables: its terms and state per campaign (`lottery`), and the reports
//! of its numbers' deletion (`lottery_deletions`). The entrants are `lottery_entrants`
//! ([`super::LotteryEntrantTable`]), written by the push.

use chrono::{DateTime, NaiveDate, Utc};

use super::StorageResult;
use crate::lottery::DeletionReport;

/// A campaign's `lottery` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LotteryRow {
    /// The consent text read to each entrant (empty until the secretariat sets it).
    pub consent_text: String,
    /// Its version.
    pub consent_version: String,
    /// The lottery key's public half, as text; `None` before the key is made and after the
    /// numbers were deleted with it.
    pub public_key: Option<String>,
    /// When the terms or the state last changed.
    pub updated_at: DateTime<Utc>,
    /// The day (Asia/Shanghai) the numbers are to be deleted, if set.
    pub retention_date: Option<NaiveDate>,
    /// When the numbers were deleted (the lottery closed).
    pub closed_at: Option<DateTime<Utc>>,
}

/// `lottery` and `lottery_deletions`.
pub trait LotteryTable {
    /// The campaign's row.
    fn get(&mut self, campaign: &str) -> StorageResult<Option<LotteryRow>>;
    /// Writes the campaign's row (inserted or replaced whole).
    fn put(&mut self, campaign: &str, row: &LotteryRow) -> StorageResult<()>;
    /// Appends a deletion report.
    fn record_deletion(&mut self, campaign: &str, report: &DeletionReport) -> StorageResult<()>;
    /// The campaign's deletion reports, oldest first.
    fn deletions(&mut self, campaign: &str) -> StorageResult<Vec<DeletionReport>>;
}
