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
    (
        8,
        "0008_lottery_draw.sql",
        include_str!("../../../../../migrations/central/0008_lottery_draw.sql"),
    ),
    (
        9,
        "0009_accounts.sql",
        include_str!("../../../../../migrations/central/0009_accounts.sql"),
    ),
    (
        10,
        "0010_unit_links.sql",
        include_str!("../../../../../migrations/central/0010_unit_links.sql"),
    ),
    (
        11,
        "0011_bulletins.sql",
        include_str!("../../../../../migrations/central/0011_bulletins.sql"),
    ),
    (
        12,
        "0012_assessment.sql",
        include_str!("../../../../../migrations/central/0012_assessment.sql"),
    ),
    (
        13,
        "0013_login_throttles.sql",
        include_str!("../../../../../migrations/central/0013_login_throttles.sql"),
    ),
    (
        14,
        "0014_device_token_rotation.sql",
        include_str!("../../../../../migrations/central/0014_device_token_rotation.sql"),
    ),
    (
        15,
        "0015_promoted_reserves.sql",
        include_str!("../../../../../migrations/central/0015_promoted_reserves.sql"),
    ),
    (
        16,
        "0016_prize_deliveries.sql",
        include_str!("../../../../../migrations/central/0016_prize_deliveries.sql"),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Migration 0008 rebuilds `users` (SQLite cannot change a CHECK constraint): the
    /// accounts keep their order and fields, and the console sessions that refer to them
    /// survive, so nobody is logged out by the upgrade.
    #[test]
    fn the_users_rebuild_keeps_accounts_and_sessions() {
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.pragma_update(None, "foreign_keys", "ON")
            .unwrap_or_else(|e| panic!("{e}"));
        for (_, _, sql) in MIGRATIONS.iter().filter(|m| m.0 < 8) {
            conn.execute_batch(&format!("BEGIN; {sql}; COMMIT;"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        conn.execute_batch(
            "INSERT INTO users (id, username, password_hash, role, unit_id, created_at)
                 VALUES ('u1', 'admin', 'h1', 'admin', NULL, 't1'),
                        ('u2', 'viewer', 'h2', 'viewer', NULL, 't2');
             INSERT INTO console_sessions (token_hash, user_id, created_at, expires_at)
                 VALUES ('s1', 'u2', 't', 'e');",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        for (_, _, sql) in MIGRATIONS.iter().filter(|m| m.0 == 8) {
            conn.execute_batch(&format!("BEGIN; {sql}; COMMIT;"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let users: Vec<(String, String, Option<String>)> = conn
            .prepare("SELECT id, role, carrier FROM users ORDER BY rowid")
            .and_then(|mut s| {
                s.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            users,
            [
                ("u1".into(), "admin".into(), None),
                ("u2".into(), "viewer".into(), None)
            ],
            "every account kept, in its order"
        );
        let session: String = conn
            .query_row("SELECT user_id FROM console_sessions", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(session, "u2", "the session survives the rebuild");
        let violations: i64 = conn
            .query_row("SELECT COUNT(*) FROM pragma_foreign_key_check", [], |r| {
                r.get(0)
            })
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(violations, 0, "the sessions still refer to their users");
        let carrier_without_one = conn.execute(
            "INSERT INTO users (id, username, password_hash, role, created_at)
             VALUES ('u3', 'c', 'h', 'carrier', 't')",
            [],
        );
        assert!(
            carrier_without_one.is_err(),
            "a carrier account names its carrier"
        );
    }

    /// Migration 0016 rebuilds `stock_ledger` (a new kind, a CHECK changed): every row keeps
    /// its seq and the next one follows on; wins delivered before it get their prize's
    /// movement (one each, dated when delivered), the others none. Foreign keys are off here:
    /// the rows stand for a real campaign's without its every table.
    #[test]
    fn the_ledger_rebuild_keeps_rows_and_posts_earlier_deliveries() {
        let conn = Connection::open_in_memory().unwrap_or_else(|e| panic!("{e}"));
        conn.pragma_update(None, "foreign_keys", "OFF")
            .unwrap_or_else(|e| panic!("{e}"));
        for (_, _, sql) in MIGRATIONS.iter().filter(|m| m.0 < 16) {
            conn.execute_batch(&format!("BEGIN; {sql}; COMMIT;"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let win = |id: &str, entry: u32, state: &str, at: &str| {
            format!(
                "INSERT INTO lottery_wins (id, draw_id, pool_id, entry, entrant_id, state,
                     state_changed_at) VALUES ('{id}', 'd', 'pool', {entry}, 'e{entry}',
                     '{state}', '{at}');"
            )
        };
        conn.execute_batch(&format!(
            "INSERT INTO items (id, campaign_id, code, name, kind, unit_label)
                 VALUES ('kettle', 'c', 'k', '水壶', 'prize', '个');
             INSERT INTO lottery_pools (id, campaign_id, name, item_id, quantity, reserves,
                 carriers, delivery, position, created_at, updated_at)
                 VALUES ('pool', 'c', '实物奖品', 'kettle', 3, 0, 'telecom', 'at_station', 1,
                         't', 't');
             INSERT INTO stock_ledger (id, item_id, kind, quantity, note, actor, created_at)
                 VALUES ('0190f000-0000-7000-8000-000000000001', 'kettle', 'receipt', 5,
                         NULL, 'user:admin', '2022-08-01T00:00:00Z'),
                        ('0190f000-0000-7000-8000-000000000002', 'kettle', 'write_off', 1,
                         '破损', 'user:admin', '2022-08-02T00:00:00Z');
             {}{}{}",
            win(
                "0190f000-0000-7000-8000-0000000000a1",
                7,
                "delivered",
                "2022-08-21T00:00:00Z"
            ),
            win(
                "0190f000-0000-7000-8000-0000000000a2",
                9,
                "pending",
                "2022-08-20T00:00:00Z"
            ),
            win(
                "0190f000-0000-7000-8000-0000000000a3",
                4,
                "delivered",
                "2022-08-20T00:00:00Z"
            ),
        ))
        .unwrap_or_else(|e| panic!("{e}"));
        for (_, _, sql) in MIGRATIONS.iter().filter(|m| m.0 == 16) {
            conn.execute_batch(&format!("BEGIN; {sql}; COMMIT;"))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        let rows: Vec<(i64, String, i64, Option<String>, String)> = conn
            .prepare(
                "SELECT seq, kind, quantity, win_id, created_at FROM stock_ledger ORDER BY seq",
            )
            .and_then(|mut s| {
                s.query_map([], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })?
                .collect()
            })
            .unwrap_or_else(|e| panic!("{e}"));
        let a3 = "0190f000-0000-7000-8000-0000000000a3".to_owned();
        let a1 = "0190f000-0000-7000-8000-0000000000a1".to_owned();
        assert_eq!(
            rows,
            [
                (1, "receipt".into(), 5, None, "2022-08-01T00:00:00Z".into()),
                (
                    2,
                    "write_off".into(),
                    1,
                    None,
                    "2022-08-02T00:00:00Z".into()
                ),
                (
                    3,
                    "prize_delivered".into(),
                    1,
                    Some(a3),
                    "2022-08-20T00:00:00Z".into()
                ),
                (
                    4,
                    "prize_delivered".into(),
                    1,
                    Some(a1),
                    "2022-08-21T00:00:00Z".into()
                ),
            ],
            "the rows kept with their seq, and one movement per delivered win, in delivery order"
        );
        conn.execute(
            "INSERT INTO stock_ledger (id, item_id, kind, quantity, actor, created_at)
             VALUES ('0190f000-0000-7000-8000-000000000003', 'kettle', 'receipt', 1, 'a', 't')",
            [],
        )
        .unwrap_or_else(|e| panic!("{e}"));
        let seq: i64 = conn
            .query_row("SELECT MAX(seq) FROM stock_ledger", [], |r| r.get(0))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(seq, 5, "the sequence carries on after the rebuild");
        let unnamed = conn.execute(
            "INSERT INTO stock_ledger (id, item_id, kind, quantity, actor, created_at)
             VALUES ('0190f000-0000-7000-8000-000000000004', 'kettle', 'prize_delivered', 1,
                     'a', 't')",
            [],
        );
        assert!(unnamed.is_err(), "a prize delivered names its win");
        let indexes: i64 = conn
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' AND tbl_name =
                 'stock_ledger' AND name IN ('stock_ledger_item', 'stock_ledger_plan',
                 'stock_ledger_plan_allocation', 'stock_ledger_win')",
                [],
                |r| r.get(0),
            )
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(indexes, 4, "the ledger's indexes are made again");
    }
}
