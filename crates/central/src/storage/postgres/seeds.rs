//! `seeds`: which seeds have been applied.

use super::PgTx;
use crate::storage::{SeedTable, StorageResult};
use chrono::{DateTime, Utc};

impl SeedTable for PgTx<'_> {
    fn applied(&mut self, name: &str) -> StorageResult<bool> {
        todo!("PostgreSQL")
    }
    fn mark(&mut self, name: &str, now: DateTime<Utc>) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
}
