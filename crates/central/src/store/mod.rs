//! The central's storage, behind one narrow interface.
//!
//! Handlers call [`Store`] and nothing else; [`sqlite::SqliteStore`] is the embedded default.
//! A PostgreSQL backend implements the same trait. The methods are blocking (SQLite is; a
//! PostgreSQL backend may use a blocking client too): the HTTP layer runs them on tokio's
//! blocking pool. Every method that changes something runs in one transaction that also checks
//! the quantities it changes, writes the audit log and stamps the change log.

pub mod sqlite;

use crate::audit::Actor;
use crate::plans::{Approval, DeviceShare, HandoutOutcome, PlanContent, PlanView};
use crate::push::{PushedEvent, QuarantinedEvent};
use crate::records::{HandoutLine, SessionRecord};
use crate::stock::{LedgerEntry, StockBalance};
use crate::top_ups::{TopUpRequestLine, TopUpStatus};

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    ActivityPlan, DeviceId, Grant, Handout, HandoutVoid, ItemId, PlanId, PlanStatus,
    TopUpRequestId, UnitId,
};
use fieldpost_sync::{PullResponse, PushResponse};

use crate::error::StoreError;

/// Result of a store operation.
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// The central's storage. See the module docs.
pub trait Store: Send + Sync + 'static {
    // --- stock ----------------------------------------------------------------------------

    /// Balances per item.
    fn stock(&self) -> StoreResult<Vec<StockBalance>>;
    /// Ledger rows after `after_seq`, optionally of one item, at most `limit`.
    fn ledger(
        &self,
        item: Option<ItemId>,
        after_seq: i64,
        limit: u32,
    ) -> StoreResult<Vec<LedgerEntry>>;
    /// Records stock received.
    fn receive(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        item: ItemId,
        quantity: u32,
        note: Option<String>,
    ) -> StoreResult<LedgerEntry>;
    /// Writes stock off; refused beyond what is on hand.
    fn write_off(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        item: ItemId,
        quantity: u32,
        note: Option<String>,
    ) -> StoreResult<LedgerEntry>;

    // --- plans ----------------------------------------------------------------------------

    /// Plans, optionally of one unit and one status.
    fn plans(
        &self,
        unit: Option<UnitId>,
        status: Option<PlanStatus>,
    ) -> StoreResult<Vec<ActivityPlan>>;
    /// One plan with its balances.
    fn plan(&self, id: PlanId) -> StoreResult<PlanView>;
    /// Files a plan for its unit (status submitted).
    fn file_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        unit: UnitId,
        content: PlanContent,
    ) -> StoreResult<PlanView>;
    /// Revises a submitted or rejected plan (back to submitted).
    fn revise_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        content: PlanContent,
    ) -> StoreResult<PlanView>;
    /// Approves a submitted plan: allocates stock and splits it into device grants.
    fn approve_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        approval: Approval,
    ) -> StoreResult<PlanView>;
    /// Rejects a submitted plan with a reason.
    fn reject_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        reason: String,
    ) -> StoreResult<PlanView>;
    /// Closes an approved or rejected plan: unspent grants are released and the unspent
    /// allocation returns to stock.
    fn close_plan(&self, actor: &Actor, now: DateTime<Utc>, id: PlanId) -> StoreResult<PlanView>;
    /// Allocates more of an item to an approved plan.
    fn allocate(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: PlanId,
        item: ItemId,
        quantity: u32,
    ) -> StoreResult<PlanView>;
    /// Returns part of an approved plan's ungranted allocation to stock.
    fn return_allocation(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: PlanId,
        item: ItemId,
        quantity: u32,
    ) -> StoreResult<PlanView>;
    /// Grants part of an approved plan's allocation to one of its unit's devices.
    fn grant(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: PlanId,
        share: DeviceShare,
    ) -> StoreResult<Grant>;
    /// Gives part of a device's grant back to the plan.
    fn release(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        plan: PlanId,
        share: DeviceShare,
    ) -> StoreResult<PlanView>;
    /// Devices' top-up requests (申请追加), all or one unit's, all or those in one status;
    /// open ones oldest first (the queue), the others newest decision first.
    fn top_up_requests(
        &self,
        unit: Option<UnitId>,
        status: Option<TopUpStatus>,
    ) -> StoreResult<Vec<TopUpRequestLine>>;
    /// Fulfils an open top-up request in one transaction: grants `quantity` (the request's
    /// own when `None`) to its device through [`Store::grant`], first allocating from stock
    /// what the plan's ungranted allocation lacks, and marks the request fulfilled.
    fn fulfil_top_up(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: TopUpRequestId,
        quantity: Option<u32>,
    ) -> StoreResult<TopUpRequestLine>;
    /// Declines an open top-up request with a reason.
    fn decline_top_up(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: TopUpRequestId,
        reason: String,
    ) -> StoreResult<TopUpRequestLine>;
    /// Records a device's handout (from a synced event). The part its grant covers posts to
    /// the ledger; the rest is kept and flagged. Replaying the same handout changes nothing.
    fn record_handout(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        device: DeviceId,
        handout: &Handout,
    ) -> StoreResult<HandoutOutcome>;
    /// Cancels a handout, giving its covered part back to the device's grant.
    fn void_handout(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        device: DeviceId,
        void: &HandoutVoid,
    ) -> StoreResult<()>;

    // --- sync -----------------------------------------------------------------------------

    /// Applies a batch of one device's events in one transaction (see `fieldpost_sync::push`):
    /// stored events are skipped, other content under a stored seq or id is a conflict
    /// (`event_conflict`), a skipped seq is [`StoreError::SeqGap`], an event that cannot apply
    /// is stored quarantined. A revoked device's events are applied too (its handouts beyond
    /// its grant are flagged). The caller has checked that the batch is the device's, in
    /// ascending gap-free seq order.
    fn push(
        &self,
        now: DateTime<Utc>,
        device: DeviceId,
        events: &[PushedEvent],
    ) -> StoreResult<PushResponse>;
    /// The changes after `after` in the scope of `device` of `unit`, at most `limit`, in
    /// `server_seq` order (see `fieldpost_sync::pull`).
    fn pull(
        &self,
        device: DeviceId,
        unit: UnitId,
        after: u64,
        limit: u32,
    ) -> StoreResult<PullResponse>;
    /// Station sessions with tallies and volunteer hours, all or one unit's.
    fn sessions(&self, unit: Option<UnitId>) -> StoreResult<Vec<SessionRecord>>;
    /// How many lottery entrants a unit's stations registered.
    fn entrant_count(&self, unit: UnitId) -> StoreResult<u64>;

    // --- console users --------------------------------------------------------------------

    // --- the console ------------------------------------------------------------------------

    /// Every handout, all or one unit's, in the order handed out.
    fn handout_lines(&self, unit: Option<UnitId>) -> StoreResult<Vec<HandoutLine>>;
    /// Handouts beyond their device's grant, not voided, newest first.
    fn over_grant_handouts(&self, limit: u32) -> StoreResult<Vec<HandoutLine>>;
    /// Quarantined device events, newest first.
    fn quarantined_events(&self, limit: u32) -> StoreResult<Vec<QuarantinedEvent>>;
}
