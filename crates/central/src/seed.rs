//! Seeds: a set of records written in one transaction at most once per name, and the one
//! [`CampaignBuilder`] that builds them: the demo's campaign, the server tests' and the
//! cross-process tests' worlds, and the benches' all come from it.

use chrono::{DateTime, Utc};
use fieldpost_domain::{
    ActivityPlan, CampaignId, Item, ItemId, ItemKind, Section, SectionId, Unit, UnitId,
};
use uuid::Uuid;

use crate::audit::Actor;
use crate::campaign::{self, CampaignRecord};
use crate::lottery::TermsInput;
use crate::plans::Approval;
use crate::records::{self, DailyCount};
use crate::storage::{self, Database, StorageError};
use crate::users::{self, NewUser, Role, User};

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
    /// The lottery's terms, if the seed sets them (the key is made at the central's start,
    /// [`crate::lottery::prepare`], or when the terms are next saved).
    pub lottery: Option<TermsInput>,
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
    /// The lottery's terms.
    #[error("lottery: {0}")]
    Lottery(#[from] crate::lottery::LotteryError),
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
            crate::plans::file_in(tx, &actor, now, plan.id, plan.unit_id, &plan.content())?;
            if let Some(approval) = &p.approve {
                crate::plans::approve_in(tx, &actor, now, plan.id, approval)?;
            }
        }
        records::add_counts(tx, &actor, now, &seed.counts)?;
        for u in &seed.users {
            users::add_user(tx, &actor, now, &u.user, &u.password_hash)?;
        }
        if let Some(terms) = &seed.lottery {
            crate::lottery::seed_terms_in(tx, &actor, now, terms)?;
        }
        tx.seeds().mark(&seed.name, now)?;
        Ok(true)
    })
}

/// Builds a campaign's [`Seed`] step by step, handing back the id of each record it adds, so
/// that whoever builds a world (the demo, a test, a bench) names its units and items by the
/// ids it was given:
///
/// ```
/// # use fieldpost_central::seed::CampaignBuilder;
/// # use fieldpost_central::campaign::CampaignRecord;
/// # fn demo(record: CampaignRecord) {
/// let mut b = CampaignBuilder::new("my-world", record);
/// let qiao = b.section("qiao", "侨");
/// let unit = b.unit(qiao, "揭阳市侨联", 3_000, "https://survey.example/q");
/// let mask = b.gift("mask", "医疗专用口罩", "只");
/// b.receive(mask, 10_000, None);
/// let seed = b.into_seed();
/// # let _ = (unit, seed); }
/// ```
#[derive(Debug, Clone)]
pub struct CampaignBuilder {
    seed: Seed,
}

impl CampaignBuilder {
    /// A seed named `name` (applied at most once) of the campaign `record`.
    pub fn new(name: impl Into<String>, record: CampaignRecord) -> CampaignBuilder {
        CampaignBuilder {
            seed: Seed {
                name: name.into(),
                campaign: record,
                sections: Vec::new(),
                units: Vec::new(),
                items: Vec::new(),
                receipts: Vec::new(),
                plans: Vec::new(),
                counts: Vec::new(),
                users: Vec::new(),
                lottery: None,
            },
        }
    }

    /// Sets the lottery's consent text and version.
    pub fn lottery_terms(&mut self, consent_text: &str, consent_version: &str) {
        self.seed.lottery = Some(TermsInput {
            consent_text: consent_text.into(),
            consent_version: consent_version.into(),
        });
    }

    /// The campaign's id.
    pub fn campaign_id(&self) -> CampaignId {
        self.seed.campaign.campaign.id
    }

    /// Sets the campaign's target of valid questionnaires.
    pub fn target(&mut self, target: u32) -> &mut CampaignBuilder {
        self.seed.campaign.campaign.target = target;
        self
    }

    /// Adds a section after the others.
    pub fn section(&mut self, code: &str, name: &str) -> SectionId {
        let id = SectionId::new();
        self.seed.sections.push(Section {
            id,
            code: code.into(),
            name: name.into(),
        });
        id
    }

    /// Adds a unit of `section` with its quota and exclusive survey link.
    pub fn unit(&mut self, section: SectionId, name: &str, quota: u32, link: &str) -> UnitId {
        let id = UnitId::new();
        self.seed.units.push(Unit {
            id,
            campaign_id: self.campaign_id(),
            section_id: section,
            name: name.into(),
            quota,
            survey_link: link.into(),
            contact: None,
        });
        id
    }

    /// Adds an item.
    pub fn item(&mut self, item: Item) -> ItemId {
        let id = item.id;
        self.seed.items.push(item);
        id
    }

    /// Adds a gift handed out at stations (no donor named).
    pub fn gift(&mut self, code: &str, name: &str, unit_label: &str) -> ItemId {
        self.item(Item {
            id: ItemId::new(),
            code: code.into(),
            name: name.into(),
            kind: ItemKind::Gift,
            unit_label: unit_label.into(),
            donor: None,
        })
    }

    /// Receives `quantity` of `item` into the store room (nothing when 0).
    pub fn receive(&mut self, item: ItemId, quantity: u32, note: Option<String>) {
        if quantity > 0 {
            self.seed.receipts.push(SeedReceipt {
                item_id: item,
                quantity,
                note,
            });
        }
    }

    /// Files a plan, and approves it when `approve` is set.
    pub fn plan(&mut self, plan: ActivityPlan, approve: Option<Approval>) {
        self.seed.plans.push(SeedPlan { plan, approve });
    }

    /// Adds daily collection counts.
    pub fn counts(&mut self, counts: impl IntoIterator<Item = DailyCount>) {
        self.seed.counts.extend(counts);
    }

    /// Adds a console user (`unit` None: the secretariat's) whose password hashes to
    /// `password_hash`.
    pub fn user(
        &mut self,
        username: &str,
        role: Role,
        unit: Option<UnitId>,
        password_hash: &str,
    ) -> Uuid {
        let id = Uuid::now_v7();
        self.seed.users.push(NewUser {
            user: User {
                id,
                username: username.into(),
                role,
                unit_id: unit,
                carrier: None,
            },
            password_hash: password_hash.into(),
        });
        id
    }

    /// Adds a carrier's account (role `carrier`) for `carrier`, whose password hashes to
    /// `password_hash`.
    pub fn carrier_account(
        &mut self,
        username: &str,
        carrier: fieldpost_domain::Carrier,
        password_hash: &str,
    ) -> Uuid {
        let id = Uuid::now_v7();
        self.seed.users.push(NewUser {
            user: User {
                id,
                username: username.into(),
                role: Role::Carrier,
                unit_id: None,
                carrier: Some(carrier),
            },
            password_hash: password_hash.into(),
        });
        id
    }

    /// The seed so far, to look up what was added.
    pub fn seed(&self) -> &Seed {
        &self.seed
    }

    /// The seed, to apply with [`apply_seed`].
    pub fn into_seed(self) -> Seed {
        self.seed
    }

    /// Applies the seed to `db` (see [`apply_seed`]).
    pub fn apply(&self, db: &dyn Database, now: DateTime<Utc>) -> Result<bool, SeedError> {
        apply_seed(db, now, &self.seed)
    }
}
