//! `cargo xtask bench station`: the cost of a confirmed handout against the disk's own durable
//! commit.
//!
//! 20,000 handouts, one transaction each, through the public use case on a file database,
//! alternating one for one with bare single-row inserts on a second file with the same
//! durability settings (WAL, synchronous=FULL), so that both see the same machine noise on a
//! shared machine. Prints `name=value` lines.

use std::time::Instant;

use fieldpost_station::handouts::HandoutInput;

const HANDOUTS: usize = 20_000;

fn percentile(sorted: &[u128], p: f64) -> u128 {
    let rank = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

fn main() -> anyhow::Result<()> {
    let dir = fieldpost_tests::bench_dir()?;

    let (mut station, seeded) =
        fieldpost_tests::enrolled_station(&dir.path().join("station.sqlite"), u32::MAX)?;
    let session = station.open_session(seeded.plan.id, "基准测试站", &[])?;
    let input = HandoutInput {
        session_id: session.id,
        item_id: seeded.mask.id,
        quantity: 1,
        over_grant_reason: None,
    };

    let bare = rusqlite::Connection::open(dir.path().join("bare.sqlite"))?;
    bare.pragma_update(None, "journal_mode", "WAL")?;
    bare.pragma_update(None, "synchronous", "FULL")?;
    bare.pragma_update(None, "foreign_keys", "ON")?;
    bare.execute_batch(
        "CREATE TABLE handout (id TEXT PRIMARY KEY, session_id TEXT NOT NULL, item_id TEXT NOT NULL,
            quantity INTEGER NOT NULL, handed_out_at TEXT NOT NULL)",
    )?;
    let row = (session.id.to_string(), seeded.mask.id.to_string());

    let mut handout_us = Vec::with_capacity(HANDOUTS);
    let mut bare_us = Vec::with_capacity(HANDOUTS);
    let mut insert = bare.prepare(
        "INSERT INTO handout (id, session_id, item_id, quantity, handed_out_at)
         VALUES (?1, ?2, ?3, 1, ?4)",
    )?;
    for _ in 0..HANDOUTS {
        let t = Instant::now();
        station.record_handout(&input)?;
        handout_us.push(t.elapsed().as_micros());

        let t = Instant::now();
        let id = fieldpost_domain::HandoutId::new().to_string();
        let at = chrono::Utc::now().to_rfc3339();
        bare.execute_batch("BEGIN")?;
        insert.execute(rusqlite::params![id, row.0, row.1, at])?;
        bare.execute_batch("COMMIT")?;
        bare_us.push(t.elapsed().as_micros());
    }
    drop(insert);
    let stored = station.outbox_status()?.last_seq;
    anyhow::ensure!(
        stored as usize >= HANDOUTS,
        "the bench must have recorded every handout ({stored} events)"
    );

    handout_us.sort_unstable();
    bare_us.sort_unstable();
    let (h50, h99) = (percentile(&handout_us, 0.50), percentile(&handout_us, 0.99));
    let (b50, b99) = (percentile(&bare_us, 0.50), percentile(&bare_us, 0.99));
    println!("handouts={HANDOUTS}");
    println!("handout_commit_p50_us={h50}");
    println!("handout_commit_p99_us={h99}");
    println!("sqlite_durable_commit_p50_us={b50}");
    println!(
        "handout_vs_sqlite_p50={:.2}",
        h50 as f64 / b50.max(1) as f64
    );
    println!("sqlite_durable_commit_p99_us={b99}");
    println!(
        "handout_vs_sqlite_p99={:.2}",
        h99 as f64 / b99.max(1) as f64
    );
    println!("target_handout_vs_sqlite_p99=1.5");
    Ok(())
}
