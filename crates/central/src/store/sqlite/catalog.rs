//! The campaign's, units' and items' reads that the old store's remaining aggregates (plans,
//! the stock ledger, sync) still make in their own transactions. The campaign and its
//! catalog are kept by `crate::campaign` over the storage seam; these go when the last of
//! their callers moves above it.

use chrono::NaiveDate;
use fieldpost_domain::{Campaign, Item, ItemKind, Unit, UnitId};
use rusqlite::{Connection, OptionalExtension, Row};

use super::{col, col_ts, col_u32};
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

pub(super) fn unit(c: &Connection, id: UnitId) -> StoreResult<Unit> {
    c.query_row(
        &format!("SELECT {UNIT_COLUMNS} FROM units WHERE id = ?1"),
        [id.to_string()],
        unit_row,
    )
    .optional()?
    .ok_or(StoreError::NotFound("unit"))
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
