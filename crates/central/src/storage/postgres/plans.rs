//! `plans` and `plan_requests`, and the per-plan handout totals the push path keeps in
//! `plan_handout_totals`.

use super::PgTx;
use crate::storage::plans::PlanTable;
use crate::storage::{StorageError, StorageResult};
use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::PlanFacts;
use fieldpost_domain::{
    ActivityPlan, ItemId, ItemQuantity, PlanContent, PlanId, PlanStatus, UnitId,
};

impl PlanTable for PgTx<'_> {
    fn facts(&mut self, id: PlanId) -> StorageResult<Option<PlanFacts>> {
        todo!("PostgreSQL")
    }
    fn get(&mut self, id: PlanId) -> StorageResult<Option<ActivityPlan>> {
        todo!("PostgreSQL")
    }
    fn list(
        &mut self,
        unit: Option<UnitId>,
        status: Option<PlanStatus>,
    ) -> StorageResult<Vec<ActivityPlan>> {
        todo!("PostgreSQL")
    }
    fn exists(&mut self, id: PlanId) -> StorageResult<bool> {
        todo!("PostgreSQL")
    }
    fn unit_and_status(&mut self, id: PlanId) -> StorageResult<Option<(UnitId, PlanStatus)>> {
        todo!("PostgreSQL")
    }
    fn insert(
        &mut self,
        id: PlanId,
        unit: UnitId,
        content: &PlanContent,
        status: PlanStatus,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn revise(
        &mut self,
        id: PlanId,
        content: &PlanContent,
        status: PlanStatus,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn decide(
        &mut self,
        id: PlanId,
        status: PlanStatus,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn handout_totals(&mut self, id: PlanId) -> StorageResult<Vec<(ItemId, u64, u64)>> {
        todo!("PostgreSQL")
    }
}
