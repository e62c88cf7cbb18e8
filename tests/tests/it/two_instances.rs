//! Issue 11: two central processes on one database. Tablets push to either while a third
//! tablet pulls from either, and the pulls never skip a change: a change that commits after a
//! pull passed its number would be lost to that tablet for ever, since its cursor only moves
//! forward. On PostgreSQL (`FIELDPOST_TEST_POSTGRES`) this is what the writer's advisory lock
//! guarantees (crates/central/src/storage/postgres/change_log.rs); on SQLite, the file's own
//! writer lock.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use chrono::Utc;
use fieldpost_central::plans::DeviceShare;
use fieldpost_central::testkit::{self, TestDatabase};
use fieldpost_domain::*;
use fieldpost_sync::client::Client;
use fieldpost_sync::{PullQuery, PushRequest, Record};
use fieldpost_tests::central::{approved_plan, seed};

use crate::process::start_central;

const WRITERS: usize = 4;
const BATCHES: usize = 12;
const BATCH: usize = 150;

#[test]
fn two_instances_share_one_database_and_a_pull_never_skips_a_change() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("central");
        let database = TestDatabase::open(&data).unwrap();
        let store = database.db.as_ref();
        let world = seed(store, 100_000, 0).unwrap();
        let now = Utc::now();
        let writers: Vec<_> = (0..WRITERS)
            .map(|i| testkit::enroll(store, now, world.unit_id, &format!("写 {i}")).unwrap())
            .collect();
        let reader = testkit::enroll(store, now, world.unit_id, "读").unwrap();
        let share = (BATCHES * BATCH) as u32;
        let plan = approved_plan(
            store,
            world.unit_id,
            &[ItemQuantity {
                item_id: world.mask,
                quantity: share * WRITERS as u32,
            }],
            &writers
                .iter()
                .map(|w| DeviceShare {
                    device_id: w.device_id,
                    item_id: world.mask,
                    quantity: share,
                })
                .collect::<Vec<_>>(),
        )
        .unwrap();
        let (mut first, url_a) = start_central(&data, 0);
        let (mut second, url_b) = start_central(&data, 0);
        let urls = [url_a, url_b];

        // Each writer pushes its batches to the two instances in turn, all at once.
        let mut pushers = Vec::new();
        for (w, writer) in writers.iter().enumerate() {
            let clients: Vec<Client> = urls
                .iter()
                .map(|u| Client::new(u, Some(writer.token.clone())).unwrap())
                .collect();
            let device = writer.device_id;
            let mask = world.mask;
            pushers.push(tokio::spawn(async move {
                let session = StationSession {
                    id: SessionId::new(),
                    plan_id: plan,
                    device_id: device,
                    station: format!("站 {w}"),
                    opened_at: Utc::now(),
                    closed_at: None,
                };
                let event = |seq: u64, payload: EventPayload| DeviceEvent {
                    id: EventId::new(),
                    device_id: device,
                    seq,
                    recorded_at: Utc::now(),
                    payload,
                };
                let mut seq = 1;
                let mut events = vec![event(
                    seq,
                    EventPayload::SessionOpened {
                        session: session.clone(),
                    },
                )];
                let mut pushed = Vec::new();
                for b in 0..BATCHES {
                    for _ in 0..BATCH {
                        seq += 1;
                        let handout = Handout {
                            id: HandoutId::new(),
                            session_id: session.id,
                            plan_id: plan,
                            item_id: mask,
                            quantity: 1,
                            handed_out_at: Utc::now(),
                            over_grant_reason: None,
                        };
                        pushed.push(handout.id);
                        events.push(event(seq, EventPayload::HandoutRecorded { handout }));
                    }
                    let reply = clients[(w + b) % 2]
                        .push(&PushRequest {
                            events: std::mem::take(&mut events),
                        })
                        .await
                        .unwrap();
                    assert_eq!(reply.acked_through, seq, "every event of the batch is in");
                }
                pushed
            }));
        }

        // Meanwhile a tablet pulls from the two instances in turn, its cursor only moving on.
        let done = Arc::new(AtomicBool::new(false));
        let puller = {
            let clients: Vec<Client> = urls
                .iter()
                .map(|u| Client::new(u, Some(reader.token.clone())).unwrap())
                .collect();
            let done = Arc::clone(&done);
            tokio::spawn(async move {
                let mut seen = HashSet::new();
                let mut cursor = 0;
                let mut turn = 0;
                let mut pulls = 0;
                loop {
                    let finished = done.load(Ordering::SeqCst);
                    let reply = clients[turn % 2]
                        .pull(PullQuery {
                            after: cursor,
                            limit: Some(200),
                        })
                        .await
                        .unwrap();
                    turn += 1;
                    pulls += 1;
                    assert!(reply.cursor >= cursor, "a cursor never moves back");
                    for change in &reply.changes {
                        assert!(change.server_seq > cursor, "changes come after the cursor");
                        if let Record::Handout { handout, .. } = &change.record {
                            seen.insert(handout.id);
                        }
                    }
                    cursor = reply.cursor;
                    // The last round starts after every writer finished: it must bring the rest.
                    if finished && !reply.more {
                        return (seen, pulls);
                    }
                }
            })
        };

        let mut pushed = HashSet::new();
        for p in pushers {
            pushed.extend(p.await.unwrap());
        }
        done.store(true, Ordering::SeqCst);
        let (seen, pulls) = puller.await.unwrap();
        first.kill().unwrap();
        second.kill().unwrap();
        first.wait().unwrap();
        second.wait().unwrap();

        assert_eq!(pushed.len(), WRITERS * BATCHES * BATCH);
        assert!(
            pulls > 2,
            "the tablet pulled while the writers pushed ({pulls} pulls)"
        );
        let missed: Vec<_> = pushed.difference(&seen).collect();
        assert!(
            missed.is_empty(),
            "{} of {} handouts committed behind the puller's cursor and were never pulled",
            missed.len(),
            pushed.len()
        );
        assert_eq!(
            database.int("SELECT COUNT(*) FROM handouts").unwrap(),
            pushed.len() as i64,
            "each handout stored once"
        );
    });
}
