//! Where the storage seam still reaches the old store: the plans' and stock ledger's writes
//! that other aggregates' use cases need in their own transaction (a revoked device's grants
//! go back to their plans; a seed receives stock and files plans). They go when plans and
//! the stock ledger move above the seam.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, ItemId, PlanId, UnitId};

use super::{ledger, plans};
use crate::audit::Actor;
use crate::error::StoreError;
use crate::plans::{Approval, PlanContent};
use crate::storage::devices::ReleasedGrant;
use crate::storage::sqlite::SqliteTx;
use crate::storage::{GrantRelease, LegacyPlans, StorageError, StorageResult};

impl GrantRelease for SqliteTx<'_> {
    fn release_unspent(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        device: DeviceId,
    ) -> StorageResult<Vec<ReleasedGrant>> {
        let released = plans::release_unspent(self.transaction(), actor, now, device)
            .map_err(storage_error)?;
        Ok(released
            .into_iter()
            .map(|(plan_id, item_id, quantity)| ReleasedGrant {
                plan_id,
                item_id,
                quantity,
            })
            .collect())
    }
}

/// Releasing what is unspent refuses nothing (it posts exactly the available balance), so
/// any refusal here is a broken invariant: a failure for the log.
fn storage_error(e: StoreError) -> StorageError {
    match e {
        StoreError::Duplicate { field } => StorageError::Duplicate { field },
        StoreError::Storage(m) => StorageError::Failed(m),
        StoreError::Corrupt(m) => StorageError::Corrupt(m),
        e @ (StoreError::NotFound(_)
        | StoreError::Invalid { .. }
        | StoreError::Conflict { .. }
        | StoreError::Credential { .. }
        | StoreError::SeqGap { .. }) => StorageError::Failed(e.to_string()),
    }
}

impl LegacyPlans for SqliteTx<'_> {
    fn receive(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        item: ItemId,
        quantity: u32,
        note: Option<String>,
    ) -> Result<(), StoreError> {
        ledger::receive(self.transaction(), actor, now, item, quantity, note).map(drop)
    }

    fn file_plan(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        unit: UnitId,
        content: PlanContent,
    ) -> Result<(), StoreError> {
        plans::file(self.transaction(), actor, now, id, unit, content).map(drop)
    }

    fn approve_plan(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        approval: Approval,
    ) -> Result<(), StoreError> {
        plans::approve(self.transaction(), actor, now, id, approval).map(drop)
    }
}
