//! Issue 14, "no panic from input": numbers a client sends that used to overflow, wrap or
//! poison what later reads get a refusal naming the field, or are stored saturated; and
//! nothing else changes. (The push's seq is in `sync.rs`; the sweep is listed in
//! docs/decisions/2026-12-01-no-panic-from-input.md.)

use axum::http::StatusCode;
use fieldpost_domain::{EventPayload, Tally};
use serde_json::{Value, json};

use crate::support::{Central, Tablet, expect_error};
use crate::sync::{approved_plan, push};

/// The unit's line of the assessment.
fn line<'a>(assessment: &'a Value, c: &Central) -> &'a Value {
    assessment["units"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["unit_id"] == c.unit_a.to_string())
        .unwrap()
}

#[tokio::test]
async fn tallies_summing_past_u32_saturate_and_every_read_of_the_sessions_still_answers() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    let mut batch = vec![t.open_session(plan)];
    for _ in 0..3 {
        batch.push(t.event(EventPayload::TallyRecorded {
            tally: Tally {
                session_id: t.session,
                people_reached: i32::MAX,
                questionnaires_assisted: 1,
            },
        }));
    }
    let reply = push(&c, &t, &batch).await;
    assert_eq!(
        reply.acked_through, 4,
        "tallies are a device's facts: stored"
    );
    // Three times i32::MAX is past u32::MAX, what the session's counter reads back as: the
    // sum used to be stored as it came, and every read of the sessions then failed (500).
    let (status, assessment) = c.call("GET", "/api/v1/assessment", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{assessment}");
    assert_eq!(
        line(&assessment, &c)["people_reached"],
        u64::from(u32::MAX),
        "the counter saturates at the largest it can hold"
    );
    assert_eq!(line(&assessment, &c)["questionnaires_assisted"], 3);
    let (status, _, _) = c
        .raw(crate::support::request(
            "GET",
            "/api/v1/exports/volunteer-hours.xlsx",
            &admin,
            None,
        ))
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the sessions' export reads them too"
    );
}

#[tokio::test]
async fn a_pull_cursor_past_the_databases_integers_is_refused_by_name() {
    let c = Central::new();
    let t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    for after in [u64::MAX, i64::MAX as u64 + 1] {
        let body = expect_error(
            c.call(
                "GET",
                &format!("/api/v1/sync/pull?after={after}"),
                &t.auth,
                None,
            )
            .await,
            StatusCode::BAD_REQUEST,
            "invalid_value",
            "no server_seq is that large: on PostgreSQL it was a 500",
        );
        assert_eq!(body["error"]["field"], "after", "{body}");
    }
    let (status, body) = c
        .call(
            "GET",
            &format!("/api/v1/sync/pull?after={}", i64::MAX),
            &t.auth,
            None,
        )
        .await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the largest cursor there is: {body}"
    );
    assert_eq!(body["changes"], json!([]), "nothing is newer than it");
}

#[tokio::test]
async fn the_assessment_of_huge_over_grant_handouts_does_not_overflow() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let mut t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(&c, c.unit_a, &[(t.id, 10)]);
    // The strictest rule there is, times a total of handouts past u64::MAX / 1,000,000.
    let (status, body) = c
        .call(
            "PUT",
            "/api/v1/assessment/rules",
            &admin,
            Some(
                json!({"pass_percent": 100, "min_per_gift_hundredths": 1_000_000,
                        "organizing_awards": 3, "supporting_awards": 3}),
            ),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut batch = vec![t.open_session(plan)];
    let handouts = u64::MAX / 1_000_000 / u64::from(u32::MAX) + 1;
    for _ in 0..handouts {
        let (_, mut event) = t.handout(plan, c.mask, u32::MAX);
        if let EventPayload::HandoutRecorded { handout } = &mut event.payload {
            handout.over_grant_reason = Some("箱子里多得多".into());
        }
        batch.push(event);
    }
    let reply = push(&c, &t, &batch).await;
    assert!(reply.quarantined.is_empty(), "{:?}", reply.quarantined);
    let (status, assessment) = c.call("GET", "/api/v1/assessment", &admin, None).await;
    assert_eq!(status, StatusCode::OK, "{assessment}");
    let unit = line(&assessment, &c);
    assert_eq!(
        unit["handed_out"],
        handouts * u64::from(u32::MAX),
        "every exception counts"
    );
    assert!(
        unit["shortfalls"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "few_per_gift"),
        "so many gifts for no questionnaire fall short: {unit}"
    );
}
