//! Set-ups for tests that drive a real central (fieldpost-tests' end-to-end tests and benches),
//! built from the real use cases: a campaign, a unit, an item in stock, enrolled devices
//! with their bearer tokens, and an approved plan whose allocation is split into given grants.
//!
//! Behind the `testkit` cargo feature, off by default.
//!
//! ```no_run
//! # fn demo() -> Result<(), fieldpost_central::testkit::FixtureError> {
//! use fieldpost_central::{storage::sqlite::SqliteDatabase, testkit};
//! let store = SqliteDatabase::open_dir(std::path::Path::new("/tmp/central"))?;
//! let now = chrono::Utc::now();
//! // A unit with two tablets and an approved plan (window: now ± 1 day) granting 500 masks each.
//! let f = testkit::unit_with_plan(&store, now, "单位甲", 2, 500)?;
//! let token = &f.devices[0].token; // Authorization: Bearer <token>
//! # let _ = token; Ok(()) }
//! ```

mod database;

pub use database::{Backend, POSTGRES_ENV, TestDatabase};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use fieldpost_domain::{
    Campaign, CampaignId, DeviceId, Item, ItemId, ItemKind, ItemQuantity, PlanId, SectionId, Unit,
    UnitId,
};

use crate::audit::Actor;
use crate::campaign::{self, CampaignRecord};
use crate::enrollment;
use crate::plans::{Approval, DeviceShare, PlanContent};
use crate::secrets::{enrollment_code_hash, random_token, sha256_hex};
use crate::seed::CampaignBuilder;
use crate::storage::{Database, StorageError};
use uuid::Uuid;

const ACTOR: Actor = Actor::System("testkit");

/// Why a set-up failed: the use case that refused, in its own words.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The stock receipt was refused.
    #[error(transparent)]
    Stock(#[from] crate::stock::StockError),
    /// The plan or its approval was refused.
    #[error(transparent)]
    Plan(#[from] crate::plans::PlanError),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The campaign was refused.
    #[error(transparent)]
    Campaign(#[from] campaign::PutCampaignError),
    /// The section was refused.
    #[error(transparent)]
    Section(#[from] campaign::CreateSectionError),
    /// The unit was refused.
    #[error(transparent)]
    Unit(#[from] campaign::UnitError),
    /// The item was refused.
    #[error(transparent)]
    Item(#[from] campaign::CreateItemError),
    /// The enrollment code was refused.
    #[error(transparent)]
    Code(#[from] enrollment::IssueCodeError),
    /// The enrollment was refused.
    #[error(transparent)]
    Enroll(#[from] enrollment::EnrollError),
    /// The world's seed was refused.
    #[error(transparent)]
    Seed(#[from] crate::seed::SeedError),
    /// The set-up asked for too much.
    #[error("{0}")]
    Invalid(&'static str),
}

/// Result of a set-up.
pub type FixtureResult<T> = Result<T, FixtureError>;

/// A device enrolled through a one-time code, as the station would hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enrolled {
    /// The device.
    pub device_id: DeviceId,
    /// Its unit.
    pub unit_id: UnitId,
    /// The unit's campaign.
    pub campaign_id: CampaignId,
    /// Its bearer token (only its hash is stored).
    pub token: String,
}

/// What [`unit_with_plan`] set up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fixture {
    /// The campaign.
    pub campaign_id: CampaignId,
    /// The unit.
    pub unit_id: UnitId,
    /// The item granted (masks).
    pub item_id: ItemId,
    /// The approved plan.
    pub plan_id: PlanId,
    /// The enrolled devices, each granted the same quantity.
    pub devices: Vec<Enrolled>,
}

/// The tests' campaign: Jieyang's, collecting from `collection_start` for ten days, with the
/// plan's target of 50,000.
pub fn campaign_record(collection_start: DateTime<Utc>) -> CampaignRecord {
    let day = collection_start.date_naive();
    CampaignRecord {
        campaign: Campaign {
            id: CampaignId::new(),
            name: "2022 网民网络安全感满意度调查活动（揭阳站）".into(),
            city: "揭阳".into(),
            publicity_start: day - chrono::Days::new(26),
            publicity_end: day.pred_opt().unwrap_or(NaiveDate::MIN),
            collection_start,
            collection_end: collection_start + Duration::days(10),
            target: 50_000,
        },
        note: Some("testkit".into()),
    }
}

/// The world every test starts from: a [`CampaignBuilder`] of the tests' campaign (see
/// [`campaign_record`]) with one section, 侨, whose id comes with it. The server's tests, the
/// cross-process tests and the benches add their units, items and users to it, and apply it.
pub fn world(collection_start: DateTime<Utc>) -> (CampaignBuilder, SectionId) {
    let mut b = CampaignBuilder::new(
        format!("testkit-{}", Uuid::now_v7()),
        campaign_record(collection_start),
    );
    let section = b.section("qiao", "侨");
    b.lottery_terms(
        crate::lottery::DEFAULT_CONSENT_TEXT,
        crate::lottery::DEFAULT_CONSENT_VERSION,
    );
    (b, section)
}

/// The store's campaign, creating the tests' (collecting from `now` − 1 day) when there is
/// none.
pub fn campaign(central: &dyn Database, now: DateTime<Utc>) -> FixtureResult<CampaignId> {
    if let Some(c) = campaign::campaign(central)? {
        return Ok(c.campaign.id);
    }
    let (b, _) = world(now - Duration::days(1));
    b.apply(central, now)?;
    Ok(b.campaign_id())
}

/// The campaign's first section (every world has one).
fn section(central: &dyn Database) -> FixtureResult<SectionId> {
    campaign::sections(central)?
        .first()
        .map(|s| s.id)
        .ok_or(FixtureError::Invalid("the campaign has no section"))
}

/// A new unit named `name` (quota 1,000) in the campaign, creating the campaign if needed.
pub fn unit(central: &dyn Database, now: DateTime<Utc>, name: &str) -> FixtureResult<UnitId> {
    let campaign_id = campaign(central, now)?;
    let section_id = section(central)?;
    let id = UnitId::new();
    Ok(campaign::create_unit(
        central,
        &ACTOR,
        now,
        &Unit {
            id,
            campaign_id,
            section_id,
            name: name.into(),
            quota: 1_000,
            survey_link: format!("https://survey.example/{id}"),
            contact: None,
        },
    )?
    .id)
}

/// A new gift item with `stock` received (nothing received when 0).
pub fn item(
    central: &dyn Database,
    now: DateTime<Utc>,
    code: &str,
    stock: u32,
) -> FixtureResult<ItemId> {
    campaign(central, now)?;
    let item = campaign::create_item(
        central,
        &ACTOR,
        now,
        &Item {
            id: ItemId::new(),
            code: code.into(),
            name: code.into(),
            kind: ItemKind::Gift,
            unit_label: "只".into(),
            donor: None,
        },
    )?;
    if stock > 0 {
        crate::stock::receive(central, &ACTOR, now, item.id, stock, Some("testkit"))?;
    }
    Ok(item.id)
}

/// Enrolls a device for `unit` the way `POST /api/v1/devices/enroll` does: issues a one-time
/// code, exchanges it, and returns the bearer token. (To enroll over HTTP instead, take the
/// code from [`enrollment::issue`] and send it.)
pub fn enroll(
    central: &dyn Database,
    now: DateTime<Utc>,
    unit: UnitId,
    name: &str,
) -> FixtureResult<Enrolled> {
    let issued = enrollment::issue(central, &ACTOR, unit, now, Duration::hours(24))?;
    let token = random_token("fpd_");
    let device = enrollment::enroll(
        central,
        now,
        &enrollment_code_hash(&issued.code),
        name,
        &sha256_hex(&token),
    )?;
    let campaign_id = campaign::unit(central, unit)?
        .ok_or(FixtureError::Invalid("the unit enrolled into is gone"))?
        .campaign_id;
    Ok(Enrolled {
        device_id: device.id,
        unit_id: unit,
        campaign_id,
        token,
    })
}

/// Files and approves a plan for `unit` whose window is `starts_at..=ends_at`. Its
/// allocation of each item is the sum of the `grants` of that item, and it is split into
/// exactly those grants (devices of the unit). Stock must be on hand (see [`item`]).
pub fn approved_plan(
    central: &dyn Database,
    now: DateTime<Utc>,
    unit: UnitId,
    starts_at: DateTime<Utc>,
    ends_at: DateTime<Utc>,
    grants: &[DeviceShare],
) -> FixtureResult<PlanId> {
    let mut allocation: Vec<ItemQuantity> = Vec::new();
    for g in grants {
        match allocation.iter_mut().find(|a| a.item_id == g.item_id) {
            Some(a) => a.quantity += g.quantity,
            None => allocation.push(ItemQuantity {
                item_id: g.item_id,
                quantity: g.quantity,
            }),
        }
    }
    let id = PlanId::new();
    crate::plans::file(
        central,
        &ACTOR,
        now,
        id,
        unit,
        &PlanContent {
            title: "测试宣传站".into(),
            location: "榕城区".into(),
            starts_at,
            ends_at,
            expected_people: 100,
            staff: "测试".into(),
            requested: allocation.clone(),
        },
    )?;
    crate::plans::approve(
        central,
        &ACTOR,
        now,
        id,
        &Approval {
            allocation,
            grants: Some(grants.to_vec()),
        },
    )?;
    Ok(id)
}

/// The usual set-up in one call: a new unit named `name`, a new mask item with just enough
/// stock, `devices` enrolled tablets, and an approved plan (window `now` − 1 day to `now` + 1
/// day) granting `per_device` masks to each.
pub fn unit_with_plan(
    central: &dyn Database,
    now: DateTime<Utc>,
    name: &str,
    devices: usize,
    per_device: u32,
) -> FixtureResult<Fixture> {
    let campaign_id = campaign(central, now)?;
    let unit_id = unit(central, now, name)?;
    let total = u32::try_from(devices)
        .ok()
        .and_then(|n| n.checked_mul(per_device))
        .ok_or(FixtureError::Invalid("per_device: too many masks"))?;
    let item_id = item(central, now, &format!("mask-{unit_id}"), total)?;
    let enrolled = (0..devices)
        .map(|i| enroll(central, now, unit_id, &format!("{name} 平板 {}", i + 1)))
        .collect::<FixtureResult<Vec<_>>>()?;
    let grants: Vec<DeviceShare> = enrolled
        .iter()
        .filter(|_| per_device > 0)
        .map(|d| DeviceShare {
            device_id: d.device_id,
            item_id,
            quantity: per_device,
        })
        .collect();
    let plan_id = approved_plan(
        central,
        now,
        unit_id,
        now - Duration::days(1),
        now + Duration::days(1),
        &grants,
    )?;
    Ok(Fixture {
        campaign_id,
        unit_id,
        item_id,
        plan_id,
        devices: enrolled,
    })
}

/// The central's use cases as methods on its database, for tests that drive the central
/// directly rather than over HTTP: `central.approve_plan(…)` calls [`crate::plans::approve`].
/// Nothing here decides anything; each method is the use case it names.
pub trait Direct {
    /// The database the use cases run on.
    fn db(&self) -> &dyn crate::storage::Database;

    /// [`crate::plans::plan`].
    fn plan(
        &self,
        id: PlanId,
    ) -> std::result::Result<crate::plans::PlanView, crate::plans::PlanError> {
        crate::plans::plan(self.db(), id)
    }
    /// [`crate::plans::plans`].
    fn plans(
        &self,
        unit: Option<UnitId>,
        status: Option<fieldpost_domain::PlanStatus>,
    ) -> std::result::Result<Vec<fieldpost_domain::ActivityPlan>, crate::storage::StorageError>
    {
        crate::plans::plans(self.db(), unit, status)
    }
    /// [`crate::plans::file`].
    fn file_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        unit: UnitId,
        content: PlanContent,
    ) -> std::result::Result<crate::plans::PlanView, crate::plans::PlanError> {
        crate::plans::file(self.db(), actor, now, id, unit, &content)
    }
    /// [`crate::plans::revise`].
    fn revise_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        content: PlanContent,
    ) -> std::result::Result<crate::plans::PlanView, crate::plans::PlanError> {
        crate::plans::revise(self.db(), actor, now, id, &content)
    }
    /// [`crate::plans::approve`].
    fn approve_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        approval: Approval,
    ) -> std::result::Result<crate::plans::PlanView, crate::plans::PlanError> {
        crate::plans::approve(self.db(), actor, now, id, &approval)
    }
    /// [`crate::plans::reject`].
    fn reject_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        reason: String,
    ) -> std::result::Result<crate::plans::PlanView, crate::plans::PlanError> {
        crate::plans::reject(self.db(), actor, now, id, &reason)
    }
    /// [`crate::plans::close`].
    fn close_plan(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
    ) -> std::result::Result<crate::plans::PlanView, crate::plans::PlanError> {
        crate::plans::close(self.db(), actor, now, id)
    }
    /// [`crate::grants::allocate_more`].
    fn allocate(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        item: ItemId,
        quantity: u32,
    ) -> std::result::Result<crate::plans::PlanView, crate::plans::PlanError> {
        crate::grants::allocate_more(self.db(), actor, now, id, item, quantity)
    }
    /// [`crate::grants::return_allocation`].
    fn return_allocation(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        item: ItemId,
        quantity: u32,
    ) -> std::result::Result<crate::plans::PlanView, crate::plans::PlanError> {
        crate::grants::return_allocation(self.db(), actor, now, id, item, quantity)
    }
    /// [`crate::grants::grant`].
    fn grant(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        share: DeviceShare,
    ) -> std::result::Result<fieldpost_domain::Grant, crate::plans::PlanError> {
        crate::grants::grant(self.db(), actor, now, id, share)
    }
    /// [`crate::grants::release`].
    fn release(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: PlanId,
        share: DeviceShare,
    ) -> std::result::Result<crate::plans::PlanView, crate::plans::PlanError> {
        crate::grants::release(self.db(), actor, now, id, share)
    }
    /// [`crate::stock::stock`].
    fn stock(
        &self,
    ) -> std::result::Result<Vec<crate::stock::StockBalance>, crate::storage::StorageError> {
        crate::stock::stock(self.db())
    }
    /// [`crate::stock::ledger`].
    fn ledger(
        &self,
        item: Option<ItemId>,
        after_seq: i64,
        limit: u32,
    ) -> std::result::Result<Vec<crate::stock::LedgerEntry>, crate::storage::StorageError> {
        crate::stock::ledger(self.db(), item, after_seq, limit)
    }
    /// [`crate::stock::receive`].
    fn receive(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        item: ItemId,
        quantity: u32,
        note: Option<String>,
    ) -> std::result::Result<crate::stock::LedgerEntry, crate::stock::StockError> {
        crate::stock::receive(self.db(), actor, now, item, quantity, note.as_deref())
    }
    /// [`crate::stock::write_off`].
    fn write_off(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        item: ItemId,
        quantity: u32,
        note: Option<String>,
    ) -> std::result::Result<crate::stock::LedgerEntry, crate::stock::StockError> {
        crate::stock::write_off(self.db(), actor, now, item, quantity, note.as_deref())
    }
    /// [`crate::top_ups::requests`].
    fn top_up_requests(
        &self,
        unit: Option<UnitId>,
        status: Option<crate::top_ups::TopUpStatus>,
    ) -> std::result::Result<Vec<crate::top_ups::TopUpRequestLine>, crate::storage::StorageError>
    {
        crate::top_ups::requests(self.db(), unit, status)
    }
    /// [`crate::top_ups::fulfil`].
    fn fulfil_top_up(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: fieldpost_domain::TopUpRequestId,
        quantity: Option<u32>,
    ) -> std::result::Result<crate::top_ups::TopUpRequestLine, crate::top_ups::TopUpError> {
        crate::top_ups::fulfil(self.db(), actor, now, id, quantity)
    }
    /// [`crate::top_ups::decline`].
    fn decline_top_up(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
        id: fieldpost_domain::TopUpRequestId,
        reason: String,
    ) -> std::result::Result<crate::top_ups::TopUpRequestLine, crate::top_ups::TopUpError> {
        crate::top_ups::decline(self.db(), actor, now, id, &reason)
    }
}

impl<D: crate::storage::Database> Direct for D {
    fn db(&self) -> &dyn crate::storage::Database {
        self
    }
}

impl Direct for dyn crate::storage::Database {
    fn db(&self) -> &dyn crate::storage::Database {
        self
    }
}
