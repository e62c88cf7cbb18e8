//! The daily collection counts: per unit and day the questionnaires collected, long (a row per
//! unit and day) or wide (a row per unit, a column per day).

use std::collections::HashMap;

use chrono::NaiveDate;
use fieldpost_domain::{Unit, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::RowIssueCode;
use super::header::{Field, column_letter};
use super::parse::{name_key, parse_day, read_count};
use super::preview::{Preview, RowIssue, preview_rows};
use super::{ImportKind, Table};

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

/// Checks a daily-counts sheet against the stored units: long (单位, 日期, 采集量 per row) or
/// wide (单位 and one column per day). `year` completes dates written without one (8月3日).
pub fn preview_counts(table: &Table, units: &[Unit], year: Option<i32>) -> Preview<CountRow> {
    let by_name: HashMap<String, &Unit> = units.iter().map(|u| (name_key(&u.name), u)).collect();
    let mut first_row_of: HashMap<(UnitId, NaiveDate), u32> = HashMap::new();
    preview_rows(table, ImportKind::Counts, year, |p, r| {
        let (name, name_col) = r.cell(Field::Unit);
        let unit = by_name.get(&name_key(name)).copied();
        if name.is_empty() {
            p.report(r.issue(
                name_col,
                Field::Unit,
                name,
                RowIssueCode::MissingValue,
                "the unit's name is missing".into(),
            ));
            return;
        }
        let Some(unit) = unit else {
            p.report(r.issue(
                name_col,
                Field::Unit,
                name,
                RowIssueCode::UnknownUnit,
                format!("no unit named {name}: import the task table first, or fix the name"),
            ));
            return;
        };
        // (day, count as written, its column) per value on the row.
        let mut values: Vec<(NaiveDate, String, Option<String>)> = Vec::new();
        if r.header.days.is_empty() {
            let (day_text, day_col) = r.cell(Field::Date);
            let (count_text, count_col) = r.cell(Field::Count);
            let Some(day) = parse_day(day_text, year) else {
                p.report(if day_text.is_empty() {
                    r.issue(
                        day_col,
                        Field::Date,
                        day_text,
                        RowIssueCode::MissingValue,
                        "the date is missing".into(),
                    )
                } else {
                    r.issue(
                        day_col,
                        Field::Date,
                        day_text,
                        RowIssueCode::BadDate,
                        format!("{day_text:?} is not a date"),
                    )
                });
                return;
            };
            values.push((day, count_text.to_owned(), count_col));
        } else {
            for (i, d) in &r.header.days {
                let text = r.row.cells.get(*i).cloned().unwrap_or_default();
                if !text.is_empty() {
                    values.push((*d, text, Some(column_letter(*i))));
                }
            }
        }
        for (day, count_text, count_col) in values {
            let count = match read_count(&count_text) {
                Ok(n) => n,
                Err(e) => {
                    p.report(r.count_issue(count_col, Field::Count, &count_text, e, "the count"));
                    continue;
                }
            };
            if let Some(first) = first_row_of.get(&(unit.id, day)) {
                p.report(r.issue(
                    count_col,
                    Field::Date,
                    &day.to_string(),
                    RowIssueCode::DuplicateDay,
                    format!("{} on {day} is already on row {first}", unit.name),
                ));
                continue;
            }
            first_row_of.insert((unit.id, day), r.row.number);
            p.rows.push(CountRow {
                row: r.row.number,
                unit: name.to_owned(),
                unit_id: unit.id,
                day,
                count,
            });
        }
    })
}

/// Moves the rows dated outside the campaign's collection days (`first..=last`, China time)
/// from the rows to apply into the problems: questionnaires are collected only in the window,
/// so such a count is a wrong date in the sheet. The central refuses them on apply too.
pub fn hold_to_collection_days(p: &mut Preview<CountRow>, first: NaiveDate, last: NaiveDate) {
    let rows = std::mem::take(&mut p.rows);
    let mut added = false;
    for row in rows {
        if (first..=last).contains(&row.day) {
            p.rows.push(row);
            continue;
        }
        p.report(RowIssue {
            row: row.row,
            column: None,
            field: "date".into(),
            value: row.day.to_string(),
            code: RowIssueCode::OutsideCollection,
            reason: format!(
                "{} is outside the collection window ({first} to {last})",
                row.day
            ),
        });
        added = true;
    }
    if added {
        // The problems stay in sheet order.
        p.errors.sort_by_key(|e| e.row);
    }
}
