//! Issue #4: the central SIGKILLed in the middle of applying a batch, restarted on the same
//! data, still ends up with every event exactly once.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fieldpost_central::plans::DeviceShare;
use fieldpost_central::testkit::TestDatabase;
use fieldpost_domain::*;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::sync_loop::{SyncConfig, sync_once};
use fieldpost_sync::client::Client;
use fieldpost_tests::central::{approved_plan, enroll_station, seed};

use crate::process::start_central;

#[test]
fn a_central_killed_mid_batch_loses_nothing_and_doubles_nothing() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("central");
        std::fs::create_dir_all(&data).unwrap();
        // The child central opens the same data directory, so the same database.
        let database = TestDatabase::open(&data).unwrap();
        let store = database.db.as_ref();
        let world = seed(store, 100_000, 0).unwrap();
        let (mut child, url) = start_central(&data, 0);
        let port: u16 = url.rsplit(':').next().unwrap().parse().unwrap();

        let station = enroll_station(
            store,
            &url,
            world.unit_id,
            &dir.path().join("s.sqlite"),
            "平板",
        )
        .await
        .unwrap();
        let identity = station.identity().unwrap().unwrap();
        let plan = approved_plan(
            store,
            world.unit_id,
            &[ItemQuantity {
                item_id: world.mask,
                quantity: 50_000,
            }],
            &[DeviceShare {
                device_id: identity.device_id,
                item_id: world.mask,
                quantity: 50_000,
            }],
        )
        .unwrap();
        let station = Arc::new(Mutex::new(station));
        let client = Client::new(&url, Some(identity.token)).unwrap();
        let config = SyncConfig {
            push_batch: 2_000,
            ..SyncConfig::default()
        };
        sync_once(&station, &client, &config)
            .await
            .expect("the first sync brings the plan");

        const HANDOUTS: usize = 12_000;
        {
            let mut s = station.lock().unwrap();
            let session = s.open_session(plan, "进贤门广场", &[]).unwrap().id;
            let input = HandoutInput {
                session_id: session,
                item_id: world.mask,
                quantity: 1,
                over_grant_reason: None,
            };
            for _ in 0..HANDOUTS {
                s.record_handout(&input).unwrap();
            }
        }

        // Kill the central at different moments of the push, restart it on the same data.
        let mut kills = 0;
        for delay_ms in [3u64, 11, 29, 47] {
            let pusher = {
                let (station, client, config) = (station.clone(), client.clone(), config.clone());
                tokio::spawn(async move { sync_once(&station, &client, &config).await })
            };
            tokio::time::sleep(Duration::from_millis(delay_ms)).await;
            child.kill().unwrap(); // SIGKILL: no shutdown, no flush
            child.wait().unwrap();
            kills += 1;
            let outcome = pusher.await.unwrap();
            assert!(
                outcome.is_err() || station.lock().unwrap().sync_status().unwrap().pending == 0,
                "a push cut by the kill fails, unless it had finished"
            );
            (child, _) = start_central(&data, port);
        }
        assert_eq!(kills, 4);
        sync_once(&station, &client, &config)
            .await
            .expect("after the restarts a sync completes");
        let local: Vec<(u64, String)> = station
            .lock()
            .unwrap()
            .events()
            .unwrap()
            .iter()
            .map(|e| (e.seq, e.id.to_string()))
            .collect();
        assert_eq!(
            station.lock().unwrap().sync_status().unwrap().pending,
            0,
            "the outbox is empty"
        );

        let stored = fieldpost_tests::central::stored_events(&database, identity.device_id);
        assert_eq!(
            stored.len(),
            local.len(),
            "no event lost or doubled by the kills"
        );
        assert_eq!(
            stored, local,
            "the central's log is the device's log, seq for seq"
        );
        let handed = database
            .int("SELECT CAST(COALESCE(SUM(quantity), 0) AS BIGINT) FROM handouts WHERE voided_at IS NULL")
            .unwrap();
        assert_eq!(
            handed, HANDOUTS as i64,
            "each handout applied to the records exactly once"
        );
        child.kill().unwrap();
        child.wait().unwrap();
    });
}
