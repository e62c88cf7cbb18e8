//! The campaign and what it is made of: its windows and target, its sections and units (with their quotas and exclusive links, as the unit task table sets them) and the items it hands out.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use fieldpost_domain::{Campaign, CampaignId, Item, ItemKind, Section, SectionId, Unit, UnitId};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::audit::Actor;
use crate::storage::{self, Database, StorageError, Tx};
use schemars::JsonSchema;
use ts_rs::TS;

/// The campaign with the secretariat's note.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct CampaignRecord {
    /// The campaign.
    #[serde(flatten)]
    pub campaign: Campaign,
    /// Free text, e.g. that the quotas are illustrative.
    pub note: Option<String>,
}

/// One unit of an imported task table (采集任务分解及链接入口表), checked already.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UnitSheetRow {
    /// The unit's name: an existing unit of that name is updated, otherwise one is created.
    pub name: String,
    /// The section's name: created when the campaign has none of that name; `None` keeps an
    /// existing unit's section (a new unit needs one).
    pub section: Option<String>,
    /// 采集任务.
    pub quota: u32,
    /// 专属链接.
    pub survey_link: String,
    /// 联系人; `None` keeps an existing unit's contact.
    pub contact: Option<String>,
}

/// What applying a task table did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS, JsonSchema)]
pub struct UnitSheetOutcome {
    /// Units created.
    pub created: u32,
    /// Units changed.
    pub updated: u32,
    /// Units already as the sheet says.
    pub unchanged: u32,
    /// Sections created for names the campaign did not have.
    pub sections_created: u32,
}

// --- rules shared by the use cases ----------------------------------------------------------

/// A required text field left blank (names the request field).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{0}: must not be empty")]
pub struct Blank(pub &'static str);

/// A required non-blank text field, trimmed.
fn required(field: &'static str, value: &str) -> Result<String, Blank> {
    let v = value.trim();
    if v.is_empty() {
        return Err(Blank(field));
    }
    Ok(v.to_owned())
}

/// The campaign a new section, unit or item belongs to: there must be one.
fn current_campaign<E: From<StorageError>>(
    tx: &mut dyn Tx,
    no_campaign: E,
) -> Result<CampaignId, E> {
    tx.campaigns().current_id()?.ok_or(no_campaign)
}

/// The calendar day of an instant in China time (UTC+8, no daylight saving), as the plan
/// dates its windows.
pub fn china_day(t: DateTime<Utc>) -> chrono::NaiveDate {
    (t + chrono::Duration::hours(8)).date_naive()
}

fn kind_str(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Gift => "gift",
        ItemKind::Prize => "prize",
    }
}

// --- the campaign ----------------------------------------------------------------------------

/// The campaign, if it has been set up.
pub fn campaign(db: &dyn Database) -> Result<Option<CampaignRecord>, StorageError> {
    storage::read(db, |tx| tx.campaigns().current())
}

/// Why the campaign was not stored.
#[derive(Debug, thiserror::Error)]
pub enum PutCampaignError {
    /// The name or city is blank.
    #[error(transparent)]
    Blank(#[from] Blank),
    /// The publicity window ends before it starts.
    #[error("publicity_end: must not be before publicity_start")]
    PublicityEndsBeforeStart,
    /// The collection window does not end after it starts.
    #[error("collection_end: must be after collection_start")]
    CollectionEndsBeforeStart,
    /// Collection opens before publicity has begun: the plan mobilizes first (宣传动员), then
    /// collects, so collection starts on or after the publicity's first day (China time).
    #[error("collection_start: must not be before publicity_start")]
    CollectionBeforePublicity,
    /// The collection window ends before the publicity window does: publicity runs up to
    /// collection or alongside it, never past its end.
    #[error("publicity_end: must not be after the collection's last day")]
    PublicityAfterCollection,
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Creates the campaign or replaces its fields (one campaign per central: its id is kept).
pub fn put_campaign(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    record: &CampaignRecord,
) -> Result<CampaignRecord, PutCampaignError> {
    storage::write(db, |tx| put(tx, actor, now, record))
}

/// [`put_campaign`] inside a transaction (for a seed).
pub(crate) fn put(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    record: &CampaignRecord,
) -> Result<CampaignRecord, PutCampaignError> {
    let mut record = record.clone();
    let c = &mut record.campaign;
    c.name = required("name", &c.name)?;
    c.city = required("city", &c.city)?;
    if c.publicity_end < c.publicity_start {
        return Err(PutCampaignError::PublicityEndsBeforeStart);
    }
    if c.collection_end <= c.collection_start {
        return Err(PutCampaignError::CollectionEndsBeforeStart);
    }
    if china_day(c.collection_start) < c.publicity_start {
        return Err(PutCampaignError::CollectionBeforePublicity);
    }
    // The window's end is exclusive (8/12 24:00 is 8/13 00:00): its last day is the one
    // before the end's instant.
    let last_collection_day = china_day(c.collection_end - chrono::Duration::milliseconds(1));
    if c.publicity_end > last_collection_day {
        return Err(PutCampaignError::PublicityAfterCollection);
    }
    match tx.campaigns().current_id()? {
        Some(existing) => {
            c.id = existing;
            tx.campaigns().update(&record)?;
        }
        None => tx.campaigns().insert(&record)?,
    }
    let c = &record.campaign;
    tx.audit_log().append(
        now,
        actor,
        "campaign.put",
        Some(&c.id.to_string()),
        &json!({"name": c.name, "target": c.target}),
    )?;
    tx.change_log().stamp(
        now,
        crate::storage::Record {
            entity: "campaign",
            id: &c.id.to_string(),
        },
        None,
        None,
    )?;
    // Read back: what is answered is what a later read returns (times at stored precision).
    Ok(tx.campaigns().current()?.unwrap_or(record))
}

// --- sections --------------------------------------------------------------------------------

/// The campaign's sections, in display order.
pub fn sections(db: &dyn Database) -> Result<Vec<Section>, StorageError> {
    storage::read(db, |tx| tx.sections().all())
}

/// Why a section was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateSectionError {
    /// There is no campaign to add it to.
    #[error("set up the campaign first")]
    NoCampaign,
    /// The code or name is blank.
    #[error(transparent)]
    Blank(#[from] Blank),
    /// The storage failed, or another section has the code.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Adds a section to the campaign, after the others.
pub fn create_section(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    section: &Section,
) -> Result<Section, CreateSectionError> {
    storage::write(db, |tx| add_section(tx, actor, now, section))
}

/// [`create_section`] inside a transaction.
pub(crate) fn add_section(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    section: &Section,
) -> Result<Section, CreateSectionError> {
    let campaign = current_campaign(tx, CreateSectionError::NoCampaign)?;
    let mut s = section.clone();
    s.code = required("code", &s.code)?;
    s.name = required("name", &s.name)?;
    tx.sections().insert(campaign, &s)?;
    tx.audit_log().append(
        now,
        actor,
        "section.create",
        Some(&s.id.to_string()),
        &json!({"code": s.code, "name": s.name}),
    )?;
    tx.change_log().stamp(
        now,
        crate::storage::Record {
            entity: "section",
            id: &s.id.to_string(),
        },
        None,
        None,
    )?;
    Ok(s)
}

// --- units -----------------------------------------------------------------------------------

/// Units, all or those of one section.
pub fn units(db: &dyn Database, section: Option<SectionId>) -> Result<Vec<Unit>, StorageError> {
    storage::read(db, |tx| tx.units().all(section))
}

/// One unit.
pub fn unit(db: &dyn Database, id: UnitId) -> Result<Option<Unit>, StorageError> {
    storage::read(db, |tx| tx.units().get(id))
}

/// Why a unit was not created or changed.
#[derive(Debug, thiserror::Error)]
pub enum UnitError {
    /// There is no campaign to add it to.
    #[error("set up the campaign first")]
    NoCampaign,
    /// The unit to change does not exist.
    #[error("unit not found")]
    NotFound,
    /// The name or survey link is blank.
    #[error(transparent)]
    Blank(#[from] Blank),
    /// Its section does not exist.
    #[error("section_id: no such section")]
    NoSuchSection,
    /// The storage failed, or another unit has the name or the survey link (each unit's link
    /// is its own).
    #[error(transparent)]
    Storage(#[from] StorageError),
}

fn check_unit(tx: &mut dyn Tx, u: &mut Unit) -> Result<(), UnitError> {
    u.name = required("name", &u.name)?;
    u.survey_link = required("survey_link", &u.survey_link)?;
    u.contact = u
        .contact
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    if !tx.sections().exists(u.section_id)? {
        return Err(UnitError::NoSuchSection);
    }
    // Another unit's primary link is refused by the table; another unit's extra link lives
    // in `unit_links`, so it is looked up here (a unit's own extra link may become primary).
    if tx
        .unit_links()
        .owner_of(&u.survey_link, Some(u.id))?
        .is_some()
    {
        return Err(StorageError::Duplicate {
            field: "survey_link",
        }
        .into());
    }
    Ok(())
}

/// Adds a unit to the campaign (whatever `campaign_id` it names).
pub fn create_unit(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    unit: &Unit,
) -> Result<Unit, UnitError> {
    storage::write(db, |tx| add_unit(tx, actor, now, unit))
}

/// [`create_unit`] inside a transaction.
pub(crate) fn add_unit(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    unit: &Unit,
) -> Result<Unit, UnitError> {
    let mut u = unit.clone();
    u.campaign_id = current_campaign(tx, UnitError::NoCampaign)?;
    check_unit(tx, &mut u)?;
    tx.units().insert(&u)?;
    tx.audit_log().append(
        now,
        actor,
        "unit.create",
        Some(&u.id.to_string()),
        &json!({"name": u.name, "quota": u.quota, "section_id": u.section_id}),
    )?;
    tx.change_log().stamp(
        now,
        crate::storage::Record {
            entity: "unit",
            id: &u.id.to_string(),
        },
        Some(u.id),
        None,
    )?;
    Ok(u)
}

/// Replaces a unit's quota, link, contact, section and name.
pub fn update_unit(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    unit: &Unit,
) -> Result<Unit, UnitError> {
    storage::write(db, |tx| change_unit(tx, actor, now, unit))
}

fn change_unit(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    unit: &Unit,
) -> Result<Unit, UnitError> {
    let before = tx.units().get(unit.id)?.ok_or(UnitError::NotFound)?;
    let mut u = unit.clone();
    u.campaign_id = before.campaign_id;
    check_unit(tx, &mut u)?;
    tx.units().update(&u)?;
    tx.audit_log().append(
        now,
        actor,
        "unit.update",
        Some(&u.id.to_string()),
        &json!({"name": u.name, "quota": u.quota, "quota_before": before.quota,
               "section_id": u.section_id, "survey_link": u.survey_link}),
    )?;
    tx.change_log().stamp(
        now,
        crate::storage::Record {
            entity: "unit",
            id: &u.id.to_string(),
        },
        Some(u.id),
        None,
    )?;
    Ok(u)
}

// --- items -----------------------------------------------------------------------------------

/// The campaign's items.
pub fn items(db: &dyn Database) -> Result<Vec<Item>, StorageError> {
    storage::read(db, |tx| tx.items().all())
}

/// Why an item was not created.
#[derive(Debug, thiserror::Error)]
pub enum CreateItemError {
    /// There is no campaign to add it to.
    #[error("set up the campaign first")]
    NoCampaign,
    /// The code, name or unit label is blank.
    #[error(transparent)]
    Blank(#[from] Blank),
    /// The storage failed, or another item has the code.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Adds an item to the campaign.
pub fn create_item(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &Item,
) -> Result<Item, CreateItemError> {
    storage::write(db, |tx| add_item(tx, actor, now, item))
}

/// [`create_item`] inside a transaction.
pub(crate) fn add_item(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &Item,
) -> Result<Item, CreateItemError> {
    let campaign = current_campaign(tx, CreateItemError::NoCampaign)?;
    let mut i = item.clone();
    i.code = required("code", &i.code)?;
    i.name = required("name", &i.name)?;
    i.unit_label = required("unit_label", &i.unit_label)?;
    tx.items().insert(campaign, &i)?;
    tx.audit_log().append(
        now,
        actor,
        "item.create",
        Some(&i.id.to_string()),
        &json!({"code": i.code, "name": i.name, "kind": kind_str(i.kind)}),
    )?;
    tx.change_log().stamp(
        now,
        crate::storage::Record {
            entity: "item",
            id: &i.id.to_string(),
        },
        None,
        None,
    )?;
    Ok(i)
}

/// Why an item was not changed.
#[derive(Debug, thiserror::Error)]
pub enum UpdateItemError {
    /// No item of this id.
    #[error("item not found")]
    NotFound,
    /// The name or unit label is blank.
    #[error(transparent)]
    Blank(#[from] Blank),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Renames an item and replaces its unit label and donor. Its code and kind stay: the
/// stations, the ledger and the prize pools refer to the item by them.
pub fn update_item(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    item: &Item,
) -> Result<Item, UpdateItemError> {
    storage::write(db, |tx| {
        let before = tx.items().get(item.id)?.ok_or(UpdateItemError::NotFound)?;
        let after = Item {
            name: required("name", &item.name)?,
            unit_label: required("unit_label", &item.unit_label)?,
            donor: item
                .donor
                .as_deref()
                .map(str::trim)
                .filter(|d| !d.is_empty())
                .map(str::to_owned),
            ..before.clone()
        };
        if after == before {
            return Ok(after);
        }
        tx.items().update(&after)?;
        tx.audit_log().append(
            now,
            actor,
            "item.update",
            Some(&after.id.to_string()),
            &json!({"name": after.name, "name_before": before.name,
                   "unit_label": after.unit_label, "donor": after.donor}),
        )?;
        // Stations show the item's name and label: they pull the change.
        tx.change_log().stamp(
            now,
            crate::storage::Record {
                entity: "item",
                id: &after.id.to_string(),
            },
            None,
            None,
        )?;
        Ok(after)
    })
}

// --- the unit task table ---------------------------------------------------------------------

/// Why a task table was not applied (nothing of it was).
#[derive(Debug, thiserror::Error)]
pub enum UnitSheetError {
    /// There is no campaign to add units to.
    #[error("set up the campaign first")]
    NoCampaign,
    /// A row names a unit the campaign does not have, without a section to put it in.
    #[error("section: {0} is a new unit: name its section")]
    NewUnitWithoutSection(String),
    /// A section the sheet names could not be created.
    #[error(transparent)]
    Section(#[from] CreateSectionError),
    /// A unit could not be created or changed (e.g. its link is another unit's).
    #[error(transparent)]
    Unit(#[from] UnitError),
    /// The storage failed.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// Names compare without their whitespace: a sheet's "揭阳 日报社" is the unit 揭阳日报社.
fn key(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Creates or updates every unit of an imported task table, and the sections it names, in one
/// transaction: a row refused (a link another unit has) rolls the whole sheet back.
pub fn apply_unit_sheet(
    db: &dyn Database,
    actor: &Actor,
    now: DateTime<Utc>,
    rows: &[UnitSheetRow],
) -> Result<UnitSheetOutcome, UnitSheetError> {
    storage::write(db, |tx| apply_sheet(tx, actor, now, rows))
}

fn apply_sheet(
    tx: &mut dyn Tx,
    actor: &Actor,
    now: DateTime<Utc>,
    rows: &[UnitSheetRow],
) -> Result<UnitSheetOutcome, UnitSheetError> {
    let campaign_id = current_campaign(tx, UnitSheetError::NoCampaign)?;
    let mut by_section: HashMap<String, SectionId> = tx
        .sections()
        .all()?
        .into_iter()
        .map(|s| (key(&s.name), s.id))
        .collect();
    let existing: HashMap<String, Unit> = tx
        .units()
        .all(None)?
        .into_iter()
        .map(|u| (key(&u.name), u))
        .collect();
    let mut out = UnitSheetOutcome::default();
    for row in rows {
        let section_id = match row
            .section
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(name) => Some(match by_section.get(&key(name)) {
                Some(id) => *id,
                None => {
                    let section = Section {
                        id: SectionId::new(),
                        // Codes are for machines; an imported section is named by its text.
                        code: format!("import-{}", by_section.len() + 1),
                        name: name.to_owned(),
                    };
                    let section = add_section(tx, actor, now, &section)?;
                    by_section.insert(key(name), section.id);
                    out.sections_created += 1;
                    section.id
                }
            }),
        };
        match existing.get(&key(&row.name)) {
            Some(before) => {
                let after = Unit {
                    section_id: section_id.unwrap_or(before.section_id),
                    quota: row.quota,
                    survey_link: row.survey_link.clone(),
                    contact: row.contact.clone().or_else(|| before.contact.clone()),
                    ..before.clone()
                };
                if &after == before {
                    out.unchanged += 1;
                } else {
                    change_unit(tx, actor, now, &after)?;
                    out.updated += 1;
                }
            }
            None => {
                let section_id = section_id
                    .ok_or_else(|| UnitSheetError::NewUnitWithoutSection(row.name.clone()))?;
                let unit = Unit {
                    id: UnitId::new(),
                    campaign_id,
                    section_id,
                    name: row.name.clone(),
                    quota: row.quota,
                    survey_link: row.survey_link.clone(),
                    contact: row.contact.clone(),
                };
                add_unit(tx, actor, now, &unit)?;
                out.created += 1;
            }
        }
    }
    tx.audit_log()
        .append(now, actor, "units.import", None, &json!(out))?;
    Ok(out)
}
