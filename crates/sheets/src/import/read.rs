//! Reading a file into a [`Table`]: workbooks through calamine, CSV by hand in the encodings
//! Excel writes in China, every cell as normalized text.

use std::io::Cursor;

use calamine::{Data, Reader, Xls, Xlsx};

use super::guard;
use super::header::find_header;
use super::{ImportKind, Table, TableRow};

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
    /// More filled rows than any real sheet of this kind has: refused before it is checked.
    #[error(
        "the sheet has more than {limit} filled rows, the most a {kind} can have: split it, or \
         check that it is the right file"
    )]
    TooManyRows {
        /// The most filled rows a sheet of this kind may have.
        limit: usize,
        /// The sheet's kind, as the message names it.
        kind: &'static str,
    },
    /// A filled cell further right than any real sheet reaches (a day per column is a few
    /// dozen): refused before a row of a million cells is built.
    #[error(
        "the sheet has a filled cell past column {limit}, wider than any task table or counts \
         sheet: check that it is the right file"
    )]
    TooManyColumns {
        /// The most columns a sheet may fill.
        limit: usize,
    },
    /// A filled cell below Excel's last row: only a crafted file has one, and numbering the
    /// rows down to it would take gigabytes (issue 14).
    #[error(
        "the sheet has a filled cell at row {row}, past Excel's last row ({EXCEL_ROWS}): check \
         that it is the right file"
    )]
    RowBeyondExcel {
        /// The cell's row (1-based).
        row: u32,
    },
}

/// Rows an Excel sheet has.
pub const EXCEL_ROWS: u32 = 1_048_576;

/// The most columns a sheet may fill: column IV, far past a task table's dozen columns or a
/// counts sheet's day per column.
pub const COLUMN_LIMIT: usize = 256;

/// Adds a cell to a row being built: an empty cell past [`COLUMN_LIMIT`] is dropped (a CSV
/// line of a million commas costs nothing), a filled one refuses the sheet.
fn push_cell(row: &mut Vec<String>, text: String) -> Result<(), ReadError> {
    if row.len() < COLUMN_LIMIT {
        row.push(text);
    } else if !text.is_empty() {
        return Err(ReadError::TooManyColumns {
            limit: COLUMN_LIMIT,
        });
    }
    Ok(())
}

/// The most filled rows (title and header included) a sheet of `kind` may have. Generous: a
/// city has a few hundred units, so a task table of 5,000 is ten times any real one; a long
/// counts sheet has a row per unit and day, a few hundred units over a campaign's weeks.
pub const fn row_limit(kind: ImportKind) -> usize {
    match kind {
        ImportKind::TaskTable => 5_000,
        ImportKind::Counts => 100_000,
    }
}

/// The error for a sheet of `kind` past its [`row_limit`].
fn too_many(kind: ImportKind) -> ReadError {
    ReadError::TooManyRows {
        limit: row_limit(kind),
        kind: match kind {
            ImportKind::TaskTable => "task table",
            ImportKind::Counts => "counts sheet",
        },
    }
}

/// Builds a table's rows as cells arrive, refusing the sheet as soon as it has more filled
/// rows than its kind allows, so a sheet of a million rows costs no more than one at the
/// limit. Rows missing between filled ones are blank rows.
struct RowsBuilder {
    kind: ImportKind,
    rows: Vec<TableRow>,
    filled: usize,
}

impl RowsBuilder {
    fn new(kind: ImportKind) -> RowsBuilder {
        RowsBuilder {
            kind,
            rows: Vec::new(),
            filled: 0,
        }
    }

    /// Puts `text` at 0-based `row` and `col`; rows come in order.
    fn put(&mut self, row: u32, col: u32, text: String) -> Result<(), ReadError> {
        if text.is_empty() {
            return Ok(());
        }
        if col as usize >= COLUMN_LIMIT {
            return Err(ReadError::TooManyColumns {
                limit: COLUMN_LIMIT,
            });
        }
        let number = row.saturating_add(1);
        if number > EXCEL_ROWS {
            return Err(ReadError::RowBeyondExcel { row: number });
        }
        if self.rows.last().is_none_or(|r| r.number < number) {
            self.filled += 1;
            if self.filled > row_limit(self.kind) {
                return Err(too_many(self.kind));
            }
            let next = self.rows.last().map_or(1, |r| r.number + 1);
            for n in next..number {
                self.rows.push(TableRow {
                    number: n,
                    cells: Vec::new(),
                });
            }
            self.rows.push(TableRow {
                number,
                cells: Vec::new(),
            });
        }
        if let Some(last) = self.rows.last_mut() {
            let col = col as usize;
            if last.cells.len() <= col {
                last.cells.resize(col + 1, String::new());
            }
            last.cells[col] = text;
        }
        Ok(())
    }
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

/// A cell as text: whole numbers without Excel's `.0`, date cells as `YYYY-MM-DD`, text
/// normalized.
pub(crate) fn cell_text(d: &Data) -> String {
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

/// Reads a file: a spreadsheet when it starts like one (zip or OLE magic: `.xlsx` or `.xls`),
/// CSV otherwise. Of a workbook, the first sheet with a recognizable header is taken (so a
/// cover sheet or an instructions sheet in front is skipped); `kind` says which headers to
/// look for.
pub fn read_table(bytes: &[u8], kind: ImportKind) -> Result<Table, ReadError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ReadError::Empty);
    }
    let zip = bytes.starts_with(b"PK\x03\x04");
    let ole = bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0]);
    if !(zip || ole) {
        return read_csv(bytes, kind);
    }
    // calamine panics on some damaged files (an index past the end of an .xls record, an
    // overflow in a debug build: issue 14, found fuzzing the imports). Such a file is unreadable, the
    // uploader's to fix; the panic is its reader giving up, not the server failing. Nothing
    // outlives the closure but its result, so no state is left half-changed.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_workbook(bytes, kind, zip)
    }))
    .unwrap_or_else(|_| {
        Err(ReadError::Spreadsheet(
            "the file is damaged: its reader gave up on it".into(),
        ))
    })
}

/// An `.xlsx` (`zip`) or `.xls` workbook, after [`guard`]'s check of what it claims.
fn read_workbook(bytes: &[u8], kind: ImportKind, zip: bool) -> Result<Table, ReadError> {
    if zip {
        guard::check_xlsx(bytes)?;
        let book = calamine::open_workbook_from_rs::<Xlsx<_>, _>(Cursor::new(bytes))
            .map_err(|e| ReadError::Spreadsheet(e.to_string()))?;
        return read_xlsx(book, kind);
    }
    guard::check_xls(bytes)?;
    let mut book: Xls<_> =
        Xls::new(Cursor::new(bytes)).map_err(|e| ReadError::Spreadsheet(e.to_string()))?;
    let mut first: Option<Table> = None;
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| ReadError::Spreadsheet(e.to_string()))?;
        let mut rows = RowsBuilder::new(kind);
        // A range starts at its first non-empty cell; add its offset so that the row numbers
        // are the ones Excel shows.
        let (row0, col0) = range.start().unwrap_or((0, 0));
        for (row, col, cell) in range.used_cells() {
            let (row, col) = (row0 + row as u32, col0 + col as u32);
            rows.put(row, col, cell_text(cell))?;
        }
        let table = Table {
            sheet: Some(name.clone()),
            rows: rows.rows,
        };
        if find_header(&table, kind).is_some() {
            return Ok(table);
        }
        first.get_or_insert(table);
    }
    first.ok_or(ReadError::Empty)
}

/// An `.xlsx` workbook, read cell by cell (not into a whole range first) so that a sheet past
/// its [`row_limit`] is refused as soon as the limit is passed.
fn read_xlsx(mut book: Xlsx<Cursor<&[u8]>>, kind: ImportKind) -> Result<Table, ReadError> {
    let mut first: Option<Table> = None;
    for name in book.sheet_names() {
        let mut reader = book
            .worksheet_cells_reader(&name)
            .map_err(|e| ReadError::Spreadsheet(e.to_string()))?;
        let mut rows = RowsBuilder::new(kind);
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| ReadError::Spreadsheet(e.to_string()))?
        {
            let (row, col) = cell.get_position();
            rows.put(row, col, cell_text(&Data::from(cell.get_value().clone())))?;
        }
        let table = Table {
            sheet: Some(name.clone()),
            rows: rows.rows,
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
pub(super) fn read_csv(bytes: &[u8], kind: ImportKind) -> Result<Table, ReadError> {
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
    let mut filled = 0usize;
    let mut finish_row = |row: &mut Vec<String>,
                          field: &mut String,
                          rows: &mut Vec<TableRow>,
                          n|
     -> Result<(), ReadError> {
        push_cell(row, normalize(field))?;
        field.clear();
        if row.iter().any(|c| !c.is_empty()) {
            filled += 1;
            if filled > row_limit(kind) {
                return Err(too_many(kind));
            }
        }
        rows.push(TableRow {
            number: n,
            cells: std::mem::take(row),
        });
        Ok(())
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
                push_cell(&mut row, normalize(&field))?;
                field.clear();
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                finish_row(&mut row, &mut field, &mut rows, number)?;
                number += 1;
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        finish_row(&mut row, &mut field, &mut rows, number)?;
    }
    if rows.is_empty() {
        return Err(ReadError::Empty);
    }
    Ok(Table { sheet: None, rows })
}
