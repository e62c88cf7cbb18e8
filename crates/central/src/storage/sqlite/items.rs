//! `items`: what the campaign hands out.

use fieldpost_domain::{CampaignId, Item, ItemId, ItemKind};
use rusqlite::{OptionalExtension, Row, params};

use super::{SqliteTx, col};
use crate::storage::{ItemTable, StorageResult};

pub(super) const ITEM_COLUMNS: &str = "id, code, name, kind, unit_label, donor";

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

impl ItemTable for SqliteTx<'_> {
    fn exists(&mut self, id: ItemId) -> StorageResult<bool> {
        Ok(self
            .conn
            .prepare_cached("SELECT 1 FROM items WHERE id = ?1")?
            .query_row([id.to_string()], |_| Ok(()))
            .optional()?
            .is_some())
    }

    fn get(&mut self, id: ItemId) -> StorageResult<Option<Item>> {
        Ok(self
            .conn
            .prepare_cached(&format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = ?1"))?
            .query_row([id.to_string()], item_row)
            .optional()?)
    }

    fn all(&mut self) -> StorageResult<Vec<Item>> {
        let mut stmt = self
            .conn
            .prepare(&format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY rowid"))?;
        let rows = stmt.query_map([], item_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn insert(&mut self, campaign: CampaignId, i: &Item) -> StorageResult<()> {
        self.conn.execute(
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
        Ok(())
    }

    fn update(&mut self, i: &Item) -> StorageResult<()> {
        self.conn.execute(
            "UPDATE items SET name = ?2, unit_label = ?3, donor = ?4 WHERE id = ?1",
            params![i.id.to_string(), i.name, i.unit_label, i.donor],
        )?;
        Ok(())
    }
}
