//! The campaign, its sections, units and items.

use crate::error::ErrorCode;
use chrono::{DateTime, NaiveDate, Utc};
use fieldpost_domain::{Campaign, CampaignId, Item, ItemKind, Section, SectionId, Unit, UnitId};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde_json::json;

use super::{audit, changed, col, col_ts, col_u32, required, ts};
use crate::audit::Actor;
use crate::campaign::CampaignRecord;
use crate::error::StoreError;
use crate::store::StoreResult;

fn date(row: &Row<'_>, idx: usize) -> rusqlite::Result<NaiveDate> {
    col(row, idx)
}

fn campaign_row(row: &Row<'_>) -> rusqlite::Result<CampaignRecord> {
    Ok(CampaignRecord {
        campaign: Campaign {
            id: col(row, 0)?,
            name: row.get(1)?,
            city: row.get(2)?,
            publicity_start: date(row, 3)?,
            publicity_end: date(row, 4)?,
            collection_start: col_ts(row, 5)?,
            collection_end: col_ts(row, 6)?,
            target: col_u32(row, 7)?,
        },
        note: row.get(8)?,
    })
}

const CAMPAIGN_COLUMNS: &str = "id, name, city, publicity_start, publicity_end, \
     collection_start, collection_end, target, note";

/// The current campaign (the first one created).
pub(super) fn campaign(c: &Connection) -> StoreResult<CampaignRecord> {
    c.query_row(
        &format!("SELECT {CAMPAIGN_COLUMNS} FROM campaigns ORDER BY rowid LIMIT 1"),
        [],
        campaign_row,
    )
    .optional()?
    .ok_or(StoreError::NotFound("campaign"))
}

pub(super) fn current_campaign_id(c: &Connection) -> StoreResult<CampaignId> {
    c.query_row("SELECT id FROM campaigns ORDER BY rowid LIMIT 1", [], |r| {
        col(r, 0)
    })
    .optional()?
    .ok_or_else(|| StoreError::conflict(ErrorCode::NoCampaign, "set up the campaign first"))
}

pub(super) fn put_campaign(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    record: CampaignRecord,
) -> StoreResult<CampaignRecord> {
    let mut c = record.campaign;
    c.name = required("name", &c.name)?;
    c.city = required("city", &c.city)?;
    if c.publicity_end < c.publicity_start {
        return Err(StoreError::invalid(
            "publicity_end",
            "must not be before publicity_start",
        ));
    }
    if c.collection_end <= c.collection_start {
        return Err(StoreError::invalid(
            "collection_end",
            "must be after collection_start",
        ));
    }
    // One campaign per central: an update keeps the stored id.
    if let Ok(existing) = current_campaign_id(tx) {
        c.id = existing;
        tx.execute(
            "UPDATE campaigns SET name = ?2, city = ?3, publicity_start = ?4, publicity_end = ?5,
                 collection_start = ?6, collection_end = ?7, target = ?8, note = ?9
             WHERE id = ?1",
            params![
                c.id.to_string(),
                c.name,
                c.city,
                c.publicity_start.to_string(),
                c.publicity_end.to_string(),
                ts(c.collection_start),
                ts(c.collection_end),
                c.target,
                record.note
            ],
        )?;
    } else {
        tx.execute(
            &format!("INSERT INTO campaigns ({CAMPAIGN_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"),
            params![
                c.id.to_string(),
                c.name,
                c.city,
                c.publicity_start.to_string(),
                c.publicity_end.to_string(),
                ts(c.collection_start),
                ts(c.collection_end),
                c.target,
                record.note
            ],
        )?;
    }
    audit(
        tx,
        now,
        actor,
        "campaign.put",
        Some(c.id.to_string()),
        json!({"name": c.name, "target": c.target}),
    )?;
    changed(tx, now, "campaign", &c.id.to_string(), None, None)?;
    campaign(tx)
}

pub(super) fn sections(c: &Connection) -> StoreResult<Vec<Section>> {
    let mut stmt = c.prepare("SELECT id, code, name FROM sections ORDER BY position, rowid")?;
    let rows = stmt.query_map([], |r| {
        Ok(Section {
            id: col(r, 0)?,
            code: r.get(1)?,
            name: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn create_section(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    mut s: Section,
) -> StoreResult<Section> {
    let campaign = current_campaign_id(tx)?;
    s.code = required("code", &s.code)?;
    s.name = required("name", &s.name)?;
    tx.execute(
        "INSERT INTO sections (id, campaign_id, code, name, position)
         VALUES (?1, ?2, ?3, ?4, (SELECT COUNT(*) FROM sections))",
        params![s.id.to_string(), campaign.to_string(), s.code, s.name],
    )?;
    audit(
        tx,
        now,
        actor,
        "section.create",
        Some(s.id.to_string()),
        json!({"code": s.code, "name": s.name}),
    )?;
    changed(tx, now, "section", &s.id.to_string(), None, None)?;
    Ok(s)
}

const UNIT_COLUMNS: &str = "id, campaign_id, section_id, name, quota, survey_link, contact";

fn unit_row(r: &Row<'_>) -> rusqlite::Result<Unit> {
    Ok(Unit {
        id: col(r, 0)?,
        campaign_id: col(r, 1)?,
        section_id: col(r, 2)?,
        name: r.get(3)?,
        quota: col_u32(r, 4)?,
        survey_link: r.get(5)?,
        contact: r.get(6)?,
    })
}

pub(super) fn units(c: &Connection, section: Option<SectionId>) -> StoreResult<Vec<Unit>> {
    let mut stmt = c.prepare(&format!(
        "SELECT {UNIT_COLUMNS} FROM units WHERE ?1 IS NULL OR section_id = ?1 ORDER BY rowid"
    ))?;
    let rows = stmt.query_map([section.map(|s| s.to_string())], unit_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn unit(c: &Connection, id: UnitId) -> StoreResult<Unit> {
    c.query_row(
        &format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = ?1"),
        [id.to_string()],
        unit_row,
    )
    .optional()?
    .ok_or(StoreError::NotFound("unit"))
}

fn check_unit(tx: &Transaction<'_>, u: &mut Unit) -> StoreResult<()> {
    u.name = required("name", &u.name)?;
    u.survey_link = required("survey_link", &u.survey_link)?;
    u.contact = u
        .contact
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(str::to_owned);
    let section: Option<String> = tx
        .query_row(
            "SELECT id FROM sections WHERE id = ?1",
            [u.section_id.to_string()],
            |r| r.get(0),
        )
        .optional()?;
    if section.is_none() {
        return Err(StoreError::invalid("section_id", "no such section"));
    }
    Ok(())
}

pub(super) fn create_unit(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    mut u: Unit,
) -> StoreResult<Unit> {
    u.campaign_id = current_campaign_id(tx)?;
    check_unit(tx, &mut u)?;
    tx.execute(
        &format!("INSERT INTO units ({UNIT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"),
        params![
            u.id.to_string(),
            u.campaign_id.to_string(),
            u.section_id.to_string(),
            u.name,
            u.quota,
            u.survey_link,
            u.contact
        ],
    )?;
    audit(
        tx,
        now,
        actor,
        "unit.create",
        Some(u.id.to_string()),
        json!({"name": u.name, "quota": u.quota, "section_id": u.section_id}),
    )?;
    changed(tx, now, "unit", &u.id.to_string(), Some(u.id), None)?;
    Ok(u)
}

pub(super) fn update_unit(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    mut u: Unit,
) -> StoreResult<Unit> {
    let before = unit(tx, u.id)?;
    u.campaign_id = before.campaign_id;
    check_unit(tx, &mut u)?;
    tx.execute(
        "UPDATE units SET section_id = ?2, name = ?3, quota = ?4, survey_link = ?5, contact = ?6
         WHERE id = ?1",
        params![
            u.id.to_string(),
            u.section_id.to_string(),
            u.name,
            u.quota,
            u.survey_link,
            u.contact
        ],
    )?;
    audit(
        tx,
        now,
        actor,
        "unit.update",
        Some(u.id.to_string()),
        json!({"name": u.name, "quota": u.quota, "quota_before": before.quota,
               "section_id": u.section_id, "survey_link": u.survey_link}),
    )?;
    changed(tx, now, "unit", &u.id.to_string(), Some(u.id), None)?;
    Ok(u)
}

fn kind_str(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Gift => "gift",
        ItemKind::Prize => "prize",
    }
}

pub(super) fn item_row(r: &Row<'_>) -> rusqlite::Result<Item> {
    let kind: String = r.get(3)?;
    Ok(Item {
        id: col(r, 0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        kind: match kind.as_str() {
            "prize" => ItemKind::Prize,
            _ => ItemKind::Gift,
        },
        unit_label: r.get(4)?,
        donor: r.get(5)?,
    })
}

pub(super) const ITEM_COLUMNS: &str = "id, code, name, kind, unit_label, donor";

pub(super) fn items(c: &Connection) -> StoreResult<Vec<Item>> {
    let mut stmt = c.prepare(&format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY rowid"))?;
    let rows = stmt.query_map([], item_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

pub(super) fn item_exists(c: &Connection, id: fieldpost_domain::ItemId) -> StoreResult<bool> {
    Ok(c.query_row(
        "SELECT 1 FROM items WHERE id = ?1",
        [id.to_string()],
        |_| Ok(()),
    )
    .optional()?
    .is_some())
}

pub(super) fn create_item(
    tx: &Transaction<'_>,
    actor: &Actor,
    now: DateTime<Utc>,
    mut i: Item,
) -> StoreResult<Item> {
    let campaign = current_campaign_id(tx)?;
    i.code = required("code", &i.code)?;
    i.name = required("name", &i.name)?;
    i.unit_label = required("unit_label", &i.unit_label)?;
    tx.execute(
        "INSERT INTO items (id, campaign_id, code, name, kind, unit_label, donor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        params![
            i.id.to_string(),
            campaign.to_string(),
            i.code,
            i.name,
            kind_str(i.kind),
            i.unit_label,
            i.donor
        ],
    )?;
    audit(
        tx,
        now,
        actor,
        "item.create",
        Some(i.id.to_string()),
        json!({"code": i.code, "name": i.name, "kind": kind_str(i.kind)}),
    )?;
    changed(tx, now, "item", &i.id.to_string(), None, None)?;
    Ok(i)
}
