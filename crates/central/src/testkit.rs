//! Set-ups for tests that drive a real central (fieldpost-tests' end-to-end tests and benches),
//! built from the real store methods: a campaign, a unit, an item in stock, enrolled devices
//! with their bearer tokens, and an approved plan whose allocation is split into given grants.
//!
//! Behind the `testkit` cargo feature, off by default.
//!
//! ```no_run
//! # fn demo() -> Result<(), fieldpost_central::testkit::FixtureError> {
//! use fieldpost_central::{store::sqlite::SqliteStore, testkit};
//! let store = SqliteStore::open_dir(std::path::Path::new("/tmp/central"))?;
//! let now = chrono::Utc::now();
//! // A unit with two tablets and an approved plan (window: now ± 1 day) granting 500 masks each.
//! let f = testkit::unit_with_plan(&store, now, "单位甲", 2, 500)?;
//! let token = &f.devices[0].token; // Authorization: Bearer <token>
//! # let _ = token; Ok(()) }
//! ```

use chrono::{DateTime, Duration, NaiveDate, Utc};
use fieldpost_domain::{
    Campaign, CampaignId, DeviceId, Item, ItemId, ItemKind, ItemQuantity, PlanId, Section,
    SectionId, Unit, UnitId,
};

use crate::audit::Actor;
use crate::campaign::{self, CampaignRecord};
use crate::enrollment;
use crate::error::StoreError;
use crate::plans::{Approval, DeviceShare, PlanContent};
use crate::secrets::{enrollment_code_hash, random_token, sha256_hex};
use crate::storage::{Database, StorageError};
use crate::store::Store;

const ACTOR: Actor = Actor::System("testkit");

/// Why a set-up failed: the use case that refused, in its own words.
#[derive(Debug, thiserror::Error)]
pub enum FixtureError {
    /// The old store (plans, stock) refused.
    #[error(transparent)]
    Store(#[from] StoreError),
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

/// The store's campaign, creating a test campaign (collection window: `now` − 1 day to
/// `now` + 30 days) when there is none.
pub fn campaign(central: &dyn Database, now: DateTime<Utc>) -> FixtureResult<CampaignId> {
    if let Some(c) = campaign::campaign(central)? {
        return Ok(c.campaign.id);
    }
    let day = now.date_naive();
    let record = campaign::put_campaign(
        central,
        &ACTOR,
        now,
        &CampaignRecord {
            campaign: Campaign {
                id: CampaignId::new(),
                name: "测试调查".into(),
                city: "揭阳".into(),
                publicity_start: day.pred_opt().unwrap_or(NaiveDate::MIN),
                publicity_end: day,
                collection_start: now - Duration::days(1),
                collection_end: now + Duration::days(30),
                target: 50_000,
            },
            note: Some("testkit".into()),
        },
    )?;
    Ok(record.campaign.id)
}

fn section(central: &dyn Database, now: DateTime<Utc>) -> FixtureResult<SectionId> {
    if let Some(s) = campaign::sections(central)?
        .into_iter()
        .find(|s| s.code == "testkit")
    {
        return Ok(s.id);
    }
    Ok(campaign::create_section(
        central,
        &ACTOR,
        now,
        &Section {
            id: SectionId::new(),
            code: "testkit".into(),
            name: "测试版块".into(),
        },
    )?
    .id)
}

/// A new unit named `name` (quota 1,000) in the campaign, creating the campaign if needed.
pub fn unit(central: &dyn Database, now: DateTime<Utc>, name: &str) -> FixtureResult<UnitId> {
    let campaign_id = campaign(central, now)?;
    let section_id = section(central, now)?;
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
    central: &(impl Store + Database),
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
        central.receive(&ACTOR, now, item.id, stock, Some("testkit".into()))?;
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
    store: &dyn Store,
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
    store.file_plan(
        &ACTOR,
        now,
        id,
        unit,
        PlanContent {
            title: "测试宣传站".into(),
            location: "榕城区".into(),
            starts_at,
            ends_at,
            expected_people: 100,
            staff: "测试".into(),
            requested: allocation.clone(),
        },
    )?;
    store.approve_plan(
        &ACTOR,
        now,
        id,
        Approval {
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
    central: &(impl Store + Database),
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
