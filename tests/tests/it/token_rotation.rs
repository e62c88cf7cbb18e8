//! Issue 14, item 4, end to end: a real central on loopback rotates a tablet's token through
//! the sync; the answer carrying the new token is lost on the way (the fault proxy), and the
//! tablet still gets in and rotates at the next sync; a tablet offline for longer than the
//! period syncs when it returns; and a central restored from a backup taken before the last
//! rotation still lets the tablet in. The central's clock is the test's; nothing sleeps.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Duration, Utc};
use fieldpost_central::secrets::sha256_hex;
use fieldpost_domain::*;
use fieldpost_server::Config;
use fieldpost_station::Station;
use fieldpost_station::sync_loop::{SyncConfig, SyncError, SyncReport, sync_enrolled};
use fieldpost_sync::PullQuery;
use fieldpost_sync::client::{Client, ClientError};
use fieldpost_tests::central::{TestCentral, approved_plan, enroll_station};
use fieldpost_tests::proxy::{FaultProxy, Faults};

/// One sync as the app's loop runs it: with the token the store holds now (and, if the central
/// refuses it, the one before).
async fn sync(station: &Arc<Mutex<Station>>) -> Result<SyncReport, SyncError> {
    sync_enrolled(station, &SyncConfig::default()).await
}

fn token(station: &Arc<Mutex<Station>>) -> String {
    station.lock().unwrap().identity().unwrap().unwrap().token
}

/// The device's (current token hash, offered successor's hash) as the central stores them.
fn central_tokens(central: &TestCentral, device: DeviceId) -> (String, Option<String>) {
    let rows = central
        .database
        .rows(&format!(
            "SELECT token_hash, next_token_hash FROM devices WHERE id = '{device}'"
        ))
        .unwrap();
    let row = rows.first().expect("the device is enrolled");
    (row[0].clone().expect("a current token"), row[1].clone())
}

async fn refused(central: &TestCentral, old: &str, why: &str) {
    let answer = Client::new(&central.url(), Some(old.to_owned()))
        .unwrap()
        .pull(PullQuery {
            after: 0,
            limit: Some(1),
        })
        .await;
    assert!(
        matches!(answer, Err(ClientError::Unauthorized(_))),
        "{why}: {answer:?}"
    );
}

#[tokio::test]
async fn a_lost_rotation_answer_a_long_absence_and_a_restored_central_do_not_lock_the_tablet_out() {
    let dir = tempfile::tempdir().unwrap();
    let clock = Arc::new(Mutex::new(Utc::now()));
    let moved = Arc::clone(&clock);
    let central = TestCentral::start_with(
        &dir.path().join("central"),
        Config {
            token_rotation: Duration::days(7),
            ..Config::default()
        },
        Arc::new(move || *moved.lock().unwrap()),
    )
    .await
    .unwrap();
    let advance = |by: Duration| {
        let mut now = clock.lock().unwrap();
        *now += by;
        *now
    };
    let world = central.seed(100, 0).unwrap();
    let proxy = FaultProxy::start(&central.url(), 14, Faults::NONE)
        .await
        .unwrap();
    let station = enroll_station(
        central.store.as_ref(),
        &proxy.url(),
        world.unit_id,
        &dir.path().join("station.sqlite"),
        "甲 1号平板",
    )
    .await
    .unwrap();
    let device = station.identity().unwrap().unwrap().device_id;
    let station = Arc::new(Mutex::new(station));
    let plan = approved_plan(
        central.store.as_ref(),
        world.unit_id,
        &[ItemQuantity {
            item_id: world.mask,
            quantity: 10,
        }],
        &[fieldpost_central::plans::DeviceShare {
            device_id: device,
            item_id: world.mask,
            quantity: 10,
        }],
    )
    .unwrap();
    let first = token(&station);
    sync(&station)
        .await
        .expect("a first sync through a clean link");
    assert_eq!(token(&station), first, "a fresh token is not rotated");
    let session = {
        let mut s = station.lock().unwrap();
        s.open_session(plan, "进贤门广场", &[]).unwrap().id
    };

    // A week on, the tablet's token is due. The answer that carries its successor is lost
    // after the central applied the push: the tablet never sees the new token.
    let _: DateTime<Utc> = advance(Duration::days(8));
    station
        .lock()
        .unwrap()
        .record_tally(session, 12, 1)
        .unwrap();
    proxy.set_faults(Faults {
        drop_response: 100,
        ..Faults::NONE
    });
    let lost = sync(&station).await;
    assert!(
        matches!(lost, Err(SyncError::Offline(_))),
        "the answer was lost: {lost:?}"
    );
    assert_eq!(token(&station), first, "the tablet kept the token it had");
    let (current, offered) = central_tokens(&central, device);
    assert_eq!(
        current,
        sha256_hex(&first),
        "the old token is still current"
    );
    let offered = offered.expect("the central offered a successor with the lost answer");

    // The link heals: the old token still gets in, and the answer carries the same successor
    // the lost one did, which the tablet stores with the answer.
    proxy.set_faults(Faults::NONE);
    let report = sync(&station).await.expect("the old token still works");
    assert!(report.pushed <= 2, "the tally went up once: {report:?}");
    let second = token(&station);
    assert_ne!(second, first, "the tablet stored its new token");
    assert_eq!(
        sha256_hex(&second),
        offered,
        "the retry's answer carried the very successor the lost answer had"
    );
    assert_eq!(
        station.lock().unwrap().sync_status().unwrap().pending,
        0,
        "everything went up"
    );
    // The next sync uses it: the central takes it into use and the old token dies.
    sync(&station).await.expect("the new token gets in");
    assert_eq!(
        central_tokens(&central, device),
        (sha256_hex(&second), None),
        "the successor is the device's token now"
    );
    refused(
        &central,
        &first,
        "the old token died with its successor's first use",
    )
    .await;

    // The tablet goes offline for three weeks (a drawer between two campaign days), recording
    // as it goes; then it comes back.
    proxy.set_offline(true);
    station
        .lock()
        .unwrap()
        .record_tally(session, 30, 2)
        .unwrap();
    assert!(
        matches!(sync(&station).await, Err(SyncError::Offline(_))),
        "no link"
    );
    advance(Duration::weeks(3));
    proxy.set_offline(false);
    sync(&station)
        .await
        .expect("a tablet back after three weeks gets in with the token it has");
    assert_eq!(
        station.lock().unwrap().sync_status().unwrap().pending,
        0,
        "what it recorded offline went up"
    );
    let third = token(&station);
    assert!(
        third != second && third != first,
        "and it was handed a new token on the way"
    );
    sync(&station).await.expect("the third token gets in");
    refused(&central, &second, "the second token died in its turn").await;
    assert_eq!(central_tokens(&central, device), (sha256_hex(&third), None));

    // The central is restored from a backup taken before that last rotation: it knows the
    // second token as current and nothing of the third. The tablet's third token is refused
    // as unknown; it tries the token it held before, which gets in, and keeps using it.
    let restored = central
        .database
        .execute(&format!(
            "UPDATE devices SET token_hash = '{}', next_token_hash = NULL,
                 next_token_salt = NULL, next_token_offered_at = NULL
             WHERE id = '{device}'",
            sha256_hex(&second)
        ))
        .unwrap();
    assert_eq!(restored, 1, "the device's row as the backup had it");
    refused(
        &central,
        &third,
        "the restored central does not know the third token",
    )
    .await;
    station.lock().unwrap().record_tally(session, 5, 0).unwrap();
    sync(&station)
        .await
        .expect("the tablet falls back to the token the restored central knows");
    assert_eq!(
        token(&station),
        second,
        "it syncs with the token the central knows from now on"
    );
    assert_eq!(
        station.lock().unwrap().sync_status().unwrap().pending,
        0,
        "what it recorded since went up"
    );
    sync(&station).await.expect("and again, straight in");
    central.stop().await;
}
