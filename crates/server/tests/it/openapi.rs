//! The OpenAPI document lists exactly the routes the router serves, and what the routes
//! answer is what it says: support.rs validates every response of every test against it, and
//! the tour below answers every route at least once.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fieldpost_domain::{EventPayload, TopUpRequest, TopUpRequestId};
use fieldpost_server::route_table;
use fieldpost_sync::PushRequest;
use serde_json::{Value, json};

use crate::support::{Auth, Central, Tablet, at, document};

#[test]
fn every_route_is_documented_and_every_documented_route_exists() {
    let doc = document();
    let documented: BTreeSet<(String, String)> = doc["paths"]
        .as_object()
        .expect("paths")
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .expect("operations")
                .keys()
                .map(move |m| (m.clone(), path.clone()))
        })
        .collect();
    let routed: BTreeSet<(String, String)> = route_table()
        .into_iter()
        .map(|(m, p)| (m.as_str().to_owned(), p.to_owned()))
        .collect();
    let undocumented: Vec<_> = routed.difference(&documented).collect();
    let unrouted: Vec<_> = documented.difference(&routed).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the document: {undocumented:?}"
    );
    assert!(
        unrouted.is_empty(),
        "the document describes routes that do not exist: {unrouted:?}"
    );
}

#[test]
fn every_operation_documents_its_responses_and_refs_resolve() {
    let doc = document();
    let schemas = doc["components"]["schemas"].as_object().expect("schemas");
    let text = doc.to_string();
    for part in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = part.split('"').next().unwrap();
        assert!(
            schemas.contains_key(name),
            "$ref to an undefined schema {name}"
        );
    }
    for code in [
        "insufficient_stock",
        "plan_not_approved",
        "duplicate",
        "seq_gap",
    ] {
        assert!(
            schemas["ErrorCode"].to_string().contains(code),
            "the error codes are the Rust enum's, {code} among them"
        );
    }
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let responses = op["responses"].as_object().unwrap();
            assert!(
                responses.keys().any(|k| k.starts_with('2')),
                "{method} {path} documents its success"
            );
            if op.get("requestBody").is_some() {
                for code in ["400", "413"] {
                    assert!(
                        responses.contains_key(code),
                        "{method} {path} takes a body, so it documents {code}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn the_document_is_served_without_credentials() {
    let c = Central::new();
    let (status, served) = c
        .call("GET", "/api/v1/openapi.json", &Auth::None, None)
        .await;
    assert_eq!(status, StatusCode::OK, "the document is public");
    assert_eq!(
        &served,
        document(),
        "what is served is the generated document"
    );
}

/// Asserts a success and returns its body.
async fn ok(c: &Central, method: &str, path: &str, auth: &Auth, body: Option<Value>) -> Value {
    let (status, body) = c.call(method, &format!("/api/v1{path}"), auth, body).await;
    assert!(
        status.is_success(),
        "{method} {path} must succeed: {status} {body}"
    );
    body
}

async fn upload(c: &Central, path: &str, auth: &Auth, file: &str) -> Value {
    let Auth::Cookie(cookie) = auth else {
        panic!("uploads come from the console")
    };
    let req = Request::builder()
        .method("POST")
        .uri(format!("/api/v1{path}"))
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/octet-stream")
        .body(Body::from(file.to_owned()))
        .unwrap();
    let (status, body) = c.send(req).await;
    assert!(
        status.is_success(),
        "POST {path} must succeed: {status} {body}"
    );
    body
}

async fn download(c: &Central, path: &str, auth: &Auth) {
    let (status, _, bytes) = c
        .raw(crate::support::request(
            "GET",
            &format!("/api/v1{path}"),
            auth,
            None,
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "GET {path} must succeed");
    assert!(!bytes.is_empty(), "GET {path} answers a document");
}

/// Every route once, with a request it accepts: each answer is validated against the document
/// (support.rs), and every route of the router's table must have been answered successfully.
#[tokio::test]
async fn every_route_answers_as_documented() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (a, mask) = (c.unit_a.to_string(), c.mask);
    ok(&c, "GET", "/health", &Auth::None, None).await;
    ok(&c, "GET", "/openapi.json", &Auth::None, None).await;
    ok(&c, "GET", "/auth/me", &admin, None).await;
    ok(&c, "GET", "/campaign", &admin, None).await;
    let campaign = json!({
        "name": "测试调查", "city": "揭阳",
        "publicity_start": "2022-07-08", "publicity_end": "2022-08-02",
        "collection_start": "2022-08-03T01:00:00Z", "collection_end": "2022-08-13T01:00:00Z",
        "target": 1000, "note": "通报每日 17:00"
    });
    ok(&c, "PUT", "/campaign", &admin, Some(campaign)).await;
    ok(&c, "GET", "/sections", &admin, None).await;
    let section = ok(
        &c,
        "POST",
        "/sections",
        &admin,
        Some(json!({"code": "zyz", "name": "志愿者"})),
    )
    .await;
    ok(&c, "GET", "/units", &admin, None).await;
    let unit = json!({"section_id": section["id"], "name": "单位丙", "quota": 100,
                      "survey_link": "https://s.example/c"});
    let unit = ok(&c, "POST", "/units", &admin, Some(unit)).await;
    let unit_c = unit["id"].as_str().unwrap().to_owned();
    ok(&c, "GET", &format!("/units/{unit_c}"), &admin, None).await;
    let renamed = json!({"section_id": section["id"], "name": "单位丙", "quota": 120,
                         "survey_link": "https://s.example/c", "contact": "王五"});
    ok(
        &c,
        "PUT",
        &format!("/units/{unit_c}"),
        &admin,
        Some(renamed),
    )
    .await;
    ok(&c, "GET", "/items", &admin, None).await;
    let item = json!({"code": "card", "name": "流量卡", "kind": "prize", "unit_label": "张"});
    ok(&c, "POST", "/items", &admin, Some(item)).await;
    ok(
        &c,
        "POST",
        "/stock/receipts",
        &admin,
        Some(json!({"item_id": mask, "quantity": 50})),
    )
    .await;
    ok(
        &c,
        "POST",
        "/stock/write-offs",
        &admin,
        Some(json!({"item_id": mask, "quantity": 2, "note": "破损"})),
    )
    .await;
    ok(&c, "GET", "/stock", &admin, None).await;
    ok(&c, "GET", "/stock/ledger", &admin, None).await;

    // A plan through its workflow, with a tablet holding a grant.
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = c.file_plan(&admin, c.unit_a).await;
    ok(&c, "GET", "/plans", &admin, None).await;
    ok(
        &c,
        "PUT",
        &format!("/plans/{plan}"),
        &admin,
        Some(c.plan_body(c.unit_a)),
    )
    .await;
    let allocation = json!({"allocation": [{"item_id": mask, "quantity": 20}]});
    ok(
        &c,
        "POST",
        &format!("/plans/{plan}/approve"),
        &admin,
        Some(allocation),
    )
    .await;
    let share = json!({"item_id": mask, "quantity": 5});
    ok(
        &c,
        "POST",
        &format!("/plans/{plan}/allocations"),
        &admin,
        Some(share.clone()),
    )
    .await;
    ok(
        &c,
        "POST",
        &format!("/plans/{plan}/returns"),
        &admin,
        Some(json!({"item_id": mask, "quantity": 1})),
    )
    .await;
    let grant = json!({"device_id": t.id, "item_id": mask, "quantity": 3});
    ok(
        &c,
        "POST",
        &format!("/plans/{plan}/grants"),
        &admin,
        Some(grant),
    )
    .await;
    ok(
        &c,
        "POST",
        &format!("/plans/{plan}/releases"),
        &t.auth,
        Some(json!({"item_id": mask, "quantity": 1})),
    )
    .await;
    ok(&c, "GET", &format!("/plans/{plan}"), &admin, None).await;

    // The tablet asks twice for more: one request is fulfilled, the other declined.
    let ask = |t: &mut Tablet| {
        let request = TopUpRequest {
            id: TopUpRequestId::new(),
            plan_id: plan.parse().unwrap(),
            item_id: mask,
            quantity: 3,
            note: None,
            requested_at: at(30),
        };
        (
            request.id,
            t.event(EventPayload::TopUpRequested { request }),
        )
    };
    let (first, e1) = ask(&mut t);
    let (second, e2) = ask(&mut t);
    let push = serde_json::to_value(PushRequest {
        events: vec![e1, e2],
    })
    .unwrap();
    ok(&c, "POST", "/sync/push", &t.auth, Some(push)).await;
    ok(&c, "GET", "/sync/pull?after=0&limit=100", &t.auth, None).await;
    ok(&c, "GET", "/top-up-requests", &admin, None).await;
    ok(
        &c,
        "POST",
        &format!("/top-up-requests/{first}/fulfil"),
        &admin,
        Some(json!({})),
    )
    .await;
    ok(
        &c,
        "POST",
        &format!("/top-up-requests/{second}/decline"),
        &admin,
        Some(json!({"reason": "库存不足"})),
    )
    .await;
    ok(&c, "POST", &format!("/plans/{plan}/close"), &admin, None).await;
    let rejected = c.file_plan(&admin, c.unit_a).await;
    ok(
        &c,
        "POST",
        &format!("/plans/{rejected}/reject"),
        &admin,
        Some(json!({"reason": "地点重复"})),
    )
    .await;

    // Counts, records, devices, users, the audit log and the dashboard.
    let counts = json!({"counts": [{"unit_id": c.unit_a, "day": "2022-08-03", "count": 40}]});
    ok(&c, "POST", "/collection-counts", &admin, Some(counts)).await;
    ok(&c, "GET", "/collection-counts", &admin, None).await;
    ok(&c, "GET", "/records", &admin, None).await;
    ok(&c, "GET", &format!("/records/units/{a}"), &admin, None).await;
    ok(&c, "GET", "/bulletin", &admin, None).await;
    let published = ok(&c, "POST", "/bulletins", &admin, None).await;
    let day = published["day"].as_str().unwrap().to_owned();
    ok(&c, "GET", "/bulletins", &admin, None).await;
    ok(&c, "GET", &format!("/bulletins/{day}"), &admin, None).await;
    ok(
        &c,
        "POST",
        "/enrollment-codes",
        &admin,
        Some(json!({"unit_id": c.unit_b})),
    )
    .await;
    ok(&c, "GET", "/devices", &admin, None).await;
    ok(
        &c,
        "POST",
        &format!("/devices/{}/revoke", t.id),
        &admin,
        None,
    )
    .await;
    ok(&c, "GET", "/users", &admin, None).await;
    let user = json!({"username": "leader_c", "password": "另一个好密码 horse", "role": "viewer",
                      "unit_id": unit_c});
    let made = ok(&c, "POST", "/users", &admin, Some(user)).await;
    let made = made["id"].as_str().unwrap().to_owned();
    let change = json!({"role": "admin", "unit_id": unit_c});
    ok(&c, "PUT", &format!("/users/{made}"), &admin, Some(change)).await;
    ok(
        &c,
        "POST",
        &format!("/users/{made}/password"),
        &admin,
        Some(json!({})),
    )
    .await;
    ok(&c, "POST", &format!("/users/{made}/disable"), &admin, None).await;
    ok(&c, "POST", &format!("/users/{made}/enable"), &admin, None).await;
    ok(&c, "GET", "/audit", &admin, None).await;
    ok(
        &c,
        "GET",
        "/audit?action=user.login&actor=admin&limit=5&before=100000",
        &admin,
        None,
    )
    .await;
    ok(&c, "GET", "/audit/actions", &admin, None).await;
    download(&c, "/exports/audit-log.xlsx?action=user.create", &admin).await;
    ok(&c, "GET", "/dashboard", &admin, None).await;

    // Imports from CSV, exports and posters.
    let tasks = "Unit,Section,Quota,Link,Contact\n单位丁,侨,80,https://s.example/d,\n";
    upload(&c, "/imports/task-table/preview", &admin, tasks).await;
    upload(&c, "/imports/task-table", &admin, tasks).await;
    let sheet = "采集日期,单位,采集量\n2022/8/4,单位甲,30\n";
    upload(&c, "/imports/collection-counts/preview", &admin, sheet).await;
    upload(&c, "/imports/collection-counts", &admin, sheet).await;
    for export in ["bulletin", "handouts", "volunteer-hours", "plan-assessment"] {
        download(&c, &format!("/exports/{export}.xlsx"), &admin).await;
    }
    download(&c, &format!("/bulletins/{day}/bulletin.xlsx"), &admin).await;
    download(&c, "/posters", &admin).await;
    download(&c, &format!("/posters/{a}"), &admin).await;
    // A unit's extra survey link, its poster, and its removal (issue 13).
    ok(&c, "GET", &format!("/units/{a}/links"), &admin, None).await;
    let link = json!({"label": "榕城区站点", "url": "https://s.example/a-extra"});
    let link = ok(&c, "POST", &format!("/units/{a}/links"), &admin, Some(link)).await;
    let link_id = link["id"].as_str().unwrap().to_owned();
    download(&c, &format!("/posters/{a}/links/{link_id}"), &admin).await;
    ok(
        &c,
        "DELETE",
        &format!("/units/{a}/links/{link_id}"),
        &admin,
        None,
    )
    .await;
    let renamed = json!({"name": "医用口罩", "unit_label": "个", "donor": "捐赠企业"});
    ok(&c, "PUT", &format!("/items/{mask}"), &admin, Some(renamed)).await;

    // The assessment and the summary meeting (issue 13).
    ok(&c, "GET", "/assessment", &admin, None).await;
    let rules = json!({"pass_percent": 80, "min_per_gift_hundredths": 100,
                       "organizing_awards": 3, "supporting_awards": 3});
    ok(&c, "PUT", "/assessment/rules", &admin, Some(rules)).await;
    download(&c, "/exports/assessment.xlsx", &admin).await;
    ok(&c, "GET", "/summary", &admin, None).await;
    let confirmed = json!({"commendations": [{"award": "organizing", "unit_id": a}]});
    ok(&c, "PUT", "/summary/commendations", &admin, Some(confirmed)).await;

    // The lottery's terms, entrants and deletion (the close last: it ends the lottery).
    ok(&c, "GET", "/lottery/terms", &admin, None).await;
    let terms = json!({"consent_text": "同意登记手机号码参加抽奖，抽奖结束后按规定删除。",
                       "consent_version": "2022-2"});
    ok(&c, "PUT", "/lottery/terms", &admin, Some(terms)).await;
    ok(&c, "GET", "/lottery/entrants", &admin, None).await;
    // The draw (pools, list, draws, wins, carriers' lists): moves the clock, logs in anew.
    let admin = crate::draw::walk_every_route(&c).await;
    let retention = json!({"delete_on": "2022-09-30"});
    ok(&c, "PUT", "/lottery/retention", &admin, Some(retention)).await;
    let close = json!({"reason": "抽奖结束，奖品已发放"});
    ok(&c, "POST", "/lottery/close", &admin, Some(close)).await;
    ok(&c, "GET", "/lottery/deletions", &admin, None).await;
    ok(&c, "POST", "/auth/logout", &admin, None).await;

    let answered: BTreeSet<(String, String)> = c
        .answered
        .lock()
        .unwrap()
        .iter()
        .filter(|(_, _, status)| (200..300).contains(status))
        .map(|(m, r, _)| (m.to_ascii_lowercase(), r.clone()))
        .collect();
    let missing: Vec<_> = route_table()
        .into_iter()
        .map(|(m, p)| (m.as_str().to_owned(), p.to_owned()))
        .filter(|r| !answered.contains(r))
        .collect();
    assert!(
        missing.is_empty(),
        "every route answers with a validated success at least once; not yet: {missing:?}"
    );
}
