//! The tables a seed writes besides the other aggregates': its marker, and (until plans and
//! the stock ledger move above the seam) the old store's plan and ledger writes.

use chrono::{DateTime, Utc};
use fieldpost_domain::{ItemId, PlanId, UnitId};

use super::StorageResult;
use crate::audit::Actor;
use crate::error::StoreError;
use crate::plans::{Approval, PlanContent};

/// `seeds`: which seeds have been applied.
pub trait SeedTable {
    /// Whether a seed of that name has been applied.
    fn applied(&mut self, name: &str) -> StorageResult<bool>;
    /// Records that a seed was applied.
    fn mark(&mut self, name: &str, now: DateTime<Utc>) -> StorageResult<()>;
}

/// The old store's stock and plan writes, in this transaction: a seed receives stock and
/// files and approves plans through them until that aggregate moves above the seam. Their
/// refusals are still the old store's [`StoreError`].
pub trait LegacyPlans {
    /// Records stock received.
    fn receive(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        item: ItemId,
        quantity: u32,
        note: Option<String>,
    ) -> Result<(), StoreError>;
    /// Files a plan for its unit.
    fn file_plan(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        unit: UnitId,
        content: PlanContent,
    ) -> Result<(), StoreError>;
    /// Approves a submitted plan.
    fn approve_plan(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        approval: Approval,
    ) -> Result<(), StoreError>;
}
