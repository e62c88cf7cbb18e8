//! Central migrations: numbered `.sql` files in `migrations/central`, embedded at build time,
//! each applied once, in its own transaction, and recorded in `schema_migrations`.

use rusqlite::{Connection, params};

use crate::storage::StorageError;

/// Every migration, in order: (version, name, SQL). Migrations only add; a shipped one is
/// never edited.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    (
        1,
        "0001_records.sql",
        include_str!("../../../../../migrations/central/0001_records.sql"),
    ),
    (
        2,
        "0002_sync.sql",
        include_str!("../../../../../migrations/central/0002_sync.sql"),
    ),
    (
        3,
        "0003_console.sql",
        include_str!("../../../../../migrations/central/0003_console.sql"),
    ),
    (
        4,
        "0004_lean_push.sql",
        include_str!("../../../../../migrations/central/0004_lean_push.sql"),
    ),
    (
        5,
        "0005_top_up_requests.sql",
        include_str!("../../../../../migrations/central/0005_top_up_requests.sql"),
    ),
    (
        6,
        "0006_device_contacts.sql",
        include_str!("../../../../../migrations/central/0006_device_contacts.sql"),
    ),
    (
        7,
        "0007_sealed_entrants.sql",
        include_str!("../../../../../migrations/central/0007_sealed_entrants.sql"),
    ),
];

/// Applies the migrations `conn` has not seen yet. Returns how many it applied.
pub fn run(conn: &mut Connection) -> Result<usize, StorageError> {
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    INTEGER PRIMARY KEY,
             name       TEXT NOT NULL,
             applied_at TEXT NOT NULL
         )",
    )?;
    let mut applied = 0;
    for (version, name, sql) in MIGRATIONS {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let seen: i64 = tx.query_row(
            "SELECT COUNT(*) FROM schema_migrations WHERE version = ?1",
            [version],
            |r| r.get(0),
        )?;
        if seen == 0 {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at)
                 VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))",
                params![version, name],
            )?;
            applied += 1;
        }
        tx.commit()?;
    }
    Ok(applied)
}
