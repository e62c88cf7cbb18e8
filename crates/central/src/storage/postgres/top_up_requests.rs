//! `top_up_requests`: stored from devices' `top_up_requested` events, answered by the
//! secretariat.

use super::PgTx;
use crate::storage::StorageResult;
use crate::storage::top_ups::TopUpTable;
use crate::top_ups::{TopUpRequestLine, TopUpStatus};
use chrono::{DateTime, Utc};
use fieldpost_domain::{
    DeviceId, GrantId, PlanId, TopUpAnswer, TopUpAnswerStatus, TopUpRequest, TopUpRequestId, UnitId,
};

impl TopUpTable for PgTx<'_> {
    fn insert(
        &mut self,
        now: DateTime<Utc>,
        unit: UnitId,
        device: DeviceId,
        r: &TopUpRequest,
    ) -> StorageResult<bool> {
        todo!("PostgreSQL")
    }
    fn get(&mut self, id: TopUpRequestId) -> StorageResult<Option<TopUpRequestLine>> {
        todo!("PostgreSQL")
    }
    fn list(
        &mut self,
        unit: Option<UnitId>,
        status: Option<TopUpStatus>,
    ) -> StorageResult<Vec<TopUpRequestLine>> {
        todo!("PostgreSQL")
    }
    fn fulfilled(
        &mut self,
        id: TopUpRequestId,
        grant: GrantId,
        granted: u32,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn declined(
        &mut self,
        id: TopUpRequestId,
        reason: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()> {
        todo!("PostgreSQL")
    }
    fn decline_open_of_plan(
        &mut self,
        plan: PlanId,
        reason: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<Vec<(TopUpRequestId, UnitId, DeviceId)>> {
        todo!("PostgreSQL")
    }
    fn answer(&mut self, id: &str) -> StorageResult<Option<TopUpAnswer>> {
        todo!("PostgreSQL")
    }
}
