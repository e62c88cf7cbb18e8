//! A secretariat whose central answers on HTTPS with a certificate of its own CA (here a
//! self-signed one, made at test time): the real central on loopback behind a TLS front that
//! terminates HTTPS and forwards to it, as a reverse proxy on the secretariat's server would.
//!
//! The station's sync loop, given the root certificate the secretariat put on the tablet
//! (`SyncConfig::root_certificate_pem`, which the app reads from `secretariat-ca.pem` in its
//! data directory), pushes and pulls through it. Without it, the loop says in plain words that
//! the certificate is not trusted, and does not pretend to be offline.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fieldpost_domain::*;
use fieldpost_server::store::DeviceShare;
use fieldpost_station::Station;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::identity::DeviceIdentity;
use fieldpost_station::sync_loop::{self, LoopState, SyncConfig, SyncHandle};
use fieldpost_tests::central::{TestCentral, World, approved_plan, enroll_station, seed};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::net::{TcpListener, TcpStream};

/// Serves HTTPS on a loopback port with a fresh self-signed certificate for 127.0.0.1 and
/// forwards each connection to `backend`; returns the HTTPS base URL and the certificate.
async fn tls_front(backend: SocketAddr) -> (String, String) {
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".into(), "127.0.0.1".into()]).unwrap();
    let pem = certified.cert.pem();
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
        certified.signing_key.serialize_der(),
    ));
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(certified.cert.der().to_vec())],
        key,
    )
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                // A client that refuses the certificate ends the handshake: nothing to forward.
                let Ok(mut tls) = acceptor.accept(tcp).await else {
                    return;
                };
                if let Ok(mut plain) = TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    (format!("https://127.0.0.1:{port}"), pem)
}

/// A tablet enrolled over plain HTTP (the enrollment call itself is covered elsewhere) whose
/// identity then names the HTTPS address, with one handout recorded under `plan`.
async fn tablet(
    central: &TestCentral,
    world: &World,
    https: &str,
    dir: &std::path::Path,
) -> Station {
    let mut station = enroll_station(
        central.store.as_ref(),
        &central.url(),
        world.unit_id,
        &dir.join("tablet.sqlite"),
        "侨联 1号平板",
    )
    .await
    .unwrap();
    let identity = station.identity().unwrap().unwrap();
    station
        .set_identity(&DeviceIdentity {
            server_url: https.to_owned(),
            ..identity
        })
        .unwrap();
    station
}

/// Asks for a sync and waits (at most a minute, so a broken loop fails instead of hanging)
/// until a sync that started after this call has finished; returns the loop's state then.
async fn next_sync(handle: &SyncHandle) -> LoopState {
    let mut watch = handle.watch();
    watch.borrow_and_update();
    handle.sync_now();
    let finished = async {
        let mut started = false;
        loop {
            watch.changed().await.unwrap();
            let state = watch.borrow_and_update().clone();
            if state.syncing {
                started = true;
            } else if started {
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
    let dir = tempfile::tempdir().unwrap();
    let central = TestCentral::start(&dir.path().join("central"))
        .await
        .unwrap();
    let world = seed(central.store.as_ref(), 1_000, 10).unwrap();
    let (https, pem) =
        tls_front(central.url().trim_start_matches("http://").parse().unwrap()).await;
    let station = tablet(&central, &world, &https, dir.path()).await;
    let device = station.identity().unwrap().unwrap().device_id;
    let plan = approved_plan(
        central.store.as_ref(),
        world.unit_id,
        &[ItemQuantity {
            item_id: world.mask,
            quantity: 50,
        }],
        &[DeviceShare {
            device_id: device,
            item_id: world.mask,
            quantity: 50,
        }],
    )
    .unwrap();
    let station = Arc::new(Mutex::new(station));
    let handle = sync_loop::spawn(station.clone(), config(Some(&pem)));

    let first = next_sync(&handle).await;
    assert_eq!(first.failures, 0, "the first sync succeeds over HTTPS");
    let handout = {
        let mut s = station.lock().unwrap();
        assert_eq!(
            s.plan(plan).unwrap().status,
            PlanStatus::Approved,
            "the pull over HTTPS brought the approved plan"
        );
        let session = s.open_session(plan, "榕城区步行街", &[]).unwrap().id;
        s.record_handout(&HandoutInput {
            session_id: session,
            item_id: world.mask,
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
    let db = rusqlite::Connection::open(central.data_dir.join("central.sqlite3")).unwrap();
    let stored: u32 = db
        .query_row(
            "SELECT quantity FROM handouts WHERE id = ?1",
            [handout.to_string()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        stored, 2,
        "the handout reached the central through the TLS front"
    );
    handle.shutdown().await;
    central.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tablet_without_the_root_says_the_certificate_is_not_trusted() {
    let dir = tempfile::tempdir().unwrap();
    let central = TestCentral::start(&dir.path().join("central"))
        .await
        .unwrap();
    let world = seed(central.store.as_ref(), 1_000, 10).unwrap();
    let (https, _) = tls_front(central.url().trim_start_matches("http://").parse().unwrap()).await;
    let station = Arc::new(Mutex::new(
        tablet(&central, &world, &https, dir.path()).await,
    ));
    let handle = sync_loop::spawn(station.clone(), config(None));

    let state = next_sync(&handle).await;
    assert!(
        !state.offline,
        "an untrusted certificate is not the normal offline"
    );
    // The loop syncs once as it starts, and again on `sync_now`: one or two failures.
    assert!(state.failures >= 1, "the sync failed");
    let error = station.lock().unwrap().sync_status().unwrap().last_error;
    let error = error.expect("the failure is recorded for the sync line");
    assert!(
        error.contains("certificate is not trusted"),
        "the sync line names the cause: {error}"
    );
    // The station UI recognizes this prefix to say it in Chinese (ui/src/lib/station/sync-line.ts).
    assert!(
        error.starts_with("secure connection to the central failed:"),
        "{error}"
    );
    handle.shutdown().await;
    central.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_damaged_root_certificate_is_named_on_the_sync_line() {
    let dir = tempfile::tempdir().unwrap();
    let central = TestCentral::start(&dir.path().join("central"))
        .await
        .unwrap();
    let world = seed(central.store.as_ref(), 1_000, 10).unwrap();
    let (https, _) = tls_front(central.url().trim_start_matches("http://").parse().unwrap()).await;
    let station = Arc::new(Mutex::new(
        tablet(&central, &world, &https, dir.path()).await,
    ));
    let handle = sync_loop::spawn(
        station.clone(),
        config(Some("秘书处发来的证书（复制时断了）")),
    );

    let state = next_sync(&handle).await;
    assert!(!state.offline);
    let error = station.lock().unwrap().sync_status().unwrap().last_error;
    let error = error.expect("the failure is recorded for the sync line");
    assert!(
        error.contains("root certificate"),
        "the sync line says the root certificate is the problem: {error}"
    );
    // The station UI recognizes this prefix (ui/src/lib/station/sync-line.ts).
    assert!(
        error.starts_with("cannot set up the connection to the central:"),
        "{error}"
    );
    handle.shutdown().await;
    central.stop().await;
}
