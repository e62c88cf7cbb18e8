//! The secretariat console (issue 6) through the API, on real files: task tables and daily
//! counts written as real .xlsx (rust_xlsxwriter: a merged title row, blank lines, full-width
//! digits, real date cells) and .csv, previewed with every bad row listed, applied in one
//! transaction; exports read back with calamine; posters; the dashboard; the console's files.

use std::io::Cursor;

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, Request, StatusCode, header};
use calamine::{Data, Reader, Xlsx};
use chrono::{Duration, NaiveDate};
use fieldpost_central::audit::Actor;
use fieldpost_central::campaign;
use fieldpost_central::records::{self, SessionRecord, VolunteerHours};
use fieldpost_domain::{
    CheckInId, EventPayload, Handout, HandoutId, PlanId, SessionId, StationSession, UnitId,
};
use fieldpost_server::Config;
use fieldpost_sheets::export::{Names, volunteer_hours};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use serde_json::{Value, json};

use crate::support::{Auth, Central, expect_error, push_events, request, t0};

async fn raw(c: &Central, req: Request<Body>) -> (StatusCode, HeaderMap, Bytes) {
    c.raw(req).await
}

fn upload(path: &str, auth: &Auth, file: Vec<u8>) -> Request<Body> {
    let mut b = Request::builder().method("POST").uri(path);
    if let Auth::Cookie(cookie) = auth {
        b = b.header(header::COOKIE, cookie);
    }
    b.header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(file))
        .unwrap()
}

async fn send_file(c: &Central, path: &str, auth: &Auth, file: Vec<u8>) -> (StatusCode, Value) {
    let (status, _, bytes) = raw(c, upload(path, auth, file)).await;
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// A task table as the secretariat's sheet has it: a merged title, a blank line, a header with
/// an annotated quota column and a column nobody can map, full-width digits and links, a 合计.
fn task_table_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.set_name("任务分解").unwrap();
    ws.merge_range(
        0,
        0,
        0,
        6,
        "揭阳市2022年网民网络安全感满意度调查采集任务分解及链接入口表",
        &Format::new().set_bold(),
    )
    .unwrap();
    let header = [
        "序号",
        "单位名称",
        "所属版块",
        "采集任务（份）",
        "专属链接",
        "联系人",
        "负责人签字",
    ];
    for (col, h) in (0u16..).zip(header) {
        ws.write_string(2, col, h).unwrap();
    }
    // (row, unit, section, quota as text or number, link, contact)
    enum Q {
        Text(&'static str),
        Num(f64),
    }
    let rows: [(u32, &str, &str, Q, &str, &str); 8] = [
        (
            3,
            "单位甲",
            "侨",
            Q::Text("１，２００"),
            "https://s.example/a",
            "张三 13800001234",
        ),
        (
            5,
            "新单位丙",
            "学校",
            Q::Num(800.0),
            "ｈｔｔｐｓ：／／s.example/c",
            "",
        ),
        (
            6,
            "新单位丁",
            "学校",
            Q::Text("八百"),
            "https://s.example/d",
            "",
        ),
        (7, "单位甲", "侨", Q::Num(10.0), "https://s.example/a2", ""),
        (8, "新单位戊", "医院", Q::Num(300.0), "s.example/e", ""),
        (9, "新单位己", "", Q::Num(100.0), "https://s.example/f", ""),
        (
            10,
            "新单位庚",
            "医院",
            Q::Text(""),
            "https://s.example/g",
            "",
        ),
        (
            11,
            "　单位乙　",
            "",
            Q::Num(450.0),
            "https://s.example/b",
            "",
        ),
    ];
    for (n, (row, unit, section, quota, link, contact)) in (1u32..).zip(rows) {
        ws.write_number(row, 0, n).unwrap();
        ws.write_string(row, 1, unit).unwrap();
        ws.write_string(row, 2, section).unwrap();
        match quota {
            Q::Text(t) => ws.write_string(row, 3, t).unwrap(),
            Q::Num(q) => ws.write_number(row, 3, q).unwrap(),
        };
        ws.write_string(row, 4, link).unwrap();
        ws.write_string(row, 5, contact).unwrap();
    }
    ws.write_string(12, 1, "合计").unwrap();
    ws.write_number(12, 3, 2850).unwrap();
    book.save_to_buffer().unwrap()
}

fn issues(preview: &Value) -> Vec<(u64, String, String)> {
    preview["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["field"].as_str().unwrap().to_owned(),
                e["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_task_table_xlsx_preview_lists_every_bad_row_and_the_import_applies_at_once() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let file = task_table_xlsx();
    let dir = c.dir.path().join("任务分解表.xlsx");
    std::fs::write(&dir, &file).unwrap();
    let file = std::fs::read(&dir).unwrap();

    let (status, preview) = send_file(
        &c,
        "/api/v1/imports/task-table/preview",
        &admin,
        file.clone(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        preview["header_row"], 3,
        "the header is below the merged title and a blank row"
    );
    assert_eq!(preview["sheet"], "任务分解", "the sheet read");
    let mut got = issues(&preview);
    got.sort();
    let want: Vec<(u64, String, String)> = vec![
        (3, "header".into(), "unknown_header".into()),
        (7, "quota".into(), "not_a_number".into()),
        (8, "unit".into(), "duplicate_unit".into()),
        (9, "link".into(), "malformed_link".into()),
        (10, "section".into(), "missing_section".into()),
        (11, "quota".into(), "missing_value".into()),
    ];
    assert_eq!(
        got, want,
        "every bad row, with its field and reason: {preview}"
    );
    let unknown = &preview["errors"][0];
    assert_eq!(
        unknown["value"], "负责人签字",
        "the unmapped header is named"
    );
    assert_eq!(unknown["column"], "G", "with its column");
    let rows = preview["rows"].as_array().unwrap();
    let by_unit = |name: &str| rows.iter().find(|r| r["unit"] == name).unwrap();
    assert_eq!(
        by_unit("单位甲")["quota"],
        1200,
        "full-width digits with a full-width comma"
    );
    assert_eq!(
        by_unit("单位甲")["action"],
        "update",
        "an existing unit is updated"
    );
    assert_eq!(
        by_unit("新单位丙")["link"],
        "https://s.example/c",
        "a full-width link is normalized"
    );
    assert_eq!(by_unit("新单位丙")["action"], "create", "a new unit");
    assert_eq!(
        by_unit("单位乙")["quota"],
        450,
        "a name padded with ideographic spaces matches"
    );
    let skipped: Vec<(u64, &str)> = preview["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s.as_object().unwrap()["row"].as_u64().unwrap(),
                s["reason"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        vec![(1, "title"), (2, "blank"), (5, "blank"), (13, "total")],
        "the title, blank lines and the total row are passed over"
    );
    assert_eq!(
        campaign::unit(c.store.as_ref(), c.unit_a)
            .unwrap()
            .unwrap()
            .quota,
        600,
        "a preview writes nothing"
    );

    // Applying a file with bad rows is refused whole unless told to skip them.
    expect_error(
        send_file(&c, "/api/v1/imports/task-table", &admin, file.clone()).await,
        StatusCode::CONFLICT,
        "import_has_errors",
        "a file with bad rows is not half-applied",
    );
    assert_eq!(
        campaign::units(c.store.as_ref(), None).unwrap().len(),
        2,
        "nothing was written"
    );
    let viewer = c.login("viewer").await;
    expect_error(
        send_file(
            &c,
            "/api/v1/imports/task-table?skip_bad_rows=true",
            &viewer,
            file.clone(),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a viewer can see but not change",
    );
    let (status, applied) = send_file(
        &c,
        "/api/v1/imports/task-table?skip_bad_rows=true",
        &admin,
        file,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(
        applied["outcome"],
        json!({"created": 1, "updated": 2, "unchanged": 0, "sections_created": 1}),
        "丙 is created in a new 学校 section; 甲 and 乙 are updated"
    );
    let units = campaign::units(c.store.as_ref(), None).unwrap();
    let a = units.iter().find(|u| u.id == c.unit_a).unwrap();
    assert_eq!(a.quota, 1200, "甲's quota comes from the sheet");
    assert_eq!(
        a.contact.as_deref(),
        Some("张三 13800001234"),
        "and its contact"
    );
    let b = units.iter().find(|u| u.id == c.unit_b).unwrap();
    assert_eq!(
        (b.quota, b.section_id),
        (450, c.section),
        "乙 keeps its section"
    );
    let new = units.iter().find(|u| u.name == "新单位丙").unwrap();
    let school = campaign::sections(c.store.as_ref())
        .unwrap()
        .into_iter()
        .find(|s| s.name == "学校")
        .unwrap();
    assert_eq!(new.section_id, school.id, "丙 is in the new section");

    // The same sheet again changes nothing.
    let (_, again) = send_file(
        &c,
        "/api/v1/imports/task-table/preview",
        &admin,
        task_table_xlsx(),
    )
    .await;
    let actions: Vec<&str> = again["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, vec!["unchanged"; 3], "re-importing is idempotent");
}

/// Issue 14: the files that crashed the imports while fuzzing (kept as the fuzz target's
/// seeds: .xls files whose records claim billions of cells or name a sheet past the end, an
/// .xlsx announcing 10^11 strings or with a cell in row 4,000,000,000) are unreadable files,
/// answered 400 — not an aborted central, not a 500 — and the central answers on.
#[tokio::test]
async fn the_files_that_crashed_the_imports_are_unreadable_files() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let seeds =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/import_tasks");
    let mut crashed: Vec<_> = std::fs::read_dir(&seeds)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("crash-")
        })
        .collect();
    crashed.sort();
    assert!(
        crashed.len() >= 6,
        "the crashing inputs are kept: {crashed:?}"
    );
    for path in &crashed {
        for route in ["task-table", "collection-counts"] {
            let (status, body) = send_file(
                &c,
                &format!("/api/v1/imports/{route}/preview"),
                &admin,
                std::fs::read(path).unwrap(),
            )
            .await;
            let why = format!("{} as a {route}: {body}", path.display());
            assert_eq!(status, StatusCode::BAD_REQUEST, "{why}");
            // Unreadable, or (a cell past Excel's last row) too large: refused either way,
            // with the reason in the message.
            assert!(
                matches!(
                    body["error"]["code"].as_str(),
                    Some("unreadable_file" | "sheet_too_large")
                ),
                "{why}"
            );
            if body["error"]["code"] == "sheet_too_large" {
                assert_eq!(
                    body["error"]["limit"], 1_048_576,
                    "a cell past Excel's last row is told with Excel's rows: {why}"
                );
            }
            assert_eq!(body["error"]["field"], "file", "{why}");
        }
    }
    let (status, _) = send_file(
        &c,
        "/api/v1/imports/task-table/preview",
        &admin,
        task_table_xlsx(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the central reads the next file as ever"
    );
}

#[tokio::test]
async fn a_task_table_csv_with_english_headers_and_an_unreadable_file() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let csv = "\u{FEFF}Unit,Section,Quota,Link,Contact\r\n\
               单位甲,侨,700,https://s.example/a,\r\n\
               \r\n\
               \"新单位, 逗号\",侨,１２０,https://s.example/comma,李四\r\n\
               单位乙,侨,50,https://s.example/a,\r\n";
    let path = c.dir.path().join("tasks.csv");
    std::fs::write(&path, csv).unwrap();
    let (status, preview) = send_file(
        &c,
        "/api/v1/imports/task-table/preview",
        &admin,
        std::fs::read(&path).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        issues(&preview),
        vec![(5, "link".into(), "duplicate_link".into())],
        "the same link twice in one sheet: {preview}"
    );
    assert_eq!(preview["rows"][1]["unit"], "新单位, 逗号", "a quoted comma");
    assert_eq!(preview["rows"][1]["quota"], 120, "full-width digits in CSV");

    // Excel's plain "CSV (逗号分隔)" on Chinese Windows is GBK; its "Unicode 文本" is UTF-16
    // with tabs. Both read as the UTF-8 file does.
    let excel_table =
        "单位,板块,任务数,链接,联系人\r\n单位丙,侨,300,https://s.example/gbk,王五\r\n";
    let (gbk, _, lossy) = encoding_rs::GBK.encode(excel_table);
    assert!(!lossy);
    assert!(std::str::from_utf8(&gbk).is_err(), "really not UTF-8");
    let mut utf16 = vec![0xFF, 0xFE];
    for unit in excel_table.replace(',', "\t").encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    for (what, bytes) in [("GBK", gbk.into_owned()), ("UTF-16", utf16)] {
        let (status, preview) =
            send_file(&c, "/api/v1/imports/task-table/preview", &admin, bytes).await;
        assert_eq!(status, StatusCode::OK, "{what}: {preview}");
        assert_eq!(issues(&preview), vec![], "{what}: {preview}");
        assert_eq!(preview["rows"][0]["unit"], "单位丙", "{what}: {preview}");
        assert_eq!(preview["rows"][0]["contact"], "王五", "{what}: {preview}");
    }
    // Bytes in no encoding Excel writes are refused with what to do, never guessed at.
    let body = expect_error(
        send_file(
            &c,
            "/api/v1/imports/task-table/preview",
            &admin,
            vec![0xFF, 0x81, b',', b'1', b'\n'],
        )
        .await,
        StatusCode::BAD_REQUEST,
        "unreadable_file",
        "a CSV in no encoding Excel writes",
    );
    assert!(
        body["error"]["message"].as_str().unwrap().contains("UTF-8"),
        "says what to do: {body}"
    );
    let (status, body) = send_file(
        &c,
        "/api/v1/imports/task-table/preview",
        &admin,
        "名字,数\n甲,1\n".into(),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a preview of a sheet it cannot map: {body}"
    );
    assert_eq!(
        issues(&body),
        vec![(1, "header".into(), "no_header".into())],
        "a sheet without a recognizable header says so"
    );
}

/// Daily counts in the wide layout the survey platform's export is pasted into: one column
/// per day, the days as real Excel date cells.
fn counts_wide_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.merge_range(0, 0, 0, 3, "各单位每日采集量", &Format::new())
        .unwrap();
    ws.write_string(1, 0, "单位").unwrap();
    let date = Format::new().set_num_format("m月d日");
    for (col, day) in [(1u16, 3u8), (2, 4), (3, 5)] {
        ws.write_datetime_with_format(
            1,
            col,
            ExcelDateTime::from_ymd(2022, 8, day).unwrap(),
            &date,
        )
        .unwrap();
    }
    ws.write_string(2, 0, "单位甲").unwrap();
    ws.write_number(2, 1, 100).unwrap();
    ws.write_string(2, 2, "１２０").unwrap();
    ws.write_number(2, 3, 30).unwrap();
    ws.write_string(3, 0, "单位乙").unwrap();
    ws.write_number(3, 1, 40).unwrap();
    ws.write_string(3, 2, "n/a").unwrap();
    ws.write_string(4, 0, "不存在的单位").unwrap();
    ws.write_number(4, 1, 5).unwrap();
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn daily_counts_import_from_wide_xlsx_and_long_csv() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (status, preview) = send_file(
        &c,
        "/api/v1/imports/collection-counts/preview",
        &admin,
        counts_wide_xlsx(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        issues(&preview),
        vec![
            (4, "count".into(), "not_a_number".into()),
            (5, "unit".into(), "unknown_unit".into()),
        ],
        "a non-numeric count and an unknown unit: {preview}"
    );
    assert_eq!(
        preview["rows"].as_array().unwrap().len(),
        4,
        "甲 × 3 days, 乙 × 1"
    );
    assert_eq!(
        preview["columns"][1]["field"], "day:2022-08-03",
        "a date cell is a day column"
    );
    let (status, applied) = send_file(
        &c,
        "/api/v1/imports/collection-counts?skip_bad_rows=true",
        &admin,
        counts_wide_xlsx(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["imported"], 4, "the good values");
    let a: u32 = records::counts(c.store.as_ref(), Some(c.unit_a))
        .unwrap()
        .iter()
        .map(|d| d.count)
        .sum();
    assert_eq!(a, 250, "100 + 120 + 30");

    // Long CSV, dates written without a year and with slashes; a re-imported day replaces.
    let csv = "采集日期,单位,采集量\n8月3日,单位甲,90\n2022/8/6,单位乙,７\n昨天,单位乙,1\n\
               2022-08-06,单位乙,8\n";
    let (status, preview) = send_file(
        &c,
        "/api/v1/imports/collection-counts/preview",
        &admin,
        csv.into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        issues(&preview),
        vec![
            (4, "date".into(), "bad_date".into()),
            (5, "date".into(), "duplicate_day".into()),
        ],
        "a date nobody can read and the same unit and day twice"
    );
    let (status, _) = send_file(
        &c,
        "/api/v1/imports/collection-counts?skip_bad_rows=true",
        &admin,
        csv.into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "applied");
    let counts = records::counts(c.store.as_ref(), Some(c.unit_a)).unwrap();
    let aug3 = counts
        .iter()
        .find(|d| d.day == NaiveDate::from_ymd_opt(2022, 8, 3).unwrap())
        .unwrap();
    assert_eq!(
        aug3.count, 90,
        "the year comes from the campaign; the day is replaced"
    );
}

fn sheet_rows(bytes: &[u8], sheet: &str) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let range = book.worksheet_range(sheet).unwrap();
    range.rows().map(<[Data]>::to_vec).collect()
}

fn num(d: &Data) -> f64 {
    match d {
        Data::Float(f) => *f,
        Data::Int(i) => *i as f64,
        other => panic!("not a number: {other:?}"),
    }
}

fn text(d: &Data) -> String {
    d.to_string()
}

/// The day of a date cell (issue 13: exports wrote dates as text).
fn day_of(d: &Data) -> String {
    match d {
        Data::DateTime(t) => t.as_datetime().unwrap().date().to_string(),
        other => panic!("not a date cell: {other:?}"),
    }
}

async fn download(c: &Central, path: &str, auth: &Auth) -> Vec<u8> {
    let (status, headers, bytes) = raw(c, request("GET", path, auth, None)).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "{path}: {}",
        String::from_utf8_lossy(&bytes)
    );
    assert_eq!(
        headers[header::CONTENT_TYPE],
        fieldpost_sheets::export::XLSX_MIME,
        "{path} is an xlsx"
    );
    assert!(
        headers[header::CONTENT_DISPOSITION]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''"),
        "with its Chinese file name"
    );
    bytes.to_vec()
}

#[tokio::test]
async fn the_bulletin_export_reads_back_with_the_records_numbers() {
    let c = Central::new();
    let viewer = c.login("viewer").await;
    let actor = Actor::System("test");
    records::import_counts(
        c.store.as_ref(),
        &actor,
        c.now(),
        &[
            fieldpost_central::records::DailyCount {
                unit_id: c.unit_a,
                day: NaiveDate::from_ymd_opt(2022, 8, 3).unwrap(),
                count: 150,
            },
            fieldpost_central::records::DailyCount {
                unit_id: c.unit_b,
                day: NaiveDate::from_ymd_opt(2022, 8, 3).unwrap(),
                count: 300,
            },
        ],
    )
    .unwrap();
    let bytes = download(&c, "/api/v1/exports/bulletin.xlsx", &viewer).await;
    std::fs::write(c.dir.path().join("bulletin.xlsx"), &bytes).unwrap();
    let rows = sheet_rows(&bytes, "采集数据通报");
    let headers: Vec<String> = rows[1].iter().map(text).collect();
    assert_eq!(
        headers,
        vec![
            "完成率排名",
            "采集量排名",
            "单位",
            "版块",
            "采集任务",
            "采集量",
            "完成率",
            "8月3日"
        ],
        "Chinese headers, a column per collection day"
    );
    let records = records::records(c.store.as_ref()).unwrap();
    for u in &records.units {
        let r = rows[2..]
            .iter()
            .find(|r| text(&r[2]) == u.unit.name)
            .unwrap();
        assert_eq!(
            num(&r[0]),
            f64::from(u.rank_by_rate),
            "rate rank of {}",
            u.unit.name
        );
        assert_eq!(
            num(&r[1]),
            f64::from(u.rank),
            "count rank of {}",
            u.unit.name
        );
        assert_eq!(text(&r[3]), "侨", "section");
        assert_eq!(num(&r[4]), f64::from(u.unit.quota), "quota");
        assert_eq!(num(&r[5]), u.collected as f64, "collected");
        assert_eq!(num(&r[7]), u.collected as f64, "all of it on 8/3");
        assert!(
            (num(&r[6]) * 100.0 - u.progress_percent).abs() < 0.01,
            "progress {} vs {}",
            num(&r[6]),
            u.progress_percent
        );
    }
    assert_eq!(text(&rows[2][2]), "单位乙", "乙 75% and 300: first by rate");
    assert_eq!(num(&rows[2][6]), 0.75, "300 of 400");
    let total = &rows[2 + records.units.len()];
    assert_eq!(text(&total[2]), "合计", "a total row");
    assert_eq!(num(&total[5]), 450.0, "150 + 300");
    assert_eq!(num(&total[7]), 450.0, "8/3's total");
    let sections = sheet_rows(&bytes, "版块汇总");
    assert_eq!(num(&sections[2][3]), 450.0, "the section rollup");

    let (status, _, _) = raw(
        &c,
        request("GET", "/api/v1/exports/bulletin.xlsx", &Auth::None, None),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "exports need a login");
}

fn handout(
    plan: PlanId,
    item: fieldpost_domain::ItemId,
    quantity: u32,
    reason: Option<&str>,
) -> Handout {
    Handout {
        id: HandoutId::new(),
        session_id: SessionId::new(),
        plan_id: plan,
        item_id: item,
        quantity,
        handed_out_at: t0() + Duration::days(3) + Duration::hours(2),
        over_grant_reason: reason.map(str::to_owned),
    }
}

#[tokio::test]
async fn ledger_and_assessment_exports_and_the_dashboards_exceptions() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (d1, _) = c.device(c.unit_a, "甲 1").await;
    let plan = c.file_plan(&admin, c.unit_a).await;
    let (status, _) = c
        .call(
            "POST",
            &format!("/api/v1/plans/{plan}/approve"),
            &admin,
            Some(json!({"allocation": [{"item_id": c.mask, "quantity": 20}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "approved");
    let plan_id: PlanId = plan.parse().unwrap();
    let pushed = push_events(
        c.store.as_ref(),
        c.now(),
        d1,
        [
            handout(plan_id, c.mask, 15, None),
            handout(plan_id, c.mask, 8, Some("箱里多了")),
        ]
        .into_iter()
        .map(|handout| EventPayload::HandoutRecorded { handout })
        .collect(),
    );
    assert!(
        pushed.quarantined.is_empty(),
        "both handouts apply: {pushed:?}"
    );
    // The plan runs on 2022-08-06 (China time); counts of other days do not count for it.
    let day = |d| NaiveDate::from_ymd_opt(2022, 8, d).unwrap();
    records::import_counts(
        c.store.as_ref(),
        &Actor::System("test"),
        c.now(),
        &[(6, 120), (7, 50), (5, 9)]
            .into_iter()
            .map(|(d, n)| fieldpost_central::records::DailyCount {
                unit_id: c.unit_a,
                day: day(d),
                count: n,
            })
            .collect::<Vec<_>>(),
    )
    .unwrap();

    let ledger = download(&c, "/api/v1/exports/handouts.xlsx", &admin).await;
    let rows = sheet_rows(&ledger, "派送台账");
    assert_eq!(rows.len(), 4, "title, header and two handouts");
    assert_eq!(text(&rows[1][0]), "派送时间", "Chinese headers");
    let Data::DateTime(when) = &rows[2][0] else {
        panic!("the handout time is a datetime cell: {:?}", rows[2][0]);
    };
    assert_eq!(
        when.as_datetime().unwrap().to_string(),
        "2022-08-06 11:00:00",
        "in China time (t0 + 3 days + 2 hours, UTC+8)"
    );
    assert_eq!(text(&rows[2][1]), "单位甲", "the unit by name");
    assert_eq!(text(&rows[2][4]), "口罩", "the item by name");
    assert_eq!(
        (num(&rows[3][5]), num(&rows[3][6]), num(&rows[3][7])),
        (8.0, 5.0, 3.0),
        "8 handed out, 5 within the grant, 3 beyond it"
    );
    assert_eq!(text(&rows[3][8]), "箱里多了", "the volunteer's reason");

    let assessment = download(&c, "/api/v1/exports/plan-assessment.xlsx", &admin).await;
    let rows = sheet_rows(&assessment, "活动考核");
    let headers: Vec<String> = rows[1].iter().map(text).collect();
    assert_eq!(
        headers,
        vec![
            "单位",
            "活动",
            "状态",
            "开始日期",
            "结束日期",
            "派送口罩",
            "派送网安四宝",
            "派送合计",
            "活动期间采集量（重叠日只计一次）",
            "每份宣传品对应问卷"
        ],
        "a column per item"
    );
    assert_eq!(
        day_of(&rows[2][3]),
        "2022-08-06",
        "the window in China time, as a date cell"
    );
    assert_eq!(num(&rows[2][5]), 23.0, "all 23 masks handed out");
    assert_eq!(num(&rows[2][8]), 120.0, "only the plan's own day counts");
    assert!(
        (num(&rows[2][9]) - 120.0 / 23.0).abs() < 1e-9,
        "questionnaires per item"
    );

    let (status, dash) = c.call("GET", "/api/v1/dashboard", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{dash}");
    let over = dash["exceptions"]["over_grant"].as_array().unwrap();
    assert_eq!(
        over.len(),
        1,
        "the over-grant handout is an exception to review"
    );
    assert_eq!(over[0]["quantity"], 8, "{over:?}");
    let masks = dash["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"]["code"] == "mask")
        .unwrap();
    assert_eq!(
        (masks["allocated"].as_u64(), masks["handed_out"].as_u64()),
        (Some(20), Some(23)),
        "allocated against handed out, exceptions included"
    );
    assert_eq!(
        dash["daily"].as_array().unwrap().len(),
        3,
        "one point per day"
    );
    let devices = dash["devices"].as_array().unwrap();
    assert_eq!(devices[0]["unit_name"], "单位甲", "devices with their unit");
    assert!(
        !devices[0]["last_push_at"].is_null(),
        "its handouts came by push, so it has pushed: {devices:?}"
    );
    let (_, d_auth) = c.device(c.unit_a, "甲 2").await;
    let (_, dash) = c.call("GET", "/api/v1/dashboard", &admin, None).await;
    let fresh = dash["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "甲 2")
        .expect("the new device is listed");
    assert!(
        fresh["last_push_at"].is_null(),
        "this one never pushed: {fresh}"
    );
    expect_error(
        c.call("GET", "/api/v1/dashboard", &d_auth, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a device never reads the dashboard",
    );
}

#[test]
fn volunteer_hours_total_per_volunteer() {
    let unit = UnitId::new();
    let at = t0();
    let session = |who: &[(&str, Option<&str>, Option<i64>)]| SessionRecord {
        session: StationSession {
            id: SessionId::new(),
            plan_id: PlanId::new(),
            device_id: fieldpost_domain::DeviceId::new(),
            station: "进贤门广场".into(),
            opened_at: at,
            closed_at: None,
        },
        unit_id: unit,
        people_reached: 0,
        questionnaires_assisted: 0,
        exception: None,
        volunteers: who
            .iter()
            .map(|(name, id, minutes)| VolunteerHours {
                check_in_id: CheckInId::new(),
                volunteer_name: (*name).into(),
                ivolunteer_id: id.map(str::to_owned),
                checked_in_at: at,
                checked_out_at: minutes.map(|m| at + Duration::minutes(m)),
                minutes: minutes.map(|m| m as u64),
            })
            .collect(),
    };
    let sessions = vec![
        session(&[("王五", Some("IV001"), Some(90)), ("赵六", None, Some(30))]),
        session(&[("王五", Some("IV001"), Some(120)), ("赵六", None, None)]),
    ];
    let units = vec![fieldpost_domain::Unit {
        id: unit,
        campaign_id: fieldpost_domain::CampaignId::new(),
        section_id: fieldpost_domain::SectionId::new(),
        name: "揭阳市侨联".into(),
        quota: 1,
        survey_link: "https://s.example/q".into(),
        contact: None,
    }];
    let bytes = volunteer_hours(&sessions, &Names::new(&units, &[], &[])).unwrap();
    let rows = sheet_rows(&bytes, "志愿服务时长");
    assert_eq!(text(&rows[1][0]), "姓名", "Chinese headers");
    let wang = rows.iter().find(|r| text(&r[0]) == "王五").unwrap();
    assert_eq!(num(&wang[3]), 2.0, "two sessions");
    assert_eq!(num(&wang[4]), 3.5, "210 minutes = 3.5 hours");
    assert_eq!(text(&wang[2]), "揭阳市侨联", "the unit served");
    let zhao = rows.iter().find(|r| text(&r[0]) == "赵六").unwrap();
    assert_eq!(
        (num(&zhao[4]), num(&zhao[6])),
        (0.5, 1.0),
        "an open check-in counts as a session, not as time"
    );
    let detail = sheet_rows(&bytes, "签到明细");
    assert_eq!(detail.len(), 2 + 4, "every check-in");
}

#[tokio::test]
async fn posters_one_unit_as_svg_and_all_units_as_one_printable_document() {
    let c = Central::new();
    let viewer = c.login("viewer").await;
    let (status, headers, body) = raw(
        &c,
        request(
            "GET",
            &format!("/api/v1/posters/{}", c.unit_a),
            &viewer,
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "a viewer prints posters");
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("image/svg+xml"),
        "an SVG"
    );
    let svg = String::from_utf8(body.to_vec()).unwrap();
    assert!(
        svg.contains("单位甲") && svg.contains("https://s.example/a"),
        "name and link"
    );
    assert!(svg.contains(r#"height="297mm""#), "A4");
    let (status, _, body) = raw(&c, request("GET", "/api/v1/posters", &viewer, None)).await;
    assert_eq!(status, StatusCode::OK, "all posters");
    let html = String::from_utf8(body.to_vec()).unwrap();
    assert_eq!(html.matches("<svg").count(), 2, "one page per unit");
    assert!(html.contains("size:A4"), "printed as A4 pages");
    let (status, _, _) = raw(
        &c,
        request(
            "GET",
            &format!("/api/v1/posters/{}", UnitId::new()),
            &viewer,
            None,
        ),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an unknown unit");
}

#[tokio::test]
async fn the_console_releases_stock_only_from_a_revoked_device() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (d1, _) = c.device(c.unit_a, "甲 1").await;
    let plan = c.file_plan(&admin, c.unit_a).await;
    c.call(
        "POST",
        &format!("/api/v1/plans/{plan}/approve"),
        &admin,
        Some(json!({"allocation": [{"item_id": c.mask, "quantity": 10}]})),
    )
    .await;
    let release = json!({"device_id": d1, "item_id": c.mask, "quantity": 2});
    expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/releases"),
            &admin,
            Some(release.clone()),
        )
        .await,
        StatusCode::CONFLICT,
        "device_not_revoked",
        "escrow: a live device may be offline spending its grant",
    );
    let (status, _) = c
        .call(
            "POST",
            &format!("/api/v1/devices/{d1}/revoke"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "revoked");
    let (_, view) = c
        .call("GET", &format!("/api/v1/plans/{plan}"), &admin, None)
        .await;
    let line = view["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["device_id"] == d1.to_string())
        .unwrap();
    assert_eq!(
        line["granted"], 0,
        "revoking returned the unspent grant already: {view}"
    );
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/plans/{plan}/releases"),
            &admin,
            Some(release),
        )
        .await;
    assert_ne!(
        body["error"]["code"], "device_not_revoked",
        "a revoked device's grant may be moved ({status})"
    );
}

#[tokio::test]
async fn the_console_is_served_at_the_root_and_says_how_to_build_it_when_missing() {
    let c = Central::new();
    let (status, headers, body) = raw(&c, request("GET", "/", &Auth::None, None)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not built");
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("text/html"),
        "a page"
    );
    assert!(
        String::from_utf8_lossy(&body).contains("npm run build:console"),
        "saying how to build it"
    );
    let (status, body) = c
        .call("GET", "/api/v1/nothing-here", &Auth::None, None)
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert_eq!(
        body["error"]["code"], "not_found",
        "the API keeps its JSON 404"
    );

    let built = tempfile::tempdir().unwrap();
    std::fs::write(
        built.path().join("console.html"),
        "<!doctype html><p>控制台",
    )
    .unwrap();
    std::fs::create_dir(built.path().join("assets")).unwrap();
    std::fs::write(built.path().join("assets/app.js"), "export {}").unwrap();
    let served = Central::with_config(Config {
        console_dir: Some(built.path().to_owned()),
        ..Config::default()
    });
    let (status, _, body) = raw(&served, request("GET", "/", &Auth::None, None)).await;
    assert_eq!(status, StatusCode::OK, "the console page at /");
    assert!(
        String::from_utf8_lossy(&body).contains("控制台"),
        "its content"
    );
    let (status, headers, _) =
        raw(&served, request("GET", "/assets/app.js", &Auth::None, None)).await;
    assert_eq!(status, StatusCode::OK, "its assets");
    assert!(
        headers[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .contains("javascript"),
        "with their type"
    );
    let (status, _, _) = raw(&served, request("GET", "/../Cargo.toml", &Auth::None, None)).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "nothing outside the directory"
    );
}

/// Issue 13: real task tables broke the import. A 合计 in a merged first column, a 联系电话
/// beside 联系人, a negative quota, notes below the table.
fn real_task_table_xlsx() -> Vec<u8> {
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.merge_range(0, 0, 0, 5, "采集任务分解及链接入口表", &Format::new())
        .unwrap();
    let header = [
        "序号",
        "单位名称",
        "采集任务（份）",
        "专属链接",
        "联系人",
        "联系电话",
    ];
    for (col, h) in (0u16..).zip(header) {
        ws.write_string(1, col, h).unwrap();
    }
    let rows: [(&str, f64, &str, &str, &str); 2] = [
        (
            "单位甲",
            700.0,
            "https://s.example/a",
            "陈联络",
            "13800000001",
        ),
        (
            "单位乙",
            -50.0,
            "https://s.example/b",
            "王五",
            "0663-8888888",
        ),
    ];
    for (row, (unit, quota, link, name, phone)) in (2u32..).zip(rows) {
        ws.write_number(row, 0, row - 1).unwrap();
        ws.write_string(row, 1, unit).unwrap();
        ws.write_number(row, 2, quota).unwrap();
        ws.write_string(row, 3, link).unwrap();
        ws.write_string(row, 4, name).unwrap();
        ws.write_string(row, 5, phone).unwrap();
    }
    ws.merge_range(4, 0, 4, 1, "合计", &Format::new()).unwrap();
    ws.write_number(4, 2, 650).unwrap();
    let note = "备注：链接为各单位专属，请勿外传。";
    ws.merge_range(5, 0, 5, 5, note, &Format::new()).unwrap();
    book.save_to_buffer().unwrap()
}

#[tokio::test]
async fn real_task_tables_import_with_their_totals_notes_and_phones() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (status, preview) = send_file(
        &c,
        "/api/v1/imports/task-table/preview",
        &admin,
        real_task_table_xlsx(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        issues(&preview),
        vec![(4, "quota".into(), "negative".into())],
        "only the negative quota is a problem, and called so: {preview}"
    );
    assert_eq!(preview["error_count"], 1, "counted");
    let skipped: Vec<(u64, String)> = preview["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["row"].as_u64().unwrap(),
                s["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        skipped,
        vec![(1, "title".into()), (5, "total".into()), (6, "note".into())],
        "the merged 合计 is a total row, the note a note"
    );
    let (status, applied) = send_file(
        &c,
        "/api/v1/imports/task-table?skip_bad_rows=true",
        &admin,
        real_task_table_xlsx(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    let units = campaign::units(c.store.as_ref(), None).unwrap();
    let a = units.iter().find(|u| u.id == c.unit_a).unwrap();
    assert_eq!(
        (a.quota, a.contact.as_deref()),
        (700, Some("陈联络 13800000001")),
        "the phone is kept beside the contact's name"
    );
    let b = units.iter().find(|u| u.id == c.unit_b).unwrap();
    assert_eq!(
        (b.quota, b.contact.as_deref()),
        (400, None),
        "乙's bad row changes nothing stored"
    );
}

/// Issue 13's audit: a filled cell past the column limit was told as `sheet_too_large`, which
/// the console said as "too many rows". It has its own code and the column limit as a number.
#[tokio::test]
async fn a_sheet_too_wide_is_told_apart_from_one_too_long() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut csv = String::from("单位,采集任务,专属链接\n揭阳市侨联,100,https://s.example/q");
    csv.push_str(&",".repeat(300));
    csv.push_str("备注\n");
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "单位").unwrap();
    ws.write_string(0, 1, "日期").unwrap();
    ws.write_string(0, 2, "采集量").unwrap();
    ws.write_number(1, 400, 1).unwrap();
    let xlsx = book.save_to_buffer().unwrap();
    for (what, path, file) in [
        (
            "CSV task table",
            "/api/v1/imports/task-table/preview",
            csv.into_bytes(),
        ),
        ("xlsx counts", "/api/v1/imports/collection-counts", xlsx),
    ] {
        let body = expect_error(
            send_file(&c, path, &admin, file).await,
            StatusCode::BAD_REQUEST,
            "sheet_too_wide",
            what,
        );
        assert_eq!(
            body["error"]["limit"], 256,
            "{what}: the column limit as a number: {body}"
        );
        assert_eq!(body["error"]["field"], "file", "{what}");
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains("column"),
            "{what}: the message is about columns, not rows: {body}"
        );
    }
}

/// Issue 13: a sheet of a million tiny rows (under the size limit) took 50 s and answered
/// with 400 MB of errors. It is refused with the limit, in a small answer; under the limit a
/// sheet of bad rows lists the first 200 and counts them all.
#[tokio::test]
async fn a_huge_sheet_is_refused_with_its_limit_and_errors_are_capped() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut csv = String::from("单位,采集任务,专属链接\n");
    csv.push_str(&"x\n".repeat(1_000_000));
    let mut book = Workbook::new();
    let ws = book.add_worksheet();
    ws.write_string(0, 0, "单位").unwrap();
    ws.write_string(0, 1, "日期").unwrap();
    ws.write_string(0, 2, "采集量").unwrap();
    for row in 1..=1_000_000u32 {
        ws.write_number(row, 2, 1).unwrap();
    }
    let xlsx = book.save_to_buffer().unwrap();
    for (what, path, file, limit) in [
        (
            "CSV task table",
            "/api/v1/imports/task-table/preview",
            csv.into_bytes(),
            5000,
        ),
        (
            "xlsx counts",
            "/api/v1/imports/collection-counts",
            xlsx,
            100_000,
        ),
    ] {
        let (status, _, bytes) = raw(&c, upload(path, &admin, file)).await;
        assert!(
            bytes.len() < 1024,
            "{what}: a small answer ({} bytes)",
            bytes.len()
        );
        let body: Value = serde_json::from_slice(&bytes).unwrap();
        expect_error(
            (status, body.clone()),
            StatusCode::BAD_REQUEST,
            "sheet_too_large",
            what,
        );
        assert!(
            body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&limit.to_string()),
            "{what}: the message says the limit: {body}"
        );
        assert_eq!(
            body["error"]["limit"], limit,
            "{what}: the limit as a number, for the console's own words: {body}"
        );
        assert_eq!(body["error"]["field"], "file", "{what}");
    }

    let mut csv = String::from("单位,版块,采集任务,专属链接\n");
    for n in 0..4_999 {
        csv.push_str(&format!("新单位{n},侨,-{n},https://s.example/n{n}\n"));
    }
    let (status, _, bytes) = raw(
        &c,
        upload(
            "/api/v1/imports/task-table/preview",
            &admin,
            csv.clone().into_bytes(),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "4,999 rows are within the limit");
    assert!(
        bytes.len() < 100 * 1024,
        "the answer lists 200 problems, not 4,999 ({} bytes)",
        bytes.len()
    );
    let preview: Value = serde_json::from_slice(&bytes).unwrap();
    assert_eq!(preview["errors"].as_array().unwrap().len(), 200, "listed");
    assert_eq!(
        preview["error_count"], 4_998,
        "counted (-0 is a quota of 0)"
    );
    let body = expect_error(
        send_file(&c, "/api/v1/imports/task-table", &admin, csv.into_bytes()).await,
        StatusCode::CONFLICT,
        "import_has_errors",
        "nothing is applied",
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("4998 problem(s)"),
        "the refusal counts them all: {body}"
    );
}

/// Issue 13: counts are of collection days only. The preview names a day outside the window
/// (this world collects 8/3 09:00 to 8/13 09:00 China time) as a problem of its row, and an
/// import that skips bad rows applies only the others.
#[tokio::test]
async fn a_count_outside_the_collection_window_is_a_problem_of_its_row() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let csv = "采集日期,单位,采集量\n2022-08-02,单位甲,10\n2022-08-03,单位甲,20\n\
               2022-08-13,单位乙,30\n2022-08-14,单位乙,40\n";
    let (status, preview) = send_file(
        &c,
        "/api/v1/imports/collection-counts/preview",
        &admin,
        csv.into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{preview}");
    assert_eq!(
        issues(&preview),
        vec![
            (2, "date".into(), "outside_collection".into()),
            (5, "date".into(), "outside_collection".into()),
        ],
        "the day before and the day after the window: {preview}"
    );
    assert_eq!(preview["rows"].as_array().unwrap().len(), 2);
    let (status, applied) = send_file(
        &c,
        "/api/v1/imports/collection-counts?skip_bad_rows=true",
        &admin,
        csv.into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{applied}");
    assert_eq!(applied["imported"], 2, "the two collection days");
}
