//! Issue 14, item 4: device tokens rotate through the sync itself, and a lost tablet's tokens
//! die with its revocation (`docs/decisions/2026-12-01-device-token-rotation.md`). On SQLite,
//! and on PostgreSQL under `FIELDPOST_TEST_POSTGRES`; the clock is the test's.

use axum::http::StatusCode;
use chrono::{Duration, Utc};
use fieldpost_server::Config;
use serde_json::Value;

use crate::support::{Auth, Central, expect_error};

async fn pull_raw(c: &Central, auth: &Auth) -> (StatusCode, Value) {
    c.call("GET", "/api/v1/sync/pull?after=0&limit=1", auth, None)
        .await
}

/// A pull that must answer; returns the `rotated_token` it carried, if any.
async fn pull_rotation(c: &Central, auth: &Auth, why: &str) -> Option<String> {
    let (status, body) = pull_raw(c, auth).await;
    assert_eq!(status, StatusCode::OK, "{why}: {body}");
    rotation_of(&body, why)
}

/// An (empty) push that must apply; returns the `rotated_token` it carried, if any.
async fn push_rotation(c: &Central, auth: &Auth, why: &str) -> Option<String> {
    let (status, body) = c
        .call(
            "POST",
            "/api/v1/sync/push",
            auth,
            Some(serde_json::json!({"events": []})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{why}: {body}");
    rotation_of(&body, why)
}

fn rotation_of(body: &Value, why: &str) -> Option<String> {
    match &body["rotated_token"] {
        Value::Null => {
            assert!(
                body.get("rotated_token").is_none(),
                "{why}: no rotation is no field at all (old clients see the answer they know)"
            );
            None
        }
        Value::String(t) => Some(t.clone()),
        other => panic!("{why}: rotated_token is a string, not {other}"),
    }
}

fn bearer(token: &str) -> Auth {
    Auth::Bearer(token.to_owned())
}

fn week() -> Duration {
    Duration::days(7)
}

#[tokio::test]
async fn a_token_past_the_period_is_rotated_and_dies_once_its_successor_is_used() {
    let c = Central::with_config(Config {
        token_rotation: week(),
        ..Config::default()
    });
    let (_, first) = c.device(c.unit_a, "甲 1号平板").await;
    assert_eq!(
        pull_rotation(&c, &first, "a fresh token").await,
        None,
        "a token younger than the period is not rotated"
    );
    c.advance(week() - Duration::minutes(1));
    assert_eq!(
        push_rotation(&c, &first, "a day short").await,
        None,
        "nor a minute before the period ends"
    );

    c.advance(Duration::minutes(1));
    let next = pull_rotation(&c, &first, "a week old")
        .await
        .expect("a token as old as the period gets a successor with the pull");
    assert!(
        next.starts_with("fpd_") && next.len() == token(&first).len(),
        "a successor looks like an enrolled token: {next}"
    );
    assert_ne!(next, token(&first), "a new token");
    // The answer was lost on the way: the tablet comes again with its old token, which
    // still works, and is handed the same successor (by a push as by a pull), so that
    // whichever answer it stored, its token is the one the central knows.
    c.advance(Duration::days(3));
    assert_eq!(
        push_rotation(&c, &first, "the answer was lost").await,
        Some(next.clone()),
        "the old token still works and the push's answer carries the same successor"
    );
    assert_eq!(
        pull_rotation(&c, &first, "again").await,
        Some(next.clone()),
        "every answer to the old token carries the same successor"
    );

    // The tablet uses the new token: it is current now, young, and the old one is dead.
    assert_eq!(
        pull_rotation(&c, &bearer(&next), "the successor's first use").await,
        None,
        "the successor counts from when it was offered, three days ago"
    );
    for why in ["the old token after its successor was used", "and again"] {
        expect_error(
            pull_raw(&c, &first).await,
            StatusCode::UNAUTHORIZED,
            "invalid_credential",
            why,
        );
    }
    expect_error(
        c.call(
            "POST",
            "/api/v1/sync/push",
            &first,
            Some(serde_json::json!({"events": []})),
        )
        .await,
        StatusCode::UNAUTHORIZED,
        "invalid_credential",
        "a push with the old token is refused too",
    );
    let (status, me) = c.call("GET", "/api/v1/auth/me", &bearer(&next), None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the new token is the device's: {me}"
    );

    // A week after the offer, the successor is rotated in turn.
    c.advance(Duration::days(4));
    let third = push_rotation(&c, &bearer(&next), "the successor a week old")
        .await
        .expect("the successor is rotated in its turn");
    assert!(third != next && third != token(&first), "a third token");
    pull_rotation(&c, &bearer(&third), "the third token").await;
    expect_error(
        pull_raw(&c, &bearer(&next)).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credential",
        "the second token died when the third was used",
    );
}

fn token(auth: &Auth) -> &str {
    match auth {
        Auth::Bearer(t) => t,
        other => panic!("a device's auth is a bearer token, not {other:?}"),
    }
}

/// A station pipelines its requests (three pushes in flight, the next pull page fetched while
/// one is applied), all with the old token: every answer carries the same successor, whichever
/// request records the offer, so the token the station stores last is the one the central knows.
#[tokio::test]
async fn concurrent_requests_with_a_due_token_are_all_handed_the_same_successor() {
    let c = Central::new();
    let (_, old) = c.device(c.unit_a, "甲 1号平板").await;
    c.advance(week());
    let answers = six_at_once(&c, &old).await;
    let first = answers[0].clone().expect("a due token is rotated");
    assert!(
        answers.iter().all(|a| a.as_deref() == Some(first.as_str())),
        "one successor for every concurrent answer: {answers:?}"
    );
    pull_rotation(&c, &bearer(&first), "the successor").await;
    expect_error(
        pull_raw(&c, &old).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credential",
        "the old token died",
    );
}

/// Six pulls and pushes of `auth` at once, their `rotated_token`s in order.
async fn six_at_once(c: &Central, auth: &Auth) -> Vec<Option<String>> {
    let (a, b, d, e, f, g) = tokio::join!(
        pull_rotation(c, auth, "pull 1"),
        push_rotation(c, auth, "push 1"),
        pull_rotation(c, auth, "pull 2"),
        push_rotation(c, auth, "push 2"),
        pull_rotation(c, auth, "pull 3"),
        push_rotation(c, auth, "push 3"),
    );
    vec![a, b, d, e, f, g]
}

#[tokio::test]
async fn a_tablet_offline_for_weeks_gets_in_with_its_old_token_and_then_rotates() {
    let c = Central::new();
    let (_, old) = c.device(c.unit_a, "甲 1号平板").await;
    pull_rotation(&c, &old, "the first sync").await;
    // The tablet sits in a drawer for six weeks: its token was never rotated, so it works.
    c.advance(Duration::weeks(6));
    let next = pull_rotation(&c, &old, "back after six weeks")
        .await
        .expect("by the default period the token is due");
    pull_rotation(&c, &bearer(&next), "the next sync").await;
    expect_error(
        pull_raw(&c, &old).await,
        StatusCode::UNAUTHORIZED,
        "invalid_credential",
        "the old token died with the successor's first use",
    );
}

#[tokio::test]
async fn revoking_a_device_refuses_its_current_and_its_offered_token() {
    let c = Central::new();
    let (id, current) = c.device(c.unit_a, "丢失的平板").await;
    c.advance(week());
    let admin = c.login("admin").await;
    let offered = bearer(
        &pull_rotation(&c, &current, "due")
            .await
            .expect("a week-old token is rotated"),
    );
    let (status, body) = c
        .call(
            "POST",
            &format!("/api/v1/devices/{id}/revoke"),
            &admin,
            None,
        )
        .await;
    assert_eq!(status, StatusCode::OK, "the secretariat revokes: {body}");
    for (auth, which) in [(&current, "current"), (&offered, "offered")] {
        for path in [
            "/api/v1/sync/pull?after=0",
            "/api/v1/auth/me",
            "/api/v1/plans",
        ] {
            expect_error(
                c.call("GET", path, auth, None).await,
                StatusCode::UNAUTHORIZED,
                "device_revoked",
                &format!("the {which} token of a revoked device at {path}"),
            );
        }
    }
    // A lost tablet that turns up pushes nothing either, with either token, and is never
    // offered another.
    c.advance(week());
    for (auth, which) in [(&offered, "offered"), (&current, "current")] {
        let (status, body) = c
            .call(
                "POST",
                "/api/v1/sync/push",
                auth,
                Some(serde_json::json!({"events": []})),
            )
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{which}: {body}");
        assert_eq!(body["error"]["code"], "device_revoked", "{which}: {body}");
        assert!(body.get("rotated_token").is_none(), "{which}: {body}");
    }
}

/// A device enrolled before migration 0014 (an older central's database, whose tablets may
/// run an app that never rotates): its token keeps working after the upgrade, counts from
/// the enrollment, and is offered a successor that the device may ignore for ever.
#[test]
fn a_token_from_before_the_migration_keeps_working_and_counts_from_enrollment() {
    use chrono::TimeZone;
    use fieldpost_central::devices::{device_by_token, successor_token};
    use fieldpost_central::secrets::sha256_hex;
    use fieldpost_central::storage::sqlite::{SqliteDatabase, migrate};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("central.sqlite3");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL,
                 applied_at TEXT NOT NULL)",
        )
        .unwrap();
        for (version, name, sql) in migrate::MIGRATIONS.iter().filter(|m| m.0 < 14) {
            conn.execute_batch(&format!("BEGIN; {sql}; COMMIT;"))
                .unwrap();
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?1, ?2, 't')",
                rusqlite::params![version, name],
            )
            .unwrap();
        }
        // The row stands for one an older central wrote; its unit is beside the point here.
        conn.pragma_update(None, "foreign_keys", "OFF").unwrap();
        conn.execute(
            "INSERT INTO devices (id, unit_id, name, token_hash, enrolled_at)
             VALUES ('0190a000-0000-7000-8000-000000000001', '0190a000-0000-7000-8000-0000000000aa',
                     '旧平板', ?1, '2022-08-03T01:00:00.000000Z')",
            [sha256_hex("fpd_from_v0_1_0")],
        )
        .unwrap();
    }
    let db = SqliteDatabase::open(&path).unwrap();
    let enrolled = Utc.with_ymd_and_hms(2022, 8, 3, 1, 0, 0).unwrap();
    let device = device_by_token(&db, &sha256_hex("fpd_from_v0_1_0"))
        .unwrap()
        .expect("a token from before the migration still names its device");
    assert_eq!(
        device.token_issued_at, enrolled,
        "it counts from the enrollment"
    );
    let week = Duration::days(7);
    assert_eq!(
        successor_token(
            &db,
            &device,
            "fpd_from_v0_1_0",
            enrolled + Duration::days(6),
            week
        )
        .unwrap(),
        None,
        "not yet due"
    );
    let offered = successor_token(&db, &device, "fpd_from_v0_1_0", enrolled + week, week)
        .unwrap()
        .expect("due a week after enrollment");
    // An app that ignores the field keeps its token; months later it still works, and is
    // offered the same successor.
    let later = enrolled + Duration::days(120);
    let again = device_by_token(&db, &sha256_hex("fpd_from_v0_1_0"))
        .unwrap()
        .expect("the old token still works months later");
    assert_eq!(
        successor_token(&db, &again, "fpd_from_v0_1_0", later, week).unwrap(),
        Some(offered),
        "the offer stands until the device takes it"
    );
}

#[tokio::test]
async fn the_openapi_document_lists_rotated_token_on_both_sync_answers() {
    let c = Central::new();
    let (status, doc) = c
        .call("GET", "/api/v1/openapi.json", &Auth::None, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    for schema in ["PushResponse", "PullResponse"] {
        let s = &doc["components"]["schemas"][schema];
        assert!(
            s["properties"]["rotated_token"].is_object(),
            "{schema} documents rotated_token: {s}"
        );
        assert!(
            !s["required"]
                .as_array()
                .is_some_and(|r| r.iter().any(|f| f == "rotated_token")),
            "{schema}'s rotated_token is optional: old clients never see it unless offered"
        );
    }
}
