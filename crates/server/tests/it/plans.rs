//! The plan workflow through the API: file, approve with grants split among devices, grant
//! and release, handouts from devices, close returning the unspent allocation; and the
//! unit-quota records built from it.

use axum::http::StatusCode;
use fieldpost_central::audit::Actor;
use fieldpost_central::records::DailyCount;
use fieldpost_domain::{EventPayload, Handout, HandoutId, HandoutVoid, PlanId, SessionId};
use serde_json::{Value, json};

use crate::support::{Central, expect_error, push_events, t0};

fn item_line<'a>(view: &'a Value, item: &str) -> &'a Value {
    view["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item_id"] == item)
        .unwrap_or_else(|| panic!("no line for {item} in {view}"))
}

fn handout(plan: PlanId, item: fieldpost_domain::ItemId, quantity: u32) -> Handout {
    Handout {
        id: HandoutId::new(),
        session_id: SessionId::new(),
        plan_id: plan,
        item_id: item,
        quantity,
        handed_out_at: t0(),
        over_grant_reason: None,
    }
}

#[tokio::test]
async fn approval_splits_the_allocation_among_the_units_devices() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (d1, _) = c.device(c.unit_a, "甲 1").await;
    let (d2, _) = c.device(c.unit_a, "甲 2").await;
    let (_other, _) = c.device(c.unit_b, "乙 1").await;
    let plan = c.file_plan(&admin, c.unit_a).await;
    let (status, view) = c
        .call(
            "POST",
            &format!("/api/v1/plans/{plan}/approve"),
            &admin,
            Some(json!({"allocation": [{"item_id": c.mask, "quantity": 41}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "approval succeeds: {view}");
    assert_eq!(view["plan"]["status"], "approved", "the plan is approved");
    let grants = view["grants"].as_array().unwrap();
    assert_eq!(
        grants.len(),
        2,
        "one grant per device of unit A, none for unit B's"
    );
    let mut quantities: Vec<u64> = grants
        .iter()
        .map(|g| g["quantity"].as_u64().unwrap())
        .collect();
    quantities.sort_unstable();
    assert_eq!(
        quantities,
        vec![20, 21],
        "41 split as evenly as integers allow"
    );
    let devices: Vec<String> = grants
        .iter()
        .map(|g| g["device_id"].as_str().unwrap().to_owned())
        .collect();
    assert!(
        devices.contains(&d1.to_string()) && devices.contains(&d2.to_string()),
        "both of unit A's devices hold a grant"
    );
    let line = item_line(&view, &c.mask.to_string());
    assert_eq!(line["allocated"], 41, "the allocation is recorded");
    assert_eq!(line["granted"], 41, "and fully granted");
    let (_, stock) = c.call("GET", "/api/v1/stock", &admin, None).await;
    assert_eq!(stock[0]["on_hand"], 59, "100 received - 41 allocated");
    assert_eq!(
        stock[0]["allocated"], 41,
        "the stock view shows the allocation"
    );
}

#[tokio::test]
async fn grants_never_exceed_the_allocation() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (d1, _) = c.device(c.unit_a, "甲 1").await;
    let plan = c.file_plan(&admin, c.unit_a).await;
    let (status, view) = c
        .call(
            "POST",
            &format!("/api/v1/plans/{plan}/approve"),
            &admin,
            Some(json!({"allocation": [{"item_id": c.mask, "quantity": 10}],
                        "grants": [{"device_id": d1, "item_id": c.mask, "quantity": 6}]})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "an explicit split within the allocation: {view}"
    );
    let grant = |q: u32| json!({"device_id": d1, "item_id": c.mask, "quantity": q});
    let body = expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/grants"),
            &admin,
            Some(grant(5)),
        )
        .await,
        StatusCode::CONFLICT,
        "grant_exceeds_allocation",
        "6 granted + 5 > 10 allocated",
    );
    assert_eq!(body["error"]["field"], "quantity", "the field is named");
    assert_eq!(
        (&body["error"]["requested"], &body["error"]["available"]),
        (&json!(5), &json!(4)),
        "with what was asked and what is left, as facts: {body}"
    );
    let (status, _) = c
        .call(
            "POST",
            &format!("/api/v1/plans/{plan}/grants"),
            &admin,
            Some(grant(4)),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "6 + 4 = 10 fits exactly");
    expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/returns"),
            &admin,
            Some(json!({"item_id": c.mask, "quantity": 1})),
        )
        .await,
        StatusCode::CONFLICT,
        "exceeds_ungranted_allocation",
        "granted stock cannot be returned from under the devices",
    );
    let over = expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/approve"),
            &admin,
            Some(json!({"allocation": [{"item_id": c.mask, "quantity": 1}]})),
        )
        .await,
        StatusCode::CONFLICT,
        "invalid_transition",
        "an approved plan is not approved twice",
    );
    assert!(
        over["error"]["message"]
            .as_str()
            .unwrap()
            .contains("approved"),
        "{over}"
    );
}

#[tokio::test]
async fn handouts_draw_on_grants_and_closing_returns_the_rest() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (d1, device) = c.device(c.unit_a, "甲 1").await;
    let plan = c.file_plan(&admin, c.unit_a).await;
    let (status, _) = c
        .call(
            "POST",
            &format!("/api/v1/plans/{plan}/approve"),
            &admin,
            Some(json!({"allocation": [{"item_id": c.mask, "quantity": 30},
                                       {"item_id": c.kit, "quantity": 4}]})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "approved");
    let plan_id: PlanId = plan.parse().unwrap();
    let first = handout(plan_id, c.mask, 12);
    let backed = |c: &Central, id: HandoutId| {
        let lines =
            fieldpost_central::records::handout_lines(c.store.as_ref(), Some(c.unit_a)).unwrap();
        let line = lines
            .iter()
            .find(|l| l.id == id)
            .expect("the handout is stored");
        (line.backed, line.quantity - line.backed)
    };
    let recorded = |h: &Handout| EventPayload::HandoutRecorded { handout: h.clone() };
    let out = push_events(c.store.as_ref(), c.now(), d1, vec![recorded(&first)]);
    assert!(out.quarantined.is_empty(), "applied: {out:?}");
    assert_eq!(backed(&c, first.id), (12, 0), "within the grant");
    // The same handout under another event (a station that recorded it twice).
    let again = push_events(c.store.as_ref(), c.now(), d1, vec![recorded(&first)]);
    assert!(
        again.quarantined.is_empty(),
        "a replayed handout is no conflict: {again:?}"
    );
    assert_eq!(
        fieldpost_central::records::handout_lines(c.store.as_ref(), Some(c.unit_a))
            .unwrap()
            .len(),
        1,
        "replaying a handout is a no-op"
    );
    let mut over = handout(plan_id, c.mask, 25);
    over.over_grant_reason = Some("箱子里多了口罩".into());
    push_events(c.store.as_ref(), c.now(), d1, vec![recorded(&over)]);
    assert_eq!(
        backed(&c, over.id),
        (18, 7),
        "beyond the grant is kept and flagged, never dropped"
    );
    let voided = push_events(
        c.store.as_ref(),
        c.now(),
        d1,
        vec![EventPayload::HandoutVoided {
            void: HandoutVoid {
                handout_id: first.id,
                reason: "点错了".into(),
                voided_at: c.now(),
            },
        }],
    );
    assert!(
        voided.quarantined.is_empty(),
        "the device voids its own handout: {voided:?}"
    );

    // The device gives back one kit itself.
    let (status, view) = c
        .call(
            "POST",
            &format!("/api/v1/plans/{plan}/releases"),
            &device,
            Some(json!({"item_id": c.kit, "quantity": 1})),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a device releases its own grant: {view}"
    );
    let refused = expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/releases"),
            &device,
            Some(json!({"item_id": c.kit, "quantity": 4})),
        )
        .await,
        StatusCode::CONFLICT,
        "exceeds_grant",
        "only 3 kits remain in the grant",
    );
    assert_eq!(
        (
            &refused["error"]["requested"],
            &refused["error"]["available"]
        ),
        (&json!(4), &json!(3)),
        "{refused}"
    );

    let (_, record) = c
        .call(
            "GET",
            &format!("/api/v1/records/units/{}", c.unit_a),
            &admin,
            None,
        )
        .await;
    let masks = record["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["item_id"] == c.mask.to_string())
        .unwrap();
    assert_eq!(masks["allocated"], 30, "unit A was allocated 30 masks");
    assert_eq!(masks["handed_out"], 25, "12 voided, 25 remain handed out");

    let (status, view) = c
        .call("POST", &format!("/api/v1/plans/{plan}/close"), &admin, None)
        .await;
    assert_eq!(status, StatusCode::OK, "an approved plan closes: {view}");
    let refused = expect_error(
        c.call(
            "POST",
            &format!("/api/v1/plans/{plan}/grants"),
            &admin,
            Some(json!({"device_id": d1, "item_id": c.mask, "quantity": 1})),
        )
        .await,
        StatusCode::CONFLICT,
        "plan_not_approved",
        "a closed plan grants nothing more",
    );
    assert_eq!(
        refused["error"]["plan_status"], "closed",
        "the refusal says the plan's status, for the console's words: {refused}"
    );
    let line = item_line(&view, &c.mask.to_string());
    // After the void the device's grant covered 18 of the 25 still handed out.
    assert_eq!(
        line["allocated"], 18,
        "the allocation shrinks to what the grants covered"
    );
    assert_eq!(line["unbacked"], 7, "the exception stays visible");
    let (_, stock) = c.call("GET", "/api/v1/stock", &admin, None).await;
    assert_eq!(stock[0]["on_hand"], 82, "100 - 18 handed out within grants");
    assert_eq!(stock[1]["on_hand"], 10, "every kit came back");
    let (_, audit) = c.call("GET", "/api/v1/audit", &admin, None).await;
    let actions: Vec<&str> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in ["plan.file", "plan.approve", "plan.release", "plan.close"] {
        assert!(
            actions.contains(&action),
            "{action} must be in the audit log: {actions:?}"
        );
    }
}

#[tokio::test]
async fn revision_refiles_a_rejected_plan() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let leader = c.login("leader_a").await;
    let (status, view) = c
        .call(
            "POST",
            "/api/v1/plans",
            &leader,
            Some(c.plan_body(c.unit_a)),
        )
        .await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a unit's admin files its plan: {view}"
    );
    let plan = view["plan"]["id"].as_str().unwrap().to_owned();
    c.call(
        "POST",
        &format!("/api/v1/plans/{plan}/reject"),
        &admin,
        Some(json!({"reason": "请补充人员"})),
    )
    .await;
    let mut body = c.plan_body(c.unit_a);
    body["staff"] = json!("张三、李四");
    let (status, view) = c
        .call("PUT", &format!("/api/v1/plans/{plan}"), &leader, Some(body))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "a rejected plan can be revised: {view}"
    );
    assert_eq!(view["plan"]["status"], "submitted", "revision re-files it");
    assert_eq!(view["plan"]["revision"], 1, "revisions are counted");
    assert!(
        view["plan"]["reject_reason"].is_null(),
        "the old reason is cleared"
    );
}

#[tokio::test]
async fn records_rank_units_and_roll_up() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let day = |d| chrono::NaiveDate::from_ymd_opt(2022, 8, d).unwrap();
    let counts = json!({"counts": [
        {"unit_id": c.unit_a, "day": day(3), "count": 100},
        {"unit_id": c.unit_b, "day": day(3), "count": 150},
        {"unit_id": c.unit_a, "day": day(4), "count": 80},
    ]});
    let (status, body) = c
        .call("POST", "/api/v1/collection-counts", &admin, Some(counts))
        .await;
    assert_eq!(status, StatusCode::OK, "counts import: {body}");
    assert_eq!(body["imported"], 3, "three rows");
    // A re-import of a day replaces it.
    fieldpost_central::records::import_counts(
        c.store.as_ref(),
        &Actor::System("test"),
        c.now(),
        &[DailyCount {
            unit_id: c.unit_a,
            day: day(4),
            count: 90,
        }],
    )
    .unwrap();
    let (status, records) = c.call("GET", "/api/v1/records", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "records: {records}");
    let units = records["units"].as_array().unwrap();
    assert_eq!(
        units[0]["unit"]["name"], "单位甲",
        "190 collected ranks first"
    );
    assert_eq!(
        units[0]["collected"], 190,
        "100 + 90 (the re-import replaced 80)"
    );
    assert_eq!(units[0]["rank"], 1, "first");
    assert_eq!(units[1]["rank"], 2, "150 is second");
    assert_eq!(units[1]["progress_percent"], 37.5, "150 of 400");
    assert_eq!(records["totals"]["collected"], 340, "the campaign's sum");
    assert_eq!(
        records["totals"]["progress_percent"], 34.0,
        "340 of the 1000 target"
    );
    assert_eq!(
        records["sections"][0]["quota"], 1000,
        "the section's quota rollup"
    );
    assert_eq!(
        records["sections"][0]["units"], 2,
        "two units in the section"
    );
}

/// Issue 13, deliverable 5: a plan may not start before the campaign's publicity opens (a
/// typo to fix), while one that runs past the close of collection is accepted (prizes are
/// handed over at stations after the summary meeting); counts are of collection days only.
#[tokio::test]
async fn the_campaign_windows_hold_plans_and_counts() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let leader = c.login("leader_a").await;

    let mut early = c.plan_body(c.unit_a);
    // 7/7 23:00 China time: an hour before publicity opens on 7/8.
    early["starts_at"] = json!("2022-07-07T15:00:00Z");
    early["ends_at"] = json!("2022-07-08T02:00:00Z");
    let (status, body) = c.call("POST", "/api/v1/plans", &leader, Some(early)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "starts_at", "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("publicity")),
        "{body}"
    );

    let mut pickup = c.plan_body(c.unit_a);
    pickup["title"] = json!("奖品领取站");
    pickup["starts_at"] = json!("2022-08-20T01:00:00Z");
    pickup["ends_at"] = json!("2022-08-20T09:00:00Z");
    let (status, body) = c.call("POST", "/api/v1/plans", &leader, Some(pickup)).await;
    assert_eq!(
        status,
        StatusCode::CREATED,
        "a prize pickup after collection: {body}"
    );

    let (_, before) = c
        .call("GET", "/api/v1/collection-counts", &admin, None)
        .await;
    let counts = json!({"counts": [
        {"unit_id": c.unit_a, "day": "2022-08-05", "count": 100},
        {"unit_id": c.unit_a, "day": "2022-08-14", "count": 80},
    ]});
    let (status, body) = c
        .call("POST", "/api/v1/collection-counts", &admin, Some(counts))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"]["field"], "counts[1].day", "{body}");
    let (_, after) = c
        .call("GET", "/api/v1/collection-counts", &admin, None)
        .await;
    assert_eq!(before, after, "a refused import stores nothing");
    // This world collects from 8/3 09:00 for ten days, to 8/13 09:00 China time.
    let last_day = json!({"counts": [{"unit_id": c.unit_a, "day": "2022-08-13", "count": 5}]});
    let (status, body) = c
        .call("POST", "/api/v1/collection-counts", &admin, Some(last_day))
        .await;
    assert_eq!(status, StatusCode::OK, "8/13 is the last day: {body}");
}
