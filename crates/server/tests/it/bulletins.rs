//! The daily bulletin (issue 13, deliverable 2): daily increments, the two ranks with ties,
//! publishing into the archive, and a published day unchanged by later imports.

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use serde_json::{Value, json};

use crate::support::{Auth, Central, expect_error, request};

/// A third unit, 单位丙 with a quota of 300, in the suite's section.
async fn unit_c(c: &Central, admin: &Auth) -> String {
    let unit = json!({"section_id": c.section, "name": "单位丙", "quota": 300,
                      "survey_link": "https://s.example/c"});
    let (status, u) = c.call("POST", "/api/v1/units", admin, Some(unit)).await;
    assert_eq!(status, StatusCode::CREATED, "unit C created: {u}");
    u["id"].as_str().unwrap().to_owned()
}

async fn import(c: &Central, admin: &Auth, counts: Value) {
    let (status, body) = c
        .call(
            "POST",
            "/api/v1/collection-counts",
            admin,
            Some(json!({ "counts": counts })),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "counts imported: {body}");
}

fn line<'a>(b: &'a Value, name: &str) -> &'a Value {
    b["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["unit_name"] == name)
        .unwrap_or_else(|| panic!("{name} in the bulletin: {b}"))
}

#[tokio::test]
async fn the_bulletin_has_daily_increments_and_two_ranks_with_ties() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let c_id = unit_c(&c, &admin).await;
    // 甲 600: 150 + 150 = 300 (50%); 乙 400: 200 (50%); 丙 300: 300 (100%).
    // By rate: 丙 1, 甲 and 乙 tie at 2. By count: 甲 and 丙 tie at 1, 乙 3.
    import(
        &c,
        &admin,
        json!([
            {"unit_id": c.unit_a, "day": "2022-08-03", "count": 150},
            {"unit_id": c.unit_a, "day": "2022-08-05", "count": 150},
            {"unit_id": c.unit_b, "day": "2022-08-04", "count": 200},
            {"unit_id": c_id, "day": "2022-08-03", "count": 300},
        ]),
    )
    .await;
    let (status, b) = c.call("GET", "/api/v1/bulletin", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "the live bulletin: {b}");
    assert_eq!(
        b["days"],
        json!(["2022-08-03", "2022-08-04", "2022-08-05"]),
        "every day from the first count to the last, the empty 8/4 of 甲 included"
    );
    let (a, bb, cc) = (line(&b, "单位甲"), line(&b, "单位乙"), line(&b, "单位丙"));
    assert_eq!(
        a["daily"],
        json!([150, 0, 150]),
        "甲's increments, 0 on 8/4"
    );
    assert_eq!(bb["daily"], json!([0, 200, 0]), "乙's increments");
    assert_eq!(a["collected"], 300, "甲's total");
    assert_eq!(cc["rank_by_rate"], 1, "丙 100%: first by rate");
    assert_eq!(a["rank_by_rate"], 2, "甲 50% ties with 乙");
    assert_eq!(bb["rank_by_rate"], 2, "乙 50% ties with 甲");
    assert_eq!(a["rank_by_count"], 1, "甲 300 ties with 丙");
    assert_eq!(cc["rank_by_count"], 1, "丙 300 ties with 甲");
    assert_eq!(
        bb["rank_by_count"], 3,
        "乙 200: the tie above takes two places"
    );
    assert_eq!(b["daily_totals"], json!([450, 200, 150]), "the day totals");
    assert_eq!(b["collected"], 800, "the campaign's total");
    assert_eq!(b["units"][0]["unit_name"], "单位丙", "listed by rate first");
    assert!(
        b["published_at"].is_null(),
        "the live bulletin is not published"
    );

    // The records carry both ranks too (the dashboard shows them).
    let (_, r) = c.call("GET", "/api/v1/records", &admin, None).await;
    let ra = r["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit"]["name"] == "单位甲")
        .unwrap();
    assert_eq!(ra["rank"], 1, "the records' count rank");
    assert_eq!(ra["rank_by_rate"], 2, "the records' rate rank");
}

fn sheet(bytes: &[u8]) -> Vec<Vec<Data>> {
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap();
    let range = book.worksheet_range("采集数据通报").unwrap();
    range.rows().map(|r| r.to_vec()).collect()
}

#[tokio::test]
async fn a_published_bulletin_stays_as_published_after_later_imports() {
    let c = Central::new();
    let admin = c.login("admin").await;
    import(
        &c,
        &admin,
        json!([{"unit_id": c.unit_a, "day": "2022-08-03", "count": 60}]),
    )
    .await;

    let viewer_a = c.login("viewer_a").await;
    expect_error(
        c.call("POST", "/api/v1/bulletins", &viewer_a, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "only the secretariat's admins publish",
    );
    let (status, published) = c.call("POST", "/api/v1/bulletins", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "published: {published}");
    assert_eq!(published["day"], "2022-08-03", "today, China time");
    assert_eq!(published["published_by"], "user:admin", "who published it");

    // Later counts change the live bulletin, not the published one.
    c.advance(chrono::Duration::days(1));
    let (admin, viewer_a) = (c.login("admin").await, c.login("viewer_a").await);
    import(
        &c,
        &admin,
        json!([{"unit_id": c.unit_b, "day": "2022-08-04", "count": 500}]),
    )
    .await;
    let (_, live) = c.call("GET", "/api/v1/bulletin", &admin, None).await;
    assert_eq!(
        live["collected"], 560,
        "the live bulletin has the new counts"
    );

    // A unit account reads the archive: the 通报 is published to all units.
    let (status, days) = c.call("GET", "/api/v1/bulletins", &viewer_a, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a unit account lists the days: {days}"
    );
    assert_eq!(days.as_array().unwrap().len(), 1, "one published day");
    assert_eq!(days[0]["day"], "2022-08-03");
    let (status, again) = c
        .call("GET", "/api/v1/bulletins/2022-08-03", &viewer_a, None)
        .await;
    assert_eq!(status, StatusCode::OK, "the archived day: {again}");
    assert_eq!(again, published, "shown again exactly as published");
    assert_eq!(again["collected"], 60, "without the later import");

    let (status, _, bytes) = c
        .raw(request(
            "GET",
            "/api/v1/bulletins/2022-08-03/bulletin.xlsx",
            &viewer_a,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "the archived day's workbook");
    let rows = sheet(&bytes);
    let headers: Vec<String> = rows[1].iter().map(|d| d.to_string()).collect();
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
        "Chinese headers, one column per day"
    );
    let a = rows
        .iter()
        .find(|r| r[2] == Data::String("单位甲".into()))
        .unwrap();
    assert_eq!(a[5], Data::Float(60.0), "the count as published");
    assert_eq!(a[7], Data::Float(60.0), "8/3's increment");

    expect_error(
        c.call("GET", "/api/v1/bulletins/2022-08-04", &admin, None)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "8/4 was not published",
    );
    expect_error(
        c.call("GET", "/api/v1/bulletins/yesterday", &admin, None)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a day is a date",
    );
    let refused = expect_error(
        c.call("GET", "/api/v1/bulletins/%FF", &admin, None).await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a segment that is not UTF-8 is no date either",
    );
    assert_eq!(
        refused["error"]["field"], "day",
        "the refusal names the day"
    );
    assert!(
        refused["error"]["message"]
            .as_str()
            .unwrap()
            .contains("a date"),
        "and says it must be a date, not a UUID: {refused}"
    );

    // Publishing is audited.
    let (_, audit) = c
        .call("GET", "/api/v1/audit?action=bulletin.publish", &admin, None)
        .await;
    assert_eq!(
        audit.as_array().unwrap().len(),
        1,
        "one publication audited: {audit}"
    );
}

/// Every `unit_progress` record a pull from 0 brings the device.
async fn pulled_progress(c: &Central, device: &Auth) -> Vec<Value> {
    let (status, page) = c
        .call("GET", "/api/v1/sync/pull?after=0&limit=1000", device, None)
        .await;
    assert_eq!(status, StatusCode::OK, "pulled: {page}");
    page["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|ch| ch["record"]["type"] == "unit_progress")
        .map(|ch| ch["record"]["progress"].clone())
        .collect()
}

#[tokio::test]
async fn tablets_pull_their_units_progress_as_the_latest_bulletin_has_it() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (_, tablet_a) = c.device(c.unit_a, "甲 1号平板").await;
    let (_, tablet_b) = c.device(c.unit_b, "乙 1号平板").await;
    import(
        &c,
        &admin,
        json!([
            {"unit_id": c.unit_a, "day": "2022-08-03", "count": 150},
            {"unit_id": c.unit_b, "day": "2022-08-03", "count": 300},
        ]),
    )
    .await;
    assert!(
        pulled_progress(&c, &tablet_a).await.is_empty(),
        "no progress before a bulletin is published"
    );
    let (status, _) = c.call("POST", "/api/v1/bulletins", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "published");

    let a = pulled_progress(&c, &tablet_a).await;
    assert_eq!(
        a.len(),
        1,
        "unit A's tablet gets its own unit's progress only: {a:?}"
    );
    assert_eq!(a[0]["unit_id"], c.unit_a.to_string());
    assert_eq!(a[0]["collected"], 150, "150 collected");
    assert_eq!(a[0]["quota"], 600, "of 600");
    assert_eq!(a[0]["progress_percent"], 25.0, "25%");
    assert_eq!(a[0]["rank_by_rate"], 2, "乙 75% is ahead");
    assert_eq!(a[0]["rank_by_count"], 2, "乙 300 is ahead");
    assert_eq!(a[0]["units"], 2, "of two units");
    assert_eq!(a[0]["day"], "2022-08-03", "the bulletin's day");
    let b = pulled_progress(&c, &tablet_b).await;
    assert_eq!(b.len(), 1, "unit B's tablet its own: {b:?}");
    assert_eq!(b[0]["rank_by_rate"], 1, "乙 first");

    // Counts imported later change nothing on the tablets until the next publication.
    import(
        &c,
        &admin,
        json!([{"unit_id": c.unit_a, "day": "2022-08-03", "count": 500}]),
    )
    .await;
    assert_eq!(
        pulled_progress(&c, &tablet_a).await[0]["collected"],
        150,
        "as the published bulletin has it"
    );
    let (status, _) = c.call("POST", "/api/v1/bulletins", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "published again");
    let a = pulled_progress(&c, &tablet_a).await;
    assert_eq!(
        a[0]["collected"], 500,
        "the new publication reaches the tablet"
    );
    assert_eq!(a[0]["rank_by_count"], 1, "and its new rank by count");
}
