//! Seeds: a set of records written in one transaction at most once per name (the demo campaign).

use fieldpost_domain::{ActivityPlan, Item, ItemId, Section, Unit};

use crate::campaign::CampaignRecord;
use crate::plans::Approval;
use crate::records::DailyCount;
use crate::users::NewUser;

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
