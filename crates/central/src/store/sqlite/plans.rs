//! What of the plans is still below the storage seam: the push path's handouts and voids
//! (to move with the push), and thin calls into the plan use cases for the push and seeds.

use chrono::{DateTime, Utc};
use fieldpost_domain::{ActivityPlan, PlanId, UnitId};
use rusqlite::Connection;

use crate::audit::Actor;
use crate::plans::PlanError;
use crate::plans::{DeviceShare, PlanContent};
use crate::storage::sqlite::SqliteTx;
use crate::store::StoreResult;

fn sqlite<'c>(tx: &'c Connection) -> SqliteTx<'c> {
    SqliteTx::new(tx)
}

/// A plan with its allocation (see [`crate::plans::load`]).
pub(super) fn load(c: &Connection, id: PlanId) -> StoreResult<ActivityPlan> {
    crate::plans::load(&mut sqlite(c), id).map_err(PlanError::into_store_error)
}

/// Files a plan (see [`crate::plans::file`]).
pub(super) fn file(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    unit_id: UnitId,
    content: PlanContent,
) -> StoreResult<()> {
    crate::plans::file_in(&mut sqlite(tx), actor, now, id, unit_id, &content)
        .map_err(PlanError::into_store_error)
}

/// Revises a plan (see [`crate::plans::revise`]).
pub(super) fn revise(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    content: PlanContent,
) -> StoreResult<()> {
    crate::plans::revise_in(&mut sqlite(tx), actor, now, id, &content)
        .map_err(PlanError::into_store_error)
}

/// Releases part of a device's grant (see [`crate::grants::release`]).
pub(super) fn release(
    tx: &Connection,
    actor: &Actor,
    now: DateTime<Utc>,
    id: PlanId,
    share: DeviceShare,
) -> StoreResult<()> {
    crate::grants::release_in(&mut sqlite(tx), actor, now, id, share)
        .map_err(PlanError::into_store_error)
}
