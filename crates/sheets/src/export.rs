//! Exports to Excel (`.xlsx`, rust_xlsxwriter) with Chinese headers, as the secretariat
//! publishes and files them: the collection bulletin (采集数据通报), the handout ledger
//! (派送台账), volunteer hours (志愿服务时长) and the plan assessment (活动考核, 按采集量考核).
//!
//! Each builder takes the records it needs and returns the workbook's bytes, so tests read
//! them back with calamine without a server. Times are shown in China time.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use fieldpost_domain::{ActivityPlan, Item, ItemId, PlanId, PlanStatus, Unit, UnitId};
use rust_xlsxwriter::{Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError};
use serde::Serialize;

use fieldpost_central::records::{DailyCount, HandoutLine, Records, SessionRecord};

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
    }
}

/// Writes a merged title on row 0 and the headers on row 1, sets widths and freezes them.
pub(crate) fn start_sheet(
    ws: &mut Worksheet,
    f: &Formats,
    name: &str,
    title: &str,
    headers: &[(&str, f64)],
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let last = u16::try_from(headers.len().saturating_sub(1)).unwrap_or(0);
    if last > 0 {
        ws.merge_range(0, 0, 0, last, title, &f.title)?;
    } else {
        ws.write_string_with_format(0, 0, title, &f.title)?;
    }
    ws.set_row_height(0, 28)?;
    for (col, (text, width)) in (0u16..).zip(headers) {
        ws.write_string_with_format(1, col, *text, &f.header)?;
        ws.set_column_width(col, *width)?;
    }
    ws.set_freeze_panes(2, 0)?;
    Ok(())
}

fn ratio(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// The collection bulletin: per unit (by rank) its section, quota, collected, progress and
/// rank, with a total row; a second sheet rolls up by section.
pub fn bulletin(records: &Records, at: DateTime<Utc>) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut book = Workbook::new();
    let section_name: HashMap<_, _> = records
        .sections
        .iter()
        .map(|s| (s.section.id, s.section.name.as_str()))
        .collect();
    let ws = book.add_worksheet();
    start_sheet(
        ws,
        &f,
        "采集数据通报",
        &format!(
            "{} 采集数据通报（截至 {}）",
            records.campaign.campaign.name,
            china_time(at)
        ),
        &[
            ("排名", 8.0),
            ("单位", 40.0),
            ("版块", 16.0),
            ("采集任务", 12.0),
            ("采集量", 12.0),
            ("完成率", 12.0),
        ],
    )?;
    let mut row = 2u32;
    for u in &records.units {
        ws.write_number(row, 0, u.rank)?;
        ws.write_string(row, 1, &u.unit.name)?;
        ws.write_string(
            row,
            2,
            section_name.get(&u.unit.section_id).copied().unwrap_or(""),
        )?;
        ws.write_number(row, 3, u.unit.quota)?;
        ws.write_number(row, 4, u.collected as f64)?;
        ws.write_number_with_format(row, 5, ratio(u.collected, u.unit.quota.into()), &f.percent)?;
        row += 1;
    }
    ws.write_string_with_format(row, 1, "合计", &f.total)?;
    ws.write_number_with_format(row, 3, records.totals.quota as f64, &f.total)?;
    ws.write_number_with_format(row, 4, records.totals.collected as f64, &f.total)?;
    ws.write_number_with_format(
        row,
        5,
        ratio(records.totals.collected, records.totals.quota),
        &f.total_percent,
    )?;
    row += 1;
    ws.write_string(row, 1, "采集目标")?;
    ws.write_number(row, 3, records.totals.target as f64)?;
    ws.write_number(row, 4, records.totals.collected as f64)?;
    ws.write_number_with_format(
        row,
        5,
        ratio(records.totals.collected, records.totals.target),
        &f.percent,
    )?;

    let ws = book.add_worksheet();
    start_sheet(
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
    for (row, s) in (2u32..).zip(&records.sections) {
        ws.write_string(row, 0, &s.section.name)?;
        ws.write_number(row, 1, s.units)?;
        ws.write_number(row, 2, s.quota as f64)?;
        ws.write_number(row, 3, s.collected as f64)?;
        ws.write_number_with_format(row, 4, ratio(s.collected, s.quota), &f.percent)?;
    }
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
    start_sheet(
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
        ws.write_string(row, 0, china_time(h.handed_out_at))?;
        ws.write_string(row, 1, names.unit(h.unit_id))?;
        ws.write_string(row, 2, names.plan(h.plan_id))?;
        ws.write_string(row, 3, &h.device_name)?;
        ws.write_string(row, 4, names.item(h.item_id))?;
        ws.write_number(row, 5, h.quantity)?;
        ws.write_number(row, 6, h.backed)?;
        ws.write_number(row, 7, h.quantity - h.backed.min(h.quantity))?;
        ws.write_string(row, 8, h.over_grant_reason.as_deref().unwrap_or(""))?;
        ws.write_string(
            row,
            9,
            if h.voided_at.is_some() {
                "已作废"
            } else {
                "有效"
            },
        )?;
        ws.write_string(row, 10, h.void_reason.as_deref().unwrap_or(""))?;
    }
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
    start_sheet(
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
        ws.write_string(row, 0, &v.name)?;
        ws.write_string(row, 1, v.ivolunteer_id.as_deref().unwrap_or(""))?;
        ws.write_string(row, 2, &v.units)?;
        ws.write_number(row, 3, v.sessions)?;
        ws.write_number_with_format(row, 4, v.minutes as f64 / 60.0, &hours)?;
        ws.write_number(row, 5, v.minutes as f64)?;
        ws.write_number(row, 6, v.open_check_ins)?;
    }
    let ws = book.add_worksheet();
    start_sheet(
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
            ws.write_string(row, 0, &v.volunteer_name)?;
            ws.write_string(row, 1, v.ivolunteer_id.as_deref().unwrap_or(""))?;
            ws.write_string(row, 2, names.unit(s.unit_id))?;
            ws.write_string(row, 3, &s.session.station)?;
            ws.write_string(row, 4, china_time(v.checked_in_at))?;
            ws.write_string(row, 5, v.checked_out_at.map(china_time).unwrap_or_default())?;
            if let Some(m) = v.minutes {
                ws.write_number(row, 6, m as f64)?;
            }
            row += 1;
        }
    }
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
    /// Questionnaires collected by its unit on the days of its window.
    pub collected_in_window: u64,
    /// Questionnaires per item handed out (0 when nothing was handed out).
    pub questionnaires_per_item: f64,
}

/// Assesses every approved or closed plan: items handed out against the questionnaires its
/// unit collected during its window (the China-time days from its start to its end).
pub fn assess_plans(
    plans: &[ActivityPlan],
    lines: &[HandoutLine],
    counts: &[DailyCount],
) -> Vec<PlanAssessment> {
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
            let (first_day, last_day) = (china_day(p.starts_at), china_day(p.ends_at));
            let collected_in_window = counts
                .iter()
                .filter(|c| c.unit_id == p.unit_id && c.day >= first_day && c.day <= last_day)
                .map(|c| u64::from(c.count))
                .sum();
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
        ("活动期间采集量", 16.0),
        ("每份宣传品对应问卷", 20.0),
    ]);
    start_sheet(ws, &f, "活动考核", "现场活动按采集量考核", &headers)?;
    let two = Format::new().set_num_format("0.00");
    for (row, a) in (2u32..).zip(assessed) {
        ws.write_string(row, 0, names.unit(a.unit_id))?;
        ws.write_string(row, 1, &a.title)?;
        ws.write_string(row, 2, status_label(a.status))?;
        ws.write_string(row, 3, a.first_day.to_string())?;
        ws.write_string(row, 4, a.last_day.to_string())?;
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
    book.save_to_buffer()
}

/// The audit log (操作日志) as the console filtered it, newest first: when (China time), who,
/// what, on what, and the detail as JSON.
pub fn audit_log(
    entries: &[fieldpost_central::audit::AuditEntry],
    at: DateTime<Utc>,
) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    start_sheet(
        ws,
        &f,
        "操作日志",
        &format!("操作日志（导出于 {}）", china_time(at)),
        &[
            ("序号", 10.0),
            ("时间", 18.0),
            ("操作者", 28.0),
            ("操作", 24.0),
            ("对象", 40.0),
            ("详情", 80.0),
        ],
    )?;
    for (row, e) in (2u32..).zip(entries) {
        // Positions are far below 2^53: an f64 holds them exactly.
        ws.write_number(row, 0, e.seq as f64)?;
        ws.write_string(row, 1, china_time(e.at))?;
        ws.write_string(row, 2, &e.actor)?;
        ws.write_string(row, 3, &e.action)?;
        ws.write_string(row, 4, e.subject.as_deref().unwrap_or(""))?;
        ws.write_string(row, 5, e.detail.to_string())?;
    }
    book.save_to_buffer()
}
