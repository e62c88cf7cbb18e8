//! What a workbook claims, checked before calamine reads it.
//!
//! calamine sizes some of its buffers by what a file says: an `.xlsx`'s announced number of
//! shared strings, an `.xls` sheet's DIMENSIONS record, and the span between an `.xls` sheet's
//! first and last cell (it builds each sheet as a dense grid of rows × columns). A claim of
//! billions makes an allocation that fails, and a failed allocation aborts the whole process:
//! no panic to catch, the central gone for every tablet. Found while fuzzing the imports
//! (issue 14): a 5 KB `.xls` whose DIMENSIONS record claims four billion rows made calamine ask
//! for 43 TB, and an `.xlsx` announcing 10^11 strings for 2.4 TB; the process aborted. What no
//! task table or counts sheet claims is refused here as unreadable, before calamine sees it.
//!
//! The `.xls` checks walk the workbook stream's records as calamine does (the sheets at the
//! positions the BoundSheet8 records give, embedded charts skipped), so they see the records
//! calamine would size its buffers by.

use std::io::{Cursor, Read};

use super::ReadError;

/// The most cells a sheet's grid may span, rows × columns between its first and last cell (or
/// as its DIMENSIONS record says): 2 million, some 80 MB of calamine's cells. A task table of a
/// few hundred rows by a dozen columns, or a counts sheet of 100,000 rows by four, is far below.
pub const GRID_LIMIT: u64 = 2_000_000;

/// The most distinct strings an `.xlsx` may announce: a million, some 24 MB reserved. A real
/// sheet's strings are its units, names and links: thousands.
pub const SHARED_STRINGS_LIMIT: u64 = 1_000_000;

/// The longest workbook stream of an `.xls` read for the check: far past the body limit.
const STREAM_LIMIT: u64 = 64 * 1024 * 1024;

/// How far into the shared strings part its opening tag must be.
const SST_HEAD: u64 = 64 * 1024;

fn damaged(why: impl std::fmt::Display) -> ReadError {
    ReadError::Spreadsheet(format!("the file is damaged: {why}"))
}

fn too_large(what: String) -> ReadError {
    ReadError::Spreadsheet(format!(
        "{what}, more than any task table or counts sheet: check that it is the right file"
    ))
}

/// Refuses an `.xlsx` whose shared strings part announces more than [`SHARED_STRINGS_LIMIT`].
/// A file that is no zip at all is left to calamine to explain.
pub(super) fn check_xlsx(bytes: &[u8]) -> Result<(), ReadError> {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    for i in 0..archive.len() {
        let Ok(part) = archive.by_index(i) else {
            continue;
        };
        let shared_strings = part
            .name()
            .is_ok_and(|n| n.to_ascii_lowercase().ends_with("sharedstrings.xml"));
        if !shared_strings {
            continue;
        }
        // What could be read, even when the read then failed: the zip reader checks a part's
        // CRC only at its end, while calamine reserves room as soon as it has read the opening
        // tag. A part with a broken CRC must not hide its claim (found fuzzing: a 4 KB .xlsx
        // announcing 10^11 strings behind a bad CRC still aborted the central).
        let mut head = Vec::new();
        let _ = part.take(SST_HEAD).read_to_end(&mut head);
        if head.is_empty() {
            // Unreadable or empty: calamine refuses it, or has no strings to reserve for.
            continue;
        }
        match announced_strings(&head) {
            Some(n) if n > SHARED_STRINGS_LIMIT => {
                return Err(too_large(format!(
                    "the workbook announces {n} distinct strings"
                )));
            }
            Some(_) => {}
            None if head.len() as u64 >= SST_HEAD => {
                return Err(damaged(
                    "its shared strings do not start as a spreadsheet's do",
                ));
            }
            None => {}
        }
    }
    Ok(())
}

/// The `uniqueCount` of the `<sst …>` opening tag in `head` (any namespace prefix), when the
/// tag is there and has one: what calamine reserves room for.
fn announced_strings(head: &[u8]) -> Option<u64> {
    let mut at = 0;
    while let Some(lt) = head[at..].iter().position(|&b| b == b'<') {
        let start = at + lt + 1;
        let end = start + head[start..].iter().position(|&b| b == b'>')?;
        let tag = &head[start..end];
        let name_end = tag
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'/')
            .unwrap_or(tag.len());
        let name = &tag[..name_end];
        let local = name.rsplit(|&b| b == b':').next().unwrap_or(name);
        if local == b"sst" {
            return Some(unique_count(&tag[name_end..]).unwrap_or(0));
        }
        at = end + 1;
    }
    None
}

/// The number of a `uniqueCount="…"` attribute among `attrs`; past u64, u64::MAX.
fn unique_count(attrs: &[u8]) -> Option<u64> {
    const NAME: &[u8] = b"uniqueCount";
    let at = attrs.windows(NAME.len()).position(|w| w == NAME)?;
    let rest = &attrs[at + NAME.len()..];
    let value = rest
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || matches!(b, b'=' | b'"' | b'\'' | b'+'))
        .take_while(|b| b.is_ascii_digit());
    Some(value.fold(0u64, |n, d| {
        n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
    }))
}

/// Refuses an `.xls` whose sheets claim (by a DIMENSIONS record) or span (by their cells'
/// positions) more than [`GRID_LIMIT`] cells. A file whose compound document or workbook
/// stream cannot be read is refused as damaged: calamine would read nothing useful from it.
pub(super) fn check_xls(bytes: &[u8]) -> Result<(), ReadError> {
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(damaged)?;
    // calamine reads "Workbook", or else "Book" (Excel 5).
    let name = ["/Workbook", "/Book"]
        .into_iter()
        .find(|n| file.is_stream(n))
        .ok_or_else(|| damaged("it holds no workbook"))?;
    let mut stream = Vec::new();
    file.open_stream(name)
        .and_then(|s| s.take(STREAM_LIMIT).read_to_end(&mut stream))
        .map_err(damaged)?;
    check_biff(&stream)
}

/// One BIFF record: its type and its data.
struct Record<'a> {
    typ: u16,
    data: &'a [u8],
}

/// The records of `stream` from its start, as calamine splits them, up to the first that
/// does not fit (where calamine stops with an error).
fn records(mut stream: &[u8]) -> impl Iterator<Item = Record<'_>> {
    std::iter::from_fn(move || {
        if stream.len() < 4 {
            return None;
        }
        let typ = u16::from_le_bytes([stream[0], stream[1]]);
        let len = usize::from(u16::from_le_bytes([stream[2], stream[3]]));
        let (record, rest) = stream.split_at_checked(4 + len)?;
        stream = rest;
        Some(Record {
            typ,
            data: &record[4..],
        })
    })
}

fn u16_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from(u16::from_le_bytes(
        data.get(at..at + 2)?.try_into().ok()?,
    )))
}

fn u32_at(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// The workbook stream's sheets, each checked as calamine will read it.
fn check_biff(stream: &[u8]) -> Result<(), ReadError> {
    // The globals, up to their EOF: where each sheet's records start (BoundSheet8).
    let mut sheets = Vec::new();
    for r in records(stream) {
        match r.typ {
            0x0085 => sheets.extend(u32_at(r.data, 0)),
            0x000A => break,
            _ => {}
        }
    }
    for pos in sheets {
        // A position past the stream is calamine's to refuse (now answered as a damaged file).
        if let Some(sheet) = stream.get(pos as usize..) {
            check_sheet(sheet)?;
        }
    }
    Ok(())
}

/// The rows × columns between the first and last cell seen so far.
#[derive(Default)]
struct Span {
    rows: Option<(u32, u32)>,
    cols: Option<(u32, u32)>,
}

impl Span {
    fn add(&mut self, row: u32, col: u32) {
        let widen =
            |r: Option<(u32, u32)>, v: u32| Some(r.map_or((v, v), |(a, b)| (a.min(v), b.max(v))));
        self.rows = widen(self.rows, row);
        self.cols = widen(self.cols, col);
    }

    fn cells(&self) -> u64 {
        match (self.rows, self.cols) {
            (Some((r0, r1)), Some((c0, c1))) => {
                (u64::from(r1 - r0) + 1).saturating_mul(u64::from(c1 - c0) + 1)
            }
            _ => 0,
        }
    }
}

/// One sheet's records from its BOF to its EOF, as calamine reads them: its DIMENSIONS and
/// the positions of its cells, those of embedded charts (nested BOF … EOF) skipped.
fn check_sheet(sheet: &[u8]) -> Result<(), ReadError> {
    let mut span = Span::default();
    let (mut seen_bof, mut depth) = (false, 0usize);
    for r in records(sheet) {
        if depth > 0 {
            match r.typ {
                0x0809 => depth += 1,
                0x000A => depth -= 1,
                _ => {}
            }
            continue;
        }
        match r.typ {
            0x0809 if seen_bof => depth += 1,
            0x0809 => seen_bof = true,
            0x0200 => check_dimensions(r.data)?,
            // Number, Label, RString, BoolErr, RK, LabelSst, Formula: row, column first.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x027E | 0x00FD | 0x0006 => {
                if let (Some(row), Some(col)) = (u16_at(r.data, 0), u16_at(r.data, 2)) {
                    span.add(row, col);
                }
            }
            // MulRk: a row, its first column, …, its last column.
            0x00BD if r.data.len() >= 6 => {
                if let (Some(row), Some(first), Some(last)) = (
                    u16_at(r.data, 0),
                    u16_at(r.data, 2),
                    u16_at(r.data, r.data.len() - 2),
                ) {
                    span.add(row, first);
                    span.add(row, last);
                }
            }
            0x000A => break,
            _ => {}
        }
    }
    let cells = span.cells();
    if cells > GRID_LIMIT {
        return Err(too_large(format!(
            "a sheet's cells span {cells} cells (rows × columns)"
        )));
    }
    Ok(())
}

/// A DIMENSIONS record as calamine reads it (`parse_dimensions`), and what it reserves for it:
/// rows × columns, where a last row before the first wraps around to billions.
fn check_dimensions(data: &[u8]) -> Result<(), ReadError> {
    let parsed = match data.len() {
        10 => (
            u16_at(data, 0),
            u16_at(data, 2),
            u16_at(data, 4),
            u16_at(data, 6),
        ),
        14 | 16 => (
            u32_at(data, 0),
            u32_at(data, 4),
            u16_at(data, 8),
            u16_at(data, 10),
        ),
        // calamine refuses any other length.
        _ => return Ok(()),
    };
    let (Some(first_row), Some(rows_end), Some(col), Some(cols_end)) = parsed else {
        return Ok(());
    };
    // As calamine: a first column past IV, or after the last, is taken as column A.
    let first_col = if col > 0xFF || cols_end < col { 0 } else { col };
    if rows_end == 0 || cols_end == 0 {
        // calamine takes it as a single cell.
        return Ok(());
    }
    let claimed = if rows_end <= first_row {
        u64::MAX
    } else {
        u64::from(rows_end - first_row).saturating_mul(u64::from(cols_end - first_col))
    };
    if claimed > GRID_LIMIT {
        return Err(too_large(format!(
            "a sheet's DIMENSIONS record claims rows {first_row}..{rows_end} by columns \
             {first_col}..{cols_end}"
        )));
    }
    Ok(())
}
