//! Issue #4: many devices, random network partitions, random taps — handouts never exceed
//! any allocation, flagged exceptions aside, on the devices or on the central.

use std::sync::{Arc, Mutex};

use fieldpost_central::plans::DeviceShare;
use fieldpost_central::testkit::Direct;
use fieldpost_domain::*;
use fieldpost_station::Station;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::sync_loop::{SyncConfig, sync_once};
use fieldpost_sync::client::Client;
use fieldpost_tests::central::{TestCentral, approved_plan, enroll_station, seed};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Step {
    /// A tap of `quantity`; when the grant refuses, record it anyway with a reason if `insist`.
    Tap {
        device: usize,
        quantity: u32,
        insist: bool,
    },
    /// Undo the device's last tap.
    Undo { device: usize },
    /// Give part of the unused grant back.
    Release { device: usize, quantity: u32 },
    /// The device syncs, if its link is up.
    Sync { device: usize },
    /// The device's link goes down or up.
    Link { device: usize, up: bool },
}

fn step(devices: usize) -> impl Strategy<Value = Step> {
    let d = 0..devices;
    prop_oneof![
        6 => (d.clone(), 1..5u32, any::<bool>()).prop_map(|(device, quantity, insist)| Step::Tap { device, quantity, insist }),
        1 => d.clone().prop_map(|device| Step::Undo { device }),
        1 => (d.clone(), 1..4u32).prop_map(|(device, quantity)| Step::Release { device, quantity }),
        2 => d.clone().prop_map(|device| Step::Sync { device }),
        2 => (d, any::<bool>()).prop_map(|(device, up)| Step::Link { device, up }),
    ]
}

fn scenario() -> impl Strategy<Value = (usize, u32, Vec<u32>, Vec<Step>)> {
    (2..6usize, 10..60u32).prop_flat_map(|(devices, allocation)| {
        (
            Just(devices),
            Just(allocation),
            proptest::collection::vec(0..15u32, devices),
            proptest::collection::vec(step(devices), 10..80),
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn handouts_never_exceed_an_allocation_across_partitions((devices, allocation, wanted, steps) in scenario()) {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(check(devices, allocation, wanted, steps));
    }
}

async fn check(devices: usize, allocation: u32, wanted: Vec<u32>, steps: Vec<Step>) {
    let dir = tempfile::tempdir().unwrap();
    let central = TestCentral::start(&dir.path().join("central"))
        .await
        .unwrap();
    let world = seed(central.store.as_ref(), 10_000, 0).unwrap();
    let mut tablets: Vec<(Arc<Mutex<Station>>, Client, DeviceId)> = Vec::new();
    for i in 0..devices {
        let s = enroll_station(
            central.store.as_ref(),
            &central.url(),
            world.unit_id,
            &dir.path().join(format!("{i}.sqlite")),
            "平板",
        )
        .await
        .unwrap();
        let id = s.identity().unwrap().unwrap();
        tablets.push((
            Arc::new(Mutex::new(s)),
            Client::new(&central.url(), Some(id.token)).unwrap(),
            id.device_id,
        ));
    }
    // Shares as asked, cut so that they fit the allocation (the central refuses more).
    let mut left = allocation;
    let shares: Vec<DeviceShare> = tablets
        .iter()
        .zip(&wanted)
        .map(|((_, _, device_id), &want)| {
            let quantity = want.min(left);
            left -= quantity;
            DeviceShare {
                device_id: *device_id,
                item_id: world.mask,
                quantity,
            }
        })
        .filter(|s| s.quantity > 0)
        .collect();
    let plan = approved_plan(
        central.store.as_ref(),
        world.unit_id,
        &[ItemQuantity {
            item_id: world.mask,
            quantity: allocation,
        }],
        &shares,
    )
    .unwrap();
    let config = SyncConfig::default();
    for (s, c, _) in &tablets {
        sync_once(s, c, &config).await.unwrap();
        let mut s = s.lock().unwrap();
        s.open_session(plan, "站点", &[]).unwrap();
    }

    let mut up = vec![true; devices];
    for st in steps {
        match st {
            Step::Tap {
                device,
                quantity,
                insist,
            } => {
                let mut s = tablets[device].0.lock().unwrap();
                let session = s.open_session_id().unwrap().unwrap();
                let input = HandoutInput {
                    session_id: session,
                    item_id: world.mask,
                    quantity,
                    over_grant_reason: None,
                };
                if s.record_handout(&input).is_err() && insist {
                    s.record_handout(&HandoutInput {
                        over_grant_reason: Some("实际多出".into()),
                        ..input
                    })
                    .unwrap();
                }
            }
            Step::Undo { device } => {
                let mut s = tablets[device].0.lock().unwrap();
                let session = s.open_session_id().unwrap().unwrap();
                if let Some(h) = s.last_handout(session).unwrap() {
                    s.void_handout(h.id, "撤销").unwrap();
                }
            }
            Step::Release { device, quantity } => {
                let _ = tablets[device]
                    .0
                    .lock()
                    .unwrap()
                    .release_grant(plan, world.mask, quantity);
            }
            Step::Sync { device } if up[device] => {
                let (s, c, _) = &tablets[device];
                sync_once(s, c, &config).await.unwrap();
            }
            Step::Sync { .. } => {}
            Step::Link { device, up: link } => up[device] = link,
        }
        // On the devices, at every moment: handouts without a reason stay within the allocation.
        let plain: u64 = tablets
            .iter()
            .map(|(s, _, _)| plain_handed_out(&s.lock().unwrap(), plan))
            .sum();
        assert!(
            plain <= u64::from(allocation),
            "devices jointly handed out {plain} > {allocation} without a reason"
        );
    }
    for (s, c, _) in &tablets {
        sync_once(s, c, &config).await.unwrap();
    }
    let sums = central
        .database
        .rows(&format!(
            "SELECT CAST(COALESCE(SUM(CASE WHEN over_grant_reason IS NULL THEN quantity END), 0) AS BIGINT),
                 CAST(COALESCE(SUM(backed), 0) AS BIGINT)
             FROM handouts WHERE plan_id = '{plan}' AND voided_at IS NULL"
        ))
        .unwrap();
    let sum = |i: usize| -> i64 { sums[0][i].as_deref().unwrap().parse().unwrap() };
    let (plain, backed) = (sum(0), sum(1));
    assert!(
        plain <= i64::from(allocation),
        "the central holds {plain} plain handouts > allocation {allocation}"
    );
    assert!(
        backed <= i64::from(allocation),
        "the grant-backed part never exceeds the allocation"
    );
    let view = central.store.plan(plan).unwrap();
    let granted: i64 = view.grants.iter().map(|g| i64::from(g.quantity)).sum();
    assert!(
        granted <= i64::from(allocation),
        "grants stay within the allocation"
    );
    central.stop().await;
}

/// A device's handouts recorded without a reason, voids deducted.
fn plain_handed_out(s: &Station, plan: PlanId) -> u64 {
    s.events()
        .unwrap()
        .iter()
        .fold(std::collections::HashMap::new(), |mut live, e| {
            match &e.payload {
                EventPayload::HandoutRecorded { handout }
                    if handout.plan_id == plan && handout.over_grant_reason.is_none() =>
                {
                    live.insert(handout.id, u64::from(handout.quantity));
                }
                EventPayload::HandoutVoided { void } => {
                    live.remove(&void.handout_id);
                }
                _ => {}
            }
            live
        })
        .values()
        .sum()
}
