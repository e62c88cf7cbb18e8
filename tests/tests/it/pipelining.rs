//! Issue #4: the station pipelines its sync — a push keeps two batches in flight, a pull fetches
//! the next page while it applies the last one — and the network may deliver the second batch
//! before the first. Whatever it does, the central ends up holding every event exactly once,
//! and a push that met no lost request or answer reports exactly the events it got confirmed.
//!
//! Seeded like the fault runs: `FIELDPOST_SEED=n` replays one run, `FIELDPOST_PIPELINE_RUNS`
//! sets how many (20 by default). A failing run prints its seed.

use std::sync::{Arc, Mutex};

use fieldpost_central::plans::DeviceShare;
use fieldpost_domain::*;
use fieldpost_station::Station;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::sync_loop::{SyncConfig, pull_all, push_all, sync_once};
use fieldpost_sync::client::Client;
use fieldpost_tests::central::{
    TestCentral, World, approved_plan, enroll_station, seed as seed_world,
};
use fieldpost_tests::proxy::{FaultProxy, Faults};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Enough events for a couple of dozen batches, so that many pairs are in flight together.
const EVENTS: usize = 150;
const BATCH: usize = 6;
const PAGE: u32 = 7;

fn runs() -> Vec<u64> {
    fieldpost_tests::seeds("FIELDPOST_PIPELINE_RUNS", 20, 0x919e_0000)
}

fn each_seed(run: impl Fn(u64) -> std::pin::Pin<Box<dyn Future<Output = u64>>>) -> u64 {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut total = 0;
    for seed in runs() {
        let outcome =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| runtime.block_on(run(seed))));
        match outcome {
            Ok(n) => total += n,
            Err(panic) => {
                eprintln!(
                    "pipelining run failed with seed {seed}: rerun with FIELDPOST_SEED={seed}"
                );
                std::panic::resume_unwind(panic);
            }
        }
    }
    total
}

struct Tablet {
    station: Arc<Mutex<Station>>,
    client: Client,
    device: DeviceId,
}

async fn tablet(
    central: &TestCentral,
    world: &World,
    proxy: &FaultProxy,
    path: &std::path::Path,
) -> Tablet {
    let station = enroll_station(
        central.store.as_ref(),
        &central.url(),
        world.unit_id,
        path,
        "平板",
    )
    .await
    .unwrap();
    let identity = station.identity().unwrap().unwrap();
    Tablet {
        station: Arc::new(Mutex::new(station)),
        client: Client::new(&proxy.url(), Some(identity.token)).unwrap(),
        device: identity.device_id,
    }
}

/// Records `EVENTS` events on `t`: handouts, now and then a tally.
fn record(t: &Tablet, plan: PlanId, world: &World, rng: &mut StdRng) {
    let mut s = t.station.lock().unwrap();
    let session = s.open_session(plan, "进贤门广场", &[]).unwrap().id;
    for _ in 1..EVENTS {
        if rng.random_range(0..10) == 0 {
            s.record_tally(session, rng.random_range(1..10), rng.random_range(0..3))
                .unwrap();
        } else {
            s.record_handout(&HandoutInput {
                session_id: session,
                item_id: world.mask,
                quantity: 1,
                over_grant_reason: None,
            })
            .unwrap();
        }
    }
}

/// The central's log of `t`'s device is the device's own log, seq for seq: nothing lost,
/// nothing twice.
fn assert_exactly_once(central: &TestCentral, t: &Tablet, seed: u64) {
    let local: Vec<(u64, String)> = t
        .station
        .lock()
        .unwrap()
        .events()
        .unwrap()
        .iter()
        .map(|e| (e.seq, e.id.to_string()))
        .collect();
    let stored = fieldpost_tests::central::stored_events(&central.database, t.device);
    assert_eq!(
        stored, local,
        "seed {seed}: the central holds each event of {} exactly once",
        t.device
    );
}

async fn start(seed: u64, faults: Faults) -> (tempfile::TempDir, TestCentral, World, FaultProxy) {
    let dir = tempfile::tempdir().unwrap();
    let central = TestCentral::start(&dir.path().join("central"))
        .await
        .unwrap();
    let world = seed_world(central.store.as_ref(), 10_000, 100).unwrap();
    let proxy = FaultProxy::start(&central.url(), seed, faults)
        .await
        .unwrap();
    (dir, central, world, proxy)
}

fn plan_for(central: &TestCentral, world: &World, devices: &[DeviceId]) -> PlanId {
    let shares: Vec<DeviceShare> = devices
        .iter()
        .map(|&device_id| DeviceShare {
            device_id,
            item_id: world.mask,
            quantity: 1_000,
        })
        .collect();
    approved_plan(
        central.store.as_ref(),
        world.unit_id,
        &[ItemQuantity {
            item_id: world.mask,
            quantity: 1_000 * devices.len() as u32,
        }],
        &shares,
    )
    .unwrap()
}

/// Requests overtake each other but none is lost: one `push_all` gets everything through
/// (a batch that overtook its predecessor is refused with a gap and sent again), and the
/// count it returns is exactly what was pending. Returns the 409s the stations met.
async fn overtaking(seed: u64) -> u64 {
    let mut rng = StdRng::seed_from_u64(seed);
    let (dir, central, world, proxy) = start(seed, Faults::OVERTAKING).await;
    let a = tablet(&central, &world, &proxy, &dir.path().join("a.sqlite")).await;
    let plan = plan_for(&central, &world, &[a.device]);
    let config = SyncConfig {
        push_batch: BATCH,
        pull_limit: PAGE,
        ..SyncConfig::default()
    };
    sync_once(&a.station, &a.client, &config).await.unwrap();
    record(&a, plan, &world, &mut rng);
    let pending = a.station.lock().unwrap().outbox_status().unwrap().pending;

    let pushed = push_all(&a.station, &a.client, BATCH).await;
    assert_eq!(
        pushed.ok(),
        Some(pending),
        "seed {seed}: with nothing lost, one push gets all through and counts each event once"
    );
    let status = a.station.lock().unwrap().outbox_status().unwrap();
    assert_eq!(status.pending, 0, "seed {seed}: nothing left in the outbox");
    assert_exactly_once(&central, &a, seed);
    assert!(
        proxy.counts().most_in_flight >= 2,
        "seed {seed}: the push kept more than one batch in flight"
    );

    // A second tablet of the unit pulls the whole picture through the same network, page by
    // pipelined page.
    let b = tablet(&central, &world, &proxy, &dir.path().join("b.sqlite")).await;
    pull_all(&b.station, &b.client, PAGE).await.unwrap();
    let handed_out: u64 = a
        .station
        .lock()
        .unwrap()
        .unit_handed_out(plan)
        .unwrap()
        .iter()
        .map(|(_, q)| q)
        .sum();
    let seen: u64 = b
        .station
        .lock()
        .unwrap()
        .unit_handed_out(plan)
        .unwrap()
        .iter()
        .map(|(_, q)| q)
        .sum();
    assert_eq!(
        seen, handed_out,
        "seed {seed}: the pipelined pull stored every page"
    );
    let conflicts = proxy.counts().conflicts;
    drop(proxy);
    central.stop().await;
    conflicts
}

#[test]
fn batches_that_overtake_each_other_cost_a_resend_never_an_event() {
    let conflicts = each_seed(|seed| Box::pin(overtaking(seed)));
    if runs().len() >= 10 {
        assert!(
            conflicts > 0,
            "over many runs some batch overtook its predecessor (else this test proves little)"
        );
    }
}

/// Two tablets syncing through a network that loses, duplicates, replays and reorders: after
/// it heals, every event is on the central exactly once.
async fn rough(seed: u64) -> u64 {
    let mut rng = StdRng::seed_from_u64(seed);
    let (dir, central, world, proxy) = start(seed, Faults::NONE).await;
    let a = tablet(&central, &world, &proxy, &dir.path().join("a.sqlite")).await;
    let b = tablet(&central, &world, &proxy, &dir.path().join("b.sqlite")).await;
    let plan = plan_for(&central, &world, &[a.device, b.device]);
    let config = SyncConfig {
        push_batch: BATCH,
        pull_limit: PAGE,
        ..SyncConfig::default()
    };
    for t in [&a, &b] {
        sync_once(&t.station, &t.client, &config).await.unwrap();
        record(t, plan, &world, &mut rng);
    }
    proxy.set_faults(Faults::ROUGH_AND_OVERTAKING);
    for _ in 0..20 {
        let t = if rng.random_bool(0.5) { &a } else { &b };
        let _ = sync_once(&t.station, &t.client, &config).await;
    }
    proxy.set_faults(Faults::NONE);
    proxy.flush_held().await;
    for t in [&a, &b] {
        let report = sync_once(&t.station, &t.client, &config).await;
        assert!(
            report.is_ok(),
            "seed {seed}: a clean sync succeeds: {report:?}"
        );
        let status = t.station.lock().unwrap().outbox_status().unwrap();
        assert_eq!(status.pending, 0, "seed {seed}: nothing left in the outbox");
        assert_exactly_once(&central, t, seed);
    }
    drop(proxy);
    central.stop().await;
    0
}

#[test]
fn a_pipelined_sync_through_a_rough_network_lands_every_event_exactly_once() {
    each_seed(|seed| Box::pin(rough(seed)));
}
