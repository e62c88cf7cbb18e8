//! `cargo xtask bench sync [--scale]`: the sync's speed through the real client, server and
//! stores over loopback, against a bare SQLite baseline measured in the same run.
//!
//! Default: the reference workload of `shared/bench/pouchdb/README.md` — 100,000 handout
//! events recorded on device A, pushed, pulled into a fresh device B of the same unit, then a
//! sync with nothing new. Prints `push_rows_per_s`, `pull_rows_per_s`, `noop_sync_ms` and
//! `sqlite_insert_rows_per_s` (a bare batched insert of the same event rows on the same disk).
//! On PostgreSQL (`cargo xtask bench sync --backend postgres`, which sets
//! `FIELDPOST_TEST_POSTGRES` to a throwaway cluster) the baseline is `pg_insert_rows_per_s`:
//! a bare set-based insert of the same rows into one table of the same cluster.
//!
//! `--scale`: one new event's push and pull with 1,000,000 events already on the central
//! against the same with 1,000: `small_central_ms`, `large_central_ms`, `scale_ratio`.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::Utc;
use fieldpost_central::plans::DeviceShare;
use fieldpost_central::testkit::Backend;
use fieldpost_domain::*;
use fieldpost_station::Station;
use fieldpost_station::handouts::HandoutInput;
use fieldpost_station::sync_loop::{
    PULL_LIMIT, PUSH_BATCH, SyncConfig, pull_all, push_all, sync_once,
};
use fieldpost_sync::PushRequest;
use fieldpost_sync::client::Client;
use fieldpost_tests::central::{TestCentral, World, approved_plan, enroll_station, seed};

struct Tablet {
    station: Arc<Mutex<Station>>,
    client: Client,
    device_id: DeviceId,
}

async fn tablet(central: &TestCentral, world: &World, path: &Path) -> anyhow::Result<Tablet> {
    let station = enroll_station(
        central.store.as_ref(),
        &central.url(),
        world.unit_id,
        path,
        "平板",
    )
    .await?;
    let identity = station
        .identity()?
        .ok_or_else(|| anyhow::anyhow!("not enrolled"))?;
    Ok(Tablet {
        station: Arc::new(Mutex::new(station)),
        client: Client::new(&central.url(), Some(identity.token))?,
        device_id: identity.device_id,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let scale = std::env::args().any(|a| a == "--scale");
    if scale {
        scale_bench().await
    } else {
        reference_bench().await
    }
}

async fn reference_bench() -> anyhow::Result<()> {
    const N: usize = 100_000;
    let dir = fieldpost_tests::bench_dir()?;
    let central = TestCentral::start(&dir.path().join("central")).await?;
    let world = seed(central.store.as_ref(), 200_000, 0)?;
    let a = tablet(&central, &world, &dir.path().join("a.sqlite")).await?;
    let plan = approved_plan(
        central.store.as_ref(),
        world.unit_id,
        &[ItemQuantity {
            item_id: world.mask,
            quantity: 150_000,
        }],
        &[DeviceShare {
            device_id: a.device_id,
            item_id: world.mask,
            quantity: 150_000,
        }],
    )?;
    let config = SyncConfig::default();
    sync_once(&a.station, &a.client, &config).await?;

    eprintln!("bench sync: recording {N} handouts on device A …");
    {
        let mut s = a.station.lock().map_err(|_| anyhow::anyhow!("lock"))?;
        let session = s.open_session(plan, "基准测试站", &[])?.id;
        let input = HandoutInput {
            session_id: session,
            item_id: world.mask,
            quantity: 1,
            over_grant_reason: None,
        };
        for _ in 0..N {
            s.record_handout(&input)?;
        }
    }
    let pending = a
        .station
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .outbox_status()?
        .pending;
    let sample = a
        .station
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .pending_events(PUSH_BATCH)?;
    let rows: Vec<(String, String)> = sample
        .iter()
        .map(|e| Ok((e.id.to_string(), serde_json::to_string(e)?)))
        .collect::<anyhow::Result<_>>()?;
    let event_bytes = rows.iter().map(|r| r.1.len()).sum::<usize>() / rows.len().max(1);

    let t = Instant::now();
    let pushed = push_all(&a.station, &a.client, PUSH_BATCH).await?;
    let push_s = t.elapsed().as_secs_f64();
    anyhow::ensure!(pushed == pending, "pushed {pushed} of {pending}");

    let b = tablet(&central, &world, &dir.path().join("b.sqlite")).await?;
    let t = Instant::now();
    pull_all(&b.station, &b.client, PULL_LIMIT).await?;
    let pull_s = t.elapsed().as_secs_f64();
    let relayed = b
        .station
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .relayed_handouts()?;
    anyhow::ensure!(
        relayed as usize == N,
        "device B holds {relayed} of the {N} handouts"
    );

    let mut noop = Vec::new();
    for _ in 0..25 {
        let t = Instant::now();
        let report = sync_once(&b.station, &b.client, &config).await?;
        noop.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(
            report.pushed == 0 && report.pulled == 0,
            "a no-op sync moved data: {report:?}"
        );
    }

    let push_rate = N as f64 / push_s;
    let pull_rate = N as f64 / pull_s;
    println!("events={N}");
    println!("event_bytes={event_bytes}");
    println!("push_rows_per_s={push_rate:.0}");
    println!("pull_rows_per_s={pull_rate:.0}");
    println!("noop_sync_ms={:.2}", median(noop));
    let bodies: Vec<String> = rows.into_iter().map(|r| r.1).collect();
    // (backend, the baseline's name in the printed lines, its rate)
    let (backend, name, bare_rate) = match &central.database.backend {
        Backend::Sqlite(_) => (
            "sqlite",
            "sqlite",
            bare_sqlite(&dir.path().join("bare.sqlite"), &bodies, N)?,
        ),
        Backend::Postgres(url) => {
            let url = url.clone();
            let rate =
                tokio::task::spawn_blocking(move || bare_postgres(&url, &bodies, N)).await??;
            ("postgres", "pg", rate)
        }
    };
    println!("backend={backend}");
    println!("{name}_insert_rows_per_s={bare_rate:.0}");
    println!("push_vs_{name}={:.2}", push_rate / bare_rate);
    println!("pull_vs_{name}={:.2}", pull_rate / bare_rate);
    println!("target_vs_{name}=0.5");
    println!("target_noop_sync_ms=5");
    central.stop().await;
    Ok(())
}

/// Baseline on SQLite: the same event rows, batched the same way, into a bare table on the
/// same disk with the same durability settings; rows per second.
fn bare_sqlite(path: &Path, bodies: &[String], n: usize) -> anyhow::Result<f64> {
    let bare = rusqlite::Connection::open(path)?;
    bare.pragma_update(None, "journal_mode", "WAL")?;
    bare.pragma_update(None, "synchronous", "FULL")?;
    bare.execute_batch("CREATE TABLE event (id TEXT PRIMARY KEY, body TEXT NOT NULL)")?;
    let t = Instant::now();
    let mut inserted = 0;
    while inserted < n {
        let tx = bare.unchecked_transaction()?;
        {
            let mut stmt = tx.prepare_cached("INSERT INTO event (id, body) VALUES (?1, ?2)")?;
            for body in bodies.iter().take((n - inserted).min(bodies.len())) {
                stmt.execute(rusqlite::params![EventId::new().to_string(), body])?;
                inserted += 1;
            }
        }
        tx.commit()?;
    }
    Ok(n as f64 / t.elapsed().as_secs_f64())
}

/// Baseline on PostgreSQL: the same event rows, a push batch at a time, each batch one
/// set-based `INSERT … SELECT FROM unnest(…)` in its own committed transaction, into a bare
/// table of the central's own database (same cluster, same settings); rows per second.
fn bare_postgres(url: &str, bodies: &[String], n: usize) -> anyhow::Result<f64> {
    let mut client = postgres::Client::connect(url, postgres::NoTls)?;
    client.batch_execute("CREATE TABLE bare_event (id text PRIMARY KEY, body text NOT NULL)")?;
    let insert = client.prepare(
        "INSERT INTO bare_event (id, body) SELECT * FROM unnest($1::text[], $2::text[])",
    )?;
    let t = Instant::now();
    let mut inserted = 0;
    while inserted < n {
        let take = (n - inserted).min(bodies.len());
        let ids: Vec<String> = (0..take).map(|_| EventId::new().to_string()).collect();
        let batch = &bodies[..take];
        let mut tx = client.transaction()?;
        tx.execute(&insert, &[&ids, &batch])?;
        tx.commit()?;
        inserted += take;
    }
    Ok(n as f64 / t.elapsed().as_secs_f64())
}

/// Fills the central with `n` handout events of a filler device of the unit, through the real
/// push endpoint (synthetic events: building a million on a station would time its disk, not
/// the central).
async fn fill(central: &TestCentral, world: &World, dir: &Path, n: usize) -> anyhow::Result<()> {
    let filler = tablet(central, world, &dir.join("filler.sqlite")).await?;
    let plan = approved_plan(
        central.store.as_ref(),
        world.unit_id,
        &[ItemQuantity {
            item_id: world.mask,
            quantity: 10,
        }],
        &[DeviceShare {
            device_id: filler.device_id,
            item_id: world.mask,
            quantity: 10,
        }],
    )?;
    let now = Utc::now();
    let session = StationSession {
        id: SessionId::new(),
        plan_id: plan,
        device_id: filler.device_id,
        station: "填充".into(),
        opened_at: now,
        closed_at: None,
    };
    let event = |seq: u64, payload: EventPayload| DeviceEvent {
        id: EventId::new(),
        device_id: filler.device_id,
        seq,
        recorded_at: now,
        payload,
    };
    let mut seq = 1;
    let mut batch = vec![event(
        seq,
        EventPayload::SessionOpened {
            session: session.clone(),
        },
    )];
    while (seq as usize) < n {
        seq += 1;
        batch.push(event(
            seq,
            EventPayload::HandoutRecorded {
                handout: Handout {
                    id: HandoutId::new(),
                    session_id: session.id,
                    plan_id: plan,
                    item_id: world.mask,
                    quantity: 1,
                    handed_out_at: now,
                    over_grant_reason: Some("基准填充".into()),
                },
            },
        ));
        if batch.len() == 5_000 || seq as usize == n {
            filler
                .client
                .push(&PushRequest {
                    events: std::mem::take(&mut batch),
                })
                .await?;
        }
    }
    if !batch.is_empty() {
        filler.client.push(&PushRequest { events: batch }).await?;
    }
    Ok(())
}

/// One new event recorded on A, pushed, and pulled by B: the ms it takes, median of runs.
async fn one_event_ms(events_on_central: usize) -> anyhow::Result<f64> {
    let dir = fieldpost_tests::bench_dir()?;
    let central = TestCentral::start(&dir.path().join("central")).await?;
    let world = seed(central.store.as_ref(), 10_000, 0)?;
    eprintln!("bench sync --scale: filling a central with {events_on_central} events …");
    fill(&central, &world, dir.path(), events_on_central).await?;
    let a = tablet(&central, &world, &dir.path().join("a.sqlite")).await?;
    let b = tablet(&central, &world, &dir.path().join("b.sqlite")).await?;
    let plan = approved_plan(
        central.store.as_ref(),
        world.unit_id,
        &[ItemQuantity {
            item_id: world.mask,
            quantity: 1_000,
        }],
        &[DeviceShare {
            device_id: a.device_id,
            item_id: world.mask,
            quantity: 1_000,
        }],
    )?;
    let config = SyncConfig::default();
    sync_once(&a.station, &a.client, &config).await?;
    sync_once(&b.station, &b.client, &config).await?;
    let session = a
        .station
        .lock()
        .map_err(|_| anyhow::anyhow!("lock"))?
        .open_session(plan, "站", &[])?
        .id;
    sync_once(&a.station, &a.client, &config).await?;
    sync_once(&b.station, &b.client, &config).await?;
    let mut runs = Vec::new();
    for _ in 0..31 {
        a.station
            .lock()
            .map_err(|_| anyhow::anyhow!("lock"))?
            .record_handout(&HandoutInput {
                session_id: session,
                item_id: world.mask,
                quantity: 1,
                over_grant_reason: None,
            })?;
        let t = Instant::now();
        let pushed = sync_once(&a.station, &a.client, &config).await?;
        let pulled = sync_once(&b.station, &b.client, &config).await?;
        runs.push(t.elapsed().as_secs_f64() * 1000.0);
        anyhow::ensure!(
            pushed.pushed == 1 && pulled.pulled >= 1,
            "one event each way: {pushed:?} {pulled:?}"
        );
    }
    central.stop().await;
    Ok(median(runs))
}

async fn scale_bench() -> anyhow::Result<()> {
    let small = one_event_ms(1_000).await?;
    let large = one_event_ms(1_000_000).await?;
    println!("small_central_events=1000");
    println!("large_central_events=1000000");
    println!("small_central_ms={small:.2}");
    println!("large_central_ms={large:.2}");
    println!("scale_ratio={:.2}", large / small);
    println!("target_scale_ratio=1.5");
    Ok(())
}
