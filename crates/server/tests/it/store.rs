//! Migrations and the SQLite connection settings.

use std::collections::BTreeSet;

use fieldpost_server::store::sqlite::{SqliteStore, migrate};

#[test]
fn every_migration_file_is_embedded_in_order() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../migrations/central");
    let files: BTreeSet<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".sql"))
        .collect();
    let embedded: BTreeSet<String> = migrate::MIGRATIONS
        .iter()
        .map(|(_, name, _)| (*name).to_owned())
        .collect();
    assert_eq!(
        files, embedded,
        "a migration file that is not embedded would never run"
    );
    for (k, (version, name, _)) in (1i64..).zip(migrate::MIGRATIONS) {
        assert_eq!(*version, k, "versions are 1, 2, 3 … in order");
        assert!(
            name.starts_with(&format!("{k:04}_")),
            "{name} is numbered by its version"
        );
    }
}

#[test]
fn migrations_apply_once_and_connections_use_wal_and_foreign_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.sqlite3");
    drop(SqliteStore::open(&path).unwrap());
    let mut conn = rusqlite::Connection::open(&path).unwrap();
    assert_eq!(
        migrate::run(&mut conn).unwrap(),
        0,
        "a migrated database needs nothing"
    );
    let applied: i64 = conn
        .query_row("SELECT COUNT(*) FROM schema_migrations", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        applied as usize,
        migrate::MIGRATIONS.len(),
        "each migration is recorded once"
    );
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        mode, "wal",
        "WAL persists in the file once the store set it"
    );
    let store = SqliteStore::open(&path).unwrap();
    drop(store);
}
