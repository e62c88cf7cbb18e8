//! `seeds`: which seeds have been applied.

use chrono::{DateTime, Utc};

use super::PgTx;
use crate::storage::{SeedTable, StorageResult};

impl SeedTable for PgTx<'_> {
    fn applied(&mut self, name: &str) -> StorageResult<bool> {
        Ok(self
            .query_opt("SELECT 1 FROM seeds WHERE name = $1", &[&name])?
            .is_some())
    }

    fn mark(&mut self, name: &str, now: DateTime<Utc>) -> StorageResult<()> {
        self.execute(
            "INSERT INTO seeds (name, seeded_at) VALUES ($1, $2)",
            &[&name, &now],
        )?;
        Ok(())
    }
}
