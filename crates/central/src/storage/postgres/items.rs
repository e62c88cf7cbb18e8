//! `items`: what the campaign hands out.

use fieldpost_domain::{CampaignId, Item, ItemId, ItemKind};
use tokio_postgres::Row;

use super::{PgTx, col, get};
use crate::storage::{ItemTable, StorageResult};

pub(super) const ITEM_COLUMNS: &str = "id, code, name, kind, unit_label, donor";

fn kind_str(k: ItemKind) -> &'static str {
    match k {
        ItemKind::Gift => "gift",
        ItemKind::Prize => "prize",
    }
}

pub(super) fn item_row(r: &Row) -> StorageResult<Item> {
    let kind: String = get(r, 3)?;
    Ok(Item {
        id: col(r, 0)?,
        code: get(r, 1)?,
        name: get(r, 2)?,
        kind: match kind.as_str() {
            "prize" => ItemKind::Prize,
            _ => ItemKind::Gift,
        },
        unit_label: get(r, 4)?,
        donor: get(r, 5)?,
    })
}

impl ItemTable for PgTx<'_> {
    fn exists(&mut self, id: ItemId) -> StorageResult<bool> {
        Ok(self
            .query_opt("SELECT 1 FROM items WHERE id = $1", &[&id.to_string()])?
            .is_some())
    }

    fn get(&mut self, id: ItemId) -> StorageResult<Option<Item>> {
        let row = self.query_opt(
            &format!("SELECT {ITEM_COLUMNS} FROM items WHERE id = $1"),
            &[&id.to_string()],
        )?;
        row.as_ref().map(item_row).transpose()
    }

    fn all(&mut self) -> StorageResult<Vec<Item>> {
        let rows = self.query(
            &format!("SELECT {ITEM_COLUMNS} FROM items ORDER BY row_order"),
            &[],
        )?;
        rows.iter().map(item_row).collect()
    }

    fn insert(&mut self, campaign: CampaignId, i: &Item) -> StorageResult<()> {
        // A code the campaign already has is answered as a duplicate.
        self.execute_unique(
            "INSERT INTO items (id, campaign_id, code, name, kind, unit_label, donor)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &i.id.to_string(),
                &campaign.to_string(),
                &i.code,
                &i.name,
                &kind_str(i.kind),
                &i.unit_label,
                &i.donor,
            ],
        )?;
        Ok(())
    }

    fn update(&mut self, i: &Item) -> StorageResult<()> {
        self.execute(
            "UPDATE items SET name = $2, unit_label = $3, donor = $4 WHERE id = $1",
            &[&i.id.to_string(), &i.name, &i.unit_label, &i.donor],
        )?;
        Ok(())
    }
}
