//! Every refusal the issue lists, with the JSON error body it must carry.

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use fieldpost_server::Config;
use serde_json::json;

use crate::support::{Auth, Central, expect_error};

#[tokio::test]
async fn malformed_json_is_400() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let Auth::Cookie(cookie) = &admin else {
        unreachable!()
    };
    let req = Request::post("/api/v1/sections")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from("{\"code\": \"x\", "))
        .unwrap();
    expect_error(
        c.send(req).await,
        StatusCode::BAD_REQUEST,
        "malformed_json",
        "a truncated body is malformed",
    );
}

#[tokio::test]
async fn invalid_value_is_400_naming_the_field() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let body = expect_error(
        c.call(
            "POST",
            "/api/v1/units",
            &admin,
            Some(
                json!({"section_id": c.section, "name": "单位丙", "quota": -5,
                        "survey_link": "https://s.example/c"}),
            ),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a negative quota is not a quota",
    );
    assert_eq!(body["error"]["field"], "quota", "the error names the field");

    let plan = c.file_plan(&admin, c.unit_a).await;
    let body = expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/approve"),
            &admin,
            Some(json!({"allocation": [{"item_id": c.mask, "quantity": "many"}]})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a quantity must be a number",
    );
    assert_eq!(
        body["error"]["field"], "allocation[0].quantity",
        "nested fields are named by path"
    );
}

#[tokio::test]
async fn missing_and_unknown_fields_are_named() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let plan = c.file_plan(&admin, c.unit_a).await;
    let body = expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/reject"),
            &admin,
            Some(json!({})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a rejection needs a reason",
    );
    assert_eq!(
        body["error"]["field"], "reason",
        "the missing field is named"
    );
    let body = expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/reject"),
            &admin,
            Some(json!({"reason": "   "})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a blank reason is no reason",
    );
    assert_eq!(
        body["error"]["field"], "reason",
        "the store's refusal names the field"
    );
    let body = expect_error(
        c.call(
            "POST",
            "/api/v1/sections",
            &admin,
            Some(json!({"code": "x", "name": "y", "colour": "red"})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "unknown fields are refused, not ignored",
    );
    assert_eq!(
        body["error"]["field"], "colour",
        "the unknown field is named"
    );
}

#[tokio::test]
async fn zero_quantities_and_bad_path_ids_are_400() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let body = expect_error(
        c.call(
            "POST",
            "/api/v1/stock/receipts",
            &admin,
            Some(json!({"item_id": c.mask, "quantity": 0})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "receiving nothing is not a receipt",
    );
    assert_eq!(body["error"]["field"], "quantity", "the field is named");
    let body = expect_error(
        c.call("GET", "/api/v1/plans/not-a-uuid", &admin, None)
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a path id must be a UUID",
    );
    assert_eq!(
        body["error"]["field"], "plan_id",
        "the path segment is named"
    );
}

#[tokio::test]
async fn missing_or_bad_credentials_are_401() {
    let c = Central::new();
    expect_error(
        c.call("GET", "/api/v1/units", &Auth::None, None).await,
        StatusCode::UNAUTHORIZED,
        "unauthenticated",
        "no credential",
    );
    expect_error(
        c.call(
            "GET",
            "/api/v1/units",
            &Auth::Bearer("fpd_nope".into()),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_credential",
        "an unknown token",
    );
    expect_error(
        c.call(
            "GET",
            "/api/v1/units",
            &Auth::Cookie("fieldpost_session=fps_forged".into()),
            None,
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_session",
        "a forged session",
    );
    expect_error(
        c.call(
            "POST",
            "/api/v1/auth/login",
            &Auth::None,
            Some(json!({"username": "admin", "password": "wrong password"})),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_login",
        "a wrong password",
    );
    expect_error(
        c.call(
            "POST",
            "/api/v1/auth/login",
            &Auth::None,
            Some(json!({"username": "nobody", "password": "whatever"})),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_login",
        "an unknown user gets the same answer as a wrong password",
    );
}

#[tokio::test]
async fn sessions_expire_and_logout_ends_them() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (status, _) = c.call("GET", "/api/v1/auth/me", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "a fresh session works");
    c.advance(chrono::Duration::hours(13));
    expect_error(
        c.call("GET", "/api/v1/auth/me", &admin, None).await,
        StatusCode::UNAUTHORIZED,
        "invalid_session",
        "a session past its 12 hours is over",
    );
    let admin = c.login("admin").await;
    let (status, _) = c.call("POST", "/api/v1/auth/logout", &admin, None).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "logout answers 204");
    expect_error(
        c.call("GET", "/api/v1/auth/me", &admin, None).await,
        StatusCode::UNAUTHORIZED,
        "invalid_session",
        "a logged-out session is over",
    );
}

#[tokio::test]
async fn login_cookie_is_httponly_and_strict() {
    let c = Central::new();
    let res = tower::ServiceExt::oneshot(
        fieldpost_server::app(c.state.clone()),
        crate::support::request(
            "POST",
            "/api/v1/auth/login",
            &Auth::None,
            Some(json!({"username": "admin", "password": crate::support::PASSWORD})),
        ),
    )
    .await
    .unwrap();
    let cookie = res.headers()[header::SET_COOKIE].to_str().unwrap();
    for attr in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(
            cookie.contains(attr),
            "the session cookie must be {attr}: {cookie}"
        );
    }
}

#[tokio::test]
async fn viewers_get_403_on_writes_but_may_read() {
    let c = Central::new();
    let viewer = c.login("viewer").await;
    let (status, _) = c.call("GET", "/api/v1/records", &viewer, None).await;
    assert_eq!(status, StatusCode::OK, "a viewer reads the records");
    expect_error(
        c.call(
            "POST",
            "/api/v1/stock/receipts",
            &viewer,
            Some(json!({"item_id": c.mask, "quantity": 5})),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a viewer is read-only",
    );
    expect_error(
        c.call(
            "POST",
            "/api/v1/plans",
            &viewer,
            Some(c.plan_body(c.unit_a)),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a viewer files nothing",
    );
    let viewer_a = c.login("viewer_a").await;
    expect_error(
        c.call(
            "POST",
            "/api/v1/plans",
            &viewer_a,
            Some(c.plan_body(c.unit_a)),
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a unit's viewer files nothing either",
    );
    let leader = c.login("leader_a").await;
    expect_error(
        c.call("GET", "/api/v1/users", &leader, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a unit's admin is not the secretariat",
    );
}

#[tokio::test]
async fn unknown_records_and_routes_are_404() {
    let c = Central::new();
    let admin = c.login("admin").await;
    expect_error(
        c.call(
            "GET",
            &format!("/api/v1/plans/{}", uuid::Uuid::now_v7()),
            &admin,
            None,
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "no such plan",
    );
    expect_error(
        c.call("GET", "/api/v1/nowhere", &admin, None).await,
        StatusCode::NOT_FOUND,
        "not_found",
        "no such route, still a JSON error",
    );
    expect_error(
        c.call("DELETE", "/api/v1/units", &admin, None).await,
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "a known path with an unknown method",
    );
}

#[tokio::test]
async fn approving_a_rejected_plan_is_409() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let plan = c.file_plan(&admin, c.unit_a).await;
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/plans/{plan}/reject"),
            &admin,
            Some(json!({"reason": "地点未定"})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a submitted plan can be rejected: {body}"
    );
    assert_eq!(
        body["plan"]["reject_reason"], "地点未定",
        "the reason is kept"
    );
    expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/approve"),
            &admin,
            Some(json!({"allocation": [{"item_id": c.mask, "quantity": 5}]})),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_transition",
        "a rejected plan must be revised before approval",
    );
    let (_, stock) = c.call("GET", "/api/v1/stock", &admin, None).await;
    assert_eq!(
        stock[0]["on_hand"], 100,
        "a refused approval allocates nothing"
    );
}

#[tokio::test]
async fn allocating_more_than_on_hand_is_409_and_changes_nothing() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let plan = c.file_plan(&admin, c.unit_a).await;
    let body = expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/approve"),
            &admin,
            Some(json!({"allocation": [{"item_id": c.mask, "quantity": 60},
                                       {"item_id": c.kit, "quantity": 11}]})),
        )
        .await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "only 10 kits are on hand",
    );
    assert_eq!(
        body["error"]["field"], "allocation[1].quantity",
        "the over-allocated line is named"
    );
    let (_, view) = c
        .call("GET", &format!("/api/v1/plans/{plan}"), &admin, None)
        .await;
    assert_eq!(
        view["plan"]["status"], "submitted",
        "the whole approval rolled back"
    );
    let (_, stock) = c.call("GET", "/api/v1/stock", &admin, None).await;
    assert_eq!(
        stock[0]["on_hand"], 100,
        "the masks of the refused approval stay on hand"
    );
    expect_error(
        c.call(
            "POST",
            "/api/v1/stock/write-offs",
            &admin,
            Some(json!({"item_id": c.kit, "quantity": 11, "note": "破损"})),
        )
        .await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "a write-off cannot take stock below zero",
    );
}

#[tokio::test]
async fn duplicate_survey_link_is_409() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let body = expect_error(
        c.call(
            "POST",
            "/api/v1/units",
            &admin,
            Some(
                json!({"section_id": c.section, "name": "单位丙", "quota": 5,
                        "survey_link": "https://s.example/a"}),
            ),
        )
        .await,
        StatusCode::CONFLICT,
        "duplicate",
        "each unit's link is exclusive",
    );
    assert_eq!(
        body["error"]["field"], "survey_link",
        "the clashing field is named"
    );
}

#[tokio::test]
async fn bodies_over_the_limit_are_413() {
    let c = Central::with_config(Config {
        body_limit: 1024,
        ..Config::default()
    });
    let admin = c.login("admin").await;
    let big = "x".repeat(4096);
    expect_error(
        c.call(
            "POST",
            "/api/v1/sections",
            &admin,
            Some(json!({"code": "big", "name": big})),
        )
        .await,
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        "4 KiB over a 1 KiB limit",
    );
}

#[tokio::test]
async fn non_json_bodies_are_415() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let Auth::Cookie(cookie) = &admin else {
        unreachable!()
    };
    let req = Request::post("/api/v1/sections")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "text/plain")
        .body(Body::from("code=x"))
        .unwrap();
    expect_error(
        c.send(req).await,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "only JSON bodies",
    );
}
