//! Opening the store: connection settings and the embedded migrations.

use std::path::Path;

use rusqlite::{Connection, OpenFlags};

use crate::Result;
use crate::device_key::DeviceKey;

/// The station's migrations, in order, embedded at build time. Migrations only add; a shipped
/// one is never edited.
pub(crate) const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_init.sql",
        include_str!("../../../migrations/station/0001_init.sql"),
    ),
    (
        2,
        "0002_sync.sql",
        include_str!("../../../migrations/station/0002_sync.sql"),
    ),
    (
        3,
        "0003_top_up_answers.sql",
        include_str!("../../../migrations/station/0003_top_up_answers.sql"),
    ),
    (
        4,
        "0004_sealed_numbers.sql",
        include_str!("../../../migrations/station/0004_sealed_numbers.sql"),
    ),
    (
        5,
        "0005_unit_progress.sql",
        include_str!("../../../migrations/station/0005_unit_progress.sql"),
    ),
    (
        6,
        "0006_previous_token.sql",
        include_str!("../../../migrations/station/0006_previous_token.sql"),
    ),
    (
        7,
        "0007_handout_order.sql",
        include_str!("../../../migrations/station/0007_handout_order.sql"),
    ),
    (
        8,
        "0008_clock_offset.sql",
        include_str!("../../../migrations/station/0008_clock_offset.sql"),
    ),
];

/// Opens (creating if needed) the store at `path` and brings its schema up to date; `key`
/// encrypts what a migration finds in clear (see `migrate.rs`).
pub(crate) fn open(path: &Path, key: &DeviceKey) -> Result<Connection> {
    let conn = connect(path)?;
    if migrate(&conn, key)? {
        scrub_free_space(&conn)?;
    }
    Ok(conn)
}

/// Rewrites the whole file and empties the WAL, after a migration replaced text that must not
/// survive anywhere in them (issue 12: old rows with full numbers and the plain token). With
/// `secure_delete` the freed cells are zeroed already; `VACUUM` also drops the free pages
/// and the WAL frames that held the old pages go with the truncating checkpoint.
fn scrub_free_space(conn: &Connection) -> Result<()> {
    conn.execute_batch("VACUUM")?;
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    Ok(())
}

fn connect(path: &Path) -> Result<Connection> {
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    configure(&conn)?;
    Ok(conn)
}

/// Every connection: WAL, foreign keys, a busy timeout, and `synchronous=FULL`, so that a
/// commit is on disk before the UI confirms it (see docs/decisions/2026-11-28-station-durability.md).
pub(crate) fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // Deleted and overwritten content is zeroed, not left in free space: a scrubbed sealed
    // number or a replaced row leaves nothing behind for a copy of the file to show.
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(())
}

/// Applies the migrations not applied yet, each with its Rust step in one transaction;
/// true when a step rewrote rows that held text in clear.
fn migrate(conn: &Connection, key: &DeviceKey) -> Result<bool> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version     INTEGER PRIMARY KEY,
            name        TEXT NOT NULL,
            applied_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )",
    )?;
    let applied: i64 = conn.query_row(
        "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
        [],
        |r| r.get(0),
    )?;
    let mut rewrote = false;
    for &(version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > applied) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(sql)?;
        if version == 4 {
            rewrote |= crate::migrate::seal_what_0003_kept_in_clear(&tx, key)?;
        }
        tx.execute(
            "INSERT INTO schema_migrations (version, name) VALUES (?1, ?2)",
            rusqlite::params![version, name],
        )?;
        tx.commit()?;
    }
    Ok(rewrote)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A migration file added to the folder but not to MIGRATIONS would silently never run.
    #[test]
    fn every_migration_file_is_embedded_in_order() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/station");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<&str> = MIGRATIONS.iter().map(|m| m.1).collect();
        assert_eq!(
            files, embedded,
            "migrations/station and MIGRATIONS must list the same files"
        );
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.0, i as i64 + 1, "versions are 1, 2, 3 … in order");
        }
    }

    #[test]
    fn reopening_applies_nothing_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.sqlite");
        let key = DeviceKey::load_or_create(&dir.path().join("keys/device.key")).unwrap();
        drop(open(&path, &key).unwrap());
        let conn = open(&path, &key).unwrap();
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, MIGRATIONS.len() as i64, "each migration recorded once");
        let sync: String = conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, "wal", "the store runs in WAL mode");
        let level: i64 = conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(
            level, 2,
            "synchronous=FULL (2): a commit is durable before it returns"
        );
    }
}
