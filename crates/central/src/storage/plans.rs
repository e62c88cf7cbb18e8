//! The plans' tables: `plans` with `plan_requests`, the handout totals the push path keeps
//! per plan and item, and the devices as plans look them up.

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    ActivityPlan, DeviceId, ItemId, ItemQuantity, PlanContent, PlanId, PlanStatus, UnitId,
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

/// A device as plans and grants look it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceStanding {
    /// Its unit.
    pub unit: UnitId,
    /// Whether it has been revoked.
    pub revoked: bool,
}

/// `devices`, as the plans look them up.
pub trait DeviceLookup {
    /// A device's unit and whether it is revoked; `None` if unknown.
    fn standing(&mut self, id: DeviceId) -> StorageResult<Option<DeviceStanding>>;
    /// A unit's unrevoked devices, in the order they enrolled.
    fn active_of_unit(&mut self, unit: UnitId) -> StorageResult<Vec<DeviceId>>;
}

/// Net quantities of items, e.g. what a plan requested.
pub type Quantities = Vec<ItemQuantity>;
