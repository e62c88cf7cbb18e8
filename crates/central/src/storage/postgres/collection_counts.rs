//! `collection_counts`: questionnaires collected per unit and day.

use super::PgTx;
use crate::records::DailyCount;
use crate::storage::{CollectionCountTable, StorageResult};
use chrono::{DateTime, Utc};
use fieldpost_domain::UnitId;
use std::collections::BTreeMap;

impl CollectionCountTable for PgTx<'_> {
    fn upsert(&mut self, c: &DailyCount, now: DateTime<Utc>) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn all(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<DailyCount>> {
        todo!("PostgreSQL")
    }
    fn collected_by_unit(&mut self) -> StorageResult<BTreeMap<UnitId, u64>> {
        todo!("PostgreSQL")
    }
}
