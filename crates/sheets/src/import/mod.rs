//! Importing the secretariat's spreadsheets: the unit task table (采集任务分解及链接入口表) and
//! the daily collection counts, from `.xlsx`, `.xls` or `.csv`.
//!
//! Real sheets are made by hand: a merged title row above the header, blank lines, a 合计 row
//! (its label in any column, often a merged first one), notes below the table, full-width
//! digits and spaces (`１，５００`), headers written a dozen ways (单位/单位名称/unit,
//! 采集任务/任务数 …), a phone column beside the contact. [`read_table`] turns a file into rows
//! of normalized text with their spreadsheet row numbers, refusing a sheet past its
//! [`row_limit`] while reading it; [`preview_task_table`] and [`preview_counts`] find the
//! header, map its columns, and check every row against the stored units, listing the bad rows
//! (up to [`LISTED_LIMIT`], all counted) with their row number, field and reason. Nothing is written
//! here: the caller applies a preview's good rows in one store transaction.
//!
//! The module is split by responsibility: `read` (files into a [`Table`]), `header` (finding
//! the header row and mapping its columns to [`Field`]s), `parse` (counts, days and links as
//! people write them), `preview` (what a preview reports, and the walk over the data rows both
//! previews share), `task_table` and `counts` (the checks of each sheet).

mod counts;
mod guard;
mod header;
mod parse;
mod preview;
mod read;
mod task_table;
#[cfg(test)]
mod tests;

use chrono::Datelike;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use counts::{CountRow, hold_to_collection_days, preview_counts};
pub use guard::{GRID_LIMIT, SHARED_STRINGS_LIMIT};
pub use header::{ColumnMap, Field, column_letter};
pub use parse::{CountError, parse_count, parse_day, read_count, valid_link};
pub use preview::{LISTED_LIMIT, Preview, RowIssue, RowIssueCode, SkipReason, SkippedRow};
pub(crate) use read::cell_text;
pub use read::{COLUMN_LIMIT, EXCEL_ROWS, ReadError, normalize, read_table, row_limit};
pub use task_table::{RowAction, TaskRow, preview_task_table};

/// Which spreadsheet is imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportKind {
    /// 采集任务分解及链接入口表: unit, section, quota, exclusive link, contact.
    TaskTable,
    /// Daily collection counts per unit (long: unit, date, count; or wide: one column per day).
    Counts,
}

/// One row of a sheet as text, with its 1-based row number in the spreadsheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableRow {
    /// The row number the secretariat sees in Excel (or the CSV line's record number).
    pub number: u32,
    /// The cells, normalized (see [`normalize`]).
    pub cells: Vec<String>,
}

/// A sheet read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// The worksheet's name (none for CSV).
    pub sheet: Option<String>,
    /// Every row, blank ones included, in order.
    pub rows: Vec<TableRow>,
}

/// Whether every cell of the row is empty.
fn is_blank(r: &TableRow) -> bool {
    r.cells.iter().all(|c| c.is_empty())
}

/// The campaign year, for dates written without one.
pub fn campaign_year(collection_start: chrono::DateTime<chrono::Utc>) -> i32 {
    collection_start.year()
}
