//! Issue 14, item 7: a refused value inside a pushed event is named by its full path
//! (`events[0].payload.handout.quantity`), not by the payload that holds it, whatever the
//! event's kind; and the refused batch stores nothing.

use axum::http::StatusCode;
use fieldpost_domain::{
    ActivityPlan, Carrier, CheckInId, Consent, EntrantId, EventPayload, Handout, HandoutId,
    HandoutVoid, ItemId, ItemQuantity, LotteryEntrant, MobileNumber, PlanId, PlanStatus,
    StationSession, Tally, TopUpRequest, TopUpRequestId, VolunteerCheckIn,
};
use serde_json::{Value, json};

use crate::support::{Central, Tablet, at, expect_error};
use crate::sync::{approved_plan, push};

/// One event of each kind, as a tablet records it.
fn one_of_each_kind(c: &Central, t: &Tablet, plan: PlanId) -> Vec<EventPayload> {
    let phone = MobileNumber::parse("13812345678").unwrap();
    let session = t.session;
    let item = ItemQuantity {
        item_id: c.mask,
        quantity: 5,
    };
    let filed = ActivityPlan {
        id: PlanId::new(),
        unit_id: c.unit_a,
        title: "周末摆摊".into(),
        location: "进贤门广场".into(),
        starts_at: at(0),
        ends_at: at(240),
        expected_people: 200,
        staff: "张三".into(),
        requested: vec![item],
        status: PlanStatus::Submitted,
        allocation: vec![],
        reject_reason: None,
        revision: 1,
    };
    vec![
        EventPayload::SessionOpened {
            session: StationSession {
                id: session,
                plan_id: plan,
                device_id: t.id,
                station: "进贤门广场东侧".into(),
                opened_at: at(0),
                closed_at: None,
            },
        },
        EventPayload::SessionClosed {
            session_id: session,
            closed_at: at(60),
        },
        EventPayload::VolunteerCheckedIn {
            check_in: VolunteerCheckIn {
                id: CheckInId::new(),
                session_id: session,
                volunteer_name: "李四".into(),
                ivolunteer_id: None,
                checked_in_at: at(1),
            },
        },
        EventPayload::VolunteerCheckedOut {
            check_in_id: CheckInId::new(),
            checked_out_at: at(50),
        },
        EventPayload::TallyRecorded {
            tally: Tally {
                session_id: session,
                people_reached: 3,
                questionnaires_assisted: 1,
            },
        },
        EventPayload::HandoutRecorded {
            handout: Handout {
                id: HandoutId::new(),
                session_id: session,
                plan_id: plan,
                item_id: c.mask,
                quantity: 1,
                handed_out_at: at(5),
                over_grant_reason: None,
            },
        },
        EventPayload::HandoutVoided {
            void: HandoutVoid {
                handout_id: HandoutId::new(),
                reason: "手误".into(),
                voided_at: at(6),
            },
        },
        EventPayload::EntrantRegistered {
            entrant: LotteryEntrant {
                id: EntrantId::new(),
                session_id: session,
                phone_sealed: c.lottery_public_key().seal(&phone),
                phone_masked: phone.masked(),
                carrier: Carrier::of_number(&phone),
                consent: Consent {
                    text_version: fieldpost_central::lottery::DEFAULT_CONSENT_VERSION.into(),
                    given_at: at(7),
                },
                registered_at: at(7),
            },
        },
        EventPayload::PlanFiled {
            plan: filed.clone(),
        },
        EventPayload::PlanRevised { plan: filed },
        EventPayload::GrantReleased {
            plan_id: plan,
            item_id: c.mask,
            quantity: 1,
        },
        EventPayload::TopUpRequested {
            request: TopUpRequest {
                id: TopUpRequestId::new(),
                plan_id: plan,
                item_id: ItemId::new(),
                quantity: 20,
                note: None,
                requested_at: at(8),
            },
        },
    ]
}

/// `payload` as pushed at seq 1, with `spoil` applied to its JSON.
fn spoilt(t: &mut Tablet, payload: &EventPayload, spoil: impl FnOnce(&mut Value)) -> Value {
    let mut event = t.event(payload.clone());
    event.seq = 1;
    let mut value = serde_json::to_value(&event).unwrap();
    spoil(&mut value["payload"]);
    value
}

#[tokio::test]
async fn a_bad_value_inside_any_kind_of_event_is_named_by_its_full_path() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let kinds = one_of_each_kind(&c, &t, plan);
    let mut tried = std::collections::BTreeSet::new();
    // (kind, what is wrong, the change, the field named).
    type Spoil = fn(&mut Value);
    let cases: Vec<(&str, &str, Spoil, &str)> = vec![
        (
            "handout_recorded",
            "negative",
            |p| p["handout"]["quantity"] = json!(-1),
            "handout.quantity",
        ),
        (
            "handout_recorded",
            "wrong type",
            |p| p["handout"]["quantity"] = json!("two"),
            "handout.quantity",
        ),
        (
            "handout_recorded",
            "missing",
            |p| {
                p["handout"].as_object_mut().unwrap().remove("item_id");
            },
            "handout.item_id",
        ),
        (
            "session_opened",
            "not a time",
            |p| p["session"]["opened_at"] = json!("morning"),
            "session.opened_at",
        ),
        (
            "session_closed",
            "missing",
            |p| {
                p.as_object_mut().unwrap().remove("closed_at");
            },
            "closed_at",
        ),
        (
            "volunteer_checked_in",
            "not a UUID",
            |p| p["check_in"]["session_id"] = json!("s-1"),
            "check_in.session_id",
        ),
        (
            "volunteer_checked_out",
            "wrong type",
            |p| p["check_in_id"] = json!(7),
            "check_in_id",
        ),
        (
            "tally_recorded",
            "missing",
            |p| {
                p["tally"]
                    .as_object_mut()
                    .unwrap()
                    .remove("questionnaires_assisted");
            },
            "tally.questionnaires_assisted",
        ),
        (
            "tally_recorded",
            "beyond i32",
            |p| p["tally"]["people_reached"] = json!(3_000_000_000_i64),
            "tally.people_reached",
        ),
        (
            "handout_voided",
            "wrong type",
            |p| p["void"]["reason"] = json!(["手误"]),
            "void.reason",
        ),
        (
            "entrant_registered",
            "unknown carrier",
            |p| p["entrant"]["carrier"] = json!("vodafone"),
            "entrant.carrier",
        ),
        (
            "entrant_registered",
            "missing",
            |p| {
                p["entrant"]["consent"]
                    .as_object_mut()
                    .unwrap()
                    .remove("given_at");
            },
            "entrant.consent.given_at",
        ),
        (
            "plan_filed",
            "negative, in a list",
            |p| p["plan"]["requested"][0]["quantity"] = json!(-3),
            "plan.requested[0].quantity",
        ),
        (
            "plan_revised",
            "unknown status",
            |p| p["plan"]["status"] = json!("maybe"),
            "plan.status",
        ),
        (
            "grant_released",
            "beyond u32",
            |p| p["quantity"] = json!(4_294_967_296_u64),
            "quantity",
        ),
        (
            "top_up_requested",
            "null",
            |p| p["request"]["quantity"] = Value::Null,
            "request.quantity",
        ),
        (
            "handout_teleported",
            "unknown kind",
            |p| p["type"] = json!("handout_teleported"),
            "type",
        ),
        (
            "",
            "no kind",
            |p| {
                p.as_object_mut().unwrap().remove("type");
            },
            "type",
        ),
    ];
    for (kind, what, spoil, field) in cases {
        let payload = kinds
            .iter()
            .find(|p| p.kind() == kind)
            // An unknown kind or none: a handout's payload with its `type` spoilt.
            .unwrap_or(&kinds[5]);
        tried.insert(payload.kind());
        // The spoilt event comes second: its index is part of the path.
        let mut first = t.event(kinds[0].clone());
        first.seq = 1;
        let mut bad = spoilt(&mut t, payload, spoil);
        bad["seq"] = json!(2);
        let body = expect_error(
            c.call(
                "POST",
                "/api/v1/sync/push",
                &t.auth,
                Some(json!({"events": [serde_json::to_value(&first).unwrap(), bad]})),
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_value",
            &format!("{kind}: {what}"),
        );
        assert_eq!(
            body["error"]["field"],
            format!("events[1].payload.{field}"),
            "{kind}, {what}: the innermost field is named: {body}"
        );
    }
    assert_eq!(
        tried.len(),
        kinds.len(),
        "every kind of event was tried: {tried:?}"
    );
    // Nothing of the refused batches was stored: seq 1 is still free.
    let mut open = t.event(kinds[0].clone());
    open.seq = 1;
    let reply = push(&c, &t, &[open]).await;
    assert_eq!(reply.acked_through, 1, "the refused batches stored nothing");
}

/// A query parameter that does not parse is named too: the station's pull cursor, a page's
/// size, an id to filter by.
#[tokio::test]
async fn a_bad_query_parameter_is_named() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    for (path, auth, field) in [
        ("/api/v1/sync/pull?after=-1", &t.auth, "after"),
        ("/api/v1/sync/pull?after=0&limit=lots", &t.auth, "limit"),
        (
            "/api/v1/sync/pull?after=0&limit=4294967296",
            &t.auth,
            "limit",
        ),
        ("/api/v1/stock/ledger?item_id=masks", &admin, "item_id"),
        (
            "/api/v1/stock/ledger?after=9223372036854775808",
            &admin,
            "after",
        ),
        ("/api/v1/audit?before=yesterday", &admin, "before"),
    ] {
        let body = expect_error(
            c.call("GET", path, auth, None).await,
            StatusCode::BAD_REQUEST,
            "invalid_query",
            path,
        );
        assert_eq!(body["error"]["field"], field, "{path}: {body}");
        assert!(
            body["error"]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with(&format!("{field}: "))),
            "{path}: the message says which parameter: {body}"
        );
    }
}
