//! A quick timing of the central's sync path, for development (not a benchmark of record:
//! that is `cargo xtask bench sync`). Pushes N handout events of one device through the real
//! HTTP client and server on loopback in batches of 2,000, pulls them into a second device in
//! pages of 5,000, times a no-op pull, and compares with a bare batched SQLite insert of the
//! same event rows on the same disk. On PostgreSQL with `FIELDPOST_TEST_POSTGRES` set.
//!
//! `cargo run --release -p fieldpost-server --features testkit --example sync_timing [N] [DIR]`
#![allow(clippy::print_stdout, clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use std::time::Instant;

use chrono::Utc;
use fieldpost_central::testkit::{self, Backend, TestDatabase};
use fieldpost_domain::{
    DeviceEvent, EventId, EventPayload, Handout, HandoutId, SessionId, StationSession,
};
use fieldpost_server::{AppState, service};
use fieldpost_sync::client::Client;
use fieldpost_sync::{PullQuery, PushRequest};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(100_000);
    let base = args.next().unwrap_or_else(|| "target/sync-timing".into());
    std::fs::create_dir_all(&base)?;
    let dir = tempfile::tempdir_in(&base)?;
    // SQLite, or PostgreSQL when FIELDPOST_TEST_POSTGRES names a cluster.
    let database = TestDatabase::open(&dir.path().join("central"))?;
    let store = Arc::clone(&database.db);
    let now = Utc::now();
    let f = testkit::unit_with_plan(store.as_ref(), now, "单位甲", 2, 150_000)
        .map_err(|e| anyhow::anyhow!(e))?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}", listener.local_addr()?);
    let state = AppState::new(store.clone(), Arc::clone(&database.lottery_key));
    tokio::spawn(async move { axum::serve(listener, service(state)).await });

    let a = &f.devices[0];
    let session = StationSession {
        id: SessionId::new(),
        plan_id: f.plan_id,
        device_id: a.device_id,
        station: "基准测试站".into(),
        opened_at: now,
        closed_at: None,
    };
    let mut events: Vec<DeviceEvent> = Vec::with_capacity(n as usize);
    for seq in 1..=n {
        let payload = if seq == 1 {
            EventPayload::SessionOpened {
                session: session.clone(),
            }
        } else {
            EventPayload::HandoutRecorded {
                handout: Handout {
                    id: HandoutId::new(),
                    session_id: session.id,
                    plan_id: f.plan_id,
                    item_id: f.item_id,
                    quantity: 1,
                    handed_out_at: Utc::now(),
                    over_grant_reason: None,
                },
            }
        };
        events.push(DeviceEvent {
            id: EventId::new(),
            device_id: a.device_id,
            seq,
            recorded_at: Utc::now(),
            payload,
        });
    }
    let bodies: Vec<String> = events
        .iter()
        .map(|e| serde_json::to_string(e).unwrap())
        .collect();
    let bytes = bodies.iter().map(String::len).sum::<usize>() / bodies.len().max(1);

    if std::env::var_os("DIRECT").is_some() {
        // The store alone, without HTTP and JSON: how much of a push is the database.
        let batches: Vec<Vec<_>> = events
            .chunks(2_000)
            .zip(bodies.chunks(2_000))
            .map(|(chunk, bodies)| {
                chunk
                    .iter()
                    .zip(bodies)
                    .map(|(e, b)| fieldpost_central::push::PushedEvent::new(e.clone(), b.clone()))
                    .collect()
            })
            .collect();
        let t = Instant::now();
        let cpu0 = thread_cpu_s();
        for pushed in &batches {
            fieldpost_central::push::push(
                &*store,
                &database.lottery_key,
                Utc::now(),
                a.device_id,
                pushed,
            )?;
        }
        let s = t.elapsed().as_secs_f64();
        println!(
            "direct_store_cpu_us_per_event={:.2}",
            (thread_cpu_s() - cpu0) * 1e6 / n as f64
        );
        println!("direct_store_push_rows_per_s={:.0}", n as f64 / s);
        println!("direct_wall_us_per_event={:.2}", s * 1e6 / n as f64);
        if let Backend::Sqlite(path) = &database.backend {
            let size = std::fs::metadata(path)?.len();
            println!("db_bytes_per_event={}", size / n);
        }
        return Ok(());
    }
    let client_a = Client::new(&url, Some(a.token.clone()))?;
    let t = Instant::now();
    for chunk in events.chunks(2_000) {
        let r = client_a
            .push(&PushRequest {
                events: chunk.to_vec(),
            })
            .await?;
        assert_eq!(r.acked_through, chunk.last().unwrap().seq);
    }
    let push_s = t.elapsed().as_secs_f64();

    let client_b = Client::new(&url, Some(f.devices[1].token.clone()))?;
    let (mut cursor, mut pulled) = (0, 0usize);
    let t = Instant::now();
    loop {
        let page = client_b
            .pull(PullQuery {
                after: cursor,
                limit: Some(5_000),
            })
            .await?;
        pulled += page.changes.len();
        cursor = page.cursor;
        if !page.more {
            break;
        }
    }
    let pull_s = t.elapsed().as_secs_f64();
    let mut noop = Vec::new();
    for _ in 0..25 {
        let t = Instant::now();
        let page = client_b
            .pull(PullQuery {
                after: cursor,
                limit: Some(5_000),
            })
            .await?;
        assert!(page.changes.is_empty());
        noop.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    noop.sort_by(f64::total_cmp);

    let bare = rusqlite::Connection::open(dir.path().join("bare.sqlite"))?;
    bare.pragma_update(None, "journal_mode", "WAL")?;
    bare.pragma_update(None, "synchronous", "FULL")?;
    bare.execute_batch("CREATE TABLE event (id TEXT PRIMARY KEY, body TEXT NOT NULL)")?;
    let t = Instant::now();
    for chunk in bodies.chunks(2_000) {
        let tx = bare.unchecked_transaction()?;
        {
            let mut stmt = tx.prepare_cached("INSERT INTO event (id, body) VALUES (?1, ?2)")?;
            for body in chunk {
                stmt.execute(rusqlite::params![EventId::new().to_string(), body])?;
            }
        }
        tx.commit()?;
    }
    let bare_s = t.elapsed().as_secs_f64();
    let rate = |s: f64| n as f64 / s;
    println!("events={n} event_bytes={bytes} pulled={pulled}");
    println!("push_rows_per_s={:.0}", rate(push_s));
    println!("pull_rows_per_s={:.0}", rate(pull_s));
    println!("noop_pull_ms={:.2}", noop[noop.len() / 2]);
    println!("sqlite_insert_rows_per_s={:.0}", rate(bare_s));
    println!("push_vs_sqlite={:.2}", bare_s / push_s);
    println!("pull_vs_sqlite={:.2}", bare_s / pull_s);
    Ok(())
}

/// This thread's CPU time (user + system), from /proc: the store's work without the waits.
fn thread_cpu_s() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|f| f.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // utime and stime are fields 14 and 15 of stat(5), 12 and 13 after the command name.
    (ticks(11) + ticks(12)) / 100.0
}
