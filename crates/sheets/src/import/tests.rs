//! Unit tests of the import: text normalization, header synonyms, days, links, CSV, and every
//! message the two previews give.
#![allow(clippy::unwrap_used)]

use chrono::NaiveDate;
use fieldpost_domain::{Section, SectionId, Unit};

use super::header::field_of;
use super::read::read_csv;
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
    let t = read_csv(
        "\u{FEFF}单位,备注\r\n\"甲,乙\",\"多\n行\"\r\n".as_bytes(),
        ImportKind::TaskTable,
    )
    .unwrap();
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

/// The problems' codes of a preview, by row, in order.
fn codes<T>(p: &Preview<T>) -> Vec<(u32, RowIssueCode)> {
    p.errors.iter().map(|e| (e.row, e.code)).collect()
}

/// The skipped rows of a preview and why.
fn skips<T>(p: &Preview<T>) -> Vec<(u32, SkipReason)> {
    p.skipped.iter().map(|s| (s.row, s.reason)).collect()
}

/// Issue 13: a 合计 whose label sits in a merged first column was reported as a bad row.
#[test]
fn totals_and_notes_rows_are_passed_over_wherever_their_label_sits() {
    let (units, sections) = stored();
    let table = csv(
        "序号,单位名称,所属版块,采集任务,专属链接,备注\n\
         1,单位甲,侨,100,https://s.example/a,\n\
         合计,,,100,,\n\
         ,总 计：,,100,,\n\
         ,,,100,小计,\n\
         侨联系统小计,,,100,,\n\
         2,单位乙,志愿,200,https://s.example/b,含三个街道合计\n\
         3,注册会计师协会,侨,5,https://s.example/zc,\n\
         Total,,,305,,\n\
         备注：1. 请于8月2日前报送,,,,,\n\
         2. 链接请勿外传,,,,,\n\
         \n\
         注：任务数以通知为准,,,,,\n\
         填表人：张三  联系电话：13800000000,,,,,\n",
        ImportKind::TaskTable,
    );
    let p = preview_task_table(&table, &units, &sections);
    assert_eq!(
        codes(&p),
        vec![],
        "no total or note is a bad row: {:?}",
        p.errors
    );
    let units: Vec<&str> = p.rows.iter().map(|r| r.unit.as_str()).collect();
    assert_eq!(
        units,
        vec!["单位甲", "单位乙", "注册会计师协会"],
        "a remark ending in 合计 and a name starting with 注 are rows of units"
    );
    use SkipReason::{Blank, Note, Total};
    assert_eq!(
        skips(&p),
        vec![
            (3, Total),
            (4, Total),
            (5, Total),
            (6, Total),
            (9, Total),
            (10, Note),
            (11, Note),
            (12, Blank),
            (13, Note),
            (14, Note),
        ],
        "合计 in the first column, 总计 in the unit column, 小计 further right, a labelled \
         subtotal, Total; the notes, their continued line and the signature line"
    );
}

/// The merged case itself, in .xlsx: a merged range keeps its value in its top-left cell.
#[test]
fn a_total_in_a_merged_first_column_of_an_xlsx_is_a_total() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    for (col, h) in (0u16..).zip(["序号", "单位名称", "采集任务", "专属链接"]) {
        ws.write_string(0, col, h).unwrap();
    }
    ws.write_number(1, 0, 1).unwrap();
    ws.write_string(1, 1, "单位甲").unwrap();
    ws.write_number(1, 2, 100).unwrap();
    ws.write_string(1, 3, "https://s.example/a").unwrap();
    ws.merge_range(2, 0, 2, 1, "合计", &rust_xlsxwriter::Format::new())
        .unwrap();
    ws.write_number(2, 2, 100).unwrap();
    ws.merge_range(
        3,
        0,
        3,
        3,
        "说明：链接为各单位专属，请勿外传",
        &rust_xlsxwriter::Format::new(),
    )
    .unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (units, sections) = stored();
    let p = preview_task_table(
        &read_table(&bytes, ImportKind::TaskTable).unwrap(),
        &units,
        &sections,
    );
    assert_eq!(codes(&p), vec![], "{:?}", p.errors);
    assert_eq!(p.rows.len(), 1, "单位甲");
    assert_eq!(
        skips(&p),
        vec![(3, SkipReason::Total), (4, SkipReason::Note)],
        "the merged 合计 and the merged note"
    );
}

/// Issue 13: a 联系电话 column beside 联系人 made the header an error and lost the phones.
#[test]
fn columns_of_the_same_meaning_are_joined_or_kept_never_an_error() {
    let (units, sections) = stored();
    let table = csv(
        "序号,单位名称,采集任务,任务数,专属链接,短链接,联系人,联系电话,手机,备注,说明\n\
         1,单位甲,\"1,500\",1500,https://s.example/a,,陈联络,13800000001,,,\n\
         2,单位乙,,200,https://s.example/b,https://s.example/b,王五,0663-1234567,13900000002,,\n\
         3,单位庚,30,40,,https://s.example/g,赵六 13700000003,13700000003,,,\n",
        ImportKind::TaskTable,
    );
    let p = preview_task_table(&table, &units, &sections);
    assert!(
        p.columns.iter().all(|c| c.field.is_some()),
        "every column is understood: {:?}",
        p.columns
    );
    assert_eq!(
        codes(&p),
        vec![(4, RowIssueCode::ConflictingValues)],
        "only two quotas that disagree are a problem: {:?}",
        p.errors
    );
    assert_eq!(p.errors[0].column.as_deref(), Some("D"), "the later column");
    assert_eq!(p.errors[0].value, "40", "with its value");
    let contacts: Vec<(&str, Option<&str>, u32)> = p
        .rows
        .iter()
        .map(|r| (r.unit.as_str(), r.contact.as_deref(), r.quota))
        .collect();
    assert_eq!(
        contacts,
        vec![
            ("单位甲", Some("陈联络 13800000001"), 1500),
            ("单位乙", Some("王五 0663-1234567 13900000002"), 200),
        ],
        "name and phones joined; an empty quota column falls back to the other"
    );
}

/// Issue 13: a negative quota was called "not a whole number".
#[test]
fn count_problems_are_named_truly() {
    assert_eq!(read_count("-3"), Err(CountError::Negative), "negative");
    assert_eq!(
        read_count("－３"),
        Err(CountError::Negative),
        "full-width minus"
    );
    assert_eq!(read_count("12.5"), Err(CountError::Fraction), "a fraction");
    assert_eq!(
        read_count("99999999999"),
        Err(CountError::TooLarge),
        "too large"
    );
    assert_eq!(
        read_count("八百"),
        Err(CountError::NotANumber),
        "not in digits"
    );
    assert_eq!(read_count(" "), Err(CountError::Empty), "nothing");
    assert_eq!(read_count("-0"), Ok(0), "minus zero is zero");
    let (units, sections) = stored();
    let table = csv(
        "单位,版块,采集任务,专属链接\n\
         新单位一,侨,-300,https://s.example/1\n\
         新单位二,侨,12.5,https://s.example/2\n\
         新单位三,侨,99999999999,https://s.example/3\n\
         新单位四,侨,八百,https://s.example/4\n",
        ImportKind::TaskTable,
    );
    let p = preview_task_table(&table, &units, &sections);
    let got: Vec<(RowIssueCode, &str)> = p
        .errors
        .iter()
        .map(|e| (e.code, e.reason.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                RowIssueCode::Negative,
                "the quota (采集任务) \"-300\" must not be negative"
            ),
            (
                RowIssueCode::NotWhole,
                "the quota (采集任务) \"12.5\" is not a whole number"
            ),
            (
                RowIssueCode::TooLarge,
                "the quota (采集任务) \"99999999999\" is too large to be one"
            ),
            (
                RowIssueCode::NotANumber,
                "the quota (采集任务) \"八百\" is not a number (write it in digits)"
            ),
        ],
        "each reason says what is wrong"
    );
    let counts = csv(
        "单位,日期,采集量\n单位甲,2022-08-03,-1\n",
        ImportKind::Counts,
    );
    assert_eq!(
        codes(&preview_counts(&counts, &units, None)),
        vec![(2, RowIssueCode::Negative)],
        "a negative count too"
    );
}

/// Issue 13: a sheet of a million tiny rows (under the size limit) took 50 s and answered
/// with 400 MB of errors. Past the row limit it is refused while it is read.
#[test]
fn a_sheet_past_the_row_limit_is_refused_while_it_is_read() {
    let mut text = String::from("单位,采集任务,专属链接\n");
    text.push_str(&"x\n".repeat(1_000_000));
    let err = read_table(text.as_bytes(), ImportKind::TaskTable).unwrap_err();
    assert_eq!(
        err,
        ReadError::TooManyRows {
            limit: 5_000,
            kind: "task table"
        },
        "a CSV task table"
    );
    assert!(
        err.to_string().contains("5000"),
        "the message says the limit: {err}"
    );
    let err = read_table(text.as_bytes(), ImportKind::Counts).unwrap_err();
    assert!(
        matches!(err, ReadError::TooManyRows { limit: 100_000, .. }),
        "a counts sheet has a higher limit: {err}"
    );
    // Blank lines are not rows of the sheet.
    let mut blank = String::from("单位,采集任务,专属链接\n单位甲,1,https://s.example/a\n");
    blank.push_str(&",,\n".repeat(20_000));
    assert!(
        read_table(blank.as_bytes(), ImportKind::TaskTable).is_ok(),
        "trailing blank lines do not count"
    );

    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "单位").unwrap();
    ws.write_string(0, 1, "采集任务").unwrap();
    for row in 1..=1_000_000u32 {
        ws.write_number(row, 0, 1).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();
    assert!(
        bytes.len() < 8 * 1024 * 1024,
        "under the body limit: {}",
        bytes.len()
    );
    assert!(
        matches!(
            read_table(&bytes, ImportKind::TaskTable),
            Err(ReadError::TooManyRows { limit: 5_000, .. })
        ),
        "an .xlsx task table of a million rows"
    );
}

/// A line of a million commas costs nothing; a filled cell past column IV refuses the sheet.
#[test]
fn a_sheet_past_the_column_limit_is_refused() {
    let mut text = String::from("单位,采集任务,专属链接");
    text.push_str(&",".repeat(1_000_000));
    text.push_str("\n单位甲,1,https://s.example/a\n");
    let table = read_table(text.as_bytes(), ImportKind::TaskTable).unwrap();
    assert_eq!(
        table.rows[0].cells.len(),
        COLUMN_LIMIT,
        "empty cells past the limit dropped"
    );
    text.push_str(&",".repeat(300));
    text.push_str("x\n");
    assert_eq!(
        read_table(text.as_bytes(), ImportKind::TaskTable).unwrap_err(),
        ReadError::TooManyColumns { limit: 256 },
        "a filled cell past the limit"
    );
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "单位").unwrap();
    ws.write_string(0, 1, "采集任务").unwrap();
    ws.write_string(1, 16_000, "far right").unwrap();
    assert_eq!(
        read_table(&book.save_to_buffer().unwrap(), ImportKind::TaskTable).unwrap_err(),
        ReadError::TooManyColumns { limit: 256 },
        "in an .xlsx too"
    );
}

/// Under the row limit, a sheet of bad rows lists the first problems and counts them all.
#[test]
fn problems_past_the_listing_limit_are_counted_not_listed() {
    let (units, sections) = stored();
    let mut text = String::from("单位,版块,采集任务,专属链接\n");
    for n in 0..4_000 {
        text.push_str(&format!("新单位{n},侨,x,https://s.example/n{n}\n\n"));
    }
    let p = preview_task_table(
        &read_table(text.as_bytes(), ImportKind::TaskTable).unwrap(),
        &units,
        &sections,
    );
    assert_eq!(p.error_count, 4_000, "every bad quota is counted");
    assert_eq!(p.errors.len(), LISTED_LIMIT, "the first ones are listed");
    assert_eq!(p.errors[0].row, 2, "in sheet order");
    assert_eq!(p.skipped_count, 4_000, "every blank line is counted");
    assert_eq!(p.skipped.len(), LISTED_LIMIT, "the first ones are listed");
}

/// The counts sheet has the same problems: real date cells or text, Excel serial days,
/// weekdays after the day, a 合计 column and a 合计 row, notes.
#[test]
fn counts_sheets_as_they_come() {
    let (units, _) = stored();
    let wide = csv(
        "单位,8月3日（周三）,44777,合计\n\
         单位甲,10,20,30\n\
         单位乙,1,2,3\n\
         全市合计,11,22,33\n\
         注：数据来源于问卷平台,,,\n",
        ImportKind::Counts,
    );
    let p = preview_counts(&wide, &units, Some(2022));
    assert_eq!(codes(&p), vec![], "{:?}", p.errors);
    let fields: Vec<Option<&str>> = p.columns.iter().map(|c| c.field.as_deref()).collect();
    assert_eq!(
        fields,
        vec![
            Some("unit"),
            Some("day:2022-08-03"),
            Some("day:2022-08-04"),
            Some("ignored")
        ],
        "a weekday in brackets, a serial day number, the totals column ignored"
    );
    assert_eq!(p.rows.len(), 4, "two units, two days");
    assert_eq!(
        skips(&p),
        vec![(4, SkipReason::Total), (5, SkipReason::Note)],
        "the 合计 row and the note"
    );
    let long = csv(
        "单位,日期,采集量,统计日期\n\
         单位甲,2022-08-03 00:00:00,5,2022/8/3\n\
         单位乙,44776,6,\n\
         单位乙,2022-08-04,7,2022-08-05\n\
         合计,,18,\n",
        ImportKind::Counts,
    );
    let p = preview_counts(&long, &units, None);
    assert_eq!(
        codes(&p),
        vec![(4, RowIssueCode::ConflictingValues)],
        "two date columns that disagree: {:?}",
        p.errors
    );
    let days: Vec<String> = p.rows.iter().map(|r| r.day.to_string()).collect();
    assert_eq!(
        days,
        vec!["2022-08-03", "2022-08-03"],
        "a datetime's day, a serial day"
    );
}

/// A long counts sheet in .xlsx as people fill it: real date cells (one with a time), a date
/// typed as text, a merged 合计 and a note below.
#[test]
fn a_long_counts_xlsx_with_date_cells_text_dates_and_a_merged_total() {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    for (col, h) in (0u16..).zip(["序号", "单位", "日期", "采集量"]) {
        ws.write_string(0, col, h).unwrap();
    }
    let day = Format::new().set_num_format("yyyy/m/d");
    let stamp = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    ws.write_string(1, 1, "单位甲").unwrap();
    ws.write_datetime_with_format(1, 2, ExcelDateTime::from_ymd(2022, 8, 3).unwrap(), &day)
        .unwrap();
    ws.write_number(1, 3, 10).unwrap();
    ws.write_string(2, 1, "单位乙").unwrap();
    let evening = ExcelDateTime::from_ymd(2022, 8, 3)
        .unwrap()
        .and_hms(23, 59, 0)
        .unwrap();
    ws.write_datetime_with_format(2, 2, evening, &stamp)
        .unwrap();
    ws.write_number(2, 3, 20).unwrap();
    ws.write_string(3, 1, "单位乙").unwrap();
    ws.write_string(3, 2, "8月4日").unwrap();
    ws.write_string(3, 3, "３０").unwrap();
    ws.merge_range(4, 0, 4, 2, "合计", &Format::new()).unwrap();
    ws.write_number(4, 3, 60).unwrap();
    ws.merge_range(5, 0, 5, 3, "注：数据截至8月4日24时", &Format::new())
        .unwrap();
    let bytes = book.save_to_buffer().unwrap();
    let (units, _) = stored();
    let p = preview_counts(
        &read_table(&bytes, ImportKind::Counts).unwrap(),
        &units,
        Some(2022),
    );
    assert_eq!(codes(&p), vec![], "{:?}", p.errors);
    let got: Vec<(String, u32)> = p
        .rows
        .iter()
        .map(|r| (r.day.to_string(), r.count))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2022-08-03".into(), 10),
            ("2022-08-03".into(), 20),
            ("2022-08-04".into(), 30)
        ],
        "a date cell, a datetime cell's day, a text date"
    );
    assert_eq!(
        skips(&p),
        vec![(5, SkipReason::Total), (6, SkipReason::Note)],
        "the merged total and the note"
    );
}

/// The preview of a task table with a bad row of every kind.
const TASK: [&str; 24] = [
    r#"TaskTable sheet=None header_row=2"#,
    r#"column ColumnMap { column: "A", header: "单位", field: Some("unit") }"#,
    r#"column ColumnMap { column: "B", header: "版块", field: Some("section") }"#,
    r#"column ColumnMap { column: "C", header: "采集任务(份)", field: Some("quota") }"#,
    r#"column ColumnMap { column: "D", header: "专属链接", field: Some("link") }"#,
    r#"column ColumnMap { column: "E", header: "联系人", field: Some("contact") }"#,
    r#"column ColumnMap { column: "F", header: "负责人签字", field: None }"#,
    r#"column ColumnMap { column: "G", header: "单位", field: Some("unit") }"#,
    r#"error RowIssue { row: 2, column: Some("F"), field: "header", value: "负责人签字", code: UnknownHeader, reason: "the header \"负责人签字\" matches no column of this sheet; the column is ignored" }"#,
    r#"error RowIssue { row: 4, column: Some("A"), field: "unit", value: "单位 甲", code: DuplicateUnit, reason: "单位 甲 is already listed on row 3" }"#,
    r#"error RowIssue { row: 7, column: Some("C"), field: "quota", value: "abc", code: NotANumber, reason: "the quota (采集任务) \"abc\" is not a number (write it in digits)" }"#,
    r#"error RowIssue { row: 7, column: Some("D"), field: "link", value: "https://s.example/a", code: DuplicateLink, reason: "the same link is on row 3" }"#,
    r#"error RowIssue { row: 7, column: Some("B"), field: "section", value: "", code: MissingSection, reason: "单位丙 is a new unit: name its section (版块)" }"#,
    r#"error RowIssue { row: 8, column: Some("C"), field: "quota", value: "", code: MissingValue, reason: "the quota (采集任务) is missing" }"#,
    r#"error RowIssue { row: 8, column: Some("D"), field: "link", value: "s.example/d", code: MalformedLink, reason: "\"s.example/d\" is not a web link (http:// or https://)" }"#,
    r#"error RowIssue { row: 9, column: Some("D"), field: "link", value: "https://s.example/g", code: LinkTaken, reason: "the link already belongs to 单位庚" }"#,
    r#"error RowIssue { row: 11, column: Some("A"), field: "unit", value: "", code: MissingValue, reason: "the unit's name is missing" }"#,
    r#"error RowIssue { row: 11, column: Some("D"), field: "link", value: "", code: MissingValue, reason: "the exclusive link (专属链接) is missing" }"#,
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
    r#"error RowIssue { row: 4, column: Some("C"), field: "date", value: "2022-08-03", code: DuplicateDay, reason: "单位甲 on 2022-08-03 is already on row 3" }"#,
    r#"error RowIssue { row: 6, column: Some("B"), field: "date", value: "昨天", code: BadDate, reason: "\"昨天\" is not a date" }"#,
    r#"error RowIssue { row: 7, column: Some("B"), field: "date", value: "", code: MissingValue, reason: "the date is missing" }"#,
    r#"error RowIssue { row: 8, column: Some("A"), field: "unit", value: "单位丙", code: UnknownUnit, reason: "no unit named 单位丙: import the task table first, or fix the name" }"#,
    r#"error RowIssue { row: 9, column: Some("A"), field: "unit", value: "", code: MissingValue, reason: "the unit's name is missing" }"#,
    r#"error RowIssue { row: 10, column: Some("C"), field: "count", value: "abc", code: NotANumber, reason: "the count \"abc\" is not a number (write it in digits)" }"#,
    r#"error RowIssue { row: 11, column: Some("C"), field: "count", value: "", code: MissingValue, reason: "the count is missing" }"#,
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
    r#"error RowIssue { row: 1, column: Some("E"), field: "header", value: "说明书", code: UnknownHeader, reason: "the header \"说明书\" matches no column of this sheet; the column is ignored" }"#,
    r#"error RowIssue { row: 3, column: Some("B"), field: "count", value: "x", code: NotANumber, reason: "the count \"x\" is not a number (write it in digits)" }"#,
    r#"error RowIssue { row: 4, column: Some("B"), field: "date", value: "2022-08-03", code: DuplicateDay, reason: "单位甲 on 2022-08-03 is already on row 2" }"#,
    r#"row CountRow { row: 2, unit: "单位甲", unit_id: UnitId(00000000-0000-0000-0000-000000000001), day: 2022-08-03, count: 10 }"#,
    r#"row CountRow { row: 3, unit: "单位乙", unit_id: UnitId(00000000-0000-0000-0000-000000000002), day: 2022-08-04, count: 5 }"#,
];

/// The preview of a task table without a header.
const NO_HEADER: [&str; 2] = [
    r#"TaskTable sheet=None header_row=0"#,
    r#"error RowIssue { row: 1, column: None, field: "header", value: "", code: NoHeader, reason: "no header row found: expected a row with columns such as 单位 and 采集任务" }"#,
];

/// The preview of a task table without its quota and link columns.
const NO_QUOTA_OR_LINK: [&str; 5] = [
    r#"TaskTable sheet=None header_row=0"#,
    r#"column ColumnMap { column: "A", header: "单位", field: Some("unit") }"#,
    r#"column ColumnMap { column: "B", header: "版块", field: Some("section") }"#,
    r#"error RowIssue { row: 1, column: None, field: "quota", value: "", code: MissingColumn, reason: "the sheet has no quota column" }"#,
    r#"error RowIssue { row: 1, column: None, field: "link", value: "", code: MissingColumn, reason: "the sheet has no link column" }"#,
];

/// The preview of a counts sheet without its count column.
const NO_COUNT: [&str; 4] = [
    r#"Counts sheet=None header_row=0"#,
    r#"column ColumnMap { column: "A", header: "单位", field: Some("unit") }"#,
    r#"column ColumnMap { column: "B", header: "日期", field: Some("date") }"#,
    r#"error RowIssue { row: 1, column: None, field: "count", value: "", code: MissingColumn, reason: "the sheet has no count column" }"#,
];

/// Issue 14: a crafted .xlsx with a cell at the last row number a reference can hold made the
/// reader number every row down to it (4 billion empty rows: gigabytes, then an abort).
#[test]
fn a_cell_past_excels_last_row_is_refused_before_any_row_is_built() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "单位").unwrap();
    ws.write_string(0, 1, "采集任务").unwrap();
    ws.write_string(1, 0, "单位甲").unwrap();
    ws.write_number(1, 1, 100).unwrap();
    let plain = book.save_to_buffer().unwrap();
    let crafted = crate::crafted::with_sheet_xml(&plain, |xml| {
        xml.replace("\"A1:B2\"", "\"A1:B4294967295\"")
            .replace("r=\"2\"", "r=\"4294967295\"")
            .replace("r=\"A2\"", "r=\"A4294967295\"")
            .replace("r=\"B2\"", "r=\"B4294967295\"")
    });
    assert_ne!(crafted, plain, "the positions were rewritten");
    assert_eq!(
        read_table(&crafted, ImportKind::TaskTable).unwrap_err(),
        ReadError::RowBeyondExcel { row: 4_294_967_295 },
        "refused by the cell's row"
    );
}

/// `xlsx` with its part `name` rewritten by `edit`: how a test makes a file no writer would.
fn rewrite_part(xlsx: &[u8], name: &str, edit: impl Fn(String) -> String) -> Vec<u8> {
    use std::io::{Cursor, Read, Write};
    let mut archive = zip::ZipArchive::new(Cursor::new(xlsx)).unwrap();
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for i in 0..archive.len() {
        let mut part = archive.by_index(i).unwrap();
        let part_name = part.name().unwrap().into_owned();
        let mut bytes = Vec::new();
        part.read_to_end(&mut bytes).unwrap();
        if part_name == name {
            bytes = edit(String::from_utf8(bytes).unwrap()).into_bytes();
        }
        out.start_file(part_name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&bytes).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// Issue 14 (fuzzing): blank rows up to a cell's row are built, so a cell claiming row
/// 4,000,000,000 of a 5 KB .xlsx would have built billions of rows and run the central out of
/// memory. A row past Excel's last is refused as unreadable; one at the last row still reads.
#[test]
fn a_cell_past_the_last_row_of_a_worksheet_is_refused() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "单位").unwrap();
    ws.write_string(0, 1, "采集任务").unwrap();
    ws.write_string(1, 0, "单位甲").unwrap();
    ws.write_number(1, 1, 5).unwrap();
    ws.write_string(EXCEL_ROWS - 1, 0, "最后一行").unwrap();
    let at_the_limit = book.save_to_buffer().unwrap();
    let table = read_table(&at_the_limit, ImportKind::TaskTable).unwrap();
    assert_eq!(
        table.rows.last().map(|r| r.number),
        Some(EXCEL_ROWS),
        "a cell in Excel's last row is read, its row number as Excel shows it"
    );
    let past = rewrite_part(&at_the_limit, "xl/worksheets/sheet1.xml", |xml| {
        assert!(
            xml.contains("1048576"),
            "the last row is in the sheet: {xml}"
        );
        xml.replace("1048576", "4000000000")
    });
    assert_eq!(
        read_table(&past, ImportKind::TaskTable).unwrap_err(),
        ReadError::RowBeyondExcel { row: 4_000_000_000 },
        "a cell in row 4,000,000,000 is refused by its row"
    );
}

/// A task table as Excel 97–2003 saves it (written by xlwt: a title row, a blank row, the
/// header, two units and a total).
const TASKS_XLS: &[u8] = include_bytes!("../../fixtures/tasks.xls");

/// `TASKS_XLS` with the first record of `header` (type and length, as the file has them)
/// given `data` from its first byte on: how a test makes the damaged files fuzzing found.
fn patched_xls(header: [u8; 4], data: &[u8]) -> Vec<u8> {
    let mut bytes = TASKS_XLS.to_vec();
    let at = bytes
        .windows(4)
        .position(|w| w == header)
        .expect("the fixture has the record")
        + 4;
    bytes[at..at + data.len()].copy_from_slice(data);
    bytes
}

#[test]
fn an_xls_task_table_is_read() {
    let table = read_table(TASKS_XLS, ImportKind::TaskTable).unwrap();
    let (units, sections) = stored();
    let preview = preview_task_table(&table, &units, &sections);
    assert_eq!(
        preview.header_row, 3,
        "the title and blank rows are passed over"
    );
    let jia = preview.rows.first().expect("单位甲 is read");
    assert_eq!(
        (jia.row, jia.unit.as_str(), jia.quota, jia.link.as_str()),
        (4, "单位甲", 1500, "https://s.example/a"),
        "a number cell and text cells of the .xls"
    );
    assert_eq!(
        codes(&preview),
        [
            (3, RowIssueCode::UnknownHeader),
            (5, RowIssueCode::MissingSection)
        ],
        "单位丙's row is read too (a new unit, whose section 片区 does not name)"
    );
    assert_eq!(
        skips(&preview),
        [
            (1, SkipReason::Title),
            (2, SkipReason::Blank),
            (6, SkipReason::Total)
        ]
    );
}

/// Issue 14 (fuzzing): calamine reserves room for an .xls sheet as its DIMENSIONS record
/// claims, and builds each sheet as a dense grid from its first to its last cell. A 5 KB file
/// claiming billions of cells made an allocation that aborted the whole central. Refused first.
#[test]
fn an_xls_claiming_or_spanning_a_huge_grid_is_refused_before_it_is_read() {
    const DIMENSIONS: [u8; 4] = [0x00, 0x02, 0x0E, 0x00];
    let claims = |rows: (u32, u32), cols: (u16, u16)| {
        let mut data = Vec::new();
        data.extend(rows.0.to_le_bytes());
        data.extend(rows.1.to_le_bytes());
        data.extend(cols.0.to_le_bytes());
        data.extend(cols.1.to_le_bytes());
        patched_xls(DIMENSIONS, &data)
    };
    for (file, why) in [
        (claims((0, u32::MAX), (0, 0xFF)), "four billion rows"),
        (
            claims((10, 3), (0, 6)),
            "a last row before the first (wraps around)",
        ),
    ] {
        match read_table(&file, ImportKind::TaskTable) {
            Err(ReadError::Spreadsheet(m)) => assert!(
                m.contains("DIMENSIONS") && m.contains("right file"),
                "{why}: the refusal says what is wrong: {m}"
            ),
            other => panic!("{why} is refused, not {other:?}"),
        }
    }
    assert!(
        read_table(&claims((0, 6), (0, 6)), ImportKind::TaskTable).is_ok(),
        "the fixture's own dimensions are fine"
    );
    // A LabelSst cell moved to the last row and column a record can name.
    let far = patched_xls([0xFD, 0x00, 0x0A, 0x00], &[0xFF, 0xFF, 0xFF, 0xFF]);
    match read_table(&far, ImportKind::TaskTable) {
        Err(ReadError::Spreadsheet(m)) => assert!(m.contains("span"), "{m}"),
        other => panic!("a sheet spanning 65,536 × 65,536 cells is refused, not {other:?}"),
    }
}

/// Issue 14 (fuzzing): calamine reserves room for as many shared strings as an .xlsx
/// announces, before reading one.
#[test]
fn an_xlsx_announcing_billions_of_strings_is_refused() {
    let mut book = rust_xlsxwriter::Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "单位").unwrap();
    ws.write_string(0, 1, "采集任务").unwrap();
    let honest = book.save_to_buffer().unwrap();
    assert!(read_table(&honest, ImportKind::TaskTable).is_ok());
    let lying = rewrite_part(&honest, "xl/sharedStrings.xml", |xml| {
        let at = xml.find("uniqueCount=\"").expect("the count is announced") + 13;
        let end = at + xml[at..].find('"').unwrap();
        format!("{}99999999999{}", &xml[..at], &xml[end..])
    });
    match read_table(&lying, ImportKind::TaskTable) {
        Err(ReadError::Spreadsheet(m)) => {
            assert!(m.contains("99999999999"), "the refusal says the count: {m}")
        }
        other => panic!("99,999,999,999 strings are refused, not {other:?}"),
    }
}

/// Issue 14 (fuzzing, after the first fix): the same lie behind a broken CRC. The zip reader
/// fails at the part's end, after calamine has reserved room for what the opening tag
/// announced, so the guard must judge what it read before the failure.
#[test]
fn an_xlsx_announcing_billions_of_strings_behind_a_bad_crc_is_refused() {
    let crash = include_bytes!(
        "../../../../fuzz/seeds/import_tasks/crash-xlsx-sst-count-behind-bad-crc.xlsx"
    );
    match read_table(crash, ImportKind::TaskTable) {
        Err(ReadError::Spreadsheet(m)) => {
            assert!(m.contains("distinct strings"), "the refusal says why: {m}")
        }
        other => panic!("refused by what it announces, not {other:?}"),
    }
}

/// Issue 14 (fuzzing): calamine panics on some damaged files (here a sheet said to start past
/// the end of the workbook). The file is unreadable — a 400 — not the server failing.
#[test]
fn a_workbook_its_reader_panics_on_is_refused_as_damaged() {
    let sheet_past_the_end = patched_xls([0x85, 0x00, 0x0E, 0x00], &[0x00, 0xFF, 0xFF, 0x7F]);
    match read_table(&sheet_past_the_end, ImportKind::TaskTable) {
        Err(ReadError::Spreadsheet(m)) => assert!(m.contains("damaged"), "{m}"),
        other => panic!("a damaged .xls is unreadable, not {other:?}"),
    }
}
