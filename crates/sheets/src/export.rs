//! Exports to Excel (`.xlsx`, rust_xlsxwriter) with Chinese headers, as the secretariat
//! publishes and files them: the collection bulletin (采集数据通报), the handout ledger
//! (派送台账), volunteer hours (志愿服务时长) and the plan assessment (活动考核, 按采集量考核).
//!
//! Each builder takes the records it needs and returns the workbook's bytes, so tests read
//! them back with calamine without a server. Times are shown in China time, written as real
//! Excel dates and datetimes (numbers with a date format: they sort, filter and compute);
//! every column is made wide enough for its header and its longest text, a CJK character
//! counting double.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveDateTime, Timelike, Utc};
use fieldpost_domain::{ActivityPlan, Item, ItemId, PlanId, PlanStatus, Unit, UnitId};
use rust_xlsxwriter::{
    ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};
use serde::Serialize;

use fieldpost_central::bulletin::Bulletin;
use fieldpost_central::records::{DailyCount, HandoutLine, SessionRecord};

/// The `Content-Type` of an `.xlsx` file.
pub const XLSX_MIME: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// China Standard Time (UTC+8), fixed at compile time.
const CHINA: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

/// A moment as the secretariat reads it: `2022-08-06 09:30`, China time.
pub fn china_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&CHINA).format("%Y-%m-%d %H:%M").to_string()
}

/// The China-time calendar day of a moment.
pub fn china_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&CHINA).date_naive()
}

pub(crate) struct Formats {
    title: Format,
    header: Format,
    percent: Format,
    total: Format,
    total_percent: Format,
    /// A China-time moment: `2022-08-06 09:30`.
    datetime: Format,
    /// A day: `2022-08-06`.
    date: Format,
}

pub(crate) fn formats() -> Formats {
    let header = Format::new()
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_border(FormatBorder::Thin)
        .set_background_color("#DDEBF7");
    Formats {
        title: Format::new()
            .set_bold()
            .set_font_size(16)
            .set_align(FormatAlign::Center),
        header,
        percent: Format::new().set_num_format("0.00%"),
        total: Format::new().set_bold(),
        total_percent: Format::new().set_bold().set_num_format("0.00%"),
        datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        date: Format::new().set_num_format("yyyy-mm-dd"),
    }
}

/// How wide a text shows in a column, in Excel's width units (the width of a `0`): a CJK or
/// other full-width character counts double.
pub fn display_width(text: &str) -> f64 {
    text.lines()
        .map(|line| {
            line.chars()
                .map(|c| if is_wide(c) { 2.0 } else { 1.0 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
}

/// Whether a character takes two columns: CJK ideographs and punctuation, kana, hangul,
/// full-width forms.
fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F
        | 0x2E80..=0x303E
        | 0x3041..=0x33FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF
        | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F
        | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6
        | 0x20000..=0x3FFFD)
}

/// The widest a column is made, so that one long remark does not push the rest off screen
/// (its text wraps in the cell instead of being cut).
const MAX_WIDTH: f64 = 60.0;

/// Column widths that fit what is written: at least the width asked for, the header's and
/// every noted text's, plus a margin; set on the sheet by [`ColumnWidths::apply`].
pub(crate) struct ColumnWidths(Vec<f64>);

impl ColumnWidths {
    /// Notes a text written in column `col`.
    pub(crate) fn note(&mut self, col: u16, text: &str) {
        let want = (display_width(text) + 2.0).min(MAX_WIDTH);
        let i = usize::from(col);
        if self.0.len() <= i {
            self.0.resize(i + 1, 0.0);
        }
        if self.0[i] < want {
            self.0[i] = want;
        }
    }

    /// Writes a text in `row`, `col` and notes its width.
    pub(crate) fn text(
        &mut self,
        ws: &mut Worksheet,
        row: u32,
        col: u16,
        text: &str,
    ) -> Result<(), XlsxError> {
        self.note(col, text);
        ws.write_string(row, col, text)?;
        Ok(())
    }

    /// Sets the widths on the sheet.
    pub(crate) fn apply(&self, ws: &mut Worksheet) -> Result<(), XlsxError> {
        for (col, width) in (0u16..).zip(&self.0) {
            ws.set_column_width(col, *width)?;
        }
        Ok(())
    }
}

/// A China-time moment as an Excel datetime.
fn excel_time(t: DateTime<Utc>) -> Result<ExcelDateTime, XlsxError> {
    let local: NaiveDateTime = t.with_timezone(&CHINA).naive_local();
    excel_day(local.date())?.and_hms(
        u16::try_from(local.hour()).unwrap_or(0),
        u8::try_from(local.minute()).unwrap_or(0),
        f64::from(local.second()),
    )
}

/// A day as an Excel date.
fn excel_day(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    // Month and day always fit a u8; a year outside Excel's 1900..9999 is refused by it.
    ExcelDateTime::from_ymd(
        u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?,
        u8::try_from(d.month()).unwrap_or(1),
        u8::try_from(d.day()).unwrap_or(1),
    )
}

/// Writes a China-time moment as a datetime cell (`2022-08-06 09:30`).
pub(crate) fn write_time(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    col: u16,
    t: DateTime<Utc>,
) -> Result<(), XlsxError> {
    ws.write_datetime_with_format(row, col, excel_time(t)?, &f.datetime)?;
    Ok(())
}

/// Writes a day as a date cell (`2022-08-06`).
pub(crate) fn write_day(
    ws: &mut Worksheet,
    f: &Formats,
    row: u32,
    col: u16,
    d: NaiveDate,
) -> Result<(), XlsxError> {
    ws.write_datetime_with_format(row, col, excel_day(d)?, &f.date)?;
    Ok(())
}

/// Writes a merged title on row 0 and the headers on row 1, freezes them, and returns the
/// column widths so far: each at least its asked width and its header's. The caller notes
/// its texts and applies the widths when the sheet is written.
pub(crate) fn start_sheet(
    ws: &mut Worksheet,
    f: &Formats,
    name: &str,
    title: &str,
    headers: &[(&str, f64)],
) -> Result<ColumnWidths, XlsxError> {
    ws.set_name(name)?;
    let last = u16::try_from(headers.len().saturating_sub(1)).unwrap_or(0);
    if last > 0 {
        ws.merge_range(0, 0, 0, last, title, &f.title)?;
    } else {
        ws.write_string_with_format(0, 0, title, &f.title)?;
    }
    ws.set_row_height(0, 28)?;
    let mut widths = ColumnWidths(headers.iter().map(|(_, w)| *w).collect());
    for (col, (text, _)) in (0u16..).zip(headers) {
        ws.write_string_with_format(1, col, *text, &f.header)?;
        // The header is bold and boxed: a little more room than its text.
        widths.note(col, &format!("{text}  "));
    }
    widths.apply(ws)?;
    ws.set_freeze_panes(2, 0)?;
    Ok(widths)
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The collection bulletin (采集数据通报), live or as published: per unit (by completion
/// rate, then count) its two ranks, section, quota, total and completion rate, then its count
/// on each collection day (the daily increments), with a total row; a second sheet rolls up by
/// section.
pub fn bulletin(b: &Bulletin) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let when = match b.published_at {
        Some(at) => format!("{} 发布", china_time(at)),
        None => format!("截至 {}", china_time(b.drawn_at)),
    };
    let day_headers: Vec<String> = b
        .days
        .iter()
        .map(|d| format!("{}月{}日", d.month(), d.day()))
        .collect();
    let mut headers: Vec<(&str, f64)> = vec![
        ("完成率排名", 10.0),
        ("采集量排名", 10.0),
        ("单位", 40.0),
        ("版块", 16.0),
        ("采集任务", 12.0),
        ("采集量", 12.0),
        ("完成率", 12.0),
    ];
    headers.extend(day_headers.iter().map(|h| (h.as_str(), 10.0)));
    let mut w = start_sheet(
        ws,
        &f,
        "采集数据通报",
        &format!("{} 采集数据通报（{}，{}）", b.campaign_name, b.day, when),
        &headers,
    )?;
    let mut row = 2u32;
    for u in &b.units {
        ws.write_number(row, 0, u.rank_by_rate)?;
        ws.write_number(row, 1, u.rank_by_count)?;
        w.text(ws, row, 2, &u.unit_name)?;
        w.text(ws, row, 3, &u.section_name)?;
        ws.write_number(row, 4, u.quota)?;
        ws.write_number(row, 5, u.collected as f64)?;
        ws.write_number_with_format(row, 6, ratio(u.collected, u.quota.into()), &f.percent)?;
        for (col, n) in (7u16..).zip(&u.daily) {
            ws.write_number(row, col, *n)?;
        }
        row += 1;
    }
    ws.write_string_with_format(row, 2, "合计", &f.total)?;
    ws.write_number_with_format(row, 4, b.quota as f64, &f.total)?;
    ws.write_number_with_format(row, 5, b.collected as f64, &f.total)?;
    ws.write_number_with_format(row, 6, ratio(b.collected, b.quota), &f.total_percent)?;
    for (col, n) in (7u16..).zip(&b.daily_totals) {
        ws.write_number_with_format(row, col, *n as f64, &f.total)?;
    }
    row += 1;
    ws.write_string(row, 2, "采集目标")?;
    ws.write_number(row, 4, b.target as f64)?;
    ws.write_number(row, 5, b.collected as f64)?;
    ws.write_number_with_format(row, 6, ratio(b.collected, b.target), &f.percent)?;
    w.apply(ws)?;

    // Sections in the order their first unit appears in the bulletin.
    let mut sections: Vec<(&str, u32, u64, u64)> = Vec::new();
    for u in &b.units {
        let i = match sections.iter().position(|s| s.0 == u.section_name) {
            Some(i) => i,
            None => {
                sections.push((u.section_name.as_str(), 0, 0, 0));
                sections.len() - 1
            }
        };
        sections[i].1 += 1;
        sections[i].2 += u64::from(u.quota);
        sections[i].3 += u.collected;
    }
    let ws = book.add_worksheet();
    let mut w = start_sheet(
        ws,
        &f,
        "版块汇总",
        "各版块采集情况",
        &[
            ("版块", 20.0),
            ("单位数", 10.0),
            ("采集任务", 12.0),
            ("采集量", 12.0),
            ("完成率", 12.0),
        ],
    )?;
    for (row, (name, units, quota, collected)) in (2u32..).zip(&sections) {
        w.text(ws, row, 0, name)?;
        ws.write_number(row, 1, *units)?;
        ws.write_number(row, 2, *quota as f64)?;
        ws.write_number(row, 3, *collected as f64)?;
        ws.write_number_with_format(row, 4, ratio(*collected, *quota), &f.percent)?;
    }
    w.apply(ws)?;
    book.save_to_buffer()
}

/// Names for ids, for readable exports.
#[derive(Debug, Default)]
pub struct Names {
    units: HashMap<UnitId, String>,
    items: HashMap<ItemId, (String, String)>,
    plans: HashMap<PlanId, String>,
}

impl Names {
    /// From the records the exports name.
    pub fn new(units: &[Unit], items: &[Item], plans: &[ActivityPlan]) -> Names {
        Names {
            units: units.iter().map(|u| (u.id, u.name.clone())).collect(),
            items: items
                .iter()
                .map(|i| (i.id, (i.name.clone(), i.unit_label.clone())))
                .collect(),
            plans: plans.iter().map(|p| (p.id, p.title.clone())).collect(),
        }
    }

    fn unit(&self, id: UnitId) -> String {
        self.units
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }

    fn item(&self, id: ItemId) -> String {
        self.items
            .get(&id)
            .map(|(n, _)| n.clone())
            .unwrap_or_else(|| id.to_string())
    }

    fn plan(&self, id: PlanId) -> String {
        self.plans
            .get(&id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

/// The handout ledger: every handout, voided ones marked, with the part beyond the grant.
pub fn handout_ledger(lines: &[HandoutLine], names: &Names) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let mut w = start_sheet(
        ws,
        &f,
        "派送台账",
        "宣传品派送台账",
        &[
            ("派送时间", 18.0),
            ("单位", 34.0),
            ("活动", 30.0),
            ("设备", 16.0),
            ("宣传品", 18.0),
            ("数量", 8.0),
            ("配额内", 8.0),
            ("超出配额", 10.0),
            ("超额原因", 24.0),
            ("状态", 8.0),
            ("作废原因", 20.0),
        ],
    )?;
    for (row, h) in (2u32..).zip(lines) {
        write_time(ws, &f, row, 0, h.handed_out_at)?;
        w.text(ws, row, 1, &names.unit(h.unit_id))?;
        w.text(ws, row, 2, &names.plan(h.plan_id))?;
        w.text(ws, row, 3, &h.device_name)?;
        w.text(ws, row, 4, &names.item(h.item_id))?;
        ws.write_number(row, 5, h.quantity)?;
        ws.write_number(row, 6, h.backed)?;
        ws.write_number(row, 7, h.quantity - h.backed.min(h.quantity))?;
        w.text(ws, row, 8, h.over_grant_reason.as_deref().unwrap_or(""))?;
        w.text(
            ws,
            row,
            9,
            if h.voided_at.is_some() {
                "已作废"
            } else {
                "有效"
            },
        )?;
        w.text(ws, row, 10, h.void_reason.as_deref().unwrap_or(""))?;
    }
    w.apply(ws)?;
    book.save_to_buffer()
}

/// One volunteer's total service.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VolunteerTotal {
    /// Name.
    pub name: String,
    /// i志愿 id.
    pub ivolunteer_id: Option<String>,
    /// The units they served with, joined with 、.
    pub units: String,
    /// Sessions checked into.
    pub sessions: u32,
    /// Whole minutes of completed check-ins.
    pub minutes: u64,
    /// Check-ins still open (no check-out): counted as sessions, not as time.
    pub open_check_ins: u32,
}

/// Totals per volunteer (by i志愿 id when known, else by name), by name.
pub fn volunteer_totals(sessions: &[SessionRecord], names: &Names) -> Vec<VolunteerTotal> {
    let mut by: BTreeMap<String, VolunteerTotal> = BTreeMap::new();
    for s in sessions {
        for v in &s.volunteers {
            let key = v
                .ivolunteer_id
                .clone()
                .filter(|i| !i.trim().is_empty())
                .unwrap_or_else(|| format!("name:{}", v.volunteer_name));
            let unit = names.unit(s.unit_id);
            let t = by.entry(key).or_insert_with(|| VolunteerTotal {
                name: v.volunteer_name.clone(),
                ivolunteer_id: v.ivolunteer_id.clone(),
                units: String::new(),
                sessions: 0,
                minutes: 0,
                open_check_ins: 0,
            });
            if !t.units.split('、').any(|u| u == unit) {
                if !t.units.is_empty() {
                    t.units.push('、');
                }
                t.units.push_str(&unit);
            }
            t.sessions += 1;
            match v.minutes {
                Some(m) => t.minutes += m,
                None => t.open_check_ins += 1,
            }
        }
    }
    let mut out: Vec<VolunteerTotal> = by.into_values().collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// Volunteer hours: a total per volunteer, and every check-in on a second sheet.
pub fn volunteer_hours(sessions: &[SessionRecord], names: &Names) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let mut w = start_sheet(
        ws,
        &f,
        "志愿服务时长",
        "志愿服务时长汇总",
        &[
            ("姓名", 14.0),
            ("i志愿编号", 18.0),
            ("服务单位", 36.0),
            ("场次", 8.0),
            ("服务时长（小时）", 16.0),
            ("服务时长（分钟）", 16.0),
            ("未签退", 8.0),
        ],
    )?;
    let hours = Format::new().set_num_format("0.00");
    for (row, v) in (2u32..).zip(volunteer_totals(sessions, names)) {
        w.text(ws, row, 0, &v.name)?;
        w.text(ws, row, 1, v.ivolunteer_id.as_deref().unwrap_or(""))?;
        w.text(ws, row, 2, &v.units)?;
        ws.write_number(row, 3, v.sessions)?;
        ws.write_number_with_format(row, 4, v.minutes as f64 / 60.0, &hours)?;
        ws.write_number(row, 5, v.minutes as f64)?;
        ws.write_number(row, 6, v.open_check_ins)?;
    }
    w.apply(ws)?;
    let ws = book.add_worksheet();
    let mut w = start_sheet(
        ws,
        &f,
        "签到明细",
        "志愿者签到签退明细",
        &[
            ("姓名", 14.0),
            ("i志愿编号", 18.0),
            ("单位", 36.0),
            ("站点", 24.0),
            ("签到", 18.0),
            ("签退", 18.0),
            ("分钟", 8.0),
        ],
    )?;
    let mut row = 2u32;
    for s in sessions {
        for v in &s.volunteers {
            w.text(ws, row, 0, &v.volunteer_name)?;
            w.text(ws, row, 1, v.ivolunteer_id.as_deref().unwrap_or(""))?;
            w.text(ws, row, 2, &names.unit(s.unit_id))?;
            w.text(ws, row, 3, &s.session.station)?;
            write_time(ws, &f, row, 4, v.checked_in_at)?;
            if let Some(out) = v.checked_out_at {
                write_time(ws, &f, row, 5, out)?;
            }
            if let Some(m) = v.minutes {
                ws.write_number(row, 6, m as f64)?;
            }
            row += 1;
        }
    }
    w.apply(ws)?;
    book.save_to_buffer()
}

/// A plan assessed against collection volume (按采集量考核).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlanAssessment {
    /// The plan.
    pub plan_id: PlanId,
    /// Its unit.
    pub unit_id: UnitId,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: PlanStatus,
    /// First China-time day of its window.
    pub first_day: NaiveDate,
    /// Last China-time day of its window.
    pub last_day: NaiveDate,
    /// Items handed out under it (not voided, exceptions included), per item.
    pub handed_out: BTreeMap<ItemId, u64>,
    /// All items handed out.
    pub handed_out_total: u64,
    /// Questionnaires collected by its unit on the days of its window that no earlier plan of
    /// the unit already counted: where a unit's plans overlap, a shared day is counted once,
    /// for the plan that started first, so the plans' figures add up to the unit's.
    pub collected_in_window: u64,
    /// Questionnaires per item handed out (0 when nothing was handed out).
    pub questionnaires_per_item: f64,
}

/// Assesses every approved or closed plan: items handed out against the questionnaires its
/// unit collected during its window (the China-time days from its start to its end). A day
/// covered by several of a unit's plans is counted for the one that started first (then by
/// id), never twice (issue 13).
pub fn assess_plans(
    plans: &[ActivityPlan],
    lines: &[HandoutLine],
    counts: &[DailyCount],
) -> Vec<PlanAssessment> {
    let mut in_order: Vec<&ActivityPlan> = plans
        .iter()
        .filter(|p| fieldpost_central::assessment::assessed(p))
        .collect();
    in_order.sort_by_key(|p| (p.starts_at, p.id));
    let mut claimed: std::collections::HashSet<(UnitId, NaiveDate)> = Default::default();
    let mut collected: HashMap<PlanId, u64> = HashMap::new();
    for p in in_order {
        let (first_day, last_day) = fieldpost_central::assessment::plan_days(p);
        let sum = counts
            .iter()
            .filter(|c| c.unit_id == p.unit_id && c.day >= first_day && c.day <= last_day)
            .filter(|c| claimed.insert((c.unit_id, c.day)))
            .map(|c| u64::from(c.count))
            .sum();
        collected.insert(p.id, sum);
    }
    let mut handed: HashMap<PlanId, BTreeMap<ItemId, u64>> = HashMap::new();
    for h in lines.iter().filter(|h| h.voided_at.is_none()) {
        *handed
            .entry(h.plan_id)
            .or_default()
            .entry(h.item_id)
            .or_default() += u64::from(h.quantity);
    }
    plans
        .iter()
        .filter(|p| matches!(p.status, PlanStatus::Approved | PlanStatus::Closed))
        .map(|p| {
            let (first_day, last_day) = fieldpost_central::assessment::plan_days(p);
            let collected_in_window = collected.get(&p.id).copied().unwrap_or(0);
            let handed_out = handed.remove(&p.id).unwrap_or_default();
            let handed_out_total = handed_out.values().sum();
            PlanAssessment {
                plan_id: p.id,
                unit_id: p.unit_id,
                title: p.title.clone(),
                status: p.status,
                first_day,
                last_day,
                handed_out,
                handed_out_total,
                collected_in_window,
                questionnaires_per_item: ratio(collected_in_window, handed_out_total),
            }
        })
        .collect()
}

fn status_label(s: PlanStatus) -> &'static str {
    match s {
        PlanStatus::Draft => "草稿",
        PlanStatus::Submitted => "已提交",
        PlanStatus::Approved => "已批准",
        PlanStatus::Rejected => "已驳回",
        PlanStatus::Closed => "已结束",
    }
}

/// The plan assessment workbook: one row per approved or closed plan, with a column per item.
pub fn plan_assessment(
    assessed: &[PlanAssessment],
    items: &[Item],
    names: &Names,
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let item_headers: Vec<String> = items.iter().map(|i| format!("派送{}", i.name)).collect();
    let mut headers: Vec<(&str, f64)> = vec![
        ("单位", 34.0),
        ("活动", 30.0),
        ("状态", 8.0),
        ("开始日期", 12.0),
        ("结束日期", 12.0),
    ];
    headers.extend(item_headers.iter().map(|h| (h.as_str(), 14.0)));
    headers.extend([
        ("派送合计", 10.0),
        ("活动期间采集量（重叠日只计一次）", 30.0),
        ("每份宣传品对应问卷", 20.0),
    ]);
    let mut w = start_sheet(ws, &f, "活动考核", "现场活动按采集量考核", &headers)?;
    let two = Format::new().set_num_format("0.00");
    for (row, a) in (2u32..).zip(assessed) {
        w.text(ws, row, 0, &names.unit(a.unit_id))?;
        w.text(ws, row, 1, &a.title)?;
        w.text(ws, row, 2, status_label(a.status))?;
        write_day(ws, &f, row, 3, a.first_day)?;
        write_day(ws, &f, row, 4, a.last_day)?;
        let mut col = 5u16;
        for i in items {
            ws.write_number(
                row,
                col,
                a.handed_out.get(&i.id).copied().unwrap_or(0) as f64,
            )?;
            col += 1;
        }
        ws.write_number(row, col, a.handed_out_total as f64)?;
        ws.write_number(row, col + 1, a.collected_in_window as f64)?;
        ws.write_number_with_format(row, col + 2, a.questionnaires_per_item, &two)?;
    }
    w.apply(ws)?;
    book.save_to_buffer()
}

/// A shortfall in words, Chinese, for the assessment's 原因 column.
pub fn shortfall_text(s: &fieldpost_central::assessment::Shortfall) -> String {
    use fieldpost_central::assessment::Shortfall;
    match s {
        Shortfall::NoQuota => "未分配采集任务，无法按完成率考核".into(),
        Shortfall::BelowCompletion {
            required_percent,
            actual_percent,
        } => format!("完成率 {actual_percent:.2}% 低于 {required_percent}%"),
        Shortfall::FewPerGift { required, actual } => {
            format!("每份宣传品对应问卷 {actual:.2} 份，低于 {required:.2} 份")
        }
    }
}

/// The unit assessment workbook (按采集量考核): one row per unit with the imported counts, the
/// stations' tallies beside them, the gifts, questionnaires per gift over the plans' days
/// (each day once), the verdict and its reasons; the thresholds in the title.
pub fn unit_assessment(
    assessment: &fieldpost_central::assessment::Assessment,
    section_names: &HashMap<fieldpost_domain::SectionId, String>,
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let r = &assessment.rules;
    let title = format!(
        "按采集量考核（达标：完成率不低于 {}%，且每份宣传品对应问卷不少于 {:.2} 份）",
        r.pass_percent,
        f64::from(r.min_per_gift_hundredths) / 100.0
    );
    let mut w = start_sheet(
        ws,
        &f,
        "单位考核",
        &title,
        &[
            ("单位", 34.0),
            ("版块", 14.0),
            ("采集任务", 10.0),
            ("采集量（导入）", 14.0),
            ("完成率%", 10.0),
            ("现场场次", 10.0),
            ("现场触达人数", 14.0),
            ("现场协助问卷（站点统计）", 24.0),
            ("派送宣传品", 12.0),
            ("活动天数", 10.0),
            ("活动日采集量", 14.0),
            ("每份宣传品对应问卷", 20.0),
            ("考核结果", 10.0),
            ("原因", 40.0),
        ],
    )?;
    let two = Format::new().set_num_format("0.00");
    for (row, u) in (2u32..).zip(&assessment.units) {
        w.text(ws, row, 0, &u.unit_name)?;
        let section = section_names
            .get(&u.section_id)
            .map(String::as_str)
            .unwrap_or("");
        w.text(ws, row, 1, section)?;
        ws.write_number(row, 2, u.quota)?;
        ws.write_number(row, 3, u.collected as f64)?;
        ws.write_number_with_format(row, 4, u.completion_percent, &two)?;
        ws.write_number(row, 5, u.sessions)?;
        ws.write_number(row, 6, u.people_reached as f64)?;
        ws.write_number(row, 7, u.questionnaires_assisted as f64)?;
        ws.write_number(row, 8, u.handed_out as f64)?;
        ws.write_number(row, 9, u.plan_days)?;
        ws.write_number(row, 10, u.collected_on_plan_days as f64)?;
        if let Some(q) = u.questionnaires_per_gift {
            ws.write_number_with_format(row, 11, q, &two)?;
        }
        w.text(ws, row, 12, if u.passed { "达标" } else { "未达标" })?;
        let reasons: Vec<String> = u.shortfalls.iter().map(shortfall_text).collect();
        w.text(ws, row, 13, &reasons.join("；"))?;
    }
    w.apply(ws)?;
    book.save_to_buffer()
}

/// The audit log (操作日志) as the console filtered it, newest first: when (China time), who,
/// what by its Chinese name (the code beside it, to filter on), on what, and the detail as the
/// console's page shows it (`key: value；…`).
pub fn audit_log(
    entries: &[fieldpost_central::audit::AuditEntry],
    at: DateTime<Utc>,
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    let mut widths = start_sheet(
        ws,
        &f,
        "操作日志",
        &format!("操作日志（导出于 {}）", china_time(at)),
        &[
            ("序号", 10.0),
            ("时间", 18.0),
            ("操作者", 28.0),
            ("操作", 24.0),
            ("操作代码", 24.0),
            ("对象", 40.0),
            ("详情", 80.0),
        ],
    )?;
    for (row, e) in (2u32..).zip(entries) {
        // Positions are far below 2^53: an f64 holds them exactly.
        ws.write_number(row, 0, e.seq as f64)?;
        write_time(ws, &f, row, 1, e.at)?;
        let subject = e.subject.as_deref().unwrap_or("");
        let action =
            fieldpost_central::audit::action_name(&e.action).map_or(e.action.as_str(), |n| n.zh);
        ws.write_string(row, 2, &e.actor)?;
        ws.write_string(row, 3, action)?;
        ws.write_string(row, 4, &e.action)?;
        ws.write_string(row, 5, subject)?;
        ws.write_string(row, 6, audit_detail(&e.detail))?;
        widths.note(2, &e.actor);
        widths.note(3, action);
        widths.note(4, &e.action);
        widths.note(5, subject);
    }
    widths.apply(ws)?;
    book.save_to_buffer()
}

/// An audit line's detail as the console's page shows it: an object's fields as
/// `key: value`, joined by `；`, strings unquoted, nested values as JSON.
fn audit_detail(detail: &serde_json::Value) -> String {
    use serde_json::Value;
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".to_owned(),
        other => other.to_string(),
    };
    match detail {
        Value::Null => String::new(),
        Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| format!("{k}: {}", text(v)))
            .collect::<Vec<_>>()
            .join("；"),
        other => text(other),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::io::{Cursor, Read};

    use calamine::{Data, Reader, Xlsx};
    use chrono::TimeZone;
    use fieldpost_domain::{DeviceId, HandoutId, ItemKind};

    use super::*;

    /// Issue 13: a unit's overlapping plans counted the days they share once per plan, so
    /// the plans' "collected in window" added up to more than the unit collected.
    #[test]
    fn overlapping_plans_count_a_shared_day_once() {
        let unit_id = UnitId::new();
        let at = |d: u32, h: u32| chrono::Utc.with_ymd_and_hms(2022, 8, d, h, 0, 0).unwrap();
        let plan = |starts: u32, ends: u32| ActivityPlan {
            id: PlanId::new(),
            unit_id,
            title: format!("8/{starts}–8/{ends}"),
            location: "进贤门".into(),
            starts_at: at(starts, 1),
            ends_at: at(ends, 9),
            expected_people: 100,
            staff: "3 人".into(),
            requested: Vec::new(),
            status: PlanStatus::Approved,
            allocation: Vec::new(),
            reject_reason: None,
            revision: 0,
        };
        // 8/4–8/6 and 8/5–8/7 share 8/5 and 8/6.
        let (first, second) = (plan(4, 6), plan(5, 7));
        let counts: Vec<DailyCount> = (4..=7)
            .map(|d| DailyCount {
                unit_id,
                day: NaiveDate::from_ymd_opt(2022, 8, d).unwrap(),
                count: 100,
            })
            .collect();
        let assessed = assess_plans(&[second.clone(), first.clone()], &[], &counts);
        let total: u64 = assessed.iter().map(|a| a.collected_in_window).sum();
        assert_eq!(
            total, 400,
            "four days of 100, each counted once across the plans"
        );
        let of = |id| {
            assessed
                .iter()
                .find(|a| a.plan_id == id)
                .unwrap()
                .collected_in_window
        };
        assert_eq!(
            of(first.id),
            300,
            "the first plan to start counts its three days"
        );
        assert_eq!(
            of(second.id),
            100,
            "the second counts only the day no other plan did"
        );
    }

    /// The cells of a sheet of an exported workbook.
    fn rows(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
        let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let range = book.worksheet_range(sheet).unwrap();
        range.rows().map(<[Data]>::to_vec).collect()
    }

    /// The width set on each column of the first sheet, from its XML.
    fn widths(bytes: &[u8]) -> Vec<f64> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        let mut xml = String::new();
        zip.by_name("xl/worksheets/sheet1.xml")
            .unwrap()
            .read_to_string(&mut xml)
            .unwrap();
        let attr = |c: &str, name: &str| -> f64 {
            let v = c.split(&format!("{name}=\"")).nth(1).unwrap();
            v[..v.find('"').unwrap()].parse().unwrap()
        };
        let mut out = Vec::new();
        // Neighbouring columns of one width share a <col min max> element.
        for c in xml.split("<col ").skip(1) {
            let (min, max) = (attr(c, "min") as usize, attr(c, "max") as usize);
            out.resize(max, 0.0);
            out[min - 1..max].fill(attr(c, "width"));
        }
        out
    }

    #[test]
    fn cjk_characters_count_double() {
        assert_eq!(display_width("口罩"), 4.0, "two ideographs");
        assert_eq!(display_width("N95 口罩"), 8.0, "mixed");
        assert_eq!(display_width("（份）"), 6.0, "full-width brackets");
        assert_eq!(display_width("a\nlonger"), 6.0, "the widest line");
    }

    /// Issue 13: the exports wrote times as text and cut long item headers.
    #[test]
    fn exports_write_real_datetimes_and_fit_long_headers() {
        let item = Item {
            id: ItemId::new(),
            code: "kit".into(),
            name: "网安四宝（国家网络安全宣传周四件套）".into(),
            kind: ItemKind::Gift,
            unit_label: "套".into(),
            donor: None,
        };
        let unit = Unit {
            id: UnitId::new(),
            campaign_id: fieldpost_domain::CampaignId::new(),
            section_id: fieldpost_domain::SectionId::new(),
            name: "揭阳市榕城区榕华街道办事处新兴社区居民委员会".into(),
            quota: 100,
            survey_link: "https://s.example/a".into(),
            contact: None,
        };
        // 2022-08-06 01:30 UTC is 09:30 in China.
        let at = Utc.with_ymd_and_hms(2022, 8, 6, 1, 30, 0).unwrap();
        let line = HandoutLine {
            id: HandoutId::new(),
            plan_id: PlanId::new(),
            unit_id: unit.id,
            device_id: DeviceId::new(),
            device_name: "平板 1".into(),
            item_id: item.id,
            quantity: 3,
            backed: 3,
            handed_out_at: at,
            over_grant_reason: None,
            voided_at: None,
            void_reason: None,
        };
        let names = Names::new(
            std::slice::from_ref(&unit),
            std::slice::from_ref(&item),
            &[],
        );
        let bytes = handout_ledger(&[line], &names).unwrap();
        let cells = rows(&bytes, "派送台账");
        let Data::DateTime(t) = &cells[2][0] else {
            panic!("the handout time is a datetime cell: {:?}", cells[2][0]);
        };
        assert_eq!(
            t.as_datetime().unwrap().to_string(),
            "2022-08-06 09:30:00",
            "in China time"
        );
        let w = widths(&bytes);
        assert!(
            w[1] >= display_width(&unit.name),
            "the unit column fits the long name: {w:?}"
        );
        assert!(
            w[4] >= display_width(&item.name),
            "the item column fits the long name: {w:?}"
        );

        let plan = PlanAssessment {
            plan_id: PlanId::new(),
            unit_id: unit.id,
            title: "进贤门广场宣传".into(),
            status: PlanStatus::Approved,
            first_day: NaiveDate::from_ymd_opt(2022, 8, 6).unwrap(),
            last_day: NaiveDate::from_ymd_opt(2022, 8, 7).unwrap(),
            handed_out: BTreeMap::from([(item.id, 3)]),
            handed_out_total: 3,
            collected_in_window: 30,
            questionnaires_per_item: 10.0,
        };
        let bytes = plan_assessment(&[plan], std::slice::from_ref(&item), &names).unwrap();
        let cells = rows(&bytes, "活动考核");
        for (col, want) in [(3, "2022-08-06"), (4, "2022-08-07")] {
            let Data::DateTime(d) = &cells[2][col] else {
                panic!("column {col} is a date cell: {:?}", cells[2][col]);
            };
            assert_eq!(
                d.as_datetime().unwrap().date().to_string(),
                want,
                "the plan's window as dates"
            );
        }
        let header = format!("派送{}", item.name);
        assert_eq!(cells[1][5].to_string(), header, "a column per item");
        let w = widths(&bytes);
        assert!(
            w[5] >= display_width(&header),
            "the long item header is not cut: {w:?}"
        );
    }

    /// Issue 13's audit: the export wrote `user.login_failed` and raw JSON while the page shows
    /// 登录失败 and `key: value`. The name comes from the one table; the code stays beside it.
    #[test]
    fn the_audit_export_names_actions_in_chinese_and_keeps_the_code() {
        let at = chrono::Utc.with_ymd_and_hms(2022, 8, 3, 2, 0, 0).unwrap();
        let entry = |seq, action: &str, detail| fieldpost_central::audit::AuditEntry {
            seq,
            at,
            actor: "user:nobody".into(),
            action: action.into(),
            subject: Some("nobody".into()),
            detail,
        };
        let entries = [
            entry(
                2,
                "user.login_failed",
                serde_json::json!({"username": "nobody", "before": {"role": "viewer"}}),
            ),
            entry(1, "some.new_action", serde_json::Value::Null),
        ];
        let bytes = audit_log(&entries, at).unwrap();
        let rows = rows(&bytes, "操作日志");
        let text = |r: &[Data]| r.iter().map(ToString::to_string).collect::<Vec<_>>();
        assert_eq!(
            text(&rows[1]),
            ["序号", "时间", "操作者", "操作", "操作代码", "对象", "详情"],
            "the name, then its code for filtering"
        );
        let line = text(&rows[2]);
        assert_eq!(line[2], "user:nobody");
        assert_eq!(line[3], "登录失败", "the action's Chinese name");
        assert_eq!(line[4], "user.login_failed", "the code in its own column");
        assert_eq!(line[5], "nobody");
        assert_eq!(
            line[6], r#"before: {"role":"viewer"}；username: nobody"#,
            "the detail as the page shows it (fields in the API's order), not raw JSON"
        );
        assert!(
            matches!(rows[2][1], Data::DateTime(_)),
            "the time is a real date-time: {:?}",
            rows[2][1]
        );
        let unknown = text(&rows[3]);
        assert_eq!(
            (
                unknown[3].as_str(),
                unknown[4].as_str(),
                unknown[6].as_str()
            ),
            ("some.new_action", "some.new_action", ""),
            "an action without a name shows its code"
        );
    }
}
