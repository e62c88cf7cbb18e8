//! A secretariat whose central answers on HTTPS with a certificate of its own CA (here a
//! self-signed one, made at test time): the real central on loopback behind a TLS front that
//! terminates HTTPS and forwards to it, as a reverse proxy on the secretariat's server would.
//!
//! The station's sync loop, given the root certificate the secretariat put on the tablet
//! (`SyncConfig::root_certificate_pem`, which the app reads from `secretariat-ca.pem` in its
//! data directory), pushes and pulls through it. Without it, the loop says in plain words that
//! the certificate is not trusted, and does not pretend to be offline.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fieldpost_central::plans::DeviceShare;
use fieldpost_domain::*;
use fieldpost_station::Station;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::identity::DeviceIdentity;
use fieldpost_station::sync_loop::{self, LoopState, SyncConfig, SyncHandle};
use fieldpost_sync::PullQuery;
use fieldpost_sync::client::{Client, ClientError};
use fieldpost_tests::central::{TestCentral, World, approved_plan, enroll_station, seed};
use fieldpost_tests::tls::TlsFront;

/// A central on loopback with the demo-like world seeded, behind an HTTPS front.
struct Secretariat {
    dir: tempfile::TempDir,
    central: TestCentral,
    world: World,
    front: TlsFront,
}

async fn secretariat() -> Secretariat {
    let dir = tempfile::tempdir().unwrap();
    let central = TestCentral::start(&dir.path().join("central"))
        .await
        .unwrap();
    let world = seed(central.store.as_ref(), 1_000, 10).unwrap();
    let front = TlsFront::start(&central.url()).await.unwrap();
    Secretariat {
        dir,
        central,
        world,
        front,
    }
}

/// A tablet of the seeded unit, enrolled over plain HTTP (enrollment over HTTPS is the
/// client's `enroll`, checked with the client below), whose identity then names the HTTPS
/// address.
async fn tablet(s: &Secretariat) -> Station {
    let mut station = enroll_station(
        s.central.store.as_ref(),
        &s.central.url(),
        s.world.unit_id,
        &s.dir.path().join("tablet.sqlite"),
        "侨联 1号平板",
    )
    .await
    .unwrap();
    let identity = station.identity().unwrap().unwrap();
    station
        .set_identity(&DeviceIdentity {
            server_url: s.front.url.clone(),
            ..identity
        })
        .unwrap();
    station
}

/// Asks for a sync and waits (at most a minute, so a broken loop fails instead of hanging)
/// until a sync that started after the loop was last seen idle has finished; returns the
/// loop's state then. A sync that fails at once (a damaged root certificate) can start and
/// finish between two looks at the state, so "syncing" is not waited for: after the ask, the
/// first idle state seen is the answer.
async fn next_sync(handle: &SyncHandle) -> LoopState {
    let mut watch = handle.watch();
    let finished = async {
        // Let a sync already running finish first: it started before the ask.
        while watch.borrow_and_update().syncing {
            watch.changed().await.unwrap();
        }
        handle.sync_now();
        loop {
            watch.changed().await.unwrap();
            let state = watch.borrow_and_update().clone();
            if !state.syncing {
                return state;
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), finished)
        .await
        .expect("the loop finishes a sync")
}

fn config(pem: Option<&str>) -> SyncConfig {
    SyncConfig {
        // Only `sync_now` starts a sync in these tests.
        interval: Duration::from_secs(3600),
        backoff_base: Duration::from_secs(3600),
        root_certificate_pem: pem.map(|p| Arc::from(p.as_bytes())),
        ..SyncConfig::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_trusting_the_secretariats_root_syncs_over_https() {
    let s = secretariat().await;
    let station = tablet(&s).await;
    let device = station.identity().unwrap().unwrap().device_id;
    let plan = approved_plan(
        s.central.store.as_ref(),
        s.world.unit_id,
        &[ItemQuantity {
            item_id: s.world.mask,
            quantity: 50,
        }],
        &[DeviceShare {
            device_id: device,
            item_id: s.world.mask,
            quantity: 50,
        }],
    )
    .unwrap();
    let station = Arc::new(Mutex::new(station));
    let handle = sync_loop::spawn(station.clone(), config(Some(&s.front.certificate_pem)));

    let first = next_sync(&handle).await;
    assert_eq!(first.failures, 0, "the first sync succeeds over HTTPS");
    let handout = {
        let mut st = station.lock().unwrap();
        assert_eq!(
            st.plan(plan).unwrap().status,
            PlanStatus::Approved,
            "the pull over HTTPS brought the approved plan"
        );
        let session = st.open_session(plan, "榕城区步行街", &[]).unwrap().id;
        st.record_handout(&HandoutInput {
            session_id: session,
            item_id: s.world.mask,
            quantity: 2,
            over_grant_reason: None,
        })
        .unwrap()
        .id
    };
    let second = next_sync(&handle).await;
    assert_eq!(second.failures, 0, "the push over HTTPS succeeds");
    let status = station.lock().unwrap().sync_status().unwrap();
    assert_eq!(status.pending, 0, "the central confirmed every event");
    assert_eq!(status.last_error, None);
    let stored = s
        .central
        .database
        .int(&format!(
            "SELECT quantity FROM handouts WHERE id = '{handout}'"
        ))
        .unwrap();
    assert_eq!(
        stored, 2,
        "the handout reached the central through the TLS front"
    );
    handle.shutdown().await;
}

/// One sync by a loop given `pem` (or no extra root); returns the loop's state and the
/// failure recorded for the sync line.
async fn failed_sync(s: &Secretariat, pem: Option<&str>) -> (LoopState, String) {
    let station = Arc::new(Mutex::new(tablet(s).await));
    let handle = sync_loop::spawn(station.clone(), config(pem));
    let state = next_sync(&handle).await;
    handle.shutdown().await;
    let error = station.lock().unwrap().sync_status().unwrap().last_error;
    (
        state,
        error.expect("the failure is recorded for the sync line"),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_without_the_root_says_the_certificate_is_not_trusted() {
    let s = secretariat().await;
    let (state, error) = failed_sync(&s, None).await;
    assert!(
        !state.offline,
        "an untrusted certificate is not the normal offline"
    );
    // The loop syncs once as it starts, and again on `sync_now`: one or two failures.
    assert!(state.failures >= 1, "the sync failed");
    assert!(
        error.contains("certificate is not trusted"),
        "the sync line names the cause: {error}"
    );
    // The station UI recognizes this prefix to say it in Chinese (ui/src/lib/station/sync-line.ts).
    assert!(
        error.starts_with("secure connection to the central failed:"),
        "{error}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_root_certificate_is_named_on_the_sync_line() {
    let s = secretariat().await;
    let (state, error) = failed_sync(&s, Some("秘书处发来的证书（复制时断了）")).await;
    assert!(!state.offline);
    assert!(
        error.contains("root certificate"),
        "the sync line says the root certificate is the problem: {error}"
    );
    // The station UI recognizes this prefix (ui/src/lib/station/sync-line.ts).
    assert!(
        error.starts_with("cannot set up the connection to the central:"),
        "{error}"
    );
}

/// The client alone, as enrollment uses it: the refusal is its own kind, which the app turns
/// into `central_untrusted` beside the address box.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_refuses_an_untrusted_certificate_as_such() {
    let s = secretariat().await;
    let query = PullQuery {
        after: 0,
        limit: None,
    };
    match Client::new(&s.front.url, Some("t".into()))
        .unwrap()
        .pull(query)
        .await
    {
        Err(ClientError::Tls(message)) => {
            assert!(
                message.contains("certificate is not trusted"),
                "message: {message}"
            );
        }
        other => panic!("expected a TLS refusal, got {other:?}"),
    }
    let trusting = Client::with_root_certificate_pem(
        &s.front.url,
        Some("not a token".into()),
        s.front.certificate_pem.as_bytes(),
    )
    .unwrap();
    assert!(
        matches!(
            trusting.pull(query).await,
            Err(ClientError::Unauthorized(_))
        ),
        "trusting the root, the client reaches the central, which refuses the unknown token"
    );
}
