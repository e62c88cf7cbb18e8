//! The tables a seed writes besides the other aggregates': its marker, and (until plans and
//! the stock ledger move above the seam) the old store's plan and ledger writes.

use chrono::{DateTime, Utc};

use super::StorageResult;

/// `seeds`: which seeds have been applied.
pub trait SeedTable {
    /// Whether a seed of that name has been applied.
    fn applied(&mut self, name: &str) -> StorageResult<bool>;
    /// Records that a seed was applied.
    fn mark(&mut self, name: &str, now: DateTime<Utc>) -> StorageResult<()>;
}
