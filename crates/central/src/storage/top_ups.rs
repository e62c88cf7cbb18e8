//! `top_up_requests`: devices asking for more of a plan's item (申请追加), and the answers.

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    DeviceId, GrantId, PlanId, TopUpAnswer, TopUpRequest, TopUpRequestId, UnitId,
};

use super::StorageResult;
use crate::top_ups::{TopUpRequestLine, TopUpStatus};

/// `top_up_requests`, read with their plan's title and device's name.
pub trait TopUpTable {
    /// Stores a device's request; false when a request of that id is stored already.
    fn insert(
        &mut self,
        now: DateTime<Utc>,
        unit: UnitId,
        device: DeviceId,
        request: &TopUpRequest,
    ) -> StorageResult<bool>;
    /// One request; `None` if unknown.
    fn get(&mut self, id: TopUpRequestId) -> StorageResult<Option<TopUpRequestLine>>;
    /// Requests, all or one unit's, all or in one status: open ones first, oldest first,
    /// then the decided ones, newest decision first.
    fn list(
        &mut self,
        unit: Option<UnitId>,
        status: Option<TopUpStatus>,
    ) -> StorageResult<Vec<TopUpRequestLine>>;
    /// Marks a request fulfilled by a grant.
    fn fulfilled(
        &mut self,
        id: TopUpRequestId,
        grant: GrantId,
        granted: u32,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()>;
    /// Marks a request declined with a reason.
    fn declined(
        &mut self,
        id: TopUpRequestId,
        reason: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<()>;
    /// Declines every open request of a plan with `reason`; returns (request, unit, device)
    /// of each.
    fn decline_open_of_plan(
        &mut self,
        plan: PlanId,
        reason: &str,
        now: DateTime<Utc>,
        by: &str,
    ) -> StorageResult<Vec<(TopUpRequestId, UnitId, DeviceId)>>;
    /// The answer to a decided request; `None` while it is open or unknown.
    fn answer(&mut self, id: &str) -> StorageResult<Option<TopUpAnswer>>;
}
