//! The tables behind the unit-quota records: daily collection counts, and the read-only
//! rollups of plans, allocations, handouts and pushes that the records are built from.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use fieldpost_domain::{ItemId, PlanId, PlanStatus, UnitId};

use super::StorageResult;
use crate::bulletin::PublishedDay;
use crate::devices::DeviceActivity;
use crate::records::DailyCount;

/// `collection_counts`: questionnaires collected per unit and day.
pub trait CollectionCountTable {
    /// Stores a day's count, replacing one stored for the same unit and day.
    fn upsert(&mut self, count: &DailyCount, now: DateTime<Utc>) -> StorageResult<()>;
    /// Counts, all or one unit's, by day.
    fn all(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<DailyCount>>;
    /// The sum of each unit's counts (units with none are missing).
    fn collected_by_unit(&mut self) -> StorageResult<BTreeMap<UnitId, u64>>;
}

/// `bulletins`: the daily bulletins as published, one per day, each a JSON snapshot.
pub trait BulletinTable {
    /// Stores a day's bulletin, replacing one published earlier for the same day.
    fn upsert(&mut self, day: &PublishedDay, snapshot: &str) -> StorageResult<()>;
    /// The published days, newest first.
    fn days(&mut self) -> StorageResult<Vec<PublishedDay>>;
    /// A day's snapshot, if that day was published.
    fn snapshot(&mut self, day: chrono::NaiveDate) -> StorageResult<Option<String>>;
    /// The newest published snapshot.
    fn latest(&mut self) -> StorageResult<Option<String>>;
}

/// A plan as the records list it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanLine {
    /// The plan.
    pub id: PlanId,
    /// Its unit.
    pub unit_id: UnitId,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: PlanStatus,
}

/// Sums over plans, the stock ledger, handouts and device events, read for the records.
pub trait RecordsRollup {
    /// Every plan, by id.
    fn plans(&mut self) -> StorageResult<Vec<PlanLine>>;
    /// Per plan and item: allocated, net of returns.
    fn allocated(&mut self) -> StorageResult<Vec<(PlanId, ItemId, u64)>>;
    /// Per plan and item: handed out, net of voids (only where some were).
    fn handed_out(&mut self) -> StorageResult<Vec<(PlanId, ItemId, u64)>>;
    /// Each device's newest stored event, in enrollment order.
    fn device_activity(&mut self) -> StorageResult<Vec<DeviceActivity>>;
}
