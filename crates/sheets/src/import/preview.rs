//! What a preview reports ([`Preview`]: the column map, the good rows, every bad row and why,
//! the rows passed over) and the walk over a sheet's data rows that both previews share.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::header::{ColumnMap, Field, Header, column_letter, header_key, map_header};
use super::{ImportKind, Table, TableRow, is_blank};

/// A bad row (or header): the row number, the field, the value and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct RowIssue {
    /// The spreadsheet row number.
    pub row: u32,
    /// The column letter, when one cell is at fault.
    pub column: Option<String>,
    /// The field at fault (`unit`, `quota`, `link`, … or `header`).
    pub field: String,
    /// The value as written.
    pub value: String,
    /// Stable code for the console's translated text.
    pub code: RowIssueCode,
    /// Why, in English (the console shows its own Chinese text for `code`).
    pub reason: String,
}

/// What is wrong with a row or the header: stable codes, each with its text in the console.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowIssueCode {
    /// A required cell is empty.
    MissingValue,
    /// A count or quota is not a whole number.
    NotANumber,
    /// A unit is listed twice in the sheet.
    DuplicateUnit,
    /// A survey link is not a web link.
    MalformedLink,
    /// A survey link is on another row of the sheet too.
    DuplicateLink,
    /// A survey link belongs to another unit already.
    LinkTaken,
    /// No unit of this name.
    UnknownUnit,
    /// A new unit without its section.
    MissingSection,
    /// A date that cannot be read.
    BadDate,
    /// The same unit and day twice.
    DuplicateDay,
    /// A header cell that names no known column (the column is ignored).
    UnknownHeader,
    /// Two header cells name the same column.
    DuplicateColumn,
    /// A required column is missing.
    MissingColumn,
    /// No header row was found.
    NoHeader,
}

/// A row passed over on purpose (title rows above the header, blank lines, 合计 rows).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct SkippedRow {
    /// The spreadsheet row number.
    pub row: u32,
    /// Why.
    pub reason: SkipReason,
}

/// Why a row was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// A title row above the header.
    Title,
    /// A blank line.
    Blank,
    /// A 合计 (total) row.
    Total,
}

/// What an import would do, before anything is written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct Preview<T> {
    /// Which sheet.
    pub kind: ImportKind,
    /// The worksheet read (none for CSV).
    pub sheet: Option<String>,
    /// The header's row number (0 when none was found).
    pub header_row: u32,
    /// How each header cell was understood.
    pub columns: Vec<ColumnMap>,
    /// The rows that will be applied.
    pub rows: Vec<T>,
    /// Every bad row and why.
    pub errors: Vec<RowIssue>,
    /// Rows passed over on purpose.
    pub skipped: Vec<SkippedRow>,
}

impl<T> Preview<T> {
    /// A preview of nothing yet.
    fn empty(kind: ImportKind, sheet: Option<String>) -> Preview<T> {
        Preview {
            kind,
            sheet,
            header_row: 0,
            columns: Vec::new(),
            rows: Vec::new(),
            errors: Vec::new(),
            skipped: Vec::new(),
        }
    }
}

/// Whether a unit cell marks a total row (合计, 总计 …).
fn is_total(name: &str) -> bool {
    let key = header_key(name);
    ["合计", "总计", "小计", "总数", "total", "sum"].contains(&key.as_str())
}

/// A row below the header, read through the header's columns.
pub(super) struct DataRow<'a> {
    /// The row.
    pub(super) row: &'a TableRow,
    /// The header: which column holds which field.
    pub(super) header: &'a Header,
}

impl<'a> DataRow<'a> {
    /// The cell of `field` and its column letter; blank, without a column, when the sheet has
    /// no such column.
    pub(super) fn cell(&self, field: Field) -> (&'a str, Option<String>) {
        self.header
            .fields
            .iter()
            .find(|(_, f)| **f == field)
            .map(|(i, _)| {
                (
                    self.row.cells.get(*i).map_or("", String::as_str),
                    Some(column_letter(*i)),
                )
            })
            .unwrap_or(("", None))
    }

    /// A problem with this row: the `field` in `column`, its value as written, a stable code
    /// and why.
    pub(super) fn issue(
        &self,
        column: Option<String>,
        field: Field,
        value: &str,
        code: RowIssueCode,
        reason: String,
    ) -> RowIssue {
        RowIssue {
            row: self.row.number,
            column,
            field: field.as_str().into(),
            value: value.into(),
            code,
            reason,
        }
    }
}

/// The preview of `table` as a sheet of `kind`: maps its header (`year` completes day headers
/// written without one), passes over the blank rows and 合计 rows below it, and hands every
/// other row to `check`, which adds the row's good rows and errors to the preview.
pub(super) fn preview_rows<T>(
    table: &Table,
    kind: ImportKind,
    year: Option<i32>,
    mut check: impl FnMut(&mut Preview<T>, DataRow<'_>),
) -> Preview<T> {
    let mut p = Preview::empty(kind, table.sheet.clone());
    let Some(h) = map_header(table, kind, year, &mut p) else {
        return p;
    };
    p.header_row = h.number;
    for row in &table.rows[h.index + 1..] {
        let r = DataRow { row, header: &h };
        if is_blank(row) {
            p.skipped.push(SkippedRow {
                row: row.number,
                reason: SkipReason::Blank,
            });
        } else if is_total(r.cell(Field::Unit).0) {
            p.skipped.push(SkippedRow {
                row: row.number,
                reason: SkipReason::Total,
            });
        } else {
            check(&mut p, r);
        }
    }
    p
}
