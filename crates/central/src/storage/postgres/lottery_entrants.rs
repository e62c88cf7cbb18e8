//! `lottery_entrants`: phone numbers entered with consent. The number goes into this table
//! and nowhere else: no reason, audit line or log line carries it.

use super::PgTx;
use crate::storage::{LotteryEntrantTable, StorageResult};
use fieldpost_domain::{DeviceId, LotteryEntrant, UnitId};

impl LotteryEntrantTable for PgTx<'_> {
    fn insert(
        &mut self,
        e: &LotteryEntrant,
        campaign: &str,
        unit: UnitId,
        device: DeviceId,
    ) -> StorageResult<bool> {
        todo!("PostgreSQL")
    }
    fn count(&mut self, unit: UnitId) -> StorageResult<u64> {
        todo!("PostgreSQL")
    }
}
