//! The sync loop against a stand-in central on loopback: a committed write is synced soon,
//! without waiting for the timer (issue #10). The debounce itself is tested on tokio's paused
//! clock beside the loop (`sync_loop::tests`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::identity::DeviceIdentity;
use fieldpost_station::sync_loop::{self, SyncConfig};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::support::*;

/// A central that stores nothing but the seqs pushed to it, and has nothing to pull.
struct StandIn {
    url: String,
    /// The seqs of each push request, in arrival order.
    pushes: Arc<Mutex<Vec<Vec<u64>>>>,
    /// The highest seq acknowledged so far.
    acked: watch::Receiver<u64>,
}

impl StandIn {
    async fn start() -> StandIn {
        StandIn::answering(None).await
    }

    /// A stand-in whose every push answer is `push_answer`, when given: a central gone wrong.
    async fn answering(push_answer: Option<serde_json::Value>) -> StandIn {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let pushes = Arc::new(Mutex::new(Vec::new()));
        let (acked_tx, acked) = watch::channel(0);
        let acked_tx = Arc::new(acked_tx);
        let log = pushes.clone();
        tokio::spawn(async move {
            loop {
                let (socket, _) = listener.accept().await.unwrap();
                let (log, acked_tx) = (log.clone(), acked_tx.clone());
                let push_answer = push_answer.clone();
                tokio::spawn(async move {
                    let mut socket = BufReader::new(socket);
                    let mut request_line = String::new();
                    socket.read_line(&mut request_line).await.unwrap();
                    let mut length = 0;
                    loop {
                        let mut header = String::new();
                        socket.read_line(&mut header).await.unwrap();
                        if header.trim().is_empty() {
                            break;
                        }
                        if let Some((name, value)) = header.split_once(':')
                            && name.eq_ignore_ascii_case("content-length")
                        {
                            length = value.trim().parse().unwrap();
                        }
                    }
                    let mut body = vec![0; length];
                    socket.read_exact(&mut body).await.unwrap();
                    let answer = if request_line.starts_with("POST /api/v1/sync/push") {
                        let request: serde_json::Value = serde_json::from_slice(&body).unwrap();
                        let seqs: Vec<u64> = request["events"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|e| e["seq"].as_u64().unwrap())
                            .collect();
                        let through = seqs.iter().copied().max().unwrap_or(0);
                        log.lock().unwrap().push(seqs);
                        acked_tx.send_modify(|a| *a = (*a).max(through));
                        push_answer.unwrap_or_else(|| {
                            serde_json::json!({ "acked_through": *acked_tx.borrow(), "quarantined": [] })
                        })
                    } else {
                        serde_json::json!({ "changes": [], "cursor": 0, "more": false })
                    };
                    let answer = answer.to_string();
                    let response = format!(
                        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                        answer.len()
                    );
                    socket
                        .get_mut()
                        .write_all(response.as_bytes())
                        .await
                        .unwrap();
                });
            }
        });
        StandIn { url, pushes, acked }
    }

    /// Waits until the central has acknowledged `seq`. The deadline only keeps a broken loop
    /// from hanging the test run; with the timer a day away, only the write's cue can sync.
    async fn acknowledged(&mut self, seq: u64) {
        tokio::time::timeout(Duration::from_secs(60), self.acked.wait_for(|a| *a >= seq))
            .await
            .unwrap_or_else(|_| panic!("seq {seq} never reached the central"))
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_committed_write_is_synced_soon_without_waiting_for_the_timer() {
    let mut central = StandIn::start().await;
    let mut fx = fixture();
    let session = fx.open_session();
    fx.station
        .set_identity(&DeviceIdentity {
            device_id: fx.device_id,
            unit_id: fx.unit_id,
            server_url: central.url.clone(),
            token: "test-token".into(),
        })
        .unwrap();
    let opened = fx.station.outbox_status().unwrap().last_seq;
    let mask = fx.mask.id;
    let station = Arc::new(Mutex::new(fx.station));
    let day = Duration::from_secs(86_400);
    let handle = sync_loop::spawn(
        station.clone(),
        SyncConfig {
            interval: day,
            backoff_base: day,
            write_debounce: Duration::from_millis(50),
            ..SyncConfig::default()
        },
    );

    // The loop syncs once as it starts: the session's opening goes up.
    central.acknowledged(opened).await;
    let handout = {
        let mut station = station.lock().unwrap();
        station
            .record_handout(&HandoutInput {
                session_id: session,
                item_id: mask,
                quantity: 1,
                over_grant_reason: None,
            })
            .unwrap();
        station.outbox_status().unwrap().last_seq
    };
    central.acknowledged(handout).await;
    handle.shutdown().await;

    assert_eq!(
        *central.pushes.lock().unwrap(),
        vec![(1..=opened).collect::<Vec<_>>(), vec![handout]],
        "the start-up sync, then one sync for the write, long before the day-long timer"
    );
    assert_eq!(
        station.lock().unwrap().outbox_status().unwrap().pending,
        0,
        "the station recorded the central's acknowledgement"
    );
}

/// Issue 14: a tablet must not panic on a bad answer of the central either. One that
/// acknowledges the largest seq there is, while more batches are in flight and one is read
/// ahead, made the push loop compute `seq + 1` past `u64::MAX`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_central_acknowledging_beyond_the_outbox_fails_the_push_without_a_panic() {
    let central = StandIn::answering(Some(
        serde_json::json!({ "acked_through": u64::MAX, "quarantined": [] }),
    ))
    .await;
    let mut fx = fixture();
    let session = fx.open_session();
    for _ in 0..5 {
        fx.station
            .record_handout(&HandoutInput {
                session_id: session,
                item_id: fx.mask.id,
                quantity: 1,
                over_grant_reason: None,
            })
            .unwrap();
    }
    let before = fx.station.outbox_status().unwrap();
    assert!(
        before.last_seq > 2 * sync_loop::PUSH_DEPTH as u64,
        "enough events for batches in flight and one read ahead"
    );
    let client =
        fieldpost_sync::client::Client::new(&central.url, Some("test-token".into())).unwrap();
    let station = Arc::new(Mutex::new(fx.station));
    let pushed = tokio::spawn({
        let station = station.clone();
        async move { sync_loop::push_all(&station, &client, 1).await }
    })
    .await
    .expect("the push loop must not panic on the central's answer");
    assert!(
        pushed.is_err(),
        "an acknowledgement beyond the device's last event is refused: {pushed:?}"
    );
    let after = station.lock().unwrap().outbox_status().unwrap();
    assert_eq!(
        after.acked_through, before.acked_through,
        "nothing is trimmed on the word of a central gone wrong"
    );
}
