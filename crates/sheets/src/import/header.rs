//! The header row: which row it is, what each of its cells means (a [`Field`]), and the
//! column letters the secretariat sees.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::parse::parse_day;
use super::preview::{Preview, RowIssue, RowIssueCode, SkipReason};
use super::{ImportKind, Table, is_blank};

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
    /// 联系人, and its kin (联系电话, 手机, 联系方式): several such columns are joined.
    Contact,
    /// 日期.
    Date,
    /// 采集量.
    Count,
    /// A column known to carry nothing to import (序号, 备注, a 合计 column).
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
            "二维码链接",
            "短链接",
            "链接地址",
            "问卷地址",
            "网址",
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
            "联系人姓名",
            "联系人手机",
            "联络人",
            "联络员",
            "负责人",
            "负责人电话",
            "手机",
            "手机号",
            "手机号码",
            "电话",
            "电话号码",
            "办公电话",
            "contact",
            "phone",
            "tel",
            "mobile",
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
            "序号",
            "编号",
            "no",
            "no.",
            "#",
            "备注",
            "说明",
            "remark",
            "remarks",
            "note",
            "notes",
            "合计",
            "总计",
            "小计",
            "累计",
            "累计采集量",
            "total",
            "sum",
        ],
    ),
];

/// A header cell reduced for matching: lowercase, no spaces, no `*`, no bracketed note
/// (`采集任务（份）` → `采集任务`).
pub(super) fn header_key(s: &str) -> String {
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

/// The field a header cell names, if any.
pub(super) fn field_of(header: &str) -> Option<Field> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    SYNONYMS
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(f, _)| *f)
}

/// The fields a sheet of `kind` has columns for.
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

/// The header row: the first row (among the first 30) where at least two cells map to a
/// field of `kind` and one of them is the unit. Rows above it are title rows.
pub(super) fn find_header(table: &Table, kind: ImportKind) -> Option<usize> {
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

/// The header row as mapped: where it is and which column holds what.
pub(super) struct Header {
    /// Its index in the table's rows.
    pub(super) index: usize,
    /// Its spreadsheet row number.
    pub(super) number: u32,
    /// The columns mapped to a field, by index.
    pub(super) fields: BTreeMap<usize, Field>,
    /// Day columns of a wide count sheet.
    pub(super) days: BTreeMap<usize, NaiveDate>,
}

impl Header {
    /// The indexes of the columns of `field`, in order.
    pub(super) fn columns_of(&self, field: Field) -> impl Iterator<Item = usize> + '_ {
        self.fields
            .iter()
            .filter(move |(_, f)| **f == field)
            .map(|(i, _)| *i)
    }
}

/// Finds the header row of `table` and maps its cells, recording in `preview` how each was
/// understood, the header's problems and the title rows above it. `None` when there is no
/// header row or it lacks a column the sheet needs; `year` completes day headers written
/// without one.
pub(super) fn map_header<T>(
    table: &Table,
    kind: ImportKind,
    year: Option<i32>,
    preview: &mut Preview<T>,
) -> Option<Header> {
    let Some(index) = find_header(table, kind) else {
        preview.report(RowIssue {
            row: table.rows.first().map_or(1, |r| r.number),
            column: None,
            field: "header".into(),
            value: String::new(),
            code: RowIssueCode::NoHeader,
            reason: "no header row found: expected a row with columns such as 单位 and 采集任务"
                .into(),
        });
        return None;
    };
    let row = &table.rows[index];
    let wanted = fields_of(kind);
    let mut fields = BTreeMap::new();
    let mut days = BTreeMap::new();
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
            // A second column of the same meaning is kept: contacts are joined, other values
            // read from the first filled column (and two that disagree are a row's problem).
            (Some(f), _) => {
                fields.insert(i, f);
                Some(f.as_str().to_owned())
            }
            (None, Some(d)) => {
                days.insert(i, d);
                Some(format!("day:{d}"))
            }
            (None, None) => {
                preview.report(RowIssue {
                    row: row.number,
                    column: Some(column.clone()),
                    field: "header".into(),
                    value: header.clone(),
                    code: RowIssueCode::UnknownHeader,
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
            preview.report(RowIssue {
                row: row.number,
                column: None,
                field: f.as_str().into(),
                value: String::new(),
                code: RowIssueCode::MissingColumn,
                reason: format!("the sheet has no {} column", f.as_str()),
            });
        }
    }
    for r in &table.rows[..index] {
        preview.skip(
            r.number,
            if is_blank(r) {
                SkipReason::Blank
            } else {
                SkipReason::Title
            },
        );
    }
    complete.then_some(Header {
        index,
        number: row.number,
        fields,
        days,
    })
}
