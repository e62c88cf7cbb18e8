//! Stock, the campaign and the units' survey links as the console edits them (issue 13,
//! deliverable 6): items renamed, write-offs with their reason, the campaign's windows checked
//! field by field, several survey links per unit each with its own poster. On SQLite, and on
//! PostgreSQL under FIELDPOST_TEST_POSTGRES.

use axum::http::StatusCode;
use fieldpost_central::audit::Actor;
use fieldpost_central::campaign::{self, UnitSheetRow};
use serde_json::{Value, json};

use crate::support::{Central, expect_error, request};

#[tokio::test]
async fn issue_13_an_item_is_renamed_keeping_its_code_and_kind() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let viewer = c.login("viewer").await;
    let path = format!("/api/v1/items/{}", c.mask);
    let body = json!({"name": "医用口罩", "unit_label": "盒", "donor": "某医疗器械公司"});
    expect_error(
        c.call("PUT", &path, &viewer, Some(body.clone())).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a viewer reads items, never changes them",
    );
    let refused = expect_error(
        c.call(
            "PUT",
            &path,
            &admin,
            Some(json!({"name": "  ", "unit_label": "盒"})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a blank name is refused",
    );
    assert_eq!(
        refused["error"]["field"], "name",
        "the refusal names the field"
    );
    let (status, item) = c.call("PUT", &path, &admin, Some(body)).await;
    assert_eq!(status, StatusCode::OK, "{item}");
    assert_eq!(item["name"], "医用口罩", "renamed");
    assert_eq!(item["code"], "mask", "the code stays: stations refer to it");
    assert_eq!(
        item["kind"], "gift",
        "the kind stays: prize pools draw on prizes"
    );
    assert_eq!(item["donor"], "某医疗器械公司");
    let (_, items) = c.call("GET", "/api/v1/items", &viewer, None).await;
    let mask = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "mask")
        .unwrap();
    assert_eq!(mask["unit_label"], "盒", "a later read sees the change");
    expect_error(
        c.call(
            "PUT",
            &format!("/api/v1/items/{}", uuid::Uuid::now_v7()),
            &admin,
            Some(json!({"name": "x", "unit_label": "个"})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "no such item",
    );
}

fn on_hand(stock: &Value, code: &str) -> Value {
    stock
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["item"]["code"] == code)
        .unwrap()
        .clone()
}

#[tokio::test]
async fn issue_13_a_write_off_needs_its_reason_and_never_passes_on_hand() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let refused = expect_error(
        c.call(
            "POST",
            "/api/v1/stock/write-offs",
            &admin,
            Some(json!({"item_id": c.mask, "quantity": 5, "note": "  "})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "every mask accounted: a write-off says why",
    );
    assert_eq!(refused["error"]["field"], "note");
    let refused = expect_error(
        c.call(
            "POST",
            "/api/v1/stock/write-offs",
            &admin,
            Some(json!({"item_id": c.mask, "quantity": 101, "note": "受潮"})),
        )
        .await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "only 100 on hand",
    );
    assert_eq!(
        (
            &refused["error"]["requested"],
            &refused["error"]["available"]
        ),
        (&json!(101), &json!(100)),
        "the numbers come as facts, for the console's own words: {refused}"
    );
    let (status, entry) = c
        .call(
            "POST",
            "/api/v1/stock/receipts",
            &admin,
            Some(json!({"item_id": c.mask, "quantity": 50, "note": "第二批捐赠"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    let (status, entry) = c
        .call(
            "POST",
            "/api/v1/stock/write-offs",
            &admin,
            Some(json!({"item_id": c.mask, "quantity": 7, "note": "受潮"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{entry}");
    assert_eq!(
        entry["note"], "受潮",
        "the reason is kept with the movement"
    );
    let viewer = c.login("viewer").await;
    let (status, stock) = c.call("GET", "/api/v1/stock", &viewer, None).await;
    assert_eq!(status, StatusCode::OK, "a viewer reads the stock");
    let mask = on_hand(&stock, "mask");
    assert_eq!(mask["received"], 150, "both receipts");
    assert_eq!(mask["written_off"], 7, "only the accepted write-off");
    assert_eq!(mask["on_hand"], 143, "refusals took nothing");
}

fn campaign_body(collection_start: &str, publicity_end: &str) -> Value {
    json!({
        "name": "2022 网民网络安全感满意度调查活动（揭阳站）", "city": "揭阳",
        "publicity_start": "2022-07-08", "publicity_end": publicity_end,
        "collection_start": collection_start, "collection_end": "2022-08-12T16:00:00Z",
        "target": 50000
    })
}

#[tokio::test]
async fn issue_13_the_campaign_windows_are_refused_field_by_field() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (_, before) = c.call("GET", "/api/v1/campaign", &admin, None).await;
    for (body, field, why) in [
        (
            campaign_body("2022-07-06T01:00:00Z", "2022-08-02"),
            "collection_start",
            "collection opens after publicity has begun",
        ),
        (
            campaign_body("2022-08-03T01:00:00Z", "2022-08-13"),
            "publicity_end",
            "publicity ends by the collection's last day (8/12 24:00 China time)",
        ),
        (
            json!({"name": "x", "city": "揭阳", "publicity_start": "2022-07-08",
                   "publicity_end": "2022-07-01",
                   "collection_start": "2022-08-03T01:00:00Z",
                   "collection_end": "2022-08-12T16:00:00Z", "target": 1}),
            "publicity_end",
            "publicity ends after it starts",
        ),
    ] {
        let refused = expect_error(
            c.call("PUT", "/api/v1/campaign", &admin, Some(body)).await,
            StatusCode::BAD_REQUEST,
            "invalid_value",
            why,
        );
        assert_eq!(refused["error"]["field"], field, "{why}");
    }
    let (_, after) = c.call("GET", "/api/v1/campaign", &admin, None).await;
    assert_eq!(before, after, "a refused campaign changes nothing");
    // The plan's own windows: publicity 7/8–8/2, collection 8/3 09:00 – 8/12 24:00.
    let (status, saved) = c
        .call(
            "PUT",
            "/api/v1/campaign",
            &admin,
            Some(campaign_body("2022-08-03T01:00:00Z", "2022-08-02")),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{saved}");
    assert_eq!(saved["collection_end"], "2022-08-12T16:00:00Z");
}

#[tokio::test]
async fn issue_13_a_unit_has_several_links_each_with_its_own_poster() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let viewer = c.login("viewer").await;
    let links = format!("/api/v1/units/{}/links", c.unit_a);
    let (status, added) = c
        .call(
            "POST",
            &links,
            &admin,
            Some(json!({"label": "榕城区站点", "url": "https://s.example/a-2"})),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{added}");
    let link_id = added["id"].as_str().unwrap().to_owned();
    for (body, status, code, field, why) in [
        (
            json!({"label": "重复", "url": "https://s.example/b"}),
            StatusCode::CONFLICT,
            "duplicate",
            "url",
            "another unit's primary link counts for that unit only",
        ),
        (
            json!({"label": "重复", "url": "https://s.example/a-2"}),
            StatusCode::CONFLICT,
            "duplicate",
            "url",
            "the same extra link twice",
        ),
        (
            json!({"label": "", "url": "https://s.example/a-3"}),
            StatusCode::BAD_REQUEST,
            "invalid_value",
            "label",
            "a link is labelled, to tell its posters apart",
        ),
        (
            json!({"label": "三", "url": "s.example/a 3"}),
            StatusCode::BAD_REQUEST,
            "invalid_value",
            "url",
            "a phone opens web addresses only",
        ),
    ] {
        let refused = expect_error(
            c.call("POST", &links, &admin, Some(body)).await,
            status,
            code,
            why,
        );
        assert_eq!(refused["error"]["field"], field, "{why}");
    }
    expect_error(
        c.call(
            "POST",
            &links,
            &viewer,
            Some(json!({"label": "x", "url": "https://s.example/x"})),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a viewer adds no links",
    );
    let (status, list) = c.call("GET", &links, &viewer, None).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(
        list["primary"], "https://s.example/a",
        "the primary link first"
    );
    assert_eq!(
        list["extra"].as_array().unwrap().len(),
        1,
        "one extra, no refused ones"
    );
    assert_eq!(list["extra"][0]["label"], "榕城区站点");

    // A unit's own account reads its links, not another unit's.
    let viewer_a = c.login("viewer_a").await;
    let (status, _) = c.call("GET", &links, &viewer_a, None).await;
    assert_eq!(status, StatusCode::OK, "a unit reads its own links");
    expect_error(
        c.call(
            "GET",
            &format!("/api/v1/units/{}/links", c.unit_b),
            &viewer_a,
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "not another unit's",
    );

    // Its poster: the unit's name, the link's label, the link.
    let poster = format!("/api/v1/posters/{}/links/{link_id}", c.unit_a);
    let (status, _, svg) = c.raw(request("GET", &poster, &viewer, None)).await;
    assert_eq!(status, StatusCode::OK, "a viewer prints a link's poster");
    let svg = String::from_utf8(svg.to_vec()).unwrap();
    assert!(svg.contains(r#"width="210mm" height="297mm""#), "A4");
    assert!(
        svg.contains("单位甲")
            && svg.contains("榕城区站点")
            && svg.contains("https://s.example/a-2"),
        "name, label and link: {svg}"
    );
    expect_error(
        c.call(
            "GET",
            &format!("/api/v1/posters/{}/links/{link_id}", c.unit_b),
            &viewer,
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "a link is printed under its own unit only",
    );
    let (status, _, html) = c
        .raw(request("GET", "/api/v1/posters", &viewer, None))
        .await;
    assert_eq!(status, StatusCode::OK);
    let html = String::from_utf8(html.to_vec()).unwrap();
    assert_eq!(
        html.matches("<section class=\"page\">").count(),
        3,
        "two units' primary posters and the extra link's"
    );
    assert!(
        html.contains("https://s.example/a-2"),
        "the extra link is printed too"
    );

    // A unit's primary link may not take another unit's extra link.
    expect_error(
        c.call(
            "PUT",
            &format!("/api/v1/units/{}", c.unit_b),
            &admin,
            Some(
                json!({"section_id": c.section, "name": "单位乙", "quota": 400,
                        "survey_link": "https://s.example/a-2"}),
            ),
        )
        .await,
        StatusCode::CONFLICT,
        "duplicate",
        "a link counts for one unit",
    );

    // The task table sets the primary link and leaves the extra ones.
    let outcome = campaign::apply_unit_sheet(
        c.store.as_ref(),
        &Actor::System("test"),
        c.now(),
        &[UnitSheetRow {
            name: "单位甲".into(),
            section: None,
            quota: 650,
            survey_link: "https://s.example/a-new".into(),
            contact: None,
        }],
    )
    .unwrap();
    assert_eq!(outcome.updated, 1);
    let (_, list) = c.call("GET", &links, &admin, None).await;
    assert_eq!(
        list["primary"], "https://s.example/a-new",
        "the import set the primary"
    );
    assert_eq!(
        list["extra"].as_array().unwrap().len(),
        1,
        "the extra link stays"
    );

    // Removed: gone from the list and its poster.
    let (status, removed) = c
        .call("DELETE", &format!("{links}/{link_id}"), &admin, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{removed}");
    assert_eq!(
        removed["url"], "https://s.example/a-2",
        "answers what it removed"
    );
    let (_, list) = c.call("GET", &links, &admin, None).await;
    assert!(list["extra"].as_array().unwrap().is_empty(), "removed");
    expect_error(
        c.call("GET", &poster, &viewer, None).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "a removed link has no poster",
    );
    expect_error(
        c.call("DELETE", &format!("{links}/{link_id}"), &admin, None)
            .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "removed once",
    );
    let (_, audit) = c.call("GET", "/api/v1/audit", &admin, None).await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["action"].as_str())
        .collect();
    assert!(
        actions.contains(&"unit.link_add") && actions.contains(&"unit.link_remove"),
        "links are audited: {actions:?}"
    );
}
