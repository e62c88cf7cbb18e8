//! The tables of devices and their enrollment, and what revoking a device asks of the plans.

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};

use super::StorageResult;
use crate::devices::{DeviceAuth, DeviceRecord};

/// `devices`: enrolled tablets, with the hash of their bearer token.
pub trait DeviceTable {
    /// Adds a device.
    fn insert(&mut self, device: &DeviceRecord, token_hash: &str) -> StorageResult<()>;
    /// One device.
    fn get(&mut self, id: DeviceId) -> StorageResult<Option<DeviceRecord>>;
    /// The device a token hash belongs to, as its current token or as the successor it was
    /// offered (see [`crate::devices::successor_token`]).
    fn by_token(&mut self, token_hash: &str) -> StorageResult<Option<(DeviceAuth, TokenKind)>>;
    /// Makes the successor `next_hash` the device's current token (issued when it was
    /// offered), which ends the old one; false when it is not the device's successor (any
    /// more: a concurrent request took it into use first).
    fn take_successor(&mut self, id: DeviceId, next_hash: &str) -> StorageResult<bool>;
    /// The salt of the successor offered for the current token `current_hash`: `None` when
    /// none was offered, or when `current_hash` is no longer the device's current token.
    fn successor_salt(&mut self, id: DeviceId, current_hash: &str)
    -> StorageResult<Option<String>>;
    /// Records a successor for the current token `current_hash`, unless one was offered
    /// already or the token is no longer current (then nothing changes).
    fn offer_successor(
        &mut self,
        id: DeviceId,
        current_hash: &str,
        salt: &str,
        next_hash: &str,
        now: DateTime<Utc>,
    ) -> StorageResult<()>;
    /// Devices, all or one unit's, oldest first.
    fn all(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<DeviceRecord>>;
    /// Stamps a device revoked at `now` unless it was already; false when there is no such
    /// device.
    fn revoke(&mut self, id: DeviceId, now: DateTime<Utc>) -> StorageResult<bool>;
    /// A device's unit and whether it is revoked; `None` if unknown: one point lookup, for
    /// plans, grants and a push's voids.
    fn standing(&mut self, id: DeviceId) -> StorageResult<Option<DeviceStanding>>;
    /// A unit's unrevoked devices, in the order they enrolled.
    fn active_of_unit(&mut self, unit: UnitId) -> StorageResult<Vec<DeviceId>>;
    /// Records the time of a contact, unless a later one is recorded.
    fn heard_from(&mut self, id: DeviceId, at: DateTime<Utc>) -> StorageResult<()>;
    /// The device's unit and that unit's campaign: what a push needs of the pushing device.
    fn unit_and_campaign(&mut self, id: DeviceId) -> StorageResult<Option<(UnitId, String)>>;
}

/// Which of a device's tokens a request presented.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// Its current token.
    Current,
    /// The successor it was offered and has not used before.
    Successor,
}

/// A device as plans and grants look it up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeviceStanding {
    /// Its unit.
    pub unit: UnitId,
    /// Whether it has been revoked.
    pub revoked: bool,
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
