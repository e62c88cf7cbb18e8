//! A device or user of unit A gets 403 on everything of unit B; a revoked device gets 401.

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Reader, Xlsx};
use fieldpost_domain::{
    CheckInId, EventPayload, Handout, HandoutId, SessionId, StationSession, UnitId,
    VolunteerCheckIn,
};
use serde_json::json;

use crate::support::{Auth, Central, at, expect_error, push_events, request};
use crate::sync::approved_plan;

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

/// One station session of `unit`'s approved plan (20 masks granted to its tablet), pushed by
/// that tablet: a volunteer named `volunteer` checked in and `masks` masks handed out.
async fn worked_session(c: &Central, unit: UnitId, volunteer: &str, masks: u32) {
    let (device, _) = c.device(unit, &format!("{volunteer}的平板")).await;
    let plan = approved_plan(c, unit, &[(device, 20)]);
    let session = SessionId::new();
    let pushed = push_events(
        c.store.as_ref(),
        c.now(),
        device,
        vec![
            EventPayload::SessionOpened {
                session: StationSession {
                    id: session,
                    plan_id: plan,
                    device_id: device,
                    station: "进贤门广场".into(),
                    opened_at: at(0),
                    closed_at: None,
                },
            },
            EventPayload::VolunteerCheckedIn {
                check_in: VolunteerCheckIn {
                    id: CheckInId::new(),
                    session_id: session,
                    volunteer_name: volunteer.into(),
                    ivolunteer_id: None,
                    checked_in_at: at(0),
                },
            },
            EventPayload::HandoutRecorded {
                handout: Handout {
                    id: HandoutId::new(),
                    session_id: session,
                    plan_id: plan,
                    item_id: c.mask,
                    quantity: masks,
                    handed_out_at: at(5),
                    over_grant_reason: None,
                },
            },
        ],
    );
    assert!(pushed.quarantined.is_empty(), "all apply: {pushed:?}");
}

/// Every cell of the workbook's first sheet, as text.
async fn first_sheet(c: &Central, path: &str, caller: &Auth) -> Vec<Vec<String>> {
    let (status, _, bytes) = c.raw(request("GET", path, caller, None)).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let mut book: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    sheet
        .rows()
        .map(|r| r.iter().map(ToString::to_string).collect())
        .collect()
}

/// A unit's account downloads the handout ledger and the volunteer hours with its own unit's
/// rows in them and none of another unit's: the same files the secretariat gets, cut to the unit.
#[tokio::test]
async fn a_unit_accounts_ledger_and_volunteer_hours_hold_its_own_unit_only() {
    let c = Central::new();
    let admin = c.login("admin").await;
    worked_session(&c, c.unit_a, "王五", 7).await;
    worked_session(&c, c.unit_b, "李四", 9).await;

    let all = first_sheet(&c, "/api/v1/exports/handouts.xlsx", &admin).await;
    let everyone = all.concat().join(" ");
    assert!(
        everyone.contains("单位甲") && everyone.contains("单位乙"),
        "the secretariat's ledger has both units: {everyone}"
    );
    for who in ["leader_a", "viewer_a"] {
        let me = c.login(who).await;
        let ledger = first_sheet(&c, "/api/v1/exports/handouts.xlsx", &me).await;
        let lines: Vec<_> = ledger
            .iter()
            .filter(|r| r.iter().any(|cell| cell == "单位甲" || cell == "单位乙"))
            .collect();
        assert_eq!(
            lines.len(),
            1,
            "{who}: one handout line, unit A's: {ledger:?}"
        );
        assert!(lines[0].contains(&"单位甲".to_owned()), "{who}: {lines:?}");
        assert!(
            lines[0].contains(&"7".to_owned()),
            "{who}: its 7 masks: {lines:?}"
        );
        let text = ledger.concat().join(" ");
        assert!(!text.contains("单位乙"), "{who}: nothing of unit B: {text}");

        let hours = first_sheet(&c, "/api/v1/exports/volunteer-hours.xlsx", &me).await;
        let text = hours.concat().join(" ");
        assert!(text.contains("王五"), "{who}: unit A's volunteer: {text}");
        assert!(
            !text.contains("李四") && !text.contains("单位乙"),
            "{who}: unit B's volunteer is not a unit A account's to see: {text}"
        );
    }
}
