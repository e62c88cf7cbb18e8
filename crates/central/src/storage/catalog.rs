//! The tables of the campaign and its catalog: the campaign, its sections and items (units
//! are in [`super::UnitTable`]), and the change log that stations pull them through.

use fieldpost_domain::{CampaignId, Item, ItemId, Section, SectionId, UnitId, UnitLinkId};

use super::StorageResult;
use crate::campaign::CampaignRecord;
use crate::links::UnitLink;

/// `campaigns`: the central's one campaign (the first one created).
pub trait CampaignTable {
    /// The campaign, if it has been set up.
    fn current(&mut self) -> StorageResult<Option<CampaignRecord>>;
    /// The campaign's id, if it has been set up.
    fn current_id(&mut self) -> StorageResult<Option<CampaignId>>;
    /// Adds the campaign.
    fn insert(&mut self, record: &CampaignRecord) -> StorageResult<()>;
    /// Replaces the fields of the campaign with `record`'s id.
    fn update(&mut self, record: &CampaignRecord) -> StorageResult<()>;
}

/// `sections`: the campaign's sections, in display order.
pub trait SectionTable {
    /// Every section, in display order.
    fn all(&mut self) -> StorageResult<Vec<Section>>;
    /// Whether a section exists.
    fn exists(&mut self, id: SectionId) -> StorageResult<bool>;
    /// One section.
    fn get(&mut self, id: SectionId) -> StorageResult<Option<Section>>;
    /// Adds a section after the others.
    fn insert(&mut self, campaign: CampaignId, section: &Section) -> StorageResult<()>;
}

/// `items`: what the campaign hands out.
pub trait ItemTable {
    /// Whether an item exists.
    fn exists(&mut self, id: ItemId) -> StorageResult<bool>;
    /// One item.
    fn get(&mut self, id: ItemId) -> StorageResult<Option<Item>>;
    /// Every item, oldest first.
    fn all(&mut self) -> StorageResult<Vec<Item>>;
    /// Adds an item.
    fn insert(&mut self, campaign: CampaignId, item: &Item) -> StorageResult<()>;
    /// Replaces the name, unit label and donor of the item with `item`'s id (its code and
    /// kind stay: stations and prize pools refer to them).
    fn update(&mut self, item: &Item) -> StorageResult<()>;
}

/// `unit_links`: a unit's extra survey links (its primary one is the unit's `survey_link`).
pub trait UnitLinkTable {
    /// The extra links of a unit, oldest first.
    fn of_unit(&mut self, unit: UnitId) -> StorageResult<Vec<UnitLink>>;
    /// One link.
    fn get(&mut self, id: UnitLinkId) -> StorageResult<Option<UnitLink>>;
    /// Adds a link (a URL already among the extra links is [`super::StorageError::Duplicate`]
    /// `url`).
    fn insert(&mut self, link: &UnitLink) -> StorageResult<()>;
    /// Removes a link.
    fn delete(&mut self, id: UnitLinkId) -> StorageResult<()>;
    /// The unit whose primary or extra link `url` is, other than `except`.
    fn owner_of(&mut self, url: &str, except: Option<UnitId>) -> StorageResult<Option<UnitId>>;
}
