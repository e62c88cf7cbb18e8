//! Seeds: a set of records written in one transaction at most once per name (the demo campaign).

use chrono::{DateTime, Utc};
use fieldpost_domain::{ActivityPlan, Item, ItemId, Section, Unit};

use crate::audit::Actor;
use crate::campaign::{self, CampaignRecord};
use crate::plans::{Approval, PlanContent};
use crate::records::{self, DailyCount};
use crate::storage::{self, Database, StorageError};
use crate::users::{self, NewUser};

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

/// Why a seed was not applied (nothing of it was): the part it failed at, refused as that
/// part's use case refuses.
#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    /// The campaign.
    #[error("campaign: {0}")]
    Campaign(#[from] campaign::PutCampaignError),
    /// A section.
    #[error("section: {0}")]
    Section(#[from] campaign::CreateSectionError),
    /// A unit.
    #[error("unit: {0}")]
    Unit(#[from] campaign::UnitError),
    /// An item.
    #[error("item: {0}")]
    Item(#[from] campaign::CreateItemError),
    /// A stock receipt.
    #[error("receipt: {0}")]
    Receipt(#[from] crate::stock::StockError),
    /// A plan, or its approval.
    #[error("plan: {0}")]
    Plan(#[from] crate::plans::PlanError),
    /// The collection counts.
    #[error("counts: {0}")]
    Counts(#[from] records::ImportCountsError),
    /// A console user.
    #[error("user: {0}")]
    User(#[from] users::CreateUserError),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Whether a seed of that name has been applied.
pub fn seeded(db: &dyn Database, name: &str) -> Result<bool, StorageError> {
    storage::read(db, |tx| tx.seeds().applied(name))
}

/// Applies a seed in one transaction, through the same rules as the console's use cases,
/// unless one of that name was applied before; returns whether it applied.
pub fn apply_seed(db: &dyn Database, now: DateTime<Utc>, seed: &Seed) -> Result<bool, SeedError> {
    let actor = Actor::System("seed");
    storage::write(db, |tx| {
        if tx.seeds().applied(&seed.name)? {
            return Ok(false);
        }
        campaign::put(tx, &actor, now, &seed.campaign)?;
        for s in &seed.sections {
            campaign::add_section(tx, &actor, now, s)?;
        }
        for u in &seed.units {
            campaign::add_unit(tx, &actor, now, u)?;
        }
        for i in &seed.items {
            campaign::add_item(tx, &actor, now, i)?;
        }
        for r in &seed.receipts {
            crate::stock::receive_in(tx, &actor, now, r.item_id, r.quantity, r.note.as_deref())?;
        }
        for p in &seed.plans {
            let plan = &p.plan;
            let content = PlanContent {
                title: plan.title.clone(),
                location: plan.location.clone(),
                starts_at: plan.starts_at,
                ends_at: plan.ends_at,
                expected_people: plan.expected_people,
                staff: plan.staff.clone(),
                requested: plan.requested.clone(),
            };
            crate::plans::file_in(tx, &actor, now, plan.id, plan.unit_id, &content)?;
            if let Some(approval) = &p.approve {
                crate::plans::approve_in(tx, &actor, now, plan.id, approval)?;
            }
        }
        records::add_counts(tx, &actor, now, &seed.counts)?;
        for u in &seed.users {
            users::add_user(tx, &actor, now, &u.user, &u.password_hash)?;
        }
        tx.seeds().mark(&seed.name, now)?;
        Ok(true)
    })
}
