//! The plans' tables: `plans` with `plan_requests`, the handout totals the push path keeps
//! per plan and item.

use chrono::{DateTime, Utc};
use fieldpost_domain::quarantine::PlanFacts;
use fieldpost_domain::{
    ActivityPlan, ItemId, ItemQuantity, PlanContent, PlanId, PlanStatus, UnitId,
};

use super::StorageResult;

/// `plans` and `plan_requests`. A plan is read without its allocation (which is the stock
/// ledger's) and with what it requested.
pub trait PlanTable {
    /// One plan, with what it requested; `None` if unknown.
    fn get(&mut self, id: PlanId) -> StorageResult<Option<ActivityPlan>>;
    /// Plans, all or one unit's, all or in one status, by id (time order).
    fn list(
        &mut self,
        unit: Option<UnitId>,
        status: Option<PlanStatus>,
    ) -> StorageResult<Vec<ActivityPlan>>;
    /// Whether a plan of this id exists.
    fn exists(&mut self, id: PlanId) -> StorageResult<bool>;
    /// A plan's unit and status: one point lookup.
    fn unit_and_status(&mut self, id: PlanId) -> StorageResult<Option<(UnitId, PlanStatus)>>;
    /// A plan's unit, status and window, as the quarantine rule needs them: one point lookup.
    fn facts(&mut self, id: PlanId) -> StorageResult<Option<PlanFacts>>;
    /// Files a new plan (revision 0) with its requests.
    fn insert(
        &mut self,
        id: PlanId,
        unit: UnitId,
        content: &PlanContent,
        status: PlanStatus,
        now: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Replaces a plan's content and requests, moves it to `status`, counts a revision and
    /// clears the reason it was rejected for.
    fn revise(
        &mut self,
        id: PlanId,
        content: &PlanContent,
        status: PlanStatus,
    ) -> StorageResult<()>;
    /// Records the secretariat's decision: the new status (and the reason, for a rejection).
    fn decide(
        &mut self,
        id: PlanId,
        status: PlanStatus,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// What the plan's devices handed out of each item (every handout not voided) and the part
    /// beyond their grants, as the push path keeps them.
    fn handout_totals(&mut self, id: PlanId) -> StorageResult<Vec<(ItemId, u64, u64)>>;
}

/// Net quantities of items, e.g. what a plan requested.
pub type Quantities = Vec<ItemQuantity>;
