//! `devices`: enrolled tablets, with the hash of their bearer token.

use super::PgTx;
use crate::devices::{DeviceAuth, DeviceRecord};
use crate::storage::devices::DeviceStanding;
use crate::storage::{DeviceTable, StorageResult};
use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, UnitId};

impl DeviceTable for PgTx<'_> {
    fn insert(&mut self, d: &DeviceRecord, token_hash: &str) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn get(&mut self, id: DeviceId) -> StorageResult<Option<DeviceRecord>> {
        todo!("PostgreSQL")
    }
    fn by_token(&mut self, token_hash: &str) -> StorageResult<Option<DeviceAuth>> {
        todo!("PostgreSQL")
    }
    fn all(&mut self, unit: Option<UnitId>) -> StorageResult<Vec<DeviceRecord>> {
        todo!("PostgreSQL")
    }
    fn revoke(&mut self, id: DeviceId, now: DateTime<Utc>) -> StorageResult<bool> {
        todo!("PostgreSQL")
    }
    fn standing(&mut self, id: DeviceId) -> StorageResult<Option<DeviceStanding>> {
        todo!("PostgreSQL")
    }
    fn active_of_unit(&mut self, unit: UnitId) -> StorageResult<Vec<DeviceId>> {
        todo!("PostgreSQL")
    }
    fn heard_from(&mut self, id: DeviceId, at: DateTime<Utc>) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn unit_and_campaign(&mut self, id: DeviceId) -> StorageResult<Option<(UnitId, String)>> {
        todo!("PostgreSQL")
    }
}
