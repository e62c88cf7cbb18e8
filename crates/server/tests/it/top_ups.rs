//! Issue 4 point 3: top-up requests go up as events; the secretariat fulfils them through the
//! grant path (the device pulls the grant) or declines them, and the device that asked pulls
//! the answer; a request that cannot be one is quarantined with a code.

use axum::http::StatusCode;
use fieldpost_central::audit::Actor;
use fieldpost_central::plans::{Approval, DeviceShare, PlanContent};
use fieldpost_domain::{
    DeviceEvent, DeviceId, EventPayload, ItemId, ItemQuantity, PlanId, TopUpAnswer,
    TopUpAnswerStatus, TopUpRequest, TopUpRequestId, UnitId,
};
use fieldpost_sync::{PullResponse, PushRequest, PushResponse, Record};
use serde_json::{Value, json};

use crate::support::{Auth, Central, Tablet, at, expect_error, quarantine_codes};
use fieldpost_central::testkit::Direct;

const ADMIN: Actor = Actor::System("test");

impl Tablet {
    /// The next event of this tablet's log: a request for `quantity` of `item` under `plan`.
    fn ask(&mut self, plan: PlanId, item: ItemId, quantity: u32) -> (TopUpRequestId, DeviceEvent) {
        let request = TopUpRequest {
            id: TopUpRequestId::new(),
            plan_id: plan,
            item_id: item,
            quantity,
            note: Some("下午人多，口罩快发完了".into()),
            requested_at: at(30),
        };
        (
            request.id,
            self.event(EventPayload::TopUpRequested { request }),
        )
    }
}

fn filed_plan(c: &Central, unit: UnitId) -> PlanId {
    let id = PlanId::new();
    c.store
        .file_plan(
            &ADMIN,
            c.now(),
            id,
            unit,
            PlanContent {
                title: "步行街宣传站".into(),
                location: "榕城区".into(),
                starts_at: at(0),
                ends_at: at(8 * 60),
                expected_people: 300,
                staff: "张三".into(),
                requested: vec![ItemQuantity {
                    item_id: c.mask,
                    quantity: 10,
                }],
            },
        )
        .unwrap();
    id
}

/// An approved plan whose whole allocation of 10 masks is granted to `device`.
fn approved_plan(c: &Central, unit: UnitId, device: DeviceId) -> PlanId {
    let id = filed_plan(c, unit);
    c.store
        .approve_plan(
            &ADMIN,
            c.now(),
            id,
            Approval {
                allocation: vec![ItemQuantity {
                    item_id: c.mask,
                    quantity: 10,
                }],
                grants: Some(vec![DeviceShare {
                    device_id: device,
                    item_id: c.mask,
                    quantity: 10,
                }]),
            },
        )
        .unwrap();
    id
}

async fn push(c: &Central, t: &Tablet, events: &[DeviceEvent]) -> PushResponse {
    let body = serde_json::to_value(PushRequest {
        events: events.to_vec(),
    })
    .unwrap();
    let (status, body) = c
        .call("POST", "/api/v1/sync/push", &t.auth, Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "the push must apply: {body}");
    serde_json::from_value(body).unwrap()
}

async fn pull_grants(c: &Central, t: &Tablet) -> Vec<(PlanId, u32)> {
    let (status, body) = c
        .call("GET", "/api/v1/sync/pull?after=0&limit=1000", &t.auth, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: PullResponse = serde_json::from_value(body).unwrap();
    page.changes
        .into_iter()
        .filter_map(|ch| match ch.record {
            Record::Grant { grant } => Some((grant.plan_id, grant.quantity)),
            _ => None,
        })
        .collect()
}

/// Everything `t` pulls after `after`, and the cursor to pull from next.
async fn pull(c: &Central, t: &Tablet, after: u64) -> (Vec<Record>, u64) {
    let (status, body) = c
        .call(
            "GET",
            &format!("/api/v1/sync/pull?after={after}&limit=1000"),
            &t.auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page: PullResponse = serde_json::from_value(body).unwrap();
    assert!(!page.more, "one page holds this test's changes");
    (
        page.changes.into_iter().map(|ch| ch.record).collect(),
        page.cursor,
    )
}

fn answers(records: &[Record]) -> Vec<TopUpAnswer> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::TopUpAnswer { answer } => Some(answer.clone()),
            _ => None,
        })
        .collect()
}

async fn list(c: &Central, auth: &Auth, query: &str) -> Vec<Value> {
    let (status, body) = c
        .call(
            "GET",
            &format!("/api/v1/top-up-requests{query}"),
            auth,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the list must answer: {body}");
    body.as_array().unwrap().clone()
}

fn available(c: &Central, plan: PlanId, device: DeviceId) -> u64 {
    c.store
        .plan(plan)
        .unwrap()
        .devices
        .iter()
        .filter(|d| d.device_id == device && d.item_id == c.mask)
        .map(|d| d.available)
        .sum()
}

#[tokio::test]
async fn a_pushed_request_is_listed_fulfilled_and_its_grant_pulled() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, t.id);
    let (request, event) = t.ask(plan, c.mask, 5);
    let r = push(&c, &t, &[event]).await;
    assert_eq!(
        (r.acked_through, r.quarantined.len()),
        (1, 0),
        "a good request applies"
    );

    let open = list(&c, &admin, "?status=open").await;
    assert_eq!(open.len(), 1, "the secretariat sees the open request");
    assert_eq!(open[0]["id"], request.to_string());
    assert_eq!(open[0]["device_name"], "甲 1号", "named by its device");
    assert_eq!(open[0]["plan_title"], "步行街宣传站");
    assert_eq!(open[0]["quantity"], 5);
    assert_eq!(open[0]["note"], "下午人多，口罩快发完了");
    assert_eq!(
        list(&c, &c.login("leader_a").await, "").await.len(),
        1,
        "the unit's own users see it too"
    );
    assert_eq!(
        available(&c, plan, t.id),
        10,
        "a request alone grants nothing"
    );

    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/top-up-requests/{request}/fulfil"),
            &admin,
            Some(json!({})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "fulfil must succeed: {body}");
    assert_eq!(body["status"], "fulfilled");
    assert_eq!(body["granted"], 5, "the request's quantity by default");
    assert!(body["grant_id"].is_string(), "names the grant it made");
    assert_eq!(
        available(&c, plan, t.id),
        15,
        "the whole allocation was granted, so the 5 came from stock: a grant row of 5"
    );
    let view = c.store.plan(plan).unwrap();
    let mask = view.items.iter().find(|i| i.item_id == c.mask).unwrap();
    assert_eq!(
        (mask.allocated, mask.granted),
        (15, 15),
        "allocation raised by the shortfall and granted, so sum(grants) <= allocation holds"
    );
    assert!(
        list(&c, &admin, "?status=open").await.is_empty(),
        "the request is closed"
    );
    assert_eq!(
        list(&c, &admin, "?status=fulfilled").await.len(),
        1,
        "and listed as fulfilled"
    );
    let mut grants = pull_grants(&c, &t).await;
    grants.sort_by_key(|g| g.1);
    assert_eq!(
        grants,
        vec![(plan, 5), (plan, 10)],
        "the device pulls the top-up grant beside its first one"
    );

    expect_error(
        c.call(
            "POST",
            &format!("/api/v1/top-up-requests/{request}/fulfil"),
            &admin,
            Some(json!({})),
        )
        .await,
        StatusCode::CONFLICT,
        "top_up_not_open",
        "a request is fulfilled once",
    );
}

#[tokio::test]
async fn a_request_covered_by_ungranted_allocation_takes_nothing_from_stock() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, t.id);
    c.store.allocate(&ADMIN, c.now(), plan, c.mask, 8).unwrap();
    let (request, event) = t.ask(plan, c.mask, 20);
    push(&c, &t, &[event]).await;
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/top-up-requests/{request}/fulfil"),
            &admin,
            Some(json!({"quantity": 6})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        (&body["quantity"], &body["granted"]),
        (&json!(20), &json!(6)),
        "the secretariat may grant less than asked"
    );
    let view = c.store.plan(plan).unwrap();
    let mask = view.items.iter().find(|i| i.item_id == c.mask).unwrap();
    assert_eq!(
        (mask.allocated, mask.granted),
        (18, 16),
        "6 of the 8 ungranted were granted; no more allocated"
    );
}

#[tokio::test]
async fn a_request_is_declined_with_a_reason_and_refusals_leave_it_open() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, t.id);
    let (request, event) = t.ask(plan, c.mask, 500);
    push(&c, &t, &[event]).await;
    let fulfil = format!("/api/v1/top-up-requests/{request}/fulfil");
    let decline = format!("/api/v1/top-up-requests/{request}/decline");

    expect_error(
        c.call("POST", &fulfil, &admin, Some(json!({}))).await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "90 masks on hand cannot cover 500",
    );
    expect_error(
        c.call("POST", &fulfil, &c.login("viewer").await, Some(json!({})))
            .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "a viewer does not grant",
    );
    expect_error(
        c.call("POST", &decline, &admin, Some(json!({"reason": "  "})))
            .await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a decline says why",
    );
    expect_error(
        c.call(
            "POST",
            &format!("/api/v1/top-up-requests/{}/decline", TopUpRequestId::new()),
            &admin,
            Some(json!({"reason": "库存不足"})),
        )
        .await,
        StatusCode::NOT_FOUND,
        "not_found",
        "an unknown request",
    );
    assert_eq!(
        list(&c, &admin, "?status=open").await.len(),
        1,
        "every refusal left the request open"
    );
    assert_eq!(available(&c, plan, t.id), 10, "and granted nothing");

    let (status, body) = c
        .call(
            "POST",
            &decline,
            &admin,
            Some(json!({"reason": "库存不足"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"], "declined");
    assert_eq!(body["decline_reason"], "库存不足");
    assert_eq!(body["decided_by"], "user:admin");
    expect_error(
        c.call("POST", &fulfil, &admin, Some(json!({}))).await,
        StatusCode::CONFLICT,
        "top_up_not_open",
        "a declined request cannot be fulfilled",
    );
}

#[tokio::test]
async fn closing_the_plan_declines_its_open_requests() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, t.id);
    let (_, event) = t.ask(plan, c.mask, 5);
    push(&c, &t, &[event]).await;
    c.store.close_plan(&ADMIN, c.now(), plan).unwrap();
    let all = list(&c, &admin, "").await;
    assert_eq!(all.len(), 1);
    assert_eq!(
        (&all[0]["status"], &all[0]["decline_reason"]),
        (&json!("declined"), &json!("plan closed")),
        "a closed plan has nothing left to grant from"
    );
}

#[tokio::test]
async fn a_request_that_cannot_be_one_is_quarantined_with_a_code() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let (other_device, _) = c.device(c.unit_b, "乙 1号").await;
    let plan = approved_plan(&c, c.unit_a, t.id);
    let other_units = approved_plan(&c, c.unit_b, other_device);
    let submitted = filed_plan(&c, c.unit_a);
    // Built in seq order: the batch must be gap-free.
    let mut batch = vec![
        t.ask(PlanId::new(), c.mask, 3).1,
        t.ask(plan, ItemId::new(), 3).1,
        t.ask(other_units, c.mask, 3).1,
        t.ask(plan, c.mask, 0).1,
        t.ask(submitted, c.mask, 3).1,
    ];
    let (_, good) = t.ask(plan, c.mask, 3);
    let EventPayload::TopUpRequested { request } = good.payload.clone() else {
        unreachable!("ask makes a top-up request")
    };
    batch.push(good);
    batch.push(t.event(EventPayload::TopUpRequested { request }));
    let mut long = t.ask(plan, c.mask, 3).1;
    if let EventPayload::TopUpRequested { request } = &mut long.payload {
        request.note = Some("多".repeat(TopUpRequest::NOTE_MAX_CHARS + 1));
    }
    batch.push(long);
    let r = push(&c, &t, &batch).await;
    assert_eq!(r.acked_through, 8, "quarantined events count as received");
    let codes = quarantine_codes(&r);
    assert_eq!(
        codes,
        vec![
            (1, "unknown_plan"),
            (2, "unknown_item"),
            (3, "plan_of_other_unit"),
            (4, "invalid_quantity"),
            (5, "plan_not_approved"),
            (7, "duplicate_top_up_request"),
            (8, "note_too_long"),
        ],
        "each request that cannot be one is quarantined with a stable code"
    );
    assert_eq!(
        list(&c, &admin, "").await.len(),
        1,
        "only the good request is stored"
    );
    let again = push(&c, &t, &batch).await;
    assert_eq!(again, r, "a replay reports the same quarantined events");
}

#[tokio::test]
async fn a_unit_sees_only_its_own_requests() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, t.id);
    let (_, event) = t.ask(plan, c.mask, 5);
    push(&c, &t, &[event]).await;
    let (_, b_device) = c.device(c.unit_b, "乙 1号").await;
    assert!(
        list(&c, &b_device, "").await.is_empty(),
        "another unit's device sees none of unit A's requests"
    );
    expect_error(
        c.call(
            "GET",
            &format!("/api/v1/top-up-requests?unit_id={}", c.unit_a),
            &b_device,
            None,
        )
        .await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "asking for another unit's list is refused",
    );
}

#[tokio::test]
async fn the_device_that_asked_pulls_the_answer_and_no_other_device_does() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let mut other = Tablet::enroll(&c, c.unit_a, "甲 2号").await;
    let b = Tablet::enroll(&c, c.unit_b, "乙 1号").await;
    let plan = approved_plan(&c, c.unit_a, t.id);
    let (granted, e1) = t.ask(plan, c.mask, 10);
    let (declined, e2) = t.ask(plan, c.mask, 500);
    push(&c, &t, &[e1, e2]).await;
    let (theirs, e3) = other.ask(plan, c.mask, 4);
    push(&c, &other, &[e3]).await;
    let (_, t_cursor) = pull(&c, &t, 0).await;
    let (_, other_cursor) = pull(&c, &other, 0).await;
    let (_, b_cursor) = pull(&c, &b, 0).await;

    // A refused fulfilment rolls back whole: no grant, and no answer either.
    expect_error(
        c.call(
            "POST",
            &format!("/api/v1/top-up-requests/{declined}/fulfil"),
            &admin,
            Some(json!({})),
        )
        .await,
        StatusCode::CONFLICT,
        "insufficient_stock",
        "90 masks on hand cannot cover 500",
    );
    let (records, _) = pull(&c, &t, t_cursor).await;
    assert!(
        records.is_empty(),
        "a refused fulfilment sends nothing: {records:?}"
    );

    c.advance(chrono::Duration::minutes(5));
    let fulfilled_at = c.now();
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/top-up-requests/{granted}/fulfil"),
            &admin,
            Some(json!({"quantity": 6})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (records, t_cursor) = pull(&c, &t, t_cursor).await;
    let grant = records
        .iter()
        .find_map(|r| match r {
            Record::Grant { grant } => Some(grant.clone()),
            _ => None,
        })
        .expect("the fulfilment's grant comes down");
    assert_eq!(
        answers(&records),
        vec![TopUpAnswer {
            request_id: granted,
            status: TopUpAnswerStatus::Fulfilled,
            granted: Some(6),
            grant_id: Some(grant.id),
            reason: None,
            decided_at: fulfilled_at,
        }],
        "the device learns its request was fulfilled with 6 of the 10 it asked, and by which grant"
    );
    assert_eq!(grant.quantity, 6);

    c.advance(chrono::Duration::minutes(5));
    let declined_at = c.now();
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/top-up-requests/{declined}/decline"),
            &admin,
            Some(json!({"reason": "库存不足"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (records, _) = pull(&c, &t, t_cursor).await;
    assert_eq!(
        records,
        vec![Record::TopUpAnswer {
            answer: TopUpAnswer {
                request_id: declined,
                status: TopUpAnswerStatus::Declined,
                granted: None,
                grant_id: None,
                reason: Some("库存不足".into()),
                decided_at: declined_at,
            }
        }],
        "a decline comes down with the secretariat's reason, and nothing else"
    );
    let (records, _) = pull(&c, &t, 0).await;
    let mut ids: Vec<TopUpRequestId> = answers(&records).iter().map(|a| a.request_id).collect();
    ids.sort();
    let mut both = vec![granted, declined];
    both.sort();
    assert_eq!(ids, both, "a new snapshot holds both answers, once each");

    let (records, _) = pull(&c, &other, other_cursor).await;
    assert!(
        answers(&records).is_empty(),
        "another device of the unit does not see t's answers: {records:?}"
    );
    let (records, _) = pull(&c, &b, b_cursor).await;
    assert!(
        answers(&records).is_empty(),
        "nor does a device of another unit"
    );
    assert!(
        list(&c, &admin, "?status=open")
            .await
            .iter()
            .any(|r| r["id"] == theirs.to_string()),
        "the other device's request is still open"
    );
}

#[tokio::test]
async fn closing_the_plan_sends_each_asking_device_a_plan_closed_decline() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let mut other = Tablet::enroll(&c, c.unit_a, "甲 2号").await;
    let plan = approved_plan(&c, c.unit_a, t.id);
    let (mine, e) = t.ask(plan, c.mask, 5);
    push(&c, &t, &[e]).await;
    let (theirs, e) = other.ask(plan, c.mask, 2);
    push(&c, &other, &[e]).await;
    let (_, t_cursor) = pull(&c, &t, 0).await;
    let (_, other_cursor) = pull(&c, &other, 0).await;
    c.advance(chrono::Duration::hours(1));
    c.store.close_plan(&ADMIN, c.now(), plan).unwrap();
    assert_eq!(
        TopUpAnswer::PLAN_CLOSED,
        "plan closed",
        "the reason the console lists and the tablet translates"
    );
    for (tablet, cursor, request) in [(&t, t_cursor, mine), (&other, other_cursor, theirs)] {
        let (records, _) = pull(&c, tablet, cursor).await;
        assert_eq!(
            answers(&records),
            vec![TopUpAnswer {
                request_id: request,
                status: TopUpAnswerStatus::Declined,
                granted: None,
                grant_id: None,
                reason: Some(TopUpAnswer::PLAN_CLOSED.into()),
                decided_at: c.now(),
            }],
            "each device learns that its own request closed with the plan, and only its own"
        );
    }
}
