//! What a preview reports ([`Preview`]: the column map, the good rows, every bad row and why,
//! the rows passed over) and the walk over a sheet's data rows that both previews share.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::header::{ColumnMap, Field, Header, column_letter, header_key, map_header};
use super::parse::{CountError, name_key, parse_count, parse_day};
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
    /// A count or quota is not a number at all (`abc`, `八百`).
    NotANumber,
    /// A count or quota below zero.
    Negative,
    /// A count of a day outside the campaign's collection window (a wrong date in the sheet).
    OutsideCollection,
    /// A count or quota with a fraction (`12.5`).
    NotWhole,
    /// A count or quota beyond any real one (more than 4,294,967,295).
    TooLarge,
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
    /// Two columns of the same meaning (采集任务 and 任务数) disagree on a row.
    ConflictingValues,
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
    /// A 合计 / 总计 / 小计 (total) row, wherever its label sits.
    Total,
    /// A notes row below the table (备注：…, 说明：…, 注：…, 填表人：…) and the lines that
    /// continue it.
    Note,
}

/// How many errors and skipped rows a preview lists; past it they are only counted, so that
/// the answer about a sheet of thousands of bad rows stays small.
pub const LISTED_LIMIT: usize = 200;

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
    /// The bad rows and why: the first [`LISTED_LIMIT`] problems, in sheet order.
    pub errors: Vec<RowIssue>,
    /// How many problems there are in all, listed or not.
    pub error_count: u32,
    /// Rows passed over on purpose: the first [`LISTED_LIMIT`].
    pub skipped: Vec<SkippedRow>,
    /// How many rows were passed over in all, listed or not.
    pub skipped_count: u32,
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
            error_count: 0,
            skipped: Vec::new(),
            skipped_count: 0,
        }
    }

    /// Records a problem: listed while fewer than [`LISTED_LIMIT`] are, counted always.
    pub(super) fn report(&mut self, issue: RowIssue) {
        self.error_count = self.error_count.saturating_add(1);
        if self.errors.len() < LISTED_LIMIT {
            self.errors.push(issue);
        }
    }

    /// Records a row passed over: listed while fewer than [`LISTED_LIMIT`] are, counted always.
    pub(super) fn skip(&mut self, row: u32, reason: SkipReason) {
        self.skipped_count = self.skipped_count.saturating_add(1);
        if self.skipped.len() < LISTED_LIMIT {
            self.skipped.push(SkippedRow { row, reason });
        }
    }
}

/// Whether a cell is a total's label by itself: 合计, 总 计, 合计：, Total …
fn is_total_label(key: &str) -> bool {
    [
        "合计",
        "总计",
        "小计",
        "总数",
        "共计",
        "total",
        "sum",
        "subtotal",
        "grandtotal",
    ]
    .contains(&key)
}

/// Whether a row is a total row: a total's label in any cell, since the label sits wherever
/// the sheet's maker put it (in the unit column, in a merged first column whose value only
/// its top-left cell keeps, further right); or a labelled subtotal (全市合计, 侨联系统小计)
/// as the row's first filled cell, so that a remark such as 含三个街道合计 does not hide a
/// unit's row.
fn is_total(row: &TableRow) -> bool {
    let mut filled = row
        .cells
        .iter()
        .filter(|c| !c.is_empty())
        .map(|c| header_key(c));
    let Some(first) = filled.next() else {
        return false;
    };
    let labelled =
        first.chars().count() <= 12 && ["合计", "总计", "小计"].iter().any(|t| first.ends_with(t));
    labelled || is_total_label(&first) || filled.any(|k| is_total_label(&k))
}

/// Whether a row opens the notes below a table: its first filled cell starts 备注, 说明,
/// 注：…, 填表说明, or is a signature line (填表人：…, 制表日期：…).
fn is_note(row: &TableRow) -> bool {
    let Some(first) = row.cells.iter().find(|c| !c.is_empty()) else {
        return false;
    };
    let t = first.trim_start_matches(['*', '※', ' ']).to_lowercase();
    const OPENERS: &[&str] = &[
        "备注",
        "说明",
        "注意",
        "附注",
        "填表说明",
        "填报说明",
        "温馨提示",
        "填表人",
        "填报人",
        "制表人",
        "审核人",
        "联系人：",
        "制表日期",
        "填报日期",
        "填表日期",
        "note",
        "remark",
    ];
    if OPENERS.iter().any(|o| t.starts_with(o)) {
        return true;
    }
    // 注 alone or followed by punctuation or a number (注：…, 注1.…); 注册… is a name.
    let mut chars = t.chars();
    chars.next() == Some('注')
        && chars.next().is_none_or(|c| {
            matches!(c, ':' | '：' | '、' | '.' | '．' | '(' | '（') || c.is_ascii_digit()
        })
}

/// Whether a row has exactly one filled cell (a line of text continuing a note).
fn is_single_cell(row: &TableRow) -> bool {
    row.cells.iter().filter(|c| !c.is_empty()).count() == 1
}

/// A row below the header, read through the header's columns.
pub(super) struct DataRow<'a> {
    /// The row.
    pub(super) row: &'a TableRow,
    /// The header: which column holds which field.
    pub(super) header: &'a Header,
}

impl<'a> DataRow<'a> {
    /// The cell of `field` and its column letter: of several columns of that meaning the first
    /// filled one; blank, with the first column's letter (without one when the sheet has no
    /// such column), when none is filled.
    pub(super) fn cell(&self, field: Field) -> (&'a str, Option<String>) {
        let mut first = None;
        for i in self.header.columns_of(field) {
            let text = self.row.cells.get(i).map_or("", String::as_str);
            if !text.is_empty() {
                return (text, Some(column_letter(i)));
            }
            first.get_or_insert(i);
        }
        ("", first.map(column_letter))
    }

    /// The filled cells of every column of `field`, in column order, each once, joined with a
    /// space: the contact's name and phone from 联系人 and 联系电话.
    pub(super) fn joined(&self, field: Field) -> String {
        let mut parts: Vec<&str> = Vec::new();
        for i in self.header.columns_of(field) {
            let text = self.row.cells.get(i).map_or("", String::as_str);
            if !text.is_empty() && !parts.iter().any(|p| p.contains(text)) {
                parts.push(text);
            }
        }
        parts.join(" ")
    }

    /// Problems of two columns of the same meaning that say different things on this row
    /// (采集任务 1,500 and 任务数 1500 agree; 1500 and 800 do not).
    fn conflicts(&self) -> Vec<RowIssue> {
        let mut out = Vec::new();
        for field in [
            Field::Unit,
            Field::Section,
            Field::Quota,
            Field::Link,
            Field::Date,
            Field::Count,
        ] {
            let (first, first_col) = self.cell(field);
            if first.is_empty() {
                continue;
            }
            for i in self.header.columns_of(field) {
                let text = self.row.cells.get(i).map_or("", String::as_str);
                if text.is_empty() || same_value(field, first, text) {
                    continue;
                }
                out.push(self.issue(
                    Some(column_letter(i)),
                    field,
                    text,
                    RowIssueCode::ConflictingValues,
                    format!(
                        "two {} columns disagree: {first:?} in column {} and {text:?} in column {}",
                        field.as_str(),
                        first_col.clone().unwrap_or_default(),
                        column_letter(i)
                    ),
                ));
            }
        }
        out
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

impl DataRow<'_> {
    /// The problem with a count or quota cell that `read_count` refused, in words true to
    /// why: missing, negative, with a fraction, too large, or no number at all. `what` names
    /// the value in the message ("the quota (采集任务)").
    pub(super) fn count_issue(
        &self,
        column: Option<String>,
        field: Field,
        text: &str,
        error: CountError,
        what: &str,
    ) -> RowIssue {
        let (code, reason) = match error {
            CountError::Empty => (RowIssueCode::MissingValue, format!("{what} is missing")),
            CountError::Negative => (
                RowIssueCode::Negative,
                format!("{what} {text:?} must not be negative"),
            ),
            CountError::Fraction => (
                RowIssueCode::NotWhole,
                format!("{what} {text:?} is not a whole number"),
            ),
            CountError::TooLarge => (
                RowIssueCode::TooLarge,
                format!("{what} {text:?} is too large to be one"),
            ),
            CountError::NotANumber => (
                RowIssueCode::NotANumber,
                format!("{what} {text:?} is not a number (write it in digits)"),
            ),
        };
        self.issue(column, field, text, code, reason)
    }
}

/// Whether two cells of columns of the same meaning say the same: the same text but for
/// spaces, or the same number or day however written.
fn same_value(field: Field, a: &str, b: &str) -> bool {
    if name_key(a) == name_key(b) {
        return true;
    }
    match field {
        Field::Quota | Field::Count => parse_count(a).is_some() && parse_count(a) == parse_count(b),
        Field::Date => parse_day(a, None).is_some() && parse_day(a, None) == parse_day(b, None),
        _ => false,
    }
}

/// The preview of `table` as a sheet of `kind`: maps its header (`year` completes day headers
/// written without one), passes over the blank rows, total rows and notes below it, and hands
/// every other row to `check`, which adds the row's good rows and errors to the preview. A
/// row whose columns of the same meaning disagree is reported and not checked further.
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
    let mut in_notes = false;
    for row in &table.rows[h.index + 1..] {
        let r = DataRow { row, header: &h };
        if is_blank(row) {
            p.skip(row.number, SkipReason::Blank);
        } else if is_total(row) {
            p.skip(row.number, SkipReason::Total);
        } else if is_note(row) || (in_notes && is_single_cell(row)) {
            in_notes = true;
            p.skip(row.number, SkipReason::Note);
        } else {
            in_notes = false;
            let conflicts = r.conflicts();
            if conflicts.is_empty() {
                check(&mut p, r);
            } else {
                conflicts.into_iter().for_each(|c| p.report(c));
            }
        }
    }
    p
}
