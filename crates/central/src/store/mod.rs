//! The central's storage, behind one narrow interface.
//!
//! Handlers call [`Store`] and nothing else; [`sqlite::SqliteStore`] is the embedded default.
//! A PostgreSQL backend implements the same trait. The methods are blocking (SQLite is; a
//! PostgreSQL backend may use a blocking client too): the HTTP layer runs them on tokio's
//! blocking pool. Every method that changes something runs in one transaction that also checks
//! the quantities it changes, writes the audit log and stamps the change log.

pub mod sqlite;

use crate::audit::Actor;
use crate::campaign::{CampaignRecord, UnitSheetOutcome, UnitSheetRow};
use crate::devices::{DeviceActivity, DeviceAuth, DeviceRecord};
use crate::plans::{Approval, DeviceShare, PlanContent, PlanView};
use crate::push::QuarantinedEvent;
use crate::records::{DailyCount, HandoutLine, Records};
use crate::seed::Seed;
use crate::stock::{LedgerEntry, StockBalance};
use crate::top_ups::{TopUpRequestLine, TopUpStatus};

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    ActivityPlan, DeviceId, Grant, Item, ItemId, PlanId, PlanStatus, Section, SectionId,
    TopUpRequestId, Unit, UnitId,
};

use crate::error::StoreError;

/// Result of a store operation.
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// The central's storage. See the module docs.
pub trait Store: Send + Sync + 'static {
    // --- campaign, sections, units, items -------------------------------------------------

    /// The current campaign.
    fn campaign(&self) -> StoreResult<CampaignRecord>;
    /// Creates the campaign or replaces its fields (id kept).
    fn put_campaign(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        campaign: CampaignRecord,
    ) -> StoreResult<CampaignRecord>;
    /// The campaign's sections, in display order.
    fn sections(&self) -> StoreResult<Vec<Section>>;
    /// Adds a section to the current campaign.
    fn create_section(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        section: Section,
    ) -> StoreResult<Section>;
    /// Units, all or those of one section.
    fn units(&self, section: Option<SectionId>) -> StoreResult<Vec<Unit>>;
    /// One unit.
    fn unit(&self, id: UnitId) -> StoreResult<Unit>;
    /// Adds a unit.
    fn create_unit(&self, actor: &Actor, now: DateTime<Utc>, unit: Unit) -> StoreResult<Unit>;
    /// Replaces a unit's quota, link, contact, section and name.
    fn update_unit(&self, actor: &Actor, now: DateTime<Utc>, unit: Unit) -> StoreResult<Unit>;
    /// Items.
    fn items(&self) -> StoreResult<Vec<Item>>;
    /// Adds an item.
    fn create_item(&self, actor: &Actor, now: DateTime<Utc>, item: Item) -> StoreResult<Item>;

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

    // --- sync -----------------------------------------------------------------------------

    // --- collection counts and records ----------------------------------------------------

    /// Imports daily counts; a day already imported for a unit is replaced.
    fn import_counts(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        counts: Vec<DailyCount>,
    ) -> StoreResult<u32>;
    /// Daily counts, all or one unit's.
    fn counts(&self, unit: Option<UnitId>) -> StoreResult<Vec<DailyCount>>;
    /// The unit-quota records of the campaign.
    fn records(&self) -> StoreResult<Records>;

    // --- devices --------------------------------------------------------------------------

    /// Stores a one-time enrollment code's hash for a unit.
    fn add_enrollment_code(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        unit: UnitId,
        code_hash: String,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// Exchanges a code (by hash) for a new device holding `token_hash`.
    fn enroll(
        &self,
        now: DateTime<Utc>,
        code_hash: &str,
        device_name: String,
        token_hash: String,
    ) -> StoreResult<DeviceRecord>;
    /// The device a token hash belongs to.
    fn device_by_token(&self, token_hash: &str) -> StoreResult<Option<DeviceAuth>>;
    /// Devices, all or one unit's.
    fn devices(&self, unit: Option<UnitId>) -> StoreResult<Vec<DeviceRecord>>;
    /// Revokes a device.
    fn revoke_device(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: DeviceId,
    ) -> StoreResult<DeviceRecord>;

    // --- console users --------------------------------------------------------------------

    // --- audit and seeding ----------------------------------------------------------------

    /// Whether a seed of that name has been applied.
    fn seeded(&self, name: &str) -> StoreResult<bool>;
    /// Applies a seed in one transaction unless one of that name was applied before;
    /// returns whether it applied.
    fn apply_seed(&self, now: DateTime<Utc>, seed: &Seed) -> StoreResult<bool>;

    // --- the console ------------------------------------------------------------------------

    /// Creates or updates the units of an imported task table (and the sections it names)
    /// in one transaction.
    fn apply_unit_sheet(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        rows: Vec<UnitSheetRow>,
    ) -> StoreResult<UnitSheetOutcome>;
    /// Every handout, all or one unit's, in the order handed out.
    fn handout_lines(&self, unit: Option<UnitId>) -> StoreResult<Vec<HandoutLine>>;
    /// Handouts beyond their device's grant, not voided, newest first.
    fn over_grant_handouts(&self, limit: u32) -> StoreResult<Vec<HandoutLine>>;
    /// Quarantined device events, newest first.
    fn quarantined_events(&self, limit: u32) -> StoreResult<Vec<QuarantinedEvent>>;
    /// When each device last pushed.
    fn device_activity(&self) -> StoreResult<Vec<DeviceActivity>>;
}
