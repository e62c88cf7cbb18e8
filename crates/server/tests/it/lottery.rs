//! Issue 12, the central's side of the lottery's numbers: terms pulled with the key, sealed
//! entrants opened, hashed and masked on push, no full number in the database, the close (or
//! the retention date) deleting every number and the key, the console's roles, and the start
//! refusing a key file that does not fit the database.

use std::collections::{BTreeSet, HashSet};

use axum::http::StatusCode;
use chrono::{Duration, TimeZone, Utc};
use fieldpost_central::lottery::{self, LotteryError};
use fieldpost_central::lottery_key::LotteryKeyFile;
use fieldpost_central::testkit::Backend;
use fieldpost_domain::{
    Carrier, Consent, DeviceEvent, EntrantId, EventPayload, LotteryEntrant, LotteryPublicKey,
    LotterySecretKey, MobileNumber, SealedPhone,
};
use fieldpost_sync::Record;
use serde_json::{Value, json};

use crate::support::{Auth, Central, Tablet, at, expect_error, quarantine_codes};
use crate::sync::{approved_plan, pull, push};

const NUMBER: &str = "13800138000";

fn number(text: &str) -> MobileNumber {
    MobileNumber::parse(text).unwrap()
}

/// An entrant registered at the tablet's session, its number sealed to `key` as a tablet
/// seals it (anew each time).
fn entrant(t: &mut Tablet, key: &LotteryPublicKey, phone: &MobileNumber) -> DeviceEvent {
    entrant_sealed(t, key.seal(phone), phone)
}

fn entrant_sealed(t: &mut Tablet, sealed: SealedPhone, phone: &MobileNumber) -> DeviceEvent {
    let session = t.session;
    t.event(EventPayload::EntrantRegistered {
        entrant: LotteryEntrant {
            id: EntrantId::new(),
            session_id: session,
            phone_sealed: sealed,
            phone_masked: phone.masked(),
            carrier: Carrier::of_number(phone),
            consent: Consent {
                text_version: lottery::DEFAULT_CONSENT_VERSION.into(),
                given_at: at(10),
            },
            registered_at: at(10),
        },
    })
}

/// A tablet of unit A with an open session under an approved plan.
async fn tablet(c: &Central) -> Tablet {
    let mut t = Tablet::enroll(c, c.unit_a, "甲 1号").await;
    let plan = approved_plan(c, c.unit_a, &[(t.id, 10)]);
    let open = t.open_session(plan);
    push(c, &t, &[open]).await;
    t
}

/// The lottery's record in a pull of `auth` after `after`, if any.
async fn lottery_record(
    c: &Central,
    auth: &Auth,
    after: u64,
) -> (Option<fieldpost_domain::LotteryTerms>, u64) {
    let page = pull(c, auth, after, None).await;
    let terms = page.changes.into_iter().find_map(|ch| match ch.record {
        Record::Lottery { terms } => Some(terms),
        _ => None,
    });
    (terms, page.cursor)
}

/// Where `needle` is stored: in the SQLite file or its write-ahead log (read as bytes, so
/// whatever SQLite keeps on disk counts), or in any row of any PostgreSQL table.
fn stored_anywhere(c: &Central, needle: &str) -> Vec<String> {
    match &c.database.backend {
        Backend::Sqlite(path) => {
            let mut found = Vec::new();
            for suffix in ["", "-wal"] {
                let file = format!("{}{suffix}", path.display());
                let bytes = std::fs::read(&file).unwrap_or_default();
                if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(file);
                }
            }
            found
        }
        Backend::Postgres(_) => {
            let tables = c
                .database
                .rows(
                    "SELECT table_name FROM information_schema.tables
                     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                )
                .unwrap();
            tables
                .into_iter()
                .filter_map(|r| r.into_iter().next().flatten())
                .filter(|table| {
                    c.database
                        .int(&format!(
                            "SELECT COUNT(*) FROM {table} t WHERE CAST(t AS TEXT) LIKE '%{needle}%'"
                        ))
                        .unwrap()
                        > 0
                })
                .collect()
        }
    }
}

/// The audit log's entries of `action`, oldest first.
async fn audit_of(c: &Central, admin: &Auth, action: &str) -> Vec<Value> {
    let (status, body) = c.call("GET", "/api/v1/audit?limit=500", admin, None).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let mut entries: Vec<Value> = body
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["action"] == action)
        .cloned()
        .collect();
    entries.sort_by_key(|a| a["seq"].as_u64());
    entries
}

/// What [`stored_anywhere`] finding nothing after the close shows, per database.
fn gone(c: &Central) -> &'static str {
    match &c.database.backend {
        Backend::Sqlite(_) => {
            "the seal's bytes are gone from the database file and its log, old copies too"
        }
        // A plain VACUUM of the events leaves dead versions' bytes on disk until new rows
        // overwrite them, and the WAL segments keep theirs: the search can only read live
        // rows, and the deleted key is what makes a surviving seal unreadable.
        Backend::Postgres(_) => "no live row of any table holds the seal",
    }
}

/// Issue 12 audit, gap 4: with a few hundred entrants the database's pages split, are freed
/// and reused as the pushes go, leaving earlier copies of seals outside the live rows, where
/// `secure_delete` during the close never looks. After the close the SQLite file and its log,
/// read as bytes, hold none of them (the close rebuilds the file); on PostgreSQL no live row
/// does, and the key that opens them is gone.
#[tokio::test]
async fn after_the_close_no_copy_of_any_seal_is_left_in_the_database_file() {
    let c = Central::new();
    let mut t = tablet(&c).await;
    let key = c.lottery_public_key();
    let mut seals = Vec::new();
    for batch in 0..6u32 {
        let events: Vec<DeviceEvent> = (0..50u32)
            .map(|i| {
                let phone = number(&format!("1390000{:04}", batch * 50 + i));
                let event = entrant(&mut t, &key, &phone);
                if let EventPayload::EntrantRegistered { entrant } = &event.payload {
                    seals.push(entrant.phone_sealed.as_str().to_owned());
                }
                event
            })
            .collect();
        let r = push(&c, &t, &events).await;
        assert!(r.quarantined.is_empty(), "{r:?}");
    }
    assert_eq!(seals.len(), 300);
    assert!(
        seals.iter().all(|s| s.starts_with("v1.")),
        "the search looks for seals by their prefix"
    );
    assert_eq!(
        seals_stored(&c, &seals).len(),
        300,
        "the search finds every seal while it is stored (or it proves nothing)"
    );
    let admin = c.login("admin").await;
    let (status, report) = c
        .call(
            "POST",
            "/api/v1/lottery/close",
            &admin,
            Some(json!({"reason": "抽奖结束"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(report["entrant_rows"], json!(300), "{report}");
    let left = seals_stored(&c, &seals);
    assert_eq!(left.len(), 0, "{}: {} seals found", gone(&c), left.len());
    assert!(
        !c.database.lottery_key.path().exists(),
        "the key file, which alone opens a surviving seal, is gone"
    );
}

/// Which of `seals` are stored anywhere [`stored_anywhere`] looks, reading each file or
/// table once (a search per seal over a few hundred would take the test's time).
fn seals_stored(c: &Central, seals: &[String]) -> BTreeSet<String> {
    let mut haystacks: Vec<Vec<u8>> = Vec::new();
    match &c.database.backend {
        Backend::Sqlite(path) => {
            for suffix in ["", "-wal"] {
                haystacks
                    .push(std::fs::read(format!("{}{suffix}", path.display())).unwrap_or_default());
            }
        }
        Backend::Postgres(_) => {
            let tables = c
                .database
                .rows(
                    "SELECT table_name FROM information_schema.tables
                     WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
                )
                .unwrap();
            for table in tables
                .into_iter()
                .filter_map(|r| r.into_iter().next().flatten())
            {
                let rows = c
                    .database
                    .rows(&format!("SELECT CAST(t AS TEXT) FROM {table} t"))
                    .unwrap();
                for text in rows.into_iter().flatten().flatten() {
                    haystacks.push(text.into_bytes());
                }
            }
        }
    }
    let wanted: HashSet<&[u8]> = seals.iter().map(|s| s.as_bytes()).collect();
    let lengths: BTreeSet<usize> = seals.iter().map(String::len).collect();
    let mut found = BTreeSet::new();
    for bytes in &haystacks {
        // Every seal starts with its prefix: look at each place the prefix is.
        for at in 0..bytes.len().saturating_sub(2) {
            if &bytes[at..at + 3] != b"v1." {
                continue;
            }
            for len in &lengths {
                if let Some(candidate) = bytes.get(at..at + len)
                    && wanted.contains(candidate)
                {
                    found.insert(String::from_utf8_lossy(candidate).into_owned());
                }
            }
        }
    }
    found
}

#[tokio::test]
async fn a_new_device_pulls_the_terms_with_the_key_and_later_changes() {
    let c = Central::new();
    let t = Tablet::enroll(&c, c.unit_a, "甲 1号").await;
    let (terms, cursor) = lottery_record(&c, &t.auth, 0).await;
    let terms = terms.expect("a device pulling from 0 gets the lottery's terms");
    assert_eq!(
        terms.public_key,
        Some(c.lottery_public_key()),
        "the key numbers are sealed to is the central's key file's"
    );
    assert!(
        terms.registration_open,
        "terms and a key: registration is open"
    );
    assert_eq!(terms.consent_version, lottery::DEFAULT_CONSENT_VERSION);
    assert!(
        terms.consent_text.contains("抽奖结束后按规定删除"),
        "the consent promises the deletion"
    );

    let admin = c.login("admin").await;
    let body = json!({"consent_text": "新的同意书：号码仅用于抽奖及奖品发放，抽奖结束后按规定删除。",
                      "consent_version": "2022-2"});
    let (status, view) = c
        .call("PUT", "/api/v1/lottery/terms", &admin, Some(body))
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(
        view["public_key_fingerprint"],
        json!(c.lottery_public_key().fingerprint()),
        "saving the terms again keeps the key"
    );
    let audit = audit_of(&c, &admin, "lottery.terms").await;
    let saved = audit.last().expect("saving the terms is audited");
    assert_eq!(saved["actor"], "user:admin", "{saved}");
    assert_eq!(saved["detail"]["consent_version"], "2022-2", "{saved}");
    let (terms, _) = lottery_record(&c, &t.auth, cursor).await;
    let terms = terms.expect("changed terms are pulled again");
    assert_eq!(terms.consent_version, "2022-2");
    assert_eq!(terms.public_key, Some(c.lottery_public_key()));
}

#[tokio::test]
async fn a_sealed_entrant_is_stored_hashed_masked_with_its_carrier_and_never_in_full() {
    let c = Central::new();
    let mut t = tablet(&c).await;
    let key = c.lottery_public_key();
    let phone = number(NUMBER);
    let first = entrant(&mut t, &key, &phone);
    // The same number registered again (at another tablet, say): sealed anew.
    let again = entrant(&mut t, &key, &phone);
    let (
        EventPayload::EntrantRegistered { entrant: a },
        EventPayload::EntrantRegistered { entrant: b },
    ) = (&first.payload, &again.payload)
    else {
        unreachable!()
    };
    assert_ne!(
        a.phone_sealed, b.phone_sealed,
        "two seals of one number differ"
    );
    // Sealed to another key than the central's, and not a seal at all.
    let stranger = LotterySecretKey::generate().public_key();
    let foreign = entrant(&mut t, &stranger, &number("13912345678"));
    let garbled = entrant_sealed(&mut t, SealedPhone::from_text("v1.bm90IGEgc2VhbA"), &phone);
    let r = push(&c, &t, &[first.clone(), again, foreign, garbled]).await;
    let codes = quarantine_codes(&r);
    assert_eq!(
        codes,
        vec![
            (first.seq + 1, "duplicate_entrant"),
            (first.seq + 2, "phone_unreadable"),
            (first.seq + 3, "phone_unreadable"),
        ],
        "one entry per phone by the keyed hash; a seal the key cannot open is quarantined"
    );
    for q in &r.quarantined {
        assert!(
            !q.reason.contains(NUMBER) && !q.reason.contains("13912345678"),
            "a reason never carries a full number: {}",
            q.reason
        );
    }

    let rows = c
        .database
        .rows(
            "SELECT phone_sealed, phone_hash, phone_masked, carrier, legacy_phone
             FROM lottery_entrants",
        )
        .unwrap();
    assert_eq!(rows.len(), 1, "one entrant stored");
    let row = &rows[0];
    assert_eq!(
        row[0].as_deref(),
        Some(a.phone_sealed.as_str()),
        "the seal as it came"
    );
    let hash = row[1].clone().unwrap();
    assert_eq!(hash.len(), 64, "a keyed SHA-256 hash, hex");
    let secret = c.database.lottery_key.key().unwrap();
    assert_eq!(hash, secret.phone_hash(&phone), "the central's keyed hash");
    assert_eq!(
        row[2].as_deref(),
        Some("138****8000"),
        "masked by the central"
    );
    assert_eq!(row[3].as_deref(), Some("mobile"), "138 is 中国移动's");
    assert_eq!(row[4], None, "no plain number");

    // The database alone reveals no number: neither the full one nor its last eight digits.
    for needle in [NUMBER, "00138000", "13912345678"] {
        assert_eq!(
            stored_anywhere(&c, needle),
            Vec::<String>::new(),
            "the central's database holds no full number ({needle})"
        );
    }

    // The console lists it masked.
    let admin = c.login("admin").await;
    let (status, list) = c
        .call("GET", "/api/v1/lottery/entrants", &admin, None)
        .await;
    assert_eq!(status, StatusCode::OK, "{list}");
    assert_eq!(list["total"], json!(1));
    assert_eq!(list["by_carrier"]["mobile"], json!(1));
    assert_eq!(list["entrants"][0]["phone_masked"], json!("138****8000"));
    assert_eq!(list["entrants"][0]["unit_name"], json!("单位甲"));
    assert_eq!(
        list["entrants"][0]["entry"],
        Value::Null,
        "no frozen list yet"
    );
    assert!(!list.to_string().contains(NUMBER));
}

#[tokio::test]
async fn closing_deletes_every_number_and_the_key_and_registration_with_them() {
    let c = Central::new();
    let mut t = tablet(&c).await;
    let key = c.lottery_public_key();
    let phone = number("18912345678");
    let first = entrant(&mut t, &key, &phone);
    let again = entrant(&mut t, &key, &phone);
    let seals: Vec<String> = [&first, &again]
        .iter()
        .map(|e| match &e.payload {
            EventPayload::EntrantRegistered { entrant } => entrant.phone_sealed.as_str().to_owned(),
            _ => unreachable!(),
        })
        .collect();
    push(&c, &t, &[first, again]).await;
    let (_, cursor) = lottery_record(&c, &t.auth, 0).await;
    let key_path = c.database.lottery_key.path().to_owned();
    assert!(key_path.exists(), "the key file is there before the close");
    for seal in &seals {
        assert!(
            !stored_anywhere(&c, seal).is_empty(),
            "the search finds a seal while it is stored (or the search proves nothing)"
        );
    }

    let admin = c.login("admin").await;
    let (status, body) = c
        .call(
            "POST",
            "/api/v1/lottery/close",
            &admin,
            Some(json!({"reason": " "})),
        )
        .await;
    expect_error(
        (status, body),
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "a close says why",
    );
    let (status, report) = c
        .call(
            "POST",
            "/api/v1/lottery/close",
            &admin,
            Some(json!({"reason": "抽奖结束，奖品已发放"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{report}");
    assert_eq!(
        report["entrant_rows"],
        json!(1),
        "the entrant's seal emptied"
    );
    assert_eq!(
        report["event_payloads"],
        json!(2),
        "both events' bodies emptied, the quarantined duplicate's too"
    );
    assert_eq!(report["key_file_deleted"], json!(true));
    assert_eq!(report["deleted_by"], json!("user:admin"));
    assert!(!key_path.exists(), "the key file is gone");

    assert_eq!(
        c.database
            .int("SELECT COUNT(*) FROM lottery_entrants WHERE phone_sealed IS NOT NULL")
            .unwrap(),
        0,
        "no seal left in the entrants"
    );
    assert_eq!(
        c.database
            .int(
                "SELECT COUNT(*) FROM device_events
                 WHERE kind = 'entrant_registered' AND body LIKE '%v1.%'"
            )
            .unwrap(),
        0,
        "no seal left in the stored events"
    );
    for seal in &seals {
        assert_eq!(
            stored_anywhere(&c, seal),
            Vec::<String>::new(),
            "{}",
            gone(&c)
        );
    }
    let masked = c
        .database
        .rows("SELECT phone_masked, carrier FROM lottery_entrants")
        .unwrap();
    assert_eq!(
        masked,
        vec![vec![
            Some("189****5678".to_owned()),
            Some("telecom".to_owned())
        ]],
        "the masked number and the carrier stay for the published list"
    );

    let (status, deletions) = c
        .call("GET", "/api/v1/lottery/deletions", &admin, None)
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(deletions, json!([report]), "the console lists the deletion");

    let (terms, _) = lottery_record(&c, &t.auth, cursor).await;
    let terms = terms.expect("the close reaches the tablets");
    assert_eq!(terms.public_key, None, "no key any more");
    assert!(!terms.registration_open, "registration closed");

    let late = entrant(&mut t, &key, &number("13512345678"));
    let r = push(&c, &t, &[late]).await;
    assert_eq!(
        r.quarantined
            .iter()
            .map(|q| q.code.as_str())
            .collect::<Vec<_>>(),
        vec!["lottery_closed"],
        "an entrant arriving after the close is quarantined"
    );
    let body = json!({"consent_text": "新的同意书", "consent_version": "2022-9"});
    let got = c
        .call("PUT", "/api/v1/lottery/terms", &admin, Some(body))
        .await;
    expect_error(
        got,
        StatusCode::CONFLICT,
        "lottery_closed",
        "closed for good",
    );
    let got = c
        .call(
            "POST",
            "/api/v1/lottery/close",
            &admin,
            Some(json!({"reason": "again"})),
        )
        .await;
    expect_error(got, StatusCode::CONFLICT, "lottery_closed", "one close");

    let (_, audit) = c.call("GET", "/api/v1/audit", &admin, None).await;
    let audit = audit.to_string();
    assert!(audit.contains("lottery.close"), "the close is audited");
    assert!(
        !audit.contains("18912345678") && !audit.contains("v1."),
        "no number and no seal in the audit log"
    );
}

#[tokio::test]
async fn a_retention_date_deletes_the_numbers_at_shanghai_midnight() {
    let c = Central::new();
    let mut t = tablet(&c).await;
    let key = c.lottery_public_key();
    let e = entrant(&mut t, &key, &number(NUMBER));
    push(&c, &t, &[e]).await;
    let admin = c.login("admin").await;
    // The clock: 2022-08-03 09:00 in Shanghai. Delete on the 4th, at 00:00 there.
    let (status, view) = c
        .call(
            "PUT",
            "/api/v1/lottery/retention",
            &admin,
            Some(json!({"delete_on": "2022-08-04"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert_eq!(view["retention_date"], json!("2022-08-04"));
    let audit = audit_of(&c, &admin, "lottery.retention").await;
    assert_eq!(
        audit.len(),
        1,
        "setting the retention date is audited: {audit:?}"
    );
    assert_eq!(audit[0]["actor"], "user:admin");
    assert_eq!(audit[0]["detail"]["delete_on"], "2022-08-04");
    c.state.lottery_check().await;
    assert!(
        c.database.lottery_key.path().exists(),
        "not due yet: nothing deleted"
    );
    let before_midnight = Utc.with_ymd_and_hms(2022, 8, 3, 15, 59, 0).unwrap();
    c.advance(before_midnight - c.now());
    c.state.lottery_check().await;
    assert!(
        c.database.lottery_key.path().exists(),
        "23:59 in Shanghai: not yet"
    );
    c.advance(Duration::minutes(1));
    c.state.lottery_check().await;
    assert!(
        !c.database.lottery_key.path().exists(),
        "00:00 in Shanghai: the key is deleted"
    );
    assert_eq!(
        c.database
            .int("SELECT COUNT(*) FROM lottery_entrants WHERE phone_sealed IS NOT NULL")
            .unwrap(),
        0
    );
    // The morning after: a new console session.
    let admin = c.login("admin").await;
    let (_, deletions) = c
        .call("GET", "/api/v1/lottery/deletions", &admin, None)
        .await;
    assert_eq!(deletions[0]["deleted_by"], json!("system:retention"));
    assert_eq!(
        deletions[0]["reason"],
        json!("retention date 2022-08-04 reached")
    );
}

#[tokio::test]
async fn a_retention_date_in_the_past_deletes_at_the_next_check() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let (status, view) = c
        .call(
            "PUT",
            "/api/v1/lottery/retention",
            &admin,
            Some(json!({"delete_on": "2022-07-01"})),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{view}");
    assert!(
        !c.database.lottery_key.path().exists(),
        "a day already past deletes at once"
    );
    let (_, terms) = c.call("GET", "/api/v1/lottery/terms", &admin, None).await;
    assert_eq!(terms["registration_open"], json!(false));
    assert_eq!(terms["public_key_fingerprint"], Value::Null);
    assert!(terms["closed_at"].is_string());
}

#[tokio::test]
async fn terms_are_refused_when_empty_or_changed_under_the_same_version() {
    let c = Central::new();
    let admin = c.login("admin").await;
    let put = |text: &str, version: &str| json!({"consent_text": text, "consent_version": version});
    let got = c
        .call(
            "PUT",
            "/api/v1/lottery/terms",
            &admin,
            Some(put("  ", "2022-3")),
        )
        .await;
    let err = expect_error(
        got,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "an empty text",
    );
    assert_eq!(err["error"]["field"], json!("consent_text"));
    let got = c
        .call(
            "PUT",
            "/api/v1/lottery/terms",
            &admin,
            Some(put("同意", "")),
        )
        .await;
    let err = expect_error(got, StatusCode::BAD_REQUEST, "invalid_value", "no version");
    assert_eq!(err["error"]["field"], json!("consent_version"));
    let got = c
        .call(
            "PUT",
            "/api/v1/lottery/terms",
            &admin,
            Some(put("另一段文字", lottery::DEFAULT_CONSENT_VERSION)),
        )
        .await;
    let err = expect_error(
        got,
        StatusCode::BAD_REQUEST,
        "invalid_value",
        "another text needs another version: consents name the version",
    );
    assert_eq!(err["error"]["field"], json!("consent_version"));
    let (_, terms) = c.call("GET", "/api/v1/lottery/terms", &admin, None).await;
    assert_eq!(
        terms["consent_version"],
        json!(lottery::DEFAULT_CONSENT_VERSION),
        "nothing stored was lost"
    );
}

#[tokio::test]
async fn a_viewer_reads_the_lottery_and_changes_nothing() {
    let c = Central::new();
    let viewer = c.login("viewer").await;
    for path in ["/lottery/terms", "/lottery/entrants", "/lottery/deletions"] {
        let (status, body) = c
            .call("GET", &format!("/api/v1{path}"), &viewer, None)
            .await;
        assert_eq!(status, StatusCode::OK, "a viewer reads {path}: {body}");
    }
    let changes = [
        (
            "PUT",
            "/lottery/terms",
            json!({"consent_text": "同意", "consent_version": "2022-5"}),
        ),
        ("POST", "/lottery/close", json!({"reason": "试试"})),
        (
            "PUT",
            "/lottery/retention",
            json!({"delete_on": "2022-07-01"}),
        ),
    ];
    for (method, path, body) in changes {
        let got = c
            .call(method, &format!("/api/v1{path}"), &viewer, Some(body))
            .await;
        expect_error(
            got,
            StatusCode::FORBIDDEN,
            "forbidden",
            "viewers are read-only",
        );
    }
    assert!(
        c.database.lottery_key.path().exists(),
        "the viewer's close deleted nothing"
    );
    // A unit's own users read the consent text, and nothing else of the lottery.
    let leader = c.login("leader_a").await;
    let (status, _) = c.call("GET", "/api/v1/lottery/terms", &leader, None).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "every console user reads the consent text"
    );
    let got = c
        .call("GET", "/api/v1/lottery/entrants", &leader, None)
        .await;
    expect_error(
        got,
        StatusCode::FORBIDDEN,
        "forbidden",
        "the secretariat's list",
    );
}

#[test]
fn the_start_refuses_a_key_file_that_does_not_fit_the_database() {
    let c = Central::new();
    let dir = tempfile::tempdir().unwrap();
    let missing = LotteryKeyFile::open(dir.path().join("lottery.key")).unwrap();
    let e = lottery::prepare(c.store.as_ref(), &missing, c.now()).unwrap_err();
    assert!(
        matches!(e, LotteryError::KeyMissing { .. }),
        "a stored key with no file while the lottery is open: {e}"
    );
    assert!(
        e.to_string()
            .contains(&missing.path().display().to_string()),
        "the error names the file: {e}"
    );
    assert!(!missing.path().exists(), "no new key made in its place");

    let other = dir.path().join("other.key");
    std::fs::write(&other, LotterySecretKey::generate().to_text()).unwrap();
    let other = LotteryKeyFile::open(other).unwrap();
    let e = lottery::prepare(c.store.as_ref(), &other, c.now()).unwrap_err();
    assert!(
        matches!(e, LotteryError::KeyMismatch { .. }),
        "another key than the stored one: {e}"
    );
    assert!(e.to_string().contains("other.key"), "names the file: {e}");

    lottery::prepare(c.store.as_ref(), &c.database.lottery_key, c.now())
        .expect("the right file starts");

    // Once closed, the key is gone by design: a start without it is fine.
    lottery::close(
        c.store.as_ref(),
        &c.database.lottery_key,
        &fieldpost_central::audit::Actor::System("test"),
        c.now(),
        "结束",
    )
    .unwrap();
    lottery::prepare(c.store.as_ref(), &missing, c.now()).expect("a closed lottery needs no key");
}

/// Turns the test's database back into what migration 6 left, with `NUMBER` stored in plain
/// as it was then (in the entrant's row and in its event's body), and forgets migration 7.
fn rewind_to_migration_6(c: &Central) {
    let sqlite = [
        "DROP TABLE lottery",
        "DROP TABLE lottery_deletions",
        "CREATE TABLE lottery_entrants_6 (
             id TEXT PRIMARY KEY, campaign_id TEXT NOT NULL REFERENCES campaigns (id),
             unit_id TEXT NOT NULL REFERENCES units (id),
             session_id TEXT NOT NULL REFERENCES station_sessions (id),
             device_id TEXT NOT NULL REFERENCES devices (id), phone TEXT NOT NULL,
             consent_text_version TEXT NOT NULL CHECK (consent_text_version <> ''),
             consent_given_at TEXT NOT NULL, registered_at TEXT NOT NULL,
             UNIQUE (campaign_id, phone))",
        "INSERT INTO lottery_entrants_6 SELECT id, campaign_id, unit_id, session_id, device_id,
             '13800138000', consent_text_version, consent_given_at, registered_at
         FROM lottery_entrants",
        "DROP TABLE lottery_entrants",
        "ALTER TABLE lottery_entrants_6 RENAME TO lottery_entrants",
        "CREATE INDEX lottery_entrants_session ON lottery_entrants (session_id)",
        "UPDATE device_events SET body = json_set(json_remove(body,
             '$.payload.entrant.phone_sealed', '$.payload.entrant.phone_masked',
             '$.payload.entrant.carrier'), '$.payload.entrant.phone', '13800138000')
         WHERE kind = 'entrant_registered'",
        "DELETE FROM schema_migrations WHERE version = 7",
    ];
    let postgres = [
        "DROP TABLE lottery",
        "DROP TABLE lottery_deletions",
        "DROP INDEX lottery_entrants_unit",
        "ALTER TABLE lottery_entrants DROP CONSTRAINT lottery_entrants_phone_key",
        "ALTER TABLE lottery_entrants DROP COLUMN phone_sealed, DROP COLUMN phone_hash,
             DROP COLUMN phone_masked, DROP COLUMN carrier",
        "UPDATE lottery_entrants SET legacy_phone = '13800138000'",
        "ALTER TABLE lottery_entrants RENAME COLUMN legacy_phone TO phone",
        "ALTER TABLE lottery_entrants ALTER COLUMN phone SET NOT NULL",
        "ALTER TABLE lottery_entrants
             ADD CONSTRAINT lottery_entrants_phone_key UNIQUE (campaign_id, phone)",
        "UPDATE device_events SET body = jsonb_set(body::jsonb
             #- '{payload,entrant,phone_sealed}' #- '{payload,entrant,phone_masked}'
             #- '{payload,entrant,carrier}', '{payload,entrant,phone}', '\"13800138000\"')::text
         WHERE kind = 'entrant_registered'",
        "DELETE FROM schema_migrations WHERE version = 7",
    ];
    let steps: &[&str] = match c.database.backend {
        Backend::Sqlite(_) => &sqlite,
        Backend::Postgres(_) => &postgres,
    };
    for sql in steps {
        c.database.rows(sql).unwrap();
    }
}

#[tokio::test]
async fn entrants_stored_in_plain_before_migration_7_are_kept_and_sealed_at_the_start() {
    let c = Central::new();
    let mut t = tablet(&c).await;
    let key = c.lottery_public_key();
    let e = entrant(&mut t, &key, &number(NUMBER));
    push(&c, &t, &[e]).await;
    rewind_to_migration_6(&c);
    assert!(
        !stored_anywhere(&c, NUMBER).is_empty(),
        "the rewound database holds the plain number, as an old central did"
    );

    // The central restarts: migration 7 runs on the old rows.
    let reopened = fieldpost_central::testkit::TestDatabase::open(c.dir.path()).unwrap();
    let rows = reopened
        .rows("SELECT legacy_phone, phone_masked, carrier, phone_sealed FROM lottery_entrants")
        .unwrap();
    assert_eq!(
        rows,
        vec![vec![
            Some(NUMBER.to_owned()),
            Some("138****8000".to_owned()),
            Some("other".to_owned()),
            None
        ]],
        "the migration keeps the number for the start to seal, and masks it already"
    );
    let bodies = reopened
        .rows("SELECT body FROM device_events WHERE kind = 'entrant_registered'")
        .unwrap();
    let body: Value = serde_json::from_str(bodies[0][0].as_deref().unwrap()).unwrap();
    assert_eq!(
        body["payload"]["entrant"]["phone"],
        Value::Null,
        "the plain number left the event"
    );
    assert_eq!(
        body["payload"]["entrant"]["phone_masked"],
        json!("138****8000")
    );
    assert_eq!(body["payload"]["entrant"]["phone_sealed"], json!(""));

    let prepared = lottery::prepare(reopened.db.as_ref(), &reopened.lottery_key, c.now()).unwrap();
    assert_eq!(
        prepared.legacy_sealed, 1,
        "the plain number sealed at the start"
    );
    let rows = reopened
        .rows("SELECT phone_sealed, phone_hash, carrier, legacy_phone FROM lottery_entrants")
        .unwrap();
    let secret = reopened.lottery_key.key().unwrap();
    let sealed = SealedPhone::from_text(rows[0][0].clone().unwrap());
    assert_eq!(
        secret.open(&sealed),
        Ok(number(NUMBER)),
        "opens with the key"
    );
    assert_eq!(rows[0][1], Some(secret.phone_hash(&number(NUMBER))));
    assert_eq!(
        rows[0][2].as_deref(),
        Some("mobile"),
        "the carrier from the prefix"
    );
    assert_eq!(rows[0][3], None, "the plain number is gone from the row");
    assert_eq!(
        stored_anywhere(&c, NUMBER),
        Vec::<String>::new(),
        "and from the database, its old bytes included"
    );
    // The lottery got its key with empty terms, for the secretariat to fill in.
    let terms = lottery::terms(reopened.db.as_ref()).unwrap();
    assert!(terms.public_key_fingerprint.is_some());
    assert!(
        !terms.registration_open,
        "no consent text yet: registration waits for it"
    );
}

#[test]
fn a_fresh_demo_registers_entrants_under_chinese_consent_terms() {
    let dir = tempfile::tempdir().unwrap();
    let database = fieldpost_central::testkit::TestDatabase::open(dir.path()).unwrap();
    let now = Utc::now();
    fieldpost_central::demo::start(database.db.as_ref(), dir.path(), now).unwrap();
    let prepared = lottery::prepare(database.db.as_ref(), &database.lottery_key, now).unwrap();
    assert!(
        prepared.key_created,
        "the demo's terms get their key at the start"
    );
    let terms = lottery::terms(database.db.as_ref()).unwrap();
    assert!(
        terms.registration_open,
        "a fresh demo can register entrants"
    );
    assert_eq!(terms.consent_version, "2022-1");
    for promise in ["仅用于", "运营商", "抽奖结束后按规定删除"] {
        assert!(
            terms.consent_text.contains(promise),
            "the consent says {promise}: {}",
            terms.consent_text
        );
    }
    let again = lottery::prepare(database.db.as_ref(), &database.lottery_key, now).unwrap();
    assert!(!again.key_created, "a restart keeps the key");
}
