//! The lottery carriers' winner lists (中奖名单): the .xlsx a carrier's account downloads, with
//! the full numbers of the winners whose prizes that carrier credits or ships, and reading the
//! sheet back when the carrier returns it with 状态 filled in.
//!
//! The returned sheet is matched by its header, not by position: 抽奖编号 names the win, 状态
//! its state (待发放 / 已发放 / 联系不上 / 放弃, or the English codes), 备注 an optional note.
//! A row that cannot be read is reported with its row number and column, and the others are
//! applied (see `fieldpost_central::draw::carriers::apply_returns`).

use std::io::Cursor;

use calamine::{Reader, open_workbook_auto_from_rs};
use chrono::{DateTime, Utc};
use fieldpost_central::draw::WinState;
use fieldpost_central::draw::carriers::{CarrierWinner, ReturnIssue, ReturnIssueCode, ReturnedRow};
use fieldpost_domain::Carrier;
use rust_xlsxwriter::{DataValidation, Format, Workbook, XlsxError};

use crate::export::{china_time, formats, start_sheet};
use crate::import::{cell_text, normalize};

/// The carrier's name as its sheet is titled.
pub fn carrier_name(carrier: Carrier) -> &'static str {
    match carrier {
        Carrier::Telecom => "中国电信",
        Carrier::Mobile => "中国移动",
        Carrier::Unicom => "中国联通",
        Carrier::Other => "其他运营商",
    }
}

/// The columns of the list, in order.
const HEADERS: [(&str, f64); 7] = [
    ("序号", 8.0),
    ("抽奖编号", 10.0),
    ("中奖号码", 16.0),
    ("奖项", 28.0),
    ("发放方式", 12.0),
    ("状态", 12.0),
    ("备注", 30.0),
];

/// A carrier's winner list: title, the headers, one row per winner (the number as text, so
/// no spreadsheet turns it into a float), and a drop-down of the four states in 状态.
pub fn carrier_winners(
    carrier: Carrier,
    winners: &[CarrierWinner],
    at: DateTime<Utc>,
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let mut widths = start_sheet(
        ws,
        &f,
        "中奖名单",
        &format!(
            "{} 线下抽奖中奖名单（导出 {}，请填写状态后交回）",
            carrier_name(carrier),
            china_time(at)
        ),
        &HEADERS,
    )?;
    let text = Format::new().set_num_format("@");
    let mut row = 2u32;
    for w in winners {
        ws.write_number(row, 0, w.seq)?;
        ws.write_number(row, 1, w.entry)?;
        ws.write_string_with_format(row, 2, &w.phone, &text)?;
        widths.text(ws, row, 3, &w.prize)?;
        widths.text(ws, row, 4, w.delivery.chinese())?;
        widths.text(ws, row, 5, w.state.chinese())?;
        widths.text(ws, row, 6, w.note.as_deref().unwrap_or(""))?;
        row += 1;
    }
    if row > 2 {
        let states: Vec<&str> = WinState::ALL.iter().map(|s| s.chinese()).collect();
        let validation = DataValidation::new().allow_list_strings(&states)?;
        ws.add_data_validation(2, 5, row - 1, 5, &validation)?;
    }
    widths.apply(ws)?;
    book.save_to_buffer()
}

/// Why a returned sheet could not be read at all (its rows' problems are [`ReturnIssue`]s).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReturnSheetError {
    /// Not a spreadsheet calamine can open.
    #[error("the file is not a spreadsheet that can be read: {0}")]
    Unreadable(String),
    /// No sheet has a header with 抽奖编号 and 状态.
    #[error("no sheet has a header row with 抽奖编号 and 状态")]
    NoHeader,
}

/// A returned sheet's rows: those read, and those that could not be.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ReturnSheet {
    /// Rows with an entry number and a state.
    pub rows: Vec<ReturnedRow>,
    /// Rows that could not be read, by row number and column.
    pub issues: Vec<ReturnIssue>,
}

/// Columns an Excel sheet has (A to XFD).
const EXCEL_COLUMNS: u32 = 16_384;

/// Which column holds what, by the header's text.
fn column_of(header: &[String], names: &[&str]) -> Option<usize> {
    header.iter().position(|h| {
        let h: String = h.split_whitespace().collect::<String>().to_lowercase();
        names.contains(&h.as_str())
    })
}

/// Reads a carrier's returned sheet (.xlsx, or any workbook calamine opens): the first sheet
/// with a header naming 抽奖编号 and 状态; blank rows are skipped.
pub fn read_returns(bytes: &[u8]) -> Result<ReturnSheet, ReturnSheetError> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| ReturnSheetError::Unreadable(e.to_string()))?;
    for name in book.sheet_names() {
        let range = book
            .worksheet_range(&name)
            .map_err(|e| ReturnSheetError::Unreadable(e.to_string()))?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        // A crafted file places cells wherever a reference can (issue 14): row numbers run
        // to u32::MAX, where counting on from the first row overflowed, and a start past
        // Excel's last column (XFD) would pad every row with that many empty cells.
        if col0 >= EXCEL_COLUMNS {
            return Err(ReturnSheetError::Unreadable(format!(
                "sheet {name}: a cell lies beyond Excel's last column (XFD)"
            )));
        }
        let rows: Vec<(u32, Vec<String>)> = range
            .rows()
            .enumerate()
            .map(|(i, cells)| {
                let number = u32::try_from(i)
                    .ok()
                    .and_then(|i| row0.checked_add(i)?.checked_add(1))
                    .unwrap_or(u32::MAX);
                let mut text = vec![String::new(); col0 as usize];
                text.extend(cells.iter().map(cell_text));
                (number, text)
            })
            .collect();
        let header = rows.iter().enumerate().find_map(|(i, (_, cells))| {
            let entry = column_of(cells, &["抽奖编号", "编号", "中奖编号", "entry"])?;
            let state = column_of(cells, &["状态", "发放状态", "state"])?;
            Some((i, entry, state, column_of(cells, &["备注", "note"])))
        });
        let Some((at, entry_col, state_col, note_col)) = header else {
            continue;
        };
        let mut sheet = ReturnSheet::default();
        for (number, cells) in &rows[at + 1..] {
            if cells.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            let cell = |i: usize| cells.get(i).map(|c| normalize(c)).unwrap_or_default();
            let issue = |field: &str, code, value: &str, reason: String| ReturnIssue {
                row: *number,
                field: field.to_owned(),
                code,
                value: (!value.is_empty()).then(|| value.to_owned()),
                reason,
            };
            let entry_text = cell(entry_col);
            let entry = match entry_text.parse::<u32>() {
                Ok(n) if n >= 1 => n,
                _ if entry_text.is_empty() => {
                    sheet.issues.push(issue(
                        "entry",
                        ReturnIssueCode::EntryMissing,
                        "",
                        "抽奖编号 is empty".into(),
                    ));
                    continue;
                }
                _ => {
                    sheet.issues.push(issue(
                        "entry",
                        ReturnIssueCode::EntryInvalid,
                        &entry_text,
                        format!("抽奖编号 {entry_text:?} is not an entry number"),
                    ));
                    continue;
                }
            };
            let state_text = cell(state_col);
            let Some(state) = WinState::from_text(&state_text) else {
                sheet.issues.push(if state_text.is_empty() {
                    issue(
                        "state",
                        ReturnIssueCode::StateMissing,
                        "",
                        "状态 is empty: fill in 待发放, 已发放, 联系不上 or 放弃".into(),
                    )
                } else {
                    issue(
                        "state",
                        ReturnIssueCode::StateInvalid,
                        &state_text,
                        format!("状态 {state_text:?} is not 待发放, 已发放, 联系不上 or 放弃"),
                    )
                });
                continue;
            };
            let note = note_col.map(cell).filter(|n| !n.is_empty());
            sheet.rows.push(ReturnedRow {
                row: *number,
                entry,
                state,
                note,
            });
        }
        return Ok(sheet);
    }
    Err(ReturnSheetError::NoHeader)
}

#[cfg(test)]
mod tests {
    use super::*;
    use fieldpost_central::draw::Delivery;

    fn winners() -> Vec<CarrierWinner> {
        vec![
            CarrierWinner {
                seq: 1,
                entry: 7,
                phone: "13800138000".into(),
                prize: "联通 70G 流量卡".into(),
                delivery: Delivery::Shipped,
                state: WinState::Pending,
                note: None,
            },
            CarrierWinner {
                seq: 2,
                entry: 12,
                phone: "18600186000".into(),
                prize: "联通 70G 流量卡".into(),
                delivery: Delivery::Shipped,
                state: WinState::Pending,
                note: Some("周末联系".into()),
            },
        ]
    }

    /// The cells of the first sheet, as text.
    fn cells(bytes: &[u8]) -> Vec<Vec<String>> {
        let mut book = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())).unwrap();
        let name = book.sheet_names()[0].clone();
        let range = book.worksheet_range(&name).unwrap();
        range
            .rows()
            .map(|r| r.iter().map(cell_text).collect())
            .collect()
    }

    /// Issue 14: a crafted sheet whose rows sit at the last row numbers a cell reference can
    /// hold made the row count (`row0 + 1..`) overflow past u32::MAX.
    #[test]
    fn rows_at_the_last_row_numbers_there_are_do_not_overflow() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let ws = book.add_worksheet();
        ws.write_string(0, 0, "抽奖编号").unwrap();
        ws.write_string(0, 1, "状态").unwrap();
        ws.write_string(1, 0, "7").unwrap();
        ws.write_string(1, 1, "已发放").unwrap();
        let plain = book.save_to_buffer().unwrap();
        let crafted = crate::crafted::with_sheet_xml(&plain, |xml| {
            xml.replace("\"A1:B2\"", "\"A4294967294:B4294967295\"")
                .replace("r=\"1\"", "r=\"4294967294\"")
                .replace("r=\"2\"", "r=\"4294967295\"")
                .replace("r=\"A1\"", "r=\"A4294967294\"")
                .replace("r=\"B1\"", "r=\"B4294967294\"")
                .replace("r=\"A2\"", "r=\"A4294967295\"")
                .replace("r=\"B2\"", "r=\"B4294967295\"")
        });
        assert_ne!(crafted, plain, "the positions were rewritten");
        let sheet = read_returns(&crafted).expect("read, not a panic");
        assert_eq!(
            sheet.rows.len(),
            1,
            "the one row under the header: {sheet:?}"
        );
        assert_eq!(sheet.rows[0].entry, 7);

        // Past Excel's last column (XFD), each row would be padded with that many cells.
        let far_right = crate::crafted::with_sheet_xml(&plain, |xml| {
            xml.replace("\"A1:B2\"", "\"XFE1:XFF2\"")
                .replace("r=\"A1\"", "r=\"XFE1\"")
                .replace("r=\"B1\"", "r=\"XFF1\"")
                .replace("r=\"A2\"", "r=\"XFE2\"")
                .replace("r=\"B2\"", "r=\"XFF2\"")
        });
        assert!(
            matches!(read_returns(&far_right), Err(ReturnSheetError::Unreadable(m)) if m.contains("XFD")),
            "a sheet starting past XFD is refused"
        );
    }

    #[test]
    fn the_list_has_the_full_numbers_as_text_under_chinese_headers() {
        let bytes = carrier_winners(Carrier::Unicom, &winners(), Utc::now()).unwrap();
        let rows = cells(&bytes);
        assert!(rows[0][0].contains("中国联通"), "titled with the carrier");
        assert_eq!(
            rows[1],
            [
                "序号",
                "抽奖编号",
                "中奖号码",
                "奖项",
                "发放方式",
                "状态",
                "备注"
            ],
            "the agreed columns"
        );
        assert_eq!(rows[2][2], "13800138000", "the full number, as text");
        assert_eq!(rows[3][5], "待发放", "the state in Chinese");
        assert_eq!(rows[3][6], "周末联系");
    }

    #[test]
    fn a_returned_list_is_read_back_and_bad_rows_are_named() {
        let mut back = winners();
        back[0].state = WinState::Delivered;
        back.push(CarrierWinner {
            seq: 3,
            entry: 0,
            phone: "x".into(),
            prize: "x".into(),
            delivery: Delivery::Shipped,
            state: WinState::Pending,
            note: None,
        });
        let bytes = carrier_winners(Carrier::Unicom, &back, Utc::now()).unwrap();
        let sheet = read_returns(&bytes).unwrap();
        assert_eq!(sheet.rows.len(), 2, "the two good rows are read");
        assert_eq!(sheet.rows[0].state, WinState::Delivered);
        assert_eq!(sheet.rows[0].row, 3, "the row number Excel shows");
        assert_eq!(sheet.rows[1].note.as_deref(), Some("周末联系"));
        assert_eq!(sheet.issues.len(), 1, "entry 0 is no entry: {sheet:?}");
        assert_eq!(sheet.issues[0].row, 5);
        assert_eq!(sheet.issues[0].field, "entry");
        assert_eq!(
            (sheet.issues[0].code, sheet.issues[0].value.as_deref()),
            (ReturnIssueCode::EntryInvalid, Some("0")),
            "the code and the cell, for the console's own words"
        );
    }

    #[test]
    fn states_are_read_as_people_write_them() {
        for (text, state) in [
            ("已发放", WinState::Delivered),
            (" 联系不上 ", WinState::Unreachable),
            ("放弃", WinState::Declined),
            ("Pending", WinState::Pending),
        ] {
            assert_eq!(WinState::from_text(text), Some(state), "{text}");
        }
        assert_eq!(WinState::from_text("不知道"), None);
    }

    #[test]
    fn a_file_that_is_no_spreadsheet_or_has_no_header_is_refused() {
        assert!(matches!(
            read_returns(b"not a spreadsheet"),
            Err(ReturnSheetError::Unreadable(_))
        ));
        let mut book = Workbook::new();
        book.add_worksheet().write_string(0, 0, "随便").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert_eq!(read_returns(&bytes), Err(ReturnSheetError::NoHeader));
    }
}
