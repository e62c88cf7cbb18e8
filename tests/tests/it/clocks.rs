//! A tablet whose clock is wrong, against a real central: hours ahead, then set back. Nothing
//! is lost or doubled, and the central flags the tablet's times and corrects them for the
//! plan's window instead of trusting them (`crates/central/src/push/clock.rs`).

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use fieldpost_central::audit::Actor;
use fieldpost_central::plans::{Approval, DeviceShare, PlanContent};
use fieldpost_central::testkit::Direct;
use fieldpost_domain::{DeviceId, ItemQuantity, PlanId};
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::sessions::VolunteerInput;
use fieldpost_station::sync_loop::{SyncConfig, connect, sync_once};
use fieldpost_station::{Clock, Station};
use fieldpost_tests::central::{TestCentral, World, enroll_station, stored_events};
use fieldpost_tests::device_key_path;

/// The tablet's clock, set by the test.
struct TabletClock(Mutex<DateTime<Utc>>);

impl TabletClock {
    fn set(&self, t: DateTime<Utc>) {
        *self.0.lock().unwrap() = t;
    }
}

impl Clock for TabletClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

async fn sync(station: &Arc<Mutex<Station>>, clock: &Arc<TabletClock>) -> u64 {
    let identity = station.lock().unwrap().identity().unwrap().unwrap();
    let config = SyncConfig::default();
    let clock = Arc::clone(clock);
    let client = connect(&identity.server_url, Some(identity.token), &config)
        .unwrap()
        .with_clock(move || clock.now());
    sync_once(station, &client, &config).await.unwrap().pushed
}

/// A central with the tests' world, and a tablet of its unit enrolled over HTTP at `path`.
async fn central_and_tablet(
    dir: &std::path::Path,
    path: &std::path::Path,
) -> (TestCentral, World, Station, DeviceId) {
    let central = TestCentral::start(&dir.join("central")).await.unwrap();
    let world = central.seed(1_000, 10).unwrap();
    let station = enroll_station(
        central.store.as_ref(),
        &central.url(),
        world.unit_id,
        path,
        "侨联 1号平板",
    )
    .await
    .unwrap();
    let device_id = station.identity().unwrap().unwrap().device_id;
    (central, world, station, device_id)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_clock_hours_ahead_then_set_back_loses_and_doubles_nothing_and_is_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tablet.sqlite");
    let (central, world, enrolled, device_id) = central_and_tablet(dir.path(), &path).await;
    // Reopened below on the tablet's own (wrong) clock.
    drop(enrolled);

    // This afternoon's plan, 4 to 9 hours from now. The tablet's clock is 5 hours ahead: to
    // the tablet, the plan has begun.
    let now = Utc::now();
    let plan = PlanId::new();
    let store = central.store.as_ref();
    let actor = Actor::System("clock-test");
    store
        .file_plan(
            &actor,
            now,
            plan,
            world.unit_id,
            PlanContent {
                title: "下午场".into(),
                location: "进贤门广场".into(),
                starts_at: now + Duration::hours(4),
                ends_at: now + Duration::hours(9),
                expected_people: 200,
                staff: "林小华".into(),
                requested: vec![],
            },
        )
        .unwrap();
    let masks = ItemQuantity {
        item_id: world.mask,
        quantity: 10,
    };
    store
        .approve_plan(
            &actor,
            now,
            plan,
            Approval {
                allocation: vec![masks],
                grants: Some(vec![DeviceShare {
                    device_id,
                    item_id: world.mask,
                    quantity: 10,
                }]),
            },
        )
        .unwrap();
    let clock = Arc::new(TabletClock(Mutex::new(now + Duration::hours(5))));
    let station = Station::open_with_clock(&path, device_key_path(&path), clock.clone()).unwrap();
    let station = Arc::new(Mutex::new(station));
    sync(&station, &clock).await;

    let before = Utc::now();
    let session = {
        let mut s = station.lock().unwrap();
        let session = s
            .open_session(
                plan,
                "进贤门广场",
                &[VolunteerInput {
                    name: "林小华".into(),
                    ivolunteer_id: None,
                }],
            )
            .unwrap();
        s.record_tally(session.id, 9, 2).unwrap();
        for quantity in [1, 2] {
            s.record_handout(&HandoutInput {
                session_id: session.id,
                item_id: world.mask,
                quantity,
                over_grant_reason: None,
            })
            .unwrap();
        }
        session
    };
    assert!(sync(&station, &clock).await > 0);
    let after = Utc::now();

    // The central took the session as opened at its own time, before the plan's window:
    // flagged, not trusted.
    let sessions = fieldpost_central::sessions::sessions(store, Some(world.unit_id)).unwrap();
    let stored = sessions
        .iter()
        .find(|s| s.session.id == session.id)
        .unwrap();
    assert_eq!(
        stored.exception.as_deref(),
        Some("outside_plan_window"),
        "{stored:?}"
    );
    let opened = stored.session.opened_at;
    assert!(
        opened >= before - Duration::minutes(1) && opened <= after,
        "the central's time for the session ({opened}), not the tablet's ({})",
        session.opened_at
    );
    let flags = central
        .database
        .rows("SELECT detail FROM audit_log WHERE action = 'sync.clock_off' ORDER BY seq")
        .unwrap();
    let first: serde_json::Value =
        serde_json::from_str(flags.last().unwrap()[0].as_deref().unwrap()).unwrap();
    let off = first["off_by_seconds"].as_i64().unwrap();
    assert!((5 * 3600 - 120..=5 * 3600 + 120).contains(&off), "{first}");
    // And the tablet knows: its sync line asks the volunteer to set its time.
    let told = station
        .lock()
        .unwrap()
        .sync_status()
        .unwrap()
        .clock_off_by_seconds
        .unwrap();
    assert!((5 * 3600 - 120..=5 * 3600 + 120).contains(&told), "{told}");

    // The clock is set back by hand, to half an hour before its earlier taps: more taps, an
    // undo, the session closed.
    clock.set(now + Duration::hours(4) + Duration::minutes(30));
    {
        let mut s = station.lock().unwrap();
        let last = s
            .record_handout(&HandoutInput {
                session_id: session.id,
                item_id: world.mask,
                quantity: 3,
                over_grant_reason: None,
            })
            .unwrap();
        assert_eq!(
            s.last_handout(session.id).unwrap().map(|h| h.id),
            Some(last.id)
        );
        s.void_handout(last.id, "点错了").unwrap();
        s.record_handout(&HandoutInput {
            session_id: session.id,
            item_id: world.mask,
            quantity: 1,
            over_grant_reason: None,
        })
        .unwrap();
        s.close_session(session.id).unwrap();
    }
    assert!(sync(&station, &clock).await > 0);
    assert_eq!(sync(&station, &clock).await, 0, "nothing is sent twice");

    // Every event once, in the tablet's order; the masks as the volunteer handed them out.
    let local: Vec<(u64, String)> = station
        .lock()
        .unwrap()
        .events()
        .unwrap()
        .into_iter()
        .map(|e| (e.seq, e.id.to_string()))
        .collect();
    assert_eq!(stored_events(&central.database, device_id), local);
    let records = fieldpost_central::records::records(store).unwrap();
    let unit = records
        .units
        .iter()
        .find(|r| r.unit.id == world.unit_id)
        .unwrap();
    let handed: u64 = unit
        .items
        .iter()
        .filter(|f| f.item_id == world.mask)
        .map(|f| f.handed_out)
        .sum();
    assert_eq!(handed, 1 + 2 + 1);
    let sessions = fieldpost_central::sessions::sessions(store, Some(world.unit_id)).unwrap();
    let closed = sessions
        .iter()
        .find(|s| s.session.id == session.id)
        .unwrap();
    let closed_at = closed.session.closed_at.unwrap();
    assert!(
        closed_at >= closed.session.opened_at && closed_at <= Utc::now(),
        "closed in the central's time, after it opened: {closed:?}"
    );
    let flags = central
        .database
        .int("SELECT COUNT(*) FROM audit_log WHERE action = 'sync.clock_off'")
        .unwrap();
    assert!(flags >= 2, "each batch from the wrong clock is flagged");
    central.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_with_a_right_clock_is_not_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tablet.sqlite");
    let (central, world, station, device_id) = central_and_tablet(dir.path(), &path).await;
    let plan = fieldpost_tests::central::approved_plan(
        central.store.as_ref(),
        world.unit_id,
        &[ItemQuantity {
            item_id: world.mask,
            quantity: 5,
        }],
        &[DeviceShare {
            device_id,
            item_id: world.mask,
            quantity: 5,
        }],
    )
    .unwrap();
    let clock = Arc::new(TabletClock(Mutex::new(Utc::now())));
    let station = Arc::new(Mutex::new(station));
    sync(&station, &clock).await;
    {
        let mut s = station.lock().unwrap();
        let session = s.open_session(plan, "步行街", &[]).unwrap();
        s.record_tally(session.id, 3, 1).unwrap();
    }
    assert!(sync(&station, &clock).await > 0);
    let flags = central
        .database
        .int("SELECT COUNT(*) FROM audit_log WHERE action = 'sync.clock_off'")
        .unwrap();
    assert_eq!(flags, 0);
    assert_eq!(
        station
            .lock()
            .unwrap()
            .sync_status()
            .unwrap()
            .clock_off_by_seconds,
        None,
        "a right clock is not reported"
    );
    let sessions =
        fieldpost_central::sessions::sessions(central.store.as_ref(), Some(world.unit_id)).unwrap();
    assert_eq!(sessions[0].exception, None);
    central.stop().await;
}
