//! Issue 12 on the tablet: entrants with their carrier, numbers sealed for the central and
//! never stored in full, the token encrypted under a device key outside the store, numbers
//! dropped once the central has them, and old stores migrated without losing an entrant.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use fieldpost_domain::*;
use fieldpost_station::lottery::{EntrantInput, suggested_carrier};
use fieldpost_station::{Error, Station};
use fieldpost_sync::{Change, PullResponse, PushResponse, Record};

use crate::support::*;

const NUMBER: &str = "13812345678";

fn entrant_event(station: &Station, seq: u64) -> LotteryEntrant {
    let event = station
        .events()
        .unwrap()
        .into_iter()
        .find(|e| e.seq == seq)
        .unwrap();
    match event.payload {
        EventPayload::EntrantRegistered { entrant } => entrant,
        other => panic!("seq {seq} is {}", other.kind()),
    }
}

fn last_seq(station: &Station) -> u64 {
    station.outbox_status().unwrap().last_seq
}

/// Every file a copy of the store's directory would take: the database and, if any, its WAL
/// and shared-memory index.
fn store_files(store: &Path) -> Vec<PathBuf> {
    ["", "-wal", "-shm", "-journal"]
        .iter()
        .map(|suffix| PathBuf::from(format!("{}{suffix}", store.display())))
        .filter(|p| p.exists())
        .collect()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Copies the store as a thief would (the files as they are, WAL included, while the app
/// runs), and also as `VACUUM INTO` writes a consistent copy; searches every byte of both
/// for each secret as ASCII/UTF-8 and as UTF-16 in both byte orders. `shown` is text the
/// store does hold (a masked number): finding it proves the search reads what was stored.
fn assert_copy_reveals_none(store: &Path, shown: &str, secrets: &[&str], when: &str) {
    let thief = tempfile::tempdir().unwrap();
    let mut copies = Vec::new();
    for file in store_files(store) {
        let copy = thief.path().join(file.file_name().unwrap());
        std::fs::copy(&file, &copy).unwrap();
        copies.push(copy);
    }
    let vacuumed = thief.path().join("vacuumed.sqlite");
    rusqlite::Connection::open(store)
        .unwrap()
        .execute("VACUUM INTO ?1", [vacuumed.to_str().unwrap()])
        .unwrap();
    copies.push(vacuumed);
    assert!(
        copies
            .iter()
            .any(|c| contains(&std::fs::read(c).unwrap(), shown.as_bytes())),
        "{when}: the copy holds what the store shows ({shown})"
    );
    for copy in &copies {
        let bytes = std::fs::read(copy).unwrap();
        for secret in secrets {
            for (form, needle) in [
                ("ASCII", secret.as_bytes().to_vec()),
                ("UTF-16LE", utf16(secret, false)),
                ("UTF-16BE", utf16(secret, true)),
            ] {
                assert!(
                    !contains(&bytes, &needle),
                    "{when}: {} holds {secret:?} as {form}",
                    copy.display()
                );
            }
        }
    }
}

#[test]
fn the_carrier_is_suggested_by_the_prefix_and_recorded_as_the_entrant_confirmed_it() {
    assert_eq!(suggested_carrier("138 1234 5678"), Some(Carrier::Mobile));
    assert_eq!(suggested_carrier("13312345678"), Some(Carrier::Telecom));
    assert_eq!(
        suggested_carrier("+86 130-1234-5678"),
        Some(Carrier::Unicom)
    );
    assert_eq!(
        suggested_carrier("17012345678"),
        Some(Carrier::Other),
        "a virtual operator"
    );
    assert_eq!(
        suggested_carrier("1381234"),
        None,
        "nothing until the number parses"
    );
    let mut fx = fixture();
    let session = fx.open_session();
    // A 138 number (移动's range) that moved to 联通 (携号转网): the entrant says so.
    let moved = EntrantInput {
        carrier: Carrier::Unicom,
        ..fx.entrant(session, NUMBER)
    };
    let receipt = fx.station.register_entrant(&moved).unwrap();
    assert_eq!(
        (receipt.phone_masked.as_str(), receipt.carrier),
        ("138****5678", Carrier::Unicom),
        "the receipt names the carrier recorded, not the prefix's"
    );
    let entrant = entrant_event(&fx.station, last_seq(&fx.station));
    assert_eq!(
        entrant.carrier,
        Carrier::Unicom,
        "the event carries the chosen carrier"
    );
    assert_eq!(entrant.phone_masked, "138****5678");
    let stored: String = rusqlite::Connection::open(fx.path())
        .unwrap()
        .query_row("SELECT carrier FROM entrant", [], |r| r.get(0))
        .unwrap();
    assert_eq!(stored, "unicom", "the store keeps the chosen carrier too");
}

#[test]
fn a_typed_number_and_the_token_are_never_printed() {
    let input = EntrantInput {
        session_id: SessionId::new(),
        phone: NUMBER.into(),
        carrier: Carrier::Mobile,
        consent_text_version: None,
    };
    let shown = format!("{input:?}");
    assert!(!shown.contains(NUMBER), "{shown}");
    assert!(shown.contains("138****5678"), "{shown}");
    let fx = fixture();
    let identity = fx.station.identity().unwrap().unwrap();
    assert!(
        !format!("{identity:?}").contains(&fx.token),
        "nor is the device token"
    );
    let typo = EntrantInput {
        phone: "1381234567".into(),
        ..input
    };
    assert!(
        !format!("{typo:?}").contains("1381234567"),
        "nor a mistyped one"
    );
}

#[test]
fn one_entry_per_phone_is_kept_by_a_hash_under_the_device_key() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station
        .register_entrant(&fx.entrant(session, NUMBER))
        .unwrap();
    let err = fx
        .station
        .register_entrant(&fx.entrant(session, "+86 138-1234-5678"))
        .unwrap_err();
    assert!(matches!(err, Error::DuplicateEntrant), "{err:?}");
    fx.station
        .register_entrant(&fx.entrant(session, "13812345679"))
        .unwrap();
    let hashes: Vec<String> = {
        let conn = rusqlite::Connection::open(fx.path()).unwrap();
        let mut stmt = conn
            .prepare("SELECT phone_hash FROM entrant ORDER BY registered_at, id")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(hashes.len(), 2, "two different numbers, two entrants");
    assert!(hashes.iter().all(|h| h.len() == 64), "HMAC-SHA256, hex");
    let unkeyed = sha2_hex(NUMBER);
    assert!(
        !hashes.contains(&unkeyed),
        "not a plain SHA-256 of the number, which anyone could try all numbers against"
    );
    // Another tablet, with a key of its own, hashes the same number differently: the hashes
    // say nothing across stores, nor without the key file.
    let mut other = fixture();
    let session = other.open_session();
    other
        .station
        .register_entrant(&other.entrant(session, NUMBER))
        .unwrap();
    let theirs: String = rusqlite::Connection::open(other.path())
        .unwrap()
        .query_row("SELECT phone_hash FROM entrant", [], |r| r.get(0))
        .unwrap();
    assert!(
        !hashes.contains(&theirs),
        "the hash depends on the device key"
    );
    // And the hash survives a restart: the same key file, the same hash.
    let mut fx = fx.reopen();
    let session = fx.open_session_or_current();
    let err = fx
        .station
        .register_entrant(&fx.entrant(session, NUMBER))
        .unwrap_err();
    assert!(
        matches!(err, Error::DuplicateEntrant),
        "after a restart too: {err:?}"
    );
}

fn sha2_hex(text: &str) -> String {
    // The unkeyed hash a careless design would store (what the test proves is not there).
    use sha2::Digest;
    sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

trait CurrentSession {
    fn open_session_or_current(&mut self) -> SessionId;
}

impl CurrentSession for Fixture {
    fn open_session_or_current(&mut self) -> SessionId {
        match self.station.open_session_id().unwrap() {
            Some(id) => id,
            None => self.open_session(),
        }
    }
}

/// Issue 12, "done when": a copied tablet database, searched for a registered number and the
/// device token, reveals neither, before and after a sync.
#[test]
fn a_copied_store_reveals_no_number_and_no_token_before_or_after_a_sync() {
    let mut fx = fixture();
    let session = fx.open_session();
    let numbers = [NUMBER, "13398765432", "18611112222"];
    for n in numbers {
        fx.station
            .register_entrant(&fx.entrant(session, n))
            .unwrap();
    }
    let mut secrets: Vec<&str> = numbers.to_vec();
    secrets.push(&fx.token);
    // The 8 digits after the prefix would identify a number too.
    secrets.push("12345678");
    assert_eq!(
        fx.station.identity().unwrap().unwrap().token,
        fx.token,
        "the tablet itself still reads its token"
    );
    assert_copy_reveals_none(&fx.path(), "138****5678", &secrets, "before the sync");
    // The sync: the central acknowledges everything and the next pull comes down.
    let through = last_seq(&fx.station);
    fx.station
        .apply_push_response(&PushResponse {
            acked_through: through,
            quarantined: vec![],
            rotated_token: None,
        })
        .unwrap();
    let terms = fx.terms();
    fx.station
        .apply_pull(&PullResponse {
            changes: vec![Change {
                server_seq: 1,
                record: Record::Lottery { terms },
            }],
            cursor: 1,
            more: false,
            rotated_token: None,
        })
        .unwrap();
    fx.station.record_sync_success().unwrap();
    assert_copy_reveals_none(&fx.path(), "138****5678", &secrets, "after the sync");
    // And the key is not in the store's directory: the copy has no way to open the token.
    let data_dir: Vec<_> = std::fs::read_dir(fx.path().parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        data_dir.iter().all(|f| f.starts_with("station.sqlite")),
        "only the store's files are beside it: {data_dir:?}"
    );
}

/// Issue 14, item 4: a token the central rotates through a sync's answer replaces the old one
/// in the transaction that records the answer, encrypted as the first one was: it survives a
/// restart, and a copied store reveals neither token.
#[test]
fn a_rotated_token_replaces_the_old_one_durably_and_a_copied_store_reveals_neither() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station
        .register_entrant(&fx.entrant(session, NUMBER))
        .unwrap();
    let first = fx.token.clone();
    let through = last_seq(&fx.station);
    let pushed = "fpd_rotated_by_a_push_0123456789abcdef";
    // An answer the station cannot take (it acknowledges a seq this tablet never recorded) is
    // rolled back whole: the token it carried is not kept either.
    let refused = fx.station.apply_push_response(&PushResponse {
        acked_through: through + 5,
        quarantined: vec![],
        rotated_token: Some(pushed.into()),
    });
    assert!(refused.is_err(), "an impossible answer is refused");
    assert_eq!(
        fx.station.identity().unwrap().unwrap().token,
        first,
        "a refused answer's token is not stored: the old one still works on the central"
    );
    fx.station
        .apply_push_response(&PushResponse {
            acked_through: through,
            quarantined: vec![],
            rotated_token: Some(pushed.into()),
        })
        .unwrap();
    assert_eq!(
        fx.station.identity().unwrap().unwrap().token,
        pushed,
        "the push's answer carried the next token; the next sync sends it"
    );
    // Every answer of the sync carries the same token: storing it again keeps the old one
    // as the previous (what a central restored from a backup would still know).
    fx.station
        .apply_push_response(&PushResponse {
            acked_through: through,
            quarantined: vec![],
            rotated_token: Some(pushed.into()),
        })
        .unwrap();
    assert_eq!(
        fx.station.previous_token().unwrap().as_deref(),
        Some(first.as_str()),
        "the enrolled token is kept as the previous one"
    );
    // A later answer without one keeps it; a pull's answer may carry the next one again.
    let pulled = "fpd_rotated_by_a_pull_fedcba9876543210";
    fx.station
        .apply_pull(&PullResponse {
            changes: vec![],
            cursor: 1,
            more: false,
            rotated_token: None,
        })
        .unwrap();
    assert_eq!(fx.station.identity().unwrap().unwrap().token, pushed);
    fx.station
        .apply_pull(&PullResponse {
            changes: vec![],
            cursor: 2,
            more: false,
            rotated_token: Some(pulled.into()),
        })
        .unwrap();
    let mut fx = fx.reopen();
    assert_eq!(
        fx.station.identity().unwrap().unwrap().token,
        pulled,
        "the token is stored durably: a restarted tablet syncs with the newest"
    );
    assert_eq!(
        fx.station.pull_cursor().unwrap(),
        2,
        "with the page it came in"
    );
    assert_eq!(
        fx.station.previous_token().unwrap().as_deref(),
        Some(pushed),
        "the one before is kept, one deep"
    );
    fx.station.record_sync_success().unwrap();
    assert_copy_reveals_none(
        &fx.path(),
        "138****5678",
        &[NUMBER, "12345678", &first, pushed, pulled],
        "after two rotations",
    );
    // A central restored from a backup refused the newest; the one before got in.
    fx.station.fall_back_to_previous_token(pulled).unwrap();
    assert_eq!(fx.station.identity().unwrap().unwrap().token, pushed);
    assert_eq!(
        fx.station.previous_token().unwrap().as_deref(),
        Some(pulled),
        "the two swap places"
    );
    fx.station.fall_back_to_previous_token(pulled).unwrap();
    assert_eq!(
        fx.station.identity().unwrap().unwrap().token,
        pushed,
        "a fallback for a token no longer current changes nothing"
    );
    assert_copy_reveals_none(
        &fx.path(),
        "138****5678",
        &[&first, pushed, pulled],
        "after a fallback",
    );
    let stranger = Station::open_with_clock(
        fx.path(),
        fx.dir.path().join("elsewhere/device.key"),
        fx.clock.clone(),
    )
    .unwrap();
    let err = stranger.identity().unwrap_err();
    assert!(
        err.kind() == "corrupt" && !err.to_string().contains(pulled),
        "another tablet's key opens no rotated token: {err}"
    );
}

/// Issue 12: "tablets drop full numbers as soon as the central has acknowledged them".
#[test]
fn the_sealed_number_is_dropped_once_the_central_acknowledges_it() {
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station
        .register_entrant(&fx.entrant(session, NUMBER))
        .unwrap();
    let first = last_seq(&fx.station);
    fx.station
        .register_entrant(&fx.entrant(session, "13398765432"))
        .unwrap();
    let second = last_seq(&fx.station);
    assert!(
        fx.lottery
            .open(&entrant_event(&fx.station, first).phone_sealed)
            .is_ok(),
        "a pending event carries a seal the central can open"
    );
    fx.station
        .apply_push_response(&PushResponse {
            acked_through: first,
            quarantined: vec![],
            rotated_token: None,
        })
        .unwrap();
    assert_eq!(
        entrant_event(&fx.station, first).phone_sealed.as_str(),
        "",
        "the acknowledged event no longer holds the sealed number"
    );
    let pending = entrant_event(&fx.station, second);
    assert_eq!(
        fx.lottery
            .open(&pending.phone_sealed)
            .map(|n| n.expose().to_owned()),
        Ok("13398765432".to_owned()),
        "an event not yet acknowledged keeps its seal, to be sent"
    );
    let texts = fx.station.pending_event_texts(100).unwrap();
    assert_eq!(
        texts.iter().map(|t| t.0).collect::<Vec<_>>(),
        [second],
        "only the pending event goes out, with its seal intact"
    );
    // The other path that records acknowledgements scrubs the same way.
    fx.station.mark_acked_through(second).unwrap();
    let scrubbed = entrant_event(&fx.station, second);
    assert_eq!(scrubbed.phone_sealed.as_str(), "");
    assert_eq!(
        (scrubbed.phone_masked.as_str(), scrubbed.carrier),
        ("133****5432", Carrier::Telecom),
        "what the screens show stays"
    );
    assert_eq!(
        fx.station.session_summary(session).unwrap().entrants,
        2,
        "no entrant is lost by dropping numbers"
    );
    assert_gap_free(&fx.station);
}

#[test]
fn the_terms_are_stored_as_pulled() {
    let mut fx = fixture_without_terms();
    assert_eq!(fx.station.lottery_terms().unwrap(), None);
    let terms = fx.terms();
    fx.pull_terms(terms.clone());
    let view = fx.station.lottery_terms().unwrap().unwrap();
    assert_eq!(view.consent_text, terms.consent_text);
    assert_eq!(view.consent_version, terms.consent_version);
    assert!(view.registration_open);
    assert_eq!(
        view.key_fingerprint,
        Some(fx.lottery.public_key().fingerprint()),
        "the fingerprint to compare with the console's"
    );
}

#[test]
fn the_device_key_may_not_sit_beside_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let err =
        Station::open(dir.path().join("s.sqlite"), dir.path().join("device.key")).unwrap_err();
    assert!(matches!(err, Error::DeviceKeyBesideStore { .. }), "{err:?}");
    assert!(
        !dir.path().join("device.key").exists(),
        "no key is created where a copy of the store would take it along"
    );
    assert!(!dir.path().join("s.sqlite").exists(), "nor a store");
}

#[test]
fn the_token_does_not_open_with_another_tablets_key() {
    let fx = fixture();
    let (path, token) = (fx.path(), fx.token.clone());
    let other_key = fx.dir.path().join("elsewhere/device.key");
    let station = Station::open_with_clock(&path, &other_key, fx.clock.clone()).unwrap();
    let err = station.identity().unwrap_err();
    assert_eq!(err.kind(), "corrupt", "{err}");
    assert!(!err.to_string().contains(&token));
    let enrollment = station.enrollment().unwrap().unwrap();
    assert_eq!(
        enrollment.device_id, fx.device_id,
        "the screens still know which device this is; only syncing needs the token"
    );
}

// --- migration of a store from before issue 12 ---------------------------------------------

const OLD_MIGRATIONS: [(&str, &str); 3] = [
    (
        "0001_init.sql",
        include_str!("../../../../migrations/station/0001_init.sql"),
    ),
    (
        "0002_sync.sql",
        include_str!("../../../../migrations/station/0002_sync.sql"),
    ),
    (
        "0003_top_up_answers.sql",
        include_str!("../../../../migrations/station/0003_top_up_answers.sql"),
    ),
];

struct OldStore {
    device_id: DeviceId,
    session_id: SessionId,
    acked_entrant: EntrantId,
    pending_entrant: EntrantId,
}

/// A store as the station before issue 12 left it: plain token, plain numbers in `entrant`
/// and in the entrant events' payloads, one of them acknowledged, one pending with a
/// tally event after it.
fn old_store(path: &Path, token: &str) -> OldStore {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    conn.execute_batch(
        "CREATE TABLE schema_migrations (
            version INTEGER PRIMARY KEY, name TEXT NOT NULL,
            applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))",
    )
    .unwrap();
    for (i, (name, sql)) in OLD_MIGRATIONS.iter().enumerate() {
        conn.execute_batch(sql).unwrap();
        conn.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
            rusqlite::params![i as i64 + 1, name],
        )
        .unwrap();
    }
    let (device_id, unit_id, plan_id, session_id) = (
        DeviceId::new(),
        UnitId::new(),
        PlanId::new(),
        SessionId::new(),
    );
    let at = "2022-08-06T01:30:00.000000Z";
    conn.execute(
        "INSERT INTO device_identity VALUES (1, ?1, ?2, 'http://127.0.0.1:9', ?3, ?4)",
        rusqlite::params![device_id.to_string(), unit_id.to_string(), token, at],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO plan (id, unit_id, title, location, starts_at, ends_at, expected_people,
            staff, requested, status, allocation)
         VALUES (?1, ?2, '侨联步行街宣传站', '榕城区步行街', '2022-08-06T01:00:00.000000Z',
            '2022-08-06T09:00:00.000000Z', 300, '林小华', '[]', 'approved', '[]')",
        rusqlite::params![plan_id.to_string(), unit_id.to_string()],
    )
    .unwrap();
    conn.execute(
        "INSERT INTO session (id, plan_id, device_id, station, opened_at)
         VALUES (?1, ?2, ?3, '进贤门广场', ?4)",
        rusqlite::params![
            session_id.to_string(),
            plan_id.to_string(),
            device_id.to_string(),
            at
        ],
    )
    .unwrap();
    let (acked_entrant, pending_entrant) = (EntrantId::new(), EntrantId::new());
    let event = |seq: u64, entrant: EntrantId, phone: &str| {
        serde_json::json!({
            "id": EventId::new(),
            "device_id": device_id,
            "seq": seq,
            "recorded_at": at,
            "payload": {
                "type": "entrant_registered",
                "entrant": {
                    "id": entrant,
                    "session_id": session_id,
                    "phone": phone,
                    "consent": { "text_version": "2022-v1", "given_at": at },
                    "registered_at": at,
                },
            },
        })
    };
    let tally = serde_json::json!({
        "id": EventId::new(),
        "device_id": device_id,
        "seq": 3,
        "recorded_at": at,
        "payload": {
            "type": "tally_recorded",
            "tally": {
                "session_id": session_id,
                "people_reached": 1,
                "questionnaires_assisted": 0,
            },
        },
    });
    for (seq, kind, payload) in [
        (
            1,
            "entrant_registered",
            event(1, acked_entrant, "13398765432"),
        ),
        (2, "entrant_registered", event(2, pending_entrant, NUMBER)),
        (3, "tally_recorded", tally),
    ] {
        conn.execute(
            "INSERT INTO events (seq, id, kind, recorded_at, payload) VALUES (?1, ?2, ?3, ?4, ?5)",
            rusqlite::params![
                seq,
                payload["id"].as_str().unwrap(),
                kind,
                at,
                payload.to_string()
            ],
        )
        .unwrap();
    }
    for (id, phone) in [(acked_entrant, "13398765432"), (pending_entrant, NUMBER)] {
        conn.execute(
            "INSERT INTO entrant VALUES (?1, ?2, ?3, '2022-v1', ?4, ?4)",
            rusqlite::params![id.to_string(), session_id.to_string(), phone, at],
        )
        .unwrap();
    }
    conn.execute("UPDATE sync_state SET acked_through = 1", [])
        .unwrap();
    OldStore {
        device_id,
        session_id,
        acked_entrant,
        pending_entrant,
    }
}

/// Issue 12: a tablet that registered entrants before numbers were sealed keeps every
/// entrant, and afterwards neither its numbers nor its token can be read from a copy; the
/// pending entrant waits for the central's key instead of going out unsealed or being lost.
#[test]
fn an_old_store_keeps_its_entrants_and_hides_numbers_and_token() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let store = dir.path().join("data/station.sqlite");
    let token = format!("fpd_{:032x}", rand::random::<u128>());
    let old = old_store(&store, &token);
    // Before the migration the copy does show them: the search below is meaningful.
    let before = std::fs::read(&store).unwrap();
    let wal = std::fs::read(format!("{}-wal", store.display())).unwrap_or_default();
    assert!(
        contains(&before, NUMBER.as_bytes()) || contains(&wal, NUMBER.as_bytes()),
        "the old store holds the number in clear"
    );

    let clock = Arc::new(FixedClock);
    let mut station =
        Station::open_with_clock(&store, dir.path().join("config/device.key"), clock).unwrap();
    assert_copy_reveals_none(
        &store,
        "133****5432",
        &[NUMBER, "13398765432", &token],
        "after the migration",
    );
    let identity = station.identity().unwrap().unwrap();
    assert_eq!(
        (identity.device_id, identity.token.as_str()),
        (old.device_id, token.as_str()),
        "the token is encrypted, not lost"
    );
    let rows: Vec<(String, String, String)> = {
        let conn = rusqlite::Connection::open(&store).unwrap();
        let mut stmt = conn
            .prepare("SELECT id, phone_masked, carrier FROM entrant ORDER BY phone_masked")
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    assert_eq!(
        rows,
        [
            (
                old.acked_entrant.to_string(),
                "133****5432".to_owned(),
                "telecom".to_owned()
            ),
            (
                old.pending_entrant.to_string(),
                "138****5678".to_owned(),
                "mobile".to_owned()
            ),
        ],
        "every entrant is kept, masked, with its prefix's carrier"
    );
    assert_eq!(station.session_summary(old.session_id).unwrap().entrants, 2);

    // The acknowledged event lost its number; the pending one waits for the key, and holds
    // back what follows it (the central takes events in seq order only).
    assert_eq!(entrant_event(&station, 1).phone_sealed.as_str(), "");
    assert_eq!(entrant_event(&station, 2).phone_sealed.as_str(), "");
    assert_eq!(station.entrants_awaiting_seal().unwrap(), 1);
    assert!(
        station.event_texts_after(1, 100).unwrap().is_empty(),
        "nothing is pushed before the entrant's number is sealed"
    );
    assert_eq!(
        station.outbox_status().unwrap().pending,
        2,
        "but it is pending"
    );

    // The same number cannot be entered again: the migrated hash is the device key's.
    let secret = LotterySecretKey::generate();
    station
        .apply_pull(&PullResponse {
            changes: vec![Change {
                server_seq: 1,
                record: Record::Lottery {
                    terms: LotteryTerms {
                        consent_text: "须知".into(),
                        consent_version: "2022-v1".into(),
                        public_key: Some(secret.public_key()),
                        registration_open: true,
                    },
                },
            }],
            cursor: 1,
            more: false,
            rotated_token: None,
        })
        .unwrap();
    assert_eq!(
        station.entrants_awaiting_seal().unwrap(),
        0,
        "the key came: sealed"
    );
    let sealed = entrant_event(&station, 2);
    assert_eq!(
        secret
            .open(&sealed.phone_sealed)
            .map(|n| n.expose().to_owned()),
        Ok(NUMBER.to_owned()),
        "the pending entrant's number reaches the central, sealed to its key"
    );
    assert_eq!(
        station
            .event_texts_after(1, 100)
            .unwrap()
            .iter()
            .map(|t| t.0)
            .collect::<Vec<_>>(),
        [2, 3],
        "the held events go out now, in order"
    );
    assert_copy_reveals_none(
        &store,
        "133****5432",
        &[NUMBER, "13398765432", &token],
        "after sealing",
    );
    drop(station);
    // Reopening migrates nothing twice.
    let station = Station::open_with_clock(
        &store,
        dir.path().join("config/device.key"),
        Arc::new(FixedClock),
    )
    .unwrap();
    assert_eq!(station.identity().unwrap().unwrap().token, token);
}

/// Issue 12: when the lottery closed (its key deleted) before a migrated entrant could be
/// sealed, its number is dropped and the event goes without it, rather than block the outbox.
#[test]
fn a_migrated_entrant_whose_lottery_closed_goes_without_its_number() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("data")).unwrap();
    let store = dir.path().join("data/station.sqlite");
    old_store(&store, "fpd_old");
    let mut station = Station::open_with_clock(
        &store,
        dir.path().join("config/device.key"),
        Arc::new(FixedClock),
    )
    .unwrap();
    station
        .apply_pull(&PullResponse {
            changes: vec![Change {
                server_seq: 1,
                record: Record::Lottery {
                    terms: LotteryTerms {
                        consent_text: "须知".into(),
                        consent_version: "2022-v1".into(),
                        public_key: None,
                        registration_open: false,
                    },
                },
            }],
            cursor: 1,
            more: false,
            rotated_token: None,
        })
        .unwrap();
    assert_eq!(station.entrants_awaiting_seal().unwrap(), 0);
    assert_eq!(entrant_event(&station, 2).phone_sealed.as_str(), "");
    assert_eq!(
        station.event_texts_after(1, 100).unwrap().len(),
        2,
        "the outbox flows again"
    );
}

struct FixedClock;

impl fieldpost_station::Clock for FixedClock {
    fn now(&self) -> chrono::DateTime<chrono::Utc> {
        plan_start() + chrono::Duration::minutes(45)
    }
}
