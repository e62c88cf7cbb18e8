//! Issue 4, the central's half of sync: push (idempotent, conflicts, gaps, quarantine, records
//! updated, revoked devices) and pull (scope, cursors, snapshot, gap safety under concurrent
//! writers).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use axum::http::StatusCode;
use chrono::{DateTime, Duration, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::plans::{Approval, DeviceShare, PlanContent};
use fieldpost_central::{campaign, records};
use fieldpost_domain::{
    ActivityPlan, CheckInId, Consent, DeviceEvent, DeviceId, EntrantId, EventId, EventPayload,
    Handout, HandoutId, HandoutVoid, ItemId, ItemQuantity, LotteryEntrant, MobileNumber, PlanId,
    PlanStatus, SessionId, StationSession, Tally, UnitId, VolunteerCheckIn,
};
use fieldpost_sync::{PullResponse, PushRequest, PushResponse, Record};
use serde_json::Value;

use crate::support::{Auth, Central, Tablet, at, expect_error, quarantine_codes};
use fieldpost_central::testkit::{Backend, Direct};

const ADMIN: Actor = Actor::System("test");

impl Tablet {
    pub(crate) fn open_session(&mut self, plan: PlanId) -> DeviceEvent {
        let session = StationSession {
            id: self.session,
            plan_id: plan,
            device_id: self.id,
            station: "进贤门广场东侧".into(),
            opened_at: at(0),
            closed_at: None,
        };
        self.event(EventPayload::SessionOpened { session })
    }

    pub(crate) fn handout(
        &mut self,
        plan: PlanId,
        item: ItemId,
        quantity: u32,
    ) -> (HandoutId, DeviceEvent) {
        let handout = Handout {
            id: HandoutId::new(),
            session_id: self.session,
            plan_id: plan,
            item_id: item,
            quantity,
            handed_out_at: at(5),
            over_grant_reason: None,
        };
        (
            handout.id,
            self.event(EventPayload::HandoutRecorded { handout }),
        )
    }
}

fn content(c: &Central) -> PlanContent {
    PlanContent {
        title: "步行街宣传站".into(),
        location: "榕城区".into(),
        starts_at: at(0),
        ends_at: at(8 * 60),
        expected_people: 300,
        staff: "张三".into(),
        requested: vec![ItemQuantity {
            item_id: c.mask,
            quantity: 20,
        }],
    }
}

/// Files and approves a plan for `unit`, granting each of `grants` masks to its device.
pub(crate) fn approved_plan(c: &Central, unit: UnitId, grants: &[(DeviceId, u32)]) -> PlanId {
    let id = PlanId::new();
    c.store
        .file_plan(&ADMIN, c.now(), id, unit, content(c))
        .unwrap();
    let total = grants.iter().map(|g| g.1).sum();
    c.store
        .approve_plan(
            &ADMIN,
            c.now(),
            id,
            Approval {
                allocation: vec![ItemQuantity {
                    item_id: c.mask,
                    quantity: total,
                }],
                grants: Some(
                    grants
                        .iter()
                        .map(|&(device_id, quantity)| DeviceShare {
                            device_id,
                            item_id: c.mask,
                            quantity,
                        })
                        .collect(),
                ),
            },
        )
        .unwrap();
    id
}

pub(crate) async fn push_raw(
    c: &Central,
    auth: &Auth,
    events: &[DeviceEvent],
) -> (StatusCode, Value) {
    let body = serde_json::to_value(PushRequest {
        events: events.to_vec(),
    })
    .unwrap();
    c.call("POST", "/api/v1/sync/push", auth, Some(body)).await
}

pub(crate) async fn push(c: &Central, t: &Tablet, events: &[DeviceEvent]) -> PushResponse {
    let (status, body) = push_raw(c, &t.auth, events).await;
    assert_eq!(status, StatusCode::OK, "the push must apply: {body}");
    serde_json::from_value(body).unwrap()
}

async fn pull_raw(c: &Central, auth: &Auth, after: u64, limit: Option<u32>) -> (StatusCode, Value) {
    let path = match limit {
        Some(l) => format!("/api/v1/sync/pull?after={after}&limit={l}"),
        None => format!("/api/v1/sync/pull?after={after}"),
    };
    c.call("GET", &path, auth, None).await
}

pub(crate) async fn pull(c: &Central, auth: &Auth, after: u64, limit: Option<u32>) -> PullResponse {
    let (status, body) = pull_raw(c, auth, after, limit).await;
    assert_eq!(status, StatusCode::OK, "the pull must answer: {body}");
    serde_json::from_value(body).unwrap()
}

/// Every change from `after` on, page by page, checking the cursor contract on the way.
async fn pull_all(c: &Central, auth: &Auth, after: u64, limit: u32) -> (Vec<Record>, u64) {
    let (mut records, mut cursor) = (Vec::new(), after);
    loop {
        let page = pull(c, auth, cursor, Some(limit)).await;
        // A page stops at the limit, except to finish the push batch it is in (a batch's
        // handouts share one server_seq and are never split across pages).
        if let Some(at_limit) = page.changes.get(limit as usize - 1) {
            assert!(
                page.changes[limit as usize - 1..]
                    .iter()
                    .all(|ch| ch.server_seq == at_limit.server_seq),
                "a page never exceeds the limit but to finish a batch"
            );
        }
        assert!(page.cursor >= cursor, "the cursor never moves back");
        for w in page.changes.windows(2) {
            assert!(
                w[0].server_seq <= w[1].server_seq,
                "a page is in server_seq order"
            );
        }
        if let Some(last) = page.changes.last() {
            assert!(last.server_seq <= page.cursor, "the cursor covers the page");
        }
        records.extend(page.changes.into_iter().map(|ch| ch.record));
        cursor = page.cursor;
        if !page.more {
            return (records, cursor);
        }
    }
}

fn key(r: &Record) -> (String, String) {
    let (kind, id) = match r {
        Record::Campaign { campaign } => ("campaign", campaign.id.to_string()),
        Record::Section { section } => ("section", section.id.to_string()),
        Record::Unit { unit } => ("unit", unit.id.to_string()),
        Record::Item { item } => ("item", item.id.to_string()),
        Record::Plan { plan } => ("plan", plan.id.to_string()),
        Record::Grant { grant } => ("grant", grant.id.to_string()),
        Record::Handout { handout, .. } => ("handout", handout.id.to_string()),
        Record::Quarantine { event_id, .. } => ("quarantine", event_id.to_string()),
        Record::TopUpAnswer { answer } => ("top_up", answer.request_id.to_string()),
        Record::Lottery { .. } => ("lottery", String::new()),
        Record::UnitProgress { progress } => ("unit_progress", progress.unit_id.to_string()),
    };
    (kind.to_owned(), id)
}

fn handouts(records: &[Record]) -> BTreeMap<HandoutId, (DeviceId, Option<DateTime<Utc>>)> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Handout {
                handout,
                device_id,
                voided_at,
            } => Some((handout.id, (*device_id, *voided_at))),
            _ => None,
        })
        .collect()
}

/// (handed out, beyond the grants) of masks under a plan, as the central's records say.
fn plan_masks(c: &Central, plan: PlanId) -> (u64, u64) {
    let view = c.store.plan(plan).unwrap();
    view.items
        .iter()
        .find(|i| i.item_id == c.mask)
        .map_or((0, 0), |i| (i.handed_out, i.unbacked))
}

fn available(c: &Central, plan: PlanId, device: DeviceId) -> u64 {
    let view = c.store.plan(plan).unwrap();
    view.devices
        .iter()
        .find(|d| d.device_id == device && d.item_id == c.mask)
        .map_or(0, |d| d.available)
}

#[tokio::test]
async fn the_same_batch_twice_stores_once_and_acks_the_same() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let mut batch = vec![t.open_session(plan)];
    for q in [1, 2, 3] {
        batch.push(t.handout(plan, c.mask, q).1);
    }
    let first = push(&c, &t, &batch).await;
    let again = push(&c, &t, &batch).await;
    assert_eq!(first.acked_through, 4, "all four events are held");
    assert_eq!(
        again, first,
        "a retried batch is answered exactly as the first time"
    );
    assert_eq!(
        plan_masks(&c, plan),
        (6, 0),
        "the retried handouts must not count twice"
    );
    assert_eq!(available(&c, plan, t.id), 4, "10 granted − 6 handed out");
}

/// The central stores each event's text as the station sent it; a retry that spells the same
/// event differently (here: the test client's Value reorders keys, then the struct order) is
/// the same event, not a conflict.
#[tokio::test]
async fn the_same_event_spelled_differently_is_a_replay_not_a_conflict() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let batch = vec![t.open_session(plan), t.handout(plan, c.mask, 2).1];
    let first = push(&c, &t, &batch).await;
    let text = serde_json::to_string_pretty(&PushRequest {
        events: batch.clone(),
    })
    .unwrap();
    let req = axum::http::Request::builder()
        .method("POST")
        .uri("/api/v1/sync/push")
        .header("content-type", "application/json")
        .header(
            "authorization",
            match &t.auth {
                Auth::Bearer(token) => format!("Bearer {token}"),
                other => panic!("a device authenticates with a bearer token, not {other:?}"),
            },
        )
        .body(axum::body::Body::from(text))
        .unwrap();
    let (status, body) = c.send(req).await;
    assert_eq!(status, StatusCode::OK, "a re-spelled retry applies: {body}");
    let again: PushResponse = serde_json::from_value(body).unwrap();
    assert_eq!(again, first, "and is answered as the first time");
    assert_eq!(
        plan_masks(&c, plan),
        (2, 0),
        "without counting the handout twice"
    );
}

/// A pushed handout is kept once: its event row holds the envelope and digest, the handout
/// row the content (migration 0004). Other events keep their text. A replay is still
/// recognized, and altered content still refused, by the digest.
#[tokio::test]
async fn a_handout_event_is_stored_once_and_replays_are_compared_by_digest() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let batch = vec![t.open_session(plan), t.handout(plan, c.mask, 2).1];
    push(&c, &t, &batch).await;
    let rows: Vec<(String, usize, usize)> = c
        .database
        .rows(&format!(
            "SELECT kind, length(body), length(digest) FROM device_events
             WHERE device_id = '{}' ORDER BY seq",
            t.id
        ))
        .unwrap()
        .into_iter()
        .map(|r| {
            let n = |i: usize| r[i].as_deref().unwrap().parse().unwrap();
            (r[0].clone().unwrap(), n(1), n(2))
        })
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, "session_opened");
    assert!(
        rows[0].1 > 100,
        "a session's event keeps its text: {rows:?}"
    );
    assert_eq!(
        (rows[1].0.as_str(), rows[1].1, rows[1].2),
        ("handout_recorded", 0, 16),
        "an applied handout's event keeps no second copy of the handout, only a 16-byte digest"
    );
    let again = push(&c, &t, &batch).await;
    assert_eq!(again.acked_through, 2, "the replay is recognized");
    let mut altered = batch[1].clone();
    if let EventPayload::HandoutRecorded { handout } = &mut altered.payload {
        handout.handed_out_at += Duration::seconds(1);
    }
    expect_error(
        push_raw(&c, &t.auth, &[altered]).await,
        StatusCode::CONFLICT,
        "event_conflict",
        "a handout replayed with another time is other content",
    );
    assert_eq!(plan_masks(&c, plan), (2, 0), "counted once");
}

/// Rows stored before migration 0004 have no digest and the event's whole text: a replay of
/// them is compared by that text, or by the parsed event when it is spelled differently.
#[tokio::test]
async fn events_stored_before_digests_are_compared_by_their_text() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let batch = vec![t.open_session(plan), t.handout(plan, c.mask, 2).1];
    push(&c, &t, &batch).await;
    for e in &batch {
        // As a pre-0004 central stored them: pretty-printed by some other client.
        let body = serde_json::to_string_pretty(e).unwrap().replace('\'', "''");
        c.database
            .rows(&format!(
                "UPDATE device_events SET digest = NULL, body = '{body}' WHERE id = '{}'",
                e.id
            ))
            .unwrap();
    }
    let again = push(&c, &t, &batch).await;
    assert_eq!(
        again.acked_through, 2,
        "the same events in other spelling are a replay"
    );
    let mut altered = batch[1].clone();
    if let EventPayload::HandoutRecorded { handout } = &mut altered.payload {
        handout.quantity = 3;
    }
    expect_error(
        push_raw(&c, &t.auth, &[altered]).await,
        StatusCode::CONFLICT,
        "event_conflict",
        "other content under a stored seq is a conflict",
    );
    assert_eq!(plan_masks(&c, plan), (2, 0), "counted once");
}

/// A handout id seen before, in a batch long enough to go in by chunks: the central falls back
/// to applying the batch one row at a time, and answers exactly as it would have: the same
/// handout again counts once, other content under a stored handout id is quarantined, and the
/// rest of the batch applies.
#[tokio::test]
async fn a_stored_handout_id_in_a_long_batch_is_answered_as_one_at_a_time() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 100)]);
    let opened = t.open_session(plan);
    let first = t.handout(plan, c.mask, 1).1;
    push(&c, &t, &[opened, first.clone()]).await;
    let stored = match &first.payload {
        EventPayload::HandoutRecorded { handout } => handout.clone(),
        other => panic!("a handout event, not {other:?}"),
    };
    let mut batch = Vec::new();
    for k in 0..130 {
        let mut e = t.handout(plan, c.mask, 1).1;
        if let EventPayload::HandoutRecorded { handout } = &mut e.payload {
            if k == 20 {
                // The same handout again, under a new event.
                *handout = stored.clone();
            }
            if k == 75 {
                // Another handout under the stored handout's id.
                *handout = Handout {
                    quantity: 7,
                    ..stored.clone()
                };
            }
        }
        batch.push(e);
    }
    let r = push(&c, &t, &batch).await;
    assert_eq!(r.acked_through, 132, "every event of the batch is held");
    assert_eq!(
        quarantine_codes(&r),
        vec![(78, "handout_conflict")],
        "only other content under a stored handout id is quarantined"
    );
    assert_eq!(
        plan_masks(&c, plan),
        (1 + 128, 29),
        "the first handout once and the 128 new ones, 29 of them beyond the grant of 100"
    );
    assert_eq!(available(&c, plan, t.id), 0);
}

/// An event id reused under a new seq, deep inside a chunked batch: still a conflict that
/// names the event, and nothing of the batch applies.
#[tokio::test]
async fn a_reused_event_id_in_a_long_batch_is_a_conflict_naming_the_event() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 100)]);
    let opened = t.open_session(plan);
    push(&c, &t, std::slice::from_ref(&opened)).await;
    let mut batch: Vec<DeviceEvent> = (0..130).map(|_| t.handout(plan, c.mask, 1).1).collect();
    batch[80].id = opened.id;
    let body = expect_error(
        push_raw(&c, &t.auth, &batch).await,
        StatusCode::CONFLICT,
        "event_conflict",
        "event id of seq 1 reused at seq 83",
    );
    assert_eq!(body["error"]["field"], "events[80].id");
    assert_eq!(plan_masks(&c, plan), (0, 0), "nothing of the batch applied");
    assert_eq!(push(&c, &t, &[]).await.acked_through, 1);
}

/// The same handout twice in one chunk (two events for one tap): counted once.
#[tokio::test]
async fn the_same_handout_twice_in_one_batch_counts_once() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 100)]);
    let mut batch = vec![t.open_session(plan)];
    batch.extend((0..60).map(|_| t.handout(plan, c.mask, 1).1));
    let twice = match &batch[10].payload {
        EventPayload::HandoutRecorded { handout } => handout.clone(),
        other => panic!("a handout event, not {other:?}"),
    };
    batch.push(t.event(EventPayload::HandoutRecorded { handout: twice }));
    let r = push(&c, &t, &batch).await;
    assert_eq!(r.acked_through, 62);
    assert!(r.quarantined.is_empty(), "{:?}", r.quarantined);
    assert_eq!(plan_masks(&c, plan), (60, 0));
}

#[tokio::test]
async fn an_older_batch_replayed_after_newer_ones_changes_nothing() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let old = vec![t.open_session(plan), t.handout(plan, c.mask, 2).1];
    let newer = vec![t.handout(plan, c.mask, 3).1, t.handout(plan, c.mask, 1).1];
    push(&c, &t, &old).await;
    push(&c, &t, &newer).await;
    let replay = push(&c, &t, &old).await;
    assert_eq!(
        replay.acked_through, 4,
        "the ack is the highest seq held, not the end of the replayed batch"
    );
    assert_eq!(
        plan_masks(&c, plan),
        (6, 0),
        "a replay applies nothing again"
    );
    // A batch straddling what is held and what is new applies only the new part.
    let straddle = vec![newer[1].clone(), t.handout(plan, c.mask, 1).1];
    let r = push(&c, &t, &straddle).await;
    assert_eq!(r.acked_through, 5, "the new tail is stored");
    assert_eq!(plan_masks(&c, plan), (7, 0), "only the new handout counts");
}

#[tokio::test]
async fn the_same_seq_with_other_content_is_a_conflict_and_applies_nothing() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let batch = vec![t.open_session(plan), t.handout(plan, c.mask, 2).1];
    push(&c, &t, &batch).await;

    let mut altered = batch[1].clone();
    if let EventPayload::HandoutRecorded { handout } = &mut altered.payload {
        handout.quantity = 9;
    }
    let fresh = t.handout(plan, c.mask, 1).1;
    let body = expect_error(
        push_raw(&c, &t.auth, &[altered, fresh.clone()]).await,
        StatusCode::CONFLICT,
        "event_conflict",
        "seq 2 is stored with quantity 2; quantity 9 under it is a conflict",
    );
    assert_eq!(
        body["error"]["field"], "events[0]",
        "the conflict names the event"
    );
    assert_eq!(
        plan_masks(&c, plan),
        (2, 0),
        "the stored handout is kept as it was"
    );
    let after = push(&c, &t, &[]).await;
    assert_eq!(
        after.acked_through, 2,
        "the new event of the refused batch (seq 3) was not applied either"
    );
    push(&c, &t, &[fresh]).await;
    assert_eq!(plan_masks(&c, plan), (3, 0), "sent alone, it applies");
}

#[tokio::test]
async fn the_same_id_under_another_seq_is_a_conflict_and_applies_nothing() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let batch = vec![t.open_session(plan), t.handout(plan, c.mask, 2).1];
    push(&c, &t, &batch).await;

    let good = t.handout(plan, c.mask, 1).1;
    let mut reused = t.handout(plan, c.mask, 1).1;
    reused.id = batch[1].id;
    let body = expect_error(
        push_raw(&c, &t.auth, &[good, reused]).await,
        StatusCode::CONFLICT,
        "event_conflict",
        "event ids are unique: seq 4 may not reuse seq 2's id",
    );
    assert_eq!(
        body["error"]["field"], "events[1].id",
        "the conflict names the id"
    );
    assert_eq!(
        push(&c, &t, &[]).await.acked_through,
        2,
        "seq 3 of the refused batch was rolled back with it"
    );
    assert_eq!(plan_masks(&c, plan), (2, 0), "nothing of the batch applied");
}

#[tokio::test]
async fn a_gap_is_refused_with_the_expected_seq_and_applies_nothing() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let batch = [t.open_session(plan), t.handout(plan, c.mask, 1).1];
    push(&c, &t, &batch).await;
    let _lost = t.handout(plan, c.mask, 1);
    let after_gap = vec![t.handout(plan, c.mask, 1).1, t.handout(plan, c.mask, 1).1];
    let body = expect_error(
        push_raw(&c, &t.auth, &after_gap).await,
        StatusCode::CONFLICT,
        "seq_gap",
        "seq 3 never arrived, so seq 4 cannot be applied",
    );
    assert_eq!(
        body["error"]["expected_seq"], 3,
        "the station learns where to resend from"
    );
    assert_eq!(
        plan_masks(&c, plan),
        (1, 0),
        "nothing of the gapped batch applied"
    );

    // A batch that is not gap-free in itself is malformed.
    let mut inner = vec![t.handout(plan, c.mask, 1).1, t.handout(plan, c.mask, 1).1];
    inner[0].seq = 3;
    inner[1].seq = 5;
    let body = expect_error(
        push_raw(&c, &t.auth, &inner).await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a batch skips no seq",
    );
    assert_eq!(
        body["error"]["field"], "events[1].seq",
        "names the event that skips"
    );

    // Issue 14: the largest seq there is, followed by any other, is refused by name (the
    // handler computed `seq + 1` unchecked and panicked), and nothing applies.
    let mut last = vec![t.handout(plan, c.mask, 1).1, t.handout(plan, c.mask, 1).1];
    last[0].seq = u64::MAX;
    last[1].seq = 3;
    let body = expect_error(
        push_raw(&c, &t.auth, &last).await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "nothing follows u64::MAX",
    );
    assert_eq!(body["error"]["field"], "events[0].seq", "{body}");
    assert_eq!(plan_masks(&c, plan), (1, 0), "nothing applied");
}

#[tokio::test]
async fn a_bad_event_is_quarantined_while_the_rest_applies_and_the_notice_comes_back() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let batch = vec![
        t.open_session(plan),
        t.handout(PlanId::new(), c.mask, 2).1,
        t.handout(plan, c.mask, 3).1,
        t.event(EventPayload::HandoutVoided {
            void: HandoutVoid {
                handout_id: HandoutId::new(),
                reason: "手误".into(),
                voided_at: at(6),
            },
        }),
        t.event(EventPayload::GrantReleased {
            plan_id: plan,
            item_id: c.mask,
            quantity: 50,
        }),
    ];
    let r = push(&c, &t, &batch).await;
    assert_eq!(r.acked_through, 5, "quarantined events count as received");
    let codes = quarantine_codes(&r);
    assert_eq!(
        codes,
        vec![
            (2, "unknown_plan"),
            (4, "unknown_handout"),
            (5, "release_exceeds_grant")
        ],
        "each bad event is quarantined with a stable code"
    );
    assert_eq!(plan_masks(&c, plan), (3, 0), "the good handout applied");
    assert_eq!(
        available(&c, plan, t.id),
        7,
        "the refused release took nothing"
    );

    let (records, _) = pull_all(&c, &t.auth, 0, 1000).await;
    let notices: BTreeSet<(u64, String)> = records
        .iter()
        .filter_map(|r| match r {
            Record::Quarantine { seq, code, .. } => Some((*seq, code.clone())),
            _ => None,
        })
        .collect();
    let expected: BTreeSet<(u64, String)> = [
        (2, "unknown_plan".to_owned()),
        (4, "unknown_handout".to_owned()),
        (5, "release_exceeds_grant".to_owned()),
    ]
    .into();
    assert_eq!(notices, expected, "the device pulls its quarantine notices");
    let again = push(&c, &t, &batch).await;
    assert_eq!(again, r, "a replay reports the same quarantined events");
}

#[tokio::test]
async fn handouts_update_the_records_and_an_over_grant_one_is_flagged() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let open = t.open_session(plan);
    let (within, e1) = t.handout(plan, c.mask, 4);
    let (beyond, mut e2) = t.handout(plan, c.mask, 9);
    if let EventPayload::HandoutRecorded { handout } = &mut e2.payload {
        handout.over_grant_reason = Some("箱子里多了口罩".into());
    }
    push(&c, &t, &[open, e1, e2]).await;
    let records = records::records(c.store.as_ref()).unwrap();
    let unit = records
        .units
        .iter()
        .find(|u| u.unit.id == c.unit_a)
        .unwrap();
    let masks = unit.items.iter().find(|i| i.item_id == c.mask).unwrap();
    assert_eq!(
        masks.handed_out, 13,
        "both handouts show in the unit-quota records, the exception included"
    );
    assert_eq!(
        plan_masks(&c, plan),
        (13, 3),
        "4 + 9 = 13 handed out against a grant of 10: 3 beyond it, flagged"
    );
    let other = Tablet::enroll(&c, c.unit_a, "甲 2号").await;
    let (records, _) = pull_all(&c, &other.auth, 0, 1000).await;
    let got = handouts(&records);
    assert!(
        got.contains_key(&within) && got.contains_key(&beyond),
        "both handouts reach the unit's other devices"
    );
    let (own, _) = pull_all(&c, &t.auth, 0, 1000).await;
    assert!(
        handouts(&own).is_empty(),
        "the device that recorded them holds them already: they are not sent back"
    );
}

#[tokio::test]
async fn sessions_tallies_hours_entrants_and_plans_are_recorded() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let check_in = CheckInId::new();
    let phone = MobileNumber::parse("138 0013 8000").unwrap();
    let public = c.lottery_public_key();
    // Each registration seals the number anew: the two seals differ, the hash does not.
    let entrant = |phone: &MobileNumber, session| LotteryEntrant {
        id: EntrantId::new(),
        session_id: session,
        phone_sealed: public.seal(phone),
        phone_masked: phone.masked(),
        carrier: fieldpost_domain::Carrier::of_number(phone),
        consent: Consent {
            text_version: "v1".into(),
            given_at: at(10),
        },
        registered_at: at(10),
    };
    let filed = ActivityPlan {
        id: PlanId::new(),
        unit_id: c.unit_a,
        title: "社区宣传站".into(),
        location: "东山区".into(),
        starts_at: at(60 * 24),
        ends_at: at(60 * 24 + 240),
        expected_people: 80,
        staff: "李四".into(),
        requested: vec![ItemQuantity {
            item_id: c.kit,
            quantity: 5,
        }],
        status: PlanStatus::Submitted,
        allocation: vec![],
        reject_reason: None,
        revision: 0,
    };
    let session = t.session;
    let batch = vec![
        t.open_session(plan),
        t.event(EventPayload::VolunteerCheckedIn {
            check_in: VolunteerCheckIn {
                id: check_in,
                session_id: session,
                volunteer_name: "王五".into(),
                ivolunteer_id: Some("ZYZ-001".into()),
                checked_in_at: at(0),
            },
        }),
        t.event(EventPayload::TallyRecorded {
            tally: Tally {
                session_id: session,
                people_reached: 12,
                questionnaires_assisted: 5,
            },
        }),
        t.event(EventPayload::TallyRecorded {
            tally: Tally {
                session_id: session,
                people_reached: -2,
                questionnaires_assisted: 0,
            },
        }),
        t.event(EventPayload::EntrantRegistered {
            entrant: entrant(&phone, session),
        }),
        t.event(EventPayload::EntrantRegistered {
            entrant: entrant(&phone, session),
        }),
        t.event(EventPayload::VolunteerCheckedOut {
            check_in_id: check_in,
            checked_out_at: at(90),
        }),
        t.event(EventPayload::SessionClosed {
            session_id: session,
            closed_at: at(120),
        }),
        t.event(EventPayload::TallyRecorded {
            tally: Tally {
                session_id: SessionId::new(),
                people_reached: 1,
                questionnaires_assisted: 0,
            },
        }),
        t.event(EventPayload::PlanFiled {
            plan: filed.clone(),
        }),
        t.event(EventPayload::PlanRevised {
            plan: ActivityPlan {
                expected_people: 120,
                revision: 1,
                ..filed.clone()
            },
        }),
        t.event(EventPayload::PlanRevised {
            plan: ActivityPlan {
                id: plan,
                ..filed.clone()
            },
        }),
    ];
    // The central's clock after the session, as when the tablet syncs at the end of the day
    // (times in the central's future would not be believed: push/clock.rs).
    c.advance(at(150) - c.now());
    let r = push(&c, &t, &batch).await;
    let codes = quarantine_codes(&r);
    assert_eq!(
        codes,
        vec![
            (6, "duplicate_entrant"),
            (9, "unknown_session"),
            (12, "invalid_transition")
        ],
        "a number enters the lottery once; a tally needs its session; an approved plan is locked"
    );
    assert!(
        !r.quarantined[0].reason.contains(phone.expose()),
        "the reason must not carry the full phone number: {}",
        r.quarantined[0].reason
    );
    assert_eq!(
        fieldpost_central::sessions::entrant_count(&*c.store, c.unit_a).unwrap(),
        1,
        "one entrant stored"
    );

    let sessions = fieldpost_central::sessions::sessions(&*c.store, Some(c.unit_a)).unwrap();
    assert_eq!(sessions.len(), 1, "the session is on the central");
    let s = &sessions[0];
    assert_eq!(
        (s.people_reached, s.questionnaires_assisted),
        (10, 5),
        "tallies add up, corrections included"
    );
    assert_eq!(s.session.closed_at, Some(at(120)), "the close is recorded");
    assert_eq!(
        s.exception, None,
        "a session inside an approved plan is unremarkable"
    );
    assert_eq!(
        s.volunteers.first().and_then(|v| v.minutes),
        Some(90),
        "check-in to check-out makes the volunteer's hours"
    );

    let view = c.store.plan(filed.id).unwrap();
    assert_eq!(
        view.plan.status,
        PlanStatus::Submitted,
        "a filed plan awaits review on the central"
    );
    assert_eq!(
        (view.plan.expected_people, view.plan.revision),
        (120, 1),
        "the revision applied"
    );
    let (records, _) = pull_all(&c, &t.auth, 0, 1000).await;
    assert!(
        records
            .iter()
            .any(|r| matches!(r, Record::Plan { plan } if plan.id == filed.id)),
        "the filed plan comes back through pull with the central's status"
    );
}

#[tokio::test]
async fn a_device_pulls_only_its_units_records_and_pushes_only_its_own_events() {
    let c = Central::new();
    let mut a1 = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let a2 = Tablet::enroll(&c, c.unit_a, "甲 2号").await;
    let mut b1 = Tablet::enroll(&c, c.unit_b, "乙 1号").await;
    let plan_a = approved_plan(&c, c.unit_a, &[(a1.id, 10), (a2.id, 10)]);
    let plan_b = approved_plan(&c, c.unit_b, &[(b1.id, 10)]);
    let open = a1.open_session(plan_a);
    let (h_a, e) = a1.handout(plan_a, c.mask, 1);
    push(&c, &a1, &[open, e]).await;
    // a1's bad event makes a quarantine notice that only a1 should see.
    let (_, bad) = a1.handout(PlanId::new(), c.mask, 1);
    push(&c, &a1, &[bad]).await;
    let open = b1.open_session(plan_b);
    let (h_b, e) = b1.handout(plan_b, c.mask, 1);
    push(&c, &b1, &[open, e]).await;

    let (a2_records, _) = pull_all(&c, &a2.auth, 0, 1000).await;
    let (b_records, _) = pull_all(&c, &b1.auth, 0, 1000).await;
    for r in &b_records {
        let foreign = match r {
            Record::Unit { unit } => unit.id != c.unit_b,
            Record::Plan { plan } => plan.unit_id != c.unit_b,
            Record::Grant { grant } => grant.device_id != b1.id,
            Record::Handout { handout, .. } => handout.plan_id != plan_b,
            Record::Quarantine { .. } | Record::TopUpAnswer { .. } => true,
            Record::UnitProgress { progress } => progress.unit_id != c.unit_b,
            Record::Campaign { .. }
            | Record::Section { .. }
            | Record::Item { .. }
            | Record::Lottery { .. } => false,
        };
        assert!(
            !foreign,
            "a device of unit B must never pull unit A's {r:?}"
        );
    }
    assert!(
        !handouts(&b_records).contains_key(&h_a),
        "B never sees unit A's handout"
    );
    assert!(
        !handouts(&b_records).contains_key(&h_b),
        "and is not sent back its own"
    );
    assert!(
        handouts(&a2_records).get(&h_a).map(|h| h.0) == Some(a1.id),
        "a2 sees a1's handout: the unit's handouts reach every device of the unit"
    );
    assert!(
        a2_records.iter().all(|r| match r {
            Record::Grant { grant } => grant.device_id == a2.id,
            Record::Quarantine { .. } | Record::TopUpAnswer { .. } => false,
            _ => true,
        }),
        "a2 sees neither a1's grants nor a1's quarantine notices"
    );
    let kinds: BTreeSet<String> = a2_records.iter().map(|r| key(r).0).collect();
    for kind in [
        "campaign", "section", "item", "unit", "plan", "grant", "handout",
    ] {
        assert!(
            kinds.contains(kind),
            "a new device's snapshot holds the {kind}"
        );
    }

    // Another device's event is refused outright, naming the field.
    let mut forged = a1.handout(plan_a, c.mask, 1).1;
    forged.device_id = a2.id;
    let body = expect_error(
        push_raw(&c, &a1.auth, &[forged]).await,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a device pushes only its own events",
    );
    assert_eq!(
        body["error"]["field"], "events[0].device_id",
        "names the field"
    );
    // A plan of unit B named in an event of unit A is quarantined, not applied.
    a1.next_seq = 4;
    let (_, cross) = a1.handout(plan_b, c.mask, 1);
    let r = push(&c, &a1, &[cross]).await;
    assert_eq!(
        r.quarantined[0].code, "plan_of_other_unit",
        "scope holds on push"
    );
    assert_eq!(
        plan_masks(&c, plan_b),
        (1, 0),
        "B's plan is untouched by A's device"
    );
    // A console user is not a device.
    let admin = c.login("admin").await;
    expect_error(
        pull_raw(&c, &admin, 0, None).await,
        StatusCode::FORBIDDEN,
        "forbidden",
        "pull is for devices",
    );
}

#[tokio::test]
async fn a_revoked_device_can_neither_push_nor_pull_and_its_unspent_grant_returns() {
    let c = Central::new();
    let mut lost = Tablet::enroll(&c, c.unit_a, "丢失的平板").await;
    let other = Tablet::enroll(&c, c.unit_a, "甲 2号").await;
    let plan = approved_plan(&c, c.unit_a, &[(lost.id, 10), (other.id, 5)]);
    let open = lost.open_session(plan);
    let (early, e) = lost.handout(plan, c.mask, 3);
    push(&c, &lost, &[open, e]).await;
    let granted_before = c.store.plan(plan).unwrap().items[0].granted;

    let admin = c.login("admin").await;
    let (status, _) = c
        .call(
            "POST",
            &format!("/api/v1/devices/{}/revoke", lost.id),
            &admin,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the secretariat revokes the lost device"
    );
    let view = c.store.plan(plan).unwrap();
    assert_eq!(
        view.items[0].granted,
        granted_before - 7,
        "the 7 the lost device had not handed out go back to the plan's allocation"
    );
    assert_eq!(
        available(&c, plan, lost.id),
        0,
        "nothing remains in the lost grant"
    );
    // The returned masks can be granted to another device (sum(grants) <= allocation holds).
    c.store
        .grant(
            &ADMIN,
            c.now(),
            plan,
            DeviceShare {
                device_id: other.id,
                item_id: c.mask,
                quantity: 7,
            },
        )
        .unwrap();

    // The lost tablet turns up: its token died with the revocation. A push is refused and
    // stores nothing (whoever holds the tablet adds nothing to the unit's records), a pull
    // reads nothing.
    let (_, e) = lost.handout(plan, c.mask, 2);
    expect_error(
        push_raw(&c, &lost.auth, &[e]).await,
        StatusCode::UNAUTHORIZED,
        "device_revoked",
        "a revoked device pushes nothing",
    );
    assert_eq!(
        plan_masks(&c, plan),
        (3, 0),
        "only what the device pushed before its revocation counts"
    );
    expect_error(
        pull_raw(&c, &lost.auth, 0, None).await,
        StatusCode::UNAUTHORIZED,
        "device_revoked",
        "a revoked device reads nothing",
    );
    let (records, _) = pull_all(&c, &other.auth, 0, 1000).await;
    assert!(
        handouts(&records).contains_key(&early),
        "the unit's other device still learns of what the lost one pushed in time"
    );
}

/// The dashboard's `last_push_at` and `last_contact_at` of `device`.
async fn dashboard_times(
    c: &Central,
    admin: &Auth,
    device: DeviceId,
) -> (Option<DateTime<Utc>>, Option<DateTime<Utc>>) {
    let (status, dash) = c.call("GET", "/api/v1/dashboard", admin, None).await;
    assert_eq!(status, StatusCode::OK, "{dash}");
    let line = dash["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == device.to_string())
        .unwrap_or_else(|| panic!("{device} is on the dashboard: {dash}"));
    let time = |key: &str| serde_json::from_value::<Option<DateTime<Utc>>>(line[key].clone());
    (
        time("last_push_at").unwrap(),
        time("last_contact_at").unwrap(),
    )
}

#[tokio::test]
async fn a_quiet_device_that_only_pulls_is_still_in_contact_and_a_refused_pull_is_not() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut quiet = Tablet::enroll(&c, c.unit_a, "安静的平板").await;
    let never = Tablet::enroll(&c, c.unit_a, "从未同步的平板").await;
    let lost = Tablet::enroll(&c, c.unit_a, "丢失的平板").await;
    let plan = approved_plan(&c, c.unit_a, &[(quiet.id, 5)]);
    let pushed_at = c.now();
    let open = quiet.open_session(plan);
    push(&c, &quiet, &[open]).await;
    assert_eq!(
        dashboard_times(&c, &admin, quiet.id).await,
        (Some(pushed_at), Some(pushed_at)),
        "right after a push, the last contact is the push"
    );

    // A quiet half hour: nothing to push, but the station keeps pulling.
    c.advance(Duration::minutes(30));
    pull(&c, &quiet.auth, 0, None).await;
    let pulled_at = c.now();
    assert_eq!(
        dashboard_times(&c, &admin, quiet.id).await,
        (Some(pushed_at), Some(pulled_at)),
        "a pull is contact: the tablet is alive though it pushed nothing new"
    );
    assert_eq!(
        dashboard_times(&c, &admin, never.id).await,
        (None, None),
        "a device that never synced has neither"
    );

    // A pull of the lost tablet, then the secretariat revokes it: its later pulls are refused
    // and are not contact. Its push is still taken (see above), and that is contact.
    pull(&c, &lost.auth, 0, None).await;
    let lost_pulled_at = c.now();
    let (status, _) = c
        .call(
            "POST",
            &format!("/api/v1/devices/{}/revoke", lost.id),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    c.advance(Duration::minutes(30));
    expect_error(
        pull_raw(&c, &lost.auth, 0, None).await,
        StatusCode::UNAUTHORIZED,
        "device_revoked",
        "a revoked device reads nothing",
    );
    assert_eq!(
        dashboard_times(&c, &admin, lost.id).await,
        (None, Some(lost_pulled_at)),
        "a refused pull is not contact"
    );
    let (status, _) = push_raw(&c, &lost.auth, &[]).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "a revoked device pushes nothing"
    );
    assert_eq!(
        dashboard_times(&c, &admin, lost.id).await,
        (None, Some(lost_pulled_at)),
        "nor is a refused push contact"
    );

    // The contacts are recorded in the database: a restarted central over the same file (or
    // another instance sharing it) still knows each one.
    assert_eq!(
        restarted_contact(&c, &admin, quiet.id).await,
        Some(pulled_at),
        "a restarted central knows the quiet tablet's last pull"
    );
    assert_eq!(
        restarted_contact(&c, &admin, lost.id).await,
        Some(lost_pulled_at),
        "and the lost tablet's last pull before its revocation"
    );
    assert_eq!(
        restarted_contact(&c, &admin, never.id).await,
        None,
        "and that one never synced"
    );
}

/// `device`'s `last_contact_at` as a newly started central over the same database sees it
/// (nothing in its memory).
async fn restarted_contact(c: &Central, admin: &Auth, device: DeviceId) -> Option<DateTime<Utc>> {
    let now = c.now();
    let restarted =
        fieldpost_server::AppState::new(c.store.clone(), Arc::clone(&c.database.lottery_key))
            .with_clock(Arc::new(move || now));
    let res = tower::ServiceExt::oneshot(
        fieldpost_server::app(restarted),
        crate::support::request("GET", "/api/v1/dashboard", admin, None),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap();
    let dash: Value = serde_json::from_slice(&bytes).unwrap();
    let line = dash["devices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == device.to_string())
        .unwrap_or_else(|| panic!("{device} is on the dashboard: {dash}"))
        .clone();
    serde_json::from_value(line["last_contact_at"].clone()).unwrap()
}

#[tokio::test]
async fn a_no_op_sync_records_contact_at_most_once_a_minute() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    pull(&c, &t.auth, 0, None).await;
    let first = c.now();
    c.advance(Duration::seconds(20));
    pull(&c, &t.auth, 0, None).await;
    assert_eq!(
        dashboard_times(&c, &admin, t.id).await,
        (None, Some(c.now())),
        "the instance that was pulled from shows the latest contact"
    );
    assert_eq!(
        restarted_contact(&c, &admin, t.id).await,
        Some(first),
        "a pull within a minute of the recorded contact writes nothing"
    );
    c.advance(Duration::seconds(45));
    pull(&c, &t.auth, 0, None).await;
    assert_eq!(
        restarted_contact(&c, &admin, t.id).await,
        Some(c.now()),
        "a minute on, the contact is recorded again"
    );
}

#[tokio::test]
async fn cursors_repeat_page_and_end_and_a_new_device_gets_a_snapshot() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    // The reader is another tablet of the unit: a device is not sent its own handouts.
    let r = Tablet::enroll(&c, c.unit_a, "甲 2号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let mut batch = vec![t.open_session(plan)];
    let mut ids = Vec::new();
    for _ in 0..5 {
        let (id, e) = t.handout(plan, c.mask, 1);
        ids.push(id);
        batch.push(e);
    }
    push(&c, &t, &batch).await;
    // Change some records again: a void, a unit edit, a plan allocation.
    let void = t.event(EventPayload::HandoutVoided {
        void: HandoutVoid {
            handout_id: ids[0],
            reason: "手误".into(),
            voided_at: at(9),
        },
    });
    push(&c, &t, &[void]).await;
    let mut unit = campaign::unit(c.store.as_ref(), c.unit_a).unwrap().unwrap();
    unit.quota = 700;
    campaign::update_unit(c.store.as_ref(), &ADMIN, c.now(), &unit).unwrap();
    c.store.allocate(&ADMIN, c.now(), plan, c.mask, 5).unwrap();

    let first = pull(&c, &r.auth, 0, Some(3)).await;
    let repeat = pull(&c, &r.auth, 0, Some(3)).await;
    assert_eq!(first, repeat, "the same cursor returns the same page");
    assert!(first.more, "3 of many: more waits");
    assert!(
        first.changes.len() >= 3,
        "the limit is reached ({} changes)",
        first.changes.len()
    );
    let third = first.changes[2].server_seq;
    assert!(
        first.changes[2..].iter().all(|ch| ch.server_seq == third),
        "past the limit, a page only finishes the push batch it is in: a batch is never split"
    );

    let (paged, end) = pull_all(&c, &r.auth, 0, 2).await;
    let (whole, end_whole) = pull_all(&c, &r.auth, 0, 10_000).await;
    assert_eq!(paged, whole, "paging does not change what is seen");
    assert_eq!(end, end_whole, "nor where it ends");
    let keys: Vec<_> = whole.iter().map(key).collect();
    let distinct: BTreeSet<_> = keys.iter().cloned().collect();
    assert_eq!(
        keys.len(),
        distinct.len(),
        "a snapshot holds each record once"
    );
    assert!(
        whole
            .iter()
            .any(|r| matches!(r, Record::Unit { unit } if unit.quota == 700)),
        "at its latest state: the edited quota"
    );
    assert!(
        whole.iter().any(|r| matches!(r, Record::Plan { plan: p }
            if p.id == plan && p.allocation[0].quantity == 15)),
        "and the plan's latest allocation"
    );
    assert!(
        handouts(&whole).get(&ids[0]).is_some_and(|h| h.1.is_some()),
        "and the handout as voided"
    );

    let past = pull(&c, &r.auth, end, None).await;
    assert!(
        past.changes.is_empty(),
        "after the last cursor nothing is new"
    );
    assert!(!past.more, "and nothing more waits");
    assert_eq!(past.cursor, end, "the cursor stays where it was");

    // A change after the cursor comes through, and only it.
    let (late, e) = t.handout(plan, c.mask, 1);
    push(&c, &t, &[e]).await;
    let next = pull(&c, &r.auth, end, None).await;
    assert_eq!(next.changes.len(), 1, "one new handout, one change");
    assert!(
        handouts(
            &next
                .changes
                .iter()
                .map(|ch| ch.record.clone())
                .collect::<Vec<_>>()
        )
        .contains_key(&late),
        "it is the new handout"
    );
    assert!(next.cursor > end, "the cursor moves past it");
}

/// Readers polling pull while several writers commit never see a server_seq below one they
/// have already seen, and miss nothing: every handout written is eventually seen.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn readers_never_see_a_server_seq_below_one_already_seen() {
    const WRITERS: usize = 4;
    const BATCHES: usize = 15;
    const PER_BATCH: usize = 20;
    let c = Arc::new(Central::new());
    let mut tablets = Vec::new();
    for i in 0..WRITERS {
        tablets.push(Tablet::enroll(&c, c.unit_a, &format!("写 {i}")).await);
    }
    let readers: Vec<Tablet> = {
        let mut v = Vec::new();
        for i in 0..2 {
            v.push(Tablet::enroll(&c, c.unit_a, &format!("读 {i}")).await);
        }
        v
    };
    let grants: Vec<(DeviceId, u32)> = tablets.iter().map(|t| (t.id, 20)).collect();
    let plan = approved_plan(&c, c.unit_a, &grants);
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));

    let mut writer_tasks = Vec::new();
    for mut t in tablets {
        let c = Arc::clone(&c);
        let mask = c.mask;
        writer_tasks.push(tokio::spawn(async move {
            let mut written = Vec::new();
            let open = t.open_session(plan);
            push(&c, &t, &[open]).await;
            for _ in 0..BATCHES {
                let mut batch = Vec::new();
                for _ in 0..PER_BATCH {
                    let (id, e) = t.handout(plan, mask, 1);
                    written.push(id);
                    batch.push(e);
                }
                push(&c, &t, &batch).await;
            }
            written
        }));
    }
    // The console writes too, with its own stamps (campaign-wide and unit-wide).
    let console = {
        let c = Arc::clone(&c);
        tokio::spawn(async move {
            for quota in 0..20u32 {
                let store = Arc::clone(&c.store);
                let mut unit = campaign::unit(store.as_ref(), c.unit_a).unwrap().unwrap();
                unit.quota = 600 + quota;
                let now = c.now();
                tokio::task::spawn_blocking(move || {
                    campaign::update_unit(store.as_ref(), &ADMIN, now, &unit)
                })
                .await
                .unwrap()
                .unwrap();
                tokio::task::yield_now().await;
            }
        })
    };
    let mut reader_tasks = Vec::new();
    for r in readers {
        let c = Arc::clone(&c);
        let done = Arc::clone(&done);
        reader_tasks.push(tokio::spawn(async move {
            let (mut cursor, mut seen) = (0u64, BTreeSet::new());
            let mut polls = 0u32;
            loop {
                let finished = done.load(std::sync::atomic::Ordering::SeqCst);
                let page = pull(&c, &r.auth, cursor, Some(37)).await;
                polls += 1;
                let mut highest = cursor;
                for ch in &page.changes {
                    // A push batch's handouts share its server_seq; nothing may come below
                    // the cursor or go back within a page.
                    assert!(
                        ch.server_seq > cursor && ch.server_seq >= highest,
                        "server_seq {} appeared after {highest} was seen",
                        ch.server_seq
                    );
                    highest = ch.server_seq;
                    if let Record::Handout { handout, .. } = &ch.record {
                        seen.insert(handout.id);
                    }
                }
                assert!(page.cursor >= cursor, "the cursor never moves back");
                cursor = page.cursor;
                if finished && !page.more {
                    return (seen, polls);
                }
                tokio::task::yield_now().await;
            }
        }));
    }
    let mut written = BTreeSet::new();
    for w in writer_tasks {
        written.extend(w.await.unwrap());
    }
    console.await.unwrap();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    for r in reader_tasks {
        let (seen, polls) = r.await.unwrap();
        assert_eq!(
            seen, written,
            "a reader polling from its cursor misses no handout committed meanwhile"
        );
        assert!(polls > 1, "the reader polled while writers wrote");
    }
}

/// Every query of the push and pull paths is an indexed point or range lookup, so a sync
/// costs the same with a million events on the central as with a thousand (issue 4's scale
/// target). A `SCAN` in a plan would grow with the table. On PostgreSQL, with sequential
/// scans priced out, a plan still holding a `Seq Scan` has no index to use.
#[test]
fn the_sync_paths_queries_are_indexed_lookups() {
    let c = Central::new();
    let postgres = matches!(c.database.backend, Backend::Postgres(_));
    let queries = [
        "SELECT COALESCE(MAX(seq), 0) FROM device_events WHERE device_id = 'd'",
        "SELECT device_id, seq FROM device_events WHERE id = 'e'",
        "SELECT seq, id, body, quarantine_code, quarantine_reason FROM device_events
         WHERE device_id = 'd' AND seq BETWEEN 1 AND 9 ORDER BY seq",
        "SELECT d.unit_id, u.campaign_id FROM devices d JOIN units u ON u.id = d.unit_id
         WHERE d.id = 'd'",
        "SELECT unit_id, status, starts_at, ends_at FROM plans WHERE id = 'p'",
        "SELECT plan_id, device_id, item_id, quantity FROM handouts WHERE id = 'h'",
        "SELECT available FROM grant_balances
         WHERE device_id = 'd' AND plan_id = 'p' AND item_id = 'i'",
        "SELECT device_id, opened_at, closed_at FROM station_sessions WHERE id = 's'",
        "DELETE FROM change_log WHERE entity_id = 'x' AND entity = 'plan'",
        "SELECT server_seq, entity, entity_id, device_id FROM change_log
         WHERE unit_id = 'u' AND server_seq > 5 ORDER BY server_seq LIMIT 10",
        "SELECT server_seq, entity, entity_id, device_id FROM change_log
         WHERE unit_id IS NULL AND server_seq > 5 ORDER BY server_seq LIMIT 10",
        "SELECT id, session_id, plan_id, item_id, quantity, handed_out_at, over_grant_reason,
             device_id, voided_at FROM handouts WHERE id = 'h'",
        "SELECT id, plan_id, device_id, item_id, quantity FROM stock_ledger
         WHERE id = 'g' AND kind = 'grant'",
        "SELECT item_id, MIN(seq), SUM(CASE kind WHEN 'allocation' THEN quantity
             ELSE -quantity END)
         FROM stock_ledger WHERE plan_id = 'p' AND kind IN ('allocation', 'return')
         GROUP BY item_id",
    ];
    for q in queries {
        let (explain, column) = if postgres {
            (format!("SET enable_seqscan = off; EXPLAIN {q}"), 0)
        } else {
            (format!("EXPLAIN QUERY PLAN {q}"), 3)
        };
        let steps: Vec<String> = c
            .database
            .rows(&explain)
            .unwrap()
            .into_iter()
            .map(|r| r[column].clone().unwrap_or_default())
            .collect();
        assert!(!steps.is_empty(), "{q} has a plan");
        for step in &steps {
            assert!(
                !step.starts_with("SCAN") && !step.contains("Seq Scan"),
                "{q}\nmust not scan a table or index: {steps:?}"
            );
        }
    }
}

/// The digest a replay is compared by: the same event gives the same digest however it was
/// spelled, and a change to any field of a handout event, or of another event, gives another.
#[test]
fn an_events_digest_changes_with_every_field_and_only_then() {
    use fieldpost_domain::digest::event_digest;
    let handout = Handout {
        id: HandoutId::new(),
        session_id: SessionId::new(),
        plan_id: PlanId::new(),
        item_id: ItemId::new(),
        quantity: 2,
        handed_out_at: at(5),
        over_grant_reason: None,
    };
    let event = DeviceEvent {
        id: EventId::new(),
        device_id: DeviceId::new(),
        seq: 9,
        recorded_at: at(5),
        payload: EventPayload::HandoutRecorded {
            handout: handout.clone(),
        },
    };
    let digest = event_digest(&event);
    let respelled: DeviceEvent =
        serde_json::from_str(&serde_json::to_string_pretty(&event).unwrap()).unwrap();
    assert_eq!(
        event_digest(&respelled),
        digest,
        "the same event, spelled otherwise"
    );
    let with = |h: Handout| DeviceEvent {
        payload: EventPayload::HandoutRecorded { handout: h },
        ..event.clone()
    };
    let changed = [
        DeviceEvent {
            id: EventId::new(),
            ..event.clone()
        },
        DeviceEvent {
            device_id: DeviceId::new(),
            ..event.clone()
        },
        DeviceEvent {
            seq: 10,
            ..event.clone()
        },
        DeviceEvent {
            recorded_at: at(5) + Duration::nanoseconds(1),
            ..event.clone()
        },
        with(Handout {
            id: HandoutId::new(),
            ..handout.clone()
        }),
        with(Handout {
            session_id: SessionId::new(),
            ..handout.clone()
        }),
        with(Handout {
            plan_id: PlanId::new(),
            ..handout.clone()
        }),
        with(Handout {
            item_id: ItemId::new(),
            ..handout.clone()
        }),
        with(Handout {
            quantity: 3,
            ..handout.clone()
        }),
        with(Handout {
            handed_out_at: at(6),
            ..handout.clone()
        }),
        with(Handout {
            over_grant_reason: Some(String::new()),
            ..handout.clone()
        }),
        with(Handout {
            over_grant_reason: Some("箱子里多了".into()),
            ..handout.clone()
        }),
        DeviceEvent {
            payload: EventPayload::HandoutVoided {
                void: HandoutVoid {
                    handout_id: handout.id,
                    voided_at: at(6),
                    reason: "发错了".into(),
                },
            },
            ..event.clone()
        },
    ];
    let mut seen = BTreeSet::from([digest]);
    for (k, other) in changed.iter().enumerate() {
        assert!(
            seen.insert(event_digest(other)),
            "change {k} must give a digest of its own"
        );
    }
}

/// Issue 13, deliverable 5: a plan a tablet files for a day before the campaign's publicity
/// opens (a typo in the year or month) is quarantined as the console refuses it, and the
/// central keeps nothing of it; the same plan dated in the campaign applies.
#[tokio::test]
async fn a_plan_filed_by_a_tablet_before_the_campaign_opens_is_quarantined() {
    let c = Central::new();
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = |starts_at: DateTime<Utc>| ActivityPlan {
        id: PlanId::new(),
        unit_id: c.unit_a,
        title: "社区宣传站".into(),
        location: "东山区".into(),
        starts_at,
        ends_at: starts_at + chrono::Duration::hours(4),
        expected_people: 80,
        staff: "李四".into(),
        requested: vec![],
        status: PlanStatus::Submitted,
        allocation: vec![],
        reject_reason: None,
        revision: 0,
    };
    // Publicity opens on 7/8 (China time); 40 days before 8/6 is 6/27.
    let early = plan(at(-60 * 24 * 40));
    let good = plan(at(60 * 24));
    let batch = vec![
        t.event(EventPayload::PlanFiled {
            plan: early.clone(),
        }),
        t.event(EventPayload::PlanFiled { plan: good.clone() }),
    ];
    let r = push(&c, &t, &batch).await;
    assert_eq!(r.acked_through, 2, "both are answered");
    let codes = quarantine_codes(&r);
    assert_eq!(
        codes,
        vec![(1, "invalid_plan")],
        "the plan before the campaign is quarantined, the other applies"
    );
    assert!(
        r.quarantined[0].reason.contains("starts_at"),
        "the reason names the field: {}",
        r.quarantined[0].reason
    );
    assert!(
        c.store.plan(early.id).is_err(),
        "nothing of the early plan is kept"
    );
    assert_eq!(
        c.store.plan(good.id).unwrap().plan.status,
        PlanStatus::Submitted,
        "the plan in the campaign awaits review"
    );
}
