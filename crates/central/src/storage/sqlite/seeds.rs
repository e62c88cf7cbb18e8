//! `seeds`: which seeds have been applied.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use super::{SqliteTx, ts};
use crate::storage::{SeedTable, StorageResult};

impl SeedTable for SqliteTx<'_> {
    fn applied(&mut self, name: &str) -> StorageResult<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM seeds WHERE name = ?1", [name], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn mark(&mut self, name: &str, now: DateTime<Utc>) -> StorageResult<()> {
        self.conn.execute(
            "INSERT INTO seeds (name, seeded_at) VALUES (?1, ?2)",
            params![name, ts(now)],
        )?;
        Ok(())
    }
}
