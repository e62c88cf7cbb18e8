//! The tables of devices and their enrollment, and what revoking a device asks of the plans.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, ItemId, PlanId, UnitId};

use super::StorageResult;
use crate::audit::Actor;
use crate::devices::{DeviceAuth, DeviceRecord};

/// `devices`: enrolled tablets, with the hash of their bearer token.
pub trait DeviceTable {
    /// Adds a device.
    fn insert(&mut self, device: &DeviceRecord, token_hash: &str) -> StorageResult<()>;
    /// One device.
    fn get(&mut self, id: DeviceId) -> StorageResult<Option<DeviceRecord>>;
    /// The device a token hash belongs to.
    fn by_token(&mut self, token_hash: &str) -> StorageResult<Option<DeviceAuth>>;
    /// Devices, all or one unit's, oldest first.
    fn all(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<DeviceRecord>>;
    /// Stamps a device revoked at `now` unless it was already; false when there is no such
    /// device.
    fn revoke(&mut self, id: DeviceId, now: DateTime<Utc>) -> StorageResult<bool>;
}

/// A stored enrollment code (by its hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrollmentCode {
    /// The unit it enrolls into.
    pub unit_id: UnitId,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// Whether a device has used it.
    pub used: bool,
}

/// `enrollment_codes`: one-time codes, by their hash.
pub trait EnrollmentCodeTable {
    /// Adds a code.
    fn insert(
        &mut self,
        code_hash: &str,
        unit: UnitId,
        now: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// A code, by hash.
    fn get(&mut self, code_hash: &str) -> StorageResult<Option<EnrollmentCode>>;
    /// Marks a code used by `device`.
    fn mark_used(
        &mut self,
        code_hash: &str,
        now: DateTime<Utc>,
        device: DeviceId,
    ) -> StorageResult<()>;
}

/// A grant given back to its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReleasedGrant {
    /// The plan.
    pub plan_id: PlanId,
    /// The item.
    pub item_id: ItemId,
    /// How many went back.
    pub quantity: u32,
}

/// What revoking a device asks of the stock ledger: its unspent grants go back to their
/// plans. Implemented over the old store's ledger until plans and grants move above the
/// seam (they belong to that aggregate, not to devices).
pub trait GrantRelease {
    /// Releases every unspent grant of `device` to its plan, in this transaction.
    fn release_unspent(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        device: DeviceId,
    ) -> StorageResult<Vec<ReleasedGrant>>;
}
