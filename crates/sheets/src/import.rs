//! Importing the secretariat's spreadsheets: the unit task table (采集任务分解及链接入口表) and
//! the daily collection counts, from `.xlsx` (and the other formats calamine reads) or `.csv`.
//!
//! Real sheets are made by hand: a merged title row above the header, blank lines, a 合计 row,
//! full-width digits and spaces (`１，５００`), headers written a dozen ways
//! (单位/单位名称/unit, 采集任务/任务数 …). [`read_table`] turns a file into rows of
//! normalized text with their spreadsheet row numbers; [`preview_task_table`] and
//! [`preview_counts`] find the header, map its columns, and check every row against the stored
//! units, listing every bad row with its row number, field and reason. Nothing is written
//! here: the caller applies a preview's good rows in one store transaction.

use std::collections::{BTreeMap, HashMap};
use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
use chrono::{Datelike, NaiveDate};
use fieldpost_domain::{Section, SectionId, Unit, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

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

/// Why a file could not be read at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReadError {
    /// An Excel file calamine could not open.
    #[error("the spreadsheet cannot be read: {0}")]
    Spreadsheet(String),
    /// A CSV in none of the encodings Excel writes in China (UTF-8, GBK, UTF-16).
    #[error(
        "the CSV file is neither UTF-8 nor GBK text: save it from Excel as \"CSV UTF-8\", or upload the .xlsx"
    )]
    NotUtf8,
    /// Nothing in the file.
    #[error("the file is empty")]
    Empty,
}

/// Turns full-width ASCII (`１５００`, `ｈｔｔｐｓ：／／`) and the ideographic space into their
/// ASCII forms, drops zero-width characters and byte-order marks, and trims.
pub fn normalize(s: &str) -> String {
    let mapped: String = s
        .chars()
        .filter(|c| !matches!(c, '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{FEFF}'))
        .map(|c| match c {
            '\u{3000}' | '\u{00A0}' => ' ',
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            _ => c,
        })
        .collect();
    mapped.trim().to_owned()
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => normalize(s),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                format!("{}", *f as i64)
            } else {
                f.to_string()
            }
        }
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) => t.date().to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// Reads a file: a spreadsheet when it starts like one (zip or OLE magic), CSV otherwise.
/// Of a workbook, the first sheet with a recognizable header is taken (so a cover sheet or an
/// instructions sheet in front is skipped); `kind` says which headers to look for.
pub fn read_table(bytes: &[u8], kind: ImportKind) -> Result<Table, ReadError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty);
    }
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if !(zip || ole) {
        return read_csv(bytes);
    }
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| ReadError::Spreadsheet(e.to_string()))?;
    let mut first: Option<Table> = None;
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| ReadError::Spreadsheet(e.to_string()))?;
        // A range starts at its first non-empty cell; add its offset so that the row numbers
        // are the ones Excel shows.
        let (row0, col0) = range.start().unwrap_or((0, 0));
        let rows = (row0 + 1..)
            .zip(range.rows())
            .map(|(number, cells)| {
                let mut text: Vec<String> = vec![String::new(); col0 as usize];
                text.extend(cells.iter().map(cell_text));
                TableRow {
                    number,
                    cells: text,
                }
            })
            .collect();
        let table = Table {
            sheet: Some(name.clone()),
            rows,
        };
        if find_header(&table, kind).is_some() {
            return Ok(table);
        }
        first.get_or_insert(table);
    }
    first.ok_or(ReadError::Empty)
}

/// The text of a CSV file, in the encodings Excel writes in China: "CSV UTF-8" (UTF-8 with a
/// byte-order mark), "Unicode 文本" (UTF-16 with one, tab-separated), and the plain
/// "CSV (逗号分隔)" of Chinese Windows, in its ANSI code page GBK, which GB18030 decodes (it is
/// GBK's superset). Without a byte-order mark UTF-8 is tried first: GBK text that is also
/// valid UTF-8 is vanishingly rare for Chinese names. Bytes that are none of these are
/// refused, never guessed at.
fn csv_text(bytes: &[u8]) -> Result<std::borrow::Cow<'_, str>, ReadError> {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        return encoding
            .decode_without_bom_handling_and_without_replacement(&bytes[bom..])
            .ok_or(ReadError::NotUtf8);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.into());
    }
    encoding_rs::GB18030
        .decode_without_bom_handling_and_without_replacement(bytes)
        .ok_or(ReadError::NotUtf8)
}

/// RFC 4180 CSV (quoted fields, `""` escapes, line breaks inside quotes), comma- or
/// tab-separated, with or without a byte-order mark, in UTF-8 or GBK ([`csv_text`]).
fn read_csv(bytes: &[u8]) -> Result<Table, ReadError> {
    let text = csv_text(bytes)?;
    let text = text.strip_prefix('\u{FEFF}').unwrap_or(&text);
    let first_line = text.lines().next().unwrap_or("");
    let sep = if !first_line.contains(',') && first_line.contains('\t') {
        '\t'
    } else {
        ','
    };
    let mut rows = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    let mut number = 1u32;
    let finish_row = |row: &mut Vec<String>, field: &mut String, rows: &mut Vec<TableRow>, n| {
        row.push(normalize(field));
        field.clear();
        rows.push(TableRow {
            number: n,
            cells: std::mem::take(row),
        });
    };
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' if field.trim().is_empty() => {
                field.clear();
                quoted = true;
            }
            c if c == sep => {
                row.push(normalize(&field));
                field.clear();
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                finish_row(&mut row, &mut field, &mut rows, number);
                number += 1;
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        finish_row(&mut row, &mut field, &mut rows, number);
    }
    if rows.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(Table { sheet: None, rows })
}

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// 单位.
    Unit,
    /// 版块.
    Section,
    /// 采集任务.
    Quota,
    /// 专属链接.
    Link,
    /// 联系人.
    Contact,
    /// 日期.
    Date,
    /// 采集量.
    Count,
    /// A column known to carry nothing to import (序号, 备注).
    Ignored,
}

impl Field {
    /// The name used in row issues and the preview.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Unit => "unit",
            Field::Section => "section",
            Field::Quota => "quota",
            Field::Link => "link",
            Field::Contact => "contact",
            Field::Date => "date",
            Field::Count => "count",
            Field::Ignored => "ignored",
        }
    }
}

/// Header synonyms, compared after [`header_key`].
const SYNONYMS: &[(Field, &[&str])] = &[
    (
        Field::Unit,
        &[
            "单位",
            "单位名称",
            "采集单位",
            "责任单位",
            "参与单位",
            "名称",
            "unit",
            "unitname",
            "name",
        ],
    ),
    (
        Field::Section,
        &[
            "版块",
            "板块",
            "所属版块",
            "所属板块",
            "版块名称",
            "板块名称",
            "类别",
            "分类",
            "section",
        ],
    ),
    (
        Field::Quota,
        &[
            "采集任务",
            "任务数",
            "采集任务数",
            "任务量",
            "采集任务量",
            "任务",
            "分配任务",
            "采集目标",
            "quota",
            "task",
            "target",
        ],
    ),
    (
        Field::Link,
        &[
            "专属链接",
            "链接",
            "链接入口",
            "采集链接",
            "专属链接入口",
            "问卷链接",
            "调查链接",
            "link",
            "url",
            "surveylink",
        ],
    ),
    (
        Field::Contact,
        &[
            "联系人",
            "联系方式",
            "联系人及电话",
            "联系人及联系方式",
            "联系电话",
            "联系人电话",
            "contact",
        ],
    ),
    (
        Field::Date,
        &["日期", "采集日期", "统计日期", "date", "day"],
    ),
    (
        Field::Count,
        &[
            "采集量",
            "数量",
            "问卷数",
            "有效问卷",
            "有效问卷数",
            "采集数",
            "采集数量",
            "当日采集量",
            "count",
            "collected",
        ],
    ),
    (
        Field::Ignored,
        &[
            "序号", "编号", "no", "no.", "#", "备注", "说明", "remark", "remarks", "note", "notes",
        ],
    ),
];

/// A header cell reduced for matching: lowercase, no spaces, no `*`, no bracketed note
/// (`采集任务（份）` → `采集任务`).
fn header_key(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0u32;
    for c in s.chars() {
        match c {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            c if c.is_whitespace() || c == '*' || c == ':' || c == '：' => {}
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

fn field_of(header: &str) -> Option<Field> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    SYNONYMS
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(f, _)| *f)
}

fn fields_of(kind: ImportKind) -> &'static [Field] {
    match kind {
        ImportKind::TaskTable => &[
            Field::Unit,
            Field::Section,
            Field::Quota,
            Field::Link,
            Field::Contact,
            Field::Ignored,
        ],
        ImportKind::Counts => &[Field::Unit, Field::Date, Field::Count, Field::Ignored],
    }
}

/// The spreadsheet column letter of a 0-based index (A, B, … Z, AA …).
pub fn column_letter(mut i: usize) -> String {
    let mut s = Vec::new();
    loop {
        s.push(char::from(b'A' + (i % 26) as u8));
        if i < 26 {
            break;
        }
        i = i / 26 - 1;
    }
    s.iter().rev().collect()
}

/// How one header cell was understood.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct ColumnMap {
    /// The column letter.
    pub column: String,
    /// The header as written (normalized).
    pub header: String,
    /// What it maps to: a [`Field`] name, `day:YYYY-MM-DD` for a day column of a wide count
    /// sheet, or `None` when it cannot be mapped.
    pub field: Option<String>,
}

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
    /// Stable code for the console's translated text: `missing_value`, `not_a_number`,
    /// `duplicate_unit`, `malformed_link`, `duplicate_link`, `link_taken`, `unknown_unit`,
    /// `missing_section`, `bad_date`, `duplicate_day`, `unknown_header`, `missing_column`,
    /// `no_header`.
    pub code: String,
    /// Why, in English (the console shows its own Chinese text for `code`).
    pub reason: String,
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

/// What a task-table row will do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RowAction {
    /// A new unit.
    Create,
    /// An existing unit changes.
    Update,
    /// An existing unit, already as the row says.
    Unchanged,
}

/// A good row of the task table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct TaskRow {
    /// The spreadsheet row number.
    pub row: u32,
    /// The unit's name.
    pub unit: String,
    /// The existing unit of that name.
    pub unit_id: Option<UnitId>,
    /// The section's name (blank keeps an existing unit's section).
    pub section: Option<String>,
    /// 采集任务.
    pub quota: u32,
    /// 专属链接.
    pub link: String,
    /// 联系人.
    pub contact: Option<String>,
    /// What applying it does.
    pub action: RowAction,
}

/// A good row of the counts sheet: one unit's count on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CountRow {
    /// The spreadsheet row number.
    pub row: u32,
    /// The unit's name as written.
    pub unit: String,
    /// The unit.
    pub unit_id: UnitId,
    /// The day.
    pub day: NaiveDate,
    /// Questionnaires collected.
    pub count: u32,
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

/// The header row: the first row (among the first 30) where at least two cells map to a
/// field of `kind` and one of them is the unit. Rows above it are title rows.
fn find_header(table: &Table, kind: ImportKind) -> Option<usize> {
    let wanted = fields_of(kind);
    table.rows.iter().take(30).position(|r| {
        let mapped: Vec<Field> = r
            .cells
            .iter()
            .filter_map(|c| field_of(c))
            .filter(|f| wanted.contains(f) && *f != Field::Ignored)
            .collect();
        let days = r
            .cells
            .iter()
            .filter(|c| parse_day(c, None).is_some())
            .count();
        mapped.contains(&Field::Unit) && (mapped.len() >= 2 || days >= 1)
    })
}

fn is_blank(r: &TableRow) -> bool {
    r.cells.iter().all(|c| c.is_empty())
}

fn is_total(name: &str) -> bool {
    let key = header_key(name);
    ["合计", "总计", "小计", "总数", "total", "sum"].contains(&key.as_str())
}

/// A non-negative whole number as people write it: `1500`, `1,500`, `１，５００`, `1500份`,
/// `1500.0`. `None` when it is not one.
pub fn parse_count(s: &str) -> Option<u32> {
    let t: String = normalize(s)
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '_'))
        .collect();
    let t = t
        .strip_suffix('份')
        .or_else(|| t.strip_suffix('个'))
        .unwrap_or(&t);
    if t.is_empty() {
        return None;
    }
    if let Ok(n) = t.parse::<u32>() {
        return Some(n);
    }
    // Excel sometimes stores whole numbers as 1500.0 in text.
    let f: f64 = t.parse().ok()?;
    (f >= 0.0 && f.fract() == 0.0 && f <= f64::from(u32::MAX)).then_some(f as u32)
}

/// A day as written: `2022-08-03`, `2022/8/3`, `2022.8.3`, `2022年8月3日`, `20220803`, or
/// `8月3日` / `8-3` / `8/3` with the year from `year`.
pub fn parse_day(s: &str, year: Option<i32>) -> Option<NaiveDate> {
    let t = s.trim().trim_end_matches('日').trim_end_matches('号');
    if t.is_empty() {
        return None;
    }
    if t.len() == 8 && t.chars().all(|c| c.is_ascii_digit()) {
        return NaiveDate::parse_from_str(t, "%Y%m%d").ok();
    }
    // A datetime's date part ("2022-08-03 00:00:00").
    let t = t.split([' ', 'T']).next().unwrap_or(t);
    let parts: Vec<&str> = t
        .split(['-', '/', '.', '年', '月'])
        .filter(|p| !p.is_empty())
        .collect();
    let nums: Option<Vec<i64>> = parts.iter().map(|p| p.parse::<i64>().ok()).collect();
    match nums?.as_slice() {
        [y, m, d] if *y >= 1900 => NaiveDate::from_ymd_opt(
            i32::try_from(*y).ok()?,
            u32::try_from(*m).ok()?,
            u32::try_from(*d).ok()?,
        ),
        [m, d] => NaiveDate::from_ymd_opt(year?, u32::try_from(*m).ok()?, u32::try_from(*d).ok()?),
        _ => None,
    }
}

/// Whether a link looks like a survey link: `http(s)://host/…`, no spaces.
pub fn valid_link(s: &str) -> bool {
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let Some(rest) = rest else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or("");
    !host.is_empty()
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '.' | '-' | ':'))
        && !s.chars().any(char::is_whitespace)
}

/// A unit name reduced for matching: whitespace dropped (people type 揭阳市 侨联).
fn name_key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

struct Header {
    index: usize,
    number: u32,
    fields: BTreeMap<usize, Field>,
    /// Day columns of a wide count sheet.
    days: BTreeMap<usize, NaiveDate>,
}

fn map_header<T>(
    table: &Table,
    kind: ImportKind,
    year: Option<i32>,
    preview: &mut Preview<T>,
) -> Option<Header> {
    let Some(index) = find_header(table, kind) else {
        preview.errors.push(RowIssue {
            row: table.rows.first().map_or(1, |r| r.number),
            column: None,
            field: "header".into(),
            value: String::new(),
            code: "no_header".into(),
            reason: "no header row found: expected a row with columns such as 单位 and 采集任务"
                .into(),
        });
        return None;
    };
    let row = &table.rows[index];
    let wanted = fields_of(kind);
    let mut fields = BTreeMap::new();
    let mut days = BTreeMap::new();
    let mut seen: HashMap<Field, usize> = HashMap::new();
    for (i, header) in row.cells.iter().enumerate() {
        if header.is_empty() {
            continue;
        }
        let column = column_letter(i);
        let day = (kind == ImportKind::Counts)
            .then(|| parse_day(header, year))
            .flatten();
        let field = field_of(header).filter(|f| wanted.contains(f));
        let mapped = match (field, day) {
            (Some(f), _) => {
                if f != Field::Ignored
                    && let Some(first) = seen.insert(f, i)
                {
                    preview.errors.push(RowIssue {
                        row: row.number,
                        column: Some(column.clone()),
                        field: "header".into(),
                        value: header.clone(),
                        code: "duplicate_column".into(),
                        reason: format!(
                            "a second {} column; column {} is used",
                            f.as_str(),
                            column_letter(first)
                        ),
                    });
                    seen.insert(f, first);
                    None
                } else {
                    fields.insert(i, f);
                    Some(f.as_str().to_owned())
                }
            }
            (None, Some(d)) => {
                days.insert(i, d);
                Some(format!("day:{d}"))
            }
            (None, None) => {
                preview.errors.push(RowIssue {
                    row: row.number,
                    column: Some(column.clone()),
                    field: "header".into(),
                    value: header.clone(),
                    code: "unknown_header".into(),
                    reason: format!("the header {header:?} matches no column of this sheet; the column is ignored"),
                });
                None
            }
        };
        preview.columns.push(ColumnMap {
            column,
            header: header.clone(),
            field: mapped,
        });
    }
    let required: &[Field] = match kind {
        ImportKind::TaskTable => &[Field::Unit, Field::Quota, Field::Link],
        ImportKind::Counts if days.is_empty() => &[Field::Unit, Field::Date, Field::Count],
        ImportKind::Counts => &[Field::Unit],
    };
    let mut complete = true;
    for f in required {
        if !fields.values().any(|g| g == f) {
            complete = false;
            preview.errors.push(RowIssue {
                row: row.number,
                column: None,
                field: f.as_str().into(),
                value: String::new(),
                code: "missing_column".into(),
                reason: format!("the sheet has no {} column", f.as_str()),
            });
        }
    }
    for r in &table.rows[..index] {
        preview.skipped.push(SkippedRow {
            row: r.number,
            reason: if is_blank(r) {
                SkipReason::Blank
            } else {
                SkipReason::Title
            },
        });
    }
    complete.then_some(Header {
        index,
        number: row.number,
        fields,
        days,
    })
}

fn cell<'a>(r: &'a TableRow, header: &Header, field: Field) -> (&'a str, Option<String>) {
    header
        .fields
        .iter()
        .find(|(_, f)| **f == field)
        .map(|(i, _)| {
            (
                r.cells.get(*i).map_or("", String::as_str),
                Some(column_letter(*i)),
            )
        })
        .unwrap_or(("", None))
}

fn issue(
    row: u32,
    column: Option<String>,
    field: Field,
    value: &str,
    code: &str,
    reason: String,
) -> RowIssue {
    RowIssue {
        row,
        column,
        field: field.as_str().into(),
        value: value.into(),
        code: code.into(),
        reason,
    }
}

/// Checks a task table against the stored units and sections. Every row is checked, so the
/// preview lists every problem at once: a missing or non-numeric quota, a duplicate unit, a
/// malformed or duplicate link, a link another unit already has, a new unit without a section.
pub fn preview_task_table(table: &Table, units: &[Unit], sections: &[Section]) -> Preview<TaskRow> {
    let mut p = Preview::empty(ImportKind::TaskTable, table.sheet.clone());
    let Some(h) = map_header(table, ImportKind::TaskTable, None, &mut p) else {
        return p;
    };
    p.header_row = h.number;
    let by_name: HashMap<String, &Unit> = units.iter().map(|u| (name_key(&u.name), u)).collect();
    let by_link: HashMap<&str, &Unit> = units.iter().map(|u| (u.survey_link.as_str(), u)).collect();
    let section_names: HashMap<SectionId, &str> =
        sections.iter().map(|s| (s.id, s.name.as_str())).collect();
    let mut first_row_of_unit: HashMap<String, u32> = HashMap::new();
    let mut first_row_of_link: HashMap<String, u32> = HashMap::new();
    for r in &table.rows[h.index + 1..] {
        if is_blank(r) {
            p.skipped.push(SkippedRow {
                row: r.number,
                reason: SkipReason::Blank,
            });
            continue;
        }
        let (name, name_col) = cell(r, &h, Field::Unit);
        if is_total(name) {
            p.skipped.push(SkippedRow {
                row: r.number,
                reason: SkipReason::Total,
            });
            continue;
        }
        let before = p.errors.len();
        if name.is_empty() {
            p.errors.push(issue(
                r.number,
                name_col.clone(),
                Field::Unit,
                name,
                "missing_value",
                "the unit's name is missing".into(),
            ));
        }
        let key = name_key(name);
        if !name.is_empty() {
            if let Some(first) = first_row_of_unit.get(&key) {
                p.errors.push(issue(
                    r.number,
                    name_col.clone(),
                    Field::Unit,
                    name,
                    "duplicate_unit",
                    format!("{name} is already listed on row {first}"),
                ));
            } else {
                first_row_of_unit.insert(key.clone(), r.number);
            }
        }
        let existing = by_name.get(&key).copied();
        let (quota_text, quota_col) = cell(r, &h, Field::Quota);
        let quota = parse_count(quota_text);
        if quota_text.is_empty() {
            p.errors.push(issue(
                r.number,
                quota_col,
                Field::Quota,
                quota_text,
                "missing_value",
                "the quota (采集任务) is missing".into(),
            ));
        } else if quota.is_none() {
            p.errors.push(issue(
                r.number,
                quota_col,
                Field::Quota,
                quota_text,
                "not_a_number",
                format!("the quota {quota_text:?} is not a whole number"),
            ));
        }
        let (link, link_col) = cell(r, &h, Field::Link);
        if link.is_empty() {
            p.errors.push(issue(
                r.number,
                link_col,
                Field::Link,
                link,
                "missing_value",
                "the exclusive link (专属链接) is missing".into(),
            ));
        } else if !valid_link(link) {
            p.errors.push(issue(
                r.number,
                link_col,
                Field::Link,
                link,
                "malformed_link",
                format!("{link:?} is not a web link (http:// or https://)"),
            ));
        } else if let Some(first) = first_row_of_link.get(link) {
            p.errors.push(issue(
                r.number,
                link_col,
                Field::Link,
                link,
                "duplicate_link",
                format!("the same link is on row {first}"),
            ));
        } else {
            first_row_of_link.insert(link.to_owned(), r.number);
            if let Some(owner) = by_link.get(link)
                && existing.is_none_or(|e| e.id != owner.id)
            {
                p.errors.push(issue(
                    r.number,
                    link_col,
                    Field::Link,
                    link,
                    "link_taken",
                    format!("the link already belongs to {}", owner.name),
                ));
            }
        }
        let (section, section_col) = cell(r, &h, Field::Section);
        if section.is_empty() && existing.is_none() && !name.is_empty() {
            p.errors.push(issue(
                r.number,
                section_col,
                Field::Section,
                section,
                "missing_section",
                format!("{name} is a new unit: name its section (版块)"),
            ));
        }
        let (contact, _) = cell(r, &h, Field::Contact);
        if p.errors.len() > before {
            continue;
        }
        let Some(quota) = quota else { continue };
        let section = Some(section.to_owned()).filter(|s| !s.is_empty());
        let contact = Some(contact.to_owned()).filter(|s| !s.is_empty());
        let action = match existing {
            None => RowAction::Create,
            Some(u) => {
                let same_section = section
                    .as_deref()
                    .is_none_or(|s| section_names.get(&u.section_id) == Some(&s));
                let same_contact = contact.is_none() || contact == u.contact;
                if u.quota == quota && u.survey_link == link && same_section && same_contact {
                    RowAction::Unchanged
                } else {
                    RowAction::Update
                }
            }
        };
        p.rows.push(TaskRow {
            row: r.number,
            unit: name.to_owned(),
            unit_id: existing.map(|u| u.id),
            section,
            quota,
            link: link.to_owned(),
            contact,
            action,
        });
    }
    p
}

/// Checks a daily-counts sheet against the stored units: long (单位, 日期, 采集量 per row) or
/// wide (单位 and one column per day). `year` completes dates written without one (8月3日).
pub fn preview_counts(table: &Table, units: &[Unit], year: Option<i32>) -> Preview<CountRow> {
    let mut p = Preview::empty(ImportKind::Counts, table.sheet.clone());
    let Some(h) = map_header(table, ImportKind::Counts, year, &mut p) else {
        return p;
    };
    p.header_row = h.number;
    let by_name: HashMap<String, &Unit> = units.iter().map(|u| (name_key(&u.name), u)).collect();
    let mut first_row_of: HashMap<(UnitId, NaiveDate), u32> = HashMap::new();
    for r in &table.rows[h.index + 1..] {
        if is_blank(r) {
            p.skipped.push(SkippedRow {
                row: r.number,
                reason: SkipReason::Blank,
            });
            continue;
        }
        let (name, name_col) = cell(r, &h, Field::Unit);
        if is_total(name) {
            p.skipped.push(SkippedRow {
                row: r.number,
                reason: SkipReason::Total,
            });
            continue;
        }
        let unit = by_name.get(&name_key(name)).copied();
        if name.is_empty() {
            p.errors.push(issue(
                r.number,
                name_col,
                Field::Unit,
                name,
                "missing_value",
                "the unit's name is missing".into(),
            ));
            continue;
        }
        let Some(unit) = unit else {
            p.errors.push(issue(
                r.number,
                name_col,
                Field::Unit,
                name,
                "unknown_unit",
                format!("no unit named {name}: import the task table first, or fix the name"),
            ));
            continue;
        };
        // (day, count as written, its column) per value on the row.
        let mut values: Vec<(NaiveDate, String, Option<String>)> = Vec::new();
        if h.days.is_empty() {
            let (day_text, day_col) = cell(r, &h, Field::Date);
            let (count_text, count_col) = cell(r, &h, Field::Count);
            let Some(day) = parse_day(day_text, year) else {
                p.errors.push(issue(
                    r.number,
                    day_col.clone(),
                    Field::Date,
                    day_text,
                    if day_text.is_empty() {
                        "missing_value"
                    } else {
                        "bad_date"
                    },
                    format!("{day_text:?} is not a date"),
                ));
                continue;
            };
            values.push((day, count_text.to_owned(), count_col));
        } else {
            for (i, d) in &h.days {
                let text = r.cells.get(*i).cloned().unwrap_or_default();
                if !text.is_empty() {
                    values.push((*d, text, Some(column_letter(*i))));
                }
            }
        }
        for (day, count_text, count_col) in values {
            let Some(count) = parse_count(&count_text) else {
                p.errors.push(issue(
                    r.number,
                    count_col,
                    Field::Count,
                    &count_text,
                    if count_text.is_empty() {
                        "missing_value"
                    } else {
                        "not_a_number"
                    },
                    format!("the count {count_text:?} is not a whole number"),
                ));
                continue;
            };
            if let Some(first) = first_row_of.get(&(unit.id, day)) {
                p.errors.push(issue(
                    r.number,
                    count_col,
                    Field::Date,
                    &day.to_string(),
                    "duplicate_day",
                    format!("{} on {day} is already on row {first}", unit.name),
                ));
                continue;
            }
            first_row_of.insert((unit.id, day), r.number);
            p.rows.push(CountRow {
                row: r.number,
                unit: name.to_owned(),
                unit_id: unit.id,
                day,
                count,
            });
        }
    }
    p
}

/// The campaign year, for dates written without one.
pub fn campaign_year(collection_start: chrono::DateTime<chrono::Utc>) -> i32 {
    collection_start.year()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn full_width_text_is_normalized() {
        assert_eq!(
            normalize("　１，５００　"),
            "1,500",
            "full-width digits and spaces"
        );
        assert_eq!(
            normalize("ｈｔｔｐｓ：／／ｓ．ｅｘ／ａ"),
            "https://s.ex/a",
            "full-width link"
        );
        assert_eq!(parse_count("１，５００份"), Some(1500), "a written quota");
        assert_eq!(parse_count("1500.0"), Some(1500), "Excel's float text");
        assert_eq!(parse_count("一千"), None, "not a number");
        assert_eq!(parse_count("-3"), None, "not negative");
    }

    #[test]
    fn headers_map_through_synonyms() {
        assert_eq!(field_of("单位名称"), Some(Field::Unit), "单位名称");
        assert_eq!(field_of("采集任务（份）"), Some(Field::Quota), "annotated");
        assert_eq!(field_of("专属链接入口"), Some(Field::Link), "link");
        assert_eq!(field_of(" Contact "), Some(Field::Contact), "English");
        assert_eq!(field_of("负责人签字"), None, "unknown");
        assert_eq!(column_letter(0), "A", "A");
        assert_eq!(column_letter(27), "AB", "AB");
    }

    #[test]
    fn days_parse_in_the_ways_people_write_them() {
        let d = NaiveDate::from_ymd_opt(2022, 8, 3).unwrap();
        for s in [
            "2022-08-03",
            "2022/8/3",
            "2022年8月3日",
            "20220803",
            "2022-08-03 00:00:00",
        ] {
            assert_eq!(parse_day(s, None), Some(d), "{s}");
        }
        assert_eq!(
            parse_day("8月3日", Some(2022)),
            Some(d),
            "year from the campaign"
        );
        assert_eq!(parse_day("8月3日", None), None, "no year to complete it");
        assert_eq!(parse_day("昨天", Some(2022)), None, "not a date");
    }

    #[test]
    fn links_are_checked() {
        assert!(valid_link("https://survey.example/2022/u001"), "a link");
        assert!(!valid_link("survey.example/u1"), "no scheme");
        assert!(!valid_link("https://"), "no host");
        assert!(!valid_link("https://a b.example/x"), "space");
    }

    #[test]
    fn csv_quotes_and_line_breaks() {
        let t = read_csv("\u{FEFF}单位,备注\r\n\"甲,乙\",\"多\n行\"\r\n".as_bytes()).unwrap();
        assert_eq!(t.rows.len(), 2, "two records");
        assert_eq!(t.rows[1].cells, vec!["甲,乙", "多\n行"], "quoted fields");
    }

    /// Every line a preview produces, in order: its header, its columns, its errors, its good
    /// rows and its skipped rows, so that a test pins each message exactly.
    fn render<T: std::fmt::Debug>(p: &Preview<T>) -> Vec<String> {
        let mut out = vec![format!(
            "{:?} sheet={:?} header_row={}",
            p.kind, p.sheet, p.header_row
        )];
        out.extend(p.columns.iter().map(|c| format!("column {c:?}")));
        out.extend(p.errors.iter().map(|e| format!("error {e:?}")));
        out.extend(p.rows.iter().map(|r| format!("row {r:?}")));
        out.extend(p.skipped.iter().map(|s| format!("skip {s:?}")));
        out
    }

    /// A stored unit whose id ends in `n`, without a contact.
    fn unit(n: u128, section: SectionId, name: &str, quota: u32, link: &str) -> Unit {
        Unit {
            id: format!("00000000-0000-0000-0000-{n:012}").parse().unwrap(),
            campaign_id: "00000000-0000-0000-0000-0000000000ca".parse().unwrap(),
            section_id: section,
            name: name.into(),
            quota,
            survey_link: link.into(),
            contact: None,
        }
    }

    /// Sections 侨 and 志愿; units 单位甲 (侨, with a contact), 单位乙 (志愿) and 单位庚 (侨,
    /// on no sheet below).
    fn stored() -> (Vec<Unit>, Vec<Section>) {
        let qiao: SectionId = "00000000-0000-0000-0000-0000000000a1".parse().unwrap();
        let zhiyuan: SectionId = "00000000-0000-0000-0000-0000000000a2".parse().unwrap();
        let sections = vec![
            Section {
                id: qiao,
                code: "qiao".into(),
                name: "侨".into(),
            },
            Section {
                id: zhiyuan,
                code: "volunteer".into(),
                name: "志愿".into(),
            },
        ];
        let mut jia = unit(1, qiao, "单位甲", 100, "https://s.example/a");
        jia.contact = Some("张三".into());
        let units = vec![
            jia,
            unit(2, zhiyuan, "单位乙", 200, "https://s.example/b"),
            unit(3, qiao, "单位庚", 30, "https://s.example/g"),
        ];
        (units, sections)
    }

    /// A sheet read from CSV text.
    fn csv(text: &str, kind: ImportKind) -> Table {
        read_table(text.as_bytes(), kind).unwrap()
    }

    #[test]
    fn a_task_table_preview_says_exactly_what_is_wrong() {
        let (units, sections) = stored();
        let table = csv(
            "2022年采集任务分解表,,,,,,\n\
             单位,版块,采集任务（份）,专属链接,联系人,负责人签字,单位\n\
             单位甲,侨,100,https://s.example/a,张三,,\n\
             单位 甲,侨,100,https://s.example/a2,,,\n\
             ,,,,,,\n\
             单位乙,,250,https://s.example/b,,,\n\
             单位丙,,abc,https://s.example/a,,,\n\
             单位丁,志愿,,s.example/d,,,\n\
             单位辛,侨,50,https://s.example/g,,,\n\
             单位戊,志愿,１，５００份,https://s.example/e,李四,,\n\
             ,侨,10,,,,\n\
             合计,,1000,,,,\n",
            ImportKind::TaskTable,
        );
        assert_eq!(
            render(&preview_task_table(&table, &units, &sections)),
            TASK,
            "a task table"
        );
    }

    #[test]
    fn a_counts_preview_says_exactly_what_is_wrong() {
        let (units, _) = stored();
        let long = csv(
            "采集数据,,,\n\
             单位,日期,采集量,备注\n\
             单位甲,2022-08-03,10,\n\
             单位甲,2022/8/3,5,\n\
             单位乙,8月4日,1,\n\
             单位乙,昨天,3,\n\
             单位乙,,3,\n\
             单位丙,2022-08-03,3,\n\
             ,2022-08-03,3,\n\
             单位甲,2022-08-04,abc,\n\
             单位甲,2022-08-05,,\n\
             \n\
             合计,,20,\n",
            ImportKind::Counts,
        );
        assert_eq!(
            render(&preview_counts(&long, &units, Some(2022))),
            LONG,
            "a long counts sheet"
        );
        let wide = csv(
            "单位,2022-08-03,8月4日,序号,说明书\n\
             单位甲,10,,1,\n\
             单位乙,x,5,2,\n\
             单位甲,3,,3,\n",
            ImportKind::Counts,
        );
        assert_eq!(
            render(&preview_counts(&wide, &units, Some(2022))),
            WIDE,
            "a wide counts sheet"
        );
    }

    #[test]
    fn a_sheet_without_its_columns_says_so() {
        let (units, sections) = stored();
        let no_header = csv("甲,乙\n1,2\n", ImportKind::TaskTable);
        assert_eq!(
            render(&preview_task_table(&no_header, &units, &sections)),
            NO_HEADER,
            "no header"
        );
        let half = csv("单位,版块\n单位甲,侨\n", ImportKind::TaskTable);
        assert_eq!(
            render(&preview_task_table(&half, &units, &sections)),
            NO_QUOTA_OR_LINK,
            "no quota or link column"
        );
        let counts = csv("单位,日期\n单位甲,2022-08-03\n", ImportKind::Counts);
        assert_eq!(
            render(&preview_counts(&counts, &units, None)),
            NO_COUNT,
            "no count column"
        );
    }

    /// The preview of a task table with a bad row of every kind.
    const TASK: [&str; 25] = [
        r#"TaskTable sheet=None header_row=2"#,
        r#"column ColumnMap { column: "A", header: "单位", field: Some("unit") }"#,
        r#"column ColumnMap { column: "B", header: "版块", field: Some("section") }"#,
        r#"column ColumnMap { column: "C", header: "采集任务(份)", field: Some("quota") }"#,
        r#"column ColumnMap { column: "D", header: "专属链接", field: Some("link") }"#,
        r#"column ColumnMap { column: "E", header: "联系人", field: Some("contact") }"#,
        r#"column ColumnMap { column: "F", header: "负责人签字", field: None }"#,
        r#"column ColumnMap { column: "G", header: "单位", field: None }"#,
        r#"error RowIssue { row: 2, column: Some("F"), field: "header", value: "负责人签字", code: "unknown_header", reason: "the header \"负责人签字\" matches no column of this sheet; the column is ignored" }"#,
        r#"error RowIssue { row: 2, column: Some("G"), field: "header", value: "单位", code: "duplicate_column", reason: "a second unit column; column A is used" }"#,
        r#"error RowIssue { row: 4, column: Some("A"), field: "unit", value: "单位 甲", code: "duplicate_unit", reason: "单位 甲 is already listed on row 3" }"#,
        r#"error RowIssue { row: 7, column: Some("C"), field: "quota", value: "abc", code: "not_a_number", reason: "the quota \"abc\" is not a whole number" }"#,
        r#"error RowIssue { row: 7, column: Some("D"), field: "link", value: "https://s.example/a", code: "duplicate_link", reason: "the same link is on row 3" }"#,
        r#"error RowIssue { row: 7, column: Some("B"), field: "section", value: "", code: "missing_section", reason: "单位丙 is a new unit: name its section (版块)" }"#,
        r#"error RowIssue { row: 8, column: Some("C"), field: "quota", value: "", code: "missing_value", reason: "the quota (采集任务) is missing" }"#,
        r#"error RowIssue { row: 8, column: Some("D"), field: "link", value: "s.example/d", code: "malformed_link", reason: "\"s.example/d\" is not a web link (http:// or https://)" }"#,
        r#"error RowIssue { row: 9, column: Some("D"), field: "link", value: "https://s.example/g", code: "link_taken", reason: "the link already belongs to 单位庚" }"#,
        r#"error RowIssue { row: 11, column: Some("A"), field: "unit", value: "", code: "missing_value", reason: "the unit's name is missing" }"#,
        r#"error RowIssue { row: 11, column: Some("D"), field: "link", value: "", code: "missing_value", reason: "the exclusive link (专属链接) is missing" }"#,
        r#"row TaskRow { row: 3, unit: "单位甲", unit_id: Some(UnitId(00000000-0000-0000-0000-000000000001)), section: Some("侨"), quota: 100, link: "https://s.example/a", contact: Some("张三"), action: Unchanged }"#,
        r#"row TaskRow { row: 6, unit: "单位乙", unit_id: Some(UnitId(00000000-0000-0000-0000-000000000002)), section: None, quota: 250, link: "https://s.example/b", contact: None, action: Update }"#,
        r#"row TaskRow { row: 10, unit: "单位戊", unit_id: None, section: Some("志愿"), quota: 1500, link: "https://s.example/e", contact: Some("李四"), action: Create }"#,
        r#"skip SkippedRow { row: 1, reason: Title }"#,
        r#"skip SkippedRow { row: 5, reason: Blank }"#,
        r#"skip SkippedRow { row: 12, reason: Total }"#,
    ];

    /// The preview of a long counts sheet with a bad row of every kind.
    const LONG: [&str; 17] = [
        r#"Counts sheet=None header_row=2"#,
        r#"column ColumnMap { column: "A", header: "单位", field: Some("unit") }"#,
        r#"column ColumnMap { column: "B", header: "日期", field: Some("date") }"#,
        r#"column ColumnMap { column: "C", header: "采集量", field: Some("count") }"#,
        r#"column ColumnMap { column: "D", header: "备注", field: Some("ignored") }"#,
        r#"error RowIssue { row: 4, column: Some("C"), field: "date", value: "2022-08-03", code: "duplicate_day", reason: "单位甲 on 2022-08-03 is already on row 3" }"#,
        r#"error RowIssue { row: 6, column: Some("B"), field: "date", value: "昨天", code: "bad_date", reason: "\"昨天\" is not a date" }"#,
        r#"error RowIssue { row: 7, column: Some("B"), field: "date", value: "", code: "missing_value", reason: "\"\" is not a date" }"#,
        r#"error RowIssue { row: 8, column: Some("A"), field: "unit", value: "单位丙", code: "unknown_unit", reason: "no unit named 单位丙: import the task table first, or fix the name" }"#,
        r#"error RowIssue { row: 9, column: Some("A"), field: "unit", value: "", code: "missing_value", reason: "the unit's name is missing" }"#,
        r#"error RowIssue { row: 10, column: Some("C"), field: "count", value: "abc", code: "not_a_number", reason: "the count \"abc\" is not a whole number" }"#,
        r#"error RowIssue { row: 11, column: Some("C"), field: "count", value: "", code: "missing_value", reason: "the count \"\" is not a whole number" }"#,
        r#"row CountRow { row: 3, unit: "单位甲", unit_id: UnitId(00000000-0000-0000-0000-000000000001), day: 2022-08-03, count: 10 }"#,
        r#"row CountRow { row: 5, unit: "单位乙", unit_id: UnitId(00000000-0000-0000-0000-000000000002), day: 2022-08-04, count: 1 }"#,
        r#"skip SkippedRow { row: 1, reason: Title }"#,
        r#"skip SkippedRow { row: 12, reason: Blank }"#,
        r#"skip SkippedRow { row: 13, reason: Total }"#,
    ];

    /// The preview of a wide counts sheet.
    const WIDE: [&str; 11] = [
        r#"Counts sheet=None header_row=1"#,
        r#"column ColumnMap { column: "A", header: "单位", field: Some("unit") }"#,
        r#"column ColumnMap { column: "B", header: "2022-08-03", field: Some("day:2022-08-03") }"#,
        r#"column ColumnMap { column: "C", header: "8月4日", field: Some("day:2022-08-04") }"#,
        r#"column ColumnMap { column: "D", header: "序号", field: Some("ignored") }"#,
        r#"column ColumnMap { column: "E", header: "说明书", field: None }"#,
        r#"error RowIssue { row: 1, column: Some("E"), field: "header", value: "说明书", code: "unknown_header", reason: "the header \"说明书\" matches no column of this sheet; the column is ignored" }"#,
        r#"error RowIssue { row: 3, column: Some("B"), field: "count", value: "x", code: "not_a_number", reason: "the count \"x\" is not a whole number" }"#,
        r#"error RowIssue { row: 4, column: Some("B"), field: "date", value: "2022-08-03", code: "duplicate_day", reason: "单位甲 on 2022-08-03 is already on row 2" }"#,
        r#"row CountRow { row: 2, unit: "单位甲", unit_id: UnitId(00000000-0000-0000-0000-000000000001), day: 2022-08-03, count: 10 }"#,
        r#"row CountRow { row: 3, unit: "单位乙", unit_id: UnitId(00000000-0000-0000-0000-000000000002), day: 2022-08-04, count: 5 }"#,
    ];

    /// The preview of a task table without a header.
    const NO_HEADER: [&str; 2] = [
        r#"TaskTable sheet=None header_row=0"#,
        r#"error RowIssue { row: 1, column: None, field: "header", value: "", code: "no_header", reason: "no header row found: expected a row with columns such as 单位 and 采集任务" }"#,
    ];

    /// The preview of a task table without its quota and link columns.
    const NO_QUOTA_OR_LINK: [&str; 5] = [
        r#"TaskTable sheet=None header_row=0"#,
        r#"column ColumnMap { column: "A", header: "单位", field: Some("unit") }"#,
        r#"column ColumnMap { column: "B", header: "版块", field: Some("section") }"#,
        r#"error RowIssue { row: 1, column: None, field: "quota", value: "", code: "missing_column", reason: "the sheet has no quota column" }"#,
        r#"error RowIssue { row: 1, column: None, field: "link", value: "", code: "missing_column", reason: "the sheet has no link column" }"#,
    ];

    /// The preview of a counts sheet without its count column.
    const NO_COUNT: [&str; 4] = [
        r#"Counts sheet=None header_row=0"#,
        r#"column ColumnMap { column: "A", header: "单位", field: Some("unit") }"#,
        r#"column ColumnMap { column: "B", header: "日期", field: Some("date") }"#,
        r#"error RowIssue { row: 1, column: None, field: "count", value: "", code: "missing_column", reason: "the sheet has no count column" }"#,
    ];
}
