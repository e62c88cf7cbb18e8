//! The central's storage, behind one narrow interface.
//!
//! Handlers call [`Store`] and nothing else; [`sqlite::SqliteStore`] is the embedded default.
//! A PostgreSQL backend implements the same trait. The methods are blocking (SQLite is; a
//! PostgreSQL backend may use a blocking client too): the HTTP layer runs them on tokio's
//! blocking pool. Every method that changes something runs in one transaction that also checks
//! the quantities it changes, writes the audit log and stamps the change log.

mod console;
pub mod sqlite;

pub use console::{
    DeviceActivity, HandoutLine, QuarantinedEvent, TopUpRequestLine, TopUpStatus, UnitSheetOutcome,
    UnitSheetRow,
};

use chrono::{DateTime, NaiveDate, Utc};
use fieldpost_domain::{
    ActivityPlan, Campaign, CheckInId, DeviceEvent, DeviceId, Grant, Handout, HandoutVoid, Item,
    ItemId, ItemQuantity, PlanId, PlanStatus, Section, SectionId, StationSession, TopUpRequestId,
    Unit, UnitId,
};
use fieldpost_sync::{PullResponse, PushResponse};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::StoreError;

/// Result of a store operation.
pub type StoreResult<T> = std::result::Result<T, StoreError>;

/// Who did something, as the audit log and the ledger record it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// A console user.
    User {
        /// The user's id.
        id: Uuid,
        /// The user's login name.
        username: String,
    },
    /// An enrolled device.
    Device(DeviceId),
    /// The server itself or its CLI (e.g. `demo`, `cli`).
    System(&'static str),
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Actor::User { username, .. } => write!(f, "user:{username}"),
            Actor::Device(id) => write!(f, "device:{id}"),
            Actor::System(name) => write!(f, "system:{name}"),
        }
    }
}

/// The campaign with the secretariat's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CampaignRecord {
    /// The campaign.
    #[serde(flatten)]
    pub campaign: Campaign,
    /// Free text, e.g. that the quotas are illustrative.
    pub note: Option<String>,
}

/// A stock movement kind (one row of the ledger).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LedgerKind {
    /// Stock received from a donor: on hand +.
    Receipt,
    /// Stock lost or damaged: on hand −.
    WriteOff,
    /// Stock allocated to an approved plan: on hand −, plan +.
    Allocation,
    /// Unspent allocation back to stock: plan −, on hand +.
    Return,
    /// Part of a plan's allocation granted to one device.
    Grant,
    /// Part of a device's grant given back to the plan.
    Release,
    /// Items handed out by a device, within its grant.
    Handout,
    /// A handout cancelled; gives its quantity back to the device's grant.
    HandoutVoid,
}

impl LedgerKind {
    /// Every kind.
    pub const ALL: [LedgerKind; 8] = [
        LedgerKind::Receipt,
        LedgerKind::WriteOff,
        LedgerKind::Allocation,
        LedgerKind::Return,
        LedgerKind::Grant,
        LedgerKind::Release,
        LedgerKind::Handout,
        LedgerKind::HandoutVoid,
    ];

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            LedgerKind::Receipt => "receipt",
            LedgerKind::WriteOff => "write_off",
            LedgerKind::Allocation => "allocation",
            LedgerKind::Return => "return",
            LedgerKind::Grant => "grant",
            LedgerKind::Release => "release",
            LedgerKind::Handout => "handout",
            LedgerKind::HandoutVoid => "handout_void",
        }
    }

    /// Parses [`LedgerKind::as_str`]'s output.
    pub fn parse(s: &str) -> Option<LedgerKind> {
        LedgerKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// One row of the stock ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// Position in the ledger.
    pub seq: i64,
    /// Identity (a grant's id for grant rows).
    pub id: Uuid,
    /// The item.
    pub item_id: ItemId,
    /// What kind of movement.
    pub kind: LedgerKind,
    /// How many; always at least one.
    pub quantity: u32,
    /// The plan, for plan-side movements.
    pub plan_id: Option<PlanId>,
    /// The device, for grant-side movements.
    pub device_id: Option<DeviceId>,
    /// Free text, e.g. the donor's delivery note.
    pub note: Option<String>,
    /// Who recorded it.
    pub actor: String,
    /// When.
    pub created_at: DateTime<Utc>,
}

/// Balances of one item, derived from the ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockBalance {
    /// The item.
    pub item: Item,
    /// Everything ever received.
    pub received: u64,
    /// Everything written off.
    pub written_off: u64,
    /// Allocated to plans, net of returns.
    pub allocated: u64,
    /// Handed out within grants, net of voids.
    pub handed_out: u64,
    /// In the secretariat's store room: received − written off − allocated.
    pub on_hand: u64,
}

/// A plan's standing for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanItemBalance {
    /// The item.
    pub item_id: ItemId,
    /// What the unit asked for.
    pub requested: u64,
    /// Allocated, net of returns.
    pub allocated: u64,
    /// Granted to devices, net of releases.
    pub granted: u64,
    /// Handed out (every reported handout not voided, exceptions included).
    pub handed_out: u64,
    /// The part of `handed_out` beyond the devices' grants: exceptions to reconcile.
    pub unbacked: u64,
}

/// One device's net grant under a plan for one item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceGrantBalance {
    /// The device.
    pub device_id: DeviceId,
    /// The item.
    pub item_id: ItemId,
    /// Granted, net of releases.
    pub granted: u64,
    /// Handed out within the grant, net of voids.
    pub handed_out: u64,
    /// What the device may still hand out.
    pub available: u64,
}

/// A plan with its balances.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanView {
    /// The plan (its `allocation` is the current net allocation).
    pub plan: ActivityPlan,
    /// Per item.
    pub items: Vec<PlanItemBalance>,
    /// Per device and item.
    pub devices: Vec<DeviceGrantBalance>,
    /// The individual grants, in the order they were made.
    pub grants: Vec<Grant>,
}

/// How the secretariat approves a plan.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Approval {
    /// The allocation per item.
    pub allocation: Vec<ItemQuantity>,
    /// An explicit split among devices; `None` splits each item evenly among the unit's
    /// active devices.
    pub grants: Option<Vec<DeviceShare>>,
}

/// One device's share of an allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceShare {
    /// The device.
    pub device_id: DeviceId,
    /// The item.
    pub item_id: ItemId,
    /// How many.
    pub quantity: u32,
}

/// What the ledger made of a reported handout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoutOutcome {
    /// The part the device's grant covered.
    pub backed: u32,
    /// The part beyond it, flagged for the secretariat.
    pub unbacked: u32,
    /// False when the same handout had been recorded before (idempotent replay).
    pub newly_recorded: bool,
}

/// What the content of a plan says (filed or revised).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanContent {
    /// What the activity is called.
    pub title: String,
    /// Where.
    pub location: String,
    /// From.
    pub starts_at: DateTime<Utc>,
    /// Until.
    pub ends_at: DateTime<Utc>,
    /// How many people the unit expects to reach.
    pub expected_people: u32,
    /// Who staffs it.
    pub staff: String,
    /// Gifts asked for.
    pub requested: Vec<ItemQuantity>,
}

/// Questionnaires collected through one unit's link on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyCount {
    /// The unit.
    pub unit_id: UnitId,
    /// The day (China time).
    pub day: NaiveDate,
    /// How many.
    pub count: u32,
}

/// Items allocated and handed out, for one unit or one plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFlow {
    /// The item.
    pub item_id: ItemId,
    /// Allocated, net of returns.
    pub allocated: u64,
    /// Handed out, net of voids, exceptions included.
    pub handed_out: u64,
}

/// A plan's line in a unit's record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanRecord {
    /// The plan.
    pub plan_id: PlanId,
    /// Its title.
    pub title: String,
    /// Its status.
    pub status: PlanStatus,
    /// Items allocated and handed out under it.
    pub items: Vec<ItemFlow>,
}

/// A unit's quota record (采集任务 vs 采集量).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitRecord {
    /// The unit.
    pub unit: Unit,
    /// Questionnaires collected (sum of imported daily counts).
    pub collected: u64,
    /// collected / quota, in percent (0 when the quota is 0).
    pub progress_percent: f64,
    /// 1 = most collected; units with equal counts share a rank.
    pub rank: u32,
    /// Items allocated and handed out across the unit's plans.
    pub items: Vec<ItemFlow>,
    /// Per plan.
    pub plans: Vec<PlanRecord>,
}

/// A section's rollup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SectionRecord {
    /// The section.
    pub section: Section,
    /// Units in it.
    pub units: u32,
    /// Sum of their quotas.
    pub quota: u64,
    /// Sum of their collection counts.
    pub collected: u64,
    /// collected / quota, in percent.
    pub progress_percent: f64,
}

/// The campaign's rollup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignRollup {
    /// The campaign's target.
    pub target: u64,
    /// Sum of all quotas.
    pub quota: u64,
    /// Sum of all collection counts.
    pub collected: u64,
    /// collected / target, in percent.
    pub progress_percent: f64,
}

/// The unit-quota records of the whole campaign.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Records {
    /// The campaign.
    pub campaign: CampaignRecord,
    /// The campaign's rollup.
    pub totals: CampaignRollup,
    /// Per section.
    pub sections: Vec<SectionRecord>,
    /// Per unit, by rank.
    pub units: Vec<UnitRecord>,
}

/// A device as the console lists it (never its token).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeviceRecord {
    /// Identity.
    pub id: DeviceId,
    /// The unit it acts for.
    pub unit_id: UnitId,
    /// Its name.
    pub name: String,
    /// When it enrolled.
    pub enrolled_at: DateTime<Utc>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// The device a bearer token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceAuth {
    /// The device.
    pub id: DeviceId,
    /// Its unit.
    pub unit_id: UnitId,
    /// Whether it has been revoked.
    pub revoked: bool,
}

/// A console user's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// May change things.
    Admin,
    /// Read-only.
    Viewer,
}

impl Role {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Viewer => "viewer",
        }
    }

    /// Parses [`Role::as_str`]'s output.
    pub fn parse(s: &str) -> Option<Role> {
        [Role::Admin, Role::Viewer]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// A console user (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    /// Identity.
    pub id: Uuid,
    /// Login name.
    pub username: String,
    /// Role.
    pub role: Role,
    /// Set for a unit's own user (a team leader): scoped to that unit. `None` is the
    /// secretariat.
    pub unit_id: Option<UnitId>,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// The user.
    pub user: User,
    /// Its argon2 PHC string.
    pub password_hash: String,
}

/// One audit-log line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// Position.
    pub seq: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub actor: String,
    /// What, e.g. `plan.approve`.
    pub action: String,
    /// On what, e.g. the plan id.
    pub subject: Option<String>,
    /// The request's substance.
    pub detail: serde_json::Value,
}

/// A stock receipt in a seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedReceipt {
    /// The item.
    pub item_id: ItemId,
    /// How many.
    pub quantity: u32,
    /// The delivery note.
    pub note: Option<String>,
}

/// A plan in a seed: filed, and approved when `approve` is set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedPlan {
    /// The plan as filed (status is ignored: it is filed as submitted).
    pub plan: ActivityPlan,
    /// The approval, if any.
    pub approve: Option<Approval>,
}

/// Everything a seed writes, in one transaction, at most once per name.
#[derive(Debug, Clone, PartialEq)]
pub struct Seed {
    /// The marker: a seed of the same name is never applied twice.
    pub name: String,
    /// The campaign.
    pub campaign: CampaignRecord,
    /// Its sections.
    pub sections: Vec<Section>,
    /// Its units.
    pub units: Vec<Unit>,
    /// Its items.
    pub items: Vec<Item>,
    /// Stock received.
    pub receipts: Vec<SeedReceipt>,
    /// Plans filed (and approved).
    pub plans: Vec<SeedPlan>,
    /// Collection counts.
    pub counts: Vec<DailyCount>,
    /// Console users.
    pub users: Vec<NewUser>,
}

/// One event of a push, with its JSON text as the device sent it and the digest a replay is
/// compared by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushedEvent {
    /// The event.
    pub event: DeviceEvent,
    /// Its JSON text as sent: what the central stores as the event's body (an applied
    /// handout's content is its handouts row instead).
    pub canonical: String,
    /// [`event_digest`] of `event`.
    pub digest: [u8; 16],
}

impl PushedEvent {
    /// The event with its text as sent; computes the digest (call it off the store's writer:
    /// the push route does, on the request's own task).
    pub fn new(event: DeviceEvent, canonical: String) -> Self {
        let digest = event_digest(&event);
        PushedEvent {
            event,
            canonical,
            digest,
        }
    }
}

/// What identifies an event's content whatever its JSON formatting: the first 16 bytes of the
/// SHA-256 of the event as the central serializes it (field order fixed by the type, times in
/// one RFC 3339 form). Two pushes of one event have the same digest; an event with anything
/// changed has another one.
///
/// A handout (nearly every event) is fed to the hash field by field in a fixed binary layout
/// instead, which costs a quarter of serializing it; the layout starts with a tag that no JSON
/// text starts with, so the two forms never meet.
pub fn event_digest(event: &DeviceEvent) -> [u8; 16] {
    use sha2::Digest as _;
    let mut hasher = sha2::Sha256::new();
    // Taken apart field by field, so that a field added to either type fails to compile here
    // instead of silently not counting.
    let DeviceEvent {
        id,
        device_id,
        seq,
        recorded_at,
        payload,
    } = event;
    if let fieldpost_domain::EventPayload::HandoutRecorded { handout } = payload {
        let fieldpost_domain::Handout {
            id: handout_id,
            session_id,
            plan_id,
            item_id,
            quantity,
            handed_out_at,
            over_grant_reason,
        } = handout;
        let time = |t: &chrono::DateTime<chrono::Utc>| {
            let mut b = [0; 12];
            b[..8].copy_from_slice(&t.timestamp().to_le_bytes());
            b[8..].copy_from_slice(&t.timestamp_subsec_nanos().to_le_bytes());
            b
        };
        hasher.update(b"fieldpost handout_recorded v1\0");
        hasher.update(id.0.as_bytes());
        hasher.update(device_id.0.as_bytes());
        hasher.update(seq.to_le_bytes());
        hasher.update(time(recorded_at));
        hasher.update(handout_id.0.as_bytes());
        hasher.update(session_id.0.as_bytes());
        hasher.update(plan_id.0.as_bytes());
        hasher.update(item_id.0.as_bytes());
        hasher.update(quantity.to_le_bytes());
        hasher.update(time(handed_out_at));
        match over_grant_reason {
            None => hasher.update([0]),
            Some(reason) => {
                hasher.update([1]);
                hasher.update((reason.len() as u64).to_le_bytes());
                hasher.update(reason.as_bytes());
            }
        }
    } else {
        // Serializing a DeviceEvent into a hasher cannot fail: every field is a plain value.
        let _ = serde_json::to_writer(HashWriter(&mut hasher), event);
    }
    let full = hasher.finalize();
    let mut digest = [0; 16];
    digest.copy_from_slice(&full[..16]);
    digest
}

struct HashWriter<'a>(&'a mut sha2::Sha256);

impl std::io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        sha2::Digest::update(self.0, buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A volunteer's check-in at a session, with the hours it makes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VolunteerHours {
    /// The check-in.
    pub check_in_id: CheckInId,
    /// The volunteer's name.
    pub volunteer_name: String,
    /// The volunteer's i志愿 platform id.
    pub ivolunteer_id: Option<String>,
    /// When they checked in.
    pub checked_in_at: DateTime<Utc>,
    /// When they checked out, if they have.
    pub checked_out_at: Option<DateTime<Utc>>,
    /// Whole minutes served, once checked out.
    pub minutes: Option<u64>,
}

/// A station session as the central holds it: tallies, volunteers and what looked odd.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionRecord {
    /// The session.
    pub session: StationSession,
    /// Its unit.
    pub unit_id: UnitId,
    /// People reached.
    pub people_reached: u32,
    /// Questionnaires the volunteers helped fill in.
    pub questionnaires_assisted: u32,
    /// What the central found odd but kept, e.g. `plan_closed`, `outside_plan_window`.
    pub exception: Option<String>,
    /// Volunteer check-ins.
    pub volunteers: Vec<VolunteerHours>,
}

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

    /// Adds a console user.
    fn create_user(&self, actor: &Actor, now: DateTime<Utc>, user: NewUser) -> StoreResult<User>;
    /// Users.
    fn users(&self) -> StoreResult<Vec<User>>;
    /// A user and their password hash, by login name.
    fn user_credentials(&self, username: &str) -> StoreResult<Option<(User, String)>>;
    /// Starts a console session.
    fn create_session(
        &self,
        now: DateTime<Utc>,
        user: Uuid,
        token_hash: String,
        expires_at: DateTime<Utc>,
    ) -> StoreResult<()>;
    /// The user of an unexpired session.
    fn session_user(&self, now: DateTime<Utc>, token_hash: &str) -> StoreResult<Option<User>>;
    /// Ends a session.
    fn delete_session(&self, token_hash: &str) -> StoreResult<()>;

    // --- audit and seeding ----------------------------------------------------------------

    /// The newest audit entries, newest first.
    fn audit(&self, limit: u32) -> StoreResult<Vec<AuditEntry>>;
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
