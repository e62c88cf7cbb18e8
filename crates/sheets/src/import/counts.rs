//! The daily collection counts: per unit and day the questionnaires collected, long (a row per
//! unit and day) or wide (a row per unit, a column per day).

use std::collections::HashMap;

use chrono::NaiveDate;
use fieldpost_domain::{Unit, UnitId};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::header::{Field, column_letter, map_header};
use super::parse::{name_key, parse_count, parse_day};
use super::preview::{Preview, SkipReason, SkippedRow, cell, is_total, issue};
use super::{ImportKind, Table, is_blank};

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
