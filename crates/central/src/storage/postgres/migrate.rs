//! PostgreSQL migrations: the twins of the SQLite ones, in `migrations/central/postgres`,
//! numbered with them, each applied once in its own transaction and recorded in
//! `schema_migrations`. Instances starting together take turns (an advisory lock).

use tokio_postgres::Client;

use super::database::wait;

use crate::storage::StorageError;

macro_rules! migration {
    ($version:literal, $name:literal) => {
        (
            $version,
            $name,
            include_str!(concat!(
                "../../../../../migrations/central/postgres/",
                $name
            )),
        )
    };
}

/// Every migration, in order: (version, name, SQL), numbered as the SQLite ones.
pub const MIGRATIONS: &[(i64, &str, &str)] = &[
    migration!(1, "0001_records.sql"),
    migration!(2, "0002_sync.sql"),
    migration!(3, "0003_console.sql"),
    migration!(4, "0004_lean_push.sql"),
    migration!(5, "0005_top_up_requests.sql"),
    migration!(6, "0006_device_contacts.sql"),
    migration!(7, "0007_sealed_entrants.sql"),
    migration!(8, "0008_lottery_draw.sql"),
    migration!(9, "0009_accounts.sql"),
    migration!(10, "0010_unit_links.sql"),
    migration!(11, "0011_bulletins.sql"),
    migration!(12, "0012_assessment.sql"),
    migration!(13, "0013_login_throttles.sql"),
    migration!(14, "0014_device_token_rotation.sql"),
    migration!(15, "0015_promoted_reserves.sql"),
    migration!(16, "0016_prize_deliveries.sql"),
];

/// The advisory lock migrating instances take turns on.
const MIGRATION_LOCK: i64 = 0x6669_656c_646d_6967;

/// Applies the migrations the database has not seen yet. Returns how many it applied.
pub fn run(client: &mut Client) -> Result<usize, StorageError> {
    wait(client.execute("SELECT pg_advisory_lock($1)", &[&MIGRATION_LOCK]))?;
    let result = apply(client);
    let unlocked = wait(client.execute("SELECT pg_advisory_unlock($1)", &[&MIGRATION_LOCK]));
    let applied = result?;
    unlocked?;
    Ok(applied)
}

fn apply(client: &mut Client) -> Result<usize, StorageError> {
    wait(client.batch_execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version    bigint PRIMARY KEY,
             name       text NOT NULL,
             applied_at timestamptz NOT NULL DEFAULT now()
         )",
    ))?;
    let mut applied = 0;
    for (version, name, sql) in MIGRATIONS {
        let tx = wait(client.transaction())?;
        let seen = wait(tx.query_opt(
            "SELECT 1 FROM schema_migrations WHERE version = $1",
            &[version],
        ))?
        .is_some();
        if !seen {
            wait(tx.batch_execute(sql))?;
            wait(tx.execute(
                "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                &[version, name],
            ))?;
            applied += 1;
        }
        wait(tx.commit())?;
    }
    Ok(applied)
}
