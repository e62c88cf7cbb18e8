//! A device or user of unit A gets 403 on everything of unit B; a revoked device gets 401.

use axum::http::StatusCode;
use serde_json::json;

use crate::support::{Auth, Central, expect_error};

/// Every unit-B thing a unit-A caller might reach for.
async fn assert_walled_off(c: &Central, caller: &Auth, plan_b: &str, who: &str) {
    let b = c.unit_b;
    let attempts: Vec<(&str, String, Option<serde_json::Value>)> = vec![
        ("GET", format!("/api/v1/units/{b}"), None),
        ("GET", format!("/api/v1/records/units/{b}"), None),
        ("GET", format!("/api/v1/plans?unit_id={b}"), None),
        (
            "GET",
            format!("/api/v1/collection-counts?unit_id={b}"),
            None,
        ),
        ("GET", format!("/api/v1/plans/{plan_b}"), None),
        ("POST", "/api/v1/plans".into(), Some(c.plan_body(b))),
        (
            "PUT",
            format!("/api/v1/plans/{plan_b}"),
            Some(c.plan_body(b)),
        ),
        (
            "POST",
            format!("/api/v1/plans/{plan_b}/releases"),
            Some(json!({"item_id": c.mask, "quantity": 1})),
        ),
        ("GET", "/api/v1/records".into(), None),
        ("GET", "/api/v1/stock".into(), None),
        ("GET", "/api/v1/audit".into(), None),
        (
            "POST",
            format!("/api/v1/plans/{plan_b}/approve"),
            Some(json!({"allocation": []})),
        ),
    ];
    for (method, path, body) in attempts {
        expect_error(
            c.call(method, &path, caller, body).await,
            StatusCode::FORBIDDEN,
            "forbidden",
            &format!("{who}: {method} {path} belongs to unit B or the secretariat"),
        );
    }
}

#[tokio::test]
async fn a_device_of_unit_a_is_walled_off_from_unit_b() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let plan_b = c.file_plan(&admin, c.unit_b).await;
    let (_, device_a) = c.device(c.unit_a, "甲 1号平板").await;
    assert_walled_off(&c, &device_a, &plan_b, "device of A").await;

    let (status, units) = c.call("GET", "/api/v1/units", &device_a, None).await;
    assert_eq!(status, StatusCode::OK, "a device lists units");
    assert_eq!(
        units.as_array().unwrap().len(),
        1,
        "a device sees only its own unit: {units}"
    );
    let (status, plans) = c.call("GET", "/api/v1/plans", &device_a, None).await;
    assert_eq!(status, StatusCode::OK, "a device lists plans");
    assert!(
        plans.as_array().unwrap().is_empty(),
        "unit B's plan is not among unit A's: {plans}"
    );
    let (status, body) = c
        .call(
            "POST",
            "/api/v1/plans",
            &device_a,
            Some(c.plan_body(c.unit_a)),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a device files its own unit's plan: {body}"
    );
    let mut own = c.plan_body(c.unit_a);
    own.as_object_mut().unwrap().remove("unit_id");
    let (status, body) = c.call("POST", "/api/v1/plans", &device_a, Some(own)).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a device's unit is implied: {body}"
    );
    assert_eq!(
        body["plan"]["unit_id"],
        c.unit_a.to_string(),
        "filed for its own unit"
    );
}

#[tokio::test]
async fn a_user_of_unit_a_is_walled_off_from_unit_b() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let plan_b = c.file_plan(&admin, c.unit_b).await;
    let leader_a = c.login("leader_a").await;
    assert_walled_off(&c, &leader_a, &plan_b, "leader of A").await;
    let (status, record) = c
        .call(
            "GET",
            &format!("/api/v1/records/units/{}", c.unit_a),
            &leader_a,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a leader reads their own unit's record: {record}"
    );
    assert_eq!(record["unit"]["quota"], 600, "unit A's quota");
}

#[tokio::test]
async fn a_revoked_device_gets_401() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (id, device) = c.device(c.unit_a, "甲 2号平板").await;
    let (status, _) = c.call("GET", "/api/v1/auth/me", &device, None).await;
    assert_eq!(status, StatusCode::OK, "an enrolled device is known");
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/devices/{id}/revoke"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the secretariat revokes: {body}");
    assert!(body["revoked_at"].is_string(), "the revocation is recorded");
    for path in ["/api/v1/auth/me", "/api/v1/plans", "/api/v1/campaign"] {
        expect_error(
            c.call("GET", path, &device, None).await,
            StatusCode::UNAUTHORIZED,
            "device_revoked",
            &format!("a revoked device is refused at {path}"),
        );
    }
}
