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
use crate::plans::{HandoutOutcome, PlanContent};
use crate::push::{PushedEvent, QuarantinedEvent};
use crate::records::{DailyCount, HandoutLine, Records, SessionRecord};
use crate::seed::Seed;

use chrono::{DateTime, Utc};
use fieldpost_domain::{DeviceId, Handout, HandoutVoid, Item, Section, SectionId, Unit, UnitId};
use fieldpost_sync::{PullResponse, PushResponse};

use crate::error::StoreError;

/// Result of a store operation.
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// The central's storage. See the module docs.
pub trait Store: Send + Sync + 'static {
    /// The same records as the storage seam's database, for the use cases that have moved
    /// above it while the rest of this trait still stands.
    fn database(&self) -> &dyn crate::storage::Database;

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

    // --- plans ----------------------------------------------------------------------------

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
